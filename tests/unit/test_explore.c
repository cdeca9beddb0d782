/* Unit tests for src/exercise/explore.c: mutations stay valid workloads
 * and are deterministic in the seed; hints are learned from a trace (the
 * OIDs OID_GEN_SUPPORTED_LIST answered, the exports with failure rules the
 * driver called and how often, the keywords it read); the loop keeps a run
 * only when it reaches new blocks, stops at the plateau, and writes each
 * kept run's workload so that it parses back to the run's steps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "exercise/explore.h"
#include "trace/xtr.h"

static Workload load_standard(void)
{
    Workload w;
    char err[WL_ERR_MAX];
    assert_int_equal(workload_load("standard", &w, err, sizeof err), 0);
    return w;
}

static void test_mutations_valid_and_deterministic(void **state)
{
    (void)state;
    Workload parent = load_standard();
    ExploreHints h;
    memset(&h, 0, sizeof h);
    snprintf(h.api[0].name, sizeof h.api[0].name, "NdisAllocateMemoryWithTag");
    h.api[0].calls = 3;
    h.napi = 1;
    snprintf(h.keyword[0], sizeof h.keyword[0], "NetworkAddress");
    snprintf(h.keyword[1], sizeof h.keyword[1], "MaxRx");
    h.nkeyword = 2;
    h.oid[0] = 0x00010202;
    h.noid = 1;
    uint64_t a = 7, b = 7;
    int saw_fail = 0, saw_param = 0;
    for (int i = 0; i < 400; i++) {
        Workload x, y;
        assert_int_equal(explore_mutate(&parent, &parent, &h, &a, 600, &x), 0);
        assert_int_equal(explore_mutate(&parent, &parent, &h, &b, 600, &y), 0);
        assert_int_equal(x.nsteps, y.nsteps);
        assert_true(x.nsteps < 600);
        /* every step is a valid one and the text form parses back to it */
        char *text = workload_format(&x);
        assert_non_null(text);
        char *ytext = workload_format(&y);
        assert_string_equal(text, ytext); /* same seed, same mutant */
        Workload back;
        char err[WL_ERR_MAX];
        if (workload_parse(text, strlen(text), "mutant", &back, err, sizeof err) != 0)
            fail_msg("mutant %d does not parse: %s", i, err);
        assert_int_equal(back.nsteps, x.nsteps);
        for (size_t k = 0; k < x.nsteps; k++) {
            saw_fail |= x.steps[k].kind == WL_FAIL;
            saw_param |= x.steps[k].kind == WL_PARAM;
            if (x.steps[k].kind == WL_FAIL) {
                assert_string_equal(x.steps[k].api, "NdisAllocateMemoryWithTag");
                assert_in_range(x.steps[k].count, 1, 3);
            }
        }
        workload_free(&back);
        free(text);
        free(ytext);
        workload_free(&x);
        workload_free(&y);
    }
    assert_true(saw_fail);
    assert_true(saw_param);
    workload_free(&parent);
}

static void put(XtrWriter *w, TraceEvent ev)
{
    assert_int_equal(xtr_write(w, &ev), 0);
}

/* A trace of a driver at 0x10000 that reached the blocks at `rvas`. */
static void write_trace(const char *path, const uint32_t *rvas, size_t n, int with_hints)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    XtrWriter *w = xtr_writer_new(f, "test");
    put(w, (TraceEvent){.kind = TRACE_MODULE, .name = "drv.sys", .text = "drv.sys",
                        .addr = 0x10000, .size = 0x4000});
    if (with_hints) {
        put(w, (TraceEvent){.kind = TRACE_REQUEST_BEGIN, .name = "query", .value = 1,
                            .text = "query OID_GEN_SUPPORTED_LIST"});
        put(w, (TraceEvent){.kind = TRACE_REQUEST_END, .name = "query", .value = 1,
                            .text = "status=0x00000000 written=8 needed=0 "
                                    "value=0101010002020100"});
        put(w, (TraceEvent){.kind = TRACE_REQUEST_BEGIN, .name = "query", .value = 2,
                            .text = "query OID_GEN_LINK_SPEED"});
        put(w, (TraceEvent){.kind = TRACE_REQUEST_END, .name = "query", .value = 2,
                            .text = "status=0x00000000 written=4 needed=0 value=99999999"});
        for (int i = 0; i < 3; i++)
            put(w, (TraceEvent){.kind = TRACE_API_CALL, .name = "NdisAllocateMemoryWithTag",
                                .pc = 0x10100, .text = "0x1, 0x2, 0x3"});
        /* a call from outside the driver is not the driver's */
        put(w, (TraceEvent){.kind = TRACE_API_CALL, .name = "NdisAllocatePacketPool",
                            .pc = 0x90000000, .text = ""});
        /* no failure rule: not a hint */
        put(w, (TraceEvent){.kind = TRACE_API_CALL, .name = "KeGetCurrentIrql", .pc = 0x10104});
        put(w, (TraceEvent){.kind = TRACE_API_CALL, .name = "NdisReadConfiguration",
                            .pc = 0x10108, .text = "0x1, 0x2, 0x3, \"MaxRxBuffers\", 0"});
        put(w, (TraceEvent){.kind = TRACE_API_CALL, .name = "NdisReadConfiguration",
                            .pc = 0x10108, .text = "0x1, 0x2, 0x3, \"bad key!\", 0"});
        put(w, (TraceEvent){.kind = TRACE_API_CALL, .name = "NdisReadNetworkAddress",
                            .pc = 0x1010c, .text = "0x1"});
    }
    uint8_t data[64 * 8];
    for (size_t i = 0; i < n; i++) {
        uint32_t rva = rvas[i], sz = 1;
        memcpy(data + 8 * i, &rva, 4);
        memcpy(data + 8 * i + 4, &sz, 4);
    }
    put(w, (TraceEvent){.kind = TRACE_BLOCKS, .name = "drv.sys", .size = (uint32_t)n,
                        .data = data, .len = (uint32_t)(8 * n)});
    assert_int_equal(xtr_writer_close(w, "ok"), 0);
    fclose(f);
}

/* 32 one-byte blocks: nop; jz +0 ... a ladder of conditional branches. */
static CovMap *ladder(void)
{
    uint8_t code[64];
    for (int i = 0; i < 32; i++) {
        code[2 * i] = 0x74; /* jz +0: a block boundary after every instruction */
        code[2 * i + 1] = 0x00;
    }
    code[63] = 0xc3;
    code[62] = 0x90;
    uint32_t root = 0x1000;
    char err[COV_ERR_MAX];
    CovMap *c = cov_map_build_code(code, sizeof code, 0x1000, &root, 1, err, sizeof err);
    if (!c)
        fail_msg("%s", err);
    return c;
}

static void test_hints_learned(void **state)
{
    (void)state;
    char path[] = "/tmp/xdrv-test-explore-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    uint32_t rvas[] = {0x1000, 0x1002};
    write_trace(path, rvas, 2, 1);
    CovMap *c = ladder();
    ExploreHints h;
    memset(&h, 0, sizeof h);
    char err[256];
    assert_int_equal(explore_mark_trace(c, &h, path, err, sizeof err), 2);
    assert_int_equal(h.noid, 2);
    assert_int_equal(h.oid[0], 0x00010101);
    assert_int_equal(h.oid[1], 0x00010202);
    /* exports with a failure rule the driver called, in first-call order */
    assert_int_equal(h.napi, 3);
    assert_string_equal(h.api[0].name, "NdisAllocateMemoryWithTag");
    assert_int_equal(h.api[0].calls, 3);
    assert_string_equal(h.api[1].name, "NdisReadConfiguration");
    assert_int_equal(h.api[1].calls, 2);
    assert_string_equal(h.api[2].name, "NdisReadNetworkAddress");
    assert_int_equal(h.api[2].calls, 1);
    assert_int_equal(h.nkeyword, 2);
    assert_string_equal(h.keyword[0], "MaxRxBuffers");
    assert_string_equal(h.keyword[1], "NetworkAddress");
    /* the same trace again: nothing new, nothing learned twice */
    assert_int_equal(explore_mark_trace(c, &h, path, err, sizeof err), 0);
    assert_int_equal(h.noid, 2);
    assert_int_equal(h.nkeyword, 2);
    /* a malformed file: one-line error */
    FILE *f = fopen(path, "wb");
    fputs("not a trace", f);
    fclose(f);
    assert_int_equal(explore_mark_trace(c, &h, path, err, sizeof err), -1);
    assert_non_null(strchr(err, ' '));
    assert_null(strchr(err, '\n'));
    cov_map_free(c);
    unlink(path);
}

/* The fake driver: a workload reaches one block per distinct send length
 * bucket (len / 50), so new lengths are new code until the ladder is full. */
typedef struct Fake {
    unsigned runs;
} Fake;

static int fake_run(void *opaque, const Workload *w, const char *path, int *faulted, char *err,
                    size_t errlen)
{
    Fake *f = opaque;
    f->runs++;
    uint32_t rvas[64];
    size_t n = 0;
    rvas[n++] = 0x1000;
    for (size_t i = 0; i < w->nsteps && n < 64; i++)
        if (w->steps[i].kind == WL_SEND)
            rvas[n++] = 0x1000 + 2 * ((w->steps[i].len / 50) % 31);
    write_trace(path, rvas, n, 0);
    *faulted = 0;
    return 0;
}

static void test_loop_keeps_new_code_and_plateaus(void **state)
{
    (void)state;
    char dir[] = "/tmp/xdrv-test-explore-dir-XXXXXX";
    assert_non_null(mkdtemp(dir));
    Workload seed;
    char err[512];
    assert_int_equal(workload_parse("init\nsend len=60\n", 17, "seed", &seed, err, sizeof err), 0);
    CovMap *c = ladder();
    Fake fake = {0};
    ExploreOps ops = {.run = fake_run, .opaque = &fake};
    ExploreOpts o = {.runs = 5000, .plateau = 200, .seed = 3, .dir = dir};
    ExploreResult r;
    assert_int_equal(explore_run(&o, &ops, c, &seed, 1, NULL, &r, err, sizeof err), 0);
    assert_string_equal(r.stop_reason, "plateau");
    assert_int_equal(r.runs, fake.runs);
    assert_true(r.kept >= 2);
    assert_true(r.reached > 2);
    /* every kept run is a trace and a workload that parses back */
    for (unsigned k = 1; k <= r.kept; k++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%04u.workload", dir, k);
        Workload back;
        assert_int_equal(workload_load(p, &back, err, sizeof err), 0);
        workload_free(&back);
        snprintf(p, sizeof p, "%s/%04u.xtr", dir, k);
        assert_int_equal(access(p, R_OK), 0);
        unlink(p);
        snprintf(p, sizeof p, "%s/%04u.workload", dir, k);
        unlink(p);
    }
    /* the same seed explores the same way */
    Fake fake2 = {0};
    ops.opaque = &fake2;
    cov_map_free(c);
    c = ladder();
    ExploreResult r2;
    assert_int_equal(explore_run(&o, &ops, c, &seed, 1, NULL, &r2, err, sizeof err), 0);
    assert_int_equal(r2.runs, r.runs);
    assert_int_equal(r2.kept, r.kept);
    assert_int_equal(r2.reached, r.reached);
    for (unsigned k = 1; k <= r2.kept; k++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%04u.xtr", dir, k);
        unlink(p);
        snprintf(p, sizeof p, "%s/%04u.workload", dir, k);
        unlink(p);
    }
    /* sampling keeps every 5th run in a row with nothing new as well:
     * the exploration itself (runs, coverage, the runs kept for new code)
     * is the same, since sampled runs join no corpus */
    Fake fake3 = {0};
    ops.opaque = &fake3;
    cov_map_free(c);
    c = ladder();
    ExploreOpts os = o;
    os.sample = 5;
    ExploreResult r3;
    assert_int_equal(explore_run(&os, &ops, c, &seed, 1, NULL, &r3, err, sizeof err), 0);
    assert_int_equal(r3.runs, r.runs);
    assert_int_equal(r3.reached, r.reached);
    assert_int_equal(r3.kept - r3.sampled, r.kept);
    /* the plateau's 200 dry runs at the end alone give 40 */
    assert_true(r3.sampled >= 40);
    assert_true(r3.sampled <= (r.runs - r.kept) / 5);
    for (unsigned k = 1; k <= r3.kept; k++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%04u.workload", dir, k);
        Workload back;
        assert_int_equal(workload_load(p, &back, err, sizeof err), 0);
        workload_free(&back);
        unlink(p);
        snprintf(p, sizeof p, "%s/%04u.xtr", dir, k);
        assert_int_equal(access(p, R_OK), 0);
        unlink(p);
    }
    cov_map_free(c);
    workload_free(&seed);
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutations_valid_and_deterministic),
        cmocka_unit_test(test_hints_learned),
        cmocka_unit_test(test_loop_keeps_new_code_and_plateaus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
