/* What the ndistest_adapter loopback miniport and its host test
 * (tests/unit/test_ndis_adapter.c) share: the Mode bits of the registry
 * parameter "Mode", the port window, the private OIDs and the counters. */
#ifndef NDISTEST_ADAPTER_H
#define NDISTEST_ADAPTER_H

#ifdef _WIN32
#define NDT_U32 ULONG
#else
#include <stdint.h>
#define NDT_U32 uint32_t
#endif

/* Mode bits. */
#define NDT_DESERIALIZE 0x0001u      /* NDIS_ATTRIBUTE_DESERIALIZE */
#define NDT_SINGLE_SEND 0x0002u      /* MiniportSend instead of MiniportSendPackets */
#define NDT_PENDING_REQUESTS 0x0004u /* Query/SetInformation complete from a timer */
#define NDT_SMALL_LOOKAHEAD 0x0008u  /* NdisMEthIndicateReceive with 32 bytes + TransferData */
#define NDT_PENDING_TRANSFER 0x0010u /* MiniportTransferData completes from a timer */
#define NDT_SG_DMA 0x0020u           /* NdisMInitializeScatterGatherDma; checks each SG list */
#define NDT_NO_ISR 0x0040u           /* RequestIsr FALSE: Disable/EnableInterrupt */
#define NDT_ASYNC_SHARED 0x0080u     /* NdisMAllocateSharedMemoryAsync in initialize */
#define NDT_HANG 0x0100u             /* CheckForHang says TRUE once */
#define NDT_LEAK 0x0200u             /* MiniportHalt releases nothing */
#define NDT_RX_RESOURCES 0x0400u     /* every other received packet NDIS_STATUS_RESOURCES */
#define NDT_MAP_REGISTERS 0x0800u    /* NdisMStartBufferPhysicalMapping on every send buffer */
#define NDT_FAIL_INIT 0x1000u        /* MiniportInitialize fails: NDIS_STATUS_ADAPTER_NOT_FOUND */
/* Interrupt-protocol conformance (src/nt/ndis/interrupt.c, rules R1-R7): */
#define NDT_SHARED 0x2000u       /* NdisMRegisterInterrupt with SharedInterrupt TRUE */
#define NDT_MASKING 0x4000u      /* ISR / DisableInterrupt mask the chip (MASK port); only
                                  * MiniportEnableInterrupt unmasks it */
#define NDT_NO_ENABLE 0x8000u    /* no EnableInterruptHandler: HandleInterrupt unmasks */
#define NDT_QUEUE_ALWAYS 0x10000u /* ISR sets QueueMiniportHandleInterrupt TRUE even when it
                                   * does not recognize the interrupt */
#define NDT_NO_DISABLE 0x80000u   /* no DisableInterruptHandler (nor Enable) */
#define NDT_READ_BUS 0x40000u     /* read the installer's BusType, IoBaseAddress and
                                   * InterruptNumber as NdisParameterInteger and as
                                   * NdisParameterHexInteger: both must agree */
#define NDT_INIT_IRQ 0x20000u    /* MiniportInitialize rings the doorbell and waits for
                                  * its ISR to see it (an interrupt-line self test) */

/* The port window (ISA resources given by the test). */
#define NDT_PORT_STATUS 0u   /* read: interrupt causes; write 1s: acknowledge */
#define NDT_PORT_DOORBELL 2u /* write: "transmit done" interrupt */
#define NDT_PORT_MASK 4u     /* write 0: the chip's interrupt output masked; 1: unmasked
                              * (reset: unmasked) */
/* STATUS bits */
#define NDT_ST_TX 0x01u       /* transmit done: the DPC loops the frames back */
#define NDT_ST_ISR_ONLY 0x02u /* an event the ISR handles completely (no DPC) */
#define NDT_PORTS 16u

#define NDT_OID_COUNTERS 0xFF010001u /* query: NdisTestCounters */
#define NDT_OID_LINK 0xFF010002u     /* set: 1 = indicate media connect, 0 = disconnect */

typedef struct NdisTestCounters {
    NDT_U32 failures;
    NDT_U32 isr_calls, disable_calls, enable_calls, dpc_calls, sync_calls;
    NDT_U32 send_calls, tx_taken, tx_completed, tx_resources;
    NDT_U32 rx_indicated, rx_no_slot, returned, transfers;
    NDT_U32 queries, sets, filter, lookahead;
    NDT_U32 hang_checks, resets, async_done, sg_ok, mappings, mcast_entries;
    NDT_U32 isr_unrecognized, isr_only, init_isr, masked_dpcs;
    NDT_U32 bus_type, io_base, int_number; /* NDT_READ_BUS: as read */
} NdisTestCounters;

#endif
