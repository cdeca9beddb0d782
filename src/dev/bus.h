/* The I/O bus: port ranges and MMIO ranges claimed by device models.
 * Accesses nobody claims read as all-ones and are traced (as on a real ISA
 * bus with nothing driving it). Builds and tests without Unicorn: the guest
 * CPU reaches the bus through the VmIoOps / VmMmioOps glue in src/cli. */
#ifndef XDRV_DEV_BUS_H
#define XDRV_DEV_BUS_H

#include <stdint.h>

typedef struct DevIoOps {
    uint32_t (*read)(void *opaque, uint32_t offset, unsigned size);
    void (*write)(void *opaque, uint32_t offset, unsigned size, uint32_t value);
    /* Optional (may be NULL): the datasheet name of the register an access
     * of `size` bytes at `offset` would hit in the device's current state
     * (a page, index or address register selecting it), NULL for none. It
     * must not change device state: the tracer calls it before the access.
     * The string is static storage. */
    const char *(*reg_name)(void *opaque, uint32_t offset, unsigned size, int write);
} DevIoOps;

typedef struct BusRange {
    uint32_t base, size;
    const DevIoOps *ops;
    void *opaque;
    const char *name;
} BusRange;

#define BUS_MAX_RANGES 32

typedef struct Bus {
    BusRange ports[BUS_MAX_RANGES];
    unsigned nports;
    BusRange mmio[BUS_MAX_RANGES];
    unsigned nmmio;
    uint64_t unclaimed; /* accesses that hit nothing */
} Bus;

void bus_init(Bus *b);
/* Claim a range; -1 if it overlaps a claimed one or the table is full. */
int bus_add_ports(Bus *b, uint32_t base, uint32_t size, const DevIoOps *ops, void *opaque,
                  const char *name);
int bus_add_mmio(Bus *b, uint32_t base, uint32_t size, const DevIoOps *ops, void *opaque,
                 const char *name);
uint32_t bus_port_read(Bus *b, uint16_t port, unsigned size);
/* The register an access would reach now, named by the device that claims
 * the port (DevIoOps.reg_name; no side effects), or NULL. */
const char *bus_port_name(Bus *b, uint16_t port, unsigned size, int write);
void bus_port_write(Bus *b, uint16_t port, unsigned size, uint32_t value);

#endif
