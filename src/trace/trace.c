/* Dispatch of structured events to sinks, and the human-readable log sink. */
#include "trace/trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TRACE_MAX_SINKS 8

static struct {
    TraceSink fn;
    void *opaque;
} sinks[TRACE_MAX_SINKS];
static int nsinks;

static const char *const kind_names[] = {
#define EVENT(k, d) #k,
#include "trace/events.def"
#undef EVENT
};

const char *trace_kind_name(TraceKind k)
{
    return (unsigned)k < TRACE_KIND_COUNT ? kind_names[k] : "?";
}

TraceKind trace_kind_from_name(const char *name)
{
    for (unsigned k = 0; k < TRACE_KIND_COUNT; k++)
        if (!strcmp(name, kind_names[k]))
            return (TraceKind)k;
    return TRACE_KIND_COUNT;
}

int trace_add_sink(TraceSink fn, void *opaque)
{
    if (nsinks == TRACE_MAX_SINKS)
        return -1;
    sinks[nsinks].fn = fn;
    sinks[nsinks].opaque = opaque;
    nsinks++;
    return 0;
}

void trace_remove_sink(TraceSink fn, void *opaque)
{
    for (int i = 0; i < nsinks; i++) {
        if (sinks[i].fn == fn && sinks[i].opaque == opaque) {
            memmove(&sinks[i], &sinks[i + 1], (size_t)(nsinks - i - 1) * sizeof sinks[0]);
            nsinks--;
            return;
        }
    }
}

void trace_clear_sinks(void)
{
    nsinks = 0;
}

int trace_enabled(void)
{
    return nsinks > 0;
}

void trace_emit(const TraceEvent *ev)
{
    for (int i = 0; i < nsinks; i++)
        sinks[i].fn(sinks[i].opaque, ev);
}

void trace_emitf(TraceKind kind, uint64_t vtime, uint32_t depth, const char *name, const char *fmt,
                 ...)
{
    if (!nsinks)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    TraceEvent ev = {.kind = kind, .vtime = vtime, .depth = depth, .name = name, .text = buf};
    trace_emit(&ev);
}

void trace_sink_log(void *file, const TraceEvent *ev)
{
    FILE *f = file;
    unsigned ind = ev->depth > 20 ? 20 : ev->depth;
    fprintf(f, "[%10.6f] %*s", (double)ev->vtime / 1e9, (int)(ind * 2), "");
    switch (ev->kind) {
    case TRACE_API_CALL:
        fprintf(f, "-> %s(%s)\n", ev->name, ev->text ? ev->text : "");
        break;
    case TRACE_API_RETURN:
        fprintf(f, "<- %s = 0x%llx\n", ev->name, (unsigned long long)ev->value);
        break;
    case TRACE_GUEST_CALL:
        fprintf(f, "=> driver %s @0x%08x(%s)\n", ev->name, ev->addr, ev->text ? ev->text : "");
        break;
    case TRACE_GUEST_RETURN:
        fprintf(f, "<= driver %s = 0x%llx\n", ev->name, (unsigned long long)ev->value);
        break;
    case TRACE_PORT_READ:
    case TRACE_PORT_WRITE:
    case TRACE_MMIO_READ:
    case TRACE_MMIO_WRITE:
        fprintf(f, "%s 0x%x/%u %s 0x%llx\n", trace_kind_name(ev->kind), ev->addr, ev->size,
                (ev->kind == TRACE_PORT_READ || ev->kind == TRACE_MMIO_READ) ? "->" : "<-",
                (unsigned long long)ev->value);
        break;
    case TRACE_FRAME_IN:
    case TRACE_FRAME_OUT:
        fprintf(f, "%s %s %u bytes\n", ev->kind == TRACE_FRAME_IN ? "FRAME from" : "FRAME to",
                ev->name ? ev->name : "?", ev->size);
        break;
    case TRACE_INTERRUPT:
        fprintf(f, "INTERRUPT %llu\n", (unsigned long long)ev->value);
        break;
    case TRACE_CONFIG_READ:
    case TRACE_CONFIG_WRITE:
        fprintf(f, "%s %s 0x%x/%u %s 0x%llx%s%s\n", trace_kind_name(ev->kind),
                ev->name ? ev->name : "?", ev->addr, ev->size,
                ev->kind == TRACE_CONFIG_READ ? "->" : "<-", (unsigned long long)ev->value,
                ev->reg ? " " : "", ev->reg ? ev->reg : "");
        break;
    case TRACE_DMA_READ:
    case TRACE_DMA_WRITE:
        fprintf(f, "%s 0x%08x %u bytes\n", trace_kind_name(ev->kind), ev->addr, ev->size);
        break;
    case TRACE_MEM_STORE:
        if (ev->data && ev->len)
            fprintf(f, "MEM_STORE 0x%08x %u bytes\n", ev->addr, ev->len);
        else
            fprintf(f, "MEM_STORE 0x%08x/%u <- 0x%llx\n", ev->addr, ev->size,
                    (unsigned long long)ev->value);
        break;
    case TRACE_MEM_LOAD:
        fprintf(f, "MEM_LOAD 0x%08x/%u -> 0x%llx\n", ev->addr, ev->size,
                (unsigned long long)ev->value);
        break;
    case TRACE_MEM_REGION:
        fprintf(f, "MEM_REGION %s 0x%08x+0x%x %s\n", ev->name ? ev->name : "?", ev->addr, ev->size,
                ev->value ? "appears" : "goes");
        break;
    case TRACE_IRQ_RAISE:
    case TRACE_IRQ_LOWER:
        fprintf(f, "%s line %llu\n", trace_kind_name(ev->kind), (unsigned long long)ev->value);
        break;
    case TRACE_REQUEST_BEGIN:
    case TRACE_REQUEST_END:
        fprintf(f, "%s #%llu %s: %s\n", trace_kind_name(ev->kind), (unsigned long long)ev->value,
                ev->name ? ev->name : "?", ev->text ? ev->text : "");
        break;
    case TRACE_MODULE:
        fprintf(f, "MODULE %s at 0x%08x, 0x%x bytes\n", ev->name ? ev->name : "?", ev->addr,
                ev->size);
        break;
    case TRACE_BLOCKS:
        fprintf(f, "BLOCKS %s: %u blocks\n", ev->name ? ev->name : "?", ev->len / 8);
        break;
    default: {
        const char *t = ev->text ? ev->text : "";
        int n = (int)strlen(t);
        while (n > 0 && t[n - 1] == '\n') /* one event, one line */
            n--;
        fprintf(f, "%s %s%s%.*s\n", trace_kind_name(ev->kind), ev->name ? ev->name : "",
                ev->name ? ": " : "", n, t);
        break;
    }
    }
}
