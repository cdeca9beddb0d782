/* xdrv replay: a network controller served by a verified driver
 * specification (src/replay/host.c), with no driver code: no guest CPU, no
 * driver image. The spec is verified against the model's datasheet facts
 * first and refused if unsafe; a request it does not serve stops it (or,
 * with --fallback, hands the device to the original driver). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "exercise/workload.h"
#include "host/net.h"
#include "machine/boards.h"
#include "replay/host.h"
#include "replay/spec.h"
#include "replay/verify.h"
#include "trace/trace.h"
#include "trace/xtr.h"

const char replay_usage[] =
    "usage: xdrv replay DRIVER.xsm --device MODEL[,mac=MAC] [--netdev SPEC] [--wire SPEC]\n"
    "                   [--pcap FILE] [--fallback DRIVER.sys --inf DRIVER.inf] [-v]\n"
    "       xdrv replay DRIVER.xsm --device MODEL --workload W --trace OUT.xtr\n"
    "  Serve a network controller model from a driver specification (docs/formats/xsm.md,\n"
    "  docs/replay.md) run by xdrv's interpreter: no driver code runs, nothing of the\n"
    "  driver is loaded. The spec is first checked as `xdrv verify --device MODEL` does\n"
    "  and refused if it is not safe. Frames from the netdev are sends, frames from the\n"
    "  wire reach the model, its interrupts and a timer every second are the spec's\n"
    "  requests. Serves until SIGINT or SIGTERM, then halts the device; SIGUSR1 pulls\n"
    "  the model's cable, SIGUSR2 plugs it back.\n"
    "options:\n"
    "  --device MODEL[,mac=MAC]  the controller model (rtl8139, ne2000, ne2000-isa,\n"
    "                      pcnet, e1000) and its options, as for xdrv run; required\n"
    "  --netdev SPEC       the OS side: tap,ifname=NAME | unix,path=PATH[,listen]\n"
    "  --wire SPEC         where the controller's cable goes (as for xdrv run)\n"
    "  --pcap FILE         record the cable's traffic (pcap, both directions)\n"
    "  --fallback DRIVER.sys --inf DRIVER.inf\n"
    "                      when the spec does not serve a request, hand the device to\n"
    "                      the original driver: replay stops touching it, and a child\n"
    "                      process runs `xdrv run DRIVER.sys --inf DRIVER.inf --device\n"
    "                      MODEL` on a fresh (reset) model, on the same netdev and wire;\n"
    "                      a send the spec refused is the driver's first. Signals are\n"
    "                      passed on to it; xdrv replay exits with its status\n"
    "  -v, --verbose       log every request but sends, and link changes\n"
    "  --workload W --trace OUT.xtr\n"
    "                      instead of serving: play workload W (a file or a built-in\n"
    "                      suite, docs/formats/workload.md) on virtual time and record\n"
    "                      the device's side into OUT.xtr as `xdrv trace record` does for\n"
    "                      the driver, so that `xdrv diff --kind PORT_READ,PORT_WRITE,...`\n"
    "                      compares the two (steps no spec request stands for, e.g.\n"
    "                      queries, are marked and skipped)\n"
    "Every request the spec does not serve is logged as one line, `replay: fallback:\n"
    "REQUEST in state STATE: REASON (spec line N)`.\n"
    "exit status: 0 ok, 1 bad arguments, 2 the spec is unreadable or not safe (the\n"
    "verify lines say why) or not for this model, or a --fallback or --inf file cannot\n"
    "be read, 3 the spec did not serve a request and there is no --fallback, 5 host\n"
    "failure; after a hand-over, the driver's (as xdrv run's).\n";

typedef struct ReplayOpts {
    const char *spec, *device, *netdev, *wire, *pcap, *fallback, *inf, *workload, *trace;
    int verbose;
} ReplayOpts;

static volatile sig_atomic_t stop_flag;
static volatile sig_atomic_t link_request = -1;
static volatile pid_t driver_pid; /* after a hand-over: where signals go */

static void on_stop(int sig)
{
    stop_flag = sig;
}

static void on_link(int sig)
{
    link_request = sig == SIGUSR2;
}

static void on_forward(int sig)
{
    if (driver_pid > 0)
        kill(driver_pid, sig);
}

/* 0, 1 for --help (done), -1 after a one-line error. */
static int parse_args(ReplayOpts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(replay_usage, stdout);
            return 1;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o->verbose = 1;
        } else if (!strcmp(a, "--workload") || !strcmp(a, "--trace")) {
            if (i + 1 == argc) {
                fprintf(stderr, "xdrv replay: %s needs a value\n", a);
                return -1;
            }
            const char **slot = a[2] == 'w' ? &o->workload : &o->trace;
            if (*slot) {
                fprintf(stderr, "xdrv replay: %s given twice\n", a);
                return -1;
            }
            *slot = argv[++i];
        } else if (!strcmp(a, "--device") || !strcmp(a, "--netdev") || !strcmp(a, "--wire") ||
                   !strcmp(a, "--pcap") || !strcmp(a, "--fallback") || !strcmp(a, "--inf")) {
            if (i + 1 == argc) {
                fprintf(stderr, "xdrv replay: %s needs a value\n", a);
                return -1;
            }
            const char **slot = a[2] == 'd'   ? &o->device
                                : a[2] == 'n' ? &o->netdev
                                : a[2] == 'w' ? &o->wire
                                : a[2] == 'p' ? &o->pcap
                                : a[2] == 'f' ? &o->fallback
                                              : &o->inf;
            if (*slot) {
                fprintf(stderr, "xdrv replay: %s given twice\n", a);
                return -1;
            }
            *slot = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "xdrv replay: unknown option '%s' (xdrv replay --help)\n", a);
            return -1;
        } else if (!o->spec) {
            o->spec = a;
        } else {
            fprintf(stderr, "xdrv replay: one specification at a time ('%s')\n", a);
            return -1;
        }
    }
    if (!o->spec) {
        fprintf(stderr, "xdrv replay: no specification given (xdrv replay --help)\n");
        return -1;
    }
    if (!o->device) {
        fprintf(stderr, "xdrv replay: --device MODEL is required: the spec is checked against "
                        "and run on that model (rtl8139, ne2000, ne2000-isa, pcnet, e1000)\n");
        return -1;
    }
    if (!o->workload != !o->trace) {
        fprintf(stderr, "xdrv replay: --workload W and --trace OUT.xtr go together (play W, "
                        "record the device's side)\n");
        return -1;
    }
    if (o->workload && (o->netdev || o->wire || o->pcap || o->fallback)) {
        fprintf(stderr, "xdrv replay: --workload plays on virtual time: no --netdev, --wire, "
                        "--pcap or --fallback with it\n");
        return -1;
    }
    if (!o->fallback != !o->inf) {
        fprintf(stderr, "xdrv replay: --fallback DRIVER.sys and --inf DRIVER.inf go together "
                        "(the driver that takes the device over, and its INF)\n");
        return -1;
    }
    NetSpec ns;
    char err[NET_ERR_MAX];
    if (o->netdev && net_spec_parse(o->netdev, &ns, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv replay: --netdev %s: %s\n", o->netdev, err);
        return -1;
    }
    if (o->wire && net_spec_parse(o->wire, &ns, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv replay: --wire %s: %s\n", o->wire, err);
        return -1;
    }
    return 0;
}

/* Whether one of the spec's `device` lines names the model's chip (or a
 * board built on it). */
static int spec_names_model(const Spec *s, const NicModelInfo *m)
{
    for (uint32_t i = 0; i < s->ndevices; i++) {
        const SpecDevice *d = &s->devices[i];
        if (!d->pci) {
            if (!strcmp(d->isa, m->name))
                return 1;
            continue;
        }
        if (!m->isa && d->vendor == m->vendor && d->device == m->device)
            return 1;
        for (unsigned b = 0; b < m->nboards; b++)
            if (d->vendor == m->boards[b].vendor && d->device == m->boards[b].device)
                return 1;
    }
    return 0;
}

/* Load, verify against the model's facts, and check the spec is for the
 * model. NULL after the reason on stderr; *rc the exit status. */
static Spec *load_checked(const ReplayOpts *o, const NicModelInfo *m, int *rc)
{
    SpecTruth truth;
    SpecTruthReg regs[CLI_TRUTH_MAX];
    if (cli_model_truth(m->name, &truth, regs) < 0) {
        fprintf(stderr, "xdrv replay: --device %s: no datasheet facts to verify a spec against\n",
                m->name);
        *rc = EXIT_USAGE;
        return NULL;
    }
    char err[512];
    Spec *s = spec_load(o->spec, err, sizeof err);
    if (!s) {
        fprintf(stderr, "xdrv replay: %s\n", err);
        *rc = EXIT_LOAD;
        return NULL;
    }
    unsigned n = spec_verify(s, o->spec, &truth, stderr);
    if (n) {
        fprintf(stderr, "xdrv replay: %s: %u problem%s: not safe to replay, refused\n", o->spec, n,
                n == 1 ? "" : "s");
        spec_free(s);
        *rc = EXIT_LOAD;
        return NULL;
    }
    if (!spec_names_model(s, m)) {
        fprintf(stderr, "xdrv replay: %s:%u: the spec is for another device than the %s model\n",
                o->spec, s->ndevices ? s->devices[0].line : 1, m->name);
        spec_free(s);
        *rc = EXIT_LOAD;
        return NULL;
    }
    return s;
}

static void print_summary(ReplayHost *h, const char *how)
{
    const ReplayHostStats *st = replay_host_stats(h);
    printf("xdrv: replay %s: frames host->device %llu, device->host %llu, cable out %llu, cable in "
           "%llu; sends refused %llu; interrupts %llu, timer checks %llu; fallbacks: %llu\n",
           how, (unsigned long long)st->sends, (unsigned long long)st->receives,
           (unsigned long long)st->wire_out, (unsigned long long)st->wire_in,
           (unsigned long long)st->refused, (unsigned long long)st->interrupts,
           (unsigned long long)st->timers, (unsigned long long)st->fallbacks);
}

/* The spec did not serve a request: one line naming it, and (with no driver
 * to take over) the device is left as it is. */
static int fell_back(ReplayHost *h)
{
    fprintf(stderr, "xdrv replay: no --fallback driver to hand the device to: stopped\n");
    print_summary(h, "stopped");
    return EXIT_FAULT;
}

/* The exit status of a child as an exit status of ours. */
static int child_status(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    fprintf(stderr, "xdrv replay: the fallback driver's process was killed by signal %d\n",
            WTERMSIG(st));
    return EXIT_FAULT;
}

/* The hand-over (issue 11): replay stops touching the device; a child
 * process frees the model (the device is reset: a fresh one is made) and
 * runs the original driver as `xdrv run` would, on the same open netdev and
 * wire, with the refused send as its first; this process passes signals on
 * and ends with the child's status. */
static int hand_over(const ReplayOpts *o, ReplayHost **hp, Spec **specp, NetBackend *netdev,
                     NetBackend *wire, NetPcap *pcap)
{
    ReplayHost *h = *hp;
    const ReplayStop *why = replay_host_stopped(h);
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, &old);
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        perror("xdrv replay: fork");
        sigprocmask(SIG_SETMASK, &old, NULL);
        print_summary(h, "stopped");
        return EXIT_INTERNAL;
    }
    if (pid == 0) {
        /* the driver's process: its own process group, so that a terminal's
         * Ctrl-C reaches it once (through the parent) and not twice; and
         * stopped (cleanly, as by SIGTERM) if the parent dies */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(EXIT_INTERNAL); /* the parent died before prctl */
        uint8_t frame[sizeof why->frame];
        size_t len = why->frame_len;
        memcpy(frame, why->frame, len);
        /* the cable frames the spec had not delivered, copied out before
         * the host (which holds them) goes */
        static uint8_t rx[REPLAY_RX_KEEP][NET_FRAME_MAX_VLAN];
        static size_t rx_len[REPLAY_RX_KEEP];
        const uint8_t *rxp[REPLAY_RX_KEEP];
        unsigned nrx = why->nrx;
        for (unsigned i = 0; i < nrx; i++) {
            const uint8_t *k = replay_stop_rx(why, i, &rx_len[i]);
            memcpy(rx[i], k, rx_len[i]);
            rxp[i] = rx[i];
        }
        replay_host_free(h);
        *hp = NULL;
        spec_free(*specp);
        *specp = NULL;
        struct sigaction dfl = {.sa_handler = SIG_DFL}, ign = {.sa_handler = SIG_IGN};
        sigaction(SIGINT, &dfl, NULL);
        sigaction(SIGTERM, &dfl, NULL);
        sigaction(SIGHUP, &dfl, NULL);
        sigaction(SIGUSR1, &ign, NULL); /* until the adapter is up and takes them */
        sigaction(SIGUSR2, &ign, NULL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        char *argv[] = {"run",      (char *)o->fallback, "--inf", (char *)o->inf,
                        "--device", (char *)o->device,   NULL};
        /* the run takes the backends over and closes them */
        int rc = run_with_backends(6, argv, netdev, wire, pcap, len ? frame : NULL, len, rxp,
                                   rx_len, nrx);
        fflush(stdout);
        exit(rc);
    }
    driver_pid = pid;
    printf("xdrv: replay: handing the device over to %s (process %d)\n", o->fallback, (int)pid);
    struct sigaction fwd = {.sa_handler = on_forward};
    sigaction(SIGINT, &fwd, NULL);
    sigaction(SIGTERM, &fwd, NULL);
    sigaction(SIGHUP, &fwd, NULL);
    sigaction(SIGUSR1, &fwd, NULL);
    sigaction(SIGUSR2, &fwd, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (stop_flag) /* a stop that came as the spec gave up */
        kill(pid, SIGTERM);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0) {
        if (errno != EINTR) {
            perror("xdrv replay: waitpid");
            return EXIT_INTERNAL;
        }
    }
    driver_pid = 0;
    int rc = child_status(st);
    print_summary(h, "ended, the device handed over");
    printf("xdrv: the fallback driver's process exited with status %d\n", rc);
    return rc;
}

/* --workload W --trace OUT: the device's side of W, recorded. */
static int play(const ReplayOpts *o, ReplayHost *h)
{
    Workload w;
    char err[WL_ERR_MAX];
    if (workload_load(o->workload, &w, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv replay: --workload %s: %s\n", o->workload, err);
        return EXIT_LOAD;
    }
    FILE *f = fopen(o->trace, "wb");
    if (!f) {
        fprintf(stderr, "xdrv replay: --trace %s: %s\n", o->trace, strerror(errno));
        workload_free(&w);
        return EXIT_USAGE;
    }
    char info[1024];
    snprintf(info, sizeof info, "xdrv replay %s --device %s", o->spec, o->device);
    XtrWriter *xw = xtr_writer_new(f, info);
    if (!xw) {
        fprintf(stderr, "xdrv replay: --trace %s: cannot start the trace\n", o->trace);
        fclose(f);
        workload_free(&w);
        return EXIT_INTERNAL;
    }
    trace_add_sink(xtr_sink, xw);
    PlayStats ps;
    int r = replay_host_play(h, &w, &ps);
    int rc = EXIT_OK;
    char summary[512];
    if (r) {
        char why[400];
        replay_host_stop_text(h, why, sizeof why);
        fprintf(stderr, "replay: fallback: %s\n", why);
        snprintf(summary, sizeof summary, "not served: %s", why);
        rc = EXIT_FAULT;
    } else {
        snprintf(summary, sizeof summary, "%u requests played, %u not played", ps.played - ps.skipped,
                 ps.skipped);
    }
    trace_remove_sink(xtr_sink, xw);
    uint64_t n = xtr_writer_count(xw);
    if (xtr_writer_close(xw, summary) < 0 || fclose(f) != 0) {
        fprintf(stderr, "xdrv replay: --trace %s: writing failed\n", o->trace);
        rc = EXIT_INTERNAL;
    }
    printf("xdrv: workload %s: %s; trace %s: %llu events\n", w.name, summary, o->trace,
           (unsigned long long)n);
    workload_free(&w);
    return rc;
}

int cmd_replay(int argc, char **argv)
{
    ReplayOpts o;
    memset(&o, 0, sizeof o);
    int prc = parse_args(&o, argc, argv);
    if (prc)
        return prc > 0 ? EXIT_OK : EXIT_USAGE;
    int model = machine_spec_nic_model(o.device);
    NicModelInfo mi;
    if (model < 0 || machine_nic_model_info((unsigned)model, &mi) < 0) {
        fprintf(stderr,
                "xdrv replay: --device '%s': not a network controller model (rtl8139, ne2000, "
                "ne2000-isa, pcnet, e1000)\n",
                o.device);
        return EXIT_USAGE;
    }
    /* the driver that may take over must be there before anything starts */
    const char *files[] = {o.fallback, o.inf};
    for (unsigned i = 0; i < 2; i++) {
        FILE *f = files[i] ? fopen(files[i], "rb") : NULL;
        if (files[i] && !f) {
            fprintf(stderr, "xdrv replay: %s %s: %s\n", i ? "--inf" : "--fallback", files[i],
                    strerror(errno));
            return EXIT_LOAD;
        }
        if (f)
            fclose(f);
    }
    int rc = EXIT_OK;
    Spec *spec = load_checked(&o, &mi, &rc);
    if (!spec)
        return rc;

    setvbuf(stdout, NULL, _IOLBF, 0);
    char err[NET_ERR_MAX + 256];
    ReplayHost *h = NULL;
    NetBackend *netdev = NULL, *wire = NULL;
    NetPcap *pcap = NULL;
    int hr = replay_host_new(&h, spec, o.device, stderr, o.verbose, err, sizeof err);
    if (hr < 0) {
        if (hr == REPLAY_HOST_E_DEVICE)
            fprintf(stderr, "xdrv replay: %s\n", err);
        else
            fprintf(stderr, "xdrv replay: %s: %s\n", o.spec, err);
        rc = hr == REPLAY_HOST_E_DEVICE ? EXIT_USAGE
             : hr == REPLAY_HOST_E_SPEC ? EXIT_LOAD
                                        : EXIT_INTERNAL;
        goto out;
    }
    if (o.netdev && !(netdev = net_open(o.netdev, NET_OPEN_CARRIER_OFF, err, sizeof err))) {
        fprintf(stderr, "xdrv replay: --netdev %s: %s\n", o.netdev, err);
        rc = EXIT_INTERNAL;
        goto out;
    }
    if (o.wire && !(wire = net_open(o.wire, 0, err, sizeof err))) {
        fprintf(stderr, "xdrv replay: --wire %s: %s\n", o.wire, err);
        rc = EXIT_INTERNAL;
        goto out;
    }
    if (o.pcap) {
        if (!(pcap = net_pcap_open(o.pcap, err, sizeof err))) {
            fprintf(stderr, "xdrv replay: --pcap %s: %s\n", o.pcap, err);
            rc = EXIT_INTERNAL;
            goto out;
        }
        if (wire)
            net_set_pcap(wire, pcap);
    }
    if (o.workload) {
        rc = play(&o, h);
        goto out;
    }
    struct sigaction stop_sa = {.sa_handler = on_stop};
    sigaction(SIGINT, &stop_sa, NULL);
    sigaction(SIGTERM, &stop_sa, NULL);
    sigaction(SIGHUP, &stop_sa, NULL); /* a clean stop, as SIGTERM */
    struct sigaction link_sa = {.sa_handler = on_link};
    sigaction(SIGUSR1, &link_sa, NULL);
    sigaction(SIGUSR2, &link_sa, NULL);

    replay_host_attach(h, netdev, wire);
    int r = replay_host_start(h);
    if (r == 0) {
        uint8_t mac[6];
        replay_host_mac(h, mac);
        printf("xdrv: replay up, mac %02x:%02x:%02x:%02x:%02x:%02x, device %s, spec %s%s%s%s%s; "
               "no driver code loaded; serving until SIGINT/SIGTERM\n",
               mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], mi.name, o.spec,
               netdev ? ", netdev " : "", netdev ? net_name(netdev) : "", wire ? ", wire " : "",
               wire ? net_name(wire) : "");
        r = replay_host_serve(h, &stop_flag, &link_request);
    }
    if (r > 0) {
        char why[512];
        replay_host_stop_text(h, why, sizeof why);
        fflush(stdout);
        fprintf(stderr, "replay: fallback: %s\n", why);
        rc = o.fallback ? hand_over(&o, &h, &spec, netdev, wire, pcap) : fell_back(h);
        goto out;
    }
    if (r < 0) {
        print_summary(h, "stopped");
        rc = EXIT_INTERNAL;
        goto out;
    }
    print_summary(h, "stopping");
    if (replay_host_halt(h)) {
        char why[512];
        replay_host_stop_text(h, why, sizeof why);
        fprintf(stderr, "xdrv replay: the spec did not halt the device: %s\n", why);
        rc = EXIT_FAULT;
        goto out;
    }
    printf("xdrv: device halted\n");
out:
    fflush(stdout);
    replay_host_free(h);
    net_close(netdev);
    net_close(wire);
    if (pcap)
        net_pcap_close(pcap);
    spec_free(spec);
    return rc;
}
