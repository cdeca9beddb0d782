/* MiniportQueryInformation and MiniportSetInformation: the general and
 * 802.3 OIDs of an NDIS 5.1 Ethernet miniport (learn.microsoft.com,
 * "General Objects" and "Ethernet Objects" for NDIS 5.1). Both complete
 * synchronously. */
#include "rtl8139.h"

static const NDIS_OID rtl_supported_oids[] = {
    OID_GEN_SUPPORTED_LIST,
    OID_GEN_HARDWARE_STATUS,
    OID_GEN_MEDIA_SUPPORTED,
    OID_GEN_MEDIA_IN_USE,
    OID_GEN_MAXIMUM_LOOKAHEAD,
    OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_LINK_SPEED,
    OID_GEN_TRANSMIT_BUFFER_SPACE,
    OID_GEN_RECEIVE_BUFFER_SPACE,
    OID_GEN_TRANSMIT_BLOCK_SIZE,
    OID_GEN_RECEIVE_BLOCK_SIZE,
    OID_GEN_VENDOR_ID,
    OID_GEN_VENDOR_DESCRIPTION,
    OID_GEN_VENDOR_DRIVER_VERSION,
    OID_GEN_CURRENT_PACKET_FILTER,
    OID_GEN_CURRENT_LOOKAHEAD,
    OID_GEN_DRIVER_VERSION,
    OID_GEN_MAXIMUM_TOTAL_SIZE,
    OID_GEN_MAC_OPTIONS,
    OID_GEN_MEDIA_CONNECT_STATUS,
    OID_GEN_MAXIMUM_SEND_PACKETS,
    OID_GEN_XMIT_OK,
    OID_GEN_RCV_OK,
    OID_GEN_XMIT_ERROR,
    OID_GEN_RCV_ERROR,
    OID_GEN_RCV_NO_BUFFER,
    OID_GEN_RCV_CRC_ERROR,
    OID_802_3_PERMANENT_ADDRESS,
    OID_802_3_CURRENT_ADDRESS,
    OID_802_3_MULTICAST_LIST,
    OID_802_3_MAXIMUM_LIST_SIZE,
    OID_802_3_RCV_ERROR_ALIGNMENT,
    OID_802_3_XMIT_ONE_COLLISION,
    OID_802_3_XMIT_MORE_COLLISIONS,
};

static const char rtl_vendor_description[] = "xdrv RTL8139C(L) NDIS 5.1 miniport";

NDIS_STATUS NTAPI rtl_query_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                        PVOID InformationBuffer, ULONG InformationBufferLength,
                                        PULONG BytesWritten, PULONG BytesNeeded)
{
    RtlAdapter *s = MiniportAdapterContext;
    union {
        ULONG ul;
        USHORT us;
        ULONG64 u64;
        NDIS_HARDWARE_STATUS hw;
        NDIS_MEDIUM medium;
        NDIS_MEDIA_STATE media;
        UCHAR bytes[8];
    } v;
    const VOID *src = &v;
    ULONG len = sizeof(ULONG);
    const ULONG64 *counter = NULL;

    *BytesWritten = 0;
    *BytesNeeded = 0;
    v.u64 = 0;

    switch (Oid) {
    case OID_GEN_SUPPORTED_LIST:
        src = rtl_supported_oids;
        len = sizeof rtl_supported_oids;
        break;
    case OID_GEN_HARDWARE_STATUS:
        v.hw = s->hw_error ? NdisHardwareStatusNotReady : NdisHardwareStatusReady;
        len = sizeof v.hw;
        break;
    case OID_GEN_MEDIA_SUPPORTED:
    case OID_GEN_MEDIA_IN_USE:
        v.medium = NdisMedium802_3;
        len = sizeof v.medium;
        break;
    case OID_GEN_MAXIMUM_LOOKAHEAD:
    case OID_GEN_MAXIMUM_FRAME_SIZE:
        v.ul = RTL_ETH_MAX_DATA;
        break;
    case OID_GEN_CURRENT_LOOKAHEAD:
        v.ul = s->lookahead;
        break;
    case OID_GEN_MAXIMUM_TOTAL_SIZE:
        v.ul = RTL_ETH_MAX_FRAME;
        break;
    case OID_GEN_LINK_SPEED:
        v.ul = s->speed_100 ? 1000000 : 100000; /* units of 100 bps */
        break;
    case OID_GEN_TRANSMIT_BUFFER_SPACE:
        v.ul = RTL_TX_DESCS * RTL_TX_BUF_SIZE;
        break;
    case OID_GEN_RECEIVE_BUFFER_SPACE:
        v.ul = s->rx_len;
        break;
    case OID_GEN_TRANSMIT_BLOCK_SIZE:
        v.ul = RTL_TX_BUF_SIZE;
        break;
    case OID_GEN_RECEIVE_BLOCK_SIZE:
        v.ul = RTL_RX_BUF_SIZE;
        break;
    case OID_GEN_VENDOR_ID:
        /* The IEEE OUI of the permanent address, then the vendor's NIC index. */
        v.bytes[0] = s->perm_addr[0];
        v.bytes[1] = s->perm_addr[1];
        v.bytes[2] = s->perm_addr[2];
        v.bytes[3] = 0;
        break;
    case OID_GEN_VENDOR_DESCRIPTION:
        src = rtl_vendor_description;
        len = sizeof rtl_vendor_description;
        break;
    case OID_GEN_VENDOR_DRIVER_VERSION:
        v.ul = (RTL_DRIVER_MAJOR << 16) | RTL_DRIVER_MINOR;
        break;
    case OID_GEN_DRIVER_VERSION:
        v.us = 0x0501; /* NDIS 5.1 */
        len = sizeof v.us;
        break;
    case OID_GEN_CURRENT_PACKET_FILTER:
        v.ul = s->packet_filter;
        break;
    case OID_GEN_MAC_OPTIONS:
        v.ul = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
               NDIS_MAC_OPTION_NO_LOOPBACK | NDIS_MAC_OPTION_RECEIVE_SERIALIZED;
        break;
    case OID_GEN_MEDIA_CONNECT_STATUS:
        v.media = s->link_up ? NdisMediaStateConnected : NdisMediaStateDisconnected;
        len = sizeof v.media;
        break;
    case OID_GEN_MAXIMUM_SEND_PACKETS:
        v.ul = RTL_TX_DESCS;
        break;
    case OID_GEN_XMIT_OK:
        counter = &s->xmit_ok;
        break;
    case OID_GEN_RCV_OK:
        counter = &s->rcv_ok;
        break;
    case OID_GEN_XMIT_ERROR:
        counter = &s->xmit_error;
        break;
    case OID_GEN_RCV_ERROR:
        counter = &s->rcv_error;
        break;
    case OID_GEN_RCV_NO_BUFFER:
        counter = &s->rcv_no_buffer;
        break;
    case OID_GEN_RCV_CRC_ERROR:
        counter = &s->rcv_crc;
        break;
    case OID_802_3_RCV_ERROR_ALIGNMENT:
        counter = &s->rcv_align;
        break;
    case OID_802_3_XMIT_ONE_COLLISION:
        counter = &s->xmit_one_coll;
        break;
    case OID_802_3_XMIT_MORE_COLLISIONS:
        counter = &s->xmit_more_coll;
        break;
    case OID_802_3_PERMANENT_ADDRESS:
        src = s->perm_addr;
        len = RTL_ETH_ADDR;
        break;
    case OID_802_3_CURRENT_ADDRESS:
        src = s->cur_addr;
        len = RTL_ETH_ADDR;
        break;
    case OID_802_3_MULTICAST_LIST:
        src = s->mcast;
        len = s->mcast_count * RTL_ETH_ADDR;
        break;
    case OID_802_3_MAXIMUM_LIST_SIZE:
        v.ul = s->mcast_max;
        break;
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }

    if (counter != NULL) {
        /* Statistics are 64-bit counters; a 4-byte buffer gets the low half
         * (NDIS 5.1 lets the caller choose by its buffer size). */
        v.u64 = *counter;
        len = InformationBufferLength >= sizeof(ULONG64) ? sizeof(ULONG64) : sizeof(ULONG);
        if (InformationBufferLength < sizeof(ULONG)) {
            *BytesNeeded = sizeof(ULONG64);
            return NDIS_STATUS_INVALID_LENGTH;
        }
    }
    if (len > InformationBufferLength) {
        *BytesNeeded = len;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    if (len != 0)
        NdisMoveMemory(InformationBuffer, (PVOID)src, len);
    *BytesWritten = len;
    return NDIS_STATUS_SUCCESS;
}

/* MAR0-7 from the multicast list: a bit per address, indexed by the top 6
 * bits of the CRC-32 (polynomial 04C11DB7h, preset all ones, each byte fed
 * LSB first) of the destination address (section 6.8). */
void rtl_mcast_hash(RtlAdapter *s)
{
    ULONG i, j, b;

    NdisZeroMemory(s->mar, sizeof s->mar);
    for (i = 0; i < s->mcast_count; i++) {
        ULONG crc = 0xFFFFFFFFu, bit;
        for (j = 0; j < RTL_ETH_ADDR; j++) {
            UCHAR octet = s->mcast[i][j];
            for (b = 0; b < 8; b++, octet >>= 1) {
                ULONG carry = (crc >> 31) ^ (octet & 1);
                crc <<= 1;
                if (carry)
                    crc ^= 0x04C11DB7u;
            }
        }
        bit = crc >> 26;
        s->mar[bit >> 3] |= (UCHAR)(1u << (bit & 7));
    }
}

NDIS_STATUS NTAPI rtl_set_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                      PVOID InformationBuffer, ULONG InformationBufferLength,
                                      PULONG BytesRead, PULONG BytesNeeded)
{
    RtlAdapter *s = MiniportAdapterContext;
    ULONG v;

    *BytesRead = 0;
    *BytesNeeded = 0;

    switch (Oid) {
    case OID_GEN_CURRENT_PACKET_FILTER:
        if (InformationBufferLength < sizeof(ULONG)) {
            *BytesNeeded = sizeof(ULONG);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        NdisMoveMemory(&v, InformationBuffer, sizeof v);
        *BytesRead = sizeof(ULONG);
        if (v & ~RTL_FILTERS)
            return NDIS_STATUS_NOT_SUPPORTED;
        s->packet_filter = v;
        if (!s->removed)
            rtl_hw_set_filter(s);
        return NDIS_STATUS_SUCCESS;

    case OID_GEN_CURRENT_LOOKAHEAD:
        if (InformationBufferLength < sizeof(ULONG)) {
            *BytesNeeded = sizeof(ULONG);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        NdisMoveMemory(&v, InformationBuffer, sizeof v);
        *BytesRead = sizeof(ULONG);
        if (v > RTL_ETH_MAX_DATA)
            return NDIS_STATUS_INVALID_DATA;
        /* Every indication carries the whole frame anyway. */
        s->lookahead = v;
        return NDIS_STATUS_SUCCESS;

    case OID_802_3_MULTICAST_LIST:
        if (InformationBufferLength % RTL_ETH_ADDR != 0) {
            *BytesNeeded = (InformationBufferLength / RTL_ETH_ADDR + 1) * RTL_ETH_ADDR;
            return NDIS_STATUS_INVALID_LENGTH;
        }
        if (InformationBufferLength / RTL_ETH_ADDR > s->mcast_max) {
            *BytesNeeded = s->mcast_max * RTL_ETH_ADDR;
            return NDIS_STATUS_MULTICAST_FULL;
        }
        if (InformationBufferLength != 0)
            NdisMoveMemory(s->mcast, InformationBuffer, InformationBufferLength);
        s->mcast_count = InformationBufferLength / RTL_ETH_ADDR;
        *BytesRead = InformationBufferLength;
        rtl_mcast_hash(s);
        if (!s->removed)
            rtl_hw_set_filter(s);
        return NDIS_STATUS_SUCCESS;

    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}
