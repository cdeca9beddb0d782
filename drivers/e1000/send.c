/* Transmit: MiniportSendPackets, the driver's send queue, and descriptor
 * completion (§3.3 "Packet Transmission", §3.3.3 legacy transmit
 * descriptors). NDIS maps each send packet for the bus master before
 * MiniportSendPackets sees it (NdisMInitializeScatterGatherDma) and leaves
 * the SCATTER_GATHER_LIST in its ScatterGatherListPacketInfo. Each element
 * gets its own legacy descriptor (CMD.DEXT 0): IFCS on every one, EOP and
 * RS on the last, whose DD the chip writes back when the packet is done
 * (§3.3.3.1, §3.3.3.2). The ring belongs to the chip from TDH to TDT - 1;
 * the driver fills descriptors at TDT and then moves TDT past them (§3.4
 * "Transmit Descriptor Ring Structure"), so the chip never sees a packet
 * half-written. One descriptor is always left empty: TDT == TDH means an
 * empty ring. A list with more elements than E1K_TX_MAX_SG is copied into
 * a shared-memory bounce buffer and sent from one descriptor. TCTL.PSP
 * pads short frames; IFCS appends the FCS.
 *
 * Deserialized: NDIS hands every packet over; the driver queues what does
 * not fit in the ring and completes each one with NdisMSendComplete,
 * always outside its lock (NDIS may call MiniportSendPackets from inside
 * NdisMSendComplete). */
#include "e1000.h"

static void e1k_list_add(E1kPktList *l, PNDIS_PACKET p, NDIS_STATUS status)
{
    E1K_PKT_STATUS(p) = status;
    E1K_PKT_NEXT(p) = NULL;
    if (l->tail != NULL)
        E1K_PKT_NEXT(l->tail) = p;
    else
        l->head = p;
    l->tail = p;
}

void e1k_complete_list(E1kAdapter *s, E1kPktList *list)
{
    PNDIS_PACKET p = list->head;

    while (p != NULL) {
        PNDIS_PACKET next = E1K_PKT_NEXT(p);
        NdisMSendComplete(s->handle, p, E1K_PKT_STATUS(p));
        p = next;
    }
    list->head = list->tail = NULL;
}

static void e1k_txq_push_tail(E1kAdapter *s, PNDIS_PACKET p)
{
    E1K_PKT_NEXT(p) = NULL;
    if (s->txq_tail != NULL)
        E1K_PKT_NEXT(s->txq_tail) = p;
    else
        s->txq_head = p;
    s->txq_tail = p;
    s->txq_len++;
}

static void e1k_txq_push_head(E1kAdapter *s, PNDIS_PACKET p)
{
    E1K_PKT_NEXT(p) = s->txq_head;
    s->txq_head = p;
    if (s->txq_tail == NULL)
        s->txq_tail = p;
    s->txq_len++;
}

static PNDIS_PACKET e1k_txq_pop(E1kAdapter *s)
{
    PNDIS_PACKET p = s->txq_head;

    if (p != NULL) {
        s->txq_head = E1K_PKT_NEXT(p);
        if (s->txq_head == NULL)
            s->txq_tail = NULL;
        s->txq_len--;
    }
    return p;
}

/* Copy the packet's buffer chain to dst; 0 if it does not fit in max
 * bytes or a buffer cannot be mapped. */
static ULONG e1k_copy_packet(PNDIS_PACKET packet, PUCHAR dst, ULONG max)
{
    PNDIS_BUFFER buf = NULL;
    UINT total = 0;
    ULONG copied = 0;

    NdisQueryPacket(packet, NULL, NULL, &buf, &total);
    if (total > max)
        return 0;
    while (buf != NULL) {
        PVOID va = NULL;
        UINT len = 0;

        NdisQueryBufferSafe(buf, &va, &len, NormalPagePriority);
        if (len != 0) {
            if (va == NULL || len > max - copied)
                return 0;
            NdisMoveMemory(dst + copied, va, len);
            copied += len;
        }
        NdisGetNextBuffer(buf, &buf);
    }
    return copied;
}

static void e1k_tx_fill(E1kAdapter *s, ULONG idx, ULONG addr_lo, ULONG addr_hi, ULONG len,
                        UCHAR cmd)
{
    volatile E1kTxDesc *d = &s->sh->tx[idx];

    d->addr_lo = addr_lo;
    d->addr_hi = addr_hi;
    d->length = (USHORT)len;
    d->cso = 0;
    d->cmd = cmd;
    d->status = 0;
    d->css = 0;
    d->special = 0;
}

static LONG e1k_bounce_get(E1kAdapter *s)
{
    LONG i;

    for (i = 0; i < (LONG)E1K_TX_BOUNCE; i++) {
        if (s->bounce_free & (1u << i)) {
            s->bounce_free &= ~(1u << i);
            return i;
        }
    }
    return -1;
}

/* Element count of the packet's SG list without zero-length elements, or
 * 0 when the list cannot be used as it is (missing, or an element longer
 * than a descriptor takes). */
static ULONG e1k_sg_count(PSCATTER_GATHER_LIST sg, ULONG *total)
{
    ULONG i, n = 0;

    *total = 0;
    if (sg == NULL)
        return 0;
    for (i = 0; i < sg->NumberOfElements; i++) {
        if (sg->Elements[i].Length == 0)
            continue;
        if (sg->Elements[i].Length > E1K_ETH_MAX_FRAME)
            return 0;
        *total += sg->Elements[i].Length;
        n++;
    }
    return n;
}

/* Put one packet in the ring, zero-copy or through a bounce buffer.
 * FALSE when there is no room now (the packet stays queued); a packet that
 * can never be sent goes to done with an error. */
static BOOLEAN e1k_tx_place(E1kAdapter *s, PNDIS_PACKET p, E1kPktList *done)
{
    PSCATTER_GATHER_LIST sg =
        (PSCATTER_GATHER_LIST)NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo);
    UINT total = 0;
    ULONG sg_total, n, i, k;
    E1kTxRec *rec;

    NdisQueryPacket(p, NULL, NULL, NULL, &total);
    if (total < E1K_ETH_HEADER || total > E1K_ETH_MAX_FRAME) {
        s->sw_xmit_error++;
        e1k_list_add(done, p, NDIS_STATUS_INVALID_PACKET);
        return TRUE;
    }
    if (s->tx_free == 0)
        return FALSE;
    rec = &s->tx_rec[s->rec_head];
    n = e1k_sg_count(sg, &sg_total);
    if (n != 0 && sg_total == total && n <= E1K_TX_MAX_SG) {
        /* Zero-copy: one descriptor per element. */
        if (n > s->tx_free)
            return FALSE;
        rec->first = s->tx_next;
        rec->count = n;
        rec->bounce = -1;
        for (i = 0, k = 0; i < sg->NumberOfElements; i++) {
            ULONG len = sg->Elements[i].Length;
            if (len == 0)
                continue;
            k++;
            e1k_tx_fill(
                s, (rec->first + k - 1) % E1K_TX_DESCS, sg->Elements[i].Address.LowPart,
                (ULONG)sg->Elements[i].Address.HighPart, len,
                (UCHAR)(E1K_TXD_CMD_IFCS | (k == n ? E1K_TXD_CMD_EOP | E1K_TXD_CMD_RS : 0)));
        }
        s->xmit_zero_copy++;
    } else {
        /* Bounce: the whole frame from one descriptor. */
        LONG b = e1k_bounce_get(s);
        PUCHAR dst;
        ULONG len;

        if (b < 0)
            return FALSE;
        dst = s->bounce + (ULONG)b * E1K_BUF_SIZE;
        len = e1k_copy_packet(p, dst, E1K_ETH_MAX_FRAME);
        if (len < E1K_ETH_HEADER) {
            s->bounce_free |= 1u << b;
            s->sw_xmit_error++;
            e1k_list_add(done, p, NDIS_STATUS_INVALID_PACKET);
            return TRUE;
        }
        rec->first = s->tx_next;
        rec->count = 1;
        rec->bounce = b;
        e1k_tx_fill(s, rec->first, s->bounce_pa.LowPart + (ULONG)b * E1K_BUF_SIZE,
                    (ULONG)s->bounce_pa.HighPart, len,
                    E1K_TXD_CMD_IFCS | E1K_TXD_CMD_EOP | E1K_TXD_CMD_RS);
        s->xmit_bounced++;
    }
    rec->packet = p;
    s->tx_next = (rec->first + rec->count) % E1K_TX_DESCS;
    s->tx_free -= rec->count;
    s->rec_head = (s->rec_head + 1) % E1K_TX_DESCS;
    s->rec_count++;
    return TRUE;
}

/* Move queued packets into the ring while they fit. TRUE if any went in:
 * the caller then writes TDT (still under the lock, so two writers never
 * move it backwards). Lock held. */
BOOLEAN e1k_tx_post_locked(E1kAdapter *s, E1kPktList *done)
{
    ULONG before = s->tx_next;

    if (!s->started || s->hw_error)
        return FALSE;
    while (s->txq_head != NULL) {
        /* Off the queue first: a rejected packet's link field goes to done. */
        PNDIS_PACKET p = e1k_txq_pop(s);
        if (!e1k_tx_place(s, p, done)) {
            e1k_txq_push_head(s, p);
            break;
        }
    }
    if (s->tx_next == before)
        return FALSE;
    /* The descriptors are in memory before the chip may fetch them. */
    KeMemoryBarrier();
    return TRUE;
}

/* Release the ring entries of the oldest record. */
static void e1k_tx_release(E1kAdapter *s, E1kTxRec *rec)
{
    ULONG i;

    for (i = 0; i < rec->count; i++) {
        volatile E1kTxDesc *d = &s->sh->tx[(rec->first + i) % E1K_TX_DESCS];
        d->status = 0;
        d->cmd = 0;
        d->length = 0;
        d->addr_lo = 0;
        d->addr_hi = 0;
    }
    if (rec->bounce >= 0)
        s->bounce_free |= 1u << rec->bounce;
    s->tx_free += rec->count;
    rec->packet = NULL;
    s->rec_tail = (s->rec_tail + 1) % E1K_TX_DESCS;
    s->rec_count--;
}

/* Complete the packets the chip is done with, oldest first: a packet is
 * done when its EOP descriptor (the one with RS) has DD. EC (excess
 * collisions: not sent) or LC (late collision) make it a failure. Lock
 * held. */
static void e1k_tx_reclaim_locked(E1kAdapter *s, E1kPktList *done)
{
    while (s->rec_count > 0) {
        E1kTxRec *rec = &s->tx_rec[s->rec_tail];
        ULONG last = (rec->first + rec->count - 1) % E1K_TX_DESCS;
        UCHAR sta = s->sh->tx[last].status;
        PNDIS_PACKET p;
        BOOLEAN bad;

        if (!(sta & E1K_TXD_STAT_DD))
            return;
        bad = (sta & (E1K_TXD_STAT_EC | E1K_TXD_STAT_LC)) != 0;
        if (bad)
            s->sw_xmit_error++;
        if (sta & E1K_TXD_STAT_TU)
            s->sw_xmit_underrun++;
        p = rec->packet;
        e1k_tx_release(s, rec);
        s->tx_done++;
        e1k_list_add(done, p, bad ? NDIS_STATUS_FAILURE : NDIS_STATUS_SUCCESS);
    }
}

/* After a device reset (TDH back to 0): complete what was sent, abort the
 * rest with status, and empty the ring, as the next start expects. Lock
 * held. */
void e1k_tx_abort_ring_locked(E1kAdapter *s, E1kPktList *done, NDIS_STATUS status)
{
    e1k_tx_reclaim_locked(s, done);
    while (s->rec_count > 0) {
        E1kTxRec *rec = &s->tx_rec[s->rec_tail];
        PNDIS_PACKET p = rec->packet;
        e1k_tx_release(s, rec);
        s->sw_xmit_error++;
        e1k_list_add(done, p, status);
    }
    NdisZeroMemory(s->sh->tx, sizeof s->sh->tx);
    s->tx_next = 0;
    s->tx_free = E1K_TX_DESCS - 1;
    s->rec_head = s->rec_tail = s->rec_count = 0;
}

/* Everything still queued goes back with status. Lock held. */
void e1k_tx_flush_queue_locked(E1kAdapter *s, E1kPktList *done, NDIS_STATUS status)
{
    PNDIS_PACKET p;

    while ((p = e1k_txq_pop(s)) != NULL)
        e1k_list_add(done, p, status);
}

/* TXDW, in the DPC: reclaim, refill from the queue, move TDT, then
 * complete outside the lock. */
void e1k_tx_complete(E1kAdapter *s)
{
    E1kPktList done = {NULL, NULL};

    NdisDprAcquireSpinLock(&s->lock);
    e1k_tx_reclaim_locked(s, &done);
    if (e1k_tx_post_locked(s, &done))
        e1k_wr(s, E1K_TDT, s->tx_next);
    NdisDprReleaseSpinLock(&s->lock);
    e1k_complete_list(s, &done);
}

VOID NTAPI e1k_send_packets(NDIS_HANDLE MiniportAdapterContext, PPNDIS_PACKET PacketArray,
                            UINT NumberOfPackets)
{
    E1kAdapter *s = MiniportAdapterContext;
    E1kPktList done = {NULL, NULL};
    UINT i;

#ifdef TEST_FAULT_ON_SEND
    /* Test build: the TEST_FAULT_ON_SEND-th packet sent makes the driver
     * read through a NULL pointer (a real page fault in the guest). The
     * register keeps the optimizer from turning it into a trap. */
    s->test_sends += NumberOfPackets;
    if (s->test_sends >= (ULONG)(TEST_FAULT_ON_SEND) &&
        s->test_sends - NumberOfPackets < (ULONG)(TEST_FAULT_ON_SEND)) {
        volatile ULONG *null_ptr;
        __asm__ volatile("xorl %0, %0" : "=r"(null_ptr));
        DbgPrint("e1000: test build: send %lu reads through NULL\n", s->test_sends);
        s->test_sends += *null_ptr;
    }
#endif

    NdisAcquireSpinLock(&s->lock);
    for (i = 0; i < NumberOfPackets; i++) {
        PNDIS_PACKET p = PacketArray[i];

        /* Deserialized: every packet comes back through NdisMSendComplete. */
        NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_PENDING);
        if (s->removed || s->halting || s->hw_error) {
            s->sw_xmit_error++;
            e1k_list_add(&done, p, s->removed ? NDIS_STATUS_ADAPTER_REMOVED : NDIS_STATUS_FAILURE);
            continue;
        }
        e1k_txq_push_tail(s, p);
    }
    if (e1k_tx_post_locked(s, &done))
        e1k_wr(s, E1K_TDT, s->tx_next);
    NdisReleaseSpinLock(&s->lock);
    e1k_complete_list(s, &done);
}
