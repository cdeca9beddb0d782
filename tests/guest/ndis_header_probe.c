/* Compile-only probe for drivers/include/ndis_fixed.h (see that file for the
 * three defects in mingw-w64's ddk/ndis.h). Built to an object file by
 * tests/guest/test_ndis_header.sh; never linked or run (xdrv has no
 * ndis.sys yet, so a driver importing NDIS would not load). */
#include "ndis_fixed.h"

/* 1: one NDIS_REQUEST_TYPE, the kernel one, with the documented values. */
_Static_assert(NdisRequestQueryInformation == 0, "NdisRequestQueryInformation");
_Static_assert(NdisRequestGeneric4 == 11, "NdisRequestGeneric4");
_Static_assert(sizeof(NDIS_REQUEST_TYPE) == 4, "NDIS_REQUEST_TYPE size");

/* 2: the protocol-id macros survive with their value. */
_Static_assert(NDIS_PROTOCOL_ID_MAX == 0x0F && NDIS_PROTOCOL_ID_MASK == 0x0F, "protocol id");

/* NDIS51_MINIPORT selects the 5.1 characteristics. */
_Static_assert(NDIS_MINIPORT_MAJOR_VERSION == 5 && NDIS_MINIPORT_MINOR_VERSION == 1,
               "NDIS 5.1 miniport");
_Static_assert(sizeof(NDIS_MINIPORT_CHARACTERISTICS) == sizeof(NDIS51_MINIPORT_CHARACTERISTICS),
               "5.1 characteristics");

/* 3: the repaired prototype has two parameters; an incompatible pointer
 * type is an error under -Werror. */
VOID (NTAPI *const ndis_probe_wan_complete)(NDIS_HANDLE, NDIS_HANDLE) =
    NdisMWanIndicateReceiveComplete;

/* A use of ordinary NDIS types and calls, as a miniport would write them. */
NDIS_STATUS ndis_probe(NDIS_HANDLE adapter, PNDIS_PACKET packet)
{
    NDIS_MINIPORT_CHARACTERISTICS mc;
    NdisZeroMemory(&mc, sizeof mc);
    mc.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
    mc.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
    NdisMWanIndicateReceiveComplete(adapter, NULL);
    NdisMSendComplete(adapter, packet, NDIS_STATUS_SUCCESS);
    NdisMTransferDataComplete(adapter, packet, NDIS_STATUS_SUCCESS, 0); /* fix 4 */
    return mc.MajorNdisVersion == 5 ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}
