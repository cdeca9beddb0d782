/* Windows INF files: sections, %strings% substitution, the service's and the
 * device's AddReg values, hardware IDs listed in [Models], the LogConfig
 * resources of non-PnP cards.
 * Pure code; errors are one line of text. Facts: Microsoft "INF File Sections
 * and Directives" documentation (INF AddReg directive, INF Models section). */
#ifndef XDRV_INF_H
#define XDRV_INF_H

#include <stddef.h>
#include <stdint.h>

#define INF_ERR_MAX 256

typedef struct InfLine {
    char *key; /* text left of '=', NULL when the line has none */
    size_t nfields;
    char **fields; /* comma-separated values, %strings% substituted, quotes removed */
    int lineno;
} InfLine;

typedef struct InfSection {
    char *name;
    size_t nlines;
    InfLine *lines;
} InfSection;

/* Registry value types (winnt.h REG_*). */
enum {
    INF_REG_NONE = 0,
    INF_REG_SZ = 1,
    INF_REG_EXPAND_SZ = 2,
    INF_REG_BINARY = 3,
    INF_REG_DWORD = 4,
    INF_REG_MULTI_SZ = 7,
    INF_REG_QWORD = 11
};

/* One registry value from an AddReg section (HKR relative to the device's or
 * service's key). type: REG_SZ=1, REG_EXPAND_SZ=2, REG_BINARY=3, REG_DWORD=4,
 * REG_MULTI_SZ=7, derived from the AddReg flags field.
 * data, by type: REG_SZ/REG_EXPAND_SZ the string; REG_MULTI_SZ the strings
 * each NUL-terminated plus a final NUL ("a\0b\0\0", data_len counts every
 * byte); REG_DWORD, REG_BINARY and other types the value fields as written,
 * joined with ',' (e.g. "0x20", "00,e0,4c"). Entries that only create a key
 * (fewer than 3 fields, FLG_ADDREG_KEYONLY) or delete a value
 * (FLG_ADDREG_DELVAL) are not listed. */
typedef struct InfRegValue {
    char *root;   /* "HKR", "HKLM", ... */
    char *subkey; /* may be empty, e.g. "Ndi\\params\\SpeedDuplex" */
    char *name;   /* value name; may be empty (default value) */
    uint32_t type;
    uint32_t flags;
    char *data;       /* string form (for DWORD, the number as written) */
    size_t data_len;  /* bytes in data, excluding the C terminator */
    int from_service; /* 1: from the service install section's AddReg (HKR
                         is the service key); 0: from the device install
                         section (HKR is the device's driver key) */
} InfRegValue;

typedef struct InfHardwareId {
    char *description; /* device description */
    char *install;     /* install section name */
    char *hwid;        /* e.g. "PCI\\VEN_10EC&DEV_8139" */
} InfHardwareId;

typedef struct Inf {
    size_t nsections;
    InfSection *sections;
    char err[INF_ERR_MAX];
} Inf;

int inf_parse(Inf *inf, const char *text, size_t len);
int inf_load_file(Inf *inf, const char *path);
void inf_free(Inf *inf);

const InfSection *inf_section(const Inf *inf, const char *name); /* case-insensitive */
/* First value of `key` in `section`, or NULL. */
const char *inf_value(const Inf *inf, const char *section, const char *key);

/* Every hardware ID from the [Manufacturer] -> models sections (decorated
 * models sections such as "Models.NTx86" included). Returns count, -1 on error.
 * *out is malloc'd; free with inf_free_hwids. */
int inf_hardware_ids(const Inf *inf, InfHardwareId **out);
/* The same, with a one-line reason in err[INF_ERR_MAX] (may be NULL) on -1. */
int inf_hardware_ids_err(const Inf *inf, InfHardwareId **out, char *err);
void inf_free_hwids(InfHardwareId *ids, size_t n);

/* Registry values the INF installs for the device whose install section is
 * `install` (following AddReg= in that section and its .NT/.NTx86 decorated
 * variants) and for its service (AddService -> service install section ->
 * AddReg). Returns count, -1 on error; free with inf_free_regvalues. */
int inf_reg_values(const Inf *inf, const char *install, InfRegValue **out);
/* The same, with a one-line reason in err[INF_ERR_MAX] (may be NULL) on -1:
 * "install section 'X' not found", "line 12: AddReg section 'Y' not found",
 * "line 40: bad AddReg flags 'zz'", ... */
int inf_reg_values_err(const Inf *inf, const char *install, InfRegValue **out, char *err);
void inf_free_regvalues(InfRegValue *v, size_t n);

/* Service name from AddService in the install section ("" if none). */
const char *inf_service_name(const Inf *inf, const char *install);
/* The file name of the driver image the install's service runs (its
 * ServiceBinary, without the directory), or "" when none is named. */
const char *inf_service_binary(const Inf *inf, const char *install);
/* The files an install copies: its CopyFiles sections' source names and
 * @file entries, and the service binary, each once (case-insensitively),
 * without directories. Returns 0 or -1 with a one-line reason in err
 * (INF_ERR_MAX bytes; a CopyFiles naming a section the INF lacks). */
int inf_install_files(const Inf *inf, const char *install, char ***files, size_t *n, char *err);
void inf_free_files(char **files, size_t n);

/* ---- LogConfig: the resources a non-PnP card can be set to ----------------
 * "INF LogConfig Directive": LogConfig= in the install section (and in its
 * .LogConfigOverride section) names log-config sections, each one
 * alternative set of bus resources. Kept: ConfigPriority, the I/O ranges of
 * IOConfig and the IRQs of IRQConfig (DMAConfig, MemConfig, PcCardConfig
 * and MfCardConfig are read past). */

/* ConfigPriority values, in the order Windows prefers them (cfgmgr32.h
 * LCPRI_*); a section without ConfigPriority is NORMAL. */
enum {
    INF_LCPRI_DESIRED = 0x2000,
    INF_LCPRI_NORMAL = 0x3000,
    INF_LCPRI_SUBOPTIMAL = 0x5000,
    INF_LCPRI_RESTART = 0x8000, /* RESTART and REBOOT */
    INF_LCPRI_POWEROFF = 0xA000,
    INF_LCPRI_HARDRECONFIG = 0xC000,
    INF_LCPRI_HARDWIRED = 0xE000,
    INF_LCPRI_DISABLED = 0xFFFF,
};

#define INF_LC_MAX_IO 32  /* I/O ranges kept per log-config section */
#define INF_LC_MAX_IRQ 16 /* IRQ 0-15: the ISA bus's lines */

/* One I/O range. Type 1 "start-end": size end-start+1, min start, max end,
 * align FFFFh. Type 2 "size@min-max[%align-mask]": a window of `size`
 * ports whose base lies in [min, max-size+1] with base & ~align == 0 (16-bit
 * mask; FFFFh when none is given). The (decode-mask:alias:attr) suffix is
 * checked for syntax and not kept. */
typedef struct InfIoRange {
    uint32_t size, min, max, align;
} InfIoRange;

typedef struct InfLogConfig {
    char *section;     /* the log-config section's name */
    uint32_t priority; /* INF_LCPRI_* */
    unsigned nio;
    InfIoRange io[INF_LC_MAX_IO];
    unsigned nirq;
    uint8_t irq[INF_LC_MAX_IRQ]; /* as listed, duplicates dropped */
    int irq_level;               /* IRQConfig L: (level-triggered) */
} InfLogConfig;

/* The log configurations of install section `install` (x86 decorations as
 * inf_reg_values picks them), override sections first, then in LogConfig=
 * order. Returns count (0: none), -1 with a one-line reason in
 * err[INF_ERR_MAX] (may be NULL): "line 40: bad IOConfig range '3zz-31F'",
 * "line 41: IRQ 16 out of range 0-15", ... Free with inf_free_log_configs. */
int inf_log_configs_err(const Inf *inf, const char *install, InfLogConfig **out, char *err);
void inf_free_log_configs(InfLogConfig *c, size_t n);

#endif
