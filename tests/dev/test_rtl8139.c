/* RTL8139C(L) model at the register level: named register accessors, a
 * fake guest memory behind DevDma, a recorded interrupt line and cable,
 * virtual time stepped explicitly. No CPU, no driver. */
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
#include "dev/pci.h"
#include "dev/rtl8139.h"
#include "trace/trace.h"

/* ---- fixture: guest memory, interrupt line, cable, clock ---- */

#define MEM_BASE 0x00100000u
#define MEM_SIZE 0x00040000u
#define RING (MEM_BASE) /* receive ring, 8K + 16 + 1.5K and more */
#define TXBUF(n) (MEM_BASE + 0x20000u + 0x800u * (n))

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static uint8_t *mem;
static DevClock clk;
static Rtl8139 *nic;
static int irq_level, irq_changes;
static uint8_t sent[2048];
static size_t sent_len;
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
    assert_true(len <= sizeof sent);
    memcpy(sent, frame, len);
    sent_len = len;
    sent_count++;
}

static int setup(void **st)
{
    mem = calloc(1, MEM_SIZE);
    dev_clock_init(&clk);
    irq_level = irq_changes = 0;
    sent_len = sent_count = 0;
    DevDma dma = {mem_map, NULL};
    DevIrq irq = {irq_set, NULL, 11};
    NetPort port = {cable_send, NULL};
    nic = rtl8139_new(&dma, &irq, &clk, &port, MAC);
    /* what the firmware/PnP manager does before the driver runs */
    pci_config_write(rtl8139_pci(nic), PCI_COMMAND, 2,
                     PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    return mem && nic ? 0 : -1;
}

static int teardown(void **st)
{
    rtl8139_free(nic);
    free(mem);
    return 0;
}

static uint32_t rd(uint32_t off, unsigned size)
{
    return rtl8139_io_ops.read(nic, off, size);
}
static void wr(uint32_t off, unsigned size, uint32_t v)
{
    rtl8139_io_ops.write(nic, off, size, v);
}
static uint8_t rd8(uint32_t off)
{
    return (uint8_t)rd(off, 1);
}
static uint16_t rd16(uint32_t off)
{
    return (uint16_t)rd(off, 2);
}
static uint32_t rd32(uint32_t off)
{
    return rd(off, 4);
}
static void wr8(uint32_t off, uint8_t v)
{
    wr(off, 1, v);
}
static void wr16(uint32_t off, uint16_t v)
{
    wr(off, 2, v);
}
static void wr32(uint32_t off, uint32_t v)
{
    wr(off, 4, v);
}

static uint32_t mem32(uint32_t addr)
{
    const uint8_t *p = mem + (addr - MEM_BASE);
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *guest(uint32_t addr)
{
    return mem + (addr - MEM_BASE);
}

/* A frame to `dst` from a fixed source, payload bytes counting from seed. */
static size_t make_frame(uint8_t *f, const uint8_t dst[6], size_t len, uint8_t seed)
{
    static const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x01};
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seed + i);
    return len;
}

static void rx_start(uint32_t rcr)
{
    wr32(RTL_RBSTART, RING);
    wr32(RTL_RCR, rcr);
    wr16(RTL_IMR, RTL_INT_ALL);
    wr8(RTL_CR, RTL_CR_RE | RTL_CR_TE);
}

/* The driver's side of the ring: consume one packet at `*off`, return its
 * header; CAPR is written 16 bytes behind the next packet (guide). */
static uint32_t rx_consume(uint32_t *off, uint32_t ring_size)
{
    uint32_t hdr = mem32(RING + *off);
    uint32_t len = hdr >> 16;
    *off = (*off + len + 4 + 3) & ~3u;
    *off %= ring_size;
    wr16(RTL_CAPR, (uint16_t)(*off - 16));
    return hdr;
}

/* ---- reset values, identity, EEPROM ---- */

static void test_reset_values_follow_the_table(void **st)
{
    for (unsigned i = 0; i < rtl8139_nregs; i++) {
        const RegDesc *r = &rtl8139_regs[i];
        if (r->width > 4 || r->offset < RTL_IDR0 + 6)
            continue; /* IDR holds the auto-loaded MAC */
        assert_int_equal(rd(r->offset, r->width), r->reset);
    }
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(rd8(RTL_IDR0 + i), MAC[i]);
    assert_int_equal(rd32(RTL_TCR) & RTL_TCR_HWVERID, RTL_TCR_HWVERID_8139C);
    assert_int_equal(irq_level, 0);
}

/* Register classes (regs.h) as the datasheet describes the registers. */
static const RegDesc *row(uint32_t off, unsigned width)
{
    const RegDesc *r = reg_find(rtl8139_regs, rtl8139_nregs, off, width);
    assert_non_null(r);
    assert_int_equal(r->offset, off);
    return r;
}

static void assert_class(uint32_t off, unsigned width, RegClass cls, unsigned flags)
{
    const RegDesc *r = row(off, width);
    if (r->cls != cls || r->flags != flags)
        fail_msg("%s is %s/0x%x, the datasheet says %s/0x%x", r->name, reg_class_name(r->cls),
                 r->flags, reg_class_name(cls), flags);
}

static void test_register_classes_follow_the_datasheet(void **st)
{
    for (unsigned i = 0; i < rtl8139_nregs; i++) {
        const RegDesc *r = &rtl8139_regs[i];
        if (r->cls == REG_CLASS_NONE)
            fail_msg("%s has no class", r->name);
        if ((r->flags & REG_F_COUNTER) && r->cls == REG_CLASS_CONTROL)
            fail_msg("counter %s is classed control", r->name);
    }
    /* 6.4: RST self-clears, BUFE is status */
    assert_class(RTL_CR, 1, REG_CLASS_CS, REG_F_SELFCLEAR);
    assert_class(RTL_ISR, 2, REG_CLASS_STATUS, 0);
    assert_class(RTL_IMR, 2, REG_CLASS_CONTROL, 0);
    assert_class(RTL_MPC, 4, REG_CLASS_STATUS, REG_F_COUNTER);
    assert_class(RTL_TCTR, 4, REG_CLASS_STATUS, REG_F_COUNTER);
    assert_class(RTL_TSD(2), 4, REG_CLASS_CS, 0); /* 6.2: TOK/TUN/TABT set by the chip */
    assert_class(RTL_RBSTART, 4, REG_CLASS_CONTROL, REG_F_DMA); /* 6.1: the Rx buffer's address */
    assert_class(RTL_TSAD_N(2), 4, REG_CLASS_CONTROL, REG_F_DMA);
    assert_class(RTL_CAPR, 2, REG_CLASS_CONTROL, 0);
    assert_class(RTL_CBR, 2, REG_CLASS_STATUS, 0);
    assert_class(RTL_TCR, 4, REG_CLASS_CONTROL, REG_F_SELFCLEAR);  /* 6.7 CLRABT */
    assert_class(RTL_9346CR, 1, REG_CLASS_CS, REG_F_SELFCLEAR);    /* 6.9 auto-load */
    assert_class(RTL_BMCR, 2, REG_CLASS_CONTROL, REG_F_SELFCLEAR); /* 6.18 reset, restart AN */
    assert_class(RTL_BMSR, 2, REG_CLASS_STATUS, 0);
    assert_class(RTL_DIS, 2, REG_CLASS_STATUS, REG_F_COUNTER);
    assert_class(RTL_RERID, 1, REG_CLASS_STATUS, 0);
}

static void test_pci_identity_and_bars(void **st)
{
    PciDevice *p = rtl8139_pci(nic);
    assert_int_equal(pci_config_read(p, PCI_VENDOR_ID, 4), 0x813910EC);
    assert_int_equal(pci_config_read(p, PCI_REVISION_ID, 4), 0x02000010);
    assert_int_equal(pci_config_read(p, PCI_INTERRUPT_PIN, 1), 1);
    assert_int_equal(pci_config_read(p, PCI_SUBSYSTEM_VENDOR_ID, 4), 0x813910EC);
    assert_int_equal(pci_config_read(p, PCI_MIN_GNT, 2), 0x4020);
    pci_config_write(p, PCI_BAR0, 4, 0xFFFFFFFF);
    assert_int_equal(pci_config_read(p, PCI_BAR0, 4), 0xFFFFFF01);
    pci_config_write(p, PCI_BAR0 + 4, 4, 0xFFFFFFFF);
    assert_int_equal(pci_config_read(p, PCI_BAR0 + 4, 4), 0xFFFFFF00);
    assert_int_equal(rd8(RTL_RERID), 0x10);
}

/* Bit-bang a READ through 9346CR the way drivers do (EEM=10, EECS, then
 * EESK pulses with EEDI, sampling EEDO after each rising edge). */
static uint16_t ee_read_via_9346cr(unsigned addr)
{
    const uint8_t prog = RTL_9346CR_EEM_PROGRAM, cs = RTL_9346CR_EECS;
    uint32_t cmd = 0x6u << 6 | addr; /* start bit, READ (10), A5..A0 */
    wr8(RTL_9346CR, prog);
    wr8(RTL_9346CR, prog | cs);
    for (int i = 8; i >= 0; i--) {
        uint8_t di = (cmd >> i) & 1 ? RTL_9346CR_EEDI : 0;
        wr8(RTL_9346CR, prog | cs | di);
        wr8(RTL_9346CR, prog | cs | di | RTL_9346CR_EESK);
    }
    wr8(RTL_9346CR, prog | cs);
    assert_int_equal(rd8(RTL_9346CR) & RTL_9346CR_EEDO, 0); /* the dummy 0 */
    uint16_t v = 0;
    for (int i = 0; i < 16; i++) {
        wr8(RTL_9346CR, prog | cs | RTL_9346CR_EESK);
        v = (uint16_t)(v << 1 | (rd8(RTL_9346CR) & RTL_9346CR_EEDO));
        wr8(RTL_9346CR, prog | cs);
    }
    wr8(RTL_9346CR, prog);
    wr8(RTL_9346CR, RTL_9346CR_EEM_NORMAL);
    return v;
}

static void test_eeprom_bit_banged_mac_via_9346cr(void **st)
{
    assert_int_equal(ee_read_via_9346cr(RTL_EE_ID), RTL_EE_SIGNATURE);
    assert_int_equal(ee_read_via_9346cr(RTL_EE_VID), 0x10EC);
    assert_int_equal(ee_read_via_9346cr(RTL_EE_DID), 0x8139);
    uint8_t mac[6];
    for (unsigned i = 0; i < 3; i++) {
        uint16_t w = ee_read_via_9346cr(RTL_EE_ETHERNET_ID + i);
        mac[2 * i] = (uint8_t)w;
        mac[2 * i + 1] = (uint8_t)(w >> 8);
    }
    assert_memory_equal(mac, MAC, 6);
    /* outside programming mode EEDO does not reflect the EEPROM */
    assert_int_equal(rd8(RTL_9346CR), 0);
}

static void test_9346cr_autoload_reloads_idr(void **st)
{
    wr32(RTL_IDR0, 0x44332211);
    wr32(RTL_IDR0 + 4, 0x6655);
    assert_int_equal(rd8(RTL_IDR0 + 5), 0x66);
    wr8(RTL_9346CR, RTL_9346CR_EEM_AUTOLOAD);
    assert_int_equal(rd8(RTL_9346CR), RTL_9346CR_EEM_NORMAL);
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(rd8(RTL_IDR0 + i), MAC[i]);
}

static void test_eeprom_written_through_9346cr_changes_mac_on_autoload(void **st)
{
    Eeprom93c46 *e = rtl8139_eeprom(nic);
    e->word[RTL_EE_ETHERNET_ID] = 0xAA02;
    wr8(RTL_9346CR, RTL_9346CR_EEM_AUTOLOAD);
    assert_int_equal(rd8(RTL_IDR0), 0x02);
    assert_int_equal(rd8(RTL_IDR0 + 1), 0xAA);
}

/* ---- register access rules ---- */

static void test_isr_write_one_to_clear_drives_the_line(void **st)
{
    wr16(RTL_IMR, RTL_INT_PUN_LINKCHG | RTL_INT_TIMEOUT);
    rtl8139_set_link(nic, 0);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_PUN_LINKCHG);
    assert_int_equal(irq_level, 1);
    wr16(RTL_ISR, 0); /* writing 0 clears nothing */
    assert_int_equal(rd16(RTL_ISR), RTL_INT_PUN_LINKCHG);
    wr16(RTL_ISR, RTL_INT_ROK); /* other bits: nothing */
    assert_int_equal(irq_level, 1);
    wr16(RTL_ISR, RTL_INT_PUN_LINKCHG);
    assert_int_equal(rd16(RTL_ISR), 0);
    assert_int_equal(irq_level, 0);
    /* masked status does not raise the line; unmasking does */
    wr16(RTL_IMR, 0);
    rtl8139_set_link(nic, 1);
    assert_int_equal(irq_level, 0);
    wr16(RTL_IMR, RTL_INT_PUN_LINKCHG);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rtl8139_irq_level(nic), 1);
}

static void test_unmodelled_offsets_read_all_ones(void **st)
{
    uint64_t before = rtl8139_stats(nic)->unmodelled;
    assert_int_equal(rd8(0x06), 0xFF);
    assert_int_equal(rd32(0xF0), 0xFFFFFFFF);
    assert_int_equal(rd32(RTL_IDR0 + 4), 0xFFFF0000u | MAC[5] << 8 | MAC[4]);
    wr8(0xF4, 0x12);
    assert_int_equal(rd8(0xF4), 0xFF);
    assert_int_equal(rtl8139_stats(nic)->unmodelled, before + 5);
    assert_int_equal(rd(0xFE, 4), 0xFFFFFFFF); /* crosses the window */
}

static unsigned notes;
static char last_note[256];

static void note_sink(void *opaque, const TraceEvent *ev)
{
    if (ev->kind == TRACE_NOTE && ev->name && !strcmp(ev->name, "rtl8139")) {
        notes++;
        snprintf(last_note, sizeof last_note, "%s", ev->text ? ev->text : "");
    }
}

static void test_unmodelled_accesses_are_traced(void **st)
{
    notes = 0;
    assert_int_equal(trace_add_sink(note_sink, NULL), 0);
    rd8(0xD4); /* FLASH: not modelled */
    assert_int_equal(notes, 1);
    assert_non_null(strstr(last_note, "0xd4"));
    wr32(0xF0, 1);
    assert_int_equal(notes, 2);
    rd32(RTL_TCR); /* modelled: silent */
    assert_int_equal(notes, 2);
    trace_remove_sink(note_sink, NULL);
}

static void test_read_only_registers_and_bits_ignore_writes(void **st)
{
    wr8(RTL_RERID, 0);
    assert_int_equal(rd8(RTL_RERID), 0x10);
    wr16(RTL_CBR, 0x1234);
    assert_int_equal(rd16(RTL_CBR), 0);
    wr16(RTL_BMSR, 0);
    assert_int_equal(rd16(RTL_BMSR), 0x782D);
    wr32(RTL_TCR, 0xFFFFFFFF);
    assert_int_equal(rd32(RTL_TCR), RTL_TCR_HWVERID_8139C | 0x030707F0); /* CLRABT reads 0 */
    wr32(RTL_RCR, 0xFFFFFFFF);
    assert_int_equal(rd32(RTL_RCR), 0x0F03FFBF); /* 9356SEL: 93C46 */
    wr8(RTL_CR, 0xEF);                           /* all but RST */
    assert_int_equal(rd8(RTL_CR), RTL_CR_RE | RTL_CR_TE | RTL_CR_BUFE);
    assert_true(rtl8139_stats(nic)->ignored >= 3);
}

static void test_config_registers_need_config_write_enable(void **st)
{
    wr8(RTL_CONFIG1, 0x20);
    assert_int_equal(rd8(RTL_CONFIG1), 0x0C);
    wr8(RTL_9346CR, RTL_9346CR_EEM_CONFIG);
    wr8(RTL_CONFIG1, 0xFF); /* IOMAP/MEMMAP read-only */
    assert_int_equal(rd8(RTL_CONFIG1), 0xFF);
    wr8(RTL_CONFIG1, 0x00);
    assert_int_equal(rd8(RTL_CONFIG1), 0x0C);
    wr8(RTL_9346CR, RTL_9346CR_EEM_NORMAL);
    wr8(RTL_CONFIG4, 0xFF);
    assert_int_equal(rd8(RTL_CONFIG4), 0);
    /* BMCR speed/ANE/duplex are locked the same way */
    wr16(RTL_BMCR, 0x0000);
    assert_int_equal(rd16(RTL_BMCR), 0x3100);
}

static void test_mpc_cleared_by_any_write(void **st)
{
    rx_start(RTL_RCR_AB);
    uint8_t f[1600];
    static const uint8_t bc[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    make_frame(f, bc, 1500, 0);
    for (int i = 0; i < 8; i++)
        rtl8139_receive(nic, f, 1500);
    assert_int_equal(rd32(RTL_MPC), 3);
    wr8(RTL_MPC + 2, 0x55);
    assert_int_equal(rd32(RTL_MPC), 0);
}

/* ---- receive ---- */

static void test_rx_header_crc_length_and_alignment(void **st)
{
    rx_start(RTL_RCR_APM);
    uint8_t f[128];
    make_frame(f, MAC, 101, 7);
    assert_int_equal(rtl8139_receive(nic, f, 101), RTL8139_RX_STORED);
    uint32_t hdr = mem32(RING);
    assert_int_equal(hdr & 0xFFFF, RTL_RX_ROK | RTL_RX_PAM);
    assert_int_equal(hdr >> 16, 105); /* frame + CRC */
    assert_memory_equal(guest(RING + 4), f, 101);
    assert_int_equal(mem32(RING + 4 + 101), rtl8139_fcs(f, 101));
    assert_int_equal(rd16(RTL_CBR), 112); /* 4 + 105 rounded up to 4 */
    assert_int_equal(rd16(RTL_ISR), RTL_INT_ROK);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd8(RTL_CR) & RTL_CR_BUFE, 0);
}

static void test_rx_fcs_is_the_ethernet_crc(void **st)
{
    /* the CRC-32 check value of "123456789" (IEEE 802.3 polynomial) */
    assert_int_equal(rtl8139_fcs((const uint8_t *)"123456789", 9), 0xCBF43926);
}

static uint32_t bitrev32(uint32_t v)
{
    uint32_t r = 0;
    for (int i = 0; i < 32; i++)
        r |= ((v >> i) & 1u) << (31 - i);
    return r;
}

static void test_rx_multicast_hash_matches_the_msb_first_crc(void **st)
{
    /* two computations of the same CRC: the model's MSB-first shift
     * register and the bit-reversed reflected FCS register */
    static const uint8_t addrs[][6] = {
        {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01},
        {0x33, 0x33, 0x00, 0x00, 0x00, 0x01},
        {0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E},
        {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
    };
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(rtl8139_mc_hash_bit(addrs[i]), bitrev32(~rtl8139_fcs(addrs[i], 6)) >> 26);
}

static void test_rx_accept_rules(void **st)
{
    static const uint8_t bc[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    static const uint8_t other[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    static const uint8_t mc[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01};
    static const uint8_t mc2[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x02};
    unsigned bit = rtl8139_mc_hash_bit(mc);
    struct {
        uint32_t rcr;
        const uint8_t *dst;
        int mar_bit; /* set this MAR bit first, -1 none */
        Rtl8139RxResult want;
        uint16_t status;
    } cases[] = {
        {RTL_RCR_APM, MAC, -1, RTL8139_RX_STORED, RTL_RX_PAM},
        {0, MAC, -1, RTL8139_RX_FILTERED, 0},
        {RTL_RCR_APM, other, -1, RTL8139_RX_FILTERED, 0},
        {RTL_RCR_AAP, other, -1, RTL8139_RX_STORED, 0},
        {RTL_RCR_AAP, MAC, -1, RTL8139_RX_STORED, RTL_RX_PAM},
        {RTL_RCR_APM, bc, -1, RTL8139_RX_FILTERED, 0},
        {RTL_RCR_AB, bc, -1, RTL8139_RX_STORED, RTL_RX_BAR},
        {RTL_RCR_AAP, bc, -1, RTL8139_RX_FILTERED, 0},
        {RTL_RCR_AM, mc, -1, RTL8139_RX_FILTERED, 0},
        {RTL_RCR_AM, mc, (int)bit, RTL8139_RX_STORED, RTL_RX_MAR},
        {RTL_RCR_AB, mc, (int)bit, RTL8139_RX_FILTERED, 0},
        {RTL_RCR_AAP, mc, (int)bit, RTL8139_RX_FILTERED, 0},
    };
    uint8_t f[64];
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wr8(RTL_CR, RTL_CR_RST);
        wr32(RTL_MAR0, 0);
        wr32(RTL_MAR0 + 4, 0);
        if (cases[i].mar_bit >= 0)
            wr8(RTL_MAR0 + (unsigned)cases[i].mar_bit / 8,
                (uint8_t)(1u << ((unsigned)cases[i].mar_bit % 8)));
        rx_start(cases[i].rcr);
        make_frame(f, cases[i].dst, 60, 0);
        assert_int_equal(rtl8139_receive(nic, f, 60), cases[i].want);
        if (cases[i].want == RTL8139_RX_STORED)
            assert_int_equal(mem32(RING) & 0xFFFF, RTL_RX_ROK | cases[i].status);
    }
    /* a multicast whose hash bit is clear stays out */
    if (rtl8139_mc_hash_bit(mc2) != bit) {
        wr8(RTL_CR, RTL_CR_RST);
        wr32(RTL_MAR0, 0);
        wr32(RTL_MAR0 + 4, 0);
        wr8(RTL_MAR0 + bit / 8, (uint8_t)(1u << (bit % 8)));
        rx_start(RTL_RCR_AM);
        make_frame(f, mc2, 60, 0);
        assert_int_equal(rtl8139_receive(nic, f, 60), RTL8139_RX_FILTERED);
    }
}

static void test_rx_runt_needs_ar(void **st)
{
    uint8_t f[64];
    make_frame(f, MAC, 40, 0);
    rx_start(RTL_RCR_APM);
    assert_int_equal(rtl8139_receive(nic, f, 40), RTL8139_RX_FILTERED);
    rx_start(RTL_RCR_APM | RTL_RCR_AR);
    assert_int_equal(rtl8139_receive(nic, f, 40), RTL8139_RX_STORED);
    assert_int_equal(mem32(RING) & 0xFFFF, RTL_RX_ROK | RTL_RX_RUNT | RTL_RX_PAM);
    assert_int_equal(mem32(RING) >> 16, 44);
    /* 60 bytes + CRC = 64: not a runt */
    rx_start(RTL_RCR_APM);
    make_frame(f, MAC, 60, 0);
    assert_int_equal(rtl8139_receive(nic, f, 60), RTL8139_RX_STORED);
}

static void test_rx_error_frames_need_aer(void **st)
{
    uint8_t f[100];
    make_frame(f, MAC, 100, 3);
    rx_start(RTL_RCR_APM);
    assert_int_equal(rtl8139_receive_bad(nic, f, 100, RTL8139_RXERR_CRC), RTL8139_RX_FILTERED);
    assert_int_equal(rd16(RTL_ISR), 0);
    rx_start(RTL_RCR_APM | RTL_RCR_AER);
    assert_int_equal(rtl8139_receive_bad(nic, f, 100, RTL8139_RXERR_CRC | RTL8139_RXERR_FAE),
                     RTL8139_RX_STORED);
    assert_int_equal(mem32(RING) & 0xFFFF, RTL_RX_CRC | RTL_RX_FAE | RTL_RX_PAM);
    assert_int_not_equal(mem32(RING + 4 + 100), rtl8139_fcs(f, 100));
    assert_int_equal(rd16(RTL_ISR), RTL_INT_RER);
    /* short error packets: RER8 set keeps those under 64 bytes out */
    make_frame(f, MAC, 40, 3);
    rx_start(RTL_RCR_APM | RTL_RCR_AER | RTL_RCR_RER8);
    assert_int_equal(rtl8139_receive_bad(nic, f, 40, RTL8139_RXERR_CRC), RTL8139_RX_FILTERED);
    rx_start(RTL_RCR_APM | RTL_RCR_AER);
    assert_int_equal(rtl8139_receive_bad(nic, f, 40, RTL8139_RXERR_CRC), RTL8139_RX_STORED);
}

static void test_rx_needs_re(void **st)
{
    uint8_t f[64];
    make_frame(f, MAC, 60, 0);
    wr32(RTL_RBSTART, RING);
    wr32(RTL_RCR, RTL_RCR_APM);
    wr8(RTL_CR, RTL_CR_TE);
    assert_int_equal(rtl8139_receive(nic, f, 60), RTL8139_RX_DISABLED);
    assert_int_equal(rd16(RTL_CBR), 0);
}

static void test_rx_driver_walk_with_capr_and_bufe(void **st)
{
    rx_start(RTL_RCR_APM);
    assert_int_equal(rd8(RTL_CR) & RTL_CR_BUFE, RTL_CR_BUFE);
    assert_int_equal(rd16(RTL_CAPR), 0xFFF0);
    static const size_t sizes[] = {60, 61, 62, 63, 1514, 99};
    uint8_t f[1600];
    for (unsigned i = 0; i < 6; i++) {
        make_frame(f, MAC, sizes[i], (uint8_t)i);
        assert_int_equal(rtl8139_receive(nic, f, sizes[i]), RTL8139_RX_STORED);
    }
    uint32_t off = 0;
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(rd8(RTL_CR) & RTL_CR_BUFE, 0);
        assert_int_equal(off % 4, 0);
        make_frame(f, MAC, sizes[i], (uint8_t)i);
        assert_memory_equal(guest(RING + off + 4), f, sizes[i]);
        uint32_t hdr = rx_consume(&off, 8192);
        assert_int_equal(hdr >> 16, sizes[i] + 4);
    }
    assert_int_equal(rd16(RTL_CBR), off);
    assert_int_equal(rd8(RTL_CR) & RTL_CR_BUFE, RTL_CR_BUFE);
}

/* Fill and consume 8 packets of 1008 ring bytes: CBR ends at 8064. */
static void advance_ring_to_8064(void)
{
    uint8_t f[1100];
    uint32_t off = 0;
    make_frame(f, MAC, 1000, 0);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(rtl8139_receive(nic, f, 1000), RTL8139_RX_STORED);
        rx_consume(&off, 8192);
    }
    assert_int_equal(rd16(RTL_CBR), 8064);
    assert_int_equal(rd16(RTL_CAPR), 8064 - 16);
}

static void test_rx_wrap0_splits_the_packet_at_the_ring_end(void **st)
{
    rx_start(RTL_RCR_APM);
    advance_ring_to_8064();
    uint8_t f[1100];
    make_frame(f, MAC, 1000, 0x40);
    memset(guest(RING + 8192), 0xEE, 1600);
    assert_int_equal(rtl8139_receive(nic, f, 1000), RTL8139_RX_STORED);
    assert_int_equal(mem32(RING + 8064) >> 16, 1004);
    /* 124 bytes fit before the end, the rest continues at the start */
    assert_memory_equal(guest(RING + 8068), f, 124);
    assert_memory_equal(guest(RING), f + 124, 1000 - 124);
    assert_int_equal(mem32(RING + 1000 - 124), rtl8139_fcs(f, 1000));
    assert_int_equal(guest(RING + 8192)[0], 0xEE); /* nothing past the end */
    assert_int_equal(rd16(RTL_CBR), (8064 + 1008) % 8192);
}

static void test_rx_wrap1_writes_past_the_ring_end(void **st)
{
    rx_start(RTL_RCR_APM | RTL_RCR_WRAP);
    advance_ring_to_8064();
    uint8_t f[1100];
    make_frame(f, MAC, 1000, 0x40);
    assert_int_equal(rtl8139_receive(nic, f, 1000), RTL8139_RX_STORED);
    assert_memory_equal(guest(RING + 8068), f, 1000);
    assert_int_equal(mem32(RING + 8068 + 1000), rtl8139_fcs(f, 1000));
    /* the next packet starts at the overflow's offset from the top */
    assert_int_equal(rd16(RTL_CBR), (8064 + 1008) % 8192);
}

static void test_rx_ring_full_sets_rxovw_and_counts_mpc(void **st)
{
    rx_start(RTL_RCR_APM);
    uint8_t f[1100];
    make_frame(f, MAC, 1000, 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(rtl8139_receive(nic, f, 1000), RTL8139_RX_STORED);
    /* 128 bytes left (and one must stay free): a 1008-byte packet overflows */
    assert_int_equal(rtl8139_receive(nic, f, 1000), RTL8139_RX_OVERFLOW);
    assert_int_equal(rd16(RTL_ISR) & RTL_INT_RXOVW, RTL_INT_RXOVW);
    assert_int_equal(rd32(RTL_MPC), 1);
    assert_int_equal(rd16(RTL_CBR), 8064);
    /* nothing already in the ring was overwritten */
    assert_int_equal(mem32(RING) >> 16, 1004);
    /* a packet that fits in the remaining space is still taken */
    make_frame(f, MAC, 100, 0);
    assert_int_equal(rtl8139_receive(nic, f, 100), RTL8139_RX_STORED);
    /* the driver consumes one packet: room again */
    uint32_t off = 0;
    rx_consume(&off, 8192);
    make_frame(f, MAC, 800, 0);
    assert_int_equal(rtl8139_receive(nic, f, 800), RTL8139_RX_STORED);
    wr16(RTL_ISR, RTL_INT_RXOVW);
    assert_int_equal(rd16(RTL_ISR) & RTL_INT_RXOVW, 0);
}

static void test_rx_exactly_full_ring_is_refused(void **st)
{
    /* a packet that would make the write pointer meet the read pointer
     * would make a full ring look empty */
    rx_start(RTL_RCR_APM);
    uint8_t f[1100];
    make_frame(f, MAC, 1000, 0);
    for (int i = 0; i < 8; i++)
        rtl8139_receive(nic, f, 1000);
    make_frame(f, MAC, 120, 0); /* 4 + 124 = 128 = exactly the space left */
    assert_int_equal(rtl8139_receive(nic, f, 120), RTL8139_RX_OVERFLOW);
    make_frame(f, MAC, 116, 0);
    assert_int_equal(rtl8139_receive(nic, f, 116), RTL8139_RX_STORED);
}

static void test_rx_bigger_ring_sizes(void **st)
{
    /* RBLEN 16K: eight 1008-byte packets do not reach the end */
    rx_start(RTL_RCR_APM | 1u << RTL_RCR_RBLEN_SHIFT);
    uint8_t f[1100];
    make_frame(f, MAC, 1000, 0);
    for (int i = 0; i < 16; i++)
        assert_int_equal(rtl8139_receive(nic, f, 1000), RTL8139_RX_STORED);
    assert_int_equal(rd16(RTL_CBR), 16128);
    assert_int_equal(rtl8139_receive(nic, f, 1000), RTL8139_RX_OVERFLOW);
}

static void test_rx_out_of_range_rbstart_is_contained(void **st)
{
    rx_start(RTL_RCR_APM);
    wr32(RTL_RBSTART, 0xFFFFF000);
    uint8_t f[64];
    make_frame(f, MAC, 60, 0);
    assert_int_equal(rtl8139_receive(nic, f, 60), RTL8139_RX_DMA_ERROR);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_SERR);
    assert_int_equal(rd16(RTL_CBR), 0);
    assert_int_equal(pci_config_read(rtl8139_pci(nic), PCI_STATUS, 2) & PCI_STATUS_REC_MASTER_ABORT,
                     PCI_STATUS_REC_MASTER_ABORT);
    assert_int_equal(rtl8139_stats(nic)->dma_errors, 1);
    /* a ring that starts inside memory but ends outside it */
    wr32(RTL_RBSTART, MEM_BASE + MEM_SIZE - 16);
    make_frame(f, MAC, 60, 0);
    assert_int_equal(rtl8139_receive(nic, f, 60), RTL8139_RX_DMA_ERROR);
}

/* Regression "bus mastering off was a memory error": a frame that arrives
 * while BME is clear cannot leave the Rx FIFO: missed (FOVW, MPC), no SERR,
 * no master abort; once BME is set frames are stored again. */
static void test_rx_without_bus_mastering_is_missed(void **st)
{
    rx_start(RTL_RCR_APM);
    pci_config_write(rtl8139_pci(nic), PCI_COMMAND, 2, PCI_COMMAND_IO);
    uint8_t f[64];
    make_frame(f, MAC, 60, 0);
    assert_int_equal(rtl8139_receive(nic, f, 60), RTL8139_RX_NO_BUS_MASTER);
    assert_int_equal(mem32(RING), 0);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_FOVW);
    assert_int_equal(rd32(RTL_MPC), 1);
    assert_int_equal(pci_config_read(rtl8139_pci(nic), PCI_STATUS, 2) & PCI_STATUS_REC_MASTER_ABORT,
                     0);
    assert_int_equal(rtl8139_stats(nic)->dma_errors, 0);
    wr16(RTL_ISR, RTL_INT_FOVW);
    pci_config_write(rtl8139_pci(nic), PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    assert_int_equal(rtl8139_receive(nic, f, 60), RTL8139_RX_STORED);
}

static void tx_prepare(unsigned n, size_t len, uint8_t seed);

/* A driver that hands over a descriptor before setting BME: the transmit
 * waits (OWN stays clear, no TER, no SERR) and goes when BME is set. */
static void test_tx_waits_for_bus_mastering(void **st)
{
    pci_config_write(rtl8139_pci(nic), PCI_COMMAND, 2, PCI_COMMAND_IO);
    wr8(RTL_CR, RTL_CR_TE);
    tx_prepare(0, 64, 7);
    wr32(RTL_TSD(0), 64);
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd32(RTL_TSD(0)) & (RTL_TSD_OWN | RTL_TSD_TOK | RTL_TSD_TABT), 0);
    assert_int_equal(rd16(RTL_ISR), 0);
    pci_config_write(rtl8139_pci(nic), PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    assert_int_equal(sent_count, 1);
    assert_memory_equal(sent, guest(TXBUF(0)), 64);
    assert_int_equal(rd32(RTL_TSD(0)) & (RTL_TSD_OWN | RTL_TSD_TOK), RTL_TSD_OWN | RTL_TSD_TOK);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_TOK);
}

/* ---- transmit ---- */

static void tx_prepare(unsigned n, size_t len, uint8_t seed)
{
    static const uint8_t dst[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    make_frame(guest(TXBUF(n)), dst, len, seed);
    wr32(RTL_TSAD_N(n), TXBUF(n));
}

static void test_tx_four_descriptors_round_robin(void **st)
{
    wr8(RTL_CR, RTL_CR_TE);
    wr16(RTL_IMR, RTL_INT_TOK);
    for (unsigned i = 0; i < 10; i++) {
        unsigned n = i % 4;
        size_t len = 60 + i;
        tx_prepare(n, len, (uint8_t)i);
        wr32(RTL_TSD(n), (uint32_t)len | 0x00080000); /* early-TX threshold bits too */
        assert_int_equal(sent_count, i + 1);
        assert_int_equal(sent_len, len);
        assert_memory_equal(sent, guest(TXBUF(n)), len);
        uint32_t tsd = rd32(RTL_TSD(n));
        assert_int_equal(tsd & (RTL_TSD_OWN | RTL_TSD_TOK | RTL_TSD_TABT),
                         RTL_TSD_OWN | RTL_TSD_TOK);
        assert_int_equal(tsd & RTL_TSD_SIZE, len);
        assert_int_equal(rd16(RTL_ISR), RTL_INT_TOK);
        assert_int_equal(irq_level, 1);
        assert_int_equal(rd16(RTL_TSAD) & (0x1111u << n), 0x1001u << n);
        wr16(RTL_ISR, RTL_INT_TOK);
        assert_int_equal(irq_level, 0);
    }
}

static void test_tx_descriptor_out_of_turn_waits(void **st)
{
    wr8(RTL_CR, RTL_CR_TE);
    tx_prepare(0, 64, 0);
    tx_prepare(1, 70, 1);
    wr32(RTL_TSD(1), 70);
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd16(RTL_TSAD) & 0xF, 0xD); /* OWN clear on TSD1 only */
    wr32(RTL_TSD(0), 64);
    assert_int_equal(sent_count, 2);
    assert_int_equal(sent_len, 70); /* TSD1 went last */
}

static void test_tx_waits_for_te(void **st)
{
    tx_prepare(0, 64, 0);
    wr32(RTL_TSD(0), 64);
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd32(RTL_TSD(0)) & RTL_TSD_OWN, 0);
    wr8(RTL_CR, RTL_CR_TE);
    assert_int_equal(sent_count, 1);
    assert_int_equal(rd32(RTL_TSD(0)) & (RTL_TSD_OWN | RTL_TSD_TOK), RTL_TSD_OWN | RTL_TSD_TOK);
}

static void test_tx_bad_size_aborts(void **st)
{
    wr8(RTL_CR, RTL_CR_TE);
    wr16(RTL_IMR, RTL_INT_TER);
    tx_prepare(0, 64, 0);
    wr32(RTL_TSD(0), 0);
    assert_int_equal(rd32(RTL_TSD(0)) & (RTL_TSD_OWN | RTL_TSD_TABT | RTL_TSD_TOK),
                     RTL_TSD_OWN | RTL_TSD_TABT);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_TER);
    assert_int_equal(irq_level, 1);
    wr32(RTL_TSD(1), RTL8139_TX_MAX + 1);
    assert_int_equal(rd32(RTL_TSD(1)) & RTL_TSD_TABT, RTL_TSD_TABT);
    assert_int_equal(rd16(RTL_TSAD) & 0x00F0, 0x0030);
    assert_int_equal(sent_count, 0);
    /* 1792 bytes is the largest accepted */
    tx_prepare(2, RTL8139_TX_MAX, 0);
    wr32(RTL_TSD(2), RTL8139_TX_MAX);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len, RTL8139_TX_MAX);
    /* the next write of TSD0 starts with clean status */
    wr32(RTL_TCR, RTL_TCR_CLRABT);
    assert_int_equal(rd32(RTL_TCR) & RTL_TCR_CLRABT, 0);
    tx_prepare(3, 64, 0);
    wr32(RTL_TSD(3), 64);
    tx_prepare(0, 64, 0);
    wr32(RTL_TSD(0), 64);
    assert_int_equal(rd32(RTL_TSD(0)) & (RTL_TSD_TABT | RTL_TSD_TOK), RTL_TSD_TOK);
}

static void test_tx_short_frames_are_not_padded(void **st)
{
    wr8(RTL_CR, RTL_CR_TE);
    tx_prepare(0, 42, 0);
    wr32(RTL_TSD(0), 42);
    assert_int_equal(sent_len, 42);
}

static void test_tx_driver_supplied_fcs_with_tcr_crc(void **st)
{
    wr8(RTL_CR, RTL_CR_TE);
    wr32(RTL_TCR, RTL_TCR_CRC);
    tx_prepare(0, 60, 5);
    uint32_t fcs = rtl8139_fcs(guest(TXBUF(0)), 60);
    memcpy(guest(TXBUF(0) + 60), &fcs, 4); /* little-endian host */
    wr32(RTL_TSD(0), 64);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len, 60);
    /* a wrong FCS never reaches the peer */
    memset(guest(TXBUF(1) + 60), 0, 4);
    tx_prepare(1, 60, 5);
    wr32(RTL_TSD(1), 64);
    assert_int_equal(sent_count, 1);
}

static void test_tx_loopback_feeds_own_receiver(void **st)
{
    rx_start(RTL_RCR_APM);
    wr32(RTL_TCR, RTL_TCR_LBK_LOOPBACK);
    make_frame(guest(TXBUF(0)), MAC, 80, 9);
    wr32(RTL_TSAD_N(0), TXBUF(0));
    wr32(RTL_TSD(0), 80);
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_TOK | RTL_INT_ROK);
    assert_int_equal(mem32(RING) & 0xFFFF, RTL_RX_ROK | RTL_RX_PAM);
    assert_int_equal(mem32(RING) >> 16, 84);
    assert_memory_equal(guest(RING + 4), guest(TXBUF(0)), 80);
    assert_int_equal(rtl8139_stats(nic)->tx_looped, 1);
}

static void test_tx_link_down_reports_carrier_lost(void **st)
{
    wr8(RTL_CR, RTL_CR_TE);
    rtl8139_set_link(nic, 0);
    tx_prepare(0, 64, 0);
    wr32(RTL_TSD(0), 64);
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd32(RTL_TSD(0)) & (RTL_TSD_OWN | RTL_TSD_TOK | RTL_TSD_CRS),
                     RTL_TSD_OWN | RTL_TSD_TOK | RTL_TSD_CRS);
}

static void test_tx_out_of_range_tsad_is_contained(void **st)
{
    wr8(RTL_CR, RTL_CR_TE);
    wr32(RTL_TSAD_N(0), 0x00000100);
    wr32(RTL_TSD(0), 64);
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd32(RTL_TSD(0)) & (RTL_TSD_OWN | RTL_TSD_TABT), RTL_TSD_OWN | RTL_TSD_TABT);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_TER | RTL_INT_SERR);
    assert_int_equal(rtl8139_stats(nic)->dma_errors, 1);
}

/* ---- timer, link, resets ---- */

static void test_tctr_counts_pci_clocks_from_virtual_time(void **st)
{
    assert_int_equal(rd32(RTL_TCTR), 0);
    dev_clock_advance(&clk, 1000000); /* 1 ms */
    assert_int_equal(rd32(RTL_TCTR), 33000);
    dev_clock_advance(&clk, 1000030);
    assert_int_equal(rd32(RTL_TCTR), 33000);
    dev_clock_advance(&clk, 1000031);
    assert_int_equal(rd32(RTL_TCTR), 33001);
    wr32(RTL_TCTR, 0x1234); /* any write restarts from 0 */
    assert_int_equal(rd32(RTL_TCTR), 0);
    dev_clock_advance(&clk, 2000031);
    assert_int_equal(rd32(RTL_TCTR), 33000);
}

static void test_timerint_raises_timeout(void **st)
{
    wr16(RTL_IMR, RTL_INT_TIMEOUT);
    wr32(RTL_TIMERINT, 33000);
    assert_int_equal(dev_clock_next(&clk), 1000000);
    dev_clock_advance(&clk, 999999);
    assert_int_equal(rd16(RTL_ISR), 0);
    dev_clock_advance(&clk, 1000000);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_TIMEOUT);
    assert_int_equal(irq_level, 1);
    wr16(RTL_ISR, RTL_INT_TIMEOUT);
    /* the next match is a full 32-bit wrap later */
    assert_true(dev_clock_next(&clk) > 100000000000ull);
    /* restarting TCTR re-arms relative to the new zero */
    wr32(RTL_TCTR, 0);
    assert_int_equal(dev_clock_next(&clk), 2000000);
    wr32(RTL_TIMERINT, 0); /* 0 disables */
    assert_int_equal(dev_clock_next(&clk), UINT64_MAX);
    dev_clock_advance(&clk, 5000000);
    assert_int_equal(rd16(RTL_ISR), 0);
}

static void test_link_change_updates_phy_and_interrupts(void **st)
{
    wr16(RTL_IMR, RTL_INT_PUN_LINKCHG);
    assert_int_equal(rd8(RTL_MSR) & RTL_MSR_LINKB, 0);
    rtl8139_set_link(nic, 0);
    assert_int_equal(rd8(RTL_MSR) & RTL_MSR_LINKB, RTL_MSR_LINKB);
    assert_int_equal(rd16(RTL_BMSR) & (RTL_BMSR_LINK | RTL_BMSR_ANC), 0);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_PUN_LINKCHG);
    assert_int_equal(irq_level, 1);
    wr16(RTL_ISR, 0xFFFF);
    rtl8139_set_link(nic, 0); /* no change, no interrupt */
    assert_int_equal(rd16(RTL_ISR), 0);
    rtl8139_set_link(nic, 1);
    assert_int_equal(rd16(RTL_BMSR) & (RTL_BMSR_LINK | RTL_BMSR_ANC), RTL_BMSR_LINK | RTL_BMSR_ANC);
    assert_int_equal(rd8(RTL_MSR) & (RTL_MSR_LINKB | RTL_MSR_SPEED_10), 0);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_PUN_LINKCHG);
}

static void test_software_reset(void **st)
{
    rx_start(RTL_RCR_APM | RTL_RCR_AB);
    wr32(RTL_MAR0, 0xA5A5A5A5);
    uint8_t f[64];
    make_frame(f, MAC, 60, 0);
    rtl8139_receive(nic, f, 60);
    tx_prepare(0, 64, 0);
    wr32(RTL_TSD(0), 64);
    assert_int_equal(irq_level, 1);
    wr8(RTL_CR, RTL_CR_RST);
    assert_int_equal(rd8(RTL_CR), RTL_CR_BUFE); /* RST self-clears; RE/TE off */
    assert_int_equal(rd16(RTL_ISR), 0);
    assert_int_equal(rd16(RTL_IMR), 0);
    assert_int_equal(irq_level, 0);
    assert_int_equal(rd16(RTL_CBR), 0);
    assert_int_equal(rd16(RTL_CAPR), 0xFFF0);
    for (unsigned n = 0; n < 4; n++)
        assert_int_equal(rd32(RTL_TSD(n)), RTL_TSD_OWN);
    assert_int_equal(rd32(RTL_MAR0), 0xA5A5A5A5);
    assert_int_equal(rd8(RTL_IDR0 + 5), MAC[5]);
    assert_int_equal(rd32(RTL_RBSTART), RING);
    /* the descriptor pointer is back at TSD0 */
    wr8(RTL_CR, RTL_CR_TE);
    tx_prepare(1, 64, 0);
    wr32(RTL_TSD(1), 64);
    assert_int_equal(sent_count, 1);
}

static void test_power_on_reset(void **st)
{
    rx_start(RTL_RCR_APM);
    wr32(RTL_IDR0, 0);
    wr32(RTL_TIMERINT, 5);
    pci_config_write(rtl8139_pci(nic), PCI_BAR0, 4, 0xC001);
    rtl8139_reset(nic);
    assert_int_equal(rd32(RTL_RCR), 0);
    assert_int_equal(rd32(RTL_RBSTART), 0);
    assert_int_equal(rd8(RTL_IDR0), MAC[0]);
    assert_int_equal(dev_clock_next(&clk), UINT64_MAX);
    assert_int_equal(pci_config_read(rtl8139_pci(nic), PCI_COMMAND, 2), 0);
    assert_int_equal(pci_config_read(rtl8139_pci(nic), PCI_BAR0, 4), 1);
}

static void test_idr_byte_writes_are_accepted_and_noted(void **st)
{
    wr8(RTL_IDR0 + 2, 0x99);
    assert_int_equal(rd8(RTL_IDR0 + 2), 0x99);
    wr32(RTL_IDR0, 0x44332211);
    assert_int_equal(rd32(RTL_IDR0), 0x44332211);
    assert_int_equal(rd16(RTL_IDR0 + 1), 0x3322);
}

static void test_dword_access_spanning_registers(void **st)
{
    /* ERBCR, ERSR and CR share the dword at 34h; IMR and ISR at 3Ch */
    wr16(RTL_IMR, 0x0005);
    assert_int_equal(rd32(RTL_IMR), 0x00000005);
    assert_int_equal(rd32(RTL_ERBCR), (uint32_t)RTL_CR_BUFE << 24);
    wr32(RTL_IMR, 0xFFFF0001); /* IMR := 1, ISR: clear everything */
    assert_int_equal(rd16(RTL_IMR), 1);
}

static void test_same_registers_through_io_and_memory_bars(void **st)
{
    Bus b;
    bus_init(&b);
    assert_int_equal(bus_add_ports(&b, 0xC000, RTL8139_IO_SIZE, &rtl8139_io_ops, nic, "rtl8139"),
                     0);
    assert_int_equal(bus_add_mmio(&b, 0xFEBF0000, RTL8139_IO_SIZE, &rtl8139_io_ops, nic, "rtl8139"),
                     0);
    bus_port_write(&b, 0xC000 + RTL_IMR, 2, RTL_INT_TOK);
    assert_int_equal(rd16(RTL_IMR), RTL_INT_TOK);
    assert_int_equal(bus_port_read(&b, 0xC000 + RTL_IDR0, 1), MAC[0]);
    assert_int_equal(b.mmio[0].ops->read(b.mmio[0].opaque, RTL_IMR, 2), RTL_INT_TOK);
}

/* ---- register names for traces (DevIoOps.reg_name) ---- */

static const char *reg_name(uint32_t off, unsigned size, int write)
{
    return rtl8139_io_ops.reg_name(nic, off, size, write);
}

static void test_reg_name_names_the_datasheet_registers(void **st)
{
    assert_string_equal(reg_name(RTL_ISR, 2, 0), "ISR");
    assert_string_equal(reg_name(RTL_ISR, 2, 1), "ISR");
    assert_string_equal(reg_name(RTL_TSD(2), 4, 1), "TSD2");
    assert_string_equal(reg_name(RTL_TSAD_N(3), 4, 1), "TSAD3");
    assert_string_equal(reg_name(RTL_CR, 1, 1), "CR");
    assert_string_equal(reg_name(RTL_9346CR, 1, 0), "9346CR");
    assert_string_equal(reg_name(RTL_TIMERINT, 4, 0), "TimerInt");
    assert_string_equal(reg_name(RTL_TCR + 1, 1, 0), "TCR"); /* a byte inside */
    assert_string_equal(reg_name(RTL_WAKEUP0 + 11, 1, 0), "Wakeup1");
    /* a dword over several registers is named by its first byte */
    assert_string_equal(reg_name(RTL_IDR0, 4, 1), "IDR0");
    assert_string_equal(reg_name(RTL_IMR, 4, 0), "IMR");
    /* nothing there, or outside the window */
    assert_null(reg_name(0xD4, 1, 0)); /* FLASH: not modelled */
    assert_null(reg_name(0xFE, 4, 0));
    assert_null(reg_name(RTL8139_IO_SIZE, 1, 0));
    /* the same strings for every call: static storage */
    assert_ptr_equal(reg_name(RTL_ISR, 2, 0), reg_name(RTL_ISR, 1, 1));
}

static void test_reg_name_has_no_side_effects(void **st)
{
    wr16(RTL_IMR, RTL_INT_PUN_LINKCHG);
    rtl8139_set_link(nic, 0);
    assert_int_equal(irq_level, 1);
    notes = 0;
    assert_int_equal(trace_add_sink(note_sink, NULL), 0);
    uint64_t unmodelled = rtl8139_stats(nic)->unmodelled;
    int changes = irq_changes;
    for (uint32_t off = 0; off < RTL8139_IO_SIZE + 4; off++) {
        for (unsigned size = 1; size <= 4; size *= 2) {
            reg_name(off, size, 0);
            reg_name(off, size, 1);
        }
    }
    trace_remove_sink(note_sink, NULL);
    assert_int_equal(notes, 0);
    assert_int_equal(rtl8139_stats(nic)->unmodelled, unmodelled);
    assert_int_equal(irq_changes, changes);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_PUN_LINKCHG);
    assert_int_equal(rd32(RTL_TCTR), 0);
}

/* ---- injected conditions (rtl8139_inject) ---- */

static void test_inject_tx_error_aborts_with_tabt_and_ter(void **st)
{
    wr8(RTL_CR, RTL_CR_TE);
    wr16(RTL_IMR, RTL_INT_TOK | RTL_INT_TER);
    assert_int_equal(rtl8139_inject(nic, DEV_COND_TX_ERROR), 0);
    assert_int_equal(sent_count, 0);
    tx_prepare(0, 64, 3);
    wr32(RTL_TSD(0), 64);
    /* section 6.2: moved to the FIFO (OWN), aborted (TABT), not TOK */
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd32(RTL_TSD(0)) & (RTL_TSD_OWN | RTL_TSD_TABT | RTL_TSD_TOK | RTL_TSD_TUN),
                     RTL_TSD_OWN | RTL_TSD_TABT);
    assert_int_equal(rd16(RTL_TSAD) & 0x1111u, 0x0011u); /* OWN0, TABT0 */
    assert_int_equal(rd16(RTL_ISR), RTL_INT_TER);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rtl8139_stats(nic)->tx_aborted, 1);
    wr16(RTL_ISR, RTL_INT_TER);
    assert_int_equal(irq_level, 0);
    /* the transmit abort state holds the queue */
    tx_prepare(1, 70, 4);
    wr32(RTL_TSD(1), 70);
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd32(RTL_TSD(1)) & RTL_TSD_OWN, 0);
    /* section 6.7 CLRABT: the aborted packet goes again, then the queue */
    wr32(RTL_TCR, rd32(RTL_TCR) | RTL_TCR_CLRABT);
    assert_int_equal(sent_count, 2);
    assert_int_equal(rd32(RTL_TSD(0)) & (RTL_TSD_OWN | RTL_TSD_TABT | RTL_TSD_TOK),
                     RTL_TSD_OWN | RTL_TSD_TOK);
    assert_int_equal(rd32(RTL_TSD(1)) & (RTL_TSD_OWN | RTL_TSD_TABT | RTL_TSD_TOK),
                     RTL_TSD_OWN | RTL_TSD_TOK);
    assert_int_equal(sent_len, 70);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_TOK);
    /* fired once: the next packet is a normal one */
    wr16(RTL_ISR, RTL_INT_TOK);
    tx_prepare(2, 80, 5);
    wr32(RTL_TSD(2), 80);
    assert_int_equal(sent_count, 3);
    assert_memory_equal(sent, guest(TXBUF(2)), 80);
    assert_int_equal(rd32(RTL_TSD(2)) & (RTL_TSD_TABT | RTL_TSD_TOK), RTL_TSD_TOK);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_TOK);
    assert_int_equal(rtl8139_stats(nic)->tx_aborted, 1);
}

static void test_inject_tx_error_retransmits_the_aborted_packet(void **st)
{
    wr8(RTL_CR, RTL_CR_TE);
    rtl8139_inject(nic, DEV_COND_TX_ERROR);
    tx_prepare(0, 64, 9);
    wr32(RTL_TSD(0), 64);
    assert_int_equal(sent_count, 0);
    wr32(RTL_TCR, RTL_TCR_CLRABT);
    assert_int_equal(sent_count, 1);
    assert_memory_equal(sent, guest(TXBUF(0)), 64);
    assert_int_equal(rd32(RTL_TCR) & RTL_TCR_CLRABT, 0);
    /* CR.RST also leaves the abort state */
    rtl8139_inject(nic, DEV_COND_TX_ERROR);
    tx_prepare(1, 64, 9);
    wr32(RTL_TSD(1), 64);
    assert_int_equal(rd32(RTL_TSD(1)) & RTL_TSD_TABT, RTL_TSD_TABT);
    wr8(RTL_CR, RTL_CR_RST);
    wr8(RTL_CR, RTL_CR_TE);
    tx_prepare(0, 64, 10);
    wr32(RTL_TSD(0), 64);
    assert_int_equal(sent_count, 2);
    assert_int_equal(rd32(RTL_TSD(0)) & (RTL_TSD_TABT | RTL_TSD_TOK), RTL_TSD_TOK);
}

static void test_inject_tx_underrun_sets_tun_without_tok(void **st)
{
    wr8(RTL_CR, RTL_CR_TE);
    wr16(RTL_IMR, RTL_INT_TOK | RTL_INT_TER);
    assert_int_equal(rtl8139_inject(nic, DEV_COND_TX_UNDERRUN), 0);
    tx_prepare(0, 100, 6);
    wr32(RTL_TSD(0), 100);
    /* section 6.2 TUN: the chip re-transfers and the packet goes out;
     * TSD shows TUN with TOK clear, ISR a TOK */
    assert_int_equal(sent_count, 1);
    assert_memory_equal(sent, guest(TXBUF(0)), 100);
    assert_int_equal(rd32(RTL_TSD(0)) & (RTL_TSD_OWN | RTL_TSD_TUN | RTL_TSD_TOK | RTL_TSD_TABT),
                     RTL_TSD_OWN | RTL_TSD_TUN);
    assert_int_equal(rd16(RTL_TSAD) & 0x1111u, 0x0101u); /* OWN0, TUN0 */
    assert_int_equal(rd16(RTL_ISR), RTL_INT_TOK);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rtl8139_stats(nic)->tx_underrun, 1);
    wr16(RTL_ISR, RTL_INT_TOK);
    /* fired once */
    tx_prepare(1, 100, 7);
    wr32(RTL_TSD(1), 100);
    assert_int_equal(sent_count, 2);
    assert_int_equal(rd32(RTL_TSD(1)) & (RTL_TSD_TUN | RTL_TSD_TOK), RTL_TSD_TOK);
}

static void test_inject_fires_on_a_frame_to_the_cable_only(void **st)
{
    assert_int_equal(rtl8139_inject(nic, (DevCondition)99), -1);
    rx_start(RTL_RCR_APM | RTL_RCR_AB);
    wr32(RTL_TCR, RTL_TCR_LBK_LOOPBACK);
    rtl8139_inject(nic, DEV_COND_TX_ERROR);
    tx_prepare(0, 64, 0);
    wr32(RTL_TSD(0), 64); /* looped back: no medium, no collisions */
    assert_int_equal(rd32(RTL_TSD(0)) & (RTL_TSD_TABT | RTL_TSD_TOK), RTL_TSD_TOK);
    wr32(RTL_TCR, 0);
    tx_prepare(1, 64, 0);
    wr32(RTL_TSD(1), 64);
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd32(RTL_TSD(1)) & RTL_TSD_TABT, RTL_TSD_TABT);
}

/* Section 6.8 AER clear: a CRC-errored packet is rejected. Nothing reaches
 * the ring, no interrupt; the chip has no CRC error counter (MPC counts
 * missed packets only). */
static void test_inject_rx_crc_error_is_dropped_without_aer(void **st)
{
    rx_start(RTL_RCR_APM);
    assert_int_equal(rtl8139_inject(nic, DEV_COND_RX_CRC_ERROR), 0);
    uint8_t f[100];
    make_frame(f, MAC, 100, 1);
    assert_int_equal(rtl8139_receive(nic, f, 100), RTL8139_RX_FILTERED);
    assert_int_equal(rd16(RTL_CBR), 0);
    assert_int_equal(rd8(RTL_CR) & RTL_CR_BUFE, RTL_CR_BUFE);
    assert_int_equal(rd16(RTL_ISR), 0);
    assert_int_equal(irq_level, 0);
    assert_int_equal(rd32(RTL_MPC), 0);
    assert_int_equal(rtl8139_stats(nic)->rx_crc_errors, 1);
    assert_int_equal(rtl8139_stats(nic)->rx_stored, 0);
    /* fired once: the next frame is a good one */
    assert_int_equal(rtl8139_receive(nic, f, 100), RTL8139_RX_STORED);
    assert_int_equal(mem32(RING) & 0xFFFF, RTL_RX_ROK | RTL_RX_PAM);
    assert_int_equal(mem32(RING + 4 + 100), rtl8139_fcs(f, 100));
    assert_int_equal(rd16(RTL_ISR), RTL_INT_ROK);
    assert_int_equal(rtl8139_stats(nic)->rx_crc_errors, 1);
}

/* Section 6.8 AER set: stored with the header's CRC bit and ROK clear
 * (6.1), the wrong FCS as received, ISR.RER and not ROK (6.6). */
static void test_inject_rx_crc_error_with_aer_is_stored_with_crc_and_rer(void **st)
{
    rx_start(RTL_RCR_APM | RTL_RCR_AER);
    wr16(RTL_IMR, RTL_INT_ROK | RTL_INT_RER);
    assert_int_equal(rtl8139_inject(nic, DEV_COND_RX_CRC_ERROR), 0);
    uint8_t f[100];
    make_frame(f, MAC, 100, 2);
    assert_int_equal(rtl8139_receive(nic, f, 100), RTL8139_RX_STORED);
    uint32_t hdr = mem32(RING);
    assert_int_equal(hdr & 0xFFFF, RTL_RX_CRC | RTL_RX_PAM);
    assert_int_equal(hdr >> 16, 104);
    assert_memory_equal(guest(RING + 4), f, 100);
    assert_int_not_equal(mem32(RING + 4 + 100), rtl8139_fcs(f, 100));
    assert_int_equal(rd16(RTL_CBR), 108);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_RER);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd32(RTL_MPC), 0);
    wr16(RTL_ISR, RTL_INT_RER);
    assert_int_equal(irq_level, 0);
    /* the driver drops it; the next frame is a good one */
    uint32_t off = 0;
    rx_consume(&off, 8192);
    make_frame(f, MAC, 100, 3);
    assert_int_equal(rtl8139_receive(nic, f, 100), RTL8139_RX_STORED);
    assert_int_equal(mem32(RING + off) & 0xFFFF, RTL_RX_ROK | RTL_RX_PAM);
    assert_int_equal(mem32(RING + off + 4 + 100), rtl8139_fcs(f, 100));
    assert_int_equal(rd16(RTL_ISR), RTL_INT_ROK);
}

static void test_inject_rx_crc_error_waits_for_the_receiver(void **st)
{
    uint8_t f[80];
    make_frame(f, MAC, 80, 4);
    assert_int_equal(rtl8139_inject(nic, DEV_COND_RX_CRC_ERROR), 0);
    /* CR.RE clear: the receiver takes nothing in; still armed, also
     * across CR.RST (the exerciser's plan, not chip state) */
    wr32(RTL_RBSTART, RING);
    wr32(RTL_RCR, RTL_RCR_APM | RTL_RCR_AER);
    assert_int_equal(rtl8139_receive(nic, f, 80), RTL8139_RX_DISABLED);
    wr8(RTL_CR, RTL_CR_RST);
    rx_start(RTL_RCR_APM | RTL_RCR_AER);
    assert_int_equal(rtl8139_receive(nic, f, 80), RTL8139_RX_STORED);
    assert_int_equal(mem32(RING) & 0xFFFF, RTL_RX_CRC | RTL_RX_PAM);
    assert_int_equal(rd16(RTL_ISR), RTL_INT_RER);
    /* a frame for another station takes the condition with it */
    static const uint8_t other[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    wr16(RTL_ISR, RTL_INT_ALL);
    rtl8139_inject(nic, DEV_COND_RX_CRC_ERROR);
    uint8_t g[80];
    make_frame(g, other, 80, 4);
    assert_int_equal(rtl8139_receive(nic, g, 80), RTL8139_RX_FILTERED);
    assert_int_equal(rd16(RTL_ISR), 0);
    uint16_t cbr = rd16(RTL_CBR);
    assert_int_equal(rtl8139_receive(nic, f, 80), RTL8139_RX_STORED);
    assert_int_equal(mem32(RING + cbr) & 0xFFFF, RTL_RX_ROK | RTL_RX_PAM);
    assert_int_equal(rtl8139_stats(nic)->rx_crc_errors, 2);
}

/* Section 6.4 CR.RST: "set to 0 when the reset is complete". With
 * DEV_COND_RESET_HANG the driver's poll never sees it clear; the chip
 * takes no other write until RST is written again, which completes. */
static void test_inject_reset_hang_keeps_rst_set_until_rst_again(void **st)
{
    rx_start(RTL_RCR_APM);
    assert_int_equal(rtl8139_inject(nic, DEV_COND_RESET_HANG), 0);
    wr8(RTL_CR, RTL_CR_RST);
    /* a driver polling CR every millisecond for ten seconds of virtual time */
    for (unsigned i = 0; i < 10000; i++) {
        assert_int_equal(rd8(RTL_CR), RTL_CR_RST | RTL_CR_BUFE);
        dev_clock_advance(&clk, clk.now + 1000000);
    }
    assert_int_equal(dev_clock_next(&clk), UINT64_MAX); /* nothing pending in the model */
    /* the reset began: interrupts off, descriptors back to the driver */
    assert_int_equal(rd16(RTL_IMR), 0);
    assert_int_equal(rd16(RTL_ISR), 0);
    assert_int_equal(irq_level, 0);
    assert_int_equal(rd32(RTL_TSD(0)), RTL_TSD_OWN);
    assert_int_equal(rd16(RTL_CAPR), 0xFFF0);
    assert_int_equal(rd8(RTL_IDR0), MAC[0]);
    /* writes do not reach the chip: RE/TE stay off, nothing moves */
    wr8(RTL_CR, RTL_CR_RE | RTL_CR_TE);
    wr16(RTL_IMR, RTL_INT_ALL);
    wr32(RTL_RCR, RTL_RCR_AAP);
    tx_prepare(0, 64, 0);
    wr32(RTL_TSD(0), 64);
    assert_int_equal(rd8(RTL_CR), RTL_CR_RST | RTL_CR_BUFE);
    assert_int_equal(rd16(RTL_IMR), 0);
    assert_int_equal(rd32(RTL_RCR), RTL_RCR_APM);
    assert_int_equal(rd32(RTL_TSD(0)), RTL_TSD_OWN);
    assert_int_equal(sent_count, 0);
    uint8_t f[64];
    make_frame(f, MAC, 60, 0);
    assert_int_equal(rtl8139_receive(nic, f, 60), RTL8139_RX_DISABLED);
    assert_int_equal(rtl8139_stats(nic)->reset_hangs, 1);
    /* RST again: the reset completes and the chip works */
    wr8(RTL_CR, RTL_CR_RST);
    assert_int_equal(rd8(RTL_CR), RTL_CR_BUFE);
    rx_start(RTL_RCR_APM);
    assert_int_equal(rd8(RTL_CR), RTL_CR_RE | RTL_CR_TE | RTL_CR_BUFE);
    assert_int_equal(rtl8139_receive(nic, f, 60), RTL8139_RX_STORED);
    tx_prepare(0, 64, 0);
    wr32(RTL_TSD(0), 64);
    assert_int_equal(sent_count, 1);
    /* fired once: the reset after that completes at once */
    wr8(RTL_CR, RTL_CR_RST);
    assert_int_equal(rd8(RTL_CR), RTL_CR_BUFE);
    assert_int_equal(rtl8139_stats(nic)->reset_hangs, 1);
}

static void test_inject_reset_hang_waits_for_cr_rst_and_ends_at_power_on(void **st)
{
    assert_int_equal(rtl8139_inject(nic, DEV_COND_RESET_HANG), 0);
    /* power-on reset is not CR.RST: the condition stays armed */
    rtl8139_reset(nic);
    pci_config_write(rtl8139_pci(nic), PCI_COMMAND, 2,
                     PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    rx_start(RTL_RCR_APM);
    assert_int_equal(rd8(RTL_CR), RTL_CR_RE | RTL_CR_TE | RTL_CR_BUFE);
    wr8(RTL_CR, RTL_CR_RST);
    assert_int_equal(rd8(RTL_CR), RTL_CR_RST | RTL_CR_BUFE);
    /* PCI RST# ends the hang: every register to its table value */
    rtl8139_reset(nic);
    assert_int_equal(rd8(RTL_CR), RTL_CR_BUFE);
    wr16(RTL_IMR, RTL_INT_ROK);
    assert_int_equal(rd16(RTL_IMR), RTL_INT_ROK);
    wr8(RTL_CR, RTL_CR_RST);
    assert_int_equal(rd8(RTL_CR), RTL_CR_BUFE);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_reset_values_follow_the_table),
        T(test_register_classes_follow_the_datasheet),
        T(test_pci_identity_and_bars),
        T(test_eeprom_bit_banged_mac_via_9346cr),
        T(test_9346cr_autoload_reloads_idr),
        T(test_eeprom_written_through_9346cr_changes_mac_on_autoload),
        T(test_isr_write_one_to_clear_drives_the_line),
        T(test_unmodelled_offsets_read_all_ones),
        T(test_unmodelled_accesses_are_traced),
        T(test_read_only_registers_and_bits_ignore_writes),
        T(test_config_registers_need_config_write_enable),
        T(test_mpc_cleared_by_any_write),
        T(test_rx_header_crc_length_and_alignment),
        T(test_rx_fcs_is_the_ethernet_crc),
        T(test_rx_multicast_hash_matches_the_msb_first_crc),
        T(test_rx_accept_rules),
        T(test_rx_runt_needs_ar),
        T(test_rx_error_frames_need_aer),
        T(test_rx_needs_re),
        T(test_rx_driver_walk_with_capr_and_bufe),
        T(test_rx_wrap0_splits_the_packet_at_the_ring_end),
        T(test_rx_wrap1_writes_past_the_ring_end),
        T(test_rx_ring_full_sets_rxovw_and_counts_mpc),
        T(test_rx_exactly_full_ring_is_refused),
        T(test_rx_bigger_ring_sizes),
        T(test_rx_out_of_range_rbstart_is_contained),
        T(test_rx_without_bus_mastering_is_missed),
        T(test_tx_waits_for_bus_mastering),
        T(test_tx_four_descriptors_round_robin),
        T(test_tx_descriptor_out_of_turn_waits),
        T(test_tx_waits_for_te),
        T(test_tx_bad_size_aborts),
        T(test_tx_short_frames_are_not_padded),
        T(test_tx_driver_supplied_fcs_with_tcr_crc),
        T(test_tx_loopback_feeds_own_receiver),
        T(test_tx_link_down_reports_carrier_lost),
        T(test_tx_out_of_range_tsad_is_contained),
        T(test_tctr_counts_pci_clocks_from_virtual_time),
        T(test_timerint_raises_timeout),
        T(test_link_change_updates_phy_and_interrupts),
        T(test_software_reset),
        T(test_power_on_reset),
        T(test_idr_byte_writes_are_accepted_and_noted),
        T(test_dword_access_spanning_registers),
        T(test_same_registers_through_io_and_memory_bars),
        T(test_reg_name_names_the_datasheet_registers),
        T(test_reg_name_has_no_side_effects),
        T(test_inject_tx_error_aborts_with_tabt_and_ter),
        T(test_inject_tx_error_retransmits_the_aborted_packet),
        T(test_inject_tx_underrun_sets_tun_without_tok),
        T(test_inject_fires_on_a_frame_to_the_cable_only),
        T(test_inject_rx_crc_error_is_dropped_without_aer),
        T(test_inject_rx_crc_error_with_aer_is_stored_with_crc_and_rer),
        T(test_inject_rx_crc_error_waits_for_the_receiver),
        T(test_inject_reset_hang_keeps_rst_set_until_rst_again),
        T(test_inject_reset_hang_waits_for_cr_rst_and_ends_at_power_on),
    };
#undef T
    return cmocka_run_group_tests_name("rtl8139", tests, NULL, NULL);
}
