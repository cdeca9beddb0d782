/* --device parsing and the glue between the guest CPU and src/dev's bus. */
#include "cli/devices.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/testdev.h"

#define MAX_DEVICES 8

typedef struct Attached {
    char spec[128];
    void *state;
    const DevIoOps *ops;
    uint32_t io, mmio, size;
} Attached;

struct Devices {
    Bus bus;
    Attached dev[MAX_DEVICES];
    unsigned n;
};

static const char *const known = "testdev";

Devices *devices_create(void)
{
    Devices *d = calloc(1, sizeof *d);
    if (d)
        bus_init(&d->bus);
    return d;
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

int devices_add(Devices *d, const char *spec)
{
    if (d->n == MAX_DEVICES) {
        fprintf(stderr, "xdrv: too many --device options\n");
        return -1;
    }
    Attached *a = &d->dev[d->n];
    memset(a, 0, sizeof *a);
    snprintf(a->spec, sizeof a->spec, "%s", spec);
    char buf[128];
    snprintf(buf, sizeof buf, "%s", spec);
    char *save = NULL, *kind = strtok_r(buf, ",", &save);
    if (!kind || strcmp(kind, "testdev")) {
        fprintf(stderr, "xdrv: --device '%s': unknown device (known: %s)\n", spec, known);
        return -1;
    }
    a->io = 0x300;
    a->size = TESTDEV_SIZE;
    for (char *opt; (opt = strtok_r(NULL, ",", &save));) {
        char *eq = strchr(opt, '=');
        uint32_t v;
        if (!eq || parse_num(eq + 1, &v) < 0) {
            fprintf(stderr, "xdrv: --device '%s': bad option '%s' (expected io=N or mmio=N)\n", spec, opt);
            return -1;
        }
        *eq = 0;
        if (!strcmp(opt, "io") && v + TESTDEV_SIZE <= 0x10000) {
            a->io = v;
        } else if (!strcmp(opt, "mmio") && !(v & 0xFFF) && v >= 0xC0000000u && v < 0xFFD00000u) {
            a->mmio = v;
        } else {
            fprintf(stderr, "xdrv: --device '%s': bad %s=0x%x (io: a port range below 0x10000; mmio: a "
                            "page-aligned address in 0xc0000000-0xffcfffff)\n", spec, opt, v);
            return -1;
        }
    }
    TestDev *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    testdev_reset(t);
    a->state = t;
    a->ops = &testdev_ops;
    if (bus_add_ports(&d->bus, a->io, a->size, a->ops, a->state, "testdev") < 0 ||
        (a->mmio && bus_add_mmio(&d->bus, a->mmio, a->size, a->ops, a->state, "testdev") < 0)) {
        fprintf(stderr, "xdrv: --device '%s': its I/O range overlaps another device\n", spec);
        free(t);
        return -1;
    }
    d->n++;
    return 0;
}

static uint32_t glue_port_read(void *opaque, uint16_t port, unsigned size)
{
    return bus_port_read(&((Devices *)opaque)->bus, port, size);
}

static void glue_port_write(void *opaque, uint16_t port, unsigned size, uint32_t v)
{
    bus_port_write(&((Devices *)opaque)->bus, port, size, v);
}

static const VmIoOps glue_io = {glue_port_read, glue_port_write};

static uint32_t glue_mmio_read(void *opaque, uint32_t off, unsigned size)
{
    Attached *a = opaque;
    if (off + size > a->size)
        return 0xFFFFFFFFu;
    return a->ops->read(a->state, off, size);
}

static void glue_mmio_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    Attached *a = opaque;
    if (off + size <= a->size)
        a->ops->write(a->state, off, size, v);
}

static const VmMmioOps glue_mmio = {glue_mmio_read, glue_mmio_write};

int devices_attach(Devices *d, Vm *vm)
{
    vm_set_io(vm, &glue_io, d);
    for (unsigned i = 0; i < d->n; i++) {
        Attached *a = &d->dev[i];
        if (a->mmio && vm_map_mmio(vm, a->mmio, VM_PAGE_SIZE, &glue_mmio, a) < 0) {
            fprintf(stderr, "xdrv: --device '%s': cannot map MMIO at 0x%08x\n", a->spec, a->mmio);
            return -1;
        }
    }
    return 0;
}

void devices_destroy(Devices *d)
{
    if (!d)
        return;
    for (unsigned i = 0; i < d->n; i++)
        free(d->dev[i].state);
    free(d);
}
