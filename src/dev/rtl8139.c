/* Realtek RTL8139C(L) model (see rtl8139.h and docs/devices/rtl8139.md).
 * Section numbers refer to the RTL8139C(L) datasheet rev 1.4 (2002/01/10);
 * "guide" is the RTL8139(A/B) Programming Guide. The register file is a
 * 256-byte little-endian store; the few registers whose value is derived
 * (CR.BUFE, TCTR, TSAD, 9346CR.EEDO) are computed on read. */
#include "dev/rtl8139.h"
#include "dev/eth.h"

#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

/* Every register: offset, width, datasheet name, access, reset value (link
 * up, default EEPROM), bits software may write, class (the REG_CLASS_
 * suffix) and REG_F_ flags (regs.h). The reset value of IDR0-5 is the MAC
 * auto-loaded from the EEPROM, not the 0 listed here. Class calls: TSD0-3
 * are control+status (SIZE/ERTXTH set by software, TOK/TUN/TABT/NCC by the
 * chip, section 6.2); OWN is handed back by the chip rather than cleared, so
 * no SELFCLEAR. TCR: CLRABT reads 0 after use (6.7), HWVERID is a constant.
 * 9346CR: auto-load mode returns EEM to 00 by itself, EEDO is the EEPROM's
 * output (6.9). MSR, NWAYTR and CSCR mix writable bits with read-only status
 * bits (6.12, 6.25, 6.27). CBR is the chip's ring write pointer, a position,
 * not an event count. */
#define RTL8139_REGS(R)                                                                            \
    R(RTL_IDR0 + 0, 1, "IDR0", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_IDR0 + 1, 1, "IDR1", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_IDR0 + 2, 1, "IDR2", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_IDR0 + 3, 1, "IDR3", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_IDR0 + 4, 1, "IDR4", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_IDR0 + 5, 1, "IDR5", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_MAR0 + 0, 1, "MAR0", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_MAR0 + 1, 1, "MAR1", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_MAR0 + 2, 1, "MAR2", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_MAR0 + 3, 1, "MAR3", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_MAR0 + 4, 1, "MAR4", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_MAR0 + 5, 1, "MAR5", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_MAR0 + 6, 1, "MAR6", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_MAR0 + 7, 1, "MAR7", REG_RW, 0x00, 0xFF, CONTROL, 0)                                     \
    R(RTL_TSD(0), 4, "TSD0", REG_RW, 0x00002000, 0x003F3FFF, CS, 0)                                \
    R(RTL_TSD(1), 4, "TSD1", REG_RW, 0x00002000, 0x003F3FFF, CS, 0)                                \
    R(RTL_TSD(2), 4, "TSD2", REG_RW, 0x00002000, 0x003F3FFF, CS, 0)                                \
    R(RTL_TSD(3), 4, "TSD3", REG_RW, 0x00002000, 0x003F3FFF, CS, 0)                                \
    R(RTL_TSAD_N(0), 4, "TSAD0", REG_RW, 0, 0xFFFFFFFF, CONTROL, REG_F_DMA)                        \
    R(RTL_TSAD_N(1), 4, "TSAD1", REG_RW, 0, 0xFFFFFFFF, CONTROL, REG_F_DMA)                        \
    R(RTL_TSAD_N(2), 4, "TSAD2", REG_RW, 0, 0xFFFFFFFF, CONTROL, REG_F_DMA)                        \
    R(RTL_TSAD_N(3), 4, "TSAD3", REG_RW, 0, 0xFFFFFFFF, CONTROL, REG_F_DMA)                        \
    R(RTL_RBSTART, 4, "RBSTART", REG_RW, 0, 0xFFFFFFFF, CONTROL, REG_F_DMA)                        \
    R(RTL_ERBCR, 2, "ERBCR", REG_RO, 0, 0, STATUS, 0)                                              \
    R(RTL_ERSR, 1, "ERSR", REG_RO, 0, 0, STATUS, 0)                                                \
    R(RTL_CR, 1, "CR", REG_RW, 0x01, 0x1C, CS, REG_F_SELFCLEAR)                                    \
    R(RTL_CAPR, 2, "CAPR", REG_RW, 0xFFF0, 0xFFFF, CONTROL, 0)                                     \
    R(RTL_CBR, 2, "CBR", REG_RO, 0, 0, STATUS, 0)                                                  \
    R(RTL_IMR, 2, "IMR", REG_RW, 0, RTL_INT_ALL, CONTROL, 0)                                       \
    R(RTL_ISR, 2, "ISR", REG_W1C, 0, RTL_INT_ALL, STATUS, 0)                                       \
    R(RTL_TCR, 4, "TCR", REG_RW, RTL_TCR_HWVERID_8139C, 0x030707F1, CONTROL, REG_F_SELFCLEAR)      \
    R(RTL_RCR, 4, "RCR", REG_RW, 0, 0x0F03FFBF, CONTROL, 0)                                        \
    R(RTL_TCTR, 4, "TCTR", REG_RW, 0, 0xFFFFFFFF, STATUS, REG_F_COUNTER)                           \
    R(RTL_MPC, 4, "MPC", REG_RW, 0, 0xFFFFFFFF, STATUS, REG_F_COUNTER)                             \
    R(RTL_9346CR, 1, "9346CR", REG_RW, 0x00, 0xCE, CS, REG_F_SELFCLEAR)                            \
    R(RTL_CONFIG0, 1, "CONFIG0", REG_RW, 0x00, 0x07, CONTROL, 0)                                   \
    R(RTL_CONFIG1, 1, "CONFIG1", REG_RW, 0x0C, 0xF3, CONTROL, 0)                                   \
    R(RTL_TIMERINT, 4, "TimerInt", REG_RW, 0, 0xFFFFFFFF, CONTROL, 0)                              \
    R(RTL_MSR, 1, "MSR", REG_RW, 0x00, 0xC0, CS, 0)                                                \
    R(RTL_CONFIG3, 1, "CONFIG3", REG_RW, 0x00, 0xF4, CONTROL, 0)                                   \
    R(RTL_CONFIG4, 1, "CONFIG4", REG_RW, 0x00, 0xF5, CONTROL, 0)                                   \
    R(RTL_MULINT, 2, "MULINT", REG_RW, 0, 0x0FFF, CONTROL, 0)                                      \
    R(RTL_RERID, 1, "RERID", REG_RO, RTL8139_REVISION, 0, STATUS, 0)                               \
    R(RTL_TSAD, 2, "TSAD", REG_RO, 0x000F, 0, CONTROL, 0)                                          \
    R(RTL_BMCR, 2, "BMCR", REG_RW, 0x3100, 0xB300, CONTROL, REG_F_SELFCLEAR)                       \
    R(RTL_BMSR, 2, "BMSR", REG_RO, 0x782D, 0, STATUS, 0)                                           \
    R(RTL_ANAR, 2, "ANAR", REG_RW, 0x01E1, 0x25E0, CONTROL, 0)                                     \
    R(RTL_ANLPAR, 2, "ANLPAR", REG_RO, 0x41E1, 0, STATUS, 0)                                       \
    R(RTL_ANER, 2, "ANER", REG_RO, 0x0001, 0, STATUS, 0)                                           \
    R(RTL_DIS, 2, "DIS", REG_RO, 0, 0, STATUS, REG_F_COUNTER)                                      \
    R(RTL_FCSC, 2, "FCSC", REG_RO, 0, 0, STATUS, REG_F_COUNTER)                                    \
    R(RTL_NWAYTR, 2, "NWAYTR", REG_RW, 0, 0x0088, CS, 0)                                           \
    R(RTL_REC, 2, "REC", REG_RO, 0, 0, STATUS, REG_F_COUNTER)                                      \
    R(RTL_CSCR, 2, "CSCR", REG_RW, 0x0300, 0x83E5, CS, 0)                                          \
    R(RTL_PHY1_PARM, 4, "PHY1_PARM", REG_RW, 0, 0xFFFFFFFF, CONTROL, 0)                            \
    R(RTL_TW_PARM, 4, "TW_PARM", REG_RW, 0, 0xFFFFFFFF, CONTROL, 0)                                \
    R(RTL_PHY2_PARM, 1, "PHY2_PARM", REG_RW, 0, 0xFF, CONTROL, 0)                                  \
    R(RTL_CRC0 + 0, 1, "CRC0", REG_RW, 0, 0xFF, CONTROL, 0)                                        \
    R(RTL_CRC0 + 1, 1, "CRC1", REG_RW, 0, 0xFF, CONTROL, 0)                                        \
    R(RTL_CRC0 + 2, 1, "CRC2", REG_RW, 0, 0xFF, CONTROL, 0)                                        \
    R(RTL_CRC0 + 3, 1, "CRC3", REG_RW, 0, 0xFF, CONTROL, 0)                                        \
    R(RTL_CRC0 + 4, 1, "CRC4", REG_RW, 0, 0xFF, CONTROL, 0)                                        \
    R(RTL_CRC0 + 5, 1, "CRC5", REG_RW, 0, 0xFF, CONTROL, 0)                                        \
    R(RTL_CRC0 + 6, 1, "CRC6", REG_RW, 0, 0xFF, CONTROL, 0)                                        \
    R(RTL_CRC0 + 7, 1, "CRC7", REG_RW, 0, 0xFF, CONTROL, 0)                                        \
    R(RTL_WAKEUP0 + 0, 8, "Wakeup0", REG_RW, 0, 0, CONTROL, 0)                                     \
    R(RTL_WAKEUP0 + 8, 8, "Wakeup1", REG_RW, 0, 0, CONTROL, 0)                                     \
    R(RTL_WAKEUP0 + 16, 8, "Wakeup2", REG_RW, 0, 0, CONTROL, 0)                                    \
    R(RTL_WAKEUP0 + 24, 8, "Wakeup3", REG_RW, 0, 0, CONTROL, 0)                                    \
    R(RTL_WAKEUP0 + 32, 8, "Wakeup4", REG_RW, 0, 0, CONTROL, 0)                                    \
    R(RTL_WAKEUP0 + 40, 8, "Wakeup5", REG_RW, 0, 0, CONTROL, 0)                                    \
    R(RTL_WAKEUP0 + 48, 8, "Wakeup6", REG_RW, 0, 0, CONTROL, 0)                                    \
    R(RTL_WAKEUP0 + 56, 8, "Wakeup7", REG_RW, 0, 0, CONTROL, 0)                                    \
    R(RTL_LSBCRC0 + 0, 1, "LSBCRC0", REG_RW, 0, 0xFF, CONTROL, 0)                                  \
    R(RTL_LSBCRC0 + 1, 1, "LSBCRC1", REG_RW, 0, 0xFF, CONTROL, 0)                                  \
    R(RTL_LSBCRC0 + 2, 1, "LSBCRC2", REG_RW, 0, 0xFF, CONTROL, 0)                                  \
    R(RTL_LSBCRC0 + 3, 1, "LSBCRC3", REG_RW, 0, 0xFF, CONTROL, 0)                                  \
    R(RTL_LSBCRC0 + 4, 1, "LSBCRC4", REG_RW, 0, 0xFF, CONTROL, 0)                                  \
    R(RTL_LSBCRC0 + 5, 1, "LSBCRC5", REG_RW, 0, 0xFF, CONTROL, 0)                                  \
    R(RTL_LSBCRC0 + 6, 1, "LSBCRC6", REG_RW, 0, 0xFF, CONTROL, 0)                                  \
    R(RTL_LSBCRC0 + 7, 1, "LSBCRC7", REG_RW, 0, 0xFF, CONTROL, 0)                                  \
    R(RTL_CONFIG5, 1, "CONFIG5", REG_RW, 0x00, 0x7E, CONTROL, 0)

const RegDesc rtl8139_regs[] = {
#define R(off, w, name, acc, rst, wm, cls, fl) {off, w, name, acc, rst, REG_CLASS_##cls, fl},
    RTL8139_REGS(R)
#undef R
};
const unsigned rtl8139_nregs = sizeof rtl8139_regs / sizeof rtl8139_regs[0];

static const uint32_t rtl8139_wmask[] = {
#define R(off, w, name, acc, rst, wm, cls, fl) wm,
    RTL8139_REGS(R)
#undef R
};

_Static_assert(sizeof rtl8139_wmask / sizeof rtl8139_wmask[0] ==
                   sizeof rtl8139_regs / sizeof rtl8139_regs[0],
               "one write mask per register");

#define TX_DESCS 4u
#define RX_HEADER 4u
#define FCS_LEN 4u
#define RX_MAX_FRAME 4096u /* RX header LONG: "exceeds 4k bytes" (section 6.1) */
#define RUNT_LIMIT 64u     /* incl. CRC (section 6.8, AR) */
#define RUNT_MIN 8u        /* "at least 8 bytes long to be accepted as a runt" */
#define TSD_STATUS                                                                                 \
    (RTL_TSD_TUN | RTL_TSD_TOK | RTL_TSD_NCC | RTL_TSD_CDH | RTL_TSD_OWC | RTL_TSD_TABT |          \
     RTL_TSD_CRS)
#define CONFIG1_IOMAP_MEMMAP 0x0C /* both register windows exist (section 6.11) */

struct Rtl8139 {
    uint8_t r[RTL8139_IO_SIZE]; /* register store, little-endian */
    PciDevice pci;
    Eeprom93c46 ee;
    DevDma dma;
    DevIrq irq;
    DevClock *clock;
    NetPort port;
    DevTimer timer;
    uint64_t tctr_base;     /* virtual ns at which TCTR was 0 */
    unsigned tx_next;       /* round-robin descriptor pointer */
    int tx_abort;           /* transmit abort state after excessive collisions */
    unsigned tx_abort_desc; /* the aborted descriptor CLRABT retransmits */
    unsigned armed;         /* injected conditions: ARMED(DevCondition) */
    int reset_hung;         /* a CR.RST that never completes (DEV_COND_RESET_HANG) */
    int link;
    int irq_level;
    Rtl8139Stats stats;
    uint8_t txbuf[RTL_TSD_SIZE + 1];
};

#define ARMED(c) (1u << (c))

/* ---- helpers ---- */

static uint64_t now(const Rtl8139 *s)
{
    return s->clock ? s->clock->now : 0;
}

#define NOTE(s, ...) trace_emitf(TRACE_NOTE, now(s), 0, "rtl8139", __VA_ARGS__)

static uint32_t get_le(const uint8_t *p, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static void put_le(uint8_t *p, unsigned n, uint32_t v)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint16_t r16(const Rtl8139 *s, unsigned off)
{
    return (uint16_t)get_le(s->r + off, 2);
}

static uint32_t r32(const Rtl8139 *s, unsigned off)
{
    return get_le(s->r + off, 4);
}

static void w16(Rtl8139 *s, unsigned off, uint16_t v)
{
    put_le(s->r + off, 2, v);
}

static void w32(Rtl8139 *s, unsigned off, uint32_t v)
{
    put_le(s->r + off, 4, v);
}

static void update_irq(Rtl8139 *s)
{
    int level = (r16(s, RTL_ISR) & r16(s, RTL_IMR)) != 0;
    if (level != s->irq_level) {
        s->irq_level = level;
        dev_irq_set(&s->irq, level);
    }
}

static void raise_isr(Rtl8139 *s, uint16_t bits)
{
    w16(s, RTL_ISR, r16(s, RTL_ISR) | bits);
    update_irq(s);
}

/* ---- CRCs ---- */

unsigned rtl8139_mc_hash_bit(const uint8_t addr[6])
{
    /* MAR bit (section 6.8) */
    return eth_mc_hash6(addr);
}

uint32_t rtl8139_fcs(const uint8_t *data, size_t len)
{
    return eth_fcs(data, len);
}

/* ---- link (sections 6.12 MSR, 6.19 BMSR, 6.21 ANLPAR, 6.22 ANER) ---- */

static void link_regs(Rtl8139 *s)
{
    uint8_t msr = s->r[RTL_MSR] & ~(RTL_MSR_LINKB | RTL_MSR_SPEED_10);
    if (!s->link)
        msr |= RTL_MSR_LINKB; /* active low: 1 = link fail */
    s->r[RTL_MSR] = msr;      /* 100 Mbps: SPEED_10 clear */
    w16(s, RTL_BMSR, 0x7809 | (s->link ? RTL_BMSR_LINK | RTL_BMSR_ANC : 0));
    w16(s, RTL_ANLPAR, s->link ? 0x41E1 : 0);
    w16(s, RTL_ANER, s->link ? 0x0001 : 0);
}

void rtl8139_set_link(Rtl8139 *s, int up)
{
    up = !!up;
    if (up == s->link)
        return;
    s->link = up;
    link_regs(s);
    NOTE(s, "link %s", up ? "up" : "down");
    raise_isr(s, RTL_INT_PUN_LINKCHG); /* section 6.6: "link status is changed" */
}

int rtl8139_link(const Rtl8139 *s)
{
    return s->link;
}

int rtl8139_irq_level(const Rtl8139 *s)
{
    return s->irq_level;
}

/* ---- TCTR (48h) and TimerInt (54h), section 6 register table ---- */

static uint64_t tctr_ticks(const Rtl8139 *s)
{
    uint64_t dt = now(s) - s->tctr_base;
    return dt / 1000 * (RTL8139_PCI_CLOCK_HZ / 1000000) +
           dt % 1000 * (RTL8139_PCI_CLOCK_HZ / 1000000) / 1000;
}

static void timer_arm(Rtl8139 *s, int after_match)
{
    if (!s->clock)
        return;
    uint32_t ti = r32(s, RTL_TIMERINT);
    if (!ti) {
        dev_timer_cancel(s->clock, &s->timer);
        return;
    }
    uint64_t t = tctr_ticks(s) + (after_match ? 1 : 0);
    uint64_t k = (t & ~0xFFFFFFFFull) | ti;
    if (k < t)
        k += 1ull << 32;
    /* first virtual ns at which the count reaches k */
    uint64_t mhz = RTL8139_PCI_CLOCK_HZ / 1000000;
    uint64_t ns = (k * 1000 + mhz - 1) / mhz;
    dev_timer_arm(s->clock, &s->timer, s->tctr_base + ns);
}

static void timer_fire(void *opaque)
{
    Rtl8139 *s = opaque;
    /* "When TCTR reaches TimerInt, the TimeOut bit in ISR is set" */
    raise_isr(s, RTL_INT_TIMEOUT);
    timer_arm(s, 1);
}

/* ---- EEPROM and auto-load (sections 5 and 6.9) ---- */

static void autoload(Rtl8139 *s)
{
    const uint16_t *w = s->ee.word;
    if (w[RTL_EE_ID] != RTL_EE_SIGNATURE)
        NOTE(s, "EEPROM word 0 is 0x%04x, not the 8129h signature; loading it anyway",
             w[RTL_EE_ID]);
    for (unsigned i = 0; i < 3; i++) {
        s->r[RTL_IDR0 + 2 * i] = (uint8_t)w[RTL_EE_ETHERNET_ID + i];
        s->r[RTL_IDR0 + 2 * i + 1] = (uint8_t)(w[RTL_EE_ETHERNET_ID + i] >> 8);
    }
    s->r[RTL_CONFIG0] = (uint8_t)(w[RTL_EE_CONFIG0_CONFIG1] & 0x07);
    s->r[RTL_CONFIG1] = (uint8_t)(((w[RTL_EE_CONFIG0_CONFIG1] >> 8) & 0xF3) | CONFIG1_IOMAP_MEMMAP);
    s->r[RTL_CONFIG3] = (uint8_t)(w[RTL_EE_MSRBMCR_CONFIG3] >> 8);
    s->r[RTL_CONFIG4] = (uint8_t)(w[RTL_EE_CONFIG4] >> 8);
    /* Section 5: VID, DID, SVID and SMID are the PCI vendor, device,
     * subsystem vendor and subsystem IDs (configuration offsets 00h, 02h,
     * 2Ch, 2Eh); a board maker's EEPROM gives its own IDs. */
    pci_device_set16(&s->pci, PCI_VENDOR_ID, w[RTL_EE_VID]);
    pci_device_set16(&s->pci, PCI_DEVICE_ID, w[RTL_EE_DID]);
    pci_device_set16(&s->pci, PCI_SUBSYSTEM_VENDOR_ID, w[RTL_EE_SVID]);
    pci_device_set16(&s->pci, PCI_SUBSYSTEM_ID, w[RTL_EE_SMID]);
    pci_device_set8(&s->pci, PCI_MIN_GNT, (uint8_t)w[RTL_EE_MNGNT_MXLAT]);
    pci_device_set8(&s->pci, PCI_MAX_LAT, (uint8_t)(w[RTL_EE_MNGNT_MXLAT] >> 8));
}

static int eem(const Rtl8139 *s)
{
    return s->r[RTL_9346CR] & RTL_9346CR_EEM;
}

static void write_9346cr(Rtl8139 *s, uint8_t v)
{
    int was_program = eem(s) == RTL_9346CR_EEM_PROGRAM;
    s->r[RTL_9346CR] = v & 0xCE;
    switch (v & RTL_9346CR_EEM) {
    case RTL_9346CR_EEM_AUTOLOAD:
        /* the chip reloads the EEPROM and returns to normal mode (about
         * 2 ms on silicon; immediate here) */
        if (was_program)
            eeprom93c46_set_pins(&s->ee, 0, 0, 0);
        autoload(s);
        s->r[RTL_9346CR] = RTL_9346CR_EEM_NORMAL;
        break;
    case RTL_9346CR_EEM_PROGRAM:
        /* EECS/EESK/EEDI drive the EEPROM pins directly */
        eeprom93c46_set_pins(&s->ee, v & RTL_9346CR_EECS, v & RTL_9346CR_EESK, v & RTL_9346CR_EEDI);
        break;
    default:
        if (was_program)
            eeprom93c46_set_pins(&s->ee, 0, 0, 0);
        break;
    }
}

/* ---- receive (section 6.1 header, 6.8 RCR; guide "Packet Reception") ---- */

static uint32_t ring_len(const Rtl8139 *s)
{
    return 8192u << ((r32(s, RTL_RCR) & RTL_RCR_RBLEN) >> RTL_RCR_RBLEN_SHIFT);
}

/* Where the driver will read next: CAPR + 16 (the driver keeps CAPR 16
 * bytes behind its read pointer, guide "Packet Reception"). */
static uint32_t ring_read_ptr(const Rtl8139 *s)
{
    return (uint32_t)((r16(s, RTL_CAPR) + 16u) & 0xFFFF) % ring_len(s);
}

static int ring_empty(const Rtl8139 *s)
{
    return ring_read_ptr(s) == r16(s, RTL_CBR) % ring_len(s);
}

/* Bus mastering is a gate, not an error (PCI 3.0 section 6.2.2: with Bus
 * Master Enable clear the function does not generate PCI accesses): work
 * that needs DMA waits until the driver sets BME (rtl8139_pci_changed). */
static int bus_master(Rtl8139 *s, const char *what)
{
    if (pci_device_command(&s->pci) & PCI_COMMAND_MASTER)
        return 1;
    NOTE(s, "%s waits: PCI bus mastering is disabled", what);
    return 0;
}

/* A failed bus-master cycle: master abort on PCI, SERR in ISR (section 6.6). */
static void dma_error(Rtl8139 *s, const char *what, uint32_t addr, uint32_t len)
{
    s->stats.dma_errors++;
    NOTE(s, "%s DMA to 0x%08x+%u outside guest memory: master abort, ISR.SERR", what, addr, len);
    pci_device_raise_status(&s->pci, PCI_STATUS_REC_MASTER_ABORT);
    raise_isr(s, RTL_INT_SERR);
}

static int dma_write(Rtl8139 *s, uint32_t addr, const void *buf, uint32_t len)
{
    if ((uint64_t)addr + len > 0x100000000ull || dev_dma_write(&s->dma, addr, buf, len) < 0) {
        dma_error(s, "receive", addr, len);
        return -1;
    }
    return 0;
}

static Rtl8139RxResult rx_frame(Rtl8139 *s, const uint8_t *frame, size_t len, unsigned errors,
                                const uint8_t *fcs_given)
{
    if (!(s->r[RTL_CR] & RTL_CR_RE)) {
        s->stats.rx_disabled++;
        return RTL8139_RX_DISABLED;
    }
    uint32_t rcr = r32(s, RTL_RCR);
    size_t total = len + FCS_LEN;
    if (len < 6 || total < RUNT_MIN || total > RX_MAX_FRAME) {
        NOTE(s, "received frame of %zu bytes dropped (outside %u..%u with CRC)", len, RUNT_MIN,
             RX_MAX_FRAME);
        s->stats.rx_filtered++;
        return RTL8139_RX_FILTERED;
    }

    /* address filter (section 6.8: AAP, APM, AM, AB) */
    static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    uint16_t status = 0;
    int accept = 0;
    if (!memcmp(frame, bcast, 6)) {
        status |= RTL_RX_BAR;
        accept = (rcr & RTL_RCR_AB) != 0;
    } else if (frame[0] & 1) {
        unsigned bit = rtl8139_mc_hash_bit(frame);
        if ((rcr & RTL_RCR_AM) && (s->r[RTL_MAR0 + bit / 8] >> (bit % 8) & 1)) {
            status |= RTL_RX_MAR;
            accept = 1;
        }
    } else {
        if (!memcmp(frame, s->r + RTL_IDR0, 6)) {
            status |= RTL_RX_PAM;
            accept = (rcr & RTL_RCR_APM) != 0;
        }
        if (rcr & RTL_RCR_AAP)
            accept = 1;
    }

    uint32_t fcs = rtl8139_fcs(frame, len);
    if (fcs_given && get_le(fcs_given, 4) != fcs)
        errors |= RTL_RX_CRC;
    if (errors & RTL_RX_CRC)
        fcs = fcs_given ? get_le(fcs_given, 4) : ~fcs;
    errors &= RTL_RX_CRC | RTL_RX_FAE;
    if (total < RUNT_LIMIT)
        status |= RTL_RX_RUNT;
    if (errors) {
        /* AER admits error packets; RER8 set limits that to >= 64 bytes,
         * clear to >= 8 bytes (section 6.8) */
        if (!(rcr & RTL_RCR_AER) || ((rcr & RTL_RCR_RER8) && total < RUNT_LIMIT))
            accept = 0;
    } else if (total < RUNT_LIMIT && !(rcr & RTL_RCR_AR)) {
        accept = 0;
    }
    if (!accept) {
        s->stats.rx_filtered++;
        return RTL8139_RX_FILTERED;
    }
    status |= errors;
    if (!errors)
        status |= RTL_RX_ROK; /* a runt accepted under AR is reported with ROK and RUNT */

    /* ring space: the packet must not reach data the driver has not
     * consumed (CAPR + 16); equal pointers mean empty */
    uint32_t size = ring_len(s);
    uint32_t wp = r16(s, RTL_CBR) % size;
    uint32_t rp = ring_read_ptr(s);
    uint32_t need = (uint32_t)((RX_HEADER + total + 3) & ~3u);
    uint32_t space = (rp - wp + size) % size;
    if (space == 0)
        space = size;
    if (need >= space) {
        w32(s, RTL_MPC, (r32(s, RTL_MPC) + 1) & 0x00FFFFFF);
        s->stats.rx_overflow++;
        raise_isr(s, RTL_INT_RXOVW);
        return RTL8139_RX_OVERFLOW;
    }

    uint32_t base = r32(s, RTL_RBSTART);
    if (!bus_master(s, "receive")) {
        /* the Rx FIFO cannot be emptied into the ring: the frame is lost to
         * a FIFO overflow (section 6.6 ISR.FOVW), counted as missed (MPC) */
        w32(s, RTL_MPC, (r32(s, RTL_MPC) + 1) & 0x00FFFFFF);
        s->stats.rx_overflow++;
        raise_isr(s, RTL_INT_FOVW);
        return RTL8139_RX_NO_BUS_MASTER;
    }
    uint8_t hdr[RX_HEADER], crc[FCS_LEN];
    put_le(hdr, 2, status);
    put_le(hdr + 2, 2, (uint32_t)total);
    put_le(crc, 4, fcs);
    /* WRAP (section 6.8): 1 = continue past the end of the ring (the
     * driver reserves room there), 0 = wrap to the start. Ignored with the
     * 64K ring. */
    int nowrap = (rcr & RTL_RCR_WRAP) && size != 65536;
    const uint8_t *parts[3] = {hdr, frame, crc};
    uint32_t lens[3] = {RX_HEADER, (uint32_t)len, FCS_LEN};
    uint32_t pos = wp;
    for (unsigned p = 0; p < 3; p++) {
        uint32_t done = 0;
        while (done < lens[p]) {
            uint32_t n = lens[p] - done;
            if (!nowrap) {
                pos %= size;
                if (n > size - pos)
                    n = size - pos;
            }
            if (dma_write(s, base + pos, parts[p] + done, n) < 0)
                return RTL8139_RX_DMA_ERROR;
            done += n;
            pos += n;
        }
    }
    w16(s, RTL_CBR, (uint16_t)((wp + need) % size));
    s->stats.rx_stored++;
    raise_isr(s, errors ? RTL_INT_RER : RTL_INT_ROK);
    return RTL8139_RX_STORED;
}

/* A frame from the cable. An armed DEV_COND_RX_CRC_ERROR spoils the FCS of
 * the next one the receiver takes in (CR.RE): rx_frame then applies the
 * chip's rules for a CRC error (sections 6.1 CRC, 6.6 RER, 6.8 AER/RER8).
 * A frame arriving with the receiver off leaves it armed. */
static Rtl8139RxResult cable_frame(Rtl8139 *s, const uint8_t *frame, size_t len, unsigned errors)
{
    if ((s->armed & ARMED(DEV_COND_RX_CRC_ERROR)) && (s->r[RTL_CR] & RTL_CR_RE)) {
        s->armed &= ~ARMED(DEV_COND_RX_CRC_ERROR);
        s->stats.rx_crc_errors++;
        errors |= RTL_RX_CRC;
        NOTE(s, "injected bad FCS on a %zu-byte frame: kept (CRC, ISR.RER) only with RCR.AER", len);
    }
    return rx_frame(s, frame, len, errors, NULL);
}

Rtl8139RxResult rtl8139_receive(Rtl8139 *s, const uint8_t *frame, size_t len)
{
    return cable_frame(s, frame, len, 0);
}

Rtl8139RxResult rtl8139_receive_bad(Rtl8139 *s, const uint8_t *frame, size_t len, unsigned errors)
{
    return cable_frame(s, frame, len, errors & (RTL8139_RXERR_FAE | RTL8139_RXERR_CRC));
}

/* ---- transmit (section 6.2 TSD, 6.7 TCR; guide "Packet Transmission") ---- */

static void tx_abort(Rtl8139 *s, unsigned n, uint32_t extra_isr)
{
    w32(s, RTL_TSD(n), r32(s, RTL_TSD(n)) | RTL_TSD_OWN | RTL_TSD_TABT);
    s->stats.tx_aborted++;
    raise_isr(s, (uint16_t)(RTL_INT_TER | extra_isr));
}

/* Injected excessive collisions: every one of the 16 + 16 x TXRR attempts
 * collided (section 6.7 TXRR), the packet is aborted: TSD has OWN and TABT
 * and no TOK (6.2), ISR.TER (6.6). NCC is left 0: the datasheet gives no
 * count for an aborted packet. The transmitter stays in the transmit abort
 * state, sending nothing more, until TCR.CLRABT retransmits the packet
 * (6.7 CLRABT: "only permitted in the transmit abort state"). */
static void tx_collision_abort(Rtl8139 *s, unsigned n, uint32_t tsd)
{
    s->armed &= ~ARMED(DEV_COND_TX_ERROR);
    s->tx_abort = 1;
    s->tx_abort_desc = n;
    NOTE(s, "TSD%u: injected excessive collisions: TABT, ISR.TER, transmit abort state", n);
    w32(s, RTL_TSD(n), tsd | RTL_TSD_TABT);
    s->stats.tx_aborted++;
    raise_isr(s, RTL_INT_TER);
}

static void tx_one(Rtl8139 *s, unsigned n)
{
    uint32_t tsd = r32(s, RTL_TSD(n));
    uint32_t size = tsd & RTL_TSD_SIZE;
    uint32_t addr = r32(s, RTL_TSAD_N(n));
    if (size == 0 || size > RTL8139_TX_MAX) {
        NOTE(s, "TSD%u size %u outside 1..%u: transmit abort", n, size, RTL8139_TX_MAX);
        tx_abort(s, n, 0);
        return;
    }
    if ((uint64_t)addr + size > 0x100000000ull || dev_dma_read(&s->dma, addr, s->txbuf, size) < 0) {
        s->stats.dma_errors++;
        NOTE(s, "TSD%u: transmit DMA from 0x%08x+%u failed: master abort, ISR.SERR", n, addr, size);
        pci_device_raise_status(&s->pci, PCI_STATUS_REC_MASTER_ABORT);
        tx_abort(s, n, RTL_INT_SERR);
        return;
    }
    /* OWN: the frame has been moved to the FIFO */
    tsd |= RTL_TSD_OWN;
    uint32_t tcr = r32(s, RTL_TCR);
    int crc_appended = !(tcr & RTL_TCR_CRC);
    size_t len = size;
    const uint8_t *fcs = NULL;
    if (!crc_appended) {
        /* TCR.CRC = 1: the buffer carries its own FCS */
        if (size < FCS_LEN + 6) {
            NOTE(s, "TSD%u: %u bytes with TCR.CRC set cannot hold a frame and its FCS", n, size);
            w32(s, RTL_TSD(n), tsd);
            tx_abort(s, n, 0);
            return;
        }
        len = size - FCS_LEN;
        fcs = s->txbuf + len;
    }
    if (len < 60)
        NOTE(s, "TSD%u: %zu-byte frame sent unpadded (the RTL8139 does not pad)", n, len);

    uint32_t done = RTL_TSD_TOK;
    if ((tcr & RTL_TCR_LBK) == RTL_TCR_LBK_LOOPBACK) {
        s->stats.tx_looped++;
        rx_frame(s, s->txbuf, len, 0, fcs);
    } else if (!s->link) {
        /* no carrier on an unplugged cable */
        tsd |= RTL_TSD_CRS;
    } else if (s->armed & ARMED(DEV_COND_TX_ERROR)) {
        tx_collision_abort(s, n, tsd);
        return;
    } else {
        if (s->armed & ARMED(DEV_COND_TX_UNDERRUN)) {
            /* section 6.2 TUN: the chip re-transfers the data and the packet
             * still goes out; TSD reports TUN with TOK clear, ISR a TOK */
            s->armed &= ~ARMED(DEV_COND_TX_UNDERRUN);
            s->stats.tx_underrun++;
            NOTE(s, "TSD%u: injected Tx FIFO underrun: re-transferred, TUN set, TOK clear", n);
            done = RTL_TSD_TUN;
        }
        if (fcs && get_le(fcs, 4) != rtl8139_fcs(s->txbuf, len))
            NOTE(s, "TSD%u: driver-supplied FCS is wrong; the peer would drop the frame", n);
        else if (s->port.send)
            s->port.send(s->port.opaque, s->txbuf, len);
    }
    s->stats.tx_sent++;
    w32(s, RTL_TSD(n), tsd | done);
    raise_isr(s, RTL_INT_TOK);
}

/* Transmit every descriptor the driver has handed over, in order from the
 * round-robin pointer (guide: descriptors are used 0,1,2,3,0,...). */
static void tx_kick(Rtl8139 *s)
{
    if (s->tx_abort)
        return; /* held in the transmit abort state until TCR.CLRABT */
    if ((s->r[RTL_CR] & RTL_CR_TE) && !(r32(s, RTL_TSD(s->tx_next)) & RTL_TSD_OWN) &&
        !bus_master(s, "transmit"))
        return; /* OWN stays clear: the descriptor is still pending */
    while (!s->tx_abort && (s->r[RTL_CR] & RTL_CR_TE) &&
           !(r32(s, RTL_TSD(s->tx_next)) & RTL_TSD_OWN)) {
        unsigned n = s->tx_next;
        s->tx_next = (n + 1) % TX_DESCS;
        tx_one(s, n);
    }
}

/* TCR.CLRABT in the transmit abort state (section 6.7): the aborted
 * packet is sent again with clean status, then the queue goes on. The
 * chip resends from its FIFO; the model reads the buffer at TSAD again. */
static void tx_retransmit(Rtl8139 *s)
{
    unsigned n = s->tx_abort_desc;
    if (!(s->r[RTL_CR] & RTL_CR_TE)) {
        NOTE(s, "TCR.CLRABT with CR.TE clear: TSD%u stays aborted", n);
        return;
    }
    s->tx_abort = 0;
    w32(s, RTL_TSD(n), r32(s, RTL_TSD(n)) & ~TSD_STATUS);
    tx_one(s, n);
    tx_kick(s);
}

static uint16_t tsad_summary(const Rtl8139 *s)
{
    uint16_t v = 0;
    for (unsigned n = 0; n < TX_DESCS; n++) {
        uint32_t t = r32(s, RTL_TSD(n));
        v |= (uint16_t)(((t & RTL_TSD_OWN) ? 1u : 0u) << n);
        v |= (uint16_t)(((t & RTL_TSD_TABT) ? 1u : 0u) << (4 + n));
        v |= (uint16_t)(((t & RTL_TSD_TUN) ? 1u : 0u) << (8 + n));
        v |= (uint16_t)(((t & RTL_TSD_TOK) ? 1u : 0u) << (12 + n));
    }
    return v;
}

/* ---- resets ---- */

/* CR.RST (section 6.4): transmitter and receiver off, FIFOs and buffer
 * pointers reinitialised (Tx at TSAD0, Rx buffer empty); IDR, MAR and the
 * PCI configuration space keep their values. RST clears at once. */
static void soft_reset(Rtl8139 *s)
{
    s->r[RTL_CR] = 0;
    for (unsigned n = 0; n < TX_DESCS; n++)
        w32(s, RTL_TSD(n), RTL_TSD_OWN);
    s->tx_next = 0;
    s->tx_abort = 0;
    w16(s, RTL_CAPR, 0xFFF0);
    w16(s, RTL_CBR, 0);
    w16(s, RTL_ERBCR, 0);
    s->r[RTL_ERSR] = 0;
    w16(s, RTL_IMR, 0);
    w16(s, RTL_ISR, 0);
    w32(s, RTL_MPC, 0);
    s->reset_hung = 0;
    update_irq(s);
}

/* CR.RST with DEV_COND_RESET_HANG armed: the chip clears RST when the reset
 * is done (section 6.4, CR), and here it never is. The reset has begun
 * (the soft_reset effects: RE/TE off, IMR/ISR 0, Tx at TSAD0, Rx buffer
 * empty) but RST reads 1 and the chip takes nothing else: every write is
 * ignored until the driver writes RST again, which restarts the reset and
 * completes it. */
static void hang_reset(Rtl8139 *s)
{
    s->armed &= ~ARMED(DEV_COND_RESET_HANG);
    soft_reset(s);
    s->reset_hung = 1;
    s->r[RTL_CR] = RTL_CR_RST;
    s->stats.reset_hangs++;
    NOTE(s, "injected reset hang: CR.RST stays 1, RE/TE off, writes ignored until RST again");
}

void rtl8139_reset(Rtl8139 *s)
{
    memset(s->r, 0, sizeof s->r);
    for (unsigned i = 0; i < rtl8139_nregs; i++)
        if (rtl8139_regs[i].width <= 4)
            put_le(s->r + rtl8139_regs[i].offset, rtl8139_regs[i].width, rtl8139_regs[i].reset);
    pci_device_reset(&s->pci);
    eeprom93c46_set_pins(&s->ee, 0, 0, 0);
    autoload(s);
    link_regs(s);
    s->tx_next = 0;
    s->tx_abort = 0;
    s->reset_hung = 0;
    s->tctr_base = now(s);
    timer_arm(s, 0);
    update_irq(s);
}

/* ---- register access ---- */

static uint32_t reg_value(Rtl8139 *s, const RegDesc *r)
{
    switch (r->offset) {
    case RTL_CR:
        return (s->r[RTL_CR] & ~RTL_CR_BUFE) | (ring_empty(s) ? RTL_CR_BUFE : 0);
    case RTL_TCTR:
        return (uint32_t)tctr_ticks(s);
    case RTL_TSAD:
        return tsad_summary(s);
    case RTL_9346CR: {
        uint8_t v = s->r[RTL_9346CR] & ~RTL_9346CR_EEDO;
        if (eem(s) == RTL_9346CR_EEM_PROGRAM && eeprom93c46_get_do(&s->ee))
            v |= RTL_9346CR_EEDO;
        return v;
    }
    }
    return get_le(s->r + r->offset, r->width);
}

static int is_config_locked(const RegDesc *r)
{
    return r->offset == RTL_CONFIG0 || r->offset == RTL_CONFIG1 || r->offset == RTL_CONFIG3 ||
           r->offset == RTL_CONFIG4;
}

/* Write the bytes `bm` of register r (value already shifted into place). */
static void reg_write(Rtl8139 *s, const RegDesc *r, uint32_t v, uint32_t bm, unsigned size)
{
    uint32_t wm = rtl8139_wmask[r - rtl8139_regs];
    uint32_t old = get_le(s->r + r->offset, r->width);
    uint32_t neu = (old & ~(wm & bm)) | (v & wm & bm);

    if (r->access == REG_RO) {
        s->stats.ignored++;
        NOTE(s, "write 0x%x to read-only %s ignored", v, r->name);
        return;
    }
    if (r->offset < RTL_MAR0 + 8 && size != 4)
        NOTE(s, "%u-byte write to %s: IDR and MAR are written with 4-byte accesses (section 6)",
             size, r->name);
    if (s->reset_hung && !(r->offset == RTL_CR && (v & bm & RTL_CR_RST))) {
        /* the chip is stuck in its reset: only a new CR.RST reaches it */
        s->stats.ignored++;
        NOTE(s, "write 0x%x to %s during the hung CR.RST ignored", v, r->name);
        return;
    }
    if (is_config_locked(r) && eem(s) != RTL_9346CR_EEM_CONFIG) {
        /* section 6.9: EEM=11 must be set before writing CONFIG0,1,3,4 */
        s->stats.ignored++;
        NOTE(s, "write 0x%x to %s without 9346CR config write enable ignored", v, r->name);
        return;
    }

    switch (r->offset) {
    case RTL_TSD(0):
    case RTL_TSD(1):
    case RTL_TSD(2):
    case RTL_TSD(3): {
        unsigned n = (r->offset - RTL_TSD0) / 4;
        if ((bm & RTL_TSD_OWN) && !(neu & RTL_TSD_OWN))
            neu &= ~TSD_STATUS; /* a new transmission starts with clean status */
        w32(s, r->offset, neu);
        if (!(neu & RTL_TSD_OWN) && !(s->r[RTL_CR] & RTL_CR_TE))
            NOTE(s, "TSD%u handed over with CR.TE clear: pending", n);
        tx_kick(s);
        return;
    }
    case RTL_CR:
        if (v & bm & RTL_CR_RST) {
            if (!s->reset_hung && (s->armed & ARMED(DEV_COND_RESET_HANG))) {
                hang_reset(s);
                return;
            }
            if (s->reset_hung)
                NOTE(s, "CR.RST written again: the hung reset restarts and completes");
            soft_reset(s);
            return;
        }
        s->r[RTL_CR] = (uint8_t)(neu & (RTL_CR_RE | RTL_CR_TE));
        tx_kick(s);
        return;
    case RTL_IMR:
        w16(s, RTL_IMR, (uint16_t)neu);
        update_irq(s);
        return;
    case RTL_ISR:
        w16(s, RTL_ISR, (uint16_t)(old & ~(v & bm)));
        update_irq(s);
        return;
    case RTL_TCR:
        w32(s, RTL_TCR, neu & ~RTL_TCR_CLRABT);
        if ((neu & RTL_TCR_CLRABT) && s->tx_abort)
            tx_retransmit(s);
        else if (neu & RTL_TCR_CLRABT)
            NOTE(s, "TCR.CLRABT outside the transmit abort state: nothing to retransmit");
        return;
    case RTL_TCTR:
        /* any write restarts the count from 0 */
        s->tctr_base = now(s);
        timer_arm(s, 0);
        return;
    case RTL_MPC:
        w32(s, RTL_MPC, 0); /* cleared by any write */
        return;
    case RTL_TIMERINT:
        w32(s, RTL_TIMERINT, neu);
        timer_arm(s, 0);
        return;
    case RTL_9346CR:
        write_9346cr(s, (uint8_t)neu);
        return;
    case RTL_BMCR:
        if (eem(s) != RTL_9346CR_EEM_CONFIG && ((neu ^ old) & 0x3100)) {
            NOTE(s, "BMCR bits 13/12/8 written without 9346CR config write enable: kept");
            neu = (neu & ~0x3100u) | (old & 0x3100u);
        }
        if (neu & 0x8000) {
            /* PHY reset: BMCR and ANAR to defaults; self-clearing */
            w16(s, RTL_ANAR, 0x01E1);
            neu = 0x3100;
        }
        w16(s, RTL_BMCR, (uint16_t)(neu & ~0x0200u)); /* restart-AN completes at once */
        return;
    }
    put_le(s->r + r->offset, r->width, neu);
}

static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static uint32_t rtl8139_io_read(void *opaque, uint32_t off, unsigned size)
{
    Rtl8139 *s = opaque;
    if ((size != 1 && size != 2 && size != 4) || off >= RTL8139_IO_SIZE ||
        off + size > RTL8139_IO_SIZE) {
        s->stats.unmodelled++;
        NOTE(s, "read 0x%x/%u outside the register window: all-ones", off, size);
        return size_mask(size);
    }
    uint32_t v = 0;
    int unmodelled = 0;
    for (unsigned i = 0; i < size;) {
        const RegDesc *r = reg_find(rtl8139_regs, rtl8139_nregs, off + i, 1);
        if (!r) {
            v |= 0xFFu << (8 * i);
            unmodelled = 1;
            i++;
            continue;
        }
        if (r->width > 4) {
            v |= (uint32_t)s->r[off + i] << (8 * i);
            i++;
            continue;
        }
        uint32_t rv = reg_value(s, r);
        unsigned first = off + i - r->offset;
        unsigned n = r->width - first < size - i ? r->width - first : size - i;
        for (unsigned k = 0; k < n; k++)
            v |= ((rv >> (8 * (first + k))) & 0xFFu) << (8 * (i + k));
        i += n;
    }
    if (unmodelled) {
        s->stats.unmodelled++;
        NOTE(s, "read of unmodelled register 0x%02x/%u: all-ones in unmodelled bytes", off, size);
    }
    return v;
}

static void rtl8139_io_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    Rtl8139 *s = opaque;
    if ((size != 1 && size != 2 && size != 4) || off >= RTL8139_IO_SIZE ||
        off + size > RTL8139_IO_SIZE) {
        s->stats.unmodelled++;
        NOTE(s, "write 0x%x to 0x%x/%u outside the register window ignored", v, off, size);
        return;
    }
    v &= size_mask(size);
    int unmodelled = 0;
    for (unsigned i = 0; i < size;) {
        const RegDesc *r = reg_find(rtl8139_regs, rtl8139_nregs, off + i, 1);
        if (!r) {
            unmodelled = 1;
            i++;
            continue;
        }
        if (r->width > 4) {
            if (s->reset_hung) {
                s->stats.ignored++;
                NOTE(s, "write to %s during the hung CR.RST ignored", r->name);
            } else {
                s->r[off + i] = (uint8_t)(v >> (8 * i));
            }
            i++;
            continue;
        }
        unsigned first = off + i - r->offset;
        unsigned n = r->width - first < size - i ? r->width - first : size - i;
        uint32_t part = (v >> (8 * i)) & size_mask(n);
        reg_write(s, r, part << (8 * first), size_mask(n) << (8 * first), size);
        i += n;
    }
    if (unmodelled) {
        s->stats.unmodelled++;
        NOTE(s, "write 0x%x to unmodelled register 0x%02x/%u ignored", v, off, size);
    }
}

/* DevIoOps.reg_name: the register holding every byte of the access, else
 * the one at its first byte (a dword at 3Ch is named IMR). The register
 * map does not depend on state. */
static const char *rtl8139_io_reg_name(void *opaque, uint32_t off, unsigned size, int write)
{
    if (size == 0 || off >= RTL8139_IO_SIZE || size > RTL8139_IO_SIZE - off)
        return NULL;
    const RegDesc *r = reg_find(rtl8139_regs, rtl8139_nregs, off, size);
    if (!r)
        r = reg_find(rtl8139_regs, rtl8139_nregs, off, 1);
    return r ? r->name : NULL;
}

const DevIoOps rtl8139_io_ops = {
    .read = rtl8139_io_read,
    .write = rtl8139_io_write,
    .reg_name = rtl8139_io_reg_name,
};

/* ---- injected conditions ---- */

int rtl8139_inject(Rtl8139 *s, DevCondition c)
{
    switch (c) {
    case DEV_COND_TX_ERROR:    /* TSD.TABT, ISR.TER (sections 6.2, 6.6) */
    case DEV_COND_TX_UNDERRUN: /* TSD.TUN (section 6.2) */
        s->armed |= ARMED(c);
        NOTE(s, "condition %u armed for the next transmitted frame", (unsigned)c);
        return 0;
    case DEV_COND_RX_CRC_ERROR: /* header CRC, ISR.RER, kept only with RCR.AER (6.1, 6.6, 6.8) */
        s->armed |= ARMED(c);
        NOTE(s, "condition %u armed for the next received frame", (unsigned)c);
        return 0;
    case DEV_COND_RESET_HANG: /* CR.RST never clears (section 6.4) */
        s->armed |= ARMED(c);
        NOTE(s, "reset hang armed for the next CR.RST");
        return 0;
    }
    return -1;
}

/* ---- creation ---- */

/* The driver set Bus Master Enable: descriptors handed over meanwhile go. */
static void rtl8139_pci_changed(void *opaque, PciDevice *d, unsigned changed)
{
    Rtl8139 *s = opaque;
    if ((changed & PCI_CHANGED_COMMAND) && (pci_device_command(d) & PCI_COMMAND_MASTER))
        tx_kick(s);
}

Rtl8139 *rtl8139_new(const DevDma *dma, const DevIrq *irq, DevClock *clock, const NetPort *port,
                     const uint8_t mac[6])
{
    Rtl8139 *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (dma)
        s->dma = *dma;
    if (irq)
        s->irq = *irq;
    if (port)
        s->port = *port;
    s->clock = clock;
    s->link = 1;
    dev_timer_init(&s->timer, timer_fire, s);

    /* PCI identity (section 7): 10EC:8139 rev 10h, Ethernet controller,
     * BAR0 I/O 256 bytes, BAR1 memory 256 bytes, INTA# */
    PciId id = {
        .vendor = RTL8139_VENDOR_ID,
        .device = RTL8139_DEVICE_ID,
        .revision = RTL8139_REVISION,
        .class_code = RTL8139_CLASS,
        .interrupt_pin = 1,
        .status = PCI_STATUS_DEVSEL_MEDIUM,
    };
    pci_device_init(&s->pci, "rtl8139", &id);
    pci_device_set_callback(&s->pci, rtl8139_pci_changed, s);
    if (pci_device_set_bar(&s->pci, 0, RTL8139_IO_SIZE, PCI_BAR_IO) < 0 ||
        pci_device_set_bar(&s->pci, 1, RTL8139_IO_SIZE, PCI_BAR_MEM32) < 0)
        abort(); /* constant arguments: an internal invariant */

    /* EEPROM image (section 5): signature, IDs, Min_Gnt 20h/Max_Lat 40h,
     * MAC. Realtek's own boards carry subsystem 10ECh:8139h (the PCI ID
     * Repository lists RTL8139 boards with subsystem 10ec:8139; Realtek's
     * Mac OS driver notes ask for exactly those two values). */
    uint16_t ee[EEPROM93C46_WORDS] = {0};
    ee[RTL_EE_ID] = RTL_EE_SIGNATURE;
    ee[RTL_EE_VID] = RTL8139_VENDOR_ID;
    ee[RTL_EE_DID] = RTL8139_DEVICE_ID;
    ee[RTL_EE_SVID] = RTL8139_VENDOR_ID;
    ee[RTL_EE_SMID] = RTL8139_DEVICE_ID;
    ee[RTL_EE_MNGNT_MXLAT] = 0x4020;
    for (unsigned i = 0; i < 3; i++)
        ee[RTL_EE_ETHERNET_ID + i] = (uint16_t)(mac[2 * i] | mac[2 * i + 1] << 8);
    eeprom93c46_init(&s->ee, ee);

    rtl8139_reset(s);
    return s;
}

void rtl8139_free(Rtl8139 *s)
{
    if (!s)
        return;
    if (s->clock)
        dev_timer_cancel(s->clock, &s->timer);
    free(s);
}

PciDevice *rtl8139_pci(Rtl8139 *s)
{
    return &s->pci;
}

Eeprom93c46 *rtl8139_eeprom(Rtl8139 *s)
{
    return &s->ee;
}

const Rtl8139Stats *rtl8139_stats(const Rtl8139 *s)
{
    return &s->stats;
}

/* ---- board identity ---- */

/* The IDs live where the chip loads them from (section 5): EEPROM words
 * 01h-04h, so an auto-load after a reset presents them again. The revision
 * ID is the silicon's (section 7), set in the configuration header only;
 * RERID keeps the chip's own revision. */
int rtl8139_set_identity(Rtl8139 *s, const PciIdentity *id)
{
    if (id->vendor == 0xFFFF) /* PCI 3.0 6.2.1: FFFFh means "no device" */
        return -1;
    s->ee.word[RTL_EE_VID] = id->vendor;
    s->ee.word[RTL_EE_DID] = id->device;
    s->ee.word[RTL_EE_SVID] = id->subsys_vendor;
    s->ee.word[RTL_EE_SMID] = id->subsys_id;
    return pci_device_set_identity(&s->pci, id);
}

/* Boards built on the RTL8139 family. Vendor:device pairs from Linux
 * 8139too's rtl8139_pci_tbl; names and subsystems from the PCI ID
 * Repository (pci.ids, Debian package pci.ids 0.0~2023.04.11), which also
 * gives 0010:8139. Add-in and CardBus boards only (not mainboards). */
const PciBoard rtl8139_boards[] = {
    {0x10EC, 0x8139, 0x10EC, 0x8139, "Realtek RTL8139 PCI Fast Ethernet Adapter"},
    {0x10EC, 0x8139, 0x1186, 0x1300, "D-Link DFE-538TX"},
    {0x10EC, 0x8139, 0x1186, 0x1104, "D-Link DFE-520TX (rev. D1)"},
    {0x10EC, 0x8139, 0x1186, 0x8139, "D-Link DRN-32TX"},
    {0x10EC, 0x8139, 0x1113, 0xEC01, "LevelOne FNC-0107TX/FNC-0109TX"},
    {0x10EC, 0x8139, 0x10BD, 0x0320, "Surecom EP-320X-R"},
    {0x10EC, 0x8139, 0x11F6, 0x8139, "Compex FN22-3(A) LinxPRO"},
    {0x10EC, 0x8139, 0x1259, 0x2500, "Allied Telesis AT-2500TX"},
    {0x10EC, 0x8139, 0x1259, 0x2503, "Allied Telesis AT-2500TX/ACPI"},
    {0x10EC, 0x8139, 0x1432, 0x9130, "Edimax EN-9130TX"},
    {0x10EC, 0x8139, 0x146C, 0x1439, "Ruby Tech FE-1439TX"},
    {0x10EC, 0x8139, 0x1489, 0x6001, "KYE GF100TXRII"},
    {0x10EC, 0x8139, 0x1489, 0x6002, "KYE GF100TXRA"},
    {0x10EC, 0x8139, 0x149C, 0x8139, "OvisLink LFE-8139TX"},
    {0x10EC, 0x8139, 0x149C, 0x139A, "OvisLink LFE-8139ATX"},
    {0x10EC, 0x8139, 0x16EC, 0x00FF, "U.S. Robotics USR997900A"},
    {0x10EC, 0x8139, 0x1799, 0x5000, "Belkin F5D5000"},
    {0x10EC, 0x8139, 0x1799, 0x5010, "Belkin F5D5010 CardBus"},
    {0x10EC, 0x8139, 0x2646, 0x0001, "Kingston KNE120TX"},
    {0x10EC, 0x8139, 0x8E2E, 0x7000, "KTI KF-230TX"},
    {0x10EC, 0x8139, 0x8E2E, 0x7100, "KTI KF-230TX/2"},
    {0x10EC, 0x8139, 0x1AF4, 0x1100, "QEMU virtual machine's rtl8139"},
    {0x10EC, 0x8138, 0x10EC, 0x8138, "Realtek RT8139 (B/C) CardBus Fast Ethernet Adapter"},
    {0x1186, 0x1300, 0x1186, 0x1300, "D-Link DFE-538TX"},
    {0x1186, 0x1300, 0x1186, 0x1301, "D-Link DFE-530TX+"},
    {0x1186, 0x1300, 0x1186, 0x1303, "D-Link DFE-528TX"},
    {0x1186, 0x1340, 0, 0, "D-Link DFE-690TXD CardBus"},
    {0x1113, 0x1211, 0x1113, 0x1211, "Accton EN-1207D"},
    {0x1113, 0x1211, 0x103C, 0x1207, "Accton EN-1207D (HP subsystem)"},
    {0x1113, 0x1211, 0, 0, "Accton / SMC SMC2-1211TX"},
    {0x1500, 0x1360, 0, 0, "Delta Electronics RTL81xx board"},
    {0x4033, 0x1360, 0, 0, "Addtron RTL8139 board"},
    {0x13D1, 0xAB06, 0, 0, "Abocom FE2000VX CardBus"},
    {0x1259, 0xA117, 0, 0, "Allied Telesis RTL81xx board"},
    {0x1259, 0xA11E, 0, 0, "Allied Telesis RTL81xx board"},
    {0x14EA, 0xAB06, 0, 0, "Planex FNW-3603-TX CardBus"},
    {0x14EA, 0xAB07, 0, 0, "Planex RTL81xx board"},
    {0x11DB, 0x1234, 0, 0, "Sega RTL8139 board"},
    {0x1432, 0x9130, 0, 0, "Edimax RTL81xx board"},
    {0x02AC, 0x1012, 0, 0, "SpeedStream 1012 PCMCIA 10/100"},
    {0x018A, 0x0106, 0, 0, "LevelOne FPC-0106TX (misprogrammed vendor ID)"},
    {0x126C, 0x1211, 0, 0, "Northern Telecom 10/100BaseTX"},
    {0x1743, 0x8139, 0, 0, "Peppercon ROL/F-100"},
    {0x021B, 0x8139, 0, 0, "Compaq HNE-300 iPaq Networking (misprogrammed vendor ID)"},
    {0x0010, 0x8139, 0, 0, "Allied Telesis AT-2500TX V3 (wrong vendor ID)"},
};
const unsigned rtl8139_nboards = sizeof rtl8139_boards / sizeof rtl8139_boards[0];
