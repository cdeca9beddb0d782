/* PE32 image parsing and mapping for x86 Windows kernel drivers.
 * Pure code: no Unicorn, no guest CPU. Every field read from the file is
 * bounds-checked; errors come back as one line of text in PeImage.err.
 * Facts: Microsoft "PE Format" specification (pecoff). */
#ifndef XDRV_PE_H
#define XDRV_PE_H

#include <stddef.h>
#include <stdint.h>

#define PE_ERR_MAX 256

typedef struct PeSection {
    char name[9];   /* NUL-terminated, up to 8 chars */
    uint32_t vaddr; /* RVA */
    uint32_t vsize; /* VirtualSize (0 replaced by raw size) */
    uint32_t raw_off;
    uint32_t raw_size;
    uint32_t characteristics;
} PeSection;

typedef struct PeImport {
    char module[64];  /* as written in the file, e.g. "ntoskrnl.exe" */
    char name[128];   /* import by name; empty when by ordinal */
    uint16_t ordinal; /* valid when by_ordinal */
    uint16_t hint;
    int by_ordinal;
    uint32_t iat_rva; /* RVA of the IAT slot the loader fills */
} PeImport;

typedef struct PeExport {
    char name[128];    /* empty for ordinal-only exports */
    uint16_t ordinal;  /* biased ordinal (Base + index) */
    uint32_t rva;      /* 0 when forwarded */
    char forward[128]; /* "MODULE.Name" for forwarders, else empty */
} PeExport;

/* Data directory indices (pecoff 3.4.3 "Optional Header Data Directories"). */
enum {
    PE_DIR_EXPORT = 0,
    PE_DIR_IMPORT = 1,
    PE_DIR_RESOURCE = 2,
    PE_DIR_EXCEPTION = 3,
    PE_DIR_SECURITY = 4, /* a file offset, not an RVA */
    PE_DIR_BASERELOC = 5,
    PE_DIR_DEBUG = 6,
    PE_DIR_TLS = 9,
    PE_DIR_LOAD_CONFIG = 10,
    PE_DIR_IAT = 12,
    PE_NUM_DIRS = 16
};

typedef struct PeDataDir {
    uint32_t rva;
    uint32_t size;
} PeDataDir;

typedef struct PeVersion { /* VS_VERSION_INFO resource */
    int present;
    uint16_t file_ver[4];
    uint16_t product_ver[4];
    /* StringFileInfo key/value pairs, UTF-16 converted to UTF-8 */
    size_t nstrings;
    struct {
        char key[64];
        char value[256];
    } strings[32];
} PeVersion;

typedef struct PeImage {
    /* headers */
    uint16_t machine;
    uint16_t characteristics;
    uint16_t subsystem;
    uint16_t dll_characteristics;
    uint32_t image_base;    /* preferred base */
    uint32_t size_of_image; /* SizeOfImage rounded up to section_alignment,
                               as the loader maps it */
    uint32_t size_of_headers;
    uint32_t entry_rva;
    uint32_t section_alignment;
    uint32_t file_alignment;
    uint32_t timestamp;
    uint32_t checksum;
    uint32_t security_cookie_rva; /* from the load config directory; 0 if none */
    uint32_t nt_offset;           /* e_lfanew: file offset of the "PE\0\0" signature */
    int has_relocs;               /* a base relocation directory is present */
    PeDataDir dirs[PE_NUM_DIRS];  /* absent entries (and those past
                                     NumberOfRvaAndSizes) are 0,0 */
    /* IMAGE_REL_BASED_HIGHLOW targets (RVAs), validated by pe_parse and
     * applied by pe_map_image */
    size_t nrelocs;
    uint32_t *relocs;
    size_t nsections;
    PeSection *sections;
    size_t nimports;
    PeImport *imports;
    size_t nexports;
    PeExport *exports;
    char export_name[64]; /* DLL name in the export directory */
    PeVersion version;
    /* the file as loaded (owned) */
    uint8_t *file;
    size_t file_size;
    char err[PE_ERR_MAX];
} PeImage;

/* Parse a file image held in memory. On success returns 0 and fills *img
 * (which then owns a copy of the data). On failure returns -1 and
 * img->err holds a one-line reason ("truncated section table", "PE32+ (x64)
 * images are not supported", ...). pe_free is safe after either outcome.
 * *img is overwritten: pe_free it first if it held an image. Names longer
 * than their PeImport/PeExport fields are refused, not truncated;
 * VS_VERSION_INFO strings (informational) are cut to fit. */
int pe_parse(PeImage *img, const uint8_t *data, size_t size);
/* Read the file and pe_parse it. */
int pe_load_file(PeImage *img, const char *path);
void pe_free(PeImage *img);

/* Lay the image out in `mem` (size_of_image bytes, zeroed by the caller) as
 * the Windows loader would, for load address `base`: copy headers and
 * sections, apply base relocations (delta = base - image_base), seed the /GS
 * __security_cookie if present. Returns 0, or -1 with img->err set (a
 * relocation pointing outside the image, an unknown relocation type, ...). */
int pe_map_image(PeImage *img, uint8_t *mem, uint32_t base);

/* Write the 32-bit value `value` into the IAT slot of `imp` (imp->iat_rva)
 * in a mapped image; returns -1 if the slot lies outside
 * [mem, mem+size_of_image). */
int pe_bind_import(const PeImage *img, uint8_t *mem, const PeImport *imp, uint32_t value);

/* Find an export by name or ordinal; NULL if absent. */
const PeExport *pe_find_export(const PeImage *img, const char *name);
const PeExport *pe_find_export_ordinal(const PeImage *img, uint16_t ordinal);

/* Section containing an RVA, or NULL. */
const PeSection *pe_section_at(const PeImage *img, uint32_t rva);

#endif
