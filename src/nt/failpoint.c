/* Fail-points (docs/failpoints.md): the table of documented failures, one
 * row per export, and the per-Nt countdowns that decide which call fails.
 * A failed call stores what the routine's page says it stores on failure
 * (a status through its PNDIS_STATUS argument, NULL or zero through its
 * output arguments) and returns the documented value; where a page does
 * not say what becomes of an output, the row stores what xdrv's own
 * handler stores on its failure path, so that an injected failure and a
 * real one leave the driver the same state.
 * Facts: the NDIS 5.1 reference pages (learn.microsoft.com "previous
 * versions", windows/hardware/network) and the WDK pages of the ntoskrnl
 * routines, each named in its row's comment. */
#include "nt/failpoint.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nt/ndis/ndis.h"
#include "trace/trace.h"

/* wdm.h POOL_TYPE: with this bit the Ex allocators raise
 * STATUS_INSUFFICIENT_RESOURCES instead of returning NULL
 * (ExAllocatePoolWithTag page, PoolType). */
#define POOL_RAISE_IF_ALLOCATION_FAILURE 16u

/* One store the failing routine makes: `bytes` (4, or 8 for an
 * NDIS_PHYSICAL_ADDRESS) of `value` through the pointer in argument `arg`
 * (stack slot, 0-based). bytes 0: no store. */
typedef struct FailStore {
    uint8_t arg;
    uint8_t bytes;
    uint32_t value;
    const char *what; /* the parameter's name, for a bad-pointer report */
} FailStore;

#define FAIL_MAX_STORES 2

typedef struct FailRule {
    const char *name; /* as in the module's exports.def */
    uint32_t ret;     /* EAX: the status, NULL or count returned (0 for a VOID routine) */
    FailStore store[FAIL_MAX_STORES];
    uint8_t max_irql;    /* the routine's page: callers run at IRQL <= this */
    uint32_t raise_mask; /* PoolType (argument 0) bits with which it raises, not fails */
} FailRule;

static const FailRule rules[] = {
    /* NdisAllocateMemory: NDIS_STATUS_FAILURE, VirtualAddress NULL "if
     * sufficient memory is currently unavailable" */
    {.name = "NdisAllocateMemory",
     .ret = NDIS_STATUS_FAILURE,
     .store = {{0, 4, 0, "VirtualAddress"}},
     .max_irql = DISPATCH_LEVEL},
    /* NdisAllocateMemoryWithTag: as NdisAllocateMemory */
    {.name = "NdisAllocateMemoryWithTag",
     .ret = NDIS_STATUS_FAILURE,
     .store = {{0, 4, 0, "VirtualAddress"}},
     .max_irql = DISPATCH_LEVEL},
    /* NdisMAllocateSharedMemory: VOID; "returns NULL" at VirtualAddress
     * and at PhysicalAddress when it cannot satisfy the caller */
    {.name = "NdisMAllocateSharedMemory",
     .store = {{3, 4, 0, "VirtualAddress"}, {4, 8, 0, "PhysicalAddress"}},
     .max_irql = PASSIVE_LEVEL},
    /* NdisAllocatePacketPool: Status NDIS_STATUS_RESOURCES ("possibly due
     * to a shortage of memory"); PoolHandle as the handler's failure path */
    {.name = "NdisAllocatePacketPool",
     .store = {{0, 4, NDIS_STATUS_RESOURCES, "Status"}, {1, 4, 0, "PoolHandle"}},
     .max_irql = DISPATCH_LEVEL},
    /* NdisAllocatePacketPoolEx: as NdisAllocatePacketPool */
    {.name = "NdisAllocatePacketPoolEx",
     .store = {{0, 4, NDIS_STATUS_RESOURCES, "Status"}, {1, 4, 0, "PoolHandle"}},
     .max_irql = DISPATCH_LEVEL},
    /* NdisAllocatePacket: Status NDIS_STATUS_RESOURCES ("the free list
     * for the packet pool currently has no available entries"); Packet
     * NULL (NdisDprAllocatePacket: "The variable at Packet is set to NULL") */
    {.name = "NdisAllocatePacket",
     .store = {{0, 4, NDIS_STATUS_RESOURCES, "Status"}, {1, 4, 0, "Packet"}},
     .max_irql = DISPATCH_LEVEL},
    /* NdisAllocateBuffer: Status "NDIS_STATUS_SUCCESS if it returned a
     * valid buffer descriptor pointer at Buffer and otherwise
     * NDIS_STATUS_FAILURE"; Buffer NULL as the handler's failure path */
    {.name = "NdisAllocateBuffer",
     .store = {{0, 4, NDIS_STATUS_FAILURE, "Status"}, {1, 4, 0, "Buffer"}},
     .max_irql = DISPATCH_LEVEL},
    /* NdisMRegisterIoPortRange: NDIS_STATUS_RESOURCES ("the port range
     * could not be mapped"); PortOffset is valid only on success */
    {.name = "NdisMRegisterIoPortRange", .ret = NDIS_STATUS_RESOURCES, .max_irql = PASSIVE_LEVEL},
    /* NdisMMapIoSpace: NDIS_STATUS_RESOURCES ("the memory could not be
     * mapped"); it "sets the variable at VirtualAddress to NULL if it does
     * not return NDIS_STATUS_SUCCESS" */
    {.name = "NdisMMapIoSpace",
     .ret = NDIS_STATUS_RESOURCES,
     .store = {{0, 4, 0, "VirtualAddress"}},
     .max_irql = PASSIVE_LEVEL},
    /* NdisMRegisterInterrupt: NDIS_STATUS_RESOURCES (insufficient
     * resources; NdisMRegisterInterruptEx names the same code) */
    {.name = "NdisMRegisterInterrupt", .ret = NDIS_STATUS_RESOURCES, .max_irql = PASSIVE_LEVEL},
    /* NdisMAllocateMapRegisters: NDIS_STATUS_RESOURCES ("the requested
     * number of map registers could not be allocated") */
    {.name = "NdisMAllocateMapRegisters", .ret = NDIS_STATUS_RESOURCES, .max_irql = PASSIVE_LEVEL},
    /* NdisMInitializeScatterGatherDma: NDIS_STATUS_RESOURCES (system
     * resources for bus-master DMA could not be allocated) */
    {.name = "NdisMInitializeScatterGatherDma",
     .ret = NDIS_STATUS_RESOURCES,
     .max_irql = PASSIVE_LEVEL},
    /* NdisOpenConfiguration: Status NDIS_STATUS_FAILURE ("the key could
     * not be opened"); no handle */
    {.name = "NdisOpenConfiguration",
     .store = {{0, 4, NDIS_STATUS_FAILURE, "Status"}, {1, 4, 0, "ConfigurationHandle"}},
     .max_irql = PASSIVE_LEVEL},
    /* NdisReadConfiguration: Status NDIS_STATUS_FAILURE ("the requested
     * information could not be found"): the keyword is absent; no
     * parameter (ParameterValue is set only on success) */
    {.name = "NdisReadConfiguration",
     .store = {{0, 4, NDIS_STATUS_FAILURE, "Status"}, {1, 4, 0, "ParameterValue"}},
     .max_irql = PASSIVE_LEVEL},
    /* NdisReadNetworkAddress: Status NDIS_STATUS_FAILURE ("no NIC address
     * information available"); NetworkAddressLength 0 as the handler's
     * failure path, NetworkAddress untouched */
    {.name = "NdisReadNetworkAddress",
     .store = {{0, 4, NDIS_STATUS_FAILURE, "Status"}, {2, 4, 0, "NetworkAddressLength"}},
     .max_irql = PASSIVE_LEVEL},
    /* NdisReadPciSlotInformation: "returns how many bytes of configuration
     * information it returned at Buffer": none */
    {.name = "NdisReadPciSlotInformation", .ret = 0, .max_irql = DISPATCH_LEVEL},
    /* NdisWritePciSlotInformation: the bytes written: none */
    {.name = "NdisWritePciSlotInformation", .ret = 0, .max_irql = DISPATCH_LEVEL},
    /* ExAllocatePoolWithTag: NULL "if there is insufficient memory in the
     * free pool"; with POOL_RAISE_IF_ALLOCATION_FAILURE it raises instead */
    {.name = "ExAllocatePoolWithTag",
     .ret = 0,
     .max_irql = DISPATCH_LEVEL,
     .raise_mask = POOL_RAISE_IF_ALLOCATION_FAILURE},
    /* ExAllocatePool: as ExAllocatePoolWithTag */
    {.name = "ExAllocatePool",
     .ret = 0,
     .max_irql = DISPATCH_LEVEL,
     .raise_mask = POOL_RAISE_IF_ALLOCATION_FAILURE},
    /* ExAllocatePoolWithTagPriority: as ExAllocatePoolWithTag */
    {.name = "ExAllocatePoolWithTagPriority",
     .ret = 0,
     .max_irql = DISPATCH_LEVEL,
     .raise_mask = POOL_RAISE_IF_ALLOCATION_FAILURE},
    /* MmAllocateContiguousMemory: NULL "if the request cannot be
     * satisfied" */
    {.name = "MmAllocateContiguousMemory", .ret = 0, .max_irql = DISPATCH_LEVEL},
    /* IoAllocateMdl: NULL "if the MDL cannot be allocated" */
    {.name = "IoAllocateMdl", .ret = 0, .max_irql = DISPATCH_LEVEL},
};
#define NRULES (sizeof rules / sizeof rules[0])

/* Per Nt: for each rule, the calls to go until the failing one (1: the
 * next call fails; 0: not armed), and the count it was armed with. */
struct NtFail {
    unsigned left[NRULES];
    unsigned nth[NRULES];
    unsigned narmed;
};

static int rule_index(const char *name)
{
    for (size_t i = 0; name && i < NRULES; i++)
        if (!strcmp(rules[i].name, name))
            return (int)i;
    return -1;
}

int nt_fail_has_rule(const char *export_name)
{
    return rule_index(export_name) >= 0;
}

const char *nt_fail_rule_name(unsigned i)
{
    return i < NRULES ? rules[i].name : NULL;
}

static int is_export(const char *name)
{
    for (unsigned i = 0; nt_modules[i]; i++)
        if (nt_find_export(nt_modules[i], name))
            return 1;
    return 0;
}

__attribute__((format(printf, 3, 4))) static int arm_err(char *err, size_t errlen, const char *fmt,
                                                         ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int nt_fail_arm(Nt *nt, const char *export_name, unsigned nth, char *err, size_t errlen)
{
    int i = rule_index(export_name);

    if (i < 0) {
        /* a few well-known ones; the whole list is in docs/failpoints.md */
        static const char *const some[] = {"NdisAllocateMemoryWithTag", "NdisMMapIoSpace",
                                           "NdisReadConfiguration", "ExAllocatePoolWithTag"};
        const char *name = export_name ? export_name : "(null)";

        return arm_err(err, errlen,
                       "%.64s: %s (exports with one: %s %s %s %s ... %zu in all, "
                       "docs/failpoints.md)",
                       name, is_export(name) ? "no failure rule" : "not an export xdrv provides",
                       some[0], some[1], some[2], some[3], NRULES);
    }
    if (nth == 0)
        return arm_err(err, errlen, "%s: nth must be 1 or more (1 = the next call)", rules[i].name);
    if (!nt->fail) {
        nt->fail = calloc(1, sizeof *nt->fail);
        if (!nt->fail)
            return arm_err(err, errlen, "%s: out of memory", rules[i].name);
    }
    if (!nt->fail->left[i])
        nt->fail->narmed++;
    nt->fail->left[i] = nth;
    nt->fail->nth[i] = nth;
    return 0;
}

void nt_fail_clear(Nt *nt)
{
    free(nt->fail);
    nt->fail = NULL;
}

int nt_fail_intercept(Nt *nt, const NtExport *e, const uint32_t *a, uint64_t *ret)
{
    struct NtFail *f = nt->fail;
    const FailRule *r;
    int i;

    if (!f || !f->narmed || (i = rule_index(e->name)) < 0 || !f->left[i])
        return 0;
    r = &rules[i];
    /* a call that would raise rather than return NULL is not a candidate */
    if (r->raise_mask && (a[0] & r->raise_mask))
        return 0;
    if (--f->left[i])
        return 0;
    f->narmed--;
    /* what the handler would check first: the IRQL, then every output
     * pointer before the first store */
    nt_check_irql_max(nt, r->max_irql);
    for (unsigned k = 0; k < FAIL_MAX_STORES && r->store[k].bytes; k++)
        vm_guest(nt->vm, a[r->store[k].arg], r->store[k].bytes, r->store[k].what);
    for (unsigned k = 0; k < FAIL_MAX_STORES && r->store[k].bytes; k++) {
        const FailStore *s = &r->store[k];
        vm_wr32(nt->vm, a[s->arg], s->value);
        if (s->bytes == 8)
            vm_wr32(nt->vm, a[s->arg] + 4, 0);
    }
    trace_emitf(TRACE_NOTE, vm_time_ns(nt->vm), vm_depth(nt->vm), "fail",
                "injected failure of %s (call %u)", r->name, f->nth[i]);
    *ret = r->ret;
    return 1;
}
