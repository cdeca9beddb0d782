/* Rtl: counted strings (UNICODE_STRING, ANSI_STRING), conversions, integer
 * parsing and formatting, and the Rtl memory routines. All work is done on
 * the host over bounds-checked guest buffers.
 * The ANSI code page is Windows-1252 (a US-English system); upcasing covers
 * Basic Latin, Latin-1, Latin Extended-A pairs, Greek and Cyrillic.
 * Facts: MSDN pages of each routine; ReactOS sdk/lib/rtl/unicode.c for
 * Windows behaviour the documentation leaves open (truncation, NUL
 * termination, status codes). */
#include <string.h>

#include "nt/nt.h"
#include "nt/ntoskrnl/ke.h"
#include "nt/ntstructs.h"

#define MAX_USTRING 0xFFFEu        /* largest even USHORT */
#define RTL_STRING_TAG 0x67727453u /* 'Strg' */
#define PAGED_POOL 1u

/* Windows-1252 0x80..0x9F (unicode.org cp1252 table); undefined codes map
 * to the C1 control of the same value, as MultiByteToWideChar does. */
static const uint16_t cp1252_80[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

static uint16_t ansi_to_wchar(uint8_t c)
{
    return c >= 0x80 && c < 0xA0 ? cp1252_80[c - 0x80] : c;
}

static uint8_t wchar_to_ansi(uint16_t w)
{
    if (w < 0x80 || (w >= 0xA0 && w <= 0xFF))
        return (uint8_t)w;
    for (unsigned i = 0; i < 32; i++)
        if (cp1252_80[i] == w)
            return (uint8_t)(0x80 + i);
    return '?'; /* the code page's default character */
}

static uint16_t upcase(uint16_t c)
{
    if (c >= 'a' && c <= 'z')
        return (uint16_t)(c - 32);
    if (c < 0xB5)
        return c;
    if (c == 0xB5)
        return 0x039C;
    if ((c >= 0xE0 && c <= 0xFE && c != 0xF7))
        return (uint16_t)(c - 32);
    if (c == 0xFF)
        return 0x0178;
    if (c >= 0x0100 && c <= 0x0137 && (c & 1))
        return (uint16_t)(c - 1);
    if (c >= 0x0139 && c <= 0x0148 && !(c & 1))
        return (uint16_t)(c - 1);
    if (c >= 0x014A && c <= 0x0177 && (c & 1))
        return (uint16_t)(c - 1);
    if (c == 0x017A || c == 0x017C || c == 0x017E)
        return (uint16_t)(c - 1);
    if (c >= 0x03B1 && c <= 0x03CB && c != 0x03C2)
        return (uint16_t)(c - 32);
    if (c >= 0x0430 && c <= 0x044F)
        return (uint16_t)(c - 32);
    if (c >= 0x0450 && c <= 0x045F)
        return (uint16_t)(c - 80);
    return c;
}

static GUnicodeString get_str(Nt *nt, GuestAddr ps, const char *what)
{
    GUnicodeString s;
    memcpy(&s, vm_guest(nt->vm, ps, sizeof s, what), sizeof s);
    if (s.Length > s.MaximumLength)
        vm_throw(nt->vm, VM_FAULT_API, "%s: %s 0x%08x has Length %u > MaximumLength %u",
                 vm_current_api(nt->vm), what, ps, s.Length, s.MaximumLength);
    return s;
}

static void set_str(Nt *nt, GuestAddr ps, const GUnicodeString *s)
{
    memcpy(vm_guest(nt->vm, ps, sizeof *s, "string"), s, sizeof *s);
}

static uint8_t *str_buf(Nt *nt, const GUnicodeString *s, uint32_t len, const char *what)
{
    if (!len)
        return NULL;
    return vm_guest(nt->vm, s->Buffer, len, what);
}

static uint16_t get_w(const uint8_t *p, unsigned i)
{
    return (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
}

static void put_w(uint8_t *p, unsigned i, uint16_t w)
{
    p[2 * i] = (uint8_t)w;
    p[2 * i + 1] = (uint8_t)(w >> 8);
}

/* ----------------------------------------------------------------- init */

/* VOID RtlInitUnicodeString(PUNICODE_STRING DestinationString, PCWSTR SourceString); */
NTAPI(RtlInitUnicodeString)
{
    GUnicodeString s = {0, 0, a[1]};
    if (a[1]) {
        uint32_t n = vm_wcslen(nt->vm, a[1], MAX_USTRING / 2) * 2;
        if (n > MAX_USTRING - 2)
            n = MAX_USTRING - 2;
        s.Length = (uint16_t)n;
        s.MaximumLength = (uint16_t)(n + 2);
    }
    set_str(nt, a[0], &s);
    return 0;
}

/* VOID RtlInitAnsiString(PANSI_STRING DestinationString, PCSZ SourceString); */
NTAPI(RtlInitAnsiString)
{
    GAnsiString s = {0, 0, a[1]};
    if (a[1]) {
        uint32_t n = vm_strlen(nt->vm, a[1], 0xFFFF);
        if (n > 0xFFFE)
            n = 0xFFFE;
        s.Length = (uint16_t)n;
        s.MaximumLength = (uint16_t)(n + 1);
    }
    set_str(nt, a[0], &s);
    return 0;
}

/* VOID RtlInitString(PSTRING DestinationString, PCSZ SourceString); */
NTAPI(RtlInitString)
{
    return nt_RtlInitAnsiString(nt, a);
}

/* ----------------------------------------------------------------- copy */

/* Copy `src` into `dst` truncating to its MaximumLength, NUL-terminating
 * when there is room (ReactOS RtlCopyUnicodeString / RtlCopyString). */
static void copy_counted(Nt *nt, GuestAddr pdst, GuestAddr psrc, unsigned unit)
{
    GUnicodeString d = get_str(nt, pdst, "DestinationString");
    if (!psrc) {
        d.Length = 0;
        set_str(nt, pdst, &d);
        return;
    }
    GUnicodeString s = get_str(nt, psrc, "SourceString");
    uint32_t n = s.Length < d.MaximumLength ? s.Length : d.MaximumLength;
    n -= n % unit;
    uint8_t *dp = str_buf(nt, &d, d.MaximumLength, "DestinationString buffer");
    const uint8_t *sp = str_buf(nt, &s, n, "SourceString buffer");
    if (n)
        memmove(dp, sp, n);
    if (n + unit <= d.MaximumLength)
        memset(dp + n, 0, unit);
    d.Length = (uint16_t)n;
    set_str(nt, pdst, &d);
}

/* VOID RtlCopyUnicodeString(PUNICODE_STRING DestinationString,
 *                           PCUNICODE_STRING SourceString); */
NTAPI(RtlCopyUnicodeString)
{
    copy_counted(nt, a[0], a[1], 2);
    return 0;
}

/* VOID RtlCopyString(PSTRING DestinationString, const STRING *SourceString); */
NTAPI(RtlCopyString)
{
    copy_counted(nt, a[0], a[1], 1);
    return 0;
}

/* Append `n` bytes at host `src` (may alias the guest) to counted string
 * `pdst`; STATUS_BUFFER_TOO_SMALL if they do not fit. */
static uint32_t append_bytes(Nt *nt, GuestAddr pdst, GuestAddr src, uint32_t n, unsigned unit)
{
    GUnicodeString d = get_str(nt, pdst, "Destination");
    if (!n)
        return STATUS_SUCCESS;
    if ((uint32_t)d.Length + n > d.MaximumLength)
        return STATUS_BUFFER_TOO_SMALL;
    uint8_t *dp = str_buf(nt, &d, d.MaximumLength, "Destination buffer");
    const uint8_t *sp = vm_guest(nt->vm, src, n, "Source buffer");
    memmove(dp + d.Length, sp, n);
    d.Length = (uint16_t)(d.Length + n);
    if ((uint32_t)d.Length + unit <= d.MaximumLength)
        memset(dp + d.Length, 0, unit);
    set_str(nt, pdst, &d);
    return STATUS_SUCCESS;
}

/* NTSTATUS RtlAppendUnicodeStringToString(PUNICODE_STRING Destination,
 *                                         PCUNICODE_STRING Source); */
NTAPI(RtlAppendUnicodeStringToString)
{
    GUnicodeString s = get_str(nt, a[1], "Source");
    return append_bytes(nt, a[0], s.Buffer, s.Length, 2);
}

/* NTSTATUS RtlAppendUnicodeToString(PUNICODE_STRING Destination, PCWSTR Source); */
NTAPI(RtlAppendUnicodeToString)
{
    if (!a[1])
        return STATUS_SUCCESS;
    uint32_t n = vm_wcslen(nt->vm, a[1], MAX_USTRING / 2) * 2;
    return append_bytes(nt, a[0], a[1], n, 2);
}

/* NTSTATUS RtlAppendStringToString(PSTRING Destination, const STRING *Source); */
NTAPI(RtlAppendStringToString)
{
    GUnicodeString s = get_str(nt, a[1], "Source");
    return append_bytes(nt, a[0], s.Buffer, s.Length, 1);
}

/* -------------------------------------------------------------- compare */

static int32_t compare_counted(Nt *nt, GuestAddr p1, GuestAddr p2, int ci, int wide)
{
    GUnicodeString s1 = get_str(nt, p1, "String1"), s2 = get_str(nt, p2, "String2");
    unsigned unit = wide ? 2 : 1;
    unsigned n1 = s1.Length / unit, n2 = s2.Length / unit, n = n1 < n2 ? n1 : n2;
    const uint8_t *b1 = str_buf(nt, &s1, n1 * unit, "String1 buffer");
    const uint8_t *b2 = str_buf(nt, &s2, n2 * unit, "String2 buffer");
    for (unsigned i = 0; i < n; i++) {
        uint16_t c1 = wide ? get_w(b1, i) : b1[i], c2 = wide ? get_w(b2, i) : b2[i];
        if (ci) {
            c1 = wide ? upcase(c1) : (uint16_t)(c1 >= 'a' && c1 <= 'z' ? c1 - 32 : c1);
            c2 = wide ? upcase(c2) : (uint16_t)(c2 >= 'a' && c2 <= 'z' ? c2 - 32 : c2);
        }
        if (c1 != c2)
            return (int32_t)c1 - (int32_t)c2;
    }
    return (int32_t)n1 - (int32_t)n2;
}

/* LONG RtlCompareUnicodeString(PCUNICODE_STRING String1,
 *     PCUNICODE_STRING String2, BOOLEAN CaseInSensitive); */
NTAPI(RtlCompareUnicodeString)
{
    return (uint32_t)compare_counted(nt, a[0], a[1], a[2] & 0xff, 1);
}

/* BOOLEAN RtlEqualUnicodeString(PCUNICODE_STRING String1,
 *     PCUNICODE_STRING String2, BOOLEAN CaseInSensitive); */
NTAPI(RtlEqualUnicodeString)
{
    return compare_counted(nt, a[0], a[1], a[2] & 0xff, 1) == 0;
}

/* LONG RtlCompareString(const STRING *String1, const STRING *String2,
 *                       BOOLEAN CaseInSensitive); */
NTAPI(RtlCompareString)
{
    return (uint32_t)compare_counted(nt, a[0], a[1], a[2] & 0xff, 0);
}

/* BOOLEAN RtlEqualString(const STRING *String1, const STRING *String2,
 *                        BOOLEAN CaseInSensitive); */
NTAPI(RtlEqualString)
{
    return compare_counted(nt, a[0], a[1], a[2] & 0xff, 0) == 0;
}

/* WCHAR RtlUpcaseUnicodeChar(WCHAR SourceCharacter); */
NTAPI(RtlUpcaseUnicodeChar)
{
    return upcase((uint16_t)a[0]);
}

/* ----------------------------------------------------------- conversion */

/* Allocate `bytes` from paged pool for a string the caller frees with
 * RtlFree*String. */
static GuestAddr alloc_string(Nt *nt, uint32_t bytes)
{
    return nt_ex_pool_alloc(nt, PAGED_POOL, bytes, RTL_STRING_TAG);
}

/* NTSTATUS RtlUpcaseUnicodeString(PUNICODE_STRING DestinationString,
 *     PCUNICODE_STRING SourceString, BOOLEAN AllocateDestinationString); */
NTAPI(RtlUpcaseUnicodeString)
{
    GUnicodeString s = get_str(nt, a[1], "SourceString");
    GUnicodeString d;
    if (a[2] & 0xff) {
        d.Buffer = alloc_string(nt, s.Length);
        if (!d.Buffer)
            return STATUS_NO_MEMORY;
        d.MaximumLength = s.Length;
    } else {
        d = get_str(nt, a[0], "DestinationString");
        if (s.Length > d.MaximumLength)
            return STATUS_BUFFER_OVERFLOW;
    }
    unsigned n = s.Length / 2u;
    uint8_t *dp = str_buf(nt, &d, n * 2, "DestinationString buffer");
    const uint8_t *sp = str_buf(nt, &s, n * 2, "SourceString buffer");
    for (unsigned i = 0; i < n; i++)
        put_w(dp, i, upcase(get_w(sp, i)));
    d.Length = (uint16_t)(n * 2);
    set_str(nt, a[0], &d);
    return STATUS_SUCCESS;
}

/* NTSTATUS RtlAnsiStringToUnicodeString(PUNICODE_STRING DestinationString,
 *     PCANSI_STRING SourceString, BOOLEAN AllocateDestinationString); */
NTAPI(RtlAnsiStringToUnicodeString)
{
    GAnsiString s = get_str(nt, a[1], "SourceString");
    uint32_t need = s.Length * 2u + 2; /* with the NUL */
    if (need > 0xFFFF)
        return STATUS_INVALID_PARAMETER_2;
    GUnicodeString d;
    if (a[2] & 0xff) {
        d.Buffer = alloc_string(nt, need);
        if (!d.Buffer)
            return STATUS_NO_MEMORY;
        d.MaximumLength = (uint16_t)need;
    } else {
        d = get_str(nt, a[0], "DestinationString");
        if (need - 2 >= d.MaximumLength)
            return STATUS_BUFFER_OVERFLOW;
    }
    d.Length = (uint16_t)(need - 2);
    uint8_t *dp = vm_guest(nt->vm, d.Buffer, d.MaximumLength, "DestinationString buffer");
    const uint8_t *sp = str_buf(nt, &s, s.Length, "SourceString buffer");
    for (unsigned i = 0; i < s.Length; i++)
        put_w(dp, i, ansi_to_wchar(sp[i]));
    if (need <= d.MaximumLength)
        put_w(dp, s.Length, 0);
    set_str(nt, a[0], &d);
    return STATUS_SUCCESS;
}

/* NTSTATUS RtlUnicodeStringToAnsiString(PANSI_STRING DestinationString,
 *     PCUNICODE_STRING SourceString, BOOLEAN AllocateDestinationString);
 * Without allocation a too small buffer gets the truncated string and
 * STATUS_BUFFER_OVERFLOW (ReactOS unicode.c). */
NTAPI(RtlUnicodeStringToAnsiString)
{
    GUnicodeString s = get_str(nt, a[1], "SourceString");
    uint32_t need = s.Length / 2u + 1;
    uint32_t status = STATUS_SUCCESS;
    GAnsiString d;
    if (need > 0xFFFF)
        return STATUS_INVALID_PARAMETER_2;
    if (a[2] & 0xff) {
        d.Buffer = alloc_string(nt, need);
        if (!d.Buffer)
            return STATUS_NO_MEMORY;
        d.MaximumLength = (uint16_t)need;
        d.Length = (uint16_t)(need - 1);
    } else {
        d = get_str(nt, a[0], "DestinationString");
        d.Length = (uint16_t)(need - 1);
        if (d.Length >= d.MaximumLength) {
            if (!d.MaximumLength)
                return STATUS_BUFFER_OVERFLOW;
            status = STATUS_BUFFER_OVERFLOW;
            d.Length = (uint16_t)(d.MaximumLength - 1);
        }
    }
    uint8_t *dp = vm_guest(nt->vm, d.Buffer, d.Length + 1u, "DestinationString buffer");
    const uint8_t *sp = str_buf(nt, &s, d.Length * 2u, "SourceString buffer");
    for (unsigned i = 0; i < d.Length; i++)
        dp[i] = wchar_to_ansi(get_w(sp, i));
    dp[d.Length] = 0;
    set_str(nt, a[0], &d);
    return status;
}

static void free_string(Nt *nt, GuestAddr ps)
{
    GUnicodeString s;
    memcpy(&s, vm_guest(nt->vm, ps, sizeof s, "string"), sizeof s);
    if (s.Buffer)
        nt_ex_pool_free(nt, s.Buffer);
    memset(&s, 0, sizeof s);
    set_str(nt, ps, &s);
}

/* VOID RtlFreeUnicodeString(PUNICODE_STRING UnicodeString); */
NTAPI(RtlFreeUnicodeString)
{
    free_string(nt, a[0]);
    return 0;
}

/* VOID RtlFreeAnsiString(PANSI_STRING AnsiString); */
NTAPI(RtlFreeAnsiString)
{
    free_string(nt, a[0]);
    return 0;
}

/* ULONG RtlxAnsiStringToUnicodeSize / RtlAnsiStringToUnicodeSize(PCANSI_STRING):
 * bytes including the NUL. */
NTAPI(RtlAnsiStringToUnicodeSize)
{
    return get_str(nt, a[0], "AnsiString").Length * 2u + 2;
}

/* ULONG RtlUnicodeStringToAnsiSize(PCUNICODE_STRING): bytes including the NUL. */
NTAPI(RtlUnicodeStringToAnsiSize)
{
    return get_str(nt, a[0], "UnicodeString").Length / 2u + 1;
}

/* -------------------------------------------------------------- integers */

static int digit_value(uint16_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 99;
}

/* The shared parser of RtlUnicodeStringToInteger and RtlCharToInteger
 * (ReactOS unicode.c): leading characters <= ' ' skipped, one sign, a
 * 0x/0o/0b prefix only when Base is 0, digits up to the first invalid one. */
static uint32_t parse_integer(const uint16_t *s, unsigned n, uint32_t base, uint32_t *value)
{
    unsigned i = 0;
    int neg = 0;
    while (i < n && s[i] && s[i] <= ' ')
        i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        i++;
    }
    if (base == 0) {
        base = 10;
        if (i + 1 < n && s[i] == '0') {
            if (s[i + 1] == 'x') {
                base = 16;
                i += 2;
            } else if (s[i + 1] == 'o') {
                base = 8;
                i += 2;
            } else if (s[i + 1] == 'b') {
                base = 2;
                i += 2;
            }
        }
    } else if (base != 2 && base != 8 && base != 10 && base != 16) {
        return STATUS_INVALID_PARAMETER;
    }
    uint32_t v = 0;
    for (; i < n && s[i]; i++) {
        int d = digit_value(s[i]);
        if (d >= (int)base)
            break;
        v = v * base + (uint32_t)d;
    }
    *value = neg ? 0u - v : v;
    return STATUS_SUCCESS;
}

/* NTSTATUS RtlUnicodeStringToInteger(PCUNICODE_STRING String, ULONG Base, PULONG Value); */
NTAPI(RtlUnicodeStringToInteger)
{
    GUnicodeString s = get_str(nt, a[0], "String");
    unsigned n = s.Length / 2u;
    const uint8_t *b = str_buf(nt, &s, n * 2, "String buffer");
    uint16_t w[0x8000];
    for (unsigned i = 0; i < n; i++)
        w[i] = get_w(b, i);
    uint32_t v = 0, st = parse_integer(w, n, a[1], &v);
    if (st == STATUS_SUCCESS)
        vm_wr32(nt->vm, a[2], v);
    return st;
}

/* NTSTATUS RtlCharToInteger(PCSZ String, ULONG Base, PULONG Value); */
NTAPI(RtlCharToInteger)
{
    uint32_t n = vm_strlen(nt->vm, a[0], 0x7FFF);
    const uint8_t *b = vm_guest(nt->vm, a[0], n + 1, "String");
    uint16_t w[0x8000];
    for (unsigned i = 0; i < n; i++)
        w[i] = b[i];
    uint32_t v = 0, st = parse_integer(w, n, a[1], &v);
    if (st == STATUS_SUCCESS)
        vm_wr32(nt->vm, a[2], v);
    return st;
}

/* Digits of `value` in `base` (0 = 10) into buf; returns the count, or 0
 * for a bad base. */
static unsigned format_integer(uint32_t value, uint32_t base, char *buf)
{
    if (base == 0)
        base = 10;
    if (base != 2 && base != 8 && base != 10 && base != 16)
        return 0;
    char tmp[33];
    unsigned n = 0;
    do {
        unsigned d = value % base;
        tmp[n++] = (char)(d < 10 ? '0' + d : 'A' + d - 10);
        value /= base;
    } while (value);
    for (unsigned i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

/* NTSTATUS RtlIntegerToUnicodeString(ULONG Value, ULONG Base, PUNICODE_STRING String);
 * Overflow rule as for RtlAnsiStringToUnicodeString (ReactOS unicode.c). */
NTAPI(RtlIntegerToUnicodeString)
{
    char digits[33];
    unsigned n = format_integer(a[0], a[1], digits);
    if (!n)
        return STATUS_INVALID_PARAMETER;
    GUnicodeString d = get_str(nt, a[2], "String");
    if (n * 2 >= d.MaximumLength)
        return STATUS_BUFFER_OVERFLOW;
    uint8_t *dp = vm_guest(nt->vm, d.Buffer, d.MaximumLength, "String buffer");
    for (unsigned i = 0; i < n; i++)
        put_w(dp, i, (uint8_t)digits[i]);
    if (n * 2 + 2 <= d.MaximumLength)
        put_w(dp, n, 0);
    d.Length = (uint16_t)(n * 2);
    set_str(nt, a[2], &d);
    return STATUS_SUCCESS;
}

/* NTSTATUS RtlIntegerToChar(ULONG Value, ULONG Base, LONG Length, PCHAR String);
 * Length includes room for a NUL, written only if it fits. */
NTAPI(RtlIntegerToChar)
{
    char digits[33];
    unsigned n = format_integer(a[0], a[1], digits);
    if (!n)
        return STATUS_INVALID_PARAMETER;
    int32_t len = (int32_t)a[2];
    if (len < 0 || (uint32_t)len < n)
        return STATUS_BUFFER_OVERFLOW;
    uint8_t *p = vm_guest(nt->vm, a[3], (uint32_t)len, "String");
    memcpy(p, digits, n);
    if ((uint32_t)len > n)
        p[n] = 0;
    return STATUS_SUCCESS;
}

/* ---------------------------------------------------------------- memory */

/* SIZE_T RtlCompareMemory(const VOID *Source1, const VOID *Source2, SIZE_T Length);
 * Returns how many leading bytes are equal. */
NTAPI(RtlCompareMemory)
{
    if (!a[2])
        return 0;
    const uint8_t *p = vm_guest(nt->vm, a[0], a[2], "Source1");
    const uint8_t *q = vm_guest(nt->vm, a[1], a[2], "Source2");
    uint32_t i = 0;
    while (i < a[2] && p[i] == q[i])
        i++;
    return i;
}

/* VOID RtlZeroMemory(PVOID Destination, SIZE_T Length); */
NTAPI(RtlZeroMemory)
{
    if (a[1]) {
        memset(vm_guest(nt->vm, a[0], a[1], "Destination"), 0, a[1]);
        vm_note_store(nt->vm, a[0], a[1]);
    }
    return 0;
}

/* VOID RtlFillMemory(PVOID Destination, SIZE_T Length, UCHAR Fill); */
NTAPI(RtlFillMemory)
{
    if (a[1]) {
        memset(vm_guest(nt->vm, a[0], a[1], "Destination"), (int)(a[2] & 0xff), a[1]);
        vm_note_store(nt->vm, a[0], a[1]);
    }
    return 0;
}

/* VOID RtlMoveMemory(PVOID Destination, const VOID *Source, SIZE_T Length); */
NTAPI(RtlMoveMemory)
{
    if (a[2]) {
        const void *s = vm_guest(nt->vm, a[1], a[2], "Source");
        memmove(vm_guest(nt->vm, a[0], a[2], "Destination"), s, a[2]);
        vm_note_store(nt->vm, a[0], a[2]);
    }
    return 0;
}

/* VOID RtlFillMemoryUlong(PVOID Destination, SIZE_T Length, ULONG Pattern);
 * Length is in bytes, a multiple of 4. */
NTAPI(RtlFillMemoryUlong)
{
    uint32_t n = a[1] / 4;
    if (!n)
        return 0;
    uint8_t *p = vm_guest(nt->vm, a[0], n * 4, "Destination");
    for (uint32_t i = 0; i < n; i++)
        memcpy(p + 4 * i, &a[2], 4);
    vm_note_store(nt->vm, a[0], n * 4);
    return 0;
}

/* SIZE_T RtlCompareMemoryUlong(PVOID Source, SIZE_T Length, ULONG Pattern);
 * Bytes (in whole ULONGs) equal to the pattern before the first mismatch. */
NTAPI(RtlCompareMemoryUlong)
{
    uint32_t n = a[1] / 4;
    if (!n)
        return 0;
    const uint8_t *p = vm_guest(nt->vm, a[0], n * 4, "Source");
    uint32_t i = 0;
    while (i < n && !memcmp(p + 4 * i, &a[2], 4))
        i++;
    return i * 4;
}

/* USHORT FASTCALL RtlUshortByteSwap(USHORT Source); */
NTAPI(RtlUshortByteSwap)
{
    return (uint16_t)(a[0] << 8 | (a[0] >> 8 & 0xff));
}

/* ULONG FASTCALL RtlUlongByteSwap(ULONG Source); */
NTAPI(RtlUlongByteSwap)
{
    return __builtin_bswap32(a[0]);
}

/* ULONG RtlRandomEx(PULONG Seed) / RtlRandom(PULONG Seed): the next value
 * of the Lehmer generator ReactOS's RtlUniform documents, in [0, MAXLONG);
 * deterministic for a given seed. */
NTAPI(RtlRandomEx)
{
    uint32_t seed = vm_rd32(nt->vm, a[0]);
    uint32_t r = (uint32_t)(((uint64_t)seed * 0x7fffffedu + 0x7fffffc3u) % 0x7fffffffu);
    vm_wr32(nt->vm, a[0], r);
    return r;
}

NTAPI(RtlRandom)
{
    return nt_RtlRandomEx(nt, a);
}

/* ------------------------------------------------------------ time fields */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms"). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

#define TICKS_PER_SECOND 10000000ll
#define TICKS_PER_DAY (86400ll * TICKS_PER_SECOND)
#define DAYS_1601_TO_1970 134774ll
#define SECONDS_1601_TO_1970 11644473600ll
#define SECONDS_1601_TO_1980 11960006400ll

/* VOID RtlTimeToTimeFields(PLARGE_INTEGER Time, PTIME_FIELDS TimeFields);
 * TIME_FIELDS: Year, Month, Day, Hour, Minute, Second, Milliseconds,
 * Weekday (CSHORTs; Weekday 0 = Sunday). */
NTAPI(RtlTimeToTimeFields)
{
    int64_t t;
    memcpy(&t, vm_guest(nt->vm, a[0], 8, "Time"), 8);
    if (t < 0)
        t = 0;
    int64_t days = t / TICKS_PER_DAY, rest = t % TICKS_PER_DAY;
    int64_t y;
    unsigned m, d;
    civil_from_days(days - DAYS_1601_TO_1970, &y, &m, &d);
    int16_t f[8] = {(int16_t)y,
                    (int16_t)m,
                    (int16_t)d,
                    (int16_t)(rest / (3600 * TICKS_PER_SECOND)),
                    (int16_t)(rest / (60 * TICKS_PER_SECOND) % 60),
                    (int16_t)(rest / TICKS_PER_SECOND % 60),
                    (int16_t)(rest / 10000 % 1000),
                    (int16_t)((days + 1) % 7)}; /* 1601-01-01 was a Monday */
    memcpy(vm_guest(nt->vm, a[1], sizeof f, "TimeFields"), f, sizeof f);
    return 0;
}

/* BOOLEAN RtlTimeFieldsToTime(PTIME_FIELDS TimeFields, PLARGE_INTEGER Time);
 * FALSE for an invalid date or time (Weekday is ignored). */
NTAPI(RtlTimeFieldsToTime)
{
    int16_t f[8];
    memcpy(f, vm_guest(nt->vm, a[0], sizeof f, "TimeFields"), sizeof f);
    static const uint8_t mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = f[0], m = f[1], d = f[2];
    if (y < 1601 || m < 1 || m > 12 || d < 1 || f[3] < 0 || f[3] > 23 || f[4] < 0 || f[4] > 59 ||
        f[5] < 0 || f[5] > 59 || f[6] < 0 || f[6] > 999)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return 0;
    int64_t days = days_from_civil(y, (unsigned)m, (unsigned)d) + DAYS_1601_TO_1970;
    int64_t t = days * TICKS_PER_DAY +
                ((int64_t)f[3] * 3600 + f[4] * 60 + f[5]) * TICKS_PER_SECOND +
                (int64_t)f[6] * 10000;
    memcpy(vm_guest(nt->vm, a[1], 8, "Time"), &t, 8);
    return 1;
}

static uint64_t seconds_since(Nt *nt, const uint32_t *a, int64_t base)
{
    int64_t t;
    memcpy(&t, vm_guest(nt->vm, a[0], 8, "Time"), 8);
    int64_t s = t / TICKS_PER_SECOND - base;
    if (s < 0 || s > 0xFFFFFFFFll)
        return 0;
    vm_wr32(nt->vm, a[1], (uint32_t)s);
    return 1;
}

static void time_from_seconds(Nt *nt, const uint32_t *a, int64_t base)
{
    int64_t t = ((int64_t)a[0] + base) * TICKS_PER_SECOND;
    memcpy(vm_guest(nt->vm, a[1], 8, "Time"), &t, 8);
}

/* BOOLEAN RtlTimeToSecondsSince1970(PLARGE_INTEGER Time, PULONG ElapsedSeconds); */
NTAPI(RtlTimeToSecondsSince1970)
{
    return seconds_since(nt, a, SECONDS_1601_TO_1970);
}

/* BOOLEAN RtlTimeToSecondsSince1980(PLARGE_INTEGER Time, PULONG ElapsedSeconds); */
NTAPI(RtlTimeToSecondsSince1980)
{
    return seconds_since(nt, a, SECONDS_1601_TO_1980);
}

/* VOID RtlSecondsSince1970ToTime(ULONG ElapsedSeconds, PLARGE_INTEGER Time); */
NTAPI(RtlSecondsSince1970ToTime)
{
    time_from_seconds(nt, a, SECONDS_1601_TO_1970);
    return 0;
}

/* VOID RtlSecondsSince1980ToTime(ULONG ElapsedSeconds, PLARGE_INTEGER Time); */
NTAPI(RtlSecondsSince1980ToTime)
{
    time_from_seconds(nt, a, SECONDS_1601_TO_1980);
    return 0;
}

/* ---------------------------------------------------------------- version */

/* The emulated system: Windows XP Professional SP3, 5.1.2600. */
#define OS_MAJOR 5
#define OS_MINOR 1
#define OS_BUILD 2600
#define OSVERSIONINFOW_SIZE 276u   /* RTL_OSVERSIONINFOW */
#define OSVERSIONINFOEXW_SIZE 284u /* RTL_OSVERSIONINFOEXW */

/* NTSTATUS RtlGetVersion(PRTL_OSVERSIONINFOW lpVersionInformation); */
NTAPI(RtlGetVersion)
{
    uint32_t size = vm_rd32(nt->vm, a[0]);
    if (size != OSVERSIONINFOW_SIZE && size != OSVERSIONINFOEXW_SIZE)
        return STATUS_INVALID_PARAMETER;
    uint8_t *p = vm_guest(nt->vm, a[0], size, "RTL_OSVERSIONINFOW");
    uint32_t v[4] = {OS_MAJOR, OS_MINOR, OS_BUILD, 2 /* VER_PLATFORM_WIN32_NT */};
    memcpy(p + 4, v, sizeof v);
    memset(p + 20, 0, 256);
    static const char csd[] = "Service Pack 3";
    for (unsigned i = 0; i < sizeof csd - 1; i++)
        put_w(p + 20, i, (uint8_t)csd[i]);
    if (size == OSVERSIONINFOEXW_SIZE) {
        uint16_t sp[3] = {3, 0, 0x0100 /* VER_SUITE_SINGLEUSERTS */};
        memcpy(p + 276, sp, sizeof sp);
        p[282] = 1; /* VER_NT_WORKSTATION */
        p[283] = 0;
    }
    return STATUS_SUCCESS;
}
