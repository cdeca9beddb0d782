/* Debug output and bug checks: DbgPrint, DbgPrintEx, vDbgPrintEx (format
 * engine reading guest varargs), KeBugCheck(Ex), DbgBreakPoint.
 * Facts: learn.microsoft.com "DbgPrint", "DbgPrintEx", "vDbgPrintEx",
 * "KeBugCheckEx", "Bug Check Code Reference"; MSVC CRT "Format
 * specification syntax: printf and wprintf functions" (size prefixes h, l,
 * w, I, I32, I64, ll and the %Z/%wZ counted-string types).
 *
 * Choices: DbgPrintEx prints every message whatever its component and level
 * (Windows filters most levels by default; under xdrv the point is to see
 * the driver's output). The level is shown when it is not DPFLTR_ERROR_LEVEL. */
#include "nt/ntoskrnl/dbg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nt/ntoskrnl/registry.h"
#include "nt/ntstructs.h"
#include "trace/trace.h"

#define DBG_STR_MAX 4096u

/* ------------------------------------------------------- format engine */

typedef struct Out {
    char *p;
    size_t cap, len;
} Out;

static void put(Out *o, const char *s, size_t n)
{
    for (size_t i = 0; i < n && o->len + 1 < o->cap; i++)
        o->p[o->len++] = s[i];
}

static void pad(Out *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(o, " ", 1);
}

static void put_padded(Out *o, const char *s, size_t n, int width, int left)
{
    size_t w = width > 0 ? (size_t)width : 0;
    if (!left && n < w)
        pad(o, w - n);
    put(o, s, n);
    if (left && n < w)
        pad(o, w - n);
}

enum { SZ_DEFAULT, SZ_H, SZ_HH, SZ_L, SZ_LL, SZ_W };

/* A guest string into host text (UTF-8). `max` limits the characters read
 * (precision); -1 means up to DBG_STR_MAX. Returns the text length, or
 * writes "<bad pointer 0x...>" for an unmapped start. */
static size_t read_cstr(const DbgArgs *args, uint32_t a, int wide, long max, char *buf, size_t cap)
{
    uint32_t limit = max >= 0 && (unsigned long)max < DBG_STR_MAX ? (uint32_t)max : DBG_STR_MAX;
    size_t o = 0;
    if (!a)
        return (size_t)snprintf(buf, cap, "(null)");
    for (uint32_t i = 0; i < limit; i++) {
        uint8_t u[2] = {0, 0};
        if (args->read(args->opaque, a + (wide ? 2 * i : i), u, wide ? 2 : 1) < 0) {
            if (i == 0)
                return (size_t)snprintf(buf, cap, "<bad pointer 0x%08x>", a);
            break;
        }
        if (!u[0] && !u[1])
            break;
        if (wide) {
            char tmp[8];
            size_t n = nt_reg_utf8(u, 1, tmp, sizeof tmp);
            if (o + n + 1 > cap)
                break;
            memcpy(buf + o, tmp, n);
            o += n;
        } else {
            if (o + 2 > cap)
                break;
            buf[o++] = (char)u[0];
        }
    }
    buf[o] = 0;
    return o;
}

/* An ANSI_STRING / UNICODE_STRING at `a`. */
static size_t read_counted(const DbgArgs *args, uint32_t a, int wide, long max, char *buf,
                           size_t cap)
{
    GUnicodeString us;
    if (!a)
        return (size_t)snprintf(buf, cap, "(null)");
    if (args->read(args->opaque, a, &us, sizeof us) < 0)
        return (size_t)snprintf(buf, cap, "<bad pointer 0x%08x>", a);
    if (!us.Buffer)
        return (size_t)snprintf(buf, cap, "(null)");
    uint32_t n = wide ? us.Length / 2u : us.Length;
    if (max >= 0 && (unsigned long)max < n)
        n = (uint32_t)max;
    if (n > DBG_STR_MAX)
        n = DBG_STR_MAX;
    static uint8_t raw[2 * DBG_STR_MAX];
    if (n && args->read(args->opaque, us.Buffer, raw, wide ? 2 * n : n) < 0)
        return (size_t)snprintf(buf, cap, "<bad pointer 0x%08x>", us.Buffer);
    if (wide)
        return nt_reg_utf8(raw, n, buf, cap);
    if (n + 1 > cap)
        n = (uint32_t)cap - 1;
    memcpy(buf, raw, n);
    buf[n] = 0;
    return n;
}

size_t dbg_format(char *out, size_t cap, const char *fmt, const DbgArgs *args)
{
    Out o = {out, cap, 0};
    static char sbuf[4 * DBG_STR_MAX + 64];
    if (!cap)
        return 0;
    for (const char *f = fmt; *f;) {
        if (*f != '%') {
            put(&o, f++, 1);
            continue;
        }
        const char *spec = f++;
        char flags[8];
        size_t nflags = 0;
        while (*f && strchr("-+ #0", *f)) {
            if (nflags < sizeof flags - 1)
                flags[nflags++] = *f;
            f++;
        }
        flags[nflags] = 0;
        int left = strchr(flags, '-') != NULL;
        int width = -1;
        if (*f == '*') {
            int32_t w = (int32_t)args->next(args->opaque);
            f++;
            if (w < 0) { /* a negative '*' width means '-' */
                left = 1;
                w = w == INT32_MIN ? INT32_MAX : -w;
                if (!strchr(flags, '-') && nflags < sizeof flags - 1) {
                    flags[nflags++] = '-';
                    flags[nflags] = 0;
                }
            }
            width = w;
        } else if (*f >= '0' && *f <= '9') {
            width = 0;
            while (*f >= '0' && *f <= '9')
                width = width < 100000 ? width * 10 + (*f++ - '0') : (f++, width);
        }
        if (width > 4096)
            width = 4096;
        long prec = -1;
        if (*f == '.') {
            f++;
            prec = 0;
            if (*f == '*') {
                int32_t p = (int32_t)args->next(args->opaque);
                f++;
                prec = p < 0 ? -1 : p;
            } else {
                while (*f >= '0' && *f <= '9')
                    prec = prec < 100000 ? prec * 10 + (*f++ - '0') : (f++, prec);
            }
        }
        if (prec > 4096)
            prec = 4096;
        int size = SZ_DEFAULT;
        if (f[0] == 'h' && f[1] == 'h') {
            size = SZ_HH;
            f += 2;
        } else if (f[0] == 'h') {
            size = SZ_H;
            f++;
        } else if (f[0] == 'l' && f[1] == 'l') {
            size = SZ_LL;
            f += 2;
        } else if (f[0] == 'l' || f[0] == 'L' || f[0] == 'j') {
            size = f[0] == 'j' ? SZ_LL : SZ_L;
            f++;
        } else if (f[0] == 'w') {
            size = SZ_W;
            f++;
        } else if (f[0] == 'I' && f[1] == '6' && f[2] == '4') {
            size = SZ_LL;
            f += 3;
        } else if (f[0] == 'I' && f[1] == '3' && f[2] == '2') {
            f += 3;
        } else if (f[0] == 'I' || f[0] == 'z' || f[0] == 't') {
            f++; /* pointer-sized: 32 bits on x86 */
        }
        char conv = *f;
        if (!conv) {
            put(&o, spec, strlen(spec));
            break;
        }
        f++;
        char hf[48];
        switch (conv) {
        case 'd':
        case 'i': {
            int64_t v;
            if (size == SZ_LL) {
                uint32_t lo = args->next(args->opaque);
                v = (int64_t)((uint64_t)args->next(args->opaque) << 32 | lo);
            } else {
                uint32_t w = args->next(args->opaque);
                v = size == SZ_H ? (int16_t)w : size == SZ_HH ? (int8_t)w : (int32_t)w;
            }
            char nb[96];
            snprintf(hf, sizeof hf, "%%%s%s*.*lld", flags, "");
            int n = snprintf(nb, sizeof nb, hf, width < 0 ? 0 : width, (int)prec, (long long)v);
            put(&o, nb, n < 0 ? 0 : (size_t)n < sizeof nb ? (size_t)n : sizeof nb - 1);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o': {
            uint64_t v;
            if (size == SZ_LL) {
                uint32_t lo = args->next(args->opaque);
                v = (uint64_t)args->next(args->opaque) << 32 | lo;
            } else {
                uint32_t w = args->next(args->opaque);
                v = size == SZ_H ? (uint16_t)w : size == SZ_HH ? (uint8_t)w : w;
            }
            char nb[96];
            snprintf(hf, sizeof hf, "%%%s*.*ll%c", flags, conv);
            int n = snprintf(nb, sizeof nb, hf, width < 0 ? 0 : width, (int)prec,
                             (unsigned long long)v);
            put(&o, nb, n < 0 ? 0 : (size_t)n < sizeof nb ? (size_t)n : sizeof nb - 1);
            break;
        }
        case 'p': {
            /* The kernel's %p: 8 upper-case hex digits on x86. */
            char nb[16];
            int n = snprintf(nb, sizeof nb, "%08X", args->next(args->opaque));
            put_padded(&o, nb, (size_t)n, width, left);
            break;
        }
        case 'c':
        case 'C': {
            uint32_t w = args->next(args->opaque);
            int wide = conv == 'C' ? size != SZ_H : size == SZ_L || size == SZ_W;
            char cb[8];
            size_t n;
            if (wide) {
                uint8_t u[2] = {(uint8_t)w, (uint8_t)(w >> 8)};
                n = nt_reg_utf8(u, 1, cb, sizeof cb);
            } else {
                cb[0] = (char)w;
                n = 1;
            }
            put_padded(&o, cb, n, width, left);
            break;
        }
        case 's':
        case 'S': {
            uint32_t p = args->next(args->opaque);
            int wide = conv == 'S' ? size != SZ_H : size == SZ_L || size == SZ_W;
            size_t n = read_cstr(args, p, wide, prec, sbuf, sizeof sbuf);
            put_padded(&o, sbuf, n, width, left);
            break;
        }
        case 'Z': {
            uint32_t p = args->next(args->opaque);
            size_t n = read_counted(args, p, size == SZ_W || size == SZ_L, prec, sbuf, sizeof sbuf);
            put_padded(&o, sbuf, n, width, left);
            break;
        }
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'g':
        case 'G':
        case 'a':
        case 'A': {
            uint32_t lo = args->next(args->opaque);
            uint64_t bits = (uint64_t)args->next(args->opaque) << 32 | lo;
            double d;
            memcpy(&d, &bits, sizeof d);
            char nb[400];
            snprintf(hf, sizeof hf, "%%%s*.*%c", flags, conv);
            int n =
                snprintf(nb, sizeof nb, hf, width < 0 ? 0 : width, (int)(prec < 0 ? 6 : prec), d);
            put(&o, nb, n < 0 ? 0 : (size_t)n < sizeof nb ? (size_t)n : sizeof nb - 1);
            break;
        }
        case 'n':
            args->next(args->opaque);
            put(&o, "<%n not supported>", 18);
            break;
        case '%':
            put(&o, "%", 1);
            break;
        default:
            /* Unknown conversion: keep the text as written. */
            put(&o, spec, (size_t)(f - spec));
            break;
        }
    }
    o.p[o.len] = 0;
    return o.len;
}

/* -------------------------------------------------- guest-side sources */

typedef struct StackArgs {
    Nt *nt;
    unsigned next; /* stack word index */
} StackArgs;

static uint32_t stack_next(void *opaque)
{
    StackArgs *s = opaque;
    return vm_stack_arg(s->nt->vm, s->next++);
}

typedef struct ListArgs {
    Nt *nt;
    GuestAddr p; /* va_list: a pointer into the caller's stack */
} ListArgs;

static uint32_t list_next(void *opaque)
{
    ListArgs *l = opaque;
    uint32_t v = vm_rd32(l->nt->vm, l->p);
    l->p += 4;
    return v;
}

static int guest_read(void *opaque, uint32_t addr, void *dst, uint32_t len)
{
    Nt *nt = *(Nt **)opaque;
    return vm_read(nt->vm, addr, dst, len);
}

/* The format string itself must be readable: Windows would fault on a bad one. */
static const char *guest_fmt(Nt *nt, GuestAddr a, char *buf, size_t cap)
{
    uint32_t n = vm_strlen(nt->vm, a, (uint32_t)cap - 1);
    memcpy(buf, vm_guest(nt->vm, a, n, "Format"), n);
    buf[n] = 0;
    return buf;
}

/* ------------------------------------------------------------- output */

/* What a driver may print in one run (issue 12: a quota on every host
 * resource a driver can make xdrv use; a flood of DbgPrint fills the
 * disk the log goes to): past it, output is dropped and counted, said
 * once, and DbgPrint returns STATUS_QUOTA_EXCEEDED (its documentation:
 * "otherwise it returns the appropriate error code"). */
#define NT_DBG_OUTPUT_MAX (16u << 20)

int nt_dbg_output(Nt *nt, const char *text)
{
    size_t n = strlen(text);
    if (nt->dbg_bytes + n > NT_DBG_OUTPUT_MAX) {
        if (!nt->dbg_dropped++) {
            nt_dbg_flush(nt);
            nt_log(nt, "dbg: (the driver's debug output reached its quota of %u bytes: what "
                       "follows is dropped and counted)\n",
                   NT_DBG_OUTPUT_MAX);
        }
        return -1;
    }
    nt->dbg_bytes += n;
    trace_emitf(TRACE_DEBUG_PRINT, vm_time_ns(nt->vm), vm_depth(nt->vm), vm_current_api(nt->vm),
                "%s", text);
    NtDbgLine *l = nt_io_dbg_line(nt);
    for (const char *p = text; *p; p++) {
        if (*p == '\n' || l->len == sizeof l->buf - 1) {
            nt_log(nt, "dbg: %.*s\n", (int)l->len, l->buf);
            l->len = 0;
            if (*p == '\n')
                continue;
        }
        if (*p != '\r')
            l->buf[l->len++] = *p;
    }
    return 0;
}

void nt_dbg_flush(Nt *nt)
{
    NtDbgLine *l = nt_io_dbg_line(nt);
    if (l && l->len) {
        nt_log(nt, "dbg: %.*s\n", (int)l->len, l->buf);
        l->len = 0;
    }
}

static uint32_t dbg_print(Nt *nt, const char *prefix, GuestAddr fmt, uint32_t (*next)(void *),
                          void *src)
{
    static char f[DBG_STR_MAX], text[8192];
    guest_fmt(nt, fmt, f, sizeof f);
    /* guest_read finds the Nt in the first member of either source */
    DbgArgs args = {next, guest_read, src};
    size_t n = strlen(prefix);
    memcpy(text, prefix, n);
    dbg_format(text + n, sizeof text - n, f, &args);
    return nt_dbg_output(nt, text) < 0 ? STATUS_QUOTA_EXCEEDED : STATUS_SUCCESS;
}

/* ULONG DbgPrint(PCSTR Format, ...); */
NTAPI(DbgPrint)
{
    StackArgs s = {nt, 1};
    return dbg_print(nt, "", a[0], stack_next, &s);
}

static const char *level_prefix(uint32_t level, char *buf, size_t len)
{
    /* DPFLTR_ERROR_LEVEL 0, WARNING 1, TRACE 2, INFO 3; above 31 a mask. */
    static const char *const names[] = {"", "[warning] ", "[trace] ", "[info] "};
    if (level < 4)
        return names[level];
    snprintf(buf, len, "[level 0x%x] ", level);
    return buf;
}

/* ULONG DbgPrintEx(ULONG ComponentId, ULONG Level, PCSTR Format, ...); */
NTAPI(DbgPrintEx)
{
    char lp[32];
    StackArgs s = {nt, 3};
    return dbg_print(nt, level_prefix(a[1], lp, sizeof lp), a[2], stack_next, &s);
}

/* ULONG vDbgPrintEx(ULONG ComponentId, ULONG Level, PCCH Format, va_list arglist); */
NTAPI(vDbgPrintEx)
{
    char lp[32];
    ListArgs l = {nt, a[3]};
    return dbg_print(nt, level_prefix(a[1], lp, sizeof lp), a[2], list_next, &l);
}

/* ------------------------------------------------------------ bug checks */

/* Bug Check Code Reference (learn.microsoft.com). */
static const struct {
    uint32_t code;
    const char *name;
} bugchecks[] = {
    {0x0000000A, "IRQL_NOT_LESS_OR_EQUAL"},
    {0x0000001E, "KMODE_EXCEPTION_NOT_HANDLED"},
    {0x00000019, "BAD_POOL_HEADER"},
    {0x00000035, "NO_MORE_IRP_STACK_LOCATIONS"},
    {0x00000044, "MULTIPLE_IRP_COMPLETE_REQUESTS"},
    {0x0000004E, "PFN_LIST_CORRUPT"},
    {0x00000050, "PAGE_FAULT_IN_NONPAGED_AREA"},
    {0x0000007E, "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED"},
    {0x0000007F, "UNEXPECTED_KERNEL_MODE_TRAP"},
    {0x0000008E, "KERNEL_MODE_EXCEPTION_NOT_HANDLED"},
    {0x00000093, "INVALID_KERNEL_HANDLE"},
    {0x000000BE, "ATTEMPTED_WRITE_TO_READONLY_MEMORY"},
    {0x000000C2, "BAD_POOL_CALLER"},
    {0x000000C4, "DRIVER_VERIFIER_DETECTED_VIOLATION"},
    {0x000000C5, "DRIVER_CORRUPTED_EXPOOL"},
    {0x000000CE, "DRIVER_UNLOADED_WITHOUT_CANCELLING_PENDING_OPERATIONS"},
    {0x000000D1, "DRIVER_IRQL_NOT_LESS_OR_EQUAL"},
    {0x000000D5, "DRIVER_PAGE_FAULT_IN_FREED_SPECIAL_POOL"},
    {0x000000E2, "MANUALLY_INITIATED_CRASH"},
    {0x000000F7, "DRIVER_OVERRAN_STACK_BUFFER"},
    {0x000000FE, "BUGCODE_USB_DRIVER"},
    {0x0000009F, "DRIVER_POWER_STATE_FAILURE"},
    {0x000000EA, "THREAD_STUCK_IN_DEVICE_DRIVER"},
    {0x00000133, "DPC_WATCHDOG_VIOLATION"},
    {0x0000013A, "KERNEL_MODE_HEAP_CORRUPTION"},
};

const char *nt_bugcheck_name(uint32_t code)
{
    for (unsigned i = 0; i < sizeof bugchecks / sizeof bugchecks[0]; i++)
        if (bugchecks[i].code == code)
            return bugchecks[i].name;
    return "unknown bug check code";
}

/* VOID KeBugCheckEx(ULONG BugCheckCode, ULONG_PTR BugCheckParameter1,
 *     ULONG_PTR BugCheckParameter2, ULONG_PTR BugCheckParameter3,
 *     ULONG_PTR BugCheckParameter4); */
NTAPI(KeBugCheckEx)
{
    nt_dbg_flush(nt);
    vm_throw(nt->vm, VM_FAULT_BUGCHECK, "KeBugCheckEx(0x%08X %s, 0x%08x, 0x%08x, 0x%08x, 0x%08x)",
             a[0], nt_bugcheck_name(a[0]), a[1], a[2], a[3], a[4]);
}

/* VOID KeBugCheck(ULONG BugCheckCode); */
NTAPI(KeBugCheck)
{
    nt_dbg_flush(nt);
    vm_throw(nt->vm, VM_FAULT_BUGCHECK, "KeBugCheck(0x%08X %s)", a[0], nt_bugcheck_name(a[0]));
}

/* VOID DbgBreakPoint(void); no debugger is attached: the run stops here. */
NTAPI(DbgBreakPoint)
{
    nt_dbg_flush(nt);
    vm_throw(nt->vm, VM_FAULT_INTERRUPT, "DbgBreakPoint called (no kernel debugger under xdrv)");
}
