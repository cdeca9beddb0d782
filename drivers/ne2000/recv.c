/* Receive: walking the receive buffer ring (DP8390D section 7.0 "Packet
 * Reception": the ring of 256-byte pages from PSTART to PSTOP, each packet
 * a 4-byte header and the frame with its CRC; CURR on page 1 is where the
 * NIC stores next, BNRY the last page the host has not given back) and
 * handing frames up the NDIS 4.0 way: NdisMEthIndicateReceive with the
 * Ethernet header and a lookahead read out of the ring, then
 * MiniportTransferData copying whatever the protocol wants of the rest
 * straight from the card into the protocol's packet.
 *
 * BNRY is kept one page behind the next packet (BNRY + 1 == CURR: empty),
 * so the NIC's overflow check (the next page would reach BNRY) never lets
 * CURR run into the unread packet. */
#include "ne2000.h"

#define NE_RX_BUDGET 64u /* packets per call; the ring holds at most 52 */

static UCHAR ne_ring_page(ULONG page)
{
    return (UCHAR)(NE_RX_PSTART + (page - NE_RX_PSTART) % (NE_RX_PSTOP - NE_RX_PSTART));
}

/* Give the ring up to (not including) page `next` back to the NIC. */
static void ne_rx_release(NeAdapter *s, UCHAR next)
{
    s->next_pkt = next;
    ne_w8(s, NE_P0_BNRY, (UCHAR)(next == NE_RX_PSTART ? NE_RX_PSTOP - 1u : next - 1u));
}

/* One stored frame (count = frame + CRC, header at page `page`) up to the
 * protocols. The lookahead is at most the current lookahead size; the
 * protocol gets the rest through MiniportTransferData while the
 * indication lasts. */
static BOOLEAN ne_rx_indicate(NeAdapter *s, ULONG page, ULONG count)
{
    ULONG frame = count - NE_RX_CRC;
    ULONG data = frame - NE_ETH_HEADER;
    ULONG addr = page * NE_PAGE_SIZE + NE_RX_HEADER;
    ULONG la = data < s->lookahead ? data : s->lookahead;

    if (!ne_ring_read(s, addr, s->rx_lookahead, NE_ETH_HEADER + la))
        return FALSE;
    s->rx_data = ne_ring_addr(addr + NE_ETH_HEADER);
    s->rx_data_len = data;
    s->rx_indicating = TRUE;
    NdisMEthIndicateReceive(s->handle, (NDIS_HANDLE)s, (PCHAR)s->rx_lookahead, NE_ETH_HEADER,
                            s->rx_lookahead + NE_ETH_HEADER, la, data);
    s->rx_indicating = FALSE;
    s->rcv_ok++;
    return TRUE;
}

/* Packets from BNRY + 1 up to CURR. TRUE if packets were left for later
 * (the budget ran out while frames kept arriving). */
BOOLEAN ne_rx(NeAdapter *s)
{
    ULONG handled = 0;
    BOOLEAN indicated = FALSE, more = FALSE;
    UCHAR curr = ne_read_curr(s);

    while (s->next_pkt != curr && !s->hw_error) {
        UCHAR hdr[NE_RX_HEADER];
        ULONG page = s->next_pkt;
        ULONG count, expect;
        UCHAR status, next;

        if (handled == NE_RX_BUDGET) {
            more = TRUE;
            break;
        }
        if (!ne_dma_read(s, page * NE_PAGE_SIZE, hdr, sizeof hdr))
            break;
        status = hdr[0];
        next = hdr[1];
        count = hdr[2] | (ULONG)hdr[3] << 8;
        expect = ne_ring_page(page + (NE_RX_HEADER + count + NE_PAGE_SIZE - 1) / NE_PAGE_SIZE);

        /* A header no good NIC writes: the next page pointer outside the
         * ring or disagreeing with the byte count, or a packet the NIC
         * should not have stored (RCR.SEP = 0: good packets only). The
         * ring is out of step; drop everything up to CURR and go on. */
        if (next < NE_RX_PSTART || next >= NE_RX_PSTOP || next != expect ||
            !(status & NE_RSR_PRX)) {
            DbgPrint("ne2000: bad receive header %02x %02x %02x %02x at page %02lx, CURR %02x\n",
                     hdr[0], hdr[1], hdr[2], hdr[3], page, curr);
            s->rcv_error++;
            ne_rx_release(s, curr);
            break;
        }
        if (count < NE_RX_COUNT_MIN || count > NE_RX_COUNT_MAX) {
            s->rcv_error++; /* runt or over-long: nothing NDIS can take */
        } else {
            if (!ne_rx_indicate(s, page, count))
                break;
            indicated = TRUE;
        }
        /* Only now give the pages back: the indication read them. */
        ne_rx_release(s, next);
        handled++;
        if (s->next_pkt == curr)
            curr = ne_read_curr(s); /* frames that arrived meanwhile */
    }
    if (indicated)
        NdisMEthIndicateReceiveComplete(s->handle);
    return more;
}

/* Copy BytesToTransfer bytes, starting ByteOffset bytes past the Ethernet
 * header of the frame being indicated, from the card into the protocol's
 * packet, buffer by buffer. Synchronous (NDIS_MAC_OPTION_TRANSFERS_NOT_PEND). */
NDIS_STATUS NTAPI ne_transfer_data(PNDIS_PACKET Packet, PUINT BytesTransferred,
                                   NDIS_HANDLE MiniportAdapterContext,
                                   NDIS_HANDLE MiniportReceiveContext, UINT ByteOffset,
                                   UINT BytesToTransfer)
{
    NeAdapter *s = MiniportAdapterContext;
    PNDIS_BUFFER buf = NULL;
    ULONG src, left;

    *BytesTransferred = 0;
    if (!s->rx_indicating || MiniportReceiveContext != (NDIS_HANDLE)s)
        return NDIS_STATUS_FAILURE;
    if (ByteOffset > s->rx_data_len)
        return NDIS_STATUS_FAILURE;
    left = s->rx_data_len - ByteOffset;
    if (BytesToTransfer < left)
        left = BytesToTransfer;
    src = ne_ring_addr(s->rx_data + ByteOffset);

    NdisQueryPacket(Packet, NULL, NULL, &buf, NULL);
    while (buf != NULL && left > 0) {
        PVOID va = NULL;
        UINT len = 0;

        NdisQueryBuffer(buf, &va, &len);
        if (len != 0) {
            if (va == NULL)
                return NDIS_STATUS_RESOURCES;
            if (len > left)
                len = left;
            if (!ne_ring_read(s, src, va, len))
                return NDIS_STATUS_FAILURE;
            src = ne_ring_addr(src + len);
            left -= len;
            *BytesTransferred += len;
        }
        NdisGetNextBuffer(buf, &buf);
    }
    return NDIS_STATUS_SUCCESS;
}
