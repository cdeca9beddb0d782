/* The miniport host (src/nt/ndis/adapter.c, resources.c, interrupt.c,
 * dma.c) against a real NDIS 5.1 miniport: the project's RTL8139 driver
 * (build/drivers/rtl8139.sys) on the RTL8139 model, wired here directly
 * (PCI function, port and MMIO windows, interrupt line, device clock on
 * virtual time) rather than through src/machine, so that every frame and
 * indication reaches the test through NdisHostOps and NetPort. Checks:
 * the MAC the driver reports is the model's EEPROM MAC; frames sent reach
 * the cable byte for byte and in order, also in bursts larger than the
 * chip's four transmit descriptors (the serialized send queue and its
 * retries); received frames reach NdisHostOps.receive byte for byte and
 * the packets go back to the driver (MiniportReturnPacket); cable pulls
 * and plugs become link indications; MiniportReset and the periodic
 * CheckForHang keep traffic working; MiniportHalt leaves nothing behind.
 * Skips (visibly) when build/drivers/rtl8139.sys is not built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev/bus.h"
#include "dev/dev.h"
#include "dev/pci.h"
#include "dev/rtl8139.h"
#include "nt/loader.h"
#include "nt/ndis/ndis.h"
#include "nt/nt.h"
#include "nt/ntoskrnl/io.h"
#include "nt/ntoskrnl/ke.h"
#include "nt/ntoskrnl/registry.h"
#include "pe/inf.h"

#define SLOT 3u
#define IRQ 11u
#define IO_BASE 0xC300u
#define MEM_BASE 0xFEB03000u
#define SERVICE "RTL8139"
#define MAX_FRAMES 512

typedef struct Frame {
    size_t len;
    uint8_t b[1536];
} Frame;

typedef struct Rig {
    Vm *vm;
    Nt *nt;
    NtImage img;
    FILE *log;
    Bus bus;
    PciBus pcibus;
    DevClock clock;
    Rtl8139 *nic;
    int irq_level;
    int irq_blocked; /* the test holds the line off (interrupt controller masked) */
    NdisAdapter *ad;
    Frame *tx; /* frames on the cable */
    unsigned ntx;
    Frame *rx; /* frames the host OS got */
    unsigned nrx;
    int link_events[16];
    unsigned nlink;
} Rig;

static const uint8_t model_mac[6] = {0x02, 0x00, 0x5e, 0x81, 0x39, 0x07};

static const char *driver_path(void)
{
    static char path[512];
    const char *b = getenv("BUILD");
    snprintf(path, sizeof path, "%s/drivers/rtl8139.sys", b && *b ? b : "build");
    return path;
}

/* ---- glue: what a PC gives the chip ---- */

static void *dma_map(void *opaque, uint32_t addr, uint32_t len)
{
    return vm_ptr(((Rig *)opaque)->vm, addr, len);
}

static void irq_set(void *opaque, int line, int level)
{
    (void)line;
    ((Rig *)opaque)->irq_level = level;
}

static void cable_send(void *opaque, const uint8_t *frame, size_t len)
{
    Rig *r = opaque;
    if (r->ntx < MAX_FRAMES && len <= sizeof r->tx[0].b) {
        r->tx[r->ntx].len = len;
        memcpy(r->tx[r->ntx].b, frame, len);
        r->ntx++;
    }
}

static void clock_sync(Rig *r)
{
    dev_clock_advance(&r->clock, vm_time_ns(r->vm));
}

static uint32_t port_read(void *opaque, uint16_t port, unsigned size)
{
    Rig *r = opaque;
    clock_sync(r);
    return bus_port_read(&r->bus, port, size);
}

static void port_write(void *opaque, uint16_t port, unsigned size, uint32_t v)
{
    Rig *r = opaque;
    clock_sync(r);
    bus_port_write(&r->bus, port, size, v);
}

static const VmIoOps io_ops = {.port_read = port_read, .port_write = port_write};

static uint32_t mmio_read(void *opaque, uint32_t off, unsigned size)
{
    Rig *r = opaque;
    clock_sync(r);
    return off + size <= RTL8139_IO_SIZE ? rtl8139_io_ops.read(r->nic, off, size) : 0xFFFFFFFFu;
}

static void mmio_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    Rig *r = opaque;
    clock_sync(r);
    if (off + size <= RTL8139_IO_SIZE)
        rtl8139_io_ops.write(r->nic, off, size, v);
}

static const VmMmioOps mmio_ops = {.read = mmio_read, .write = mmio_write};

static uint64_t clock_next(void *opaque)
{
    return dev_clock_next(&((Rig *)opaque)->clock);
}

static void clock_fire(void *opaque, uint64_t now)
{
    dev_clock_advance(&((Rig *)opaque)->clock, now);
}

static GuestAddr hw_map_mmio(void *opaque, uint32_t phys, uint32_t len)
{
    (void)opaque;
    if (phys < MEM_BASE || (uint64_t)phys + len > MEM_BASE + VM_PAGE_SIZE)
        return 0;
    return phys; /* mapped identity at attach */
}

static int hw_irq_pending(void *opaque)
{
    Rig *r = opaque;
    return r->irq_level && !r->irq_blocked;
}

/* ---- the host OS side ---- */

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
    if (r->nlink < 16)
        r->link_events[r->nlink++] = up;
}

/* ---- rig ---- */

static char *log_text(Rig *r)
{
    fflush(r->log);
    long n = ftell(r->log);
    char *t = calloc(1, (size_t)n + 1);
    rewind(r->log);
    if (fread(t, 1, (size_t)n, r->log) != (size_t)n)
        t[0] = 0;
    fseek(r->log, 0, SEEK_END);
    return t;
}

static void dump_log(Rig *r)
{
    char *t = log_text(r);
    fprintf(stderr, "---- run log ----\n%s-----------------\n", t);
    free(t);
}

/* Idle virtual time forward, delivering interrupts. */
static void step(Rig *r, uint64_t ns)
{
    ndis_adapter_service(r->ad);
    uint64_t until = vm_time_ns(r->vm) + ns;
    while (nt_ke_idle(r->nt, until) && !vm_stopped(r->vm))
        ;
    ndis_adapter_service(r->ad);
    if (vm_stopped(r->vm)) {
        vm_report_fault(r->vm, stderr);
        dump_log(r);
        fail();
    }
}

/* Driver parameters for the next setup (drivers/rtl8139/README.md):
 * ReceiveIndication 1 = NdisMEthIndicateReceive instead of packets,
 * RegisterSpace 1 = registers through memory space (NdisMMapIoSpace),
 * SendCompletion 0 = sends complete synchronously. */
static const char *const *params;

static int setup(void **state)
{
    if (access(driver_path(), R_OK) != 0) {
        fprintf(stderr, "test_ndis_adapter_rtl8139: SKIPPED: %s is not built (make %s)\n",
                driver_path(), driver_path());
        return 0;
    }
    Rig *r = calloc(1, sizeof *r);
    r->tx = calloc(MAX_FRAMES, sizeof *r->tx);
    r->rx = calloc(MAX_FRAMES, sizeof *r->rx);
    r->log = tmpfile();
    r->vm = vm_create(NULL);
    NtOptions opt = {.log = r->log};
    r->nt = r->vm ? nt_create(r->vm, &opt) : NULL;
    if (!r->tx || !r->rx || !r->log || !r->nt)
        return -1;
    bus_init(&r->bus);
    pci_bus_init(&r->pcibus);
    dev_clock_init(&r->clock);
    DevDma dma = {.map = dma_map, .opaque = r};
    DevIrq irq = {.set = irq_set, .opaque = r, .line = IRQ};
    NetPort port = {.send = cable_send, .opaque = r};
    r->nic = rtl8139_new(&dma, &irq, &r->clock, &port, model_mac);
    PciDevice *p = rtl8139_pci(r->nic);
    /* What firmware does before the OS starts: BARs, interrupt line,
     * decoding and bus mastering on. */
    pci_config_write(p, PCI_BAR0, 4, IO_BASE);
    pci_config_write(p, PCI_BAR0 + 4, 4, MEM_BASE);
    pci_config_write(p, PCI_INTERRUPT_LINE, 1, IRQ);
    pci_config_write(p, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    if (pci_bus_attach(&r->pcibus, SLOT, p) < 0 ||
        bus_add_ports(&r->bus, PCI_CONFIG_ADDRESS_PORT, PCI_CONFIG_PORTS, &pci_bus_io_ops,
                      &r->pcibus, "pci") < 0 ||
        bus_add_ports(&r->bus, IO_BASE, RTL8139_IO_SIZE, &rtl8139_io_ops, r->nic, "rtl8139") < 0 ||
        vm_map_mmio(r->vm, MEM_BASE, VM_PAGE_SIZE, &mmio_ops, r) < 0)
        return -1;
    vm_set_io(r->vm, &io_ops, r);
    NtKeEventSource src = {clock_next, clock_fire, r};
    nt_ke_add_event_source(r->nt, &src);

    char err[1024];
    Inf inf;
    if (inf_load_file(&inf, "drivers/rtl8139/rtl8139.inf") == 0) {
        if (nt_reg_load_inf(r->nt, &inf, SERVICE, err, sizeof err) < 0)
            fprintf(stderr, "inf: %s\n", err);
        inf_free(&inf);
    }
    for (const char *const *p = params; p && *p; p += 2)
        nt_reg_set_param(r->nt, SERVICE, p[0], p[1]);
    if (nt_load_image(r->nt, driver_path(), &r->img, err, sizeof err) < 0) {
        fprintf(stderr, "load: %s\n", err);
        return -1;
    }
    int64_t st = nt_io_load_driver(r->nt, &r->img, SERVICE);
    if (st != 0) {
        fprintf(stderr, "DriverEntry: 0x%llx\n", (unsigned long long)st);
        vm_report_fault(r->vm, stderr);
        dump_log(r);
        return -1;
    }
    NdisHw hw = {.pci = p,
                 .pci_slot = SLOT,
                 .irq = IRQ,
                 .map_mmio = hw_map_mmio,
                 .irq_pending = hw_irq_pending,
                 .opaque = r};
    NdisHostOps ops = {.receive = host_receive, .link = host_link, .opaque = r};
    r->ad = ndis_adapter_create(r->nt, &hw, &ops, SERVICE, err, sizeof err);
    if (!r->ad) {
        fprintf(stderr, "ndis_adapter_create: %s\n", err);
        vm_report_fault(r->vm, stderr);
        dump_log(r);
        return -1;
    }
    *state = r;
    return 0;
}

static int setup_plain(void **state)
{
    params = NULL;
    return setup(state);
}

static int setup_lookahead(void **state)
{
    static const char *const p[] = {"ReceiveIndication", "1", NULL};
    params = p;
    return setup(state);
}

static int setup_mmio(void **state)
{
    static const char *const p[] = {"RegisterSpace", "1", NULL};
    params = p;
    return setup(state);
}

static int setup_sync_send(void **state)
{
    static const char *const p[] = {"SendCompletion", "0", NULL};
    params = p;
    return setup(state);
}

static int teardown(void **state)
{
    Rig *r = *state;
    if (!r)
        return 0;
    if (r->ad)
        ndis_adapter_halt(r->ad);
    nt_image_free(&r->img);
    nt_destroy(r->nt);
    vm_destroy(r->vm);
    rtl8139_free(r->nic);
    fclose(r->log);
    free(r->tx);
    free(r->rx);
    free(r);
    return 0;
}

#define RIG(state)                                                                                 \
    Rig *r = *(state);                                                                             \
    if (!r)                                                                                        \
        skip();

/* Halt and check the host's leak report said nothing. */
static void halt_clean(Rig *r)
{
    int left = ndis_adapter_halt(r->ad);
    r->ad = NULL;
    char *t = log_text(r);
    if (left != 0 || strstr(t, "warning: ndis:"))
        fprintf(stderr, "---- run log ----\n%s-----------------\n", t);
    assert_int_equal(left, 0);
    assert_null(strstr(t, "warning: ndis:"));
    free(t);
    assert_false(vm_stopped(r->vm));
}

static void make_frame(uint8_t *f, size_t len, const uint8_t dst[6], unsigned seed)
{
    static const uint8_t src[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x02};
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    f[14] = (uint8_t)seed;
    f[15] = (uint8_t)(seed >> 8);
    for (size_t i = 16; i < len; i++)
        f[i] = (uint8_t)(seed * 13 + i * 7);
}

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* ---- tests ---- */

static void test_mac_is_the_eeprom_mac(void **state)
{
    RIG(state);
    uint8_t mac[6];
    assert_int_equal(ndis_adapter_mac(r->ad, mac), 0);
    assert_memory_equal(mac, model_mac, 6);
    uint8_t q[6];
    uint32_t w = 0, need = 0;
    assert_int_equal(ndis_adapter_query(r->ad, OID_802_3_PERMANENT_ADDRESS, q, 6, &w, &need),
                     NDIS_STATUS_SUCCESS);
    assert_int_equal(w, 6);
    assert_memory_equal(q, model_mac, 6);
    uint32_t v = 0;
    assert_int_equal(ndis_adapter_query(r->ad, OID_GEN_MAXIMUM_FRAME_SIZE, &v, 4, &w, &need),
                     NDIS_STATUS_SUCCESS);
    assert_int_equal(v, 1500);
    assert_int_equal(ndis_adapter_query(r->ad, OID_GEN_MEDIA_CONNECT_STATUS, &v, 4, &w, &need),
                     NDIS_STATUS_SUCCESS);
    assert_int_equal(v, 0); /* NdisMediaStateConnected */
    assert_true(ndis_adapter_link_up(r->ad));
    /* A too-short buffer: the driver says how much it needs. */
    int64_t st = ndis_adapter_query(r->ad, OID_802_3_CURRENT_ADDRESS, q, 2, &w, &need);
    assert_true(st == NDIS_STATUS_INVALID_LENGTH || st == NDIS_STATUS_BUFFER_TOO_SHORT);
    assert_int_equal(need, 6);
    halt_clean(r);
}

static void test_sent_frames_reach_the_cable(void **state)
{
    RIG(state);
    uint8_t f[1514];
    for (unsigned i = 0; i < 12; i++) {
        size_t len = 60 + i * 121;
        make_frame(f, len, bcast, i);
        assert_int_equal(ndis_adapter_send(r->ad, f, len), 0);
        step(r, 1000000);
    }
    step(r, 10000000);
    assert_int_equal(r->ntx, 12);
    for (unsigned i = 0; i < 12; i++) {
        size_t len = 60 + i * 121;
        make_frame(f, len, bcast, i);
        assert_int_equal(r->tx[i].len, len);
        assert_memory_equal(r->tx[i].b, f, len);
    }
    NdisAdapterStats st;
    ndis_adapter_stats(r->ad, &st);
    assert_int_equal(st.tx_frames, 12);
    halt_clean(r);
}

/* More frames at once than the chip has transmit descriptors while its
 * interrupt is held off, so no descriptor comes back: the serialized driver
 * answers NDIS_STATUS_RESOURCES, NDIS queues the rest and resubmits after
 * NdisMSendResourcesAvailable; every frame goes out once, in order. */
static void test_send_burst_in_order(void **state)
{
    RIG(state);
    uint8_t f[1514];
    const unsigned n = 100;
    r->irq_blocked = 1;
    for (unsigned i = 0; i < n; i++) {
        make_frame(f, 200 + i, bcast, i);
        assert_int_equal(ndis_adapter_send(r->ad, f, 200 + i), 0);
    }
    assert_true(r->ntx >= 1 && r->ntx <= 4); /* four transmit descriptors */
    NdisAdapterStats mid;
    ndis_adapter_stats(r->ad, &mid);
    assert_true(mid.tx_resources >= 1);
    r->irq_blocked = 0;
    for (int k = 0; k < 200 && r->ntx < n; k++)
        step(r, 1000000);
    assert_int_equal(r->ntx, n);
    for (unsigned i = 0; i < n; i++) {
        make_frame(f, 200 + i, bcast, i);
        assert_int_equal(r->tx[i].len, 200 + i);
        assert_memory_equal(r->tx[i].b, f, 200 + i);
    }
    NdisAdapterStats st;
    ndis_adapter_stats(r->ad, &st);
    assert_int_equal(st.tx_frames, n);
    printf("burst of %u: %llu send-resource stalls, %llu interrupts\n", n,
           (unsigned long long)st.tx_resources, (unsigned long long)st.interrupts);
    halt_clean(r);
}

static void test_received_frames_reach_the_host(void **state)
{
    RIG(state);
    uint8_t f[1514];
    static const uint8_t other[6] = {0x02, 0x00, 0x5e, 0x99, 0x99, 0x99};
    unsigned want = 0;
    for (unsigned i = 0; i < 40; i++) {
        size_t len = 60 + (i * 97) % 1454;
        const uint8_t *dst = i % 4 == 0 ? bcast : i % 4 == 3 ? other : model_mac;
        make_frame(f, len, dst, i);
        clock_sync(r);
        rtl8139_receive(r->nic, f, len);
        if (dst != other)
            want++;
        step(r, 200000);
    }
    step(r, 10000000);
    assert_int_equal(r->nrx, want);
    unsigned k = 0;
    for (unsigned i = 0; i < 40; i++) {
        size_t len = 60 + (i * 97) % 1454;
        const uint8_t *dst = i % 4 == 0 ? bcast : i % 4 == 3 ? other : model_mac;
        if (dst == other)
            continue;
        make_frame(f, len, dst, i);
        assert_int_equal(r->rx[k].len, len);
        assert_memory_equal(r->rx[k].b, f, len);
        k++;
    }
    NdisAdapterStats st;
    ndis_adapter_stats(r->ad, &st);
    assert_int_equal(st.rx_frames, want);
    assert_true(st.interrupts > 0);
    assert_true(st.dpcs > 0);
    halt_clean(r);
}

/* Frames arriving faster than the driver is serviced: several per
 * interrupt, all delivered in order. */
static void test_receive_back_to_back(void **state)
{
    RIG(state);
    uint8_t f[1514];
    for (unsigned i = 0; i < 8; i++) {
        make_frame(f, 100 + i, model_mac, i);
        clock_sync(r);
        assert_int_equal(rtl8139_receive(r->nic, f, 100 + i), RTL8139_RX_STORED);
    }
    step(r, 5000000);
    assert_int_equal(r->nrx, 8);
    for (unsigned i = 0; i < 8; i++) {
        make_frame(f, 100 + i, model_mac, i);
        assert_int_equal(r->rx[i].len, 100 + i);
        assert_memory_equal(r->rx[i].b, f, 100 + i);
    }
    halt_clean(r);
}

static void test_link_indications(void **state)
{
    RIG(state);
    clock_sync(r);
    rtl8139_set_link(r->nic, 0);
    step(r, 5000000);
    assert_true(r->nlink >= 1);
    assert_int_equal(r->link_events[r->nlink - 1], 0);
    assert_false(ndis_adapter_link_up(r->ad));
    unsigned before = r->nlink;
    clock_sync(r);
    rtl8139_set_link(r->nic, 1);
    step(r, 5000000);
    assert_true(r->nlink > before);
    assert_int_equal(r->link_events[r->nlink - 1], 1);
    assert_true(ndis_adapter_link_up(r->ad));
    halt_clean(r);
}

static void test_reset_then_traffic(void **state)
{
    RIG(state);
    int64_t st = ndis_adapter_reset(r->ad);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    step(r, 5000000);
    uint8_t f[1514];
    make_frame(f, 300, bcast, 7);
    assert_int_equal(ndis_adapter_send(r->ad, f, 300), 0);
    make_frame(f, 400, model_mac, 8);
    clock_sync(r);
    rtl8139_receive(r->nic, f, 400);
    step(r, 5000000);
    assert_int_equal(r->ntx, 1);
    assert_int_equal(r->nrx, 1);
    assert_memory_equal(r->rx[0].b, f, 400);
    halt_clean(r);
}

/* A reset while the (serialized) driver holds sends it has not completed:
 * NDIS aborts them, the driver goes on, and halt finds nothing left over
 * (regression: those sends used to stay outstanding forever). */
static void test_reset_aborts_held_sends(void **state)
{
    RIG(state);
    uint8_t f[1514];
    r->irq_blocked = 1; /* no TOK interrupts: the sends stay with the driver */
    for (unsigned i = 0; i < 4; i++) {
        make_frame(f, 100 + i, bcast, i);
        assert_int_equal(ndis_adapter_send(r->ad, f, 100 + i), 0);
    }
    assert_int_equal(ndis_adapter_reset(r->ad), NDIS_STATUS_SUCCESS);
    r->irq_blocked = 0;
    step(r, 5000000);
    unsigned before = r->ntx;
    make_frame(f, 300, bcast, 9);
    assert_int_equal(ndis_adapter_send(r->ad, f, 300), 0);
    step(r, 5000000);
    assert_int_equal(r->ntx, before + 1);
    halt_clean(r);
}

/* Ten idle virtual seconds: MiniportCheckForHang runs every 2 s (and the
 * driver's own timers); nothing faults, nothing resets. */
static void test_idle_with_hang_checks(void **state)
{
    RIG(state);
    NdisAdapterStats a, b;
    ndis_adapter_stats(r->ad, &a);
    step(r, 10000000000ull);
    ndis_adapter_stats(r->ad, &b);
    assert_int_equal(a.tx_frames, b.tx_frames);
    char *t = log_text(r);
    assert_null(strstr(t, "CheckForHang returned TRUE"));
    free(t);
    uint8_t f[64];
    make_frame(f, 64, bcast, 1);
    assert_int_equal(ndis_adapter_send(r->ad, f, 64), 0);
    step(r, 2000000);
    assert_int_equal(r->ntx, 1);
    halt_clean(r);
}

/* Frames the adapter must refuse without bothering the driver. */
static void test_bad_frames_dropped(void **state)
{
    RIG(state);
    uint8_t f[2000] = {0};
    assert_int_equal(ndis_adapter_send(r->ad, f, 10), 1);
    assert_int_equal(ndis_adapter_send(r->ad, f, 1515), 1);
    step(r, 1000000);
    assert_int_equal(r->ntx, 0);
    halt_clean(r);
}

static void test_no_miniport_registered(void **state)
{
    (void)state;
    Vm *vm = vm_create(NULL);
    FILE *log = tmpfile();
    NtOptions opt = {.log = log};
    Nt *nt = nt_create(vm, &opt);
    NdisHw hw = {.irq = IRQ};
    char err[256];
    assert_null(ndis_adapter_create(nt, &hw, NULL, "none", err, sizeof err));
    assert_non_null(strstr(err, "NdisMRegisterMiniport"));
    nt_destroy(nt);
    vm_destroy(vm);
    fclose(log);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_plain, teardown)
#define V(fn, su) cmocka_unit_test_setup_teardown(fn, su, teardown)
    const struct CMUnitTest tests[] = {
        T(test_mac_is_the_eeprom_mac),
        T(test_sent_frames_reach_the_cable),
        T(test_send_burst_in_order),
        T(test_received_frames_reach_the_host),
        T(test_receive_back_to_back),
        T(test_link_indications),
        T(test_reset_then_traffic),
        T(test_reset_aborts_held_sends),
        T(test_idle_with_hang_checks),
        T(test_bad_frames_dropped),
        cmocka_unit_test(test_no_miniport_registered),
        /* The driver's other paths through the host. */
        V(test_received_frames_reach_the_host, setup_lookahead),
        V(test_receive_back_to_back, setup_lookahead),
        V(test_sent_frames_reach_the_cable, setup_mmio),
        V(test_received_frames_reach_the_host, setup_mmio),
        V(test_link_indications, setup_mmio),
        V(test_sent_frames_reach_the_cable, setup_sync_send),
        V(test_send_burst_in_order, setup_sync_send),
    };
    return cmocka_run_group_tests_name("ndis adapter on rtl8139", tests, NULL, NULL);
}
