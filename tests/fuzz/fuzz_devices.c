/* A hostile driver against each device model (issue 12): the input picks a
 * model and plays register reads and writes, memory the device may read
 * (descriptors that point anywhere, huge lengths, rings that loop), frames
 * from the cable, time passing and the cable pulled and plugged. Guest RAM
 * is one buffer behind the same DevDma the models use in xdrv, which maps
 * nothing outside it. No crash, no access outside the buffer (ASan), no
 * endless loop in a model (libFuzzer's -timeout), no leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/dev.h"
#include "dev/e1000.h"
#include "dev/ne2000.h"
#include "dev/pci.h"
#include "dev/pcnet.h"
#include "dev/rtl8139.h"

#define RAM_BASE 0x00100000u
#define RAM_SIZE (256u * 1024u)
#define MAX_OPS 4096u

static uint8_t *ram;

static void *dma_map(void *opaque, uint32_t addr, uint32_t len)
{
    (void)opaque;
    if (addr < RAM_BASE || (uint64_t)addr - RAM_BASE + len > RAM_SIZE)
        return NULL;
    return ram + (addr - RAM_BASE);
}

static void irq_set(void *opaque, int line, int level)
{
    (void)opaque;
    (void)line;
    (void)level;
}

static size_t sent;
static void cable_send(void *opaque, const uint8_t *frame, size_t len)
{
    (void)opaque;
    (void)frame;
    sent += len;
}

/* The input, consumed from the front. */
typedef struct In {
    const uint8_t *p;
    size_t n;
} In;

static uint32_t take(In *in, unsigned bytes)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < bytes; i++) {
        v |= (uint32_t)(in->n ? *in->p : 0) << (8 * i);
        if (in->n) {
            in->p++;
            in->n--;
        }
    }
    return v;
}

typedef struct Model {
    void *s;
    const DevIoOps *io, *mmio;
    uint32_t io_size, mmio_size;
    void (*receive)(void *s, const uint8_t *f, size_t len);
    void (*set_link)(void *s, int up);
    int (*inject)(void *s, DevCondition c);
    void (*free)(void *s);
} Model;

/* thin adapters: each model's functions take its own state type */
#define ADAPT(p, T)                                                                                \
    static void p##_fz_rx(void *s, const uint8_t *f, size_t len) { (void)p##_receive((T *)s, f, len); } \
    static void p##_fz_link(void *s, int up) { p##_set_link((T *)s, up); }                           \
    static int p##_fz_inj(void *s, DevCondition c) { return p##_inject((T *)s, c); }                  \
    static void p##_fz_fr(void *s) { p##_free((T *)s); }
ADAPT(rtl8139, Rtl8139)
ADAPT(ne2000, Ne2000)
ADAPT(pcnet, Pcnet)
ADAPT(e1000, E1000)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    In in = {data, size};
    if (!ram)
        ram = malloc(RAM_SIZE);
    memset(ram, 0, RAM_SIZE);
    DevDma dma = {dma_map, NULL};
    DevIrq irq = {irq_set, NULL, 11};
    DevClock clock;
    dev_clock_init(&clock);
    NetPort port = {cable_send, NULL};
    static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    Model m = {0};
    PciDevice *pci = NULL;
    switch (take(&in, 1) % 5) {
    case 0:
        m = (Model){rtl8139_new(&dma, &irq, &clock, &port, mac), &rtl8139_io_ops, &rtl8139_io_ops,
                    RTL8139_IO_SIZE, RTL8139_IO_SIZE, rtl8139_fz_rx, rtl8139_fz_link, rtl8139_fz_inj,
                    rtl8139_fz_fr};
        pci = m.s ? rtl8139_pci(m.s) : NULL;
        break;
    case 1:
    case 2: {
        int isa = data[0] % 5 == 2;
        m = (Model){ne2000_new(&dma, &irq, &clock, &port, mac, isa ? NE2000_ISA : NE2000_PCI),
                    &ne2000_io_ops, NULL, NE2000_IO_SIZE, 0, ne2000_fz_rx, ne2000_fz_link, ne2000_fz_inj,
                    ne2000_fz_fr};
        pci = m.s && !isa ? ne2000_pci(m.s) : NULL;
        break;
    }
    case 3:
        m = (Model){pcnet_new(&dma, &irq, &clock, &port, mac), &pcnet_io_ops, &pcnet_io_ops,
                    PCNET_IO_SIZE, PCNET_IO_SIZE, pcnet_fz_rx, pcnet_fz_link, pcnet_fz_inj, pcnet_fz_fr};
        pci = m.s ? pcnet_pci(m.s) : NULL;
        break;
    default:
        m = (Model){e1000_new(&dma, &irq, &clock, &port, mac), &e1000_io_ops, &e1000_mmio_ops,
                    E1000_IO_SIZE, E1000_MMIO_SIZE, e1000_fz_rx, e1000_fz_link, e1000_fz_inj, e1000_fz_fr};
        pci = m.s ? e1000_pci(m.s) : NULL;
        break;
    }
    if (!m.s)
        return 0;
    if (pci) /* decoding and bus mastering on, as firmware leaves them */
        pci_config_write(pci, 0x04, 2, 0x0007);
    /* guest memory first: 2 bytes of length, then that much, repeated over RAM */
    uint32_t seed = take(&in, 2);
    if (seed && seed <= in.n) {
        for (uint32_t o = 0; o < RAM_SIZE; o += seed)
            memcpy(ram + o, in.p, RAM_SIZE - o < seed ? RAM_SIZE - o : seed);
        in.p += seed;
        in.n -= seed;
    }
    uint8_t frame[2048];
    for (unsigned op = 0; op < MAX_OPS && in.n; op++) {
        unsigned k = take(&in, 1);
        int use_mmio = (k & 0x80) && m.mmio;
        const DevIoOps *ops = use_mmio ? m.mmio : m.io;
        uint32_t window = use_mmio ? m.mmio_size : m.io_size;
        static const unsigned widths[4] = {1, 2, 4, 4};
        unsigned w = widths[(k >> 3) & 3];
        switch (k & 7) {
        case 0: /* a register write */
        case 1: { /* ... whose value is an address inside RAM */
            uint32_t off = take(&in, 3) % window;
            uint32_t v = (k & 7) ? RAM_BASE + take(&in, 3) % RAM_SIZE : take(&in, 4);
            if (off + w <= window)
                ops->write(m.s, off, w, v);
            break;
        }
        case 2: { /* a register read */
            uint32_t off = take(&in, 3) % window;
            if (off + w <= window)
                (void)ops->read(m.s, off, w);
            break;
        }
        case 3: { /* the driver writes into RAM */
            uint32_t off = take(&in, 3) % RAM_SIZE, len = take(&in, 1);
            for (uint32_t i = 0; i < len && off + i < RAM_SIZE; i++)
                ram[off + i] = (uint8_t)take(&in, 1);
            break;
        }
        case 4: { /* a frame from the cable */
            uint32_t len = take(&in, 2) % sizeof frame;
            for (uint32_t i = 0; i < len; i++)
                frame[i] = (uint8_t)take(&in, 1);
            m.receive(m.s, frame, len);
            break;
        }
        case 5: /* time passes: up to about 65 ms */
            dev_clock_advance(&clock, clock.now + (uint64_t)take(&in, 2) * 1000u);
            break;
        case 6:
            m.set_link(m.s, k & 0x40 ? 1 : 0);
            break;
        default:
            (void)m.inject(m.s, (DevCondition)(take(&in, 1) % 4));
            break;
        }
    }
    dev_clock_advance(&clock, clock.now + 1000000000ull); /* what it still owes */
    m.free(m.s);
    return 0;
}
