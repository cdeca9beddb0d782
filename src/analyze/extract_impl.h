/* Shared by extract.c (the collector) and extract_gen.c (the generator).
 * Private to src/analyze. */
#ifndef XDRV_ANALYZE_EXTRACT_IMPL_H
#define XDRV_ANALYZE_EXTRACT_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analyze/extract.h"

/* The spec's request kinds, as the collector files them. */
typedef enum XKind {
    XK_NONE, /* inherit the caller's */
    XK_INIT,
    XK_HALT,
    XK_RESET,
    XK_SEND,
    XK_FILTER,
    XK_MCAST,
    XK_STATS,
    XK_INTR,
    XK_TIMER,
    XK_OTHER, /* an entry point the spec has no request for */
    XK_COUNT
} XKind;

extern const char *const xk_request[XK_COUNT];

typedef enum XOpKind {
    XO_READ,
    XO_WRITE,
    XO_POLL,    /* reads of one register at a poll site, collapsed */
    XO_STORE,   /* the driver stored 1, 2 or 4 bytes into device memory */
    XO_COPY,    /* it copied the frame being sent there */
    XO_BLOB,    /* it stored other bytes there */
    XO_DELIVER, /* a frame went to the OS (reg: the region it was read from, -1 unknown) */
    XO_LINK,    /* the driver reported the link (value 1 up, 0 down) */
    XO_OUTS,    /* it wrote the frame through a data register (len: bytes) */
    XO_LOOP,    /* iterations of a unit, collapsed (generator only) */
    XO_BAD,     /* an access the spec language cannot say (generator only) */
    XO_LOAD,    /* the driver loaded 1, 2 or 4 bytes from device memory (reg: region) */
    /* a run of reads of one data register (size: its width; len: bytes)
     * that carried a frame handed to the OS (pio: XPIO_FRAME, off its
     * place in the frame) or the header read through the same register
     * before it (XPIO_HEADER, bytes: its first 16) */
    XO_INS,
} XOpKind;

enum { XPIO_FRAME = 1, XPIO_HEADER = 2 };

typedef struct XOp {
    uint8_t kind, size;
    int reg;        /* register view; store/copy/deliver: the region */
    uint32_t value; /* read, write, store value; poll: the last read; link */
    uint32_t off;   /* offset in the region */
    uint32_t len;   /* copy, deliver: bytes; poll: reads; loop: iterations */
    uint32_t pc;
    uint64_t seq;
    int addr_region; /* write/store: the value is an address in this region, -1 */
    uint32_t addr_off;
    uint8_t bytes[16];            /* blob: its bytes, when it has 16 or fewer */
    /* write/store: one 16-bit half of an address: XHALF_LOW or XHALF_HIGH
     * with addr_region/addr_off the whole address's place (the collector
     * paired it with the other half), XHALF_UNPAIRED (mark_halves) */
    uint8_t addr_half;
    /* ins: XPIO_FRAME or XPIO_HEADER; deliver: XPIO_FRAME when the frame
     * came in through a data register (extract.c pio_frame) */
    uint8_t pio;
    /* read: its value is kept in v_<register>_<occ> (a source of bytes a
     * later write assembles); write: its value is Gen's assembled
     * expression asm_id - 1 (extract_gen.c byte_runs); 0 none */
    uint8_t occ, asm_id;
    /* write of an index register: kept as a write of its own, not made
     * by an index view (collapse_polls decides it once) */
    uint8_t index_kept;
    uint32_t unit;                /* loop: ops per iteration */
    uint32_t rx_before, rx_after; /* deliver: the circular buffer's read offset */
    const struct XOp *sub;        /* loop: the first iteration's first op */
    /* deliver: the frame lay in the buffer whose address descriptor
     * held_desc of ring piece held - 1 held (0: none; extract_gen.c
     * ring_rx) */
    int held;
    uint32_t held_desc;
} XOp;

typedef struct XInst {
    XKind kind;
    unsigned trace;
    uint64_t first, last; /* events */
    uint64_t vtime;       /* virtual time of its first event */
    uint32_t param;
    int has_param, multi, closed;
    unsigned cnt[XK_COUNT]; /* requests of each kind since the last init or reset */
    uint32_t rxr;           /* receive-ring rounds since the last init or reset */
    uint32_t rxpos;         /* frames read through a data register: where the next is */
    uint8_t rxpos_ok;
    uint8_t restart;        /* it lays the transmit (1) or receive (2) ring out anew */
    uint8_t reconfigured;   /* it came after a `param` request in its trace: the
                             * driver may run with another configuration */
    uint8_t gone;           /* it came after the OS told the driver its device
                             * was surprise removed, before the next
                             * initialization */
    uint8_t timer_entry;    /* a timer: 1 MiniportCheckForHang, 2 a timer the
                             * driver set (its function, or its DPC) */
    uint8_t setting_off;    /* it came while a setting the binding makes (the
                             * lookahead) differed from the binding's value */
    uint8_t pieces;         /* a send whose frame the OS gave in several
                             * buffers (the request's `frags=N`, N > 1) */
    uint8_t mcast_on;       /* a filter or reset while a multicast list was set
                             * (extract_gen.c count_sends) */
    uint8_t split;          /* a send the driver gave the device in several
                             * descriptors (extract_gen.c count_sends): 1; a
                             * later request that touched those descriptors: 2 */
    XOp *raw;
    size_t nraw;
    XOp *ops; /* raw with polls and loops collapsed (generator) */
    size_t n;
} XInst;

typedef struct XRegion {
    char name[24];  /* as the spec names it */
    char kind[24];  /* the trace's allocation kind */
    char label[40]; /* name and ordinal: the spec's buffer name (unique) */
    unsigned ordinal;
    uint32_t size, align;
    int used;
    uint32_t addrs[8]; /* where it lay in the first traces (to find rings) */
    unsigned naddrs;
    /* a descriptor ring the analysis found in it (declared `ring`) */
    int ring;
    uint32_t ring_count, ring_desc;
    int ring_buf_off, ring_hi;
    int parent;     /* a piece (extract_gen.c split_rings): the allocation, */
    uint32_t start; /* and where in it the piece begins */
    int piece;      /* one of several pieces of its allocation */
    /* a piece: its whole allocation's name, size and alignment (the spec
     * declares it, and the piece `in` it) */
    char whole_label[40];
    uint32_t whole_size, whole_align;
    /* one of a run of same-size allocations declared as one buffer array
     * (extract_gen.c group_buffers): the run's first region, -1 none */
    int group;
    unsigned group_count; /* the first region: copies in the array */
    char group_name[40];  /* the first region: the array's name */
} XRegion;

enum { XHALF_NONE, XHALF_LOW, XHALF_HIGH, XHALF_UNPAIRED };

/* XOp.addr_region: the value is the address of the OS's own frame (a
 * driver handing the device the packet's memory, zero-copy) */
#define XFRAME_REGION (-2)

typedef struct XLive {
    uint32_t addr, size;
    int region;
} XLive;

#define XMAX_REGIONS 1024
#define XMAX_DEPTH 64
#define XDMA_HISTORY 64
#define XDMA_KEEP 2048
#define XMAX_TIMERS 16

typedef struct XDma {
    uint32_t addr, len;
    uint8_t *data;
    int taken; /* a frame handed to the OS was found here */
} XDma;

/* A setting NDIS's binding makes, in one trace (Extract.setting). */
typedef struct XSetting {
    char oid[48];
    uint32_t bound;
    uint8_t have_bound, away;
} XSetting;

struct Extract {
    XInst *inst;
    size_t ninst;
    long open[XK_COUNT];
    char bind_text[96]; /* the binding's next setting, as the host noted it */
    XKind kinds[XMAX_DEPTH];
    unsigned cnt[XK_COUNT];
    unsigned trace;
    /* a `param` request (a configuration change) seen in this trace
     * (reconf_trace + 1; 0 none) */
    unsigned reconf_trace;
    /* a surprise removal told to the driver in this trace,
     * with no initialization since (gone_trace + 1; 0 none) */
    unsigned gone_trace;
    /* the settings NDIS's binding makes other than the packet filter
     * (OID_GEN_CURRENT_LOOKAHEAD): the value the trace's first binding
     * noted, and whether a workload's successful `set` has moved it away
     * from that (a value not noted, or not a number: away) */
    XSetting setting[8];
    unsigned nsetting;
    int pend_setting;      /* a `set` request of one of them, until its end: its index */
    uint32_t pend_value;
    uint8_t pend_known;
    uint64_t seq, vtime;
    char req_text[512];
    unsigned frames;
    uint8_t frame[1600];
    uint32_t frame_len;
    uint32_t frame_addr; /* where the OS's frame lies (send-buffer), 0 none */
    uint8_t burst[16][1600]; /* the request's frames, for copies of any of them */
    uint32_t burst_len[16];
    unsigned burst_next; /* the last 16 frames from the OS, across requests */
    XRegion regions[XMAX_REGIONS];
    unsigned nregions;
    char kind_names[XMAX_REGIONS][24];
    unsigned kind_count[XMAX_REGIONS];
    unsigned nkinds;
    XLive *live;
    size_t nlive;
    XDma dma[XDMA_HISTORY];
    unsigned dma_next;
    int have_id;
    uint16_t vendor, device;
    uint64_t completes;
    uint32_t timer_ms[XMAX_TIMERS]; /* periods the driver set its timers to */
    unsigned timer_votes[XMAX_TIMERS], ntimer;
};

/* Room for element n of a growing array (capacity doubling at powers of
 * two): 0, or -1 (analyze.c). */
int an_grow(void **p, size_t n, size_t size);
/* The n-th (from 1) comma-separated number of an API or entry point's
 * argument text: 0, or -1 (analyze.c). */
int an_arg_number(const char *text, int n, uint32_t *out);

struct Analysis;
/* Write the spec (extract_gen.c). 0, or -1 with a reason. */
int extract_write_spec(const struct Analysis *a, Extract *x, FILE *out, char *err, size_t errlen);

#endif
