/* The NDIS library (src/nt/ndis: wrapper, config, memory, packet, sync,
 * misc) from the host side: exports called through their thunks as a
 * driver would call them. Covers what the in-guest driver
 * (drivers/ndistest_lib) cannot: runs that must stop (double frees,
 * deadlocks, IRQL violations), configuration reads against a registry the
 * test fills, and the host helpers the miniport host uses (host packets,
 * packet status). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nt/ndis/ndis_lib.h"
#include "nt/ndis/ndis_structs.h"
#include "nt/nt.h"
#include "nt/ntoskrnl/ke.h"
#include "nt/ntoskrnl/registry.h"
#include "nt/ntstructs.h"

#define CODE 0x80200000u
#define DATA 0x80300000u
#define DRVOBJ (DATA + 0x800)
#define SVC "ndislibtest"
#define PARAMS NT_REG_SERVICES "\\" SVC "\\Parameters"

/* DPC/timer routine: ++*(LONG *)DeferredContext; ret 16 */
static const uint8_t dpc_count[] = {0x8B, 0x44, 0x24, 0x08, 0xFF, 0x00, 0xC2, 0x10, 0x00};
#define DPC_COUNT CODE
/* NDIS work routine (WorkItem, Context): ++*(LONG *)Context; ret 8 */
static const uint8_t work_count[] = {0x8B, 0x44, 0x24, 0x08, 0xFF, 0x00, 0xC2, 0x08, 0x00};
#define WORK_COUNT (CODE + 0x20)

typedef struct T {
    Vm *vm;
    Nt *nt;
    FILE *log;
    char *logbuf;
    size_t loglen;
} T;

static int setup(void **st)
{
    static T t;
    memset(&t, 0, sizeof t);
    t.log = open_memstream(&t.logbuf, &t.loglen);
    NtOptions opt = {.log = t.log};
    t.vm = vm_create(NULL);
    assert_non_null(t.vm);
    t.nt = nt_create(t.vm, &opt);
    assert_non_null(t.nt);
    uint8_t *code = vm_map(t.vm, CODE, 0x1000, VM_PROT_R | VM_PROT_X, "test code");
    assert_non_null(code);
    memcpy(code, dpc_count, sizeof dpc_count);
    memcpy(code + 0x20, work_count, sizeof work_count);
    assert_non_null(vm_map(t.vm, DATA, 0x4000, VM_PROT_R | VM_PROT_W, "test data"));
    *st = &t;
    return 0;
}

static int teardown(void **st)
{
    T *t = *st;
    nt_destroy(t->nt);
    vm_destroy(t->vm);
    fclose(t->log);
    free(t->logbuf);
    return 0;
}

static const char *logtext(T *t)
{
    fflush(t->log);
    return t->logbuf ? t->logbuf : "";
}

/* Call an ndis.sys export as the guest would; vm_call's status, *ret = EAX. */
static int call(T *t, const char *name, uint32_t *ret, unsigned n, ...)
{
    const NtModule *m = nt_find_module("ndis.sys");
    const char *module = "ndis.sys";
    if (!nt_find_export(m, name))
        module = "ntoskrnl.exe";
    const NtExport *e = nt_find_export(nt_find_module(module), name);
    assert_non_null(e);
    GuestAddr fn = nt_resolve_import(t->nt, module, name);
    assert_true(fn != 0);
    uint32_t args[8];
    va_list ap;
    va_start(ap, n);
    for (unsigned i = 0; i < n; i++)
        args[i] = va_arg(ap, uint32_t);
    va_end(ap);
    uint32_t r = 0;
    int rc = vm_call(t->vm, fn, e->cc, args, n, name, &r);
    if (ret)
        *ret = r;
    return rc;
}

static void expect_fault(T *t, VmFaultKind kind, const char *text)
{
    assert_true(vm_stopped(t->vm));
    assert_int_equal(vm_fault_kind(t->vm), kind);
    if (!strstr(vm_fault_text(t->vm), text))
        fail_msg("fault text \"%s\" lacks \"%s\"", vm_fault_text(t->vm), text);
}

static uint32_t rd32(T *t, GuestAddr a)
{
    uint32_t v;
    assert_int_equal(vm_read(t->vm, a, &v, 4), 0);
    return v;
}

static void wr32(T *t, GuestAddr a, uint32_t v)
{
    assert_int_equal(vm_write(t->vm, a, &v, 4), 0);
}

/* A UNICODE_STRING for ASCII `s` at `at` (header) + 16 (buffer). */
static GuestAddr ustr(T *t, GuestAddr at, const char *s)
{
    size_t n = strlen(s);
    uint16_t w[128];
    assert_true(n < 128);
    for (size_t i = 0; i < n; i++)
        w[i] = (uint8_t)s[i];
    w[n] = 0;
    GUnicodeString us = {.Length = (uint16_t)(2 * n), .MaximumLength = (uint16_t)(2 * n + 2), .Buffer = at + 16};
    assert_int_equal(vm_write(t->vm, at, &us, sizeof us), 0);
    assert_int_equal(vm_write(t->vm, at + 16, w, 2 * n + 2), 0);
    return at;
}

/* ------------------------------------------------------------ wrapper */

static uint32_t init_wrapper(T *t)
{
    uint8_t zero[sizeof(GDriverObject)] = {0};
    assert_int_equal(vm_write(t->vm, DRVOBJ, zero, sizeof zero), 0);
    assert_int_equal(call(t, "NdisInitializeWrapper", NULL, 4, DATA, DRVOBJ, 0, 0), 0);
    uint32_t h = rd32(t, DATA);
    assert_true(h != 0);
    return h;
}

/* NDIS 3.0 characteristics (60 bytes) with every required handler. */
static void write_chars30(T *t, GuestAddr c)
{
    GNdisMiniportCharacteristics ch;
    memset(&ch, 0, sizeof ch);
    ch.MajorNdisVersion = 3;
    ch.InitializeHandler = CODE + 0x100;
    ch.HaltHandler = CODE + 0x104;
    ch.QueryInformationHandler = CODE + 0x108;
    ch.SetInformationHandler = CODE + 0x10c;
    ch.ResetHandler = CODE + 0x110;
    ch.SendHandler = CODE + 0x114;
    ch.TransferDataHandler = CODE + 0x118;
    assert_int_equal(vm_write(t->vm, c, &ch, NDIS30_CHARACTERISTICS_SIZE), 0);
}

static void test_register_ndis30(void **st)
{
    T *t = *st;
    uint32_t h = init_wrapper(t), r;
    GuestAddr c = DATA + 0x100;
    write_chars30(t, c);
    assert_int_equal(call(t, "NdisMRegisterMiniport", &r, 3, h, c, 59), 0);
    assert_int_equal(r, 0xC0010005u); /* NDIS_STATUS_BAD_CHARACTERISTICS */
    assert_int_equal(call(t, "NdisMRegisterMiniport", &r, 3, h, c, 60), 0);
    assert_int_equal(r, NDIS_STATUS_SUCCESS);
    NdisMiniportDriver *d = &t->nt->ndis->drv;
    assert_int_equal(d->registered, 1);
    assert_int_equal(d->major, 3);
    assert_int_equal(d->InitializeHandler, CODE + 0x100);
    assert_int_equal(d->TransferDataHandler, CODE + 0x118);
    assert_int_equal(d->SendPacketsHandler, 0);
    assert_int_equal(d->driver_object, DRVOBJ);
    /* the unload handler becomes the driver object's DriverUnload */
    assert_int_equal(call(t, "NdisMRegisterUnloadHandler", NULL, 2, h, CODE + 0x200), 0);
    assert_int_equal(rd32(t, DRVOBJ + offsetof(GDriverObject, DriverUnload)), CODE + 0x200);
}

static void test_register_missing_reset(void **st)
{
    T *t = *st;
    uint32_t h = init_wrapper(t), r;
    GuestAddr c = DATA + 0x100;
    write_chars30(t, c);
    wr32(t, c + offsetof(GNdisMiniportCharacteristics, ResetHandler), 0);
    assert_int_equal(call(t, "NdisMRegisterMiniport", &r, 3, h, c, 60), 0);
    assert_int_equal(r, 0xC0010005u);
    assert_non_null(strstr(logtext(t), "lack the required ResetHandler"));
    assert_int_equal(t->nt->ndis->drv.registered, 0);
}

static void test_register_bad_wrapper_handle(void **st)
{
    T *t = *st;
    init_wrapper(t);
    write_chars30(t, DATA + 0x100);
    assert_int_equal(call(t, "NdisMRegisterMiniport", NULL, 3, DATA + 0x40, DATA + 0x100, 60), -1);
    expect_fault(t, VM_FAULT_API, "is not the NdisWrapperHandle");
}

/* ------------------------------------------------------------ memory */

static void test_memory_double_free(void **st)
{
    T *t = *st;
    uint32_t r;
    assert_int_equal(call(t, "NdisAllocateMemoryWithTag", &r, 3, DATA, 32, 0x74736554), 0);
    assert_int_equal(r, NDIS_STATUS_SUCCESS);
    uint32_t p = rd32(t, DATA);
    assert_int_equal(call(t, "NdisFreeMemory", NULL, 3, p, 32, 0), 0);
    assert_int_equal(call(t, "NdisFreeMemory", NULL, 3, p, 32, 0), -1);
    expect_fault(t, VM_FAULT_API, "not a live pool block");
}

static void test_contiguous_freed_without_flag(void **st)
{
    T *t = *st;
    uint32_t r;
    assert_int_equal(call(t, "NdisAllocateMemory", &r, 5, DATA, 100, 1 /* CONTIGUOUS */, 0xffffffffu,
                          0xffffffffu), 0);
    assert_int_equal(r, NDIS_STATUS_SUCCESS);
    uint32_t p = rd32(t, DATA);
    assert_int_equal(p & 0xfff, 0);
    assert_int_equal(call(t, "NdisFreeMemory", NULL, 3, p, 100, 0), -1);
    expect_fault(t, VM_FAULT_API, "allocated with NDIS_MEMORY_CONTIGUOUS");
}

static void test_contiguous_memory_needs_passive(void **st)
{
    T *t = *st;
    nt_set_irql(t->nt, DISPATCH_LEVEL);
    assert_int_equal(call(t, "NdisAllocateMemory", NULL, 5, DATA, 100, 1, 0xffffffffu, 0xffffffffu), -1);
    expect_fault(t, VM_FAULT_IRQL, "NdisAllocateMemory");
}

/* ------------------------------------------------------------ packets */

static void test_packet_double_free(void **st)
{
    T *t = *st;
    GuestAddr status = DATA, pool = DATA + 4, pkt = DATA + 8;
    assert_int_equal(call(t, "NdisAllocatePacketPool", NULL, 4, status, pool, 4, 16), 0);
    assert_int_equal(rd32(t, status), NDIS_STATUS_SUCCESS);
    assert_int_equal(call(t, "NdisAllocatePacket", NULL, 3, status, pkt, rd32(t, pool)), 0);
    uint32_t p = rd32(t, pkt);
    assert_true(p != 0);
    /* layout: OOB after the 16 reserved bytes, 8-aligned */
    GNdisPacket g;
    assert_int_equal(vm_read(t->vm, p, &g, sizeof g), 0);
    assert_int_equal(g.Private.NdisPacketOobOffset, 72);
    assert_int_equal(g.Private.Pool, rd32(t, pool));
    assert_int_equal(g.Private.NdisPacketFlags, 0x80);
    assert_int_equal(call(t, "NdisFreePacket", NULL, 1, p), 0);
    assert_int_equal(call(t, "NdisFreePacket", NULL, 1, p), -1);
    expect_fault(t, VM_FAULT_API, "is not a packet allocated by NdisAllocatePacket");
}

static void test_packet_pool_leak_reported(void **st)
{
    T *t = *st;
    GuestAddr status = DATA, pool = DATA + 4, pkt = DATA + 8;
    assert_int_equal(call(t, "NdisAllocatePacketPool", NULL, 4, status, pool, 4, 0), 0);
    assert_int_equal(call(t, "NdisAllocatePacket", NULL, 3, status, pkt, rd32(t, pool)), 0);
    assert_int_equal(call(t, "NdisFreePacketPool", NULL, 1, rd32(t, pool)), 0);
    assert_non_null(strstr(logtext(t), "still has 1 packet(s) allocated"));
    /* the handle is gone */
    assert_int_equal(call(t, "NdisAllocatePacket", NULL, 3, status, pkt, rd32(t, pool)), -1);
    expect_fault(t, VM_FAULT_API, "is not a packet pool handle");
}

static void test_dpr_allocate_needs_dispatch(void **st)
{
    T *t = *st;
    GuestAddr status = DATA, pool = DATA + 4, pkt = DATA + 8;
    assert_int_equal(call(t, "NdisAllocatePacketPool", NULL, 4, status, pool, 4, 0), 0);
    assert_int_equal(call(t, "NdisDprAllocatePacket", NULL, 3, status, pkt, rd32(t, pool)), -1);
    expect_fault(t, VM_FAULT_IRQL, "requires DISPATCH_LEVEL");
}

static void test_adjust_buffer_beyond_allocation(void **st)
{
    T *t = *st;
    GuestAddr status = DATA, pool = DATA + 4, buf = DATA + 8, mem = DATA + 0x1000;
    assert_int_equal(call(t, "NdisAllocateBufferPool", NULL, 3, status, pool, 2), 0);
    assert_int_equal(call(t, "NdisAllocateBuffer", NULL, 5, status, buf, rd32(t, pool), mem, 64), 0);
    assert_int_equal(rd32(t, status), NDIS_STATUS_SUCCESS);
    uint32_t b = rd32(t, buf);
    assert_int_equal(call(t, "NdisAdjustBufferLength", NULL, 2, b, 10), 0);
    assert_int_equal(rd32(t, b + offsetof(GMdl, ByteCount)), 10);
    assert_int_equal(call(t, "NdisAdjustBufferLength", NULL, 2, b, 65), -1);
    expect_fault(t, VM_FAULT_API, "is larger than the 64 bytes");
}

static void test_host_packet(void **st)
{
    T *t = *st;
    uint8_t frame[60], back[80];
    for (unsigned i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)(i * 3);
    GuestAddr p = ndis_host_packet_alloc(t->nt, frame, sizeof frame);
    assert_true(p != 0);
    GNdisPacket g;
    assert_int_equal(vm_read(t->vm, p, &g, sizeof g), 0);
    assert_int_equal(g.Private.TotalLength, 60);
    assert_int_equal(g.Private.ValidCounts, 1);
    assert_true(g.Private.Head != 0 && g.Private.Head == g.Private.Tail);
    assert_int_equal(ndis_packet_copy_out(t->nt, p, back, sizeof back), 60);
    assert_memory_equal(back, frame, 60);
    assert_int_equal(ndis_packet_copy_out(t->nt, p, back, 10), 10);
    ndis_packet_set_status(t->nt, p, NDIS_STATUS_RESOURCES);
    assert_int_equal(ndis_packet_status(t->nt, p), NDIS_STATUS_RESOURCES);
    /* the OOB HeaderSize says Ethernet */
    assert_int_equal(rd32(t, p + g.Private.NdisPacketOobOffset + offsetof(GNdisPacketOobData, HeaderSize)), 14);
    /* the driver cannot free a host packet */
    assert_int_equal(call(t, "NdisFreePacket", NULL, 1, p), -1);
    expect_fault(t, VM_FAULT_API, "is not a packet allocated");
    ndis_host_packet_free(t->nt, p);
    assert_int_equal(nt_pool_size(t->nt, p), 0);
}

/* ------------------------------------------------------------ sync */

static void test_spinlock_reacquire_is_deadlock(void **st)
{
    T *t = *st;
    GuestAddr lock = DATA;
    assert_int_equal(call(t, "NdisAllocateSpinLock", NULL, 1, lock), 0);
    assert_int_equal(call(t, "NdisAcquireSpinLock", NULL, 1, lock), 0);
    assert_int_equal(nt_irql(t->nt), DISPATCH_LEVEL);
    assert_int_equal(call(t, "NdisAcquireSpinLock", NULL, 1, lock), -1);
    expect_fault(t, VM_FAULT_DEADLOCK, "is already held");
}

static void test_free_held_spinlock(void **st)
{
    T *t = *st;
    GuestAddr lock = DATA;
    assert_int_equal(call(t, "NdisAllocateSpinLock", NULL, 1, lock), 0);
    assert_int_equal(call(t, "NdisAcquireSpinLock", NULL, 1, lock), 0);
    assert_int_equal(call(t, "NdisFreeSpinLock", NULL, 1, lock), -1);
    assert_int_equal(vm_fault_kind(t->vm), VM_FAULT_DEADLOCK);
}

static void test_sleep_at_dispatch(void **st)
{
    T *t = *st;
    GuestAddr lock = DATA;
    assert_int_equal(call(t, "NdisAllocateSpinLock", NULL, 1, lock), 0);
    assert_int_equal(call(t, "NdisAcquireSpinLock", NULL, 1, lock), 0);
    assert_int_equal(call(t, "NdisMSleep", NULL, 1, 1000), -1);
    expect_fault(t, VM_FAULT_IRQL, "NdisMSleep");
}

static void test_wait_forever_is_deadlock(void **st)
{
    T *t = *st;
    assert_int_equal(call(t, "NdisInitializeEvent", NULL, 1, DATA), 0);
    assert_int_equal(call(t, "NdisWaitEvent", NULL, 2, DATA, 0), -1);
    expect_fault(t, VM_FAULT_DEADLOCK, "can never be satisfied");
}

static void test_wait_timeout_advances_time(void **st)
{
    T *t = *st;
    uint32_t r;
    uint64_t t0 = vm_time_ns(t->vm);
    assert_int_equal(call(t, "NdisInitializeEvent", NULL, 1, DATA), 0);
    assert_int_equal(call(t, "NdisWaitEvent", &r, 2, DATA, 30), 0);
    assert_int_equal(r & 0xff, 0);
    assert_true(vm_time_ns(t->vm) - t0 >= 30000000u);
}

static void test_rwlock_write_while_reading(void **st)
{
    T *t = *st;
    GuestAddr rw = DATA, s1 = DATA + 0x400, s2 = DATA + 0x404;
    assert_int_equal(call(t, "NdisInitializeReadWriteLock", NULL, 1, rw), 0);
    assert_int_equal(call(t, "NdisAcquireReadWriteLock", NULL, 3, rw, 0, s1), 0);
    assert_int_equal(call(t, "NdisAcquireReadWriteLock", NULL, 3, rw, 1, s2), -1);
    expect_fault(t, VM_FAULT_DEADLOCK, "write access");
}

static void test_rwlock_release_twice(void **st)
{
    T *t = *st;
    GuestAddr rw = DATA, s1 = DATA + 0x400;
    assert_int_equal(call(t, "NdisInitializeReadWriteLock", NULL, 1, rw), 0);
    assert_int_equal(call(t, "NdisAcquireReadWriteLock", NULL, 3, rw, 1, s1), 0);
    assert_int_equal(call(t, "NdisReleaseReadWriteLock", NULL, 2, rw, s1), 0);
    assert_int_equal(nt_irql(t->nt), PASSIVE_LEVEL);
    nt_set_irql(t->nt, DISPATCH_LEVEL);
    assert_int_equal(call(t, "NdisReleaseReadWriteLock", NULL, 2, rw, s1), -1);
    expect_fault(t, VM_FAULT_API, "does not hold");
}

static void test_miniport_timer_fires(void **st)
{
    T *t = *st;
    GuestAddr timer = DATA, counter = DATA + 0x200, cancelled = DATA + 0x204;
    assert_int_equal(call(t, "NdisMInitializeTimer", NULL, 4, timer, 0x1234, DPC_COUNT, counter), 0);
    GNdisMiniportTimer g;
    assert_int_equal(vm_read(t->vm, timer, &g, sizeof g), 0);
    assert_int_equal(g.MiniportTimerFunction, DPC_COUNT);
    assert_int_equal(g.MiniportTimerContext, counter);
    assert_int_equal(g.Miniport, 0x1234);
    assert_int_equal(g.Dpc.DeferredRoutine, DPC_COUNT);
    uint64_t now = vm_time_ns(t->vm);
    assert_int_equal(call(t, "NdisMSetPeriodicTimer", NULL, 2, timer, 10), 0);
    while (nt_ke_idle(t->nt, now + 35000000u))
        ;
    assert_int_equal(rd32(t, counter), 3);
    assert_int_equal(call(t, "NdisMCancelTimer", NULL, 2, timer, cancelled), 0);
    assert_int_equal(rd32(t, cancelled) & 0xff, 1);
    while (nt_ke_idle(t->nt, now + 100000000u))
        ;
    assert_int_equal(rd32(t, counter), 3);
}

static void test_workitem_double_queue(void **st)
{
    T *t = *st;
    GuestAddr wi = DATA, counter = DATA + 0x200;
    uint32_t r;
    wr32(t, wi, counter);          /* Context */
    wr32(t, wi + 4, WORK_COUNT);   /* Routine */
    assert_int_equal(call(t, "NdisScheduleWorkItem", &r, 1, wi), 0);
    assert_int_equal(r, NDIS_STATUS_SUCCESS);
    assert_int_equal(call(t, "NdisScheduleWorkItem", NULL, 1, wi), -1);
    expect_fault(t, VM_FAULT_API, "already queued");
}

static void test_workitem_runs(void **st)
{
    T *t = *st;
    GuestAddr wi = DATA, counter = DATA + 0x200;
    wr32(t, wi, counter);
    wr32(t, wi + 4, WORK_COUNT);
    assert_int_equal(call(t, "NdisScheduleWorkItem", NULL, 1, wi), 0);
    nt_ke_run_pending(t->nt);
    assert_int_equal(rd32(t, counter), 1);
}

/* ------------------------------------------------------------ config */

static uint32_t open_config(T *t)
{
    NtRegKey *k = nt_reg_create(t->nt, NULL, PARAMS, 1, NULL);
    assert_non_null(k);
    uint32_t h = ndis_config_open_key(t->nt, k, SVC);
    assert_true(h != 0);
    return h;
}

/* NdisReadConfiguration(&Status, &Param, h, kw, type): status, *param. */
static uint32_t read_config(T *t, uint32_t h, const char *kw, uint32_t type, uint32_t *param)
{
    GuestAddr status = DATA, pparam = DATA + 4;
    wr32(t, pparam, 0);
    ustr(t, DATA + 0x100, kw);
    assert_int_equal(call(t, "NdisReadConfiguration", NULL, 5, status, pparam, h, DATA + 0x100, type), 0);
    *param = rd32(t, pparam);
    return rd32(t, status);
}

static void test_read_configuration(void **st)
{
    T *t = *st;
    assert_int_equal(nt_reg_set_dword(t->nt, PARAMS, "MaxRx", 5), 0);
    assert_int_equal(nt_reg_set_string(t->nt, PARAMS, "Speed", REG_SZ, "100"), 0);
    assert_int_equal(nt_reg_set_string(t->nt, PARAMS, "Mask", REG_SZ, "1F"), 0);
    assert_int_equal(nt_reg_set_string(t->nt, PARAMS, "Name", REG_SZ, "abc"), 0);
    assert_int_equal(nt_reg_set_string(t->nt, PARAMS "\\Ndi\\params\\Duplex", "default", REG_SZ, "2"), 0);
    uint32_t h = open_config(t), p;
    GNdisConfigurationParameter g;

    assert_int_equal(read_config(t, h, "maxrx", NdisParameterInteger, &p), NDIS_STATUS_SUCCESS);
    assert_int_equal(vm_read(t->vm, p, &g, sizeof g), 0);
    assert_int_equal(g.ParameterType, NdisParameterInteger);
    assert_int_equal(g.ParameterData.IntegerData, 5);

    assert_int_equal(read_config(t, h, "Speed", NdisParameterInteger, &p), NDIS_STATUS_SUCCESS);
    assert_int_equal(rd32(t, p + 4), 100);
    assert_int_equal(read_config(t, h, "Speed", NdisParameterHexInteger, &p), NDIS_STATUS_SUCCESS);
    assert_int_equal(rd32(t, p + 4), 0x100);
    assert_int_equal(read_config(t, h, "Mask", NdisParameterHexInteger, &p), NDIS_STATUS_SUCCESS);
    assert_int_equal(rd32(t, p + 4), 0x1f);
    assert_int_equal(read_config(t, h, "Mask", NdisParameterInteger, &p), NDIS_STATUS_FAILURE);

    assert_int_equal(read_config(t, h, "Name", NdisParameterString, &p), NDIS_STATUS_SUCCESS);
    assert_int_equal(vm_read(t->vm, p, &g, sizeof g), 0);
    assert_int_equal(g.ParameterType, NdisParameterString);
    assert_int_equal(g.ParameterData.StringData.Length, 6);
    uint16_t w[4];
    assert_int_equal(vm_read(t->vm, g.ParameterData.StringData.Buffer, w, 8), 0);
    assert_true(w[0] == 'a' && w[2] == 'c' && w[3] == 0);
    GuestAddr strbuf = g.ParameterData.StringData.Buffer;

    /* a DWORD read as a string */
    assert_int_equal(read_config(t, h, "MaxRx", NdisParameterString, &p), NDIS_STATUS_SUCCESS);
    assert_int_equal(vm_read(t->vm, p, &g, sizeof g), 0);
    assert_int_equal(g.ParameterData.StringData.Length, 2);

    /* absent: the INF's Ndi\params default, NDIS's own keywords, else failure */
    assert_int_equal(read_config(t, h, "Duplex", NdisParameterInteger, &p), NDIS_STATUS_SUCCESS);
    assert_int_equal(rd32(t, p + 4), 2);
    assert_int_equal(read_config(t, h, "Environment", NdisParameterInteger, &p), NDIS_STATUS_SUCCESS);
    assert_int_equal(rd32(t, p + 4), 1);
    assert_int_equal(read_config(t, h, "NoSuchKeyword", NdisParameterInteger, &p), NDIS_STATUS_FAILURE);
    assert_int_equal(p, 0);

    /* everything handed out goes with the handle */
    assert_true(nt_pool_size(t->nt, p ? p : strbuf) != 0);
    assert_int_equal(call(t, "NdisCloseConfiguration", NULL, 1, h), 0);
    assert_int_equal(nt_pool_size(t->nt, strbuf), 0);
    assert_int_equal(call(t, "NdisCloseConfiguration", NULL, 1, h), -1);
    expect_fault(t, VM_FAULT_API, "is not an open configuration handle");
}

static void test_write_configuration(void **st)
{
    T *t = *st;
    uint32_t h = open_config(t);
    GuestAddr param = DATA + 0x200;
    GNdisConfigurationParameter g = {.ParameterType = NdisParameterInteger};
    g.ParameterData.IntegerData = 42;
    assert_int_equal(vm_write(t->vm, param, &g, sizeof g), 0);
    ustr(t, DATA + 0x100, "Written");
    assert_int_equal(call(t, "NdisWriteConfiguration", NULL, 4, DATA, h, DATA + 0x100, param), 0);
    assert_int_equal(rd32(t, DATA), NDIS_STATUS_SUCCESS);
    const NtRegValue *v = nt_reg_get_value(nt_reg_open(t->nt, NULL, PARAMS), "Written");
    assert_non_null(v);
    assert_int_equal(v->type, REG_DWORD);
    assert_int_equal(*(uint32_t *)v->data, 42);
}

static uint32_t read_address(T *t, uint32_t h, uint8_t mac[6], uint32_t *len)
{
    GuestAddr status = DATA, paddr = DATA + 4, plen = DATA + 8;
    wr32(t, plen, 99);
    assert_int_equal(call(t, "NdisReadNetworkAddress", NULL, 4, status, paddr, plen, h), 0);
    *len = rd32(t, plen);
    if (*len == 6)
        assert_int_equal(vm_read(t->vm, rd32(t, paddr), mac, 6), 0);
    return rd32(t, status);
}

static void test_network_address(void **st)
{
    T *t = *st;
    uint32_t h = open_config(t), len;
    uint8_t mac[6];
    static const uint8_t want[6] = {0x02, 0x11, 0x22, 0xaa, 0xbb, 0xcc};
    assert_int_equal(read_address(t, h, mac, &len), NDIS_STATUS_FAILURE); /* absent */
    assert_int_equal(len, 0);
    assert_int_equal(nt_reg_set_string(t->nt, PARAMS, "NetworkAddress", REG_SZ, "02-11-22-AA-bb-CC"), 0);
    assert_int_equal(read_address(t, h, mac, &len), NDIS_STATUS_SUCCESS);
    assert_int_equal(len, 6);
    assert_memory_equal(mac, want, 6);
    assert_int_equal(nt_reg_set_string(t->nt, PARAMS, "NetworkAddress", REG_SZ, "021122aabbcc"), 0);
    assert_int_equal(read_address(t, h, mac, &len), NDIS_STATUS_SUCCESS);
    assert_memory_equal(mac, want, 6);
    assert_int_equal(nt_reg_set_string(t->nt, PARAMS, "NetworkAddress", REG_SZ, "02:11:22:aa:bb"), 0);
    assert_int_equal(read_address(t, h, mac, &len), NDIS_STATUS_FAILURE);
    assert_int_equal(nt_reg_set_string(t->nt, PARAMS, "NetworkAddress", REG_SZ, "02-11-22-aa-bb-cg"), 0);
    assert_int_equal(read_address(t, h, mac, &len), NDIS_STATUS_FAILURE);
    assert_int_equal(len, 0);
    assert_int_equal(call(t, "NdisCloseConfiguration", NULL, 1, h), 0);
}

static void test_subkey_by_name_and_index(void **st)
{
    T *t = *st;
    assert_int_equal(nt_reg_set_dword(t->nt, PARAMS "\\Sub", "V", 7), 0);
    uint32_t h = open_config(t), p;
    ustr(t, DATA + 0x100, "Sub");
    assert_int_equal(call(t, "NdisOpenConfigurationKeyByName", NULL, 4, DATA, h, DATA + 0x100, DATA + 8), 0);
    assert_int_equal(rd32(t, DATA), NDIS_STATUS_SUCCESS);
    uint32_t sub = rd32(t, DATA + 8);
    assert_int_equal(read_config(t, sub, "V", NdisParameterInteger, &p), NDIS_STATUS_SUCCESS);
    assert_int_equal(rd32(t, p + 4), 7);
    assert_int_equal(call(t, "NdisCloseConfiguration", NULL, 1, sub), 0);
    /* index 0 is "Sub"; index 1 does not exist */
    assert_int_equal(call(t, "NdisOpenConfigurationKeyByIndex", NULL, 5, DATA, h, 0, DATA + 0x300, DATA + 8), 0);
    assert_int_equal(rd32(t, DATA), NDIS_STATUS_SUCCESS);
    assert_int_equal(rd32(t, DATA + 0x300) & 0xffff, 6);
    assert_int_equal(call(t, "NdisCloseConfiguration", NULL, 1, rd32(t, DATA + 8)), 0);
    assert_int_equal(call(t, "NdisOpenConfigurationKeyByIndex", NULL, 5, DATA, h, 1, DATA + 0x300, DATA + 8), 0);
    assert_int_equal(rd32(t, DATA), NDIS_STATUS_FAILURE);
    assert_int_equal(call(t, "NdisCloseConfiguration", NULL, 1, h), 0);
}

static void test_no_such_bus(void **st)
{
    T *t = *st;
    assert_int_equal(call(t, "NdisReadMcaPosInformation", NULL, 4, DATA, 0, DATA + 4, DATA + 8), -1);
    expect_fault(t, VM_FAULT_UNIMPLEMENTED, "Micro Channel");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_register_ndis30, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_missing_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_register_bad_wrapper_handle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_double_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contiguous_freed_without_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contiguous_memory_needs_passive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_packet_double_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_packet_pool_leak_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dpr_allocate_needs_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_adjust_buffer_beyond_allocation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_host_packet, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spinlock_reacquire_is_deadlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_held_spinlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sleep_at_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_forever_is_deadlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_timeout_advances_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rwlock_write_while_reading, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rwlock_release_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_miniport_timer_fires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workitem_double_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workitem_runs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_configuration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_configuration, setup, teardown),
        cmocka_unit_test_setup_teardown(test_network_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_subkey_by_name_and_index, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_such_bus, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
