/* libFuzzer target for src/analyze: arbitrary bytes as a trace file (a
 * memfd, reached by its /proc path like any file), analyzed (both passes,
 * every inference), reported in all three forms, and diffed against
 * itself (which must come out the same) and against an empty trace, and
 * extracted into a specification that must parse (and is verified). Any
 * refusal must be a one-line error; nothing may crash, leak or hang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "analyze/diff.h"
#include "replay/spec.h"
#include "replay/verify.h"

static FILE *devnull;

static void check_err(const char *err)
{
    if (err[0] == '\0' || strchr(err, '\n'))
        abort();
}

static int as_file(const uint8_t *data, size_t size, char *path, size_t len)
{
    int fd = memfd_create("fuzz-trace", 0);
    if (fd < 0)
        abort();
    if (size && write(fd, data, size) != (ssize_t)size)
        abort();
    snprintf(path, len, "/proc/self/fd/%d", fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], empty[64], err[1024];
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        abort();
    int fd = as_file(data, size, path, sizeof path);
    Analysis *a = an_new();
    if (!a)
        abort();
    if (an_add_trace(a, path, err, sizeof err) < 0) {
        check_err(err);
    } else {
        if (an_finish(a) < 0)
            abort(); /* memory: not expected at these sizes */
        if (an_report_markdown(a, devnull) < 0 || an_report_json(a, devnull) < 0 ||
            an_report_dot(a, devnull) < 0)
            abort();
        /* extract: whatever it writes must parse as a specification */
        char *text = NULL;
        size_t tlen = 0;
        FILE *mem = open_memstream(&text, &tlen);
        if (!mem)
            abort();
        err[0] = '\0';
        int xr = an_extract(a, mem, err, sizeof err);
        fclose(mem);
        if (xr < 0) {
            check_err(err);
        } else {
            Spec *sp = spec_parse(text, tlen, "extracted.xsm", err, sizeof err);
            if (!sp)
                abort(); /* the extractor wrote something its own parser refuses */
            spec_verify(sp, "extracted.xsm", NULL, devnull);
            spec_free(sp);
        }
        free(text);
        DiffOptions o = {.context = 3};
        err[0] = '\0';
        if (diff_traces(path, path, &o, devnull, err, sizeof err) != 0)
            abort(); /* a trace read fine once reads the same twice */
        int efd = as_file((const uint8_t *)"", 0, empty, sizeof empty);
        for (int f = DIFF_UNIFIED; f <= DIFF_JSON; f++) {
            o.format = (DiffFormat)f;
            err[0] = '\0';
            if (diff_traces(path, empty, &o, devnull, err, sizeof err) < 0)
                check_err(err);
        }
        close(efd);
    }
    an_free(a);
    close(fd);
    return 0;
}
