/* Interrupts, the link and hang checks: MiniportISR, MiniportHandleInterrupt,
 * MiniportEnable/DisableInterrupt, MiniportCheckForHang and the link timer.
 * ISR bits and their meaning: datasheet sections 6.5 (IMR) and 6.6 (ISR);
 * MSR link bits: 6.12. */
#include "rtl8139.h"

#define RTL_DPC_ROUNDS 16 /* ISR re-reads per DPC before leaving the rest to the next interrupt */

static BOOLEAN NTAPI rtl_sync_irq_on(PVOID ctx)
{
    RtlAdapter *s = ctx;
    s->irq_enabled = TRUE;
    rtl_w16(s, RTL_IMR, RTL_INT_MASK);
    return TRUE;
}

static BOOLEAN NTAPI rtl_sync_irq_off(PVOID ctx)
{
    RtlAdapter *s = ctx;
    rtl_w16(s, RTL_IMR, 0);
    s->irq_enabled = FALSE;
    return TRUE;
}

/* IMR on or off, synchronized with the ISR once the interrupt is connected. */
void rtl_irq_set(RtlAdapter *s, BOOLEAN on)
{
    if (s->removed)
        return;
    if (s->have_interrupt)
        NdisMSynchronizeWithInterrupt(&s->interrupt,
                                      on ? (PVOID)rtl_sync_irq_on : (PVOID)rtl_sync_irq_off, s);
    else if (on)
        rtl_sync_irq_on(s);
    else
        rtl_sync_irq_off(s);
}

/* The line may be shared: claim the interrupt only if the chip has an
 * enabled cause pending. Masking IMR drops INTA# until the DPC is done. */
VOID NTAPI rtl_isr(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt,
                   NDIS_HANDLE MiniportAdapterContext)
{
    RtlAdapter *s = MiniportAdapterContext;
    USHORT isr;

    TEST_ISR_HOOK();
    *InterruptRecognized = FALSE;
    *QueueMiniportHandleInterrupt = FALSE;
    if (!s->irq_enabled || s->removed)
        return;
    isr = rtl_r16(s, RTL_ISR);
    if (isr == 0xFFFF || (isr & RTL_INT_MASK) == 0) /* 0xFFFF: nobody answers the read */
        return;
    rtl_w16(s, RTL_IMR, 0);
    s->irq_enabled = FALSE;
    *InterruptRecognized = TRUE;
    *QueueMiniportHandleInterrupt = TRUE;
}

VOID NTAPI rtl_handle_interrupt(NDIS_HANDLE MiniportAdapterContext)
{
    RtlAdapter *s = MiniportAdapterContext;
    ULONG round;

    if (s->removed || s->halting)
        return;
    for (round = 0; round < RTL_DPC_ROUNDS; round++) {
        USHORT isr = rtl_r16(s, RTL_ISR);

        if (isr == 0xFFFF) {
            s->hw_error = TRUE;
            break;
        }
        isr &= RTL_INT_MASK;
        if (isr == 0)
            break;
        /* Acknowledge first (write 1 to clear, 6.6): an event after this
         * point raises its bit again and is seen in the next round. */
        rtl_w16(s, RTL_ISR, isr);
        if (isr & RTL_INT_SERR) {
            /* A PCI bus error stops the chip's DMA: CheckForHang reports
             * it and NDIS resets the adapter. */
            DbgPrint("rtl8139: PCI system error (ISR %04x)\n", isr);
            s->hw_error = TRUE;
        }
        /* RXOVW / FOVW (6.6): the ring or the FIFO was full and frames were
         * dropped (counted by MPC). Emptying the ring is the recovery. */
        if (isr & (RTL_INT_ROK | RTL_INT_RER | RTL_INT_RXOVW | RTL_INT_FOVW))
            rtl_rx(s);
        if (isr & (RTL_INT_RXOVW | RTL_INT_FOVW)) {
            s->rcv_no_buffer += rtl_r32(s, RTL_MPC) & 0x00FFFFFFu;
            rtl_w32(s, RTL_MPC, 0);
        }
        if (isr & (RTL_INT_TOK | RTL_INT_TER))
            rtl_tx_complete(s);
        if (isr & RTL_INT_PUN)
            rtl_link_update(s, TRUE);
        if (s->hw_error)
            break;
    }
    /* Always look at the transmit side: a completion may have raced the
     * acknowledge above. */
    rtl_tx_complete(s);
    if (!s->hw_error)
        rtl_irq_set(s, TRUE);
}

VOID NTAPI rtl_enable_interrupt(NDIS_HANDLE MiniportAdapterContext)
{
    RtlAdapter *s = MiniportAdapterContext;
    if (!s->removed && !s->hw_error)
        rtl_sync_irq_on(s);
}

VOID NTAPI rtl_disable_interrupt(NDIS_HANDLE MiniportAdapterContext)
{
    RtlAdapter *s = MiniportAdapterContext;
    if (!s->removed)
        rtl_sync_irq_off(s);
}

/* Link from MSR.LINKB (active low) and speed from MSR.SPEED_10 (6.12). */
void rtl_link_update(RtlAdapter *s, BOOLEAN indicate)
{
    UCHAR msr;
    BOOLEAN up;

    if (s->removed)
        return;
    msr = rtl_r8(s, RTL_MSR);
    up = (msr & RTL_MSR_LINKB) == 0;
    s->speed_100 = (msr & RTL_MSR_SPEED_10) == 0;
    if (up == s->link_up)
        return;
    s->link_up = up;
    if (indicate) {
        NdisMIndicateStatus(s->handle,
                            up ? NDIS_STATUS_MEDIA_CONNECT : NDIS_STATUS_MEDIA_DISCONNECT, NULL, 0);
        NdisMIndicateStatusComplete(s->handle);
    }
}

/* Periodic (LinkCheckInterval ms): the link, for chips or PHYs that do not
 * raise LinkChg, and the missed-packet counter before it saturates. */
VOID NTAPI rtl_link_timer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2,
                          PVOID SystemSpecific3)
{
    RtlAdapter *s = FunctionContext;

    if (s->halting || s->removed)
        return;
    rtl_link_update(s, TRUE);
    s->rcv_no_buffer += rtl_r32(s, RTL_MPC) & 0x00FFFFFFu;
    rtl_w32(s, RTL_MPC, 0);
}

/* Hung: a bus error or ring corruption was seen, or the oldest transmit
 * descriptor made no progress over RTL_HANG_TICKS calls. */
BOOLEAN NTAPI rtl_check_for_hang(NDIS_HANDLE MiniportAdapterContext)
{
    RtlAdapter *s = MiniportAdapterContext;

    if (s->removed || s->halting)
        return FALSE;
    if (s->hw_error)
        return TRUE;
    if (s->tx_busy == 0 || s->tx_done != s->hang_done) {
        s->hang_done = s->tx_done;
        s->hang_ticks = 0;
        return FALSE;
    }
    if (++s->hang_ticks < RTL_HANG_TICKS)
        return FALSE;
    DbgPrint("rtl8139: transmitter stuck at descriptor %lu (TSD %08lx)\n", s->tx_tail,
             rtl_r32(s, RTL_TSD(s->tx_tail)));
    s->hang_ticks = 0;
    return TRUE;
}
