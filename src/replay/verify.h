/* Static safety checks of a driver specification (docs/formats/xsm.md,
 * "What xdrv verify checks"): registers inside their windows, bounded
 * loops, every bus address given to the device inside a host buffer (by
 * interval arithmetic over every value an expression can take), every
 * memory access inside its buffer, every state reachable, every request
 * handled or declared unhandled; with the device's datasheet facts, the
 * windows against its BARs and every DMA-address register declared so. */
#ifndef XDRV_REPLAY_VERIFY_H
#define XDRV_REPLAY_VERIFY_H

#include <stdint.h>
#include <stdio.h>

#include "replay/spec.h"

/* What the device model's datasheet tables say (filled by the command,
 * which may know src/dev; this file does not). */
typedef struct SpecTruthReg {
    uint8_t mmio;    /* the window kind */
    uint8_t window;  /* which window of that kind (0: the first BAR of it) */
    uint32_t offset; /* in the window */
    uint8_t indexed; /* reached through an index register written with index */
    uint32_t index;
    uint8_t width;    /* index registers: bytes */
    const char *name; /* as in the datasheet */
} SpecTruthReg;

typedef struct SpecTruth {
    const char *model;
    struct {
        uint8_t mmio;
        uint32_t size;
    } bars[6];
    unsigned nbars;
    const SpecTruthReg *dma_regs; /* the registers that take a DMA address */
    unsigned ndma_regs;
    /* the index registers that select what a data port reaches (a PCnet's
     * RAP, an 8254x's IOADDR): offset and width in their window, index
     * their value after a reset */
    const SpecTruthReg *index_regs;
    unsigned nindex_regs;
} SpecTruth;

/* Check s; one line per problem to out ("NAME:LINE: what"). Returns the
 * number of problems (0: safe to replay). */
unsigned spec_verify(const Spec *s, const char *name, const SpecTruth *truth, FILE *out);

#endif
