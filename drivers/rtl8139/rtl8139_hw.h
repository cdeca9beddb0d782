/* Realtek RTL8139C(L) register set as the driver sees it. Offsets, bit
 * names and values follow the RTL8139C(L) datasheet rev 1.4, section 6
 * "Operational Registers" (section numbers below), section 5 for the
 * EEPROM contents and the 93C46 serial EEPROM datasheet for its Microwire
 * READ command. Written for this driver; it shares nothing with the device
 * model, so neither can lean on the other. */
#ifndef RTL8139_HW_H
#define RTL8139_HW_H

/* Register offsets within the 256-byte window of BAR0 (I/O) or BAR1 (memory). */
#define RTL_IDR0 0x00    /* IDR0-5: station address; 4-byte access (section 6) */
#define RTL_MAR0 0x08    /* MAR0-7: multicast hash; 4-byte access (section 6) */
#define RTL_TSD0 0x10    /* TSD0-3: transmit status of descriptor 0-3 (6.2) */
#define RTL_TSAD0 0x20   /* TSAD0-3: transmit start address of descriptor 0-3 */
#define RTL_RBSTART 0x30 /* receive buffer start address */
#define RTL_CR 0x37      /* command register (6.4) */
#define RTL_CAPR 0x38    /* current address of packet read */
#define RTL_CBR 0x3A     /* current buffer address (the chip's write offset) */
#define RTL_IMR 0x3C     /* interrupt mask (6.5) */
#define RTL_ISR 0x3E     /* interrupt status, write 1 to clear (6.6) */
#define RTL_TCR 0x40     /* transmit configuration (6.7) */
#define RTL_RCR 0x44     /* receive configuration (6.8) */
#define RTL_MPC 0x4C     /* missed packet counter, 24 bits; any write clears */
#define RTL_9346CR 0x50  /* 93C46 command register (6.9) */
#define RTL_MSR 0x58     /* media status (6.12) */
#define RTL_BMSR 0x64    /* basic mode status (6.19) */

#define RTL_TSD(n) (RTL_TSD0 + 4 * (n))
#define RTL_TSAD(n) (RTL_TSAD0 + 4 * (n))
#define RTL_REG_WINDOW 0x100 /* bytes decoded by BAR0 and by BAR1 */

/* TSD (6.2) */
#define RTL_TSD_SIZE 0x00001FFFu /* bytes to send, at most 1792 */
#define RTL_TSD_OWN 0x00002000u  /* 1: the chip has moved the buffer to its FIFO */
#define RTL_TSD_TUN 0x00004000u  /* transmit FIFO underrun */
#define RTL_TSD_TOK 0x00008000u  /* transmit OK */
#define RTL_TSD_ERTXTH_SHIFT 16  /* early TX threshold, units of 32 bytes */
#define RTL_TSD_ERTXTH_MAX 0x3Fu
#define RTL_TSD_NCC_SHIFT 24 /* number of collisions for this packet */
#define RTL_TSD_NCC_MASK 0x0Fu
#define RTL_TSD_CDH 0x10000000u  /* CD heart beat */
#define RTL_TSD_OWC 0x20000000u  /* out of window collision */
#define RTL_TSD_TABT 0x40000000u /* transmit abort */
#define RTL_TSD_CRS 0x80000000u  /* carrier sense lost */
#define RTL_TX_SIZE_MAX 1792u

/* CR (6.4) */
#define RTL_CR_BUFE 0x01u /* receive buffer empty */
#define RTL_CR_TE 0x04u   /* transmitter enable */
#define RTL_CR_RE 0x08u   /* receiver enable */
#define RTL_CR_RST 0x10u  /* software reset; reads 1 until done */

/* IMR / ISR (6.5, 6.6) */
#define RTL_INT_ROK 0x0001u
#define RTL_INT_RER 0x0002u
#define RTL_INT_TOK 0x0004u
#define RTL_INT_TER 0x0008u
#define RTL_INT_RXOVW 0x0010u   /* receive buffer overflow */
#define RTL_INT_PUN 0x0020u     /* packet underrun / link change */
#define RTL_INT_FOVW 0x0040u    /* receive FIFO overflow */
#define RTL_INT_LENCHG 0x2000u  /* cable length change */
#define RTL_INT_TIMEOUT 0x4000u /* TCTR reached TimerInt */
#define RTL_INT_SERR 0x8000u    /* PCI system error */

/* TCR (6.7) */
#define RTL_TCR_MXDMA_SHIFT 8   /* max DMA burst per TX DMA transfer */
#define RTL_TCR_MXDMA_1024 6u   /* 110 = 1024 bytes */
#define RTL_TCR_IFG_SHIFT 24    /* interframe gap */
#define RTL_TCR_IFG_STANDARD 3u /* 11: 9.6 us / 960 ns, the IEEE 802.3 value */
#define RTL_TCR_HWVERID_MASK 0x7CC00000u
#define RTL_TCR_HWVERID_8139C 0x74000000u

/* RCR (6.8) */
#define RTL_RCR_AAP 0x00000001u     /* accept all physical (promiscuous) */
#define RTL_RCR_APM 0x00000002u     /* accept physical match */
#define RTL_RCR_AM 0x00000004u      /* accept multicast (MAR hash) */
#define RTL_RCR_AB 0x00000008u      /* accept broadcast */
#define RTL_RCR_9356SEL 0x00000040u /* 1: the EEPROM is a 93C56 */
#define RTL_RCR_WRAP 0x00000080u    /* 1: write past the ring end (driver slack) */
#define RTL_RCR_MXDMA_SHIFT 8
#define RTL_RCR_MXDMA_UNLIMITED 7u
#define RTL_RCR_RBLEN_SHIFT 11 /* 00 8K+16, 01 16K+16, 10 32K+16, 11 64K+16 */
#define RTL_RCR_RXFTH_SHIFT 13
#define RTL_RCR_RXFTH_NONE 7u /* 111: move whole packets only */

/* Receive packet header status (6.1): 16-bit status, then 16-bit length
 * (frame + 4-byte CRC), at the packet's start in the ring. */
#define RTL_RX_ROK 0x0001u
#define RTL_RX_FAE 0x0002u  /* frame alignment error */
#define RTL_RX_CRC 0x0004u  /* CRC error */
#define RTL_RX_LONG 0x0008u /* longer than 4K */
#define RTL_RX_RUNT 0x0010u /* shorter than 64 bytes */
#define RTL_RX_ISE 0x0020u  /* invalid symbol error (100BASE-TX) */
#define RTL_RX_ERRORS (RTL_RX_FAE | RTL_RX_CRC | RTL_RX_LONG | RTL_RX_RUNT | RTL_RX_ISE)
#define RTL_RX_HEADER 4u
#define RTL_RX_CRC_LEN 4u

/* 9346CR (6.9) */
#define RTL_9346CR_EEDO 0x01u
#define RTL_9346CR_EEDI 0x02u
#define RTL_9346CR_EESK 0x04u
#define RTL_9346CR_EECS 0x08u
#define RTL_9346CR_EEM_NORMAL 0x00u
#define RTL_9346CR_EEM_PROGRAM 0x80u /* EECS/EESK/EEDI drive the EEPROM pins */

/* MSR (6.12) */
#define RTL_MSR_LINKB 0x04u    /* inverse of link status: 1 = link fail */
#define RTL_MSR_SPEED_10 0x08u /* 1 = 10 Mbps, 0 = 100 Mbps */

/* 93C46/93C56 (x16) Microwire READ: start bit, opcode 10, address MSB
 * first, then a dummy 0 and D15..D0 on DO. */
#define RTL_EE_CMD_READ 0x6u /* start bit 1 + opcode 10 */
#define RTL_EE_ADDR_BITS_93C46 6
#define RTL_EE_ADDR_BITS_93C56 8

/* EEPROM words (section 5) */
#define RTL_EE_ID 0          /* 8129h */
#define RTL_EE_ETHERNET_ID 7 /* words 7-9: the MAC, low byte first */
#define RTL_EE_SIGNATURE 0x8129u

#define RTL_PCI_VENDOR 0x10EC
#define RTL_PCI_DEVICE 0x8139
/* Class code base 02h (network controller), sub-class 00h (Ethernet): PCI
 * Code and ID Assignment Specification, appendix D. */
#define RTL_PCI_CLASS_ETHERNET 0x0200u

#endif
