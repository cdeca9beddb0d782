/* xdrv diff: what changed in behaviour between two recordings. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/diff.h"
#include "cli/cli.h"
#include "trace/xtr.h"

const char diff_usage[] =
    "usage: xdrv diff A.xtr B.xtr [-U N] [--stat | --json] [--request N] [--kind K[,K...]]\n"
    "                 [--minimal] [--ignore-poll-counts] [--device-side]\n"
    "  Aligns two recordings event by event and prints what differs, as a unified diff\n"
    "  of normalized lines (docs/formats/diff.md): no sequence numbers or times,\n"
    "  addresses in device-reachable memory as KIND+0xOFFSET into their allocation,\n"
    "  a repeated poll as one \"POLL xN { ... }\" line. Hunk headers name the request\n"
    "  and the first event of each side (#seq, for `xdrv trace dump`).\n"
    "  -U N        lines of context around each change (default 3)\n"
    "  --stat      counts only: tokens kept, deleted and inserted, by event kind and\n"
    "              by request kind\n"
    "  --json      the hunks as one JSON object, for tools\n"
    "  --request N compare only request N's events (REQUEST_BEGIN..REQUEST_END)\n"
    "  --kind K,.. compare only these event kinds (default: all but BLOCKS)\n"
    "  --minimal   a shortest edit script however long it takes (default: past\n"
    "              about sqrt(events) differences in one stretch, split where the\n"
    "              search got furthest, as GNU diff does)\n"
    "  --ignore-poll-counts  a poll that ran a different number of times is no change\n"
    "  --device-side  only what the device saw: register accesses and its DMA, without\n"
    "              the code site or call depth (a driver's recording against a replayed\n"
    "              spec's, `xdrv replay --workload`; --kind narrows it further)\n"
    "  exit status (as diff(1)): 0 the same, 1 different, 2 trouble (bad arguments,\n"
    "  unreadable or malformed trace)\n";

#define DIFF_TROUBLE 2

int cmd_diff(int argc, char **argv)
{
    const char *path[2] = {NULL, NULL}, *kinds = NULL;
    DiffOptions o = {.format = DIFF_UNIFIED, .context = 3};
    unsigned char keep[TRACE_KIND_COUNT];
    int npath = 0, stat = 0, json = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint64_t v;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(diff_usage, stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "--stat")) {
            stat = 1;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--minimal")) {
            o.minimal = 1;
        } else if (!strcmp(a, "--ignore-poll-counts")) {
            o.ignore_poll_counts = 1;
        } else if (!strcmp(a, "--device-side")) {
            o.norm.device_side = 1;
        } else if (!strcmp(a, "-U") || !strcmp(a, "--request") || !strcmp(a, "--kind")) {
            if (i + 1 == argc) {
                fprintf(stderr, "xdrv diff: %s needs a value\n", a);
                return DIFF_TROUBLE;
            }
            const char *val = argv[++i];
            if (!strcmp(a, "--kind")) {
                kinds = val;
            } else if (cli_parse_u64(val, &v) < 0 || (!strcmp(a, "-U") && v > 1000000) ||
                       (!strcmp(a, "--request") && v == 0)) {
                fprintf(stderr, "xdrv diff: %s '%s': expected %s\n", a, val,
                        !strcmp(a, "-U") ? "a number of lines (0 to 1000000)"
                                         : "a request number (1 or more)");
                return DIFF_TROUBLE;
            } else if (!strcmp(a, "-U")) {
                o.context = (unsigned)v;
            } else {
                o.norm.request = v;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "xdrv diff: unknown option '%s' (xdrv diff --help)\n", a);
            return DIFF_TROUBLE;
        } else if (npath < 2) {
            path[npath++] = a;
        } else {
            fprintf(stderr, "xdrv diff: two traces, not more ('%s')\n", a);
            return DIFF_TROUBLE;
        }
    }
    if (npath != 2) {
        fputs(diff_usage, stderr);
        return DIFF_TROUBLE;
    }
    if (stat && json) {
        fprintf(stderr, "xdrv diff: --stat and --json are two different outputs; pick one\n");
        return DIFF_TROUBLE;
    }
    if (cli_parse_kinds("xdrv diff", kinds, keep) < 0)
        return DIFF_TROUBLE;
    if (o.norm.device_side && !kinds) {
        memset(keep, 0, sizeof keep);
        keep[TRACE_PORT_READ] = keep[TRACE_PORT_WRITE] = keep[TRACE_MMIO_READ] = 1;
        keep[TRACE_MMIO_WRITE] = keep[TRACE_DMA_READ] = keep[TRACE_DMA_WRITE] = 1;
        kinds = "device side";
    }
    o.norm.keep = kinds ? keep : NULL;
    o.format = stat ? DIFF_STAT : json ? DIFF_JSON : DIFF_UNIFIED;

    char err[XTR_ERR_MAX + 256];
    /* into a file or a pipe: 64 KB writes, not 4 KB ones */
    static char obuf[1 << 16];
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    int r = diff_traces(path[0], path[1], &o, stdout, err, sizeof err);
    if (r < 0) {
        fflush(stdout);
        fprintf(stderr, "xdrv diff: %s\n", err);
        return DIFF_TROUBLE;
    }
    return r;
}
