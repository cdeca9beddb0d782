/* fault_divide: DriverEntry divides by a divisor read from "hardware" that
 * happens to be zero. xdrv must report "divide error" (#DE)
 * (tests/guest/test_faults.sh). */
#include <ntddk.h>

static volatile ULONG divisor; /* zero */

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    ULONG frames = 1514, rest = 0, d = divisor;
    DbgPrint("fault_divide: dividing by zero\n");
    /* A C division whose quotient is only compared gets rewritten into a
     * comparison (no div at all), so the div is spelled out. */
    __asm__ volatile("divl %2" : "+a"(frames), "+d"(rest) : "rm"(d));
    return frames ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}
