/* xdrv: run and inspect x86 Windows kernel drivers in an unprivileged
 * Linux process. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "vm/vm.h"

static const char usage[] =
    "usage: xdrv <command> [options]\n"
    "       xdrv --version | --help\n"
    "\n"
    "commands:\n"
    "  info DRIVER.sys [--json]     headers, sections, version, imports (implemented or missing)\n"
    "  info --boards [--json]       the boards each network controller model can present\n"
    "  run DRIVER.sys [options]     load the driver, call DriverEntry, serve requests, unload\n"
    "  exports [--markdown]         the kernel APIs xdrv implements (from the export tables)\n"
    "  trace record DRIVER.sys ... -o RUN.xtr   play a workload, record driver<->hardware\n"
    "  trace dump|export|coverage RUN.xtr       read a recording\n"
    "  explore DRIVER.sys ... -o DIR            coverage-guided exploration of a driver\n"
    "  diff A.xtr B.xtr [--stat|--json]         what changed in behaviour between two recordings\n"
    "  analyze RUN.xtr... [-o REPORT]           registers, fits, polls a driver's traces show\n"
    "  extract RUN.xtr... -o DRIVER.xsm         a driver specification from recordings\n"
    "  verify DRIVER.xsm [--device M]           static safety checks of a driver specification\n"
    "  replay DRIVER.xsm --device M ...         serve a NIC from a verified spec, no driver code\n"
    "  synth DRIVER.xsm -o OUT.c                a verified spec as the C source of a driver\n"
    "  install DRIVER.inf [--name N]            copy a driver into the store, imports checked\n"
    "  list                                     the installed drivers\n"
    "  remove NAME                              remove an installed driver\n"
    "  up NAME [--netdev ...]                   run an installed driver until stopped\n"
    "  down NAME                                stop a driver xdrv up runs\n"
    "  status [NAME]                            what xdrv up runs or ran\n"
    "  --version                    xdrv's version and the Unicorn version it runs on\n"
    "  --help                       this text\n"
    "\n"
    "`xdrv COMMAND --help` describes one command; all of them follow.\n"
    "\n"
    "exit status: 0 ok, 1 bad arguments, 2 bad input (malformed file, missing imports),\n"
    "             3 the driver faulted or was interrupted (report on stderr),\n"
    "             4 DriverEntry or MiniportInitialize failed, 5 host failure\n";

int cli_print_version(void)
{
    char uc[128];
    printf("xdrv %s\n%s\n", XDRV_VERSION, vm_engine_version(uc, sizeof uc));
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        /* every subcommand's options, as the README lists them */
        printf("%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s", usage, info_usage, run_usage,
               exports_usage, trace_usage, record_usage, explore_usage, diff_usage, analyze_usage,
               extract_usage, verify_usage, replay_usage);
        printf("\n%s\n%s\n%s\n%s\n%s\n%s\n%s", synth_usage, install_usage, list_usage,
               remove_usage, up_usage, down_usage, status_usage);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V"))
        return cli_print_version();
    if (!strcmp(cmd, "info"))
        return cmd_info(argc - 1, argv + 1);
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "exports"))
        return cmd_exports(argc - 1, argv + 1);
    if (!strcmp(cmd, "trace"))
        return cmd_trace(argc - 1, argv + 1);
    if (!strcmp(cmd, "explore"))
        return cmd_explore(argc - 1, argv + 1);
    if (!strcmp(cmd, "diff"))
        return cmd_diff(argc - 1, argv + 1);
    if (!strcmp(cmd, "analyze"))
        return cmd_analyze(argc - 1, argv + 1);
    if (!strcmp(cmd, "extract"))
        return cmd_extract(argc - 1, argv + 1);
    if (!strcmp(cmd, "verify"))
        return cmd_verify(argc - 1, argv + 1);
    if (!strcmp(cmd, "replay"))
        return cmd_replay(argc - 1, argv + 1);
    if (!strcmp(cmd, "synth"))
        return cmd_synth(argc - 1, argv + 1);
    if (!strcmp(cmd, "install"))
        return cmd_install(argc - 1, argv + 1);
    if (!strcmp(cmd, "list"))
        return cmd_list(argc - 1, argv + 1);
    if (!strcmp(cmd, "remove"))
        return cmd_remove(argc - 1, argv + 1);
    if (!strcmp(cmd, "up"))
        return cmd_up(argc - 1, argv + 1);
    if (!strcmp(cmd, "down"))
        return cmd_down(argc - 1, argv + 1);
    if (!strcmp(cmd, "status"))
        return cmd_status(argc - 1, argv + 1);
    fprintf(stderr, "xdrv: unknown command '%s' (try xdrv --help)\n", cmd);
    return EXIT_USAGE;
}
