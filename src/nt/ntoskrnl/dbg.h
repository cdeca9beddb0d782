/* Debug output: the DbgPrint format engine, kept free of the Vm so the unit
 * tests drive it with host memory. Guest memory and the argument list are
 * reached through DbgArgs callbacks. */
#ifndef XDRV_NT_DBG_H
#define XDRV_NT_DBG_H

#include <stddef.h>
#include <stdint.h>

#include "nt/nt.h"

typedef struct DbgArgs {
    /* The next 32-bit argument word (varargs on the stack or a va_list). */
    uint32_t (*next)(void *opaque);
    /* Copy guest memory [addr, addr+len); 0, or -1 when it is not mapped. */
    int (*read)(void *opaque, uint32_t addr, void *dst, uint32_t len);
    void *opaque;
} DbgArgs;

/* Format like the Windows kernel's DbgPrint (the CRT _vsnprintf rules):
 * %d %i %u %x %X %o %c %C %s %S %Z %wZ %p %n(refused) %%, size prefixes
 * h hh l ll w I I32 I64 z, flags - + space # 0, width and precision with
 * '*'. %s/%hs narrow strings, %S/%ls/%ws wide strings, %Z an ANSI_STRING,
 * %wZ a UNICODE_STRING, %C/%lc/%wc a WCHAR. A NULL string prints "(null)";
 * an unmapped pointer prints "<bad pointer 0x...>" and formatting goes on
 * (Windows would fault; xdrv keeps the rest of the line). %e %f %g %a read
 * a double (2 words). Output is truncated to cap-1 bytes and NUL-terminated;
 * returns the length written. */
size_t dbg_format(char *out, size_t cap, const char *fmt, const DbgArgs *args);

/* A partial line of driver output, held in the I/O manager's state (io.c). */
typedef struct NtDbgLine {
    char buf[1024];
    size_t len;
} NtDbgLine;
NtDbgLine *nt_io_dbg_line(Nt *nt);

/* Print driver output to the run log, one "dbg: " prefixed line per line of
 * text (partial lines are held until their newline or nt_dbg_flush), and
 * emit one DEBUG_PRINT trace event with the whole text. */
/* 0, or -1 when the text was dropped: the run's debug output reached its
 * quota (dbg.c NT_DBG_OUTPUT_MAX). */
int nt_dbg_output(Nt *nt, const char *text);
/* "IRQL_NOT_LESS_OR_EQUAL" for 0xA ...; "unknown bug check code" otherwise. */
const char *nt_bugcheck_name(uint32_t code);
/* Print a held partial line (at unload and teardown). */
void nt_dbg_flush(Nt *nt);

#endif
