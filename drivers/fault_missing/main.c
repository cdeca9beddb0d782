/* fault_missing: imports a real ntoskrnl.exe export that xdrv does not
 * provide and calls it. Without --allow-missing xdrv must refuse to load the
 * image, naming ntoskrnl.exe!IoRegisterFsRegistrationChange; with it, the
 * call must stop the run with "missing import called".
 * IoRegisterFsRegistrationChange registers a file-system filter's
 * notification routine (learn.microsoft.com, ntifs.h): file-system filter
 * support is outside xdrv's scope, so it is expected to stay missing. If it
 * is ever implemented, tests/guest/test_faults.sh fails and names it. */
#include <ntddk.h>

/* ntifs.h; declared here since ntifs.h and ntddk.h do not mix. */
NTKERNELAPI NTSTATUS NTAPI IoRegisterFsRegistrationChange(PDRIVER_OBJECT DriverObject,
                                                          PVOID DriverNotificationRoutine);

static VOID NTAPI fs_notify(PDEVICE_OBJECT dev, BOOLEAN active)
{
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    DbgPrint("fault_missing: calling IoRegisterFsRegistrationChange\n");
    /* volatile: a plain tail call would be a jmp, and the report would
     * then not show this driver as the caller. */
    volatile NTSTATUS status = IoRegisterFsRegistrationChange(drv, (PVOID)fs_notify);
    return status;
}
