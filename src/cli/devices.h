/* --device: attaching device models to the guest's bus. */
#ifndef XDRV_CLI_DEVICES_H
#define XDRV_CLI_DEVICES_H

#include "dev/bus.h"
#include "vm/vm.h"

typedef struct Devices Devices;

/* Parse one --device SPEC ("testdev", "testdev,io=0x300,mmio=0xfe000000");
 * returns -1 with a message on stderr. */
Devices *devices_create(void);
int devices_add(Devices *d, const char *spec);
/* Connect the bus to the guest CPU (ports always; MMIO ranges mapped). */
int devices_attach(Devices *d, Vm *vm);
void devices_destroy(Devices *d);

#endif
