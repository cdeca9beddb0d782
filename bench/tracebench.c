/* What recording costs: frames per second through a driver (1514-byte
 * frames, half sent by the OS, half arriving on the cable) untraced and
 * traced (trace file, register names, DMA bytes, stores into device memory,
 * coverage), side by side in one invocation, with repeats, and the ratio.
 * The untraced run is the plain machine: no sink, no hook installed.
 * usage: tracebench [-r REPEATS] [-n FRAMES] [DRIVER ...]   (from the repo root)
 * DRIVER: rtl8139 ne2000 pcnet e1000 (default: all four). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exercise/exercise.h"
#include "host/net.h"
#include "machine/machine.h"
#include "nt/loader.h"
#include "nt/nt.h"
#include "nt/ntoskrnl/io.h"
#include "nt/ntoskrnl/registry.h"
#include "pe/inf.h"
#include "trace/trace.h"
#include "trace/xtr.h"
#include "vm/vm.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef struct Result {
    double fps;
    uint64_t events, bytes;
} Result;

/* One run: bring the adapter up, then move `frames` frames, timed. */
static int run_once(const char *drv, int traced, unsigned frames, Result *res)
{
    char sys[256], inf_path[256], err[1024], service[64];
    const char *b = getenv("BUILD") ? getenv("BUILD") : "build";
    snprintf(sys, sizeof sys, "%s/drivers/%s.sys", b, drv);
    snprintf(inf_path, sizeof inf_path, "drivers/%s/%s.inf", drv, drv);
    snprintf(service, sizeof service, "bench%s", drv);
    FILE *log = tmpfile();
    Vm *vm = vm_create(NULL);
    NtOptions opt = {.log = log};
    Nt *nt = vm ? nt_create(vm, &opt) : NULL;
    Machine *m = nt ? machine_create(vm, nt) : NULL;
    FILE *tf = NULL;
    XtrWriter *w = NULL;
    Recorder *rec = NULL;
    NetBackend *wire = NULL, *netdev = NULL;
    NtImage img;
    int loaded = 0, rc = -1;
    memset(&img, 0, sizeof img);
    Inf inf;
    if (!m || machine_add_device(m, drv, err, sizeof err) < 0 ||
        machine_attach(m, err, sizeof err) < 0 || inf_load_file(&inf, inf_path) < 0)
        goto out;
    int r = nt_reg_load_inf(nt, &inf, service, err, sizeof err);
    inf_free(&inf);
    if (r < 0 || machine_install_params(m, service) < 0)
        goto out;
    if (traced) {
        tf = tmpfile();
        w = tf ? xtr_writer_new(tf, "tracebench") : NULL;
        rec = w ? recorder_new(vm, w, NULL) : NULL;
        if (!rec)
            goto out;
        trace_add_sink(recorder_sink, rec);
    }
    if (nt_load_image(nt, sys, &img, err, sizeof err) < 0)
        goto out;
    loaded = 1;
    if (rec && recorder_add_module(rec, img.name, sys, img.base, img.size) < 0)
        goto out;
    if (nt_io_load_driver(nt, &img, service) != 0)
        goto out;
    wire = net_open("queue", 0, err, sizeof err);
    netdev = net_open("queue", 0, err, sizeof err);
    if (!wire || !netdev)
        goto out;
    machine_set_wire(m, wire);
    if (machine_start_nic(m, service, netdev, err, sizeof err) < 0)
        goto out;
    uint8_t mac[6], f[1514], buf[2048];
    machine_nic_mac(m, mac);
    memset(f, 0x5a, sizeof f);
    double t0 = now_s();
    for (unsigned i = 0; i < frames / 2; i++) {
        memcpy(f, mac, 6);
        f[11] = (uint8_t)i;
        net_queue_inject(wire, f, sizeof f);
        memset(f, 0xff, 6);
        net_queue_inject(netdev, f, sizeof f);
        if (machine_step(m, 200000) < 0)
            goto out;
        while (net_queue_take(wire, buf, sizeof buf) || net_queue_take(netdev, buf, sizeof buf))
            ;
        if (rec && i % 16 == 15)
            recorder_flush_blocks(rec);
    }
    double t = now_s() - t0;
    res->fps = (double)(frames / 2 * 2) / t;
    res->events = w ? xtr_writer_count(w) : 0;
    machine_stop_nic(m);
    rc = 0;
out:
    if (rc < 0)
        fprintf(stderr, "tracebench: %s: %s\n", drv, err);
    if (rec)
        trace_remove_sink(recorder_sink, rec);
    if (w) {
        xtr_writer_close(w, "tracebench");
        res->bytes = tf ? (uint64_t)ftell(tf) : 0;
    }
    recorder_free(rec);
    if (tf)
        fclose(tf);
    net_close(wire);
    net_close(netdev);
    if (loaded)
        nt_image_free(&img);
    nt_destroy(nt);
    vm_destroy(vm);
    machine_destroy(m);
    if (log)
        fclose(log);
    return rc;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    unsigned repeats = 5, frames = 2000;
    const char *drivers[8];
    int nd = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-r") && i + 1 < argc)
            repeats = (unsigned)atoi(argv[++i]);
        else if (!strcmp(argv[i], "-n") && i + 1 < argc)
            frames = (unsigned)atoi(argv[++i]);
        else if (nd < 8)
            drivers[nd++] = argv[i];
    }
    if (!repeats || repeats > 100 || frames < 2) {
        fprintf(stderr, "usage: tracebench [-r REPEATS (1..100)] [-n FRAMES (2..)] [DRIVER...]\n");
        return 1;
    }
    if (!nd) {
        static const char *const all[] = {"rtl8139", "ne2000", "pcnet", "e1000"};
        for (int i = 0; i < 4; i++)
            drivers[nd++] = all[i];
    }
    printf("tracebench: %u frames of 1514 bytes per run (half sent, half received), %u repeats,\n"
           "untraced and traced runs interleaved; frames/s min / median / max\n\n",
           frames, repeats);
    printf("%-8s %-9s %10s %10s %10s %12s %12s\n", "driver", "path", "min", "median", "max",
           "events/frame", "bytes/frame");
    for (int d = 0; d < nd; d++) {
        double fps[2][100];
        Result last[2];
        memset(last, 0, sizeof last);
        for (unsigned r = 0; r < repeats; r++)
            for (int traced = 0; traced < 2; traced++) {
                Result res = {0};
                if (run_once(drivers[d], traced, frames, &res) < 0)
                    return 1;
                fps[traced][r] = res.fps;
                last[traced] = res;
            }
        double med[2];
        for (int traced = 0; traced < 2; traced++) {
            qsort(fps[traced], repeats, sizeof fps[traced][0], cmp_d);
            med[traced] = fps[traced][repeats / 2];
            printf("%-8s %-9s %10.0f %10.0f %10.0f %12.1f %12.1f\n", drivers[d],
                   traced ? "traced" : "untraced", fps[traced][0], med[traced],
                   fps[traced][repeats - 1], (double)last[traced].events / frames,
                   (double)last[traced].bytes / frames);
        }
        printf("%-8s ratio untraced/traced (medians): %.1fx\n\n", drivers[d], med[0] / med[1]);
    }
    return 0;
}
