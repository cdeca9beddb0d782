/* NE2000: a National Semiconductor DP8390D network interface controller
 * (DP8390D/NS32490D datasheet, July 1995: the three register pages, the
 * receive buffer ring, remote DMA, loopback, tally counters) on a card
 * with 16 KB of buffer memory at 4000h-7FFFh, the station address PROM at
 * 0000h, the data port (10h-17h) and the reset port (18h-1Fh) in a 32-byte
 * I/O window. Two modes: the Realtek RTL8029AS PCI function (10EC:8029,
 * RTL8029AS datasheet: its ID registers on page 0 and its configuration
 * page 3) or a plain ISA NE2000 at a jumpered port and IRQ. All data moves
 * by programmed I/O. docs/devices/ne2000.md says what is modelled and
 * which datasheet section each behaviour follows. */
#ifndef XDRV_DEV_NE2000_H
#define XDRV_DEV_NE2000_H

#include <stddef.h>
#include <stdint.h>

#include "dev/bus.h"
#include "dev/dev.h"
#include "dev/pci.h"
#include "dev/regs.h"

typedef struct Ne2000 Ne2000;

typedef enum Ne2000Mode {
    NE2000_PCI, /* RTL8029AS: PCI function, 8029 ID registers, page 3 */
    NE2000_ISA, /* plain DP8390 NE2000, no PCI function */
} Ne2000Mode;

#define NE2000_VENDOR_ID 0x10EC
#define NE2000_DEVICE_ID 0x8029
#define NE2000_REVISION 0x00
#define NE2000_CLASS 0x020000 /* network controller, Ethernet */
#define NE2000_IO_SIZE 32u    /* BAR0 (I/O), or the ISA window */
#define NE2000_ISA_DEFAULT_PORT 0x300u
#define NE2000_ISA_DEFAULT_IRQ 3u

/* The card's local address space as the remote DMA sees it. */
#define NE2000_PROM_SIZE 32u     /* RTL8029AS section 6.2.2 "ID PROM Contents" */
#define NE2000_MEM_START 0x4000u /* 16 KB of packet buffer: pages 40h-7Fh */
#define NE2000_MEM_SIZE 0x4000u
#define NE2000_PAGE_SIZE 256u

/* I/O window offsets. 00h-0Fh: DP8390 registers of the page CR.PS selects,
 * names as in the DP8390D register address table (section 10); one name
 * per view where the read and write registers differ. */
enum {
    NE_CR = 0x00, /* every page */
    /* page 0: read view / write view */
    NE_CLDA0 = 0x01,
    NE_PSTART = 0x01,
    NE_CLDA1 = 0x02,
    NE_PSTOP = 0x02,
    NE_BNRY = 0x03,
    NE_TSR = 0x04,
    NE_TPSR = 0x04,
    NE_NCR = 0x05,
    NE_TBCR0 = 0x05,
    NE_FIFO = 0x06,
    NE_TBCR1 = 0x06,
    NE_ISR = 0x07,
    NE_CRDA0 = 0x08,
    NE_RSAR0 = 0x08,
    NE_CRDA1 = 0x09,
    NE_RSAR1 = 0x09,
    NE_8029ID0 = 0x0A, /* 8029ID0/1: RTL8029AS only */
    NE_RBCR0 = 0x0A,
    NE_8029ID1 = 0x0B,
    NE_RBCR1 = 0x0B,
    NE_RSR = 0x0C,
    NE_RCR = 0x0C,
    NE_CNTR0 = 0x0D,
    NE_TCR = 0x0D,
    NE_CNTR1 = 0x0E,
    NE_DCR = 0x0E,
    NE_CNTR2 = 0x0F,
    NE_IMR = 0x0F,
    /* page 1 (read/write) */
    NE_PAR0 = 0x01, /* PAR0-5 */
    NE_CURR = 0x07,
    NE_MAR0 = 0x08, /* MAR0-7 */
    /* page 2 (diagnostic): reads PSTART, PSTOP, TPSR, RCR, TCR, DCR, IMR
     * at their page-0 offsets; writes CLDA0/1 at 01h/02h */
    NE_RNPP = 0x03, /* Remote Next Packet Pointer */
    NE_LNPP = 0x05, /* Local Next Packet Pointer */
    NE_ACU = 0x06,  /* Address Counter (Upper) */
    NE_ACL = 0x07,  /* Address Counter (Lower) */
    /* page 3: RTL8029AS configuration registers */
    NE_9346CR = 0x01,
    NE_CONFIG0 = 0x03,
    NE_CONFIG2 = 0x05,
    NE_CONFIG3 = 0x06,
    NE_HLTCLK = 0x09,
    NE_8029ASID0 = 0x0E,
    NE_8029ASID1 = 0x0F,
    /* the card's ports (every page) */
    NE_DATA = 0x10,  /* remote DMA data port, 10h-17h */
    NE_RESET = 0x18, /* reset port, 18h-1Fh (drivers use 1Fh) */
};

/* Register-table keys: a paged register is found by page, direction and
 * offset; CR, the data port and the reset port by their offset alone. */
#define NE2000_KEY_READ(page, off) (0x1000u | (unsigned)(page) << 8 | (unsigned)(off))
#define NE2000_KEY_WRITE(page, off) (0x2000u | (unsigned)(page) << 8 | (unsigned)(off))

/* CR (DP8390D section 10, Command Register) */
#define NE_CR_STP 0x01u
#define NE_CR_STA 0x02u
#define NE_CR_TXP 0x04u
#define NE_CR_RD 0x38u
#define NE_CR_RD_READ 0x08u  /* 001 remote read */
#define NE_CR_RD_WRITE 0x10u /* 010 remote write */
#define NE_CR_RD_SEND 0x18u  /* 011 send packet */
#define NE_CR_RD_ABORT 0x20u /* 1xx abort/complete remote DMA */
#define NE_CR_PS 0xC0u
#define NE_CR_PAGE(n) ((unsigned)(n) << 6)

/* ISR / IMR (Interrupt Status / Mask Registers) */
#define NE_ISR_PRX 0x01u
#define NE_ISR_PTX 0x02u
#define NE_ISR_RXE 0x04u
#define NE_ISR_TXE 0x08u
#define NE_ISR_OVW 0x10u
#define NE_ISR_CNT 0x20u
#define NE_ISR_RDC 0x40u
#define NE_ISR_RST 0x80u /* status only: not cleared by writes, never interrupts */

/* DCR (Data Configuration Register) */
#define NE_DCR_WTS 0x01u
#define NE_DCR_BOS 0x02u
#define NE_DCR_LAS 0x04u
#define NE_DCR_LS 0x08u
#define NE_DCR_AR 0x10u
#define NE_DCR_FT 0x60u

/* TCR (Transmit Configuration Register) */
#define NE_TCR_CRC 0x01u /* 1 = inhibit CRC generation */
#define NE_TCR_LB 0x06u
#define NE_TCR_LB_INTERNAL 0x02u /* mode 1: NIC internal loopback */
#define NE_TCR_LB_ENDEC 0x04u    /* mode 2: loopback through the ENDEC */
#define NE_TCR_LB_EXTERNAL 0x06u /* mode 3: through the transceiver, onto the cable */
#define NE_TCR_ATD 0x08u
#define NE_TCR_OFST 0x10u

/* TSR (Transmit Status Register) */
#define NE_TSR_PTX 0x01u
#define NE_TSR_ND 0x02u /* transmitted without deferring */
#define NE_TSR_COL 0x04u
#define NE_TSR_ABT 0x08u
#define NE_TSR_CRS 0x10u
#define NE_TSR_FU 0x20u
#define NE_TSR_CDH 0x40u
#define NE_TSR_OWC 0x80u

/* RCR (Receive Configuration Register) */
#define NE_RCR_SEP 0x01u
#define NE_RCR_AR 0x02u
#define NE_RCR_AB 0x04u
#define NE_RCR_AM 0x08u
#define NE_RCR_PRO 0x10u
#define NE_RCR_MON 0x20u

/* RSR (Receive Status Register; also byte 0 of each ring packet header) */
#define NE_RSR_PRX 0x01u
#define NE_RSR_CRC 0x02u
#define NE_RSR_FAE 0x04u
#define NE_RSR_FO 0x08u
#define NE_RSR_MPA 0x10u
#define NE_RSR_PHY 0x20u /* 1 = multicast or broadcast destination */
#define NE_RSR_DIS 0x40u
#define NE_RSR_DFR 0x80u

/* RTL8029AS page 3 */
#define NE_9346CR_EEDO 0x01u
#define NE_9346CR_EEDI 0x02u
#define NE_9346CR_EESK 0x04u
#define NE_9346CR_EECS 0x08u
#define NE_9346CR_EEM 0xC0u
#define NE_9346CR_EEM_AUTOLOAD 0x40u
#define NE_9346CR_EEM_PROGRAM 0x80u
#define NE_9346CR_EEM_CONFIG 0xC0u
#define NE_CONFIG3_PWRDN 0x02u
#define NE_CONFIG3_SLEEP 0x04u
#define NE_CONFIG3_FUDUP 0x40u
#define NE_HLTCLK_RUN 0x52u  /* 'R' */
#define NE_HLTCLK_HALT 0x48u /* 'H' */

extern const RegDesc ne2000_regs[];
extern const unsigned ne2000_nregs;
/* The row for an access at `offset` of the window with CR.PS = page, or
 * NULL (reserved). Rows marked RTL8029AS-only are returned in both modes. */
const RegDesc *ne2000_reg(unsigned page, int write, uint32_t offset);

/* Offsets within the 32-byte window, sizes 1, 2 and 4. */
extern const DevIoOps ne2000_io_ops;

/* Power-on state, stopped (CR = 21h). The DevDma is kept for a consistent
 * signature and never used (all data moves through the data port). In ISA
 * mode the DevIrq line should be the jumpered IRQ. clock and port may be
 * NULL. */
Ne2000 *ne2000_new(const DevDma *dma, const DevIrq *irq, DevClock *clock, const NetPort *port,
                   const uint8_t mac[6], Ne2000Mode mode);
void ne2000_free(Ne2000 *s);

Ne2000Mode ne2000_mode(const Ne2000 *s);
/* The PCI function in PCI mode; NULL in ISA mode. */
PciDevice *ne2000_pci(Ne2000 *s);
/* ISA resources, as the driver reads them from its configuration
 * parameters (IoBaseAddress, InterruptNumber): -1 in PCI mode or when the
 * port is not 32-byte aligned below 10000h or the IRQ is outside 2-15. */
int ne2000_set_isa_resources(Ne2000 *s, uint32_t io_base, unsigned irq);
uint32_t ne2000_isa_io_base(const Ne2000 *s); /* 0 in PCI mode */
unsigned ne2000_isa_irq(const Ne2000 *s);     /* 0 in PCI mode */

/* PCI mode: present a board's vendor, device, subsystem and revision IDs in
 * the configuration header (the model has no serial EEPROM to keep them
 * in; a reset keeps them as PCI RST# keeps identity fields). -1 in ISA
 * mode or for vendor FFFFh. */
int ne2000_set_identity(Ne2000 *s, const PciIdentity *id);

/* PCI boards built on the RTL8029AS and on the NE2000-compatible PCI chips
 * that drivers treat alike (vendor:device[:subsystem], name). */
extern const PciBoard ne2000_boards[];
extern const unsigned ne2000_nboards;

/* Power-on reset (PCI RST# / ISA RESET DRV): every register to its table
 * value, buffer memory cleared, PCI header reset. */
void ne2000_reset(Ne2000 *s);

/* What became of a frame from the cable. */
typedef enum Ne2000RxResult {
    NE2000_RX_STORED,    /* in the ring at CURR, PRX (RXE for a saved error frame) */
    NE2000_RX_LINK_DOWN, /* no cable */
    NE2000_RX_STOPPED,   /* CR.STP: the NIC is offline */
    NE2000_RX_LOOPBACK,  /* TCR.LB != 0: the receiver listens to the transmitter only */
    NE2000_RX_FILTERED,  /* rejected by the RCR accept rules or too short/long */
    NE2000_RX_MONITOR,   /* RCR.MON: checked and counted (CNTR2), not stored */
    NE2000_RX_OVERFLOW,  /* would link into the BNRY page: OVW, receiver blocked */
    NE2000_RX_MISSED,    /* receiver blocked since an overflow (until CR.STP) */
    NE2000_RX_BAD_RING,  /* PSTART >= PSTOP: no ring to store into */
} Ne2000RxResult;

/* Error flags for ne2000_receive_bad (RSR bits). */
#define NE2000_RXERR_CRC NE_RSR_CRC
#define NE2000_RXERR_FAE NE_RSR_FAE

/* A frame (without FCS) arrives on the cable; the NIC stores it with the
 * 4-byte CRC it computes. */
Ne2000RxResult ne2000_receive(Ne2000 *s, const uint8_t *frame, size_t len);
/* The same with receive errors (fault injection): counted in CNTR0/CNTR1,
 * stored only with RCR.SEP. */
Ne2000RxResult ne2000_receive_bad(Ne2000 *s, const uint8_t *frame, size_t len, unsigned errors);

/* Cable plugged/unplugged. The DP8390 has no link register and raises no
 * interrupt: while down nothing is received and transmissions report CRS. */
void ne2000_set_link(Ne2000 *s, int up);
int ne2000_link(const Ne2000 *s);
/* Level of the interrupt line: (ISR & IMR & 7Fh) != 0. */
int ne2000_irq_level(const Ne2000 *s);

/* Arm a device-side condition for the next packet sent to the cable (link
 * up, TCR loopback off): DEV_COND_TX_ERROR aborts it after
 * excessive collisions (TSR.ABT|COL, NCR 0), DEV_COND_TX_UNDERRUN after a
 * FIFO underrun (TSR.FU); both raise ISR.TXE instead of PTX and the packet
 * is not delivered. DEV_COND_RX_CRC_ERROR gives the next packet received
 * from the cable (link up, started, TCR loopback off) a bad FCS: if it
 * passes address recognition, RSR.CRC, CNTR1 + 1 (ISR.CNT at 128) and
 * ISR.RXE; stored (status CRC, not PRX) only with RCR.SEP.
 * DEV_COND_RESET_HANG hangs the next reset through the reset port: the NIC
 * stops (CR.STP) but never enters reset mode, so ISR.RST reads 0 and STA
 * is ignored, until the next reset-port access that starts a new reset (a
 * read, or a write not releasing the hung reset's read). 0 when armed, -1
 * for an unknown condition. Arming survives resets; each condition fires
 * once. */
int ne2000_inject(Ne2000 *s, DevCondition c);

/* Statistics for reports and tests. */
typedef struct Ne2000Stats {
    uint64_t rx_stored, rx_filtered, rx_overflow, rx_missed, rx_monitor;
    uint64_t rx_stopped, rx_link_down, rx_loopback, rx_bad_ring;
    uint64_t tx_sent, tx_looped, tx_link_down, tx_ignored;
    uint64_t tx_errors;     /* packets aborted by an injected condition */
    uint64_t rx_crc_errors; /* packets given a bad FCS by an injected condition */
    uint64_t reset_hangs;   /* reset port resets hung by an injected condition */
    uint64_t dma_bytes;     /* bytes moved through the data port */
    uint64_t unmodelled;    /* accesses to reserved/unmodelled registers */
    uint64_t ignored;       /* writes to read-only registers, stray data port accesses */
} Ne2000Stats;
const Ne2000Stats *ne2000_stats(const Ne2000 *s);

/* The multicast filter bit (0-63: MAR[bit/8] bit bit%8) for a destination
 * address: the 6 most significant bits of the CRC the NIC computes over it
 * (DP8390D section 10, "Multicast Address Registers"); and the Ethernet
 * FCS (IEEE 802.3 clause 3.2.9) the NIC stores after each received frame. */
unsigned ne2000_mc_hash_bit(const uint8_t addr[6]);
uint32_t ne2000_fcs(const uint8_t *data, size_t len);

#endif
