/* A trace as `xdrv diff` compares it: a stream of tokens, one per event or
 * per collapsed run of a repeated poll, each with its normalized line and a
 * 64-bit hash of it (docs/formats/trace.md, "Normalized lines").
 *
 * Normalized means what differs between two runs of the same behaviour is
 * gone: no sequence number or virtual time; an address inside memory the
 * device can reach (a MEM_REGION allocation: shared memory, send buffers)
 * prints as "KIND+0xOFFSET" into that allocation, in addr, in a 32-bit
 * value and in the hex numbers of API arguments; and a block of 1 to
 * NORM_POLL_MAX events that contains a register read and repeats back to
 * back collapses into one POLL token with its iteration count.
 *
 * The stream is deterministic, so a caller may open a trace twice: once
 * for the hashes (to align), once for the lines of the hunks to print. */
#ifndef XDRV_ANALYZE_NORM_H
#define XDRV_ANALYZE_NORM_H

#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"

#define NORM_POLL_MAX 8 /* events in one iteration of a poll, at most */

typedef struct NormOptions {
    uint64_t request; /* 0: every event; N: only request N (REQUEST_BEGIN..REQUEST_END value=N) */
    /* per TraceKind, 1 = keep; NULL: every kind except BLOCKS */
    const unsigned char *keep;
    /* the device's side only: the code site and nesting depth dropped, so a
     * driver's recording and a replayed spec's compare (diff --device-side) */
    int device_side;
} NormOptions;

typedef struct NormToken {
    uint64_t hash;        /* of the line; a poll's hash leaves its count out */
    uint64_t seq;         /* sequence number of its first event */
    uint32_t count;       /* iterations of a poll; 1 for a single event */
    uint32_t period;      /* events per iteration (1 for a single event) */
    TraceKind kind;       /* kind of its first event */
    uint64_t request;     /* the request it belongs to, 0 outside every request */
    const char *req_kind; /* that request's kind ("send", ...), "" when none */
} NormToken;

typedef struct NormStats {
    uint64_t events; /* events read from the file */
    uint64_t kept;   /* of those, passed the request and kind filters */
    uint64_t tokens; /* tokens returned */
    uint64_t polls;  /* POLL tokens */
    uint64_t polled; /* events inside POLL tokens */
} NormStats;

typedef struct Norm Norm;

/* Open a trace file; NULL with a one-line reason in err. */
Norm *norm_open(const char *path, const NormOptions *opt, char *err, size_t errlen);
/* The next token: 1 = *t filled, 0 = end of the trace, -1 = malformed trace
 * (one-line reason in err). */
int norm_next(Norm *s, NormToken *t, char *err, size_t errlen);
/* Remember where the reading is every `every` events from now on (before
 * the first norm_next), so that norm_token can come back to a token
 * without reading the whole trace again; 0: none. */
void norm_keep_marks(Norm *s, unsigned every);
/* The token an earlier reading of the same trace gave as starting at event
 * seq, with that period and count (NormToken), read again for its line:
 * the events before it are read for their state only, and nothing is
 * hashed or searched for polls (t->hash is 0). 1 = *t filled, 0 = the
 * trace no longer has that token there, -1 = malformed (reason in err).
 * Calls go forward through the trace; the first may go back, to the
 * nearest mark (norm_keep_marks) when the same Norm read the trace
 * before. */
int norm_token(Norm *s, uint64_t seq, uint32_t period, uint32_t count, NormToken *t, char *err,
               size_t errlen);
/* The normalized line of the token norm_next (or norm_token) returned
 * last (no newline), printed only now: reading tokens for their hashes
 * costs no printing. Valid until the next call; NULL when there is none or
 * no memory. */
const char *norm_line(Norm *s);
const NormStats *norm_stats(const Norm *s);
/* The file ended without an END record (the run was cut short). */
int norm_truncated(const Norm *s);
void norm_close(Norm *s);

/* The 64-bit hash tokens are built from, exposed for tests. */
uint64_t norm_hash(const void *p, size_t n, uint64_t seed);

#endif
