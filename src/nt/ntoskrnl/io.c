/* The I/O manager: driver and device objects, symbolic links, IRPs (build,
 * call, complete with completion routines), MDL allocation, error-log
 * entries, work items; and the host side of io.h that loads a driver and
 * sends it the requests user-mode CreateFile/ReadFile/WriteFile/
 * DeviceIoControl/CloseHandle would.
 *
 * Facts: learn.microsoft.com pages for each export and "Buffer Descriptions
 * for I/O Control Codes", "Using Buffered I/O", "Using Direct I/O",
 * "Completing IRPs"; structure layouts from wdm.h (ntstructs.h); the order
 * of work in IofCompleteRequest as ReactOS ntoskrnl/io/iomgr/irp.c does it.
 *
 * Choices:
 *  - A NULL MajorFunction slot means IopInvalidDeviceRequest: the request
 *    completes with STATUS_INVALID_DEVICE_REQUEST. DriverEntry gets the
 *    slots zeroed.
 *  - Host requests come from kernel mode (RequestorMode KernelMode): their
 *    buffers live in the kernel pool, so a ProbeForRead on them from a
 *    METHOD_NEITHER handler would otherwise fail.
 *  - IRPs built by IoBuildDeviceIoControlRequest/IoBuildSynchronousFsdRequest
 *    are freed by the final completion, like the APC Windows queues; the
 *    free happens once control is back at the outermost IoCallDriver (or at
 *    once when completion happens outside one), so a driver reading the IRP
 *    right after IoCompleteRequest still sees it. */
#include "nt/ntoskrnl/io.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nt/ntoskrnl/dbg.h"
#include "nt/ntoskrnl/ke.h"
#include "nt/ntoskrnl/mm.h"
#include "nt/ntoskrnl/registry.h"
#include "nt/ntstructs.h"
#include "trace/trace.h"

/* Object types (ReactOS ndk/iotypes.h IO_TYPE_*). */
#define IO_TYPE_DEVICE 3
#define IO_TYPE_DRIVER 4
#define IO_TYPE_FILE 5
#define IO_TYPE_IRP 6
#define IO_TYPE_DEVICE_QUEUE 0x14
#define IO_TYPE_DEVICE_OBJECT_EXTENSION 0x0d

/* DEVICE_OBJECT.Flags (wdm.h) */
#define DO_BUFFERED_IO 0x00000004u
#define DO_EXCLUSIVE 0x00000008u
#define DO_DIRECT_IO 0x00000010u
#define DO_DEVICE_INITIALIZING 0x00000080u

/* IRP.Flags (wdm.h) */
#define IRP_SYNCHRONOUS_API 0x0004u
#define IRP_BUFFERED_IO 0x0010u
#define IRP_DEALLOCATE_BUFFER 0x0020u
#define IRP_INPUT_OPERATION 0x0040u
#define IRP_CREATE_OPERATION 0x0080u
#define IRP_READ_OPERATION 0x0100u
#define IRP_WRITE_OPERATION 0x0200u
#define IRP_CLOSE_OPERATION 0x0400u

/* IO_STACK_LOCATION.Control (wdm.h) */
#define SL_PENDING_RETURNED 0x01u
#define SL_ERROR_RETURNED 0x02u
#define SL_INVOKE_ON_CANCEL 0x20u
#define SL_INVOKE_ON_SUCCESS 0x40u
#define SL_INVOKE_ON_ERROR 0x80u

#define METHOD_BUFFERED 0
#define METHOD_IN_DIRECT 1
#define METHOD_OUT_DIRECT 2
#define METHOD_NEITHER 3

#define STATUS_MORE_PROCESSING_REQUIRED 0xC0000016u
#define STATUS_DELETE_PENDING 0xC0000056u
#define STATUS_OBJECT_PATH_SYNTAX_BAD 0xC000003Bu
#define NT_ERROR(s) ((uint32_t)(s) >= 0xC0000000u)
#define NT_SUCCESS(s) ((int32_t)(s) >= 0)

#define IRP_SIZE ((uint32_t)sizeof(GIrp))
#define SL_SIZE ((uint32_t)sizeof(GIoStackLocation))
#define FILE_OBJECT_SIZE 0x80u /* sizeof(FILE_OBJECT), mingw-w64 wdm.h */
#define FO_DEVICE_OBJECT 0x04u
#define FO_FLAGS 0x2cu
#define FO_CURRENT_BYTE_OFFSET 0x38u
#define FO_EVENT 0x5cu
#define FO_SYNCHRONOUS_IO 0x00000002u
#define DEVOBJ_EXT_SIZE 0x40u /* DEVOBJ_EXTENSION (XP: 0x2c), zero-padded */
#define DEVOBJ_EXT_ATTACHED_TO 0x18u
#define ERROR_LOG_PACKET_SIZE 0x30u /* sizeof(IO_ERROR_LOG_PACKET) */
#define ERROR_LOG_MAXIMUM_SIZE 0x98u
#define WORK_ITEM_SIZE 0x20u

#define TAG_IRP 0x20707249u  /* 'Irp ' */
#define TAG_DEV 0x20766544u  /* 'Dev ' */
#define TAG_FILE 0x656c6946u /* 'File' */
#define TAG_ERR 0x72456f49u  /* 'IoEr' */
#define TAG_WORK 0x6b576f49u /* 'IoWk' */
#define TAG_BUF 0x66754249u  /* 'IBuf' */

enum { KernelMode = 0 };
enum { IRP_HOST = 1, IRP_IOMGR = 2, IRP_DRIVER = 3 };

#define NAME_LEN 256
#define MAX_DRIVERS 8
#define MAX_FILES 64

typedef struct Device {
    GuestAddr addr;
    GuestAddr driver;
    uint32_t ext_size;
    char name[NAME_LEN]; /* "" when unnamed */
} Device;

typedef struct Symlink {
    char link[NAME_LEN]; /* canonical: "\??\X" */
    char target[NAME_LEN];
} Symlink;

typedef struct IrpRec {
    GuestAddr irp;
    int kind;
    int completed;
    int orphan;        /* host request gave up waiting: free on completion */
    uint32_t outlen;   /* IOMGR: bytes UserBuffer can take */
    GuestAddr bufs[4]; /* HOST: guest buffers to free with the IRP */
    GuestAddr mdl;     /* HOST: the MDL we built */
} IrpRec;

typedef struct Driver {
    GuestAddr obj;     /* DRIVER_OBJECT + DRIVER_EXTENSION */
    GuestAddr strings; /* names and the registry path */
    GuestAddr regpath; /* PUNICODE_STRING */
    char service[128];
    char image[64];
    int loaded;
} Driver;

typedef struct OpenFile {
    GuestAddr fo;  /* FILE_OBJECT */
    GuestAddr dev; /* the device it was opened on */
} OpenFile;

typedef struct WorkRec {
    GuestAddr item;
    int queued;
} WorkRec;

typedef struct NtIo {
    NtDbgLine dbg;
    Device *dev;
    unsigned ndev, capdev;
    Symlink *links;
    unsigned nlinks, caplinks;
    IrpRec *irps;
    unsigned nirps, capirps;
    GuestAddr *defer;
    unsigned ndefer, capdefer;
    GuestAddr *errlog;
    unsigned nerrlog, caperrlog;
    WorkRec *work;
    unsigned nwork, capwork;
    Driver drivers[MAX_DRIVERS];
    unsigned ndrivers;
    OpenFile files[MAX_FILES];
    unsigned call_depth;
    GuestAddr cancel_lock; /* the system-wide cancel spin lock (a KSPIN_LOCK) */
} NtIo;

static const char *const major_names[IRP_MJ_MAXIMUM_FUNCTION + 1] = {
    "IRP_MJ_CREATE",
    "IRP_MJ_CREATE_NAMED_PIPE",
    "IRP_MJ_CLOSE",
    "IRP_MJ_READ",
    "IRP_MJ_WRITE",
    "IRP_MJ_QUERY_INFORMATION",
    "IRP_MJ_SET_INFORMATION",
    "IRP_MJ_QUERY_EA",
    "IRP_MJ_SET_EA",
    "IRP_MJ_FLUSH_BUFFERS",
    "IRP_MJ_QUERY_VOLUME_INFORMATION",
    "IRP_MJ_SET_VOLUME_INFORMATION",
    "IRP_MJ_DIRECTORY_CONTROL",
    "IRP_MJ_FILE_SYSTEM_CONTROL",
    "IRP_MJ_DEVICE_CONTROL",
    "IRP_MJ_INTERNAL_DEVICE_CONTROL",
    "IRP_MJ_SHUTDOWN",
    "IRP_MJ_LOCK_CONTROL",
    "IRP_MJ_CLEANUP",
    "IRP_MJ_CREATE_MAILSLOT",
    "IRP_MJ_QUERY_SECURITY",
    "IRP_MJ_SET_SECURITY",
    "IRP_MJ_POWER",
    "IRP_MJ_SYSTEM_CONTROL",
    "IRP_MJ_DEVICE_CHANGE",
    "IRP_MJ_QUERY_QUOTA",
    "IRP_MJ_SET_QUOTA",
    "IRP_MJ_PNP",
};

/* ------------------------------------------------------------ helpers */

static int grow(void **p, unsigned *cap, unsigned need, size_t elem)
{
    if (need <= *cap)
        return 0;
    unsigned n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, (size_t)n * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static int in_handler(Nt *nt)
{
    return vm_current_api(nt->vm)[0] != 0;
}

/* Stop the run: unwinds when called from a handler; from host code it
 * records the fault and returns (the caller checks vm_stopped). */
static void io_fail(Nt *nt, VmFaultKind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void io_fail(Nt *nt, VmFaultKind kind, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (in_handler(nt))
        vm_throw(nt->vm, kind, "%s", buf);
    vm_fault(nt->vm, kind, "%s", buf);
}

static void bugcheck(Nt *nt, uint32_t code, uint32_t p1, uint32_t p2, uint32_t p3, uint32_t p4)
{
    nt_dbg_flush(nt);
    io_fail(nt, VM_FAULT_BUGCHECK,
            "KeBugCheckEx(0x%08X %s, 0x%08x, 0x%08x, 0x%08x, 0x%08x) raised by %s", code,
            nt_bugcheck_name(code), p1, p2, p3, p4,
            in_handler(nt) ? vm_current_api(nt->vm) : "the I/O manager");
}

NtDbgLine *nt_io_dbg_line(Nt *nt)
{
    return nt->io ? &nt->io->dbg : NULL;
}

/* UNICODE_STRING -> UTF-8 host text; -1 for a bad string (host context:
 * the fault is recorded). */
static int ustr(Nt *nt, GuestAddr pus, char *out, size_t cap, const char *what)
{
    const GUnicodeString *us = vm_guest(nt->vm, pus, sizeof *us, what);
    if (!us)
        return -1;
    uint16_t len = us->Length & ~1u;
    if (!len) {
        out[0] = 0;
        return 0;
    }
    const uint8_t *p = vm_guest(nt->vm, us->Buffer, len, what);
    if (!p)
        return -1;
    nt_reg_utf8(p, len / 2u, out, cap);
    return 0;
}

/* A UNICODE_STRING and its buffer written at `at` (8 + 2*n+2 bytes). */
static void put_ustr(Nt *nt, GuestAddr at, const char *s)
{
    uint32_t len;
    uint8_t *w = nt_reg_utf16(s, strlen(s), 1, &len);
    GUnicodeString *us = vm_ptr(nt->vm, at, 8 + len);
    if (!w || !us) {
        free(w);
        return;
    }
    us->Length = (uint16_t)(len - 2);
    us->MaximumLength = (uint16_t)len;
    us->Buffer = at + 8;
    memcpy((uint8_t *)us + 8, w, len);
    free(w);
}

/* "\DosDevices\X", "\GLOBAL??\X", "\??\X" -> "\??\X"; "\\.\X" too. */
static void canon_name(const char *in, char *out, size_t cap)
{
    static const char *const dos[] = {"\\DosDevices\\", "\\GLOBAL??\\", "\\??\\", "\\\\.\\"};
    for (unsigned i = 0; i < 4; i++) {
        size_t n = strlen(dos[i]);
        if (!strncasecmp(in, dos[i], n)) {
            snprintf(out, cap, "\\??\\%s", in + n);
            return;
        }
    }
    snprintf(out, cap, "%s", in);
}

static Device *dev_find(NtIo *io, GuestAddr a)
{
    for (unsigned i = 0; i < io->ndev; i++)
        if (io->dev[i].addr == a)
            return &io->dev[i];
    return NULL;
}

static Device *dev_by_name(NtIo *io, const char *name)
{
    for (unsigned i = 0; i < io->ndev; i++)
        if (io->dev[i].name[0] && !strcasecmp(io->dev[i].name, name))
            return &io->dev[i];
    return NULL;
}

static Symlink *link_find(NtIo *io, const char *canon)
{
    for (unsigned i = 0; i < io->nlinks; i++)
        if (!strcasecmp(io->links[i].link, canon))
            return &io->links[i];
    return NULL;
}

static Driver *drv_find(NtIo *io, GuestAddr obj)
{
    for (unsigned i = 0; i < io->ndrivers; i++)
        if (io->drivers[i].obj == obj && io->drivers[i].loaded)
            return &io->drivers[i];
    return NULL;
}

static IrpRec *irp_find(NtIo *io, GuestAddr irp)
{
    for (unsigned i = 0; i < io->nirps; i++)
        if (io->irps[i].irp == irp)
            return &io->irps[i];
    return NULL;
}

static IrpRec *irp_track(Nt *nt, GuestAddr irp, int kind)
{
    NtIo *io = nt->io;
    IrpRec *r = irp_find(io, irp);
    if (!r) {
        if (grow((void **)&io->irps, &io->capirps, io->nirps + 1, sizeof *io->irps) < 0)
            return NULL;
        r = &io->irps[io->nirps++];
    }
    memset(r, 0, sizeof *r);
    r->irp = irp;
    r->kind = kind;
    return r;
}

static void irp_untrack(NtIo *io, GuestAddr irp)
{
    IrpRec *r = irp_find(io, irp);
    if (r)
        *r = io->irps[--io->nirps];
}

/* Free a pool block the I/O manager handed out; a double free or an
 * overrun of the block (the pool's canary) stops the run. */
static void io_free(Nt *nt, GuestAddr a, const char *what)
{
    int rc = nt_pool_free(nt, a);
    if (rc == -1)
        io_fail(nt, VM_FAULT_API, "%s 0x%08x: not an allocated pool block (freed twice?)", what, a);
    else if (rc == -2)
        io_fail(nt, VM_FAULT_API, "%s 0x%08x: written past its end (pool canary overwritten)", what,
                a);
}

/* Free guest memory now, or when control is back at the outermost
 * IoCallDriver (see the file header). */
static void free_later(Nt *nt, GuestAddr a)
{
    NtIo *io = nt->io;
    if (!a)
        return;
    if (!io->call_depth ||
        grow((void **)&io->defer, &io->capdefer, io->ndefer + 1, sizeof *io->defer) < 0) {
        io_free(nt, a, "I/O buffer");
        return;
    }
    io->defer[io->ndefer++] = a;
}

static void flush_deferred(Nt *nt)
{
    NtIo *io = nt->io;
    while (io->ndefer)
        io_free(nt, io->defer[--io->ndefer], "I/O buffer");
}

/* The highest device attached on top of `dev` (IoGetAttachedDevice). */
static GuestAddr top_of_stack(Nt *nt, GuestAddr dev)
{
    for (unsigned n = 0; n < 64; n++) {
        const GDeviceObject *d = vm_guest(nt->vm, dev, sizeof *d, "DEVICE_OBJECT");
        if (!d)
            return 0;
        if (!d->AttachedDevice)
            return dev;
        dev = d->AttachedDevice;
    }
    io_fail(nt, VM_FAULT_API, "device stack above 0x%08x is more than 64 deep (a loop?)", dev);
    return 0;
}

/* ---------------------------------------------------------- lifecycle */

int nt_io_init(Nt *nt)
{
    nt->io = calloc(1, sizeof *nt->io);
    if (!nt->io)
        return -1;
    nt->io->cancel_lock = vm_alloc_sys(nt->vm, 4);
    return nt->io->cancel_lock ? 0 : -1;
}

void nt_io_fini(Nt *nt)
{
    NtIo *io = nt->io;
    if (!io)
        return;
    nt_dbg_flush(nt);
    free(io->dev);
    free(io->links);
    free(io->irps);
    free(io->defer);
    free(io->errlog);
    free(io->work);
    free(io);
    nt->io = NULL;
}

/* ------------------------------------------------------------- devices */

/* NTSTATUS IoCreateDevice(PDRIVER_OBJECT DriverObject, ULONG DeviceExtensionSize,
 *     PUNICODE_STRING DeviceName, DEVICE_TYPE DeviceType, ULONG DeviceCharacteristics,
 *     BOOLEAN Exclusive, PDEVICE_OBJECT *DeviceObject); */
NTAPI(IoCreateDevice)
{
    NtIo *io = nt->io;
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    GuestAddr drv = a[0];
    uint32_t ext = a[1];
    char name[NAME_LEN] = "";
    vm_guest(nt->vm, drv, sizeof(GDriverObject), "DriverObject");
    if (!drv_find(io, drv))
        vm_throw(nt->vm, VM_FAULT_API, "IoCreateDevice: 0x%08x is not a DRIVER_OBJECT", drv);
    vm_guest(nt->vm, a[6], 4, "DeviceObject");
    if (ext > 0x1000000u)
        return STATUS_INSUFFICIENT_RESOURCES;
    if (a[2]) {
        ustr(nt, a[2], name, sizeof name, "DeviceName");
        if (name[0] != '\\')
            return STATUS_OBJECT_PATH_SYNTAX_BAD;
        char canon[NAME_LEN];
        canon_name(name, canon, sizeof canon);
        if (dev_by_name(io, name) || link_find(io, canon))
            return STATUS_OBJECT_NAME_COLLISION;
    }
    uint32_t extoff = ((uint32_t)sizeof(GDeviceObject) + 7u) & ~7u;
    uint32_t objext = (extoff + ext + 7u) & ~7u;
    uint32_t total = objext + DEVOBJ_EXT_SIZE;
    if (grow((void **)&io->dev, &io->capdev, io->ndev + 1, sizeof *io->dev) < 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    GuestAddr d = nt_pool_alloc(nt, total, TAG_DEV);
    if (!d)
        return STATUS_INSUFFICIENT_RESOURCES;
    uint8_t *mem = vm_guest(nt->vm, d, total, "device");
    memset(mem, 0, total);
    GDeviceObject *o = (GDeviceObject *)mem;
    o->Type = IO_TYPE_DEVICE;
    o->Size = (uint16_t)(sizeof(GDeviceObject) + ext);
    o->DriverObject = drv;
    o->Flags = DO_DEVICE_INITIALIZING | ((a[5] & 0xff) ? DO_EXCLUSIVE : 0);
    o->Characteristics = a[4];
    o->DeviceExtension = ext ? d + extoff : 0;
    o->DeviceType = a[3];
    o->StackSize = 1;
    /* DeviceQueue: KeInitializeDeviceQueue */
    o->DeviceQueue.Type = IO_TYPE_DEVICE_QUEUE;
    o->DeviceQueue.Size = sizeof(GKDeviceQueue);
    o->DeviceQueue.DeviceListHead.Flink = d + offsetof(GDeviceObject, DeviceQueue.DeviceListHead);
    o->DeviceQueue.DeviceListHead.Blink = o->DeviceQueue.DeviceListHead.Flink;
    /* DeviceLock: KeInitializeEvent(SynchronizationEvent, TRUE) */
    o->DeviceLock.Header.Type = KOBJ_EVENT_SYNCHRONIZATION;
    o->DeviceLock.Header.Size = sizeof(GKEvent) / 4;
    o->DeviceLock.Header.SignalState = 1;
    o->DeviceLock.Header.WaitListHead.Flink =
        d + offsetof(GDeviceObject, DeviceLock.Header.WaitListHead);
    o->DeviceLock.Header.WaitListHead.Blink = o->DeviceLock.Header.WaitListHead.Flink;
    o->DeviceObjectExtension = d + objext;
    uint8_t *dx = mem + objext;
    dx[0] = IO_TYPE_DEVICE_OBJECT_EXTENSION;
    dx[2] = DEVOBJ_EXT_SIZE;
    memcpy(dx + 4, &d, 4);
    /* Link at the head of the driver's list, as Windows does. */
    GDriverObject *dob = vm_guest(nt->vm, drv, sizeof *dob, "DriverObject");
    o->NextDevice = dob->DeviceObject;
    dob->DeviceObject = d;
    Device *rec = &io->dev[io->ndev++];
    rec->addr = d;
    rec->driver = drv;
    rec->ext_size = ext;
    snprintf(rec->name, sizeof rec->name, "%s", name);
    vm_wr32(nt->vm, a[6], d);
    return STATUS_SUCCESS;
}

static void device_unlink(Nt *nt, Device *rec)
{
    /* Take it off its driver's DeviceObject list (the list is guest memory:
     * walk it with checks, a driver may have scribbled on it). */
    GDriverObject *dob = vm_ptr(nt->vm, rec->driver, sizeof *dob);
    if (!dob)
        return;
    GuestAddr prev = 0, cur = dob->DeviceObject;
    for (unsigned n = 0; cur && n < 4096; n++) {
        GDeviceObject *o = vm_ptr(nt->vm, cur, sizeof *o);
        if (!o)
            return;
        if (cur == rec->addr) {
            if (prev) {
                GDeviceObject *p = vm_ptr(nt->vm, prev, sizeof *p);
                if (p)
                    p->NextDevice = o->NextDevice;
            } else {
                dob->DeviceObject = o->NextDevice;
            }
            return;
        }
        prev = cur;
        cur = o->NextDevice;
    }
}

/* VOID IoDeleteDevice(PDEVICE_OBJECT DeviceObject); */
NTAPI(IoDeleteDevice)
{
    NtIo *io = nt->io;
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    Device *rec = dev_find(io, a[0]);
    if (!rec)
        vm_throw(nt->vm, VM_FAULT_API,
                 "IoDeleteDevice: 0x%08x is not a device object (deleted twice?)", a[0]);
    GDeviceObject *o = vm_guest(nt->vm, a[0], sizeof *o, "DeviceObject");
    if (o->AttachedDevice)
        nt_log(nt, "warning: IoDeleteDevice(%s): device 0x%08x is still attached on top of it\n",
               rec->name[0] ? rec->name : "unnamed", o->AttachedDevice);
    for (unsigned i = 0; i < MAX_FILES; i++)
        if (io->files[i].dev == a[0])
            nt_log(nt, "note: IoDeleteDevice(%s): a handle is still open; its requests now fail\n",
                   rec->name[0] ? rec->name : "unnamed");
    nt_ke_check_free(nt, a[0], nt_pool_size(nt, a[0]));
    device_unlink(nt, rec);
    *rec = io->dev[--io->ndev];
    io_free(nt, a[0], "IoDeleteDevice: device object (with its extension)");
    return 0;
}

/* NTSTATUS IoCreateSymbolicLink(PUNICODE_STRING SymbolicLinkName, PUNICODE_STRING DeviceName); */
NTAPI(IoCreateSymbolicLink)
{
    NtIo *io = nt->io;
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    char link[NAME_LEN], target[NAME_LEN], canon[NAME_LEN];
    ustr(nt, a[0], link, sizeof link, "SymbolicLinkName");
    ustr(nt, a[1], target, sizeof target, "DeviceName");
    if (link[0] != '\\' || target[0] != '\\')
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    canon_name(link, canon, sizeof canon);
    if (link_find(io, canon) || dev_by_name(io, canon))
        return STATUS_OBJECT_NAME_COLLISION;
    if (grow((void **)&io->links, &io->caplinks, io->nlinks + 1, sizeof *io->links) < 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    Symlink *s = &io->links[io->nlinks++];
    snprintf(s->link, sizeof s->link, "%s", canon);
    snprintf(s->target, sizeof s->target, "%s", target);
    return STATUS_SUCCESS;
}

/* NTSTATUS IoDeleteSymbolicLink(PUNICODE_STRING SymbolicLinkName); */
NTAPI(IoDeleteSymbolicLink)
{
    NtIo *io = nt->io;
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    char link[NAME_LEN], canon[NAME_LEN];
    ustr(nt, a[0], link, sizeof link, "SymbolicLinkName");
    canon_name(link, canon, sizeof canon);
    Symlink *s = link_find(io, canon);
    if (!s)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    *s = io->links[--io->nlinks];
    return STATUS_SUCCESS;
}

/* PDEVICE_OBJECT IoAttachDeviceToDeviceStack(PDEVICE_OBJECT SourceDevice,
 *     PDEVICE_OBJECT TargetDevice); */
NTAPI(IoAttachDeviceToDeviceStack)
{
    NtIo *io = nt->io;
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    if (!dev_find(io, a[0]) || !dev_find(io, a[1]))
        vm_throw(nt->vm, VM_FAULT_API,
                 "IoAttachDeviceToDeviceStack(0x%08x, 0x%08x): not device objects", a[0], a[1]);
    GuestAddr top = top_of_stack(nt, a[1]);
    if (top == a[0])
        vm_throw(nt->vm, VM_FAULT_API, "IoAttachDeviceToDeviceStack: attaching 0x%08x to itself",
                 a[0]);
    GDeviceObject *t = vm_guest(nt->vm, top, sizeof *t, "TargetDevice");
    t->AttachedDevice = a[0];
    int8_t stack = t->StackSize;
    uint32_t align = t->AlignmentRequirement;
    uint16_t sector = t->SectorSize;
    GDeviceObject *s = vm_guest(nt->vm, a[0], sizeof *s, "SourceDevice");
    s->StackSize = (int8_t)(stack + 1);
    if (align > s->AlignmentRequirement)
        s->AlignmentRequirement = align;
    s->SectorSize = sector;
    if (s->DeviceObjectExtension)
        vm_wr32(nt->vm, s->DeviceObjectExtension + DEVOBJ_EXT_ATTACHED_TO, top);
    return top;
}

/* VOID IoDetachDevice(PDEVICE_OBJECT TargetDevice); */
NTAPI(IoDetachDevice)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    GDeviceObject *t = vm_guest(nt->vm, a[0], sizeof *t, "TargetDevice");
    if (!t->AttachedDevice)
        vm_throw(nt->vm, VM_FAULT_API, "IoDetachDevice: nothing is attached to 0x%08x", a[0]);
    GDeviceObject *s = vm_guest(nt->vm, t->AttachedDevice, sizeof *s, "attached device");
    if (s->DeviceObjectExtension)
        vm_wr32(nt->vm, s->DeviceObjectExtension + DEVOBJ_EXT_ATTACHED_TO, 0);
    t = vm_guest(nt->vm, a[0], sizeof *t, "TargetDevice");
    t->AttachedDevice = 0;
    return 0;
}

/* PDEVICE_OBJECT IoGetAttachedDevice(PDEVICE_OBJECT DeviceObject); */
NTAPI(IoGetAttachedDevice)
{
    return top_of_stack(nt, a[0]);
}

/* PEPROCESS IoGetCurrentProcess(void); the one process: System. */
NTAPI(IoGetCurrentProcess)
{
    return nt->system_process;
}

/* BOOLEAN IoIsWdmVersionAvailable(UCHAR MajorVersion, UCHAR MinorVersion);
 * xdrv presents Windows XP (the DDK target of NTDDI 0x05010000): WDM 1.20
 * ("WDM versions" table: Windows XP = 1.20, written 0x01, 0x20). */
NTAPI(IoIsWdmVersionAvailable)
{
    uint8_t major = (uint8_t)a[0], minor = (uint8_t)a[1];
    return major < 1 || (major == 1 && minor <= 0x20);
}

/* ---------------------------------------------------------------- IRPs */

static GIrp *irp_get(Nt *nt, GuestAddr irp)
{
    GIrp *ip = vm_guest(nt->vm, irp, IRP_SIZE, "IRP");
    if (ip && ip->Type != IO_TYPE_IRP) {
        io_fail(nt, VM_FAULT_API, "%s: 0x%08x is not an IRP (Type %d)",
                in_handler(nt) ? vm_current_api(nt->vm) : "I/O manager", irp, ip->Type);
        return NULL;
    }
    return ip;
}

static void irp_init(Nt *nt, GuestAddr irp, uint16_t size, int8_t stack)
{
    uint8_t *p = vm_ptr(nt->vm, irp, size);
    memset(p, 0, size);
    GIrp *ip = (GIrp *)p;
    ip->Type = IO_TYPE_IRP;
    ip->Size = size;
    ip->StackCount = stack;
    ip->CurrentLocation = (int8_t)(stack + 1);
    ip->ThreadListEntry.Flink = irp + offsetof(GIrp, ThreadListEntry);
    ip->ThreadListEntry.Blink = ip->ThreadListEntry.Flink;
    ip->CurrentStackLocation = irp + IRP_SIZE + (uint32_t)stack * SL_SIZE;
}

static GuestAddr irp_alloc(Nt *nt, int stack)
{
    if (stack < 1 || stack > 127)
        return 0;
    uint32_t size = IRP_SIZE + (uint32_t)stack * SL_SIZE;
    GuestAddr irp = nt_pool_alloc(nt, size, TAG_IRP);
    if (irp)
        irp_init(nt, irp, (uint16_t)size, (int8_t)stack);
    return irp;
}

/* The stack location below the current one (IoGetNextIrpStackLocation). */
static GuestAddr next_sl(Nt *nt, GuestAddr irp)
{
    GIrp *ip = vm_ptr(nt->vm, irp, IRP_SIZE);
    return ip->CurrentStackLocation - SL_SIZE;
}

/* PIRP IoAllocateIrp(CCHAR StackSize, BOOLEAN ChargeQuota); */
NTAPI(IoAllocateIrp)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    int8_t stack = (int8_t)a[0];
    if (stack < 1)
        vm_throw(nt->vm, VM_FAULT_API, "IoAllocateIrp: StackSize %d", stack);
    GuestAddr irp = irp_alloc(nt, stack);
    if (irp && !irp_track(nt, irp, IRP_DRIVER)) {
        nt_pool_free(nt, irp);
        return 0;
    }
    return irp;
}

/* VOID IoInitializeIrp(PIRP Irp, USHORT PacketSize, CCHAR StackSize); */
NTAPI(IoInitializeIrp)
{
    uint16_t size = (uint16_t)a[1];
    int8_t stack = (int8_t)a[2];
    if (stack < 1 || size < IRP_SIZE + (uint32_t)stack * SL_SIZE)
        vm_throw(nt->vm, VM_FAULT_API,
                 "IoInitializeIrp: PacketSize %u too small for %d stack locations", size, stack);
    vm_guest(nt->vm, a[0], size, "Irp");
    irp_init(nt, a[0], size, stack);
    irp_track(nt, a[0], IRP_DRIVER);
    return 0;
}

/* VOID IoReuseIrp(PIRP Irp, NTSTATUS Iostatus); */
NTAPI(IoReuseIrp)
{
    GIrp *ip = irp_get(nt, a[0]);
    uint16_t size = ip->Size;
    int8_t stack = ip->StackCount;
    uint8_t flags = ip->AllocationFlags;
    irp_init(nt, a[0], size, stack);
    ip = irp_get(nt, a[0]);
    ip->AllocationFlags = flags;
    ip->IoStatus.Status = a[1];
    IrpRec *r = irp_find(nt->io, a[0]);
    if (r)
        r->completed = 0;
    return 0;
}

/* VOID IoFreeIrp(PIRP Irp); */
NTAPI(IoFreeIrp)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    irp_get(nt, a[0]);
    IrpRec *r = irp_find(nt->io, a[0]);
    if (r && r->kind != IRP_DRIVER)
        vm_throw(nt->vm, VM_FAULT_API, "IoFreeIrp: IRP 0x%08x belongs to the I/O manager", a[0]);
    irp_untrack(nt->io, a[0]);
    nt_ke_check_free(nt, a[0], nt_pool_size(nt, a[0]));
    io_free(nt, a[0], "IoFreeIrp: IRP");
    return 0;
}

static void complete_irp(Nt *nt, GuestAddr irp);

/* IoCallDriver's work; returns the dispatch routine's status (0 if the run
 * stopped: callers check vm_stopped). */
static uint32_t call_driver(Nt *nt, GuestAddr dev, GuestAddr irp)
{
    NtIo *io = nt->io;
    GIrp *ip = irp_get(nt, irp);
    if (!ip)
        return 0;
    GDeviceObject *d = vm_guest(nt->vm, dev, sizeof *d, "DeviceObject");
    if (!d)
        return 0;
    if (!dev_find(io, dev)) {
        io_fail(nt, VM_FAULT_API, "IoCallDriver: 0x%08x is not a device object", dev);
        return 0;
    }
    if (ip->CurrentLocation <= 1) {
        bugcheck(nt, 0x35, irp, 0, 0, 0); /* NO_MORE_IRP_STACK_LOCATIONS */
        return 0;
    }
    ip->CurrentLocation--;
    ip->CurrentStackLocation -= SL_SIZE;
    GuestAddr sl = ip->CurrentStackLocation;
    GIoStackLocation *s = vm_guest(nt->vm, sl, SL_SIZE, "stack location");
    if (!s)
        return 0;
    s->DeviceObject = dev;
    uint8_t major = s->MajorFunction;
    if (major > IRP_MJ_MAXIMUM_FUNCTION) {
        io_fail(nt, VM_FAULT_API, "IoCallDriver: MajorFunction 0x%x is out of range", major);
        return 0;
    }
    GDriverObject *dob = vm_guest(nt->vm, d->DriverObject, sizeof *dob, "DriverObject");
    if (!dob)
        return 0;
    GuestAddr fn = dob->MajorFunction[major];
    if (!fn) {
        /* IopInvalidDeviceRequest */
        ip->IoStatus.Status = STATUS_INVALID_DEVICE_REQUEST;
        ip->IoStatus.Information = 0;
        io->call_depth++;
        complete_irp(nt, irp);
        io->call_depth--;
        if (!io->call_depth)
            flush_deferred(nt);
        return STATUS_INVALID_DEVICE_REQUEST;
    }
    uint32_t args[2] = {dev, irp}, ret = 0;
    io->call_depth++;
    int rc = vm_call(nt->vm, fn, VM_STDCALL, args, 2, major_names[major], &ret);
    io->call_depth--;
    if (!io->call_depth && !vm_stopped(nt->vm))
        flush_deferred(nt);
    return rc < 0 ? 0 : ret;
}

/* NTSTATUS FASTCALL IofCallDriver(PDEVICE_OBJECT DeviceObject, PIRP Irp); */
NTAPI(IofCallDriver)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    return call_driver(nt, a[0], a[1]);
}

/* Final stage of completion (ReactOS IopCompleteRequest). */
static void final_completion(Nt *nt, GuestAddr irp)
{
    NtIo *io = nt->io;
    IrpRec *r = irp_find(io, irp);
    GIrp *ip = irp_get(nt, irp);
    if (!ip)
        return;
    if (r)
        r->completed = 1;
    if (r && r->kind == IRP_HOST) {
        if (r->orphan) {
            nt_log(nt, "io: request IRP 0x%08x completed late with status 0x%08x\n", irp,
                   ip->IoStatus.Status);
            for (unsigned i = 0; i < 4; i++)
                free_later(nt, r->bufs[i]);
            free_later(nt, r->mdl);
            irp_untrack(io, irp);
            free_later(nt, irp);
        }
        return;
    }
    GIoStatusBlock iosb = ip->IoStatus;
    GuestAddr event = ip->UserEvent, uiosb = ip->UserIosb;
    if (r && r->kind == IRP_IOMGR) {
        if (ip->Flags & IRP_BUFFERED_IO) {
            if ((ip->Flags & IRP_INPUT_OPERATION) && !NT_ERROR(iosb.Status) && ip->UserBuffer &&
                ip->AssociatedIrp) {
                uint32_t n = iosb.Information < r->outlen ? iosb.Information : r->outlen;
                if (iosb.Information > r->outlen)
                    nt_log(nt,
                           "warning: IRP 0x%08x: Information %u exceeds the output buffer (%u "
                           "bytes)\n",
                           irp, iosb.Information, r->outlen);
                if (n) {
                    const void *src = vm_guest(nt->vm, ip->AssociatedIrp, n, "SystemBuffer");
                    void *dst = vm_guest(nt->vm, ip->UserBuffer, n, "UserBuffer");
                    if (!src || !dst)
                        return;
                    memmove(dst, src, n);
                }
            }
            if (ip->Flags & IRP_DEALLOCATE_BUFFER)
                free_later(nt, ip->AssociatedIrp);
        }
        for (GuestAddr m = ip->MdlAddress, n = 0; m && n < 64; m = n) {
            GMdl *md = vm_guest(nt->vm, m, sizeof *md, "MDL");
            if (!md)
                return;
            n = md->Next;
            free_later(nt, m);
        }
    } else {
        nt_log(nt,
               "warning: IRP 0x%08x (not built by the I/O manager) completed all the way up: its "
               "owner should have stopped completion with STATUS_MORE_PROCESSING_REQUIRED "
               "(Windows would queue the completion APC to Irp->Tail.Overlay.Thread)\n",
               irp);
    }
    if (uiosb) {
        GIoStatusBlock *u = vm_guest(nt->vm, uiosb, sizeof *u, "UserIosb");
        if (!u)
            return;
        *u = iosb;
    }
    if (event) {
        /* KeSetEvent(UserEvent, 0, FALSE): single CPU, single thread — a
         * waiter sees the signal state when it next looks. */
        GKEvent *e = vm_guest(nt->vm, event, sizeof *e, "UserEvent");
        if (!e)
            return;
        e->Header.SignalState = 1;
    }
    if (r && r->kind == IRP_IOMGR) {
        irp_untrack(io, irp);
        free_later(nt, irp);
    }
}

/* IofCompleteRequest's work: run completion routines from the current
 * stack location upward (IRQL and status rules per "Completing IRPs"). */
static void complete_irp(Nt *nt, GuestAddr irp)
{
    NtIo *io = nt->io;
    GIrp *ip = irp_get(nt, irp);
    if (!ip)
        return;
    IrpRec *r = irp_find(io, irp);
    if (ip->CurrentLocation > ip->StackCount + 1 || (r && r->completed)) {
        bugcheck(nt, 0x44, irp, 0, 0, 0); /* MULTIPLE_IRP_COMPLETE_REQUESTS */
        return;
    }
    if (ip->CancelRoutine) {
        io_fail(nt, VM_FAULT_API,
                "IoCompleteRequest: IRP 0x%08x still has a cancel routine (0x%08x); "
                "IoSetCancelRoutine(Irp, NULL) must come first",
                irp, ip->CancelRoutine);
        return;
    }
    if (ip->IoStatus.Status == STATUS_PENDING) {
        io_fail(nt, VM_FAULT_API,
                "IoCompleteRequest: IRP 0x%08x completed with IoStatus.Status == "
                "STATUS_PENDING",
                irp);
        return;
    }
    while (ip->CurrentLocation <= ip->StackCount) {
        GIoStackLocation *s = vm_guest(nt->vm, ip->CurrentStackLocation, SL_SIZE, "stack location");
        if (!s)
            return;
        uint8_t control = s->Control;
        GuestAddr routine = s->CompletionRoutine, ctx = s->Context;
        ip->PendingReturned = control & SL_PENDING_RETURNED;
        /* IopClearStackLocation */
        s->MinorFunction = 0;
        s->Flags = 0;
        s->Control &= SL_ERROR_RETURNED;
        memset(&s->Parameters, 0, sizeof s->Parameters);
        s->FileObject = 0;
        s->CompletionRoutine = 0;
        s->Context = 0;
        ip->CurrentLocation++;
        ip->CurrentStackLocation += SL_SIZE;
        uint32_t st = ip->IoStatus.Status;
        int invoke = routine && ((NT_SUCCESS(st) && (control & SL_INVOKE_ON_SUCCESS)) ||
                                 (!NT_SUCCESS(st) && (control & SL_INVOKE_ON_ERROR)) ||
                                 (ip->Cancel && (control & SL_INVOKE_ON_CANCEL)));
        if (invoke) {
            GuestAddr devobj = 0;
            if (ip->CurrentLocation <= ip->StackCount) {
                GIoStackLocation *up =
                    vm_guest(nt->vm, ip->CurrentStackLocation, SL_SIZE, "stack location");
                if (!up)
                    return;
                devobj = up->DeviceObject;
            }
            uint32_t args[3] = {devobj, irp, ctx}, ret = 0;
            io->call_depth++;
            int rc = vm_call(nt->vm, routine, VM_STDCALL, args, 3, "IoCompletionRoutine", &ret);
            io->call_depth--;
            if (rc < 0)
                return;
            if (ret == STATUS_MORE_PROCESSING_REQUIRED)
                return;
            ip = irp_get(nt, irp);
            if (!ip)
                return;
        } else if (ip->CurrentLocation <= ip->StackCount && ip->PendingReturned) {
            /* IoMarkIrpPending on the caller's location */
            GIoStackLocation *up =
                vm_guest(nt->vm, ip->CurrentStackLocation, SL_SIZE, "stack location");
            if (!up)
                return;
            up->Control |= SL_PENDING_RETURNED;
        }
    }
    final_completion(nt, irp);
}

/* VOID FASTCALL IofCompleteRequest(PIRP Irp, CCHAR PriorityBoost); */
NTAPI(IofCompleteRequest)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    complete_irp(nt, a[0]);
    if (!nt->io->call_depth)
        flush_deferred(nt);
    return 0;
}

/* VOID IoAcquireCancelSpinLock(PKIRQL Irql); */
NTAPI(IoAcquireCancelSpinLock)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    vm_guest(nt->vm, a[0], 1, "Irql");
    uint8_t old = nt_ke_raise_irql(nt, DISPATCH_LEVEL);
    nt_ke_spin_acquire(nt, nt->io->cancel_lock);
    vm_wr8(nt->vm, a[0], old);
    return 0;
}

/* VOID IoReleaseCancelSpinLock(KIRQL Irql); */
NTAPI(IoReleaseCancelSpinLock)
{
    nt_ke_spin_release(nt, nt->io->cancel_lock);
    nt_ke_lower_irql(nt, (uint8_t)a[0]);
    return 0;
}

/* BOOLEAN IoCancelIrp(PIRP Irp); sets Cancel and calls the cancel routine
 * (if any) with the cancel spin lock held, which the routine releases
 * (learn.microsoft.com "IoCancelIrp", "Cancel Routines"). */
NTAPI(IoCancelIrp)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    GIrp *ip = irp_get(nt, a[0]);
    uint8_t old = nt_ke_raise_irql(nt, DISPATCH_LEVEL);
    nt_ke_spin_acquire(nt, nt->io->cancel_lock);
    ip = irp_get(nt, a[0]);
    ip->Cancel = 1;
    GuestAddr routine = ip->CancelRoutine;
    ip->CancelRoutine = 0;
    if (!routine) {
        nt_ke_spin_release(nt, nt->io->cancel_lock);
        nt_ke_lower_irql(nt, old);
        return 0;
    }
    ip->CancelIrql = old;
    GuestAddr dev = 0;
    if (ip->CurrentLocation <= ip->StackCount) {
        const GIoStackLocation *s =
            vm_guest(nt->vm, ip->CurrentStackLocation, SL_SIZE, "stack location");
        dev = s->DeviceObject;
    }
    uint32_t args[2] = {dev, a[0]}, ret;
    vm_call(nt->vm, routine, VM_STDCALL, args, 2, "DriverCancel", &ret);
    return 1;
}

/* Shared by IoBuildDeviceIoControlRequest and IoBuildSynchronousFsdRequest.
 * `method` as for IOCTLs; for read/write the device flags give it. */
static GuestAddr build_request(Nt *nt, uint8_t major, GuestAddr dev, GuestAddr in, uint32_t inlen,
                               GuestAddr out, uint32_t outlen, int method, GuestAddr event,
                               GuestAddr iosb)
{
    GDeviceObject *d = vm_guest(nt->vm, dev, sizeof *d, "DeviceObject");
    if (!dev_find(nt->io, dev))
        vm_throw(nt->vm, VM_FAULT_API, "%s: 0x%08x is not a device object", vm_current_api(nt->vm),
                 dev);
    GuestAddr irp = irp_alloc(nt, d->StackSize);
    if (!irp)
        return 0;
    IrpRec *r = irp_track(nt, irp, IRP_IOMGR);
    if (!r) {
        nt_pool_free(nt, irp);
        return 0;
    }
    GIrp *ip = vm_ptr(nt->vm, irp, IRP_SIZE);
    ip->RequestorMode = KernelMode;
    ip->UserIosb = iosb;
    ip->UserEvent = event;
    ip->Thread = nt->current_thread;
    r->outlen = outlen;
    int write_data = major == IRP_MJ_WRITE; /* read/write: the one buffer is `out` */
    if (method == METHOD_BUFFERED) {
        uint32_t n = inlen > outlen ? inlen : outlen;
        if (n) {
            GuestAddr sb = nt_pool_alloc(nt, n, TAG_BUF);
            if (!sb)
                goto fail;
            uint8_t *p = vm_guest(nt->vm, sb, n, "SystemBuffer");
            memset(p, 0, n);
            if (inlen)
                memcpy(p, vm_guest(nt->vm, in, inlen, "InputBuffer"), inlen);
            ip = vm_ptr(nt->vm, irp, IRP_SIZE);
            ip->AssociatedIrp = sb;
            ip->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER |
                         (outlen && !write_data ? IRP_INPUT_OPERATION : 0);
        }
        ip->UserBuffer = out;
    } else if (method == METHOD_IN_DIRECT || method == METHOD_OUT_DIRECT) {
        if (inlen) {
            GuestAddr sb = nt_pool_alloc(nt, inlen, TAG_BUF);
            if (!sb)
                goto fail;
            memcpy(vm_guest(nt->vm, sb, inlen, "SystemBuffer"),
                   vm_guest(nt->vm, in, inlen, "InputBuffer"), inlen);
            ip = vm_ptr(nt->vm, irp, IRP_SIZE);
            ip->AssociatedIrp = sb;
            ip->Flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
        }
        if (outlen) {
            GuestAddr mdl = nt_mm_alloc_mdl(nt, out, outlen);
            if (!mdl)
                goto fail;
            int devwrites = method == METHOD_OUT_DIRECT && !write_data;
            nt_mm_fill_mdl(nt, mdl,
                           (uint16_t)(MDL_PAGES_LOCKED | (devwrites ? MDL_WRITE_OPERATION : 0)));
            GMdl *m = vm_ptr(nt->vm, mdl, sizeof *m);
            m->MappedSystemVa = 0;
            ip = vm_ptr(nt->vm, irp, IRP_SIZE);
            ip->MdlAddress = mdl;
        }
        ip->UserBuffer = out;
    } else {
        ip->UserBuffer = out;
    }
    GIoStackLocation *s = vm_ptr(nt->vm, next_sl(nt, irp), SL_SIZE);
    s->MajorFunction = major;
    if (major == IRP_MJ_DEVICE_CONTROL || major == IRP_MJ_INTERNAL_DEVICE_CONTROL) {
        s->Parameters.DeviceIoControl.OutputBufferLength = outlen;
        s->Parameters.DeviceIoControl.InputBufferLength = inlen;
        if (method == METHOD_NEITHER)
            s->Parameters.DeviceIoControl.Type3InputBuffer = in;
    }
    return irp;
fail:
    ip = vm_ptr(nt->vm, irp, IRP_SIZE);
    if (ip->AssociatedIrp)
        nt_pool_free(nt, ip->AssociatedIrp);
    irp_untrack(nt->io, irp);
    nt_pool_free(nt, irp);
    return 0;
}

/* PIRP IoBuildDeviceIoControlRequest(ULONG IoControlCode, PDEVICE_OBJECT DeviceObject,
 *     PVOID InputBuffer, ULONG InputBufferLength, PVOID OutputBuffer,
 *     ULONG OutputBufferLength, BOOLEAN InternalDeviceIoControl, PKEVENT Event,
 *     PIO_STATUS_BLOCK IoStatusBlock); */
NTAPI(IoBuildDeviceIoControlRequest)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    uint32_t code = a[0];
    uint8_t major = (a[6] & 0xff) ? IRP_MJ_INTERNAL_DEVICE_CONTROL : IRP_MJ_DEVICE_CONTROL;
    GuestAddr irp = build_request(nt, major, a[1], a[2], a[2] ? a[3] : 0, a[4], a[4] ? a[5] : 0,
                                  (int)(code & 3), a[7], a[8]);
    if (irp) {
        GIoStackLocation *s = vm_ptr(nt->vm, next_sl(nt, irp), SL_SIZE);
        s->Parameters.DeviceIoControl.IoControlCode = code;
    }
    return irp;
}

/* PIRP IoBuildSynchronousFsdRequest(ULONG MajorFunction, PDEVICE_OBJECT DeviceObject,
 *     PVOID Buffer, ULONG Length, PLARGE_INTEGER StartingOffset, PKEVENT Event,
 *     PIO_STATUS_BLOCK IoStatusBlock); */
NTAPI(IoBuildSynchronousFsdRequest)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    uint32_t major = a[0];
    if (major != IRP_MJ_READ && major != IRP_MJ_WRITE && major != 0x09 /* FLUSH_BUFFERS */ &&
        major != IRP_MJ_SHUTDOWN)
        vm_throw(nt->vm, VM_FAULT_API,
                 "IoBuildSynchronousFsdRequest: MajorFunction 0x%x is not "
                 "READ, WRITE, FLUSH_BUFFERS or SHUTDOWN",
                 major);
    GDeviceObject *d = vm_guest(nt->vm, a[1], sizeof *d, "DeviceObject");
    int rw = major == IRP_MJ_READ || major == IRP_MJ_WRITE;
    int method = !rw                           ? METHOD_NEITHER
                 : (d->Flags & DO_BUFFERED_IO) ? METHOD_BUFFERED
                 : (d->Flags & DO_DIRECT_IO)   ? METHOD_OUT_DIRECT
                                               : METHOD_NEITHER;
    uint32_t len = rw ? a[3] : 0;
    GuestAddr buf = rw ? a[2] : 0;
    GuestAddr irp = build_request(nt, (uint8_t)major, a[1], major == IRP_MJ_WRITE ? buf : 0,
                                  major == IRP_MJ_WRITE && method == METHOD_BUFFERED ? len : 0, buf,
                                  len, method, a[5], a[6]);
    if (irp && rw) {
        GIoStackLocation *s = vm_ptr(nt->vm, next_sl(nt, irp), SL_SIZE);
        s->Parameters.Read.Length = len;
        uint64_t off = 0;
        if (a[4]) {
            const uint32_t *o = vm_guest(nt->vm, a[4], 8, "StartingOffset");
            off = (uint64_t)o[1] << 32 | o[0];
        }
        s = vm_ptr(nt->vm, next_sl(nt, irp), SL_SIZE);
        s->Parameters.Read.ByteOffset = off;
        GIrp *ip = vm_ptr(nt->vm, irp, IRP_SIZE);
        ip->Flags |= major == IRP_MJ_READ ? IRP_READ_OPERATION : IRP_WRITE_OPERATION;
    }
    return irp;
}

/* ----------------------------------------------------------------- MDLs */

/* PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer,
 *     BOOLEAN ChargeQuota, PIRP Irp); */
NTAPI(IoAllocateMdl)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    GuestAddr mdl = nt_mm_alloc_mdl(nt, a[0], a[1]);
    if (!mdl || !a[4])
        return mdl;
    GIrp *ip = irp_get(nt, a[4]);
    if (!(a[2] & 0xff)) {
        ip->MdlAddress = mdl;
        return mdl;
    }
    /* Secondary buffer: append to the IRP's chain. */
    GuestAddr m = ip->MdlAddress;
    if (!m) {
        ip->MdlAddress = mdl;
        return mdl;
    }
    for (unsigned n = 0; n < 64; n++) {
        GMdl *md = vm_guest(nt->vm, m, sizeof *md, "MDL");
        if (!md->Next) {
            md->Next = mdl;
            return mdl;
        }
        m = md->Next;
    }
    vm_throw(nt->vm, VM_FAULT_API,
             "IoAllocateMdl: the IRP's MDL chain is longer than 64 (a loop?)");
}

/* VOID IoFreeMdl(PMDL Mdl); */
NTAPI(IoFreeMdl)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    GMdl *m = vm_guest(nt->vm, a[0], sizeof *m, "Mdl");
    if (m->MdlFlags & MDL_PAGES_LOCKED)
        nt_log(nt, "warning: IoFreeMdl(0x%08x): the pages are still locked (MmUnlockPages first)\n",
               a[0]);
    if (nt->on_mdl_free)
        nt->on_mdl_free(nt, a[0]);
    nt_mm_free_mdl(nt, a[0]);
    return 0;
}

/* ------------------------------------------------------------ error log */

/* PVOID IoAllocateErrorLogEntry(PVOID IoObject, UCHAR EntrySize); */
NTAPI(IoAllocateErrorLogEntry)
{
    NtIo *io = nt->io;
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    uint8_t size = (uint8_t)a[1];
    const int16_t *type = vm_guest(nt->vm, a[0], 2, "IoObject");
    if (*type != IO_TYPE_DEVICE && *type != IO_TYPE_DRIVER)
        vm_throw(nt->vm, VM_FAULT_API,
                 "IoAllocateErrorLogEntry: 0x%08x is neither a device nor a driver "
                 "object",
                 a[0]);
    if (size < ERROR_LOG_PACKET_SIZE || size > ERROR_LOG_MAXIMUM_SIZE)
        return 0; /* documented: NULL when EntrySize is out of range */
    if (grow((void **)&io->errlog, &io->caperrlog, io->nerrlog + 1, sizeof *io->errlog) < 0)
        return 0;
    GuestAddr e = nt_pool_alloc(nt, size, TAG_ERR);
    if (!e)
        return 0;
    memset(vm_guest(nt->vm, e, size, "error log entry"), 0, size);
    io->errlog[io->nerrlog++] = e;
    return e;
}

static int errlog_take(NtIo *io, GuestAddr e)
{
    for (unsigned i = 0; i < io->nerrlog; i++) {
        if (io->errlog[i] == e) {
            io->errlog[i] = io->errlog[--io->nerrlog];
            return 0;
        }
    }
    return -1;
}

/* VOID IoWriteErrorLogEntry(PVOID ElEntry); the entry goes to the run log
 * (there is no event log) and is freed. */
NTAPI(IoWriteErrorLogEntry)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    GuestAddr e = a[0];
    uint32_t size = nt_pool_size(nt, e);
    if (errlog_take(nt->io, e) < 0 || size < ERROR_LOG_PACKET_SIZE)
        vm_throw(nt->vm, VM_FAULT_API,
                 "IoWriteErrorLogEntry: 0x%08x is not from IoAllocateErrorLogEntry", e);
    const uint8_t *p = vm_guest(nt->vm, e, size, "error log entry");
    uint32_t v[8];
    memcpy(v, p + 0x0c, sizeof v); /* ErrorCode .. DeviceOffset */
    uint16_t dumpsize = (uint16_t)(p[2] | p[3] << 8), nstr = (uint16_t)(p[4] | p[5] << 8),
             stroff = (uint16_t)(p[6] | p[7] << 8);
    nt_dbg_flush(nt);
    nt_log(nt,
           "io: error log entry: ErrorCode 0x%08x UniqueErrorValue 0x%08x FinalStatus 0x%08x "
           "MajorFunction 0x%02x RetryCount %u SequenceNumber %u IoControlCode 0x%08x\n",
           v[0], v[1], v[2], p[0], p[1], v[3], v[4]);
    trace_emitf(TRACE_NOTE, vm_time_ns(nt->vm), vm_depth(nt->vm), "IoWriteErrorLogEntry",
                "ErrorCode 0x%08x UniqueErrorValue 0x%08x FinalStatus 0x%08x", v[0], v[1], v[2]);
    uint32_t dumpwords = dumpsize / 4u;
    if (ERROR_LOG_PACKET_SIZE - 4 + dumpsize > size) {
        nt_log(nt, "io:   DumpDataSize %u runs past the %u-byte entry\n", dumpsize, size);
        dumpwords = (size - (ERROR_LOG_PACKET_SIZE - 4)) / 4u;
    }
    if (dumpwords) {
        char line[512];
        size_t o = 0;
        for (uint32_t i = 0; i < dumpwords && o + 12 < sizeof line; i++) {
            uint32_t w;
            memcpy(&w, p + 0x28 + 4 * i, 4);
            o += (size_t)snprintf(line + o, sizeof line - o, " 0x%08x", w);
        }
        nt_log(nt, "io:   DumpData[%u]:%s\n", dumpwords, line);
    }
    for (uint32_t i = 0, off = stroff; i < nstr && off + 2 <= size; i++) {
        uint32_t end = off;
        while (end + 2 <= size && (p[end] | p[end + 1]))
            end += 2;
        char s[512];
        nt_reg_utf8(p + off, (end - off) / 2u, s, sizeof s);
        nt_log(nt, "io:   String %u: \"%s\"\n", i, s);
        off = end + 2;
    }
    io_free(nt, e, "IoWriteErrorLogEntry: entry");
    return 0;
}

/* VOID IoFreeErrorLogEntry(PVOID ElEntry); */
NTAPI(IoFreeErrorLogEntry)
{
    if (errlog_take(nt->io, a[0]) < 0)
        vm_throw(nt->vm, VM_FAULT_API,
                 "IoFreeErrorLogEntry: 0x%08x is not from IoAllocateErrorLogEntry", a[0]);
    io_free(nt, a[0], "IoFreeErrorLogEntry: entry");
    return 0;
}

/* ----------------------------------------------------------- work items */

static WorkRec *work_find(NtIo *io, GuestAddr item)
{
    for (unsigned i = 0; i < io->nwork; i++)
        if (io->work[i].item == item)
            return &io->work[i];
    return NULL;
}

/* PIO_WORKITEM IoAllocateWorkItem(PDEVICE_OBJECT DeviceObject); */
NTAPI(IoAllocateWorkItem)
{
    NtIo *io = nt->io;
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    if (!dev_find(io, a[0]))
        vm_throw(nt->vm, VM_FAULT_API, "IoAllocateWorkItem: 0x%08x is not a device object", a[0]);
    if (grow((void **)&io->work, &io->capwork, io->nwork + 1, sizeof *io->work) < 0)
        return 0;
    GuestAddr w = nt_pool_alloc(nt, WORK_ITEM_SIZE, TAG_WORK);
    if (!w)
        return 0;
    memset(vm_guest(nt->vm, w, WORK_ITEM_SIZE, "work item"), 0, WORK_ITEM_SIZE);
    vm_wr32(nt->vm, w, a[0]); /* opaque to drivers: keep the device first */
    io->work[io->nwork++] = (WorkRec){w, 0};
    return w;
}

static void work_done(Nt *nt, void *opaque)
{
    WorkRec *r = work_find(nt->io, (GuestAddr)(uintptr_t)opaque);
    if (r)
        r->queued = 0;
}

/* VOID IoQueueWorkItem(PIO_WORKITEM IoWorkItem, PIO_WORKITEM_ROUTINE WorkerRoutine,
 *     WORK_QUEUE_TYPE QueueType, PVOID Context); */
NTAPI(IoQueueWorkItem)
{
    nt_check_irql_max(nt, DISPATCH_LEVEL);
    WorkRec *r = work_find(nt->io, a[0]);
    if (!r)
        vm_throw(nt->vm, VM_FAULT_API, "IoQueueWorkItem: 0x%08x is not from IoAllocateWorkItem",
                 a[0]);
    if (r->queued)
        vm_throw(nt->vm, VM_FAULT_API, "IoQueueWorkItem: work item 0x%08x is already queued", a[0]);
    if (!a[1])
        vm_throw(nt->vm, VM_FAULT_API, "IoQueueWorkItem: NULL WorkerRoutine");
    uint32_t args[2] = {vm_rd32(nt->vm, a[0]), a[3]};
    if (nt_ke_queue_passive(nt, a[1], args, 2, "IoWorkItem", a[0], work_done,
                            (void *)(uintptr_t)a[0]) < 0)
        vm_throw(nt->vm, VM_FAULT_API, "IoQueueWorkItem: work item 0x%08x is already queued", a[0]);
    r->queued = 1;
    return 0;
}

/* VOID IoFreeWorkItem(PIO_WORKITEM IoWorkItem); */
NTAPI(IoFreeWorkItem)
{
    NtIo *io = nt->io;
    WorkRec *r = work_find(io, a[0]);
    if (!r)
        vm_throw(nt->vm, VM_FAULT_API, "IoFreeWorkItem: 0x%08x is not from IoAllocateWorkItem",
                 a[0]);
    if (r->queued)
        vm_throw(nt->vm, VM_FAULT_API, "IoFreeWorkItem: work item 0x%08x is still queued", a[0]);
    *r = io->work[--io->nwork];
    io_free(nt, a[0], "IoFreeWorkItem: work item");
    return 0;
}

/* ======================================================== host side */

int64_t nt_io_load_driver(Nt *nt, NtImage *img, const char *service)
{
    NtIo *io = nt->io;
    if (io->ndrivers == MAX_DRIVERS) {
        vm_fault(nt->vm, VM_FAULT_HOST, "more than %d drivers loaded", MAX_DRIVERS);
        return -1;
    }
    Driver *dr = &io->drivers[io->ndrivers];
    memset(dr, 0, sizeof *dr);
    snprintf(dr->service, sizeof dr->service, "%s", service);
    snprintf(dr->image, sizeof dr->image, "%s", img->name);
    nt_reg_ensure_service(nt, service, img->name);

    char drvname[200], regpath[300];
    snprintf(drvname, sizeof drvname, "\\Driver\\%s", service);
    snprintf(regpath, sizeof regpath, "%s\\%s", NT_REG_SERVICES, service);
    static const char hwdb[] = "\\REGISTRY\\MACHINE\\HARDWARE\\DESCRIPTION\\SYSTEM";
    uint32_t objsize = sizeof(GDriverObject) + sizeof(GDriverExtension);
    uint32_t s1 = 8 + 2 * (uint32_t)strlen(drvname) + 2, s2 = 8 + 2 * (uint32_t)strlen(regpath) + 2,
             s3 = 8 + 2 * (uint32_t)strlen(service) + 2, s4 = 8 + 2 * (uint32_t)sizeof hwdb;
    s1 = (s1 + 7) & ~7u;
    s2 = (s2 + 7) & ~7u;
    s3 = (s3 + 7) & ~7u;
    /* System-area memory, not pool: the kernel's own objects are not the
     * driver's allocations and must not show up in its leak report. */
    dr->obj = vm_alloc_sys(nt->vm, objsize);
    dr->strings = vm_alloc_sys(nt->vm, s1 + s2 + s3 + s4);
    if (!dr->obj || !dr->strings) {
        vm_fault(nt->vm, VM_FAULT_HOST, "out of system memory for the DRIVER_OBJECT");
        return -1;
    }
    memset(vm_ptr(nt->vm, dr->obj, objsize), 0, objsize);
    memset(vm_ptr(nt->vm, dr->strings, s1 + s2 + s3 + s4), 0, s1 + s2 + s3 + s4);
    GuestAddr sname = dr->strings, sreg = sname + s1, ssvc = sreg + s2, shw = ssvc + s3;
    put_ustr(nt, sname, drvname);
    put_ustr(nt, sreg, regpath);
    put_ustr(nt, ssvc, service);
    put_ustr(nt, shw, hwdb);
    dr->regpath = sreg;
    GDriverObject *o = vm_ptr(nt->vm, dr->obj, objsize);
    GuestAddr ext = dr->obj + sizeof(GDriverObject);
    GDriverExtension *x = (GDriverExtension *)(o + 1);
    o->Type = IO_TYPE_DRIVER;
    o->Size = sizeof(GDriverObject);
    o->DriverStart = img->base;
    o->DriverSize = img->size;
    o->DriverExtension = ext;
    o->DriverName = *(GUnicodeString *)vm_ptr(nt->vm, sname, 8);
    o->HardwareDatabase = shw;
    o->DriverInit = img->entry;
    x->DriverObject = dr->obj;
    x->ServiceKeyName = *(GUnicodeString *)vm_ptr(nt->vm, ssvc, 8);
    dr->loaded = 1;
    io->ndrivers++;

    uint32_t args[2] = {dr->obj, dr->regpath}, ret = 0;
    if (vm_call(nt->vm, img->entry, VM_STDCALL, args, 2, "DriverEntry", &ret) < 0) {
        nt_dbg_flush(nt);
        return -1;
    }
    nt_dbg_flush(nt);
    if (nt_irql(nt) != PASSIVE_LEVEL) {
        vm_fault(nt->vm, VM_FAULT_IRQL,
                 "DriverEntry returned at IRQL %u (it must return at PASSIVE_LEVEL)", nt_irql(nt));
        return -1;
    }
    /* The I/O manager clears DO_DEVICE_INITIALIZING on devices created in DriverEntry. */
    for (unsigned i = 0; i < io->ndev; i++) {
        if (io->dev[i].driver != dr->obj)
            continue;
        GDeviceObject *d = vm_ptr(nt->vm, io->dev[i].addr, sizeof *d);
        if (d)
            d->Flags &= ~DO_DEVICE_INITIALIZING;
    }
    if (NT_SUCCESS(ret))
        nt_ke_run_pending(nt);
    return (int64_t)ret;
}

void nt_io_list_devices(Nt *nt, FILE *f)
{
    NtIo *io = nt->io;
    for (unsigned i = 0; i < io->ndev; i++) {
        const Device *r = &io->dev[i];
        const GDeviceObject *d = vm_ptr(nt->vm, r->addr, sizeof *d);
        if (!d)
            continue;
        const Driver *dr = NULL;
        for (unsigned j = 0; j < io->ndrivers; j++)
            if (io->drivers[j].obj == r->driver)
                dr = &io->drivers[j];
        fprintf(
            f,
            "device: %s at 0x%08x (driver \\Driver\\%s) type 0x%x flags 0x%x characteristics 0x%x "
            "extension %u bytes stack %d%s\n",
            r->name[0] ? r->name : "(unnamed)", r->addr, dr ? dr->service : "?", d->DeviceType,
            d->Flags, d->Characteristics, r->ext_size, d->StackSize,
            d->AttachedDevice ? " (has a device attached)" : "");
    }
    for (unsigned i = 0; i < io->nlinks; i++)
        fprintf(f, "symlink: %s -> %s\n", io->links[i].link, io->links[i].target);
    fflush(f);
}

/* Device for a name given to nt_io_open: NT device names and links (up to 8
 * links deep, a link may point at another link). */
static Device *resolve_name(NtIo *io, const char *name)
{
    char cur[NAME_LEN], canon[NAME_LEN];
    if (name[0] != '\\')
        snprintf(cur, sizeof cur, "\\??\\%s", name);
    else
        snprintf(cur, sizeof cur, "%s", name);
    for (int depth = 0; depth < 8; depth++) {
        canon_name(cur, canon, sizeof canon);
        Device *d = dev_by_name(io, canon);
        if (d)
            return d;
        Symlink *s = link_find(io, canon);
        if (!s)
            return NULL;
        snprintf(cur, sizeof cur, "%s", s->target);
    }
    return NULL;
}

typedef struct HostReq {
    uint8_t major;
    GuestAddr fo, dev;
    const void *in;
    uint32_t inlen;
    void *out;
    uint32_t outlen;
    uint32_t code;
    int ioctl;
} HostReq;

static GuestAddr pool_copy(Nt *nt, const void *src, uint32_t len, IrpRec *r, unsigned slot)
{
    if (!len)
        return 0;
    GuestAddr g = nt_pool_alloc(nt, len, TAG_BUF);
    if (!g)
        return 0;
    uint8_t *p = vm_ptr(nt->vm, g, len);
    if (src)
        memcpy(p, src, len);
    else
        memset(p, 0, len);
    r->bufs[slot] = g;
    return g;
}

static void release_host_irp(Nt *nt, GuestAddr irp)
{
    IrpRec *r = irp_find(nt->io, irp);
    if (!r)
        return;
    GuestAddr bufs[4], mdl = r->mdl;
    memcpy(bufs, r->bufs, sizeof bufs);
    irp_untrack(nt->io, irp);
    for (unsigned i = 0; i < 4; i++)
        if (bufs[i])
            io_free(nt, bufs[i], "request buffer");
    if (mdl)
        io_free(nt, mdl, "request MDL");
    io_free(nt, irp, "request IRP");
}

/* Build, send and wait for one request. Returns 0 (res filled), -1 if the
 * run stopped. */
static int host_request(Nt *nt, const HostReq *q, NtRequestResult *res)
{
    NtIo *io = nt->io;
    memset(res, 0, sizeof *res);
    if (!dev_find(io, q->dev)) {
        res->status = STATUS_DELETE_PENDING; /* the device was deleted under an open handle */
        return 0;
    }
    GuestAddr target = top_of_stack(nt, q->dev);
    if (!target)
        return -1;
    const GDeviceObject *d = vm_ptr(nt->vm, target, sizeof *d);
    if (d->StackSize < 1) {
        vm_fault(nt->vm, VM_FAULT_API, "device 0x%08x has StackSize %d", target, d->StackSize);
        return -1;
    }
    uint32_t devflags = d->Flags;
    GuestAddr irp = irp_alloc(nt, d->StackSize);
    IrpRec *r = irp ? irp_track(nt, irp, IRP_HOST) : NULL;
    if (!r) {
        vm_fault(nt->vm, VM_FAULT_HOST, "out of pool for a request IRP");
        return -1;
    }
    int method;
    if (q->ioctl)
        method = (int)(q->code & 3);
    else if (q->major == IRP_MJ_READ || q->major == IRP_MJ_WRITE)
        method = (devflags & DO_BUFFERED_IO) ? METHOD_BUFFERED
                 : (devflags & DO_DIRECT_IO) ? METHOD_OUT_DIRECT
                                             : METHOD_NEITHER;
    else
        method = -1;
    GuestAddr sysbuf = 0, ubuf = 0, ibuf = 0, mdl = 0, secctx = 0;
    int isread = q->major == IRP_MJ_READ, iswrite = q->major == IRP_MJ_WRITE;
    uint32_t rwlen = isread ? q->outlen : q->inlen;
    uint32_t flags = 0;
    if (method == METHOD_BUFFERED) {
        uint32_t n = q->ioctl ? (q->inlen > q->outlen ? q->inlen : q->outlen) : rwlen;
        if (n) {
            sysbuf = pool_copy(nt, NULL, n, r, 0);
            if (!sysbuf)
                goto oom;
            if (q->inlen)
                memcpy(vm_ptr(nt->vm, sysbuf, q->inlen), q->in, q->inlen);
            flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER |
                     ((q->ioctl ? q->outlen != 0 : isread) ? IRP_INPUT_OPERATION : 0);
        }
        if (q->outlen && !(ubuf = pool_copy(nt, NULL, q->outlen, r, 1)))
            goto oom;
    } else if (method == METHOD_IN_DIRECT || method == METHOD_OUT_DIRECT) {
        if (q->ioctl && q->inlen) {
            if (!(sysbuf = pool_copy(nt, q->in, q->inlen, r, 0)))
                goto oom;
            flags |= IRP_BUFFERED_IO | IRP_DEALLOCATE_BUFFER;
        }
        /* the data buffer: the output buffer (ioctl, read) or the data (write) */
        const void *init = iswrite ? q->in : q->ioctl ? q->out : NULL;
        uint32_t len = q->ioctl ? q->outlen : rwlen;
        if (len) {
            if (!(ubuf = pool_copy(nt, init, len, r, 1)))
                goto oom;
            mdl = nt_mm_alloc_mdl(nt, ubuf, len);
            if (!mdl)
                goto oom;
            r->mdl = mdl;
            int devwrites = isread || (q->ioctl && method == METHOD_OUT_DIRECT);
            /* MmProbeAndLockPages done: locked, not yet mapped */
            GMdl *m = vm_ptr(nt->vm, mdl, sizeof *m);
            uint32_t pages = nt_mm_span_pages(ubuf, len);
            uint32_t *pfn = vm_ptr(nt->vm, mdl + sizeof(GMdl), 4 * pages);
            for (uint32_t i = 0; i < pages; i++)
                pfn[i] = (m->StartVa >> 12) + i;
            m->MdlFlags = (int16_t)(MDL_PAGES_LOCKED | (devwrites ? MDL_WRITE_OPERATION : 0));
        }
    } else if (method == METHOD_NEITHER) {
        if (q->ioctl) {
            if (q->inlen && !(ibuf = pool_copy(nt, q->in, q->inlen, r, 0)))
                goto oom;
            if (q->outlen && !(ubuf = pool_copy(nt, q->out, q->outlen, r, 1)))
                goto oom;
        } else if (rwlen && !(ubuf = pool_copy(nt, iswrite ? q->in : NULL, rwlen, r, 1))) {
            goto oom;
        }
    }
    if (q->major == IRP_MJ_CREATE) {
        /* IO_SECURITY_CONTEXT: SecurityQos, AccessState, DesiredAccess, FullCreateOptions */
        if (!(secctx = pool_copy(nt, NULL, 16, r, 2)))
            goto oom;
        uint32_t *sc = vm_ptr(nt->vm, secctx, 16);
        sc[2] = 0x0012019Fu; /* FILE_GENERIC_READ | FILE_GENERIC_WRITE */
        sc[3] = 0x60;        /* FILE_SYNCHRONOUS_IO_NONALERT | FILE_NON_DIRECTORY_FILE */
        flags |= IRP_CREATE_OPERATION | IRP_SYNCHRONOUS_API;
    }
    if (isread)
        flags |= IRP_READ_OPERATION;
    if (iswrite)
        flags |= IRP_WRITE_OPERATION;
    if (q->major == IRP_MJ_CLOSE)
        flags |= IRP_CLOSE_OPERATION;

    GIrp *ip = vm_ptr(nt->vm, irp, IRP_SIZE);
    ip->Flags = flags;
    ip->AssociatedIrp = sysbuf;
    ip->MdlAddress = mdl;
    ip->UserBuffer = ubuf;
    ip->RequestorMode = KernelMode;
    ip->Thread = nt->current_thread;
    ip->OriginalFileObject = q->fo;
    GIoStackLocation *s = vm_ptr(nt->vm, next_sl(nt, irp), SL_SIZE);
    s->MajorFunction = q->major;
    s->FileObject = q->fo;
    uint8_t *fo = vm_ptr(nt->vm, q->fo, FILE_OBJECT_SIZE);
    if (q->major == IRP_MJ_CREATE) {
        s->Parameters.Create.SecurityContext = secctx;
        s->Parameters.Create.Options = 1u << 24 | 0x60; /* FILE_OPEN << 24 | options */
        s->Parameters.Create.FileAttributes = 0x80;     /* FILE_ATTRIBUTE_NORMAL */
    } else if (isread || iswrite) {
        s->Parameters.Read.Length = rwlen;
        memcpy(&s->Parameters.Read.ByteOffset, fo + FO_CURRENT_BYTE_OFFSET, 8);
    } else if (q->ioctl) {
        s->Parameters.DeviceIoControl.OutputBufferLength = q->outlen;
        s->Parameters.DeviceIoControl.InputBufferLength = q->inlen;
        s->Parameters.DeviceIoControl.IoControlCode = q->code;
        s->Parameters.DeviceIoControl.Type3InputBuffer = ibuf;
    }

    uint32_t st = call_driver(nt, target, irp);
    if (vm_stopped(nt->vm))
        return -1;
    r = irp_find(io, irp);
    if (!r->completed && st == STATUS_PENDING) {
        /* Let DPCs, timers and work items run; virtual time moves on. */
        nt_ke_run_pending(nt);
        uint64_t deadline = vm_time_ns(nt->vm) + 10ull * 1000000000ull;
        while (!vm_stopped(nt->vm) && !irp_find(io, irp)->completed && nt_ke_idle(nt, deadline))
            ;
        if (vm_stopped(nt->vm))
            return -1;
        r = irp_find(io, irp);
    }
    if (!r->completed) {
        if (st == STATUS_PENDING) {
            nt_log(nt,
                   "io: %s: the driver returned STATUS_PENDING and did not complete the IRP within "
                   "10 s of virtual time\n",
                   major_names[q->major]);
            res->pending = 1;
        } else {
            nt_log(nt,
                   "warning: %s: the dispatch routine returned 0x%08x without completing the IRP "
                   "(IoCompleteRequest); the IRP is leaked\n",
                   major_names[q->major], st);
        }
        res->status = st;
        r->orphan = 1;
        return 0;
    }
    ip = vm_ptr(nt->vm, irp, IRP_SIZE);
    res->status = ip->IoStatus.Status;
    res->information = ip->IoStatus.Information;
    if (st != res->status && st != STATUS_PENDING)
        nt_log(
            nt,
            "warning: %s: the dispatch routine returned 0x%08x but completed the IRP with 0x%08x\n",
            major_names[q->major], st, res->status);
    uint32_t outcap = q->ioctl || isread ? q->outlen : 0;
    /* Only buffered I/O copies Information bytes back: there it must fit. */
    if (method == METHOD_BUFFERED && res->information > outcap && (q->ioctl || isread) &&
        !NT_ERROR(res->status)) {
        nt_log(nt, "warning: %s: Information %u is larger than the %u-byte output buffer\n",
               major_names[q->major], res->information, outcap);
    }
    uint32_t n = res->information < outcap ? res->information : outcap;
    if (n && !NT_ERROR(res->status) && q->out) {
        GuestAddr from = method == METHOD_BUFFERED ? sysbuf : ubuf;
        const void *p = from ? vm_ptr(nt->vm, from, n) : NULL;
        if (p)
            memcpy(q->out, p, n);
    }
    if ((isread || iswrite) && !NT_ERROR(res->status)) {
        uint64_t off;
        memcpy(&off, fo + FO_CURRENT_BYTE_OFFSET, 8);
        off += res->information;
        memcpy(fo + FO_CURRENT_BYTE_OFFSET, &off, 8);
    }
    release_host_irp(nt, irp);
    return 0;
oom:
    release_host_irp(nt, irp);
    vm_fault(nt->vm, VM_FAULT_HOST, "out of pool for a request");
    return -1;
}

int nt_io_open(Nt *nt, const char *name, NtRequestResult *res)
{
    NtIo *io = nt->io;
    memset(res, 0, sizeof *res);
    Device *d = resolve_name(io, name);
    if (!d) {
        res->status = STATUS_OBJECT_NAME_NOT_FOUND;
        return 0;
    }
    unsigned slot;
    for (slot = 0; slot < MAX_FILES && io->files[slot].fo; slot++)
        ;
    if (slot == MAX_FILES) {
        res->status = STATUS_INSUFFICIENT_RESOURCES;
        return 0;
    }
    GuestAddr fo = nt_pool_alloc(nt, FILE_OBJECT_SIZE, TAG_FILE);
    if (!fo) {
        res->status = STATUS_INSUFFICIENT_RESOURCES;
        return 0;
    }
    uint8_t *p = vm_ptr(nt->vm, fo, FILE_OBJECT_SIZE);
    memset(p, 0, FILE_OBJECT_SIZE);
    int16_t type = IO_TYPE_FILE, size = FILE_OBJECT_SIZE;
    memcpy(p, &type, 2);
    memcpy(p + 2, &size, 2);
    memcpy(p + FO_DEVICE_OBJECT, &d->addr, 4);
    uint32_t foflags = FO_SYNCHRONOUS_IO;
    memcpy(p + FO_FLAGS, &foflags, 4);
    GKEvent *ev = (GKEvent *)(p + FO_EVENT); /* KeInitializeEvent(NotificationEvent, FALSE) */
    ev->Header.Type = KOBJ_EVENT_NOTIFICATION;
    ev->Header.Size = sizeof(GKEvent) / 4;
    ev->Header.WaitListHead.Flink = fo + FO_EVENT + offsetof(GDispatcherHeader, WaitListHead);
    ev->Header.WaitListHead.Blink = ev->Header.WaitListHead.Flink;
    HostReq q = {.major = IRP_MJ_CREATE, .fo = fo, .dev = d->addr};
    if (host_request(nt, &q, res) < 0)
        return -1;
    if (!NT_SUCCESS(res->status) || res->pending) {
        if (!res->pending)
            io_free(nt, fo, "FILE_OBJECT");
        return 0;
    }
    io->files[slot] = (OpenFile){fo, d->addr};
    return (int)slot + 1;
}

static OpenFile *file_of(NtIo *io, int h)
{
    if (h < 1 || h > MAX_FILES || !io->files[h - 1].fo)
        return NULL;
    return &io->files[h - 1];
}

int nt_io_read(Nt *nt, int h, void *out, uint32_t outlen, NtRequestResult *res)
{
    OpenFile *f = file_of(nt->io, h);
    if (!f)
        return -2;
    HostReq q = {.major = IRP_MJ_READ, .fo = f->fo, .dev = f->dev, .out = out, .outlen = outlen};
    return host_request(nt, &q, res);
}

int nt_io_write(Nt *nt, int h, const void *in, uint32_t inlen, NtRequestResult *res)
{
    OpenFile *f = file_of(nt->io, h);
    if (!f)
        return -2;
    HostReq q = {.major = IRP_MJ_WRITE, .fo = f->fo, .dev = f->dev, .in = in, .inlen = inlen};
    return host_request(nt, &q, res);
}

int nt_io_ioctl(Nt *nt, int h, uint32_t code, const void *in, uint32_t inlen, void *out,
                uint32_t outlen, NtRequestResult *res)
{
    OpenFile *f = file_of(nt->io, h);
    if (!f)
        return -2;
    HostReq q = {.major = IRP_MJ_DEVICE_CONTROL,
                 .fo = f->fo,
                 .dev = f->dev,
                 .in = in,
                 .inlen = inlen,
                 .out = out,
                 .outlen = outlen,
                 .code = code,
                 .ioctl = 1};
    return host_request(nt, &q, res);
}

int nt_io_close(Nt *nt, int h, NtRequestResult *res)
{
    OpenFile *f = file_of(nt->io, h);
    if (!f)
        return -2;
    OpenFile file = *f;
    HostReq q = {.major = IRP_MJ_CLEANUP, .fo = file.fo, .dev = file.dev};
    if (host_request(nt, &q, res) < 0)
        return -1;
    q.major = IRP_MJ_CLOSE;
    if (host_request(nt, &q, res) < 0)
        return -1;
    nt->io->files[h - 1] = (OpenFile){0, 0};
    io_free(nt, file.fo, "FILE_OBJECT");
    return 0;
}

int nt_io_unload_driver(Nt *nt)
{
    NtIo *io = nt->io;
    Driver *dr = NULL;
    for (unsigned i = io->ndrivers; i-- > 0;)
        if (io->drivers[i].loaded) {
            dr = &io->drivers[i];
            break;
        }
    if (!dr)
        return 1;
    /* Handles the user left open are closed first, as process exit would. */
    for (int h = 1; h <= MAX_FILES; h++) {
        NtRequestResult res;
        if (io->files[h - 1].fo && nt_io_close(nt, h, &res) < 0)
            return -1;
    }
    const GDriverObject *o = vm_ptr(nt->vm, dr->obj, sizeof *o);
    GuestAddr unload = o ? o->DriverUnload : 0;
    if (!unload)
        return 1;
    uint32_t arg = dr->obj, ret;
    int rc = vm_call(nt->vm, unload, VM_STDCALL, &arg, 1, "DriverUnload", &ret);
    nt_dbg_flush(nt);
    if (rc < 0)
        return -1;
    nt_ke_run_pending(nt);
    if (vm_stopped(nt->vm))
        return -1;
    for (unsigned i = 0; i < io->ndev; i++)
        if (io->dev[i].driver == dr->obj)
            nt_log(nt,
                   "warning: %s: DriverUnload left device %s (0x%08x) undeleted (IoDeleteDevice)\n",
                   dr->image, io->dev[i].name[0] ? io->dev[i].name : "(unnamed)", io->dev[i].addr);
    for (unsigned i = 0; i < io->nlinks; i++)
        nt_log(nt, "warning: %s: DriverUnload left symbolic link %s -> %s (IoDeleteSymbolicLink)\n",
               dr->image, io->links[i].link, io->links[i].target);
    for (unsigned i = 0; i < io->nwork; i++)
        nt_log(nt, "warning: %s: work item 0x%08x was not freed (IoFreeWorkItem)\n", dr->image,
               io->work[i].item);
    for (unsigned i = 0; i < io->nirps; i++)
        if (io->irps[i].kind != IRP_DRIVER && !io->irps[i].completed)
            nt_log(nt,
                   "warning: %s: IRP 0x%08x is still pending at unload (Windows: bug check 0xCE "
                   "DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS)\n",
                   dr->image, io->irps[i].irp);
    unsigned handles = nt_handle_count(nt);
    if (handles)
        nt_log(nt, "warning: %s: %u kernel handle(s) left open (ZwClose)\n", dr->image, handles);
    dr->loaded = 0;
    return 0;
}
