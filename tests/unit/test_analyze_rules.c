/* Register-inference rules of xdrv analyze (docs/analyze.md) on small
 * synthetic traces written with the trace writer: a counter that restarts
 * at zero is still a counter, a register a read clears is not one; an
 * access through an index register's data port before the index was ever
 * written is described as the port itself, a data window; a page select
 * is found beside registers with too many values to tell. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "trace/xtr.h"

#define BASE 0xc000u

typedef struct Rec {
    XtrWriter *w;
    FILE *f;
    char path[64];
    uint64_t t;
} Rec;

static void rec_open(Rec *r, const char *tag)
{
    snprintf(r->path, sizeof r->path, "/tmp/xdrv-test-rules-%s-XXXXXX", tag);
    int fd = mkstemp(r->path);
    assert_true(fd >= 0);
    r->f = fdopen(fd, "wb");
    assert_non_null(r->f);
    r->w = xtr_writer_new(r->f, "test_analyze_rules");
    assert_non_null(r->w);
    r->t = 0;
}

static void io(Rec *r, int write, uint32_t off, uint32_t size, uint32_t value)
{
    TraceEvent e = {.kind = write ? TRACE_PORT_WRITE : TRACE_PORT_READ,
                    .vtime = r->t += 10,
                    .depth = 1,
                    .pc = 0x80101000u,
                    .addr = BASE + off,
                    .size = size,
                    .value = value};
    assert_int_equal(xtr_write(r->w, &e), 0);
}

static Analysis *rec_analyze(Rec *r)
{
    assert_int_equal(xtr_writer_close(r->w, "done"), 0);
    assert_int_equal(fclose(r->f), 0);
    Analysis *a = an_new();
    assert_non_null(a);
    char err[256];
    assert_int_equal(an_add_trace(a, r->path, err, sizeof err), 0);
    assert_int_equal(an_finish(a), 0);
    unlink(r->path);
    return a;
}

/* The view of port BASE+off, width size; selected: through an index with
 * that selector, -1: not through one. */
static const AnRegInfo *view(const Analysis *a, uint32_t off, uint32_t size, int selected,
                             uint32_t sel)
{
    for (size_t i = 0; i < an_nregs(a); i++) {
        const AnRegInfo *g = an_reg(a, i);
        if (g->port && g->addr == BASE + off && g->width == size && g->selected == selected &&
            (!selected || g->selector == sel))
            return g;
    }
    return NULL;
}

/* A missed-frame counter read now and then: it grows, and twice the chip
 * is reset and it starts again from 0. A read-to-clear register beside it:
 * each read gives what gathered since the last one, then it reads 0. */
static void test_counter_restarts(void **state)
{
    (void)state;
    static const uint32_t counter[] = {0, 0x60, 0x80, 0x128, 0x308, 0, 0x10, 0x24, 0x31, 0, 7, 9};
    static const uint32_t clears[] = {5, 0, 7, 0, 9, 0, 4, 0, 3, 0, 6, 0};
    Rec r;
    rec_open(&r, "counter");
    for (size_t i = 0; i < sizeof counter / sizeof counter[0]; i++) {
        io(&r, 0, 0x4, 4, counter[i]);
        io(&r, 0, 0x8, 4, clears[i]);
    }
    Analysis *a = rec_analyze(&r);
    const AnRegInfo *c = view(a, 0x4, 4, 0, 0), *k = view(a, 0x8, 4, 0, 0);
    assert_non_null(c);
    assert_non_null(k);
    assert_int_equal(c->access, AN_COUNTER);
    assert_int_equal(c->cls, AN_STATUS);
    assert_int_equal(k->access, AN_RC);
    an_free(a);

    /* falling to a value other than 0 is not a restart: not a counter */
    static const uint32_t wanders[] = {1, 5, 3, 8, 2, 9, 4, 12, 6, 15};
    rec_open(&r, "wander");
    for (size_t i = 0; i < sizeof wanders / sizeof wanders[0]; i++)
        io(&r, 0, 0x4, 4, wanders[i]);
    a = rec_analyze(&r);
    c = view(a, 0x4, 4, 0, 0);
    assert_non_null(c);
    assert_int_not_equal(c->access, AN_COUNTER);
    an_free(a);
}

/* An index register at +0x14 selecting what the data port at +0x10
 * reaches (a PCnet's RAP and RDP). The driver's first access is a write
 * to the data port before any index write (the PCnet's switch to 32-bit
 * I/O): that view is the data window itself; the views behind an index
 * are judged on their own. */
static void test_data_window(void **state)
{
    (void)state;
    Rec r;
    rec_open(&r, "window");
    io(&r, 1, 0x10, 4, 0); /* before the index is known */
    for (unsigned round = 0; round < 6; round++) {
        io(&r, 1, 0x14, 4, 0); /* status, acknowledged */
        io(&r, 0, 0x10, 4, 0x40 + round);
        io(&r, 1, 0x10, 4, 0x40 + round);
        io(&r, 1, 0x14, 4, 1); /* a control register, written */
        io(&r, 1, 0x10, 4, 0x1201);
        io(&r, 1, 0x14, 4, 2); /* an ID, read */
        io(&r, 0, 0x10, 4, 0x3621);
        io(&r, 1, 0x14, 4, 3);
        io(&r, 0, 0x10, 4, 0x3);
    }
    Analysis *a = rec_analyze(&r);
    const AnRegInfo *w = view(a, 0x10, 4, 0, 0), *ctl = view(a, 0x10, 4, 1, 1),
                    *id = view(a, 0x10, 4, 1, 2), *ix = view(a, 0x14, 4, 0, 0);
    assert_non_null(w);
    assert_non_null(ctl);
    assert_non_null(id);
    assert_non_null(ix);
    assert_true(ix->is_index);
    assert_int_equal(w->writes, 1);
    assert_int_equal(w->reads, 0);
    assert_int_equal(w->cls, AN_DATA);
    assert_int_equal(w->access, AN_RW); /* the port is read and written */
    assert_int_equal(ctl->cls, AN_CONTROL);
    assert_int_equal(id->cls, AN_STATUS);
    an_free(a);

    /* without an index register, a lone write is a control register */
    rec_open(&r, "plain");
    io(&r, 1, 0x10, 4, 0);
    for (unsigned i = 0; i < 4; i++)
        io(&r, 0, 0x18, 4, i);
    a = rec_analyze(&r);
    w = view(a, 0x10, 4, 0, 0);
    assert_non_null(w);
    assert_int_equal(w->cls, AN_CONTROL);
    assert_int_equal(w->access, AN_WO);
    an_free(a);
}

/* A page select (a DP8390's CR: bits 7:6) in front of three registers
 * that mean other things in page 0 and page 1, and three data-like
 * registers whose values are too many to tell apart in either page: the
 * page select is still found (the data registers are no evidence against
 * it; they once outvoted the three that are). */
static void test_bank_select_beside_data_registers(void **state)
{
    (void)state;
    Rec r;
    rec_open(&r, "bank");
    for (unsigned i = 0; i < 600; i++) {
        unsigned page = i % 2;
        static const uint32_t cmd[] = {0x22, 0x0a, 0x12, 0x26};
        io(&r, 1, 0x0, 1, 0x22);                            /* page 0, start */
        io(&r, 1, 0x0, 1, (page ? 0x40 : 0) | cmd[i / 2 % 4]); /* the page, a command */
        for (uint32_t k = 1; k <= 3; k++)       /* page 0: 0x10+k, page 1: 0x80+k */
            io(&r, 1, k, 1, page ? 0x80 + k + (i % 3) : 0x10 + k + (i % 3));
        for (uint32_t k = 8; k <= 10; k++)      /* data: any byte, either page */
            io(&r, 0, k, 1, (i * 37 + k * 11) & 0xff);
    }
    Analysis *a = rec_analyze(&r);
    const AnRegInfo *p0 = NULL, *p1 = NULL;
    for (size_t i = 0; i < an_nregs(a); i++) {
        const AnRegInfo *g = an_reg(a, i);
        if (g->addr == BASE + 1 && g->banked && g->bank_addr == BASE)
            *(g->bank_value ? &p1 : &p0) = g;
    }
    assert_non_null(p0);
    assert_non_null(p1);
    assert_true(p0->bank_mask & 0x40); /* the page bit selects */
    assert_int_not_equal(p0->bank_value, p1->bank_value);
    an_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter_restarts),
        cmocka_unit_test(test_data_window),
        cmocka_unit_test(test_bank_select_beside_data_registers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
