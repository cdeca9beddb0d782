/* The core kernel from the host side: exports are called through their
 * thunks with vm_call (as a driver would call them), with small
 * hand-assembled guest routines as DPC and work routines. Covers what a
 * conformance driver cannot: runs that must stop (deadlocks, IRQL
 * violations, pool misuse) and the host interfaces of ke.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nt/nt.h"
#include "nt/ntoskrnl/ke.h"

#define CODE 0x80200000u
#define DATA 0x80300000u

/* DPC routine: ++*(LONG *)DeferredContext; ret 16 */
static const uint8_t dpc_count[] = {0x8B, 0x44, 0x24, 0x08, 0xFF, 0x00, 0xC2, 0x10, 0x00};
/* Work routine: ++*(LONG *)Parameter; ret 4 */
static const uint8_t work_count[] = {0x8B, 0x44, 0x24, 0x04, 0xFF, 0x00, 0xC2, 0x04, 0x00};
#define DPC_COUNT CODE
#define WORK_COUNT (CODE + 0x20)

typedef struct T {
    Vm *vm;
    Nt *nt;
} T;

static int setup(void **st)
{
    static T t;
    FILE *null = fopen("/dev/null", "w");
    NtOptions opt = {.log = null};
    t.vm = vm_create(NULL);
    assert_non_null(t.vm);
    t.nt = nt_create(t.vm, &opt);
    assert_non_null(t.nt);
    uint8_t *code = vm_map(t.vm, CODE, 0x1000, VM_PROT_R | VM_PROT_X, "test code");
    assert_non_null(code);
    memcpy(code, dpc_count, sizeof dpc_count);
    memcpy(code + 0x20, work_count, sizeof work_count);
    assert_non_null(vm_map(t.vm, DATA, 0x1000, VM_PROT_R | VM_PROT_W, "test data"));
    *st = &t;
    return 0;
}

static int teardown(void **st)
{
    T *t = *st;
    FILE *log = t->nt->opt.log;
    nt_destroy(t->nt);
    vm_destroy(t->vm);
    fclose(log);
    return 0;
}

static const NtExport *find(const char *module, const char *name)
{
    const NtModule *m = nt_find_module(module);
    assert_non_null(m);
    const NtExport *e = nt_find_export(m, name);
    assert_non_null(e);
    return e;
}

/* Call an export as the guest would; returns vm_call's status, *ret = EAX. */
static int call(T *t, const char *name, uint32_t *ret, unsigned n, ...)
{
    const char *module = "ntoskrnl.exe";
    const NtModule *m = nt_find_module(module);
    if (!nt_find_export(m, name))
        module = "hal.dll";
    const NtExport *e = find(module, name);
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

static void test_spinlock_reacquire_is_deadlock(void **st)
{
    T *t = *st;
    GuestAddr lock = DATA;
    uint32_t old;
    assert_int_equal(call(t, "KeInitializeSpinLock", NULL, 1, lock), 0);
    assert_int_equal(call(t, "KfAcquireSpinLock", &old, 1, lock), 0);
    assert_int_equal(old, PASSIVE_LEVEL);
    assert_int_equal(nt_irql(t->nt), DISPATCH_LEVEL);
    assert_int_equal(call(t, "KfAcquireSpinLock", &old, 1, lock), -1);
    expect_fault(t, VM_FAULT_DEADLOCK, "is already held");
}

static void test_release_free_spinlock_faults(void **st)
{
    T *t = *st;
    assert_int_equal(call(t, "KfRaiseIrql", NULL, 1, DISPATCH_LEVEL), 0);
    assert_int_equal(call(t, "KefReleaseSpinLockFromDpcLevel", NULL, 1, DATA), -1);
    expect_fault(t, VM_FAULT_API, "is not held");
}

static void test_wait_forever_is_deadlock(void **st)
{
    T *t = *st;
    GuestAddr ev = DATA;
    assert_int_equal(call(t, "KeInitializeEvent", NULL, 3, ev, 0, 0), 0);
    assert_int_equal(call(t, "KeWaitForSingleObject", NULL, 5, ev, 0, 0, 0, 0), -1);
    expect_fault(t, VM_FAULT_DEADLOCK, "KeWaitForSingleObject on event");
    expect_fault(t, VM_FAULT_DEADLOCK, "can never be satisfied");
}

static void test_wait_timeout_advances_time(void **st)
{
    T *t = *st;
    GuestAddr ev = DATA, timeout = DATA + 0x40;
    int64_t rel = -50 * 10000; /* 50 ms */
    assert_int_equal(vm_write(t->vm, timeout, &rel, 8), 0);
    GuestAddr tick = nt_resolve_import(t->nt, "ntoskrnl.exe", "KeTickCount");
    assert_true(tick != 0);
    uint32_t tick0 = rd32(t, tick), r;
    uint64_t t0 = vm_time_ns(t->vm);
    assert_int_equal(call(t, "KeInitializeEvent", NULL, 3, ev, 1, 0), 0);
    assert_int_equal(call(t, "KeWaitForSingleObject", &r, 5, ev, 0, 0, 0, timeout), 0);
    assert_int_equal(r, STATUS_TIMEOUT);
    assert_true(vm_time_ns(t->vm) - t0 >= 50000000u);
    assert_true(rd32(t, tick) - tick0 >= 3);
}

static void test_timer_dpc_on_idle(void **st)
{
    T *t = *st;
    GuestAddr timer = DATA, dpc = DATA + 0x40, counter = DATA + 0x80;
    assert_int_equal(call(t, "KeInitializeTimer", NULL, 1, timer), 0);
    assert_int_equal(call(t, "KeInitializeDpc", NULL, 3, dpc, DPC_COUNT, counter), 0);
    uint64_t now = vm_time_ns(t->vm);
    /* KeSetTimer(Timer, DueTime = -10 ms, Dpc): LARGE_INTEGER in two slots */
    int64_t due = -10 * 10000;
    assert_int_equal(call(t, "KeSetTimer", NULL, 4, timer, (uint32_t)due, (uint32_t)((uint64_t)due >> 32), dpc), 0);
    assert_int_equal(rd32(t, counter), 0);
    assert_int_equal(nt_ke_idle(t->nt, now + 5000000u), 0);
    assert_int_equal(rd32(t, counter), 0);
    assert_int_equal(nt_ke_idle(t->nt, now + 50000000u), 1);
    assert_int_equal(rd32(t, counter), 1);
    assert_true(vm_time_ns(t->vm) >= now + 10000000u);
    assert_int_equal(nt_ke_idle(t->nt, now + 50000000u), 0);
    assert_int_equal(vm_time_ns(t->vm), now + 50000000u);
    assert_int_equal(nt_irql(t->nt), PASSIVE_LEVEL);
}

static void test_dpc_waits_for_lower_irql(void **st)
{
    T *t = *st;
    GuestAddr dpc = DATA, counter = DATA + 0x80;
    assert_int_equal(call(t, "KeInitializeDpc", NULL, 3, dpc, DPC_COUNT, counter), 0);
    assert_int_equal(call(t, "KfRaiseIrql", NULL, 1, DISPATCH_LEVEL), 0);
    uint32_t r;
    assert_int_equal(call(t, "KeInsertQueueDpc", &r, 3, dpc, 0, 0), 0);
    assert_int_equal(r & 0xff, 1);
    nt_ke_run_pending(t->nt); /* at DISPATCH_LEVEL: must not run */
    assert_int_equal(rd32(t, counter), 0);
    assert_int_equal(call(t, "KfLowerIrql", NULL, 1, PASSIVE_LEVEL), 0);
    assert_int_equal(rd32(t, counter), 1);
}

static void test_work_item_runs_when_idle(void **st)
{
    T *t = *st;
    GuestAddr item = DATA, counter = DATA + 0x80;
    uint32_t wqi[4] = {0, 0, WORK_COUNT, counter};
    assert_int_equal(vm_write(t->vm, item, wqi, sizeof wqi), 0);
    assert_int_equal(call(t, "ExQueueWorkItem", NULL, 2, item, 1), 0);
    assert_int_equal(rd32(t, counter), 0);
    nt_ke_run_pending(t->nt);
    assert_int_equal(rd32(t, counter), 1);
    assert_false(vm_stopped(t->vm));
}

static void test_pool_double_free(void **st)
{
    T *t = *st;
    uint32_t p;
    assert_int_equal(call(t, "ExAllocatePoolWithTag", &p, 3, 0, 64, 0x74736554u), 0);
    assert_true(p != 0);
    assert_int_equal(call(t, "ExFreePool", NULL, 1, p), 0);
    assert_int_equal(call(t, "ExFreePool", NULL, 1, p), -1);
    expect_fault(t, VM_FAULT_API, "is not a live pool block");
}

static void test_pool_overrun(void **st)
{
    T *t = *st;
    uint32_t p;
    assert_int_equal(call(t, "ExAllocatePoolWithTag", &p, 3, 0, 16, 0x74736554u), 0);
    uint8_t junk = 0x55;
    assert_int_equal(vm_write(t->vm, p + 16, &junk, 1), 0);
    assert_int_equal(call(t, "ExFreePoolWithTag", NULL, 2, p, 0x74736554u), -1);
    expect_fault(t, VM_FAULT_API, "pool block overrun");
}

static void test_free_pool_with_armed_timer(void **st)
{
    T *t = *st;
    uint32_t p;
    assert_int_equal(call(t, "ExAllocatePoolWithTag", &p, 3, 0, 0x40, 0), 0);
    assert_int_equal(call(t, "KeInitializeTimer", NULL, 1, p + 8), 0);
    int64_t due = -1000 * 10000;
    assert_int_equal(call(t, "KeSetTimer", NULL, 4, p + 8, (uint32_t)due, (uint32_t)((uint64_t)due >> 32), 0), 0);
    assert_int_equal(call(t, "ExFreePool", NULL, 1, p), -1);
    expect_fault(t, VM_FAULT_API, "which is still set");
}

static void test_paged_pool_at_dispatch(void **st)
{
    T *t = *st;
    assert_int_equal(call(t, "KfRaiseIrql", NULL, 1, DISPATCH_LEVEL), 0);
    assert_int_equal(call(t, "ExAllocatePoolWithTag", NULL, 3, 1 /* PagedPool */, 16, 0), -1);
    expect_fault(t, VM_FAULT_IRQL, "paged pool requires IRQL <= APC_LEVEL");
}

static void test_semaphore_limit(void **st)
{
    T *t = *st;
    assert_int_equal(call(t, "KeInitializeSemaphore", NULL, 3, DATA, 1, 1), 0);
    assert_int_equal(call(t, "KeReleaseSemaphore", NULL, 4, DATA, 0, 1, 0), -1);
    expect_fault(t, VM_FAULT_API, "STATUS_SEMAPHORE_LIMIT_EXCEEDED");
}

static void test_mutex_release_not_owned(void **st)
{
    T *t = *st;
    assert_int_equal(call(t, "KeInitializeMutex", NULL, 2, DATA, 0), 0);
    assert_int_equal(call(t, "KeReleaseMutex", NULL, 2, DATA, 0), -1);
    expect_fault(t, VM_FAULT_API, "not owned by the current thread");
}

static void test_lower_irql_upwards(void **st)
{
    T *t = *st;
    assert_int_equal(call(t, "KfLowerIrql", NULL, 1, DISPATCH_LEVEL), -1);
    expect_fault(t, VM_FAULT_IRQL, "IRQL_NOT_LESS_OR_EQUAL");
}

static void test_alldiv_by_zero(void **st)
{
    T *t = *st;
    assert_int_equal(call(t, "_alldiv", NULL, 4, 7, 0, 0, 0), -1);
    expect_fault(t, VM_FAULT_DIVIDE, "division by zero");
}

static void test_memcpy_bad_pointer(void **st)
{
    T *t = *st;
    assert_int_equal(call(t, "memcpy", NULL, 3, DATA, 0x10, 4), -1);
    expect_fault(t, VM_FAULT_API, "bad pointer 0x00000010");
}

static void test_perf_counter_from_virtual_time(void **st)
{
    T *t = *st;
    uint32_t lo;
    vm_advance_time(t->vm, 1000000000u); /* 1 s */
    assert_int_equal(call(t, "KeQueryPerformanceCounter", &lo, 1, DATA), 0);
    assert_int_equal(rd32(t, DATA), 3579545u);
    assert_true(lo >= 3579545u && lo < 3579545u + 1000u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_spinlock_reacquire_is_deadlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_free_spinlock_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_forever_is_deadlock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_timeout_advances_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timer_dpc_on_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dpc_waits_for_lower_irql, setup, teardown),
        cmocka_unit_test_setup_teardown(test_work_item_runs_when_idle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_double_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool_overrun, setup, teardown),
        cmocka_unit_test_setup_teardown(test_free_pool_with_armed_timer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paged_pool_at_dispatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_semaphore_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutex_release_not_owned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lower_irql_upwards, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alldiv_by_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memcpy_bad_pointer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_perf_counter_from_virtual_time, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
