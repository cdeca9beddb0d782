/* Polling loops and the interrupt protocol (see loops.h). */
#include "analyze/loops.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PAIRS 8   /* (waiting, final) value pairs kept per poll site */
#define MAX_SITES 4096

typedef struct Pair {
    uint32_t wait, last;
    unsigned n;
} Pair;

typedef struct Site {
    AnPoll p;
    Pair pairs[MAX_PAIRS]; /* (first, last) of runs of 2+ reads */
    unsigned npairs;
    Pair exits[MAX_PAIRS]; /* last values of runs that did not give up */
    unsigned nexits;
    int changed; /* some run read a different value at the end */
} Site;

/* The interrupt entry points of NDIS 5.1 miniports (the names the host
 * gives the calls it makes into the driver). */
static const char *const irq_entries[] = {"MiniportISR", "MiniportHandleInterrupt",
                                          "MiniportEnableInterrupt", "MiniportDisableInterrupt"};

struct Loops {
    Site *sites;
    size_t nsites;
    /* the run of reads in progress */
    int run_reg;
    uint32_t run_pc, run_first, run_last, run_count, stall, run_depth;
    int run_same;   /* every read so far gave the first value */
    int run_stable; /* every read but the last gave the first value */
    /* interrupt context: the entry point per call depth (up to 32) */
    const char *entry[32];
    int isr_reads;       /* distinct registers the current ISR has read (up to 2) */
    int isr_regs[2];
    struct {
        int first, second;
        unsigned n;
    } status_votes[8];
    unsigned nvotes;
    /* the value each register read last inside the interrupt entry points */
    struct {
        int reg;
        uint32_t value;
    } seen[16];
    unsigned nseen;
    AnIrq irq;
    AnPoll *out;
    size_t nout;
};

Loops *loops_new(void)
{
    Loops *l = calloc(1, sizeof *l);
    if (l) {
        l->run_reg = -1;
        l->irq.status_reg = l->irq.ack_reg = -1;
        l->irq.ack = AN_ACCESS_COUNT;
    }
    return l;
}

void loops_free(Loops *l)
{
    if (!l)
        return;
    free(l->sites);
    free(l->out);
    free(l);
}

static unsigned bucket(uint32_t n)
{
    static const uint32_t top[AN_POLL_BUCKETS - 1] = {1, 2, 4, 8, 16, 64, 256};
    unsigned b = 0;
    while (b < AN_POLL_BUCKETS - 1 && n > top[b])
        b++;
    return b;
}

static int end_run(Loops *l)
{
    if (l->run_reg < 0)
        return 0;
    if (!l->run_stable) { /* values kept changing: a transfer, not a wait */
        l->run_reg = -1;
        return 0;
    }
    Site *s = NULL;
    for (size_t i = 0; i < l->nsites; i++)
        if (l->sites[i].p.pc == l->run_pc && l->sites[i].p.reg == (uint32_t)l->run_reg) {
            s = &l->sites[i];
            break;
        }
    if (!s) {
        if (l->nsites == MAX_SITES) {
            l->run_reg = -1;
            return 0;
        }
        if (!(l->nsites & (l->nsites - 1)) || l->nsites < 16) {
            size_t cap = l->nsites < 16 ? 16 : 2 * l->nsites;
            Site *p = realloc(l->sites, cap * sizeof *p);
            if (!p)
                return -1;
            l->sites = p;
        }
        s = &l->sites[l->nsites++];
        memset(s, 0, sizeof *s);
        s->p.pc = l->run_pc;
        s->p.reg = (uint32_t)l->run_reg;
    }
    s->p.runs++;
    s->p.hist[bucket(l->run_count)]++;
    if (l->run_count > s->p.max_iter)
        s->p.max_iter = l->run_count;
    if (l->stall)
        s->p.stall_us = l->stall;
    /* the value a run that did not give up ended on */
    if (!(l->run_count >= 2 && l->run_same)) {
        unsigned i;
        for (i = 0; i < s->nexits && s->exits[i].wait != l->run_last; i++)
            ;
        if (i < s->nexits)
            s->exits[i].n++;
        else if (s->nexits < MAX_PAIRS)
            s->exits[s->nexits++] = (Pair){l->run_last, l->run_last, 1};
    }
    if (l->run_count >= 2) {
        if (l->run_same) {
            s->p.timeouts++;
            if (l->run_count > s->p.timeout_iter)
                s->p.timeout_iter = l->run_count;
        } else {
            s->changed = 1;
        }
        unsigned i;
        for (i = 0; i < s->npairs; i++)
            if (s->pairs[i].wait == l->run_first && s->pairs[i].last == l->run_last)
                break;
        if (i < s->npairs)
            s->pairs[i].n++;
        else if (s->npairs < MAX_PAIRS)
            s->pairs[s->npairs++] = (Pair){l->run_first, l->run_last, 1};
    }
    l->run_reg = -1;
    return 0;
}

void loops_trace_end(Loops *l)
{
    end_run(l);
    memset(l->entry, 0, sizeof l->entry);
    l->isr_reads = 0;
    l->nseen = 0;
}

static const char *irq_entry(const Loops *l, uint32_t depth)
{
    for (uint32_t d = depth < 32 ? depth + 1 : 32; d-- > 0;)
        if (l->entry[d])
            return l->entry[d];
    return NULL;
}

static int note_irq_access(Loops *l, const TraceEvent *ev, int reg, int rd)
{
    const char *where = irq_entry(l, ev->depth);
    if (!where)
        return 0;
    uint32_t v = (uint32_t)ev->value;
    if (rd) {
        if (where == irq_entries[0] && l->isr_reads < 2 &&
            (l->isr_reads == 0 || l->isr_regs[0] != reg))
            l->isr_regs[l->isr_reads++] = reg;
        unsigned i;
        for (i = 0; i < l->nseen && l->seen[i].reg != reg; i++)
            ;
        if (i == l->nseen && l->nseen < 16)
            l->seen[l->nseen++].reg = reg;
        if (i < 16)
            l->seen[i].value = v;
        return 0;
    }
    /* a write of bits this register's last read returned: an acknowledgement */
    for (unsigned i = 0; i < l->nseen; i++)
        if (l->seen[i].reg == reg && v && (v & l->seen[i].value) == v) {
            l->irq.acks++;
            l->irq.ack_reg = reg;
        }
    AnIrq *q = &l->irq;
    unsigned i;
    for (i = 0; i < q->nwrites; i++)
        if (q->writes[i].reg == reg && q->writes[i].value == v && !strcmp(q->writes[i].where, where))
            break;
    if (i < q->nwrites)
        q->writes[i].n++;
    else if (q->nwrites < sizeof q->writes / sizeof q->writes[0]) {
        q->writes[q->nwrites].reg = reg;
        q->writes[q->nwrites].value = v;
        q->writes[q->nwrites].where = where;
        q->writes[q->nwrites++].n = 1;
    }
    return 0;
}

int loops_event(Loops *l, const TraceEvent *ev, int reg)
{
    switch (ev->kind) {
    case TRACE_REQUEST_BEGIN:
    case TRACE_REQUEST_END:
        return end_run(l);
    case TRACE_API_CALL:
        /* the delay a polling loop asks for (NDIS 5.1: NdisStallExecution
         * and KeStallExecutionProcessor take microseconds) */
        if (l->run_reg >= 0 && ev->name && ev->text &&
            (!strcmp(ev->name, "NdisStallExecution") || !strcmp(ev->name, "KeStallExecutionProcessor")))
            l->stall = (uint32_t)strtoul(ev->text, NULL, 0);
        return 0;
    case TRACE_GUEST_CALL:
        /* a new call into the driver is not the next turn of a loop */
        if (l->run_reg >= 0 && end_run(l) < 0)
            return -1;
        if (ev->name && ev->depth < 32) {
            l->entry[ev->depth] = NULL;
            for (size_t i = 0; i < sizeof irq_entries / sizeof irq_entries[0]; i++)
                if (!strcmp(ev->name, irq_entries[i]))
                    l->entry[ev->depth] = irq_entries[i];
            if (l->entry[ev->depth] == irq_entries[0]) {
                l->irq.isrs++;
                l->isr_reads = 0;
                l->nseen = 0;
            }
        }
        return 0;
    case TRACE_GUEST_RETURN:
        if (l->run_reg >= 0 && ev->depth < l->run_depth && end_run(l) < 0)
            return -1;
        if (ev->name && !strcmp(ev->name, irq_entries[0]) && l->isr_reads) {
            int first = l->isr_regs[0], second = l->isr_reads > 1 ? l->isr_regs[1] : -1;
            unsigned i;
            for (i = 0; i < l->nvotes; i++)
                if (l->status_votes[i].first == first && l->status_votes[i].second == second)
                    break;
            if (i < l->nvotes) {
                l->status_votes[i].n++;
            } else if (l->nvotes < 8) {
                l->status_votes[l->nvotes].first = first;
                l->status_votes[l->nvotes].second = second;
                l->status_votes[l->nvotes++].n = 1;
            }
            l->isr_reads = 0;
        }
        for (uint32_t d = ev->depth; d < 32; d++)
            l->entry[d] = NULL;
        return 0;
    default:
        break;
    }
    if (reg < 0)
        return 0;
    int rd = ev->kind == TRACE_PORT_READ || ev->kind == TRACE_MMIO_READ;
    if (note_irq_access(l, ev, reg, rd) < 0)
        return -1;
    uint32_t v = (uint32_t)ev->value;
    if (rd && reg == l->run_reg && ev->pc == l->run_pc) {
        l->run_count++;
        l->run_stable &= l->run_same; /* the reads before this one */
        l->run_same &= v == l->run_first;
        l->run_last = v;
        return 0;
    }
    if (end_run(l) < 0)
        return -1;
    if (rd) {
        l->run_reg = reg;
        l->run_pc = ev->pc;
        l->run_first = l->run_last = v;
        l->run_count = 1;
        l->run_same = l->run_stable = 1;
        l->run_depth = ev->depth;
        l->stall = 0;
    }
    return 0;
}

int loops_finish(Loops *l, const AnRegInfo *(*reg_info)(void *, int), void *ctx)
{
    if (end_run(l) < 0)
        return -1;
    l->out = calloc(l->nsites ? l->nsites : 1, sizeof *l->out);
    if (!l->out)
        return -1;
    for (size_t i = 0; i < l->nsites; i++) {
        Site *s = &l->sites[i];
        /* a loop: it went round at least 3 times somewhere, or twice and
         * saw the value it waited for change */
        if (s->p.max_iter < 3 && !(s->p.max_iter >= 2 && s->changed))
            continue;
        const AnRegInfo *ri = reg_info ? reg_info(ctx, (int)s->p.reg) : NULL;
        if (ri && ri->cls == AN_DATA)
            continue; /* a data port read again and again is a transfer */
        AnPoll p = s->p;
        p.code_blocks = p.code_exits = -1;
        /* waiting: the most common first value of the runs that went
         * round; the condition: the bits where the values runs ended on
         * differ from it */
        unsigned bw = 0, be = 0;
        for (unsigned k = 0; k < s->npairs; k++)
            if (s->pairs[k].n > bw) {
                bw = s->pairs[k].n;
                p.wait_value = s->pairs[k].wait;
            }
        for (unsigned k = 0; k < s->nexits; k++)
            if (s->exits[k].wait != p.wait_value)
                p.mask |= s->exits[k].wait ^ p.wait_value;
        for (unsigned k = 0; k < s->nexits; k++)
            if (s->exits[k].wait != p.wait_value && s->exits[k].n > be) {
                be = s->exits[k].n;
                p.exit_value = s->exits[k].wait & p.mask;
            }
        l->out[l->nout++] = p;
    }
    /* the status register: the ISR's most frequent first read, or the
     * second when the first reads an index register (saving it) */
    unsigned best = 0;
    for (unsigned i = 0; i < l->nvotes; i++) {
        if (l->status_votes[i].n <= best)
            continue;
        const AnRegInfo *f = reg_info ? reg_info(ctx, l->status_votes[i].first) : NULL;
        int pick = f && f->is_index && l->status_votes[i].second >= 0 ? l->status_votes[i].second
                                                                      : l->status_votes[i].first;
        best = l->status_votes[i].n;
        l->irq.status_reg = pick;
    }
    l->irq.status_votes = best;
    const AnRegInfo *st = reg_info ? reg_info(ctx, l->irq.status_reg) : NULL;
    if (l->irq.acks)
        l->irq.ack = AN_W1C;
    else if (st && st->access == AN_RC)
        l->irq.ack = AN_RC;
    return 0;
}

size_t loops_npolls(const Loops *l)
{
    return l->nout;
}

const AnPoll *loops_poll(const Loops *l, size_t i)
{
    return i < l->nout ? &l->out[i] : NULL;
}

void loops_set_code(Loops *l, size_t i, int blocks, int exits)
{
    if (i < l->nout) {
        l->out[i].code_blocks = blocks;
        l->out[i].code_exits = exits;
    }
}

const AnIrq *loops_irq(const Loops *l)
{
    return &l->irq;
}
