/* NDIS memory and string routines: NdisAllocateMemory[WithTag] and
 * NdisFreeMemory on the kernel pool (with ExAllocatePool/ExFreePool's
 * checks), and the NDIS_STRING helpers, which are the Rtl string routines
 * without allocation (except NdisInitializeString).
 * Facts: learn.microsoft.com NDIS 5.1 pages of each routine. */
#include <stdlib.h>
#include <string.h>

#include "nt/ndis/ndis_lib.h"
#include "nt/ntoskrnl/ke.h"
#include "nt/ntstructs.h"

#define NDIS_MEMORY_CONTIGUOUS 0x1u
#define NDIS_MEMORY_NONCACHED 0x2u
#define PAGE_SIZE 0x1000u

NTAPI(RtlInitUnicodeString);
NTAPI(RtlInitAnsiString);
NTAPI(RtlAnsiStringToUnicodeString);
NTAPI(RtlUnicodeStringToAnsiString);
NTAPI(RtlEqualUnicodeString);
NTAPI(RtlCompareUnicodeString);
NTAPI(RtlCompareString);
NTAPI(RtlUpcaseUnicodeString);

/* Allocate for the driver; contiguous blocks are page-aligned as
 * MmAllocateContiguousMemory's are (guest memory is mapped 1:1, so any pool
 * block is physically contiguous). 0 when exhausted or above `highest`. */
static GuestAddr ndis_mem_alloc(Nt *nt, uint32_t len, uint32_t flags, uint64_t highest,
                                uint32_t tag)
{
    NdisLib *lib = nt->ndis->lib;
    if (!len)
        return 0;
    if (!(flags & NDIS_MEMORY_CONTIGUOUS)) {
        GuestAddr p = nt_ex_pool_alloc(nt, 0 /* NonPagedPool */, len, tag);
        if (p && (uint64_t)p + len - 1 > highest) {
            nt_ex_pool_free(nt, p);
            return 0;
        }
        return p;
    }
    if (len > UINT32_MAX - PAGE_SIZE)
        return 0;
    if (ndis_lib_grow((void **)&lib->aligned, lib->naligned, sizeof *lib->aligned) < 0)
        vm_throw(nt->vm, VM_FAULT_HOST, "out of host memory");
    GuestAddr block = nt_ex_pool_alloc(nt, 0, len + PAGE_SIZE - 1, tag);
    if (!block)
        return 0;
    GuestAddr user = (block + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    if ((uint64_t)user + len - 1 > highest) {
        nt_ex_pool_free(nt, block);
        return 0;
    }
    lib->aligned[lib->naligned++] = (NdisAligned){user, block};
    return user;
}

/* NDIS_STATUS NdisAllocateMemory(PVOID *VirtualAddress, UINT Length,
 *     UINT MemoryFlags, NDIS_PHYSICAL_ADDRESS HighestAcceptableAddress);
 * Nonzero MemoryFlags require PASSIVE_LEVEL, else <= DISPATCH_LEVEL. */
NTAPI(NdisAllocateMemory)
{
    uint32_t flags = a[2];
    uint64_t highest = (uint64_t)a[4] << 32 | a[3];
    if (flags & ~(NDIS_MEMORY_CONTIGUOUS | NDIS_MEMORY_NONCACHED))
        vm_throw(nt->vm, VM_FAULT_API, "NdisAllocateMemory: unknown MemoryFlags 0x%x", flags);
    nt_check_irql_max(nt, flags ? PASSIVE_LEVEL : DISPATCH_LEVEL);
    vm_guest(nt->vm, a[0], 4, "VirtualAddress");
    if (highest == UINT64_MAX || (int64_t)highest == -1)
        highest = UINT32_MAX;
    GuestAddr p = ndis_mem_alloc(nt, a[1], flags, highest, NDIS_LIB_TAG);
    vm_wr32(nt->vm, a[0], p);
    /* contiguous or non-cached memory is what NDIS 4 drivers hand to a
     * bus master (NdisAllocateMemory, NDIS 5.1 DDK: "for ... DMA"): a
     * region a recording watches */
    if (p && flags)
        nt_note_region(nt, "contiguous", p, a[1], 1);
    return p ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}

/* NDIS_STATUS NdisAllocateMemoryWithTag(PVOID *VirtualAddress, UINT Length, ULONG Tag); */
NTAPI(NdisAllocateMemoryWithTag)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    vm_guest(nt->vm, a[0], 4, "VirtualAddress");
    GuestAddr p = ndis_mem_alloc(nt, a[1], 0, UINT32_MAX, a[2]);
    vm_wr32(nt->vm, a[0], p);
    return p ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}

/* VOID NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags);
 * Length and MemoryFlags must be those of the allocation. */
NTAPI(NdisFreeMemory)
{
    NdisLib *lib = nt->ndis->lib;
    GuestAddr p = a[0];
    uint32_t flags = a[2];
    nt_check_irql_max(nt, flags ? PASSIVE_LEVEL : DISPATCH_LEVEL);
    for (unsigned i = 0; i < lib->naligned; i++) {
        if (lib->aligned[i].user != p)
            continue;
        if (!(flags & NDIS_MEMORY_CONTIGUOUS))
            vm_throw(nt->vm, VM_FAULT_API,
                     "NdisFreeMemory(0x%08x): the block was allocated with "
                     "NDIS_MEMORY_CONTIGUOUS but is freed with MemoryFlags 0x%x",
                     p, flags);
        GuestAddr block = lib->aligned[i].block;
        uint32_t size = nt_pool_size(nt, block) - (p - block);
        if (a[1] > size)
            vm_throw(nt->vm, VM_FAULT_API,
                     "NdisFreeMemory(0x%08x): Length %u is larger than the block (%u)", p, a[1],
                     size);
        nt_ke_check_free(nt, p, size);
        nt_note_region(nt, "contiguous", p, a[1], 0);
        lib->aligned[i] = lib->aligned[--lib->naligned];
        nt_ex_pool_free(nt, block);
        return 0;
    }
    if (flags & NDIS_MEMORY_CONTIGUOUS)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisFreeMemory(0x%08x): MemoryFlags say NDIS_MEMORY_CONTIGUOUS but "
                 "the block is not a contiguous allocation (double free or wrong flags)",
                 p);
    if (flags)
        nt_note_region(nt, "contiguous", p, a[1], 0);
    uint32_t size = nt_pool_size(nt, p);
    if (size && a[1] != size)
        nt_log(nt,
               "warning: NdisFreeMemory(0x%08x): Length %u differs from the allocated %u bytes\n",
               p, a[1], size);
    nt_ex_pool_free(nt, p);
    return 0;
}

/* VOID NdisInitUnicodeString(PNDIS_STRING Destination, PCWSTR Source); */
NTAPI(NdisInitUnicodeString)
{
    return nt_RtlInitUnicodeString(nt, a);
}

/* VOID NdisInitAnsiString(PNDIS_ANSI_STRING Destination, PCSTR Source); */
NTAPI(NdisInitAnsiString)
{
    return nt_RtlInitAnsiString(nt, a);
}

/* NDIS_STATUS NdisAnsiStringToUnicodeString(PNDIS_STRING DestinationString,
 *     PNDIS_ANSI_STRING SourceString); into the caller's buffer. */
NTAPI(NdisAnsiStringToUnicodeString)
{
    uint32_t args[3] = {a[0], a[1], 0};
    return (uint32_t)nt_RtlAnsiStringToUnicodeString(nt, args);
}

/* NDIS_STATUS NdisUnicodeStringToAnsiString(PNDIS_ANSI_STRING DestinationString,
 *     PNDIS_STRING SourceString); into the caller's buffer. */
NTAPI(NdisUnicodeStringToAnsiString)
{
    uint32_t args[3] = {a[0], a[1], 0};
    return (uint32_t)nt_RtlUnicodeStringToAnsiString(nt, args);
}

/* NDIS_STATUS NdisUpcaseUnicodeString(PUNICODE_STRING DestinationString,
 *     PUNICODE_STRING SourceString); into the caller's buffer. */
NTAPI(NdisUpcaseUnicodeString)
{
    uint32_t args[3] = {a[0], a[1], 0};
    return (uint32_t)nt_RtlUpcaseUnicodeString(nt, args);
}

/* BOOLEAN NdisEqualString(PNDIS_STRING String1, PNDIS_STRING String2,
 *     BOOLEAN CaseInsensitive); */
NTAPI(NdisEqualString)
{
    return nt_RtlEqualUnicodeString(nt, a);
}

/* LONG NdisCompareUnicodeString(PCUNICODE_STRING String1,
 *     PCUNICODE_STRING String2, BOOLEAN CaseInSensitive); */
NTAPI(NdisCompareUnicodeString)
{
    return nt_RtlCompareUnicodeString(nt, a);
}

/* LONG NdisCompareAnsiString(PCANSI_STRING String1, PCANSI_STRING String2,
 *     BOOLEAN CaseInSensitive); */
NTAPI(NdisCompareAnsiString)
{
    return nt_RtlCompareString(nt, a);
}

/* VOID NdisInitializeString(PNDIS_STRING Destination, PUCHAR Source);
 * Allocates the Unicode buffer; the driver frees it with NdisFreeString
 * (NdisFreeMemory(Buffer, MaximumLength, 0)). */
NTAPI(NdisInitializeString)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    GUnicodeString *d = vm_guest(nt->vm, a[0], sizeof *d, "Destination");
    uint32_t n = vm_strlen(nt->vm, a[1], 0x7ffe / 2);
    const uint8_t *src = n ? vm_guest(nt->vm, a[1], n, "Source") : NULL;
    uint32_t max = n * 2 + 2;
    GuestAddr buf = ndis_mem_alloc(nt, max, 0, UINT32_MAX, NDIS_LIB_TAG);
    if (!buf) {
        d->Length = d->MaximumLength = 0;
        d->Buffer = 0;
        return 0;
    }
    uint8_t *w = vm_guest(nt->vm, buf, max, "string");
    for (uint32_t i = 0; i < n; i++) {
        w[2 * i] = src[i];
        w[2 * i + 1] = 0;
    }
    w[2 * n] = w[2 * n + 1] = 0;
    d = vm_guest(nt->vm, a[0], sizeof *d, "Destination");
    d->Length = (uint16_t)(n * 2);
    d->MaximumLength = (uint16_t)max;
    d->Buffer = buf;
    return 0;
}
