/* The NE2000 card as the driver sees it: a National Semiconductor DP8390D
 * NIC behind a 32-byte I/O window, with 16 KB of packet buffer and the
 * station address PROM in the card's local address space. Register
 * offsets, bit names and values follow the DP8390D/NS32490D datasheet
 * (July 1995), section 10 "Internal Registers" (register address table,
 * CR, ISR, IMR, DCR, TCR, TSR, RCR, RSR), and the Realtek RTL8029AS
 * datasheet (LS009.0) for the PCI part: section 5.1.2.2 (8029ID0/1) and
 * 6.2.2 (ID PROM contents). Written for this driver; it shares nothing with
 * the device model, so neither can lean on the other. */
#ifndef NE2000_HW_H
#define NE2000_HW_H

/* I/O window: 00h-0Fh the DP8390 registers of the page CR.PS selects,
 * 10h the remote DMA data port, 1Fh the reset port (NE2000 card). */
#define NE_IO_SIZE 0x20u
#define NE_DATA 0x10u  /* data port: remote DMA reads and writes */
#define NE_RESET 0x1Fu /* a read asserts RESET, a write releases it */

/* Page 0, read (DP8390D register address table) */
#define NE_CR 0x00u /* command register, every page */
#define NE_P0_CLDA0 0x01u
#define NE_P0_CLDA1 0x02u
#define NE_P0_BNRY 0x03u
#define NE_P0_TSR 0x04u
#define NE_P0_NCR 0x05u
#define NE_P0_FIFO 0x06u
#define NE_P0_ISR 0x07u
#define NE_P0_CRDA0 0x08u
#define NE_P0_CRDA1 0x09u
#define NE_P0_8029ID0 0x0Au /* RTL8029AS 5.1.2.2: reads 50h 'P' */
#define NE_P0_8029ID1 0x0Bu /* reads 43h 'C' */
#define NE_P0_RSR 0x0Cu
#define NE_P0_CNTR0 0x0Du /* frame alignment errors, cleared by reading */
#define NE_P0_CNTR1 0x0Eu /* CRC errors */
#define NE_P0_CNTR2 0x0Fu /* missed packets */

/* Page 0, write */
#define NE_P0_PSTART 0x01u
#define NE_P0_PSTOP 0x02u
/* BNRY 03h and ISR 07h are read and written at the same offset */
#define NE_P0_TPSR 0x04u
#define NE_P0_TBCR0 0x05u
#define NE_P0_TBCR1 0x06u
#define NE_P0_RSAR0 0x08u
#define NE_P0_RSAR1 0x09u
#define NE_P0_RBCR0 0x0Au
#define NE_P0_RBCR1 0x0Bu
#define NE_P0_RCR 0x0Cu
#define NE_P0_TCR 0x0Du
#define NE_P0_DCR 0x0Eu
#define NE_P0_IMR 0x0Fu

/* Page 1, read and write */
#define NE_P1_PAR0 0x01u /* PAR0-5: physical address */
#define NE_P1_CURR 0x07u /* current page: where the next packet goes */
#define NE_P1_MAR0 0x08u /* MAR0-7: multicast hash filter */

/* CR (section 10, Command Register) */
#define NE_CR_STP 0x01u
#define NE_CR_STA 0x02u
#define NE_CR_TXP 0x04u
#define NE_CR_RD_READ 0x08u  /* RD2:0 = 001 remote read */
#define NE_CR_RD_WRITE 0x10u /* 010 remote write */
#define NE_CR_RD_ABORT 0x20u /* 1xx abort/complete remote DMA */
#define NE_CR_RD_MASK 0x38u
#define NE_CR_PAGE0 0x00u
#define NE_CR_PAGE1 0x40u

/* ISR / IMR (section 10) */
#define NE_ISR_PRX 0x01u /* packet received without error */
#define NE_ISR_PTX 0x02u /* packet transmitted without error */
#define NE_ISR_RXE 0x04u /* receive error: CRC, frame alignment, missed */
#define NE_ISR_TXE 0x08u /* transmit error: excessive collisions, FIFO underrun */
#define NE_ISR_OVW 0x10u /* receive buffer ring exhausted */
#define NE_ISR_CNT 0x20u /* a tally counter's MSB is set */
#define NE_ISR_RDC 0x40u /* remote DMA complete */
#define NE_ISR_RST 0x80u /* in reset (stopped) or after an overflow; status only */
#define NE_ISR_EVENTS 0x7Fu

/* DCR (section 10, Data Configuration Register) */
#define NE_DCR_WTS 0x01u /* word-wide DMA transfers */
#define NE_DCR_BOS 0x02u /* byte order: 0 = 80x86 (low byte on AD0-7) */
#define NE_DCR_LAS 0x04u
#define NE_DCR_LS 0x08u  /* 1 = normal operation (not loopback) */
#define NE_DCR_AR 0x10u  /* auto-initialize remote (Send Packet) */
#define NE_DCR_FT1 0x40u /* FIFO threshold 10: 8 bytes (4 words) */

/* TCR (section 10, Transmit Configuration Register) */
#define NE_TCR_CRC 0x01u       /* 1 = inhibit CRC generation */
#define NE_TCR_LB_NORMAL 0x00u /* LB1:LB0 = 00 */
#define NE_TCR_LB_NIC 0x02u    /* 01: loopback mode 1, internal to the NIC */

/* TSR (section 10, Transmit Status Register) */
#define NE_TSR_PTX 0x01u
#define NE_TSR_COL 0x04u /* collided at least once (NCR has the count) */
#define NE_TSR_ABT 0x08u /* aborted after 16 collisions */
#define NE_TSR_CRS 0x10u /* carrier lost */
#define NE_TSR_FU 0x20u  /* FIFO underrun */
#define NE_TSR_CDH 0x40u
#define NE_TSR_OWC 0x80u /* out of window collision */

/* RCR (section 10, Receive Configuration Register) */
#define NE_RCR_SEP 0x01u /* save errored packets */
#define NE_RCR_AR 0x02u  /* accept runts */
#define NE_RCR_AB 0x04u  /* accept broadcast */
#define NE_RCR_AM 0x08u  /* accept multicast through MAR */
#define NE_RCR_PRO 0x10u /* promiscuous physical */
#define NE_RCR_MON 0x20u /* monitor: check addresses, buffer nothing */

/* RSR / the receive status byte of a buffered packet's header */
#define NE_RSR_PRX 0x01u
#define NE_RSR_CRC 0x02u
#define NE_RSR_FAE 0x04u
#define NE_RSR_FO 0x08u
#define NE_RSR_MPA 0x10u
#define NE_RSR_PHY 0x20u /* multicast or broadcast destination */

/* The card's local address space (NE2000): the ID PROM at 0000h, each byte
 * seen on both byte lanes in word mode (RTL8029AS 6.2.2: Ethernet ID,
 * then "WW" at bytes 14-15); 16 KB of buffer RAM at 4000h-7FFFh. */
#define NE_PROM_ADDR 0x0000u
#define NE_PROM_BYTES 32u /* 16 bytes, each doubled */
#define NE_PROM_SIG_OFFSET 14u
#define NE_PROM_SIG 0x57u /* 'W' */
#define NE_PAGE_SIZE 256u
#define NE_MEM_FIRST_PAGE 0x40u
#define NE_MEM_END_PAGE 0x80u /* one past the last page */

/* Every packet in the receive ring starts with this header (DP8390D
 * section 7.0, "Storage Format"): receive status, next packet pointer,
 * receive byte count (frame + CRC) low, high. */
#define NE_RX_HEADER 4u
#define NE_RX_CRC 4u

#define NE_RTL8029_ID0 0x50u
#define NE_RTL8029_ID1 0x43u
#define NE_PCI_VENDOR 0x10ECu
#define NE_PCI_DEVICE 0x8029u

/* PCI configuration space (PCI 3.0 section 6.2) */
#define NE_PCI_CFG_ID 0x00u      /* vendor ID, device ID */
#define NE_PCI_CFG_CLASS 0x0Au   /* sub-class, base class */
/* base class 02h (network controller), sub-class 00h (Ethernet): PCI Code
 * and ID Assignment Specification, appendix D */
#define NE_PCI_CLASS_ETHERNET 0x0200u
#define NE_PCI_CFG_COMMAND 0x04u /* bit 0: I/O space decoding */
#define NE_PCI_COMMAND_IO 0x0001u
#define NE_PCI_CFG_BAR0 0x10u /* I/O BAR: bit 0 set, address in 31:2 */
#define NE_PCI_BAR_IO 0x1u
#define NE_PCI_BAR_IO_MASK 0xFFFFFFFCu
#define NE_PCI_CFG_INTERRUPT_LINE 0x3Cu

#endif
