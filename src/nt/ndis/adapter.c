/* The miniport host: one adapter instance of a registered NDIS 5.x miniport.
 * Plays the NDIS wrapper's part when Plug and Play starts the device
 * (MiniportInitialize with a medium array), the protocol's part afterwards
 * (the OIDs a binding sets, sends, received frames, status indications),
 * and NDIS's own housekeeping (serialized send queueing and retries,
 * MiniportReturnPacket, MiniportCheckForHang, MiniportReset, MiniportHalt
 * with a report of what the driver left behind).
 *
 * The NDIS_MINIPORT_BLOCK the driver receives as MiniportAdapterHandle is a
 * guest block whose handler fields (offsets in ndis_structs.h) hold host
 * thunks: ndis.h's NdisMSendComplete, NdisMIndicateReceivePacket,
 * NdisMEthIndicateReceive ... macros call through them. Most of those
 * handlers are also real ndis.sys exports (NdisMSendComplete@12 ...), so
 * one handler serves both.
 *
 * IRQLs (learn.microsoft.com, NDIS 5.1 MiniportXxx pages): Initialize and
 * Halt at PASSIVE_LEVEL; Send/SendPackets, QueryInformation,
 * SetInformation, Reset, CheckForHang, ReturnPacket, TransferData at
 * DISPATCH_LEVEL (for a serialized miniport NDIS holds its lock, so none of
 * them nests in another: the host keeps `busy` while inside one and defers
 * its own work to a safe point). Facts also from ReactOS drivers/network/ndis
 * (miniport.c) for behaviour the documentation leaves open. */
#include "nt/ndis/adapter.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "nt/ntoskrnl/ke.h"
#include "trace/trace.h"

#define NDIS_MEDIUM_802_3 0u
#define NDIS_MEDIUM_802_5 1u
#define NDIS_BLOCK_SIGNATURE 0x504d444eu       /* "NDMP" */
#define NDIS_REQUEST_TIMEOUT_NS 10000000000ull /* pending OID / reset: 10 virtual seconds */
#define NDIS_DEFAULT_HANG_SECS 2u
#define NDIS_MAX_FRAME 65535u
#define NDIS_RXBUF 65536u

#define NDIS_SEND_BATCH 16u

/* ------------------------------------------------------------- helpers */

/* NDIS_STATUS names (values from mingw-w64 ddk/ndis.h), for messages. */
static const struct {
    uint32_t status;
    const char *name;
} status_names[] = {
    {0x00000000u, "NDIS_STATUS_SUCCESS"},
    {0x00000103u, "NDIS_STATUS_PENDING"},
    {0x00010001u, "NDIS_STATUS_NOT_RECOGNIZED"},
    {0x00010002u, "NDIS_STATUS_NOT_COPIED"},
    {0x00010003u, "NDIS_STATUS_NOT_ACCEPTED"},
    {0x40010004u, "NDIS_STATUS_RESET_START"},
    {0x40010005u, "NDIS_STATUS_RESET_END"},
    {0x4001000Bu, "NDIS_STATUS_MEDIA_CONNECT"},
    {0x4001000Cu, "NDIS_STATUS_MEDIA_DISCONNECT"},
    {0x40010012u, "NDIS_STATUS_MEDIA_SPECIFIC_INDICATION"},
    {0x40010013u, "NDIS_STATUS_LINK_SPEED_CHANGE"},
    {0x80010001u, "NDIS_STATUS_NOT_RESETTABLE"},
    {0x80010003u, "NDIS_STATUS_SOFT_ERRORS"},
    {0x80010004u, "NDIS_STATUS_HARD_ERRORS"},
    {0xC0000001u, "NDIS_STATUS_FAILURE"},
    {0xC000009Au, "NDIS_STATUS_RESOURCES"},
    {0xC00000BBu, "NDIS_STATUS_NOT_SUPPORTED"},
    {0xC0010002u, "NDIS_STATUS_CLOSING"},
    {0xC0010004u, "NDIS_STATUS_BAD_VERSION"},
    {0xC0010005u, "NDIS_STATUS_BAD_CHARACTERISTICS"},
    {0xC0010006u, "NDIS_STATUS_ADAPTER_NOT_FOUND"},
    {0xC0010007u, "NDIS_STATUS_OPEN_FAILED"},
    {0xC0010008u, "NDIS_STATUS_DEVICE_FAILED"},
    {0xC0010009u, "NDIS_STATUS_MULTICAST_FULL"},
    {0xC001000Au, "NDIS_STATUS_MULTICAST_EXISTS"},
    {0xC001000Bu, "NDIS_STATUS_MULTICAST_NOT_FOUND"},
    {0xC001000Cu, "NDIS_STATUS_REQUEST_ABORTED"},
    {0xC001000Du, "NDIS_STATUS_RESET_IN_PROGRESS"},
    {0xC001000Fu, "NDIS_STATUS_INVALID_PACKET"},
    {0xC0010011u, "NDIS_STATUS_ADAPTER_NOT_READY"},
    {0xC0010014u, "NDIS_STATUS_INVALID_LENGTH"},
    {0xC0010015u, "NDIS_STATUS_INVALID_DATA"},
    {0xC0010016u, "NDIS_STATUS_BUFFER_TOO_SHORT"},
    {0xC0010017u, "NDIS_STATUS_INVALID_OID"},
    {0xC0010018u, "NDIS_STATUS_ADAPTER_REMOVED"},
    {0xC0010019u, "NDIS_STATUS_UNSUPPORTED_MEDIA"},
    {0xC001001Eu, "NDIS_STATUS_RESOURCE_CONFLICT"},
    {0xC001001Fu, "NDIS_STATUS_NO_CABLE"},
};

const char *ndis_status_name(uint32_t st)
{
    for (unsigned i = 0; i < sizeof status_names / sizeof status_names[0]; i++)
        if (status_names[i].status == st)
            return status_names[i].name;
    return (st >> 30) == 3 ? "error" : (st >> 30) == 2 ? "warning" : "informational";
}

void ndis_warn(NdisAdapter *s, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    nt_log(s->nt, "warning: ndis: %s: %s\n", s->service, buf);
}

static void put32(Nt *nt, GuestAddr a, uint32_t v)
{
    uint8_t *p = vm_ptr(nt->vm, a, 4);
    if (p)
        memcpy(p, &v, 4);
}

static uint32_t get32(Nt *nt, GuestAddr a)
{
    uint32_t v = 0;
    vm_read(nt->vm, a, &v, 4);
    return v;
}

int ndis_call(NdisAdapter *s, uint8_t irql, GuestAddr fn, const uint32_t *args, unsigned nargs,
              const char *what, uint32_t *ret)
{
    Nt *nt = s->nt;
    if (vm_stopped(nt->vm))
        return -1;
    uint8_t old = nt_irql(nt);
    if (irql < old) {
        vm_fault(nt->vm, VM_FAULT_IRQL, "ndis: %s must run at IRQL %u, but the current IRQL is %u",
                 what, irql, old);
        return -1;
    }
    nt_set_irql(nt, irql);
    s->busy++;
    uint32_t r = 0;
    int rc = vm_call(nt->vm, fn, VM_STDCALL, args, nargs, what, &r);
    s->busy--;
    if (rc < 0)
        return -1;
    if (nt_irql(nt) != irql) {
        vm_fault(nt->vm, VM_FAULT_IRQL, "%s returned at IRQL %u; NDIS called it at IRQL %u", what,
                 nt_irql(nt), irql);
        return -1;
    }
    nt_set_irql(nt, old);
    if (old < DISPATCH_LEVEL)
        nt_ke_run_dpcs(nt);
    if (ret)
        *ret = r;
    return vm_stopped(nt->vm) ? -1 : 0;
}

static uint8_t dispatch_or_current(Nt *nt)
{
    uint8_t irql = nt_irql(nt);
    return irql > DISPATCH_LEVEL ? irql : DISPATCH_LEVEL;
}

/* ------------------------------------------------------------- lookups */

NdisAdapter *ndis_adapter_from_handle(Nt *nt, GuestAddr handle)
{
    NdisState *st = nt->ndis;
    for (unsigned i = 0; i < st->nadapters; i++)
        if (st->adapters[i]->block == handle)
            return st->adapters[i];
    vm_throw(nt->vm, VM_FAULT_API,
             "%s: 0x%08x is not a MiniportAdapterHandle (NDIS_MINIPORT_BLOCK) "
             "NDIS gave the driver",
             vm_current_api(nt->vm), handle);
}

NdisAdapter *ndis_adapter_from_config_context(Nt *nt, GuestAddr ctx)
{
    NdisState *st = nt->ndis;
    for (unsigned i = 0; i < st->nadapters; i++)
        if (st->adapters[i]->config_ctx == ctx)
            return st->adapters[i];
    vm_throw(nt->vm, VM_FAULT_API,
             "%s: 0x%08x is not the WrapperConfigurationContext NDIS passed to "
             "MiniportInitialize",
             vm_current_api(nt->vm), ctx);
}

static NdisAdapter *adapter_from_filter(Nt *nt, GuestAddr db)
{
    NdisState *st = nt->ndis;
    for (unsigned i = 0; i < st->nadapters; i++)
        if (st->adapters[i]->eth_db == db)
            return st->adapters[i];
    vm_throw(nt->vm, VM_FAULT_API,
             "%s: 0x%08x is not an adapter's EthDB (the Filter argument of the "
             "Eth receive handlers is NDIS_MINIPORT_BLOCK.EthDB)",
             vm_current_api(nt->vm), db);
}

const char *ndis_adapter_service_name(NdisAdapter *a)
{
    return a->service;
}

/* ------------------------------------------------------------ tracking */

void ndis_adapter_track(NdisAdapter *a, const char *what, GuestAddr addr, uint32_t len)
{
    if (a->ntrack == a->captrack) {
        unsigned cap = a->captrack ? a->captrack * 2 : 16;
        NdisTrack *n = realloc(a->track, cap * sizeof *n);
        if (!n) {
            vm_fault(a->nt->vm, VM_FAULT_HOST, "out of host memory tracking %s", what);
            return;
        }
        a->track = n;
        a->captrack = cap;
    }
    a->track[a->ntrack++] = (NdisTrack){.what = what, .addr = addr, .len = len};
}

int ndis_adapter_untrack(NdisAdapter *a, GuestAddr addr)
{
    for (unsigned i = 0; i < a->ntrack; i++)
        if (a->track[i].addr == addr) {
            a->track[i] = a->track[--a->ntrack];
            return 0;
        }
    return -1;
}

/* ------------------------------------------------------ attributes etc */

/* VOID NdisMSetAttributesEx(NDIS_HANDLE MiniportAdapterHandle,
 *     NDIS_HANDLE MiniportAdapterContext, UINT CheckForHangTimeInSeconds,
 *     ULONG AttributeFlags, NDIS_INTERFACE_TYPE AdapterType); */
NTAPI(NdisMSetAttributesEx)
{
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    if (!s->initializing)
        vm_throw(nt->vm, VM_FAULT_API, "NdisMSetAttributesEx: only MiniportInitialize may call it");
    if (a[3] & NDIS_ATTRIBUTE_INTERMEDIATE_DRIVER)
        vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
                 "NdisMSetAttributesEx: NDIS_ATTRIBUTE_INTERMEDIATE_DRIVER: "
                 "intermediate drivers are not supported");
    s->context = a[1];
    s->hang_secs = a[2] ? a[2] : NDIS_DEFAULT_HANG_SECS;
    s->attr_flags = a[3];
    s->attributes_set = 1;
    vm_wr32(nt->vm, s->block + offsetof(GNdisMiniportBlock, MiniportAdapterContext), a[1]);
    return 0;
}

/* VOID NdisMSetAttributes(NDIS_HANDLE MiniportAdapterHandle,
 *     NDIS_HANDLE MiniportAdapterContext, BOOLEAN BusMaster,
 *     NDIS_INTERFACE_TYPE AdapterType); */
NTAPI(NdisMSetAttributes)
{
    uint32_t args[5] = {a[0], a[1], 0, (a[2] & 0xff) ? NDIS_ATTRIBUTE_BUS_MASTER : 0, a[3]};
    return nt_NdisMSetAttributesEx(nt, args);
}

/* VOID NdisMRegisterAdapterShutdownHandler(NDIS_HANDLE MiniportHandle,
 *     PVOID ShutdownContext, ADAPTER_SHUTDOWN_HANDLER ShutdownHandler); */
NTAPI(NdisMRegisterAdapterShutdownHandler)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    if (!a[2])
        vm_throw(nt->vm, VM_FAULT_API, "NdisMRegisterAdapterShutdownHandler: NULL ShutdownHandler");
    s->shutdown_handler = a[2];
    s->shutdown_ctx = a[1];
    return 0;
}

/* VOID NdisMDeregisterAdapterShutdownHandler(NDIS_HANDLE MiniportHandle); */
NTAPI(NdisMDeregisterAdapterShutdownHandler)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    if (!s->shutdown_handler)
        nt_fixme(nt, "no shutdown handler was registered");
    s->shutdown_handler = 0;
    s->shutdown_ctx = 0;
    return 0;
}

/* ----------------------------------------------------------- send path */

static void sq_push_back(NdisAdapter *s, GuestAddr p)
{
    s->sendq[(s->sq_head + s->sq_count++) % NDIS_ADAPTER_SENDQ] = p;
}

static void sq_push_front(NdisAdapter *s, GuestAddr p)
{
    if (s->sq_count == NDIS_ADAPTER_SENDQ) {
        /* refilled while the driver had it (a receive handler sending) */
        ndis_host_packet_free(s->nt, p);
        s->tx_dropped++;
        return;
    }
    s->sq_head = (s->sq_head + NDIS_ADAPTER_SENDQ - 1) % NDIS_ADAPTER_SENDQ;
    s->sendq[s->sq_head] = p;
    s->sq_count++;
}

static GuestAddr sq_pop(NdisAdapter *s)
{
    GuestAddr p = s->sendq[s->sq_head];
    s->sq_head = (s->sq_head + 1) % NDIS_ADAPTER_SENDQ;
    s->sq_count--;
    return p;
}

static int out_find(NdisAdapter *s, GuestAddr p)
{
    for (unsigned i = 0; i < s->nout; i++)
        if (s->out[i].packet == p)
            return (int)i;
    return -1;
}

static void packet_release(NdisAdapter *s, NdisOutPacket o)
{
    if (o.sglist)
        nt_pool_free(s->nt, o.sglist);
    ndis_host_packet_free(s->nt, o.packet);
}

/* A send finished: `status` from the driver (synchronously or through
 * NdisMSendComplete). */
static void send_done(NdisAdapter *s, unsigned i, uint32_t status)
{
    NdisOutPacket o = s->out[i];
    s->out[i] = s->out[--s->nout];
    if (status == NDIS_STATUS_SUCCESS)
        s->st.tx_frames++;
    else
        s->tx_failed++;
    packet_release(s, o);
}

static int serialized(NdisAdapter *s)
{
    return !(s->attr_flags & NDIS_ATTRIBUTE_DESERIALIZE);
}

/* After the driver saw packets: settle the ones whose status says they are
 * done; on NDIS_STATUS_RESOURCES requeue it and everything after it (the
 * NDIS 5.1 MiniportSendPackets page: a serialized miniport's RESOURCES
 * packets are requeued by NDIS and resubmitted once NdisMSendResourcesAvailable
 * or a send completion says there is room). */
static void send_settle(NdisAdapter *s, const GuestAddr *pk, const uint32_t *st, unsigned n)
{
    for (unsigned k = 0; k < n; k++) {
        int i = out_find(s, pk[k]);
        if (i < 0)
            continue; /* completed inside the call */
        if (st[k] == NDIS_STATUS_PENDING)
            continue;
        if (st[k] == NDIS_STATUS_RESOURCES) {
            if (!serialized(s))
                nt_fixme(s->nt, "deserialized miniport returned NDIS_STATUS_RESOURCES for a send; "
                                "requeueing as for a serialized one");
            for (unsigned j = n; j-- > k;) {
                int q = out_find(s, pk[j]);
                if (q < 0)
                    continue;
                GuestAddr sg = s->out[q].sglist;
                if (sg)
                    nt_pool_free(s->nt, sg);
                s->out[q] = s->out[--s->nout];
                sq_push_front(s, pk[j]);
            }
            s->send_blocked = 1;
            s->st.tx_resources++;
            return;
        }
        send_done(s, (unsigned)i, st[k]);
    }
}

/* Give the driver one batch of queued sends (up to OID_GEN_MAXIMUM_SEND_PACKETS
 * for SendPackets, one for Send). */
static unsigned send_batch(NdisAdapter *s)
{
    Nt *nt = s->nt;
    NdisMiniportDriver *d = &nt->ndis->drv;
    if (s->sq_count && !s->send_blocked && !vm_stopped(nt->vm) && !s->halted) {
        unsigned n = d->SendPacketsHandler ? s->max_send : 1;
        if (n > NDIS_SEND_BATCH)
            n = NDIS_SEND_BATCH;
        if (n > s->sq_count)
            n = s->sq_count;
        if (s->nout + n > NDIS_ADAPTER_MAX_OUT) {
            if (s->nout >= NDIS_ADAPTER_MAX_OUT)
                return 0; /* the driver holds everything: wait for completions */
            n = NDIS_ADAPTER_MAX_OUT - s->nout;
        }
        GuestAddr pk[NDIS_SEND_BATCH];
        uint32_t st[NDIS_SEND_BATCH];
        for (unsigned k = 0; k < n; k++) {
            pk[k] = sq_pop(s);
            GuestAddr sg = s->sg_dma ? ndis_dma_build_sg(s, pk[k]) : 0;
            if (vm_stopped(nt->vm))
                return 0;
            /* A serialized miniport sets each packet's status; one that
             * says nothing and completes later is PENDING. */
            ndis_packet_set_status(nt, pk[k], NDIS_STATUS_PENDING);
            s->out[s->nout++] = (NdisOutPacket){pk[k], sg};
            put32(nt, s->scratch + SCR_ARRAY + 4 * k, pk[k]);
        }
        if (d->SendPacketsHandler) {
            uint32_t args[3] = {s->context, s->scratch + SCR_ARRAY, n};
            if (ndis_call(s, DISPATCH_LEVEL, d->SendPacketsHandler, args, 3, "MiniportSendPackets",
                          NULL) < 0)
                return 0;
            for (unsigned k = 0; k < n; k++)
                st[k] = serialized(s) && out_find(s, pk[k]) >= 0 ? ndis_packet_status(nt, pk[k])
                                                                 : NDIS_STATUS_PENDING;
        } else {
            uint32_t args[3] = {s->context, pk[0], 0}, r;
            if (ndis_call(s, DISPATCH_LEVEL, d->SendHandler, args, 3, "MiniportSend", &r) < 0)
                return 0;
            st[0] = r;
        }
        send_settle(s, pk, st, n);
        return n;
    }
    return 0;
}

int ndis_adapter_queue_send(NdisAdapter *s, const uint8_t *frame, size_t len)
{
    return ndis_adapter_queue_send_frags(s, frame, len, 1, 0);
}

int ndis_adapter_queue_send_frags(NdisAdapter *s, const uint8_t *frame, size_t len,
                                  unsigned nfrags, int in_page)
{
    Nt *nt = s->nt;
    if (vm_stopped(nt->vm))
        return -1;
    if (s->halted || s->removed || len < 14 || len > 14 + (size_t)s->max_frame ||
        s->sq_count == NDIS_ADAPTER_SENDQ) {
        s->tx_dropped++;
        s->st.tx_resources++;
        return 1;
    }
    GuestAddr p = ndis_host_packet_alloc_frags(nt, frame, (uint32_t)len, nfrags, in_page);
    if (!p) {
        if (vm_stopped(nt->vm))
            return -1;
        s->tx_dropped++;
        s->st.tx_resources++;
        return 1;
    }
    sq_push_back(s, p);
    s->work_pending = 1;
    return 0;
}

void ndis_adapter_flush_sends(NdisAdapter *s)
{
    ndis_adapter_do_work(s);
}

int ndis_adapter_send(NdisAdapter *s, const uint8_t *frame, size_t len)
{
    int r = ndis_adapter_queue_send(s, frame, len);
    if (r == 0)
        ndis_adapter_do_work(s);
    return r < 0 || vm_stopped(s->nt->vm) ? -1 : r;
}

/* VOID NdisMSendComplete(NDIS_HANDLE MiniportAdapterHandle, PNDIS_PACKET Packet,
 *     NDIS_STATUS Status); */
NTAPI(NdisMSendComplete)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    int i = out_find(s, a[1]);
    for (unsigned k = 0; i < 0 && k < s->naborted; k++) {
        if (s->aborted[k].packet == a[1]) {
            ndis_warn(s,
                      "NdisMSendComplete: packet 0x%08x completed after the reset that aborted it",
                      a[1]);
            return 0;
        }
    }
    if (i < 0)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMSendComplete: packet 0x%08x is not a send the driver holds "
                 "(completed twice, or not from NDIS)",
                 a[1]);
    if (a[2] == NDIS_STATUS_PENDING)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMSendComplete: packet 0x%08x completed with NDIS_STATUS_PENDING", a[1]);
    send_done(s, (unsigned)i, a[2]);
    s->send_blocked = 0;
    if (s->sq_count)
        s->work_pending = 1;
    return 0;
}

/* VOID NdisMSendResourcesAvailable(NDIS_HANDLE MiniportAdapterHandle); */
NTAPI(NdisMSendResourcesAvailable)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    s->send_blocked = 0;
    if (s->sq_count)
        s->work_pending = 1;
    return 0;
}

/* -------------------------------------------------------- receive path */

static int filter_pass(NdisAdapter *s, const uint8_t *f, uint32_t len);

static void deliver(NdisAdapter *s, const uint8_t *frame, uint32_t len)
{
    if (!filter_pass(s, frame, len)) {
        s->rx_filtered++;
        return;
    }
    s->st.rx_frames++;
    if (s->ops.receive)
        s->ops.receive(s->ops.opaque, frame, len);
}

static uint8_t *rxbuf(void)
{
    static uint8_t buf[NDIS_RXBUF];
    return buf;
}

/* FILTER_PACKET_INDICATION_HANDLER PacketIndicateHandler: what
 * NdisMIndicateReceivePacket(MiniportAdapterHandle, ReceivePackets,
 * NumberOfPackets) calls. A packet whose status is NDIS_STATUS_RESOURCES is
 * the driver's again when the call returns; the others are marked PENDING
 * (the protocol keeps them) and go back through MiniportReturnPacket at the
 * next safe point (the NDIS 5.1 NdisMIndicateReceivePacket page). */
static uint64_t cb_PacketIndicate(Nt *nt, const uint32_t *a)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    NdisMiniportDriver *d = &nt->ndis->drv;
    if (a[2] > 1024)
        vm_throw(nt->vm, VM_FAULT_API, "NdisMIndicateReceivePacket: %u packets in one indication",
                 a[2]);
    const uint32_t *arr = vm_guest(nt->vm, a[1], 4 * a[2], "ReceivePackets array");
    for (uint32_t k = 0; k < a[2]; k++) {
        GuestAddr p = arr[k];
        for (unsigned j = 0; j < s->nreturns; j++)
            if (s->returns[j] == p)
                vm_throw(nt->vm, VM_FAULT_API,
                         "NdisMIndicateReceivePacket: packet 0x%08x indicated again "
                         "before MiniportReturnPacket gave it back",
                         p);
        uint32_t status = ndis_packet_status(nt, p);
        uint32_t n = ndis_packet_copy_out(nt, p, rxbuf(), NDIS_RXBUF);
        if (n)
            deliver(s, rxbuf(), n);
        else
            s->rx_dropped++;
        if (status == NDIS_STATUS_RESOURCES || !d->ReturnPacketHandler)
            continue;
        if (s->nreturns == NDIS_ADAPTER_MAX_OUT) {
            ndis_packet_set_status(nt, p, NDIS_STATUS_SUCCESS);
            nt_fixme(nt, "more than %u received packets owed to the driver; returning at once",
                     NDIS_ADAPTER_MAX_OUT);
            continue;
        }
        ndis_packet_set_status(nt, p, NDIS_STATUS_PENDING);
        s->returns[s->nreturns++] = p;
        s->work_pending = 1;
    }
    return 0;
}

static NdisTransfer *xfer_find(NdisAdapter *s, GuestAddr p)
{
    for (unsigned i = 0; i < s->nxfer; i++)
        if (s->xfer[i].packet == p)
            return &s->xfer[i];
    return NULL;
}

static void xfer_finish(NdisAdapter *s, NdisTransfer *x, uint32_t status, uint32_t bytes)
{
    Nt *nt = s->nt;
    if (status == NDIS_STATUS_SUCCESS) {
        uint32_t want = x->total - x->have;
        if (bytes > want)
            bytes = want;
        uint32_t got = ndis_packet_copy_out(nt, x->packet, x->frame + x->have, want);
        if (got > bytes)
            got = bytes;
        if (got < want)
            nt_fixme(nt, "MiniportTransferData transferred %u of %u bytes", got, want);
        deliver(s, x->frame, x->have + got);
    } else {
        s->rx_dropped++;
    }
    ndis_host_packet_free(nt, x->packet);
    free(x->frame);
    *x = s->xfer[--s->nxfer];
}

/* VOID EthFilterDprIndicateReceive(PETH_FILTER Filter, NDIS_HANDLE
 *     MacReceiveContext, PCHAR Address, PVOID HeaderBuffer, UINT
 *     HeaderBufferSize, PVOID LookaheadBuffer, UINT LookaheadBufferSize,
 *     UINT PacketSize); also the EthRxIndicateHandler that
 *     NdisMEthIndicateReceive calls (Address = HeaderBuffer). PacketSize
 *     counts the bytes after the header; what the lookahead lacks is fetched
 *     with MiniportTransferData, as a protocol would. */
NTAPI(EthFilterDprIndicateReceive)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisAdapter *s = adapter_from_filter(nt, a[0]);
    uint32_t hsize = a[4], lsize = a[6], psize = a[7];
    if (hsize < 14 || hsize > 64 || psize > NDIS_MAX_FRAME || lsize > NDIS_MAX_FRAME)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMEthIndicateReceive: implausible sizes (header %u, lookahead "
                 "%u, packet %u)",
                 hsize, lsize, psize);
    const uint8_t *hdr = vm_guest(nt->vm, a[3], hsize, "HeaderBuffer");
    uint32_t have = lsize < psize ? lsize : psize;
    const uint8_t *la = have ? vm_guest(nt->vm, a[5], have, "LookaheadBuffer") : NULL;
    uint32_t total = hsize + psize;
    uint8_t *frame = malloc(total ? total : 1);
    if (!frame)
        vm_throw(nt->vm, VM_FAULT_HOST, "out of host memory for a received frame");
    memcpy(frame, hdr, hsize);
    if (have)
        memcpy(frame + hsize, la, have);
    if (have == psize) {
        deliver(s, frame, total);
        free(frame);
        return 0;
    }
    NdisMiniportDriver *d = &nt->ndis->drv;
    if (!d->TransferDataHandler || s->nxfer == sizeof s->xfer / sizeof s->xfer[0]) {
        free(frame);
        s->rx_dropped++;
        nt_fixme(nt, "lookahead (%u bytes) shorter than the packet (%u) and %s", lsize, psize,
                 d->TransferDataHandler ? "too many transfers pending" : "no MiniportTransferData");
        return 0;
    }
    uint32_t rest = psize - have;
    uint8_t *zero = calloc(1, rest);
    GuestAddr p = zero ? ndis_host_packet_alloc(nt, zero, rest) : 0;
    free(zero);
    if (!p) {
        free(frame);
        s->rx_dropped++;
        return 0;
    }
    NdisTransfer *x = &s->xfer[s->nxfer++];
    *x = (NdisTransfer){.packet = p, .frame = frame, .have = hsize + have, .total = total};
    put32(nt, s->scratch + SCR_TRANSFERRED, 0);
    uint32_t args[6] = {p, s->scratch + SCR_TRANSFERRED, s->context, a[1], have, rest}, r;
    if (ndis_call(s, dispatch_or_current(nt), d->TransferDataHandler, args, 6,
                  "MiniportTransferData", &r) < 0)
        return 0;
    x = xfer_find(s, p);
    if (x && r != NDIS_STATUS_PENDING)
        xfer_finish(s, x, r, get32(nt, s->scratch + SCR_TRANSFERRED));
    return 0;
}

/* VOID EthFilterDprIndicateReceiveComplete(PETH_FILTER Filter); also the
 * EthRxCompleteHandler of NdisMEthIndicateReceiveComplete. */
NTAPI(EthFilterDprIndicateReceiveComplete)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    adapter_from_filter(nt, a[0]);
    return 0;
}

/* VOID NdisMTransferDataComplete(NDIS_HANDLE MiniportAdapterHandle,
 *     PNDIS_PACKET Packet, NDIS_STATUS Status, UINT BytesTransferred); */
NTAPI(NdisMTransferDataComplete)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    NdisTransfer *x = xfer_find(s, a[1]);
    if (!x)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMTransferDataComplete: packet 0x%08x has no pending "
                 "MiniportTransferData",
                 a[1]);
    xfer_finish(s, x, a[2], a[3]);
    return 0;
}

/* ------------------------------------------------------------- status */

/* VOID NdisMIndicateStatus(NDIS_HANDLE MiniportHandle, NDIS_STATUS
 *     GeneralStatus, PVOID StatusBuffer, UINT StatusBufferSize); */
NTAPI(NdisMIndicateStatus)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    if (a[3])
        vm_guest(nt->vm, a[2], a[3], "StatusBuffer");
    if (a[1] == NDIS_STATUS_MEDIA_CONNECT || a[1] == NDIS_STATUS_MEDIA_DISCONNECT) {
        int up = a[1] == NDIS_STATUS_MEDIA_CONNECT;
        s->link = up;
        if (s->ops.link)
            s->ops.link(s->ops.opaque, up);
    } else {
        nt_log(nt, "ndis: %s: status indication 0x%08x (%s), %u bytes\n", s->service, a[1],
               ndis_status_name(a[1]), a[3]);
    }
    return 0;
}

/* VOID NdisMIndicateStatusComplete(NDIS_HANDLE MiniportAdapterHandle); */
NTAPI(NdisMIndicateStatusComplete)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    ndis_adapter_from_handle(nt, a[0]);
    return 0;
}

/* ------------------------------------------------------------ requests */

static uint64_t request_complete(Nt *nt, const uint32_t *a, int set)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    if (s->req_pending != (set ? 2 : 1))
        vm_throw(nt->vm, VM_FAULT_API, "%s: no %s request is pending", vm_current_api(nt->vm),
                 set ? "set" : "query");
    if (a[1] == NDIS_STATUS_PENDING)
        vm_throw(nt->vm, VM_FAULT_API, "%s: completed with NDIS_STATUS_PENDING",
                 vm_current_api(nt->vm));
    s->req_pending = 0;
    s->req_status = a[1];
    if (s->rebind)
        s->work_pending = 1; /* the next setting of the round */
    if (s->req_async_buf) {
        nt_pool_free(nt, s->req_async_buf);
        s->req_async_buf = 0;
    }
    return 0;
}

/* VOID NdisMQueryInformationComplete(NDIS_HANDLE MiniportAdapterHandle,
 *     NDIS_STATUS Status); */
NTAPI(NdisMQueryInformationComplete)
{
    return request_complete(nt, a, 0);
}

/* VOID NdisMSetInformationComplete(NDIS_HANDLE MiniportAdapterHandle,
 *     NDIS_STATUS Status); */
NTAPI(NdisMSetInformationComplete)
{
    return request_complete(nt, a, 1);
}

/* Wait (top level) until *flag clears, running timers, DPCs and device
 * events on virtual time. */
static int wait_flag(NdisAdapter *s, int *flag, const char *what)
{
    Nt *nt = s->nt;
    uint64_t deadline = vm_time_ns(nt->vm) + NDIS_REQUEST_TIMEOUT_NS;
    while (*flag && !vm_stopped(nt->vm)) {
        if (vm_time_ns(nt->vm) >= deadline) {
            vm_fault(nt->vm, VM_FAULT_DEADLOCK,
                     "%s returned NDIS_STATUS_PENDING and did not complete "
                     "within %llu virtual seconds",
                     what, NDIS_REQUEST_TIMEOUT_NS / 1000000000ull);
            return -1;
        }
        nt_ke_idle(nt, deadline);
    }
    return vm_stopped(nt->vm) ? -1 : 0;
}

static int64_t request(NdisAdapter *s, int set, uint32_t oid, void *buf, uint32_t len,
                       uint32_t *done, uint32_t *needed, int wait)
{
    Nt *nt = s->nt;
    NdisMiniportDriver *d = &nt->ndis->drv;
    if (vm_stopped(nt->vm))
        return -1;
    if (s->req_pending || s->reset_pending || s->halted) {
        ndis_warn(s, "OID 0x%08x not sent: %s", oid,
                  s->halted ? "the adapter is halted" : "another request or a reset is pending");
        return NDIS_STATUS_FAILURE;
    }
    GuestAddr fn = set ? d->SetInformationHandler : d->QueryInformationHandler;
    if (!fn)
        return NDIS_STATUS_NOT_SUPPORTED;
    GuestAddr g = nt_pool_alloc(nt, len ? len : 4, 0x5349444eu);
    if (!g) {
        vm_fault(nt->vm, VM_FAULT_HOST, "guest pool exhausted for an OID buffer");
        return -1;
    }
    if (len && buf)
        vm_write(nt->vm, g, buf, len);
    put32(nt, s->scratch + SCR_WRITTEN, 0);
    put32(nt, s->scratch + SCR_NEEDED, 0);
    uint32_t args[6] = {s->context, oid, g, len, s->scratch + SCR_WRITTEN, s->scratch + SCR_NEEDED},
             r;
    s->req_pending = set ? 2 : 1;
    s->st.requests++;
    int rc = ndis_call(s, DISPATCH_LEVEL, fn, args, 6,
                       set ? "MiniportSetInformation" : "MiniportQueryInformation", &r);
    if (rc == 0 && r != NDIS_STATUS_PENDING) {
        if (!s->req_pending && s->req_status != r)
            ndis_warn(s, "OID 0x%08x: completed with 0x%08x but returned 0x%08x", oid,
                      s->req_status, r);
        s->req_pending = 0;
        s->req_status = r;
    } else if (rc == 0 && s->req_pending) {
        if (!wait) {
            s->req_async_buf = g; /* freed when the driver completes the request */
            return NDIS_STATUS_PENDING;
        }
        rc = wait_flag(s, &s->req_pending,
                       set ? "MiniportSetInformation" : "MiniportQueryInformation");
    }
    if (rc < 0)
        return -1;
    uint32_t w = get32(nt, s->scratch + SCR_WRITTEN), n = get32(nt, s->scratch + SCR_NEEDED);
    if (!set && buf && len && s->req_status == NDIS_STATUS_SUCCESS)
        vm_read(nt->vm, g, buf, w < len ? w : len);
    if (w > len && s->req_status == NDIS_STATUS_SUCCESS)
        ndis_warn(s, "OID 0x%08x: the driver says it wrote %u bytes into a %u-byte buffer", oid, w,
                  len);
    nt_pool_free(nt, g);
    if (done)
        *done = w;
    if (needed)
        *needed = n;
    return s->req_status;
}

int64_t ndis_adapter_query(NdisAdapter *a, uint32_t oid, void *buf, uint32_t len, uint32_t *written,
                           uint32_t *needed)
{
    return request(a, 0, oid, buf, len, written, needed, 1);
}

int64_t ndis_adapter_set(NdisAdapter *a, uint32_t oid, const void *buf, uint32_t len,
                         uint32_t *read, uint32_t *needed)
{
    uint8_t tmp[6 * NDIS_ADAPTER_MAX_MCAST];
    if (len > sizeof tmp)
        return NDIS_STATUS_INVALID_LENGTH;
    memcpy(tmp, buf, len);
    int64_t r = request(a, 1, oid, tmp, len, read, needed, 1);
    /* What the binding set is what NDIS filters with and restores after an
     * addressing reset. */
    if (r == NDIS_STATUS_SUCCESS && oid == OID_GEN_CURRENT_PACKET_FILTER && len >= 4)
        memcpy(&a->filter, tmp, 4);
    else if (r == NDIS_STATUS_SUCCESS && oid == OID_GEN_CURRENT_LOOKAHEAD && len >= 4)
        memcpy(&a->lookahead, tmp, 4);
    else if (r == NDIS_STATUS_SUCCESS && oid == OID_802_3_MULTICAST_LIST && len % 6 == 0) {
        memcpy(a->mcast, tmp, len);
        a->nmcast = len / 6;
    }
    return r;
}

/* The settings a protocol binding makes (TCP/IP on an 802.3 adapter):
 * lookahead, multicast list (if the host set one), packet filter; again
 * after an addressing reset. With wait == 0 (inside the event source) a
 * pending request ends the round; its completion schedules the next. */
static int apply_settings(NdisAdapter *s, int wait)
{
    static const char *const names[] = {"", "OID_GEN_CURRENT_LOOKAHEAD", "OID_802_3_MULTICAST_LIST",
                                        "OID_GEN_CURRENT_PACKET_FILTER"};
    if (!s->rebind)
        s->rebind = 1;
    while (s->rebind && !s->req_pending && !s->reset_pending && !vm_stopped(s->nt->vm)) {
        uint32_t v = 0, oid, len = 4, step = s->rebind;
        void *buf = &v;
        if (step == 1) {
            oid = OID_GEN_CURRENT_LOOKAHEAD;
            v = s->lookahead;
        } else if (step == 2 && s->nmcast) {
            oid = OID_802_3_MULTICAST_LIST;
            buf = s->mcast;
            len = 6 * s->nmcast;
        } else if (step == 3) {
            oid = OID_GEN_CURRENT_PACKET_FILTER;
            v = s->filter;
        } else if (step == 2) {
            s->rebind = 3;
            continue;
        } else {
            s->rebind = 0;
            break;
        }
        s->rebind = step < 3 ? step + 1 : 0;
        /* the value, for a recording: the driver's reaction depends on it
         * (xdrv extract takes it as the request's parameter) */
        if (oid != OID_802_3_MULTICAST_LIST && trace_enabled())
            trace_emitf(TRACE_NOTE, vm_time_ns(s->nt->vm), vm_depth(s->nt->vm), "binding",
                        "set %s 0x%x", names[step], v);
        int64_t r = request(s, 1, oid, buf, len, NULL, NULL, wait);
        if (r < 0)
            return -1;
        if (r != NDIS_STATUS_SUCCESS && r != NDIS_STATUS_PENDING)
            ndis_warn(s, "setting %s failed: 0x%08x (%s)", names[step], (uint32_t)r,
                      ndis_status_name((uint32_t)r));
    }
    return vm_stopped(s->nt->vm) ? -1 : 0;
}

/* What NDIS's filter library does with every indicated frame: pass it to
 * the binding only if the binding's packet filter (and multicast list)
 * accepts its destination address. */
static int filter_pass(NdisAdapter *s, const uint8_t *f, uint32_t len)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    if (len < 14)
        return 0;
    if (s->filter & NDIS_PACKET_TYPE_PROMISCUOUS)
        return 1;
    if (!(f[0] & 1))
        return (s->filter & NDIS_PACKET_TYPE_DIRECTED) && !memcmp(f, s->mac, 6);
    if (!memcmp(f, bcast, 6))
        return (s->filter & NDIS_PACKET_TYPE_BROADCAST) != 0;
    if (s->filter & NDIS_PACKET_TYPE_ALL_MULTICAST)
        return 1;
    if (s->filter & NDIS_PACKET_TYPE_MULTICAST)
        for (unsigned i = 0; i < s->nmcast; i++)
            if (!memcmp(f, s->mcast[i], 6))
                return 1;
    return 0;
}

/* --------------------------------------------------------------- reset */

/* VOID NdisMResetComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS
 *     Status, BOOLEAN AddressingReset); */
NTAPI(NdisMResetComplete)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    if (!s->reset_pending)
        vm_throw(nt->vm, VM_FAULT_API, "NdisMResetComplete: no reset is pending");
    s->reset_pending = 0;
    s->reset_status = a[1];
    s->reset_addressing = (a[2] & 0xff) != 0;
    if (s->reset_addressing && !s->reset_waiting)
        s->work_pending = 1; /* nobody waits: restore the settings at the next safe point */
    return 0;
}

/* MiniportReset; with wait == 0 (from the hang check, inside the event
 * source) a pending reset completes on its own and the addressing
 * information is restored at the next safe point. */
static int64_t reset(NdisAdapter *s, int wait)
{
    Nt *nt = s->nt;
    NdisMiniportDriver *d = &nt->ndis->drv;
    if (vm_stopped(nt->vm))
        return -1;
    if (!d->ResetHandler)
        return NDIS_STATUS_NOT_SUPPORTED;
    if (s->reset_pending || s->req_pending)
        return NDIS_STATUS_FAILURE;
    put32(nt, s->scratch + SCR_ADDRESSING, 0);
    uint32_t args[2] = {s->scratch + SCR_ADDRESSING, s->context}, r;
    s->reset_pending = 1;
    s->reset_addressing = 0;
    if (ndis_call(s, DISPATCH_LEVEL, d->ResetHandler, args, 2, "MiniportReset", &r) < 0)
        return -1;
    if (r != NDIS_STATUS_PENDING) {
        s->reset_pending = 0;
        s->reset_status = r;
        uint8_t ar = 0;
        vm_read(nt->vm, s->scratch + SCR_ADDRESSING, &ar, 1);
        s->reset_addressing = ar != 0;
    } else if (!wait) {
        return NDIS_STATUS_PENDING;
    } else {
        s->reset_waiting = 1;
        int rc = wait_flag(s, &s->reset_pending, "MiniportReset");
        s->reset_waiting = 0;
        if (rc < 0)
            return -1;
    }
    /* A serialized miniport's sends are NDIS's again after a reset: the
     * ones it still held are aborted (the NT DDK's MiniportReset: a
     * serialized driver drops them and NDIS completes them; a deserialized
     * one completes them itself with NDIS_STATUS_REQUEST_ABORTED). */
    if (serialized(s)) {
        while (s->nout && s->naborted < NDIS_ADAPTER_MAX_OUT) {
            s->aborted[s->naborted++] = s->out[--s->nout];
            s->tx_failed++;
        }
    }
    s->send_blocked = 0;
    if (s->reset_addressing) {
        s->reset_addressing = 0;
        if (wait) {
            if (apply_settings(s, 1) < 0)
                return -1;
        } else {
            s->reset_addressing = 1;
            s->work_pending = 1;
        }
    }
    return s->reset_status;
}

int64_t ndis_adapter_reset(NdisAdapter *a)
{
    if (a->halted)
        return NDIS_STATUS_FAILURE;
    return reset(a, 1);
}

/* ---------------------------------------------------- deferred work */

int ndis_adapter_idle_point(NdisAdapter *s)
{
    return !s->busy && !s->halted && !s->initializing && !s->halting &&
           nt_irql(s->nt) < DISPATCH_LEVEL && !vm_stopped(s->nt->vm);
}

void ndis_adapter_do_work(NdisAdapter *s)
{
    Nt *nt = s->nt;
    NdisMiniportDriver *d = &nt->ndis->drv;
    if (!ndis_adapter_idle_point(s))
        return;
    /* Packets the protocol is done with go back before more sends: a
     * driver short of receive packets gets them while traffic flows. */
    while (s->work_pending && !vm_stopped(nt->vm) && ndis_adapter_idle_point(s)) {
        s->work_pending = 0;
        while (s->nreturns && !vm_stopped(nt->vm)) {
            GuestAddr p = s->returns[0];
            memmove(s->returns, s->returns + 1, --s->nreturns * sizeof *s->returns);
            uint32_t args[2] = {s->context, p};
            if (ndis_call(s, DISPATCH_LEVEL, d->ReturnPacketHandler, args, 2,
                          "MiniportReturnPacket", NULL) < 0)
                return;
        }
        ndis_dma_do_work(s);
        if ((s->reset_addressing || s->rebind) && !s->reset_pending && !s->req_pending) {
            s->reset_addressing = 0;
            if (apply_settings(s, 0) < 0)
                return;
        }
        /* Another round only if this one moved something: a driver that
         * holds NDIS_ADAPTER_MAX_OUT sends waits for completions. */
        if (s->sq_count && !s->send_blocked && send_batch(s))
            s->work_pending |= s->sq_count && !s->send_blocked;
    }
}

/* ------------------------------------------------------- event source */

static uint64_t source_next(void *opaque)
{
    NdisAdapter *s = opaque;
    uint64_t now = vm_time_ns(s->nt->vm);
    if (s->halted || vm_stopped(s->nt->vm))
        return UINT64_MAX;
    if (ndis_interrupt_due(s))
        return now;
    int idle = ndis_adapter_idle_point(s);
    if (s->work_pending && idle)
        return now;
    if (s->hang_secs && s->nt->ndis->drv.CheckForHangHandler && s->next_hang) {
        if (s->next_hang > now)
            return s->next_hang;
        return idle ? now : now + 1000000; /* retry in 1 ms when the driver is busy */
    }
    return UINT64_MAX;
}

/* MiniportCheckForHang every CheckForHangTimeInSeconds of virtual time;
 * TRUE means NDIS resets the adapter. */
static void hang_check(NdisAdapter *s, uint64_t now)
{
    Nt *nt = s->nt;
    s->next_hang = now + s->hang_secs * 1000000000ull;
    if (s->reset_pending || s->req_pending)
        return;
    uint32_t args[1] = {s->context}, r;
    if (ndis_call(s, DISPATCH_LEVEL, nt->ndis->drv.CheckForHangHandler, args, 1,
                  "MiniportCheckForHang", &r) < 0)
        return;
    if (r & 0xff) {
        ndis_warn(s, "MiniportCheckForHang returned TRUE: resetting the adapter");
        int64_t st = reset(s, 0);
        if (st >= 0 && st != NDIS_STATUS_SUCCESS && st != NDIS_STATUS_PENDING)
            ndis_warn(s, "MiniportReset after the hang check failed: 0x%08x (%s)", (uint32_t)st,
                      ndis_status_name((uint32_t)st));
    }
}

static void source_fire(void *opaque, uint64_t now)
{
    NdisAdapter *s = opaque;
    if (s->halted || vm_stopped(s->nt->vm))
        return;
    if (ndis_interrupt_due(s))
        ndis_interrupt_fire(s);
    if (s->work_pending && ndis_adapter_idle_point(s))
        ndis_adapter_do_work(s);
    if (s->hang_secs && s->next_hang && s->next_hang <= now &&
        s->nt->ndis->drv.CheckForHangHandler && ndis_adapter_idle_point(s))
        hang_check(s, now);
}

void ndis_adapter_service(NdisAdapter *a)
{
    if (a->halted || vm_stopped(a->nt->vm))
        return;
    for (unsigned i = 0; i < 64 && ndis_interrupt_due(a) && !vm_stopped(a->nt->vm); i++)
        ndis_interrupt_fire(a);
    nt_ke_run_pending(a->nt);
    if (a->work_pending)
        ndis_adapter_do_work(a);
}

/* ------------------------------------------------- handler callbacks */

/* The NDIS_MINIPORT_BLOCK handlers. Those that are also exports share the
 * export's handler; the records are separate (thunk per record). */
static const NtExport callbacks[] = {
    {"ndisMIndicatePacket", VM_STDCALL, 12, "ppu", cb_PacketIndicate, 0},
    {"NdisMSendComplete", VM_STDCALL, 12, "ppx", nt_NdisMSendComplete, 0},
    {"NdisMSendResourcesAvailable", VM_STDCALL, 4, "p", nt_NdisMSendResourcesAvailable, 0},
    {"NdisMResetComplete", VM_STDCALL, 12, "pxb", nt_NdisMResetComplete, 0},
    {"EthFilterDprIndicateReceive", VM_STDCALL, 32, "pppppupu", nt_EthFilterDprIndicateReceive, 0},
    {"EthFilterDprIndicateReceiveComplete", VM_STDCALL, 4, "p",
     nt_EthFilterDprIndicateReceiveComplete, 0},
    {"NdisMIndicateStatus", VM_STDCALL, 16, "pxpu", nt_NdisMIndicateStatus, 0},
    {"NdisMIndicateStatusComplete", VM_STDCALL, 4, "p", nt_NdisMIndicateStatusComplete, 0},
    {"NdisMTransferDataComplete", VM_STDCALL, 16, "ppxu", nt_NdisMTransferDataComplete, 0},
    {"NdisMQueryInformationComplete", VM_STDCALL, 8, "px", nt_NdisMQueryInformationComplete, 0},
    {"NdisMSetInformationComplete", VM_STDCALL, 8, "px", nt_NdisMSetInformationComplete, 0},
};
enum {
    CB_PACKET,
    CB_SEND_COMPLETE,
    CB_SEND_RESOURCES,
    CB_RESET_COMPLETE,
    CB_ETH_RX,
    CB_ETH_RX_COMPLETE,
    CB_STATUS,
    CB_STATUS_COMPLETE,
    CB_TD_COMPLETE,
    CB_QUERY_COMPLETE,
    CB_SET_COMPLETE,
    CB_COUNT
};

/* Handlers a driver may call through a block field we do not serve (token
 * ring, FDDI, WAN) stop the run naming the field. */
static uint64_t cb_unsupported(Nt *nt, const uint32_t *a)
{
    (void)a;
    vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
             "the driver called a token-ring/FDDI/WAN indication handler of "
             "its NDIS_MINIPORT_BLOCK; xdrv hosts 802.3 adapters only");
}
static const NtExport cb_other = {
    "ndisMUnsupportedMediumHandler", VM_CDECL, 0, "", cb_unsupported, 0};

static int fill_block(NdisAdapter *s)
{
    Nt *nt = s->nt;
    GNdisMiniportBlock *b = vm_ptr(nt->vm, s->block, sizeof *b);
    GuestAddr t[CB_COUNT];
    for (unsigned i = 0; i < CB_COUNT; i++)
        if (!(t[i] = nt_host_callback_thunk(nt, &callbacks[i])))
            return -1;
    GuestAddr other = nt_host_callback_thunk(nt, &cb_other);
    if (!b || !other)
        return -1;
    b->Signature = NDIS_BLOCK_SIGNATURE;
    b->DriverHandle = nt->ndis->drv.wrapper_handle;
    b->EthDB = s->eth_db;
    b->PacketIndicateHandler = t[CB_PACKET];
    b->SendCompleteHandler = t[CB_SEND_COMPLETE];
    b->SendResourcesHandler = t[CB_SEND_RESOURCES];
    b->ResetCompleteHandler = t[CB_RESET_COMPLETE];
    b->EthRxIndicateHandler = t[CB_ETH_RX];
    b->EthRxCompleteHandler = t[CB_ETH_RX_COMPLETE];
    b->TrRxIndicateHandler = b->FddiRxIndicateHandler = other;
    b->TrRxCompleteHandler = b->FddiRxCompleteHandler = other;
    b->StatusHandler = t[CB_STATUS];
    b->StatusCompleteHandler = t[CB_STATUS_COMPLETE];
    b->TDCompleteHandler = t[CB_TD_COMPLETE];
    b->QueryCompleteHandler = t[CB_QUERY_COMPLETE];
    b->SetCompleteHandler = t[CB_SET_COMPLETE];
    b->WanSendCompleteHandler = b->WanRcvHandler = b->WanRcvCompleteHandler = other;
    return 0;
}

/* ------------------------------------------------------- life cycle */

static void adapter_free(NdisAdapter *s)
{
    Nt *nt = s->nt;
    NdisState *st = nt->ndis;
    nt_ke_remove_event_source(nt, s);
    for (unsigned i = 0; i < st->nadapters; i++)
        if (st->adapters[i] == s) {
            st->adapters[i] = st->adapters[--st->nadapters];
            break;
        }
    while (s->sq_count)
        ndis_host_packet_free(nt, sq_pop(s));
    for (unsigned i = 0; i < s->nxfer; i++)
        free(s->xfer[i].frame);
    GuestAddr blocks[] = {s->block, s->eth_db, s->config_ctx, s->scratch, s->assigned};
    for (unsigned i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (blocks[i])
            nt_pool_free(nt, blocks[i]);
    free(s->track);
    free(s->map_reg_busy);
    free(s);
    if (!st->nadapters)
        ndis_host_pools_release(nt);
}

static int fail(NdisAdapter *s, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(NdisAdapter *s, char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err && errlen)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    (void)s;
    return -1;
}

static int64_t query_u32(NdisAdapter *s, uint32_t oid, uint32_t *v)
{
    uint32_t w = 0;
    int64_t r = request(s, 0, oid, v, 4, &w, NULL, 1);
    if (r == NDIS_STATUS_SUCCESS && w != 4)
        ndis_warn(s, "OID 0x%08x: %u bytes written, expected 4", oid, w);
    return r;
}

/* Everything after a successful MiniportInitialize: what a protocol queries
 * and sets when it binds. Returns -1 with err set when the adapter is
 * unusable. */
static int bind_protocol(NdisAdapter *s, char *err, size_t errlen)
{
    Nt *nt = s->nt;
    uint32_t w = 0;
    int64_t r = request(s, 0, OID_802_3_CURRENT_ADDRESS, s->mac, 6, &w, NULL, 1);
    if (r < 0)
        return fail(s, err, errlen, "the run stopped querying OID_802_3_CURRENT_ADDRESS: %s",
                    vm_fault_text(nt->vm));
    if (r != NDIS_STATUS_SUCCESS || w != 6)
        return fail(s, err, errlen,
                    "OID_802_3_CURRENT_ADDRESS failed: status 0x%08x (%s), %u bytes", (uint32_t)r,
                    ndis_status_name((uint32_t)r), w);
    uint8_t perm[6];
    r = request(s, 0, OID_802_3_PERMANENT_ADDRESS, perm, 6, &w, NULL, 1);
    if (r < 0)
        return fail(s, err, errlen, "the run stopped: %s", vm_fault_text(nt->vm));
    if (r != NDIS_STATUS_SUCCESS)
        ndis_warn(s, "OID_802_3_PERMANENT_ADDRESS failed: 0x%08x (%s)", (uint32_t)r,
                  ndis_status_name((uint32_t)r));
    r = query_u32(s, OID_GEN_MAXIMUM_FRAME_SIZE, &s->max_frame);
    if (r < 0)
        return fail(s, err, errlen, "the run stopped: %s", vm_fault_text(nt->vm));
    if (r != NDIS_STATUS_SUCCESS || s->max_frame < 46 || s->max_frame > 9000) {
        ndis_warn(s, "OID_GEN_MAXIMUM_FRAME_SIZE: status 0x%08x, %u; using 1500", (uint32_t)r,
                  s->max_frame);
        s->max_frame = 1500;
    }
    uint32_t media = 0;
    r = query_u32(s, OID_GEN_MEDIA_CONNECT_STATUS, &media);
    if (r < 0)
        return fail(s, err, errlen, "the run stopped: %s", vm_fault_text(nt->vm));
    s->link = r == NDIS_STATUS_SUCCESS ? media == 0 /* NdisMediaStateConnected */ : 1;
    s->max_send = 1;
    if (nt->ndis->drv.SendPacketsHandler) {
        r = query_u32(s, OID_GEN_MAXIMUM_SEND_PACKETS, &s->max_send);
        if (r < 0)
            return fail(s, err, errlen, "the run stopped: %s", vm_fault_text(nt->vm));
        if (r != NDIS_STATUS_SUCCESS || !s->max_send)
            s->max_send = 1;
    }
    /* A protocol asks for a lookahead of a few headers, not whole frames
     * (TCP/IP's bindings use small ones): so a driver that indicates with
     * NdisMEthIndicateReceive hands over NDIS_ADAPTER_LOOKAHEAD bytes and
     * NDIS fetches the rest with MiniportTransferData, as on Windows. */
    s->lookahead = s->max_frame < NDIS_ADAPTER_LOOKAHEAD ? s->max_frame : NDIS_ADAPTER_LOOKAHEAD;
    s->filter = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_BROADCAST;
    if (apply_settings(s, 1) < 0)
        return fail(s, err, errlen, "the run stopped: %s", vm_fault_text(nt->vm));
    return 0;
}

NdisAdapter *ndis_adapter_create(Nt *nt, const NdisHw *hw, const NdisHostOps *ops,
                                 const char *service, char *err, size_t errlen)
{
    NdisMiniportDriver *d = &nt->ndis->drv;
    if (err && errlen)
        err[0] = 0;
    if (vm_stopped(nt->vm)) {
        fail(NULL, err, errlen, "the run has stopped: %s", vm_fault_text(nt->vm));
        return NULL;
    }
    if (!d->registered || !d->InitializeHandler) {
        fail(NULL, err, errlen,
             "no miniport is registered (DriverEntry did not call NdisMRegisterMiniport)");
        return NULL;
    }
    if (!d->HaltHandler || !d->QueryInformationHandler || !d->SetInformationHandler ||
        (!d->SendHandler && !d->SendPacketsHandler)) {
        fail(NULL, err, errlen,
             "the registered miniport lacks Halt, QueryInformation, SetInformation or a "
             "send handler");
        return NULL;
    }
    if (nt->ndis->nadapters == sizeof nt->ndis->adapters / sizeof nt->ndis->adapters[0]) {
        fail(NULL, err, errlen, "too many adapters");
        return NULL;
    }
    NdisAdapter *s = calloc(1, sizeof *s);
    if (!s) {
        fail(NULL, err, errlen, "out of host memory");
        return NULL;
    }
    s->nt = nt;
    s->hw = *hw;
    if (ops)
        s->ops = *ops;
    snprintf(s->service, sizeof s->service, "%s", service ? service : "miniport");
    s->block = nt_pool_alloc(nt, sizeof(GNdisMiniportBlock), 0x5349444eu);
    s->eth_db = nt_pool_alloc(nt, 16, 0x5349444eu);
    s->config_ctx = nt_pool_alloc(nt, 16, 0x5349444eu);
    s->scratch = nt_pool_alloc(nt, SCR_SIZE, 0x5349444eu);
    if (!s->block || !s->eth_db || !s->config_ctx || !s->scratch || fill_block(s) < 0) {
        fail(s, err, errlen, "out of guest memory for the NDIS_MINIPORT_BLOCK");
        goto fail_free;
    }
    nt->ndis->adapters[nt->ndis->nadapters++] = s;
    ndis_resources_build(s);
    NtKeEventSource src = {source_next, source_fire, s};
    if (nt_ke_add_event_source(nt, &src) < 0) {
        fail(s, err, errlen, "too many kernel event sources");
        goto fail_free;
    }
    /* The medium array: 802.5 first, so that a driver must really select. */
    put32(nt, s->scratch + SCR_MEDIA, NDIS_MEDIUM_802_5);
    put32(nt, s->scratch + SCR_MEDIA + 4, NDIS_MEDIUM_802_3);
    put32(nt, s->scratch + SCR_MEDIUM_INDEX, 0xFFFFFFFFu);
    uint32_t args[6] = {s->scratch + SCR_OPEN_ERROR,
                        s->scratch + SCR_MEDIUM_INDEX,
                        s->scratch + SCR_MEDIA,
                        2,
                        s->block,
                        s->config_ctx},
             r;
    s->initializing = 1;
    int rc = ndis_call(s, PASSIVE_LEVEL, d->InitializeHandler, args, 6, "MiniportInitialize", &r);
    s->initializing = 0;
    if (rc < 0) {
        fail(s, err, errlen, "the run stopped in MiniportInitialize: %s", vm_fault_text(nt->vm));
        goto fail_free;
    }
    if (r != NDIS_STATUS_SUCCESS) {
        uint32_t oe = get32(nt, s->scratch + SCR_OPEN_ERROR);
        fail(s, err, errlen, "MiniportInitialize failed with NDIS status 0x%08x (%s)%s", r,
             ndis_status_name(r),
             r == 0xC0010007u /* NDIS_STATUS_OPEN_FAILED */ ? " (see OpenErrorStatus)" : "");
        if (oe)
            nt_log(nt, "ndis: %s: OpenErrorStatus 0x%08x\n", s->service, oe);
        /* A failed initialize must release what it took (NDIS 5.1
         * MiniportInitialize page): report what it did not. */
        ndis_interrupt_report(s);
        ndis_interrupt_release(s);
        ndis_resources_report(s);
        ndis_dma_report(s);
        goto fail_free;
    }
    uint32_t idx = get32(nt, s->scratch + SCR_MEDIUM_INDEX);
    if (idx != 1) {
        fail(s, err, errlen,
             "MiniportInitialize selected medium index %u; the array was {NdisMedium802_5, "
             "NdisMedium802_3} and only 802.3 is supported",
             idx);
        goto fail_halt;
    }
    if (!s->attributes_set) {
        fail(s, err, errlen, "MiniportInitialize succeeded without calling NdisMSetAttributes[Ex]");
        goto fail_halt;
    }
    if (bind_protocol(s, err, errlen) < 0)
        goto fail_halt;
    if (d->CheckForHangHandler)
        s->next_hang = vm_time_ns(nt->vm) + s->hang_secs * 1000000000ull;
    return s;
fail_halt:
    if (!vm_stopped(nt->vm)) {
        char keep[512];
        snprintf(keep, sizeof keep, "%s", err ? err : "");
        ndis_adapter_halt(s);
        if (err && errlen)
            snprintf(err, errlen, "%s", keep);
        return NULL;
    }
fail_free:
    adapter_free(s);
    return NULL;
}

int ndis_adapter_mac(NdisAdapter *a, uint8_t mac[6])
{
    memcpy(mac, a->mac, 6);
    return 0;
}

int ndis_adapter_link_up(NdisAdapter *a)
{
    return a->link;
}

void ndis_adapter_stats(NdisAdapter *a, NdisAdapterStats *st)
{
    *st = a->st;
}

/* The system shuts down: the handler NdisMRegisterAdapterShutdownHandler
 * registered (NDIS 5.0, called with its ShutdownContext) or the NDIS 5.1
 * characteristics' AdapterShutdownHandler (called with the adapter
 * context), at PASSIVE_LEVEL as for an orderly shutdown ("MiniportShutdown",
 * NDIS 5.1 DDK: it only stops the NIC; it frees nothing and is not
 * followed by MiniportHalt). */
int ndis_adapter_shutdown(NdisAdapter *s)
{
    Nt *nt = s->nt;
    NdisMiniportDriver *d = &nt->ndis->drv;
    GuestAddr fn = s->shutdown_handler ? s->shutdown_handler : d->AdapterShutdownHandler;
    if (!fn)
        return 1;
    uint32_t args[1] = {s->shutdown_handler ? s->shutdown_ctx : s->context};
    if (ndis_call(s, PASSIVE_LEVEL, fn, args, 1, "MiniportShutdown", NULL) < 0)
        return -1;
    return vm_stopped(nt->vm) ? -1 : 0;
}

/* VOID MiniportPnPEventNotify(NDIS_HANDLE MiniportAdapterContext,
 *     NDIS_DEVICE_PNP_EVENT PnPEvent, PVOID InformationBuffer,
 *     ULONG InformationBufferLength): NDIS 5.1, PASSIVE_LEVEL. For
 * NdisDevicePnPEventPowerProfileChanged the buffer holds a ULONG
 * NDIS_POWER_PROFILE (NdisPowerProfileBattery 0, AcOnLine 1). */
int ndis_adapter_pnp_event(NdisAdapter *s, uint32_t event, const void *info, uint32_t len)
{
    Nt *nt = s->nt;
    NdisMiniportDriver *d = &nt->ndis->drv;
    if (!d->PnPEventNotifyHandler)
        return 1;
    GuestAddr buf = 0;
    if (len) {
        buf = nt_pool_alloc(nt, len, 0x5349444eu);
        if (!buf || vm_write(nt->vm, buf, info, len) < 0) {
            ndis_warn(s, "no guest memory for a PnP event's %u-byte buffer", len);
            return -1;
        }
    }
    uint32_t args[4] = {s->context, event, buf, len};
    int rc = ndis_call(s, PASSIVE_LEVEL, d->PnPEventNotifyHandler, args, 4,
                       "MiniportPnPEventNotify", NULL);
    if (buf)
        nt_pool_free(nt, buf);
    return rc < 0 || vm_stopped(nt->vm) ? -1 : 0;
}

int ndis_adapter_halt(NdisAdapter *s)
{
    Nt *nt = s->nt;
    NdisMiniportDriver *d = &nt->ndis->drv;
    if (vm_stopped(nt->vm)) {
        adapter_free(s);
        return -1;
    }
    /* Packets the protocol held go back first; sends NDIS still queues are
     * dropped (NDIS fails them to the protocol before halting). */
    ndis_adapter_do_work(s);
    while (s->sq_count)
        ndis_host_packet_free(nt, sq_pop(s));
    if (s->req_pending || s->reset_pending)
        ndis_warn(s, "halting with a %s still pending", s->reset_pending ? "reset" : "request");
    s->halting = 1;
    uint32_t args[1] = {s->context};
    int rc = ndis_call(s, PASSIVE_LEVEL, d->HaltHandler, args, 1, "MiniportHalt", NULL);
    s->halting = 0;
    s->halted = 1;
    if (rc < 0) {
        adapter_free(s);
        return -1;
    }
    nt_ke_run_pending(nt);
    unsigned left = 0;
    if (s->intr) {
        ndis_interrupt_report(s);
        ndis_interrupt_release(s);
        left++;
    }
    if (s->nout) {
        ndis_warn(
            s, "MiniportHalt returned with %u send packet(s) never completed (NdisMSendComplete)",
            s->nout);
        left += s->nout;
        for (unsigned i = 0; i < s->nout; i++)
            packet_release(s, s->out[i]);
        s->nout = 0;
    }
    for (unsigned i = 0; i < s->naborted; i++)
        packet_release(s, s->aborted[i]);
    s->naborted = 0;
    if (s->nxfer) {
        ndis_warn(s, "MiniportHalt returned with %u MiniportTransferData call(s) never completed",
                  s->nxfer);
        left += s->nxfer;
        for (unsigned i = 0; i < s->nxfer; i++)
            ndis_host_packet_free(nt, s->xfer[i].packet);
    }
    if (s->shutdown_handler) {
        ndis_warn(s, "the adapter shutdown handler is still registered "
                     "(NdisMDeregisterAdapterShutdownHandler not called)");
        left++;
    }
    /* NDIS_MINIPORT_TIMERs of this adapter still set (KTIMER at offset 0,
     * Miniport recorded by NdisMInitializeTimer). */
    GuestAddr timers[64];
    unsigned nt_ = nt_ke_armed_timers(nt, timers, 64);
    for (unsigned i = 0; i < nt_ && i < 64; i++) {
        uint32_t mp = 0;
        if (vm_read(nt->vm, timers[i] + offsetof(GNdisMiniportTimer, Miniport), &mp, 4) == 0 &&
            mp == s->block) {
            ndis_warn(s, "timer 0x%08x still set after MiniportHalt (NdisMCancelTimer not called)",
                      timers[i]);
            left++;
        }
    }
    left += s->nports + s->ntrack + (s->map_regs ? 1 : 0);
    for (unsigned i = 0; i < s->nmaps; i++)
        left += s->maps[i].live ? 1 : 0;
    ndis_resources_report(s);
    ndis_dma_report(s);
    adapter_free(s);
    return vm_stopped(nt->vm) ? -1 : (int)left;
}
