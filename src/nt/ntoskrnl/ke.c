/* Ke: the core kernel on one virtual CPU with one thread. IRQL and spin
 * locks, dispatcher objects (events, mutexes, semaphores, timers) and waits,
 * DPCs, deferred passive work, and time (KeTickCount, KUSER_SHARED_DATA,
 * KeQuerySystemTime) on virtual time. See ke.h for when deferred work runs.
 *
 * Object state lives in the guest's own structures (DISPATCHER_HEADER
 * SignalState, KMUTEX OwnerThread, ...) as on Windows, so inline driver code
 * that reads them sees real values. Armed timers and queued DPCs are also
 * listed on the host, so a driver cannot corrupt the kernel's queues.
 * Facts: MSDN (learn.microsoft.com) pages of each routine; ReactOS
 * ntoskrnl/ke (wait.c, timerobj.c, dpc.c, eventobj.c, mutex.c, semphobj.c)
 * for Windows behaviour the documentation leaves open. */
#include "nt/ntoskrnl/ke.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nt/ntstructs.h"

/* 2024-01-01 00:00:00 UTC in 100 ns units since 1601-01-01: the fixed,
 * deterministic boot time of the virtual machine. */
#define KE_EPOCH_1601 133485408000000000ull
/* Clock interrupt period: 15.625 ms (KeQueryTimeIncrement on x86 MP HALs). */
#define KE_TIME_INCREMENT 156250u
#define KE_TICK_NS (KE_TIME_INCREMENT * 100ull)
/* KUSER_SHARED_DATA offsets (ReactOS ndk/ketypes.h, mingw-w64 ddk/ntddk.h). */
#define USD_TICK_COUNT_LOW 0x000
#define USD_TICK_COUNT_MULTIPLIER 0x004
#define USD_INTERRUPT_TIME 0x008
#define USD_SYSTEM_TIME 0x014
#define USD_TICK_COUNT 0x320
#define KOBJ_DPC 19 /* KOBJECTS DpcObject (ReactOS ketypes.h) */
#define DPC_HIGH_IMPORTANCE 2
#define DPC_MEDIUM_IMPORTANCE 1
#define MAXIMUM_WAIT_OBJECTS 64
#define THREAD_WAIT_OBJECTS 3
/* Guards against endless deferred work: DPCs run in one drain, and timer
 * expiries one wait may step through before calling it a deadlock. */
#define KE_MAX_DPCS_PER_DRAIN 1000000u
#define KE_MAX_WAIT_STEPS 100000u
#define KE_MAX_PASSIVE_NESTING 8u
#define KE_MAX_LOCKS 64u
#define KE_MAX_SOURCES 8u

typedef struct KeTimer {
    GuestAddr timer;
    uint64_t due_ns; /* absolute virtual time */
    uint32_t period_ms;
    GuestAddr dpc;
} KeTimer;

typedef struct KePassive {
    GuestAddr routine;
    uint32_t args[4];
    unsigned nargs;
    const char *what;
    GuestAddr key;
    NtKePassiveDone done;
    void *opaque;
} KePassive;

typedef struct KeLock {
    GuestAddr lock;
    GuestAddr where; /* return address of the acquiring call */
} KeLock;

typedef struct NtKe {
    GuestAddr tick_count; /* KeTickCount (0 until a driver imports it) */
    uint64_t last_tick;
    KeTimer *timers;
    unsigned ntimers, captimers;
    uint64_t next_due; /* min timers[].due_ns, UINT64_MAX if none */
    GuestAddr *dpcs;   /* queued KDPCs, head first */
    unsigned ndpcs, capdpcs;
    KePassive *passive;
    unsigned npassive, cappassive;
    KeLock locks[KE_MAX_LOCKS];
    unsigned nlocks;
    NtKeEventSource sources[KE_MAX_SOURCES];
    unsigned nsources;
    int draining; /* a DPC drain is running */
    int in_dpc;
    unsigned passive_depth;
    int critical_region; /* KeEnterCriticalRegion nesting */
} NtKe;

static GuestAddr caller_of(Nt *nt)
{
    uint32_t w; /* copied: the guest's ESP need not be aligned */
    return vm_read(nt->vm, vm_reg(nt->vm, VM_ESP), &w, 4) == 0 ? w : 0;
}

/* ------------------------------------------------------------------ time */

uint64_t nt_ke_system_time(Nt *nt)
{
    return KE_EPOCH_1601 + vm_time_ns(nt->vm) / 100;
}

static void put_ksystem_time(uint8_t *p, uint64_t v)
{
    /* KSYSTEM_TIME: LowPart, High1Time, High2Time. Readers compare High1
     * with High2 (wdm.h KeQueryTickCount); the host write is atomic for the
     * guest, so the order only documents the protocol. */
    uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);
    memcpy(p + 8, &hi, 4);
    memcpy(p, &lo, 4);
    memcpy(p + 4, &hi, 4);
}

static void ke_update_clock(Nt *nt, uint64_t now)
{
    NtKe *k = nt->ke;
    uint64_t tick = now / KE_TICK_NS;
    uint8_t *usd = vm_ptr(nt->vm, VM_SHARED_DATA, 0x330);
    if (usd) {
        put_ksystem_time(usd + USD_INTERRUPT_TIME, now / 100);
        put_ksystem_time(usd + USD_SYSTEM_TIME, KE_EPOCH_1601 + now / 100);
    }
    if (tick == k->last_tick)
        return;
    k->last_tick = tick;
    if (usd) {
        uint32_t lo = (uint32_t)tick;
        memcpy(usd + USD_TICK_COUNT_LOW, &lo, 4);
        put_ksystem_time(usd + USD_TICK_COUNT, tick);
    }
    uint8_t *tc = k->tick_count ? vm_ptr(nt->vm, k->tick_count, 12) : NULL;
    if (tc)
        put_ksystem_time(tc, tick);
}

/* -------------------------------------------------------------- timers */

static void timers_recompute(NtKe *k)
{
    k->next_due = UINT64_MAX;
    for (unsigned i = 0; i < k->ntimers; i++)
        if (k->timers[i].due_ns < k->next_due)
            k->next_due = k->timers[i].due_ns;
}

static int timer_find(NtKe *k, GuestAddr t)
{
    for (unsigned i = 0; i < k->ntimers; i++)
        if (k->timers[i].timer == t)
            return (int)i;
    return -1;
}

static void timer_remove(NtKe *k, unsigned i)
{
    k->timers[i] = k->timers[--k->ntimers];
    timers_recompute(k);
}

static int timer_add(NtKe *k, const KeTimer *t)
{
    if (k->ntimers == k->captimers) {
        unsigned cap = k->captimers ? k->captimers * 2 : 16;
        KeTimer *n = realloc(k->timers, cap * sizeof *n);
        if (!n)
            return -1;
        k->timers = n;
        k->captimers = cap;
    }
    k->timers[k->ntimers++] = *t;
    if (t->due_ns < k->next_due)
        k->next_due = t->due_ns;
    return 0;
}

/* ---------------------------------------------------------------- DPCs */

static int dpc_find(NtKe *k, GuestAddr d)
{
    for (unsigned i = 0; i < k->ndpcs; i++)
        if (k->dpcs[i] == d)
            return (int)i;
    return -1;
}

/* Queue a DPC; 1 if queued, 0 if it already was, -1 on a bad pointer or
 * host memory exhaustion (the run is stopped). Never unwinds. */
static int dpc_queue(Nt *nt, GuestAddr dpc, uint32_t arg1, uint32_t arg2)
{
    NtKe *k = nt->ke;
    if (dpc_find(k, dpc) >= 0)
        return 0;
    GKDpc *d = vm_ptr(nt->vm, dpc, sizeof *d);
    if (!d) {
        vm_fault(nt->vm, VM_FAULT_API, "KDPC 0x%08x is not mapped (freed while still in use?)",
                 dpc);
        return -1;
    }
    if (k->ndpcs == k->capdpcs) {
        unsigned cap = k->capdpcs ? k->capdpcs * 2 : 16;
        GuestAddr *n = realloc(k->dpcs, cap * sizeof *n);
        if (!n) {
            vm_fault(nt->vm, VM_FAULT_HOST, "out of host memory queueing a DPC");
            return -1;
        }
        k->dpcs = n;
        k->capdpcs = cap;
    }
    d->SystemArgument1 = arg1;
    d->SystemArgument2 = arg2;
    /* DpcData is non-NULL while the DPC is queued (ReactOS dpc.c). */
    d->DpcData = nt->kpcr + offsetof(GKPcr, PrcbData);
    if (d->Importance == DPC_HIGH_IMPORTANCE) {
        memmove(k->dpcs + 1, k->dpcs, k->ndpcs * sizeof *k->dpcs);
        k->dpcs[0] = dpc;
    } else {
        k->dpcs[k->ndpcs] = dpc;
    }
    k->ndpcs++;
    return 1;
}

static void dpc_unlink(NtKe *k, unsigned i)
{
    memmove(k->dpcs + i, k->dpcs + i + 1, (k->ndpcs - i - 1) * sizeof *k->dpcs);
    k->ndpcs--;
}

/* Run queued DPCs at DISPATCH_LEVEL, if the IRQL allows. Never unwinds. */
static void ke_drain_dpcs(Nt *nt)
{
    NtKe *k = nt->ke;
    if (k->draining || !k->ndpcs || nt_irql(nt) >= DISPATCH_LEVEL || vm_stopped(nt->vm))
        return;
    k->draining = 1;
    uint8_t old = nt_irql(nt);
    unsigned count = 0;
    while (k->ndpcs && !vm_stopped(nt->vm)) {
        GuestAddr dpc = k->dpcs[0];
        dpc_unlink(k, 0);
        GKDpc *d = vm_ptr(nt->vm, dpc, sizeof *d);
        if (!d) {
            vm_fault(nt->vm, VM_FAULT_API, "queued KDPC 0x%08x is no longer mapped", dpc);
            break;
        }
        if (++count > KE_MAX_DPCS_PER_DRAIN) {
            vm_fault(nt->vm, VM_FAULT_RUNAWAY,
                     "more than %u DPCs ran back to back (DPC 0x%08x keeps requeueing work)",
                     KE_MAX_DPCS_PER_DRAIN, dpc);
            break;
        }
        uint32_t args[4] = {dpc, d->DeferredContext, d->SystemArgument1, d->SystemArgument2};
        GuestAddr routine = d->DeferredRoutine;
        d->DpcData = 0;
        unsigned locks_before = k->nlocks;
        nt_set_irql(nt, DISPATCH_LEVEL);
        k->in_dpc = 1;
        uint32_t ret;
        int rc = vm_call(nt->vm, routine, VM_STDCALL, args, 4, "DeferredRoutine", &ret);
        k->in_dpc = 0;
        if (rc < 0)
            break;
        if (nt_irql(nt) != DISPATCH_LEVEL) {
            vm_fault(nt->vm, VM_FAULT_IRQL,
                     "DPC routine 0x%08x (KDPC 0x%08x) returned at IRQL %u, "
                     "not DISPATCH_LEVEL",
                     routine, dpc, nt_irql(nt));
            break;
        }
        if (k->nlocks > locks_before) {
            vm_fault(nt->vm, VM_FAULT_DEADLOCK,
                     "DPC routine 0x%08x returned holding spin lock 0x%08x", routine,
                     k->locks[k->nlocks - 1].lock);
            break;
        }
        nt_set_irql(nt, old);
    }
    if (!vm_stopped(nt->vm))
        nt_set_irql(nt, old);
    k->draining = 0;
}

/* Expire every timer due at `now`: signal it, requeue a periodic one, queue
 * its DPC with the system time as arguments (ReactOS timerobj.c). */
static void ke_expire_timers(Nt *nt, uint64_t now)
{
    NtKe *k = nt->ke;
    while (k->next_due <= now && !vm_stopped(nt->vm)) {
        unsigned best = 0;
        for (unsigned i = 1; i < k->ntimers; i++)
            if (k->timers[i].due_ns < k->timers[best].due_ns)
                best = i;
        KeTimer t = k->timers[best];
        GKTimer *g = vm_ptr(nt->vm, t.timer, sizeof *g);
        if (!g) {
            vm_fault(nt->vm, VM_FAULT_API, "KTIMER 0x%08x expired but is no longer mapped",
                     t.timer);
            timer_remove(k, best);
            return;
        }
        g->Header.SignalState = 1;
        if (t.period_ms) {
            k->timers[best].due_ns = now + t.period_ms * 1000000ull;
            g->DueTime = k->timers[best].due_ns / 100;
            timers_recompute(k);
        } else {
            g->Header.Inserted = 0;
            timer_remove(k, best);
        }
        if (t.dpc) {
            uint64_t st = KE_EPOCH_1601 + now / 100;
            if (dpc_queue(nt, t.dpc, (uint32_t)st, (uint32_t)(st >> 32)) < 0)
                return;
        }
    }
}

static uint64_t sources_next(NtKe *k)
{
    uint64_t next = UINT64_MAX;
    for (unsigned i = 0; i < k->nsources; i++) {
        uint64_t t = k->sources[i].next(k->sources[i].opaque);
        if (t < next)
            next = t;
    }
    return next;
}

static void ke_fire_sources(Nt *nt, uint64_t now)
{
    NtKe *k = nt->ke;
    for (unsigned i = 0; i < k->nsources && !vm_stopped(nt->vm); i++)
        if (k->sources[i].next(k->sources[i].opaque) <= now)
            k->sources[i].fire(k->sources[i].opaque, now);
}

/* Everything that happens when time moves: clock, timers, device events,
 * DPCs. Runs between guest slices, so it never unwinds (vm_fault only). */
static void ke_poll(Nt *nt, uint64_t now)
{
    NtKe *k = nt->ke;
    ke_update_clock(nt, now);
    if (k->next_due <= now)
        ke_expire_timers(nt, now);
    if (k->nsources)
        ke_fire_sources(nt, now);
    /* Also at a run-slice boundary, the guest interrupted at an arbitrary
     * instruction as by the clock interrupt: vm_call saves and restores
     * its registers around the nested DPC calls. */
    if (k->ndpcs)
        ke_drain_dpcs(nt);
}

static void ke_time_hook(void *opaque, uint64_t now)
{
    Nt *nt = opaque;
    if (!vm_stopped(nt->vm))
        ke_poll(nt, now);
}

static void ke_advance_to(Nt *nt, uint64_t t)
{
    uint64_t now = vm_time_ns(nt->vm);
    if (t > now)
        vm_advance_time(nt->vm, t - now); /* the hook polls */
    else
        ke_poll(nt, now);
    /* time a call into the driver stalls or waits counts against it: a
     * loop of KeStallExecutionProcessor is a hang too */
    vm_call_watchdog(nt->vm);
}

/* Earliest time at which a timer or event source does something. */
static uint64_t ke_next_event(NtKe *k)
{
    uint64_t s = k->nsources ? sources_next(k) : UINT64_MAX;
    return s < k->next_due ? s : k->next_due;
}

/* ------------------------------------------------------ passive work */

int nt_ke_queue_passive(Nt *nt, GuestAddr routine, const uint32_t *args, unsigned nargs,
                        const char *what, GuestAddr key, NtKePassiveDone done, void *opaque)
{
    NtKe *k = nt->ke;
    if (nargs > 4)
        return -1;
    if (key)
        for (unsigned i = 0; i < k->npassive; i++)
            if (k->passive[i].key == key)
                return -1;
    if (k->npassive == k->cappassive) {
        unsigned cap = k->cappassive ? k->cappassive * 2 : 16;
        KePassive *n = realloc(k->passive, cap * sizeof *n);
        if (!n)
            return -1;
        k->passive = n;
        k->cappassive = cap;
    }
    KePassive *p = &k->passive[k->npassive++];
    *p = (KePassive){.routine = routine,
                     .nargs = nargs,
                     .what = what,
                     .key = key,
                     .done = done,
                     .opaque = opaque};
    for (unsigned i = 0; i < nargs; i++)
        p->args[i] = args[i];
    return 0;
}

/* Run the oldest passive item as a worker thread would: at PASSIVE_LEVEL,
 * whatever the blocked thread's IRQL. Returns 1 if one ran. */
static int ke_run_passive_one(Nt *nt)
{
    NtKe *k = nt->ke;
    if (!k->npassive || k->passive_depth >= KE_MAX_PASSIVE_NESTING || vm_stopped(nt->vm))
        return 0;
    KePassive p = k->passive[0];
    memmove(k->passive, k->passive + 1, (k->npassive - 1) * sizeof *k->passive);
    k->npassive--;
    uint8_t old = nt_irql(nt);
    nt_set_irql(nt, PASSIVE_LEVEL);
    k->passive_depth++;
    uint32_t ret;
    int rc = vm_call(nt->vm, p.routine, VM_STDCALL, p.args, p.nargs, p.what, &ret);
    k->passive_depth--;
    if (rc < 0)
        return 1;
    if (nt_irql(nt) != PASSIVE_LEVEL) {
        vm_fault(nt->vm, VM_FAULT_IRQL, "%s 0x%08x returned at IRQL %u, not PASSIVE_LEVEL", p.what,
                 p.routine, nt_irql(nt));
        return 1;
    }
    nt_set_irql(nt, old);
    if (p.done)
        p.done(nt, p.opaque);
    return 1;
}

void nt_ke_run_pending(Nt *nt)
{
    NtKe *k = nt->ke;
    for (;;) {
        if (vm_stopped(nt->vm))
            return;
        ke_poll(nt, vm_time_ns(nt->vm));
        if (vm_stopped(nt->vm))
            return;
        if (nt_irql(nt) == PASSIVE_LEVEL && ke_run_passive_one(nt))
            continue;
        if (k->ndpcs && nt_irql(nt) < DISPATCH_LEVEL)
            continue;
        return;
    }
}

int nt_ke_idle(Nt *nt, uint64_t until_ns)
{
    nt_ke_run_pending(nt);
    if (vm_stopped(nt->vm))
        return 0;
    uint64_t next = ke_next_event(nt->ke);
    if (next <= until_ns) {
        ke_advance_to(nt, next);
        nt_ke_run_pending(nt);
        return 1;
    }
    ke_advance_to(nt, until_ns);
    nt_ke_run_pending(nt);
    return 0;
}

void nt_ke_stall(Nt *nt, uint64_t ns)
{
    /* Step through timer expiries on the way, so they fire in order. */
    uint64_t end = vm_time_ns(nt->vm) + ns;
    while (!vm_stopped(nt->vm)) {
        uint64_t next = ke_next_event(nt->ke);
        if (next >= end)
            break;
        ke_advance_to(nt, next);
    }
    if (!vm_stopped(nt->vm))
        ke_advance_to(nt, end);
}

int nt_ke_add_event_source(Nt *nt, const NtKeEventSource *src)
{
    NtKe *k = nt->ke;
    if (k->nsources == KE_MAX_SOURCES)
        return -1;
    k->sources[k->nsources++] = *src;
    return 0;
}

void nt_ke_remove_event_source(Nt *nt, void *opaque)
{
    NtKe *k = nt->ke;
    for (unsigned i = 0; i < k->nsources;)
        if (k->sources[i].opaque == opaque) {
            memmove(k->sources + i, k->sources + i + 1, (k->nsources - i - 1) * sizeof *k->sources);
            k->nsources--;
        } else {
            i++;
        }
}

int nt_ke_queue_dpc(Nt *nt, GuestAddr dpc, uint32_t arg1, uint32_t arg2)
{
    int r = dpc_queue(nt, dpc, arg1, arg2);
    if (r > 0 && nt_irql(nt) < DISPATCH_LEVEL)
        ke_drain_dpcs(nt);
    return vm_stopped(nt->vm) ? -1 : r;
}

int nt_ke_unqueue_dpc(Nt *nt, GuestAddr dpc)
{
    int i = dpc_find(nt->ke, dpc);
    if (i < 0)
        return 0;
    dpc_unlink(nt->ke, (unsigned)i);
    uint8_t *p = vm_ptr(nt->vm, dpc + offsetof(GKDpc, DpcData), 4);
    if (p)
        memset(p, 0, 4);
    return 1;
}

unsigned nt_ke_armed_timers(Nt *nt, GuestAddr *out, unsigned max)
{
    NtKe *k = nt->ke;
    for (unsigned i = 0; i < k->ntimers && i < max; i++)
        out[i] = k->timers[i].timer;
    return k->ntimers;
}

void nt_ke_run_dpcs(Nt *nt)
{
    ke_drain_dpcs(nt);
}

void nt_ke_check_free(Nt *nt, GuestAddr addr, uint32_t size)
{
    NtKe *k = nt->ke;
    for (unsigned i = 0; i < k->ntimers; i++)
        if (k->timers[i].timer - addr < size)
            vm_throw(nt->vm, VM_FAULT_API,
                     "%s: memory 0x%08x holds KTIMER 0x%08x, which is still set "
                     "(Windows would crash when it expires; call KeCancelTimer first)",
                     vm_current_api(nt->vm), addr, k->timers[i].timer);
    for (unsigned i = 0; i < k->ndpcs; i++)
        if (k->dpcs[i] - addr < size)
            vm_throw(nt->vm, VM_FAULT_API,
                     "%s: memory 0x%08x holds KDPC 0x%08x, which is still queued",
                     vm_current_api(nt->vm), addr, k->dpcs[i]);
}

/* ----------------------------------------------------------- IRQL, locks */

uint8_t nt_ke_raise_irql(Nt *nt, uint8_t irql)
{
    uint8_t cur = nt_irql(nt);
    if (irql < cur)
        vm_throw(nt->vm, VM_FAULT_IRQL,
                 "%s: raising IRQL to %u, below the current IRQL %u "
                 "(IRQL_NOT_GREATER_OR_EQUAL)",
                 vm_current_api(nt->vm), irql, cur);
    nt_set_irql(nt, irql);
    return cur;
}

void nt_ke_lower_irql(Nt *nt, uint8_t irql)
{
    NtKe *k = nt->ke;
    uint8_t cur = nt_irql(nt);
    if (irql > cur)
        vm_throw(nt->vm, VM_FAULT_IRQL,
                 "%s: lowering IRQL to %u, above the current IRQL %u "
                 "(IRQL_NOT_LESS_OR_EQUAL)",
                 vm_current_api(nt->vm), irql, cur);
    if (irql < DISPATCH_LEVEL && k->in_dpc)
        vm_throw(nt->vm, VM_FAULT_IRQL,
                 "%s: lowering IRQL to %u inside a DPC routine, which runs at "
                 "DISPATCH_LEVEL",
                 vm_current_api(nt->vm), irql);
    if (irql < DISPATCH_LEVEL && k->nlocks)
        vm_throw(nt->vm, VM_FAULT_IRQL, "%s: lowering IRQL to %u while spin lock 0x%08x is held",
                 vm_current_api(nt->vm), irql, k->locks[k->nlocks - 1].lock);
    nt_set_irql(nt, irql);
    if (irql < DISPATCH_LEVEL && k->ndpcs)
        ke_drain_dpcs(nt);
}

static int lock_find(NtKe *k, GuestAddr lock)
{
    for (unsigned i = 0; i < k->nlocks; i++)
        if (k->locks[i].lock == lock)
            return (int)i;
    return -1;
}

void nt_ke_spin_acquire(Nt *nt, GuestAddr lock)
{
    NtKe *k = nt->ke;
    uint32_t *p = vm_guest(nt->vm, lock, 4, "KSPIN_LOCK");
    char was[128] = "", now[96];
    GuestAddr here = caller_of(nt);
    int i = lock_find(k, lock);
    if (*p || i >= 0) {
        if (i >= 0) {
            char at[96];
            snprintf(was, sizeof was, " (acquired at %s)",
                     vm_format_addr(nt->vm, k->locks[i].where, at, sizeof at));
        }
        vm_throw(nt->vm, VM_FAULT_DEADLOCK,
                 "%s: spin lock 0x%08x is already held%s; acquiring it again "
                 "at %s spins forever on the single virtual CPU",
                 vm_current_api(nt->vm), lock, was, vm_format_addr(nt->vm, here, now, sizeof now));
    }
    *p = 1;
    if (k->nlocks < KE_MAX_LOCKS)
        k->locks[k->nlocks++] = (KeLock){lock, here};
}

void nt_ke_spin_release(Nt *nt, GuestAddr lock)
{
    NtKe *k = nt->ke;
    uint32_t *p = vm_guest(nt->vm, lock, 4, "KSPIN_LOCK");
    int i = lock_find(k, lock);
    if (!*p && i < 0)
        vm_throw(nt->vm, VM_FAULT_API, "%s: spin lock 0x%08x is not held", vm_current_api(nt->vm),
                 lock);
    *p = 0;
    if (i >= 0)
        k->locks[i] = k->locks[--k->nlocks];
}

/* ExInterlocked* take a spin lock for the duration of the call only (with
 * interrupts disabled); on one CPU that only fails if the lock is held. */
void nt_ke_spin_check_free(Nt *nt, GuestAddr lock)
{
    const uint32_t *p = vm_guest(nt->vm, lock, 4, "KSPIN_LOCK");
    if (*p)
        vm_throw(nt->vm, VM_FAULT_DEADLOCK,
                 "%s: spin lock 0x%08x is held; acquiring it spins forever on "
                 "the single virtual CPU",
                 vm_current_api(nt->vm), lock);
}

/* VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock); */
NTAPI(KeInitializeSpinLock)
{
    vm_wr32(nt->vm, a[0], 0);
    int i = lock_find(nt->ke, a[0]);
    if (i >= 0)
        vm_throw(nt->vm, VM_FAULT_API, "KeInitializeSpinLock: spin lock 0x%08x is held", a[0]);
    return 0;
}

static void need_dispatch(Nt *nt)
{
    if (nt_irql(nt) < DISPATCH_LEVEL)
        vm_throw(nt->vm, VM_FAULT_IRQL, "%s called at IRQL %u; it requires IRQL >= DISPATCH_LEVEL",
                 vm_current_api(nt->vm), nt_irql(nt));
}

/* VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock); */
NTAPI(KeAcquireSpinLockAtDpcLevel)
{
    need_dispatch(nt);
    nt_ke_spin_acquire(nt, a[0]);
    return 0;
}

/* VOID FASTCALL KefAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock); */
NTAPI(KefAcquireSpinLockAtDpcLevel)
{
    return nt_KeAcquireSpinLockAtDpcLevel(nt, a);
}

/* VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock); */
NTAPI(KeReleaseSpinLockFromDpcLevel)
{
    need_dispatch(nt);
    nt_ke_spin_release(nt, a[0]);
    return 0;
}

/* VOID FASTCALL KefReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock); */
NTAPI(KefReleaseSpinLockFromDpcLevel)
{
    return nt_KeReleaseSpinLockFromDpcLevel(nt, a);
}

/* BOOLEAN FASTCALL KeTryToAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock); */
NTAPI(KeTryToAcquireSpinLockAtDpcLevel)
{
    need_dispatch(nt);
    if (vm_rd32(nt->vm, a[0]) || lock_find(nt->ke, a[0]) >= 0)
        return 0;
    nt_ke_spin_acquire(nt, a[0]);
    return 1;
}

/* BOOLEAN FASTCALL KeTestSpinLock(PKSPIN_LOCK SpinLock); TRUE if free. */
NTAPI(KeTestSpinLock)
{
    return vm_rd32(nt->vm, a[0]) == 0;
}

/* VOID FASTCALL KeAcquireInStackQueuedSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock,
 *     PKLOCK_QUEUE_HANDLE LockHandle); */
NTAPI(KeAcquireInStackQueuedSpinLockAtDpcLevel)
{
    need_dispatch(nt);
    vm_guest(nt->vm, a[1], 12, "KLOCK_QUEUE_HANDLE");
    nt_ke_spin_acquire(nt, a[0]);
    vm_wr32(nt->vm, a[1], 0);
    vm_wr32(nt->vm, a[1] + 4, a[0]);
    return 0;
}

/* VOID FASTCALL KeReleaseInStackQueuedSpinLockFromDpcLevel(PKLOCK_QUEUE_HANDLE); */
NTAPI(KeReleaseInStackQueuedSpinLockFromDpcLevel)
{
    need_dispatch(nt);
    nt_ke_spin_release(nt, vm_rd32(nt->vm, a[0] + 4));
    return 0;
}

/* ------------------------------------------------- dispatcher objects */

static void init_header(Nt *nt, GuestAddr obj, uint8_t type, uint8_t size_bytes, int32_t state)
{
    GDispatcherHeader *h = vm_guest(nt->vm, obj, sizeof *h, "DISPATCHER_HEADER");
    h->Type = type;
    h->Absolute = 0;
    h->Size = (uint8_t)(size_bytes / 4);
    h->Inserted = 0;
    h->SignalState = state;
    h->WaitListHead.Flink = obj + offsetof(GDispatcherHeader, WaitListHead);
    h->WaitListHead.Blink = h->WaitListHead.Flink;
}

static const char *obj_kind(uint8_t type)
{
    switch (type) {
    case KOBJ_EVENT_NOTIFICATION:
    case KOBJ_EVENT_SYNCHRONIZATION:
        return "event";
    case KOBJ_MUTANT:
        return "mutex";
    case KOBJ_SEMAPHORE:
        return "semaphore";
    case KOBJ_TIMER_NOTIFICATION:
    case KOBJ_TIMER_SYNCHRONIZATION:
        return "timer";
    case KOBJ_THREAD:
        return "thread";
    case KOBJ_PROCESS:
        return "process";
    default:
        return "object";
    }
}

static GDispatcherHeader *get_object(Nt *nt, GuestAddr obj, uint8_t t1, uint8_t t2,
                                     const char *kind)
{
    GDispatcherHeader *h = vm_guest(nt->vm, obj, sizeof *h, kind);
    if (h->Type != t1 && h->Type != t2)
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: 0x%08x is not an initialized %s (DISPATCHER_HEADER.Type %u)",
                 vm_current_api(nt->vm), obj, kind, h->Type);
    return h;
}

/* VOID KeInitializeEvent(PRKEVENT Event, EVENT_TYPE Type, BOOLEAN State); */
NTAPI(KeInitializeEvent)
{
    if (a[1] > 1)
        vm_throw(nt->vm, VM_FAULT_API, "KeInitializeEvent: bad EVENT_TYPE %u", a[1]);
    init_header(nt, a[0], (uint8_t)a[1], sizeof(GKEvent), (a[2] & 0xff) ? 1 : 0);
    return 0;
}

/* LONG KeSetEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait);
 * No other thread can be waiting, so setting needs no wakeups; Wait=TRUE
 * only lets the caller wait next without a window, which one thread has. */
NTAPI(KeSetEvent)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    GDispatcherHeader *h =
        get_object(nt, a[0], KOBJ_EVENT_NOTIFICATION, KOBJ_EVENT_SYNCHRONIZATION, "event");
    int32_t prev = h->SignalState;
    h->SignalState = 1;
    return (uint32_t)prev;
}

/* LONG KeResetEvent(PRKEVENT Event); */
NTAPI(KeResetEvent)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    GDispatcherHeader *h =
        get_object(nt, a[0], KOBJ_EVENT_NOTIFICATION, KOBJ_EVENT_SYNCHRONIZATION, "event");
    int32_t prev = h->SignalState;
    h->SignalState = 0;
    return (uint32_t)prev;
}

/* VOID KeClearEvent(PRKEVENT Event); */
NTAPI(KeClearEvent)
{
    GDispatcherHeader *h =
        get_object(nt, a[0], KOBJ_EVENT_NOTIFICATION, KOBJ_EVENT_SYNCHRONIZATION, "event");
    h->SignalState = 0;
    return 0;
}

/* LONG KePulseEvent(PRKEVENT Event, KPRIORITY Increment, BOOLEAN Wait);
 * Sets then resets: with no waiter the net effect is a reset. */
NTAPI(KePulseEvent)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    GDispatcherHeader *h =
        get_object(nt, a[0], KOBJ_EVENT_NOTIFICATION, KOBJ_EVENT_SYNCHRONIZATION, "event");
    int32_t prev = h->SignalState;
    h->SignalState = 0;
    return (uint32_t)prev;
}

/* LONG KeReadStateEvent(PRKEVENT Event); */
NTAPI(KeReadStateEvent)
{
    return (uint32_t)get_object(nt, a[0], KOBJ_EVENT_NOTIFICATION, KOBJ_EVENT_SYNCHRONIZATION,
                                "event")
        ->SignalState;
}

/* VOID KeInitializeMutex(PRKMUTEX Mutex, ULONG Level); */
NTAPI(KeInitializeMutex)
{
    GKMutex *m = vm_guest(nt->vm, a[0], sizeof *m, "KMUTEX");
    init_header(nt, a[0], KOBJ_MUTANT, sizeof(GKMutex), 1);
    m->MutantListEntry.Flink = m->MutantListEntry.Blink = 0;
    m->OwnerThread = 0;
    m->Abandoned = 0;
    m->ApcDisable = 1;
    return 0;
}

/* LONG KeReleaseMutex(PRKMUTEX Mutex, BOOLEAN Wait); */
NTAPI(KeReleaseMutex)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    get_object(nt, a[0], KOBJ_MUTANT, KOBJ_MUTANT, "mutex");
    GKMutex *m = vm_guest(nt->vm, a[0], sizeof *m, "KMUTEX");
    if (m->OwnerThread != nt->current_thread || m->Header.SignalState > 0)
        vm_throw(nt->vm, VM_FAULT_API,
                 "KeReleaseMutex: mutex 0x%08x is not owned by the current thread "
                 "(Windows raises STATUS_MUTANT_NOT_OWNED)",
                 a[0]);
    int32_t prev = m->Header.SignalState;
    if (++m->Header.SignalState == 1)
        m->OwnerThread = 0;
    return (uint32_t)prev;
}

/* LONG KeReadStateMutex(PRKMUTEX Mutex); */
NTAPI(KeReadStateMutex)
{
    return (uint32_t)get_object(nt, a[0], KOBJ_MUTANT, KOBJ_MUTANT, "mutex")->SignalState;
}

/* VOID KeInitializeSemaphore(PRKSEMAPHORE Semaphore, LONG Count, LONG Limit); */
NTAPI(KeInitializeSemaphore)
{
    int32_t count = (int32_t)a[1], limit = (int32_t)a[2];
    if (count < 0 || limit <= 0 || count > limit)
        vm_throw(nt->vm, VM_FAULT_API, "KeInitializeSemaphore: bad Count %d / Limit %d", count,
                 limit);
    init_header(nt, a[0], KOBJ_SEMAPHORE, sizeof(GKSemaphore), count);
    GKSemaphore *s = vm_guest(nt->vm, a[0], sizeof *s, "KSEMAPHORE");
    s->Limit = limit;
    return 0;
}

/* LONG KeReleaseSemaphore(PRKSEMAPHORE Semaphore, KPRIORITY Increment,
 *                         LONG Adjustment, BOOLEAN Wait); */
NTAPI(KeReleaseSemaphore)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    get_object(nt, a[0], KOBJ_SEMAPHORE, KOBJ_SEMAPHORE, "semaphore");
    GKSemaphore *s = vm_guest(nt->vm, a[0], sizeof *s, "KSEMAPHORE");
    int32_t prev = s->Header.SignalState, adj = (int32_t)a[2];
    int64_t next = (int64_t)prev + adj;
    if (adj < 0 || next > s->Limit)
        vm_throw(nt->vm, VM_FAULT_API,
                 "KeReleaseSemaphore: semaphore 0x%08x count %d + adjustment %d "
                 "exceeds its limit %d (Windows raises STATUS_SEMAPHORE_LIMIT_EXCEEDED)",
                 a[0], prev, adj, s->Limit);
    s->Header.SignalState = (int32_t)next;
    return (uint32_t)prev;
}

/* LONG KeReadStateSemaphore(PRKSEMAPHORE Semaphore); */
NTAPI(KeReadStateSemaphore)
{
    return (uint32_t)get_object(nt, a[0], KOBJ_SEMAPHORE, KOBJ_SEMAPHORE, "semaphore")->SignalState;
}

/* ---------------------------------------------------------- timers, DPCs */

/* VOID KeInitializeTimerEx(PKTIMER Timer, TIMER_TYPE Type); */
NTAPI(KeInitializeTimerEx)
{
    if (a[1] > 1)
        vm_throw(nt->vm, VM_FAULT_API, "KeInitializeTimerEx: bad TIMER_TYPE %u", a[1]);
    if (timer_find(nt->ke, a[0]) >= 0)
        vm_throw(nt->vm, VM_FAULT_API, "%s: timer 0x%08x is still set", vm_current_api(nt->vm),
                 a[0]);
    GKTimer *t = vm_guest(nt->vm, a[0], sizeof *t, "KTIMER");
    init_header(nt, a[0], (uint8_t)(KOBJ_TIMER_NOTIFICATION + a[1]), sizeof(GKTimer), 0);
    t->DueTime = 0;
    t->TimerListEntry.Flink = t->TimerListEntry.Blink = 0;
    t->Dpc = 0;
    t->Period = 0;
    return 0;
}

/* VOID KeInitializeTimer(PKTIMER Timer); a notification timer. */
NTAPI(KeInitializeTimer)
{
    uint32_t args[2] = {a[0], 0};
    return nt_KeInitializeTimerEx(nt, args);
}

/* Absolute virtual time for a LARGE_INTEGER due time: negative = relative
 * in 100 ns units, positive = absolute system time (MSDN KeSetTimer). */
static uint64_t due_to_vtime(Nt *nt, int64_t due)
{
    uint64_t now = vm_time_ns(nt->vm);
    uint64_t delta;
    if (due < 0) {
        uint64_t units = due == INT64_MIN ? (uint64_t)INT64_MAX : (uint64_t)-due;
        delta = units > UINT64_MAX / 200 ? UINT64_MAX / 2 : units * 100;
    } else {
        uint64_t st = nt_ke_system_time(nt);
        uint64_t units = (uint64_t)due > st ? (uint64_t)due - st : 0;
        delta = units > UINT64_MAX / 200 ? UINT64_MAX / 2 : units * 100;
    }
    return now + delta;
}

/* BOOLEAN KeSetTimerEx(PKTIMER Timer, LARGE_INTEGER DueTime, LONG Period,
 *                      PKDPC Dpc); TRUE if the timer was already set. */
NTAPI(KeSetTimerEx)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NtKe *k = nt->ke;
    GuestAddr timer = a[0];
    int64_t due = (int64_t)((uint64_t)a[2] << 32 | a[1]);
    int32_t period = (int32_t)a[3];
    GuestAddr dpc = a[4];
    get_object(nt, timer, KOBJ_TIMER_NOTIFICATION, KOBJ_TIMER_SYNCHRONIZATION, "timer");
    if (period < 0)
        vm_throw(nt->vm, VM_FAULT_API, "KeSetTimerEx: negative Period %d", period);
    if (dpc)
        get_object(nt, dpc, KOBJ_DPC, KOBJ_DPC, "KDPC");
    int i = timer_find(k, timer);
    if (i >= 0)
        timer_remove(k, (unsigned)i);
    KeTimer t = {
        .timer = timer, .due_ns = due_to_vtime(nt, due), .period_ms = (uint32_t)period, .dpc = dpc};
    GKTimer *g = vm_guest(nt->vm, timer, sizeof *g, "KTIMER");
    g->Header.SignalState = 0;
    g->Header.Inserted = 1;
    g->DueTime = t.due_ns / 100;
    g->Period = period;
    g->Dpc = dpc;
    if (timer_add(k, &t) < 0)
        vm_throw(nt->vm, VM_FAULT_HOST, "out of host memory for timers");
    /* A due time already past expires at once (ReactOS timerobj.c). */
    if (t.due_ns <= vm_time_ns(nt->vm))
        ke_poll(nt, vm_time_ns(nt->vm));
    return i >= 0;
}

/* BOOLEAN KeSetTimer(PKTIMER Timer, LARGE_INTEGER DueTime, PKDPC Dpc); */
NTAPI(KeSetTimer)
{
    uint32_t args[5] = {a[0], a[1], a[2], 0, a[3]};
    return nt_KeSetTimerEx(nt, args);
}

/* BOOLEAN KeCancelTimer(PKTIMER Timer); TRUE if it was set. */
NTAPI(KeCancelTimer)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    get_object(nt, a[0], KOBJ_TIMER_NOTIFICATION, KOBJ_TIMER_SYNCHRONIZATION, "timer");
    int i = timer_find(nt->ke, a[0]);
    if (i < 0)
        return 0;
    timer_remove(nt->ke, (unsigned)i);
    GKTimer *g = vm_guest(nt->vm, a[0], sizeof *g, "KTIMER");
    g->Header.Inserted = 0;
    return 1;
}

/* BOOLEAN KeReadStateTimer(PKTIMER Timer); */
NTAPI(KeReadStateTimer)
{
    return get_object(nt, a[0], KOBJ_TIMER_NOTIFICATION, KOBJ_TIMER_SYNCHRONIZATION, "timer")
               ->SignalState != 0;
}

/* VOID KeInitializeDpc(PRKDPC Dpc, PKDEFERRED_ROUTINE DeferredRoutine,
 *                      PVOID DeferredContext); */
NTAPI(KeInitializeDpc)
{
    if (dpc_find(nt->ke, a[0]) >= 0)
        vm_throw(nt->vm, VM_FAULT_API, "KeInitializeDpc: DPC 0x%08x is queued", a[0]);
    GKDpc *d = vm_guest(nt->vm, a[0], sizeof *d, "KDPC");
    memset(d, 0, sizeof *d);
    d->Type = KOBJ_DPC;
    d->Importance = DPC_MEDIUM_IMPORTANCE;
    d->DeferredRoutine = a[1];
    d->DeferredContext = a[2];
    return 0;
}

/* BOOLEAN KeInsertQueueDpc(PRKDPC Dpc, PVOID SystemArgument1,
 *                          PVOID SystemArgument2); FALSE if already queued.
 * Below DISPATCH_LEVEL the DPC interrupt is taken at once. */
NTAPI(KeInsertQueueDpc)
{
    get_object(nt, a[0], KOBJ_DPC, KOBJ_DPC, "KDPC");
    int r = dpc_queue(nt, a[0], a[1], a[2]);
    if (r < 0)
        return 0;
    if (r && nt_irql(nt) < DISPATCH_LEVEL)
        ke_drain_dpcs(nt);
    return (uint64_t)r;
}

/* BOOLEAN KeRemoveQueueDpc(PRKDPC Dpc); TRUE if it was queued. */
NTAPI(KeRemoveQueueDpc)
{
    int i = dpc_find(nt->ke, a[0]);
    if (i < 0)
        return 0;
    dpc_unlink(nt->ke, (unsigned)i);
    vm_wr32(nt->vm, a[0] + offsetof(GKDpc, DpcData), 0);
    return 1;
}

/* VOID KeSetImportanceDpc(PRKDPC Dpc, KDPC_IMPORTANCE Importance); */
NTAPI(KeSetImportanceDpc)
{
    if (a[1] > 3)
        vm_throw(nt->vm, VM_FAULT_API, "KeSetImportanceDpc: bad importance %u", a[1]);
    vm_wr8(nt->vm, a[0] + offsetof(GKDpc, Importance), (uint8_t)a[1]);
    return 0;
}

/* VOID KeSetTargetProcessorDpc(PRKDPC Dpc, CCHAR Number); */
NTAPI(KeSetTargetProcessorDpc)
{
    if ((a[1] & 0xff) != 0)
        vm_throw(nt->vm, VM_FAULT_API,
                 "KeSetTargetProcessorDpc: processor %u does not exist (one CPU)", a[1] & 0xff);
    vm_wr16(nt->vm, a[0] + offsetof(GKDpc, Number), 32); /* MAXIMUM_PROCESSORS + Number */
    return 0;
}

/* VOID KeFlushQueuedDpcs(VOID); */
NTAPI(KeFlushQueuedDpcs)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    ke_drain_dpcs(nt);
    return 0;
}

/* BOOLEAN KeIsExecutingDpc(VOID); */
NTAPI(KeIsExecutingDpc)
{
    return nt->ke->in_dpc;
}

/* ----------------------------------------------------------------- waits */

static int obj_signaled(Nt *nt, GuestAddr obj)
{
    GDispatcherHeader *h = vm_guest(nt->vm, obj, sizeof *h, "dispatcher object");
    if (h->Type == KOBJ_MUTANT) {
        GKMutex *m = vm_guest(nt->vm, obj, sizeof *m, "KMUTEX");
        return m->Header.SignalState > 0 || m->OwnerThread == nt->current_thread;
    }
    return h->SignalState > 0;
}

/* The side effects of a satisfied wait (ReactOS ke_x.h KiSatisfyObjectWait). */
static void obj_consume(Nt *nt, GuestAddr obj)
{
    GDispatcherHeader *h = vm_guest(nt->vm, obj, sizeof *h, "dispatcher object");
    switch (h->Type) {
    case KOBJ_EVENT_SYNCHRONIZATION:
    case KOBJ_TIMER_SYNCHRONIZATION:
        h->SignalState = 0;
        break;
    case KOBJ_SEMAPHORE:
        h->SignalState--;
        break;
    case KOBJ_MUTANT: {
        GKMutex *m = vm_guest(nt->vm, obj, sizeof *m, "KMUTEX");
        if (m->Header.SignalState == INT32_MIN)
            vm_throw(nt->vm, VM_FAULT_API, "mutex 0x%08x acquired recursively 2^31 times", obj);
        m->Header.SignalState--;
        m->OwnerThread = nt->current_thread;
        break;
    }
    default:
        break;
    }
}

static void check_waitable(Nt *nt, GuestAddr obj)
{
    GDispatcherHeader *h = vm_guest(nt->vm, obj, sizeof *h, "dispatcher object");
    switch (h->Type) {
    case KOBJ_EVENT_NOTIFICATION:
    case KOBJ_EVENT_SYNCHRONIZATION:
    case KOBJ_MUTANT:
    case KOBJ_SEMAPHORE:
    case KOBJ_TIMER_NOTIFICATION:
    case KOBJ_TIMER_SYNCHRONIZATION:
    case KOBJ_THREAD:
    case KOBJ_PROCESS:
        return;
    default:
        vm_throw(nt->vm, VM_FAULT_API, "%s: 0x%08x is not a dispatcher object (Type %u)",
                 vm_current_api(nt->vm), obj, h->Type);
    }
}

/* Can anything still happen that might signal the objects? A DPC (from a
 * timer), a device event, a waited timer, or passive work. */
static int ke_can_progress(NtKe *k, const GuestAddr *objs, unsigned n)
{
    if (k->npassive || k->ndpcs || k->nsources)
        return 1;
    for (unsigned i = 0; i < k->ntimers; i++) {
        if (k->timers[i].dpc)
            return 1;
        for (unsigned j = 0; j < n; j++)
            if (objs[j] == k->timers[i].timer)
                return 1;
    }
    return 0;
}

/* The wait: satisfied at once, or the one thread blocks and the machine
 * runs what else there is (passive work, then time to the next timer or
 * device event) until the wait is satisfied or times out. n == 0 is a
 * plain delay. */
static uint32_t ke_wait(Nt *nt, const GuestAddr *objs, unsigned n, int wait_all, GuestAddr ptimeout)
{
    NtKe *k = nt->ke;
    const char *api = vm_current_api(nt->vm);
    int infinite = !ptimeout, zero = 0;
    uint64_t deadline = UINT64_MAX;
    if (ptimeout) {
        int64_t t =
            (int64_t)((uint64_t)vm_rd32(nt->vm, ptimeout + 4) << 32 | vm_rd32(nt->vm, ptimeout));
        zero = t == 0;
        deadline = due_to_vtime(nt, t);
    }
    uint8_t irql = nt_irql(nt);
    if (zero ? irql > DISPATCH_LEVEL : irql > APC_LEVEL)
        vm_throw(nt->vm, VM_FAULT_IRQL,
                 "%s called at IRQL %u with %s timeout; it requires IRQL <= %s", api, irql,
                 zero       ? "a zero"
                 : infinite ? "no"
                            : "a nonzero",
                 zero ? "DISPATCH_LEVEL" : "APC_LEVEL");
    for (unsigned i = 0; i < n; i++)
        check_waitable(nt, objs[i]);
    if (!n && zero) {
        /* KeDelayExecutionThread(0) yields: ready worker threads run. */
        ke_run_passive_one(nt);
        return STATUS_SUCCESS;
    }
    unsigned steps = 0;
    uint64_t start = vm_time_ns(nt->vm);
    for (;;) {
        if (n && wait_all) {
            unsigned ok = 0;
            while (ok < n && obj_signaled(nt, objs[ok]))
                ok++;
            if (ok == n) {
                for (unsigned i = 0; i < n; i++)
                    obj_consume(nt, objs[i]);
                return STATUS_SUCCESS;
            }
        } else {
            for (unsigned i = 0; i < n; i++)
                if (obj_signaled(nt, objs[i])) {
                    obj_consume(nt, objs[i]);
                    return STATUS_SUCCESS + i; /* STATUS_WAIT_0 + i */
                }
        }
        if (zero)
            return STATUS_TIMEOUT;
        uint64_t now = vm_time_ns(nt->vm);
        if (!infinite && now >= deadline)
            return n ? STATUS_TIMEOUT : STATUS_SUCCESS;
        /* The thread blocks: worker threads run first. */
        if (ke_run_passive_one(nt)) {
            if (vm_stopped(nt->vm))
                return 0;
            continue;
        }
        uint64_t next = ke_next_event(k);
        if (infinite && !ke_can_progress(k, objs, n)) {
            char what[64] = "";
            if (n == 1) {
                GDispatcherHeader *h = vm_guest(nt->vm, objs[0], sizeof *h, "object");
                snprintf(what, sizeof what, " on %s 0x%08x", obj_kind(h->Type), objs[0]);
            } else {
                snprintf(what, sizeof what, " on %u objects", n);
            }
            vm_throw(nt->vm, VM_FAULT_DEADLOCK,
                     "%s%s can never be satisfied: nothing else runs on the single "
                     "virtual CPU (no timer, DPC, device event or work item pending)",
                     api, what);
        }
        uint64_t target = infinite || next < deadline ? next : deadline;
        if (target == UINT64_MAX)
            target = now; /* unreachable: can_progress implies an event */
        ke_advance_to(nt, target);
        if (vm_stopped(nt->vm))
            return 0;
        if (++steps > KE_MAX_WAIT_STEPS)
            vm_throw(nt->vm, VM_FAULT_DEADLOCK,
                     "%s: nothing signalled the wait after %u timer expiries "
                     "(%.3f s of virtual time)",
                     api, KE_MAX_WAIT_STEPS, (double)(vm_time_ns(nt->vm) - start) / 1e9);
    }
}

/* NTSTATUS KeWaitForSingleObject(PVOID Object, KWAIT_REASON WaitReason,
 *     KPROCESSOR_MODE WaitMode, BOOLEAN Alertable, PLARGE_INTEGER Timeout); */
NTAPI(KeWaitForSingleObject)
{
    return ke_wait(nt, &a[0], 1, 0, a[4]);
}

/* NTSTATUS KeWaitForMutexObject(...); same as KeWaitForSingleObject. */
NTAPI(KeWaitForMutexObject)
{
    get_object(nt, a[0], KOBJ_MUTANT, KOBJ_MUTANT, "mutex");
    return ke_wait(nt, &a[0], 1, 0, a[4]);
}

/* NTSTATUS KeWaitForMultipleObjects(ULONG Count, PVOID Object[],
 *     WAIT_TYPE WaitType, KWAIT_REASON WaitReason, KPROCESSOR_MODE WaitMode,
 *     BOOLEAN Alertable, PLARGE_INTEGER Timeout, PKWAIT_BLOCK WaitBlockArray); */
NTAPI(KeWaitForMultipleObjects)
{
    uint32_t count = a[0];
    if (count == 0 || count > MAXIMUM_WAIT_OBJECTS)
        vm_throw(nt->vm, VM_FAULT_API,
                 "KeWaitForMultipleObjects: Count %u (must be 1..%u; "
                 "MAXIMUM_WAIT_OBJECTS_EXCEEDED)",
                 count, MAXIMUM_WAIT_OBJECTS);
    if (count > THREAD_WAIT_OBJECTS && !a[7])
        vm_throw(nt->vm, VM_FAULT_API,
                 "KeWaitForMultipleObjects: %u objects need a WaitBlockArray "
                 "(more than THREAD_WAIT_OBJECTS = %u)",
                 count, THREAD_WAIT_OBJECTS);
    if (a[2] > 1)
        vm_throw(nt->vm, VM_FAULT_API, "KeWaitForMultipleObjects: bad WAIT_TYPE %u", a[2]);
    if (a[7])
        vm_guest(nt->vm, a[7], count * 0x18u, "WaitBlockArray");
    const uint32_t *arr = vm_guest(nt->vm, a[1], count * 4, "Object[]");
    GuestAddr objs[MAXIMUM_WAIT_OBJECTS];
    memcpy(objs, arr, count * 4);
    return ke_wait(nt, objs, count, a[2] == 0 /* WaitAll */, a[6]);
}

/* NTSTATUS KeDelayExecutionThread(KPROCESSOR_MODE WaitMode, BOOLEAN
 *     Alertable, PLARGE_INTEGER Interval); */
NTAPI(KeDelayExecutionThread)
{
    vm_guest(nt->vm, a[2], 8, "Interval");
    return ke_wait(nt, NULL, 0, 0, a[2]);
}

/* ------------------------------------------------------------- threads */

/* PRKTHREAD KeGetCurrentThread(VOID); */
NTAPI(KeGetCurrentThread)
{
    return nt->current_thread;
}

/* VOID KeEnterCriticalRegion(VOID); disables normal kernel APCs (there
 * are none here; the nesting is checked). */
NTAPI(KeEnterCriticalRegion)
{
    nt_check_irql_max(nt, APC_LEVEL);
    nt->ke->critical_region++;
    return 0;
}

/* VOID KeLeaveCriticalRegion(VOID); */
NTAPI(KeLeaveCriticalRegion)
{
    nt_check_irql_max(nt, APC_LEVEL);
    if (nt->ke->critical_region <= 0)
        vm_throw(nt->vm, VM_FAULT_API,
                 "KeLeaveCriticalRegion without a matching KeEnterCriticalRegion");
    nt->ke->critical_region--;
    return 0;
}

/* BOOLEAN KeAreApcsDisabled(VOID); */
NTAPI(KeAreApcsDisabled)
{
    return nt->ke->critical_region > 0 || nt_irql(nt) >= APC_LEVEL;
}

/* KAFFINITY KeQueryActiveProcessors(VOID); */
NTAPI(KeQueryActiveProcessors)
{
    return 1;
}

/* ULONG KeQueryActiveProcessorCount(PKAFFINITY ActiveProcessors); */
NTAPI(KeQueryActiveProcessorCount)
{
    if (a[0])
        vm_wr32(nt->vm, a[0], 1);
    return 1;
}

/* ULONG KeQueryMaximumProcessorCount(VOID); */
NTAPI(KeQueryMaximumProcessorCount)
{
    return 1;
}

/* ------------------------------------------------------------------ time */

/* VOID KeQuerySystemTime(PLARGE_INTEGER CurrentTime); */
NTAPI(KeQuerySystemTime)
{
    uint64_t st = nt_ke_system_time(nt);
    uint32_t *p = vm_guest(nt->vm, a[0], 8, "CurrentTime");
    p[0] = (uint32_t)st;
    p[1] = (uint32_t)(st >> 32);
    return 0;
}

/* VOID KeQueryTickCount(PLARGE_INTEGER TickCount); */
NTAPI(KeQueryTickCount)
{
    uint64_t t = vm_time_ns(nt->vm) / KE_TICK_NS;
    uint32_t *p = vm_guest(nt->vm, a[0], 8, "TickCount");
    p[0] = (uint32_t)t;
    p[1] = (uint32_t)(t >> 32);
    return 0;
}

/* ULONG KeQueryTimeIncrement(VOID); 100 ns units per clock tick. */
NTAPI(KeQueryTimeIncrement)
{
    return KE_TIME_INCREMENT;
}

/* ULONGLONG KeQueryInterruptTime(VOID); 100 ns units since boot. */
NTAPI(KeQueryInterruptTime)
{
    return vm_time_ns(nt->vm) / 100;
}

/* --------------------------------------------------------- data exports */

void nt_ntoskrnl_data_init(Nt *nt, const char *name, GuestAddr addr)
{
    if (!strcmp(name, "KeTickCount")) {
        nt->ke->tick_count = addr;
        nt->ke->last_tick = UINT64_MAX;
        ke_update_clock(nt, vm_time_ns(nt->vm));
    } else if (!strcmp(name, "KeNumberProcessors")) {
        vm_wr8(nt->vm, addr, 1); /* CCHAR */
    } else if (!strcmp(name, "NlsMbCodePageTag") || !strcmp(name, "NlsMbOemCodePageTag")) {
        vm_wr8(nt->vm, addr, 0); /* BOOLEAN: single-byte code pages (1252, 437) */
    } else {
        vm_fault(nt->vm, VM_FAULT_UNIMPLEMENTED,
                 "ntoskrnl.exe data export %s has no initializer "
                 "(src/nt/ntoskrnl/ke.c nt_ntoskrnl_data_init)",
                 name);
    }
}

/* ------------------------------------------------------------ lifecycle */

int nt_ke_init(Nt *nt)
{
    NtKe *k = calloc(1, sizeof *k);
    if (!k)
        return -1;
    nt->ke = k;
    k->next_due = UINT64_MAX;
    k->last_tick = UINT64_MAX;
    uint8_t *usd = vm_ptr(nt->vm, VM_SHARED_DATA, 0x330);
    if (usd) {
        /* TickCountMultiplier: ms per tick in 8.24 fixed point (15.625 ms). */
        uint32_t mult = (uint32_t)(((uint64_t)KE_TIME_INCREMENT << 24) / 10000);
        memcpy(usd + USD_TICK_COUNT_MULTIPLIER, &mult, 4);
    }
    ke_update_clock(nt, vm_time_ns(nt->vm));
    vm_set_time_hook(nt->vm, ke_time_hook, nt);
    return 0;
}

void nt_ke_fini(Nt *nt)
{
    NtKe *k = nt->ke;
    if (!k)
        return;
    vm_set_time_hook(nt->vm, NULL, NULL);
    free(k->timers);
    free(k->dpcs);
    free(k->passive);
    free(k);
    nt->ke = NULL;
}
