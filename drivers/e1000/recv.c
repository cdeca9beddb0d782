/* Receive: the descriptor ring walk and MiniportReturnPacket (§3.2
 * "Packet Reception", §3.2.3 legacy receive descriptors, §3.2.6 "Receive
 * Descriptor Queue Structure"). Every descriptor points at its own
 * 2048-byte shared-memory buffer (RCTL.BSIZE 00), so a frame of up to
 * 1518 bytes fits one buffer: DD and EOP on the same descriptor, length
 * without the CRC (RCTL.SECRC). The chip owns the descriptors from RDH to
 * RDT - 1; the driver looks at the one after the last it handled
 * (rx_next), and writes RDT to hand descriptors back once they are armed
 * again, always keeping one back: RDT == RDH means the chip has none.
 *
 * The buffer goes up as it is, in the packet that belongs to it
 * (NdisMIndicateReceivePacket), and the descriptor gets a spare buffer
 * and goes back to the chip. When spares run low the packet is marked
 * NDIS_STATUS_RESOURCES: the protocols copy, the buffer is the driver's
 * again when the indication returns, and the descriptor is armed with the
 * same buffer then ("lent" until that moment; RDT never passes a lent
 * descriptor). MiniportReturnPacket puts a buffer back among the spares. */
#include "e1000.h"

/* Arm descriptor idx with the buffer rx_slot[idx]: address, status 0 (the
 * chip sets DD when it has written it back). */
static void e1k_rx_arm(E1kAdapter *s, ULONG idx)
{
    volatile E1kRxDesc *d = &s->sh->rx[idx];
    E1kRxBuf *b = &s->rxb[s->rx_slot[idx]];

    d->addr_lo = b->pa.LowPart;
    d->addr_hi = (ULONG)b->pa.HighPart;
    d->length = 0;
    d->csum = 0;
    d->errors = 0;
    d->special = 0;
    d->status = 0;
}

/* Move RDT up to the descriptor before rx_next, stopping at a lent one:
 * every descriptor it passes is armed. Lock held. */
void e1k_rx_give_locked(E1kAdapter *s)
{
    ULONG target = (s->rx_next + E1K_RX_DESCS - 1) % E1K_RX_DESCS;
    ULONG tail = s->rx_tail;

    while (tail != target && !s->rx_lent[tail])
        tail = (tail + 1) % E1K_RX_DESCS;
    if (tail != s->rx_tail) {
        KeMemoryBarrier();
        s->rx_tail = tail;
        if (!s->removed)
            e1k_wr(s, E1K_RDT, tail);
    }
}

/* After a device reset (RDH back to 0): every descriptor the driver holds
 * armed again, frames not yet looked at dropped. A descriptor whose buffer
 * is up with NDIS_STATUS_RESOURCES stays out; the walk that lent it arms
 * it when the indication returns. The caller writes RDH 0 and then RDT
 * (e1k_rx_give_locked). Lock held. */
void e1k_rx_ring_reset_locked(E1kAdapter *s)
{
    ULONG i;

    for (i = 0; i < E1K_RX_DESCS; i++)
        if (!s->rx_lent[i])
            e1k_rx_arm(s, i);
    s->rx_next = 0;
    s->rx_tail = 0;
    s->rx_in_frame = FALSE;
}

/* Is the multicast address in the list NDIS set? */
static BOOLEAN e1k_mcast_listed(E1kAdapter *s, const UCHAR *dst)
{
    ULONG i;

    for (i = 0; i < s->mcast_count; i++)
        if (NdisEqualMemory(s->mcast[i], dst, E1K_ETH_ADDR))
            return TRUE;
    return FALSE;
}

/* The packet filter in software too: the multicast table is a hash
 * (§13.5.1), and the unicast address always matches RAL0 whatever the
 * filter says. */
static BOOLEAN e1k_rx_wanted(E1kAdapter *s, const UCHAR *dst)
{
    ULONG f = s->packet_filter;
    ULONG i, and_bits = 0xFF;

    if (f & NDIS_PACKET_TYPE_PROMISCUOUS)
        return TRUE;
    if (!(dst[0] & 1))
        return (f & NDIS_PACKET_TYPE_DIRECTED) != 0 &&
               NdisEqualMemory(dst, s->cur_addr, E1K_ETH_ADDR);
    for (i = 0; i < E1K_ETH_ADDR; i++)
        and_bits &= dst[i];
    if (and_bits == 0xFF)
        return (f & NDIS_PACKET_TYPE_BROADCAST) != 0;
    if (f & NDIS_PACKET_TYPE_ALL_MULTICAST)
        return TRUE;
    return (f & NDIS_PACKET_TYPE_MULTICAST) && e1k_mcast_listed(s, dst);
}

void e1k_rx(E1kAdapter *s)
{
    ULONG budget = 2 * E1K_RX_DESCS;

    while (budget > 0) {
        PNDIS_PACKET batch[E1K_RX_BATCH];
        ULONG len[E1K_RX_BATCH];
        NDIS_STATUS status[E1K_RX_BATCH];
        ULONG lent[E1K_RX_BATCH];
        ULONG n = 0, nlent = 0, i;

        NdisDprAcquireSpinLock(&s->lock);
        while (n < E1K_RX_BATCH && budget > 0) {
            ULONG idx = s->rx_next;
            volatile E1kRxDesc *d = &s->sh->rx[idx];
            UCHAR st = d->status;
            UCHAR err;
            ULONG b, flen;

            /* Not written back yet, or lent out: where the chip is too. */
            if (!(st & E1K_RXD_STAT_DD) || s->rx_lent[idx])
                break;
            budget--;
            KeMemoryBarrier(); /* status before the rest of the descriptor */
            err = d->errors;
            flen = d->length;
            b = s->rx_slot[idx];
            s->rx_next = (idx + 1) % E1K_RX_DESCS;

            /* A frame that spans descriptors cannot happen with 2048-byte
             * buffers and RCTL.LPE clear; should one come, drop it to its
             * EOP descriptor. */
            if (s->rx_in_frame || !(st & E1K_RXD_STAT_EOP)) {
                if (!s->rx_in_frame)
                    s->sw_rcv_error++;
                s->rx_in_frame = !(st & E1K_RXD_STAT_EOP);
                e1k_rx_arm(s, idx);
                continue;
            }
            /* Bad frames are stored only with RCTL.SBP, which is clear;
             * checksum offload results (IPE, TCPE) do not make one bad. */
            if ((err & E1K_RXD_ERR_FRAME) || flen < E1K_ETH_HEADER || flen > E1K_ETH_MAX_FRAME) {
                s->sw_rcv_error++;
                e1k_rx_arm(s, idx);
                continue;
            }
            if (!e1k_rx_wanted(s, s->rxb[b].va)) {
                e1k_rx_arm(s, idx);
                continue;
            }
            if (s->rx_nspare > E1K_RX_LOW_WATER) {
                /* the buffer goes up; a spare takes its place */
                s->rx_slot[idx] = s->rx_spare[--s->rx_nspare];
                e1k_rx_arm(s, idx);
                status[n] = NDIS_STATUS_SUCCESS;
                s->rxb[b].up = TRUE;
                s->rx_outstanding++;
            } else {
                d->status = 0;
                s->rx_lent[idx] = TRUE;
                lent[nlent++] = idx;
                status[n] = NDIS_STATUS_RESOURCES;
            }
            batch[n] = s->rxb[b].packet;
            len[n] = flen;
            n++;
        }
        e1k_rx_give_locked(s);
        NdisDprReleaseSpinLock(&s->lock);
        if (n == 0)
            break;

        for (i = 0; i < n; i++) {
            PNDIS_BUFFER buf = NULL;
            NdisQueryPacket(batch[i], NULL, NULL, &buf, NULL);
            NdisAdjustBufferLength(buf, len[i]);
            NdisRecalculatePacketCounts(batch[i]);
            NDIS_SET_PACKET_HEADER_SIZE(batch[i], E1K_ETH_HEADER);
            NDIS_SET_PACKET_STATUS(batch[i], status[i]);
        }
        NdisMIndicateReceivePacket(s->handle, batch, n);

        if (nlent > 0) {
            NdisDprAcquireSpinLock(&s->lock);
            for (i = 0; i < nlent; i++) {
                s->rx_lent[lent[i]] = FALSE;
                e1k_rx_arm(s, lent[i]);
            }
            e1k_rx_give_locked(s);
            NdisDprReleaseSpinLock(&s->lock);
        }
        if (n < E1K_RX_BATCH)
            break;
    }
}

VOID NTAPI e1k_return_packet(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet)
{
    E1kAdapter *s = MiniportAdapterContext;
    ULONG b = *(ULONG *)Packet->MiniportReserved;

    if (b >= s->rxb_allocated || s->rxb[b].packet != Packet) {
        DbgPrint("e1000: MiniportReturnPacket with a packet not ours: %p\n", Packet);
        return;
    }
    /* Called at IRQL <= DISPATCH_LEVEL: the non-Dpr lock. A packet that
     * went up with NDIS_STATUS_RESOURCES, or came back already, is not
     * NDIS's to return: say so and keep the buffer where it is. */
    NdisAcquireSpinLock(&s->lock);
    if (!s->rxb[b].up) {
        NdisReleaseSpinLock(&s->lock);
        DbgPrint("e1000: MiniportReturnPacket for packet %p not indicated with "
                 "NDIS_STATUS_SUCCESS, or returned twice\n",
                 Packet);
        return;
    }
    s->rxb[b].up = FALSE;
    s->rx_spare[s->rx_nspare++] = b;
    s->rx_outstanding--;
    NdisReleaseSpinLock(&s->lock);
}
