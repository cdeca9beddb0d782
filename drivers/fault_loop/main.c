/* fault_loop: DriverEntry never returns (a polling loop on a status bit that
 * never comes up). xdrv must stop it with "instruction budget exhausted"
 * (tests/guest/test_faults.sh runs it with a small --budget). */
#include <ntddk.h>

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    volatile ULONG status = 0;
    DbgPrint("fault_loop: polling a bit that never comes up\n");
    while (!(status & 1))
        status = status + 2; /* stays even: bit 0 never comes up */
    return STATUS_SUCCESS;
}
