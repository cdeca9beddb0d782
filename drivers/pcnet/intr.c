/* Interrupts, the link and hang checks: MiniportISR, MiniportHandleInterrupt,
 * MiniportEnable/DisableInterrupt, MiniportCheckForHang, the link timer, and
 * the register access they share.
 *
 * Every CSR and BCR access is two port accesses (RAP, then RDP or BDP), and
 * the ISR needs RAP to read CSR0. So, once the interrupt is connected, any
 * access outside the ISR runs inside NdisMSynchronizeWithInterrupt: the ISR
 * can never run between a RAP write and its RDP access, on this processor
 * or another. Before NdisMRegisterInterrupt and after
 * NdisMDeregisterInterrupt the accessors call straight through.
 * CSR0 bits: datasheet "CSR0: Controller Status Register"; INTR and IENA:
 * "Interrupt Operation"; BCR4: "BCR4: Link Status LED". */
#include "pcnet.h"

typedef struct PcnSync {
    PcnAdapter *s;
    ULONG reg;
    USHORT value;
    USHORT result;
    BOOLEAN on;
} PcnSync;

static void pcn_sync_run(PcnAdapter *s, PVOID fn, PcnSync *c)
{
    if (s->have_interrupt)
        NdisMSynchronizeWithInterrupt(&s->interrupt, fn, c);
    else
        ((BOOLEAN(NTAPI *)(PVOID))fn)(c);
}

static BOOLEAN NTAPI pcn_sync_csr_read_fn(PVOID ctx)
{
    PcnSync *c = ctx;
    c->result = pcn_csr_read(c->s, c->reg);
    return TRUE;
}

static BOOLEAN NTAPI pcn_sync_csr_write_fn(PVOID ctx)
{
    PcnSync *c = ctx;
    pcn_csr_write(c->s, c->reg, c->value);
    return TRUE;
}

static BOOLEAN NTAPI pcn_sync_bcr_read_fn(PVOID ctx)
{
    PcnSync *c = ctx;
    c->result = pcn_bcr_read(c->s, c->reg);
    return TRUE;
}

/* CSR0 = value with IENA as the driver wants it, and the driver's copy of
 * IENA with it. Bits written 0 do nothing: the W1C status bits, INIT, STRT,
 * STOP, TDMD. */
static BOOLEAN NTAPI pcn_sync_irq_fn(PVOID ctx)
{
    PcnSync *c = ctx;
    c->s->irq_enabled = c->on;
    pcn_csr_write(c->s, PCN_CSR0, (USHORT)(c->value | (c->on ? PCN_CSR0_IENA : 0)));
    return TRUE;
}

/* A read of RESET is S_RESET ("RESET Register"): CSRs to their reset
 * values (CSR0 = STOP, IENA off), BCRs kept, so DWIO and SWSTYLE stay. */
static BOOLEAN NTAPI pcn_sync_soft_reset_fn(PVOID ctx)
{
    PcnSync *c = ctx;
    c->s->irq_enabled = FALSE;
    (void)pcn_in32(c->s, PCN_DWIO_RESET);
    return TRUE;
}

static BOOLEAN NTAPI pcn_sync_tdmd_fn(PVOID ctx)
{
    PcnSync *c = ctx;
    pcn_csr_write(c->s, PCN_CSR0,
                  (USHORT)(PCN_CSR0_TDMD | (c->s->irq_enabled ? PCN_CSR0_IENA : 0)));
    return TRUE;
}

/* Read CSR0 and acknowledge its status bits (write 1 to clear), leaving
 * IENA off: the DPC runs with the chip's interrupt masked. */
static BOOLEAN NTAPI pcn_sync_ack_fn(PVOID ctx)
{
    PcnSync *c = ctx;
    USHORT csr0 = pcn_csr_read(c->s, PCN_CSR0);
    c->result = csr0;
    if (csr0 != 0xFFFF && (csr0 & PCN_CSR0_STATUS))
        pcn_csr_write(c->s, PCN_CSR0, (USHORT)(csr0 & PCN_CSR0_STATUS));
    return TRUE;
}

USHORT pcn_sync_csr_read(PcnAdapter *s, ULONG n)
{
    PcnSync c = {s, n, 0, 0, FALSE};
    pcn_sync_run(s, (PVOID)pcn_sync_csr_read_fn, &c);
    return c.result;
}

void pcn_sync_csr_write(PcnAdapter *s, ULONG n, USHORT v)
{
    PcnSync c = {s, n, v, 0, FALSE};
    pcn_sync_run(s, (PVOID)pcn_sync_csr_write_fn, &c);
}

USHORT pcn_sync_bcr_read(PcnAdapter *s, ULONG n)
{
    PcnSync c = {s, n, 0, 0, FALSE};
    pcn_sync_run(s, (PVOID)pcn_sync_bcr_read_fn, &c);
    return c.result;
}

void pcn_sync_irq(PcnAdapter *s, BOOLEAN on)
{
    pcn_sync_csr0(s, 0, on);
}

void pcn_sync_csr0(PcnAdapter *s, USHORT value, BOOLEAN iena)
{
    PcnSync c = {s, 0, value, 0, iena};
    if (s->removed)
        return;
    pcn_sync_run(s, (PVOID)pcn_sync_irq_fn, &c);
}

void pcn_sync_soft_reset(PcnAdapter *s)
{
    PcnSync c = {s, 0, 0, 0, FALSE};
    if (s->removed)
        return;
    pcn_sync_run(s, (PVOID)pcn_sync_soft_reset_fn, &c);
}

/* Transmit demand: poll the ring now rather than at the next polling
 * interval ("CSR0: TDMD"). */
void pcn_sync_tdmd(PcnAdapter *s)
{
    PcnSync c = {s, 0, 0, 0, FALSE};
    if (s->removed || !s->started)
        return;
    pcn_sync_run(s, (PVOID)pcn_sync_tdmd_fn, &c);
}

/* The line is shared and level-triggered. With IENA off the chip does not
 * drive INTA#, so the interrupt is someone else's; otherwise it is ours if
 * CSR0.INTR is set. Claiming it clears IENA (INTA# drops) until the DPC
 * is done. RAP is put back as found. */
VOID NTAPI pcn_isr(PBOOLEAN InterruptRecognized, PBOOLEAN QueueMiniportHandleInterrupt,
                   NDIS_HANDLE MiniportAdapterContext)
{
    PcnAdapter *s = MiniportAdapterContext;
    ULONG rap;
    USHORT csr0;

    TEST_ISR_HOOK();
    *InterruptRecognized = FALSE;
    *QueueMiniportHandleInterrupt = FALSE;
    if (!s->irq_enabled || s->removed)
        return;
    rap = pcn_in32(s, PCN_DWIO_RAP);
    csr0 = pcn_csr_read(s, PCN_CSR0);
    if (csr0 != 0xFFFF && (csr0 & PCN_CSR0_INTR)) {
        pcn_csr_write(s, PCN_CSR0, 0); /* IENA off; 0 leaves every other bit */
        s->irq_enabled = FALSE;
        *InterruptRecognized = TRUE;
        *QueueMiniportHandleInterrupt = TRUE;
    }
    pcn_out32(s, PCN_DWIO_RAP, rap & 0xFF);
}

/* CSR112 counts missed frames (no receive descriptor owned) and wraps;
 * add what it counted since the last look. DPC and timer: DISPATCH_LEVEL. */
void pcn_missed_update(PcnAdapter *s)
{
    USHORT now;

    NdisDprAcquireSpinLock(&s->lock);
    now = pcn_sync_csr_read(s, PCN_CSR112);
    s->rcv_no_buffer += (USHORT)(now - s->missed_last);
    s->missed_last = now;
    NdisDprReleaseSpinLock(&s->lock);
}

VOID NTAPI pcn_handle_interrupt(NDIS_HANDLE MiniportAdapterContext)
{
    PcnAdapter *s = MiniportAdapterContext;
    ULONG round;

    if (s->removed || s->halting)
        return;
    for (round = 0; round < PCN_DPC_ROUNDS; round++) {
        PcnSync c = {s, 0, 0, 0, FALSE};
        USHORT csr0;

        pcn_sync_run(s, (PVOID)pcn_sync_ack_fn, &c);
        csr0 = c.result;
        if (csr0 == 0xFFFF) {
            s->hw_error = TRUE;
            break;
        }
        if (!(csr0 & PCN_CSR0_STATUS))
            break;
        if (csr0 & PCN_CSR0_MERR) {
            /* A bus master access failed; the chip has stopped its DMA.
             * CheckForHang reports it and NDIS resets the adapter. */
            DbgPrint("pcnet: memory error (CSR0 %04x)\n", csr0);
            s->hw_error = TRUE;
        }
        if (csr0 & PCN_CSR0_BABL) { /* a transmitted frame was too long */
            NdisDprAcquireSpinLock(&s->lock);
            s->xmit_error++;
            NdisDprReleaseSpinLock(&s->lock);
        }
        if (csr0 & PCN_CSR0_MISS)
            pcn_missed_update(s);
        if (csr0 & PCN_CSR0_RINT)
            pcn_rx(s);
        if (csr0 & PCN_CSR0_TINT)
            pcn_tx_complete(s, TRUE);
        /* IDON is masked (CSR3) and polled where INIT is given; CERR (SQE
         * test) needs nothing. Both were acknowledged above. */
        if (s->hw_error)
            break;
    }
    /* A completion may have raced the acknowledge: look once more. */
    pcn_tx_complete(s, TRUE);
    if (!s->hw_error)
        pcn_sync_irq(s, TRUE);
}

/* Called by NDIS at DIRQL, synchronized with the ISR: touch CSR0 directly. */
VOID NTAPI pcn_enable_interrupt(NDIS_HANDLE MiniportAdapterContext)
{
    PcnAdapter *s = MiniportAdapterContext;

    if (s->removed || s->hw_error || !s->started)
        return;
    s->irq_enabled = TRUE;
    pcn_csr_write(s, PCN_CSR0, PCN_CSR0_IENA);
}

VOID NTAPI pcn_disable_interrupt(NDIS_HANDLE MiniportAdapterContext)
{
    PcnAdapter *s = MiniportAdapterContext;

    if (s->removed)
        return;
    pcn_csr_write(s, PCN_CSR0, 0);
    s->irq_enabled = FALSE;
}

/* The 970A has no link-change interrupt. BCR4 drives the LNKST LED; with
 * LNKSTE set its LEDOUT bit reads 1 while the 10BASE-T link passes. */
BOOLEAN pcn_link_read(PcnAdapter *s)
{
    USHORT bcr4 = pcn_sync_bcr_read(s, PCN_BCR4);
    return bcr4 != 0xFFFF && (bcr4 & PCN_LED_LEDOUT) != 0;
}

/* Periodic (LinkCheckInterval ms): the link, and CSR112 before it wraps. */
VOID NTAPI pcn_link_timer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2,
                          PVOID SystemSpecific3)
{
    PcnAdapter *s = FunctionContext;
    BOOLEAN up, changed = FALSE;

    if (s->halting || s->removed)
        return;
    up = pcn_link_read(s);
    NdisDprAcquireSpinLock(&s->lock);
    if (up != s->link_up) {
        s->link_up = up;
        changed = TRUE;
    }
    NdisDprReleaseSpinLock(&s->lock);
    if (changed) {
        NdisMIndicateStatus(s->handle,
                            up ? NDIS_STATUS_MEDIA_CONNECT : NDIS_STATUS_MEDIA_DISCONNECT, NULL, 0);
        NdisMIndicateStatusComplete(s->handle);
    }
    pcn_missed_update(s);
}

/* Hung: a memory error was seen; the receiver or transmitter went off
 * without STOP; or the oldest packet in the ring made no progress over
 * PCN_HANG_TICKS calls. */
BOOLEAN NTAPI pcn_check_for_hang(NDIS_HANDLE MiniportAdapterContext)
{
    PcnAdapter *s = MiniportAdapterContext;
    USHORT csr0;
    BOOLEAN stuck = FALSE;

    if (s->removed || s->halting)
        return FALSE;
    if (s->hw_error) /* also after a restart whose INIT failed */
        return TRUE;
    if (!s->started)
        return FALSE;
    /* Under the lock: a filter restart stops the chip for a moment. */
    NdisAcquireSpinLock(&s->lock);
    csr0 = pcn_sync_csr_read(s, PCN_CSR0);
    if (s->started && (csr0 == 0xFFFF || (csr0 & (PCN_CSR0_TXON | PCN_CSR0_RXON)) !=
                                             (PCN_CSR0_TXON | PCN_CSR0_RXON))) {
        NdisReleaseSpinLock(&s->lock);
        DbgPrint("pcnet: receiver or transmitter off (CSR0 %04x)\n", csr0);
        return TRUE;
    }
    if (s->rec_count == 0 || s->tx_done != s->hang_done) {
        s->hang_done = s->tx_done;
        s->hang_ticks = 0;
    } else if (++s->hang_ticks >= PCN_HANG_TICKS) {
        s->hang_ticks = 0;
        stuck = TRUE;
    }
    NdisReleaseSpinLock(&s->lock);
    if (stuck)
        DbgPrint("pcnet: transmit ring stuck (CSR0 %04x)\n", csr0);
    return stuck;
}
