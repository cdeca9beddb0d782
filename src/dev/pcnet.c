/* AMD Am79C970A PCnet-PCI II model (see pcnet.h and docs/devices/pcnet.md).
 * "Section" names refer to the Am79C970A datasheet, publication 19436
 * rev E. The CSRs and BCRs are 16-bit stores indexed by register number;
 * CSR0's INTR/ERR, the ring counters, CSR58 and the LED outputs are derived
 * on access. Descriptors are converted to and from the SWSTYLE 2 layout. */
#include "dev/pcnet.h"
#include "dev/eth.h"

#include <stdlib.h>
#include <string.h>

#include "trace/trace.h"

/* ---- register tables ---- */

/* I/O window (section "I/O Resources"): APROM bytes, then the word I/O
 * (2-byte) and double word I/O (4-byte) rows; then class (the REG_CLASS_
 * suffix) and REG_F_ flags (regs.h). RDP and BDP are the data ports of the
 * RAP index; a read of RESET is a command (S_RESET), so control. */
#define PCNET_IO_REGS(R)                                                                           \
    R(0x00, 1, "APROM0", REG_RO, 0, STATUS, 0)                                                     \
    R(0x01, 1, "APROM1", REG_RO, 0, STATUS, 0)                                                     \
    R(0x02, 1, "APROM2", REG_RO, 0, STATUS, 0)                                                     \
    R(0x03, 1, "APROM3", REG_RO, 0, STATUS, 0)                                                     \
    R(0x04, 1, "APROM4", REG_RO, 0, STATUS, 0)                                                     \
    R(0x05, 1, "APROM5", REG_RO, 0, STATUS, 0)                                                     \
    R(0x06, 1, "APROM6", REG_RO, 0, STATUS, 0)                                                     \
    R(0x07, 1, "APROM7", REG_RO, 0, STATUS, 0)                                                     \
    R(0x08, 1, "APROM8", REG_RO, 0, STATUS, 0)                                                     \
    R(0x09, 1, "APROM9", REG_RO, PCNET_APROM_HWID, STATUS, 0)                                      \
    R(0x0A, 1, "APROM10", REG_RO, 0, STATUS, 0)                                                    \
    R(0x0B, 1, "APROM11", REG_RO, 0, STATUS, 0)                                                    \
    R(0x0C, 1, "APROM12", REG_RO, 0, STATUS, 0)                                                    \
    R(0x0D, 1, "APROM13", REG_RO, 0, STATUS, 0)                                                    \
    R(0x0E, 1, "APROM14", REG_RO, PCNET_APROM_SIGNATURE, STATUS, 0)                                \
    R(0x0F, 1, "APROM15", REG_RO, PCNET_APROM_SIGNATURE, STATUS, 0)                                \
    R(PCNET_WIO_RDP, 2, "RDP", REG_RW, 0, DATA, 0)                                                 \
    R(PCNET_WIO_RAP, 2, "RAP", REG_RW, 0, CONTROL, REG_F_INDEX)                                    \
    R(PCNET_WIO_RESET, 2, "RESET", REG_RC, 0, CONTROL, 0)                                          \
    R(PCNET_WIO_BDP, 2, "BDP", REG_RW, 0, DATA, 0)                                                 \
    R(PCNET_DWIO_RDP, 4, "RDP", REG_RW, 0, DATA, 0)                                                \
    R(PCNET_DWIO_RAP, 4, "RAP", REG_RW, 0, CONTROL, REG_F_INDEX)                                   \
    R(PCNET_DWIO_RESET, 4, "RESET", REG_RC, 0, CONTROL, 0)                                         \
    R(PCNET_DWIO_BDP, 4, "BDP", REG_RW, 0, DATA, 0)

const RegDesc pcnet_io_regs[] = {
#define R(off, w, name, acc, rst, cls, fl) {off, w, name, acc, rst, REG_CLASS_##cls, fl},
    PCNET_IO_REGS(R)
#undef R
};
const unsigned pcnet_io_nregs = sizeof pcnet_io_regs / sizeof pcnet_io_regs[0];

/* Row flags: STOPW = writable only while STOP or SPND is set ("Read/Write
 * accessible only when either the STOP or the SPND bit is set"); SRST =
 * set to its reset value by S_RESET as well as H_RESET. */
#define STOPW 0x1u
#define SRST 0x2u

/* CSRs (section "Control and Status Registers"): number, width, name,
 * access, H_RESET value, write mask, flags, class, REG_F_ flags. CSR12-14
 * are loaded with the MAC at H_RESET (see docs). Class calls: the current/
 * next buffer and descriptor registers, ring counters and DMA address are
 * the controller's working state, writable only while stopped: status;
 * CSR6 is the ring lengths INIT copied from the initialization block:
 * control. CSR0's TDMD and CSR4's UINTCMD clear themselves; CSR46 (poll
 * timer) and CSR94 (TDR time) count clocks and bit times. */
#define PCNET_CSR_REGS(R)                                                                          \
    R(0, 2, "CSR0", REG_W1C, 0x0004, 0x7F4F, SRST, CS, REG_F_SELFCLEAR)                            \
    R(1, 2, "IADR[15:0]", REG_RW, 0, 0xFFFF, STOPW, CONTROL, REG_F_DMA)                            \
    R(2, 2, "IADR[31:16]", REG_RW, 0, 0xFFFF, STOPW, CONTROL, REG_F_DMA)                           \
    R(3, 2, "CSR3", REG_RW, 0, 0x5F7C, SRST, CONTROL, 0)                                           \
    R(4, 2, "CSR4", REG_W1C, 0x0115, 0xFDFF, SRST, CS, REG_F_SELFCLEAR)                            \
    R(5, 2, "CSR5", REG_W1C, 0, 0xCFFF, SRST, CS, 0)                                               \
    R(6, 2, "RLEN/TLEN", REG_RO, 0, 0, SRST, CONTROL, 0)                                           \
    R(8, 2, "LADRF[15:0]", REG_RW, 0, 0xFFFF, STOPW, CONTROL, 0)                                   \
    R(9, 2, "LADRF[31:16]", REG_RW, 0, 0xFFFF, STOPW, CONTROL, 0)                                  \
    R(10, 2, "LADRF[47:32]", REG_RW, 0, 0xFFFF, STOPW, CONTROL, 0)                                 \
    R(11, 2, "LADRF[63:48]", REG_RW, 0, 0xFFFF, STOPW, CONTROL, 0)                                 \
    R(12, 2, "PADR[15:0]", REG_RW, 0, 0xFFFF, STOPW, CONTROL, 0)                                   \
    R(13, 2, "PADR[31:16]", REG_RW, 0, 0xFFFF, STOPW, CONTROL, 0)                                  \
    R(14, 2, "PADR[47:32]", REG_RW, 0, 0xFFFF, STOPW, CONTROL, 0)                                  \
    R(15, 2, "MODE", REG_RW, 0, 0xFFFF, STOPW | SRST, CONTROL, 0)                                  \
    R(16, 2, "IADRL", REG_RW, 0, 0xFFFF, STOPW, CONTROL, REG_F_DMA)                                \
    R(17, 2, "IADRH", REG_RW, 0, 0xFFFF, STOPW, CONTROL, REG_F_DMA)                                \
    R(18, 2, "CRBAL", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(19, 2, "CRBAU", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(20, 2, "CXBAL", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(21, 2, "CXBAU", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(22, 2, "NRBAL", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(23, 2, "NRBAU", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(24, 2, "BADRL", REG_RW, 0, 0xFFFF, STOPW | SRST, CONTROL, REG_F_DMA)                         \
    R(25, 2, "BADRU", REG_RW, 0, 0xFFFF, STOPW | SRST, CONTROL, REG_F_DMA)                         \
    R(26, 2, "NRDAL", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(27, 2, "NRDAU", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(28, 2, "CRDAL", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(29, 2, "CRDAU", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(30, 2, "BADXL", REG_RW, 0, 0xFFFF, STOPW | SRST, CONTROL, REG_F_DMA)                         \
    R(31, 2, "BADXU", REG_RW, 0, 0xFFFF, STOPW | SRST, CONTROL, REG_F_DMA)                         \
    R(32, 2, "NXDAL", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(33, 2, "NXDAU", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(34, 2, "CXDAL", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(35, 2, "CXDAU", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(36, 2, "NNRDL", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(37, 2, "NNRDU", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(38, 2, "NNXDL", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(39, 2, "NNXDU", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(40, 2, "CRBC", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                          \
    R(41, 2, "CRST", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                          \
    R(42, 2, "CXBC", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                          \
    R(43, 2, "CXST", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                          \
    R(44, 2, "NRBC", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                          \
    R(45, 2, "NRST", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                          \
    R(46, 2, "POLL", REG_RW, 0, 0xFFFF, STOPW | SRST, STATUS, REG_F_COUNTER)                       \
    R(47, 2, "POLLINT", REG_RW, 0, 0xFFFF, STOPW | SRST, CONTROL, 0)                               \
    R(58, 2, "SWS", REG_RW, 0x0200, 0x00FF, STOPW, CONTROL, 0)                                     \
    R(60, 2, "PXDAL", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(61, 2, "PXDAU", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(62, 2, "PXBC", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                          \
    R(63, 2, "PXST", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                          \
    R(64, 2, "NXBAL", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(65, 2, "NXBAU", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                         \
    R(66, 2, "NXBC", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                          \
    R(67, 2, "NXST", REG_RW, 0, 0xFFFF, STOPW, STATUS, 0)                                          \
    R(72, 2, "RCVRC", REG_RW, 0, 0xFFFF, STOPW | SRST, STATUS, 0)                                  \
    R(74, 2, "XMTRC", REG_RW, 0, 0xFFFF, STOPW | SRST, STATUS, 0)                                  \
    R(76, 2, "RCVRL", REG_RW, 0, 0xFFFF, STOPW | SRST, CONTROL, 0)                                 \
    R(78, 2, "XMTRL", REG_RW, 0, 0xFFFF, STOPW | SRST, CONTROL, 0)                                 \
    R(80, 2, "CSR80", REG_RW, 0x1410, 0x3FFF, STOPW | SRST, CONTROL, 0)                            \
    R(82, 2, "CSR82", REG_RW, 0, 0xFFFF, STOPW | SRST, CONTROL, 0)                                 \
    R(84, 2, "DMABAL", REG_RO, 0, 0, SRST, STATUS, 0)                                              \
    R(85, 2, "DMABAU", REG_RO, 0, 0, SRST, STATUS, 0)                                              \
    R(86, 2, "DMABC", REG_RO, 0, 0, SRST, STATUS, 0)                                               \
    R(88, 2, "Chip ID Lower", REG_RO, 0x1003, 0, 0, STATUS, 0)                                     \
    R(89, 2, "Chip ID Upper", REG_RO, 0x0262, 0, 0, STATUS, 0)                                     \
    R(92, 2, "CSR92", REG_RO, 0, 0, SRST, STATUS, 0)                                               \
    R(94, 2, "XMTTDR", REG_RO, 0, 0, SRST, STATUS, REG_F_COUNTER)                                  \
    R(100, 2, "Bus Timeout", REG_RW, 0x0200, 0xFFFF, STOPW | SRST, CONTROL, 0)                     \
    R(112, 2, "Missed Frame Count", REG_RW, 0, 0xFFFF, STOPW | SRST, STATUS, REG_F_COUNTER)        \
    R(114, 2, "Receive Collision Count", REG_RW, 0, 0xFFFF, STOPW | SRST, STATUS, REG_F_COUNTER)   \
    R(122, 2, "Advanced Feature Control", REG_RW, 0, 0x0001, STOPW | SRST, CONTROL, 0)             \
    R(124, 2, "Test Register 1", REG_RW, 0, 0x0008, STOPW | SRST, CONTROL, 0)

const RegDesc pcnet_csr_regs[] = {
#define R(n, w, name, acc, rst, wm, fl, cls, rf) {n, w, name, acc, rst, REG_CLASS_##cls, rf},
    PCNET_CSR_REGS(R)
#undef R
};
const unsigned pcnet_csr_nregs = sizeof pcnet_csr_regs / sizeof pcnet_csr_regs[0];
static const uint16_t pcnet_csr_wmask[] = {
#define R(n, w, name, acc, rst, wm, fl, cls, rf) wm,
    PCNET_CSR_REGS(R)
#undef R
};
static const uint8_t pcnet_csr_flags[] = {
#define R(n, w, name, acc, rst, wm, fl, cls, rf) fl,
    PCNET_CSR_REGS(R)
#undef R
};

/* BCRs (section "Bus Configuration Registers"). BCR19 PVALID/EEDET and
 * the LED LEDOUT bits are derived; BCR20 SSIZE32/CSRPCNET follow SWSTYLE.
 * Class: LEDOUT makes BCR4-7 control+status, PVALID and the self-clearing
 * PREAD BCR19; BCR0/1 are constants kept for software compatibility. */
#define PCNET_BCR_REGS(R)                                                                          \
    R(0, 2, "MSRDA", REG_RO, 0x0005, 0, 0, STATUS, 0)                                              \
    R(1, 2, "MSWRA", REG_RO, 0x0005, 0, 0, STATUS, 0)                                              \
    R(2, 2, "MC", REG_RW, 0x0002, 0x51BF, 0, CONTROL, 0)                                           \
    R(4, 2, "LNKST", REG_RW, 0x00C0, 0x63FF, 0, CS, 0)                                             \
    R(5, 2, "LED1", REG_RW, 0x0084, 0x63FF, 0, CS, 0)                                              \
    R(6, 2, "LED2", REG_RW, 0x0088, 0x63FF, 0, CS, 0)                                              \
    R(7, 2, "LED3", REG_RW, 0x0090, 0x63FF, 0, CS, 0)                                              \
    R(9, 2, "FDC", REG_RW, 0x0000, 0x0007, STOPW, CONTROL, 0)                                      \
    R(18, 2, "BSBC", REG_RW, 0x9001, 0xFB7F, STOPW, CONTROL, 0)                                    \
    R(19, 2, "EECAS", REG_RW, 0xA000, 0x4017, 0, CS, REG_F_SELFCLEAR)                              \
    R(20, 2, "SWS", REG_RW, 0x0200, 0x00FF, STOPW, CONTROL, 0)                                     \
    R(22, 2, "PCILAT", REG_RW, 0xFF06, 0xFFFF, STOPW, CONTROL, 0)

const RegDesc pcnet_bcr_regs[] = {
#define R(n, w, name, acc, rst, wm, fl, cls, rf) {n, w, name, acc, rst, REG_CLASS_##cls, rf},
    PCNET_BCR_REGS(R)
#undef R
};
const unsigned pcnet_bcr_nregs = sizeof pcnet_bcr_regs / sizeof pcnet_bcr_regs[0];
static const uint16_t pcnet_bcr_wmask[] = {
#define R(n, w, name, acc, rst, wm, fl, cls, rf) wm,
    PCNET_BCR_REGS(R)
#undef R
};
static const uint8_t pcnet_bcr_flags[] = {
#define R(n, w, name, acc, rst, wm, fl, cls, rf) fl,
    PCNET_BCR_REGS(R)
#undef R
};

#define CSR_MAX 128u
#define BCR_MAX 32u
#define TX_BUF 4096u /* largest frame the model assembles from a chain */

/* CSR0 interrupt sources maskable in CSR3 (section "Interrupt Masks") */
#define CSR0_SOURCES                                                                               \
    (PCNET_CSR0_BABL | PCNET_CSR0_MISS | PCNET_CSR0_MERR | PCNET_CSR0_RINT | PCNET_CSR0_TINT |     \
     PCNET_CSR0_IDON)
#define CSR0_W1C (CSR0_SOURCES | PCNET_CSR0_CERR)
#define CSR4_W1C                                                                                   \
    (PCNET_CSR4_JAB | PCNET_CSR4_TXSTRT | PCNET_CSR4_RCVCCO | PCNET_CSR4_UINT | PCNET_CSR4_MFCO)
#define CSR5_W1C (PCNET_CSR5_MPINT | PCNET_CSR5_EXDINT | PCNET_CSR5_SLPINT | PCNET_CSR5_SINT)

enum { RX, TX };

typedef struct Desc {
    uint32_t addr;   /* buffer address (RMD0/TMD0 in SWSTYLE 2) */
    uint32_t flags;  /* RMD1/TMD1: OWN ... BCNT */
    uint32_t status; /* RMD2 (MCNT) / TMD2 (error bits) */
} Desc;

struct Pcnet {
    uint16_t csr[CSR_MAX];
    uint16_t bcr[BCR_MAX];
    uint8_t aprom[16];
    uint8_t rap;
    PciDevice pci;
    Eeprom93c46 ee;
    DevDma dma;
    DevIrq irq;
    DevClock *clock;
    NetPort port;
    DevTimer poll_timer;
    int link;
    int irq_level;
    unsigned noted;   /* one-time FIXME notes already emitted */
    unsigned bm_held; /* bus-master work waiting for Bus Master Enable (BM_HELD_*) */
    unsigned armed;   /* injected conditions: ARMED(DevCondition) */
    int reset_hung;   /* an S_RESET that never completes (DEV_COND_RESET_HANG) */
    PcnetStats stats;
    uint8_t txbuf[TX_BUF];
    uint8_t rxbuf[PCNET_RX_MAX + 64];
};

/* Work that needs the bus, held while PCI bus mastering is disabled. */
#define BM_HELD_INIT 0x1u /* CSR0.INIT: the initialization block fetch */
#define BM_HELD_STRT 0x2u /* CSR0.STRT written with a held INIT */
#define BM_HELD_TX 0x4u   /* a transmit ring poll (TDMD or the poll timer) */

#define ARMED(c) (1u << (c))

#define NOTED_LAPPEN 0x1u
#define NOTED_ILACC 0x2u
#define NOTED_BSWP 0x4u

/* ---- helpers ---- */

static uint64_t now(const Pcnet *s)
{
    return s->clock ? s->clock->now : 0;
}

#define NOTE(s, ...) trace_emitf(TRACE_NOTE, now(s), 0, "pcnet", __VA_ARGS__)

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

static int csr_row(unsigned n)
{
    for (unsigned i = 0; i < pcnet_csr_nregs; i++)
        if (pcnet_csr_regs[i].offset == n)
            return (int)i;
    return -1;
}

static int bcr_row(unsigned n)
{
    for (unsigned i = 0; i < pcnet_bcr_nregs; i++)
        if (pcnet_bcr_regs[i].offset == n)
            return (int)i;
    return -1;
}

static int stopped(const Pcnet *s)
{
    return (s->csr[0] & PCNET_CSR0_STOP) || (s->csr[5] & PCNET_CSR5_SPND);
}

static unsigned swstyle(const Pcnet *s)
{
    return s->bcr[PCNET_BCR20] & PCNET_BCR20_SWSTYLE;
}

static int ssize32(const Pcnet *s)
{
    return !!(s->bcr[PCNET_BCR20] & PCNET_BCR20_SSIZE32);
}

/* ---- CRCs ---- */

uint32_t pcnet_fcs(const uint8_t *data, size_t len)
{
    return eth_fcs(data, len);
}

unsigned pcnet_ladrf_bit(const uint8_t addr[6])
{
    /* Section "Address Matching": the destination address runs through
     * the FCS generator; the 6 most significant bits of the CRC register
     * (not complemented) select one of the 64 LADRF bits. */
    return (~pcnet_fcs(addr, 6)) >> 26;
}

/* ---- interrupts (section "Interrupt Operation": INTR, IENA) ---- */

static int intr_pending(const Pcnet *s)
{
    uint16_t c0 = s->csr[0], c4 = s->csr[4], c5 = s->csr[5];
    if (c0 & ~s->csr[3] & CSR0_SOURCES)
        return 1;
    /* CSR4: each source bit sits one above its mask bit */
    if ((c4 >> 1) & ~c4 &
        (PCNET_CSR4_JABM | PCNET_CSR4_TXSTRTM | PCNET_CSR4_RCVCCOM | PCNET_CSR4_MFCOM))
        return 1;
    if (c4 & PCNET_CSR4_UINT)
        return 1;
    /* CSR5: each source bit sits one above its enable bit */
    if ((c5 >> 1) & c5 &
        (PCNET_CSR5_MPINTE | PCNET_CSR5_EXDINTE | PCNET_CSR5_SLPINTE | PCNET_CSR5_SINTE))
        return 1;
    return 0;
}

static void update_irq(Pcnet *s)
{
    uint16_t c0 = s->csr[0] & ~(PCNET_CSR0_INTR | PCNET_CSR0_ERR);
    if (intr_pending(s))
        c0 |= PCNET_CSR0_INTR;
    if (c0 & (PCNET_CSR0_BABL | PCNET_CSR0_CERR | PCNET_CSR0_MISS | PCNET_CSR0_MERR))
        c0 |= PCNET_CSR0_ERR;
    s->csr[0] = c0;
    int level = (c0 & PCNET_CSR0_INTR) && (c0 & PCNET_CSR0_IENA);
    if (level != s->irq_level) {
        s->irq_level = level;
        dev_irq_set(&s->irq, level);
    }
}

/* ---- DMA: every access bounds-checked; failure is a memory error ---- */

/* MERR (CSR0): the receiver and transmitter are turned off (section
 * "CSR0: MERR"); the PCI status records a master abort. */
static void memory_error(Pcnet *s, const char *what, uint32_t addr, uint32_t len)
{
    s->stats.dma_errors++;
    NOTE(s, "%s: DMA at 0x%08x+%u outside guest memory: MERR, RXON/TXON off", what, addr, len);
    pci_device_raise_status(&s->pci, PCI_STATUS_REC_MASTER_ABORT);
    s->csr[0] = (uint16_t)((s->csr[0] | PCNET_CSR0_MERR) & ~(PCNET_CSR0_RXON | PCNET_CSR0_TXON));
    if (s->clock)
        dev_timer_cancel(s->clock, &s->poll_timer);
    update_irq(s);
}

/* Bus mastering is a gate, not an error (PCI 3.0 section 6.2.2: with Bus
 * Master Enable clear the function does not master the bus). Work that
 * needs DMA is held in bm_held and runs when the driver sets BME
 * (pcnet_pci_changed); some drivers program the chip first and enable bus
 * mastering after. */
static int bus_master(Pcnet *s)
{
    return !!(pci_device_command(&s->pci) & PCI_COMMAND_MASTER);
}

static int hold_for_bus(Pcnet *s, unsigned what, const char *name)
{
    if (bus_master(s))
        return 0;
    if (!(s->bm_held & what))
        NOTE(s, "%s waits: PCI bus mastering is disabled", name);
    s->bm_held |= what;
    return 1;
}

static int dma_read(Pcnet *s, const char *what, uint32_t addr, void *buf, uint32_t len)
{
    if ((uint64_t)addr + len > 0x100000000ull || dev_dma_read(&s->dma, addr, buf, len) < 0) {
        memory_error(s, what, addr, len);
        return -1;
    }
    return 0;
}

static int dma_write(Pcnet *s, const char *what, uint32_t addr, const void *buf, uint32_t len)
{
    if ((uint64_t)addr + len > 0x100000000ull || dev_dma_write(&s->dma, addr, buf, len) < 0) {
        memory_error(s, what, addr, len);
        return -1;
    }
    return 0;
}

/* In 16-bit software style, bits 31-24 of every address come from
 * IADR[31:24] (CSR2 bits 15-8), section "SSIZE32". */
static uint32_t upper_addr(const Pcnet *s)
{
    return ssize32(s) ? 0 : (uint32_t)(s->csr[2] & 0xFF00) << 16;
}

/* ---- descriptor rings (section "Descriptor Rings") ---- */

static uint32_t ring_base(const Pcnet *s, int tx)
{
    unsigned lo = tx ? PCNET_CSR30 : PCNET_CSR24;
    return (uint32_t)s->csr[lo] | (uint32_t)s->csr[lo + 1] << 16;
}

/* CSR76/78 hold the two's complement of the ring length; 0 = no ring. */
static unsigned ring_len(const Pcnet *s, int tx)
{
    return (uint16_t)(0u - s->csr[tx ? PCNET_CSR78 : PCNET_CSR76]);
}

/* CSR72/74 count down the entries left before the ring wraps (two's
 * complement, like the length): index = length - remaining. */
static unsigned ring_idx(const Pcnet *s, int tx)
{
    unsigned len = ring_len(s, tx);
    unsigned left = (uint16_t)(0u - s->csr[tx ? PCNET_CSR74 : PCNET_CSR72]);
    if (!len)
        return 0;
    if (left == 0 || left > len)
        return 0;
    return len - left;
}

static void ring_set_idx(Pcnet *s, int tx, unsigned idx)
{
    unsigned len = ring_len(s, tx);
    if (len)
        idx %= len;
    s->csr[tx ? PCNET_CSR74 : PCNET_CSR72] = (uint16_t)(0u - (len - idx));
}

static unsigned desc_size(const Pcnet *s)
{
    return swstyle(s) == 0 ? 8u : 16u;
}

static uint32_t desc_addr(const Pcnet *s, int tx, unsigned idx)
{
    return ring_base(s, tx) + idx * desc_size(s);
}

static int desc_read(Pcnet *s, int tx, unsigned idx, Desc *d)
{
    uint8_t b[16];
    uint32_t a = desc_addr(s, tx, idx);
    if (dma_read(s, tx ? "transmit descriptor" : "receive descriptor", a, b, desc_size(s)) < 0)
        return -1;
    switch (swstyle(s)) {
    case 0: /* 16-bit: ADR[15:0]; flags | ADR[23:16]; ONES|BCNT; status */
        d->addr = get_le(b, 2) | (uint32_t)b[2] << 16 | upper_addr(s);
        d->flags = (uint32_t)b[3] << 24 | get_le(b + 4, 2);
        d->status = tx ? get_le(b + 6, 2) << 16 : get_le(b + 6, 2);
        break;
    case 3: /* status, flags, address, user */
        d->status = get_le(b, 4);
        d->flags = get_le(b + 4, 4);
        d->addr = get_le(b + 8, 4);
        break;
    default: /* 1 (ILACC) and 2: address, flags, status, user */
        d->addr = get_le(b, 4);
        d->flags = get_le(b + 4, 4);
        d->status = get_le(b + 8, 4);
        break;
    }
    return 0;
}

/* Hand a descriptor back: the status first, then the word holding OWN. */
static int desc_write(Pcnet *s, int tx, unsigned idx, const Desc *d)
{
    uint8_t b[4];
    uint32_t a = desc_addr(s, tx, idx);
    const char *what = tx ? "transmit descriptor" : "receive descriptor";
    switch (swstyle(s)) {
    case 0:
        put_le(b, 2, tx ? d->status >> 16 : d->status & 0xFFFF);
        if (dma_write(s, what, a + 6, b, 2) < 0)
            return -1;
        b[0] = (uint8_t)(d->flags >> 24);
        return dma_write(s, what, a + 3, b, 1);
    case 3:
        put_le(b, 4, d->status);
        if (dma_write(s, what, a, b, 4) < 0)
            return -1;
        put_le(b, 4, d->flags);
        return dma_write(s, what, a + 4, b, 4);
    default:
        put_le(b, 4, d->status);
        if (dma_write(s, what, a + 8, b, 4) < 0)
            return -1;
        put_le(b, 4, d->flags);
        return dma_write(s, what, a + 4, b, 4);
    }
}

/* BCNT: two's complement of the buffer length, 12 bits */
static uint32_t buf_len(uint32_t flags)
{
    uint32_t n = (0u - (flags & PCNET_DESC_BCNT)) & 0xFFFu;
    return n ? n : 4096u;
}

/* ---- transmit polling timer (CSR4 DPOLL, CSR47 POLLINT) ---- */

static uint64_t poll_interval_ns(const Pcnet *s)
{
    /* POLLINT holds the two's complement of the interval in clock
     * periods; 0 selects the default of 65536 (~1.98 ms at 33 MHz). */
    uint32_t clocks = (uint16_t)(0u - s->csr[PCNET_CSR47]);
    if (!clocks)
        clocks = 65536;
    return (uint64_t)clocks * 1000u / 33u;
}

static void poll_arm(Pcnet *s)
{
    if (!s->clock)
        return;
    if ((s->csr[0] & PCNET_CSR0_TXON) && !(s->csr[4] & PCNET_CSR4_DPOLL))
        dev_timer_arm(s->clock, &s->poll_timer, now(s) + poll_interval_ns(s));
    else
        dev_timer_cancel(s->clock, &s->poll_timer);
}

static void tx_poll(Pcnet *s);

static void poll_fire(void *opaque)
{
    Pcnet *s = opaque;
    tx_poll(s);
    poll_arm(s);
}

/* ---- receive (section "Receive Operation", "Address Matching") ---- */

static uint64_t ladrf(const Pcnet *s)
{
    return (uint64_t)s->csr[8] | (uint64_t)s->csr[9] << 16 | (uint64_t)s->csr[10] << 32 |
           (uint64_t)s->csr[11] << 48;
}

/* The RMD1 match bits for an accepted frame, or -1 to reject it. */
static int64_t address_match(const Pcnet *s, const uint8_t *dst)
{
    static const uint8_t bcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    uint16_t mode = s->csr[15];
    if (mode & PCNET_MODE_PROM)
        return 0; /* promiscuous: accepted, no match bit reported */
    if (!(dst[0] & 1)) {
        uint8_t padr[6];
        for (unsigned i = 0; i < 3; i++)
            put_le(padr + 2 * i, 2, s->csr[12 + i]);
        if (!(mode & PCNET_MODE_DRCVPA) && !memcmp(dst, padr, 6))
            return PCNET_RMD1_PAM;
        return -1;
    }
    if (!memcmp(dst, bcast, 6) && !(mode & PCNET_MODE_DRCVBC))
        return PCNET_RMD1_BAM; /* "only BAM, not LAFM" when DRCVBC = 0 */
    if ((ladrf(s) >> pcnet_ladrf_bit(dst)) & 1)
        return PCNET_RMD1_LAFM;
    return -1;
}

static void count_missed(Pcnet *s)
{
    /* CSR112 wraps; the wrap raises MFCO (CSR4) */
    s->csr[PCNET_CSR112]++;
    if (s->csr[PCNET_CSR112] == 0)
        s->csr[4] |= PCNET_CSR4_MFCO;
}

static PcnetRxResult rx_frame(Pcnet *s, const uint8_t *frame, size_t len, int looped)
{
    if (!(s->csr[0] & PCNET_CSR0_RXON) || stopped(s)) {
        s->stats.rx_disabled++;
        return PCNET_RX_DISABLED;
    }
    if (!looped && (s->csr[15] & PCNET_MODE_LOOP)) {
        /* in loopback the receiver listens to the transmitter only */
        s->stats.rx_disabled++;
        return PCNET_RX_DISABLED;
    }
    if (!looped && !s->link)
        return PCNET_RX_LINK_DOWN;
    int bad_fcs = 0;
    if (!looped && (s->armed & ARMED(DEV_COND_RX_CRC_ERROR))) {
        /* an injected bad FCS on the next frame the receiver takes in: the
         * frame is stored as usual and reported in RMD1 (section "Receive
         * FCS Checking") */
        s->armed &= ~ARMED(DEV_COND_RX_CRC_ERROR);
        s->stats.rx_crc_errors++;
        bad_fcs = 1;
        NOTE(s, "injected bad FCS on a %zu-byte frame: RMD1 ERR and CRC with ENP", len);
    }
    if (len < 14 || len > PCNET_RX_MAX - 4) {
        /* the chip itself has no upper limit (a long frame fills more
         * buffers); the model's is PCNET_RX_MAX */
        NOTE(s, "received frame of %zu bytes dropped (14..%u)", len, PCNET_RX_MAX - 4);
        return PCNET_RX_BAD_LENGTH;
    }
    int64_t match = address_match(s, frame);
    if (match < 0) {
        s->stats.rx_filtered++;
        return PCNET_RX_FILTERED;
    }
    if (!bus_master(s)) {
        /* the receive FIFO cannot be emptied: the frame is missed (MISS,
         * CSR112), not a memory error */
        NOTE(s, "frame missed: PCI bus mastering is disabled");
        s->csr[0] |= PCNET_CSR0_MISS;
        count_missed(s);
        s->stats.rx_missed++;
        update_irq(s);
        return PCNET_RX_NO_BUS_MASTER;
    }
    if ((s->csr[3] & PCNET_CSR3_LAPPEN) && !(s->noted & NOTED_LAPPEN)) {
        s->noted |= NOTED_LAPPEN;
        NOTE(s, "FIXME: LAPPEN (look-ahead packet processing) set: frames stored as without it");
    }

    /* the frame as stored: padded to 60 bytes, then the FCS; ASTRP_RCV
     * strips pad and FCS of 802.3 frames whose length field is < 46
     * (section "Automatic Pad Stripping") */
    size_t n = len;
    memcpy(s->rxbuf, frame, len);
    if (n < 60) {
        memset(s->rxbuf + n, 0, 60 - n);
        n = 60;
    }
    uint32_t type_len = (uint32_t)frame[12] << 8 | frame[13];
    if ((s->csr[4] & PCNET_CSR4_ASTRP_RCV) && type_len < 46) {
        n = 14 + type_len;
    } else {
        uint32_t fcs = pcnet_fcs(s->rxbuf, n);
        put_le(s->rxbuf + n, 4, bad_fcs ? ~fcs : fcs); /* stored as it arrived */
        n += 4;
    }

    unsigned rlen = ring_len(s, RX);
    if (!rlen) {
        NOTE(s, "receive with no receive ring (RCVRL = 0): MISS");
        s->csr[0] |= PCNET_CSR0_MISS;
        count_missed(s);
        s->stats.rx_missed++;
        update_irq(s);
        return PCNET_RX_MISSED;
    }
    unsigned idx = ring_idx(s, RX);
    Desc d;
    if (desc_read(s, RX, idx, &d) < 0)
        return PCNET_RX_DMA_ERROR;
    if (!(d.flags & PCNET_DESC_OWN)) {
        /* section "CSR0: MISS": no receive descriptor owned */
        s->csr[0] |= PCNET_CSR0_MISS;
        count_missed(s);
        s->stats.rx_missed++;
        update_irq(s);
        return PCNET_RX_MISSED;
    }
    size_t done = 0;
    unsigned used = 0;
    uint32_t first = PCNET_DESC_STP;
    for (;;) {
        if ((d.flags & PCNET_DESC_ONES) != PCNET_DESC_ONES)
            NOTE(s, "RMD%u: ONES field is 0x%x, not 1111b", idx, (d.flags >> 12) & 0xF);
        uint32_t room = buf_len(d.flags);
        uint32_t chunk = n - done < room ? (uint32_t)(n - done) : room;
        if (dma_write(s, "receive buffer", d.addr, s->rxbuf + done, chunk) < 0)
            return PCNET_RX_DMA_ERROR;
        done += chunk;
        used++;
        d.flags &= ~(PCNET_DESC_OWN | PCNET_DESC_ERR | PCNET_RMD1_FRAM | PCNET_RMD1_OFLO |
                     PCNET_RMD1_CRC | PCNET_RMD1_BUFF | PCNET_DESC_STP | PCNET_DESC_ENP |
                     PCNET_RMD1_BPE | PCNET_RMD1_PAM | PCNET_RMD1_LAFM | PCNET_RMD1_BAM);
        d.flags |= first;
        first = 0;
        if (done == n) {
            d.flags |= PCNET_DESC_ENP | (uint32_t)match;
            /* section "RMD1": CRC "is valid only when ENP is set and OFLO
             * is not"; ERR is the OR of FRAM, OFLO, CRC, BUFF and BPE */
            if (bad_fcs)
                d.flags |= PCNET_DESC_ERR | PCNET_RMD1_CRC;
            d.status = (uint32_t)n & PCNET_RMD2_MCNT; /* RPC, RCC = 0 */
            if (desc_write(s, RX, idx, &d) < 0)
                return PCNET_RX_DMA_ERROR;
            ring_set_idx(s, RX, idx + 1);
            break;
        }
        /* chain on: the next descriptor must be owned */
        unsigned nidx = (idx + 1) % rlen;
        Desc nd = {0, 0, 0};
        if (used < rlen && desc_read(s, RX, nidx, &nd) < 0)
            return PCNET_RX_DMA_ERROR;
        if (used >= rlen || !(nd.flags & PCNET_DESC_OWN)) {
            /* section "RMD1: BUFF": buffer error, the rest of the frame
             * is lost (OFLO); ENP stays clear, MCNT is not valid */
            d.flags |= PCNET_DESC_ERR | PCNET_RMD1_BUFF | PCNET_RMD1_OFLO;
            d.status = 0;
            if (desc_write(s, RX, idx, &d) < 0)
                return PCNET_RX_DMA_ERROR;
            ring_set_idx(s, RX, idx + 1);
            s->stats.rx_buff++;
            s->csr[0] |= PCNET_CSR0_RINT;
            update_irq(s);
            return PCNET_RX_BUFF;
        }
        d.status = 0;
        if (desc_write(s, RX, idx, &d) < 0)
            return PCNET_RX_DMA_ERROR;
        idx = nidx;
        d = nd;
    }
    s->stats.rx_stored++;
    s->csr[0] |= PCNET_CSR0_RINT;
    update_irq(s);
    return PCNET_RX_STORED;
}

PcnetRxResult pcnet_receive(Pcnet *s, const uint8_t *frame, size_t len)
{
    return rx_frame(s, frame, len, 0);
}

/* ---- transmit (section "Transmit Operation") ---- */

/* Complete the frame ending in descriptor idx: status, OWN back, TINT. */
static int tx_complete(Pcnet *s, unsigned idx, Desc *d, uint32_t errors)
{
    uint32_t keep =
        PCNET_DESC_STP | PCNET_DESC_ENP | PCNET_TMD1_ADD_FCS | PCNET_DESC_ONES | PCNET_DESC_BCNT;
    int ltinten = !!(s->csr[5] & PCNET_CSR5_LTINTEN);
    int ltint = ltinten && (d->flags & PCNET_TMD1_MORE_LTINT);
    if (ltinten)
        keep |= PCNET_TMD1_MORE_LTINT; /* LTINT is the driver's; MORE otherwise */
    d->flags &= keep;
    d->status = errors; /* TRC and TDR 0: no collisions on the model's wire */
    if (errors) {
        d->flags |= PCNET_DESC_ERR;
        s->stats.tx_errors++;
    }
    if (desc_write(s, TX, idx, d) < 0)
        return -1;
    ring_set_idx(s, TX, idx + 1);
    /* CSR5 TOKINTD suppresses TINT for error-free frames; with LTINTEN a
     * frame whose ENP descriptor has LTINT set always interrupts */
    if (errors || ltint || !(s->csr[5] & PCNET_CSR5_TOKINTD))
        s->csr[0] |= PCNET_CSR0_TINT;
    update_irq(s);
    return 0;
}

/* Transmit one frame starting at the current descriptor (owned). 0 to go
 * on polling, -1 to stop (DMA error, or the transmitter turned off). */
static int tx_frame(Pcnet *s, Desc d)
{
    unsigned tlen = ring_len(s, TX);
    unsigned idx = ring_idx(s, TX);
    size_t total = 0;
    unsigned used = 0;
    int too_long = 0;
    if (!(d.flags & PCNET_DESC_STP))
        NOTE(s, "TMD%u owned without STP where a frame starts: taken as its start", idx);
    int chip_fcs = !(s->csr[15] & PCNET_MODE_DXMTFCS) || (d.flags & PCNET_TMD1_ADD_FCS);
    s->csr[4] |= PCNET_CSR4_TXSTRT;
    for (;;) {
        if ((d.flags & PCNET_DESC_ONES) != PCNET_DESC_ONES)
            NOTE(s, "TMD%u: ONES field is 0x%x, not 1111b", idx, (d.flags >> 12) & 0xF);
        uint32_t n = buf_len(d.flags);
        if (total + n > TX_BUF) {
            too_long = 1;
            n = (uint32_t)(TX_BUF - total);
        }
        if (dma_read(s, "transmit buffer", d.addr, s->txbuf + total, n) < 0)
            return -1;
        total += n;
        used++;
        if (d.flags & PCNET_DESC_ENP)
            break;
        unsigned nidx = (idx + 1) % tlen;
        Desc nd = {0, 0, 0};
        if (used < tlen && desc_read(s, TX, nidx, &nd) < 0)
            return -1;
        if (used >= tlen || !(nd.flags & PCNET_DESC_OWN)) {
            /* section "TMD2: BUFF": no ENP before an unowned descriptor;
             * UFLO with it. Without DXSUFLO the transmitter turns off. */
            NOTE(s, "TMD%u: chain ends without ENP: BUFF|UFLO", idx);
            if (tx_complete(s, idx, &d, PCNET_TMD2_BUFF | PCNET_TMD2_UFLO) < 0)
                return -1;
            if (!(s->csr[3] & PCNET_CSR3_DXSUFLO)) {
                s->csr[0] &= ~PCNET_CSR0_TXON;
                poll_arm(s);
                return -1;
            }
            return 0;
        }
        /* an intermediate buffer: handed back with OWN cleared */
        d.flags &= ~(PCNET_DESC_OWN | PCNET_DESC_ERR);
        d.status = 0;
        if (desc_write(s, TX, idx, &d) < 0)
            return -1;
        idx = nidx;
        d = nd;
    }

    size_t len = total;
    uint32_t errors = 0;
    int deliver = 1;
    if (too_long)
        NOTE(s, "transmit chain longer than %u bytes: truncated", TX_BUF);
    if (!chip_fcs) {
        /* DXMTFCS without ADD_FCS: the buffers carry the FCS */
        if (len < 18) {
            NOTE(s, "%zu-byte frame with driver FCS cannot hold header and FCS", len);
            deliver = 0;
        } else {
            len -= 4;
            if (get_le(s->txbuf + len, 4) != pcnet_fcs(s->txbuf, len)) {
                NOTE(s, "driver-supplied FCS is wrong; the peer would drop the frame");
                deliver = 0;
            }
        }
    } else if (len < 60) {
        if (s->csr[4] & PCNET_CSR4_APAD_XMT) {
            /* section "Automatic Pad Generation" */
            memset(s->txbuf + len, 0, 60 - len);
            len = 60;
        } else {
            NOTE(s, "%zu-byte frame sent without APAD_XMT: a runt on the wire", len);
        }
    }
    if (len > PCNET_FRAME_MAX - 4) {
        /* babble: longer than the largest legal frame (CSR0 BABL) */
        NOTE(s, "%zu-byte frame: BABL", len);
        s->csr[0] |= PCNET_CSR0_BABL;
    }
    if (s->csr[15] & PCNET_MODE_LOOP) {
        s->stats.tx_looped++;
        if (deliver)
            rx_frame(s, s->txbuf, len, 1);
    } else if (!s->link) {
        /* 10BASE-T link fail: LCAR (section "TMD2: LCAR") */
        errors |= PCNET_TMD2_LCAR;
    } else if (s->armed & ARMED(DEV_COND_TX_ERROR)) {
        /* section "TMD2: RTRY": 16 attempts (1 with MODE.DRTY) all
         * collided; the frame is given up. TRC rolls over to 0 ("TMD2:
         * TRC"), ONE and MORE stay clear, TDR is left 0. */
        s->armed &= ~ARMED(DEV_COND_TX_ERROR);
        NOTE(s, "TMD%u: injected excessive collisions: RTRY", idx);
        return tx_complete(s, idx, &d, PCNET_TMD2_RTRY);
    } else if (s->armed & ARMED(DEV_COND_TX_UNDERRUN)) {
        /* section "TMD2: UFLO": the FIFO emptied before the end of the
         * frame, which is truncated (not delivered); BUFF is for a chain
         * without ENP and stays clear. Without CSR3.DXSUFLO the
         * transmitter turns off (TXON = 0); with it polling goes on. */
        s->armed &= ~ARMED(DEV_COND_TX_UNDERRUN);
        NOTE(s, "TMD%u: injected FIFO underflow: UFLO, frame truncated", idx);
        if (tx_complete(s, idx, &d, PCNET_TMD2_UFLO) < 0)
            return -1;
        if (s->csr[3] & PCNET_CSR3_DXSUFLO)
            return 0;
        s->csr[0] &= ~PCNET_CSR0_TXON;
        poll_arm(s);
        update_irq(s);
        return -1;
    } else if (deliver && s->port.send) {
        s->port.send(s->port.opaque, s->txbuf, len);
    }
    s->stats.tx_sent++;
    return tx_complete(s, idx, &d, errors);
}

static void tx_poll(Pcnet *s)
{
    if ((s->csr[0] & PCNET_CSR0_TXON) && !stopped(s) &&
        hold_for_bus(s, BM_HELD_TX, "transmit poll"))
        return; /* TDMD stays set */
    s->csr[0] &= ~PCNET_CSR0_TDMD;
    if (!(s->csr[0] & PCNET_CSR0_TXON) || stopped(s))
        return;
    unsigned tlen = ring_len(s, TX);
    if (!tlen)
        return;
    for (unsigned frames = 0; frames < tlen; frames++) {
        Desc d;
        if (desc_read(s, TX, ring_idx(s, TX), &d) < 0)
            return;
        if (!(d.flags & PCNET_DESC_OWN))
            return;
        if (tx_frame(s, d) < 0)
            return;
    }
}

/* ---- INIT, STRT, STOP, resets (section "CSR0", "Initialization") ---- */

static unsigned ring_entries(unsigned code, int is32)
{
    /* 3-bit code in 16-bit mode (1..128); 4-bit in 32-bit mode, codes
     * above 9 meaning 512 */
    if (!is32)
        return 1u << (code & 7);
    code &= 0xF;
    return code > 9 ? 512u : 1u << code;
}

static int init_block(Pcnet *s)
{
    uint32_t iadr = (uint32_t)s->csr[1] | (uint32_t)s->csr[2] << 16;
    uint8_t b[28];
    unsigned rcode, tcode;
    uint32_t rdra, tdra;
    int is32 = ssize32(s);
    if (dma_read(s, "initialization block", iadr, b, is32 ? 28u : 24u) < 0)
        return -1; /* MERR set, IDON not */
    if (is32) {
        /* SSIZE32 = 1: MODE, RLEN<<4 byte 2, TLEN<<4 byte 3, PADR,
         * reserved, LADRF, RDRA, TDRA (table "Initialization Block") */
        s->csr[15] = (uint16_t)get_le(b, 2);
        rcode = b[2] >> 4;
        tcode = b[3] >> 4;
        for (unsigned i = 0; i < 3; i++)
            s->csr[12 + i] = (uint16_t)get_le(b + 4 + 2 * i, 2);
        for (unsigned i = 0; i < 4; i++)
            s->csr[8 + i] = (uint16_t)get_le(b + 12 + 2 * i, 2);
        rdra = get_le(b + 20, 4);
        tdra = get_le(b + 24, 4);
    } else {
        /* SSIZE32 = 0: MODE, PADR, LADRF, RDRA[15:0], RLEN<<13 |
         * RDRA[23:16], TDRA[15:0], TLEN<<13 | TDRA[23:16] */
        s->csr[15] = (uint16_t)get_le(b, 2);
        for (unsigned i = 0; i < 3; i++)
            s->csr[12 + i] = (uint16_t)get_le(b + 2 + 2 * i, 2);
        for (unsigned i = 0; i < 4; i++)
            s->csr[8 + i] = (uint16_t)get_le(b + 8 + 2 * i, 2);
        rdra = get_le(b + 16, 2) | (uint32_t)b[18] << 16 | upper_addr(s);
        rcode = b[19] >> 5;
        tdra = get_le(b + 20, 2) | (uint32_t)b[22] << 16 | upper_addr(s);
        tcode = b[23] >> 5;
    }
    unsigned rl = ring_entries(rcode, is32), tl = ring_entries(tcode, is32);
    if (is32 && (rcode > 9 || tcode > 9))
        NOTE(s, "init block RLEN/TLEN code above 9 (%u/%u): 512 entries", rcode, tcode);
    unsigned align = desc_size(s);
    if ((rdra | tdra) & (align - 1))
        NOTE(s, "ring base RDRA 0x%08x / TDRA 0x%08x not %u-byte aligned", rdra, tdra, align);
    s->csr[24] = (uint16_t)rdra;
    s->csr[25] = (uint16_t)(rdra >> 16);
    s->csr[30] = (uint16_t)tdra;
    s->csr[31] = (uint16_t)(tdra >> 16);
    s->csr[6] = (uint16_t)((tcode & 0xF) << 12 | (rcode & 0xF) << 8);
    s->csr[PCNET_CSR76] = (uint16_t)(0u - rl);
    s->csr[PCNET_CSR78] = (uint16_t)(0u - tl);
    ring_set_idx(s, RX, 0);
    ring_set_idx(s, TX, 0);
    s->csr[0] |= PCNET_CSR0_IDON;
    return 0;
}

static void start(Pcnet *s)
{
    uint16_t c0 = s->csr[0] & ~(PCNET_CSR0_STOP | PCNET_CSR0_TXON | PCNET_CSR0_RXON);
    c0 |= PCNET_CSR0_STRT;
    if (!(s->csr[15] & PCNET_MODE_DTX))
        c0 |= PCNET_CSR0_TXON;
    if (!(s->csr[15] & PCNET_MODE_DRX))
        c0 |= PCNET_CSR0_RXON;
    s->csr[0] = c0;
}

/* STOP: all DMA and network activity ends; CSR0 reads 0004h, CSR4/CSR5
 * status bits and SPND clear; the ring counters restart at entry 0 on
 * the next INIT or STRT (section "CSR0: STOP"). */
static void stop(Pcnet *s)
{
    s->csr[0] = PCNET_CSR0_STOP;
    s->bm_held = 0;
    s->csr[4] &= ~(PCNET_CSR4_JAB | PCNET_CSR4_TXSTRT | PCNET_CSR4_RCVCCO | PCNET_CSR4_UINT |
                   PCNET_CSR4_UINTCMD | PCNET_CSR4_MFCO);
    s->csr[5] &= ~(PCNET_CSR5_SPND | PCNET_CSR5_MPINT);
    if (s->clock)
        dev_timer_cancel(s->clock, &s->poll_timer);
}

/* S_RESET (a read of RESET, section "RESET Register"): H_RESET "except
 * that S_RESET has no effect on the BCR or PCI configuration space
 * locations". CSRs with a defined reset value (flagged SRST) get it, RAP
 * is 0; BCRs (so DWIO and the software style), APROM and PCI are kept. */
static void soft_reset(Pcnet *s)
{
    s->bm_held = 0;
    if (s->clock)
        dev_timer_cancel(s->clock, &s->poll_timer);
    for (unsigned i = 0; i < pcnet_csr_nregs; i++)
        if (pcnet_csr_flags[i] & SRST)
            s->csr[pcnet_csr_regs[i].offset] = (uint16_t)pcnet_csr_regs[i].reset;
    s->rap = 0;
    s->reset_hung = 0;
    update_irq(s);
}

/* A read of RESET with DEV_COND_RESET_HANG armed. S_RESET should leave the
 * controller stopped, CSR0 = 0004h (STOP is set by H_RESET and S_RESET,
 * section CSR0); here it never gets there: the CSRs take their reset
 * values but CSR0 reads 0000h (STOP, INIT, STRT, TXON, RXON all 0), and the
 * controller core takes no RDP write, so INIT never fetches the
 * initialization block nor sets IDON. RAP, BDP (the BCRs) and the APROM
 * still answer. The next read of RESET completes a normal S_RESET. */
static void hang_reset(Pcnet *s)
{
    s->armed &= ~ARMED(DEV_COND_RESET_HANG);
    soft_reset(s);
    s->csr[0] = 0;
    s->reset_hung = 1;
    s->stats.reset_hangs++;
    update_irq(s);
    NOTE(s, "injected reset hang: CSR0 reads 0000h, RDP writes ignored until RESET is read");
}

/* APROM contents (the "PCnet family" EEPROM layout the datasheet's EEPROM
 * map gives for words 0-7): MAC, reserved, hardware ID, checksum, 'WW'. */
static void aprom_from_eeprom(Pcnet *s)
{
    for (unsigned i = 0; i < 8; i++)
        put_le(s->aprom + 2 * i, 2, s->ee.word[i]);
}

static int eeprom_valid(const Pcnet *s)
{
    uint16_t sum = 0;
    for (unsigned i = 0; i < 16; i++)
        if (i != 12 && i != 13)
            sum = (uint16_t)(sum + s->aprom[i]);
    return s->aprom[14] == PCNET_APROM_SIGNATURE && s->aprom[15] == PCNET_APROM_SIGNATURE &&
           get_le(s->aprom + 12, 2) == sum;
}

static void eeprom_load(Pcnet *s)
{
    aprom_from_eeprom(s);
    uint16_t v = s->bcr[PCNET_BCR19] & ~PCNET_BCR19_PVALID;
    if (eeprom_valid(s))
        v |= PCNET_BCR19_PVALID;
    else
        NOTE(s, "EEPROM checksum or 'WW' signature invalid: PVALID clear");
    s->bcr[PCNET_BCR19] = v;
}

void pcnet_reset(Pcnet *s)
{
    s->bm_held = 0;
    memset(s->csr, 0, sizeof s->csr);
    memset(s->bcr, 0, sizeof s->bcr);
    for (unsigned i = 0; i < pcnet_csr_nregs; i++)
        s->csr[pcnet_csr_regs[i].offset] = (uint16_t)pcnet_csr_regs[i].reset;
    for (unsigned i = 0; i < pcnet_bcr_nregs; i++)
        s->bcr[pcnet_bcr_regs[i].offset] = (uint16_t)pcnet_bcr_regs[i].reset;
    pci_device_reset(&s->pci);
    eeprom93c46_set_pins(&s->ee, 0, 0, 0);
    eeprom_load(s);
    for (unsigned i = 0; i < 3; i++)
        s->csr[12 + i] = (uint16_t)get_le(s->aprom + 2 * i, 2);
    pci_device_set8(&s->pci, PCI_MIN_GNT, (uint8_t)s->bcr[PCNET_BCR22]);
    pci_device_set8(&s->pci, PCI_MAX_LAT, (uint8_t)(s->bcr[PCNET_BCR22] >> 8));
    s->noted = 0;
    soft_reset(s);
}

/* ---- CSR access ---- */

static void csr0_write(Pcnet *s, uint16_t v)
{
    uint16_t c0 = s->csr[0];
    /* status bits: write 1 to clear; IENA read/write */
    c0 &= (uint16_t) ~(v & CSR0_W1C);
    c0 = (uint16_t)((c0 & ~PCNET_CSR0_IENA) | (v & PCNET_CSR0_IENA));
    s->csr[0] = c0;
    if (v & PCNET_CSR0_STOP) {
        /* STOP has precedence over INIT, STRT and TDMD; it also clears IENA */
        stop(s);
        update_irq(s);
        return;
    }
    /* INIT and STRT act when written 1 while reading 0 (they stay set
     * until STOP); INIT runs before STRT when both are written */
    int init_failed = 0;
    if ((v & PCNET_CSR0_INIT) && (c0 & PCNET_CSR0_INIT))
        NOTE(s, "INIT written while INIT reads 1: ignored (set STOP first)");
    if ((v & PCNET_CSR0_STRT) && (c0 & PCNET_CSR0_STRT))
        NOTE(s, "STRT written while STRT reads 1: ignored (set STOP first)");
    if ((v & PCNET_CSR0_INIT) && !(c0 & PCNET_CSR0_INIT)) {
        s->csr[0] = (uint16_t)((s->csr[0] & ~PCNET_CSR0_STOP) | PCNET_CSR0_INIT);
        if (hold_for_bus(s, BM_HELD_INIT, "initialization block fetch")) {
            if ((v & PCNET_CSR0_STRT) && !(c0 & PCNET_CSR0_STRT))
                s->bm_held |= BM_HELD_STRT; /* STRT follows the held INIT */
            update_irq(s);
            return;
        }
        init_failed = init_block(s) < 0;
    }
    if ((v & PCNET_CSR0_STRT) && !(c0 & PCNET_CSR0_STRT) && !init_failed) {
        if (s->bm_held & BM_HELD_INIT) {
            s->bm_held |= BM_HELD_STRT;
        } else {
            start(s);
            poll_arm(s);
            s->csr[0] |= PCNET_CSR0_TDMD; /* polling starts at once */
        }
    }
    if (v & PCNET_CSR0_TDMD)
        s->csr[0] |= PCNET_CSR0_TDMD;
    if (s->csr[0] & PCNET_CSR0_TDMD) {
        if (!(s->csr[0] & PCNET_CSR0_TXON) && (v & PCNET_CSR0_TDMD))
            NOTE(s, "TDMD with the transmitter off (TXON = 0): ignored");
        tx_poll(s);
    }
    update_irq(s);
}

static uint16_t csr_read(Pcnet *s, unsigned n)
{
    switch (n) {
    case PCNET_CSR0:
        update_irq(s);
        return s->csr[0];
    case PCNET_CSR16:
        return s->csr[1];
    case PCNET_CSR17:
        return s->csr[2];
    case PCNET_CSR58:
        return s->bcr[PCNET_BCR20];
    }
    return s->csr[n];
}

static void bcr_write(Pcnet *s, unsigned n, uint16_t v);

static void csr_write(Pcnet *s, unsigned n, int row, uint16_t v)
{
    const RegDesc *r = &pcnet_csr_regs[row];
    uint16_t wm = pcnet_csr_wmask[row];
    if (r->access == REG_RO) {
        s->stats.ignored++;
        NOTE(s, "write 0x%04x to read-only %s ignored", v, r->name);
        return;
    }
    if ((pcnet_csr_flags[row] & STOPW) && !stopped(s)) {
        s->stats.ignored++;
        NOTE(s, "write 0x%04x to %s while running (STOP and SPND clear) ignored", v, r->name);
        return;
    }
    switch (n) {
    case PCNET_CSR0:
        csr0_write(s, v);
        return;
    case PCNET_CSR4: {
        uint16_t c4 = s->csr[4];
        c4 &= (uint16_t) ~(v & CSR4_W1C);
        c4 = (uint16_t)((c4 & (CSR4_W1C | ~wm)) | (v & wm & ~CSR4_W1C));
        if (v & PCNET_CSR4_UINTCMD)
            c4 = (uint16_t)((c4 | PCNET_CSR4_UINT) & ~PCNET_CSR4_UINTCMD);
        s->csr[4] = c4;
        poll_arm(s);
        update_irq(s);
        return;
    }
    case PCNET_CSR5: {
        uint16_t c5 = s->csr[5];
        c5 &= (uint16_t) ~(v & CSR5_W1C);
        c5 = (uint16_t)((c5 & CSR5_W1C) | (v & wm & ~CSR5_W1C));
        int resumed = (s->csr[5] & PCNET_CSR5_SPND) && !(c5 & PCNET_CSR5_SPND);
        s->csr[5] = c5;
        update_irq(s);
        if (resumed)
            tx_poll(s); /* leaving suspend: polling resumes */
        return;
    }
    case PCNET_CSR16:
        s->csr[1] = v;
        return;
    case PCNET_CSR17:
        s->csr[2] = v;
        return;
    case PCNET_CSR58:
        bcr_write(s, PCNET_BCR20, v);
        return;
    case PCNET_CSR76:
    case PCNET_CSR78:
        if (v == 0)
            NOTE(s, "%s = 0: ring of length 0 (no ring)", r->name);
        s->csr[n] = v;
        s->csr[n - 4] = v; /* the counter restarts at entry 0 */
        return;
    }
    s->csr[n] = (uint16_t)((s->csr[n] & ~wm) | (v & wm));
    if (n == PCNET_CSR3) {
        if ((v & PCNET_CSR3_BSWP) && !(s->noted & NOTED_BSWP)) {
            s->noted |= NOTED_BSWP;
            NOTE(s, "FIXME: CSR3 BSWP (big-endian byte swap) set: DMA stays little-endian");
        }
        update_irq(s);
    }
}

/* ---- BCR access ---- */

/* LEDOUT (bit 15 of BCR4-7): any enabled status is true. Only the link
 * pass (LNKSTE) and full-duplex link (FDLSE) statuses are ever true. */
static uint16_t led_value(const Pcnet *s, uint16_t v)
{
    int on = 0;
    if ((v & PCNET_LED_LNKSTE) && s->link)
        on = 1;
    if ((v & PCNET_LED_FDLSE) && s->link && (s->bcr[PCNET_BCR9] & PCNET_BCR9_FDEN))
        on = 1;
    return (uint16_t)((v & ~PCNET_LED_LEDOUT) | (on ? PCNET_LED_LEDOUT : 0));
}

static uint16_t bcr_read(Pcnet *s, unsigned n)
{
    uint16_t v = s->bcr[n];
    switch (n) {
    case PCNET_BCR4:
    case PCNET_BCR5:
    case PCNET_BCR6:
    case PCNET_BCR7:
        return led_value(s, v);
    case PCNET_BCR19:
        v = (uint16_t)((v & ~PCNET_BCR19_EDI) | PCNET_BCR19_EEDET);
        if ((v & PCNET_BCR19_EEN) && eeprom93c46_get_do(&s->ee))
            v |= PCNET_BCR19_EDI; /* EDO */
        return v;
    }
    return v;
}

static uint16_t sws_value(unsigned style)
{
    switch (style) {
    case 0:
        return 0x0200; /* LANCE/PCnet-ISA: 16-bit, CSRPCNET */
    case 1:
        return 0x0101; /* ILACC: 32-bit */
    case 2:
        return 0x0302; /* PCnet-PCI: 32-bit, CSRPCNET */
    default:
        return 0x0303; /* PCnet-PCI, reordered descriptors */
    }
}

static void bcr_write(Pcnet *s, unsigned n, uint16_t v)
{
    int row = bcr_row(n);
    if (row < 0) {
        s->stats.unmodelled++;
        NOTE(s, "write 0x%04x to unmodelled BCR%u ignored", v, n);
        return;
    }
    const RegDesc *r = &pcnet_bcr_regs[row];
    uint16_t wm = pcnet_bcr_wmask[row];
    if (r->access == REG_RO) {
        s->stats.ignored++;
        NOTE(s, "write 0x%04x to read-only BCR%u %s ignored", v, n, r->name);
        return;
    }
    if ((pcnet_bcr_flags[row] & STOPW) && !stopped(s)) {
        s->stats.ignored++;
        NOTE(s, "write 0x%04x to BCR%u %s while running ignored", v, n, r->name);
        return;
    }
    switch (n) {
    case PCNET_BCR19: {
        uint16_t keep = s->bcr[n] & (uint16_t)~wm;
        s->bcr[n] = (uint16_t)(keep | (v & wm & ~PCNET_BCR19_PREAD));
        if (v & PCNET_BCR19_PREAD) {
            /* PREAD: read the EEPROM again (APROM; see docs) */
            eeprom_load(s);
            return;
        }
        if (v & PCNET_BCR19_EEN)
            eeprom93c46_set_pins(&s->ee, !!(v & PCNET_BCR19_ECS), !!(v & PCNET_BCR19_ESK),
                                 !!(v & PCNET_BCR19_EDI));
        else
            eeprom93c46_set_pins(&s->ee, 0, 0, 0);
        return;
    }
    case PCNET_BCR20: {
        unsigned style = v & PCNET_BCR20_SWSTYLE;
        if (style > 3) {
            s->stats.ignored++;
            NOTE(s, "SWSTYLE %u is reserved: BCR20 kept at 0x%04x", style, s->bcr[n]);
            return;
        }
        if (style == 1 && !(s->noted & NOTED_ILACC)) {
            s->noted |= NOTED_ILACC;
            NOTE(s, "FIXME: SWSTYLE 1 (ILACC): descriptors handled in the SWSTYLE 2 layout");
        }
        s->bcr[n] = sws_value(style);
        return;
    }
    case PCNET_BCR22:
        s->bcr[n] = v;
        pci_device_set8(&s->pci, PCI_MIN_GNT, (uint8_t)v);
        pci_device_set8(&s->pci, PCI_MAX_LAT, (uint8_t)(v >> 8));
        return;
    }
    s->bcr[n] = (uint16_t)((s->bcr[n] & ~wm) | (v & wm));
}

/* ---- the I/O window ---- */

static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static const RegDesc *io_row(const Pcnet *s, uint32_t off)
{
    unsigned w = pcnet_dwio(s) ? 4 : 2;
    for (unsigned i = 0; i < pcnet_io_nregs; i++)
        if (pcnet_io_regs[i].offset == off && pcnet_io_regs[i].width == w)
            return &pcnet_io_regs[i];
    return NULL;
}

enum { IO_RDP, IO_RAP, IO_RESET, IO_BDP };

static int io_kind(const RegDesc *r)
{
    if (r->offset == PCNET_WIO_RDP)
        return IO_RDP;
    if (r->offset == (r->width == 4 ? PCNET_DWIO_RAP : PCNET_WIO_RAP))
        return IO_RAP;
    if (r->offset == (r->width == 4 ? PCNET_DWIO_RESET : PCNET_WIO_RESET))
        return IO_RESET;
    return IO_BDP;
}

static uint32_t rdp_read(Pcnet *s)
{
    if (csr_row(s->rap) < 0) {
        s->stats.unmodelled++;
        NOTE(s, "read of unmodelled CSR%u: all-ones", s->rap);
        return 0xFFFF;
    }
    return csr_read(s, s->rap);
}

static void rdp_write(Pcnet *s, uint16_t v)
{
    if (s->reset_hung) {
        s->stats.ignored++;
        NOTE(s, "write 0x%04x to CSR%u during the hung S_RESET ignored", v, s->rap);
        return;
    }
    int row = csr_row(s->rap);
    if (row < 0) {
        s->stats.unmodelled++;
        NOTE(s, "write 0x%04x to unmodelled CSR%u ignored", v, s->rap);
        return;
    }
    csr_write(s, s->rap, row, v);
}

static uint32_t bdp_read(Pcnet *s)
{
    if (bcr_row(s->rap) < 0) {
        s->stats.unmodelled++;
        NOTE(s, "read of unmodelled BCR%u: all-ones", s->rap);
        return 0xFFFF;
    }
    return bcr_read(s, s->rap);
}

static uint32_t pcnet_io_read(void *opaque, uint32_t off, unsigned size)
{
    Pcnet *s = opaque;
    if ((size != 1 && size != 2 && size != 4) || off >= PCNET_IO_SIZE ||
        size > PCNET_IO_SIZE - off) {
        s->stats.unmodelled++;
        NOTE(s, "read 0x%x/%u outside the register window: all-ones", off, size);
        return size_mask(size);
    }
    if (off < 16) {
        /* APROM: any size within the 16 bytes, in either mode */
        if (off + size > 16) {
            s->stats.unmodelled++;
            NOTE(s, "read 0x%x/%u crosses the end of the APROM: all-ones", off, size);
            return size_mask(size);
        }
        return get_le(s->aprom + off, size);
    }
    const RegDesc *r = io_row(s, off);
    if (!r || r->width != size) {
        s->stats.unmodelled++;
        NOTE(s, "%u-byte read at 0x%02x in %s mode: no register, all-ones", size, off,
             pcnet_dwio(s) ? "DWIO" : "WIO");
        return size_mask(size);
    }
    if (io_kind(r) == IO_RESET) {
        /* a read of RESET is S_RESET (section "RESET Register") */
        if (!s->reset_hung && (s->armed & ARMED(DEV_COND_RESET_HANG))) {
            hang_reset(s);
            return 0;
        }
        NOTE(s, "RESET read: S_RESET%s", s->reset_hung ? " (the hung one is over)" : "");
        soft_reset(s);
        return 0;
    }
    switch (io_kind(r)) {
    case IO_RDP:
        return rdp_read(s);
    case IO_RAP:
        return s->rap;
    default:
        return bdp_read(s);
    }
}

static void pcnet_io_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    Pcnet *s = opaque;
    if ((size != 1 && size != 2 && size != 4) || off >= PCNET_IO_SIZE ||
        size > PCNET_IO_SIZE - off) {
        s->stats.unmodelled++;
        NOTE(s, "write 0x%x to 0x%x/%u outside the register window ignored", v, off, size);
        return;
    }
    v &= size_mask(size);
    if (off < 16) {
        /* APROM writes need BCR2 APROMWE */
        if (off + size > 16 || !(s->bcr[PCNET_BCR2] & PCNET_BCR2_APROMWE)) {
            s->stats.ignored++;
            NOTE(s, "write 0x%x to APROM 0x%x/%u ignored (APROMWE clear)", v, off, size);
            return;
        }
        put_le(s->aprom + off, size, v);
        return;
    }
    if (!pcnet_dwio(s) && size == 4 && off == PCNET_DWIO_RDP) {
        /* section "I/O Resources": a double word write to RDP enters
         * DWIO mode; only H_RESET leaves it */
        s->bcr[PCNET_BCR18] |= PCNET_BCR18_DWIO;
        NOTE(s, "32-bit write to RDP: double word I/O mode (data 0x%08x not written)", v);
        return;
    }
    const RegDesc *r = io_row(s, off);
    if (!r || r->width != size) {
        s->stats.unmodelled++;
        NOTE(s, "%u-byte write 0x%x at 0x%02x in %s mode: no register, ignored", size, v, off,
             pcnet_dwio(s) ? "DWIO" : "WIO");
        return;
    }
    if (io_kind(r) == IO_RESET) {
        s->stats.ignored++;
        NOTE(s, "write to RESET ignored (only a read resets)");
        return;
    }
    if (size == 4 && (v >> 16))
        NOTE(s, "DWIO write 0x%08x: bits 31-16 are reserved, ignored", v);
    switch (io_kind(r)) {
    case IO_RDP:
        rdp_write(s, (uint16_t)v);
        break;
    case IO_RAP:
        s->rap = (uint8_t)v; /* RAP bits 7-0; the rest reserved */
        break;
    default:
        bcr_write(s, s->rap, (uint16_t)v);
        break;
    }
}

/* Register names by number for RAP values without a named row (the
 * Am79C970A has CSR0-CSR127 and BCR0-BCR31 address space). */
static const char *const pcnet_csr_numbered[CSR_MAX] = {
    "CSR0",   "CSR1",   "CSR2",   "CSR3",   "CSR4",   "CSR5",   "CSR6",   "CSR7",   "CSR8",
    "CSR9",   "CSR10",  "CSR11",  "CSR12",  "CSR13",  "CSR14",  "CSR15",  "CSR16",  "CSR17",
    "CSR18",  "CSR19",  "CSR20",  "CSR21",  "CSR22",  "CSR23",  "CSR24",  "CSR25",  "CSR26",
    "CSR27",  "CSR28",  "CSR29",  "CSR30",  "CSR31",  "CSR32",  "CSR33",  "CSR34",  "CSR35",
    "CSR36",  "CSR37",  "CSR38",  "CSR39",  "CSR40",  "CSR41",  "CSR42",  "CSR43",  "CSR44",
    "CSR45",  "CSR46",  "CSR47",  "CSR48",  "CSR49",  "CSR50",  "CSR51",  "CSR52",  "CSR53",
    "CSR54",  "CSR55",  "CSR56",  "CSR57",  "CSR58",  "CSR59",  "CSR60",  "CSR61",  "CSR62",
    "CSR63",  "CSR64",  "CSR65",  "CSR66",  "CSR67",  "CSR68",  "CSR69",  "CSR70",  "CSR71",
    "CSR72",  "CSR73",  "CSR74",  "CSR75",  "CSR76",  "CSR77",  "CSR78",  "CSR79",  "CSR80",
    "CSR81",  "CSR82",  "CSR83",  "CSR84",  "CSR85",  "CSR86",  "CSR87",  "CSR88",  "CSR89",
    "CSR90",  "CSR91",  "CSR92",  "CSR93",  "CSR94",  "CSR95",  "CSR96",  "CSR97",  "CSR98",
    "CSR99",  "CSR100", "CSR101", "CSR102", "CSR103", "CSR104", "CSR105", "CSR106", "CSR107",
    "CSR108", "CSR109", "CSR110", "CSR111", "CSR112", "CSR113", "CSR114", "CSR115", "CSR116",
    "CSR117", "CSR118", "CSR119", "CSR120", "CSR121", "CSR122", "CSR123", "CSR124", "CSR125",
    "CSR126", "CSR127"};
static const char *const pcnet_bcr_numbered[BCR_MAX] = {
    "BCR0",  "BCR1",  "BCR2",  "BCR3",  "BCR4",  "BCR5",  "BCR6",  "BCR7",
    "BCR8",  "BCR9",  "BCR10", "BCR11", "BCR12", "BCR13", "BCR14", "BCR15",
    "BCR16", "BCR17", "BCR18", "BCR19", "BCR20", "BCR21", "BCR22", "BCR23",
    "BCR24", "BCR25", "BCR26", "BCR27", "BCR28", "BCR29", "BCR30", "BCR31"};

static const char *csr_name(unsigned n)
{
    int row = csr_row(n);
    if (row >= 0)
        return pcnet_csr_regs[row].name;
    return n < CSR_MAX ? pcnet_csr_numbered[n] : NULL;
}

static const char *bcr_name(unsigned n)
{
    int row = bcr_row(n);
    if (row >= 0)
        return pcnet_bcr_regs[row].name;
    return n < BCR_MAX ? pcnet_bcr_numbered[n] : NULL;
}

/* DevIoOps.reg_name: APROM bytes by offset; RAP and RESET by the I/O map
 * of the current mode (WIO or DWIO); an RDP access is named after the CSR
 * and a BDP access after the BCR that RAP selects now. A dword write to
 * RDP in WIO mode is the switch to DWIO ("RDP"). No side effects. */
static const char *pcnet_io_reg_name(void *opaque, uint32_t off, unsigned size, int write)
{
    const Pcnet *s = opaque;
    if (size == 0 || off >= PCNET_IO_SIZE || size > PCNET_IO_SIZE - off)
        return NULL;
    if (off < 16) {
        const RegDesc *r = reg_find(pcnet_io_regs, pcnet_io_nregs, off, 1);
        return r ? r->name : NULL;
    }
    if (write && size == 4 && off == PCNET_DWIO_RDP && !pcnet_dwio(s))
        return "RDP";
    const RegDesc *r = io_row(s, off);
    if (!r || r->width != size)
        return NULL;
    switch (io_kind(r)) {
    case IO_RDP:
        return csr_name(s->rap);
    case IO_BDP:
        return bcr_name(s->rap);
    default:
        return r->name;
    }
}

const DevIoOps pcnet_io_ops = {
    .read = pcnet_io_read,
    .write = pcnet_io_write,
    .reg_name = pcnet_io_reg_name,
};

/* ---- injected conditions ---- */

int pcnet_inject(Pcnet *s, DevCondition c)
{
    switch (c) {
    case DEV_COND_TX_ERROR:    /* TMD2.RTRY */
    case DEV_COND_TX_UNDERRUN: /* TMD2.UFLO, TXON off without DXSUFLO */
        s->armed |= ARMED(c);
        NOTE(s, "condition %u armed for the next transmitted frame", (unsigned)c);
        return 0;
    case DEV_COND_RX_CRC_ERROR: /* RMD1.ERR|CRC in the ENP descriptor, RINT */
        s->armed |= ARMED(c);
        NOTE(s, "condition %u armed for the next received frame", (unsigned)c);
        return 0;
    case DEV_COND_RESET_HANG: /* CSR0 never reads STOP after S_RESET, no IDON */
        s->armed |= ARMED(c);
        NOTE(s, "reset hang armed for the next read of RESET");
        return 0;
    }
    return -1;
}

/* ---- link, accessors ---- */

void pcnet_set_link(Pcnet *s, int up)
{
    up = !!up;
    if (up == s->link)
        return;
    s->link = up;
    NOTE(s, "link %s", up ? "pass" : "fail");
}

int pcnet_link(const Pcnet *s)
{
    return s->link;
}

int pcnet_irq_level(const Pcnet *s)
{
    return s->irq_level;
}

int pcnet_dwio(const Pcnet *s)
{
    return !!(s->bcr[PCNET_BCR18] & PCNET_BCR18_DWIO);
}

PciDevice *pcnet_pci(Pcnet *s)
{
    return &s->pci;
}

Eeprom93c46 *pcnet_eeprom(Pcnet *s)
{
    return &s->ee;
}

const PcnetStats *pcnet_stats(const Pcnet *s)
{
    return &s->stats;
}

/* ---- creation ---- */

/* Bus Master Enable set: the held initialization, start and transmit poll
 * run now, in the order the driver asked for them. */
static void pcnet_pci_changed(void *opaque, PciDevice *d, unsigned changed)
{
    Pcnet *s = opaque;
    if (!(changed & PCI_CHANGED_COMMAND) || !bus_master(s) || !s->bm_held)
        return;
    unsigned held = s->bm_held;
    s->bm_held = 0;
    if (held & BM_HELD_INIT) {
        NOTE(s, "bus mastering enabled: the held initialization block fetch runs");
        if (init_block(s) < 0) {
            update_irq(s);
            return;
        }
        if (held & BM_HELD_STRT) {
            start(s);
            poll_arm(s);
            s->csr[0] |= PCNET_CSR0_TDMD;
        }
    }
    if ((held & BM_HELD_TX) || (s->csr[0] & PCNET_CSR0_TDMD))
        tx_poll(s);
    update_irq(s);
}

Pcnet *pcnet_new(const DevDma *dma, const DevIrq *irq, DevClock *clock, const NetPort *port,
                 const uint8_t mac[6])
{
    Pcnet *s = calloc(1, sizeof *s);
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
    dev_timer_init(&s->poll_timer, poll_fire, s);

    /* PCI configuration space (section "PCI Configuration Registers"):
     * 1022:2000 rev 1xh, network/Ethernet, BAR0 I/O and BAR1 memory of
     * 32 bytes, INTA#, fast back-to-back capable, DEVSEL medium;
     * subsystem vendor and subsystem ID 0 (same section; QEMU's pcnet-pci,
     * written to this datasheet, presents 0 as well) */
    PciId id = {
        .vendor = PCNET_VENDOR_ID,
        .device = PCNET_DEVICE_ID,
        .revision = PCNET_REVISION,
        .class_code = PCNET_CLASS,
        .interrupt_pin = 1,
        .min_gnt = 0x06,
        .max_lat = 0xFF,
        .status = PCI_STATUS_FAST_BACK | PCI_STATUS_DEVSEL_MEDIUM,
    };
    pci_device_init(&s->pci, "pcnet", &id);
    pci_device_set_callback(&s->pci, pcnet_pci_changed, s);
    if (pci_device_set_bar(&s->pci, 0, PCNET_IO_SIZE, PCI_BAR_IO) < 0 ||
        pci_device_set_bar(&s->pci, 1, PCNET_IO_SIZE, PCI_BAR_MEM32) < 0)
        abort(); /* constant arguments: an internal invariant */

    /* EEPROM words 0-7: the APROM image (MAC, 0, hardware ID 11h in
     * byte 9, checksum, 'WW'); the rest unprogrammed (0) */
    uint8_t ap[16] = {0};
    memcpy(ap, mac, 6);
    ap[9] = PCNET_APROM_HWID;
    ap[14] = ap[15] = PCNET_APROM_SIGNATURE;
    uint16_t sum = 0;
    for (unsigned i = 0; i < 16; i++)
        sum = (uint16_t)(sum + ap[i]);
    put_le(ap + 12, 2, sum);
    uint16_t ee[EEPROM93C46_WORDS] = {0};
    for (unsigned i = 0; i < 8; i++)
        ee[i] = (uint16_t)get_le(ap + 2 * i, 2);
    eeprom93c46_init(&s->ee, ee);

    pcnet_reset(s);
    return s;
}

void pcnet_free(Pcnet *s)
{
    if (!s)
        return;
    if (s->clock)
        dev_timer_cancel(s->clock, &s->poll_timer);
    free(s);
}

/* ---- board identity ---- */

/* The model keeps the identity in the configuration header (its EEPROM
 * auto-load fills only the APROM); PCI RST# keeps identity fields. */
int pcnet_set_identity(Pcnet *s, const PciIdentity *id)
{
    return pci_device_set_identity(&s->pci, id);
}

/* Boards presenting the PCnet-PCI ID 1022:2000, which the Am79C970A shares
 * with its PCnet-FAST successors (CSR88/89 tell them apart): subsystems and
 * names from the PCI ID Repository (pci.ids, Debian package pci.ids
 * 0.0~2023.04.11); 1023:2000 from Linux pcnet32's pcnet32_pci_tbl (IBM
 * RS/6000 and pSeries adapters with a wrong vendor ID). */
const PciBoard pcnet_boards[] = {
    {0x1022, 0x2000, 0, 0, "AMD PCnet-PCI II (Am79C970A)"},
    {0x1022, 0x2000, 0x1022, 0x2000, "AMD PCnet-FAST 79C971"},
    {0x1022, 0x2000, 0x1014, 0x2000, "IBM NetFinity 10/100 Fast Ethernet"},
    {0x1022, 0x2000, 0x1113, 0x1220, "Accton EN1220 10/100"},
    {0x1022, 0x2000, 0x1259, 0x2450, "Allied Telesis AT-2450 10/100"},
    {0x1022, 0x2000, 0x1259, 0x2454, "Allied Telesis AT-2450v4 10Mb"},
    {0x1022, 0x2000, 0x1259, 0x2700, "Allied Telesis AT-2700TX 10/100"},
    {0x1022, 0x2000, 0x1259, 0x2701, "Allied Telesis AT-2700FX 100Mb"},
    {0x1022, 0x2000, 0x1259, 0x2702, "Allied Telesis AT-2700FTX fiber/copper"},
    {0x1022, 0x2000, 0x1259, 0x2703, "Allied Telesis AT-2701FX"},
    {0x1022, 0x2000, 0x1259, 0x2704, "Allied Telesis AT-2701FTX fiber/copper"},
    {0x1022, 0x2000, 0x103C, 0x104C, "HP Ethernet with LAN remote power"},
    {0x1023, 0x2000, 0, 0, "IBM RS/6000 / pSeries PCnet adapter (wrong vendor ID)"},
};
const unsigned pcnet_nboards = sizeof pcnet_boards / sizeof pcnet_boards[0];
