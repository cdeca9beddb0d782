/* Buffer placement (see arena.h). */
#include "replay/arena.h"

#include <stdio.h>
#include <string.h>

static uint32_t element_size(const SpecBuffer *b)
{
    return b->size;
}

static uint32_t elements(const SpecBuffer *b)
{
    return b->count ? b->count : 1;
}

/* From one copy to the next: a ring's descriptors lie back to back (only
 * its base is aligned); a buffer's copies each start aligned. */
static uint64_t element_stride(const SpecBuffer *b)
{
    uint32_t align = b->align ? b->align : 4;
    if (b->ring)
        return element_size(b);
    return ((uint64_t)element_size(b) + align - 1) & ~(uint64_t)(align - 1);
}

int replay_arena_init(ReplayArena *a, const Spec *spec, uint8_t *mem, uint32_t bus, uint32_t size,
                      char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    a->mem = mem;
    a->bus = bus;
    a->size = size;
    a->spec = spec;
    if ((uint64_t)bus + size > (UINT64_C(1) << 32)) {
        snprintf(err, errlen, "the DMA region must lie below 4 GiB");
        return -1;
    }
    if (spec->nbuffers > ARENA_MAX_BUFFERS) {
        snprintf(err, errlen, "%u buffers: at most %u", spec->nbuffers, ARENA_MAX_BUFFERS);
        return -1;
    }
    memset(mem, 0, size);
    uint64_t at = 0;
    for (uint32_t i = 0; i < spec->nbuffers; i++) {
        const SpecBuffer *b = &spec->buffers[i];
        if (b->inside) { /* no memory of its own: inside its parent, declared before it */
            if (b->inside - 1 >= i) {
                snprintf(err, errlen, "buffer %s lies inside a buffer declared after it", b->name);
                return -1;
            }
            a->offset[i] = a->offset[b->inside - 1] + b->in_off;
            continue;
        }
        uint32_t align = b->align ? b->align : 4;
        /* aligned in bus addresses: the device sees those */
        uint64_t busat = ((uint64_t)bus + at + align - 1) & ~(uint64_t)(align - 1);
        at = busat - bus;
        uint64_t need = element_stride(b) * elements(b);
        if (at + need > size) {
            snprintf(err, errlen, "buffer %s (%llu bytes) does not fit the %u-byte DMA region",
                     b->name, (unsigned long long)need, size);
            return -1;
        }
        a->offset[i] = (uint32_t)at;
        at += need;
    }
    a->used = (uint32_t)at;
    return 0;
}

static uint64_t element_offset(const ReplayArena *a, uint32_t buffer, uint32_t index)
{
    return a->offset[buffer] + element_stride(&a->spec->buffers[buffer]) * index;
}

uint64_t replay_arena_addr(void *opaque, uint32_t buffer, uint32_t index)
{
    const ReplayArena *a = opaque;
    if (buffer >= a->spec->nbuffers || index >= elements(&a->spec->buffers[buffer]))
        return 0;
    return a->bus + element_offset(a, buffer, index);
}

uint8_t *replay_arena_ptr(void *opaque, uint32_t buffer, uint32_t index)
{
    ReplayArena *a = opaque;
    if (buffer >= a->spec->nbuffers || index >= elements(&a->spec->buffers[buffer]))
        return NULL;
    return a->mem + element_offset(a, buffer, index);
}
