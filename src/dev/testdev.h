/* xdrv's own test device: a handful of registers with each access rule of
 * the register-table convention, reachable by port I/O and by MMIO. It
 * exists so the port/MMIO paths can be tested before real chips are
 * modelled; it follows no datasheet but its own table in testdev.c. */
#ifndef XDRV_DEV_TESTDEV_H
#define XDRV_DEV_TESTDEV_H

#include <stdint.h>

#include "dev/bus.h"
#include "dev/regs.h"

#define TESTDEV_ID_VALUE 0x56524458u /* "XDRV" */
#define TESTDEV_SIZE 0x20u

enum {
    TESTDEV_ID = 0x00,      /* RO  4 */
    TESTDEV_SCRATCH = 0x04, /* RW  4 */
    TESTDEV_WRITES = 0x08,  /* RC  4: writes to SCRATCH since last read */
    TESTDEV_STATUS = 0x0C,  /* W1C 1: bit 0 set at reset */
    TESTDEV_CONTROL = 0x0D, /* RW  1 */
    TESTDEV_COMMAND = 0x0E, /* WO  2: 0x1234 resets the device */
    TESTDEV_BUFFER = 0x10,  /* RW 16 bytes, any width */
};

extern const RegDesc testdev_regs[];
extern const unsigned testdev_nregs;

typedef struct TestDev {
    uint32_t scratch, writes;
    uint8_t status, control;
    uint8_t buffer[16];
    uint64_t ignored_writes; /* writes to read-only registers */
} TestDev;

extern const DevIoOps testdev_ops;
void testdev_reset(TestDev *s);

#endif
