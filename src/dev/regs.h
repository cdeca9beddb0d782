/* The register-table convention shared by every device model, its tests and
 * (later) the trace analyzer: one const table per chip, one row per register
 * with its datasheet name, width, access rule and reset value, and the
 * ground truth the analyzer's inference is scored against: the register's
 * class and flags, taken from the datasheet's description of the register,
 * never from a driver. */
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

/* The register categories of P2IM (Feng et al., USENIX Security 2020,
 * section 3). How the tables apply them:
 * - read-only identification and constants (IDs, revision, address PROM)
 *   are status: software only reads them;
 * - a ring pointer the device advances (software writes it only to set it
 *   up: NE2000 CURR, e1000 RDH/TDH) is status; one software advances
 *   (RTL8139 CAPR, NE2000 BNRY, e1000 RDT/TDT) and DMA base addresses and
 *   lengths are control;
 * - the data port of an index/data pair is data, its index register
 *   control with REG_F_INDEX;
 * - a port whose access itself is a command (a read resets) is control;
 * - the read and write views of one register (NE2000) share its class. */
typedef enum RegClass {
    REG_CLASS_NONE = 0, /* not classified; no table row is left so */
    REG_CLASS_CONTROL,  /* configures the device: written by software, maybe read back */
    REG_CLASS_STATUS,   /* reflects device state: read by software, maybe written to clear */
    REG_CLASS_DATA,     /* carries data between software and device (a data port, a FIFO) */
    REG_CLASS_CS,       /* control bits software sets and status bits the device changes */
} RegClass;

/* RegDesc.flags */
#define REG_F_SELFCLEAR 0x01u /* command bits the device clears after acting (reset, TX demand) */
#define REG_F_COUNTER 0x02u   /* counts events: missed packets, statistics, timer ticks */
#define REG_F_INDEX 0x04u     /* selects the register another port reaches (PCnet RAP) */
#define REG_F_DMA 0x08u       /* holds (part of) a bus address the device will DMA at */

typedef struct RegDesc {
    uint32_t offset;
    uint8_t width;    /* bytes: 1, 2 or 4 */
    const char *name; /* as in the datasheet */
    RegAccess access;
    uint32_t reset;
    RegClass cls;  /* from the datasheet's register description */
    uint8_t flags; /* REG_F_* */
} RegDesc;

/* The register containing [offset, offset+size), or NULL. */
const RegDesc *reg_find(const RegDesc *table, size_t n, uint32_t offset, unsigned size);
const char *reg_access_name(RegAccess a);
/* "none", "control", "status", "data", "control+status"; "?" otherwise */
const char *reg_class_name(RegClass c);

#endif
