/* Remote DMA (DP8390D section 9.0): the only way to the card's buffer
 * memory. The host loads RSAR (start address) and RBCR (byte count),
 * issues remote read (CR.RD = 001) or remote write (010), then moves the
 * bytes through the data port; the NIC counts RBCR down and sets ISR.RDC
 * when it reaches 0. The driver runs the DMA in word mode (DCR.WTS = 1,
 * BOS = 0: the byte at the lower address on D7-D0, which is the x86 order
 * of a USHORT), one word per data port access, with the programmed I/O
 * buffer functions (NdisRawRead/WritePortBufferUshort). Callers are
 * serialized by NDIS; MiniportISR never touches the remote DMA. */
#include "ne2000.h"

static void ne_dma_setup(NeAdapter *s, ULONG addr, ULONG count)
{
    ne_w8(s, NE_P0_RBCR0, (UCHAR)count);
    ne_w8(s, NE_P0_RBCR1, (UCHAR)(count >> 8));
    ne_w8(s, NE_P0_RSAR0, (UCHAR)addr);
    ne_w8(s, NE_P0_RSAR1, (UCHAR)(addr >> 8));
}

/* RDC follows the last transfer; acknowledge it (write 1 to clear). A card
 * that never completes is gone or wedged: stop the DMA and report it. */
static BOOLEAN ne_dma_finish(NeAdapter *s)
{
    ULONG i;

    for (i = 0; i < NE_RDC_POLLS; i++) {
        if (ne_r8(s, NE_P0_ISR) & NE_ISR_RDC) {
            ne_w8(s, NE_P0_ISR, NE_ISR_RDC);
            return TRUE;
        }
        NdisStallExecution(1);
    }
    ne_cmd(s, NE_CR_RD_ABORT);
    if (!s->hw_error)
        DbgPrint("ne2000: remote DMA did not complete (ISR %02x)\n", ne_r8(s, NE_P0_ISR));
    s->hw_error = TRUE;
    return FALSE;
}

/* len bytes from card address addr. Word mode moves whole words, so an odd
 * start or end is widened to the even word and the extra byte dropped. */
BOOLEAN ne_dma_read(NeAdapter *s, ULONG addr, PUCHAR dst, ULONG len)
{
    ULONG lead = addr & 1u;
    USHORT w;

    if (len == 0)
        return TRUE;
    ne_dma_setup(s, addr - lead, (lead + len + 1u) & ~1u);
    ne_cmd(s, NE_CR_RD_READ);
    if (lead) {
        NdisRawReadPortUshort(s->port + NE_DATA, &w);
        *dst++ = (UCHAR)(w >> 8);
        len--;
    }
    if (len >= 2) {
        NdisRawReadPortBufferUshort(s->port + NE_DATA, (PUSHORT)dst, len / 2);
        dst += len & ~1u;
    }
    if (len & 1u) {
        NdisRawReadPortUshort(s->port + NE_DATA, &w);
        *dst = (UCHAR)w;
    }
    return ne_dma_finish(s);
}

/* len bytes to card address addr (even: the transmit buffers start on
 * pages); an odd length is completed with a zero byte. */
BOOLEAN ne_dma_write(NeAdapter *s, ULONG addr, const UCHAR *src, ULONG len)
{
    if (len == 0)
        return TRUE;
    ne_dma_setup(s, addr, (len + 1u) & ~1u);
    ne_cmd(s, NE_CR_RD_WRITE);
    if (len >= 2)
        NdisRawWritePortBufferUshort(s->port + NE_DATA, (PUSHORT)src, len / 2);
    if (len & 1u)
        NdisRawWritePortUshort(s->port + NE_DATA, (USHORT)src[len - 1]);
    return ne_dma_finish(s);
}

/* An address past the end of the receive ring, brought back to its start
 * (the NIC links pages from PSTOP - 1 to PSTART, DP8390D 7.0). */
ULONG ne_ring_addr(ULONG addr)
{
    if (addr >= NE_RX_PSTOP * NE_PAGE_SIZE)
        addr -= NE_RX_RING_SIZE;
    return addr;
}

/* len bytes of the receive ring from addr, following the wrap at PSTOP.
 * The split is done here rather than left to the DMA address counter, so
 * the driver does not depend on the remote DMA wrapping at PSTOP. */
BOOLEAN ne_ring_read(NeAdapter *s, ULONG addr, PUCHAR dst, ULONG len)
{
    ULONG end = NE_RX_PSTOP * NE_PAGE_SIZE;
    ULONG first;

    addr = ne_ring_addr(addr);
    first = end - addr;
    if (len <= first)
        return ne_dma_read(s, addr, dst, len);
    if (!ne_dma_read(s, addr, dst, first))
        return FALSE;
    return ne_dma_read(s, NE_RX_PSTART * NE_PAGE_SIZE, dst + first, len - first);
}
