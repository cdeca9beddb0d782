/* NdisMInitializeWrapper / NdisMRegisterMiniport validation, a control
 * device (NdisMRegisterDevice) and the unload handler. The miniport's
 * handlers are never called: no adapter is started for this driver. */
#include "ndistest.h"

static NDIS_STATUS NTAPI mp_initialize(PNDIS_STATUS open_error, PUINT medium_index, PNDIS_MEDIUM media,
                                       UINT nmedia, NDIS_HANDLE adapter, NDIS_HANDLE config)
{
    return NDIS_STATUS_FAILURE;
}

static VOID NTAPI mp_halt(NDIS_HANDLE ctx) {}

static NDIS_STATUS NTAPI mp_query(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf, ULONG len, PULONG written,
                                  PULONG needed)
{
    return NDIS_STATUS_NOT_SUPPORTED;
}

static NDIS_STATUS NTAPI mp_set(NDIS_HANDLE ctx, NDIS_OID oid, PVOID buf, ULONG len, PULONG read,
                                PULONG needed)
{
    return NDIS_STATUS_NOT_SUPPORTED;
}

static NDIS_STATUS NTAPI mp_reset(PBOOLEAN addressing_reset, NDIS_HANDLE ctx)
{
    return NDIS_STATUS_SUCCESS;
}

static VOID NTAPI mp_send_packets(NDIS_HANDLE ctx, PPNDIS_PACKET packets, UINT n) {}

static NDIS_HANDLE device_handle;

/* The miniport's unload handler removes the control device, as a driver
 * that registered one must. */
static VOID NTAPI mp_unload(PDRIVER_OBJECT drv)
{
    DbgPrint("ndistest: unload handler called\n");
    if (device_handle)
        NdisMDeregisterDevice(device_handle);
}

static NTSTATUS NTAPI dev_dispatch(PDEVICE_OBJECT dev, PIRP irp)
{
    irp->IoStatus.Status = STATUS_SUCCESS;
    irp->IoStatus.Information = 0;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return STATUS_SUCCESS;
}

void case_register(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    NDIS_HANDLE wrapper = NULL;
    NDIS51_MINIPORT_CHARACTERISTICS c;
    NdisMInitializeWrapper(&wrapper, drv, path, NULL);
    NT_OK(wrapper != NULL);
    if (!wrapper)
        return;

    NdisZeroMemory(&c, sizeof c);
    c.MajorNdisVersion = 5;
    c.MinorNdisVersion = 2;
    NT_EQ(NdisMRegisterMiniport(wrapper, (PNDIS_MINIPORT_CHARACTERISTICS)&c, sizeof c),
          NDIS_STATUS_BAD_VERSION);
    c.MinorNdisVersion = 1;
    c.InitializeHandler = mp_initialize;
    c.HaltHandler = mp_halt;
    c.QueryInformationHandler = mp_query;
    c.SetInformationHandler = mp_set;
    c.ResetHandler = mp_reset;
    /* no send handler */
    NT_EQ(NdisMRegisterMiniport(wrapper, (PNDIS_MINIPORT_CHARACTERISTICS)&c, sizeof c),
          NDIS_STATUS_BAD_CHARACTERISTICS);
    c.SendPacketsHandler = mp_send_packets;
    /* 5.1 characteristics need all 124 bytes */
    NT_EQ(NdisMRegisterMiniport(wrapper, (PNDIS_MINIPORT_CHARACTERISTICS)&c, sizeof(NDIS50_MINIPORT_CHARACTERISTICS)),
          NDIS_STATUS_BAD_CHARACTERISTICS);
    /* 4.0 with its own length is fine */
    NT_EQ(sizeof(NDIS40_MINIPORT_CHARACTERISTICS), 72);
    NT_EQ(sizeof c, 124);
    NT_EQ(NdisMRegisterMiniport(wrapper, (PNDIS_MINIPORT_CHARACTERISTICS)&c, sizeof c), NDIS_STATUS_SUCCESS);
    NdisMRegisterUnloadHandler(wrapper, mp_unload);

    /* a control device and its symbolic link */
    NDIS_STRING name, link;
    PDRIVER_DISPATCH mj[IRP_MJ_MAXIMUM_FUNCTION + 1];
    PDEVICE_OBJECT dev = NULL;
    NDIS_HANDLE devh = NULL;
    NdisZeroMemory(mj, sizeof mj);
    mj[IRP_MJ_CREATE] = dev_dispatch;
    mj[IRP_MJ_CLOSE] = dev_dispatch;
    mj[IRP_MJ_CLEANUP] = dev_dispatch;
    NdisInitUnicodeString(&name, L"\\Device\\NdisTestLib");
    NdisInitUnicodeString(&link, L"\\DosDevices\\NdisTestLib");
    NT_EQ(NdisMRegisterDevice(wrapper, &name, &link, mj, &dev, &devh), NDIS_STATUS_SUCCESS);
    NT_OK(dev != NULL && devh != NULL);
    NT_OK(drv->MajorFunction[IRP_MJ_CREATE] == dev_dispatch);
    if (devh)
        NT_EQ(NdisMDeregisterDevice(devh), NDIS_STATUS_SUCCESS);
    NT_EQ(NdisMRegisterDevice(wrapper, &name, &link, mj, &dev, &devh), NDIS_STATUS_SUCCESS);
    /* left registered: tests/guest/test_ndis_lib.sh opens it */
    device_handle = devh;
}
