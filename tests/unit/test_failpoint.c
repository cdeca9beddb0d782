/* Fail-points (src/nt/failpoint.c, docs/failpoints.md) through the
 * dispatcher, as a driver meets them: exports called through their thunks.
 * Each export's injected failure is checked against what its documentation
 * says the routine returns and stores when it fails (the table below is
 * written from the pages, not from failpoint.c's table); then the counting
 * (the nth call, one shot, re-arming, several at once, clearing), the trace
 * events around an injected call, the refusals, and the checks the injected
 * path still makes (IRQL, bad output pointers, calls that would raise). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nt/failpoint.h"
#include "nt/ndis/ndis.h"
#include "nt/nt.h"
#include "trace/trace.h"

#define DATA 0x80300000u
#define ARGS (DATA + 0x1000) /* argument k points at ARGS + SLOT * k */
#define SLOT 0x20u           /* keeps bit 4 (POOL_RAISE_IF_ALLOCATION_FAILURE) clear */
#define FILL 0xa5u

/* ---- fixture: a machine, and the trace events of the last calls ----------- */

#define MAX_EVENTS 64

typedef struct Ev {
    TraceKind kind;
    char name[64];
    char text[160];
    uint64_t value;
} Ev;

typedef struct T {
    Vm *vm;
    Nt *nt;
    FILE *log;
    char *logbuf;
    size_t loglen;
    Ev ev[MAX_EVENTS];
    unsigned nev;
} T;

static void sink(void *opaque, const TraceEvent *e)
{
    T *t = opaque;
    Ev *v;

    if (t->nev == MAX_EVENTS)
        return;
    v = &t->ev[t->nev++];
    v->kind = e->kind;
    snprintf(v->name, sizeof v->name, "%s", e->name ? e->name : "");
    snprintf(v->text, sizeof v->text, "%s", e->text ? e->text : "");
    v->value = e->value;
}

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
    assert_non_null(vm_map(t.vm, DATA, 0x4000, VM_PROT_R | VM_PROT_W, "test data"));
    assert_int_equal(trace_add_sink(sink, &t), 0);
    *st = &t;
    return 0;
}

static int teardown(void **st)
{
    T *t = *st;

    trace_remove_sink(sink, t);
    nt_destroy(t->nt);
    vm_destroy(t->vm);
    fclose(t->log);
    free(t->logbuf);
    return 0;
}

static const NtExport *export_of(const char *name, const char **module)
{
    for (unsigned i = 0; nt_modules[i]; i++) {
        const NtExport *e = nt_find_export(nt_modules[i], name);
        if (e) {
            if (module)
                *module = nt_modules[i]->name;
            return e;
        }
    }
    return NULL;
}

/* Call an export through its thunk as the guest would; vm_call's status. */
static int callv(T *t, const char *name, uint32_t *ret, unsigned n, const uint32_t *args)
{
    const char *module = NULL;
    const NtExport *e = export_of(name, &module);
    uint32_t r = 0;
    GuestAddr fn;
    int rc;

    assert_non_null(e);
    fn = nt_resolve_import(t->nt, module, name);
    assert_true(fn != 0);
    t->nev = 0;
    rc = vm_call(t->vm, fn, e->cc, args, n, name, &r);
    if (ret)
        *ret = r;
    return rc;
}

static uint32_t call(T *t, const char *name, unsigned n, ...)
{
    uint32_t args[8], r;
    va_list ap;

    va_start(ap, n);
    for (unsigned i = 0; i < n; i++)
        args[i] = va_arg(ap, uint32_t);
    va_end(ap);
    assert_int_equal(callv(t, name, &r, n, args), 0);
    return r;
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

static void arm(T *t, const char *name, unsigned nth)
{
    char err[256];

    if (nt_fail_arm(t->nt, name, nth, err, sizeof err) != 0)
        fail_msg("nt_fail_arm(%s, %u): %s", name, nth, err);
}

/* The NOTE of an injected failure among the last call's events, or NULL. */
static const Ev *fail_note(T *t)
{
    for (unsigned i = 0; i < t->nev; i++)
        if (t->ev[i].kind == TRACE_NOTE && !strcmp(t->ev[i].name, "fail"))
            return &t->ev[i];
    return NULL;
}

/* ---- what each routine's page says a failure returns and stores ------------- */

typedef struct Store {
    unsigned arg;   /* 0-based stack slot of the pointer */
    unsigned bytes; /* 0: none */
    uint32_t value;
} Store;

typedef struct Want {
    const char *name;
    uint32_t ret;
    Store store[2];
} Want;

static const Want wants[] = {
    /* NdisAllocateMemory(PVOID *VirtualAddress, UINT, UINT, NDIS_PHYSICAL_ADDRESS):
     * NDIS_STATUS_FAILURE, VirtualAddress NULL */
    {"NdisAllocateMemory", NDIS_STATUS_FAILURE, {{0, 4, 0}}},
    /* NdisAllocateMemoryWithTag(PVOID *VirtualAddress, UINT, ULONG) */
    {"NdisAllocateMemoryWithTag", NDIS_STATUS_FAILURE, {{0, 4, 0}}},
    /* NdisMAllocateSharedMemory(h, Length, Cached, PVOID *VirtualAddress,
     * PNDIS_PHYSICAL_ADDRESS PhysicalAddress): NULL in both */
    {"NdisMAllocateSharedMemory", 0, {{3, 4, 0}, {4, 8, 0}}},
    /* NdisAllocatePacketPool(PNDIS_STATUS, PNDIS_HANDLE PoolHandle, ...):
     * NDIS_STATUS_RESOURCES */
    {"NdisAllocatePacketPool", 0, {{0, 4, NDIS_STATUS_RESOURCES}, {1, 4, 0}}},
    {"NdisAllocatePacketPoolEx", 0, {{0, 4, NDIS_STATUS_RESOURCES}, {1, 4, 0}}},
    /* NdisAllocatePacket(PNDIS_STATUS, PNDIS_PACKET *Packet, pool):
     * NDIS_STATUS_RESOURCES, Packet NULL */
    {"NdisAllocatePacket", 0, {{0, 4, NDIS_STATUS_RESOURCES}, {1, 4, 0}}},
    /* NdisAllocateBuffer(PNDIS_STATUS, PNDIS_BUFFER *Buffer, ...):
     * "otherwise NDIS_STATUS_FAILURE" */
    {"NdisAllocateBuffer", 0, {{0, 4, NDIS_STATUS_FAILURE}, {1, 4, 0}}},
    /* NdisMRegisterIoPortRange: NDIS_STATUS_RESOURCES, PortOffset untouched */
    {"NdisMRegisterIoPortRange", NDIS_STATUS_RESOURCES, {{0, 0, 0}}},
    /* NdisMMapIoSpace: NDIS_STATUS_RESOURCES; VirtualAddress NULL when not
     * NDIS_STATUS_SUCCESS */
    {"NdisMMapIoSpace", NDIS_STATUS_RESOURCES, {{0, 4, 0}}},
    {"NdisMRegisterInterrupt", NDIS_STATUS_RESOURCES, {{0, 0, 0}}},
    {"NdisMAllocateMapRegisters", NDIS_STATUS_RESOURCES, {{0, 0, 0}}},
    {"NdisMInitializeScatterGatherDma", NDIS_STATUS_RESOURCES, {{0, 0, 0}}},
    /* NdisOpenConfiguration(PNDIS_STATUS, PNDIS_HANDLE ConfigurationHandle, ctx):
     * NDIS_STATUS_FAILURE "the key could not be opened" */
    {"NdisOpenConfiguration", 0, {{0, 4, NDIS_STATUS_FAILURE}, {1, 4, 0}}},
    /* NdisReadConfiguration(PNDIS_STATUS, PNDIS_CONFIGURATION_PARAMETER *, ...):
     * NDIS_STATUS_FAILURE, the keyword is not there */
    {"NdisReadConfiguration", 0, {{0, 4, NDIS_STATUS_FAILURE}, {1, 4, 0}}},
    /* NdisReadNetworkAddress(PNDIS_STATUS, PVOID *, PUINT Length, h):
     * NDIS_STATUS_FAILURE, no bytes */
    {"NdisReadNetworkAddress", 0, {{0, 4, NDIS_STATUS_FAILURE}, {2, 4, 0}}},
    /* the PCI slot routines return the bytes moved */
    {"NdisReadPciSlotInformation", 0, {{0, 0, 0}}},
    {"NdisWritePciSlotInformation", 0, {{0, 0, 0}}},
    /* the allocators return NULL */
    {"ExAllocatePoolWithTag", 0, {{0, 0, 0}}},
    {"ExAllocatePool", 0, {{0, 0, 0}}},
    {"ExAllocatePoolWithTagPriority", 0, {{0, 0, 0}}},
    {"MmAllocateContiguousMemory", 0, {{0, 0, 0}}},
    {"IoAllocateMdl", 0, {{0, 0, 0}}},
};
#define NWANTS (sizeof wants / sizeof wants[0])

static const Want *want_of(const char *name)
{
    for (size_t i = 0; i < NWANTS; i++)
        if (!strcmp(wants[i].name, name))
            return &wants[i];
    return NULL;
}

/* The table and the documented list hold the same exports, each a real
 * export with a handler; names iterate until NULL. */
static void test_rules_table(void **st)
{
    unsigned n = 0;
    const char *name;

    (void)st;
    for (; (name = nt_fail_rule_name(n)); n++) {
        const NtExport *e = export_of(name, NULL);
        if (!want_of(name))
            fail_msg("%s has a rule but no documented case in this test", name);
        assert_non_null(e);
        assert_non_null(e->fn);
        assert_int_equal(nt_fail_has_rule(name), 1);
    }
    assert_int_equal(n, NWANTS);
    assert_null(nt_fail_rule_name(n));
    assert_null(nt_fail_rule_name(1000));
    for (size_t i = 0; i < NWANTS; i++)
        assert_int_equal(nt_fail_has_rule(wants[i].name), 1);
    assert_int_equal(nt_fail_has_rule("KeBugCheckEx"), 0);
    assert_int_equal(nt_fail_has_rule("nonesuch"), 0);
    assert_int_equal(nt_fail_has_rule(NULL), 0);
}

/* Every rule: the documented return value and stores, nothing else written
 * through any argument, the handler not run, and the NOTE between
 * API_CALL and API_RETURN (which carries the injected value). */
static void test_each_documented_failure(void **st)
{
    T *t = *st;
    uint8_t fill[0x200];
    char want_note[128];

    memset(fill, FILL, sizeof fill);
    for (size_t i = 0; i < NWANTS; i++) {
        const Want *w = &wants[i];
        const NtExport *e = export_of(w->name, NULL);
        unsigned n = e->argbytes / 4u;
        uint32_t args[16], r = 0xdeadbeef;

        assert_true(n <= 16 && SLOT * n <= sizeof fill);
        assert_int_equal(vm_write(t->vm, ARGS, fill, sizeof fill), 0);
        for (unsigned k = 0; k < n; k++)
            args[k] = ARGS + SLOT * k;
        arm(t, w->name, 1);
        if (callv(t, w->name, &r, n, args) != 0)
            fail_msg("%s: the run stopped: %s", w->name, vm_fault_text(t->vm));
        if (r != w->ret)
            fail_msg("%s returned 0x%08x, documented 0x%08x", w->name, r, w->ret);
        for (unsigned k = 0; k < n; k++) {
            uint8_t got[SLOT], expect[SLOT];

            memset(expect, FILL, sizeof expect);
            for (unsigned s = 0; s < 2; s++)
                if (w->store[s].bytes && w->store[s].arg == k) {
                    memset(expect, 0, w->store[s].bytes);
                    memcpy(expect, &w->store[s].value, 4);
                }
            assert_int_equal(vm_read(t->vm, args[k], got, SLOT), 0);
            if (memcmp(got, expect, SLOT))
                fail_msg("%s: argument %u: %02x %02x %02x %02x %02x %02x %02x %02x, expected "
                         "%02x %02x %02x %02x %02x %02x %02x %02x",
                         w->name, k, got[0], got[1], got[2], got[3], got[4], got[5], got[6], got[7],
                         expect[0], expect[1], expect[2], expect[3], expect[4], expect[5],
                         expect[6], expect[7]);
        }
        /* API_CALL, NOTE, API_RETURN, in that order */
        snprintf(want_note, sizeof want_note, "injected failure of %s (call 1)", w->name);
        assert_true(t->nev >= 3);
        {
            unsigned c = 0, note = 0, ret = 0;
            for (unsigned k = 0; k < t->nev; k++) {
                const Ev *v = &t->ev[k];
                if (v->kind == TRACE_API_CALL && !strcmp(v->name, w->name))
                    c = k + 1;
                if (v->kind == TRACE_NOTE && !strcmp(v->name, "fail")) {
                    assert_string_equal(v->text, want_note);
                    note = k + 1;
                }
                if (v->kind == TRACE_API_RETURN && !strcmp(v->name, w->name)) {
                    assert_int_equal(v->value, w->ret);
                    ret = k + 1;
                }
            }
            if (!(c && note && ret && c < note && note < ret))
                fail_msg("%s: events API_CALL %u, NOTE %u, API_RETURN %u", w->name, c, note, ret);
        }
    }
}

/* Arming with nth=2: the first call is served by the handler, the second
 * fails, the third is served again (one shot). */
static void test_nth_call(void **st)
{
    T *t = *st;
    uint32_t p;

    arm(t, "ExAllocatePoolWithTag", 2);
    p = call(t, "ExAllocatePoolWithTag", 3, 0 /* NonPagedPool */, 64, 0x74736554);
    assert_true(p != 0);
    assert_null(fail_note(t));
    call(t, "ExFreePool", 1, p);
    assert_int_equal(call(t, "ExAllocatePoolWithTag", 3, 0, 64, 0x74736554), 0);
    assert_non_null(fail_note(t));
    assert_string_equal(fail_note(t)->text, "injected failure of ExAllocatePoolWithTag (call 2)");
    p = call(t, "ExAllocatePoolWithTag", 3, 0, 64, 0x74736554);
    assert_true(p != 0);
    assert_null(fail_note(t));
    call(t, "ExFreePool", 1, p);
}

/* Unarmed calls reach the handler; the armed one does not; afterwards the
 * handler serves again. */
static void test_unarmed_calls_work(void **st)
{
    T *t = *st;
    GuestAddr va = DATA + 0x100;

    wr32(t, va, 0x11111111);
    assert_int_equal(call(t, "NdisAllocateMemoryWithTag", 3, va, 32, 0x4e444d61),
                     NDIS_STATUS_SUCCESS);
    assert_true(rd32(t, va) != 0 && rd32(t, va) != 0x11111111);
    call(t, "NdisFreeMemory", 3, rd32(t, va), 32, 0);
    arm(t, "NdisAllocateMemoryWithTag", 1);
    assert_int_equal(call(t, "NdisAllocateMemoryWithTag", 3, va, 32, 0x4e444d61),
                     NDIS_STATUS_FAILURE);
    assert_int_equal(rd32(t, va), 0);
    assert_int_equal(call(t, "NdisAllocateMemoryWithTag", 3, va, 32, 0x4e444d61),
                     NDIS_STATUS_SUCCESS);
    assert_true(rd32(t, va) != 0);
    assert_null(fail_note(t));
    call(t, "NdisFreeMemory", 3, rd32(t, va), 32, 0);
    /* nothing armed at all: no state kept */
    nt_fail_clear(t->nt);
    assert_null(t->nt->fail);
    assert_true(call(t, "ExAllocatePool", 2, 0, 16) != 0);
}

/* Several exports armed at once; arming one again replaces its count;
 * clearing disarms all. */
static void test_several_rearm_clear(void **st)
{
    T *t = *st;
    GuestAddr va = DATA + 0x100;

    arm(t, "ExAllocatePoolWithTag", 1);
    arm(t, "NdisAllocateMemoryWithTag", 2);
    arm(t, "ExAllocatePoolWithTag", 3); /* replaces nth=1 */
    assert_true(call(t, "ExAllocatePoolWithTag", 3, 0, 8, 1) != 0);
    assert_int_equal(call(t, "NdisAllocateMemoryWithTag", 3, va, 8, 1), NDIS_STATUS_SUCCESS);
    assert_true(call(t, "ExAllocatePoolWithTag", 3, 0, 8, 1) != 0);
    assert_int_equal(call(t, "NdisAllocateMemoryWithTag", 3, va, 8, 1), NDIS_STATUS_FAILURE);
    assert_string_equal(fail_note(t)->text,
                        "injected failure of NdisAllocateMemoryWithTag (call 2)");
    assert_int_equal(call(t, "ExAllocatePoolWithTag", 3, 0, 8, 1), 0);
    assert_string_equal(fail_note(t)->text, "injected failure of ExAllocatePoolWithTag (call 3)");
    /* other exports do not count against an armed one */
    arm(t, "ExAllocatePool", 1);
    assert_true(call(t, "ExAllocatePoolWithTag", 3, 0, 8, 1) != 0);
    assert_int_equal(call(t, "ExAllocatePool", 2, 0, 8), 0);
    /* cleared: nothing fails */
    arm(t, "ExAllocatePool", 1);
    arm(t, "ExAllocatePoolWithTag", 1);
    nt_fail_clear(t->nt);
    assert_true(call(t, "ExAllocatePool", 2, 0, 8) != 0);
    assert_true(call(t, "ExAllocatePoolWithTag", 3, 0, 8, 1) != 0);
    assert_null(fail_note(t));
}

/* A call that would raise rather than return NULL (PoolType with
 * POOL_RAISE_IF_ALLOCATION_FAILURE) is not failed and not counted. */
static void test_raising_call_not_counted(void **st)
{
    T *t = *st;

    arm(t, "ExAllocatePoolWithTag", 1);
    assert_true(call(t, "ExAllocatePoolWithTag", 3, 0x10, 8, 1) != 0);
    assert_null(fail_note(t));
    assert_int_equal(call(t, "ExAllocatePoolWithTag", 3, 0, 8, 1), 0);
    assert_non_null(fail_note(t));
}

/* Refusals: one line naming the export, and for a missing rule some
 * exports that have one. */
static void test_refusals(void **st)
{
    T *t = *st;
    char err[256];

    assert_int_equal(nt_fail_arm(t->nt, "KeBugCheckEx", 1, err, sizeof err), -1);
    assert_string_equal(err, "KeBugCheckEx: no failure rule (exports with one: "
                             "NdisAllocateMemoryWithTag NdisMMapIoSpace NdisReadConfiguration "
                             "ExAllocatePoolWithTag ... 22 in all, docs/failpoints.md)");
    /* the ones it names have rules */
    assert_true(nt_fail_has_rule("NdisAllocateMemoryWithTag") &&
                nt_fail_has_rule("NdisMMapIoSpace") && nt_fail_has_rule("NdisReadConfiguration") &&
                nt_fail_has_rule("ExAllocatePoolWithTag"));
    assert_int_equal(nt_fail_arm(t->nt, "NdisFrobnicate", 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "NdisFrobnicate: not an export xdrv provides (exports with one: "));
    assert_null(strchr(err, '\n'));
    assert_int_equal(nt_fail_arm(t->nt, "NdisMMapIoSpace", 0, err, sizeof err), -1);
    assert_string_equal(err, "NdisMMapIoSpace: nth must be 1 or more (1 = the next call)");
    assert_int_equal(nt_fail_arm(t->nt, NULL, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "(null): not an export"));
    assert_int_equal(nt_fail_arm(t->nt, "nonesuch", 1, NULL, 0), -1);
    assert_int_equal(nt_fail_arm(t->nt, "nonesuch", 1, err, 1), -1);
    assert_string_equal(err, "");
    /* refusals arm nothing */
    assert_null(t->nt->fail);
    assert_true(call(t, "MmAllocateContiguousMemory", 3, 4096, 0xffffffff, 0) != 0);
}

/* A bad output pointer stops the run as the handler would, naming it. */
static void test_bad_output_pointer(void **st)
{
    T *t = *st;
    uint32_t args[3] = {0, 16, 1}; /* VirtualAddress NULL */

    arm(t, "NdisAllocateMemoryWithTag", 1);
    assert_int_equal(callv(t, "NdisAllocateMemoryWithTag", NULL, 3, args), -1);
    assert_int_equal(vm_fault_kind(t->vm), VM_FAULT_API);
    assert_non_null(strstr(vm_fault_text(t->vm), "bad pointer 0x00000000 (VirtualAddress"));
}

static void test_bad_second_output(void **st)
{
    T *t = *st;
    /* Status fine, PhysicalAddress unmapped: nothing is stored at all */
    uint32_t args[5] = {0, 64, 0, DATA + 0x100, 0x00001000};

    wr32(t, DATA + 0x100, 0x12345678);
    arm(t, "NdisMAllocateSharedMemory", 1);
    assert_int_equal(callv(t, "NdisMAllocateSharedMemory", NULL, 5, args), -1);
    assert_non_null(strstr(vm_fault_text(t->vm), "PhysicalAddress"));
    assert_int_equal(rd32(t, DATA + 0x100), 0x12345678);
}

/* The routine's IRQL rule still holds for the failed call. */
static void test_irql_still_checked(void **st)
{
    T *t = *st;
    uint32_t args[5] = {DATA + 0x100, 0, 0xfebf0000, 0, 0x100};

    arm(t, "NdisMMapIoSpace", 1);
    nt_set_irql(t->nt, DISPATCH_LEVEL);
    assert_int_equal(callv(t, "NdisMMapIoSpace", NULL, 5, args), -1);
    assert_int_equal(vm_fault_kind(t->vm), VM_FAULT_IRQL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules_table),
        cmocka_unit_test_setup_teardown(test_each_documented_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nth_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unarmed_calls_work, setup, teardown),
        cmocka_unit_test_setup_teardown(test_several_rearm_clear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raising_call_not_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_output_pointer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_second_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_irql_still_checked, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
