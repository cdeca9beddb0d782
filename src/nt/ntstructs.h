/* Guest (32-bit x86 Windows) kernel structures with explicit layouts.
 * Every struct here is checked field by field against the mingw-w64 DDK
 * headers by tests/unit/test_layout (a probe compiled with
 * i686-w64-mingw32-gcc). Host code reaches guest objects through
 * vm_guest()/vm_ptr() and these types; guest pointers are GuestAddr (u32).
 * Facts: mingw-w64 ddk/wdm.h, ddk/ntddk.h; ReactOS ndk/i386/ketypes.h. */
#ifndef XDRV_NTSTRUCTS_H
#define XDRV_NTSTRUCTS_H

#include <stddef.h> /* offsetof, used with these types by every includer */
#include <stdint.h>

#define NT_LAYOUT(type, size) _Static_assert(sizeof(type) == (size), #type " size")

typedef uint32_t GPtr; /* a guest pointer inside a guest structure */

#pragma pack(push, 4)

/* ------------------------------------------------------------ basic types */
typedef struct GListEntry {
    GPtr Flink;
    GPtr Blink;
} GListEntry;
NT_LAYOUT(GListEntry, 8);

typedef struct GSingleListEntry {
    GPtr Next;
} GSingleListEntry;
NT_LAYOUT(GSingleListEntry, 4);

typedef struct GSListHeader { /* SLIST_HEADER (x86) */
    GPtr Next;
    uint16_t Depth;
    uint16_t Sequence;
} GSListHeader;
NT_LAYOUT(GSListHeader, 8);

typedef struct GUnicodeString {
    uint16_t Length;
    uint16_t MaximumLength;
    GPtr Buffer;
} GUnicodeString;
NT_LAYOUT(GUnicodeString, 8);

typedef GUnicodeString GAnsiString; /* same shape, CHAR buffer */

typedef struct GIoStatusBlock {
    uint32_t Status;
    uint32_t Information;
} GIoStatusBlock;
NT_LAYOUT(GIoStatusBlock, 8);

/* ------------------------------------------------------- dispatcher objects */
typedef struct GDispatcherHeader {
    uint8_t Type;
    uint8_t Absolute;
    uint8_t Size;
    uint8_t Inserted;
    int32_t SignalState;
    GListEntry WaitListHead;
} GDispatcherHeader;
NT_LAYOUT(GDispatcherHeader, 16);

/* DISPATCHER_HEADER.Type values (ReactOS ketypes.h KOBJECTS) */
enum {
    KOBJ_EVENT_NOTIFICATION = 0,
    KOBJ_EVENT_SYNCHRONIZATION = 1,
    KOBJ_MUTANT = 2,
    KOBJ_PROCESS = 3,
    KOBJ_QUEUE = 4,
    KOBJ_SEMAPHORE = 5,
    KOBJ_THREAD = 6,
    KOBJ_TIMER_NOTIFICATION = 8,
    KOBJ_TIMER_SYNCHRONIZATION = 9,
};

typedef struct GKEvent {
    GDispatcherHeader Header;
} GKEvent;
NT_LAYOUT(GKEvent, 16);

typedef struct GKMutex {
    GDispatcherHeader Header;
    GListEntry MutantListEntry;
    GPtr OwnerThread;
    uint8_t Abandoned;
    uint8_t ApcDisable;
    uint8_t pad[2];
} GKMutex;
NT_LAYOUT(GKMutex, 0x20);

typedef struct GKSemaphore {
    GDispatcherHeader Header;
    int32_t Limit;
} GKSemaphore;
NT_LAYOUT(GKSemaphore, 0x14);

typedef struct GKDpc {
    uint8_t Type;
    uint8_t Importance;
    uint16_t Number;
    GListEntry DpcListEntry;
    GPtr DeferredRoutine;
    GPtr DeferredContext;
    GPtr SystemArgument1;
    GPtr SystemArgument2;
    GPtr DpcData;
} GKDpc;
NT_LAYOUT(GKDpc, 0x20);

typedef struct GKTimer {
    GDispatcherHeader Header;
    uint64_t DueTime;
    GListEntry TimerListEntry;
    GPtr Dpc;
    int32_t Period;
} GKTimer;
NT_LAYOUT(GKTimer, 0x28);

/* ---------------------------------------------------------------- KPCR */
typedef struct GKPrcb {
    uint16_t MinorVersion;
    uint16_t MajorVersion;
    GPtr CurrentThread;
    GPtr NextThread;
    GPtr IdleThread;
} GKPrcb;

typedef struct GKPcr {
    GPtr ExceptionList; /* NT_TIB */
    GPtr StackBase;
    GPtr StackLimit;
    GPtr SubSystemTib;
    GPtr FiberData;
    GPtr ArbitraryUserPointer;
    GPtr Self;
    GPtr SelfPcr; /* 0x1c */
    GPtr Prcb;    /* 0x20 */
    uint8_t Irql; /* 0x24 */
    uint8_t pad0[3];
    uint32_t IRR; /* 0x28 */
    uint32_t IrrActive;
    uint32_t IDR;
    GPtr KdVersionBlock;
    GPtr IDT; /* 0x38 */
    GPtr GDT;
    GPtr TSS;              /* 0x40 */
    uint16_t MajorVersion; /* 0x44 */
    uint16_t MinorVersion;
    uint32_t SetMember; /* 0x48 */
    uint32_t StallScaleFactor;
    uint8_t SpareUnused; /* 0x50 */
    uint8_t Number;      /* 0x51 */
    uint8_t pad1[0x120 - 0x52];
    GKPrcb PrcbData; /* 0x120; CurrentThread at 0x124 */
} GKPcr;

/* -------------------------------------------------------------- I/O manager */
#define IRP_MJ_CREATE 0x00
#define IRP_MJ_CLOSE 0x02
#define IRP_MJ_READ 0x03
#define IRP_MJ_WRITE 0x04
#define IRP_MJ_DEVICE_CONTROL 0x0e
#define IRP_MJ_INTERNAL_DEVICE_CONTROL 0x0f
#define IRP_MJ_SHUTDOWN 0x10
#define IRP_MJ_CLEANUP 0x12
#define IRP_MJ_PNP 0x1b
#define IRP_MJ_MAXIMUM_FUNCTION 0x1b

typedef struct GDriverExtension {
    GPtr DriverObject;
    GPtr AddDevice;
    uint32_t Count;
    GUnicodeString ServiceKeyName;
} GDriverExtension;
NT_LAYOUT(GDriverExtension, 0x14);

typedef struct GDriverObject {
    int16_t Type;
    int16_t Size;
    GPtr DeviceObject;
    uint32_t Flags;
    GPtr DriverStart;
    uint32_t DriverSize;
    GPtr DriverSection;
    GPtr DriverExtension;
    GUnicodeString DriverName;
    GPtr HardwareDatabase;
    GPtr FastIoDispatch;
    GPtr DriverInit;
    GPtr DriverStartIo;
    GPtr DriverUnload;
    GPtr MajorFunction[IRP_MJ_MAXIMUM_FUNCTION + 1];
} GDriverObject;
NT_LAYOUT(GDriverObject, 0xa8);

typedef struct GKDeviceQueue {
    int16_t Type;
    int16_t Size;
    GListEntry DeviceListHead;
    uint32_t Lock;
    uint8_t Busy;
    uint8_t pad[3];
} GKDeviceQueue;
NT_LAYOUT(GKDeviceQueue, 0x14);

typedef struct GDeviceObject {
    int16_t Type;
    uint16_t Size;
    int32_t ReferenceCount;
    GPtr DriverObject;
    GPtr NextDevice;
    GPtr AttachedDevice;
    GPtr CurrentIrp;
    GPtr Timer;
    uint32_t Flags;
    uint32_t Characteristics;
    GPtr Vpb;
    GPtr DeviceExtension;
    uint32_t DeviceType;
    int8_t StackSize;
    uint8_t pad0[3];
    uint8_t Queue[0x28]; /* union { LIST_ENTRY; WAIT_CONTEXT_BLOCK } */
    uint32_t AlignmentRequirement;
    GKDeviceQueue DeviceQueue;
    GKDpc Dpc;
    uint32_t ActiveThreadCount;
    GPtr SecurityDescriptor;
    GKEvent DeviceLock;
    uint16_t SectorSize;
    uint16_t Spare1;
    GPtr DeviceObjectExtension;
    GPtr Reserved;
} GDeviceObject;
NT_LAYOUT(GDeviceObject, 0xb8);

typedef struct GIoStackLocation {
    uint8_t MajorFunction;
    uint8_t MinorFunction;
    uint8_t Flags;
    uint8_t Control;
    union {
        struct {
            uint32_t Length;
            uint32_t Key;
            uint64_t ByteOffset;
        } Read, Write;
        struct {
            uint32_t OutputBufferLength;
            uint32_t InputBufferLength;
            uint32_t IoControlCode;
            GPtr Type3InputBuffer;
        } DeviceIoControl;
        struct {
            GPtr SecurityContext;
            uint32_t Options;
            uint16_t FileAttributes;
            uint16_t ShareAccess;
            uint32_t EaLength;
        } Create;
        uint32_t Others[4];
    } Parameters;
    GPtr DeviceObject;
    GPtr FileObject;
    GPtr CompletionRoutine;
    GPtr Context;
} GIoStackLocation;
NT_LAYOUT(GIoStackLocation, 0x24);

typedef struct GIrp {
    int16_t Type;
    uint16_t Size;
    GPtr MdlAddress;
    uint32_t Flags;
    GPtr AssociatedIrp; /* SystemBuffer */
    GListEntry ThreadListEntry;
    GIoStatusBlock IoStatus;
    int8_t RequestorMode;
    uint8_t PendingReturned;
    int8_t StackCount;
    int8_t CurrentLocation;
    uint8_t Cancel;
    uint8_t CancelIrql;
    int8_t ApcEnvironment;
    uint8_t AllocationFlags;
    GPtr UserIosb;
    GPtr UserEvent;
    uint64_t Overlay; /* AsynchronousParameters / AllocationSize */
    GPtr CancelRoutine;
    GPtr UserBuffer;
    /* Tail.Overlay */
    GPtr DriverContext[4];
    GPtr Thread;
    GPtr AuxiliaryBuffer;
    GListEntry ListEntry;
    GPtr CurrentStackLocation;
    GPtr OriginalFileObject;
    uint8_t TailPad[0x70 - 0x68];
} GIrp;
NT_LAYOUT(GIrp, 0x70);

typedef struct GMdl {
    GPtr Next;
    int16_t Size;
    int16_t MdlFlags;
    GPtr Process;
    GPtr MappedSystemVa;
    GPtr StartVa;
    uint32_t ByteCount;
    uint32_t ByteOffset;
} GMdl;
NT_LAYOUT(GMdl, 0x1c);

#pragma pack(pop)

#endif
