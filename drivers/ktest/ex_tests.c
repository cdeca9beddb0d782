/* ktest cases for the executive support routines (src/nt/ntoskrnl/ex.c):
 * pool, lookaside lists (the DDK's inline allocate/free), S-lists,
 * interlocked lists and counters, work items.
 * Expected behaviour: MSDN pages of each routine. */
#include "ktest.h"

/* The exports, called by their import-library names (the DDK maps the
 * Interlocked* names to compiler intrinsics). */
LONG __fastcall kt_InterlockedIncrement(LONG volatile *p) __asm__("@InterlockedIncrement@4");
LONG __fastcall kt_InterlockedDecrement(LONG volatile *p) __asm__("@InterlockedDecrement@4");
LONG __fastcall kt_InterlockedExchange(LONG volatile *p, LONG v) __asm__("@InterlockedExchange@8");
LONG __fastcall kt_InterlockedExchangeAdd(LONG volatile *p, LONG v) __asm__("@InterlockedExchangeAdd@8");
LONG __fastcall kt_InterlockedCompareExchange(LONG volatile *p, LONG x, LONG c)
    __asm__("@InterlockedCompareExchange@12");

#define TAG 0x74736554u /* 'Test' in memory */

void kt_ex_pool(PDRIVER_OBJECT drv)
{
    PUCHAR p = ExAllocatePoolWithTag(NonPagedPool, 100, TAG);
    KT_OK(p != NULL);
    if (!p)
        return;
    KT_OK(((ULONG_PTR)p & 7) == 0);
    RtlFillMemory(p, 100, 0xAB);
    KT_OK(p[99] == 0xAB);
    ExFreePoolWithTag(p, TAG);
    PVOID page = ExAllocatePoolWithTag(PagedPool, PAGE_SIZE, TAG);
    KT_OK(page != NULL && ((ULONG_PTR)page & (PAGE_SIZE - 1)) == 0);
    ExFreePool(page);
    PVOID q = ExAllocatePool(NonPagedPool, 8);
    KT_OK(q != NULL);
    ExFreePool(q);
}

void kt_ex_lookaside(PDRIVER_OBJECT drv)
{
    NPAGED_LOOKASIDE_LIST la;
    ExInitializeNPagedLookasideList(&la, NULL, NULL, 0, 48, TAG, 0);
    KT_EQ(la.L.Size, 48);
    KT_EQ(la.L.Tag, TAG);
    KT_OK(la.L.Allocate != NULL && la.L.Free != NULL);
    PVOID a = ExAllocateFromNPagedLookasideList(&la); /* inline: pops, then calls Allocate */
    PVOID b = ExAllocateFromNPagedLookasideList(&la);
    KT_OK(a != NULL && b != NULL && a != b);
    KT_EQ(la.L.AllocateMisses, 2);
    ExFreeToNPagedLookasideList(&la, a); /* inline: pushes on the S-list */
    KT_EQ(ExQueryDepthSList(&la.L.ListHead), 1);
    PVOID c = ExAllocateFromNPagedLookasideList(&la);
    KT_OK(c == a);
    ExFreeToNPagedLookasideList(&la, b);
    ExFreeToNPagedLookasideList(&la, c);
    ExDeleteNPagedLookasideList(&la); /* frees both through ExFreePool */

    PAGED_LOOKASIDE_LIST pl;
    ExInitializePagedLookasideList(&pl, NULL, NULL, 0, 32, TAG, 0);
    PVOID x = ExAllocateFromPagedLookasideList(&pl);
    KT_OK(x != NULL);
    ExFreeToPagedLookasideList(&pl, x);
    KT_OK(ExAllocateFromPagedLookasideList(&pl) == x);
    ExFreeToPagedLookasideList(&pl, x);
    ExDeletePagedLookasideList(&pl);
}

void kt_ex_slist(PDRIVER_OBJECT drv)
{
    SLIST_HEADER h;
    SLIST_ENTRY e1, e2, e3;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    InitializeSListHead(&h);
    KT_OK(InterlockedPushEntrySList(&h, &e1) == NULL);
    KT_OK(InterlockedPushEntrySList(&h, &e2) == &e1);
    KT_OK(ExInterlockedPushEntrySList(&h, &e3, &lock) == &e2);
    KT_EQ(ExQueryDepthSList(&h), 3);
    KT_OK(InterlockedPopEntrySList(&h) == &e3); /* LIFO */
    KT_OK(ExInterlockedPopEntrySList(&h, &lock) == &e2);
    KT_OK(InterlockedPopEntrySList(&h) == &e1);
    KT_OK(InterlockedPopEntrySList(&h) == NULL);
    KT_EQ(ExQueryDepthSList(&h), 0);
}

void kt_ex_lists(PDRIVER_OBJECT drv)
{
    LIST_ENTRY head, a, b, c;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    InitializeListHead(&head);
    KT_OK(ExInterlockedInsertTailList(&head, &a, &lock) == NULL);
    KT_OK(ExInterlockedInsertTailList(&head, &b, &lock) == &a);
    KT_OK(ExInterlockedInsertHeadList(&head, &c, &lock) == &a);
    KT_OK(head.Flink == &c && c.Flink == &a && a.Flink == &b && b.Flink == &head);
    KT_OK(head.Blink == &b && b.Blink == &a && a.Blink == &c && c.Blink == &head);
    KT_OK(ExInterlockedRemoveHeadList(&head, &lock) == &c);
    KT_OK(ExInterlockedRemoveHeadList(&head, &lock) == &a);
    KT_OK(ExInterlockedRemoveHeadList(&head, &lock) == &b);
    KT_OK(ExInterlockedRemoveHeadList(&head, &lock) == NULL);
    KT_OK(IsListEmpty(&head));

    SINGLE_LIST_ENTRY sh = {NULL}, s1, s2;
    KT_OK(ExInterlockedPushEntryList(&sh, &s1, &lock) == NULL);
    KT_OK(ExInterlockedPushEntryList(&sh, &s2, &lock) == &s1);
    KT_OK(ExInterlockedPopEntryList(&sh, &lock) == &s2);
    KT_OK(ExInterlockedPopEntryList(&sh, &lock) == &s1);
    KT_OK(ExInterlockedPopEntryList(&sh, &lock) == NULL);
}

void kt_ex_interlocked(PDRIVER_OBJECT drv)
{
    LONG volatile v = 5;
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KT_EQ(kt_InterlockedIncrement(&v), 6);
    KT_EQ(kt_InterlockedDecrement(&v), 5);
    KT_EQ(kt_InterlockedExchange(&v, 9), 5);
    KT_EQ(kt_InterlockedExchangeAdd(&v, 3), 9);
    KT_EQ(v, 12);
    KT_EQ(kt_InterlockedCompareExchange(&v, 1, 7), 12); /* no match: unchanged */
    KT_EQ(kt_InterlockedCompareExchange(&v, 1, 12), 12);
    KT_EQ(v, 1);
    ULONG u = 10;
    KT_EQ(ExInterlockedAddUlong(&u, 5, &lock), 10);
    KT_EQ(u, 15);
    LARGE_INTEGER li = {.QuadPart = 0xFFFFFFFFll}, inc = {.QuadPart = 1};
    LARGE_INTEGER old = ExInterlockedAddLargeInteger(&li, inc, &lock);
    KT_OK(old.QuadPart == 0xFFFFFFFFll && li.QuadPart == 0x100000000ll);
}

typedef struct WorkCtx {
    WORK_QUEUE_ITEM item;
    KEVENT done;
    LONG runs;
    KIRQL irql;
} WorkCtx;

static VOID NTAPI work_routine(PVOID p)
{
    WorkCtx *w = p;
    w->runs++;
    w->irql = KeGetCurrentIrql();
    KeSetEvent(&w->done, 0, FALSE);
}

void kt_ex_workitem(PDRIVER_OBJECT drv)
{
    WorkCtx *w = ExAllocatePoolWithTag(NonPagedPool, sizeof *w, TAG);
    KT_OK(w != NULL);
    if (!w)
        return;
    w->runs = 0;
    KeInitializeEvent(&w->done, NotificationEvent, FALSE);
    ExInitializeWorkItem(&w->item, work_routine, w);
    ExQueueWorkItem(&w->item, DelayedWorkQueue);
    KT_EQ(w->runs, 0); /* runs when this thread blocks, not before */
    KT_EQ(KeWaitForSingleObject(&w->done, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(w->runs, 1);
    KT_EQ(w->irql, PASSIVE_LEVEL);
    ExFreePoolWithTag(w, TAG);
}

void kt_ex_fast_mutex(PDRIVER_OBJECT drv)
{
    FAST_MUTEX fm;
    ExInitializeFastMutex(&fm);
    ExAcquireFastMutex(&fm);
    KT_EQ(KeGetCurrentIrql(), APC_LEVEL);
    KT_EQ(fm.Count, 0);
    KT_EQ(ExTryToAcquireFastMutex(&fm), FALSE);
    ExReleaseFastMutex(&fm);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ(ExTryToAcquireFastMutex(&fm), TRUE);
    ExReleaseFastMutex(&fm);
    KeEnterCriticalRegion();
    ExAcquireFastMutexUnsafe(&fm);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    ExReleaseFastMutexUnsafe(&fm);
    KeLeaveCriticalRegion();
    KT_EQ(fm.Count, 1);
}

void kt_ex_local_time(PDRIVER_OBJECT drv)
{
    LARGE_INTEGER st, lt, back;
    KeQuerySystemTime(&st);
    ExSystemTimeToLocalTime(&st, &lt);
    ExLocalTimeToSystemTime(&lt, &back);
    KT_OK(back.QuadPart == st.QuadPart);
    KT_OK(lt.QuadPart == st.QuadPart); /* the machine runs on UTC */
}
