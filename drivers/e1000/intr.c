/* Interrupts, the link, statistics and hang checks: MiniportISR,
 * MiniportHandleInterrupt, MiniportEnable/DisableInterrupt,
 * MiniportCheckForHang.
 *
 * ICR is cleared by its read (§13.4.17), so only the ISR reads it while
 * the chip's interrupt is unmasked. The ISR claims an interrupt when ICR
 * shows one of the causes the driver unmasked, saves the causes for the
 * DPC and masks the chip (IMC, all ones); NDIS then calls
 * MiniportHandleInterrupt, and after it MiniportEnableInterrupt, which
 * unmasks (IMS) again ("DPC Handler (NDIS 5.1)": NDIS calls
 * MiniportEnableInterrupt after MiniportHandleInterrupt returns). While
 * the chip is masked (irq_enabled FALSE) the ISR, called for another
 * device on a shared line, leaves every register alone, so the DPC may
 * read ICR itself. irq_enabled and the mask change together, inside
 * NdisMSynchronizeWithInterrupt. */
#include "e1000.h"

typedef struct E1kSync {
    E1kAdapter *s;
    BOOLEAN on;
    ULONG result;
} E1kSync;

static void e1k_sync_run(E1kAdapter *s, PVOID fn, E1kSync *c)
{
    if (s->have_interrupt)
        NdisMSynchronizeWithInterrupt(&s->interrupt, fn, c);
    else
        ((BOOLEAN(NTAPI *)(PVOID))fn)(c);
}

static BOOLEAN NTAPI e1k_sync_irq_fn(PVOID ctx)
{
    E1kSync *c = ctx;
    E1kAdapter *s = c->s;

    s->irq_enabled = c->on;
    if (c->on)
        e1k_wr(s, E1K_IMS, E1K_IMS_VALUE);
    else
        e1k_wr(s, E1K_IMC, E1K_INT_ALL);
    return TRUE;
}

/* The causes the ISR saved, handed to the DPC. */
static BOOLEAN NTAPI e1k_sync_take_fn(PVOID ctx)
{
    E1kSync *c = ctx;
    c->result = c->s->icr_pending;
    c->s->icr_pending = 0;
    return TRUE;
}

/* Unmask (IMS) or mask (IMC) the chip's interrupt, with the driver's copy. */
void e1k_sync_irq(E1kAdapter *s, BOOLEAN on)
{
    E1kSync c = {s, on, 0};
    if (s->removed)
        return;
    e1k_sync_run(s, (PVOID)e1k_sync_irq_fn, &c);
}

/* The line is shared and level-triggered. With the chip masked it cannot
 * be driving INTA#: the interrupt is someone else's, and ICR must not be
 * read (the read would clear causes the DPC has not seen). Otherwise it is
 * ours if ICR holds a cause the driver unmasked. */
VOID NTAPI e1k_isr(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt,
                   NDIS_HANDLE MiniportAdapterContext)
{
    E1kAdapter *s = MiniportAdapterContext;
    ULONG icr;

    *InterruptRecognized = FALSE;
    *QueueMiniportHandleInterrupt = FALSE;
    if (!s->irq_enabled || s->removed)
        return;
    icr = e1k_rd(s, E1K_ICR);
    if (icr == 0xFFFFFFFFu || !(icr & E1K_IMS_VALUE))
        return;
#ifdef TEST_HANG_IN_ISR
    /* Test build: the first interrupt for traffic (a frame received or
     * sent, not the link change of start-up) never returns. */
    if (icr & (E1K_INT_RXT0 | E1K_INT_TXDW))
        for (;;)
            KeMemoryBarrier();
#endif
    e1k_wr(s, E1K_IMC, E1K_INT_ALL);
    s->irq_enabled = FALSE;
    s->icr_pending |= icr;
    *InterruptRecognized = TRUE;
    *QueueMiniportHandleInterrupt = TRUE;
}

/* Link state from STATUS (§13.4.2): LU, and FD and SPEED as the MAC
 * resolved them from the PHY. Returns LU; speed and duplex are kept. */
BOOLEAN e1k_link_read(E1kAdapter *s)
{
    ULONG st = e1k_rd(s, E1K_STATUS);
    ULONG speed;

    if (st == 0xFFFFFFFFu)
        return FALSE;
    speed = (st & E1K_STATUS_SPEED_MASK) >> E1K_STATUS_SPEED_SHIFT;
    s->speed_mbps = speed == 0 ? 10 : speed == 1 ? 100 : 1000;
    s->full_duplex = (st & E1K_STATUS_FD) != 0;
    return (st & E1K_STATUS_LU) != 0;
}

/* TCTL for the current duplex (§13.4.33: COLD 40h full, 200h half;
 * CT 0Fh; pad short packets). Lock held (or not yet shared). */
void e1k_tctl_write(E1kAdapter *s)
{
    ULONG cold = s->full_duplex ? E1K_TCTL_COLD_FD : E1K_TCTL_COLD_HD;

    e1k_wr(s, E1K_TCTL,
           E1K_TCTL_EN | E1K_TCTL_PSP | (E1K_TCTL_CT_VALUE << E1K_TCTL_CT_SHIFT) |
               (cold << E1K_TCTL_COLD_SHIFT));
}

/* Read the link and tell NDIS if it changed (never inside
 * MiniportInitialize, never with the lock held). why: for a change found
 * without an LSC interrupt. IRQL <= DISPATCH_LEVEL. */
void e1k_link_check(E1kAdapter *s, const char *why)
{
    BOOLEAN up, changed = FALSE, duplex;

    NdisAcquireSpinLock(&s->lock);
    duplex = s->full_duplex;
    up = e1k_link_read(s);
    if (up != s->link_up) {
        s->link_up = up;
        changed = TRUE;
    }
    if (up && s->started && duplex != s->full_duplex)
        e1k_tctl_write(s);
    NdisReleaseSpinLock(&s->lock);
    if (!changed)
        return;
    if (why != NULL)
        DbgPrint("e1000: link %s %s\n", up ? "up" : "down", why);
    if (s->ready) {
        NdisMIndicateStatus(s->handle,
                            up ? NDIS_STATUS_MEDIA_CONNECT : NDIS_STATUS_MEDIA_DISCONNECT, NULL, 0);
        NdisMIndicateStatusComplete(s->handle);
    }
}

VOID NTAPI e1k_handle_interrupt(NDIS_HANDLE MiniportAdapterContext)
{
    E1kAdapter *s = MiniportAdapterContext;
    E1kSync c = {s, FALSE, 0};
    ULONG icr, round;

    if (s->removed || s->halting)
        return;
    e1k_sync_run(s, (PVOID)e1k_sync_take_fn, &c);
    icr = c.result;
    for (round = 0; round < E1K_DPC_ROUNDS && icr != 0; round++) {
        if (icr == 0xFFFFFFFFu) {
            DbgPrint("e1000: ICR reads all ones: the chip is gone\n");
            s->hw_error = TRUE;
            break;
        }
        if (icr & E1K_INT_LSC)
            e1k_link_check(s, NULL);
        if (icr & (E1K_INT_RXO | E1K_INT_RXSEQ)) {
            NdisDprAcquireSpinLock(&s->lock);
            if (icr & E1K_INT_RXO)
                s->sw_rx_overrun_ints++;
            NdisDprReleaseSpinLock(&s->lock);
        }
        if (icr & (E1K_INT_RXT0 | E1K_INT_RXO | E1K_INT_RXDMT0 | E1K_INT_RXSEQ))
            e1k_rx(s);
        if (icr & E1K_INT_TXDW)
            e1k_tx_complete(s);
        /* Masked, so this read races no ISR: causes that came meanwhile. */
        icr = e1k_rd(s, E1K_ICR);
        if (icr != 0xFFFFFFFFu)
            icr &= E1K_IMS_VALUE;
    }
    /* NDIS calls MiniportEnableInterrupt next. */
}

/* Called by NDIS at DIRQL, synchronized with the ISR. */
VOID NTAPI e1k_enable_interrupt(NDIS_HANDLE MiniportAdapterContext)
{
    E1kAdapter *s = MiniportAdapterContext;

    if (s->removed || s->halting || s->hw_error || !s->started)
        return;
    s->irq_enabled = TRUE;
    e1k_wr(s, E1K_IMS, E1K_IMS_VALUE);
}

VOID NTAPI e1k_disable_interrupt(NDIS_HANDLE MiniportAdapterContext)
{
    E1kAdapter *s = MiniportAdapterContext;

    if (s->removed)
        return;
    e1k_wr(s, E1K_IMC, E1K_INT_ALL);
    s->irq_enabled = FALSE;
}

/* The counters the driver keeps (§13.7; each clears when read), and
 * where their totals are. */
static const struct {
    USHORT reg;
    USHORT field;
} e1k_stat_regs[] = {
    {E1K_CRCERRS, FIELD_OFFSET(E1kAdapter, st_crcerrs)},
    {E1K_ALGNERRC, FIELD_OFFSET(E1kAdapter, st_algnerrc)},
    {E1K_SYMERRS, FIELD_OFFSET(E1kAdapter, st_symerrs)},
    {E1K_RXERRC, FIELD_OFFSET(E1kAdapter, st_rxerrc)},
    {E1K_MPC, FIELD_OFFSET(E1kAdapter, st_mpc)},
    {E1K_SCC, FIELD_OFFSET(E1kAdapter, st_scc)},
    {E1K_ECOL, FIELD_OFFSET(E1kAdapter, st_ecol)},
    {E1K_MCC, FIELD_OFFSET(E1kAdapter, st_mcc)},
    {E1K_LATECOL, FIELD_OFFSET(E1kAdapter, st_latecol)},
    {E1K_DC, FIELD_OFFSET(E1kAdapter, st_dc)},
    {E1K_TNCRS, FIELD_OFFSET(E1kAdapter, st_tncrs)},
    {E1K_RLEC, FIELD_OFFSET(E1kAdapter, st_rlec)},
    {E1K_GPRC, FIELD_OFFSET(E1kAdapter, st_gprc)},
    {E1K_GPTC, FIELD_OFFSET(E1kAdapter, st_gptc)},
    {E1K_RNBC, FIELD_OFFSET(E1kAdapter, st_rnbc)},
};

/* Add the chip's counters to the driver's totals. Lock held. */
void e1k_stats_update_locked(E1kAdapter *s)
{
    ULONG i;

    if (s->removed || s->regs == NULL)
        return;
    for (i = 0; i < sizeof e1k_stat_regs / sizeof e1k_stat_regs[0]; i++)
        *(ULONG64 *)((PUCHAR)s + e1k_stat_regs[i].field) += e1k_rd(s, e1k_stat_regs[i].reg);
}

/* Read the counters and forget what they held (a fresh start). */
void e1k_stats_discard(E1kAdapter *s)
{
    ULONG i;

    for (i = 0; i < sizeof e1k_stat_regs / sizeof e1k_stat_regs[0]; i++)
        (void)e1k_rd(s, e1k_stat_regs[i].reg);
}

/* Every NDIS hang-check period (2 s): the counters (none can wrap in that
 * time), the link (a change LSC did not report is said loudly), and hung
 * when the chip stopped answering, or packets sit in the transmit ring
 * with no completion over E1K_HANG_TICKS calls. */
BOOLEAN NTAPI e1k_check_for_hang(NDIS_HANDLE MiniportAdapterContext)
{
    E1kAdapter *s = MiniportAdapterContext;
    BOOLEAN stuck = FALSE;
    ULONG st;

    if (s->removed || s->halting)
        return FALSE;
    if (s->hw_error)
        return TRUE;
    if (!s->started)
        return FALSE;
    st = e1k_rd(s, E1K_STATUS);
    if (st == 0xFFFFFFFFu) {
        DbgPrint("e1000: STATUS reads all ones\n");
        s->hw_error = TRUE;
        return TRUE;
    }
    e1k_link_check(s, "without a link status change interrupt");
    NdisAcquireSpinLock(&s->lock);
    e1k_stats_update_locked(s);
    if (s->rec_count == 0 || s->tx_done != s->hang_done) {
        s->hang_done = s->tx_done;
        s->hang_ticks = 0;
    } else if (++s->hang_ticks >= E1K_HANG_TICKS) {
        s->hang_ticks = 0;
        stuck = TRUE;
    }
    NdisReleaseSpinLock(&s->lock);
    if (stuck)
        DbgPrint("e1000: transmit ring stuck (TDH %lu TDT %lu, %lu packets)\n", e1k_rd(s, E1K_TDH),
                 e1k_rd(s, E1K_TDT), s->rec_count);
    return stuck;
}
