/* Realtek RTL8139C(L) 10/100 Ethernet controller: the operational
 * registers (RTL8139C(L) datasheet rev 1.4, section 6 "Operational
 * Registers"; EEPROM contents in section 5), receive into
 * the driver's ring buffer, four transmit descriptors, the 93C46 EEPROM
 * behind 9346CR, the PHY registers, TCTR/TimerInt on virtual time, and the
 * PCI function (10EC:8139 rev 10h). docs/devices/rtl8139.md says what is
 * modelled and which datasheet section each behaviour follows. */
#ifndef XDRV_DEV_RTL8139_H
#define XDRV_DEV_RTL8139_H

#include <stddef.h>
#include <stdint.h>

#include "dev/bus.h"
#include "dev/dev.h"
#include "dev/eeprom93c46.h"
#include "dev/pci.h"
#include "dev/regs.h"

typedef struct Rtl8139 Rtl8139;

#define RTL8139_VENDOR_ID 0x10EC
#define RTL8139_DEVICE_ID 0x8139
#define RTL8139_REVISION 0x10          /* RTL8139C: PCI revision ID and RERID */
#define RTL8139_CLASS 0x020000         /* network controller, Ethernet */
#define RTL8139_IO_SIZE 256u           /* BAR0 (I/O) and BAR1 (memory) */
#define RTL8139_PCI_CLOCK_HZ 33000000u /* TCTR counts PCI clocks */
#define RTL8139_TX_MAX 1792u           /* TSD SIZE limit (section 6.2) */

/* Operational register offsets (datasheet section 6 table), names as there. */
enum {
    RTL_IDR0 = 0x00,  /* IDR0-5, 1 byte each */
    RTL_MAR0 = 0x08,  /* MAR0-7, 1 byte each */
    RTL_TSD0 = 0x10,  /* TSD0-3, 4 bytes each */
    RTL_TSAD0 = 0x20, /* TSAD0-3, 4 bytes each */
    RTL_RBSTART = 0x30,
    RTL_ERBCR = 0x34,
    RTL_ERSR = 0x36,
    RTL_CR = 0x37,
    RTL_CAPR = 0x38,
    RTL_CBR = 0x3A,
    RTL_IMR = 0x3C,
    RTL_ISR = 0x3E,
    RTL_TCR = 0x40,
    RTL_RCR = 0x44,
    RTL_TCTR = 0x48,
    RTL_MPC = 0x4C,
    RTL_9346CR = 0x50,
    RTL_CONFIG0 = 0x51,
    RTL_CONFIG1 = 0x52,
    RTL_TIMERINT = 0x54,
    RTL_MSR = 0x58,
    RTL_CONFIG3 = 0x59,
    RTL_CONFIG4 = 0x5A,
    RTL_MULINT = 0x5C,
    RTL_RERID = 0x5E,
    RTL_TSAD = 0x60, /* Transmit Status of All Descriptors */
    RTL_BMCR = 0x62,
    RTL_BMSR = 0x64,
    RTL_ANAR = 0x66,
    RTL_ANLPAR = 0x68,
    RTL_ANER = 0x6A,
    RTL_DIS = 0x6C,
    RTL_FCSC = 0x6E,
    RTL_NWAYTR = 0x70,
    RTL_REC = 0x72,
    RTL_CSCR = 0x74,
    RTL_PHY1_PARM = 0x78,
    RTL_TW_PARM = 0x7C,
    RTL_PHY2_PARM = 0x80,
    RTL_CRC0 = 0x84,    /* CRC0-7, 1 byte each: power-management wakeup frame CRCs */
    RTL_WAKEUP0 = 0x8C, /* Wakeup0-7, 8 bytes each */
    RTL_LSBCRC0 = 0xCC, /* LSBCRC0-7, 1 byte each */
    RTL_CONFIG5 = 0xD8,
};
#define RTL_TSD(n) (RTL_TSD0 + 4 * (n))
#define RTL_TSAD_N(n) (RTL_TSAD0 + 4 * (n))

/* TSD bits (section 6.2) */
#define RTL_TSD_SIZE 0x00001FFFu
#define RTL_TSD_OWN 0x00002000u
#define RTL_TSD_TUN 0x00004000u
#define RTL_TSD_TOK 0x00008000u
#define RTL_TSD_ERTXTH 0x003F0000u
#define RTL_TSD_NCC 0x0F000000u
#define RTL_TSD_CDH 0x10000000u
#define RTL_TSD_OWC 0x20000000u
#define RTL_TSD_TABT 0x40000000u
#define RTL_TSD_CRS 0x80000000u

/* CR bits (section 6.4) */
#define RTL_CR_BUFE 0x01u
#define RTL_CR_TE 0x04u
#define RTL_CR_RE 0x08u
#define RTL_CR_RST 0x10u

/* IMR/ISR bits (sections 6.5, 6.6) */
#define RTL_INT_ROK 0x0001u
#define RTL_INT_RER 0x0002u
#define RTL_INT_TOK 0x0004u
#define RTL_INT_TER 0x0008u
#define RTL_INT_RXOVW 0x0010u
#define RTL_INT_PUN_LINKCHG 0x0020u
#define RTL_INT_FOVW 0x0040u
#define RTL_INT_LENCHG 0x2000u
#define RTL_INT_TIMEOUT 0x4000u
#define RTL_INT_SERR 0x8000u
#define RTL_INT_ALL 0xE07Fu

/* TCR bits (section 6.7) */
#define RTL_TCR_CLRABT 0x00000001u
#define RTL_TCR_TXRR 0x000000F0u
#define RTL_TCR_MXDMA 0x00000700u
#define RTL_TCR_CRC 0x00010000u /* 1 = do NOT append CRC */
#define RTL_TCR_LBK 0x00060000u
#define RTL_TCR_LBK_LOOPBACK 0x00060000u
#define RTL_TCR_IFG 0x03000000u
#define RTL_TCR_HWVERID 0x7CC00000u
#define RTL_TCR_HWVERID_8139C 0x74000000u /* HWVERID_A 11101, HWVERID_B 00 */

/* RCR bits (section 6.8) */
#define RTL_RCR_AAP 0x00000001u
#define RTL_RCR_APM 0x00000002u
#define RTL_RCR_AM 0x00000004u
#define RTL_RCR_AB 0x00000008u
#define RTL_RCR_AR 0x00000010u
#define RTL_RCR_AER 0x00000020u
#define RTL_RCR_9356SEL 0x00000040u
#define RTL_RCR_WRAP 0x00000080u
#define RTL_RCR_MXDMA 0x00000700u
#define RTL_RCR_RBLEN_SHIFT 11
#define RTL_RCR_RBLEN 0x00001800u
#define RTL_RCR_RXFTH 0x0000E000u
#define RTL_RCR_RER8 0x00010000u
#define RTL_RCR_MULERINT 0x00020000u
#define RTL_RCR_ERTH 0x0F000000u

/* Receive status in the Rx packet header (section 6.1) */
#define RTL_RX_ROK 0x0001u
#define RTL_RX_FAE 0x0002u
#define RTL_RX_CRC 0x0004u
#define RTL_RX_LONG 0x0008u
#define RTL_RX_RUNT 0x0010u
#define RTL_RX_ISE 0x0020u
#define RTL_RX_BAR 0x2000u
#define RTL_RX_PAM 0x4000u
#define RTL_RX_MAR 0x8000u

/* 9346CR (section 6.9) */
#define RTL_9346CR_EEDO 0x01u
#define RTL_9346CR_EEDI 0x02u
#define RTL_9346CR_EESK 0x04u
#define RTL_9346CR_EECS 0x08u
#define RTL_9346CR_EEM 0xC0u
#define RTL_9346CR_EEM_NORMAL 0x00u
#define RTL_9346CR_EEM_AUTOLOAD 0x40u
#define RTL_9346CR_EEM_PROGRAM 0x80u
#define RTL_9346CR_EEM_CONFIG 0xC0u

/* MSR (section 6.12) */
#define RTL_MSR_RXPF 0x01u
#define RTL_MSR_TXPF 0x02u
#define RTL_MSR_LINKB 0x04u    /* 1 = link FAIL */
#define RTL_MSR_SPEED_10 0x08u /* 1 = 10 Mbps */
#define RTL_MSR_AUX_STATUS 0x10u
#define RTL_MSR_RXFCE 0x40u
#define RTL_MSR_TXFCE 0x80u

/* BMSR (section 6.19) */
#define RTL_BMSR_LINK 0x0004u
#define RTL_BMSR_ANC 0x0020u

/* EEPROM word layout (datasheet section 5, "EEPROM (93C46) Contents") */
enum {
    RTL_EE_ID = 0, /* 8129h */
    RTL_EE_VID = 1,
    RTL_EE_DID = 2,
    RTL_EE_SVID = 3,
    RTL_EE_SMID = 4,
    RTL_EE_MNGNT_MXLAT = 5, /* low byte Min_Gnt, high byte Max_Lat */
    RTL_EE_MSRBMCR_CONFIG3 = 6,
    RTL_EE_ETHERNET_ID = 7, /* words 7-9: the MAC, low byte first */
    RTL_EE_CONFIG0_CONFIG1 = 10,
    RTL_EE_PMC = 11,
    RTL_EE_CONFIG4 = 12, /* high byte */
};
#define RTL_EE_SIGNATURE 0x8129u

extern const RegDesc rtl8139_regs[];
extern const unsigned rtl8139_nregs;
/* Offsets within the 256-byte window of BAR0 (I/O) or BAR1 (memory). */
extern const DevIoOps rtl8139_io_ops;

/* Power-on state: EEPROM image holding the MAC (words 7-9), link up. The
 * clock and the cable are borrowed; port may be NULL (no cable). */
Rtl8139 *rtl8139_new(const DevDma *dma, const DevIrq *irq, DevClock *clock, const NetPort *port,
                     const uint8_t mac[6]);
void rtl8139_free(Rtl8139 *s);

PciDevice *rtl8139_pci(Rtl8139 *s);
Eeprom93c46 *rtl8139_eeprom(Rtl8139 *s);

/* Power-on reset (PCI RST#): every register to its table value, the PCI
 * header reset, EEPROM auto-load. */
void rtl8139_reset(Rtl8139 *s);

/* Present a board's identity: vendor, device, subsystem IDs go into EEPROM
 * words 01h-04h (section 5), where the chip auto-loads them from after a
 * reset, and into the configuration header; the revision into the header
 * only. -1 for vendor FFFFh (reads as "no device"). */
int rtl8139_set_identity(Rtl8139 *s, const PciIdentity *id);

/* Boards built on the chip (vendor:device[:subsystem], name). */
extern const PciBoard rtl8139_boards[];
extern const unsigned rtl8139_nboards;

/* What became of a received frame. */
typedef enum Rtl8139RxResult {
    RTL8139_RX_STORED,    /* written to the ring, ROK or RER raised */
    RTL8139_RX_DISABLED,  /* CR.RE clear */
    RTL8139_RX_FILTERED,  /* rejected by the RCR accept rules */
    RTL8139_RX_OVERFLOW,  /* ring full: RXOVW, MPC incremented */
    RTL8139_RX_DMA_ERROR, /* RBSTART outside guest memory: SERR */
    RTL8139_RX_NO_BUS_MASTER, /* PCI bus mastering disabled: FIFO overflow, FOVW, MPC + 1 */
} Rtl8139RxResult;

/* Error flags for rtl8139_receive_bad (header bits FAE / CRC). */
#define RTL8139_RXERR_FAE RTL_RX_FAE
#define RTL8139_RXERR_CRC RTL_RX_CRC

/* A frame (without FCS) arrives on the cable; the chip appends the CRC. */
Rtl8139RxResult rtl8139_receive(Rtl8139 *s, const uint8_t *frame, size_t len);
/* The same with receive errors (fault injection): accepted only with RCR.AER. */
Rtl8139RxResult rtl8139_receive_bad(Rtl8139 *s, const uint8_t *frame, size_t len, unsigned errors);

/* Cable plugged/unplugged: MSR, BMSR, ANLPAR, ANER follow; PUN/LinkChg. */
void rtl8139_set_link(Rtl8139 *s, int up);
int rtl8139_link(const Rtl8139 *s);
/* Level of the INTA# line: (ISR & IMR) != 0. */
int rtl8139_irq_level(const Rtl8139 *s);

/* Arm a device-side condition for the next frame sent to the cable (link
 * up, not in loopback): DEV_COND_TX_ERROR aborts it after excessive
 * collisions (TSD.TABT, ISR.TER; the transmitter then waits for TCR.CLRABT,
 * which retransmits it); DEV_COND_TX_UNDERRUN reports a Tx FIFO underrun
 * (TSD.TUN with TOK clear, ISR.TOK; the chip re-transfers, so the frame is
 * delivered). DEV_COND_RX_CRC_ERROR gives the next frame received from the
 * cable (CR.RE) a bad FCS: dropped unless RCR.AER, which stores it
 * with header CRC (ROK clear) and raises ISR.RER. DEV_COND_RESET_HANG
 * hangs the next CR.RST: RST reads 1, RE/TE stay 0 and other writes are
 * ignored until the driver writes RST again, which completes (section 6.4).
 * 0 when armed, -1 for an unknown condition. Arming survives resets; each
 * condition fires once. */
int rtl8139_inject(Rtl8139 *s, DevCondition c);

/* Statistics for reports and tests. */
typedef struct Rtl8139Stats {
    uint64_t rx_stored, rx_filtered, rx_overflow, rx_disabled;
    uint64_t rx_crc_errors; /* frames given a bad FCS by an injected condition */
    uint64_t reset_hangs;   /* CR.RST resets hung by an injected condition */
    uint64_t tx_sent, tx_aborted, tx_looped, tx_underrun;
    uint64_t dma_errors;
    uint64_t unmodelled; /* accesses to unmodelled offsets */
    uint64_t ignored;    /* writes to read-only bits */
} Rtl8139Stats;
const Rtl8139Stats *rtl8139_stats(const Rtl8139 *s);

/* The 32-bit big-endian-style CRC whose top 6 bits index MAR0-7 (the
 * multicast hash, section 6.8 and Linux 8139too's ether_crc), and the
 * Ethernet FCS (IEEE 802.3 clause 3.2.9) the chip appends. */
unsigned rtl8139_mc_hash_bit(const uint8_t addr[6]);
uint32_t rtl8139_fcs(const uint8_t *data, size_t len);

#endif
