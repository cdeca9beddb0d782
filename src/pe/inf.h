/* Windows INF files: sections, %strings% substitution, the service's and the
 * device's AddReg values, hardware IDs listed in [Models].
 * Pure code; errors are one line of text. Facts: Microsoft "INF File Sections
 * and Directives" documentation (INF AddReg directive, INF Models section). */
#ifndef XDRV_INF_H
#define XDRV_INF_H

#include <stddef.h>
#include <stdint.h>

#define INF_ERR_MAX 256

typedef struct InfLine {
    char *key;            /* text left of '=', NULL when the line has none */
    size_t nfields;
    char **fields;        /* comma-separated values, %strings% substituted, quotes removed */
    int lineno;
} InfLine;

typedef struct InfSection {
    char *name;
    size_t nlines;
    InfLine *lines;
} InfSection;

/* One registry value from an AddReg section (HKR relative to the device's or
 * service's key). type: REG_SZ=1, REG_EXPAND_SZ=2, REG_BINARY=3, REG_DWORD=4,
 * REG_MULTI_SZ=7, derived from the AddReg flags field. */
typedef struct InfRegValue {
    char *root;           /* "HKR", "HKLM", ... */
    char *subkey;         /* may be empty, e.g. "Ndi\\params\\SpeedDuplex" */
    char *name;           /* value name; may be empty (default value) */
    uint32_t type;
    uint32_t flags;
    char *data;           /* string form (for DWORD, the number as written) */
} InfRegValue;

typedef struct InfHardwareId {
    char *description;    /* device description */
    char *install;        /* install section name */
    char *hwid;           /* e.g. "PCI\\VEN_10EC&DEV_8139" */
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
void inf_free_hwids(InfHardwareId *ids, size_t n);

/* Registry values the INF installs for the device whose install section is
 * `install` (following AddReg= in that section and its .NT/.NTx86 decorated
 * variants) and for its service (AddService -> service install section ->
 * AddReg). Returns count, -1 on error; free with inf_free_regvalues. */
int inf_reg_values(const Inf *inf, const char *install, InfRegValue **out);
void inf_free_regvalues(InfRegValue *v, size_t n);

/* Service name from AddService in the install section ("" if none). */
const char *inf_service_name(const Inf *inf, const char *install);

#endif
