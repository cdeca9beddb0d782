/* Receive: the descriptor ring walk and MiniportReturnPacket (datasheet
 * "Receive Operation", "Receive Descriptors", RMD0-RMD2). Every descriptor
 * points at its own 1536-byte shared-memory buffer, so a frame up to 1518
 * bytes with FCS fits one buffer: STP and ENP on the same descriptor, MCNT
 * the length with FCS. The buffer goes up as it is, in the packet that
 * belongs to it (NdisMIndicateReceivePacket), and the descriptor gets a
 * spare buffer and goes straight back to the chip. When spares run low the
 * packet is marked NDIS_STATUS_RESOURCES: the protocols copy, the buffer
 * is the driver's again when the indication returns, and the descriptor
 * goes back with the same buffer. MiniportReturnPacket puts a buffer back
 * among the spares. */
#include "pcnet.h"

/* Give descriptor idx, with the buffer rx_slot[idx], to the chip. */
static void pcn_rx_arm(PcnAdapter *s, ULONG idx)
{
    volatile PcnDesc *d = &s->sh->rx[idx];

    d->addr = s->rxb[s->rx_slot[idx]].pa.LowPart;
    d->misc = 0;
    d->user = 0;
    KeMemoryBarrier();
    d->flags = PCN_DESC_OWN | PCN_DESC_ONES | PCN_BCNT(PCN_BUF_SIZE);
}

/* For INIT (which restarts the chip at descriptor 0): every descriptor
 * the chip's again, frames not yet looked at dropped. A descriptor whose
 * buffer is up with NDIS_STATUS_RESOURCES stays the driver's; the walk
 * that lent it arms it when the indication returns. Lock held. */
void pcn_rx_ring_reset_locked(PcnAdapter *s)
{
    ULONG i;

    for (i = 0; i < PCN_RX_DESCS; i++)
        if (!s->rx_lent[i])
            pcn_rx_arm(s, i);
    s->rx_next = 0;
}

/* The packet filter in software too: LADRF is a hash, and with DRCVBC
 * set the chip passes broadcasts that hit the hash ("Address Matching"). */
static BOOLEAN pcn_rx_wanted(PcnAdapter *s, const UCHAR *dst)
{
    ULONG f = s->packet_filter;
    ULONG i, and_bits = 0xFF;

    if (f & NDIS_PACKET_TYPE_PROMISCUOUS)
        return TRUE;
    if (!(dst[0] & 1))
        return (f & NDIS_PACKET_TYPE_DIRECTED) != 0;
    for (i = 0; i < PCN_ETH_ADDR; i++)
        and_bits &= dst[i];
    if (and_bits == 0xFF)
        return (f & NDIS_PACKET_TYPE_BROADCAST) != 0;
    return (f & (NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST)) != 0;
}

/* Count a bad frame (RMD1 error bits of its last descriptor). */
static void pcn_rx_error(PcnAdapter *s, ULONG rmd1)
{
    s->rcv_error++;
    if ((rmd1 & PCN_RMD1_FRAM) && !(rmd1 & PCN_RMD1_OFLO))
        s->rcv_align++;
    if ((rmd1 & PCN_RMD1_CRC) && !(rmd1 & PCN_RMD1_OFLO))
        s->rcv_crc++;
    if (rmd1 & (PCN_RMD1_OFLO | PCN_RMD1_BUFF))
        s->rcv_overrun++;
}

/* A frame that spans descriptors (longer than a buffer, or cut short by
 * BUFF): find its end, the first descriptor with ENP or ERR. Returns the
 * number of descriptors, 0 while the chip still owns part of it. */
static ULONG pcn_rx_chain(PcnAdapter *s, ULONG idx, ULONG *last_flags)
{
    ULONG n;

    for (n = 1; n <= PCN_RX_DESCS; n++) {
        ULONG j = (idx + n - 1) % PCN_RX_DESCS;
        ULONG f = s->sh->rx[j].flags;
        if ((f & PCN_DESC_OWN) || (n > 1 && s->rx_lent[j]))
            return 0;
        if (n > 1 && (f & PCN_DESC_STP)) {
            /* the next frame starts without this one ending */
            *last_flags = PCN_DESC_ERR | PCN_RMD1_BUFF;
            return n - 1;
        }
        if (f & (PCN_DESC_ENP | PCN_DESC_ERR)) {
            *last_flags = f;
            return n;
        }
    }
    *last_flags = PCN_DESC_ERR;
    return PCN_RX_DESCS;
}

VOID pcn_rx(PcnAdapter *s)
{
    ULONG budget = 2 * PCN_RX_DESCS;

    while (budget > 0) {
        PNDIS_PACKET batch[PCN_RX_BATCH];
        ULONG len[PCN_RX_BATCH];
        NDIS_STATUS status[PCN_RX_BATCH];
        ULONG lent[PCN_RX_BATCH];
        ULONG n = 0, nlent = 0, i;

        NdisDprAcquireSpinLock(&s->lock);
        while (n < PCN_RX_BATCH && budget > 0) {
            ULONG idx = s->rx_next;
            volatile PcnDesc *d = &s->sh->rx[idx];
            ULONG f = d->flags;
            ULONG count = 1, last = f;

            /* The chip's still, or lent out: where the chip stops too. */
            if ((f & PCN_DESC_OWN) || s->rx_lent[idx])
                break;
            budget--;
            if ((f & (PCN_DESC_STP | PCN_DESC_ENP | PCN_DESC_ERR)) ==
                (PCN_DESC_STP | PCN_DESC_ENP)) {
                ULONG b = s->rx_slot[idx];
                ULONG flen = (d->misc & PCN_RMD2_MCNT);

                s->rx_next = (idx + 1) % PCN_RX_DESCS;
                if (flen < PCN_ETH_HEADER + PCN_ETH_FCS || flen > PCN_ETH_MAX_FRAME + PCN_ETH_FCS) {
                    s->rcv_error++;
                    pcn_rx_arm(s, idx);
                    continue;
                }
                flen -= PCN_ETH_FCS;
                if (!pcn_rx_wanted(s, s->rxb[b].va)) {
                    pcn_rx_arm(s, idx);
                    continue;
                }
                if (s->rx_nspare > PCN_RX_LOW_WATER) {
                    /* the buffer goes up; a spare takes its place */
                    s->rx_slot[idx] = s->rx_spare[--s->rx_nspare];
                    pcn_rx_arm(s, idx);
                    status[n] = NDIS_STATUS_SUCCESS;
                    s->rxb[b].up = TRUE;
                    s->rx_outstanding++;
                } else {
                    s->rx_lent[idx] = TRUE;
                    lent[nlent++] = idx;
                    status[n] = NDIS_STATUS_RESOURCES;
                }
                batch[n] = s->rxb[b].packet;
                len[n] = flen;
                n++;
                s->rcv_ok++;
                continue;
            }
            /* Errors, chained or stray descriptors: drop the frame. */
            if ((f & PCN_DESC_STP) && !(f & (PCN_DESC_ENP | PCN_DESC_ERR))) {
                count = pcn_rx_chain(s, idx, &last);
                if (count == 0)
                    break; /* still being received */
            } else if (!(f & PCN_DESC_STP)) {
                last = f | PCN_DESC_ERR; /* out of step: no frame starts here */
            }
            pcn_rx_error(s, last);
            for (i = 0; i < count; i++)
                pcn_rx_arm(s, (idx + i) % PCN_RX_DESCS);
            s->rx_next = (idx + count) % PCN_RX_DESCS;
        }
        NdisDprReleaseSpinLock(&s->lock);
        if (n == 0)
            break;

        for (i = 0; i < n; i++) {
            PNDIS_BUFFER buf = NULL;
            NdisQueryPacket(batch[i], NULL, NULL, &buf, NULL);
            NdisAdjustBufferLength(buf, len[i]);
            NdisRecalculatePacketCounts(batch[i]);
            NDIS_SET_PACKET_HEADER_SIZE(batch[i], PCN_ETH_HEADER);
            NDIS_SET_PACKET_STATUS(batch[i], status[i]);
        }
        NdisMIndicateReceivePacket(s->handle, batch, n);

        if (nlent > 0) {
            NdisDprAcquireSpinLock(&s->lock);
            for (i = 0; i < nlent; i++) {
                s->rx_lent[lent[i]] = FALSE;
                pcn_rx_arm(s, lent[i]);
            }
            NdisDprReleaseSpinLock(&s->lock);
        }
        if (n < PCN_RX_BATCH)
            break;
    }
}

VOID NTAPI pcn_return_packet(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet)
{
    PcnAdapter *s = MiniportAdapterContext;
    ULONG b = *(ULONG *)Packet->MiniportReserved;

    if (b >= s->rxb_allocated || s->rxb[b].packet != Packet) {
        DbgPrint("pcnet: MiniportReturnPacket with a packet not ours: %p\n", Packet);
        return;
    }
    /* Called at IRQL <= DISPATCH_LEVEL: the non-Dpr lock. A packet that
     * went up with NDIS_STATUS_RESOURCES, or came back already, is not
     * NDIS's to return: say so and keep the buffer where it is. */
    NdisAcquireSpinLock(&s->lock);
    if (!s->rxb[b].up) {
        NdisReleaseSpinLock(&s->lock);
        DbgPrint("pcnet: MiniportReturnPacket for packet %p not indicated with "
                 "NDIS_STATUS_SUCCESS, or returned twice\n",
                 Packet);
        return;
    }
    s->rxb[b].up = FALSE;
    s->rx_spare[s->rx_nspare++] = b;
    s->rx_outstanding--;
    NdisReleaseSpinLock(&s->lock);
}
