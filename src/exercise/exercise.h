/* The exerciser: plays a workload against a network driver as the OS and
 * the cable would, one request at a time, and brackets everything each
 * request causes with REQUEST_BEGIN/END trace events; the recorder turns
 * the event stream into a trace file, completing each event with virtual
 * time and the guest code that caused it, watching the driver's stores
 * into device-reachable memory, and adding the driver's code coverage per
 * request. Knows the NDIS interface only: nothing depends on the driver. */
#ifndef XDRV_EXERCISE_EXERCISE_H
#define XDRV_EXERCISE_EXERCISE_H

#include <stdint.h>
#include <stdio.h>

#include "exercise/workload.h"
#include "host/net.h"
#include "machine/machine.h"
#include "nt/nt.h"
#include "trace/xtr.h"
#include "vm/vm.h"

/* ---- recording ---- */
typedef struct Recorder Recorder;

/* A sink for trace_add_sink that writes to `w` (and, when pcap is not
 * NULL, the cable's frames to it). The caller registers it with
 * trace_add_sink(recorder_sink, rec). */
Recorder *recorder_new(Vm *vm, XtrWriter *w, NetPcap *pcap);
void recorder_sink(void *opaque, const TraceEvent *ev);
/* The driver image: a MODULE event, and its code coverage collected from
 * now on (BLOCKS events at every request end). Returns 0 or -1. */
int recorder_add_module(Recorder *r, const char *name, const char *path, GuestAddr base,
                        uint32_t size);
/* Emit the BLOCKS event of what ran since the last one (nothing if none). */
void recorder_flush_blocks(Recorder *r);
void recorder_free(Recorder *r);

/* ---- requests ---- */
typedef struct ExerciseStats {
    uint64_t requests, skipped, failed; /* failed: an NDIS status other than success */
    uint64_t sends, send_resources, wire_frames, indicated, transmitted;
    uint64_t unsupported; /* conditions the chip cannot report */
} ExerciseStats;

typedef struct Exerciser Exerciser;

/* `service`: the driver's service key (for initialize); `log`: one line
 * per request when verbose, else only warnings (may be NULL). */
Exerciser *exerciser_new(Machine *m, Nt *nt, Recorder *rec, const char *service, FILE *log,
                         int verbose);
void exerciser_free(Exerciser *x);
/* A bracket for host work that is not a workload step (the driver's load
 * and unload): REQUEST_BEGIN name, then exerciser_end with the outcome. */
void exerciser_begin(Exerciser *x, const char *name, const char *text);
void exerciser_end(Exerciser *x, const char *outcome);
/* Run every step of the workload. Returns 0, or -1 when the run stopped
 * (the driver faulted: vm_stopped), with the request it stopped in
 * bracketed and ended "fault". The adapter is left as the workload left it. */
int exerciser_run(Exerciser *x, const Workload *w);
/* Halt the adapter if it is still up (a "halt" request, "end of workload"). */
int exerciser_finish(Exerciser *x);
void exerciser_stats(const Exerciser *x, ExerciseStats *st);

#endif
