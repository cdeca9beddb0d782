/* xdrv explore: coverage-guided exploration of a network driver. Each run
 * is a recording (xdrv trace record) in a child process, so a driver that
 * faults, hangs or exhausts memory ends only that run. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "exercise/coverage.h"
#include "exercise/explore.h"
#include "exercise/workload.h"

const char explore_usage[] =
    "usage: xdrv explore DRIVER.sys [--inf F.inf] [--device MODEL] -o DIR [options]\n"
    "  Coverage-guided exploration: starting from the built-in workloads (or --workload),\n"
    "  mutate request kinds, their parameters and device-side conditions, record each\n"
    "  run, and keep in DIR every run that reaches driver code no earlier run reached\n"
    "  (DIR/NNNN.xtr with its workload DIR/NNNN.workload). Progress is one updating\n"
    "  line; at the end, the coverage of everything kept (as xdrv trace coverage DIR/*.xtr).\n"
    "options:\n"
    "  -o, --output DIR    where kept runs go (created if missing)\n"
    "  --runs N            stop after N runs (default 200)\n"
    "  --time SECONDS      stop after this much wall time (default: no limit)\n"
    "  --plateau N         stop after N runs in a row with nothing new (default 100)\n"
    "  --seed N            mutation randomness (default 1): the same seed, the same runs\n"
    "  --sample N          also keep every Nth run in a row that reached nothing new\n"
    "                      (default 0: none): the covered paths again, with other\n"
    "                      parameters, for xdrv extract to generalise from\n"
    "  --workload W        a seed workload (repeatable; default: standard and sweep)\n"
    "  --run-timeout S     wall-clock limit of one run (default 120)\n"
    "  --inf, --device, --service, --param, --budget, --allow-missing:\n"
    "                      as for xdrv run\n"
    "SIGINT stops after the current run, keeping what was found.\n";

typedef struct ChildCtx {
    char log[4200]; /* the last run's output: DIR/.run.log */
    int argc;
    char **argv; /* run-style: argv[0] placeholder, DRIVER.sys, options */
    unsigned timeout;
} ChildCtx;

static volatile int explore_stop;

static void on_int(int sig)
{
    (void)sig;
    explore_stop = 1;
}

/* One recording in a child: its output is discarded, its exit status and
 * any signal that ended it are the run's outcome. */
static int run_child(void *opaque, const Workload *w, const char *path, int *faulted, char *err,
                     size_t errlen)
{
    ChildCtx *c = opaque;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        signal(SIGINT, SIG_IGN);
        int fd = open(c->log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        alarm(c->timeout);
        _exit(run_record_workload(c->argc, c->argv, w, path));
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(err, errlen, "waitpid: %s", strerror(errno));
            return -1;
        }
    }
    *faulted = 0;
    if (WIFEXITED(status)) {
        int rc = WEXITSTATUS(status);
        if (rc == EXIT_FAULT) {
            *faulted = 1;
            return 0;
        }
        if (rc == EXIT_OK)
            return 0;
        snprintf(err, errlen, "a recording exited %d (its output: %s)", rc, c->log);
        return rc == EXIT_DRIVER ? (*faulted = 1, 0) : -1;
    }
    *faulted = 1; /* killed by a signal: a timeout (SIGALRM) or a host crash */
    return 0;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end || v > max || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int cmd_explore(int argc, char **argv)
{
    const char *dir = NULL;
    unsigned long runs = 200, plateau = 100, timeout = 120, seconds = 0, seed = 1, sample = 0;
    const char *wl_specs[16];
    unsigned nwl = 0;
    char **rargv = calloc((size_t)argc + 1, sizeof *rargv);
    if (!rargv)
        return EXIT_INTERNAL;
    int rargc = 0;
    rargv[rargc++] = "explore";
    const char *driver = NULL;
    int rc = EXIT_OK;
    Workload seeds[16];
    unsigned nseeds = 0;
    CovMap *cov = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        unsigned long *num = NULL, max = 0;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(explore_usage, stdout);
            goto out;
        }
        if (!strcmp(a, "--runs"))
            num = &runs, max = 10000000;
        else if (!strcmp(a, "--plateau"))
            num = &plateau, max = 10000000;
        else if (!strcmp(a, "--time"))
            num = &seconds, max = 86400 * 365;
        else if (!strcmp(a, "--seed"))
            num = &seed, max = 0xFFFFFFFFul;
        else if (!strcmp(a, "--sample"))
            num = &sample, max = 10000000;
        else if (!strcmp(a, "--run-timeout"))
            num = &timeout, max = 86400;
        if (num || !strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--workload")) {
            if (!has_next) {
                fprintf(stderr, "xdrv explore: %s needs a value\n", a);
                rc = EXIT_USAGE;
                goto out;
            }
            const char *v = argv[++i];
            if (num) {
                if (parse_uint(v, max, num) < 0 || (num != &seconds && num != &seed && !*num)) {
                    fprintf(stderr, "xdrv explore: %s '%s': expected a number from %d to %lu\n", a,
                            v, num == &seconds || num == &seed ? 0 : 1, max);
                    rc = EXIT_USAGE;
                    goto out;
                }
            } else if (!strcmp(a, "--workload")) {
                if (nwl == 16) {
                    fprintf(stderr, "xdrv explore: at most 16 --workload\n");
                    rc = EXIT_USAGE;
                    goto out;
                }
                wl_specs[nwl++] = v;
            } else {
                dir = v;
            }
            continue;
        }
        if (!strcmp(a, "--netdev") || !strcmp(a, "--wire") || !strcmp(a, "--pcap") ||
            !strcmp(a, "--trace") || !strcmp(a, "--request") || !strcmp(a, "--requests")) {
            fprintf(stderr, "xdrv explore: %s is not an option of explore (xdrv explore --help)\n",
                    a);
            rc = EXIT_USAGE;
            goto out;
        }
        if (a[0] != '-' && !driver)
            driver = a;
        rargv[rargc++] = argv[i];
        /* options of xdrv run that take a value travel with it */
        if ((!strcmp(a, "--inf") || !strcmp(a, "--device") || !strcmp(a, "--service") ||
             !strcmp(a, "--param") || !strcmp(a, "--budget")) &&
            has_next)
            rargv[rargc++] = argv[++i];
    }
    if (!driver || !dir) {
        fprintf(stderr, "%s", !driver ? explore_usage
                                      : "xdrv explore: -o DIR is required (where kept runs go)\n");
        rc = EXIT_USAGE;
        goto out;
    }
    if (!nwl) {
        wl_specs[nwl++] = "standard";
        wl_specs[nwl++] = "sweep";
    }
    for (unsigned i = 0; i < nwl; i++) {
        char err[WL_ERR_MAX];
        if (workload_load(wl_specs[i], &seeds[nseeds], err, sizeof err) < 0) {
            fprintf(stderr, "xdrv explore: --workload %s: %s\n", wl_specs[i], err);
            rc = EXIT_LOAD;
            goto out;
        }
        nseeds++;
    }
    /* the static map first: a driver that is not a PE32 image stops here */
    char err[EXPLORE_ERR_MAX + COV_ERR_MAX];
    if (!(cov = cov_map_load(driver, err, sizeof err))) {
        fprintf(stderr, "xdrv explore: %s\n", err);
        rc = EXIT_LOAD;
        goto out;
    }
    ChildCtx ctx = {.argc = rargc, .argv = rargv, .timeout = (unsigned)timeout};
    snprintf(ctx.log, sizeof ctx.log, "%s/.run.log", dir);
    ExploreOps ops = {.run = run_child, .opaque = &ctx};
    ExploreOpts eo = {.runs = (unsigned)runs,
                      .seconds = (double)seconds,
                      .plateau = (unsigned)plateau,
                      .seed = seed,
                      .sample = (unsigned)sample,
                      .dir = dir,
                      .progress = stderr,
                      .progress_tty = isatty(2)};
    struct sigaction sa = {.sa_handler = on_int}, old;
    sigaction(SIGINT, &sa, &old);
    ExploreResult res;
    int er = explore_run(&eo, &ops, cov, seeds, nseeds, &explore_stop, &res, err, sizeof err);
    sigaction(SIGINT, &old, NULL);
    if (er < 0) {
        fprintf(stderr, "xdrv explore: %s\n", err);
        rc = EXIT_LOAD;
        goto out;
    }
    char sampled[48] = "";
    if (sample)
        snprintf(sampled, sizeof sampled, " (%u of them sampled)", res.sampled);
    printf("xdrv explore: %u runs in %.1f s (stopped: %s), %u kept%s in %s, %u faulted or timed "
           "out\n",
           res.runs, res.seconds, res.stop_reason, res.kept, sampled, dir, res.faulted);
    cov_map_report(cov, stdout, 0);
out:
    for (unsigned i = 0; i < nseeds; i++)
        workload_free(&seeds[i]);
    cov_map_free(cov);
    free(rargv);
    return rc;
}
