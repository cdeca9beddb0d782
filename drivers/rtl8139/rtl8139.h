/* xdrv's RTL8139C(L) NDIS 5.1 miniport: the per-adapter state and what the
 * driver's files share. A serialized, bus-master, copy-based miniport:
 * every send is copied into one of the chip's four transmit buffers, every
 * receive is copied out of the receive ring. README.md has the design. */
#ifndef RTL8139_H
#define RTL8139_H

/* An NDIS 5.1 miniport (drivers/include/ndis_fixed.h asks for these; set
 * here too so the generic driver flags in drivers.mk suffice). */
#ifndef NDIS_MINIPORT_DRIVER
#define NDIS_MINIPORT_DRIVER 1
#endif
#ifndef NDIS51_MINIPORT
#define NDIS51_MINIPORT 1
#endif
#include "ndis_fixed.h"
#include "xdrv_test_hooks.h"
#include "rtl8139_hw.h"

#define RTL_TAG 0x39333152u /* pool tag "R139" as it reads in memory */
#define RTL_DRIVER_MAJOR 1
#define RTL_DRIVER_MINOR 0

#define RTL_TX_DESCS 4u
#define RTL_TX_BUF_SIZE 1536u /* per descriptor; 32-bit aligned (6.17) */
#define RTL_TX_THRESH_INIT 8u /* ERTXTH: 8 x 32 = 256 bytes */

#define RTL_ETH_HEADER 14u
#define RTL_ETH_ADDR 6u
#define RTL_ETH_MIN_FRAME 60u /* without FCS; the chip does not pad */
#define RTL_ETH_MAX_FRAME 1514u
#define RTL_ETH_MAX_DATA 1500u

/* The receive ring: RBLEN bytes plus the 16 the datasheet adds, plus the
 * slack that WRAP = 1 writes into (section 6.8: "at least 1.5K"). The chip
 * stores frames up to 4K before it marks them LONG, so the slack covers the
 * largest packet the header can describe: header + 4K + CRC, rounded up. */
#define RTL_RX_RING_EXTRA 16u
#define RTL_RX_LEN_MAX (4096u + RTL_RX_CRC_LEN) /* largest header length field accepted */
#define RTL_RX_SLACK ((RTL_RX_HEADER + RTL_RX_LEN_MAX + 15u) & ~15u)
#define RTL_RX_LEN_MIN 8u /* a runt must be 8 bytes to be stored (6.8, AR) */

#define RTL_RX_PACKETS 32u  /* receive packets indicated with NdisMIndicateReceivePacket */
#define RTL_RX_LOW_WATER 4u /* below this many free, indicate with NDIS_STATUS_RESOURCES */
#define RTL_RX_BATCH 8u     /* packets per NdisMIndicateReceivePacket call */
#define RTL_RX_BUF_SIZE 1536u

#define RTL_MCAST_MAX 128u /* upper bound of MaximumMulticastList */
#define RTL_MCAST_DEFAULT 32u
#define RTL_LINK_CHECK_DEFAULT 2000u /* ms */
#define RTL_LINK_CHECK_MIN 100u
#define RTL_LINK_CHECK_MAX 60000u
#define RTL_RESET_POLLS 1000u /* x 10 us: CR.RST must clear within 10 ms */
#define RTL_HANG_TICKS 2u     /* CheckForHang calls without TX progress */

#define RTL_INT_MASK                                                                               \
    (RTL_INT_ROK | RTL_INT_RER | RTL_INT_TOK | RTL_INT_TER | RTL_INT_RXOVW | RTL_INT_PUN |         \
     RTL_INT_FOVW | RTL_INT_SERR)

#define RTL_FILTERS                                                                                \
    (NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST |     \
     NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS)

/* How received frames go up (INF keyword ReceiveIndication). */
typedef enum RtlRxMode {
    RTL_RX_MODE_PACKETS = 0,   /* NdisMIndicateReceivePacket, MiniportReturnPacket */
    RTL_RX_MODE_LOOKAHEAD = 1, /* NdisMEthIndicateReceive, MiniportTransferData */
} RtlRxMode;

/* One receive packet: descriptor, its one buffer, the buffer's memory. */
typedef struct RtlRxSlot {
    PNDIS_PACKET packet;
    PNDIS_BUFFER buffer;
    PUCHAR data;
} RtlRxSlot;

typedef struct RtlAdapter {
    NDIS_HANDLE handle; /* MiniportAdapterHandle */

    /* Registers: I/O ports (BAR0) unless RegisterSpace = 1 (BAR1). */
    BOOLEAN mmio;
    ULONG port_base;        /* from NdisMRegisterIoPortRange */
    ULONG io_start, io_len; /* BAR0 as assigned */
    volatile UCHAR *mem_va; /* from NdisMMapIoSpace */
    NDIS_PHYSICAL_ADDRESS mem_pa;
    ULONG mem_len;
    BOOLEAN have_io, have_mem;

    /* Interrupt */
    ULONG int_vector, int_level;
    BOOLEAN int_shared;
    NDIS_INTERRUPT_MODE int_mode;
    BOOLEAN have_int_res, have_interrupt;
    NDIS_MINIPORT_INTERRUPT interrupt;
    volatile BOOLEAN irq_enabled; /* IMR holds RTL_INT_MASK */

    BOOLEAN have_map_regs, have_shutdown, have_timer, have_lock;
    NDIS_SPIN_LOCK rx_lock; /* free receive packets: MiniportReturnPacket vs the DPC */

    /* Configuration */
    ULONG link_check_ms;
    ULONG mcast_max;
    ULONG rx_kb; /* 8, 16 or 32 */
    RtlRxMode rx_mode;
    BOOLEAN tx_pend; /* SendCompletion = 1: complete sends on TOK/TABT */
    ULONG hwverid;

    UCHAR perm_addr[RTL_ETH_ADDR];
    UCHAR cur_addr[RTL_ETH_ADDR];

    /* Receive ring (shared memory) */
    PUCHAR rx_ring;
    NDIS_PHYSICAL_ADDRESS rx_ring_pa;
    ULONG rx_ring_alloc; /* bytes allocated */
    ULONG rx_len;        /* RBLEN in bytes */
    ULONG rx_offset;     /* next packet header, 0 .. rx_len-1 */

    /* Transmit buffers (shared memory, RTL_TX_DESCS x RTL_TX_BUF_SIZE) */
    PUCHAR tx_buf;
    NDIS_PHYSICAL_ADDRESS tx_buf_pa;
    ULONG tx_head; /* next descriptor to fill */
    ULONG tx_tail; /* oldest descriptor the chip owns */
    ULONG tx_busy;
    ULONG tx_thresh;                      /* ERTXTH in 32-byte units */
    BOOLEAN tx_resources;                 /* a send returned NDIS_STATUS_RESOURCES */
    PNDIS_PACKET tx_packet[RTL_TX_DESCS]; /* pending sends (tx_pend) by descriptor */
    ULONG hang_ticks;
    ULONG hang_done; /* tx_done at the last CheckForHang */
    ULONG tx_done;   /* descriptors completed, wraps */

    /* Receive packets */
    NDIS_HANDLE packet_pool, buffer_pool;
    PUCHAR rx_mem;
    ULONG rx_mem_len;
    RtlRxSlot rx_slot[RTL_RX_PACKETS];
    ULONG rx_allocated;            /* slots with packet and buffer */
    ULONG rx_free[RTL_RX_PACKETS]; /* stack of free slot indices */
    ULONG rx_nfree;
    volatile LONG rx_outstanding;
    /* TransferData source during an NdisMEthIndicateReceive */
    PUCHAR rx_cur;
    ULONG rx_cur_len;

    /* Filtering */
    ULONG packet_filter;
    ULONG lookahead;
    UCHAR mcast[RTL_MCAST_MAX][RTL_ETH_ADDR];
    ULONG mcast_count;
    UCHAR mar[8];

    /* Link */
    BOOLEAN link_up;
    BOOLEAN speed_100;
    NDIS_MINIPORT_TIMER link_timer;

    /* State */
    BOOLEAN halting;
    BOOLEAN removed;  /* surprise removal: the hardware is gone */
    BOOLEAN hw_error; /* PCI SERR or a corrupt ring: CheckForHang asks for a reset */

    /* Statistics */
    ULONG64 xmit_ok, xmit_error, rcv_ok, rcv_error, rcv_no_buffer, rcv_crc;
    ULONG64 rcv_align, xmit_one_coll, xmit_more_coll;
} RtlAdapter;

/* Register access through BAR0 ports or the BAR1 mapping. */
static __inline UCHAR rtl_r8(RtlAdapter *s, ULONG reg)
{
    UCHAR v;
    if (s->mmio)
        NdisReadRegisterUchar((volatile UCHAR *)(s->mem_va + reg), &v);
    else
        NdisRawReadPortUchar(s->port_base + reg, &v);
    return v;
}

static __inline USHORT rtl_r16(RtlAdapter *s, ULONG reg)
{
    USHORT v;
    if (s->mmio)
        NdisReadRegisterUshort((volatile USHORT *)(s->mem_va + reg), &v);
    else
        NdisRawReadPortUshort(s->port_base + reg, &v);
    return v;
}

static __inline ULONG rtl_r32(RtlAdapter *s, ULONG reg)
{
    ULONG v;
    if (s->mmio)
        NdisReadRegisterUlong((volatile ULONG *)(s->mem_va + reg), &v);
    else
        NdisRawReadPortUlong(s->port_base + reg, &v);
    return v;
}

static __inline void rtl_w8(RtlAdapter *s, ULONG reg, UCHAR v)
{
    if (s->mmio)
        NdisWriteRegisterUchar((PUCHAR)(s->mem_va + reg), v);
    else
        NdisRawWritePortUchar(s->port_base + reg, v);
}

static __inline void rtl_w16(RtlAdapter *s, ULONG reg, USHORT v)
{
    if (s->mmio)
        NdisWriteRegisterUshort((PUSHORT)(s->mem_va + reg), v);
    else
        NdisRawWritePortUshort(s->port_base + reg, v);
}

static __inline void rtl_w32(RtlAdapter *s, ULONG reg, ULONG v)
{
    if (s->mmio)
        NdisWriteRegisterUlong((PULONG)(s->mem_va + reg), v);
    else
        NdisRawWritePortUlong(s->port_base + reg, v);
}

/* init.c */
NDIS_STATUS NTAPI rtl_initialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle,
                                 NDIS_HANDLE WrapperConfigurationContext);
VOID NTAPI rtl_halt(NDIS_HANDLE MiniportAdapterContext);
NDIS_STATUS NTAPI rtl_reset(PBOOLEAN AddressingReset, NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI rtl_shutdown(PVOID ShutdownContext);
VOID NTAPI rtl_pnp_event(NDIS_HANDLE MiniportAdapterContext, NDIS_DEVICE_PNP_EVENT PnPEvent,
                         PVOID InformationBuffer, ULONG InformationBufferLength);
void rtl_hw_set_filter(RtlAdapter *s);

/* intr.c */
VOID NTAPI rtl_isr(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt,
                   NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI rtl_handle_interrupt(NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI rtl_enable_interrupt(NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI rtl_disable_interrupt(NDIS_HANDLE MiniportAdapterContext);
BOOLEAN NTAPI rtl_check_for_hang(NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI rtl_link_timer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2,
                          PVOID SystemSpecific3);
void rtl_irq_set(RtlAdapter *s, BOOLEAN on);
void rtl_link_update(RtlAdapter *s, BOOLEAN indicate);

/* send.c */
VOID NTAPI rtl_send_packets(NDIS_HANDLE MiniportAdapterContext, PPNDIS_PACKET PacketArray,
                            UINT NumberOfPackets);
void rtl_tx_complete(RtlAdapter *s);

/* recv.c */
void rtl_rx(RtlAdapter *s);
VOID NTAPI rtl_return_packet(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet);
NDIS_STATUS NTAPI rtl_transfer_data(PNDIS_PACKET Packet, PUINT BytesTransferred,
                                    NDIS_HANDLE MiniportAdapterContext,
                                    NDIS_HANDLE MiniportReceiveContext, UINT ByteOffset,
                                    UINT BytesToTransfer);

/* oid.c */
NDIS_STATUS NTAPI rtl_query_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                        PVOID InformationBuffer, ULONG InformationBufferLength,
                                        PULONG BytesWritten, PULONG BytesNeeded);
NDIS_STATUS NTAPI rtl_set_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                      PVOID InformationBuffer, ULONG InformationBufferLength,
                                      PULONG BytesRead, PULONG BytesNeeded);
void rtl_mcast_hash(RtlAdapter *s);

#endif
