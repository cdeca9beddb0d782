/* The RTL8139 cases shared by tests/dev/test_replay_rtl8139.c (the
 * interpreter) and tests/dev/test_synth_rtl8139.c (the C xdrv synth wrote
 * from the same spec): the model, host memory with the spec's buffers
 * placed for DMA, and four cases: the spec is safe, init then ten sends
 * byte-exact on the cable, 300 received frames byte-exact across the
 * ring's wrap, a reset that never completes falls back. The including file
 * defines how the driver is declared, started and asked:
 *   DRV_DECL, DRV_INIT(ops), DRV_REQUEST(req, params, frame, len),
 *   DRV_REASON, DRV_STATE;
 * and may define SPEC_PATH (another spec of the RTL8139), DRV_AFTER_INIT()
 * (what follows init before traffic, e.g. the binding's packet filter), and
 * SPEC_NO_RESET_POLL (a spec that does not wait for the reset: no case for
 * a reset that hangs). */
#ifndef XDRV_TESTS_RTL8139_SPEC_CASES_H
#define XDRV_TESTS_RTL8139_SPEC_CASES_H

#ifndef SPEC_PATH
#define SPEC_PATH "tests/golden/spec/rtl8139.xsm"
#endif
#ifndef DRV_AFTER_INIT
#define DRV_AFTER_INIT() ((void)0)
#endif

#define MEM_BUS 0x00100000u
#define MEM_SIZE 0x00010000u

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

typedef struct Host {
    uint8_t *mem;
    DevClock clk;
    Rtl8139 *nic;
    ReplayArena arena;
    int irq;
    uint8_t sent[2048], got[2048];
    size_t sent_len, got_len;
    unsigned sent_count, got_count, completes;
} Host;

static Host h;

static void *mem_map(void *opaque, uint32_t addr, uint32_t len)
{
    if (addr < MEM_BUS || (uint64_t)addr + len > (uint64_t)MEM_BUS + MEM_SIZE)
        return NULL;
    return h.mem + (addr - MEM_BUS);
}

static void irq_set(void *opaque, int line, int level)
{
    h.irq = level;
}

static void cable_send(void *opaque, const uint8_t *frame, size_t len)
{
    memcpy(h.sent, frame, len < sizeof h.sent ? len : sizeof h.sent);
    h.sent_len = len;
    h.sent_count++;
}

/* ---- the ReplayOps: the model's registers, the arena's buffers ---- */

static uint32_t op_read(void *o, uint32_t w, uint32_t off, unsigned width)
{
    return rtl8139_io_ops.read(h.nic, off, width);
}

static void op_write(void *o, uint32_t w, uint32_t off, unsigned width, uint32_t v)
{
    rtl8139_io_ops.write(h.nic, off, width, v);
}

static void op_stall(void *o, uint32_t us)
{
    dev_clock_advance(&h.clk, h.clk.now + (uint64_t)us * 1000);
}

static void op_deliver(void *o, const uint8_t *f, uint32_t n)
{
    memcpy(h.got, f, n < sizeof h.got ? n : sizeof h.got);
    h.got_len = n;
    h.got_count++;
}

static void op_complete(void *o)
{
    h.completes++;
}

static void op_link(void *o, int up)
{
}

static Spec *spec;
DRV_DECL;

static int setup(void **st)
{
    memset(&h, 0, sizeof h);
    h.mem = calloc(1, MEM_SIZE);
    dev_clock_init(&h.clk);
    DevDma dma = {mem_map, NULL};
    DevIrq irq = {irq_set, NULL, 11};
    NetPort port = {cable_send, NULL};
    h.nic = rtl8139_new(&dma, &irq, &h.clk, &port, MAC);
    pci_config_write(rtl8139_pci(h.nic), PCI_COMMAND, 2,
                     PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    char err[512];
    spec = spec_load(SPEC_PATH, err, sizeof err);
    if (!spec)
        fail_msg("%s", err);
    if (replay_arena_init(&h.arena, spec, h.mem, MEM_BUS, MEM_SIZE, err, sizeof err) < 0)
        fail_msg("%s", err);
    ReplayOps ops = {.opaque = &h.arena,
                     .reg_read = op_read,
                     .reg_write = op_write,
                     .buf_addr = replay_arena_addr,
                     .buf_ptr = replay_arena_ptr,
                     .stall = op_stall,
                     .deliver = op_deliver,
                     .complete = op_complete,
                     .link = op_link};
    assert_int_equal(DRV_INIT(&ops), REPLAY_OK);
    return 0;
}

static int teardown(void **st)
{
    spec_free(spec);
    rtl8139_free(h.nic);
    free(h.mem);
    return 0;
}

static void frame(uint8_t *f, size_t len, unsigned seed, int to_us)
{
    for (size_t i = 0; i < len; i++)
        f[i] = (uint8_t)(seed * 31 + i * 7);
    memcpy(f, to_us ? MAC : (const uint8_t[]){0x02, 0, 0, 0, 0, 9}, 6);
    memcpy(f + 6, (const uint8_t[]){0x02, 0, 0, 0, 0, 1}, 6);
}

/* The specification passes verify with the model's datasheet facts. */
static void test_spec_is_safe(void **st)
{
    static const SpecTruthReg dma[] = {{.offset = 0x20, .name = "TSAD0"},
                                       {.offset = 0x30, .name = "RBSTART"}};
    SpecTruth t = {.model = "rtl8139", .bars = {{0, 256}}, .nbars = 1, .dma_regs = dma,
                   .ndma_regs = 2};
    assert_int_equal(spec_verify(spec, "rtl8139.xsm", &t, stderr), 0);
}

/* init, then sends of every size class: each on the cable as given, four
 * descriptors round and round. */
static void test_send(void **st)
{
    assert_int_equal(DRV_REQUEST(SPEC_REQ_INIT, NULL, NULL, 0), REPLAY_OK);
    DRV_AFTER_INIT();
    uint8_t f[1514];
    static const uint32_t lens[] = {60, 61, 64, 100, 512, 1000, 1513, 1514, 60, 300};
    for (unsigned i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        frame(f, lens[i], i, 0);
        uint64_t p[SPEC_PARAM_COUNT_] = {[SPEC_PARAM_LEN] = lens[i]};
        assert_int_equal(DRV_REQUEST(SPEC_REQ_SEND, p, f, lens[i]), REPLAY_OK);
        assert_int_equal(h.sent_count, i + 1);
        assert_int_equal(h.sent_len, lens[i]);
        assert_memory_equal(h.sent, f, lens[i]);
        /* the TOK interrupt: acknowledged */
        if (h.irq)
            assert_int_equal(DRV_REQUEST(SPEC_REQ_INTERRUPT, NULL, NULL, 0), REPLAY_OK);
        assert_int_equal(h.irq, 0);
    }
    assert_int_equal(h.completes, sizeof lens / sizeof lens[0]);
}

/* Frames from the cable reach the OS through the chip's ring, across its
 * wrap: 300 frames of 60 to 1514 bytes. */
static void test_receive(void **st)
{
    assert_int_equal(DRV_REQUEST(SPEC_REQ_INIT, NULL, NULL, 0), REPLAY_OK);
    DRV_AFTER_INIT();
    uint8_t f[1514];
    for (unsigned i = 0; i < 300; i++) {
        size_t len = 60 + (i * 97) % 1455;
        frame(f, len, i, 1);
        assert_int_equal(rtl8139_receive(h.nic, f, len), RTL8139_RX_STORED);
        assert_int_equal(h.irq, 1);
        assert_int_equal(DRV_REQUEST(SPEC_REQ_INTERRUPT, NULL, NULL, 0), REPLAY_OK);
        assert_int_equal(h.got_count, i + 1);
        assert_int_equal(h.got_len, len);
        assert_memory_equal(h.got, f, len);
        assert_int_equal(h.irq, 0);
    }
}

/* A chip whose reset never completes: the poll gives up, and the spec
 * hands the device to the driver. */
#ifndef SPEC_NO_RESET_POLL
static void test_reset_hang_falls_back(void **st)
{
    assert_int_equal(rtl8139_inject(h.nic, DEV_COND_RESET_HANG), 0);
    assert_int_equal(DRV_REQUEST(SPEC_REQ_INIT, NULL, NULL, 0), REPLAY_FALLBACK);
    assert_string_equal(DRV_REASON, "a poll gave up");
    assert_int_equal(DRV_STATE, 0);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_spec_is_safe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receive, setup, teardown),
#ifndef SPEC_NO_RESET_POLL
        cmocka_unit_test_setup_teardown(test_reset_hang_falls_back, setup, teardown),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
