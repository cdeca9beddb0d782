/* Capstone's functions, called through a table filled by dlopen/dlsym on
 * first use (libload.h says why). For the two disassemblers, the fault
 * reports in src/vm and the coverage map in src/exercise (which sits above
 * src/vm already): include it instead of <capstone/capstone.h>, call
 * cslib_load once before cs_open, then call cs_* as usual; the macros at the
 * end send each call through the table, and a function missing from the
 * table is a link error (xdrv does not link Capstone). */
#ifndef XDRV_VM_CS_LIB_H
#define XDRV_VM_CS_LIB_H

#include <capstone/capstone.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/libload.h"

#define CSLIB_SONAME "libcapstone.so.4"
#define CSLIB_PACKAGE "libcapstone4"

/* Every Capstone function xdrv calls: return type, name, parameters, as in
 * capstone.h (checked against it below). */
#define CSLIB_FUNCS(X)                                                                             \
    X(cs_err, cs_open, (cs_arch arch, cs_mode mode, csh *handle))                                  \
    X(cs_err, cs_close, (csh *handle))                                                             \
    X(cs_err, cs_option, (csh handle, cs_opt_type type, size_t value))                             \
    X(size_t, cs_disasm,                                                                           \
      (csh handle, const uint8_t *code, size_t code_size, uint64_t address, size_t count,          \
       cs_insn **insn))                                                                            \
    X(bool, cs_disasm_iter,                                                                        \
      (csh handle, const uint8_t **code, size_t *size, uint64_t *address, cs_insn *insn))          \
    X(cs_insn *, cs_malloc, (csh handle))                                                          \
    X(void, cs_free, (cs_insn *insn, size_t count))                                                \
    X(cs_err, cs_regs_access,                                                                      \
      (csh handle, const cs_insn *insn, cs_regs regs_read, uint8_t *regs_read_count,               \
       cs_regs regs_write, uint8_t *regs_write_count))

/* Members are named NAME_fn: the call macros below would rewrite a member
 * named like the function. */
typedef struct CsLib {
#define CSLIB_MEMBER(ret, name, params) ret(*name##_fn) params;
    CSLIB_FUNCS(CSLIB_MEMBER)
#undef CSLIB_MEMBER
} CsLib;

extern CsLib cslib; /* filled by cslib_load */

/* A table line that differs from the header's prototype would corrupt
 * every call through it: it fails the build here instead. */
#define CSLIB_CHECK(ret, name, params)                                                             \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&name), ret(*) params),                 \
                   #name ": the table differs from capstone.h");
CSLIB_FUNCS(CSLIB_CHECK)
#undef CSLIB_CHECK

#define cs_open (cslib.cs_open_fn)
#define cs_close (cslib.cs_close_fn)
#define cs_option (cslib.cs_option_fn)
#define cs_disasm (cslib.cs_disasm_fn)
#define cs_disasm_iter (cslib.cs_disasm_iter_fn)
#define cs_malloc (cslib.cs_malloc_fn)
#define cs_free (cslib.cs_free_fn)
#define cs_regs_access (cslib.cs_regs_access_fn)

#endif
