/* Bringing an NE2000 up and down: MiniportInitialize, MiniportHalt,
 * MiniportReset and the shutdown handler, with the chip programming they
 * share. Chip: DP8390D section 11.0 "Initialization Procedures", the
 * station address PROM through remote DMA (section 9.0; RTL8029AS 6.2.2
 * for its contents), the NE2000 reset port. NDIS: the NT 4.0 DDK order of
 * a miniport's initialization (medium, adapter context, attributes,
 * configuration, resources, hardware, interrupt, shutdown handler). */
#include "ne2000.h"

/* Configuration keywords (ne2000.inf). NDIS_STRING is a UNICODE_STRING;
 * mingw-w64's ndis.h has no NDIS_STRING_CONST. */
static NDIS_STRING kw_bus_type = RTL_CONSTANT_STRING(L"BusType");
static NDIS_STRING kw_io_base = RTL_CONSTANT_STRING(L"IoBaseAddress");
static NDIS_STRING kw_interrupt = RTL_CONSTANT_STRING(L"InterruptNumber");

static const NDIS_PHYSICAL_ADDRESS ne_highest_address = NDIS_PHYSICAL_ADDRESS_CONST(-1, -1);

typedef struct NeConfig {
    BOOLEAN have_bus_type;
    ULONG bus_type;
    ULONG io_base;
    ULONG irq;
    BOOLEAN have_override;
    UCHAR override[NE_ETH_ADDR];
} NeConfig;

/* One integer parameter; FALSE if absent or not an integer. NDIS converts
 * the registry's REG_SZ to a number in the base the type asks for. */
static BOOLEAN ne_config_ulong(NDIS_HANDLE cfg, PNDIS_STRING name, NDIS_PARAMETER_TYPE type,
                               ULONG *value)
{
    NDIS_STATUS status;
    PNDIS_CONFIGURATION_PARAMETER p = NULL;

    NdisReadConfiguration(&status, &p, cfg, name, type);
    if (status != NDIS_STATUS_SUCCESS || p == NULL ||
        (p->ParameterType != NdisParameterInteger && p->ParameterType != NdisParameterHexInteger))
        return FALSE;
    *value = p->ParameterData.IntegerData;
    return TRUE;
}

static BOOLEAN ne_addr_valid(const UCHAR *a)
{
    ULONG i, or_bits = 0, and_bits = 0xFF;

    for (i = 0; i < NE_ETH_ADDR; i++) {
        or_bits |= a[i];
        and_bits &= a[i];
    }
    /* Not all zero, not broadcast, not a group address (I/G bit). */
    return or_bits != 0 && and_bits != 0xFF && !(a[0] & 0x01);
}

static NDIS_STATUS ne_read_config(NDIS_HANDLE wrapper_ctx, NeConfig *c)
{
    NDIS_STATUS status;
    NDIS_HANDLE cfg;
    PVOID addr = NULL;
    UINT addr_len = 0;

    NdisZeroMemory(c, sizeof *c);
    c->io_base = NE_ISA_IO_DEFAULT;
    c->irq = NE_ISA_IRQ_DEFAULT;

    NdisOpenConfiguration(&status, &cfg, wrapper_ctx);
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    c->have_bus_type = ne_config_ulong(cfg, &kw_bus_type, NdisParameterInteger, &c->bus_type);
    if (!ne_config_ulong(cfg, &kw_io_base, NdisParameterHexInteger, &c->io_base))
        c->io_base = NE_ISA_IO_DEFAULT;
    if (!ne_config_ulong(cfg, &kw_interrupt, NdisParameterInteger, &c->irq))
        c->irq = NE_ISA_IRQ_DEFAULT;

    /* The string is NDIS's until NdisCloseConfiguration: copy it now. */
    NdisReadNetworkAddress(&status, &addr, &addr_len, cfg);
    if (status == NDIS_STATUS_SUCCESS && addr != NULL && addr_len == NE_ETH_ADDR) {
        if (ne_addr_valid(addr)) {
            NdisMoveMemory(c->override, addr, NE_ETH_ADDR);
            c->have_override = TRUE;
        } else {
            DbgPrint("ne2000: NetworkAddress ignored: not a unicast address\n");
        }
    }
    NdisCloseConfiguration(cfg);
    return NDIS_STATUS_SUCCESS;
}

/* PCI or ISA: the BusType parameter when there is one (NdisInterfacePci 5,
 * NdisInterfaceIsa 1), otherwise whether the slot's configuration space
 * holds an Ethernet controller (an ISA card has none: the read returns 0
 * bytes). */
static NDIS_INTERFACE_TYPE ne_bus_type(NDIS_HANDLE handle, const NeConfig *c)
{
    USHORT cls = 0;

    if (c->have_bus_type) {
        if (c->bus_type == NdisInterfacePci)
            return NdisInterfacePci;
        if (c->bus_type == NdisInterfaceIsa)
            return NdisInterfaceIsa;
        DbgPrint("ne2000: BusType %lu not supported, probing\n", c->bus_type);
    }
    if (NdisReadPciSlotInformation(handle, 0, NE_PCI_CFG_CLASS, &cls, sizeof cls) == sizeof cls &&
        cls == NE_PCI_CLASS_ETHERNET)
        return NdisInterfacePci;
    return NdisInterfaceIsa;
}

/* PCI: check for an Ethernet controller (not the vendor and device ID:
 * Windows binds the driver by its INF's hardware IDs, and RTL8029AS boards
 * carry their maker's IDs; the 8029ID registers identify the chip), turn
 * on I/O space decoding if firmware left it off
 * (PCI 3.0 section 6.2.2, command register bit 0), and take the port range
 * and interrupt NDIS assigned. NT 4.0 had no resource list for some
 * buses; then BAR0 and the interrupt line come from configuration space. */
static NDIS_STATUS ne_pci_resources(NeAdapter *s, NDIS_HANDLE wrapper_ctx)
{
    ULONG buf[(sizeof(NDIS_RESOURCE_LIST) + 4 * sizeof(CM_PARTIAL_RESOURCE_DESCRIPTOR)) /
              sizeof(ULONG)];
    PNDIS_RESOURCE_LIST list = (PNDIS_RESOURCE_LIST)buf;
    UINT size = sizeof buf;
    NDIS_STATUS status;
    USHORT id[2] = {0, 0};
    USHORT cls = 0;
    USHORT cmd = 0;
    BOOLEAN have_io = FALSE, have_int = FALSE;
    ULONG i;

    if (NdisReadPciSlotInformation(s->handle, 0, NE_PCI_CFG_ID, id, sizeof id) != sizeof id ||
        NdisReadPciSlotInformation(s->handle, 0, NE_PCI_CFG_CLASS, &cls, sizeof cls) !=
            sizeof cls ||
        cls != NE_PCI_CLASS_ETHERNET) {
        DbgPrint("ne2000: PCI %04x:%04x class %04x is not an Ethernet controller\n", id[0], id[1],
                 cls);
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    }
    if (id[0] != NE_PCI_VENDOR || id[1] != NE_PCI_DEVICE)
        DbgPrint("ne2000: board %04x:%04x\n", id[0], id[1]);
    if (NdisReadPciSlotInformation(s->handle, 0, NE_PCI_CFG_COMMAND, &cmd, sizeof cmd) ==
            sizeof cmd &&
        !(cmd & NE_PCI_COMMAND_IO)) {
        cmd |= NE_PCI_COMMAND_IO;
        NdisWritePciSlotInformation(s->handle, 0, NE_PCI_CFG_COMMAND, &cmd, sizeof cmd);
    }

    NdisMQueryAdapterResources(&status, wrapper_ctx, list, &size);
    if (status == NDIS_STATUS_SUCCESS) {
        for (i = 0; i < list->Count; i++) {
            PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &list->PartialDescriptors[i];
            if (d->Type == CmResourceTypePort && !have_io && d->u.Port.Length >= NE_IO_SIZE) {
                s->io_base = d->u.Port.Start.LowPart;
                have_io = TRUE;
            } else if (d->Type == CmResourceTypeInterrupt && !have_int) {
                s->int_vector = d->u.Interrupt.Vector;
                s->int_level = d->u.Interrupt.Level;
                s->int_mode = (d->Flags & CM_RESOURCE_INTERRUPT_LATCHED)
                                  ? NdisInterruptLatched
                                  : NdisInterruptLevelSensitive;
                have_int = TRUE;
            }
        }
    }
    if (!have_io) {
        ULONG bar0 = 0;
        if (NdisReadPciSlotInformation(s->handle, 0, NE_PCI_CFG_BAR0, &bar0, sizeof bar0) ==
                sizeof bar0 &&
            (bar0 & NE_PCI_BAR_IO) && (bar0 & NE_PCI_BAR_IO_MASK) != 0) {
            s->io_base = bar0 & NE_PCI_BAR_IO_MASK;
            have_io = TRUE;
        }
    }
    if (!have_int) {
        UCHAR line = 0xFF;
        if (NdisReadPciSlotInformation(s->handle, 0, NE_PCI_CFG_INTERRUPT_LINE, &line,
                                       sizeof line) == sizeof line &&
            line != 0 && line != 0xFF) {
            s->int_vector = s->int_level = line;
            s->int_mode = NdisInterruptLevelSensitive;
            have_int = TRUE;
        }
    }
    if (!have_io || !have_int) {
        DbgPrint("ne2000: PCI resources missing (I/O %s, interrupt %s)\n", have_io ? "ok" : "none",
                 have_int ? "ok" : "none");
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    /* PCI INTA# is level-sensitive and may be shared. */
    s->int_shared = TRUE;
    return NDIS_STATUS_SUCCESS;
}

/* ISA: the jumpered port and IRQ, as configured (IoBaseAddress,
 * InterruptNumber). An ISA interrupt is edge-triggered and not shared. */
static NDIS_STATUS ne_isa_resources(NeAdapter *s, const NeConfig *c)
{
    if (c->io_base < NE_ISA_IO_MIN || c->io_base > NE_ISA_IO_MAX ||
        (c->io_base & (NE_IO_SIZE - 1)) != 0) {
        DbgPrint("ne2000: IoBaseAddress %lx is not an NE2000 port (200-3E0, 20h steps)\n",
                 c->io_base);
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    if (c->irq < NE_ISA_IRQ_MIN || c->irq > NE_ISA_IRQ_MAX) {
        DbgPrint("ne2000: InterruptNumber %lu out of range (2-15)\n", c->irq);
        return NDIS_STATUS_RESOURCE_CONFLICT;
    }
    s->io_base = c->io_base;
    s->int_vector = s->int_level = c->irq;
    s->int_mode = NdisInterruptLatched;
    s->int_shared = FALSE;
    return NDIS_STATUS_SUCCESS;
}

/* The NE2000 reset port: a read asserts RESET, writing the value back
 * releases it. The NIC then sits in the reset state (DP8390D 11.0): CR =
 * 21h (stopped, remote DMA aborted, page 0) and ISR.RST set. Nothing at
 * the address reads all-ones, which fails the CR check. */
static BOOLEAN ne_hw_reset(NeAdapter *s)
{
    UCHAR v;
    ULONG i;

    v = ne_r8(s, NE_RESET);
    ne_w8(s, NE_RESET, v);
    for (i = 0; i < NE_RESET_POLLS; i++) {
        if (ne_r8(s, NE_P0_ISR) & NE_ISR_RST)
            break;
        NdisStallExecution(10);
    }
    if (i == NE_RESET_POLLS)
        return FALSE;
    s->cr_run = NE_CR_STP;
    v = ne_r8(s, NE_CR);
    if ((v & (NE_CR_STP | NE_CR_STA | NE_CR_TXP | NE_CR_RD_MASK)) != (NE_CR_STP | NE_CR_RD_ABORT))
        return FALSE;
    ne_w8(s, NE_P0_ISR, 0xFF);
    return TRUE;
}

/* The station address from the ID PROM at card address 0: a remote read of
 * 32 bytes in word mode gives each PROM byte twice (the NE2000 puts it on
 * both byte lanes), the Ethernet ID first and 57h 'W' at bytes 14-15
 * (RTL8029AS 6.2.2). The remote DMA runs only while the NIC is started
 * (DP8390D 7.0, overflow procedure step 7), so the NIC is started with the
 * receiver in monitor mode and the transmitter in loopback: nothing reaches
 * the ring or the cable. */
static NDIS_STATUS ne_read_prom(NeAdapter *s)
{
    UCHAR prom[NE_PROM_BYTES];
    ULONG i;
    BOOLEAN ok;

    ne_cmd(s, NE_CR_RD_ABORT | NE_CR_PAGE0);
    ne_w8(s, NE_P0_DCR, NE_DCR_INIT);
    ne_w8(s, NE_P0_RBCR0, 0);
    ne_w8(s, NE_P0_RBCR1, 0);
    ne_w8(s, NE_P0_IMR, 0);
    ne_w8(s, NE_P0_ISR, 0xFF);
    ne_w8(s, NE_P0_RCR, NE_RCR_MON);
    ne_w8(s, NE_P0_TCR, NE_TCR_LB_NIC);
    s->cr_run = NE_CR_STA;
    ne_cmd(s, NE_CR_RD_ABORT);
    ok = ne_dma_read(s, NE_PROM_ADDR, prom, sizeof prom);
    s->cr_run = NE_CR_STP;
    ne_cmd(s, NE_CR_RD_ABORT);
    if (!ok)
        return NDIS_STATUS_HARD_ERRORS;

    for (i = 0; i < NE_PROM_BYTES; i += 2) {
        if (prom[i] != prom[i + 1]) {
            DbgPrint("ne2000: ID PROM bytes not doubled: not a 16-bit NE2000\n");
            return NDIS_STATUS_ADAPTER_NOT_FOUND;
        }
    }
    if (prom[2 * NE_PROM_SIG_OFFSET] != NE_PROM_SIG ||
        prom[2 * (NE_PROM_SIG_OFFSET + 1)] != NE_PROM_SIG)
        DbgPrint("ne2000: ID PROM has no 'WW' signature (%02x %02x)\n",
                 prom[2 * NE_PROM_SIG_OFFSET], prom[2 * (NE_PROM_SIG_OFFSET + 1)]);
    for (i = 0; i < NE_ETH_ADDR; i++)
        s->perm_addr[i] = prom[2 * i];
    if (!ne_addr_valid(s->perm_addr)) {
        DbgPrint("ne2000: no valid station address in the ID PROM\n");
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}

/* RCR for the packet filter (DP8390D 10, RCR). Packets to PAR0-5 are
 * always accepted: the DP8390 has no bit to refuse them. Filter 0 (no
 * protocol bound) is monitor mode: addresses are checked, nothing is
 * buffered. */
static UCHAR ne_rcr_value(NeAdapter *s)
{
    ULONG f = s->packet_filter;
    UCHAR rcr = 0;

    s->monitoring = f == 0;
    if (f == 0)
        return NE_RCR_MON;
    if (f & NDIS_PACKET_TYPE_BROADCAST)
        rcr |= NE_RCR_AB;
    if (f & (NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST))
        rcr |= NE_RCR_AM;
    if (f & NDIS_PACKET_TYPE_PROMISCUOUS)
        rcr |= NE_RCR_PRO | NE_RCR_AB | NE_RCR_AM;
    return rcr;
}

/* MAR0-7: all ones for ALL_MULTICAST and PROMISCUOUS, else the hash of the
 * multicast list (oid.c), else nothing. */
static void ne_mar_value(NeAdapter *s, UCHAR mar[8])
{
    ULONG f = s->packet_filter, i;

    for (i = 0; i < 8; i++) {
        if (f & (NDIS_PACKET_TYPE_ALL_MULTICAST | NDIS_PACKET_TYPE_PROMISCUOUS))
            mar[i] = 0xFF;
        else if (f & NDIS_PACKET_TYPE_MULTICAST)
            mar[i] = s->mar[i];
        else
            mar[i] = 0;
    }
}

/* MAR0-7 on page 1, then RCR on page 0. Runs inside
 * NdisMSynchronizeWithInterrupt once the interrupt is connected: page 1
 * hides ISR and IMR from MiniportISR. */
static BOOLEAN NTAPI ne_sync_filter(PVOID ctx)
{
    NeAdapter *s = ctx;
    UCHAR mar[8];
    ULONG i;

    ne_mar_value(s, mar);
    ne_cmd(s, NE_CR_RD_ABORT | NE_CR_PAGE1);
    for (i = 0; i < 8; i++)
        ne_w8(s, NE_P1_MAR0 + i, mar[i]);
    ne_cmd(s, NE_CR_RD_ABORT | NE_CR_PAGE0);
    ne_w8(s, NE_P0_RCR, ne_rcr_value(s));
    return TRUE;
}

void ne_hw_set_filter(NeAdapter *s)
{
    /* CNTR2 means something else in monitor mode: settle it first. */
    if (!s->hw_error)
        ne_read_tallies(s);
    if (s->have_interrupt)
        NdisMSynchronizeWithInterrupt(&s->interrupt, (PVOID)ne_sync_filter, s);
    else
        ne_sync_filter(s);
}

/* DP8390D 11.0 "Initialization Procedures", steps 1-11, on a reset NIC.
 * IMR stays 0 here; the caller enables interrupts last (ne_irq_set). */
static void ne_hw_start(NeAdapter *s)
{
    UCHAR mar[8];
    ULONG i;

    s->cr_run = NE_CR_STP;
    ne_cmd(s, NE_CR_RD_ABORT | NE_CR_PAGE0); /* 1: CR = 21h */
    ne_w8(s, NE_P0_DCR, NE_DCR_INIT);        /* 2: word transfers, normal operation */
    ne_w8(s, NE_P0_RBCR0, 0);                /* 3 */
    ne_w8(s, NE_P0_RBCR1, 0);
    ne_w8(s, NE_P0_RCR, NE_RCR_MON);    /* 4: nothing buffered yet */
    ne_w8(s, NE_P0_TCR, NE_TCR_LB_NIC); /* 5: loopback mode 1 */
    ne_w8(s, NE_P0_BNRY, NE_RX_PSTART); /* 6: the receive ring */
    ne_w8(s, NE_P0_PSTART, NE_RX_PSTART);
    ne_w8(s, NE_P0_PSTOP, NE_RX_PSTOP);
    ne_w8(s, NE_P0_ISR, 0xFF);               /* 7 */
    ne_w8(s, NE_P0_IMR, 0);                  /* 8 */
    ne_cmd(s, NE_CR_RD_ABORT | NE_CR_PAGE1); /* 9: CR = 61h */
    for (i = 0; i < NE_ETH_ADDR; i++)
        ne_w8(s, NE_P1_PAR0 + i, s->cur_addr[i]);
    ne_mar_value(s, mar);
    for (i = 0; i < 8; i++)
        ne_w8(s, NE_P1_MAR0 + i, mar[i]);
    /* BNRY trails the next packet to read by one page, so BNRY + 1 ==
     * CURR means empty and the NIC can never fill the ring up to CURR ==
     * BNRY (DP8390D 7.0, "Buffer Ring Overflow"). */
    ne_w8(s, NE_P1_CURR, NE_RX_PSTART + 1);
    s->next_pkt = NE_RX_PSTART + 1;
    s->cr_run = NE_CR_STA;
    ne_cmd(s, NE_CR_RD_ABORT | NE_CR_PAGE0); /* 10: CR = 22h */
    ne_w8(s, NE_P0_TCR, NE_TCR_LB_NORMAL);   /* 11 */
    ne_w8(s, NE_P0_RCR, ne_rcr_value(s));

    s->tx_head = s->tx_tail = s->tx_count = 0;
    s->tx_active = FALSE;
    NdisZeroMemory(s->tx_packet, sizeof s->tx_packet);
    s->hang_ticks = 0;
    s->hang_done = s->tx_done;
}

/* Interrupts off, the NIC stopped. */
static void ne_hw_stop(NeAdapter *s)
{
    ne_irq_set(s, FALSE);
    s->cr_run = NE_CR_STP;
    ne_cmd(s, NE_CR_RD_ABORT | NE_CR_PAGE0);
}

/* Undo MiniportInitialize, in reverse order; for a failed initialize too. */
static void ne_release(NeAdapter *s)
{
    if (s->have_shutdown)
        NdisMDeregisterAdapterShutdownHandler(s->handle);
    if (s->have_interrupt)
        NdisMDeregisterInterrupt(&s->interrupt);
    s->have_interrupt = FALSE;
    if (s->have_io)
        NdisMDeregisterIoPortRange(s->handle, s->io_base, NE_IO_SIZE, (PVOID)(ULONG_PTR)s->port);
    NdisFreeMemory(s, sizeof *s, 0);
}

NDIS_STATUS NTAPI ne_initialize(PNDIS_STATUS OpenErrorStatus, PUINT SelectedMediumIndex,
                                PNDIS_MEDIUM MediumArray, UINT MediumArraySize,
                                NDIS_HANDLE MiniportAdapterHandle,
                                NDIS_HANDLE WrapperConfigurationContext)
{
    NeAdapter *s;
    NeConfig cfg;
    PVOID mem = NULL;
    PVOID port = NULL;
    NDIS_STATUS status;
    UINT i;

    *OpenErrorStatus = NDIS_STATUS_SUCCESS;
    for (i = 0; i < MediumArraySize; i++)
        if (MediumArray[i] == NdisMedium802_3)
            break;
    if (i == MediumArraySize)
        return NDIS_STATUS_UNSUPPORTED_MEDIA;
    *SelectedMediumIndex = i;

    /* NDIS 4.0's allocator: nonpaged system memory, anywhere. */
    if (NdisAllocateMemory(&mem, sizeof *s, 0, ne_highest_address) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_RESOURCES;
    s = mem;
    NdisZeroMemory(s, sizeof *s);
    s->handle = MiniportAdapterHandle;
    s->lookahead = NE_LOOKAHEAD_DEFAULT;
    s->cr_run = NE_CR_STP;

    status = ne_read_config(WrapperConfigurationContext, &cfg);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    s->bus = ne_bus_type(MiniportAdapterHandle, &cfg);

    /* Before any call that claims hardware resources. Not a bus master:
     * the NE2000 moves every byte by programmed I/O. */
    NdisMSetAttributes(MiniportAdapterHandle, s, FALSE, s->bus);

    if (s->bus == NdisInterfacePci)
        status = ne_pci_resources(s, WrapperConfigurationContext);
    else
        status = ne_isa_resources(s, &cfg);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;

    status = NdisMRegisterIoPortRange(&port, s->handle, s->io_base, NE_IO_SIZE);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("ne2000: NdisMRegisterIoPortRange(%lx) failed: %08lx\n", s->io_base,
                 (ULONG)status);
        goto fail;
    }
    s->port = (ULONG)(ULONG_PTR)port;
    s->have_io = TRUE;

    if (!ne_hw_reset(s)) {
        DbgPrint("ne2000: no NE2000 at %lx (no reset response)\n", s->io_base);
        status = NDIS_STATUS_ADAPTER_NOT_FOUND;
        goto fail;
    }
    /* RTL8029AS 5.1.2.2: 8029ID0/1 on page 0 read 'P' 'C'. */
    if (s->bus == NdisInterfacePci) {
        s->rtl8029 =
            ne_r8(s, NE_P0_8029ID0) == NE_RTL8029_ID0 && ne_r8(s, NE_P0_8029ID1) == NE_RTL8029_ID1;
        if (!s->rtl8029)
            DbgPrint("ne2000: 8029ID0/1 do not read 'PC'\n");
    }
    status = ne_read_prom(s);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    NdisMoveMemory(s->cur_addr, cfg.have_override ? cfg.override : s->perm_addr, NE_ETH_ADDR);

    status = NdisMRegisterInterrupt(&s->interrupt, s->handle, s->int_vector, s->int_level, TRUE,
                                    s->int_shared, s->int_mode);
    if (status != NDIS_STATUS_SUCCESS) {
        DbgPrint("ne2000: NdisMRegisterInterrupt(vector %lu) failed: %08lx\n", s->int_vector,
                 (ULONG)status);
        goto fail;
    }
    s->have_interrupt = TRUE;

    ne_hw_start(s);
    ne_irq_set(s, TRUE);

    NdisMRegisterAdapterShutdownHandler(s->handle, s, ne_shutdown);
    s->have_shutdown = TRUE;

    DbgPrint("ne2000: %s at %s port %lx irq %lu, MAC %02x:%02x:%02x:%02x:%02x:%02x%s\n",
             s->rtl8029 ? "RTL8029AS" : "NE2000", s->bus == NdisInterfacePci ? "PCI" : "ISA",
             s->io_base, s->int_vector, s->cur_addr[0], s->cur_addr[1], s->cur_addr[2],
             s->cur_addr[3], s->cur_addr[4], s->cur_addr[5],
             cfg.have_override ? " (NetworkAddress)" : "");
    return NDIS_STATUS_SUCCESS;

fail:
    if (s->have_io)
        ne_hw_stop(s);
    ne_release(s);
    return status;
}

VOID NTAPI ne_halt(NDIS_HANDLE MiniportAdapterContext)
{
    NeAdapter *s = MiniportAdapterContext;

    ne_hw_stop(s);
    NdisMDeregisterInterrupt(&s->interrupt);
    s->have_interrupt = FALSE;
    /* The protocols closed their bindings, which waits for their sends. */
    if (s->tx_count != 0)
        DbgPrint("ne2000: halt with %lu sends outstanding\n", s->tx_count);
    ne_release(s);
}

/* A card reset and full reprogramming. Frames in the transmit buffers are
 * lost and counted as transmit errors; the sends pending on them are given
 * up without NdisMSendComplete: for a serialized miniport "the miniport
 * relinquishes pending packet ownership ... NDIS will complete any pending
 * sends" (NT DDK, MiniportReset). The driver restores the station address,
 * filter and multicast list itself: no AddressingReset. */
NDIS_STATUS NTAPI ne_reset(PBOOLEAN AddressingReset, NDIS_HANDLE MiniportAdapterContext)
{
    NeAdapter *s = MiniportAdapterContext;

    *AddressingReset = FALSE;
    ne_hw_stop(s);
    if (!s->hw_error)
        ne_read_tallies(s);
    s->xmit_error += s->tx_count;
    if (!ne_hw_reset(s)) {
        DbgPrint("ne2000: reset: no response from the card\n");
        s->hw_error = TRUE;
        return NDIS_STATUS_HARD_ERRORS;
    }
    s->hw_error = FALSE;
    ne_hw_start(s);
    ne_irq_set(s, TRUE);
    if (s->tx_resources) {
        s->tx_resources = FALSE;
        NdisMSendResourcesAvailable(s->handle);
    }
    return NDIS_STATUS_SUCCESS;
}

/* May run at any IRQL, even after a bugcheck: touch only the chip. */
VOID NTAPI ne_shutdown(PVOID ShutdownContext)
{
    NeAdapter *s = ShutdownContext;

    ne_w8(s, NE_CR, NE_CR_STP | NE_CR_RD_ABORT | NE_CR_PAGE0);
    ne_w8(s, NE_P0_IMR, 0);
}
