/* Unit tests for the DbgPrint format engine (src/nt/ntoskrnl/dbg.c,
 * dbg_format): conversions, flags, width and precision, size prefixes,
 * counted strings, bad pointers, truncation. "Guest memory" here is a host
 * array at a fake guest address; arguments come from an array. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "nt/ntoskrnl/dbg.h"

#define BASE 0x81000000u

typedef struct Fake {
    uint8_t mem[512];
    uint32_t args[32];
    unsigned next;
} Fake;

static uint32_t fake_next(void *opaque)
{
    Fake *f = opaque;
    return f->next < 32 ? f->args[f->next++] : 0;
}

static int fake_read(void *opaque, uint32_t addr, void *dst, uint32_t len)
{
    Fake *f = opaque;
    if (addr < BASE || addr - BASE > sizeof f->mem || len > sizeof f->mem - (addr - BASE))
        return -1;
    memcpy(dst, f->mem + (addr - BASE), len);
    return 0;
}

static Fake fk;

static uint32_t put_str(uint32_t off, const char *s)
{
    memcpy(fk.mem + off, s, strlen(s) + 1);
    return BASE + off;
}

static uint32_t put_wstr(uint32_t off, const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i <= n; i++) {
        fk.mem[off + 2 * i] = (uint8_t)s[i];
        fk.mem[off + 2 * i + 1] = 0;
    }
    return BASE + off;
}

/* A counted string struct at `off` whose buffer is at `boff`. */
static uint32_t put_counted(uint32_t off, uint32_t boff, const char *s, int wide)
{
    uint16_t len = (uint16_t)(strlen(s) * (wide ? 2 : 1));
    uint32_t buf = wide ? put_wstr(boff, s) : put_str(boff, s);
    memcpy(fk.mem + off, &len, 2);
    memcpy(fk.mem + off + 2, &len, 2);
    memcpy(fk.mem + off + 4, &buf, 4);
    return BASE + off;
}

static const char *fmt(const char *f, unsigned n, ...)
{
    static char out[512];
    va_list ap;
    va_start(ap, n);
    for (unsigned i = 0; i < n; i++)
        fk.args[i] = va_arg(ap, uint32_t);
    va_end(ap);
    fk.next = 0;
    DbgArgs a = {fake_next, fake_read, &fk};
    dbg_format(out, sizeof out, f, &a);
    return out;
}

static void test_dbgprint_integers(void **state)
{
    (void)state;
    assert_string_equal(fmt("%d %i %u", 3, (uint32_t)-42, 7u, 4000000000u), "-42 7 4000000000");
    assert_string_equal(fmt("%x %X %o %#x %#o", 5, 0xbeef, 0xbeef, 8, 255, 8),
                        "beef BEEF 10 0xff 010");
    assert_string_equal(fmt("[%5d][%-5d][%05d][%+d][% d]", 5, 42, 42, 42, 42, 42),
                        "[   42][42   ][00042][+42][ 42]");
    assert_string_equal(fmt("[%.3d][%8.3x]", 2, 7, 0xab), "[007][     0ab]");
    assert_string_equal(fmt("[%*d][%-*d][%*d]", 6, 4, 1, 3, 2, (uint32_t)-3, 9),
                        "[   1][2  ][9  ]");
    assert_string_equal(fmt("[%.*d]", 2, 4, 5), "[0005]");
    assert_string_equal(fmt("%hd %hu %hhd %hhu", 4, 70000, 70000, 0x1ff, 300), "4464 4464 -1 44");
    assert_string_equal(fmt("%ld %lu %lx %Id %zu", 5, (uint32_t)-1, 1, 0xff, 3, 4), "-1 1 ff 3 4");
    /* 64-bit: two argument words, low first */
    assert_string_equal(fmt("%I64d|%I64x|%llu|%lld|%I64X", 10, 0xD5FA0E00u, 0xFFFFFFFEu,
                            0x56789abcu, 0x1234u, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFBu,
                            0xFFFFFFFFu, 0xABCDEFu, 0x1u),
                        "-5000000000|123456789abc|18446744073709551615|-5|100ABCDEF");
    assert_string_equal(fmt("%I32d %I32x", 2, (uint32_t)-2, 0x10), "-2 10");
    assert_string_equal(fmt("%p %p", 2, 0xBEEF, 0), "0000BEEF 00000000");
    assert_string_equal(fmt("100%% %c%c", 2, 'o', 'k'), "100% ok");
}

static void test_dbgprint_strings(void **state)
{
    (void)state;
    uint32_t s = put_str(0, "abc"), w = put_wstr(32, "wide"), t = put_str(64, "truncate");
    assert_string_equal(fmt("[%s][%5s][%-5s][%.2s]", 4, s, s, s, t), "[abc][  abc][abc  ][tr]");
    assert_string_equal(fmt("[%S][%ls][%ws][%hs][%.2S]", 5, w, w, w, s, w),
                        "[wide][wide][wide][abc][wi]");
    assert_string_equal(fmt("[%C][%lc][%wc][%hc]", 4, 'W', 'x', 0xe9, 'n'), "[W][x][\xc3\xa9][n]");
    uint32_t us = put_counted(128, 144, "unicode", 1), as = put_counted(192, 208, "ansi!", 0);
    /* counted strings stop at Length, not at a NUL */
    fk.mem[208 + 5] = 'X';
    assert_string_equal(fmt("[%wZ][%Z][%8Z][%.3wZ]", 4, us, as, as, us),
                        "[unicode][ansi!][   ansi!][uni]");
    /* NULL and unmapped pointers */
    assert_string_equal(fmt("[%s][%S][%wZ][%Z]", 4, 0, 0, 0, 0),
                        "[(null)][(null)][(null)][(null)]");
    assert_string_equal(fmt("[%s]", 1, 0xC0000000u), "[<bad pointer 0xc0000000>]");
    assert_string_equal(fmt("[%wZ]", 1, 0x10u), "[<bad pointer 0x00000010>]");
    uint32_t badbuf = BASE + 256;
    uint16_t len = 8;
    memcpy(fk.mem + 256, &len, 2);
    memcpy(fk.mem + 258, &len, 2);
    uint32_t wild = 0x90000000u;
    memcpy(fk.mem + 260, &wild, 4);
    assert_string_equal(fmt("[%wZ] %d", 2, badbuf, 5), "[<bad pointer 0x90000000>] 5");
    /* a UNICODE_STRING with a NULL buffer */
    uint32_t zero = 0;
    memcpy(fk.mem + 264, &zero, 4);
    memcpy(fk.mem + 268, &zero, 4);
    assert_string_equal(fmt("[%wZ]", 1, BASE + 264), "[(null)]");
}

static void test_dbgprint_odd_formats(void **state)
{
    (void)state;
    /* an unknown conversion is kept as written; a trailing '%' too */
    assert_string_equal(fmt("a%qb %d", 1, 5), "a%qb 5");
    assert_string_equal(fmt("end%", 0), "end%");
    assert_string_equal(fmt("%n|%d", 2, BASE, 3), "<%n not supported>|3");
    assert_string_equal(fmt("%.2f %e", 4, 0x00000000u, 0x40091EB8u, 0, 0x3FF00000u),
                        "3.14 1.000000e+00");
    /* a huge width is capped, the output truncated and terminated */
    char out[16];
    fk.args[0] = 100000;
    fk.args[1] = 1;
    fk.next = 0;
    DbgArgs a = {fake_next, fake_read, &fk};
    size_t n = dbg_format(out, sizeof out, "%*d", &a);
    assert_int_equal(n, 15);
    assert_int_equal(strlen(out), 15);
    assert_int_equal(dbg_format(out, 1, "abc", &a), 0);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dbgprint_integers),
        cmocka_unit_test(test_dbgprint_strings),
        cmocka_unit_test(test_dbgprint_odd_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
