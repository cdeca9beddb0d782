/* <ndis.h> for NDIS 5.1 miniport test drivers: Debian 12's mingw-w64
 * (10.0.0) ddk/ndis.h does not compile as shipped. Build with
 *   -DNDIS_MINIPORT_DRIVER -DNDIS51_MINIPORT=1
 * and include this instead of <ndis.h>. tests/guest/test_ndis_header.sh
 * compiles a probe with it, so an upgrade that fixes (or changes) the
 * shipped header shows up there.
 *
 * What is wrong in the shipped headers, and the fix for each:
 *
 * 0. The <ntddk.h> it includes fails for pre-Vista targets
 *    (NTDDI_VERSION/_WIN32_WINNT mismatch, undefined NTDDI_WINVISTA):
 *    repaired by drivers/include/sdkddkver.h, which shadows the system one.
 *
 * 1. enum _NDIS_REQUEST_TYPE (NDIS_REQUEST_TYPE, PNDIS_REQUEST_TYPE and the
 *    enumerators NdisRequestQueryInformation..NdisRequestGeneric4) is
 *    defined twice: by ntddndis.h (line ~203, unconditionally, as the
 *    user-mode SDK header does) and again by ddk/ndis.h (line ~783), which
 *    includes ntddndis.h first -> "redeclaration of enum _NDIS_REQUEST_TYPE".
 *    Fix: read ntddndis.h here first, with its copy of the tag, the two
 *    typedef names and the enumerators renamed by macros (suffix _ntddndis);
 *    its include guard then makes ndis.h's #include of it a no-op, so
 *    ndis.h's definition is the only one under the real names. Both
 *    definitions list the same enumerators in the same order (values 0..11),
 *    so nothing that ntddndis.h declares with the renamed type changes.
 *
 * 2. NDIS_PROTOCOL_ID_MAX and NDIS_PROTOCOL_ID_MASK are defined by both
 *    headers with different spellings of the same value (0x0f in ntddndis.h,
 *    0x0F in ndis.h): a macro redefinition, an error under -Werror.
 *    Fix: #undef them after ntddndis.h; ndis.h defines them again (0x0F).
 *
 * 3. The prototype of NdisMWanIndicateReceiveComplete (ndis.h line ~4426)
 *    lacks the comma between its two parameters:
 *        (IN NDIS_HANDLE MiniportAdapterHandle IN NDIS_HANDLE NdisLinkContext)
 *    -> "expected ';', ',' or ')' before 'NDIS_HANDLE'".
 *    Fix: while ndis.h is read, NdisMWanIndicateReceiveComplete is a
 *    function-like macro that replaces the broken parameter list with the
 *    documented one (learn.microsoft.com, NdisMWanIndicateReceiveComplete:
 *    NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE NdisLinkContext). A macro
 *    does not expand inside its own expansion, so the declaration keeps the
 *    real name; the macro is #undef'd afterwards, so calls are ordinary.
 *    ndis.h names the function in no other place.
 *
 * 4. The NdisMTransferDataComplete macro (ndis.h line ~5510) lacks the
 *    semicolon after the call inside its braces, so every use fails to
 *    compile ("expected ';' before '}'"). Fix: redefine it after ndis.h with
 *    the same call through the miniport block's TDCompleteHandler, made a
 *    statement (learn.microsoft.com, NdisMTransferDataComplete).
 *
 * 5. ddk/netpnp.h declares NDIS_DEVICE_PNP_EVENT with two enumerators,
 *    NdisDevicePnPEventSurpriseRemoved = 0 and ...PowerProfileChanged = 1
 *    (marked "FIXME"); the DDK's ndis.h has six, QueryRemoved 0, Removed 1,
 *    SurpriseRemoved 2, QueryStopped 3, Stopped 4, PowerProfileChanged 5
 *    (NDIS 5.1 DDK, MiniportPnPEventNotify; NDISwrapper's ndis.h lists the
 *    same order). A driver built with the shipped values mistakes a surprise
 *    removal (2) for nothing it knows. Fix: the shipped enumerators are
 *    renamed while the headers are read, and the DDK's values are constants
 *    of the same enum type afterwards (the type keeps the shipped name, so
 *    handler prototypes are unchanged). */
#ifndef XDRV_NDIS_FIXED_H
#define XDRV_NDIS_FIXED_H

#include <ntddk.h>

/* 1: ntddndis.h's duplicate NDIS_REQUEST_TYPE under other names. */
#define _NDIS_REQUEST_TYPE _NDIS_REQUEST_TYPE_ntddndis
#define NDIS_REQUEST_TYPE NDIS_REQUEST_TYPE_ntddndis
#define PNDIS_REQUEST_TYPE PNDIS_REQUEST_TYPE_ntddndis
#define NdisRequestQueryInformation NdisRequestQueryInformation_ntddndis
#define NdisRequestSetInformation NdisRequestSetInformation_ntddndis
#define NdisRequestQueryStatistics NdisRequestQueryStatistics_ntddndis
#define NdisRequestOpen NdisRequestOpen_ntddndis
#define NdisRequestClose NdisRequestClose_ntddndis
#define NdisRequestSend NdisRequestSend_ntddndis
#define NdisRequestTransferData NdisRequestTransferData_ntddndis
#define NdisRequestReset NdisRequestReset_ntddndis
#define NdisRequestGeneric1 NdisRequestGeneric1_ntddndis
#define NdisRequestGeneric2 NdisRequestGeneric2_ntddndis
#define NdisRequestGeneric3 NdisRequestGeneric3_ntddndis
#define NdisRequestGeneric4 NdisRequestGeneric4_ntddndis
#define NdisRequestMethod NdisRequestMethod_ntddndis
#include <ntddndis.h>
#undef _NDIS_REQUEST_TYPE
#undef NDIS_REQUEST_TYPE
#undef PNDIS_REQUEST_TYPE
#undef NdisRequestQueryInformation
#undef NdisRequestSetInformation
#undef NdisRequestQueryStatistics
#undef NdisRequestOpen
#undef NdisRequestClose
#undef NdisRequestSend
#undef NdisRequestTransferData
#undef NdisRequestReset
#undef NdisRequestGeneric1
#undef NdisRequestGeneric2
#undef NdisRequestGeneric3
#undef NdisRequestGeneric4
#undef NdisRequestMethod

/* 2: ndis.h defines these again, spelled 0x0F. */
#undef NDIS_PROTOCOL_ID_MAX
#undef NDIS_PROTOCOL_ID_MASK

/* 5: the shipped enumerators out of the way. */
#define NdisDevicePnPEventSurpriseRemoved NdisDevicePnPEventSurpriseRemoved_netpnp
#define NdisDevicePnPEventPowerProfileChanged NdisDevicePnPEventPowerProfileChanged_netpnp
#define NdisDevicePnPEventMaximum NdisDevicePnPEventMaximum_netpnp

/* 3: the missing comma. */
#define NdisMWanIndicateReceiveComplete(...) \
    NdisMWanIndicateReceiveComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE NdisLinkContext)
#include <ndis.h>
#undef NdisMWanIndicateReceiveComplete

/* 5: the DDK's values. */
#undef NdisDevicePnPEventSurpriseRemoved
#undef NdisDevicePnPEventPowerProfileChanged
#undef NdisDevicePnPEventMaximum
#define NdisDevicePnPEventQueryRemoved ((NDIS_DEVICE_PNP_EVENT)0)
#define NdisDevicePnPEventRemoved ((NDIS_DEVICE_PNP_EVENT)1)
#define NdisDevicePnPEventSurpriseRemoved ((NDIS_DEVICE_PNP_EVENT)2)
#define NdisDevicePnPEventQueryStopped ((NDIS_DEVICE_PNP_EVENT)3)
#define NdisDevicePnPEventStopped ((NDIS_DEVICE_PNP_EVENT)4)
#define NdisDevicePnPEventPowerProfileChanged ((NDIS_DEVICE_PNP_EVENT)5)
#define NdisDevicePnPEventMaximum ((NDIS_DEVICE_PNP_EVENT)6)

/* 4: the missing semicolon. */
#undef NdisMTransferDataComplete
#define NdisMTransferDataComplete(MiniportAdapterHandle, Packet, Status, BytesTransferred)     \
    ((*((PNDIS_MINIPORT_BLOCK)(MiniportAdapterHandle))->TDCompleteHandler)(                     \
        (MiniportAdapterHandle), (Packet), (Status), (BytesTransferred)))

#endif
