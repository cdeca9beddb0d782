/* The structured event path: every guest<->host crossing is one TraceEvent
 * sent to every registered sink (the -v log now, trace files later). Event
 * kinds are declared once, in events.def. */
#ifndef XDRV_TRACE_H
#define XDRV_TRACE_H

#include <stdint.h>
#include <stdio.h>

typedef enum TraceKind {
#define EVENT(k, d) TRACE_##k,
#include "trace/events.def"
#undef EVENT
    TRACE_KIND_COUNT
} TraceKind;

typedef struct TraceEvent {
    TraceKind kind;
    uint64_t vtime;   /* virtual time, ns */
    uint32_t depth;   /* host<->guest nesting depth */
    const char *name; /* API or callback name */
    const char *text; /* decoded arguments, debug text, fault text */
    uint32_t addr;    /* guest address, port, MMIO address */
    uint32_t size;    /* access size in bytes */
    uint64_t value;   /* value read/written, return value */
} TraceEvent;

typedef void (*TraceSink)(void *opaque, const TraceEvent *ev);

const char *trace_kind_name(TraceKind k);
/* Sinks receive events in registration order. Returns 0 or -1 (table full). */
int trace_add_sink(TraceSink fn, void *opaque);
void trace_remove_sink(TraceSink fn, void *opaque);
void trace_clear_sinks(void);
/* Cheap test callers use before formatting expensive text. */
int trace_enabled(void);
void trace_emit(const TraceEvent *ev);
/* Convenience: emit an event carrying printf-formatted text. */
void trace_emitf(TraceKind kind, uint64_t vtime, uint32_t depth, const char *name, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));

/* A sink that prints one line per event to a FILE* (the -v log). */
void trace_sink_log(void *file, const TraceEvent *ev);

#endif
