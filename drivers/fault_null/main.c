/* fault_null: DriverEntry reads through a NULL pointer, as a driver does
 * that uses an allocation without checking it. xdrv must stop the run with
 * an "unmapped memory access" report that says "NULL pointer dereference"
 * (tests/guest/test_faults.sh). */
#include <ntddk.h>

typedef struct Ctx {
    ULONG magic;
    ULONG count;
} Ctx;

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    Ctx *ctx;
    DbgPrint("fault_null: reading a field through a NULL pointer\n");
    /* Hide the NULL from the optimizer, which would otherwise replace the
     * load with a trap instruction. */
    __asm__ volatile("xorl %0, %0" : "=r"(ctx));
    return ((volatile Ctx *)ctx)->count ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}
