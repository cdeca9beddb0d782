/* `xdrv analyze`: what a driver knows about its hardware, inferred from
 * traces of it alone (docs/analyze.md): the registers it touches and how
 * they behave, which written values follow the requests' parameters, where
 * it polls, and how it handles the interrupt. Pure: trace files in, a
 * report out. Nothing here knows which driver or device produced a trace:
 * the register names the device models put into traces (TraceEvent.reg)
 * are carried along for people and for scoring, never used to infer. */
#ifndef XDRV_ANALYZE_ANALYZE_H
#define XDRV_ANALYZE_ANALYZE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* P2IM's register categories (Feng et al., USENIX Security 2020, sec. 3). */
typedef enum AnClass { AN_CONTROL, AN_STATUS, AN_DATA, AN_CS, AN_CLASS_COUNT } AnClass;

/* How a register behaves under access. */
typedef enum AnAccess {
    AN_RO,        /* read, never written */
    AN_WO,        /* written, never read (storage or command: no telling) */
    AN_RW,        /* read back as written, or with bits the device sets */
    AN_W1C,       /* bits read as set, written back as 1, then read as clear */
    AN_RC,        /* a read that returned bits is followed by a read without them */
    AN_SELFCLEAR, /* bits written as 1 read back as 0 with no acknowledgement */
    AN_COUNTER,   /* read values only grow (or restart from 0) */
    AN_ACCESS_COUNT
} AnAccess;

const char *an_class_name(AnClass c);
const char *an_access_name(AnAccess a);

typedef struct Analysis Analysis;

typedef struct AnRegInfo {
    int port;             /* 1: I/O port, 0: memory-mapped */
    uint32_t addr;        /* port or physical address */
    uint32_t window;      /* base of the window (BAR) it lies in */
    uint8_t width;        /* bytes */
    int selected;         /* reached through an index register */
    uint32_t index_addr;  /* that index register's address */
    uint32_t selector;    /* the index value that reaches this view */
    int is_index;         /* an index register (it selects what another port reaches) */
    int banked;           /* reached in a bank: bits of another register select it */
    uint32_t bank_addr;   /* that register's address, the bits and their value */
    uint32_t bank_mask, bank_value;
    int dir;              /* 0: reads and writes; 1: the reads, 2: the writes of an
                           * address where they reach different registers */
    uint64_t reads, writes;
    AnClass cls;
    AnAccess access;
    const char *model_name; /* the name the device model gave most of its accesses, or NULL */
    uint64_t model_votes, votes; /* accesses carrying model_name, all accesses */
} AnRegInfo;

typedef struct AnFitInfo {
    int memory;            /* 0: a register write, 1: a driver store into device memory */
    uint32_t reg;          /* register index (an_reg), or -1 with memory */
    uint32_t pc;           /* memory: the store's code site (module+RVA in the report) */
    int sum;               /* memory: the sum of that site's stores during the send */
    int pair;              /* register: with the byte register above it, low byte first */
    int lo, width;         /* the field: bits [lo, lo+width) */
    int a;                 /* +1 or -1: field = a * len + b (mod 2^width) */
    int64_t b;
    unsigned support, seen; /* sends that fit, sends with a value here */
    int device_read;       /* memory: the device read this memory after the store */
    const char *param;     /* "len" */
} AnFitInfo;

/* A descriptor ring the device walks (one per direction and allocation). */
typedef struct AnRing {
    int rx;                /* 1: receive, 0: transmit */
    char region[32];       /* kind of the allocation it lies in ("shared", ...) */
    uint32_t base;         /* lowest descriptor address the device fetched */
    uint32_t desc_size;    /* bytes the device fetches per descriptor */
    uint32_t stride;       /* distance between descriptors (GCD of the offsets) */
    uint32_t count;        /* descriptors in the ring (see count_from) */
    uint32_t count_seen;   /* descriptors from base to the highest fetched, by stride */
    int count_from;        /* 0: as seen; 1: a register written with count x stride
                            * (count_reg); 2: a 4-bit log2 field of the block the
                            * base was read from, at bit count_bit */
    uint32_t count_reg;
    int count_bit;
    int wrapped;           /* the device went back to a lower descriptor */
    int buf_off;           /* offset of the 32-bit buffer address in a descriptor, -1 */
    int len_off;           /* offset of the 16-bit length written back (rx), -1 */
    int len_adj;           /* that length minus the frame's (4: the FCS counted) */
    int own_off, own_bit;  /* the bit the device flips when done with it, -1 */
    int own_device_sets;   /* 1: the device sets it (done), 0: clears it (owned) */
    int base_from;         /* 0 unknown, 1 a register write, 2 a field of a block the
                            * device read (an initialization block) */
    uint32_t base_reg;     /* 1: register index */
    uint32_t block_addr;   /* 2: the block's address and the field's offset */
    uint32_t block_off;
    unsigned frames;       /* frames it carried */
} AnRing;

typedef enum AnRxKind {
    AN_RX_UNKNOWN,  /* no received frame seen, or none matched */
    AN_RX_RING,     /* frames in buffers named by receive descriptors */
    AN_RX_CIRCULAR, /* one circular buffer, a header before each frame */
    AN_RX_PORT,     /* read through a data port from the device's memory */
} AnRxKind;

typedef struct AnRxBuffer {
    AnRxKind kind;
    unsigned frames;      /* received frames matched */
    uint32_t hdr_size;    /* circular, port: bytes of header before a frame */
    int hdr_len_off;      /* the 16-bit length's offset in the header, -1 */
    int len_adj;          /* header length minus frame length */
    uint32_t buf_base;    /* circular: lowest address written, and the span */
    uint32_t buf_span;
    int wrapped;          /* circular: writes went back to a lower address */
    uint32_t port_reg;    /* port: the data register's index */
} AnRxBuffer;

const char *an_rx_kind_name(AnRxKind k);

typedef enum AnAddrKind {
    AN_ADDR_MAC,       /* a register holds bytes of the station address */
    AN_ADDR_BUFFER,    /* a send's buffer address is written or stored here */
    AN_ADDR_DEVMEM,    /* an address in device memory (a copy buffer) is */
    AN_ADDR_MCAST,     /* a block of registers is the multicast hash table */
} AnAddrKind;

typedef enum AnHash {
    AN_HASH_CRC_BE_TOP6, /* the top 6 bits of the CRC-32 computed MSB first (DP8390, RTL8139) */
    AN_HASH_CRC_LE_TOP6, /* the top 6 bits of the CRC-32 computed LSB first (PCnet LADRF) */
    AN_HASH_CRC_BE_LOW6,
    AN_HASH_CRC_LE_LOW6,
    AN_HASH_ADDR_47_36,  /* 12 address bits (8254x MTA, MO = 00 .. 11) */
    AN_HASH_ADDR_46_35,
    AN_HASH_ADDR_45_34,
    AN_HASH_ADDR_43_32,
    AN_HASH_COUNT
} AnHash;

const char *an_hash_name(AnHash h);

typedef struct AnAddrFit {
    AnAddrKind kind;
    int memory;          /* BUFFER/DEVMEM: 1 a store (site), 0 a register */
    int key;             /* register index (first of the table), or store site */
    int mac_byte;        /* MAC: the first MAC byte the register holds */
    int mac_bytes;       /* MAC: how many */
    int read;            /* MAC: read from the device (1) or written to it (0) */
    AnHash hash;         /* MCAST */
    unsigned table_bits; /* MCAST: bits in the table */
    unsigned nregs;      /* MCAST: registers in the table */
    unsigned support, seen;
} AnAddrFit;

typedef enum AnStepKind {
    AN_STEP_READ,      /* register read */
    AN_STEP_WRITE,     /* register write */
    AN_STEP_STORE,     /* a driver store into device memory */
    AN_STEP_DMA_READ,  /* the device reads host memory */
    AN_STEP_DMA_WRITE, /* the device writes host memory */
} AnStepKind;

#define AN_TEMPLATE_STEPS 64

/* One step of a request template. */
typedef struct AnStep {
    AnStepKind kind;
    int key;             /* register index (read, write) or store site index */
    uint32_t value;      /* the value (the first request's, when it varies) */
    int varies;          /* the value differed between requests */
    int is_address;      /* it was an address in device memory each time */
    char region[32];     /* the allocation it lay in (DMA, addresses) */
    uint32_t size;       /* access or transfer size */
    uint32_t count;      /* back-to-back repeats (the first request's) */
    int count_varies;
} AnStep;

typedef struct AnTemplate {
    char kind[48];       /* "send", "query OID_GEN_XMIT_OK", ... */
    unsigned requests;   /* requests of this kind */
    unsigned matching;   /* of those, with this template's shape */
    unsigned steps;      /* steps in the shape */
    unsigned shown;      /* steps kept (at most AN_TEMPLATE_STEPS) */
    AnStep step[AN_TEMPLATE_STEPS];
} AnTemplate;

#define AN_POLL_BUCKETS 8 /* iterations 1, 2, 3-4, 5-8, 9-16, 17-64, 65-256, more */

/* A loop that reads one register until a condition holds. */
typedef struct AnPoll {
    uint32_t pc;          /* the read's code site */
    uint32_t reg;         /* register index */
    uint32_t mask;        /* bits that differ between the waiting and the final read */
    uint32_t exit_value;  /* those bits' value when the loop ends (most common) */
    uint32_t wait_value;  /* the value read while waiting (most common) */
    unsigned runs;        /* times the site was reached */
    unsigned hist[AN_POLL_BUCKETS];
    unsigned max_iter;
    unsigned timeouts;    /* runs that ended still reading the waiting value */
    unsigned timeout_iter; /* iterations of the longest such run: the driver's bound */
    uint32_t stall_us;    /* the delay the driver asks for between reads, 0 none */
    int code_blocks;      /* the loop in the driver's code around the site, when a */
    int code_exits;       /* caller looked (an_set_poll_code): blocks and branches out; -1 */
} AnPoll;

/* How the driver handles the interrupt (NDIS 5 entry points). */
typedef struct AnIrq {
    unsigned isrs;        /* MiniportISR calls seen */
    int status_reg;       /* the register the ISR reads first (most often), -1 */
    unsigned status_votes;
    AnAccess ack;         /* AN_W1C, AN_RC, or AN_ACCESS_COUNT when unknown */
    unsigned acks;        /* writes that acknowledged bits just read */
    int ack_reg;          /* the register those writes went to, -1 */
    struct {
        int reg;          /* written in an interrupt entry point */
        uint32_t value;
        const char *where; /* "MiniportISR", "MiniportHandleInterrupt", ... */
        unsigned n;
    } writes[16];
    unsigned nwrites;
} AnIrq;

Analysis *an_new(void);
void an_free(Analysis *a);
/* Add one trace file. -1 with a one-line reason (unreadable, malformed). A
 * trace cut short is used as far as it goes (an_warnings counts it). */
int an_add_trace(Analysis *a, const char *path, char *err, size_t errlen);
/* Run the inference over everything added (call once, after the last
 * an_add_trace). -1 on memory exhaustion. */
int an_finish(Analysis *a);

size_t an_nregs(const Analysis *a);
const AnRegInfo *an_reg(const Analysis *a, size_t i);
size_t an_nfits(const Analysis *a);
const AnFitInfo *an_fit(const Analysis *a, size_t i);
unsigned an_warnings(const Analysis *a);
size_t an_ntraces(const Analysis *a);
const char *an_trace_path(const Analysis *a, size_t i);
uint32_t an_sends(const Analysis *a); /* send requests with a len parameter */
size_t an_nrings(const Analysis *a);
const AnRing *an_ring(const Analysis *a, size_t i);
const AnRxBuffer *an_rx(const Analysis *a);
size_t an_npolls(const Analysis *a);
const AnPoll *an_poll(const Analysis *a, size_t i);
const AnIrq *an_irq(const Analysis *a);
/* What a disassembly of the driver says of poll i's loop (src/analyze has
 * no disassembler; the command passes it in): its blocks and the branches
 * that leave it, two or more meaning a way out besides the condition. */
void an_set_poll_code(Analysis *a, size_t i, int blocks, int exits);
/* The driver module the traces mapped first: name, base and the image path
 * the recording gave (MODULE event text); 0, or -1 when none. */
int an_module(const Analysis *a, const char **name, uint32_t *base, const char **path);
size_t an_naddr_fits(const Analysis *a);
const AnAddrFit *an_addr_fit(const Analysis *a, size_t i);
size_t an_ntemplates(const Analysis *a);
const AnTemplate *an_template(const Analysis *a, size_t i);
/* The store site index's code address (for templates' store steps). */
uint32_t an_site_pc(const Analysis *a, int site);
/* A code address as module+0xRVA (the modules the traces mapped). */
const char *an_format_pc(const Analysis *a, uint32_t pc, char *buf, size_t len);

/* Reports. Markdown for people, JSON for tools (docs/formats/analyze.md),
 * Graphviz: the registers and which request kinds write or read them. 0 or
 * -1 (write error). */
int an_report_markdown(const Analysis *a, FILE *out);
int an_report_json(const Analysis *a, FILE *out);
int an_report_dot(const Analysis *a, FILE *out);
/* A driver specification (docs/formats/xsm.md) from the traces: `xdrv
 * extract` (docs/extract.md). 0, or -1 with a reason in err. */
int an_extract(const Analysis *a, FILE *out, char *err, size_t errlen);
/* The ISA model the traces were recorded with (`xdrv extract --device
 * ne2000-isa`): ISA traces carry no PCI ID, and the spec's `device` line
 * then names the model. NULL: none. */
void an_set_isa_model(Analysis *a, const char *model);
const char *an_isa_model(const Analysis *a);

#endif
