/* The C runtime ntoskrnl exports (memcpy, strlen, wcsncpy, ...) and the
 * MSVC 64-bit arithmetic helpers (_alldiv, _allshl, ...). Memory and string
 * routines run on the host over bounds-checked guest ranges: a guest store
 * costs far more than a host memcpy. Case-insensitive comparisons fold
 * ASCII only, like the C locale of ntoskrnl's CRT.
 * Facts: C11 7.24 (string.h), 7.29.4 (wchar.h); MSDN "_alldiv" etc. and
 * ReactOS sdk/lib/crt/math/i386 (*.s) for the helpers' register use. */
#include <stdint.h>
#include <string.h>

#include "nt/nt.h"

#define CRT_MAX_STR 0x7FFFFFFFu

/* ---------------------------------------------------------------- memory */

/* void *memcpy(void *dest, const void *src, size_t n); */
NTAPI(memcpy)
{
    if (a[2]) {
        const void *s = vm_guest(nt->vm, a[1], a[2], "src");
        memmove(vm_guest(nt->vm, a[0], a[2], "dest"), s, a[2]);
        vm_note_store(nt->vm, a[0], a[2]);
    }
    return a[0];
}

/* void *memmove(void *dest, const void *src, size_t n); */
NTAPI(memmove)
{
    return nt_memcpy(nt, a);
}

/* void *memset(void *s, int c, size_t n); */
NTAPI(memset)
{
    if (a[2]) {
        memset(vm_guest(nt->vm, a[0], a[2], "s"), (int)(a[1] & 0xff), a[2]);
        vm_note_store(nt->vm, a[0], a[2]);
    }
    return a[0];
}

/* void *memchr(const void *s, int c, size_t n); */
NTAPI(memchr)
{
    if (!a[2])
        return 0;
    const uint8_t *p = vm_guest(nt->vm, a[0], a[2], "s");
    const uint8_t *hit = memchr(p, (int)(a[1] & 0xff), a[2]);
    return hit ? a[0] + (uint32_t)(hit - p) : 0;
}

/* ------------------------------------------------------ narrow strings */

static const char *gstr(Nt *nt, GuestAddr s, uint32_t *len)
{
    uint32_t n = vm_strlen(nt->vm, s, CRT_MAX_STR);
    if (len)
        *len = n;
    return vm_guest(nt->vm, s, n + 1, "string");
}

static int fold(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* size_t strlen(const char *s); */
NTAPI(strlen)
{
    return vm_strlen(nt->vm, a[0], CRT_MAX_STR);
}

/* size_t strnlen(const char *s, size_t maxlen); */
NTAPI(strnlen)
{
    return a[1] ? vm_strlen(nt->vm, a[0], a[1]) : 0;
}

/* At most max characters of s: the bytes up to and including the NUL, or
 * max bytes if there is no NUL before. */
static const uint8_t *gstrn(Nt *nt, GuestAddr s, uint32_t max)
{
    uint32_t n = vm_strlen(nt->vm, s, max);
    return vm_guest(nt->vm, s, n < max ? n + 1 : max, "string");
}

static uint32_t ncmp8(Nt *nt, GuestAddr x, GuestAddr y, uint32_t n, int ci)
{
    if (!n)
        return 0;
    const uint8_t *p = gstrn(nt, x, n), *q = gstrn(nt, y, n);
    for (uint32_t i = 0; i < n; i++) {
        int c1 = p[i], c2 = q[i];
        if (ci) {
            c1 = fold(c1);
            c2 = fold(c2);
        }
        if (c1 != c2)
            return (uint32_t)(c1 < c2 ? -1 : 1);
        if (!c1)
            break;
    }
    return 0;
}

/* int strcmp(const char *s1, const char *s2); */
NTAPI(strcmp)
{
    return ncmp8(nt, a[0], a[1], CRT_MAX_STR, 0);
}

/* int strncmp(const char *s1, const char *s2, size_t n); */
NTAPI(strncmp)
{
    return ncmp8(nt, a[0], a[1], a[2], 0);
}

/* int _stricmp(const char *s1, const char *s2); */
NTAPI(_stricmp)
{
    return ncmp8(nt, a[0], a[1], CRT_MAX_STR, 1);
}

/* int _strnicmp(const char *s1, const char *s2, size_t n); */
NTAPI(_strnicmp)
{
    return ncmp8(nt, a[0], a[1], a[2], 1);
}

/* char *strcpy(char *dest, const char *src); */
NTAPI(strcpy)
{
    uint32_t n;
    const char *s = gstr(nt, a[1], &n);
    memmove(vm_guest(nt->vm, a[0], n + 1, "dest"), s, n + 1);
    return a[0];
}

/* char *strncpy(char *dest, const char *src, size_t n); pads with NULs,
 * leaves dest unterminated if src has n or more characters. */
NTAPI(strncpy)
{
    if (!a[2])
        return a[0];
    uint32_t n = vm_strlen(nt->vm, a[1], a[2]);
    const char *s = n ? vm_guest(nt->vm, a[1], n, "src") : NULL;
    char *d = vm_guest(nt->vm, a[0], a[2], "dest");
    if (n)
        memmove(d, s, n);
    memset(d + n, 0, a[2] - n);
    return a[0];
}

/* char *strcat(char *dest, const char *src); */
NTAPI(strcat)
{
    uint32_t nd, ns;
    gstr(nt, a[0], &nd);
    const char *s = gstr(nt, a[1], &ns);
    memmove(vm_guest(nt->vm, a[0] + nd, ns + 1, "dest"), s, ns + 1);
    return a[0];
}

/* char *strncat(char *dest, const char *src, size_t n); */
NTAPI(strncat)
{
    uint32_t nd;
    gstr(nt, a[0], &nd);
    uint32_t ns = a[2] ? vm_strlen(nt->vm, a[1], a[2]) : 0;
    char *d = vm_guest(nt->vm, a[0] + nd, ns + 1, "dest");
    if (ns)
        memmove(d, vm_guest(nt->vm, a[1], ns, "src"), ns);
    d[ns] = 0;
    return a[0];
}

/* char *strchr(const char *s, int c); */
NTAPI(strchr)
{
    uint32_t n;
    const char *s = gstr(nt, a[0], &n);
    const char *hit = memchr(s, (int)(a[1] & 0xff), n + 1);
    return hit ? a[0] + (uint32_t)(hit - s) : 0;
}

/* char *strrchr(const char *s, int c); */
NTAPI(strrchr)
{
    uint32_t n;
    const char *s = gstr(nt, a[0], &n);
    for (uint32_t i = n + 1; i-- > 0;)
        if ((uint8_t)s[i] == (a[1] & 0xff))
            return a[0] + i;
    return 0;
}

/* char *strstr(const char *haystack, const char *needle); */
NTAPI(strstr)
{
    uint32_t nh, nn;
    const char *h = gstr(nt, a[0], &nh), *nd = gstr(nt, a[1], &nn);
    if (!nn)
        return a[0];
    for (uint32_t i = 0; i + nn <= nh; i++)
        if (!memcmp(h + i, nd, nn))
            return a[0] + i;
    return 0;
}

/* -------------------------------------------------------- wide strings */

static uint16_t w_at(const uint8_t *p, uint32_t i)
{
    return (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
}

static const uint8_t *gwstr(Nt *nt, GuestAddr s, uint32_t *len)
{
    uint32_t n = vm_wcslen(nt->vm, s, CRT_MAX_STR / 2);
    if (len)
        *len = n;
    return vm_guest(nt->vm, s, (n + 1) * 2, "wide string");
}

/* size_t wcslen(const wchar_t *s); */
NTAPI(wcslen)
{
    return vm_wcslen(nt->vm, a[0], CRT_MAX_STR / 2);
}

/* size_t wcsnlen(const wchar_t *s, size_t maxlen); */
NTAPI(wcsnlen)
{
    return a[1] ? vm_wcslen(nt->vm, a[0], a[1] < CRT_MAX_STR / 2 ? a[1] : CRT_MAX_STR / 2) : 0;
}

static const uint8_t *gwstrn(Nt *nt, GuestAddr s, uint32_t max)
{
    if (max > CRT_MAX_STR / 2)
        max = CRT_MAX_STR / 2;
    uint32_t n = vm_wcslen(nt->vm, s, max);
    return vm_guest(nt->vm, s, (n < max ? n + 1 : max) * 2, "wide string");
}

static uint32_t ncmp16(Nt *nt, GuestAddr x, GuestAddr y, uint32_t n, int ci)
{
    if (!n)
        return 0;
    const uint8_t *p = gwstrn(nt, x, n), *q = gwstrn(nt, y, n);
    for (uint32_t i = 0; i < n; i++) {
        int c1 = w_at(p, i), c2 = w_at(q, i);
        if (ci) {
            c1 = fold(c1);
            c2 = fold(c2);
        }
        if (c1 != c2)
            return (uint32_t)(c1 < c2 ? -1 : 1);
        if (!c1)
            break;
    }
    return 0;
}

/* int wcscmp(const wchar_t *s1, const wchar_t *s2); */
NTAPI(wcscmp)
{
    return ncmp16(nt, a[0], a[1], CRT_MAX_STR, 0);
}

/* int wcsncmp(const wchar_t *s1, const wchar_t *s2, size_t n); */
NTAPI(wcsncmp)
{
    return ncmp16(nt, a[0], a[1], a[2], 0);
}

/* int _wcsicmp(const wchar_t *s1, const wchar_t *s2); */
NTAPI(_wcsicmp)
{
    return ncmp16(nt, a[0], a[1], CRT_MAX_STR, 1);
}

/* int _wcsnicmp(const wchar_t *s1, const wchar_t *s2, size_t n); */
NTAPI(_wcsnicmp)
{
    return ncmp16(nt, a[0], a[1], a[2], 1);
}

/* wchar_t *wcscpy(wchar_t *dest, const wchar_t *src); */
NTAPI(wcscpy)
{
    uint32_t n;
    const uint8_t *s = gwstr(nt, a[1], &n);
    memmove(vm_guest(nt->vm, a[0], (n + 1) * 2, "dest"), s, (n + 1) * 2);
    return a[0];
}

/* wchar_t *wcsncpy(wchar_t *dest, const wchar_t *src, size_t n); */
NTAPI(wcsncpy)
{
    if (!a[2])
        return a[0];
    if (a[2] > CRT_MAX_STR / 2)
        vm_throw(nt->vm, VM_FAULT_API, "wcsncpy: count %u is larger than any buffer", a[2]);
    uint32_t n = vm_wcslen(nt->vm, a[1], a[2]);
    const uint8_t *s = n ? vm_guest(nt->vm, a[1], n * 2, "src") : NULL;
    uint8_t *d = vm_guest(nt->vm, a[0], a[2] * 2, "dest");
    if (n)
        memmove(d, s, n * 2);
    memset(d + n * 2, 0, (a[2] - n) * 2);
    return a[0];
}

/* wchar_t *wcscat(wchar_t *dest, const wchar_t *src); */
NTAPI(wcscat)
{
    uint32_t nd, ns;
    gwstr(nt, a[0], &nd);
    const uint8_t *s = gwstr(nt, a[1], &ns);
    memmove(vm_guest(nt->vm, a[0] + nd * 2, (ns + 1) * 2, "dest"), s, (ns + 1) * 2);
    return a[0];
}

/* wchar_t *wcschr(const wchar_t *s, wchar_t c); */
NTAPI(wcschr)
{
    uint32_t n;
    const uint8_t *s = gwstr(nt, a[0], &n);
    for (uint32_t i = 0; i <= n; i++)
        if (w_at(s, i) == (a[1] & 0xffff))
            return a[0] + 2 * i;
    return 0;
}

/* wchar_t *wcsrchr(const wchar_t *s, wchar_t c); */
NTAPI(wcsrchr)
{
    uint32_t n;
    const uint8_t *s = gwstr(nt, a[0], &n);
    for (uint32_t i = n + 1; i-- > 0;)
        if (w_at(s, i) == (a[1] & 0xffff))
            return a[0] + 2 * i;
    return 0;
}

/* wchar_t *wcsstr(const wchar_t *haystack, const wchar_t *needle); */
NTAPI(wcsstr)
{
    uint32_t nh, nn;
    const uint8_t *h = gwstr(nt, a[0], &nh), *nd = gwstr(nt, a[1], &nn);
    if (!nn)
        return a[0];
    for (uint32_t i = 0; i + nn <= nh; i++)
        if (!memcmp(h + 2 * i, nd, nn * 2))
            return a[0] + 2 * i;
    return 0;
}

/* --------------------------------------------------- 64-bit arithmetic */

static int64_t q_arg(const uint32_t *a, unsigned i)
{
    return (int64_t)((uint64_t)a[i + 1] << 32 | a[i]);
}

static void check_divisor(Nt *nt, uint64_t d)
{
    if (!d)
        vm_throw(nt->vm, VM_FAULT_DIVIDE, "%s: integer division by zero", vm_current_api(nt->vm));
}

/* Signed 64-bit division as the helpers do it (divide the magnitudes,
 * then fix the signs): INT64_MIN / -1 wraps to INT64_MIN, no trap. */
static int64_t sdiv(int64_t x, int64_t y)
{
    uint64_t ux = x < 0 ? 0 - (uint64_t)x : (uint64_t)x, uy = y < 0 ? 0 - (uint64_t)y : (uint64_t)y;
    uint64_t q = ux / uy;
    return (int64_t)((x < 0) != (y < 0) ? 0 - q : q);
}

static int64_t srem(int64_t x, int64_t y)
{
    uint64_t ux = x < 0 ? 0 - (uint64_t)x : (uint64_t)x, uy = y < 0 ? 0 - (uint64_t)y : (uint64_t)y;
    uint64_t r = ux % uy;
    return (int64_t)(x < 0 ? 0 - r : r);
}

/* LONGLONG _alldiv(LONGLONG dividend, LONGLONG divisor); stdcall, EDX:EAX. */
NTAPI(_alldiv)
{
    check_divisor(nt, (uint64_t)q_arg(a, 2));
    return (uint64_t)sdiv(q_arg(a, 0), q_arg(a, 2));
}

/* LONGLONG _allrem(LONGLONG dividend, LONGLONG divisor); sign of the dividend. */
NTAPI(_allrem)
{
    check_divisor(nt, (uint64_t)q_arg(a, 2));
    return (uint64_t)srem(q_arg(a, 0), q_arg(a, 2));
}

/* LONGLONG _allmul(LONGLONG a, LONGLONG b); low 64 bits of the product. */
NTAPI(_allmul)
{
    return (uint64_t)q_arg(a, 0) * (uint64_t)q_arg(a, 2);
}

/* ULONGLONG _aulldiv(ULONGLONG dividend, ULONGLONG divisor); */
NTAPI(_aulldiv)
{
    check_divisor(nt, (uint64_t)q_arg(a, 2));
    return (uint64_t)q_arg(a, 0) / (uint64_t)q_arg(a, 2);
}

/* ULONGLONG _aullrem(ULONGLONG dividend, ULONGLONG divisor); */
NTAPI(_aullrem)
{
    check_divisor(nt, (uint64_t)q_arg(a, 2));
    return (uint64_t)q_arg(a, 0) % (uint64_t)q_arg(a, 2);
}

/* _alldvrm: quotient in EDX:EAX, remainder in EBX:ECX. */
NTAPI(_alldvrm)
{
    check_divisor(nt, (uint64_t)q_arg(a, 2));
    int64_t r = srem(q_arg(a, 0), q_arg(a, 2));
    vm_set_reg(nt->vm, VM_ECX, (uint32_t)r);
    vm_set_reg(nt->vm, VM_EBX, (uint32_t)((uint64_t)r >> 32));
    return (uint64_t)sdiv(q_arg(a, 0), q_arg(a, 2));
}

/* _aulldvrm: quotient in EDX:EAX, remainder in EBX:ECX. */
NTAPI(_aulldvrm)
{
    check_divisor(nt, (uint64_t)q_arg(a, 2));
    uint64_t x = (uint64_t)q_arg(a, 0), y = (uint64_t)q_arg(a, 2);
    vm_set_reg(nt->vm, VM_ECX, (uint32_t)(x % y));
    vm_set_reg(nt->vm, VM_EBX, (uint32_t)((x % y) >> 32));
    return x / y;
}

/* Shifts: value in EDX:EAX, count in CL; counts of 64 or more give 0 (or
 * the sign for _allshr), as the helpers' code does. */
NTAPI(_allshl)
{
    uint64_t v = (uint64_t)a[1] << 32 | a[0];
    unsigned c = a[2] & 0xff;
    return c >= 64 ? 0 : v << c;
}

NTAPI(_allshr)
{
    int64_t v = (int64_t)((uint64_t)a[1] << 32 | a[0]);
    unsigned c = a[2] & 0xff;
    if (c >= 64)
        return v < 0 ? UINT64_MAX : 0;
    return (uint64_t)(v < 0 ? ~(~v >> c) : v >> c);
}

NTAPI(_aullshr)
{
    uint64_t v = (uint64_t)a[1] << 32 | a[0];
    unsigned c = a[2] & 0xff;
    return c >= 64 ? 0 : v >> c;
}
