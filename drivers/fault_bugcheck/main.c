/* fault_bugcheck: DriverEntry finds its state inconsistent and calls
 * KeBugCheckEx(DRIVER_IRQL_NOT_LESS_OR_EQUAL, ...), as a driver's own
 * assertion might. xdrv must stop the run with a "bug check" report that
 * names the code (0x000000D1 DRIVER_IRQL_NOT_LESS_OR_EQUAL) and the four
 * parameters (tests/guest/test_faults.sh). */
#include <ntddk.h>

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    DbgPrint("fault_bugcheck: calling KeBugCheckEx\n");
    KeBugCheckEx(DRIVER_IRQL_NOT_LESS_OR_EQUAL, 0x12345678, DISPATCH_LEVEL, 1,
                 (ULONG_PTR)DriverEntry);
}
