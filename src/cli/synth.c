/* xdrv synth: a verified driver specification as the C source of a
 * standalone driver (src/replay/synth.c, docs/synth.md). Refuses what
 * xdrv verify refuses; never leaves a partial output file behind. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "replay/spec.h"
#include "replay/synth.h"
#include "replay/verify.h"

const char synth_usage[] =
    "usage: xdrv synth DRIVER.xsm -o OUT.c [--prefix NAME]\n"
    "  Writes the C source of a standalone driver that performs a specification\n"
    "  (docs/formats/xsm.md) over the replay ops interface (src/replay/interp.h):\n"
    "  one function per transition, each action under the specification line it\n"
    "  comes from, with the interpreter's behaviour (docs/synth.md). A\n"
    "  specification that xdrv verify refuses is refused, with verify's lines.\n"
    "  -o OUT.c        the file to write (- for stdout); written whole or not at all\n"
    "  --prefix NAME   what the file's names start with (default xsm: xsm_init,\n"
    "                  xsm_request, XsmDriver, XSM_*): [a-z][a-z0-9_]*, at most 32\n"
    "                  bytes, so that several drivers can be linked together\n"
    "  exit status: 0 written, 1 bad arguments, 2 unreadable or unsafe spec,\n"
    "               5 the output could not be written\n";

/* Write to a temporary file beside out and rename it over out: out is the
 * whole source or untouched. */
static int synth_to_file(const Spec *s, const char *path, const char *prefix, const char *out)
{
    size_t n = strlen(out) + 16;
    char *tmp = malloc(n);
    if (!tmp) {
        fprintf(stderr, "xdrv synth: out of memory\n");
        return EXIT_INTERNAL;
    }
    snprintf(tmp, n, "%s.XXXXXX", out);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fprintf(stderr, "xdrv synth: %s: %s\n", out, strerror(errno));
        free(tmp);
        return EXIT_INTERNAL;
    }
    /* mkstemp's 0600, as an ordinary new file would be */
    mode_t mask = umask(0);
    umask(mask);
    FILE *f = fchmod(fd, 0666 & ~mask) == 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "xdrv synth: %s: %s\n", out, strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return EXIT_INTERNAL;
    }
    char err[256];
    int rc = spec_synth_c_prefixed(s, path, prefix, f, err, sizeof err);
    int werr = ferror(f);
    if (fclose(f) != 0)
        werr = 1;
    if (rc == 0 && !werr && rename(tmp, out) == 0) {
        free(tmp);
        return EXIT_OK;
    }
    if (rc != 0)
        fprintf(stderr, "xdrv synth: %s\n", err);
    else
        fprintf(stderr, "xdrv synth: %s: %s\n", out, strerror(errno ? errno : EIO));
    unlink(tmp);
    free(tmp);
    return EXIT_INTERNAL;
}

int cmd_synth(int argc, char **argv)
{
    const char *path = NULL, *out = NULL, *prefix = SYNTH_PREFIX_DEFAULT;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(synth_usage, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--prefix")) {
            if (i + 1 == argc) {
                fprintf(stderr, "xdrv synth: %s needs a value (xdrv synth --help)\n", argv[i]);
                return EXIT_USAGE;
            }
            if (!strcmp(argv[i], "-o"))
                out = argv[++i];
            else
                prefix = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "xdrv synth: unknown option '%s' (xdrv synth --help)\n", argv[i]);
            return EXIT_USAGE;
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "xdrv synth: one specification at a time ('%s')\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!path || !out) {
        fprintf(stderr, "xdrv synth: %s (xdrv synth --help)\n",
                !path ? "no specification given" : "no output given: -o OUT.c, or -o - for stdout");
        return EXIT_USAGE;
    }
    if (!spec_synth_prefix_ok(prefix)) {
        fprintf(
            stderr,
            "xdrv synth: --prefix '%s': [a-z][a-z0-9_]*, at most %d bytes, not spec or replay\n",
            prefix, SYNTH_PREFIX_MAX);
        return EXIT_USAGE;
    }
    char err[512];
    Spec *s = spec_load(path, err, sizeof err);
    if (!s) {
        fprintf(stderr, "xdrv synth: %s\n", err);
        return EXIT_LOAD;
    }
    unsigned n = spec_verify(s, path, NULL, stderr);
    if (n) {
        fprintf(stderr, "xdrv synth: %s: %u problem%s: not safe to run, no driver written\n", path,
                n, n == 1 ? "" : "s");
        spec_free(s);
        return EXIT_LOAD;
    }
    int rc;
    if (!strcmp(out, "-")) {
        rc = spec_synth_c_prefixed(s, path, prefix, stdout, err, sizeof err) == 0 ? EXIT_OK
                                                                                  : EXIT_INTERNAL;
        if (rc != EXIT_OK)
            fprintf(stderr, "xdrv synth: %s\n", err);
    } else {
        rc = synth_to_file(s, path, prefix, out);
    }
    spec_free(s);
    return rc;
}
