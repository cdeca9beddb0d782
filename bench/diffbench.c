/* `xdrv diff` against GNU diff on the same events: for traces of 10^4, 10^5
 * and 10^6 events whose second copy differs in 0.1%, 1% and 10% of its
 * events, time `xdrv diff A.xtr B.xtr` and `diff A.txt B.txt`, where the
 * .txt files hold the very lines xdrv diff compares (its normalized lines,
 * as `xdrv trace dump --normalized` prints them). Both run as child
 * processes, alternately, REPEATS times; printed: min/median/max wall time,
 * peak RSS, and the ratio of the medians (GNU diff / xdrv diff: above 1
 * means xdrv diff is faster).
 *
 * The traces are synthetic but shaped like recordings: requests of a few
 * kinds, API calls around register reads and writes, stores into a shared
 * ring, DMA, interrupts with an ISR, status polls. Edits: a changed value,
 * a dropped event or an extra event, chosen by a seeded generator.
 *
 * usage: diffbench [-r REPEATS] [-x XDRV] [-s SIZE[,SIZE...]] [-p PCT[,PCT...]] [-k DIR]
 *        (from the repo root; XDRV default build/xdrv; -k keeps the last
 *        pair's files in DIR, for profiling) */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyze/norm.h"
#include "trace/xtr.h"

extern char **environ;

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ generator */

static const char *const apis[] = {"READ_PORT_USHORT", "WRITE_PORT_USHORT", "READ_PORT_ULONG",
                                   "WRITE_PORT_ULONG", "NdisMSendComplete", "NdisStallExecution",
                                   "NdisMIndicateReceivePacket", "NdisAcquireSpinLock"};
static const char *const regs[] = {"ISR", "IMR", "CR", "TSD0", "TSD1", "CAPR", "CBR", "RCR"};
static const char *const reqs[] = {"send", "receive", "query", "set", "interrupt"};

/* Events of one request into ev[] (at most 64); returns how many. */
static unsigned gen_request(TraceEvent *ev, uint64_t num, uint32_t *t, uint8_t *payload)
{
    unsigned n = 0, k = (unsigned)(rnd() % 5);
    uint32_t pc = 0x80101000u + (uint32_t)(rnd() % 64) * 0x40;
    ev[n++] = (TraceEvent){.kind = TRACE_REQUEST_BEGIN, .name = reqs[k], .value = num,
                           .text = "len=60"};
    unsigned ops = 6 + (unsigned)(rnd() % 20);
    for (unsigned i = 0; i < ops && n < 56; i++) {
        uint32_t r = (uint32_t)(rnd() % 8), val = (uint32_t)(rnd() % 16);
        pc += 0x10;
        switch (rnd() % 6) {
        case 0: /* a read through the HAL */
        case 1:
            ev[n++] = (TraceEvent){.kind = TRACE_API_CALL, .pc = pc, .depth = 1,
                                   .name = apis[r & 2 ? 2 : 0], .text = "0xc33e"};
            ev[n++] = (TraceEvent){.kind = TRACE_PORT_READ, .pc = pc, .depth = 1,
                                   .addr = 0xc300 + 4 * r, .size = 2, .value = val, .reg = regs[r]};
            ev[n++] = (TraceEvent){.kind = TRACE_API_RETURN, .pc = pc, .depth = 1,
                                   .name = apis[r & 2 ? 2 : 0], .value = val};
            break;
        case 2:
            ev[n++] = (TraceEvent){.kind = TRACE_PORT_WRITE, .pc = pc, .depth = 1,
                                   .addr = 0xc300 + 4 * r, .size = 4, .value = val << 8 | r,
                                   .reg = regs[r]};
            break;
        case 3:
            ev[n++] = (TraceEvent){.kind = TRACE_MEM_STORE, .pc = pc, .depth = 1,
                                   .addr = 0x81000000u + 16 * (uint32_t)(rnd() % 32), .size = 4,
                                   .value = val};
            break;
        case 4:
            ev[n++] = (TraceEvent){.kind = TRACE_DMA_READ, .pc = pc, .depth = 1,
                                   .addr = 0x81002000u, .size = 16, .data = payload, .len = 16};
            break;
        default:
            ev[n++] = (TraceEvent){.kind = TRACE_API_CALL, .pc = pc, .depth = 1,
                                   .name = apis[4 + r % 4], .text = "0x81000000, 0x0"};
            ev[n++] = (TraceEvent){.kind = TRACE_API_RETURN, .pc = pc, .depth = 1,
                                   .name = apis[4 + r % 4], .value = 0};
            break;
        }
    }
    ev[n++] = (TraceEvent){.kind = TRACE_REQUEST_END, .name = reqs[k], .value = num,
                           .text = "status=0x00000000"};
    for (unsigned i = 0; i < n; i++)
        ev[i].vtime = (*t += 10);
    return n;
}

/* Write A (n events) and B (A with edits at `pct` percent) as .xtr. */
static int gen_pair(const char *pa, const char *pb, uint64_t n, double pct, uint64_t *nb)
{
    FILE *fa = fopen(pa, "wb"), *fb = fopen(pb, "wb");
    XtrWriter *wa = fa ? xtr_writer_new(fa, "diffbench A") : NULL;
    XtrWriter *wb = fb ? xtr_writer_new(fb, "diffbench B") : NULL;
    uint8_t payload[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    TraceEvent ev[64];
    uint32_t t = 0;
    uint64_t written = 0, req = 1, threshold = (uint64_t)(pct / 100.0 * 1e6);
    *nb = 0;
    if (!wa || !wb)
        return -1;
    TraceEvent mod = {.kind = TRACE_MODULE, .name = "bench.sys", .addr = 0x80100000u,
                      .size = 0x10000};
    xtr_write(wa, &mod);
    xtr_write(wb, &mod);
    (*nb)++;
    written++;
    while (written < n) {
        unsigned k = gen_request(ev, req++, &t, payload);
        for (unsigned i = 0; i < k && written < n; i++, written++) {
            xtr_write(wa, &ev[i]);
            if (rnd() % 1000000 >= threshold) {
                xtr_write(wb, &ev[i]);
                (*nb)++;
                continue;
            }
            TraceEvent e = ev[i];
            switch (rnd() % 3) {
            case 0: /* a different value */
                e.value ^= 0x40 | (rnd() % 64);
                xtr_write(wb, &e);
                (*nb)++;
                break;
            case 1: /* dropped */
                break;
            default: /* an extra register write first */
                e = (TraceEvent){.kind = TRACE_PORT_WRITE, .pc = ev[i].pc, .depth = 1,
                                 .addr = 0xc3f0, .size = 1, .value = rnd() % 256,
                                 .vtime = ev[i].vtime};
                xtr_write(wb, &e);
                xtr_write(wb, &ev[i]);
                *nb += 2;
            }
        }
    }
    int rc = xtr_writer_close(wa, "done") | xtr_writer_close(wb, "done");
    return (fclose(fa) | fclose(fb) | rc) ? -1 : 0;
}

/* The lines xdrv diff compares, one per line (as `trace dump --normalized`). */
static int write_lines(const char *xtr, const char *txt)
{
    char err[XTR_ERR_MAX];
    Norm *n = norm_open(xtr, NULL, err, sizeof err);
    FILE *f = fopen(txt, "w");
    if (!n || !f) {
        fprintf(stderr, "diffbench: %s\n", n ? strerror(errno) : err);
        return -1;
    }
    NormToken t;
    while (norm_next(n, &t, err, sizeof err) > 0)
        fprintf(f, "%s\n", norm_line(n));
    norm_close(n);
    return fclose(f);
}

/* ---------------------------------------------------------------- timing */

typedef struct Run {
    double s;
    long rss_kb;
} Run;

static int run_child(char *const argv[], Run *out)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int st;
    struct rusage ru;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    double t0 = now_s();
    if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    if (wait4(pid, &st, 0, &ru) < 0)
        return -1;
    out->s = now_s() - t0;
    out->rss_kb = ru.ru_maxrss;
    /* both exit 1 when the inputs differ, 0 when the same */
    if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
        fprintf(stderr, "diffbench: %s exited with status %d\n", argv[0],
                WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        return -1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int parse_list(const char *s, double *out, int max)
{
    int n = 0;
    char buf[256], *save = NULL;
    snprintf(buf, sizeof buf, "%s", s);
    for (char *t = strtok_r(buf, ",", &save); t && n < max; t = strtok_r(NULL, ",", &save)) {
        char *end;
        out[n] = strtod(t, &end);
        if (end == t || *end || out[n] <= 0)
            return -1;
        n++;
    }
    return n;
}

int main(int argc, char **argv)
{
    int repeats = 3;
    const char *xdrv = "build/xdrv", *keep = NULL;
    double sizes[8] = {1e4, 1e5, 1e6}, pcts[8] = {0.1, 1, 10};
    int nsizes = 3, npcts = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-r") && i + 1 < argc) {
            repeats = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "-x") && i + 1 < argc) {
            xdrv = argv[++i];
        } else if (!strcmp(argv[i], "-s") && i + 1 < argc) {
            nsizes = parse_list(argv[++i], sizes, 8);
        } else if (!strcmp(argv[i], "-k") && i + 1 < argc) {
            keep = argv[++i];
        } else if (!strcmp(argv[i], "-p") && i + 1 < argc) {
            npcts = parse_list(argv[++i], pcts, 8);
        } else {
            fprintf(stderr, "usage: diffbench [-r REPEATS] [-x XDRV] [-s N[,N...]] "
                            "[-p PCT[,PCT...]] [-k DIR]\n");
            return 2;
        }
    }
    if (repeats < 1 || repeats > 100 || nsizes < 1 || npcts < 1) {
        fprintf(stderr, "diffbench: bad -r, -s or -p\n");
        return 2;
    }
    char dir[256] = "/tmp/diffbench.XXXXXX";
    if (keep) {
        snprintf(dir, sizeof dir, "%s", keep);
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
            perror("diffbench: -k");
            return 1;
        }
    } else if (!mkdtemp(dir)) {
        perror("diffbench: mkdtemp");
        return 1;
    }
    char pa[300], pb[300], ta[300], tb[300];
    snprintf(pa, sizeof pa, "%s/a.xtr", dir);
    snprintf(pb, sizeof pb, "%s/b.xtr", dir);
    snprintf(ta, sizeof ta, "%s/a.txt", dir);
    snprintf(tb, sizeof tb, "%s/b.txt", dir);
    char *xargv[] = {(char *)xdrv, "diff", pa, pb, NULL};
    char *gargv[] = {"diff", ta, tb, NULL};
    int rc = 0;

    printf("xdrv diff vs GNU diff on the same lines, %d repeats each (wall seconds "
           "min/median/max, peak RSS)\n",
           repeats);
    printf("%-9s %-6s %-30s %-30s %s\n", "events", "diff%", "xdrv diff", "GNU diff",
           "GNU/xdrv");
    for (int si = 0; si < nsizes && !rc; si++) {
        for (int pi = 0; pi < npcts && !rc; pi++) {
            uint64_t nb;
            rng = 0x9E3779B97F4A7C15ull ^ (uint64_t)(sizes[si] * 7 + pcts[pi] * 1000);
            if (gen_pair(pa, pb, (uint64_t)sizes[si], pcts[pi], &nb) < 0 ||
                write_lines(pa, ta) < 0 || write_lines(pb, tb) < 0) {
                fprintf(stderr, "diffbench: cannot write the traces in %s\n", dir);
                rc = 1;
                break;
            }
            double tx[100], tg[100];
            long rx = 0, rg = 0;
            for (int r = 0; r < repeats && !rc; r++) {
                Run x, g;
                if (run_child(xargv, &x) < 0 || run_child(gargv, &g) < 0) {
                    rc = 1;
                    break;
                }
                tx[r] = x.s;
                tg[r] = g.s;
                rx = x.rss_kb > rx ? x.rss_kb : rx;
                rg = g.rss_kb > rg ? g.rss_kb : rg;
            }
            if (rc)
                break;
            double mx = median(tx, repeats), mg = median(tg, repeats);
            char cx[64], cg[64];
            snprintf(cx, sizeof cx, "%.3f/%.3f/%.3f %ldMB", tx[0], mx, tx[repeats - 1],
                     rx / 1024);
            snprintf(cg, sizeof cg, "%.3f/%.3f/%.3f %ldMB", tg[0], mg, tg[repeats - 1],
                     rg / 1024);
            printf("%-9.0f %-6g %-30s %-30s %.2fx\n", sizes[si], pcts[pi], cx, cg, mg / mx);
            fflush(stdout);
        }
    }
    if (!keep) {
        unlink(pa);
        unlink(pb);
        unlink(ta);
        unlink(tb);
        rmdir(dir);
    }
    return rc;
}
