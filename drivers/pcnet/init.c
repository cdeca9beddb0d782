/* Bringing an Am79C970A up and down: MiniportInitialize, MiniportHalt,
 * MiniportReset, the shutdown and PnP handlers, and the chip programming
 * they share (datasheet "I/O Resources", "RESET Register", "Software
 * Style", "Initialization Block", "CSR0"; learn.microsoft.com
 * "Initializing a Miniport Driver (NDIS 5.1)" for the order of the NDIS
 * calls). */
#include "pcnet.h"

static NDIS_STRING kw_link_check = RTL_CONSTANT_STRING(L"LinkCheckInterval");

static ULONG pcn_config_ulong(NDIS_HANDLE cfg, PNDIS_STRING name, ULONG def, ULONG min, ULONG max)
{
    NDIS_STATUS status;
    PNDIS_CONFIGURATION_PARAMETER p = NULL;
    ULONG v;

    NdisReadConfiguration(&status, &p, cfg, name, NdisParameterInteger);
    if (status != NDIS_STATUS_SUCCESS || p == NULL ||
        (p->ParameterType != NdisParameterInteger && p->ParameterType != NdisParameterHexInteger))
        return def;
    v = p->ParameterData.IntegerData;
    return (v < min || v > max) ? def : v;
}

static BOOLEAN pcn_addr_valid(const UCHAR *a)
{
    ULONG i, or_bits = 0, and_bits = 0xFF;
    for (i = 0; i < PCN_ETH_ADDR; i++) {
        or_bits |= a[i];
        and_bits &= a[i];
    }
    /* Not all zero, not broadcast, not a group address (I/G bit). */
    return or_bits != 0 && and_bits != 0xFF && !(a[0] & 0x01);
}

/* Registry parameters and the NetworkAddress override. */
static NDIS_STATUS pcn_read_config(PcnAdapter *s, NDIS_HANDLE wrapper_ctx, UCHAR *override,
                                   BOOLEAN *have_override)
{
    NDIS_STATUS status;
    NDIS_HANDLE cfg;
    PVOID addr = NULL;
    UINT addr_len = 0;

    s->link_check_ms = PCN_LINK_CHECK_DEFAULT;
    *have_override = FALSE;
    NdisOpenConfiguration(&status, &cfg, wrapper_ctx);
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    s->link_check_ms = pcn_config_ulong(cfg, &kw_link_check, PCN_LINK_CHECK_DEFAULT,
                                        PCN_LINK_CHECK_MIN, PCN_LINK_CHECK_MAX);
    /* The string is NDIS's until NdisCloseConfiguration: copy it now. */
    NdisReadNetworkAddress(&status, &addr, &addr_len, cfg);
    if (status == NDIS_STATUS_SUCCESS && addr != NULL && addr_len == PCN_ETH_ADDR) {
        if (pcn_addr_valid(addr)) {
            NdisMoveMemory(override, addr, PCN_ETH_ADDR);
            *have_override = TRUE;
        } else {
            DbgPrint("pcnet: NetworkAddress ignored: not a unicast address\n");
        }
    }
    NdisCloseConfiguration(cfg);
    return NDIS_STATUS_SUCCESS;
}

/* An Ethernet controller, and the PCI command register: I/O space (bit 0)
 * and bus master (bit 2) enabled (PCI 3.0 section 6.2.2). The vendor and
 * device ID are not checked: Windows binds the driver by its INF's hardware
 * IDs, and boards carry their maker's IDs (CSR88/89 identify the chip). */
static NDIS_STATUS pcn_pci_check(PcnAdapter *s)
{
    UCHAR cfg[12];
    USHORT cmd = 0, want;

    if (NdisReadPciSlotInformation(s->handle, 0, 0, cfg, sizeof cfg) != sizeof cfg)
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    if ((cfg[11] << 8 | cfg[10]) != PCN_PCI_CLASS_ETHERNET) {
        DbgPrint("pcnet: PCI %02x%02x:%02x%02x class %02x%02x%02x is not an Ethernet "
                 "controller\n",
                 cfg[1], cfg[0], cfg[3], cfg[2], cfg[11], cfg[10], cfg[9]);
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }
    if (cfg[0] != (PCN_PCI_VENDOR & 0xFF) || cfg[1] != PCN_PCI_VENDOR >> 8 ||
        cfg[2] != (PCN_PCI_DEVICE & 0xFF) || cfg[3] != PCN_PCI_DEVICE >> 8)
        DbgPrint("pcnet: board %02x%02x:%02x%02x\n", cfg[1], cfg[0], cfg[3], cfg[2]);
    if (NdisReadPciSlotInformation(s->handle, 0, 4, &cmd, sizeof cmd) != sizeof cmd)
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    want = (USHORT)(cmd | 0x0001 | 0x0004);
    if (want != cmd) {
        DbgPrint("pcnet: PCI command %04x -> %04x (I/O, bus master)\n", cmd, want);
        NdisWritePciSlotInformation(s->handle, 0, 4, &want, sizeof want);
    }
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS pcn_query_resources(PcnAdapter *s, NDIS_HANDLE wrapper_ctx)
{
    ULONG buf[(sizeof(NDIS_RESOURCE_LIST) + 8 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)) /
              sizeof(ULONG)];
    PNDIS_RESOURCE_LIST list = (PNDIS_RESOURCE_LIST)buf;
    UINT size = sizeof buf;
    NDIS_STATUS status;
    ULONG i;

    NdisMQueryAdapterResources(&status, wrapper_ctx, list, &size);
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    for (i = 0; i < list->Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &list->PartialDescriptors[i];
        switch (d->Type) {
        case CmResourceTypePort:
            if (s->io_len == 0) {
                s->io_start = d->u.Port.Start.LowPart;
                s->io_len = d->u.Port.Length;
            }
            break;
        case CmResourceTypeInterrupt:
            if (!s->have_int_res) {
                s->int_vector = d->u.Interrupt.Vector;
                s->int_level = d->u.Interrupt.Level;
                /* PCI INTA# is level-sensitive and may be shared. */
                s->int_mode = (d->Flags & CM_RESOURCE_INTERRUPT_LATCHED)
                                  ? NdisInterruptLatched
                                  : NdisInterruptLevelSensitive;
                s->have_int_res = TRUE;
            }
            break;
        default:
            break;
        }
    }
    if (s->io_len < PCN_IO_WINDOW) {
        DbgPrint("pcnet: no I/O port range of %u bytes\n", PCN_IO_WINDOW);
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    if (!s->have_int_res) {
        DbgPrint("pcnet: no interrupt assigned\n");
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    return NDIS_STATUS_SUCCESS;
}

/* Find the chip's I/O mode, reset it and leave it in double-word I/O
 * mode ("I/O Resources", "RESET Register"). After H_RESET the chip is in
 * word I/O mode; a driver loaded before may have left it in DWIO, which
 * only H_RESET undoes. A read of RESET is S_RESET, after which CSR0 reads
 * 0004h (STOP). A 32-bit write to RDP enters DWIO; RAP is 0, so should the
 * chip also write the data to CSR0, a 0 there changes nothing. */
static BOOLEAN pcn_hw_probe(PcnAdapter *s)
{
    USHORT w = 0;

    NdisRawReadPortUshort(s->port_base + PCN_WIO_RESET, &w);
    NdisRawWritePortUshort(s->port_base + PCN_WIO_RAP, PCN_CSR0);
    NdisRawReadPortUshort(s->port_base + PCN_WIO_RDP, &w);
    if (w == PCN_CSR0_STOP)
        pcn_out32(s, PCN_DWIO_RDP, 0);
    (void)pcn_in32(s, PCN_DWIO_RESET);
    if (pcn_csr_read(s, PCN_CSR0) != PCN_CSR0_STOP)
        return FALSE;
    return (pcn_bcr_read(s, PCN_BCR18) & PCN_BCR18_DWIO) != 0;
}

/* Chip ID, software style 2, the link LED. The chip is stopped. */
static NDIS_STATUS pcn_hw_setup(PcnAdapter *s)
{
    ULONG id = pcn_csr_read(s, PCN_CSR88) | (ULONG)pcn_csr_read(s, PCN_CSR89) << 16;
    USHORT sws, bcr4;

    s->partid = (id >> 12) & 0xFFFF;
    if (s->partid != PCN_PARTID_970A)
        DbgPrint("pcnet: chip ID %08lx: PARTID %04lx is not the Am79C970A's %04x, "
                 "driving it as one\n",
                 id, s->partid, PCN_PARTID_970A);

    /* BCR20 SWSTYLE = 2: 32-bit descriptors and initialization block;
     * the chip sets SSIZE32 ("BCR20: Software Style"). */
    pcn_bcr_write(s, PCN_BCR20, PCN_BCR20_SWSTYLE_2);
    sws = pcn_bcr_read(s, PCN_BCR20);
    if ((sws & PCN_BCR20_SWSTYLE_MASK) != PCN_BCR20_SWSTYLE_2 || !(sws & PCN_BCR20_SSIZE32)) {
        DbgPrint("pcnet: BCR20 reads %04x after SWSTYLE 2\n", sws);
        return NDIS_STATUS_HARD_ERRORS;
    }

    /* The driver reads the link from BCR4's LEDOUT: it needs the link
     * status enable there (the reset value has it). */
    bcr4 = pcn_bcr_read(s, PCN_BCR4);
    if (!(bcr4 & PCN_LED_LNKSTE)) {
        DbgPrint("pcnet: BCR4 %04x without LNKSTE: enabling it\n", bcr4);
        pcn_bcr_write(s, PCN_BCR4, (USHORT)((bcr4 & ~PCN_LED_LEDOUT) | PCN_LED_LNKSTE));
    }
    return NDIS_STATUS_SUCCESS;
}

/* The station address: APROM bytes 0-5, read as double words in DWIO mode. */
static NDIS_STATUS pcn_read_mac(PcnAdapter *s)
{
    UCHAR rom[16];
    ULONG i;

    for (i = 0; i < 4; i++) {
        ULONG v = pcn_in32(s, PCN_APROM + 4 * i);
        rom[4 * i] = (UCHAR)v;
        rom[4 * i + 1] = (UCHAR)(v >> 8);
        rom[4 * i + 2] = (UCHAR)(v >> 16);
        rom[4 * i + 3] = (UCHAR)(v >> 24);
    }
    if (rom[14] != PCN_APROM_WW || rom[15] != PCN_APROM_WW)
        DbgPrint("pcnet: APROM without the 'WW' signature (%02x %02x)\n", rom[14], rom[15]);
    NdisMoveMemory(s->perm_addr, rom, PCN_ETH_ADDR);
    if (!pcn_addr_valid(s->perm_addr)) {
        DbgPrint("pcnet: no valid station address in the APROM\n");
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS pcn_alloc_shared(PcnAdapter *s)
{
    PVOID va = NULL;
    ULONG i;

    NdisMAllocateSharedMemory(s->handle, sizeof(PcnShared), FALSE, &va, &s->sh_pa);
    if (va == NULL)
        return NDIS_STATUS_RESOURCES;
    s->sh = va;
    /* Descriptors 16-byte aligned, the init block DWORD aligned, all below
     * 4 GB ("Descriptor Rings", "Initialization Block"). */
    if (s->sh_pa.HighPart != 0 || (s->sh_pa.LowPart & (PCN_DESC_SIZE - 1)) != 0) {
        DbgPrint("pcnet: shared memory at %08lx:%08lx is not usable for the rings\n",
                 s->sh_pa.HighPart, s->sh_pa.LowPart);
        return NDIS_STATUS_RESOURCES;
    }
    NdisZeroMemory(s->sh, sizeof(PcnShared));

    va = NULL;
    NdisMAllocateSharedMemory(s->handle, PCN_TX_BOUNCE * PCN_BUF_SIZE, TRUE, &va, &s->bounce_pa);
    if (va == NULL)
        return NDIS_STATUS_RESOURCES;
    s->bounce = va;
    if (s->bounce_pa.HighPart != 0)
        return NDIS_STATUS_RESOURCES;
    s->bounce_free = (1u << PCN_TX_BOUNCE) - 1;

    for (i = 0; i < PCN_RX_BUFS; i++) {
        PcnRxBuf *b = &s->rxb[i];
        va = NULL;
        NdisMAllocateSharedMemory(s->handle, PCN_BUF_SIZE, TRUE, &va, &b->pa);
        if (va == NULL)
            return NDIS_STATUS_RESOURCES;
        b->va = va;
        s->rxb_allocated = i + 1;
        if (b->pa.HighPart != 0)
            return NDIS_STATUS_RESOURCES;
    }
    return NDIS_STATUS_SUCCESS;
}

/* One packet and one buffer descriptor per receive buffer. */
static NDIS_STATUS pcn_alloc_rx_packets(PcnAdapter *s)
{
    NDIS_STATUS status;
    ULONG i;

    NdisAllocatePacketPool(&status, &s->packet_pool, PCN_RX_BUFS, PROTOCOL_RESERVED_SIZE_IN_PACKET);
    if (status != NDIS_STATUS_SUCCESS) {
        s->packet_pool = NULL;
        return status;
    }
    NdisAllocateBufferPool(&status, &s->buffer_pool, PCN_RX_BUFS);
    if (status != NDIS_STATUS_SUCCESS) {
        s->buffer_pool = NULL;
        return status;
    }
    for (i = 0; i < s->rxb_allocated; i++) {
        PcnRxBuf *b = &s->rxb[i];
        NdisAllocatePacket(&status, &b->packet, s->packet_pool);
        if (status != NDIS_STATUS_SUCCESS) {
            b->packet = NULL;
            return status;
        }
        NdisAllocateBuffer(&status, &b->buffer, s->buffer_pool, b->va, PCN_BUF_SIZE);
        if (status != NDIS_STATUS_SUCCESS) {
            b->buffer = NULL;
            return status;
        }
        NdisChainBufferAtFront(b->packet, b->buffer);
        NDIS_SET_PACKET_HEADER_SIZE(b->packet, PCN_ETH_HEADER);
        *(ULONG *)b->packet->MiniportReserved = i;
    }
    /* The first PCN_RX_DESCS buffers start in the ring, the rest are spare. */
    for (i = 0; i < PCN_RX_DESCS; i++)
        s->rx_slot[i] = i;
    s->rx_nspare = 0;
    for (i = PCN_RX_DESCS; i < PCN_RX_BUFS; i++)
        s->rx_spare[s->rx_nspare++] = i;
    return NDIS_STATUS_SUCCESS;
}

/* Program a stopped chip and start it ("Initialization"): CSR3 and CSR4,
 * the initialization block's address in CSR1/CSR2, INIT, IDON polled
 * (IDONM is set), then STRT with IENA. The rings must be ready. */
static BOOLEAN pcn_hw_start(PcnAdapter *s)
{
    ULONG pa = s->sh_pa.LowPart + FIELD_OFFSET(PcnShared, init);
    ULONG i;
    USHORT csr0 = 0;

    pcn_fill_init_block(s);
    KeMemoryBarrier();
    pcn_sync_csr_write(s, PCN_CSR3, PCN_CSR3_VALUE);
    pcn_sync_csr_write(s, PCN_CSR4, PCN_CSR4_VALUE);
    pcn_sync_csr_write(s, PCN_CSR1, (USHORT)pa);
    pcn_sync_csr_write(s, PCN_CSR2, (USHORT)(pa >> 16));
    pcn_sync_csr_write(s, PCN_CSR0, PCN_CSR0_INIT);
    for (i = 0; i < PCN_IDON_POLLS; i++) {
        csr0 = pcn_sync_csr_read(s, PCN_CSR0);
        if (csr0 & (PCN_CSR0_IDON | PCN_CSR0_MERR))
            break;
        NdisStallExecution(10);
    }
    if (!(csr0 & PCN_CSR0_IDON) || (csr0 & PCN_CSR0_MERR)) {
        DbgPrint("pcnet: initialization did not complete (CSR0 %04x)\n", csr0);
        pcn_sync_csr_write(s, PCN_CSR0, PCN_CSR0_STOP);
        return FALSE;
    }
    s->missed_last = pcn_sync_csr_read(s, PCN_CSR112);
    s->started = TRUE;
    /* Acknowledge IDON, start, interrupts on. */
    pcn_sync_csr0(s, PCN_CSR0_IDON | PCN_CSR0_STRT, TRUE);
    return TRUE;
}

/* STOP and INIT again: after a packet filter or multicast change (CSR15
 * and LADRF are written only while stopped, through the initialization
 * block) and for MiniportReset. INIT restarts both rings at descriptor 0,
 * so the driver's rings restart there too: packets not yet sent are
 * requeued (filter) or aborted (reset), received frames not yet looked at
 * are dropped. */
void pcn_restart(PcnAdapter *s, PcnRestart how)
{
    PcnPktList done = {NULL, NULL};
    BOOLEAN posted = FALSE;

    NdisAcquireSpinLock(&s->lock);
    if (s->removed || s->halting) {
        NdisReleaseSpinLock(&s->lock);
        return;
    }
    s->started = FALSE;
    pcn_sync_csr0(s, PCN_CSR0_STOP, FALSE);
    if (how == PCN_RESTART_RESET)
        pcn_sync_soft_reset(s);
    pcn_tx_unring_locked(s, how, &done);
    pcn_rx_ring_reset_locked(s);
    if (how == PCN_RESTART_RESET)
        s->hw_error = FALSE;
    if (pcn_hw_start(s))
        posted = pcn_tx_post_locked(s, &done);
    else
        s->hw_error = TRUE;
    NdisReleaseSpinLock(&s->lock);
    if (posted)
        pcn_sync_tdmd(s);
    pcn_complete_list(s, &done);
}

/* Undo MiniportInitialize, in reverse order; for a failed initialize too. */
static void pcn_release(PcnAdapter *s)
{
    ULONG i;

    if (s->have_shutdown)
        NdisMDeregisterAdapterShutdownHandler(s->handle);
    if (s->have_interrupt)
        NdisMDeregisterInterrupt(&s->interrupt);
    s->have_interrupt = FALSE;
    for (i = 0; i < s->rxb_allocated; i++) {
        PcnRxBuf *b = &s->rxb[i];
        if (b->buffer != NULL)
            NdisFreeBuffer(b->buffer);
        if (b->packet != NULL)
            NdisFreePacket(b->packet);
        NdisMFreeSharedMemory(s->handle, PCN_BUF_SIZE, TRUE, b->va, b->pa);
    }
    if (s->buffer_pool != NULL)
        NdisFreeBufferPool(s->buffer_pool);
    if (s->packet_pool != NULL)
        NdisFreePacketPool(s->packet_pool);
    if (s->bounce != NULL)
        NdisMFreeSharedMemory(s->handle, PCN_TX_BOUNCE * PCN_BUF_SIZE, TRUE, s->bounce,
                              s->bounce_pa);
    if (s->sh != NULL)
        NdisMFreeSharedMemory(s->handle, sizeof(PcnShared), FALSE, s->sh, s->sh_pa);
    if (s->have_lock) {
        NdisFreeSpinLock(&s->lock); /* a no-op macro in the DDK: braces keep it one */
    }
    if (s->have_io)
        NdisMDeregisterIoPortRange(s->handle, s->io_start, PCN_IO_WINDOW,
                                   (PVOID)(ULONG_PTR)s->port_base);
    NdisFreeMemory(s, sizeof *s, 0);
}

NDIS_STATUS NTAPI pcn_initialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle,
                                 NDIS_HANDLE WrapperConfigurationContext)
{
    PcnAdapter *s;
    PVOID mem = NULL;
    PVOID port = NULL;
    NDIS_STATUS status;
    UCHAR override[PCN_ETH_ADDR];
    BOOLEAN have_override;
    UINT i;

    *OpenErrorStatus = NDIS_STATUS_SUCCESS;
    for (i = 0; i < MediumArraySize; i++)
        if (MediumArray[i] == NdisMedium802_3)
            break;
    if (i == MediumArraySize)
        return NDIS_STATUS_UNSUPPORTED_MEDIA;
    *SelectedMediumIndex = i;

    if (NdisAllocateMemoryWithTag(&mem, sizeof *s, PCN_TAG) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_RESOURCES;
    s = mem;
    NdisZeroMemory(s, sizeof *s);
    s->handle = MiniportAdapterHandle;
    s->lookahead = PCN_ETH_MAX_DATA;
    s->tx_free = PCN_TX_DESCS;

    /* Before any call that claims hardware resources. CheckForHang at
     * NDIS's default interval (0). */
    NdisMSetAttributesEx(MiniportAdapterHandle, s, 0,
                         NDIS_ATTRIBUTE_DESERIALIZE | NDIS_ATTRIBUTE_BUS_MASTER, NdisInterfacePci);

    status = pcn_read_config(s, WrapperConfigurationContext, override, &have_override);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    status = pcn_query_resources(s, WrapperConfigurationContext);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    status = pcn_pci_check(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    status = NdisMRegisterIoPortRange(&port, s->handle, s->io_start, PCN_IO_WINDOW);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    s->port_base = (ULONG)(ULONG_PTR)port;
    s->have_io = TRUE;

    if (!pcn_hw_probe(s)) {
        DbgPrint("pcnet: no PCnet answering at I/O %08lx\n", s->io_start);
        status = NDIS_STATUS_ADAPTER_NOT_FOUND;
        goto fail;
    }
    status = pcn_hw_setup(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    status = pcn_read_mac(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    NdisMoveMemory(s->cur_addr, have_override ? override : s->perm_addr, PCN_ETH_ADDR);

    /* A bus master that takes NDIS's scatter-gather lists; shared memory
     * comes through the DMA adapter this sets up, so it goes first. */
    status = NdisMInitializeScatterGatherDma(s->handle, FALSE, PCN_ETH_MAX_FRAME);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("pcnet: NdisMInitializeScatterGatherDma failed: %08lx\n", (ULONG)status);
        goto fail;
    }
    s->have_sg = TRUE;
    status = pcn_alloc_shared(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    status = pcn_alloc_rx_packets(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    NdisAllocateSpinLock(&s->lock);
    s->have_lock = TRUE;
    for (i = 0; i < PCN_RX_DESCS; i++)
        s->rx_lent[i] = FALSE;
    pcn_rx_ring_reset_locked(s);

    status = NdisMRegisterInterrupt(&s->interrupt, s->handle, s->int_vector, s->int_level, TRUE,
                                    TRUE, s->int_mode);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("pcnet: NdisMRegisterInterrupt(vector %lu) failed: %08lx\n", s->int_vector,
                 (ULONG)status);
        goto fail;
    }
    s->have_interrupt = TRUE;

    if (!pcn_hw_start(s)) {
        status = NDIS_STATUS_HARD_ERRORS;
        goto fail;
    }
    s->link_up = pcn_link_read(s); /* no status indications inside MiniportInitialize */

    NdisMInitializeTimer(&s->link_timer, s->handle, pcn_link_timer, s);
    NdisMSetPeriodicTimer(&s->link_timer, s->link_check_ms);
    s->have_timer = TRUE;
    NdisMRegisterAdapterShutdownHandler(s->handle, s, pcn_shutdown);
    s->have_shutdown = TRUE;

    DbgPrint("pcnet: Am79C970A (PARTID %04lx) at io %08lx irq %lu, MAC "
             "%02x:%02x:%02x:%02x:%02x:%02x%s, link %s\n",
             s->partid, s->io_start, s->int_vector, s->cur_addr[0], s->cur_addr[1], s->cur_addr[2],
             s->cur_addr[3], s->cur_addr[4], s->cur_addr[5],
             have_override ? " (NetworkAddress)" : "", s->link_up ? "up" : "down");
    return NDIS_STATUS_SUCCESS;

fail:
    if (s->have_io) {
        pcn_sync_csr0(s, PCN_CSR0_STOP, FALSE);
        s->started = FALSE;
    }
    pcn_release(s);
    return status;
}

VOID NTAPI pcn_halt(NDIS_HANDLE MiniportAdapterContext)
{
    PcnAdapter *s = MiniportAdapterContext;
    PcnPktList done = {NULL, NULL};
    BOOLEAN cancelled = FALSE;
    ULONG waits;

    s->halting = TRUE;
    if (s->have_timer) {
        NdisMCancelTimer(&s->link_timer, &cancelled);
        /* Not in the queue: the timer function may be running right now. */
        if (!cancelled)
            NdisMSleep(50000);
    }
    if (!s->removed)
        pcn_sync_csr0(s, PCN_CSR0_STOP, FALSE);
    s->started = FALSE;
    NdisMDeregisterInterrupt(&s->interrupt);
    s->have_interrupt = FALSE;

    /* Sends NDIS still waits for: none should be left, but every one must
     * come back. */
    NdisAcquireSpinLock(&s->lock);
    pcn_tx_unring_locked(s, PCN_RESTART_RESET, &done);
    pcn_tx_flush_queue_locked(s, &done, NDIS_STATUS_FAILURE);
    NdisReleaseSpinLock(&s->lock);
    pcn_complete_list(s, &done);

    /* NDIS 5.1 "Halting a Miniport Driver": do not return while indicated
     * receive packets are still out. */
    for (waits = 0; s->rx_outstanding > 0 && waits < 500; waits++)
        NdisMSleep(10000);
    if (s->rx_outstanding > 0)
        DbgPrint("pcnet: halt with %ld receive packets not returned\n", s->rx_outstanding);
    pcn_release(s);
}

/* A software reset (S_RESET) and a new INIT. Packets in the transmit ring
 * are completed with NDIS_STATUS_REQUEST_ABORTED (a deserialized miniport
 * completes its own sends); queued ones go out after the restart. The
 * driver restores the address, filter and multicast list itself, through
 * the initialization block: no AddressingReset. */
NDIS_STATUS NTAPI pcn_reset(PBOOLEAN AddressingReset, NDIS_HANDLE MiniportAdapterContext)
{
    PcnAdapter *s = MiniportAdapterContext;

    *AddressingReset = FALSE;
    if (s->removed)
        return NDIS_STATUS_HARD_ERRORS;
    s->hang_ticks = 0;
    pcn_restart(s, PCN_RESTART_RESET);
    return s->hw_error ? NDIS_STATUS_HARD_ERRORS : NDIS_STATUS_SUCCESS;
}

/* May run at any IRQL, even after a bugcheck: touch only the chip. STOP
 * ends all DMA ("CSR0: STOP"). */
VOID NTAPI pcn_shutdown(PVOID ShutdownContext)
{
    PcnAdapter *s = ShutdownContext;

    if (s->removed)
        return;
    pcn_csr_write(s, PCN_CSR0, PCN_CSR0_STOP);
}

VOID NTAPI pcn_pnp_event(NDIS_HANDLE MiniportAdapterContext, NDIS_DEVICE_PNP_EVENT PnPEvent,
                         PVOID InformationBuffer, ULONG InformationBufferLength)
{
    PcnAdapter *s = MiniportAdapterContext;

    if (PnPEvent == NdisDevicePnPEventSurpriseRemoved) {
        /* The registers are gone: stop touching them. */
        s->removed = TRUE;
        s->irq_enabled = FALSE;
    }
}
