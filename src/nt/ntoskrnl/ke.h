/* The core kernel's host-side interface (ke.c): IRQL transitions that run
 * DPCs, deferred work at PASSIVE_LEVEL, and virtual-time idling.
 *
 * Model: one virtual CPU, one thread. Virtual time (vm_time_ns) drives
 * KeTickCount, KUSER_SHARED_DATA, KTIMER expiry and timer DPCs. ke.c owns
 * the Vm time hook; other host code that needs to act at a virtual time
 * (device models) registers an event source instead (nt_ke_add_event_source).
 *
 * When deferred work runs:
 *  - DPCs run whenever the IRQL is below DISPATCH_LEVEL at a safe point:
 *    when queued (KeInsertQueueDpc at < DISPATCH_LEVEL), when the IRQL drops
 *    below DISPATCH_LEVEL (KfLowerIrql, KfReleaseSpinLock, ...), at API calls
 *    once time has moved (the time hook), inside waits and stalls, in
 *    nt_ke_run_pending, and at run-slice boundaries (a busy loop without API
 *    calls is interrupted as by the clock interrupt).
 *  - Passive work (ExQueueWorkItem, nt_ke_queue_passive) runs at PASSIVE_LEVEL
 *    when the only thread would block (a wait that is not satisfied, a
 *    KeDelayExecutionThread) and when the host calls nt_ke_run_pending or
 *    nt_ke_idle at top level. It never preempts running driver code. */
#ifndef XDRV_NT_KE_H
#define XDRV_NT_KE_H

#include <stdint.h>

#include "nt/nt.h"

#define SYNCH_LEVEL 27 /* x86 MP: IPI_LEVEL - 2 (ddk/wdm.h) */

/* Lower the IRQL to `irql` (must be <= current; else VM_FAULT_IRQL), then run
 * queued DPCs if it is now below DISPATCH_LEVEL. Handler context only. */
void nt_ke_lower_irql(Nt *nt, uint8_t irql);
/* Raise to `irql` (must be >= current) and return the previous IRQL. */
uint8_t nt_ke_raise_irql(Nt *nt, uint8_t irql);

/* Spin locks (KSPIN_LOCK at `lock`), shared by ke.c and hal_ke.c: acquiring a
 * held lock on the one CPU is a deadlock (VM_FAULT_DEADLOCK); releasing a
 * free one is VM_FAULT_API. */
void nt_ke_spin_acquire(Nt *nt, GuestAddr lock);
void nt_ke_spin_release(Nt *nt, GuestAddr lock);
/* For the ExInterlocked* routines, which hold a lock only inside the call:
 * stops the run (deadlock) if the lock is held. */
void nt_ke_spin_check_free(Nt *nt, GuestAddr lock);

/* Busy-wait `ns` of virtual time (KeStallExecutionProcessor): timers and
 * device events on the way fire in order; their DPCs run only if the IRQL
 * is below DISPATCH_LEVEL. */
void nt_ke_stall(Nt *nt, uint64_t ns);

/* Fire expired timers and event sources, run queued DPCs (if IRQL <
 * DISPATCH_LEVEL) and queued passive work (if IRQL == PASSIVE_LEVEL) until
 * nothing is left. For host code at top level (after DriverEntry, between
 * requests). */
void nt_ke_run_pending(Nt *nt);
/* Advance virtual time to the next timer expiry or event-source time, but
 * not past `until_ns` (absolute vm_time_ns), and run what that makes due.
 * Returns 1 if something was due at or before until_ns (and ran), else 0,
 * after moving time to until_ns. `while (nt_ke_idle(nt, t)) ;` idles to t. */
int nt_ke_idle(Nt *nt, uint64_t until_ns);

/* Queue guest `routine(args...)` (stdcall) to run at PASSIVE_LEVEL (see
 * above); `what` names it in the trace. `key` (e.g. the work item's guest
 * address, or 0) detects double queueing: returns -1 if an item with the
 * same nonzero key is still queued, else 0. `done`, if set, runs on the host
 * after the routine returned (e.g. to drop a reference). */
typedef void (*NtKePassiveDone)(Nt *nt, void *opaque);
int nt_ke_queue_passive(Nt *nt, GuestAddr routine, const uint32_t *args, unsigned nargs,
                        const char *what, GuestAddr key, NtKePassiveDone done, void *opaque);

/* A host event source (device model) that acts at virtual times: `next`
 * returns the absolute vm_time_ns of its next action (UINT64_MAX: none);
 * `fire` is called once time has reached it. Waits advance time to such
 * points and do not report a deadlock while one is pending. */
typedef struct NtKeEventSource {
    uint64_t (*next)(void *opaque);
    void (*fire)(void *opaque, uint64_t now_ns);
    void *opaque;
} NtKeEventSource;
int nt_ke_add_event_source(Nt *nt, const NtKeEventSource *src);
/* Remove the event source(s) registered with `opaque`. */
void nt_ke_remove_event_source(Nt *nt, void *opaque);

/* Host-side DPC queueing (an interrupt's DPC): queue the initialized KDPC at
 * `dpc` as KeInsertQueueDpc does (running it at once if the IRQL is below
 * DISPATCH_LEVEL); 1 if queued, 0 if it already was, -1 if the run stopped.
 * Never unwinds. */
int nt_ke_queue_dpc(Nt *nt, GuestAddr dpc, uint32_t arg1, uint32_t arg2);
/* Take a queued DPC off the queue (KeRemoveQueueDpc); 1 if it was queued.
 * Never unwinds. */
int nt_ke_unqueue_dpc(Nt *nt, GuestAddr dpc);
/* Run queued DPCs now if the IRQL is below DISPATCH_LEVEL (after host code
 * lowered the IRQL itself). Never unwinds. */
void nt_ke_run_dpcs(Nt *nt);
/* The KTIMERs set now (for leak reports): up to max addresses into out;
 * returns how many are set. */
unsigned nt_ke_armed_timers(Nt *nt, GuestAddr *out, unsigned max);

/* Called by ExFreePool (and other code releasing guest memory): stops the
 * run if [addr, addr+size) holds a KTIMER that is still set or a KDPC that
 * is still queued, which Windows would crash on later. Handler context. */
void nt_ke_check_free(Nt *nt, GuestAddr addr, uint32_t size);

/* Pool routines with ExAllocatePoolWithTag/ExFreePool's checks (IRQL,
 * pool type, double free, overrun, live timers), for Rtl string routines
 * that allocate or free (ex.c). Handler context. */
GuestAddr nt_ex_pool_alloc(Nt *nt, uint32_t pool_type, uint32_t size, uint32_t tag);
void nt_ex_pool_free(Nt *nt, GuestAddr p);

/* FAST_MUTEX (ex.c), shared with hal.dll's ExAcquireFastMutex: `raise`
 * selects the raising variants (to APC_LEVEL, restoring OldIrql). */
void nt_ex_fast_mutex_acquire(Nt *nt, GuestAddr fm, int raise);
void nt_ex_fast_mutex_release(Nt *nt, GuestAddr fm, int lower);

/* System time (100 ns units since 1601) for the current virtual time. */
uint64_t nt_ke_system_time(Nt *nt);

#endif
