/* NE2000 (DP8390D core, RTL8029AS PCI and plain ISA modes) at the register
 * level: named register accessors and the data port driven the way NE2000
 * drivers drive them, a recorded interrupt line and cable. No CPU, no
 * driver. */
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
#include "dev/ne2000.h"
#include "dev/pci.h"
#include "trace/trace.h"

/* ---- fixture: interrupt line, cable, clock ---- */

static const uint8_t MAC[6] = {0x52, 0x54, 0x00, 0xAB, 0xCD, 0xEF};

static DevClock clk;
static Ne2000 *nic;
static int irq_level, irq_changes;
static uint8_t sent[2048];
static size_t sent_len;
static unsigned sent_count;

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

static int setup_mode(Ne2000Mode mode)
{
    dev_clock_init(&clk);
    irq_level = irq_changes = 0;
    sent_len = sent_count = 0;
    DevIrq irq = {irq_set, NULL, mode == NE2000_ISA ? 3 : 11};
    NetPort port = {cable_send, NULL};
    nic = ne2000_new(NULL, &irq, &clk, &port, MAC, mode);
    if (nic && mode == NE2000_PCI)
        pci_config_write(ne2000_pci(nic), PCI_COMMAND, 2, PCI_COMMAND_IO);
    return nic ? 0 : -1;
}

static int setup_pci(void **st)
{
    return setup_mode(NE2000_PCI);
}

static int setup_isa(void **st)
{
    return setup_mode(NE2000_ISA);
}

static int teardown(void **st)
{
    ne2000_free(nic);
    return 0;
}

/* ---- register accessors ---- */

static uint32_t rd(uint32_t off, unsigned size)
{
    return ne2000_io_ops.read(nic, off, size);
}
static void wr(uint32_t off, unsigned size, uint32_t v)
{
    ne2000_io_ops.write(nic, off, size, v);
}
static uint8_t rd8(uint32_t off)
{
    return (uint8_t)rd(off, 1);
}
static void wr8(uint32_t off, uint8_t v)
{
    wr(off, 1, v);
}
static uint16_t inw(void)
{
    return (uint16_t)rd(NE_DATA, 2);
}
static void outw(uint16_t v)
{
    wr(NE_DATA, 2, v);
}

/* Select a register page without touching start/stop or starting a DMA. */
static void page(unsigned p)
{
    wr8(NE_CR, (uint8_t)((rd8(NE_CR) & (NE_CR_STP | NE_CR_STA)) | NE_CR_RD_ABORT | NE_CR_PAGE(p)));
}
static uint8_t rd_page(unsigned p, uint32_t off)
{
    page(p);
    uint8_t v = rd8(off);
    page(0);
    return v;
}
static void wr_page(unsigned p, uint32_t off, uint8_t v)
{
    page(p);
    wr8(off, v);
    page(0);
}

static uint8_t isr(void)
{
    return rd8(NE_ISR);
}

/* ---- what a driver does ---- */

#define TX_PAGE 0x40
#define RX_START 0x46
#define RX_STOP 0x80

/* Initialisation in the order of DP8390D section 11.0 (Linux/NT drivers do
 * the same): stop, DCR, clear RBCR, RCR, loopback, ring, ISR, IMR, PAR,
 * CURR, start, leave loopback. BNRY one page behind CURR. */
static void nic_init(uint8_t rcr, uint8_t pstart, uint8_t pstop)
{
    wr8(NE_CR, NE_CR_STP | NE_CR_RD_ABORT);
    wr8(NE_DCR, NE_DCR_WTS | NE_DCR_LS | 0x40);
    wr8(NE_RBCR0, 0);
    wr8(NE_RBCR1, 0);
    wr8(NE_RCR, rcr);
    wr8(NE_TCR, NE_TCR_LB_INTERNAL);
    wr8(NE_PSTART, pstart);
    wr8(NE_PSTOP, pstop);
    wr8(NE_BNRY, pstart);
    wr8(NE_ISR, 0xFF);
    wr8(NE_IMR, 0x3F); /* everything but RDC, which drivers poll */
    wr8(NE_CR, NE_CR_STP | NE_CR_RD_ABORT | NE_CR_PAGE(1));
    for (unsigned i = 0; i < 6; i++)
        wr8(NE_PAR0 + i, MAC[i]);
    wr8(NE_CURR, (uint8_t)(pstart + 1));
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    wr8(NE_TCR, 0);
}

/* Remote read of `len` bytes at `addr` in word mode, the last odd byte with
 * a byte read (as Linux ne.c does), then wait for RDC and acknowledge it. */
static void dma_read(uint16_t addr, uint8_t *buf, unsigned len)
{
    wr8(NE_RBCR0, (uint8_t)len);
    wr8(NE_RBCR1, (uint8_t)(len >> 8));
    wr8(NE_RSAR0, (uint8_t)addr);
    wr8(NE_RSAR1, (uint8_t)(addr >> 8));
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_READ);
    unsigned i = 0;
    for (; i + 1 < len; i += 2) {
        uint16_t w = inw();
        buf[i] = (uint8_t)w;
        buf[i + 1] = (uint8_t)(w >> 8);
    }
    if (len & 1)
        buf[i] = rd8(NE_DATA);
    assert_true(isr() & NE_ISR_RDC);
    wr8(NE_ISR, NE_ISR_RDC);
}

static void dma_write(uint16_t addr, const uint8_t *buf, unsigned len)
{
    unsigned count = (len + 1) & ~1u; /* word mode: whole words */
    wr8(NE_RBCR0, (uint8_t)count);
    wr8(NE_RBCR1, (uint8_t)(count >> 8));
    wr8(NE_RSAR0, (uint8_t)addr);
    wr8(NE_RSAR1, (uint8_t)(addr >> 8));
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_WRITE);
    for (unsigned i = 0; i < count; i += 2)
        outw((uint16_t)(buf[i] | (i + 1 < len ? buf[i + 1] << 8 : 0)));
    assert_true(isr() & NE_ISR_RDC);
    wr8(NE_ISR, NE_ISR_RDC);
}

static void nic_send(const uint8_t *frame, unsigned len)
{
    dma_write(TX_PAGE << 8, frame, len);
    wr8(NE_TPSR, TX_PAGE);
    wr8(NE_TBCR0, (uint8_t)len);
    wr8(NE_TBCR1, (uint8_t)(len >> 8));
    wr8(NE_CR, NE_CR_STA | NE_CR_TXP | NE_CR_RD_ABORT);
}

static uint8_t curr(void)
{
    return rd_page(1, NE_CURR);
}

/* The driver's receive loop step: the packet after BNRY, if any. Returns
 * its byte count (CRC included) and copies header and data. */
static unsigned nic_rx(uint8_t hdr[4], uint8_t *data)
{
    uint8_t bnry = rd8(NE_BNRY);
    uint8_t next = (uint8_t)(bnry + 1);
    page(2);
    uint8_t pstart = rd8(NE_PSTART), pstop = rd8(NE_PSTOP);
    page(0);
    if (next == pstop)
        next = pstart;
    if (next == curr())
        return 0;
    dma_read((uint16_t)(next << 8), hdr, 4);
    unsigned count = hdr[2] | hdr[3] << 8;
    dma_read((uint16_t)((next << 8) + 4), data, count);
    uint8_t nb = (uint8_t)(hdr[1] - 1);
    wr8(NE_BNRY, nb < pstart ? (uint8_t)(pstop - 1) : nb);
    return count;
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

static uint32_t le32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const uint8_t BCAST[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/* ---- trace capture ---- */

static unsigned notes;
static char last_note[256];

static void note_sink(void *opaque, const TraceEvent *ev)
{
    if (ev->kind == TRACE_NOTE && ev->name && !strcmp(ev->name, "ne2000")) {
        notes++;
        snprintf(last_note, sizeof last_note, "%s", ev->text ? ev->text : "");
    }
}

/* ---- reset, pages, read/write views ---- */

static void test_reset_values_follow_the_table(void **st)
{
    assert_int_equal(rd8(NE_CR), 0x21);
    for (unsigned i = 0; i < ne2000_nregs; i++) {
        const RegDesc *r = &ne2000_regs[i];
        if (!(r->offset & 0x1000))
            continue; /* write views, CR and the ports */
        unsigned p = (r->offset >> 8) & 3;
        wr8(NE_CR, (uint8_t)(0x21 | NE_CR_PAGE(p)));
        assert_int_equal(rd8(r->offset & 0xFF), r->reset);
    }
    wr8(NE_CR, 0x21);
    assert_int_equal(irq_level, 0);
}

static void test_table_lookup_by_page_and_direction(void **st)
{
    assert_string_equal(ne2000_reg(0, 0, 0x04)->name, "TSR");
    assert_string_equal(ne2000_reg(0, 1, 0x04)->name, "TPSR");
    assert_string_equal(ne2000_reg(2, 0, 0x04)->name, "TPSR");
    assert_string_equal(ne2000_reg(1, 1, 0x07)->name, "CURR");
    assert_string_equal(ne2000_reg(3, 0, 0x00)->name, "CR");
    assert_string_equal(ne2000_reg(1, 0, 0x13)->name, "Data Port");
    assert_string_equal(ne2000_reg(0, 1, 0x1F)->name, "Reset Port");
    assert_int_equal(ne2000_reg(0, 0, 0x0D)->access, REG_RC);
    assert_int_equal(ne2000_reg(0, 1, 0x0D)->access, REG_WO);
    assert_null(ne2000_reg(2, 0, 0x08)); /* reserved */
    assert_null(ne2000_reg(2, 1, 0x04));
    assert_null(ne2000_reg(0, 0, 0x20));
}

static void assert_class(const RegDesc *r, RegClass cls, unsigned flags)
{
    assert_non_null(r);
    if (r->cls != cls || r->flags != flags)
        fail_msg("%s is %s/0x%x, the datasheet says %s/0x%x", r->name, reg_class_name(r->cls),
                 r->flags, reg_class_name(cls), flags);
}

/* Register classes (regs.h) as DP8390D section 10 and RTL8029AS 5.1.2.2
 * describe the registers; both views of one register share its class. */
static void test_register_classes_follow_the_datasheet(void **st)
{
    for (unsigned i = 0; i < ne2000_nregs; i++) {
        const RegDesc *r = &ne2000_regs[i];
        if (r->cls == REG_CLASS_NONE)
            fail_msg("%s has no class", r->name);
        if ((r->flags & REG_F_COUNTER) && r->cls == REG_CLASS_CONTROL)
            fail_msg("counter %s is classed control", r->name);
        for (unsigned j = 0; j < i; j++)
            if (!strcmp(ne2000_regs[j].name, r->name) &&
                (ne2000_regs[j].cls != r->cls || ne2000_regs[j].flags != r->flags))
                fail_msg("the two views of %s differ in class", r->name);
    }
    assert_class(ne2000_reg(0, 0, 0x00), REG_CLASS_CS, REG_F_SELFCLEAR); /* CR: TXP */
    assert_class(ne2000_reg(2, 1, 0x00), REG_CLASS_CS, REG_F_SELFCLEAR);
    assert_class(ne2000_reg(0, 0, NE_DATA), REG_CLASS_DATA, 0);
    assert_class(ne2000_reg(0, 0, NE_TSR), REG_CLASS_STATUS, 0);
    assert_class(ne2000_reg(0, 1, NE_TPSR), REG_CLASS_CONTROL, 0);
    assert_class(ne2000_reg(0, 0, NE_ISR), REG_CLASS_STATUS, 0);
    assert_class(ne2000_reg(0, 1, NE_ISR), REG_CLASS_STATUS, 0);
    for (unsigned i = 0; i < 3; i++)
        assert_class(ne2000_reg(0, 0, NE_CNTR0 + i), REG_CLASS_STATUS, REG_F_COUNTER);
    assert_class(ne2000_reg(0, 0, NE_NCR), REG_CLASS_STATUS, REG_F_COUNTER);
    assert_class(ne2000_reg(0, 1, NE_RCR), REG_CLASS_CONTROL, 0);
    assert_class(ne2000_reg(1, 0, NE_PAR0), REG_CLASS_CONTROL, 0);
    assert_class(ne2000_reg(1, 0, NE_CURR), REG_CLASS_STATUS, 0);
    assert_class(ne2000_reg(0, 0, NE_BNRY), REG_CLASS_CONTROL, 0);
}

static void test_write_only_registers_read_their_read_view(void **st)
{
    wr8(NE_PSTART, 0x46);
    wr8(NE_PSTOP, 0x80);
    wr8(NE_TPSR, 0x40);
    wr8(NE_RCR, NE_RCR_AB);
    wr8(NE_TCR, NE_TCR_LB_INTERNAL);
    wr8(NE_DCR, 0x49);
    wr8(NE_IMR, 0x11);
    /* page 0 reads: CLDA0, CLDA1, TSR, RSR, CNTR0-2 */
    assert_int_equal(rd8(NE_CLDA0), 0);
    assert_int_equal(rd8(NE_CLDA1), 0);
    assert_int_equal(rd8(NE_TSR), NE_TSR_ND);
    assert_int_equal(rd8(NE_RSR), 0);
    assert_int_equal(rd8(NE_CNTR0), 0);
    assert_int_equal(rd8(NE_CNTR1), 0);
    assert_int_equal(rd8(NE_CNTR2), 0);
    /* page 2 reads them back; the RTL8029AS reserved bits read 1 */
    assert_int_equal(rd_page(2, NE_PSTART), 0x46);
    assert_int_equal(rd_page(2, NE_PSTOP), 0x80);
    assert_int_equal(rd_page(2, NE_TPSR), 0x40);
    assert_int_equal(rd_page(2, NE_RCR), 0xC0 | NE_RCR_AB);
    assert_int_equal(rd_page(2, NE_TCR), 0xE0 | NE_TCR_LB_INTERNAL);
    assert_int_equal(rd_page(2, NE_DCR), 0x80 | 0x49);
    assert_int_equal(rd_page(2, NE_IMR), 0x11);
    /* RSAR and CRDA are one counter: written as RSAR, read as CRDA */
    wr8(NE_RSAR0, 0x34);
    wr8(NE_RSAR1, 0x12);
    assert_int_equal(rd8(NE_CRDA0), 0x34);
    assert_int_equal(rd8(NE_CRDA1), 0x12);
    /* BNRY and ISR read back on page 0 */
    wr8(NE_BNRY, 0x55);
    assert_int_equal(rd8(NE_BNRY), 0x55);
}

static void test_page1_and_page2_registers(void **st)
{
    page(1);
    for (unsigned i = 0; i < 6; i++)
        wr8(NE_PAR0 + i, MAC[i]);
    wr8(NE_CURR, 0x47);
    for (unsigned i = 0; i < 8; i++)
        wr8(NE_MAR0 + i, (uint8_t)(0x10 + i));
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(rd8(NE_PAR0 + i), MAC[i]);
    assert_int_equal(rd8(NE_CURR), 0x47);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(rd8(NE_MAR0 + i), 0x10 + i);
    assert_int_equal(rd8(NE_CR), NE_CR_PAGE(1) | NE_CR_RD_ABORT | NE_CR_STP);
    /* page 2: the diagnostic pointers are writable and read back */
    page(2);
    wr8(NE_RNPP, 0x51);
    wr8(NE_LNPP, 0x52);
    wr8(NE_ACU, 0x53);
    wr8(NE_ACL, 0x54);
    assert_int_equal(rd8(NE_RNPP), 0x51);
    assert_int_equal(rd8(NE_LNPP), 0x52);
    assert_int_equal(rd8(NE_ACU), 0x53);
    assert_int_equal(rd8(NE_ACL), 0x54);
    /* page 2 offset 01h written is CLDA0: the local DMA address */
    wr8(NE_CLDA0, 0x99);
    page(0);
    assert_int_equal(rd8(NE_CLDA0), 0x99);
    assert_int_equal(rd8(NE_CLDA1), 0x53);
    /* page 0 offsets 08h-0Fh are not MAR */
    assert_int_equal(rd8(NE_CNTR0), 0);
}

/* Linux ne.c's probe: MAR5 (page 1, 0Dh) written FFh must not show through
 * as CNTR0 (page 0, 0Dh), which clears on read. */
static void test_linux_probe_sees_paged_read_clear_counter(void **st)
{
    assert_int_not_equal(rd8(NE_CR), 0xFF);
    wr8(NE_CR, NE_CR_RD_ABORT | NE_CR_PAGE(1) | NE_CR_STP);
    wr8(0x0D, 0xFF);
    wr8(NE_CR, NE_CR_RD_ABORT | NE_CR_PAGE(0));
    rd8(NE_CNTR0);
    assert_int_equal(rd8(NE_CNTR0), 0);
}

/* ---- start, stop, reset port, ISR ---- */

static void test_reset_port_read_resets_and_sets_rst(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    assert_int_equal(rd8(NE_CR), NE_CR_STA | NE_CR_RD_ABORT);
    assert_int_equal(isr() & NE_ISR_RST, 0);
    wr8(NE_TCR, NE_TCR_LB_INTERNAL);
    /* Linux: outb(inb(base + 0x1F), base + 0x1F) */
    uint8_t v = rd8(0x1F);
    assert_int_equal(isr(), NE_ISR_RST);
    assert_int_equal(rd8(NE_CR), 0x21);
    assert_int_equal(rd_page(2, NE_IMR), 0);
    assert_int_equal(rd_page(2, NE_TCR) & NE_TCR_LB, 0);
    wr8(0x1F, v); /* the write releases RESET: still the reset state */
    assert_int_equal(isr(), NE_ISR_RST);
    assert_int_equal(rd8(NE_CR), 0x21);
    /* station address, ring registers and buffer memory survive */
    assert_int_equal(rd_page(1, NE_PAR0 + 5), MAC[5]);
    assert_int_equal(rd_page(2, NE_PSTART), RX_START);
    /* every offset 18h-1Fh is the reset port */
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    assert_int_equal(isr() & NE_ISR_RST, 0);
    rd8(0x18);
    assert_int_equal(isr() & NE_ISR_RST, NE_ISR_RST);
    /* clones that reset on a write alone */
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    wr8(NE_IMR, 0x3F);
    wr8(0x1F, 0);
    assert_int_equal(rd8(NE_CR), 0x21);
    assert_int_equal(rd_page(2, NE_IMR), 0);
}

static void test_stop_sets_rst_start_clears_it_and_writes_do_not(void **st)
{
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    assert_int_equal(isr(), 0);
    wr8(NE_CR, NE_CR_STP | NE_CR_RD_ABORT);
    assert_int_equal(isr(), NE_ISR_RST);
    /* ReactOS's probe accepts 21h or 23h after a stop */
    assert_int_equal(rd8(NE_CR), NE_CR_STP | NE_CR_RD_ABORT);
    wr8(NE_ISR, 0xFF);
    assert_int_equal(isr(), NE_ISR_RST);
    /* a CR write with neither STA nor STP keeps the state */
    wr8(NE_CR, NE_CR_RD_ABORT);
    assert_int_equal(rd8(NE_CR) & (NE_CR_STP | NE_CR_STA), NE_CR_STP);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    assert_int_equal(isr(), 0);
    assert_int_equal(rd8(NE_CR), NE_CR_STA | NE_CR_RD_ABORT);
}

static void test_isr_write_one_to_clear_and_irq_line_level(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    wr8(NE_IMR, 0);
    uint8_t f[100];
    make_frame(f, BCAST, sizeof f, 1);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    nic_send(f, sizeof f);
    assert_int_equal(isr(), NE_ISR_PRX | NE_ISR_PTX);
    assert_int_equal(irq_level, 0); /* masked */
    wr8(NE_IMR, NE_ISR_PTX);
    assert_int_equal(irq_level, 1); /* unmasking a pending bit raises the line */
    assert_int_equal(ne2000_irq_level(nic), 1);
    wr8(NE_ISR, NE_ISR_PRX); /* clears PRX only */
    assert_int_equal(isr(), NE_ISR_PTX);
    assert_int_equal(irq_level, 1);
    wr8(NE_ISR, 0);
    assert_int_equal(isr(), NE_ISR_PTX);
    wr8(NE_ISR, NE_ISR_PTX);
    assert_int_equal(isr(), 0);
    assert_int_equal(irq_level, 0);
    /* RST never interrupts, even with every IMR bit set */
    wr8(NE_IMR, 0xFF);
    assert_int_equal(rd_page(2, NE_IMR), 0x7F);
    wr8(NE_CR, NE_CR_STP | NE_CR_RD_ABORT);
    assert_int_equal(isr(), NE_ISR_RST);
    assert_int_equal(irq_level, 0);
}

/* ---- PROM and remote DMA ---- */

/* What NE2000 drivers do to read the station address: word mode, RSAR 0,
 * RBCR 32, 16 word reads; each PROM byte appears on both byte lanes. */
static void test_prom_read_via_remote_dma_in_word_mode(void **st)
{
    wr8(NE_CR, NE_CR_STP | NE_CR_RD_ABORT);
    wr8(NE_DCR, 0x49);
    wr8(NE_RBCR0, 32);
    wr8(NE_RBCR1, 0);
    wr8(NE_RSAR0, 0);
    wr8(NE_RSAR1, 0);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_READ);
    uint16_t w[16];
    for (unsigned i = 0; i < 16; i++) {
        assert_int_equal(isr() & NE_ISR_RDC, 0);
        w[i] = inw();
    }
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(w[i], MAC[i] | MAC[i] << 8);
    assert_int_equal(w[14], 0x5757); /* 'W' 'W': an NE2000 */
    assert_int_equal(w[15], 0x5757);
    assert_true(isr() & NE_ISR_RDC);
    assert_int_equal(rd8(NE_CRDA0), 32);
    /* the count is exhausted: a further read is stray */
    assert_int_equal(inw(), 0xFFFF);
}

/* A remote read fetches ahead: CRDA moves as soon as the command starts,
 * one transfer unit ahead of the CPU, and never past the byte count
 * (DP8390D 9.0; the datasheet's "remote write with high speed buses" advice
 * has drivers wait for CRDA to change after a dummy remote read). */
static void test_remote_read_prefetches_one_unit(void **st)
{
    wr8(NE_DCR, 0x49); /* word mode */
    wr8(NE_RBCR0, 4);
    wr8(NE_RBCR1, 0);
    wr8(NE_RSAR0, 0x00);
    wr8(NE_RSAR1, 0x40);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_READ);
    assert_int_equal(rd8(NE_CRDA1) << 8 | rd8(NE_CRDA0), 0x4002); /* before any data read */
    inw();
    assert_int_equal(rd8(NE_CRDA1) << 8 | rd8(NE_CRDA0), 0x4004);
    inw();
    assert_true(isr() & NE_ISR_RDC);
    assert_int_equal(rd8(NE_CRDA1) << 8 | rd8(NE_CRDA0), 0x4004); /* the count stops it */
    /* an abort drops the prefetched unit: a new read starts where it says */
    wr8(NE_ISR, NE_ISR_RDC);
    wr8(NE_RBCR0, 2);
    wr8(NE_RSAR0, 0x00);
    wr8(NE_RSAR1, 0x40);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_READ);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    assert_int_equal(inw(), 0xFFFF);
}

/* Linux/ReactOS probe the bus width with byte reads in byte mode: pairs of
 * equal bytes mean a 16-bit NE2000. RTL8029AS 6.2.2: bytes 10h-1Fh repeat
 * the ID and end "BB". */
static void test_prom_byte_reads_show_doubled_bytes(void **st)
{
    wr8(NE_DCR, 0x48);
    wr8(NE_RBCR0, 64);
    wr8(NE_RBCR1, 0);
    wr8(NE_RSAR0, 0);
    wr8(NE_RSAR1, 0);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_READ);
    uint8_t b[64];
    for (unsigned i = 0; i < 64; i++)
        b[i] = rd8(NE_DATA);
    for (unsigned i = 0; i < 64; i += 2)
        assert_int_equal(b[i], b[i + 1]);
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(b[2 * i], MAC[i]);
        assert_int_equal(b[32 + 2 * i], MAC[i]);
    }
    assert_int_equal(b[28], 'W');
    assert_int_equal(b[62], 'B');
}

static void test_remote_dma_write_then_read_back(void **st)
{
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    wr8(NE_DCR, 0x49);
    uint8_t data[301], back[301];
    for (unsigned i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    dma_write(0x5000, data, sizeof data);
    assert_int_equal(rd8(NE_CRDA0) | rd8(NE_CRDA1) << 8, 0x5000 + 302); /* Linux checks this */
    memset(back, 0, sizeof back);
    dma_read(0x5000, back, sizeof back); /* odd count: last byte by a byte read */
    assert_memory_equal(back, data, sizeof data);
    /* byte mode */
    wr8(NE_DCR, 0x48);
    wr8(NE_RBCR0, 3);
    wr8(NE_RBCR1, 0);
    wr8(NE_RSAR0, 0x01);
    wr8(NE_RSAR1, 0x60);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_WRITE);
    wr8(NE_DATA, 0xA1);
    wr8(NE_DATA + 5, 0xA2); /* 10h-17h all reach the data port */
    assert_int_equal(isr() & NE_ISR_RDC, 0);
    wr8(NE_DATA, 0xA3);
    assert_true(isr() & NE_ISR_RDC);
    wr8(NE_ISR, NE_ISR_RDC);
    wr8(NE_DCR, 0x49);
    dma_read(0x6000, back, 4);
    assert_int_equal(back[1], 0xA1);
    assert_int_equal(back[2], 0xA2);
    assert_int_equal(back[3], 0xA3);
}

static void test_dword_data_port_access_is_two_word_transfers(void **st)
{
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    wr8(NE_DCR, 0x49);
    wr8(NE_RBCR0, 8);
    wr8(NE_RBCR1, 0);
    wr8(NE_RSAR0, 0x00);
    wr8(NE_RSAR1, 0x44);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_WRITE);
    wr(NE_DATA, 4, 0x44332211);
    wr(NE_DATA, 4, 0x88776655);
    assert_true(isr() & NE_ISR_RDC);
    wr8(NE_ISR, NE_ISR_RDC);
    uint8_t b[8];
    dma_read(0x4400, b, 8);
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(b[i], 0x11 * (i + 1));
    wr8(NE_RBCR0, 8);
    wr8(NE_RSAR0, 0x00);
    wr8(NE_RSAR1, 0x44);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_READ);
    assert_int_equal(rd(NE_DATA, 4), 0x44332211);
    assert_int_equal(rd(NE_DATA, 4), 0x88776655);
}

static void test_byte_order_select_swaps_word_lanes(void **st)
{
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    wr8(NE_DCR, 0x49 | NE_DCR_BOS);
    wr8(NE_RBCR0, 2);
    wr8(NE_RBCR1, 0);
    wr8(NE_RSAR0, 0x00);
    wr8(NE_RSAR1, 0x45);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_WRITE);
    outw(0x1234);
    wr8(NE_DCR, 0x49);
    uint8_t b[2];
    dma_read(0x4500, b, 2);
    assert_int_equal(b[0], 0x12); /* 68000 order: the MS byte at the lower address */
    assert_int_equal(b[1], 0x34);
}

/* RAM sizing as ReactOS does it: flip a word and read it back every 1 KB;
 * only 4000h-7FFFh is RAM. PROM writes and reads above 7FFFh are traced. */
static void test_ram_sizing_finds_16k_at_4000(void **st)
{
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    wr8(NE_DCR, 0x49);
    unsigned first = 0, size = 0;
    for (unsigned a = 0x0400; a < 0x10000; a += 0x400) {
        uint8_t b[2], c[2];
        dma_read((uint16_t)a, b, 2);
        b[0] ^= 0xFF;
        b[1] ^= 0xFF;
        dma_write((uint16_t)a, b, 2);
        dma_read((uint16_t)a, c, 2);
        if (!memcmp(b, c, 2)) {
            if (!first)
                first = a;
            size += 0x400;
        }
    }
    assert_int_equal(first, NE2000_MEM_START);
    assert_int_equal(size, NE2000_MEM_SIZE);
}

static void test_remote_read_wraps_at_pstop(void **st)
{
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    wr8(NE_DCR, 0x49);
    wr8(NE_PSTART, 0x46);
    wr8(NE_PSTOP, 0x50);
    uint8_t hi[4] = {1, 2, 3, 4}, lo[4] = {5, 6, 7, 8}, b[8];
    dma_write(0x4FFC, hi, 4);
    dma_write(0x4600, lo, 4);
    dma_read(0x4FFC, b, 8);
    assert_memory_equal(b, hi, 4);
    assert_memory_equal(b + 4, lo, 4);
    assert_int_equal(rd8(NE_CRDA1) << 8 | rd8(NE_CRDA0), 0x4604);
}

static void test_stray_data_port_accesses_are_traced(void **st)
{
    notes = 0;
    assert_int_equal(trace_add_sink(note_sink, NULL), 0);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    assert_int_equal(rd8(NE_DATA), 0xFF);
    assert_int_equal(notes, 1);
    assert_non_null(strstr(last_note, "no remote read"));
    rd8(NE_DATA); /* one note per command */
    assert_int_equal(notes, 1);
    wr8(NE_DATA, 1);
    assert_int_equal(notes, 1);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    wr8(NE_DATA, 1);
    assert_int_equal(notes, 2);
    trace_remove_sink(note_sink, NULL);
    assert_true(ne2000_stats(nic)->ignored >= 3);
}

static void test_zero_length_remote_dma_completes_at_once(void **st)
{
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    wr8(NE_RBCR0, 0);
    wr8(NE_RBCR1, 0);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_READ);
    assert_true(isr() & NE_ISR_RDC);
}

/* ---- transmit ---- */

static void test_transmit_sends_tbcr_bytes_from_tpsr(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[1514];
    make_frame(f, BCAST, sizeof f, 9);
    irq_changes = 0;
    nic_send(f, sizeof f);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len, sizeof f);
    assert_memory_equal(sent, f, sizeof f);
    assert_int_equal(rd8(NE_TSR), NE_TSR_PTX | NE_TSR_ND);
    assert_int_equal(rd8(NE_NCR), 0);
    assert_int_equal(isr(), NE_ISR_PTX);
    assert_int_equal(rd8(NE_CR) & NE_CR_TXP, 0); /* complete at once */
    assert_int_equal(irq_level, 1);
    assert_int_equal(irq_changes, 1);
    wr8(NE_ISR, NE_ISR_PTX);
    assert_int_equal(irq_level, 0);
    /* CLDA: after the last byte fetched */
    assert_int_equal(rd8(NE_CLDA1) << 8 | rd8(NE_CLDA0), (TX_PAGE << 8) + 1514);
    /* a short frame goes out as given (the DP8390 does not pad) */
    nic_send(f, 42);
    assert_int_equal(sent_len, 42);
}

static void test_transmit_while_stopped_is_ignored(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[60];
    make_frame(f, BCAST, sizeof f, 0);
    dma_write(TX_PAGE << 8, f, sizeof f);
    wr8(NE_CR, NE_CR_STP | NE_CR_RD_ABORT);
    wr8(NE_TPSR, TX_PAGE);
    wr8(NE_TBCR0, sizeof f);
    wr8(NE_TBCR1, 0);
    wr8(NE_CR, NE_CR_STP | NE_CR_TXP | NE_CR_RD_ABORT);
    assert_int_equal(sent_count, 0);
    assert_int_equal(isr() & NE_ISR_PTX, 0);
    assert_int_equal(ne2000_stats(nic)->tx_ignored, 1);
}

static void test_transmit_link_down_reports_carrier_lost(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    ne2000_set_link(nic, 0);
    assert_int_equal(ne2000_link(nic), 0);
    uint8_t f[60];
    make_frame(f, BCAST, sizeof f, 0);
    nic_send(f, sizeof f);
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd8(NE_TSR), NE_TSR_PTX | NE_TSR_ND | NE_TSR_CRS);
    assert_int_equal(isr(), NE_ISR_PTX);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_LINK_DOWN);
    ne2000_set_link(nic, 1);
    nic_send(f, sizeof f);
    assert_int_equal(sent_count, 1);
}

static void test_transmit_with_crc_inhibit_strips_the_driver_fcs(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    wr8(NE_TCR, NE_TCR_CRC);
    uint8_t f[64 + 4];
    make_frame(f, BCAST, 64, 5);
    uint32_t fcs = ne2000_fcs(f, 64);
    for (unsigned i = 0; i < 4; i++)
        f[64 + i] = (uint8_t)(fcs >> (8 * i));
    nic_send(f, sizeof f);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len, 64);
    f[66] ^= 1; /* a wrong FCS: traced, not delivered */
    nic_send(f, sizeof f);
    assert_int_equal(sent_count, 1);
}

/* ---- receive ---- */

static void test_receive_stores_header_frame_and_crc(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[100], hdr[4], data[2048];
    make_frame(f, MAC, sizeof f, 3);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    assert_int_equal(isr(), NE_ISR_PRX);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd8(NE_RSR), NE_RSR_PRX);
    assert_int_equal(curr(), RX_START + 2);
    assert_int_equal(rd_page(2, NE_LNPP), RX_START + 2);
    unsigned count = nic_rx(hdr, data);
    assert_int_equal(count, sizeof f + 4); /* the count includes the stored CRC */
    assert_int_equal(hdr[0], NE_RSR_PRX);
    assert_int_equal(hdr[1], RX_START + 2);
    assert_memory_equal(data, f, sizeof f);
    assert_int_equal(le32(data + sizeof f), ne2000_fcs(f, sizeof f));
    assert_int_equal(rd8(NE_BNRY), RX_START + 1);
    assert_int_equal(nic_rx(hdr, data), 0); /* ring empty */
    /* a 3-page packet: 4 + 600 + 4 bytes */
    uint8_t g[600];
    make_frame(g, MAC, sizeof g, 4);
    assert_int_equal(ne2000_receive(nic, g, sizeof g), NE2000_RX_STORED);
    assert_int_equal(curr(), RX_START + 2 + 3);
    assert_int_equal(nic_rx(hdr, data), sizeof g + 4);
    assert_memory_equal(data, g, sizeof g);
}

static void test_fcs_and_multicast_hash(void **st)
{
    assert_int_equal(ne2000_fcs((const uint8_t *)"123456789", 9), 0xCBF43926);
    /* the MSB-first CRC's top 6 bits are the reflected CRC's low 6 bits,
     * reversed */
    static const uint8_t addrs[][6] = {{0x01, 0x00, 0x5E, 0x00, 0x00, 0x01},
                                       {0x33, 0x33, 0x00, 0x00, 0x00, 0x01},
                                       {0x01, 0x80, 0xC2, 0x00, 0x00, 0x00},
                                       {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}};
    for (unsigned i = 0; i < 4; i++) {
        uint32_t le = ~ne2000_fcs(addrs[i], 6), rev = 0;
        for (unsigned b = 0; b < 6; b++)
            rev |= ((le >> b) & 1u) << (5 - b);
        assert_int_equal(ne2000_mc_hash_bit(addrs[i]), rev);
    }
}

static void test_receive_accept_modes(void **st)
{
    static const uint8_t other[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    static const uint8_t mc[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01};
    uint8_t f[80], hdr[4], data[2048];
    nic_init(0, RX_START, RX_STOP);
    /* RCR = 0: own address only */
    make_frame(f, BCAST, sizeof f, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_FILTERED);
    make_frame(f, other, sizeof f, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_FILTERED);
    make_frame(f, mc, sizeof f, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_FILTERED);
    assert_int_equal(rd8(NE_RSR), 0); /* not updated for a mismatch */
    make_frame(f, MAC, sizeof f, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    /* AB */
    wr8(NE_RCR, NE_RCR_AB);
    make_frame(f, BCAST, sizeof f, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    assert_int_equal(rd8(NE_RSR), NE_RSR_PRX | NE_RSR_PHY);
    /* AM needs the hash bit */
    wr8(NE_RCR, NE_RCR_AM);
    make_frame(f, mc, sizeof f, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_FILTERED);
    unsigned bit = ne2000_mc_hash_bit(mc);
    wr_page(1, NE_MAR0 + bit / 8, (uint8_t)(1u << (bit % 8)));
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    /* broadcast is not a multicast for AM, even with every MAR bit set */
    for (unsigned i = 0; i < 8; i++)
        wr_page(1, NE_MAR0 + i, 0xFF);
    make_frame(f, BCAST, sizeof f, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_FILTERED);
    /* PRO: every physical address, multicast still by AM */
    wr8(NE_RCR, NE_RCR_PRO);
    make_frame(f, other, sizeof f, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    make_frame(f, mc, sizeof f, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_FILTERED);
    /* the driver sees own, broadcast, multicast, promiscuous: 4 packets */
    unsigned n = 0;
    while (nic_rx(hdr, data))
        n++;
    assert_int_equal(n, 4);
    assert_int_equal(ne2000_stats(nic)->rx_stored, 4);
}

static void test_receive_runt_needs_ar(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[59]; /* 63 bytes with CRC */
    make_frame(f, MAC, sizeof f, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_FILTERED);
    assert_int_equal(isr(), 0);
    wr8(NE_RCR, NE_RCR_AR);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    uint8_t f60[60];
    make_frame(f60, MAC, sizeof f60, 0);
    wr8(NE_RCR, 0);
    assert_int_equal(ne2000_receive(nic, f60, sizeof f60), NE2000_RX_STORED);
}

static void test_receive_errors_need_sep_and_are_counted(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[100], hdr[4], data[2048];
    make_frame(f, MAC, sizeof f, 0);
    assert_int_equal(ne2000_receive_bad(nic, f, sizeof f, NE2000_RXERR_CRC), NE2000_RX_FILTERED);
    assert_int_equal(isr(), NE_ISR_RXE);
    assert_int_equal(rd8(NE_RSR), NE_RSR_CRC);
    assert_int_equal(ne2000_receive_bad(nic, f, sizeof f, NE2000_RXERR_FAE), NE2000_RX_FILTERED);
    assert_int_equal(rd8(NE_CNTR0), 1);
    assert_int_equal(rd8(NE_CNTR1), 1);
    assert_int_equal(rd8(NE_CNTR1), 0); /* cleared by the read */
    /* an error frame to another station is not counted */
    static const uint8_t other[6] = {0x02, 9, 9, 9, 9, 9};
    uint8_t g[100];
    make_frame(g, other, sizeof g, 0);
    ne2000_receive_bad(nic, g, sizeof g, NE2000_RXERR_CRC);
    assert_int_equal(rd8(NE_CNTR1), 0);
    /* SEP stores it, with the error status and RXE, not PRX */
    wr8(NE_ISR, 0xFF);
    wr8(NE_RCR, NE_RCR_SEP);
    assert_int_equal(ne2000_receive_bad(nic, f, sizeof f, NE2000_RXERR_CRC), NE2000_RX_STORED);
    assert_int_equal(isr(), NE_ISR_RXE);
    assert_int_equal(nic_rx(hdr, data), sizeof f + 4);
    assert_int_equal(hdr[0], NE_RSR_CRC);
    assert_int_not_equal(le32(data + sizeof f), ne2000_fcs(f, sizeof f));
}

static void test_tally_counters_saturate_and_set_cnt(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[100];
    make_frame(f, MAC, sizeof f, 0);
    for (unsigned i = 0; i < 127; i++)
        ne2000_receive_bad(nic, f, sizeof f, NE2000_RXERR_CRC);
    assert_int_equal(isr() & NE_ISR_CNT, 0);
    ne2000_receive_bad(nic, f, sizeof f, NE2000_RXERR_CRC);
    assert_true(isr() & NE_ISR_CNT);
    for (unsigned i = 0; i < 100; i++)
        ne2000_receive_bad(nic, f, sizeof f, NE2000_RXERR_CRC);
    assert_int_equal(rd8(NE_CNTR1), 192);
    assert_int_equal(rd8(NE_CNTR1), 0);
}

static void test_receive_ring_wraps_at_pstop(void **st)
{
    nic_init(NE_RCR_AB, 0x40, 0x48);
    /* the driver has consumed up to page 45h: CURR 46h, BNRY 45h */
    wr_page(1, NE_CURR, 0x46);
    wr8(NE_BNRY, 0x45);
    uint8_t f[600], hdr[4], data[2048];
    make_frame(f, MAC, sizeof f, 7);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    assert_int_equal(curr(), 0x41); /* 46h, 47h, then 40h */
    /* the tail went to the start of the ring */
    uint8_t b[4];
    dma_read(0x4000, b, 4);
    assert_memory_equal(b, f + (0x200 - 4), 4);
    /* a remote read of the whole packet wraps at PSTOP by itself */
    assert_int_equal(nic_rx(hdr, data), sizeof f + 4);
    assert_int_equal(hdr[1], 0x41);
    assert_memory_equal(data, f, sizeof f);
    assert_int_equal(le32(data + sizeof f), ne2000_fcs(f, sizeof f));
}

/* DP8390D 7.0 "Buffer Ring Overflow" and the recovery procedure. */
static void test_overflow_sets_ovw_and_blocks_until_the_recovery_procedure(void **st)
{
    nic_init(NE_RCR_AB, 0x40, 0x46); /* 6 pages; BNRY 40h, CURR 41h */
    uint8_t f[200], hdr[4], data[2048];
    make_frame(f, MAC, sizeof f, 1);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    assert_int_equal(curr(), 0x45);
    wr8(NE_ISR, 0xFF);
    /* the next packet would link into the BNRY page */
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_OVERFLOW);
    assert_int_equal(isr(), NE_ISR_OVW | NE_ISR_RXE | NE_ISR_RST);
    assert_int_equal(irq_level, 1);
    assert_int_equal(curr(), 0x45);
    assert_true(rd8(NE_RSR) & NE_RSR_MPA);
    /* the receiver stays stopped, even once there is room */
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_MISSED);
    assert_int_equal(rd8(NE_CNTR2), 2);
    assert_int_equal(nic_rx(hdr, data), sizeof f + 4); /* BNRY moves: RST clears */
    assert_int_equal(isr() & NE_ISR_RST, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_MISSED);
    /* the procedure: STP, clear RBCR, loopback, STA, drain, ack OVW, TCR 0 */
    wr8(NE_CR, NE_CR_STP | NE_CR_RD_ABORT);
    wr8(NE_RBCR0, 0);
    wr8(NE_RBCR1, 0);
    assert_true(isr() & NE_ISR_RST);
    wr8(NE_TCR, NE_TCR_LB_INTERNAL);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    assert_int_equal(isr() & NE_ISR_RST, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_LOOPBACK);
    unsigned n = 0;
    while (nic_rx(hdr, data))
        n++;
    assert_int_equal(n, 3);
    wr8(NE_ISR, NE_ISR_OVW | NE_ISR_RXE);
    wr8(NE_TCR, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    assert_int_equal(nic_rx(hdr, data), sizeof f + 4);
    assert_memory_equal(data, f, sizeof f);
}

static void test_receive_monitor_mode_counts_but_does_not_store(void **st)
{
    nic_init(NE_RCR_AB | NE_RCR_MON, RX_START, RX_STOP);
    assert_int_equal(rd8(NE_RSR) & NE_RSR_DIS, NE_RSR_DIS);
    uint8_t f[100];
    make_frame(f, MAC, sizeof f, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_MONITOR);
    assert_int_equal(curr(), RX_START + 1);
    assert_int_equal(isr(), NE_ISR_RXE);
    assert_int_equal(rd8(NE_RSR), NE_RSR_MPA | NE_RSR_DIS);
    assert_int_equal(rd8(NE_CNTR2), 1);
    wr8(NE_RCR, NE_RCR_AB);
    assert_int_equal(rd8(NE_RSR) & NE_RSR_DIS, 0);
}

static void test_receive_while_stopped_or_without_ring(void **st)
{
    uint8_t f[100];
    make_frame(f, BCAST, sizeof f, 0);
    wr8(NE_RCR, NE_RCR_AB);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STOPPED);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    wr8(NE_PSTART, 0x46);
    wr8(NE_PSTOP, 0x46);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_BAD_RING);
    assert_int_equal(ne2000_stats(nic)->rx_stopped, 1);
    assert_int_equal(ne2000_stats(nic)->rx_bad_ring, 1);
}

/* 9.0 Send Packet: the remote DMA removes packets from BNRY by itself. */
static void test_send_packet_command_removes_packets(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    /* datasheet convention: BNRY = CURR = PSTART */
    wr8(NE_BNRY, RX_START);
    wr_page(1, NE_CURR, RX_START);
    uint8_t f[100], g[300];
    make_frame(f, MAC, sizeof f, 1);
    make_frame(g, MAC, sizeof g, 2);
    ne2000_receive(nic, f, sizeof f);
    ne2000_receive(nic, g, sizeof g);
    wr8(NE_ISR, 0xFF);
    /* without DCR.AR the command is not executed */
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_SEND);
    assert_int_equal(inw(), 0xFFFF);
    wr8(NE_DCR, 0x49 | NE_DCR_AR);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_SEND);
    uint8_t b[400];
    unsigned count = sizeof f + 4; /* header + frame: the count stops before the CRC */
    for (unsigned i = 0; i < count; i += 2) {
        uint16_t w = inw();
        b[i] = (uint8_t)w;
        b[i + 1] = (uint8_t)(w >> 8);
    }
    assert_int_equal(b[0], NE_RSR_PRX);
    assert_int_equal(b[1], RX_START + 1);
    assert_memory_equal(b + 4, f, sizeof f);
    assert_true(isr() & NE_ISR_RDC);
    assert_int_equal(rd8(NE_BNRY), RX_START + 1);
    wr8(NE_ISR, NE_ISR_RDC);
    /* auto-initialised for the next packet */
    count = sizeof g + 4;
    for (unsigned i = 0; i < count; i += 2) {
        uint16_t w = inw();
        b[i] = (uint8_t)w;
        b[i + 1] = (uint8_t)(w >> 8);
    }
    assert_memory_equal(b + 4, g, sizeof g);
    assert_int_equal(rd8(NE_BNRY), curr());
    assert_int_equal(inw(), 0xFFFF); /* ring empty: the DMA stops */
}

/* ---- loopback (DP8390D 12.0) ---- */

static void test_internal_loopback(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    wr8(NE_DCR, 0x40); /* byte mode, LS = 0: loopback as section 12.0 sets it up */
    wr8(NE_TCR, NE_TCR_LB_INTERNAL);
    uint8_t f[64];
    make_frame(f, MAC, sizeof f, 0x30);
    /* byte-mode remote write of the packet */
    wr8(NE_RBCR0, sizeof f);
    wr8(NE_RBCR1, 0);
    wr8(NE_RSAR0, 0);
    wr8(NE_RSAR1, TX_PAGE);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_WRITE);
    for (unsigned i = 0; i < sizeof f; i++)
        wr8(NE_DATA, f[i]);
    wr8(NE_ISR, 0xFF);
    wr8(NE_TPSR, TX_PAGE);
    wr8(NE_TBCR0, sizeof f);
    wr8(NE_TBCR1, 0);
    wr8(NE_CR, NE_CR_STA | NE_CR_TXP | NE_CR_RD_ABORT);
    /* nothing on the cable, nothing in the ring */
    assert_int_equal(sent_count, 0);
    assert_int_equal(curr(), RX_START + 1);
    /* 12.0 tables: TSR with CRS and CDH, a CRC error for a matching
     * address when the NIC generated the CRC, PTX and RXE, never PRX */
    assert_int_equal(rd8(NE_TSR), NE_TSR_PTX | NE_TSR_ND | NE_TSR_CRS | NE_TSR_CDH);
    assert_int_equal(rd8(NE_RSR), NE_RSR_CRC);
    assert_int_equal(isr(), NE_ISR_PTX | NE_ISR_RXE);
    /* the FIFO keeps the last bytes and the byte count (68 = 44h) */
    uint8_t fifo[8];
    for (unsigned i = 0; i < 8; i++)
        fifo[i] = rd8(NE_FIFO);
    uint32_t fcs = ne2000_fcs(f, sizeof f);
    assert_int_equal(le32(fifo), fcs);
    assert_int_equal(fifo[4], 0x44);
    assert_int_equal(fifo[5], 0);
    assert_int_equal(fifo[6], 0);
    assert_int_equal(fifo[7], f[63]);
    /* frames from the cable are not received in loopback */
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_LOOPBACK);
}

/* 12.0 "CRC and Address Recognition": TCR 03h with a software CRC. */
static void test_loopback_crc_and_address_recognition(void **st)
{
    nic_init(0, RX_START, RX_STOP);
    wr8(NE_DCR, 0x40);
    wr8(NE_TCR, NE_TCR_LB_INTERNAL | NE_TCR_CRC);
    uint8_t f[64 + 4];
    static const uint8_t other[6] = {0x02, 1, 2, 3, 4, 5};
    const uint8_t *dst[3] = {MAC, MAC, other};
    const int good[3] = {1, 0, 0};
    const uint8_t want[3] = {NE_RSR_PRX, NE_RSR_CRC, NE_RSR_CRC}; /* C: RSR unchanged */
    for (unsigned t = 0; t < 3; t++) {
        make_frame(f, dst[t], 64, (uint8_t)t);
        uint32_t fcs = ne2000_fcs(f, 64) ^ (good[t] ? 0 : 1);
        for (unsigned i = 0; i < 4; i++)
            f[64 + i] = (uint8_t)(fcs >> (8 * i));
        wr8(NE_ISR, 0xFF);
        wr8(NE_RBCR0, sizeof f);
        wr8(NE_RBCR1, 0);
        wr8(NE_RSAR0, 0);
        wr8(NE_RSAR1, TX_PAGE);
        wr8(NE_CR, NE_CR_STA | NE_CR_RD_WRITE);
        for (unsigned i = 0; i < sizeof f; i++)
            wr8(NE_DATA, f[i]);
        wr8(NE_TPSR, TX_PAGE);
        wr8(NE_TBCR0, sizeof f);
        wr8(NE_TBCR1, 0);
        wr8(NE_CR, NE_CR_STA | NE_CR_TXP | NE_CR_RD_ABORT);
        assert_int_equal(rd8(NE_RSR), want[t]);
        assert_int_equal(isr() & NE_ISR_RXE, t == 1 ? NE_ISR_RXE : 0);
    }
    assert_int_equal(sent_count, 0);
}

/* In word mode a loopback packet occupies one byte lane: TBCR counts both. */
static void test_loopback_in_word_mode_uses_one_byte_lane(void **st)
{
    nic_init(0, RX_START, RX_STOP);
    wr8(NE_TCR, NE_TCR_LB_INTERNAL | NE_TCR_CRC);
    uint8_t f[64 + 4], spread[2 * sizeof f];
    make_frame(f, MAC, 64, 0x11);
    uint32_t fcs = ne2000_fcs(f, 64);
    for (unsigned i = 0; i < 4; i++)
        f[64 + i] = (uint8_t)(fcs >> (8 * i));
    for (unsigned i = 0; i < sizeof f; i++) {
        spread[2 * i] = 0xEE; /* even lane: unused with BOS = 0 */
        spread[2 * i + 1] = f[i];
    }
    dma_write(TX_PAGE << 8, spread, sizeof spread);
    wr8(NE_TPSR, TX_PAGE);
    wr8(NE_TBCR0, (uint8_t)sizeof spread);
    wr8(NE_TBCR1, 0);
    wr8(NE_CR, NE_CR_STA | NE_CR_TXP | NE_CR_RD_ABORT);
    assert_int_equal(rd8(NE_RSR), NE_RSR_PRX);
}

static void test_external_loopback_reaches_the_cable(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    wr8(NE_DCR, 0x40); /* loopback fetches bytes (12.0): byte mode, LS = 0 */
    wr8(NE_TCR, NE_TCR_LB_EXTERNAL);
    uint8_t f[60];
    make_frame(f, BCAST, sizeof f, 0);
    nic_send(f, sizeof f);
    assert_int_equal(sent_count, 1);
    assert_int_equal(rd8(NE_TSR), NE_TSR_PTX | NE_TSR_ND);
    assert_int_equal(rd8(NE_RSR), NE_RSR_CRC | NE_RSR_PHY);
    assert_int_equal(curr(), RX_START + 1);
}

/* ---- RTL8029AS specifics, PCI, ISA ---- */

static void test_rtl8029_id_and_page3_registers(void **st)
{
    assert_int_equal(rd8(NE_8029ID0), 'P');
    assert_int_equal(rd8(NE_8029ID1), 'C');
    page(3);
    assert_int_equal(rd8(NE_8029ASID0), 0x29);
    assert_int_equal(rd8(NE_8029ASID1), 0x80);
    assert_int_equal(rd8(NE_CONFIG0), 0);
    /* CONFIG2/3 need EEM = 11 (config register write enable) */
    wr8(NE_CONFIG3, NE_CONFIG3_FUDUP);
    assert_int_equal(rd8(NE_CONFIG3), 0);
    wr8(NE_9346CR, NE_9346CR_EEM_CONFIG);
    assert_int_equal(rd8(NE_9346CR), NE_9346CR_EEM_CONFIG);
    wr8(NE_CONFIG3, 0xFF);
    assert_int_equal(rd8(NE_CONFIG3), 0x46);
    wr8(NE_CONFIG2, 0xFF);
    assert_int_equal(rd8(NE_CONFIG2), 0xE0);
    wr8(NE_CONFIG0, 0xFF);
    assert_int_equal(rd8(NE_CONFIG0), 0);
    wr8(NE_8029ASID0, 0);
    assert_int_equal(rd8(NE_8029ASID0), 0x29);
    /* auto-load restores the 9346 values and returns to normal mode */
    wr8(NE_9346CR, NE_9346CR_EEM_AUTOLOAD);
    assert_int_equal(rd8(NE_9346CR), 0);
    assert_int_equal(rd8(NE_CONFIG3), 0);
    assert_int_equal(rd8(NE_CONFIG2), 0);
    page(0);
    assert_true(ne2000_stats(nic)->ignored >= 3);
}

static void test_hltclk_needs_power_down_mode(void **st)
{
    notes = 0;
    assert_int_equal(trace_add_sink(note_sink, NULL), 0);
    page(3);
    wr8(NE_HLTCLK, NE_HLTCLK_HALT);
    assert_int_equal(notes, 1);
    assert_non_null(strstr(last_note, "PWRDN"));
    wr8(NE_9346CR, NE_9346CR_EEM_CONFIG);
    wr8(NE_CONFIG3, NE_CONFIG3_PWRDN);
    wr8(NE_HLTCLK, NE_HLTCLK_RUN);
    assert_int_equal(notes, 1);
    assert_int_equal(rd8(NE_HLTCLK), 0xFF); /* write-only */
    page(0);
    trace_remove_sink(note_sink, NULL);
}

static void test_pci_identity_and_bar_sizing(void **st)
{
    PciDevice *p = ne2000_pci(nic);
    assert_non_null(p);
    assert_int_equal(pci_config_read(p, PCI_VENDOR_ID, 4), 0x802910EC);
    assert_int_equal(pci_config_read(p, PCI_REVISION_ID, 4), 0x02000000);
    assert_int_equal(pci_config_read(p, PCI_HEADER_TYPE, 1), 0);
    assert_int_equal(pci_config_read(p, PCI_INTERRUPT_PIN, 1), 1);
    assert_int_equal(pci_config_read(p, PCI_BAR0, 4) & 1, 1);
    pci_config_write(p, PCI_BAR0, 4, 0xFFFFFFFF);
    assert_int_equal(pci_config_read(p, PCI_BAR0, 4), 0xFFFFFFE1);
    pci_config_write(p, PCI_BAR0, 4, 0xC100);
    assert_int_equal(pci_bar_address(p, 0), 0xC100);
    assert_int_equal(pci_bar_size(p, 0), NE2000_IO_SIZE);
    for (unsigned bar = 1; bar < PCI_BARS; bar++) {
        pci_config_write(p, PCI_BAR0 + 4 * bar, 4, 0xFFFFFFFF);
        assert_int_equal(pci_config_read(p, PCI_BAR0 + 4 * bar, 4), 0);
    }
    pci_config_write(p, PCI_COMMAND, 2, 0x0007);
    assert_int_equal(pci_config_read(p, PCI_COMMAND, 2), PCI_COMMAND_IO);
    assert_int_equal(ne2000_mode(nic), NE2000_PCI);
    assert_int_equal(ne2000_isa_io_base(nic), 0);
    assert_int_equal(ne2000_isa_irq(nic), 0);
    assert_int_equal(ne2000_set_isa_resources(nic, 0x300, 3), -1);
}

static void test_isa_mode_has_no_pci_and_reports_resources(void **st)
{
    assert_null(ne2000_pci(nic));
    assert_int_equal(ne2000_mode(nic), NE2000_ISA);
    assert_int_equal(ne2000_isa_io_base(nic), NE2000_ISA_DEFAULT_PORT);
    assert_int_equal(ne2000_isa_irq(nic), NE2000_ISA_DEFAULT_IRQ);
    assert_int_equal(ne2000_set_isa_resources(nic, 0x280, 5), 0);
    assert_int_equal(ne2000_isa_io_base(nic), 0x280);
    assert_int_equal(ne2000_isa_irq(nic), 5);
    assert_int_equal(ne2000_set_isa_resources(nic, 0x290, 5), -1); /* not 32-aligned */
    assert_int_equal(ne2000_set_isa_resources(nic, 0x300, 1), -1);
    assert_int_equal(ne2000_set_isa_resources(nic, 0xFFF0, 5), -1);
    assert_int_equal(ne2000_isa_io_base(nic), 0x280);
    /* a plain DP8390: no 8029 IDs on page 0, no page 3 */
    uint64_t before = ne2000_stats(nic)->unmodelled;
    assert_int_equal(rd8(NE_8029ID0), 0xFF);
    page(3);
    assert_int_equal(rd8(NE_8029ASID0), 0xFF);
    wr8(NE_9346CR, NE_9346CR_EEM_CONFIG);
    assert_int_equal(rd8(NE_9346CR), 0xFF);
    page(0);
    assert_int_equal(ne2000_stats(nic)->unmodelled, before + 4);
}

/* The whole driver path in ISA mode: PROM, init, transmit, receive. */
static void test_isa_card_end_to_end(void **st)
{
    uint8_t prom[32];
    wr8(NE_DCR, 0x49);
    dma_read(0, prom, 32);
    uint8_t mac[6];
    for (unsigned i = 0; i < 6; i++)
        mac[i] = prom[2 * i];
    assert_memory_equal(mac, MAC, 6);
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[300], hdr[4], data[2048];
    make_frame(f, BCAST, sizeof f, 2);
    nic_send(f, sizeof f);
    assert_int_equal(sent_count, 1);
    assert_int_equal(irq_level, 1);
    wr8(NE_ISR, NE_ISR_PTX);
    ne2000_receive(nic, f, sizeof f);
    assert_int_equal(isr(), NE_ISR_PRX);
    assert_int_equal(nic_rx(hdr, data), sizeof f + 4);
    assert_memory_equal(data, f, sizeof f);
}

static void test_unmodelled_registers_read_all_ones_and_are_traced(void **st)
{
    notes = 0;
    assert_int_equal(trace_add_sink(note_sink, NULL), 0);
    page(2);
    assert_int_equal(rd8(0x08), 0xFF); /* page 2 08h-0Bh: reserved */
    assert_int_equal(notes, 1);
    assert_non_null(strstr(last_note, "0x08"));
    wr8(0x04, 1); /* page 2 write 04h: reserved */
    assert_int_equal(notes, 2);
    rd8(NE_PSTART); /* modelled: silent */
    page(3);
    assert_int_equal(rd8(0x02), 0xFF);
    assert_int_equal(notes, 3);
    page(0);
    assert_int_equal(notes, 3);
    assert_int_equal(rd(0x1E, 4), 0xFFFFFFFF); /* crosses the window */
    assert_int_equal(notes, 4);
    trace_remove_sink(note_sink, NULL);
}

static void test_wide_register_access_is_split_into_bytes(void **st)
{
    wr(NE_PSTART, 2, 0x8046); /* PSTART 46h, PSTOP 80h */
    assert_int_equal(rd_page(2, NE_PSTART), 0x46);
    assert_int_equal(rd_page(2, NE_PSTOP), 0x80);
    wr8(NE_RSAR0, 0x11);
    wr8(NE_RSAR1, 0x22);
    assert_int_equal(rd(NE_CRDA0, 2), 0x2211);
}

static void test_power_on_reset(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[100];
    make_frame(f, MAC, sizeof f, 0);
    ne2000_receive(nic, f, sizeof f);
    pci_config_write(ne2000_pci(nic), PCI_BAR0, 4, 0xC100);
    ne2000_reset(nic);
    assert_int_equal(rd8(NE_CR), 0x21);
    assert_int_equal(isr(), NE_ISR_RST);
    assert_int_equal(irq_level, 0);
    assert_int_equal(rd_page(1, NE_PAR0), 0);
    assert_int_equal(rd_page(1, NE_CURR), 0);
    assert_int_equal(pci_bar_address(ne2000_pci(nic), 0), 0);
    assert_int_equal(pci_config_read(ne2000_pci(nic), PCI_VENDOR_ID, 2), 0x10EC);
}

static void test_bus_window_reaches_the_model(void **st)
{
    Bus b;
    bus_init(&b);
    assert_int_equal(bus_add_ports(&b, 0x300, NE2000_IO_SIZE, &ne2000_io_ops, nic, "ne2000"), 0);
    assert_int_equal(bus_port_read(&b, 0x300, 1), 0x21);
    bus_port_write(&b, 0x300 + NE_IMR, 1, 0x15);
    assert_int_equal(rd_page(2, NE_IMR), 0x15);
    bus_port_read(&b, 0x31F, 1);
    assert_int_equal(isr(), NE_ISR_RST);
    assert_int_equal(rd_page(2, NE_IMR), 0);
}

/* ---- register names for traces (DevIoOps.reg_name) ---- */

static const char *reg_name(uint32_t off, unsigned size, int write)
{
    return ne2000_io_ops.reg_name(nic, off, size, write);
}

static void test_reg_name_follows_the_page_and_the_direction(void **st)
{
    /* page 0 (DP8390D section 10 register map): read and write views */
    assert_string_equal(reg_name(NE_CR, 1, 0), "CR");
    assert_string_equal(reg_name(NE_TSR, 1, 0), "TSR");
    assert_string_equal(reg_name(NE_TPSR, 1, 1), "TPSR");
    assert_string_equal(reg_name(NE_ISR, 1, 0), "ISR");
    assert_string_equal(reg_name(NE_CNTR0, 1, 0), "CNTR0");
    assert_string_equal(reg_name(NE_TCR, 1, 1), "TCR");
    assert_string_equal(reg_name(NE_CLDA0, 1, 0), "CLDA0");
    assert_string_equal(reg_name(NE_PSTART, 1, 1), "PSTART");
    /* the card's ports, on every page */
    assert_string_equal(reg_name(NE_DATA, 2, 0), "Data Port");
    assert_string_equal(reg_name(NE_DATA + 6, 2, 1), "Data Port");
    assert_string_equal(reg_name(0x1F, 1, 0), "Reset Port");
    /* page 1 */
    page(1);
    assert_string_equal(reg_name(NE_CR, 1, 1), "CR");
    assert_string_equal(reg_name(NE_PAR0 + 2, 1, 1), "PAR2");
    assert_string_equal(reg_name(NE_CURR, 1, 0), "CURR");
    assert_string_equal(reg_name(NE_MAR0 + 7, 1, 0), "MAR7");
    assert_string_equal(reg_name(NE_DATA, 2, 0), "Data Port");
    /* page 2: the diagnostic read views, CLDA written */
    page(2);
    assert_string_equal(reg_name(NE_PSTART, 1, 0), "PSTART");
    assert_string_equal(reg_name(NE_CLDA0, 1, 1), "CLDA0");
    assert_string_equal(reg_name(NE_TCR, 1, 0), "TCR");
    assert_string_equal(reg_name(NE_ACU, 1, 1), "Address Counter (Upper)");
    assert_null(reg_name(0x08, 1, 0)); /* reserved */
    /* page 3: RTL8029AS configuration registers, none on a plain DP8390 */
    page(3);
    if (ne2000_mode(nic) == NE2000_PCI) {
        assert_string_equal(reg_name(NE_9346CR, 1, 0), "9346CR");
        assert_string_equal(reg_name(NE_HLTCLK, 1, 1), "HLTCLK");
    } else {
        assert_null(reg_name(NE_9346CR, 1, 0));
    }
    page(0);
    assert_string_equal(reg_name(NE_ISR, 1, 1), "ISR");
    /* a wider access is named by its first byte; outside the window: none */
    assert_string_equal(reg_name(NE_RSAR0, 2, 1), "RSAR0");
    assert_null(reg_name(NE2000_IO_SIZE, 1, 0));
    assert_null(reg_name(0x1F, 2, 0));
}

static void test_reg_name_has_no_side_effects(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[100];
    make_frame(f, MAC, sizeof f, 0);
    ne2000_receive_bad(nic, f, sizeof f, NE2000_RXERR_CRC);
    assert_int_equal(isr(), NE_ISR_RXE);
    assert_int_equal(irq_level, 1);
    int changes = irq_changes;
    notes = 0;
    assert_int_equal(trace_add_sink(note_sink, NULL), 0);
    /* the names of read-to-clear counters, of ISR, of the reset port (a
     * read of which resets the NIC) and of reserved offsets */
    for (uint32_t off = 0; off < NE2000_IO_SIZE + 2; off++) {
        reg_name(off, 1, 0);
        reg_name(off, 1, 1);
        reg_name(off, 2, 0);
    }
    trace_remove_sink(note_sink, NULL);
    assert_int_equal(notes, 0);
    assert_int_equal(irq_changes, changes);
    assert_int_equal(isr(), NE_ISR_RXE); /* no RST: not reset */
    assert_int_equal(rd8(NE_CR) & (NE_CR_STP | NE_CR_STA), NE_CR_STA);
    assert_int_equal(rd8(NE_CNTR1), 1); /* not cleared */
    assert_int_equal(ne2000_stats(nic)->unmodelled, 0);
}

/* ---- injected conditions (ne2000_inject) ---- */

static void test_inject_tx_error_aborts_with_abt_and_txe(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[100];
    make_frame(f, BCAST, sizeof f, 1);
    assert_int_equal(ne2000_inject(nic, DEV_COND_TX_ERROR), 0);
    nic_send(f, sizeof f);
    /* DP8390D section 10: aborted after 16 attempts (ABT), collided (COL),
     * no PTX; NCR reads 0 after excessive collisions; ISR.TXE, not PTX */
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd8(NE_TSR), NE_TSR_ND | NE_TSR_COL | NE_TSR_ABT);
    assert_int_equal(rd8(NE_NCR), 0);
    assert_int_equal(isr(), NE_ISR_TXE);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd8(NE_CR) & NE_CR_TXP, 0);
    /* no tally counter counts transmit errors */
    assert_int_equal(rd8(NE_CNTR0) | rd8(NE_CNTR1) | rd8(NE_CNTR2), 0);
    assert_int_equal(ne2000_stats(nic)->tx_errors, 1);
    wr8(NE_ISR, NE_ISR_TXE);
    assert_int_equal(irq_level, 0);
    /* fired once: the same packet again goes out */
    nic_send(f, sizeof f);
    assert_int_equal(sent_count, 1);
    assert_memory_equal(sent, f, sizeof f);
    assert_int_equal(rd8(NE_TSR), NE_TSR_PTX | NE_TSR_ND);
    assert_int_equal(isr(), NE_ISR_PTX);
}

static void test_inject_tx_underrun_aborts_with_fu_and_txe(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[1514];
    make_frame(f, BCAST, sizeof f, 2);
    assert_int_equal(ne2000_inject(nic, DEV_COND_TX_UNDERRUN), 0);
    nic_send(f, sizeof f);
    assert_int_equal(sent_count, 0);
    assert_int_equal(rd8(NE_TSR), NE_TSR_ND | NE_TSR_FU);
    assert_int_equal(rd8(NE_NCR), 0);
    assert_int_equal(isr(), NE_ISR_TXE);
    assert_int_equal(irq_level, 1);
    wr8(NE_ISR, NE_ISR_TXE);
    nic_send(f, 60);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len, 60);
    assert_int_equal(rd8(NE_TSR), NE_TSR_PTX | NE_TSR_ND);
    assert_int_equal(isr(), NE_ISR_PTX);
}

static void test_inject_fires_on_a_packet_to_the_cable_only(void **st)
{
    assert_int_equal(ne2000_inject(nic, (DevCondition)99), -1);
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[64];
    make_frame(f, MAC, sizeof f, 0);
    ne2000_inject(nic, DEV_COND_TX_ERROR);
    ne2000_inject(nic, DEV_COND_TX_UNDERRUN);
    /* internal loopback: no medium; the conditions stay armed */
    wr8(NE_TCR, NE_TCR_LB_INTERNAL);
    nic_send(f, sizeof f);
    assert_true(rd8(NE_TSR) & NE_TSR_PTX);
    assert_int_equal(isr() & NE_ISR_TXE, 0);
    wr8(NE_TCR, 0);
    wr8(NE_ISR, 0xFF);
    nic_send(f, sizeof f); /* excessive collisions first */
    assert_int_equal(rd8(NE_TSR) & (NE_TSR_ABT | NE_TSR_FU), NE_TSR_ABT);
    nic_send(f, sizeof f); /* then the underrun */
    assert_int_equal(rd8(NE_TSR) & (NE_TSR_ABT | NE_TSR_FU), NE_TSR_FU);
    nic_send(f, sizeof f);
    assert_int_equal(rd8(NE_TSR), NE_TSR_PTX | NE_TSR_ND);
    assert_int_equal(sent_count, 1);
    assert_int_equal(ne2000_stats(nic)->tx_errors, 2);
}

/* DP8390D section 10: RSR.CRC, the CRC error tally CNTR1 + 1, ISR.RXE;
 * with RCR.SEP clear the packet is rejected (section 7.0 "Buffer Recovery
 * for Rejected Packets"): nothing in the ring, CURR unchanged. */
static void test_inject_rx_crc_error_is_counted_and_rejected_without_sep(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    assert_int_equal(ne2000_inject(nic, DEV_COND_RX_CRC_ERROR), 0);
    uint8_t f[100], hdr[4], data[2048];
    make_frame(f, MAC, sizeof f, 1);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_FILTERED);
    assert_int_equal(isr(), NE_ISR_RXE);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd8(NE_RSR), NE_RSR_CRC);
    assert_int_equal(rd8(NE_CNTR0), 0);
    assert_int_equal(rd8(NE_CNTR1), 1);
    assert_int_equal(rd8(NE_CNTR2), 0);
    assert_int_equal(curr(), RX_START + 1);
    assert_int_equal(nic_rx(hdr, data), 0);
    assert_int_equal(ne2000_stats(nic)->rx_crc_errors, 1);
    wr8(NE_ISR, NE_ISR_RXE);
    assert_int_equal(irq_level, 0);
    /* fired once: the next packet is a good one */
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    assert_int_equal(isr(), NE_ISR_PRX);
    assert_int_equal(rd8(NE_RSR), NE_RSR_PRX);
    assert_int_equal(rd8(NE_CNTR1), 0);
    assert_int_equal(nic_rx(hdr, data), sizeof f + 4);
    assert_int_equal(hdr[0], NE_RSR_PRX);
    assert_int_equal(le32(data + sizeof f), ne2000_fcs(f, sizeof f));
}

/* RCR.SEP: the errored packet is buffered with its receive status (CRC,
 * not PRX) at the head and the wrong CRC as received; ISR.RXE, not PRX. */
static void test_inject_rx_crc_error_is_stored_with_sep(void **st)
{
    nic_init(NE_RCR_AB | NE_RCR_SEP, RX_START, RX_STOP);
    assert_int_equal(ne2000_inject(nic, DEV_COND_RX_CRC_ERROR), 0);
    uint8_t f[100], hdr[4], data[2048];
    make_frame(f, BCAST, sizeof f, 2);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    assert_int_equal(isr(), NE_ISR_RXE);
    assert_int_equal(rd8(NE_RSR), NE_RSR_CRC | NE_RSR_PHY);
    assert_int_equal(rd8(NE_CNTR1), 1);
    assert_int_equal(nic_rx(hdr, data), sizeof f + 4);
    assert_int_equal(hdr[0], NE_RSR_CRC | NE_RSR_PHY);
    assert_memory_equal(data, f, sizeof f);
    assert_int_not_equal(le32(data + sizeof f), ne2000_fcs(f, sizeof f));
    wr8(NE_ISR, 0xFF);
    make_frame(f, BCAST, sizeof f, 3);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    assert_int_equal(isr(), NE_ISR_PRX);
    assert_int_equal(nic_rx(hdr, data), sizeof f + 4);
    assert_int_equal(hdr[0], NE_RSR_PRX | NE_RSR_PHY);
    assert_int_equal(le32(data + sizeof f), ne2000_fcs(f, sizeof f));
    assert_int_equal(rd8(NE_CNTR1), 0);
}

/* The injected error counts like any other: CNTR1 reaching 128 (bit 7
 * set) raises ISR.CNT (DP8390D section 10, ISR and tally counters). */
static void test_inject_rx_crc_error_sets_cnt_when_cntr1_reaches_128(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[100];
    make_frame(f, MAC, sizeof f, 0);
    for (unsigned i = 0; i < 127; i++)
        ne2000_receive_bad(nic, f, sizeof f, NE2000_RXERR_CRC);
    wr8(NE_ISR, 0xFF);
    ne2000_inject(nic, DEV_COND_RX_CRC_ERROR);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_FILTERED);
    assert_int_equal(isr(), NE_ISR_RXE | NE_ISR_CNT);
    assert_int_equal(irq_level, 1);
    assert_int_equal(rd8(NE_CNTR1), 128);
}

static void test_inject_rx_crc_error_waits_for_the_receiver(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    uint8_t f[100], hdr[4], data[2048];
    make_frame(f, MAC, sizeof f, 4);
    ne2000_inject(nic, DEV_COND_RX_CRC_ERROR);
    /* no cable, loopback, stopped: the receiver takes nothing in */
    ne2000_set_link(nic, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_LINK_DOWN);
    ne2000_set_link(nic, 1);
    wr8(NE_TCR, NE_TCR_LB_INTERNAL);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_LOOPBACK);
    wr8(NE_TCR, 0);
    wr8(NE_CR, NE_CR_STP | NE_CR_RD_ABORT);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STOPPED);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    assert_int_equal(isr(), 0);
    assert_int_equal(rd8(NE_CNTR1), 0);
    /* a packet for another station takes it: address recognition fails,
     * so RSR and CNTR1 are left alone (DP8390D section 12.0) */
    static const uint8_t other[6] = {0x02, 9, 9, 9, 9, 9};
    uint8_t g[100];
    make_frame(g, other, sizeof g, 4);
    assert_int_equal(ne2000_receive(nic, g, sizeof g), NE2000_RX_FILTERED);
    assert_int_equal(rd8(NE_CNTR1), 0);
    assert_int_equal(isr(), 0);
    assert_int_equal(ne2000_stats(nic)->rx_crc_errors, 1);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    assert_int_equal(nic_rx(hdr, data), sizeof f + 4);
    assert_int_equal(hdr[0], NE_RSR_PRX);
}

/* DP8390D section 10 ISR: RST is "set when the NIC enters reset mode".
 * With DEV_COND_RESET_HANG the reset port starts a reset that never gets
 * there: the NIC is stopped, RST stays 0 however long the driver polls,
 * STA is refused; the next reset-port reset completes. */
static void test_inject_reset_hang_never_sets_isr_rst(void **st)
{
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    assert_int_equal(ne2000_inject(nic, DEV_COND_RESET_HANG), 0);
    /* Linux: outb(inb(base + 0x1F), base + 0x1F), then poll ISR.RST */
    uint8_t v = rd8(0x1F);
    wr8(0x1F, v);
    for (unsigned i = 0; i < 10000; i++) {
        assert_int_equal(isr() & NE_ISR_RST, 0);
        dev_clock_advance(&clk, clk.now + 1000000); /* 1 ms, ten seconds in all */
    }
    assert_int_equal(dev_clock_next(&clk), UINT64_MAX);
    /* stopped (CR.STP, the RESET state of section 11.0) but not in reset mode */
    assert_int_equal(rd8(NE_CR), NE_CR_STP | NE_CR_RD_ABORT);
    assert_int_equal(isr(), 0);
    assert_int_equal(rd_page(2, NE_IMR), 0);
    assert_int_equal(irq_level, 0);
    /* STA is refused; STP does not reach reset mode either */
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    assert_int_equal(rd8(NE_CR), NE_CR_STP | NE_CR_RD_ABORT);
    wr8(NE_CR, NE_CR_STP | NE_CR_RD_ABORT);
    assert_int_equal(isr() & NE_ISR_RST, 0);
    uint8_t f[64];
    make_frame(f, MAC, sizeof f, 1);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STOPPED);
    /* the card's remote DMA still reads the ID PROM; nothing is sent */
    uint8_t prom[12];
    dma_read(0, prom, sizeof prom);
    assert_int_equal(prom[0], MAC[0]);
    assert_int_equal(prom[10], MAC[5]);
    nic_send(f, sizeof f);
    assert_int_equal(sent_count, 0);
    assert_int_equal(isr() & NE_ISR_RST, 0);
    assert_int_equal(ne2000_stats(nic)->reset_hangs, 1);
    /* the next reset through the port completes */
    v = rd8(0x1F);
    assert_int_equal(isr(), NE_ISR_RST);
    wr8(0x1F, v);
    assert_int_equal(isr(), NE_ISR_RST);
    nic_init(NE_RCR_AB, RX_START, RX_STOP);
    assert_int_equal(rd8(NE_CR), NE_CR_STA | NE_CR_RD_ABORT);
    assert_int_equal(isr() & NE_ISR_RST, 0);
    assert_int_equal(ne2000_receive(nic, f, sizeof f), NE2000_RX_STORED);
    nic_send(f, sizeof f);
    assert_int_equal(sent_count, 1);
    /* fired once */
    rd8(0x1F);
    assert_int_equal(isr() & NE_ISR_RST, NE_ISR_RST);
    assert_int_equal(ne2000_stats(nic)->reset_hangs, 1);
}

static void test_inject_reset_hang_by_a_write_and_power_on(void **st)
{
    /* clones that reset on a write alone: the next write completes */
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    assert_int_equal(ne2000_inject(nic, DEV_COND_RESET_HANG), 0);
    wr8(0x1F, 0);
    assert_int_equal(rd8(NE_CR), NE_CR_STP | NE_CR_RD_ABORT);
    assert_int_equal(isr() & NE_ISR_RST, 0);
    dev_clock_advance(&clk, 5000000000ull);
    assert_int_equal(isr() & NE_ISR_RST, 0);
    wr8(0x1F, 0);
    assert_int_equal(isr(), NE_ISR_RST);
    /* power-on reset is not the reset port: it ends a hang, and the
     * condition armed before it waits for the port */
    assert_int_equal(ne2000_inject(nic, DEV_COND_RESET_HANG), 0);
    ne2000_reset(nic);
    assert_int_equal(isr(), NE_ISR_RST);
    rd8(0x1F);
    assert_int_equal(isr() & NE_ISR_RST, 0);
    ne2000_reset(nic);
    assert_int_equal(isr(), NE_ISR_RST);
    wr8(NE_CR, NE_CR_STA | NE_CR_RD_ABORT);
    assert_int_equal(rd8(NE_CR), NE_CR_STA | NE_CR_RD_ABORT);
}

int main(void)
{
#define P(f) cmocka_unit_test_setup_teardown(f, setup_pci, teardown)
#define I(f) cmocka_unit_test_setup_teardown(f, setup_isa, teardown)
    const struct CMUnitTest tests[] = {
        P(test_reset_values_follow_the_table),
        P(test_table_lookup_by_page_and_direction),
        P(test_register_classes_follow_the_datasheet),
        P(test_write_only_registers_read_their_read_view),
        I(test_write_only_registers_read_their_read_view),
        P(test_page1_and_page2_registers),
        P(test_linux_probe_sees_paged_read_clear_counter),
        P(test_reset_port_read_resets_and_sets_rst),
        I(test_reset_port_read_resets_and_sets_rst),
        P(test_stop_sets_rst_start_clears_it_and_writes_do_not),
        P(test_isr_write_one_to_clear_and_irq_line_level),
        P(test_prom_read_via_remote_dma_in_word_mode),
        I(test_prom_read_via_remote_dma_in_word_mode),
        P(test_prom_byte_reads_show_doubled_bytes),
        P(test_remote_dma_write_then_read_back),
        P(test_dword_data_port_access_is_two_word_transfers),
        P(test_byte_order_select_swaps_word_lanes),
        P(test_ram_sizing_finds_16k_at_4000),
        P(test_remote_read_wraps_at_pstop),
        P(test_remote_read_prefetches_one_unit),
        P(test_stray_data_port_accesses_are_traced),
        P(test_zero_length_remote_dma_completes_at_once),
        P(test_transmit_sends_tbcr_bytes_from_tpsr),
        P(test_transmit_while_stopped_is_ignored),
        P(test_transmit_link_down_reports_carrier_lost),
        P(test_transmit_with_crc_inhibit_strips_the_driver_fcs),
        P(test_receive_stores_header_frame_and_crc),
        P(test_fcs_and_multicast_hash),
        P(test_receive_accept_modes),
        P(test_receive_runt_needs_ar),
        P(test_receive_errors_need_sep_and_are_counted),
        P(test_tally_counters_saturate_and_set_cnt),
        P(test_receive_ring_wraps_at_pstop),
        P(test_overflow_sets_ovw_and_blocks_until_the_recovery_procedure),
        P(test_receive_monitor_mode_counts_but_does_not_store),
        P(test_receive_while_stopped_or_without_ring),
        P(test_send_packet_command_removes_packets),
        P(test_internal_loopback),
        P(test_loopback_crc_and_address_recognition),
        P(test_loopback_in_word_mode_uses_one_byte_lane),
        P(test_external_loopback_reaches_the_cable),
        P(test_rtl8029_id_and_page3_registers),
        P(test_hltclk_needs_power_down_mode),
        P(test_pci_identity_and_bar_sizing),
        I(test_isa_mode_has_no_pci_and_reports_resources),
        I(test_isa_card_end_to_end),
        P(test_unmodelled_registers_read_all_ones_and_are_traced),
        P(test_wide_register_access_is_split_into_bytes),
        P(test_power_on_reset),
        I(test_bus_window_reaches_the_model),
        P(test_reg_name_follows_the_page_and_the_direction),
        I(test_reg_name_follows_the_page_and_the_direction),
        P(test_reg_name_has_no_side_effects),
        P(test_inject_tx_error_aborts_with_abt_and_txe),
        P(test_inject_tx_underrun_aborts_with_fu_and_txe),
        I(test_inject_fires_on_a_packet_to_the_cable_only),
        P(test_inject_rx_crc_error_is_counted_and_rejected_without_sep),
        P(test_inject_rx_crc_error_is_stored_with_sep),
        P(test_inject_rx_crc_error_sets_cnt_when_cntr1_reaches_128),
        I(test_inject_rx_crc_error_waits_for_the_receiver),
        P(test_inject_reset_hang_never_sets_isr_rst),
        I(test_inject_reset_hang_by_a_write_and_power_on),
    };
#undef P
#undef I
    return cmocka_run_group_tests_name("ne2000", tests, NULL, NULL);
}
