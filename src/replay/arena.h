/* Host memory for a specification's buffers (replay's host side, not the
 * freestanding core): every buffer copy and ring of the spec placed, at its
 * alignment, in one region the device can reach, with the bus addresses
 * the device sees. The ReplayOps buf_addr/buf_ptr of a host come from
 * here. */
#ifndef XDRV_REPLAY_ARENA_H
#define XDRV_REPLAY_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "replay/spec.h"

#define ARENA_MAX_BUFFERS 64

typedef struct ReplayArena {
    uint8_t *mem;       /* the region, as the host sees it */
    uint32_t bus;       /* its bus address */
    uint32_t size, used;
    const Spec *spec;
    uint32_t offset[ARENA_MAX_BUFFERS]; /* each buffer's first copy, from mem */
} ReplayArena;

/* Place every buffer of spec in [mem, mem + size) at bus address bus.
 * -1 with a one-line reason when they do not fit (or bus + size passes 4
 * GiB: descriptors hold 32-bit addresses). The memory is zeroed. */
int replay_arena_init(ReplayArena *a, const Spec *spec, uint8_t *mem, uint32_t bus, uint32_t size,
                      char *err, size_t errlen);
/* ReplayOps callbacks (opaque: the ReplayArena). */
uint64_t replay_arena_addr(void *opaque, uint32_t buffer, uint32_t index);
uint8_t *replay_arena_ptr(void *opaque, uint32_t buffer, uint32_t index);

#endif
