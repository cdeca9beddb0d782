/* Running an installed driver under a supervisor: `xdrv up` forks the
 * serving process, forwards the stop signals to it, keeps a state file
 * that `xdrv status` and `xdrv down` read, and notes the last fault the
 * serving process reported. Format of the state file:
 * docs/formats/store.md. */
#ifndef XDRV_MANAGER_SUPERVISE_H
#define XDRV_MANAGER_SUPERVISE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RUN_ERR_MAX 512

typedef struct RunState {
    char name[64];
    long pid;          /* the supervisor (`xdrv up`) */
    long child;        /* the serving process, 0 when none */
    char state[16];    /* live: starting, running, restarting, stopping;
                          ended: exited, faulted, failed */
    int64_t since;     /* when `xdrv up` started (Unix time) */
    int64_t updated;   /* when this was written */
    unsigned restarts; /* serving processes started again after a fault */
    int exit;          /* the last serving process's exit status (-1: none yet) */
    char fault[400];   /* the last fault it reported, one line */
    char frames[160];  /* its last frame counts, as it printed them */
} RunState;

/* Where state files live: $XDRV_RUN_DIR, else /run/xdrv for root, else
 * $XDG_RUNTIME_DIR/xdrv, else /tmp/xdrv-UID. */
int run_dir(char *out, size_t len, char *err, size_t errlen);
int run_state_write(const char *path, const RunState *s, char *err, size_t errlen);
int run_state_read(const char *path, RunState *s, char *err, size_t errlen);
/* Whether process pid exists (kill(pid, 0)). */
int run_alive(long pid);
/* Whether a state names a supervisor still at work, or one that has ended
 * (an unknown state is neither). */
int run_state_live(const char *state);
int run_state_ended(const char *state);

typedef struct SuperviseOpts {
    const char *name;
    const char *state_path;
    /* runs in the child (stderr is a pipe to the supervisor); its return
     * value is the child's exit status */
    int (*child)(void *arg);
    void *arg;
    /* faults in a row that are restarted (0: none): see supervise_run */
    unsigned restart_limit;
} SuperviseOpts;

/* Fork the serving process and supervise it until it exits: SIGINT,
 * SIGTERM and SIGHUP are passed on to it as SIGTERM (a clean stop); its
 * stderr is copied to ours, the last fault report kept; the state file
 * follows. A fault (exit 3, or a signal) starts it again with a growing
 * pause, restart_limit times in a row at most. Returns the last exit
 * status (128 + N for a signal N), or -1 with a one-line reason when it
 * could not be started. */
int supervise_run(const SuperviseOpts *o, char *err, size_t errlen);

#endif
