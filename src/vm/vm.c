/* The guest CPU on Unicorn: address space, GDT/KPCR segments, thunks for
 * guest->host calls, the host->guest call loop, fault containment and the
 * instruction budget. See vm.h for the design summary and docs/vm.md for the
 * measurements behind it. */
#include "vm/vm.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "trace/trace.h"
#include "vm/cs_lib.h" /* <capstone/capstone.h>, called through a table */
#include "vm/uc_lib.h" /* <unicorn/unicorn.h>, likewise */

/* Unicorn 2.1 or newer: under 2.0.1 every guest store takes the softmmu slow
 * path (a store-loop iteration 71 ns against 2.5 ns, docs/performance.md),
 * and docs/vm.md and tests/unit/test_vm.c describe 2.1's behaviour.
 * scripts/deps.sh installs Debian 13's 2.1 on Debian 12. */
#if !defined(UC_VERSION_MAJOR) || UC_VERSION_MAJOR < 2 ||                                          \
    (UC_VERSION_MAJOR == 2 && UC_VERSION_MINOR < 1)
#error "xdrv needs Unicorn 2.1 or newer; these headers are older: run scripts/deps.sh as root"
#endif

#define VM_MAX_REGIONS 64
#define VM_MAX_MODULES 32
#define VM_THUNK_AREA 0x10000u /* first 64 KB of the system area */
#define VM_THUNK_SIZE 4u       /* hlt; ret imm16 | hlt; ret; nop; nop */
#define VM_MAX_THUNKS (VM_THUNK_AREA / VM_THUNK_SIZE)
#define VM_RET_TRAMP VM_SYS_BASE /* thunk slot 0: the return trampoline */
#define VM_GDT_ADDR (VM_SYS_BASE + VM_THUNK_AREA)
#define VM_SYS_DATA (VM_GDT_ADDR + 0x1000u)
#define VM_SLICE_BLOCKS (1u << 16) /* host gets control at least this often */
#define VM_HISTORY 16
#define VM_REPORT_MAX 4096

/* Windows x86 GDT selectors (ReactOS ketypes.h: KGDT_R0_CODE 0x08,
 * KGDT_R0_DATA 0x10, KGDT_R0_PCR 0x30). */
#define SEL_R0_CODE 0x08
#define SEL_R0_DATA 0x10
#define SEL_R0_PCR 0x30

typedef struct Region {
    GuestAddr base;
    uint32_t size;
    uint8_t *host;
    int prot;
    char name[24];
} Region;

typedef struct Module {
    char name[64];
    GuestAddr base;
    uint32_t size;
} Module;

typedef struct Thunk {
    const char *name;
    VmCallConv cc;
    uint16_t argbytes;
    uint32_t id;
    uint8_t leaf; /* served inside the emulator (vm_set_thunk_leaf) */
} Thunk;

typedef struct HandlerFrame {
    jmp_buf jb;
    struct HandlerFrame *prev;
} HandlerFrame;

typedef struct MmioMap {
    const VmMmioOps *ops;
    void *opaque;
    GuestAddr base;
    uint32_t size;
    Vm *vm;
} MmioMap;

enum { STOP_NONE, STOP_SLICE, STOP_FAULT };

struct Vm {
    uc_engine *uc;
    csh cs;
    VmConfig cfg;
    Region regions[VM_MAX_REGIONS];
    unsigned nregions;
    Region *last_region;
    Module modules[VM_MAX_MODULES];
    unsigned nmodules;
    Thunk *thunks;
    unsigned nthunks;
    GuestAddr sys_next;

    VmHostFn host_fn;
    void *host_opaque;
    HandlerFrame *frame;
    const Thunk *cur_thunk;
    uint32_t cur_esp; /* ESP at the current host call */

    const VmIoOps *io;
    void *io_opaque;
    MmioMap *mmio[VM_MAX_REGIONS];
    unsigned nmmio;

    unsigned depth;
    uint64_t budget_left;
    uint32_t slice_left;
    uint64_t call_vtime0, call_wall0; /* the top-level call's start (watchdog) */
    int stop_reason;
    uint64_t vtime;
    void (*time_fn)(void *, uint64_t);
    volatile sig_atomic_t *interrupt;
    void *time_opaque;
    VmStats stats;

    /* first fault wins */
    VmFaultKind fault;
    GuestAddr fault_pc; /* the faulting instruction when EIP lags (memory faults), else 0 */
    char fault_text[512];
    char report[VM_REPORT_MAX];

    const char *history[VM_HISTORY];
    unsigned nhistory;

    /* recording: watched store ranges and collected blocks */
    struct VmWatch {
        GuestAddr base;
        uint32_t size;
    } *watch; /* sorted by base, disjoint */
    unsigned nwatch, capwatch;
    uc_hook watch_hook; /* one store hook over [watch_lo, watch_hi] */
    uc_hook watch_load_hook; /* and one load hook */
    uint64_t watch_lo, watch_hi;
    int watch_hooked;
    int loads_missed; /* this host's Unicorn misses load hooks (probed at creation) */
    int tlb_hooked;   /* the workaround below is installed */
    int tlb_stale; /* a watched page may be in the soft TLB */
    uc_hook cover_hook;
    int covering;
    uint32_t *cover_tab; /* open addressing: (addr, size), addr 0 = empty */
    size_t cover_cap, cover_n;
    uint32_t *cover_out;
};

static const char *const fault_names[VM_FAULT_KIND_COUNT] = {
    [VM_FAULT_NONE] = "none",
    [VM_FAULT_UNMAPPED] = "unmapped memory access",
    [VM_FAULT_WRITE_PROT] = "write to read-only memory",
    [VM_FAULT_EXEC] = "execution outside code",
    [VM_FAULT_INVALID_OPCODE] = "invalid opcode",
    [VM_FAULT_DIVIDE] = "divide error",
    [VM_FAULT_STACK_OVERFLOW] = "stack overflow",
    [VM_FAULT_RUNAWAY] = "instruction budget exhausted (runaway loop)",
    [VM_FAULT_INTERRUPT] = "unexpected interrupt",
    [VM_FAULT_BAD_RETURN] = "unbalanced return (calling convention mismatch)",
    [VM_FAULT_NESTING] = "host/guest nesting too deep",
    [VM_FAULT_API] = "API misuse",
    [VM_FAULT_MISSING_IMPORT] = "missing import called",
    [VM_FAULT_UNIMPLEMENTED] = "unimplemented",
    [VM_FAULT_BUGCHECK] = "bug check",
    [VM_FAULT_DEADLOCK] = "wait can never be satisfied",
    [VM_FAULT_IRQL] = "IRQL violation",
    [VM_FAULT_HOST] = "host resource failure",
    [VM_FAULT_INTERRUPTED] = "interrupted",
    [VM_FAULT_HANG] = "hung (the call watchdog)",
};

const char *vm_fault_kind_name(VmFaultKind k)
{
    return (unsigned)k < VM_FAULT_KIND_COUNT ? fault_names[k] : "?";
}

static const int uc_regs[VM_REG_COUNT] = {
    [VM_EAX] = UC_X86_REG_EAX,       [VM_EBX] = UC_X86_REG_EBX, [VM_ECX] = UC_X86_REG_ECX,
    [VM_EDX] = UC_X86_REG_EDX,       [VM_ESI] = UC_X86_REG_ESI, [VM_EDI] = UC_X86_REG_EDI,
    [VM_EBP] = UC_X86_REG_EBP,       [VM_ESP] = UC_X86_REG_ESP, [VM_EIP] = UC_X86_REG_EIP,
    [VM_EFLAGS] = UC_X86_REG_EFLAGS,
};
static const char *const reg_names[VM_REG_COUNT] = {"eax", "ebx", "ecx", "edx", "esi",
                                                    "edi", "ebp", "esp", "eip", "eflags"};

uint32_t vm_reg(Vm *vm, VmReg r)
{
    uint32_t v = 0;
    uc_reg_read(vm->uc, uc_regs[r], &v);
    return v;
}

void vm_set_reg(Vm *vm, VmReg r, uint32_t v)
{
    uc_reg_write(vm->uc, uc_regs[r], &v);
}

/* ------------------------------------------------------------------ memory */

static int to_uc_prot(int prot)
{
    return ((prot & VM_PROT_R) ? UC_PROT_READ : 0) | ((prot & VM_PROT_W) ? UC_PROT_WRITE : 0) |
           ((prot & VM_PROT_X) ? UC_PROT_EXEC : 0);
}

void *vm_map(Vm *vm, GuestAddr base, uint32_t size, int prot, const char *name)
{
    if ((base | size) & (VM_PAGE_SIZE - 1) || size == 0 || vm->nregions == VM_MAX_REGIONS)
        return NULL;
    if ((uint64_t)base + size > 0x100000000ull)
        return NULL;
    for (unsigned i = 0; i < vm->nregions; i++) {
        Region *r = &vm->regions[i];
        if (base < r->base + r->size && r->base < base + size)
            return NULL;
    }
    void *host = mmap(NULL, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (host == MAP_FAILED)
        return NULL;
    if (uc_mem_map_ptr(vm->uc, base, size, to_uc_prot(prot), host) != UC_ERR_OK) {
        munmap(host, size);
        return NULL;
    }
    Region *r = &vm->regions[vm->nregions++];
    r->base = base;
    r->size = size;
    r->host = host;
    r->prot = prot;
    snprintf(r->name, sizeof r->name, "%s", name);
    return host;
}

int vm_protect(Vm *vm, GuestAddr base, uint32_t size, int prot)
{
    if ((base | size) & (VM_PAGE_SIZE - 1))
        return -1;
    return uc_mem_protect(vm->uc, base, size, to_uc_prot(prot)) == UC_ERR_OK ? 0 : -1;
}

static Region *region_of(Vm *vm, GuestAddr a)
{
    Region *r = vm->last_region;
    if (r && a - r->base < r->size)
        return r;
    for (unsigned i = 0; i < vm->nregions; i++) {
        r = &vm->regions[i];
        if (a - r->base < r->size) {
            vm->last_region = r;
            return r;
        }
    }
    return NULL;
}

void *vm_ptr(Vm *vm, GuestAddr a, uint32_t len)
{
    Region *r = region_of(vm, a);
    if (!r || (uint64_t)(a - r->base) + len > r->size)
        return NULL;
    return r->host + (a - r->base);
}

void *vm_guest(Vm *vm, GuestAddr a, uint32_t len, const char *what)
{
    void *p = vm_ptr(vm, a, len);
    if (p)
        return p;
    if (vm->frame)
        vm_throw(vm, VM_FAULT_API, "%s: bad pointer 0x%08x (%s, %u bytes)",
                 vm->cur_thunk ? vm->cur_thunk->name : "host", a, what, len);
    vm_fault(vm, VM_FAULT_API, "bad guest pointer 0x%08x (%s, %u bytes)", a, what, len);
    return NULL;
}

int vm_read(Vm *vm, GuestAddr a, void *dst, uint32_t len)
{
    void *p = vm_ptr(vm, a, len);
    if (!p)
        return -1;
    memcpy(dst, p, len);
    return 0;
}

int vm_write(Vm *vm, GuestAddr a, const void *src, uint32_t len)
{
    void *p = vm_ptr(vm, a, len);
    if (!p)
        return -1;
    memcpy(p, src, len);
    return 0;
}

uint32_t vm_rd32(Vm *vm, GuestAddr a)
{
    uint32_t v = 0;
    uint8_t *p = vm_guest(vm, a, 4, "read");
    if (p)
        memcpy(&v, p, 4);
    return v;
}

uint16_t vm_rd16(Vm *vm, GuestAddr a)
{
    uint16_t v = 0;
    uint8_t *p = vm_guest(vm, a, 2, "read");
    if (p)
        memcpy(&v, p, 2);
    return v;
}

uint8_t vm_rd8(Vm *vm, GuestAddr a)
{
    uint8_t *p = vm_guest(vm, a, 1, "read");
    return p ? *p : 0;
}

void vm_wr32(Vm *vm, GuestAddr a, uint32_t v)
{
    uint8_t *p = vm_guest(vm, a, 4, "write");
    if (p)
        memcpy(p, &v, 4);
}

void vm_wr16(Vm *vm, GuestAddr a, uint16_t v)
{
    uint8_t *p = vm_guest(vm, a, 2, "write");
    if (p)
        memcpy(p, &v, 2);
}

void vm_wr8(Vm *vm, GuestAddr a, uint8_t v)
{
    uint8_t *p = vm_guest(vm, a, 1, "write");
    if (p)
        *p = v;
}

/* Strings may cross from one mapping into an adjacent one only if both are
 * RAM; we walk unit by unit so a string running off the end of memory stops
 * the call instead of reading host memory. */
uint32_t vm_strlen(Vm *vm, GuestAddr a, uint32_t max)
{
    uint32_t n = 0;
    while (n < max) {
        const uint8_t *p = vm_guest(vm, a + n, 1, "string");
        if (!p || !*p)
            break;
        n++;
    }
    return n;
}

uint32_t vm_wcslen(Vm *vm, GuestAddr a, uint32_t max)
{
    uint32_t n = 0;
    while (n < max) {
        const uint8_t *p = vm_guest(vm, a + 2 * n, 2, "wide string");
        if (!p || (p[0] | p[1]) == 0)
            break;
        n++;
    }
    return n;
}

void vm_flush_code(Vm *vm, GuestAddr a, uint32_t len)
{
    uc_ctl_remove_cache(vm->uc, a, (uint64_t)a + len);
}

/* -------------------------------------------------------------- the engine */

const char *vm_engine_version(char *buf, size_t len)
{
    char err[LIBLOAD_ERR_MAX];
    if (uclib_load(err, sizeof err) < 0) {
        snprintf(buf, len, "Unicorn: %s", err);
        return buf;
    }
    /* uc_version: major << 24 | minor << 16 | patch << 8 | extra (unicorn.h) */
    unsigned v = uc_version(NULL, NULL);
    unsigned major = v >> 24, minor = (v >> 16) & 0xff, patch = (v >> 8) & 0xff;
    int n = snprintf(buf, len, "Unicorn %u.%u.%u", major, minor, patch);
    if (n >= 0 && (size_t)n < len &&
        (major != UC_VERSION_MAJOR || minor != UC_VERSION_MINOR || patch != UC_VERSION_PATCH))
        snprintf(buf + n, len - (size_t)n, " (built against the %d.%d.%d headers)",
                 UC_VERSION_MAJOR, UC_VERSION_MINOR, UC_VERSION_PATCH);
    return buf;
}

/* ----------------------------------------------------------------- modules */

void vm_add_module(Vm *vm, const char *name, GuestAddr base, uint32_t size)
{
    if (vm->nmodules == VM_MAX_MODULES)
        return;
    Module *m = &vm->modules[vm->nmodules++];
    snprintf(m->name, sizeof m->name, "%s", name);
    m->base = base;
    m->size = size;
}

const char *vm_format_addr(Vm *vm, GuestAddr a, char *buf, size_t len)
{
    for (unsigned i = 0; i < vm->nmodules; i++) {
        const Module *m = &vm->modules[i];
        if (a - m->base < m->size) {
            snprintf(buf, len, "%s+0x%x", m->name, a - m->base);
            return buf;
        }
    }
    if (a - VM_SYS_BASE < VM_THUNK_AREA && (a - VM_SYS_BASE) / VM_THUNK_SIZE < vm->nthunks) {
        const Thunk *t = &vm->thunks[(a - VM_SYS_BASE) / VM_THUNK_SIZE];
        snprintf(buf, len, "<%s>+0x%x", t->name ? t->name : "return",
                 (a - VM_SYS_BASE) % VM_THUNK_SIZE);
        return buf;
    }
    snprintf(buf, len, "0x%08x", a);
    return buf;
}

/* ------------------------------------------------------------------ faults */

static void vm_snapshot(Vm *vm)
{
    char *p = vm->report;
    size_t left = sizeof vm->report;
    int n;
#define OUT(...)                                                                                   \
    do {                                                                                           \
        n = snprintf(p, left, __VA_ARGS__);                                                        \
        if (n < 0 || (size_t)n >= left)                                                            \
            return;                                                                                \
        p += n;                                                                                    \
        left -= (size_t)n;                                                                         \
    } while (0)
    uint32_t eip = vm->fault_pc ? vm->fault_pc : vm_reg(vm, VM_EIP);
    char where[96];
    OUT("fault: %s: %s\n", vm_fault_kind_name(vm->fault), vm->fault_text);
    if (vm->depth == 0) {
        OUT("  (outside guest code)\n");
    } else {
        OUT("  at %s", vm_format_addr(vm, eip, where, sizeof where));
        if (eip - VM_SYS_BASE < VM_THUNK_AREA) {
            /* inside an export: name the driver code that called it */
            uint32_t ret;
            char caller[96];
            if (vm_read(vm, vm_reg(vm, VM_ESP), &ret, 4) == 0)
                OUT(" (called from %s)", vm_format_addr(vm, ret, caller, sizeof caller));
        }
        const uint8_t *code = NULL;
        uint32_t avail = 16;
        while (avail && !(code = vm_ptr(vm, eip, avail)))
            avail--;
        cs_insn *insn = NULL;
        if (code && cs_disasm(vm->cs, code, avail, eip, 1, &insn) == 1) {
            OUT(": %s %s\n", insn[0].mnemonic, insn[0].op_str);
            cs_free(insn, 1);
        } else {
            OUT(": <no readable instruction>\n");
        }
        OUT("  registers:");
        for (int r = 0; r < VM_REG_COUNT; r++)
            OUT("%s%s=%08x", r == 5 ? "\n            " : " ", reg_names[r],
                r == VM_EIP ? eip : vm_reg(vm, (VmReg)r));
        OUT("\n");
        OUT("  stack:");
        /* words are copied out: the guest's ESP need not be aligned */
        uint32_t esp = vm_reg(vm, VM_ESP), w;
        for (int i = 0; i < 8 && vm_read(vm, esp + 4 * i, &w, 4) == 0; i++)
            OUT(" %08x", w);
        OUT("\n");
    }
    if (vm->nhistory) {
        OUT("  last API calls (oldest first):");
        unsigned count = vm->nhistory < VM_HISTORY ? vm->nhistory : VM_HISTORY;
        for (unsigned i = 0; i < count; i++)
            OUT(" %s", vm->history[(vm->nhistory - count + i) % VM_HISTORY]);
        OUT("\n");
    }
#undef OUT
}

static void vm_vfault(Vm *vm, VmFaultKind kind, const char *fmt, va_list ap)
{
    if (vm->fault != VM_FAULT_NONE)
        return;
    vm->fault = kind;
    vsnprintf(vm->fault_text, sizeof vm->fault_text, fmt, ap);
    vm->stop_reason = STOP_FAULT;
    vm_snapshot(vm);
    TraceEvent ev = {.kind = TRACE_FAULT,
                     .vtime = vm->vtime,
                     .depth = vm->depth,
                     .name = vm_fault_kind_name(kind),
                     .text = vm->fault_text,
                     .addr = vm_reg(vm, VM_EIP)};
    trace_emit(&ev);
    uc_emu_stop(vm->uc);
}

void vm_fault(Vm *vm, VmFaultKind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vm_vfault(vm, kind, fmt, ap);
    va_end(ap);
}

void vm_throw(Vm *vm, VmFaultKind kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vm_vfault(vm, kind, fmt, ap);
    va_end(ap);
    if (!vm->frame)
        abort(); /* internal invariant: vm_throw only inside a host handler */
    longjmp(vm->frame->jb, 1);
}

int vm_stopped(Vm *vm)
{
    return vm->fault != VM_FAULT_NONE;
}

VmFaultKind vm_fault_kind(Vm *vm)
{
    return vm->fault;
}

const char *vm_fault_text(Vm *vm)
{
    return vm->fault_text;
}

void vm_report_fault(Vm *vm, FILE *f)
{
    if (vm->fault != VM_FAULT_NONE)
        fputs(vm->report, f);
}

/* ------------------------------------------------------------ fault site */

/* Unicorn (2.0.1 and 2.1.1 alike, docs/vm.md) does not bring EIP up to date
 * before a memory access (only at block starts and before some helpers), so
 * inside an invalid-memory hook EIP can name an instruction before the
 * faulting one. A memory hook, on any range, forces the update but costs
 * every guest load and store ~12 ns under 2.1 (docs/vm.md), so instead the
 * faulting instruction is found afterwards: decode forward from the
 * reported EIP and take the first instruction whose memory access,
 * computed with the registers as they are now, covers the fault address,
 * unless an instruction between it and the next such candidate rewrites a
 * register of its address (then it ran earlier, with other values, and
 * succeeded). Registers as they are now are exactly those the faulting
 * instruction saw: everything before it has run, nothing after. */

#define LOCATE_MAX_INSNS 64

/* The 32-bit register a capstone register belongs to (AL, AX -> EAX), or 0. */
static x86_reg reg_parent(x86_reg r)
{
    switch (r) {
    case X86_REG_AL: case X86_REG_AH: case X86_REG_AX: case X86_REG_EAX: return X86_REG_EAX;
    case X86_REG_BL: case X86_REG_BH: case X86_REG_BX: case X86_REG_EBX: return X86_REG_EBX;
    case X86_REG_CL: case X86_REG_CH: case X86_REG_CX: case X86_REG_ECX: return X86_REG_ECX;
    case X86_REG_DL: case X86_REG_DH: case X86_REG_DX: case X86_REG_EDX: return X86_REG_EDX;
    case X86_REG_SI: case X86_REG_ESI: return X86_REG_ESI;
    case X86_REG_DI: case X86_REG_EDI: return X86_REG_EDI;
    case X86_REG_BP: case X86_REG_EBP: return X86_REG_EBP;
    case X86_REG_SP: case X86_REG_ESP: return X86_REG_ESP;
    default: return X86_REG_INVALID;
    }
}

static int reg_value(Vm *vm, x86_reg r, uint32_t *v)
{
    static const struct { x86_reg cs; VmReg vm; } map[] = {
        {X86_REG_EAX, VM_EAX}, {X86_REG_EBX, VM_EBX}, {X86_REG_ECX, VM_ECX}, {X86_REG_EDX, VM_EDX},
        {X86_REG_ESI, VM_ESI}, {X86_REG_EDI, VM_EDI}, {X86_REG_EBP, VM_EBP}, {X86_REG_ESP, VM_ESP},
    };
    if (r == X86_REG_INVALID) {
        *v = 0;
        return 0;
    }
    for (unsigned i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].cs == r) {
            *v = vm_reg(vm, map[i].vm);
            return 0;
        }
    return -1;
}

typedef struct LocInsn {
    GuestAddr pc;
    int candidate;       /* an access covers the fault address */
    uint32_t addr_regs;  /* bit per parent register used to form that address */
    uint32_t writes;     /* bit per parent register the instruction writes */
    int ends_block;
} LocInsn;

static uint32_t reg_bit(x86_reg r)
{
    x86_reg p = reg_parent(r);
    return p == X86_REG_INVALID ? 0 : 1u << (p % 32);
}

static int covers(uint32_t ea, uint32_t len, GuestAddr fault, unsigned size)
{
    return (uint64_t)fault < (uint64_t)ea + len && (uint64_t)ea < (uint64_t)fault + size;
}

static void locate_one(Vm *vm, const cs_insn *in, GuestAddr fault, unsigned size, LocInsn *li)
{
    const cs_x86 *x = &in->detail->x86;
    li->pc = (GuestAddr)in->address;
    for (uint8_t i = 0; i < x->op_count; i++) {
        const cs_x86_op *op = &x->operands[i];
        if (op->type != X86_OP_MEM || in->id == X86_INS_LEA || in->id == X86_INS_NOP)
            continue;
        uint32_t base, index;
        if (reg_value(vm, op->mem.base, &base) < 0 || reg_value(vm, op->mem.index, &index) < 0)
            continue;
        uint32_t ea = base + index * (uint32_t)op->mem.scale + (uint32_t)op->mem.disp;
        if (op->mem.segment == X86_REG_FS)
            ea += VM_KPCR_BASE;
        if (covers(ea, op->size ? op->size : 4, fault, size)) {
            li->candidate = 1;
            li->addr_regs |= reg_bit(op->mem.base) | reg_bit(op->mem.index);
        }
    }
    /* implicit stack accesses (Intel SDM vol. 2: PUSH, CALL, POP, RET, LEAVE) */
    uint32_t esp = vm_reg(vm, VM_ESP), ea = 0, len = 0;
    switch (in->id) {
    case X86_INS_PUSH: case X86_INS_CALL: case X86_INS_PUSHFD: case X86_INS_ENTER:
        ea = esp - 4, len = 4; break;
    case X86_INS_PUSHAL:
        ea = esp - 32, len = 32; break;
    case X86_INS_POP: case X86_INS_RET: case X86_INS_POPFD:
        ea = esp, len = 4; break;
    case X86_INS_POPAL:
        ea = esp, len = 32; break;
    case X86_INS_LEAVE:
        ea = vm_reg(vm, VM_EBP), len = 4; break;
    default: break;
    }
    if (len && covers(ea, len, fault, size)) {
        li->candidate = 1;
        li->addr_regs |= in->id == X86_INS_LEAVE ? reg_bit(X86_REG_EBP) : reg_bit(X86_REG_ESP);
    }
    cs_regs read, write;
    uint8_t nread = 0, nwrite = 0;
    if (cs_regs_access(vm->cs, in, read, &nread, write, &nwrite) == CS_ERR_OK)
        for (uint8_t i = 0; i < nwrite; i++)
            li->writes |= reg_bit((x86_reg)write[i]);
    for (uint8_t g = 0; g < in->detail->groups_count; g++) {
        uint8_t grp = in->detail->groups[g];
        if (grp == CS_GRP_JUMP || grp == CS_GRP_CALL || grp == CS_GRP_RET || grp == CS_GRP_INT ||
            grp == CS_GRP_IRET)
            li->ends_block = 1;
    }
}

/* The instruction that made the access to [fault, fault+size), searching
 * from `from`; `from` itself when nothing fits. */
static GuestAddr vm_locate_fault(Vm *vm, GuestAddr from, GuestAddr fault, unsigned size)
{
    LocInsn insns[LOCATE_MAX_INSNS];
    unsigned n = 0;
    GuestAddr pc = from;
    cs_option(vm->cs, CS_OPT_DETAIL, CS_OPT_ON);
    while (n < LOCATE_MAX_INSNS) {
        const uint8_t *code = NULL;
        uint32_t avail = 16;
        while (avail && !(code = vm_ptr(vm, pc, avail)))
            avail--;
        cs_insn *in = NULL;
        if (!code || cs_disasm(vm->cs, code, avail, pc, 1, &in) != 1)
            break;
        memset(&insns[n], 0, sizeof insns[n]);
        locate_one(vm, in, fault, size, &insns[n]);
        pc += in->size;
        cs_free(in, 1);
        if (insns[n++].ends_block)
            break;
    }
    cs_option(vm->cs, CS_OPT_DETAIL, CS_OPT_OFF);
    for (unsigned i = 0; i < n; i++) {
        if (!insns[i].candidate)
            continue;
        /* Only an instruction before the next candidate can prove this one
         * ran earlier with other values; after the last candidate nothing
         * has run (the fault stopped it). */
        unsigned next = i + 1;
        while (next < n && !insns[next].candidate)
            next++;
        int valid = 1;
        for (unsigned k = i + 1; next < n && k < next; k++)
            if (insns[k].writes & insns[i].addr_regs)
                valid = 0;
        if (valid)
            return insns[i].pc;
    }
    return from;
}

/* ------------------------------------------------------------------- hooks */

static int is_stack_guard(GuestAddr a)
{
    return a - (VM_STACK_BASE - VM_PAGE_SIZE) < VM_PAGE_SIZE;
}

static bool hook_mem_invalid(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
                             int64_t value, void *opaque)
{
    Vm *vm = opaque;
    GuestAddr a = (GuestAddr)addr;
    const char *op = type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_WRITE_PROT   ? "write"
                     : type == UC_MEM_FETCH_UNMAPPED || type == UC_MEM_FETCH_PROT ? "fetch"
                                                                                  : "read";
    char where[96];
    if (type != UC_MEM_FETCH_UNMAPPED && type != UC_MEM_FETCH_PROT && vm->fault == VM_FAULT_NONE)
        vm->fault_pc = vm_locate_fault(vm, vm_reg(vm, VM_EIP), a, (unsigned)(size > 0 ? size : 1));
    if (is_stack_guard(a) && (type == UC_MEM_WRITE_UNMAPPED || type == UC_MEM_READ_UNMAPPED))
        vm_fault(vm, VM_FAULT_STACK_OVERFLOW, "%s of %d bytes at 0x%08x hits the stack guard page",
                 op, size, a);
    else if (type == UC_MEM_FETCH_UNMAPPED || type == UC_MEM_FETCH_PROT)
        vm_fault(vm, VM_FAULT_EXEC, "jump to %s, which is not driver code",
                 vm_format_addr(vm, a, where, sizeof where));
    else if (type == UC_MEM_WRITE_PROT)
        vm_fault(vm, VM_FAULT_WRITE_PROT, "write of %d bytes to read-only %s", size,
                 vm_format_addr(vm, a, where, sizeof where));
    else
        vm_fault(vm, VM_FAULT_UNMAPPED, "%s of %d bytes at unmapped address 0x%08x%s", op, size, a,
                 a < 0x10000 ? " (NULL pointer dereference)" : "");
    return false;
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *opaque)
{
    Vm *vm = opaque;
    if (intno == 0)
        vm_fault(vm, VM_FAULT_DIVIDE, "divide error (#DE)");
    else if (intno == 6)
        vm_fault(vm, VM_FAULT_INVALID_OPCODE, "invalid opcode (#UD)");
    else if (intno == 3)
        vm_fault(vm, VM_FAULT_INTERRUPT, "breakpoint (int3) in driver code");
    else
        vm_fault(vm, VM_FAULT_INTERRUPT, "interrupt/exception %u raised by driver code", intno);
}

static bool hook_insn_invalid(uc_engine *uc, void *opaque)
{
    vm_fault(opaque, VM_FAULT_INVALID_OPCODE, "invalid opcode");
    return false;
}

static void hook_block(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    Vm *vm = opaque;
    vm->stats.blocks++;
    vm->vtime += VM_NS_PER_BLOCK;
    if (--vm->budget_left == 0) {
        vm_fault(vm, VM_FAULT_RUNAWAY,
                 "driver ran %llu basic blocks without returning (--budget to change)",
                 (unsigned long long)vm->cfg.budget);
        return;
    }
    if (--vm->slice_left == 0) {
        vm->slice_left = VM_SLICE_BLOCKS;
        if (vm->interrupt && *vm->interrupt) {
            vm_fault(vm, VM_FAULT_INTERRUPTED, "stopped by a signal while the driver was running");
            return;
        }
        if (vm_call_watchdog(vm) < 0)
            return;
        vm->stop_reason = STOP_SLICE;
        /* stop before this block, with EIP saying so: after a stop asked
         * from a block hook, Unicorn's EIP can be an earlier block's start
         * while the other registers are already past it (the block chain
         * since the last start ran without EIP being written back), and
         * resuming there ran the driver's code on the wrong registers (a
         * loop of calls whose slice ended inside a callee: EBX clobbered,
         * drivers/quota_hog). Writing EIP in the hook ends the chain here. */
        uint32_t pc = (uint32_t)addr;
        uc_reg_write(uc, UC_X86_REG_EIP, &pc);
        uc_emu_stop(uc);
    }
}

void vm_set_interrupt_flag(Vm *vm, volatile sig_atomic_t *flag)
{
    vm->interrupt = flag;
}

/* The register name is taken before the access (a page-select write
 * changes what the next access names). */
static const char *io_name(Vm *vm, uint16_t port, unsigned size, int write)
{
    if (!trace_enabled() || !vm->io || !vm->io->port_name)
        return NULL;
    return vm->io->port_name(vm->io_opaque, port, size, write);
}

static uint32_t io_read(Vm *vm, uint16_t port, unsigned size)
{
    const char *reg = io_name(vm, port, size, 0);
    uint32_t v = vm->io ? vm->io->port_read(vm->io_opaque, port, size) : 0xffffffffu;
    if (size < 4)
        v &= (1u << (8 * size)) - 1;
    vm->stats.port_io++;
    TraceEvent ev = {.kind = TRACE_PORT_READ,
                     .vtime = vm->vtime,
                     .depth = vm->depth,
                     .addr = port,
                     .size = size,
                     .value = v,
                     .reg = reg};
    trace_emit(&ev);
    return v;
}

static void io_write(Vm *vm, uint16_t port, unsigned size, uint32_t v)
{
    if (size < 4)
        v &= (1u << (8 * size)) - 1;
    vm->stats.port_io++;
    TraceEvent ev = {.kind = TRACE_PORT_WRITE,
                     .vtime = vm->vtime,
                     .depth = vm->depth,
                     .addr = port,
                     .size = size,
                     .value = v,
                     .reg = io_name(vm, port, size, 1)};
    trace_emit(&ev);
    if (vm->io)
        vm->io->port_write(vm->io_opaque, port, size, v);
}

static uint32_t hook_in(uc_engine *uc, uint32_t port, int size, void *opaque)
{
    return io_read(opaque, (uint16_t)port, (unsigned)size);
}

static void hook_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *opaque)
{
    io_write(opaque, (uint16_t)port, (unsigned)size, value);
}

uint32_t vm_port_read(Vm *vm, uint16_t port, unsigned size)
{
    return io_read(vm, port, size);
}

void vm_port_write(Vm *vm, uint16_t port, unsigned size, uint32_t value)
{
    io_write(vm, port, size, value);
}

void vm_set_io(Vm *vm, const VmIoOps *ops, void *opaque)
{
    vm->io = ops;
    vm->io_opaque = opaque;
}

/* As io_name, for a memory-mapped register. */
static const char *mmio_name(const MmioMap *m, uint32_t offset, unsigned size, int write)
{
    if (!trace_enabled() || !m->ops->name)
        return NULL;
    return m->ops->name(m->opaque, offset, size, write);
}

static uint64_t mmio_read_cb(uc_engine *uc, uint64_t offset, unsigned size, void *opaque)
{
    MmioMap *m = opaque;
    const char *reg = mmio_name(m, (uint32_t)offset, size, 0);
    uint32_t v = m->ops->read(m->opaque, (uint32_t)offset, size);
    m->vm->stats.mmio++;
    TraceEvent ev = {.kind = TRACE_MMIO_READ,
                     .vtime = m->vm->vtime,
                     .depth = m->vm->depth,
                     .addr = m->base + (uint32_t)offset,
                     .size = size,
                     .value = v,
                     .reg = reg};
    trace_emit(&ev);
    return v;
}

static void mmio_write_cb(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value,
                          void *opaque)
{
    MmioMap *m = opaque;
    m->vm->stats.mmio++;
    TraceEvent ev = {.kind = TRACE_MMIO_WRITE,
                     .vtime = m->vm->vtime,
                     .depth = m->vm->depth,
                     .addr = m->base + (uint32_t)offset,
                     .size = size,
                     .value = value,
                     .reg = mmio_name(m, (uint32_t)offset, size, 1)};
    trace_emit(&ev);
    m->ops->write(m->opaque, (uint32_t)offset, size, (uint32_t)value);
}

int vm_map_mmio(Vm *vm, GuestAddr base, uint32_t size, const VmMmioOps *ops, void *opaque)
{
    if (vm->nmmio == VM_MAX_REGIONS)
        return -1;
    MmioMap *m = calloc(1, sizeof *m);
    if (!m)
        return -1;
    m->ops = ops;
    m->opaque = opaque;
    m->base = base;
    m->size = size;
    m->vm = vm;
    if (uc_mmio_map(vm->uc, base, size, mmio_read_cb, m, mmio_write_cb, m) != UC_ERR_OK) {
        free(m);
        return -1;
    }
    vm->mmio[vm->nmmio++] = m;
    return 0;
}

static MmioMap *mmio_find(Vm *vm, GuestAddr a, unsigned size)
{
    for (unsigned i = 0; i < vm->nmmio; i++) {
        MmioMap *m = vm->mmio[i];
        if (a >= m->base && (uint64_t)a + size <= (uint64_t)m->base + m->size)
            return m;
    }
    return NULL;
}

uint32_t vm_register_read(Vm *vm, GuestAddr a, unsigned size)
{
    MmioMap *m = mmio_find(vm, a, size);
    if (m)
        return (uint32_t)mmio_read_cb(vm->uc, a - m->base, size, m);
    uint32_t v = 0;
    const uint8_t *p = vm_guest(vm, a, size, "device register");
    if (p)
        memcpy(&v, p, size);
    return v;
}

void vm_register_write(Vm *vm, GuestAddr a, unsigned size, uint32_t value)
{
    MmioMap *m = mmio_find(vm, a, size);
    if (m) {
        mmio_write_cb(vm->uc, a - m->base, size, value, m);
        return;
    }
    uint8_t *p = vm_guest(vm, a, size, "device register");
    if (p) {
        memcpy(p, &value, size);
        vm_note_store(vm, a, size);
    }
}

/* -------------------------------------------------------------- recording */

uint32_t vm_cause_pc(Vm *vm)
{
    if (!vm->depth)
        return 0;
    if (vm->cur_thunk) {
        uint32_t ret = 0;
        vm_read(vm, vm->cur_esp, &ret, 4);
        return ret;
    }
    return vm_reg(vm, VM_EIP);
}

/* The first watched region ending after `a` (binary search), or nwatch. */
static unsigned watch_find(const Vm *vm, GuestAddr a)
{
    unsigned lo = 0, hi = vm->nwatch;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if ((uint64_t)vm->watch[mid].base + vm->watch[mid].size <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int watched(const Vm *vm, GuestAddr a, uint32_t len)
{
    unsigned i = watch_find(vm, a);
    return i < vm->nwatch && vm->watch[i].base < (uint64_t)a + len;
}

/* A store or load the driver made in watched memory, as a trace event. */
static void emit_mem(const Vm *vm, TraceKind kind, uint32_t pc, uint64_t addr, int size,
                     uint64_t value)
{
    TraceEvent ev = {.kind = kind,
                     .vtime = vm->vtime,
                     .depth = vm->depth,
                     .pc = pc,
                     .addr = (uint32_t)addr,
                     .size = (uint32_t)size,
                     .value = value};
    trace_emit(&ev);
}

/* A store inside the hooked span: recorded when it falls in a watched
 * region. Unicorn gives the guest's EIP here exactly (memory hooks run with
 * the CPU state synchronised). */
static void hook_store(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                       void *opaque)
{
    Vm *vm = opaque;
    vm->tlb_stale = 1;
    if (!trace_enabled() || !watched(vm, (GuestAddr)addr, (uint32_t)size))
        return;
    uint64_t v = size >= 8 ? (uint64_t)value : (uint64_t)value & ((1ull << (8 * size)) - 1);
    emit_mem(vm, TRACE_MEM_STORE, vm_reg(vm, VM_EIP), addr, size, v);
}

/* A load inside the hooked span, by the driver's own code (not an export
 * served inside the emulator: their reads are the API's), from a watched
 * region: the value read, as the driver sees it (a descriptor's status, a
 * receive header). */
static void hook_load(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                      void *opaque)
{
    Vm *vm = opaque;
    vm->tlb_stale = 1;
    if (!trace_enabled() || size <= 0 || size > 8 || !watched(vm, (GuestAddr)addr, (uint32_t)size))
        return;
    uint32_t pc = vm_reg(vm, VM_EIP);
    unsigned m;
    for (m = 0; m < vm->nmodules; m++)
        if (pc - vm->modules[m].base < vm->modules[m].size)
            break;
    if (m == vm->nmodules)
        return;
    uint64_t v = 0;
    const void *src = vm_ptr(vm, (GuestAddr)addr, (uint32_t)size);
    if (!src)
        return;
    memcpy(&v, src, (size_t)size); /* little-endian guest, as the host reads it */
    emit_mem(vm, TRACE_MEM_LOAD, pc, addr, size, v);
}

/* Unicorn 2.1.1 on an arm64 host calls a UC_HOOK_MEM_READ hook only when
 * the load misses QEMU's soft TLB: a second load from the same page is not
 * seen (unicorn-engine/unicorn issue 1908, fixed by pull request 2028 after
 * 2.1.1); store hooks always run. Probed once per process: two loads of one
 * address must reach the hook twice. */
static void probe_load(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                       void *opaque)
{
    ++*(int *)opaque;
}

static int load_hooks_miss_tlb_hits(void)
{
    static int known = -1;
    if (known >= 0)
        return known;
    static const uint8_t code[] = {0xa1, 0x00, 0x20, 0x00, 0x00,  /* mov eax, [0x2000] */
                                   0xa1, 0x00, 0x20, 0x00, 0x00}; /* mov eax, [0x2000] */
    uc_engine *uc;
    uc_hook h;
    int n = 0;
    if (uc_open(UC_ARCH_X86, UC_MODE_32, &uc) != UC_ERR_OK)
        return known = 0;
    static uint8_t mem[0x2000] __attribute__((aligned(4096)));
    memcpy(mem, code, sizeof code);
    if (uc_mem_map_ptr(uc, 0x1000, sizeof mem, UC_PROT_ALL, mem) == UC_ERR_OK &&
        uc_hook_add(uc, &h, UC_HOOK_MEM_READ, probe_load, &n, 0x2000, 0x2fff) == UC_ERR_OK &&
        uc_emu_start(uc, 0x1000, 0x1000 + sizeof code, 0, 0) == UC_ERR_OK)
        known = n < 2;
    else
        known = 0;
    uc_close(uc);
    return known;
}

/* The workaround: every access that brings a page of the hooked span into
 * the TLB passes a hook, which marks the TLB stale; before the driver's
 * next instruction the TLB is emptied, so its next load misses and is
 * seen. Only driver code pays (a callback per instruction), and only when
 * recording on an affected host; the recording is the same as elsewhere. */
static void hook_tlb_flush(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    Vm *vm = opaque;
    if (vm->tlb_stale) {
        vm->tlb_stale = 0;
        uc_ctl_flush_tlb(uc);
    }
}

/* Installed with the first watch, not before: the code hook makes EIP
 * exact at every instruction, as the memory hooks do once they exist; before
 * the first watch neither is present, so MMIO and port events carry the same
 * pc on every host. */
static int tlb_flush_hook(Vm *vm)
{
    if (vm->tlb_hooked || !vm->loads_missed)
        return 0;
    uc_hook h;
    if (uc_hook_add(vm->uc, &h, UC_HOOK_CODE, hook_tlb_flush, vm, VM_IMAGE_BASE,
                    VM_POOL_BASE - 1) != UC_ERR_OK)
        return -1;
    vm->tlb_hooked = 1;
    vm->tlb_stale = 1;
    return 0;
}

/* One hook however many regions (a driver may allocate hundreds of receive
 * buffers): its span grows to cover every region, and the callback filters.
 * Driver code translated before the span grew has no callback for the new
 * part: those translations are dropped (only the modules', not the whole
 * cache: a full flush clears the entire code buffer, ~100 ms each). */
int vm_watch_stores(Vm *vm, GuestAddr base, uint32_t size)
{
    if (!size || (uint64_t)base + size > 0x100000000ull)
        return -1;
    unsigned i = watch_find(vm, base);
    if (i < vm->nwatch && vm->watch[i].base < (uint64_t)base + size)
        return -1; /* overlaps a watched region */
    if (vm->nwatch == vm->capwatch) {
        unsigned cap = vm->capwatch ? 2 * vm->capwatch : 64;
        struct VmWatch *w = realloc(vm->watch, cap * sizeof *w);
        if (!w)
            return -1;
        vm->watch = w;
        vm->capwatch = cap;
    }
    memmove(&vm->watch[i + 1], &vm->watch[i], (vm->nwatch - i) * sizeof *vm->watch);
    vm->watch[i].base = base;
    vm->watch[i].size = size;
    vm->nwatch++;
    uint64_t lo = base, hi = (uint64_t)base + size - 1;
    if (!vm->watch_hooked && tlb_flush_hook(vm) < 0) {
        vm_fault(vm, VM_FAULT_API, "cannot hook the driver's code to record its loads");
        return -1;
    }
    if (vm->tlb_hooked) { /* whole pages: a page's every access passes a hook */
        lo &= ~(uint64_t)0xfff;
        hi |= 0xfff;
    }
    if (vm->watch_hooked && lo >= vm->watch_lo && hi <= vm->watch_hi)
        return 0;
    if (vm->watch_hooked) {
        lo = lo < vm->watch_lo ? lo : vm->watch_lo;
        hi = hi > vm->watch_hi ? hi : vm->watch_hi;
        uc_hook_del(vm->uc, vm->watch_hook);
        uc_hook_del(vm->uc, vm->watch_load_hook);
        vm->watch_hooked = 0;
    }
    if (uc_hook_add(vm->uc, &vm->watch_hook, UC_HOOK_MEM_WRITE, hook_store, vm, lo, hi) !=
            UC_ERR_OK ||
        uc_hook_add(vm->uc, &vm->watch_load_hook, UC_HOOK_MEM_READ, hook_load, vm, lo, hi) !=
            UC_ERR_OK) {
        vm_fault(vm, VM_FAULT_API, "cannot watch stores into 0x%08x-0x%08x", (uint32_t)lo,
                 (uint32_t)hi);
        return -1;
    }
    vm->watch_hooked = 1;
    vm->watch_lo = lo;
    vm->watch_hi = hi;
    for (unsigned m = 0; m < vm->nmodules; m++)
        uc_ctl_remove_cache(vm->uc, vm->modules[m].base,
                            (uint64_t)vm->modules[m].base + vm->modules[m].size);
    return 0;
}

void vm_unwatch_stores(Vm *vm, GuestAddr base)
{
    unsigned i = watch_find(vm, base);
    if (i < vm->nwatch && vm->watch[i].base == base) {
        memmove(&vm->watch[i], &vm->watch[i + 1], (vm->nwatch - i - 1) * sizeof *vm->watch);
        vm->nwatch--;
    }
}

void vm_note_store(Vm *vm, GuestAddr a, uint32_t len)
{
    if (!vm->nwatch || !len || !trace_enabled() || !watched(vm, a, len))
        return;
    const uint8_t *p = vm_ptr(vm, a, len);
    if (!p)
        return;
    TraceEvent ev = {.kind = TRACE_MEM_STORE,
                     .vtime = vm->vtime,
                     .depth = vm->depth,
                     .pc = vm_cause_pc(vm),
                     .addr = a,
                     .size = len,
                     .data = p,
                     .len = len};
    trace_emit(&ev);
}

static int cover_grow(Vm *vm)
{
    size_t cap = vm->cover_cap ? vm->cover_cap * 2 : 4096;
    uint32_t *t = calloc(cap, 2 * sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < vm->cover_cap; i++) {
        uint32_t a = vm->cover_tab[2 * i];
        if (!a)
            continue;
        size_t j = (a * 2654435761u) & (cap - 1);
        while (t[2 * j])
            j = (j + 1) & (cap - 1);
        t[2 * j] = a;
        t[2 * j + 1] = vm->cover_tab[2 * i + 1];
    }
    free(vm->cover_tab);
    vm->cover_tab = t;
    vm->cover_cap = cap;
    return 0;
}

/* One (address, size) per distinct translated block; a block Unicorn
 * retranslated with another size (a run stopped inside it) is a second
 * entry only if its start differs. */
static void hook_cover(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    Vm *vm = opaque;
    uint32_t a = (uint32_t)addr;
    if (!a)
        return;
    if ((vm->cover_n + 1) * 2 > vm->cover_cap && cover_grow(vm) < 0) {
        vm_fault(vm, VM_FAULT_API, "out of memory recording coverage");
        return;
    }
    size_t j = (a * 2654435761u) & (vm->cover_cap - 1);
    while (vm->cover_tab[2 * j]) {
        if (vm->cover_tab[2 * j] == a) {
            if (size > vm->cover_tab[2 * j + 1])
                vm->cover_tab[2 * j + 1] = size;
            return;
        }
        j = (j + 1) & (vm->cover_cap - 1);
    }
    vm->cover_tab[2 * j] = a;
    vm->cover_tab[2 * j + 1] = size;
    vm->cover_n++;
}

int vm_cover(Vm *vm, GuestAddr base, uint32_t size)
{
    if (vm->covering || !size)
        return -1;
    if (uc_hook_add(vm->uc, &vm->cover_hook, UC_HOOK_BLOCK, hook_cover, vm, base,
                    (uint64_t)base + size - 1) != UC_ERR_OK)
        return -1;
    vm->covering = 1;
    uc_ctl_remove_cache(vm->uc, base, (uint64_t)base + size);
    return 0;
}

static int pair_cmp(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

size_t vm_cover_take(Vm *vm, const uint32_t **pairs)
{
    free(vm->cover_out);
    vm->cover_out = NULL;
    *pairs = NULL;
    size_t n = 0;
    if (!vm->cover_n)
        return 0;
    uint32_t *out = malloc(vm->cover_n * 2 * sizeof *out);
    if (!out)
        return 0;
    for (size_t i = 0; i < vm->cover_cap; i++) {
        if (!vm->cover_tab[2 * i])
            continue;
        out[2 * n] = vm->cover_tab[2 * i];
        out[2 * n + 1] = vm->cover_tab[2 * i + 1];
        n++;
    }
    qsort(out, n, 2 * sizeof *out, pair_cmp);
    memset(vm->cover_tab, 0, vm->cover_cap * 2 * sizeof *vm->cover_tab);
    vm->cover_n = 0;
    vm->cover_out = out;
    *pairs = out;
    return n;
}

/* ------------------------------------------------------------------- time */

static uint64_t vm_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int vm_call_watchdog(Vm *vm)
{
    if (!vm->depth || vm_stopped(vm))
        return vm_stopped(vm) ? -1 : 0;
    uint64_t v = vm->vtime - vm->call_vtime0, w = vm_wall_ns() - vm->call_wall0;
    if (v > vm->cfg.call_vtime_ns || w > vm->cfg.call_wall_ns) {
        vm_fault(vm, VM_FAULT_HANG,
                 "a call into the driver ran %.1f s of %s time without returning (at most %.0f s: "
                 "--call-timeout)",
                 (v > vm->cfg.call_vtime_ns ? v : w) / 1e9,
                 v > vm->cfg.call_vtime_ns ? "virtual" : "wall",
                 (v > vm->cfg.call_vtime_ns ? vm->cfg.call_vtime_ns : vm->cfg.call_wall_ns) / 1e9);
        return -1;
    }
    return 0;
}

uint64_t vm_time_ns(Vm *vm)
{
    return vm->vtime;
}

void vm_advance_time(Vm *vm, uint64_t ns)
{
    vm->vtime += ns;
    if (vm->time_fn)
        vm->time_fn(vm->time_opaque, vm->vtime);
}

void vm_set_time_hook(Vm *vm, void (*fn)(void *, uint64_t), void *opaque)
{
    vm->time_fn = fn;
    vm->time_opaque = opaque;
}

void vm_get_stats(Vm *vm, VmStats *st)
{
    *st = vm->stats;
}

/* ------------------------------------------------------- guest->host calls */

void vm_set_host_handler(Vm *vm, VmHostFn fn, void *opaque)
{
    vm->host_fn = fn;
    vm->host_opaque = opaque;
}

static void thunk_write(Vm *vm, unsigned idx, uint16_t pop)
{
    uint8_t *p = vm_ptr(vm, VM_SYS_BASE + idx * VM_THUNK_SIZE, VM_THUNK_SIZE);
    p[0] = 0xF4; /* hlt: ends uc_emu_start, the host serves the call */
    if (pop) {
        p[1] = 0xC2; /* ret imm16 */
        p[2] = (uint8_t)pop;
        p[3] = (uint8_t)(pop >> 8);
    } else {
        p[1] = 0xC3; /* ret */
        p[2] = 0x90;
        p[3] = 0x90;
    }
}

GuestAddr vm_add_thunk(Vm *vm, const char *name, VmCallConv cc, uint16_t argbytes, uint32_t id)
{
    if (vm->nthunks == VM_MAX_THUNKS)
        return 0;
    uint16_t pop = 0;
    if (cc == VM_STDCALL)
        pop = argbytes;
    else if (cc == VM_FASTCALL)
        pop = argbytes > 8 ? (uint16_t)(argbytes - 8) : 0;
    unsigned idx = vm->nthunks++;
    vm->thunks[idx] = (Thunk){.name = name, .cc = cc, .argbytes = argbytes, .id = id};
    thunk_write(vm, idx, pop);
    vm_flush_code(vm, VM_SYS_BASE + idx * VM_THUNK_SIZE, VM_THUNK_SIZE);
    return VM_SYS_BASE + idx * VM_THUNK_SIZE;
}

void vm_set_thunk_leaf(Vm *vm, GuestAddr thunk)
{
    uint32_t slot = thunk - VM_SYS_BASE;
    if (slot < VM_THUNK_AREA && slot % VM_THUNK_SIZE == 0 && slot / VM_THUNK_SIZE < vm->nthunks &&
        slot != 0)
        vm->thunks[slot / VM_THUNK_SIZE].leaf = 1;
}

GuestAddr vm_alloc_sys(Vm *vm, uint32_t size)
{
    size = (size + 7) & ~7u;
    if (vm->sys_next + size > VM_SYS_BASE + VM_SYS_SIZE || size == 0)
        return 0;
    GuestAddr a = vm->sys_next;
    vm->sys_next += size;
    return a;
}

uint32_t vm_stack_arg(Vm *vm, unsigned i)
{
    return vm_rd32(vm, vm->cur_esp + 4 + 4 * i);
}

const char *vm_current_api(Vm *vm)
{
    return vm->cur_thunk ? vm->cur_thunk->name : "";
}

unsigned vm_depth(Vm *vm)
{
    return vm->depth;
}

static void vm_serve_thunk(Vm *vm, const Thunk *t)
{
    uint32_t esp = vm_reg(vm, VM_ESP);
    uint32_t args[16] = {0};
    unsigned nstack = 0, first = 0;
    switch (t->cc) {
    case VM_STDCALL:
    case VM_CDECL:
        nstack = t->argbytes / 4;
        break;
    case VM_FASTCALL:
        args[0] = vm_reg(vm, VM_ECX);
        args[1] = vm_reg(vm, VM_EDX);
        first = 2;
        nstack = t->argbytes > 8 ? (t->argbytes - 8) / 4 : 0;
        break;
    case VM_VARARGS:
        nstack = 16;
        break;
    case VM_REGCALL:
        args[0] = vm_reg(vm, VM_EAX);
        args[1] = vm_reg(vm, VM_EDX);
        args[2] = vm_reg(vm, VM_ECX);
        break;
    }
    for (unsigned i = 0; i < nstack && first + i < 16; i++) {
        if (vm_read(vm, esp + 4 + 4 * i, &args[first + i], 4) < 0) {
            if (t->cc == VM_VARARGS)
                break; /* a varargs reader only takes what it needs */
            vm_fault(vm, VM_FAULT_API, "%s: arguments beyond the stack (esp=0x%08x)", t->name, esp);
            return;
        }
    }
    vm->history[vm->nhistory++ % VM_HISTORY] = t->name;
    vm->stats.host_calls++;

    HandlerFrame frame;
    frame.prev = vm->frame;
    const Thunk *prev_thunk = vm->cur_thunk;
    uint32_t prev_esp = vm->cur_esp;
    vm->frame = &frame;
    vm->cur_thunk = t;
    vm->cur_esp = esp;
    uint64_t ret = 0;
    if (setjmp(frame.jb) == 0)
        ret = vm->host_fn(vm->host_opaque, t->id, args);
    vm->frame = frame.prev;
    vm->cur_thunk = prev_thunk;
    vm->cur_esp = prev_esp;
    if (vm_stopped(vm))
        return;
    /* one emulator call for the three results (ESP may have been moved by
     * a nested call; EDX:EAX is the return value) */
    static const int out_regs[3] = {UC_X86_REG_ESP, UC_X86_REG_EAX, UC_X86_REG_EDX};
    uint32_t out[3] = {esp, (uint32_t)ret, (uint32_t)(ret >> 32)};
    void *outp[3] = {&out[0], &out[1], &out[2]};
    uc_reg_write_batch(vm->uc, (int *)out_regs, outp, 3);
}

/* Leaf thunks (vm_set_thunk_leaf) are served where the guest executes their
 * hlt, from this code hook on the thunk area: the handler runs, the results
 * go into the registers, and execution resumes at the thunk's ret without
 * uc_emu_start returning. A fault or a throw inside the handler stops the
 * emulation here (the setjmp of vm_serve_thunk keeps the unwind inside this
 * frame). Every other thunk's hlt ends the run slice as before. */
static void hook_thunk(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
    Vm *vm = opaque;
    uint32_t slot = (uint32_t)addr - VM_SYS_BASE;
    if (slot % VM_THUNK_SIZE || slot / VM_THUNK_SIZE >= vm->nthunks)
        return; /* a thunk's ret */
    const Thunk *t = &vm->thunks[slot / VM_THUNK_SIZE];
    if (!t->leaf)
        return;
    vm_serve_thunk(vm, t);
    if (vm_stopped(vm)) {
        uc_emu_stop(uc);
        return;
    }
    uint32_t next = (uint32_t)addr + 1; /* past the hlt: the ret */
    uc_reg_write(uc, UC_X86_REG_EIP, &next);
}

/* ------------------------------------------------------- host->guest calls */

static const int saved_regs[] = {UC_X86_REG_EAX, UC_X86_REG_EBX,   UC_X86_REG_ECX, UC_X86_REG_EDX,
                                 UC_X86_REG_ESI, UC_X86_REG_EDI,   UC_X86_REG_EBP, UC_X86_REG_ESP,
                                 UC_X86_REG_EIP, UC_X86_REG_EFLAGS};
#define NSAVED (sizeof saved_regs / sizeof saved_regs[0])

static void regs_save(Vm *vm, uint32_t *v)
{
    void *ptrs[NSAVED];
    for (unsigned i = 0; i < NSAVED; i++)
        ptrs[i] = &v[i];
    uc_reg_read_batch(vm->uc, (int *)saved_regs, ptrs, NSAVED);
}

static void regs_restore(Vm *vm, uint32_t *v)
{
    void *ptrs[NSAVED];
    for (unsigned i = 0; i < NSAVED; i++)
        ptrs[i] = &v[i];
    uc_reg_write_batch(vm->uc, (int *)saved_regs, ptrs, NSAVED);
}

static void vm_fault_from_uc(Vm *vm, uc_err err)
{
    switch (err) {
    case UC_ERR_INSN_INVALID:
        vm_fault(vm, VM_FAULT_INVALID_OPCODE, "invalid opcode");
        break;
    case UC_ERR_READ_UNMAPPED:
    case UC_ERR_WRITE_UNMAPPED:
        vm_fault(vm, VM_FAULT_UNMAPPED, "unmapped memory access (%s)", uc_strerror(err));
        break;
    case UC_ERR_FETCH_UNMAPPED:
    case UC_ERR_FETCH_PROT:
        vm_fault(vm, VM_FAULT_EXEC, "execution outside code (%s)", uc_strerror(err));
        break;
    case UC_ERR_WRITE_PROT:
        vm_fault(vm, VM_FAULT_WRITE_PROT, "write to read-only memory");
        break;
    case UC_ERR_EXCEPTION:
        vm_fault(vm, VM_FAULT_INTERRUPT, "unhandled CPU exception");
        break;
    default:
        vm_fault(vm, VM_FAULT_HOST, "emulator error: %s", uc_strerror(err));
        break;
    }
}

int vm_call(Vm *vm, GuestAddr fn, VmCallConv cc, const uint32_t *args, unsigned nargs,
            const char *what, uint32_t *ret)
{
    if (vm_stopped(vm))
        return -1;
    if (vm->depth >= vm->cfg.max_depth) {
        vm_fault(vm, VM_FAULT_NESTING, "more than %u nested calls between host and driver (%s)",
                 vm->cfg.max_depth, what);
        return -1;
    }
    /* A nested call interrupts guest code whose registers must come back;
     * a top-level one interrupts nothing, so it saves nothing. */
    uint32_t saved[NSAVED];
    int nested = vm->depth > 0;
    if (nested)
        regs_save(vm, saved);

    /* The new frame starts below the interrupted context's stack. */
    uint32_t esp = vm_reg(vm, VM_ESP) & ~3u;
    if (vm->depth == 0)
        esp = VM_STACK_BASE + VM_STACK_SIZE - 16;
    unsigned first = 0;
    if (cc == VM_FASTCALL) {
        vm_set_reg(vm, VM_ECX, nargs > 0 ? args[0] : 0);
        vm_set_reg(vm, VM_EDX, nargs > 1 ? args[1] : 0);
        first = nargs < 2 ? nargs : 2;
    }
    unsigned nstack = nargs - first;
    if (esp - VM_STACK_BASE < 4 * nstack + 64) {
        vm_fault(vm, VM_FAULT_STACK_OVERFLOW, "no guest stack left to call %s", what);
        return -1;
    }
    uint32_t frame_esp = esp;
    for (unsigned i = nargs; i > first; i--) {
        esp -= 4;
        vm_wr32(vm, esp, args[i - 1]);
    }
    esp -= 4;
    vm_wr32(vm, esp, VM_RET_TRAMP);
    vm_set_reg(vm, VM_ESP, esp);
    uint32_t expect_esp = (cc == VM_STDCALL || cc == VM_FASTCALL) ? frame_esp : esp + 4;

    if (vm->depth == 0) {
        vm->budget_left = vm->cfg.budget;
        vm->slice_left = VM_SLICE_BLOCKS;
        vm->call_vtime0 = vm->vtime;
        vm->call_wall0 = vm_wall_ns();
    }
    vm->depth++;
    vm->stats.guest_calls++;
    if (trace_enabled()) {
        char buf[160] = "";
        size_t off = 0;
        for (unsigned i = 0; i < nargs && off < sizeof buf - 16; i++)
            off += (size_t)snprintf(buf + off, sizeof buf - off, "%s0x%x", i ? ", " : "", args[i]);
        TraceEvent ev = {.kind = TRACE_GUEST_CALL,
                         .vtime = vm->vtime,
                         .depth = vm->depth - 1,
                         .name = what,
                         .addr = fn,
                         .text = buf};
        trace_emit(&ev);
    }

    /* the driver runs: its instructions, not an export's call site, are
     * the cause of what happens until it returns (vm_cause_pc) */
    const Thunk *outer_thunk = vm->cur_thunk;
    uint32_t outer_esp = vm->cur_esp;
    vm->cur_thunk = NULL;
    int rc = -1;
    GuestAddr eip = fn;
    for (;;) {
        vm->stop_reason = STOP_NONE;
        vm->stats.emu_starts++;
        uc_err err = uc_emu_start(vm->uc, eip, 0, 0, 0);
        if (vm_stopped(vm))
            break;
        if (err != UC_ERR_OK) {
            vm_fault_from_uc(vm, err);
            break;
        }
        eip = vm_reg(vm, VM_EIP);
        /* read before the time hook: it may run guest code (DPCs) through a
         * nested vm_call, which resets stop_reason */
        int reason = vm->stop_reason;
        if (vm->time_fn)
            vm->time_fn(vm->time_opaque, vm->vtime);
        if (vm_stopped(vm))
            break;
        if (reason == STOP_SLICE)
            continue;
        GuestAddr slot = eip - 1 - VM_SYS_BASE;
        if (slot < VM_THUNK_AREA && slot % VM_THUNK_SIZE == 0) {
            unsigned idx = slot / VM_THUNK_SIZE;
            if (idx == 0) {
                uint32_t now = vm_reg(vm, VM_ESP);
                if (now != expect_esp) {
                    vm_fault(
                        vm, VM_FAULT_BAD_RETURN,
                        "%s returned with esp=0x%08x, expected 0x%08x (%+d bytes): declared %s",
                        what, now, expect_esp, (int)(now - expect_esp),
                        cc == VM_CDECL ? "cdecl" : "stdcall");
                    break;
                }
                *ret = vm_reg(vm, VM_EAX);
                rc = 0;
                break;
            }
            if (idx < vm->nthunks) {
                vm_serve_thunk(vm, &vm->thunks[idx]);
                if (vm_stopped(vm))
                    break;
                continue; /* resume at the thunk's ret */
            }
        }
        char where[96];
        vm_fault(vm, VM_FAULT_INTERRUPT, "hlt executed at %s",
                 vm_format_addr(vm, eip - 1, where, sizeof where));
        break;
    }
    vm->depth--;
    vm->cur_thunk = outer_thunk;
    vm->cur_esp = outer_esp;
    if (rc == 0) {
        if (trace_enabled()) {
            TraceEvent ev = {.kind = TRACE_GUEST_RETURN,
                             .vtime = vm->vtime,
                             .depth = vm->depth,
                             .name = what,
                             .value = *ret};
            trace_emit(&ev);
        }
        if (nested)
            regs_restore(vm, saved);
    }
    return rc;
}

/* ------------------------------------------------------------ construction */

/* A flat 4 GB descriptor (Intel SDM vol. 3, 3.4.5 "Segment Descriptors"). */
static uint64_t gdt_entry(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    uint64_t d = 0;
    d |= limit & 0xFFFFu;
    d |= (uint64_t)(base & 0xFFFFFFu) << 16;
    d |= (uint64_t)access << 40;
    d |= (uint64_t)((limit >> 16) & 0xF) << 48;
    d |= (uint64_t)(flags & 0xF) << 52;
    d |= (uint64_t)(base >> 24) << 56;
    return d;
}

static int vm_setup_segments(Vm *vm)
{
    uint64_t *gdt = vm_ptr(vm, VM_GDT_ADDR, 0x100);
    if (!gdt)
        return -1;
    /* access: present, DPL0, code exec/read (0x9B) or data read/write (0x93);
     * flags: 4 KB granularity + 32-bit (0xC), byte granularity (0x4) for the PCR. */
    gdt[SEL_R0_CODE / 8] = gdt_entry(0, 0xFFFFF, 0x9B, 0xC);
    gdt[SEL_R0_DATA / 8] = gdt_entry(0, 0xFFFFF, 0x93, 0xC);
    gdt[SEL_R0_PCR / 8] = gdt_entry(VM_KPCR_BASE, VM_KPCR_SIZE - 1, 0x93, 0x4);
    uc_x86_mmr gdtr = {.base = VM_GDT_ADDR, .limit = 0x100 - 1};
    if (uc_reg_write(vm->uc, UC_X86_REG_GDTR, &gdtr) != UC_ERR_OK)
        return -1;
    static const struct {
        int reg;
        uint32_t sel;
    } segs[] = {{UC_X86_REG_SS, SEL_R0_DATA}, {UC_X86_REG_DS, SEL_R0_DATA},
                {UC_X86_REG_ES, SEL_R0_DATA}, {UC_X86_REG_GS, SEL_R0_DATA},
                {UC_X86_REG_FS, SEL_R0_PCR},  {UC_X86_REG_CS, SEL_R0_CODE}};
    for (unsigned i = 0; i < sizeof segs / sizeof segs[0]; i++)
        if (uc_reg_write(vm->uc, segs[i].reg, &segs[i].sel) != UC_ERR_OK)
            return -1;
    return 0;
}

Vm *vm_create(const VmConfig *cfg)
{
    /* The libraries are loaded here, by the first machine, and not at
     * start-up (libload.h); callers only see NULL, so the reason is said
     * here, once per attempt. */
    char err[LIBLOAD_ERR_MAX];
    if (uclib_load(err, sizeof err) < 0 || cslib_load(err, sizeof err) < 0) {
        fprintf(stderr, "xdrv: %s\n", err);
        return NULL;
    }
    Vm *vm = calloc(1, sizeof *vm);
    if (!vm)
        return NULL;
    if (cfg)
        vm->cfg = *cfg;
    if (!vm->cfg.budget)
        vm->cfg.budget = VM_DEFAULT_BUDGET;
    if (!vm->cfg.max_depth)
        vm->cfg.max_depth = VM_DEFAULT_MAX_DEPTH;
    if (!vm->cfg.call_vtime_ns)
        vm->cfg.call_vtime_ns = VM_DEFAULT_CALL_VTIME_NS;
    if (!vm->cfg.call_wall_ns)
        vm->cfg.call_wall_ns = VM_DEFAULT_CALL_WALL_NS;
    vm->thunks = calloc(VM_MAX_THUNKS, sizeof *vm->thunks);
    if (!vm->thunks)
        goto fail;
    /* only a run that records the driver's loads needs the probe (a scratch
     * engine, a few ms); its engine comes and goes before this one exists:
     * opened and closed beside a live engine, it crashed that one (2.1.1,
     * arm64 under qemu-aarch64) */
    vm->loads_missed = vm->cfg.watch_loads && load_hooks_miss_tlb_hits();
    if (uc_open(UC_ARCH_X86, UC_MODE_32, &vm->uc) != UC_ERR_OK)
        goto fail;
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &vm->cs) != CS_ERR_OK)
        goto fail;
    /* system area: thunks (R+X), then GDT and host data (R+W) */
    if (!vm_map(vm, VM_SYS_BASE, VM_THUNK_AREA, VM_PROT_R | VM_PROT_X, "thunks") ||
        !vm_map(vm, VM_SYS_BASE + VM_THUNK_AREA, VM_SYS_SIZE - VM_THUNK_AREA, VM_PROT_R | VM_PROT_W,
                "system") ||
        !vm_map(vm, VM_STACK_BASE, VM_STACK_SIZE, VM_PROT_R | VM_PROT_W, "stack") ||
        !vm_map(vm, VM_POOL_BASE, VM_POOL_SIZE, VM_PROT_R | VM_PROT_W, "pool") ||
        !vm_map(vm, VM_SHARED_DATA, VM_PAGE_SIZE, VM_PROT_R, "shared-user-data") ||
        !vm_map(vm, VM_KPCR_BASE, VM_KPCR_SIZE, VM_PROT_R | VM_PROT_W, "kpcr"))
        goto fail;
    vm->sys_next = VM_SYS_DATA;
    /* slot 0 is the return trampoline: hlt */
    vm->thunks[0] = (Thunk){.name = "return", .cc = VM_CDECL};
    vm->nthunks = 1;
    thunk_write(vm, 0, 0);
    if (vm_setup_segments(vm) < 0)
        goto fail;
    uint32_t esp = VM_STACK_BASE + VM_STACK_SIZE - 16;
    vm_set_reg(vm, VM_ESP, esp);

    uc_hook h;
    if (uc_hook_add(vm->uc, &h, UC_HOOK_MEM_INVALID, hook_mem_invalid, vm, 1, 0) ||
        uc_hook_add(vm->uc, &h, UC_HOOK_INTR, hook_intr, vm, 1, 0) ||
        uc_hook_add(vm->uc, &h, UC_HOOK_INSN_INVALID, hook_insn_invalid, vm, 1, 0) ||
        uc_hook_add(vm->uc, &h, UC_HOOK_BLOCK, hook_block, vm, 1, 0) ||
        uc_hook_add(vm->uc, &h, UC_HOOK_CODE, hook_thunk, vm, VM_SYS_BASE,
                    VM_SYS_BASE + VM_THUNK_AREA - 1) ||
        uc_hook_add(vm->uc, &h, UC_HOOK_INSN, hook_in, vm, 1, 0, UC_X86_INS_IN) ||
        uc_hook_add(vm->uc, &h, UC_HOOK_INSN, hook_out, vm, 1, 0, UC_X86_INS_OUT))
        goto fail;
    return vm;
fail:
    vm_destroy(vm);
    return NULL;
}

void vm_destroy(Vm *vm)
{
    if (!vm)
        return;
    if (vm->uc)
        uc_close(vm->uc);
    if (vm->cs)
        cs_close(&vm->cs);
    for (unsigned i = 0; i < vm->nregions; i++)
        munmap(vm->regions[i].host, vm->regions[i].size);
    for (unsigned i = 0; i < vm->nmmio; i++)
        free(vm->mmio[i]);
    free(vm->cover_tab);
    free(vm->cover_out);
    free(vm->watch);
    free(vm->thunks);
    free(vm);
}
