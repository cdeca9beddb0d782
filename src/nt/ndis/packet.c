/* NDIS packets and buffers: packet pools and NDIS_PACKET descriptors laid
 * out as ndis.h's macros expect (the OOB block at Private.NdisPacketOobOffset,
 * the per-packet info right after it), buffer pools and NDIS_BUFFERs (MDLs
 * describing nonpaged memory), buffer-chain queries and copies, and the
 * host side's packets for the send path.
 * Facts: learn.microsoft.com NDIS 5.1 pages of each routine; mingw-w64
 * ddk/ndis.h for the layouts and the macros that read them
 * (NDIS_OOB_DATA_FROM_PACKET, NDIS_PACKET_EXTENSION_FROM_PACKET,
 * NDIS_BUFFER_TO_SPAN_PAGES, fPACKET_ALLOCATED_BY_NDIS). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "nt/ndis/ndis_lib.h"
#include "nt/ndis/ndis_structs.h"
#include "nt/ntoskrnl/ke.h"
#include "nt/ntoskrnl/mm.h"
#include "nt/ntstructs.h"

#define fPACKET_ALLOCATED_BY_NDIS 0x80u
#define MDL_HEADER ((uint32_t)sizeof(GMdl))
#define PAGE_SIZE 0x1000u
#define NDIS_MAX_CHAIN 4096u /* buffers in one chain before we call it a cycle */
#define HOST_POOL_PACKETS 0x10000u
#define HOST_PROTOCOL_RESERVED 16u /* PROTOCOL_RESERVED_SIZE_IN_PACKET */
#define ETH_HEADER_SIZE 14u

/* ------------------------------------------------------------ packet pools */

static uint32_t oob_offset(uint32_t protocol_reserved)
{
    return ((uint32_t)offsetof(GNdisPacket, ProtocolReserved) + protocol_reserved + 7u) & ~7u;
}

static uint32_t packet_size(uint32_t protocol_reserved)
{
    return oob_offset(protocol_reserved) + (uint32_t)sizeof(GNdisPacketOobData) +
           (uint32_t)sizeof(GNdisPacketExtension);
}

NdisPacketPool *ndis_packet_pool_find(Nt *nt, GuestAddr handle)
{
    NdisLib *lib = nt->ndis->lib;
    for (unsigned i = 0; i < lib->nppools; i++)
        if (handle && lib->ppools[i].handle == handle)
            return &lib->ppools[i];
    return NULL;
}

static NdisPacketPool *ppool_get(Nt *nt, GuestAddr handle)
{
    NdisPacketPool *p = ndis_packet_pool_find(nt, handle);
    if (!p || p->host)
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: 0x%08x is not a packet pool handle from NdisAllocatePacketPool",
                 vm_current_api(nt->vm), handle);
    return p;
}

/* New pool, or 0 on exhaustion (host or guest memory). */
static GuestAddr ppool_create(Nt *nt, uint32_t capacity, uint32_t protocol_reserved, int host)
{
    NdisLib *lib = nt->ndis->lib;
    if (ndis_lib_grow((void **)&lib->ppools, lib->nppools, sizeof *lib->ppools) < 0)
        return 0;
    GuestAddr h = nt_pool_alloc(nt, 16, NDIS_LIB_TAG);
    if (!h)
        return 0;
    NdisPacketPool *p = &lib->ppools[lib->nppools++];
    memset(p, 0, sizeof *p);
    p->handle = h;
    p->capacity = capacity;
    p->protocol_reserved = protocol_reserved;
    p->packet_size = packet_size(protocol_reserved);
    p->host = host;
    return h;
}

static void ppool_destroy(Nt *nt, NdisPacketPool *p)
{
    NdisLib *lib = nt->ndis->lib;
    nt_pool_free(nt, p->handle);
    free(p->live);
    *p = lib->ppools[--lib->nppools];
}

/* The pool holding live packet `pkt`, and its index in it; NULL if none. */
static NdisPacketPool *packet_owner(Nt *nt, GuestAddr pkt, uint32_t *idx)
{
    NdisLib *lib = nt->ndis->lib;
    for (unsigned i = 0; i < lib->nppools; i++)
        for (uint32_t j = 0; j < lib->ppools[i].nlive; j++)
            if (lib->ppools[i].live[j] == pkt) {
                *idx = j;
                return &lib->ppools[i];
            }
    return NULL;
}

static void pool_status(Nt *nt, GuestAddr pstatus, uint32_t st)
{
    vm_wr32(nt->vm, pstatus, st);
}

static void packet_pool_alloc(Nt *nt, GuestAddr pstatus, GuestAddr phandle, uint32_t n,
                              uint32_t reserved)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    vm_guest(nt->vm, pstatus, 4, "Status");
    vm_guest(nt->vm, phandle, 4, "PoolHandle");
    /* NdisPacketOobOffset is a USHORT */
    if (reserved > 0xF000u)
        vm_throw(nt->vm, VM_FAULT_API, "%s: ProtocolReservedLength %u is absurd",
                 vm_current_api(nt->vm), reserved);
    GuestAddr h = ppool_create(nt, n, reserved, 0);
    vm_wr32(nt->vm, phandle, h);
    pool_status(nt, pstatus, h ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES);
}

/* VOID NdisAllocatePacketPool(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle,
 *     UINT NumberOfDescriptors, UINT ProtocolReservedLength); */
NTAPI(NdisAllocatePacketPool)
{
    packet_pool_alloc(nt, a[0], a[1], a[2], a[3]);
    return 0;
}

/* VOID NdisAllocatePacketPoolEx(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle,
 *     UINT NumberOfDescriptors, UINT NumberOfOverflowDescriptors,
 *     UINT ProtocolReservedLength); */
NTAPI(NdisAllocatePacketPoolEx)
{
    uint32_t n = a[2] + a[3] < a[2] ? UINT32_MAX : a[2] + a[3];
    packet_pool_alloc(nt, a[0], a[1], n, a[4]);
    return 0;
}

/* Free the packets still allocated from a pool, naming them. */
static void ppool_report_leaks(Nt *nt, NdisPacketPool *p, const char *when)
{
    if (!p->nlive)
        return;
    nt_log(nt, "%s: packet pool 0x%08x still has %u packet(s) allocated:", when, p->handle,
           p->nlive);
    for (uint32_t i = 0; i < p->nlive; i++) {
        if (i < 16)
            nt_log(nt, " 0x%08x", p->live[i]);
        nt_pool_free(nt, p->live[i]);
    }
    nt_log(nt, "%s\n", p->nlive > 16 ? " ..." : "");
    p->nlive = 0;
}

/* VOID NdisFreePacketPool(NDIS_HANDLE PoolHandle); packets still allocated
 * are reported (and freed with the pool, as on Windows). */
NTAPI(NdisFreePacketPool)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisPacketPool *p = ppool_get(nt, a[0]);
    ppool_report_leaks(nt, p, "NdisFreePacketPool");
    ppool_destroy(nt, p);
    return 0;
}

/* A zeroed packet from pool p: 0 when the pool or the kernel pool is exhausted. */
static GuestAddr packet_new(Nt *nt, NdisPacketPool *p)
{
    if (p->nlive >= p->capacity)
        return 0;
    if (ndis_lib_grow((void **)&p->live, p->nlive, sizeof *p->live) < 0)
        return 0;
    GuestAddr pkt = nt_pool_alloc(nt, p->packet_size, NDIS_LIB_TAG);
    if (!pkt)
        return 0;
    uint8_t *m = vm_ptr(nt->vm, pkt, p->packet_size);
    if (!m) {
        nt_pool_free(nt, pkt);
        return 0;
    }
    memset(m, 0, p->packet_size);
    GNdisPacket *g = (GNdisPacket *)m;
    g->Private.Pool = p->handle;
    g->Private.NdisPacketFlags = fPACKET_ALLOCATED_BY_NDIS;
    g->Private.NdisPacketOobOffset = (uint16_t)oob_offset(p->protocol_reserved);
    p->live[p->nlive++] = pkt;
    return pkt;
}

static void packet_alloc(Nt *nt, const uint32_t *a)
{
    vm_guest(nt->vm, a[0], 4, "Status");
    vm_guest(nt->vm, a[1], 4, "Packet");
    NdisPacketPool *p = ppool_get(nt, a[2]);
    GuestAddr pkt = packet_new(nt, p);
    vm_wr32(nt->vm, a[1], pkt);
    pool_status(nt, a[0], pkt ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES);
}

static void packet_free(Nt *nt, GuestAddr pkt)
{
    uint32_t idx;
    NdisPacketPool *p = packet_owner(nt, pkt, &idx);
    if (!p || p->host)
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: 0x%08x is not a packet allocated by NdisAllocatePacket "
                 "(double free, or a packet the driver does not own)",
                 vm_current_api(nt->vm), pkt);
    p->live[idx] = p->live[--p->nlive];
    nt_ex_pool_free(nt, pkt);
}

static void need_dispatch(Nt *nt)
{
    if (nt_irql(nt) != DISPATCH_LEVEL)
        vm_throw(nt->vm, VM_FAULT_IRQL, "%s called at IRQL %u; it requires DISPATCH_LEVEL",
                 vm_current_api(nt->vm), nt_irql(nt));
}

/* VOID NdisAllocatePacket(PNDIS_STATUS Status, PNDIS_PACKET *Packet,
 *     NDIS_HANDLE PoolHandle); */
NTAPI(NdisAllocatePacket)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    packet_alloc(nt, a);
    return 0;
}

/* VOID NdisDprAllocatePacket(PNDIS_STATUS Status, PNDIS_PACKET *Packet,
 *     NDIS_HANDLE PoolHandle); at DISPATCH_LEVEL. */
NTAPI(NdisDprAllocatePacket)
{
    need_dispatch(nt);
    packet_alloc(nt, a);
    return 0;
}

/* VOID NdisDprAllocatePacketNonInterlocked(PNDIS_STATUS Status,
 *     PNDIS_PACKET *Packet, NDIS_HANDLE PoolHandle); */
NTAPI(NdisDprAllocatePacketNonInterlocked)
{
    need_dispatch(nt);
    packet_alloc(nt, a);
    return 0;
}

/* VOID NdisFreePacket(PNDIS_PACKET Packet); */
NTAPI(NdisFreePacket)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    packet_free(nt, a[0]);
    return 0;
}

/* VOID NdisDprFreePacket(PNDIS_PACKET Packet); at DISPATCH_LEVEL. */
NTAPI(NdisDprFreePacket)
{
    need_dispatch(nt);
    packet_free(nt, a[0]);
    return 0;
}

/* VOID NdisDprFreePacketNonInterlocked(PNDIS_PACKET Packet); */
NTAPI(NdisDprFreePacketNonInterlocked)
{
    need_dispatch(nt);
    packet_free(nt, a[0]);
    return 0;
}

/* UINT NdisPacketPoolUsage(NDIS_HANDLE PoolHandle); packets allocated now. */
NTAPI(NdisPacketPoolUsage)
{
    return ppool_get(nt, a[0])->nlive;
}

/* UINT NdisPacketSize(USHORT ProtocolReservedSize); bytes of a packet with
 * that much protocol-reserved space, OOB data and per-packet info included. */
NTAPI(NdisPacketSize)
{
    return packet_size(a[0] & 0xffff);
}

/* NDIS_HANDLE NdisGetPoolFromPacket(PNDIS_PACKET Packet); */
NTAPI(NdisGetPoolFromPacket)
{
    GNdisPacket *g = vm_guest(nt->vm, a[0], sizeof(GNdisPacketPrivate), "NDIS_PACKET");
    return g->Private.Pool;
}

/* ------------------------------------------------------------ buffer pools */

static NdisBufferPool *bpool_find(Nt *nt, GuestAddr handle)
{
    NdisLib *lib = nt->ndis->lib;
    for (unsigned i = 0; i < lib->nbpools; i++)
        if (handle && lib->bpools[i].handle == handle)
            return &lib->bpools[i];
    return NULL;
}

static NdisBufferPool *bpool_get(Nt *nt, GuestAddr handle)
{
    NdisBufferPool *p = bpool_find(nt, handle);
    if (!p || handle == nt->ndis->lib->host_bpool)
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: 0x%08x is not a buffer pool handle from NdisAllocateBufferPool",
                 vm_current_api(nt->vm), handle);
    return p;
}

static GuestAddr bpool_create(Nt *nt, uint32_t capacity)
{
    NdisLib *lib = nt->ndis->lib;
    if (ndis_lib_grow((void **)&lib->bpools, lib->nbpools, sizeof *lib->bpools) < 0)
        return 0;
    GuestAddr h = nt_pool_alloc(nt, 16, NDIS_LIB_TAG);
    if (!h)
        return 0;
    NdisBufferPool *p = &lib->bpools[lib->nbpools++];
    memset(p, 0, sizeof *p);
    p->handle = h;
    p->capacity = capacity;
    return h;
}

/* VOID NdisAllocateBufferPool(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle,
 *     UINT NumberOfDescriptors); */
NTAPI(NdisAllocateBufferPool)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    vm_guest(nt->vm, a[0], 4, "Status");
    vm_guest(nt->vm, a[1], 4, "PoolHandle");
    GuestAddr h = bpool_create(nt, a[2]);
    vm_wr32(nt->vm, a[1], h);
    pool_status(nt, a[0], h ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES);
    return 0;
}

static void bpool_report_leaks(Nt *nt, NdisBufferPool *p, const char *when)
{
    if (!p->nlive)
        return;
    nt_log(nt, "%s: buffer pool 0x%08x still has %u buffer(s) allocated:", when, p->handle,
           p->nlive);
    for (uint32_t i = 0; i < p->nlive; i++) {
        if (i < 16)
            nt_log(nt, " 0x%08x", p->live[i]);
        nt_pool_free(nt, p->live[i]);
    }
    nt_log(nt, "%s\n", p->nlive > 16 ? " ..." : "");
    p->nlive = 0;
}

static void bpool_destroy(Nt *nt, NdisBufferPool *p)
{
    NdisLib *lib = nt->ndis->lib;
    nt_pool_free(nt, p->handle);
    free(p->live);
    free(p->len);
    *p = lib->bpools[--lib->nbpools];
}

/* VOID NdisFreeBufferPool(NDIS_HANDLE PoolHandle); buffers still allocated
 * are reported. */
NTAPI(NdisFreeBufferPool)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisBufferPool *p = bpool_get(nt, a[0]);
    bpool_report_leaks(nt, p, "NdisFreeBufferPool");
    bpool_destroy(nt, p);
    return 0;
}

/* An MDL for [va, va+len) from pool p (len may be 0), recorded; 0 when
 * exhausted. Unwinds if the memory is not mapped. */
static GuestAddr buffer_new(Nt *nt, NdisBufferPool *p, GuestAddr va, uint32_t len)
{
    if (p->nlive >= p->capacity)
        return 0;
    if (ndis_lib_grow((void **)&p->live, p->nlive, sizeof *p->live) < 0 ||
        ndis_lib_grow((void **)&p->len, p->nlive, sizeof *p->len) < 0)
        return 0;
    GuestAddr mdl = nt_mm_alloc_mdl(nt, va, len ? len : 1);
    if (!mdl)
        return 0;
    if (!len)
        vm_wr32(nt->vm, mdl + offsetof(GMdl, ByteCount), 0);
    nt_mm_fill_mdl(nt, mdl, MDL_SOURCE_IS_NONPAGED_POOL);
    p->live[p->nlive] = mdl;
    p->len[p->nlive] = len;
    p->nlive++;
    return mdl;
}

/* The buffer pool holding `mdl`, and its index; NULL if none. */
static NdisBufferPool *buffer_owner(Nt *nt, GuestAddr mdl, uint32_t *idx)
{
    NdisLib *lib = nt->ndis->lib;
    for (unsigned i = 0; i < lib->nbpools; i++)
        for (uint32_t j = 0; j < lib->bpools[i].nlive; j++)
            if (lib->bpools[i].live[j] == mdl) {
                *idx = j;
                return &lib->bpools[i];
            }
    return NULL;
}

/* VOID NdisAllocateBuffer(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer,
 *     NDIS_HANDLE PoolHandle, PVOID VirtualAddress, UINT Length); */
NTAPI(NdisAllocateBuffer)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    vm_guest(nt->vm, a[0], 4, "Status");
    vm_guest(nt->vm, a[1], 4, "Buffer");
    NdisBufferPool *p = bpool_get(nt, a[2]);
    if (a[4] && (uint64_t)a[3] + a[4] > 0x100000000ull)
        vm_throw(nt->vm, VM_FAULT_API, "NdisAllocateBuffer: 0x%08x+%u wraps the address space",
                 a[3], a[4]);
    GuestAddr mdl = buffer_new(nt, p, a[3], a[4]);
    vm_wr32(nt->vm, a[1], mdl);
    /* "NDIS_STATUS_SUCCESS ... otherwise NDIS_STATUS_FAILURE" (NdisAllocateBuffer,
     * NDIS 5.1 DDK): no RESOURCES status for this one */
    pool_status(nt, a[0], mdl ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE);
    return 0;
}

/* Map a buffer: its MDL header (unwinds on a bad pointer). */
static GMdl *mdl_get(Nt *nt, GuestAddr mdl)
{
    GMdl *m = vm_guest(nt->vm, mdl, sizeof *m, "NDIS_BUFFER");
    if (m->Size < (int16_t)MDL_HEADER || m->ByteOffset >= PAGE_SIZE)
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: 0x%08x is not an NDIS_BUFFER (MDL Size %d, ByteOffset 0x%x)",
                 vm_current_api(nt->vm), mdl, m->Size, m->ByteOffset);
    return m;
}

static GuestAddr mdl_va(const GMdl *m)
{
    if (m->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))
        return m->MappedSystemVa;
    return m->StartVa + m->ByteOffset;
}

/* VOID NdisCopyBuffer(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer,
 *     NDIS_HANDLE PoolHandle, PVOID MemoryDescriptor, UINT Offset,
 *     UINT Length); a buffer for part of another. */
NTAPI(NdisCopyBuffer)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    vm_guest(nt->vm, a[0], 4, "Status");
    vm_guest(nt->vm, a[1], 4, "Buffer");
    NdisBufferPool *p = bpool_get(nt, a[2]);
    GMdl *src = mdl_get(nt, a[3]);
    if ((uint64_t)a[4] + a[5] > src->ByteCount)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisCopyBuffer: Offset %u + Length %u is past the end of the %u-byte "
                 "source buffer",
                 a[4], a[5], src->ByteCount);
    GuestAddr mdl = buffer_new(nt, p, mdl_va(src) + a[4], a[5]);
    vm_wr32(nt->vm, a[1], mdl);
    pool_status(nt, a[0], mdl ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES);
    return 0;
}

/* VOID NdisFreeBuffer(PNDIS_BUFFER Buffer); */
NTAPI(NdisFreeBuffer)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    uint32_t idx;
    NdisBufferPool *p = buffer_owner(nt, a[0], &idx);
    if (!p || p->handle == nt->ndis->lib->host_bpool)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisFreeBuffer: 0x%08x is not a buffer allocated by "
                 "NdisAllocateBuffer (double free, or a buffer the driver does not own)",
                 a[0]);
    p->live[idx] = p->live[p->nlive - 1];
    p->len[idx] = p->len[p->nlive - 1];
    p->nlive--;
    nt_ex_pool_free(nt, a[0]);
    return 0;
}

/* VOID NdisAdjustBufferLength(PNDIS_BUFFER Buffer, UINT Length); never
 * beyond the memory the buffer was allocated for. */
NTAPI(NdisAdjustBufferLength)
{
    GMdl *m = mdl_get(nt, a[0]);
    uint32_t idx, max;
    NdisBufferPool *p = buffer_owner(nt, a[0], &idx);
    if (p)
        max = p->len[idx];
    else
        max = ((uint32_t)(m->Size - (int16_t)MDL_HEADER) / 4u) * PAGE_SIZE - m->ByteOffset;
    if (a[1] > max)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisAdjustBufferLength: Length %u is larger than the %u bytes buffer "
                 "0x%08x describes",
                 a[1], max, a[0]);
    m->ByteCount = a[1];
    return 0;
}

/* VOID NdisQueryBuffer(PNDIS_BUFFER Buffer, PVOID *VirtualAddress, PUINT Length); */
NTAPI(NdisQueryBuffer)
{
    GMdl *m = mdl_get(nt, a[0]);
    GuestAddr va = mdl_va(m);
    uint32_t len = m->ByteCount;
    if (a[1])
        vm_wr32(nt->vm, a[1], va);
    vm_guest(nt->vm, a[2], 4, "Length");
    vm_wr32(nt->vm, a[2], len);
    return 0;
}

/* VOID NdisQueryBufferSafe(PNDIS_BUFFER Buffer, PVOID *VirtualAddress,
 *     PUINT Length, MM_PAGE_PRIORITY Priority); buffers are always mapped. */
NTAPI(NdisQueryBufferSafe)
{
    return nt_NdisQueryBuffer(nt, a);
}

/* VOID NdisQueryBufferOffset(PNDIS_BUFFER Buffer, PUINT Offset, PUINT Length); */
NTAPI(NdisQueryBufferOffset)
{
    GMdl *m = mdl_get(nt, a[0]);
    uint32_t off = m->ByteOffset, len = m->ByteCount;
    vm_guest(nt->vm, a[1], 4, "Offset");
    vm_guest(nt->vm, a[2], 4, "Length");
    vm_wr32(nt->vm, a[1], off);
    vm_wr32(nt->vm, a[2], len);
    return 0;
}

/* ULONG NdisBufferLength(PNDIS_BUFFER Buffer); */
NTAPI(NdisBufferLength)
{
    return mdl_get(nt, a[0])->ByteCount;
}

/* PVOID NdisBufferVirtualAddress(PNDIS_BUFFER Buffer); */
NTAPI(NdisBufferVirtualAddress)
{
    return mdl_va(mdl_get(nt, a[0]));
}

static uint32_t span_pages(Nt *nt, GuestAddr mdl)
{
    GMdl *m = mdl_get(nt, mdl);
    if (!m->ByteCount)
        return 1;
    return nt_mm_span_pages(m->StartVa + m->ByteOffset, m->ByteCount);
}

/* ULONG NDIS_BUFFER_TO_SPAN_PAGES(PNDIS_BUFFER Buffer); 1 for an empty buffer. */
NTAPI(NDIS_BUFFER_TO_SPAN_PAGES)
{
    return span_pages(nt, a[0]);
}

/* VOID NdisGetBufferPhysicalArraySize(PNDIS_BUFFER Buffer, PUINT ArraySize); */
NTAPI(NdisGetBufferPhysicalArraySize)
{
    uint32_t n = span_pages(nt, a[0]);
    vm_guest(nt->vm, a[1], 4, "ArraySize");
    vm_wr32(nt->vm, a[1], n);
    return 0;
}

/* ------------------------------------------------------------ buffer chains */

static GNdisPacket *packet_get(Nt *nt, GuestAddr pkt)
{
    return vm_guest(nt->vm, pkt, sizeof(GNdisPacketPrivate), "NDIS_PACKET");
}

/* Next buffer in a chain, counting steps to catch a cycle. */
static GuestAddr chain_next(Nt *nt, GuestAddr mdl, unsigned *steps)
{
    if (++*steps > NDIS_MAX_CHAIN)
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: the packet's buffer chain has more than %u buffers (a cycle?)",
                 vm_current_api(nt->vm), NDIS_MAX_CHAIN);
    return mdl_get(nt, mdl)->Next;
}

/* VOID NdisUnchainBufferAtFront(PNDIS_PACKET Packet, PNDIS_BUFFER *Buffer); */
NTAPI(NdisUnchainBufferAtFront)
{
    GNdisPacket *p = packet_get(nt, a[0]);
    vm_guest(nt->vm, a[1], 4, "Buffer");
    GuestAddr head = p->Private.Head;
    if (head) {
        GMdl *m = mdl_get(nt, head);
        GuestAddr next = m->Next;
        m->Next = 0;
        p = packet_get(nt, a[0]);
        p->Private.Head = next;
        if (!next)
            p->Private.Tail = 0;
        p->Private.ValidCounts = 0;
    }
    vm_wr32(nt->vm, a[1], head);
    return 0;
}

/* VOID NdisUnchainBufferAtBack(PNDIS_PACKET Packet, PNDIS_BUFFER *Buffer); */
NTAPI(NdisUnchainBufferAtBack)
{
    GNdisPacket *p = packet_get(nt, a[0]);
    vm_guest(nt->vm, a[1], 4, "Buffer");
    GuestAddr prev = 0, cur = p->Private.Head;
    unsigned steps = 0;
    if (cur) {
        GuestAddr next;
        while ((next = chain_next(nt, cur, &steps)) != 0) {
            prev = cur;
            cur = next;
        }
        if (prev)
            mdl_get(nt, prev)->Next = 0;
        p = packet_get(nt, a[0]);
        if (prev) {
            p->Private.Tail = prev;
        } else {
            p->Private.Head = 0;
            p->Private.Tail = 0;
        }
        p->Private.ValidCounts = 0;
    }
    vm_wr32(nt->vm, a[1], cur);
    return 0;
}

/* VOID NdisGetFirstBufferFromPacket(PNDIS_PACKET Packet,
 *     PNDIS_BUFFER *FirstBuffer, PVOID *FirstBufferVA,
 *     PUINT FirstBufferLength, PUINT TotalBufferLength); */
NTAPI(NdisGetFirstBufferFromPacket)
{
    GuestAddr head = packet_get(nt, a[0])->Private.Head;
    GuestAddr va = 0;
    uint32_t first = 0, total = 0;
    unsigned steps = 0;
    if (head) {
        GMdl *m = mdl_get(nt, head);
        va = mdl_va(m);
        first = m->ByteCount;
        for (GuestAddr b = head; b; b = chain_next(nt, b, &steps))
            total += mdl_get(nt, b)->ByteCount;
    }
    for (unsigned i = 1; i <= 4; i++)
        vm_guest(nt->vm, a[i], 4, "NdisGetFirstBufferFromPacket output");
    vm_wr32(nt->vm, a[1], head);
    vm_wr32(nt->vm, a[2], va);
    vm_wr32(nt->vm, a[3], first);
    vm_wr32(nt->vm, a[4], total);
    return 0;
}

/* VOID NdisGetFirstBufferFromPacketSafe(..., MM_PAGE_PRIORITY Priority); */
NTAPI(NdisGetFirstBufferFromPacketSafe)
{
    return nt_NdisGetFirstBufferFromPacket(nt, a);
}

/* Copy up to n bytes of the packet's data from `offset` into (out) or out of
 * (in) host memory; returns the bytes moved. Unwinds on a bad chain. */
static uint32_t packet_xfer(Nt *nt, GuestAddr pkt, uint32_t offset, uint8_t *host, uint32_t n,
                            int into_packet)
{
    unsigned steps = 0;
    uint32_t done = 0;
    for (GuestAddr b = packet_get(nt, pkt)->Private.Head; b && done < n;
         b = chain_next(nt, b, &steps)) {
        GMdl *m = mdl_get(nt, b);
        uint32_t len = m->ByteCount;
        GuestAddr va = mdl_va(m);
        if (offset >= len) {
            offset -= len;
            continue;
        }
        uint32_t take = len - offset;
        if (take > n - done)
            take = n - done;
        uint8_t *g = vm_guest(nt->vm, va + offset, take, "NDIS_BUFFER data");
        if (into_packet)
            memcpy(g, host + done, take);
        else
            memcpy(host + done, g, take);
        done += take;
        offset = 0;
    }
    return done;
}

static uint32_t packet_total(Nt *nt, GuestAddr pkt)
{
    unsigned steps = 0;
    uint64_t total = 0;
    for (GuestAddr b = packet_get(nt, pkt)->Private.Head; b; b = chain_next(nt, b, &steps))
        total += mdl_get(nt, b)->ByteCount;
    return total > UINT32_MAX ? UINT32_MAX : (uint32_t)total;
}

/* VOID NdisCopyFromPacketToPacket(PNDIS_PACKET Destination,
 *     UINT DestinationOffset, UINT BytesToCopy, PNDIS_PACKET Source,
 *     UINT SourceOffset, PUINT BytesCopied); copies what both chains hold. */
NTAPI(NdisCopyFromPacketToPacket)
{
    vm_guest(nt->vm, a[5], 4, "BytesCopied");
    uint32_t src_total = packet_total(nt, a[3]), dst_total = packet_total(nt, a[0]);
    uint32_t n = a[2];
    if (a[4] >= src_total || a[1] >= dst_total)
        n = 0;
    if (n > src_total - a[4])
        n = src_total - a[4];
    if (n > dst_total - a[1])
        n = dst_total - a[1];
    uint8_t *tmp = n ? malloc(n) : NULL;
    if (n && !tmp)
        vm_throw(nt->vm, VM_FAULT_HOST, "out of host memory");
    uint32_t got = n ? packet_xfer(nt, a[3], a[4], tmp, n, 0) : 0;
    uint32_t put = got ? packet_xfer(nt, a[0], a[1], tmp, got, 1) : 0;
    free(tmp);
    vm_wr32(nt->vm, a[5], put);
    return 0;
}

/* VOID NdisCopyFromPacketToPacketSafe(..., PUINT BytesCopied,
 *     MM_PAGE_PRIORITY Priority); */
NTAPI(NdisCopyFromPacketToPacketSafe)
{
    return nt_NdisCopyFromPacketToPacket(nt, a);
}

/* ------------------------------------------------------------ host side */

GuestAddr ndis_host_packet_alloc(Nt *nt, const uint8_t *data, uint32_t len)
{
    return ndis_host_packet_alloc_frags(nt, data, len, 1, 0);
}

/* Where fragment i of n starts: the 14-byte Ethernet header alone first,
 * as protocol stacks chain it, then the payload in near-equal parts. */
static uint32_t frag_start(uint32_t len, unsigned n, unsigned i)
{
    if (i == 0)
        return 0;
    if (i == n)
        return len;
    uint32_t body = len - 14;
    return 14 + (uint32_t)((uint64_t)body * (i - 1) / (n - 1));
}

static void host_packet_unwind(Nt *nt, NdisPacketPool *pp, NdisBufferPool *bp, GuestAddr pkt,
                               const GuestAddr *mdls, unsigned n, GuestAddr buf)
{
    for (unsigned i = 0; i < n; i++) {
        bp->nlive--;
        nt_pool_free(nt, mdls[i]);
    }
    if (pkt) {
        pp->nlive--;
        nt_pool_free(nt, pkt);
    }
    nt_pool_free(nt, buf);
}

GuestAddr ndis_host_packet_alloc_frags(Nt *nt, const uint8_t *data, uint32_t len, unsigned nfrags,
                                       int in_page)
{
    NdisLib *lib = nt->ndis->lib;
    if (!len)
        return 0;
    /* every buffer at least one byte, the header its own */
    if (nfrags < 1 || len <= 14)
        nfrags = 1;
    if (nfrags > 1 && nfrags - 1 > len - 14)
        nfrags = len - 14 + 1;
    if (nfrags > 32)
        nfrags = 32;
    if (!lib->host_pool &&
        !(lib->host_pool = ppool_create(nt, HOST_POOL_PACKETS, HOST_PROTOCOL_RESERVED, 1)))
        return 0;
    if (!lib->host_bpool && !(lib->host_bpool = bpool_create(nt, HOST_POOL_PACKETS)))
        return 0;
    NdisPacketPool *pp = ndis_packet_pool_find(nt, lib->host_pool);
    NdisBufferPool *bp = bpool_find(nt, lib->host_bpool);
    /* in one page: a whole page asked for (the pool aligns those to a
     * page), the frame at its start */
    GuestAddr buf = nt_pool_alloc(nt, in_page && len < VM_PAGE_SIZE ? VM_PAGE_SIZE : len,
                                  NDIS_LIB_TAG);
    if (!buf)
        return 0;
    uint8_t *g = vm_ptr(nt->vm, buf, len);
    GuestAddr pkt = g ? packet_new(nt, pp) : 0;
    GuestAddr mdls[32];
    unsigned n = 0;
    for (; pkt && n < nfrags; n++) {
        uint32_t a = frag_start(len, nfrags, n), b = frag_start(len, nfrags, n + 1);
        if (!(mdls[n] = buffer_new(nt, bp, buf + a, b - a)))
            break;
    }
    if (!pkt || n < nfrags) {
        host_packet_unwind(nt, pp, bp, pkt, mdls, n, buf);
        return 0;
    }
    for (unsigned i = 0; i + 1 < n; i++)
        vm_wr32(nt->vm, mdls[i] + offsetof(GMdl, Next), mdls[i + 1]);
    memcpy(g, data, len);
    nt_note_region(nt, "send-buffer", buf, len, 1);
    GNdisPacket *p = vm_ptr(nt->vm, pkt, pp->packet_size);
    p->Private.Head = mdls[0];
    p->Private.Tail = mdls[n - 1];
    p->Private.TotalLength = len;
    uint32_t pages = 0;
    for (unsigned i = 0; i < n; i++)
        pages += nt_mm_span_pages(buf + frag_start(len, n, i),
                                  frag_start(len, n, i + 1) - frag_start(len, n, i));
    p->Private.PhysicalCount = pages;
    p->Private.Count = n;
    /* A protocol builds a chain with NdisChainBufferAtBack/Front, which
     * leave ValidCounts FALSE (ndis.h macros, NDIS 5.1 DDK): the miniport's
     * NdisQueryPacket then walks the chain to count. One buffer: counted. */
    p->Private.ValidCounts = n == 1;
    GNdisPacketOobData *oob = (GNdisPacketOobData *)((uint8_t *)p + p->Private.NdisPacketOobOffset);
    oob->HeaderSize = ETH_HEADER_SIZE;
    return pkt;
}

void ndis_host_packet_free(Nt *nt, GuestAddr pkt)
{
    NdisLib *lib = nt->ndis->lib;
    uint32_t idx, bidx;
    NdisPacketPool *pp = packet_owner(nt, pkt, &idx);
    if (!pp || !pp->host)
        return;
    GNdisPacket *p = vm_ptr(nt->vm, pkt, sizeof *p);
    GuestAddr mdl = p ? p->Private.Head : 0;
    uint32_t total = p ? p->Private.TotalLength : 0;
    /* the host's buffers: one allocation behind a chain of MDLs */
    for (int first = 1; mdl; first = 0) {
        NdisBufferPool *bp = buffer_owner(nt, mdl, &bidx);
        if (!bp || bp->handle != lib->host_bpool)
            break;
        GMdl *m = vm_ptr(nt->vm, mdl, sizeof *m);
        GuestAddr next = m ? m->Next : 0;
        if (m && first) {
            nt_note_region(nt, "send-buffer", m->StartVa + m->ByteOffset, total, 0);
            nt_pool_free(nt, m->StartVa + m->ByteOffset);
        }
        bp->live[bidx] = bp->live[bp->nlive - 1];
        bp->len[bidx] = bp->len[bp->nlive - 1];
        bp->nlive--;
        nt_pool_free(nt, mdl);
        mdl = next;
    }
    pp->live[idx] = pp->live[--pp->nlive];
    nt_pool_free(nt, pkt);
}

void ndis_buffer_forget(Nt *nt, GuestAddr mdl)
{
    uint32_t idx;
    NdisBufferPool *p = buffer_owner(nt, mdl, &idx);
    if (!p)
        return;
    p->live[idx] = p->live[p->nlive - 1];
    p->len[idx] = p->len[p->nlive - 1];
    p->nlive--;
}

void ndis_host_pools_release(Nt *nt)
{
    NdisLib *lib = nt->ndis->lib;
    NdisPacketPool *pp = lib->host_pool ? ndis_packet_pool_find(nt, lib->host_pool) : NULL;
    NdisBufferPool *bp = lib->host_bpool ? bpool_find(nt, lib->host_bpool) : NULL;
    if ((pp && pp->nlive) || (bp && bp->nlive))
        return; /* packets still out: the next halt or nt_destroy takes them */
    if (pp)
        ppool_destroy(nt, pp);
    if (bp)
        bpool_destroy(nt, bp);
    lib->host_pool = lib->host_bpool = 0;
}

uint32_t ndis_packet_copy_out(Nt *nt, GuestAddr packet, uint8_t *out, uint32_t cap)
{
    return packet_xfer(nt, packet, 0, out, cap, 0);
}

static GuestAddr oob_addr(Nt *nt, GuestAddr pkt)
{
    uint16_t off = packet_get(nt, pkt)->Private.NdisPacketOobOffset;
    if (off < offsetof(GNdisPacket, ProtocolReserved))
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: packet 0x%08x has a bad NdisPacketOobOffset %u (not from "
                 "NdisAllocatePacket?)",
                 vm_current_api(nt->vm), pkt, off);
    return pkt + off;
}

uint32_t ndis_packet_status(Nt *nt, GuestAddr packet)
{
    return vm_rd32(nt->vm, oob_addr(nt, packet) + offsetof(GNdisPacketOobData, Status));
}

void ndis_packet_set_status(Nt *nt, GuestAddr packet, uint32_t status)
{
    vm_wr32(nt->vm, oob_addr(nt, packet) + offsetof(GNdisPacketOobData, Status), status);
}

void ndis_packet_lib_fini(Nt *nt)
{
    NdisLib *lib = nt->ndis->lib;
    for (unsigned i = 0; i < lib->nppools; i++)
        free(lib->ppools[i].live);
    for (unsigned i = 0; i < lib->nbpools; i++) {
        free(lib->bpools[i].live);
        free(lib->bpools[i].len);
    }
    free(lib->ppools);
    free(lib->bpools);
    lib->ppools = NULL;
    lib->bpools = NULL;
    lib->nppools = lib->nbpools = 0;
}
