/* Workloads: what the exerciser asks of a network driver, one request per
 * line (docs/formats/workload.md). A workload file is parsed into lines
 * that may carry ranges (`send len=60..1514 step=97`); expanding it gives
 * the concrete steps the exerciser runs, one request each, and every step
 * formats back into a line that parses to itself (the explorer writes the
 * workloads it keeps that way). Pure C: no vm, no device models. */
#ifndef XDRV_EXERCISE_WORKLOAD_H
#define XDRV_EXERCISE_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#define WL_ERR_MAX 256
#define WL_MAX_STEPS 100000u /* an expanded workload larger than this is refused */
#define WL_MAX_MACS 32u
#define WL_MAX_SET 64u /* bytes of a `set OID VALUE` value */
#define WL_SEND_BURST_MAX 64u /* send burst=: packets in one MiniportSendPackets */
#define WL_FRAGS_MAX 32u      /* send frags=: buffers in one packet */
#define WL_FRAME_MAX 1518u    /* receive len=: up to an 802.1Q-tagged frame (IEEE 802.3ac) */

typedef enum WlKind {
    WL_INIT,      /* init: MiniportInitialize (and the bind-time OIDs) */
    WL_SEND,      /* send len= payload= dest=: the OS sends one frame */
    WL_RECEIVE,   /* receive len= payload= dest= burst=: frames arrive from the wire */
    WL_FILTER,    /* filter FLAG...: OID_GEN_CURRENT_PACKET_FILTER */
    WL_MULTICAST, /* multicast add|remove|clear MAC...: OID_802_3_MULTICAST_LIST */
    WL_QUERY,     /* query OID [len=N] */
    WL_SET,       /* set OID VALUE */
    WL_LINK,      /* link up|down */
    WL_RESET,     /* reset: MiniportReset */
    WL_HALT,      /* halt: MiniportHalt */
    WL_REINIT,    /* reinit: halt (if running), then initialize again */
    WL_INJECT,    /* inject CONDITION: a device-side condition through the model */
    WL_WAIT,      /* wait ms=N: let virtual time pass (timers, CheckForHang) */
    WL_FAIL,      /* fail EXPORT [nth=N]: the Nth next call of a kernel export fails as documented */
    WL_PARAM,     /* param NAME VALUE: a driver parameter (Services\<svc>\Parameters) for the next init */
    WL_SHUTDOWN,  /* shutdown: the system shuts down (MiniportShutdown / the shutdown handler) */
    WL_PNP,       /* pnp surprise-removal | power-ac | power-battery: MiniportPnPEventNotify */
    WL_KIND_COUNT
} WlKind;

typedef enum WlPayload { WL_PAYLOAD_RANDOM, WL_PAYLOAD_ZERO, WL_PAYLOAD_COUNTER } WlPayload;

/* Whom a sent or received frame is addressed to. */
typedef enum WlDest {
    WL_DEST_SELF,      /* the adapter's own address (receive) / a unicast peer (send) */
    WL_DEST_BROADCAST, /* ff:ff:ff:ff:ff:ff */
    WL_DEST_MULTICAST, /* the first address of the multicast list, or 01:00:5e:00:00:01 */
    WL_DEST_OTHER,     /* another station's unicast address */
    WL_DEST_GROUP,     /* a multicast group the workload never added (01:00:5e:6b:c0:11) */
} WlDest;

typedef enum WlCondition {
    WL_COND_RX_OVERFLOW,     /* the receive buffer/ring overflows (frames lost, status set) */
    WL_COND_TX_ERROR,        /* the next transmit fails (abort / collisions, per the chip) */
    WL_COND_TX_UNDERRUN,     /* the next transmit underruns its FIFO */
    WL_COND_RX_BURST,        /* more frames than the receive ring holds, back to back (count=) */
    WL_COND_SPURIOUS_IRQ,    /* the line is raised with no cause in any status register */
    WL_COND_LINK_LOSS_SEND,  /* the cable is pulled while a send is in flight, then restored */
    WL_COND_RX_CRC_ERROR,    /* the next frame from the cable arrives with a bad FCS */
    WL_COND_RESET_HANG,      /* the chip's next software reset never completes */
    WL_COND_COUNT
} WlCondition;

/* Packet filter flags (NDIS_PACKET_TYPE_*). */
#define WL_FILTER_DIRECTED 0x01u
#define WL_FILTER_MULTICAST 0x02u
#define WL_FILTER_ALL_MULTICAST 0x04u
#define WL_FILTER_BROADCAST 0x08u
#define WL_FILTER_PROMISCUOUS 0x20u

typedef enum WlPnp {
    WL_PNP_SURPRISE_REMOVAL, /* NdisDevicePnPEventSurpriseRemoved: the card is gone */
    WL_PNP_POWER_AC,         /* NdisDevicePnPEventPowerProfileChanged, NdisPowerProfileAcOnLine */
    WL_PNP_POWER_BATTERY,    /* ... NdisPowerProfileBattery */
    WL_PNP_COUNT
} WlPnp;

typedef enum WlMcastOp { WL_MCAST_ADD, WL_MCAST_REMOVE, WL_MCAST_CLEAR } WlMcastOp;

/* One concrete request. */
typedef struct WlStep {
    WlKind kind;
    unsigned line;      /* source line (0 for generated steps) */
    uint32_t len;       /* send: frame length 14..1514, receive 14..1518 (without FCS) */
    WlPayload payload;  /* send/receive */
    WlDest dest;        /* send/receive */
    uint32_t count;     /* receive: burst=; inject rx-burst/rx-overflow: frames; fail: nth= */
    uint32_t filter;    /* filter: WL_FILTER_* bits */
    WlMcastOp mcast_op; /* multicast */
    uint8_t macs[WL_MAX_MACS][6];
    uint32_t nmacs;
    uint32_t oid;       /* query/set */
    uint8_t value[WL_MAX_SET]; /* set: the value's bytes (little-endian for numbers) */
    uint32_t value_len;
    int up;             /* link */
    WlCondition cond;   /* inject */
    uint32_t ms;        /* wait */
    char api[64];       /* fail: the export's name; count = nth (default 1) */
    char pname[64];     /* param: the value's name */
    char pvalue[128];   /* param: REG_SZ text, or dword:N for a REG_DWORD */
    uint32_t buflen;    /* query: InformationBufferLength, 0..1024 (default 1024) */
    uint32_t frags;     /* send: NDIS_BUFFERs the frame is split into, 1..32 (default 1) */
    uint8_t in_page;    /* send: place=in-page, the frame within one 4 KB page (default any) */
    uint32_t arrive;    /* send: arrive=N, a frame of N bytes from the cable just before (0 none) */
    WlPnp pnp;          /* pnp */
} WlStep;

typedef struct Workload {
    WlStep *steps; /* expanded, in order */
    size_t nsteps;
    uint64_t seed; /* `seed N` line; default 1: payload=random draws from it */
    char name[64]; /* file name or built-in suite name */
} Workload;

/* Parse workload text (NUL-terminated or `len` bytes). Returns 0, or -1
 * with a one-line reason naming the line ("line 3: send: len=70000: ...").
 * The result is expanded: ranges become one step per value. */
int workload_parse(const char *text, size_t len, const char *name, Workload *w, char *err,
                   size_t errlen);
/* Read and parse a file, or a built-in suite when `spec` is the name of
 * one ("standard", "sweep"). */
int workload_load(const char *spec, Workload *w, char *err, size_t errlen);
/* The built-in suites: names and their text. NULL past the end. */
const char *workload_builtin_name(unsigned i);
const char *workload_builtin_text(const char *name);
void workload_free(Workload *w);

/* One step as a workload line (no newline) that parses back to the same
 * step. Returns the length, or -1 if buf is too small. */
int workload_format_step(const WlStep *s, char *buf, size_t len);
/* The whole workload as text (a `seed` line, then one line per step);
 * malloc'ed, NULL on memory exhaustion. */
char *workload_format(const Workload *w);
/* Append a step (copies it). Returns 0 or -1. -1 also when the step is
 * invalid (workload_check_step) or the workload already holds WL_MAX_STEPS;
 * only the fields of the step's kind are kept (the others are zeroed), so
 * the copy formats and parses back to itself. `w` must be zeroed or come
 * from workload_parse/load/append: the array's capacity follows from
 * nsteps (lowering nsteps to drop steps is fine). */
int workload_append(Workload *w, const WlStep *s);
/* 0 if the step is one the parser could have produced (lengths, counts,
 * flags, addresses in range), else -1 with a one-line reason. Fields that
 * do not belong to the step's kind are not looked at. */
int workload_check_step(const WlStep *s, char *err, size_t errlen);

const char *workload_kind_name(WlKind k);
const char *workload_condition_name(WlCondition c);
/* The ntddndis.h name of an OID the parser knows ("OID_GEN_LINK_SPEED"),
 * else its number as "0x%08x" in a per-thread ring of buffers (valid for
 * the next 3 calls on the same thread). Parses back to the same OID. */
const char *workload_oid_name(uint32_t oid);

/* The frame a send/receive step carries, deterministic in (seed, step index,
 * the step): destination from `dest` (`self` is the adapter's MAC `own`,
 * the peer is 02:00:00:00:00:01), source for a send = `own`, for a receive
 * = the peer; EtherType 0x88B5 (IEEE local experimental); payload filled
 * per `payload`. `frame` must hold s->len bytes. */
void workload_frame(const Workload *w, size_t index, const WlStep *s, const uint8_t own[6],
                    uint8_t *frame);

/* The frame a send's arrive=N brings from the cable just before it: a
 * receive of N bytes to the adapter's own address, otherwise the send's
 * step (so workload_frame builds it from the same seed and payload). */
WlStep workload_arrival(const WlStep *send);

/* The text a recording marks step `index`'s REQUEST_BEGIN with (the
 * exerciser's and xdrv replay --workload's alike, so their recordings
 * align): the step as its workload line, and for a frame its fingerprint
 * " hash=%016x" (FNV-1a of the whole frame, built with `own` as
 * workload_frame does). `frame` (s->len bytes, may be NULL) receives it. */
void workload_step_marker(const Workload *w, size_t index, const uint8_t own[6], char *buf,
                          size_t len, uint8_t *frame);
/* Frame i of a burst: the step's frame with its last two payload bytes
 * XORed with i (docs/formats/workload.md), so no two frames of a burst are
 * alike. frame may be base itself. */
void workload_burst_frame(uint8_t *frame, const uint8_t *base, uint32_t len, uint32_t i);

#endif
