/* xdrv trace: record (run.c), dump, export and coverage of trace files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "analyze/norm.h"
#include "exercise/coverage.h"
#include "trace/xtr.h"

const char trace_usage[] =
    "usage: xdrv trace record DRIVER.sys [options] -o RUN.xtr   (xdrv trace record --help)\n"
    "       xdrv trace dump RUN.xtr [--kind KIND[,KIND...]] [--verify | --normalized]\n"
    "       xdrv trace export --format chrome RUN.xtr [-o FILE]\n"
    "       xdrv trace coverage RUN.xtr... [--driver DRIVER.sys] [--json | --unreached]\n"
    "  dump      one canonical line per event (docs/formats/trace.md): sequence number,\n"
    "            virtual time, nesting depth, the guest code that caused it (module+RVA),\n"
    "            the kind and its fields; --kind keeps only the kinds named\n"
    "            (e.g. --kind PORT_WRITE,MMIO_WRITE); --verify parses every line back\n"
    "            and stops at the first that does not give the event it came from;\n"
    "            --normalized prints the lines `xdrv diff` compares instead (no time,\n"
    "            addresses in device memory as KIND+0xOFFSET, repeated polls as one\n"
    "            POLL xN line; BLOCKS left out unless --kind names it)\n"
    "  export    Chrome/Perfetto trace-event JSON (open it at ui.perfetto.dev): a track\n"
    "            per driver entry point, requests as slices, I/O as instant events, the\n"
    "            interrupt line as a counter; to stdout or -o FILE\n"
    "  coverage  the driver's basic blocks the traces reached, over all blocks a static\n"
    "            disassembly finds (docs/coverage.md), per entry point, and the functions\n"
    "            never reached; the last line is \"coverage: N% of M basic blocks\".\n"
    "            --driver names the image when it is no longer where it was recorded;\n"
    "            --unreached first lists every block never reached and its function\n"
    "A trace cut short (the run was killed) reads as the events it holds, with a\n"
    "warning; a malformed one stops with a one-line error (exit 2).\n";

static int str_eq(const char *a, const char *b)
{
    return (!a || !*a) ? (!b || !*b) : (b && !strcmp(a, b));
}

/* --verify: the event a dump line parses back to is the event printed. */
static int same_event(const TraceEvent *a, const TraceEvent *b)
{
    return a->kind == b->kind && a->seq == b->seq && a->vtime == b->vtime &&
           a->depth == b->depth && a->pc == b->pc && str_eq(a->name, b->name) &&
           str_eq(a->text, b->text) && str_eq(a->reg, b->reg) && a->addr == b->addr &&
           a->size == b->size && a->value == b->value && a->len == b->len &&
           (!a->len || !memcmp(a->data, b->data, a->len));
}

int cli_parse_kinds(const char *cmd, const char *list, unsigned char *keep)
{
    for (int k = 0; k < TRACE_KIND_COUNT; k++)
        keep[k] = !list;
    if (!list)
        return 0;
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        TraceKind k = trace_kind_from_name(t);
        if (k == TRACE_KIND_COUNT) {
            fprintf(stderr, "%s: --kind %s: no such event kind (kinds: ", cmd, t);
            for (int j = 0; j < TRACE_KIND_COUNT; j++)
                fprintf(stderr, "%s%s", j ? ", " : "", trace_kind_name((TraceKind)j));
            fprintf(stderr, ")\n");
            return -1;
        }
        keep[k] = 1;
    }
    return 0;
}

/* --normalized: the token lines `xdrv diff` compares, one per line. */
static int dump_normalized(const char *path, const unsigned char *keep)
{
    char err[XTR_ERR_MAX];
    NormOptions no = {.keep = keep};
    Norm *n = norm_open(path, &no, err, sizeof err);
    if (!n) {
        fprintf(stderr, "xdrv trace dump: %s\n", err);
        return EXIT_LOAD;
    }
    NormToken t;
    int r;
    while ((r = norm_next(n, &t, err, sizeof err)) > 0) {
        const char *line = norm_line(n);
        if (!line) {
            r = -1;
            snprintf(err, sizeof err, "out of memory");
            break;
        }
        printf("%s\n", line);
    }
    fflush(stdout);
    int rc = EXIT_OK;
    if (r < 0) {
        fprintf(stderr, "xdrv trace dump: %s: %s\n", path, err);
        rc = EXIT_LOAD;
    } else if (norm_truncated(n)) {
        fprintf(stderr, "xdrv trace dump: warning: %s was cut short (the run did not finish)\n",
                path);
    }
    if (ferror(stdout))
        rc = EXIT_INTERNAL;
    norm_close(n);
    return rc;
}

static int trace_dump(int argc, char **argv)
{
    const char *path = NULL, *kinds = NULL;
    int verify = 0, normalized = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(trace_usage, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--verify")) {
            verify = 1;
        } else if (!strcmp(argv[i], "--normalized")) {
            normalized = 1;
        } else if (!strcmp(argv[i], "--kind")) {
            if (i + 1 == argc) {
                fprintf(stderr, "xdrv trace dump: --kind needs a value\n");
                return EXIT_USAGE;
            }
            kinds = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "xdrv trace dump: unknown option '%s' (xdrv trace --help)\n", argv[i]);
            return EXIT_USAGE;
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "xdrv trace dump: one trace at a time ('%s')\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!path) {
        fputs(trace_usage, stderr);
        return EXIT_USAGE;
    }
    if (verify && normalized) {
        fprintf(stderr, "xdrv trace dump: --verify checks the canonical lines, not --normalized\n");
        return EXIT_USAGE;
    }
    unsigned char keep[TRACE_KIND_COUNT];
    if (cli_parse_kinds("xdrv trace dump", kinds, keep) < 0)
        return EXIT_USAGE;
    if (normalized)
        return dump_normalized(path, kinds ? keep : NULL);
    char err[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open(path, err, sizeof err);
    if (!r) {
        fprintf(stderr, "xdrv trace dump: %s\n", err);
        return EXIT_LOAD;
    }
    XtrModules mods = {.n = 0}, pmods = {.n = 0};
    TraceEvent ev, back;
    int n, rc = EXIT_OK;
    char *line = malloc(1 << 22), *store = malloc(1 << 22);
    if (!line || !store) {
        free(line);
        free(store);
        xtr_reader_free(r);
        return EXIT_INTERNAL;
    }
    while ((n = xtr_read(r, &ev, err, sizeof err)) == 1) {
        if (xtr_dump_line(&mods, &ev, line, 1 << 22) < 0) {
            fprintf(stderr, "xdrv trace dump: %s: event %llu does not fit a line\n", path,
                    (unsigned long long)ev.seq);
            rc = EXIT_LOAD;
            break;
        }
        if (verify) {
            char perr[256] = "";
            if (xtr_parse_line(&pmods, line, &back, store, 1 << 22, perr, sizeof perr) < 0 ||
                !same_event(&ev, &back)) {
                fflush(stdout);
                fprintf(stderr, "xdrv trace dump: --verify: event %llu does not parse back: %s\n",
                        (unsigned long long)ev.seq, perr[0] ? perr : "fields differ");
                rc = EXIT_LOAD;
                break;
            }
            if (back.kind == TRACE_MODULE)
                xtr_modules_note(&pmods, &back);
        }
        if (keep[ev.kind])
            fputs(line, stdout);
    }
    if (n < 0) {
        fflush(stdout);
        fprintf(stderr, "xdrv trace dump: %s\n", err);
        rc = EXIT_LOAD;
    } else if (rc == EXIT_OK && !xtr_reader_complete(r)) {
        fflush(stdout);
        fprintf(stderr, "xdrv trace dump: warning: %s was cut short (no end record%s): the run "
                        "did not finish\n",
                path, xtr_reader_truncated(r) ? ", a partial last record dropped" : "");
    }
    free(line);
    free(store);
    xtr_reader_free(r);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "xdrv trace dump: writing the dump failed: %s\n", strerror(errno));
        return EXIT_INTERNAL;
    }
    return rc;
}

static int trace_export(int argc, char **argv)
{
    const char *path = NULL, *format = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(trace_usage, stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--format") || !strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (i + 1 == argc) {
                fprintf(stderr, "xdrv trace export: %s needs a value\n", a);
                return EXIT_USAGE;
            }
            if (!strcmp(a, "--format"))
                format = argv[++i];
            else
                out = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "xdrv trace export: unknown option '%s' (xdrv trace --help)\n", a);
            return EXIT_USAGE;
        } else if (!path) {
            path = a;
        } else {
            fprintf(stderr, "xdrv trace export: one trace at a time ('%s')\n", a);
            return EXIT_USAGE;
        }
    }
    if (!path) {
        fputs(trace_usage, stderr);
        return EXIT_USAGE;
    }
    if (format && strcmp(format, "chrome")) {
        fprintf(stderr, "xdrv trace export: --format %s: unknown (formats: chrome)\n", format);
        return EXIT_USAGE;
    }
    char err[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open(path, err, sizeof err);
    if (!r) {
        fprintf(stderr, "xdrv trace export: %s\n", err);
        return EXIT_LOAD;
    }
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        fprintf(stderr, "xdrv trace export: -o %s: %s\n", out, strerror(errno));
        xtr_reader_free(r);
        return EXIT_USAGE;
    }
    XtrChrome *c = xtr_chrome_new(f);
    TraceEvent ev;
    int n, rc = EXIT_OK;
    while (c && (n = xtr_read(r, &ev, err, sizeof err)) == 1)
        xtr_chrome_event(c, &ev);
    if (!c) {
        rc = EXIT_INTERNAL;
    } else {
        if (n < 0) {
            fprintf(stderr, "xdrv trace export: %s (the JSON holds the events before it)\n", err);
            rc = EXIT_LOAD;
        } else if (!xtr_reader_complete(r)) {
            fprintf(stderr, "xdrv trace export: warning: %s was cut short: the run did not finish\n",
                    path);
        }
        if (xtr_chrome_finish(c) < 0) {
            fprintf(stderr, "xdrv trace export: writing the JSON failed: %s\n", strerror(errno));
            rc = EXIT_INTERNAL;
        }
    }
    if (out && fclose(f) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "xdrv trace export: -o %s: %s\n", out, strerror(errno));
        rc = EXIT_INTERNAL;
    }
    xtr_reader_free(r);
    return rc;
}

static int trace_coverage(int argc, char **argv)
{
    const char *driver = NULL;
    unsigned flags = 0;
    const char **paths = calloc((size_t)argc, sizeof *paths);
    size_t n = 0;
    if (!paths)
        return EXIT_INTERNAL;
    int rc = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(trace_usage, stdout);
            goto out;
        } else if (!strcmp(a, "--json")) {
            flags |= COV_JSON;
        } else if (!strcmp(a, "--unreached")) {
            flags |= COV_UNREACHED;
        } else if (!strcmp(a, "--driver")) {
            if (i + 1 == argc) {
                fprintf(stderr, "xdrv trace coverage: --driver needs a value\n");
                rc = EXIT_USAGE;
                goto out;
            }
            driver = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "xdrv trace coverage: unknown option '%s' (xdrv trace --help)\n", a);
            rc = EXIT_USAGE;
            goto out;
        } else {
            paths[n++] = a;
        }
    }
    if (!n) {
        fputs(trace_usage, stderr);
        rc = EXIT_USAGE;
        goto out;
    }
    char err[COV_ERR_MAX + 256];
    if ((flags & COV_JSON) && (flags & COV_UNREACHED)) {
        fprintf(stderr, "xdrv trace coverage: --unreached is a text listing; not with --json\n");
        rc = EXIT_USAGE;
        goto out;
    }
    if (cov_run(paths, n, driver, stdout, flags, err, sizeof err) < 0) {
        fflush(stdout);
        fprintf(stderr, "xdrv trace coverage: %s\n", err);
        rc = EXIT_LOAD;
    }
out:
    free(paths);
    return rc;
}

int cmd_trace(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(trace_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    const char *sub = argv[1];
    if (!strcmp(sub, "record"))
        return cmd_trace_record(argc - 1, argv + 1);
    if (!strcmp(sub, "dump"))
        return trace_dump(argc - 1, argv + 1);
    if (!strcmp(sub, "export"))
        return trace_export(argc - 1, argv + 1);
    if (!strcmp(sub, "coverage"))
        return trace_coverage(argc - 1, argv + 1);
    fprintf(stderr, "xdrv trace: unknown subcommand '%s' (record, dump, export, coverage)\n", sub);
    return EXIT_USAGE;
}
