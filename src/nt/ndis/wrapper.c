/* The NDIS wrapper: per-Nt NDIS state, NdisInitializeWrapper (which
 * NdisMInitializeWrapper expands to), miniport registration, the unload
 * handler, and the stand-alone device objects a miniport may create for its
 * own control interface (NdisMRegisterDevice).
 * Facts: learn.microsoft.com NDIS 5.1 pages of each routine;
 * NDIS_MINIPORT_CHARACTERISTICS sizes per version from mingw-w64 ddk/ndis.h
 * (checked by tests/unit/test_layout). */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "nt/ndis/ndis_lib.h"
#include "nt/ndis/ndis_structs.h"
#include "nt/ntoskrnl/registry.h"
#include "nt/ntstructs.h"

#define NDIS_STATUS_BAD_VERSION 0xC0010004u
#define NDIS_STATUS_BAD_CHARACTERISTICS 0xC0010005u
#define FILE_DEVICE_NETWORK 0x12u

/* The I/O manager's handlers, reused for NdisMRegisterDevice. */
NTAPI(IoCreateDevice);
NTAPI(IoDeleteDevice);
NTAPI(IoCreateSymbolicLink);
NTAPI(IoDeleteSymbolicLink);

int ndis_lib_grow(void **v, unsigned n, size_t size)
{
    /* capacity doubles at powers of two */
    if (n && (n & (n - 1)))
        return 0;
    void *p = realloc(*v, (n ? n * 2 : 4) * size);
    if (!p)
        return -1;
    *v = p;
    return 0;
}

int nt_ndis_init(Nt *nt)
{
    nt->ndis = calloc(1, sizeof *nt->ndis);
    if (!nt->ndis)
        return -1;
    nt->ndis->lib = calloc(1, sizeof *nt->ndis->lib);
    if (!nt->ndis->lib) {
        free(nt->ndis);
        nt->ndis = NULL;
        return -1;
    }
    nt->on_mdl_free = ndis_buffer_forget;
    return 0;
}

void nt_ndis_fini(Nt *nt)
{
    if (!nt->ndis)
        return;
    if (nt->ndis->lib) {
        ndis_packet_lib_fini(nt);
        ndis_config_lib_fini(nt);
        free(nt->ndis->lib->aligned);
        free(nt->ndis->lib);
    }
    free(nt->ndis);
    nt->ndis = NULL;
}

/* The wrapper handle a driver passes back; stops the call on any other. */
static NdisMiniportDriver *wrapper_driver(Nt *nt, GuestAddr handle)
{
    NdisMiniportDriver *d = &nt->ndis->drv;
    if (!handle || handle != d->wrapper_handle)
        vm_throw(nt->vm, VM_FAULT_API,
                 "%s: 0x%08x is not the NdisWrapperHandle NdisInitializeWrapper "
                 "returned (0x%08x)",
                 vm_current_api(nt->vm), handle, d->wrapper_handle);
    return d;
}

/* VOID NdisInitializeWrapper(PNDIS_HANDLE NdisWrapperHandle,
 *     PVOID SystemSpecific1, PVOID SystemSpecific2, PVOID SystemSpecific3);
 * SystemSpecific1/2 are DriverEntry's DriverObject and RegistryPath;
 * NdisMInitializeWrapper is a macro for it. */
NTAPI(NdisInitializeWrapper)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisMiniportDriver *d = &nt->ndis->drv;
    vm_guest(nt->vm, a[0], 4, "NdisWrapperHandle");
    vm_guest(nt->vm, a[1], sizeof(GDriverObject), "DRIVER_OBJECT (SystemSpecific1)");
    if (a[2])
        vm_guest(nt->vm, a[2], sizeof(GUnicodeString), "RegistryPath (SystemSpecific2)");
    if (d->wrapper_handle)
        vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
                 "NdisInitializeWrapper called a second time; xdrv hosts one "
                 "NDIS driver wrapper per run");
    /* The handle is an opaque block holding the DriverObject, as in NDIS;
     * system memory, as it lives as long as the driver. */
    GuestAddr h = vm_alloc_sys(nt->vm, 16);
    if (!h) {
        vm_wr32(nt->vm, a[0], 0);
        return 0;
    }
    vm_wr32(nt->vm, h, a[1]);
    vm_wr32(nt->vm, h + 4, a[2]);
    vm_wr32(nt->vm, h + 8, 0);
    vm_wr32(nt->vm, h + 12, 0);
    memset(d, 0, sizeof *d);
    d->driver_object = a[1];
    d->wrapper_handle = h;
    vm_wr32(nt->vm, a[0], h);
    return 0;
}

/* VOID NdisTerminateWrapper(NDIS_HANDLE NdisWrapperHandle, PVOID SystemSpecific); */
NTAPI(NdisTerminateWrapper)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisMiniportDriver *d = wrapper_driver(nt, a[0]);
    if (nt->ndis->nadapters)
        vm_throw(nt->vm, VM_FAULT_API,
                 "NdisTerminateWrapper: %u adapter(s) of this driver are still "
                 "initialized",
                 nt->ndis->nadapters);
    vm_wr32(nt->vm, d->wrapper_handle, 0);
    memset(d, 0, sizeof *d);
    return 0;
}

/* Expected NDIS_MINIPORT_CHARACTERISTICS length for a version, 0 if unknown. */
static uint32_t characteristics_size(uint8_t major, uint8_t minor)
{
    if (major == 3 && minor == 0)
        return NDIS30_CHARACTERISTICS_SIZE;
    if (major == 4 && minor == 0)
        return NDIS40_CHARACTERISTICS_SIZE;
    if (major == 5 && minor == 0)
        return NDIS50_CHARACTERISTICS_SIZE;
    if (major == 5 && minor == 1)
        return NDIS51_CHARACTERISTICS_SIZE;
    return 0;
}

/* NDIS_STATUS NdisMRegisterMiniport(NDIS_HANDLE NdisWrapperHandle,
 *     PNDIS_MINIPORT_CHARACTERISTICS MiniportCharacteristics,
 *     UINT CharacteristicsLength); */
NTAPI(NdisMRegisterMiniport)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisMiniportDriver *d = wrapper_driver(nt, a[0]);
    const uint8_t *ver = vm_guest(nt->vm, a[1], 2, "MiniportCharacteristics");
    uint8_t major = ver[0], minor = ver[1];
    uint32_t need = characteristics_size(major, minor);
    if (!need) {
        nt_log(nt,
               "NdisMRegisterMiniport: NDIS version %u.%u is not 3.0, 4.0, 5.0 or 5.1: "
               "NDIS_STATUS_BAD_VERSION\n",
               major, minor);
        return NDIS_STATUS_BAD_VERSION;
    }
    if (a[2] < need) {
        nt_log(
            nt,
            "NdisMRegisterMiniport: CharacteristicsLength %u is less than the %u bytes of the NDIS "
            "%u.%u characteristics: NDIS_STATUS_BAD_CHARACTERISTICS\n",
            a[2], need, major, minor);
        return NDIS_STATUS_BAD_CHARACTERISTICS;
    }
    if (d->registered) {
        nt_log(nt, "NdisMRegisterMiniport: the driver already registered a miniport\n");
        return NDIS_STATUS_FAILURE;
    }
    GNdisMiniportCharacteristics c;
    memset(&c, 0, sizeof c);
    memcpy(&c, vm_guest(nt->vm, a[1], need, "MiniportCharacteristics"), need);
    /* Required by the NDIS 5.1 documentation of NDIS51_MINIPORT_CHARACTERISTICS. */
    const char *missing = !c.InitializeHandler         ? "InitializeHandler"
                          : !c.HaltHandler             ? "HaltHandler"
                          : !c.QueryInformationHandler ? "QueryInformationHandler"
                          : !c.SetInformationHandler   ? "SetInformationHandler"
                          : !c.ResetHandler            ? "ResetHandler"
                          : !c.SendHandler && !c.SendPacketsHandler
                              ? "SendHandler or SendPacketsHandler"
                              : NULL;
    if (missing) {
        nt_log(nt,
               "NdisMRegisterMiniport: the NDIS %u.%u characteristics lack the required %s: "
               "NDIS_STATUS_BAD_CHARACTERISTICS\n",
               major, minor, missing);
        return NDIS_STATUS_BAD_CHARACTERISTICS;
    }
    d->major = major;
    d->minor = minor;
    d->CheckForHangHandler = c.CheckForHangHandler;
    d->DisableInterruptHandler = c.DisableInterruptHandler;
    d->EnableInterruptHandler = c.EnableInterruptHandler;
    d->HaltHandler = c.HaltHandler;
    d->HandleInterruptHandler = c.HandleInterruptHandler;
    d->InitializeHandler = c.InitializeHandler;
    d->ISRHandler = c.ISRHandler;
    d->QueryInformationHandler = c.QueryInformationHandler;
    d->ReconfigureHandler = c.ReconfigureHandler;
    d->ResetHandler = c.ResetHandler;
    d->SendHandler = c.SendHandler;
    d->SetInformationHandler = c.SetInformationHandler;
    d->TransferDataHandler = c.TransferDataHandler;
    d->ReturnPacketHandler = c.ReturnPacketHandler;
    d->SendPacketsHandler = c.SendPacketsHandler;
    d->AllocateCompleteHandler = c.AllocateCompleteHandler;
    d->CancelSendPacketsHandler = c.CancelSendPacketsHandler;
    d->PnPEventNotifyHandler = c.PnPEventNotifyHandler;
    d->AdapterShutdownHandler = c.AdapterShutdownHandler;
    d->registered = 1;
    return NDIS_STATUS_SUCCESS;
}

/* VOID NdisMRegisterUnloadHandler(NDIS_HANDLE NdisWrapperHandle,
 *     PDRIVER_UNLOAD UnloadHandler);
 * The handler has DRIVER_UNLOAD's signature; it becomes the driver
 * object's DriverUnload, which is where the I/O manager (nt_io_unload_driver)
 * looks (NDIS calls it from its own unload routine after halting adapters). */
NTAPI(NdisMRegisterUnloadHandler)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisMiniportDriver *d = wrapper_driver(nt, a[0]);
    d->unload = a[1];
    vm_wr32(nt->vm, d->driver_object + offsetof(GDriverObject, DriverUnload), a[1]);
    return 0;
}

/* A guest copy of a UNICODE_STRING (header + buffer in one pool block). */
static GuestAddr ustr_copy(Nt *nt, GuestAddr src)
{
    GUnicodeString *s = vm_guest(nt->vm, src, sizeof *s, "UNICODE_STRING");
    uint16_t len = s->Length;
    GuestAddr buf = s->Buffer;
    const void *data = len ? vm_guest(nt->vm, buf, len, "UNICODE_STRING.Buffer") : NULL;
    GuestAddr p = nt_pool_alloc(nt, (uint32_t)sizeof(GUnicodeString) + len + 2u, NDIS_LIB_TAG);
    if (!p)
        return 0;
    GUnicodeString *d = vm_guest(nt->vm, p, sizeof *d + len + 2u, "string copy");
    d->Length = len;
    d->MaximumLength = (uint16_t)(len + 2u);
    d->Buffer = p + (uint32_t)sizeof *d;
    if (len)
        memcpy(d + 1, data, len);
    memset((uint8_t *)(d + 1) + len, 0, 2);
    return p;
}

/* NDIS_STATUS NdisMRegisterDevice(NDIS_HANDLE NdisWrapperHandle,
 *     PNDIS_STRING DeviceName, PNDIS_STRING SymbolicName,
 *     PDRIVER_DISPATCH MajorFunctions[], PDEVICE_OBJECT *pDeviceObject,
 *     NDIS_HANDLE *NdisDeviceHandle);
 * Creates the device and its symbolic link through the I/O manager. NDIS
 * owns the miniport's dispatch table and forwards the new device's IRPs to
 * MajorFunctions; xdrv hosts the miniport without PnP IRPs, so the entries
 * go straight into the driver object (a second device with a different
 * table is refused). */
NTAPI(NdisMRegisterDevice)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisMiniportDriver *d = wrapper_driver(nt, a[0]);
    NdisLib *lib = nt->ndis->lib;
    const uint32_t *mj =
        vm_guest(nt->vm, a[3], 4 * (IRP_MJ_MAXIMUM_FUNCTION + 1), "MajorFunctions[]");
    uint32_t table[IRP_MJ_MAXIMUM_FUNCTION + 1];
    memcpy(table, mj, sizeof table);
    vm_guest(nt->vm, a[4], 4, "pDeviceObject");
    vm_guest(nt->vm, a[5], 4, "NdisDeviceHandle");
    if (lib->ndevices == sizeof lib->devices / sizeof lib->devices[0])
        vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED, "NdisMRegisterDevice: more than %u devices",
                 lib->ndevices);
    GDriverObject *drvobj = vm_guest(nt->vm, d->driver_object, sizeof *drvobj, "DRIVER_OBJECT");
    if (lib->ndevices)
        for (unsigned i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
            if (table[i] && drvobj->MajorFunction[i] != table[i])
                vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
                         "NdisMRegisterDevice: a second device with a "
                         "different dispatch routine for IRP major %u",
                         i);
    uint32_t cargs[7] = {d->driver_object, 0, a[1], FILE_DEVICE_NETWORK, 0, 0, a[4]};
    uint32_t st = (uint32_t)nt_IoCreateDevice(nt, cargs);
    if (st != STATUS_SUCCESS)
        return st;
    GuestAddr dev = vm_rd32(nt->vm, a[4]);
    GuestAddr link = 0;
    if (a[2]) {
        uint32_t largs[2] = {a[2], a[1]};
        st = (uint32_t)nt_IoCreateSymbolicLink(nt, largs);
        link = st == STATUS_SUCCESS ? ustr_copy(nt, a[2]) : 0;
        if (st != STATUS_SUCCESS || !link) {
            if (link) {
                uint32_t dargs[1] = {link};
                nt_IoDeleteSymbolicLink(nt, dargs);
                nt_pool_free(nt, link);
            }
            uint32_t dargs[1] = {dev};
            nt_IoDeleteDevice(nt, dargs);
            vm_wr32(nt->vm, a[4], 0);
            return st != STATUS_SUCCESS ? st : NDIS_STATUS_RESOURCES;
        }
    }
    drvobj = vm_guest(nt->vm, d->driver_object, sizeof *drvobj, "DRIVER_OBJECT");
    for (unsigned i = 0; i <= IRP_MJ_MAXIMUM_FUNCTION; i++)
        if (table[i])
            drvobj->MajorFunction[i] = table[i];
    lib->devices[lib->ndevices++] = (NdisDevice){dev, link};
    vm_wr32(nt->vm, a[5], dev);
    return NDIS_STATUS_SUCCESS;
}

/* NDIS_STATUS NdisMDeregisterDevice(NDIS_HANDLE NdisDeviceHandle); */
NTAPI(NdisMDeregisterDevice)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NdisLib *lib = nt->ndis->lib;
    for (unsigned i = 0; i < lib->ndevices; i++) {
        if (lib->devices[i].device != a[0])
            continue;
        NdisDevice dv = lib->devices[i];
        lib->devices[i] = lib->devices[--lib->ndevices];
        if (dv.link) {
            uint32_t largs[1] = {dv.link};
            nt_IoDeleteSymbolicLink(nt, largs);
            nt_pool_free(nt, dv.link);
        }
        uint32_t dargs[1] = {dv.device};
        nt_IoDeleteDevice(nt, dargs);
        return NDIS_STATUS_SUCCESS;
    }
    vm_throw(nt->vm, VM_FAULT_API,
             "NdisMDeregisterDevice: 0x%08x is not a handle from NdisMRegisterDevice", a[0]);
}

/* NDIS_STATUS NdisMQueryAdapterInstanceName(PNDIS_STRING AdapterInstanceName,
 *     NDIS_HANDLE MiniportAdapterHandle);
 * The name is allocated from the pool; the driver frees it with
 * NdisFreeString (NdisFreeMemory). The adapter's friendly name is its
 * service name here (there is no device manager description). */
NTAPI(NdisMQueryAdapterInstanceName)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    vm_guest(nt->vm, a[0], sizeof(GUnicodeString), "AdapterInstanceName");
    NdisAdapter *ad = ndis_adapter_from_handle(nt, a[1]);
    const char *name = ndis_adapter_service_name(ad);
    uint32_t len;
    uint8_t *w = nt_reg_utf16(name, strlen(name), 1, &len);
    if (!w)
        vm_throw(nt->vm, VM_FAULT_HOST, "out of host memory");
    GuestAddr buf = len <= 0xfffe ? nt_pool_alloc(nt, len, NDIS_LIB_TAG) : 0;
    if (!buf) {
        free(w);
        return NDIS_STATUS_RESOURCES;
    }
    memcpy(vm_guest(nt->vm, buf, len, "name"), w, len);
    free(w);
    GUnicodeString *us = vm_guest(nt->vm, a[0], sizeof *us, "AdapterInstanceName");
    us->Length = (uint16_t)(len - 2);
    us->MaximumLength = (uint16_t)len;
    us->Buffer = buf;
    return NDIS_STATUS_SUCCESS;
}

/* VOID NdisMRemoveMiniport(NDIS_HANDLE MiniportAdapterHandle); the driver
 * declares its adapter failed and asks to be halted and removed. */
NTAPI(NdisMRemoveMiniport)
{
    vm_throw(
        nt->vm, VM_FAULT_UNIMPLEMENTED,
        "NdisMRemoveMiniport(0x%08x): the driver asked NDIS to remove its "
        "adapter (hardware failure it cannot recover from); xdrv does not model surprise removal",
        a[0]);
}

/* NDIS_STATUS NdisMSetMiniportSecondary(NDIS_HANDLE MiniportHandle,
 *     NDIS_HANDLE PrimaryMiniportHandle); */
NTAPI(NdisMSetMiniportSecondary)
{
    vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
             "NdisMSetMiniportSecondary(0x%08x, 0x%08x): load-balancing "
             "(primary/secondary) miniports are not supported",
             a[0], a[1]);
}
