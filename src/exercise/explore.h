/* The coverage-guided explorer: mutate workloads (request kinds and their
 * parameters, device-side conditions), run each, keep the runs that reach
 * driver code no earlier run reached. Running a workload is the caller's
 * job (ExploreOps.run: xdrv records a trace in a child process); the
 * explorer reads the trace's BLOCKS events and measures them against the
 * static blocks of the driver image (coverage.h). */
#ifndef XDRV_EXERCISE_EXPLORE_H
#define XDRV_EXERCISE_EXPLORE_H

#include <stdint.h>
#include <stdio.h>

#include "exercise/coverage.h"
#include "exercise/workload.h"

#define EXPLORE_ERR_MAX 512

typedef struct ExploreOps {
    /* Record a trace of `w` at `trace_path`. Returns 0 when a trace was
     * written (the driver may have faulted: *faulted = 1), -1 when the run
     * could not happen at all (err says why; exploring stops). */
    int (*run)(void *opaque, const Workload *w, const char *trace_path, int *faulted, char *err,
               size_t errlen);
    void *opaque;
} ExploreOps;

typedef struct ExploreOpts {
    unsigned runs;      /* stop after this many runs */
    double seconds;     /* and after this much wall time (0: no limit) */
    unsigned plateau;   /* and after this many runs in a row with nothing new (0: never) */
    uint64_t seed;      /* mutation randomness */
    const char *dir;    /* kept runs: DIR/NNNN.xtr and DIR/NNNN.workload */
    FILE *progress;     /* one updating line (\r) when a terminal, else a line per kept run */
    int progress_tty;
    unsigned max_steps; /* a mutated workload stays below this (default 600) */
    unsigned sample;    /* also keep every Nth run that reached nothing new (0:
                         * none): more instances of covered paths for extract */
} ExploreOpts;

typedef struct ExploreResult {
    unsigned runs, kept, faulted;
    unsigned sampled; /* of the kept runs, those kept by ExploreOpts.sample */
    size_t blocks, reached;
    double seconds;
    const char *stop_reason; /* "runs", "time", "plateau", "interrupted" */
} ExploreResult;

/* Explore from the seed workloads (at least one). `cov` is the driver
 * image's static map; it accumulates the union of what ran. Returns 0, or
 * -1 with a one-line reason. *stop (if not NULL) ends the loop when set. */
int explore_run(const ExploreOpts *o, const ExploreOps *ops, CovMap *cov, const Workload *seeds,
                size_t nseeds, volatile int *stop, ExploreResult *res, char *err, size_t errlen);

/* What the traces so far say the driver uses, learned from its API calls
 * and answers (nothing here is known in advance about any driver): the
 * OIDs it lists as supported, the kernel exports
 * it calls that can be made to fail (nt_fail_has_rule), and the
 * configuration keywords it reads (NdisReadConfiguration; NetworkAddress
 * when it calls NdisReadNetworkAddress). */
#define EXPLORE_MAX_HINTS 64
typedef struct ExploreHints {
    struct {
        char name[64];
        unsigned calls; /* most calls seen in one run */
    } api[EXPLORE_MAX_HINTS];
    unsigned napi;
    char keyword[EXPLORE_MAX_HINTS][64];
    unsigned nkeyword;
    uint32_t oid[128]; /* what OID_GEN_SUPPORTED_LIST answered */
    unsigned noid;
} ExploreHints;

/* One mutation of `parent` into `child` (exposed for tests): deterministic
 * in *rng. `donor` (may be NULL) is spliced from; `hints` (may be NULL)
 * adds failure injection and configuration values. Returns 0 or -1. */
int explore_mutate(const Workload *parent, const Workload *donor, const ExploreHints *hints,
                   uint64_t *rng, unsigned max_steps, Workload *child);

/* Mark every BLOCKS event of a trace file in cov and learn hints from its
 * API calls (hints may be NULL); returns the newly reached static blocks,
 * or -1 with a one-line reason. */
long explore_mark_trace(CovMap *cov, ExploreHints *hints, const char *path, char *err,
                        size_t errlen);

#endif
