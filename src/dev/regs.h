/* The register-table convention shared by every device model, its tests and
 * (later) the trace analyzer: one const table per chip, one row per register
 * with its datasheet name, width, access rule and reset value. */
#ifndef XDRV_DEV_REGS_H
#define XDRV_DEV_REGS_H

#include <stddef.h>
#include <stdint.h>

typedef enum RegAccess {
    REG_RO,  /* read-only; writes are traced and ignored */
    REG_RW,  /* read/write */
    REG_WO,  /* write-only; reads return all-ones */
    REG_RC,  /* read clears */
    REG_W1C, /* write 1 to clear a bit */
} RegAccess;

typedef struct RegDesc {
    uint32_t offset;
    uint8_t width;    /* bytes: 1, 2 or 4 */
    const char *name; /* as in the datasheet */
    RegAccess access;
    uint32_t reset;
} RegDesc;

/* The register containing [offset, offset+size), or NULL. */
const RegDesc *reg_find(const RegDesc *table, size_t n, uint32_t offset, unsigned size);
const char *reg_access_name(RegAccess a);

#endif
