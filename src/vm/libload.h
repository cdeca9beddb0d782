/* The host libraries under the guest CPU, Unicorn and Capstone, loaded on
 * first use (dlopen) instead of linked: linking them costs every xdrv
 * process ~4 ms of start-up (20 MB of Unicorn, 129k relocations), which the
 * commands that never run a driver (diff, trace, analyze, exports, --help)
 * must not pay (docs/architecture.md). The function tables themselves are
 * in uc_lib.h (private to src/vm) and cs_lib.h (src/vm and the coverage
 * disassembler in src/exercise); this header includes neither library's
 * headers, so tests may use it. */
#ifndef XDRV_VM_LIBLOAD_H
#define XDRV_VM_LIBLOAD_H

#include <stddef.h>

#define LIBLOAD_ERR_MAX 256

/* Resolve every function of the table the first time, then remember the
 * outcome: 0, or -1 with a one-line error naming the library and the Debian
 * package that ships it (the same error every time). One thread, like the
 * rest of the machine (docs/architecture.md). */
int uclib_load(char *err, size_t errlen);
int cslib_load(char *err, size_t errlen);

/* The same loaders under another file name (a library that does not exist,
 * one without the functions): 0, or -1 with the error. Nothing is kept;
 * for tests. */
int uclib_probe(const char *soname, char *err, size_t errlen);
int cslib_probe(const char *soname, char *err, size_t errlen);

/* dlopen(soname) / dlsym(h, name): the handle or the function, or NULL with
 * a one-line error naming the library (and the function) and the package. */
void *libload_open(const char *soname, const char *package, char *err, size_t errlen);
void *libload_sym(void *h, const char *name, const char *soname, const char *package, char *err,
                  size_t errlen);

#endif
