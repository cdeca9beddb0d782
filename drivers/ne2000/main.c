/* DriverEntry of the NE2000 NDIS 4.0 miniport: hands NDIS the miniport's
 * entry points in an NDIS40_MINIPORT_CHARACTERISTICS. A serialized
 * miniport with the single-packet MiniportSend (no MiniportSendPackets)
 * and lookahead receive indications completed by MiniportTransferData, the
 * classic programmed-I/O NIC design (README.md, "Design"). */
#include "ne2000.h"

XDRV_TEST_HOOKS_STORAGE

/* The only export: without one dllexport, ld would export every global. */
__declspec(dllexport) NTSTATUS NTAPI
    DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    NDIS_HANDLE wrapper = NULL;
    NDIS40_MINIPORT_CHARACTERISTICS chars;
    NDIS_STATUS status;

    NdisMInitializeWrapper(&wrapper, DriverObject, RegistryPath, NULL);
    if (wrapper == NULL)
        return NDIS_STATUS_FAILURE;

    NdisZeroMemory(&chars, sizeof chars);
    chars.MajorNdisVersion = 4;
    chars.MinorNdisVersion = 0;
    chars.CheckForHangHandler = ne_check_for_hang;
    chars.DisableInterruptHandler = ne_disable_interrupt;
    chars.EnableInterruptHandler = ne_enable_interrupt;
    chars.HaltHandler = ne_halt;
    chars.HandleInterruptHandler = ne_handle_interrupt;
    chars.InitializeHandler = ne_initialize;
    chars.ISRHandler = ne_isr;
    chars.QueryInformationHandler = ne_query_information;
    chars.ResetHandler = ne_reset;
    chars.SendHandler = ne_send;
    chars.SetInformationHandler = ne_set_information;
    chars.TransferDataHandler = ne_transfer_data;
    /* ReconfigureHandler, ReturnPacketHandler, SendPacketsHandler and
     * AllocateCompleteHandler stay NULL: no packet indications, no
     * multi-packet sends, no asynchronous shared memory. */

    status = NdisMRegisterMiniport(wrapper, (PNDIS_MINIPORT_CHARACTERISTICS)&chars, sizeof chars);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("ne2000: NdisMRegisterMiniport failed: %08lx\n", (ULONG)status);
        NdisTerminateWrapper(wrapper, NULL);
        return status;
    }
    return NDIS_STATUS_SUCCESS;
}
