/* Memory descriptor lists, shared by mm.c (the Mm* exports) and io.c
 * (IoAllocateMdl, direct-I/O requests). An MDL is a GMdl header followed by
 * one ULONG page frame number per page the buffer spans. xdrv maps guest
 * memory 1:1: the "physical" address of a guest virtual address is the
 * address itself, so PFN = address >> 12. Handler context (they unwind on a
 * bad guest pointer). */
#ifndef XDRV_NT_MM_H
#define XDRV_NT_MM_H

#include <stdint.h>

#include "nt/nt.h"

/* MDL flags (wdm.h MDL_*). */
#define MDL_MAPPED_TO_SYSTEM_VA 0x0001u
#define MDL_PAGES_LOCKED 0x0002u
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004u
#define MDL_ALLOCATED_FIXED_SIZE 0x0008u
#define MDL_PARTIAL 0x0010u
#define MDL_WRITE_OPERATION 0x0080u

/* ADDRESS_AND_SIZE_TO_SPAN_PAGES */
uint32_t nt_mm_span_pages(GuestAddr va, uint32_t len);
/* Allocate and initialize an MDL for [va, va+len) from the pool
 * (MmInitializeMdl: StartVa, ByteOffset, ByteCount, Size). 0 on failure. */
GuestAddr nt_mm_alloc_mdl(Nt *nt, GuestAddr va, uint32_t len);
/* Fill the PFN array for a resident buffer; sets MappedSystemVa and `flags`.
 * Stops the run if the buffer is not mapped guest memory. */
void nt_mm_fill_mdl(Nt *nt, GuestAddr mdl, uint16_t flags);
/* Free an MDL from nt_mm_alloc_mdl / IoAllocateMdl; stops the run on a bad one. */
void nt_mm_free_mdl(Nt *nt, GuestAddr mdl);

#endif
