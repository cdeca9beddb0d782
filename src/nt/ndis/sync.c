/* NDIS synchronization and time: spin locks (NDIS_SPIN_LOCK = KSPIN_LOCK +
 * the IRQL to restore), read/write locks, events, timers (NDIS_TIMER and
 * NDIS_MINIPORT_TIMER on the kernel's KTIMER/KDPC machinery), NdisMSleep,
 * interlocked helpers, work items, and the clock and processor queries.
 * Everything goes through ke.c/ex.c so the kernel's deadlock, IRQL and
 * use-after-free checks apply.
 *
 * Timers: an NDIS timer function has the signature of a KDPC
 * DeferredRoutine (SystemSpecific1 = the KDPC, FunctionContext =
 * DeferredContext, SystemSpecific2/3 = the system arguments), so it is the
 * DPC routine itself, as in ReactOS ndis/timer.c.
 * Facts: learn.microsoft.com NDIS 5.1 pages of each routine. */
#include <stddef.h>
#include <string.h>

#include "nt/ndis/ndis_lib.h"
#include "nt/ndis/ndis_structs.h"
#include "nt/ntoskrnl/ke.h"
#include "nt/ntstructs.h"

/* LOCK_STATE.LockState values: how this acquisition holds the lock. */
#define NDIS_RW_HELD_READ 1u
#define NDIS_RW_HELD_WRITE 2u
#define NDIS_RW_RELEASED 0xdeadu

NTAPI(KeInitializeEvent);
NTAPI(KeSetEvent);
NTAPI(KeResetEvent);
NTAPI(KeWaitForSingleObject);
NTAPI(KeDelayExecutionThread);
NTAPI(KeInitializeTimer);
NTAPI(KeSetTimerEx);
NTAPI(KeCancelTimer);
NTAPI(KeInitializeDpc);
NTAPI(KeRemoveQueueDpc);
NTAPI(ExInterlockedInsertHeadList);
NTAPI(ExInterlockedInsertTailList);
NTAPI(ExInterlockedRemoveHeadList);
NTAPI(ExInterlockedPushEntryList);
NTAPI(ExInterlockedPopEntryList);
NTAPI(ExInterlockedAddUlong);
NTAPI(InterlockedIncrement);
NTAPI(InterlockedDecrement);

/* 8 bytes of guest memory for a LARGE_INTEGER argument (relative time). */
static GuestAddr scratch_time(Nt *nt, int64_t v)
{
    NdisLib *lib = nt->ndis->lib;
    if (!lib->scratch && !(lib->scratch = vm_alloc_sys(nt->vm, 16)))
        vm_throw(nt->vm, VM_FAULT_HOST, "out of system memory");
    vm_wr32(nt->vm, lib->scratch, (uint32_t)v);
    vm_wr32(nt->vm, lib->scratch + 4, (uint32_t)((uint64_t)v >> 32));
    return lib->scratch;
}

static void need_dispatch(Nt *nt)
{
    if (nt_irql(nt) != DISPATCH_LEVEL)
        vm_throw(nt->vm, VM_FAULT_IRQL,
                 "%s called at IRQL %u; it requires DISPATCH_LEVEL (use the non-Dpr "
                 "variant below DISPATCH_LEVEL)",
                 vm_current_api(nt->vm), nt_irql(nt));
}

/* ------------------------------------------------------------ spin locks */

/* VOID NdisAllocateSpinLock(PNDIS_SPIN_LOCK SpinLock); */
NTAPI(NdisAllocateSpinLock)
{
    GNdisSpinLock *l = vm_guest(nt->vm, a[0], sizeof *l, "NDIS_SPIN_LOCK");
    nt_ke_spin_check_free(nt, a[0]);
    l->SpinLock = 0;
    l->OldIrql = 0;
    return 0;
}

/* VOID NdisFreeSpinLock(PNDIS_SPIN_LOCK SpinLock); must not be held. */
NTAPI(NdisFreeSpinLock)
{
    vm_guest(nt->vm, a[0], sizeof(GNdisSpinLock), "NDIS_SPIN_LOCK");
    nt_ke_spin_check_free(nt, a[0]);
    return 0;
}

/* VOID NdisAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock); at <= DISPATCH_LEVEL,
 * raises to DISPATCH_LEVEL. */
NTAPI(NdisAcquireSpinLock)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    vm_guest(nt->vm, a[0], sizeof(GNdisSpinLock), "NDIS_SPIN_LOCK");
    uint8_t old = nt_ke_raise_irql(nt, DISPATCH_LEVEL);
    nt_ke_spin_acquire(nt, a[0]);
    vm_wr8(nt->vm, a[0] + offsetof(GNdisSpinLock, OldIrql), old);
    return 0;
}

/* VOID NdisReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock); back to the IRQL of
 * the acquisition. */
NTAPI(NdisReleaseSpinLock)
{
    vm_guest(nt->vm, a[0], sizeof(GNdisSpinLock), "NDIS_SPIN_LOCK");
    if (nt_irql(nt) != DISPATCH_LEVEL)
        vm_throw(nt->vm, VM_FAULT_IRQL,
                 "NdisReleaseSpinLock called at IRQL %u; the lock holder runs at "
                 "DISPATCH_LEVEL",
                 nt_irql(nt));
    uint8_t old = vm_rd8(nt->vm, a[0] + offsetof(GNdisSpinLock, OldIrql));
    nt_ke_spin_release(nt, a[0]);
    if (old > DISPATCH_LEVEL)
        vm_throw(nt->vm, VM_FAULT_API, "NdisReleaseSpinLock: the lock's OldIrql %u is corrupt",
                 old);
    nt_ke_lower_irql(nt, old);
    return 0;
}

/* VOID NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock); at DISPATCH_LEVEL. */
NTAPI(NdisDprAcquireSpinLock)
{
    need_dispatch(nt);
    vm_guest(nt->vm, a[0], sizeof(GNdisSpinLock), "NDIS_SPIN_LOCK");
    nt_ke_spin_acquire(nt, a[0]);
    vm_wr8(nt->vm, a[0] + offsetof(GNdisSpinLock, OldIrql), DISPATCH_LEVEL);
    return 0;
}

/* VOID NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock); */
NTAPI(NdisDprReleaseSpinLock)
{
    need_dispatch(nt);
    vm_guest(nt->vm, a[0], sizeof(GNdisSpinLock), "NDIS_SPIN_LOCK");
    nt_ke_spin_release(nt, a[0]);
    return 0;
}

/* ------------------------------------------------------- read/write locks */

/* VOID NdisInitializeReadWriteLock(PNDIS_RW_LOCK Lock); */
NTAPI(NdisInitializeReadWriteLock)
{
    GNdisRwLock *l = vm_guest(nt->vm, a[0], sizeof *l, "NDIS_RW_LOCK");
    nt_ke_spin_check_free(nt, a[0]);
    memset(l, 0, sizeof *l);
    return 0;
}

/* One processor: a reader waits for a writer that cannot run, and a writer
 * for readers that cannot finish, so either is a deadlock. */
static void rw_acquire(Nt *nt, GuestAddr lock, int write, GuestAddr state, uint8_t old)
{
    GNdisRwLock *l = vm_guest(nt->vm, lock, sizeof *l, "NDIS_RW_LOCK");
    GLockState *ls = vm_guest(nt->vm, state, sizeof *ls, "LOCK_STATE");
    if (write) {
        if (l->RefCount[0].RefCount)
            vm_throw(nt->vm, VM_FAULT_DEADLOCK,
                     "%s: write access to NDIS_RW_LOCK 0x%08x while %u read "
                     "acquisition(s) on this (only) processor hold it",
                     vm_current_api(nt->vm), lock, l->RefCount[0].RefCount);
        nt_ke_spin_acquire(nt, lock);
        ls = vm_guest(nt->vm, state, sizeof *ls, "LOCK_STATE");
        ls->LockState = NDIS_RW_HELD_WRITE;
    } else {
        if (l->SpinLock)
            nt_ke_spin_check_free(nt, lock);
        l->RefCount[0].RefCount++;
        ls->LockState = NDIS_RW_HELD_READ;
    }
    ls->OldIrql = old;
}

/* Release per the LOCK_STATE; returns the IRQL to restore. */
static uint8_t rw_release(Nt *nt, GuestAddr lock, GuestAddr state)
{
    GNdisRwLock *l = vm_guest(nt->vm, lock, sizeof *l, "NDIS_RW_LOCK");
    GLockState *ls = vm_guest(nt->vm, state, sizeof *ls, "LOCK_STATE");
    uint8_t old = ls->OldIrql;
    if (ls->LockState == NDIS_RW_HELD_WRITE) {
        ls->LockState = NDIS_RW_RELEASED;
        nt_ke_spin_release(nt, lock);
    } else if (ls->LockState == NDIS_RW_HELD_READ) {
        if (!l->RefCount[0].RefCount)
            vm_throw(nt->vm, VM_FAULT_API, "%s: NDIS_RW_LOCK 0x%08x has no reader to release",
                     vm_current_api(nt->vm), lock);
        l->RefCount[0].RefCount--;
        ls->LockState = NDIS_RW_RELEASED;
    } else {
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: LOCK_STATE 0x%08x does not hold NDIS_RW_LOCK 0x%08x (released "
                 "twice, or not the acquisition's LOCK_STATE)",
                 vm_current_api(nt->vm), state, lock);
    }
    return old;
}

/* VOID NdisAcquireReadWriteLock(PNDIS_RW_LOCK Lock, BOOLEAN fWrite,
 *     PLOCK_STATE LockState); at <= DISPATCH_LEVEL, raises to DISPATCH_LEVEL. */
NTAPI(NdisAcquireReadWriteLock)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    vm_guest(nt->vm, a[0], sizeof(GNdisRwLock), "NDIS_RW_LOCK");
    vm_guest(nt->vm, a[2], sizeof(GLockState), "LOCK_STATE");
    uint8_t old = nt_ke_raise_irql(nt, DISPATCH_LEVEL);
    rw_acquire(nt, a[0], (a[1] & 0xff) != 0, a[2], old);
    return 0;
}

/* VOID NdisReleaseReadWriteLock(PNDIS_RW_LOCK Lock, PLOCK_STATE LockState); */
NTAPI(NdisReleaseReadWriteLock)
{
    need_dispatch(nt);
    uint8_t old = rw_release(nt, a[0], a[1]);
    if (old > DISPATCH_LEVEL)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisReleaseReadWriteLock: LOCK_STATE's OldIrql %u is corrupt", old);
    nt_ke_lower_irql(nt, old);
    return 0;
}

/* VOID NdisDprAcquireReadWriteLock(PNDIS_RW_LOCK Lock, BOOLEAN fWrite,
 *     PLOCK_STATE LockState); at DISPATCH_LEVEL. */
NTAPI(NdisDprAcquireReadWriteLock)
{
    need_dispatch(nt);
    rw_acquire(nt, a[0], (a[1] & 0xff) != 0, a[2], DISPATCH_LEVEL);
    return 0;
}

/* VOID NdisDprReleaseReadWriteLock(PNDIS_RW_LOCK Lock, PLOCK_STATE LockState); */
NTAPI(NdisDprReleaseReadWriteLock)
{
    need_dispatch(nt);
    rw_release(nt, a[0], a[1]);
    return 0;
}

/* ------------------------------------------------------------ events */

/* VOID NdisInitializeEvent(PNDIS_EVENT Event); a notification event, not
 * signaled. */
NTAPI(NdisInitializeEvent)
{
    uint32_t args[3] = {a[0], 0 /* NotificationEvent */, 0};
    return nt_KeInitializeEvent(nt, args);
}

/* VOID NdisSetEvent(PNDIS_EVENT Event); */
NTAPI(NdisSetEvent)
{
    uint32_t args[3] = {a[0], 0, 0};
    nt_KeSetEvent(nt, args);
    return 0;
}

/* VOID NdisResetEvent(PNDIS_EVENT Event); */
NTAPI(NdisResetEvent)
{
    uint32_t args[1] = {a[0]};
    nt_KeResetEvent(nt, args);
    return 0;
}

/* BOOLEAN NdisWaitEvent(PNDIS_EVENT Event, UINT MsToWait); 0 = no timeout;
 * TRUE if the event was signaled. PASSIVE_LEVEL. */
NTAPI(NdisWaitEvent)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    GuestAddr timeout = a[1] ? scratch_time(nt, -(int64_t)a[1] * 10000) : 0;
    uint32_t args[5] = {a[0], 0 /* Executive */, 0 /* KernelMode */, 0, timeout};
    uint32_t st = (uint32_t)nt_KeWaitForSingleObject(nt, args);
    return st == STATUS_SUCCESS;
}

/* ------------------------------------------------------------ timers */

static void timer_init(Nt *nt, GuestAddr timer, GuestAddr fn, GuestAddr ctx)
{
    vm_guest(nt->vm, timer, sizeof(GNdisTimer), "NDIS_TIMER");
    if (!fn)
        vm_throw(nt->vm, VM_FAULT_API, "%s: NULL TimerFunction", vm_current_api(nt->vm));
    uint32_t targs[1] = {timer + offsetof(GNdisTimer, Timer)};
    nt_KeInitializeTimer(nt, targs);
    uint32_t dargs[3] = {timer + offsetof(GNdisTimer, Dpc), fn, ctx};
    nt_KeInitializeDpc(nt, dargs);
}

/* Arm a timer: due in `ms`, then every `period` ms (0: once). */
static void timer_set(Nt *nt, GuestAddr timer, uint32_t ms, uint32_t period)
{
    GNdisTimer *t = vm_guest(nt->vm, timer, sizeof *t, "NDIS_TIMER");
    if (!t->Dpc.DeferredRoutine)
        vm_throw(nt->vm, VM_FAULT_API, "%s: timer 0x%08x was never initialized",
                 vm_current_api(nt->vm), timer);
    if (period > INT32_MAX)
        vm_throw(nt->vm, VM_FAULT_API, "%s: period %u ms is too long", vm_current_api(nt->vm),
                 period);
    int64_t due = -(int64_t)ms * 10000;
    uint32_t args[5] = {timer + offsetof(GNdisTimer, Timer), (uint32_t)due,
                        (uint32_t)((uint64_t)due >> 32), period, timer + offsetof(GNdisTimer, Dpc)};
    nt_KeSetTimerEx(nt, args);
}

/* TRUE if the timer was pending (set, or fired with its DPC not yet run). */
static uint32_t timer_cancel(Nt *nt, GuestAddr timer)
{
    vm_guest(nt->vm, timer, sizeof(GNdisTimer), "NDIS_TIMER");
    uint32_t targs[1] = {timer + offsetof(GNdisTimer, Timer)};
    uint32_t cancelled = (uint32_t)nt_KeCancelTimer(nt, targs);
    uint32_t dargs[1] = {timer + offsetof(GNdisTimer, Dpc)};
    if (nt_KeRemoveQueueDpc(nt, dargs))
        cancelled = 1;
    return cancelled & 1;
}

/* VOID NdisMInitializeTimer(PNDIS_MINIPORT_TIMER Timer,
 *     NDIS_HANDLE MiniportAdapterHandle, PNDIS_TIMER_FUNCTION TimerFunction,
 *     PVOID FunctionContext);
 * The adapter handle is only recorded (NDIS keeps the timer on the
 * adapter's list). */
NTAPI(NdisMInitializeTimer)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    vm_guest(nt->vm, a[0], sizeof(GNdisMiniportTimer), "NDIS_MINIPORT_TIMER");
    timer_init(nt, a[0], a[2], a[3]);
    GNdisMiniportTimer *t = vm_guest(nt->vm, a[0], sizeof *t, "NDIS_MINIPORT_TIMER");
    t->MiniportTimerFunction = a[2];
    t->MiniportTimerContext = a[3];
    t->Miniport = a[1];
    t->NextDeferredTimer = 0;
    return 0;
}

/* VOID NdisMSetTimer(PNDIS_MINIPORT_TIMER Timer, UINT MillisecondsToDelay); */
NTAPI(NdisMSetTimer)
{
    timer_set(nt, a[0], a[1], 0);
    return 0;
}

/* VOID NdisMSetPeriodicTimer(PNDIS_MINIPORT_TIMER Timer, UINT MillisecondPeriod); */
NTAPI(NdisMSetPeriodicTimer)
{
    timer_set(nt, a[0], a[1], a[1]);
    return 0;
}

/* VOID NdisMCancelTimer(PNDIS_MINIPORT_TIMER Timer, PBOOLEAN TimerCancelled); */
NTAPI(NdisMCancelTimer)
{
    vm_guest(nt->vm, a[1], 1, "TimerCancelled");
    uint32_t c = timer_cancel(nt, a[0]);
    vm_wr8(nt->vm, a[1], (uint8_t)c);
    return 0;
}

/* VOID NdisInitializeTimer(PNDIS_TIMER Timer, PNDIS_TIMER_FUNCTION TimerFunction,
 *     PVOID FunctionContext); */
NTAPI(NdisInitializeTimer)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    timer_init(nt, a[0], a[1], a[2]);
    return 0;
}

/* VOID NdisSetTimer(PNDIS_TIMER Timer, UINT MillisecondsToDelay); */
NTAPI(NdisSetTimer)
{
    timer_set(nt, a[0], a[1], 0);
    return 0;
}

/* VOID NdisSetPeriodicTimer(PNDIS_TIMER NdisTimer, UINT MillisecondsPeriodicTime); */
NTAPI(NdisSetPeriodicTimer)
{
    timer_set(nt, a[0], a[1], a[1]);
    return 0;
}

/* VOID NdisSetTimerEx(PNDIS_TIMER NdisTimer, UINT MillisecondsToDelay,
 *     PVOID FunctionContext); a new context for this expiry. */
NTAPI(NdisSetTimerEx)
{
    vm_wr32(nt->vm, a[0] + offsetof(GNdisTimer, Dpc) + offsetof(GKDpc, DeferredContext), a[2]);
    timer_set(nt, a[0], a[1], 0);
    return 0;
}

/* VOID NdisCancelTimer(PNDIS_TIMER Timer, PBOOLEAN TimerCancelled); */
NTAPI(NdisCancelTimer)
{
    return nt_NdisMCancelTimer(nt, a);
}

/* VOID NdisMSleep(ULONG MicrosecondsToSleep); PASSIVE_LEVEL only; virtual
 * time advances and timers due meanwhile fire. */
NTAPI(NdisMSleep)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    uint32_t args[3] = {0 /* KernelMode */, 0, scratch_time(nt, -(int64_t)a[0] * 10)};
    nt_KeDelayExecutionThread(nt, args);
    return 0;
}

/* ------------------------------------------------------------ interlocked */

/* LONG NdisInterlockedIncrement(PLONG Addend); the new value. */
NTAPI(NdisInterlockedIncrement)
{
    return nt_InterlockedIncrement(nt, a);
}

/* LONG NdisInterlockedDecrement(PLONG Addend); */
NTAPI(NdisInterlockedDecrement)
{
    return nt_InterlockedDecrement(nt, a);
}

/* VOID NdisInterlockedAddUlong(PULONG Addend, ULONG Increment,
 *     PNDIS_SPIN_LOCK SpinLock); the KSPIN_LOCK is the NDIS_SPIN_LOCK's
 * first member, so the Ex routines take the same address. */
NTAPI(NdisInterlockedAddUlong)
{
    nt_ExInterlockedAddUlong(nt, a);
    return 0;
}

/* PLIST_ENTRY NdisInterlockedInsertHeadList(PLIST_ENTRY ListHead,
 *     PLIST_ENTRY ListEntry, PNDIS_SPIN_LOCK SpinLock); */
NTAPI(NdisInterlockedInsertHeadList)
{
    return nt_ExInterlockedInsertHeadList(nt, a);
}

/* PLIST_ENTRY NdisInterlockedInsertTailList(PLIST_ENTRY ListHead,
 *     PLIST_ENTRY ListEntry, PNDIS_SPIN_LOCK SpinLock); */
NTAPI(NdisInterlockedInsertTailList)
{
    return nt_ExInterlockedInsertTailList(nt, a);
}

/* PLIST_ENTRY NdisInterlockedRemoveHeadList(PLIST_ENTRY ListHead,
 *     PNDIS_SPIN_LOCK SpinLock); */
NTAPI(NdisInterlockedRemoveHeadList)
{
    return nt_ExInterlockedRemoveHeadList(nt, a);
}

/* PSINGLE_LIST_ENTRY NdisInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead,
 *     PSINGLE_LIST_ENTRY ListEntry, PNDIS_SPIN_LOCK Lock); */
NTAPI(NdisInterlockedPushEntryList)
{
    return nt_ExInterlockedPushEntryList(nt, a);
}

/* PSINGLE_LIST_ENTRY NdisInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead,
 *     PNDIS_SPIN_LOCK Lock); */
NTAPI(NdisInterlockedPopEntryList)
{
    return nt_ExInterlockedPopEntryList(nt, a);
}

/* ------------------------------------------------------------ work items */

/* NDIS_STATUS NdisScheduleWorkItem(PNDIS_WORK_ITEM WorkItem); the routine
 * runs as Routine(WorkItem, Context) at PASSIVE_LEVEL. */
NTAPI(NdisScheduleWorkItem)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    GNdisWorkItem *w = vm_guest(nt->vm, a[0], sizeof *w, "NDIS_WORK_ITEM");
    if (!w->Routine)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisScheduleWorkItem: work item 0x%08x has no Routine "
                 "(NdisInitializeWorkItem not called?)",
                 a[0]);
    uint32_t args[2] = {a[0], w->Context};
    if (nt_ke_queue_passive(nt, w->Routine, args, 2, "NDIS work item", a[0], NULL, NULL) < 0)
        vm_throw(nt->vm, VM_FAULT_API, "NdisScheduleWorkItem: work item 0x%08x is already queued",
                 a[0]);
    return NDIS_STATUS_SUCCESS;
}

/* ------------------------------------------------------------ time, CPUs */

/* VOID NdisGetCurrentSystemTime(PLARGE_INTEGER pSystemTime); */
NTAPI(NdisGetCurrentSystemTime)
{
    uint64_t t = nt_ke_system_time(nt);
    vm_guest(nt->vm, a[0], 8, "pSystemTime");
    vm_wr32(nt->vm, a[0], (uint32_t)t);
    vm_wr32(nt->vm, a[0] + 4, (uint32_t)(t >> 32));
    return 0;
}

/* VOID NdisGetSystemUpTime(PULONG pSystemUpTime); milliseconds since boot. */
NTAPI(NdisGetSystemUpTime)
{
    vm_guest(nt->vm, a[0], 4, "pSystemUpTime");
    vm_wr32(nt->vm, a[0], (uint32_t)(vm_time_ns(nt->vm) / 1000000u));
    return 0;
}

/* VOID NdisGetCurrentProcessorCounts(PULONG pIdleCount,
 *     PULONG pKernelAndUser, PULONG pIndex);
 * Cumulative idle and busy time in clock ticks (15.625 ms): the virtual CPU
 * only ever runs driver code, so idle stays 0. */
NTAPI(NdisGetCurrentProcessorCounts)
{
    for (unsigned i = 0; i < 3; i++)
        vm_guest(nt->vm, a[i], 4, "NdisGetCurrentProcessorCounts output");
    vm_wr32(nt->vm, a[0], 0);
    vm_wr32(nt->vm, a[1], (uint32_t)(vm_time_ns(nt->vm) / 15625000u));
    vm_wr32(nt->vm, a[2], 0);
    return 0;
}

/* CCHAR NdisSystemProcessorCount(VOID); */
NTAPI(NdisSystemProcessorCount)
{
    return 1;
}
