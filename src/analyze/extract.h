/* `xdrv extract`: a driver specification (.xsm, docs/formats/xsm.md) from
 * traces of the driver (issue 11; how it generalises: docs/extract.md).
 * The collector sees every event of analyze's second pass with the
 * register view it reached; an_extract (analyze.h) writes the spec from
 * what it kept and from the analysis (registers, polls, receive buffers).
 * Private to src/analyze. */
#ifndef XDRV_ANALYZE_EXTRACT_H
#define XDRV_ANALYZE_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "trace/trace.h"

typedef struct Extract Extract;

Extract *extract_new(void);
void extract_free(Extract *x);
/* Every event of trace number `trace`, in order; reg: the register view of
 * a register access (-1 otherwise). 0 or -1 (no memory). */
int extract_event(Extract *x, const TraceEvent *ev, int reg, unsigned trace);
void extract_trace_end(Extract *x);

#endif
