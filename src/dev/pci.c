/* PCI configuration space and configuration mechanism #1 (see pci.h).
 * Each byte of the header carries a write mask and a W1C mask: BAR sizing
 * falls out of the masks (PCI 3.0 section 6.2.5.1: software writes all-ones
 * and reads back only the writable address bits plus the type bits). */
#include "dev/pci.h"

#include <string.h>

#include "trace/trace.h"

/* The type 0 header (PCI 3.0 section 6.1). Class: the IDs and other
 * read-only device constants are status; Expansion ROM and BIST are
 * classed as the specification defines them (a ROM address software
 * assigns, section 6.2.5.2; Start BIST cleared by the device when BIST
 * completes, 6.2.4) though no modelled device has a ROM or a BIST, so both
 * read 0 here. */
const RegDesc pci_config_regs[] = {
    {PCI_VENDOR_ID, 2, "Vendor ID", REG_RO, 0, REG_CLASS_STATUS, 0},
    {PCI_DEVICE_ID, 2, "Device ID", REG_RO, 0, REG_CLASS_STATUS, 0},
    {PCI_COMMAND, 2, "Command", REG_RW, 0, REG_CLASS_CONTROL, 0},
    {PCI_STATUS, 2, "Status", REG_W1C, 0, REG_CLASS_STATUS, 0},
    {PCI_REVISION_ID, 1, "Revision ID", REG_RO, 0, REG_CLASS_STATUS, 0},
    {PCI_CLASS_PROG, 3, "Class Code", REG_RO, 0, REG_CLASS_STATUS, 0},
    {PCI_CACHE_LINE_SIZE, 1, "Cache Line Size", REG_RW, 0, REG_CLASS_CONTROL, 0},
    {PCI_LATENCY_TIMER, 1, "Latency Timer", REG_RW, 0, REG_CLASS_CONTROL, 0},
    {PCI_HEADER_TYPE, 1, "Header Type", REG_RO, 0, REG_CLASS_STATUS, 0},
    {PCI_BIST, 1, "BIST", REG_RO, 0, REG_CLASS_CS, REG_F_SELFCLEAR},
    {PCI_BAR0 + 0, 4, "Base Address 0", REG_RW, 0, REG_CLASS_CONTROL, 0},
    {PCI_BAR0 + 4, 4, "Base Address 1", REG_RW, 0, REG_CLASS_CONTROL, 0},
    {PCI_BAR0 + 8, 4, "Base Address 2", REG_RW, 0, REG_CLASS_CONTROL, 0},
    {PCI_BAR0 + 12, 4, "Base Address 3", REG_RW, 0, REG_CLASS_CONTROL, 0},
    {PCI_BAR0 + 16, 4, "Base Address 4", REG_RW, 0, REG_CLASS_CONTROL, 0},
    {PCI_BAR0 + 20, 4, "Base Address 5", REG_RW, 0, REG_CLASS_CONTROL, 0},
    {PCI_CARDBUS_CIS, 4, "CardBus CIS Pointer", REG_RO, 0, REG_CLASS_STATUS, 0},
    {PCI_SUBSYSTEM_VENDOR_ID, 2, "Subsystem Vendor ID", REG_RO, 0, REG_CLASS_STATUS, 0},
    {PCI_SUBSYSTEM_ID, 2, "Subsystem ID", REG_RO, 0, REG_CLASS_STATUS, 0},
    {PCI_EXPANSION_ROM, 4, "Expansion ROM Base Address", REG_RO, 0, REG_CLASS_CONTROL, 0},
    {PCI_CAPABILITY_LIST, 1, "Capabilities Pointer", REG_RO, 0, REG_CLASS_STATUS, 0},
    {PCI_INTERRUPT_LINE, 1, "Interrupt Line", REG_RW, 0, REG_CLASS_CONTROL, 0},
    {PCI_INTERRUPT_PIN, 1, "Interrupt Pin", REG_RO, 0, REG_CLASS_STATUS, 0},
    {PCI_MIN_GNT, 1, "Min_Gnt", REG_RO, 0, REG_CLASS_STATUS, 0},
    {PCI_MAX_LAT, 1, "Max_Lat", REG_RO, 0, REG_CLASS_STATUS, 0},
};
const unsigned pci_config_nregs = sizeof pci_config_regs / sizeof pci_config_regs[0];

static const char *reg_name(uint32_t off)
{
    const RegDesc *r = reg_find(pci_config_regs, pci_config_nregs, off, 1);
    return r ? r->name : (off < 0x40 ? "reserved" : "device-specific");
}

/* A configuration access the driver made (through CONFIG_ADDRESS/DATA or
 * a bus-data export): one CONFIG_READ/WRITE event, the bytes as data. The
 * firmware's and the host's own accesses (pci_config_read/write) are not
 * the driver's and are not recorded. */
static void config_event(TraceKind kind, const PciDevice *d, uint32_t off, const uint8_t *bytes,
                         uint32_t len)
{
    if (!trace_enabled())
        return;
    uint32_t v = 0;
    for (uint32_t i = 0; i < len && i < 4; i++)
        v |= (uint32_t)bytes[i] << (8 * i);
    TraceEvent ev = {.kind = kind,
                     .name = d->name,
                     .addr = off,
                     .size = len,
                     .value = v,
                     .reg = reg_name(off),
                     .data = len > 4 ? bytes : NULL,
                     .len = len > 4 ? len : 0};
    trace_emit(&ev);
}

static void config_event_value(TraceKind kind, const PciDevice *d, uint32_t off, unsigned size,
                               uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    config_event(kind, d, off, b, size);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static uint32_t get32(const uint8_t *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void pci_device_init(PciDevice *d, const char *name, const PciId *id)
{
    memset(d, 0, sizeof *d);
    d->name = name;
    uint8_t *c = d->config;
    put16(c + PCI_VENDOR_ID, id->vendor);
    put16(c + PCI_DEVICE_ID, id->device);
    put16(c + PCI_STATUS, id->status);
    c[PCI_REVISION_ID] = id->revision;
    c[PCI_CLASS_PROG] = (uint8_t)id->class_code;
    c[PCI_CLASS_PROG + 1] = (uint8_t)(id->class_code >> 8);
    c[PCI_CLASS_PROG + 2] = (uint8_t)(id->class_code >> 16);
    c[PCI_HEADER_TYPE] = 0x00; /* type 0, single function */
    put16(c + PCI_SUBSYSTEM_VENDOR_ID, id->subsys_vendor);
    put16(c + PCI_SUBSYSTEM_ID, id->subsys_id);
    c[PCI_INTERRUPT_PIN] = id->interrupt_pin;
    c[PCI_MIN_GNT] = id->min_gnt;
    c[PCI_MAX_LAT] = id->max_lat;

    uint16_t cmd = id->command_wmask ? id->command_wmask
                                     : PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                                           PCI_COMMAND_PARITY | PCI_COMMAND_SERR;
    put16(d->wmask + PCI_COMMAND, cmd);
    put16(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xFF;
    d->wmask[PCI_LATENCY_TIMER] = 0xFF;
    d->wmask[PCI_INTERRUPT_LINE] = 0xFF;
}

int pci_device_set_bar(PciDevice *d, unsigned bar, uint32_t size, unsigned flags)
{
    if (bar >= PCI_BARS || size == 0 || (size & (size - 1)))
        return -1;
    if ((flags & PCI_BAR_IO) ? (size < 4 || size > 256 || flags != PCI_BAR_IO)
                             : (size < 16 || (flags & ~PCI_BAR_PREFETCH)))
        return -1;
    uint32_t off = PCI_BAR0 + 4 * bar;
    d->bar_size[bar] = size;
    put32(d->config + off, flags);
    /* the address bits above the size are writable; the type bits are not */
    put32(d->wmask + off, ~(size - 1) & ((flags & PCI_BAR_IO) ? ~0x3u : ~0xFu));
    return 0;
}

void pci_device_set_callback(PciDevice *d, PciChangedFn fn, void *opaque)
{
    d->changed = fn;
    d->opaque = opaque;
}

static void notify(PciDevice *d, const uint8_t old[PCI_CONFIG_SIZE])
{
    unsigned changed = 0;
    if (memcmp(old + PCI_COMMAND, d->config + PCI_COMMAND, 2))
        changed |= PCI_CHANGED_COMMAND;
    for (unsigned i = 0; i < PCI_BARS; i++)
        if (d->bar_size[i] && memcmp(old + PCI_BAR0 + 4 * i, d->config + PCI_BAR0 + 4 * i, 4))
            changed |= PCI_CHANGED_BAR(i);
    if (changed && d->changed)
        d->changed(d->opaque, d, changed);
}

void pci_device_reset(PciDevice *d)
{
    uint8_t old[PCI_CONFIG_SIZE];
    memcpy(old, d->config, sizeof old);
    uint8_t *c = d->config;
    put16(c + PCI_COMMAND, 0);
    c[PCI_STATUS] &= (uint8_t)~d->w1cmask[PCI_STATUS];
    c[PCI_STATUS + 1] &= (uint8_t)~d->w1cmask[PCI_STATUS + 1];
    for (unsigned i = 0; i < PCI_BARS; i++) {
        uint32_t off = PCI_BAR0 + 4 * i;
        put32(c + off, get32(c + off) & ~get32(d->wmask + off));
    }
    c[PCI_CACHE_LINE_SIZE] = 0;
    c[PCI_LATENCY_TIMER] = 0;
    c[PCI_INTERRUPT_LINE] = 0;
    notify(d, old);
}

uint32_t pci_config_read(PciDevice *d, uint32_t offset, unsigned size)
{
    if ((size != 1 && size != 2 && size != 4) || offset >= PCI_CONFIG_SIZE ||
        offset + size > PCI_CONFIG_SIZE) {
        trace_emitf(TRACE_NOTE, 0, 0, "pci", "%s: config read 0x%x/%u out of range", d->name,
                    offset, size);
        return 0xFFFFFFFFu;
    }
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)d->config[offset + i] << (8 * i);
    return v;
}

static void write_byte(PciDevice *d, uint32_t off, uint8_t v, int *ignored)
{
    uint8_t wm = d->wmask[off], cm = d->w1cmask[off];
    /* a fully read-only byte written with a different value; zeros written
     * into the read-only bits of a partly writable register are routine */
    if (!(wm | cm) && v != d->config[off])
        *ignored = 1;
    d->config[off] = (uint8_t)((d->config[off] & ~wm) | (v & wm));
    d->config[off] &= (uint8_t) ~(v & cm);
}

void pci_config_write(PciDevice *d, uint32_t offset, unsigned size, uint32_t value)
{
    if ((size != 1 && size != 2 && size != 4) || offset >= PCI_CONFIG_SIZE ||
        offset + size > PCI_CONFIG_SIZE) {
        trace_emitf(TRACE_NOTE, 0, 0, "pci", "%s: config write 0x%x to 0x%x/%u out of range",
                    d->name, value, offset, size);
        return;
    }
    uint8_t old[PCI_CONFIG_SIZE];
    memcpy(old, d->config, sizeof old);
    int ignored = 0;
    for (unsigned i = 0; i < size; i++)
        write_byte(d, offset + i, (uint8_t)(value >> (8 * i)), &ignored);
    /* Writing all-ones to a BAR is the sizing protocol, not a mistake; other
     * writes to read-only bits are worth a note. */
    int sizing = offset >= PCI_BAR0 && offset < PCI_BAR0 + 4 * PCI_BARS;
    if (ignored && !sizing)
        trace_emitf(TRACE_NOTE, 0, 0, "pci", "%s: write 0x%x to %s (0x%x/%u): read-only bits kept",
                    d->name, value, reg_name(offset), offset, size);
    notify(d, old);
}

size_t pci_config_read_block(PciDevice *d, uint32_t offset, void *buf, size_t len)
{
    size_t n = 0;
    for (; n < len && offset + n < PCI_CONFIG_SIZE; n++)
        ((uint8_t *)buf)[n] = d->config[offset + n];
    config_event(TRACE_CONFIG_READ, d, offset, buf, (uint32_t)n);
    return n;
}

size_t pci_config_write_block(PciDevice *d, uint32_t offset, const void *buf, size_t len)
{
    size_t n = 0;
    while (n < len && offset + n < PCI_CONFIG_SIZE)
        n++;
    config_event(TRACE_CONFIG_WRITE, d, offset, buf, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        pci_config_write(d, (uint32_t)(offset + i), 1, ((const uint8_t *)buf)[i]);
    return n;
}

void pci_device_set8(PciDevice *d, uint32_t offset, uint8_t v)
{
    if (offset < PCI_CONFIG_SIZE)
        d->config[offset] = v;
}

void pci_device_set16(PciDevice *d, uint32_t offset, uint16_t v)
{
    if (offset + 2 <= PCI_CONFIG_SIZE)
        put16(d->config + offset, v);
}

void pci_device_identity(PciDevice *d, PciIdentity *id)
{
    id->vendor = (uint16_t)pci_config_read(d, PCI_VENDOR_ID, 2);
    id->device = (uint16_t)pci_config_read(d, PCI_DEVICE_ID, 2);
    id->subsys_vendor = (uint16_t)pci_config_read(d, PCI_SUBSYSTEM_VENDOR_ID, 2);
    id->subsys_id = (uint16_t)pci_config_read(d, PCI_SUBSYSTEM_ID, 2);
    id->revision = (uint8_t)pci_config_read(d, PCI_REVISION_ID, 1);
}

int pci_device_set_identity(PciDevice *d, const PciIdentity *id)
{
    if (id->vendor == 0xFFFF)
        return -1;
    pci_device_set16(d, PCI_VENDOR_ID, id->vendor);
    pci_device_set16(d, PCI_DEVICE_ID, id->device);
    pci_device_set16(d, PCI_SUBSYSTEM_VENDOR_ID, id->subsys_vendor);
    pci_device_set16(d, PCI_SUBSYSTEM_ID, id->subsys_id);
    pci_device_set8(d, PCI_REVISION_ID, id->revision);
    return 0;
}

void pci_device_raise_status(PciDevice *d, uint16_t bits)
{
    put16(d->config + PCI_STATUS, (uint16_t)(pci_config_read(d, PCI_STATUS, 2) | bits));
}

uint16_t pci_device_command(const PciDevice *d)
{
    return (uint16_t)(d->config[PCI_COMMAND] | d->config[PCI_COMMAND + 1] << 8);
}

uint32_t pci_bar_address(const PciDevice *d, unsigned bar)
{
    if (bar >= PCI_BARS || !d->bar_size[bar])
        return 0;
    uint32_t v = get32(d->config + PCI_BAR0 + 4 * bar);
    return v & ((v & PCI_BAR_IO) ? ~0x3u : ~0xFu);
}

uint32_t pci_bar_size(const PciDevice *d, unsigned bar)
{
    return bar < PCI_BARS ? d->bar_size[bar] : 0;
}

int pci_bar_decoding(const PciDevice *d, unsigned bar)
{
    if (bar >= PCI_BARS || !d->bar_size[bar])
        return 0;
    uint16_t want =
        (d->config[PCI_BAR0 + 4 * bar] & PCI_BAR_IO) ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
    return (pci_device_command(d) & want) != 0;
}

/* ---- the bus ---- */

void pci_bus_init(PciBus *b)
{
    memset(b, 0, sizeof *b);
}

int pci_bus_attach(PciBus *b, unsigned slot, PciDevice *d)
{
    if (slot >= PCI_SLOTS || b->slot[slot] || !d)
        return -1;
    b->slot[slot] = d;
    return 0;
}

PciDevice *pci_bus_device(PciBus *b, unsigned bus, unsigned slot, unsigned fn)
{
    if (bus != 0 || slot >= PCI_SLOTS)
        return NULL;
    PciDevice *d = b->slot[slot];
    /* header type bit 7 clear: a single-function device answers function 0 only */
    if (!d || (fn != 0 && !(d->config[PCI_HEADER_TYPE] & 0x80)) || fn > 7)
        return NULL;
    return d;
}

/* The function CONFIG_ADDRESS selects, or NULL (with the reason traced). */
static PciDevice *selected(PciBus *b, const char *what)
{
    uint32_t a = b->config_address;
    if (!(a & PCI_CONFIG_ADDRESS_ENABLE)) {
        /* PCI 3.0 3.2.2.3.2: with the enable bit clear, CONFIG_DATA is plain I/O */
        trace_emitf(TRACE_NOTE, 0, 0, "pci", "CONFIG_DATA %s with CONFIG_ADDRESS 0x%08x disabled",
                    what, a);
        return NULL;
    }
    return pci_bus_device(b, (a >> 16) & 0xFF, (a >> 11) & 0x1F, (a >> 8) & 0x7);
}

static uint32_t all_ones(unsigned size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

static uint32_t pci_bus_io_read(void *opaque, uint32_t off, unsigned size)
{
    PciBus *b = opaque;
    if (off < 4) {
        /* only a dword access at 0xCF8 is CONFIG_ADDRESS (PCI 3.0 3.2.2.3.2) */
        if (off == 0 && size == 4)
            return b->config_address;
        trace_emitf(TRACE_NOTE, 0, 0, "pci",
                    "read 0x%x/%u in CONFIG_ADDRESS is not a dword: all-ones",
                    PCI_CONFIG_ADDRESS_PORT + off, size);
        return all_ones(size);
    }
    PciDevice *d = selected(b, "read");
    if (!d)
        return all_ones(size); /* master abort: nobody claims the cycle */
    uint32_t reg = (b->config_address & 0xFC) + (off - 4);
    uint32_t v = pci_config_read(d, reg, size);
    config_event_value(TRACE_CONFIG_READ, d, reg, size, v);
    return v;
}

static void pci_bus_io_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    PciBus *b = opaque;
    if (off < 4) {
        if (off == 0 && size == 4) {
            /* bits 30:24 reserved and 1:0 read-only zero */
            b->config_address = v & 0x80FFFFFCu;
            return;
        }
        trace_emitf(TRACE_NOTE, 0, 0, "pci", "write 0x%x to 0x%x/%u in CONFIG_ADDRESS ignored", v,
                    PCI_CONFIG_ADDRESS_PORT + off, size);
        return;
    }
    PciDevice *d = selected(b, "write");
    if (d) {
        uint32_t reg = (b->config_address & 0xFC) + (off - 4);
        config_event_value(TRACE_CONFIG_WRITE, d, reg, size, v);
        pci_config_write(d, reg, size, v);
    }
}

const DevIoOps pci_bus_io_ops = {.read = pci_bus_io_read, .write = pci_bus_io_write};
