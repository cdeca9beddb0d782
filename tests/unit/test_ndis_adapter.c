/* The miniport host (src/nt/ndis/adapter.c, resources.c, interrupt.c,
 * dma.c) path by path, against drivers/ndistest_adapter: a loopback
 * miniport whose registry parameter Mode selects the NDIS paths it takes
 * (drivers/ndistest_adapter/ndistest_adapter.h). Its hardware is a port
 * window served here: a doorbell write raises the ISA interrupt line, the
 * ISR reads and acknowledges the status port. The driver checks from the
 * inside what NDIS hands it (IRQLs, resource list, SG lists, physical
 * mappings, packet statuses) and counts; the test reads the counters
 * through a private OID and checks from the outside (frames looped back
 * byte for byte, link indications, the halt report).
 * Skips (visibly) when build/drivers/ndistest_adapter.sys is not built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../drivers/ndistest_adapter/ndistest_adapter.h"
#include "nt/loader.h"
#include "nt/ndis/ndis.h"
#include "nt/nt.h"
#include "nt/ntoskrnl/io.h"
#include "nt/ntoskrnl/ke.h"
#include "nt/ntoskrnl/registry.h"

#define SERVICE "ndistest"
#define IO_BASE 0x300u
#define IRQ 10u /* two digits: decimal and hexadecimal readings differ */
#define MAX_FRAMES 256

typedef struct Frame {
    size_t len;
    uint8_t b[1514];
} Frame;

typedef struct Rig {
    Vm *vm;
    Nt *nt;
    NtImage img;
    FILE *log;
    long log_mark;  /* log offset once the adapter is up */
    uint8_t status; /* the status port */
    int masked;     /* the chip's interrupt mask (MASK port written 0) */
    int other;      /* another device on the shared line interrupts, until
                     * the ISR chain has run (our ISR reads STATUS) */
    int line;       /* interrupt line (status != 0 and unmasked, or forced) */
    int force_line; /* storm test: the line stuck asserted */
    int irq_blocked;
    NdisAdapter *ad;
    Frame *rx;
    unsigned nrx;
    int link[8];
    unsigned nlink;
} Rig;

static const uint8_t drv_mac[6] = {0x02, 0x00, 0x5e, 0x4e, 0x44, 0x01};
static unsigned next_mode;

static const char *driver_path(void)
{
    static char path[512];
    const char *b = getenv("BUILD");
    snprintf(path, sizeof path, "%s/drivers/ndistest_adapter.sys", b && *b ? b : "build");
    return path;
}

static uint32_t port_read(void *opaque, uint16_t port, unsigned size)
{
    Rig *r = opaque;
    if (port == IO_BASE + NDT_PORT_STATUS) {
        r->other = 0;
        return r->status;
    }
    return 0xFFFFFFFFu >> (32 - 8 * size);
}

static void port_write(void *opaque, uint16_t port, unsigned size, uint32_t v)
{
    Rig *r = opaque;
    (void)size;
    if (port == IO_BASE + NDT_PORT_STATUS)
        r->status &= (uint8_t)~v;
    else if (port == IO_BASE + NDT_PORT_DOORBELL)
        r->status |= NDT_ST_TX;
    else if (port == IO_BASE + NDT_PORT_MASK)
        r->masked = (v & 1) == 0;
    r->line = r->status != 0 && !r->masked;
}

/* The device raises status bits itself (an event the test makes). */
static void rig_raise(Rig *r, uint8_t bits)
{
    r->status |= bits;
    r->line = r->status != 0 && !r->masked;
}

static const VmIoOps io_ops = {.port_read = port_read, .port_write = port_write};

static int irq_pending(void *opaque)
{
    Rig *r = opaque;
    return (r->line || r->force_line || r->other) && !r->irq_blocked;
}

static void host_receive(void *opaque, const uint8_t *frame, size_t len)
{
    Rig *r = opaque;
    if (r->nrx < MAX_FRAMES && len <= sizeof r->rx[0].b) {
        r->rx[r->nrx].len = len;
        memcpy(r->rx[r->nrx].b, frame, len);
        r->nrx++;
    }
}

static void host_link(void *opaque, int up)
{
    Rig *r = opaque;
    if (r->nlink < 8)
        r->link[r->nlink++] = up;
}

static char *log_text(Rig *r, long from)
{
    fflush(r->log);
    long n = ftell(r->log);
    char *t = calloc(1, (size_t)(n - from) + 1);
    fseek(r->log, from, SEEK_SET);
    if (fread(t, 1, (size_t)(n - from), r->log) != (size_t)(n - from))
        t[0] = 0;
    fseek(r->log, 0, SEEK_END);
    return t;
}

static void dump_log(Rig *r)
{
    char *t = log_text(r, 0);
    fprintf(stderr, "---- run log ----\n%s-----------------\n", t);
    free(t);
}

static void check_running(Rig *r)
{
    if (vm_stopped(r->vm)) {
        vm_report_fault(r->vm, stderr);
        dump_log(r);
        fail();
    }
}

static void step(Rig *r, uint64_t ns)
{
    ndis_adapter_service(r->ad);
    uint64_t until = vm_time_ns(r->vm) + ns;
    while (nt_ke_idle(r->nt, until) && !vm_stopped(r->vm))
        ;
    ndis_adapter_service(r->ad);
    check_running(r);
}

/* Bring up the driver with r->mode; returns the rig with the adapter up
 * (or, with NDT_FAIL_INIT, down and err set). */
static Rig *rig_new(unsigned mode, char *err, size_t errlen)
{
    Rig *r = calloc(1, sizeof *r);
    r->rx = calloc(MAX_FRAMES, sizeof *r->rx);
    r->log = tmpfile();
    r->vm = vm_create(NULL);
    NtOptions opt = {.log = r->log};
    r->nt = nt_create(r->vm, &opt);
    assert_non_null(r->nt);
    vm_set_io(r->vm, &io_ops, r);
    char v[16];
    snprintf(v, sizeof v, "dword:%u", mode);
    assert_int_equal(nt_reg_set_param(r->nt, SERVICE, "Mode", v), 0);
    /* what the machine's installer writes for an ISA card at these resources */
    assert_int_equal(ndis_install_bus_params(r->nt, SERVICE, 1, IO_BASE, IRQ), 0);
    if (nt_load_image(r->nt, driver_path(), &r->img, err, errlen) < 0) {
        fprintf(stderr, "load: %s\n", err);
        fail();
    }
    if (nt_io_load_driver(r->nt, &r->img, SERVICE) != 0) {
        vm_report_fault(r->vm, stderr);
        dump_log(r);
        fail();
    }
    NdisHw hw = {.isa_io = IO_BASE,
                 .isa_io_len = NDT_PORTS,
                 .irq = IRQ,
                 .irq_pending = irq_pending,
                 .opaque = r};
    NdisHostOps ops = {.receive = host_receive, .link = host_link, .opaque = r};
    r->ad = ndis_adapter_create(r->nt, &hw, &ops, SERVICE, err, errlen);
    if (!r->ad && !(mode & NDT_FAIL_INIT)) {
        fprintf(stderr, "ndis_adapter_create: %s\n", err);
        check_running(r);
        dump_log(r);
        fail();
    }
    fflush(r->log);
    r->log_mark = ftell(r->log);
    return r;
}

static void rig_free(Rig *r)
{
    if (r->ad)
        ndis_adapter_halt(r->ad);
    nt_io_unload_driver(r->nt);
    nt_image_free(&r->img);
    nt_destroy(r->nt);
    vm_destroy(r->vm);
    fclose(r->log);
    free(r->rx);
    free(r);
}

static int setup(void **state)
{
    if (access(driver_path(), R_OK) != 0) {
        fprintf(stderr, "test_ndis_adapter: SKIPPED: %s is not built\n", driver_path());
        return 0;
    }
    char err[512];
    *state = rig_new(next_mode, err, sizeof err);
    return 0;
}

static int teardown(void **state)
{
    if (*state)
        rig_free(*state);
    return 0;
}

#define RIG(state)                                                                                 \
    Rig *r = *(state);                                                                             \
    if (!r)                                                                                        \
        skip();

static NdisTestCounters counters(Rig *r)
{
    NdisTestCounters c;
    uint32_t w = 0, need = 0;
    memset(&c, 0, sizeof c);
    assert_int_equal(ndis_adapter_query(r->ad, NDT_OID_COUNTERS, &c, sizeof c, &w, &need),
                     NDIS_STATUS_SUCCESS);
    assert_int_equal(w, sizeof c);
    return c;
}

/* Halt; the driver released everything and nothing was reported since the
 * adapter came up. Returns the halt's count. */
static void halt_clean(Rig *r)
{
    NdisTestCounters c = counters(r);
    assert_int_equal(c.failures, 0);
    int left = ndis_adapter_halt(r->ad);
    r->ad = NULL;
    char *t = log_text(r, r->log_mark);
    if (left != 0 || strstr(t, "warning: ndis:") || strstr(t, "FAIL"))
        dump_log(r);
    assert_int_equal(left, 0);
    assert_null(strstr(t, "warning: ndis:"));
    assert_null(strstr(t, "ndistest: FAIL"));
    free(t);
    check_running(r);
}

static void make_frame(uint8_t *f, size_t len, unsigned seed)
{
    memset(f, 0xff, 6);
    memcpy(f + 6, drv_mac, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seed * 31 + i * 3);
}

/* Send n frames (with the line held off during the burst if `burst`), let
 * them loop back, check every one came back intact and in order. */
static void loopback(Rig *r, unsigned n, int burst)
{
    uint8_t f[1514];
    unsigned base = r->nrx;
    r->irq_blocked = burst;
    for (unsigned i = 0; i < n; i++) {
        size_t len = 60 + (i * 151) % 1454;
        make_frame(f, len, i);
        assert_int_equal(ndis_adapter_send(r->ad, f, len), 0);
        if (!burst)
            step(r, 100000);
    }
    r->irq_blocked = 0;
    for (int k = 0; k < 100 && r->nrx < base + n; k++)
        step(r, 1000000);
    step(r, 1000000);
    if (r->nrx != base + n) {
        NdisTestCounters c = counters(r);
        NdisAdapterStats st;
        ndis_adapter_stats(r->ad, &st);
        fprintf(stderr,
                "loopback: %u of %u back; driver: taken %u completed %u resources %u indicated %u "
                "no-slot %u returned %u transfers %u isr %u dpc %u; host: tx %llu stalls %llu rx "
                "%llu\n",
                r->nrx - base, n, c.tx_taken, c.tx_completed, c.tx_resources, c.rx_indicated,
                c.rx_no_slot, c.returned, c.transfers, c.isr_calls, c.dpc_calls,
                (unsigned long long)st.tx_frames, (unsigned long long)st.tx_resources,
                (unsigned long long)st.rx_frames);
        dump_log(r);
    }
    assert_int_equal(r->nrx, base + n);
    for (unsigned i = 0; i < n; i++) {
        size_t len = 60 + (i * 151) % 1454;
        make_frame(f, len, i);
        assert_int_equal(r->rx[base + i].len, len);
        assert_memory_equal(r->rx[base + i].b, f, len);
    }
    NdisAdapterStats st;
    ndis_adapter_stats(r->ad, &st);
    assert_true(st.tx_frames >= n);
}

static void test_bring_up(void **state)
{
    RIG(state);
    uint8_t mac[6];
    ndis_adapter_mac(r->ad, mac);
    assert_memory_equal(mac, drv_mac, 6);
    assert_true(ndis_adapter_link_up(r->ad));
    NdisTestCounters c = counters(r);
    assert_int_equal(c.failures, 0);
    assert_int_equal(c.filter, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST |
                                   NDIS_PACKET_TYPE_BROADCAST);
    assert_int_equal(c.lookahead, 256); /* NDIS_ADAPTER_LOOKAHEAD: what a protocol binding asks */
    /* The port range outside the resources was refused (the driver tried). */
    char *t = log_text(r, 0);
    assert_non_null(strstr(t, "not inside the adapter's port resources"));
    free(t);
    halt_clean(r);
}

static void test_loopback(void **state)
{
    RIG(state);
    loopback(r, 20, 0);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.tx_taken, 20);
    assert_int_equal(c.tx_completed, 20);
    assert_int_equal(c.sync_calls, 20);
    assert_true(c.isr_calls > 0 && c.dpc_calls > 0);
    halt_clean(r);
}

static void test_loopback_burst(void **state)
{
    RIG(state);
    loopback(r, 40, 1);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.tx_taken, 40);
    if (!(next_mode & NDT_DESERIALIZE)) {
        /* eight in flight, then NDIS_STATUS_RESOURCES until the DPC frees them */
        NdisAdapterStats st;
        ndis_adapter_stats(r->ad, &st);
        assert_true(c.tx_resources >= 1);
        assert_true(st.tx_resources >= 1);
    }
    halt_clean(r);
}

static void test_received_packets_returned(void **state)
{
    RIG(state);
    loopback(r, 12, 0);
    step(r, 1000000);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.rx_indicated, 12);
    if (next_mode & NDT_RX_RESOURCES)
        assert_int_equal(c.returned, 6); /* the other six were the driver's again at once */
    else
        assert_int_equal(c.returned, 12);
    halt_clean(r);
}

static void test_transfer_data(void **state)
{
    RIG(state);
    loopback(r, 10, 0);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.transfers, 10); /* every frame is longer than 14 + 32 */
    halt_clean(r);
}

static void test_sg_lists(void **state)
{
    RIG(state);
    loopback(r, 10, 0);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.sg_ok, 10);
    halt_clean(r);
}

static void test_map_registers(void **state)
{
    RIG(state);
    loopback(r, 10, 0);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.mappings, 10);
    halt_clean(r);
}

static void test_no_isr(void **state)
{
    RIG(state);
    loopback(r, 5, 0);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.isr_calls, 0);
    assert_true(c.disable_calls >= 1);
    assert_int_equal(c.enable_calls, c.disable_calls);
    halt_clean(r);
}

static void test_async_shared_memory(void **state)
{
    RIG(state);
    step(r, 1000000);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.async_done, 1);
    halt_clean(r);
}

static void test_pending_requests(void **state)
{
    RIG(state);
    uint32_t v = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST, rd = 0, need = 0;
    assert_int_equal(ndis_adapter_set(r->ad, OID_GEN_CURRENT_PACKET_FILTER, &v, 4, &rd, &need),
                     NDIS_STATUS_SUCCESS);
    assert_int_equal(rd, 4);
    uint8_t mac[6];
    uint32_t w = 0;
    assert_int_equal(ndis_adapter_query(r->ad, OID_802_3_CURRENT_ADDRESS, mac, 6, &w, &need),
                     NDIS_STATUS_SUCCESS);
    assert_int_equal(w, 6);
    assert_memory_equal(mac, drv_mac, 6);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.filter, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST);
    /* An unknown OID fails synchronously. */
    assert_int_equal(ndis_adapter_query(r->ad, 0x00010199u, &v, 4, &w, &need),
                     NDIS_STATUS_INVALID_OID);
    loopback(r, 4, 0);
    halt_clean(r);
}

/* NDIS's filter: what the driver indicates reaches the host only if the
 * binding's packet filter and multicast list accept it; the multicast
 * list comes back after an addressing reset. */
static void test_packet_filter(void **state)
{
    RIG(state);
    uint8_t f[128];
    static const uint8_t mc1[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    static const uint8_t mc2[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x02};
    static const uint8_t other[6] = {0x02, 0x00, 0x5e, 0x99, 0x99, 0x99};
    const uint8_t *dst[5] = {drv_mac, other, mc1, mc2, NULL};
    uint32_t rd, need;
    assert_int_equal(ndis_adapter_set(r->ad, OID_802_3_MULTICAST_LIST, mc1, 6, &rd, &need),
                     NDIS_STATUS_SUCCESS);
    for (unsigned round = 0; round < 3; round++) {
        if (round == 1) {
            uint32_t v = NDIS_PACKET_TYPE_DIRECTED;
            assert_int_equal(
                ndis_adapter_set(r->ad, OID_GEN_CURRENT_PACKET_FILTER, &v, 4, &rd, &need),
                NDIS_STATUS_SUCCESS);
        } else if (round == 2) {
            uint32_t v = NDIS_PACKET_TYPE_PROMISCUOUS;
            assert_int_equal(
                ndis_adapter_set(r->ad, OID_GEN_CURRENT_PACKET_FILTER, &v, 4, &rd, &need),
                NDIS_STATUS_SUCCESS);
        }
        unsigned before = r->nrx;
        for (unsigned i = 0; i < 5; i++) {
            make_frame(f, sizeof f, i);
            if (dst[i])
                memcpy(f, dst[i], 6);
            assert_int_equal(ndis_adapter_send(r->ad, f, sizeof f), 0);
            step(r, 200000);
        }
        step(r, 2000000);
        /* round 0: D|M|B: ours, mc1 (listed), broadcast; 1: ours only; 2: all */
        static const unsigned want[3] = {3, 1, 5};
        assert_int_equal(r->nrx - before, want[round]);
    }
    NdisTestCounters a = counters(r);
    assert_int_equal(a.mcast_entries, 1);
    assert_int_equal(ndis_adapter_reset(r->ad), NDIS_STATUS_SUCCESS);
    NdisTestCounters b = counters(r);
    assert_int_equal(b.sets, a.sets + 3); /* lookahead, multicast list, filter */
    assert_int_equal(b.filter, NDIS_PACKET_TYPE_PROMISCUOUS);
    halt_clean(r);
}

static void test_link_indications(void **state)
{
    RIG(state);
    uint32_t v = 0, rd, need;
    assert_int_equal(ndis_adapter_set(r->ad, NDT_OID_LINK, &v, 4, &rd, &need), NDIS_STATUS_SUCCESS);
    assert_int_equal(r->nlink, 1);
    assert_int_equal(r->link[0], 0);
    assert_false(ndis_adapter_link_up(r->ad));
    v = 1;
    assert_int_equal(ndis_adapter_set(r->ad, NDT_OID_LINK, &v, 4, &rd, &need), NDIS_STATUS_SUCCESS);
    assert_int_equal(r->nlink, 2);
    assert_int_equal(r->link[1], 1);
    assert_true(ndis_adapter_link_up(r->ad));
    halt_clean(r);
}

static void test_reset_restores_addressing(void **state)
{
    RIG(state);
    NdisTestCounters a = counters(r);
    assert_int_equal(ndis_adapter_reset(r->ad), NDIS_STATUS_SUCCESS);
    NdisTestCounters b = counters(r);
    assert_int_equal(b.resets, a.resets + 1);
    assert_int_equal(b.sets, a.sets + 2); /* lookahead and packet filter set again */
    loopback(r, 3, 0);
    halt_clean(r);
}

/* CheckForHang every 2 s; TRUE once -> one reset, traffic goes on. */
static void test_hang_check_resets(void **state)
{
    RIG(state);
    step(r, 5000000000ull);
    NdisTestCounters c = counters(r);
    assert_true(c.hang_checks >= 2);
    assert_int_equal(c.resets, 1);
    assert_int_equal(c.failures, 0);
    char *t = log_text(r, r->log_mark);
    assert_non_null(strstr(t, "CheckForHang returned TRUE"));
    free(t);
    loopback(r, 3, 0);
    assert_int_equal(ndis_adapter_halt(r->ad), 0);
    r->ad = NULL;
}

/* A driver whose MiniportHalt releases nothing: the host names it all. */
static void test_halt_reports_leaks(void **state)
{
    RIG(state);
    loopback(r, 2, 0);
    int left = ndis_adapter_halt(r->ad);
    r->ad = NULL;
    check_running(r);
    char *t = log_text(r, r->log_mark);
    assert_true(left >= 6);
    assert_non_null(strstr(t, "interrupt (IRQ 10"));
    assert_non_null(strstr(t, "I/O port range 0x300"));
    assert_non_null(strstr(t, "shared memory at"));
    assert_non_null(strstr(t, "map registers still allocated"));
    assert_non_null(strstr(t, "shutdown handler"));
    assert_non_null(strstr(t, "still set after MiniportHalt"));
    free(t);
}

/* ---- the interrupt protocol, rule by rule (src/nt/ndis/interrupt.c R1-R6) ---- */

/* R1, R4: RequestIsr TRUE: MiniportISR for every interrupt, never
 * MiniportDisableInterrupt; each recognized interrupt one HandleInterrupt. */
static void test_irq_isr_every_interrupt(void **state)
{
    RIG(state);
    loopback(r, 6, 0);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.isr_calls, 6);
    assert_int_equal(c.dpc_calls, 6);
    assert_int_equal(c.disable_calls, 0);
    halt_clean(r);
}

/* R1: a shared line asks the miniport's ISR even when it did not request it. */
static void test_irq_shared_line_calls_isr(void **state)
{
    RIG(state);
    loopback(r, 4, 0);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.isr_calls, 4);
    assert_int_equal(c.disable_calls, 0);
    assert_int_equal(c.dpc_calls, 4);
    halt_clean(r);
}

/* R1, regression "RequestIsr FALSE without MiniportDisableInterrupt was
 * refused": nothing but the ISR can silence the device, so it is called
 * for every interrupt. */
static void test_irq_no_disable_handler_calls_isr(void **state)
{
    RIG(state);
    loopback(r, 4, 0);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.isr_calls, 4);
    assert_int_equal(c.disable_calls, 0);
    assert_int_equal(c.enable_calls, 0);
    assert_int_equal(c.dpc_calls, 4);
    halt_clean(r);
}

/* R1: an interrupt while MiniportInitialize runs goes to MiniportISR even
 * with RequestIsr FALSE; afterwards NDIS takes them itself (R2). */
static void test_irq_isr_during_initialize(void **state)
{
    RIG(state);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.init_isr, 1);
    assert_int_equal(c.isr_calls, 1);
    assert_int_equal(c.disable_calls, 0);
    loopback(r, 3, 0);
    c = counters(r);
    assert_int_equal(c.isr_calls, 1);
    assert_int_equal(c.disable_calls, 3);
    halt_clean(r);
}

/* R2: RequestIsr FALSE, not shared: DisableInterrupt, then always the DPC,
 * then EnableInterrupt. */
static void test_irq_no_isr_disable_dpc_enable(void **state)
{
    RIG(state);
    loopback(r, 5, 0);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.isr_calls, 0);
    assert_int_equal(c.disable_calls, 5);
    assert_int_equal(c.dpc_calls, 5);
    assert_int_equal(c.enable_calls, 5);
    halt_clean(r);
}

/* R3, regression "unrecognized interrupt on a shared line queued the DPC":
 * an ISR that says QueueMiniportHandleInterrupt TRUE but InterruptRecognized
 * FALSE gets neither HandleInterrupt nor EnableInterrupt. */
static void test_irq_unrecognized_queues_nothing(void **state)
{
    RIG(state);
    NdisTestCounters before = counters(r);
    r->other = 1; /* another device on the line */
    step(r, 1000000);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.isr_unrecognized, before.isr_unrecognized + 1);
    assert_int_equal(c.dpc_calls, before.dpc_calls);
    assert_int_equal(c.enable_calls, before.enable_calls);
    loopback(r, 2, 0); /* and the line still works for our device */
    halt_clean(r);
}

/* R3: recognized but not queued: the ISR did all there was to do. */
static void test_irq_recognized_not_queued(void **state)
{
    RIG(state);
    NdisTestCounters before = counters(r);
    rig_raise(r, NDT_ST_ISR_ONLY);
    step(r, 1000000);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.isr_only, before.isr_only + 1);
    assert_int_equal(c.isr_calls, before.isr_calls + 1);
    assert_int_equal(c.dpc_calls, before.dpc_calls);
    assert_int_equal(c.enable_calls, before.enable_calls);
    halt_clean(r);
}

/* R5, regression "vendor driver sends but never receives again": the ISR
 * (or DisableInterrupt) masks the chip and only MiniportEnableInterrupt
 * unmasks it, whatever RequestIsr and SharedInterrupt were. Frames one by
 * one, then a burst: every one comes back, each DPC ran with the chip
 * masked and was followed by EnableInterrupt. */
static void test_irq_masking_isr_enable_unmasks(void **state)
{
    RIG(state);
    loopback(r, 24, 0);
    loopback(r, 24, 1);
    NdisTestCounters c = counters(r);
    assert_true(c.dpc_calls >= 25);
    assert_int_equal(c.enable_calls, c.dpc_calls);
    assert_int_equal(c.masked_dpcs, c.dpc_calls);
    assert_false(r->masked);
    halt_clean(r);
}

/* R5: no EnableInterruptHandler: nothing is called after HandleInterrupt,
 * which unmasks the chip itself. */
static void test_irq_no_enable_handler(void **state)
{
    RIG(state);
    loopback(r, 8, 0);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.enable_calls, 0);
    assert_int_equal(c.dpc_calls, 8);
    halt_clean(r);
}

/* Regression "InterruptNumber 10 read as hexadecimal gave 0x10": the
 * installer's values are REG_DWORD, the same number whichever integer type
 * the driver asks for. */
static void test_installer_values_read_as_either_integer(void **state)
{
    RIG(state);
    NdisTestCounters c = counters(r);
    assert_int_equal(c.bus_type, 1); /* NdisInterfaceIsa */
    assert_int_equal(c.io_base, IO_BASE);
    assert_int_equal(c.int_number, IRQ);
    halt_clean(r);
}

/* The line stuck asserted and the ISR not claiming it: disabled loudly,
 * the run goes on. */
static void test_interrupt_storm_guard(void **state)
{
    RIG(state);
    r->force_line = 1;
    /* the guard counts ISR rounds, not time: give it up to 10 ms of them */
    char *t = NULL;
    for (int k = 0; k < 10 && !(t && strstr(t, "interrupt storm")); k++) {
        free(t);
        step(r, 1000000);
        t = log_text(r, r->log_mark);
    }
    assert_non_null(strstr(t, "interrupt storm"));
    free(t);
    r->force_line = 0;
    NdisTestCounters c = counters(r);
    assert_true(c.isr_calls > 1000);
    assert_int_equal(ndis_adapter_halt(r->ad), 0);
    r->ad = NULL;
}

static void test_failed_initialize(void **state)
{
    (void)state;
    if (access(driver_path(), R_OK) != 0)
        skip();
    char err[512];
    Rig *r = rig_new(NDT_FAIL_INIT, err, sizeof err);
    assert_null(r->ad);
    assert_string_equal(
        err,
        "MiniportInitialize failed with NDIS status 0xc0010006 (NDIS_STATUS_ADAPTER_NOT_FOUND)");
    assert_false(vm_stopped(r->vm));
    rig_free(r);
}

#define MODE_SETUP(name, mode)                                                                     \
    static int name(void **state)                                                                  \
    {                                                                                              \
        next_mode = (mode);                                                                        \
        return setup(state);                                                                       \
    }
MODE_SETUP(m_plain, 0)
MODE_SETUP(m_single, NDT_SINGLE_SEND)
MODE_SETUP(m_deser, NDT_DESERIALIZE)
MODE_SETUP(m_deser_single, NDT_DESERIALIZE | NDT_SINGLE_SEND)
MODE_SETUP(m_pending, NDT_PENDING_REQUESTS)
MODE_SETUP(m_lookahead, NDT_SMALL_LOOKAHEAD)
MODE_SETUP(m_lookahead_pend, NDT_SMALL_LOOKAHEAD | NDT_PENDING_TRANSFER)
MODE_SETUP(m_sg, NDT_SG_DMA)
MODE_SETUP(m_maps, NDT_MAP_REGISTERS)
MODE_SETUP(m_noisr, NDT_NO_ISR)
MODE_SETUP(m_async, NDT_ASYNC_SHARED)
MODE_SETUP(m_hang, NDT_HANG)
MODE_SETUP(m_leak, NDT_LEAK)
MODE_SETUP(m_rxres, NDT_RX_RESOURCES)
MODE_SETUP(m_shared_noisr, NDT_SHARED | NDT_NO_ISR)
MODE_SETUP(m_init_irq, NDT_NO_ISR | NDT_INIT_IRQ)
MODE_SETUP(m_shared_lie, NDT_SHARED | NDT_QUEUE_ALWAYS)
MODE_SETUP(m_mask, NDT_MASKING)
MODE_SETUP(m_mask_shared, NDT_MASKING | NDT_SHARED)
MODE_SETUP(m_mask_noisr, NDT_MASKING | NDT_NO_ISR)
MODE_SETUP(m_mask_noisr_shared, NDT_MASKING | NDT_NO_ISR | NDT_SHARED)
MODE_SETUP(m_mask_deser, NDT_MASKING | NDT_DESERIALIZE | NDT_SHARED)
MODE_SETUP(m_mask_noenable, NDT_MASKING | NDT_NO_ENABLE)
MODE_SETUP(m_read_bus, NDT_READ_BUS)
MODE_SETUP(m_no_disable, NDT_NO_ISR | NDT_NO_DISABLE)

int main(void)
{
#define T(fn, su) cmocka_unit_test_setup_teardown(fn, su, teardown)
    const struct CMUnitTest tests[] = {
        T(test_bring_up, m_plain),
        T(test_loopback, m_plain),
        T(test_loopback_burst, m_plain),
        T(test_received_packets_returned, m_plain),
        T(test_loopback, m_single),
        T(test_loopback_burst, m_single),
        T(test_loopback, m_deser),
        T(test_loopback_burst, m_deser),
        T(test_loopback_burst, m_deser_single),
        T(test_pending_requests, m_pending),
        T(test_transfer_data, m_lookahead),
        T(test_transfer_data, m_lookahead_pend),
        T(test_sg_lists, m_sg),
        T(test_map_registers, m_maps),
        T(test_no_isr, m_noisr),
        T(test_async_shared_memory, m_async),
        T(test_received_packets_returned, m_rxres),
        T(test_link_indications, m_plain),
        T(test_packet_filter, m_plain),
        T(test_reset_restores_addressing, m_plain),
        T(test_hang_check_resets, m_hang),
        T(test_halt_reports_leaks, m_leak),
        T(test_interrupt_storm_guard, m_plain),
        T(test_irq_isr_every_interrupt, m_plain),
        T(test_irq_shared_line_calls_isr, m_shared_noisr),
        T(test_irq_isr_during_initialize, m_init_irq),
        T(test_irq_no_disable_handler_calls_isr, m_no_disable),
        T(test_irq_no_isr_disable_dpc_enable, m_noisr),
        T(test_irq_unrecognized_queues_nothing, m_shared_lie),
        T(test_irq_recognized_not_queued, m_plain),
        T(test_irq_masking_isr_enable_unmasks, m_mask),
        T(test_irq_masking_isr_enable_unmasks, m_mask_shared),
        T(test_irq_masking_isr_enable_unmasks, m_mask_noisr),
        T(test_irq_masking_isr_enable_unmasks, m_mask_noisr_shared),
        T(test_irq_masking_isr_enable_unmasks, m_mask_deser),
        T(test_irq_no_enable_handler, m_mask_noenable),
        T(test_installer_values_read_as_either_integer, m_read_bus),
        cmocka_unit_test(test_failed_initialize),
    };
    return cmocka_run_group_tests_name("ndis adapter paths", tests, NULL, NULL);
}
