/* Intel 82540EM (PRO/1000, 8254x family) as the driver sees it: the
 * memory-mapped registers and bits it uses, the EEPROM words, the legacy
 * receive and transmit descriptors. Names and values follow Intel's
 * "PCI/PCI-X Family of Gigabit Ethernet Controllers Software Developer's
 * Manual" (8254x, 317453006, revision 4.0); "§" below names its sections.
 * Written for this driver; it shares nothing with the device model, so
 * neither can lean on the other. */
#ifndef E1000_HW_H
#define E1000_HW_H

/* §4.1 (PCI configuration space): BAR0 is the 128 KiB register window,
 * memory space, 32- or 64-bit; BAR1 (I/O, IOADDR/IODATA) is not used. */
#define E1K_MMIO_SIZE 0x20000u
#define E1K_PCI_VENDOR_INTEL 0x8086
#define E1K_PCI_DEVICE_82540EM 0x100E
#define E1K_PCI_DEVICE_82545EM_COPPER 0x100F

/* §13.4, Table 13-2: register offsets in BAR0 (all 32-bit accesses) */
#define E1K_CTRL 0x00000   /* §13.4.1 device control */
#define E1K_STATUS 0x00008 /* §13.4.2 device status, read only */
#define E1K_EECD 0x00010   /* §13.4.3 EEPROM/flash control and data */
#define E1K_EERD 0x00014   /* §13.4.4 EEPROM read */
#define E1K_MDIC 0x00020   /* §13.4.7 MDI control: PHY register access */
#define E1K_FCAL 0x00028   /* flow control address low */
#define E1K_FCAH 0x0002C   /* flow control address high */
#define E1K_FCT 0x00030    /* flow control type */
#define E1K_ICR 0x000C0    /* §13.4.17 interrupt cause read: cleared by the read */
#define E1K_ITR 0x000C4    /* §13.4.18 interrupt throttling */
#define E1K_IMS 0x000D0    /* §13.4.20 interrupt mask set/read */
#define E1K_IMC 0x000D8    /* §13.4.21 interrupt mask clear, write only */
#define E1K_RCTL 0x00100   /* §13.4.22 receive control */
#define E1K_FCTTV 0x00170  /* flow control transmit timer value */
#define E1K_TCTL 0x00400   /* §13.4.33 transmit control */
#define E1K_TIPG 0x00410   /* §13.4.34 transmit inter-packet gap */
#define E1K_RDBAL 0x02800  /* receive descriptor base low (16-byte aligned) */
#define E1K_RDBAH 0x02804
#define E1K_RDLEN 0x02808 /* ring size in bytes, a multiple of 128 */
#define E1K_RDH 0x02810   /* head: hardware's; software writes it only after reset */
#define E1K_RDT 0x02818   /* §13.4.29 tail: one beyond the last descriptor given */
#define E1K_RDTR 0x02820  /* §13.4.30 receive delay timer (not used: 0) */
#define E1K_RADV 0x0282C  /* receive absolute delay (not used: 0) */
#define E1K_TDBAL 0x03800 /* §13.4.36 transmit descriptor base low */
#define E1K_TDBAH 0x03804 /* §13.4.37 */
#define E1K_TDLEN 0x03808 /* §13.4.38 a multiple of 128 */
#define E1K_TDH 0x03810   /* §13.4.39 */
#define E1K_TDT 0x03818
#define E1K_TIDV 0x03820 /* transmit interrupt delay (descriptors without IDE: unused) */
#define E1K_MTA 0x05200  /* §13.5.1 multicast table array, 128 x 32 bits */
#define E1K_MTA_WORDS 128u
#define E1K_RAL(n) (0x05400u + 8u * (n)) /* §13.5.2 receive address low */
#define E1K_RAH(n) (0x05404u + 8u * (n)) /* §13.5.3 high: write low first, clear high first */
#define E1K_RA_ENTRIES 16u

/* §13.7 statistics: every counter is cleared by its read. */
#define E1K_CRCERRS 0x04000  /* CRC errors */
#define E1K_ALGNERRC 0x04004 /* alignment errors */
#define E1K_SYMERRS 0x04008  /* symbol errors */
#define E1K_RXERRC 0x0400C   /* receive errors (RX_ER) */
#define E1K_MPC 0x04010      /* missed packets: receive FIFO full */
#define E1K_SCC 0x04014      /* sent after exactly one collision */
#define E1K_ECOL 0x04018     /* excessive collisions: not sent */
#define E1K_MCC 0x0401C      /* sent after more than one collision */
#define E1K_LATECOL 0x04020  /* late collisions */
#define E1K_DC 0x04030       /* deferred */
#define E1K_TNCRS 0x04034    /* sent without carrier sense */
#define E1K_RLEC 0x04040     /* receive length errors */
#define E1K_GPRC 0x04074     /* good packets received */
#define E1K_GPTC 0x04080     /* good packets transmitted */
#define E1K_RNBC 0x040A0     /* received with no receive descriptor available */

/* CTRL (§13.4.1) */
#define E1K_CTRL_FD 0x00000001u      /* full duplex (forced only with FRCDPLX) */
#define E1K_CTRL_LRST 0x00000008u    /* link reset */
#define E1K_CTRL_ASDE 0x00000020u    /* auto-speed detection enable */
#define E1K_CTRL_SLU 0x00000040u     /* set link up: the MAC follows the PHY's link */
#define E1K_CTRL_ILOS 0x00000080u    /* invert loss-of-signal */
#define E1K_CTRL_SPEED 0x00000300u   /* forced speed (FRCSPD) */
#define E1K_CTRL_FRCSPD 0x00000800u  /* force speed */
#define E1K_CTRL_FRCDPLX 0x00001000u /* force duplex */
#define E1K_CTRL_RST 0x04000000u     /* device reset, self-clearing */
#define E1K_CTRL_RFCE 0x08000000u    /* receive flow control enable */
#define E1K_CTRL_TFCE 0x10000000u    /* transmit flow control enable */
#define E1K_CTRL_VME 0x40000000u     /* VLAN mode enable */
#define E1K_CTRL_PHY_RST 0x80000000u /* PHY reset */

/* STATUS (§13.4.2) */
#define E1K_STATUS_FD 0x00000001u /* link is full duplex */
#define E1K_STATUS_LU 0x00000002u /* link up */
#define E1K_STATUS_TXOFF 0x00000010u
#define E1K_STATUS_SPEED_MASK 0x000000C0u /* 00 10, 01 100, 1x 1000 Mb/s */
#define E1K_STATUS_SPEED_SHIFT 6

/* EECD (§13.4.3) */
#define E1K_EECD_PRES 0x00000100u /* an EEPROM is present */

/* EERD (§13.4.4) for the 82540EP/EM, 82545GM/EM and 82546GB/EB: START
 * bit 0, DONE bit 4, ADDR bits 15:8, DATA bits 31:16. (The 82541/82547
 * layout, DONE bit 1 and ADDR bits 15:2, is not this chip's.) */
#define E1K_EERD_START 0x00000001u
#define E1K_EERD_DONE 0x00000010u
#define E1K_EERD_ADDR_SHIFT 8
#define E1K_EERD_DATA_SHIFT 16

/* EEPROM address map: words 0-2 the Ethernet address, word 0 holding
 * bytes 0 and 1, low byte first (§5.6.1); words 00h-3Fh add up to BABAh,
 * the checksum word 3Fh making it so (§5.6.35). */
#define E1K_EE_MAC0 0x00
#define E1K_EE_CHECKSUM_WORDS 0x40u
#define E1K_EE_CHECKSUM_SUM 0xBABAu

/* MDIC (§13.4.7) */
#define E1K_MDIC_DATA_MASK 0x0000FFFFu
#define E1K_MDIC_REG_SHIFT 16
#define E1K_MDIC_PHY_SHIFT 21
#define E1K_MDIC_OP_READ 0x08000000u
#define E1K_MDIC_READY 0x10000000u
#define E1K_MDIC_ERROR 0x40000000u
#define E1K_PHY_ADDR 1u /* the 82540EM's internal PHY answers at MDIO address 1 */
/* PHY registers (IEEE 802.3 clause 22, the manual's PHY register list) */
#define E1K_PHY_ID1 2u
#define E1K_PHY_ID2 3u

/* ICR / IMS / IMC bits (§13.4.17-13.4.21) */
#define E1K_INT_TXDW 0x00000001u   /* transmit descriptor written back */
#define E1K_INT_TXQE 0x00000002u   /* transmit queue empty */
#define E1K_INT_LSC 0x00000004u    /* link status change */
#define E1K_INT_RXSEQ 0x00000008u  /* receive sequence error */
#define E1K_INT_RXDMT0 0x00000010u /* receive descriptors below the minimum threshold */
#define E1K_INT_RXO 0x00000040u    /* receiver overrun */
#define E1K_INT_RXT0 0x00000080u   /* receiver timer: a frame was stored */
#define E1K_INT_ALL 0xFFFFFFFFu    /* IMC: mask everything */

/* RCTL (§13.4.22) */
#define E1K_RCTL_EN 0x00000002u
#define E1K_RCTL_SBP 0x00000004u        /* store bad packets */
#define E1K_RCTL_UPE 0x00000008u        /* unicast promiscuous */
#define E1K_RCTL_MPE 0x00000010u        /* multicast promiscuous */
#define E1K_RCTL_LPE 0x00000020u        /* long packets */
#define E1K_RCTL_LBM_MASK 0x000000C0u   /* loopback: 00 none */
#define E1K_RCTL_RDMTS_HALF 0x00000000u /* RXDMT0 when half the ring is left */
#define E1K_RCTL_MO_MASK 0x00003000u    /* multicast offset: 00 = address bits 47:36 */
#define E1K_RCTL_BAM 0x00008000u        /* accept broadcast */
#define E1K_RCTL_BSIZE_2048 0x00000000u /* BSIZE 00 with BSEX 0: 2048-byte buffers */
#define E1K_RCTL_SECRC 0x04000000u      /* strip the Ethernet CRC */

/* TCTL (§13.4.33) */
#define E1K_TCTL_EN 0x00000002u
#define E1K_TCTL_PSP 0x00000008u /* pad short packets to 64 bytes */
#define E1K_TCTL_CT_SHIFT 4      /* collision threshold, bits 11:4 */
#define E1K_TCTL_COLD_SHIFT 12   /* collision distance, bits 21:12 */
#define E1K_TCTL_CT_VALUE 0x0Fu  /* recommended */
#define E1K_TCTL_COLD_FD 0x40u   /* 64 byte times, full duplex */
#define E1K_TCTL_COLD_HD 0x200u  /* 512 byte times, half duplex */

/* TIPG (§13.4.34, Table 13-77) for 10/100/1000BASE-T on the 82540EP/EM:
 * IPGT 10, IPGR1 8, IPGR2 6. */
#define E1K_TIPG_IPGT 10u
#define E1K_TIPG_IPGR1 8u
#define E1K_TIPG_IPGR2 6u
#define E1K_TIPG_VALUE (E1K_TIPG_IPGT | (E1K_TIPG_IPGR1 << 10) | (E1K_TIPG_IPGR2 << 20))

/* §3.2.3 legacy receive descriptor, 16 bytes. The chip writes length,
 * checksum, status, errors and special back when it has stored a frame. */
typedef struct E1kRxDesc {
    ULONG addr_lo;
    ULONG addr_hi;
    USHORT length; /* bytes stored in this buffer (CRC stripped with SECRC) */
    USHORT csum;
    UCHAR status;
    UCHAR errors;
    USHORT special;
} E1kRxDesc;

#define E1K_RXD_STAT_DD 0x01u  /* descriptor done */
#define E1K_RXD_STAT_EOP 0x02u /* last descriptor of the frame */
/* errors byte: CE (CRC/alignment), SE (symbol), SEQ (sequence), CXE
 * (carrier extension), RXE (RX_ER); TCPE and IPE are checksum-offload
 * results, not frame errors. */
#define E1K_RXD_ERR_CE 0x01u
#define E1K_RXD_ERR_SE 0x02u
#define E1K_RXD_ERR_SEQ 0x04u
#define E1K_RXD_ERR_CXE 0x10u
#define E1K_RXD_ERR_TCPE 0x20u
#define E1K_RXD_ERR_IPE 0x40u
#define E1K_RXD_ERR_RXE 0x80u
#define E1K_RXD_ERR_FRAME                                                                          \
    (E1K_RXD_ERR_CE | E1K_RXD_ERR_SE | E1K_RXD_ERR_SEQ | E1K_RXD_ERR_CXE | E1K_RXD_ERR_RXE)

/* §3.3.3 legacy transmit descriptor, 16 bytes (CMD.DEXT = 0). */
typedef struct E1kTxDesc {
    ULONG addr_lo;
    ULONG addr_hi;
    USHORT length;
    UCHAR cso;
    UCHAR cmd;
    UCHAR status; /* STA in bits 3:0 */
    UCHAR css;
    USHORT special;
} E1kTxDesc;

/* §3.3.3.1 CMD */
#define E1K_TXD_CMD_EOP 0x01u  /* last descriptor of the packet */
#define E1K_TXD_CMD_IFCS 0x02u /* insert the FCS */
#define E1K_TXD_CMD_RS 0x08u   /* report status: write DD back */
/* §3.3.3.2 STA */
#define E1K_TXD_STAT_DD 0x01u /* descriptor done */
#define E1K_TXD_STAT_EC 0x02u /* excess collisions: not sent */
#define E1K_TXD_STAT_LC 0x04u /* late collision */
#define E1K_TXD_STAT_TU 0x08u /* transmit underrun (82544 only) */

#define E1K_DESC_SIZE 16u
#define E1K_RING_ALIGN 128u /* RDLEN/TDLEN: multiples of 128 bytes */

#endif
