/* Interrupts and the hang check: MiniportISR, MiniportHandleInterrupt,
 * MiniportEnable/DisableInterrupt, MiniportCheckForHang, the receive
 * buffer ring overflow recovery and the tally counters. ISR and IMR bits:
 * DP8390D section 10; the overflow procedure: section 7.0 "Buffer Ring
 * Overflow"; tally counters: section 10 "Network Tally Counters". */
#include "ne2000.h"

static BOOLEAN NTAPI ne_sync_irq_on(PVOID ctx)
{
    NeAdapter *s = ctx;
    s->irq_enabled = TRUE;
    ne_w8(s, NE_P0_IMR, NE_IMR_MASK);
    return TRUE;
}

static BOOLEAN NTAPI ne_sync_irq_off(PVOID ctx)
{
    NeAdapter *s = ctx;
    ne_w8(s, NE_P0_IMR, 0);
    s->irq_enabled = FALSE;
    return TRUE;
}

/* IMR on or off, synchronized with MiniportISR once the interrupt is
 * connected (MiniportISR writes IMR too). */
void ne_irq_set(NeAdapter *s, BOOLEAN on)
{
    if (s->have_interrupt)
        NdisMSynchronizeWithInterrupt(&s->interrupt,
                                      on ? (PVOID)ne_sync_irq_on : (PVOID)ne_sync_irq_off, s);
    else if (on)
        ne_sync_irq_on(s);
    else
        ne_sync_irq_off(s);
}

/* CURR is on page 1, where offsets 07h and 0Fh are CURR and MAR7 instead of
 * ISR and IMR: the page switch must not be seen by MiniportISR. From the
 * DPC the ISR already stands off (IMR 0); synchronizing keeps that true for
 * any caller. */
static BOOLEAN NTAPI ne_sync_read_curr(PVOID ctx)
{
    NeAdapter *s = ctx;
    UCHAR curr;

    ne_cmd(s, NE_CR_RD_ABORT | NE_CR_PAGE1);
    curr = ne_r8(s, NE_P1_CURR);
    ne_cmd(s, NE_CR_RD_ABORT | NE_CR_PAGE0);
    s->curr = curr; /* the synchronized function's BOOLEAN cannot carry it */
    return TRUE;
}

UCHAR ne_read_curr(NeAdapter *s)
{
    if (s->have_interrupt)
        NdisMSynchronizeWithInterrupt(&s->interrupt, (PVOID)ne_sync_read_curr, s);
    else
        ne_sync_read_curr(s);
    return s->curr;
}

/* CNTR0-2 clear when read (DP8390D 10, "Network Tally Counters"). In
 * monitor mode (packet filter 0) CNTR2 counts the packets that were only
 * looked at, not missed ones: those are not statistics. */
void ne_read_tallies(NeAdapter *s)
{
    UCHAR fae = ne_r8(s, NE_P0_CNTR0);
    UCHAR crc = ne_r8(s, NE_P0_CNTR1);
    UCHAR missed = ne_r8(s, NE_P0_CNTR2);

    s->rcv_align += fae;
    s->rcv_crc += crc;
    s->rcv_error += fae + crc;
    if (!s->monitoring)
        s->rcv_no_buffer += missed;
}

/* The line may be shared (PCI): claim the interrupt only if the NIC has an
 * enabled cause pending. Masking IMR drops the interrupt output until the
 * DPC has run. The rest of the driver keeps CR on page 0 outside
 * NdisMSynchronizeWithInterrupt, so offsets 07h and 0Fh are ISR and IMR
 * here; MiniportISR never touches CR or the remote DMA. */
VOID NTAPI ne_isr(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt,
                  NDIS_HANDLE MiniportAdapterContext)
{
    NeAdapter *s = MiniportAdapterContext;
    UCHAR isr;

    TEST_ISR_HOOK();
    *InterruptRecognized = FALSE;
    *QueueMiniportHandleInterrupt = FALSE;
    if (!s->irq_enabled)
        return;
    isr = ne_r8(s, NE_P0_ISR);
    if (isr == 0xFF || (isr & NE_IMR_MASK) == 0) /* 0xFF: nobody answers the read */
        return;
    ne_w8(s, NE_P0_IMR, 0);
    s->irq_enabled = FALSE;
    *InterruptRecognized = TRUE;
    *QueueMiniportHandleInterrupt = TRUE;
}

/* DP8390D 7.0 "Buffer Ring Overflow": the NIC stopped storing packets when
 * CURR would have reached BNRY, and needs a software reset to receive
 * again. The datasheet's procedure, step by step; "remove one or more
 * packets" is the normal receive walk (it empties the ring). */
static BOOLEAN ne_overflow(NeAdapter *s)
{
    UCHAR txp, isr;
    BOOLEAN resend = FALSE, more;
    ULONG waited;

    s->rcv_overrun++;
    /* 1: was a transmission in progress? */
    txp = ne_r8(s, NE_CR) & NE_CR_TXP;
    /* 2: STOP (21h) */
    s->cr_run = NE_CR_STP;
    ne_cmd(s, NE_CR_RD_ABORT | NE_CR_PAGE0);
    /* 3: at least 1.6 ms for a reception or transmission in progress to
     * end; ISR.RST is not a reliable indicator, per the datasheet. */
    for (waited = 0; waited < NE_STOP_WAIT_US; waited += 50)
        NdisStallExecution(50);
    /* 4 */
    ne_w8(s, NE_P0_RBCR0, 0);
    ne_w8(s, NE_P0_RBCR1, 0);
    /* 5: resend if the transmission neither completed nor failed */
    if (txp) {
        isr = ne_r8(s, NE_P0_ISR);
        resend = (isr & (NE_ISR_PTX | NE_ISR_TXE)) == 0;
    }
    /* 6: loopback mode 1, so nothing from the cable enters the ring */
    ne_w8(s, NE_P0_TCR, NE_TCR_LB_NIC);
    /* 7: START (22h): activates the remote DMA channel */
    s->cr_run = NE_CR_STA;
    ne_cmd(s, NE_CR_RD_ABORT | NE_CR_PAGE0);
    /* 8: remove packets from the ring */
    more = ne_rx(s);
    /* 9 */
    ne_w8(s, NE_P0_ISR, NE_ISR_OVW);
    /* 10: out of loopback */
    ne_w8(s, NE_P0_TCR, NE_TCR_LB_NORMAL);
    /* 11 */
    if (resend)
        ne_cmd(s, NE_CR_RD_ABORT | NE_CR_TXP);
    /* CNTR2 counted the packets missed while the ring was full. */
    ne_read_tallies(s);
    return more;
}

VOID NTAPI ne_handle_interrupt(NDIS_HANDLE MiniportAdapterContext)
{
    NeAdapter *s = MiniportAdapterContext;
    BOOLEAN rx_more = FALSE;
    ULONG round;

    for (round = 0; round < NE_DPC_ROUNDS; round++) {
        UCHAR isr = ne_r8(s, NE_P0_ISR);

        if (isr == 0xFF) {
            s->hw_error = TRUE;
            break;
        }
        isr &= NE_ISR_EVENTS;
        if (isr == 0 && !rx_more)
            break;
        /* Acknowledge first (write 1 to clear): an event after this point
         * sets its bit again and is seen in the next round. OVW is cleared
         * by the recovery procedure itself (step 9). */
        if (isr & ~NE_ISR_OVW)
            ne_w8(s, NE_P0_ISR, (UCHAR)(isr & ~NE_ISR_OVW));
        if (isr & (NE_ISR_PTX | NE_ISR_TXE))
            ne_tx_done(s, isr);
        if (isr & NE_ISR_OVW)
            rx_more = ne_overflow(s);
        else if ((isr & (NE_ISR_PRX | NE_ISR_RXE)) || rx_more)
            rx_more = ne_rx(s);
        /* CNT: a counter passed 128; RXE: a frame was lost or damaged
         * (CNTR0-2). RDC is polled by the remote DMA code and not enabled
         * in IMR; a stray one was acknowledged above. */
        if (isr & (NE_ISR_CNT | NE_ISR_RXE))
            ne_read_tallies(s);
        if (s->hw_error)
            break;
    }
    if (!s->hw_error)
        ne_irq_set(s, TRUE);
}

VOID NTAPI ne_enable_interrupt(NDIS_HANDLE MiniportAdapterContext)
{
    NeAdapter *s = MiniportAdapterContext;
    if (!s->hw_error)
        ne_sync_irq_on(s);
}

VOID NTAPI ne_disable_interrupt(NDIS_HANDLE MiniportAdapterContext)
{
    ne_sync_irq_off(MiniportAdapterContext);
}

/* Hung: the card stopped answering, or a transmission has not finished
 * over NE_HANG_TICKS calls (NDIS's default period, about 2 s). Also
 * collects the tally counters before they saturate. */
BOOLEAN NTAPI ne_check_for_hang(NDIS_HANDLE MiniportAdapterContext)
{
    NeAdapter *s = MiniportAdapterContext;

    if (s->hw_error)
        return TRUE;
    ne_read_tallies(s);
    if (!s->tx_active || s->tx_done != s->hang_done) {
        s->hang_done = s->tx_done;
        s->hang_ticks = 0;
        return FALSE;
    }
    if (++s->hang_ticks < NE_HANG_TICKS)
        return FALSE;
    DbgPrint("ne2000: transmit from page %02lx stuck (TSR %02x, ISR %02x)\n",
             NE_TX_FIRST_PAGE + s->tx_tail * NE_TX_PAGES, ne_r8(s, NE_P0_TSR), ne_r8(s, NE_P0_ISR));
    s->hang_ticks = 0;
    return TRUE;
}
