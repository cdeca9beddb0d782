/* ndistest_adapter: a loopback NDIS 5.1 miniport for testing the miniport
 * host (tests/unit/test_ndis_adapter.c). Its "hardware" is the test's
 * port window at the ISA resources NDIS assigns: writing DOORBELL raises
 * the interrupt line; the ISR reads and acknowledges STATUS. Every frame it
 * is given to send comes back as a received frame from MiniportHandleInterrupt.
 * The registry parameter "Mode" (bits below) selects which NDIS paths it
 * takes, so the host's handling of each can be checked: serialized or
 * deserialized, Send or SendPackets, pending requests, receive by packets
 * (optionally NDIS_STATUS_RESOURCES) or by lookahead with
 * MiniportTransferData (optionally pending), scatter-gather DMA or map
 * registers, RequestIsr FALSE, async shared memory, a hang report, and a
 * halt that leaks on purpose. Counters come back through a private OID. */
#define NDIS_MINIPORT_DRIVER 1
#define NDIS51_MINIPORT 1
#include "ndis_fixed.h"

#include "ndistest_adapter.h"

/* ndis.sys exports mingw-w64's ndis.h does not declare (prototypes from the
 * NDIS 5.1 documentation). */
NDISAPI VOID NTAPI NdisMStartBufferPhysicalMapping(NDIS_HANDLE MiniportAdapterHandle,
                                                   PNDIS_BUFFER Buffer, ULONG PhysicalMapRegister,
                                                   BOOLEAN WriteToDevice,
                                                   PNDIS_PHYSICAL_ADDRESS_UNIT PhysicalAddressArray,
                                                   PUINT ArraySize);
NDISAPI VOID NTAPI NdisMCompleteBufferPhysicalMapping(NDIS_HANDLE MiniportAdapterHandle,
                                                      PNDIS_BUFFER Buffer,
                                                      ULONG PhysicalMapRegister);
NDISAPI ULONG NTAPI NdisMGetDmaAlignment(NDIS_HANDLE MiniportAdapterHandle);
/* mingw-w64's NdisMTransferDataComplete macro lacks a semicolon (ndis.h
 * line ~5516): call through the block as the macro means to. */
#define TD_COMPLETE(h, p, st, n)                                                                   \
    (((PNDIS_MINIPORT_BLOCK)(h))->TDCompleteHandler((h), (p), (st), (n)))

#define TAG 0x54534e4eu
#define FRAME_MAX 1514u
#define LOOKAHEAD_SMALL 32u
#define RX_SLOTS 64u
#define TXQ 64u       /* a deserialized miniport queues internally */
#define TXQ_SERIAL 8u /* a serialized one says NDIS_STATUS_RESOURCES beyond this */
#define TD_MAX 16u

typedef struct Slot {
    PNDIS_PACKET packet;
    PNDIS_BUFFER buffer;
    UCHAR data[FRAME_MAX];
    BOOLEAN busy;
} Slot;

typedef struct Adapter {
    NDIS_HANDLE handle;
    ULONG mode;
    ULONG io;
    ULONG irq;
    NDIS_MINIPORT_INTERRUPT intr;
    BOOLEAN have_intr, have_ports, have_map_regs;
    PVOID shared;
    NDIS_PHYSICAL_ADDRESS shared_pa;
    NDIS_MINIPORT_TIMER timer;
    NDIS_HANDLE ppool, bpool;
    Slot slot[RX_SLOTS];
    /* frames accepted for sending, looped back at the next interrupt */
    PNDIS_PACKET txq[TXQ];
    UCHAR txdata[TXQ][FRAME_MAX];
    ULONG txlen[TXQ];
    ULONG ntx;
    /* a pending request / transfer, completed by the timer */
    int pending_req; /* 1 query, 2 set */
    NDIS_STATUS pending_status;
    PNDIS_PACKET pending_td[TD_MAX];
    ULONG pending_td_bytes[TD_MAX];
    ULONG ntd;
    PVOID async_va;
    NDIS_PHYSICAL_ADDRESS async_pa;
    PUCHAR rx_cur;
    ULONG rx_cur_len;
    BOOLEAN hang_reported;
    ULONG isr_status;
    BOOLEAN masked, initializing;
    NdisTestCounters c;
} Adapter;

static UCHAR mac[6] = {0x02, 0x00, 0x5e, 0x4e, 0x44, 0x01};
static Adapter *the_adapter;

__declspec(dllexport) NTSTATUS NTAPI
    DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

static VOID fail(Adapter *s, const char *what)
{
    s->c.failures++;
    DbgPrint("ndistest: FAIL %s\n", what);
}

static NDIS_STRING kw_mode = RTL_CONSTANT_STRING(L"Mode");

/* A keyword an installer writes as a number reads the same whether the
 * driver asks for a decimal or a hexadecimal integer (a REG_DWORD has no
 * base); ~0 when it is missing or the two reads disagree. */
static ULONG read_both(Adapter *s, NDIS_HANDLE cfg, PNDIS_STRING kw, const char *name)
{
    PNDIS_CONFIGURATION_PARAMETER p;
    NDIS_STATUS st;
    ULONG dec, hex;
    NdisReadConfiguration(&st, &p, cfg, kw, NdisParameterInteger);
    if (st != NDIS_STATUS_SUCCESS) {
        DbgPrint("ndistest: %s missing\n", name);
        fail(s, "installer keyword missing");
        return ~0u;
    }
    dec = p->ParameterData.IntegerData;
    NdisReadConfiguration(&st, &p, cfg, kw, NdisParameterHexInteger);
    hex = st == NDIS_STATUS_SUCCESS ? p->ParameterData.IntegerData : ~0u;
    if (dec != hex) {
        DbgPrint("ndistest: %s reads %lu as an integer, 0x%lx as a hex integer\n", name, dec, hex);
        fail(s, "installer keyword differs by integer type");
        return ~0u;
    }
    return dec;
}

/* ---- timer: completes what was left pending ---- */

static VOID NTAPI timer_fn(PVOID a1, PVOID ctx, PVOID a3, PVOID a4)
{
    Adapter *s = ctx;
    if (s->pending_req == 1) {
        s->pending_req = 0;
        NdisMQueryInformationComplete(s->handle, s->pending_status);
    } else if (s->pending_req == 2) {
        s->pending_req = 0;
        NdisMSetInformationComplete(s->handle, s->pending_status);
    }
    ULONG i, n = s->ntd;
    s->ntd = 0;
    for (i = 0; i < n; i++)
        TD_COMPLETE(s->handle, s->pending_td[i], NDIS_STATUS_SUCCESS, s->pending_td_bytes[i]);
}

/* ---- interrupts ---- */

/* The chip's interrupt mask (NDT_MASKING): what a vendor driver's ISR does
 * so that HandleInterrupt sees the device quiet. */
static VOID set_mask(Adapter *s, BOOLEAN masked)
{
    s->masked = masked;
    NdisRawWritePortUchar(s->io + NDT_PORT_MASK, masked ? 0 : 1);
}

static VOID NTAPI isr(PBOOLEAN recognized, PBOOLEAN queue, NDIS_HANDLE ctx)
{
    Adapter *s = ctx;
    UCHAR st;
    if (KeGetCurrentIrql() <= DISPATCH_LEVEL)
        fail(s, "MiniportISR not above DISPATCH_LEVEL");
    NdisRawReadPortUchar(s->io + NDT_PORT_STATUS, &st);
    s->c.isr_calls++;
    if (s->initializing)
        s->c.init_isr++;
    *recognized = st != 0;
    *queue = st != 0 || (s->mode & NDT_QUEUE_ALWAYS);
    if (!st) {
        s->c.isr_unrecognized++;
        return;
    }
    NdisRawWritePortUchar(s->io + NDT_PORT_STATUS, st); /* acknowledge: the line drops */
    if (st == NDT_ST_ISR_ONLY) {
        s->c.isr_only++; /* done here: nothing for the DPC */
        *queue = FALSE;
        return;
    }
    s->isr_status |= st;
    if (s->mode & NDT_MASKING)
        set_mask(s, TRUE);
}

static VOID NTAPI disable_interrupt(NDIS_HANDLE ctx)
{
    Adapter *s = ctx;
    UCHAR st;
    if (KeGetCurrentIrql() <= DISPATCH_LEVEL)
        fail(s, "MiniportDisableInterrupt not above DISPATCH_LEVEL");
    s->c.disable_calls++;
    NdisRawReadPortUchar(s->io + NDT_PORT_STATUS, &st);
    NdisRawWritePortUchar(s->io + NDT_PORT_STATUS, st);
    s->isr_status |= st;
    if (s->mode & NDT_MASKING)
        set_mask(s, TRUE);
}

static VOID NTAPI enable_interrupt(NDIS_HANDLE ctx)
{
    Adapter *s = ctx;
    if (KeGetCurrentIrql() <= DISPATCH_LEVEL)
        fail(s, "MiniportEnableInterrupt not above DISPATCH_LEVEL");
    s->c.enable_calls++;
    if (s->mode & NDT_MASKING)
        set_mask(s, FALSE);
}

static BOOLEAN NTAPI unmask_fn(PVOID ctx)
{
    set_mask((Adapter *)ctx, FALSE);
    return TRUE;
}

static void indicate(Adapter *s, PUCHAR frame, ULONG len)
{
    if (s->mode & NDT_SMALL_LOOKAHEAD) {
        ULONG la = len - 14 < LOOKAHEAD_SMALL ? len - 14 : LOOKAHEAD_SMALL;
        s->rx_cur = frame;
        s->rx_cur_len = len;
        NdisMEthIndicateReceive(s->handle, (NDIS_HANDLE)s, (PCHAR)frame, 14, frame + 14, la,
                                len - 14);
        NdisMEthIndicateReceiveComplete(s->handle);
        s->rx_cur = NULL;
        return;
    }
    ULONG i;
    for (i = 0; i < RX_SLOTS && s->slot[i].busy; i++)
        ;
    if (i == RX_SLOTS) {
        s->c.rx_no_slot++;
        return;
    }
    Slot *sl = &s->slot[i];
    NdisMoveMemory(sl->data, frame, len);
    NdisAdjustBufferLength(sl->buffer, len);
    NdisRecalculatePacketCounts(sl->packet);
    BOOLEAN res = (s->mode & NDT_RX_RESOURCES) && (s->c.rx_indicated & 1);
    NDIS_SET_PACKET_STATUS(sl->packet, res ? NDIS_STATUS_RESOURCES : NDIS_STATUS_SUCCESS);
    NDIS_SET_PACKET_HEADER_SIZE(sl->packet, 14);
    sl->busy = TRUE;
    s->c.rx_indicated++;
    NdisMIndicateReceivePacket(s->handle, &sl->packet, 1);
    if (res) {
        if (NDIS_GET_PACKET_STATUS(sl->packet) != NDIS_STATUS_RESOURCES)
            fail(s, "NDIS changed the status of a NDIS_STATUS_RESOURCES packet");
        sl->busy = FALSE;
    } else if (NDIS_GET_PACKET_STATUS(sl->packet) != NDIS_STATUS_PENDING) {
        sl->busy = FALSE; /* NDIS is done with it already */
        s->c.returned++;
    }
}

static VOID NTAPI handle_interrupt(NDIS_HANDLE ctx)
{
    Adapter *s = ctx;
    ULONG i, n = s->ntx;
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        fail(s, "MiniportHandleInterrupt not at DISPATCH_LEVEL");
    s->c.dpc_calls++;
    if (s->masked)
        s->c.masked_dpcs++; /* the device stayed quiet for it, as the ISR meant */
    s->isr_status = 0;
    s->ntx = 0;
    for (i = 0; i < n; i++) {
        if (s->txq[i])
            NdisMSendComplete(s->handle, s->txq[i], NDIS_STATUS_SUCCESS);
        s->c.tx_completed++;
        indicate(s, s->txdata[i], s->txlen[i]);
    }
    if (n && !(s->mode & NDT_DESERIALIZE))
        NdisMSendResourcesAvailable(s->handle);
    /* without MiniportEnableInterrupt the DPC re-enables the chip itself */
    if ((s->mode & (NDT_MASKING | NDT_NO_ENABLE)) == (NDT_MASKING | NDT_NO_ENABLE))
        NdisMSynchronizeWithInterrupt(&s->intr, unmask_fn, s);
}

/* ---- send ---- */

static BOOLEAN NTAPI sync_fn(PVOID ctx)
{
    Adapter *s = ctx;
    if (KeGetCurrentIrql() <= DISPATCH_LEVEL)
        fail(s, "SynchronizeFunction not at DIRQL");
    s->c.sync_calls++;
    return TRUE;
}

/* Copy the packet out, checking what NDIS gives a DMA miniport. */
static NDIS_STATUS take(Adapter *s, PNDIS_PACKET p, BOOLEAN pend)
{
    UINT total = 0, nbuf = 0, phys = 0;
    PNDIS_BUFFER b;
    if (s->ntx == ((s->mode & NDT_DESERIALIZE) ? TXQ : TXQ_SERIAL)) {
        s->c.tx_resources++;
        return NDIS_STATUS_RESOURCES;
    }
    NdisQueryPacket(p, &phys, &nbuf, &b, &total);
    if (total < 14 || total > FRAME_MAX) {
        fail(s, "packet length");
        return NDIS_STATUS_FAILURE;
    }
    PUCHAR to = s->txdata[s->ntx];
    ULONG off = 0;
    while (b) {
        PVOID va;
        UINT len;
        NdisQueryBufferSafe(b, &va, &len, NormalPagePriority);
        if (s->mode & NDT_MAP_REGISTERS) {
            NDIS_PHYSICAL_ADDRESS_UNIT pa[8];
            UINT n = 0, k, covered = 0;
            NdisMStartBufferPhysicalMapping(s->handle, b, 0, TRUE, pa, &n);
            for (k = 0; k < n; k++) {
                if (pa[k].PhysicalAddress.LowPart != (ULONG)va + covered)
                    fail(s, "physical mapping not contiguous with the buffer");
                covered += pa[k].Length;
            }
            if (covered != len)
                fail(s, "physical mapping does not cover the buffer");
            NdisMCompleteBufferPhysicalMapping(s->handle, b, 0);
            s->c.mappings++;
        }
        NdisMoveMemory(to + off, va, len);
        off += len;
        NdisGetNextBuffer(b, &b);
    }
    if (s->mode & NDT_SG_DMA) {
        PSCATTER_GATHER_LIST sg = NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo);
        ULONG k, sum = 0;
        if (!sg) {
            fail(s, "no SCATTER_GATHER_LIST on a send packet");
        } else {
            for (k = 0; k < sg->NumberOfElements; k++) {
                if (NdisEqualMemory((PVOID)sg->Elements[k].Address.LowPart, to + sum,
                                    sg->Elements[k].Length) != 1)
                    fail(s, "SG element does not describe the packet's bytes");
                sum += sg->Elements[k].Length;
            }
            if (sum != total)
                fail(s, "SG list does not cover the packet");
            else
                s->c.sg_ok++;
        }
    }
    NdisMSynchronizeWithInterrupt(&s->intr, sync_fn, s);
    s->txlen[s->ntx] = total;
    s->txq[s->ntx] = pend ? p : NULL;
    s->ntx++;
    s->c.tx_taken++;
    NdisRawWritePortUchar(s->io + NDT_PORT_DOORBELL, 1);
    return pend ? NDIS_STATUS_PENDING : NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS NTAPI send(NDIS_HANDLE ctx, PNDIS_PACKET p, UINT flags)
{
    Adapter *s = ctx;
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        fail(s, "MiniportSend not at DISPATCH_LEVEL");
    return take(s, p, (s->mode & NDT_DESERIALIZE) || (s->c.tx_taken & 1));
}

static VOID NTAPI send_packets(NDIS_HANDLE ctx, PPNDIS_PACKET arr, UINT n)
{
    Adapter *s = ctx;
    UINT i;
    if (KeGetCurrentIrql() != DISPATCH_LEVEL)
        fail(s, "MiniportSendPackets not at DISPATCH_LEVEL");
    s->c.send_calls++;
    for (i = 0; i < n; i++) {
        if (s->mode & NDT_DESERIALIZE) {
            NDIS_STATUS st = take(s, arr[i], TRUE);
            if (st != NDIS_STATUS_PENDING)
                NdisMSendComplete(s->handle, arr[i], st);
        } else {
            NDIS_SET_PACKET_STATUS(arr[i], take(s, arr[i], (s->c.tx_taken & 1) != 0));
        }
    }
}

/* ---- receive side ---- */

static VOID NTAPI return_packet(NDIS_HANDLE ctx, PNDIS_PACKET p)
{
    Adapter *s = ctx;
    ULONG i;
    for (i = 0; i < RX_SLOTS; i++)
        if (s->slot[i].packet == p) {
            if (!s->slot[i].busy)
                fail(s, "MiniportReturnPacket for a packet NDIS does not hold");
            s->slot[i].busy = FALSE;
            s->c.returned++;
            return;
        }
    fail(s, "MiniportReturnPacket: unknown packet");
}

static NDIS_STATUS NTAPI transfer_data(PNDIS_PACKET p, PUINT transferred, NDIS_HANDLE ctx,
                                       NDIS_HANDLE rctx, UINT offset, UINT bytes)
{
    Adapter *s = ctx;
    PNDIS_BUFFER b;
    PVOID va;
    UINT len, total;
    s->c.transfers++;
    if (rctx != ctx || !s->rx_cur || 14 + offset + bytes > s->rx_cur_len) {
        fail(s, "MiniportTransferData outside the indicated frame");
        return NDIS_STATUS_FAILURE;
    }
    NdisQueryPacket(p, NULL, NULL, &b, &total);
    NdisQueryBufferSafe(b, &va, &len, NormalPagePriority);
    if (len < bytes) {
        fail(s, "transfer packet too small");
        return NDIS_STATUS_FAILURE;
    }
    NdisMoveMemory(va, s->rx_cur + 14 + offset, bytes);
    if ((s->mode & NDT_PENDING_TRANSFER) && s->ntd < TD_MAX) {
        s->pending_td[s->ntd] = p;
        s->pending_td_bytes[s->ntd++] = bytes;
        NdisMSetTimer(&s->timer, 5);
        return NDIS_STATUS_PENDING;
    }
    *transferred = bytes;
    return NDIS_STATUS_SUCCESS;
}

/* ---- requests ---- */

static NDIS_STATUS finish(Adapter *s, int kind, NDIS_STATUS st)
{
    if (!(s->mode & NDT_PENDING_REQUESTS) || st != NDIS_STATUS_SUCCESS)
        return st;
    s->pending_req = kind;
    s->pending_status = st;
    NdisMSetTimer(&s->timer, 10);
    return NDIS_STATUS_PENDING;
}

static NDIS_STATUS NTAPI query(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf, ULONG len, PULONG written,
                               PULONG needed)
{
    Adapter *s = ctx;
    ULONG v = 0, n = 4;
    PVOID src = &v;
    s->c.queries++;
    switch (oid) {
    case OID_802_3_CURRENT_ADDRESS:
    case OID_802_3_PERMANENT_ADDRESS:
        src = mac;
        n = 6;
        break;
    case OID_GEN_MAXIMUM_FRAME_SIZE:
        v = 1500;
        break;
    case OID_GEN_MEDIA_CONNECT_STATUS:
        v = NdisMediaStateConnected;
        break;
    case OID_GEN_MAXIMUM_SEND_PACKETS:
        v = 4;
        break;
    case NDT_OID_COUNTERS:
        src = &s->c;
        n = sizeof s->c;
        break;
    default:
        return NDIS_STATUS_INVALID_OID;
    }
    if (len < n) {
        *needed = n;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    NdisMoveMemory(buf, src, n);
    *written = n;
    return oid == NDT_OID_COUNTERS ? NDIS_STATUS_SUCCESS : finish(s, 1, NDIS_STATUS_SUCCESS);
}

static NDIS_STATUS NTAPI set(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf, ULONG len, PULONG read,
                             PULONG needed)
{
    Adapter *s = ctx;
    ULONG v;
    s->c.sets++;
    if (oid == OID_802_3_MULTICAST_LIST) {
        if (len % 6 || len > 32 * 6) {
            *needed = 6;
            return NDIS_STATUS_INVALID_LENGTH;
        }
        s->c.mcast_entries = len / 6;
        *read = len;
        return finish(s, 2, NDIS_STATUS_SUCCESS);
    }
    if (len < 4) {
        *needed = 4;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    NdisMoveMemory(&v, buf, 4);
    *read = 4;
    switch (oid) {
    case OID_GEN_CURRENT_PACKET_FILTER:
        s->c.filter = v;
        break;
    case OID_GEN_CURRENT_LOOKAHEAD:
        s->c.lookahead = v;
        break;
    case NDT_OID_LINK:
        NdisMIndicateStatus(s->handle, v ? NDIS_STATUS_MEDIA_CONNECT : NDIS_STATUS_MEDIA_DISCONNECT,
                            NULL, 0);
        NdisMIndicateStatusComplete(s->handle);
        return NDIS_STATUS_SUCCESS;
    default:
        return NDIS_STATUS_INVALID_OID;
    }
    return finish(s, 2, NDIS_STATUS_SUCCESS);
}

/* ---- reset, hang, async memory ---- */

static BOOLEAN NTAPI check_for_hang(NDIS_HANDLE ctx)
{
    Adapter *s = ctx;
    s->c.hang_checks++;
    if ((s->mode & NDT_HANG) && !s->hang_reported) {
        s->hang_reported = TRUE;
        return TRUE;
    }
    return FALSE;
}

static NDIS_STATUS NTAPI reset(PBOOLEAN addressing, NDIS_HANDLE ctx)
{
    Adapter *s = ctx;
    s->c.resets++;
    *addressing = TRUE;
    return NDIS_STATUS_SUCCESS;
}

static VOID NTAPI allocate_complete(NDIS_HANDLE ctx, PVOID va, PNDIS_PHYSICAL_ADDRESS pa, ULONG len,
                                    PVOID c)
{
    Adapter *s = ctx;
    if (c != (PVOID)0x1234 || !va || pa->LowPart != (ULONG)va || len != 3000) {
        fail(s, "MiniportAllocateComplete arguments");
        return;
    }
    s->c.async_done++;
    s->async_va = va; /* freed in MiniportHalt: NdisMFreeSharedMemory is PASSIVE_LEVEL only */
    s->async_pa = *pa;
}

/* ---- initialize / halt ---- */

static VOID release(Adapter *s)
{
    ULONG i;
    for (i = 0; i < RX_SLOTS; i++) {
        if (s->slot[i].buffer)
            NdisFreeBuffer(s->slot[i].buffer);
        if (s->slot[i].packet)
            NdisFreePacket(s->slot[i].packet);
    }
    if (s->bpool)
        NdisFreeBufferPool(s->bpool);
    if (s->ppool)
        NdisFreePacketPool(s->ppool);
    if (s->have_intr)
        NdisMDeregisterInterrupt(&s->intr);
    if (s->have_ports)
        NdisMDeregisterIoPortRange(s->handle, s->io, NDT_PORTS, (PVOID)s->io);
    if (s->shared)
        NdisMFreeSharedMemory(s->handle, 8192, FALSE, s->shared, s->shared_pa);
    if (s->async_va)
        NdisMFreeSharedMemory(s->handle, 3000, FALSE, s->async_va, s->async_pa);
    if (s->have_map_regs)
        NdisMFreeMapRegisters(s->handle);
    NdisMDeregisterAdapterShutdownHandler(s->handle);
    the_adapter = NULL;
    NdisFreeMemory(s, sizeof *s, 0);
}

static VOID NTAPI shutdown(PVOID ctx)
{
}

static NDIS_STATUS NTAPI initialize(PNDIS_STATUS open_error, PUINT medium, PNDIS_MEDIUM media,
                                    UINT nmedia, NDIS_HANDLE handle, NDIS_HANDLE cfg_ctx)
{
    Adapter *s;
    NDIS_STATUS st;
    NDIS_HANDLE cfg;
    PNDIS_CONFIGURATION_PARAMETER p;
    UINT i, size = 0;
    UCHAR rbuf[256];
    PNDIS_RESOURCE_LIST rl = (PNDIS_RESOURCE_LIST)rbuf;

    for (i = 0; i < nmedia && media[i] != NdisMedium802_3; i++)
        ;
    if (i == nmedia)
        return NDIS_STATUS_UNSUPPORTED_MEDIA;
    *medium = i;
    if (NdisAllocateMemoryWithTag((PVOID *)&s, sizeof *s, TAG) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(s, sizeof *s);
    s->handle = handle;
    s->initializing = TRUE;
    the_adapter = s;

    NdisOpenConfiguration(&st, &cfg, cfg_ctx);
    if (st == NDIS_STATUS_SUCCESS) {
        NdisReadConfiguration(&st, &p, cfg, &kw_mode, NdisParameterInteger);
        if (st == NDIS_STATUS_SUCCESS)
            s->mode = p->ParameterData.IntegerData;
        if (s->mode & NDT_READ_BUS) {
            NDIS_STRING bus = RTL_CONSTANT_STRING(L"BusType"),
                        io = RTL_CONSTANT_STRING(L"IoBaseAddress"),
                        irq = RTL_CONSTANT_STRING(L"InterruptNumber");
            s->c.bus_type = read_both(s, cfg, &bus, "BusType");
            s->c.io_base = read_both(s, cfg, &io, "IoBaseAddress");
            s->c.int_number = read_both(s, cfg, &irq, "InterruptNumber");
        }
        NdisCloseConfiguration(cfg);
    }
    DbgPrint("ndistest: mode 0x%lx\n", s->mode);
    if (s->mode & NDT_FAIL_INIT) {
        NdisFreeMemory(s, sizeof *s, 0);
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }

    /* Too small first: NDIS says how much it needs. */
    NdisMQueryAdapterResources(&st, cfg_ctx, rl, &size);
    if (st != NDIS_STATUS_RESOURCES || size < sizeof(CM_PARTIAL_RESOURCE_LIST) ||
        size > sizeof rbuf)
        fail(s, "NdisMQueryAdapterResources with a zero-size buffer");
    size = sizeof rbuf;
    NdisMQueryAdapterResources(&st, cfg_ctx, rl, &size);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail;
    for (i = 0; i < rl->Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &rl->PartialDescriptors[i];
        if (d->Type == CmResourceTypePort)
            s->io = d->u.Port.Start.LowPart;
        else if (d->Type == CmResourceTypeInterrupt)
            s->irq = d->u.Interrupt.Vector;
    }
    if (!s->io || !s->irq) {
        fail(s, "resources lack a port range or an interrupt");
        goto fail;
    }

    NdisMSetAttributesEx(handle, s, 2,
                         NDIS_ATTRIBUTE_BUS_MASTER |
                             ((s->mode & NDT_DESERIALIZE) ? NDIS_ATTRIBUTE_DESERIALIZE : 0),
                         NdisInterfaceIsa);
    {
        PVOID off;
        if (NdisMRegisterIoPortRange(&off, handle, s->io + NDT_PORTS, 4) == NDIS_STATUS_SUCCESS)
            fail(s, "NdisMRegisterIoPortRange accepted ports outside the resources");
        st = NdisMRegisterIoPortRange(&off, handle, s->io, NDT_PORTS);
        if (st != NDIS_STATUS_SUCCESS || (ULONG)off != s->io)
            goto fail;
        s->have_ports = TRUE;
    }
    if (s->mode & NDT_SG_DMA) {
        if (NdisMInitializeScatterGatherDma(handle, FALSE, FRAME_MAX) != NDIS_STATUS_SUCCESS)
            goto fail;
    } else {
        if (NdisMAllocateMapRegisters(handle, 0, NDIS_DMA_32BITS, 1, FRAME_MAX) !=
            NDIS_STATUS_SUCCESS)
            goto fail;
        s->have_map_regs = TRUE;
    }
    NdisMAllocateSharedMemory(handle, 8192, FALSE, &s->shared, &s->shared_pa);
    if (!s->shared || ((ULONG)s->shared & 0xFFF) || s->shared_pa.LowPart != (ULONG)s->shared ||
        NdisMGetDmaAlignment(handle) == 0)
        fail(s, "NdisMAllocateSharedMemory");
    {
        /* Regression "e1000 descriptor ring at ...aa8": a small block is
         * page aligned too, as the HAL's common buffers are; vendor drivers
         * put 16-byte aligned descriptor rings straight into it. */
        PVOID small = NULL;
        NDIS_PHYSICAL_ADDRESS small_pa;
        NdisMAllocateSharedMemory(handle, 24, FALSE, &small, &small_pa);
        if (!small || ((ULONG)small & 0xFFF) || small_pa.LowPart != (ULONG)small)
            fail(s, "a small NdisMAllocateSharedMemory block is not page aligned");
        if (small)
            NdisMFreeSharedMemory(handle, 24, FALSE, small, small_pa);
    }
    if (s->mode & NDT_ASYNC_SHARED)
        if (NdisMAllocateSharedMemoryAsync(handle, 3000, FALSE, (PVOID)0x1234) !=
            NDIS_STATUS_PENDING)
            fail(s, "NdisMAllocateSharedMemoryAsync");

    NdisAllocatePacketPool(&st, &s->ppool, RX_SLOTS, PROTOCOL_RESERVED_SIZE_IN_PACKET);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail;
    NdisAllocateBufferPool(&st, &s->bpool, RX_SLOTS);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail;
    for (i = 0; i < RX_SLOTS; i++) {
        NdisAllocatePacket(&st, &s->slot[i].packet, s->ppool);
        if (st != NDIS_STATUS_SUCCESS)
            goto fail;
        NdisAllocateBuffer(&st, &s->slot[i].buffer, s->bpool, s->slot[i].data, FRAME_MAX);
        if (st != NDIS_STATUS_SUCCESS)
            goto fail;
        NdisChainBufferAtFront(s->slot[i].packet, s->slot[i].buffer);
    }
    NdisMInitializeTimer(&s->timer, handle, timer_fn, s);

    st = NdisMRegisterInterrupt(&s->intr, handle, s->irq, s->irq, (s->mode & NDT_NO_ISR) == 0,
                                (s->mode & NDT_SHARED) != 0, NdisInterruptLatched);
    if (st != NDIS_STATUS_SUCCESS)
        goto fail;
    s->have_intr = TRUE;
    if (s->mode & NDT_INIT_IRQ) {
        /* interrupt-line self test: ring, then wait up to 10 ms for the ISR */
        ULONG waited;
        NdisRawWritePortUchar(s->io + NDT_PORT_DOORBELL, 1);
        for (waited = 0; waited < 1000 && !s->c.init_isr; waited++)
            NdisStallExecution(10);
        if (!s->c.init_isr)
            fail(s, "no MiniportISR for an interrupt during MiniportInitialize");
    }
    NdisMRegisterAdapterShutdownHandler(handle, s, shutdown);
    s->initializing = FALSE;
    return NDIS_STATUS_SUCCESS;
fail:
    DbgPrint("ndistest: initialize failed: %08lx\n", (ULONG)st);
    release(s);
    return NDIS_STATUS_FAILURE;
}

static VOID NTAPI halt(NDIS_HANDLE ctx)
{
    Adapter *s = ctx;
    BOOLEAN cancelled;
    if (s->c.failures)
        DbgPrint("ndistest: %lu failure(s)\n", s->c.failures);
    if (s->mode & NDT_LEAK) {
        /* Leave the interrupt, the ports, the shared memory, the map
         * registers and a running timer to NDIS: its halt report must name
         * them. */
        NdisMSetPeriodicTimer(&s->timer, 1000);
        the_adapter = NULL;
        return;
    }
    NdisMCancelTimer(&s->timer, &cancelled);
    release(s);
}

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_HANDLE wrapper = NULL;
    NDIS51_MINIPORT_CHARACTERISTICS ch;
    NDIS_STATUS st;
    ULONG mode = 0;

    NdisMInitializeWrapper(&wrapper, DriverObject, RegistryPath, NULL);
    if (!wrapper)
        return NDIS_STATUS_FAILURE;
    /* The send style is fixed at registration: the Mode parameter is read
     * here from the service key as well (xdrv's --param). */
    {
        OBJECT_ATTRIBUTES oa;
        HANDLE key;
        UNICODE_STRING path, name = RTL_CONSTANT_STRING(L"Mode");
        WCHAR pbuf[256];
        UCHAR vbuf[sizeof(KEY_VALUE_PARTIAL_INFORMATION) + 8];
        ULONG got;
        path.Buffer = pbuf;
        path.Length = 0;
        path.MaximumLength = sizeof pbuf;
        RtlCopyUnicodeString(&path, RegistryPath);
        RtlAppendUnicodeToString(&path, L"\\Parameters");
        InitializeObjectAttributes(&oa, &path, OBJ_CASE_INSENSITIVE | OBJ_KERNEL_HANDLE, NULL,
                                   NULL);
        if (NT_SUCCESS(ZwOpenKey(&key, KEY_READ, &oa))) {
            if (NT_SUCCESS(ZwQueryValueKey(key, &name, KeyValuePartialInformation, vbuf,
                                           sizeof vbuf, &got))) {
                PKEY_VALUE_PARTIAL_INFORMATION v = (PKEY_VALUE_PARTIAL_INFORMATION)vbuf;
                if (v->Type == REG_DWORD)
                    mode = *(PULONG)v->Data;
            }
            ZwClose(key);
        }
    }
    NdisZeroMemory(&ch, sizeof ch);
    ch.MajorNdisVersion = 5;
    ch.MinorNdisVersion = 1;
    ch.CheckForHangHandler = check_for_hang;
    if (!(mode & NDT_NO_DISABLE))
        ch.DisableInterruptHandler = disable_interrupt;
    if (!(mode & (NDT_NO_ENABLE | NDT_NO_DISABLE)))
        ch.EnableInterruptHandler = enable_interrupt;
    ch.HaltHandler = halt;
    ch.HandleInterruptHandler = handle_interrupt;
    ch.InitializeHandler = initialize;
    ch.ISRHandler = isr;
    ch.QueryInformationHandler = query;
    ch.ResetHandler = reset;
    ch.SetInformationHandler = set;
    ch.TransferDataHandler = transfer_data;
    ch.ReturnPacketHandler = return_packet;
    ch.AllocateCompleteHandler = allocate_complete;
    if (mode & NDT_SINGLE_SEND)
        ch.SendHandler = send;
    else
        ch.SendPacketsHandler = send_packets;
    st = NdisMRegisterMiniport(wrapper, (PNDIS_MINIPORT_CHARACTERISTICS)&ch, sizeof ch);
    if (st != NDIS_STATUS_SUCCESS) {
        NdisTerminateWrapper(wrapper, NULL);
        return st;
    }
    return STATUS_SUCCESS;
}
