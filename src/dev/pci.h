/* PCI: one function's 256-byte type-0 configuration header (PCI Local Bus
 * Specification 2.2/3.0, section 6.1-6.2) and a single bus of 32 slots
 * reached through configuration mechanism #1 (ports 0xCF8/0xCFC, section
 * 3.2.2.3.2). A device model embeds a PciDevice, describes its identity and
 * BARs once, and is told through a callback when the software moves a BAR
 * or changes the command register, so the machine can move its port or
 * MMIO range. Builds without Unicorn. */
#ifndef XDRV_DEV_PCI_H
#define XDRV_DEV_PCI_H

#include <stddef.h>
#include <stdint.h>

#include "dev/bus.h"
#include "dev/regs.h"

#define PCI_CONFIG_SIZE 256u
#define PCI_SLOTS 32u
#define PCI_BARS 6u

/* Configuration mechanism #1 (PCI 3.0 section 3.2.2.3.2) */
#define PCI_CONFIG_ADDRESS_PORT 0xCF8u
#define PCI_CONFIG_DATA_PORT 0xCFCu
#define PCI_CONFIG_PORTS 8u /* 0xCF8-0xCFF, the range pci_bus_io_ops serves */
#define PCI_CONFIG_ADDRESS_ENABLE 0x80000000u

/* Type-0 header offsets (PCI 3.0 figure 6-1) */
enum {
    PCI_VENDOR_ID = 0x00,           /* 2 RO */
    PCI_DEVICE_ID = 0x02,           /* 2 RO */
    PCI_COMMAND = 0x04,             /* 2 RW */
    PCI_STATUS = 0x06,              /* 2 RO, error bits W1C */
    PCI_REVISION_ID = 0x08,         /* 1 RO */
    PCI_CLASS_PROG = 0x09,          /* 3 RO: programming interface, sub-class, base class */
    PCI_CACHE_LINE_SIZE = 0x0C,     /* 1 RW */
    PCI_LATENCY_TIMER = 0x0D,       /* 1 RW */
    PCI_HEADER_TYPE = 0x0E,         /* 1 RO */
    PCI_BIST = 0x0F,                /* 1 RO (no BIST) */
    PCI_BAR0 = 0x10,                /* 6 x 4 */
    PCI_CARDBUS_CIS = 0x28,         /* 4 RO */
    PCI_SUBSYSTEM_VENDOR_ID = 0x2C, /* 2 RO */
    PCI_SUBSYSTEM_ID = 0x2E,        /* 2 RO */
    PCI_EXPANSION_ROM = 0x30,       /* 4: not implemented, reads 0 */
    PCI_CAPABILITY_LIST = 0x34,     /* 1 RO */
    PCI_INTERRUPT_LINE = 0x3C,      /* 1 RW */
    PCI_INTERRUPT_PIN = 0x3D,       /* 1 RO */
    PCI_MIN_GNT = 0x3E,             /* 1 RO */
    PCI_MAX_LAT = 0x3F,             /* 1 RO */
};

/* Command register bits (PCI 3.0 section 6.2.2) */
#define PCI_COMMAND_IO 0x0001u
#define PCI_COMMAND_MEMORY 0x0002u
#define PCI_COMMAND_MASTER 0x0004u
#define PCI_COMMAND_PARITY 0x0040u
#define PCI_COMMAND_SERR 0x0100u

/* Status register bits (PCI 3.0 section 6.2.3); the error bits are W1C */
#define PCI_STATUS_CAP_LIST 0x0010u
#define PCI_STATUS_FAST_BACK 0x0080u
#define PCI_STATUS_PARITY 0x0100u /* master data parity error */
#define PCI_STATUS_DEVSEL_MEDIUM 0x0200u
#define PCI_STATUS_SIG_TARGET_ABORT 0x0800u
#define PCI_STATUS_REC_TARGET_ABORT 0x1000u
#define PCI_STATUS_REC_MASTER_ABORT 0x2000u
#define PCI_STATUS_SIG_SYSTEM_ERROR 0x4000u
#define PCI_STATUS_DETECTED_PARITY 0x8000u
#define PCI_STATUS_W1C 0xF900u

/* BAR type bits (PCI 3.0 section 6.2.5.1) */
#define PCI_BAR_IO 0x1u    /* bit 0 = 1: I/O space */
#define PCI_BAR_MEM32 0x0u /* bits 2:1 = 00: 32-bit memory */
#define PCI_BAR_PREFETCH 0x8u

/* What changed, passed to the callback: bit n for BAR n, and the command. */
#define PCI_CHANGED_BAR(n) (1u << (n))
#define PCI_CHANGED_COMMAND (1u << 6)

typedef struct PciDevice PciDevice;
typedef void (*PciChangedFn)(void *opaque, PciDevice *d, unsigned changed);

struct PciDevice {
    uint8_t config[PCI_CONFIG_SIZE];
    uint8_t wmask[PCI_CONFIG_SIZE];   /* bits software may write */
    uint8_t w1cmask[PCI_CONFIG_SIZE]; /* bits software clears by writing 1 */
    uint32_t bar_size[PCI_BARS];      /* 0 = not implemented */
    const char *name;
    PciChangedFn changed;
    void *opaque;
};

typedef struct PciId {
    uint16_t vendor, device;
    uint8_t revision;
    uint32_t class_code; /* base<<16 | sub<<8 | prog-if */
    uint16_t subsys_vendor, subsys_id;
    uint8_t interrupt_pin; /* 1 = INTA# ... 4 = INTD#, 0 = none */
    uint8_t min_gnt, max_lat;
    uint16_t status;        /* read-only status bits (DEVSEL timing ...) */
    uint16_t command_wmask; /* writable command bits; 0 = IO|MEM|MASTER|PARITY|SERR */
} PciId;

/* The identity a board presents: its maker's vendor, device, subsystem and
 * revision IDs (a D-Link DFE-538TX is a Realtek RTL8139 at 1186:1300). A
 * model whose chip loads IDs from a serial EEPROM keeps them there, so an
 * auto-load after reset presents them again. */
typedef struct PciIdentity {
    uint16_t vendor, device;
    uint16_t subsys_vendor, subsys_id;
    uint8_t revision;
} PciIdentity;

/* One board built on a chip, from public PCI ID lists and open-source driver
 * ID tables (each model's table cites its sources). subsys_vendor 0 means
 * the entry names no subsystem: any subsystem of that vendor:device. */
typedef struct PciBoard {
    uint16_t vendor, device;
    uint16_t subsys_vendor, subsys_id;
    const char *name;
} PciBoard;

/* Register names of the type-0 header, for traces and the analyzer. */
extern const RegDesc pci_config_regs[];
extern const unsigned pci_config_nregs;

void pci_device_init(PciDevice *d, const char *name, const PciId *id);
/* Declare BAR n: size a power of two (I/O 4..256 bytes, memory >= 16),
 * flags PCI_BAR_IO or PCI_BAR_MEM32 [| PCI_BAR_PREFETCH]. -1 if invalid. */
int pci_device_set_bar(PciDevice *d, unsigned bar, uint32_t size, unsigned flags);
void pci_device_set_callback(PciDevice *d, PciChangedFn fn, void *opaque);
/* PCI RST#: command, error status, BAR addresses, interrupt line, cache
 * line size and latency timer back to 0 (the callback hears of the BAR and
 * command changes). Identity fields are kept. */
void pci_device_reset(PciDevice *d);

/* Software's view: sizes 1, 2 or 4 at any offset inside the 256 bytes;
 * read-only bits ignore writes, W1C bits clear. Out of range reads all-ones. */
uint32_t pci_config_read(PciDevice *d, uint32_t offset, unsigned size);
void pci_config_write(PciDevice *d, uint32_t offset, unsigned size, uint32_t value);
/* Byte ranges, as NdisReadPciSlotInformation/NdisWritePciSlotInformation
 * pass them; return the bytes transferred (clipped at 256). */
size_t pci_config_read_block(PciDevice *d, uint32_t offset, void *buf, size_t len);
size_t pci_config_write_block(PciDevice *d, uint32_t offset, const void *buf, size_t len);

/* The device's view: set fields regardless of the write masks. */
void pci_device_set8(PciDevice *d, uint32_t offset, uint8_t v);
void pci_device_set16(PciDevice *d, uint32_t offset, uint16_t v);
/* Present a board's identity in the header (vendor, device, subsystem,
 * revision); -1 for vendor FFFFh, which reads as "no device" (PCI 3.0
 * section 6.2.1). Identity fields survive pci_device_reset. */
int pci_device_set_identity(PciDevice *d, const PciIdentity *id);
/* The identity the header presents now. */
void pci_device_identity(PciDevice *d, PciIdentity *id);
/* Set status bits (a bus master recording a master abort, ...). */
void pci_device_raise_status(PciDevice *d, uint16_t bits);

uint16_t pci_device_command(const PciDevice *d);
uint32_t pci_bar_address(const PciDevice *d, unsigned bar);
uint32_t pci_bar_size(const PciDevice *d, unsigned bar);
/* BAR implemented and its space (I/O or memory) enabled in the command register. */
int pci_bar_decoding(const PciDevice *d, unsigned bar);

/* ---- the bus: 32 slots on bus 0, function 0 only ---- */
typedef struct PciBus {
    PciDevice *slot[PCI_SLOTS];
    uint32_t config_address; /* CONFIG_ADDRESS, 0xCF8 */
} PciBus;

void pci_bus_init(PciBus *b);
/* -1 if the slot is out of range or taken. */
int pci_bus_attach(PciBus *b, unsigned slot, PciDevice *d);
/* NULL when nothing answers (other buses, other functions, empty slots). */
PciDevice *pci_bus_device(PciBus *b, unsigned bus, unsigned slot, unsigned fn);
/* Mechanism #1 ports: offsets 0-7 from PCI_CONFIG_ADDRESS_PORT; opaque = PciBus. */
extern const DevIoOps pci_bus_io_ops;

#endif
