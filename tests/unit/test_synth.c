/* xdrv synth (src/replay/synth.c, docs/synth.md) against the interpreter it
 * must equal. The Makefile turned each tests/golden/spec/synth/NAME.xsm
 * into C at build time (xdrv synth --prefix synth_NAME) and the RTL8139
 * example into rtl8139_synth.c (prefix xsm), and linked them in. Here the
 * interpreter and each synthesized driver run the same random request
 * sequences against the same fake device, seeded alike: a register file
 * that logs every op call and answers reads from a seeded generator, host
 * buffers that "the device" scribbles on between requests. Both must make
 * the same op calls with the same arguments in the same order, return the
 * same results, and leave the same state, reason and memory. Then the
 * generator itself: its output depends on the specification alone, its
 * comments fall back to the AST when the file is not at hand, and it takes
 * only well-formed prefixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/arena.h"
#include "replay/interp.h"
#include "replay/spec.h"
#include "replay/synth.h"
#include "replay/verify.h"

/* the generated drivers' declarations (build/asan/synth, -I) */
#define SYNTH_ARITH_INTERFACE_ONLY
#include "unit/arith.c"
#define SYNTH_BANKS_INTERFACE_ONLY
#include "unit/banks.c"
#define SYNTH_FLOW_INTERFACE_ONLY
#include "unit/flow.c"
#define SYNTH_RING_INTERFACE_ONLY
#include "unit/ring.c"
#define SYNTH_XFER_INTERFACE_ONLY
#include "unit/xfer.c"
#define XSM_INTERFACE_ONLY
#include "rtl8139_synth.c"

/* ---- the synthesized drivers behind one interface ---- */

typedef struct Synthesized {
    const char *spec;
    size_t size; /* of its driver struct */
    ReplayResult (*init)(void *d, const ReplayOps *ops);
    ReplayResult (*request)(void *d, SpecRequest req, const uint64_t *params, const uint8_t *frame,
                            uint32_t frame_len);
    uint32_t (*state)(const void *d);
    const char *(*reason)(const void *d);
    uint32_t (*reason_line)(const void *d);
} Synthesized;

#include "../synthesized.h"

#define SYNTHESIZED_ENTRY(path, pre, Type)                                                         \
    {                                                                                              \
        path, sizeof(Type), pre##_init_, pre##_request_, pre##_state_, pre##_reason_, pre##_line_  \
    }

SYNTHESIZED(synth_arith, SynthArithDriver)
SYNTHESIZED(synth_banks, SynthBanksDriver)
SYNTHESIZED(synth_flow, SynthFlowDriver)
SYNTHESIZED(synth_ring, SynthRingDriver)
SYNTHESIZED(synth_xfer, SynthXferDriver)
SYNTHESIZED(xsm, XsmDriver)

#define SYNTH_DIR "tests/golden/spec/synth/"

static const Synthesized drivers[] = {
    SYNTHESIZED_ENTRY(SYNTH_DIR "arith.xsm", synth_arith, SynthArithDriver),
    SYNTHESIZED_ENTRY(SYNTH_DIR "banks.xsm", synth_banks, SynthBanksDriver),
    SYNTHESIZED_ENTRY(SYNTH_DIR "flow.xsm", synth_flow, SynthFlowDriver),
    SYNTHESIZED_ENTRY(SYNTH_DIR "ring.xsm", synth_ring, SynthRingDriver),
    SYNTHESIZED_ENTRY(SYNTH_DIR "xfer.xsm", synth_xfer, SynthXferDriver),
    SYNTHESIZED_ENTRY("tests/golden/spec/rtl8139.xsm", xsm, XsmDriver),
};
#define NDRIVERS (sizeof drivers / sizeof drivers[0])

/* ---- the fake device ---- */

static uint64_t rng_next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

enum { OP_READ, OP_WRITE, OP_ADDR, OP_PTR, OP_STALL, OP_DELIVER, OP_COMPLETE, OP_LINK };
static const char *const op_names[] = {"read",  "write",   "addr",     "ptr",
                                       "stall", "deliver", "complete", "link"};

typedef struct Op {
    uint8_t kind;
    uint32_t a, b, c;
    uint64_t v;
} Op;

#define MEM_BUS 0x00200000u
#define MEM_SIZE 0x00040000u

typedef struct Fake {
    uint64_t rng; /* what reads return */
    uint8_t *mem;
    ReplayArena arena;
    uint32_t null_bufs; /* buffers the host did not allocate: buf_ptr is NULL */
    Op *log;
    size_t n, cap;
} Fake;

static void fake_log(Fake *f, uint8_t kind, uint32_t a, uint32_t b, uint32_t c, uint64_t v)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 1024;
        f->log = realloc(f->log, f->cap * sizeof *f->log);
        assert_non_null(f->log);
    }
    f->log[f->n++] = (Op){kind, a, b, c, v};
}

static uint32_t fake_read(void *o, uint32_t w, uint32_t off, unsigned width)
{
    Fake *f = o;
    uint64_t x = rng_next(&f->rng);
    uint32_t v;
    switch (x & 7) {
    case 0:
        v = 0;
        break;
    case 1:
        v = 0xffffffffu;
        break;
    case 2:
        v = (uint32_t)(x >> 8) & 0xff;
        break;
    case 3:
        v = (uint32_t)(x >> 8) & 0x1f;
        break;
    default:
        v = (uint32_t)(x >> 32);
        break;
    }
    fake_log(f, OP_READ, w, off, width, v);
    return v;
}

static void fake_write(void *o, uint32_t w, uint32_t off, unsigned width, uint32_t v)
{
    fake_log(o, OP_WRITE, w, off, width, v);
}

static uint64_t fake_addr(void *o, uint32_t buf, uint32_t idx)
{
    Fake *f = o;
    fake_log(f, OP_ADDR, buf, idx, 0, 0);
    return replay_arena_addr(&f->arena, buf, idx);
}

static uint8_t *fake_ptr(void *o, uint32_t buf, uint32_t idx)
{
    Fake *f = o;
    fake_log(f, OP_PTR, buf, idx, 0, 0);
    return buf < 32 && (f->null_bufs >> buf & 1) ? NULL : replay_arena_ptr(&f->arena, buf, idx);
}

static void fake_stall(void *o, uint32_t us)
{
    fake_log(o, OP_STALL, us, 0, 0, 0);
}

static void fake_deliver(void *o, const uint8_t *frame, uint32_t len)
{
    Fake *f = o;
    uint64_t h = 14695981039346656037u;
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ frame[i]) * 1099511628211u;
    /* where it was too: the interpreter and the driver hand over the same bytes */
    fake_log(f, OP_DELIVER, len, (uint32_t)(frame - f->mem), 0, h);
}

static void fake_complete(void *o)
{
    fake_log(o, OP_COMPLETE, 0, 0, 0, 0);
}

static void fake_link(void *o, int up)
{
    fake_log(o, OP_LINK, (uint32_t)up, 0, 0, 0);
}

static void fake_init(Fake *f, const Spec *spec, uint64_t seed, uint32_t null_bufs)
{
    memset(f, 0, sizeof *f);
    f->rng = seed;
    f->null_bufs = null_bufs;
    f->mem = malloc(MEM_SIZE);
    assert_non_null(f->mem);
    char err[256];
    if (replay_arena_init(&f->arena, spec, f->mem, MEM_BUS, MEM_SIZE, err, sizeof err) < 0)
        fail_msg("%s", err);
    /* the arena zeroes it: start from something else */
    uint64_t r = seed ^ 0x5eed;
    for (uint32_t i = 0; i < MEM_SIZE; i++)
        f->mem[i] = (uint8_t)rng_next(&r);
}

static ReplayOps fake_ops(Fake *f)
{
    return (ReplayOps){.opaque = f,
                       .reg_read = fake_read,
                       .reg_write = fake_write,
                       .buf_addr = fake_addr,
                       .buf_ptr = fake_ptr,
                       .stall = fake_stall,
                       .deliver = fake_deliver,
                       .complete = fake_complete,
                       .link = fake_link};
}

static void fake_free(Fake *f)
{
    free(f->mem);
    free(f->log);
}

/* ---- the differential run ---- */

typedef struct Tally {
    unsigned results[REPLAY_BAD_SPEC + 1];
    unsigned ops[OP_LINK + 1];
    unsigned requests;
} Tally;

static void print_op(const char *who, const Op *op)
{
    print_error("  %s: %s %u %u %u 0x%llx\n", who, op->kind <= OP_LINK ? op_names[op->kind] : "?",
                op->a, op->b, op->c, (unsigned long long)op->v);
}

static int ops_equal(const Op *x, const Op *y)
{
    return x->kind == y->kind && x->a == y->a && x->b == y->b && x->c == y->c && x->v == y->v;
}

/* The first difference between the two logs, or -1. */
static long logs_differ(const Fake *a, const Fake *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    for (size_t i = 0; i < n; i++)
        if (!ops_equal(&a->log[i], &b->log[i]))
            return (long)i;
    return a->n == b->n ? -1 : (long)n;
}

static int reasons_equal(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* "The device" writes into host memory between requests: bytes, small
 * numbers (lengths) and status bits at random places. Both sides alike. */
static void scribble(Fake *a, Fake *b, const Spec *spec, uint64_t *w)
{
    unsigned n = (unsigned)(rng_next(w) % 5);
    for (unsigned k = 0; k < n && spec->nbuffers; k++) {
        uint32_t buf = (uint32_t)(rng_next(w) % spec->nbuffers);
        const SpecBuffer *sb = &spec->buffers[buf];
        uint32_t idx = (uint32_t)(rng_next(w) % (sb->count ? sb->count : 1));
        uint32_t off = (uint32_t)(rng_next(w) % sb->size) & ~1u;
        uint64_t x = rng_next(w);
        uint32_t v = x & 1 ? (uint32_t)(x >> 8) % 2100 : x & 2 ? 1 : (uint32_t)(x >> 8);
        uint8_t *pa = replay_arena_ptr(&a->arena, buf, idx),
                *pb = replay_arena_ptr(&b->arena, buf, idx);
        assert_non_null(pa);
        assert_non_null(pb);
        for (uint32_t i = 0; i < 2 && off + i < sb->size; i++)
            pa[off + i] = pb[off + i] = (uint8_t)(v >> (8 * i));
    }
}

static void run_one(const Synthesized *sy, const Spec *spec, uint64_t seed, unsigned steps,
                    Tally *t)
{
    uint64_t w = seed * 0x100000001b3u + 7;
    uint32_t null_bufs = seed % 5 == 4 ? (uint32_t)rng_next(&w) : 0;
    Fake fa, fb;
    fake_init(&fa, spec, seed, null_bufs);
    fake_init(&fb, spec, seed, null_bufs);
    Replay r;
    void *d = calloc(1, sy->size);
    assert_non_null(d);
    ReplayOps oa = fake_ops(&fa), ob = fake_ops(&fb);
    ReplayResult ra = replay_init(&r, spec, &oa), rb = sy->init(d, &ob);
    assert_int_equal(ra, rb);
    uint8_t frame[2100];
    for (unsigned step = 0; step < steps; step++) {
        scribble(&fa, &fb, spec, &w);
        SpecRequest req = (SpecRequest)(rng_next(&w) % (SPEC_REQ_COUNT + 1));
        uint64_t params[SPEC_PARAM_COUNT_];
        params[SPEC_PARAM_LEN] = rng_next(&w) & 1 ? 14 + rng_next(&w) % 1501 : rng_next(&w) % 2100;
        params[SPEC_PARAM_FILTER] = rng_next(&w) & 1 ? rng_next(&w) % 32 : rng_next(&w) >> 32;
        params[SPEC_PARAM_COUNT] = rng_next(&w) % 40;
        params[SPEC_PARAM_UP] = rng_next(&w) % 3;
        const uint64_t *p = rng_next(&w) % 10 ? params : NULL;
        uint32_t len =
            rng_next(&w) % 8 ? (uint32_t)params[SPEC_PARAM_LEN] : (uint32_t)(rng_next(&w) % 2100);
        for (uint32_t i = 0; i < len; i++)
            frame[i] = (uint8_t)rng_next(&w);
        const uint8_t *f = rng_next(&w) % 16 ? frame : NULL;

        ra = replay_request(&r, req, p, f, len);
        rb = sy->request(d, req, p, f, len);
        long at = logs_differ(&fa, &fb);
        int same = ra == rb && r.state == sy->state(d) && reasons_equal(r.reason, sy->reason(d)) &&
                   r.reason_line == sy->reason_line(d) && at < 0;
        if (!same) {
            print_error("%s, seed %llu, request %u (%s): interpreter %d state %u \"%s\" line %u, "
                        "synthesized %d state %u \"%s\" line %u\n",
                        sy->spec, (unsigned long long)seed, step,
                        spec_request_name(req) ? spec_request_name(req) : "?", ra, r.state,
                        r.reason ? r.reason : "", r.reason_line, rb, sy->state(d),
                        sy->reason(d) ? sy->reason(d) : "", sy->reason_line(d));
            if (at >= 0) {
                print_error(" first different op call: #%ld\n", at);
                if ((size_t)at < fa.n)
                    print_op("interpreter", &fa.log[at]);
                if ((size_t)at < fb.n)
                    print_op("synthesized", &fb.log[at]);
            }
            fail();
        }
        t->results[ra]++;
        t->requests++;
    }
    assert_memory_equal(fa.mem, fb.mem, MEM_SIZE);
    for (size_t i = 0; i < fa.n; i++)
        t->ops[fa.log[i].kind]++;
    free(d);
    fake_free(&fa);
    fake_free(&fb);
}

static Tally run_driver(const Synthesized *sy, unsigned seeds, unsigned steps)
{
    char err[512];
    Spec *spec = spec_load(sy->spec, err, sizeof err);
    if (!spec)
        fail_msg("%s", err);
    assert_int_equal(spec_verify(spec, sy->spec, NULL, stderr), 0);
    Tally t = {0};
    for (unsigned s = 0; s < seeds; s++)
        run_one(sy, spec, s, steps, &t);
    spec_free(spec);
    return t;
}

static const Synthesized *driver_named(const char *spec)
{
    for (size_t i = 0; i < NDRIVERS; i++)
        if (!strcmp(drivers[i].spec, spec))
            return &drivers[i];
    fail_msg("no synthesized driver for %s", spec);
    return NULL;
}

/* Expressions: the requests that reach every transition, results of each
 * kind the spec can give. */
static void test_arith(void **st)
{
    Tally t = run_driver(driver_named(SYNTH_DIR "arith.xsm"), 300, 60);
    assert_true(t.results[REPLAY_OK] > 1000);
    assert_true(t.results[REPLAY_UNHANDLED] > 100);
    assert_true(t.ops[OP_LINK] > 100);
    assert_true(t.ops[OP_ADDR] > 100);
}

/* Index and bank registers: the selecting writes, with the shadows. */
static void test_banks(void **st)
{
    Tally t = run_driver(driver_named(SYNTH_DIR "banks.xsm"), 300, 60);
    assert_true(t.results[REPLAY_OK] > 1000);
    assert_true(t.ops[OP_WRITE] > 10000);
}

/* Polls giving up each way, repeats and breaks, fallbacks. */
static void test_flow(void **st)
{
    Tally t = run_driver(driver_named(SYNTH_DIR "flow.xsm"), 300, 60);
    assert_true(t.results[REPLAY_OK] > 500);
    assert_true(t.results[REPLAY_FALLBACK] > 100);
    assert_true(t.results[REPLAY_FAILED] > 100);
    assert_true(t.ops[OP_STALL] > 100);
    assert_true(t.ops[OP_COMPLETE] > 100);
}

/* Rings and buffers: stores, loads, copies, deliveries, the host's NULL. */
static void test_ring(void **st)
{
    Tally t = run_driver(driver_named(SYNTH_DIR "ring.xsm"), 300, 60);
    assert_true(t.results[REPLAY_OK] > 500);
    assert_true(t.results[REPLAY_BAD_SPEC] > 10);
    assert_true(t.results[REPLAY_FALLBACK] > 10);
    assert_true(t.ops[OP_DELIVER] > 100);
    assert_true(t.ops[OP_PTR] > 1000);
}

/* Data registers: outs and ins, a byte, two and four at a time. */
static void test_xfer(void **st)
{
    Tally t = run_driver(driver_named(SYNTH_DIR "xfer.xsm"), 300, 60);
    assert_true(t.results[REPLAY_OK] > 500);
    assert_true(t.ops[OP_DELIVER] > 100);
    assert_true(t.ops[OP_WRITE] > 10000);
    assert_true(t.ops[OP_READ] > 10000);
}

/* The RTL8139 example, against a device that answers at random. */
static void test_rtl8139(void **st)
{
    Tally t = run_driver(driver_named("tests/golden/spec/rtl8139.xsm"), 200, 60);
    assert_true(t.results[REPLAY_OK] > 500);
}

/* Every specification under tests/golden/spec/synth/ is linked in and run
 * here (the Makefile generates one driver per file). */
static void test_every_spec_is_run(void **st)
{
    DIR *dir = opendir(SYNTH_DIR);
    assert_non_null(dir);
    unsigned n = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".xsm"))
            continue;
        char path[512];
        snprintf(path, sizeof path, SYNTH_DIR "%s", e->d_name);
        driver_named(path);
        n++;
    }
    closedir(dir);
    assert_int_equal(n, NDRIVERS - 1);
}

/* ---- the generator ---- */

static char *synth_text(const Spec *s, const char *path, const char *prefix)
{
    char *buf = NULL, err[256];
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    int rc = spec_synth_c_prefixed(s, path, prefix, f, err, sizeof err);
    fclose(f);
    if (rc != 0)
        fail_msg("%s", err);
    return buf;
}

/* The same specification gives the same bytes; the prefix names
 * everything. */
static void test_output_depends_on_the_spec_alone(void **st)
{
    char err[512];
    Spec *s = spec_load(SYNTH_DIR "flow.xsm", err, sizeof err);
    assert_non_null(s);
    char *a = synth_text(s, SYNTH_DIR "flow.xsm", "xsm");
    char *b = synth_text(s, SYNTH_DIR "flow.xsm", "xsm");
    assert_string_equal(a, b);
    char *c = synth_text(s, SYNTH_DIR "flow.xsm", "nic_2");
    assert_non_null(strstr(c, "ReplayResult nic_2_request(Nic2Driver *d, SpecRequest req"));
    assert_non_null(strstr(c, "#ifndef NIC_2_INTERFACE_ONLY"));
    assert_null(strstr(c, "xsm_"));
    assert_null(strstr(c, "XSM_"));
    free(a);
    free(b);
    free(c);
    spec_free(s);
}

/* Without the file (a spec parsed from memory), each action's comment is
 * written back from the AST. */
static void test_comments_without_the_file(void **st)
{
    static const char text[] = "xdrv-spec 1\n"
                               "window io port 16\n"
                               "reg R io 0 4 count 2 stride 4\n"
                               "buffer b 64 count 2\n"
                               "var x 0 wrap 2\n"
                               "unhandled halt\nunhandled reset\nunhandled send\n"
                               "unhandled set-filter\nunhandled multicast\nunhandled query-stats\n"
                               "unhandled link\nunhandled timer\nunhandled interrupt\n"
                               "state s\n"
                               "on init * -> s\n"
                               "  write R[x] (x + 1) * 2 - -3 & 0xff0  # gone\n"
                               "  poll R[0] 0x80 0 max 3 stall 5 else fail\n"
                               "  store b[x] 4 2 addr(b[1]) >> 1\n"
                               "  deliver b[x] x (-x)\n"
                               "  fallback \"why */ not\"\n"
                               "end\n";
    char err[512];
    Spec *s = spec_parse(text, sizeof text - 1, "inline.xsm", err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    char *c = synth_text(s, NULL, "xsm");
    assert_non_null(strstr(c, "/* line 17: write R[x] (x + 1) * 2 - -3 & 0xff0 */"));
    assert_non_null(strstr(c, "/* line 18: poll R[0] 0x80 0 max 3 stall 5 else fail */"));
    assert_non_null(strstr(c, "/* line 19: store b[x] 4 2 addr(b[1]) >> 1 */"));
    assert_non_null(strstr(c, "/* line 20: deliver b[x] x (-x) */"));
    assert_non_null(strstr(c, "/* line 21: fallback \"why * / not\" */"));
    assert_non_null(strstr(c, "\"why */ not\", 21);"));
    free(c);
    /* a path that cannot be read: the same */
    c = synth_text(s, "/nonexistent/inline.xsm", "xsm");
    assert_non_null(strstr(c, "/* line 17: write R[x] (x + 1) * 2 - -3 & 0xff0 */"));
    free(c);
    spec_free(s);
}

/* Where more than one part of an action, or both sides of an operator,
 * call an op (addr()), the generated code evaluates them one by one, in the
 * interpreter's order, left to right, rather than leave it to C. */
static void test_calls_keep_their_order(void **st)
{
    static const char text[] = "xdrv-spec 1\n"
                               "window io port 16\n"
                               "reg R io 0 4 count 2 stride 4\n"
                               "buffer b 64 count 2\n"
                               "var x 0 wrap 2\n"
                               "unhandled halt\nunhandled reset\nunhandled send\n"
                               "unhandled set-filter\nunhandled multicast\nunhandled query-stats\n"
                               "unhandled link\nunhandled timer\nunhandled interrupt\n"
                               "state s\nstate t\n"
                               "on init s -> t when addr(b[0]) < addr(b[1]) || x\n"
                               "  write R[addr(b[0]) % 2] addr(b[1]) + 1\n"
                               "  store b[addr(b[1]) % 2] 0 4 addr(b[0])\n"
                               "  deliver b[addr(b[0]) % 2] addr(b[1]) % 8 (addr(b[0]) % 16) + 1\n"
                               "  set x (addr(b[0]) > 5) == (addr(b[1]) < 7)\n"
                               "end\n";
    char err[512];
    Spec *s = spec_parse(text, sizeof text - 1, "order.xsm", err, sizeof err);
    if (!s)
        fail_msg("%s", err);
    char *c = synth_text(s, NULL, "xsm");
    static const char *const want[] = {
        /* the index, then the value */
        "    uint64_t h1 = xsm_addr(d, XSM_BUF_B, 0) % 2;\n"
        "    xsm_write_R(d, h1, xsm_addr(d, XSM_BUF_B, 1) + 1);\n",
        /* the index and the offset, the host's pointer, then the value */
        "    p = xsm_mem(d, XSM_BUF_B, xsm_addr(d, XSM_BUF_B, 1) % 2, 0, 4);\n"
        "    v = xsm_addr(d, XSM_BUF_B, 0);\n"
        "    if (!p)\n",
        /* the index, the length, the offset */
        "    uint64_t h2 = xsm_addr(d, XSM_BUF_B, 0) % 2;\n"
        "    uint64_t h3 = xsm_addr(d, XSM_BUF_B, 0) % 16 + 1;\n"
        "    n = h3;\n"
        "    p = xsm_mem(d, XSM_BUF_B, h2, xsm_addr(d, XSM_BUF_B, 1) % 8, n);\n",
        /* an operator's left side, then its right */
        "    uint64_t h4 = xsm_addr(d, XSM_BUF_B, 0) > 5;\n"
        "    d->x = (h4 == (uint64_t)(xsm_addr(d, XSM_BUF_B, 1) < 7)) % 2;\n",
        /* the guard: only in its state, both sides of || */
        "        if (d->state == XSM_STATE_S) {\n"
        "            uint64_t h1 = xsm_addr(d, XSM_BUF_B, 0);\n"
        "            if (xsm_lor(h1 < xsm_addr(d, XSM_BUF_B, 1), d->x))\n"
        "                return xsm_enter(d, xsm_on_init_s(d), XSM_STATE_T);\n"
        "        }\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(c, want[i]))
            fail_msg("not in the output:\n%s\noutput:\n%s", want[i], c);
    free(c);
    spec_free(s);
}

static void test_prefixes(void **st)
{
    assert_true(spec_synth_prefix_ok("xsm"));
    assert_true(spec_synth_prefix_ok("a"));
    assert_true(spec_synth_prefix_ok("rtl8139_b"));
    assert_true(spec_synth_prefix_ok("abcdefghijabcdefghijabcdefghijab"));
    assert_false(spec_synth_prefix_ok("abcdefghijabcdefghijabcdefghijabc"));
    assert_false(spec_synth_prefix_ok(""));
    assert_false(spec_synth_prefix_ok(NULL));
    assert_false(spec_synth_prefix_ok("Xsm"));
    assert_false(spec_synth_prefix_ok("_xsm"));
    assert_false(spec_synth_prefix_ok("9x"));
    assert_false(spec_synth_prefix_ok("x-y"));
    assert_false(spec_synth_prefix_ok("spec"));
    assert_false(spec_synth_prefix_ok("replay"));
    assert_true(spec_synth_prefix_ok("spec_x"));
    char err[256] = "";
    Spec *s = spec_load(SYNTH_DIR "flow.xsm", err, sizeof err);
    assert_non_null(s);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(spec_synth_c_prefixed(s, NULL, "X", f, err, sizeof err), -1);
    assert_non_null(strstr(err, "prefix"));
    assert_int_equal(ftell(f), 0);
    fclose(f);
    spec_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arith),
        cmocka_unit_test(test_banks),
        cmocka_unit_test(test_flow),
        cmocka_unit_test(test_ring),
        cmocka_unit_test(test_xfer),
        cmocka_unit_test(test_rtl8139),
        cmocka_unit_test(test_every_spec_is_run),
        cmocka_unit_test(test_output_depends_on_the_spec_alone),
        cmocka_unit_test(test_comments_without_the_file),
        cmocka_unit_test(test_calls_keep_their_order),
        cmocka_unit_test(test_prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
