/* xdrv's NE2000 (DP8390D / RTL8029AS) NDIS 4.0 miniport: the per-adapter
 * state and what the driver's files share. A serialized programmed-I/O
 * miniport: every byte moves through the card's data port by remote DMA;
 * frames go up by lookahead indication and MiniportTransferData.
 * README.md has the design. */
#ifndef NE2000_H
#define NE2000_H

/* mingw-w64's ndis.h accepts NDIS 5.0 and later miniport builds only
 * ("Only NDIS miniport drivers with version >= 5 are supported"); 5.0 is
 * the oldest it offers, and every NDIS 4.0 structure and call the driver
 * uses is still declared under it. The driver registers as 4.0
 * (NDIS40_MINIPORT_CHARACTERISTICS, main.c). */
#ifndef NDIS_MINIPORT_DRIVER
#define NDIS_MINIPORT_DRIVER 1
#endif
#ifndef NDIS50_MINIPORT
#define NDIS50_MINIPORT 1
#endif
#include "ndis_fixed.h"
#include "xdrv_test_hooks.h"
#include "ne2000_hw.h"

/* mingw-w64 turns NdisMSetAttributes into NdisMSetAttributesEx; an NDIS 4.0
 * driver built with the NT 4.0 DDK imports NDIS.SYS!NdisMSetAttributes
 * itself, and so does this one. */
#undef NdisMSetAttributes
NDISAPI VOID NTAPI NdisMSetAttributes(NDIS_HANDLE MiniportAdapterHandle,
                                      NDIS_HANDLE MiniportAdapterContext, BOOLEAN BusMaster,
                                      NDIS_INTERFACE_TYPE AdapterType);

#define NE_DRIVER_MAJOR 1
#define NE_DRIVER_MINOR 0

#define NE_ETH_ADDR 6u
#define NE_ETH_HEADER 14u
#define NE_ETH_MIN_FRAME 60u /* without FCS; the DP8390 does not pad */
#define NE_ETH_MAX_FRAME 1514u
#define NE_ETH_MAX_DATA 1500u

/* The 16 KB buffer: two transmit buffers of 6 pages (1536 bytes, a full
 * frame each) at the start, the receive ring in the rest (52 pages). */
#define NE_TX_BUFS 2u
#define NE_TX_PAGES 6u
#define NE_TX_FIRST_PAGE NE_MEM_FIRST_PAGE
#define NE_TX_BUF_SIZE (NE_TX_PAGES * NE_PAGE_SIZE)
#define NE_RX_PSTART (NE_TX_FIRST_PAGE + NE_TX_BUFS * NE_TX_PAGES) /* 4Ch */
#define NE_RX_PSTOP NE_MEM_END_PAGE                                /* 80h */
#define NE_RX_RING_SIZE ((NE_RX_PSTOP - NE_RX_PSTART) * NE_PAGE_SIZE)
/* Receive byte counts a good stored packet can have: 64 bytes (a runt is
 * rejected with RCR.AR = 0) to 1518 (1514 + CRC). */
#define NE_RX_COUNT_MIN (NE_ETH_MIN_FRAME + NE_RX_CRC)
#define NE_RX_COUNT_MAX (NE_ETH_MAX_FRAME + NE_RX_CRC)

#define NE_DCR_INIT (NE_DCR_FT1 | NE_DCR_LS | NE_DCR_WTS) /* 49h: word mode, normal */
#define NE_IMR_MASK (NE_ISR_PRX | NE_ISR_PTX | NE_ISR_RXE | NE_ISR_TXE | NE_ISR_OVW | NE_ISR_CNT)

#define NE_LOOKAHEAD_DEFAULT 256u /* until NDIS sets OID_GEN_CURRENT_LOOKAHEAD */
#define NE_MCAST_MAX 32u
#define NE_RESET_POLLS 200u  /* x 10 us: ISR.RST within 2 ms of the reset port */
#define NE_RDC_POLLS 1000u   /* x 1 us: ISR.RDC after the last data port access */
#define NE_STOP_WAIT_US 1600 /* DP8390D 7.0 overflow procedure, step 3 */
#define NE_HANG_TICKS 2u     /* CheckForHang calls with a transmit outstanding */
#define NE_DPC_ROUNDS 16u    /* ISR re-reads per MiniportHandleInterrupt */

#define NE_ISA_IO_DEFAULT 0x300u
#define NE_ISA_IO_MIN 0x200u /* the NE2000's jumper range, 32-byte steps */
#define NE_ISA_IO_MAX 0x3E0u
#define NE_ISA_IRQ_DEFAULT 10u
#define NE_ISA_IRQ_MIN 2u
#define NE_ISA_IRQ_MAX 15u

#define NE_FILTERS                                                                                 \
    (NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST |     \
     NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS)

typedef struct NeAdapter {
    NDIS_HANDLE handle; /* MiniportAdapterHandle */
    NDIS_INTERFACE_TYPE bus;

    /* Registers */
    ULONG io_base; /* bus address of the I/O window */
    ULONG port;    /* from NdisMRegisterIoPortRange */
    BOOLEAN have_io;
    UCHAR cr_run;     /* NE_CR_STA or NE_CR_STP: kept in every CR write */
    BOOLEAN rtl8029;  /* 8029ID0/1 read 'P' 'C' */
    BOOLEAN hw_error; /* the card stopped answering: CheckForHang asks for a reset */

    /* Interrupt */
    ULONG int_vector, int_level;
    NDIS_INTERRUPT_MODE int_mode;
    BOOLEAN int_shared;
    BOOLEAN have_interrupt, have_shutdown;
    NDIS_MINIPORT_INTERRUPT interrupt;
    volatile BOOLEAN irq_enabled; /* IMR holds NE_IMR_MASK */

    UCHAR perm_addr[NE_ETH_ADDR];
    UCHAR cur_addr[NE_ETH_ADDR];

    /* Filtering */
    ULONG packet_filter;
    ULONG lookahead;
    UCHAR mcast[NE_MCAST_MAX][NE_ETH_ADDR];
    ULONG mcast_count;
    UCHAR mar[8];
    BOOLEAN monitoring; /* RCR.MON: packet filter 0 */

    /* Transmit: two buffers used in turn, one on the wire at a time. */
    PNDIS_PACKET tx_packet[NE_TX_BUFS];
    ULONG tx_len[NE_TX_BUFS];
    ULONG tx_head;  /* next buffer to fill */
    ULONG tx_tail;  /* oldest filled buffer: on the wire if tx_active */
    ULONG tx_count; /* filled buffers */
    BOOLEAN tx_active;
    BOOLEAN tx_resources; /* MiniportSend returned NDIS_STATUS_RESOURCES */
    ULONG tx_done;        /* transmissions finished, wraps */
    ULONG hang_done, hang_ticks;
    UCHAR tx_bounce[NE_TX_BUF_SIZE];

    /* Receive */
    UCHAR next_pkt;                       /* ring page of the next packet: BNRY + 1 */
    UCHAR curr;                           /* CURR as last read (ne_read_curr) */
    BOOLEAN rx_indicating;                /* inside NdisMEthIndicateReceive */
    ULONG rx_data;                        /* card address of the frame's byte 14 */
    ULONG rx_data_len;                    /* frame bytes after the Ethernet header */
    UCHAR rx_lookahead[NE_ETH_MAX_FRAME]; /* Ethernet header + lookahead */

    /* Statistics (NDIS 4.0 counters are 32-bit) */
    ULONG xmit_ok, xmit_error, rcv_ok, rcv_error, rcv_no_buffer, rcv_crc, rcv_align;
    ULONG rcv_overrun, xmit_one_coll, xmit_more_coll, xmit_max_coll, xmit_underrun;
} NeAdapter;

/* Page 0 register access (I/O ports, NdisMRegisterIoPortRange). The driver
 * leaves CR on page 0 except inside NdisMSynchronizeWithInterrupt or with
 * the chip's interrupt masked, so MiniportISR always finds ISR and IMR. */
static __inline UCHAR ne_r8(NeAdapter *s, ULONG reg)
{
    UCHAR v;
    NdisRawReadPortUchar(s->port + reg, &v);
    return v;
}

static __inline void ne_w8(NeAdapter *s, ULONG reg, UCHAR v)
{
    NdisRawWritePortUchar(s->port + reg, v);
}

/* CR with the run state kept, remote DMA idle unless asked. */
static __inline void ne_cmd(NeAdapter *s, UCHAR bits)
{
    ne_w8(s, NE_CR, (UCHAR)(s->cr_run | bits));
}

/* init.c */
NDIS_STATUS NTAPI ne_initialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                NDIS_HANDLE MiniportAdapterHandle,
                                NDIS_HANDLE WrapperConfigurationContext);
VOID NTAPI ne_halt(NDIS_HANDLE MiniportAdapterContext);
NDIS_STATUS NTAPI ne_reset(PBOOLEAN AddressingReset, NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI ne_shutdown(PVOID ShutdownContext);
void ne_hw_set_filter(NeAdapter *s);

/* dma.c */
BOOLEAN ne_dma_read(NeAdapter *s, ULONG addr, PUCHAR dst, ULONG len);
BOOLEAN ne_dma_write(NeAdapter *s, ULONG addr, const UCHAR *src, ULONG len);
BOOLEAN ne_ring_read(NeAdapter *s, ULONG addr, PUCHAR dst, ULONG len);
ULONG ne_ring_addr(ULONG addr);

/* intr.c */
VOID NTAPI ne_isr(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt,
                  NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI ne_handle_interrupt(NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI ne_enable_interrupt(NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI ne_disable_interrupt(NDIS_HANDLE MiniportAdapterContext);
BOOLEAN NTAPI ne_check_for_hang(NDIS_HANDLE MiniportAdapterContext);
void ne_irq_set(NeAdapter *s, BOOLEAN on);
void ne_read_tallies(NeAdapter *s);
UCHAR ne_read_curr(NeAdapter *s);

/* send.c */
NDIS_STATUS NTAPI ne_send(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet, UINT Flags);
void ne_tx_done(NeAdapter *s, UCHAR isr);
void ne_tx_start(NeAdapter *s);

/* recv.c */
BOOLEAN ne_rx(NeAdapter *s);
NDIS_STATUS NTAPI ne_transfer_data(PNDIS_PACKET Packet, PUINT BytesTransferred,
                                   NDIS_HANDLE MiniportAdapterContext,
                                   NDIS_HANDLE MiniportReceiveContext, UINT ByteOffset,
                                   UINT BytesToTransfer);

/* oid.c */
NDIS_STATUS NTAPI ne_query_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                       PVOID InformationBuffer, ULONG InformationBufferLength,
                                       PULONG BytesWritten, PULONG BytesNeeded);
NDIS_STATUS NTAPI ne_set_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                     PVOID InformationBuffer, ULONG InformationBufferLength,
                                     PULONG BytesRead, PULONG BytesNeeded);
void ne_mcast_hash(NeAdapter *s);

#endif
