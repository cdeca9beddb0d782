/* Unit tests for src/exercise/coverage.c: block splitting on hand-assembled
 * x86-32 snippets (encodings from the Intel SDM vol. 2), marking and the
 * report, the project's drivers ($BUILD/drivers/NAME.sys, BUILD defaults to
 * "build") and cov_run on trace files written with the xtr writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "exercise/coverage.h"
#include "pe/pe.h"
#include "trace/xtr.h"

#define RVA 0x1000u

typedef struct Blk {
    uint32_t rva, size;
} Blk;

static CovMap *build(const uint8_t *code, size_t len, const uint32_t *roots, size_t nroots)
{
    char err[COV_ERR_MAX] = "";
    CovMap *c = cov_map_build_code(code, len, RVA, roots, nroots, err, sizeof err);
    if (!c)
        fail_msg("cov_map_build_code: %s", err);
    return c;
}

/* The map's blocks are exactly `want` (offsets from RVA). */
static void expect_blocks(const CovMap *c, const Blk *want, size_t n)
{
    uint32_t rva, size;
    assert_int_equal(cov_map_nblocks(c), n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(cov_map_block(c, i, &rva, &size), 0);
        assert_int_equal(rva, RVA + want[i].rva);
        assert_int_equal(size, want[i].size);
    }
    assert_int_equal(cov_map_block(c, n, &rva, &size), -1);
}

static char *report(const CovMap *c, int json)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    cov_map_report(c, f, json);
    long n = ftell(f);
    assert_true(n > 0);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    rewind(f);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static const char *last_line(const char *s)
{
    size_t n = strlen(s);
    assert_true(n > 0 && s[n - 1] == '\n');
    const char *p = s + n - 1;
    while (p > s && p[-1] != '\n')
        p--;
    return p;
}

/* push ebp; mov ebp,esp; xor eax,eax; pop ebp; ret; then int3 padding */
static void test_straight_line(void **state)
{
    static const uint8_t code[] = {0x55, 0x89, 0xe5, 0x31, 0xc0, 0x5d, 0xc3, 0xcc, 0xcc, 0xcc};
    uint32_t root = RVA;
    CovMap *c = build(code, sizeof code, &root, 1);
    static const Blk want[] = {{0, 7}};
    expect_blocks(c, want, 1);
    assert_int_equal(cov_map_nfunctions(c), 1);
    cov_map_free(c);
}

/* test eax,eax; je else; mov eax,1; jmp join; else: mov eax,2; join: ret */
static void test_diamond(void **state)
{
    static const uint8_t code[] = {0x85, 0xc0, 0x74, 0x07, 0xb8, 0x01, 0x00, 0x00, 0x00,
                                   0xeb, 0x05, 0xb8, 0x02, 0x00, 0x00, 0x00, 0xc3};
    uint32_t root = RVA, rva;
    size_t nb;
    char name[64];
    CovMap *c = build(code, sizeof code, &root, 1);
    static const Blk want[] = {{0x0, 4}, {0x4, 7}, {0xb, 5}, {0x10, 1}};
    expect_blocks(c, want, 4);
    assert_int_equal(cov_map_function(c, 0, &rva, name, sizeof name, &nb), 0);
    assert_int_equal(rva, RVA);
    assert_string_equal(name, "sub_1000");
    assert_int_equal(nb, 4);
    cov_map_free(c);
}

/* xor ecx,ecx; loop: inc ecx; cmp ecx,10; jne loop; ret */
static void test_loop(void **state)
{
    static const uint8_t code[] = {0x31, 0xc9, 0x41, 0x83, 0xf9, 0x0a, 0x75, 0xfa, 0xc3};
    uint32_t root = RVA;
    CovMap *c = build(code, sizeof code, &root, 1);
    static const Blk want[] = {{0, 2}, {2, 6}, {8, 1}};
    expect_blocks(c, want, 3);
    cov_map_free(c);
}

/* call f; ret; int3 x5; f: xor eax,eax; ret; nop padding. The call does not
 * end its block; its target is a function; padding is no block. */
static void test_call(void **state)
{
    static const uint8_t code[] = {0xe8, 0x06, 0x00, 0x00, 0x00, 0xc3, 0xcc, 0xcc,
                                   0xcc, 0xcc, 0xcc, 0x31, 0xc0, 0xc3, 0x90, 0x90};
    uint32_t root = RVA, rva;
    size_t nb;
    char name[64];
    CovMap *c = build(code, sizeof code, &root, 1);
    static const Blk want[] = {{0, 6}, {0xb, 3}};
    expect_blocks(c, want, 2);
    assert_int_equal(cov_map_nfunctions(c), 2);
    assert_int_equal(cov_map_function(c, 1, &rva, name, sizeof name, &nb), 0);
    assert_int_equal(rva, RVA + 0xb);
    assert_string_equal(name, "sub_100b");
    assert_int_equal(nb, 1);
    assert_int_equal(cov_map_function(c, 2, &rva, NULL, 0, NULL), -1);
    cov_map_free(c);
}

/* Function A at 0 runs straight (inc eax x4; ret); function B at 0x10
 * jumps to A+2: A's block splits there and the tail is shared. */
static void test_jump_into_middle(void **state)
{
    uint8_t code[0x12];
    memset(code, 0xcc, sizeof code);
    memcpy(code, (const uint8_t[]){0x40, 0x40, 0x40, 0x40, 0xc3}, 5);
    memcpy(code + 0x10, (const uint8_t[]){0xeb, 0xf0}, 2); /* jmp 0x1002 */
    uint32_t roots[] = {RVA, RVA + 0x10}, rva;
    size_t nb;
    CovMap *c = build(code, sizeof code, roots, 2);
    static const Blk want[] = {{0, 2}, {2, 3}, {0x10, 2}};
    expect_blocks(c, want, 3);
    assert_int_equal(cov_map_nfunctions(c), 2);
    assert_int_equal(cov_map_function(c, 0, &rva, NULL, 0, &nb), 0);
    assert_int_equal(nb, 2);
    assert_int_equal(cov_map_function(c, 1, &rva, NULL, 0, &nb), 0);
    assert_int_equal(rva, RVA + 0x10);
    assert_int_equal(nb, 2); /* its own block and the shared tail */
    cov_map_free(c);
}

/* cmp eax,2; ja default; jmp [eax*4+table]; default: ret; table of three
 * cases (absolute = rva in cov_map_build_code) ending at a zero dword. */
static void test_jump_table(void **state)
{
    uint8_t code[0x40];
    memset(code, 0xcc, sizeof code);
    memcpy(code,
           (const uint8_t[]){0x83, 0xf8, 0x02, 0x77, 0x07, 0xff, 0x24, 0x85, 0x20, 0x10, 0x00, 0x00,
                             0xc3},
           13);
    memcpy(code + 0x20,
           (const uint8_t[]){0x30, 0x10, 0, 0, 0x32, 0x10, 0, 0, 0x34, 0x10, 0, 0, 0, 0, 0, 0}, 16);
    memcpy(code + 0x30, (const uint8_t[]){0x40, 0xc3, 0x48, 0xc3, 0x31, 0xc0, 0xc3}, 7);
    uint32_t root = RVA;
    size_t nb;
    uint32_t rva;
    CovMap *c = build(code, sizeof code, &root, 1);
    static const Blk want[] = {{0, 5}, {5, 7}, {0xc, 1}, {0x30, 2}, {0x32, 2}, {0x34, 3}};
    expect_blocks(c, want, 6);
    assert_int_equal(cov_map_nfunctions(c), 1); /* cases are not functions */
    assert_int_equal(cov_map_function(c, 0, &rva, NULL, 0, &nb), 0);
    assert_int_equal(nb, 6);
    cov_map_free(c);
}

/* Invalid encodings end the flow; bytes after them are not code. */
static void test_invalid_stops(void **state)
{
    static const uint8_t code[] = {0x40, 0x0f, 0x0b, 0x41, 0xc3, 0x40, 0xff, 0xff};
    uint32_t roots[] = {RVA, RVA + 5};
    CovMap *c = build(code, sizeof code, roots, 2);
    /* inc eax; ud2 | (inc ecx; ret never reached) | inc eax; (ff ff bad) */
    static const Blk want[] = {{0, 3}, {5, 1}};
    expect_blocks(c, want, 2);
    cov_map_free(c);
}

static void test_mark_and_report(void **state)
{
    static const uint8_t code[] = {0x85, 0xc0, 0x74, 0x07, 0xb8, 0x01, 0x00, 0x00, 0x00,
                                   0xeb, 0x05, 0xb8, 0x02, 0x00, 0x00, 0x00, 0xc3};
    uint32_t root = RVA;
    CovMap *c = build(code, sizeof code, &root, 1);
    char *r = report(c, 0);
    assert_string_equal(last_line(r), "coverage: 0.0% of 4 basic blocks\n");
    free(r);
    /* one translated block over the test, the je and the then-arm */
    assert_int_equal(cov_map_mark(c, RVA, 0xb), 2);
    assert_int_equal(cov_map_mark(c, RVA + 4, 1), 0);
    /* starting mid-block reaches the block containing it */
    assert_int_equal(cov_map_mark(c, RVA + 0xd, 4), 2);
    assert_int_equal(cov_map_nreached(c), 4);
    /* outside the image */
    assert_int_equal(cov_map_mark(c, 0x10, 4), 0);
    assert_int_equal(cov_map_mark(c, 0xfffffff0u, 0x20), 0);
    r = report(c, 0);
    assert_string_equal(last_line(r), "coverage: 100.0% of 4 basic blocks\n");
    free(r);
    cov_map_free(c);
}

/* 1 of 3 blocks: 33.3 (rounded down, never up to 100.0) */
static void test_percent_rounds_down(void **state)
{
    static const uint8_t code[] = {0x31, 0xc9, 0x41, 0x83, 0xf9, 0x0a, 0x75, 0xfa, 0xc3};
    uint32_t root = RVA;
    CovMap *c = build(code, sizeof code, &root, 1);
    cov_map_mark(c, RVA + 2, 1);
    char *r = report(c, 0);
    assert_string_equal(last_line(r), "coverage: 33.3% of 3 basic blocks\n");
    free(r);
    cov_map_mark(c, RVA, 2);
    r = report(c, 0);
    assert_string_equal(last_line(r), "coverage: 66.6% of 3 basic blocks\n");
    free(r);
    cov_map_free(c);
}

/* A host entry point the static pass did not find is explored; marks made
 * before it keep counting, and it is named after the entry. */
static void test_entry_found_late(void **state)
{
    uint8_t code[0x20];
    memset(code, 0xcc, sizeof code);
    code[0] = 0xc3;
    memcpy(code + 0x10, (const uint8_t[]){0x85, 0xc0, 0x74, 0x01, 0x40, 0xc3}, 6);
    uint32_t root = RVA, rva;
    char name[64];
    CovMap *c = build(code, sizeof code, &root, 1);
    assert_int_equal(cov_map_nblocks(c), 1);
    assert_int_equal(cov_map_mark(c, RVA + 0x10, 6), 0); /* no static block yet */
    cov_map_add_entry(c, "MiniportISR", RVA + 0x10);
    assert_int_equal(cov_map_nblocks(c), 4);
    assert_int_equal(cov_map_nfunctions(c), 2);
    assert_int_equal(cov_map_nreached(c), 3);
    assert_int_equal(cov_map_function(c, 1, &rva, name, sizeof name, NULL), 0);
    assert_string_equal(name, "MiniportISR");
    /* duplicates merge: one row, names joined */
    cov_map_add_entry(c, "MiniportISR", RVA + 0x10);
    cov_map_add_entry(c, "MiniportHandleInterrupt", RVA + 0x10);
    char *r = report(c, 0);
    assert_non_null(strstr(r, "MiniportISR/MiniportHandleInterrupt"));
    assert_non_null(strstr(r, "3/3"));
    assert_null(strstr(strstr(r, "MiniportHandleInterrupt") + 1, "MiniportISR"));
    free(r);
    cov_map_free(c);
}

/* Per entry: blocks of the functions reachable through direct calls. */
static void test_entry_call_graph(void **state)
{
    static const uint8_t code[] = {0xe8, 0x06, 0x00, 0x00, 0x00, 0xc3, 0xcc, 0xcc,
                                   0xcc, 0xcc, 0xcc, 0x31, 0xc0, 0xc3, 0x90, 0x90};
    uint32_t root = RVA;
    CovMap *c = build(code, sizeof code, &root, 1);
    cov_map_add_entry(c, "Outer", RVA);
    cov_map_add_entry(c, "Inner", RVA + 0xb);
    cov_map_add_entry(c, "Elsewhere", 0x9000);
    cov_map_mark(c, RVA + 0xb, 3);
    char *r = report(c, 0);
    assert_non_null(strstr(r, "Outer"));
    assert_non_null(strstr(r, " 1/2 "));
    assert_non_null(strstr(r, " 1/1 "));
    assert_non_null(strstr(r, " 0/0 "));
    assert_non_null(strstr(r, "functions never reached: 1 of 2"));
    free(r);
    r = report(c, 1);
    assert_non_null(strstr(r, "\"blocks\":2,"));
    assert_non_null(strstr(r, "\"reached\":1,\"percent\":50.0,"));
    assert_non_null(strstr(r, "{\"name\":\"Outer\",\"rva\":4096,\"blocks\":2,\"reached\":1,"
                              "\"percent\":50.0}"));
    assert_non_null(strstr(r, "\"unreached_functions\":[{\"rva\":4096,\"name\":\"Outer\","
                              "\"blocks\":1}]}\n"));
    free(r);
    cov_map_free(c);
}

static void test_json_escapes(void **state)
{
    static const uint8_t code[] = {0xc3};
    uint32_t root = RVA;
    CovMap *c = build(code, sizeof code, &root, 1);
    cov_map_add_entry(c, "a\"b\\c\n", RVA);
    char *r = report(c, 1);
    assert_non_null(strstr(r, "\"name\":\"a\\\"b\\\\c\\u000a\""));
    free(r);
    cov_map_free(c);
}

static void test_refuses_non_pe(void **state)
{
    char err[COV_ERR_MAX] = "";
    static const uint8_t junk[64] = {'M', 'Z'};
    assert_null(cov_map_build(junk, sizeof junk, err, sizeof err));
    assert_true(err[0] != 0);
    assert_null(strchr(err, '\n'));
}

/* ---- the project's drivers ------------------------------------------- */

static const char *const drivers[] = {"rtl8139", "ne2000", "pcnet", "e1000"};

static char *driver_path(const char *name)
{
    const char *b = getenv("BUILD");
    char *p = NULL;
    assert_true(asprintf(&p, "%s/drivers/%s.sys", b && *b ? b : "build", name) > 0);
    return p;
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("%s missing: run make drivers first", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static CovMap *build_driver(const char *name, PeImage *img)
{
    char *path = driver_path(name), err[COV_ERR_MAX] = "";
    size_t len;
    uint8_t *file = slurp(path, &len);
    CovMap *c = cov_map_build(file, len, err, sizeof err);
    if (!c)
        fail_msg("%s: %s", path, err);
    if (img)
        assert_int_equal(pe_parse(img, file, len), 0);
    free(file);
    free(path);
    return c;
}

static int has_function(const CovMap *c, uint32_t want, char *name, size_t namelen)
{
    uint32_t rva;
    for (size_t i = 0; cov_map_function(c, i, &rva, name, namelen, NULL) == 0; i++)
        if (rva == want)
            return 1;
    return 0;
}

static void test_drivers_static(void **state)
{
    char name[128];
    for (size_t d = 0; d < sizeof drivers / sizeof *drivers; d++) {
        PeImage img;
        CovMap *c = build_driver(drivers[d], &img);
        assert_true(cov_map_nblocks(c) > 100);
        assert_int_equal(cov_map_image_size(c), img.size_of_image);
        assert_true(has_function(c, img.entry_rva, name, sizeof name));
        assert_string_equal(name, "DriverEntry");
        for (size_t i = 0; i < img.nexports; i++)
            if (img.exports[i].rva && !img.exports[i].forward[0])
                assert_true(has_function(c, img.exports[i].rva, NULL, 0));
        /* blocks sorted, disjoint, inside executable sections */
        uint32_t prev_end = 0, rva, size;
        for (size_t i = 0; cov_map_block(c, i, &rva, &size) == 0; i++) {
            const PeSection *s = pe_section_at(&img, rva);
            assert_non_null(s);
            assert_true(s->characteristics & 0x20000020u);
            assert_true(rva >= prev_end && size > 0);
            prev_end = rva + size;
        }
        pe_free(&img);
        cov_map_free(c);
    }
}

static void test_drivers_mark(void **state)
{
    char line[64];
    for (size_t d = 0; d < sizeof drivers / sizeof *drivers; d++) {
        CovMap *c = build_driver(drivers[d], NULL);
        size_t n = cov_map_nblocks(c);
        char *r = report(c, 0);
        snprintf(line, sizeof line, "coverage: 0.0%% of %zu basic blocks\n", n);
        assert_string_equal(last_line(r), line);
        free(r);

        /* a translated block spanning two adjacent static blocks */
        uint32_t a0, s0, a1, s1;
        size_t i = 0;
        while (cov_map_block(c, i, &a0, &s0) == 0 && cov_map_block(c, i + 1, &a1, &s1) == 0 &&
               a0 + s0 != a1)
            i++;
        assert_true(i + 1 < n);
        assert_int_equal(cov_map_mark(c, a0, s0 + s1), 2);
        assert_int_equal(cov_map_nreached(c), 2);

        size_t total = 2;
        for (i = 0; cov_map_block(c, i, &a0, &s0) == 0; i++)
            total += cov_map_mark(c, a0, s0);
        assert_int_equal(total, n);
        assert_int_equal(cov_map_nreached(c), n);
        r = report(c, 0);
        snprintf(line, sizeof line, "coverage: 100.0%% of %zu basic blocks\n", n);
        assert_string_equal(last_line(r), line);
        assert_non_null(strstr(r, "functions never reached: 0 of"));
        free(r);
        cov_map_free(c);
    }
}

/* The handlers a miniport registers through NdisMRegisterMiniport are
 * reached by no direct call. Without pointer roots the static blocks would
 * be exactly those of DriverEntry's call graph (DriverEntry is these
 * drivers' only export); the relocation scan must find more. */
static void test_drivers_pointer_roots(void **state)
{
    for (size_t d = 0; d < sizeof drivers / sizeof *drivers; d++) {
        PeImage img;
        CovMap *c = build_driver(drivers[d], &img);
        cov_map_add_entry(c, "DriverEntry", img.entry_rva);
        char *r = report(c, 1);
        unsigned long tot = 0;
        const char *p = strstr(r, "{\"name\":\"DriverEntry\"");
        assert_non_null(p);
        assert_int_equal(sscanf(strstr(p, "\"blocks\":"), "\"blocks\":%lu", &tot), 1);
        assert_true(tot > 0 && tot < cov_map_nblocks(c));
        free(r);
        pe_free(&img);
        cov_map_free(c);
    }
}

/* ---- cov_run ---------------------------------------------------------- */

typedef struct TraceSpec {
    const char *module;
    uint32_t size_delta; /* added to SizeOfImage in the MODULE event */
    const char *path;    /* MODULE text */
    int pairs;           /* BLOCKS pairs to write: (block i) for i < pairs; -1: no event */
} TraceSpec;

static char *write_trace(const CovMap *c, uint32_t entry, const TraceSpec *t)
{
    char *path = strdup("/tmp/xdrv-test-coverage-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    XtrWriter *w = xtr_writer_new(f, "test_coverage");
    assert_non_null(w);
    const uint32_t base = 0x80100000u;
    TraceEvent ev = {.kind = TRACE_MODULE,
                     .name = t->module,
                     .addr = base,
                     .size = cov_map_image_size(c) + t->size_delta,
                     .text = t->path};
    assert_int_equal(xtr_write(w, &ev), 0);
    ev = (TraceEvent){.kind = TRACE_GUEST_CALL, .name = "DriverEntry", .addr = base + entry};
    assert_int_equal(xtr_write(w, &ev), 0);
    ev = (TraceEvent){.kind = TRACE_GUEST_CALL, .name = "HalSomething", .addr = 0x80001000u};
    assert_int_equal(xtr_write(w, &ev), 0);
    uint8_t *data = calloc(t->pairs > 0 ? (size_t)t->pairs : 1, 8);
    for (int i = 0; i < t->pairs; i++) {
        uint32_t rva, size;
        assert_int_equal(cov_map_block(c, (size_t)i, &rva, &size), 0);
        for (int k = 0; k < 4; k++) {
            data[8 * i + k] = (uint8_t)(rva >> (8 * k));
            data[8 * i + 4 + k] = (uint8_t)(size >> (8 * k));
        }
    }
    ev = (TraceEvent){
        .kind = TRACE_BLOCKS, .name = t->module, .data = data, .len = (uint32_t)t->pairs * 8};
    if (t->pairs >= 0)
        assert_int_equal(xtr_write(w, &ev), 0);
    assert_int_equal(xtr_writer_close(w, "done"), 0);
    fclose(f);
    free(data);
    return path;
}

static int run(const char *const *traces, size_t n, const char *driver, int json, char **outp,
               char *err)
{
    size_t len = 0;
    FILE *f = open_memstream(outp, &len);
    assert_non_null(f);
    int rc = cov_run(traces, n, driver, f, json, err, COV_ERR_MAX);
    fclose(f);
    return rc;
}

static void test_run(void **state)
{
    PeImage img;
    CovMap *c = build_driver("rtl8139", &img);
    char *drv = driver_path("rtl8139"), err[COV_ERR_MAX], *out = NULL, line[80];
    TraceSpec good = {"rtl8139.sys", 0, drv, 10};
    char *t1 = write_trace(c, img.entry_rva, &good);
    good.pairs = 20;
    char *t2 = write_trace(c, img.entry_rva, &good);

    /* the driver path recorded in the trace */
    const char *one[] = {t1};
    assert_int_equal(run(one, 1, NULL, 0, &out, err), 0);
    size_t tenths = 10 * 1000 / cov_map_nblocks(c);
    snprintf(line, sizeof line, "coverage: %zu.%zu%% of %zu basic blocks\n", tenths / 10,
             tenths % 10, cov_map_nblocks(c));
    assert_string_equal(last_line(out), line);
    assert_non_null(strstr(out, "DriverEntry"));
    assert_null(strstr(out, "HalSomething"));
    free(out);

    /* two traces: the union (first 20 blocks); the driver named */
    const char *two[] = {t1, t2};
    assert_int_equal(run(two, 2, drv, 1, &out, err), 0);
    assert_non_null(strstr(out, "\"reached\":20,"));
    free(out);

    /* a different image size */
    TraceSpec bad = good;
    bad.size_delta = 0x1000;
    char *t3 = write_trace(c, img.entry_rva, &bad);
    const char *three[] = {t3};
    assert_int_equal(run(three, 1, NULL, 0, &out, err), -1);
    assert_non_null(strstr(err, "driver image does not match the trace: "));
    free(out);

    /* traces of two modules */
    TraceSpec other = good;
    other.module = "ne2000.sys";
    char *t4 = write_trace(c, img.entry_rva, &other);
    const char *mixed[] = {t1, t4};
    assert_int_equal(run(mixed, 2, drv, 0, &out, err), -1);
    assert_non_null(strstr(err, "one driver at a time"));
    free(out);

    /* not a trace file: the reader's reason, after the path */
    const char *notrace[] = {drv};
    assert_int_equal(run(notrace, 1, drv, 0, &out, err), -1);
    assert_int_equal(strncmp(err, drv, strlen(drv)), 0);
    assert_null(strchr(err, '\n'));
    free(out);

    /* no BLOCKS events: recorded without coverage */
    TraceSpec none = good;
    none.pairs = -1;
    none.module = "other.sys";
    char *t5 = write_trace(c, img.entry_rva, &none);
    const char *five[] = {t5};
    assert_int_equal(run(five, 1, drv, 0, &out, err), -1);
    assert_non_null(strstr(err, "no BLOCKS events"));
    free(out);

    /* the recorded image path is gone */
    TraceSpec moved = good;
    moved.path = "/nonexistent/rtl8139.sys";
    char *t6 = write_trace(c, img.entry_rva, &moved);
    const char *six[] = {t6};
    assert_int_equal(run(six, 1, NULL, 0, &out, err), -1);
    assert_non_null(strstr(err, "/nonexistent/rtl8139.sys"));
    assert_non_null(strstr(err, "name the driver file"));
    free(out);
    assert_int_equal(run(six, 1, drv, 0, &out, err), 0);
    free(out);

    char *tmp[] = {t1, t2, t3, t4, t5, t6};
    for (size_t i = 0; i < sizeof tmp / sizeof *tmp; i++) {
        unlink(tmp[i]);
        free(tmp[i]);
    }
    free(drv);
    pe_free(&img);
    cov_map_free(c);
}

/* cov_map_loop_at: a polling loop that ends only on its condition has one
 * way out; one with a counter has two. Not a loop: -1. */
static void test_loop_exits(void **state)
{
    (void)state;
    /* L: in al,dx; test al,1; jz L; ret */
    static const uint8_t plain[] = {0xEC, 0xA8, 0x01, 0x74, 0xFB, 0xC3};
    /* mov ecx,100; L: in al,dx; test al,1; jnz done; dec ecx; jnz L; done: ret */
    static const uint8_t bounded[] = {0xB9, 0x64, 0x00, 0x00, 0x00, 0xEC, 0xA8, 0x01,
                                      0x75, 0x03, 0x49, 0x75, 0xF8, 0xC3};
    uint32_t root = RVA;
    unsigned blocks, exits;
    CovMap *c = build(plain, sizeof plain, &root, 1);
    assert_int_equal(cov_map_loop_at(c, RVA + 1, &blocks, &exits), 0);
    assert_int_equal(blocks, 1);
    assert_int_equal(exits, 1);
    assert_int_equal(cov_map_loop_at(c, RVA + 5, &blocks, &exits), -1); /* the ret */
    cov_map_free(c);
    c = build(bounded, sizeof bounded, &root, 1);
    assert_int_equal(cov_map_loop_at(c, RVA + 6, &blocks, &exits), 0);
    assert_int_equal(blocks, 2);
    assert_int_equal(exits, 2);
    assert_int_equal(cov_map_loop_at(c, RVA + 0, &blocks, &exits), -1); /* before the loop */
    cov_map_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_straight_line),
        cmocka_unit_test(test_diamond),
        cmocka_unit_test(test_loop),
        cmocka_unit_test(test_call),
        cmocka_unit_test(test_jump_into_middle),
        cmocka_unit_test(test_jump_table),
        cmocka_unit_test(test_invalid_stops),
        cmocka_unit_test(test_mark_and_report),
        cmocka_unit_test(test_percent_rounds_down),
        cmocka_unit_test(test_entry_found_late),
        cmocka_unit_test(test_entry_call_graph),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_refuses_non_pe),
        cmocka_unit_test(test_drivers_static),
        cmocka_unit_test(test_drivers_mark),
        cmocka_unit_test(test_drivers_pointer_roots),
        cmocka_unit_test(test_run),
        cmocka_unit_test(test_loop_exits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
