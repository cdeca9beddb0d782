/* MiniportQueryInformation and MiniportSetInformation: the general, 802.3
 * and statistics OIDs of an NDIS 5.1 Ethernet miniport (learn.microsoft.com
 * "General Objects", "Ethernet Objects" for NDIS 5.1), and the receive
 * filter as the chip takes it: RCTL UPE, MPE and BAM (§13.4.22) and the
 * multicast table array (§13.5.1). Unlike a LANCE, the 8254x takes both at
 * any time, with the receiver running. Both handlers complete
 * synchronously. */
#include "e1000.h"

static const NDIS_OID e1k_supported_oids[] = {
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

static const char e1k_vendor_description[] = "xdrv Intel 82540EM PRO/1000 NDIS 5.1 miniport";

/* The statistic an OID names, from the chip's counters (§13.7) and the
 * driver's own; FALSE for other OIDs. Lock held, counters just read. */
static BOOLEAN e1k_counter(E1kAdapter *s, NDIS_OID oid, ULONG64 *v)
{
    switch (oid) {
    case OID_GEN_XMIT_OK:
        *v = s->st_gptc;
        break;
    case OID_GEN_RCV_OK:
        *v = s->st_gprc;
        break;
    case OID_GEN_XMIT_ERROR: /* not sent: excess or late collisions; refused by the driver */
        *v = s->st_ecol + s->st_latecol + s->sw_xmit_error;
        break;
    case OID_GEN_RCV_ERROR:
        *v = s->st_crcerrs + s->st_algnerrc + s->st_symerrs + s->st_rxerrc + s->st_rlec +
             s->sw_rcv_error;
        break;
    case OID_GEN_RCV_NO_BUFFER: /* arrived with no receive descriptor free */
        *v = s->st_rnbc;
        break;
    case OID_GEN_RCV_CRC_ERROR:
        *v = s->st_crcerrs;
        break;
    case OID_802_3_RCV_ERROR_ALIGNMENT:
        *v = s->st_algnerrc;
        break;
    case OID_802_3_XMIT_ONE_COLLISION:
        *v = s->st_scc;
        break;
    case OID_802_3_XMIT_MORE_COLLISIONS:
        *v = s->st_mcc;
        break;
    case OID_802_3_XMIT_DEFERRED:
        *v = s->st_dc;
        break;
    case OID_802_3_XMIT_MAX_COLLISIONS:
        *v = s->st_ecol;
        break;
    case OID_802_3_RCV_OVERRUN: /* missed: the receive FIFO was full */
        *v = s->st_mpc;
        break;
    case OID_802_3_XMIT_UNDERRUN:
        *v = s->sw_xmit_underrun;
        break;
    case OID_802_3_XMIT_TIMES_CRS_LOST:
        *v = s->st_tncrs;
        break;
    case OID_802_3_XMIT_LATE_COLLISIONS:
        *v = s->st_latecol;
        break;
    default:
        return FALSE;
    }
    return TRUE;
}

NDIS_STATUS NTAPI e1k_query_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                        PVOID InformationBuffer, ULONG InformationBufferLength,
                                        PULONG BytesWritten, PULONG BytesNeeded)
{
    E1kAdapter *s = MiniportAdapterContext;
    union {
        ULONG ul;
        USHORT us;
        ULONG64 u64;
        NDIS_HARDWARE_STATUS hw;
        NDIS_MEDIUM medium;
        NDIS_MEDIA_STATE media;
        UCHAR bytes[E1K_MCAST_MAX * E1K_ETH_ADDR];
    } v;
    const VOID *src = &v;
    ULONG len = sizeof(ULONG);
    ULONG64 counter;
    BOOLEAN is_counter;

    *BytesWritten = 0;
    *BytesNeeded = 0;
    v.u64 = 0;

    NdisAcquireSpinLock(&s->lock);
    is_counter = e1k_counter(s, Oid, &counter);
    if (is_counter) {
        e1k_stats_update_locked(s);
        e1k_counter(s, Oid, &counter);
    }
    NdisReleaseSpinLock(&s->lock);
    if (is_counter) {
        /* Statistics are 64-bit counters; a 4-byte buffer gets the low half
         * (NDIS 5.1 lets the caller choose by its buffer size). */
        if (InformationBufferLength < sizeof(ULONG)) {
            *BytesNeeded = sizeof(ULONG64);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        v.u64 = counter;
        len = InformationBufferLength >= sizeof(ULONG64) ? sizeof(ULONG64) : sizeof(ULONG);
        NdisMoveMemory(InformationBuffer, &v, len);
        *BytesWritten = len;
        return NDIS_STATUS_SUCCESS;
    }

    switch (Oid) {
    case OID_GEN_SUPPORTED_LIST:
        src = e1k_supported_oids;
        len = sizeof e1k_supported_oids;
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
        v.ul = E1K_ETH_MAX_DATA;
        break;
    case OID_GEN_CURRENT_LOOKAHEAD:
        v.ul = s->lookahead;
        break;
    case OID_GEN_MAXIMUM_TOTAL_SIZE:
        v.ul = E1K_ETH_MAX_FRAME;
        break;
    case OID_GEN_LINK_SPEED:
        /* In units of 100 bps: the resolved speed (STATUS.SPEED), or the
         * chip's best while the link is down. */
        v.ul = (s->link_up ? s->speed_mbps : 1000) * 10000;
        break;
    case OID_GEN_TRANSMIT_BUFFER_SPACE:
        v.ul = E1K_TX_DESCS * E1K_BUF_SIZE;
        break;
    case OID_GEN_RECEIVE_BUFFER_SPACE:
        v.ul = E1K_RX_BUFS * E1K_BUF_SIZE;
        break;
    case OID_GEN_TRANSMIT_BLOCK_SIZE:
    case OID_GEN_RECEIVE_BLOCK_SIZE:
        v.ul = E1K_BUF_SIZE;
        break;
    case OID_GEN_VENDOR_ID:
        /* The IEEE OUI of the permanent address, then the vendor's NIC index. */
        v.bytes[0] = s->perm_addr[0];
        v.bytes[1] = s->perm_addr[1];
        v.bytes[2] = s->perm_addr[2];
        v.bytes[3] = 0;
        break;
    case OID_GEN_VENDOR_DESCRIPTION:
        src = e1k_vendor_description;
        len = sizeof e1k_vendor_description;
        break;
    case OID_GEN_VENDOR_DRIVER_VERSION:
        v.ul = (E1K_DRIVER_MAJOR << 16) | E1K_DRIVER_MINOR;
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
        v.ul = E1K_TX_DESCS;
        break;
    case OID_802_3_PERMANENT_ADDRESS:
        src = s->perm_addr;
        len = E1K_ETH_ADDR;
        break;
    case OID_802_3_CURRENT_ADDRESS:
        src = s->cur_addr;
        len = E1K_ETH_ADDR;
        break;
    case OID_802_3_MULTICAST_LIST:
        NdisAcquireSpinLock(&s->lock);
        len = s->mcast_count * E1K_ETH_ADDR;
        if (len != 0)
            NdisMoveMemory(v.bytes, s->mcast, len);
        NdisReleaseSpinLock(&s->lock);
        break;
    case OID_802_3_MAXIMUM_LIST_SIZE:
        v.ul = E1K_MCAST_MAX;
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

/* The multicast table bit of an address (§13.5.1, RCTL.MO = 00): the 12
 * destination address bits 47:36, i.e. the high nibble of byte 4 and all
 * of byte 5; bits 11:5 of that value pick one of the 128 registers, bits
 * 4:0 the bit in it. */
static ULONG e1k_mta_hash(const UCHAR *addr)
{
    return ((ULONG)addr[4] >> 4) | ((ULONG)addr[5] << 4);
}

/* The multicast table for the current filter and list. ALL_MULTICAST and
 * PROMISCUOUS use RCTL.MPE instead. Lock held (or not yet shared). */
void e1k_mta_write_locked(E1kAdapter *s)
{
    ULONG mta[E1K_MTA_WORDS];
    ULONG i;

    NdisZeroMemory(mta, sizeof mta);
    if (s->packet_filter & NDIS_PACKET_TYPE_MULTICAST) {
        for (i = 0; i < s->mcast_count; i++) {
            ULONG h = e1k_mta_hash(s->mcast[i]);
            mta[h >> 5] |= 1u << (h & 0x1F);
        }
    }
    if (s->removed)
        return;
    for (i = 0; i < E1K_MTA_WORDS; i++)
        e1k_wr(s, E1K_MTA + 4 * i, mta[i]);
}

/* RCTL for the current filter (§13.4.22, §14.4): receiver on once NDIS
 * wants anything; broadcast with BAM; UPE and MPE for promiscuous, MPE
 * for all-multicast; 2048-byte buffers, CRC stripped, the descriptor
 * threshold at half the ring, multicast offset 00, no loopback, no long
 * frames, no bad frames stored. */
ULONG e1k_rctl_value(E1kAdapter *s)
{
    ULONG f = s->packet_filter;
    ULONG v;

    if (f == 0)
        return 0;
    v = E1K_RCTL_EN | E1K_RCTL_BSIZE_2048 | E1K_RCTL_SECRC | E1K_RCTL_RDMTS_HALF;
    if (f & NDIS_PACKET_TYPE_BROADCAST)
        v |= E1K_RCTL_BAM;
    if (f & NDIS_PACKET_TYPE_PROMISCUOUS)
        v |= E1K_RCTL_UPE | E1K_RCTL_MPE | E1K_RCTL_BAM;
    if (f & NDIS_PACKET_TYPE_ALL_MULTICAST)
        v |= E1K_RCTL_MPE;
    return v;
}

/* The filter and multicast table to the chip. Lock held. */
static void e1k_filter_apply_locked(E1kAdapter *s)
{
    if (s->removed || !s->started)
        return;
    e1k_mta_write_locked(s);
    e1k_wr(s, E1K_RCTL, e1k_rctl_value(s));
}

NDIS_STATUS NTAPI e1k_set_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                      PVOID InformationBuffer, ULONG InformationBufferLength,
                                      PULONG BytesRead, PULONG BytesNeeded)
{
    E1kAdapter *s = MiniportAdapterContext;
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
        if (v & ~E1K_FILTERS)
            return NDIS_STATUS_NOT_SUPPORTED;
        NdisAcquireSpinLock(&s->lock);
        s->packet_filter = v;
        e1k_filter_apply_locked(s);
        NdisReleaseSpinLock(&s->lock);
        return NDIS_STATUS_SUCCESS;

    case OID_GEN_CURRENT_LOOKAHEAD:
        if (InformationBufferLength < sizeof(ULONG)) {
            *BytesNeeded = sizeof(ULONG);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        NdisMoveMemory(&v, InformationBuffer, sizeof v);
        *BytesRead = sizeof(ULONG);
        if (v > E1K_ETH_MAX_DATA)
            return NDIS_STATUS_INVALID_DATA;
        /* Every indication carries the whole frame anyway. */
        s->lookahead = v;
        return NDIS_STATUS_SUCCESS;

    case OID_802_3_MULTICAST_LIST:
        if (InformationBufferLength % E1K_ETH_ADDR != 0) {
            *BytesNeeded = (InformationBufferLength / E1K_ETH_ADDR + 1) * E1K_ETH_ADDR;
            return NDIS_STATUS_INVALID_LENGTH;
        }
        if (InformationBufferLength / E1K_ETH_ADDR > E1K_MCAST_MAX) {
            *BytesNeeded = E1K_MCAST_MAX * E1K_ETH_ADDR;
            return NDIS_STATUS_MULTICAST_FULL;
        }
        NdisAcquireSpinLock(&s->lock);
        if (InformationBufferLength != 0)
            NdisMoveMemory(s->mcast, InformationBuffer, InformationBufferLength);
        s->mcast_count = InformationBufferLength / E1K_ETH_ADDR;
        e1k_filter_apply_locked(s);
        NdisReleaseSpinLock(&s->lock);
        *BytesRead = InformationBufferLength;
        return NDIS_STATUS_SUCCESS;

    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}
