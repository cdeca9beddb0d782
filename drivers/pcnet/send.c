/* Transmit: MiniportSendPackets, the driver's send queue, and descriptor
 * completion (datasheet "Transmit Operation", "Transmit Descriptors",
 * TMD0-TMD2). NDIS maps each send packet for the bus master before
 * MiniportSendPackets sees it (NdisMInitializeScatterGatherDma) and leaves
 * the SCATTER_GATHER_LIST in its ScatterGatherListPacketInfo. Each element
 * gets its own descriptor: STP on the first, ENP on the last (TMD1). OWN
 * goes on the STP descriptor only after the rest of the chain is the
 * chip's: a chip that polls the ring meanwhile finds no STP it owns and
 * waits, instead of starting a frame whose next descriptor it does not own
 * yet (which ends the frame with BUFF and UFLO, TMD2). A
 * list with more elements than there are free descriptors is copied into
 * a shared-memory bounce buffer and sent from one descriptor. CSR4
 * APAD_XMT pads short frames, the chip appends the FCS.
 *
 * Deserialized: NDIS hands every packet over; the driver queues what does
 * not fit in the ring and completes each one with NdisMSendComplete,
 * always outside its lock (NDIS may call MiniportSendPackets from inside
 * NdisMSendComplete). */
#include "pcnet.h"

static void pcn_list_add(PcnPktList *l, PNDIS_PACKET p, NDIS_STATUS status)
{
    PCN_PKT_STATUS(p) = status;
    PCN_PKT_NEXT(p) = NULL;
    if (l->tail != NULL)
        PCN_PKT_NEXT(l->tail) = p;
    else
        l->head = p;
    l->tail = p;
}

void pcn_complete_list(PcnAdapter *s, PcnPktList *list)
{
    PNDIS_PACKET p = list->head;

    while (p != NULL) {
        PNDIS_PACKET next = PCN_PKT_NEXT(p);
        NdisMSendComplete(s->handle, p, PCN_PKT_STATUS(p));
        p = next;
    }
    list->head = list->tail = NULL;
}

static void pcn_txq_push_tail(PcnAdapter *s, PNDIS_PACKET p)
{
    PCN_PKT_NEXT(p) = NULL;
    if (s->txq_tail != NULL)
        PCN_PKT_NEXT(s->txq_tail) = p;
    else
        s->txq_head = p;
    s->txq_tail = p;
    s->txq_len++;
}

static void pcn_txq_push_head(PcnAdapter *s, PNDIS_PACKET p)
{
    PCN_PKT_NEXT(p) = s->txq_head;
    s->txq_head = p;
    if (s->txq_tail == NULL)
        s->txq_tail = p;
    s->txq_len++;
}

static PNDIS_PACKET pcn_txq_pop(PcnAdapter *s)
{
    PNDIS_PACKET p = s->txq_head;

    if (p != NULL) {
        s->txq_head = PCN_PKT_NEXT(p);
        if (s->txq_head == NULL)
            s->txq_tail = NULL;
        s->txq_len--;
    }
    return p;
}

/* Copy the packet's buffer chain to dst; 0 if it does not fit in max
 * bytes or a buffer cannot be mapped. */
static ULONG pcn_copy_packet(PNDIS_PACKET packet, PUCHAR dst, ULONG max)
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

/* Hand descriptors first..first+n-1 (already filled in, OWN clear) to the
 * chip: the followers first, the STP descriptor last. */
static void pcn_tx_give(PcnAdapter *s, ULONG first, ULONG n, const ULONG *flags)
{
    ULONG i;

    for (i = n; i-- > 1;) {
        volatile PcnDesc *d = &s->sh->tx[(first + i) % PCN_TX_DESCS];
        d->flags = flags[i] | PCN_DESC_OWN;
    }
    KeMemoryBarrier();
    s->sh->tx[first].flags = flags[0] | PCN_DESC_OWN;
    KeMemoryBarrier();
}

static void pcn_tx_fill(PcnAdapter *s, ULONG idx, ULONG addr)
{
    volatile PcnDesc *d = &s->sh->tx[idx];

    d->flags = 0; /* OWN clear while the rest is written */
    d->addr = addr;
    d->misc = 0;
    d->user = 0;
}

static LONG pcn_bounce_get(PcnAdapter *s)
{
    LONG i;

    for (i = 0; i < (LONG)PCN_TX_BOUNCE; i++) {
        if (s->bounce_free & (1u << i)) {
            s->bounce_free &= ~(1u << i);
            return i;
        }
    }
    return -1;
}

/* Element count of the packet's SG list without zero-length elements, or
 * 0 when the list cannot be used as it is (missing, or above 4 GB). */
static ULONG pcn_sg_count(PSCATTER_GATHER_LIST sg, ULONG *total)
{
    ULONG i, n = 0;

    *total = 0;
    if (sg == NULL)
        return 0;
    for (i = 0; i < sg->NumberOfElements; i++) {
        if (sg->Elements[i].Length == 0)
            continue;
        if (sg->Elements[i].Address.HighPart != 0 || sg->Elements[i].Length > PCN_DESC_BCNT)
            return 0;
        *total += sg->Elements[i].Length;
        n++;
    }
    return n;
}

/* Put one packet in the ring, zero-copy or through a bounce buffer.
 * FALSE when there is no room now (the packet stays queued); a packet that
 * can never be sent goes to done with an error. */
static BOOLEAN pcn_tx_place(PcnAdapter *s, PNDIS_PACKET p, PcnPktList *done, BOOLEAN *posted)
{
    PSCATTER_GATHER_LIST sg =
        (PSCATTER_GATHER_LIST)NDIS_PER_PACKET_INFO_FROM_PACKET(p, ScatterGatherListPacketInfo);
    UINT total = 0;
    ULONG sg_total, n, i, k;
    ULONG flags[PCN_TX_DESCS];
    PcnTxRec *rec;

    NdisQueryPacket(p, NULL, NULL, NULL, &total);
    if (total < PCN_ETH_HEADER || total > PCN_ETH_MAX_FRAME) {
        s->xmit_error++;
        pcn_list_add(done, p, NDIS_STATUS_INVALID_PACKET);
        return TRUE;
    }
    if (s->tx_free == 0 || s->rec_count == PCN_TX_DESCS)
        return FALSE;
    rec = &s->tx_rec[s->rec_head];
    n = pcn_sg_count(sg, &sg_total);
    if (n != 0 && sg_total == total && n <= s->tx_free) {
        /* Zero-copy: one descriptor per element. */
        rec->first = s->tx_next;
        rec->count = n;
        rec->bounce = -1;
        for (i = 0, k = 0; i < sg->NumberOfElements; i++) {
            ULONG len = sg->Elements[i].Length;
            if (len == 0)
                continue;
            pcn_tx_fill(s, (rec->first + k) % PCN_TX_DESCS, sg->Elements[i].Address.LowPart);
            flags[k] = PCN_DESC_ONES | PCN_BCNT(len);
            k++;
        }
        flags[0] |= PCN_DESC_STP;
        flags[n - 1] |= PCN_DESC_ENP;
        s->xmit_zero_copy++;
    } else {
        /* Bounce: the whole frame from one descriptor. */
        LONG b = pcn_bounce_get(s);
        PUCHAR dst;
        ULONG len;

        if (b < 0)
            return FALSE;
        dst = s->bounce + (ULONG)b * PCN_BUF_SIZE;
        len = pcn_copy_packet(p, dst, PCN_ETH_MAX_FRAME);
        if (len < PCN_ETH_HEADER) {
            s->bounce_free |= 1u << b;
            s->xmit_error++;
            pcn_list_add(done, p, NDIS_STATUS_INVALID_PACKET);
            return TRUE;
        }
        rec->first = s->tx_next;
        rec->count = 1;
        rec->bounce = b;
        pcn_tx_fill(s, rec->first, s->bounce_pa.LowPart + (ULONG)b * PCN_BUF_SIZE);
        flags[0] = PCN_DESC_STP | PCN_DESC_ENP | PCN_DESC_ONES | PCN_BCNT(len);
        s->xmit_bounced++;
    }
    rec->packet = p;
    pcn_tx_give(s, rec->first, rec->count, flags);
    s->tx_next = (rec->first + rec->count) % PCN_TX_DESCS;
    s->tx_free -= rec->count;
    s->rec_head = (s->rec_head + 1) % PCN_TX_DESCS;
    s->rec_count++;
    *posted = TRUE;
    return TRUE;
}

/* Move queued packets into the ring while they fit. TRUE if any went in
 * (the caller then gives TDMD). Called with the lock held. */
BOOLEAN pcn_tx_post_locked(PcnAdapter *s, PcnPktList *done)
{
    BOOLEAN posted = FALSE;

    if (!s->started || s->hw_error)
        return FALSE;
    while (s->txq_head != NULL) {
        /* Off the queue first: a rejected packet's link field goes to done. */
        PNDIS_PACKET p = pcn_txq_pop(s);
        if (!pcn_tx_place(s, p, done, &posted)) {
            pcn_txq_push_head(s, p);
            break;
        }
    }
    return posted;
}

/* Release the ring entries of the oldest record. */
static void pcn_tx_release(PcnAdapter *s, PcnTxRec *rec)
{
    ULONG i;

    for (i = 0; i < rec->count; i++) {
        volatile PcnDesc *d = &s->sh->tx[(rec->first + i) % PCN_TX_DESCS];
        d->flags = 0;
        d->addr = 0;
    }
    if (rec->bounce >= 0)
        s->bounce_free |= 1u << rec->bounce;
    s->tx_free += rec->count;
    rec->packet = NULL;
    s->rec_tail = (s->rec_tail + 1) % PCN_TX_DESCS;
    s->rec_count--;
}

/* Complete the packets the chip is done with, oldest first: a packet is
 * done when every one of its descriptors has OWN clear (the chip writes
 * the ENP descriptor last). Called with the lock held. */
static void pcn_tx_reclaim_locked(PcnAdapter *s, PcnPktList *done)
{
    while (s->rec_count > 0) {
        PcnTxRec *rec = &s->tx_rec[s->rec_tail];
        ULONG i, tmd1_or = 0, tmd2 = 0;
        PNDIS_PACKET p;

        for (i = 0; i < rec->count; i++) {
            volatile PcnDesc *d = &s->sh->tx[(rec->first + i) % PCN_TX_DESCS];
            ULONG f = d->flags;
            if (f & PCN_DESC_OWN)
                return;
            tmd1_or |= f;
            if (f & PCN_DESC_ERR)
                tmd2 |= d->misc;
        }
        if (tmd1_or & PCN_DESC_ERR) {
            s->xmit_error++;
            if (tmd2 & PCN_TMD2_UFLO)
                s->xmit_underrun++;
            if (tmd2 & PCN_TMD2_LCOL)
                s->xmit_late_coll++;
            if (tmd2 & PCN_TMD2_LCAR)
                s->xmit_crs_lost++;
            if (tmd2 & PCN_TMD2_RTRY)
                s->xmit_max_coll++;
        } else {
            s->xmit_ok++;
            if (tmd1_or & PCN_TMD1_ONE)
                s->xmit_one_coll++;
            else if (tmd1_or & PCN_TMD1_MORE)
                s->xmit_more_coll++;
            if (tmd1_or & PCN_TMD1_DEF)
                s->xmit_deferred++;
        }
        p = rec->packet;
        pcn_tx_release(s, rec);
        s->tx_done++;
        pcn_list_add(done, p, (tmd1_or & PCN_DESC_ERR) ? NDIS_STATUS_FAILURE : NDIS_STATUS_SUCCESS);
    }
}

/* After STOP: complete what was sent, then take the rest out of the ring,
 * either back to the head of the queue in order (a filter restart) or
 * aborted (a reset). The ring is empty afterwards, as INIT expects. */
void pcn_tx_unring_locked(PcnAdapter *s, PcnRestart how, PcnPktList *done)
{
    ULONG n, i;
    PNDIS_PACKET back[PCN_TX_DESCS];

    pcn_tx_reclaim_locked(s, done);
    n = 0;
    while (s->rec_count > 0) {
        PcnTxRec *rec = &s->tx_rec[s->rec_tail];
        back[n++] = rec->packet;
        pcn_tx_release(s, rec);
    }
    for (i = n; i-- > 0;) {
        if (how == PCN_RESTART_FILTER) {
            pcn_txq_push_head(s, back[i]);
        } else {
            s->xmit_error++;
            pcn_list_add(done, back[n - 1 - i], NDIS_STATUS_REQUEST_ABORTED);
        }
    }
    NdisZeroMemory(s->sh->tx, sizeof s->sh->tx);
    s->tx_next = 0;
    s->tx_free = PCN_TX_DESCS;
    s->rec_head = s->rec_tail = s->rec_count = 0;
}

/* Everything still queued goes back with status. Lock held. */
void pcn_tx_flush_queue_locked(PcnAdapter *s, PcnPktList *done, NDIS_STATUS status)
{
    PNDIS_PACKET p;

    while ((p = pcn_txq_pop(s)) != NULL)
        pcn_list_add(done, p, status);
}

/* TINT (and after every DPC round): reclaim, refill from the queue,
 * demand a poll, then complete outside the lock. */
void pcn_tx_complete(PcnAdapter *s, BOOLEAN dpc)
{
    PcnPktList done = {NULL, NULL};
    BOOLEAN posted;

    if (dpc)
        NdisDprAcquireSpinLock(&s->lock);
    else
        NdisAcquireSpinLock(&s->lock);
    pcn_tx_reclaim_locked(s, &done);
    posted = pcn_tx_post_locked(s, &done);
    if (dpc)
        NdisDprReleaseSpinLock(&s->lock);
    else
        NdisReleaseSpinLock(&s->lock);
    if (posted)
        pcn_sync_tdmd(s);
    pcn_complete_list(s, &done);
}

VOID NTAPI pcn_send_packets(NDIS_HANDLE MiniportAdapterContext, PPNDIS_PACKET PacketArray,
                            UINT NumberOfPackets)
{
    PcnAdapter *s = MiniportAdapterContext;
    PcnPktList done = {NULL, NULL};
    BOOLEAN posted = FALSE;
    UINT i;

    NdisAcquireSpinLock(&s->lock);
    for (i = 0; i < NumberOfPackets; i++) {
        PNDIS_PACKET p = PacketArray[i];

        TEST_SEND_HOOK();
        /* Deserialized: every packet comes back through NdisMSendComplete. */
        NDIS_SET_PACKET_STATUS(p, NDIS_STATUS_PENDING);
        if (s->removed || s->halting || s->hw_error) {
            s->xmit_error++;
            pcn_list_add(&done, p, s->removed ? NDIS_STATUS_ADAPTER_REMOVED : NDIS_STATUS_FAILURE);
            continue;
        }
        pcn_txq_push_tail(s, p);
    }
    posted = pcn_tx_post_locked(s, &done);
    NdisReleaseSpinLock(&s->lock);
    if (posted)
        pcn_sync_tdmd(s);
    pcn_complete_list(s, &done);
}
