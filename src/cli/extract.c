/* xdrv extract: a driver specification (docs/formats/xsm.md) from
 * recordings of the driver (src/analyze/extract*.c, docs/extract.md). The
 * spec written is parsed back and verified, so that what reaches the user
 * is either safe by xdrv verify's rules or reported as not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "cli/cli.h"
#include "machine/boards.h"
#include "replay/spec.h"
#include "replay/verify.h"

const char extract_usage[] =
    "usage: xdrv extract RUN.xtr... -o DRIVER.xsm [--dot FILE] [--device MODEL] [--driver D.sys]\n"
    "  Writes the driver's state machine as a specification (docs/formats/xsm.md) from\n"
    "  recordings of it (xdrv trace record, xdrv explore): per request kind the register\n"
    "  accesses, polls, memory writes and frames it served that request with, values\n"
    "  generalised across the recordings (constants, values read, the frame's length,\n"
    "  buffer addresses, request counters), branches where the device's answers made\n"
    "  the driver part ways, the provenance of each transition, and `fallback` (hand\n"
    "  the device to the driver) wherever the recordings do not explain what to do.\n"
    "  The result is then checked as xdrv verify checks it (docs/extract.md).\n"
    "  -o DRIVER.xsm   where the specification goes ('-': stdout)\n"
    "  --dot FILE      also its states and transitions as Graphviz\n"
    "  --device MODEL  verify against that model's datasheet facts too (an ISA model,\n"
    "                  whose traces carry no PCI ID, is also the spec's `device isa` line)\n"
    "  --driver D.sys  the driver image, for the bounds of its polling loops (default:\n"
    "                  the image the recording names)\n"
    "  exit status: 0 written and verified, 1 bad arguments, 2 unreadable or malformed\n"
    "  trace, 3 written but it does not pass verify (the problems on stderr),\n"
    "  5 host failure\n";

static unsigned count_fallbacks(const Spec *s, SpecBlock b, unsigned depth)
{
    unsigned n = 0;
    if (depth > 32)
        return 0;
    for (uint32_t i = 0; i < b.count; i++) {
        const SpecAction *a = &s->actions[s->list[b.first + i]];
        if (a->kind == SPEC_A_FALLBACK)
            n++;
        n += count_fallbacks(s, a->body, depth + 1) + count_fallbacks(s, a->else_body, depth + 1);
    }
    return n;
}

static int write_dot(const Spec *s, FILE *f)
{
    fputs("digraph spec {\n  rankdir=LR;\n  node [shape=ellipse];\n", f);
    for (uint32_t i = 0; i < s->nstates; i++)
        fprintf(f, "  \"%s\"%s;\n", s->states[i].name, i == 0 ? " [peripheries=2]" : "");
    for (uint32_t i = 0; i < s->ntransitions; i++) {
        const SpecTransition *t = &s->transitions[i];
        unsigned fb = count_fallbacks(s, t->body, 0);
        char label[160];
        snprintf(label, sizeof label, "%s%s\\nline %u, %u action(s)%s", spec_request_name(t->req),
                 t->guard != SPEC_NONE ? " (guarded)" : "", t->line, t->body.count,
                 fb ? ", may fall back" : "");
        if (t->from == SPEC_NONE) {
            for (uint32_t k = 0; k < s->nstates; k++)
                fprintf(f, "  \"%s\" -> \"%s\" [label=\"%s\"];\n", s->states[k].name,
                        s->states[t->to].name, label);
        } else {
            fprintf(f, "  \"%s\" -> \"%s\" [label=\"%s\"];\n", s->states[t->from].name,
                    s->states[t->to].name, label);
        }
    }
    fputs("}\n", f);
    return ferror(f) ? -1 : 0;
}

/* Write text to path through a temporary file: nothing half-written. */
static int write_file(const char *path, const char *text, size_t len)
{
    if (!strcmp(path, "-"))
        return fwrite(text, 1, len, stdout) == len && !fflush(stdout) ? 0 : -1;
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    int bad = fwrite(text, 1, len, f) != len;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) < 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int cmd_extract(int argc, char **argv)
{
    const char *outpath = NULL, *dotpath = NULL, *device = NULL, *driver = NULL;
    int ntraces = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(extract_usage, stdout);
            return EXIT_OK;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--dot") || !strcmp(a, "--device") ||
                   !strcmp(a, "--driver")) {
            if (i + 1 == argc) {
                fprintf(stderr, "xdrv extract: %s needs a value\n", a);
                return EXIT_USAGE;
            }
            const char *v = argv[++i];
            if (!strcmp(a, "-o"))
                outpath = v;
            else if (!strcmp(a, "--dot"))
                dotpath = v;
            else if (!strcmp(a, "--device"))
                device = v;
            else
                driver = v;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "xdrv extract: unknown option '%s' (xdrv extract --help)\n", a);
            return EXIT_USAGE;
        } else {
            ntraces++;
        }
    }
    if (!ntraces) {
        fputs(extract_usage, stderr);
        return EXIT_USAGE;
    }
    if (!outpath) {
        fputs("xdrv extract: -o DRIVER.xsm is required (or -o - for stdout)\n", stderr);
        return EXIT_USAGE;
    }
    SpecTruth truth, *tp = NULL;
    SpecTruthReg truth_regs[CLI_TRUTH_MAX];
    if (device) {
        if (cli_model_truth(device, &truth, truth_regs) < 0) {
            fprintf(stderr,
                    "xdrv extract: --device %s: unknown model (rtl8139, ne2000, pcnet, e1000)\n",
                    device);
            return EXIT_USAGE;
        }
        tp = &truth;
    }
    Analysis *an = an_new();
    char err[1024];
    if (!an)
        return EXIT_INTERNAL;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) {
            i++; /* every option takes a value */
            continue;
        }
        if (an_add_trace(an, argv[i], err, sizeof err) < 0) {
            fprintf(stderr, "xdrv extract: %s\n", err);
            an_free(an);
            return EXIT_LOAD;
        }
    }
    if (an_finish(an) < 0) {
        fprintf(stderr, "xdrv extract: out of memory or a trace changed while read\n");
        an_free(an);
        return EXIT_INTERNAL;
    }
    if (an_warnings(an))
        fprintf(stderr, "xdrv extract: warning: %u trace(s) cut short; used as far as they go\n",
                an_warnings(an));
    cli_poll_code(an, driver);
    /* an ISA model: the traces carry no PCI ID to name the chip by */
    if (device) {
        int model = machine_spec_nic_model(device);
        NicModelInfo mi;
        if (model >= 0 && machine_nic_model_info((unsigned)model, &mi) == 0 && mi.isa)
            an_set_isa_model(an, device);
    }
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem || an_extract(an, mem, err, sizeof err) < 0) {
        if (mem)
            fclose(mem);
        free(text);
        fprintf(stderr, "xdrv extract: %s\n", mem ? err : "out of memory");
        an_free(an);
        return EXIT_INTERNAL;
    }
    fclose(mem);
    an_free(an);

    /* what was written must parse, and is checked like xdrv verify does */
    const char *shown = strcmp(outpath, "-") ? outpath : "<stdout>";
    Spec *s = spec_parse(text, len, shown, err, sizeof err);
    if (!s) {
        /* a bug of the extractor: keep the text for a report */
        write_file(outpath, text, len);
        fprintf(stderr, "xdrv extract: internal error: the spec written does not parse: %s\n", err);
        free(text);
        return EXIT_INTERNAL;
    }
    if (write_file(outpath, text, len) < 0) {
        fprintf(stderr, "xdrv extract: %s: cannot write\n", outpath);
        spec_free(s);
        free(text);
        return EXIT_INTERNAL;
    }
    free(text);
    int rc = EXIT_OK;
    if (dotpath) {
        FILE *f = fopen(dotpath, "w");
        if (!f || write_dot(s, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "xdrv extract: %s: cannot write\n", dotpath);
            rc = EXIT_INTERNAL;
        }
    }
    unsigned fallbacks = 0, inits = 0;
    for (uint32_t i = 0; i < s->ntransitions; i++) {
        fallbacks += count_fallbacks(s, s->transitions[i].body, 0);
        inits += s->transitions[i].req == SPEC_REQ_INIT;
    }
    if (!inits)
        fprintf(stderr, "xdrv extract: warning: the traces hold no initialization "
                        "(MiniportInitialize): the spec cannot bring the device up\n");
    int bad = spec_verify(s, shown, tp, stderr);
    fprintf(stderr,
            "xdrv extract: %s: %u transition(s), %u state(s), %u register(s), %u buffer(s), %u "
            "fallback point(s); verify: %s\n",
            shown, s->ntransitions, s->nstates, s->nregs, s->nbuffers, fallbacks,
            bad ? "PROBLEMS (above)" : "safe");
    spec_free(s);
    if (bad && rc == EXIT_OK)
        rc = EXIT_FAULT;
    return rc;
}
