/* fault_irql: DriverEntry raises the IRQL to DISPATCH_LEVEL (as code holding
 * a spin lock runs) and then waits on an event with a timeout, which
 * Windows forbids above APC_LEVEL (MSDN KeWaitForSingleObject: "Callers ...
 * must be running at IRQL <= DISPATCH_LEVEL ... a nonzero Timeout requires
 * IRQL <= APC_LEVEL"). xdrv must stop the run with an "IRQL violation"
 * report naming KeWaitForSingleObject and IRQL 2 (tests/guest/test_faults.sh). */
#include <ntddk.h>

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    KEVENT ev;
    KIRQL old;
    LARGE_INTEGER timeout;
    timeout.QuadPart = -10 * 10000; /* 10 ms */
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, &timeout);
    KeLowerIrql(old);
    return STATUS_SUCCESS;
}
