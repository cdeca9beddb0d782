/* Micro-benchmarks of the guest CPU: the costs every design decision in
 * xdrv rests on. Prints ns per operation and ratios against the same loops
 * run natively, side by side in one invocation. Guest code is hand-assembled
 * x86 (the same loops as the native C ones below). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "vm/vm.h"

#define CODE 0x80200000u
#define DATA 0x80300000u

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static uint64_t host_fn(void *opaque, uint32_t id, const uint32_t *a)
{
    return a[0] + 1;
}

static uint32_t port_read(void *o, uint16_t port, unsigned size) { return 0x5a; }
static void port_write(void *o, uint16_t port, unsigned size, uint32_t v) { (void)v; }
static const VmIoOps io_ops = {.port_read = port_read, .port_write = port_write};

static Vm *make_vm(const uint8_t *code, size_t len)
{
    VmConfig cfg = {.budget = 1ull << 40};
    Vm *vm = vm_create(&cfg);
    if (!vm)
        exit(1);
    uint8_t *p = vm_map(vm, CODE, 0x10000, VM_PROT_R | VM_PROT_X, "bench");
    vm_map(vm, DATA, 0x10000, VM_PROT_R | VM_PROT_W, "data");
    memcpy(p, code, len);
    vm_set_host_handler(vm, host_fn, NULL);
    vm_set_io(vm, &io_ops, NULL);
    return vm;
}

static void put32(Vm *vm, GuestAddr a, uint32_t v)
{
    memcpy(vm_ptr(vm, a, 4), &v, 4);
}

static double run_guest(Vm *vm, uint32_t n)
{
    uint32_t r;
    double t0 = now_ns();
    if (vm_call(vm, CODE, VM_STDCALL, &n, 1, "bench", &r) < 0) {
        vm_report_fault(vm, stderr);
        exit(1);
    }
    return now_ns() - t0;
}

/* native counterparts */
static __attribute__((noinline)) uint32_t native_reg_loop(uint32_t n)
{
    uint32_t acc = 0;
    for (uint32_t i = n; i; i--) {
        acc += i;
        __asm__ volatile("" : "+r"(acc));
    }
    return acc;
}

static __attribute__((noinline)) void native_store_loop(volatile uint32_t *p, uint32_t n)
{
    for (uint32_t i = n; i; i--)
        p[i & 255] = i;
}

#define REPEATS 5

static uint32_t scale = 1;

/* 1. guest->host call round trip: mov ecx,[esp+4]; L: push ecx; call thunk; dec ecx; jnz L; ret 4 */
static double case_api(void)
{
    uint8_t code[] = {0x8B, 0x4C, 0x24, 0x04, 0x51, 0xB8, 0, 0, 0, 0, 0xFF, 0xD0, 0x49, 0x75, 0xF5, 0xC2, 0x04, 0x00};
    Vm *vm = make_vm(code, sizeof code);
    put32(vm, CODE + 6, vm_add_thunk(vm, "Bench", VM_STDCALL, 4, 0));
    uint32_t n = 200000 * scale;
    double t = run_guest(vm, n);
    vm_destroy(vm);
    return t / n;
}

/* 1b. the same with the thunk marked a leaf (served inside the emulator) */
static double case_api_leaf(void)
{
    uint8_t code[] = {0x8B, 0x4C, 0x24, 0x04, 0x51, 0xB8, 0, 0, 0, 0, 0xFF, 0xD0, 0x49, 0x75, 0xF5, 0xC2, 0x04, 0x00};
    Vm *vm = make_vm(code, sizeof code);
    GuestAddr th = vm_add_thunk(vm, "Bench", VM_STDCALL, 4, 0);
    vm_set_thunk_leaf(vm, th);
    put32(vm, CODE + 6, th);
    uint32_t n = 200000 * scale;
    double t = run_guest(vm, n);
    vm_destroy(vm);
    return t / n;
}

/* 2. host->guest callback round trip: a guest `ret 4` called n times */
static double case_callback(void)
{
    uint8_t code[] = {0xC2, 0x04, 0x00};
    Vm *vm = make_vm(code, sizeof code);
    uint32_t n = 200000 * scale, r, arg = 1;
    double t0 = now_ns();
    for (uint32_t i = 0; i < n; i++)
        vm_call(vm, CODE, VM_STDCALL, &arg, 1, "cb", &r);
    double t = now_ns() - t0;
    vm_destroy(vm);
    return t / n;
}

/* 3. port I/O round trip: mov ecx,[esp+4]; mov dx,0x300; L: out dx,al; in al,dx; dec ecx; jnz L; ret 4 */
static double case_port(void)
{
    uint8_t code[] = {0x8B, 0x4C, 0x24, 0x04, 0x66, 0xBA, 0x00, 0x03, 0xEE, 0xEC, 0x49, 0x75, 0xFB, 0xC2, 0x04, 0x00};
    Vm *vm = make_vm(code, sizeof code);
    uint32_t n = 1000000 * scale;
    double t = run_guest(vm, n);
    vm_destroy(vm);
    return t / n;
}

/* 4. register-only loop: mov ecx,[esp+4]; xor eax,eax; L: add eax,ecx; dec ecx; jnz L; ret 4 */
static double case_reg(void)
{
    uint8_t code[] = {0x8B, 0x4C, 0x24, 0x04, 0x31, 0xC0, 0x01, 0xC8, 0x49, 0x75, 0xFB, 0xC2, 0x04, 0x00};
    Vm *vm = make_vm(code, sizeof code);
    uint32_t n = 50000000 * scale;
    double t = run_guest(vm, n);
    vm_destroy(vm);
    return t / n;
}

static double native_reg(void)
{
    uint32_t n = 50000000 * scale;
    double t0 = now_ns();
    volatile uint32_t sink = native_reg_loop(n);
    (void)sink;
    return (now_ns() - t0) / n;
}

/* 5. store-heavy loop: mov ecx,[esp+4]; L: mov edx,ecx; and edx,255; mov [DATA+edx*4],ecx; dec ecx; jnz L; ret 4 */
static double case_store(void)
{
    uint8_t code[] = {0x8B, 0x4C, 0x24, 0x04, 0x89, 0xCA, 0x81, 0xE2, 0xFF, 0, 0, 0,
                      0x89, 0x0C, 0x95, 0, 0, 0x30, 0x80, 0x49, 0x75, 0xF0, 0xC2, 0x04, 0x00};
    Vm *vm = make_vm(code, sizeof code);
    uint32_t n = 5000000 * scale;
    double t = run_guest(vm, n);
    vm_destroy(vm);
    return t / n;
}

static double native_store(void)
{
    static uint32_t buf[256];
    uint32_t n = 5000000 * scale;
    double t0 = now_ns();
    native_store_loop(buf, n);
    return (now_ns() - t0) / n;
}

/* 6. load-heavy loop: the shape of 5 with a load: mov eax,[DATA+edx*4] */
static double case_load(void)
{
    uint8_t code[] = {0x8B, 0x4C, 0x24, 0x04, 0x89, 0xCA, 0x81, 0xE2, 0xFF, 0, 0, 0,
                      0x8B, 0x04, 0x95, 0, 0, 0x30, 0x80, 0x49, 0x75, 0xF0, 0xC2, 0x04, 0x00};
    Vm *vm = make_vm(code, sizeof code);
    uint32_t n = 20000000 * scale;
    double t = run_guest(vm, n);
    vm_destroy(vm);
    return t / n;
}

static double native_load(void)
{
    static uint32_t buf[256];
    uint32_t n = 20000000 * scale, acc = 0;
    double t0 = now_ns();
    for (uint32_t i = n; i; i--)
        acc += ((volatile uint32_t *)buf)[i & 255];
    volatile uint32_t sink = acc;
    (void)sink;
    return (now_ns() - t0) / n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* REPEATS runs of fn, sorted */
static void repeat(double (*fn)(void), double out[REPEATS])
{
    for (unsigned i = 0; i < REPEATS; i++)
        out[i] = fn();
    qsort(out, REPEATS, sizeof out[0], cmp_double);
}

static void row(const char *what, double (*guest)(void), double (*native)(void))
{
    double g[REPEATS], n[REPEATS];
    repeat(guest, g);
    printf("%-38s %8.2f %8.2f %8.2f", what, g[0], g[REPEATS / 2], g[REPEATS - 1]);
    if (native) {
        repeat(native, n);
        printf("   %6.2f %6.2f %6.2f %8.1fx\n", n[0], n[REPEATS / 2], n[REPEATS - 1],
               g[REPEATS / 2] / n[REPEATS / 2]);
    } else {
        printf("   %6s %6s %6s %9s\n", "-", "-", "-", "-");
    }
}

int main(int argc, char **argv)
{
    scale = argc > 1 ? (uint32_t)atoi(argv[1]) : 1;
    if (!scale)
        scale = 1;
    printf("xdrv guest CPU micro-benchmarks (Unicorn, x86-32 guest); ns per operation,\n"
           "min/median/max of %d runs, guest and native side by side, ratio of the medians\n",
           REPEATS);
    printf("%-38s %26s   %20s %9s\n", "operation", "guest min/median/max", "native min/med/max",
           "ratio");
    row("guest->host API call round trip", case_api, NULL);
    row("the same, a leaf export (in a code hook)", case_api_leaf, NULL);
    row("host->guest callback round trip", case_callback, NULL);
    row("port I/O round trip (out + in)", case_port, NULL);
    row("register-only loop iteration", case_reg, native_reg);
    row("store-heavy loop iteration (1 store)", case_store, native_store);
    row("load-heavy loop iteration (1 load)", case_load, native_load);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %ld KiB\n", ru.ru_maxrss);
    return 0;
}
