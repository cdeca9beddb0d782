/* The supervisor of an installed driver's serving process (supervise.h). */
#include "manager/supervise.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "manager/store.h"

#define RUN_MAGIC "xdrv-run 1"

int run_dir(char *out, size_t len, char *err, size_t errlen)
{
    const char *env = getenv("XDRV_RUN_DIR"), *xdg = getenv("XDG_RUNTIME_DIR");
    int n;
    if (env && *env)
        n = snprintf(out, len, "%s", env);
    else if (geteuid() == 0)
        n = snprintf(out, len, "/run/xdrv");
    else if (xdg && *xdg == '/')
        n = snprintf(out, len, "%s/xdrv", xdg);
    else
        n = snprintf(out, len, "/tmp/xdrv-%u", (unsigned)getuid());
    if (n < 0 || (size_t)n >= len) {
        snprintf(err, errlen, "run directory path too long");
        return -1;
    }
    return 0;
}

int run_alive(long pid)
{
    return pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

int run_state_live(const char *state)
{
    return !strcmp(state, "starting") || !strcmp(state, "running") ||
           !strcmp(state, "restarting") || !strcmp(state, "stopping");
}

int run_state_ended(const char *state)
{
    return !strcmp(state, "exited") || !strcmp(state, "faulted") || !strcmp(state, "failed");
}

int run_state_write(const char *path, const RunState *s, char *err, size_t errlen)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    fprintf(f,
            RUN_MAGIC "\nname = %s\npid = %ld\nchild = %ld\nstate = %s\nsince = %lld\n"
                      "updated = %lld\nrestarts = %u\nexit = %d\nfault = %s\nframes = %s\n",
            s->name, s->pid, s->child, s->state, (long long)s->since, (long long)s->updated,
            s->restarts, s->exit, s->fault, s->frames);
    return store_file_commit(f, tmp, path, err, errlen);
}

int run_state_read(const char *path, RunState *s, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->exit = -1;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    char line[1024];
    int n = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (n++ == 0) {
            if (strcmp(line, RUN_MAGIC)) {
                snprintf(err, errlen, "%s: not an xdrv run state", path);
                rc = -1;
                break;
            }
            continue;
        }
        char *eq = strstr(line, " = ");
        if (!eq)
            eq = strstr(line, " =");
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected 'key = value'", path, n);
            rc = -1;
            break;
        }
        *eq = '\0';
        const char *k = line, *v = eq[2] == ' ' ? eq + 3 : eq + 2;
        if (!strcmp(k, "name"))
            snprintf(s->name, sizeof s->name, "%s", v);
        else if (!strcmp(k, "pid"))
            s->pid = strtol(v, NULL, 10);
        else if (!strcmp(k, "child"))
            s->child = strtol(v, NULL, 10);
        else if (!strcmp(k, "state"))
            snprintf(s->state, sizeof s->state, "%s", v);
        else if (!strcmp(k, "since"))
            s->since = strtoll(v, NULL, 10);
        else if (!strcmp(k, "updated"))
            s->updated = strtoll(v, NULL, 10);
        else if (!strcmp(k, "restarts"))
            s->restarts = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(k, "exit"))
            s->exit = (int)strtol(v, NULL, 10);
        else if (!strcmp(k, "fault"))
            snprintf(s->fault, sizeof s->fault, "%s", v);
        else if (!strcmp(k, "frames"))
            snprintf(s->frames, sizeof s->frames, "%s", v);
    }
    if (!rc && n == 0) {
        snprintf(err, errlen, "%s: empty", path);
        rc = -1;
    }
    fclose(f);
    return rc;
}

static volatile sig_atomic_t sup_stop;
static volatile pid_t sup_child;

static void sup_on_signal(int sig)
{
    (void)sig;
    sup_stop = 1;
    if (sup_child > 0)
        kill(sup_child, SIGTERM); /* async-signal-safe */
}

/* SIGUSR1/SIGUSR2 (pull and plug the model's cable) are the serving
 * process's: passed on as they are */
static void sup_on_user(int sig)
{
    if (sup_child > 0)
        kill(sup_child, sig);
}

/* Lines read from one of the child's streams. */
typedef struct Stream {
    int fd;
    FILE *to;
    char buf[2048];
    size_t n;
} Stream;

static void note_line(RunState *s, const char *line)
{
    /* the serving process's fault report ("fault: ..."), or the line that
     * says it stopped ("xdrv run: the driver stopped the run ...") */
    if (!strncmp(line, "fault: ", 7) || (!strncmp(line, "xdrv run: ", 10) && !s->fault[0]))
        snprintf(s->fault, sizeof s->fault, "%s", line);
    const char *fr = strstr(line, "frames host->driver");
    if (fr)
        snprintf(s->frames, sizeof s->frames, "%s", fr + 7);
}

/* Copy what is there; 0 at the end of the stream. */
static int stream_pump(Stream *st, RunState *s)
{
    ssize_t r = read(st->fd, st->buf + st->n, sizeof st->buf - 1 - st->n);
    if (r < 0)
        return errno == EINTR || errno == EAGAIN ? 1 : 0;
    if (r == 0) {
        if (st->n) {
            st->buf[st->n] = '\0';
            fputs(st->buf, st->to);
            note_line(s, st->buf);
        }
        fflush(st->to);
        return 0;
    }
    st->n += (size_t)r;
    st->buf[st->n] = '\0';
    char *start = st->buf, *nl;
    while ((nl = strchr(start, '\n'))) {
        *nl = '\0';
        fprintf(st->to, "%s\n", start);
        note_line(s, start);
        start = nl + 1;
    }
    size_t rest = st->n - (size_t)(start - st->buf);
    if (rest == sizeof st->buf - 1) { /* a line longer than the buffer: out as it is */
        fputs(start, st->to);
        rest = 0;
    }
    memmove(st->buf, start, rest);
    st->n = rest;
    fflush(st->to);
    return 1;
}

/* One serving process, from fork to exit: its exit status (128 + N for a
 * signal N), the state file following; -1 when it could not start. */
static int run_child(const SuperviseOpts *o, RunState *s, char *err, size_t errlen)
{
    int perr[2], pout[2];
    if (pipe(perr) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    if (pipe(pout) < 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        close(perr[0]);
        close(perr[1]);
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        close(perr[0]);
        close(perr[1]);
        close(pout[0]);
        close(pout[1]);
        return -1;
    }
    if (pid == 0) {
        /* the serving process: its own stop handling (the run installs
         * its handlers); SIGHUP is a stop too */
        signal(SIGHUP, SIG_DFL);
        signal(SIGUSR1, SIG_DFL);
        signal(SIGUSR2, SIG_DFL);
        /* a supervisor killed outright takes its serving process along */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(EXIT_FAILURE);
        dup2(perr[1], 2);
        dup2(pout[1], 1);
        close(perr[0]);
        close(perr[1]);
        close(pout[0]);
        close(pout[1]);
        int rc = o->child(o->arg);
        fflush(stdout);
        fflush(stderr);
        _exit(rc & 0xff);
    }
    sup_child = pid;
    close(perr[1]);
    close(pout[1]);
    s->child = (long)pid;
    s->fault[0] = '\0';
    snprintf(s->state, sizeof s->state, "running");
    s->updated = (int64_t)time(NULL);
    char why[RUN_ERR_MAX];
    run_state_write(o->state_path, s, why, sizeof why);
    if (sup_stop) /* a stop that came before the child's pid was known */
        kill(pid, SIGTERM);
    Stream st[2] = {{.fd = perr[0], .to = stderr}, {.fd = pout[0], .to = stdout}};
    int open_n = 2, stopping_noted = 0;
    while (open_n) {
        struct pollfd pf[2];
        nfds_t np = 0;
        int idx[2];
        for (int i = 0; i < 2; i++)
            if (st[i].fd >= 0) {
                pf[np] = (struct pollfd){.fd = st[i].fd, .events = POLLIN};
                idx[np++] = i;
            }
        int r = poll(pf, np, 1000);
        if (sup_stop && !stopping_noted) {
            stopping_noted = 1;
            snprintf(s->state, sizeof s->state, "stopping");
            s->updated = (int64_t)time(NULL);
            run_state_write(o->state_path, s, why, sizeof why);
        }
        if (r < 0)
            continue; /* EINTR: a stop signal */
        for (nfds_t i = 0; i < np; i++)
            if (pf[i].revents && !stream_pump(&st[idx[i]], s)) {
                close(st[idx[i]].fd);
                st[idx[i]].fd = -1;
                open_n--;
            }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    sup_child = 0;
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (WIFSIGNALED(status)) {
        snprintf(s->fault, sizeof s->fault, "the serving process was killed by signal %d (%s)",
                 WTERMSIG(status),
                 WTERMSIG(status) == SIGSYS ? "SIGSYS: a system call outside the sandbox's "
                                              "allow-list"
                                            : strsignal(WTERMSIG(status)));
        fprintf(stderr, "xdrv up: %s: %s\n", o->name, s->fault);
    }
    s->exit = rc;
    s->child = 0;
    snprintf(s->state, sizeof s->state, "%s",
             rc == 0 ? "exited" : rc == 3 || rc > 128 ? "faulted" : "failed");
    s->updated = (int64_t)time(NULL);
    run_state_write(o->state_path, s, why, sizeof why);
    return rc;
}

/* Sleep ms milliseconds, or less if a stop signal comes. */
static void sup_sleep(unsigned ms)
{
    for (unsigned slept = 0; slept < ms && !sup_stop; slept += 50) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int supervise_run(const SuperviseOpts *o, char *err, size_t errlen)
{
    RunState s;
    memset(&s, 0, sizeof s);
    snprintf(s.name, sizeof s.name, "%s", o->name);
    s.pid = (long)getpid();
    s.since = s.updated = (int64_t)time(NULL);
    s.exit = -1;
    snprintf(s.state, sizeof s.state, "starting");
    if (run_state_write(o->state_path, &s, err, errlen) < 0)
        return -1;
    struct sigaction sa = {.sa_handler = sup_on_signal}, su = {.sa_handler = sup_on_user};
    struct sigaction old_int, old_term, old_hup, old_usr1, old_usr2;
    sigemptyset(&sa.sa_mask);
    sigemptyset(&su.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    sigaction(SIGUSR1, &su, &old_usr1);
    sigaction(SIGUSR2, &su, &old_usr2);
    /* a serving process that faulted (exit 3, or killed by a signal) is
     * started again, from DriverEntry on a new machine, after a pause that
     * doubles each time (0.2 s to 30 s); more than restart_limit faults in
     * a row, each within a minute of its start, and the supervisor gives
     * up. Other exits (a clean stop, a driver that fails to initialize, a
     * bad configuration) end it. */
    unsigned quick = 0, backoff = 200;
    int rc;
    for (;;) {
        time_t t0 = time(NULL);
        rc = run_child(o, &s, err, errlen);
        if (rc < 0 || !(rc == 3 || rc > 128) || sup_stop || !o->restart_limit)
            break;
        if (time(NULL) - t0 >= 60) {
            quick = 0;
            backoff = 200;
        }
        if (++quick > o->restart_limit) {
            fprintf(stderr, "xdrv up: %s: %u faults in a row, each within a minute of its start: "
                            "not restarted again\n", o->name, quick);
            break;
        }
        snprintf(s.state, sizeof s.state, "restarting");
        s.updated = (int64_t)time(NULL);
        char why[RUN_ERR_MAX];
        run_state_write(o->state_path, &s, why, sizeof why);
        fprintf(stderr, "xdrv up: %s: restarting in %.1f s (%u of at most %u in a row)\n", o->name,
                backoff / 1000.0, quick, o->restart_limit);
        sup_sleep(backoff);
        if (sup_stop)
            break;
        backoff = backoff * 2 > 30000 ? 30000 : backoff * 2;
        s.restarts++;
    }
    if (sup_stop && !strcmp(s.state, "restarting")) { /* stopped while waiting */
        snprintf(s.state, sizeof s.state, "faulted");
        char why[RUN_ERR_MAX];
        run_state_write(o->state_path, &s, why, sizeof why);
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigaction(SIGUSR1, &old_usr1, NULL);
    sigaction(SIGUSR2, &old_usr2, NULL);
    return rc;
}
