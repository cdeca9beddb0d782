/* Miniport interrupts: NdisMRegisterInterrupt / NdisMDeregisterInterrupt,
 * NdisMSynchronizeWithInterrupt, and delivery of the device's line to the
 * driver. The rules, each with its conformance case in
 * tests/unit/test_ndis_adapter.c (drivers/ndistest_adapter), from the NDIS
 * 5.1 pages on learn.microsoft.com ("Handling an Interrupt", "DPC Handler",
 * W_ISR_HANDLER, W_HANDLE_INTERRUPT_HANDLER, W_DISABLE/ENABLE_INTERRUPT_HANDLER,
 * NdisMRegisterInterrupt) and the Windows 2000 DDK's MiniportISR page:
 *  R1 MiniportISR runs at DIRQL for every interrupt when the miniport asked
 *     for it (RequestIsr TRUE), when the line is shared (a shared line must
 *     ask each driver whether its device interrupted), when the miniport has
 *     no MiniportDisableInterrupt (nothing else can silence the device), and
 *     during MiniportInitialize and MiniportHalt whatever RequestIsr says.
 *  R2 Otherwise NDIS takes the interrupt itself: MiniportDisableInterrupt at
 *     DIRQL, then MiniportHandleInterrupt is queued (always).
 *  R3 MiniportHandleInterrupt is queued only when MiniportISR sets both
 *     InterruptRecognized and QueueMiniportHandleInterrupt; a FALSE
 *     InterruptRecognized makes QueueMiniportHandleInterrupt irrelevant.
 *  R4 MiniportHandleInterrupt runs in the interrupt's DPC at DISPATCH_LEVEL.
 *  R5 When MiniportHandleInterrupt returns, NDIS calls MiniportEnableInterrupt
 *     if the miniport registered one, whatever RequestIsr and SharedInterrupt
 *     were: a miniport whose ISR masks the chip relies on it to unmask.
 *     Without one, MiniportHandleInterrupt re-enables the chip itself.
 *  R6 MiniportDisableInterrupt and MiniportEnableInterrupt run at DIRQL (NDIS
 *     synchronizes them with the ISR).
 * The adapter's event source (adapter.c) asks ndis_interrupt_due whenever
 * time moves; the machine calls ndis_adapter_service at top level.
 *
 * DIRQL: the x86 PIC HAL maps IRQ n to IRQL PROFILE_LEVEL - n (27 - n, so
 * IRQ 11 runs at 16; IRQ 0 and 8 are the clock and profile sources), always
 * above DISPATCH_LEVEL for IRQ 1-15.
 *
 * While the interrupt's DPC is queued the line counts as masked: the
 * driver's ISR has claimed it and its DPC will service the device (the
 * single CPU would otherwise re-enter the ISR at every run-slice boundary
 * before the DPC can run). Storm guard: if the ISR has run
 * NDIS_STORM_LIMIT times in a row without the line ever being seen
 * deasserted (ISR and DPC make no progress on a level-triggered line), the
 * interrupt is disabled with a loud warning instead of spinning forever.
 *
 * Serialized miniports: the HandleInterrupt DPC runs at DISPATCH_LEVEL and
 * NDIS's own calls into a serialized miniport (send, requests, reset,
 * hang check, return packet) are made at DISPATCH_LEVEL by host code only
 * at safe points, so on the one CPU none of them overlaps HandleInterrupt. */
#include <string.h>

#include "nt/ndis/adapter.h"
#include "nt/ntoskrnl/ke.h"
#include "trace/trace.h"

#define NDIS_STORM_LIMIT 10000u
#define KOBJ_DPC 19
#define DPC_MEDIUM_IMPORTANCE 1

uint8_t ndis_irq_to_dirql(unsigned irq)
{
    if (irq >= 1 && irq <= 24)
        return (uint8_t)(PROFILE_LEVEL - irq);
    return PROFILE_LEVEL - 1;
}

int ndis_interrupt_due(NdisAdapter *s)
{
    if (!s->intr || s->irq_dead || s->in_isr || s->dpc_queued || !s->hw.irq_pending)
        return 0;
    if (!s->hw.irq_pending(s->hw.opaque)) {
        s->storm = 0;
        return 0;
    }
    return nt_irql(s->nt) < s->dirql;
}

/* Run `fn(args)` at DIRQL, restoring the IRQL after. Never unwinds. */
static int call_dirql(NdisAdapter *s, GuestAddr fn, const uint32_t *args, unsigned n,
                      const char *what, uint32_t *ret)
{
    Nt *nt = s->nt;
    uint8_t old = nt_irql(nt);
    nt_set_irql(nt, s->dirql);
    s->in_isr = 1;
    int rc = vm_call(nt->vm, fn, VM_STDCALL, args, n, what, ret);
    s->in_isr = 0;
    if (rc < 0)
        return -1;
    if (nt_irql(nt) != s->dirql) {
        vm_fault(nt->vm, VM_FAULT_IRQL, "%s returned at IRQL %u; it was called at DIRQL %u", what,
                 nt_irql(nt), s->dirql);
        return -1;
    }
    nt_set_irql(nt, old);
    return 0;
}

void ndis_interrupt_fire(NdisAdapter *s)
{
    Nt *nt = s->nt;
    NdisMiniportDriver *d = &nt->ndis->drv;
    GuestAddr intr = s->intr;
    int queue;
    s->st.interrupts++;
    if (++s->storm > NDIS_STORM_LIMIT) {
        s->irq_dead = 1;
        ndis_warn(
            s,
            "interrupt storm: IRQ %u stayed asserted through %u ISR/DPC rounds without the driver "
            "clearing it; the interrupt is disabled from now on",
            s->hw.irq, NDIS_STORM_LIMIT);
        return;
    }
    /* R1/R2: whose turn it is to take the interrupt */
    int use_isr = s->request_isr || s->shared || !d->DisableInterruptHandler ||
                  ((s->initializing || s->halting) && d->ISRHandler);
    if (trace_enabled()) {
        TraceEvent ev = {.kind = TRACE_INTERRUPT,
                         .vtime = vm_time_ns(nt->vm),
                         .depth = vm_depth(nt->vm),
                         .name = use_isr ? "MiniportISR" : "MiniportDisableInterrupt",
                         .addr = s->hw.irq,
                         .value = s->hw.irq};
        trace_emit(&ev);
    }
    if (use_isr) {
        uint32_t zero[2] = {0, 0};
        vm_write(nt->vm, s->scratch + SCR_ISR_RECOGNIZED, zero, sizeof zero);
        uint32_t args[3] = {s->scratch + SCR_ISR_RECOGNIZED, s->scratch + SCR_ISR_QUEUE,
                            s->context},
                 r;
        if (call_dirql(s, d->ISRHandler, args, 3, "MiniportISR", &r) < 0)
            return;
        uint8_t rec = 0, q = 0;
        vm_read(nt->vm, s->scratch + SCR_ISR_RECOGNIZED, &rec, 1);
        vm_read(nt->vm, s->scratch + SCR_ISR_QUEUE, &q, 1);
        /* R3; an unrecognized interrupt on a line held asserted is the storm
         * guard's business */
        queue = rec != 0 && q != 0;
    } else {
        uint32_t args[1] = {s->context}, r;
        if (call_dirql(s, d->DisableInterruptHandler, args, 1, "MiniportDisableInterrupt", &r) < 0)
            return;
        queue = 1;
    }
    if (!queue || s->intr != intr)
        return;
    s->dpc_queued = 1;
    if (nt_ke_queue_dpc(nt, intr + offsetof(GNdisMiniportInterrupt, InterruptDpc), 0, 0) < 0)
        return;
}

/* The interrupt's DeferredRoutine (a host thunk): VOID (PKDPC Dpc, PVOID
 * DeferredContext = the MiniportAdapterHandle, PVOID, PVOID). */
static uint64_t cb_InterruptDpc(Nt *nt, const uint32_t *a)
{
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[1]);
    NdisMiniportDriver *d = &nt->ndis->drv;
    s->dpc_queued = 0;
    if (!s->intr || s->halted)
        return 0;
    s->st.dpcs++;
    uint32_t args[1] = {s->context};
    if (ndis_call(s, DISPATCH_LEVEL, d->HandleInterruptHandler, args, 1, "MiniportHandleInterrupt",
                  NULL) < 0)
        return 0;
    /* R5: whatever RequestIsr and SharedInterrupt were */
    if (s->intr && d->EnableInterruptHandler) {
        uint32_t r;
        call_dirql(s, d->EnableInterruptHandler, args, 1, "MiniportEnableInterrupt", &r);
    }
    return 0;
}
static const NtExport cb_dpc = {"ndisMDpc", VM_STDCALL, 16, "pppp", cb_InterruptDpc, 0};

/* NDIS_STATUS NdisMRegisterInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt,
 *     NDIS_HANDLE MiniportAdapterHandle, UINT InterruptVector,
 *     UINT InterruptLevel, BOOLEAN RequestIsr, BOOLEAN SharedInterrupt,
 *     NDIS_INTERRUPT_MODE InterruptMode); */
NTAPI(NdisMRegisterInterrupt)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[1]);
    NdisMiniportDriver *d = &nt->ndis->drv;
    int request_isr = (a[4] & 0xff) != 0, shared = (a[5] & 0xff) != 0;
    if (s->intr)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMRegisterInterrupt: the adapter already has interrupt 0x%08x", s->intr);
    if (a[6] > 1)
        vm_throw(nt->vm, VM_FAULT_API, "NdisMRegisterInterrupt: bad InterruptMode %u", a[6]);
    if (!d->HandleInterruptHandler)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMRegisterInterrupt: the miniport registered no "
                 "HandleInterruptHandler");
    if ((request_isr || shared || !d->DisableInterruptHandler) && !d->ISRHandler)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMRegisterInterrupt: %s but the miniport registered no ISRHandler",
                 request_isr ? "RequestIsr" : shared ? "SharedInterrupt" : "no DisableInterruptHandler");
    if (!s->hw.irq || a[2] != s->hw.irq) {
        ndis_warn(
            s,
            "NdisMRegisterInterrupt: vector %u, level %u; the adapter's interrupt resource is %u",
            a[2], a[3], s->hw.irq);
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    if (!request_isr && shared)
        nt_fixme(nt, "SharedInterrupt without RequestIsr: calling MiniportISR anyway (a shared "
                     "line needs it)");
    GuestAddr thunk = nt_host_callback_thunk(nt, &cb_dpc);
    if (!thunk)
        vm_throw(nt->vm, VM_FAULT_HOST, "NdisMRegisterInterrupt: out of thunks");
    GNdisMiniportInterrupt *i = vm_guest(nt->vm, a[0], sizeof *i, "Interrupt");
    memset(i, 0, sizeof *i);
    i->InterruptObject = s->block;
    i->MiniportIsr = d->ISRHandler;
    i->MiniportDpc = d->HandleInterruptHandler;
    i->Miniport = s->block;
    i->SharedInterrupt = (uint8_t)shared;
    i->IsrRequested = (uint8_t)request_isr;
    i->InterruptDpc.Type = KOBJ_DPC;
    i->InterruptDpc.Importance = DPC_MEDIUM_IMPORTANCE;
    i->InterruptDpc.DeferredRoutine = thunk;
    i->InterruptDpc.DeferredContext = s->block;
    i->DpcsCompletedEvent.Header.Type = 0; /* NotificationEvent */
    i->DpcsCompletedEvent.Header.Size = sizeof(GKEvent) / 4;
    i->DpcsCompletedEvent.Header.SignalState = 1;
    s->intr = a[0];
    s->request_isr = request_isr;
    s->shared = shared;
    s->dirql = ndis_irq_to_dirql(s->hw.irq);
    s->irq_dead = 0;
    s->storm = 0;
    s->dpc_queued = 0;
    return NDIS_STATUS_SUCCESS;
}

static NdisAdapter *adapter_from_interrupt(Nt *nt, GuestAddr intr)
{
    NdisState *st = nt->ndis;
    for (unsigned i = 0; i < st->nadapters; i++)
        if (intr && st->adapters[i]->intr == intr)
            return st->adapters[i];
    vm_throw(nt->vm, VM_FAULT_API, "%s: 0x%08x is not a registered NDIS_MINIPORT_INTERRUPT",
             vm_current_api(nt->vm), intr);
}

/* VOID NdisMDeregisterInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt); */
NTAPI(NdisMDeregisterInterrupt)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = adapter_from_interrupt(nt, a[0]);
    nt_ke_unqueue_dpc(nt, a[0] + (uint32_t)offsetof(GNdisMiniportInterrupt, InterruptDpc));
    s->intr = 0;
    s->dpc_queued = 0;
    return 0;
}

/* BOOLEAN NdisMSynchronizeWithInterrupt(PNDIS_MINIPORT_INTERRUPT Interrupt,
 *     PVOID SynchronizeFunction, PVOID SynchronizeContext);
 * SynchronizeFunction is BOOLEAN (NTAPI *)(PVOID), run at DIRQL. */
NTAPI(NdisMSynchronizeWithInterrupt)
{
    NdisAdapter *s = adapter_from_interrupt(nt, a[0]);
    if (!a[1])
        vm_throw(nt->vm, VM_FAULT_API, "NdisMSynchronizeWithInterrupt: NULL SynchronizeFunction");
    uint8_t old = nt_ke_raise_irql(nt, s->dirql);
    int was = s->in_isr;
    s->in_isr = 1;
    uint32_t args[1] = {a[2]}, r = 0;
    int rc = vm_call(nt->vm, a[1], VM_STDCALL, args, 1, "SynchronizeFunction", &r);
    s->in_isr = was;
    if (rc < 0)
        return 0;
    if (nt_irql(nt) != s->dirql)
        vm_throw(nt->vm, VM_FAULT_IRQL,
                 "NdisMSynchronizeWithInterrupt: SynchronizeFunction 0x%08x returned "
                 "at IRQL %u, not DIRQL %u",
                 a[1], nt_irql(nt), s->dirql);
    nt_ke_lower_irql(nt, old);
    return r & 0xff;
}

void ndis_interrupt_report(NdisAdapter *s)
{
    if (s->intr)
        ndis_warn(s,
                  "interrupt (IRQ %u, NDIS_MINIPORT_INTERRUPT 0x%08x) still registered "
                  "(NdisMDeregisterInterrupt not called)",
                  s->hw.irq, s->intr);
}

void ndis_interrupt_release(NdisAdapter *s)
{
    if (!s->intr)
        return;
    /* The driver's memory may be gone already; only unqueue our DPC. */
    if (s->dpc_queued) {
        GuestAddr dpc = s->intr + (uint32_t)offsetof(GNdisMiniportInterrupt, InterruptDpc);
        nt_ke_unqueue_dpc(s->nt, dpc);
    }
    s->intr = 0;
    s->dpc_queued = 0;
}
