/* xdrv's Intel 82540EM (PRO/1000) NDIS 5.1 miniport: the per-adapter
 * state and what the driver's files share. A deserialized bus-master
 * miniport: sends go out zero-copy through NDIS scatter-gather lists (one
 * legacy transmit descriptor per element), receives are indicated from the
 * receive ring's own shared-memory buffers. README.md has the design. */
#ifndef E1000_H
#define E1000_H

#ifndef NDIS_MINIPORT_DRIVER
#define NDIS_MINIPORT_DRIVER 1
#endif
#ifndef NDIS51_MINIPORT
#define NDIS51_MINIPORT 1
#endif
#include "ndis_fixed.h"

/* after ndis_fixed.h: it uses the DDK types */
#include "e1000_hw.h"

#define E1K_TAG 0x4B314531u /* pool tag "1E1K" as it reads in memory */
#define E1K_DRIVER_MAJOR 1
#define E1K_DRIVER_MINOR 0

/* Rings: 64 descriptors each, 1 KiB (a multiple of 128 bytes). */
#define E1K_TX_DESCS 64u
#define E1K_RX_DESCS 64u
#define E1K_RX_BUFS (2u * E1K_RX_DESCS) /* ring buffers plus spares for indicated packets */
#define E1K_RX_LOW_WATER 8u             /* spare buffers below this: NDIS_STATUS_RESOURCES */
#define E1K_RX_BATCH 16u                /* packets per NdisMIndicateReceivePacket */
#define E1K_BUF_SIZE 2048u              /* RCTL.BSIZE 00: receive buffers; bounce buffers */
#define E1K_TX_BOUNCE 8u                /* shared-memory copies for SG lists that do not fit */
#define E1K_TX_MAX_SG 16u               /* more elements than this: bounce */

#define E1K_ETH_HEADER 14u
#define E1K_ETH_ADDR 6u
#define E1K_ETH_MAX_FRAME 1514u
#define E1K_ETH_MAX_DATA 1500u

#define E1K_MCAST_MAX 64u
#define E1K_ITR_MAX 100000u   /* interrupts/s */
#define E1K_RESET_POLLS 1000u /* x 10 us: CTRL.RST must clear within 10 ms */
#define E1K_EERD_POLLS 1000u  /* x 10 us per EEPROM word */
#define E1K_MDIC_POLLS 100u   /* x 10 us per PHY register */
#define E1K_HANG_TICKS 2u
#define E1K_DPC_ROUNDS 16u

/* The interrupt causes the driver enables (§14.4, §14.5, plus LSC). */
#define E1K_IMS_VALUE                                                                              \
    (E1K_INT_RXT0 | E1K_INT_RXO | E1K_INT_RXDMT0 | E1K_INT_RXSEQ | E1K_INT_LSC | E1K_INT_TXDW)

#define E1K_FILTERS                                                                                \
    (NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST |     \
     NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS)

/* The descriptor rings in one block of shared memory. */
typedef struct E1kShared {
    E1kTxDesc tx[E1K_TX_DESCS];
    E1kRxDesc rx[E1K_RX_DESCS];
} E1kShared;
#define E1K_SHARED_ALLOC (sizeof(E1kShared) + E1K_RING_ALIGN)

/* One receive buffer: shared memory, and the packet that carries it up. */
typedef struct E1kRxBuf {
    PNDIS_PACKET packet;
    PNDIS_BUFFER buffer;
    PUCHAR va;
    NDIS_PHYSICAL_ADDRESS pa;
    BOOLEAN up; /* indicated with NDIS_STATUS_SUCCESS, not yet returned */
} E1kRxBuf;

/* Send packets on their way back to NDIS, in order. */
typedef struct E1kPktList {
    PNDIS_PACKET head, tail;
} E1kPktList;

/* One packet in the transmit ring: descriptors first .. first+count-1. */
typedef struct E1kTxRec {
    PNDIS_PACKET packet;
    ULONG first, count;
    LONG bounce; /* bounce buffer index, or -1 (zero-copy) */
} E1kTxRec;

typedef struct E1kAdapter {
    NDIS_HANDLE handle; /* MiniportAdapterHandle */

    /* Registers: BAR0, memory mapped */
    volatile UCHAR *regs;
    NDIS_PHYSICAL_ADDRESS mem_pa;
    ULONG mem_len;
    USHORT pci_device, subsys_vendor, subsys_id;
    UCHAR revision;

    /* Interrupt */
    ULONG int_vector, int_level;
    NDIS_INTERRUPT_MODE int_mode;
    BOOLEAN have_int_res, have_interrupt;
    NDIS_MINIPORT_INTERRUPT interrupt;
    volatile BOOLEAN irq_enabled; /* IMS holds E1K_IMS_VALUE, as the driver last wrote */
    ULONG icr_pending;            /* causes the ISR read (and cleared) for the DPC */

    BOOLEAN have_sg, have_lock, have_shutdown;
    /* All software state below: rings, queues, free lists, filter, counters. */
    NDIS_SPIN_LOCK lock;

    /* Configuration */
    ULONG itr_rate; /* InterruptThrottleRate, interrupts/s; 0 = off */

    UCHAR perm_addr[E1K_ETH_ADDR];
    UCHAR cur_addr[E1K_ETH_ADDR];
    BOOLEAN mac_from_eeprom;
    BOOLEAN eeprom_sum_ok;
    ULONG phy_id;

    /* Shared memory: rings (aligned inside sh_alloc); transmit bounce buffers */
    PVOID sh_alloc;
    NDIS_PHYSICAL_ADDRESS sh_alloc_pa;
    E1kShared *sh;
    NDIS_PHYSICAL_ADDRESS sh_pa;
    PUCHAR bounce;
    NDIS_PHYSICAL_ADDRESS bounce_pa;
    ULONG bounce_free; /* bit i set: bounce buffer i free */

    /* Transmit: the software queue, then the ring (hardware owns TDH..TDT-1) */
    PNDIS_PACKET txq_head, txq_tail; /* linked through MiniportReserved */
    ULONG txq_len;
    E1kTxRec tx_rec[E1K_TX_DESCS];
    ULONG rec_head, rec_tail, rec_count; /* packets in the ring, oldest at rec_tail */
    ULONG tx_next;                       /* next free descriptor = TDT */
    ULONG tx_free;                       /* free descriptors, one always kept empty */
    ULONG tx_done;                       /* packets completed, wraps (hang check) */
    ULONG hang_done, hang_ticks;

    /* Receive (hardware owns RDH..RDT-1) */
    NDIS_HANDLE packet_pool, buffer_pool;
    E1kRxBuf rxb[E1K_RX_BUFS];
    ULONG rxb_allocated;
    ULONG rx_slot[E1K_RX_DESCS];   /* buffer index behind each descriptor */
    BOOLEAN rx_lent[E1K_RX_DESCS]; /* its buffer is up with NDIS_STATUS_RESOURCES */
    ULONG rx_next;                 /* next descriptor to look at */
    ULONG rx_tail;                 /* RDT as last written */
    BOOLEAN rx_in_frame;           /* inside a frame that spans descriptors: drop to EOP */
    ULONG rx_spare[E1K_RX_BUFS];   /* stack of buffers not in the ring */
    ULONG rx_nspare;
    LONG rx_outstanding; /* indicated, not yet returned */

    /* Filtering */
    ULONG packet_filter;
    ULONG lookahead;
    UCHAR mcast[E1K_MCAST_MAX][E1K_ETH_ADDR];
    ULONG mcast_count;

    /* Link */
    BOOLEAN link_up;
    BOOLEAN full_duplex;
    ULONG speed_mbps;

    /* State */
    BOOLEAN started; /* receive and transmit units programmed and enabled */
    BOOLEAN ready;   /* MiniportInitialize returned: status indications allowed */
    BOOLEAN halting;
    BOOLEAN removed;  /* surprise removal: the hardware is gone */
    BOOLEAN hw_error; /* the chip stopped answering: CheckForHang asks for a reset */
#ifdef TEST_FAULT_ON_SEND
    ULONG test_sends;
#endif

    /* Statistics: the chip's read-to-clear counters, accumulated (§13.7) */
    ULONG64 st_gptc, st_gprc, st_crcerrs, st_algnerrc, st_symerrs, st_rxerrc, st_mpc, st_scc;
    ULONG64 st_ecol, st_mcc, st_latecol, st_dc, st_tncrs, st_rlec, st_rnbc;
    /* and what only the driver sees */
    ULONG64 sw_xmit_error, sw_rcv_error, sw_xmit_underrun, sw_rx_overrun_ints;
    ULONG64 xmit_zero_copy, xmit_bounced;
} E1kAdapter;

/* Register access: BAR0 mapped by NdisMMapIoSpace. Loads go through a
 * volatile pointer (mingw's NdisReadRegisterUlong is a plain load). */
static __inline ULONG e1k_rd(E1kAdapter *s, ULONG off)
{
    ULONG v;
    NdisReadRegisterUlong((volatile ULONG *)(s->regs + off), &v);
    return v;
}

static __inline void e1k_wr(E1kAdapter *s, ULONG off, ULONG v)
{
    NdisWriteRegisterUlong((PULONG)(s->regs + off), v);
}

/* A read that pushes posted writes to the chip (STATUS changes nothing). */
static __inline void e1k_flush(E1kAdapter *s)
{
    (void)e1k_rd(s, E1K_STATUS);
}

/* init.c */
NDIS_STATUS NTAPI e1k_initialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle,
                                 NDIS_HANDLE WrapperConfigurationContext);
VOID NTAPI e1k_halt(NDIS_HANDLE MiniportAdapterContext);
NDIS_STATUS NTAPI e1k_reset(PBOOLEAN AddressingReset, NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI e1k_shutdown(PVOID ShutdownContext);
VOID NTAPI e1k_pnp_event(NDIS_HANDLE MiniportAdapterContext, NDIS_DEVICE_PNP_EVENT PnPEvent,
                         PVOID InformationBuffer, ULONG InformationBufferLength);

/* intr.c */
VOID NTAPI e1k_isr(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt,
                   NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI e1k_handle_interrupt(NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI e1k_enable_interrupt(NDIS_HANDLE MiniportAdapterContext);
VOID NTAPI e1k_disable_interrupt(NDIS_HANDLE MiniportAdapterContext);
BOOLEAN NTAPI e1k_check_for_hang(NDIS_HANDLE MiniportAdapterContext);
void e1k_sync_irq(E1kAdapter *s, BOOLEAN on);
BOOLEAN e1k_link_read(E1kAdapter *s);
void e1k_link_check(E1kAdapter *s, const char *why);
void e1k_stats_update_locked(E1kAdapter *s);
void e1k_stats_discard(E1kAdapter *s);
void e1k_tctl_write(E1kAdapter *s);

/* send.c */
VOID NTAPI e1k_send_packets(NDIS_HANDLE MiniportAdapterContext, PPNDIS_PACKET PacketArray,
                            UINT NumberOfPackets);
void e1k_tx_complete(E1kAdapter *s);
BOOLEAN e1k_tx_post_locked(E1kAdapter *s, E1kPktList *done);
void e1k_tx_abort_ring_locked(E1kAdapter *s, E1kPktList *done, NDIS_STATUS status);
void e1k_tx_flush_queue_locked(E1kAdapter *s, E1kPktList *done, NDIS_STATUS status);
void e1k_complete_list(E1kAdapter *s, E1kPktList *list);

/* recv.c */
void e1k_rx(E1kAdapter *s);
void e1k_rx_ring_reset_locked(E1kAdapter *s);
void e1k_rx_give_locked(E1kAdapter *s);
VOID NTAPI e1k_return_packet(NDIS_HANDLE MiniportAdapterContext, PNDIS_PACKET Packet);

/* oid.c */
NDIS_STATUS NTAPI e1k_query_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                        PVOID InformationBuffer, ULONG InformationBufferLength,
                                        PULONG BytesWritten, PULONG BytesNeeded);
NDIS_STATUS NTAPI e1k_set_information(NDIS_HANDLE MiniportAdapterContext, NDIS_OID Oid,
                                      PVOID InformationBuffer, ULONG InformationBufferLength,
                                      PULONG BytesRead, PULONG BytesNeeded);
ULONG e1k_rctl_value(E1kAdapter *s);
void e1k_mta_write_locked(E1kAdapter *s);
BOOLEAN e1k_addr_valid(const UCHAR *a);

/* Send-side packet bookkeeping in MiniportReserved (ours while we hold a
 * send packet): the queue link, and the completion status. */
#define E1K_PKT_NEXT(p) (*(PNDIS_PACKET *)&(p)->MiniportReserved[0])
#define E1K_PKT_STATUS(p) (*(NDIS_STATUS *)&(p)->MiniportReserved[sizeof(PVOID)])

#endif
