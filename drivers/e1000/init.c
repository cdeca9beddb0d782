/* Bringing an 82540EM up and down: MiniportInitialize, MiniportHalt,
 * MiniportReset, the shutdown and PnP handlers, and the chip programming
 * they share: the device reset, the EEPROM, the PHY, and the
 * initialization sequence of the Software Developer's Manual §14 ("General
 * Initialization and Reset Operation": §14.3 general configuration, §14.4
 * receive, §14.5 transmit). learn.microsoft.com "Initializing a Miniport
 * Driver (NDIS 5.1)" gives the order of the NDIS calls. */
#include "e1000.h"

static NDIS_STRING kw_itr = RTL_CONSTANT_STRING(L"InterruptThrottleRate");

static ULONG e1k_config_ulong(NDIS_HANDLE cfg, PNDIS_STRING name, ULONG def, ULONG min, ULONG max)
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

BOOLEAN e1k_addr_valid(const UCHAR *a)
{
    ULONG i, or_bits = 0, and_bits = 0xFF;
    for (i = 0; i < E1K_ETH_ADDR; i++) {
        or_bits |= a[i];
        and_bits &= a[i];
    }
    /* Not all zero, not broadcast, not a group address (I/G bit). */
    return or_bits != 0 && and_bits != 0xFF && !(a[0] & 0x01);
}

/* Registry parameters and the NetworkAddress override. */
static NDIS_STATUS e1k_read_config(E1kAdapter *s, NDIS_HANDLE wrapper_ctx, UCHAR *override,
                                   BOOLEAN *have_override)
{
    NDIS_STATUS status;
    NDIS_HANDLE cfg;
    PVOID addr = NULL;
    UINT addr_len = 0;

    *have_override = FALSE;
    NdisOpenConfiguration(&status, &cfg, wrapper_ctx);
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    s->itr_rate = e1k_config_ulong(cfg, &kw_itr, 0, 0, E1K_ITR_MAX);
    /* The string is NDIS's until NdisCloseConfiguration: copy it now. */
    NdisReadNetworkAddress(&status, &addr, &addr_len, cfg);
    if (status == NDIS_STATUS_SUCCESS && addr != NULL && addr_len == E1K_ETH_ADDR) {
        if (e1k_addr_valid(addr)) {
            NdisMoveMemory(override, addr, E1K_ETH_ADDR);
            *have_override = TRUE;
        } else {
            DbgPrint("e1000: NetworkAddress ignored: not a unicast address\n");
        }
    }
    NdisCloseConfiguration(cfg);
    return NDIS_STATUS_SUCCESS;
}

/* Vendor/device ID, subsystem and revision, and the PCI command register:
 * memory space (bit 1) and bus master (bit 2) enabled (PCI 3.0 section
 * 6.2.2; §4.1 of the manual for the 82540EM's header). */
static NDIS_STATUS e1k_pci_check(E1kAdapter *s)
{
    USHORT id[2] = {0, 0};
    USHORT sub[2] = {0, 0};
    USHORT cmd = 0, want;
    UCHAR rev = 0;

    if (NdisReadPciSlotInformation(s->handle, 0, 0x00, id, sizeof id) != sizeof id)
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    if (id[0] != E1K_PCI_VENDOR_INTEL ||
        (id[1] != E1K_PCI_DEVICE_82540EM && id[1] != E1K_PCI_DEVICE_82545EM_COPPER)) {
        DbgPrint("e1000: PCI ID %04x:%04x is not an 82540EM or 82545EM\n", id[0], id[1]);
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }
    s->pci_device = id[1];
    if (NdisReadPciSlotInformation(s->handle, 0, 0x08, &rev, sizeof rev) == sizeof rev)
        s->revision = rev;
    if (NdisReadPciSlotInformation(s->handle, 0, 0x2C, sub, sizeof sub) == sizeof sub) {
        s->subsys_vendor = sub[0];
        s->subsys_id = sub[1];
    }
    if (NdisReadPciSlotInformation(s->handle, 0, 0x04, &cmd, sizeof cmd) != sizeof cmd)
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    want = (USHORT)(cmd | 0x0002 | 0x0004);
    if (want != cmd) {
        DbgPrint("e1000: PCI command %04x -> %04x (memory, bus master)\n", cmd, want);
        NdisWritePciSlotInformation(s->handle, 0, 0x04, &want, sizeof want);
    }
    return NDIS_STATUS_SUCCESS;
}

/* BAR0 (the first memory range of 128 KiB or more) and the interrupt. */
static NDIS_STATUS e1k_query_resources(E1kAdapter *s, NDIS_HANDLE wrapper_ctx)
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
        case CmResourceTypeMemory:
            if (s->mem_len == 0 && d->u.Memory.Length >= E1K_MMIO_SIZE) {
                s->mem_pa = d->u.Memory.Start;
                s->mem_len = d->u.Memory.Length;
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
    if (s->mem_len == 0) {
        DbgPrint("e1000: no memory range of %u bytes\n", E1K_MMIO_SIZE);
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    if (!s->have_int_res) {
        DbgPrint("e1000: no interrupt assigned\n");
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    return NDIS_STATUS_SUCCESS;
}

/* Device reset (§13.4.1 CTRL.RST): every register but the PCI
 * configuration space goes back to its reset value and the EEPROM is read
 * again (RAL0/RAH0 among others). Receive and transmit are stopped and
 * the interrupts masked first, so no DMA is under way when the reset hits
 * (§14, reset operation); the bit clears itself, polled every 10 us. The
 * caller has masked the interrupt (irq_enabled FALSE): the ISR then leaves
 * the registers alone. FALSE if RST never clears. */
static BOOLEAN e1k_hw_reset(E1kAdapter *s)
{
    ULONG i, ctrl = 0;

    e1k_wr(s, E1K_IMC, E1K_INT_ALL);
    e1k_wr(s, E1K_RCTL, 0);
    e1k_wr(s, E1K_TCTL, E1K_TCTL_PSP);
    e1k_flush(s);
    NdisStallExecution(10);
    e1k_wr(s, E1K_CTRL, e1k_rd(s, E1K_CTRL) | E1K_CTRL_RST);
    for (i = 0; i < E1K_RESET_POLLS; i++) {
        /* wait a while before touching the chip again (§13.4.1 RST) */
        NdisStallExecution(10);
        ctrl = e1k_rd(s, E1K_CTRL);
        if (ctrl != 0xFFFFFFFFu && !(ctrl & E1K_CTRL_RST))
            break;
    }
    /* The reset unmasks nothing, but clear whatever it left pending. */
    e1k_wr(s, E1K_IMC, E1K_INT_ALL);
    (void)e1k_rd(s, E1K_ICR);
    s->started = FALSE;
    if (i == E1K_RESET_POLLS) {
        DbgPrint("e1000: CTRL.RST did not clear (CTRL %08lx)\n", ctrl);
        return FALSE;
    }
    return TRUE;
}

/* One EEPROM word through EERD (§5.3.1, §13.4.4): START with the word
 * address, poll DONE, data in bits 31:16. */
static BOOLEAN e1k_eeprom_read(E1kAdapter *s, ULONG word, USHORT *data)
{
    ULONG i, v = 0;

    e1k_wr(s, E1K_EERD, E1K_EERD_START | (word << E1K_EERD_ADDR_SHIFT));
    for (i = 0; i < E1K_EERD_POLLS; i++) {
        v = e1k_rd(s, E1K_EERD);
        if (v != 0xFFFFFFFFu && (v & E1K_EERD_DONE)) {
            *data = (USHORT)(v >> E1K_EERD_DATA_SHIFT);
            return TRUE;
        }
        NdisStallExecution(10);
    }
    DbgPrint("e1000: EERD read of word %02lx did not finish (EERD %08lx)\n", word, v);
    return FALSE;
}

/* The station address: EEPROM words 0-2 (§5.6.1), the EEPROM checked
 * against its checksum (§5.6.35: words 00h-3Fh sum to BABAh).
 * Without a usable EEPROM, RAL0/RAH0, which the chip loaded from it at
 * reset (§13.5.2, §13.5.3), with RAH0.AV set. */
static NDIS_STATUS e1k_read_mac(E1kAdapter *s)
{
    USHORT w[3], word;
    ULONG i, sum = 0;
    BOOLEAN ok = TRUE;

    s->mac_from_eeprom = FALSE;
    s->eeprom_sum_ok = FALSE;
    if (e1k_rd(s, E1K_EECD) & E1K_EECD_PRES) {
        for (i = 0; i < E1K_EE_CHECKSUM_WORDS && ok; i++) {
            ok = e1k_eeprom_read(s, i, &word);
            if (ok && i < 3)
                w[i] = word;
            sum += word;
        }
        if (ok) {
            s->eeprom_sum_ok = (USHORT)sum == E1K_EE_CHECKSUM_SUM;
            if (!s->eeprom_sum_ok)
                DbgPrint("e1000: EEPROM checksum %04x, expected %04x\n", (USHORT)sum,
                         E1K_EE_CHECKSUM_SUM);
            for (i = 0; i < 3; i++) {
                s->perm_addr[2 * i] = (UCHAR)w[i];
                s->perm_addr[2 * i + 1] = (UCHAR)(w[i] >> 8);
            }
            s->mac_from_eeprom = e1k_addr_valid(s->perm_addr);
        }
    } else {
        DbgPrint("e1000: EECD says no EEPROM is present\n");
    }
    if (!s->mac_from_eeprom) {
        ULONG ral = e1k_rd(s, E1K_RAL(0));
        ULONG rah = e1k_rd(s, E1K_RAH(0));
        if (!(rah & 0x80000000u)) {
            DbgPrint("e1000: no station address: EEPROM unusable and RAH0.AV clear\n");
            return NDIS_STATUS_FAILURE;
        }
        for (i = 0; i < 4; i++)
            s->perm_addr[i] = (UCHAR)(ral >> (8 * i));
        s->perm_addr[4] = (UCHAR)rah;
        s->perm_addr[5] = (UCHAR)(rah >> 8);
        DbgPrint("e1000: station address from RAL0/RAH0\n");
    }
    if (!e1k_addr_valid(s->perm_addr)) {
        DbgPrint("e1000: no valid station address\n");
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}

/* A PHY register through MDIC (§13.4.7): op READ with the PHY and register
 * addresses, poll READY, ERROR means the PHY did not answer. */
static BOOLEAN e1k_phy_read(E1kAdapter *s, ULONG reg, USHORT *data)
{
    ULONG i, v = 0;

    e1k_wr(s, E1K_MDIC,
           (reg << E1K_MDIC_REG_SHIFT) | (E1K_PHY_ADDR << E1K_MDIC_PHY_SHIFT) | E1K_MDIC_OP_READ);
    for (i = 0; i < E1K_MDIC_POLLS; i++) {
        NdisStallExecution(10);
        v = e1k_rd(s, E1K_MDIC);
        if (v != 0xFFFFFFFFu && (v & E1K_MDIC_READY)) {
            if (v & E1K_MDIC_ERROR)
                return FALSE;
            *data = (USHORT)(v & E1K_MDIC_DATA_MASK);
            return TRUE;
        }
    }
    return FALSE;
}

/* §14.4 and §13.5.2-3: the station address in RAL0/RAH0 (low first, AV
 * in RAH), the other 15 entries invalid (cleared high first; their reset
 * value is undefined). */
static void e1k_write_ra(E1kAdapter *s)
{
    const UCHAR *a = s->cur_addr;
    ULONG n;

    e1k_wr(s, E1K_RAL(0), a[0] | ((ULONG)a[1] << 8) | ((ULONG)a[2] << 16) | ((ULONG)a[3] << 24));
    e1k_wr(s, E1K_RAH(0), a[4] | ((ULONG)a[5] << 8) | 0x80000000u);
    for (n = 1; n < E1K_RA_ENTRIES; n++) {
        e1k_wr(s, E1K_RAH(n), 0);
        e1k_wr(s, E1K_RAL(n), 0);
    }
}

/* Program a chip fresh from reset and start it (§14.3-§14.5). Lock held;
 * the interrupt stays masked (the caller unmasks it). The rings must be
 * ready: every receive descriptor the driver holds armed. */
static void e1k_hw_start(E1kAdapter *s)
{
    ULONG ctrl;

    /* §14.3 general configuration: the MAC takes speed and duplex from
     * the internal PHY (FRCSPD and FRCDPLX clear, ASDE set), SLU lets it
     * see the PHY's link; no flow control (FCAL, FCAH, FCT, FCTTV 0). */
    ctrl = e1k_rd(s, E1K_CTRL);
    ctrl &= ~(E1K_CTRL_FRCSPD | E1K_CTRL_FRCDPLX | E1K_CTRL_ILOS | E1K_CTRL_LRST |
              E1K_CTRL_PHY_RST | E1K_CTRL_RFCE | E1K_CTRL_TFCE | E1K_CTRL_VME | E1K_CTRL_RST);
    ctrl |= E1K_CTRL_SLU | E1K_CTRL_ASDE;
    e1k_wr(s, E1K_CTRL, ctrl);
    e1k_wr(s, E1K_FCAL, 0);
    e1k_wr(s, E1K_FCAH, 0);
    e1k_wr(s, E1K_FCT, 0);
    e1k_wr(s, E1K_FCTTV, 0);

    /* §14.4 receive: addresses, multicast table, ring, then RCTL. */
    e1k_write_ra(s);
    e1k_mta_write_locked(s); /* RCTL comes last */
    e1k_wr(s, E1K_RDBAL, s->sh_pa.LowPart + FIELD_OFFSET(E1kShared, rx));
    e1k_wr(s, E1K_RDBAH, s->sh_pa.HighPart);
    e1k_wr(s, E1K_RDLEN, E1K_RX_DESCS * E1K_DESC_SIZE);
    e1k_wr(s, E1K_RDH, 0);
    s->rx_tail = 0;
    e1k_wr(s, E1K_RDT, 0);
    e1k_wr(s, E1K_RDTR, 0); /* a frame interrupts at once (RXT0); ITR moderates */
    /* ITR counts 256 ns units between interrupts (§13.4.18). */
    e1k_wr(s, E1K_ITR, s->itr_rate ? 1000000000u / (s->itr_rate * 256u) : 0);
    KeMemoryBarrier();
    e1k_rx_give_locked(s);

    /* §14.5 transmit: ring, TIPG, then TCTL. */
    e1k_wr(s, E1K_TDBAL, s->sh_pa.LowPart + FIELD_OFFSET(E1kShared, tx));
    e1k_wr(s, E1K_TDBAH, s->sh_pa.HighPart);
    e1k_wr(s, E1K_TDLEN, E1K_TX_DESCS * E1K_DESC_SIZE);
    e1k_wr(s, E1K_TDH, 0);
    e1k_wr(s, E1K_TDT, 0);
    e1k_wr(s, E1K_TIPG, E1K_TIPG_VALUE);

    /* The link as it is now; LSC reports changes. */
    (void)e1k_link_read(s);
    e1k_tctl_write(s);
    e1k_wr(s, E1K_RCTL, e1k_rctl_value(s));

    /* Start the counters from zero: they clear when read (§13.7). */
    e1k_stats_discard(s);
    s->started = TRUE;
}

static NDIS_STATUS e1k_alloc_shared(E1kAdapter *s)
{
    PVOID va = NULL;
    ULONG i, skip;

    /* The rings start 16-byte aligned (RDBAL/TDBAL ignore bits 3:0); the
     * driver aligns them to 128 bytes, a cache line, inside a block a
     * little larger than they need: NDIS promises no alignment. */
    NdisMAllocateSharedMemory(s->handle, E1K_SHARED_ALLOC, FALSE, &va, &s->sh_alloc_pa);
    if (va == NULL)
        return NDIS_STATUS_RESOURCES;
    s->sh_alloc = va;
    skip =
        (E1K_RING_ALIGN - (s->sh_alloc_pa.LowPart & (E1K_RING_ALIGN - 1))) & (E1K_RING_ALIGN - 1);
    s->sh = (E1kShared *)((PUCHAR)va + skip);
    s->sh_pa = s->sh_alloc_pa;
    s->sh_pa.LowPart += skip;
    /* Below 4 GB like everything else: the SG DMA is 32-bit. */
    if (s->sh_pa.HighPart != 0 || s->sh_pa.LowPart < s->sh_alloc_pa.LowPart) {
        DbgPrint("e1000: shared memory at %08lx:%08lx is not usable for the rings\n",
                 s->sh_alloc_pa.HighPart, s->sh_alloc_pa.LowPart);
        return NDIS_STATUS_RESOURCES;
    }
    NdisZeroMemory(s->sh, sizeof(E1kShared));

    va = NULL;
    NdisMAllocateSharedMemory(s->handle, E1K_TX_BOUNCE * E1K_BUF_SIZE, TRUE, &va, &s->bounce_pa);
    if (va == NULL)
        return NDIS_STATUS_RESOURCES;
    s->bounce = va;
    if (s->bounce_pa.HighPart != 0)
        return NDIS_STATUS_RESOURCES;
    s->bounce_free = (1u << E1K_TX_BOUNCE) - 1;

    for (i = 0; i < E1K_RX_BUFS; i++) {
        E1kRxBuf *b = &s->rxb[i];
        va = NULL;
        NdisMAllocateSharedMemory(s->handle, E1K_BUF_SIZE, TRUE, &va, &b->pa);
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
static NDIS_STATUS e1k_alloc_rx_packets(E1kAdapter *s)
{
    NDIS_STATUS status;
    ULONG i;

    NdisAllocatePacketPool(&status, &s->packet_pool, E1K_RX_BUFS, PROTOCOL_RESERVED_SIZE_IN_PACKET);
    if (status != NDIS_STATUS_SUCCESS) {
        s->packet_pool = NULL;
        return status;
    }
    NdisAllocateBufferPool(&status, &s->buffer_pool, E1K_RX_BUFS);
    if (status != NDIS_STATUS_SUCCESS) {
        s->buffer_pool = NULL;
        return status;
    }
    for (i = 0; i < s->rxb_allocated; i++) {
        E1kRxBuf *b = &s->rxb[i];
        NdisAllocatePacket(&status, &b->packet, s->packet_pool);
        if (status != NDIS_STATUS_SUCCESS) {
            b->packet = NULL;
            return status;
        }
        NdisAllocateBuffer(&status, &b->buffer, s->buffer_pool, b->va, E1K_BUF_SIZE);
        if (status != NDIS_STATUS_SUCCESS) {
            b->buffer = NULL;
            return status;
        }
        NdisChainBufferAtFront(b->packet, b->buffer);
        NDIS_SET_PACKET_HEADER_SIZE(b->packet, E1K_ETH_HEADER);
        *(ULONG *)b->packet->MiniportReserved = i;
    }
    /* The first E1K_RX_DESCS buffers start in the ring, the rest are spare. */
    for (i = 0; i < E1K_RX_DESCS; i++)
        s->rx_slot[i] = i;
    s->rx_nspare = 0;
    for (i = E1K_RX_DESCS; i < E1K_RX_BUFS; i++)
        s->rx_spare[s->rx_nspare++] = i;
    return NDIS_STATUS_SUCCESS;
}

/* Undo MiniportInitialize, in reverse order; for a failed initialize too. */
static void e1k_release(E1kAdapter *s)
{
    ULONG i;

    if (s->have_shutdown)
        NdisMDeregisterAdapterShutdownHandler(s->handle);
    if (s->have_interrupt)
        NdisMDeregisterInterrupt(&s->interrupt);
    s->have_interrupt = FALSE;
    for (i = 0; i < s->rxb_allocated; i++) {
        E1kRxBuf *b = &s->rxb[i];
        if (b->buffer != NULL)
            NdisFreeBuffer(b->buffer);
        if (b->packet != NULL)
            NdisFreePacket(b->packet);
        NdisMFreeSharedMemory(s->handle, E1K_BUF_SIZE, TRUE, b->va, b->pa);
    }
    if (s->buffer_pool != NULL)
        NdisFreeBufferPool(s->buffer_pool);
    if (s->packet_pool != NULL)
        NdisFreePacketPool(s->packet_pool);
    if (s->bounce != NULL)
        NdisMFreeSharedMemory(s->handle, E1K_TX_BOUNCE * E1K_BUF_SIZE, TRUE, s->bounce,
                              s->bounce_pa);
    if (s->sh_alloc != NULL)
        NdisMFreeSharedMemory(s->handle, E1K_SHARED_ALLOC, FALSE, s->sh_alloc, s->sh_alloc_pa);
    if (s->regs != NULL)
        NdisMUnmapIoSpace(s->handle, (PVOID)s->regs, E1K_MMIO_SIZE);
    if (s->have_lock) {
        NdisFreeSpinLock(&s->lock); /* a no-op macro in the DDK: braces keep it one */
    }
    NdisFreeMemory(s, sizeof *s, 0);
}

NDIS_STATUS NTAPI e1k_initialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle,
                                 NDIS_HANDLE WrapperConfigurationContext)
{
    E1kAdapter *s;
    PVOID mem = NULL;
    NDIS_STATUS status;
    UCHAR override[E1K_ETH_ADDR];
    BOOLEAN have_override;
    USHORT id1 = 0, id2 = 0;
    ULONG status_reg;
    UINT i;

    *OpenErrorStatus = NDIS_STATUS_SUCCESS;
    for (i = 0; i < MediumArraySize; i++)
        if (MediumArray[i] == NdisMedium802_3)
            break;
    if (i == MediumArraySize)
        return NDIS_STATUS_UNSUPPORTED_MEDIA;
    *SelectedMediumIndex = i;

    if (NdisAllocateMemoryWithTag(&mem, sizeof *s, E1K_TAG) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_RESOURCES;
    s = mem;
    NdisZeroMemory(s, sizeof *s);
    s->handle = MiniportAdapterHandle;
    s->lookahead = E1K_ETH_MAX_DATA;
    s->tx_free = E1K_TX_DESCS - 1;
    NdisAllocateSpinLock(&s->lock);
    s->have_lock = TRUE;

    /* Before any call that claims hardware resources. CheckForHang at
     * NDIS's default interval (0). */
    NdisMSetAttributesEx(MiniportAdapterHandle, s, 0,
                         NDIS_ATTRIBUTE_DESERIALIZE | NDIS_ATTRIBUTE_BUS_MASTER, NdisInterfacePci);

    status = e1k_read_config(s, WrapperConfigurationContext, override, &have_override);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    status = e1k_query_resources(s, WrapperConfigurationContext);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    status = e1k_pci_check(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    mem = NULL;
    status = NdisMMapIoSpace(&mem, s->handle, s->mem_pa, E1K_MMIO_SIZE);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("e1000: NdisMMapIoSpace(%08lx) failed: %08lx\n", s->mem_pa.LowPart, (ULONG)status);
        goto fail;
    }
    s->regs = mem;

    status_reg = e1k_rd(s, E1K_STATUS);
    if (status_reg == 0xFFFFFFFFu) {
        DbgPrint("e1000: no 8254x answering at %08lx\n", s->mem_pa.LowPart);
        status = NDIS_STATUS_ADAPTER_NOT_FOUND;
        goto fail;
    }
    if (!e1k_hw_reset(s)) {
        status = NDIS_STATUS_HARD_ERRORS;
        goto fail;
    }
    status = e1k_read_mac(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    NdisMoveMemory(s->cur_addr, have_override ? override : s->perm_addr, E1K_ETH_ADDR);
    /* The PHY's identity, for the banner only: a PHY that does not answer
     * is not fatal (the MAC reads the link from it in hardware). */
    if (e1k_phy_read(s, E1K_PHY_ID1, &id1) && e1k_phy_read(s, E1K_PHY_ID2, &id2))
        s->phy_id = ((ULONG)id1 << 16) | id2;

    /* A bus master that takes NDIS's scatter-gather lists; shared memory
     * comes through the DMA adapter this sets up, so it goes first. */
    status = NdisMInitializeScatterGatherDma(s->handle, FALSE, E1K_ETH_MAX_FRAME);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("e1000: NdisMInitializeScatterGatherDma failed: %08lx\n", (ULONG)status);
        goto fail;
    }
    s->have_sg = TRUE;
    status = e1k_alloc_shared(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    status = e1k_alloc_rx_packets(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;

    status = NdisMRegisterInterrupt(&s->interrupt, s->handle, s->int_vector, s->int_level, TRUE,
                                    TRUE, s->int_mode);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("e1000: NdisMRegisterInterrupt(vector %lu) failed: %08lx\n", s->int_vector,
                 (ULONG)status);
        goto fail;
    }
    s->have_interrupt = TRUE;

    NdisAcquireSpinLock(&s->lock);
    e1k_rx_ring_reset_locked(s);
    e1k_hw_start(s);
    s->link_up = e1k_link_read(s); /* no status indications inside MiniportInitialize */
    NdisReleaseSpinLock(&s->lock);

    NdisMRegisterAdapterShutdownHandler(s->handle, s, e1k_shutdown);
    s->have_shutdown = TRUE;

    DbgPrint("e1000: %s (%04x:%04x rev %02x, subsystem %04x:%04x) at mem %08lx irq %lu, MAC "
             "%02x:%02x:%02x:%02x:%02x:%02x (%s%s), PHY %08lx, link %s\n",
             s->pci_device == E1K_PCI_DEVICE_82540EM ? "82540EM" : "82545EM", E1K_PCI_VENDOR_INTEL,
             s->pci_device, s->revision, s->subsys_vendor, s->subsys_id, s->mem_pa.LowPart,
             s->int_vector, s->cur_addr[0], s->cur_addr[1], s->cur_addr[2], s->cur_addr[3],
             s->cur_addr[4], s->cur_addr[5],
             have_override ? "NetworkAddress" : (s->mac_from_eeprom ? "EEPROM" : "RAL0"),
             s->mac_from_eeprom && !s->eeprom_sum_ok ? ", bad EEPROM checksum" : "", s->phy_id,
             s->link_up ? "up" : "down");

    /* Interrupts last: a link change from here on is indicated (none may
     * be inside MiniportInitialize; the DPC checks ready). */
    s->ready = TRUE;
    e1k_sync_irq(s, TRUE);
    return NDIS_STATUS_SUCCESS;

fail:
    if (s->regs != NULL) {
        e1k_sync_irq(s, FALSE);
        (void)e1k_hw_reset(s);
    }
    e1k_release(s);
    return status;
}

VOID NTAPI e1k_halt(NDIS_HANDLE MiniportAdapterContext)
{
    E1kAdapter *s = MiniportAdapterContext;
    E1kPktList done = {NULL, NULL};
    ULONG waits;

    s->halting = TRUE;
    s->ready = FALSE;
    /* Stop the chip: no interrupt, no DMA (the reset also ends both). */
    if (!s->removed) {
        e1k_sync_irq(s, FALSE);
        (void)e1k_hw_reset(s);
    }
    NdisMDeregisterInterrupt(&s->interrupt);
    s->have_interrupt = FALSE;

    /* Sends NDIS still waits for: none should be left, but every one must
     * come back. */
    NdisAcquireSpinLock(&s->lock);
    e1k_tx_abort_ring_locked(s, &done, NDIS_STATUS_REQUEST_ABORTED);
    e1k_tx_flush_queue_locked(s, &done, NDIS_STATUS_FAILURE);
    NdisReleaseSpinLock(&s->lock);
    e1k_complete_list(s, &done);

    /* NDIS 5.1 "Halting a Miniport Driver": do not return while indicated
     * receive packets are still out. */
    for (waits = 0; s->rx_outstanding > 0 && waits < 500; waits++)
        NdisMSleep(10000);
    if (s->rx_outstanding > 0)
        DbgPrint("e1000: halt with %ld receive packets not returned\n", s->rx_outstanding);
    e1k_release(s);
}

/* A device reset (CTRL.RST) and the initialization sequence again.
 * Packets in the transmit ring are completed with
 * NDIS_STATUS_REQUEST_ABORTED (a deserialized miniport completes its own
 * sends); queued ones go out after the restart. The driver restores the
 * address, filter and multicast list itself: no AddressingReset. Runs at
 * DISPATCH_LEVEL, so the waits are NdisStallExecution. */
NDIS_STATUS NTAPI e1k_reset(PBOOLEAN AddressingReset, NDIS_HANDLE MiniportAdapterContext)
{
    E1kAdapter *s = MiniportAdapterContext;
    E1kPktList done = {NULL, NULL};
    BOOLEAN ok;

    *AddressingReset = FALSE;
    if (s->removed)
        return NDIS_STATUS_HARD_ERRORS;
    e1k_sync_irq(s, FALSE);
    NdisAcquireSpinLock(&s->lock);
    /* The reset clears the counters: keep what they counted so far. */
    e1k_stats_update_locked(s);
    ok = e1k_hw_reset(s);
    e1k_tx_abort_ring_locked(s, &done, NDIS_STATUS_REQUEST_ABORTED);
    s->hang_ticks = 0;
    if (ok) {
        e1k_rx_ring_reset_locked(s);
        e1k_hw_start(s);
        s->hw_error = FALSE;
        if (e1k_tx_post_locked(s, &done))
            e1k_wr(s, E1K_TDT, s->tx_next);
    } else {
        s->hw_error = TRUE;
    }
    NdisReleaseSpinLock(&s->lock);
    if (ok) {
        e1k_sync_irq(s, TRUE);
        e1k_link_check(s, NULL); /* a change during the reset has no LSC left */
    }
    e1k_complete_list(s, &done);
    return ok ? NDIS_STATUS_SUCCESS : NDIS_STATUS_HARD_ERRORS;
}

/* May run at any IRQL, even after a bugcheck: touch only the chip. Mask
 * the interrupts and stop both DMA engines. */
VOID NTAPI e1k_shutdown(PVOID ShutdownContext)
{
    E1kAdapter *s = ShutdownContext;

    if (s->removed)
        return;
    s->irq_enabled = FALSE;
    e1k_wr(s, E1K_IMC, E1K_INT_ALL);
    e1k_wr(s, E1K_RCTL, 0);
    e1k_wr(s, E1K_TCTL, 0);
    e1k_flush(s);
}

VOID NTAPI e1k_pnp_event(NDIS_HANDLE MiniportAdapterContext, NDIS_DEVICE_PNP_EVENT PnPEvent,
                         PVOID InformationBuffer, ULONG InformationBufferLength)
{
    E1kAdapter *s = MiniportAdapterContext;

    if (PnPEvent == NdisDevicePnPEventSurpriseRemoved) {
        /* The registers are gone: stop touching them. */
        s->removed = TRUE;
        s->irq_enabled = FALSE;
    }
}
