/* AMD Am79C970A (PCnet-PCI II) as the driver sees it: the I/O window in
 * double-word I/O mode, the CSR and BCR bits the driver uses, the 32-bit
 * initialization block and the SWSTYLE 2 descriptors. Names and values
 * follow the Am79C970A datasheet, AMD publication 19436 rev E (section
 * names below are its headings). Written for this driver; it shares
 * nothing with the device model, so neither can lean on the other. */
#ifndef PCNET_HW_H
#define PCNET_HW_H

/* "I/O Resources": APROM at 00h-0Fh; then, in word I/O mode (after
 * H_RESET), RDP 10h, RAP 12h, RESET 14h, BDP 16h (16-bit accesses); in
 * double-word I/O mode RDP 10h, RAP 14h, RESET 18h, BDP 1Ch (32-bit). A
 * 32-bit write to RDP switches the chip to DWIO; only H_RESET leaves it. */
#define PCN_APROM 0x00
#define PCN_WIO_RDP 0x10
#define PCN_WIO_RAP 0x12
#define PCN_WIO_RESET 0x14
#define PCN_DWIO_RDP 0x10
#define PCN_DWIO_RAP 0x14
#define PCN_DWIO_RESET 0x18
#define PCN_DWIO_BDP 0x1C
#define PCN_IO_WINDOW 0x20 /* BAR0: 32 bytes */

/* APROM bytes 14-15 ("WW") on boards programmed with AMD's EEPROM map. */
#define PCN_APROM_WW 0x57u

/* CSR numbers ("Control and Status Registers") */
#define PCN_CSR0 0     /* controller status */
#define PCN_CSR1 1     /* IADR[15:0]: initialization block address */
#define PCN_CSR2 2     /* IADR[31:16] */
#define PCN_CSR3 3     /* interrupt masks and deferral control */
#define PCN_CSR4 4     /* test and features control */
#define PCN_CSR15 15   /* MODE */
#define PCN_CSR88 88   /* chip ID lower */
#define PCN_CSR89 89   /* chip ID upper */
#define PCN_CSR112 112 /* missed frame count */

/* CSR0 */
#define PCN_CSR0_INIT 0x0001u
#define PCN_CSR0_STRT 0x0002u
#define PCN_CSR0_STOP 0x0004u
#define PCN_CSR0_TDMD 0x0008u
#define PCN_CSR0_TXON 0x0010u
#define PCN_CSR0_RXON 0x0020u
#define PCN_CSR0_IENA 0x0040u
#define PCN_CSR0_INTR 0x0080u
#define PCN_CSR0_IDON 0x0100u
#define PCN_CSR0_TINT 0x0200u
#define PCN_CSR0_RINT 0x0400u
#define PCN_CSR0_MERR 0x0800u
#define PCN_CSR0_MISS 0x1000u
#define PCN_CSR0_CERR 0x2000u
#define PCN_CSR0_BABL 0x4000u
#define PCN_CSR0_ERR 0x8000u
/* The write-1-to-clear status bits of CSR0. */
#define PCN_CSR0_STATUS                                                                            \
    (PCN_CSR0_IDON | PCN_CSR0_TINT | PCN_CSR0_RINT | PCN_CSR0_MERR | PCN_CSR0_MISS |               \
     PCN_CSR0_CERR | PCN_CSR0_BABL)

/* CSR3: a mask bit set keeps its source from asserting INTR. */
#define PCN_CSR3_DXSUFLO 0x0040u /* transmitter keeps running after UFLO */
#define PCN_CSR3_IDONM 0x0100u
#define PCN_CSR3_TINTM 0x0200u
#define PCN_CSR3_RINTM 0x0400u
#define PCN_CSR3_MERRM 0x0800u
#define PCN_CSR3_MISSM 0x1000u
#define PCN_CSR3_BABLM 0x4000u

/* CSR4 (reset value 0115h: JABM, TXSTRTM, RCVCCOM, MFCOM) */
#define PCN_CSR4_JABM 0x0001u
#define PCN_CSR4_TXSTRTM 0x0004u
#define PCN_CSR4_RCVCCOM 0x0010u
#define PCN_CSR4_MFCOM 0x0100u
#define PCN_CSR4_APAD_XMT 0x0800u /* pad short transmit frames to 64 bytes with FCS */

/* CSR15 MODE (also word 0 of the initialization block) */
#define PCN_MODE_DRCVPA 0x2000u /* disable receive of the physical address */
#define PCN_MODE_DRCVBC 0x4000u /* disable receive of broadcast */
#define PCN_MODE_PROM 0x8000u   /* promiscuous */

/* CSR88/89: the 32-bit chip ID; PARTID is bits 27-12, 2621h for the 970A. */
#define PCN_PARTID_970A 0x2621u

/* BCR numbers ("Bus Configuration Registers") */
#define PCN_BCR4 4   /* LNKST: link status LED */
#define PCN_BCR18 18 /* burst and bus control (DWIO bit) */
#define PCN_BCR20 20 /* SWS: software style */

#define PCN_LED_LNKSTE 0x0040u /* BCR4-7: link status enable */
#define PCN_LED_LEDOUT 0x8000u /* BCR4-7: the LED's status, read only */
#define PCN_BCR18_DWIO 0x0080u
#define PCN_BCR20_SWSTYLE_MASK 0x00FFu
#define PCN_BCR20_SWSTYLE_2 0x0002u /* PCnet-PCI: 32-bit descriptors and block */
#define PCN_BCR20_SSIZE32 0x0100u

/* The initialization block with SSIZE32 = 1 ("Initialization Block",
 * 28 bytes, DWORD aligned): MODE; RLEN and TLEN as log2 of the ring
 * length in bits 7-4 of bytes 2 and 3; PADR; reserved; LADRF; RDRA;
 * TDRA. */
#pragma pack(push, 1)
typedef struct PcnInitBlock {
    USHORT mode;
    UCHAR rlen; /* RLEN << 4 */
    UCHAR tlen; /* TLEN << 4 */
    UCHAR padr[6];
    USHORT reserved;
    UCHAR ladrf[8];
    ULONG rdra;
    ULONG tdra;
} PcnInitBlock;
#pragma pack(pop)
#define PCN_RLEN_SHIFT 4
#define PCN_INIT_BLOCK_SIZE 28u

/* SWSTYLE 2 descriptors ("Descriptor Rings", RMD0-3 / TMD0-3): 16 bytes,
 * 16-byte aligned; word 0 the buffer address, word 1 OWN and the flags
 * with the buffer size, word 2 status or message count, word 3 for the
 * driver. The chip writes word 2 before word 1 when it hands a
 * descriptor back. */
typedef struct PcnDesc {
    ULONG addr;
    ULONG flags;
    ULONG misc;
    ULONG user;
} PcnDesc;
#define PCN_DESC_SIZE 16u

#define PCN_DESC_OWN 0x80000000u /* 1: the chip owns the descriptor */
#define PCN_DESC_ERR 0x40000000u
#define PCN_DESC_STP 0x02000000u  /* start of packet */
#define PCN_DESC_ENP 0x01000000u  /* end of packet */
#define PCN_DESC_ONES 0x0000F000u /* must be written as ones */
#define PCN_DESC_BCNT 0x00000FFFu /* two's complement of the buffer length */
#define PCN_BCNT(len) ((0u - (ULONG)(len)) & PCN_DESC_BCNT)

/* RMD1 */
#define PCN_RMD1_FRAM 0x20000000u /* framing error */
#define PCN_RMD1_OFLO 0x10000000u /* overflow: FIFO or buffers ran out */
#define PCN_RMD1_CRC 0x08000000u
#define PCN_RMD1_BUFF 0x04000000u /* buffer error: no next descriptor */
/* RMD2 */
#define PCN_RMD2_MCNT 0x00000FFFu /* message byte count, FCS included */

/* TMD1 */
#define PCN_TMD1_MORE 0x10000000u /* more than one retry */
#define PCN_TMD1_ONE 0x08000000u  /* exactly one retry */
#define PCN_TMD1_DEF 0x04000000u  /* deferred */
/* TMD2 */
#define PCN_TMD2_BUFF 0x80000000u
#define PCN_TMD2_UFLO 0x40000000u
#define PCN_TMD2_EXDEF 0x20000000u
#define PCN_TMD2_LCOL 0x10000000u
#define PCN_TMD2_LCAR 0x08000000u
#define PCN_TMD2_RTRY 0x04000000u

#define PCN_PCI_VENDOR 0x1022
#define PCN_PCI_DEVICE 0x2000
/* Class code base 02h (network controller), sub-class 00h (Ethernet): PCI
 * Code and ID Assignment Specification, appendix D. */
#define PCN_PCI_CLASS_ETHERNET 0x0200u

#endif
