/* The xdrv command: shared declarations of the subcommands. */
#ifndef XDRV_CLI_H
#define XDRV_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes (documented in README and `xdrv --help`). */
#define EXIT_OK 0
#define EXIT_USAGE 1    /* bad arguments */
#define EXIT_LOAD 2     /* bad input: unreadable/malformed PE or INF, missing imports */
#define EXIT_FAULT 3    /* the driver faulted or stopped the run (report on stderr) */
#define EXIT_DRIVER 4   /* DriverEntry returned an error NTSTATUS */
#define EXIT_INTERNAL 5 /* host resource failure */

/* xdrv's own version (`xdrv --version`, with the Unicorn it runs on). */
#define XDRV_VERSION "0.8.0"

/* Each subcommand's --help text; `xdrv --help` prints them all. */
extern const char info_usage[], run_usage[], exports_usage[], record_usage[], trace_usage[],
    explore_usage[], diff_usage[], analyze_usage[], verify_usage[], replay_usage[];

int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_exports(int argc, char **argv);
/* xdrv trace record|dump|export|coverage; record is run.c's (a run with a
 * workload instead of traffic). */
int cmd_trace(int argc, char **argv);
int cmd_trace_record(int argc, char **argv);
int cmd_explore(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_analyze(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_replay(int argc, char **argv);
/* xdrv synth: a verified specification as C source (synth.c). */
extern const char synth_usage[];
int cmd_synth(int argc, char **argv);
/* the driver store: src/cli/store.c */
extern const char install_usage[], list_usage[], remove_usage[];
int cmd_install(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_remove(int argc, char **argv);
/* installed drivers running: src/cli/up.c */
extern const char up_usage[], down_usage[], status_usage[];
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_status(int argc, char **argv);
/* The datasheet facts of a device model (its BARs, the registers that take
 * a DMA address) for spec_verify, as `xdrv verify --device MODEL` checks
 * against; regs holds CLI_TRUTH_MAX entries. 0, or -1 for an unknown
 * model. (verify.c; xdrv replay refuses what these facts reject.) */
#define CLI_TRUTH_MAX 64
struct SpecTruth;
struct SpecTruthReg;
int cli_model_truth(const char *model, struct SpecTruth *t, struct SpecTruthReg *regs);
/* --kind KIND[,KIND...] of the trace commands: keep[k] = 1 for each kind
 * named (every kind when list is NULL). -1 after a one-line error naming
 * the command and the known kinds. */
int cli_parse_kinds(const char *cmd, const char *list, unsigned char *keep);
/* A whole unsigned number (decimal, 0x hex or 0 octal, no sign, nothing
 * after it) into *out: 0, or -1. */
int cli_parse_u64(const char *s, uint64_t *out);
/* A recording of `wl` (borrowed) into `out`, with run-style options
 * (argv[0] ignored, then DRIVER.sys, --inf, --device, --param ...): the
 * explorer's child processes run this. Returns an exit code. */
struct Workload;
int run_record_workload(int argc, char **argv, const struct Workload *wl, const char *out);
/* xdrv run with the network backends already open (xdrv replay's
 * hand-over to the original driver: the same interface and cable go on
 * carrying traffic). argv as for xdrv run (argv[0] ignored) without
 * --netdev, --wire or --pcap; the backends (any may be NULL) are the run's
 * from then on and closed at its end. frame (may be NULL): a frame the OS
 * sends once the adapter is up, before serving; rx[0..nrx): frames that
 * arrive on the cable then (ones the replayed spec had not delivered).
 * Returns an exit code. */
struct NetBackend;
struct NetPcap;
int run_with_backends(int argc, char **argv, struct NetBackend *netdev, struct NetBackend *wire,
                      struct NetPcap *pcap, const uint8_t *frame, size_t len,
                      const uint8_t *const *rx, const size_t *rx_len, unsigned nrx);
/* xdrv extract (extract.c): a driver specification from recordings. */
extern const char extract_usage[];
int cmd_extract(int argc, char **argv);
/* The driver's code around each polling site, for analyze and extract
 * (analyze.c): a static disassembly of `driver`, or of the image the
 * recording names when NULL. */
struct Analysis;
void cli_poll_code(struct Analysis *a, const char *driver);
/* "xdrv VERSION" and the Unicorn version, one per line, on stdout. */
int cli_print_version(void);

#endif
