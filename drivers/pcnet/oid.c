/* MiniportQueryInformation and MiniportSetInformation: the general, 802.3
 * and statistics OIDs of an NDIS 5.1 Ethernet miniport (learn.microsoft.com
 * "General Objects", "Ethernet Objects" for NDIS 5.1), and the receive
 * filter as the chip takes it: CSR15 MODE and the logical address filter,
 * both loaded from the initialization block (datasheet "Initialization
 * Block", "CSR15: Mode", "Address Matching"). Both handlers complete
 * synchronously. */
#include "pcnet.h"

static const NDIS_OID pcn_supported_oids[] = {
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
    OID_802_3_XMIT_DEFERRED,
    OID_802_3_XMIT_MAX_COLLISIONS,
    OID_802_3_RCV_OVERRUN,
    OID_802_3_XMIT_UNDERRUN,
    OID_802_3_XMIT_TIMES_CRS_LOST,
    OID_802_3_XMIT_LATE_COLLISIONS,
};

static const char pcn_vendor_description[] = "xdrv Am79C970A PCnet-PCI II NDIS 5.1 miniport";

/* The statistic an OID names, or NULL. */
static const ULONG64 *pcn_counter(PcnAdapter *s, NDIS_OID oid)
{
    switch (oid) {
    case OID_GEN_XMIT_OK:
        return &s->xmit_ok;
    case OID_GEN_RCV_OK:
        return &s->rcv_ok;
    case OID_GEN_XMIT_ERROR:
        return &s->xmit_error;
    case OID_GEN_RCV_ERROR:
        return &s->rcv_error;
    case OID_GEN_RCV_NO_BUFFER:
        return &s->rcv_no_buffer;
    case OID_GEN_RCV_CRC_ERROR:
        return &s->rcv_crc;
    case OID_802_3_RCV_ERROR_ALIGNMENT:
        return &s->rcv_align;
    case OID_802_3_XMIT_ONE_COLLISION:
        return &s->xmit_one_coll;
    case OID_802_3_XMIT_MORE_COLLISIONS:
        return &s->xmit_more_coll;
    case OID_802_3_XMIT_DEFERRED:
        return &s->xmit_deferred;
    case OID_802_3_XMIT_MAX_COLLISIONS:
        return &s->xmit_max_coll;
    case OID_802_3_RCV_OVERRUN:
        return &s->rcv_overrun;
    case OID_802_3_XMIT_UNDERRUN:
        return &s->xmit_underrun;
    case OID_802_3_XMIT_TIMES_CRS_LOST:
        return &s->xmit_crs_lost;
    case OID_802_3_XMIT_LATE_COLLISIONS:
        return &s->xmit_late_coll;
    default:
        return NULL;
    }
}

NDIS_STATUS NTAPI pcn_query_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                        PVOID InformationBuffer, ULONG InformationBufferLength,
                                        PULONG BytesWritten, PULONG BytesNeeded)
{
    PcnAdapter *s = MiniportAdapterContext;
    union {
        ULONG ul;
        USHORT us;
        ULONG64 u64;
        NDIS_HARDWARE_STATUS hw;
        NDIS_MEDIUM medium;
        NDIS_MEDIA_STATE media;
        UCHAR bytes[PCN_MCAST_MAX * PCN_ETH_ADDR];
    } v;
    const VOID *src = &v;
    ULONG len = sizeof(ULONG);
    const ULONG64 *counter;

    *BytesWritten = 0;
    *BytesNeeded = 0;
    v.u64 = 0;

    counter = pcn_counter(s, Oid);
    if (counter != NULL) {
        /* Statistics are 64-bit counters; a 4-byte buffer gets the low half
         * (NDIS 5.1 lets the caller choose by its buffer size). Read under
         * the lock: a 64-bit load is two on x86. */
        if (InformationBufferLength < sizeof(ULONG)) {
            *BytesNeeded = sizeof(ULONG64);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        NdisAcquireSpinLock(&s->lock);
        v.u64 = *counter;
        NdisReleaseSpinLock(&s->lock);
        len = InformationBufferLength >= sizeof(ULONG64) ? sizeof(ULONG64) : sizeof(ULONG);
        NdisMoveMemory(InformationBuffer, &v, len);
        *BytesWritten = len;
        return NDIS_STATUS_SUCCESS;
    }

    switch (Oid) {
    case OID_GEN_SUPPORTED_LIST:
        src = pcn_supported_oids;
        len = sizeof pcn_supported_oids;
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
        v.ul = PCN_ETH_MAX_DATA;
        break;
    case OID_GEN_CURRENT_LOOKAHEAD:
        v.ul = s->lookahead;
        break;
    case OID_GEN_MAXIMUM_TOTAL_SIZE:
        v.ul = PCN_ETH_MAX_FRAME;
        break;
    case OID_GEN_LINK_SPEED:
        v.ul = 100000; /* 10 Mbps, in units of 100 bps */
        break;
    case OID_GEN_TRANSMIT_BUFFER_SPACE:
        v.ul = PCN_TX_DESCS * PCN_BUF_SIZE;
        break;
    case OID_GEN_RECEIVE_BUFFER_SPACE:
        v.ul = PCN_RX_BUFS * PCN_BUF_SIZE;
        break;
    case OID_GEN_TRANSMIT_BLOCK_SIZE:
    case OID_GEN_RECEIVE_BLOCK_SIZE:
        v.ul = PCN_BUF_SIZE;
        break;
    case OID_GEN_VENDOR_ID:
        /* The IEEE OUI of the permanent address, then the vendor's NIC index. */
        v.bytes[0] = s->perm_addr[0];
        v.bytes[1] = s->perm_addr[1];
        v.bytes[2] = s->perm_addr[2];
        v.bytes[3] = 0;
        break;
    case OID_GEN_VENDOR_DESCRIPTION:
        src = pcn_vendor_description;
        len = sizeof pcn_vendor_description;
        break;
    case OID_GEN_VENDOR_DRIVER_VERSION:
        v.ul = (PCN_DRIVER_MAJOR << 16) | PCN_DRIVER_MINOR;
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
               NDIS_MAC_OPTION_NO_LOOPBACK;
        break;
    case OID_GEN_MEDIA_CONNECT_STATUS:
        v.media = s->link_up ? NdisMediaStateConnected : NdisMediaStateDisconnected;
        len = sizeof v.media;
        break;
    case OID_GEN_MAXIMUM_SEND_PACKETS:
        v.ul = PCN_TX_DESCS;
        break;
    case OID_802_3_PERMANENT_ADDRESS:
        src = s->perm_addr;
        len = PCN_ETH_ADDR;
        break;
    case OID_802_3_CURRENT_ADDRESS:
        src = s->cur_addr;
        len = PCN_ETH_ADDR;
        break;
    case OID_802_3_MULTICAST_LIST:
        NdisAcquireSpinLock(&s->lock);
        len = s->mcast_count * PCN_ETH_ADDR;
        if (len != 0)
            NdisMoveMemory(v.bytes, s->mcast, len);
        NdisReleaseSpinLock(&s->lock);
        break;
    case OID_802_3_MAXIMUM_LIST_SIZE:
        v.ul = PCN_MCAST_MAX;
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

/* The LADRF bit of a multicast address ("Address Matching"): the address
 * runs through the FCS generator (CRC-32, polynomial 04C11DB7h, preset all
 * ones, each byte LSB first); the 6 most significant bits of the CRC
 * register, not complemented, select one of the 64 filter bits. The
 * generator shifts toward the register's low end here (the reflected
 * form, EDB88320h), so those 6 bits are the top of the word. */
static ULONG pcn_ladrf_bit(const UCHAR *addr)
{
    ULONG crc = 0xFFFFFFFFu;
    ULONG i, b;

    for (i = 0; i < PCN_ETH_ADDR; i++) {
        ULONG octet = addr[i];
        for (b = 0; b < 8; b++, octet >>= 1)
            crc = (crc >> 1) ^ (((crc ^ octet) & 1) ? 0xEDB88320u : 0);
    }
    return crc >> 26;
}

/* MODE and LADRF for the current packet filter and multicast list, and
 * the rest of the initialization block. Lock held (or not yet shared). */
static void pcn_filter_values(PcnAdapter *s, USHORT *mode, UCHAR *ladrf)
{
    ULONG f = s->packet_filter;
    ULONG i;

    *mode = 0;
    NdisZeroMemory(ladrf, 8);
    if (f & NDIS_PACKET_TYPE_PROMISCUOUS) {
        *mode = PCN_MODE_PROM;
        NdisFillMemory(ladrf, 8, 0xFF);
        return;
    }
    if (!(f & NDIS_PACKET_TYPE_DIRECTED))
        *mode |= PCN_MODE_DRCVPA;
    if (!(f & NDIS_PACKET_TYPE_BROADCAST))
        *mode |= PCN_MODE_DRCVBC;
    if (f & NDIS_PACKET_TYPE_ALL_MULTICAST) {
        NdisFillMemory(ladrf, 8, 0xFF);
    } else if (f & NDIS_PACKET_TYPE_MULTICAST) {
        for (i = 0; i < s->mcast_count; i++) {
            ULONG bit = pcn_ladrf_bit(s->mcast[i]);
            ladrf[bit >> 3] |= (UCHAR)(1u << (bit & 7));
        }
    }
}

void pcn_fill_init_block(PcnAdapter *s)
{
    PcnInitBlock *ib = &s->sh->init;

    pcn_filter_values(s, &ib->mode, ib->ladrf);
    ib->rlen = (UCHAR)(PCN_RING_LOG2 << PCN_RLEN_SHIFT);
    ib->tlen = (UCHAR)(PCN_RING_LOG2 << PCN_RLEN_SHIFT);
    NdisMoveMemory(ib->padr, s->cur_addr, PCN_ETH_ADDR);
    ib->reserved = 0;
    ib->rdra = s->sh_pa.LowPart + FIELD_OFFSET(PcnShared, rx);
    ib->tdra = s->sh_pa.LowPart + FIELD_OFFSET(PcnShared, tx);
}

/* Does the chip need new MODE/LADRF values? Lock held. */
static BOOLEAN pcn_filter_changed(PcnAdapter *s)
{
    USHORT mode;
    UCHAR ladrf[8];

    pcn_filter_values(s, &mode, ladrf);
    return mode != s->sh->init.mode || !NdisEqualMemory(ladrf, s->sh->init.ladrf, 8);
}

NDIS_STATUS NTAPI pcn_set_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                      PVOID InformationBuffer, ULONG InformationBufferLength,
                                      PULONG BytesRead, PULONG BytesNeeded)
{
    PcnAdapter *s = MiniportAdapterContext;
    BOOLEAN changed;
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
        if (v & ~PCN_FILTERS)
            return NDIS_STATUS_NOT_SUPPORTED;
        NdisAcquireSpinLock(&s->lock);
        s->packet_filter = v;
        changed = pcn_filter_changed(s);
        NdisReleaseSpinLock(&s->lock);
        break;

    case OID_GEN_CURRENT_LOOKAHEAD:
        if (InformationBufferLength < sizeof(ULONG)) {
            *BytesNeeded = sizeof(ULONG);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        NdisMoveMemory(&v, InformationBuffer, sizeof v);
        *BytesRead = sizeof(ULONG);
        if (v > PCN_ETH_MAX_DATA)
            return NDIS_STATUS_INVALID_DATA;
        /* Every indication carries the whole frame anyway. */
        s->lookahead = v;
        return NDIS_STATUS_SUCCESS;

    case OID_802_3_MULTICAST_LIST:
        if (InformationBufferLength % PCN_ETH_ADDR != 0) {
            *BytesNeeded = (InformationBufferLength / PCN_ETH_ADDR + 1) * PCN_ETH_ADDR;
            return NDIS_STATUS_INVALID_LENGTH;
        }
        if (InformationBufferLength / PCN_ETH_ADDR > PCN_MCAST_MAX) {
            *BytesNeeded = PCN_MCAST_MAX * PCN_ETH_ADDR;
            return NDIS_STATUS_MULTICAST_FULL;
        }
        NdisAcquireSpinLock(&s->lock);
        if (InformationBufferLength != 0)
            NdisMoveMemory(s->mcast, InformationBuffer, InformationBufferLength);
        s->mcast_count = InformationBufferLength / PCN_ETH_ADDR;
        changed = pcn_filter_changed(s);
        NdisReleaseSpinLock(&s->lock);
        *BytesRead = InformationBufferLength;
        break;

    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }

    /* CSR15 and LADRF take new values only while the chip is stopped:
     * STOP, then INIT from the updated block ("CSR15: Mode"). */
    if (changed && !s->removed)
        pcn_restart(s, PCN_RESTART_FILTER);
    return NDIS_STATUS_SUCCESS;
}
