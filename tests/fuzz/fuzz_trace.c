/* libFuzzer target for trace files (src/trace): xtr_reader_open_mem on
 * arbitrary bytes, every event read, each dumped (xtr_dump_line) and parsed
 * back (xtr_parse_line) into the same event, all of them exported as Chrome
 * JSON. A refused file or record must have a one-line error. An input that
 * starts with '#' is also tried as a dump line: what parses must print and
 * parse back to the same event. */
#include "trace/xtr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EVENTS 100000

static FILE *devnull;

static void check_err(const char *err)
{
    if (err[0] == '\0' || strchr(err, '\n'))
        abort();
}

/* dump, then parse: the same event, or a bug */
static void round_trip(XtrModules *dm, XtrModules *pm, const TraceEvent *ev)
{
    size_t cap = xtr_dump_size(ev);
    char *line = malloc(cap), *store = malloc(cap);
    char err[XTR_ERR_MAX];
    TraceEvent back;
    if (!line || !store)
        abort();
    if (xtr_dump_line(dm, ev, line, cap) < 0)
        abort();
    if (xtr_parse_line(pm, line, &back, store, cap, err, sizeof err) < 0 ||
        !xtr_event_equal(ev, &back))
        abort();
    free(line);
    free(store);
}

static void fuzz_dump_line(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1), *store = malloc(size + 1);
    char err[XTR_ERR_MAX];
    TraceEvent ev;
    if (!line || !store)
        abort();
    memcpy(line, data, size);
    line[size] = '\0';
    XtrModules pm = {.n = 0};
    if (xtr_parse_line(&pm, line, &ev, store, size + 1, err, sizeof err) < 0) {
        check_err(err);
    } else {
        XtrModules dm = {.n = 0}, pm2 = {.n = 0};
        round_trip(&dm, &pm2, &ev);
    }
    free(line);
    free(store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[XTR_ERR_MAX];
    if (size && data[0] == '#')
        fuzz_dump_line(data, size);
    err[0] = '\0';
    XtrReader *r = xtr_reader_open_mem(data, size, err, sizeof err);
    if (!r) {
        check_err(err);
        return 0;
    }
    if (!devnull)
        devnull = fopen("/dev/null", "w");
    XtrChrome *c = devnull ? xtr_chrome_new(devnull) : NULL;
    XtrModules dm = {.n = 0}, pm = {.n = 0};
    TraceEvent ev;
    int rc = 0;
    for (int n = 0; n < MAX_EVENTS && (rc = xtr_read(r, &ev, err, sizeof err)) == 1; n++) {
        if (ev.seq != (uint64_t)n || (unsigned)ev.kind >= TRACE_KIND_COUNT)
            abort();
        round_trip(&dm, &pm, &ev);
        xtr_chrome_event(c, &ev);
    }
    if (rc < 0)
        check_err(err);
    if (xtr_reader_complete(r) && xtr_reader_truncated(r))
        abort();
    if (c)
        xtr_chrome_finish(c);
    xtr_reader_free(r);
    return 0;
}
