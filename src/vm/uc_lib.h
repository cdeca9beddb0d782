/* Unicorn's functions, called through a table filled by dlopen/dlsym on
 * first use (libload.h says why). Private to src/vm: include it instead of
 * <unicorn/unicorn.h> and call uc_* as usual; the macros at the end send
 * each call through the table, and a function missing from the table is a
 * link error (xdrv does not link Unicorn). */
#ifndef XDRV_VM_UC_LIB_H
#define XDRV_VM_UC_LIB_H

#include <stddef.h>
#include <stdint.h>
#include <unicorn/unicorn.h>

#include "vm/libload.h"

#define UCLIB_SONAME "libunicorn.so.2"
/* Unicorn >= 2.1 (vm.c): Debian 13's package; Debian 12's libunicorn2 is
 * 2.0.1 (scripts/deps.sh) */
#define UCLIB_PACKAGE "libunicorn2t64"

/* Every Unicorn function xdrv calls: return type, name, parameters, as in
 * unicorn.h (checked against it below). */
#define UCLIB_FUNCS(X)                                                                             \
    X(uc_err, uc_open, (uc_arch arch, uc_mode mode, uc_engine **uc))                               \
    X(uc_err, uc_close, (uc_engine *uc))                                                           \
    X(uc_err, uc_ctl, (uc_engine *uc, uc_control_type control, ...))                               \
    X(uc_err, uc_emu_start,                                                                        \
      (uc_engine *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count))             \
    X(uc_err, uc_emu_stop, (uc_engine *uc))                                                        \
    X(uc_err, uc_hook_add,                                                                         \
      (uc_engine *uc, uc_hook *hh, int type, void *callback, void *user_data, uint64_t begin,      \
       uint64_t end, ...))                                                                         \
    X(uc_err, uc_hook_del, (uc_engine *uc, uc_hook hh))                                            \
    X(uc_err, uc_mem_map_ptr,                                                                      \
      (uc_engine *uc, uint64_t address, size_t size, uint32_t perms, void *ptr))                   \
    X(uc_err, uc_mem_protect, (uc_engine *uc, uint64_t address, size_t size, uint32_t perms))      \
    X(uc_err, uc_mmio_map,                                                                         \
      (uc_engine *uc, uint64_t address, size_t size, uc_cb_mmio_read_t read_cb,                    \
       void *user_data_read, uc_cb_mmio_write_t write_cb, void *user_data_write))                  \
    X(uc_err, uc_reg_read, (uc_engine *uc, int regid, void *value))                                \
    X(uc_err, uc_reg_read_batch, (uc_engine *uc, int *regs, void **vals, int count))               \
    X(uc_err, uc_reg_write, (uc_engine *uc, int regid, const void *value))                         \
    X(uc_err, uc_reg_write_batch, (uc_engine *uc, int *regs, void *const *vals, int count))        \
    X(const char *, uc_strerror, (uc_err code))                                                    \
    X(unsigned int, uc_version, (unsigned int *major, unsigned int *minor))

/* Members are named NAME_fn: the call macros below would rewrite a member
 * named like the function. */
typedef struct UcLib {
#define UCLIB_MEMBER(ret, name, params) ret(*name##_fn) params;
    UCLIB_FUNCS(UCLIB_MEMBER)
#undef UCLIB_MEMBER
} UcLib;

extern UcLib uclib; /* filled by uclib_load */

/* A table line that differs from the header's prototype would corrupt
 * every call through it: it fails the build here instead. */
#define UCLIB_CHECK(ret, name, params)                                                             \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&name), ret(*) params),                 \
                   #name ": the table differs from unicorn.h");
UCLIB_FUNCS(UCLIB_CHECK)
#undef UCLIB_CHECK

#define uc_open (uclib.uc_open_fn)
#define uc_close (uclib.uc_close_fn)
#define uc_ctl (uclib.uc_ctl_fn) /* and so uc_ctl_remove_cache */
#define uc_emu_start (uclib.uc_emu_start_fn)
#define uc_emu_stop (uclib.uc_emu_stop_fn)
#define uc_hook_add (uclib.uc_hook_add_fn)
#define uc_hook_del (uclib.uc_hook_del_fn)
#define uc_mem_map_ptr (uclib.uc_mem_map_ptr_fn)
#define uc_mem_protect (uclib.uc_mem_protect_fn)
#define uc_mmio_map (uclib.uc_mmio_map_fn)
#define uc_reg_read (uclib.uc_reg_read_fn)
#define uc_reg_read_batch (uclib.uc_reg_read_batch_fn)
#define uc_reg_write (uclib.uc_reg_write_fn)
#define uc_reg_write_batch (uclib.uc_reg_write_batch_fn)
#define uc_strerror (uclib.uc_strerror_fn)
#define uc_version (uclib.uc_version_fn)

#endif
