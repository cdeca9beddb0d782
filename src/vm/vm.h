/* The guest CPU: a 32-bit x86 protected-mode machine on Unicorn with a
 * Windows-like kernel address space. This header is the only interface to it;
 * only src/vm includes <unicorn/unicorn.h>.
 *
 * Design (see docs/vm.md): guest->host calls land on one-byte `hlt` thunks,
 * which end uc_emu_start; the host handler runs outside emulation, sets
 * EAX:EDX and resumes at the thunk's `ret N`. Host->guest calls push a return
 * address pointing at another `hlt` (the return trampoline) and loop on
 * uc_emu_start until it is reached with the expected stack. Because a host
 * handler only ever runs after uc_emu_start has returned, callbacks from
 * inside an API (KeSynchronizeExecution, IofCallDriver, ...) never nest
 * uc_emu_start calls: nesting depth is bounded only by the host and guest
 * stacks, not by Unicorn. */
#ifndef XDRV_VM_H
#define XDRV_VM_H

#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

typedef uint32_t GuestAddr;
typedef struct Vm Vm;

/* Guest address-space layout (Windows x86, 2 GB system space). */
#define VM_PAGE_SIZE 0x1000u
#define VM_SYS_BASE 0x80000000u /* thunks, data exports, GDT */
#define VM_SYS_SIZE 0x00100000u
#define VM_IMAGE_BASE 0x80100000u /* driver images */
#define VM_IMAGE_SIZE 0x00F00000u
#define VM_POOL_BASE 0x81000000u /* kernel pool (guard page before/after) */
#define VM_POOL_SIZE 0x04000000u
#define VM_STACK_BASE 0x8F000000u /* guard page below, grows down from top */
#define VM_STACK_SIZE 0x00100000u
#define VM_SHARED_DATA 0xFFDF0000u /* KUSER_SHARED_DATA, read-only */
#define VM_KPCR_BASE 0xFFDFF000u   /* KPCR, FS base; KPRCB at +0x120 */
#define VM_KPCR_SIZE 0x1000u

typedef enum VmCallConv {
    VM_STDCALL,  /* args on stack, callee pops argbytes */
    VM_CDECL,    /* args on stack, caller pops */
    VM_FASTCALL, /* first two in ECX, EDX, rest on stack, callee pops rest */
    VM_VARARGS,  /* cdecl with a variable count: handler reads the stack */
    VM_REGCALL,  /* compiler helpers (_allshl ...): EAX, EDX, ECX; nothing on stack */
} VmCallConv;

typedef enum VmReg {
    VM_EAX,
    VM_EBX,
    VM_ECX,
    VM_EDX,
    VM_ESI,
    VM_EDI,
    VM_EBP,
    VM_ESP,
    VM_EIP,
    VM_EFLAGS,
    VM_REG_COUNT
} VmReg;

typedef enum VmFaultKind {
    VM_FAULT_NONE,
    VM_FAULT_UNMAPPED,   /* read/write/fetch of unmapped memory (NULL deref, wild pointer) */
    VM_FAULT_WRITE_PROT, /* write to read-only memory (code, rdata) */
    VM_FAULT_EXEC,       /* execution outside code */
    VM_FAULT_INVALID_OPCODE,
    VM_FAULT_DIVIDE,
    VM_FAULT_STACK_OVERFLOW, /* access to the stack guard page */
    VM_FAULT_RUNAWAY,        /* instruction budget exhausted */
    VM_FAULT_INTERRUPT,      /* int3, int n, hlt outside a thunk */
    VM_FAULT_BAD_RETURN,     /* callback returned with an unbalanced stack */
    VM_FAULT_NESTING,        /* host<->guest nesting too deep */
    VM_FAULT_API,            /* an API stopped the run: bad argument, IRQL violation, ... */
    VM_FAULT_MISSING_IMPORT, /* a missing import was called (--allow-missing) */
    VM_FAULT_UNIMPLEMENTED,  /* an export that cannot do its job in this configuration */
    VM_FAULT_BUGCHECK,       /* KeBugCheckEx */
    VM_FAULT_DEADLOCK,       /* a wait that can never be satisfied */
    VM_FAULT_IRQL,           /* IRQL rule violated */
    VM_FAULT_HOST,           /* host resource failure (out of guest memory ...) */
    VM_FAULT_INTERRUPTED,    /* the user stopped the run (SIGINT/SIGTERM) while the driver ran */
    VM_FAULT_HANG,           /* a call took longer than the watchdog allows (vm_call_watchdog) */
    VM_FAULT_KIND_COUNT
} VmFaultKind;

const char *vm_fault_kind_name(VmFaultKind k);

/* Handler for guest->host calls: `id` is the value given to vm_add_thunk,
 * args[0..nargs) the decoded arguments (for VM_FASTCALL args[0]=ECX,
 * args[1]=EDX; for VM_REGCALL EAX, EDX, ECX; for VM_VARARGS the first 16
 * stack words). Returns EDX:EAX. If the handler stops the run (vm_fault), the
 * value is ignored. */
typedef uint64_t (*VmHostFn)(void *opaque, uint32_t id, const uint32_t *args);

typedef struct VmIoOps {
    uint32_t (*port_read)(void *opaque, uint16_t port, unsigned size);
    void (*port_write)(void *opaque, uint16_t port, unsigned size, uint32_t value);
    /* Optional: the datasheet name of the register an access would reach
     * now (for trace events; no side effects), or NULL. */
    const char *(*port_name)(void *opaque, uint16_t port, unsigned size, int write);
} VmIoOps;

typedef struct VmMmioOps {
    uint32_t (*read)(void *opaque, uint32_t offset, unsigned size);
    void (*write)(void *opaque, uint32_t offset, unsigned size, uint32_t value);
    const char *(*name)(void *opaque, uint32_t offset, unsigned size, int write); /* optional */
} VmMmioOps;

typedef struct VmConfig {
    uint64_t budget;    /* basic blocks per top-level call into the guest; 0 = default */
    unsigned max_depth; /* host<->guest nesting limit; 0 = default (4096) */
    /* the run will watch the driver's loads from device memory
     * (vm_watch_stores): set it, or a host whose Unicorn misses load hooks
     * (2.1.1 on arm64, vm.c) records too few of them */
    int watch_loads;
    /* a top-level call into the guest may take this much virtual time
     * (its blocks and what it stalled or waited: KeStallExecutionProcessor,
     * NdisStallExecution) and this much wall time before it is a runaway
     * (VM_FAULT_HANG); 0 = defaults below */
    uint64_t call_vtime_ns;
    uint64_t call_wall_ns;
} VmConfig;

#define VM_DEFAULT_CALL_VTIME_NS 10000000000ull /* 10 s */
#define VM_DEFAULT_CALL_WALL_NS 30000000000ull  /* 30 s */
#define VM_DEFAULT_BUDGET 400000000ull
#define VM_DEFAULT_MAX_DEPTH 4096u
/* Virtual time charged per executed basic block (deterministic clock). */
#define VM_NS_PER_BLOCK 10u

/* The first call loads Unicorn and Capstone (libload.h); if either is
 * missing, one line on stderr names it and its Debian package, and NULL. */
Vm *vm_create(const VmConfig *cfg);
void vm_destroy(Vm *vm);

/* The translator xdrv runs on: "Unicorn X.Y.Z" from the library's
 * uc_version() at run time, followed by "(built against the X.Y.Z
 * headers)" when the headers' UC_VERSION_* differ, or "Unicorn: " and why
 * it cannot be loaded. Returns buf. */
const char *vm_engine_version(char *buf, size_t len);

/* ---- memory ---- */
enum { VM_PROT_R = 1, VM_PROT_W = 2, VM_PROT_X = 4 };
/* Map zeroed host memory at [base, base+size) (page aligned). Returns the
 * host pointer or NULL. */
void *vm_map(Vm *vm, GuestAddr base, uint32_t size, int prot, const char *name);
/* Change protection of whole pages inside a mapping. */
int vm_protect(Vm *vm, GuestAddr base, uint32_t size, int prot);
/* Host pointer for [a, a+len) if it lies inside one RAM mapping, else NULL. */
void *vm_ptr(Vm *vm, GuestAddr a, uint32_t len);
/* Like vm_ptr, but when called from a host handler a bad range stops the run
 * with VM_FAULT_API ("<api>: bad pointer 0x... (what)") and unwinds out of
 * the handler (longjmp): it never returns NULL there. Outside a handler it
 * returns NULL after recording the fault. */
void *vm_guest(Vm *vm, GuestAddr a, uint32_t len, const char *what);
int vm_read(Vm *vm, GuestAddr a, void *dst, uint32_t len);
int vm_write(Vm *vm, GuestAddr a, const void *src, uint32_t len);
/* Checked accessors for use inside handlers (unwind on a bad address). */
uint32_t vm_rd32(Vm *vm, GuestAddr a);
uint16_t vm_rd16(Vm *vm, GuestAddr a);
uint8_t vm_rd8(Vm *vm, GuestAddr a);
void vm_wr32(Vm *vm, GuestAddr a, uint32_t v);
void vm_wr16(Vm *vm, GuestAddr a, uint16_t v);
void vm_wr8(Vm *vm, GuestAddr a, uint8_t v);
/* Length of a NUL-terminated guest string (8- or 16-bit units), at most max
 * units; unwinds on a bad address. */
uint32_t vm_strlen(Vm *vm, GuestAddr a, uint32_t max);
uint32_t vm_wcslen(Vm *vm, GuestAddr a, uint32_t max);
/* Tell Unicorn that host code wrote guest code bytes (drops translations). */
void vm_flush_code(Vm *vm, GuestAddr a, uint32_t len);

/* ---- modules (names for module+0xRVA in reports) ---- */
void vm_add_module(Vm *vm, const char *name, GuestAddr base, uint32_t size);
/* "ktest.sys+0x1234" or "0x80001234" into buf. */
const char *vm_format_addr(Vm *vm, GuestAddr a, char *buf, size_t len);

/* ---- guest->host ---- */
void vm_set_host_handler(Vm *vm, VmHostFn fn, void *opaque);
/* Allocate a thunk; returns its guest address (0 on exhaustion). `name` must
 * outlive the Vm (the export tables' string literals). */
GuestAddr vm_add_thunk(Vm *vm, const char *name, VmCallConv cc, uint16_t argbytes, uint32_t id);
/* Mark a thunk as a leaf: its handler never calls into the guest and never
 * lowers the IRQL (so nothing becomes deliverable), so it is served from a
 * code hook without leaving the emulator (no uc_emu_start round trip, and
 * no interrupt or timer delivery at that point). A handler that faults or
 * throws still stops the run as usual. */
void vm_set_thunk_leaf(Vm *vm, GuestAddr thunk);
/* Guest memory for data exports and other host-owned objects in the system
 * area (zeroed, 8-byte aligned); 0 on exhaustion. */
GuestAddr vm_alloc_sys(Vm *vm, uint32_t size);
/* The stack words of the current host call, for VM_VARARGS handlers:
 * word i is [esp+4+4i] at the call. Unwinds on a bad address. */
uint32_t vm_stack_arg(Vm *vm, unsigned i);
/* Name of the export currently being served ("" at top level). */
const char *vm_current_api(Vm *vm);

/* ---- host->guest ---- */
/* Call guest function `fn` with `nargs` 32-bit args. `what` names it for the
 * trace ("DriverEntry", "IRP_MJ_CREATE" ...). Returns 0 and sets *ret (EAX),
 * or -1 when the run has stopped (a fault anywhere below). Callers must then
 * return promptly. */
int vm_call(Vm *vm, GuestAddr fn, VmCallConv cc, const uint32_t *args, unsigned nargs,
            const char *what, uint32_t *ret);
unsigned vm_depth(Vm *vm);

/* ---- faults ---- */
/* Stop the run (sticky). The first fault wins; later ones are ignored. */
void vm_fault(Vm *vm, VmFaultKind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* From inside a handler: record the fault and unwind out of the handler. */
_Noreturn void vm_throw(Vm *vm, VmFaultKind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vm_stopped(Vm *vm);
VmFaultKind vm_fault_kind(Vm *vm);
const char *vm_fault_text(Vm *vm);
/* The full report: kind, EIP as module+0xRVA, disassembly (Capstone),
 * registers, the last API calls. */
void vm_report_fault(Vm *vm, FILE *f);

/* ---- registers ---- */
uint32_t vm_reg(Vm *vm, VmReg r);
void vm_set_reg(Vm *vm, VmReg r, uint32_t v);

/* ---- I/O ---- */
void vm_set_io(Vm *vm, const VmIoOps *ops, void *opaque);
/* Port access from a HAL export (READ_PORT_UCHAR ...): same path and trace
 * events as the in/out instructions. */
uint32_t vm_port_read(Vm *vm, uint16_t port, unsigned size);
void vm_port_write(Vm *vm, uint16_t port, unsigned size, uint32_t value);
int vm_map_mmio(Vm *vm, GuestAddr base, uint32_t size, const VmMmioOps *ops, void *opaque);
/* A device-register access made by host code on the guest's behalf
 * (READ_REGISTER_ULONG & co.): MMIO goes to the device with the same trace
 * events as a guest instruction's access, RAM is read or written plainly.
 * Inside a handler a bad address unwinds (vm_throw). size is 1, 2 or 4. */
uint32_t vm_register_read(Vm *vm, GuestAddr a, unsigned size);
void vm_register_write(Vm *vm, GuestAddr a, unsigned size, uint32_t value);

/* While *flag is nonzero, a running call into the driver stops at its next
 * run-slice boundary with VM_FAULT_INTERRUPTED (a report of where it was).
 * For a signal handler that sets the flag; NULL disables. */
void vm_set_interrupt_flag(Vm *vm, volatile sig_atomic_t *flag);

/* ---- virtual time ---- */
uint64_t vm_time_ns(Vm *vm);
void vm_advance_time(Vm *vm, uint64_t ns);
/* The watchdog of the current top-level call into the guest: 0 while it
 * is within VmConfig.call_vtime_ns and call_wall_ns, else -1 with the run
 * stopped (VM_FAULT_HANG, saying which limit). Checked at every run
 * slice and by hosts that let time pass inside a call (stalls). */
int vm_call_watchdog(Vm *vm);
/* Called whenever virtual time moves (after each guest run slice and each
 * vm_advance_time), e.g. to refresh KeTickCount and fire timers. */
void vm_set_time_hook(Vm *vm, void (*fn)(void *opaque, uint64_t now_ns), void *opaque);

/* ---- recording (trace mode only: nothing here is installed otherwise) ---- */
/* The guest code that is the cause of what happens now: while a kernel
 * export serves the driver, its call's return address; while the driver
 * runs, the current instruction (in/out, a memory access); 0 when no driver
 * code is on the stack (the host acts on its own). */
uint32_t vm_cause_pc(Vm *vm);
/* Record the driver's stores into [base, base+size) (memory a device can
 * reach) as TRACE_MEM_STORE events, from its own instructions and from the
 * memory exports that write on its behalf (vm_note_store). Returns 0 or -1. */
int vm_watch_stores(Vm *vm, GuestAddr base, uint32_t size);
void vm_unwatch_stores(Vm *vm, GuestAddr base);
/* A host handler wrote [a, a+len) for the driver (memcpy, RtlZeroMemory...):
 * a MEM_STORE event carrying the bytes when the range is watched. */
void vm_note_store(Vm *vm, GuestAddr a, uint32_t len);
/* Collect the translated blocks that run inside [base, base+size) (a
 * driver image). Returns 0 or -1. */
int vm_cover(Vm *vm, GuestAddr base, uint32_t size);
/* The distinct blocks run since the last take, as (address, size) pairs
 * sorted by address, in *pairs (2 * count uint32_t, owned by the vm until
 * the next call). Returns the count. */
size_t vm_cover_take(Vm *vm, const uint32_t **pairs);

/* ---- statistics (bench, docs) ---- */
typedef struct VmStats {
    uint64_t blocks, host_calls, guest_calls, port_io, mmio, emu_starts;
} VmStats;
void vm_get_stats(Vm *vm, VmStats *st);

#endif
