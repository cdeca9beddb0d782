/* The interpreter core: runs a verified driver specification's transitions
 * against a device through a small ops interface. Freestanding C11: no C
 * library, no allocation (the caller gives the state), so that it could be
 * built into an OS kernel; tests/guest/test_replay_freestanding.sh compiles
 * it with -ffreestanding -nostdlib and links it against nothing but its
 * ops. Only specs that spec_verify accepted may be run: the interpreter
 * re-checks nothing it did not need to stay memory safe itself. */
#ifndef XDRV_REPLAY_INTERP_H
#define XDRV_REPLAY_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "replay/spec.h"

/* What the interpreter needs from its host. */
typedef struct ReplayOps {
    void *opaque;
    /* register access: window (the spec's window index), byte offset, width */
    uint32_t (*reg_read)(void *opaque, uint32_t window, uint32_t offset, unsigned width);
    void (*reg_write)(void *opaque, uint32_t window, uint32_t offset, unsigned width,
                      uint32_t value);
    /* a buffer copy or ring (the spec's buffer index, copy or descriptor
     * index): its bus address, and where the host can read and write it
     * (size bytes from there; NULL when the host did not allocate it) */
    uint64_t (*buf_addr)(void *opaque, uint32_t buffer, uint32_t index);
    uint8_t *(*buf_ptr)(void *opaque, uint32_t buffer, uint32_t index);
    void (*stall)(void *opaque, uint32_t us);
    /* a received frame for the OS; a send completed; the link state */
    void (*deliver)(void *opaque, const uint8_t *frame, uint32_t len);
    void (*complete)(void *opaque);
    void (*link)(void *opaque, int up);
} ReplayOps;

#define REPLAY_MAX_VARS 256
#define REPLAY_MAX_REGS 512

typedef enum ReplayResult {
    REPLAY_OK,          /* the request was served */
    REPLAY_UNHANDLED,   /* no transition for it in the current state: fall back */
    REPLAY_FALLBACK,    /* the spec said so, or a poll gave up with `else fallback` */
    REPLAY_FAILED,      /* a poll gave up with `else fail` */
    REPLAY_BAD_SPEC     /* the spec is larger than this interpreter's limits */
} ReplayResult;

typedef struct Replay {
    const Spec *spec;
    ReplayOps ops;
    uint32_t state;
    uint64_t vars[REPLAY_MAX_VARS];
    uint32_t shadow[REPLAY_MAX_REGS]; /* last value written per register (for banks) */
    uint64_t params[SPEC_PARAM_COUNT_];
    const uint8_t *frame; /* the send's frame */
    uint32_t frame_len;
    const char *reason;   /* why the last request fell back or failed */
    uint32_t reason_line;
    unsigned breaking;    /* a `break` is unwinding to its repeat */
} Replay;

/* Set up: state = the first, variables = their initial values. */
ReplayResult replay_init(Replay *r, const Spec *spec, const ReplayOps *ops);
/* Serve one request. params: indexed by SpecParam (may be NULL); frame: a
 * send's bytes. */
/* A binary operator (SpecExpr.op) on unsigned 64-bit values, as the
 * interpreter computes it: division and remainder by zero give 0, a shift
 * by 64 or more gives 0, comparisons and && || give 0 or 1. */
uint64_t replay_eval_binary(uint8_t op, uint64_t a, uint64_t b);
ReplayResult replay_request(Replay *r, SpecRequest req, const uint64_t *params,
                            const uint8_t *frame, uint32_t frame_len);

#endif
