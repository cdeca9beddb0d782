/* Intel 82540EM Gigabit Ethernet controller (PRO/1000 MT Desktop Adapter,
 * 8086:100E): the 128 KiB memory-mapped register space (BAR0) and the
 * IOADDR/IODATA window (BAR2), the Microwire EEPROM behind EECD and EERD,
 * the internal M88-type PHY behind MDIC, interrupts with ITR throttling and
 * the receive/transmit delay timers, legacy receive descriptors with
 * address, multicast-hash and VLAN filtering, legacy and TCP/IP
 * (context + data) transmit descriptors with checksum insertion and TCP
 * segmentation, and the statistics registers. "Section" numbers refer to Intel's PCI/PCI-X Family
 * of Gigabit Ethernet Controllers Software Developer's Manual (8254x SDM,
 * 317453); docs/devices/e1000.md says what is modelled and from where. */
#ifndef XDRV_DEV_E1000_H
#define XDRV_DEV_E1000_H

#include <stddef.h>
#include <stdint.h>

#include "dev/bus.h"
#include "dev/dev.h"
#include "dev/eeprom93c46.h"
#include "dev/pci.h"
#include "dev/regs.h"

typedef struct E1000 E1000;

/* PCI identity of the default board, a PRO/1000 MT Desktop Adapter. */
#define E1000_VENDOR_ID 0x8086
#define E1000_DEVICE_ID 0x100E /* 82540EM */
#define E1000_SUBSYS_VENDOR_ID 0x8086
#define E1000_SUBSYS_ID 0x001E /* PRO/1000 MT Desktop Adapter */
#define E1000_REVISION 0x02
#define E1000_CLASS 0x020000 /* network controller, Ethernet */
#define E1000_MMIO_BAR 0
#define E1000_MMIO_SIZE 0x20000u /* section 4.1: memory register space 128 KB */
#define E1000_IO_BAR 2
#define E1000_IO_SIZE 8u         /* section 4.1: I/O register space 8 bytes */
#define E1000_PHY_ADDR 1u        /* the internal PHY answers at MDIO address 1 */
#define E1000_EEPROM_WORDS 64u   /* 93C46-type Microwire part, 64 x 16 bits */
#define E1000_EEPROM_SUM 0xBABAu /* section 5.6.35: words 00h-3Fh add up to this */
#define E1000_FRAME_MAX 16384u   /* largest frame (with FCS) the model moves */

/* I/O window (section 13.2.2) */
enum {
    E1000_IOADDR = 0x0,
    E1000_IODATA = 0x4,
};

/* Register offsets in the memory space (section 13, table 13-2) */
enum {
    E1000_CTRL = 0x0000,
    E1000_STATUS = 0x0008,
    E1000_EECD = 0x0010,
    E1000_EERD = 0x0014,
    E1000_CTRL_EXT = 0x0018,
    E1000_MDIC = 0x0020,
    E1000_FCAL = 0x0028,
    E1000_FCAH = 0x002C,
    E1000_FCT = 0x0030,
    E1000_VET = 0x0038,
    E1000_ICR = 0x00C0,
    E1000_ITR = 0x00C4,
    E1000_ICS = 0x00C8,
    E1000_IMS = 0x00D0,
    E1000_IMC = 0x00D8,
    E1000_RCTL = 0x0100,
    E1000_FCTTV = 0x0170,
    E1000_TXCW = 0x0178,
    E1000_RXCW = 0x0180,
    E1000_TCTL = 0x0400,
    E1000_TIPG = 0x0410,
    E1000_AIFS = 0x0458,
    E1000_LEDCTL = 0x0E00,
    E1000_PBA = 0x1000,
    E1000_FCRTL = 0x2160,
    E1000_FCRTH = 0x2168,
    E1000_RDBAL = 0x2800,
    E1000_RDBAH = 0x2804,
    E1000_RDLEN = 0x2808,
    E1000_RDH = 0x2810,
    E1000_RDT = 0x2818,
    E1000_RDTR = 0x2820,
    E1000_RXDCTL = 0x2828,
    E1000_RADV = 0x282C,
    E1000_RSRPD = 0x2C00,
    E1000_TXDMAC = 0x3000,
    E1000_TDBAL = 0x3800,
    E1000_TDBAH = 0x3804,
    E1000_TDLEN = 0x3808,
    E1000_TDH = 0x3810,
    E1000_TDT = 0x3818,
    E1000_TIDV = 0x3820,
    E1000_TXDCTL = 0x3828,
    E1000_TADV = 0x382C,
    E1000_TSPMT = 0x3830,
    /* statistics (section 13.7), all clear on read */
    E1000_CRCERRS = 0x4000,
    E1000_ALGNERRC = 0x4004,
    E1000_SYMERRS = 0x4008,
    E1000_RXERRC = 0x400C,
    E1000_MPC = 0x4010,
    E1000_SCC = 0x4014,
    E1000_ECOL = 0x4018,
    E1000_MCC = 0x401C,
    E1000_LATECOL = 0x4020,
    E1000_COLC = 0x4028,
    E1000_DC = 0x4030,
    E1000_TNCRS = 0x4034,
    E1000_SEC = 0x4038,
    E1000_CEXTERR = 0x403C,
    E1000_RLEC = 0x4040,
    E1000_XONRXC = 0x4048,
    E1000_XONTXC = 0x404C,
    E1000_XOFFRXC = 0x4050,
    E1000_XOFFTXC = 0x4054,
    E1000_FCRUC = 0x4058,
    E1000_PRC64 = 0x405C,
    E1000_PRC127 = 0x4060,
    E1000_PRC255 = 0x4064,
    E1000_PRC511 = 0x4068,
    E1000_PRC1023 = 0x406C,
    E1000_PRC1522 = 0x4070,
    E1000_GPRC = 0x4074,
    E1000_BPRC = 0x4078,
    E1000_MPRC = 0x407C,
    E1000_GPTC = 0x4080,
    E1000_GORCL = 0x4088,
    E1000_GORCH = 0x408C,
    E1000_GOTCL = 0x4090,
    E1000_GOTCH = 0x4094,
    E1000_RNBC = 0x40A0,
    E1000_RUC = 0x40A4,
    E1000_RFC = 0x40A8,
    E1000_ROC = 0x40AC,
    E1000_RJC = 0x40B0,
    E1000_MGTPRC = 0x40B4,
    E1000_MGTPDC = 0x40B8,
    E1000_MGTPTC = 0x40BC,
    E1000_TORL = 0x40C0,
    E1000_TORH = 0x40C4,
    E1000_TOTL = 0x40C8,
    E1000_TOTH = 0x40CC,
    E1000_TPR = 0x40D0,
    E1000_TPT = 0x40D4,
    E1000_PTC64 = 0x40D8,
    E1000_PTC127 = 0x40DC,
    E1000_PTC255 = 0x40E0,
    E1000_PTC511 = 0x40E4,
    E1000_PTC1023 = 0x40E8,
    E1000_PTC1522 = 0x40EC,
    E1000_MPTC = 0x40F0,
    E1000_BPTC = 0x40F4,
    E1000_TSCTC = 0x40F8,
    E1000_TSCTFC = 0x40FC,
    E1000_RXCSUM = 0x5000,
    E1000_MTA = 0x5200, /* 128 words */
    E1000_RAL0 = 0x5400,
    E1000_RAH0 = 0x5404, /* RAL/RAH n at 0x5400 + 8n, n = 0..15 */
    E1000_VFTA = 0x5600, /* 128 words */
    E1000_WUC = 0x5800,
    E1000_WUFC = 0x5808,
    E1000_WUS = 0x5810,
    E1000_MANC = 0x5820,
    E1000_IPAV = 0x5838,
    E1000_WUPL = 0x5900,
};

#define E1000_RAL(n) (E1000_RAL0 + 8u * (n))
#define E1000_RAH(n) (E1000_RAH0 + 8u * (n))
#define E1000_RA_ENTRIES 16u
#define E1000_MTA_WORDS 128u
#define E1000_VFTA_WORDS 128u

/* CTRL (section 13.4.1) */
#define E1000_CTRL_FD 0x00000001u
#define E1000_CTRL_BEM 0x00000002u
#define E1000_CTRL_LRST 0x00000008u
#define E1000_CTRL_ASDE 0x00000020u
#define E1000_CTRL_SLU 0x00000040u
#define E1000_CTRL_ILOS 0x00000080u
#define E1000_CTRL_SPEED 0x00000300u
#define E1000_CTRL_SPEED_1000 0x00000200u
#define E1000_CTRL_FRCSPD 0x00000800u
#define E1000_CTRL_FRCDPLX 0x00001000u
#define E1000_CTRL_RST 0x04000000u
#define E1000_CTRL_RFCE 0x08000000u
#define E1000_CTRL_TFCE 0x10000000u
#define E1000_CTRL_VME 0x40000000u
#define E1000_CTRL_PHY_RST 0x80000000u

/* STATUS (section 13.4.2) */
#define E1000_STATUS_FD 0x00000001u
#define E1000_STATUS_LU 0x00000002u
#define E1000_STATUS_SPEED 0x000000C0u
#define E1000_STATUS_SPEED_1000 0x00000080u
#define E1000_STATUS_ASDV 0x00000300u

/* EECD (section 13.4.3) */
#define E1000_EECD_SK 0x00000001u
#define E1000_EECD_CS 0x00000002u
#define E1000_EECD_DI 0x00000004u
#define E1000_EECD_DO 0x00000008u
#define E1000_EECD_FWE 0x00000030u
#define E1000_EECD_REQ 0x00000040u
#define E1000_EECD_GNT 0x00000080u
#define E1000_EECD_PRES 0x00000100u
#define E1000_EECD_SIZE 0x00000200u /* 0: 64-word part */

/* EERD (section 13.4.4) */
#define E1000_EERD_START 0x00000001u
#define E1000_EERD_DONE 0x00000010u
#define E1000_EERD_ADDR_SHIFT 8
#define E1000_EERD_DATA_SHIFT 16

/* CTRL_EXT (section 13.4.6) */
#define E1000_CTRL_EXT_ASDCHK 0x00001000u
#define E1000_CTRL_EXT_EE_RST 0x00002000u

/* MDIC (section 13.4.7) */
#define E1000_MDIC_DATA 0x0000FFFFu
#define E1000_MDIC_REG_SHIFT 16
#define E1000_MDIC_PHY_SHIFT 21
#define E1000_MDIC_OP_WRITE 0x04000000u
#define E1000_MDIC_OP_READ 0x08000000u
#define E1000_MDIC_R 0x10000000u
#define E1000_MDIC_I 0x20000000u
#define E1000_MDIC_E 0x40000000u

/* ICR/ICS/IMS/IMC bits (section 13.4.17-13.4.21) */
#define E1000_ICR_TXDW 0x00000001u
#define E1000_ICR_TXQE 0x00000002u
#define E1000_ICR_LSC 0x00000004u
#define E1000_ICR_RXSEQ 0x00000008u
#define E1000_ICR_RXDMT0 0x00000010u
#define E1000_ICR_RXO 0x00000040u
#define E1000_ICR_RXT0 0x00000080u
#define E1000_ICR_MDAC 0x00000200u
#define E1000_ICR_RXCFG 0x00000400u
#define E1000_ICR_GPI_SDP6 0x00002000u
#define E1000_ICR_GPI_SDP7 0x00004000u
#define E1000_ICR_TXD_LOW 0x00008000u
#define E1000_ICR_SRPD 0x00010000u
#define E1000_ICR_VALID 0x0001E6DFu /* causes the 82540EM defines */

/* RCTL (section 13.4.22) */
#define E1000_RCTL_EN 0x00000002u
#define E1000_RCTL_SBP 0x00000004u
#define E1000_RCTL_UPE 0x00000008u
#define E1000_RCTL_MPE 0x00000010u
#define E1000_RCTL_LPE 0x00000020u
#define E1000_RCTL_LBM 0x000000C0u
#define E1000_RCTL_RDMTS 0x00000300u
#define E1000_RCTL_RDMTS_SHIFT 8
#define E1000_RCTL_MO 0x00003000u
#define E1000_RCTL_MO_SHIFT 12
#define E1000_RCTL_BAM 0x00008000u
#define E1000_RCTL_BSIZE 0x00030000u
#define E1000_RCTL_BSIZE_SHIFT 16
#define E1000_RCTL_VFE 0x00040000u
#define E1000_RCTL_CFIEN 0x00080000u
#define E1000_RCTL_CFI 0x00100000u
#define E1000_RCTL_DPF 0x00400000u
#define E1000_RCTL_PMCF 0x00800000u
#define E1000_RCTL_BSEX 0x02000000u
#define E1000_RCTL_SECRC 0x04000000u

/* TCTL (section 13.4.33) */
#define E1000_TCTL_EN 0x00000002u
#define E1000_TCTL_PSP 0x00000008u
#define E1000_TCTL_CT 0x00000FF0u /* collision threshold: retries after the first attempt */
#define E1000_TCTL_CT_SHIFT 4

/* RDTR/TIDV bit 31: flush partial descriptor block (section 13.4.30) */
#define E1000_RDTR_FPD 0x80000000u

/* RAH (section 13.5.3) */
#define E1000_RAH_AV 0x80000000u
#define E1000_RAH_ASEL 0x00030000u

/* RXCSUM (section 13.5.1) */
#define E1000_RXCSUM_PCSS 0x000000FFu
#define E1000_RXCSUM_IPOFLD 0x00000100u
#define E1000_RXCSUM_TUOFLD 0x00000200u

/* Receive descriptor (section 3.2.3): status and error bytes */
#define E1000_RXD_STAT_DD 0x01u
#define E1000_RXD_STAT_EOP 0x02u
#define E1000_RXD_STAT_IXSM 0x04u
#define E1000_RXD_STAT_VP 0x08u
#define E1000_RXD_STAT_TCPCS 0x20u
#define E1000_RXD_STAT_IPCS 0x40u
#define E1000_RXD_STAT_PIF 0x80u
#define E1000_RXD_ERR_CE 0x01u /* CRC or alignment error (table 3-3) */
#define E1000_RXD_ERR_TCPE 0x20u
#define E1000_RXD_ERR_IPE 0x40u

/* Transmit descriptors (sections 3.3.3, 3.3.6, 3.3.7): the command byte
 * (bits 31:24 of the third dword) and the status nibble */
#define E1000_TXD_CMD_EOP 0x01u
#define E1000_TXD_CMD_IFCS 0x02u
#define E1000_TXD_CMD_IC 0x04u /* legacy; TSE in data descriptors */
#define E1000_TXD_CMD_TSE 0x04u
#define E1000_TXD_CMD_RS 0x08u
#define E1000_TXD_CMD_DEXT 0x20u
#define E1000_TXD_CMD_VLE 0x40u
#define E1000_TXD_CMD_IDE 0x80u
#define E1000_TXD_DTYP_CONTEXT 0x0u
#define E1000_TXD_DTYP_DATA 0x1u
#define E1000_TXD_STAT_DD 0x01u
#define E1000_TXD_STAT_EC 0x02u /* excess collisions */
#define E1000_TXD_STAT_LC 0x04u /* late collision */
#define E1000_TXD_STAT_TU 0x08u /* transmit underrun: 82544GC/EI only, reserved on the 82540EM */
#define E1000_TXD_POPTS_IXSM 0x01u
#define E1000_TXD_POPTS_TXSM 0x02u
/* context descriptor TUCMD */
#define E1000_TXD_TUCMD_TCP 0x01u
#define E1000_TXD_TUCMD_IP 0x02u

/* EEPROM words (section 5.6, table 5-2) */
enum {
    E1000_EE_MAC = 0x00,  /* words 0-2 */
    E1000_EE_ICW1 = 0x0A, /* Initialization Control Word 1 */
    E1000_EE_SUBSYS_ID = 0x0B,
    E1000_EE_SUBSYS_VENDOR = 0x0C,
    E1000_EE_DEVICE_ID = 0x0D,
    E1000_EE_VENDOR_ID = 0x0E,
    E1000_EE_ICW2 = 0x0F, /* Initialization Control Word 2 */
    E1000_EE_CHECKSUM = 0x3F,
};
/* Initialization Control Word 1 */
#define E1000_ICW1_LOAD_VID 0x0001u    /* load vendor/device IDs */
#define E1000_ICW1_LOAD_SUBSYS 0x0002u /* load subsystem IDs */
#define E1000_ICW1_ILOS 0x0010u
#define E1000_ICW1_LRST 0x0200u
#define E1000_ICW1_FD 0x0400u
#define E1000_ICW1_SIG_MASK 0xC000u
#define E1000_ICW1_SIG 0x4000u /* signature 01b: the image is valid */

/* PHY registers (section 13.5 / 8.6.2.4, IEEE 802.3 clause 22 and the M88
 * vendor registers 16-21) */
enum {
    E1000_PHY_PCTRL = 0,
    E1000_PHY_PSTATUS = 1,
    E1000_PHY_PID = 2,
    E1000_PHY_EPID = 3,
    E1000_PHY_ANA = 4,
    E1000_PHY_LPA = 5,
    E1000_PHY_ANE = 6,
    E1000_PHY_NPTX = 7,
    E1000_PHY_LPN = 8,
    E1000_PHY_GCON = 9,
    E1000_PHY_GSTATUS = 10,
    E1000_PHY_EPSTATUS = 15,
    E1000_PHY_PSCON = 16,
    E1000_PHY_PSSTAT = 17,
    E1000_PHY_PINTE = 18,
    E1000_PHY_PINTS = 19,
    E1000_PHY_EPSCON1 = 20,
    E1000_PHY_PREC = 21,
};
#define E1000_PHY_ID1 0x0141u /* Marvell OUI */
#define E1000_PHY_ID2 0x0C20u /* M88E1011-class PHY of the 82540/82545/82546 */
#define E1000_PCTRL_RESET 0x8000u
#define E1000_PCTRL_LOOPBACK 0x4000u
#define E1000_PCTRL_ANE 0x1000u
#define E1000_PCTRL_PDOWN 0x0800u
#define E1000_PCTRL_RESTART_AN 0x0200u
#define E1000_PSTATUS_LINK 0x0004u
#define E1000_PSTATUS_ANC 0x0020u
#define E1000_PSSTAT_LINK 0x0400u

/* The register table: one row per register (width 4, datasheet names,
 * access, value after a power-on reset with the default EEPROM), sorted by
 * offset; arrays (MTA, VFTA) in a table of their own. */
extern const RegDesc e1000_regs[];
extern const unsigned e1000_nregs;

typedef struct E1000RegArray {
    uint32_t offset;
    uint32_t count; /* 32-bit words */
    const char *name;
} E1000RegArray;
extern const E1000RegArray e1000_reg_arrays[];
extern const unsigned e1000_nreg_arrays;
/* Datasheet name of the register at a memory-space offset, NULL if none. */
const char *e1000_reg_name(uint32_t offset);

/* The memory space (BAR0): offsets 0 .. E1000_MMIO_SIZE-1, 32-bit accesses
 * (1- and 2-byte reads return part of the dword; narrower writes are
 * ignored and traced). opaque = E1000. */
extern const DevIoOps e1000_mmio_ops;
/* The I/O window (BAR2): IOADDR at 0, IODATA at 4 (section 13.2.2). */
extern const DevIoOps e1000_io_ops;

/* Boards built on the 8254x chips the model can present, and the identity
 * setter: the IDs go into the EEPROM image (words 0Bh-0Eh, checksum word
 * fixed) and, as the chip loads them from there, into configuration space.
 * -1 for an identity no 8254x board the model presents could have (vendor
 * or device 0000h/FFFFh, a device ID outside e1000_boards). */
extern const PciBoard e1000_boards[];
extern const unsigned e1000_nboards;
int e1000_set_identity(E1000 *s, const PciIdentity *id);

/* Power-on state: EEPROM with the MAC in words 0-2 and a valid checksum,
 * loaded into RAL0/RAH0; cable connected (the driver still has to set
 * CTRL.SLU, section 8.6.2.1). Clock and cable are borrowed; port may be NULL. */
E1000 *e1000_new(const DevDma *dma, const DevIrq *irq, DevClock *clock, const NetPort *port,
                 const uint8_t mac[6]);
void e1000_free(E1000 *s);

PciDevice *e1000_pci(E1000 *s);
Eeprom93c46 *e1000_eeprom(E1000 *s);

/* PCI RST# / power-on: every register to its reset value, the PHY reset,
 * the EEPROM auto-load (MAC, CTRL defaults, PCI IDs), configuration space
 * reset. */
void e1000_reset(E1000 *s);

typedef enum E1000RxResult {
    E1000_RX_STORED,     /* written to the ring, DD/EOP written back */
    E1000_RX_QUEUED,     /* held in the receive FIFO: no descriptors, or no bus mastering */
    E1000_RX_DISABLED,   /* RCTL.EN clear */
    E1000_RX_LINK_DOWN,  /* STATUS.LU clear */
    E1000_RX_FILTERED,   /* rejected by the address or VLAN filter */
    E1000_RX_MISSED,     /* FIFO full: RXO, MPC + 1 */
    E1000_RX_BAD_LENGTH, /* runt or too long for RCTL.LPE: RUC/ROC + 1 */
    E1000_RX_DMA_ERROR,  /* descriptor or buffer outside guest memory */
    E1000_RX_BAD_FCS,    /* bad FCS without RCTL.SBP: dropped, CRCERRS + 1 */
} E1000RxResult;

/* A frame (without FCS) arrives on the cable. */
E1000RxResult e1000_receive(E1000 *s, const uint8_t *frame, size_t len);

/* Cable plugged (1) or pulled (0): PHY status follows; STATUS.LU and the
 * LSC interrupt follow when CTRL.SLU is set. */
void e1000_set_link(E1000 *s, int up);
int e1000_link(const E1000 *s);
/* Level of INTA#. */
int e1000_irq_level(const E1000 *s);

/* Arm a device-side condition for the next packet sent to the cable:
 * DEV_COND_TX_ERROR drops it after excessive collisions (STA.EC in the EOP
 * descriptor's write-back, COLC + TCTL.CT + 1, ECOL + 1 from 16 attempts);
 * only in half duplex (CTRL.FRCDPLX with CTRL.FD clear), -1 in full
 * duplex. DEV_COND_TX_UNDERRUN is always -1: the 82540EM reports no
 * underrun (STA.TU is 82544GC/EI only). DEV_COND_RX_CRC_ERROR gives the
 * next packet received from the cable (RCTL.EN, STATUS.LU) a bad FCS:
 * CRCERRS + 1 if it passes the address filter and is 64 bytes or more;
 * dropped unless RCTL.SBP, which stores it with RDESC.ERRORS.CE; not a
 * good packet (GPRC, GORC, BPRC, MPRC, PRC* unchanged).
 * DEV_COND_RESET_HANG hangs the next CTRL.RST: the registers go to their
 * reset values but the EEPROM auto-load never runs, CTRL.RST reads 1, EECD
 * never grants and EERD never reports DONE, and every write but a CTRL
 * write with RST is ignored; that write completes a normal reset. Arming
 * survives resets; it fires once. */
int e1000_inject(E1000 *s, DevCondition c);

typedef struct E1000Stats {
    uint64_t rx_stored, rx_queued, rx_filtered, rx_missed, rx_bad_length, rx_disabled;
    uint64_t tx_sent, tx_dropped, tx_no_link, tx_tso_contexts;
    uint64_t tx_errors;     /* packets given up by an injected condition */
    uint64_t rx_crc_errors; /* packets given a bad FCS by an injected condition */
    uint64_t reset_hangs;   /* CTRL.RST resets hung by an injected condition */
    uint64_t dma_errors;
    uint64_t bme_held;   /* times work waited for bus mastering */
    uint64_t unmodelled; /* accesses to unmodelled offsets */
    uint64_t ignored;    /* writes ignored: read-only registers, narrow writes */
} E1000Stats;
const E1000Stats *e1000_stats(const E1000 *s);

/* The 12-bit multicast table index (section 13.5.2, RCTL.MO 0-3). */
unsigned e1000_mta_hash(const uint8_t addr[6], unsigned mo);

#endif
