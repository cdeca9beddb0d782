/* Private state of the NDIS library (wrapper.c config.c memory.c packet.c
 * sync.c misc.c): what the library tracks per Nt behind nt->ndis->lib, so
 * that a driver's pools, packets, buffers, configuration handles and
 * devices can be checked when it hands them back and reported when it
 * leaks them. Not used outside these files (and their unit tests). */
#ifndef XDRV_NT_NDIS_LIB_H
#define XDRV_NT_NDIS_LIB_H

#include <stdint.h>

#include "nt/ndis/ndis_int.h"

#define NDIS_LIB_TAG 0x5349444eu /* 'NDIS' as the pool shows it */

/* A packet pool (NdisAllocatePacketPool[Ex]): the handle is a small guest
 * block so the driver holds a real pointer. */
typedef struct NdisPacketPool {
    GuestAddr handle;
    uint32_t capacity;          /* descriptors + overflow descriptors */
    uint32_t protocol_reserved; /* ProtocolReservedLength */
    uint32_t packet_size;       /* NDIS_PACKET + reserved, rounded, + OOB + extension */
    GuestAddr *live;            /* packets handed out */
    uint32_t nlive;
    int host; /* the library's own pool for ndis_host_packet_alloc */
} NdisPacketPool;

typedef struct NdisBufferPool {
    GuestAddr handle;
    uint32_t capacity;
    GuestAddr *live; /* MDLs handed out */
    uint32_t *len;   /* their original lengths (NdisAdjustBufferLength bound) */
    uint32_t nlive;
} NdisBufferPool;

/* An open configuration handle: the registry key, plus the guest memory
 * handed out through it (parameters, strings, network address), freed at
 * NdisCloseConfiguration. */
typedef struct NdisConfig {
    GuestAddr handle;
    struct NtRegKey *key;
    char service[64];
    GuestAddr *mem;
    unsigned nmem, capmem;
} NdisConfig;

/* NdisAllocateMemory with NDIS_MEMORY_CONTIGUOUS: page-aligned inside a
 * larger pool block. */
typedef struct NdisAligned {
    GuestAddr user, block;
} NdisAligned;

typedef struct NdisDevice {
    GuestAddr device; /* DEVICE_OBJECT, also the NdisDeviceHandle */
    GuestAddr link;   /* guest UNICODE_STRING copy of the symbolic name, or 0 */
} NdisDevice;

typedef struct NdisLib {
    GuestAddr scratch; /* 16 bytes of system memory for LARGE_INTEGER arguments */
    NdisPacketPool *ppools;
    unsigned nppools;
    NdisBufferPool *bpools;
    unsigned nbpools;
    NdisConfig *configs;
    unsigned nconfigs;
    NdisAligned *aligned;
    unsigned naligned;
    NdisDevice devices[4];
    unsigned ndevices;
    GuestAddr host_pool;  /* packet pool handle for host packets, 0 until needed */
    GuestAddr host_bpool; /* buffer pool handle for host packets */
} NdisLib;

/* Grow `*v` (elements of `size`) to hold n+1; 0 or -1 (host memory). */
int ndis_lib_grow(void **v, unsigned n, size_t size);

/* packet.c: pools at teardown (leak report), and by handle. */
NdisPacketPool *ndis_packet_pool_find(Nt *nt, GuestAddr handle);
void ndis_packet_lib_fini(Nt *nt);
/* config.c */
void ndis_config_lib_fini(Nt *nt);
/* config.c: an open configuration handle on `key` (for host tests and for
 * NdisOpenConfigurationKeyBy*); 0 when out of memory. */
GuestAddr ndis_config_open_key(Nt *nt, struct NtRegKey *key, const char *service);

#endif
