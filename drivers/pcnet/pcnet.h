/* xdrv's Am79C970A (PCnet-PCI II) NDIS 5.1 miniport: the per-adapter state
 * and what the driver's files share. A deserialized bus-master miniport:
 * sends go out zero-copy through NDIS scatter-gather lists (one transmit
 * descriptor per element), receives are indicated from the ring's own
 * shared-memory buffers. README.md has the design. */
#ifndef PCNET_H
#define PCNET_H

#ifndef NDIS_MINIPORT_DRIVER
#define NDIS_MINIPORT_DRIVER 1
#endif
#ifndef NDIS51_MINIPORT
#define NDIS51_MINIPORT 1
#endif
#include "ndis_fixed.h"
#include "xdrv_test_hooks.h"
#include "pcnet_hw.h"

#define PCN_TAG 0x54454E50u /* pool tag "PNET" as it reads in memory */
#define PCN_DRIVER_MAJOR 1
#define PCN_DRIVER_MINOR 0

/* Rings: 2^5 descriptors each (RLEN/TLEN = 5). */
#define PCN_RING_LOG2 5u
#define PCN_TX_DESCS (1u << PCN_RING_LOG2)
#define PCN_RX_DESCS (1u << PCN_RING_LOG2)
#define PCN_RX_BUFS (2u * PCN_RX_DESCS) /* ring buffers plus spares for indicated packets */
#define PCN_RX_LOW_WATER 8u             /* spare buffers below this: NDIS_STATUS_RESOURCES */
#define PCN_RX_BATCH 16u                /* packets per NdisMIndicateReceivePacket */
#define PCN_BUF_SIZE 1536u              /* receive and bounce buffers */
#define PCN_TX_BOUNCE 8u                /* shared-memory copies for SG lists that do not fit */

#define PCN_ETH_HEADER 14u
#define PCN_ETH_ADDR 6u
#define PCN_ETH_MAX_FRAME 1514u
#define PCN_ETH_MAX_DATA 1500u
#define PCN_ETH_FCS 4u

#define PCN_MCAST_MAX 64u
#define PCN_LINK_CHECK_DEFAULT 2000u /* ms */
#define PCN_LINK_CHECK_MIN 100u
#define PCN_LINK_CHECK_MAX 60000u
#define PCN_IDON_POLLS 2000u /* x 10 us: INIT must finish within 20 ms */
#define PCN_HANG_TICKS 2u
#define PCN_DPC_ROUNDS 16u

/* CSR3: every interrupt source on except IDON, which the driver polls. */
#define PCN_CSR3_VALUE (PCN_CSR3_IDONM | PCN_CSR3_DXSUFLO)
/* CSR4: the reset masks kept, automatic transmit padding on. */
#define PCN_CSR4_VALUE                                                                             \
    (PCN_CSR4_JABM | PCN_CSR4_TXSTRTM | PCN_CSR4_RCVCCOM | PCN_CSR4_MFCOM | PCN_CSR4_APAD_XMT)

#define PCN_FILTERS                                                                                \
    (NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST |     \
     NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS)

/* The control block in shared memory: both rings (16-byte aligned) and the
 * initialization block (DWORD aligned). */
typedef struct PcnShared {
    PcnDesc tx[PCN_TX_DESCS];
    PcnDesc rx[PCN_RX_DESCS];
    PcnInitBlock init;
} PcnShared;

/* One receive buffer: shared memory, and the packet that carries it up. */
typedef struct PcnRxBuf {
    PNDIS_PACKET packet;
    PNDIS_BUFFER buffer;
    PUCHAR va;
    NDIS_PHYSICAL_ADDRESS pa;
    BOOLEAN up; /* indicated with NDIS_STATUS_SUCCESS, not yet returned */
} PcnRxBuf;

/* Send packets on their way back to NDIS, in order. */
typedef struct PcnPktList {
    PNDIS_PACKET head, tail;
} PcnPktList;

/* One packet in the transmit ring: descriptors first .. first+count-1. */
typedef struct PcnTxRec {
    PNDIS_PACKET packet;
    ULONG first, count;
    LONG bounce; /* bounce buffer index, or -1 (zero-copy) */
} PcnTxRec;

/* How a restart treats packets still in the transmit ring. */
typedef enum PcnRestart {
    PCN_RESTART_FILTER, /* requeue them in front of the send queue */
    PCN_RESTART_RESET,  /* complete them with NDIS_STATUS_REQUEST_ABORTED */
} PcnRestart;

typedef struct PcnAdapter {
    NDIS_HANDLE handle; /* MiniportAdapterHandle */

    /* Registers: BAR0 I/O ports, double-word I/O mode */
    ULONG port_base; /* from NdisMRegisterIoPortRange */
    ULONG io_start, io_len;
    BOOLEAN have_io;

    /* Interrupt */
    ULONG int_vector, int_level;
    NDIS_INTERRUPT_MODE int_mode;
    BOOLEAN have_int_res, have_interrupt;
    NDIS_MINIPORT_INTERRUPT interrupt;
    volatile BOOLEAN irq_enabled; /* CSR0.IENA as the driver last wrote it */

    BOOLEAN have_sg, have_lock, have_timer, have_shutdown;
    /* All software state below: rings, queues, free lists, filter. */
    NDIS_SPIN_LOCK lock;

    /* Configuration */
    ULONG link_check_ms;
    ULONG partid; /* CSR88/89 PARTID */

    UCHAR perm_addr[PCN_ETH_ADDR];
    UCHAR cur_addr[PCN_ETH_ADDR];

    /* Shared memory: rings and init block; transmit bounce buffers */
    PcnShared *sh;
    NDIS_PHYSICAL_ADDRESS sh_pa;
    PUCHAR bounce;
    NDIS_PHYSICAL_ADDRESS bounce_pa;
    ULONG bounce_free; /* bit i set: bounce buffer i free */

    /* Transmit: the software queue, then the ring */
    PNDIS_PACKET txq_head, txq_tail; /* linked through MiniportReserved */
    ULONG txq_len;
    PcnTxRec tx_rec[PCN_TX_DESCS];
    ULONG rec_head, rec_tail, rec_count; /* packets in the ring, oldest at rec_tail */
    ULONG tx_next;                       /* next free descriptor */
    ULONG tx_free;                       /* free descriptors */
    ULONG tx_done;                       /* packets completed, wraps (hang check) */
    ULONG hang_done, hang_ticks;

    /* Receive */
    NDIS_HANDLE packet_pool, buffer_pool;
    PcnRxBuf rxb[PCN_RX_BUFS];
    ULONG rxb_allocated;
    ULONG rx_slot[PCN_RX_DESCS];   /* buffer index behind each descriptor */
    BOOLEAN rx_lent[PCN_RX_DESCS]; /* its buffer is up with NDIS_STATUS_RESOURCES */
    ULONG rx_next;                 /* next descriptor to look at */
    ULONG rx_spare[PCN_RX_BUFS];   /* stack of buffers not in the ring */
    ULONG rx_nspare;
    LONG rx_outstanding; /* indicated, not yet returned */

    /* Filtering */
    ULONG packet_filter;
    ULONG lookahead;
    UCHAR mcast[PCN_MCAST_MAX][PCN_ETH_ADDR];
    ULONG mcast_count;

    /* Link */
    BOOLEAN link_up;
    NDIS_MINIPORT_TIMER link_timer;

    /* State */
    BOOLEAN started; /* STRT given; TXON/RXON expected */
    BOOLEAN halting;
    BOOLEAN removed;    /* surprise removal: the hardware is gone */
    BOOLEAN hw_error;   /* MERR or a stuck chip: CheckForHang asks for a reset */
    USHORT missed_last; /* CSR112 at the last look */

    /* Statistics */
    ULONG64 xmit_ok, xmit_error, rcv_ok, rcv_error, rcv_no_buffer, rcv_crc, rcv_align;
    ULONG64 rcv_overrun, xmit_underrun, xmit_one_coll, xmit_more_coll, xmit_max_coll;
    ULONG64 xmit_late_coll, xmit_deferred, xmit_crs_lost, xmit_zero_copy, xmit_bounced;
} PcnAdapter;

/* Register access in double-word I/O mode: RAP selects, RDP/BDP carry the
 * data in bits 15-0. The caller owns the registers (see intr.c). */
static __inline ULONG pcn_in32(PcnAdapter *s, ULONG off)
{
    ULONG v;
    NdisRawReadPortUlong(s->port_base + off, &v);
    return v;
}

static __inline void pcn_out32(PcnAdapter *s, ULONG off, ULONG v)
{
    NdisRawWritePortUlong(s->port_base + off, v);
}

static __inline USHORT pcn_csr_read(PcnAdapter *s, ULONG n)
{
    pcn_out32(s, PCN_DWIO_RAP, n);
    return (USHORT)pcn_in32(s, PCN_DWIO_RDP);
}

static __inline void pcn_csr_write(PcnAdapter *s, ULONG n, USHORT v)
{
    pcn_out32(s, PCN_DWIO_RAP, n);
    pcn_out32(s, PCN_DWIO_RDP, v);
}

static __inline USHORT pcn_bcr_read(PcnAdapter *s, ULONG n)
{
    pcn_out32(s, PCN_DWIO_RAP, n);
    return (USHORT)pcn_in32(s, PCN_DWIO_BDP);
}

static __inline void pcn_bcr_write(PcnAdapter *s, ULONG n, USHORT v)
{
    pcn_out32(s, PCN_DWIO_RAP, n);
    pcn_out32(s, PCN_DWIO_BDP, v);
}

/* init.c */
NDIS_STATUS NTAPI pcn_initialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle,
                                 NDIS_HANDLE WrapperConfigurationContext);
VOID NTAPI pcn_halt(NDIS_HANDLE MiniportAdapterContext);
NDIS_STATUS NTAPI pcn_reset(PBOOLEAN AddressingReset, NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI pcn_shutdown(PVOID ShutdownContext);
VOID NTAPI pcn_pnp_event(NDIS_HANDLE MiniportAdapterContext, NDIS_DEVICE_PNP_EVENT PnPEvent,
                         PVOID InformationBuffer, ULONG InformationBufferLength);
void pcn_restart(PcnAdapter *s, PcnRestart how);

/* intr.c: register access that is safe against the ISR */
USHORT pcn_sync_csr_read(PcnAdapter *s, ULONG n);
void pcn_sync_csr_write(PcnAdapter *s, ULONG n, USHORT v);
USHORT pcn_sync_bcr_read(PcnAdapter *s, ULONG n);
void pcn_sync_irq(PcnAdapter *s, BOOLEAN on);
void pcn_sync_csr0(PcnAdapter *s, USHORT value, BOOLEAN iena);
void pcn_sync_soft_reset(PcnAdapter *s);
void pcn_sync_tdmd(PcnAdapter *s);
VOID NTAPI pcn_isr(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt,
                   NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI pcn_handle_interrupt(NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI pcn_enable_interrupt(NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI pcn_disable_interrupt(NDIS_HANDLE MiniportAdapterContext);
BOOLEAN NTAPI pcn_check_for_hang(NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI pcn_link_timer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2,
                          PVOID SystemSpecific3);
BOOLEAN pcn_link_read(PcnAdapter *s);
void pcn_missed_update(PcnAdapter *s); /* at DISPATCH_LEVEL */

/* send.c */
VOID NTAPI pcn_send_packets(NDIS_HANDLE MiniportAdapterContext, PPNDIS_PACKET PacketArray,
                            UINT NumberOfPackets);
void pcn_tx_complete(PcnAdapter *s, BOOLEAN dpc);
BOOLEAN pcn_tx_post_locked(PcnAdapter *s, PcnPktList *done);
void pcn_tx_unring_locked(PcnAdapter *s, PcnRestart how, PcnPktList *done);
void pcn_tx_flush_queue_locked(PcnAdapter *s, PcnPktList *done, NDIS_STATUS status);
void pcn_complete_list(PcnAdapter *s, PcnPktList *list);

/* recv.c */
void pcn_rx(PcnAdapter *s);
void pcn_rx_ring_reset_locked(PcnAdapter *s);
VOID NTAPI pcn_return_packet(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet);

/* oid.c */
NDIS_STATUS NTAPI pcn_query_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                        PVOID InformationBuffer, ULONG InformationBufferLength,
                                        PULONG BytesWritten, PULONG BytesNeeded);
NDIS_STATUS NTAPI pcn_set_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                      PVOID InformationBuffer, ULONG InformationBufferLength,
                                      PULONG BytesRead, PULONG BytesNeeded);
void pcn_fill_init_block(PcnAdapter *s);

/* Send-side packet bookkeeping in MiniportReserved (ours while we hold a
 * send packet): the queue link, and the completion status. */
#define PCN_PKT_NEXT(p) (*(PNDIS_PACKET *)&(p)->MiniportReserved[0])
#define PCN_PKT_STATUS(p) (*(NDIS_STATUS *)&(p)->MiniportReserved[sizeof(PVOID)])

#endif
