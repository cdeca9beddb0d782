/* Transmit: MiniportSend and transmit completion (DP8390D section 8.0
 * "Packet Transmission", section 9.0 for the remote write). The card has
 * two transmit buffers of 6 pages at the start of its memory, used in
 * turn: one frame on the wire, the next one already copied. Each send is
 * copied into a buffer by remote DMA and returns NDIS_STATUS_PENDING; the
 * DPC completes it with NdisMSendComplete on PTX or TXE and starts the
 * other buffer. With both buffers full MiniportSend returns
 * NDIS_STATUS_RESOURCES: NDIS keeps the packet and sends it again after the
 * next NdisMSendComplete (serialized miniport). */
#include "ne2000.h"

static ULONG ne_tx_addr(ULONG buf)
{
    return (NE_TX_FIRST_PAGE + buf * NE_TX_PAGES) * NE_PAGE_SIZE;
}

/* The packet's buffer chain into dst; 0 if it does not fit in max bytes or
 * a buffer has no system address. */
static ULONG ne_copy_packet(PNDIS_PACKET packet, PUCHAR dst, ULONG max)
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

        NdisQueryBuffer(buf, &va, &len);
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

/* Put the oldest filled buffer on the wire: TPSR and TBCR0/1 describe the
 * frame, then CR.TXP sends it (DP8390D 8.0). */
void ne_tx_start(NeAdapter *s)
{
    ULONG len = s->tx_len[s->tx_tail];

    ne_w8(s, NE_P0_TPSR, (UCHAR)(ne_tx_addr(s->tx_tail) / NE_PAGE_SIZE));
    ne_w8(s, NE_P0_TBCR0, (UCHAR)len);
    ne_w8(s, NE_P0_TBCR1, (UCHAR)(len >> 8));
    ne_cmd(s, NE_CR_RD_ABORT | NE_CR_TXP);
    s->tx_active = TRUE;
}

NDIS_STATUS NTAPI ne_send(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet, UINT Flags)
{
    NeAdapter *s = MiniportAdapterContext;
    ULONG buf = s->tx_head;
    ULONG len;

    TEST_SEND_HOOK();
    if (s->hw_error) {
        s->xmit_error++;
        return NDIS_STATUS_FAILURE;
    }
    if (s->tx_count == NE_TX_BUFS) {
        s->tx_resources = TRUE;
        return NDIS_STATUS_RESOURCES;
    }
    len = ne_copy_packet(Packet, s->tx_bounce, NE_ETH_MAX_FRAME);
    if (len < NE_ETH_HEADER) {
        s->xmit_error++;
        return NDIS_STATUS_INVALID_PACKET;
    }
    /* The NIC sends what it is given: pad runts to the 60-byte minimum. */
    if (len < NE_ETH_MIN_FRAME) {
        NdisZeroMemory(s->tx_bounce + len, NE_ETH_MIN_FRAME - len);
        len = NE_ETH_MIN_FRAME;
    }
    if (!ne_dma_write(s, ne_tx_addr(buf), s->tx_bounce, len)) {
        s->xmit_error++;
        return NDIS_STATUS_FAILURE;
    }
    s->tx_packet[buf] = Packet;
    s->tx_len[buf] = len;
    s->tx_head = (buf + 1) % NE_TX_BUFS;
    s->tx_count++;
    if (!s->tx_active)
        ne_tx_start(s);
    return NDIS_STATUS_PENDING;
}

/* PTX or TXE for the frame on the wire (the DPC acknowledged the bits).
 * TSR and NCR describe the last transmission (DP8390D 10, TSR/NCR). */
void ne_tx_done(NeAdapter *s, UCHAR isr)
{
    PNDIS_PACKET packet;
    UCHAR tsr;
    BOOLEAN ok;

    if (!s->tx_active)
        return; /* no transmission of ours: stale bits after a reset */
    tsr = ne_r8(s, NE_P0_TSR);
    ok = (isr & NE_ISR_PTX) && !(tsr & (NE_TSR_ABT | NE_TSR_FU));
    if (ok) {
        s->xmit_ok++;
        if (tsr & NE_TSR_COL) {
            UCHAR ncr = ne_r8(s, NE_P0_NCR) & 0x0Fu;
            if (ncr == 1)
                s->xmit_one_coll++;
            else if (ncr > 1)
                s->xmit_more_coll++;
        }
    } else {
        s->xmit_error++;
        if (tsr & NE_TSR_ABT)
            s->xmit_max_coll++; /* 16 collisions: the NIC gave up */
        if (tsr & NE_TSR_FU)
            s->xmit_underrun++;
    }
    /* Buffer state first, and the next frame on the wire, before
     * NdisMSendComplete: NDIS may call MiniportSend from inside it. */
    packet = s->tx_packet[s->tx_tail];
    s->tx_packet[s->tx_tail] = NULL;
    s->tx_tail = (s->tx_tail + 1) % NE_TX_BUFS;
    s->tx_count--;
    s->tx_active = FALSE;
    s->tx_done++;
    if (s->tx_count > 0)
        ne_tx_start(s);
    s->tx_resources = FALSE;
    if (packet != NULL)
        NdisMSendComplete(s->handle, packet, ok ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE);
}
