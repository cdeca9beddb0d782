/* The replay host (xdrv replay; host side, not the freestanding core): a
 * verified driver specification run by the interpreter against a network
 * controller model, with no driver code at all. It owns the model, the
 * memory the model may reach by DMA (the spec's buffers, and nothing
 * else), the model's clock (following the wall clock), and the serving
 * loop between the host network backends and the interpreter: frames from
 * the netdev become send requests, frames from the cable reach the model,
 * a raised interrupt line becomes interrupt requests, and every second a
 * timer request (unless the spec declares timer unhandled). The first
 * request the spec does not serve stops the loop with its reason: the
 * caller decides what happens to the device (docs/replay.md). */
#ifndef XDRV_REPLAY_HOST_H
#define XDRV_REPLAY_HOST_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "host/net.h"
#include "replay/interp.h"
#include "replay/spec.h"

#define REPLAY_DMA_BUS 0x00100000u /* the bus address of the DMA region */

typedef struct ReplayHost ReplayHost;

/* replay_host_new's failures. */
enum {
    REPLAY_HOST_E_DEVICE = -1, /* the --device spec (err says why) */
    REPLAY_HOST_E_SPEC = -2,   /* the spec does not fit this device or host (err) */
    REPLAY_HOST_E_HOST = -3,   /* out of memory */
};

/* A host for spec (verified, borrowed) driving a model made from a
 * --device spec ("rtl8139,mac=..."). log: where -v and the hand-over line
 * go. 0 with *out, or an REPLAY_HOST_E_* with a one-line reason in err. */
int replay_host_new(ReplayHost **out, const Spec *spec, const char *device, FILE *log, int verbose,
                    char *err, size_t errlen);
/* Frees the model (the device is gone with it) and the memory; the
 * backends stay the caller's. NULL is ignored. */
void replay_host_free(ReplayHost *h);

/* A driver in the interpreter's place: one `xdrv synth` wrote from the
 * same specification (docs/synth.md), its functions taking what
 * replay_init and replay_request take. */
typedef struct ReplayDriver {
    void *d; /* its driver struct */
    ReplayResult (*init)(void *d, const ReplayOps *ops);
    ReplayResult (*request)(void *d, SpecRequest req, const uint64_t *params,
                            const uint8_t *frame, uint32_t frame_len);
    uint32_t (*state)(const void *d);
    const char *(*reason)(const void *d);
    uint32_t (*reason_line)(const void *d);
} ReplayDriver;

/* Serve with drv (borrowed) instead of the interpreter, from the next
 * request on (call it before replay_host_start). 0, or -1 when its init
 * refuses the host's ops (REPLAY_BAD_SPEC). */
int replay_host_use_driver(ReplayHost *h, const ReplayDriver *drv);

/* The model's station address (the --device mac= or its default). */
void replay_host_mac(const ReplayHost *h, uint8_t mac[6]);

/* Connect the backends (either may be NULL): the netdev (the OS side)
 * takes the model's MAC, its carrier follows the spec's linkstate reports;
 * the model's cable goes to the wire. */
void replay_host_attach(ReplayHost *h, NetBackend *netdev, NetBackend *wire);

/* Why the spec stopped serving. */
#define REPLAY_RX_KEEP 16 /* cable frames kept until the spec delivers them */

typedef struct ReplayStop {
    SpecRequest req;
    ReplayResult res;
    char state[SPEC_NAME_MAX]; /* the state the request found */
    char reason[160];
    uint32_t line; /* the spec line that gave up; 0: no transition served it */
    /* a send the spec did not serve: the frame, for whoever takes over */
    uint8_t frame[NET_FRAME_MAX_VLAN];
    size_t frame_len;
    /* frames that came from the cable and the spec has not handed to the
     * OS (the one whose interrupt it gave up on, those behind it): nrx of
     * them in a ring, the oldest at rx[rx_head]; whoever takes over
     * receives them again (replay_stop_rx) */
    uint8_t rx[REPLAY_RX_KEEP][NET_FRAME_MAX_VLAN];
    size_t rx_len[REPLAY_RX_KEEP];
    unsigned rx_head, nrx;
} ReplayStop;

/* The init request, then the first link report (the spec's timer, when it
 * has one; without one the link is taken to be up). 0, or 1 when the spec
 * did not serve it (replay_host_stopped says why). */
int replay_host_start(ReplayHost *h);
/* Serve until *stop: 0. 1 when a request was not served (why:
 * replay_host_stopped; the model is then left as it is), -1 when a
 * backend failed (message on stderr). link_req (may be NULL) is polled:
 * 1 plug the model's cable, 0 pull it, -1 nothing; reset to -1. */
int replay_host_serve(ReplayHost *h, volatile sig_atomic_t *stop, volatile sig_atomic_t *link_req);
/* The halt request: 0, or 1 when the spec did not serve it. */
int replay_host_halt(ReplayHost *h);
const ReplayStop *replay_host_stopped(const ReplayHost *h);
/* The i-th oldest of the stop's nrx kept cable frames (i < nrx). */
const uint8_t *replay_stop_rx(const ReplayStop *s, unsigned i, size_t *len);
/* The one line that logs a hand-over: "send in state running: REASON
 * (spec line N)" (no line part for a request no transition serves). */
void replay_host_stop_text(const ReplayHost *h, char *buf, size_t len);

typedef struct ReplayHostStats {
    uint64_t sends;             /* send requests served (frames from the netdev) */
    uint64_t refused;           /* frames from the netdev the spec did not send */
    uint64_t receives;          /* frames the spec handed to the OS (to the netdev) */
    uint64_t interrupts;        /* interrupt requests served */
    uint64_t timers;            /* timer requests served */
    uint64_t wire_out, wire_in; /* frames on the model's cable */
    uint64_t fallbacks;         /* requests the spec did not serve (each stops the loop) */
} ReplayHostStats;
ReplayHostStats *replay_host_stats(ReplayHost *h);

/* Play a workload (docs/formats/workload.md) on virtual time instead of
 * serving backends, each step between REQUEST_BEGIN/END trace events as
 * the exerciser marks them, so that `xdrv replay --workload W --trace T`
 * records what `xdrv trace record --workload W` records of the driver and
 * `xdrv diff` can compare the two. Steps no spec request stands for
 * (queries, injected conditions, ...) are marked and skipped. 0, or 1 when
 * the spec did not serve a step (replay_host_stopped says why). */
struct Workload;
typedef struct PlayStats {
    unsigned played, skipped;
    int regions_traced;
} PlayStats;
int replay_host_play(ReplayHost *h, const struct Workload *w, PlayStats *ps);

#endif
