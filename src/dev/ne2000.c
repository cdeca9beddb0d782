/* NE2000 model (see ne2000.h and docs/devices/ne2000.md). "DP8390D" is the
 * National Semiconductor DP8390D/NS32490D NIC datasheet (July 1995):
 * section 7 Packet Reception, 8 Packet Transmission, 9 Remote DMA, 10
 * Internal Registers, 11 Initialization Procedures, 12 Loopback
 * Diagnostics. "RTL8029AS" is the Realtek RTL8029AS datasheet (LS009.0,
 * 1997-01-16): 5.1.2.2 RTL8029AS Defined Registers, 6.2.2 ID PROM
 * Contents. The NIC's registers are fields of the state struct; the card's
 * 16 KB buffer and its PROM form the local address space remote DMA, the
 * receive ring and the transmitter use. */
#include "dev/ne2000.h"
#include "dev/eth.h"

#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

#define RD(p, off) NE2000_KEY_READ(p, off)
#define WR(p, off) NE2000_KEY_WRITE(p, off)
#define ONLY_8029 1u /* the row exists on the RTL8029AS (PCI mode) only */

/* Every register view: key, width, datasheet name, access, reset value,
 * bits software may write, flags, class (the REG_CLASS_ suffix) and REG_F_
 * flags (regs.h). Read views of write-only registers are the different
 * register the datasheet puts at that offset (DP8390D section 10 register
 * address table); reserved offsets have no row. Class calls
 * (DP8390D section 10): CR is control+status, TXP being cleared by the NIC
 * when the transmission ends and STP/STA showing the reset state; CURR, the
 * local DMA registers (CLDA, LNPP, Address Counter) and RNPP are pointers
 * the NIC advances, written only to set them up or for diagnostics: status.
 * FIFO returns the loopback bytes in turn: data. NCR counts collisions. */
#define NE2000_REGS(R)                                                                             \
    R(NE_CR, 1, "CR", REG_RW, 0x21, 0xFF, 0, CS, REG_F_SELFCLEAR)                                  \
    R(NE_DATA, 8, "Data Port", REG_RW, 0, 0xFF, 0, DATA, 0)                                        \
    R(NE_RESET, 8, "Reset Port", REG_RW, 0, 0xFF, 0, CONTROL, 0)                                   \
    R(RD(0, NE_CLDA0), 1, "CLDA0", REG_RO, 0, 0, 0, STATUS, 0)                                     \
    R(RD(0, NE_CLDA1), 1, "CLDA1", REG_RO, 0, 0, 0, STATUS, 0)                                     \
    R(RD(0, NE_BNRY), 1, "BNRY", REG_RW, 0, 0, 0, CONTROL, 0)                                      \
    R(RD(0, NE_TSR), 1, "TSR", REG_RO, NE_TSR_ND, 0, 0, STATUS, 0)                                 \
    R(RD(0, NE_NCR), 1, "NCR", REG_RO, 0, 0, 0, STATUS, REG_F_COUNTER)                             \
    R(RD(0, NE_FIFO), 1, "FIFO", REG_RO, 0, 0, 0, DATA, 0)                                         \
    R(RD(0, NE_ISR), 1, "ISR", REG_W1C, NE_ISR_RST, 0, 0, STATUS, 0)                               \
    R(RD(0, NE_CRDA0), 1, "CRDA0", REG_RO, 0, 0, 0, STATUS, 0)                                     \
    R(RD(0, NE_CRDA1), 1, "CRDA1", REG_RO, 0, 0, 0, STATUS, 0)                                     \
    R(RD(0, NE_8029ID0), 1, "8029ID0", REG_RO, 0x50, 0, ONLY_8029, STATUS, 0)                      \
    R(RD(0, NE_8029ID1), 1, "8029ID1", REG_RO, 0x43, 0, ONLY_8029, STATUS, 0)                      \
    R(RD(0, NE_RSR), 1, "RSR", REG_RO, 0, 0, 0, STATUS, 0)                                         \
    R(RD(0, NE_CNTR0), 1, "CNTR0", REG_RC, 0, 0, 0, STATUS, REG_F_COUNTER)                         \
    R(RD(0, NE_CNTR1), 1, "CNTR1", REG_RC, 0, 0, 0, STATUS, REG_F_COUNTER)                         \
    R(RD(0, NE_CNTR2), 1, "CNTR2", REG_RC, 0, 0, 0, STATUS, REG_F_COUNTER)                         \
    R(WR(0, NE_PSTART), 1, "PSTART", REG_WO, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(0, NE_PSTOP), 1, "PSTOP", REG_WO, 0, 0xFF, 0, CONTROL, 0)                                 \
    R(WR(0, NE_BNRY), 1, "BNRY", REG_RW, 0, 0xFF, 0, CONTROL, 0)                                   \
    R(WR(0, NE_TPSR), 1, "TPSR", REG_WO, 0, 0xFF, 0, CONTROL, 0)                                   \
    R(WR(0, NE_TBCR0), 1, "TBCR0", REG_WO, 0, 0xFF, 0, CONTROL, 0)                                 \
    R(WR(0, NE_TBCR1), 1, "TBCR1", REG_WO, 0, 0xFF, 0, CONTROL, 0)                                 \
    R(WR(0, NE_ISR), 1, "ISR", REG_W1C, NE_ISR_RST, 0x7F, 0, STATUS, 0)                            \
    R(WR(0, NE_RSAR0), 1, "RSAR0", REG_WO, 0, 0xFF, 0, CONTROL, 0)                                 \
    R(WR(0, NE_RSAR1), 1, "RSAR1", REG_WO, 0, 0xFF, 0, CONTROL, 0)                                 \
    R(WR(0, NE_RBCR0), 1, "RBCR0", REG_WO, 0, 0xFF, 0, CONTROL, 0)                                 \
    R(WR(0, NE_RBCR1), 1, "RBCR1", REG_WO, 0, 0xFF, 0, CONTROL, 0)                                 \
    R(WR(0, NE_RCR), 1, "RCR", REG_WO, 0, 0x3F, 0, CONTROL, 0)                                     \
    R(WR(0, NE_TCR), 1, "TCR", REG_WO, 0, 0x1F, 0, CONTROL, 0)                                     \
    R(WR(0, NE_DCR), 1, "DCR", REG_WO, 0, 0x7B, 0, CONTROL, 0)                                     \
    R(WR(0, NE_IMR), 1, "IMR", REG_WO, 0, 0x7F, 0, CONTROL, 0)                                     \
    R(RD(1, NE_PAR0 + 0), 1, "PAR0", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_PAR0 + 1), 1, "PAR1", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_PAR0 + 2), 1, "PAR2", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_PAR0 + 3), 1, "PAR3", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_PAR0 + 4), 1, "PAR4", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_PAR0 + 5), 1, "PAR5", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_CURR), 1, "CURR", REG_RW, 0, 0, 0, STATUS, 0)                                       \
    R(RD(1, NE_MAR0 + 0), 1, "MAR0", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_MAR0 + 1), 1, "MAR1", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_MAR0 + 2), 1, "MAR2", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_MAR0 + 3), 1, "MAR3", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_MAR0 + 4), 1, "MAR4", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_MAR0 + 5), 1, "MAR5", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_MAR0 + 6), 1, "MAR6", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(1, NE_MAR0 + 7), 1, "MAR7", REG_RW, 0, 0, 0, CONTROL, 0)                                  \
    R(WR(1, NE_PAR0 + 0), 1, "PAR0", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_PAR0 + 1), 1, "PAR1", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_PAR0 + 2), 1, "PAR2", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_PAR0 + 3), 1, "PAR3", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_PAR0 + 4), 1, "PAR4", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_PAR0 + 5), 1, "PAR5", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_CURR), 1, "CURR", REG_RW, 0, 0xFF, 0, STATUS, 0)                                    \
    R(WR(1, NE_MAR0 + 0), 1, "MAR0", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_MAR0 + 1), 1, "MAR1", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_MAR0 + 2), 1, "MAR2", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_MAR0 + 3), 1, "MAR3", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_MAR0 + 4), 1, "MAR4", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_MAR0 + 5), 1, "MAR5", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_MAR0 + 6), 1, "MAR6", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(WR(1, NE_MAR0 + 7), 1, "MAR7", REG_RW, 0, 0xFF, 0, CONTROL, 0)                               \
    R(RD(2, NE_PSTART), 1, "PSTART", REG_RO, 0, 0, 0, CONTROL, 0)                                  \
    R(RD(2, NE_PSTOP), 1, "PSTOP", REG_RO, 0, 0, 0, CONTROL, 0)                                    \
    R(RD(2, NE_RNPP), 1, "RNPP", REG_RW, 0, 0, 0, STATUS, 0)                                       \
    R(RD(2, NE_TPSR), 1, "TPSR", REG_RO, 0, 0, 0, CONTROL, 0)                                      \
    R(RD(2, NE_LNPP), 1, "LNPP", REG_RW, 0, 0, 0, STATUS, 0)                                       \
    R(RD(2, NE_ACU), 1, "Address Counter (Upper)", REG_RW, 0, 0, 0, STATUS, 0)                     \
    R(RD(2, NE_ACL), 1, "Address Counter (Lower)", REG_RW, 0, 0, 0, STATUS, 0)                     \
    R(RD(2, NE_RCR), 1, "RCR", REG_RO, 0xC0, 0, 0, CONTROL, 0)                                     \
    R(RD(2, NE_TCR), 1, "TCR", REG_RO, 0xE0, 0, 0, CONTROL, 0)                                     \
    R(RD(2, NE_DCR), 1, "DCR", REG_RO, 0x80, 0, 0, CONTROL, 0)                                     \
    R(RD(2, NE_IMR), 1, "IMR", REG_RO, 0, 0, 0, CONTROL, 0)                                        \
    R(WR(2, NE_CLDA0), 1, "CLDA0", REG_WO, 0, 0xFF, 0, STATUS, 0)                                  \
    R(WR(2, NE_CLDA1), 1, "CLDA1", REG_WO, 0, 0xFF, 0, STATUS, 0)                                  \
    R(WR(2, NE_RNPP), 1, "RNPP", REG_RW, 0, 0xFF, 0, STATUS, 0)                                    \
    R(WR(2, NE_LNPP), 1, "LNPP", REG_RW, 0, 0xFF, 0, STATUS, 0)                                    \
    R(WR(2, NE_ACU), 1, "Address Counter (Upper)", REG_RW, 0, 0xFF, 0, STATUS, 0)                  \
    R(WR(2, NE_ACL), 1, "Address Counter (Lower)", REG_RW, 0, 0xFF, 0, STATUS, 0)                  \
    R(RD(3, NE_9346CR), 1, "9346CR", REG_RW, 0x00, 0, ONLY_8029, CS, REG_F_SELFCLEAR)              \
    R(RD(3, NE_CONFIG0), 1, "CONFIG0", REG_RO, 0x00, 0, ONLY_8029, STATUS, 0)                      \
    R(RD(3, NE_CONFIG2), 1, "CONFIG2", REG_RW, 0x00, 0, ONLY_8029, CONTROL, 0)                     \
    R(RD(3, NE_CONFIG3), 1, "CONFIG3", REG_RW, 0x00, 0, ONLY_8029, CONTROL, 0)                     \
    R(RD(3, NE_8029ASID0), 1, "8029ASID0", REG_RO, 0x29, 0, ONLY_8029, STATUS, 0)                  \
    R(RD(3, NE_8029ASID1), 1, "8029ASID1", REG_RO, 0x80, 0, ONLY_8029, STATUS, 0)                  \
    R(WR(3, NE_9346CR), 1, "9346CR", REG_RW, 0x00, 0xCE, ONLY_8029, CS, REG_F_SELFCLEAR)           \
    R(WR(3, NE_CONFIG0), 1, "CONFIG0", REG_RO, 0x00, 0, ONLY_8029, STATUS, 0)                      \
    R(WR(3, NE_CONFIG2), 1, "CONFIG2", REG_RW, 0x00, 0xE0, ONLY_8029, CONTROL, 0)                  \
    R(WR(3, NE_CONFIG3), 1, "CONFIG3", REG_RW, 0x00, 0x46, ONLY_8029, CONTROL, 0)                  \
    R(WR(3, NE_HLTCLK), 1, "HLTCLK", REG_WO, 0x00, 0xFF, ONLY_8029, CONTROL, 0)                    \
    R(WR(3, NE_8029ASID0), 1, "8029ASID0", REG_RO, 0x29, 0, ONLY_8029, STATUS, 0)                  \
    R(WR(3, NE_8029ASID1), 1, "8029ASID1", REG_RO, 0x80, 0, ONLY_8029, STATUS, 0)

const RegDesc ne2000_regs[] = {
#define R(key, w, name, acc, rst, wm, fl, cls, rf) {key, w, name, acc, rst, REG_CLASS_##cls, rf},
    NE2000_REGS(R)
#undef R
};
const unsigned ne2000_nregs = sizeof ne2000_regs / sizeof ne2000_regs[0];

static const uint8_t ne2000_wmask[] = {
#define R(key, w, name, acc, rst, wm, fl, cls, rf) wm,
    NE2000_REGS(R)
#undef R
};

static const uint8_t ne2000_flags[] = {
#define R(key, w, name, acc, rst, wm, fl, cls, rf) fl,
    NE2000_REGS(R)
#undef R
};

_Static_assert(sizeof ne2000_wmask == sizeof ne2000_regs / sizeof ne2000_regs[0],
               "one write mask per register");

#define FCS_LEN 4u
#define RX_HEADER 4u
#define RUNT_LIMIT 64u /* RCR.AR: "packets with length fewer than 64 bytes" (incl. CRC) */
#define CNTR_SATURATE 0xC0u
#define MAX_FRAME 1514u /* without FCS */
#define MIN_FRAME 60u
#define RCR_ALWAYS_ONE 0xC0u /* RTL8029AS 5.1.2.1: RCR bits 7,6 "Always 1" */
#define TCR_ALWAYS_ONE 0xE0u
#define DCR_ALWAYS_ONE 0x80u

enum { RDMA_IDLE, RDMA_READ, RDMA_WRITE, RDMA_SEND };

/* A reset-port reset hung by DEV_COND_RESET_HANG: HANG_ASSERTED after the
 * read that asserted it (the write that follows releases the same RESET
 * pulse), HANG_HELD once that half is done or the reset came by a write. */
enum { HANG_NONE, HANG_ASSERTED, HANG_HELD };

struct Ne2000 {
    Ne2000Mode mode;
    /* DP8390D registers (section 10) */
    uint8_t cr;  /* PS and RD as last written; STP/STA from `stopped`, TXP reads 0 */
    int stopped; /* reset state: CR.STP, ISR.RST */
    uint8_t pstart, pstop, bnry, tpsr;
    uint16_t tbcr;
    uint8_t isr; /* bits 6:0; RST is derived */
    uint8_t imr, rcr, tcr, dcr;
    uint16_t rsar; /* the remote DMA address counter: written as RSAR, read as CRDA */
    uint16_t rbcr; /* the remote byte counter */
    uint8_t tsr, ncr, rsr;
    uint8_t cntr[3];
    uint16_t clda; /* local DMA address: CLDA (page 0) and the Address Counter (page 2) */
    uint8_t rnpp, lnpp;
    uint8_t par[6], curr, mar[8];
    uint8_t fifo[8]; /* receive half of the FIFO after loopback (section 12) */
    unsigned fifo_rd;
    int rdma;         /* remote DMA command in force (RDMA_*) */
    /* Remote read prefetch: the DMA fetches the next transfer unit into the
     * data port latch as soon as it can, so CRDA runs one unit ahead of
     * what the CPU has read (DP8390D 9.0; drivers following the "remote
     * write with high speed buses" advice wait for CRDA to move after a
     * remote read command). */
    uint8_t latch[2];
    unsigned latch_unit; /* bytes in the latch, 0 = empty */
    int rdma_noted;   /* a stray or out-of-range access was traced for this command */
    int rst_overflow; /* ISR.RST set by a ring overflow */
    int rx_blocked;   /* receiver stopped by an overflow until CR.STP */
    /* RTL8029AS page 3 */
    uint8_t cr9346, config0, config2, config3, hltclk;
    int eeprom_noted;
    /* the card */
    uint8_t prom[NE2000_PROM_SIZE];
    uint8_t mem[NE2000_MEM_SIZE];
    uint8_t mac[6];
    uint32_t isa_io_base;
    unsigned isa_irq;
    PciDevice pci;
    DevDma dma; /* unused: the NE2000 moves data by PIO only */
    DevIrq irq;
    DevClock *clock;
    NetPort port;
    int link;
    int irq_level;
    unsigned armed; /* injected conditions: ARMED(DevCondition) */
    int reset_hang; /* HANG_*: the NIC never enters reset mode */
    Ne2000Stats stats;
    uint8_t txbuf[65536];
};

#define ARMED(c) (1u << (c))

/* ---- helpers ---- */

static uint64_t now(const Ne2000 *s)
{
    return s->clock ? s->clock->now : 0;
}

#define NOTE(s, ...) trace_emitf(TRACE_NOTE, now(s), 0, "ne2000", __VA_ARGS__)

static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static unsigned page_of(const Ne2000 *s)
{
    return (s->cr & NE_CR_PS) >> 6;
}

static uint8_t isr_value(const Ne2000 *s)
{
    /* ISR.RST: "set when the NIC enters reset mode and cleared when a Start
     * command is issued; also set when the receive buffer overflows and
     * cleared when packets are removed from the buffer" (DP8390D section 10, ISR);
     * a hung reset never gets there */
    int rst = (s->stopped || s->rst_overflow) && s->reset_hang == HANG_NONE;
    return (uint8_t)(s->isr | (rst ? NE_ISR_RST : 0));
}

static void update_irq(Ne2000 *s)
{
    /* RST is a status bit only: it never drives the interrupt line */
    int level = (s->isr & s->imr & 0x7F) != 0;
    if (level != s->irq_level) {
        s->irq_level = level;
        dev_irq_set(&s->irq, level);
    }
}

static void raise_isr(Ne2000 *s, uint8_t bits)
{
    s->isr |= bits & 0x7F;
    update_irq(s);
}

/* Tally counters (DP8390D section 10): CNT is set once bit 7 is set; a counter
 * stops at 192 so no events are lost before the host reads it. */
static void cntr_inc(Ne2000 *s, unsigned n)
{
    if (s->cntr[n] < CNTR_SATURATE)
        s->cntr[n]++;
    if (s->cntr[n] & 0x80)
        s->isr |= NE_ISR_CNT;
}

/* ---- CRCs ---- */

unsigned ne2000_mc_hash_bit(const uint8_t addr[6])
{
    /* MAR0-7 bit (DP8390D: multicast address registers) */
    return eth_mc_hash6(addr);
}

uint32_t ne2000_fcs(const uint8_t *data, size_t len)
{
    return eth_fcs(data, len);
}

static void put_fcs(uint8_t out[FCS_LEN], uint32_t fcs)
{
    for (unsigned i = 0; i < FCS_LEN; i++)
        out[i] = (uint8_t)(fcs >> (8 * i)); /* least significant byte first on the wire */
}

static uint32_t fcs_of(const uint8_t in[FCS_LEN])
{
    return in[0] | (uint32_t)in[1] << 8 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 24;
}

/* ---- the card's local address space ---- */

/* 0000h-3FFFh: the ID PROM, each byte on both byte lanes (an NE2000 reads
 * PROM byte n at addresses 2n and 2n+1), mirrored every 64 bytes;
 * 4000h-7FFFh: buffer RAM; above: nothing answers (all-ones, traced). */
static uint8_t local_read(Ne2000 *s, uint16_t addr, int *noted, const char *who)
{
    if (addr >= NE2000_MEM_START && addr < NE2000_MEM_START + NE2000_MEM_SIZE)
        return s->mem[addr - NE2000_MEM_START];
    if (addr < NE2000_MEM_START)
        return s->prom[(addr >> 1) % NE2000_PROM_SIZE];
    if (!*noted) {
        *noted = 1;
        NOTE(s, "%s reads local address 0x%04x: no memory above 0x7fff, all-ones", who, addr);
    }
    return 0xFF;
}

static void local_write(Ne2000 *s, uint16_t addr, uint8_t v, int *noted, const char *who)
{
    if (addr >= NE2000_MEM_START && addr < NE2000_MEM_START + NE2000_MEM_SIZE) {
        s->mem[addr - NE2000_MEM_START] = v;
        return;
    }
    if (!*noted) {
        *noted = 1;
        NOTE(s, "%s writes local address 0x%04x outside the buffer RAM (0x4000-0x7fff): ignored",
             who, addr);
    }
}

static uint8_t next_page(const Ne2000 *s, uint8_t page)
{
    /* DP8390D 7.0 "Linking Receive Buffer Pages": a DMA reaching PSTOP is
     * restored to PSTART */
    page = (uint8_t)(page + 1);
    return page == s->pstop ? s->pstart : page;
}

/* ---- address recognition (DP8390D section 10: RCR, PAR, MAR) ---- */

static int address_accepted(const Ne2000 *s, const uint8_t *dst, uint8_t *phy)
{
    static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    if (!memcmp(dst, bcast, 6)) {
        *phy = NE_RSR_PHY;
        return (s->rcr & NE_RCR_AB) != 0;
    }
    if (dst[0] & 1) {
        unsigned bit = ne2000_mc_hash_bit(dst);
        *phy = NE_RSR_PHY;
        return (s->rcr & NE_RCR_AM) && ((s->mar[bit / 8] >> (bit % 8)) & 1);
    }
    /* PRO accepts every physical address; multicast still needs AM */
    *phy = 0;
    return (s->rcr & NE_RCR_PRO) || !memcmp(dst, s->par, 6);
}

/* ---- receive (DP8390D 7.0 Packet Reception) ---- */

static uint8_t rsr_value(const Ne2000 *s)
{
    /* RSR.DIS: "set when the receiver is disabled by entering Monitor mode" */
    return (uint8_t)(s->rsr | ((s->rcr & NE_RCR_MON) ? NE_RSR_DIS : 0));
}

static Ne2000RxResult rx_frame(Ne2000 *s, const uint8_t *frame, size_t len, unsigned errors)
{
    if (!s->link) {
        s->stats.rx_link_down++;
        return NE2000_RX_LINK_DOWN;
    }
    if (s->stopped) {
        s->stats.rx_stopped++;
        return NE2000_RX_STOPPED;
    }
    if (s->tcr & NE_TCR_LB) {
        /* in loopback the receiver listens to the transmitter only (the
         * overflow procedure, DP8390D 7.0, relies on this) */
        s->stats.rx_loopback++;
        return NE2000_RX_LOOPBACK;
    }
    if (s->armed & ARMED(DEV_COND_RX_CRC_ERROR)) {
        /* an injected bad FCS on the next frame the receiver takes in: the
         * CRC error path below (DP8390D section 10 RSR.CRC, CNTR1, ISR.RXE,
         * RCR.SEP) */
        s->armed &= ~ARMED(DEV_COND_RX_CRC_ERROR);
        s->stats.rx_crc_errors++;
        errors |= NE2000_RXERR_CRC;
        NOTE(s, "injected bad FCS on a %zu-byte frame: RSR.CRC, CNTR1, ISR.RXE; kept if RCR.SEP",
             len);
    }
    size_t total = len + FCS_LEN;
    if (len < 6 || total > 0xFFFF) {
        NOTE(s, "received frame of %zu bytes dropped: no destination address or too long", len);
        s->stats.rx_filtered++;
        return NE2000_RX_FILTERED;
    }
    uint8_t phy;
    if (!address_accepted(s, frame, &phy)) {
        /* RSR is not updated for a packet that fails address recognition
         * (DP8390D 12.0, "CRC and Address Recognition") */
        s->stats.rx_filtered++;
        return NE2000_RX_FILTERED;
    }
    errors &= NE2000_RXERR_CRC | NE2000_RXERR_FAE;
    if (errors) {
        if (errors & NE2000_RXERR_FAE)
            cntr_inc(s, 0);
        if (errors & NE2000_RXERR_CRC)
            cntr_inc(s, 1);
        s->rsr = (uint8_t)(phy | errors);
        s->isr |= NE_ISR_RXE;
    }
    if ((errors && !(s->rcr & NE_RCR_SEP)) || (total < RUNT_LIMIT && !(s->rcr & NE_RCR_AR))) {
        /* DP8390D 7.0 "Buffer Recovery for Rejected Packets" */
        s->stats.rx_filtered++;
        update_irq(s);
        return NE2000_RX_FILTERED;
    }
    if (s->rcr & NE_RCR_MON) {
        /* monitor mode: checked, counted as missed, not buffered */
        cntr_inc(s, 2);
        s->rsr = (uint8_t)(phy | errors | NE_RSR_MPA);
        s->stats.rx_monitor++;
        raise_isr(s, NE_ISR_RXE);
        return NE2000_RX_MONITOR;
    }
    if (s->rx_blocked) {
        cntr_inc(s, 2);
        s->rsr = (uint8_t)(phy | NE_RSR_MPA);
        s->stats.rx_missed++;
        raise_isr(s, NE_ISR_RXE);
        return NE2000_RX_MISSED;
    }
    if (s->pstart >= s->pstop) {
        NOTE(s, "frame dropped: PSTART 0x%02x >= PSTOP 0x%02x leaves no receive ring", s->pstart,
             s->pstop);
        s->stats.rx_bad_ring++;
        update_irq(s);
        return NE2000_RX_BAD_RING;
    }

    /* Before linking each further buffer page the NIC compares it with
     * BNRY and aborts the reception on equality (DP8390D 7.0 "Linking
     * Receive Buffer Pages", "Buffer Ring Overflow"). The page after the
     * packet, which becomes CURR, is checked too, so CURR == BNRY always
     * means an empty ring. */
    unsigned npages = (unsigned)((RX_HEADER + total + NE2000_PAGE_SIZE - 1) / NE2000_PAGE_SIZE);
    uint8_t page = s->curr;
    for (unsigned k = 0; k < npages; k++) {
        page = next_page(s, page);
        if (page == s->bnry) {
            cntr_inc(s, 2);
            s->rsr = (uint8_t)(phy | NE_RSR_MPA);
            s->rst_overflow = 1;
            s->rx_blocked = 1;
            s->stats.rx_overflow++;
            NOTE(s,
                 "receive ring overflow: a %zu-byte packet at CURR 0x%02x would reach BNRY "
                 "0x%02x; receiver stopped until CR.STP",
                 total, s->curr, s->bnry);
            raise_isr(s, NE_ISR_OVW | NE_ISR_RXE);
            return NE2000_RX_OVERFLOW;
        }
    }

    uint8_t status = (uint8_t)(phy | (errors ? errors : NE_RSR_PRX));
    uint32_t fcs = ne2000_fcs(frame, len);
    if (errors & NE2000_RXERR_CRC)
        fcs = ~fcs; /* the stored CRC is the wrong one that was received */
    uint8_t hdr[RX_HEADER] = {status, page, (uint8_t)total, (uint8_t)(total >> 8)};
    uint8_t crc[FCS_LEN];
    put_fcs(crc, fcs);
    int noted = 0;
    uint16_t addr = (uint16_t)(s->curr << 8);
    for (unsigned i = 0; i < RX_HEADER; i++)
        local_write(s, (uint16_t)(addr + i), hdr[i], &noted, "receive");
    addr = (uint16_t)(addr + RX_HEADER);
    for (size_t i = 0; i < total; i++) {
        local_write(s, addr, i < len ? frame[i] : crc[i - len], &noted, "receive");
        addr = (uint16_t)(addr + 1);
        if ((addr & 0xFF) == 0)
            addr = (uint16_t)(next_page(s, (uint8_t)((addr >> 8) - 1)) << 8);
    }
    s->clda = addr;
    s->curr = page;
    s->lnpp = page;
    s->rsr = status;
    s->stats.rx_stored++;
    raise_isr(s, errors ? NE_ISR_RXE : NE_ISR_PRX);
    return NE2000_RX_STORED;
}

Ne2000RxResult ne2000_receive(Ne2000 *s, const uint8_t *frame, size_t len)
{
    return rx_frame(s, frame, len, 0);
}

Ne2000RxResult ne2000_receive_bad(Ne2000 *s, const uint8_t *frame, size_t len, unsigned errors)
{
    return rx_frame(s, frame, len, errors);
}

/* ---- transmit (DP8390D 8.0) and loopback (12.0) ---- */

/* The receiver's side of a loopback packet: it is not buffered to memory
 * (PRX stays 0 in every loopback mode); the last bytes stay in the FIFO,
 * followed by the byte count low, high and high again; RSR is updated for
 * an address-matching packet. With CRC generation on (TCR.CRC = 0) the
 * section 12.0 tables show a CRC error for a matching packet; with a
 * software CRC (TCR.CRC = 1) the CRC is checked. */
static void loopback_receive(Ne2000 *s, const uint8_t *frame, size_t len, const uint8_t *fcs_given)
{
    uint32_t fcs = ne2000_fcs(frame, len);
    uint8_t crc[FCS_LEN];
    put_fcs(crc, fcs_given ? fcs_of(fcs_given) : fcs);
    unsigned pos = 0;
    for (size_t i = 0; i < len + FCS_LEN; i++)
        s->fifo[pos++ % 8] = i < len ? frame[i] : crc[i - len];
    size_t count = len + FCS_LEN;
    s->fifo[pos++ % 8] = (uint8_t)count;
    s->fifo[pos++ % 8] = (uint8_t)(count >> 8);
    s->fifo[pos % 8] = (uint8_t)(count >> 8);
    s->fifo_rd = 0;

    uint8_t phy;
    if (len < 6 || !address_accepted(s, frame, &phy))
        return;
    int crc_ok = fcs_given && fcs_of(fcs_given) == fcs;
    s->rsr = (uint8_t)(phy | (crc_ok ? NE_RSR_PRX : NE_RSR_CRC));
    if (!crc_ok)
        s->isr |= NE_ISR_RXE;
}

/* An injected transmit failure (DP8390D section 10, TSR, NCR and ISR):
 * excessive collisions abort the packet after 16 attempts (TSR.ABT, with
 * COL: it collided; NCR reads 0: "if there are excessive collisions ... the
 * contents of NCR will be zero"); a FIFO underrun aborts it (TSR.FU). PTX
 * stays clear ("transmission without error"), ISR.TXE is raised instead of
 * ISR.PTX; the aborted packet is not delivered. The tally counters count
 * receive errors only. */
static void tx_fail(Ne2000 *s)
{
    uint8_t tsr = NE_TSR_ND;
    if (s->armed & ARMED(DEV_COND_TX_ERROR)) {
        s->armed &= ~ARMED(DEV_COND_TX_ERROR);
        tsr |= NE_TSR_COL | NE_TSR_ABT;
        NOTE(s, "injected excessive collisions: TSR.ABT, ISR.TXE, packet aborted");
    } else {
        s->armed &= ~ARMED(DEV_COND_TX_UNDERRUN);
        tsr |= NE_TSR_FU;
        NOTE(s, "injected FIFO underrun: TSR.FU, ISR.TXE, packet aborted");
    }
    s->stats.tx_errors++;
    s->tsr = tsr;
    s->ncr = 0;
    raise_isr(s, NE_ISR_TXE);
}

static void transmit(Ne2000 *s)
{
    if (s->stopped) {
        /* "This bit can be set only after the STA bit has been set" (DP8390D 10, CR) */
        s->stats.tx_ignored++;
        NOTE(s, "CR.TXP while stopped: no transmission");
        return;
    }
    unsigned lb = s->tcr & NE_TCR_LB;
    /* In loopback the NIC fetches bytes only: in word mode the packet sits
     * in the odd (BOS = 0) or even (BOS = 1) byte lane and TBCR counts both
     * lanes (DP8390D 12.0 "Restrictions During Loopback"). */
    int one_lane = lb && (s->dcr & NE_DCR_WTS);
    unsigned lane = (s->dcr & NE_DCR_BOS) ? 0 : 1;
    uint16_t start = (uint16_t)(s->tpsr << 8);
    int noted = 0;
    size_t n = 0;
    for (unsigned i = 0; i < s->tbcr; i++) {
        uint8_t b = local_read(s, (uint16_t)(start + i), &noted, "transmit");
        if (!one_lane || (i & 1) == lane)
            s->txbuf[n++] = b;
    }
    s->clda = (uint16_t)(start + s->tbcr);

    const uint8_t *fcs_given = NULL;
    if (s->tcr & NE_TCR_CRC) {
        /* CRC inhibited: the buffer carries its own FCS */
        if (n < FCS_LEN) {
            NOTE(s, "TBCR %u with TCR.CRC set cannot hold an FCS: sent empty", s->tbcr);
            n = 0;
        } else {
            n -= FCS_LEN;
            fcs_given = s->txbuf + n;
        }
    }

    uint8_t tsr = NE_TSR_PTX | NE_TSR_ND;
    if (lb) {
        if (lb == NE_TCR_LB_INTERNAL)
            tsr |= NE_TSR_CRS | NE_TSR_CDH; /* 12.0: carrier and heartbeat ignored */
        else if (lb == NE_TCR_LB_ENDEC)
            tsr |= NE_TSR_CDH;
        if (s->dcr & NE_DCR_LS)
            NOTE(s, "loopback transmit with DCR.LS = 1 (normal operation): looped on TCR alone");
        s->stats.tx_looped++;
        loopback_receive(s, s->txbuf, n, fcs_given);
    }
    if (!lb || lb == NE_TCR_LB_EXTERNAL) {
        if (n == 0) {
            NOTE(s, "TXP with TBCR 0: nothing sent");
        } else if (!s->link) {
            tsr |= NE_TSR_CRS; /* no carrier on an unplugged cable */
            s->stats.tx_link_down++;
        } else if (!lb && (s->armed & (ARMED(DEV_COND_TX_ERROR) | ARMED(DEV_COND_TX_UNDERRUN)))) {
            tx_fail(s);
            return;
        } else if (fcs_given && fcs_of(fcs_given) != ne2000_fcs(s->txbuf, n)) {
            NOTE(s, "driver-supplied FCS (TCR.CRC) is wrong; the peer would drop the frame");
        } else {
            if (n < MIN_FRAME)
                NOTE(s, "%zu-byte frame sent unpadded (the DP8390 does not pad)", n);
            else if (n > MAX_FRAME)
                NOTE(s, "%zu-byte frame exceeds 1514 bytes", n);
            if (s->port.send)
                s->port.send(s->port.opaque, s->txbuf, n);
            s->stats.tx_sent++;
        }
    }
    s->tsr = tsr;
    s->ncr = 0;
    raise_isr(s, NE_ISR_PTX);
}

/* ---- remote DMA (DP8390D 9.0) ---- */

static void rdma_advance(Ne2000 *s)
{
    /* the DMA address is reset to PSTART when it crosses PSTOP, so remote
     * reads follow packets that wrap around the ring (9.0 "Send Packet") */
    s->rsar = (uint16_t)(s->rsar + 1);
    if (s->pstart < s->pstop && s->rsar == (uint16_t)(s->pstop << 8))
        s->rsar = (uint16_t)(s->pstart << 8);
}

static void send_packet_start(Ne2000 *s);
static void rdma_prefetch(Ne2000 *s);

static void rdma_complete(Ne2000 *s)
{
    raise_isr(s, NE_ISR_RDC);
    if (s->rdma != RDMA_SEND)
        return;
    /* Send Packet: the boundary advances past the removed packet; with
     * DCR.AR the DMA is auto-initialised for the next one */
    s->bnry = s->rnpp;
    s->rst_overflow = 0;
    if ((s->dcr & NE_DCR_AR) && s->bnry != s->curr) {
        send_packet_start(s);
        rdma_prefetch(s);
    } else {
        s->rdma = RDMA_IDLE;
    }
}

static void send_packet_start(Ne2000 *s)
{
    /* 9.0 "Send Packet Command": the DMA starts at BNRY, the byte count
     * comes from the packet's header */
    int noted = 0;
    uint16_t a = (uint16_t)(s->bnry << 8);
    uint8_t next = local_read(s, (uint16_t)(a + 1), &noted, "send packet");
    uint16_t count = (uint16_t)(local_read(s, (uint16_t)(a + 2), &noted, "send packet") |
                                local_read(s, (uint16_t)(a + 3), &noted, "send packet") << 8);
    s->rsar = a;
    s->rbcr = count;
    s->rnpp = next;
    s->rdma = RDMA_SEND;
    if (count == 0) {
        NOTE(s, "send packet: header at page 0x%02x has byte count 0", s->bnry);
        s->rdma = RDMA_IDLE;
        raise_isr(s, NE_ISR_RDC);
    }
}

static void rdma_command(Ne2000 *s, unsigned rd)
{
    s->rdma_noted = 0;
    s->latch_unit = 0; /* a new command (or an abort) drops what was prefetched */
    switch (rd) {
    case NE_CR_RD_READ:
        s->rdma = RDMA_READ;
        break;
    case NE_CR_RD_WRITE:
        s->rdma = RDMA_WRITE;
        break;
    case NE_CR_RD_SEND:
        if (!(s->dcr & NE_DCR_AR)) {
            /* DCR.AR = 0: "Send Command not executed" (DP8390D 10, DCR) */
            NOTE(s, "send packet command with DCR.AR clear: not executed");
            s->rdma = RDMA_IDLE;
            return;
        }
        send_packet_start(s);
        rdma_prefetch(s);
        return;
    case 0:
        NOTE(s, "CR.RD = 000 (not allowed): remote DMA idle");
        s->rdma = RDMA_IDLE;
        return;
    default: /* 1xx: abort/complete remote DMA */
        s->rdma = RDMA_IDLE;
        return;
    }
    if (s->rbcr == 0)
        raise_isr(s, NE_ISR_RDC); /* nothing to move: complete at once */
    else
        rdma_prefetch(s);
}

static void rdma_prefetch(Ne2000 *s)
{
    if (s->latch_unit || (s->rdma != RDMA_READ && s->rdma != RDMA_SEND) || s->rbcr == 0)
        return;
    unsigned unit = (s->dcr & NE_DCR_WTS) ? 2 : 1;
    for (unsigned k = 0; k < unit; k++) {
        s->latch[k] = local_read(s, s->rsar, &s->rdma_noted, "remote read");
        rdma_advance(s);
    }
    s->latch_unit = unit;
}

/* One remote DMA transfer of `unit` bytes (1, or 2 in word mode) through
 * the data port. Word transfers put the byte at the lower address on
 * D7-D0 unless DCR.BOS selects the 68000 order. */
static uint32_t rdma_transfer(Ne2000 *s, int write, unsigned unit, uint32_t v)
{
    int want = write ? RDMA_WRITE : RDMA_READ;
    int active = s->rbcr > 0 && (s->rdma == want || (!write && s->rdma == RDMA_SEND));
    if (!active) {
        s->stats.ignored++;
        if (!s->rdma_noted) {
            s->rdma_noted = 1;
            NOTE(s, "data port %s with no remote %s in progress (RBCR %u): %s",
                 write ? "write" : "read", write ? "write" : "read", s->rbcr,
                 write ? "ignored" : "all-ones");
        }
        return size_mask(unit);
    }
    int swap = unit == 2 && (s->dcr & NE_DCR_BOS);
    uint32_t out = 0;
    if (!write) {
        rdma_prefetch(s); /* normally done already, when the command started */
        if (s->latch_unit != unit) {
            /* DCR.WTS changed in the middle of a transfer: refetch */
            s->rsar = (uint16_t)(s->rsar - s->latch_unit);
            s->latch_unit = 0;
            rdma_prefetch(s);
        }
    }
    for (unsigned k = 0; k < unit; k++) {
        unsigned lane = swap ? unit - 1 - k : k;
        if (write) {
            local_write(s, s->rsar, (uint8_t)(v >> (8 * lane)), &s->rdma_noted, "remote write");
            rdma_advance(s);
        } else {
            out |= (uint32_t)s->latch[k] << (8 * lane);
        }
    }
    s->latch_unit = 0;
    s->rbcr = s->rbcr > unit ? (uint16_t)(s->rbcr - unit) : 0;
    s->stats.dma_bytes += unit;
    if (s->rbcr == 0)
        rdma_complete(s);
    else if (!write)
        rdma_prefetch(s);
    return out;
}

/* A data port access of `size` bytes: one transfer per byte in byte mode,
 * per 16 bits in word mode (a 4-byte access is two word transfers; a byte
 * access in word mode moves a word and returns its low lane). */
static uint32_t data_port_access(Ne2000 *s, int write, unsigned size, uint32_t v)
{
    unsigned unit = (s->dcr & NE_DCR_WTS) ? 2 : 1;
    unsigned n = size < unit ? 1 : size / unit;
    uint32_t out = 0;
    for (unsigned i = 0; i < n; i++)
        out |= rdma_transfer(s, write, unit, v >> (8 * unit * i)) << (8 * unit * i);
    return out & size_mask(size);
}

/* ---- resets ---- */

/* The RESET input (DP8390D 11.0): CR = 21h (stopped, remote DMA aborted,
 * page 0), ISR.RST, IMR = 0, DCR.LAS = 0, TCR loopback bits 0. Other
 * registers keep their contents. */
static void hw_reset(Ne2000 *s)
{
    s->cr = NE_CR_RD_ABORT;
    s->stopped = 1;
    s->rdma = RDMA_IDLE;
    s->latch_unit = 0;
    s->isr = 0;
    s->imr = 0;
    s->dcr &= (uint8_t)~NE_DCR_LAS;
    s->tcr &= (uint8_t)~NE_TCR_LB;
    s->rst_overflow = 0;
    s->rx_blocked = 0;
    update_irq(s);
}

/* A reset-port access. With DEV_COND_RESET_HANG armed the reset starts (CR
 * reads STP, the hw_reset state) but the NIC never enters reset mode: ISR.RST
 * ("set when the NIC enters reset mode", DP8390D section 10 ISR; section 7.0
 * notes it "may not be set" when STP meets a transmission in progress) stays
 * 0 and STA is refused. The read-then-write pair NE2000 drivers use is one
 * RESET pulse; the next access that starts a new reset completes. */
static void reset_port(Ne2000 *s, int write)
{
    if (s->reset_hang == HANG_ASSERTED && write) {
        s->reset_hang = HANG_HELD;
        NOTE(s, "reset port write releases the hung reset: ISR.RST stays 0");
        return;
    }
    if (s->reset_hang != HANG_NONE) {
        s->reset_hang = HANG_NONE;
        NOTE(s, "reset port: a new reset; the hung one is over");
    } else if (s->armed & ARMED(DEV_COND_RESET_HANG)) {
        s->armed &= ~ARMED(DEV_COND_RESET_HANG);
        hw_reset(s);
        s->reset_hang = write ? HANG_HELD : HANG_ASSERTED;
        s->stats.reset_hangs++;
        NOTE(s, "injected reset hang: stopped, ISR.RST never set, STA refused until a new reset");
        return;
    }
    hw_reset(s);
}

/* RTL8029AS 6.2.2: after the 9346 is loaded the ID PROM holds the Ethernet
 * ID, PID0-7 (zero here), "WW", then the same again ending "BB". */
static void load_prom(Ne2000 *s)
{
    memset(s->prom, 0, sizeof s->prom);
    for (unsigned half = 0; half < 2; half++) {
        uint8_t *p = s->prom + 16 * half;
        memcpy(p, s->mac, 6);
        p[14] = p[15] = half ? 'B' : 'W';
    }
}

static void autoload(Ne2000 *s)
{
    load_prom(s);
    s->config0 = 0x00; /* BNC not connected */
    s->config2 = 0x00; /* PL = 00 auto-detect, no boot ROM */
    s->config3 = 0x00; /* half duplex, LEDs mode 0, awake */
}

void ne2000_reset(Ne2000 *s)
{
    s->pstart = s->pstop = s->bnry = s->tpsr = 0;
    s->tbcr = s->rsar = s->rbcr = s->clda = 0;
    s->rcr = s->tcr = s->dcr = 0;
    s->tsr = NE_TSR_ND;
    s->ncr = s->rsr = 0;
    memset(s->cntr, 0, sizeof s->cntr);
    s->rnpp = s->lnpp = 0;
    memset(s->par, 0, sizeof s->par);
    s->curr = 0;
    memset(s->mar, 0, sizeof s->mar);
    memset(s->fifo, 0, sizeof s->fifo);
    s->fifo_rd = 0;
    s->cr9346 = 0;
    s->hltclk = NE_HLTCLK_RUN;
    memset(s->mem, 0, sizeof s->mem);
    s->reset_hang = HANG_NONE;
    autoload(s);
    if (s->mode == NE2000_PCI)
        pci_device_reset(&s->pci);
    hw_reset(s);
}

/* ---- register access ---- */

static const RegDesc *find_reg(const Ne2000 *s, unsigned page, int write, uint32_t off)
{
    const RegDesc *r = ne2000_reg(page, write, off);
    if (r && (ne2000_flags[r - ne2000_regs] & ONLY_8029) && s->mode != NE2000_PCI)
        return NULL; /* a plain DP8390 has nothing there */
    return r;
}

static uint8_t cr_value(const Ne2000 *s)
{
    return (uint8_t)((s->cr & (NE_CR_PS | NE_CR_RD)) | (s->stopped ? NE_CR_STP : NE_CR_STA));
}

static uint8_t reg_read(Ne2000 *s, const RegDesc *r)
{
    switch (r->offset) {
    case RD(0, NE_CLDA0):
        return (uint8_t)s->clda;
    case RD(0, NE_CLDA1):
        return (uint8_t)(s->clda >> 8);
    case RD(0, NE_BNRY):
        return s->bnry;
    case RD(0, NE_TSR):
        return (uint8_t)(s->tsr | NE_TSR_ND); /* RTL8029AS: bit 1 "Always 1" */
    case RD(0, NE_NCR):
        return s->ncr;
    case RD(0, NE_FIFO):
        return s->fifo[s->fifo_rd++ % 8];
    case RD(0, NE_ISR):
        return isr_value(s);
    case RD(0, NE_CRDA0):
        return (uint8_t)s->rsar;
    case RD(0, NE_CRDA1):
        return (uint8_t)(s->rsar >> 8);
    case RD(0, NE_RSR):
        return rsr_value(s);
    case RD(0, NE_CNTR0):
    case RD(0, NE_CNTR1):
    case RD(0, NE_CNTR2): {
        /* "cleared when read by the CPU" (DP8390D 10, tally counters) */
        unsigned n = r->offset - RD(0, NE_CNTR0);
        uint8_t v = s->cntr[n];
        s->cntr[n] = 0;
        return v;
    }
    case RD(1, NE_CURR):
        return s->curr;
    case RD(2, NE_PSTART):
        return s->pstart;
    case RD(2, NE_PSTOP):
        return s->pstop;
    case RD(2, NE_RNPP):
        return s->rnpp;
    case RD(2, NE_TPSR):
        return s->tpsr;
    case RD(2, NE_LNPP):
        return s->lnpp;
    case RD(2, NE_ACU):
        return (uint8_t)(s->clda >> 8);
    case RD(2, NE_ACL):
        return (uint8_t)s->clda;
    case RD(2, NE_RCR):
        return (uint8_t)(s->rcr | RCR_ALWAYS_ONE);
    case RD(2, NE_TCR):
        return (uint8_t)(s->tcr | TCR_ALWAYS_ONE);
    case RD(2, NE_DCR):
        return (uint8_t)(s->dcr | DCR_ALWAYS_ONE);
    case RD(2, NE_IMR):
        return s->imr;
    case RD(3, NE_9346CR):
        return s->cr9346; /* EEDO: no serial EEPROM behind the pins, reads 0 */
    case RD(3, NE_CONFIG0):
        return s->config0;
    case RD(3, NE_CONFIG2):
        return s->config2;
    case RD(3, NE_CONFIG3):
        return s->config3;
    }
    if (r->offset >= RD(1, NE_PAR0) && r->offset < RD(1, NE_PAR0 + 6))
        return s->par[r->offset - RD(1, NE_PAR0)];
    if (r->offset >= RD(1, NE_MAR0) && r->offset < RD(1, NE_MAR0 + 8))
        return s->mar[r->offset - RD(1, NE_MAR0)];
    return (uint8_t)r->reset; /* identification registers */
}

static void write_cr(Ne2000 *s, uint8_t v)
{
    s->cr = v & (NE_CR_PS | NE_CR_RD);
    if (v & NE_CR_STP) {
        /* software reset: offline at once (nothing is ever in progress);
         * this is also what recovers the receiver after an overflow */
        s->stopped = 1;
        s->rx_blocked = 0;
    } else if ((v & NE_CR_STA) && s->stopped && s->reset_hang != HANG_NONE) {
        s->stats.ignored++;
        NOTE(s, "CR.STA during the hung reset: the NIC stays stopped");
    } else if ((v & NE_CR_STA) && s->stopped) {
        s->stopped = 0;
        s->rst_overflow = 0;
    }
    rdma_command(s, v & NE_CR_RD);
    if (v & NE_CR_TXP)
        transmit(s);
    update_irq(s);
}

static int config_write_enabled(Ne2000 *s, const RegDesc *r, uint8_t v)
{
    if ((s->cr9346 & NE_9346CR_EEM) == NE_9346CR_EEM_CONFIG)
        return 1;
    s->stats.ignored++;
    NOTE(s, "write 0x%02x to %s without 9346CR config register write enable: ignored", v, r->name);
    return 0;
}

static void write_9346cr(Ne2000 *s, uint8_t v)
{
    s->cr9346 = v; /* EEDO (bit 0) is not writable */
    switch (v & NE_9346CR_EEM) {
    case NE_9346CR_EEM_AUTOLOAD:
        /* reload from the 9346 and return to normal mode (immediate here) */
        autoload(s);
        s->cr9346 = 0;
        break;
    case NE_9346CR_EEM_PROGRAM:
        if (!s->eeprom_noted) {
            s->eeprom_noted = 1;
            NOTE(s, "9346CR programming mode: the serial EEPROM is not modelled, EEDO reads 0");
        }
        break;
    }
}

static void reg_write(Ne2000 *s, const RegDesc *r, uint8_t v)
{
    if (r->access == REG_RO) {
        s->stats.ignored++;
        NOTE(s, "write 0x%02x to read-only %s ignored", v, r->name);
        return;
    }
    uint8_t raw = v;
    v &= ne2000_wmask[r - ne2000_regs];
    switch (r->offset) {
    case WR(0, NE_PSTART):
    case WR(0, NE_PSTOP):
        if (v < NE2000_MEM_START / NE2000_PAGE_SIZE ||
            v > (NE2000_MEM_START + NE2000_MEM_SIZE) / NE2000_PAGE_SIZE)
            NOTE(s, "%s 0x%02x is outside the buffer RAM (pages 0x40-0x80)", r->name, v);
        if (r->offset == WR(0, NE_PSTART))
            s->pstart = v;
        else
            s->pstop = v;
        return;
    case WR(0, NE_BNRY):
        /* a packet removed from the ring clears an overflow's ISR.RST */
        if (v != s->bnry)
            s->rst_overflow = 0;
        s->bnry = v;
        return;
    case WR(0, NE_TPSR):
        s->tpsr = v;
        return;
    case WR(0, NE_TBCR0):
        s->tbcr = (uint16_t)((s->tbcr & 0xFF00) | v);
        return;
    case WR(0, NE_TBCR1):
        s->tbcr = (uint16_t)((s->tbcr & 0x00FF) | v << 8);
        return;
    case WR(0, NE_ISR):
        s->isr &= (uint8_t)~v;
        update_irq(s);
        return;
    case WR(0, NE_RSAR0):
        s->rsar = (uint16_t)((s->rsar & 0xFF00) | v);
        return;
    case WR(0, NE_RSAR1):
        s->rsar = (uint16_t)((s->rsar & 0x00FF) | v << 8);
        return;
    case WR(0, NE_RBCR0):
        s->rbcr = (uint16_t)((s->rbcr & 0xFF00) | v);
        return;
    case WR(0, NE_RBCR1):
        s->rbcr = (uint16_t)((s->rbcr & 0x00FF) | v << 8);
        return;
    case WR(0, NE_RCR):
        s->rcr = v;
        return;
    case WR(0, NE_TCR):
        if (v & (NE_TCR_ATD | NE_TCR_OFST))
            NOTE(s, "TCR 0x%02x: ATD/OFST stored, not modelled (no collisions)", v);
        s->tcr = v;
        return;
    case WR(0, NE_DCR):
        if (raw & NE_DCR_LAS)
            NOTE(s, "DCR.LAS (32-bit DMA addresses) has no meaning on an NE2000: reads 0");
        s->dcr = v;
        return;
    case WR(0, NE_IMR):
        s->imr = v;
        update_irq(s);
        return;
    case WR(1, NE_CURR):
        s->curr = v;
        return;
    case WR(2, NE_CLDA0):
        s->clda = (uint16_t)((s->clda & 0xFF00) | v);
        return;
    case WR(2, NE_CLDA1):
        s->clda = (uint16_t)((s->clda & 0x00FF) | v << 8);
        return;
    case WR(2, NE_RNPP):
        s->rnpp = v;
        return;
    case WR(2, NE_LNPP):
        s->lnpp = v;
        return;
    case WR(2, NE_ACU):
        s->clda = (uint16_t)((s->clda & 0x00FF) | v << 8);
        return;
    case WR(2, NE_ACL):
        s->clda = (uint16_t)((s->clda & 0xFF00) | v);
        return;
    case WR(3, NE_9346CR):
        write_9346cr(s, v);
        return;
    case WR(3, NE_CONFIG2):
        if (config_write_enabled(s, r, v))
            s->config2 = (uint8_t)((s->config2 & ~0xE0u) | v);
        return;
    case WR(3, NE_CONFIG3):
        if (config_write_enabled(s, r, v))
            s->config3 = (uint8_t)((s->config3 & ~0x46u) | v);
        return;
    case WR(3, NE_HLTCLK):
        /* "Writing to this register is invalid if the RTL8029AS is not in
         * power down mode" (5.1.2.2 HLTCLK) */
        if (!(s->config3 & NE_CONFIG3_PWRDN)) {
            s->stats.ignored++;
            NOTE(s, "HLTCLK 0x%02x written with CONFIG3.PWRDN clear: ignored", v);
        } else {
            s->hltclk = v;
            if (v == NE_HLTCLK_HALT)
                NOTE(s, "HLTCLK 'H': halting the clock is not modelled, the NIC keeps running");
        }
        return;
    }
    if (r->offset >= WR(1, NE_PAR0) && r->offset < WR(1, NE_PAR0 + 6))
        s->par[r->offset - WR(1, NE_PAR0)] = v;
    else if (r->offset >= WR(1, NE_MAR0) && r->offset < WR(1, NE_MAR0 + 8))
        s->mar[r->offset - WR(1, NE_MAR0)] = v;
}

const RegDesc *ne2000_reg(unsigned page, int write, uint32_t offset)
{
    if (offset >= NE2000_IO_SIZE)
        return NULL;
    uint32_t key = offset;
    if (offset != NE_CR && offset < NE_DATA)
        key = write ? WR(page & 3, offset) : RD(page & 3, offset);
    return reg_find(ne2000_regs, ne2000_nregs, key, 1);
}

/* One byte-wide register access at `off` (not the data port). */
static uint8_t byte_read(Ne2000 *s, uint32_t off)
{
    if (off >= NE_RESET) {
        /* NE2000 reset port: a read asserts RESET (the value read is
         * undefined; 0 here) */
        reset_port(s, 0);
        return 0;
    }
    if (off == NE_CR)
        return cr_value(s);
    const RegDesc *r = find_reg(s, page_of(s), 0, off);
    if (!r) {
        s->stats.unmodelled++;
        NOTE(s, "read of reserved page %u offset 0x%02x: all-ones", page_of(s), off);
        return 0xFF;
    }
    return reg_read(s, r);
}

static void byte_write(Ne2000 *s, uint32_t off, uint8_t v)
{
    if (off >= NE_RESET) {
        /* on the NE2000 a read asserts RESET and a write releases it; some
         * clones reset on the write alone, so either resets here (the
         * state after a read-write pair is the same) */
        reset_port(s, 1);
        return;
    }
    if (off == NE_CR) {
        write_cr(s, v);
        return;
    }
    const RegDesc *r = find_reg(s, page_of(s), 1, off);
    if (!r) {
        s->stats.unmodelled++;
        NOTE(s, "write 0x%02x to reserved page %u offset 0x%02x ignored", v, page_of(s), off);
        return;
    }
    reg_write(s, r, v);
}

static int window_ok(Ne2000 *s, uint32_t off, unsigned size, const char *what)
{
    if ((size == 1 || size == 2 || size == 4) && off < NE2000_IO_SIZE &&
        off + size <= NE2000_IO_SIZE)
        return 1;
    s->stats.unmodelled++;
    NOTE(s, "%s 0x%x/%u outside the 32-byte window", what, off, size);
    return 0;
}

static uint32_t ne2000_io_read(void *opaque, uint32_t off, unsigned size)
{
    Ne2000 *s = opaque;
    if (!window_ok(s, off, size, "read"))
        return size_mask(size);
    if (off >= NE_DATA && off < NE_RESET)
        return data_port_access(s, 0, size, 0);
    /* the registers are 8 bits wide: a wider access is split into bytes */
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)byte_read(s, off + i) << (8 * i);
    return v;
}

static void ne2000_io_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    Ne2000 *s = opaque;
    if (!window_ok(s, off, size, "write"))
        return;
    v &= size_mask(size);
    if (off >= NE_DATA && off < NE_RESET) {
        data_port_access(s, 1, size, v);
        return;
    }
    for (unsigned i = 0; i < size; i++)
        byte_write(s, off + i, (uint8_t)(v >> (8 * i)));
}

/* DevIoOps.reg_name: CR, the data and reset ports at their offsets, the
 * other offsets by the page CR.PS selects now and the direction (the read
 * and write views differ on pages 0 and 2). An access wider than a byte is
 * named by its first byte. No side effects. */
static const char *ne2000_io_reg_name(void *opaque, uint32_t off, unsigned size, int write)
{
    const Ne2000 *s = opaque;
    if (size == 0 || off >= NE2000_IO_SIZE || size > NE2000_IO_SIZE - off)
        return NULL;
    const RegDesc *r = find_reg(s, page_of(s), write, off);
    return r ? r->name : NULL;
}

const DevIoOps ne2000_io_ops = {
    .read = ne2000_io_read,
    .write = ne2000_io_write,
    .reg_name = ne2000_io_reg_name,
};

/* ---- injected conditions ---- */

int ne2000_inject(Ne2000 *s, DevCondition c)
{
    switch (c) {
    case DEV_COND_TX_ERROR:    /* TSR.ABT, ISR.TXE */
    case DEV_COND_TX_UNDERRUN: /* TSR.FU, ISR.TXE */
        s->armed |= ARMED(c);
        NOTE(s, "condition %u armed for the next transmitted packet", (unsigned)c);
        return 0;
    case DEV_COND_RX_CRC_ERROR: /* RSR.CRC, CNTR1, ISR.RXE; kept only with RCR.SEP */
        s->armed |= ARMED(c);
        NOTE(s, "condition %u armed for the next received packet", (unsigned)c);
        return 0;
    case DEV_COND_RESET_HANG: /* ISR.RST never set after the reset port (DP8390D 10, 11.0) */
        s->armed |= ARMED(c);
        NOTE(s, "reset hang armed for the next reset port access");
        return 0;
    }
    return -1;
}

/* ---- creation and accessors ---- */

Ne2000 *ne2000_new(const DevDma *dma, const DevIrq *irq, DevClock *clock, const NetPort *port,
                   const uint8_t mac[6], Ne2000Mode mode)
{
    if (mode != NE2000_PCI && mode != NE2000_ISA)
        return NULL;
    Ne2000 *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (dma)
        s->dma = *dma;
    if (irq)
        s->irq = *irq;
    if (port)
        s->port = *port;
    s->clock = clock;
    s->mode = mode;
    s->link = 1;
    memcpy(s->mac, mac, 6);
    if (mode == NE2000_ISA) {
        s->isa_io_base = NE2000_ISA_DEFAULT_PORT;
        s->isa_irq = NE2000_ISA_DEFAULT_IRQ;
    } else {
        /* RTL8029AS PCI configuration space: 10EC:8029, Ethernet
         * controller, BAR0 I/O 32 bytes, INTA#; I/O decode only (no
         * memory BAR, not a bus master). Subsystem 10EC:8029 as Realtek's
         * own boards present it (pci.ids lists subsystem 10ec:8029 under
         * RTL-8029(AS); RTL8029AS INFs match
         * PCI\VEN_10EC&DEV_8029&SUBSYS_802910EC), not 0. */
        PciId id = {
            .vendor = NE2000_VENDOR_ID,
            .device = NE2000_DEVICE_ID,
            .revision = NE2000_REVISION,
            .class_code = NE2000_CLASS,
            .subsys_vendor = NE2000_VENDOR_ID,
            .subsys_id = NE2000_DEVICE_ID,
            .interrupt_pin = 1,
            .status = PCI_STATUS_DEVSEL_MEDIUM,
            .command_wmask = PCI_COMMAND_IO,
        };
        pci_device_init(&s->pci, "ne2000", &id);
        if (pci_device_set_bar(&s->pci, 0, NE2000_IO_SIZE, PCI_BAR_IO) < 0)
            abort(); /* constant arguments: an internal invariant */
    }
    ne2000_reset(s);
    return s;
}

void ne2000_free(Ne2000 *s)
{
    free(s);
}

Ne2000Mode ne2000_mode(const Ne2000 *s)
{
    return s->mode;
}

PciDevice *ne2000_pci(Ne2000 *s)
{
    return s->mode == NE2000_PCI ? &s->pci : NULL;
}

int ne2000_set_isa_resources(Ne2000 *s, uint32_t io_base, unsigned irq)
{
    if (s->mode != NE2000_ISA || (io_base % NE2000_IO_SIZE) || io_base + NE2000_IO_SIZE > 0x10000 ||
        irq < 2 || irq > 15)
        return -1;
    s->isa_io_base = io_base;
    s->isa_irq = irq;
    return 0;
}

uint32_t ne2000_isa_io_base(const Ne2000 *s)
{
    return s->mode == NE2000_ISA ? s->isa_io_base : 0;
}

unsigned ne2000_isa_irq(const Ne2000 *s)
{
    return s->mode == NE2000_ISA ? s->isa_irq : 0;
}

void ne2000_set_link(Ne2000 *s, int up)
{
    up = !!up;
    if (up == s->link)
        return;
    s->link = up;
    NOTE(s, "link %s (the DP8390 has no link status register or interrupt)", up ? "up" : "down");
}

int ne2000_link(const Ne2000 *s)
{
    return s->link;
}

int ne2000_irq_level(const Ne2000 *s)
{
    return s->irq_level;
}

const Ne2000Stats *ne2000_stats(const Ne2000 *s)
{
    return &s->stats;
}

/* ---- board identity ---- */

int ne2000_set_identity(Ne2000 *s, const PciIdentity *id)
{
    if (s->mode != NE2000_PCI)
        return -1;
    return pci_device_set_identity(&s->pci, id);
}

/* RTL8029AS boards, then the other NE2000-compatible PCI chips of Linux
 * ne2k-pci's ne2k_pci_tbl (one driver for all, with I/O-width quirks for
 * the Holtek chips), which gives the vendor:device pairs; names and subsystems from the PCI ID Repository (pci.ids, Debian
 * package pci.ids 0.0~2023.04.11). The model stays an RTL8029AS: a driver
 * that probes the 8029 ID registers still finds them. */
const PciBoard ne2000_boards[] = {
    {0x10EC, 0x8029, 0x10EC, 0x8029, "Realtek RTL8029(AS)"},
    {0x10EC, 0x8029, 0x10B8, 0x2011, "SMC EZ-Card (SMC1208)"},
    {0x10EC, 0x8029, 0x1113, 0x1208, "Accton EN1208"},
    {0x10EC, 0x8029, 0x1186, 0x0300, "D-Link DE-528"},
    {0x10EC, 0x8029, 0x1259, 0x2400, "Allied Telesis AT-2400"},
    {0x10EC, 0x8029, 0x1AF4, 0x1100, "QEMU virtual machine's ne2k_pci"},
    {0x4A14, 0x5000, 0x4A14, 0x5000, "NetVin NV5000SC (RT8029-based)"},
    {0x1050, 0x0940, 0, 0, "Winbond W89C940 board"},
    {0x1050, 0x5A5A, 0, 0, "Winbond W89C940F board"},
    {0x8C4A, 0x1980, 0, 0, "Winbond W89C940 (misprogrammed vendor ID)"},
    {0x11F6, 0x1401, 0, 0, "Compex ReadyLink 2000"},
    {0x8E2E, 0x3000, 0, 0, "KTI ET32P2"},
    {0x1106, 0x0926, 0, 0, "VIA VT82C926 Amazon board"},
    {0x10BD, 0x0E34, 0, 0, "Surecom NE-34"},
    {0x12C3, 0x0058, 0, 0, "Holtek HT80232 PCI NE2K"},
    {0x12C3, 0x5598, 0, 0, "Holtek HT80229 PCI NE2K"},
};
const unsigned ne2000_nboards = sizeof ne2000_boards / sizeof ne2000_boards[0];
