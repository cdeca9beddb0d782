/* Guest (x86) NDIS 5.x structures with explicit layouts. Offsets are those
 * of mingw-w64's ddk/ndis.h (with drivers/include/ndis_fixed.h), checked by
 * tests/unit/test_layout (tests/layout/fields.def). Only the fields xdrv
 * reads or writes are named; the rest is padding of the right size. */
#ifndef XDRV_NT_NDIS_STRUCTS_H
#define XDRV_NT_NDIS_STRUCTS_H

#include <stddef.h>
#include <stdint.h>

#include "nt/ntstructs.h"

#pragma pack(push, 4)

/* NDIS_MINIPORT_BLOCK: the MiniportAdapterHandle. ndis.h's NdisM* macros
 * call through the handler pointers below (e.g. NdisMEthIndicateReceive ->
 * EthRxIndicateHandler(EthDB, ...)), so they hold host thunks. */
typedef struct GNdisMiniportBlock {
    GPtr Signature;
    GPtr NextMiniport;
    GPtr DriverHandle;
    GPtr MiniportAdapterContext; /* 0x0c */
    uint8_t pad0[216 - 16];
    GPtr EthDB; /* 0xd8 */
    GPtr TrDB;
    GPtr FddiDB;
    GPtr ArcDB;
    GPtr PacketIndicateHandler; /* 0xe8 */
    GPtr SendCompleteHandler;   /* 0xec */
    GPtr SendResourcesHandler;  /* 0xf0 */
    GPtr ResetCompleteHandler;  /* 0xf4 */
    uint8_t pad1[356 - 248];
    GPtr EthRxIndicateHandler; /* 0x164 */
    GPtr TrRxIndicateHandler;
    GPtr FddiRxIndicateHandler;
    GPtr EthRxCompleteHandler; /* 0x170 */
    GPtr TrRxCompleteHandler;
    GPtr FddiRxCompleteHandler;
    GPtr StatusHandler;         /* 0x17c */
    GPtr StatusCompleteHandler; /* 0x180 */
    GPtr TDCompleteHandler;     /* 0x184 */
    GPtr QueryCompleteHandler;  /* 0x188 */
    GPtr SetCompleteHandler;    /* 0x18c */
    GPtr WanSendCompleteHandler;
    GPtr WanRcvHandler;
    GPtr WanRcvCompleteHandler;
    uint8_t pad2[416 - 412];
} GNdisMiniportBlock;
NT_LAYOUT(GNdisMiniportBlock, 416);

/* NDIS51_MINIPORT_CHARACTERISTICS; the 3.0/4.0/5.0 versions are prefixes of
 * it (sizes below). */
typedef struct GNdisMiniportCharacteristics {
    uint8_t MajorNdisVersion;
    uint8_t MinorNdisVersion;
    uint16_t pad0; /* ndis.h: alignment before Reserved */
    uint32_t Reserved;
    GPtr CheckForHangHandler; /* 8 */
    GPtr DisableInterruptHandler;
    GPtr EnableInterruptHandler;
    GPtr HaltHandler;
    GPtr HandleInterruptHandler;
    GPtr InitializeHandler;
    GPtr ISRHandler;
    GPtr QueryInformationHandler;
    GPtr ReconfigureHandler;
    GPtr ResetHandler;
    GPtr SendHandler; /* 48 */
    GPtr SetInformationHandler;
    GPtr TransferDataHandler; /* 56: end of NDIS 3.0 (60 bytes) */
    GPtr ReturnPacketHandler;
    GPtr SendPacketsHandler;
    GPtr AllocateCompleteHandler; /* 68: end of NDIS 4.0 (72 bytes) */
    GPtr CoCreateVcHandler;
    GPtr CoDeleteVcHandler;
    GPtr CoActivateVcHandler;
    GPtr CoDeactivateVcHandler;
    GPtr CoSendPacketsHandler;
    GPtr CoRequestHandler; /* 92: end of NDIS 5.0 (96 bytes) */
    GPtr CancelSendPacketsHandler;
    GPtr PnPEventNotifyHandler;
    GPtr AdapterShutdownHandler;
    GPtr Reserved1, Reserved2, Reserved3, Reserved4;
} GNdisMiniportCharacteristics;
NT_LAYOUT(GNdisMiniportCharacteristics, 124);
#define NDIS30_CHARACTERISTICS_SIZE 60u
#define NDIS40_CHARACTERISTICS_SIZE 72u
#define NDIS50_CHARACTERISTICS_SIZE 96u
#define NDIS51_CHARACTERISTICS_SIZE 124u
/* The older versions' sizes, as whole structs for the layout test. */
typedef struct GNdisMiniportCharacteristics30 {
    uint8_t pad[NDIS30_CHARACTERISTICS_SIZE];
} GNdisMiniportCharacteristics30;
typedef struct GNdisMiniportCharacteristics40 {
    uint8_t pad[NDIS40_CHARACTERISTICS_SIZE];
} GNdisMiniportCharacteristics40;
typedef struct GNdisMiniportCharacteristics50 {
    uint8_t pad[NDIS50_CHARACTERISTICS_SIZE];
} GNdisMiniportCharacteristics50;

/* NDIS_PACKET: Private, then reserved areas; the OOB block follows at
 * Private.NdisPacketOobOffset, the per-packet info (NDIS_PACKET_EXTENSION)
 * right after the OOB block (ndis.h NDIS_OOB_DATA_FROM_PACKET,
 * NDIS_PACKET_EXTENSION_FROM_PACKET). */
typedef struct GNdisPacketPrivate {
    uint32_t PhysicalCount;
    uint32_t TotalLength;
    GPtr Head; /* first NDIS_BUFFER (MDL) */
    GPtr Tail;
    GPtr Pool;
    uint32_t Count;
    uint32_t Flags;
    uint8_t ValidCounts;
    uint8_t NdisPacketFlags;
    uint16_t NdisPacketOobOffset;
} GNdisPacketPrivate;
NT_LAYOUT(GNdisPacketPrivate, 32);

typedef struct GNdisPacket {
    GNdisPacketPrivate Private;
    /* 32: a union in ndis.h with MiniportReservedEx[12] + WrapperReservedEx[4]
     * and MacReserved[16] over the same 16 bytes */
    uint8_t MiniportReserved[8]; /* 32 */
    uint8_t WrapperReserved[8];  /* 40 */
    uint32_t Reserved[2];        /* 48 */
    uint8_t ProtocolReserved[4]; /* 56, ProtocolReservedLength bytes (ndis.h: [1]) */
} GNdisPacket;
NT_LAYOUT(GNdisPacket, 60);

typedef struct GNdisPacketOobData {
    uint64_t TimeToSend; /* union with TimeSent */
    uint64_t TimeReceived;
    uint32_t HeaderSize;
    uint32_t SizeMediaSpecificInfo;
    GPtr MediaSpecificInformation;
    uint32_t Status;
} GNdisPacketOobData;
NT_LAYOUT(GNdisPacketOobData, 32);

#define NDIS_MAX_PER_PACKET_INFO 12 /* MaxPerPacketInfo (x86) */
#define NDIS_SG_LIST_PACKET_INFO 5  /* ScatterGatherListPacketInfo (NDIS_PER_PACKET_INFO) */
typedef struct GNdisPacketExtension {
    GPtr NdisPacketInfo[NDIS_MAX_PER_PACKET_INFO];
} GNdisPacketExtension;
NT_LAYOUT(GNdisPacketExtension, 48);

typedef struct GNdisMiniportTimer {
    GKTimer Timer;
    GKDpc Dpc;                  /* 40 */
    GPtr MiniportTimerFunction; /* 72 */
    GPtr MiniportTimerContext;
    GPtr Miniport;
    GPtr NextDeferredTimer;
} GNdisMiniportTimer;
NT_LAYOUT(GNdisMiniportTimer, 88);

typedef struct GNdisTimer {
    GKTimer Timer;
    GKDpc Dpc;
} GNdisTimer;
NT_LAYOUT(GNdisTimer, 72);

typedef struct GNdisMiniportInterrupt {
    GPtr InterruptObject;
    uint32_t DpcCountLock;
    GPtr Reserved;
    GPtr MiniportIsr;   /* 12 */
    GPtr MiniportDpc;   /* 16 */
    GKDpc InterruptDpc; /* 20 */
    GPtr Miniport;      /* 52 */
    uint8_t DpcCount;
    uint8_t Filler1;
    uint8_t pad[2];
    GKEvent DpcsCompletedEvent; /* 60 */
    uint8_t SharedInterrupt;    /* 76 */
    uint8_t IsrRequested;
    uint8_t pad2[2];
} GNdisMiniportInterrupt;
NT_LAYOUT(GNdisMiniportInterrupt, 80);

typedef struct GNdisSpinLock {
    uint32_t SpinLock;
    uint8_t OldIrql;
    uint8_t pad[3];
} GNdisSpinLock;
NT_LAYOUT(GNdisSpinLock, 8);

typedef struct GNdisEvent {
    GKEvent Event;
} GNdisEvent;
NT_LAYOUT(GNdisEvent, 16);

/* NDIS_CONFIGURATION_PARAMETER: ParameterType, then IntegerData or an
 * NDIS_STRING (UNICODE_STRING) or binary data. */
enum {
    NdisParameterInteger,
    NdisParameterHexInteger,
    NdisParameterString,
    NdisParameterMultiString,
    NdisParameterBinary
};
typedef struct GNdisConfigurationParameter {
    uint32_t ParameterType;
    union {
        uint32_t IntegerData;
        GUnicodeString StringData;
        struct {
            uint16_t Length;
            uint16_t pad;
            GPtr Buffer;
        } BinaryData;
    } ParameterData;
} GNdisConfigurationParameter;
NT_LAYOUT(GNdisConfigurationParameter, 12);

/* CM_PARTIAL_RESOURCE_DESCRIPTOR / CM_PARTIAL_RESOURCE_LIST (= NDIS_RESOURCE_LIST) */
enum { CmResourceTypePort = 1, CmResourceTypeInterrupt = 2, CmResourceTypeMemory = 3 };
typedef struct GCmPartialResourceDescriptor {
    uint8_t Type;
    uint8_t ShareDisposition;
    uint16_t Flags;
    union {
        struct {
            uint64_t Start;
            uint32_t Length;
        } Port, Memory;
        struct {
            uint32_t Level;
            uint32_t Vector;
            uint32_t Affinity;
        } Interrupt;
    } u;
} GCmPartialResourceDescriptor;
NT_LAYOUT(GCmPartialResourceDescriptor, 16);

typedef struct GCmPartialResourceList {
    uint16_t Version;
    uint16_t Revision;
    uint32_t Count;
    GCmPartialResourceDescriptor PartialDescriptors[1];
} GCmPartialResourceList;
NT_LAYOUT(GCmPartialResourceList, 24);

typedef struct GScatterGatherElement {
    uint64_t Address;
    uint32_t Length;
    uint32_t Reserved;
} GScatterGatherElement;
NT_LAYOUT(GScatterGatherElement, 16);

typedef struct GScatterGatherList {
    uint32_t NumberOfElements;
    uint32_t Reserved;
    GScatterGatherElement Elements[1];
} GScatterGatherList;
NT_LAYOUT(GScatterGatherList, 24);

typedef struct GNdisWorkItem {
    GPtr Context;
    GPtr Routine;
    uint8_t WrapperReserved[32];
} GNdisWorkItem;
NT_LAYOUT(GNdisWorkItem, 40);

/* NDIS_RW_LOCK: a spin lock for writers and a per-processor reader count
 * (NDIS_RW_LOCK_REFCOUNT, 16 bytes each, MAXIMUM_PROCESSORS = 32 on x86);
 * LOCK_STATE records how one acquisition went. */
#define NDIS_RW_MAX_PROCESSORS 32
typedef struct GNdisRwLock {
    uint32_t SpinLock;
    GPtr Context;
    uint8_t pad0[8];
    struct {
        uint32_t RefCount;
        uint8_t pad[12];
    } RefCount[NDIS_RW_MAX_PROCESSORS]; /* 16 */
} GNdisRwLock;
NT_LAYOUT(GNdisRwLock, 528);

typedef struct GLockState {
    uint16_t LockState;
    uint8_t OldIrql;
    uint8_t pad;
} GLockState;
NT_LAYOUT(GLockState, 4);

#pragma pack(pop)

#endif
