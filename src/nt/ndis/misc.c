/* NDIS miscellany: the error and event logs (written to the run's log, as
 * the Event Viewer would show them), the NDIS version, and device
 * properties xdrv does not model.
 * Facts: learn.microsoft.com NDIS 5.1 pages of each routine; the
 * NDIS_ERROR_CODE_* values are netevent.h's EVENT_NDIS_* (ReactOS
 * include/reactos/mc/netevent.mc), in ndis.h's order. */
#include <stdint.h>
#include <stdio.h>

#include "nt/ndis/ndis_lib.h"
#include "nt/ntoskrnl/registry.h"

#define NDIS_MAX_ERROR_VALUES 32u

static const char *const error_names[] = {
    "RESOURCE_CONFLICT",
    "OUT_OF_RESOURCES",
    "HARDWARE_FAILURE",
    "ADAPTER_NOT_FOUND",
    "INTERRUPT_CONNECT",
    "DRIVER_FAILURE",
    "BAD_VERSION",
    "TIMEOUT",
    "NETWORK_ADDRESS",
    "UNSUPPORTED_CONFIGURATION",
    "INVALID_VALUE_FROM_ADAPTER",
    "MISSING_CONFIGURATION_PARAMETER",
    "BAD_IO_BASE_ADDRESS",
    "RECEIVE_SPACE_SMALL",
    "ADAPTER_DISABLED",
};
#define EVENT_NDIS_FIRST 0x1388u /* EVENT_NDIS_RESOURCE_CONFLICT's code */

static const char *error_name(uint32_t code)
{
    uint32_t i = (code & 0xffffu) - EVENT_NDIS_FIRST;
    if ((code & 0x0fff0000u) || i >= sizeof error_names / sizeof error_names[0])
        return "unknown";
    return error_names[i];
}

/* VOID NdisWriteErrorLogEntry(NDIS_HANDLE NdisAdapterHandle,
 *     NDIS_ERROR_CODE ErrorCode, ULONG NumberOfErrorValues, ...);
 * C varargs: the caller pops (STDCALL 0 in the table: nothing popped), so
 * the arguments are read from the stack. */
NTAPI(NdisWriteErrorLogEntry)
{
    uint32_t adapter = vm_stack_arg(nt->vm, 0);
    uint32_t code = vm_stack_arg(nt->vm, 1);
    uint32_t n = vm_stack_arg(nt->vm, 2);
    char buf[64 + NDIS_MAX_ERROR_VALUES * 12];
    size_t o = 0;
    uint32_t shown = n > NDIS_MAX_ERROR_VALUES ? NDIS_MAX_ERROR_VALUES : n;
    for (uint32_t i = 0; i < shown; i++)
        o += (size_t)snprintf(buf + o, sizeof buf - o, " 0x%x", vm_stack_arg(nt->vm, 3 + i));
    if (shown < n)
        snprintf(buf + o, sizeof buf - o, " ...");
    else if (!n)
        snprintf(buf, sizeof buf, " (none)");
    nt_log(nt, "NDIS error log: adapter 0x%08x: NDIS_ERROR_CODE_%s (0x%08x), %u value(s):%s\n",
           adapter, error_name(code), code, n, buf);
    return 0;
}

/* NDIS_STATUS NdisWriteEventLogEntry(PVOID LogHandle, NDIS_STATUS EventCode,
 *     ULONG UniqueEventValue, USHORT NumStrings, PVOID StringsList,
 *     ULONG DataSize, PVOID Data);
 * StringsList: NumStrings NUL-terminated wide strings back to back. */
NTAPI(NdisWriteEventLogEntry)
{
    uint32_t nstr = a[3] & 0xffff;
    nt_log(nt,
           "NDIS event log: handle 0x%08x: event 0x%08x, unique value 0x%x, %u string(s), %u data "
           "bytes\n",
           a[0], a[1], a[2], nstr, a[5]);
    GuestAddr s = a[4];
    for (uint32_t i = 0; i < nstr && i < 16; i++) {
        uint32_t units = vm_wcslen(nt->vm, s, 512);
        const uint8_t *w = units ? vm_guest(nt->vm, s, units * 2, "StringsList") : NULL;
        char text[512 * 3 + 1] = "";
        if (units)
            nt_reg_utf8(w, units, text, sizeof text);
        nt_log(nt, "NDIS event log:   string %u: %s\n", i, text);
        s += (units + 1) * 2;
    }
    if (a[5])
        vm_guest(nt->vm, a[6], a[5], "Data");
    return NDIS_STATUS_SUCCESS;
}

/* UINT NdisGetVersion(VOID); major in the high word. */
NTAPI(NdisGetVersion)
{
    return 0x00050001u;
}

/* VOID NdisMGetDeviceProperty(NDIS_HANDLE MiniportAdapterHandle,
 *     PDEVICE_OBJECT *PhysicalDeviceObject, PDEVICE_OBJECT *FunctionalDeviceObject,
 *     PDEVICE_OBJECT *NextDeviceObject, PCM_RESOURCE_LIST *AllocatedResources,
 *     PCM_RESOURCE_LIST *AllocatedResourcesTranslated); */
NTAPI(NdisMGetDeviceProperty)
{
    vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
             "NdisMGetDeviceProperty(0x%08x): xdrv hosts the miniport without a "
             "Plug and Play device stack (no PDO/FDO to return)",
             a[0]);
}
