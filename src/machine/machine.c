/* The machine: device models on the guest's buses, interrupt lines, DMA,
 * the device clock on virtual time, and the traffic loop between the host
 * network backends, the NIC model and the driver (through NDIS). */
#include "machine/machine.h"
#include "machine/boards.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev/bus.h"
#include "dev/dev.h"
#include "dev/e1000.h"
#include "dev/ne2000.h"
#include "dev/pci.h"
#include "dev/pcnet.h"
#include "dev/rtl8139.h"
#include "dev/testdev.h"
#include "nt/ndis/ndis.h"
#include "nt/ntoskrnl/ke.h"
#include "nt/ntoskrnl/registry.h"
#include "trace/trace.h"

#define MAX_DEVICES 8
#define FIRST_PCI_SLOT 3u
#define PCI_IO_BASE 0xC000u      /* firmware-assigned I/O BARs: 0x100 per slot */
#define PCI_MEM_BASE 0xFEB00000u /* firmware-assigned memory BARs: one page per slot */
#define PCI_NIC_IRQ 11u
#define TX_BURST 16u /* frames from the netdev per MiniportSendPackets at most */

/* Memory BARs larger than a page (up to 1 MiB): a 1 MiB slot each. */
#define PCI_MEM_LARGE_BASE 0xFD000000u
#define PCI_MEM_LARGE_MAX 0x00100000u

typedef enum DevKind { DEV_TESTDEV, DEV_NIC } DevKind;

typedef struct Device Device;

/* What the machine needs from a network controller model. */
typedef struct NicOps {
    const char *name;
    void *(*create)(const DevDma *dma, const DevIrq *irq, DevClock *clock, const NetPort *port,
                    const uint8_t mac[6]);
    void (*receive)(void *s, const uint8_t *frame, size_t len);
    void (*set_link)(void *s, int up);
    void (*free)(void *s);
    PciDevice *(*pci)(void *s);
    const DevIoOps *io_ops;
    uint32_t window;     /* register window size */
    int io_bar, mem_bar; /* -1 when absent */
    int isa;             /* no PCI function: resources from io=/irq= */
    /* What the memory BAR reaches when it is not io_ops (NULL: io_ops). */
    const DevIoOps *mmio_ops;
    uint32_t mmio_window;
    /* PCI models: the chip's own vendor:device, the boards built on it
     * (vendor=, device=, subsys=, rev= and INF model choice), and how the
     * model presents a board's identity. */
    uint16_t vendor, device;
    const PciBoard *boards;
    const unsigned *nboards;
    int (*set_identity)(void *s, const PciIdentity *id);
    /* Arm a device-side failure (DevCondition): 0, or -1 when the chip
     * cannot report it. */
    int (*inject)(void *s, DevCondition c);
} NicOps;

struct Device {
    char spec[256];
    DevKind kind;
    void *state;
    const DevIoOps *ops;
    const NicOps *nic;
    uint32_t window;          /* register window the ops serve */
    uint32_t io, io_size;     /* port range, 0 size = none */
    uint32_t mmio, mmio_size; /* guest-physical == guest-virtual */
    PciDevice *pci;
    /* what the memory range reaches, and its window */
    const DevIoOps *mmio_ops;
    uint32_t mmio_window;
    unsigned slot;
    unsigned irq;
    int removed;     /* surprise-removed: off the bus until the adapter starts again */
    int irq_level;   /* the line as the guest sees it */
    int model_level; /* what the model drives (irq_level but for a spurious pulse) */
    uint8_t mac[6];
    PciIdentity id; /* vendor=, device=, subsys=, rev= as given */
    unsigned id_set; /* ID_* bits: which of them were given */
    Machine *m;
};

#define ID_VENDOR 1u
#define ID_DEVICE 2u
#define ID_SUBSYS 4u
#define ID_REV 8u

struct Machine {
    Vm *vm;
    Nt *nt;
    Bus bus;
    PciBus pcibus;
    DevClock clock;
    Device dev[MAX_DEVICES];
    unsigned ndev;
    Device *nic;
    NdisAdapter *adapter;
    NetBackend *wire, *netdev;
    unsigned rx_burst;
    int attached;
    MachineStats st;
};

/* ------------------------------------------------------------ NIC models */

/* Each model's API takes its own state type; the machine holds void *.
 * NIC_GLUE(prefix, Type) writes the few adapters between the two. */
#define NIC_GLUE(p, T)                                                                             \
    static void p##_glue_receive(void *s, const uint8_t *f, size_t len)                            \
    {                                                                                              \
        p##_receive((T *)s, f, len);                                                               \
    }                                                                                              \
    static void p##_glue_set_link(void *s, int up)                                                 \
    {                                                                                              \
        p##_set_link((T *)s, up);                                                                  \
    }                                                                                              \
    static void p##_glue_free(void *s)                                                             \
    {                                                                                              \
        p##_free((T *)s);                                                                          \
    }                                                                                              \
    static PciDevice *p##_glue_pci(void *s)                                                        \
    {                                                                                              \
        return p##_pci((T *)s);                                                                    \
    }                                                                                              \
    static int p##_glue_inject(void *s, DevCondition c)                                            \
    {                                                                                              \
        return p##_inject((T *)s, c);                                                              \
    }

NIC_GLUE(rtl8139, Rtl8139)
NIC_GLUE(ne2000, Ne2000)
NIC_GLUE(pcnet, Pcnet)
NIC_GLUE(e1000, E1000)

/* Board identity of a PCI model: NIC_ID_GLUE writes the adapter, NIC_ID
 * fills the NicOps fields (prefix p, the chip's own vendor V, device D). */
#define NIC_ID_GLUE(p, T)                                                                          \
    static int p##_glue_set_identity(void *s, const PciIdentity *id)                               \
    {                                                                                              \
        return p##_set_identity((T *)s, id);                                                       \
    }
#define NIC_ID(p, V, D)                                                                            \
    .vendor = V, .device = D, .boards = p##_boards, .nboards = &p##_nboards,                       \
    .set_identity = p##_glue_set_identity

NIC_ID_GLUE(rtl8139, Rtl8139)
NIC_ID_GLUE(ne2000, Ne2000)
NIC_ID_GLUE(pcnet, Pcnet)
NIC_ID_GLUE(e1000, E1000)

static void *rtl8139_glue_new(const DevDma *dma, const DevIrq *irq, DevClock *clock,
                              const NetPort *port, const uint8_t mac[6])
{
    return rtl8139_new(dma, irq, clock, port, mac);
}

static void *ne2000_glue_new_pci(const DevDma *dma, const DevIrq *irq, DevClock *clock,
                                 const NetPort *port, const uint8_t mac[6])
{
    return ne2000_new(dma, irq, clock, port, mac, NE2000_PCI);
}

static void *ne2000_glue_new_isa(const DevDma *dma, const DevIrq *irq, DevClock *clock,
                                 const NetPort *port, const uint8_t mac[6])
{
    return ne2000_new(dma, irq, clock, port, mac, NE2000_ISA);
}

static void *pcnet_glue_new(const DevDma *dma, const DevIrq *irq, DevClock *clock,
                            const NetPort *port, const uint8_t mac[6])
{
    return pcnet_new(dma, irq, clock, port, mac);
}

static void *e1000_glue_new(const DevDma *dma, const DevIrq *irq, DevClock *clock,
                            const NetPort *port, const uint8_t mac[6])
{
    return e1000_new(dma, irq, clock, port, mac);
}

#define NIC_OPS(p, ctor)                                                                           \
    .create = ctor, .receive = p##_glue_receive, .set_link = p##_glue_set_link,                    \
    .free = p##_glue_free, .pci = p##_glue_pci, .inject = p##_glue_inject

static const NicOps rtl8139_nic = {
    .name = "rtl8139",
    NIC_OPS(rtl8139, rtl8139_glue_new),
    .io_ops = &rtl8139_io_ops,
    .window = RTL8139_IO_SIZE,
    .io_bar = 0,
    .mem_bar = 1,
    NIC_ID(rtl8139, RTL8139_VENDOR_ID, RTL8139_DEVICE_ID),
};

static const NicOps ne2000_nic = {
    .name = "ne2000",
    NIC_OPS(ne2000, ne2000_glue_new_pci),
    .io_ops = &ne2000_io_ops,
    .window = NE2000_IO_SIZE,
    .io_bar = 0,
    .mem_bar = -1,
    NIC_ID(ne2000, NE2000_VENDOR_ID, NE2000_DEVICE_ID),
};

static const NicOps ne2000_isa_nic = {
    .name = "ne2000-isa",
    NIC_OPS(ne2000, ne2000_glue_new_isa),
    .io_ops = &ne2000_io_ops,
    .window = NE2000_IO_SIZE,
    .io_bar = -1,
    .mem_bar = -1,
    .isa = 1,
};

static const NicOps pcnet_nic = {
    .name = "pcnet",
    NIC_OPS(pcnet, pcnet_glue_new),
    .io_ops = &pcnet_io_ops,
    .window = PCNET_IO_SIZE,
    .io_bar = 0,
    .mem_bar = 1,
    NIC_ID(pcnet, PCNET_VENDOR_ID, PCNET_DEVICE_ID),
};

/* Intel 82540EM: BAR0 the 128 KiB register space, BAR2 the IOADDR/IODATA
 * window (8254x SDM section 4.1, 13.2.2). */
static const NicOps e1000_nic = {
    .name = "e1000",
    NIC_OPS(e1000, e1000_glue_new),
    .io_ops = &e1000_io_ops,
    .window = E1000_IO_SIZE,
    .mmio_ops = &e1000_mmio_ops,
    .mmio_window = E1000_MMIO_SIZE,
    .io_bar = E1000_IO_BAR,
    .mem_bar = E1000_MMIO_BAR,
    NIC_ID(e1000, E1000_VENDOR_ID, E1000_DEVICE_ID),
};

static const NicOps *const nic_models[] = {&rtl8139_nic, &ne2000_nic, &ne2000_isa_nic, &pcnet_nic,
                                           &e1000_nic};

/* For model choice (src/machine/boards.c) and the board lists. */
int machine_nic_model_info(unsigned i, NicModelInfo *out)
{
    if (i >= sizeof nic_models / sizeof nic_models[0])
        return -1;
    const NicOps *n = nic_models[i];
    *out = (NicModelInfo){.name = n->name,
                          .isa = n->isa,
                          .window = n->window,
                          .vendor = n->vendor,
                          .device = n->device,
                          .boards = n->boards,
                          .nboards = n->nboards ? *n->nboards : 0};
    return 0;
}

/* --------------------------------------------------------------- glue */

static void *dma_map(void *opaque, uint32_t addr, uint32_t len)
{
    Machine *m = opaque;
    if (m->nic && m->nic->removed)
        return NULL; /* a card off the bus masters nothing */
    return vm_ptr(m->vm, addr, len);
}

static void line_set(Device *d, int level)
{
    if (level != d->irq_level && trace_enabled()) {
        TraceEvent ev = {.kind = level ? TRACE_IRQ_RAISE : TRACE_IRQ_LOWER,
                         .vtime = vm_time_ns(d->m->vm),
                         .depth = vm_depth(d->m->vm),
                         .value = d->irq};
        trace_emit(&ev);
    }
    d->irq_level = level;
}

static void irq_set(void *opaque, int line, int level)
{
    Device *d = opaque;
    d->model_level = !!level;
    line_set(d, d->model_level && !d->removed);
}

static void frame_event(Machine *m, TraceKind kind, const char *side, const uint8_t *frame,
                        size_t len)
{
    if (!trace_enabled())
        return;
    TraceEvent ev = {.kind = kind,
                     .vtime = vm_time_ns(m->vm),
                     .depth = vm_depth(m->vm),
                     .name = side,
                     .size = (uint32_t)len,
                     .data = frame,
                     .len = (uint32_t)len};
    trace_emit(&ev);
}

static void nic_send(void *opaque, const uint8_t *frame, size_t len)
{
    Machine *m = opaque;
    m->st.wire_tx++;
    frame_event(m, TRACE_FRAME_OUT, "wire", frame, len);
    if (m->wire)
        net_send(m->wire, frame, len);
}

/* Devices read the clock (TCTR ...): bring it to the guest's present first. */
static void clock_sync(Machine *m)
{
    dev_clock_advance(&m->clock, vm_time_ns(m->vm));
}

/* A surprise-removed card's ports decode nothing: reads float high. */
static int port_removed(Machine *m, uint16_t port)
{
    const Device *d = m->nic;
    return d && d->removed && d->io_size && port >= d->io && port - d->io < d->io_size;
}

static uint32_t port_read(void *opaque, uint16_t port, unsigned size)
{
    Machine *m = opaque;
    clock_sync(m);
    if (port_removed(m, port))
        return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    return bus_port_read(&m->bus, port, size);
}

static void port_write(void *opaque, uint16_t port, unsigned size, uint32_t v)
{
    Machine *m = opaque;
    clock_sync(m);
    if (!port_removed(m, port))
        bus_port_write(&m->bus, port, size, v);
}

/* The register a port access would reach, named by the device that claims
 * the port (for trace events). */
static const char *port_name(void *opaque, uint16_t port, unsigned size, int write)
{
    return bus_port_name(&((Machine *)opaque)->bus, port, size, write);
}

static const VmIoOps machine_io = {port_read, port_write, port_name};

static uint32_t mmio_read(void *opaque, uint32_t off, unsigned size)
{
    Device *d = opaque;
    clock_sync(d->m);
    if ((uint64_t)off + size > d->mmio_window || d->removed)
        return 0xFFFFFFFFu; /* the rest of the page decodes nothing */
    return d->mmio_ops->read(d->state, off, size);
}

static void mmio_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    Device *d = opaque;
    clock_sync(d->m);
    if ((uint64_t)off + size <= d->mmio_window && !d->removed)
        d->mmio_ops->write(d->state, off, size, v);
}

static const char *mmio_name(void *opaque, uint32_t off, unsigned size, int write)
{
    Device *d = opaque;
    if ((uint64_t)off + size > d->mmio_window || !d->mmio_ops->reg_name)
        return NULL;
    return d->mmio_ops->reg_name(d->state, off, size, write);
}

static const VmMmioOps machine_mmio = {mmio_read, mmio_write, mmio_name};

static uint64_t clock_next(void *opaque)
{
    return dev_clock_next(&((Machine *)opaque)->clock);
}

static void clock_fire(void *opaque, uint64_t now)
{
    dev_clock_advance(&((Machine *)opaque)->clock, now);
}

/* ------------------------------------------------------------ devices */

Machine *machine_create(Vm *vm, Nt *nt)
{
    Machine *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->vm = vm;
    m->nt = nt;
    m->rx_burst = 8;
    bus_init(&m->bus);
    pci_bus_init(&m->pcibus);
    dev_clock_init(&m->clock);
    return m;
}

static int parse_num(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end || v > 0xFFFFFFFFul)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned b[6];
    char tail;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) !=
        6)
        return -1;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)b[i];
    return (mac[0] & 1) ? -1 : 0; /* a station address is never multicast */
}

/* subsys=VVVV:SSSS, hex as in "SUBSYS_ssssvvvv" but vendor first. */
static int parse_subsys(const char *s, uint16_t *vendor, uint16_t *id)
{
    unsigned v, i;
    int n = 0;
    if (sscanf(s, "%4x:%4x%n", &v, &i, &n) != 2 || s[n] || strchr(s, '-') || strchr(s, '+') ||
        strchr(s, ' '))
        return -1;
    *vendor = (uint16_t)v;
    *id = (uint16_t)i;
    return 0;
}

/* Why a value of an option the device takes was refused, or NULL when the
 * device takes no such option. */
static const char *option_rule(const Device *d, const char *opt, const char *val)
{
    if (d->kind == DEV_TESTDEV) {
        if (!strcmp(opt, "io"))
            return "needs a port number with the device's window below 0x10000";
        if (!strcmp(opt, "mmio"))
            return "needs a page-aligned address from 0xc0000000 below 0xfe000000";
        return NULL;
    }
    if (!strcmp(opt, "mac")) {
        unsigned b0;
        if (sscanf(val, "%2x:", &b0) == 1 && (b0 & 1))
            return "a station address cannot be a multicast address (the first byte is odd)";
        return "needs six hex bytes separated by colons, e.g. 52:54:00:12:34:56";
    }
    if (d->nic->isa) {
        if (!strcmp(opt, "io"))
            return "needs an ISA port base from 0x100, a multiple of 0x20 (e.g. 0x300)";
        if (!strcmp(opt, "irq"))
            return "needs an ISA interrupt from 2 to 15";
        return NULL;
    }
    if (!d->nic->set_identity)
        return NULL;
    if (!strcmp(opt, "vendor"))
        return "needs a PCI vendor ID from 0x0000 to 0xfffe (0xffff reads as no device)";
    if (!strcmp(opt, "device"))
        return "needs a PCI device ID from 0x0000 to 0xffff";
    if (!strcmp(opt, "subsys"))
        return "needs VVVV:SSSS, the subsystem vendor and subsystem ID in hex (e.g. 1186:1301)";
    if (!strcmp(opt, "rev"))
        return "needs a revision ID from 0x00 to 0xff";
    return NULL;
}

static const char known_devices[] = "rtl8139, ne2000, ne2000-isa, pcnet, e1000, testdev";

/* Parse a --device spec into d: the kind, the defaults, then the options.
 * m (may be NULL: a model outside a machine) refuses a second network
 * controller. */
static int device_parse(Machine *m, Device *d, const char *spec, char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    d->kind = (DevKind)-1;
    d->m = m;
    if (strlen(spec) >= sizeof d->spec) {
        snprintf(err, errlen, "--device '%.40s...': longer than %zu characters", spec,
                 sizeof d->spec - 1);
        return -1;
    }
    snprintf(d->spec, sizeof d->spec, "%s", spec);
    char buf[sizeof d->spec];
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL, *kind = strtok_r(buf, ",", &save);
    if (kind && !strcmp(kind, "testdev")) {
        d->kind = DEV_TESTDEV;
        d->io = 0x300;
        d->window = TESTDEV_SIZE;
    } else if (kind) {
        for (unsigned i = 0; i < sizeof nic_models / sizeof nic_models[0]; i++)
            if (!strcmp(kind, nic_models[i]->name))
                d->nic = nic_models[i];
    }
    if (d->nic) {
        d->kind = DEV_NIC;
        d->window = d->nic->window;
        /* a locally administered address, like QEMU's default 52:54:00:... */
        static const uint8_t default_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
        memcpy(d->mac, default_mac, 6);
        if (d->nic->isa) {
            d->io = NE2000_ISA_DEFAULT_PORT;
            d->irq = 10;
        }
    } else if (d->kind != DEV_TESTDEV) {
        snprintf(err, errlen, "--device '%s': unknown device (known: %s)", spec, known_devices);
        return -1;
    }
    if (d->nic && m && m->nic) {
        snprintf(err, errlen, "--device '%s': only one network controller per run", spec);
        return -1;
    }
    for (char *opt; (opt = strtok_r(NULL, ",", &save));) {
        char *eq = strchr(opt, '=');
        if (!eq) {
            snprintf(err, errlen, "--device '%s': option '%s' needs a value", spec, opt);
            return -1;
        }
        *eq++ = 0;
        uint32_t v;
        if (d->kind == DEV_TESTDEV && !strcmp(opt, "io") && !parse_num(eq, &v) &&
            v + d->window <= 0x10000) {
            d->io = v;
        } else if (d->kind == DEV_TESTDEV && !strcmp(opt, "mmio") && !parse_num(eq, &v) &&
                   !(v & 0xFFF) && v >= 0xC0000000u && v < 0xFE000000u) {
            d->mmio = v;
        } else if (d->nic && !strcmp(opt, "mac") && !parse_mac(eq, d->mac)) {
            /* set */
        } else if (d->nic && d->nic->isa && !strcmp(opt, "io") && !parse_num(eq, &v) &&
                   !(v & 0x1F) && v >= 0x100 && v + d->window <= 0x10000) {
            d->io = v;
        } else if (d->nic && d->nic->isa && !strcmp(opt, "irq") && !parse_num(eq, &v) && v >= 2 &&
                   v <= 15) {
            d->irq = v;
        } else if (d->nic && d->nic->set_identity && !strcmp(opt, "vendor") &&
                   !parse_num(eq, &v) && v < 0xFFFF) {
            d->id.vendor = (uint16_t)v; /* FFFFh would read as "no device" */
            d->id_set |= ID_VENDOR;
        } else if (d->nic && d->nic->set_identity && !strcmp(opt, "device") &&
                   !parse_num(eq, &v) && v <= 0xFFFF) {
            d->id.device = (uint16_t)v;
            d->id_set |= ID_DEVICE;
        } else if (d->nic && d->nic->set_identity && !strcmp(opt, "subsys") &&
                   !parse_subsys(eq, &d->id.subsys_vendor, &d->id.subsys_id)) {
            d->id_set |= ID_SUBSYS;
        } else if (d->nic && d->nic->set_identity && !strcmp(opt, "rev") && !parse_num(eq, &v) &&
                   v <= 0xFF) {
            d->id.revision = (uint8_t)v;
            d->id_set |= ID_REV;
        } else {
            const char *rule = option_rule(d, opt, eq);
            if (rule)
                snprintf(err, errlen, "--device '%s': %s=%s: %s", spec, opt, eq, rule);
            else
                snprintf(err, errlen, "--device '%s': %s takes no option '%s' (it takes: %s)",
                         spec, d->nic ? d->nic->name : "testdev", opt,
                         d->kind == DEV_TESTDEV  ? "io, mmio"
                         : d->nic->isa           ? "mac, io, irq"
                         : d->nic->set_identity  ? "mac, vendor, device, subsys, rev"
                                                 : "mac");
            return -1;
        }
    }
    return 0;
}

int machine_add_device(Machine *m, const char *spec, char *err, size_t errlen)
{
    if (m->attached) {
        snprintf(err, errlen, "devices must be added before the machine starts");
        return -1;
    }
    if (m->ndev == MAX_DEVICES) {
        snprintf(err, errlen, "--device '%s': at most %d devices", spec, MAX_DEVICES);
        return -1;
    }
    Device *d = &m->dev[m->ndev];
    if (device_parse(m, d, spec, err, errlen) < 0)
        return -1;
    if (d->nic)
        m->nic = d;
    m->ndev++;
    return 0;
}

static int attach_pci(Machine *m, Device *d, unsigned slot, char *err, size_t errlen)
{
    PciDevice *p = d->pci;
    d->slot = slot;
    if (pci_bus_attach(&m->pcibus, slot, p) < 0) {
        snprintf(err, errlen, "%s: PCI slot %u taken", d->spec, slot);
        return -1;
    }
    /* What a PC BIOS does before the OS starts: assign BARs, route the
     * interrupt, enable decoding and bus mastering (PCI Firmware spec 3.0). */
    if (d->nic->io_bar >= 0) {
        d->io = PCI_IO_BASE + 0x100 * slot;
        d->io_size = pci_bar_size(p, (unsigned)d->nic->io_bar);
        if (d->io_size > d->window)
            d->io_size = d->window;
        pci_config_write(p, 0x10 + 4 * (unsigned)d->nic->io_bar, 4, d->io);
    }
    if (d->nic->mem_bar >= 0) {
        /* BARs are naturally aligned (PCI 3.0 section 6.2.5.1): small
         * ones get a page per slot, larger ones (up to 1 MiB) a 1 MiB slot */
        uint32_t size = pci_bar_size(p, (unsigned)d->nic->mem_bar);
        if (size > VM_PAGE_SIZE && size <= PCI_MEM_LARGE_MAX) {
            d->mmio = PCI_MEM_LARGE_BASE + PCI_MEM_LARGE_MAX * slot;
            d->mmio_size = size;
        } else {
            d->mmio = PCI_MEM_BASE + VM_PAGE_SIZE * slot;
            d->mmio_size = VM_PAGE_SIZE;
        }
        pci_config_write(p, 0x10 + 4 * (unsigned)d->nic->mem_bar, 4, d->mmio);
    }
    d->irq = PCI_NIC_IRQ;
    pci_config_write(p, 0x3C, 1, d->irq);
    pci_config_write(p, 0x04, 2, 0x0007); /* I/O, memory, bus master */
    return 0;
}

/* vendor=, device=, subsys=, rev= over the model's own identity: the
 * board the machine presents (before the firmware sees the function). */
static int present_identity(Device *d, char *err, size_t errlen)
{
    if (!d->id_set)
        return 0;
    PciIdentity id;
    pci_device_identity(d->pci, &id);
    if (d->id_set & ID_VENDOR)
        id.vendor = d->id.vendor;
    if (d->id_set & ID_DEVICE)
        id.device = d->id.device;
    if (d->id_set & ID_SUBSYS) {
        id.subsys_vendor = d->id.subsys_vendor;
        id.subsys_id = d->id.subsys_id;
    }
    if (d->id_set & ID_REV)
        id.revision = d->id.revision;
    if (d->nic->set_identity(d->state, &id) < 0) {
        snprintf(err, errlen,
                 "%s: the %s model cannot present %04x:%04x subsystem %04x:%04x rev %02x", d->spec,
                 d->nic->name, id.vendor, id.device, id.subsys_vendor, id.subsys_id, id.revision);
        return -1;
    }
    return 0;
}

int machine_attach(Machine *m, char *err, size_t errlen)
{
    if (m->attached)
        return 0;
    DevDma dma = {.map = dma_map, .opaque = m};
    NetPort port = {.send = nic_send, .opaque = m};
    if (bus_add_ports(&m->bus, 0xCF8, PCI_CONFIG_PORTS, &pci_bus_io_ops, &m->pcibus, "pci-config") <
        0) {
        snprintf(err, errlen, "cannot claim the PCI configuration ports");
        return -1;
    }
    unsigned slot = FIRST_PCI_SLOT;
    for (unsigned i = 0; i < m->ndev; i++) {
        Device *d = &m->dev[i];
        if (d->kind == DEV_TESTDEV) {
            TestDev *t = calloc(1, sizeof *t);
            if (!t)
                return -1;
            testdev_reset(t);
            d->state = t;
            d->ops = &testdev_ops;
            d->mmio_ops = d->ops;
            d->mmio_window = d->window;
            d->io_size = d->window;
            d->mmio_size = d->mmio ? VM_PAGE_SIZE : 0;
        } else {
            DevIrq irq = {
                .set = irq_set, .opaque = d, .line = (int)(d->nic->isa ? d->irq : PCI_NIC_IRQ)};
            d->state = d->nic->create(&dma, &irq, &m->clock, &port, d->mac);
            if (!d->state) {
                snprintf(err, errlen, "%s: cannot create the device model", d->spec);
                return -1;
            }
            d->ops = d->nic->io_ops;
            d->mmio_ops = d->nic->mmio_ops ? d->nic->mmio_ops : d->ops;
            d->mmio_window = d->nic->mmio_ops ? d->nic->mmio_window : d->window;
            if (d->nic->isa) {
                /* jumpers on the card: the driver learns them from its parameters */
                if (ne2000_set_isa_resources(d->state, d->io, d->irq) < 0) {
                    snprintf(err, errlen, "%s: io=0x%x irq=%u is not a valid ISA setting", d->spec,
                             d->io, d->irq);
                    return -1;
                }
                d->io_size = d->window;
            } else {
                d->pci = d->nic->pci(d->state);
                if (present_identity(d, err, errlen) < 0 ||
                    attach_pci(m, d, slot++, err, errlen) < 0)
                    return -1;
            }
        }
        if (d->io_size &&
            bus_add_ports(&m->bus, d->io, d->io_size, d->ops, d->state, d->spec) < 0) {
            snprintf(err, errlen, "%s: port range 0x%x-0x%x overlaps another device", d->spec,
                     d->io, d->io + d->io_size - 1);
            return -1;
        }
        if (d->mmio_size && vm_map_mmio(m->vm, d->mmio, d->mmio_size, &machine_mmio, d) < 0) {
            snprintf(err, errlen, "%s: cannot map its registers at 0x%08x", d->spec, d->mmio);
            return -1;
        }
    }
    vm_set_io(m->vm, &machine_io, m);
    NtKeEventSource src = {.next = clock_next, .fire = clock_fire, .opaque = m};
    if (nt_ke_add_event_source(m->nt, &src) < 0) {
        snprintf(err, errlen, "cannot register the device clock");
        return -1;
    }
    m->attached = 1;
    return 0;
}

void machine_describe(Machine *m, FILE *f)
{
    for (unsigned i = 0; i < m->ndev; i++) {
        const Device *d = &m->dev[i];
        fprintf(f, "xdrv: device %s:", d->spec);
        if (d->pci) {
            PciIdentity id;
            pci_device_identity(d->pci, &id);
            fprintf(f, " PCI slot %u %04x:%04x subsystem %04x:%04x rev %02x,", d->slot, id.vendor,
                    id.device, id.subsys_vendor, id.subsys_id, id.revision);
        }
        if (d->io_size)
            fprintf(f, " ports 0x%x-0x%x", d->io, d->io + d->io_size - 1);
        if (d->mmio_size)
            fprintf(f, ", memory 0x%08x-0x%08x", d->mmio, d->mmio + d->mmio_size - 1);
        if (d->nic)
            fprintf(f, ", irq %u, MAC %02x:%02x:%02x:%02x:%02x:%02x", d->irq, d->mac[0], d->mac[1],
                    d->mac[2], d->mac[3], d->mac[4], d->mac[5]);
        fprintf(f, "\n");
    }
}

int machine_has_nic(Machine *m)
{
    return m->nic != NULL;
}

/* The bus type is NDIS_INTERFACE_TYPE (Isa 1, PCIBus 5); a legacy ISA
 * card's resources are the IoBaseAddress / InterruptNumber keywords of
 * NE2000-class INFs, hex and decimal strings. */
int machine_install_params(Machine *m, const char *service)
{
    if (!m->nic)
        return 0;
    return ndis_install_bus_params(m->nt, service, m->nic->nic->isa, m->nic->io, m->nic->irq);
}

int machine_nic_pci_id(Machine *m, uint16_t *vendor, uint16_t *device)
{
    if (!m->nic || !m->nic->pci)
        return -1;
    *vendor = (uint16_t)pci_config_read(m->nic->pci, 0, 2);
    *device = (uint16_t)pci_config_read(m->nic->pci, 2, 2);
    return 0;
}

/* Windows' PCI hardware-ID forms (learn.microsoft.com, "Identifiers for
 * PCI Devices"). */
unsigned machine_nic_hwids(Machine *m, char ids[][64], unsigned max)
{
    if (!m->nic || !m->nic->pci || max < 4)
        return 0;
    PciIdentity id;
    pci_device_identity(m->nic->pci, &id);
    unsigned ven = id.vendor, dev = id.device, rev = id.revision;
    unsigned subsys = (unsigned)id.subsys_id << 16 | id.subsys_vendor;
    snprintf(ids[0], 64, "PCI\\VEN_%04X&DEV_%04X&SUBSYS_%08X&REV_%02X", ven, dev, subsys, rev);
    snprintf(ids[1], 64, "PCI\\VEN_%04X&DEV_%04X&SUBSYS_%08X", ven, dev, subsys);
    snprintf(ids[2], 64, "PCI\\VEN_%04X&DEV_%04X&REV_%02X", ven, dev, rev);
    snprintf(ids[3], 64, "PCI\\VEN_%04X&DEV_%04X", ven, dev);
    return 4;
}

void machine_set_wire(Machine *m, NetBackend *wire)
{
    m->wire = wire;
}

/* ------------------------------------------------------------ the NIC */

static void host_receive(void *opaque, const uint8_t *frame, size_t len)
{
    Machine *m = opaque;
    m->st.netdev_tx++;
    frame_event(m, TRACE_FRAME_OUT, "netdev", frame, len);
    if (m->netdev)
        net_send(m->netdev, frame, len);
}

static void host_link(void *opaque, int up)
{
    Machine *m = opaque;
    if (m->netdev)
        net_set_carrier(m->netdev, up);
}

static GuestAddr hw_map_mmio(void *opaque, uint32_t phys, uint32_t len)
{
    Device *d = opaque;
    if (!d->mmio_size || phys < d->mmio || (uint64_t)phys + len > (uint64_t)d->mmio + d->mmio_size)
        return 0;
    return phys; /* mapped at attach time, identity */
}

static int hw_irq_pending(void *opaque)
{
    return ((Device *)opaque)->irq_level;
}

int machine_start_nic(Machine *m, const char *service, NetBackend *netdev, char *err, size_t errlen)
{
    if (!m->nic) {
        snprintf(err, errlen,
                 "no network controller: add one with --device (e.g. --device rtl8139)");
        return -1;
    }
    Device *d = m->nic;
    m->netdev = netdev;
    if (d->removed) { /* the card is plugged back in */
        d->removed = 0;
        line_set(d, d->model_level);
    }
    NdisHw hw = {.pci = d->pci,
                 .pci_slot = d->slot,
                 .irq = d->irq,
                 .map_mmio = hw_map_mmio,
                 .irq_pending = hw_irq_pending,
                 .opaque = d};
    if (!d->pci) {
        hw.isa_io = d->io;
        hw.isa_io_len = d->io_size;
    }
    NdisHostOps ops = {.receive = host_receive, .link = host_link, .opaque = m};
    m->adapter = ndis_adapter_create(m->nt, &hw, &ops, service, err, errlen);
    if (!m->adapter)
        return -1;
    uint8_t mac[6];
    if (netdev && ndis_adapter_mac(m->adapter, mac) == 0) {
        char e[NET_ERR_MAX];
        if (net_set_mac(netdev, mac, e, sizeof e) < 0)
            fprintf(stderr, "xdrv: warning: %s\n", e);
    }
    if (netdev)
        net_set_carrier(netdev, ndis_adapter_link_up(m->adapter));
    return 0;
}

int64_t machine_nic_query(Machine *m, uint32_t oid, void *buf, uint32_t len, uint32_t *written,
                          uint32_t *needed)
{
    return m->adapter ? ndis_adapter_query(m->adapter, oid, buf, len, written, needed) : -1;
}

void machine_set_rx_burst(Machine *m, unsigned frames)
{
    m->rx_burst = frames ? frames : 1;
}

int machine_nic_mac(Machine *m, uint8_t mac[6])
{
    return m->adapter ? ndis_adapter_mac(m->adapter, mac) : -1;
}

int machine_set_link(Machine *m, int up)
{
    if (!m->nic || !m->nic->state)
        return -1;
    clock_sync(m);
    m->nic->nic->set_link(m->nic->state, up);
    if (m->adapter)
        ndis_adapter_service(m->adapter);
    return vm_stopped(m->vm) ? -1 : 0;
}

/* Move what waits on the backends; returns -1 if the run stopped or a
 * backend failed. */
static int pump(Machine *m)
{
    const uint8_t *frame;
    ssize_t n;
    if (m->netdev) {
        /* what the host sends goes to the driver in bursts of up to
         * TX_BURST frames, one MiniportSendPackets each (the netdev hands
         * over one frame per read, the driver takes an array) */
        unsigned queued = 0;
        while ((n = net_recv(m->netdev, &frame)) > 0) {
            m->st.netdev_rx++;
            frame_event(m, TRACE_FRAME_IN, "netdev", frame, (size_t)n);
            int r = m->adapter ? ndis_adapter_queue_send(m->adapter, frame, (size_t)n) : 1;
            if (r < 0)
                return -1;
            if (r == 1)
                m->st.send_resources++;
            if (m->adapter && (r == 1 || ++queued == TX_BURST)) {
                queued = 0;
                ndis_adapter_service(m->adapter);
                if (vm_stopped(m->vm))
                    return -1;
            }
        }
        if (queued)
            ndis_adapter_service(m->adapter);
        if (n < 0) {
            fprintf(stderr, "xdrv: netdev %s: %s\n", net_name(m->netdev), net_error(m->netdev));
            return -1;
        }
    }
    if (m->wire && m->nic && m->nic->state) {
        unsigned burst = 0;
        while ((n = net_recv(m->wire, &frame)) > 0) {
            machine_wire_frame(m, frame, (size_t)n);
            if (++burst < m->rx_burst)
                continue;
            burst = 0;
            if (m->adapter)
                ndis_adapter_service(m->adapter);
            if (vm_stopped(m->vm))
                return -1;
        }
        if (n < 0) {
            fprintf(stderr, "xdrv: wire %s: %s\n", net_name(m->wire), net_error(m->wire));
            return -1;
        }
    }
    if (m->adapter)
        ndis_adapter_service(m->adapter);
    return vm_stopped(m->vm) ? -1 : 0;
}

int machine_nic_running(Machine *m)
{
    return m->adapter != NULL;
}

int machine_nic_send_burst(Machine *m, const uint8_t *const *frames, const size_t *lens,
                           unsigned n, unsigned nfrags, int in_page)
{
    if (!m->adapter)
        return -1;
    int refused = 0;
    for (unsigned i = 0; i < n; i++) {
        m->st.netdev_rx++;
        frame_event(m, TRACE_FRAME_IN, "netdev", frames[i], lens[i]);
        int r = ndis_adapter_queue_send_frags(m->adapter, frames[i], lens[i], nfrags, in_page);
        if (r < 0)
            return -1;
        if (r == 1) {
            m->st.send_resources++;
            refused++;
        }
    }
    ndis_adapter_flush_sends(m->adapter);
    return vm_stopped(m->vm) ? -1 : refused;
}

/* A frame off the cable into the controller. On a real cable every frame
 * is at least 64 bytes with its FCS: the sending MAC pads (IEEE 802.3
 * clause 4.2.3.3). A TAP hands over the kernel's unpadded frames (42-byte
 * ARP replies), so the cable pads them to 60 + FCS here. */
static void cable_deliver(Device *d, const uint8_t *frame, size_t len)
{
    uint8_t padded[60];
    if (len < 60) {
        memcpy(padded, frame, len);
        memset(padded + len, 0, 60 - len);
        frame = padded;
        len = 60;
    }
    d->nic->receive(d->state, frame, len);
}

int machine_wire_frame(Machine *m, const uint8_t *frame, size_t len)
{
    if (!m->nic || !m->nic->state)
        return -1;
    if (m->nic->removed)
        return 0; /* the cable ends in nothing */
    m->st.wire_rx++;
    frame_event(m, TRACE_FRAME_IN, "wire", frame, len);
    clock_sync(m);
    cable_deliver(m->nic, frame, len);
    return 0;
}

int64_t machine_nic_set(Machine *m, uint32_t oid, const void *buf, uint32_t len, uint32_t *read,
                        uint32_t *needed)
{
    return m->adapter ? ndis_adapter_set(m->adapter, oid, buf, len, read, needed) : -1;
}

int machine_nic_surprise_removal(Machine *m)
{
    if (!m->adapter)
        return -1;
    m->nic->removed = 1;
    line_set(m->nic, 0);
    return ndis_adapter_pnp_event(m->adapter, NDIS_PNP_SURPRISE_REMOVED, NULL, 0);
}

int machine_nic_power_profile(Machine *m, int ac)
{
    if (!m->adapter)
        return -1;
    uint32_t profile = ac ? 1u : 0u; /* NdisPowerProfileAcOnLine 1, Battery 0 */
    return ndis_adapter_pnp_event(m->adapter, NDIS_PNP_POWER_PROFILE_CHANGED, &profile, 4);
}

int machine_nic_shutdown(Machine *m)
{
    return m->adapter ? ndis_adapter_shutdown(m->adapter) : -1;
}

int64_t machine_nic_reset(Machine *m)
{
    return m->adapter ? ndis_adapter_reset(m->adapter) : -1;
}

int machine_nic_inject(Machine *m, int condition)
{
    if (!m->nic || !m->nic->state)
        return -1;
    clock_sync(m);
    return m->nic->nic->inject(m->nic->state, (DevCondition)condition) < 0 ? 1 : 0;
}

int machine_spurious_irq(Machine *m)
{
    if (!m->nic || !m->adapter)
        return -1;
    Device *d = m->nic;
    line_set(d, 1);
    ndis_adapter_service(m->adapter);
    line_set(d, d->model_level);
    return vm_stopped(m->vm) ? -1 : 0;
}

int machine_step(Machine *m, uint64_t ns)
{
    if (pump(m) < 0)
        return -1;
    uint64_t until = vm_time_ns(m->vm) + ns;
    while (nt_ke_idle(m->nt, until) && !vm_stopped(m->vm))
        ;
    if (m->adapter)
        ndis_adapter_service(m->adapter);
    return vm_stopped(m->vm) ? -1 : 0;
}

static uint64_t wall_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

int machine_serve(Machine *m, volatile sig_atomic_t *stop, volatile sig_atomic_t *link_req)
{
    uint64_t wall0 = wall_ns(), vt0 = vm_time_ns(m->vm);
    while (!*stop) {
        if (link_req && *link_req >= 0) {
            int up = *link_req;
            *link_req = -1;
            if (machine_set_link(m, up) < 0)
                return -1;
        }
        struct pollfd pfd[2];
        int n = 0;
        if (m->netdev)
            pfd[n++] = (struct pollfd){.fd = net_fd(m->netdev), .events = POLLIN};
        if (m->wire)
            pfd[n++] = (struct pollfd){.fd = net_fd(m->wire), .events = POLLIN};
        if (poll(pfd, (nfds_t)n, 2) < 0 && errno != EINTR) {
            perror("xdrv: poll");
            return -1;
        }
        if (pump(m) < 0)
            return -1;
        /* With live backends virtual time follows the wall clock (it never
         * goes back: a guest that ran ahead just waits). */
        uint64_t target = vt0 + (wall_ns() - wall0);
        while (vm_time_ns(m->vm) < target && nt_ke_idle(m->nt, target) && !vm_stopped(m->vm))
            ;
        if (vm_stopped(m->vm))
            return -1;
    }
    return 0;
}

int machine_stop_nic(Machine *m)
{
    if (!m->adapter)
        return 0;
    int r = ndis_adapter_halt(m->adapter);
    m->adapter = NULL;
    return r < 0 || vm_stopped(m->vm) ? -1 : 0;
}

void machine_stats(Machine *m, MachineStats *st)
{
    *st = m->st;
    if (m->adapter) {
        NdisAdapterStats a;
        ndis_adapter_stats(m->adapter, &a);
        st->interrupts_delivered = a.interrupts;
    }
}

void machine_destroy(Machine *m)
{
    if (!m)
        return;
    for (unsigned i = 0; i < m->ndev; i++) {
        Device *d = &m->dev[i];
        if (!d->state)
            continue;
        if (d->nic)
            d->nic->free(d->state);
        else
            free(d->state);
    }
    free(m);
}

/* ------------------------------------------- a NIC model without a machine */

struct NicModel {
    Device d;
};

NicModel *nic_model_new(const char *spec, const DevDma *dma, const DevIrq *irq, DevClock *clock,
                        const NetPort *port, char *err, size_t errlen)
{
    NicModel *n = calloc(1, sizeof *n);
    if (!n) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    Device *d = &n->d;
    if (device_parse(NULL, d, spec, err, errlen) < 0)
        goto fail;
    if (d->kind != DEV_NIC) {
        snprintf(err, errlen, "--device '%s': not a network controller (%s)", spec,
                 "rtl8139, ne2000, ne2000-isa, pcnet, e1000");
        goto fail;
    }
    d->state = d->nic->create(dma, irq, clock, port, d->mac);
    if (!d->state) {
        snprintf(err, errlen, "%s: cannot create the device model", d->spec);
        goto fail;
    }
    d->ops = d->nic->io_ops;
    d->mmio_ops = d->nic->mmio_ops ? d->nic->mmio_ops : d->ops;
    d->mmio_window = d->nic->mmio_ops ? d->nic->mmio_window : d->window;
    if (d->nic->isa) {
        if (ne2000_set_isa_resources(d->state, d->io, d->irq) < 0) {
            snprintf(err, errlen, "%s: io=0x%x irq=%u is not a valid ISA setting", d->spec, d->io,
                     d->irq);
            goto fail;
        }
    } else {
        d->pci = d->nic->pci(d->state);
        if (present_identity(d, err, errlen) < 0)
            goto fail;
        /* what the firmware leaves enabled (attach_pci): decoding and bus
         * mastering; nobody here reads the BAR addresses */
        pci_config_write(d->pci, 0x04, 2, 0x0007);
    }
    return n;
fail:
    nic_model_free(n);
    return NULL;
}

void nic_model_free(NicModel *n)
{
    if (!n)
        return;
    if (n->d.state)
        n->d.nic->free(n->d.state);
    free(n);
}

const char *nic_model_name(const NicModel *n)
{
    return n->d.nic->name;
}

void nic_model_mac(const NicModel *n, uint8_t mac[6])
{
    memcpy(mac, n->d.mac, 6);
}

uint32_t nic_model_window(const NicModel *n, int mmio, unsigned nth)
{
    const Device *d = &n->d;
    if (nth)
        return 0; /* every model has at most one BAR of each kind */
    if (mmio)
        return d->nic->mem_bar >= 0 ? d->mmio_window : 0;
    return d->nic->isa || d->nic->io_bar >= 0 ? d->window : 0;
}

uint32_t nic_model_read(NicModel *n, int mmio, unsigned nth, uint32_t off, unsigned width)
{
    uint32_t size = nic_model_window(n, mmio, nth);
    if ((uint64_t)off + width > size)
        return width >= 4 ? 0xFFFFFFFFu : (1u << (8 * width)) - 1; /* decodes nothing */
    const DevIoOps *ops = mmio ? n->d.mmio_ops : n->d.ops;
    return ops->read(n->d.state, off, width);
}

void nic_model_write(NicModel *n, int mmio, unsigned nth, uint32_t off, unsigned width, uint32_t v)
{
    uint32_t size = nic_model_window(n, mmio, nth);
    if ((uint64_t)off + width > size)
        return;
    const DevIoOps *ops = mmio ? n->d.mmio_ops : n->d.ops;
    ops->write(n->d.state, off, width, v);
}

void nic_model_receive(NicModel *n, const uint8_t *frame, size_t len)
{
    cable_deliver(&n->d, frame, len);
}

void nic_model_set_link(NicModel *n, int up)
{
    n->d.nic->set_link(n->d.state, up);
}

/* Where the firmware of a machine holding only this controller puts the
 * window (attach_pci, the first PCI slot; an ISA card's jumpered ports):
 * recordings of a replayed device then name the same addresses as the
 * driver's. */
uint32_t nic_model_bus_base(const NicModel *n, int mmio)
{
    const Device *d = &n->d;
    if (d->nic->isa)
        return mmio ? 0 : d->io;
    if (mmio) {
        if (d->nic->mem_bar < 0)
            return 0;
        uint32_t size = pci_bar_size(d->pci, (unsigned)d->nic->mem_bar);
        return size > VM_PAGE_SIZE && size <= PCI_MEM_LARGE_MAX
                   ? PCI_MEM_LARGE_BASE + PCI_MEM_LARGE_MAX * FIRST_PCI_SLOT
                   : PCI_MEM_BASE + VM_PAGE_SIZE * FIRST_PCI_SLOT;
    }
    return d->nic->io_bar >= 0 ? PCI_IO_BASE + 0x100 * FIRST_PCI_SLOT : 0;
}

/* The datasheet name of what an access would reach (no side effects). */
const char *nic_model_reg_name(const NicModel *n, int mmio, uint32_t off, unsigned width, int write)
{
    const Device *d = &n->d;
    const DevIoOps *ops = mmio ? d->mmio_ops : d->ops;
    return ops && ops->reg_name ? ops->reg_name(d->state, off, width, write) : NULL;
}
