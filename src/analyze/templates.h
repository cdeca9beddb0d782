/* Per request kind, the I/O template: the ordered register accesses,
 * driver stores into device memory and device DMA one request of that kind
 * causes (docs/analyze.md, "Templates"). Requests of a kind are grouped by
 * the shape of their sequence (what is accessed, in which order, runs of
 * one access collapsed with their count); the most common shape is the
 * template, and each of its steps says whether its value stayed the same
 * or varied. Private to src/analyze. */
#ifndef XDRV_ANALYZE_TEMPLATES_H
#define XDRV_ANALYZE_TEMPLATES_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"
#include "trace/trace.h"

typedef struct Templates Templates;

Templates *templates_new(void);
void templates_free(Templates *t);
/* Every event in order; reg: the register view of a register access, site:
 * the store site index of a driver store (-1 otherwise); region: the kind
 * of the allocation an address lies in, or NULL. 0 or -1 (no memory). */
int templates_event(Templates *t, const TraceEvent *ev, int reg, int site, const char *region);
void templates_trace_end(Templates *t);

size_t templates_count(const Templates *t);
const AnTemplate *templates_get(const Templates *t, size_t i);

#endif
