/* The serving process's sandbox (sandbox.h). libseccomp is loaded on
 * demand like Unicorn and Capstone (docs/architecture.md): a function
 * table checked against <seccomp.h> at compile time. */
#include "manager/sandbox.h"

#include <errno.h>
#include <grp.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "vm/libload.h"

#define SCMP_SONAME "libseccomp.so.2"
#define SCMP_PACKAGE "libseccomp2"

/* libseccomp's functions xdrv calls, as in seccomp.h */
#define SCMPLIB_FUNCS(X)                                                                           \
    X(scmp_filter_ctx, seccomp_init, (uint32_t def_action))                                        \
    X(void, seccomp_release, (scmp_filter_ctx ctx))                                                \
    X(int, seccomp_load, (const scmp_filter_ctx ctx))                                              \
    X(int, seccomp_syscall_resolve_name, (const char *name))                                       \
    X(int, seccomp_rule_add_array,                                                                 \
      (scmp_filter_ctx ctx, uint32_t action, int syscall, unsigned int arg_cnt,                    \
       const struct scmp_arg_cmp *arg_array))

typedef struct ScmpLib {
#define X(ret, name, args) ret(*name##_fn) args;
    SCMPLIB_FUNCS(X)
#undef X
} ScmpLib;

/* each prototype matches the header's (a compile error otherwise) */
#define X(ret, name, args) static __attribute__((unused)) ret(*const name##_check) args = name;
SCMPLIB_FUNCS(X)
#undef X

static ScmpLib scmp;
static int scmp_state; /* 0 not tried, 1 loaded, -1 failed */
static char scmp_err[LIBLOAD_ERR_MAX];

int sandbox_load_lib(char *err, size_t errlen)
{
    if (!scmp_state) {
        void *h = libload_open(SCMP_SONAME, SCMP_PACKAGE, scmp_err, sizeof scmp_err);
        ScmpLib l;
        int ok = h != NULL;
#define X(ret, name, args)                                                                         \
    if (ok && !(l.name##_fn = (ret(*) args)libload_sym(h, #name, SCMP_SONAME, SCMP_PACKAGE,        \
                                                        scmp_err, sizeof scmp_err)))               \
        ok = 0;
        SCMPLIB_FUNCS(X)
#undef X
        if (ok)
            scmp = l;
        scmp_state = ok ? 1 : -1;
    }
    if (scmp_state < 0) {
        snprintf(err, errlen, "%s", scmp_err);
        return -1;
    }
    return 0;
}

int sandbox_user(const char *spec, SandboxOpts *o, char *err, size_t errlen)
{
    const char *sudo_uid = getenv("SUDO_UID"), *sudo_gid = getenv("SUDO_GID");
    char *end;
    if (spec && *spec) {
        unsigned long n = strtoul(spec, &end, 10);
        struct passwd *pw = *end ? getpwnam(spec) : getpwuid((uid_t)n);
        if (!pw && *end) {
            snprintf(err, errlen, "no user '%s'", spec);
            return -1;
        }
        o->uid = pw ? pw->pw_uid : (uid_t)n;
        o->gid = pw ? pw->pw_gid : (gid_t)n;
    } else if (sudo_uid && *sudo_uid && strtoul(sudo_uid, &end, 10) != 0 && !*end) {
        o->uid = (uid_t)strtoul(sudo_uid, NULL, 10);
        o->gid = sudo_gid && *sudo_gid ? (gid_t)strtoul(sudo_gid, NULL, 10) : (gid_t)o->uid;
    } else {
        struct passwd *pw = getpwnam("nobody");
        o->uid = pw ? pw->pw_uid : 65534;
        o->gid = pw ? pw->pw_gid : 65534;
    }
    if (o->uid == 0) {
        snprintf(err, errlen, "the sandbox's user must not be root");
        return -1;
    }
    return 0;
}

/* The system calls the serving loop makes (strace of a served netns test,
 * docs/sandbox.md): I/O and polling on the descriptors it holds, memory
 * (Unicorn's code buffer too), time, signals, exit. */
static const char *const sandbox_allowed[] = {
    "read", "write", "readv", "writev", "pread64", "pwrite64", "lseek", "close", "fcntl",
    "poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "recvfrom", "sendto",
    "recvmsg", "sendmsg", "accept", "accept4", "shutdown", "epoll_ctl",
    /* a unix-socket peer's file removed at the end: in the empty root there is
     * nothing to remove (it stays behind) */
    "unlink", "unlinkat", "fstat", "newfstatat", "mmap", "munmap", "mprotect", "mremap",
    "madvise", "brk", "futex", "clock_gettime", "clock_getres", "gettimeofday", "time",
    "clock_nanosleep", "nanosleep", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
    "sigaltstack", "restart_syscall", "exit", "exit_group", "getpid", "gettid", "tgkill",
    "getrandom", "sched_yield", "getuid", "geteuid", "getgid", "getegid",
    /* glibc's qsort asks how much memory there is (the fault report sorts) */
    "sysinfo",
#if defined(__SANITIZE_ADDRESS__)
    /* the ASan build's runtime, for its reports (it finds nothing to open
     * in the empty root); its leak check is off in a sandboxed process */
    "openat", "readlink", "readlinkat", "getdents64", "prctl", "sched_getaffinity",
#endif
};

/* ioctl only on what the TAP needs while serving: the carrier and the MAC
 * (on the tun descriptor itself), isatty */
static const unsigned long sandbox_ioctls[] = {TUNSETCARRIER, SIOCSIFHWADDR, SIOCGIFHWADDR, TCGETS,
                                               FIONBIO};

#if defined(__SANITIZE_ADDRESS__)
static int lsan_off;
/* LeakSanitizer's hook: its check at exit stops the world with ptrace
 * from a new thread, which the filter does not allow */
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
    return lsan_off;
}
#endif

static int load_filter(char *err, size_t errlen)
{
    scmp_filter_ctx ctx = scmp.seccomp_init_fn(SCMP_ACT_KILL_PROCESS);
    if (!ctx) {
        snprintf(err, errlen, "seccomp_init failed");
        return -1;
    }
    for (size_t i = 0; i < sizeof sandbox_allowed / sizeof sandbox_allowed[0]; i++) {
        int nr = scmp.seccomp_syscall_resolve_name_fn(sandbox_allowed[i]);
        if (nr == __NR_SCMP_ERROR)
            continue; /* not on this architecture (aarch64 has no poll) */
        int rc = scmp.seccomp_rule_add_array_fn(ctx, SCMP_ACT_ALLOW, nr, 0, NULL);
        if (rc < 0) {
            snprintf(err, errlen, "seccomp: allowing %s: %s", sandbox_allowed[i], strerror(-rc));
            scmp.seccomp_release_fn(ctx);
            return -1;
        }
    }
    int io = scmp.seccomp_syscall_resolve_name_fn("ioctl");
    for (size_t i = 0; i < sizeof sandbox_ioctls / sizeof sandbox_ioctls[0]; i++) {
        struct scmp_arg_cmp a = {.arg = 1, .op = SCMP_CMP_EQ, .datum_a = sandbox_ioctls[i]};
        int rc = scmp.seccomp_rule_add_array_fn(ctx, SCMP_ACT_ALLOW, io, 1, &a);
        if (rc < 0) {
            snprintf(err, errlen, "seccomp: allowing ioctl 0x%lx: %s", sandbox_ioctls[i],
                     strerror(-rc));
            scmp.seccomp_release_fn(ctx);
            return -1;
        }
    }
    int rc = scmp.seccomp_load_fn(ctx);
    scmp.seccomp_release_fn(ctx);
    if (rc < 0) {
        snprintf(err, errlen, "seccomp_load: %s", strerror(-rc));
        return -1;
    }
    return 0;
}

int sandbox_enter(const SandboxOpts *o, char *what, size_t whatlen, char *err, size_t errlen)
{
    if (sandbox_load_lib(err, errlen) < 0)
        return -1;
    int root = geteuid() == 0;
    size_t n = 0;
    what[0] = '\0';
    if (root) {
        /* an empty root: a fresh directory, entered and then deleted, so
         * nothing can be created in it and it leaves nothing behind */
        char dir[] = "/tmp/xdrv-sandbox-XXXXXX";
        if (!mkdtemp(dir) || chdir(dir) < 0 || rmdir(dir) < 0 || chroot(".") < 0 ||
            chdir("/") < 0) {
            snprintf(err, errlen, "an empty root (%s): %s", dir, strerror(errno));
            return -1;
        }
        /* the parent-death signal (a supervisor killed outright takes its
         * serving process along) does not survive a change of user: set
         * again after it */
        int pdeath = 0;
        prctl(PR_GET_PDEATHSIG, &pdeath, 0, 0, 0);
        pid_t parent = getppid();
        if (setgroups(0, NULL) < 0 || setresgid(o->gid, o->gid, o->gid) < 0 ||
            setresuid(o->uid, o->uid, o->uid) < 0) {
            snprintf(err, errlen, "becoming user %u: %s", (unsigned)o->uid, strerror(errno));
            return -1;
        }
        if (pdeath && (prctl(PR_SET_PDEATHSIG, pdeath, 0, 0, 0) < 0 || getppid() != parent)) {
            snprintf(err, errlen, "the supervisor is gone");
            return -1;
        }
        /* setresuid from root to another user cleared every capability;
         * make sure no way back remains */
        if (setuid(0) == 0) {
            snprintf(err, errlen, "still able to become root after dropping it");
            return -1;
        }
        n += (size_t)snprintf(what + n, whatlen - n, "user %u:%u, no capabilities, empty root, ",
                              (unsigned)o->uid, (unsigned)o->gid);
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
        snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
        return -1;
    }
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_CORE, &none);
    if (root)
        setrlimit(RLIMIT_NPROC, &none); /* (counted per user: nobody's other processes) */
    if (o->as_limit) {
        struct rlimit as = {o->as_limit, o->as_limit};
        if (setrlimit(RLIMIT_AS, &as) < 0) {
            snprintf(err, errlen, "RLIMIT_AS: %s", strerror(errno));
            return -1;
        }
    }
    if (o->cpu_limit) {
        struct rlimit cpu = {o->cpu_limit, o->cpu_limit};
        if (setrlimit(RLIMIT_CPU, &cpu) < 0) {
            snprintf(err, errlen, "RLIMIT_CPU: %s", strerror(errno));
            return -1;
        }
    }
    if (load_filter(err, errlen) < 0)
        return -1;
#if defined(__SANITIZE_ADDRESS__)
    lsan_off = 1;
#endif
    snprintf(what + n, whatlen - n, "no new privileges, seccomp allow-list of %zu calls%s%s",
             sizeof sandbox_allowed / sizeof sandbox_allowed[0] + 1,
             o->as_limit ? ", address space limited" : "", o->cpu_limit ? ", CPU time limited" : "");
    return 0;
}
