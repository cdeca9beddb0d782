/* DriverEntry of the Intel 82540EM (PRO/1000) NDIS 5.1 miniport: hands
 * NDIS the miniport's entry points. A deserialized miniport
 * (NDIS_ATTRIBUTE_DESERIALIZE, set in MiniportInitialize): it queues its
 * own sends and locks its own state (README.md, "Design"). */
#include "e1000.h"

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
    chars.CheckForHangHandler = e1k_check_for_hang;
    chars.DisableInterruptHandler = e1k_disable_interrupt;
    chars.EnableInterruptHandler = e1k_enable_interrupt;
    chars.HaltHandler = e1k_halt;
    chars.HandleInterruptHandler = e1k_handle_interrupt;
    chars.InitializeHandler = e1k_initialize;
    chars.ISRHandler = e1k_isr;
    chars.QueryInformationHandler = e1k_query_information;
    chars.ResetHandler = e1k_reset;
    chars.SetInformationHandler = e1k_set_information;
    /* No TransferDataHandler: every receive goes up as a packet
     * (NdisMIndicateReceivePacket), never as lookahead. */
    chars.ReturnPacketHandler = e1k_return_packet;
    chars.SendPacketsHandler = e1k_send_packets;
    chars.PnPEventNotifyHandler = e1k_pnp_event;
    /* AdapterShutdownHandler stays NULL: MiniportInitialize registers the
     * handler per adapter with NdisMRegisterAdapterShutdownHandler. */

    status = NdisMRegisterMiniport(wrapper, (PNDIS_MINIPORT_CHARACTERISTICS)&chars, sizeof chars);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("e1000: NdisMRegisterMiniport failed: %08lx\n", (ULONG)status);
        NdisTerminateWrapper(wrapper, NULL);
        return status;
    }
    return NDIS_STATUS_SUCCESS;
}
