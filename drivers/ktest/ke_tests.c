/* ktest cases for the core kernel (src/nt/ntoskrnl/ke.c, src/nt/hal/hal_ke.c):
 * IRQL, spin locks, events, mutexes, semaphores, waits with timeouts,
 * timers and DPCs on virtual time, KeTickCount and the clocks.
 * Expected behaviour: MSDN pages of each routine. */
#include "ktest.h"

#define MS(n) (-(LONGLONG)(n) * 10000) /* relative due time in 100 ns units */

typedef struct DpcLog {
    LONG runs;
    KIRQL irql;
    PVOID arg1;
    PKEVENT event; /* set from the DPC when non-NULL */
} DpcLog;

static VOID NTAPI log_dpc(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    DpcLog *l = ctx;
    l->runs++;
    l->irql = KeGetCurrentIrql();
    l->arg1 = a1;
    if (l->event)
        KeSetEvent(l->event, 0, FALSE);
}

void kt_ke_irql(PDRIVER_OBJECT drv)
{
    KIRQL old;
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_EQ(old, PASSIVE_LEVEL);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    old = KeRaiseIrqlToDpcLevel();
    KT_OK(old == PASSIVE_LEVEL && KeGetCurrentIrql() == DISPATCH_LEVEL);
    KeLowerIrql(old);
    KeRaiseIrql(APC_LEVEL, &old);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    KeLowerIrql(old);
}

void kt_ke_spinlock(PDRIVER_OBJECT drv)
{
    KSPIN_LOCK lock, lock2;
    KIRQL old;
    KeInitializeSpinLock(&lock);
    KeInitializeSpinLock(&lock2);
    KeAcquireSpinLock(&lock, &old);
    KT_OK(old == PASSIVE_LEVEL && KeGetCurrentIrql() == DISPATCH_LEVEL);
    KeAcquireSpinLockAtDpcLevel(&lock2); /* nested, different lock */
    KeReleaseSpinLockFromDpcLevel(&lock2);
    KeReleaseSpinLock(&lock, old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* The same lock again after release is fine. */
    KeAcquireSpinLock(&lock, &old);
    KeReleaseSpinLock(&lock, old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

void kt_ke_event(PDRIVER_OBJECT drv)
{
    KEVENT n, s;
    LARGE_INTEGER zero = {.QuadPart = 0};
    KeInitializeEvent(&n, NotificationEvent, FALSE);
    KeInitializeEvent(&s, SynchronizationEvent, TRUE);
    KT_EQ(KeReadStateEvent(&n), 0);
    KT_EQ(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    KT_EQ(KeSetEvent(&n, 0, FALSE), 0);
    KT_EQ(KeSetEvent(&n, 0, FALSE), 1);
    /* A notification event stays signalled for every waiter. */
    KT_EQ(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    KT_EQ(KeWaitForSingleObject(&n, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KeResetEvent(&n), 1);
    KT_EQ(KeReadStateEvent(&n), 0);
    /* A synchronization event resets when a wait is satisfied. */
    KT_EQ(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    KT_EQ(KeReadStateEvent(&s), 0);
    KT_EQ(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    KeSetEvent(&s, 0, FALSE);
    KeClearEvent(&s);
    KT_EQ(KeReadStateEvent(&s), 0);
}

void kt_ke_mutex(PDRIVER_OBJECT drv)
{
    KMUTEX m;
    KeInitializeMutex(&m, 0);
    KT_EQ(KeReadStateMutex(&m), 1);
    KT_EQ(KeWaitForSingleObject(&m, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KeReadStateMutex(&m), 0);
    /* Recursive acquisition by the owner. */
    KT_EQ(KeWaitForMutexObject(&m, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(KeReadStateMutex(&m), -1);
    KT_EQ(KeReleaseMutex(&m, FALSE), -1);
    KT_EQ(KeReleaseMutex(&m, FALSE), 0);
    KT_EQ(KeReadStateMutex(&m), 1);
}

void kt_ke_semaphore(PDRIVER_OBJECT drv)
{
    KSEMAPHORE s;
    LARGE_INTEGER zero = {.QuadPart = 0};
    KeInitializeSemaphore(&s, 2, 3);
    KT_EQ(KeReadStateSemaphore(&s), 2);
    KT_EQ(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    KT_EQ(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero), STATUS_SUCCESS);
    KT_EQ(KeWaitForSingleObject(&s, Executive, KernelMode, FALSE, &zero), STATUS_TIMEOUT);
    KT_EQ(KeReleaseSemaphore(&s, 0, 3, FALSE), 0);
    KT_EQ(KeReadStateSemaphore(&s), 3);
}

void kt_ke_wait_timeout(PDRIVER_OBJECT drv)
{
    KEVENT e;
    LARGE_INTEGER t = {.QuadPart = MS(50)};
    KeInitializeEvent(&e, NotificationEvent, FALSE);
    ULONGLONG before = KeQueryInterruptTime();
    LARGE_INTEGER tick0, tick1;
    KeQueryTickCount(&tick0);
    KT_EQ(KeWaitForSingleObject(&e, Executive, KernelMode, FALSE, &t), STATUS_TIMEOUT);
    ULONGLONG after = KeQueryInterruptTime();
    KeQueryTickCount(&tick1);
    KT_OK(after - before >= 50 * 10000);
    KT_OK(after - before < 60 * 10000);
    KT_OK(tick1.QuadPart - tick0.QuadPart >= 3); /* 50 ms / 15.625 ms */
}

void kt_ke_timer_dpc(PDRIVER_OBJECT drv)
{
    KTIMER timer;
    KDPC dpc;
    DpcLog log = {0};
    LARGE_INTEGER due = {.QuadPart = MS(10)};
    KeInitializeTimer(&timer);
    KeInitializeDpc(&dpc, log_dpc, &log);
    KT_EQ(KeReadStateTimer(&timer), FALSE);
    ULONGLONG before = KeQueryInterruptTime();
    KT_EQ(KeSetTimer(&timer, due, &dpc), FALSE);
    KT_EQ(KeSetTimer(&timer, due, &dpc), TRUE); /* was already set */
    KT_EQ(KeWaitForSingleObject(&timer, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_OK(KeQueryInterruptTime() - before >= 10 * 10000);
    KT_EQ(log.runs, 1);
    KT_EQ(log.irql, DISPATCH_LEVEL);
    KT_EQ(KeReadStateTimer(&timer), TRUE);
    KT_EQ(KeCancelTimer(&timer), FALSE); /* already expired */
}

void kt_ke_dpc_signals_event(PDRIVER_OBJECT drv)
{
    KTIMER timer;
    KDPC dpc;
    KEVENT ev;
    DpcLog log = {0};
    LARGE_INTEGER due = {.QuadPart = MS(20)};
    KeInitializeEvent(&ev, SynchronizationEvent, FALSE);
    log.event = &ev;
    KeInitializeTimerEx(&timer, SynchronizationTimer);
    KeInitializeDpc(&dpc, log_dpc, &log);
    KeSetTimer(&timer, due, &dpc);
    /* Only the timer's DPC can set the event: the wait advances time to it. */
    KT_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(log.runs, 1);
    KT_EQ(KeReadStateEvent(&ev), 0);
}

void kt_ke_periodic_delay(PDRIVER_OBJECT drv)
{
    KTIMER timer;
    KDPC dpc;
    DpcLog log = {0};
    LARGE_INTEGER due = {.QuadPart = MS(5)}, delay = {.QuadPart = MS(26)};
    KeInitializeTimerEx(&timer, NotificationTimer);
    KeInitializeDpc(&dpc, log_dpc, &log);
    KeSetTimerEx(&timer, due, 5, &dpc);
    KT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &delay), STATUS_SUCCESS);
    KT_EQ(log.runs, 5); /* 5, 10, 15, 20, 25 ms */
    KT_EQ(KeCancelTimer(&timer), TRUE);
    KT_EQ(KeDelayExecutionThread(KernelMode, FALSE, &delay), STATUS_SUCCESS);
    KT_EQ(log.runs, 5);
}

void kt_ke_insert_dpc(PDRIVER_OBJECT drv)
{
    KDPC dpc;
    DpcLog log = {0};
    KIRQL old;
    KeInitializeDpc(&dpc, log_dpc, &log);
    /* Below DISPATCH_LEVEL the DPC runs at once. */
    KT_EQ(KeInsertQueueDpc(&dpc, (PVOID)7, NULL), TRUE);
    KT_OK(log.runs == 1 && log.arg1 == (PVOID)7 && log.irql == DISPATCH_LEVEL);
    /* At DISPATCH_LEVEL it waits until the IRQL drops. */
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KT_EQ(KeInsertQueueDpc(&dpc, (PVOID)8, NULL), TRUE);
    KT_EQ(KeInsertQueueDpc(&dpc, (PVOID)9, NULL), FALSE);
    KT_EQ(log.runs, 1);
    KeLowerIrql(old);
    KT_OK(log.runs == 2 && log.arg1 == (PVOID)8);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    KeInsertQueueDpc(&dpc, NULL, NULL);
    KT_EQ(KeRemoveQueueDpc(&dpc), TRUE);
    KT_EQ(KeRemoveQueueDpc(&dpc), FALSE);
    KeLowerIrql(old);
    KT_EQ(log.runs, 2);
}

void kt_ke_wait_multiple(PDRIVER_OBJECT drv)
{
    KEVENT e[2];
    PVOID objs[2] = {&e[0], &e[1]};
    LARGE_INTEGER t = {.QuadPart = MS(1)};
    KeInitializeEvent(&e[0], NotificationEvent, FALSE);
    KeInitializeEvent(&e[1], SynchronizationEvent, TRUE);
    KT_EQ(KeWaitForMultipleObjects(2, objs, WaitAny, Executive, KernelMode, FALSE, &t, NULL),
          STATUS_WAIT_1);
    KT_EQ(KeReadStateEvent(&e[1]), 0);
    KeSetEvent(&e[1], 0, FALSE);
    KT_EQ(KeWaitForMultipleObjects(2, objs, WaitAll, Executive, KernelMode, FALSE, &t, NULL),
          STATUS_TIMEOUT);
    KT_EQ(KeReadStateEvent(&e[1]), 1); /* WaitAll consumes nothing unless all are signalled */
    KeSetEvent(&e[0], 0, FALSE);
    KT_EQ(KeWaitForMultipleObjects(2, objs, WaitAll, Executive, KernelMode, FALSE, &t, NULL),
          STATUS_SUCCESS);
    KT_OK(KeReadStateEvent(&e[0]) == 1 && KeReadStateEvent(&e[1]) == 0);
}

void kt_ke_time(PDRIVER_OBJECT drv)
{
    LARGE_INTEGER st, freq, c0, c1, tc;
    KeQuerySystemTime(&st);
    KT_OK(st.QuadPart >= 133485408000000000ll); /* 2024-01-01 */
    KT_EQ(KeQueryTimeIncrement(), 156250);
    c0 = KeQueryPerformanceCounter(&freq);
    KT_EQ(freq.QuadPart, 3579545);
    KeStallExecutionProcessor(1000);
    c1 = KeQueryPerformanceCounter(NULL);
    KT_OK(c1.QuadPart - c0.QuadPart >= 3579 && c1.QuadPart - c0.QuadPart < 3700);
    /* KeQueryTickCount is the DDK macro reading the KeTickCount export. */
    KeQueryTickCount(&tc);
    ULONGLONG it = KeQueryInterruptTime();
    KT_EQ((ULONGLONG)tc.QuadPart, it / 156250);
    LARGE_INTEGER d = {.QuadPart = MS(100)};
    KeDelayExecutionThread(KernelMode, FALSE, &d);
    LARGE_INTEGER tc2;
    KeQueryTickCount(&tc2);
    KT_OK(tc2.QuadPart - tc.QuadPart >= 6);
    /* KUSER_SHARED_DATA.InterruptTime follows virtual time too. */
    ULONG shared = SharedUserData->InterruptTime.LowPart;
    ULONG now = (ULONG)KeQueryInterruptTime();
    KT_OK(now >= shared && now - shared < 10000);
}

void kt_ke_queued_spinlock(PDRIVER_OBJECT drv)
{
    KSPIN_LOCK lock;
    KLOCK_QUEUE_HANDLE h, h2;
    KeInitializeSpinLock(&lock);
    KeAcquireInStackQueuedSpinLock(&lock, &h);
    KT_EQ(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KT_EQ(h.OldIrql, PASSIVE_LEVEL);
    KeReleaseInStackQueuedSpinLock(&h);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KIRQL old = KeRaiseIrqlToDpcLevel();
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&lock, &h2);
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&h2);
    KeLowerIrql(old);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

void kt_ke_dpc_interrupts_busy_loop(PDRIVER_OBJECT drv)
{
    KTIMER timer;
    KDPC dpc;
    DpcLog log = {0};
    LARGE_INTEGER due = {.QuadPart = MS(1)};
    KeInitializeTimer(&timer);
    KeInitializeDpc(&dpc, log_dpc, &log);
    KeSetTimer(&timer, due, &dpc);
    /* Guest execution moves virtual time: the timer expires and its DPC
     * interrupts the loop, as the clock interrupt would (1 ms is ~100,000
     * basic blocks of virtual time). */
    ULONG spins = 0;
    while (!*(volatile LONG *)&log.runs && spins < 2000000)
        spins++;
    KT_EQ(log.runs, 1);
    KT_OK(spins > 0 && spins < 2000000);
    KeCancelTimer(&timer);
    KeRemoveQueueDpc(&dpc);
    /* Polling with KeStallExecutionProcessor works the same way. */
    log.runs = 0;
    KeSetTimer(&timer, due, &dpc);
    spins = 0;
    while (!*(volatile LONG *)&log.runs && spins < 10000) {
        KeStallExecutionProcessor(50);
        spins++;
    }
    KT_EQ(log.runs, 1);
    KT_OK(spins >= 19 && spins <= 21); /* 1 ms in 50 us steps */
}
