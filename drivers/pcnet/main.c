/* DriverEntry of the Am79C970A (PCnet-PCI II) NDIS 5.1 miniport: hands NDIS
 * the miniport's entry points. A deserialized miniport
 * (NDIS_ATTRIBUTE_DESERIALIZE, set in MiniportInitialize): it queues its
 * own sends and locks its own state (README.md, "Design"). */
#include "pcnet.h"

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
    chars.CheckForHangHandler = pcn_check_for_hang;
    chars.DisableInterruptHandler = pcn_disable_interrupt;
    chars.EnableInterruptHandler = pcn_enable_interrupt;
    chars.HaltHandler = pcn_halt;
    chars.HandleInterruptHandler = pcn_handle_interrupt;
    chars.InitializeHandler = pcn_initialize;
    chars.ISRHandler = pcn_isr;
    chars.QueryInformationHandler = pcn_query_information;
    chars.ResetHandler = pcn_reset;
    chars.SetInformationHandler = pcn_set_information;
    /* No TransferDataHandler: every receive goes up as a packet
     * (NdisMIndicateReceivePacket), never as lookahead. */
    chars.ReturnPacketHandler = pcn_return_packet;
    chars.SendPacketsHandler = pcn_send_packets;
    chars.PnPEventNotifyHandler = pcn_pnp_event;
    /* AdapterShutdownHandler stays NULL: MiniportInitialize registers the
     * handler per adapter with NdisMRegisterAdapterShutdownHandler. */

    status = NdisMRegisterMiniport(wrapper, (PNDIS_MINIPORT_CHARACTERISTICS)&chars, sizeof chars);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("pcnet: NdisMRegisterMiniport failed: %08lx\n", (ULONG)status);
        NdisTerminateWrapper(wrapper, NULL);
        return status;
    }
    return NDIS_STATUS_SUCCESS;
}
