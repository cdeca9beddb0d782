/* ktest cases for debug output (src/nt/ntoskrnl/dbg.c). A driver cannot
 * read its own DbgPrint output, so each line starts "ktest: dbgfmt N: " and
 * tests/unit/test_io_requests.c compares the run log against the expected
 * text (the formats of the MSVC printf family, which DbgPrint uses). */
#include <stdarg.h>

#include "ktest.h"

static ULONG kt_vprint(ULONG level, PCSTR fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ULONG r = vDbgPrintEx(DPFLTR_IHVDRIVER_ID, level, fmt, ap);
    va_end(ap);
    return r;
}

void kt_dbg_formats(PDRIVER_OBJECT drv)
{
    UNICODE_STRING us;
    ANSI_STRING as;
    RtlInitUnicodeString(&us, L"uni");
    RtlInitAnsiString(&as, "ansi");
    KT_EQ(DbgPrint("ktest: dbgfmt 1: %d|%i|%u|%x|%X|%o|%c|%%\n", -42, 7, 4000000000u, 0xbeef,
                   0xbeef, 8, 'Z'),
          STATUS_SUCCESS);
    DbgPrint("ktest: dbgfmt 2: [%5d][%-5d][%05d][%+d][% d][%.3d][%*d][%-*d]\n", 42, 42, 42, 42, 42,
             7, 4, 1, 3, 2);
    DbgPrint("ktest: dbgfmt 3: [%s][%8s][%-6s][%.2s][%S][%ls][%ws][%wZ][%Z]\n", "abc", "right",
             "left", "trunc", L"wide", L"wl", L"ww", &us, &as);
    DbgPrint("ktest: dbgfmt 4: %I64d %I64x %llu %#x %p %lu %ld %lx %hd %hhu\n", -5000000000ll,
             0x123456789abcull, 18446744073709551615ull, 255, (PVOID)0xBEEF, 1ul, -1l, 0xffl, 70000,
             300);
    DbgPrint("ktest: dbgfmt 5: [%s][%wZ][%s]\n", (char *)NULL, (PUNICODE_STRING)NULL,
             (char *)0xC0000000);
    KT_EQ(DbgPrintEx(DPFLTR_IHVDRIVER_ID, DPFLTR_ERROR_LEVEL, "ktest: dbgfmt 6: ex %d %s\n", 6,
                     "six"),
          STATUS_SUCCESS);
    KT_EQ(kt_vprint(DPFLTR_ERROR_LEVEL, "ktest: dbgfmt 7: v %d %s %I64u\n", 7, "seven", 77ull),
          STATUS_SUCCESS);
    DbgPrint("ktest: dbgfmt 8: partial ");
    DbgPrint("line %d\n", 8);
}
