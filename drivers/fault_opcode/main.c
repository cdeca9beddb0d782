/* fault_opcode: DriverEntry executes ud2, the defined invalid opcode (as a
 * driver does that hits a compiler __builtin_trap or jumps into data).
 * xdrv must report "invalid opcode" (#UD) (tests/guest/test_faults.sh). */
#include <ntddk.h>

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    DbgPrint("fault_opcode: executing ud2\n");
    __asm__ volatile("ud2");
    return STATUS_SUCCESS;
}
