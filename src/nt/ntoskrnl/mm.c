/* The memory manager as drivers see it: MDLs (build, lock, map), system
 * routine lookup, address validity, physical addresses and contiguous
 * memory. xdrv maps guest memory 1:1 (physical == guest virtual, see
 * mm.h), so mapping locked pages gives back the buffer's own address and
 * "contiguous" memory is page-aligned pool.
 * Facts: learn.microsoft.com pages for each export; MDL layout and flags
 * from wdm.h (MmInitializeMdl, MmGetMdlPfnArray macros). */
#include "nt/ntoskrnl/mm.h"

#include <string.h>

#include "nt/ntstructs.h"

#define PAGE_SHIFT 12
#define MDL_HEADER ((uint32_t)sizeof(GMdl))
#define TAG_MDL 0x206c644du    /* 'Mdl ' */
#define TAG_CONTIG 0x6d436d4du /* 'MmCm' */

enum { KernelMode = 0, UserMode = 1 };
enum { IoReadAccess = 0, IoWriteAccess = 1, IoModifyAccess = 2 };

uint32_t nt_mm_span_pages(GuestAddr va, uint32_t len)
{
    return (
        uint32_t)((((uint64_t)(va & (VM_PAGE_SIZE - 1)) + len + VM_PAGE_SIZE - 1) >> PAGE_SHIFT));
}

static GMdl *mdl_get(Nt *nt, GuestAddr mdl)
{
    GMdl *m = vm_guest(nt->vm, mdl, MDL_HEADER, "MDL");
    uint32_t pages = nt_mm_span_pages(m->StartVa + m->ByteOffset, m->ByteCount);
    if (m->Size < 0 || (uint32_t)m->Size < MDL_HEADER + 4 * pages)
        vm_throw(nt->vm, VM_FAULT_API, "%s: MDL 0x%08x has Size %d, too small for %u pages",
                 vm_current_api(nt->vm), mdl, m->Size, pages);
    vm_guest(nt->vm, mdl, MDL_HEADER + 4 * pages, "MDL PFN array");
    return m;
}

GuestAddr nt_mm_alloc_mdl(Nt *nt, GuestAddr va, uint32_t len)
{
    uint32_t pages = nt_mm_span_pages(va, len);
    uint32_t size = MDL_HEADER + 4 * pages;
    if (!len || size > 0x7FFF) /* Size is a CSHORT */
        return 0;
    GuestAddr mdl = nt_pool_alloc(nt, size, TAG_MDL);
    if (!mdl)
        return 0;
    GMdl *m = vm_guest(nt->vm, mdl, size, "MDL");
    memset(m, 0, size);
    m->Size = (int16_t)size;
    m->StartVa = va & ~(VM_PAGE_SIZE - 1);
    m->ByteOffset = va & (VM_PAGE_SIZE - 1);
    m->ByteCount = len;
    return mdl;
}

void nt_mm_fill_mdl(Nt *nt, GuestAddr mdl, uint16_t flags)
{
    GMdl *m = mdl_get(nt, mdl);
    GuestAddr va = m->StartVa + m->ByteOffset;
    uint32_t pages = nt_mm_span_pages(va, m->ByteCount);
    for (uint32_t i = 0; i < pages; i++)
        if (!vm_ptr(nt->vm, m->StartVa + i * VM_PAGE_SIZE, 1))
            vm_throw(nt->vm, VM_FAULT_API,
                     "%s: MDL 0x%08x describes 0x%08x+%u, and page 0x%08x is not mapped",
                     vm_current_api(nt->vm), mdl, va, m->ByteCount, m->StartVa + i * VM_PAGE_SIZE);
    m = mdl_get(nt, mdl);
    uint32_t *pfn = vm_guest(nt->vm, mdl + MDL_HEADER, 4 * pages, "MDL PFN array");
    for (uint32_t i = 0; i < pages; i++)
        pfn[i] = (m->StartVa >> PAGE_SHIFT) + i;
    m->MappedSystemVa = va;
    m->MdlFlags = (int16_t)(m->MdlFlags | flags);
}

void nt_mm_free_mdl(Nt *nt, GuestAddr mdl)
{
    int rc = nt_pool_free(nt, mdl);
    if (rc == -1)
        vm_throw(nt->vm, VM_FAULT_API, "%s: 0x%08x is not an allocated MDL", vm_current_api(nt->vm),
                 mdl);
    if (rc == -2)
        vm_throw(nt->vm, VM_FAULT_API, "%s: MDL 0x%08x was written past its end",
                 vm_current_api(nt->vm), mdl);
}

/* VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList); */
NTAPI(MmBuildMdlForNonPagedPool)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    nt_mm_fill_mdl(nt, a[0], MDL_SOURCE_IS_NONPAGED_POOL);
    return 0;
}

/* VOID MmProbeAndLockPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
 *     LOCK_OPERATION Operation); an invalid buffer raises an exception on
 * Windows (caught with __try); xdrv has no SEH, so it stops the run. */
NTAPI(MmProbeAndLockPages)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    uint32_t op = a[2];
    if (op > IoModifyAccess)
        vm_throw(nt->vm, VM_FAULT_API, "MmProbeAndLockPages: bad Operation %u", op);
    GMdl *m = mdl_get(nt, a[0]);
    if (m->MdlFlags & MDL_PAGES_LOCKED)
        vm_throw(nt->vm, VM_FAULT_API, "MmProbeAndLockPages: MDL 0x%08x is already locked", a[0]);
    nt_mm_fill_mdl(nt, a[0],
                   (uint16_t)(MDL_PAGES_LOCKED | (op != IoReadAccess ? MDL_WRITE_OPERATION : 0)));
    /* Locked pages are not mapped yet: MappedSystemVa comes from MmMapLockedPages. */
    m = mdl_get(nt, a[0]);
    m->MappedSystemVa = 0;
    return 0;
}

/* VOID MmUnlockPages(PMDL MemoryDescriptorList); */
NTAPI(MmUnlockPages)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    GMdl *m = mdl_get(nt, a[0]);
    if (!(m->MdlFlags & MDL_PAGES_LOCKED))
        vm_throw(nt->vm, VM_FAULT_API, "MmUnlockPages: MDL 0x%08x is not locked", a[0]);
    m->MdlFlags = (int16_t)(m->MdlFlags & ~(MDL_PAGES_LOCKED | MDL_MAPPED_TO_SYSTEM_VA));
    return 0;
}

static GuestAddr map_locked(Nt *nt, GuestAddr mdl, uint32_t mode)
{
    if (mode == UserMode)
        vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
                 "%s: mapping into user space (UserMode) is not supported", vm_current_api(nt->vm));
    GMdl *m = mdl_get(nt, mdl);
    if (m->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))
        return m->MappedSystemVa;
    if (!(m->MdlFlags & (MDL_PAGES_LOCKED | MDL_PARTIAL)))
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: MDL 0x%08x is neither locked nor built for nonpaged pool",
                 vm_current_api(nt->vm), mdl);
    /* Identity mapping: the pages must be the contiguous run they describe. */
    uint32_t pages = nt_mm_span_pages(m->StartVa + m->ByteOffset, m->ByteCount);
    const uint32_t *pfn = vm_guest(nt->vm, mdl + MDL_HEADER, 4 * pages, "MDL PFN array");
    for (uint32_t i = 0; i < pages; i++)
        if (pfn[i] != pfn[0] + i || !vm_ptr(nt->vm, (pfn[i] << PAGE_SHIFT), 1))
            vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
                     "%s: MDL 0x%08x page %u has PFN 0x%x: only PFNs of mapped, contiguous guest "
                     "memory can be mapped (physical == virtual in xdrv)",
                     vm_current_api(nt->vm), mdl, i, pfn[i]);
    m->MappedSystemVa = (pfn[0] << PAGE_SHIFT) + m->ByteOffset;
    m->MdlFlags = (int16_t)(m->MdlFlags | MDL_MAPPED_TO_SYSTEM_VA);
    return m->MappedSystemVa;
}

/* PVOID MmMapLockedPages(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode); */
NTAPI(MmMapLockedPages)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    return map_locked(nt, a[0], a[1]);
}

/* PVOID MmMapLockedPagesSpecifyCache(PMDL MemoryDescriptorList, KPROCESSOR_MODE AccessMode,
 *     MEMORY_CACHING_TYPE CacheType, PVOID RequestedAddress, ULONG BugCheckOnFailure,
 *     ULONG Priority); CacheType does not matter to an emulated CPU. */
NTAPI(MmMapLockedPagesSpecifyCache)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    if (a[3])
        vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
                 "MmMapLockedPagesSpecifyCache: RequestedAddress 0x%08x is not supported", a[3]);
    return map_locked(nt, a[0], a[1]);
}

/* VOID MmUnmapLockedPages(PVOID BaseAddress, PMDL MemoryDescriptorList); */
NTAPI(MmUnmapLockedPages)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    GMdl *m = mdl_get(nt, a[1]);
    if (m->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL)
        return 0; /* never mapped: the pool address is its own mapping */
    if (!(m->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA) || m->MappedSystemVa != a[0])
        vm_throw(nt->vm, VM_FAULT_API,
                 "MmUnmapLockedPages(0x%08x, MDL 0x%08x): the MDL is not mapped there", a[0], a[1]);
    m->MdlFlags = (int16_t)(m->MdlFlags & ~MDL_MAPPED_TO_SYSTEM_VA);
    m->MappedSystemVa = 0;
    return 0;
}

/* ULONG MmSizeOfMdl(PVOID Base, SIZE_T Length); */
NTAPI(MmSizeOfMdl)
{
    return MDL_HEADER + 4 * nt_mm_span_pages(a[0], a[1]);
}

/* PVOID MmGetSystemRoutineAddress(PUNICODE_STRING SystemRoutineName);
 * Looks the name up in ntoskrnl.exe and then hal.dll, as Windows does. */
NTAPI(MmGetSystemRoutineAddress)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    const GUnicodeString *us = vm_guest(nt->vm, a[0], sizeof *us, "SystemRoutineName");
    uint32_t n = us->Length / 2u;
    char name[128];
    if (!n || n >= sizeof name)
        return 0;
    const uint8_t *w = vm_guest(nt->vm, us->Buffer, 2 * n, "SystemRoutineName buffer");
    for (uint32_t i = 0; i < n; i++) {
        if (w[2 * i + 1] || !w[2 * i])
            return 0; /* export names are ASCII */
        name[i] = (char)w[2 * i];
    }
    name[n] = 0;
    GuestAddr r = nt_resolve_import(nt, "ntoskrnl.exe", name);
    if (!r)
        r = nt_resolve_import(nt, "hal.dll", name);
    if (!r)
        nt_log(nt,
               "note: MmGetSystemRoutineAddress(\"%s\"): not provided by xdrv, returning NULL\n",
               name);
    return r;
}

/* BOOLEAN MmIsAddressValid(PVOID VirtualAddress); */
NTAPI(MmIsAddressValid)
{
    return vm_ptr(nt->vm, a[0], 1) != NULL;
}

/* PHYSICAL_ADDRESS MmGetPhysicalAddress(PVOID BaseAddress); identity
 * mapping; an unmapped address gives 0, as on Windows. */
NTAPI(MmGetPhysicalAddress)
{
    return vm_ptr(nt->vm, a[0], 1) ? a[0] : 0;
}

static GuestAddr alloc_contiguous(Nt *nt, uint32_t size, uint64_t lowest, uint64_t highest,
                                  uint64_t boundary)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    if (!size || size > VM_POOL_SIZE)
        return 0;
    /* Page alignment: the pool aligns blocks of a page or more to a page. */
    uint32_t rounded = (size + VM_PAGE_SIZE - 1) & ~(VM_PAGE_SIZE - 1);
    GuestAddr p = nt_pool_alloc(nt, rounded, TAG_CONTIG);
    if (!p)
        return 0;
    uint64_t end = (uint64_t)p + size - 1;
    int crosses = boundary && (p / boundary) != (end / boundary);
    if (p < lowest || end > highest || crosses) {
        nt_log(nt,
               "note: %s(%u bytes): pool block 0x%08x does not meet the address constraints "
               "[0x%llx, 0x%llx] boundary 0x%llx; returning NULL\n",
               vm_current_api(nt->vm), size, p, (unsigned long long)lowest,
               (unsigned long long)highest, (unsigned long long)boundary);
        nt_pool_free(nt, p);
        return 0;
    }
    return p;
}

/* PVOID MmAllocateContiguousMemory(SIZE_T NumberOfBytes,
 *     PHYSICAL_ADDRESS HighestAcceptableAddress); */
NTAPI(MmAllocateContiguousMemory)
{
    return alloc_contiguous(nt, a[0], 0, (uint64_t)a[2] << 32 | a[1], 0);
}

/* PVOID MmAllocateContiguousMemorySpecifyCache(SIZE_T NumberOfBytes,
 *     PHYSICAL_ADDRESS LowestAcceptableAddress, PHYSICAL_ADDRESS HighestAcceptableAddress,
 *     PHYSICAL_ADDRESS BoundaryAddressMultiple, MEMORY_CACHING_TYPE CacheType); */
NTAPI(MmAllocateContiguousMemorySpecifyCache)
{
    return alloc_contiguous(nt, a[0], (uint64_t)a[2] << 32 | a[1], (uint64_t)a[4] << 32 | a[3],
                            (uint64_t)a[6] << 32 | a[5]);
}

/* VOID MmFreeContiguousMemory(PVOID BaseAddress); */
NTAPI(MmFreeContiguousMemory)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    int rc = nt_pool_free(nt, a[0]);
    if (rc == -1)
        vm_throw(nt->vm, VM_FAULT_API,
                 "MmFreeContiguousMemory: 0x%08x was not allocated by "
                 "MmAllocateContiguousMemory (or is already freed)",
                 a[0]);
    if (rc == -2)
        vm_throw(nt->vm, VM_FAULT_API,
                 "MmFreeContiguousMemory: the driver wrote past the end of 0x%08x", a[0]);
    return 0;
}
