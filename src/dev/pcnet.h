/* AMD Am79C970A PCnet-PCI II single-chip Ethernet controller: the 32-byte
 * I/O window (APROM, RDP/RAP/RESET/BDP in word and double-word I/O mode),
 * the CSRs and BCRs the datasheet defines for the 970A, the initialization
 * block, receive and transmit descriptor rings in software styles 0, 2 and
 * 3, address filtering, interrupts, the 93C46 EEPROM behind BCR19, and the
 * PCI function (1022:2000). Sections refer to the Am79C970A datasheet,
 * publication 19436 rev E (June 2000); docs/devices/pcnet.md says what is
 * modelled and which section each behaviour follows. */
#ifndef XDRV_DEV_PCNET_H
#define XDRV_DEV_PCNET_H

#include <stddef.h>
#include <stdint.h>

#include "dev/bus.h"
#include "dev/dev.h"
#include "dev/eeprom93c46.h"
#include "dev/pci.h"
#include "dev/regs.h"

typedef struct Pcnet Pcnet;

#define PCNET_VENDOR_ID 0x1022
#define PCNET_DEVICE_ID 0x2000
#define PCNET_REVISION 0x10   /* "1xh": upper nibble fixed, lower silicon-dependent */
#define PCNET_CLASS 0x020000  /* network controller, Ethernet */
#define PCNET_IO_SIZE 32u     /* BAR0 (I/O) and BAR1 (memory) */
#define PCNET_FRAME_MAX 1518u /* largest legal frame incl. FCS; longer sends are babble */
#define PCNET_RX_MAX 4096u    /* largest frame incl. FCS the model receives */
#define PCNET_PART_ID 0x2621u /* CSR88/89 PARTID of the Am79C970A */

/* I/O resources (section "I/O Resources", table "I/O Map In Word I/O Mode"
 * and "... Double Word I/O Mode"). APROM occupies 00h-0Fh in both modes. */
enum {
    PCNET_APROM = 0x00,
    PCNET_WIO_RDP = 0x10,
    PCNET_WIO_RAP = 0x12,
    PCNET_WIO_RESET = 0x14,
    PCNET_WIO_BDP = 0x16,
    PCNET_DWIO_RDP = 0x10,
    PCNET_DWIO_RAP = 0x14,
    PCNET_DWIO_RESET = 0x18,
    PCNET_DWIO_BDP = 0x1C,
};

/* CSR numbers (section "Control and Status Registers") */
enum {
    PCNET_CSR0 = 0,     /* controller status */
    PCNET_CSR1 = 1,     /* IADR[15:0] */
    PCNET_CSR2 = 2,     /* IADR[31:16] */
    PCNET_CSR3 = 3,     /* interrupt masks and deferral control */
    PCNET_CSR4 = 4,     /* test and features control */
    PCNET_CSR5 = 5,     /* extended control and interrupt */
    PCNET_CSR6 = 6,     /* RX/TX descriptor table length */
    PCNET_CSR8 = 8,     /* LADRF[15:0] .. CSR11 LADRF[63:48] */
    PCNET_CSR12 = 12,   /* PADR[15:0] .. CSR14 PADR[47:32] */
    PCNET_CSR15 = 15,   /* mode */
    PCNET_CSR16 = 16,   /* IADRL, alias of CSR1 */
    PCNET_CSR17 = 17,   /* IADRH, alias of CSR2 */
    PCNET_CSR24 = 24,   /* BADRL: receive ring base */
    PCNET_CSR25 = 25,   /* BADRU */
    PCNET_CSR30 = 30,   /* BADXL: transmit ring base */
    PCNET_CSR31 = 31,   /* BADXU */
    PCNET_CSR47 = 47,   /* POLLINT: transmit polling interval */
    PCNET_CSR58 = 58,   /* software style, alias of BCR20 */
    PCNET_CSR72 = 72,   /* RCVRC: receive ring counter */
    PCNET_CSR74 = 74,   /* XMTRC: transmit ring counter */
    PCNET_CSR76 = 76,   /* RCVRL: receive ring length (two's complement) */
    PCNET_CSR78 = 78,   /* XMTRL: transmit ring length (two's complement) */
    PCNET_CSR80 = 80,   /* DMA transfer counter and FIFO thresholds */
    PCNET_CSR88 = 88,   /* chip ID lower */
    PCNET_CSR89 = 89,   /* chip ID upper */
    PCNET_CSR100 = 100, /* bus timeout */
    PCNET_CSR112 = 112, /* missed frame count */
    PCNET_CSR114 = 114, /* receive collision count */
    PCNET_CSR122 = 122, /* advanced feature control */
    PCNET_CSR124 = 124, /* test register 1 */
};

/* CSR0 bits */
#define PCNET_CSR0_INIT 0x0001u
#define PCNET_CSR0_STRT 0x0002u
#define PCNET_CSR0_STOP 0x0004u
#define PCNET_CSR0_TDMD 0x0008u
#define PCNET_CSR0_TXON 0x0010u
#define PCNET_CSR0_RXON 0x0020u
#define PCNET_CSR0_IENA 0x0040u
#define PCNET_CSR0_INTR 0x0080u
#define PCNET_CSR0_IDON 0x0100u
#define PCNET_CSR0_TINT 0x0200u
#define PCNET_CSR0_RINT 0x0400u
#define PCNET_CSR0_MERR 0x0800u
#define PCNET_CSR0_MISS 0x1000u
#define PCNET_CSR0_CERR 0x2000u
#define PCNET_CSR0_BABL 0x4000u
#define PCNET_CSR0_ERR 0x8000u

/* CSR3 bits */
#define PCNET_CSR3_BSWP 0x0004u
#define PCNET_CSR3_EMBA 0x0008u
#define PCNET_CSR3_DXMT2PD 0x0010u
#define PCNET_CSR3_LAPPEN 0x0020u
#define PCNET_CSR3_DXSUFLO 0x0040u
#define PCNET_CSR3_IDONM 0x0100u
#define PCNET_CSR3_TINTM 0x0200u
#define PCNET_CSR3_RINTM 0x0400u
#define PCNET_CSR3_MERRM 0x0800u
#define PCNET_CSR3_MISSM 0x1000u
#define PCNET_CSR3_BABLM 0x4000u

/* CSR4 bits */
#define PCNET_CSR4_JABM 0x0001u
#define PCNET_CSR4_JAB 0x0002u
#define PCNET_CSR4_TXSTRTM 0x0004u
#define PCNET_CSR4_TXSTRT 0x0008u
#define PCNET_CSR4_RCVCCOM 0x0010u
#define PCNET_CSR4_RCVCCO 0x0020u
#define PCNET_CSR4_UINT 0x0040u
#define PCNET_CSR4_UINTCMD 0x0080u
#define PCNET_CSR4_MFCOM 0x0100u
#define PCNET_CSR4_MFCO 0x0200u
#define PCNET_CSR4_ASTRP_RCV 0x0400u
#define PCNET_CSR4_APAD_XMT 0x0800u
#define PCNET_CSR4_DPOLL 0x1000u
#define PCNET_CSR4_TIMER 0x2000u
#define PCNET_CSR4_DMAPLUS 0x4000u
#define PCNET_CSR4_ENTST 0x8000u

/* CSR5 bits */
#define PCNET_CSR5_SPND 0x0001u
#define PCNET_CSR5_MPMODE 0x0002u
#define PCNET_CSR5_MPEN 0x0004u
#define PCNET_CSR5_MPINTE 0x0008u
#define PCNET_CSR5_MPINT 0x0010u
#define PCNET_CSR5_MPPLBA 0x0020u
#define PCNET_CSR5_EXDINTE 0x0040u
#define PCNET_CSR5_EXDINT 0x0080u
#define PCNET_CSR5_SLPINTE 0x0100u
#define PCNET_CSR5_SLPINT 0x0200u
#define PCNET_CSR5_SINTE 0x0400u
#define PCNET_CSR5_SINT 0x0800u
#define PCNET_CSR5_LTINTEN 0x4000u
#define PCNET_CSR5_TOKINTD 0x8000u

/* CSR15 (mode) bits */
#define PCNET_MODE_DRX 0x0001u
#define PCNET_MODE_DTX 0x0002u
#define PCNET_MODE_LOOP 0x0004u
#define PCNET_MODE_DXMTFCS 0x0008u
#define PCNET_MODE_FCOLL 0x0010u
#define PCNET_MODE_DRTY 0x0020u
#define PCNET_MODE_INTL 0x0040u
#define PCNET_MODE_PORTSEL 0x0180u
#define PCNET_MODE_DRCVPA 0x2000u
#define PCNET_MODE_DRCVBC 0x4000u
#define PCNET_MODE_PROM 0x8000u

/* BCR numbers (section "Bus Configuration Registers") */
enum {
    PCNET_BCR0 = 0,   /* MSRDA, reserved */
    PCNET_BCR1 = 1,   /* MSWRA, reserved */
    PCNET_BCR2 = 2,   /* MC: miscellaneous configuration */
    PCNET_BCR4 = 4,   /* LNKST: link status LED */
    PCNET_BCR5 = 5,   /* LED1 */
    PCNET_BCR6 = 6,   /* LED2 */
    PCNET_BCR7 = 7,   /* LED3 */
    PCNET_BCR9 = 9,   /* FDC: full-duplex control */
    PCNET_BCR18 = 18, /* BSBC: burst and bus control */
    PCNET_BCR19 = 19, /* EECAS: EEPROM control and status */
    PCNET_BCR20 = 20, /* SWS: software style */
    PCNET_BCR22 = 22, /* PCILAT: PCI latency */
};

#define PCNET_BCR2_ASEL 0x0002u
#define PCNET_BCR2_APROMWE 0x0100u
#define PCNET_LED_LNKSTE 0x0040u /* BCR4-7 */
#define PCNET_LED_FDLSE 0x0100u
#define PCNET_LED_LEDOUT 0x8000u
#define PCNET_BCR9_FDEN 0x0001u
#define PCNET_BCR18_DWIO 0x0080u
#define PCNET_BCR19_EDI 0x0001u /* EDO when read */
#define PCNET_BCR19_ESK 0x0002u
#define PCNET_BCR19_ECS 0x0004u
#define PCNET_BCR19_EEN 0x0010u
#define PCNET_BCR19_EEDET 0x2000u
#define PCNET_BCR19_PREAD 0x4000u
#define PCNET_BCR19_PVALID 0x8000u
#define PCNET_BCR20_SWSTYLE 0x00FFu
#define PCNET_BCR20_SSIZE32 0x0100u
#define PCNET_BCR20_CSRPCNET 0x0200u

/* Descriptor bits, in the 32-bit (SWSTYLE 2) layout of RMD1/TMD1 */
#define PCNET_DESC_OWN 0x80000000u
#define PCNET_DESC_ERR 0x40000000u
#define PCNET_DESC_STP 0x02000000u
#define PCNET_DESC_ENP 0x01000000u
#define PCNET_DESC_ONES 0x0000F000u
#define PCNET_DESC_BCNT 0x00000FFFu
#define PCNET_RMD1_FRAM 0x20000000u
#define PCNET_RMD1_OFLO 0x10000000u
#define PCNET_RMD1_CRC 0x08000000u
#define PCNET_RMD1_BUFF 0x04000000u
#define PCNET_RMD1_BPE 0x00800000u
#define PCNET_RMD1_PAM 0x00400000u
#define PCNET_RMD1_LAFM 0x00200000u
#define PCNET_RMD1_BAM 0x00100000u
#define PCNET_TMD1_ADD_FCS 0x20000000u
#define PCNET_TMD1_MORE_LTINT 0x10000000u
#define PCNET_TMD1_ONE 0x08000000u
#define PCNET_TMD1_DEF 0x04000000u
/* TMD2 (32-bit) = TMD3 (16-bit) << 16 */
#define PCNET_TMD2_BUFF 0x80000000u
#define PCNET_TMD2_UFLO 0x40000000u
#define PCNET_TMD2_EXDEF 0x20000000u
#define PCNET_TMD2_LCOL 0x10000000u
#define PCNET_TMD2_LCAR 0x08000000u
#define PCNET_TMD2_RTRY 0x04000000u
#define PCNET_RMD2_MCNT 0x00000FFFu

/* APROM bytes 14-15: the 'WW' signature AMD's drivers check; bytes 12-13
 * the 16-bit sum of bytes 0-11 and 14-15; byte 9 the hardware ID. */
#define PCNET_APROM_SIGNATURE 0x57u
#define PCNET_APROM_HWID 0x11u

/* Register tables: the I/O window (WIO rows are 2 bytes wide, DWIO rows 4;
 * APROM one row per byte), the CSRs and the BCRs (offset = register number,
 * width 2). The names are the datasheet's. */
extern const RegDesc pcnet_io_regs[];
extern const unsigned pcnet_io_nregs;
extern const RegDesc pcnet_csr_regs[];
extern const unsigned pcnet_csr_nregs;
extern const RegDesc pcnet_bcr_regs[];
extern const unsigned pcnet_bcr_nregs;

/* Offsets within the 32-byte window of BAR0 (I/O) or BAR1 (memory); sizes
 * 1, 2, 4 per the WIO/DWIO rules (docs/devices/pcnet.md). */
extern const DevIoOps pcnet_io_ops;

/* Power-on state (H_RESET): APROM and EEPROM hold the MAC, link up, word
 * I/O mode. The clock and the cable are borrowed; port may be NULL. */
Pcnet *pcnet_new(const DevDma *dma, const DevIrq *irq, DevClock *clock, const NetPort *port,
                 const uint8_t mac[6]);
void pcnet_free(Pcnet *s);

PciDevice *pcnet_pci(Pcnet *s);
Eeprom93c46 *pcnet_eeprom(Pcnet *s);

/* Present a board's vendor, device, subsystem and revision IDs in the
 * configuration header (kept across resets). -1 for vendor FFFFh. */
int pcnet_set_identity(Pcnet *s, const PciIdentity *id);

/* Boards presenting the chip's PCI ID (vendor:device[:subsystem], name). */
extern const PciBoard pcnet_boards[];
extern const unsigned pcnet_nboards;

/* H_RESET (the RST pin, PCI RST#): every CSR and BCR to its reset value,
 * DWIO cleared, the PCI header reset, APROM reloaded from the EEPROM. */
void pcnet_reset(Pcnet *s);

typedef enum PcnetRxResult {
    PCNET_RX_STORED,     /* written to the ring with ENP, RINT raised */
    PCNET_RX_DISABLED,   /* RXON clear, STOP, SPND, or loopback mode */
    PCNET_RX_LINK_DOWN,  /* no carrier */
    PCNET_RX_FILTERED,   /* rejected by the address filter */
    PCNET_RX_MISSED,     /* no descriptor owned: MISS, CSR112 incremented */
    PCNET_RX_BUFF,       /* chained buffers ran out: BUFF/OFLO in the last one */
    PCNET_RX_BAD_LENGTH, /* shorter than a header, or with FCS over PCNET_RX_MAX */
    PCNET_RX_DMA_ERROR,  /* descriptor or buffer outside guest memory: MERR */
    PCNET_RX_NO_BUS_MASTER, /* PCI bus mastering disabled: missed (MISS, CSR112) */
} PcnetRxResult;

/* A frame (without FCS) arrives on the cable; the chip pads it to 60 bytes
 * as the sender's MAC would have and appends the FCS. */
PcnetRxResult pcnet_receive(Pcnet *s, const uint8_t *frame, size_t len);

/* 10BASE-T link pass/fail: BCR4-7 LNKST/LEDOUT follow; transmissions with
 * the link down complete with LCAR; nothing is received. */
void pcnet_set_link(Pcnet *s, int up);
int pcnet_link(const Pcnet *s);
/* Level of INTA#: CSR0.INTR and CSR0.IENA. */
int pcnet_irq_level(const Pcnet *s);
/* Word (0) or double word (1) I/O mode, BCR18.DWIO. */
int pcnet_dwio(const Pcnet *s);

/* Arm a device-side condition for the next frame sent to the cable (link
 * pass, not in loopback): DEV_COND_TX_ERROR gives it up after 16 collided
 * attempts (TMD2.RTRY), DEV_COND_TX_UNDERRUN truncates it (TMD2.UFLO; the
 * transmitter turns off, CSR0.TXON = 0, unless CSR3.DXSUFLO). Both set
 * TMD1.ERR and CSR0.TINT and deliver nothing. DEV_COND_RX_CRC_ERROR gives
 * the next frame received from the cable (RXON, link pass, not in
 * loopback) a bad FCS: stored as usual, with RMD1.ERR and CRC in its ENP
 * descriptor, and RINT. DEV_COND_RESET_HANG hangs the next S_RESET (a read
 * of RESET): CSR0 reads 0000h, not STOP, and RDP writes are ignored, so
 * INIT never sets IDON, until the next read of RESET, which completes.
 * 0 when armed, -1 for an unknown condition. Arming survives resets; each
 * fires once. */
int pcnet_inject(Pcnet *s, DevCondition c);

typedef struct PcnetStats {
    uint64_t rx_stored, rx_filtered, rx_missed, rx_buff, rx_disabled;
    uint64_t rx_crc_errors; /* frames given a bad FCS by an injected condition */
    uint64_t reset_hangs;   /* S_RESETs hung by an injected condition */
    uint64_t tx_sent, tx_errors, tx_looped;
    uint64_t dma_errors;
    uint64_t unmodelled; /* accesses to unmodelled offsets or registers */
    uint64_t ignored;    /* writes ignored: read-only, or not stopped */
} PcnetStats;
const PcnetStats *pcnet_stats(const Pcnet *s);

/* The logical address filter bit (0-63) a multicast address selects: the
 * top 6 bits of the little-endian (reflected) CRC-32 register after the
 * 6 address bytes (section "Address Matching"), and the Ethernet FCS. */
unsigned pcnet_ladrf_bit(const uint8_t addr[6]);
uint32_t pcnet_fcs(const uint8_t *data, size_t len);

#endif
