/* MiniportQueryInformation and MiniportSetInformation: the general and
 * 802.3 OIDs of an NDIS 4.0 Ethernet miniport (NT 4.0 DDK, "General
 * Objects" and "Ethernet Objects"). Both complete synchronously. The
 * statistics are the driver's counts plus the DP8390 tally counters
 * (CNTR0 frame alignment, CNTR1 CRC, CNTR2 missed packets). */
#include "ne2000.h"

static const NDIS_OID ne_supported_oids[] = {
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
    OID_802_3_XMIT_MAX_COLLISIONS,
    OID_802_3_RCV_OVERRUN,
    OID_802_3_XMIT_UNDERRUN,
};

static const char ne_vendor_description[] = "xdrv NE2000 (DP8390D/RTL8029AS) NDIS 4.0 miniport";

static BOOLEAN ne_is_statistic(NDIS_OID oid)
{
    switch (oid) {
    case OID_GEN_RCV_ERROR:
    case OID_GEN_RCV_NO_BUFFER:
    case OID_GEN_RCV_CRC_ERROR:
    case OID_802_3_RCV_ERROR_ALIGNMENT:
        return TRUE;
    default:
        return FALSE;
    }
}

NDIS_STATUS NTAPI ne_query_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                       PVOID InformationBuffer, ULONG InformationBufferLength,
                                       PULONG BytesWritten, PULONG BytesNeeded)
{
    NeAdapter *s = MiniportAdapterContext;
    union {
        ULONG ul;
        USHORT us;
        NDIS_HARDWARE_STATUS hw;
        NDIS_MEDIUM medium;
        NDIS_MEDIA_STATE media;
        UCHAR bytes[4];
    } v;
    const VOID *src = &v;
    ULONG len = sizeof(ULONG);

    *BytesWritten = 0;
    *BytesNeeded = 0;
    v.ul = 0;

    /* Counters the NIC keeps: bring them up to date first. */
    if (ne_is_statistic(Oid) && !s->hw_error)
        ne_read_tallies(s);

    switch (Oid) {
    case OID_GEN_SUPPORTED_LIST:
        src = ne_supported_oids;
        len = sizeof ne_supported_oids;
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
        v.ul = NE_ETH_MAX_DATA;
        break;
    case OID_GEN_CURRENT_LOOKAHEAD:
        v.ul = s->lookahead;
        break;
    case OID_GEN_MAXIMUM_TOTAL_SIZE:
        v.ul = NE_ETH_MAX_FRAME;
        break;
    case OID_GEN_LINK_SPEED:
        v.ul = 100000; /* 10 Mbps in units of 100 bps */
        break;
    case OID_GEN_TRANSMIT_BUFFER_SPACE:
        v.ul = NE_TX_BUFS * NE_TX_BUF_SIZE;
        break;
    case OID_GEN_RECEIVE_BUFFER_SPACE:
        v.ul = NE_RX_RING_SIZE;
        break;
    case OID_GEN_TRANSMIT_BLOCK_SIZE:
        v.ul = NE_TX_BUF_SIZE;
        break;
    case OID_GEN_RECEIVE_BLOCK_SIZE:
        v.ul = NE_PAGE_SIZE; /* the ring is allocated in pages */
        break;
    case OID_GEN_VENDOR_ID:
        /* The IEEE OUI of the permanent address, then the vendor's NIC index. */
        v.bytes[0] = s->perm_addr[0];
        v.bytes[1] = s->perm_addr[1];
        v.bytes[2] = s->perm_addr[2];
        v.bytes[3] = 0;
        break;
    case OID_GEN_VENDOR_DESCRIPTION:
        src = ne_vendor_description;
        len = sizeof ne_vendor_description;
        break;
    case OID_GEN_VENDOR_DRIVER_VERSION:
        v.ul = (NE_DRIVER_MAJOR << 16) | NE_DRIVER_MINOR;
        break;
    case OID_GEN_DRIVER_VERSION:
        v.us = 0x0400; /* NDIS 4.0 */
        len = sizeof v.us;
        break;
    case OID_GEN_CURRENT_PACKET_FILTER:
        v.ul = s->packet_filter;
        break;
    case OID_GEN_MAC_OPTIONS:
        /* The lookahead is a copy in the adapter (plain memory); transfers
         * complete synchronously; receives are indicated one at a time
         * from the DPC; the NIC does not loop its own frames back. */
        v.ul = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
               NDIS_MAC_OPTION_RECEIVE_SERIALIZED | NDIS_MAC_OPTION_NO_LOOPBACK;
        break;
    case OID_GEN_MEDIA_CONNECT_STATUS:
        /* The DP8390 has no link status register: always connected. */
        v.media = NdisMediaStateConnected;
        len = sizeof v.media;
        break;
    case OID_GEN_XMIT_OK:
        v.ul = s->xmit_ok;
        break;
    case OID_GEN_RCV_OK:
        v.ul = s->rcv_ok;
        break;
    case OID_GEN_XMIT_ERROR:
        v.ul = s->xmit_error;
        break;
    case OID_GEN_RCV_ERROR:
        v.ul = s->rcv_error;
        break;
    case OID_GEN_RCV_NO_BUFFER:
        v.ul = s->rcv_no_buffer;
        break;
    case OID_GEN_RCV_CRC_ERROR:
        v.ul = s->rcv_crc;
        break;
    case OID_802_3_RCV_ERROR_ALIGNMENT:
        v.ul = s->rcv_align;
        break;
    case OID_802_3_XMIT_ONE_COLLISION:
        v.ul = s->xmit_one_coll;
        break;
    case OID_802_3_XMIT_MORE_COLLISIONS:
        v.ul = s->xmit_more_coll;
        break;
    case OID_802_3_XMIT_MAX_COLLISIONS:
        v.ul = s->xmit_max_coll;
        break;
    case OID_802_3_RCV_OVERRUN:
        v.ul = s->rcv_overrun;
        break;
    case OID_802_3_XMIT_UNDERRUN:
        v.ul = s->xmit_underrun;
        break;
    case OID_802_3_PERMANENT_ADDRESS:
        src = s->perm_addr;
        len = NE_ETH_ADDR;
        break;
    case OID_802_3_CURRENT_ADDRESS:
        src = s->cur_addr;
        len = NE_ETH_ADDR;
        break;
    case OID_802_3_MULTICAST_LIST:
        src = s->mcast;
        len = s->mcast_count * NE_ETH_ADDR;
        break;
    case OID_802_3_MAXIMUM_LIST_SIZE:
        v.ul = NE_MCAST_MAX;
        break;
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
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

/* MAR0-7 from the multicast list (DP8390D 10, "Multicast Address
 * Registers"): the NIC runs each destination address through its CRC
 * generator (the Ethernet CRC-32: polynomial 04C11DB7h, preset all ones,
 * each byte least significant bit first) and uses the 6 most significant
 * bits of the result: bits 5-3 pick MAR0-7, bits 2-0 the bit in it. */
void ne_mcast_hash(NeAdapter *s)
{
    ULONG i, j, b;

    NdisZeroMemory(s->mar, sizeof s->mar);
    for (i = 0; i < s->mcast_count; i++) {
        ULONG crc = 0xFFFFFFFFu, index;
        for (j = 0; j < NE_ETH_ADDR; j++) {
            UCHAR octet = s->mcast[i][j];
            for (b = 0; b < 8; b++, octet >>= 1) {
                ULONG feedback = (crc >> 31) ^ (octet & 1u);
                crc <<= 1;
                if (feedback)
                    crc ^= 0x04C11DB7u;
            }
        }
        index = crc >> 26;
        s->mar[index >> 3] |= (UCHAR)(1u << (index & 7));
    }
}

NDIS_STATUS NTAPI ne_set_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                     PVOID InformationBuffer, ULONG InformationBufferLength,
                                     PULONG BytesRead, PULONG BytesNeeded)
{
    NeAdapter *s = MiniportAdapterContext;
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
        if (v & ~NE_FILTERS)
            return NDIS_STATUS_NOT_SUPPORTED;
        s->packet_filter = v;
        ne_hw_set_filter(s);
        return NDIS_STATUS_SUCCESS;

    case OID_GEN_CURRENT_LOOKAHEAD:
        if (InformationBufferLength < sizeof(ULONG)) {
            *BytesNeeded = sizeof(ULONG);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        NdisMoveMemory(&v, InformationBuffer, sizeof v);
        *BytesRead = sizeof(ULONG);
        if (v > NE_ETH_MAX_DATA)
            return NDIS_STATUS_INVALID_DATA;
        s->lookahead = v;
        return NDIS_STATUS_SUCCESS;

    case OID_802_3_MULTICAST_LIST:
        if (InformationBufferLength % NE_ETH_ADDR != 0) {
            *BytesNeeded = (InformationBufferLength / NE_ETH_ADDR + 1) * NE_ETH_ADDR;
            return NDIS_STATUS_INVALID_LENGTH;
        }
        if (InformationBufferLength / NE_ETH_ADDR > NE_MCAST_MAX) {
            *BytesNeeded = NE_MCAST_MAX * NE_ETH_ADDR;
            return NDIS_STATUS_MULTICAST_FULL;
        }
        if (InformationBufferLength != 0)
            NdisMoveMemory(s->mcast, InformationBuffer, InformationBufferLength);
        s->mcast_count = InformationBufferLength / NE_ETH_ADDR;
        *BytesRead = InformationBufferLength;
        ne_mcast_hash(s);
        ne_hw_set_filter(s);
        return NDIS_STATUS_SUCCESS;

    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}
