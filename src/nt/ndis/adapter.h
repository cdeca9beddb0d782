/* The miniport host's private state: one NdisAdapter per adapter instance
 * (the NDIS_MINIPORT_BLOCK the driver knows as MiniportAdapterHandle),
 * shared by adapter.c (life cycle, requests, send/receive, indications),
 * resources.c (resource list, ports, PCI config, I/O space), interrupt.c
 * and dma.c. Not used outside those files and their unit tests. */
#ifndef XDRV_NT_NDIS_ADAPTER_H
#define XDRV_NT_NDIS_ADAPTER_H

#include <stdint.h>

#include "nt/ndis/ndis_int.h"
#include "nt/ndis/ndis_structs.h"

/* NDIS_ATTRIBUTE_* flags of NdisMSetAttributesEx (ndis.h). */
#define NDIS_ATTRIBUTE_IGNORE_PACKET_TIMEOUT 0x00000001u
#define NDIS_ATTRIBUTE_IGNORE_REQUEST_TIMEOUT 0x00000002u
#define NDIS_ATTRIBUTE_IGNORE_TOKEN_RING_ERRORS 0x00000004u
#define NDIS_ATTRIBUTE_BUS_MASTER 0x00000008u
#define NDIS_ATTRIBUTE_INTERMEDIATE_DRIVER 0x00000010u
#define NDIS_ATTRIBUTE_DESERIALIZE 0x00000020u
#define NDIS_ATTRIBUTE_NO_HALT_ON_SUSPEND 0x00000040u
#define NDIS_ATTRIBUTE_SURPRISE_REMOVE_OK 0x00000080u
#define NDIS_ATTRIBUTE_NOT_CO_NDIS 0x00000100u
#define NDIS_ATTRIBUTE_USES_SAFE_BUFFER_APIS 0x00000200u

#define NDIS_STATUS_NOT_ACCEPTED 0x00010003u
#define NDIS_STATUS_RESOURCE_CONFLICT 0xC001001Eu

#define NDIS_ADAPTER_MAX_RES 8
#define NDIS_ADAPTER_MAX_MAPS 8
#define NDIS_ADAPTER_MAX_PORTS 8
#define NDIS_ADAPTER_SENDQ 256      /* host frames waiting for the driver */
#define NDIS_ADAPTER_LOOKAHEAD 256u /* bytes a protocol binding asks to see */
#define NDIS_ADAPTER_MAX_OUT 512    /* packets the driver holds (pending sends/returns) */
#define NDIS_ADAPTER_MAX_MCAST 32   /* multicast addresses the binding may set */
#define NDIS_ADAPTER_MAX_XFER 64    /* MiniportTransferData calls pending at once */

/* The adapter's scratch block (guest pool): out-arguments of host->guest
 * calls. */
enum {
    SCR_WRITTEN = 0,       /* BytesWritten / BytesRead */
    SCR_NEEDED = 4,        /* BytesNeeded */
    SCR_ADDRESSING = 8,    /* MiniportReset's AddressingReset */
    SCR_OPEN_ERROR = 12,   /* MiniportInitialize's OpenErrorStatus */
    SCR_MEDIUM_INDEX = 16, /* MiniportInitialize's SelectedMediumIndex */
    SCR_MEDIA = 20,        /* the medium array, 2 entries */
    SCR_TRANSFERRED = 28,  /* MiniportTransferData's BytesTransferred */
    SCR_ISR_RECOGNIZED = 32,
    SCR_ISR_QUEUE = 36,
    SCR_ASYNC_PA = 40, /* PhysicalAddress for MiniportAllocateComplete */
    SCR_ARRAY = 64,    /* packet array for MiniportSendPackets, 16 entries */
    SCR_SIZE = 128,
};

/* Guest memory the driver owns through the adapter (shared memory, ...). */
typedef struct NdisTrack {
    const char *what;
    GuestAddr addr; /* what the driver was given */
    uint32_t len;
    GuestAddr block; /* the pool block behind it (0: not ours to free) */
} NdisTrack;

typedef struct NdisPortRange {
    uint32_t base, count;
} NdisPortRange;

typedef struct NdisMapping {
    uint32_t phys, len;
    GuestAddr va;
    int live; /* mapped by the driver now */
} NdisMapping;

/* A send the driver holds (NDIS_STATUS_PENDING) until NdisMSendComplete. */
typedef struct NdisOutPacket {
    GuestAddr packet;
    GuestAddr sglist; /* pool block of its SCATTER_GATHER_LIST, or 0 */
} NdisOutPacket;

/* A pending MiniportTransferData started from NdisMEthIndicateReceive. */
typedef struct NdisTransfer {
    GuestAddr packet;
    uint8_t *frame; /* header + lookahead so far (host copy) */
    uint32_t have, total;
} NdisTransfer;

struct NdisAdapter {
    Nt *nt;
    NdisHw hw;
    NdisHostOps ops;
    char service[64];
    GuestAddr block;      /* NDIS_MINIPORT_BLOCK = MiniportAdapterHandle */
    GuestAddr eth_db;     /* the EthDB "filter" handed back by the Eth macros */
    GuestAddr config_ctx; /* WrapperConfigurationContext */
    GuestAddr scratch;    /* guest block for out-arguments of host->guest calls */
    GuestAddr context;    /* MiniportAdapterContext (NdisMSetAttributes[Ex]) */
    int attributes_set;
    uint32_t attr_flags;
    unsigned hang_secs;
    uint64_t next_hang;
    int initializing, halting, halted, removed;
    unsigned busy; /* the host is inside a serialized miniport entry */
    uint8_t mac[6];
    int link;
    uint32_t max_frame, max_send, filter, lookahead;
    uint8_t mcast[NDIS_ADAPTER_MAX_MCAST][6]; /* the binding's multicast list */
    unsigned nmcast;
    unsigned rebind; /* next step of apply_settings, 0 = none */
    GuestAddr shutdown_handler, shutdown_ctx;
    /* resources.c */
    GCmPartialResourceDescriptor res[NDIS_ADAPTER_MAX_RES];
    unsigned nres;
    GuestAddr assigned; /* NdisMPciAssignResources' guest copy */
    NdisPortRange ports[NDIS_ADAPTER_MAX_PORTS];
    unsigned nports;
    NdisMapping maps[NDIS_ADAPTER_MAX_MAPS];
    unsigned nmaps;
    /* dma.c */
    NdisTrack *track;
    unsigned ntrack, captrack;
    uint32_t map_regs;     /* NdisMAllocateMapRegisters count, 0 = none */
    uint8_t *map_reg_busy; /* per map register: a mapping is started */
    int sg_dma, sg_64;
    struct NdisAsyncAlloc *async; /* NdisMAllocateSharedMemoryAsync completions to deliver */
    /* interrupt.c */
    GuestAddr intr; /* the driver's NDIS_MINIPORT_INTERRUPT, 0 = none */
    int request_isr, shared;
    uint8_t dirql;
    int dpc_queued, in_isr, irq_dead;
    unsigned storm; /* ISR runs in a row with the line never dropping */
    /* send path (adapter.c) */
    GuestAddr sendq[NDIS_ADAPTER_SENDQ]; /* host packets not yet given to the driver */
    unsigned sq_head, sq_count;
    NdisOutPacket out[NDIS_ADAPTER_MAX_OUT];
    unsigned nout;
    /* sends a serialized miniport held when it was reset: NDIS aborted them;
     * kept (not freed) until halt in case the driver still touches them */
    NdisOutPacket aborted[NDIS_ADAPTER_MAX_OUT];
    unsigned naborted;
    int send_blocked; /* NDIS_STATUS_RESOURCES until resources come back */
    int work_pending; /* sends / returns / async completions to run at a safe point */
    GuestAddr returns[NDIS_ADAPTER_MAX_OUT]; /* received packets owed MiniportReturnPacket */
    unsigned nreturns;
    NdisTransfer xfer[NDIS_ADAPTER_MAX_XFER];
    unsigned nxfer;
    /* requests */
    int req_pending, reset_pending; /* req_pending: 1 query, 2 set */
    GuestAddr req_async_buf;        /* buffer of a request nobody waits for */
    uint32_t req_status, reset_status;
    int reset_addressing, reset_waiting;
    NdisAdapterStats st;
    uint64_t tx_dropped, tx_failed, rx_dropped, rx_filtered;
};

typedef struct NdisAdapter NdisAdapter;

/* Host->guest calls at a given IRQL, marking the adapter busy: raises (or
 * sets, at top level) the IRQL, calls, checks the routine returned at the
 * same IRQL, restores it, and runs DPCs that became runnable. Returns -1
 * when the run stopped. Never unwinds. */
int ndis_call(NdisAdapter *s, uint8_t irql, GuestAddr fn, const uint32_t *args, unsigned nargs,
              const char *what, uint32_t *ret);
/* Can deferred work (sends, returned packets, hang checks) run now: not
 * inside a serialized miniport entry, below DISPATCH_LEVEL, not halted. */
int ndis_adapter_idle_point(NdisAdapter *s);
/* Deferred work: queued sends, MiniportReturnPacket, async allocations. */
void ndis_adapter_do_work(NdisAdapter *s);

/* resources.c */
void ndis_resources_build(NdisAdapter *s);
/* Warn about ports / mappings still registered; release host state. */
void ndis_resources_report(NdisAdapter *s);
/* dma.c */
void ndis_dma_report(NdisAdapter *s);
void ndis_dma_do_work(NdisAdapter *s);
/* Build the SCATTER_GATHER_LIST of a host packet for an SG-DMA miniport
 * and store it in its per-packet info; returns the list's pool block. */
GuestAddr ndis_dma_build_sg(NdisAdapter *s, GuestAddr packet);
/* interrupt.c */
/* The line is asserted, the interrupt registered and deliverable now. */
int ndis_interrupt_due(NdisAdapter *s);
/* Deliver it: ISR (or DisableInterrupt) at DIRQL, then the DPC. */
void ndis_interrupt_fire(NdisAdapter *s);
/* Halt: drop a registered interrupt (after the warning). */
void ndis_interrupt_release(NdisAdapter *s);
void ndis_interrupt_report(NdisAdapter *s);
uint8_t ndis_irq_to_dirql(unsigned irq);

/* Small helpers. */
const char *ndis_status_name(uint32_t status);
void ndis_warn(NdisAdapter *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
