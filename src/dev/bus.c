/* Port and MMIO dispatch to device models, and the register-table helpers. */
#include "dev/bus.h"

#include <string.h>

#include "dev/regs.h"
#include "trace/trace.h"

const RegDesc *reg_find(const RegDesc *table, size_t n, uint32_t offset, unsigned size)
{
    for (size_t i = 0; i < n; i++)
        if (offset >= table[i].offset && offset + size <= table[i].offset + table[i].width)
            return &table[i];
    return NULL;
}

const char *reg_access_name(RegAccess a)
{
    static const char *const names[] = {"RO", "RW", "WO", "RC", "W1C"};
    return (unsigned)a < sizeof names / sizeof names[0] ? names[a] : "?";
}

const char *reg_class_name(RegClass c)
{
    static const char *const names[] = {"none", "control", "status", "data", "control+status"};
    return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

void bus_init(Bus *b)
{
    memset(b, 0, sizeof *b);
}

static int add_range(BusRange *tab, unsigned *n, uint32_t base, uint32_t size, const DevIoOps *ops,
                     void *opaque, const char *name)
{
    if (*n == BUS_MAX_RANGES || size == 0 || (uint64_t)base + size > 0x100000000ull)
        return -1;
    for (unsigned i = 0; i < *n; i++)
        if (base < tab[i].base + tab[i].size && tab[i].base < base + size)
            return -1;
    tab[(*n)++] = (BusRange){base, size, ops, opaque, name};
    return 0;
}

int bus_add_ports(Bus *b, uint32_t base, uint32_t size, const DevIoOps *ops, void *opaque,
                  const char *name)
{
    if ((uint64_t)base + size > 0x10000)
        return -1;
    return add_range(b->ports, &b->nports, base, size, ops, opaque, name);
}

int bus_add_mmio(Bus *b, uint32_t base, uint32_t size, const DevIoOps *ops, void *opaque,
                 const char *name)
{
    return add_range(b->mmio, &b->nmmio, base, size, ops, opaque, name);
}

static BusRange *find(BusRange *tab, unsigned n, uint32_t a, unsigned size)
{
    for (unsigned i = 0; i < n; i++)
        if (a >= tab[i].base && (uint64_t)a + size <= (uint64_t)tab[i].base + tab[i].size)
            return &tab[i];
    return NULL;
}

static uint32_t size_mask(unsigned size)
{
    return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

uint32_t bus_port_read(Bus *b, uint16_t port, unsigned size)
{
    BusRange *r = find(b->ports, b->nports, port, size);
    if (r)
        return r->ops->read(r->opaque, port - r->base, size) & size_mask(size);
    b->unclaimed++;
    trace_emitf(TRACE_NOTE, 0, 0, "bus", "read of unclaimed port 0x%04x/%u returns all-ones", port,
                size);
    return size_mask(size);
}

const char *bus_port_name(Bus *b, uint16_t port, unsigned size, int write)
{
    BusRange *r = find(b->ports, b->nports, port, size);
    return r && r->ops->reg_name ? r->ops->reg_name(r->opaque, port - r->base, size, write)
                                 : NULL;
}

void bus_port_write(Bus *b, uint16_t port, unsigned size, uint32_t value)
{
    BusRange *r = find(b->ports, b->nports, port, size);
    if (r) {
        r->ops->write(r->opaque, port - r->base, size, value);
        return;
    }
    b->unclaimed++;
    trace_emitf(TRACE_NOTE, 0, 0, "bus", "write 0x%x to unclaimed port 0x%04x/%u ignored", value,
                port, size);
}
