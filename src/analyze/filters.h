/* Values that follow the adapter's addresses rather than a length
 * (docs/analyze.md, "Address fits"): the registers that hold the station
 * address (MAC), the registers or stores given a send's buffer address, and
 * the multicast hash table: the block of registers a multicast request
 * rewrites, matched against the hash functions Ethernet chips use on the
 * list of addresses the OS gave. Private to src/analyze. */
#ifndef XDRV_ANALYZE_FILTERS_H
#define XDRV_ANALYZE_FILTERS_H

#include <stddef.h>
#include <stdint.h>

#include "analyze/analyze.h"
#include "trace/trace.h"

typedef struct Filters Filters;
typedef const AnRegInfo *(*AnRegInfoFn)(void *ctx, int i);

Filters *filters_new(AnRegInfoFn reg_info, void *ctx);
void filters_free(Filters *f);
/* Every event in order; reg: register view index or -1; site: store site
 * or -1; region: the allocation a value or address lies in, or NULL. */
int filters_event(Filters *f, const TraceEvent *ev, int reg, int site, const char *region);
void filters_trace_end(Filters *f);
/* The station address (from the init request's outcome, "mac=..."), or 0
 * when no trace gave one. */
int filters_mac(const Filters *f, uint8_t mac[6]);

size_t filters_count(const Filters *f);
const AnAddrFit *filters_get(const Filters *f, size_t i);

#endif
