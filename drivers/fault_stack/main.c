/* fault_stack: unbounded recursion with a large local buffer, the classic
 * kernel stack overflow (the x86 kernel stack is 12 KiB). xdrv must report
 * "stack overflow" when the guard page below the stack is touched
 * (tests/guest/test_faults.sh). */
#include <ntddk.h>

/* Never reached; a bound the compiler cannot see through (GCC rejects
 * recursion it can prove endless under -Werror). */
static volatile ULONG max_depth = 0xffffffffu;

__attribute__((noinline)) static ULONG recurse(ULONG depth)
{
    volatile UCHAR buf[1024];
    if (depth == max_depth)
        return 0;
    buf[0] = (UCHAR)depth;
    buf[sizeof buf - 1] = (UCHAR)depth;
    /* Using buf after the call keeps this from becoming a loop. */
    return recurse(depth + 1) + buf[depth % sizeof buf];
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    DbgPrint("fault_stack: recursing without bound\n");
    return recurse(0) ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
}
