/* Bus-master DMA for miniports: shared memory (NdisMAllocateSharedMemory
 * and its async form), map registers with NdisMStartBufferPhysicalMapping,
 * and NDIS 5 scatter-gather DMA (the SCATTER_GATHER_LIST each send packet
 * carries in its ScatterGatherListPacketInfo). In xdrv a guest physical
 * address is the guest virtual address and DMA is cache coherent, so
 * mapping is bookkeeping: a physically contiguous run is a virtually
 * contiguous run cut at page boundaries (as NDIS_BUFFER_TO_SPAN_PAGES
 * counts them). Shared memory and map registers are tracked and reported at
 * halt if the driver did not free them.
 * Facts: learn.microsoft.com NDIS 5.1 pages of each routine. */
#include <stdlib.h>
#include <string.h>

#include "nt/ndis/adapter.h"
#include "nt/ntoskrnl/ke.h"

#define NDIS_TAG 0x5349444eu
#define MDL_MAPPED_TO_SYSTEM_VA 0x0001
#define NDIS_MAX_MDLS 256u
#define NDIS_DMA_ALIGNMENT 64u /* x86 cache line (KeGetDcacheFillSize on P6 and later) */
#define SHARED_WHAT "shared memory"

typedef struct NdisAsyncAlloc {
    uint32_t len, cached;
    GuestAddr context;
    struct NdisAsyncAlloc *next;
} NdisAsyncAlloc;

/* Pool memory for DMA: page aligned whatever the length, like the HAL's
 * common buffers (AllocateCommonBuffer) NDIS takes shared memory from;
 * vendor drivers carve aligned descriptor rings out of small blocks.
 * Returns the address handed to the driver; *block the pool block behind it. */
static GuestAddr shared_alloc(Nt *nt, uint32_t len, GuestAddr *block)
{
    if (!len || len > 0x1000000u)
        return 0;
    uint32_t extra = VM_PAGE_SIZE - 1;
    GuestAddr b = nt_pool_alloc(nt, len + extra, NDIS_TAG);
    if (!b)
        return 0;
    *block = b;
    return (b + extra) & ~(VM_PAGE_SIZE - 1);
}

static void track_shared(NdisAdapter *s, GuestAddr va, uint32_t len, GuestAddr block)
{
    ndis_adapter_track(s, SHARED_WHAT, va, len);
    if (s->ntrack && s->track[s->ntrack - 1].addr == va)
        s->track[s->ntrack - 1].block = block;
    nt_note_region(s->nt, "shared", va, len, 1);
}

static void check_dma_capable(Nt *nt, NdisAdapter *s)
{
    if (!(s->attr_flags & NDIS_ATTRIBUTE_BUS_MASTER))
        nt_fixme(nt, "the miniport did not declare NDIS_ATTRIBUTE_BUS_MASTER; allowing DMA anyway");
}

/* VOID NdisMAllocateSharedMemory(NDIS_HANDLE MiniportAdapterHandle,
 *     ULONG Length, BOOLEAN Cached, PVOID *VirtualAddress,
 *     PNDIS_PHYSICAL_ADDRESS PhysicalAddress); NULL on failure. */
NTAPI(NdisMAllocateSharedMemory)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    vm_guest(nt->vm, a[3], 4, "VirtualAddress");
    vm_guest(nt->vm, a[4], 8, "PhysicalAddress");
    check_dma_capable(nt, s);
    GuestAddr block = 0, va = shared_alloc(nt, a[1], &block);
    vm_wr32(nt->vm, a[3], va);
    vm_wr32(nt->vm, a[4], va);
    vm_wr32(nt->vm, a[4] + 4, 0);
    if (va)
        track_shared(s, va, a[1], block);
    else
        ndis_warn(s, "NdisMAllocateSharedMemory(%u bytes) failed", a[1]);
    return 0;
}

/* VOID NdisMFreeSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length,
 *     BOOLEAN Cached, PVOID VirtualAddress,
 *     NDIS_PHYSICAL_ADDRESS PhysicalAddress); */
NTAPI(NdisMFreeSharedMemory)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    for (unsigned i = 0; i < s->ntrack; i++) {
        NdisTrack *t = &s->track[i];
        if (t->addr != a[3] || strcmp(t->what, SHARED_WHAT))
            continue;
        if (t->len != a[1])
            vm_throw(nt->vm, VM_FAULT_API,
                     "NdisMFreeSharedMemory: 0x%08x was allocated with %u bytes, freed "
                     "with %u",
                     a[3], t->len, a[1]);
        if (a[4] != a[3] || a[5])
            vm_throw(nt->vm, VM_FAULT_API,
                     "NdisMFreeSharedMemory: PhysicalAddress 0x%x%08x does not match "
                     "VirtualAddress 0x%08x's",
                     a[5], a[4], a[3]);
        GuestAddr block = t->block;
        nt_note_region(nt, "shared", a[3], a[1], 0);
        nt_ke_check_free(nt, a[3], a[1]);
        ndis_adapter_untrack(s, a[3]);
        if (nt_pool_free(nt, block) == -2)
            vm_throw(nt->vm, VM_FAULT_API,
                     "NdisMFreeSharedMemory: the driver wrote past the end of shared "
                     "memory 0x%08x (%u bytes)",
                     a[3], a[1]);
        return 0;
    }
    vm_throw(nt->vm, VM_FAULT_API,
             "NdisMFreeSharedMemory: 0x%08x is not shared memory of this adapter "
             "(freed twice?)",
             a[3]);
}

/* NDIS_STATUS NdisMAllocateSharedMemoryAsync(NDIS_HANDLE
 *     MiniportAdapterHandle, ULONG Length, BOOLEAN Cached, PVOID Context);
 * completes later through MiniportAllocateComplete at DISPATCH_LEVEL. */
NTAPI(NdisMAllocateSharedMemoryAsync)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    if (!nt->ndis->drv.AllocateCompleteHandler)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMAllocateSharedMemoryAsync: the miniport registered no "
                 "AllocateCompleteHandler");
    check_dma_capable(nt, s);
    NdisAsyncAlloc *n = calloc(1, sizeof *n);
    if (!n)
        return NDIS_STATUS_RESOURCES;
    *n = (NdisAsyncAlloc){a[1], a[2] & 0xff, a[3], NULL};
    NdisAsyncAlloc **p = &s->async;
    while (*p)
        p = &(*p)->next;
    *p = n;
    s->work_pending = 1;
    return NDIS_STATUS_PENDING;
}

void ndis_dma_do_work(NdisAdapter *s)
{
    Nt *nt = s->nt;
    while (s->async && !vm_stopped(nt->vm)) {
        NdisAsyncAlloc *n = s->async;
        s->async = n->next;
        GuestAddr block = 0, va = shared_alloc(nt, n->len, &block);
        if (va)
            track_shared(s, va, n->len, block);
        uint32_t pa[2] = {va, 0};
        vm_write(nt->vm, s->scratch + SCR_ASYNC_PA, pa, 8);
        uint32_t args[5] = {s->context, va, s->scratch + SCR_ASYNC_PA, n->len, n->context};
        free(n);
        if (ndis_call(s, DISPATCH_LEVEL, nt->ndis->drv.AllocateCompleteHandler, args, 5,
                      "MiniportAllocateComplete", NULL) < 0)
            return;
    }
}

/* ULONG NdisMGetDmaAlignment(NDIS_HANDLE MiniportAdapterHandle); */
NTAPI(NdisMGetDmaAlignment)
{
    ndis_adapter_from_handle(nt, a[0]);
    return NDIS_DMA_ALIGNMENT;
}

/* VOID NdisUpdateSharedMemory(NDIS_HANDLE NdisAdapterHandle, ULONG Length,
 *     PVOID VirtualAddress, NDIS_PHYSICAL_ADDRESS PhysicalAddress);
 * (NdisMUpdateSharedMemory is a macro for it.) x86 DMA is cache coherent:
 * nothing to flush; the range must be shared memory. */
NTAPI(NdisUpdateSharedMemory)
{
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    for (unsigned i = 0; i < s->ntrack; i++)
        if (!strcmp(s->track[i].what, SHARED_WHAT) && a[2] >= s->track[i].addr &&
            (uint64_t)a[2] + a[1] <= (uint64_t)s->track[i].addr + s->track[i].len)
            return 0;
    vm_throw(nt->vm, VM_FAULT_API,
             "NdisUpdateSharedMemory: 0x%08x (%u bytes) is not inside shared memory of "
             "this adapter",
             a[2], a[1]);
}

/* NDIS_STATUS NdisMAllocateMapRegisters(NDIS_HANDLE MiniportAdapterHandle,
 *     UINT DmaChannel, NDIS_DMA_SIZE DmaSize, ULONG BaseMapRegistersNeeded,
 *     ULONG MaximumPhysicalMapping); */
NTAPI(NdisMAllocateMapRegisters)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    if (!(s->attr_flags & NDIS_ATTRIBUTE_BUS_MASTER))
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMAllocateMapRegisters: only bus-master miniports have map "
                 "registers (NdisMSetAttributesEx without NDIS_ATTRIBUTE_BUS_MASTER)");
    if (s->map_regs)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMAllocateMapRegisters: the adapter already has %u map registers",
                 s->map_regs);
    if ((a[2] & 0xff) > 2)
        vm_throw(nt->vm, VM_FAULT_API, "NdisMAllocateMapRegisters: bad DmaSize %u", a[2] & 0xff);
    if (!a[3] || a[3] > 4096)
        return NDIS_STATUS_RESOURCES;
    s->map_reg_busy = calloc(a[3], 1);
    if (!s->map_reg_busy)
        return NDIS_STATUS_RESOURCES;
    s->map_regs = a[3];
    return NDIS_STATUS_SUCCESS;
}

/* VOID NdisMFreeMapRegisters(NDIS_HANDLE MiniportAdapterHandle); */
NTAPI(NdisMFreeMapRegisters)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    if (!s->map_regs)
        vm_throw(nt->vm, VM_FAULT_API, "NdisMFreeMapRegisters: the adapter has no map registers");
    for (uint32_t i = 0; i < s->map_regs; i++)
        if (s->map_reg_busy[i])
            ndis_warn(s,
                      "NdisMFreeMapRegisters: map register %u still has a mapping started "
                      "(NdisMCompleteBufferPhysicalMapping not called)",
                      i);
    free(s->map_reg_busy);
    s->map_reg_busy = NULL;
    s->map_regs = 0;
    return 0;
}

/* The virtual address and length an NDIS_BUFFER (MDL) describes. */
static GuestAddr mdl_va(Nt *nt, GuestAddr mdl, uint32_t *len, GuestAddr *next)
{
    const GMdl *m = vm_guest(nt->vm, mdl, sizeof *m, "NDIS_BUFFER");
    *len = m->ByteCount;
    if (next)
        *next = m->Next;
    if ((m->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) && m->MappedSystemVa)
        return m->MappedSystemVa;
    return m->StartVa + m->ByteOffset;
}

/* Physically contiguous runs of [va, va+len): one per page touched. */
static unsigned runs(GuestAddr va, uint32_t len)
{
    if (!len)
        return 0;
    return (unsigned)((((uint64_t)va & (VM_PAGE_SIZE - 1)) + len + VM_PAGE_SIZE - 1) /
                      VM_PAGE_SIZE);
}

/* VOID NdisMStartBufferPhysicalMapping(NDIS_HANDLE MiniportAdapterHandle,
 *     PNDIS_BUFFER Buffer, ULONG PhysicalMapRegister, BOOLEAN WriteToDevice,
 *     PNDIS_PHYSICAL_ADDRESS_UNIT PhysicalAddressArray, PUINT ArraySize);
 * NDIS_PHYSICAL_ADDRESS_UNIT: PhysicalAddress (8), Length (4), 16 bytes. */
NTAPI(NdisMStartBufferPhysicalMapping)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    if (a[2] >= s->map_regs)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMStartBufferPhysicalMapping: map register %u, but the adapter has "
                 "%u (NdisMAllocateMapRegisters)",
                 a[2], s->map_regs);
    if (s->map_reg_busy[a[2]])
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMStartBufferPhysicalMapping: map register %u is in use (no "
                 "NdisMCompleteBufferPhysicalMapping since its last mapping)",
                 a[2]);
    uint32_t len;
    GuestAddr va = mdl_va(nt, a[1], &len, NULL);
    if (len && !vm_ptr(nt->vm, va, len))
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMStartBufferPhysicalMapping: buffer 0x%08x (%u bytes) is not "
                 "mapped guest memory",
                 va, len);
    unsigned n = runs(va, len);
    vm_guest(nt->vm, a[5], 4, "ArraySize");
    if (n)
        vm_guest(nt->vm, a[4], 16 * n, "PhysicalAddressArray");
    for (unsigned i = 0; i < n; i++) {
        uint32_t chunk = VM_PAGE_SIZE - (va & (VM_PAGE_SIZE - 1));
        if (chunk > len)
            chunk = len;
        uint32_t e[3] = {va, 0, chunk};
        vm_write(nt->vm, a[4] + 16 * i, e, 12);
        va += chunk;
        len -= chunk;
    }
    vm_wr32(nt->vm, a[5], n);
    s->map_reg_busy[a[2]] = 1;
    return 0;
}

/* VOID NdisMCompleteBufferPhysicalMapping(NDIS_HANDLE MiniportAdapterHandle,
 *     PNDIS_BUFFER Buffer, ULONG PhysicalMapRegister); */
NTAPI(NdisMCompleteBufferPhysicalMapping)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    if (a[2] >= s->map_regs || !s->map_reg_busy[a[2]])
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMCompleteBufferPhysicalMapping: map register %u has no mapping "
                 "started",
                 a[2]);
    s->map_reg_busy[a[2]] = 0;
    return 0;
}

/* NDIS_STATUS NdisMInitializeScatterGatherDma(NDIS_HANDLE
 *     MiniportAdapterHandle, BOOLEAN Dma64BitAddresses,
 *     ULONG MaximumPhysicalMapping); */
NTAPI(NdisMInitializeScatterGatherDma)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    if (!(s->attr_flags & NDIS_ATTRIBUTE_BUS_MASTER))
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMInitializeScatterGatherDma: only bus-master miniports can use "
                 "scatter-gather DMA (NDIS_ATTRIBUTE_BUS_MASTER not set)");
    if (!s->initializing)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMInitializeScatterGatherDma: only MiniportInitialize may call it");
    s->sg_dma = 1;
    s->sg_64 = (a[1] & 0xff) != 0;
    return NDIS_STATUS_SUCCESS;
}

GuestAddr ndis_dma_build_sg(NdisAdapter *s, GuestAddr packet)
{
    Nt *nt = s->nt;
    GNdisPacketPrivate pv;
    if (vm_read(nt->vm, packet, &pv, sizeof pv) < 0) {
        vm_fault(nt->vm, VM_FAULT_API, "ndis: host packet 0x%08x is not mapped", packet);
        return 0;
    }
    unsigned n = 0, k = 0;
    for (GuestAddr m = pv.Head; m && k < NDIS_MAX_MDLS; k++) {
        GMdl md;
        if (vm_read(nt->vm, m, &md, sizeof md) < 0)
            break;
        n += runs(md.StartVa + md.ByteOffset, md.ByteCount);
        m = md.Next;
    }
    GuestAddr sg = nt_pool_alloc(nt, 8 + 16 * (n ? n : 1), NDIS_TAG);
    if (!sg) {
        vm_fault(nt->vm, VM_FAULT_HOST, "guest pool exhausted for a SCATTER_GATHER_LIST");
        return 0;
    }
    uint32_t hdr[2] = {n, 0};
    vm_write(nt->vm, sg, hdr, 8);
    unsigned e = 0;
    k = 0;
    for (GuestAddr m = pv.Head; m && k < NDIS_MAX_MDLS && e < n; k++) {
        GMdl md;
        if (vm_read(nt->vm, m, &md, sizeof md) < 0)
            break;
        GuestAddr va = md.StartVa + md.ByteOffset;
        uint32_t len = md.ByteCount;
        while (len && e < n) {
            uint32_t chunk = VM_PAGE_SIZE - (va & (VM_PAGE_SIZE - 1));
            if (chunk > len)
                chunk = len;
            GScatterGatherElement el = {.Address = va, .Length = chunk};
            vm_write(nt->vm, sg + 8 + 16 * e++, &el, sizeof el);
            va += chunk;
            len -= chunk;
        }
        m = md.Next;
    }
    GuestAddr ext = packet + pv.NdisPacketOobOffset + sizeof(GNdisPacketOobData);
    uint32_t *slot = vm_ptr(nt->vm, ext + 4 * NDIS_SG_LIST_PACKET_INFO, 4);
    if (!slot) {
        vm_fault(nt->vm, VM_FAULT_API, "ndis: host packet 0x%08x has no per-packet info block",
                 packet);
        nt_pool_free(nt, sg);
        return 0;
    }
    *slot = sg;
    return sg;
}

void ndis_dma_report(NdisAdapter *s)
{
    for (unsigned i = 0; i < s->ntrack; i++)
        ndis_warn(s, "%s at 0x%08x (%u bytes) not freed", s->track[i].what, s->track[i].addr,
                  s->track[i].len);
    if (s->map_regs)
        ndis_warn(s, "%u map registers still allocated (NdisMFreeMapRegisters not called)",
                  s->map_regs);
    while (s->async) {
        NdisAsyncAlloc *n = s->async;
        s->async = n->next;
        free(n);
    }
}
