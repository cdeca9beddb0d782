/* Memory the driver shares with the device, inferred from where frames go
 * (docs/analyze.md, "Shared memory"): for each send and receive, the
 * device's own memory accesses (DMA) are matched against the frame's bytes
 * and length. A frame the device writes right after a header holding its
 * length is a circular buffer with per-frame headers; a frame whose buffer
 * address the device fetched from a small block is a descriptor ring (the
 * blocks' addresses give base, stride and count, the bytes the device writes
 * back give the length field and the ownership bit); a frame that never
 * crosses host memory but comes through a register is read through a data
 * port from the device's own memory. Private to src/analyze. */
#ifndef XDRV_ANALYZE_RINGS_H
#define XDRV_ANALYZE_RINGS_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"
#include "trace/trace.h"

typedef struct Rings Rings;

Rings *rings_new(void);
void rings_free(Rings *r);
/* Every event of a trace, in order; reg is the register view index of a
 * register access (-1 otherwise). 0 or -1 (no memory). */
int rings_event(Rings *r, const TraceEvent *ev, int reg);
/* A trace ended: forget its live allocations. */
void rings_trace_end(Rings *r);
/* Work out the structures; reg_info(ctx, i) gives register view i (for a
 * ring length held in a register next to the base's). 0 or -1. */
int rings_finish(Rings *r, const AnRegInfo *(*reg_info)(void *, int), void *ctx);

/* The kind of the live allocation addr lies in, or NULL. */
const char *rings_region(const Rings *r, uint32_t addr);

size_t rings_count(const Rings *r);
const AnRing *rings_get(const Rings *r, size_t i);
const AnRxBuffer *rings_rx(const Rings *r);

#endif
