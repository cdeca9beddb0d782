/* Receive: walking the ring (datasheet sections 6.1 and 6.8, the
 * Programming Guide's "Packet Reception"). Each packet in the ring is a
 * 4-byte header (status, length of frame + CRC), the frame and its CRC; the
 * next packet starts at the next 32-bit boundary. With RCR.WRAP = 1 a
 * packet that runs past the ring end continues into the slack after it,
 * so every frame is contiguous. CAPR trails the read offset by 16; the
 * ring is empty when CR.BUFE is set.
 *
 * Frames go up either copied into packets from the driver's pool
 * (NdisMIndicateReceivePacket, returned through MiniportReturnPacket) or
 * straight from the ring (NdisMEthIndicateReceive with the whole frame as
 * lookahead; MiniportTransferData copies from the ring while the
 * indication lasts). INF keyword ReceiveIndication picks one. */
#include "rtl8139.h"

/* Take a free receive packet; NULL if none. */
static RtlRxSlot *rtl_rx_get(RtlAdapter *s, ULONG *nfree_left)
{
    RtlRxSlot *slot = NULL;

    NdisDprAcquireSpinLock(&s->rx_lock);
    if (s->rx_nfree > 0)
        slot = &s->rx_slot[s->rx_free[--s->rx_nfree]];
    *nfree_left = s->rx_nfree;
    NdisDprReleaseSpinLock(&s->rx_lock);
    return slot;
}

static void rtl_rx_put(RtlAdapter *s, PNDIS_PACKET packet)
{
    ULONG i = *(ULONG *)packet->MiniportReserved;

    NdisDprAcquireSpinLock(&s->rx_lock);
    s->rx_free[s->rx_nfree++] = i;
    NdisDprReleaseSpinLock(&s->rx_lock);
}

/* Indicate a batch. Packets marked NDIS_STATUS_RESOURCES are the driver's
 * again when the call returns; the others come back through
 * MiniportReturnPacket, possibly before the call returns. */
static void rtl_rx_flush(RtlAdapter *s, PNDIS_PACKET *batch, ULONG n)
{
    ULONG i, held = 0;

    if (n == 0)
        return;
    for (i = 0; i < n; i++)
        if (NDIS_GET_PACKET_STATUS(batch[i]) != NDIS_STATUS_RESOURCES)
            held++;
    InterlockedExchangeAdd(&s->rx_outstanding, (LONG)held);
    NdisMIndicateReceivePacket(s->handle, batch, n);
    for (i = 0; i < n; i++)
        if (NDIS_GET_PACKET_STATUS(batch[i]) == NDIS_STATUS_RESOURCES)
            rtl_rx_put(s, batch[i]);
}

/* Hand one good frame up (packets mode: into the batch). */
static void rtl_rx_frame(RtlAdapter *s, PUCHAR frame, ULONG len, PNDIS_PACKET *batch, ULONG *n,
                         BOOLEAN *indicated)
{
    if (s->rx_mode == RTL_RX_MODE_LOOKAHEAD) {
        s->rx_cur = frame;
        s->rx_cur_len = len;
        NdisMEthIndicateReceive(s->handle, (NDIS_HANDLE)s, (PCHAR)frame, RTL_ETH_HEADER,
                                frame + RTL_ETH_HEADER, len - RTL_ETH_HEADER, len - RTL_ETH_HEADER);
        s->rx_cur = NULL;
        *indicated = TRUE;
    } else {
        ULONG nfree;
        RtlRxSlot *slot = rtl_rx_get(s, &nfree);

        if (slot == NULL) {
            s->rcv_no_buffer++;
            return;
        }
        NdisMoveMemory(slot->data, frame, len);
        NdisAdjustBufferLength(slot->buffer, len);
        NdisRecalculatePacketCounts(slot->packet);
        /* Running low: make the protocols copy, so the packet comes back now. */
        NDIS_SET_PACKET_STATUS(slot->packet, nfree < RTL_RX_LOW_WATER ? NDIS_STATUS_RESOURCES
                                                                      : NDIS_STATUS_SUCCESS);
        batch[(*n)++] = slot->packet;
        if (*n == RTL_RX_BATCH) {
            rtl_rx_flush(s, batch, *n);
            *n = 0;
        }
    }
    s->rcv_ok++;
}

void rtl_rx(RtlAdapter *s)
{
    PNDIS_PACKET batch[RTL_RX_BATCH];
    ULONG n = 0, consumed = 0;
    BOOLEAN indicated = FALSE;

    while (!(rtl_r8(s, RTL_CR) & RTL_CR_BUFE)) {
        PUCHAR p = s->rx_ring + s->rx_offset;
        ULONG hdr = *(volatile ULONG *)p;
        ULONG status = hdr & 0xFFFF, len = hdr >> 16;
        ULONG step;

        /* A header no good chip writes: the ring is out of step. Only a
         * chip reset (CBR and CAPR back to their reset values) resyncs it. */
        if (len < RTL_RX_LEN_MIN || len > RTL_RX_LEN_MAX ||
            !(status & (RTL_RX_ROK | RTL_RX_ERRORS))) {
            DbgPrint("rtl8139: bad receive header %08lx at offset %lu\n", hdr, s->rx_offset);
            s->rcv_error++;
            s->hw_error = TRUE;
            break;
        }
        if (!(status & RTL_RX_ROK) || (status & RTL_RX_ERRORS)) {
            s->rcv_error++;
            if (status & RTL_RX_FAE)
                s->rcv_align++;
            if (status & RTL_RX_CRC)
                s->rcv_crc++;
        } else if (len - RTL_RX_CRC_LEN < RTL_ETH_HEADER ||
                   len - RTL_RX_CRC_LEN > RTL_ETH_MAX_FRAME) {
            s->rcv_error++; /* runt or over-long: nothing NDIS can take */
        } else {
            rtl_rx_frame(s, p + RTL_RX_HEADER, len - RTL_RX_CRC_LEN, batch, &n, &indicated);
        }
        /* Only now give the space back: the lookahead indication read the
         * frame in place. */
        step = (RTL_RX_HEADER + len + 3) & ~3u;
        s->rx_offset = (s->rx_offset + step) % s->rx_len;
        rtl_w16(s, RTL_CAPR, (USHORT)(s->rx_offset - 16));
        consumed += step;
        if (consumed >= s->rx_len)
            break; /* a full ring per DPC round at most */
    }
    if (s->rx_mode == RTL_RX_MODE_LOOKAHEAD) {
        if (indicated)
            NdisMEthIndicateReceiveComplete(s->handle);
    } else {
        rtl_rx_flush(s, batch, n);
    }
}

VOID NTAPI rtl_return_packet(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet)
{
    RtlAdapter *s = MiniportAdapterContext;
    ULONG i = *(ULONG *)Packet->MiniportReserved;

    /* Called at IRQL <= DISPATCH_LEVEL: the non-Dpr lock. */
    NdisAcquireSpinLock(&s->rx_lock);
    s->rx_free[s->rx_nfree++] = i;
    NdisReleaseSpinLock(&s->rx_lock);
    InterlockedDecrement(&s->rx_outstanding);
}

/* Copy BytesToTransfer bytes, starting ByteOffset bytes past the Ethernet
 * header of the frame being indicated, into the protocol's packet. */
NDIS_STATUS NTAPI rtl_transfer_data(PNDIS_PACKET Packet, PUINT BytesTransferred,
                                    NDIS_HANDLE MiniportAdapterContext,
                                    NDIS_HANDLE MiniportReceiveContext, UINT ByteOffset,
                                    UINT BytesToTransfer)
{
    RtlAdapter *s = MiniportAdapterContext;
    PNDIS_BUFFER buf = NULL;
    PUCHAR src;
    ULONG avail, left;

    *BytesTransferred = 0;
    if (s->rx_cur == NULL || MiniportReceiveContext != (NDIS_HANDLE)s)
        return NDIS_STATUS_FAILURE;
    avail = s->rx_cur_len - RTL_ETH_HEADER;
    if (ByteOffset > avail)
        return NDIS_STATUS_FAILURE;
    src = s->rx_cur + RTL_ETH_HEADER + ByteOffset;
    left = BytesToTransfer < avail - ByteOffset ? BytesToTransfer : avail - ByteOffset;

    NdisQueryPacket(Packet, NULL, NULL, &buf, NULL);
    while (buf != NULL && left > 0) {
        PVOID va = NULL;
        UINT len = 0;

        NdisQueryBufferSafe(buf, &va, &len, NormalPagePriority);
        if (va == NULL && len != 0)
            return NDIS_STATUS_RESOURCES;
        if (len > left)
            len = left;
        NdisMoveMemory(va, src, len);
        src += len;
        left -= len;
        *BytesTransferred += len;
        NdisGetNextBuffer(buf, &buf);
    }
    return NDIS_STATUS_SUCCESS;
}
