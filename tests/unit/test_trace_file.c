/* Unit tests for trace files (src/trace/xtr.c, dump.c, chrome.c), rule by
 * rule from docs/formats/trace.md: the golden trace (every kind, written
 * byte-identically to tests/golden/trace/small.xtr and dumped identically to
 * small.dump), the binary round trip, a file cut at every byte, malformed
 * input, version refusal, interning, write errors, the dump round trip and
 * the Chrome JSON export.
 *
 * XDRV_REGEN_GOLDEN=1 rewrites the golden files (after a deliberate format
 * change, which also bumps XTR_VERSION). XDRV_TRACE_CORPUS=DIR writes the
 * fuzzer's seed trace files into DIR (tests/fuzz/make-trace-corpus.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/xtr.h"

#define GOLDEN_MAX 64

/* ------------------------------------------------------------ helpers */

typedef struct Buf {
    char *p;
    size_t len;
} Buf;

/* The golden sequence: every kind at least once, the strings a dump must
 * escape, data and coverage blocks, a pc inside and outside the module,
 * nesting, a vtime that steps back once. END comes from xtr_writer_close. */
static const uint8_t frame_out[60] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x08, 0x06,
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
    0x0a, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x01};
static const uint8_t frame_in[14] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x02,
                                     0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00};
static const uint8_t dma_rd[8] = {0x00, 0x06, 0x00, 0x80, 0x00, 0x10, 0x20, 0x00};
static const uint8_t dma_wr[4] = {0x3c, 0x00, 0x01, 0xa0};
static const uint8_t store6[6] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x01};
static const uint8_t blocks[24] = {0x00, 0x04, 0, 0, 0x10, 0,    0, 0, 0x2b, 0x0a, 0, 0,
                                   0x06, 0,    0, 0, 0xbc, 0x0a, 0, 0, 0x03, 0,    0, 0};
static const uint8_t odd_blocks[5] = {1, 2, 3, 4, 5};

#define BASE 0x80100000u

static size_t golden_events(TraceEvent *ev)
{
    size_t n = 0;
    ev[n++] = (TraceEvent){.kind = TRACE_NOTE, .name = "machine", .text = "rtl8139 on pci 00:03.0"};
    ev[n++] = (TraceEvent){.kind = TRACE_MODULE,
                           .vtime = 10,
                           .name = "rtl8139.sys",
                           .text = "drivers/rtl8139.sys",
                           .addr = BASE,
                           .size = 0x8000};
    ev[n++] = (TraceEvent){.kind = TRACE_REQUEST_BEGIN,
                           .vtime = 20,
                           .name = "initialize",
                           .value = 1,
                           .text = "service=rtl8139"};
    ev[n++] = (TraceEvent){.kind = TRACE_GUEST_CALL,
                           .vtime = 1000,
                           .name = "DriverEntry",
                           .addr = BASE + 0x400,
                           .text = "0x81000000, 0x81001000"};
    ev[n++] = (TraceEvent){.kind = TRACE_API_CALL,
                           .vtime = 1500,
                           .depth = 1,
                           .pc = BASE + 0x420,
                           .name = "NdisMInitializeWrapper",
                           .text = "0x81002000, 0x81000000, 0x81001000, 0x0"};
    ev[n++] = (TraceEvent){.kind = TRACE_API_RETURN,
                           .vtime = 1700,
                           .depth = 1,
                           .pc = BASE + 0x420,
                           .name = "NdisMInitializeWrapper"};
    ev[n++] = (TraceEvent){.kind = TRACE_MEM_REGION,
                           .vtime = 2000,
                           .depth = 1,
                           .pc = BASE + 0x4f0,
                           .name = "shared",
                           .addr = 0x00200000,
                           .size = 0x4000,
                           .value = 1};
    ev[n++] = (TraceEvent){.kind = TRACE_CONFIG_READ,
                           .vtime = 2100,
                           .depth = 1,
                           .pc = BASE + 0x500,
                           .name = "rtl8139",
                           .addr = 0,
                           .size = 4,
                           .value = 0x813910ec,
                           .reg = "VENDOR_ID"};
    ev[n++] = (TraceEvent){.kind = TRACE_CONFIG_WRITE,
                           .vtime = 2200,
                           .depth = 1,
                           .pc = BASE + 0x510,
                           .name = "rtl8139",
                           .addr = 4,
                           .size = 2,
                           .value = 7,
                           .reg = "COMMAND"};
    ev[n++] = (TraceEvent){.kind = TRACE_PORT_WRITE,
                           .vtime = 1234567,
                           .depth = 1,
                           .pc = BASE + 0x1a2b,
                           .addr = 0xc037,
                           .size = 1,
                           .value = 0x10,
                           .reg = "CR"};
    ev[n++] = (TraceEvent){.kind = TRACE_PORT_READ,
                           .vtime = 1234600,
                           .depth = 1,
                           .pc = BASE + 0x1a31,
                           .addr = 0xc037,
                           .size = 1,
                           .value = 0x0c,
                           .reg = "CR"};
    ev[n++] = (TraceEvent){.kind = TRACE_MMIO_WRITE,
                           .vtime = 1234700,
                           .depth = 1,
                           .pc = BASE + 0x1a40,
                           .addr = 0xfebf0044,
                           .size = 4,
                           .value = 0xe70f,
                           .reg = "RCR"};
    /* an unnamed register: no reg= */
    ev[n++] = (TraceEvent){.kind = TRACE_MMIO_READ,
                           .vtime = 1234800,
                           .depth = 1,
                           .pc = BASE + 0x1a48,
                           .addr = 0xfebf00f0,
                           .size = 4,
                           .value = 0xffffffff};
    ev[n++] = (TraceEvent){.kind = TRACE_MEM_STORE,
                           .vtime = 1234900,
                           .depth = 1,
                           .pc = BASE + 0x1b00,
                           .addr = 0x00200010,
                           .size = 4,
                           .value = 0x80000600};
    ev[n++] = (TraceEvent){.kind = TRACE_MEM_STORE,
                           .vtime = 1235000,
                           .depth = 1,
                           .pc = BASE + 0x1b10,
                           .addr = 0x00200020,
                           .size = 6,
                           .data = store6,
                           .len = sizeof store6};
    ev[n++] = (TraceEvent){.kind = TRACE_DMA_READ,
                           .vtime = 1240000,
                           .depth = 1,
                           .pc = BASE + 0x1a2b,
                           .addr = 0x00200100,
                           .size = 8,
                           .data = dma_rd,
                           .len = sizeof dma_rd};
    ev[n++] = (TraceEvent){.kind = TRACE_DMA_WRITE,
                           .vtime = 1250000,
                           .addr = 0x00200200,
                           .size = 4,
                           .data = dma_wr,
                           .len = sizeof dma_wr};
    /* the driver reads back the receive header the device wrote */
    ev[n++] = (TraceEvent){.kind = TRACE_MEM_LOAD,
                           .vtime = 1250000,
                           .depth = 1,
                           .pc = BASE + 0x1b40,
                           .addr = 0x00200200,
                           .size = 4,
                           .value = 0x00404001};
    ev[n++] = (TraceEvent){.kind = TRACE_IRQ_RAISE, .vtime = 1250000, .value = 11};
    ev[n++] = (TraceEvent){.kind = TRACE_INTERRUPT, .vtime = 1250100, .depth = 1, .value = 11};
    ev[n++] = (TraceEvent){.kind = TRACE_GUEST_CALL,
                           .vtime = 1250200,
                           .depth = 1,
                           .name = "MiniportISR",
                           .addr = BASE + 0x2000,
                           .text = "0x81003000, 0x81003004, 0x81004000"};
    ev[n++] = (TraceEvent){.kind = TRACE_IRQ_LOWER, .vtime = 1250300, .depth = 2, .value = 11};
    ev[n++] = (TraceEvent){.kind = TRACE_GUEST_RETURN,
                           .vtime = 1250400,
                           .depth = 1,
                           .name = "MiniportISR",
                           .value = 1};
    ev[n++] = (TraceEvent){.kind = TRACE_FRAME_OUT,
                           .vtime = 1300000,
                           .depth = 1,
                           .pc = BASE + 0x1a2b,
                           .name = "wire",
                           .size = 60,
                           .data = frame_out,
                           .len = sizeof frame_out};
    ev[n++] = (TraceEvent){.kind = TRACE_FRAME_IN,
                           .vtime = 1400000,
                           .name = "netdev",
                           .size = 42,
                           .data = frame_in,
                           .len = sizeof frame_in};
    /* quotes, backslash, newline, tab, a control byte, UTF-8 and a byte
     * that is not UTF-8 */
    ev[n++] = (TraceEvent){.kind = TRACE_DEBUG_PRINT,
                           .vtime = 1400100,
                           .depth = 1,
                           .pc = BASE + 0x3000,
                           .text = "rtl8139: link \"up\" \\ 100\tMb\n\x01 caf\xc3\xa9 \xff"};
    ev[n++] = (TraceEvent){.kind = TRACE_FIXME,
                           .vtime = 1400200,
                           .depth = 1,
                           .pc = BASE + 0x3010,
                           .name = "NdisMQueryAdapterResources",
                           .text = "partial: no DMA channel"};
    ev[n++] = (TraceEvent){
        .kind = TRACE_GUEST_RETURN, .vtime = 1500000, .name = "DriverEntry", .value = 0};
    ev[n++] = (TraceEvent){.kind = TRACE_REQUEST_END,
                           .vtime = 1500000,
                           .name = "initialize",
                           .value = 1,
                           .text = "status=0x00000000"};
    ev[n++] = (TraceEvent){.kind = TRACE_BLOCKS,
                           .vtime = 1500000,
                           .name = "rtl8139.sys",
                           .size = 3,
                           .data = blocks,
                           .len = sizeof blocks};
    /* the robustness cases: an empty (not absent) name, fields a kind does
     * not use, a pc outside every module, a clock stepping back, blocks
     * that are not whole pairs */
    ev[n++] = (TraceEvent){.kind = TRACE_NOTE, .vtime = 1499000, .name = "", .text = "", .addr = 1};
    ev[n++] = (TraceEvent){.kind = TRACE_API_CALL,
                           .vtime = 1600000,
                           .depth = 3,
                           .pc = 0x80001234,
                           .name = "KeBugCheckEx",
                           .text = "0xd1",
                           .reg = "EAX",
                           .value = UINT64_MAX};
    ev[n++] = (TraceEvent){.kind = TRACE_BLOCKS,
                           .vtime = 1600000,
                           .name = "rtl8139.sys",
                           .data = odd_blocks,
                           .len = sizeof odd_blocks};
    ev[n++] = (TraceEvent){.kind = TRACE_FAULT,
                           .vtime = 1700000,
                           .depth = 2,
                           .pc = BASE + 0x1abc,
                           .name = "page-fault",
                           .addr = BASE + 0x1abc,
                           .text = "read at 0x00000000"};
    assert_true(n < GOLDEN_MAX);
    return n;
}

#define GOLDEN_INFO "xdrv run --driver rtl8139.sys (golden)"
#define GOLDEN_SUMMARY "3 requests, 1 fault"

/* Writes events to memory; `ends` (optional) gets each record's end offset. */
static Buf write_trace(const TraceEvent *ev, size_t n, const char *info, const char *summary,
                       size_t *ends)
{
    Buf b = {0};
    FILE *f = open_memstream(&b.p, &b.len);
    assert_non_null(f);
    XtrWriter *w = xtr_writer_new(f, info);
    assert_non_null(w);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(xtr_write(w, &ev[i]), 0);
        if (ends) {
            assert_int_equal(xtr_writer_flush(w), 0);
            ends[i] = b.len;
        }
    }
    assert_int_equal(xtr_writer_count(w), n);
    if (summary) {
        assert_int_equal(xtr_writer_close(w, summary), 0);
        if (ends)
            ends[n] = b.len;
    } else {
        xtr_writer_free(w);
    }
    assert_int_equal(fclose(f), 0);
    return b;
}

static Buf golden_trace(size_t *ends)
{
    TraceEvent ev[GOLDEN_MAX];
    size_t n = golden_events(ev);
    return write_trace(ev, n, GOLDEN_INFO, GOLDEN_SUMMARY, ends);
}

static const char *golden_path(const char *name, char *buf, size_t len)
{
    const char *src = getenv("XDRV_SRCDIR");
    if (src && *src)
        snprintf(buf, len, "%s/tests/golden/trace/%s", src, name);
    else
        snprintf(buf, len, "tests/golden/trace/%s", name);
    return buf;
}

static int regen(void)
{
    const char *r = getenv("XDRV_REGEN_GOLDEN");
    return r && *r && strcmp(r, "0");
}

static Buf read_file(const char *path)
{
    Buf b = {0};
    FILE *f = fopen(path, "rb");
    if (!f)
        return b;
    FILE *m = open_memstream(&b.p, &b.len);
    assert_non_null(m);
    char tmp[4096];
    size_t got;
    while ((got = fread(tmp, 1, sizeof tmp, f)) > 0)
        fwrite(tmp, 1, got, m);
    fclose(f);
    fclose(m);
    return b;
}

static void write_file(const char *path, const void *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Compares with a golden file, or rewrites it under XDRV_REGEN_GOLDEN. */
static void check_golden(const char *name, const void *p, size_t len)
{
    char path[512];
    golden_path(name, path, sizeof path);
    if (regen()) {
        write_file(path, p, len);
        print_message("regenerated %s\n", path);
        return;
    }
    Buf g = read_file(path);
    if (!g.p)
        fail_msg("%s: missing (XDRV_REGEN_GOLDEN=1 writes it)", path);
    if (g.len != len || memcmp(g.p, p, len) != 0) {
        size_t i = 0;
        while (i < len && i < g.len && ((const char *)p)[i] == g.p[i])
            i++;
        free(g.p);
        fail_msg("%s differs at byte %zu (%zu bytes, golden %zu): a format change bumps "
                 "XTR_VERSION and regenerates (XDRV_REGEN_GOLDEN=1)",
                 path, i, len, g.len);
    }
    free(g.p);
}

/* All events of a trace; asserts it reads cleanly. */
static size_t read_all(XtrReader *r, TraceEvent *ev, size_t max)
{
    char err[XTR_ERR_MAX];
    size_t n = 0;
    int rc;
    while ((rc = xtr_read(r, &ev[n], err, sizeof err)) == 1) {
        n++;
        assert_true(n < max);
    }
    if (rc < 0)
        fail_msg("%s", err);
    return n;
}

static Buf dump_all(const TraceEvent *ev, size_t n)
{
    Buf b = {0};
    FILE *f = open_memstream(&b.p, &b.len);
    XtrModules mods = {.n = 0};
    for (size_t i = 0; i < n; i++) {
        size_t cap = xtr_dump_size(&ev[i]);
        char *line = malloc(cap);
        int len = xtr_dump_line(&mods, &ev[i], line, cap);
        assert_true(len > 0);
        assert_int_equal((size_t)len, strlen(line));
        fputs(line, f);
        free(line);
    }
    fclose(f);
    return b;
}

/* ------------------------------------------------------------- golden */

static void test_trace_golden_bytes(void **state)
{
    (void)state;
    Buf b = golden_trace(NULL);
    check_golden("small.xtr", b.p, b.len);
    /* the same events give the same bytes */
    Buf again = golden_trace(NULL);
    assert_int_equal(again.len, b.len);
    assert_memory_equal(again.p, b.p, b.len);
    free(again.p);
    free(b.p);
}

static void test_trace_golden_dump(void **state)
{
    (void)state;
    Buf b = golden_trace(NULL);
    char err[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open_mem(b.p, b.len, err, sizeof err);
    assert_non_null(r);
    TraceEvent ev[GOLDEN_MAX];
    size_t n = read_all(r, ev, GOLDEN_MAX);
    Buf d = dump_all(ev, n);
    check_golden("small.dump", d.p, d.len);
    /* the line the format document shows */
    assert_non_null(strstr(d.p, "\n#9 t=1234567 d=1 pc=rtl8139.sys+0x1a2b PORT_WRITE addr=0xc037 "
                                "size=1 value=0x10 reg=CR\n"));
    free(d.p);
    xtr_reader_free(r);
    free(b.p);
}

/* every kind of events.def is in the golden sequence (and has a field set) */
static void test_trace_golden_covers_every_kind(void **state)
{
    (void)state;
    TraceEvent ev[GOLDEN_MAX];
    size_t n = golden_events(ev);
    int seen[TRACE_KIND_COUNT] = {0};
    for (size_t i = 0; i < n; i++)
        seen[ev[i].kind] = 1;
    seen[TRACE_END] = 1; /* xtr_writer_close */
    for (unsigned k = 0; k < TRACE_KIND_COUNT; k++) {
        if (!seen[k])
            fail_msg("kind %s missing from the golden trace", trace_kind_name((TraceKind)k));
        assert_int_not_equal(xtr_kind_fields((TraceKind)k), 0);
    }
    assert_int_equal(xtr_kind_fields(TRACE_KIND_COUNT), 0);
}

/* ---------------------------------------------------------- round trip */

static void test_trace_binary_round_trip(void **state)
{
    (void)state;
    TraceEvent in[GOLDEN_MAX], out[GOLDEN_MAX];
    size_t n = golden_events(in);
    Buf b = write_trace(in, n, GOLDEN_INFO, GOLDEN_SUMMARY, NULL);
    char err[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open_mem(b.p, b.len, err, sizeof err);
    assert_non_null(r);
    free(b.p); /* the reader has its own copy */
    assert_string_equal(xtr_reader_info(r), GOLDEN_INFO);
    assert_int_equal(xtr_reader_version(r), XTR_VERSION);
    size_t got = read_all(r, out, GOLDEN_MAX);
    assert_int_equal(got, n + 1);
    for (size_t i = 0; i < n; i++) {
        in[i].seq = i;
        if (!xtr_event_equal(&in[i], &out[i]))
            fail_msg("event %zu (%s) differs after the round trip", i, trace_kind_name(in[i].kind));
    }
    assert_int_equal(out[n].kind, TRACE_END);
    assert_string_equal(out[n].text, GOLDEN_SUMMARY);
    assert_int_equal(out[n].seq, n);
    assert_int_equal(xtr_reader_complete(r), 1);
    assert_int_equal(xtr_reader_truncated(r), 0);
    /* the end stays the end */
    assert_int_equal(xtr_read(r, &out[0], err, sizeof err), 0);
    /* the reader kept the module for pc formatting */
    char pc[64];
    assert_string_equal(xtr_format_pc(xtr_reader_modules(r), BASE + 0x10, pc, sizeof pc),
                        "rtl8139.sys+0x10");
    xtr_reader_free(r);
}

/* NULL info, NULL summary, an event with everything at its default */
static void test_trace_defaults_round_trip(void **state)
{
    (void)state;
    TraceEvent in[3] = {{.kind = TRACE_API_CALL},
                        {.kind = TRACE_FRAME_IN, .data = frame_in, .len = 0},
                        {.kind = TRACE_FRAME_IN, .data = NULL, .len = 5}};
    Buf b = write_trace(in, 3, NULL, NULL, NULL);
    char err[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open_mem(b.p, b.len, err, sizeof err);
    assert_non_null(r);
    assert_string_equal(xtr_reader_info(r), "");
    TraceEvent out[4];
    assert_int_equal(read_all(r, out, 4), 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(out[i].kind, in[i].kind);
        assert_null(out[i].name);
        assert_null(out[i].text);
        assert_null(out[i].data);
        assert_int_equal(out[i].len, 0);
    }
    assert_int_equal(xtr_reader_complete(r), 0);
    assert_int_equal(xtr_reader_truncated(r), 0);
    xtr_reader_free(r);
    /* no END record (xtr_writer_free); a record with none of its kind's
     * usual fields spends two bytes on its presence mask */
    assert_int_equal(b.len, 11 + 3 * 3);
    free(b.p);
}

static void check_dump_round_trip(const TraceEvent *ev, size_t n)
{
    XtrModules dm = {.n = 0}, pm = {.n = 0};
    for (size_t i = 0; i < n; i++) {
        size_t cap = xtr_dump_size(&ev[i]);
        char *line = malloc(cap), *store = malloc(cap);
        char err[XTR_ERR_MAX];
        assert_true(xtr_dump_line(&dm, &ev[i], line, cap) > 0);
        TraceEvent back;
        if (xtr_parse_line(&pm, line, &back, store, cap, err, sizeof err) < 0)
            fail_msg("event %zu: %s in %s", i, err, line);
        if (!xtr_event_equal(&ev[i], &back))
            fail_msg("event %zu does not round-trip: %s", i, line);
        free(line);
        free(store);
    }
}

static void test_trace_dump_round_trip(void **state)
{
    (void)state;
    TraceEvent ev[GOLDEN_MAX + 8];
    size_t n = golden_events(ev);
    for (size_t i = 0; i < n; i++)
        ev[i].seq = 1000 + i;
    /* every byte value in a string and in data */
    char all[256];
    uint8_t bytes[256];
    for (int i = 0; i < 255; i++)
        all[i] = (char)(i + 1);
    all[255] = '\0';
    for (int i = 0; i < 256; i++)
        bytes[i] = (uint8_t)i;
    ev[n++] = (TraceEvent){.kind = TRACE_NOTE, .name = all, .text = all, .reg = all};
    ev[n++] = (TraceEvent){.kind = TRACE_DMA_WRITE,
                           .seq = UINT64_MAX,
                           .vtime = UINT64_MAX,
                           .depth = UINT32_MAX,
                           .pc = UINT32_MAX,
                           .addr = UINT32_MAX,
                           .size = UINT32_MAX,
                           .value = UINT64_MAX,
                           .data = bytes,
                           .len = sizeof bytes};
    /* a module whose name cannot stand bare: its pcs print as numbers */
    ev[n++] =
        (TraceEvent){.kind = TRACE_MODULE, .name = "my driver.sys", .addr = 0x1000, .size = 16};
    ev[n++] = (TraceEvent){.kind = TRACE_PORT_READ, .pc = 0x1004, .name = "x=y", .text = "#3"};
    check_dump_round_trip(ev, n);

    XtrModules mods = {.n = 0};
    char line[256];
    xtr_dump_line(&mods, &ev[n - 2], line, sizeof line);
    assert_string_equal(line, "#0 t=0 d=0 MODULE name=\"my driver.sys\" addr=0x1000 size=16\n");
    xtr_dump_line(&mods, &ev[n - 1], line, sizeof line);
    assert_string_equal(line, "#0 t=0 d=0 pc=0x00001004 PORT_READ name=x=y addr=0x0 size=0 "
                              "value=0x0 text=\"#3\"\n");
}

static void test_trace_dump_too_long(void **state)
{
    (void)state;
    TraceEvent ev = {.kind = TRACE_NOTE, .text = "a fairly long text"};
    char line[16];
    assert_int_equal(xtr_dump_line(NULL, &ev, line, sizeof line), -1);
    assert_int_equal(xtr_dump_line(NULL, &ev, line, 0), -1);
    ev.kind = TRACE_KIND_COUNT;
    char big[128];
    assert_int_equal(xtr_dump_line(NULL, &ev, big, sizeof big), -1);
}

static void test_trace_parse_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "12 t=0 d=0 NOTE",
        "#1 t=0 d=0",
        "#1 t=0 NOTE",
        "#1 t=0 d=0 NOPE",
        "#1 t=0 d=0 NOTE NOTE",
        "#1 t=0 d=0 NOTE t=1",
        "#1 t=0 d=0 NOTE bogus=1",
        "#1 t=0 d=0 NOTE text=\"open",
        "#1 t=0 d=0 NOTE text=\"a\\q\"",
        "#1 t=0 d=0 NOTE text=\"a\\x0\"",
        "#1 t=0 d=0 NOTE text=\"a\\x00\"",
        "#1 t=0 d=0 NOTE text=\"a\"b",
        "#1 t=0 d=0 NOTE text=",
        "#1 t=0 d=0 NOTE addr=12",
        "#1 t=0 d=0 NOTE addr=0x100000000",
        "#1 t=18446744073709551616 d=0 NOTE",
        "#1 t=0 d=4294967296 NOTE",
        "#1 t=0 d=0 NOTE data=abc",
        "#1 t=0 d=0 NOTE data=zz",
        "#1 t=0 d=0 BLOCKS blocks=0x1:2,",
        "#1 t=0 d=0 BLOCKS blocks=0x1",
        "#1 t=0 d=0 pc=nowhere.sys+0x10 NOTE",
        "#1 t=0 d=0 NOTE\nmore",
        "#1 t=0 d=0 NOTE  text=a",
    };
    char store[256], err[XTR_ERR_MAX];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        TraceEvent ev;
        err[0] = '\0';
        if (xtr_parse_line(NULL, bad[i], &ev, store, sizeof store, err, sizeof err) == 0)
            fail_msg("accepted: %s", bad[i]);
        assert_true(err[0] != '\0');
        assert_null(strchr(err, '\n'));
    }
    /* a store too small */
    TraceEvent ev;
    assert_int_equal(
        xtr_parse_line(NULL, "#1 t=0 d=0 NOTE text=abcdef", &ev, store, 4, err, sizeof err), -1);
    /* without the trailing newline, and a known module */
    XtrModules mods = {.n = 0};
    TraceEvent mod = {.kind = TRACE_MODULE, .name = "a.sys", .addr = 0x1000, .size = 0x100};
    xtr_modules_note(&mods, &mod);
    assert_int_equal(xtr_parse_line(&mods, "#7 t=5 d=1 pc=a.sys+0x20 NOTE text=x", &ev, store,
                                    sizeof store, err, sizeof err),
                     0);
    assert_int_equal(ev.seq, 7);
    assert_int_equal(ev.pc, 0x1020);
    assert_string_equal(ev.text, "x");
}

/* ------------------------------------------------------------ modules */

static void test_trace_modules(void **state)
{
    (void)state;
    XtrModules mods = {.n = 0};
    char pc[64];
    assert_string_equal(xtr_format_pc(&mods, 0x1234, pc, sizeof pc), "0x00001234");
    assert_string_equal(xtr_format_pc(NULL, 0, pc, sizeof pc), "0x00000000");
    TraceEvent m = {.kind = TRACE_MODULE, .name = "a.sys", .addr = 0x10000, .size = 0x1000};
    xtr_modules_note(&mods, &m);
    assert_string_equal(xtr_format_pc(&mods, 0x10000, pc, sizeof pc), "a.sys+0x0");
    assert_string_equal(xtr_format_pc(&mods, 0x10fff, pc, sizeof pc), "a.sys+0xfff");
    assert_string_equal(xtr_format_pc(&mods, 0x11000, pc, sizeof pc), "0x00011000");
    /* mapped again elsewhere: one entry, the new place */
    m.addr = 0x20000;
    xtr_modules_note(&mods, &m);
    assert_int_equal(mods.n, 1);
    assert_string_equal(xtr_format_pc(&mods, 0x20010, pc, sizeof pc), "a.sys+0x10");
    /* non-MODULE events are ignored; a full table keeps its 16 */
    TraceEvent note = {.kind = TRACE_NOTE, .name = "b.sys", .addr = 1, .size = 1};
    xtr_modules_note(&mods, &note);
    assert_int_equal(mods.n, 1);
    for (unsigned i = 0; i < 20; i++) {
        char name[16];
        snprintf(name, sizeof name, "m%u.sys", i);
        TraceEvent e = {.kind = TRACE_MODULE, .name = name, .addr = 0x100000 * (i + 1), .size = 16};
        xtr_modules_note(&mods, &e);
    }
    assert_int_equal(mods.n, 16);
    /* a name longer than the table holds is clipped, consistently */
    char longname[100];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    XtrModules m2 = {.n = 0};
    TraceEvent l = {.kind = TRACE_MODULE, .name = longname, .addr = 0x1000, .size = 16};
    xtr_modules_note(&m2, &l);
    assert_int_equal(strlen(m2.m[0].name), 63);
}

/* ---------------------------------------------------------- truncation */

/* A file cut at any byte reads as its complete records. */
static void test_trace_cut_at_every_byte(void **state)
{
    (void)state;
    size_t ends[GOLDEN_MAX + 1];
    TraceEvent in[GOLDEN_MAX], full[GOLDEN_MAX], out[GOLDEN_MAX];
    size_t n = golden_events(in);
    Buf b = write_trace(in, n, GOLDEN_INFO, GOLDEN_SUMMARY, ends);
    char err[XTR_ERR_MAX];
    XtrReader *fr = xtr_reader_open_mem(b.p, b.len, err, sizeof err);
    assert_non_null(fr);
    assert_int_equal(read_all(fr, full, GOLDEN_MAX), n + 1);
    size_t head = strlen(GOLDEN_INFO) + 11;
    for (size_t cut = 0; cut <= b.len; cut++) {
        XtrReader *r = xtr_reader_open_mem(b.p, cut, err, sizeof err);
        if (cut < head) {
            assert_null(r);
            assert_non_null(strstr(err, "cut short"));
            continue;
        }
        assert_non_null(r);
        size_t got = read_all(r, out, GOLDEN_MAX);
        size_t whole = 0; /* records that end at or before the cut */
        while (whole <= n && ends[whole] <= cut)
            whole++;
        assert_int_equal(got, whole);
        for (size_t i = 0; i < got; i++)
            assert_true(xtr_event_equal(&out[i], &full[i]));
        int boundary = cut == head || (whole > 0 && ends[whole - 1] == cut);
        assert_int_equal(xtr_reader_truncated(r), !boundary);
        assert_int_equal(xtr_reader_complete(r), cut == b.len);
        xtr_reader_free(r);
    }
    xtr_reader_free(fr);
    free(b.p);
}

/* ----------------------------------------------------------- malformed */

typedef struct Bytes {
    uint8_t p[64];
    size_t n;
} Bytes;

static void put_varint(Bytes *b, uint64_t v)
{
    while (v >= 0x80) {
        b->p[b->n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    b->p[b->n++] = (uint8_t)v;
}

static void put_bytes(Bytes *b, const void *p, size_t n)
{
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

/* magic, version 1, info "" */
static void put_header(Bytes *b)
{
    static const uint8_t h[11] = {0x89, 'X', 'T', 'R', '\r', '\n', 0x1a, '\n', 1, 0, 0};
    put_bytes(b, h, sizeof h);
}

/* a record header: kind, and the presence mask as stored (XOR the kind's
 * usual fields: vtime, pc and xtr_kind_fields) */
static void put_record(Bytes *b, TraceKind k, unsigned present)
{
    put_varint(b, k);
    put_varint(b, present ^ (XTR_F_VTIME | XTR_F_PC | xtr_kind_fields(k)));
}

/* Reads to the first error; returns its message (static). */
static const char *first_error(const void *p, size_t n, int *events)
{
    static char err[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open_mem(p, n, err, sizeof err);
    if (!r)
        return err;
    TraceEvent ev;
    int rc;
    *events = 0;
    while ((rc = xtr_read(r, &ev, err, sizeof err)) == 1)
        (*events)++;
    if (rc == 0)
        snprintf(err, sizeof err, "no error%s", xtr_reader_truncated(r) ? " (truncated)" : "");
    else /* sticky */
        assert_int_equal(xtr_read(r, &ev, err, sizeof err), -1);
    xtr_reader_free(r);
    assert_null(strchr(err, '\n'));
    return err;
}

static void test_trace_malformed(void **state)
{
    (void)state;
    int nev;
    Bytes b;

    assert_string_equal(first_error("hello world", 11, &nev), "not an xdrv trace file (bad magic)");
    assert_string_equal(first_error("\x89XTR", 4, &nev), "trace file header cut short (4 bytes)");

    b = (Bytes){.n = 0};
    put_header(&b);
    put_varint(&b, 99);
    assert_string_equal(first_error(b.p, b.n, &nev), "byte 11, event #0: unknown event kind 99");

    /* a good event, then a reference to string 5 of none */
    b = (Bytes){.n = 0};
    put_header(&b);
    put_record(&b, TRACE_NOTE, XTR_F_NAME);
    put_varint(&b, 1);
    put_bytes(&b, "host", 5);
    put_record(&b, TRACE_NOTE, XTR_F_NAME);
    put_varint(&b, 2 + 5);
    assert_string_equal(first_error(b.p, b.n, &nev),
                        "byte 23, event #1: reference to undefined string 5 (1 defined)");
    assert_int_equal(nev, 1);

    b = (Bytes){.n = 0};
    put_header(&b);
    put_bytes(&b, "\x80\x00", 2);
    assert_string_equal(first_error(b.p, b.n, &nev), "byte 11, event #0: overlong varint");

    b = (Bytes){.n = 0};
    put_header(&b);
    put_record(&b, TRACE_INTERRUPT, XTR_F_VALUE);
    put_bytes(&b, "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
    assert_string_equal(first_error(b.p, b.n, &nev), "byte 13, event #0: varint overflows 64 bits");

    b = (Bytes){.n = 0};
    put_header(&b);
    put_record(&b, TRACE_INTERRUPT, XTR_F_DEPTH);
    put_varint(&b, 1ull << 32);
    assert_string_equal(first_error(b.p, b.n, &nev),
                        "byte 13, event #0: depth 4294967296 does not fit 32 bits");

    b = (Bytes){.n = 0};
    put_header(&b);
    put_varint(&b, TRACE_NOTE);
    put_varint(&b, 1u << 12);
    assert_string_equal(first_error(b.p, b.n, &nev),
                        "byte 12, event #0: unknown field bits 0x1000 in the presence mask");

    b = (Bytes){.n = 0};
    put_header(&b);
    put_record(&b, TRACE_FRAME_IN, XTR_F_DATA);
    put_varint(&b, XTR_DATA_MAX + 1ull);
    assert_string_equal(first_error(b.p, b.n, &nev),
                        "byte 14, event #0: data length 1048577 beyond the 1048576-byte limit");

    /* a data length running past the end is a cut, not an error */
    b = (Bytes){.n = 0};
    put_header(&b);
    put_record(&b, TRACE_FRAME_IN, XTR_F_DATA);
    put_varint(&b, 100);
    put_bytes(&b, "abc", 3);
    assert_string_equal(first_error(b.p, b.n, &nev), "no error (truncated)");

    /* a string with no end within the limit */
    size_t big = 11 + 3 + XTR_STR_MAX + 10;
    uint8_t *s = malloc(big);
    b = (Bytes){.n = 0};
    put_header(&b);
    put_record(&b, TRACE_NOTE, XTR_F_TEXT);
    put_varint(&b, 0);
    memcpy(s, b.p, b.n);
    memset(s + b.n, 'a', big - b.n);
    assert_string_equal(first_error(s, big, &nev),
                        "byte 14, event #0: string longer than 1048576 bytes");
    assert_string_equal(first_error(s, b.n + 1000, &nev), "no error (truncated)");
    free(s);

    /* an info string with no end */
    b = (Bytes){.n = 0};
    put_header(&b);
    b.n--;
    put_bytes(&b, "abc", 3);
    assert_string_equal(first_error(b.p, b.n, &nev), "trace file header cut short (13 bytes)");
}

static void test_trace_version_refused(void **state)
{
    (void)state;
    Buf b = golden_trace(NULL);
    b.p[8] = 7;
    char err[XTR_ERR_MAX];
    assert_null(xtr_reader_open_mem(b.p, b.len, err, sizeof err));
    assert_string_equal(err, "trace format version 7, this xdrv reads version 1");
    char path[] = "/tmp/xdrv-test-trace-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, b.p, b.len);
    assert_null(xtr_reader_open(path, err, sizeof err));
    char want[256];
    snprintf(want, sizeof want, "%s: trace format version 7, this xdrv reads version 1", path);
    assert_string_equal(err, want);
    /* the path form reads the same file, and names the path in errors */
    b.p[8] = 1;
    b.p[b.len - 3] = 0x7f; /* into the END record's text: still fine */
    write_file(path, b.p, b.len);
    XtrReader *r = xtr_reader_open(path, err, sizeof err);
    assert_non_null(r);
    TraceEvent ev[GOLDEN_MAX];
    assert_true(read_all(r, ev, GOLDEN_MAX) > 10);
    xtr_reader_free(r);
    unlink(path);
    assert_null(xtr_reader_open(path, err, sizeof err));
    assert_non_null(strstr(err, path));
    free(b.p);
}

/* --------------------------------------------------- size and interning */

static void test_trace_interning_and_size(void **state)
{
    (void)state;
    enum { N = 1000 };
    TraceEvent *ev = calloc(2 * N, sizeof *ev);
    char longtext[400];
    memset(longtext, 'L', sizeof longtext - 1);
    longtext[sizeof longtext - 1] = '\0';
    for (unsigned i = 0; i < N; i++) {
        ev[2 * i] = (TraceEvent){.kind = TRACE_PORT_WRITE,
                                 .vtime = 1000000 + 700ull * i,
                                 .depth = 1,
                                 .pc = BASE + 0x1a2b + (i & 7) * 4,
                                 .addr = 0xc000 + (i & 0x3f),
                                 .size = 1,
                                 .value = i & 0xff,
                                 .reg = (i & 1) ? "CR" : "IMR"};
        ev[2 * i + 1] = (TraceEvent){.kind = TRACE_API_CALL,
                                     .vtime = 1000000 + 700ull * i + 350,
                                     .depth = 1,
                                     .pc = BASE + 0x2000,
                                     .name = "NdisRawReadPortUchar",
                                     .text = (i % 100) ? "0xc037, 0x81001000" : longtext};
    }
    Buf b = write_trace(ev, 2 * N, "size", NULL, NULL);
    size_t per = (b.len - 16) / (2 * N);
    print_message("%zu bytes for %u events: %zu bytes/event\n", b.len, 2 * N, per);
    /* each distinct string once (the long ones, not interned, each time) */
    assert_true(b.len < 11u * 2 * N + 10 * sizeof longtext);
    char err[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open_mem(b.p, b.len, err, sizeof err);
    TraceEvent *out = calloc(2 * N + 1, sizeof *out);
    assert_int_equal(read_all(r, out, 2 * N + 1), 2 * N);
    for (unsigned i = 0; i < 2 * N; i++) {
        ev[i].seq = i;
        assert_true(xtr_event_equal(&ev[i], &out[i]));
    }
    xtr_reader_free(r);
    free(out);
    free(ev);
    free(b.p);
}

/* data and strings beyond the limits are clipped by the writer, so that
 * the file stays readable */
static void test_trace_writer_clips(void **state)
{
    (void)state;
    size_t n = XTR_DATA_MAX + 100;
    uint8_t *data = calloc(1, n);
    char *text = malloc(XTR_STR_MAX + 100);
    memset(text, 't', XTR_STR_MAX + 99);
    text[XTR_STR_MAX + 99] = '\0';
    TraceEvent ev = {.kind = TRACE_DMA_READ,
                     .size = (uint32_t)n,
                     .data = data,
                     .len = (uint32_t)n,
                     .text = text};
    Buf b = write_trace(&ev, 1, "clip", "done", NULL);
    char err[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open_mem(b.p, b.len, err, sizeof err);
    assert_non_null(r);
    TraceEvent out;
    assert_int_equal(xtr_read(r, &out, err, sizeof err), 1);
    assert_int_equal(out.len, XTR_DATA_MAX);
    assert_int_equal(out.size, n);
    assert_int_equal(strlen(out.text), XTR_STR_MAX);
    assert_int_equal(xtr_read(r, &out, err, sizeof err), 1);
    assert_int_equal(out.kind, TRACE_END);
    xtr_reader_free(r);
    free(b.p);
    free(text);
    free(data);
}

/* ------------------------------------------------------ writer behaviour */

static void test_trace_write_error(void **state)
{
    (void)state;
    FILE *f = fopen("/dev/full", "w");
    if (!f)
        skip();
    XtrWriter *w = xtr_writer_new(f, "full");
    assert_non_null(w);
    TraceEvent ev = {.kind = TRACE_NOTE, .text = "x"};
    assert_int_equal(xtr_write(w, &ev), 0); /* buffered */
    assert_int_equal(xtr_writer_flush(w), -1);
    assert_int_equal(xtr_write(w, &ev), -1); /* remembered */
    assert_int_equal(xtr_writer_close(w, "end"), -1);
    fclose(f);
    assert_null(xtr_writer_new(NULL, "x"));
    TraceEvent bad = {.kind = TRACE_KIND_COUNT};
    Buf b = {0};
    f = open_memstream(&b.p, &b.len);
    w = xtr_writer_new(f, NULL);
    assert_int_equal(xtr_write(w, &bad), -1);
    assert_int_equal(xtr_write(w, &ev), 0);
    assert_int_equal(xtr_writer_close(w, NULL), 0);
    fclose(f);
    free(b.p);
}

static void test_trace_sink(void **state)
{
    (void)state;
    Buf b = {0};
    FILE *f = open_memstream(&b.p, &b.len);
    XtrWriter *w = xtr_writer_new(f, "sink");
    trace_clear_sinks();
    assert_int_equal(trace_add_sink(xtr_sink, w), 0);
    trace_emitf(TRACE_NOTE, 5, 0, "test", "%d events", 2);
    TraceEvent ev = {.kind = TRACE_IRQ_RAISE, .vtime = 6, .value = 9};
    trace_emit(&ev);
    trace_remove_sink(xtr_sink, w);
    assert_int_equal(xtr_writer_count(w), 2);
    assert_int_equal(xtr_writer_close(w, "ok"), 0);
    fclose(f);
    char err[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open_mem(b.p, b.len, err, sizeof err);
    TraceEvent out[4];
    assert_int_equal(read_all(r, out, 4), 3);
    assert_string_equal(out[0].text, "2 events");
    assert_int_equal(out[1].value, 9);
    assert_int_equal(out[2].vtime, 6);
    xtr_reader_free(r);
    free(b.p);
}

/* The -v log prints every kind of the golden trace as one line (but a
 * DbgPrint text with a newline inside: the log keeps the old kinds' form). */
static void test_trace_log_one_line(void **state)
{
    (void)state;
    TraceEvent ev[GOLDEN_MAX];
    size_t n = golden_events(ev);
    ev[n++] = (TraceEvent){.kind = TRACE_END, .text = GOLDEN_SUMMARY};
    for (size_t i = 0; i < n; i++) {
        Buf b = {0};
        FILE *f = open_memstream(&b.p, &b.len);
        trace_sink_log(f, &ev[i]);
        fclose(f);
        char *nl = strchr(b.p, '\n');
        if (ev[i].kind != TRACE_DEBUG_PRINT && (!nl || nl[1] != '\0'))
            fail_msg("%s: not one line: %s", trace_kind_name(ev[i].kind), b.p);
        free(b.p);
    }
}

/* ----------------------------------------------------- Chrome JSON check */

/* A small JSON reader: validates the whole document (RFC 8259, strings as
 * UTF-8) and collects each trace event's ph, tid and ts. */
typedef struct JsonEvent {
    char ph[4];
    long tid;
    double ts;
    int has_ts;
} JsonEvent;

typedef struct Json {
    const char *s;
    int bad;
    JsonEvent *ev;
    size_t nev, cap;
} Json;

static void json_ws(Json *j)
{
    while (*j->s == ' ' || *j->s == '\n' || *j->s == '\r' || *j->s == '\t')
        j->s++;
}

static int json_utf8(const unsigned char *s)
{
    unsigned char c = s[0];
    int n = c < 0x80                ? 1
            : c >= 0xc2 && c < 0xe0 ? 2
            : c >= 0xe0 && c < 0xf0 ? 3
            : c >= 0xf0 && c < 0xf5 ? 4
                                    : 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if (n == 3 && ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f)))
        return 0;
    if (n == 4 && ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f)))
        return 0;
    return n;
}

static void json_string(Json *j, char *out, size_t outlen)
{
    size_t o = 0;
    if (*j->s != '"') {
        j->bad = 1;
        return;
    }
    j->s++;
    while (!j->bad) {
        unsigned char c = (unsigned char)*j->s;
        if (c == '"') {
            j->s++;
            break;
        }
        if (c < 0x20) {
            j->bad = 1;
            break;
        }
        if (c == '\\') {
            char e = j->s[1];
            if (e == 'u') {
                for (int i = 2; i < 6; i++)
                    if (!strchr("0123456789abcdefABCDEF", j->s[i]) || !j->s[i])
                        j->bad = 1;
                j->s += 6;
            } else if (e && strchr("\"\\/bfnrt", e)) {
                if (out && o + 1 < outlen)
                    out[o++] = e;
                j->s += 2;
            } else {
                j->bad = 1;
            }
            continue;
        }
        int n = json_utf8((const unsigned char *)j->s);
        if (!n) {
            j->bad = 1;
            break;
        }
        if (out && o + 1 < outlen)
            out[o++] = (char)c;
        j->s += n;
    }
    if (out)
        out[o] = '\0';
}

static double json_number(Json *j)
{
    const char *s = j->s;
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        while (*s >= '0' && *s <= '9')
            s++;
    else
        j->bad = 1;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9')
            j->bad = 1;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (*s < '0' || *s > '9')
            j->bad = 1;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    double v = strtod(j->s, NULL);
    j->s = s;
    return v;
}

static void json_value(Json *j, int depth, int events);

static void json_object(Json *j, int depth, int is_event)
{
    JsonEvent e = {.tid = -1};
    j->s++;
    json_ws(j);
    if (*j->s == '}') {
        j->s++;
        goto done;
    }
    while (!j->bad) {
        char key[32];
        json_ws(j);
        json_string(j, key, sizeof key);
        json_ws(j);
        if (*j->s != ':') {
            j->bad = 1;
            return;
        }
        j->s++;
        json_ws(j);
        if (is_event && !strcmp(key, "ph")) {
            json_string(j, e.ph, sizeof e.ph);
        } else if (is_event && !strcmp(key, "tid")) {
            e.tid = (long)json_number(j);
        } else if (is_event && !strcmp(key, "ts")) {
            e.ts = json_number(j);
            e.has_ts = 1;
        } else {
            json_value(j, depth + 1, depth == 0 && !strcmp(key, "traceEvents"));
        }
        json_ws(j);
        if (*j->s == ',') {
            j->s++;
            continue;
        }
        if (*j->s == '}') {
            j->s++;
            break;
        }
        j->bad = 1;
    }
done:
    if (is_event && !j->bad) {
        if (j->nev == j->cap) {
            j->cap = j->cap ? 2 * j->cap : 64;
            j->ev = realloc(j->ev, j->cap * sizeof *j->ev);
        }
        j->ev[j->nev++] = e;
    }
}

static void json_value(Json *j, int depth, int events)
{
    json_ws(j);
    if (depth > 64) {
        j->bad = 1;
        return;
    }
    switch (*j->s) {
    case '{':
        json_object(j, depth, 0);
        break;
    case '[':
        j->s++;
        json_ws(j);
        if (*j->s == ']') {
            j->s++;
            break;
        }
        while (!j->bad) {
            json_ws(j);
            if (events && *j->s == '{')
                json_object(j, depth + 1, 1);
            else
                json_value(j, depth + 1, 0);
            json_ws(j);
            if (*j->s == ',') {
                j->s++;
                continue;
            }
            if (*j->s == ']') {
                j->s++;
                break;
            }
            j->bad = 1;
        }
        break;
    case '"':
        json_string(j, NULL, 0);
        break;
    case 't':
        if (strncmp(j->s, "true", 4))
            j->bad = 1;
        j->s += 4;
        break;
    case 'f':
        if (strncmp(j->s, "false", 5))
            j->bad = 1;
        j->s += 5;
        break;
    case 'n':
        if (strncmp(j->s, "null", 4))
            j->bad = 1;
        j->s += 4;
        break;
    default:
        json_number(j);
    }
}

/* Valid JSON; every B has its E on the same track, ts never goes back on a
 * track. Returns the number of trace events. */
static size_t check_chrome(const char *doc)
{
    Json j = {.s = doc};
    json_value(&j, 0, 0);
    json_ws(&j);
    if (j.bad || *j.s)
        fail_msg("not valid JSON near: %.60s", j.s);
    enum { TIDS = 512 };
    int open[TIDS] = {0};
    double last[TIDS];
    for (int i = 0; i < TIDS; i++)
        last[i] = -1;
    for (size_t i = 0; i < j.nev; i++) {
        JsonEvent *e = &j.ev[i];
        assert_true(e->ph[0] != '\0');
        if (e->ph[0] == 'M')
            continue;
        assert_true(e->has_ts);
        long t = e->tid < 0 ? 0 : e->tid;
        assert_true(t < TIDS);
        if (e->ts < last[t])
            fail_msg("event %zu: ts %f before %f on track %ld", i, e->ts, last[t], t);
        last[t] = e->ts;
        if (e->ph[0] == 'B')
            open[t]++;
        if (e->ph[0] == 'E') {
            if (open[t] == 0)
                fail_msg("event %zu: E without B on track %ld", i, t);
            open[t]--;
        }
    }
    for (int t = 0; t < TIDS; t++)
        if (open[t])
            fail_msg("track %d: %d B without E", t, open[t]);
    size_t n = j.nev;
    free(j.ev);
    return n;
}

static Buf chrome_export(const TraceEvent *ev, size_t n)
{
    Buf b = {0};
    FILE *f = open_memstream(&b.p, &b.len);
    XtrChrome *c = xtr_chrome_new(f);
    assert_non_null(c);
    for (size_t i = 0; i < n; i++)
        xtr_chrome_event(c, &ev[i]);
    assert_int_equal(xtr_chrome_finish(c), 0);
    fclose(f);
    return b;
}

static void test_trace_chrome_golden(void **state)
{
    (void)state;
    Buf b = golden_trace(NULL);
    char err[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open_mem(b.p, b.len, err, sizeof err);
    TraceEvent ev[GOLDEN_MAX];
    size_t n = read_all(r, ev, GOLDEN_MAX);
    Buf js = chrome_export(ev, n);
    assert_true(check_chrome(js.p) > n);
    static const char *const want[] = {
        "{\"traceEvents\":[\n",
        "\"displayTimeUnit\":\"ns\"}",
        "\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":10,\"args\":{\"name\":"
        "\"DriverEntry\"}",
        "\"args\":{\"name\":\"requests\"}",
        "\"args\":{\"name\":\"api\"}",
        "{\"name\":\"initialize\",\"ph\":\"B\",\"ts\":0.020,\"pid\":1,\"tid\":1,",
        "{\"name\":\"PORT_WRITE CR\",\"ph\":\"i\",\"s\":\"t\",\"ts\":1234.567,\"pid\":1,\"tid\":10,"
        "\"args\":{\"addr\":\"0xc037\",\"size\":1,\"value\":\"0x10\",\"reg\":\"CR\",\"pc\":"
        "\"rtl8139.sys+0x1a2b\"}}",
        "{\"name\":\"irq line\",\"ph\":\"C\",\"ts\":1250.000,\"pid\":1,\"args\":{\"level\":1}}",
        "{\"name\":\"irq line\",\"ph\":\"C\",\"ts\":1250.300,\"pid\":1,\"args\":{\"level\":0}}",
        /* control bytes and a byte that is not UTF-8 escaped, UTF-8 kept */
        "\"text\":\"rtl8139: link \\\"up\\\" \\\\ 100\\u0009Mb\\u000a\\u0001 caf\xc3\xa9 "
        "\\u00ff\"",
        /* the clock stepping back is held at the last time */
        "{\"name\":\"NOTE\",\"ph\":\"i\",\"s\":\"t\",\"ts\":1500.000",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(js.p, want[i]))
            fail_msg("export lacks %s", want[i]);
    free(js.p);
    xtr_reader_free(r);
    free(b.p);
}

/* Unbalanced input: returns with no call, calls with no return, returns
 * out of order, deep nesting, strings that are not UTF-8. */
static void test_trace_chrome_unbalanced(void **state)
{
    (void)state;
    enum { N = 3000 };
    TraceEvent *ev = calloc(N, sizeof *ev);
    size_t n = 0;
    static const char *const bad_utf8[] = {"\xc0\xaf", "\xed\xa0\x80",        "\xf4\x90\x80\x80",
                                           "\xe2\x82", "ok \xf0\x9f\x98\x80", "\x7f\x1f"};
    ev[n++] = (TraceEvent){.kind = TRACE_GUEST_RETURN, .name = "Nothing"};
    ev[n++] = (TraceEvent){.kind = TRACE_API_RETURN, .name = "Nothing"};
    ev[n++] = (TraceEvent){.kind = TRACE_REQUEST_END, .name = "query", .value = 4};
    ev[n++] = (TraceEvent){.kind = TRACE_REQUEST_BEGIN, .vtime = 10, .name = "send", .value = 1};
    ev[n++] = (TraceEvent){.kind = TRACE_REQUEST_BEGIN, .vtime = 11, .name = "query", .value = 2};
    ev[n++] = (TraceEvent){.kind = TRACE_REQUEST_END, .vtime = 12, .name = "send", .value = 1};
    ev[n++] = (TraceEvent){.kind = TRACE_GUEST_CALL, .vtime = 20, .name = "A"};
    ev[n++] = (TraceEvent){.kind = TRACE_GUEST_CALL, .vtime = 21, .name = "B"};
    ev[n++] = (TraceEvent){.kind = TRACE_GUEST_RETURN, .vtime = 22, .name = "A"};
    ev[n++] = (TraceEvent){.kind = TRACE_API_CALL, .vtime = 23, .name = "X"};
    ev[n++] = (TraceEvent){.kind = TRACE_API_CALL, .vtime = 24, .name = "Y"};
    ev[n++] = (TraceEvent){.kind = TRACE_API_RETURN, .vtime = 25, .name = "X"};
    ev[n++] = (TraceEvent){.kind = TRACE_API_CALL, .vtime = 5, .name = "Back in time"};
    for (size_t i = 0; i < sizeof bad_utf8 / sizeof bad_utf8[0]; i++)
        ev[n++] = (TraceEvent){.kind = TRACE_NOTE,
                               .vtime = 30,
                               .name = bad_utf8[i],
                               .text = bad_utf8[i],
                               .reg = bad_utf8[i]};
    while (n < N - 1)
        ev[n++] = (TraceEvent){.kind = TRACE_GUEST_CALL, .vtime = 40 + n, .name = "Deep"};
    ev[n++] = (TraceEvent){.kind = TRACE_GUEST_CALL, .vtime = 50000, .name = "\xff\xfe"};
    Buf js = chrome_export(ev, n);
    check_chrome(js.p);
    free(js.p);
    /* many entry points share a track past the limit */
    char(*names)[16] = calloc(300, sizeof *names);
    for (size_t i = 0; i < 300; i++) {
        snprintf(names[i], sizeof names[i], "Entry%zu", i);
        ev[2 * i] = (TraceEvent){.kind = TRACE_GUEST_CALL, .vtime = i, .name = names[i]};
        ev[2 * i + 1] = (TraceEvent){.kind = TRACE_GUEST_RETURN, .vtime = i, .name = names[i]};
    }
    js = chrome_export(ev, 600);
    check_chrome(js.p);
    assert_non_null(strstr(js.p, "\"other entry points\""));
    /* the shared track's slices end at their returns, not at finish */
    assert_non_null(strstr(js.p, "{\"ph\":\"E\",\"ts\":0.299,\"pid\":1,\"tid\":9,"));
    free(js.p);
    free(names);
    free(ev);
    assert_int_equal(xtr_chrome_finish(NULL), -1);
    assert_null(xtr_chrome_new(NULL));
}

/* ----------------------------------------------------- the fuzz corpus */

static void corpus_file(const char *dir, const char *name, const void *p, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    write_file(path, p, len);
}

/* Writes the fuzzer's seeds when XDRV_TRACE_CORPUS names a directory. */
static void test_trace_write_corpus(void **state)
{
    (void)state;
    const char *dir = getenv("XDRV_TRACE_CORPUS");
    if (!dir || !*dir)
        return;
    size_t ends[GOLDEN_MAX + 1];
    TraceEvent ev[GOLDEN_MAX];
    size_t n = golden_events(ev);
    Buf b = write_trace(ev, n, GOLDEN_INFO, GOLDEN_SUMMARY, ends);
    corpus_file(dir, "small.xtr", b.p, b.len);
    corpus_file(dir, "small-cut.xtr", b.p, ends[n / 2] + 3);
    corpus_file(dir, "small-noend.xtr", b.p, ends[n - 1]);
    Buf bad = {malloc(b.len), b.len};
    memcpy(bad.p, b.p, b.len);
    bad.p[8] = 2;
    corpus_file(dir, "refused-version.xtr", bad.p, bad.len);
    memcpy(bad.p, b.p, b.len);
    bad.p[ends[3]] = 0x7f; /* an unknown kind */
    corpus_file(dir, "refused-kind.xtr", bad.p, bad.len);
    free(bad.p);
    free(b.p);
    b = write_trace(NULL, 0, NULL, "", NULL);
    corpus_file(dir, "empty.xtr", b.p, b.len);
    free(b.p);
    /* interning at work: the same names again and again */
    TraceEvent loop[64];
    for (unsigned i = 0; i < 64; i++)
        loop[i] = ev[4 + i % 8];
    b = write_trace(loop, 64, "loop", "done", NULL);
    corpus_file(dir, "loop.xtr", b.p, b.len);
    free(b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_golden_bytes),
        cmocka_unit_test(test_trace_golden_dump),
        cmocka_unit_test(test_trace_golden_covers_every_kind),
        cmocka_unit_test(test_trace_binary_round_trip),
        cmocka_unit_test(test_trace_defaults_round_trip),
        cmocka_unit_test(test_trace_dump_round_trip),
        cmocka_unit_test(test_trace_dump_too_long),
        cmocka_unit_test(test_trace_parse_errors),
        cmocka_unit_test(test_trace_modules),
        cmocka_unit_test(test_trace_cut_at_every_byte),
        cmocka_unit_test(test_trace_malformed),
        cmocka_unit_test(test_trace_version_refused),
        cmocka_unit_test(test_trace_interning_and_size),
        cmocka_unit_test(test_trace_writer_clips),
        cmocka_unit_test(test_trace_write_error),
        cmocka_unit_test(test_trace_sink),
        cmocka_unit_test(test_trace_log_one_line),
        cmocka_unit_test(test_trace_chrome_golden),
        cmocka_unit_test(test_trace_chrome_unbalanced),
        cmocka_unit_test(test_trace_write_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
