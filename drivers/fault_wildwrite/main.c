/* fault_wildwrite: DriverEntry writes through a wild pointer into kernel
 * address space nothing is mapped at (0xC0000000, where Windows keeps page
 * tables), as a driver does that computes a pointer from garbage. A write
 * far beyond an allocation but still inside the pool would go unnoticed
 * (the pool is one mapping); an unmapped address must stop the run with an
 * "unmapped memory access" report naming the address and the faulting
 * instruction (tests/guest/test_faults.sh). */
#include <ntddk.h>

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    volatile ULONG *p;
    DbgPrint("fault_wildwrite: writing through a wild pointer\n");
    /* Build the address at run time so the compiler keeps a plain store. */
    __asm__ volatile("movl $0xC0000010, %0" : "=r"(p));
    *p = 0xDEADBEEF;
    return STATUS_SUCCESS;
}
