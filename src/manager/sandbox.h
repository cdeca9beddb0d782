/* The sandbox a serving process enters once everything that needs
 * privilege or the file system is open (the TAP and the cable, the capture
 * file, the driver image and its INF read, Unicorn and Capstone loaded),
 * before the driver's first instruction: an empty root directory, an
 * unprivileged user with no capabilities, no new privileges, resource
 * limits, and a seccomp-bpf allow-list (libseccomp) of the system calls
 * the serving loop makes on the descriptors it holds. What each step is
 * for: docs/sandbox.md. */
#ifndef XDRV_MANAGER_SANDBOX_H
#define XDRV_MANAGER_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define SANDBOX_ERR_MAX 512

typedef struct SandboxOpts {
    uid_t uid; /* whom the process becomes (as root) */
    gid_t gid;
    uint64_t as_limit;  /* RLIMIT_AS, bytes (0: none) */
    uint64_t cpu_limit; /* RLIMIT_CPU, seconds (0: none) */
} SandboxOpts;

/* The user a sandboxed process runs as: `spec` (a user name or a number)
 * if given, else the invoking user under sudo ($SUDO_UID/$SUDO_GID), else
 * `nobody`. Resolved before the file system is gone. 0 or -1 with a
 * reason. */
int sandbox_user(const char *spec, SandboxOpts *o, char *err, size_t errlen);

/* Enter the sandbox. As root: chroot into an empty, already deleted
 * directory and become o->uid/o->gid with no supplementary groups (which
 * drops every capability). Always: PR_SET_NO_NEW_PRIVS, the resource
 * limits (no core files, no new processes), the seccomp filter (a system
 * call outside the list kills the process: SIGSYS). `what` receives a
 * one-line summary of what was done. 0, or -1 with a reason (nothing
 * half-entered is left running: the caller exits). */
int sandbox_enter(const SandboxOpts *o, char *what, size_t whatlen, char *err, size_t errlen);

/* Load libseccomp now (the sandbox loads it before the file system is
 * gone anyway); 0 or -1 naming the library and its Debian package. */
int sandbox_load_lib(char *err, size_t errlen);

#endif
