/* Polling loops and the interrupt protocol, from the order of register
 * accesses (docs/analyze.md, "Polls" and "Interrupts"): a run of reads of
 * one register from one code site, with nothing but non-register events
 * between them, is a loop waiting on the device; the register the
 * interrupt handler reads first is the status register, and what the
 * interrupt entry points write is how causes are acknowledged and the
 * interrupt masked. Private to src/analyze. */
#ifndef XDRV_ANALYZE_LOOPS_H
#define XDRV_ANALYZE_LOOPS_H

#include <stddef.h>

#include "analyze/analyze.h"
#include "trace/trace.h"

typedef struct Loops Loops;

Loops *loops_new(void);
void loops_free(Loops *l);
/* Every event in order; reg is the register view of a register access, -1
 * otherwise. 0 or -1 (no memory). */
int loops_event(Loops *l, const TraceEvent *ev, int reg);
void loops_trace_end(Loops *l);
/* reg_info(ctx, i): register view i, for the status register's access
 * type (read-to-clear). 0 or -1. */
int loops_finish(Loops *l, const AnRegInfo *(*reg_info)(void *, int), void *ctx);

size_t loops_npolls(const Loops *l);
const AnPoll *loops_poll(const Loops *l, size_t i);
const AnIrq *loops_irq(const Loops *l);
void loops_set_code(Loops *l, size_t i, int blocks, int exits);

#endif
