/* fault_stall: DriverEntry waits for a status bit that never comes up,
 * stalling 1 ms between reads (KeStallExecutionProcessor): few
 * instructions, much time. xdrv's call watchdog must stop it once the call
 * has taken its virtual time (tests/guest/test_faults.sh runs it with
 * --call-timeout 2), long before the instruction budget would. */
#include <ntddk.h>

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    volatile ULONG status = 0;
    DbgPrint("fault_stall: waiting for a bit that never comes up, 1 ms at a time\n");
    while (!(status & 1)) {
        KeStallExecutionProcessor(1000);
        status = status + 2;
    }
    return STATUS_SUCCESS;
}
