/* ktest cases for the memory manager (src/nt/ntoskrnl/mm.c): MDLs (allocate,
 * build for nonpaged pool, probe and lock, map), system routine lookup,
 * address validity, physical addresses (identity under xdrv) and contiguous
 * memory. Expected behaviour: learn.microsoft.com pages of each routine. */
#include "ktest.h"

#define TAG 0x744d744bu /* 'KtMt' */

void kt_mm_mdl(PDRIVER_OBJECT drv)
{
    PUCHAR buf = ExAllocatePoolWithTag(NonPagedPool, 3 * PAGE_SIZE, TAG);
    KT_OK(buf != NULL);
    if (!buf)
        return;
    PUCHAR va = buf + 100;
    PMDL mdl = IoAllocateMdl(va, 5000, FALSE, FALSE, NULL);
    KT_OK(mdl != NULL);
    if (mdl) {
        ULONG pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, 5000);
        KT_EQ(MmGetMdlByteCount(mdl), 5000);
        KT_EQ(MmGetMdlByteOffset(mdl), ((ULONG_PTR)va) & (PAGE_SIZE - 1));
        KT_OK(MmGetMdlVirtualAddress(mdl) == va);
        KT_EQ((ULONG)mdl->Size, sizeof(MDL) + pages * sizeof(PFN_NUMBER));
        KT_EQ(MmSizeOfMdl(va, 5000), sizeof(MDL) + pages * sizeof(PFN_NUMBER));
        MmBuildMdlForNonPagedPool(mdl);
        KT_OK(mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL);
        PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
        KT_EQ(pfn[0], ((ULONG_PTR)va) >> PAGE_SHIFT);
        KT_EQ(pfn[pages - 1], (((ULONG_PTR)va) >> PAGE_SHIFT) + pages - 1);
        KT_OK(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) == va);
        IoFreeMdl(mdl);
    }

    /* probe and lock, then map: the mapping shows the same bytes */
    mdl = IoAllocateMdl(va, 200, FALSE, FALSE, NULL);
    KT_OK(mdl != NULL);
    if (mdl) {
        MmProbeAndLockPages(mdl, KernelMode, IoWriteAccess);
        KT_OK(mdl->MdlFlags & MDL_PAGES_LOCKED);
        PUCHAR map = MmMapLockedPagesSpecifyCache(mdl, KernelMode, MmCached, NULL, FALSE,
                                                  NormalPagePriority);
        KT_OK(map != NULL);
        if (map) {
            map[5] = 0xA5;
            KT_EQ(va[5], 0xA5);
            KT_OK(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA);
            KT_OK(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority) == map);
            MmUnmapLockedPages(map, mdl);
            KT_OK(!(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA));
        }
        MmUnlockPages(mdl);
        KT_OK(!(mdl->MdlFlags & MDL_PAGES_LOCKED));
        IoFreeMdl(mdl);
    }

    /* identity mapping and validity */
    PHYSICAL_ADDRESS pa = MmGetPhysicalAddress(va);
    KT_EQ(pa.QuadPart, (LONGLONG)(ULONG_PTR)va);
    KT_OK(MmIsAddressValid(va));
    KT_OK(!MmIsAddressValid((PVOID)0xC0000000));
    KT_OK(!MmIsAddressValid(NULL));
    ExFreePoolWithTag(buf, TAG);
}

void kt_mm_routines(PDRIVER_OBJECT drv)
{
    UNICODE_STRING n;
    RtlInitUnicodeString(&n, L"IoCreateDevice");
    KT_OK(MmGetSystemRoutineAddress(&n) == (PVOID)IoCreateDevice);
    RtlInitUnicodeString(&n, L"READ_PORT_UCHAR"); /* a hal.dll export */
    KT_OK(MmGetSystemRoutineAddress(&n) != NULL);
    RtlInitUnicodeString(&n, L"NoSuchRoutineAnywhere");
    KT_OK(MmGetSystemRoutineAddress(&n) == NULL);
}

void kt_mm_contiguous(PDRIVER_OBJECT drv)
{
    PHYSICAL_ADDRESS high, low, none;
    high.QuadPart = 0xFFFFFFFF;
    low.QuadPart = 0;
    none.QuadPart = 0;
    PUCHAR p = MmAllocateContiguousMemory(10000, high);
    KT_OK(p != NULL);
    if (p) {
        KT_EQ(((ULONG_PTR)p) & (PAGE_SIZE - 1), 0);
        KT_EQ(MmGetPhysicalAddress(p).QuadPart, (LONGLONG)(ULONG_PTR)p);
        p[9999] = 1;
        MmFreeContiguousMemory(p);
    }
    high.QuadPart = 0x00FFFFFF; /* below 16 MB: xdrv's pool is above it */
    KT_OK(MmAllocateContiguousMemory(4096, high) == NULL);
    high.QuadPart = 0xFFFFFFFF;
    p = MmAllocateContiguousMemorySpecifyCache(8192, low, high, none, MmNonCached);
    KT_OK(p != NULL);
    if (p)
        MmFreeContiguousMemory(p);
}
