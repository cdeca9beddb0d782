/* Am79C970A PCnet-PCI II model at the register level: named accessors the
 * way a driver uses RAP/RDP/BDP, a fake guest memory behind DevDma, a
 * recorded interrupt line and cable, virtual time stepped explicitly. No
 * CPU, no driver. */
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
#include "dev/pcnet.h"
#include "trace/trace.h"

/* ---- fixture: guest memory, interrupt line, cable, clock ---- */

#define MEM_BASE 0x00100000u
#define MEM_SIZE 0x00040000u
#define IBLK (MEM_BASE + 0x0000u)   /* initialization block */
#define RXRING (MEM_BASE + 0x1000u) /* receive descriptors */
#define TXRING (MEM_BASE + 0x2000u) /* transmit descriptors */
#define RXBUF(n) (MEM_BASE + 0x10000u + 0x800u * (n))
#define TXBUF(n) (MEM_BASE + 0x20000u + 0x800u * (n))
#define BAD_ADDR 0x7FFF0000u /* outside guest memory */

static const uint8_t MAC[6] = {0x02, 0x00, 0x5E, 0x10, 0x20, 0x30};
static const uint8_t BCAST[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
static const uint8_t OTHER[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};

static uint8_t *mem;
static DevClock clk;
static Pcnet *nic;
static int irq_level, irq_changes;
static uint8_t sent[8][4096];
static size_t sent_len[8];
static unsigned sent_count;
static int dwio; /* the accessors' idea of the I/O mode */

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
    assert_true(len <= sizeof sent[0]);
    if (sent_count < 8) {
        memcpy(sent[sent_count], frame, len);
        sent_len[sent_count] = len;
    }
    sent_count++;
}

static void enable_pci(void)
{
    /* what the firmware/PnP manager does before the driver runs */
    pci_config_write(pcnet_pci(nic), PCI_COMMAND, 2,
                     PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static int setup(void **st)
{
    mem = calloc(1, MEM_SIZE);
    dev_clock_init(&clk);
    irq_level = irq_changes = 0;
    sent_count = 0;
    dwio = 0;
    DevDma dma = {mem_map, NULL};
    DevIrq irq = {irq_set, NULL, 10};
    NetPort port = {cable_send, NULL};
    nic = pcnet_new(&dma, &irq, &clk, &port, MAC);
    enable_pci();
    return mem && nic ? 0 : -1;
}

static int teardown(void **st)
{
    pcnet_free(nic);
    free(mem);
    return 0;
}

/* ---- register accessors, like a driver's ---- */

static uint32_t io_rd(uint32_t off, unsigned size)
{
    return pcnet_io_ops.read(nic, off, size);
}
static void io_wr(uint32_t off, unsigned size, uint32_t v)
{
    pcnet_io_ops.write(nic, off, size, v);
}

static void rap_wr(unsigned n)
{
    if (dwio)
        io_wr(PCNET_DWIO_RAP, 4, n);
    else
        io_wr(PCNET_WIO_RAP, 2, n);
}
static uint16_t csr_rd(unsigned n)
{
    rap_wr(n);
    return (uint16_t)(dwio ? io_rd(PCNET_DWIO_RDP, 4) : io_rd(PCNET_WIO_RDP, 2));
}
static void csr_wr(unsigned n, uint16_t v)
{
    rap_wr(n);
    if (dwio)
        io_wr(PCNET_DWIO_RDP, 4, v);
    else
        io_wr(PCNET_WIO_RDP, 2, v);
}
static uint16_t bcr_rd(unsigned n)
{
    rap_wr(n);
    return (uint16_t)(dwio ? io_rd(PCNET_DWIO_BDP, 4) : io_rd(PCNET_WIO_BDP, 2));
}
static void bcr_wr(unsigned n, uint16_t v)
{
    rap_wr(n);
    if (dwio)
        io_wr(PCNET_DWIO_BDP, 4, v);
    else
        io_wr(PCNET_WIO_BDP, 2, v);
}
static void s_reset(void)
{
    if (dwio)
        io_rd(PCNET_DWIO_RESET, 4);
    else
        io_rd(PCNET_WIO_RESET, 2);
}

/* ---- guest memory ---- */

static uint8_t *guest(uint32_t addr)
{
    return mem + (addr - MEM_BASE);
}
static void put16(uint32_t addr, uint16_t v)
{
    guest(addr)[0] = (uint8_t)v;
    guest(addr)[1] = (uint8_t)(v >> 8);
}
static void put32(uint32_t addr, uint32_t v)
{
    put16(addr, (uint16_t)v);
    put16(addr + 2, (uint16_t)(v >> 16));
}
static uint16_t get16(uint32_t addr)
{
    return (uint16_t)(guest(addr)[0] | guest(addr)[1] << 8);
}
static uint32_t get32(uint32_t addr)
{
    return get16(addr) | (uint32_t)get16(addr + 2) << 16;
}

/* Descriptors in the three software styles, seen through the SWSTYLE 2
 * layout: flags = RMD1/TMD1, status = RMD2/TMD2. */
typedef struct TDesc {
    uint32_t addr, flags, status;
} TDesc;

static unsigned style;

static uint32_t desc_at(uint32_t ring, unsigned idx)
{
    return ring + idx * (style == 0 ? 8u : 16u);
}

static void desc_put(uint32_t ring, unsigned idx, TDesc d)
{
    uint32_t a = desc_at(ring, idx);
    if (style == 0) {
        put16(a, (uint16_t)d.addr);
        put16(a + 2, (uint16_t)((d.addr >> 16 & 0xFF) | (d.flags >> 16 & 0xFF00)));
        put16(a + 4, (uint16_t)d.flags);
        put16(a + 6, (uint16_t)(ring == TXRING ? d.status >> 16 : d.status));
    } else if (style == 3) {
        put32(a, d.status);
        put32(a + 4, d.flags);
        put32(a + 8, d.addr);
        put32(a + 12, 0);
    } else {
        put32(a, d.addr);
        put32(a + 4, d.flags);
        put32(a + 8, d.status);
        put32(a + 12, 0);
    }
}

static TDesc desc_get(uint32_t ring, unsigned idx)
{
    uint32_t a = desc_at(ring, idx);
    TDesc d;
    if (style == 0) {
        d.addr = get16(a) | (uint32_t)(get16(a + 2) & 0xFF) << 16;
        d.flags = (uint32_t)(get16(a + 2) & 0xFF00) << 16 | get16(a + 4);
        d.status = ring == TXRING ? (uint32_t)get16(a + 6) << 16 : get16(a + 6);
    } else if (style == 3) {
        d.status = get32(a);
        d.flags = get32(a + 4);
        d.addr = get32(a + 8);
    } else {
        d.addr = get32(a);
        d.flags = get32(a + 4);
        d.status = get32(a + 8);
    }
    return d;
}

static uint32_t bcnt(uint32_t len)
{
    return PCNET_DESC_ONES | ((0u - len) & PCNET_DESC_BCNT);
}

/* Give receive descriptor idx a buffer of `size` bytes. */
static void rx_give(unsigned idx, uint32_t size)
{
    desc_put(RXRING, idx, (TDesc){RXBUF(idx), PCNET_DESC_OWN | bcnt(size), 0});
}

/* Queue `len` bytes at TXBUF(idx) in transmit descriptor idx. */
static void tx_give(unsigned idx, uint32_t len, uint32_t flags)
{
    desc_put(TXRING, idx, (TDesc){TXBUF(idx), PCNET_DESC_OWN | flags | bcnt(len), 0});
}

/* A frame to `dst` from a fixed source, payload counting from seed. */
static size_t make_frame(uint8_t *f, const uint8_t dst[6], size_t len, uint8_t seed)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, OTHER, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seed + i);
    return len;
}

/* Write the initialization block for the current style: 16-bit (style 0)
 * or 32-bit layout, rings of 2^rcode / 2^tcode entries. */
static void write_init_block(uint16_t mode, unsigned rcode, unsigned tcode, const uint8_t padr[6],
                             uint64_t ladrf)
{
    memset(guest(IBLK), 0, 28);
    if (style == 0) {
        put16(IBLK, mode);
        memcpy(guest(IBLK + 2), padr, 6);
        for (unsigned i = 0; i < 4; i++)
            put16(IBLK + 8 + 2 * i, (uint16_t)(ladrf >> (16 * i)));
        put16(IBLK + 16, (uint16_t)RXRING);
        put16(IBLK + 18, (uint16_t)((RXRING >> 16 & 0xFF) | rcode << 13));
        put16(IBLK + 20, (uint16_t)TXRING);
        put16(IBLK + 22, (uint16_t)((TXRING >> 16 & 0xFF) | tcode << 13));
    } else {
        put16(IBLK, mode);
        guest(IBLK)[2] = (uint8_t)(rcode << 4);
        guest(IBLK)[3] = (uint8_t)(tcode << 4);
        memcpy(guest(IBLK + 4), padr, 6);
        for (unsigned i = 0; i < 4; i++)
            put16(IBLK + 12 + 2 * i, (uint16_t)(ladrf >> (16 * i)));
        put32(IBLK + 20, RXRING);
        put32(IBLK + 24, TXRING);
    }
}

/* The driver's bring-up: software style, init block, INIT, wait for
 * IDON, acknowledge it, STRT with interrupts enabled. */
static void bring_up(unsigned sw, uint16_t mode, unsigned rcode, unsigned tcode, uint64_t ladrf)
{
    style = sw;
    bcr_wr(PCNET_BCR20, (uint16_t)sw);
    write_init_block(mode, rcode, tcode, MAC, ladrf);
    csr_wr(PCNET_CSR1, (uint16_t)IBLK);
    csr_wr(PCNET_CSR2, (uint16_t)(IBLK >> 16));
    csr_wr(PCNET_CSR0, PCNET_CSR0_INIT);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_IDON);
    csr_wr(PCNET_CSR0, PCNET_CSR0_IDON);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT | PCNET_CSR0_IENA);
}

/* ---- trace capture ---- */

static unsigned notes;
static char last_note[256];

static void note_sink(void *opaque, const TraceEvent *ev)
{
    if (ev->kind == TRACE_NOTE && ev->name && !strcmp(ev->name, "pcnet")) {
        notes++;
        snprintf(last_note, sizeof last_note, "%s", ev->text ? ev->text : "");
    }
}

/* ---- APROM, identity, reset values ---- */

static void test_aprom_holds_mac_checksum_and_ww(void **st)
{
    uint8_t ap[16];
    for (unsigned i = 0; i < 16; i++)
        ap[i] = (uint8_t)io_rd(PCNET_APROM + i, 1);
    assert_memory_equal(ap, MAC, 6);
    assert_int_equal(ap[9], PCNET_APROM_HWID);
    assert_int_equal(ap[14], 'W');
    assert_int_equal(ap[15], 'W');
    uint16_t sum = 0;
    for (unsigned i = 0; i < 16; i++)
        if (i != 12 && i != 13)
            sum = (uint16_t)(sum + ap[i]);
    assert_int_equal(ap[12] | ap[13] << 8, sum);
    /* word and dword reads of the same bytes */
    assert_int_equal(io_rd(PCNET_APROM + 4, 2), MAC[4] | MAC[5] << 8);
    assert_int_equal(io_rd(PCNET_APROM, 4),
                     MAC[0] | MAC[1] << 8 | MAC[2] << 16 | (uint32_t)MAC[3] << 24);
}

static void test_aprom_writes_need_apromwe(void **st)
{
    io_wr(PCNET_APROM, 1, 0xAA);
    assert_int_equal(io_rd(PCNET_APROM, 1), MAC[0]);
    bcr_wr(PCNET_BCR2, bcr_rd(PCNET_BCR2) | PCNET_BCR2_APROMWE);
    io_wr(PCNET_APROM, 1, 0xAA);
    assert_int_equal(io_rd(PCNET_APROM, 1), 0xAA);
    pcnet_reset(nic); /* H_RESET reloads the APROM from the EEPROM */
    enable_pci();
    assert_int_equal(io_rd(PCNET_APROM, 1), MAC[0]);
}

static void test_pci_identity_and_bars(void **st)
{
    PciDevice *p = pcnet_pci(nic);
    assert_int_equal(pci_config_read(p, PCI_VENDOR_ID, 4), 0x20001022);
    assert_int_equal(pci_config_read(p, PCI_REVISION_ID, 4), 0x02000000 | PCNET_REVISION);
    assert_int_equal(pci_config_read(p, PCI_INTERRUPT_PIN, 1), 1);
    assert_int_equal(pci_config_read(p, PCI_MIN_GNT, 2), 0xFF06);
    pci_config_write(p, PCI_BAR0, 4, 0xFFFFFFFF);
    assert_int_equal(pci_config_read(p, PCI_BAR0, 4), 0xFFFFFFE1); /* I/O, 32 bytes */
    pci_config_write(p, PCI_BAR0 + 4, 4, 0xFFFFFFFF);
    assert_int_equal(pci_config_read(p, PCI_BAR0 + 4, 4), 0xFFFFFFE0); /* memory, 32 bytes */
}

static void test_csr_reset_values_follow_the_table(void **st)
{
    for (unsigned i = 0; i < pcnet_csr_nregs; i++) {
        const RegDesc *r = &pcnet_csr_regs[i];
        if (r->offset >= PCNET_CSR12 && r->offset <= PCNET_CSR12 + 2)
            continue; /* PADR holds the MAC */
        assert_int_equal(csr_rd(r->offset), r->reset);
    }
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(csr_rd(PCNET_CSR12 + i), MAC[2 * i] | MAC[2 * i + 1] << 8);
    assert_int_equal(csr_rd(PCNET_CSR0), PCNET_CSR0_STOP);
    assert_int_equal(irq_level, 0);
}

static void test_bcr_reset_values_follow_the_table(void **st)
{
    for (unsigned i = 0; i < pcnet_bcr_nregs; i++) {
        const RegDesc *r = &pcnet_bcr_regs[i];
        uint16_t want = (uint16_t)r->reset;
        if (r->offset == PCNET_BCR4)
            want |= PCNET_LED_LEDOUT; /* link pass, LNKSTE set */
        assert_int_equal(bcr_rd(r->offset), want);
    }
    /* EEPROM present and valid */
    assert_int_equal(bcr_rd(PCNET_BCR19) & (PCNET_BCR19_PVALID | PCNET_BCR19_EEDET),
                     PCNET_BCR19_PVALID | PCNET_BCR19_EEDET);
}

static void assert_class(const RegDesc *t, unsigned n, uint32_t num, RegClass cls, unsigned flags)
{
    const RegDesc *r = reg_find(t, n, num, 2);
    assert_non_null(r);
    if (r->cls != cls || r->flags != flags)
        fail_msg("%s is %s/0x%x, the datasheet says %s/0x%x", r->name, reg_class_name(r->cls),
                 r->flags, reg_class_name(cls), flags);
}

static void assert_rows_classified(const RegDesc *t, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (t[i].cls == REG_CLASS_NONE)
            fail_msg("%s has no class", t[i].name);
        if ((t[i].flags & REG_F_COUNTER) && t[i].cls == REG_CLASS_CONTROL)
            fail_msg("counter %s is classed control", t[i].name);
    }
}

/* Register classes (regs.h) as the Am79C970A register descriptions give them. */
static void test_register_classes_follow_the_datasheet(void **st)
{
    assert_rows_classified(pcnet_io_regs, pcnet_io_nregs);
    assert_rows_classified(pcnet_csr_regs, pcnet_csr_nregs);
    assert_rows_classified(pcnet_bcr_regs, pcnet_bcr_nregs);
    /* RAP indexes RDP and BDP, in both I/O modes; nothing else is an index */
    for (unsigned i = 0; i < pcnet_io_nregs; i++) {
        const RegDesc *r = &pcnet_io_regs[i];
        if (!strcmp(r->name, "RAP")) {
            assert_int_equal(r->cls, REG_CLASS_CONTROL);
            assert_int_equal(r->flags, REG_F_INDEX);
        } else {
            assert_false(r->flags & REG_F_INDEX);
        }
        if (!strcmp(r->name, "RDP") || !strcmp(r->name, "BDP"))
            assert_int_equal(r->cls, REG_CLASS_DATA);
    }
    const RegDesc *csr = pcnet_csr_regs, *bcr = pcnet_bcr_regs;
    unsigned nc = pcnet_csr_nregs, nb = pcnet_bcr_nregs;
    assert_class(csr, nc, PCNET_CSR0, REG_CLASS_CS, REG_F_SELFCLEAR); /* TDMD; RINT, IDON */
    assert_class(csr, nc, PCNET_CSR3, REG_CLASS_CONTROL, 0);
    assert_class(csr, nc, 1, REG_CLASS_CONTROL, REG_F_DMA);  /* IADR: the init block's address */
    assert_class(csr, nc, PCNET_CSR4, REG_CLASS_CS, REG_F_SELFCLEAR); /* UINTCMD */
    assert_class(csr, nc, PCNET_CSR15, REG_CLASS_CONTROL, 0);
    assert_class(csr, nc, PCNET_CSR24, REG_CLASS_CONTROL, REG_F_DMA);
    assert_class(csr, nc, PCNET_CSR88, REG_CLASS_STATUS, 0);
    assert_class(csr, nc, PCNET_CSR112, REG_CLASS_STATUS, REG_F_COUNTER);
    assert_class(csr, nc, PCNET_CSR114, REG_CLASS_STATUS, REG_F_COUNTER);
    assert_class(bcr, nb, PCNET_BCR19, REG_CLASS_CS, REG_F_SELFCLEAR); /* PREAD, PVALID */
    assert_class(bcr, nb, PCNET_BCR20, REG_CLASS_CONTROL, 0);
}

static void test_chip_id_is_am79c970a(void **st)
{
    uint32_t id = csr_rd(PCNET_CSR88) | (uint32_t)csr_rd(PCNET_CSR89) << 16;
    assert_int_equal((id >> 12) & 0xFFFF, PCNET_PART_ID);
    assert_int_equal(id & 0xFFF, 0x003); /* manufacturer ID 1 (AMD), bit 0 set */
    csr_wr(PCNET_CSR88, 0);
    assert_int_equal(csr_rd(PCNET_CSR88), 0x1003);
}

/* ---- I/O modes ---- */

static void test_wio_offsets_and_switch_to_dwio(void **st)
{
    /* word I/O: RAP at 12h, RDP at 10h, BDP at 16h */
    io_wr(PCNET_WIO_RAP, 2, PCNET_CSR3);
    assert_int_equal(io_rd(PCNET_WIO_RAP, 2), PCNET_CSR3);
    io_wr(PCNET_WIO_RDP, 2, PCNET_CSR3_RINTM);
    assert_int_equal(io_rd(PCNET_WIO_RDP, 2), PCNET_CSR3_RINTM);
    io_wr(PCNET_WIO_RAP, 2, PCNET_BCR18);
    assert_int_equal(io_rd(PCNET_WIO_BDP, 2), 0x9001);
    /* dword reads in WIO mode hit no register */
    assert_int_equal(io_rd(PCNET_DWIO_RDP, 4), 0xFFFFFFFF);
    assert_false(pcnet_dwio(nic));

    /* a 32-bit write to RDP enters DWIO mode */
    io_wr(PCNET_DWIO_RDP, 4, 0);
    assert_true(pcnet_dwio(nic));
    dwio = 1;
    assert_int_equal(bcr_rd(PCNET_BCR18), 0x9001 | PCNET_BCR18_DWIO);
    assert_int_equal(csr_rd(PCNET_CSR3), PCNET_CSR3_RINTM); /* the switch wrote nothing */
    /* RAP moved to 14h, BDP to 1Ch, RESET to 18h */
    io_wr(PCNET_DWIO_RAP, 4, PCNET_CSR88);
    assert_int_equal(io_rd(PCNET_DWIO_RAP, 4), PCNET_CSR88);
    assert_int_equal(io_rd(PCNET_DWIO_RDP, 4), 0x1003);
    /* 16-bit accesses no longer reach the registers */
    assert_int_equal(io_rd(PCNET_WIO_RDP, 2), 0xFFFF);
    io_wr(PCNET_WIO_RAP, 2, PCNET_CSR0);
    assert_int_equal(io_rd(PCNET_DWIO_RAP, 4), PCNET_CSR88);
    /* DWIO bit is read-only */
    bcr_wr(PCNET_BCR18, 0x9001);
    assert_true(pcnet_dwio(nic));
    /* S_RESET keeps DWIO; H_RESET leaves it */
    s_reset();
    assert_true(pcnet_dwio(nic));
    assert_int_equal(csr_rd(PCNET_CSR0), PCNET_CSR0_STOP);
    pcnet_reset(nic);
    enable_pci();
    assert_false(pcnet_dwio(nic));
    dwio = 0;
    assert_int_equal(csr_rd(PCNET_CSR0), PCNET_CSR0_STOP);
}

static void test_dwio_mode_runs_the_chip(void **st)
{
    io_wr(PCNET_DWIO_RDP, 4, 0);
    dwio = 1;
    bring_up(2, 0, 2, 2, 0);
    memset(guest(TXBUF(0)), 0x5A, 64);
    memcpy(guest(TXBUF(0)), OTHER, 6);
    tx_give(0, 64, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 1);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_TINT);
}

static void test_unmodelled_registers_read_all_ones_and_are_traced(void **st)
{
    notes = 0;
    assert_int_equal(trace_add_sink(note_sink, NULL), 0);
    uint64_t before = pcnet_stats(nic)->unmodelled;
    assert_int_equal(csr_rd(7), 0xFFFF); /* no CSR7 on the 970A */
    assert_int_equal(notes, 1);
    assert_non_null(strstr(last_note, "CSR7"));
    assert_int_equal(bcr_rd(3), 0xFFFF);
    assert_int_equal(bcr_rd(32), 0xFFFF); /* no MII on the 970A */
    bcr_wr(33, 0x1234);
    assert_int_equal(io_rd(0x18, 2), 0xFFFF);            /* nothing at 18h in WIO mode */
    assert_int_equal(io_rd(0xFFFFFFFEu, 4), 0xFFFFFFFF); /* offset + size wraps */
    assert_int_equal(pcnet_stats(nic)->unmodelled, before + 6);
    unsigned n = notes;
    csr_rd(PCNET_CSR4); /* modelled: silent */
    assert_int_equal(notes, n);
    trace_remove_sink(note_sink, NULL);
}

static void test_reset_register_read_is_s_reset(void **st)
{
    csr_wr(PCNET_CSR3, PCNET_CSR3_MISSM | PCNET_CSR3_DXSUFLO);
    csr_wr(PCNET_CSR4, 0x0915);
    csr_wr(PCNET_CSR15, PCNET_MODE_PROM);
    csr_wr(PCNET_CSR0, PCNET_CSR0_IENA);
    bcr_wr(PCNET_BCR20, 2);
    bcr_wr(PCNET_BCR9, PCNET_BCR9_FDEN);
    bcr_wr(PCNET_BCR2, PCNET_BCR2_ASEL | 0x0080);
    rap_wr(PCNET_CSR88);
    s_reset();
    assert_int_equal(io_rd(PCNET_WIO_RAP, 2), 0);
    assert_int_equal(csr_rd(PCNET_CSR0), PCNET_CSR0_STOP);
    assert_int_equal(csr_rd(PCNET_CSR3), 0);
    assert_int_equal(csr_rd(PCNET_CSR4), 0x0115);
    assert_int_equal(csr_rd(PCNET_CSR15), 0);
    /* no effect on the BCRs: software style, full duplex, MC kept */
    assert_int_equal(bcr_rd(PCNET_BCR20), 0x0302);
    assert_int_equal(csr_rd(PCNET_CSR58), 0x0302);
    assert_int_equal(bcr_rd(PCNET_BCR9), PCNET_BCR9_FDEN);
    assert_int_equal(bcr_rd(PCNET_BCR2), PCNET_BCR2_ASEL | 0x0080);
    assert_int_equal(io_rd(PCNET_APROM, 1), MAC[0]);
    /* a write to RESET does nothing */
    csr_wr(PCNET_CSR3, PCNET_CSR3_MISSM);
    io_wr(PCNET_WIO_RESET, 2, 0);
    assert_int_equal(csr_rd(PCNET_CSR3), PCNET_CSR3_MISSM);
}

static void test_software_style_sets_ssize32_and_csr58_aliases_bcr20(void **st)
{
    bcr_wr(PCNET_BCR20, 2);
    assert_int_equal(bcr_rd(PCNET_BCR20), 0x0302);
    csr_wr(PCNET_CSR58, 3);
    assert_int_equal(bcr_rd(PCNET_BCR20), 0x0303);
    assert_int_equal(csr_rd(PCNET_CSR58), 0x0303);
    notes = 0;
    assert_int_equal(trace_add_sink(note_sink, NULL), 0);
    bcr_wr(PCNET_BCR20, 1); /* ILACC: loud, handled in the SWSTYLE 2 layout */
    assert_int_equal(bcr_rd(PCNET_BCR20), 0x0101);
    assert_int_equal(notes, 1);
    assert_non_null(strstr(last_note, "ILACC"));
    trace_remove_sink(note_sink, NULL);
    bcr_wr(PCNET_BCR20, 0);
    assert_int_equal(bcr_rd(PCNET_BCR20), 0x0200);
    /* reserved styles are refused */
    bcr_wr(PCNET_BCR20, 7);
    assert_int_equal(bcr_rd(PCNET_BCR20), 0x0200);
}

static void test_stop_only_registers_ignore_writes_while_running(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    uint64_t before = pcnet_stats(nic)->ignored;
    csr_wr(PCNET_CSR15, PCNET_MODE_PROM);
    assert_int_equal(csr_rd(PCNET_CSR15), 0);
    bcr_wr(PCNET_BCR20, 0);
    assert_int_equal(bcr_rd(PCNET_BCR20), 0x0302);
    csr_wr(PCNET_CSR76, 0xFFFF);
    assert_int_equal(csr_rd(PCNET_CSR76), (uint16_t)-4);
    /* CSR3 and the LED registers are writable at any time */
    csr_wr(PCNET_CSR3, PCNET_CSR3_TINTM);
    assert_int_equal(csr_rd(PCNET_CSR3), PCNET_CSR3_TINTM);
    bcr_wr(PCNET_BCR5, 0x0040);
    assert_int_equal(bcr_rd(PCNET_BCR5), 0x0040 | PCNET_LED_LEDOUT);
    assert_int_equal(pcnet_stats(nic)->ignored, before + 3);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    csr_wr(PCNET_CSR15, PCNET_MODE_PROM);
    assert_int_equal(csr_rd(PCNET_CSR15), PCNET_MODE_PROM);
}

/* ---- initialization ---- */

static void test_init_32bit_block_swstyle2_raises_idon(void **st)
{
    style = 2;
    bcr_wr(PCNET_BCR20, 2);
    const uint8_t padr[6] = {0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE};
    write_init_block(PCNET_MODE_DRCVBC, 3, 4, padr, 0x8000000000000001ull);
    csr_wr(PCNET_CSR1, (uint16_t)IBLK);
    csr_wr(PCNET_CSR2, (uint16_t)(IBLK >> 16));
    csr_wr(PCNET_CSR0, PCNET_CSR0_INIT | PCNET_CSR0_IENA);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_int_equal(c0, PCNET_CSR0_INIT | PCNET_CSR0_IDON | PCNET_CSR0_INTR | PCNET_CSR0_IENA);
    assert_int_equal(irq_level, 1);
    assert_int_equal(csr_rd(PCNET_CSR15), PCNET_MODE_DRCVBC);
    assert_int_equal(csr_rd(PCNET_CSR12), 0xAA02);
    assert_int_equal(csr_rd(PCNET_CSR12 + 2), 0xEEDD);
    assert_int_equal(csr_rd(PCNET_CSR8), 0x0001);
    assert_int_equal(csr_rd(PCNET_CSR8 + 3), 0x8000);
    assert_int_equal(csr_rd(PCNET_CSR24) | (uint32_t)csr_rd(PCNET_CSR25) << 16, RXRING);
    assert_int_equal(csr_rd(PCNET_CSR30) | (uint32_t)csr_rd(PCNET_CSR31) << 16, TXRING);
    assert_int_equal(csr_rd(PCNET_CSR76), (uint16_t)-8);
    assert_int_equal(csr_rd(PCNET_CSR78), (uint16_t)-16);
    assert_int_equal(csr_rd(PCNET_CSR72), (uint16_t)-8); /* at entry 0 */
    assert_int_equal(csr_rd(PCNET_CSR6), 0x4300);
    /* IDON is write-one-to-clear */
    csr_wr(PCNET_CSR0, PCNET_CSR0_IDON | PCNET_CSR0_IENA);
    assert_int_equal(csr_rd(PCNET_CSR0), PCNET_CSR0_INIT | PCNET_CSR0_IENA);
    assert_int_equal(irq_level, 0);
    /* initialized, not started */
    assert_int_equal(csr_rd(PCNET_CSR0) & (PCNET_CSR0_TXON | PCNET_CSR0_RXON), 0);
}

static void test_init_16bit_block_swstyle0(void **st)
{
    /* 24-bit addresses; bits 31-24 from IADR[31:24] (0 here) */
    bring_up(0, 0, 3, 1, 0);
    assert_int_equal(csr_rd(PCNET_CSR24) | (uint32_t)csr_rd(PCNET_CSR25) << 16, RXRING);
    assert_int_equal(csr_rd(PCNET_CSR76), (uint16_t)-8);
    assert_int_equal(csr_rd(PCNET_CSR78), (uint16_t)-2);
    assert_int_equal(csr_rd(PCNET_CSR0) & (PCNET_CSR0_TXON | PCNET_CSR0_RXON | PCNET_CSR0_STRT),
                     PCNET_CSR0_TXON | PCNET_CSR0_RXON | PCNET_CSR0_STRT);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(csr_rd(PCNET_CSR12 + i), MAC[2 * i] | MAC[2 * i + 1] << 8);
}

static void test_init_32bit_ring_codes_above_9_mean_512(void **st)
{
    style = 3;
    bcr_wr(PCNET_BCR20, 3);
    write_init_block(0, 12, 9, MAC, 0);
    csr_wr(PCNET_CSR1, (uint16_t)IBLK);
    csr_wr(PCNET_CSR2, (uint16_t)(IBLK >> 16));
    csr_wr(PCNET_CSR0, PCNET_CSR0_INIT);
    assert_int_equal(csr_rd(PCNET_CSR76), (uint16_t)-512);
    assert_int_equal(csr_rd(PCNET_CSR78), (uint16_t)-512);
}

static void test_idon_masked_by_idonm(void **st)
{
    csr_wr(PCNET_CSR3, PCNET_CSR3_IDONM);
    style = 2;
    bcr_wr(PCNET_BCR20, 2);
    write_init_block(0, 1, 1, MAC, 0);
    csr_wr(PCNET_CSR1, (uint16_t)IBLK);
    csr_wr(PCNET_CSR2, (uint16_t)(IBLK >> 16));
    csr_wr(PCNET_CSR0, PCNET_CSR0_INIT | PCNET_CSR0_IENA);
    assert_int_equal(csr_rd(PCNET_CSR0) & (PCNET_CSR0_IDON | PCNET_CSR0_INTR), PCNET_CSR0_IDON);
    assert_int_equal(irq_level, 0);
    csr_wr(PCNET_CSR3, 0); /* unmasking raises the line */
    assert_int_equal(irq_level, 1);
}

static void test_init_block_outside_memory_is_merr(void **st)
{
    bcr_wr(PCNET_BCR20, 2);
    csr_wr(PCNET_CSR1, (uint16_t)BAD_ADDR);
    csr_wr(PCNET_CSR2, (uint16_t)(BAD_ADDR >> 16));
    csr_wr(PCNET_CSR0, PCNET_CSR0_INIT | PCNET_CSR0_STRT | PCNET_CSR0_IENA);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_true(c0 & PCNET_CSR0_MERR);
    assert_true(c0 & PCNET_CSR0_ERR);
    assert_false(c0 & (PCNET_CSR0_IDON | PCNET_CSR0_TXON | PCNET_CSR0_RXON));
    assert_int_equal(irq_level, 1);
    assert_true(pci_config_read(pcnet_pci(nic), PCI_STATUS, 2) & PCI_STATUS_REC_MASTER_ABORT);
    assert_int_equal(pcnet_stats(nic)->dma_errors, 1);
}

#define PCI_IO_MEM (PCI_COMMAND_IO | PCI_COMMAND_MEMORY)

/* Regression "driver that enables bus mastering after INIT got MERR": with
 * BME clear, INIT (and a STRT written with it) wait: no MERR, no IDON, no
 * master abort; setting BME runs them. */
static void test_init_waits_for_bus_mastering(void **st)
{
    pci_config_write(pcnet_pci(nic), PCI_COMMAND, 2, PCI_IO_MEM);
    style = 2;
    bcr_wr(PCNET_BCR20, 2);
    write_init_block(0, 1, 1, MAC, 0);
    csr_wr(PCNET_CSR1, (uint16_t)IBLK);
    csr_wr(PCNET_CSR2, (uint16_t)(IBLK >> 16));
    csr_wr(PCNET_CSR0, PCNET_CSR0_INIT | PCNET_CSR0_STRT | PCNET_CSR0_IENA);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_int_equal(c0 & (PCNET_CSR0_MERR | PCNET_CSR0_IDON | PCNET_CSR0_TXON), 0);
    assert_true(c0 & PCNET_CSR0_INIT);
    assert_int_equal(irq_level, 0);
    pci_config_write(pcnet_pci(nic), PCI_COMMAND, 2, PCI_IO_MEM | PCI_COMMAND_MASTER);
    c0 = csr_rd(PCNET_CSR0);
    assert_int_equal(c0 & (PCNET_CSR0_MERR | PCNET_CSR0_IDON | PCNET_CSR0_TXON | PCNET_CSR0_RXON),
                     PCNET_CSR0_IDON | PCNET_CSR0_TXON | PCNET_CSR0_RXON);
    assert_int_equal(csr_rd(PCNET_CSR76), (uint16_t)-2); /* the block was read: 2 entries */
    assert_int_equal(pci_config_read(pcnet_pci(nic), PCI_STATUS, 2) & PCI_STATUS_REC_MASTER_ABORT,
                     0);
    assert_int_equal(pcnet_stats(nic)->dma_errors, 0);
}

/* A running chip whose driver clears BME: a transmit poll waits (TDMD stays
 * set, the descriptor stays owned), a received frame is missed (MISS, not
 * MERR); setting BME sends the frame. */
static void test_ring_work_waits_for_bus_mastering(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    rx_give(0, 1536);
    pci_config_write(pcnet_pci(nic), PCI_COMMAND, 2, PCI_IO_MEM);
    uint8_t f[100];
    make_frame(f, OTHER, 100, 3);
    memcpy(guest(TXBUF(0)), f, 100);
    tx_give(0, 100, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 0);
    assert_true(desc_get(TXRING, 0).flags & PCNET_DESC_OWN);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_TDMD);
    make_frame(f, MAC, 100, 4);
    assert_int_equal(pcnet_receive(nic, f, 100), PCNET_RX_NO_BUS_MASTER);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_int_equal(c0 & (PCNET_CSR0_MISS | PCNET_CSR0_MERR), PCNET_CSR0_MISS);
    assert_true(desc_get(RXRING, 0).flags & PCNET_DESC_OWN);
    pci_config_write(pcnet_pci(nic), PCI_COMMAND, 2, PCI_IO_MEM | PCI_COMMAND_MASTER);
    assert_int_equal(sent_count, 1);
    assert_false(desc_get(TXRING, 0).flags & PCNET_DESC_OWN);
    assert_int_equal(pcnet_stats(nic)->dma_errors, 0);
    assert_int_equal(pcnet_receive(nic, f, 100), PCNET_RX_STORED);
}

static void test_alternative_init_through_csrs(void **st)
{
    /* rings set up by writing the CSRs while stopped, then STRT alone */
    style = 2;
    bcr_wr(PCNET_BCR20, 2);
    csr_wr(PCNET_CSR24, (uint16_t)RXRING);
    csr_wr(PCNET_CSR25, (uint16_t)(RXRING >> 16));
    csr_wr(PCNET_CSR30, (uint16_t)TXRING);
    csr_wr(PCNET_CSR31, (uint16_t)(TXRING >> 16));
    csr_wr(PCNET_CSR76, (uint16_t)-2);
    csr_wr(PCNET_CSR78, (uint16_t)-2);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT);
    rx_give(0, 1536);
    uint8_t f[100];
    make_frame(f, MAC, 100, 1);
    assert_int_equal(pcnet_receive(nic, f, 100), PCNET_RX_STORED);
    assert_memory_equal(guest(RXBUF(0)), f, 100);
    assert_int_equal(csr_rd(PCNET_CSR72), (uint16_t)-1); /* entry 1 next */
}

/* ---- transmit ---- */

static void tx_single_in_style(unsigned sw)
{
    bring_up(sw, 0, 2, 2, 0);
    uint8_t f[100];
    make_frame(f, OTHER, 100, (uint8_t)sw);
    memcpy(guest(TXBUF(0)), f, 100);
    tx_give(0, 100, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len[0], 100);
    assert_memory_equal(sent[0], f, 100);
    TDesc d = desc_get(TXRING, 0);
    assert_int_equal(d.flags & (PCNET_DESC_OWN | PCNET_DESC_ERR), 0);
    assert_int_equal(d.flags & (PCNET_DESC_STP | PCNET_DESC_ENP), PCNET_DESC_STP | PCNET_DESC_ENP);
    assert_int_equal(d.status, 0);
    assert_int_equal(d.addr, TXBUF(0));
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_true(c0 & PCNET_CSR0_TINT);
    assert_false(c0 & PCNET_CSR0_TDMD);
    assert_int_equal(irq_level, 1);
    assert_true(csr_rd(PCNET_CSR4) & PCNET_CSR4_TXSTRT);
    assert_int_equal(csr_rd(PCNET_CSR74), (uint16_t)-3); /* entry 1 next */
    /* the next descriptor is not owned: nothing more */
    csr_wr(PCNET_CSR0, PCNET_CSR0_TINT | PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 1);
    assert_int_equal(irq_level, 0);
}

static void test_tx_single_descriptor_swstyle0(void **st)
{
    tx_single_in_style(0);
}

static void test_tx_single_descriptor_swstyle2(void **st)
{
    tx_single_in_style(2);
}

static void test_tx_single_descriptor_swstyle3(void **st)
{
    tx_single_in_style(3);
}

static void test_tx_chained_descriptors_make_one_frame(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    uint8_t f[300];
    make_frame(f, OTHER, 300, 9);
    memcpy(guest(TXBUF(0)), f, 100);
    memcpy(guest(TXBUF(1)), f + 100, 150);
    memcpy(guest(TXBUF(2)), f + 250, 50);
    tx_give(1, 150, 0);
    tx_give(2, 50, PCNET_DESC_ENP);
    tx_give(0, 100, PCNET_DESC_STP); /* STP handed over last, as drivers do */
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len[0], 300);
    assert_memory_equal(sent[0], f, 300);
    for (unsigned i = 0; i < 3; i++)
        assert_false(desc_get(TXRING, i).flags & PCNET_DESC_OWN);
    assert_int_equal(csr_rd(PCNET_CSR74), (uint16_t)-1); /* entry 3 next */
}

static void test_tx_chain_without_enp_is_buff_uflo(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    memset(guest(TXBUF(0)), 1, 100);
    tx_give(0, 100, PCNET_DESC_STP); /* no ENP, next descriptor not owned */
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 0);
    TDesc d = desc_get(TXRING, 0);
    assert_false(d.flags & PCNET_DESC_OWN);
    assert_true(d.flags & PCNET_DESC_ERR);
    assert_int_equal(d.status & (PCNET_TMD2_BUFF | PCNET_TMD2_UFLO),
                     PCNET_TMD2_BUFF | PCNET_TMD2_UFLO);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_true(c0 & PCNET_CSR0_TINT);
    assert_false(c0 & PCNET_CSR0_TXON); /* transmitter off without DXSUFLO */
    assert_true(c0 & PCNET_CSR0_RXON);
}

static void test_tx_chain_without_enp_with_dxsuflo_keeps_transmitting(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    csr_wr(PCNET_CSR3, PCNET_CSR3_DXSUFLO);
    tx_give(0, 100, PCNET_DESC_STP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_true(desc_get(TXRING, 0).status & PCNET_TMD2_UFLO);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_TXON);
    tx_give(1, 64, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 1);
}

static void test_tx_odd_descriptors_are_traced_not_fatal(void **st)
{
    bring_up(2, 0, 3, 3, 0);
    notes = 0;
    assert_int_equal(trace_add_sink(note_sink, NULL), 0);
    /* no STP where a frame starts: taken as the start */
    tx_give(0, 64, PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 1);
    assert_non_null(strstr(last_note, "STP"));
    /* ONES not 1111b */
    desc_put(TXRING, 1,
             (TDesc){TXBUF(1), PCNET_DESC_OWN | PCNET_DESC_STP | PCNET_DESC_ENP | 64u, 0});
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 2);
    /* 1600 bytes: babble; 3 x 4096 bytes: truncated to 4096 */
    tx_give(2, 1000, PCNET_DESC_STP);
    tx_give(3, 600, PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 3);
    assert_int_equal(sent_len[2], 1600);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_BABL);
    desc_put(TXRING, 4, (TDesc){TXBUF(0), PCNET_DESC_OWN | PCNET_DESC_STP | bcnt(4096), 0});
    desc_put(TXRING, 5, (TDesc){TXBUF(0), PCNET_DESC_OWN | bcnt(4096), 0});
    desc_put(TXRING, 6, (TDesc){TXBUF(0), PCNET_DESC_OWN | PCNET_DESC_ENP | bcnt(4096), 0});
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 4);
    assert_int_equal(sent_len[3], 4096);
    assert_non_null(strstr(last_note, "BABL"));
    /* a driver FCS on a frame too short to hold one */
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    csr_wr(PCNET_CSR15, PCNET_MODE_DXMTFCS);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT);
    tx_give(7, 10, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 4);
    assert_false(desc_get(TXRING, 7).flags & PCNET_DESC_OWN);
    trace_remove_sink(note_sink, NULL);
}

static void test_tx_apad_pads_short_frames(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    uint8_t f[42];
    make_frame(f, OTHER, 42, 3);
    memcpy(guest(TXBUF(0)), f, 42);
    memcpy(guest(TXBUF(1)), f, 42);
    tx_give(0, 42, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_len[0], 42); /* no APAD_XMT: sent as a runt */
    csr_wr(PCNET_CSR4, 0x0115 | PCNET_CSR4_APAD_XMT);
    memset(guest(TXBUF(1)) + 42, 0xEE, 18);
    tx_give(1, 42, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 2);
    assert_int_equal(sent_len[1], 60);
    assert_memory_equal(sent[1], f, 42);
    static const uint8_t zeros[18];
    assert_memory_equal(sent[1] + 42, zeros, 18);
}

static void test_tx_driver_fcs_with_dxmtfcs_and_add_fcs(void **st)
{
    bring_up(2, PCNET_MODE_DXMTFCS, 2, 2, 0);
    uint8_t f[104];
    make_frame(f, OTHER, 100, 4);
    uint32_t fcs = pcnet_fcs(f, 100);
    for (unsigned i = 0; i < 4; i++)
        f[100 + i] = (uint8_t)(fcs >> (8 * i));
    memcpy(guest(TXBUF(0)), f, 104);
    tx_give(0, 104, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len[0], 100); /* the cable carries no FCS */
    assert_memory_equal(sent[0], f, 100);
    /* ADD_FCS: the chip generates it despite DXMTFCS */
    memcpy(guest(TXBUF(1)), f, 100);
    tx_give(1, 100, PCNET_DESC_STP | PCNET_DESC_ENP | PCNET_TMD1_ADD_FCS);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 2);
    assert_int_equal(sent_len[1], 100);
    /* a wrong driver FCS: not delivered, traced */
    memcpy(guest(TXBUF(2)), f, 104);
    guest(TXBUF(2))[103] ^= 0xFF;
    tx_give(2, 104, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 2);
    assert_false(desc_get(TXRING, 2).flags & PCNET_DESC_OWN);
}

static void test_tx_polling_on_virtual_time_and_dpoll(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    memset(guest(TXBUF(0)), 0x11, 64);
    tx_give(0, 64, PCNET_DESC_STP | PCNET_DESC_ENP);
    assert_int_equal(sent_count, 0); /* no TDMD: waits for the poll */
    dev_clock_advance(&clk, clk.now + 1000000);
    assert_int_equal(sent_count, 0);
    dev_clock_advance(&clk, clk.now + 1100000); /* ~1.98 ms interval */
    assert_int_equal(sent_count, 1);
    /* DPOLL: only TDMD starts a transmission */
    csr_wr(PCNET_CSR4, 0x0115 | PCNET_CSR4_DPOLL);
    tx_give(1, 64, PCNET_DESC_STP | PCNET_DESC_ENP);
    dev_clock_advance(&clk, clk.now + 10000000);
    assert_int_equal(sent_count, 1);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 2);
}

static void test_tx_link_down_reports_lcar(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    pcnet_set_link(nic, 0);
    tx_give(0, 64, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 0);
    TDesc d = desc_get(TXRING, 0);
    assert_true(d.flags & PCNET_DESC_ERR);
    assert_true(d.status & PCNET_TMD2_LCAR);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_TINT);
}

static void test_tx_tokintd_and_ltint(void **st)
{
    bring_up(2, 0, 3, 3, 0);
    csr_wr(PCNET_CSR5, PCNET_CSR5_TOKINTD | PCNET_CSR5_LTINTEN);
    tx_give(0, 64, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 1);
    assert_false(csr_rd(PCNET_CSR0) & PCNET_CSR0_TINT);
    tx_give(1, 64, PCNET_DESC_STP | PCNET_DESC_ENP | PCNET_TMD1_MORE_LTINT);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 2);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_TINT);
    assert_true(desc_get(TXRING, 1).flags & PCNET_TMD1_MORE_LTINT); /* LTINT kept */
}

static void test_tx_bad_buffer_address_is_merr(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    desc_put(TXRING, 0,
             (TDesc){BAD_ADDR, PCNET_DESC_OWN | PCNET_DESC_STP | PCNET_DESC_ENP | bcnt(64), 0});
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 0);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_true(c0 & PCNET_CSR0_MERR);
    assert_false(c0 & (PCNET_CSR0_TXON | PCNET_CSR0_RXON));
    assert_int_equal(irq_level, 1);
    /* MERR masked by MERRM: no interrupt */
    csr_wr(PCNET_CSR0, PCNET_CSR0_MERR | PCNET_CSR0_IENA);
    assert_int_equal(irq_level, 0);
}

static void test_tx_ring_outside_memory_is_merr(void **st)
{
    style = 2;
    bcr_wr(PCNET_BCR20, 2);
    csr_wr(PCNET_CSR30, 0xFFF0);
    csr_wr(PCNET_CSR31, 0xFFFF);
    csr_wr(PCNET_CSR78, (uint16_t)-4);
    csr_wr(PCNET_CSR76, (uint16_t)-4);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT); /* polls the ring at once */
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_MERR);
    assert_int_equal(pcnet_stats(nic)->dma_errors, 1);
}

/* ---- receive ---- */

static void rx_single_in_style(unsigned sw)
{
    bring_up(sw, 0, 2, 2, 0);
    rx_give(0, 1536);
    rx_give(1, 1536);
    uint8_t f[200];
    make_frame(f, MAC, 200, (uint8_t)sw);
    assert_int_equal(pcnet_receive(nic, f, 200), PCNET_RX_STORED);
    assert_memory_equal(guest(RXBUF(0)), f, 200);
    assert_int_equal(get32(RXBUF(0) + 200), pcnet_fcs(f, 200));
    TDesc d = desc_get(RXRING, 0);
    assert_false(d.flags & (PCNET_DESC_OWN | PCNET_DESC_ERR));
    assert_int_equal(d.flags & (PCNET_DESC_STP | PCNET_DESC_ENP), PCNET_DESC_STP | PCNET_DESC_ENP);
    if (sw != 0)
        assert_true(d.flags & PCNET_RMD1_PAM);
    assert_int_equal(d.status & PCNET_RMD2_MCNT, 204); /* MCNT includes the FCS */
    assert_int_equal(d.flags & 0xFFFF, bcnt(1536));    /* BCNT untouched */
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_RINT);
    assert_int_equal(irq_level, 1);
    assert_int_equal(csr_rd(PCNET_CSR72), (uint16_t)-3);
    assert_true(desc_get(RXRING, 1).flags & PCNET_DESC_OWN);
}

static void test_rx_single_descriptor_swstyle0(void **st)
{
    rx_single_in_style(0);
}

static void test_rx_single_descriptor_swstyle2(void **st)
{
    rx_single_in_style(2);
}

static void test_rx_single_descriptor_swstyle3(void **st)
{
    rx_single_in_style(3);
}

static void test_rx_frame_across_three_descriptors(void **st)
{
    bring_up(3, 0, 2, 2, 0);
    for (unsigned i = 0; i < 4; i++)
        rx_give(i, 256);
    uint8_t f[600];
    make_frame(f, MAC, 600, 5);
    assert_int_equal(pcnet_receive(nic, f, 600), PCNET_RX_STORED);
    assert_memory_equal(guest(RXBUF(0)), f, 256);
    assert_memory_equal(guest(RXBUF(1)), f + 256, 256);
    assert_memory_equal(guest(RXBUF(2)), f + 512, 88);
    TDesc d0 = desc_get(RXRING, 0), d1 = desc_get(RXRING, 1), d2 = desc_get(RXRING, 2);
    assert_int_equal(d0.flags & (PCNET_DESC_OWN | PCNET_DESC_STP | PCNET_DESC_ENP), PCNET_DESC_STP);
    assert_int_equal(d1.flags & (PCNET_DESC_OWN | PCNET_DESC_STP | PCNET_DESC_ENP), 0);
    assert_int_equal(d2.flags & (PCNET_DESC_OWN | PCNET_DESC_STP | PCNET_DESC_ENP), PCNET_DESC_ENP);
    assert_int_equal(d2.status & PCNET_RMD2_MCNT, 604);
    assert_true(desc_get(RXRING, 3).flags & PCNET_DESC_OWN);
    assert_int_equal(csr_rd(PCNET_CSR72), (uint16_t)-1); /* entry 3 next */
}

static void test_rx_without_owned_descriptor_is_miss(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    uint8_t f[64];
    make_frame(f, MAC, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_MISSED);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_int_equal(c0 & (PCNET_CSR0_MISS | PCNET_CSR0_ERR | PCNET_CSR0_INTR),
                     PCNET_CSR0_MISS | PCNET_CSR0_ERR | PCNET_CSR0_INTR);
    assert_false(c0 & PCNET_CSR0_RINT);
    assert_int_equal(csr_rd(PCNET_CSR112), 1);
    assert_int_equal(irq_level, 1);
    /* MISSM masks the interrupt, not the status */
    csr_wr(PCNET_CSR0, PCNET_CSR0_MISS | PCNET_CSR0_IENA);
    csr_wr(PCNET_CSR3, PCNET_CSR3_MISSM);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_MISSED);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_MISS);
    assert_int_equal(irq_level, 0);
    assert_int_equal(csr_rd(PCNET_CSR112), 2);
}

static void test_missed_frame_counter_overflow_raises_mfco(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    csr_wr(PCNET_CSR112, 0xFFFF);
    csr_wr(PCNET_CSR3, PCNET_CSR3_MISSM);
    csr_wr(PCNET_CSR4, 0x0115 & ~PCNET_CSR4_MFCOM);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT | PCNET_CSR0_IENA);
    uint8_t f[64];
    make_frame(f, MAC, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_MISSED);
    assert_int_equal(csr_rd(PCNET_CSR112), 0);
    assert_true(csr_rd(PCNET_CSR4) & PCNET_CSR4_MFCO);
    assert_int_equal(irq_level, 1);
    csr_wr(PCNET_CSR4, (0x0115 & ~PCNET_CSR4_MFCOM) | PCNET_CSR4_MFCO);
    assert_int_equal(irq_level, 0);
}

static void test_rx_chain_running_out_is_buff(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    rx_give(0, 128);
    rx_give(1, 128); /* 256 bytes for a 504-byte frame */
    uint8_t f[500];
    make_frame(f, MAC, 500, 2);
    assert_int_equal(pcnet_receive(nic, f, 500), PCNET_RX_BUFF);
    TDesc d1 = desc_get(RXRING, 1);
    assert_false(d1.flags & (PCNET_DESC_OWN | PCNET_DESC_ENP));
    assert_int_equal(d1.flags & (PCNET_DESC_ERR | PCNET_RMD1_BUFF),
                     PCNET_DESC_ERR | PCNET_RMD1_BUFF);
    assert_true(desc_get(RXRING, 0).flags & PCNET_DESC_STP);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_RINT);
}

static void test_rx_accept_rules(void **st)
{
    uint8_t mc[6] = {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01};
    unsigned bit = pcnet_ladrf_bit(mc);
    bring_up(2, 0, 4, 2, 1ull << bit);
    for (unsigned i = 0; i < 16; i++)
        rx_give(i, 1536);
    uint8_t f[64];
    unsigned idx = 0;
    make_frame(f, MAC, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_STORED);
    assert_int_equal(desc_get(RXRING, idx++).flags & 0x00700000u, PCNET_RMD1_PAM);
    make_frame(f, OTHER, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_FILTERED);
    make_frame(f, BCAST, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_STORED);
    assert_int_equal(desc_get(RXRING, idx++).flags & 0x00700000u, PCNET_RMD1_BAM);
    make_frame(f, mc, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_STORED);
    assert_int_equal(desc_get(RXRING, idx++).flags & 0x00700000u, PCNET_RMD1_LAFM);
    mc[5] = 0x02;
    if (pcnet_ladrf_bit(mc) != bit) {
        make_frame(f, mc, 64, 0);
        assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_FILTERED);
    }
    assert_int_equal(pcnet_stats(nic)->rx_filtered, 2);

    /* DRCVBC / DRCVPA / PROM need the mode register: stop, change, start */
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    csr_wr(PCNET_CSR15, PCNET_MODE_DRCVBC | PCNET_MODE_DRCVPA);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT);
    make_frame(f, BCAST, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_FILTERED);
    make_frame(f, MAC, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_FILTERED);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    csr_wr(PCNET_CSR15, PCNET_MODE_PROM);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT);
    make_frame(f, OTHER, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_STORED);
    assert_int_equal(desc_get(RXRING, idx++).flags & 0x00700000u, 0);
}

static void test_rx_broadcast_through_ladrf_with_drcvbc(void **st)
{
    /* with DRCVBC set, a broadcast passes only through the hash (LAFM) */
    bring_up(2, PCNET_MODE_DRCVBC, 2, 2, 1ull << pcnet_ladrf_bit(BCAST));
    rx_give(0, 1536);
    uint8_t f[64];
    make_frame(f, BCAST, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_STORED);
    assert_int_equal(desc_get(RXRING, 0).flags & 0x00700000u, PCNET_RMD1_LAFM);
}

/* The reflected CRC-32 register, computed bit by bit (IEEE 802.3). */
static uint32_t crc_le(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++)
        for (unsigned b = 0; b < 8; b++) {
            unsigned in = (p[i] >> b) & 1u;
            unsigned out = crc & 1u;
            crc >>= 1;
            if (in ^ out)
                crc ^= 0xEDB88320u;
        }
    return crc;
}

static void test_ladrf_hash_and_fcs(void **st)
{
    assert_int_equal(pcnet_fcs((const uint8_t *)"123456789", 9), 0xCBF43926);
    static const uint8_t addrs[][6] = {
        {0x01, 0x00, 0x5E, 0x00, 0x00, 0x01},
        {0x33, 0x33, 0x00, 0x00, 0x00, 0x01},
        {0x01, 0x80, 0xC2, 0x00, 0x00, 0x0E},
        {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF},
    };
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(pcnet_ladrf_bit(addrs[i]), crc_le(addrs[i], 6) >> 26);
}

static void test_rx_short_frame_padded_and_astrp_rcv(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    rx_give(0, 1536);
    rx_give(1, 1536);
    uint8_t f[42];
    make_frame(f, MAC, 42, 8);
    assert_int_equal(pcnet_receive(nic, f, 42), PCNET_RX_STORED);
    assert_int_equal(desc_get(RXRING, 0).status & PCNET_RMD2_MCNT, 64); /* padded + FCS */
    /* ASTRP_RCV: an 802.3 frame with length 28 is stored without pad and FCS */
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    csr_wr(PCNET_CSR4, 0x0115 | PCNET_CSR4_ASTRP_RCV);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT);
    f[12] = 0;
    f[13] = 28;
    assert_int_equal(pcnet_receive(nic, f, 42), PCNET_RX_STORED);
    assert_int_equal(desc_get(RXRING, 1).status & PCNET_RMD2_MCNT, 42);
}

static void test_rx_bad_descriptor_and_buffer_addresses_are_merr(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    desc_put(RXRING, 0, (TDesc){BAD_ADDR, PCNET_DESC_OWN | bcnt(1536), 0});
    uint8_t f[64];
    make_frame(f, MAC, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_DMA_ERROR);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_true(c0 & PCNET_CSR0_MERR);
    assert_false(c0 & PCNET_CSR0_RXON);
    assert_int_equal(irq_level, 1);
    /* the receiver stays off until the driver restarts the chip */
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_DISABLED);
    /* a ring base outside memory */
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    csr_wr(PCNET_CSR24, 0);
    csr_wr(PCNET_CSR25, 0x8000);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_DMA_ERROR);
    assert_int_equal(pcnet_stats(nic)->dma_errors, 2);
}

static void test_rx_zero_length_ring_is_miss(void **st)
{
    style = 2;
    bcr_wr(PCNET_BCR20, 2);
    csr_wr(PCNET_CSR76, 0);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT);
    uint8_t f[64];
    make_frame(f, MAC, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_MISSED);
}

static void test_rx_lengths_checked(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    rx_give(0, 1536);
    static uint8_t big[PCNET_RX_MAX];
    make_frame(big, MAC, PCNET_RX_MAX - 3, 0);
    assert_int_equal(pcnet_receive(nic, big, PCNET_RX_MAX - 3), PCNET_RX_BAD_LENGTH);
    assert_int_equal(pcnet_receive(nic, big, 10), PCNET_RX_BAD_LENGTH);
    assert_int_equal(pcnet_receive(nic, big, 1514), PCNET_RX_STORED);
    assert_int_equal(desc_get(RXRING, 0).status & PCNET_RMD2_MCNT, 1518);
    /* a VLAN-tagged (or longer) frame is stored like any other */
    rx_give(1, 1536);
    assert_int_equal(pcnet_receive(nic, big, 1518), PCNET_RX_STORED);
    assert_int_equal(desc_get(RXRING, 1).status & PCNET_RMD2_MCNT, 1522);
}

/* ---- interrupts, STOP/STRT, loopback, link, EEPROM, buses ---- */

static void test_interrupt_masks_and_iena(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    rx_give(0, 1536);
    rx_give(1, 1536);
    csr_wr(PCNET_CSR3, PCNET_CSR3_RINTM);
    uint8_t f[64];
    make_frame(f, MAC, 64, 0);
    pcnet_receive(nic, f, 64);
    assert_int_equal(csr_rd(PCNET_CSR0) & (PCNET_CSR0_RINT | PCNET_CSR0_INTR), PCNET_CSR0_RINT);
    assert_int_equal(irq_level, 0);
    csr_wr(PCNET_CSR3, 0);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_INTR);
    assert_int_equal(irq_level, 1);
    /* IENA gates the line, not INTR */
    csr_wr(PCNET_CSR0, 0);
    assert_int_equal(irq_level, 0);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_INTR);
    csr_wr(PCNET_CSR0, PCNET_CSR0_RINT | PCNET_CSR0_IENA);
    assert_false(csr_rd(PCNET_CSR0) & PCNET_CSR0_INTR);
    assert_int_equal(irq_level, 0);
    /* UINTCMD raises UINT, write-one-to-clear */
    csr_wr(PCNET_CSR4, 0x0115 | PCNET_CSR4_UINTCMD);
    assert_int_equal(csr_rd(PCNET_CSR4) & (PCNET_CSR4_UINT | PCNET_CSR4_UINTCMD), PCNET_CSR4_UINT);
    assert_int_equal(irq_level, 1);
    csr_wr(PCNET_CSR4, 0x0115 | PCNET_CSR4_UINT);
    assert_int_equal(irq_level, 0);
    /* TXSTRT is unmasked by clearing TXSTRTM */
    tx_give(0, 64, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR3, PCNET_CSR3_TINTM);
    csr_wr(PCNET_CSR4, 0x0111);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_true(csr_rd(PCNET_CSR4) & PCNET_CSR4_TXSTRT);
    assert_int_equal(irq_level, 1);
}

static void test_stop_and_restart(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    rx_give(0, 1536);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP | PCNET_CSR0_INIT | PCNET_CSR0_STRT | PCNET_CSR0_IENA);
    assert_int_equal(csr_rd(PCNET_CSR0), PCNET_CSR0_STOP); /* STOP wins, clears IENA */
    uint8_t f[64];
    make_frame(f, MAC, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_DISABLED);
    tx_give(0, 64, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 0);
    /* STRT alone resumes with the rings as they are */
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 1);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_STORED);
}

static void test_init_again_needs_stop(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    rx_give(0, 1536);
    uint8_t f[64];
    make_frame(f, MAC, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_STORED);
    /* INIT and STRT stay set after they complete: writing INIT again is
     * ignored (and traced) until STOP clears it */
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_int_equal(c0 & (PCNET_CSR0_INIT | PCNET_CSR0_STRT), PCNET_CSR0_INIT | PCNET_CSR0_STRT);
    csr_wr(PCNET_CSR0, PCNET_CSR0_INIT | PCNET_CSR0_IENA);
    assert_false(csr_rd(PCNET_CSR0) & PCNET_CSR0_IDON);
    assert_int_equal(csr_rd(PCNET_CSR72), (uint16_t)-3); /* still at entry 1 */
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_INIT);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_IDON);
    assert_int_equal(csr_rd(PCNET_CSR72), (uint16_t)-4); /* ring counters back at 0 */
}

static void test_drx_dtx_keep_receiver_and_transmitter_off(void **st)
{
    bring_up(2, PCNET_MODE_DRX, 2, 2, 0);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_true(c0 & PCNET_CSR0_TXON);
    assert_false(c0 & PCNET_CSR0_RXON);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    csr_wr(PCNET_CSR15, PCNET_MODE_DTX);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT);
    c0 = csr_rd(PCNET_CSR0);
    assert_false(c0 & PCNET_CSR0_TXON);
    assert_true(c0 & PCNET_CSR0_RXON);
}

static void test_suspend_holds_traffic(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    rx_give(0, 1536);
    csr_wr(PCNET_CSR5, PCNET_CSR5_SPND);
    uint8_t f[64];
    make_frame(f, MAC, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_DISABLED);
    tx_give(0, 64, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(sent_count, 0);
    /* stop-only registers are writable while suspended */
    csr_wr(PCNET_CSR15, PCNET_MODE_PROM);
    assert_int_equal(csr_rd(PCNET_CSR15), PCNET_MODE_PROM);
    csr_wr(PCNET_CSR5, 0);
    assert_int_equal(sent_count, 1);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_STORED);
}

static void test_loopback_feeds_own_receiver(void **st)
{
    bring_up(2, PCNET_MODE_LOOP, 2, 2, 0);
    rx_give(0, 1536);
    uint8_t f[80];
    make_frame(f, MAC, 80, 6);
    memcpy(guest(TXBUF(0)), f, 80);
    tx_give(0, 80, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 0); /* not on the cable */
    assert_memory_equal(guest(RXBUF(0)), f, 80);
    assert_int_equal(desc_get(RXRING, 0).status & PCNET_RMD2_MCNT, 84);
    /* frames from the cable are not received in loopback */
    assert_int_equal(pcnet_receive(nic, f, 80), PCNET_RX_DISABLED);
}

static void test_link_state_in_bcr4_ledout(void **st)
{
    assert_true(bcr_rd(PCNET_BCR4) & PCNET_LED_LEDOUT);
    pcnet_set_link(nic, 0);
    assert_false(bcr_rd(PCNET_BCR4) & PCNET_LED_LEDOUT);
    assert_false(pcnet_link(nic));
    bring_up(2, 0, 2, 2, 0);
    rx_give(0, 1536);
    uint8_t f[64];
    make_frame(f, MAC, 64, 0);
    assert_int_equal(pcnet_receive(nic, f, 64), PCNET_RX_LINK_DOWN);
    pcnet_set_link(nic, 1);
    assert_true(bcr_rd(PCNET_BCR4) & PCNET_LED_LEDOUT);
    /* the full-duplex LED follows BCR9 FDEN */
    bcr_wr(PCNET_BCR5, PCNET_LED_FDLSE);
    assert_false(bcr_rd(PCNET_BCR5) & PCNET_LED_LEDOUT);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    bcr_wr(PCNET_BCR9, PCNET_BCR9_FDEN);
    assert_true(bcr_rd(PCNET_BCR5) & PCNET_LED_LEDOUT);
}

/* Bit-bang a READ through BCR19 (EEN, ECS, ESK, EDI; EDO in bit 0). */
static uint16_t ee_read_via_bcr19(unsigned addr)
{
    const uint16_t en = PCNET_BCR19_EEN, cs = PCNET_BCR19_ECS;
    uint32_t cmd = 0x6u << 6 | addr; /* start bit, READ (10), A5..A0 */
    bcr_wr(PCNET_BCR19, en);
    bcr_wr(PCNET_BCR19, en | cs);
    for (int i = 8; i >= 0; i--) {
        uint16_t di = (cmd >> i) & 1 ? PCNET_BCR19_EDI : 0;
        bcr_wr(PCNET_BCR19, en | cs | di);
        bcr_wr(PCNET_BCR19, en | cs | di | PCNET_BCR19_ESK);
    }
    bcr_wr(PCNET_BCR19, en | cs);
    assert_int_equal(bcr_rd(PCNET_BCR19) & PCNET_BCR19_EDI, 0); /* the dummy 0 */
    uint16_t v = 0;
    for (int i = 0; i < 16; i++) {
        bcr_wr(PCNET_BCR19, en | cs | PCNET_BCR19_ESK);
        v = (uint16_t)(v << 1 | (bcr_rd(PCNET_BCR19) & PCNET_BCR19_EDI));
        bcr_wr(PCNET_BCR19, en | cs);
    }
    bcr_wr(PCNET_BCR19, en);
    bcr_wr(PCNET_BCR19, 0);
    return v;
}

static void test_eeprom_through_bcr19_and_pread(void **st)
{
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(ee_read_via_bcr19(i), MAC[2 * i] | MAC[2 * i + 1] << 8);
    assert_int_equal(ee_read_via_bcr19(7), 0x5757);
    /* PREAD reloads the APROM from the EEPROM */
    Eeprom93c46 *e = pcnet_eeprom(nic);
    e->word[0] = 0x3412;
    uint16_t sum = 0;
    for (unsigned i = 0; i < 8; i++)
        if (i != 6)
            sum = (uint16_t)(sum + (e->word[i] & 0xFF) + (e->word[i] >> 8));
    e->word[6] = sum;
    bcr_wr(PCNET_BCR19, PCNET_BCR19_PREAD);
    assert_int_equal(io_rd(PCNET_APROM, 2), 0x3412);
    assert_true(bcr_rd(PCNET_BCR19) & PCNET_BCR19_PVALID);
    assert_false(bcr_rd(PCNET_BCR19) & PCNET_BCR19_PREAD);
    /* a bad checksum clears PVALID */
    e->word[6] ^= 1;
    bcr_wr(PCNET_BCR19, PCNET_BCR19_PREAD);
    assert_false(bcr_rd(PCNET_BCR19) & PCNET_BCR19_PVALID);
}

static void test_bcr22_aliases_pci_min_gnt_max_lat(void **st)
{
    bcr_wr(PCNET_BCR22, 0x1818);
    assert_int_equal(pci_config_read(pcnet_pci(nic), PCI_MIN_GNT, 2), 0x1818);
    bcr_wr(PCNET_BCR0, 0x1234); /* read-only */
    assert_int_equal(bcr_rd(PCNET_BCR0), 0x0005);
}

static void test_same_registers_through_io_and_memory_bars(void **st)
{
    Bus b;
    bus_init(&b);
    assert_int_equal(bus_add_ports(&b, 0xC000, PCNET_IO_SIZE, &pcnet_io_ops, nic, "pcnet"), 0);
    assert_int_equal(bus_add_mmio(&b, 0xFEBF0000, PCNET_IO_SIZE, &pcnet_io_ops, nic, "pcnet"), 0);
    bus_port_write(&b, 0xC000 + PCNET_WIO_RAP, 2, PCNET_CSR3);
    bus_port_write(&b, 0xC000 + PCNET_WIO_RDP, 2, PCNET_CSR3_TINTM);
    assert_int_equal(csr_rd(PCNET_CSR3), PCNET_CSR3_TINTM);
    assert_int_equal(bus_port_read(&b, 0xC000 + PCNET_APROM, 1), MAC[0]);
    rap_wr(PCNET_CSR3);
    assert_int_equal(b.mmio[0].ops->read(b.mmio[0].opaque, PCNET_WIO_RDP, 2), PCNET_CSR3_TINTM);
}

static void test_h_reset_restores_everything(void **st)
{
    bring_up(2, PCNET_MODE_PROM, 2, 2, 0);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    bcr_wr(PCNET_BCR9, PCNET_BCR9_FDEN);
    bcr_wr(PCNET_BCR2, 0);
    io_wr(PCNET_DWIO_RDP, 4, 0);
    pcnet_reset(nic);
    enable_pci();
    dwio = 0;
    assert_int_equal(csr_rd(PCNET_CSR15), 0);
    assert_int_equal(bcr_rd(PCNET_BCR9), 0);
    assert_int_equal(bcr_rd(PCNET_BCR2), 0x0002);
    assert_int_equal(bcr_rd(PCNET_BCR20), 0x0200);
    assert_int_equal(csr_rd(PCNET_CSR76), 0);
    assert_int_equal(irq_level, 0);
}

/* A driver gone wild: seeded random register accesses, ring contents and
 * frames. Whatever happens must be contained (ASan/UBSan clean, no hang). */
static uint32_t rng_state = 0x12345678u;
static uint32_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void test_random_abuse_is_contained(void **st)
{
    static uint8_t f[PCNET_RX_MAX + 16];
    bring_up(2, 0, 4, 4, ~0ull);
    for (unsigned i = 0; i < 40000; i++) {
        uint32_t r = rng();
        switch (r % 8) {
        case 0: { /* a register access of any size at any offset */
            unsigned size = 1u << (rng() % 3);
            uint32_t off = rng() % (PCNET_IO_SIZE + 4);
            if (rng() & 1)
                io_wr(off, size, rng());
            else
                io_rd(off, size);
            break;
        }
        case 1: /* a CSR or BCR write through RAP */
            if (rng() & 1)
                csr_wr(rng() % 128, (uint16_t)rng());
            else
                bcr_wr(rng() % 40, (uint16_t)rng());
            break;
        case 2: /* scribble over the rings and the init block */
            put32(MEM_BASE + (rng() % 0x3000u & ~3u), rng());
            break;
        case 3: { /* a frame from the cable */
            size_t len = rng() % sizeof f;
            for (size_t k = 0; k < len; k++)
                f[k] = (uint8_t)rng();
            if (rng() & 1)
                memcpy(f, MAC, 6);
            pcnet_receive(nic, f, len);
            break;
        }
        case 4:
            dev_clock_advance(&clk, clk.now + rng() % 4000000u);
            break;
        case 5: /* the driver's usual commands */
            csr_wr(PCNET_CSR0, (uint16_t)(rng() & 0x7F7F));
            break;
        case 6:
            if (rng() % 64 == 0)
                s_reset();
            break;
        default:
            if (rng() % 256 == 0) {
                pcnet_reset(nic);
                enable_pci();
            }
            break;
        }
        dwio = pcnet_dwio(nic);
    }
    assert_true(pcnet_stats(nic)->unmodelled > 0);
}

/* ---- register names for traces (DevIoOps.reg_name) ---- */

static const char *reg_name(uint32_t off, unsigned size, int write)
{
    return pcnet_io_ops.reg_name(nic, off, size, write);
}

static void test_reg_name_follows_rap_in_wio_and_dwio(void **st)
{
    /* word I/O map */
    assert_string_equal(reg_name(PCNET_APROM + 3, 1, 0), "APROM3");
    assert_string_equal(reg_name(PCNET_WIO_RAP, 2, 1), "RAP");
    assert_string_equal(reg_name(PCNET_WIO_RESET, 2, 0), "RESET");
    rap_wr(PCNET_CSR0);
    assert_string_equal(reg_name(PCNET_WIO_RDP, 2, 0), "CSR0");
    rap_wr(PCNET_CSR15);
    assert_string_equal(reg_name(PCNET_WIO_RDP, 2, 1), "MODE");
    rap_wr(PCNET_CSR88);
    assert_string_equal(reg_name(PCNET_WIO_RDP, 2, 0), "Chip ID Lower");
    rap_wr(50); /* no row: the stable numbered form */
    assert_string_equal(reg_name(PCNET_WIO_RDP, 2, 0), "CSR50");
    assert_null(reg_name(PCNET_WIO_BDP, 2, 0)); /* BCRs end at BCR31 */
    rap_wr(PCNET_BCR20);
    assert_string_equal(reg_name(PCNET_WIO_BDP, 2, 1), "SWS");
    assert_string_equal(reg_name(PCNET_WIO_RDP, 2, 1), "CXBAL"); /* CSR20 */
    rap_wr(3);
    assert_string_equal(reg_name(PCNET_WIO_BDP, 2, 0), "BCR3");
    /* sizes the mode does not decode: no register; the dword write to RDP
     * that switches to DWIO is named RDP */
    assert_null(reg_name(PCNET_WIO_RDP, 1, 0));
    assert_null(reg_name(PCNET_DWIO_RDP, 4, 0));
    assert_string_equal(reg_name(PCNET_DWIO_RDP, 4, 1), "RDP");
    assert_null(reg_name(0x18, 2, 0));
    assert_null(reg_name(PCNET_IO_SIZE, 1, 0));

    /* double word I/O map */
    io_wr(PCNET_DWIO_RDP, 4, 0);
    dwio = 1;
    rap_wr(PCNET_CSR4);
    assert_string_equal(reg_name(PCNET_DWIO_RDP, 4, 0), "CSR4");
    assert_string_equal(reg_name(PCNET_DWIO_RAP, 4, 1), "RAP");
    assert_string_equal(reg_name(PCNET_DWIO_RESET, 4, 0), "RESET");
    rap_wr(PCNET_BCR18);
    assert_string_equal(reg_name(PCNET_DWIO_BDP, 4, 1), "BSBC");
    assert_null(reg_name(PCNET_WIO_RAP, 2, 1)); /* WIO offsets are gone */
    assert_null(reg_name(PCNET_WIO_RDP, 2, 0));
    /* RAP beyond the CSR/BCR address space */
    rap_wr(200);
    assert_null(reg_name(PCNET_DWIO_RDP, 4, 0));
    assert_null(reg_name(PCNET_DWIO_BDP, 4, 0));
}

static void test_reg_name_has_no_side_effects(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    csr_wr(PCNET_CSR0, PCNET_CSR0_IDON | PCNET_CSR0_IENA);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_true(c0 & PCNET_CSR0_TXON);
    rap_wr(7); /* unmodelled CSR */
    notes = 0;
    assert_int_equal(trace_add_sink(note_sink, NULL), 0);
    uint64_t unmodelled = pcnet_stats(nic)->unmodelled;
    /* the name of RESET (a read of which is S_RESET), of RDP/BDP through an
     * unmodelled RAP value, and of every other offset */
    for (uint32_t off = 0; off < PCNET_IO_SIZE + 2; off++) {
        for (unsigned size = 1; size <= 4; size *= 2) {
            reg_name(off, size, 0);
            reg_name(off, size, 1);
        }
    }
    trace_remove_sink(note_sink, NULL);
    assert_int_equal(notes, 0);
    assert_int_equal(pcnet_stats(nic)->unmodelled, unmodelled);
    assert_false(pcnet_dwio(nic)); /* the dword RDP write's name did not switch */
    assert_int_equal(io_rd(PCNET_WIO_RAP, 2), 7);
    assert_int_equal(csr_rd(PCNET_CSR0), c0); /* not S_RESET */
}

/* ---- injected conditions (pcnet_inject) ---- */

static void test_inject_tx_error_is_rtry(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    csr_wr(PCNET_CSR0, PCNET_CSR0_IDON | PCNET_CSR0_IENA);
    assert_int_equal(pcnet_inject(nic, DEV_COND_TX_ERROR), 0);
    uint8_t f[100];
    make_frame(f, OTHER, sizeof f, 1);
    memcpy(guest(TXBUF(0)), f, sizeof f);
    tx_give(0, sizeof f, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 0);
    TDesc d = desc_get(TXRING, 0);
    /* TMD1: OWN back, ERR; ONE, MORE, DEF clear. TMD2: RTRY alone, TRC
     * rolled over to 0 */
    assert_int_equal(d.flags & (PCNET_DESC_OWN | PCNET_DESC_ERR | PCNET_TMD1_MORE_LTINT |
                                PCNET_TMD1_ONE | PCNET_TMD1_DEF),
                     PCNET_DESC_ERR);
    assert_int_equal(d.status, PCNET_TMD2_RTRY);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_true(c0 & PCNET_CSR0_TINT);
    assert_true(c0 & PCNET_CSR0_TXON); /* the transmitter stays on */
    assert_false(c0 & PCNET_CSR0_ERR); /* ERR sums BABL, CERR, MISS, MERR only */
    assert_int_equal(irq_level, 1);
    assert_int_equal(pcnet_stats(nic)->tx_errors, 1);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TINT | PCNET_CSR0_IENA);
    assert_int_equal(irq_level, 0);
    /* fired once: the next frame goes */
    memcpy(guest(TXBUF(1)), f, sizeof f);
    tx_give(1, sizeof f, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 1);
    assert_memory_equal(sent[0], f, sizeof f);
    d = desc_get(TXRING, 1);
    assert_int_equal(d.flags & (PCNET_DESC_OWN | PCNET_DESC_ERR), 0);
    assert_int_equal(d.status, 0);
}

static void test_inject_tx_underrun_is_uflo_and_turns_the_transmitter_off(void **st)
{
    bring_up(3, 0, 2, 2, 0);
    csr_wr(PCNET_CSR0, PCNET_CSR0_IDON | PCNET_CSR0_IENA);
    assert_int_equal(pcnet_inject(nic, DEV_COND_TX_UNDERRUN), 0);
    uint8_t f[300];
    make_frame(f, OTHER, sizeof f, 2);
    memcpy(guest(TXBUF(0)), f, 200);
    memcpy(guest(TXBUF(1)), f + 200, 100);
    tx_give(1, 100, PCNET_DESC_ENP);
    tx_give(0, 200, PCNET_DESC_STP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    /* section "TMD2: UFLO": truncated, not delivered; the status is in the
     * frame's last (ENP) descriptor; BUFF is for a missing ENP only */
    assert_int_equal(sent_count, 0);
    assert_int_equal(desc_get(TXRING, 0).flags & (PCNET_DESC_OWN | PCNET_DESC_ERR), 0);
    TDesc d = desc_get(TXRING, 1);
    assert_int_equal(d.flags & (PCNET_DESC_OWN | PCNET_DESC_ERR), PCNET_DESC_ERR);
    assert_int_equal(d.status, PCNET_TMD2_UFLO);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_true(c0 & PCNET_CSR0_TINT);
    assert_false(c0 & PCNET_CSR0_TXON); /* without DXSUFLO the transmitter is off */
    assert_true(c0 & PCNET_CSR0_RXON);
    assert_false(c0 & PCNET_CSR0_ERR);
    assert_int_equal(irq_level, 1);
    /* nothing more goes until the driver restarts the chip */
    memcpy(guest(TXBUF(2)), f, 64);
    tx_give(2, 64, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TINT | PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 0);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT | PCNET_CSR0_IENA);
    assert_int_equal(sent_count, 1);
    assert_int_equal(sent_len[0], 64);
    assert_int_equal(desc_get(TXRING, 2).status, 0);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_TXON);
}

static void test_inject_tx_underrun_with_dxsuflo_keeps_transmitting(void **st)
{
    bring_up(0, 0, 2, 2, 0);
    csr_wr(PCNET_CSR3, PCNET_CSR3_DXSUFLO);
    pcnet_inject(nic, DEV_COND_TX_UNDERRUN);
    memset(guest(TXBUF(0)), 0x11, 64);
    memset(guest(TXBUF(1)), 0x22, 64);
    tx_give(0, 64, PCNET_DESC_STP | PCNET_DESC_ENP);
    tx_give(1, 64, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(desc_get(TXRING, 0).status, PCNET_TMD2_UFLO);
    assert_true(desc_get(TXRING, 0).flags & PCNET_DESC_ERR);
    assert_int_equal(sent_count, 1); /* the next frame went */
    assert_int_equal(sent[0][0], 0x22);
    assert_int_equal(desc_get(TXRING, 1).status, 0);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_TXON);
}

static void test_inject_fires_on_a_frame_to_the_cable_only(void **st)
{
    assert_int_equal(pcnet_inject(nic, (DevCondition)99), -1);
    bring_up(2, PCNET_MODE_LOOP, 2, 2, 0);
    pcnet_inject(nic, DEV_COND_TX_ERROR);
    rx_give(0, 1536);
    uint8_t f[64];
    make_frame(f, MAC, sizeof f, 0);
    memcpy(guest(TXBUF(0)), f, sizeof f);
    tx_give(0, sizeof f, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(desc_get(TXRING, 0).status, 0); /* looped back: no medium */
    /* the link down: carrier lost, still armed */
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    bring_up(2, 0, 2, 2, 0);
    pcnet_set_link(nic, 0);
    tx_give(0, sizeof f, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(desc_get(TXRING, 0).status, PCNET_TMD2_LCAR);
    pcnet_set_link(nic, 1);
    tx_give(1, sizeof f, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD);
    assert_int_equal(desc_get(TXRING, 1).status, PCNET_TMD2_RTRY);
    assert_int_equal(sent_count, 0);
}

/* Section "Receive FCS Checking": an FCS error is reported in RMD1, the
 * frame is stored as usual. Section "RMD1": CRC is valid only with ENP
 * (and no OFLO), ERR is the OR of FRAM, OFLO, CRC, BUFF and BPE; so the
 * STP and middle descriptors of a chained frame carry neither. CSR0.ERR
 * sums BABL, CERR, MISS and MERR only; the 970A has no CRC error counter
 * (CSR112 counts missed frames). */
static void test_inject_rx_crc_error_sets_err_and_crc_in_the_enp_descriptor(void **st)
{
    bring_up(3, 0, 2, 2, 0);
    for (unsigned i = 0; i < 4; i++)
        rx_give(i, 256);
    assert_int_equal(pcnet_inject(nic, DEV_COND_RX_CRC_ERROR), 0);
    uint8_t f[600];
    make_frame(f, MAC, 600, 7);
    assert_int_equal(pcnet_receive(nic, f, 600), PCNET_RX_STORED);
    assert_memory_equal(guest(RXBUF(0)), f, 256);
    assert_memory_equal(guest(RXBUF(1)), f + 256, 256);
    assert_memory_equal(guest(RXBUF(2)), f + 512, 88);
    assert_int_not_equal(get32(RXBUF(2) + 88), pcnet_fcs(f, 600)); /* stored as received */
    const uint32_t st_bits = PCNET_DESC_OWN | PCNET_DESC_ERR | PCNET_RMD1_CRC | PCNET_DESC_STP |
                             PCNET_DESC_ENP | PCNET_RMD1_BUFF | PCNET_RMD1_OFLO | PCNET_RMD1_FRAM;
    assert_int_equal(desc_get(RXRING, 0).flags & st_bits, PCNET_DESC_STP);
    assert_int_equal(desc_get(RXRING, 1).flags & st_bits, 0);
    TDesc d = desc_get(RXRING, 2);
    assert_int_equal(d.flags & st_bits, PCNET_DESC_ENP | PCNET_DESC_ERR | PCNET_RMD1_CRC);
    assert_true(d.flags & PCNET_RMD1_PAM);
    assert_int_equal(d.status & PCNET_RMD2_MCNT, 604);
    uint16_t c0 = csr_rd(PCNET_CSR0);
    assert_true(c0 & PCNET_CSR0_RINT);
    assert_false(c0 & PCNET_CSR0_ERR);
    assert_int_equal(irq_level, 1);
    assert_int_equal(csr_rd(PCNET_CSR112), 0);
    assert_int_equal(pcnet_stats(nic)->rx_crc_errors, 1);
    assert_int_equal(pcnet_stats(nic)->rx_stored, 1);
    csr_wr(PCNET_CSR0, PCNET_CSR0_RINT | PCNET_CSR0_IENA);
    assert_int_equal(irq_level, 0);
    /* fired once: the next frame is a good one */
    make_frame(f, MAC, 100, 8);
    assert_int_equal(pcnet_receive(nic, f, 100), PCNET_RX_STORED);
    d = desc_get(RXRING, 3);
    assert_int_equal(d.flags & st_bits, PCNET_DESC_STP | PCNET_DESC_ENP);
    assert_int_equal(get32(RXBUF(3) + 100), pcnet_fcs(f, 100));
}

/* The same in the 16-bit descriptors of software style 0 (ERR and CRC in
 * RMD1's high byte); with ASTRP_RCV the FCS of a padded frame is not passed
 * to the host, but the error is still reported ("Receive FCS Checking"). */
static void test_inject_rx_crc_error_in_16bit_descriptors_with_pad_stripping(void **st)
{
    bring_up(0, 0, 2, 2, 0);
    rx_give(0, 1536);
    rx_give(1, 1536);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    csr_wr(PCNET_CSR4, 0x0115 | PCNET_CSR4_ASTRP_RCV);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STRT | PCNET_CSR0_IENA);
    pcnet_inject(nic, DEV_COND_RX_CRC_ERROR);
    uint8_t f[42];
    make_frame(f, MAC, 42, 9);
    f[12] = 0;
    f[13] = 28; /* 802.3 length 28: pad and FCS stripped */
    assert_int_equal(pcnet_receive(nic, f, 42), PCNET_RX_STORED);
    TDesc d = desc_get(RXRING, 0);
    assert_int_equal(d.flags & (PCNET_DESC_OWN | PCNET_DESC_ERR | PCNET_RMD1_CRC | PCNET_DESC_STP |
                                PCNET_DESC_ENP),
                     PCNET_DESC_ERR | PCNET_RMD1_CRC | PCNET_DESC_STP | PCNET_DESC_ENP);
    assert_int_equal(d.status & PCNET_RMD2_MCNT, 42);
    assert_memory_equal(guest(RXBUF(0)), f, 42);
    assert_true(csr_rd(PCNET_CSR0) & PCNET_CSR0_RINT);
    assert_int_equal(pcnet_receive(nic, f, 42), PCNET_RX_STORED);
    assert_int_equal(desc_get(RXRING, 1).flags & (PCNET_DESC_ERR | PCNET_RMD1_CRC), 0);
}

static void test_inject_rx_crc_error_waits_for_the_receiver(void **st)
{
    bring_up(2, PCNET_MODE_LOOP, 2, 2, 0);
    rx_give(0, 1536);
    pcnet_inject(nic, DEV_COND_RX_CRC_ERROR);
    uint8_t f[80];
    make_frame(f, MAC, 80, 6);
    /* loopback: the cable is not heard, and the looped frame does not
     * come from it */
    assert_int_equal(pcnet_receive(nic, f, 80), PCNET_RX_DISABLED);
    memcpy(guest(TXBUF(0)), f, 80);
    tx_give(0, 80, PCNET_DESC_STP | PCNET_DESC_ENP);
    csr_wr(PCNET_CSR0, PCNET_CSR0_TDMD | PCNET_CSR0_IENA);
    assert_int_equal(desc_get(RXRING, 0).flags & (PCNET_DESC_OWN | PCNET_DESC_ERR | PCNET_DESC_ENP),
                     PCNET_DESC_ENP);
    /* stopped, no link: still armed */
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    assert_int_equal(pcnet_receive(nic, f, 80), PCNET_RX_DISABLED);
    bring_up(2, 0, 2, 2, 0);
    rx_give(0, 1536);
    rx_give(1, 1536);
    pcnet_set_link(nic, 0);
    assert_int_equal(pcnet_receive(nic, f, 80), PCNET_RX_LINK_DOWN);
    pcnet_set_link(nic, 1);
    assert_int_equal(pcnet_stats(nic)->rx_crc_errors, 0);
    assert_int_equal(pcnet_receive(nic, f, 80), PCNET_RX_STORED);
    assert_int_equal(desc_get(RXRING, 0).flags & (PCNET_DESC_ERR | PCNET_RMD1_CRC),
                     PCNET_DESC_ERR | PCNET_RMD1_CRC);
    assert_int_equal(pcnet_receive(nic, f, 80), PCNET_RX_STORED);
    assert_int_equal(desc_get(RXRING, 1).flags & (PCNET_DESC_ERR | PCNET_RMD1_CRC), 0);
    assert_int_equal(pcnet_stats(nic)->rx_crc_errors, 1);
}

/* S_RESET should leave CSR0 = 0004h (STOP; Linux pcnet32 probes for it)
 * and INIT then sets IDON. With DEV_COND_RESET_HANG the S_RESET never
 * finishes: CSR0 reads 0000h however long the driver waits, the controller
 * takes no RDP write (INIT never sets IDON), the BCRs and APROM answer; the
 * next read of RESET completes. */
static void test_inject_reset_hang_never_reaches_stop_or_idon(void **st)
{
    bring_up(2, 0, 2, 2, 0);
    rx_give(0, 1536);
    assert_int_equal(pcnet_inject(nic, DEV_COND_RESET_HANG), 0);
    s_reset();
    for (unsigned i = 0; i < 10000; i++) {
        assert_int_equal(csr_rd(PCNET_CSR0), 0);
        dev_clock_advance(&clk, clk.now + 1000000); /* 1 ms, ten seconds in all */
    }
    assert_int_equal(dev_clock_next(&clk), UINT64_MAX); /* polling stopped */
    assert_int_equal(irq_level, 0);
    /* the reset began: RAP 0, CSRs at their S_RESET values; BCRs, APROM kept */
    assert_int_equal(io_rd(PCNET_WIO_RAP, 2), 0);
    assert_int_equal(csr_rd(PCNET_CSR3), 0);
    assert_int_equal(csr_rd(PCNET_CSR4), 0x0115);
    assert_int_equal(bcr_rd(PCNET_BCR20), 0x0302);
    assert_int_equal(io_rd(PCNET_APROM, 1), MAC[0]);
    /* the driver's initialization goes nowhere */
    write_init_block(0, 2, 2, MAC, 0);
    csr_wr(PCNET_CSR1, (uint16_t)IBLK);
    csr_wr(PCNET_CSR2, (uint16_t)(IBLK >> 16));
    csr_wr(PCNET_CSR0, PCNET_CSR0_INIT | PCNET_CSR0_IENA);
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    dev_clock_advance(&clk, clk.now + 1000000000);
    assert_int_equal(csr_rd(PCNET_CSR0), 0);
    csr_wr(PCNET_CSR1, 0x1234);
    assert_int_equal(csr_rd(PCNET_CSR1), (uint16_t)IBLK); /* as before the reset */
    assert_int_equal(irq_level, 0);
    uint8_t f[100];
    make_frame(f, MAC, 100, 1);
    assert_int_equal(pcnet_receive(nic, f, 100), PCNET_RX_DISABLED);
    assert_true(desc_get(RXRING, 0).flags & PCNET_DESC_OWN);
    assert_int_equal(pcnet_stats(nic)->reset_hangs, 1);
    /* the next S_RESET completes: STOP, then INIT/IDON and STRT work */
    s_reset();
    assert_int_equal(csr_rd(PCNET_CSR0), PCNET_CSR0_STOP);
    bring_up(2, 0, 2, 2, 0);
    rx_give(0, 1536);
    assert_int_equal(pcnet_receive(nic, f, 100), PCNET_RX_STORED);
    /* fired once */
    s_reset();
    assert_int_equal(csr_rd(PCNET_CSR0), PCNET_CSR0_STOP);
    assert_int_equal(pcnet_stats(nic)->reset_hangs, 1);
}

static void test_inject_reset_hang_waits_for_s_reset_and_ends_at_h_reset(void **st)
{
    assert_int_equal(pcnet_inject(nic, DEV_COND_RESET_HANG), 0);
    /* STOP is not a reset: it does not take the condition */
    csr_wr(PCNET_CSR0, PCNET_CSR0_STOP);
    assert_int_equal(csr_rd(PCNET_CSR0), PCNET_CSR0_STOP);
    s_reset();
    assert_int_equal(csr_rd(PCNET_CSR0), 0);
    /* H_RESET (PCI RST#) ends the hang */
    pcnet_reset(nic);
    enable_pci();
    assert_int_equal(csr_rd(PCNET_CSR0), PCNET_CSR0_STOP);
    bring_up(2, 0, 2, 2, 0);
    assert_int_equal(csr_rd(PCNET_CSR0) & (PCNET_CSR0_TXON | PCNET_CSR0_RXON),
                     PCNET_CSR0_TXON | PCNET_CSR0_RXON);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_aprom_holds_mac_checksum_and_ww),
        T(test_aprom_writes_need_apromwe),
        T(test_pci_identity_and_bars),
        T(test_csr_reset_values_follow_the_table),
        T(test_bcr_reset_values_follow_the_table),
        T(test_register_classes_follow_the_datasheet),
        T(test_chip_id_is_am79c970a),
        T(test_wio_offsets_and_switch_to_dwio),
        T(test_dwio_mode_runs_the_chip),
        T(test_unmodelled_registers_read_all_ones_and_are_traced),
        T(test_reset_register_read_is_s_reset),
        T(test_software_style_sets_ssize32_and_csr58_aliases_bcr20),
        T(test_stop_only_registers_ignore_writes_while_running),
        T(test_init_32bit_block_swstyle2_raises_idon),
        T(test_init_16bit_block_swstyle0),
        T(test_init_32bit_ring_codes_above_9_mean_512),
        T(test_idon_masked_by_idonm),
        T(test_init_block_outside_memory_is_merr),
        T(test_init_waits_for_bus_mastering),
        T(test_ring_work_waits_for_bus_mastering),
        T(test_alternative_init_through_csrs),
        T(test_tx_single_descriptor_swstyle0),
        T(test_tx_single_descriptor_swstyle2),
        T(test_tx_single_descriptor_swstyle3),
        T(test_tx_chained_descriptors_make_one_frame),
        T(test_tx_chain_without_enp_is_buff_uflo),
        T(test_tx_chain_without_enp_with_dxsuflo_keeps_transmitting),
        T(test_tx_odd_descriptors_are_traced_not_fatal),
        T(test_tx_apad_pads_short_frames),
        T(test_tx_driver_fcs_with_dxmtfcs_and_add_fcs),
        T(test_tx_polling_on_virtual_time_and_dpoll),
        T(test_tx_link_down_reports_lcar),
        T(test_tx_tokintd_and_ltint),
        T(test_tx_bad_buffer_address_is_merr),
        T(test_tx_ring_outside_memory_is_merr),
        T(test_rx_single_descriptor_swstyle0),
        T(test_rx_single_descriptor_swstyle2),
        T(test_rx_single_descriptor_swstyle3),
        T(test_rx_frame_across_three_descriptors),
        T(test_rx_without_owned_descriptor_is_miss),
        T(test_missed_frame_counter_overflow_raises_mfco),
        T(test_rx_chain_running_out_is_buff),
        T(test_rx_accept_rules),
        T(test_rx_broadcast_through_ladrf_with_drcvbc),
        T(test_ladrf_hash_and_fcs),
        T(test_rx_short_frame_padded_and_astrp_rcv),
        T(test_rx_bad_descriptor_and_buffer_addresses_are_merr),
        T(test_rx_zero_length_ring_is_miss),
        T(test_rx_lengths_checked),
        T(test_interrupt_masks_and_iena),
        T(test_stop_and_restart),
        T(test_init_again_needs_stop),
        T(test_drx_dtx_keep_receiver_and_transmitter_off),
        T(test_suspend_holds_traffic),
        T(test_loopback_feeds_own_receiver),
        T(test_link_state_in_bcr4_ledout),
        T(test_eeprom_through_bcr19_and_pread),
        T(test_bcr22_aliases_pci_min_gnt_max_lat),
        T(test_same_registers_through_io_and_memory_bars),
        T(test_h_reset_restores_everything),
        T(test_random_abuse_is_contained),
        T(test_reg_name_follows_rap_in_wio_and_dwio),
        T(test_reg_name_has_no_side_effects),
        T(test_inject_tx_error_is_rtry),
        T(test_inject_tx_underrun_is_uflo_and_turns_the_transmitter_off),
        T(test_inject_tx_underrun_with_dxsuflo_keeps_transmitting),
        T(test_inject_fires_on_a_frame_to_the_cable_only),
        T(test_inject_rx_crc_error_sets_err_and_crc_in_the_enp_descriptor),
        T(test_inject_rx_crc_error_in_16bit_descriptors_with_pad_stripping),
        T(test_inject_rx_crc_error_waits_for_the_receiver),
        T(test_inject_reset_hang_never_reaches_stop_or_idon),
        T(test_inject_reset_hang_waits_for_s_reset_and_ends_at_h_reset),
    };
#undef T
    return cmocka_run_group_tests_name("pcnet", tests, NULL, NULL);
}
