/* ktest cases for Rtl strings and integers, the C runtime exports and the
 * 64-bit arithmetic helpers (src/nt/ntoskrnl/rtl.c, crt.c). Expected values
 * follow the MSDN pages of each routine. */
#include <string.h>

#include "ktest.h"

/* The helpers are called through their import-library names so that the
 * exports themselves are tested, not libgcc's or the compiler's inlines. */
__int64 __stdcall kt_alldiv(__int64 a, __int64 b) __asm__("__alldiv@16");
__int64 __stdcall kt_allrem(__int64 a, __int64 b) __asm__("__allrem@16");
__int64 __stdcall kt_allmul(__int64 a, __int64 b) __asm__("__allmul@16");
unsigned __int64 __stdcall kt_aulldiv(unsigned __int64 a, unsigned __int64 b) __asm__("__aulldiv@16");
unsigned __int64 __stdcall kt_aullrem(unsigned __int64 a, unsigned __int64 b) __asm__("__aullrem@16");

/* Exported by ntoskrnl but not declared by mingw-w64's <ntddk.h> for XP. */
NTSYSAPI BOOLEAN NTAPI RtlTimeToSecondsSince1970(PLARGE_INTEGER Time, PULONG ElapsedSeconds);
NTSYSAPI VOID NTAPI RtlSecondsSince1970ToTime(ULONG ElapsedSeconds, PLARGE_INTEGER Time);
NTSYSAPI ULONG NTAPI RtlRandomEx(PULONG Seed);
NTSYSAPI VOID NTAPI RtlFillMemoryUlong(PVOID Destination, SIZE_T Length, ULONG Pattern);
NTSYSAPI SIZE_T NTAPI RtlCompareMemoryUlong(PVOID Source, SIZE_T Length, ULONG Pattern);
/* <ntddk.h> maps these to compiler intrinsics; call the exports. */
ULONG __fastcall kt_RtlUlongByteSwap(ULONG v) __asm__("@RtlUlongByteSwap@4");
USHORT __fastcall kt_RtlUshortByteSwap(USHORT v) __asm__("@RtlUshortByteSwap@4");

static unsigned __int64 kt_allshl(unsigned __int64 v, unsigned c)
{
    __asm__ volatile("call __allshl" : "+A"(v), "+c"(c) : : "memory", "cc");
    return v;
}

static __int64 kt_allshr(__int64 v, unsigned c)
{
    __asm__ volatile("call __allshr" : "+A"(v), "+c"(c) : : "memory", "cc");
    return v;
}

static unsigned __int64 kt_aullshr(unsigned __int64 v, unsigned c)
{
    __asm__ volatile("call __aullshr" : "+A"(v), "+c"(c) : : "memory", "cc");
    return v;
}

void kt_rtl_init_strings(PDRIVER_OBJECT drv)
{
    UNICODE_STRING us;
    ANSI_STRING as;
    RtlInitUnicodeString(&us, L"hello");
    KT_EQ(us.Length, 10);
    KT_EQ(us.MaximumLength, 12);
    RtlInitUnicodeString(&us, NULL);
    KT_OK(us.Length == 0 && us.MaximumLength == 0 && us.Buffer == NULL);
    RtlInitAnsiString(&as, "abc");
    KT_OK(as.Length == 3 && as.MaximumLength == 4);
    RtlInitUnicodeString(&us, L"");
    KT_OK(us.Length == 0 && us.MaximumLength == 2);
}

void kt_rtl_copy_append(PDRIVER_OBJECT drv)
{
    WCHAR buf[4];
    UNICODE_STRING dst = {0, sizeof buf, buf}, src;
    RtlInitUnicodeString(&src, L"abcdef");
    RtlCopyUnicodeString(&dst, &src);
    KT_EQ(dst.Length, 8); /* truncated to MaximumLength, no room for NUL */
    KT_OK(buf[0] == L'a' && buf[3] == L'd');
    WCHAR big[8];
    UNICODE_STRING d2 = {0, sizeof big, big};
    RtlInitUnicodeString(&src, L"ab");
    RtlCopyUnicodeString(&d2, &src);
    KT_OK(d2.Length == 4 && big[2] == 0);
    KT_EQ(RtlAppendUnicodeToString(&d2, L"cd"), STATUS_SUCCESS);
    KT_OK(d2.Length == 8 && big[3] == L'd' && big[4] == 0);
    KT_EQ(RtlAppendUnicodeToString(&d2, L"efghij"), STATUS_BUFFER_TOO_SMALL);
    KT_EQ(d2.Length, 8);
    RtlInitUnicodeString(&src, L"ef");
    KT_EQ(RtlAppendUnicodeStringToString(&d2, &src), STATUS_SUCCESS);
    KT_EQ(d2.Length, 12);
    RtlCopyUnicodeString(&d2, NULL);
    KT_EQ(d2.Length, 0);
}

void kt_rtl_compare(PDRIVER_OBJECT drv)
{
    UNICODE_STRING a, b, c;
    RtlInitUnicodeString(&a, L"Hello");
    RtlInitUnicodeString(&b, L"hELLO");
    RtlInitUnicodeString(&c, L"Help");
    KT_OK(RtlCompareUnicodeString(&a, &b, TRUE) == 0);
    KT_OK(RtlCompareUnicodeString(&a, &b, FALSE) < 0);
    KT_OK(RtlEqualUnicodeString(&a, &b, TRUE));
    KT_OK(!RtlEqualUnicodeString(&a, &b, FALSE));
    KT_OK(RtlCompareUnicodeString(&a, &c, FALSE) < 0);
    UNICODE_STRING pre = a;
    pre.Length = 6; /* "Hel" */
    KT_OK(RtlCompareUnicodeString(&pre, &a, FALSE) < 0);
    KT_OK(RtlCompareUnicodeString(&a, &pre, FALSE) > 0);
}

void kt_rtl_convert(PDRIVER_OBJECT drv)
{
    ANSI_STRING as;
    UNICODE_STRING us;
    RtlInitAnsiString(&as, "Gr\xfc\xdf" "e \x80"); /* Windows-1252: ue, sharp s, euro */
    KT_EQ(RtlAnsiStringToUnicodeString(&us, &as, TRUE), STATUS_SUCCESS);
    KT_EQ(us.Length, as.Length * 2);
    KT_OK(us.Buffer[0] == L'G' && us.Buffer[2] == 0x00fc && us.Buffer[6] == 0x20ac);
    ANSI_STRING back;
    KT_EQ(RtlUnicodeStringToAnsiString(&back, &us, TRUE), STATUS_SUCCESS);
    KT_EQ(back.Length, as.Length);
    KT_OK(back.Buffer[back.Length] == 0 && memcmp(back.Buffer, as.Buffer, as.Length) == 0);
    RtlFreeAnsiString(&back);
    KT_OK(back.Buffer == NULL);
    RtlFreeUnicodeString(&us);
    KT_OK(us.Buffer == NULL && us.Length == 0);

    /* A too small caller buffer: truncated copy and STATUS_BUFFER_OVERFLOW. */
    char small[4];
    ANSI_STRING sa = {0, sizeof small, small};
    RtlInitUnicodeString(&us, L"abcdef");
    KT_EQ(RtlUnicodeStringToAnsiString(&sa, &us, FALSE), STATUS_BUFFER_OVERFLOW);
    KT_OK(sa.Length == 3 && small[0] == 'a' && small[2] == 'c' && small[3] == 0);
    WCHAR wsmall[3];
    UNICODE_STRING su = {0, sizeof wsmall, wsmall};
    RtlInitAnsiString(&as, "abc");
    KT_EQ(RtlAnsiStringToUnicodeString(&su, &as, FALSE), STATUS_BUFFER_OVERFLOW);
    RtlInitAnsiString(&as, "ab");
    KT_EQ(RtlAnsiStringToUnicodeString(&su, &as, FALSE), STATUS_SUCCESS);
    KT_OK(su.Length == 4 && wsmall[2] == 0);

    UNICODE_STRING up;
    RtlInitUnicodeString(&us, L"mixed Case \x00e9");
    KT_EQ(RtlUpcaseUnicodeString(&up, &us, TRUE), STATUS_SUCCESS);
    KT_OK(up.Length == us.Length && up.Buffer[0] == L'M' && up.Buffer[6] == L'C' && up.Buffer[11] == 0x00c9);
    RtlFreeUnicodeString(&up);
}

void kt_rtl_integers(PDRIVER_OBJECT drv)
{
    UNICODE_STRING us;
    ULONG v = 0;
    RtlInitUnicodeString(&us, L"  -123");
    KT_EQ(RtlUnicodeStringToInteger(&us, 0, &v), STATUS_SUCCESS);
    KT_EQ((LONG)v, -123);
    RtlInitUnicodeString(&us, L"0x1F");
    KT_OK(RtlUnicodeStringToInteger(&us, 0, &v) == STATUS_SUCCESS && v == 31);
    RtlInitUnicodeString(&us, L"ffz");
    KT_OK(RtlUnicodeStringToInteger(&us, 16, &v) == STATUS_SUCCESS && v == 255);
    RtlInitUnicodeString(&us, L"101");
    KT_OK(RtlUnicodeStringToInteger(&us, 2, &v) == STATUS_SUCCESS && v == 5);
    KT_EQ(RtlUnicodeStringToInteger(&us, 7, &v), STATUS_INVALID_PARAMETER);
    KT_OK(RtlCharToInteger("  +42abc", 10, &v) == STATUS_SUCCESS && v == 42);
    KT_OK(RtlCharToInteger("0b110", 0, &v) == STATUS_SUCCESS && v == 6);

    WCHAR buf[8];
    UNICODE_STRING out = {0, sizeof buf, buf};
    KT_EQ(RtlIntegerToUnicodeString(255, 16, &out), STATUS_SUCCESS);
    KT_OK(out.Length == 4 && buf[0] == L'F' && buf[1] == L'F' && buf[2] == 0);
    KT_EQ(RtlIntegerToUnicodeString(4000000000u, 10, &out), STATUS_BUFFER_OVERFLOW);
    KT_EQ(RtlIntegerToUnicodeString(1234567, 10, &out), STATUS_SUCCESS);
    KT_EQ(out.Length, 14);
    KT_EQ(RtlIntegerToUnicodeString(1, 3, &out), STATUS_INVALID_PARAMETER);
}

void kt_crt_memory(PDRIVER_OBJECT drv)
{
    char a[16], b[16];
    memset(a, 'x', sizeof a);
    KT_OK(a[0] == 'x' && a[15] == 'x');
    memcpy(b, "0123456789abcdef", 16);
    memmove(b + 2, b, 8); /* overlapping */
    KT_OK(memcmp(b, "0101234567abcdef", 16) == 0);
    KT_OK(memcmp("abc", "abd", 3) < 0);
    KT_EQ(RtlCompareMemory("abcdef", "abcxef", 6), 3);
    KT_EQ(RtlCompareMemory("abc", "abc", 3), 3);
    RtlZeroMemory(a, 4);
    KT_OK(a[0] == 0 && a[3] == 0 && a[4] == 'x');
    RtlFillMemory(a, 2, 'q');
    KT_OK(a[0] == 'q' && a[1] == 'q' && a[2] == 0);
    static const char hello[] = "hello";
    KT_OK(memchr(hello, 'l', 5) == hello + 2);
    KT_OK(memchr(hello, 'z', 5) == NULL);
}

void kt_crt_strings(PDRIVER_OBJECT drv)
{
    KT_EQ(strlen("hello"), 5);
    KT_EQ(wcslen(L"hello"), 5);
    KT_OK(strcmp("abc", "abd") < 0 && strcmp("b", "a") > 0 && strcmp("x", "x") == 0);
    KT_OK(_stricmp("HeLLo", "hello") == 0);
    KT_OK(_wcsicmp(L"HeLLo", L"hello") == 0);
    KT_OK(wcscmp(L"a", L"b") < 0);
    KT_OK(strncmp("abcX", "abcY", 3) == 0);
    char d[8];
    memset(d, 'z', sizeof d);
    strncpy(d, "ab", 5);
    KT_OK(d[0] == 'a' && d[2] == 0 && d[4] == 0 && d[5] == 'z');
    strncpy(d, "abcdefgh", 3); /* no terminator when src is longer */
    KT_OK(d[2] == 'c' && d[3] == 0);
    WCHAR w[6];
    wcsncpy(w, L"xy", 4);
    KT_OK(w[0] == L'x' && w[2] == 0 && w[3] == 0);
    const char *s = "find the needle";
    KT_OK(strstr(s, "needle") == s + 9);
    KT_OK(strchr(s, 't') == s + 5);
    KT_OK(strrchr(s, 'e') == s + 14);
    KT_OK(strchr(s, 'q') == NULL);
}

void kt_crt_helpers(PDRIVER_OBJECT drv)
{
    KT_EQ(kt_alldiv(-7, 2), -3);
    KT_EQ(kt_allrem(-7, 2), -1);
    KT_EQ(kt_alldiv(7, -2), -3);
    KT_EQ(kt_allrem(7, -2), 1);
    KT_EQ(kt_alldiv(-0x100000000ll, 16), -0x10000000ll);
    KT_EQ(kt_allmul(-3, 0x100000001ll), -0x300000003ll);
    KT_EQ(kt_aulldiv(0xFFFFFFFFFFFFFFFFull, 0x100000000ull), 0xFFFFFFFFull);
    KT_EQ(kt_aullrem(0x123456789ull, 0x10000ull), 0x6789ull);
    KT_EQ(kt_allshl(1, 40), 0x10000000000ull);
    KT_EQ(kt_allshl(1, 64), 0);
    KT_EQ(kt_allshr(-0x100000000ll, 4), -0x10000000ll);
    KT_EQ(kt_allshr(-1, 70), -1);
    KT_EQ(kt_aullshr(0x8000000000000000ull, 63), 1);
}

void kt_rtl_time_fields(PDRIVER_OBJECT drv)
{
    TIME_FIELDS tf = {.Year = 2024, .Month = 2, .Day = 29, .Hour = 13, .Minute = 45, .Second = 30,
                      .Milliseconds = 250};
    LARGE_INTEGER t, t2;
    KT_OK(RtlTimeFieldsToTime(&tf, &t));
    TIME_FIELDS back;
    RtlTimeToTimeFields(&t, &back);
    KT_OK(back.Year == 2024 && back.Month == 2 && back.Day == 29 && back.Hour == 13);
    KT_OK(back.Minute == 45 && back.Second == 30 && back.Milliseconds == 250);
    KT_EQ(back.Weekday, 4); /* a Thursday */
    tf.Year = 2023; /* no Feb 29 */
    KT_OK(!RtlTimeFieldsToTime(&tf, &t2));
    ULONG secs;
    TIME_FIELDS epoch = {.Year = 1970, .Month = 1, .Day = 1};
    KT_OK(RtlTimeFieldsToTime(&epoch, &t2));
    KT_OK(RtlTimeToSecondsSince1970(&t2, &secs) && secs == 0);
    RtlSecondsSince1970ToTime(86400, &t2);
    RtlTimeToTimeFields(&t2, &back);
    KT_OK(back.Year == 1970 && back.Month == 1 && back.Day == 2 && back.Weekday == 5);
    /* The system clock starts at 2024-01-01 00:00 UTC. */
    KeQuerySystemTime(&t);
    RtlTimeToTimeFields(&t, &back);
    KT_OK(back.Year == 2024 && back.Month == 1 && back.Day == 1);
}

void kt_rtl_misc(PDRIVER_OBJECT drv)
{
    RTL_OSVERSIONINFOEXW v;
    v.dwOSVersionInfoSize = sizeof v;
    KT_EQ(RtlGetVersion((PRTL_OSVERSIONINFOW)&v), STATUS_SUCCESS);
    KT_OK(v.dwMajorVersion == 5 && v.dwMinorVersion == 1 && v.dwBuildNumber == 2600);
    KT_OK(v.wServicePackMajor == 3 && v.wProductType == VER_NT_WORKSTATION);
    KT_EQ(kt_RtlUlongByteSwap(0x11223344), 0x44332211);
    KT_EQ(kt_RtlUshortByteSwap(0x1122), 0x2211);
    ULONG seed = 1, r1 = RtlRandomEx(&seed), r2 = RtlRandomEx(&seed);
    KT_OK(r1 != r2 && r1 < 0x7fffffff && seed == r2);
    ULONG buf[4];
    RtlFillMemoryUlong(buf, sizeof buf, 0xdeadbeef);
    KT_OK(buf[0] == 0xdeadbeef && buf[3] == 0xdeadbeef);
    buf[2] = 0;
    KT_EQ(RtlCompareMemoryUlong(buf, sizeof buf, 0xdeadbeef), 8);
}
