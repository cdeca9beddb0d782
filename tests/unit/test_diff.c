/* Unit tests for `xdrv diff` (src/analyze/norm.c, diff.c), rule by rule from
 * docs/formats/diff.md: what normalization removes (time, addresses inside
 * device-reachable allocations, in addr, values and API arguments), poll
 * collapsing and its counts, the unified form byte for byte, --request,
 * --stat, JSON, and errors. Traces are written with the trace writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analyze/diff.h"
#include "analyze/norm.h"
#include "trace/xtr.h"

#define MAXEV 256

typedef struct Trace {
    TraceEvent ev[MAXEV];
    size_t n;
    uint64_t t;
} Trace;

static void add(Trace *t, TraceEvent e)
{
    assert_true(t->n < MAXEV);
    t->t += 7;
    e.vtime = t->t;
    t->ev[t->n++] = e;
}

static char *write_trace(const Trace *t, const char *tag)
{
    static char paths[8][64];
    static unsigned next;
    char *path = paths[next++ % 8];
    snprintf(path, 64, "/tmp/xdrv-test-diff-%s-XXXXXX", tag);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    XtrWriter *w = xtr_writer_new(f, "test_diff");
    assert_non_null(w);
    for (size_t i = 0; i < t->n; i++)
        assert_int_equal(xtr_write(w, &t->ev[i]), 0);
    assert_int_equal(xtr_writer_close(w, "done"), 0);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Run diff_traces into a string (freed by the caller). */
static int run_diff(const char *a, const char *b, const DiffOptions *o, char **out)
{
    size_t len;
    char err[512] = "";
    FILE *f = open_memstream(out, &len);
    assert_non_null(f);
    int r = diff_traces(a, b, o, f, err, sizeof err);
    fclose(f);
    if (r < 0)
        print_message("diff error: %s\n", err);
    return r;
}

/* A send: the buffer appears at `buf`, the driver copies it into the ring
 * at `ring`, programs the address and the length, the device reads it. */
static void send_events(Trace *t, uint32_t ring, uint32_t buf, uint32_t len, uint64_t req)
{
    add(t, (TraceEvent){.kind = TRACE_REQUEST_BEGIN, .name = "send", .value = req,
                        .text = "send"});
    add(t, (TraceEvent){.kind = TRACE_MEM_REGION, .name = "send-buffer", .addr = buf,
                        .size = len, .value = 1});
    static char texts[16][64]; /* events borrow their strings until written */
    static unsigned nt;
    char *text = texts[nt++ % 16];
    snprintf(text, 64, "0x%x, 0x%x, %u", ring + 0x20, buf, len);
    add(t, (TraceEvent){.kind = TRACE_API_CALL, .pc = 0x80101010, .depth = 1, .name = "memcpy",
                        .text = text});
    add(t, (TraceEvent){.kind = TRACE_MEM_STORE, .pc = 0x80101010, .depth = 1,
                        .addr = ring + 0x20, .size = 4, .value = 0x11223344});
    add(t, (TraceEvent){.kind = TRACE_PORT_WRITE, .pc = 0x80101020, .depth = 1, .addr = 0xc320,
                        .size = 4, .value = ring + 0x20, .reg = "TSAD0"});
    add(t, (TraceEvent){.kind = TRACE_PORT_WRITE, .pc = 0x80101030, .depth = 1, .addr = 0xc310,
                        .size = 4, .value = len, .reg = "TSD0"});
    add(t, (TraceEvent){.kind = TRACE_DMA_READ, .pc = 0x80101030, .depth = 1, .addr = ring + 0x20,
                        .size = 4, .data = (const uint8_t *)"\x44\x33\x22\x11", .len = 4});
    add(t, (TraceEvent){.kind = TRACE_MEM_REGION, .name = "send-buffer", .addr = buf,
                        .size = len, .value = 0});
    add(t, (TraceEvent){.kind = TRACE_REQUEST_END, .name = "send", .value = req, .text = "ok"});
}

static void start(Trace *t, uint32_t ring)
{
    add(t, (TraceEvent){.kind = TRACE_MODULE, .name = "nic.sys", .addr = 0x80100000,
                        .size = 0x10000});
    add(t, (TraceEvent){.kind = TRACE_MEM_REGION, .name = "shared", .addr = ring, .size = 0x1000,
                        .value = 1});
}

/* Rule: virtual time, and addresses inside allocations (addr, register
 * values, API arguments), are not behaviour. */
static void test_times_and_addresses_normalized(void **state)
{
    static Trace a, b;
    (void)state;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    b.t = 123456;
    start(&a, 0x81000000);
    start(&b, 0x81800000);
    send_events(&a, 0x81000000, 0x8100c000, 60, 3);
    send_events(&b, 0x81800000, 0x8100e000, 60, 3);
    char *pa = write_trace(&a, "a"), *pb = write_trace(&b, "b"), *out = NULL;
    DiffOptions o = {.context = 3};
    assert_int_equal(run_diff(pa, pb, &o, &out), 0);
    assert_string_equal(out, ""); /* like diff(1): nothing when the same */
    free(out);

    /* and the normalized lines say where, not the number */
    char err[256];
    Norm *n = norm_open(pb, NULL, err, sizeof err);
    assert_non_null(n);
    NormToken tk;
    int found = 0;
    while (norm_next(n, &tk, err, sizeof err) > 0) {
        if (tk.kind == TRACE_API_CALL) {
            assert_string_equal(norm_line(n), "d=1 pc=nic.sys+0x1010 API_CALL name=memcpy "
                                         "text=\"shared+0x20, send-buffer+0x0, 60\"");
            found++;
        }
        if (tk.kind == TRACE_PORT_WRITE && strstr(norm_line(n), "TSAD0")) {
            assert_string_equal(norm_line(n), "d=1 pc=nic.sys+0x1020 PORT_WRITE addr=0xc320 size=4 "
                                         "value=shared+0x20 reg=TSAD0");
            found++;
        }
        if (tk.kind == TRACE_DMA_READ) {
            assert_string_equal(norm_line(n), "d=1 pc=nic.sys+0x1030 DMA_READ addr=shared+0x20 "
                                         "size=4 data=44332211");
            found++;
        }
    }
    assert_int_equal(found, 3);
    assert_int_equal(norm_stats(n)->events, a.n + 1); /* + END */
    assert_false(norm_truncated(n));
    norm_close(n);
    unlink(pa);
    unlink(pb);
}

/* The normalized lines of the trace at path that pick() takes are want[0..n),
 * in order. */
static void expect_lines(const char *path, int (*pick)(const NormToken *, const char *),
                         const char *const *want, unsigned n)
{
    char err[256];
    Norm *nm = norm_open(path, NULL, err, sizeof err);
    assert_non_null(nm);
    NormToken tk;
    unsigned k = 0;
    while (norm_next(nm, &tk, err, sizeof err) > 0)
        if (pick(&tk, norm_line(nm))) {
            assert_true(k < n);
            assert_string_equal(norm_line(nm), want[k]);
            k++;
        }
    assert_int_equal(k, n);
    norm_close(nm);
}

static int pick_port_reads(const NormToken *t, const char *line)
{
    (void)line;
    return t->kind == TRACE_PORT_READ;
}

static int pick_descriptors_and_writes(const NormToken *t, const char *line)
{
    return (t->kind == TRACE_DMA_READ && strstr(line, "size=16")) || t->kind == TRACE_PORT_WRITE;
}

/* The code site prints as module+0xRVA (no leading zeros), or as eight hex
 * digits outside every module. */
static void test_pc_labels(void **state)
{
    static Trace t;
    (void)state;
    memset(&t, 0, sizeof t);
    start(&t, 0x81000000);
    static const uint32_t pcs[] = {0x80100000, 0x8010abcd, 0x8010fff0, 0x00401000, 0x80110000};
    for (unsigned i = 0; i < 5; i++)
        add(&t, (TraceEvent){.kind = TRACE_PORT_READ, .pc = pcs[i], .depth = 1, .addr = 0xc300 + i,
                             .size = 1, .value = i});
    char *p = write_trace(&t, "pc");
    static const char *const want[] = {
        "d=1 pc=nic.sys+0x0 PORT_READ addr=0xc300 size=1 value=0x0",
        "d=1 pc=nic.sys+0xabcd PORT_READ addr=0xc301 size=1 value=0x1",
        "d=1 pc=nic.sys+0xfff0 PORT_READ addr=0xc302 size=1 value=0x2",
        "d=1 pc=0x00401000 PORT_READ addr=0xc303 size=1 value=0x3",
        "d=1 pc=0x80110000 PORT_READ addr=0xc304 size=1 value=0x4",
    };
    expect_lines(p, pick_port_reads, want, 5);
    unlink(p);
}

/* A descriptor (a small block the device moves) and an address given in two
 * 16-bit halves: where the allocations lie does not show, the address words
 * in the descriptor and the halves print as where they point. */
static void addr_words(Trace *t, uint32_t ring, uint32_t buf, uint32_t frame_word)
{
    start(t, ring);
    add(t, (TraceEvent){.kind = TRACE_MEM_REGION, .name = "send-buffer", .addr = buf, .size = 64,
                        .value = 1});
    uint8_t *d = malloc(16), *f = malloc(64);
    assert_non_null(d);
    assert_non_null(f);
    memset(d, 0, 16);
    memcpy(d, &buf, 4); /* the buffer's address (little-endian, as x86 stores it) */
    d[8] = 0x3c;
    d[11] = 0x0b;
    memset(f, 0xab, 64);
    memcpy(f + 8, &frame_word, 4); /* a frame: bytes, even where they look like an address */
    add(t, (TraceEvent){.kind = TRACE_DMA_READ, .addr = ring + 0x20, .size = 16, .data = d, .len = 16});
    add(t, (TraceEvent){.kind = TRACE_DMA_READ, .addr = buf, .size = 64, .data = f, .len = 64});
    uint32_t blk = ring + 0x400;
    add(t, (TraceEvent){.kind = TRACE_PORT_WRITE, .addr = 0xc310, .size = 4, .value = blk & 0xffff,
                        .reg = "IADR[15:0]"});
    add(t, (TraceEvent){.kind = TRACE_PORT_WRITE, .addr = 0xc314, .size = 4, .value = 2, .reg = "RAP"});
    add(t, (TraceEvent){.kind = TRACE_PORT_WRITE, .addr = 0xc310, .size = 4, .value = blk >> 16,
                        .reg = "IADR[31:16]"});
    /* halves that make no address of an allocation stay numbers */
    add(t, (TraceEvent){.kind = TRACE_PORT_WRITE, .addr = 0xc310, .size = 4, .value = 0x1234,
                        .reg = "IADR[15:0]"});
    add(t, (TraceEvent){.kind = TRACE_PORT_WRITE, .addr = 0xc310, .size = 4, .value = 0x5678,
                        .reg = "IADR[31:16]"});
}

static void test_address_words_and_halves(void **state)
{
    static Trace a, b, c;
    (void)state;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    memset(&c, 0, sizeof c);
    addr_words(&a, 0x81000000, 0x8100c000, 0x81000000);
    addr_words(&b, 0x00100000, 0x00104000, 0x81000000);
    addr_words(&c, 0x00100000, 0x00104000, 0x00100000);
    char *pa = write_trace(&a, "wa"), *pb = write_trace(&b, "wb"), *pc = write_trace(&c, "wc");
    char *out = NULL;
    DiffOptions o = {.context = 3};
    assert_int_equal(run_diff(pa, pb, &o, &out), 0);
    assert_string_equal(out, "");
    free(out);
    /* a frame's bytes are bytes: the word that is an address in c's
     * allocations is a difference */
    assert_int_equal(run_diff(pa, pc, &o, &out), 1);
    assert_non_null(strstr(out, "-d=0 DMA_READ addr=send-buffer+0x0 size=64 data=abababababababab00000081"));
    assert_non_null(strstr(out, "+d=0 DMA_READ addr=send-buffer+0x0 size=64 data=abababababababab00001000"));
    free(out);
    static const char *const want[] = {
        "d=0 DMA_READ addr=shared+0x20 size=16 data=[send-buffer+0x0]000000003c00000b00000000",
        "d=0 PORT_WRITE addr=0xc310 size=4 value=(shared+0x400)[15:0] reg=IADR[15:0]",
        "d=0 PORT_WRITE addr=0xc314 size=4 value=0x2 reg=RAP",
        "d=0 PORT_WRITE addr=0xc310 size=4 value=(shared+0x400)[31:16] reg=IADR[31:16]",
        "d=0 PORT_WRITE addr=0xc310 size=4 value=0x1234 reg=IADR[15:0]",
        "d=0 PORT_WRITE addr=0xc310 size=4 value=0x5678 reg=IADR[31:16]",
    };
    expect_lines(pb, pick_descriptors_and_writes, want, 6);
    for (size_t i = 0; i < a.n; i++) {
        free((void *)a.ev[i].data);
        free((void *)b.ev[i].data);
        free((void *)c.ev[i].data);
    }
    unlink(pa);
    unlink(pb);
    unlink(pc);
}

/* Rule: a value outside every allocation stays a number, so a different
 * length shows; the unified form byte for byte. */
static void test_unified_form_exact(void **state)
{
    static Trace a, b;
    (void)state;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    start(&a, 0x81000000);
    start(&b, 0x81000000);
    send_events(&a, 0x81000000, 0x8100c000, 60, 3);
    send_events(&b, 0x81000000, 0x8100c000, 61, 3);
    char *pa = write_trace(&a, "a"), *pb = write_trace(&b, "b"), *out = NULL;
    /* two changes two kept lines apart: one hunk with -U1 (closer than
     * twice the context), two with -U0 */
    DiffOptions o = {.context = 1};
    assert_int_equal(run_diff(pa, pb, &o, &out), 1);
    char want[4096];
    snprintf(want, sizeof want,
             "--- %s\t12 events, 12 tokens (0 polls of 0 events)\n"
             "+++ %s\t12 events, 12 tokens (0 polls of 0 events)\n"
             "@@ -3,9 +3,9 @@ request 3 send (#2, #2)\n"
             " d=0 REQUEST_BEGIN name=send value=0x3 text=\"send\"\n"
             "-d=0 MEM_REGION name=send-buffer addr=send-buffer+0x0 size=60 value=0x1\n"
             "-d=1 pc=nic.sys+0x1010 API_CALL name=memcpy text=\"shared+0x20, send-buffer+0x0, "
             "60\"\n"
             "+d=0 MEM_REGION name=send-buffer addr=send-buffer+0x0 size=61 value=0x1\n"
             "+d=1 pc=nic.sys+0x1010 API_CALL name=memcpy text=\"shared+0x20, send-buffer+0x0, "
             "61\"\n"
             " d=1 pc=nic.sys+0x1010 MEM_STORE addr=shared+0x20 size=4 value=0x11223344\n"
             " d=1 pc=nic.sys+0x1020 PORT_WRITE addr=0xc320 size=4 value=shared+0x20 reg=TSAD0\n"
             "-d=1 pc=nic.sys+0x1030 PORT_WRITE addr=0xc310 size=4 value=0x3c reg=TSD0\n"
             "+d=1 pc=nic.sys+0x1030 PORT_WRITE addr=0xc310 size=4 value=0x3d reg=TSD0\n"
             " d=1 pc=nic.sys+0x1030 DMA_READ addr=shared+0x20 size=4 data=44332211\n"
             "-d=0 MEM_REGION name=send-buffer addr=send-buffer+0x0 size=60 value=0x0\n"
             "+d=0 MEM_REGION name=send-buffer addr=send-buffer+0x0 size=61 value=0x0\n"
             " d=0 REQUEST_END name=send value=0x3 text=\"ok\"\n",
             pa, pb);
    assert_string_equal(out, want);
    free(out);

    o.context = 0;
    assert_int_equal(run_diff(pa, pb, &o, &out), 1);
    assert_non_null(strstr(out, "\n@@ -4,2 +4,2 @@ request 3 send (#3, #3)\n"));
    assert_non_null(strstr(out, "\n@@ -8,1 +8,1 @@ request 3 send (#7, #7)\n"));
    free(out);

    /* --stat: counts by kind and by request kind */
    o.format = DIFF_STAT;
    assert_int_equal(run_diff(pa, pb, &o, &out), 1);
    assert_non_null(strstr(out, "kept 8 tokens, deleted 4, inserted 4, in 3 changes\n"));
    assert_non_null(strstr(out, "  PORT_WRITE     -1        +1\n"));
    assert_non_null(strstr(out, "  send               -4        +4        in 1 request\n"));
    free(out);

    /* JSON: the same changes for tools */
    o.format = DIFF_JSON;
    assert_int_equal(run_diff(pa, pb, &o, &out), 1);
    assert_non_null(strstr(out, "\"same\":false,\"kept\":8,\"deleted\":4,\"inserted\":4,"
                                "\"changes\":3,\"hunks\":["));
    assert_non_null(strstr(out, "{\"op\":\"+\",\"seq\":7,\"count\":1,\"text\":\"d=1 "
                                "pc=nic.sys+0x1030 PORT_WRITE addr=0xc310 size=4 value=0x3d "
                                "reg=TSD0\"}"));
    assert_non_null(strstr(out, "\"request\":3,\"request_kind\":\"send\""));
    free(out);
    unlink(pa);
    unlink(pb);
}

static void poll_events(Trace *t, unsigned iterations)
{
    add(t, (TraceEvent){.kind = TRACE_PORT_WRITE, .pc = 0x80102000, .depth = 1, .addr = 0xc337,
                        .size = 1, .value = 0x10});
    for (unsigned i = 0; i < iterations; i++) {
        add(t, (TraceEvent){.kind = TRACE_PORT_READ, .pc = 0x80102010, .depth = 1,
                            .addr = 0xc337, .size = 1, .value = 0x10});
        add(t, (TraceEvent){.kind = TRACE_API_CALL, .pc = 0x80102020, .depth = 1,
                            .name = "NdisStallExecution", .text = "10"});
        add(t, (TraceEvent){.kind = TRACE_API_RETURN, .pc = 0x80102020, .depth = 1,
                            .name = "NdisStallExecution"});
    }
    add(t, (TraceEvent){.kind = TRACE_PORT_READ, .pc = 0x80102010, .depth = 1, .addr = 0xc337,
                        .size = 1, .value = 0x00});
}

/* Rule: a block of events that reads a register and repeats back to back
 * is one POLL token; the count does not take part in the alignment, but a
 * different count is a change unless ignored. */
static void test_polls_collapse(void **state)
{
    static Trace a, b;
    (void)state;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    start(&a, 0x81000000);
    start(&b, 0x81000000);
    poll_events(&a, 3);
    poll_events(&b, 7);
    char *pa = write_trace(&a, "a"), *pb = write_trace(&b, "b"), *out = NULL;

    char err[256];
    Norm *n = norm_open(pa, NULL, err, sizeof err);
    assert_non_null(n);
    NormToken tk;
    const char *want[] = {
        "d=0 MODULE name=nic.sys addr=0x80100000 size=65536",
        "d=0 MEM_REGION name=shared addr=shared+0x0 size=4096 value=0x1",
        "d=1 pc=nic.sys+0x2000 PORT_WRITE addr=0xc337 size=1 value=0x10",
        "POLL x3 { d=1 pc=nic.sys+0x2010 PORT_READ addr=0xc337 size=1 value=0x10 ; d=1 "
        "pc=nic.sys+0x2020 API_CALL name=NdisStallExecution text=\"10\" ; d=1 pc=nic.sys+0x2020 "
        "API_RETURN name=NdisStallExecution value=0x0 }",
        "d=1 pc=nic.sys+0x2010 PORT_READ addr=0xc337 size=1 value=0x0",
        "d=0 END text=\"done\"",
    };
    size_t i = 0;
    while (norm_next(n, &tk, err, sizeof err) > 0) {
        assert_true(i < sizeof want / sizeof want[0]);
        assert_string_equal(norm_line(n), want[i]);
        if (i == 3) {
            assert_int_equal(tk.count, 3);
            assert_int_equal(tk.period, 3);
        }
        i++;
    }
    assert_int_equal(i, sizeof want / sizeof want[0]);
    assert_int_equal(norm_stats(n)->polls, 1);
    assert_int_equal(norm_stats(n)->polled, 9);
    norm_close(n);

    DiffOptions o = {.context = 0};
    assert_int_equal(run_diff(pa, pb, &o, &out), 1);
    assert_non_null(strstr(out, "\n-POLL x3 {"));
    assert_non_null(strstr(out, "\n+POLL x7 {"));
    free(out);
    o.ignore_poll_counts = 1;
    assert_int_equal(run_diff(pa, pb, &o, &out), 0);
    free(out);
    unlink(pa);
    unlink(pb);
}

/* Rule: writes alone never make a poll (an EEPROM clocked bit by bit is
 * not a loop waiting on the device). */
static void test_repeated_writes_are_not_polls(void **state)
{
    static Trace a;
    (void)state;
    memset(&a, 0, sizeof a);
    for (int i = 0; i < 6; i++)
        add(&a, (TraceEvent){.kind = TRACE_PORT_WRITE, .pc = 0x80102000, .depth = 1,
                             .addr = 0xc350, .size = 1, .value = 0x88});
    char *pa = write_trace(&a, "a");
    char err[256];
    Norm *n = norm_open(pa, NULL, err, sizeof err);
    assert_non_null(n);
    NormToken tk;
    while (norm_next(n, &tk, err, sizeof err) > 0)
        assert_int_equal(tk.count, 1);
    assert_int_equal(norm_stats(n)->tokens, 7);
    norm_close(n);
    unlink(pa);
}

/* Rule: --request N aligns only request N's events; a request in neither
 * trace is an error. */
static void test_request_filter(void **state)
{
    static Trace a, b;
    (void)state;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    start(&a, 0x81000000);
    start(&b, 0x81000000);
    send_events(&a, 0x81000000, 0x8100c000, 60, 1);
    send_events(&b, 0x81000000, 0x8100c000, 60, 1);
    send_events(&a, 0x81000000, 0x8100c000, 100, 2);
    send_events(&b, 0x81000000, 0x8100c000, 200, 2);
    char *pa = write_trace(&a, "a"), *pb = write_trace(&b, "b"), *out = NULL;
    DiffOptions o = {.context = 3, .norm = {.request = 1}};
    assert_int_equal(run_diff(pa, pb, &o, &out), 0);
    free(out);
    o.norm.request = 2;
    assert_int_equal(run_diff(pa, pb, &o, &out), 1);
    assert_non_null(strstr(out, "@@ -1,9 +1,9 @@ request 2 send"));
    assert_null(strstr(out, "request 1 "));
    free(out);
    o.norm.request = 9;
    char err[256];
    FILE *f = fopen("/dev/null", "w");
    assert_int_equal(diff_traces(pa, pb, &o, f, err, sizeof err), -1);
    fclose(f);
    assert_string_equal(err, "request 9 is in neither trace");
    unlink(pa);
    unlink(pb);
}

/* Rule: an unreadable or malformed trace is a one-line error naming it. */
static void test_bad_input(void **state)
{
    (void)state;
    char path[] = "/tmp/xdrv-test-diff-bad-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "not a trace\n", 12), 12);
    close(fd);
    DiffOptions o = {.context = 3};
    char err[512];
    FILE *f = fopen("/dev/null", "w");
    assert_int_equal(diff_traces(path, path, &o, f, err, sizeof err), -1);
    assert_non_null(strstr(err, path));
    assert_null(strchr(err, '\n'));
    assert_int_equal(diff_traces("/nonexistent/x.xtr", path, &o, f, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/x.xtr"));
    fclose(f);
    unlink(path);
}

/* Write n events shaped like a recording; every `every`-th register write
 * gets a different value in the copy (b != 0). */
static void write_big(const char *path, size_t n, unsigned every, int b)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    XtrWriter *w = xtr_writer_new(f, "big");
    assert_non_null(w);
    TraceEvent mod = {.kind = TRACE_MODULE, .name = "nic.sys", .addr = 0x80100000,
                      .size = 0x10000};
    assert_int_equal(xtr_write(w, &mod), 0);
    for (size_t i = 1; i < n; i++) {
        TraceEvent e = {.kind = i % 3 ? TRACE_PORT_WRITE : TRACE_PORT_READ,
                        .vtime = i * 10,
                        .depth = 1,
                        .pc = 0x80101000u + (uint32_t)(i % 97) * 4,
                        .addr = 0xc300u + (uint32_t)(i % 13),
                        .size = 1,
                        .value = (i * 2654435761u) >> 24};
        if (b && i % every == 0)
            e.value ^= 0x5a;
        assert_int_equal(xtr_write(w, &e), 0);
    }
    assert_int_equal(xtr_writer_close(w, "done"), 0);
    assert_int_equal(fclose(f), 0);
}

/* Rule: memory stays linear: two 10^6-event traces differing in 0.1% of
 * their events are compared within a fixed budget (a child process, so
 * that its peak resident size is the diff's alone). */
static void test_million_events_fixed_budget(void **state)
{
    (void)state;
    char pa[] = "/tmp/xdrv-test-diff-bigA-XXXXXX", pb[] = "/tmp/xdrv-test-diff-bigB-XXXXXX";
    int fa = mkstemp(pa), fb = mkstemp(pb);
    assert_true(fa >= 0 && fb >= 0);
    close(fa);
    close(fb);
    write_big(pa, 1000000, 1000, 0);
    write_big(pb, 1000000, 1000, 1);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        DiffOptions o = {.format = DIFF_STAT};
        char err[256];
        FILE *f = fopen("/dev/null", "w");
        _exit(f && diff_traces(pa, pb, &o, f, err, sizeof err) == 1 ? 0 : 1);
    }
    int st;
    struct rusage ru;
    assert_int_equal(wait4(pid, &st, 0, &ru), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    /* about 100 MB without sanitizers (docs/performance.md); the ASan build
     * keeps shadow memory besides: 768 MB is a fixed budget either way,
     * where a quadratic table for 10^6 x 10^6 tokens would not fit at all */
    print_message("diff of two 10^6-event traces: peak RSS %ld MB\n", ru.ru_maxrss / 1024);
    assert_true(ru.ru_maxrss < 768L * 1024);
    unlink(pa);
    unlink(pb);
}

/* Rule: large traces are read side by side (a thread each), and the
 * result is the same as read in turn: the first trace's error wins, each
 * names its file, and a clean pair compares as it would alone. */
static void test_large_pair_read_at_once(void **state)
{
    (void)state;
    char pa[] = "/tmp/xdrv-test-diff-parA-XXXXXX", pb[] = "/tmp/xdrv-test-diff-parB-XXXXXX",
         pj[] = "/tmp/xdrv-test-diff-parJ-XXXXXX";
    int fa = mkstemp(pa), fb = mkstemp(pb), fj = mkstemp(pj);
    assert_true(fa >= 0 && fb >= 0 && fj >= 0);
    close(fa);
    close(fb);
    write_big(pa, 100000, 1000, 0); /* about 0.9 MB each: past the threshold */
    write_big(pb, 100000, 1000, 1);
    static char junk[700 << 10];
    memset(junk, 'x', sizeof junk);
    assert_int_equal(write(fj, junk, sizeof junk), (ssize_t)sizeof junk);
    close(fj);
    DiffOptions o = {.format = DIFF_STAT};
    char err[512];
    FILE *f = fopen("/dev/null", "w");
    assert_int_equal(diff_traces(pa, pj, &o, f, err, sizeof err), -1);
    assert_non_null(strstr(err, pj));
    assert_int_equal(diff_traces(pj, pb, &o, f, err, sizeof err), -1);
    assert_non_null(strstr(err, pj));
    assert_null(strstr(err, pb));
    fclose(f);
    char *out = NULL;
    assert_int_equal(run_diff(pa, pb, &o, &out), 1);
    assert_non_null(strstr(out, "kept"));
    free(out);
    assert_int_equal(run_diff(pa, pa, &o, &out), 0);
    free(out);
    unlink(pa);
    unlink(pb);
    unlink(pj);
}

/* A trace of sends far apart in a long run of register accesses: a
 * buffer that lives from the start (the ring), one allocated and freed per
 * send, API text with addresses in them, a module loaded midway; b's sends
 * differ in length at some. */
static void write_sparse(const char *path, int b)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    XtrWriter *w = xtr_writer_new(f, "sparse");
    assert_non_null(w);
    Trace t = {0};
    start(&t, 0x81000000u);
    for (size_t i = 0; i < t.n; i++)
        assert_int_equal(xtr_write(w, &t.ev[i]), 0);
    uint64_t vt = 1000;
    for (unsigned i = 0; i < 30000; i++) {
        TraceEvent e = {.kind = i % 3 ? TRACE_PORT_WRITE : TRACE_PORT_READ,
                        .vtime = vt += 10,
                        .depth = 1,
                        .pc = 0x80101000u + (i % 89) * 4,
                        .addr = 0xc300u + i % 11,
                        .size = 1,
                        .value = (i * 2654435761u) >> 24};
        assert_int_equal(xtr_write(w, &e), 0);
        if (i == 15000) {
            TraceEvent m = {.kind = TRACE_MODULE, .vtime = vt, .name = "helper.sys",
                            .addr = 0x80200000u, .size = 0x1000};
            assert_int_equal(xtr_write(w, &m), 0);
        }
        if (i % 4999 == 4998) {
            Trace s = {0};
            s.t = vt;
            send_events(&s, 0x81000000u, 0x82000000u + i * 16, b && i % 3 ? 99 : 60, i);
            for (size_t k = 0; k < s.n; k++)
                assert_int_equal(xtr_write(w, &s.ev[k]), 0);
            vt = s.t;
        }
    }
    assert_int_equal(xtr_writer_close(w, "done"), 0);
    assert_int_equal(fclose(f), 0);
}

/* Pass 2 comes back to each hunk from the nearest mark of pass 1 (every
 * 2048 events), not by reading the traces again from the start: the
 * output is byte for byte the same as reading from the start, in every
 * form, and allocations named before a mark are still named after it. */
static void test_marks_give_the_same_lines(void **state)
{
    (void)state;
    char pa[] = "/tmp/xdrv-test-diff-mkA-XXXXXX", pb[] = "/tmp/xdrv-test-diff-mkB-XXXXXX";
    int fa = mkstemp(pa), fb = mkstemp(pb);
    assert_true(fa >= 0 && fb >= 0);
    close(fa);
    close(fb);
    write_sparse(pa, 0);
    write_sparse(pb, 1);
    const DiffFormat forms[] = {DIFF_UNIFIED, DIFF_JSON, DIFF_STAT};
    for (unsigned i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        DiffOptions o = {.format = forms[i], .context = 3};
        DiffOptions full = o;
        full.no_marks = 1;
        char *a = NULL, *b = NULL;
        assert_int_equal(run_diff(pa, pb, &o, &a), 1);
        assert_int_equal(run_diff(pa, pb, &full, &b), 1);
        assert_string_equal(a, b);
        if (forms[i] == DIFF_UNIFIED) {
            /* the ring, allocated before every mark, named in the last hunk */
            const char *last = strrchr(a, '@');
            assert_non_null(last);
            assert_non_null(strstr(last, "shared+0x20"));
            assert_non_null(
                strstr(a, "-d=1 pc=nic.sys+0x1030 PORT_WRITE addr=0xc310 size=4 value=0x3c reg=TSD0"));
        }
        free(a);
        free(b);
    }
    unlink(pa);
    unlink(pb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_marks_give_the_same_lines),
        cmocka_unit_test(test_times_and_addresses_normalized),
        cmocka_unit_test(test_pc_labels),
        cmocka_unit_test(test_address_words_and_halves),
        cmocka_unit_test(test_unified_form_exact),
        cmocka_unit_test(test_polls_collapse),
        cmocka_unit_test(test_repeated_writes_are_not_polls),
        cmocka_unit_test(test_request_filter),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_million_events_fixed_budget),
        cmocka_unit_test(test_large_pair_read_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
