/* State shared by the NDIS library (wrapper, configuration, memory, packets,
 * synchronization: owned by wrapper.c config.c memory.c packet.c sync.c
 * misc.c) and the miniport host (adapter, resources, interrupts, DMA,
 * requests, send/receive: adapter.c resources.c interrupt.c dma.c).
 * Not used outside src/nt/ndis. */
#ifndef XDRV_NT_NDIS_INT_H
#define XDRV_NT_NDIS_INT_H

#include <stdint.h>

#include "nt/ndis/ndis.h"
#include "nt/nt.h"

/* The miniport characteristics as registered by NdisMRegisterMiniport,
 * whatever NDIS version (3.0, 4.0, 5.0, 5.1) the driver passed: fields the
 * version lacks are 0. Guest function pointers. */
typedef struct NdisMiniportDriver {
    uint8_t major, minor; /* NDIS version from the characteristics */
    GuestAddr CheckForHangHandler;
    GuestAddr DisableInterruptHandler;
    GuestAddr EnableInterruptHandler;
    GuestAddr HaltHandler;
    GuestAddr HandleInterruptHandler;
    GuestAddr InitializeHandler;
    GuestAddr ISRHandler;
    GuestAddr QueryInformationHandler;
    GuestAddr ReconfigureHandler;
    GuestAddr ResetHandler;
    GuestAddr SendHandler;
    GuestAddr SetInformationHandler;
    GuestAddr TransferDataHandler;
    /* NDIS 4.0 */
    GuestAddr ReturnPacketHandler;
    GuestAddr SendPacketsHandler;
    GuestAddr AllocateCompleteHandler;
    /* NDIS 5.1 */
    GuestAddr CancelSendPacketsHandler;
    GuestAddr PnPEventNotifyHandler;
    GuestAddr AdapterShutdownHandler;
    GuestAddr driver_object;  /* from NdisMInitializeWrapper's first argument */
    GuestAddr wrapper_handle; /* the NdisWrapperHandle we returned */
    GuestAddr unload;         /* NdisMRegisterUnloadHandler */
    int registered;
} NdisMiniportDriver;

/* Per-Nt NDIS state (nt->ndis). */
typedef struct NdisState {
    NdisMiniportDriver drv;
    NdisAdapter *adapters[4]; /* live adapters (MiniportAdapterHandle lookup) */
    unsigned nadapters;
    /* library-side bookkeeping (pools, configuration handles, ...) */
    struct NdisLib *lib;
} NdisState;

int nt_ndis_init(Nt *nt); /* called by nt_create */
void nt_ndis_fini(Nt *nt);

/* ---- provided by the miniport host (adapter.c) ---- */
/* The adapter whose MiniportAdapterHandle (the guest NDIS_MINIPORT_BLOCK) is
 * `handle`; stops the API call (vm_throw VM_FAULT_API) if there is none. */
NdisAdapter *ndis_adapter_from_handle(Nt *nt, GuestAddr handle);
/* The adapter's service name and registry path for configuration
 * (\Registry\Machine\System\CurrentControlSet\Services\<service>\Parameters). */
const char *ndis_adapter_service_name(NdisAdapter *a);
/* The WrapperConfigurationContext passed to MiniportInitialize identifies
 * the adapter too. */
NdisAdapter *ndis_adapter_from_config_context(Nt *nt, GuestAddr ctx);
/* Guest memory the adapter owns and reports at halt if not freed
 * (NdisMAllocateSharedMemory ...): library code registers/unregisters. */
void ndis_adapter_track(NdisAdapter *a, const char *what, GuestAddr addr, uint32_t len);
int ndis_adapter_untrack(NdisAdapter *a, GuestAddr addr);

/* ---- provided by the library (packet.c) ---- */
/* A packet owned by the host for the send path: NDIS_PACKET + OOB + extension
 * + one NDIS_BUFFER (MDL) describing `len` bytes of `data` copied into guest
 * pool memory. Returns the guest NDIS_PACKET address or 0. */
GuestAddr ndis_host_packet_alloc(Nt *nt, const uint8_t *data, uint32_t len);
/* The same frame in a chain of `nfrags` NDIS_BUFFERs (header first, then
 * the payload in near-equal parts; fewer when the frame is too short). */
GuestAddr ndis_host_packet_alloc_frags(Nt *nt, const uint8_t *data, uint32_t len,
                                       unsigned nfrags, int in_page);
void ndis_host_packet_free(Nt *nt, GuestAddr packet);
/* An NDIS_BUFFER freed through IoFreeMdl (ndis.h's NdisFreeBuffer macro):
 * drop it from its pool's books. */
void ndis_buffer_forget(Nt *nt, GuestAddr mdl);
/* Free the host packet and buffer pools once no host packet is out (the
 * last adapter halted), so they do not show as pool leaks at unload. */
void ndis_host_pools_release(Nt *nt);
/* Total length and the bytes of a packet's buffer chain (for received
 * packets indicated with NdisMIndicateReceivePacket); returns the number of
 * bytes copied, at most cap; unwinds on a malformed chain. */
uint32_t ndis_packet_copy_out(Nt *nt, GuestAddr packet, uint8_t *out, uint32_t cap);
/* NDIS_GET_PACKET_STATUS / NDIS_SET_PACKET_STATUS through the OOB block. */
uint32_t ndis_packet_status(Nt *nt, GuestAddr packet);
void ndis_packet_set_status(Nt *nt, GuestAddr packet, uint32_t status);

#endif
