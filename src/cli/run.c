/* xdrv run: load a driver into the guest, call DriverEntry, serve requests
 * to its devices, unload it and report leaks. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "exercise/exercise.h"
#include "exercise/workload.h"
#include "host/net.h"
#include "machine/boards.h"
#include "machine/machine.h"
#include "manager/sandbox.h"
#include "nt/loader.h"
#include "nt/nt.h"
#include "nt/ntoskrnl/io.h"
#include "nt/ntoskrnl/registry.h"
#include "pe/inf.h"
#include "trace/trace.h"
#include "trace/xtr.h"
#include "vm/libload.h"
#include "vm/vm.h"
#include <signal.h>
#include <sys/socket.h>

const char record_usage[] =
    "usage: xdrv trace record DRIVER.sys [--inf F.inf] [--device MODEL] [--workload W]\n"
    "                         -o RUN.xtr [options]\n"
    "  Run a network driver as `xdrv run` does, but instead of serving traffic play a\n"
    "  workload of OS requests and cable events against it and record every\n"
    "  interaction between the driver and the hardware into a trace file: port, MMIO\n"
    "  and PCI configuration accesses (with register names), device DMA with its bytes,\n"
    "  the driver's stores into memory the device can reach, the interrupt line, calls\n"
    "  into the driver and kernel API calls, each request's markers, frames, and the\n"
    "  driver code that ran per request (coverage). Virtual time only: the same inputs\n"
    "  give a byte-identical file. Inspect it with xdrv trace dump | export | coverage.\n"
    "options:\n"
    "  -o, --output FILE   the trace file (docs/formats/trace.md); required\n"
    "  --workload W        a workload file (docs/formats/workload.md) or a built-in\n"
    "                      suite: standard (default; every request kind) or sweep\n"
    "  --pcap FILE         also write the cable's frames to a pcap file (virtual time)\n"
    "  --inf, --device, --service, --param, --budget, --allow-missing, -v:\n"
    "                      as for xdrv run (xdrv run --help)\n"
    "exit status: as xdrv run; 3 when the driver faulted (the trace is complete and\n"
    "ends with the fault), 2 for an unreadable or malformed workload.\n";

const char run_usage[] =
    "usage: xdrv run DRIVER.sys [options]\n"
    "  Load the driver into an emulated Windows kernel, call DriverEntry, list\n"
    "  the devices and symbolic links it created, serve the given requests,\n"
    "  call DriverUnload and report pool leaks. Driver output (DbgPrint) and\n"
    "  request results go to stdout; errors and fault reports to stderr.\n"
    "options:\n"
    "  --inf FILE.inf      fill the registry from the INF (service and device AddReg);\n"
    "                      without a network --device, the INF's first hardware ID a\n"
    "                      model can present chooses the model and the board it presents\n"
    "                      (xdrv info --boards lists them)\n"
    "  --device SPEC       attach a device model; repeatable (one network controller):\n"
    "                        rtl8139[,mac=MAC]      Realtek RTL8139C(L), PCI 10EC:8139\n"
    "                        ne2000[,mac=MAC]       NE2000 (Realtek RTL8029AS), PCI 10EC:8029\n"
    "                        ne2000-isa[,io=0x300][,irq=10][,mac=MAC]  NE2000 on ISA\n"
    "                        pcnet[,mac=MAC]        AMD PCnet-PCI II (Am79C970A), PCI 1022:2000\n"
    "                        e1000[,mac=MAC]        Intel PRO/1000 MT (82540EM), PCI 8086:100E\n"
    "                        testdev[,io=PORT][,mmio=ADDR]     xdrv's test device\n"
    "                        (testdev: default io=0x300; mmio page-aligned, 0xc0000000 and up)\n"
    "                      PCI models also take a board's identity (with --inf they take\n"
    "                      the INF's; these options override it):\n"
    "                        vendor=0xVVVV,device=0xDDDD  PCI vendor and device ID\n"
    "                        subsys=VVVV:SSSS       subsystem vendor and subsystem ID (hex)\n"
    "                        rev=0xRR               revision ID\n"
    "                      e.g. --device rtl8139,vendor=0x1186,device=0x1300\n"
    "  --netdev tap,ifname=NAME   the driver's adapter as a Linux network interface\n"
    "                      (or unix,path=PATH[,listen]: frames to a peer process)\n"
    "  --wire SPEC         where the controller's cable goes: tap,ifname=NAME |\n"
    "                      unix,path=PATH[,listen] (one frame per message)\n"
    "  --pcap FILE         record the cable's traffic (pcap, both directions)\n"
    "  With a network controller, xdrv initializes the miniport after DriverEntry\n"
    "  and serves traffic until SIGINT or SIGTERM, then halts it cleanly.\n"
    "  SIGUSR1 pulls the model's cable (link down), SIGUSR2 plugs it back.\n"
    "  --service NAME      service name (default: from the INF, else the file name)\n"
    "  --param NAME=VALUE  a driver parameter under Services\\<service>\\Parameters:\n"
    "                      REG_SZ as Windows stores advanced properties, or REG_DWORD\n"
    "                      with VALUE dword:N (e.g. dword:0x10); repeatable\n"
    "  --request 'REQ'     a request to serve after DriverEntry; repeatable:\n"
    "                        open NAME              IRP_MJ_CREATE; handles are 1, 2, ...\n"
    "                        read H LEN             IRP_MJ_READ of LEN bytes\n"
    "                        write H HEX|\"text\"     IRP_MJ_WRITE\n"
    "                        ioctl H CODE [HEX|-] [OUTLEN]   IRP_MJ_DEVICE_CONTROL\n"
    "                        close H                IRP_MJ_CLEANUP + IRP_MJ_CLOSE\n"
    "  --requests FILE     read requests from FILE, one per line ('-' = stdin; # comments)\n"
    "  --no-unload         do not call DriverUnload\n"
    "  --allow-missing     run even if imports are missing; calling one stops the run\n"
    "  --budget N          basic blocks a single call into the driver may run\n"
    "                      (default 400000000); exceeding it is a runaway fault\n"
    "  --call-timeout S    seconds a single call into the driver may take, in virtual\n"
    "                      time (its blocks, and what it stalls or waits) and in wall\n"
    "                      time (default 10 virtual, 30 wall); a hang past it is a\n"
    "                      runaway fault\n"
    "  --trace FILE        write every event (API calls, calls into the driver, port\n"
    "                      and MMIO accesses, interrupts, frames, DbgPrint, faults)\n"
    "                      to FILE, one line each\n"
    "  -v, --verbose       log every API call with decoded arguments and result, and\n"
    "                      every call into the driver, port and MMIO access\n"
    "  --sandbox           before DriverEntry, with every file and device open: an\n"
    "                      empty root, an unprivileged user with no capabilities, no\n"
    "                      new privileges, no new processes, a seccomp allow-list of\n"
    "                      the serving loop's system calls (docs/sandbox.md)\n"
    "  --sandbox-user U    the user to become (default: the invoking user under sudo,\n"
    "                      else nobody)\n"
    "  --limit-as MB       with --sandbox: address space limit (RLIMIT_AS)\n"
    "  --limit-cpu S       with --sandbox: CPU time limit in seconds (RLIMIT_CPU)\n"
    "SIGINT/SIGTERM while the driver runs stops it with a report of where it was.\n"
    "exit status: 0 ok, 1 bad arguments, 2 bad input (malformed file, missing\n"
    "imports), 3 the driver faulted or was interrupted (report on stderr),\n"
    "4 DriverEntry or MiniportInitialize failed, 5 host failure.\n";

#define MAX_REQ 256

typedef struct RunOpts {
    const char *driver, *inf, *service;
    const char *params[64];
    unsigned nparams;
    char *reqs[MAX_REQ];
    unsigned nreqs;
    int verbose, allow_missing, no_unload;
    uint64_t budget;
    /* --sandbox: the run enters src/manager/sandbox.h before DriverEntry */
    int sandbox;
    const char *sandbox_user;
    uint64_t limit_as_mb, limit_cpu;
    int early_backends; /* opened before the sandbox; serve_nic takes them */
    uint64_t call_timeout_s; /* --call-timeout: the per-call watchdog (vm.h) */
    const char *devices[8];
    unsigned ndevices;
    const char *netdev, *wire, *pcap, *trace;
    /* xdrv replay's hand-over: backends already open, and the frame the
     * spec did not send (run_with_backends) */
    int have_backends;
    NetBackend *netdev_be, *wire_be;
    NetPcap *pcap_be;
    const uint8_t *pending;
    size_t pending_len;
    const uint8_t *const *cable; /* frames the spec had not delivered */
    const size_t *cable_len;
    unsigned ncable;
    /* xdrv trace record: the workload and the trace file */
    int record;
    const char *output, *workload_spec;
    Workload wl;
    int have_wl, output_borrowed_wl;
} RunOpts;

static int add_request(RunOpts *o, const char *r)
{
    if (o->nreqs == MAX_REQ) {
        fprintf(stderr, "xdrv run: more than %d requests\n", MAX_REQ);
        return -1;
    }
    o->reqs[o->nreqs] = strdup(r);
    return o->reqs[o->nreqs++] ? 0 : -1;
}

static int read_requests(RunOpts *o, const char *path)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!f) {
        fprintf(stderr, "xdrv run: --requests %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        char *s = line;
        while (isspace((unsigned char)*s))
            s++;
        if (!*s || *s == '#')
            continue;
        if (add_request(o, s) < 0) {
            rc = -1;
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    return rc;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

static int parse_args(RunOpts *o, int argc, char **argv)
{
    const char *usage = o->record ? record_usage : run_usage;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return 1;
        } else if (o->record && (!strcmp(a, "--netdev") || !strcmp(a, "--wire") ||
                                 !strcmp(a, "--trace") || !strcmp(a, "--request") ||
                                 !strcmp(a, "--requests") || !strcmp(a, "--no-unload"))) {
            fprintf(stderr,
                    "xdrv trace record: %s is an option of xdrv run; a recording is driven by "
                    "its --workload alone (xdrv trace record --help)\n",
                    a);
            return -1;
        } else if (o->record && (!strcmp(a, "-o") || !strcmp(a, "--output") ||
                                 !strcmp(a, "--workload"))) {
            if (!has_next) {
                fprintf(stderr, "xdrv trace record: %s needs a value\n", a);
                return -1;
            }
            if (a[1] == 'o' || a[2] == 'o')
                o->output = argv[++i];
            else
                o->workload_spec = argv[++i];
        } else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
            o->verbose = 1;
        } else if (!strcmp(a, "--allow-missing")) {
            o->allow_missing = 1;
        } else if (!strcmp(a, "--no-unload")) {
            o->no_unload = 1;
        } else if (!strcmp(a, "--call-timeout")) {
            uint64_t sec = 0;
            if (!has_next || cli_parse_u64(argv[++i], &sec) < 0 || sec == 0 || sec > 86400) {
                fprintf(stderr, "xdrv run: --call-timeout: seconds, from 1 to 86400\n");
                return -1;
            }
            o->call_timeout_s = sec;
        } else if (!strcmp(a, "--sandbox") && !o->record) {
            o->sandbox = 1;
        } else if ((!strcmp(a, "--sandbox-user") || !strcmp(a, "--limit-as") ||
                    !strcmp(a, "--limit-cpu")) && !o->record) {
            if (!has_next) {
                fprintf(stderr, "xdrv run: %s needs a value\n", a);
                return -1;
            }
            const char *v = argv[++i];
            uint64_t *num = !strcmp(a, "--limit-as") ? &o->limit_as_mb
                            : !strcmp(a, "--limit-cpu") ? &o->limit_cpu : NULL;
            if (!num)
                o->sandbox_user = v;
            else if (cli_parse_u64(v, num) < 0 || *num == 0 || *num > (1ull << 40)) {
                fprintf(stderr, "xdrv run: %s '%s': expected a positive number\n", a, v);
                return -1;
            }
        } else if ((!strcmp(a, "--inf") || !strcmp(a, "--device") || !strcmp(a, "--netdev") ||
                    !strcmp(a, "--wire") || !strcmp(a, "--pcap") || !strcmp(a, "--trace") || !strcmp(a, "--service") ||
                    !strcmp(a, "--param") || !strcmp(a, "--request") || !strcmp(a, "--requests") ||
                    !strcmp(a, "--budget")) &&
                   !has_next) {
            fprintf(stderr, "xdrv run: %s needs a value\n", a);
            return -1;
        } else if (!strcmp(a, "--inf")) {
            o->inf = argv[++i];
        } else if (!strcmp(a, "--device")) {
            if (o->ndevices == 8) {
                fprintf(stderr, "xdrv run: too many --device\n");
                return -1;
            }
            o->devices[o->ndevices++] = argv[++i];
        } else if (!strcmp(a, "--netdev")) {
            o->netdev = argv[++i];
        } else if (!strcmp(a, "--wire")) {
            o->wire = argv[++i];
        } else if (!strcmp(a, "--pcap")) {
            o->pcap = argv[++i];
        } else if (!strcmp(a, "--trace")) {
            o->trace = argv[++i];
        } else if (!strcmp(a, "--service")) {
            o->service = argv[++i];
        } else if (!strcmp(a, "--param")) {
            const char *p = argv[++i];
            const char *eq = strchr(p, '=');
            if (!eq || eq == p) {
                fprintf(stderr, "xdrv run: --param '%s': expected NAME=VALUE\n", p);
                return -1;
            }
            uint32_t dw;
            if (!strncmp(eq + 1, "dword:", 6) && !nt_reg_parse_number(eq + 7, &dw)) {
                fprintf(
                    stderr,
                    "xdrv run: --param '%s': dword: needs a 32-bit number (decimal or 0x hex)\n",
                    p);
                return -1;
            }
            if (o->nparams == 64) {
                fprintf(stderr, "xdrv run: too many --param\n");
                return -1;
            }
            o->params[o->nparams++] = p;
        } else if (!strcmp(a, "--request")) {
            if (add_request(o, argv[++i]) < 0)
                return -1;
        } else if (!strcmp(a, "--requests")) {
            if (read_requests(o, argv[++i]) < 0)
                return -1;
        } else if (!strcmp(a, "--budget")) {
            if (cli_parse_u64(argv[++i], &o->budget) < 0 || o->budget == 0) {
                fprintf(stderr, "xdrv run: --budget '%s': expected a positive number\n", argv[i]);
                return -1;
            }
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "xdrv run: unknown option '%s' (xdrv run --help)\n", a);
            return -1;
        } else if (!o->driver) {
            o->driver = a;
        } else {
            fprintf(stderr, "xdrv run: more than one driver given ('%s')\n", a);
            return -1;
        }
    }
    if (!o->driver) {
        fputs(usage, stderr);
        return -1;
    }
    if ((o->sandbox_user || o->limit_as_mb || o->limit_cpu) && !o->sandbox) {
        fprintf(stderr, "xdrv run: --sandbox-user, --limit-as and --limit-cpu go with --sandbox\n");
        return -1;
    }
    if (o->record && !o->have_wl) {
        if (!o->output) {
            fprintf(stderr, "xdrv trace record: -o RUN.xtr is required (where the trace goes)\n");
            return -1;
        }
        char err[WL_ERR_MAX + 64];
        if (workload_load(o->workload_spec ? o->workload_spec : "standard", &o->wl, err,
                          sizeof err) < 0) {
            fprintf(stderr, "xdrv trace record: --workload %s: %s\n",
                    o->workload_spec ? o->workload_spec : "standard", err);
            return -2;
        }
        o->have_wl = 1;
    }
    /* Requests are checked before anything runs: a known verb, and a handle
     * that an earlier `open` can have produced. */
    unsigned opens = 0;
    for (unsigned i = 0; i < o->nreqs; i++) {
        char verb[16] = "", h[32] = "";
        sscanf(o->reqs[i], "%15s %31s", verb, h);
        uint64_t hn;
        if (!strcmp(verb, "open")) {
            if (!h[0]) {
                fprintf(stderr, "xdrv run: request '%s': open needs a device name\n", o->reqs[i]);
                return -1;
            }
            opens++;
        } else if (strcmp(verb, "read") && strcmp(verb, "write") && strcmp(verb, "ioctl") &&
                   strcmp(verb, "close")) {
            fprintf(
                stderr,
                "xdrv run: request '%s': unknown request '%s' (open, read, write, ioctl, close)\n",
                o->reqs[i], verb);
            return -1;
        } else if (cli_parse_u64(h, &hn) < 0 || hn == 0 || hn > opens) {
            fprintf(stderr, "xdrv run: request '%s': no earlier open gives handle '%s'\n",
                    o->reqs[i], h);
            return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- requests */

static int hexval(int c)
{
    return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* HEX digits (spaces allowed) or "quoted text" into buf; returns length or -1. */
static long parse_data(const char *s, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    if (*s == '"') {
        const char *e = strrchr(s + 1, '"');
        if (!e)
            return -1;
        for (const char *p = s + 1; p < e; p++) {
            if (n == cap)
                return -1;
            buf[n++] = (uint8_t)*p;
        }
        return (long)n;
    }
    if (!strcmp(s, "-"))
        return 0;
    for (const char *p = s; *p;) {
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        int hi = hexval((unsigned char)p[0]), lo = p[1] ? hexval((unsigned char)p[1]) : -1;
        if (hi < 0 || lo < 0 || n == cap)
            return -1;
        buf[n++] = (uint8_t)(hi << 4 | lo);
        p += 2;
    }
    return (long)n;
}

static void print_result(const char *what, const NtRequestResult *r, const uint8_t *data,
                         uint32_t len)
{
    printf("request: %s: status 0x%08x (%s), information %u", what, r->status,
           nt_status_name(r->status), r->information);
    if (r->pending)
        printf(", still pending");
    if (data && len) {
        printf(", data ");
        for (uint32_t i = 0; i < len && i < 256; i++)
            printf("%02x", data[i]);
        if (len > 256)
            printf("...");
    }
    printf("\n");
}

#define MAX_IO (1u << 20)

/* Returns 0, -1 on a bad request line (reported), -2 when the run stopped. */
static int serve_request(Nt *nt, const char *req, int *handles, unsigned *nhandles)
{
    char verb[16], a1[1024] = "", a2[64] = "", rest[8192] = "";
    int n = sscanf(req, "%15s %1023s %63s %8191[^\n]", verb, a1, a2, rest);
    if (n < 1)
        return -1;
    NtRequestResult res = {0};
    uint8_t *buf = NULL;
    int rc = 0;
    if (!strcmp(verb, "open")) {
        if (n < 2)
            goto bad;
        int h = nt_io_open(nt, a1, &res);
        if (h < 0)
            return -2;
        char what[1100];
        snprintf(what, sizeof what, "open %s", a1);
        print_result(what, &res, NULL, 0);
        if (h > 0) {
            if (*nhandles == 64)
                goto bad;
            handles[(*nhandles)++] = h;
            printf("request: handle %u = %s\n", *nhandles, a1);
        }
        return 0;
    }
    uint64_t hnum;
    if (n < 2 || cli_parse_u64(a1, &hnum) < 0 || hnum == 0 || hnum > *nhandles) {
        fprintf(stderr, "xdrv run: request '%s': no open handle '%s'\n", req, a1);
        return -1;
    }
    int h = handles[hnum - 1];
    buf = calloc(1, MAX_IO);
    if (!buf)
        return -2;
    if (!strcmp(verb, "read")) {
        uint64_t len;
        if (n != 3 || cli_parse_u64(a2, &len) < 0 || len > MAX_IO)
            goto bad;
        if ((rc = nt_io_read(nt, h, buf, (uint32_t)len, &res)) < 0)
            goto done;
        print_result("read", &res, buf, res.information < len ? res.information : (uint32_t)len);
    } else if (!strcmp(verb, "write")) {
        char data[8300];
        snprintf(data, sizeof data, "%s%s%s", a2, rest[0] ? " " : "", rest);
        long len = parse_data(data, buf, MAX_IO);
        if (n < 3 || len < 0)
            goto bad;
        if ((rc = nt_io_write(nt, h, buf, (uint32_t)len, &res)) < 0)
            goto done;
        print_result("write", &res, NULL, 0);
    } else if (!strcmp(verb, "ioctl")) {
        uint64_t code, outlen = 0;
        char indata[8192] = "-", outs[64] = "";
        if (n < 3 || cli_parse_u64(a2, &code) < 0 || code > 0xFFFFFFFFu)
            goto bad;
        if (n == 4 && sscanf(rest, "%8191s %63s", indata, outs) < 1)
            goto bad;
        if (outs[0] && (cli_parse_u64(outs, &outlen) < 0 || outlen > MAX_IO / 2))
            goto bad;
        long inlen = parse_data(indata, buf, MAX_IO / 2);
        if (inlen < 0)
            goto bad;
        uint8_t *out = buf + MAX_IO / 2;
        if ((rc = nt_io_ioctl(nt, h, (uint32_t)code, buf, (uint32_t)inlen, out, (uint32_t)outlen,
                              &res)) < 0)
            goto done;
        char what[32];
        snprintf(what, sizeof what, "ioctl 0x%08x", (uint32_t)code);
        print_result(what, &res, out,
                     res.information < outlen ? res.information : (uint32_t)outlen);
    } else if (!strcmp(verb, "close")) {
        if ((rc = nt_io_close(nt, h, &res)) < 0)
            goto done;
        print_result("close", &res, NULL, 0);
    } else {
        goto bad;
    }
done:
    free(buf);
    return rc == -1 ? -2 : rc < 0 ? -1 : 0;
bad:
    free(buf);
    fprintf(stderr, "xdrv run: bad request '%s' (see xdrv run --help)\n", req);
    return -1;
}

/* ---------------------------------------------------------------- the run */

static void log_sink(void *opaque, const TraceEvent *ev)
{
    /* DbgPrint text and FIXMEs are already in the run log */
    if (ev->kind == TRACE_DEBUG_PRINT || ev->kind == TRACE_FIXME || ev->kind == TRACE_FAULT)
        return;
    trace_sink_log(opaque, ev);
}

static void default_service(const char *driver, char *out, size_t len)
{
    const char *b = strrchr(driver, '/');
    b = b ? b + 1 : driver;
    snprintf(out, len, "%s", b);
    char *dot = strrchr(out, '.');
    if (dot && !strcasecmp(dot, ".sys"))
        *dot = 0;
}

/* The INF model line that installs the machine's controller: its hardware
 * IDs tried most specific first, each against every ID the INF lists
 * (case-insensitive, as Windows matches them); an ISA card (no PCI IDs)
 * takes the ID the model choice picked. Returns the install section or
 * NULL with the reason on stderr. */
static char *inf_match_device(const InfHardwareId *hw, int nhw, const char *path, Machine *mach,
                              const NicChoice *choice)
{
    char ids[4][64];
    unsigned n = machine_nic_hwids(mach, ids, 4);
    char *install = NULL;
    for (unsigned i = 0; i < n && !install; i++)
        for (int k = 0; k < nhw && !install; k++)
            if (!strcasecmp(ids[i], hw[k].hwid))
                install = strdup(hw[k].install);
    if (install || !nhw) {
        if (!nhw)
            fprintf(stderr, "xdrv run: %s: lists no device models\n", path);
        return install;
    }
    char listed[600], hint[96];
    machine_inf_id_list(hw, nhw, 8, listed, sizeof listed);
    if (n) {
        machine_inf_force_hint(hw, nhw, choice && choice->model[0] ? choice->model : NULL, hint,
                               sizeof hint);
        fprintf(stderr, "xdrv run: %s: the device presents ", path);
        for (unsigned i = 0; i < n; i++)
            fprintf(stderr, "%s%s", i ? ", " : "", ids[i]);
        fprintf(stderr, " and the INF lists none of them (it lists %s); to force that identity: "
                        "%s\n",
                listed, hint);
        return NULL;
    }
    if (choice && choice->hwid >= 0)
        return strdup(hw[choice->hwid].install);
    if (!machine_has_nic(mach) || !machine_inf_lists_hardware(hw, nhw))
        return strdup(hw[0].install); /* no device to match (drivers without hardware) */
    fprintf(stderr,
            "xdrv run: %s: the ISA card presents none of the IDs the INF lists (it lists %s); "
            "ISA and PCMCIA cards match PCMCIA\\..., ISAPNP\\... and *PNPxxxx IDs\n",
            path, listed);
    return NULL;
}

static int setup_registry(Nt *nt, Machine *mach, const RunOpts *o, const Inf *inf,
                          const InfHardwareId *hw, int nhw, const NicChoice *choice, char *service,
                          size_t slen)
{
    char err[512];
    if (inf) {
        char *install = inf_match_device(hw, nhw, o->inf, mach, choice);
        if (!install)
            return -1;
        if (!o->service) {
            const char *svc = inf_service_name(inf, install);
            if (svc && *svc)
                snprintf(service, slen, "%s", svc);
        }
        free(install);
        if (!service[0])
            default_service(o->driver, service, slen);
        if (nt_reg_load_inf(nt, inf, service, err, sizeof err) < 0) {
            fprintf(stderr, "xdrv run: %s: %s\n", o->inf, err);
            return -1;
        }
    }
    if (!service[0])
        default_service(o->driver, service, slen);
    /* the installer's values first: --param, applied after, overrides */
    if (machine_install_params(mach, service) < 0)
        return -1;
    for (unsigned i = 0; i < o->nparams; i++) {
        char name[256];
        const char *eq = strchr(o->params[i], '=');
        snprintf(name, sizeof name, "%.*s", (int)(eq - o->params[i]), o->params[i]);
        if (nt_reg_set_param(nt, service, name, eq + 1) < 0) {
            fprintf(stderr,
                    "xdrv run: --param %s: cannot store it (dword: needs a 32-bit number)\n",
                    o->params[i]);
            return -1;
        }
    }
    return 0;
}

static int fault_exit(Nt *nt, const char *when)
{
    fflush(stdout);
    fprintf(stderr, "xdrv run: the driver stopped the run during %s\n", when);
    vm_report_fault(nt->vm, stderr);
    return EXIT_FAULT;
}

static volatile sig_atomic_t stop_flag;  /* SIGINT/SIGTERM seen */
static volatile sig_atomic_t hard_stop;  /* seen twice: stop even a halt */
static volatile sig_atomic_t link_request = -1;

static void on_stop(int sig)
{
    if (stop_flag)
        hard_stop = 1;
    stop_flag = sig;
}

static void on_link(int sig)
{
    link_request = sig == SIGUSR2;
}

/* Open the backends the options name (--netdev, --wire, --pcap) into the
 * outputs and tie the capture to the wire. -1 with ERR "--netdev X: why"
 * for the first that fails; those already open stay in the outputs for the
 * caller to close. */
static int open_backends(const RunOpts *o, NetBackend **netdev, NetBackend **wire,
                         NetPcap **pcap, char *err, size_t errlen)
{
    char e[NET_ERR_MAX + 256];
    if (o->netdev && !(*netdev = net_open(o->netdev, NET_OPEN_CARRIER_OFF, e, sizeof e))) {
        snprintf(err, errlen, "--netdev %s: %s", o->netdev, e);
        return -1;
    }
    if (o->wire && !(*wire = net_open(o->wire, 0, e, sizeof e))) {
        snprintf(err, errlen, "--wire %s: %s", o->wire, e);
        return -1;
    }
    if (o->pcap && !(*pcap = net_pcap_open(o->pcap, e, sizeof e))) {
        snprintf(err, errlen, "--pcap %s: %s", o->pcap, e);
        return -1;
    }
    if (o->pcap && *wire)
        net_set_pcap(*wire, *pcap);
    return 0;
}

/* The network-controller part of a run: open the backends, initialize the
 * miniport, serve traffic until a stop signal, halt. Returns an exit code. */
static int serve_nic(Nt *nt, Machine *mach, const RunOpts *o, const char *service)
{
    char err[NET_ERR_MAX + 256];
    NetBackend *netdev = NULL, *wire = NULL;
    NetPcap *pcap = NULL;
    int rc = EXIT_OK;
    if (o->have_backends) {
        netdev = o->netdev_be;
        wire = o->wire_be;
        pcap = o->pcap_be;
    }
    if (open_backends(o, &netdev, &wire, &pcap, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv run: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }
    machine_set_wire(mach, wire);
    if (machine_start_nic(mach, service, netdev, err, sizeof err) < 0) {
        fflush(stdout);
        if (vm_stopped(nt->vm)) {
            rc = fault_exit(nt, "MiniportInitialize");
        } else {
            fprintf(stderr, "xdrv run: %s\n", err);
            rc = EXIT_DRIVER;
        }
        goto out;
    }
    uint8_t mac[6] = {0};
    machine_nic_mac(mach, mac);
    printf("xdrv: adapter up: MAC %02x:%02x:%02x:%02x:%02x:%02x%s%s%s%s; serving until "
           "SIGINT/SIGTERM\n",
           mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], netdev ? ", netdev " : "",
           netdev ? net_name(netdev) : "", wire ? ", wire " : "", wire ? net_name(wire) : "");
    if (o->pending_len) {
        /* the send the replayed spec did not serve: the driver's first */
        const uint8_t *f = o->pending;
        size_t n = o->pending_len;
        int refused = machine_nic_send_burst(mach, &f, &n, 1, 1, 0);
        if (refused < 0) {
            machine_stop_nic(mach);
            rc = fault_exit(nt, "the handed-over send");
            goto out;
        }
        printf("xdrv: the frame the spec did not send (%zu bytes) given to the driver%s\n", n,
               refused ? ": refused for lack of send resources" : "");
    }
    if (o->ncable) {
        /* the frames the replayed spec had received but not delivered:
         * they arrive again, for the driver */
        for (unsigned i = 0; i < o->ncable; i++)
            machine_wire_frame(mach, o->cable[i], o->cable_len[i]);
        printf("xdrv: %u frame(s) the spec had received and not delivered given to the driver\n",
               o->ncable);
    }
    fflush(stdout);
    struct sigaction sa = {.sa_handler = on_link};
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    /* While serving, the first SIGINT/SIGTERM ends the loop and halts the
     * miniport cleanly; only a second one interrupts the driver itself. */
    vm_set_interrupt_flag(nt->vm, &hard_stop);
    int r = machine_serve(mach, &stop_flag, &link_request);
    MachineStats ms;
    machine_stats(mach, &ms);
    printf("xdrv: %s: frames host->driver %llu, driver->host %llu, cable out %llu, cable in %llu, "
           "dropped for lack of send resources %llu\n",
           r < 0 ? "stopped" : "stopping", (unsigned long long)ms.netdev_rx,
           (unsigned long long)ms.netdev_tx, (unsigned long long)ms.wire_tx,
           (unsigned long long)ms.wire_rx, (unsigned long long)ms.send_resources);
    VmStats vs;
    vm_get_stats(nt->vm, &vs);
    printf("xdrv: guest work: %llu basic blocks, %llu API calls, %llu calls into the driver, "
           "%llu port and %llu MMIO accesses, %llu emulator entries\n",
           (unsigned long long)vs.blocks, (unsigned long long)vs.host_calls,
           (unsigned long long)vs.guest_calls, (unsigned long long)vs.port_io,
           (unsigned long long)vs.mmio, (unsigned long long)vs.emu_starts);
    if (r < 0) {
        /* the adapter's host side is freed without calling the stopped
         * driver again (ndis_adapter_halt on a stopped VM) */
        machine_stop_nic(mach);
        if (vm_stopped(nt->vm))
            rc = fault_exit(nt, "traffic");
        else
            rc = EXIT_INTERNAL;
        goto out;
    }
    if (machine_stop_nic(mach) < 0) {
        rc = fault_exit(nt, "MiniportHalt");
        goto out;
    }
    printf("xdrv: adapter halted\n");
out:
    fflush(stdout);
    net_close(netdev);
    net_close(wire);
    if (pcap)
        net_pcap_close(pcap);
    return rc;
}

/* The recording side of a run (xdrv trace record). */
typedef struct Recording {
    FILE *f;
    XtrWriter *w;
    Recorder *rec;
    Exerciser *x;
    NetPcap *pcap;
} Recording;

static int record_open(Recording *r, const RunOpts *o, Vm *vm, int argc, char **argv)
{
    char err[NET_ERR_MAX];
    r->f = fopen(o->output, "wb");
    if (!r->f) {
        fprintf(stderr, "xdrv trace record: -o %s: %s\n", o->output, strerror(errno));
        return -1;
    }
    /* the header keeps the command line (driver, INF, device, workload) */
    char info[1024] = "xdrv trace record";
    size_t off = strlen(info);
    for (int i = 1; i < argc && off + 2 < sizeof info; i++) {
        /* where the outputs go is not an input, and the workload is in
         * the requests themselves: two recordings of the same requests are
         * the same bytes wherever they are written and whichever file held
         * the workload (an explored run replays from its kept workload) */
        if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output") ||
             !strcmp(argv[i], "--pcap") || !strcmp(argv[i], "--workload")) &&
            i + 1 < argc) {
            i++;
            continue;
        }
        off += (size_t)snprintf(info + off, sizeof info - off, " %s", argv[i]);
    }
    if (o->pcap && !(r->pcap = net_pcap_open(o->pcap, err, sizeof err))) {
        fprintf(stderr, "xdrv trace record: --pcap %s: %s\n", o->pcap, err);
        return -1;
    }
    r->w = xtr_writer_new(r->f, info);
    r->rec = r->w ? recorder_new(vm, r->w, r->pcap) : NULL;
    if (!r->rec) {
        fprintf(stderr, "xdrv trace record: -o %s: cannot start the trace\n", o->output);
        return -1;
    }
    trace_add_sink(recorder_sink, r->rec);
    return 0;
}

/* Returns -1 if the trace could not be written completely. */
static int record_close(Recording *r, const char *summary, const char *path)
{
    int rc = 0;
    if (r->rec)
        trace_remove_sink(recorder_sink, r->rec);
    if (r->w && xtr_writer_close(r->w, summary) < 0)
        rc = -1;
    if (r->f && fclose(r->f) != 0)
        rc = -1;
    if (rc < 0)
        fprintf(stderr, "xdrv trace record: -o %s: writing the trace failed: %s\n", path,
                strerror(errno));
    recorder_free(r->rec);
    exerciser_free(r->x);
    if (r->pcap)
        net_pcap_close(r->pcap);
    memset(r, 0, sizeof *r);
    return rc;
}

/* The network-controller part of a recording: the workload's requests. */
static int exercise_nic(Nt *nt, Machine *mach, RunOpts *o, Recording *r, const char *service)
{
    vm_set_interrupt_flag(nt->vm, &stop_flag);
    printf("xdrv: workload %s: %zu requests\n", o->wl.name, o->wl.nsteps);
    fflush(stdout);
    if (exerciser_run(r->x, &o->wl) < 0 || exerciser_finish(r->x) < 0) {
        machine_stop_nic(mach);
        return fault_exit(nt, "the workload");
    }
    ExerciseStats st;
    exerciser_stats(r->x, &st);
    printf("xdrv: %llu requests (%llu skipped: adapter not up, %llu not successful, %llu "
           "conditions the chip cannot report); %llu sends (%llu refused for resources), %llu "
           "frames on the cable, %llu frames from the cable, %llu indicated to the OS\n",
           (unsigned long long)st.requests, (unsigned long long)st.skipped,
           (unsigned long long)st.failed, (unsigned long long)st.unsupported,
           (unsigned long long)st.sends, (unsigned long long)st.send_resources,
           (unsigned long long)st.transmitted, (unsigned long long)st.wire_frames,
           (unsigned long long)st.indicated);
    return EXIT_OK;
}

/* --sandbox: what needs the file system or privilege first (the network
 * backends, the capture, Capstone for fault reports, libseccomp, the
 * user's name), then the sandbox, before the driver's first instruction.
 * -2: a backend the options name cannot be opened (as without --sandbox,
 * a usage error); -1: the sandbox could not be entered. */
static int enter_sandbox(RunOpts *o, char *err, size_t errlen)
{
    char e[NET_ERR_MAX + SANDBOX_ERR_MAX];
    if (!o->have_backends && (o->netdev || o->wire || o->pcap)) {
        o->have_backends = o->early_backends = 1;
        if (open_backends(o, &o->netdev_be, &o->wire_be, &o->pcap_be, err, errlen) < 0)
            return -2;
        o->netdev = o->wire = o->pcap = NULL; /* serve_nic takes the open ones */
    }
    SandboxOpts so = {.as_limit = o->limit_as_mb << 20, .cpu_limit = o->limit_cpu};
    char what[256];
    if (cslib_load(e, sizeof e) < 0 || sandbox_user(o->sandbox_user, &so, e, sizeof e) < 0 ||
        sandbox_enter(&so, what, sizeof what, e, sizeof e) < 0) {
        snprintf(err, errlen, "%s", e);
        return -1;
    }
    printf("xdrv: sandbox: %s\n", what);
    fflush(stdout);
    /* a self-test of the filter (tests/guest/test_up.sh): a system call
     * the serving loop never makes, which must end the process (SIGSYS) */
    const char *st = getenv("XDRV_SANDBOX_SELFTEST");
    if (st && !strcmp(st, "socket")) {
        printf("xdrv: sandbox: self-test: socket(AF_INET, SOCK_STREAM), which the filter forbids\n");
        fflush(stdout);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        snprintf(err, errlen, "the sandbox let socket() through (fd %d)", fd);
        return -1;
    }
    return 0;
}

static int run_exec(RunOpts *o, int argc, char **argv);

int cmd_run(int argc, char **argv)
{
    RunOpts o;
    memset(&o, 0, sizeof o);
    return run_exec(&o, argc, argv);
}

int run_with_backends(int argc, char **argv, NetBackend *netdev, NetBackend *wire, NetPcap *pcap,
                      const uint8_t *frame, size_t len, const uint8_t *const *rx,
                      const size_t *rx_len, unsigned nrx)
{
    RunOpts o;
    memset(&o, 0, sizeof o);
    o.have_backends = 1;
    o.netdev_be = netdev;
    o.wire_be = wire;
    o.pcap_be = pcap;
    o.pending = frame;
    o.pending_len = frame ? len : 0;
    o.cable = rx;
    o.cable_len = rx_len;
    o.ncable = rx ? nrx : 0;
    return run_exec(&o, argc, argv);
}

int run_record_workload(int argc, char **argv, const Workload *wl, const char *out)
{
    RunOpts o;
    memset(&o, 0, sizeof o);
    o.record = 1;
    o.output = out;
    o.wl = *wl; /* borrowed: not freed here */
    o.have_wl = 1;
    o.output_borrowed_wl = 1;
    int rc = run_exec(&o, argc, argv);
    return rc;
}

int cmd_trace_record(int argc, char **argv)
{
    RunOpts o;
    memset(&o, 0, sizeof o);
    o.record = 1;
    return run_exec(&o, argc, argv);
}

static int run_exec(RunOpts *o_, int argc, char **argv)
{
#define o (*o_)
    int prc = parse_args(&o, argc, argv);
    Recording recording;
    memset(&recording, 0, sizeof recording);
    Machine *mach = NULL;
    FILE *trace_file = NULL;
    int rc = EXIT_OK;
    Vm *vm = NULL;
    Nt *nt = NULL;
    NtImage img;
    int img_loaded = 0;
    memset(&img, 0, sizeof img);
    Inf inf;
    int have_inf = 0, nhw = 0;
    InfHardwareId *hw = NULL;
    NicChoice choice = {.hwid = -1};
    if (prc != 0) {
        rc = prc > 0 ? EXIT_OK : prc == -2 ? EXIT_LOAD : EXIT_USAGE;
        goto out;
    }
    /* Output is line-buffered so nothing is lost however the run ends, and
     * SIGINT/SIGTERM stop a driver that runs too long with a report of
     * where it was (vm_set_interrupt_flag) instead of killing the process. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct sigaction stop_sa = {.sa_handler = on_stop}, ign = {.sa_handler = SIG_IGN};
    sigaction(SIGINT, &stop_sa, NULL);
    sigaction(SIGTERM, &stop_sa, NULL);
    sigaction(SIGHUP, &stop_sa, NULL); /* a closed terminal or a reload: a clean stop too */
    /* the cable's signals mean something only once a network controller
     * serves (then they are taken over); until then, and without one, they
     * do nothing rather than end the process */
    sigaction(SIGUSR1, &ign, NULL);
    sigaction(SIGUSR2, &ign, NULL);
    VmConfig cfg = {.budget = o.budget,
                    .watch_loads = o.record,
                    .call_vtime_ns = o.call_timeout_s * 1000000000ull,
                    .call_wall_ns = o.call_timeout_s * 1000000000ull};
    vm = vm_create(&cfg);
    if (vm)
        vm_set_interrupt_flag(vm, &stop_flag);
    NtOptions nopt = {.allow_missing = o.allow_missing, .log = stdout};
    nt = vm ? nt_create(vm, &nopt) : NULL;
    if (!nt) {
        fprintf(stderr, "xdrv run: cannot create the guest machine\n");
        rc = EXIT_INTERNAL;
        goto out;
    }
    if (o.verbose)
        trace_add_sink(log_sink, stdout);
    if (o.trace) {
        trace_file = fopen(o.trace, "w");
        if (!trace_file) {
            fprintf(stderr, "xdrv run: --trace %s: %s\n", o.trace, strerror(errno));
            rc = EXIT_USAGE;
            goto out;
        }
        setvbuf(trace_file, NULL, _IOLBF, 0);
        trace_add_sink(trace_sink_log, trace_file);
    }
    if (o.record && record_open(&recording, &o, vm, argc, argv) < 0) {
        rc = EXIT_USAGE;
        goto out;
    }
    char err[4096];
    mach = machine_create(vm, nt);
    if (!mach) {
        rc = EXIT_INTERNAL;
        goto out;
    }
    /* The INF chooses the network controller's model and board (or, with
     * --device MODEL, the board) before the machine is built. */
    int nic_dev = -1, chosen = 0;
    for (unsigned i = 0; i < o.ndevices && nic_dev < 0; i++)
        if (machine_spec_nic_model(o.devices[i]) >= 0)
            nic_dev = (int)i;
    if (o.inf) {
        if (inf_load_file(&inf, o.inf) < 0) {
            fprintf(stderr, "xdrv run: %s: %s\n", o.inf, inf.err);
            inf_free(&inf);
            rc = EXIT_LOAD;
            goto out;
        }
        have_inf = 1;
        char ierr[INF_ERR_MAX] = "";
        nhw = inf_hardware_ids_err(&inf, &hw, ierr);
        if (nhw < 0) {
            fprintf(stderr, "xdrv run: %s: %s\n", o.inf, ierr);
            nhw = 0;
            rc = EXIT_LOAD;
            goto out;
        }
        chosen = machine_choose_nic(&inf, hw, nhw, nic_dev >= 0 ? o.devices[nic_dev] : NULL,
                                    &choice, err, sizeof err);
        if (chosen < 0) {
            fprintf(stderr, "xdrv run: %s: %s\n", o.inf, err);
            rc = EXIT_LOAD;
            goto out;
        }
        if (chosen)
            printf("xdrv: INF hardware ID %s -> model %s%s%s%s\n", hw[choice.hwid].hwid,
                   choice.model, choice.what[0] ? " (" : "", choice.what,
                   choice.what[0] ? ")" : "");
    }
    NicModelInfo nm;
    if (!chosen && nic_dev >= 0 &&
        machine_nic_model_info((unsigned)machine_spec_nic_model(o.devices[nic_dev]), &nm) == 0)
        snprintf(choice.model, sizeof choice.model, "%s", nm.name); /* for error hints */
    for (unsigned i = 0; i < o.ndevices + (chosen && nic_dev < 0); i++) {
        const char *spec = i == o.ndevices || (chosen && (int)i == nic_dev) ? choice.spec
                                                                           : o.devices[i];
        if (machine_add_device(mach, spec, err, sizeof err) < 0) {
            fprintf(stderr, "xdrv run: %s\n", err);
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if ((o.netdev || o.wire || o.pcap) && !machine_has_nic(mach)) {
        fprintf(stderr, "xdrv run: --netdev, --wire and --pcap need a network controller (--device "
                        "rtl8139|ne2000|ne2000-isa|pcnet|e1000, or an --inf that lists one)\n");
        rc = EXIT_USAGE;
        goto out;
    }
    if (machine_attach(mach, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv run: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }

    char service[128] = "";
    if (o.service)
        snprintf(service, sizeof service, "%s", o.service);
    if (setup_registry(nt, mach, &o, have_inf ? &inf : NULL, hw, nhw, &choice, service,
                       sizeof service) < 0) {
        rc = EXIT_LOAD;
        goto out;
    }

    if (nt_load_image(nt, o.driver, &img, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv run: %s\n", err);
        rc = EXIT_LOAD;
        img_loaded = 1;
        goto out;
    }
    img_loaded = 1;
    printf("xdrv: loaded %s at 0x%08x (%u bytes, entry %s+0x%x, service %s)\n", img.name, img.base,
           img.size, img.name, img.entry - img.base, service);
    if (recording.rec) {
        if (recorder_add_module(recording.rec, img.name, o.driver, img.base, img.size) < 0) {
            fprintf(stderr, "xdrv trace record: cannot collect coverage of %s\n", img.name);
            rc = EXIT_INTERNAL;
            goto out;
        }
        recording.x = exerciser_new(mach, nt, recording.rec, service, stdout, o.verbose);
        if (!recording.x) {
            rc = EXIT_INTERNAL;
            goto out;
        }
        exerciser_begin(recording.x, "load", o.driver);
    }
    if (img.nmissing)
        printf("xdrv: %u import(s) missing: calling one stops the run\n", img.nmissing);
    fflush(stdout);
    if (o.sandbox) {
        int sr = enter_sandbox(&o, err, sizeof err);
        if (sr < 0) {
            fprintf(stderr, "xdrv run: %s%s\n", sr == -1 ? "--sandbox: " : "", err);
            rc = sr == -2 ? EXIT_USAGE : EXIT_INTERNAL;
            goto out;
        }
    }

    int64_t st = nt_io_load_driver(nt, &img, service);
    if (recording.x) {
        char outcome[64];
        snprintf(outcome, sizeof outcome, st < 0 ? "fault" : "status=0x%08x", (uint32_t)st);
        exerciser_end(recording.x, outcome);
    }
    if (st < 0) {
        rc = fault_exit(nt, "DriverEntry");
        goto out;
    }
    printf("xdrv: DriverEntry returned 0x%08x (%s)\n", (uint32_t)st, nt_status_name((uint32_t)st));
    if ((uint32_t)st >= 0xC0000000u) {
        /* Windows unloads a driver whose DriverEntry fails without calling DriverUnload. */
        fflush(stdout);
        fprintf(stderr, "xdrv run: DriverEntry failed with 0x%08x (%s)\n", (uint32_t)st,
                nt_status_name((uint32_t)st));
        rc = EXIT_DRIVER;
        goto leaks;
    }
    nt_io_list_devices(nt, stdout);
    machine_describe(mach, stdout);
    if (o.record && !machine_has_nic(mach)) {
        fprintf(stderr, "xdrv trace record: no network controller to exercise: give --device "
                        "MODEL or an --inf that lists a board (xdrv info --boards)\n");
        rc = EXIT_USAGE;
        goto out;
    }
    if (machine_has_nic(mach)) {
        int nrc = o.record ? exercise_nic(nt, mach, &o, &recording, service)
                           : serve_nic(nt, mach, &o, service);
        o.early_backends = 0; /* serve_nic closed them */
        if (nrc == EXIT_FAULT || nrc == EXIT_INTERNAL) {
            rc = nrc; /* regression: a fault while serving traffic exited 0 */
            goto out;
        }
        if (nrc != EXIT_OK) {
            rc = nrc;
            goto unload;
        }
    }

    int handles[64];
    unsigned nhandles = 0;
    for (unsigned i = 0; i < o.nreqs; i++) {
        if (stop_flag) {
            printf("xdrv: stopped by a signal: %u request(s) not served\n", o.nreqs - i);
            break;
        }
        int r = serve_request(nt, o.reqs[i], handles, &nhandles);
        if (r == -2 || vm_stopped(vm)) {
            char when[128];
            snprintf(when, sizeof when, "request %u ('%.80s')", i + 1, o.reqs[i]);
            rc = fault_exit(nt, when);
            goto out;
        }
        if (r < 0) {
            rc = EXIT_USAGE;
            goto out;
        }
    }
    fflush(stdout);

unload:
    if (!o.no_unload) {
        if (recording.x)
            exerciser_begin(recording.x, "unload", "");
        int u = nt_io_unload_driver(nt);
        if (recording.x)
            exerciser_end(recording.x, u < 0 ? "fault" : u == 1 ? "no DriverUnload" : "done");
        if (u < 0) {
            rc = fault_exit(nt, "DriverUnload");
            goto out;
        }
        printf(u == 1 ? "xdrv: the driver has no DriverUnload routine\n"
                      : "xdrv: DriverUnload done\n");
    }
leaks:
    if (!o.no_unload) {
        unsigned leaks = nt_pool_report_leaks(nt, stdout);
        if (!leaks)
            printf("xdrv: no pool leaks\n");
    }
out:
    if (nt && nt->dbg_dropped)
        printf("xdrv: %llu debug output call(s) dropped past the quota\n",
               (unsigned long long)nt->dbg_dropped);
    fflush(stdout);
    if (o.early_backends) { /* opened for the sandbox, never served */
        net_close(o.netdev_be);
        net_close(o.wire_be);
        if (o.pcap_be)
            net_pcap_close(o.pcap_be);
    }
    if (recording.w) {
        char summary[256];
        snprintf(summary, sizeof summary, "exit %d%s%s", rc, vm && vm_stopped(vm) ? ": " : "",
                 vm && vm_stopped(vm) ? vm_fault_text(vm) : "");
        uint64_t n = xtr_writer_count(recording.w);
        if (record_close(&recording, summary, o.output) < 0 && rc == EXIT_OK)
            rc = EXIT_INTERNAL;
        else
            printf("xdrv: trace %s: %llu events\n", o.output, (unsigned long long)n + 1);
    } else if (recording.f) {
        record_close(&recording, "", o.output);
    }
    if (o.have_wl && !o.output_borrowed_wl)
        workload_free(&o.wl);
    if (o.verbose)
        trace_remove_sink(log_sink, stdout);
    if (trace_file) {
        trace_remove_sink(trace_sink_log, trace_file);
        fclose(trace_file);
    }
    if (img_loaded)
        nt_image_free(&img);
    nt_destroy(nt);
    vm_destroy(vm);
    machine_destroy(mach);
    if (hw)
        inf_free_hwids(hw, (size_t)nhw);
    if (have_inf)
        inf_free(&inf);
    for (unsigned i = 0; i < o.nreqs; i++)
        free(o.reqs[i]);
    return rc;
#undef o
}
