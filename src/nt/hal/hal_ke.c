/* hal.dll: IRQL, spin locks and time. On x86 these are HAL exports that
 * the DDK macros (KeRaiseIrql, KeAcquireSpinLock, ...) expand to; the state
 * they act on (IRQL in the KPCR, DPC queue, held locks) is ke.c's.
 * Facts: MSDN pages of each routine; mingw-w64 ddk/wdm.h for the macros. */
#include "nt/nt.h"
#include "nt/ntoskrnl/ke.h"

/* Performance counter frequency: the ACPI PM timer's 3.579545 MHz, which
 * uniprocessor and ACPI HALs report (MSDN KeQueryPerformanceCounter). */
#define HAL_PERF_FREQUENCY 3579545u

/* KIRQL KeGetCurrentIrql(VOID); */
NTAPI(KeGetCurrentIrql)
{
    return nt_irql(nt);
}

/* KIRQL FASTCALL KfRaiseIrql(KIRQL NewIrql); */
NTAPI(KfRaiseIrql)
{
    return nt_ke_raise_irql(nt, (uint8_t)a[0]);
}

/* VOID FASTCALL KfLowerIrql(KIRQL NewIrql); */
NTAPI(KfLowerIrql)
{
    nt_ke_lower_irql(nt, (uint8_t)a[0]);
    return 0;
}

/* VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql); */
NTAPI(KeRaiseIrql)
{
    vm_guest(nt->vm, a[1], 1, "OldIrql");
    uint8_t old = nt_ke_raise_irql(nt, (uint8_t)a[0]);
    vm_wr8(nt->vm, a[1], old);
    return 0;
}

/* VOID KeLowerIrql(KIRQL NewIrql); */
NTAPI(KeLowerIrql)
{
    nt_ke_lower_irql(nt, (uint8_t)a[0]);
    return 0;
}

/* KIRQL KeRaiseIrqlToDpcLevel(VOID); */
NTAPI(KeRaiseIrqlToDpcLevel)
{
    return nt_ke_raise_irql(nt, DISPATCH_LEVEL);
}

/* KIRQL KeRaiseIrqlToSynchLevel(VOID); */
NTAPI(KeRaiseIrqlToSynchLevel)
{
    return nt_ke_raise_irql(nt, SYNCH_LEVEL);
}

/* KIRQL FASTCALL KfAcquireSpinLock(PKSPIN_LOCK SpinLock); raises to
 * DISPATCH_LEVEL, returns the previous IRQL. */
NTAPI(KfAcquireSpinLock)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    vm_guest(nt->vm, a[0], 4, "KSPIN_LOCK");
    uint8_t old = nt_ke_raise_irql(nt, DISPATCH_LEVEL);
    nt_ke_spin_acquire(nt, a[0]);
    return old;
}

/* VOID FASTCALL KfReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql); */
NTAPI(KfReleaseSpinLock)
{
    if (nt_irql(nt) != DISPATCH_LEVEL)
        vm_throw(nt->vm, VM_FAULT_IRQL,
                 "KfReleaseSpinLock called at IRQL %u; the lock holder runs at "
                 "DISPATCH_LEVEL",
                 nt_irql(nt));
    nt_ke_spin_release(nt, a[0]);
    nt_ke_lower_irql(nt, (uint8_t)a[1]);
    return 0;
}

/* VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql); */
NTAPI(KeAcquireSpinLock)
{
    vm_guest(nt->vm, a[1], 1, "OldIrql");
    uint8_t old = (uint8_t)nt_KfAcquireSpinLock(nt, a);
    vm_wr8(nt->vm, a[1], old);
    return 0;
}

/* VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql); */
NTAPI(KeReleaseSpinLock)
{
    return nt_KfReleaseSpinLock(nt, a);
}

/* KIRQL FASTCALL KeAcquireSpinLockRaiseToSynch(PKSPIN_LOCK SpinLock); */
NTAPI(KeAcquireSpinLockRaiseToSynch)
{
    nt_check_irql_max(nt, SYNCH_LEVEL);
    vm_guest(nt->vm, a[0], 4, "KSPIN_LOCK");
    uint8_t old = nt_ke_raise_irql(nt, SYNCH_LEVEL);
    nt_ke_spin_acquire(nt, a[0]);
    return old;
}

/* LARGE_INTEGER KeQueryPerformanceCounter(PLARGE_INTEGER PerformanceFrequency);
 * The count is derived from virtual time; returned in EDX:EAX. */
NTAPI(KeQueryPerformanceCounter)
{
    if (a[0]) {
        uint32_t *f = vm_guest(nt->vm, a[0], 8, "PerformanceFrequency");
        f[0] = HAL_PERF_FREQUENCY;
        f[1] = 0;
    }
    unsigned __int128 t = (unsigned __int128)vm_time_ns(nt->vm) * HAL_PERF_FREQUENCY;
    return (uint64_t)(t / 1000000000u);
}

/* VOID KeStallExecutionProcessor(ULONG MicroSeconds); a busy wait: virtual
 * time advances by the interval. */
NTAPI(KeStallExecutionProcessor)
{
    nt_ke_stall(nt, (uint64_t)a[0] * 1000u);
    return 0;
}

/* VOID FASTCALL KeAcquireInStackQueuedSpinLock(PKSPIN_LOCK SpinLock,
 *     PKLOCK_QUEUE_HANDLE LockHandle); LockHandle: LockQueue.Next,
 * LockQueue.Lock, OldIrql (wdm.h). */
NTAPI(KeAcquireInStackQueuedSpinLock)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    vm_guest(nt->vm, a[1], 12, "KLOCK_QUEUE_HANDLE");
    vm_guest(nt->vm, a[0], 4, "KSPIN_LOCK");
    uint8_t old = nt_ke_raise_irql(nt, DISPATCH_LEVEL);
    nt_ke_spin_acquire(nt, a[0]);
    vm_wr32(nt->vm, a[1], 0);
    vm_wr32(nt->vm, a[1] + 4, a[0]);
    vm_wr8(nt->vm, a[1] + 8, old);
    return 0;
}

/* VOID FASTCALL KeAcquireInStackQueuedSpinLockRaiseToSynch(PKSPIN_LOCK,
 *     PKLOCK_QUEUE_HANDLE); */
NTAPI(KeAcquireInStackQueuedSpinLockRaiseToSynch)
{
    nt_check_irql_max(nt, SYNCH_LEVEL);
    vm_guest(nt->vm, a[1], 12, "KLOCK_QUEUE_HANDLE");
    vm_guest(nt->vm, a[0], 4, "KSPIN_LOCK");
    uint8_t old = nt_ke_raise_irql(nt, SYNCH_LEVEL);
    nt_ke_spin_acquire(nt, a[0]);
    vm_wr32(nt->vm, a[1], 0);
    vm_wr32(nt->vm, a[1] + 4, a[0]);
    vm_wr8(nt->vm, a[1] + 8, old);
    return 0;
}

/* VOID FASTCALL KeReleaseInStackQueuedSpinLock(PKLOCK_QUEUE_HANDLE LockHandle); */
NTAPI(KeReleaseInStackQueuedSpinLock)
{
    if (nt_irql(nt) < DISPATCH_LEVEL)
        vm_throw(nt->vm, VM_FAULT_IRQL,
                 "KeReleaseInStackQueuedSpinLock called at IRQL %u; the lock "
                 "holder runs at DISPATCH_LEVEL or above",
                 nt_irql(nt));
    GuestAddr lock = vm_rd32(nt->vm, a[0] + 4);
    uint8_t old = vm_rd8(nt->vm, a[0] + 8);
    nt_ke_spin_release(nt, lock);
    nt_ke_lower_irql(nt, old);
    return 0;
}

/* VOID FASTCALL ExAcquireFastMutex(PFAST_MUTEX FastMutex); raises to APC_LEVEL. */
NTAPI(ExAcquireFastMutex)
{
    nt_ex_fast_mutex_acquire(nt, a[0], 1);
    return 0;
}

/* VOID FASTCALL ExReleaseFastMutex(PFAST_MUTEX FastMutex); */
NTAPI(ExReleaseFastMutex)
{
    nt_ex_fast_mutex_release(nt, a[0], 1);
    return 0;
}

/* BOOLEAN FASTCALL ExTryToAcquireFastMutex(PFAST_MUTEX FastMutex); */
NTAPI(ExTryToAcquireFastMutex)
{
    nt_check_irql_max(nt, APC_LEVEL);
    if (vm_rd32(nt->vm, a[0]) != 1)
        return 0;
    nt_ex_fast_mutex_acquire(nt, a[0], 1);
    return 1;
}
