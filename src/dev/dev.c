/* DMA helpers and the deterministic device clock. */
#include "dev/dev.h"

#include <string.h>

#include "trace/trace.h"

/* Every DMA transfer a model makes, with its bytes (the recorder adds the
 * time and the guest code that caused it). */
static void dma_event(TraceKind kind, uint32_t addr, const void *p, uint32_t len)
{
    if (!trace_enabled())
        return;
    TraceEvent ev = {.kind = kind, .addr = addr, .size = len, .data = p, .len = len};
    trace_emit(&ev);
}

int dev_dma_read(const DevDma *d, uint32_t addr, void *buf, uint32_t len)
{
    if (!len)
        return 0;
    const void *p = d->map ? d->map(d->opaque, addr, len) : NULL;
    if (!p)
        return -1;
    memcpy(buf, p, len);
    dma_event(TRACE_DMA_READ, addr, p, len);
    return 0;
}

int dev_dma_write(const DevDma *d, uint32_t addr, const void *buf, uint32_t len)
{
    if (!len)
        return 0;
    void *p = d->map ? d->map(d->opaque, addr, len) : NULL;
    if (!p)
        return -1;
    memcpy(p, buf, len);
    dma_event(TRACE_DMA_WRITE, addr, p, len);
    return 0;
}

void dev_clock_init(DevClock *c)
{
    c->now = 0;
    c->timers = NULL;
}

void dev_timer_init(DevTimer *t, void (*fire)(void *), void *opaque)
{
    t->deadline = UINT64_MAX;
    t->fire = fire;
    t->opaque = opaque;
    t->next = NULL;
}

void dev_timer_cancel(DevClock *c, DevTimer *t)
{
    for (DevTimer **pp = &c->timers; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    t->deadline = UINT64_MAX;
    t->next = NULL;
}

void dev_timer_arm(DevClock *c, DevTimer *t, uint64_t deadline)
{
    dev_timer_cancel(c, t);
    t->deadline = deadline;
    DevTimer **pp = &c->timers;
    while (*pp && (*pp)->deadline <= deadline)
        pp = &(*pp)->next;
    t->next = *pp;
    *pp = t;
}

void dev_clock_advance(DevClock *c, uint64_t now)
{
    if (now < c->now)
        return;
    while (c->timers && c->timers->deadline <= now) {
        DevTimer *t = c->timers;
        c->timers = t->next;
        t->next = NULL;
        if (t->deadline > c->now)
            c->now = t->deadline;
        t->deadline = UINT64_MAX;
        t->fire(t->opaque);
    }
    c->now = now;
}

uint64_t dev_clock_next(const DevClock *c)
{
    return c->timers ? c->timers->deadline : UINT64_MAX;
}
