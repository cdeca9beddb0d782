/* Ex: executive support. Pool allocation on the host-side pool (pool.c),
 * lookaside lists (in the guest layout, so the DDK's inline
 * ExAllocateFromNPagedLookasideList works), interlocked list and counter
 * routines, singly linked S-lists, and system work items.
 * On one CPU an "interlocked" operation is a plain host update; the spin
 * lock argument of ExInterlocked* is checked, not taken.
 * Facts: MSDN pages of each routine; mingw-w64 ddk/wdm.h for layouts and
 * inline routines; ReactOS ntoskrnl/ex (pool, lookas.c, work.c) and
 * hal/halx86 (ExInterlocked) for behaviour the documentation leaves open. */
#include <stddef.h>
#include <string.h>

#include "nt/nt.h"
#include "nt/ntoskrnl/ke.h"
#include "nt/ntstructs.h"

/* POOL_TYPE (wdm.h) */
#define POOL_PAGED_BIT 1u
#define POOL_RAISE_IF_ALLOCATION_FAILURE 16u
#define POOL_SESSION 32u
#define POOL_NX_NONPAGED 512u
#define POOL_BASE_MASK 7u
#define POOL_TAG_NONE 0x656e6f4eu /* 'None': ExAllocatePool's tag */
#define POOL_PROTECTED_TAG 0x80000000u

/* ------------------------------------------------------------------ pool */

GuestAddr nt_ex_pool_alloc(Nt *nt, uint32_t type, uint32_t size, uint32_t tag)
{
    uint32_t base = type & ~(POOL_RAISE_IF_ALLOCATION_FAILURE | POOL_SESSION);
    if (base == POOL_NX_NONPAGED)
        base = 0;
    if (base > POOL_BASE_MASK)
        vm_throw(nt->vm, VM_FAULT_API, "%s: bad POOL_TYPE %u", vm_current_api(nt->vm), type);
    uint8_t irql = nt_irql(nt);
    if (irql > DISPATCH_LEVEL || ((base & POOL_PAGED_BIT) && irql > APC_LEVEL))
        vm_throw(nt->vm, VM_FAULT_IRQL, "%s(%s) called at IRQL %u; %s requires IRQL <= %s",
                 vm_current_api(nt->vm), (base & POOL_PAGED_BIT) ? "PagedPool" : "NonPagedPool",
                 irql, (base & POOL_PAGED_BIT) ? "paged pool" : "nonpaged pool",
                 (base & POOL_PAGED_BIT) ? "APC_LEVEL" : "DISPATCH_LEVEL");
    GuestAddr p = nt_pool_alloc(nt, size, tag);
    if (!p && (type & POOL_RAISE_IF_ALLOCATION_FAILURE))
        vm_throw(nt->vm, VM_FAULT_HOST,
                 "%s: pool exhausted allocating %u bytes "
                 "(POOL_RAISE_IF_ALLOCATION_FAILURE raises STATUS_INSUFFICIENT_RESOURCES)",
                 vm_current_api(nt->vm), size);
    return p;
}

void nt_ex_pool_free(Nt *nt, GuestAddr p)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    uint32_t size = nt_pool_size(nt, p);
    if (size)
        nt_ke_check_free(nt, p, size);
    int r = nt_pool_free(nt, p);
    if (r == -1)
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: 0x%08x is not a live pool block (double free or foreign "
                 "pointer; Windows bug checks BAD_POOL_CALLER)",
                 vm_current_api(nt->vm), p);
    if (r == -2)
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: pool block overrun: the driver wrote past the end of the "
                 "%u-byte block 0x%08x",
                 vm_current_api(nt->vm), size, p);
}

/* PVOID ExAllocatePoolWithTag(POOL_TYPE PoolType, SIZE_T NumberOfBytes, ULONG Tag); */
NTAPI(ExAllocatePoolWithTag)
{
    return nt_ex_pool_alloc(nt, a[0], a[1], a[2]);
}

/* PVOID ExAllocatePool(POOL_TYPE PoolType, SIZE_T NumberOfBytes); */
NTAPI(ExAllocatePool)
{
    return nt_ex_pool_alloc(nt, a[0], a[1], POOL_TAG_NONE);
}

/* PVOID ExAllocatePoolWithQuotaTag(POOL_TYPE, SIZE_T, ULONG Tag); the
 * quota is charged to the current process, which has no limit here. */
NTAPI(ExAllocatePoolWithQuotaTag)
{
    return nt_ex_pool_alloc(nt, a[0], a[1], a[2]);
}

/* PVOID ExAllocatePoolWithQuota(POOL_TYPE, SIZE_T); raises on failure. */
NTAPI(ExAllocatePoolWithQuota)
{
    return nt_ex_pool_alloc(nt, a[0] | POOL_RAISE_IF_ALLOCATION_FAILURE, a[1], POOL_TAG_NONE);
}

/* PVOID ExAllocatePoolWithTagPriority(POOL_TYPE, SIZE_T, ULONG Tag,
 *     EX_POOL_PRIORITY Priority); the priority matters only when low. */
NTAPI(ExAllocatePoolWithTagPriority)
{
    return nt_ex_pool_alloc(nt, a[0], a[1], a[2]);
}

/* VOID ExFreePool(PVOID P); */
NTAPI(ExFreePool)
{
    nt_ex_pool_free(nt, a[0]);
    return 0;
}

/* VOID ExFreePoolWithTag(PVOID P, ULONG Tag); */
NTAPI(ExFreePoolWithTag)
{
    nt_ex_pool_free(nt, a[0]);
    return 0;
}

/* -------------------------------------------------------------- S-lists */

/* SLIST_HEADER on x86: Next, Depth, Sequence (wdm.h). Push increments
 * Depth and Sequence, pop decrements Depth (ReactOS
 * ExInterlockedPushEntrySList / ExpInterlockedPopEntrySList). */
static GuestAddr slist_push(Nt *nt, GuestAddr head, GuestAddr entry)
{
    GSListHeader *h = vm_guest(nt->vm, head, sizeof *h, "SLIST_HEADER");
    GuestAddr first = h->Next;
    vm_wr32(nt->vm, entry, first);
    h = vm_guest(nt->vm, head, sizeof *h, "SLIST_HEADER");
    h->Next = entry;
    h->Depth++;
    h->Sequence++;
    return first;
}

static GuestAddr slist_pop(Nt *nt, GuestAddr head)
{
    GSListHeader *h = vm_guest(nt->vm, head, sizeof *h, "SLIST_HEADER");
    GuestAddr first = h->Next;
    if (!first)
        return 0;
    GuestAddr next = vm_rd32(nt->vm, first);
    h->Next = next;
    h->Depth--;
    return first;
}

/* PSLIST_ENTRY FASTCALL InterlockedPushEntrySList(PSLIST_HEADER ListHead,
 *                                                PSLIST_ENTRY ListEntry); */
NTAPI(InterlockedPushEntrySList)
{
    return slist_push(nt, a[0], a[1]);
}

/* PSLIST_ENTRY FASTCALL InterlockedPopEntrySList(PSLIST_HEADER ListHead); */
NTAPI(InterlockedPopEntrySList)
{
    return slist_pop(nt, a[0]);
}

/* PSLIST_ENTRY FASTCALL ExInterlockedPushEntrySList(PSLIST_HEADER,
 *                                  PSLIST_ENTRY, PKSPIN_LOCK Lock); */
NTAPI(ExInterlockedPushEntrySList)
{
    return slist_push(nt, a[0], a[1]);
}

/* PSLIST_ENTRY FASTCALL ExInterlockedPopEntrySList(PSLIST_HEADER, PKSPIN_LOCK); */
NTAPI(ExInterlockedPopEntrySList)
{
    return slist_pop(nt, a[0]);
}

/* PSLIST_ENTRY FASTCALL ExInterlockedFlushSList(PSLIST_HEADER ListHead); */
NTAPI(ExInterlockedFlushSList)
{
    GSListHeader *h = vm_guest(nt->vm, a[0], sizeof *h, "SLIST_HEADER");
    GuestAddr first = h->Next;
    h->Next = 0;
    h->Depth = 0;
    return first;
}

/* ------------------------------------------------- doubly linked lists */

/* Windows 8+ checks list links on every insert/remove and fast-fails on a
 * corrupted list (LIST_ENTRY_CORRUPT); doing the same catches use after
 * free early. */
static void list_check(Nt *nt, GuestAddr entry)
{
    GuestAddr f = vm_rd32(nt->vm, entry), b = vm_rd32(nt->vm, entry + 4);
    if (vm_rd32(nt->vm, f + 4) != entry || vm_rd32(nt->vm, b) != entry)
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: LIST_ENTRY 0x%08x is corrupted (Flink 0x%08x, Blink 0x%08x "
                 "do not point back)",
                 vm_current_api(nt->vm), entry, f, b);
}

static GuestAddr list_insert(Nt *nt, GuestAddr head, GuestAddr entry, GuestAddr lock, int tail)
{
    nt_ke_spin_check_free(nt, lock);
    list_check(nt, head);
    GuestAddr first = vm_rd32(nt->vm, head);
    GuestAddr prev = tail ? vm_rd32(nt->vm, head + 4) : head;
    GuestAddr next = tail ? head : first;
    vm_wr32(nt->vm, entry, next);
    vm_wr32(nt->vm, entry + 4, prev);
    vm_wr32(nt->vm, prev, entry);
    vm_wr32(nt->vm, next + 4, entry);
    /* Both return the old first entry, NULL if the list was empty. */
    return first == head ? 0 : first;
}

/* PLIST_ENTRY ExInterlockedInsertHeadList(PLIST_ENTRY ListHead,
 *                               PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock); */
NTAPI(ExInterlockedInsertHeadList)
{
    return list_insert(nt, a[0], a[1], a[2], 0);
}

/* PLIST_ENTRY ExInterlockedInsertTailList(PLIST_ENTRY ListHead,
 *                               PLIST_ENTRY ListEntry, PKSPIN_LOCK Lock);
 * Returns the first entry before the insert (NULL if empty). */
NTAPI(ExInterlockedInsertTailList)
{
    return list_insert(nt, a[0], a[1], a[2], 1);
}

/* PLIST_ENTRY ExInterlockedRemoveHeadList(PLIST_ENTRY ListHead, PKSPIN_LOCK Lock); */
NTAPI(ExInterlockedRemoveHeadList)
{
    nt_ke_spin_check_free(nt, a[1]);
    GuestAddr head = a[0];
    list_check(nt, head);
    GuestAddr first = vm_rd32(nt->vm, head);
    if (first == head)
        return 0;
    list_check(nt, first);
    GuestAddr next = vm_rd32(nt->vm, first);
    vm_wr32(nt->vm, head, next);
    vm_wr32(nt->vm, next + 4, head);
    return first;
}

/* PLIST_ENTRY FASTCALL ExfInterlockedInsertHeadList(...); same, fastcall. */
NTAPI(ExfInterlockedInsertHeadList)
{
    return nt_ExInterlockedInsertHeadList(nt, a);
}

NTAPI(ExfInterlockedInsertTailList)
{
    return nt_ExInterlockedInsertTailList(nt, a);
}

NTAPI(ExfInterlockedRemoveHeadList)
{
    return nt_ExInterlockedRemoveHeadList(nt, a);
}

/* PSINGLE_LIST_ENTRY ExInterlockedPushEntryList(PSINGLE_LIST_ENTRY ListHead,
 *                        PSINGLE_LIST_ENTRY ListEntry, PKSPIN_LOCK Lock); */
NTAPI(ExInterlockedPushEntryList)
{
    nt_ke_spin_check_free(nt, a[2]);
    GuestAddr first = vm_rd32(nt->vm, a[0]);
    vm_wr32(nt->vm, a[1], first);
    vm_wr32(nt->vm, a[0], a[1]);
    return first;
}

/* PSINGLE_LIST_ENTRY ExInterlockedPopEntryList(PSINGLE_LIST_ENTRY ListHead,
 *                                              PKSPIN_LOCK Lock); */
NTAPI(ExInterlockedPopEntryList)
{
    nt_ke_spin_check_free(nt, a[1]);
    GuestAddr first = vm_rd32(nt->vm, a[0]);
    if (first)
        vm_wr32(nt->vm, a[0], vm_rd32(nt->vm, first));
    return first;
}

NTAPI(ExfInterlockedPushEntryList)
{
    return nt_ExInterlockedPushEntryList(nt, a);
}

NTAPI(ExfInterlockedPopEntryList)
{
    return nt_ExInterlockedPopEntryList(nt, a);
}

/* ------------------------------------------------------------ counters */

/* ULONG ExInterlockedAddUlong(PULONG Addend, ULONG Increment, PKSPIN_LOCK Lock);
 * Returns the value before the addition. */
NTAPI(ExInterlockedAddUlong)
{
    nt_ke_spin_check_free(nt, a[2]);
    uint32_t old = vm_rd32(nt->vm, a[0]);
    vm_wr32(nt->vm, a[0], old + a[1]);
    return old;
}

NTAPI(ExfInterlockedAddUlong)
{
    return nt_ExInterlockedAddUlong(nt, a);
}

/* LARGE_INTEGER ExInterlockedAddLargeInteger(PLARGE_INTEGER Addend,
 *     LARGE_INTEGER Increment, PKSPIN_LOCK Lock); returns the old value. */
NTAPI(ExInterlockedAddLargeInteger)
{
    nt_ke_spin_check_free(nt, a[3]);
    uint32_t *p = vm_guest(nt->vm, a[0], 8, "Addend");
    uint64_t old = (uint64_t)p[1] << 32 | p[0];
    uint64_t v = old + ((uint64_t)a[2] << 32 | a[1]);
    p[0] = (uint32_t)v;
    p[1] = (uint32_t)(v >> 32);
    return old;
}

/* VOID FASTCALL ExInterlockedAddLargeStatistic(PLARGE_INTEGER Addend, ULONG Increment); */
NTAPI(ExInterlockedAddLargeStatistic)
{
    uint32_t *p = vm_guest(nt->vm, a[0], 8, "Addend");
    uint64_t v = ((uint64_t)p[1] << 32 | p[0]) + a[1];
    p[0] = (uint32_t)v;
    p[1] = (uint32_t)(v >> 32);
    return 0;
}

/* LONG FASTCALL InterlockedIncrement(LONG volatile *Addend); new value. */
NTAPI(InterlockedIncrement)
{
    uint32_t v = vm_rd32(nt->vm, a[0]) + 1;
    vm_wr32(nt->vm, a[0], v);
    return v;
}

/* LONG FASTCALL InterlockedDecrement(LONG volatile *Addend); new value. */
NTAPI(InterlockedDecrement)
{
    uint32_t v = vm_rd32(nt->vm, a[0]) - 1;
    vm_wr32(nt->vm, a[0], v);
    return v;
}

/* LONG FASTCALL InterlockedExchange(LONG volatile *Target, LONG Value); old value. */
NTAPI(InterlockedExchange)
{
    uint32_t old = vm_rd32(nt->vm, a[0]);
    vm_wr32(nt->vm, a[0], a[1]);
    return old;
}

/* LONG FASTCALL InterlockedExchangeAdd(LONG volatile *Addend, LONG Value); old value. */
NTAPI(InterlockedExchangeAdd)
{
    uint32_t old = vm_rd32(nt->vm, a[0]);
    vm_wr32(nt->vm, a[0], old + a[1]);
    return old;
}

/* LONG FASTCALL InterlockedCompareExchange(LONG volatile *Destination,
 *     LONG ExChange, LONG Comperand); returns the old value. */
NTAPI(InterlockedCompareExchange)
{
    uint32_t old = vm_rd32(nt->vm, a[0]);
    if (old == a[2])
        vm_wr32(nt->vm, a[0], a[1]);
    return old;
}

/* ------------------------------------------------------ lookaside lists */

/* GENERAL_LOOKASIDE (x86, wdm.h); NPAGED_LOOKASIDE_LIST adds a KSPIN_LOCK
 * (0x50 bytes in all), PAGED_LOOKASIDE_LIST a FAST_MUTEX (0x68). */
typedef struct GGeneralLookaside {
    GSListHeader ListHead;
    uint16_t Depth;
    uint16_t MaximumDepth;
    uint32_t TotalAllocates;
    uint32_t AllocateMisses;
    uint32_t TotalFrees;
    uint32_t FreeMisses;
    uint32_t Type;
    uint32_t Tag;
    uint32_t Size;
    GPtr Allocate;
    GPtr Free;
    GListEntry ListEntry;
    uint32_t LastTotalAllocates;
    uint32_t LastAllocateMisses;
    uint32_t Future[2];
} GGeneralLookaside;
_Static_assert(sizeof(GGeneralLookaside) == 0x48, "GENERAL_LOOKASIDE");
#define NPAGED_LOOKASIDE_SIZE 0x50u
#define PAGED_LOOKASIDE_SIZE 0x68u
/* Windows starts lookaside depth at 4 and lets it grow to 256
 * (ReactOS lookas.c ExMinimumLookasideDepth / MAXIMUM_DEPTH). */
#define LOOKASIDE_MIN_DEPTH 4
#define LOOKASIDE_MAX_DEPTH 256

static void lookaside_init(Nt *nt, const uint32_t *a, uint32_t bytes, uint32_t pool_type)
{
    GuestAddr la = a[0];
    uint32_t size = a[4];
    GGeneralLookaside *l = vm_guest(nt->vm, la, bytes, "lookaside list");
    memset(l, 0, bytes);
    if (size < 4)
        size = 4; /* room for the SLIST_ENTRY link */
    l->Depth = LOOKASIDE_MIN_DEPTH;
    l->MaximumDepth = LOOKASIDE_MAX_DEPTH;
    l->Type = pool_type | a[3];
    l->Tag = a[5];
    l->Size = size;
    l->Allocate = a[1] ? a[1] : nt_resolve_import(nt, "ntoskrnl.exe", "ExAllocatePoolWithTag");
    l->Free = a[2] ? a[2] : nt_resolve_import(nt, "ntoskrnl.exe", "ExFreePool");
    if (!l->Allocate || !l->Free)
        vm_throw(nt->vm, VM_FAULT_HOST, "%s: no thunk for the default pool routines",
                 vm_current_api(nt->vm));
    l->ListEntry.Flink = la + offsetof(GGeneralLookaside, ListEntry);
    l->ListEntry.Blink = l->ListEntry.Flink;
}

/* Free an entry through the list's Free routine: our ExFreePool on the
 * host, a driver routine by calling it. Returns -1 if the run stopped. */
static int lookaside_free_entry(Nt *nt, GuestAddr freefn, GuestAddr entry)
{
    if (freefn == nt_resolve_import(nt, "ntoskrnl.exe", "ExFreePool")) {
        nt_ex_pool_free(nt, entry);
        return 0;
    }
    uint32_t ret;
    return vm_call(nt->vm, freefn, VM_STDCALL, &entry, 1, "lookaside Free routine", &ret);
}

static void lookaside_delete(Nt *nt, GuestAddr la)
{
    for (;;) {
        GGeneralLookaside *l = vm_guest(nt->vm, la, sizeof *l, "lookaside list");
        GuestAddr freefn = l->Free;
        GuestAddr e = slist_pop(nt, la);
        if (!e)
            break;
        if (lookaside_free_entry(nt, freefn, e) < 0)
            return;
    }
}

/* VOID ExInitializeNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside,
 *     PALLOCATE_FUNCTION Allocate, PFREE_FUNCTION Free, ULONG Flags,
 *     SIZE_T Size, ULONG Tag, USHORT Depth); */
NTAPI(ExInitializeNPagedLookasideList)
{
    lookaside_init(nt, a, NPAGED_LOOKASIDE_SIZE, 0 /* NonPagedPool */);
    return 0;
}

/* VOID ExDeleteNPagedLookasideList(PNPAGED_LOOKASIDE_LIST Lookaside); */
NTAPI(ExDeleteNPagedLookasideList)
{
    lookaside_delete(nt, a[0]);
    return 0;
}

/* VOID ExInitializePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, ...); */
NTAPI(ExInitializePagedLookasideList)
{
    nt_check_irql_max(nt, APC_LEVEL);
    lookaside_init(nt, a, PAGED_LOOKASIDE_SIZE, POOL_PAGED_BIT /* PagedPool */);
    return 0;
}

/* VOID ExDeletePagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside); */
NTAPI(ExDeletePagedLookasideList)
{
    nt_check_irql_max(nt, APC_LEVEL);
    lookaside_delete(nt, a[0]);
    return 0;
}

/* PVOID ExAllocateFromPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside);
 * (wdm.h's inline version, done on the host). */
NTAPI(ExAllocateFromPagedLookasideList)
{
    nt_check_irql_max(nt, APC_LEVEL);
    GuestAddr la = a[0];
    GGeneralLookaside *l = vm_guest(nt->vm, la, sizeof *l, "PAGED_LOOKASIDE_LIST");
    l->TotalAllocates++;
    GuestAddr e = slist_pop(nt, la);
    if (e)
        return e;
    l = vm_guest(nt->vm, la, sizeof *l, "PAGED_LOOKASIDE_LIST");
    l->AllocateMisses++;
    uint32_t args[3] = {l->Type, l->Size, l->Tag}, ret = 0;
    if (l->Allocate == nt_resolve_import(nt, "ntoskrnl.exe", "ExAllocatePoolWithTag"))
        return nt_ex_pool_alloc(nt, args[0], args[1], args[2]);
    if (vm_call(nt->vm, l->Allocate, VM_STDCALL, args, 3, "lookaside Allocate routine", &ret) < 0)
        return 0;
    return ret;
}

/* VOID ExFreeToPagedLookasideList(PPAGED_LOOKASIDE_LIST Lookaside, PVOID Entry); */
NTAPI(ExFreeToPagedLookasideList)
{
    nt_check_irql_max(nt, APC_LEVEL);
    GuestAddr la = a[0];
    GGeneralLookaside *l = vm_guest(nt->vm, la, sizeof *l, "PAGED_LOOKASIDE_LIST");
    l->TotalFrees++;
    if (l->ListHead.Depth >= l->Depth) {
        l->FreeMisses++;
        lookaside_free_entry(nt, l->Free, a[1]);
        return 0;
    }
    slist_push(nt, la, a[1]);
    return 0;
}

/* ---------------------------------------------------------- work items */

/* WORK_QUEUE_ITEM: List (8), WorkerRoutine (+8), Parameter (+12). */
#define WQI_ROUTINE 8
#define WQI_PARAMETER 12
#define WORK_QUEUE_TYPE_MAX 2 /* Critical, Delayed, HyperCritical */

/* VOID ExQueueWorkItem(PWORK_QUEUE_ITEM WorkItem, WORK_QUEUE_TYPE QueueType);
 * The routine runs at PASSIVE_LEVEL when the current thread blocks or the
 * host is idle (ke.h), as a system worker thread would. */
NTAPI(ExQueueWorkItem)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    if (a[1] > WORK_QUEUE_TYPE_MAX)
        vm_throw(nt->vm, VM_FAULT_API, "ExQueueWorkItem: bad WORK_QUEUE_TYPE %u", a[1]);
    const uint32_t *w = vm_guest(nt->vm, a[0], 16, "WORK_QUEUE_ITEM");
    GuestAddr routine = w[WQI_ROUTINE / 4];
    uint32_t param = w[WQI_PARAMETER / 4];
    if (!routine)
        vm_throw(nt->vm, VM_FAULT_API,
                 "ExQueueWorkItem: work item 0x%08x has no WorkerRoutine "
                 "(ExInitializeWorkItem not called?)",
                 a[0]);
    if (nt_ke_queue_passive(nt, routine, &param, 1, "WorkerRoutine", a[0], NULL, NULL) < 0)
        vm_throw(nt->vm, VM_FAULT_API, "ExQueueWorkItem: work item 0x%08x is already queued", a[0]);
    return 0;
}

/* ----------------------------------------------------------- fast mutexes */

/* FAST_MUTEX (x86, wdm.h): Count (1 = free, FM_LOCK_BIT), Owner,
 * Contention, Event, OldIrql. ExInitializeFastMutex is inline. */
typedef struct GFastMutex {
    int32_t Count;
    GPtr Owner;
    uint32_t Contention;
    GKEvent Event;
    uint32_t OldIrql;
} GFastMutex;
_Static_assert(sizeof(GFastMutex) == 32, "FAST_MUTEX");

static GFastMutex *fast_mutex(Nt *nt, GuestAddr fm)
{
    GFastMutex *m = vm_guest(nt->vm, fm, sizeof *m, "FAST_MUTEX");
    if (m->Count != 0 && m->Count != 1)
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: FAST_MUTEX 0x%08x is not initialized (Count %d; "
                 "ExInitializeFastMutex not called?)",
                 vm_current_api(nt->vm), fm, m->Count);
    return m;
}

void nt_ex_fast_mutex_acquire(Nt *nt, GuestAddr fm, int raise)
{
    nt_check_irql_max(nt, APC_LEVEL);
    GFastMutex *m = fast_mutex(nt, fm);
    if (m->Count == 0)
        vm_throw(nt->vm, VM_FAULT_DEADLOCK,
                 "%s: FAST_MUTEX 0x%08x is already held by this thread; "
                 "fast mutexes are not recursive, so the thread waits for itself forever",
                 vm_current_api(nt->vm), fm);
    uint8_t old = raise ? nt_ke_raise_irql(nt, APC_LEVEL) : nt_irql(nt);
    m = fast_mutex(nt, fm);
    m->Count = 0;
    m->Owner = nt->current_thread;
    if (raise)
        m->OldIrql = old;
}

void nt_ex_fast_mutex_release(Nt *nt, GuestAddr fm, int lower)
{
    GFastMutex *m = fast_mutex(nt, fm);
    if (m->Count != 0 || m->Owner != nt->current_thread)
        vm_throw(nt->vm, VM_FAULT_API, "%s: FAST_MUTEX 0x%08x is not held by the current thread",
                 vm_current_api(nt->vm), fm);
    uint8_t old = (uint8_t)m->OldIrql;
    m->Count = 1;
    m->Owner = 0;
    if (lower)
        nt_ke_lower_irql(nt, old);
}

/* VOID FASTCALL ExAcquireFastMutexUnsafe(PFAST_MUTEX FastMutex); the caller
 * has raised to APC_LEVEL or entered a critical region. */
NTAPI(ExAcquireFastMutexUnsafe)
{
    nt_ex_fast_mutex_acquire(nt, a[0], 0);
    return 0;
}

/* VOID FASTCALL ExReleaseFastMutexUnsafe(PFAST_MUTEX FastMutex); */
NTAPI(ExReleaseFastMutexUnsafe)
{
    nt_ex_fast_mutex_release(nt, a[0], 0);
    return 0;
}

/* ------------------------------------------------------------------ time */

/* The machine runs on UTC: KUSER_SHARED_DATA.TimeZoneBias is 0, so local
 * and system time are the same. */

/* VOID ExSystemTimeToLocalTime(PLARGE_INTEGER SystemTime, PLARGE_INTEGER LocalTime); */
NTAPI(ExSystemTimeToLocalTime)
{
    const uint8_t *s = vm_guest(nt->vm, a[0], 8, "SystemTime");
    uint64_t v;
    memcpy(&v, s, 8);
    memcpy(vm_guest(nt->vm, a[1], 8, "LocalTime"), &v, 8);
    return 0;
}

/* VOID ExLocalTimeToSystemTime(PLARGE_INTEGER LocalTime, PLARGE_INTEGER SystemTime); */
NTAPI(ExLocalTimeToSystemTime)
{
    return nt_ExSystemTimeToLocalTime(nt, a);
}

/* ULONG ExSetTimerResolution(ULONG DesiredTime, BOOLEAN SetResolution);
 * The clock keeps its 15.625 ms period; the current resolution is returned
 * either way, which MSDN allows ("may not be exactly the requested"). */
NTAPI(ExSetTimerResolution)
{
    return 156250;
}
