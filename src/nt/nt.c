/* Kernel state, import resolution and the dispatcher that turns a thunk hit
 * into a call of the export's handler, with API_CALL/API_RETURN events. */
#include "nt/nt.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nt/failpoint.h"
#include "nt/ntstructs.h"
#include "trace/trace.h"

extern const NtModule nt_module_ntoskrnl;
extern const NtModule nt_module_hal;
extern const NtModule nt_module_ndis;

const NtModule *const nt_modules[] = {&nt_module_ntoskrnl, &nt_module_hal, &nt_module_ndis, NULL};

/* Subsystems, in start order; each file defines its pair. */
int nt_ke_init(Nt *nt);
void nt_ke_fini(Nt *nt);
int nt_io_init(Nt *nt);
void nt_io_fini(Nt *nt);
int nt_reg_init(Nt *nt);
void nt_reg_fini(Nt *nt);
int nt_ndis_init(Nt *nt);
void nt_ndis_fini(Nt *nt);

const NtModule *nt_find_module(const char *name)
{
    for (unsigned i = 0; nt_modules[i]; i++)
        if (!strcasecmp(nt_modules[i]->name, name))
            return nt_modules[i];
    return NULL;
}

const NtExport *nt_find_export(const NtModule *m, const char *name)
{
    for (unsigned i = 0; i < m->count; i++)
        if (!strcmp(m->exports[i].name, name))
            return &m->exports[i];
    return NULL;
}

/* ---------------------------------------------------------------- IRQL */

uint8_t nt_irql(Nt *nt)
{
    const uint8_t *p = vm_ptr(nt->vm, VM_KPCR_BASE + offsetof(GKPcr, Irql), 1);
    return *p;
}

void nt_set_irql(Nt *nt, uint8_t irql)
{
    uint8_t *p = vm_ptr(nt->vm, VM_KPCR_BASE + offsetof(GKPcr, Irql), 1);
    *p = irql;
}

void nt_check_irql_max(Nt *nt, uint8_t max)
{
    uint8_t irql = nt_irql(nt);
    if (irql > max)
        vm_throw(nt->vm, VM_FAULT_IRQL, "%s called at IRQL %u; it requires IRQL <= %u",
                 vm_current_api(nt->vm), irql, max);
}

/* ------------------------------------------------------------- logging */

void nt_log(Nt *nt, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(nt->opt.log, fmt, ap);
    va_end(ap);
    fflush(nt->opt.log);
}

#define NT_FIXME_MAX 256
static struct {
    const void *nt;
    char key[160];
} fixmes[NT_FIXME_MAX];
static unsigned nfixmes;

void nt_fixme(Nt *nt, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char key[160];
    snprintf(key, sizeof key, "%.60s:%.98s", vm_current_api(nt->vm), buf);
    for (unsigned i = 0; i < nfixmes; i++)
        if (fixmes[i].nt == nt && !strcmp(fixmes[i].key, key))
            return;
    if (nfixmes < NT_FIXME_MAX) {
        fixmes[nfixmes].nt = nt;
        memcpy(fixmes[nfixmes].key, key, sizeof key);
        nfixmes++;
    }
    nt_log(nt, "fixme: %s: %s\n", vm_current_api(nt->vm), buf);
    trace_emitf(TRACE_FIXME, vm_time_ns(nt->vm), vm_depth(nt->vm), vm_current_api(nt->vm), "%s",
                buf);
}

/* Counted strings, read without faulting (for logs). */
static const char *counted_str(Nt *nt, GuestAddr ps, int wide, char *buf, size_t len)
{
    GUnicodeString us;
    if (!ps) {
        snprintf(buf, len, "NULL");
        return buf;
    }
    if (vm_read(nt->vm, ps, &us, sizeof us) < 0) {
        snprintf(buf, len, "<bad 0x%08x>", ps);
        return buf;
    }
    unsigned n = wide ? us.Length / 2u : us.Length;
    const uint8_t *p = vm_ptr(nt->vm, us.Buffer, us.Length);
    if (!p && us.Length) {
        snprintf(buf, len, "<bad buffer 0x%08x>", us.Buffer);
        return buf;
    }
    size_t o = 0;
    for (unsigned i = 0; i < n && o + 4 < len; i++) {
        unsigned c = wide ? (unsigned)(p[2 * i] | p[2 * i + 1] << 8) : p[i];
        if (c >= 0x20 && c < 0x7f)
            buf[o++] = (char)c;
        else
            o += (size_t)snprintf(buf + o, len - o, "?");
    }
    buf[o] = 0;
    return buf;
}

const char *nt_ustr(Nt *nt, GuestAddr pus, char *buf, size_t len)
{
    return counted_str(nt, pus, 1, buf, len);
}

const char *nt_astr(Nt *nt, GuestAddr pas, char *buf, size_t len)
{
    return counted_str(nt, pas, 0, buf, len);
}

static void plain_str(Nt *nt, GuestAddr a, int wide, char *buf, size_t len)
{
    size_t o = 0;
    buf[o++] = '"';
    for (unsigned i = 0; o + 6 < len; i++) {
        const uint8_t *p = vm_ptr(nt->vm, a + (wide ? 2 * i : i), wide ? 2 : 1);
        if (!p)
            break;
        unsigned c = wide ? (unsigned)(p[0] | p[1] << 8) : p[0];
        if (!c)
            break;
        if (c == '\n' || c == '\t') {
            buf[o++] = '\\';
            buf[o++] = c == '\n' ? 'n' : 't';
        } else {
            buf[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        }
    }
    buf[o++] = '"';
    buf[o] = 0;
}

void nt_format_args(Nt *nt, const NtExport *e, const uint32_t *a, char *buf, size_t len)
{
    const char *sig = e->sig ? e->sig : "";
    size_t o = 0;
    buf[0] = 0;
    unsigned slot = 0;
    for (const char *s = sig; *s && o + 8 < len && slot < 16; s++) {
        char tmp[128];
        uint32_t v = a[slot++];
        switch (*s) {
        case 'd':
            snprintf(tmp, sizeof tmp, "%d", (int32_t)v);
            break;
        case 'u':
            snprintf(tmp, sizeof tmp, "%u", v);
            break;
        case 'b':
            snprintf(tmp, sizeof tmp, "%s", v & 0xff ? "TRUE" : "FALSE");
            break;
        case 'q':
            snprintf(tmp, sizeof tmp, "0x%llx", (unsigned long long)((uint64_t)a[slot] << 32 | v));
            slot++;
            break;
        case 'U':
            tmp[0] = '"';
            nt_ustr(nt, v, tmp + 1, sizeof tmp - 2);
            strcat(tmp, "\"");
            break;
        case 'A':
            tmp[0] = '"';
            nt_astr(nt, v, tmp + 1, sizeof tmp - 2);
            strcat(tmp, "\"");
            break;
        case 's':
        case 'w':
            if (v)
                plain_str(nt, v, *s == 'w', tmp, sizeof tmp);
            else
                snprintf(tmp, sizeof tmp, "NULL");
            break;
        default:
            snprintf(tmp, sizeof tmp, "0x%x", v);
            break;
        }
        o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? ", " : "", tmp);
    }
}

void nt_note_region(Nt *nt, const char *what, GuestAddr addr, uint32_t size, int on)
{
    if (!trace_enabled())
        return;
    TraceEvent ev = {.kind = TRACE_MEM_REGION,
                     .vtime = vm_time_ns(nt->vm),
                     .depth = vm_depth(nt->vm),
                     .name = what,
                     .addr = addr,
                     .size = size,
                     .value = (uint64_t)!!on};
    trace_emit(&ev);
}

/* ----------------------------------------------------------- dispatcher */

static uint64_t nt_dispatch(void *opaque, uint32_t id, const uint32_t *args)
{
    Nt *nt = opaque;
    const NtExport *e = nt->thunk_exports[id];
    const NtModule *m = nt->thunk_modules[id];
    if (trace_enabled()) {
        char buf[512];
        nt_format_args(nt, e, args, buf, sizeof buf);
        TraceEvent ev = {.kind = TRACE_API_CALL,
                         .vtime = vm_time_ns(nt->vm),
                         .depth = vm_depth(nt->vm),
                         .name = e->name,
                         .text = buf};
        trace_emit(&ev);
    }
    if (!e->fn) {
        vm_fault(nt->vm, VM_FAULT_MISSING_IMPORT,
                 "the driver called %s!%s, which xdrv does not implement", m ? m->name : "?",
                 e->name);
        return 0;
    }
    /* an armed fail-point answers instead of the handler (failpoint.c) */
    uint64_t r;
    if (!nt->fail || !nt_fail_intercept(nt, e, args, &r))
        r = e->fn(nt, args);
    if (trace_enabled() && !vm_stopped(nt->vm)) {
        TraceEvent ev = {.kind = TRACE_API_RETURN,
                         .vtime = vm_time_ns(nt->vm),
                         .depth = vm_depth(nt->vm),
                         .name = e->name,
                         .value = r};
        trace_emit(&ev);
    }
    return r;
}

/* Exports served inside the emulator (vm_set_thunk_leaf): their handlers
 * touch only guest memory, the port and register windows (device models,
 * which never call the driver) and the IRQL it reads; none calls into the
 * guest, waits, or lowers the IRQL (which would make DPCs deliverable), so
 * nothing is owed at their return. Spin-lock-taking Interlocked forms
 * restore the IRQL and are left out. */
static const char *const leaf_exports[] = {
    "READ_PORT_UCHAR",         "READ_PORT_USHORT",         "READ_PORT_ULONG",
    "WRITE_PORT_UCHAR",        "WRITE_PORT_USHORT",        "WRITE_PORT_ULONG",
    "READ_PORT_BUFFER_UCHAR",  "READ_PORT_BUFFER_USHORT",  "READ_PORT_BUFFER_ULONG",
    "WRITE_PORT_BUFFER_UCHAR", "WRITE_PORT_BUFFER_USHORT", "WRITE_PORT_BUFFER_ULONG",
    "READ_REGISTER_UCHAR",     "READ_REGISTER_USHORT",     "READ_REGISTER_ULONG",
    "WRITE_REGISTER_UCHAR",    "WRITE_REGISTER_USHORT",    "WRITE_REGISTER_ULONG",
    "KeGetCurrentIrql",        "memcpy",                   "memmove",
    "memset",                  "RtlMoveMemory",            "RtlZeroMemory",
    "RtlFillMemory",           "RtlFillMemoryUlong",       "RtlCompareMemory",
    "InterlockedIncrement",    "InterlockedDecrement",     "InterlockedExchange",
    "InterlockedCompareExchange", "InterlockedExchangeAdd", "NdisInterlockedIncrement",
    "NdisInterlockedDecrement",
};

static int is_leaf_export(const char *name)
{
    for (size_t i = 0; i < sizeof leaf_exports / sizeof leaf_exports[0]; i++)
        if (!strcmp(name, leaf_exports[i]))
            return 1;
    return 0;
}

static GuestAddr add_thunk(Nt *nt, const NtModule *m, const NtExport *e)
{
    if (nt->nthunks == nt->cap_thunks) {
        unsigned cap = nt->cap_thunks ? nt->cap_thunks * 2 : 256;
        const NtExport **ne = realloc(nt->thunk_exports, cap * sizeof *ne);
        if (!ne)
            return 0;
        nt->thunk_exports = ne;
        const NtModule **nm = realloc(nt->thunk_modules, cap * sizeof *nm);
        if (!nm)
            return 0;
        nt->thunk_modules = nm;
        nt->cap_thunks = cap;
    }
    unsigned id = nt->nthunks;
    GuestAddr a = vm_add_thunk(nt->vm, e->name, e->cc, e->argbytes, id);
    if (!a)
        return 0;
    if (is_leaf_export(e->name))
        vm_set_thunk_leaf(nt->vm, a);
    nt->thunk_exports[id] = e;
    nt->thunk_modules[id] = m;
    nt->nthunks++;
    return a;
}

/* One thunk / data object per export, shared by every importer. */
typedef struct NtResolved {
    const NtExport *e;
    GuestAddr addr;
} Resolved;

GuestAddr nt_resolve_import(Nt *nt, const char *module, const char *name)
{
    const NtModule *m = nt_find_module(module);
    if (!m)
        return 0;
    const NtExport *e = nt_find_export(m, name);
    if (!e)
        return 0;
    for (unsigned i = 0; i < nt->nresolved; i++)
        if (nt->resolved[i].e == e)
            return nt->resolved[i].addr;
    GuestAddr a;
    if (!e->fn && e->datasize) {
        a = vm_alloc_sys(nt->vm, e->datasize);
        if (a && m->data_init)
            m->data_init(nt, e->name, a);
    } else {
        a = add_thunk(nt, m, e);
    }
    if (!a)
        return 0;
    if (nt->nresolved == nt->cap_resolved) {
        unsigned cap = nt->cap_resolved ? nt->cap_resolved * 2 : 128;
        Resolved *r = realloc(nt->resolved, cap * sizeof *r);
        if (!r)
            return 0;
        nt->resolved = r;
        nt->cap_resolved = cap;
    }
    nt->resolved[nt->nresolved++] = (Resolved){e, a};
    return a;
}

GuestAddr nt_host_callback_thunk(Nt *nt, const NtExport *e)
{
    for (unsigned i = 0; i < nt->nresolved; i++)
        if (nt->resolved[i].e == e)
            return nt->resolved[i].addr;
    GuestAddr a = add_thunk(nt, NULL, e);
    if (!a)
        return 0;
    if (nt->nresolved == nt->cap_resolved) {
        unsigned cap = nt->cap_resolved ? nt->cap_resolved * 2 : 128;
        Resolved *r = realloc(nt->resolved, cap * sizeof *r);
        if (!r)
            return 0;
        nt->resolved = r;
        nt->cap_resolved = cap;
    }
    nt->resolved[nt->nresolved++] = (Resolved){e, a};
    return a;
}

/* A missing import gets an export record of its own with no handler; the
 * dispatcher stops the run naming it. The record lives as long as nt. */
typedef struct NtMissing {
    NtExport e;
    char name[160];
    struct NtMissing *next;
} MissingImport;

GuestAddr nt_missing_import_thunk(Nt *nt, const char *module, const char *name)
{
    MissingImport *mi = calloc(1, sizeof *mi);
    if (!mi)
        return 0;
    snprintf(mi->name, sizeof mi->name, "%s!%s", module, name);
    mi->e.name = mi->name;
    mi->e.cc = VM_CDECL;
    mi->next = nt->missing;
    nt->missing = mi;
    return add_thunk(nt, NULL, &mi->e);
}

/* ------------------------------------------------------------ lifecycle */

static int nt_setup_pcr(Nt *nt)
{
    GKPcr *pcr = vm_ptr(nt->vm, VM_KPCR_BASE, sizeof(GKPcr));
    nt->kpcr = VM_KPCR_BASE;
    nt->current_thread = vm_alloc_sys(nt->vm, 0x260); /* KTHREAD (XP: 0x1c0) */
    nt->system_process = vm_alloc_sys(nt->vm, 0x260); /* EPROCESS stand-in */
    if (!pcr || !nt->current_thread || !nt->system_process)
        return -1;
    GDispatcherHeader *th = vm_ptr(nt->vm, nt->current_thread, sizeof *th);
    th->Type = KOBJ_THREAD;
    GDispatcherHeader *pr = vm_ptr(nt->vm, nt->system_process, sizeof *pr);
    pr->Type = KOBJ_PROCESS;
    pcr->Self = VM_KPCR_BASE;
    pcr->SelfPcr = VM_KPCR_BASE;
    pcr->Prcb = VM_KPCR_BASE + offsetof(GKPcr, PrcbData);
    pcr->StackBase = VM_STACK_BASE + VM_STACK_SIZE;
    pcr->StackLimit = VM_STACK_BASE;
    pcr->ExceptionList = 0xFFFFFFFFu; /* end of SEH chain */
    pcr->Irql = PASSIVE_LEVEL;
    pcr->MajorVersion = 1;
    pcr->MinorVersion = 1;
    pcr->SetMember = 1;
    pcr->Number = 0;
    pcr->PrcbData.MajorVersion = 1;
    pcr->PrcbData.MinorVersion = 1;
    pcr->PrcbData.CurrentThread = nt->current_thread;
    return 0;
}

Nt *nt_create(Vm *vm, const NtOptions *opt)
{
    Nt *nt = calloc(1, sizeof *nt);
    if (!nt)
        return NULL;
    nt->vm = vm;
    if (opt)
        nt->opt = *opt;
    if (!nt->opt.log)
        nt->opt.log = stderr;
    vm_set_host_handler(vm, nt_dispatch, nt);
    if (nt_setup_pcr(nt) < 0 || nt_pool_init(nt) < 0 || nt_ke_init(nt) < 0 || nt_io_init(nt) < 0 ||
        nt_reg_init(nt) < 0 || nt_ndis_init(nt) < 0) {
        nt_destroy(nt);
        return NULL;
    }
    return nt;
}

void nt_destroy(Nt *nt)
{
    if (!nt)
        return;
    nt_ndis_fini(nt);
    nt_reg_fini(nt);
    nt_io_fini(nt);
    nt_ke_fini(nt);
    nt_pool_fini(nt);
    nt_fail_clear(nt);
    free(nt->thunk_exports);
    free(nt->thunk_modules);
    free(nt->resolved);
    while (nt->missing) {
        MissingImport *n = nt->missing->next;
        free(nt->missing);
        nt->missing = n;
    }
    nfixmes = 0;
    free(nt);
}
