/* Bringing an RTL8139C(L) up and down: MiniportInitialize, MiniportHalt,
 * MiniportReset, the shutdown handler and the PnP event handler, with the
 * chip programming they share (datasheet rev 1.4 section 6; the 93C46
 * datasheet for the EEPROM; learn.microsoft.com "Initializing a Miniport
 * Driver (NDIS 5.1)" for the order of the NDIS calls). */
#include "rtl8139.h"

#define RTL_EE_DELAY_US 2 /* 93C46: SK up to 1 MHz; 2 us per pin change is well inside */

/* Configuration keywords (rtl8139.inf [RTL8139.params]). NDIS_STRING is a
 * UNICODE_STRING; mingw-w64's ndis.h has no NDIS_STRING_CONST. */
static NDIS_STRING kw_link_check = RTL_CONSTANT_STRING(L"LinkCheckInterval");
static NDIS_STRING kw_mcast_max = RTL_CONSTANT_STRING(L"MaximumMulticastList");
static NDIS_STRING kw_rx_buffer = RTL_CONSTANT_STRING(L"ReceiveBufferSize");
static NDIS_STRING kw_rx_mode = RTL_CONSTANT_STRING(L"ReceiveIndication");
static NDIS_STRING kw_reg_space = RTL_CONSTANT_STRING(L"RegisterSpace");
static NDIS_STRING kw_send_completion = RTL_CONSTANT_STRING(L"SendCompletion");

static ULONG rtl_config_ulong(NDIS_HANDLE cfg, PNDIS_STRING name, ULONG def, ULONG min, ULONG max)
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

static BOOLEAN rtl_addr_valid(const UCHAR *a)
{
    ULONG i, or_bits = 0, and_bits = 0xFF;
    for (i = 0; i < RTL_ETH_ADDR; i++) {
        or_bits |= a[i];
        and_bits &= a[i];
    }
    /* Not all zero, not broadcast, not a group address (I/G bit). */
    return or_bits != 0 && and_bits != 0xFF && !(a[0] & 0x01);
}

/* Registry parameters and the NetworkAddress override. */
static NDIS_STATUS rtl_read_config(RtlAdapter *s, NDIS_HANDLE wrapper_ctx, UCHAR *override,
                                   BOOLEAN *have_override)
{
    NDIS_STATUS status;
    NDIS_HANDLE cfg;
    PVOID addr = NULL;
    UINT addr_len = 0;
    ULONG space;

    s->link_check_ms = RTL_LINK_CHECK_DEFAULT;
    s->mcast_max = RTL_MCAST_DEFAULT;
    s->rx_kb = 32;
    s->rx_mode = RTL_RX_MODE_PACKETS;
    s->mmio = FALSE;
    s->tx_pend = TRUE;
    *have_override = FALSE;

    NdisOpenConfiguration(&status, &cfg, wrapper_ctx);
    if (status != NDIS_STATUS_SUCCESS)
        return status;

    s->link_check_ms = rtl_config_ulong(cfg, &kw_link_check, RTL_LINK_CHECK_DEFAULT,
                                        RTL_LINK_CHECK_MIN, RTL_LINK_CHECK_MAX);
    s->mcast_max = rtl_config_ulong(cfg, &kw_mcast_max, RTL_MCAST_DEFAULT, 1, RTL_MCAST_MAX);
    s->rx_kb = rtl_config_ulong(cfg, &kw_rx_buffer, 32, 8, 32);
    if (s->rx_kb != 8 && s->rx_kb != 16 && s->rx_kb != 32)
        s->rx_kb = 32;
    s->rx_mode = (RtlRxMode)rtl_config_ulong(cfg, &kw_rx_mode, RTL_RX_MODE_PACKETS,
                                             RTL_RX_MODE_PACKETS, RTL_RX_MODE_LOOKAHEAD);
    space = rtl_config_ulong(cfg, &kw_reg_space, 0, 0, 1);
    s->mmio = space == 1;
    s->tx_pend = rtl_config_ulong(cfg, &kw_send_completion, 1, 0, 1) == 1;

    /* The string is NDIS's until NdisCloseConfiguration: copy it now. */
    NdisReadNetworkAddress(&status, &addr, &addr_len, cfg);
    if (status == NDIS_STATUS_SUCCESS && addr != NULL && addr_len == RTL_ETH_ADDR) {
        if (rtl_addr_valid(addr)) {
            NdisMoveMemory(override, addr, RTL_ETH_ADDR);
            *have_override = TRUE;
        } else {
            DbgPrint("rtl8139: NetworkAddress ignored: not a unicast address\n");
        }
    }
    NdisCloseConfiguration(cfg);
    return NDIS_STATUS_SUCCESS;
}

/* The function must be an Ethernet controller, and the PCI command register
 * enables for the register window in use and for bus mastering (PCI 3.0
 * section 6.2.2: bit 0 I/O space, bit 1 memory space, bit 2 bus master).
 * The vendor and device ID are not checked: Windows binds the driver by the
 * hardware IDs its INF lists, and boards built on the RTL8139 carry their
 * maker's IDs (a D-Link DFE-538TX is 1186:1300). */
static NDIS_STATUS rtl_pci_check(RtlAdapter *s)
{
    UCHAR cfg[12];
    USHORT cmd = 0, want;

    if (NdisReadPciSlotInformation(s->handle, 0, 0, cfg, sizeof cfg) != sizeof cfg)
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    if ((cfg[11] << 8 | cfg[10]) != RTL_PCI_CLASS_ETHERNET) {
        DbgPrint("rtl8139: PCI %02x%02x:%02x%02x class %02x%02x%02x is not an Ethernet "
                 "controller\n",
                 cfg[1], cfg[0], cfg[3], cfg[2], cfg[11], cfg[10], cfg[9]);
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }
    if (cfg[0] != (RTL_PCI_VENDOR & 0xFF) || cfg[1] != RTL_PCI_VENDOR >> 8 ||
        cfg[2] != (RTL_PCI_DEVICE & 0xFF) || cfg[3] != RTL_PCI_DEVICE >> 8)
        DbgPrint("rtl8139: board %02x%02x:%02x%02x\n", cfg[1], cfg[0], cfg[3], cfg[2]);
    if (NdisReadPciSlotInformation(s->handle, 0, 4, &cmd, sizeof cmd) != sizeof cmd)
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    want = (USHORT)(cmd | 0x0004 | (s->mmio ? 0x0002 : 0x0001));
    if (want != cmd)
        NdisWritePciSlotInformation(s->handle, 0, 4, &want, sizeof want);
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS rtl_query_resources(RtlAdapter *s, NDIS_HANDLE wrapper_ctx)
{
    ULONG buf[(sizeof(NDIS_RESOURCE_LIST) + 8 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)) /
              sizeof(ULONG)];
    PNDIS_RESOURCE_LIST list = (PNDIS_RESOURCE_LIST)buf;
    UINT size = sizeof buf;
    NDIS_STATUS status;
    BOOLEAN have_mem = FALSE;
    ULONG i;

    NdisMQueryAdapterResources(&status, wrapper_ctx, list, &size);
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    s->io_len = 0;
    for (i = 0; i < list->Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &list->PartialDescriptors[i];
        switch (d->Type) {
        case CmResourceTypePort:
            if (s->io_len == 0) {
                s->io_start = d->u.Port.Start.LowPart;
                s->io_len = d->u.Port.Length;
            }
            break;
        case CmResourceTypeMemory:
            if (!have_mem) {
                s->mem_pa = d->u.Memory.Start;
                s->mem_len = d->u.Memory.Length;
                have_mem = TRUE;
            }
            break;
        case CmResourceTypeInterrupt:
            if (!s->have_int_res) {
                s->int_vector = d->u.Interrupt.Vector;
                s->int_level = d->u.Interrupt.Level;
                /* PCI INTx# is level-sensitive and may be shared. */
                s->int_mode = (d->Flags & CM_RESOURCE_INTERRUPT_LATCHED)
                                  ? NdisInterruptLatched
                                  : NdisInterruptLevelSensitive;
                s->int_shared = TRUE;
                s->have_int_res = TRUE;
            }
            break;
        default:
            break;
        }
    }
    if (s->mmio && (!have_mem || s->mem_len < RTL_REG_WINDOW)) {
        DbgPrint("rtl8139: no usable memory BAR, using I/O ports\n");
        s->mmio = FALSE;
    }
    if (!s->mmio && s->io_len < RTL_REG_WINDOW) {
        DbgPrint("rtl8139: no I/O port range of %u bytes\n", RTL_REG_WINDOW);
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    if (!s->have_int_res) {
        DbgPrint("rtl8139: no interrupt assigned\n");
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS rtl_map_registers(RtlAdapter *s)
{
    NDIS_STATUS status;

    if (s->mmio) {
        PVOID va = NULL;
        status = NdisMMapIoSpace(&va, s->handle, s->mem_pa, RTL_REG_WINDOW);
        if (status != NDIS_STATUS_SUCCESS)
            return status;
        s->mem_va = va;
        s->have_mem = TRUE;
    } else {
        PVOID offset = NULL;
        status = NdisMRegisterIoPortRange(&offset, s->handle, s->io_start, RTL_REG_WINDOW);
        if (status != NDIS_STATUS_SUCCESS)
            return status;
        s->port_base = (ULONG)(ULONG_PTR)offset;
        s->have_io = TRUE;
    }
    return NDIS_STATUS_SUCCESS;
}

/* CR.RST (6.4): "The reset bit is cleared when the reset operation is
 * complete"; give it 10 ms. */
static BOOLEAN rtl_hw_reset(RtlAdapter *s)
{
    ULONG i;

    rtl_w8(s, RTL_CR, RTL_CR_RST);
    for (i = 0; i < RTL_RESET_POLLS; i++) {
        if (!(rtl_r8(s, RTL_CR) & RTL_CR_RST))
            return TRUE;
        NdisStallExecution(10);
    }
    return FALSE;
}

/* 9346CR in programming mode (EEM = 10) drives the EEPROM pins (6.9). */
static void rtl_ee_pins(RtlAdapter *s, UCHAR pins)
{
    rtl_w8(s, RTL_9346CR, (UCHAR)(RTL_9346CR_EEM_PROGRAM | pins));
    NdisStallExecution(RTL_EE_DELAY_US);
}

/* One 16-bit word by the Microwire READ command: with CS high, shift in
 * the start bit, opcode 10 and the address MSB first on rising SK; DO then
 * gives a dummy 0 and D15..D0, one bit per rising SK (93C46 datasheet). */
static USHORT rtl_ee_read(RtlAdapter *s, ULONG word, ULONG addr_bits)
{
    ULONG cmd = (RTL_EE_CMD_READ << addr_bits) | word;
    LONG i;
    USHORT v = 0;

    rtl_ee_pins(s, 0);
    rtl_ee_pins(s, RTL_9346CR_EECS);
    for (i = (LONG)addr_bits + 2; i >= 0; i--) {
        UCHAR di = ((cmd >> i) & 1) ? RTL_9346CR_EEDI : 0;
        rtl_ee_pins(s, (UCHAR)(RTL_9346CR_EECS | di));
        rtl_ee_pins(s, (UCHAR)(RTL_9346CR_EECS | di | RTL_9346CR_EESK));
        rtl_ee_pins(s, (UCHAR)(RTL_9346CR_EECS | di));
    }
    for (i = 0; i < 16; i++) {
        rtl_ee_pins(s, RTL_9346CR_EECS | RTL_9346CR_EESK);
        v = (USHORT)((v << 1) | (rtl_r8(s, RTL_9346CR) & RTL_9346CR_EEDO));
        rtl_ee_pins(s, RTL_9346CR_EECS);
    }
    rtl_ee_pins(s, 0); /* CS low ends the command */
    return v;
}

/* The permanent address: EEPROM words 7-9 (section 5), or IDR0-5 (loaded
 * from the same words at power-on) if the EEPROM has no 8129h signature. */
static NDIS_STATUS rtl_read_mac(RtlAdapter *s)
{
    ULONG bits =
        (rtl_r32(s, RTL_RCR) & RTL_RCR_9356SEL) ? RTL_EE_ADDR_BITS_93C56 : RTL_EE_ADDR_BITS_93C46;
    ULONG i;

    if (rtl_ee_read(s, RTL_EE_ID, bits) == RTL_EE_SIGNATURE) {
        for (i = 0; i < 3; i++) {
            USHORT w = rtl_ee_read(s, RTL_EE_ETHERNET_ID + i, bits);
            s->perm_addr[2 * i] = (UCHAR)w;
            s->perm_addr[2 * i + 1] = (UCHAR)(w >> 8);
        }
    }
    rtl_w8(s, RTL_9346CR, RTL_9346CR_EEM_NORMAL);
    if (!rtl_addr_valid(s->perm_addr)) {
        ULONG lo = rtl_r32(s, RTL_IDR0), hi = rtl_r32(s, RTL_IDR0 + 4);
        for (i = 0; i < 4; i++)
            s->perm_addr[i] = (UCHAR)(lo >> (8 * i));
        s->perm_addr[4] = (UCHAR)hi;
        s->perm_addr[5] = (UCHAR)(hi >> 8);
    }
    if (!rtl_addr_valid(s->perm_addr)) {
        DbgPrint("rtl8139: no valid station address in EEPROM or IDR\n");
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}

static NDIS_STATUS rtl_alloc_shared(RtlAdapter *s)
{
    PVOID va = NULL;

    /* NDIS 5.x gives a bus master its DMA adapter in
     * NdisMAllocateMapRegisters; shared memory is allocated through it. The
     * driver never maps packet buffers, so one register is enough. */
    if (NdisMAllocateMapRegisters(s->handle, 0, NDIS_DMA_32BITS, 1, RTL_TX_BUF_SIZE) !=
        NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_RESOURCES;
    s->have_map_regs = TRUE;

    s->rx_len = s->rx_kb * 1024;
    s->rx_ring_alloc = s->rx_len + RTL_RX_RING_EXTRA + RTL_RX_SLACK;
    NdisMAllocateSharedMemory(s->handle, s->rx_ring_alloc, FALSE, &va, &s->rx_ring_pa);
    if (va == NULL)
        return NDIS_STATUS_RESOURCES;
    s->rx_ring = va;

    va = NULL;
    NdisMAllocateSharedMemory(s->handle, RTL_TX_DESCS * RTL_TX_BUF_SIZE, FALSE, &va, &s->tx_buf_pa);
    if (va == NULL)
        return NDIS_STATUS_RESOURCES;
    s->tx_buf = va;

    /* The chip has 32-bit DMA addresses; TSAD must be 32-bit aligned (6.17). */
    if (s->rx_ring_pa.HighPart != 0 || s->tx_buf_pa.HighPart != 0 ||
        (s->rx_ring_pa.LowPart & 3) != 0 || (s->tx_buf_pa.LowPart & 3) != 0) {
        DbgPrint("rtl8139: shared memory not DMA-addressable\n");
        return NDIS_STATUS_RESOURCES;
    }
    NdisZeroMemory(s->rx_ring, s->rx_ring_alloc);
    NdisZeroMemory(s->tx_buf, RTL_TX_DESCS * RTL_TX_BUF_SIZE);
    return NDIS_STATUS_SUCCESS;
}

/* Receive packets for NdisMIndicateReceivePacket: each one packet
 * descriptor with one buffer over its own RTL_RX_BUF_SIZE bytes. */
static NDIS_STATUS rtl_alloc_rx_packets(RtlAdapter *s)
{
    NDIS_STATUS status;
    PVOID mem = NULL;
    ULONG i;

    NdisAllocatePacketPool(&status, &s->packet_pool, RTL_RX_PACKETS,
                           PROTOCOL_RESERVED_SIZE_IN_PACKET);
    if (status != NDIS_STATUS_SUCCESS) {
        s->packet_pool = NULL;
        return status;
    }
    NdisAllocateBufferPool(&status, &s->buffer_pool, RTL_RX_PACKETS);
    if (status != NDIS_STATUS_SUCCESS) {
        s->buffer_pool = NULL;
        return status;
    }
    s->rx_mem_len = RTL_RX_PACKETS * RTL_RX_BUF_SIZE;
    if (NdisAllocateMemoryWithTag(&mem, s->rx_mem_len, RTL_TAG) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_RESOURCES;
    s->rx_mem = mem;
    for (i = 0; i < RTL_RX_PACKETS; i++) {
        RtlRxSlot *slot = &s->rx_slot[i];
        slot->data = s->rx_mem + i * RTL_RX_BUF_SIZE;
        NdisAllocatePacket(&status, &slot->packet, s->packet_pool);
        if (status != NDIS_STATUS_SUCCESS)
            return status;
        NdisAllocateBuffer(&status, &slot->buffer, s->buffer_pool, slot->data, RTL_RX_BUF_SIZE);
        if (status != NDIS_STATUS_SUCCESS) {
            NdisFreePacket(slot->packet);
            slot->packet = NULL;
            return status;
        }
        NdisChainBufferAtFront(slot->packet, slot->buffer);
        NDIS_SET_PACKET_HEADER_SIZE(slot->packet, RTL_ETH_HEADER);
        *(ULONG *)slot->packet->MiniportReserved = i;
        s->rx_allocated = i + 1;
        s->rx_free[s->rx_nfree++] = i;
    }
    return NDIS_STATUS_SUCCESS;
}

/* RCR and MAR0-7 from the packet filter and the multicast list (6.8). */
void rtl_hw_set_filter(RtlAdapter *s)
{
    ULONG f = s->packet_filter;
    ULONG rcr = (RTL_RCR_RXFTH_NONE << RTL_RCR_RXFTH_SHIFT) |
                (RTL_RCR_MXDMA_UNLIMITED << RTL_RCR_MXDMA_SHIFT) | RTL_RCR_WRAP;
    ULONG mar_lo = 0, mar_hi = 0;

    switch (s->rx_kb) {
    case 8:
        break;
    case 16:
        rcr |= 1u << RTL_RCR_RBLEN_SHIFT;
        break;
    default:
        rcr |= 2u << RTL_RCR_RBLEN_SHIFT;
        break;
    }
    if (f & NDIS_PACKET_TYPE_DIRECTED)
        rcr |= RTL_RCR_APM;
    if (f & NDIS_PACKET_TYPE_BROADCAST)
        rcr |= RTL_RCR_AB;
    if (f & (NDIS_PACKET_TYPE_PROMISCUOUS | NDIS_PACKET_TYPE_ALL_MULTICAST)) {
        rcr |= RTL_RCR_AM;
        mar_lo = mar_hi = 0xFFFFFFFFu;
    } else if (f & NDIS_PACKET_TYPE_MULTICAST) {
        rcr |= RTL_RCR_AM;
        mar_lo =
            s->mar[0] | (ULONG)s->mar[1] << 8 | (ULONG)s->mar[2] << 16 | (ULONG)s->mar[3] << 24;
        mar_hi =
            s->mar[4] | (ULONG)s->mar[5] << 8 | (ULONG)s->mar[6] << 16 | (ULONG)s->mar[7] << 24;
    }
    if (f & NDIS_PACKET_TYPE_PROMISCUOUS)
        rcr |= RTL_RCR_AAP | RTL_RCR_APM | RTL_RCR_AB;
    /* MAR0-7 take 4-byte writes only (section 6). */
    rtl_w32(s, RTL_MAR0, mar_lo);
    rtl_w32(s, RTL_MAR0 + 4, mar_hi);
    rtl_w32(s, RTL_RCR, rcr);
}

/* Program a freshly reset chip (the Programming Guide's initialization
 * order: buffer addresses, then RE/TE, then TCR/RCR, then IMR). */
static void rtl_hw_start(RtlAdapter *s)
{
    const UCHAR *a = s->cur_addr;
    ULONG i;

    /* IDR0-5 take 4-byte writes (section 6); bytes 6-7 are reserved. */
    rtl_w32(s, RTL_IDR0, a[0] | (ULONG)a[1] << 8 | (ULONG)a[2] << 16 | (ULONG)a[3] << 24);
    rtl_w32(s, RTL_IDR0 + 4, a[4] | (ULONG)a[5] << 8);

    rtl_w32(s, RTL_RBSTART, s->rx_ring_pa.LowPart);
    for (i = 0; i < RTL_TX_DESCS; i++)
        rtl_w32(s, RTL_TSAD(i), s->tx_buf_pa.LowPart + i * RTL_TX_BUF_SIZE);
    s->tx_head = s->tx_tail = s->tx_busy = 0;
    NdisZeroMemory(s->tx_packet, sizeof s->tx_packet);
    s->rx_offset = 0;
    rtl_w16(s, RTL_CAPR, (USHORT)(s->rx_offset - 16));

    rtl_w8(s, RTL_CR, RTL_CR_RE | RTL_CR_TE);
    rtl_w32(s, RTL_TCR,
            (RTL_TCR_IFG_STANDARD << RTL_TCR_IFG_SHIFT) |
                (RTL_TCR_MXDMA_1024 << RTL_TCR_MXDMA_SHIFT));
    rtl_hw_set_filter(s);
    rtl_w32(s, RTL_MPC, 0);
    rtl_w16(s, RTL_ISR, 0xFFFF);
    rtl_irq_set(s, TRUE);
}

/* Receiver and transmitter off, no interrupts. */
static void rtl_hw_stop(RtlAdapter *s)
{
    rtl_irq_set(s, FALSE);
    rtl_w8(s, RTL_CR, 0);
    rtl_w16(s, RTL_ISR, 0xFFFF);
}

/* Undo MiniportInitialize, in reverse order; for a failed initialize too. */
static void rtl_release(RtlAdapter *s)
{
    ULONG i;

    if (s->have_shutdown)
        NdisMDeregisterAdapterShutdownHandler(s->handle);
    if (s->have_interrupt)
        NdisMDeregisterInterrupt(&s->interrupt);
    s->have_interrupt = FALSE;
    for (i = 0; i < s->rx_allocated; i++) {
        if (s->rx_slot[i].buffer != NULL)
            NdisFreeBuffer(s->rx_slot[i].buffer);
        if (s->rx_slot[i].packet != NULL)
            NdisFreePacket(s->rx_slot[i].packet);
    }
    if (s->rx_mem != NULL)
        NdisFreeMemory(s->rx_mem, s->rx_mem_len, 0);
    if (s->buffer_pool != NULL)
        NdisFreeBufferPool(s->buffer_pool);
    if (s->packet_pool != NULL)
        NdisFreePacketPool(s->packet_pool);
    if (s->have_lock) {
        NdisFreeSpinLock(&s->rx_lock);
    }
    if (s->tx_buf != NULL)
        NdisMFreeSharedMemory(s->handle, RTL_TX_DESCS * RTL_TX_BUF_SIZE, FALSE, s->tx_buf,
                              s->tx_buf_pa);
    if (s->rx_ring != NULL)
        NdisMFreeSharedMemory(s->handle, s->rx_ring_alloc, FALSE, s->rx_ring, s->rx_ring_pa);
    if (s->have_map_regs)
        NdisMFreeMapRegisters(s->handle);
    if (s->have_mem)
        NdisMUnmapIoSpace(s->handle, (PVOID)s->mem_va, RTL_REG_WINDOW);
    if (s->have_io)
        NdisMDeregisterIoPortRange(s->handle, s->io_start, RTL_REG_WINDOW,
                                   (PVOID)(ULONG_PTR)s->port_base);
    NdisFreeMemory(s, sizeof *s, 0);
}

static const char *rtl_chip_name(ULONG hwverid)
{
    return hwverid == RTL_TCR_HWVERID_8139C ? "RTL8139C(L)" : "RTL8139 family";
}

NDIS_STATUS NTAPI rtl_initialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                 PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                 NDIS_HANDLE MiniportAdapterHandle,
                                 NDIS_HANDLE WrapperConfigurationContext)
{
    RtlAdapter *s;
    PVOID mem = NULL;
    NDIS_STATUS status;
    UCHAR override[RTL_ETH_ADDR];
    BOOLEAN have_override;
    UINT i;

    *OpenErrorStatus = NDIS_STATUS_SUCCESS;
    for (i = 0; i < MediumArraySize; i++)
        if (MediumArray[i] == NdisMedium802_3)
            break;
    if (i == MediumArraySize)
        return NDIS_STATUS_UNSUPPORTED_MEDIA;
    *SelectedMediumIndex = i;

    if (NdisAllocateMemoryWithTag(&mem, sizeof *s, RTL_TAG) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_RESOURCES;
    s = mem;
    NdisZeroMemory(s, sizeof *s);
    s->handle = MiniportAdapterHandle;
    s->lookahead = RTL_ETH_MAX_DATA;
    s->tx_thresh = RTL_TX_THRESH_INIT;

    /* Before any call that claims hardware resources. CheckForHang every
     * 2 s (0 = NDIS's default). */
    NdisMSetAttributesEx(MiniportAdapterHandle, s, 0,
                         NDIS_ATTRIBUTE_BUS_MASTER | NDIS_ATTRIBUTE_USES_SAFE_BUFFER_APIS,
                         NdisInterfacePci);

    status = rtl_read_config(s, WrapperConfigurationContext, override, &have_override);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    status = rtl_query_resources(s, WrapperConfigurationContext);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    status = rtl_pci_check(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    status = rtl_map_registers(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;

    if (!rtl_hw_reset(s)) {
        DbgPrint("rtl8139: CR.RST did not clear\n");
        status = NDIS_STATUS_HARD_ERRORS;
        goto fail;
    }
    s->hwverid = rtl_r32(s, RTL_TCR) & RTL_TCR_HWVERID_MASK;
    status = rtl_read_mac(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    NdisMoveMemory(s->cur_addr, have_override ? override : s->perm_addr, RTL_ETH_ADDR);

    status = rtl_alloc_shared(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    NdisAllocateSpinLock(&s->rx_lock);
    s->have_lock = TRUE;
    if (s->rx_mode == RTL_RX_MODE_PACKETS) {
        status = rtl_alloc_rx_packets(s);
        if (status != NDIS_STATUS_SUCCESS)
            goto fail;
    }

    status = NdisMRegisterInterrupt(&s->interrupt, s->handle, s->int_vector, s->int_level, TRUE,
                                    s->int_shared, s->int_mode);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("rtl8139: NdisMRegisterInterrupt(vector %lu) failed: %08lx\n", s->int_vector,
                 (ULONG)status);
        goto fail;
    }
    s->have_interrupt = TRUE;

    rtl_hw_start(s);
    rtl_link_update(s, FALSE); /* no status indications inside MiniportInitialize */

    NdisMInitializeTimer(&s->link_timer, s->handle, rtl_link_timer, s);
    NdisMSetPeriodicTimer(&s->link_timer, s->link_check_ms);
    s->have_timer = TRUE;
    NdisMRegisterAdapterShutdownHandler(s->handle, s, rtl_shutdown);
    s->have_shutdown = TRUE;

    DbgPrint("rtl8139: %s (HWVERID %08lx) at %s %08lx irq %lu, MAC "
             "%02x:%02x:%02x:%02x:%02x:%02x%s, rx ring %luK, link %s\n",
             rtl_chip_name(s->hwverid), s->hwverid, s->mmio ? "mem" : "io",
             s->mmio ? s->mem_pa.LowPart : s->io_start, s->int_vector, s->cur_addr[0],
             s->cur_addr[1], s->cur_addr[2], s->cur_addr[3], s->cur_addr[4], s->cur_addr[5],
             have_override ? " (NetworkAddress)" : "", s->rx_kb, s->link_up ? "up" : "down");
    return NDIS_STATUS_SUCCESS;

fail:
    if (s->have_io || s->have_mem)
        rtl_hw_stop(s);
    rtl_release(s);
    return status;
}

VOID NTAPI rtl_halt(NDIS_HANDLE MiniportAdapterContext)
{
    RtlAdapter *s = MiniportAdapterContext;
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
        rtl_hw_stop(s);
    NdisMDeregisterInterrupt(&s->interrupt);
    s->have_interrupt = FALSE;
    /* NDIS 5.1 "Halting a Miniport Driver": do not return while indicated
     * receive packets are still out. */
    for (waits = 0; s->rx_outstanding > 0 && waits < 500; waits++)
        NdisMSleep(10000);
    if (s->rx_outstanding > 0)
        DbgPrint("rtl8139: halt with %ld receive packets not returned\n", s->rx_outstanding);
    rtl_release(s);
}

/* A full chip reset and reprogramming. Frames still in the descriptors are
 * lost and counted as transmit errors. Sends pending on them (SendCompletion
 * = 1) are given up without NdisMSendComplete: for a serialized miniport
 * "the miniport relinquishes pending packet ownership ... NDIS will complete
 * any pending sends" (NT DDK, MiniportReset). The driver restores the
 * station address, filter and multicast list itself: no AddressingReset. */
NDIS_STATUS NTAPI rtl_reset(PBOOLEAN AddressingReset, NDIS_HANDLE MiniportAdapterContext)
{
    RtlAdapter *s = MiniportAdapterContext;

    *AddressingReset = FALSE;
    if (s->removed)
        return NDIS_STATUS_HARD_ERRORS;
    rtl_hw_stop(s);
    s->xmit_error += s->tx_busy;
    if (!rtl_hw_reset(s)) {
        DbgPrint("rtl8139: reset: CR.RST did not clear\n");
        return NDIS_STATUS_HARD_ERRORS;
    }
    s->hw_error = FALSE;
    s->hang_ticks = 0;
    rtl_hw_start(s);
    if (s->tx_resources) {
        s->tx_resources = FALSE;
        NdisMSendResourcesAvailable(s->handle);
    }
    return NDIS_STATUS_SUCCESS;
}

/* May run at any IRQL, even after a bugcheck: touch only the chip. */
VOID NTAPI rtl_shutdown(PVOID ShutdownContext)
{
    RtlAdapter *s = ShutdownContext;

    if (s->removed)
        return;
    rtl_w16(s, RTL_IMR, 0);
    rtl_w8(s, RTL_CR, 0);
}

VOID NTAPI rtl_pnp_event(NDIS_HANDLE MiniportAdapterContext, NDIS_DEVICE_PNP_EVENT PnPEvent,
                         PVOID InformationBuffer, ULONG InformationBufferLength)
{
    RtlAdapter *s = MiniportAdapterContext;

    if (PnPEvent == NdisDevicePnPEventSurpriseRemoved) {
        /* The registers are gone: stop touching them. */
        s->removed = TRUE;
        s->irq_enabled = FALSE;
    }
}
