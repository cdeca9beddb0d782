/* xdrv up, xdrv down, xdrv status: run an installed driver under a
 * supervisor (src/manager/supervise.h), stop it, see what runs. */
#include <dirent.h>
#include <net/if.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "host/net.h"
#include "manager/store.h"
#include "manager/supervise.h"
#include "trace/json.h"

const char up_usage[] =
    "usage: xdrv up NAME [--store DIR] [--no-sandbox] [--restart-limit N | --no-restart]\n"
    "                    [--netdev SPEC] [--wire SPEC] [other run options]\n"
    "  Run an installed driver (xdrv install) in the foreground until SIGINT,\n"
    "  SIGTERM or SIGHUP (a clean stop: the miniport is halted), as xdrv run would\n"
    "  with the INF, driver image and device model the store recorded; the options\n"
    "  after NAME are xdrv run's (--device is the store's), --sandbox among them\n"
    "  unless --no-sandbox (--sandbox-user, --limit-as, --limit-cpu: xdrv run\n"
    "  --help). The serving process is\n"
    "  a child of this one, which keeps a state file for xdrv status and xdrv down\n"
    "  ($XDRV_RUN_DIR, /run/xdrv as root, $XDG_RUNTIME_DIR/xdrv otherwise).\n"
    "  A serving process that faults (exit 3, or killed) is started again from\n"
    "  DriverEntry on a fresh device model after a pause (0.2 s, doubling to\n"
    "  30 s), at most N times in a row (--restart-limit, default 5); a\n"
    "  --netdev TAP stays up across restarts (carrier off meanwhile) and is\n"
    "  removed at the end if xdrv up created it.\n"
    "  Exit status: the serving process's (3: the driver faulted).\n";

const char down_usage[] = "usage: xdrv down NAME [--timeout S]\n"
                          "  Stop a driver xdrv up runs (SIGTERM to it) and wait until it has\n"
                          "  stopped (default 15 s).\n";

const char status_usage[] =
    "usage: xdrv status [NAME] [--json]\n"
    "  The drivers xdrv up runs or ran: state, process, uptime, restarts, last exit\n"
    "  status, frames and last fault.\n";

typedef struct UpChild {
    int argc;
    char **argv;
} UpChild;

static int up_child(void *arg)
{
    UpChild *c = arg;
    return cmd_run(c->argc, c->argv);
}

static int state_path(const char *name, char *out, size_t len, int make, char *err, size_t errlen)
{
    char dir[4096];
    if (run_dir(dir, sizeof dir, err, errlen) < 0 || (make && store_mkdirs(dir, err, errlen) < 0))
        return -1;
    snprintf(out, len, "%s/%s.state", dir, name);
    return 0;
}

int cmd_up(int argc, char **argv)
{
    const char *name = NULL, *store_opt = NULL;
    int sandbox = 1;
    unsigned long restart_limit = 5;
    char persist_spec[300] = "", tap_ifname[IF_NAMESIZE] = "";
    char **extra = calloc((size_t)argc + 1, sizeof *extra);
    int nextra = 0;
    if (!extra)
        return EXIT_INTERNAL;
    int rc = EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!name && (!strcmp(a, "--help") || !strcmp(a, "-h"))) {
            fputs(up_usage, stdout);
            rc = EXIT_OK;
            goto out;
        }
        if (!strcmp(a, "--store")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "xdrv up: --store needs a directory\n");
                goto out;
            }
            store_opt = argv[++i];
        } else if (!strcmp(a, "--no-sandbox")) {
            sandbox = 0;
        } else if (!strcmp(a, "--no-restart")) {
            restart_limit = 0;
        } else if (!strcmp(a, "--restart-limit")) {
            char *end = NULL;
            if (i + 1 < argc)
                restart_limit = strtoul(argv[++i], &end, 10);
            if (!end || *end || restart_limit > 1000) {
                fprintf(stderr, "xdrv up: --restart-limit: a number from 0 to 1000\n");
                goto out;
            }
        } else if (!strcmp(a, "--netdev") && i + 1 < argc && !strncmp(argv[i + 1], "tap,", 4)) {
            /* the TAP outlives each serving process: a restarted driver
             * finds the same interface (addresses, routes, sockets kept) */
            NetSpec ns;
            char e[NET_ERR_MAX];
            if (net_spec_parse(argv[i + 1], &ns, e, sizeof e) < 0) {
                fprintf(stderr, "xdrv up: --netdev %s: %s\n", argv[i + 1], e);
                goto out;
            }
            /* a TAP that was there before (pre-created for an unprivileged
             * user) is left as it was found */
            if (!if_nametoindex(ns.ifname))
                snprintf(tap_ifname, sizeof tap_ifname, "%s", ns.ifname);
            snprintf(persist_spec, sizeof persist_spec, "%s%s", argv[i + 1],
                     ns.persist ? "" : ",persist");
            extra[nextra++] = argv[i++];
            extra[nextra++] = persist_spec;
        } else if (!strcmp(a, "--device") || !strcmp(a, "--inf")) {
            fprintf(stderr, "xdrv up: %s comes from the store (xdrv install --device to choose "
                            "another model)\n", a);
            goto out;
        } else if (!name && a[0] != '-') {
            name = a;
        } else {
            extra[nextra++] = argv[i];
        }
    }
    if (!name) {
        fprintf(stderr, "xdrv up: which driver? (xdrv list names them)\n");
        goto out;
    }
    if (!store_name_ok(name)) {
        fprintf(stderr, "xdrv up: '%s' is not a driver name\n", name);
        goto out;
    }
    char store[4096], err[STORE_ERR_MAX + RUN_ERR_MAX];
    if (store_path(store_opt, store, sizeof store, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv up: %s\n", err);
        goto out;
    }
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", store, name);
    StoreEntry e;
    if (access(dir, F_OK) < 0) {
        fprintf(stderr, "xdrv up: no driver '%s' is installed in %s (xdrv list)\n", name, store);
        rc = EXIT_LOAD;
        goto out;
    }
    if (store_read(dir, &e, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv up: %s\n", err);
        rc = EXIT_LOAD;
        goto out;
    }
    char sp[4300];
    if (state_path(name, sp, sizeof sp, 1, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv up: %s\n", err);
        rc = EXIT_INTERNAL;
        goto out;
    }
    RunState old;
    if (run_state_read(sp, &old, err, sizeof err) == 0 && old.pid != (long)getpid() &&
        run_alive(old.pid) && !run_state_ended(old.state)) {
        fprintf(stderr, "xdrv up: %s is already up (process %ld; xdrv down %s)\n", name, old.pid,
                name);
        rc = EXIT_USAGE;
        goto out;
    }
    char sys[4600], inf[4600];
    snprintf(sys, sizeof sys, "%s/%s", dir, e.sys);
    snprintf(inf, sizeof inf, "%s/%s", dir, e.inf);
    char **rargv = calloc((size_t)nextra + 8, sizeof *rargv);
    if (!rargv) {
        rc = EXIT_INTERNAL;
        goto out;
    }
    int rargc = 0;
    rargv[rargc++] = "run";
    rargv[rargc++] = sys;
    rargv[rargc++] = "--inf";
    rargv[rargc++] = inf;
    rargv[rargc++] = "--device";
    rargv[rargc++] = e.device;
    if (sandbox)
        rargv[rargc++] = "--sandbox";
    for (int i = 0; i < nextra; i++)
        rargv[rargc++] = extra[i];
    UpChild c = {rargc, rargv};
    SuperviseOpts so = {.name = name,
                        .state_path = sp,
                        .child = up_child,
                        .arg = &c,
                        .restart_limit = (unsigned)restart_limit};
    printf("xdrv up: %s: %s with --device %s\n", name, e.sys, e.device);
    fflush(stdout);
    int r = supervise_run(&so, err, sizeof err);
    free(rargv);
    char ne[NET_ERR_MAX];
    if (tap_ifname[0] && net_tap_remove(tap_ifname, ne, sizeof ne) < 0)
        fprintf(stderr, "xdrv up: %s\n", ne);
    if (r < 0) {
        fprintf(stderr, "xdrv up: %s\n", err);
        rc = EXIT_INTERNAL;
        goto out;
    }
    rc = r > 128 ? EXIT_FAULT : r;
out:
    free(extra);
    return rc;
}

int cmd_down(int argc, char **argv)
{
    const char *name = NULL;
    double timeout = 15;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(down_usage, stdout);
            return EXIT_OK;
        }
        if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            char *end;
            timeout = strtod(argv[++i], &end);
            if (*end || !(timeout > 0 && timeout <= 3600)) {
                fprintf(stderr, "xdrv down: --timeout '%s': seconds, above 0 and at most 3600\n",
                        argv[i]);
                return EXIT_USAGE;
            }
        } else if (!name && argv[i][0] != '-') {
            name = argv[i];
        } else {
            fprintf(stderr, "xdrv down: unexpected '%s' (try xdrv down --help)\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (!name || !store_name_ok(name)) {
        fprintf(stderr, "xdrv down: %s\n", name ? "not a driver name" : "which driver? (xdrv status)");
        return EXIT_USAGE;
    }
    char sp[4300], err[RUN_ERR_MAX + 64];
    RunState s;
    if (state_path(name, sp, sizeof sp, 0, err, sizeof err) < 0 ||
        run_state_read(sp, &s, err, sizeof err) < 0 || !run_alive(s.pid) ||
        run_state_ended(s.state)) {
        fprintf(stderr, "xdrv down: %s is not up\n", name);
        return EXIT_LOAD;
    }
    if (kill((pid_t)s.pid, SIGTERM) < 0) {
        fprintf(stderr, "xdrv down: %s (process %ld): %s\n", name, s.pid, strerror(errno));
        return EXIT_INTERNAL;
    }
    struct timespec ts = {0, 50 * 1000 * 1000};
    for (double waited = 0; waited < timeout; waited += 0.05) {
        if (!run_alive(s.pid) || (run_state_read(sp, &s, err, sizeof err) == 0 && s.exit >= 0 &&
                                  !s.child)) {
            while (run_alive(s.pid) && waited < timeout) { /* the supervisor's own exit */
                nanosleep(&ts, NULL);
                waited += 0.05;
            }
            run_state_read(sp, &s, err, sizeof err);
            printf("xdrv down: %s stopped (%s, exit %d)\n", name, s.state, s.exit);
            return EXIT_OK;
        }
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "xdrv down: %s (process %ld) still running after %g s\n", name, s.pid, timeout);
    return EXIT_FAULT;
}

static void fmt_uptime(int64_t secs, char *out, size_t len)
{
    if (secs < 0)
        secs = 0;
    if (secs >= 86400)
        snprintf(out, len, "%lldd%02lldh", (long long)(secs / 86400), (long long)(secs % 86400 / 3600));
    else if (secs >= 3600)
        snprintf(out, len, "%lldh%02lldm", (long long)(secs / 3600), (long long)(secs % 3600 / 60));
    else
        snprintf(out, len, "%lldm%02llds", (long long)(secs / 60), (long long)(secs % 60));
}

int cmd_status(int argc, char **argv)
{
    const char *only = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(status_usage, stdout);
            return EXIT_OK;
        }
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!only && argv[i][0] != '-' && store_name_ok(argv[i]))
            only = argv[i];
        else {
            fprintf(stderr, "xdrv status: unexpected '%s' (try xdrv status --help)\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    char dir[4096], err[RUN_ERR_MAX];
    if (run_dir(dir, sizeof dir, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv status: %s\n", err);
        return EXIT_USAGE;
    }
    DIR *d = opendir(dir);
    RunState *rs = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while (d && (de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 7 || strcmp(de->d_name + l - 6, ".state"))
            continue;
        char nm[STORE_NAME_MAX];
        if (l - 6 >= sizeof nm)
            continue;
        memcpy(nm, de->d_name, l - 6);
        nm[l - 6] = '\0';
        if (!store_name_ok(nm) || (only && strcmp(nm, only)))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            RunState *nr = realloc(rs, cap * sizeof *nr);
            if (!nr)
                break;
            rs = nr;
        }
        char p[4300];
        snprintf(p, sizeof p, "%s/%s.state", dir, nm);
        if (run_state_read(p, &rs[n], err, sizeof err) < 0)
            continue;
        snprintf(rs[n].name, sizeof rs[n].name, "%s", nm);
        /* a supervisor that is gone without saying so (killed) */
        if (!run_alive(rs[n].pid) && run_state_live(rs[n].state))
            snprintf(rs[n].state, sizeof rs[n].state, "dead");
        n++;
    }
    if (d)
        closedir(d);
    if (only && !n) {
        fprintf(stderr, "xdrv status: %s has not been up\n", only);
        free(rs);
        return EXIT_LOAD;
    }
    int64_t now = (int64_t)time(NULL);
    if (json) {
        printf("{\"run_dir\": ");
        json_string(stdout, dir);
        printf(", \"drivers\": [");
        for (size_t i = 0; i < n; i++) {
            printf("%s\n {\"name\": ", i ? "," : "");
            json_string(stdout, rs[i].name);
            printf(", \"state\": ");
            json_string(stdout, rs[i].state);
            printf(", \"pid\": %ld, \"child\": %ld, \"since\": %lld, \"restarts\": %u, "
                   "\"exit\": %d, \"frames\": ",
                   rs[i].pid, rs[i].child, (long long)rs[i].since, rs[i].restarts, rs[i].exit);
            json_string(stdout, rs[i].frames);
            printf(", \"fault\": ");
            json_string(stdout, rs[i].fault);
            printf("}");
        }
        printf("]}\n");
    } else if (!n) {
        printf("no driver is or was up (state files in %s)\n", dir);
    } else {
        printf("%-16s %-9s %-8s %-8s %-8s %-5s %s\n", "NAME", "STATE", "PID", "UPTIME",
               "RESTARTS", "EXIT", "LAST FAULT");
        for (size_t i = 0; i < n; i++) {
            char up[32] = "-", ex[16] = "-", pid[24] = "-";
            if (run_state_live(rs[i].state)) {
                fmt_uptime(now - rs[i].since, up, sizeof up);
                snprintf(pid, sizeof pid, "%ld", rs[i].pid);
            }
            if (rs[i].exit >= 0)
                snprintf(ex, sizeof ex, "%d", rs[i].exit);
            printf("%-16s %-9s %-8s %-8s %-8u %-5s %s\n", rs[i].name, rs[i].state, pid, up,
                   rs[i].restarts, ex, rs[i].fault[0] ? rs[i].fault : "-");
            if (rs[i].frames[0])
                printf("%-16s   frames %s\n", "", rs[i].frames);
        }
    }
    free(rs);
    return EXIT_OK;
}
