/* The 8254x's, the PCnet's and the NE2000's specifications extracted from
 * the project's drivers (tests/golden/extract/e1000.xsm, pcnet.xsm,
 * ne2000.xsm), turned into C by `xdrv synth` ($(BA)/synth/extracted_e1000.c,
 * prefix xse; extracted_pcnet.c, xsp; extracted_ne2000.c, xsn), compiled,
 * and run in the replay host in
 * the interpreter's place against the models with traffic: the workload of
 * tests/golden/extract/traffic.wl (sends across the lengths, 80 frames
 * received in bursts past the receive ring's wrap). The synthesized driver
 * must serve every request and make exactly the device accesses the
 * interpreter makes for the same specification: every register access,
 * every byte the device reads and writes, every frame on the cable and to
 * the OS, in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "exercise/workload.h"
#include "replay/host.h"
#include "replay/interp.h"
#include "replay/spec.h"
#include "replay/verify.h"
#include "trace/trace.h"

/* the generated drivers' declarations (build/asan/synth, -I) */
#define XSE_INTERFACE_ONLY
#include "extracted_e1000.c"
#define XSP_INTERFACE_ONLY
#include "extracted_pcnet.c"
#define XSN_INTERFACE_ONLY
#include "extracted_ne2000.c"

#define WORKLOAD "tests/golden/extract/traffic.wl"

/* The device's side of a run, one line per event, without times. */
typedef struct Log {
    char *text;
    size_t len;
    FILE *f;
    unsigned dma, frames_out, frames_in;
} Log;

static void log_sink(void *opaque, const TraceEvent *ev)
{
    Log *l = opaque;
    switch (ev->kind) {
    case TRACE_PORT_READ:
    case TRACE_PORT_WRITE:
    case TRACE_MMIO_READ:
    case TRACE_MMIO_WRITE:
        fprintf(l->f, "%s 0x%x/%u = 0x%llx\n", trace_kind_name(ev->kind), ev->addr, ev->size,
                (unsigned long long)ev->value);
        return;
    case TRACE_DMA_READ:
    case TRACE_DMA_WRITE:
    case TRACE_FRAME_IN:
    case TRACE_FRAME_OUT:
    case TRACE_IRQ_RAISE:
    case TRACE_IRQ_LOWER: {
        uint32_t sum = 2166136261u; /* FNV-1a of the bytes */
        for (uint32_t i = 0; ev->data && i < ev->len; i++)
            sum = (sum ^ ev->data[i]) * 16777619u;
        fprintf(l->f, "%s %s 0x%x %u %08x\n", trace_kind_name(ev->kind), ev->name ? ev->name : "-",
                ev->addr, ev->len, sum);
        l->dma += ev->kind == TRACE_DMA_READ || ev->kind == TRACE_DMA_WRITE;
        l->frames_in += ev->kind == TRACE_FRAME_IN;
        return;
    }
    case TRACE_REQUEST_END: { /* "N frame(s) indicated to the OS" after a receive */
        unsigned n;
        fprintf(l->f, "END %s %s\n", ev->name ? ev->name : "-", ev->text ? ev->text : "-");
        if (ev->text && sscanf(ev->text, "%u frame(s)", &n) == 1)
            l->frames_out += n;
        return;
    }
    default:
        return;
    }
}

/* Play the workload with the spec's interpreter (drv NULL) or drv. */
static void play(const Spec *spec, const char *device, const ReplayDriver *drv, Log *l)
{
    Workload w;
    char err[WL_ERR_MAX];
    assert_int_equal(workload_load(WORKLOAD, &w, err, sizeof err), 0);
    ReplayHost *h = NULL;
    FILE *quiet = fopen("/dev/null", "w");
    assert_non_null(quiet);
    if (replay_host_new(&h, spec, device, quiet, 0, err, sizeof err) != 0)
        fail_msg("replay_host_new: %s", err);
    if (drv)
        assert_int_equal(replay_host_use_driver(h, drv), 0);
    memset(l, 0, sizeof *l);
    l->f = open_memstream(&l->text, &l->len);
    assert_non_null(l->f);
    trace_add_sink(log_sink, l);
    PlayStats ps;
    int r = replay_host_play(h, &w, &ps);
    trace_remove_sink(log_sink, l);
    fclose(l->f);
    if (r) {
        char why[400];
        replay_host_stop_text(h, why, sizeof why);
        fail_msg("%s, %s: not served: %s", device, drv ? "synthesized" : "interpreter", why);
    }
    assert_int_equal(ps.skipped, 0);
    replay_host_free(h);
    fclose(quiet);
    workload_free(&w);
}

static Spec *load_spec(const char *path)
{
    char err[512];
    Spec *s = spec_load(path, err, sizeof err);
    if (!s)
        fail_msg("%s: %s", path, err);
    FILE *out = fopen("/dev/null", "w");
    assert_non_null(out);
    assert_int_equal(spec_verify(s, path, NULL, out), 0);
    fclose(out);
    return s;
}

#include "../synthesized.h"

SYNTHESIZED(xse, XseDriver)
SYNTHESIZED(xsp, XspDriver)
SYNTHESIZED(xsn, XsnDriver)

/* dma: the device reads and writes host memory (the NE2000 does not: its
 * frames go through a data port) */
static void same_io(const char *path, const char *device, ReplayDriver *drv, int dma)
{
    Spec *s = load_spec(path);
    Log a, b;
    play(s, device, NULL, &a);
    play(s, device, drv, &b);
    /* real traffic: frames both ways, the receive ring wrapped */
    assert_true(a.frames_in >= 80);
    assert_true(a.frames_out >= 80);
    assert_true(dma ? a.dma > 200 : a.dma == 0);
    if (a.len != b.len || memcmp(a.text, b.text, a.len)) {
        size_t i = 0, line = 1;
        while (i < a.len && i < b.len && a.text[i] == b.text[i])
            line += a.text[i++] == '\n';
        fail_msg("%s: the synthesized driver's device accesses differ from the interpreter's at "
                 "line %zu",
                 device, line);
    }
    free(a.text);
    free(b.text);
    spec_free(s);
}

static void test_e1000(void **st)
{
    (void)st;
    static XseDriver d;
    ReplayDriver drv = {&d, xse_init_, xse_request_, xse_state_, xse_reason_, xse_line_};
    same_io("tests/golden/extract/e1000.xsm", "e1000", &drv, 1);
}

static void test_pcnet(void **st)
{
    (void)st;
    static XspDriver d;
    ReplayDriver drv = {&d, xsp_init_, xsp_request_, xsp_state_, xsp_reason_, xsp_line_};
    same_io("tests/golden/extract/pcnet.xsm", "pcnet", &drv, 1);
}

static void test_ne2000(void **st)
{
    (void)st;
    static XsnDriver d;
    ReplayDriver drv = {&d, xsn_init_, xsn_request_, xsn_state_, xsn_reason_, xsn_line_};
    same_io("tests/golden/extract/ne2000.xsm", "ne2000", &drv, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_e1000),
        cmocka_unit_test(test_pcnet),
        cmocka_unit_test(test_ne2000),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
