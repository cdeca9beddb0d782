/* Transmit: MiniportSendPackets and descriptor completion. The chip has
 * four descriptors used round-robin, each a TSAD (physical start, 32-bit
 * aligned) and a TSD (size, status) (datasheet sections 6.2, 6.17; the
 * Programming Guide's "Packet Transmission"). TSAD needs one contiguous
 * buffer, so each frame is copied into the descriptor's shared-memory
 * buffer. The descriptor is recycled when TSD reports TOK, TUN or TABT; the
 * packet is completed then with NdisMSendComplete (SendCompletion = 1, the
 * default) or was handed back at once after the copy (SendCompletion = 0). */
#include "rtl8139.h"

/* Copy the packet's buffer chain to dst; 0 if it does not fit in max bytes
 * or a buffer cannot be mapped. */
static ULONG rtl_copy_packet(PNDIS_PACKET packet, PUCHAR dst, ULONG max)
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

VOID NTAPI rtl_send_packets(NDIS_HANDLE MiniportAdapterContext, PPNDIS_PACKET PacketArray,
                            UINT NumberOfPackets)
{
    RtlAdapter *s = MiniportAdapterContext;
    UINT i;

    for (i = 0; i < NumberOfPackets; i++) {
        PNDIS_PACKET packet = PacketArray[i];
        TEST_SEND_HOOK();
        PUCHAR dst;
        ULONG len;

        if (s->removed || s->hw_error) {
            NDIS_SET_PACKET_STATUS(packet, NDIS_STATUS_FAILURE);
            s->xmit_error++;
            continue;
        }
        if (s->tx_busy == RTL_TX_DESCS) {
            /* Serialized miniport: NDIS keeps this packet and the rest and
             * sends them again after NdisMSendResourcesAvailable. */
            for (; i < NumberOfPackets; i++)
                NDIS_SET_PACKET_STATUS(PacketArray[i], NDIS_STATUS_RESOURCES);
            s->tx_resources = TRUE;
            return;
        }
        dst = s->tx_buf + s->tx_head * RTL_TX_BUF_SIZE;
        len = rtl_copy_packet(packet, dst, RTL_ETH_MAX_FRAME);
        if (len < RTL_ETH_HEADER) {
            NDIS_SET_PACKET_STATUS(packet, NDIS_STATUS_INVALID_PACKET);
            s->xmit_error++;
            continue;
        }
        /* The chip sends what it is given: pad runts to the 60-byte minimum. */
        if (len < RTL_ETH_MIN_FRAME) {
            NdisZeroMemory(dst + len, RTL_ETH_MIN_FRAME - len);
            len = RTL_ETH_MIN_FRAME;
        }
        /* Writing SIZE with OWN = 0 hands the descriptor to the chip (6.2). */
        rtl_w32(s, RTL_TSD(s->tx_head), len | (s->tx_thresh << RTL_TSD_ERTXTH_SHIFT));
        if (s->tx_pend) {
            s->tx_packet[s->tx_head] = packet;
            NDIS_SET_PACKET_STATUS(packet, NDIS_STATUS_PENDING);
        } else {
            NDIS_SET_PACKET_STATUS(packet, NDIS_STATUS_SUCCESS);
        }
        s->tx_head = (s->tx_head + 1) % RTL_TX_DESCS;
        s->tx_busy++;
    }
}

/* Recycle the descriptors the chip is done with, oldest first. */
void rtl_tx_complete(RtlAdapter *s)
{
    BOOLEAN freed = FALSE;

    while (s->tx_busy > 0) {
        ULONG tsd = rtl_r32(s, RTL_TSD(s->tx_tail));
        PNDIS_PACKET packet = s->tx_packet[s->tx_tail];
        BOOLEAN ok = FALSE;
        ULONG ncc;

        if (!(tsd & (RTL_TSD_TOK | RTL_TSD_TUN | RTL_TSD_TABT)))
            break;
        if (tsd & (RTL_TSD_TABT | RTL_TSD_OWC)) {
            /* Aborted after too many collisions (or a late collision). TCR.CLRABT
             * would resend it; the frame is dropped instead, like a lost frame. */
            s->xmit_error++;
        } else {
            ok = TRUE;
            s->xmit_ok++;
            ncc = (tsd >> RTL_TSD_NCC_SHIFT) & RTL_TSD_NCC_MASK;
            if (ncc == 1)
                s->xmit_one_coll++;
            else if (ncc > 1)
                s->xmit_more_coll++;
            /* FIFO underrun: start later next time (ERTXTH, 6.2). */
            if ((tsd & RTL_TSD_TUN) && s->tx_thresh < RTL_TSD_ERTXTH_MAX)
                s->tx_thresh++;
        }
        /* Descriptor state first: NDIS may send again from inside
         * NdisMSendComplete. */
        s->tx_packet[s->tx_tail] = NULL;
        s->tx_tail = (s->tx_tail + 1) % RTL_TX_DESCS;
        s->tx_busy--;
        s->tx_done++;
        freed = TRUE;
        if (packet != NULL)
            NdisMSendComplete(s->handle, packet, ok ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE);
    }
    if (freed && s->tx_resources) {
        s->tx_resources = FALSE;
        NdisMSendResourcesAvailable(s->handle);
    }
}
