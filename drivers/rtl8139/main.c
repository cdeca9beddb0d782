/* DriverEntry of the RTL8139C(L) NDIS 5.1 miniport: hands NDIS the
 * miniport's entry points. A serialized miniport (no
 * NDIS_ATTRIBUTE_DESERIALIZE): NDIS queues sends and serializes the
 * miniport's functions, so the driver needs a lock only against its ISR
 * and around the free receive-packet list (README.md, "Design"). */
#include "rtl8139.h"

XDRV_TEST_HOOKS_STORAGE

/* The only export: without one dllexport, ld would export every global. */
__declspec(dllexport) NTSTATUS NTAPI
    DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_HANDLE wrapper = NULL;
    NDIS51_MINIPORT_CHARACTERISTICS chars;
    NDIS_STATUS status;

    NdisMInitializeWrapper(&wrapper, DriverObject, RegistryPath, NULL);
    if (wrapper == NULL)
        return NDIS_STATUS_FAILURE;

    NdisZeroMemory(&chars, sizeof chars);
    chars.MajorNdisVersion = 5;
    chars.MinorNdisVersion = 1;
    chars.CheckForHangHandler = rtl_check_for_hang;
    chars.DisableInterruptHandler = rtl_disable_interrupt;
    chars.EnableInterruptHandler = rtl_enable_interrupt;
    chars.HaltHandler = rtl_halt;
    chars.HandleInterruptHandler = rtl_handle_interrupt;
    chars.InitializeHandler = rtl_initialize;
    chars.ISRHandler = rtl_isr;
    chars.QueryInformationHandler = rtl_query_information;
    chars.ResetHandler = rtl_reset;
    chars.SetInformationHandler = rtl_set_information;
    /* Required with NdisMEthIndicateReceive (ReceiveIndication = 1). */
    chars.TransferDataHandler = rtl_transfer_data;
    chars.ReturnPacketHandler = rtl_return_packet;
    chars.SendPacketsHandler = rtl_send_packets;
    chars.PnPEventNotifyHandler = rtl_pnp_event;
    /* AdapterShutdownHandler stays NULL: MiniportInitialize registers the
     * handler per adapter with NdisMRegisterAdapterShutdownHandler. */

    status = NdisMRegisterMiniport(wrapper, (PNDIS_MINIPORT_CHARACTERISTICS)&chars, sizeof chars);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("rtl8139: NdisMRegisterMiniport failed: %08lx\n", (ULONG)status);
        NdisTerminateWrapper(wrapper, NULL);
        return status;
    }
    return NDIS_STATUS_SUCCESS;
}
