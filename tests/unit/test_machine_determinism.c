/* Determinism: the same scripted workload against the in-process peers
 * (queue backends on both sides of the machine) gives the same I/O event
 * sequence twice: every port, MMIO, interrupt and API crossing, with its
 * virtual time. Uses the project's RTL8139 driver on the RTL8139 model;
 * skips when build/drivers/rtl8139.sys is not built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/net.h"
#include "machine/machine.h"
#include "nt/loader.h"
#include "nt/nt.h"
#include "nt/ntoskrnl/io.h"
#include "nt/ntoskrnl/registry.h"
#include "pe/inf.h"
#include "trace/trace.h"

typedef struct Digest {
    uint64_t hash;     /* FNV-1a over the event fields */
    uint64_t events, io_events;
} Digest;

static void fnv(uint64_t *h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        *h ^= b[i];
        *h *= 0x100000001b3ull;
    }
}

static void digest_sink(void *opaque, const TraceEvent *ev)
{
    Digest *d = opaque;
    d->events++;
    if (ev->kind >= TRACE_PORT_READ && ev->kind <= TRACE_INTERRUPT)
        d->io_events++;
    uint32_t fields[4] = {ev->kind, ev->addr, ev->size, ev->depth};
    fnv(&d->hash, fields, sizeof fields);
    fnv(&d->hash, &ev->value, sizeof ev->value);
    fnv(&d->hash, &ev->vtime, sizeof ev->vtime);
    if (ev->name)
        fnv(&d->hash, ev->name, strlen(ev->name));
}

static const char *build_path(const char *rel, char *buf, size_t len)
{
    const char *b = getenv("BUILD");
    snprintf(buf, len, "%s/%s", b && *b ? b : "build", rel);
    return buf;
}

/* An ARP request and an ICMP echo addressed to the adapter, a broadcast,
 * and frames from the host side. */
static void make_frame(uint8_t *f, size_t len, const uint8_t dst[6], uint8_t seed)
{
    static const uint8_t src[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x02};
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seed + i * 7);
}

static int run_workload(Digest *d, uint64_t *frames_out, uint64_t *frames_in)
{
    char sys[512], inf_path[] = "drivers/rtl8139/rtl8139.inf", err[1024];
    build_path("drivers/rtl8139.sys", sys, sizeof sys);
    memset(d, 0, sizeof *d);
    d->hash = 0xcbf29ce484222325ull;
    FILE *log = tmpfile();
    Vm *vm = vm_create(NULL);
    NtOptions opt = {.log = log};
    Nt *nt = nt_create(vm, &opt);
    Machine *m = machine_create(vm, nt);
    assert_non_null(m);
    assert_int_equal(machine_add_device(m, "rtl8139,mac=02:00:5e:81:39:01", err, sizeof err), 0);
    assert_int_equal(machine_attach(m, err, sizeof err), 0);
    Inf inf;
    assert_int_equal(inf_load_file(&inf, inf_path), 0);
    assert_int_equal(nt_reg_load_inf(nt, &inf, "xdrv8139", err, sizeof err), 0);
    inf_free(&inf);
    NtImage img;
    assert_int_equal(nt_load_image(nt, sys, &img, err, sizeof err), 0);
    trace_add_sink(digest_sink, d);
    assert_true(nt_io_load_driver(nt, &img, "xdrv8139") == 0);
    NetBackend *wire = net_open("queue", 0, err, sizeof err);
    NetBackend *netdev = net_open("queue", 0, err, sizeof err);
    assert_non_null(wire);
    assert_non_null(netdev);
    machine_set_wire(m, wire);
    if (machine_start_nic(m, "xdrv8139", netdev, err, sizeof err) < 0) {
        fprintf(stderr, "start: %s\n", err);
        fail();
    }
    uint8_t mac[6], f[1514];
    assert_int_equal(machine_nic_mac(m, mac), 0);
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    for (int round = 0; round < 20; round++) {
        size_t len = 60 + (size_t)round * 71;
        make_frame(f, len, round % 3 ? mac : bcast, (uint8_t)round);
        net_queue_inject(wire, f, len);
        make_frame(f, len, bcast, (uint8_t)(round + 100));
        net_queue_inject(netdev, f, len);
        assert_int_equal(machine_step(m, 1000000), 0);
    }
    assert_int_equal(machine_step(m, 50000000), 0);
    *frames_out = 0;
    *frames_in = 0;
    uint8_t buf[2048];
    while (net_queue_take(wire, buf, sizeof buf))
        (*frames_out)++;
    while (net_queue_take(netdev, buf, sizeof buf))
        (*frames_in)++;
    assert_int_equal(machine_stop_nic(m), 0);
    trace_remove_sink(digest_sink, d);
    net_close(wire);
    net_close(netdev);
    nt_io_unload_driver(nt);
    nt_image_free(&img);
    nt_destroy(nt);
    vm_destroy(vm);
    machine_destroy(m);
    fclose(log);
    return 0;
}

static void test_same_workload_same_io_events(void **st)
{
    char sys[512];
    if (access(build_path("drivers/rtl8139.sys", sys, sizeof sys), R_OK) != 0)
        skip();
    Digest a, b;
    uint64_t out_a, in_a, out_b, in_b;
    run_workload(&a, &out_a, &in_a);
    run_workload(&b, &out_b, &in_b);
    printf("events %llu (I/O %llu), frames to the cable %llu, to the host %llu\n",
           (unsigned long long)a.events, (unsigned long long)a.io_events, (unsigned long long)out_a,
           (unsigned long long)in_a);
    assert_true(a.io_events > 100);
    assert_int_equal(out_a, 20); /* every host frame reached the cable */
    assert_int_equal(in_a, 20);  /* every frame for us or broadcast reached the host */
    assert_int_equal(a.events, b.events);
    assert_int_equal(a.io_events, b.io_events);
    assert_int_equal(a.hash, b.hash);
    assert_int_equal(out_a, out_b);
    assert_int_equal(in_a, in_b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_workload_same_io_events),
    };
    return cmocka_run_group_tests_name("machine determinism", tests, NULL, NULL);
}
