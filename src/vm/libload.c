/* Unicorn and Capstone loaded on first use: dlopen by soname, then dlsym of
 * every function in the table (uc_lib.h, cs_lib.h) at once, so a missing
 * library or an incompatible one fails in one place with one line, before
 * the first call, never halfway through a run. RTLD_NOW binds the
 * library's own imports at the same moment, for the same reason. */
#include "vm/libload.h"

#include <dlfcn.h>
#include <stdio.h>

#include "vm/cs_lib.h"
#include "vm/uc_lib.h"

UcLib uclib;
CsLib cslib;

static void libload_err(char *err, size_t errlen, const char *soname, const char *package,
                        const char *why)
{
    if (err && errlen)
        snprintf(err, errlen, "cannot load %s (Debian package %s): %s", soname, package, why);
}

void *libload_open(const char *soname, const char *package, char *err, size_t errlen)
{
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        libload_err(err, errlen, soname, package, why ? why : "dlopen failed");
    }
    return h;
}

void *libload_sym(void *h, const char *name, const char *soname, const char *package, char *err,
                  size_t errlen)
{
    dlerror();
    void *f = dlsym(h, name);
    if (!f) {
        /* glibc's text names the file and the symbol: "PATH: undefined symbol: NAME" */
        const char *why = dlerror();
        char buf[LIBLOAD_ERR_MAX];
        if (!why) {
            snprintf(buf, sizeof buf, "no function %s", name);
            why = buf;
        }
        libload_err(err, errlen, soname, package, why);
    }
    return f;
}

/* Fill *t from soname; the table is written only when every function was
 * found. The library stays loaded for the life of the process (the table
 * points into it). */
static int uclib_open(const char *soname, UcLib *t, char *err, size_t errlen)
{
    void *h = libload_open(soname, UCLIB_PACKAGE, err, errlen);
    if (!h)
        return -1;
    UcLib l;
#define UCLIB_SYM(ret, name, params)                                                               \
    if (!(l.name##_fn = (ret(*) params)libload_sym(h, #name, soname, UCLIB_PACKAGE, err, errlen))) \
        goto fail;
    UCLIB_FUNCS(UCLIB_SYM)
#undef UCLIB_SYM
    *t = l;
    return 0;
fail:
    dlclose(h);
    return -1;
}

static int cslib_open(const char *soname, CsLib *t, char *err, size_t errlen)
{
    void *h = libload_open(soname, CSLIB_PACKAGE, err, errlen);
    if (!h)
        return -1;
    CsLib l;
#define CSLIB_SYM(ret, name, params)                                                               \
    if (!(l.name##_fn = (ret(*) params)libload_sym(h, #name, soname, CSLIB_PACKAGE, err, errlen))) \
        goto fail;
    CSLIB_FUNCS(CSLIB_SYM)
#undef CSLIB_SYM
    *t = l;
    return 0;
fail:
    dlclose(h);
    return -1;
}

/* The outcome of the first attempt, returned to every later caller. */
typedef struct LibState {
    int state; /* 0 not tried, 1 loaded, -1 failed (err says why) */
    char err[LIBLOAD_ERR_MAX];
} LibState;

static int libload_result(const LibState *s, char *err, size_t errlen)
{
    if (s->state > 0)
        return 0;
    if (err && errlen)
        snprintf(err, errlen, "%s", s->err);
    return -1;
}

int uclib_load(char *err, size_t errlen)
{
    static LibState s;
    if (!s.state)
        s.state = uclib_open(UCLIB_SONAME, &uclib, s.err, sizeof s.err) == 0 ? 1 : -1;
    return libload_result(&s, err, errlen);
}

int cslib_load(char *err, size_t errlen)
{
    static LibState s;
    if (!s.state)
        s.state = cslib_open(CSLIB_SONAME, &cslib, s.err, sizeof s.err) == 0 ? 1 : -1;
    return libload_result(&s, err, errlen);
}

int uclib_probe(const char *soname, char *err, size_t errlen)
{
    UcLib t;
    return uclib_open(soname, &t, err, errlen);
}

int cslib_probe(const char *soname, char *err, size_t errlen)
{
    CsLib t;
    return cslib_open(soname, &t, err, errlen);
}
