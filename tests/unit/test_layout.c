/* Guest structure layouts (src/nt/ntstructs.h) against the mingw-w64 DDK.
 *
 * tests/layout/fields.def lists every member once. The DDK side is
 * tests/layout/probe.c, compiled here with i686-w64-mingw32-gcc; its
 * offsetof/sizeof values are read back from the object file's .layout
 * section (objcopy -O binary). The host side is the same list expanded
 * against ntstructs.h. A second check parses ntstructs.h and fails on any
 * struct or member that fields.def does not cover, so a struct appended
 * later cannot escape the comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "nt/ndis/ndis_structs.h"
#include "nt/ntstructs.h"

#define MINGW_CC "i686-w64-mingw32-gcc"
#define MINGW_OBJCOPY "i686-w64-mingw32-objcopy"
#define LAYOUT_BEGIN 0x4c61796fu /* keep in step with tests/layout/probe.c */
#define LAYOUT_END 0x456e6421u

typedef enum Kind { K_SIZE, K_OFFSET, K_FIELD_SIZE } Kind;

/* One number the probe emits: what our header says and what it is. */
typedef struct Expect {
    const char *host;      /* "GIrp" */
    const char *path;      /* "IoStatus", "" for the struct size */
    const char *ddk;       /* "IRP.IoStatus" */
    Kind kind;
    unsigned value;        /* host offsetof/sizeof */
} Expect;

/* A documented value for something the DDK does not declare. */
typedef struct Doc {
    const char *host, *path, *source;
    Kind kind;
    unsigned value, want;
} Doc;

/* Everything fields.def names on the host side, for the coverage check. */
typedef struct Covered {
    const char *host, *path; /* path "" = the struct size */
} Covered;

#define HSIZE(g, gf) ((unsigned)sizeof(((g *)0)->gf))

static const Expect expects[] = {
#define STRUCT(g, d) {#g, "", #d, K_SIZE, sizeof(g)},
#define FIELD(g, gf, d, df) {#g, #gf, #d "." #df, K_OFFSET, offsetof(g, gf)}, \
                            {#g, #gf, #d "." #df, K_FIELD_SIZE, HSIZE(g, gf)},
#define FIELD_AT(g, gf, d, df, why) {#g, #gf, #d "." #df, K_OFFSET, offsetof(g, gf)},
#define DOC_FIELD(g, gf, off, size, src)
#define DOC_SIZE(g, size, src)
#include "../layout/fields.def"
#undef STRUCT
#undef FIELD
#undef FIELD_AT
#undef DOC_FIELD
#undef DOC_SIZE
};

static const Doc docs[] = {
#define STRUCT(g, d)
#define FIELD(g, gf, d, df)
#define FIELD_AT(g, gf, d, df, why)
#define DOC_FIELD(g, gf, off, size, src) {#g, #gf, src, K_OFFSET, offsetof(g, gf), off}, \
                                         {#g, #gf, src, K_FIELD_SIZE, HSIZE(g, gf), size},
#define DOC_SIZE(g, size, src) {#g, "", src, K_SIZE, sizeof(g), size},
#include "../layout/fields.def"
#undef STRUCT
#undef FIELD
#undef FIELD_AT
#undef DOC_FIELD
#undef DOC_SIZE
};

static const Covered covered[] = {
#define STRUCT(g, d) {#g, ""},
#define FIELD(g, gf, d, df) {#g, #gf},
#define FIELD_AT(g, gf, d, df, why) {#g, #gf},
#define DOC_FIELD(g, gf, off, size, src) {#g, #gf},
#define DOC_SIZE(g, size, src) {#g, ""},
#include "../layout/fields.def"
#undef STRUCT
#undef FIELD
#undef FIELD_AT
#undef DOC_FIELD
#undef DOC_SIZE
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *kind_name(Kind k)
{
    return k == K_SIZE ? "sizeof" : k == K_OFFSET ? "offset" : "member size";
}

/* ------------------------------------------------------------ checkers */

/* Compare host values with the probe's; print each mismatch; return the
 * number of mismatches (or n + 1 if the counts differ). */
static unsigned layout_compare(const Expect *e, size_t n, const uint32_t *ddk, size_t nddk,
                               FILE *out)
{
    unsigned bad = 0;
    if (n != nddk) {
        fprintf(out, "layout: probe gave %zu values, host table has %zu\n", nddk, n);
        return (unsigned)n + 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (e[i].value == ddk[i])
            continue;
        bad++;
        fprintf(out, "layout: %s%s%s: %s 0x%x in ntstructs.h, 0x%x in the DDK (%s)\n", e[i].host,
                *e[i].path ? "." : "", e[i].path, kind_name(e[i].kind), e[i].value, ddk[i],
                e[i].ddk);
    }
    return bad;
}

static unsigned layout_check_docs(const Doc *d, size_t n, FILE *out)
{
    unsigned bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i].value == d[i].want)
            continue;
        bad++;
        fprintf(out, "layout: %s%s%s: %s 0x%x in ntstructs.h, documented 0x%x (%s)\n", d[i].host,
                *d[i].path ? "." : "", d[i].path, kind_name(d[i].kind), d[i].value, d[i].want,
                d[i].source);
    }
    return bad;
}

static int is_ident(int c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Padding is not compared: "pad", "pad0", ..., "TailPad", "TailPad2". */
static int is_padding(const char *name)
{
    if (!strncmp(name, "pad", 3))
        return 1;
    size_t n = strlen(name);
    while (n && name[n - 1] >= '0' && name[n - 1] <= '9')
        n--;
    return n >= 3 && !strncmp(name + n - 3, "Pad", 3);
}

static int is_covered(const Covered *c, size_t n, const char *host, const char *path)
{
    size_t len = strlen(path);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(c[i].host, host))
            continue;
        if (!*path ? !*c[i].path
                   : !strncmp(c[i].path, path, len) &&
                         (c[i].path[len] == 0 || c[i].path[len] == '.' || c[i].path[len] == '['))
            return 1;
    }
    return 0;
}

/* Strip comments and preprocessor lines from header text (in place). */
static void strip_comments(char *s)
{
    char *w = s;
    int bol = 1;
    while (*s) {
        if (s[0] == '/' && s[1] == '*') {
            char *e = strstr(s + 2, "*/");
            s = e ? e + 2 : s + strlen(s);
            *w++ = ' ';
        } else if (s[0] == '/' && s[1] == '/') {
            while (*s && *s != '\n')
                s++;
        } else if (bol && *s == '#') {
            while (*s && *s != '\n') /* directives: none continue lines here */
                s++;
        } else {
            if (*s == '\n')
                bol = 1;
            else if (*s != ' ' && *s != '\t')
                bol = 0;
            *w++ = *s++;
        }
    }
    *w = 0;
}

/* The last identifier of one declarator ("GPtr MajorFunction[X + 1]" ->
 * "MajorFunction"); 0 if none. */
static int declarator_name(const char *b, const char *e, char *name, size_t len)
{
    while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
        e--;
    /* drop trailing array dimensions */
    while (e > b && e[-1] == ']') {
        int depth = 0;
        do {
            e--;
            if (*e == ']')
                depth++;
            else if (*e == '[')
                depth--;
        } while (e > b && depth);
        while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
            e--;
    }
    const char *s = e;
    while (s > b && is_ident((unsigned char)s[-1]))
        s--;
    if (s == e || (size_t)(e - s) >= len)
        return 0;
    memcpy(name, s, (size_t)(e - s));
    name[e - s] = 0;
    return 1;
}

/* Every `typedef struct Name { ... } Name;` in `text` (comments stripped):
 * the struct needs a size entry and each top-level member an entry.
 * Prints what is missing; returns the count. */
static unsigned layout_check_coverage(char *text, const Covered *c, size_t n, FILE *out,
                                      unsigned *nstructs)
{
    unsigned missing = 0;
    *nstructs = 0;
    strip_comments(text);
    for (char *p = text; (p = strstr(p, "typedef struct ")) != NULL;) {
        char sname[128];
        char *q = p + strlen("typedef struct ");
        size_t k = 0;
        while (is_ident((unsigned char)*q) && k + 1 < sizeof sname)
            sname[k++] = *q++;
        sname[k] = 0;
        while (*q == ' ' || *q == '\n')
            q++;
        p = q;
        if (!k || *q != '{')
            continue; /* a forward declaration or typedef of a pointer */
        (*nstructs)++;
        if (!is_covered(c, n, sname, "")) {
            fprintf(out, "layout: %s: no STRUCT or DOC_SIZE line in tests/layout/fields.def\n",
                    sname);
            missing++;
        }
        /* walk the body: split top-level members at ';' */
        int depth = 0;
        char *decl = q + 1;
        for (q++;; q++) {
            if (!*q)
                return missing + 1; /* unbalanced: should not happen */
            if (*q == '{') {
                depth++;
            } else if (*q == '}') {
                if (depth == 0)
                    break;
                depth--;
            } else if (*q == ';' && depth == 0) {
                /* one declaration, possibly "T a, b" or "union {...} X" */
                char *b = decl, *close = NULL;
                for (char *t = b; t < q; t++)
                    if (*t == '}')
                        close = t;
                if (close)
                    b = close + 1;
                char *seg = b;
                for (char *t = b;; t++) {
                    if (t == q || *t == ',') {
                        char name[128];
                        if (declarator_name(seg, t, name, sizeof name) && !is_padding(name) &&
                            !is_covered(c, n, sname, name)) {
                            fprintf(out,
                                    "layout: %s.%s: not in tests/layout/fields.def (add a FIELD "
                                    "or DOC_FIELD line)\n",
                                    sname, name);
                            missing++;
                        }
                        seg = t + 1;
                        if (t == q)
                            break;
                    }
                }
                decl = q + 1;
            }
        }
        p = q;
    }
    return missing;
}

/* ------------------------------------------------------- running the probe */

static char srcdir[4096];

static int has_probe(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/tests/layout/probe.c", dir);
    return access(path, R_OK) == 0;
}

/* The source tree: $XDRV_SRCDIR, the directory __FILE__ names, the current
 * directory, or an ancestor of the test binary (build/asan/tests/unit/). */
static int find_srcdir(void)
{
    const char *env = getenv("XDRV_SRCDIR");
    if (env && has_probe(env)) {
        snprintf(srcdir, sizeof srcdir, "%s", env);
        return 0;
    }
    const char *f = __FILE__, *tail = strstr(f, "tests/unit/test_layout.c");
    if (tail) {
        snprintf(srcdir, sizeof srcdir, "%.*s", (int)(tail - f), f);
        if (!*srcdir)
            strcpy(srcdir, ".");
        if (has_probe(srcdir))
            return 0;
    }
    if (has_probe(".")) {
        strcpy(srcdir, ".");
        return 0;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        for (int up = 0; up < 6; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = 0;
            if (has_probe(exe)) {
                snprintf(srcdir, sizeof srcdir, "%s", exe);
                return 0;
            }
        }
    }
    return -1;
}

static int have_tool(const char *tool)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;
        if (len)
            *len = (size_t)n;
    }
    return buf;
}

/* Compile the probe and return its values between the markers (malloc'd),
 * or NULL after printing why. */
static uint32_t *probe_values(size_t *count)
{
    char tmpl[] = "/tmp/xdrv-layout-XXXXXX";
    char cmd[16384], obj[64], bin[64];
    uint32_t *vals = NULL;
    if (!mkdtemp(tmpl))
        return NULL;
    snprintf(obj, sizeof obj, "%s/probe.o", tmpl);
    snprintf(bin, sizeof bin, "%s/probe.bin", tmpl);
    snprintf(cmd, sizeof cmd,
             MINGW_CC " -std=gnu11 -c -Wall -Wextra -Werror -D_X86_=1 -DNTDDI_VERSION=0x05010000 "
                      "-DNDIS_MINIPORT_DRIVER -DNDIS51_MINIPORT=1 "
                      "-I/usr/i686-w64-mingw32/include/ddk -I'%s/drivers/include' "
                      "-I'%s/tests/layout' -o %s '%s/tests/layout/probe.c' && " MINGW_OBJCOPY
                      " -O binary -j .layout %s %s",
             srcdir, srcdir, obj, srcdir, obj, bin);
    if (system(cmd) != 0) {
        fprintf(stderr, "layout: probe failed: %s\n", cmd);
        goto out;
    }
    size_t len;
    char *raw = read_file(bin, &len);
    if (!raw) {
        fprintf(stderr, "layout: cannot read %s\n", bin);
        goto out;
    }
    size_t nw = len / 4, begin = nw, end = nw;
    uint32_t *w = malloc(nw * 4 + 4);
    memcpy(w, raw, nw * 4);
    free(raw);
    for (size_t i = 0; i < nw; i++)
        if (w[i] == LAYOUT_BEGIN) {
            begin = i;
            break;
        }
    for (size_t i = begin; i < nw; i++)
        if (w[i] == LAYOUT_END) {
            end = i;
            break;
        }
    if (begin == nw || end == nw) {
        fprintf(stderr, "layout: markers not found in %s\n", bin);
        free(w);
        goto out;
    }
    *count = end - begin - 1;
    memmove(w, w + begin + 1, *count * 4);
    vals = w;
out:
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpl);
    if (system(cmd) != 0)
        fprintf(stderr, "layout: could not remove %s\n", tmpl);
    return vals;
}

/* ------------------------------------------------------------------ tests */

static void test_layout_matches_ddk(void **state)
{
    (void)state;
    if (!have_tool(MINGW_CC) || !have_tool(MINGW_OBJCOPY)) {
        fprintf(stderr, "SKIP layout_matches_ddk: " MINGW_CC " not installed\n");
        skip();
    }
    assert_int_equal(find_srcdir(), 0);
    size_t n = 0;
    uint32_t *ddk = probe_values(&n);
    assert_non_null(ddk);
    unsigned bad = layout_compare(expects, NELEM(expects), ddk, n, stderr);
    free(ddk);
    fprintf(stderr, "layout: %zu DDK values compared, %u mismatches\n", NELEM(expects), bad);
    assert_int_equal(bad, 0);
}

static void test_layout_documented_offsets(void **state)
{
    (void)state;
    assert_int_equal(layout_check_docs(docs, NELEM(docs), stderr), 0);
}

/* The headers whose every struct and member fields.def must cover. */
static const char *const layout_headers[] = {"src/nt/ntstructs.h", "src/nt/ndis/ndis_structs.h"};

static void test_layout_covers_every_member(void **state)
{
    (void)state;
    assert_int_equal(find_srcdir(), 0);
    unsigned total = 0, missing = 0;
    for (size_t i = 0; i < NELEM(layout_headers); i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", srcdir, layout_headers[i]);
        char *text = read_file(path, NULL);
        assert_non_null(text);
        unsigned nstructs;
        unsigned m = layout_check_coverage(text, covered, NELEM(covered), stderr, &nstructs);
        free(text);
        fprintf(stderr, "layout: %u structs in %s, %u members or sizes not covered\n", nstructs,
                layout_headers[i], m);
        assert_true(nstructs >= (i == 0 ? 19u : 15u));
        total += nstructs;
        missing += m;
    }
    assert_int_equal(missing, 0);
}

/* The checkers themselves: a wrong value, a short probe and an uncovered
 * member must each be caught, so the tests above cannot pass vacuously. */
static void test_layout_checkers_catch_mismatches(void **state)
{
    (void)state;
    FILE *sink = fopen("/dev/null", "w");
    assert_non_null(sink);
    static const Expect fake[] = {
        {"GFake", "", "FAKE", K_SIZE, 8},
        {"GFake", "A", "FAKE.A", K_OFFSET, 0},
        {"GFake", "B", "FAKE.B", K_OFFSET, 4},
    };
    const uint32_t good[] = {8, 0, 4}, wrong[] = {8, 0, 6};
    assert_int_equal(layout_compare(fake, 3, good, 3, sink), 0);
    assert_int_equal(layout_compare(fake, 3, wrong, 3, sink), 1);
    assert_true(layout_compare(fake, 3, good, 2, sink) > 0);

    static const Doc fdocs[] = {{"GFake", "C", "doc", K_OFFSET, 0x124, 0x120}};
    assert_int_equal(layout_check_docs(fdocs, 1, sink), 1);

    static const Covered fcov[] = {{"GFake", ""}, {"GFake", "A"}, {"GFake", "U.X"}};
    char hdr[] = "/* x */\n#define Y 1\n"
                 "typedef struct GFake {\n"
                 "    uint32_t A; /* covered */\n"
                 "    uint8_t pad0[3];\n"
                 "    union { uint32_t X; struct { uint16_t a, b; } s; } U;\n"
                 "    GPtr B[Y + 1], C;\n"
                 "} GFake;\n"
                 "typedef struct GOther { GPtr Next; } GOther;\n"
                 "typedef struct GFake GFakeAlias;\n";
    unsigned ns;
    /* missing: GFake.B, GFake.C, GOther (size), GOther.Next */
    assert_int_equal(layout_check_coverage(hdr, fcov, 3, sink, &ns), 4);
    assert_int_equal(ns, 2);
    fclose(sink);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout_checkers_catch_mismatches),
        cmocka_unit_test(test_layout_documented_offsets),
        cmocka_unit_test(test_layout_covers_every_member),
        cmocka_unit_test(test_layout_matches_ddk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
