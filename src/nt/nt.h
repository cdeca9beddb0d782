/* The emulated Windows kernel: shared state and the export-table machinery.
 *
 * Each module a driver can import from (ntoskrnl.exe, hal.dll, ndis.sys)
 * has ONE export table, an X-macro file `exports.def` with one line per
 * export:
 *     EXPORT(IoCreateDevice, STDCALL, 28, "pxUxxbp")
 *     DATA(KeTickCount, 12)
 * giving the Windows name, calling convention, argument bytes the callee
 * pops (stdcall/fastcall) or reads (cdecl), and a signature used only to
 * decode arguments in the -v log (one letter per 32-bit stack slot, see
 * nt_format_args). The handler for EXPORT(X, ...) is `NTAPI(X)`, defined in
 * the file named after X's prefix (io.c, ke.c, ...), with the Windows
 * prototype in a comment above it. */
#ifndef XDRV_NT_H
#define XDRV_NT_H

#include <stdint.h>
#include <stdio.h>

#include "vm/vm.h"

typedef struct Nt Nt;
typedef uint64_t (*NtApiFn)(Nt *nt, const uint32_t *a);

typedef struct NtExport {
    const char *name;
    VmCallConv cc;
    uint16_t argbytes;
    const char *sig;   /* argument decoding for the log */
    NtApiFn fn;        /* NULL for a data export */
    uint32_t datasize; /* data exports: bytes of guest memory */
} NtExport;

typedef struct NtModule {
    const char *name; /* canonical file name, matched case-insensitively */
    const NtExport *exports;
    unsigned count;
    /* Fill a data export's guest memory at load time (may be NULL). */
    void (*data_init)(Nt *nt, const char *name, GuestAddr addr);
} NtModule;

#define NTAPI(name) uint64_t nt_##name(Nt *nt, const uint32_t *a)

/* Every module xdrv provides, NULL-terminated. */
extern const NtModule *const nt_modules[];
const NtModule *nt_find_module(const char *name);
const NtExport *nt_find_export(const NtModule *m, const char *name);

/* Subsystem state lives behind these pointers, each defined by its own file. */
struct NtPool;
struct NtKe;
struct NtIo;
struct NtReg;
struct NdisState;
struct NtFail;

typedef struct NtOptions {
    int allow_missing; /* run even when imports are missing */
    FILE *log;         /* DbgPrint output and notes; stderr by default */
} NtOptions;

struct Nt {
    Vm *vm;
    NtOptions opt;
    GuestAddr kpcr;           /* VM_KPCR_BASE */
    GuestAddr current_thread; /* a KTHREAD-sized block the PCR points at */
    GuestAddr system_process;
    struct NtPool *pool;
    struct NtKe *ke;
    struct NtIo *io;
    struct NtReg *reg;
    struct NdisState *ndis;
    struct NtFail *fail; /* fail-points (failpoint.c); NULL until one is armed */
    /* flat table of thunked exports: thunk id -> export */
    const NtExport **thunk_exports;
    const NtModule **thunk_modules;
    unsigned nthunks, cap_thunks;
    /* one thunk or data object per export, shared by every importer */
    struct NtResolved *resolved;
    unsigned nresolved, cap_resolved;
    struct NtMissing *missing; /* records for missing imports */
    GuestAddr next_image_base; /* loader: next free address in the image area */
    /* IoFreeMdl tells the owner of an MDL it is gone (NDIS: ndis.h's
     * NdisFreeBuffer is IoFreeMdl, so NDIS buffers die there too). */
    void (*on_mdl_free)(Nt *nt, GuestAddr mdl);
    /* debug output: bytes logged, and the DbgPrint calls dropped past its
     * quota (src/nt/ntoskrnl/dbg.c) */
    uint64_t dbg_bytes, dbg_dropped;
};

Nt *nt_create(Vm *vm, const NtOptions *opt);
void nt_destroy(Nt *nt);

/* Resolve an import to a guest address: a host thunk or a data export.
 * Returns 0 if the module or name is unknown. */
GuestAddr nt_resolve_import(Nt *nt, const char *module, const char *name);
/* A thunk that stops the run naming module!name when called. */
GuestAddr nt_missing_import_thunk(Nt *nt, const char *module, const char *name);
/* A thunk for a host entry point that is not an import: a function pointer
 * the kernel hands to a driver (NDIS_MINIPORT_BLOCK handlers, DPC routines
 * of host objects). One thunk per `e`, which must outlive nt. */
GuestAddr nt_host_callback_thunk(Nt *nt, const NtExport *e);

/* ---- IRQL (kept in the KPCR, where inline driver code reads it) ---- */
#define PASSIVE_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define PROFILE_LEVEL 27
#define HIGH_LEVEL 31
uint8_t nt_irql(Nt *nt);
void nt_set_irql(Nt *nt, uint8_t irql);
/* Stops the run with VM_FAULT_IRQL unless the current IRQL <= max. */
void nt_check_irql_max(Nt *nt, uint8_t max);

/* ---- pool (src/nt/ntoskrnl/pool.c) ---- */
/* Guest memory from the kernel pool; 0 when exhausted. `tag` is the pool
 * tag (0 for none). */
GuestAddr nt_pool_alloc(Nt *nt, uint32_t size, uint32_t tag);
/* Returns 0, -1 if `a` is not the start of a live block (double free,
 * wild pointer), -2 if the block was freed but its trailing canary had been
 * overwritten (overrun): the caller reports both. */
int nt_pool_free(Nt *nt, GuestAddr a);
/* Size of the live block starting at a, or 0. */
uint32_t nt_pool_size(Nt *nt, GuestAddr a);
/* Print live allocations (address, size, tag) and return their count. */
unsigned nt_pool_report_leaks(Nt *nt, FILE *f);
int nt_pool_init(Nt *nt);
void nt_pool_fini(Nt *nt);

/* ---- helpers for handlers ---- */
/* Format args per an export signature into buf (for the log). */
void nt_format_args(Nt *nt, const NtExport *e, const uint32_t *a, char *buf, size_t len);
/* UNICODE_STRING / ANSI_STRING at guest address -> UTF-8 (truncated to len);
 * returns buf. Bad pointers give "<bad 0x...>", never a fault. */
const char *nt_ustr(Nt *nt, GuestAddr pus, char *buf, size_t len);
const char *nt_astr(Nt *nt, GuestAddr pas, char *buf, size_t len);
/* Log a FIXME once per (export, message) pair. */
void nt_fixme(Nt *nt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Memory a device can reach appears (on=1) or goes (on=0): a MEM_REGION
 * trace event (`what`: "shared", "send-buffer"), so a recording can watch
 * the driver's stores into it. */
void nt_note_region(Nt *nt, const char *what, GuestAddr addr, uint32_t size, int on);
/* Text to the run's log (DbgPrint output, notes). */
void nt_log(Nt *nt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "STATUS_SUCCESS", or "error"/"warning"/"success" for unnamed codes. */
const char *nt_status_name(uint32_t status);

/* NTSTATUS values used across modules (ntstatus.h). */
#define STATUS_SUCCESS 0x00000000u
#define STATUS_PENDING 0x00000103u
#define STATUS_TIMEOUT 0x00000102u
#define STATUS_ALERTED 0x00000101u
#define STATUS_BUFFER_OVERFLOW 0x80000005u
#define STATUS_NO_MORE_ENTRIES 0x8000001Au
#define STATUS_UNSUCCESSFUL 0xC0000001u
#define STATUS_NOT_IMPLEMENTED 0xC0000002u
#define STATUS_INVALID_PARAMETER 0xC000000Du
#define STATUS_INVALID_DEVICE_REQUEST 0xC0000010u
#define STATUS_NO_MEMORY 0xC0000017u
#define STATUS_ACCESS_DENIED 0xC0000022u
#define STATUS_BUFFER_TOO_SMALL 0xC0000023u
#define STATUS_OBJECT_TYPE_MISMATCH 0xC0000024u
#define STATUS_OBJECT_NAME_INVALID 0xC0000033u
#define STATUS_OBJECT_NAME_NOT_FOUND 0xC0000034u
#define STATUS_OBJECT_NAME_COLLISION 0xC0000035u
#define STATUS_OBJECT_PATH_NOT_FOUND 0xC000003Au
#define STATUS_INSUFFICIENT_RESOURCES 0xC000009Au
#define STATUS_INTEGER_OVERFLOW 0xC0000095u
#define STATUS_INVALID_HANDLE 0xC0000008u
#define STATUS_NOT_SUPPORTED 0xC00000BBu
#define STATUS_INVALID_PARAMETER_2 0xC00000F0u
#define STATUS_CANCELLED 0xC0000120u
#define STATUS_DEVICE_NOT_READY 0xC00000A3u
#define STATUS_NOT_FOUND 0xC0000225u
#define STATUS_MUTANT_NOT_OWNED 0xC0000046u
#define STATUS_SEMAPHORE_LIMIT_EXCEEDED 0xC0000047u
#define STATUS_QUOTA_EXCEEDED 0xC0000044u

#endif
