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
static const VmIoOps io_ops = {port_read, port_write};

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

int main(int argc, char **argv)
{
    uint32_t scale = argc > 1 ? (uint32_t)atoi(argv[1]) : 1;
    if (!scale)
        scale = 1;
    printf("xdrv guest CPU micro-benchmarks (Unicorn, %s)\n", "x86-32 guest");
    printf("%-40s %12s %12s %10s\n", "operation", "guest ns/op", "native ns/op", "ratio");

    /* 1. guest->host call round trip: mov ecx,[esp+4]; L: push ecx; call thunk; dec ecx; jnz L; ret 4 */
    {
        uint8_t code[] = {0x8B, 0x4C, 0x24, 0x04, 0x51, 0xB8, 0, 0, 0, 0, 0xFF, 0xD0, 0x49, 0x75, 0xF5, 0xC2, 0x04, 0x00};
        Vm *vm = make_vm(code, sizeof code);
        put32(vm, CODE + 6, vm_add_thunk(vm, "Bench", VM_STDCALL, 4, 0));
        uint32_t n = 200000 * scale;
        double t = run_guest(vm, n);
        printf("%-40s %12.1f %12s %10s\n", "guest->host API call round trip", t / n, "-", "-");
        vm_destroy(vm);
    }
    /* 2. host->guest callback round trip: a guest `ret 4` called n times */
    {
        uint8_t code[] = {0xC2, 0x04, 0x00};
        Vm *vm = make_vm(code, sizeof code);
        uint32_t n = 200000 * scale, r, arg = 1;
        double t0 = now_ns();
        for (uint32_t i = 0; i < n; i++)
            vm_call(vm, CODE, VM_STDCALL, &arg, 1, "cb", &r);
        double t = now_ns() - t0;
        printf("%-40s %12.1f %12s %10s\n", "host->guest callback round trip", t / n, "-", "-");
        vm_destroy(vm);
    }
    /* 3. port I/O round trip: mov ecx,[esp+4]; mov dx,0x300; L: out dx,al; in al,dx; dec ecx; jnz L; ret 4 */
    {
        uint8_t code[] = {0x8B, 0x4C, 0x24, 0x04, 0x66, 0xBA, 0x00, 0x03, 0xEE, 0xEC, 0x49, 0x75, 0xFB, 0xC2, 0x04, 0x00};
        Vm *vm = make_vm(code, sizeof code);
        uint32_t n = 1000000 * scale;
        double t = run_guest(vm, n);
        printf("%-40s %12.1f %12s %10s\n", "port I/O round trip (out + in)", t / n, "-", "-");
        vm_destroy(vm);
    }
    /* 4. register-only loop: mov ecx,[esp+4]; xor eax,eax; L: add eax,ecx; dec ecx; jnz L; ret 4 */
    {
        uint8_t code[] = {0x8B, 0x4C, 0x24, 0x04, 0x31, 0xC0, 0x01, 0xC8, 0x49, 0x75, 0xFB, 0xC2, 0x04, 0x00};
        Vm *vm = make_vm(code, sizeof code);
        uint32_t n = 50000000 * scale;
        double t = run_guest(vm, n);
        double t0 = now_ns();
        volatile uint32_t sink = native_reg_loop(n);
        (void)sink;
        double tn = now_ns() - t0;
        printf("%-40s %12.2f %12.2f %9.1fx\n", "register-only loop iteration", t / n, tn / n, t / tn);
        vm_destroy(vm);
    }
    /* 5. store-heavy loop: mov ecx,[esp+4]; L: mov edx,ecx; and edx,255; mov [DATA+edx*4],ecx; dec ecx; jnz L; ret 4 */
    {
        uint8_t code[] = {0x8B, 0x4C, 0x24, 0x04, 0x89, 0xCA, 0x81, 0xE2, 0xFF, 0, 0, 0,
                          0x89, 0x0C, 0x95, 0, 0, 0x30, 0x80, 0x49, 0x75, 0xF0, 0xC2, 0x04, 0x00};
        Vm *vm = make_vm(code, sizeof code);
        uint32_t n = 5000000 * scale;
        double t = run_guest(vm, n);
        static uint32_t buf[256];
        double t0 = now_ns();
        native_store_loop(buf, n);
        double tn = now_ns() - t0;
        printf("%-40s %12.2f %12.2f %9.1fx\n", "store-heavy loop iteration (1 store)", t / n, tn / n, t / tn);
        vm_destroy(vm);
    }
    /* 6. load-heavy loop: same shape as 5 with a load: mov ecx,[DATA+edx*4] replaced by mov eax,... */
    {
        uint8_t code[] = {0x8B, 0x4C, 0x24, 0x04, 0x89, 0xCA, 0x81, 0xE2, 0xFF, 0, 0, 0,
                          0x8B, 0x04, 0x95, 0, 0, 0x30, 0x80, 0x49, 0x75, 0xF0, 0xC2, 0x04, 0x00};
        Vm *vm = make_vm(code, sizeof code);
        uint32_t n = 20000000 * scale;
        double t = run_guest(vm, n);
        static uint32_t buf[256];
        double t0 = now_ns();
        uint32_t acc = 0;
        for (uint32_t i = n; i; i--) {
            acc += ((volatile uint32_t *)buf)[i & 255];
        }
        double tn = now_ns() - t0;
        volatile uint32_t sink = acc;
        (void)sink;
        printf("%-40s %12.2f %12.2f %9.1fx\n", "load-heavy loop iteration (1 load)", t / n, tn / n, t / tn);
        vm_destroy(vm);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %ld KiB\n", ru.ru_maxrss);
    return 0;
}
