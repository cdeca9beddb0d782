/* NDIS 5.x miniport hosting: the host-side interface the machine (src/cli)
 * uses to bring up a network driver's adapter on a device model and move
 * frames through it. The driver's DriverEntry has already run through
 * nt_io_load_driver (NdisMInitializeWrapper + NdisMRegisterMiniport record
 * the miniport characteristics); ndis_adapter_create then plays the part of
 * the NDIS wrapper when Plug and Play starts the device. */
#ifndef XDRV_NT_NDIS_H
#define XDRV_NT_NDIS_H

#include <stddef.h>
#include <stdint.h>

#include "dev/pci.h"
#include "nt/nt.h"

/* NDIS_STATUS values (ndis.h) used by the host side. */
#define NDIS_STATUS_SUCCESS 0x00000000u
#define NDIS_STATUS_PENDING 0x00000103u
#define NDIS_STATUS_MEDIA_CONNECT 0x4001000Bu
#define NDIS_STATUS_MEDIA_DISCONNECT 0x4001000Cu
#define NDIS_STATUS_FAILURE 0xC0000001u
#define NDIS_STATUS_RESOURCES 0xC000009Au
#define NDIS_STATUS_NOT_SUPPORTED 0xC00000BBu
#define NDIS_STATUS_INVALID_LENGTH 0xC0010014u
#define NDIS_STATUS_BUFFER_TOO_SHORT 0xC0010016u
#define NDIS_STATUS_INVALID_DATA 0xC0010015u
#define NDIS_STATUS_INVALID_OID 0xC0010017u
#define NDIS_STATUS_ADAPTER_NOT_FOUND 0xC0010006u
#define NDIS_STATUS_UNSUPPORTED_MEDIA 0xC0010019u

/* OIDs the host uses (ntddndis.h). */
#define OID_GEN_MAXIMUM_FRAME_SIZE 0x00010106u
#define OID_GEN_LINK_SPEED 0x00010107u
#define OID_GEN_CURRENT_PACKET_FILTER 0x0001010Eu
#define OID_GEN_CURRENT_LOOKAHEAD 0x0001010Fu
#define OID_GEN_MAXIMUM_TOTAL_SIZE 0x00010111u
#define OID_GEN_MEDIA_CONNECT_STATUS 0x00010114u
#define OID_GEN_MAXIMUM_SEND_PACKETS 0x00010115u
#define OID_802_3_PERMANENT_ADDRESS 0x01010101u
#define OID_802_3_CURRENT_ADDRESS 0x01010102u
#define OID_802_3_MULTICAST_LIST 0x01010103u
#define NDIS_PACKET_TYPE_DIRECTED 0x01u
#define NDIS_PACKET_TYPE_MULTICAST 0x02u
#define NDIS_PACKET_TYPE_ALL_MULTICAST 0x04u
#define NDIS_PACKET_TYPE_BROADCAST 0x08u
#define NDIS_PACKET_TYPE_PROMISCUOUS 0x20u

typedef struct NdisAdapter NdisAdapter;

/* What the adapter tells the host OS side (the netdev). */
typedef struct NdisHostOps {
    /* A frame the driver indicated as received (header + data). */
    void (*receive)(void *opaque, const uint8_t *frame, size_t len);
    /* NDIS_STATUS_MEDIA_CONNECT / DISCONNECT indications. */
    void (*link)(void *opaque, int up);
    void *opaque;
} NdisHostOps;

/* The hardware the adapter sits on: a PCI function, or an ISA card whose
 * resources come from configuration parameters. */
typedef struct NdisHw {
    PciDevice *pci;              /* NULL for ISA */
    unsigned pci_slot;           /* device number on bus 0 */
    uint32_t isa_io, isa_io_len; /* ISA: port range */
    unsigned irq;                /* interrupt line (vector = irq) */
    /* Map `len` bytes of device memory at bus address `phys` into the guest
     * (NdisMMapIoSpace); returns the guest virtual address or 0. */
    GuestAddr (*map_mmio)(void *opaque, uint32_t phys, uint32_t len);
    /* Is the device's interrupt line asserted now? */
    int (*irq_pending)(void *opaque);
    void *opaque;
} NdisHw;

/* What Windows' network class installer writes into the driver's key
 * (Services\<service>\Parameters) from the resources it assigned, all
 * REG_DWORD so that NdisParameterInteger and NdisParameterHexInteger read
 * the same number: BusType (NdisInterfaceIsa 1 or NdisInterfacePci 5) and,
 * for an ISA card, IoBaseAddress and InterruptNumber. Returns 0 or -1. */
int ndis_install_bus_params(Nt *nt, const char *service, int isa, uint32_t io, unsigned irq);

/* Bring up an adapter for the registered miniport: MiniportInitialize with
 * the 802.3 medium, then the OIDs a protocol would set (packet filter,
 * lookahead). Returns NULL with a one-line reason in err (NDIS status of a
 * failed MiniportInitialize, no miniport registered, run stopped). */
NdisAdapter *ndis_adapter_create(Nt *nt, const NdisHw *hw, const NdisHostOps *ops,
                                 const char *service, char *err, size_t errlen);
/* The MAC address the driver reports (OID_802_3_CURRENT_ADDRESS). */
int ndis_adapter_mac(NdisAdapter *a, uint8_t mac[6]);
/* Link state as last indicated (or queried at start). */
int ndis_adapter_link_up(NdisAdapter *a);
/* Hand a frame from the host OS to the driver's send path. Returns 0 when
 * the driver took it (sent or queued), 1 when it had no resources (the
 * frame is dropped and counted), -1 when the run stopped. */
int ndis_adapter_send(NdisAdapter *a, const uint8_t *frame, size_t len);
/* The same, only queued: the frames go to the driver at the next
 * ndis_adapter_service, several in one MiniportSendPackets (as a protocol
 * hands NDIS a burst). Returns 0 queued, 1 dropped, -1 run stopped. */
int ndis_adapter_queue_send(NdisAdapter *a, const uint8_t *frame, size_t len);
/* Queued, the frame split into `nfrags` NDIS_BUFFERs (as protocols chain a
 * header buffer and payload buffers); in_page: the frame's bytes within one
 * 4 KB page (otherwise wherever the pool puts them, across a page or not). */
int ndis_adapter_queue_send_frags(NdisAdapter *a, const uint8_t *frame, size_t len,
                                  unsigned nfrags, int in_page);
/* Hand the queued frames to the driver now (MiniportSendPackets with up to
 * the whole queue, or MiniportSend one by one). */
void ndis_adapter_flush_sends(NdisAdapter *a);
/* Query/set an OID; returns the NDIS_STATUS (pending requests are waited
 * for), or -1 when the run stopped. */
int64_t ndis_adapter_query(NdisAdapter *a, uint32_t oid, void *buf, uint32_t len, uint32_t *written,
                           uint32_t *needed);
int64_t ndis_adapter_set(NdisAdapter *a, uint32_t oid, const void *buf, uint32_t len,
                         uint32_t *read, uint32_t *needed);
/* Deliver the device's interrupt if its line is asserted and the driver's
 * interrupt is registered and enabled: ISR, then the HandleInterrupt DPC.
 * The machine calls this whenever the line may have changed at top level;
 * inside guest execution the adapter's event source does it. */
void ndis_adapter_service(NdisAdapter *a);
/* MiniportReset; returns the NDIS status, -1 when the run stopped. */
int64_t ndis_adapter_reset(NdisAdapter *a);
/* The system shuts down: the adapter's shutdown handler runs (it stops the
 * NIC; the host state stays, as NDIS neither halts nor frees it). 0, 1 when
 * the driver registered none, -1 when the run stopped. */
int ndis_adapter_shutdown(NdisAdapter *a);
/* NDIS_DEVICE_PNP_EVENT values (NDIS 5.1 DDK ndis.h). */
#define NDIS_PNP_SURPRISE_REMOVED 2u
#define NDIS_PNP_POWER_PROFILE_CHANGED 5u
/* MiniportPnPEventNotify (NDIS 5.1 miniports): 0, 1 when the miniport has
 * none, -1 when the run stopped. `info` (len bytes) is copied into guest
 * memory for the call. */
int ndis_adapter_pnp_event(NdisAdapter *a, uint32_t event, const void *info, uint32_t len);
/* MiniportHalt, then free the adapter's host state. Reports resources the
 * driver did not release (interrupt, ports, shared memory, timers). */
int ndis_adapter_halt(NdisAdapter *a);

typedef struct NdisAdapterStats {
    uint64_t tx_frames, tx_resources, rx_frames, interrupts, dpcs, requests;
} NdisAdapterStats;
void ndis_adapter_stats(NdisAdapter *a, NdisAdapterStats *st);

#endif
