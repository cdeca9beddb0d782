/* The structured event path: every guest<->host and driver<->hardware
 * crossing is one TraceEvent sent to every registered sink (the -v log,
 * trace files). Event kinds are declared once, in events.def.
 *
 * Emitters fill what they know; a recording sink may complete vtime and pc
 * (src/exercise does: it knows the guest CPU). Strings and data are only
 * borrowed for the duration of trace_emit. */
#ifndef XDRV_TRACE_H
#define XDRV_TRACE_H

#include <stddef.h>
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
    uint64_t seq;        /* position in the recording (from 0), set by the writer/reader */
    uint64_t vtime;      /* virtual time, ns */
    uint32_t depth;      /* host<->guest nesting depth */
    uint32_t pc;         /* guest code that caused it (0: none on the stack) */
    const char *name;    /* API, entry point, device, request kind, module */
    const char *text;    /* decoded arguments, debug text, parameters */
    const char *reg;     /* datasheet register name, or NULL */
    uint32_t addr;       /* guest address, port, MMIO address, config offset */
    uint32_t size;       /* access size, length */
    uint64_t value;      /* value read/written, return value, request number */
    const uint8_t *data; /* bytes (DMA, frames, coverage pairs) */
    uint32_t len;        /* bytes at data */
} TraceEvent;

typedef void (*TraceSink)(void *opaque, const TraceEvent *ev);

const char *trace_kind_name(TraceKind k);
/* TRACE_KIND_COUNT when the name is not a kind. */
TraceKind trace_kind_from_name(const char *name);
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
