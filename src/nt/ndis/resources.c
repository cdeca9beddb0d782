/* An adapter's hardware resources as NDIS 5 hands them to a miniport: the
 * CM_PARTIAL_RESOURCE_LIST Plug and Play assigned (built from the PCI
 * function's BARs and interrupt line, or from the configured ISA port range
 * and IRQ), PCI configuration space, I/O port ranges and mapped device
 * memory. Ports are identity-mapped (x86 port I/O); device memory is mapped
 * by the machine (NdisHw.map_mmio). What the driver registers is recorded
 * and reported at halt if it is still registered.
 * Facts: learn.microsoft.com NDIS 5.1 pages of each routine, wdm.h
 * (CM_PARTIAL_RESOURCE_DESCRIPTOR flags and share dispositions). */
#include <string.h>

#include "nt/ndis/adapter.h"

#define CM_RESOURCE_PORT_IO 0x0001u
#define CM_RESOURCE_MEMORY_READ_WRITE 0x0000u
#define CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE 0x0000u
#define CM_RESOURCE_INTERRUPT_LATCHED 0x0001u
#define CM_SHARE_DEVICE_EXCLUSIVE 1u
#define CM_SHARE_SHARED 3u

static void add_res(NdisAdapter *s, const GCmPartialResourceDescriptor *d)
{
    if (s->nres < NDIS_ADAPTER_MAX_RES)
        s->res[s->nres++] = *d;
}

void ndis_resources_build(NdisAdapter *s)
{
    const NdisHw *hw = &s->hw;
    s->nres = 0;
    if (hw->pci) {
        for (unsigned bar = 0; bar < PCI_BARS; bar++) {
            uint32_t size = pci_bar_size(hw->pci, bar);
            if (!size)
                continue;
            uint32_t base = pci_bar_address(hw->pci, bar);
            int io = pci_config_read(hw->pci, PCI_BAR0 + 4 * bar, 4) & PCI_BAR_IO;
            if (!base)
                ndis_warn(s, "PCI BAR%u has no address assigned: the resource list will say 0",
                          bar);
            GCmPartialResourceDescriptor d = {0};
            d.Type = io ? CmResourceTypePort : CmResourceTypeMemory;
            d.ShareDisposition = CM_SHARE_DEVICE_EXCLUSIVE;
            d.Flags = io ? CM_RESOURCE_PORT_IO : CM_RESOURCE_MEMORY_READ_WRITE;
            d.u.Port.Start = base;
            d.u.Port.Length = size;
            add_res(s, &d);
        }
    } else if (hw->isa_io_len) {
        GCmPartialResourceDescriptor d = {0};
        d.Type = CmResourceTypePort;
        d.ShareDisposition = CM_SHARE_DEVICE_EXCLUSIVE;
        d.Flags = CM_RESOURCE_PORT_IO;
        d.u.Port.Start = hw->isa_io;
        d.u.Port.Length = hw->isa_io_len;
        add_res(s, &d);
    }
    if (hw->irq) {
        GCmPartialResourceDescriptor d = {0};
        d.Type = CmResourceTypeInterrupt;
        /* PCI INTx lines are level-sensitive and shareable; ISA IRQs are
         * edge-triggered (latched) and exclusive. */
        d.ShareDisposition = hw->pci ? CM_SHARE_SHARED : CM_SHARE_DEVICE_EXCLUSIVE;
        d.Flags = hw->pci ? CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE : CM_RESOURCE_INTERRUPT_LATCHED;
        d.u.Interrupt.Level = hw->irq;
        d.u.Interrupt.Vector = hw->irq;
        d.u.Interrupt.Affinity = 1;
        add_res(s, &d);
    }
}

static uint32_t list_size(const NdisAdapter *s)
{
    return 8 + 16 * s->nres;
}

static void write_list(NdisAdapter *s, GuestAddr to)
{
    Nt *nt = s->nt;
    vm_wr16(nt->vm, to, 1);     /* Version */
    vm_wr16(nt->vm, to + 2, 1); /* Revision */
    vm_wr32(nt->vm, to + 4, s->nres);
    for (unsigned i = 0; i < s->nres; i++)
        if (vm_write(nt->vm, to + 8 + 16 * i, &s->res[i], 16) < 0)
            vm_guest(nt->vm, to + 8 + 16 * i, 16, "ResourceList");
}

/* VOID NdisMQueryAdapterResources(PNDIS_STATUS Status,
 *     NDIS_HANDLE WrapperConfigurationContext,
 *     PNDIS_RESOURCE_LIST ResourceList, PUINT BufferSize);
 * A buffer too small gives NDIS_STATUS_RESOURCES and the size needed. */
NTAPI(NdisMQueryAdapterResources)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_config_context(nt, a[1]);
    vm_guest(nt->vm, a[0], 4, "Status");
    uint32_t size = vm_rd32(nt->vm, a[3]), need = list_size(s);
    vm_wr32(nt->vm, a[3], need);
    if (size < need) {
        vm_wr32(nt->vm, a[0], NDIS_STATUS_RESOURCES);
        return 0;
    }
    vm_guest(nt->vm, a[2], need, "ResourceList");
    write_list(s, a[2]);
    vm_wr32(nt->vm, a[0], NDIS_STATUS_SUCCESS);
    return 0;
}

/* NDIS_STATUS NdisMPciAssignResources(NDIS_HANDLE MiniportHandle,
 *     ULONG SlotNumber, PNDIS_RESOURCE_LIST *AssignedResources);
 * The list lives as long as the adapter. */
NTAPI(NdisMPciAssignResources)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    vm_guest(nt->vm, a[2], 4, "AssignedResources");
    if (!s->hw.pci) {
        ndis_warn(s, "NdisMPciAssignResources on an adapter that is not on PCI");
        return NDIS_STATUS_FAILURE;
    }
    /* SlotNumber is ignored as by NDIS 5: the adapter's own function. */
    if (!s->assigned) {
        s->assigned = nt_pool_alloc(nt, list_size(s), 0x5349444eu);
        if (!s->assigned)
            return NDIS_STATUS_RESOURCES;
        write_list(s, s->assigned);
    }
    vm_wr32(nt->vm, a[2], s->assigned);
    return NDIS_STATUS_SUCCESS;
}

/* PCI configuration space through the adapter's function: bytes moved,
 * clipped to the 256-byte header (0 past it). */
static uint32_t pci_slot_io(Nt *nt, NdisAdapter *s, uint32_t slot, uint32_t off, GuestAddr buf,
                            uint32_t len, int write)
{
    if (!s->hw.pci) {
        nt_fixme(nt, "the adapter has no PCI function: 0 bytes");
        return 0;
    }
    (void)slot; /* NDIS 5 ignores SlotNumber: the adapter's own function is used */
    if (off >= PCI_CONFIG_SIZE || !len)
        return 0;
    if (len > PCI_CONFIG_SIZE - off)
        len = PCI_CONFIG_SIZE - off;
    uint8_t *p = vm_guest(nt->vm, buf, len, "Buffer");
    size_t n = write ? pci_config_write_block(s->hw.pci, off, p, len)
                     : pci_config_read_block(s->hw.pci, off, p, len);
    return (uint32_t)n;
}

/* ULONG NdisReadPciSlotInformation(NDIS_HANDLE NdisAdapterHandle,
 *     ULONG SlotNumber, ULONG Offset, PVOID Buffer, ULONG Length); */
NTAPI(NdisReadPciSlotInformation)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    return pci_slot_io(nt, ndis_adapter_from_handle(nt, a[0]), a[1], a[2], a[3], a[4], 0);
}

/* ULONG NdisWritePciSlotInformation(NDIS_HANDLE NdisAdapterHandle,
 *     ULONG SlotNumber, ULONG Offset, PVOID Buffer, ULONG Length); */
NTAPI(NdisWritePciSlotInformation)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    return pci_slot_io(nt, ndis_adapter_from_handle(nt, a[0]), a[1], a[2], a[3], a[4], 1);
}

/* ULONG NdisImmediateReadPciSlotInformation(NDIS_HANDLE
 *     WrapperConfigurationContext, ULONG SlotNumber, ULONG Offset,
 *     PVOID Buffer, ULONG Length); */
NTAPI(NdisImmediateReadPciSlotInformation)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    return pci_slot_io(nt, ndis_adapter_from_config_context(nt, a[0]), a[1], a[2], a[3], a[4], 0);
}

/* ULONG NdisImmediateWritePciSlotInformation(NDIS_HANDLE
 *     WrapperConfigurationContext, ULONG SlotNumber, ULONG Offset,
 *     PVOID Buffer, ULONG Length); */
NTAPI(NdisImmediateWritePciSlotInformation)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    return pci_slot_io(nt, ndis_adapter_from_config_context(nt, a[0]), a[1], a[2], a[3], a[4], 1);
}

static const GCmPartialResourceDescriptor *find_res(NdisAdapter *s, uint8_t type, uint64_t start,
                                                    uint32_t len)
{
    for (unsigned i = 0; i < s->nres; i++) {
        const GCmPartialResourceDescriptor *d = &s->res[i];
        if (d->Type == type && start >= d->u.Port.Start &&
            start + len <= d->u.Port.Start + (uint64_t)d->u.Port.Length)
            return d;
    }
    return NULL;
}

/* NDIS_STATUS NdisMRegisterIoPortRange(PVOID *PortOffset,
 *     NDIS_HANDLE MiniportAdapterHandle, UINT InitialPort,
 *     UINT NumberOfPorts); the range must lie inside a port resource of
 *     the adapter; the mapped base is the port number itself on x86. */
NTAPI(NdisMRegisterIoPortRange)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[1]);
    vm_guest(nt->vm, a[0], 4, "PortOffset");
    if (!a[3] || a[2] > 0xFFFF || a[3] > 0x10000 - a[2] ||
        !find_res(s, CmResourceTypePort, a[2], a[3])) {
        ndis_warn(
            s, "NdisMRegisterIoPortRange(0x%x, %u ports): not inside the adapter's port resources",
            a[2], a[3]);
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    if (s->nports == NDIS_ADAPTER_MAX_PORTS)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisMRegisterIoPortRange: more than %u port ranges registered",
                 NDIS_ADAPTER_MAX_PORTS);
    s->ports[s->nports++] = (NdisPortRange){a[2], a[3]};
    vm_wr32(nt->vm, a[0], a[2]);
    return NDIS_STATUS_SUCCESS;
}

/* VOID NdisMDeregisterIoPortRange(NDIS_HANDLE MiniportAdapterHandle,
 *     UINT InitialPort, UINT NumberOfPorts, PVOID PortOffset); */
NTAPI(NdisMDeregisterIoPortRange)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    for (unsigned i = 0; i < s->nports; i++)
        if (s->ports[i].base == a[1] && s->ports[i].count == a[2]) {
            if (a[3] != a[1])
                vm_throw(nt->vm, VM_FAULT_API,
                         "NdisMDeregisterIoPortRange: PortOffset 0x%08x is not what "
                         "NdisMRegisterIoPortRange returned (0x%x)",
                         a[3], a[1]);
            s->ports[i] = s->ports[--s->nports];
            return 0;
        }
    vm_throw(nt->vm, VM_FAULT_API,
             "NdisMDeregisterIoPortRange(0x%x, %u ports): no such range is registered", a[1], a[2]);
}

/* NDIS_STATUS NdisMMapIoSpace(PVOID *VirtualAddress,
 *     NDIS_HANDLE MiniportAdapterHandle,
 *     NDIS_PHYSICAL_ADDRESS PhysicalAddress, UINT Length); */
NTAPI(NdisMMapIoSpace)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[1]);
    vm_guest(nt->vm, a[0], 4, "VirtualAddress");
    uint64_t phys = (uint64_t)a[3] << 32 | a[2];
    uint32_t len = a[4];
    if (!len || !find_res(s, CmResourceTypeMemory, phys, len)) {
        ndis_warn(s, "NdisMMapIoSpace(0x%llx, %u bytes): not inside the adapter's memory resources",
                  (unsigned long long)phys, len);
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    NdisMapping *m = NULL;
    for (unsigned i = 0; i < s->nmaps; i++)
        if (s->maps[i].phys == phys && s->maps[i].len >= len && !s->maps[i].live)
            m = &s->maps[i];
    if (!m) {
        if (!s->hw.map_mmio)
            vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
                     "NdisMMapIoSpace: this machine cannot map device memory "
                     "(no NdisHw.map_mmio)");
        if (s->nmaps == NDIS_ADAPTER_MAX_MAPS)
            vm_throw(nt->vm, VM_FAULT_API, "NdisMMapIoSpace: more than %u mappings",
                     NDIS_ADAPTER_MAX_MAPS);
        GuestAddr va = s->hw.map_mmio(s->hw.opaque, (uint32_t)phys, len);
        if (!va) {
            ndis_warn(s, "NdisMMapIoSpace(0x%llx, %u bytes): the machine could not map it",
                      (unsigned long long)phys, len);
            return NDIS_STATUS_RESOURCES;
        }
        m = &s->maps[s->nmaps++];
        *m = (NdisMapping){(uint32_t)phys, len, va, 0};
    }
    m->live = 1;
    vm_wr32(nt->vm, a[0], m->va);
    return NDIS_STATUS_SUCCESS;
}

/* VOID NdisMUnmapIoSpace(NDIS_HANDLE MiniportAdapterHandle,
 *     PVOID VirtualAddress, UINT Length); the guest mapping stays in place
 *     (xdrv never unmaps device memory) and is reused by a later map. */
NTAPI(NdisMUnmapIoSpace)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisAdapter *s = ndis_adapter_from_handle(nt, a[0]);
    for (unsigned i = 0; i < s->nmaps; i++)
        if (s->maps[i].live && s->maps[i].va == a[1]) {
            if (a[2] > s->maps[i].len)
                vm_throw(nt->vm, VM_FAULT_API,
                         "NdisMUnmapIoSpace: length %u, but %u bytes were mapped", a[2],
                         s->maps[i].len);
            s->maps[i].live = 0;
            return 0;
        }
    vm_throw(nt->vm, VM_FAULT_API,
             "NdisMUnmapIoSpace: 0x%08x is not an address NdisMMapIoSpace returned", a[1]);
}

/* VOID NdisReadEisaSlotInformationEx(PNDIS_STATUS Status, NDIS_HANDLE
 *     WrapperConfigurationContext, PUINT SlotNumber,
 *     PNDIS_EISA_FUNCTION_INFORMATION *EisaData, PUINT NumberOfFunctions); */
NTAPI(NdisReadEisaSlotInformationEx)
{
    (void)a;
    vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
             "NdisReadEisaSlotInformationEx: there is no EISA bus in xdrv "
             "(PCI and ISA adapters only)");
}

/* ULONG NdisWritePcmciaAttributeMemory(NDIS_HANDLE NdisAdapterHandle,
 *     ULONG Offset, PVOID Buffer, ULONG Length); */
NTAPI(NdisWritePcmciaAttributeMemory)
{
    (void)a;
    vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
             "NdisWritePcmciaAttributeMemory: there is no PCMCIA socket in "
             "xdrv (PCI and ISA adapters only)");
}

void ndis_resources_report(NdisAdapter *s)
{
    for (unsigned i = 0; i < s->nports; i++)
        ndis_warn(s,
                  "I/O port range 0x%x (%u ports) still registered (NdisMDeregisterIoPortRange not "
                  "called)",
                  s->ports[i].base, s->ports[i].count);
    for (unsigned i = 0; i < s->nmaps; i++)
        if (s->maps[i].live)
            ndis_warn(s,
                      "I/O space 0x%08x (%u bytes, at 0x%08x) still mapped (NdisMUnmapIoSpace not "
                      "called)",
                      s->maps[i].phys, s->maps[i].len, s->maps[i].va);
}
