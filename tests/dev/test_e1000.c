/* Intel 82540EM model at the register level: named accessors for the
 * memory space and the IOADDR/IODATA window, a fake guest memory behind
 * DevDma, a recorded interrupt line and cable, virtual time stepped
 * explicitly. One case per documented rule of the 8254x SDM; checksums,
 * the FCS and the multicast hash are checked against independent
 * computations written here. No CPU, no driver. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dev/bus.h"
#include "dev/dev.h"
#include "dev/e1000.h"
#include "dev/pci.h"
#include "trace/trace.h"

/* ---- fixture: guest memory, interrupt line, cable, clock ---- */

#define MEM_BASE 0x00100000u
#define MEM_SIZE 0x00080000u
#define RXRING (MEM_BASE + 0x1000u)
#define TXRING (MEM_BASE + 0x2000u)
#define RXBUF(n) (MEM_BASE + 0x10000u + 0x1000u * (n))
#define TXBUF(n) (MEM_BASE + 0x50000u + 0x800u * (n))
#define BAD_ADDR 0x7FFF0000u /* outside guest memory */

static const uint8_t MAC[6] = {0x02, 0x00, 0x5E, 0x10, 0x20, 0x30};
static const uint8_t BCAST[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static const uint8_t OTHER[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

static uint8_t *mem;
static DevClock clk;
static E1000 *nic;
static int irq_level, irq_changes;
static uint8_t sent[16][2048];
static size_t sent_len[16];
static unsigned sent_count;

static void *mem_map(void *opaque, uint32_t addr, uint32_t len)
{
    if (addr < MEM_BASE || (uint64_t)addr + len > (uint64_t)MEM_BASE + MEM_SIZE)
        return NULL;
    return mem + (addr - MEM_BASE);
}

static void irq_set(void *opaque, int line, int level)
{
    irq_level = level;
    irq_changes++;
}

static void cable_send(void *opaque, const uint8_t *frame, size_t len)
{
    if (sent_count < 16 && len <= sizeof sent[0]) {
        memcpy(sent[sent_count], frame, len);
        sent_len[sent_count] = len;
    }
    sent_count++;
}

static void pci_cmd(uint16_t v)
{
    pci_config_write(e1000_pci(nic), PCI_COMMAND, 2, v);
}

static void dbg_sink(void *o, const TraceEvent *ev)
{
    if (getenv("E1000_TRACE"))
        trace_sink_log(stderr, ev);
}

static int setup(void **st)
{
    static int sink;
    if (!sink++)
        trace_add_sink(dbg_sink, NULL);
    mem = calloc(1, MEM_SIZE);
    dev_clock_init(&clk);
    irq_level = irq_changes = 0;
    sent_count = 0;
    DevDma dma = {mem_map, NULL};
    DevIrq irq = {irq_set, NULL, 11};
    NetPort port = {cable_send, NULL};
    nic = e1000_new(&dma, &irq, &clk, &port, MAC);
    /* what the firmware does before the driver runs */
    pci_cmd(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    return mem && nic ? 0 : -1;
}

static int teardown(void **st)
{
    e1000_free(nic);
    free(mem);
    return 0;
}

/* ---- register accessors, like a driver's ---- */

static uint32_t rd(uint32_t off)
{
    return e1000_mmio_ops.read(nic, off, 4);
}
static void wr(uint32_t off, uint32_t v)
{
    e1000_mmio_ops.write(nic, off, 4, v);
}
static uint32_t io_rd(uint32_t off, unsigned size)
{
    return e1000_io_ops.read(nic, off, size);
}
static void io_wr(uint32_t off, unsigned size, uint32_t v)
{
    e1000_io_ops.write(nic, off, size, v);
}
static void step(uint64_t ns)
{
    dev_clock_advance(&clk, clk.now + ns);
}

static void link_up(void)
{
    wr(E1000_CTRL, rd(E1000_CTRL) | E1000_CTRL_SLU);
    rd(E1000_ICR);
}

static uint16_t phy_rd(unsigned reg)
{
    wr(E1000_MDIC,
       E1000_MDIC_OP_READ | E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT | reg << E1000_MDIC_REG_SHIFT);
    uint32_t v = rd(E1000_MDIC);
    assert_true(v & E1000_MDIC_R);
    assert_false(v & E1000_MDIC_E);
    return (uint16_t)v;
}
static void phy_wr(unsigned reg, uint16_t v)
{
    wr(E1000_MDIC, E1000_MDIC_OP_WRITE | E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT |
                       reg << E1000_MDIC_REG_SHIFT | v);
    assert_true(rd(E1000_MDIC) & E1000_MDIC_R);
}

static uint16_t eerd(unsigned addr)
{
    wr(E1000_EERD, E1000_EERD_START | addr << E1000_EERD_ADDR_SHIFT);
    uint32_t v = rd(E1000_EERD);
    assert_true(v & E1000_EERD_DONE);
    return (uint16_t)(v >> E1000_EERD_DATA_SHIFT);
}

/* ---- guest memory ---- */

static uint8_t *guest(uint32_t addr)
{
    return mem + (addr - MEM_BASE);
}
static void put16(uint32_t a, uint16_t v)
{
    guest(a)[0] = (uint8_t)v;
    guest(a)[1] = (uint8_t)(v >> 8);
}
static void put32(uint32_t a, uint32_t v)
{
    put16(a, (uint16_t)v);
    put16(a + 2, (uint16_t)(v >> 16));
}
static uint16_t get16(uint32_t a)
{
    return (uint16_t)(guest(a)[0] | guest(a)[1] << 8);
}

/* ---- rings ---- */

/* Legacy receive ring of n descriptors, all given to hardware but one. */
static void rx_ring(unsigned n, uint32_t rctl)
{
    assert_int_equal(n % 8, 0); /* RDLEN is a multiple of 128 bytes */
    for (unsigned i = 0; i < n; i++) {
        memset(guest(RXRING + 16 * i), 0, 16);
        put32(RXRING + 16 * i, RXBUF(i));
    }
    wr(E1000_RDBAL, RXRING);
    wr(E1000_RDBAH, 0);
    wr(E1000_RDLEN, n * 16);
    wr(E1000_RDH, 0);
    wr(E1000_RDT, n - 1);
    wr(E1000_RCTL, E1000_RCTL_EN | rctl);
}

static uint16_t rxd_len(unsigned i)
{
    return get16(RXRING + 16 * i + 8);
}
static uint16_t rxd_csum(unsigned i)
{
    return get16(RXRING + 16 * i + 10);
}
static uint8_t rxd_status(unsigned i)
{
    return guest(RXRING + 16 * i + 12)[0];
}
static uint8_t rxd_errors(unsigned i)
{
    return guest(RXRING + 16 * i + 13)[0];
}
static uint16_t rxd_special(unsigned i)
{
    return get16(RXRING + 16 * i + 14);
}

static void tx_ring(unsigned n, uint32_t tctl)
{
    assert_int_equal(n % 8, 0);
    memset(guest(TXRING), 0, 16 * n);
    wr(E1000_TDBAL, TXRING);
    wr(E1000_TDBAH, 0);
    wr(E1000_TDLEN, n * 16);
    wr(E1000_TDH, 0);
    wr(E1000_TDT, 0);
    wr(E1000_TCTL, E1000_TCTL_EN | tctl);
}

static void txd_legacy(unsigned i, uint32_t addr, uint16_t len, uint8_t cmd, uint8_t cso,
                       uint8_t css)
{
    uint32_t a = TXRING + 16 * i;
    put32(a, addr);
    put32(a + 4, 0);
    put16(a + 8, len);
    guest(a + 10)[0] = cso;
    guest(a + 11)[0] = cmd;
    guest(a + 12)[0] = 0;
    guest(a + 13)[0] = css;
    put16(a + 14, 0);
}

static void txd_context(unsigned i, uint8_t ipcss, uint8_t ipcso, uint16_t ipcse, uint8_t tucss,
                        uint8_t tucso, uint16_t tucse, uint8_t tucmd)
{
    uint32_t a = TXRING + 16 * i;
    guest(a)[0] = ipcss;
    guest(a + 1)[0] = ipcso;
    put16(a + 2, ipcse);
    guest(a + 4)[0] = tucss;
    guest(a + 5)[0] = tucso;
    put16(a + 6, tucse);
    put32(a + 8, (uint32_t)(tucmd | E1000_TXD_CMD_DEXT) << 24 | E1000_TXD_DTYP_CONTEXT << 20);
    put32(a + 12, 0);
}

static void txd_data(unsigned i, uint32_t addr, uint32_t len, uint8_t dcmd, uint8_t popts)
{
    uint32_t a = TXRING + 16 * i;
    put32(a, addr);
    put32(a + 4, 0);
    put32(a + 8, (uint32_t)(dcmd | E1000_TXD_CMD_DEXT) << 24 | E1000_TXD_DTYP_DATA << 20 |
                     (len & 0xFFFFF));
    guest(a + 12)[0] = 0;
    guest(a + 13)[0] = popts;
    put16(a + 14, 0);
}

static uint8_t txd_sta(unsigned i)
{
    return guest(TXRING + 16 * i + 12)[0] & 0x0F;
}

/* ---- independent arithmetic ---- */

/* IEEE 802.3 CRC-32, bit by bit, MSB-first shift register on the
 * bit-reversed input (the textbook definition, not eth_fcs's loop). */
static uint32_t ref_fcs(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        for (unsigned b = 0; b < 8; b++) {
            unsigned bit = (p[i] >> b) & 1;
            unsigned top = crc >> 31;
            crc <<= 1;
            if (top ^ bit)
                crc ^= 0x04C11DB7u;
        }
    }
    crc = ~crc;
    uint32_t r = 0; /* sent least significant bit first: reflect */
    for (unsigned b = 0; b < 32; b++)
        if (crc & (1u << b))
            r |= 1u << (31 - b);
    return r;
}

/* RFC 1071 checksum of 16-bit big-endian words. */
static uint16_t ref_csum(const uint8_t *p, size_t n, uint32_t seed)
{
    uint64_t sum = seed;
    for (size_t i = 0; i < n; i++)
        sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

/* 12 bits of the destination address taken as a 48-bit little-endian
 * number (byte 0 = bits 7:0), starting at bit `lo`. */
static unsigned ref_mta_hash(const uint8_t *a, unsigned lo)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < 6; i++)
        v |= (uint64_t)a[i] << (8 * i);
    return (unsigned)((v >> lo) & 0xFFF);
}

/* An Ethernet + IPv4 + TCP (proto 6) or UDP (17) frame with payload,
 * checksum fields zero. Returns the length. */
static size_t make_ip_frame(uint8_t *f, const uint8_t *dst, unsigned proto, size_t payload)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, OTHER, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    size_t l4 = proto == 6 ? 20 : 8;
    size_t total = 20 + l4 + payload;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(total >> 8);
    ip[3] = (uint8_t)total;
    ip[4] = 0x12;
    ip[5] = 0x34;
    ip[8] = 64;
    ip[9] = (uint8_t)proto;
    const uint8_t src[4] = {192, 168, 1, 2}, dip[4] = {10, 0, 0, 7};
    memcpy(ip + 12, src, 4);
    memcpy(ip + 16, dip, 4);
    uint8_t *t = ip + 20;
    memset(t, 0, l4);
    t[0] = 0x30;
    t[1] = 0x39;
    t[2] = 0x00;
    t[3] = 0x50;
    if (proto == 6) {
        t[4] = 0x01;
        t[12] = 0x50; /* data offset 5 */
        t[13] = 0x18;
        t[15] = 0xFF;
    } else {
        t[4] = (uint8_t)((8 + payload) >> 8);
        t[5] = (uint8_t)(8 + payload);
    }
    for (size_t i = 0; i < payload; i++)
        t[l4 + i] = (uint8_t)(i * 7 + 1);
    return 14 + total;
}

/* The checksums a stack would put there, computed from scratch. */
static uint16_t ref_ip_csum(const uint8_t *f)
{
    uint8_t h[20];
    memcpy(h, f + 14, 20);
    h[10] = h[11] = 0;
    return ref_csum(h, 20, 0);
}
static uint16_t ref_l4_csum(const uint8_t *f, size_t len, size_t csum_off)
{
    const uint8_t *ip = f + 14;
    size_t l4len = len - 34;
    uint8_t *buf = malloc(12 + l4len);
    memcpy(buf, ip + 12, 8);
    buf[8] = 0;
    buf[9] = ip[9];
    buf[10] = (uint8_t)(l4len >> 8);
    buf[11] = (uint8_t)l4len;
    memcpy(buf + 12, f + 34, l4len);
    buf[12 + csum_off] = buf[13 + csum_off] = 0;
    uint16_t c = ref_csum(buf, 12 + l4len, 0);
    free(buf);
    return c;
}

static size_t make_frame(uint8_t *f, const uint8_t *dst, size_t len)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, OTHER, 6);
    f[12] = 0x08;
    f[13] = 0x06;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(i ^ 0x5A);
    return len;
}

/* ==== PCI and the register table ==== */

static void test_pci_identity_and_bars(void **st)
{
    PciDevice *p = e1000_pci(nic);
    assert_int_equal(pci_config_read(p, PCI_VENDOR_ID, 2), 0x8086);
    assert_int_equal(pci_config_read(p, PCI_DEVICE_ID, 2), 0x100E);
    assert_int_equal(pci_config_read(p, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x8086);
    assert_int_equal(pci_config_read(p, PCI_SUBSYSTEM_ID, 2), 0x001E);
    assert_int_equal(pci_config_read(p, PCI_REVISION_ID, 1), 0x02);
    assert_int_equal(pci_config_read(p, PCI_CLASS_PROG, 1), 0x00);
    assert_int_equal(pci_config_read(p, 0x0A, 2), 0x0200);
    assert_int_equal(pci_config_read(p, PCI_INTERRUPT_PIN, 1), 1);
    /* BAR sizing: write all-ones, read the size mask back */
    pci_config_write(p, PCI_BAR0, 4, 0xFFFFFFFF);
    assert_int_equal(pci_config_read(p, PCI_BAR0, 4), 0xFFFE0000u);
    pci_config_write(p, PCI_BAR0 + 8, 4, 0xFFFFFFFF);
    assert_int_equal(pci_config_read(p, PCI_BAR0 + 8, 4), 0xFFFFFFF9u);
    assert_int_equal(pci_bar_size(p, 1), 0);
}

static void test_register_table_sorted_and_named(void **st)
{
    for (unsigned i = 1; i < e1000_nregs; i++)
        assert_true(e1000_regs[i - 1].offset < e1000_regs[i].offset);
    for (unsigned i = 0; i < e1000_nregs; i++) {
        assert_int_equal(e1000_regs[i].width, 4);
        assert_int_equal(e1000_regs[i].offset & 3, 0);
        assert_non_null(e1000_regs[i].name);
    }
    assert_string_equal(e1000_reg_name(E1000_ICR), "ICR");
    assert_string_equal(e1000_reg_name(E1000_RAH(3)), "RAH3");
    assert_string_equal(e1000_reg_name(E1000_MTA + 4 * 100), "MTA");
    assert_null(e1000_reg_name(0x0044));
}

static void assert_class(uint32_t off, RegClass cls, unsigned flags)
{
    const RegDesc *r = reg_find(e1000_regs, e1000_nregs, off, 4);
    assert_non_null(r);
    if (r->cls != cls || r->flags != flags)
        fail_msg("%s is %s/0x%x, the manual says %s/0x%x", r->name, reg_class_name(r->cls),
                 r->flags, reg_class_name(cls), flags);
}

/* Register classes (regs.h) as section 13 describes the registers: every
 * clear-on-read register but ICR is a statistic (13.7), status and counter. */
static void test_register_classes_follow_the_manual(void **st)
{
    for (unsigned i = 0; i < e1000_nregs; i++) {
        const RegDesc *r = &e1000_regs[i];
        if (r->cls == REG_CLASS_NONE)
            fail_msg("%s has no class", r->name);
        if ((r->flags & REG_F_COUNTER) && r->cls == REG_CLASS_CONTROL)
            fail_msg("counter %s is classed control", r->name);
        if (r->access == REG_RC && r->offset != E1000_ICR &&
            (r->cls != REG_CLASS_STATUS || r->flags != REG_F_COUNTER))
            fail_msg("statistic %s is not status+counter", r->name);
    }
    assert_class(E1000_CTRL, REG_CLASS_CONTROL, REG_F_SELFCLEAR); /* 13.4.1 RST */
    assert_class(E1000_STATUS, REG_CLASS_STATUS, 0);
    assert_class(E1000_RDBAL, REG_CLASS_CONTROL, REG_F_DMA); /* 13.4.27: the ring's base address */
    assert_class(E1000_TDBAH, REG_CLASS_CONTROL, REG_F_DMA);
    assert_class(E1000_EERD, REG_CLASS_CS, REG_F_SELFCLEAR); /* 13.4.4 START, DONE */
    assert_class(E1000_ICR, REG_CLASS_STATUS, 0);
    assert_class(E1000_ICS, REG_CLASS_CONTROL, 0);
    assert_class(E1000_IMS, REG_CLASS_CONTROL, 0);
    assert_class(E1000_RCTL, REG_CLASS_CONTROL, 0);
    assert_class(E1000_RDH, REG_CLASS_STATUS, 0);
    assert_class(E1000_RDT, REG_CLASS_CONTROL, 0);
    assert_class(E1000_TDH, REG_CLASS_STATUS, 0);
    assert_class(E1000_TDT, REG_CLASS_CONTROL, 0);
    assert_class(E1000_MPC, REG_CLASS_STATUS, REG_F_COUNTER);
    assert_class(E1000_GPRC, REG_CLASS_STATUS, REG_F_COUNTER);
    assert_class(E1000_RAH(3), REG_CLASS_CONTROL, 0);
}

static void test_reset_values_follow_the_table(void **st)
{
    for (unsigned i = 0; i < e1000_nregs; i++) {
        const RegDesc *r = &e1000_regs[i];
        if (r->access == REG_WO || r->offset == E1000_RAL0 || r->offset == E1000_RAH0)
            continue;
        uint32_t v = rd(r->offset);
        if (v != r->reset)
            fail_msg("%s reads 0x%08x after reset, table says 0x%08x", r->name, v, r->reset);
    }
    /* write-only registers read all-ones */
    assert_int_equal(rd(E1000_ICS), 0xFFFFFFFFu);
    assert_int_equal(rd(E1000_IMC), 0xFFFFFFFFu);
}

static void test_unmodelled_offsets_read_all_ones_and_are_counted(void **st)
{
    uint64_t before = e1000_stats(nic)->unmodelled;
    assert_int_equal(rd(0x0044), 0xFFFFFFFFu);
    wr(0x0044, 0x1234);
    assert_int_equal(e1000_stats(nic)->unmodelled, before + 2);
    /* outside the 128 KiB space */
    assert_int_equal(e1000_mmio_ops.read(nic, E1000_MMIO_SIZE, 4), 0xFFFFFFFFu);
}

static void test_narrow_writes_are_ignored_and_narrow_reads_see_part(void **st)
{
    wr(E1000_RDTR, 0x1234);
    e1000_mmio_ops.write(nic, E1000_RDTR, 2, 0xFFFF);
    assert_int_equal(rd(E1000_RDTR), 0x1234);
    assert_int_equal(e1000_mmio_ops.read(nic, E1000_RDTR + 1, 1), 0x12);
    assert_int_equal(e1000_mmio_ops.read(nic, E1000_RDTR, 2), 0x1234);
}

static void test_read_only_status_ignores_writes(void **st)
{
    uint64_t before = e1000_stats(nic)->ignored;
    wr(E1000_STATUS, 0xFFFFFFFF);
    assert_int_equal(rd(E1000_STATUS), 0);
    assert_int_equal(e1000_stats(nic)->ignored, before + 1);
}

/* ==== EEPROM ==== */

static void test_eeprom_image_mac_ids_and_checksum_via_eerd(void **st)
{
    uint16_t sum = 0;
    for (unsigned i = 0; i < 64; i++)
        sum = (uint16_t)(sum + eerd(i));
    assert_int_equal(sum, 0xBABA);
    assert_int_equal(eerd(0), 0x0002);
    assert_int_equal(eerd(1), 0x105E);
    assert_int_equal(eerd(2), 0x3020);
    assert_int_equal(eerd(E1000_EE_ICW1) & 0xC000, 0x4000);
    assert_int_equal(eerd(E1000_EE_SUBSYS_ID), 0x001E);
    assert_int_equal(eerd(E1000_EE_SUBSYS_VENDOR), 0x8086);
    assert_int_equal(eerd(E1000_EE_DEVICE_ID), 0x100E);
    assert_int_equal(eerd(E1000_EE_VENDOR_ID), 0x8086);
}

static void test_eerd_done_address_and_range(void **st)
{
    wr(E1000_EERD, E1000_EERD_START | 0x0D << E1000_EERD_ADDR_SHIFT);
    uint32_t v = rd(E1000_EERD);
    assert_int_equal(v & E1000_EERD_DONE, E1000_EERD_DONE);
    assert_int_equal((v >> 8) & 0xFF, 0x0D);
    assert_int_equal(v >> 16, 0x100E);
    /* a write without START clears DONE */
    wr(E1000_EERD, 0);
    assert_int_equal(rd(E1000_EERD) & E1000_EERD_DONE, 0);
    /* past the 64-word part */
    assert_int_equal(eerd(0x40), 0xFFFF);
}

static void ee_pins(uint32_t v)
{
    wr(E1000_EECD, E1000_EECD_REQ | v);
}
static void ee_out(uint32_t data, unsigned bits)
{
    for (unsigned i = bits; i-- > 0;) {
        uint32_t di = (data >> i) & 1 ? E1000_EECD_DI : 0;
        ee_pins(E1000_EECD_CS | di);
        ee_pins(E1000_EECD_CS | di | E1000_EECD_SK);
        ee_pins(E1000_EECD_CS | di);
    }
}
static uint16_t ee_in(void)
{
    uint16_t v = 0;
    for (unsigned i = 0; i < 16; i++) {
        ee_pins(E1000_EECD_CS | E1000_EECD_SK);
        v = (uint16_t)(v << 1 | !!(rd(E1000_EECD) & E1000_EECD_DO));
        ee_pins(E1000_EECD_CS);
    }
    return v;
}
static uint16_t ee_bitbang_read(unsigned addr)
{
    wr(E1000_EECD, E1000_EECD_REQ);
    assert_true(rd(E1000_EECD) & E1000_EECD_GNT);
    ee_pins(E1000_EECD_CS);
    ee_out(0x6, 3); /* start bit and READ */
    ee_out(addr, 6);
    uint16_t v = ee_in();
    ee_pins(0);
    wr(E1000_EECD, 0);
    return v;
}

static void test_eecd_bitbang_reads_every_word_like_eerd(void **st)
{
    assert_true(rd(E1000_EECD) & E1000_EECD_PRES);
    assert_int_equal(rd(E1000_EECD) & E1000_EECD_SIZE, 0);
    for (unsigned i = 0; i < 64; i++)
        assert_int_equal(ee_bitbang_read(i), eerd(i));
}

static void test_eecd_pins_need_ee_req(void **st)
{
    /* without EE_REQ no grant, and the clock does not reach the part */
    wr(E1000_EECD, E1000_EECD_CS);
    assert_int_equal(rd(E1000_EECD) & E1000_EECD_GNT, 0);
    wr(E1000_EECD, E1000_EECD_CS | E1000_EECD_DI | E1000_EECD_SK);
    wr(E1000_EECD, E1000_EECD_CS | E1000_EECD_DI);
    assert_int_equal(rd(E1000_EECD) & E1000_EECD_DO, 0);
    assert_int_equal(e1000_eeprom(nic)->state, EE_IDLE);
    /* with it, the same read works */
    assert_int_equal(ee_bitbang_read(2), 0x3020);
}

static void test_eecd_bitbang_write_after_ewen(void **st)
{
    wr(E1000_EECD, E1000_EECD_REQ);
    ee_pins(E1000_EECD_CS);
    ee_out(0x4, 3);  /* start, 00 */
    ee_out(0x30, 6); /* EWEN */
    ee_pins(0);
    ee_pins(E1000_EECD_CS);
    ee_out(0x5, 3); /* start, WRITE */
    ee_out(0x20, 6);
    ee_out(0xBEEF, 16);
    ee_pins(0);
    wr(E1000_EECD, 0);
    assert_int_equal(eerd(0x20), 0xBEEF);
}

static void test_ctrl_rst_reloads_mac_and_clears_registers(void **st)
{
    wr(E1000_RAL0, 0x11111111);
    wr(E1000_IMS, E1000_ICR_RXT0);
    wr(E1000_RCTL, E1000_RCTL_EN);
    wr(E1000_CTRL, rd(E1000_CTRL) | E1000_CTRL_RST);
    assert_int_equal(rd(E1000_CTRL) & E1000_CTRL_RST, 0);
    assert_int_equal(rd(E1000_RAL0), 0x105E0002u);
    assert_int_equal(rd(E1000_RAH0), E1000_RAH_AV | 0x3020u);
    assert_int_equal(rd(E1000_IMS), 0);
    assert_int_equal(rd(E1000_RCTL), 0);
    /* PCI configuration is untouched */
    assert_true(pci_device_command(e1000_pci(nic)) & PCI_COMMAND_MASTER);
}

/* ==== PHY through MDIC ==== */

static void test_mdic_phy_identity_and_status(void **st)
{
    assert_int_equal(phy_rd(E1000_PHY_PID), 0x0141);
    assert_int_equal(phy_rd(E1000_PHY_EPID), 0x0C20);
    uint16_t s = phy_rd(E1000_PHY_PSTATUS);
    assert_true(s & E1000_PSTATUS_LINK);
    assert_true(s & E1000_PSTATUS_ANC);
    assert_int_equal(phy_rd(E1000_PHY_PCTRL), 0x1140);
    assert_int_equal(phy_rd(E1000_PHY_GSTATUS), 0x3C00);
    assert_int_equal(phy_rd(E1000_PHY_PSSTAT) & 0xC000, 0x8000); /* 1000 Mb/s */
    assert_true(phy_rd(E1000_PHY_PSSTAT) & E1000_PSSTAT_LINK);
}

static void test_mdic_write_read_back_and_phy_reset(void **st)
{
    uint16_t def = phy_rd(E1000_PHY_ANA);
    phy_wr(E1000_PHY_ANA, 0x0061);
    assert_int_equal(phy_rd(E1000_PHY_ANA), 0x0061);
    /* restart auto-negotiation self-clears */
    phy_wr(E1000_PHY_PCTRL, 0x1340);
    assert_int_equal(phy_rd(E1000_PHY_PCTRL), 0x1140);
    /* the software reset (bit 15) commits settings and keeps them */
    phy_wr(E1000_PHY_PCTRL, E1000_PCTRL_RESET | 0x1140);
    assert_int_equal(phy_rd(E1000_PHY_PCTRL), 0x1140);
    assert_int_equal(phy_rd(E1000_PHY_ANA), 0x0061);
    /* the hardware reset (CTRL.PHY_RST) restores the defaults */
    wr(E1000_CTRL, rd(E1000_CTRL) | E1000_CTRL_PHY_RST);
    wr(E1000_CTRL, rd(E1000_CTRL) & ~E1000_CTRL_PHY_RST);
    assert_int_equal(phy_rd(E1000_PHY_ANA), def);
    /* read-only registers ignore writes */
    phy_wr(E1000_PHY_PID, 0x1234);
    assert_int_equal(phy_rd(E1000_PHY_PID), 0x0141);
}

static void test_mdic_other_phy_address_is_an_error(void **st)
{
    wr(E1000_MDIC, E1000_MDIC_OP_READ | 2u << E1000_MDIC_PHY_SHIFT | 1u << E1000_MDIC_REG_SHIFT);
    uint32_t v = rd(E1000_MDIC);
    assert_true(v & E1000_MDIC_R);
    assert_true(v & E1000_MDIC_E);
    /* reserved opcode */
    wr(E1000_MDIC, E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT);
    assert_true(rd(E1000_MDIC) & E1000_MDIC_E);
}

static void test_mdic_interrupt_on_completion(void **st)
{
    wr(E1000_IMS, E1000_ICR_MDAC);
    phy_rd(E1000_PHY_PID);
    assert_int_equal(irq_level, 0); /* I not set */
    wr(E1000_MDIC, E1000_MDIC_OP_READ | E1000_MDIC_I | E1000_PHY_ADDR << E1000_MDIC_PHY_SHIFT |
                       E1000_PHY_PID << E1000_MDIC_REG_SHIFT);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd(E1000_ICR), E1000_ICR_MDAC);
    assert_int_equal(irq_level, 0);
}

static void test_phy_power_down_drops_the_link(void **st)
{
    link_up();
    wr(E1000_IMS, E1000_ICR_LSC);
    phy_wr(E1000_PHY_PCTRL, 0x1140 | E1000_PCTRL_PDOWN);
    assert_int_equal(rd(E1000_STATUS) & E1000_STATUS_LU, 0);
    assert_int_equal(irq_level, 1);
    rd(E1000_ICR);
    phy_wr(E1000_PHY_PCTRL, 0x1140);
    assert_true(rd(E1000_STATUS) & E1000_STATUS_LU);
}

/* ==== link ==== */

static void test_status_lu_needs_slu(void **st)
{
    assert_int_equal(rd(E1000_STATUS) & E1000_STATUS_LU, 0);
    wr(E1000_CTRL, rd(E1000_CTRL) | E1000_CTRL_SLU);
    uint32_t s = rd(E1000_STATUS);
    assert_true(s & E1000_STATUS_LU);
    assert_true(s & E1000_STATUS_FD);
    assert_int_equal(s & E1000_STATUS_SPEED, E1000_STATUS_SPEED_1000);
    assert_true(rd(E1000_ICR) & E1000_ICR_LSC);
    /* forced half duplex, 100 Mb/s */
    wr(E1000_CTRL, E1000_CTRL_SLU | E1000_CTRL_FRCDPLX | E1000_CTRL_FRCSPD | 0x100);
    s = rd(E1000_STATUS);
    assert_int_equal(s & E1000_STATUS_FD, 0);
    assert_int_equal(s & E1000_STATUS_SPEED, 0x40);
}

static void test_cable_change_raises_lsc_and_phy_follows(void **st)
{
    link_up();
    wr(E1000_IMS, E1000_ICR_LSC);
    e1000_set_link(nic, 0);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd(E1000_ICR), E1000_ICR_LSC);
    assert_int_equal(irq_level, 0);
    assert_int_equal(rd(E1000_STATUS) & E1000_STATUS_LU, 0);
    assert_int_equal(phy_rd(E1000_PHY_PSTATUS) & E1000_PSTATUS_LINK, 0);
    assert_int_equal(phy_rd(E1000_PHY_LPA), 0);
    e1000_set_link(nic, 1);
    assert_int_equal(irq_level, 1);
    assert_true(rd(E1000_STATUS) & E1000_STATUS_LU);
}

/* ==== interrupts ==== */

static void test_icr_read_clears_and_ims_imc_gate_the_line(void **st)
{
    wr(E1000_ICS, E1000_ICR_RXT0 | E1000_ICR_TXDW);
    assert_int_equal(irq_level, 0); /* masked */
    wr(E1000_IMS, E1000_ICR_TXDW);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd(E1000_IMS), E1000_ICR_TXDW);
    wr(E1000_IMC, E1000_ICR_TXDW);
    assert_int_equal(irq_level, 0);
    assert_int_equal(rd(E1000_IMS), 0);
    wr(E1000_IMS, E1000_ICR_RXT0);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd(E1000_ICR), E1000_ICR_RXT0 | E1000_ICR_TXDW);
    assert_int_equal(irq_level, 0);
    assert_int_equal(rd(E1000_ICR), 0);
}

static void test_icr_write_one_clears(void **st)
{
    wr(E1000_ICS, E1000_ICR_RXT0 | E1000_ICR_LSC);
    wr(E1000_ICR, E1000_ICR_LSC);
    assert_int_equal(rd(E1000_ICR), E1000_ICR_RXT0);
}

static void test_ims_keeps_only_defined_causes(void **st)
{
    wr(E1000_IMS, 0xFFFFFFFF);
    assert_int_equal(rd(E1000_IMS), E1000_ICR_VALID);
}

static void test_itr_holds_interrupts_on_virtual_time(void **st)
{
    wr(E1000_ITR, 1000); /* 256 us */
    wr(E1000_IMS, E1000_ICR_TXDW);
    wr(E1000_ICS, E1000_ICR_TXDW);
    assert_int_equal(irq_level, 1); /* first one at once */
    rd(E1000_ICR);
    assert_int_equal(irq_level, 0);
    step(10000);
    wr(E1000_ICS, E1000_ICR_TXDW);
    assert_int_equal(irq_level, 0); /* held: inside the interval */
    step(200000);
    assert_int_equal(irq_level, 0);
    step(46000); /* 256 us after the first */
    assert_int_equal(irq_level, 1);
    /* ITR 0: no throttling */
    rd(E1000_ICR);
    wr(E1000_ITR, 0);
    wr(E1000_ICS, E1000_ICR_TXDW);
    assert_int_equal(irq_level, 1);
}

/* ==== receive ==== */

static void test_rx_unicast_stored_with_fcs_and_writeback(void **st)
{
    link_up();
    rx_ring(8, 0);
    wr(E1000_IMS, E1000_ICR_RXT0);
    uint8_t f[100];
    make_frame(f, MAC, 100);
    assert_int_equal(e1000_receive(nic, f, 100), E1000_RX_STORED);
    assert_int_equal(rxd_len(0), 104);
    assert_int_equal(rxd_status(0), E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | E1000_RXD_STAT_IXSM);
    assert_int_equal(rxd_errors(0), 0);
    assert_memory_equal(guest(RXBUF(0)), f, 100);
    uint32_t fcs = ref_fcs(f, 100);
    assert_int_equal(guest(RXBUF(0))[100] | guest(RXBUF(0))[101] << 8 | guest(RXBUF(0))[102] << 16 |
                         (uint32_t)guest(RXBUF(0))[103] << 24,
                     fcs);
    assert_int_equal(rd(E1000_RDH), 1);
    assert_int_equal(irq_level, 1);
    assert_true(rd(E1000_ICR) & E1000_ICR_RXT0);
}

static void test_rx_secrc_strips_the_fcs(void **st)
{
    link_up();
    rx_ring(8, E1000_RCTL_SECRC);
    uint8_t f[80];
    make_frame(f, MAC, 80);
    assert_int_equal(e1000_receive(nic, f, 80), E1000_RX_STORED);
    assert_int_equal(rxd_len(0), 80);
}

static void test_rx_needs_rctl_en_and_link(void **st)
{
    uint8_t f[64];
    make_frame(f, MAC, 64);
    rx_ring(8, 0);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_LINK_DOWN); /* SLU clear */
    link_up();
    wr(E1000_RCTL, 0);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_DISABLED);
    assert_int_equal(rd(E1000_RDH), 0);
}

static void test_rx_unicast_filter_and_upe_with_pif(void **st)
{
    link_up();
    rx_ring(8, 0);
    uint8_t f[64];
    make_frame(f, OTHER, 64);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_FILTERED);
    wr(E1000_RCTL, rd(E1000_RCTL) | E1000_RCTL_UPE);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_STORED);
    assert_true(rxd_status(0) & E1000_RXD_STAT_PIF);
    /* an exact match never has PIF */
    make_frame(f, MAC, 64);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_STORED);
    assert_int_equal(rxd_status(1) & E1000_RXD_STAT_PIF, 0);
}

static void test_rx_receive_address_entries_need_av(void **st)
{
    link_up();
    rx_ring(8, 0);
    uint8_t f[64];
    make_frame(f, OTHER, 64);
    wr(E1000_RAL(5), 0x33221102);
    wr(E1000_RAH(5), 0x5544);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_FILTERED);
    wr(E1000_RAH(5), 0x5544 | E1000_RAH_AV);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_STORED);
    assert_int_equal(rxd_status(0) & E1000_RXD_STAT_PIF, 0);
}

static void test_rx_broadcast_needs_bam(void **st)
{
    link_up();
    rx_ring(8, 0);
    uint8_t f[64];
    make_frame(f, BCAST, 64);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_FILTERED);
    wr(E1000_RCTL, rd(E1000_RCTL) | E1000_RCTL_BAM);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_STORED);
    assert_int_equal(rd(E1000_BPRC), 1);
}

static void test_rx_multicast_hash_for_each_mo(void **st)
{
    static const unsigned lo_bit[4] = {36, 35, 34, 32};
    static const uint8_t mc[6] = {0x01, 0x00, 0x5E, 0x7F, 0xA5, 0xC3};
    link_up();
    uint8_t f[64];
    make_frame(f, mc, 64);
    for (unsigned mo = 0; mo < 4; mo++) {
        rx_ring(8, mo << E1000_RCTL_MO_SHIFT);
        unsigned h = ref_mta_hash(mc, lo_bit[mo]);
        assert_int_equal(e1000_mta_hash(mc, mo), h);
        for (unsigned i = 0; i < E1000_MTA_WORDS; i++)
            wr(E1000_MTA + 4 * i, 0);
        assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_FILTERED);
        wr(E1000_MTA + 4 * (h >> 5), 1u << (h & 31));
        assert_int_equal(rd(E1000_MTA + 4 * (h >> 5)), 1u << (h & 31));
        assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_STORED);
        assert_true(rxd_status(0) & E1000_RXD_STAT_PIF);
    }
}

static void test_rx_mpe_accepts_every_multicast(void **st)
{
    static const uint8_t mc[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
    link_up();
    rx_ring(8, E1000_RCTL_MPE);
    uint8_t f[64];
    make_frame(f, mc, 64);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_STORED);
    assert_int_equal(rxd_status(0) & E1000_RXD_STAT_PIF, 0);
    assert_int_equal(rd(E1000_MPRC), 1);
}

static void test_rx_small_buffers_chain_descriptors(void **st)
{
    link_up();
    rx_ring(8, 3u << E1000_RCTL_BSIZE_SHIFT); /* 256-byte buffers */
    uint8_t f[600];
    make_frame(f, MAC, 600);
    assert_int_equal(e1000_receive(nic, f, 600), E1000_RX_STORED);
    assert_int_equal(rxd_len(0), 256);
    assert_int_equal(rxd_len(1), 256);
    assert_int_equal(rxd_len(2), 604 - 512);
    assert_int_equal(rxd_status(0), E1000_RXD_STAT_DD);
    assert_int_equal(rxd_status(1), E1000_RXD_STAT_DD);
    assert_true(rxd_status(2) & E1000_RXD_STAT_EOP);
    assert_memory_equal(guest(RXBUF(1)), f + 256, 256);
    assert_int_equal(rd(E1000_RDH), 3);
}

static void test_rx_long_packets_need_lpe(void **st)
{
    link_up();
    rx_ring(8, E1000_RCTL_BSEX | 3u << E1000_RCTL_BSIZE_SHIFT); /* 4096-byte buffers */
    static uint8_t f[3000];
    make_frame(f, MAC, 3000);
    assert_int_equal(e1000_receive(nic, f, 3000), E1000_RX_BAD_LENGTH);
    assert_int_equal(rd(E1000_ROC), 1);
    wr(E1000_RCTL, rd(E1000_RCTL) | E1000_RCTL_LPE);
    assert_int_equal(e1000_receive(nic, f, 3000), E1000_RX_STORED);
    assert_int_equal(rxd_len(0), 3004);
}

static void test_rx_runts_count_in_ruc(void **st)
{
    link_up();
    rx_ring(8, 0);
    uint8_t f[40];
    make_frame(f, MAC, 40);
    assert_int_equal(e1000_receive(nic, f, 40), E1000_RX_BAD_LENGTH);
    assert_int_equal(rd(E1000_RUC), 1);
    assert_int_equal(e1000_receive(nic, f, 10), E1000_RX_BAD_LENGTH);
}

static void test_rx_ring_full_queues_then_rxo_and_mpc(void **st)
{
    link_up();
    rx_ring(8, 0); /* 7 descriptors free */
    wr(E1000_IMS, E1000_ICR_RXO);
    static uint8_t f[1514];
    make_frame(f, MAC, 1514);
    for (unsigned i = 0; i < 7; i++)
        assert_int_equal(e1000_receive(nic, f, 1514), E1000_RX_STORED);
    assert_int_equal(rd(E1000_RDH), 7);
    /* the ring is full: frames wait in the 48 KB receive FIFO */
    unsigned queued = 0;
    E1000RxResult r;
    while ((r = e1000_receive(nic, f, 1514)) == E1000_RX_QUEUED)
        queued++;
    assert_int_equal(r, E1000_RX_MISSED);
    assert_in_range(queued, 28, 32);
    assert_int_equal(rd(E1000_MPC), 1);
    assert_int_equal(rd(E1000_RNBC), queued);
    assert_int_equal(irq_level, 1);
    assert_true(rd(E1000_ICR) & E1000_ICR_RXO);
    /* the driver hands back descriptors: waiting frames move in */
    wr(E1000_RDT, 2);
    assert_int_equal(rd(E1000_RDH), 2);
    assert_int_equal(rd(E1000_RNBC), 0);
    assert_true(rxd_status(0) & E1000_RXD_STAT_DD);
}

static void test_rx_rdmts_threshold_raises_rxdmt0(void **st)
{
    link_up();
    rx_ring(16, 0); /* 15 free, RDMTS 1/2: threshold 8 */
    uint8_t f[64];
    make_frame(f, MAC, 64);
    for (unsigned i = 0; i < 6; i++)
        e1000_receive(nic, f, 64);
    assert_int_equal(rd(E1000_ICR) & E1000_ICR_RXDMT0, 0);
    e1000_receive(nic, f, 64); /* 8 left */
    assert_true(rd(E1000_ICR) & E1000_ICR_RXDMT0);
}

static void test_rx_rdtr_and_radv_delay_rxt0(void **st)
{
    link_up();
    rx_ring(8, 0);
    wr(E1000_IMS, E1000_ICR_RXT0);
    wr(E1000_RDTR, 10); /* 10.24 us */
    wr(E1000_RADV, 15); /* 15.36 us */
    uint8_t f[64];
    make_frame(f, MAC, 64);
    e1000_receive(nic, f, 64);
    assert_int_equal(irq_level, 0);
    step(8000);
    e1000_receive(nic, f, 64); /* restarts RDTR */
    step(5000);
    assert_int_equal(irq_level, 0);
    step(2400); /* RADV: 15.36 us after the first packet */
    assert_int_equal(irq_level, 1);
    rd(E1000_ICR);
    /* FPD flushes at once */
    e1000_receive(nic, f, 64);
    assert_int_equal(irq_level, 0);
    wr(E1000_RDTR, 10 | E1000_RDTR_FPD);
    assert_int_equal(irq_level, 1);
}

static void test_rx_vlan_strip_and_vfta_filter(void **st)
{
    link_up();
    rx_ring(8, E1000_RCTL_VFE);
    wr(E1000_CTRL, rd(E1000_CTRL) | E1000_CTRL_VME);
    uint8_t f[68];
    make_frame(f, MAC, 68);
    memmove(f + 16, f + 12, 52);
    f[12] = 0x81;
    f[13] = 0x00;
    f[14] = 0x20; /* priority 1, VID 0x005 */
    f[15] = 0x05;
    assert_int_equal(e1000_receive(nic, f, 68), E1000_RX_FILTERED);
    wr(E1000_VFTA, 1u << 5);
    assert_int_equal(e1000_receive(nic, f, 68), E1000_RX_STORED);
    assert_true(rxd_status(0) & E1000_RXD_STAT_VP);
    assert_int_equal(rxd_special(0), 0x2005);
    assert_int_equal(rxd_len(0), 68);
    assert_int_equal(guest(RXBUF(0))[12], 0x08);
}

static void test_rx_checksum_offload_ipv4_tcp(void **st)
{
    link_up();
    rx_ring(8, 0);
    wr(E1000_RXCSUM, E1000_RXCSUM_IPOFLD | E1000_RXCSUM_TUOFLD | 14);
    uint8_t f[200];
    size_t n = make_ip_frame(f, MAC, 6, 100);
    uint16_t ic = ref_ip_csum(f), tc = ref_l4_csum(f, n, 16);
    f[24] = (uint8_t)(ic >> 8);
    f[25] = (uint8_t)ic;
    f[50] = (uint8_t)(tc >> 8);
    f[51] = (uint8_t)tc;
    assert_int_equal(e1000_receive(nic, f, n), E1000_RX_STORED);
    assert_int_equal(rxd_status(0) &
                         (E1000_RXD_STAT_IPCS | E1000_RXD_STAT_TCPCS | E1000_RXD_STAT_IXSM),
                     E1000_RXD_STAT_IPCS | E1000_RXD_STAT_TCPCS);
    assert_int_equal(rxd_errors(0), 0);
    /* the packet checksum from PCSS: the IP header plus the segment sum
     * to FFFFh complemented pairs; check it independently */
    assert_int_equal(rxd_csum(0), (uint16_t)~ref_csum(f + 14, n - 14, 0));
    f[25] ^= 1;
    assert_int_equal(e1000_receive(nic, f, n), E1000_RX_STORED);
    assert_int_equal(rxd_errors(1), E1000_RXD_ERR_IPE);
    f[25] ^= 1;
    f[60] ^= 0xFF;
    assert_int_equal(e1000_receive(nic, f, n), E1000_RX_STORED);
    assert_int_equal(rxd_errors(2), E1000_RXD_ERR_TCPE);
}

/* ==== transmit ==== */

static void test_tx_legacy_single_descriptor(void **st)
{
    link_up();
    tx_ring(8, E1000_TCTL_PSP);
    wr(E1000_IMS, E1000_ICR_TXDW);
    uint8_t f[100];
    make_frame(f, OTHER, 100);
    memcpy(guest(TXBUF(0)), f, 100);
    txd_legacy(0, TXBUF(0), 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len[0], 100);
    assert_memory_equal(sent[0], f, 100);
    assert_int_equal(txd_sta(0), E1000_TXD_STAT_DD);
    assert_int_equal(rd(E1000_TDH), 1);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd(E1000_ICR), E1000_ICR_TXDW | E1000_ICR_TXQE);
    assert_int_equal(rd(E1000_GPTC), 1);
    assert_int_equal(rd(E1000_TPT), 1);
    assert_int_equal(rd(E1000_GOTCL), 104);
    assert_int_equal(rd(E1000_PTC127), 1);
}

static void test_tx_without_rs_writes_no_status(void **st)
{
    link_up();
    tx_ring(8, E1000_TCTL_PSP);
    uint8_t f[64];
    make_frame(f, OTHER, 64);
    memcpy(guest(TXBUF(0)), f, 64);
    txd_legacy(0, TXBUF(0), 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS, 0, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(sent_count, 1);
    assert_int_equal(txd_sta(0), 0);
    assert_int_equal(rd(E1000_ICR), E1000_ICR_TXQE);
}

static void test_tx_legacy_packet_across_descriptors(void **st)
{
    link_up();
    tx_ring(8, E1000_TCTL_PSP);
    uint8_t f[300];
    make_frame(f, OTHER, 300);
    memcpy(guest(TXBUF(0)), f, 100);
    memcpy(guest(TXBUF(1)), f + 100, 150);
    memcpy(guest(TXBUF(2)), f + 250, 50);
    txd_legacy(0, TXBUF(0), 100, E1000_TXD_CMD_RS, 0, 0);
    txd_legacy(1, TXBUF(1), 150, 0, 0, 0);
    /* a packet may wait for its last descriptor */
    wr(E1000_TDT, 2);
    assert_int_equal(sent_count, 0);
    assert_int_equal(txd_sta(0), E1000_TXD_STAT_DD);
    txd_legacy(2, TXBUF(2), 50, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0);
    wr(E1000_TDT, 3);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len[0], 300);
    assert_memory_equal(sent[0], f, 300);
}

static void test_tx_legacy_ic_inserts_checksum(void **st)
{
    link_up();
    tx_ring(8, E1000_TCTL_PSP);
    uint8_t f[200];
    size_t n = make_ip_frame(f, OTHER, 17, 60);
    uint16_t want = ref_l4_csum(f, n, 6);
    /* the driver primes the field with the pseudo-header sum */
    uint8_t ph[12];
    memcpy(ph, f + 26, 8);
    ph[8] = 0;
    ph[9] = 17;
    ph[10] = (uint8_t)((n - 34) >> 8);
    ph[11] = (uint8_t)(n - 34);
    uint16_t pseudo = (uint16_t)~ref_csum(ph, 12, 0);
    f[40] = (uint8_t)(pseudo >> 8);
    f[41] = (uint8_t)pseudo;
    memcpy(guest(TXBUF(0)), f, n);
    txd_legacy(0, TXBUF(0), (uint16_t)n, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_IC,
               40, 34);
    wr(E1000_TDT, 1);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent[0][40] << 8 | sent[0][41], want);
}

static void test_tx_context_and_data_descriptors_checksums(void **st)
{
    link_up();
    tx_ring(8, E1000_TCTL_PSP);
    wr(E1000_IMS, E1000_ICR_TXDW);
    uint8_t f[400];
    size_t n = make_ip_frame(f, OTHER, 6, 250);
    uint16_t want_ip = ref_ip_csum(f), want_tcp = ref_l4_csum(f, n, 16);
    uint8_t ph[12];
    memcpy(ph, f + 26, 8);
    ph[8] = 0;
    ph[9] = 6;
    ph[10] = (uint8_t)((n - 34) >> 8);
    ph[11] = (uint8_t)(n - 34);
    uint16_t pseudo = (uint16_t)~ref_csum(ph, 12, 0);
    f[50] = (uint8_t)(pseudo >> 8);
    f[51] = (uint8_t)pseudo;
    memcpy(guest(TXBUF(0)), f, 54);
    memcpy(guest(TXBUF(1)), f + 54, n - 54);
    /* IP header 14..33, checksum at 24; TCP from 34 to the end, at 50 */
    txd_context(0, 14, 24, 33, 34, 50, 0, E1000_TXD_TUCMD_IP | E1000_TXD_TUCMD_TCP);
    txd_data(1, TXBUF(0), 54, 0, E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM);
    txd_data(2, TXBUF(1), (uint32_t)(n - 54),
             E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0);
    wr(E1000_TDT, 3);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len[0], n);
    assert_int_equal(sent[0][24] << 8 | sent[0][25], want_ip);
    assert_int_equal(sent[0][50] << 8 | sent[0][51], want_tcp);
    assert_int_equal(txd_sta(2), E1000_TXD_STAT_DD);
    assert_int_equal(irq_level, 1);
    /* the context stays for the next packet: a UDP one with TUCSE */
    memset(guest(TXRING), 0, 16 * 8);
    size_t m = make_ip_frame(f, OTHER, 17, 30);
    uint16_t want_udp = ref_l4_csum(f, m, 6);
    memcpy(ph, f + 26, 8);
    ph[9] = 17;
    ph[10] = (uint8_t)((m - 34) >> 8);
    ph[11] = (uint8_t)(m - 34);
    pseudo = (uint16_t)~ref_csum(ph, 12, 0);
    f[40] = (uint8_t)(pseudo >> 8);
    f[41] = (uint8_t)pseudo;
    memcpy(guest(TXBUF(2)), f, m);
    txd_context(3, 14, 24, 33, 34, 40, (uint16_t)(m - 1), E1000_TXD_TUCMD_IP);
    txd_data(4, TXBUF(2), (uint32_t)m, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS,
             E1000_TXD_POPTS_TXSM);
    wr(E1000_TDT, 5);
    assert_int_equal(sent_count, 2);
    assert_int_equal(sent[1][40] << 8 | sent[1][41], want_udp);
    assert_int_equal(sent[1][24] | sent[1][25], 0); /* IXSM not asked */
}

static void test_tx_psp_pads_short_frames(void **st)
{
    link_up();
    tx_ring(8, 0);
    uint8_t f[42];
    make_frame(f, OTHER, 42);
    memcpy(guest(TXBUF(0)), f, 42);
    txd_legacy(0, TXBUF(0), 42, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS, 0, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(sent_len[0], 42); /* a runt without PSP */
    wr(E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
    txd_legacy(1, TXBUF(0), 42, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS, 0, 0);
    wr(E1000_TDT, 2);
    assert_int_equal(sent_len[1], 60);
    assert_int_equal(sent[1][59], 0);
}

static void test_tx_ifcs_clear_needs_the_packets_own_fcs(void **st)
{
    link_up();
    tx_ring(8, E1000_TCTL_PSP);
    uint8_t f[104];
    make_frame(f, OTHER, 100);
    uint32_t fcs = ref_fcs(f, 100);
    for (unsigned i = 0; i < 4; i++)
        f[100 + i] = (uint8_t)(fcs >> (8 * i));
    memcpy(guest(TXBUF(0)), f, 104);
    txd_legacy(0, TXBUF(0), 104, E1000_TXD_CMD_EOP, 0, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len[0], 100);
    guest(TXBUF(0))[101] ^= 1;
    txd_legacy(1, TXBUF(0), 104, E1000_TXD_CMD_EOP, 0, 0);
    wr(E1000_TDT, 2);
    assert_int_equal(sent_count, 1);
}

static void test_tx_vle_inserts_the_vlan_tag(void **st)
{
    link_up();
    wr(E1000_CTRL, rd(E1000_CTRL) | E1000_CTRL_VME);
    tx_ring(8, E1000_TCTL_PSP);
    uint8_t f[80];
    make_frame(f, OTHER, 80);
    memcpy(guest(TXBUF(0)), f, 80);
    txd_legacy(0, TXBUF(0), 80, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_VLE, 0, 0);
    put16(TXRING + 14, 0x6007);
    wr(E1000_TDT, 1);
    assert_int_equal(sent_len[0], 84);
    assert_int_equal(sent[0][12], 0x81);
    assert_int_equal(sent[0][13], 0x00);
    assert_int_equal(sent[0][14], 0x60);
    assert_int_equal(sent[0][15], 0x07);
    assert_memory_equal(sent[0] + 16, f + 12, 68);
}

static void test_tx_tso_segments_with_checksums(void **st)
{
    link_up();
    tx_ring(8, E1000_TCTL_PSP);
    static uint8_t f[3200];
    size_t n = make_ip_frame(f, OTHER, 6, 2500);
    f[47] = 0x19; /* PSH | FIN | ACK: FIN and PSH only in the last segment */
    /* the driver primes the TCP checksum with the pseudo-header sum
     * without the length (section 3.5) */
    uint8_t ph[12] = {0};
    memcpy(ph, f + 26, 8);
    ph[9] = 6;
    uint16_t pseudo = (uint16_t)~ref_csum(ph, 12, 0);
    f[50] = (uint8_t)(pseudo >> 8);
    f[51] = (uint8_t)pseudo;
    memcpy(guest(TXBUF(0)), f, 54);
    memcpy(guest(TXBUF(2)), f + 54, n - 54);
    txd_context(0, 14, 24, 33, 34, 50, 0,
                E1000_TXD_TUCMD_IP | E1000_TXD_TUCMD_TCP | E1000_TXD_CMD_TSE);
    put32(TXRING + 8, get16(TXRING + 8) | (uint32_t)get16(TXRING + 10) << 16 | 2500u);
    guest(TXRING + 13)[0] = 54; /* HDRLEN */
    put16(TXRING + 14, 1000);   /* MSS */
    txd_data(1, TXBUF(0), 54, E1000_TXD_CMD_IFCS | E1000_TXD_CMD_TSE,
             E1000_TXD_POPTS_IXSM | E1000_TXD_POPTS_TXSM);
    txd_data(2, TXBUF(2), (uint32_t)(n - 54),
             E1000_TXD_CMD_EOP | E1000_TXD_CMD_TSE | E1000_TXD_CMD_RS, 0);
    wr(E1000_TDT, 3);
    assert_int_equal(sent_count, 3);
    assert_int_equal(txd_sta(2), E1000_TXD_STAT_DD);
    assert_int_equal(rd(E1000_TSCTC), 1);
    assert_int_equal(rd(E1000_TSCTFC), 0);
    assert_int_equal(rd(E1000_GPTC), 3);
    uint32_t seq0 = (uint32_t)f[38] << 24 | f[39] << 16 | f[40] << 8 | f[41];
    for (unsigned k = 0; k < 3; k++) {
        const uint8_t *q = sent[k];
        size_t pay = k < 2 ? 1000 : 500, len = 54 + pay;
        assert_int_equal(sent_len[k], len);
        assert_int_equal(q[16] << 8 | q[17], len - 14);   /* total length */
        assert_int_equal(q[18] << 8 | q[19], 0x1234 + k); /* identification */
        uint32_t seq = (uint32_t)q[38] << 24 | q[39] << 16 | q[40] << 8 | q[41];
        assert_int_equal(seq, seq0 + 1000 * k);
        assert_int_equal(q[47], k < 2 ? 0x10 : 0x19);
        assert_memory_equal(q + 54, f + 54 + 1000 * k, pay);
        assert_int_equal(q[24] << 8 | q[25], ref_ip_csum(q));
        assert_int_equal(q[50] << 8 | q[51], ref_l4_csum(q, len, 16));
    }
}

static void test_tx_tso_without_mss_is_dropped_and_counted(void **st)
{
    link_up();
    tx_ring(8, E1000_TCTL_PSP);
    uint8_t f[200];
    size_t n = make_ip_frame(f, OTHER, 6, 100);
    memcpy(guest(TXBUF(0)), f, n);
    txd_context(0, 14, 24, 33, 34, 50, 0,
                E1000_TXD_TUCMD_IP | E1000_TXD_TUCMD_TCP | E1000_TXD_CMD_TSE);
    guest(TXRING + 13)[0] = 54; /* HDRLEN, MSS left 0 */
    txd_data(1, TXBUF(0), (uint32_t)n,
             E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS | E1000_TXD_CMD_TSE,
             E1000_TXD_POPTS_TXSM);
    wr(E1000_TDT, 2);
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd(E1000_TSCTFC), 1);
    assert_int_equal(txd_sta(1), E1000_TXD_STAT_DD); /* the ring still moves */
    assert_int_equal(rd(E1000_TDH), 2);
}

static void test_rx_packet_larger_than_the_ring_is_missed(void **st)
{
    link_up();
    rx_ring(8, 3u << E1000_RCTL_BSIZE_SHIFT | E1000_RCTL_LPE); /* 8 x 256 bytes */
    static uint8_t f[2100];
    make_frame(f, MAC, 2100);
    assert_int_equal(e1000_receive(nic, f, 2100), E1000_RX_MISSED);
    assert_int_equal(rd(E1000_MPC), 1);
    /* it does not block the next one */
    make_frame(f, MAC, 100);
    assert_int_equal(e1000_receive(nic, f, 100), E1000_RX_STORED);
}

static void test_tx_tidv_delays_txdw(void **st)
{
    link_up();
    tx_ring(8, E1000_TCTL_PSP);
    wr(E1000_IMS, E1000_ICR_TXDW);
    wr(E1000_TIDV, 20); /* 20.48 us */
    uint8_t f[64];
    make_frame(f, OTHER, 64);
    memcpy(guest(TXBUF(0)), f, 64);
    txd_legacy(0, TXBUF(0), 64,
               E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS | E1000_TXD_CMD_IDE, 0, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(irq_level, 0);
    step(20000);
    assert_int_equal(irq_level, 0);
    step(480);
    assert_int_equal(irq_level, 1);
}

static void test_tx_waits_for_tctl_en(void **st)
{
    link_up();
    tx_ring(8, 0);
    wr(E1000_TCTL, E1000_TCTL_PSP);
    uint8_t f[64];
    make_frame(f, OTHER, 64);
    memcpy(guest(TXBUF(0)), f, 64);
    txd_legacy(0, TXBUF(0), 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS, 0, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(sent_count, 0);
    wr(E1000_TCTL, E1000_TCTL_EN | E1000_TCTL_PSP);
    assert_int_equal(sent_count, 1);
}

static void test_tx_with_link_down_completes_without_sending(void **st)
{
    tx_ring(8, E1000_TCTL_PSP); /* SLU clear: no link */
    uint8_t f[64];
    make_frame(f, OTHER, 64);
    memcpy(guest(TXBUF(0)), f, 64);
    txd_legacy(0, TXBUF(0), 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(sent_count, 0);
    assert_int_equal(txd_sta(0), E1000_TXD_STAT_DD);
    assert_int_equal(e1000_stats(nic)->tx_no_link, 1);
}

/* ==== statistics ==== */

static void test_statistics_clear_on_read(void **st)
{
    link_up();
    rx_ring(8, E1000_RCTL_BAM);
    uint8_t f[100];
    make_frame(f, MAC, 100);
    e1000_receive(nic, f, 100);
    make_frame(f, BCAST, 100);
    e1000_receive(nic, f, 100);
    assert_int_equal(rd(E1000_GPRC), 2);
    assert_int_equal(rd(E1000_GPRC), 0);
    assert_int_equal(rd(E1000_TPR), 2);
    assert_int_equal(rd(E1000_BPRC), 1);
    assert_int_equal(rd(E1000_PRC127), 2);
    /* 64-bit pairs: the low half reads without clearing, the high half
     * clears both */
    assert_int_equal(rd(E1000_GORCL), 208);
    assert_int_equal(rd(E1000_GORCL), 208);
    assert_int_equal(rd(E1000_GORCH), 0);
    assert_int_equal(rd(E1000_GORCL), 0);
    assert_int_equal(rd(E1000_TORL), 208);
    rd(E1000_TORH);
    assert_int_equal(rd(E1000_TORL), 0);
    /* writes do not change them */
    wr(E1000_GPRC, 55);
    assert_int_equal(rd(E1000_GPRC), 0);
}

/* ==== the I/O window ==== */

static void test_io_window_reaches_every_register(void **st)
{
    io_wr(E1000_IOADDR, 4, E1000_IMS);
    assert_int_equal(io_rd(E1000_IOADDR, 4), E1000_IMS);
    io_wr(E1000_IODATA, 4, E1000_ICR_RXT0);
    assert_int_equal(rd(E1000_IMS), E1000_ICR_RXT0);
    assert_int_equal(io_rd(E1000_IODATA, 4), E1000_ICR_RXT0);
    io_wr(E1000_IOADDR, 4, E1000_EECD);
    assert_int_equal(io_rd(E1000_IODATA, 4), rd(E1000_EECD));
    /* narrow writes to IOADDR are ignored; bits 31:20 read as 0 */
    io_wr(E1000_IOADDR, 2, 0x0008);
    assert_int_equal(io_rd(E1000_IOADDR, 4), E1000_EECD);
    io_wr(E1000_IOADDR, 4, 0xFFF00008);
    assert_int_equal(io_rd(E1000_IOADDR, 4), 0x00000008);
    /* flash space: not modelled */
    io_wr(E1000_IOADDR, 4, 0x80000);
    assert_int_equal(io_rd(E1000_IODATA, 4), 0xFFFFFFFFu);
    /* ICR read-to-clear through IODATA too */
    wr(E1000_ICS, E1000_ICR_LSC);
    io_wr(E1000_IOADDR, 4, E1000_ICR);
    assert_int_equal(io_rd(E1000_IODATA, 4), E1000_ICR_LSC);
    assert_int_equal(rd(E1000_ICR), 0);
    assert_int_equal(io_rd(8, 4), 0xFFFFFFFFu);
}

/* ==== bus mastering and DMA bounds ==== */

static void test_bme_clear_holds_transmit_until_set(void **st)
{
    link_up();
    pci_cmd(PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    tx_ring(8, E1000_TCTL_PSP);
    uint8_t f[64];
    make_frame(f, OTHER, 64);
    memcpy(guest(TXBUF(0)), f, 64);
    txd_legacy(0, TXBUF(0), 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd(E1000_TDH), 0);
    assert_int_equal(txd_sta(0), 0);
    assert_int_equal(e1000_stats(nic)->dma_errors, 0);
    assert_int_equal(pci_config_read(e1000_pci(nic), PCI_STATUS, 2) & PCI_STATUS_REC_MASTER_ABORT,
                     0);
    assert_true(e1000_stats(nic)->bme_held > 0);
    pci_cmd(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    assert_int_equal(sent_count, 1);
    assert_int_equal(txd_sta(0), E1000_TXD_STAT_DD);
}

static void test_bme_clear_holds_receive_until_set(void **st)
{
    link_up();
    rx_ring(8, 0);
    pci_cmd(PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
    uint8_t f[64];
    make_frame(f, MAC, 64);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_QUEUED);
    assert_int_equal(rxd_status(0), 0);
    assert_int_equal(e1000_stats(nic)->dma_errors, 0);
    pci_cmd(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    assert_true(rxd_status(0) & E1000_RXD_STAT_DD);
    assert_memory_equal(guest(RXBUF(0)), f, 64);
}

static void test_tx_buffer_outside_memory_is_reported_not_fatal(void **st)
{
    link_up();
    tx_ring(8, E1000_TCTL_PSP);
    txd_legacy(0, BAD_ADDR, 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(sent_count, 0);
    assert_int_equal(e1000_stats(nic)->dma_errors, 1);
    assert_true(pci_config_read(e1000_pci(nic), PCI_STATUS, 2) & PCI_STATUS_REC_MASTER_ABORT);
    assert_int_equal(rd(E1000_TDH), 1);
    /* the next packet goes out */
    uint8_t f[64];
    make_frame(f, OTHER, 64);
    memcpy(guest(TXBUF(0)), f, 64);
    txd_legacy(1, TXBUF(0), 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS, 0, 0);
    wr(E1000_TDT, 2);
    assert_int_equal(sent_count, 1);
}

static void test_rings_outside_memory_are_reported_not_fatal(void **st)
{
    link_up();
    rx_ring(8, 0);
    wr(E1000_RDBAL, BAD_ADDR);
    uint8_t f[64];
    make_frame(f, MAC, 64);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_DMA_ERROR);
    /* a 64-bit ring base above 4 GiB */
    wr(E1000_RDBAL, RXRING);
    wr(E1000_RDBAH, 1);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_DMA_ERROR);
    tx_ring(8, E1000_TCTL_PSP);
    wr(E1000_TDBAH, 1);
    wr(E1000_TDT, 1);
    assert_int_equal(rd(E1000_TDH), 0);
    assert_int_equal(e1000_stats(nic)->dma_errors, 3);
    /* RDT past the ring: receive stalls, no access */
    wr(E1000_RDBAH, 0);
    wr(E1000_RDT, 100);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_QUEUED);
    assert_int_equal(e1000_stats(nic)->dma_errors, 3);
}

static void test_rx_buffer_outside_memory_drops_the_frame(void **st)
{
    link_up();
    rx_ring(8, 0);
    put32(RXRING, BAD_ADDR);
    uint8_t f[64];
    make_frame(f, MAC, 64);
    assert_int_equal(e1000_receive(nic, f, 64), E1000_RX_DMA_ERROR);
    assert_int_equal(rxd_status(0), 0);
    assert_int_equal(rd(E1000_RDH), 0);
}

/* ==== identity ==== */

static void test_set_identity_updates_eeprom_and_config_space(void **st)
{
    PciIdentity id = {0x8086, 0x100F, 0x8086, 0x1001, 0x05};
    assert_int_equal(e1000_set_identity(nic, &id), 0);
    assert_int_equal(eerd(E1000_EE_DEVICE_ID), 0x100F);
    assert_int_equal(eerd(E1000_EE_VENDOR_ID), 0x8086);
    assert_int_equal(eerd(E1000_EE_SUBSYS_ID), 0x1001);
    assert_int_equal(eerd(E1000_EE_SUBSYS_VENDOR), 0x8086);
    uint16_t sum = 0;
    for (unsigned i = 0; i < 64; i++)
        sum = (uint16_t)(sum + eerd(i));
    assert_int_equal(sum, 0xBABA);
    PciDevice *p = e1000_pci(nic);
    assert_int_equal(pci_config_read(p, PCI_DEVICE_ID, 2), 0x100F);
    assert_int_equal(pci_config_read(p, PCI_SUBSYSTEM_ID, 2), 0x1001);
    assert_int_equal(pci_config_read(p, PCI_REVISION_ID, 1), 0x05);
    /* the model stays an 82540EM: the identity changes the IDs, not the PHY */
    assert_int_equal(phy_rd(E1000_PHY_PID), 0x0141);
    /* PCI RST#: the chip loads the IDs from the EEPROM again */
    e1000_reset(nic);
    assert_int_equal(pci_config_read(p, PCI_DEVICE_ID, 2), 0x100F);
    assert_int_equal(pci_config_read(p, PCI_SUBSYSTEM_ID, 2), 0x1001);
    /* an OEM subsystem on the default chip */
    PciIdentity ibm = {0x8086, 0x100E, 0x1014, 0x0265, 0x02};
    assert_int_equal(e1000_set_identity(nic, &ibm), 0);
    assert_int_equal(pci_config_read(p, PCI_SUBSYSTEM_VENDOR_ID, 2), 0x1014);
    assert_int_equal(phy_rd(E1000_PHY_EPID), 0x0C20);
}

static void test_set_identity_refuses_impossible_ids(void **st)
{
    PciIdentity bad[] = {
        {0xFFFF, 0x100E, 0x8086, 0x001E, 2},
        {0x0000, 0x100E, 0x8086, 0x001E, 2},
        {0x8086, 0xFFFF, 0x8086, 0x001E, 2},
        {0x8086, 0x1234, 0x8086, 0x001E, 2}, /* not an 8254x the model presents */
        {0x10EC, 0x8139, 0x8086, 0x001E, 2},
        {0x8086, 0x100E, 0xFFFF, 0x001E, 2},
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(e1000_set_identity(nic, &bad[i]), -1);
    assert_int_equal(pci_config_read(e1000_pci(nic), PCI_DEVICE_ID, 2), 0x100E);
    assert_int_equal(eerd(E1000_EE_DEVICE_ID), 0x100E);
}

static void test_boards_table(void **st)
{
    int found_default = 0;
    assert_true(e1000_nboards >= 15);
    for (unsigned i = 0; i < e1000_nboards; i++) {
        const PciBoard *b = &e1000_boards[i];
        assert_int_equal(b->vendor, 0x8086);
        /* only chips with the 82540EM's programming model (not 82541/82547) */
        assert_true(b->device == 0x100E || b->device == 0x1015 || b->device == 0x1016 ||
                    b->device == 0x1017 || b->device == 0x101E || b->device == 0x100F ||
                    b->device == 0x1026);
        assert_non_null(b->name);
        if (b->device == 0x100E && b->subsys_vendor == 0x8086 && b->subsys_id == 0x001E)
            found_default = 1;
        PciIdentity id = {b->vendor, b->device, b->subsys_vendor, b->subsys_id, 2};
        assert_int_equal(e1000_set_identity(nic, &id), 0);
    }
    assert_true(found_default);
}

/* ==== robustness ==== */

static void test_random_abuse_is_contained(void **st)
{
    uint32_t seed = 12345;
#define RND() (seed = seed * 1103515245u + 12345u, seed >> 8)
    static const uint32_t offs[] = {
        E1000_CTRL, E1000_EECD, E1000_EERD,  E1000_MDIC,  E1000_ICS,    E1000_IMS,
        E1000_IMC,  E1000_ITR,  E1000_RCTL,  E1000_TCTL,  E1000_RDBAL,  E1000_RDLEN,
        E1000_RDH,  E1000_RDT,  E1000_TDBAL, E1000_TDLEN, E1000_TDH,    E1000_TDT,
        E1000_RDTR, E1000_RADV, E1000_TIDV,  E1000_TADV,  E1000_RXCSUM, E1000_PBA,
    };
    link_up();
    static uint8_t f[2000];
    for (unsigned i = 0; i < 20000; i++) {
        unsigned op = RND() % 8;
        if (op < 4) {
            uint32_t off = offs[RND() % (sizeof offs / sizeof offs[0])];
            uint32_t hi = RND() << 16;
            uint32_t v = RND() ^ hi;
            if (off == E1000_CTRL)
                v &= ~E1000_CTRL_RST | (RND() % 50 ? 0 : E1000_CTRL_RST);
            if (off == E1000_RDBAL || off == E1000_TDBAL)
                v = MEM_BASE + (v % MEM_SIZE);
            wr(off, v);
        } else if (op == 4) {
            rd(E1000_ICR);
            rd(RND() % E1000_MMIO_SIZE & ~3u);
        } else if (op == 5) {
            uint32_t a = MEM_BASE + RND() % (MEM_SIZE - 4);
            put32(a, RND());
        } else if (op == 6) {
            size_t n = 14 + RND() % 1600;
            for (size_t k = 0; k < n; k++)
                f[k] = (uint8_t)RND();
            if (RND() & 1)
                memcpy(f, MAC, 6);
            e1000_receive(nic, f, n);
        } else {
            step(RND() % 100000);
            if (RND() % 100 == 0)
                pci_cmd((uint16_t)(RND() & 7));
        }
    }
#undef RND
    assert_true(e1000_stats(nic)->tx_sent + e1000_stats(nic)->rx_stored > 0);
}

/* ==== register names for traces (DevIoOps.reg_name) ==== */

static const char *mmio_name(uint32_t off, unsigned size, int write)
{
    return e1000_mmio_ops.reg_name(nic, off, size, write);
}

static const char *io_name(uint32_t off, unsigned size, int write)
{
    return e1000_io_ops.reg_name(nic, off, size, write);
}

static void test_reg_name_for_the_memory_and_io_windows(void **st)
{
    assert_string_equal(mmio_name(E1000_ICR, 4, 0), "ICR");
    assert_string_equal(mmio_name(E1000_TDT, 4, 1), "TDT");
    assert_string_equal(mmio_name(E1000_STATUS + 2, 2, 0), "STATUS"); /* part of the dword */
    assert_string_equal(mmio_name(E1000_ECOL, 4, 0), "ECOL");
    assert_string_equal(mmio_name(E1000_RAL(3), 4, 1), "RAL3");
    assert_string_equal(mmio_name(E1000_RAH(15), 4, 1), "RAH15");
    /* arrays by their base name */
    assert_string_equal(mmio_name(E1000_MTA + 4 * 77, 4, 1), "MTA");
    assert_string_equal(mmio_name(E1000_VFTA + 4 * 127, 4, 0), "VFTA");
    /* nothing there, across a dword, outside the space */
    assert_null(mmio_name(0x0004, 4, 0));
    assert_null(mmio_name(E1000_ICR + 2, 4, 0));
    assert_null(mmio_name(E1000_MMIO_SIZE, 4, 0));
    /* I/O window: IOADDR, and IODATA named after what IOADDR selects */
    assert_string_equal(io_name(E1000_IOADDR, 4, 1), "IOADDR");
    io_wr(E1000_IOADDR, 4, E1000_TDT);
    assert_string_equal(io_name(E1000_IODATA, 4, 1), "TDT");
    io_wr(E1000_IOADDR, 4, E1000_MTA + 8);
    assert_string_equal(io_name(E1000_IODATA, 4, 0), "MTA");
    io_wr(E1000_IOADDR, 4, 0x80000); /* flash: not modelled */
    assert_null(io_name(E1000_IODATA, 4, 0));
    assert_null(io_name(E1000_IO_SIZE, 4, 0));
}

static void test_reg_name_has_no_side_effects(void **st)
{
    wr(E1000_IMS, E1000_ICR_LSC);
    wr(E1000_ICS, E1000_ICR_LSC);
    assert_int_equal(irq_level, 1);
    int changes = irq_changes;
    uint64_t unmodelled = e1000_stats(nic)->unmodelled;
    /* ICR and the statistics clear on read; their names do not */
    io_wr(E1000_IOADDR, 4, E1000_ICR);
    assert_string_equal(mmio_name(E1000_ICR, 4, 0), "ICR");
    assert_string_equal(io_name(E1000_IODATA, 4, 0), "ICR");
    for (uint32_t off = 0; off < 0x6000; off += 4)
        mmio_name(off, 4, 0);
    assert_int_equal(irq_changes, changes);
    assert_int_equal(e1000_stats(nic)->unmodelled, unmodelled);
    assert_int_equal(io_rd(E1000_IOADDR, 4), E1000_ICR);
    assert_int_equal(rd(E1000_ICR), E1000_ICR_LSC);
}

/* ==== injected conditions (e1000_inject) ==== */

/* Half duplex, as a driver forces it: CTRL.FRCDPLX with CTRL.FD clear. */
static void force_half_duplex(void)
{
    wr(E1000_CTRL, (rd(E1000_CTRL) | E1000_CTRL_FRCDPLX) & ~E1000_CTRL_FD);
    assert_int_equal(rd(E1000_STATUS) & E1000_STATUS_FD, 0);
}

static void test_inject_tx_error_reports_ec_in_half_duplex(void **st)
{
    link_up();
    /* full duplex (the default): STA.EC has no meaning, refused */
    assert_true(rd(E1000_STATUS) & E1000_STATUS_FD);
    assert_int_equal(e1000_inject(nic, DEV_COND_TX_ERROR), -1);
    force_half_duplex();
    assert_int_equal(e1000_inject(nic, DEV_COND_TX_ERROR), 0);
    tx_ring(8, E1000_TCTL_PSP | 0x0Fu << E1000_TCTL_CT_SHIFT);
    wr(E1000_IMS, E1000_ICR_TXDW);
    uint8_t f[100];
    make_frame(f, OTHER, 100);
    memcpy(guest(TXBUF(0)), f, 100);
    txd_legacy(0, TXBUF(0), 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0);
    wr(E1000_TDT, 1);
    /* section 3.3.3.2: EC, "was not transmitted"; DD written back */
    assert_int_equal(sent_count, 0);
    assert_int_equal(txd_sta(0), E1000_TXD_STAT_DD | E1000_TXD_STAT_EC);
    assert_int_equal(rd(E1000_TDH), 1);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd(E1000_ICR), E1000_ICR_TXDW | E1000_ICR_TXQE);
    /* 13.7: CT + 1 = 16 collisions (COLC), one packet in ECOL; nothing
     * counted as transmitted */
    assert_int_equal(rd(E1000_ECOL), 1);
    assert_int_equal(rd(E1000_COLC), 16);
    assert_int_equal(rd(E1000_LATECOL), 0);
    assert_int_equal(rd(E1000_GPTC), 0);
    assert_int_equal(rd(E1000_TPT), 0);
    assert_int_equal(rd(E1000_TOTL), 0);
    assert_int_equal(e1000_stats(nic)->tx_errors, 1);
    /* fired once: the next packet goes */
    txd_legacy(1, TXBUF(0), 100, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0);
    wr(E1000_TDT, 2);
    assert_int_equal(sent_count, 1);
    assert_memory_equal(sent[0], f, 100);
    assert_int_equal(txd_sta(1), E1000_TXD_STAT_DD);
    assert_int_equal(rd(E1000_GPTC), 1);
    assert_int_equal(rd(E1000_ECOL), 0);
}

static void test_inject_tx_error_status_in_the_eop_descriptor(void **st)
{
    link_up();
    force_half_duplex();
    tx_ring(8, E1000_TCTL_PSP | 3u << E1000_TCTL_CT_SHIFT);
    assert_int_equal(e1000_inject(nic, DEV_COND_TX_ERROR), 0);
    uint8_t f[200];
    make_frame(f, OTHER, 200);
    memcpy(guest(TXBUF(0)), f, 200);
    txd_data(0, TXBUF(0), 120, E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0);
    txd_data(1, TXBUF(0) + 120, 80, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0);
    wr(E1000_TDT, 2);
    assert_int_equal(sent_count, 0);
    assert_int_equal(txd_sta(0), E1000_TXD_STAT_DD);
    assert_int_equal(txd_sta(1), E1000_TXD_STAT_DD | E1000_TXD_STAT_EC);
    /* CT = 3: four attempts, fewer than 16: ECOL does not count it */
    assert_int_equal(rd(E1000_COLC), 4);
    assert_int_equal(rd(E1000_ECOL), 0);
    /* armed again: it waits while the MAC is in full duplex */
    assert_int_equal(e1000_inject(nic, DEV_COND_TX_ERROR), 0);
    wr(E1000_CTRL, rd(E1000_CTRL) | E1000_CTRL_FD);
    txd_legacy(2, TXBUF(0), 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0);
    wr(E1000_TDT, 3);
    assert_int_equal(sent_count, 1);
    assert_int_equal(txd_sta(2), E1000_TXD_STAT_DD);
    force_half_duplex();
    txd_legacy(3, TXBUF(0), 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0);
    wr(E1000_TDT, 4);
    assert_int_equal(sent_count, 1);
    assert_int_equal(txd_sta(3), E1000_TXD_STAT_DD | E1000_TXD_STAT_EC);
}

static void test_inject_tx_underrun_is_refused_on_the_82540em(void **st)
{
    link_up();
    force_half_duplex();
    assert_int_equal(e1000_inject(nic, DEV_COND_TX_UNDERRUN), -1);
    assert_int_equal(e1000_inject(nic, (DevCondition)99), -1);
    tx_ring(8, E1000_TCTL_PSP);
    uint8_t f[64];
    make_frame(f, OTHER, 64);
    memcpy(guest(TXBUF(0)), f, 64);
    txd_legacy(0, TXBUF(0), 64, E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0);
    wr(E1000_TDT, 1);
    assert_int_equal(sent_count, 1);
    assert_int_equal(txd_sta(0), E1000_TXD_STAT_DD); /* TU is reserved: never set */
}

/* Without RCTL.SBP (section 13.4.22) a packet with a CRC error is not
 * stored; CRCERRS counts it (section 13.7.1: it passed address filtering
 * and is 64 bytes or more), TPR/TOR too (every packet), the good-packet
 * counters not. The 82540EM has no interrupt cause for it (13.4.17). The
 * condition can be armed in full duplex too. */
static void test_inject_rx_crc_error_is_dropped_and_counted_without_sbp(void **st)
{
    link_up();
    assert_true(rd(E1000_STATUS) & E1000_STATUS_FD);
    rx_ring(8, 0);
    wr(E1000_IMS, E1000_ICR_RXT0);
    assert_int_equal(e1000_inject(nic, DEV_COND_RX_CRC_ERROR), 0);
    uint8_t f[100];
    make_frame(f, MAC, 100);
    assert_int_equal(e1000_receive(nic, f, 100), E1000_RX_BAD_FCS);
    assert_int_equal(rd(E1000_RDH), 0);
    assert_int_equal(rxd_status(0), 0);
    assert_int_equal(irq_level, 0);
    assert_int_equal(rd(E1000_ICR), 0);
    assert_int_equal(rd(E1000_CRCERRS), 1);
    assert_int_equal(rd(E1000_TPR), 1);
    assert_int_equal(rd(E1000_TORL), 104);
    assert_int_equal(rd(E1000_GPRC), 0);
    assert_int_equal(rd(E1000_GORCL), 0);
    assert_int_equal(rd(E1000_PRC127), 0);
    assert_int_equal(rd(E1000_RXERRC), 0);
    assert_int_equal(e1000_stats(nic)->rx_crc_errors, 1);
    /* fired once: the next packet is a good one */
    assert_int_equal(e1000_receive(nic, f, 100), E1000_RX_STORED);
    assert_int_equal(rxd_errors(0), 0);
    assert_int_equal(rxd_len(0), 104);
    assert_int_equal(rd(E1000_GPRC), 1);
    assert_int_equal(rd(E1000_CRCERRS), 0);
    assert_true(rd(E1000_ICR) & E1000_ICR_RXT0);
}

/* RCTL.SBP: stored with CE in the EOP descriptor's errors field (section
 * 3.2.3.2, table 3-3), the FCS as received, RXT0 as for any packet;
 * CRCERRS still counts it, GPRC/GORC/BPRC and the size bins do not. */
static void test_inject_rx_crc_error_with_sbp_is_stored_with_ce(void **st)
{
    link_up();
    rx_ring(8, E1000_RCTL_SBP | E1000_RCTL_BAM);
    wr(E1000_IMS, E1000_ICR_RXT0);
    assert_int_equal(e1000_inject(nic, DEV_COND_RX_CRC_ERROR), 0);
    uint8_t f[100];
    make_frame(f, BCAST, 100);
    assert_int_equal(e1000_receive(nic, f, 100), E1000_RX_STORED);
    assert_int_equal(rxd_status(0), E1000_RXD_STAT_DD | E1000_RXD_STAT_EOP | E1000_RXD_STAT_IXSM);
    assert_int_equal(rxd_errors(0), E1000_RXD_ERR_CE);
    assert_int_equal(rxd_len(0), 104);
    assert_memory_equal(guest(RXBUF(0)), f, 100);
    uint32_t fcs = guest(RXBUF(0))[100] | guest(RXBUF(0))[101] << 8 | guest(RXBUF(0))[102] << 16 |
                   (uint32_t)guest(RXBUF(0))[103] << 24;
    assert_int_not_equal(fcs, ref_fcs(f, 100));
    assert_int_equal(rd(E1000_RDH), 1);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd(E1000_ICR), E1000_ICR_RXT0);
    assert_int_equal(rd(E1000_CRCERRS), 1);
    assert_int_equal(rd(E1000_TPR), 1);
    assert_int_equal(rd(E1000_GPRC), 0);
    assert_int_equal(rd(E1000_BPRC), 0);
    assert_int_equal(rd(E1000_GORCL), 0);
    assert_int_equal(rd(E1000_PRC127), 0);
    /* the next packet is a good one */
    assert_int_equal(e1000_receive(nic, f, 100), E1000_RX_STORED);
    assert_int_equal(rxd_errors(1), 0);
    assert_int_equal(rd(E1000_GPRC), 1);
    assert_int_equal(rd(E1000_BPRC), 1);
    assert_int_equal(rd(E1000_CRCERRS), 0);
}

/* Section 13.7: a packet under 64 bytes with a bad CRC is a fragment
 * (RFC, not RUC), one over the maximum size is a jabber (RJC, not ROC);
 * neither is in CRCERRS. A packet the address filter rejects takes the
 * condition and counts nowhere; with the receiver off or no link it
 * stays armed. */
static void test_inject_rx_crc_error_lengths_filter_and_waiting(void **st)
{
    link_up();
    rx_ring(8, 0);
    uint8_t f[100];
    make_frame(f, MAC, 100);
    e1000_inject(nic, DEV_COND_RX_CRC_ERROR);
    assert_int_equal(e1000_receive(nic, f, 40), E1000_RX_BAD_LENGTH);
    assert_int_equal(rd(E1000_RFC), 1);
    assert_int_equal(rd(E1000_RUC), 0);
    assert_int_equal(rd(E1000_CRCERRS), 0);
    static uint8_t big[3000];
    make_frame(big, MAC, 3000);
    e1000_inject(nic, DEV_COND_RX_CRC_ERROR);
    assert_int_equal(e1000_receive(nic, big, 3000), E1000_RX_BAD_LENGTH);
    assert_int_equal(rd(E1000_RJC), 1);
    assert_int_equal(rd(E1000_ROC), 0);
    uint8_t g[100];
    make_frame(g, OTHER, 100);
    e1000_inject(nic, DEV_COND_RX_CRC_ERROR);
    assert_int_equal(e1000_receive(nic, g, 100), E1000_RX_FILTERED);
    assert_int_equal(rd(E1000_CRCERRS), 0);
    assert_int_equal(e1000_receive(nic, f, 100), E1000_RX_STORED);
    assert_int_equal(rxd_errors(0), 0);
    /* RCTL.EN clear, then no link: nothing received, still armed */
    e1000_inject(nic, DEV_COND_RX_CRC_ERROR);
    wr(E1000_RCTL, 0);
    assert_int_equal(e1000_receive(nic, f, 100), E1000_RX_DISABLED);
    wr(E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_SBP);
    e1000_set_link(nic, 0);
    assert_int_equal(e1000_receive(nic, f, 100), E1000_RX_LINK_DOWN);
    e1000_set_link(nic, 1);
    assert_int_equal(rd(E1000_CRCERRS), 0);
    assert_int_equal(e1000_receive(nic, f, 100), E1000_RX_STORED);
    assert_int_equal(rxd_errors(1), E1000_RXD_ERR_CE);
    assert_int_equal(rd(E1000_CRCERRS), 1);
    assert_int_equal(e1000_stats(nic)->rx_crc_errors, 4);
}

/* Section 13.4.1: CTRL.RST is self-clearing once the reset is done. With
 * DEV_COND_RESET_HANG it never clears: the registers are at their reset
 * values but the EEPROM auto-load never ran (RAL0/RAH0 empty), EECD never
 * grants, EERD never reports DONE, every other write is refused; the next
 * CTRL.RST completes a normal reset. */
static void test_inject_reset_hang_keeps_ctrl_rst_set(void **st)
{
    link_up();
    rx_ring(8, E1000_RCTL_BAM);
    wr(E1000_IMS, E1000_ICR_RXT0);
    assert_int_equal(e1000_inject(nic, DEV_COND_RESET_HANG), 0);
    wr(E1000_CTRL, rd(E1000_CTRL) | E1000_CTRL_RST);
    for (unsigned i = 0; i < 10000; i++) {
        assert_int_equal(rd(E1000_CTRL), E1000_CTRL_RST);
        step(1000000); /* 1 ms, ten seconds in all */
    }
    assert_int_equal(dev_clock_next(&clk), UINT64_MAX);
    assert_int_equal(rd(E1000_STATUS) & E1000_STATUS_LU, 0);
    assert_int_equal(rd(E1000_RAL0), 0);
    assert_int_equal(rd(E1000_RAH0), 0);
    assert_int_equal(rd(E1000_IMS), 0);
    assert_int_equal(rd(E1000_RCTL), 0);
    assert_int_equal(rd(E1000_ICR), 0);
    assert_int_equal(irq_level, 0);
    /* the EEPROM stays with the hung auto-load */
    wr(E1000_EERD, E1000_EERD_START | 0x01 << E1000_EERD_ADDR_SHIFT);
    step(1000000000);
    assert_int_equal(rd(E1000_EERD), E1000_EERD_START | 0x01 << E1000_EERD_ADDR_SHIFT);
    wr(E1000_EECD, E1000_EECD_REQ);
    step(1000000000);
    assert_int_equal(rd(E1000_EECD) & (E1000_EECD_REQ | E1000_EECD_GNT), E1000_EECD_REQ);
    /* other writes do not reach the device, through either BAR */
    wr(E1000_CTRL, E1000_CTRL_SLU);
    wr(E1000_RCTL, E1000_RCTL_EN);
    wr(E1000_RAL0, 0x11111111);
    wr(E1000_ICS, E1000_ICR_RXT0);
    io_wr(E1000_IOADDR, 4, E1000_IMS);
    io_wr(E1000_IODATA, 4, E1000_ICR_RXT0);
    assert_int_equal(rd(E1000_CTRL), E1000_CTRL_RST);
    assert_int_equal(rd(E1000_RCTL), 0);
    assert_int_equal(rd(E1000_RAL0), 0);
    assert_int_equal(rd(E1000_IMS), 0);
    assert_int_equal(rd(E1000_ICR), 0);
    uint8_t f[64];
    make_frame(f, MAC, sizeof f);
    assert_int_equal(e1000_receive(nic, f, sizeof f), E1000_RX_DISABLED); /* RCTL.EN 0 */
    assert_int_equal(e1000_stats(nic)->reset_hangs, 1);
    /* CTRL.RST again: a normal reset, the EEPROM loaded, the device works */
    wr(E1000_CTRL, E1000_CTRL_RST);
    assert_int_equal(rd(E1000_CTRL) & E1000_CTRL_RST, 0);
    assert_int_equal(rd(E1000_RAL0), 0x105E0002u);
    assert_int_equal(rd(E1000_RAH0), E1000_RAH_AV | 0x3020u);
    assert_int_equal(rd(E1000_EERD), 0);
    assert_int_equal(eerd(0x00), 0x0002);
    wr(E1000_EECD, E1000_EECD_REQ);
    assert_true(rd(E1000_EECD) & E1000_EECD_GNT);
    wr(E1000_EECD, 0);
    link_up();
    rx_ring(8, E1000_RCTL_BAM);
    assert_int_equal(e1000_receive(nic, f, sizeof f), E1000_RX_STORED);
    /* fired once */
    wr(E1000_CTRL, E1000_CTRL_RST);
    assert_int_equal(rd(E1000_CTRL) & E1000_CTRL_RST, 0);
    assert_int_equal(e1000_stats(nic)->reset_hangs, 1);
}

static void test_inject_reset_hang_waits_for_ctrl_rst_and_ends_at_pci_reset(void **st)
{
    assert_int_equal(e1000_inject(nic, DEV_COND_RESET_HANG), 0);
    /* CTRL_EXT.EE_RST and PHY_RST are not CTRL.RST: still armed */
    wr(E1000_CTRL_EXT, E1000_CTRL_EXT_EE_RST);
    assert_int_equal(rd(E1000_RAL0), 0x105E0002u);
    wr(E1000_CTRL, E1000_CTRL_RST);
    assert_int_equal(rd(E1000_CTRL), E1000_CTRL_RST);
    /* PCI RST# ends the hang */
    e1000_reset(nic);
    pci_cmd(PCI_COMMAND_MEMORY | PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    assert_int_equal(rd(E1000_CTRL) & E1000_CTRL_RST, 0);
    assert_int_equal(rd(E1000_RAH0), E1000_RAH_AV | 0x3020u);
    wr(E1000_IMS, E1000_ICR_RXT0);
    assert_int_equal(rd(E1000_IMS), E1000_ICR_RXT0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_pci_identity_and_bars),
        T(test_register_table_sorted_and_named),
        T(test_register_classes_follow_the_manual),
        T(test_reset_values_follow_the_table),
        T(test_unmodelled_offsets_read_all_ones_and_are_counted),
        T(test_narrow_writes_are_ignored_and_narrow_reads_see_part),
        T(test_read_only_status_ignores_writes),
        T(test_eeprom_image_mac_ids_and_checksum_via_eerd),
        T(test_eerd_done_address_and_range),
        T(test_eecd_bitbang_reads_every_word_like_eerd),
        T(test_eecd_pins_need_ee_req),
        T(test_eecd_bitbang_write_after_ewen),
        T(test_ctrl_rst_reloads_mac_and_clears_registers),
        T(test_mdic_phy_identity_and_status),
        T(test_mdic_write_read_back_and_phy_reset),
        T(test_mdic_other_phy_address_is_an_error),
        T(test_mdic_interrupt_on_completion),
        T(test_phy_power_down_drops_the_link),
        T(test_status_lu_needs_slu),
        T(test_cable_change_raises_lsc_and_phy_follows),
        T(test_icr_read_clears_and_ims_imc_gate_the_line),
        T(test_icr_write_one_clears),
        T(test_ims_keeps_only_defined_causes),
        T(test_itr_holds_interrupts_on_virtual_time),
        T(test_rx_unicast_stored_with_fcs_and_writeback),
        T(test_rx_secrc_strips_the_fcs),
        T(test_rx_needs_rctl_en_and_link),
        T(test_rx_unicast_filter_and_upe_with_pif),
        T(test_rx_receive_address_entries_need_av),
        T(test_rx_broadcast_needs_bam),
        T(test_rx_multicast_hash_for_each_mo),
        T(test_rx_mpe_accepts_every_multicast),
        T(test_rx_small_buffers_chain_descriptors),
        T(test_rx_long_packets_need_lpe),
        T(test_rx_runts_count_in_ruc),
        T(test_rx_ring_full_queues_then_rxo_and_mpc),
        T(test_rx_rdmts_threshold_raises_rxdmt0),
        T(test_rx_rdtr_and_radv_delay_rxt0),
        T(test_rx_vlan_strip_and_vfta_filter),
        T(test_rx_checksum_offload_ipv4_tcp),
        T(test_tx_legacy_single_descriptor),
        T(test_tx_without_rs_writes_no_status),
        T(test_tx_legacy_packet_across_descriptors),
        T(test_tx_legacy_ic_inserts_checksum),
        T(test_tx_context_and_data_descriptors_checksums),
        T(test_tx_psp_pads_short_frames),
        T(test_tx_ifcs_clear_needs_the_packets_own_fcs),
        T(test_tx_vle_inserts_the_vlan_tag),
        T(test_tx_tso_segments_with_checksums),
        T(test_tx_tso_without_mss_is_dropped_and_counted),
        T(test_rx_packet_larger_than_the_ring_is_missed),
        T(test_tx_tidv_delays_txdw),
        T(test_tx_waits_for_tctl_en),
        T(test_tx_with_link_down_completes_without_sending),
        T(test_statistics_clear_on_read),
        T(test_io_window_reaches_every_register),
        T(test_bme_clear_holds_transmit_until_set),
        T(test_bme_clear_holds_receive_until_set),
        T(test_tx_buffer_outside_memory_is_reported_not_fatal),
        T(test_rings_outside_memory_are_reported_not_fatal),
        T(test_rx_buffer_outside_memory_drops_the_frame),
        T(test_set_identity_updates_eeprom_and_config_space),
        T(test_set_identity_refuses_impossible_ids),
        T(test_boards_table),
        T(test_random_abuse_is_contained),
        T(test_reg_name_for_the_memory_and_io_windows),
        T(test_reg_name_has_no_side_effects),
        T(test_inject_tx_error_reports_ec_in_half_duplex),
        T(test_inject_tx_error_status_in_the_eop_descriptor),
        T(test_inject_tx_underrun_is_refused_on_the_82540em),
        T(test_inject_rx_crc_error_is_dropped_and_counted_without_sbp),
        T(test_inject_rx_crc_error_with_sbp_is_stored_with_ce),
        T(test_inject_rx_crc_error_lengths_filter_and_waiting),
        T(test_inject_reset_hang_keeps_ctrl_rst_set),
        T(test_inject_reset_hang_waits_for_ctrl_rst_and_ends_at_pci_reset),
    };
#undef T
    return cmocka_run_group_tests_name("e1000", tests, NULL, NULL);
}
