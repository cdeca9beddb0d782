/* ktest cases for the I/O manager (src/nt/ntoskrnl/io.c): device objects,
 * symbolic links, IRPs with completion routines across two devices of this
 * driver, IoBuildDeviceIoControlRequest / IoBuildSynchronousFsdRequest with
 * each buffering method, error-log entries, work items; and the devices
 * that serve host requests (\Device\KTest ..., see io_ioctl.h), created in
 * kt_io_serve_setup and deleted by DriverUnload.
 * Expected behaviour: learn.microsoft.com pages of each routine, "Completing
 * IRPs", "Buffer Descriptions for I/O Control Codes". */
#include "ktest.h"

#include "io_ioctl.h"

#define KT_MAGIC 0x6f49744bu /* 'KtIo' */

enum { KT_ROLE_SERVE = 1, KT_ROLE_LOWER = 2 };

typedef struct KtExt {
    ULONG magic;
    ULONG role;
    ULONG stored_len;
    UCHAR stored[KT_STORE_MAX];
    PIRP pending;
    KTIMER timer;
    KDPC dpc;
    LONG opens;
} KtExt;

static PDEVICE_OBJECT kt_serve[3];
static const WCHAR *const kt_serve_dev[3] = {L"\\Device\\KTest", L"\\Device\\KTestDirect",
                                             L"\\Device\\KTestNeither"};
static const WCHAR *const kt_serve_link[3] = {L"\\DosDevices\\KTest", L"\\DosDevices\\KTestDirect",
                                              L"\\DosDevices\\KTestNeither"};

static NTSTATUS kt_complete(PIRP irp, NTSTATUS st, ULONG_PTR info)
{
    irp->IoStatus.Status = st;
    irp->IoStatus.Information = info;
    IoCompleteRequest(irp, IO_NO_INCREMENT);
    return st;
}

static VOID NTAPI kt_pend_dpc(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    KtExt *x = ctx;
    PIRP irp = x->pending;
    x->pending = NULL;
    if (irp)
        kt_complete(irp, STATUS_SUCCESS, KT_PEND_INFORMATION);
}

static VOID NTAPI kt_cancel(PDEVICE_OBJECT dev, PIRP irp)
{
    IoReleaseCancelSpinLock(irp->CancelIrql);
    kt_complete(irp, STATUS_CANCELLED, 0);
}

/* The buffers of a request, by method (METHOD_* or, for read/write, from
 * the device flags). */
static ULONG kt_method_rw(PDEVICE_OBJECT dev)
{
    return (dev->Flags & DO_BUFFERED_IO) ? METHOD_BUFFERED
           : (dev->Flags & DO_DIRECT_IO) ? METHOD_OUT_DIRECT
                                         : METHOD_NEITHER;
}

static PVOID kt_data_buffer(PIRP irp, ULONG method)
{
    switch (method) {
    case METHOD_BUFFERED:
        return irp->AssociatedIrp.SystemBuffer;
    case METHOD_IN_DIRECT:
    case METHOD_OUT_DIRECT:
        return irp->MdlAddress ? MmGetSystemAddressForMdlSafe(irp->MdlAddress, NormalPagePriority)
                               : NULL;
    default:
        return irp->UserBuffer;
    }
}

static NTSTATUS NTAPI kt_dispatch(PDEVICE_OBJECT dev, PIRP irp)
{
    KtExt *x = dev->DeviceExtension;
    PIO_STACK_LOCATION sp = IoGetCurrentIrpStackLocation(irp);
    if (!x || x->magic != KT_MAGIC)
        return kt_complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    switch (sp->MajorFunction) {
    case IRP_MJ_CREATE:
        x->opens++;
        return kt_complete(irp, STATUS_SUCCESS, 0);
    case IRP_MJ_CLEANUP:
        return kt_complete(irp, STATUS_SUCCESS, 0);
    case IRP_MJ_CLOSE:
        x->opens--;
        return kt_complete(irp, STATUS_SUCCESS, 0);
    case IRP_MJ_WRITE: {
        ULONG len = sp->Parameters.Write.Length;
        PUCHAR p = kt_data_buffer(irp, kt_method_rw(dev));
        if (len > KT_STORE_MAX)
            return kt_complete(irp, STATUS_BUFFER_OVERFLOW, 0);
        if (len && !p)
            return kt_complete(irp, STATUS_INVALID_PARAMETER, 0);
        RtlCopyMemory(x->stored, p, len);
        x->stored_len = len;
        return kt_complete(irp, STATUS_SUCCESS, len);
    }
    case IRP_MJ_READ: {
        ULONG len = sp->Parameters.Read.Length;
        PUCHAR p = kt_data_buffer(irp, kt_method_rw(dev));
        if (len && !p)
            return kt_complete(irp, STATUS_INVALID_PARAMETER, 0);
        for (ULONG i = 0; i < len; i++)
            p[i] = kt_pattern(i);
        return kt_complete(irp, STATUS_SUCCESS, len);
    }
    case IRP_MJ_DEVICE_CONTROL:
    case IRP_MJ_INTERNAL_DEVICE_CONTROL: {
        ULONG code = sp->Parameters.DeviceIoControl.IoControlCode;
        ULONG inlen = sp->Parameters.DeviceIoControl.InputBufferLength;
        ULONG outlen = sp->Parameters.DeviceIoControl.OutputBufferLength;
        ULONG method = code & 3;
        switch (code) {
        case KT_IOCTL_ECHO_BUFFERED:
        case KT_IOCTL_ECHO_IN_DIRECT:
        case KT_IOCTL_ECHO_OUT_DIRECT:
        case KT_IOCTL_ECHO_NEITHER: {
            PVOID in = method == METHOD_NEITHER ? sp->Parameters.DeviceIoControl.Type3InputBuffer
                                                : irp->AssociatedIrp.SystemBuffer;
            PVOID out = kt_data_buffer(irp, method);
            ULONG n = inlen < outlen ? inlen : outlen;
            if (n && (!in || !out))
                return kt_complete(irp, STATUS_INVALID_PARAMETER, 0);
            RtlMoveMemory(out, in, n);
            return kt_complete(irp, STATUS_SUCCESS, n);
        }
        case KT_IOCTL_GET_STORED: {
            if (outlen < x->stored_len)
                return kt_complete(irp, STATUS_BUFFER_TOO_SMALL, 0);
            RtlCopyMemory(irp->AssociatedIrp.SystemBuffer, x->stored, x->stored_len);
            return kt_complete(irp, STATUS_SUCCESS, x->stored_len);
        }
        case KT_IOCTL_PEND: {
            LARGE_INTEGER due;
            if (x->pending)
                return kt_complete(irp, STATUS_DEVICE_BUSY, 0);
            IoMarkIrpPending(irp);
            x->pending = irp;
            due.QuadPart = -10 * 10000; /* 10 ms */
            KeSetTimer(&x->timer, due, &x->dpc);
            return STATUS_PENDING;
        }
        case KT_IOCTL_PEND_CANCEL:
            IoMarkIrpPending(irp);
            IoSetCancelRoutine(irp, kt_cancel);
            return STATUS_PENDING;
        case KT_IOCTL_SUCCEED:
            return kt_complete(irp, STATUS_SUCCESS, KT_PEND_INFORMATION);
        case KT_IOCTL_FAIL:
            return kt_complete(irp, STATUS_UNSUCCESSFUL, 0);
        default:
            return kt_complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
        }
    }
    default:
        return kt_complete(irp, STATUS_INVALID_DEVICE_REQUEST, 0);
    }
}

static void kt_set_dispatch(PDRIVER_OBJECT drv)
{
    static const UCHAR majors[] = {IRP_MJ_CREATE,
                                   IRP_MJ_CLEANUP,
                                   IRP_MJ_CLOSE,
                                   IRP_MJ_READ,
                                   IRP_MJ_WRITE,
                                   IRP_MJ_DEVICE_CONTROL,
                                   IRP_MJ_INTERNAL_DEVICE_CONTROL};
    for (unsigned i = 0; i < sizeof majors; i++)
        drv->MajorFunction[majors[i]] = kt_dispatch;
}

static PDEVICE_OBJECT kt_new_device(PDRIVER_OBJECT drv, const WCHAR *name, ULONG role, ULONG flags)
{
    UNICODE_STRING us;
    PDEVICE_OBJECT dev = NULL;
    if (name)
        RtlInitUnicodeString(&us, name);
    if (IoCreateDevice(drv, sizeof(KtExt), name ? &us : NULL, FILE_DEVICE_UNKNOWN, 0, FALSE,
                       &dev) != STATUS_SUCCESS)
        return NULL;
    KtExt *x = dev->DeviceExtension;
    x->magic = KT_MAGIC;
    x->role = role;
    KeInitializeTimer(&x->timer);
    KeInitializeDpc(&x->dpc, kt_pend_dpc, x);
    dev->Flags |= flags;
    dev->Flags &= ~DO_DEVICE_INITIALIZING;
    return dev;
}

/* ------------------------------------------------------------ devices */

void kt_io_devices(PDRIVER_OBJECT drv)
{
    UNICODE_STRING name, link, link2;
    PDEVICE_OBJECT dev = NULL, dev2 = NULL, unnamed = NULL;
    RtlInitUnicodeString(&name, L"\\Device\\KTestIo1");
    RtlInitUnicodeString(&link, L"\\DosDevices\\KTestIo1");
    RtlInitUnicodeString(&link2, L"\\??\\KTestIo1");
    KT_EQ(IoCreateDevice(drv, 64, &name, FILE_DEVICE_UNKNOWN, FILE_DEVICE_SECURE_OPEN, FALSE, &dev),
          STATUS_SUCCESS);
    if (!dev)
        return;
    KT_EQ(dev->Type, 3);
    KT_EQ(dev->Size, sizeof(DEVICE_OBJECT) + 64);
    KT_OK(dev->DriverObject == drv);
    KT_OK(drv->DeviceObject == dev);
    KT_OK(dev->DeviceExtension != NULL);
    KT_OK(((PUCHAR)dev->DeviceExtension)[0] == 0 && ((PUCHAR)dev->DeviceExtension)[63] == 0);
    KT_OK(dev->Flags & DO_DEVICE_INITIALIZING);
    KT_EQ(dev->StackSize, 1);
    KT_EQ(dev->DeviceType, FILE_DEVICE_UNKNOWN);
    KT_EQ(dev->Characteristics, FILE_DEVICE_SECURE_OPEN);
    KT_OK(dev->AttachedDevice == NULL);
    KT_EQ(IoCreateDevice(drv, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &dev2),
          STATUS_OBJECT_NAME_COLLISION);
    KT_EQ(IoCreateDevice(drv, 0, NULL, FILE_DEVICE_NETWORK, 0, FALSE, &unnamed), STATUS_SUCCESS);
    KT_OK(unnamed && unnamed->DeviceExtension == NULL);
    KT_OK(drv->DeviceObject == unnamed && unnamed->NextDevice == dev);

    KT_EQ(IoCreateSymbolicLink(&link, &name), STATUS_SUCCESS);
    KT_EQ(IoCreateSymbolicLink(&link2, &name),
          STATUS_OBJECT_NAME_COLLISION); /* \DosDevices == \?? */
    KT_EQ(IoDeleteSymbolicLink(&link2), STATUS_SUCCESS);
    KT_EQ(IoDeleteSymbolicLink(&link), STATUS_OBJECT_NAME_NOT_FOUND);

    /* attach the unnamed device on top of the named one */
    KT_OK(IoAttachDeviceToDeviceStack(unnamed, dev) == dev);
    KT_OK(dev->AttachedDevice == unnamed);
    KT_EQ(unnamed->StackSize, 2);
    KT_OK(IoGetAttachedDevice(dev) == unnamed);
    IoDetachDevice(dev);
    KT_OK(dev->AttachedDevice == NULL);

    IoDeleteDevice(unnamed);
    KT_OK(drv->DeviceObject == dev);
    IoDeleteDevice(dev);
    KT_OK(drv->DeviceObject != dev);
    /* the name is free again */
    KT_EQ(IoCreateDevice(drv, 0, &name, FILE_DEVICE_UNKNOWN, 0, FALSE, &dev2), STATUS_SUCCESS);
    if (dev2)
        IoDeleteDevice(dev2);
}

/* ----------------------------------------------------------------- IRPs */

typedef struct CompCtx {
    int calls;
    int order;
    PDEVICE_OBJECT dev;
    NTSTATUS status;
    ULONG_PTR info;
    BOOLEAN pending;
    NTSTATUS ret;
    KEVENT done;
} CompCtx;

static int kt_comp_seq;

static NTSTATUS NTAPI kt_comp(PDEVICE_OBJECT dev, PIRP irp, PVOID ctx)
{
    CompCtx *c = ctx;
    c->calls++;
    c->order = ++kt_comp_seq;
    c->dev = dev;
    c->status = irp->IoStatus.Status;
    c->info = irp->IoStatus.Information;
    c->pending = irp->PendingReturned;
    KeSetEvent(&c->done, IO_NO_INCREMENT, FALSE);
    return c->ret;
}

static void kt_ctx_init(CompCtx *c, NTSTATUS ret)
{
    RtlZeroMemory(c, sizeof *c);
    c->ret = ret;
    KeInitializeEvent(&c->done, NotificationEvent, FALSE);
}

static PIRP kt_internal_irp(PDEVICE_OBJECT lower, CCHAR stack, ULONG code)
{
    PIRP irp = IoAllocateIrp(stack, FALSE);
    if (!irp)
        return NULL;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    next->Parameters.DeviceIoControl.IoControlCode = code;
    return irp;
}

void kt_io_irp_completion(PDRIVER_OBJECT drv)
{
    CompCtx c, top, mid;
    kt_set_dispatch(drv);
    PDEVICE_OBJECT lower = kt_new_device(drv, NULL, KT_ROLE_LOWER, DO_BUFFERED_IO);
    PDEVICE_OBJECT upper = kt_new_device(drv, NULL, KT_ROLE_LOWER, 0);
    KT_OK(lower && upper);
    if (!lower || !upper)
        return;

    /* one level: the routine sees no device (the allocator has no location) */
    PIRP irp = kt_internal_irp(lower, lower->StackSize, KT_IOCTL_SUCCEED);
    KT_OK(irp != NULL);
    KT_EQ(irp->StackCount, 1);
    KT_EQ(irp->CurrentLocation, 2);
    kt_ctx_init(&c, STATUS_MORE_PROCESSING_REQUIRED);
    IoSetCompletionRoutine(irp, kt_comp, &c, TRUE, TRUE, TRUE);
    KT_EQ(IoCallDriver(lower, irp), STATUS_SUCCESS);
    KT_EQ(c.calls, 1);
    KT_OK(c.dev == NULL);
    KT_EQ(c.status, STATUS_SUCCESS);
    KT_EQ(c.info, KT_PEND_INFORMATION);
    KT_EQ(c.pending, FALSE);
    KT_EQ(irp->CurrentLocation, 2); /* back at the top after completion */
    IoFreeIrp(irp);

    /* two levels; an on-error-only routine is skipped on success */
    irp = kt_internal_irp(lower, 2, KT_IOCTL_SUCCEED);
    kt_ctx_init(&top, STATUS_MORE_PROCESSING_REQUIRED);
    kt_ctx_init(&mid, STATUS_SUCCESS);
    IoSetCompletionRoutine(irp, kt_comp, &top, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(irp);
    IoGetCurrentIrpStackLocation(irp)->DeviceObject = upper;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    next->Parameters.DeviceIoControl.IoControlCode = KT_IOCTL_SUCCEED;
    IoSetCompletionRoutine(irp, kt_comp, &mid, FALSE, TRUE, FALSE);
    KT_EQ(IoCallDriver(lower, irp), STATUS_SUCCESS);
    KT_EQ(mid.calls, 0);
    KT_EQ(top.calls, 1);
    KT_OK(top.dev == NULL);
    IoFreeIrp(irp);

    /* the same on failure: both run, lower first, the middle one sees `upper` */
    irp = kt_internal_irp(lower, 2, KT_IOCTL_FAIL);
    kt_ctx_init(&top, STATUS_MORE_PROCESSING_REQUIRED);
    kt_ctx_init(&mid, STATUS_SUCCESS);
    IoSetCompletionRoutine(irp, kt_comp, &top, TRUE, TRUE, TRUE);
    IoSetNextIrpStackLocation(irp);
    IoGetCurrentIrpStackLocation(irp)->DeviceObject = upper;
    next = IoGetNextIrpStackLocation(irp);
    next->MajorFunction = IRP_MJ_INTERNAL_DEVICE_CONTROL;
    next->Parameters.DeviceIoControl.IoControlCode = KT_IOCTL_FAIL;
    IoSetCompletionRoutine(irp, kt_comp, &mid, FALSE, TRUE, FALSE);
    KT_EQ(IoCallDriver(lower, irp), STATUS_UNSUCCESSFUL);
    KT_EQ(mid.calls, 1);
    KT_OK(mid.dev == upper);
    KT_EQ(mid.status, STATUS_UNSUCCESSFUL);
    KT_EQ(top.calls, 1);
    KT_OK(mid.order < top.order);
    IoFreeIrp(irp);

    /* pending: completed later from a timer DPC; PendingReturned is set */
    irp = kt_internal_irp(lower, 1, KT_IOCTL_PEND);
    kt_ctx_init(&c, STATUS_MORE_PROCESSING_REQUIRED);
    IoSetCompletionRoutine(irp, kt_comp, &c, TRUE, TRUE, TRUE);
    KT_EQ(IoCallDriver(lower, irp), STATUS_PENDING);
    KT_EQ(c.calls, 0);
    KT_EQ(KeWaitForSingleObject(&c.done, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
    KT_EQ(c.calls, 1);
    KT_EQ(c.pending, TRUE);
    KT_EQ(c.info, KT_PEND_INFORMATION);
    IoFreeIrp(irp);

    /* cancel: the cancel routine completes it with STATUS_CANCELLED */
    irp = kt_internal_irp(lower, 1, KT_IOCTL_PEND_CANCEL);
    kt_ctx_init(&c, STATUS_MORE_PROCESSING_REQUIRED);
    IoSetCompletionRoutine(irp, kt_comp, &c, TRUE, TRUE, TRUE);
    KT_EQ(IoCallDriver(lower, irp), STATUS_PENDING);
    KT_EQ(c.calls, 0);
    KT_OK(irp->CancelRoutine != NULL);
    KT_EQ(IoCancelIrp(irp), TRUE);
    KT_EQ(c.calls, 1);
    KT_EQ(c.status, STATUS_CANCELLED);
    KT_OK(irp->Cancel && irp->CancelRoutine == NULL);
    KT_EQ(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KT_EQ(IoCancelIrp(irp), FALSE); /* no cancel routine any more */
    IoFreeIrp(irp);

    /* an empty MajorFunction slot: STATUS_INVALID_DEVICE_REQUEST */
    KEVENT ev;
    IO_STATUS_BLOCK iosb;
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    iosb.Status = STATUS_PENDING;
    irp = IoBuildSynchronousFsdRequest(IRP_MJ_FLUSH_BUFFERS, lower, NULL, 0, NULL, &ev, &iosb);
    KT_OK(irp != NULL);
    if (irp) {
        KT_EQ(IoCallDriver(lower, irp), STATUS_INVALID_DEVICE_REQUEST);
        KT_EQ(iosb.Status, STATUS_INVALID_DEVICE_REQUEST);
        KT_EQ(KeReadStateEvent(&ev), 1);
    }
    IoDeleteDevice(upper);
    IoDeleteDevice(lower);
}

/* IoBuildDeviceIoControlRequest with each method, then IoCallDriver. */
static void kt_ioctl_echo(PDEVICE_OBJECT dev, ULONG code, BOOLEAN internal)
{
    UCHAR in[8] = "abcdefg", out[16];
    KEVENT ev;
    IO_STATUS_BLOCK iosb;
    RtlFillMemory(out, sizeof out, 0xEE);
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(code, dev, in, sizeof in, out, sizeof out, internal,
                                             &ev, &iosb);
    KT_OK(irp != NULL);
    if (!irp)
        return;
    PIO_STACK_LOCATION next = IoGetNextIrpStackLocation(irp);
    KT_EQ(next->MajorFunction, internal ? IRP_MJ_INTERNAL_DEVICE_CONTROL : IRP_MJ_DEVICE_CONTROL);
    KT_EQ(next->Parameters.DeviceIoControl.IoControlCode, code);
    KT_EQ(next->Parameters.DeviceIoControl.InputBufferLength, sizeof in);
    KT_EQ(next->Parameters.DeviceIoControl.OutputBufferLength, sizeof out);
    if ((code & 3) == METHOD_BUFFERED)
        KT_OK(irp->AssociatedIrp.SystemBuffer != NULL && irp->AssociatedIrp.SystemBuffer != in);
    if ((code & 3) == METHOD_OUT_DIRECT)
        KT_OK(irp->MdlAddress != NULL && MmGetMdlByteCount(irp->MdlAddress) == sizeof out);
    if ((code & 3) == METHOD_NEITHER)
        KT_OK(next->Parameters.DeviceIoControl.Type3InputBuffer == in && irp->UserBuffer == out);
    KT_EQ(IoCallDriver(dev, irp), STATUS_SUCCESS);
    KT_EQ(iosb.Status, STATUS_SUCCESS);
    KT_EQ(iosb.Information, sizeof in);
    KT_OK(RtlCompareMemory(out, in, sizeof in) == sizeof in);
    KT_EQ(out[8], 0xEE);
    KT_EQ(KeReadStateEvent(&ev), 1);
}

void kt_io_build_requests(PDRIVER_OBJECT drv)
{
    kt_set_dispatch(drv);
    PDEVICE_OBJECT dev = kt_new_device(drv, NULL, KT_ROLE_LOWER, DO_BUFFERED_IO);
    KT_OK(dev != NULL);
    if (!dev)
        return;
    kt_ioctl_echo(dev, KT_IOCTL_ECHO_BUFFERED, FALSE);
    kt_ioctl_echo(dev, KT_IOCTL_ECHO_BUFFERED, TRUE);
    kt_ioctl_echo(dev, KT_IOCTL_ECHO_OUT_DIRECT, TRUE);
    kt_ioctl_echo(dev, KT_IOCTL_ECHO_NEITHER, FALSE);

    /* failure: status in the IOSB, no copy back */
    UCHAR out[4] = {1, 2, 3, 4};
    KEVENT ev;
    IO_STATUS_BLOCK iosb;
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    PIRP irp = IoBuildDeviceIoControlRequest(KT_IOCTL_FAIL, dev, NULL, 0, out, sizeof out, FALSE,
                                             &ev, &iosb);
    KT_OK(irp != NULL);
    if (irp) {
        KT_EQ(IoCallDriver(dev, irp), STATUS_UNSUCCESSFUL);
        KT_EQ(iosb.Status, STATUS_UNSUCCESSFUL);
        KT_EQ(out[0], 1);
    }

    /* pending: the caller waits on the event the final completion sets */
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    iosb.Status = STATUS_UNSUCCESSFUL;
    iosb.Information = 0;
    irp = IoBuildDeviceIoControlRequest(KT_IOCTL_PEND, dev, NULL, 0, NULL, 0, FALSE, &ev, &iosb);
    KT_OK(irp != NULL);
    if (irp) {
        KT_EQ(IoCallDriver(dev, irp), STATUS_PENDING);
        KT_EQ(KeWaitForSingleObject(&ev, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
        KT_EQ(iosb.Status, STATUS_SUCCESS);
        KT_EQ(iosb.Information, KT_PEND_INFORMATION);
    }

    /* buffered write then read through IoBuildSynchronousFsdRequest */
    UCHAR data[5] = {9, 8, 7, 6, 5}, rd[6];
    LARGE_INTEGER off;
    off.QuadPart = 0;
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    irp = IoBuildSynchronousFsdRequest(IRP_MJ_WRITE, dev, data, sizeof data, &off, &ev, &iosb);
    KT_OK(irp != NULL);
    if (irp) {
        KT_EQ(IoGetNextIrpStackLocation(irp)->Parameters.Write.Length, sizeof data);
        KT_EQ(IoCallDriver(dev, irp), STATUS_SUCCESS);
        KT_EQ(iosb.Information, sizeof data);
        KtExt *x = dev->DeviceExtension;
        KT_OK(x->stored_len == sizeof data && x->stored[4] == 5);
    }
    KeInitializeEvent(&ev, NotificationEvent, FALSE);
    irp = IoBuildSynchronousFsdRequest(IRP_MJ_READ, dev, rd, sizeof rd, &off, &ev, &iosb);
    KT_OK(irp != NULL);
    if (irp) {
        KT_EQ(IoCallDriver(dev, irp), STATUS_SUCCESS);
        KT_EQ(iosb.Information, sizeof rd);
        KT_OK(rd[0] == kt_pattern(0) && rd[5] == kt_pattern(5));
    }
    IoDeleteDevice(dev);
}

/* ------------------------------------------------ error log, work items */

void kt_io_errorlog(PDRIVER_OBJECT drv)
{
    PDEVICE_OBJECT dev = kt_new_device(drv, NULL, KT_ROLE_LOWER, 0);
    if (!dev)
        return;
    PIO_ERROR_LOG_PACKET e = IoAllocateErrorLogEntry(dev, sizeof(IO_ERROR_LOG_PACKET) + 4);
    KT_OK(e != NULL);
    if (e) {
        KT_EQ(e->ErrorCode, 0);
        e->ErrorCode = 0xC0040001;
        e->UniqueErrorValue = 77;
        e->FinalStatus = STATUS_DEVICE_NOT_READY;
        e->DumpDataSize = 8;
        e->DumpData[0] = 0x11223344;
        e->DumpData[1] = 0x55667788;
        IoWriteErrorLogEntry(e);
    }
    KT_OK(IoAllocateErrorLogEntry(dev, 0xFF) == NULL); /* above ERROR_LOG_MAXIMUM_SIZE */
    IoDeleteDevice(dev);
}

typedef struct WorkCtx {
    int runs;
    KIRQL irql;
    PDEVICE_OBJECT dev;
    KEVENT done;
} WorkCtx;

static VOID NTAPI kt_work(PDEVICE_OBJECT dev, PVOID ctx)
{
    WorkCtx *w = ctx;
    w->runs++;
    w->irql = KeGetCurrentIrql();
    w->dev = dev;
    KeSetEvent(&w->done, IO_NO_INCREMENT, FALSE);
}

void kt_io_workitem(PDRIVER_OBJECT drv)
{
    WorkCtx w;
    PDEVICE_OBJECT dev = kt_new_device(drv, NULL, KT_ROLE_LOWER, 0);
    if (!dev)
        return;
    RtlZeroMemory(&w, sizeof w);
    KeInitializeEvent(&w.done, NotificationEvent, FALSE);
    PIO_WORKITEM item = IoAllocateWorkItem(dev);
    KT_OK(item != NULL);
    if (item) {
        IoQueueWorkItem(item, kt_work, DelayedWorkQueue, &w);
        KT_EQ(KeWaitForSingleObject(&w.done, Executive, KernelMode, FALSE, NULL), STATUS_SUCCESS);
        KT_EQ(w.runs, 1);
        KT_EQ(w.irql, PASSIVE_LEVEL);
        KT_OK(w.dev == dev);
        IoFreeWorkItem(item);
    }
    IoDeleteDevice(dev);
}

void kt_io_misc(PDRIVER_OBJECT drv)
{
    KT_OK(IoIsWdmVersionAvailable(1, 0x10));
    KT_OK(IoIsWdmVersionAvailable(1, 0x20));
    KT_OK(!IoIsWdmVersionAvailable(6, 0));
    KT_OK(IoGetCurrentProcess() != NULL);
    KT_OK(drv->DriverExtension && drv->DriverExtension->DriverObject == drv);
    KT_OK(drv->DriverName.Length > 16 && drv->DriverName.Buffer[0] == L'\\');
    KT_OK(drv->DriverStart != NULL && drv->DriverSize > 0);
}

/* -------------------------------------------- devices for host requests */

static VOID NTAPI kt_io_unload(PDRIVER_OBJECT drv)
{
    for (unsigned i = 0; i < 3; i++) {
        UNICODE_STRING link;
        RtlInitUnicodeString(&link, kt_serve_link[i]);
        IoDeleteSymbolicLink(&link);
        if (kt_serve[i]) {
            KtExt *x = kt_serve[i]->DeviceExtension;
            KeCancelTimer(&x->timer);
            IoDeleteDevice(kt_serve[i]);
            kt_serve[i] = NULL;
        }
    }
    DbgPrint("ktest: unloaded\n");
}

void kt_io_serve_setup(PDRIVER_OBJECT drv)
{
    static const ULONG flags[3] = {DO_BUFFERED_IO, DO_DIRECT_IO, 0};
    kt_set_dispatch(drv);
    for (unsigned i = 0; i < 3; i++) {
        UNICODE_STRING name, link;
        kt_serve[i] = kt_new_device(drv, kt_serve_dev[i], KT_ROLE_SERVE, flags[i]);
        KT_OK(kt_serve[i] != NULL);
        RtlInitUnicodeString(&name, kt_serve_dev[i]);
        RtlInitUnicodeString(&link, kt_serve_link[i]);
        KT_EQ(IoCreateSymbolicLink(&link, &name), STATUS_SUCCESS);
    }
    drv->DriverUnload = kt_io_unload;
}
