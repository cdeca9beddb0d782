/* xdrv analyze: infer a driver's view of its hardware from traces, and
 * (--score) compare the inference with the device models' datasheet
 * tables. The inference (src/analyze) never sees the tables; only this
 * scoring does, after the fact. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "cli/cli.h"
#include "dev/e1000.h"
#include "dev/ne2000.h"
#include "dev/pcnet.h"
#include "dev/regs.h"
#include "dev/rtl8139.h"
#include "exercise/coverage.h"
#include "trace/xtr.h"

const char analyze_usage[] =
    "usage: xdrv analyze RUN.xtr... [-o REPORT] [--json | --dot] [--score] [--driver D.sys]\n"
    "  Infers from recordings of one driver (xdrv trace record, xdrv explore) what it\n"
    "  knows about its hardware: every register it touched (port or memory window,\n"
    "  offset, width, registers reached through an index register), its class\n"
    "  (control, status, data, control+status: P2IM's categories) and access type\n"
    "  (read-only, write-only, read/write, write-1-to-clear, read-to-clear,\n"
    "  self-clearing, counter), and the register fields and driver stores whose\n"
    "  values follow the sends' lengths (docs/analyze.md).\n"
    "  -o REPORT  write the report there (default: stdout)\n"
    "  --json     the report as JSON (docs/formats/analyze.md); --dot: Graphviz\n"
    "  --score    compare with the device model's datasheet table instead: one line\n"
    "             per metric with its percentage, then \"score: N%\"\n"
    "  --driver D.sys  the driver image, for the loops around polling sites (default:\n"
    "             the image the recording names; without it, timeouts only as seen)\n";

/* ------------------------------------------------------------- scoring */

typedef struct Model {
    const char *name;
    const RegDesc *tables[3];
    const unsigned *counts[3];
} Model;

static const Model models[] = {
    {"rtl8139", {rtl8139_regs}, {&rtl8139_nregs}},
    {"ne2000", {ne2000_regs}, {&ne2000_nregs}},
    {"pcnet", {pcnet_io_regs, pcnet_csr_regs, pcnet_bcr_regs},
     {&pcnet_io_nregs, &pcnet_csr_nregs, &pcnet_bcr_nregs}},
    {"e1000", {e1000_regs}, {&e1000_nregs}},
};

static const RegDesc *model_find(const Model *m, const char *name)
{
    for (int t = 0; t < 3 && m->tables[t]; t++)
        for (unsigned i = 0; i < *m->counts[t]; i++)
            if (!strcmp(m->tables[t][i].name, name))
                return &m->tables[t][i];
    return NULL;
}

static AnClass truth_class(const RegDesc *d)
{
    switch (d->cls) {
    case REG_CLASS_STATUS:
        return AN_STATUS;
    case REG_CLASS_DATA:
        return AN_DATA;
    case REG_CLASS_CS:
        return AN_CS;
    default:
        return AN_CONTROL;
    }
}

static AnAccess truth_access(const RegDesc *d)
{
    if (d->flags & REG_F_COUNTER)
        return AN_COUNTER;
    if (d->access == REG_RC)
        return AN_RC;
    if (d->access == REG_W1C)
        return AN_W1C;
    if (d->flags & REG_F_SELFCLEAR)
        return AN_SELFCLEAR;
    return d->access == REG_RO ? AN_RO : d->access == REG_WO ? AN_WO : AN_RW;
}

/* What the datasheet says about where a send's length goes, per model:
 * RTL8139 TSD0-3 SIZE bits 12:0 (datasheet 6.2); NE2000 TBCR0/1 (DP8390D
 * section 10, a 16-bit count split in two registers); PCnet TMD1 BCNT, the
 * two's complement of the length in a descriptor the chip reads (Am79C970A
 * "Transmit Descriptors"); e1000 legacy transmit descriptor LENGTH, 16 bits
 * (8254x SDM 3.3.3). */
static int length_found(const Analysis *a, const char *model)
{
    for (size_t i = 0; i < an_nfits(a); i++) {
        const AnFitInfo *f = an_fit(a, i);
        const AnRegInfo *r = f->memory ? NULL : an_reg(a, f->reg);
        const char *mn = r && r->model_name ? r->model_name : "";
        if (!strcmp(model, "rtl8139") && r && !strncmp(mn, "TSD", 3) && f->a == 1 && f->lo == 0)
            return 1;
        if (!strcmp(model, "ne2000") && r && !strncmp(mn, "TBCR", 4) && f->a == 1)
            return 1;
        if (!strcmp(model, "pcnet") && f->memory && f->device_read && f->a == -1 && f->lo == 0)
            return 1;
        if (!strcmp(model, "e1000") && f->memory && f->device_read && f->a == 1 && f->lo == 0)
            return 1;
    }
    return 0;
}

/* Ground truth the datasheets put in registers the driver programs, read
 * back from the traces by their model names: the 8254x ring lengths
 * RDLEN/TDLEN (bytes, 16 per descriptor: SDM 3.2.6, 3.4), the PCnet
 * software style (BCR20 SWSTYLE: descriptors of 16 bytes for styles 2 and
 * 3, 8 for style 0) and its initialization block (address in CSR1/CSR2;
 * with SWSTYLE 2, RLEN in bits 23:20 and TLEN in bits 31:28 of its first
 * dword, each the log2 of the ring length: Am79C970A "Initialization
 * Block"). */
typedef struct Truth {
    uint32_t rdlen, tdlen, sws, iadr_lo, iadr_hi;
    int have_sws, have_iadr;
    uint8_t block0[4];
    int have_block;
} Truth;

static void read_truth(const Analysis *a, Truth *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < an_ntraces(a); i++) {
        char err[XTR_ERR_MAX];
        XtrReader *r = xtr_reader_open(an_trace_path(a, i), err, sizeof err);
        TraceEvent ev;
        while (r && xtr_read(r, &ev, err, sizeof err) > 0) {
            int wr = ev.kind == TRACE_PORT_WRITE || ev.kind == TRACE_MMIO_WRITE;
            const char *n = ev.reg ? ev.reg : "";
            if (wr && !strcmp(n, "RDLEN"))
                t->rdlen = (uint32_t)ev.value;
            if (wr && !strcmp(n, "TDLEN"))
                t->tdlen = (uint32_t)ev.value;
            if (wr && !strcmp(n, "SWS")) {
                t->sws = (uint32_t)ev.value & 0xff;
                t->have_sws = 1;
            }
            if (wr && !strcmp(n, "IADR[15:0]"))
                t->iadr_lo = (uint32_t)ev.value & 0xffff;
            if (wr && !strcmp(n, "IADR[31:16]")) {
                t->iadr_hi = (uint32_t)ev.value & 0xffff;
                t->have_iadr = 1;
            }
            if (ev.kind == TRACE_DMA_READ && t->have_iadr &&
                ev.addr == (t->iadr_hi << 16 | t->iadr_lo) && ev.len >= 4) {
                memcpy(t->block0, ev.data, 4);
                t->have_block = 1;
            }
        }
        xtr_reader_free(r);
    }
}

static const AnRing *find_ring(const Analysis *a, int rx)
{
    for (size_t i = 0; i < an_nrings(a); i++)
        if (an_ring(a, i)->rx == rx)
            return an_ring(a, i);
    return NULL;
}

/* The datasheet's ring for one direction, or 0 when the chip has none. */
static int truth_ring(const char *model, const Truth *t, int rx, uint32_t *size, uint32_t *count)
{
    if (!strcmp(model, "e1000")) {
        *size = 16;
        *count = (rx ? t->rdlen : t->tdlen) / 16;
        return 1;
    }
    if (!strcmp(model, "pcnet")) {
        *size = t->have_sws && (t->sws == 2 || t->sws == 3) ? 16 : 8;
        *count = t->have_block ? 1u << ((rx ? t->block0[2] : t->block0[3]) >> 4) : 0;
        return 1;
    }
    return 0;
}

static double pct(unsigned n, unsigned d)
{
    return d ? 100.0 * n / d : 0.0;
}

static int print_score(const Analysis *a, FILE *out)
{
    /* the model: the one whose table names most of the accesses */
    const Model *m = NULL;
    uint64_t best = 0;
    for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
        uint64_t hits = 0;
        for (size_t i = 0; i < an_nregs(a); i++) {
            const AnRegInfo *r = an_reg(a, i);
            if (r->model_name && model_find(&models[k], r->model_name))
                hits += r->model_votes;
        }
        if (hits > best) {
            best = hits;
            m = &models[k];
        }
    }
    if (!m) {
        fprintf(stderr, "xdrv analyze --score: the traces name no register of a known model\n");
        return -1;
    }
    /* Each datasheet register the driver touched, once: judged by the
     * inferred register that carries most of its accesses. */
    unsigned touched = 0, cls_ok = 0;
    unsigned tp[AN_ACCESS_COUNT] = {0}, inferred[AN_ACCESS_COUNT] = {0}, truth[AN_ACCESS_COUNT] = {0};
    const char *seen[512];
    unsigned nseen = 0;
    char miss[8192];
    size_t nmiss = 0;
    miss[0] = '\0';
    for (size_t i = 0; i < an_nregs(a); i++) {
        const AnRegInfo *r = an_reg(a, i);
        if (!r->model_name)
            continue;
        const RegDesc *d = model_find(m, r->model_name);
        if (!d)
            continue;
        int dup = 0;
        for (unsigned s = 0; s < nseen; s++)
            dup |= !strcmp(seen[s], r->model_name);
        if (dup)
            continue;
        /* the inferred register with most of this name's accesses */
        const AnRegInfo *bestr = r;
        for (size_t j = 0; j < an_nregs(a); j++) {
            const AnRegInfo *q = an_reg(a, j);
            if (q->model_name && !strcmp(q->model_name, r->model_name) &&
                q->model_votes > bestr->model_votes)
                bestr = q;
        }
        if (nseen < 512)
            seen[nseen++] = r->model_name;
        touched++;
        cls_ok += bestr->cls == truth_class(d);
        AnAccess ta = truth_access(d), ia = bestr->access;
        /* a register only ever written cannot show whether it holds its
         * value: "write-only" stands for written storage too */
        int ok = ia == ta || (ia == AN_WO && ta == AN_RW);
        if (bestr->cls != truth_class(d) || !ok)
            nmiss += (unsigned)snprintf(miss + nmiss, nmiss < sizeof miss ? sizeof miss - nmiss : 0,
                                        "  %-20s inferred %s, %s; datasheet %s, %s\n",
                                        r->model_name, an_class_name(bestr->cls),
                                        an_access_name(ia), an_class_name(truth_class(d)),
                                        an_access_name(ta));
        truth[ta]++;
        inferred[ia]++;
        if (ok) {
            tp[ia]++;
            if (ia != ta)
                truth[ia]++, truth[ta]--;
        }
    }
    unsigned acc_ok = 0;
    for (int t = 0; t < AN_ACCESS_COUNT; t++)
        acc_ok += tp[t];
    double metrics[8];
    int nm = 0;
    fprintf(out, "model: %s (%u registers touched)\n", m->name, touched);
    metrics[nm++] = pct(cls_ok, touched);
    fprintf(out, "registers classified correctly: %u of %u: %.1f%%\n", cls_ok, touched,
            metrics[nm - 1]);
    metrics[nm++] = pct(acc_ok, touched);
    fprintf(out, "access types correct: %u of %u: %.1f%%\n", acc_ok, touched, metrics[nm - 1]);
    for (int t = 0; t < AN_ACCESS_COUNT; t++)
        if (inferred[t] || truth[t])
            fprintf(out, "  %-17s precision %u/%u %.1f%%, recall %u/%u %.1f%%\n",
                    an_access_name((AnAccess)t), tp[t], inferred[t], pct(tp[t], inferred[t]), tp[t],
                    truth[t], pct(tp[t], truth[t]));
    if (nmiss)
        fprintf(out, "registers judged wrong (class or access type):\n%s", miss);
    int len = length_found(a, m->name);
    metrics[nm++] = len ? 100.0 : 0.0;
    fprintf(out, "transmit length field found: %s: %.1f%%\n", len ? "yes" : "no", metrics[nm - 1]);
    Truth t;
    read_truth(a, &t);
    const AnRxBuffer *rx = an_rx(a);
    uint32_t size = 0, count = 0;
    int rx_ok;
    if (!strcmp(m->name, "rtl8139") || !strcmp(m->name, "ne2000")) {
        /* RTL8139 datasheet 6.1 / DP8390D "Storage Format": a 4-byte
         * header (status, then the length with the CRC at +2) before each
         * frame, in one circular host buffer / in the card's buffer ring
         * read through the data port */
        AnRxKind want = !strcmp(m->name, "rtl8139") ? AN_RX_CIRCULAR : AN_RX_PORT;
        rx_ok = rx->kind == want && rx->hdr_size == 4 && rx->hdr_len_off == 2 && rx->len_adj == 4;
        fprintf(out, "receive buffer structure found: %s (%s, %" PRIu32 "-byte header, length at +%d): %.1f%%\n",
                rx_ok ? "yes" : "no", an_rx_kind_name(rx->kind), rx->hdr_size, rx->hdr_len_off,
                rx_ok ? 100.0 : 0.0);
    } else {
        const AnRing *g = find_ring(a, 1);
        truth_ring(m->name, &t, 1, &size, &count);
        rx_ok = rx->kind == AN_RX_RING && g && g->desc_size == size && g->count == count;
        fprintf(out,
                "receive buffer structure found: %s (%s; ring of %" PRIu32 " x %" PRIu32
                " bytes, datasheet %" PRIu32 " x %" PRIu32 "): %.1f%%\n",
                rx_ok ? "yes" : "no", an_rx_kind_name(rx->kind), g ? g->count : 0,
                g ? g->desc_size : 0, count, size, rx_ok ? 100.0 : 0.0);
    }
    metrics[nm++] = rx_ok ? 100.0 : 0.0;
    if (truth_ring(m->name, &t, 0, &size, &count)) {
        const AnRing *g = find_ring(a, 0);
        int ok = g && g->desc_size == size && g->count == count;
        metrics[nm++] = ok ? 100.0 : 0.0;
        fprintf(out,
                "transmit ring found: %s (%" PRIu32 " x %" PRIu32 " bytes, datasheet %" PRIu32
                " x %" PRIu32 "): %.1f%%\n",
                ok ? "yes" : "no", g ? g->count : 0, g ? g->desc_size : 0, count, size,
                metrics[nm - 1]);
    }
    /* The interrupt status register and how its causes are cleared:
     * RTL8139 ISR, write 1 to clear (datasheet 6.4); DP8390 ISR, write 1
     * to clear (DP8390D "Interrupt Status Register"); PCnet CSR0, write 1
     * to clear its interrupt bits (Am79C970A CSR0); 8254x ICR, cleared by
     * reading it (SDM 13.4.17). */
    static const struct {
        const char *model, *reg;
        AnAccess ack;
    } isr_truth[] = {{"rtl8139", "ISR", AN_W1C},
                     {"ne2000", "ISR", AN_W1C},
                     {"pcnet", "CSR0", AN_W1C},
                     {"e1000", "ICR", AN_RC}};
    const AnIrq *q = an_irq(a);
    for (size_t k = 0; k < sizeof isr_truth / sizeof isr_truth[0]; k++) {
        if (strcmp(isr_truth[k].model, m->name))
            continue;
        const AnRegInfo *sr = q->status_reg >= 0 ? an_reg(a, (size_t)q->status_reg) : NULL;
        const char *name = sr && sr->model_name ? sr->model_name : "?";
        int ok = sr && !strcmp(name, isr_truth[k].reg) && q->ack == isr_truth[k].ack;
        metrics[nm++] = ok ? 100.0 : 0.0;
        fprintf(out,
                "interrupt acknowledge found: %s (the ISR reads %s, %s; datasheet %s, %s): %.1f%%\n",
                ok ? "yes" : "no", name,
                q->ack < AN_ACCESS_COUNT ? an_access_name(q->ack) : "no acknowledgement seen",
                isr_truth[k].reg, an_access_name(isr_truth[k].ack), metrics[nm - 1]);
    }
    double sum = 0;
    for (int i = 0; i < nm; i++)
        sum += metrics[i];
    fprintf(out, "score: %.0f%%\n", sum / nm);
    return ferror(out) ? -1 : 0;
}

/* ----------------------------------------------------------------- CLI */

/* The loop in the driver's code around each polling site (a static
 * disassembly, docs/coverage.md): whether it has a way out besides the
 * condition. Without the image, a warning, and timeouts only as seen. */
void cli_poll_code(Analysis *a, const char *driver)
{
    const char *name, *path;
    uint32_t base;
    if (!an_npolls(a) || an_module(a, &name, &base, &path) < 0)
        return;
    const char *img = driver ? driver : path;
    char err[COV_ERR_MAX + 64];
    CovMap *c = img ? cov_map_load(img, err, sizeof err) : NULL;
    if (!c) {
        fprintf(stderr,
                "xdrv analyze: warning: %s; polling loops' timeouts only as the traces show "
                "them (--driver names the image)\n",
                img ? err : "the traces name no driver image");
        return;
    }
    for (size_t i = 0; i < an_npolls(a); i++) {
        const AnPoll *p = an_poll(a, i);
        unsigned blocks, exits;
        if (p->pc - base < cov_map_image_size(c) &&
            cov_map_loop_at(c, p->pc - base, &blocks, &exits) == 0)
            an_set_poll_code(a, i, (int)blocks, (int)exits);
    }
    cov_map_free(c);
}

int cmd_analyze(int argc, char **argv)
{
    const char *outpath = NULL, *driver = NULL;
    int json = 0, dot = 0, score = 0;
    Analysis *a = an_new();
    char err[1024];
    int rc = EXIT_OK, ntraces = 0;
    if (!a)
        return EXIT_INTERNAL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(analyze_usage, stdout);
            an_free(a);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--dot")) {
            dot = 1;
        } else if (!strcmp(argv[i], "--score")) {
            score = 1;
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--driver")) {
            if (i + 1 == argc) {
                fprintf(stderr, "xdrv analyze: %s needs a file name\n", argv[i]);
                an_free(a);
                return EXIT_USAGE;
            }
            if (!strcmp(argv[i], "-o"))
                outpath = argv[++i];
            else
                driver = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "xdrv analyze: unknown option '%s' (xdrv analyze --help)\n", argv[i]);
            an_free(a);
            return EXIT_USAGE;
        } else {
            ntraces++;
        }
    }
    if (!ntraces || json + dot + score > 1) {
        fputs(ntraces ? "xdrv analyze: --json, --dot and --score are different outputs; pick one\n"
                      : analyze_usage,
              stderr);
        an_free(a);
        return EXIT_USAGE;
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1]) {
            i += !strcmp(argv[i], "-o") || !strcmp(argv[i], "--driver");
            continue;
        }
        if (an_add_trace(a, argv[i], err, sizeof err) < 0) {
            fprintf(stderr, "xdrv analyze: %s\n", err);
            an_free(a);
            return EXIT_LOAD;
        }
    }
    if (an_finish(a) < 0) {
        fprintf(stderr, "xdrv analyze: out of memory or a trace changed while read\n");
        an_free(a);
        return EXIT_INTERNAL;
    }
    if (an_warnings(a))
        fprintf(stderr, "xdrv analyze: warning: %u trace(s) cut short; used as far as they go\n",
                an_warnings(a));
    cli_poll_code(a, driver);
    FILE *out = outpath ? fopen(outpath, "w") : stdout;
    if (!out) {
        fprintf(stderr, "xdrv analyze: %s: cannot write\n", outpath);
        an_free(a);
        return EXIT_USAGE;
    }
    int r = score ? print_score(a, out)
                  : json ? an_report_json(a, out) : dot ? an_report_dot(a, out)
                                                        : an_report_markdown(a, out);
    if (r < 0)
        rc = score ? EXIT_LOAD : EXIT_INTERNAL;
    if (outpath && fclose(out) != 0)
        rc = EXIT_INTERNAL;
    else if (!outpath)
        fflush(stdout);
    an_free(a);
    return rc;
}
