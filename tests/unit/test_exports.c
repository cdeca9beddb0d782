/* Every export table (nt_modules[]) against mingw-w64's import libraries.
 *
 * A wrong convention or argument-byte count corrupts the guest stack
 * silently, so each EXPORT line is checked against the decoration the
 * import library gives the name (i686-w64-mingw32-nm):
 *   __imp__Name@N   stdcall, callee pops N bytes
 *   __imp_@Name@N   fastcall, N bytes of arguments (ECX, EDX, then stack)
 *   __imp__Name     undecorated: cdecl, varargs, compiler helper (regcall)
 *                   or data
 * Module "x.ext" is checked against libx.a (ntoskrnl.exe -> libntoskrnl.a,
 * hal.dll -> libhal.a, ndis.sys -> libndis.a). Also: the log signature has
 * one letter per stack slot ('q' = 2) for stdcall/fastcall/cdecl, only
 * known letters, no duplicate names, a handler for every function export
 * and a size for every data export. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "nt/nt.h"

#define MINGW_NM "i686-w64-mingw32-nm"
#define MINGW_LIBDIR "/usr/i686-w64-mingw32/lib"

/* Exports the import libraries do not have, each with the reason. A name
 * here is still checked for everything else (signature, handler, ...). */
static const struct Allow {
    const char *module, *name, *reason;
} allowlist[] = {
    {NULL, NULL, NULL},
};

/* One decorated import from an import library. */
typedef struct LibSym {
    char *name;     /* undecorated: "KeSetEvent", "_alldiv" */
    char kind;      /* 's' stdcall, 'f' fastcall, 'c' undecorated */
    int bytes;      /* stdcall/fastcall: argument bytes */
    const char *lib;/* "libntoskrnl.a" */
} LibSym;

typedef struct Syms {
    LibSym *v;
    size_t n, cap;
} Syms;

static int sym_cmp(const void *a, const void *b)
{
    return strcmp(((const LibSym *)a)->name, ((const LibSym *)b)->name);
}

/* Parse one symbol name after "__imp_"; 0 if it is not an import. */
static int parse_imp(const char *s, LibSym *out)
{
    char kind;
    if (*s == '@')
        kind = 'f';
    else if (*s == '_')
        kind = 's';
    else
        return 0;
    s++;
    const char *at = strrchr(s, '@');
    int bytes = 0;
    size_t len = strlen(s);
    if (at && at != s && at[1] && strspn(at + 1, "0123456789") == strlen(at + 1)) {
        bytes = atoi(at + 1);
        len = (size_t)(at - s);
    } else if (kind == 'f') {
        return 0; /* "@name" without a byte count: not a fastcall import */
    } else {
        kind = 'c';
    }
    out->name = strndup(s, len);
    out->kind = kind;
    out->bytes = bytes;
    return out->name != NULL;
}

/* Read the imports of MINGW_LIBDIR/<lib> into syms; -1 if nm fails. */
static int syms_load(Syms *syms, const char *lib)
{
    char cmd[512], line[1024];
    snprintf(cmd, sizeof cmd, MINGW_NM " " MINGW_LIBDIR "/%s 2>/dev/null", lib);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t before = syms->n;
    while (fgets(line, sizeof line, p)) {
        /* "00000000 I __imp__KeSetEvent@12" */
        char addr[64], type[8], name[900];
        if (sscanf(line, "%63s %7s %899s", addr, type, name) != 3 || strcmp(type, "I"))
            continue;
        if (strncmp(name, "__imp_", 6))
            continue;
        LibSym s;
        if (!parse_imp(name + 6, &s))
            continue;
        s.lib = lib;
        if (syms->n == syms->cap) {
            syms->cap = syms->cap ? syms->cap * 2 : 1024;
            syms->v = realloc(syms->v, syms->cap * sizeof *syms->v);
            assert_non_null(syms->v);
        }
        syms->v[syms->n++] = s;
    }
    int rc = pclose(p);
    if (rc != 0 || syms->n == before)
        return -1;
    qsort(syms->v, syms->n, sizeof *syms->v, sym_cmp);
    return 0;
}

static void syms_free(Syms *syms)
{
    for (size_t i = 0; i < syms->n; i++)
        free(syms->v[i].name);
    free(syms->v);
    memset(syms, 0, sizeof *syms);
}

/* The decorations `name` has in `lib` (lib NULL: any), at most max. */
static size_t syms_find(const Syms *syms, const char *name, const char *lib, const LibSym **out,
                        size_t max)
{
    LibSym key = {.name = (char *)name};
    const LibSym *hit = bsearch(&key, syms->v, syms->n, sizeof *syms->v, sym_cmp);
    size_t k = 0;
    if (!hit)
        return 0;
    while (hit > syms->v && !strcmp(hit[-1].name, name))
        hit--;
    for (; hit < syms->v + syms->n && !strcmp(hit->name, name); hit++)
        if ((!lib || !strcmp(hit->lib, lib)) && k < max)
            out[k++] = hit;
    return k;
}

/* "ntoskrnl.exe" -> "libntoskrnl.a" */
static void module_lib(const char *module, char *lib, size_t len)
{
    const char *dot = strrchr(module, '.');
    size_t n = dot ? (size_t)(dot - module) : strlen(module);
    snprintf(lib, len, "lib%.*s.a", (int)n, module);
    for (char *c = lib; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
}

static const char *cc_name(VmCallConv cc)
{
    switch (cc) {
    case VM_STDCALL: return "STDCALL";
    case VM_CDECL: return "CDECL";
    case VM_FASTCALL: return "FASTCALL";
    case VM_VARARGS: return "VARARGS";
    case VM_REGCALL: return "REGCALL";
    }
    return "?";
}

static const char *allowed(const struct Allow *allow, const char *module, const char *name)
{
    for (const struct Allow *a = allow; a->module; a++)
        if (!strcasecmp(a->module, module) && !strcmp(a->name, name))
            return a->reason;
    return NULL;
}

#define SIG_LETTERS "xdubpqUAsw" /* nt_format_args in src/nt/nt.c */

/* Check one module's table; print each problem as "module!name: why";
 * return the number of problems. */
static unsigned exports_check_module(const NtModule *m, const Syms *syms,
                                     const struct Allow *allow, FILE *out)
{
    unsigned bad = 0;
    char lib[128];
    module_lib(m->name, lib, sizeof lib);
#define BAD(...)                                                                                   \
    do {                                                                                           \
        fprintf(out, "exports: %s!%s: ", m->name, e->name ? e->name : "(null)");                   \
        fprintf(out, __VA_ARGS__);                                                                 \
        fputc('\n', out);                                                                          \
        bad++;                                                                                     \
    } while (0)
    for (unsigned i = 0; i < m->count; i++) {
        const NtExport *e = &m->exports[i];
        if (!e->name || !*e->name) {
            BAD("export %u has no name", i);
            continue;
        }
        for (unsigned j = 0; j < i; j++)
            if (m->exports[j].name && !strcmp(m->exports[j].name, e->name)) {
                BAD("listed twice (entries %u and %u)", j, i);
                break;
            }
        int is_data = e->datasize != 0;
        if (is_data && e->fn)
            BAD("has both a handler and a data size");
        if (!is_data && !e->fn)
            BAD("no handler (and no data size: a DATA export needs its byte count)");
        if (!is_data) {
            if (!e->sig) {
                BAD("no log signature");
            } else {
                unsigned slots = 0;
                for (const char *s = e->sig; *s; s++) {
                    if (!strchr(SIG_LETTERS, *s))
                        BAD("signature \"%s\": unknown letter '%c' (known: " SIG_LETTERS ")",
                            e->sig, *s);
                    slots += *s == 'q' ? 2 : 1;
                }
                if ((e->cc == VM_STDCALL || e->cc == VM_FASTCALL || e->cc == VM_CDECL) &&
                    (e->argbytes % 4 || slots != e->argbytes / 4u))
                    BAD("signature \"%s\" has %u slots, %s %u bytes means %u", e->sig, slots,
                        cc_name(e->cc), e->argbytes, e->argbytes / 4u);
            }
            if (e->cc == VM_REGCALL && e->argbytes)
                BAD("REGCALL takes nothing on the stack, table says %u bytes", e->argbytes);
        }

        const LibSym *hits[8];
        size_t nh = syms_find(syms, e->name, lib, hits, 8);
        if (!nh) {
            if (allowed(allow, m->name, e->name))
                continue;
            const LibSym *other[1];
            if (syms_find(syms, e->name, NULL, other, 1))
                BAD("not in %s but in %s: wrong module's table", lib, other[0]->lib);
            else
                BAD("not in %s (add it to the allowlist in tests/unit/test_exports.c with a "
                    "reason if that is right)",
                    lib);
            continue;
        }
        int match = 0;
        for (size_t k = 0; k < nh && !match; k++) {
            const LibSym *s = hits[k];
            if (is_data)
                match = s->kind == 'c';
            else if (s->kind == 's')
                match = e->cc == VM_STDCALL && e->argbytes == s->bytes;
            else if (s->kind == 'f')
                match = e->cc == VM_FASTCALL && e->argbytes == s->bytes;
            else
                match = e->cc == VM_CDECL || e->cc == VM_VARARGS || e->cc == VM_REGCALL;
        }
        if (!match) {
            const LibSym *s = hits[0];
            const char *want = s->kind == 's'   ? "STDCALL"
                               : s->kind == 'f' ? "FASTCALL"
                                                : "CDECL/VARARGS/REGCALL or DATA";
            if (s->kind == 'c')
                BAD("table says %s %u, %s has it undecorated (%s)",
                    is_data ? "DATA" : cc_name(e->cc), e->argbytes, lib, want);
            else
                BAD("table says %s %u, %s says %s %d", is_data ? "DATA" : cc_name(e->cc),
                    e->argbytes, lib, want, s->bytes);
        }
    }
#undef BAD
    return bad;
}

/* ------------------------------------------------------------------ tests */

static Syms syms;

static int have_nm(void)
{
    return system("command -v " MINGW_NM " >/dev/null 2>&1") == 0;
}

static int load_libs(void **state)
{
    (void)state;
    static char libs[16][64];
    unsigned nlibs = 0;
    if (!have_nm())
        return 0;
    /* the two every driver links with, then each module's own library */
    strcpy(libs[nlibs++], "libntoskrnl.a");
    strcpy(libs[nlibs++], "libhal.a");
    for (unsigned i = 0; nt_modules[i] && nlibs < 16; i++) {
        module_lib(nt_modules[i]->name, libs[nlibs], sizeof libs[nlibs]);
        unsigned k = 0;
        while (k < nlibs && strcmp(libs[k], libs[nlibs]))
            k++;
        if (k == nlibs)
            nlibs++;
    }
    for (unsigned k = 0; k < nlibs; k++)
        if (syms_load(&syms, libs[k]) < 0) {
            fprintf(stderr, "exports: cannot read %s/%s with " MINGW_NM "\n", MINGW_LIBDIR,
                    libs[k]);
            return -1;
        }
    return 0;
}

static int free_libs(void **state)
{
    (void)state;
    syms_free(&syms);
    return 0;
}

static void test_exports_match_import_libraries(void **state)
{
    (void)state;
    if (!have_nm()) {
        fprintf(stderr, "SKIP exports_match_import_libraries: " MINGW_NM " not installed\n");
        skip();
    }
    assert_true(syms.n > 1000);
    unsigned bad = 0, total = 0;
    for (unsigned i = 0; nt_modules[i]; i++) {
        bad += exports_check_module(nt_modules[i], &syms, allowlist, stderr);
        total += nt_modules[i]->count;
    }
    fprintf(stderr, "exports: %u exports checked, %u problems\n", total, bad);
    assert_int_equal(bad, 0);
}

/* Every allowlist entry names a real table entry that really is absent
 * from the import library; otherwise it is stale and hides nothing. */
static void test_exports_allowlist_is_live(void **state)
{
    (void)state;
    if (!have_nm())
        skip();
    unsigned stale = 0;
    for (const struct Allow *a = allowlist; a->module; a++) {
        const NtModule *m = nt_find_module(a->module);
        char lib[128];
        const LibSym *hit[1];
        module_lib(a->module, lib, sizeof lib);
        if (!m || !nt_find_export(m, a->name)) {
            fprintf(stderr, "exports: allowlist %s!%s: no such export in the tables\n", a->module,
                    a->name);
            stale++;
        } else if (syms_find(&syms, a->name, lib, hit, 1)) {
            fprintf(stderr, "exports: allowlist %s!%s: %s has it, remove the entry\n", a->module,
                    a->name, lib);
            stale++;
        }
        assert_non_null(a->reason);
    }
    assert_int_equal(stale, 0);
}

static uint64_t fake_fn(Nt *nt, const uint32_t *a)
{
    (void)nt;
    (void)a;
    return 0;
}

/* The checker on a deliberately broken table: each bad line must be
 * caught (and the good ones not), so the test above cannot pass silently. */
static void test_exports_checker_catches_mismatches(void **state)
{
    (void)state;
    if (!have_nm())
        skip();
    static const NtExport fake[] = {
        /* good */
        {"KeSetEvent", VM_STDCALL, 12, "pdb", fake_fn, 0},
        {"IofCompleteRequest", VM_FASTCALL, 8, "pd", fake_fn, 0},
        {"DbgPrint", VM_VARARGS, 4, "s", fake_fn, 0},
        {"_allshl", VM_REGCALL, 0, "qd", fake_fn, 0},
        {"_alldiv", VM_STDCALL, 16, "qq", fake_fn, 0},
        {"KeTickCount", VM_CDECL, 0, NULL, NULL, 12},
        {"NotInAnyLibButAllowed", VM_STDCALL, 4, "p", fake_fn, 0},
        /* bad, one problem each */
        {"KeInitializeEvent", VM_STDCALL, 8, "pd", fake_fn, 0},    /* @12 */
        {"IofCallDriver", VM_STDCALL, 8, "pp", fake_fn, 0},        /* fastcall */
        {"ExAllocatePoolWithTag", VM_FASTCALL, 12, "dux", fake_fn, 0}, /* stdcall */
        {"KeSetEvent", VM_STDCALL, 12, "pdb", fake_fn, 0},         /* duplicate */
        {"KeResetEvent", VM_STDCALL, 4, "pp", fake_fn, 0},         /* 2 slots for 4 bytes */
        {"KeClearEvent", VM_STDCALL, 4, "z", fake_fn, 0},          /* unknown letter */
        {"KeReadStateEvent", VM_STDCALL, 4, "p", NULL, 0},         /* no handler */
        {"NoSuchExportAnywhere", VM_STDCALL, 4, "p", fake_fn, 0},  /* not in lib */
        {"KfAcquireSpinLock", VM_FASTCALL, 4, "p", fake_fn, 0},    /* hal, not ntoskrnl */
        {"KeBugCheckEx", VM_CDECL, 20, "xxxxx", fake_fn, 0},       /* stdcall @20 */
        {"memcpy", VM_STDCALL, 12, "ppu", fake_fn, 0},             /* undecorated */
        {"KeTickCount", VM_STDCALL, 4, "p", fake_fn, 0},           /* duplicate + data */
        {"_aullshr", VM_REGCALL, 8, "qd", fake_fn, 0},             /* regcall with stack */
    };
    static const NtModule fm = {"ntoskrnl.exe", fake, sizeof fake / sizeof fake[0], NULL};
    static const struct Allow fallow[] = {
        {"ntoskrnl.exe", "NotInAnyLibButAllowed", "fake entry for the checker's test"},
        {NULL, NULL, NULL},
    };
    char buf[8192] = "";
    FILE *out = fmemopen(buf, sizeof buf - 1, "w");
    assert_non_null(out);
    unsigned bad = exports_check_module(&fm, &syms, fallow, out);
    fclose(out);
    /* KeTickCount's second entry: duplicate and undecorated-vs-STDCALL = 2 */
    if (bad != 14)
        fprintf(stderr, "%s", buf);
    assert_int_equal(bad, 14);
    assert_non_null(strstr(buf, "KeInitializeEvent: table says STDCALL 8, libntoskrnl.a says "
                                "STDCALL 12"));
    assert_non_null(strstr(buf, "IofCallDriver: table says STDCALL 8, libntoskrnl.a says "
                                "FASTCALL 8"));
    assert_non_null(strstr(buf, "KfAcquireSpinLock: not in libntoskrnl.a but in libhal.a"));
    assert_non_null(strstr(buf, "NoSuchExportAnywhere: not in libntoskrnl.a"));
    assert_null(strstr(buf, "NotInAnyLibButAllowed"));
    assert_null(strstr(buf, "DbgPrint"));
    assert_null(strstr(buf, "_alldiv"));
}

static void test_exports_module_lib_names(void **state)
{
    (void)state;
    char lib[64];
    module_lib("ntoskrnl.exe", lib, sizeof lib);
    assert_string_equal(lib, "libntoskrnl.a");
    module_lib("HAL.dll", lib, sizeof lib);
    assert_string_equal(lib, "libhal.a");
    module_lib("ndis.sys", lib, sizeof lib);
    assert_string_equal(lib, "libndis.a");
    LibSym s;
    assert_true(parse_imp("_KeSetEvent@12", &s));
    assert_string_equal(s.name, "KeSetEvent");
    assert_int_equal(s.kind, 's');
    assert_int_equal(s.bytes, 12);
    free(s.name);
    assert_true(parse_imp("@KfRaiseIrql@4", &s));
    assert_string_equal(s.name, "KfRaiseIrql");
    assert_int_equal(s.kind, 'f');
    assert_int_equal(s.bytes, 4);
    free(s.name);
    assert_true(parse_imp("__allshl", &s));
    assert_string_equal(s.name, "_allshl");
    assert_int_equal(s.kind, 'c');
    free(s.name);
    assert_true(parse_imp("__alldiv@16", &s));
    assert_string_equal(s.name, "_alldiv");
    assert_int_equal(s.kind, 's');
    free(s.name);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exports_module_lib_names),
        cmocka_unit_test(test_exports_checker_catches_mismatches),
        cmocka_unit_test(test_exports_allowlist_is_live),
        cmocka_unit_test(test_exports_match_import_libraries),
    };
    return cmocka_run_group_tests(tests, load_libs, free_libs);
}
