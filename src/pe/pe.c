/* PE32 images of x86 Windows kernel drivers: header validation, the section
 * layout the Windows loader builds, base relocations, imports, exports, the
 * /GS security cookie and the VS_VERSION_INFO resource.
 *
 * Facts, unless stated otherwise: Microsoft "PE Format" specification
 * (learn.microsoft.com/windows/win32/debug/pe-format), cited as "pecoff"
 * with its section numbers.
 *
 * Everything that reads a structure by RVA reads it from a private copy of
 * the image laid out exactly as pe_map_image lays it out (the same function
 * builds both), so the parser sees what the driver will see: overlapping
 * sections, headers reused as data, zero-filled tails and all. */
#include "pe/pe.h"
#include "pe/utf16.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Limits on hostile input. 96 sections is the Windows loader's limit
 * (pecoff 3.3 NumberOfSections); the others are far above what any driver
 * needs and keep time and memory bounded. */
#define PE_MAX_FILE (128u << 20)
#define PE_MAX_IMAGE (64u << 20)
#define PE_MAX_SECTIONS 96
#define PE_MAX_MODULES 4096
#define PE_MAX_IMPORTS 65536
#define PE_MAX_EXPORTS 65536
#define PE_MAX_RELOCS (1u << 22)

/* pecoff 3.3.1 Machine Types, 3.3.2 Characteristics */
#define IMAGE_FILE_MACHINE_I386 0x014c
#define IMAGE_FILE_RELOCS_STRIPPED 0x0001
#define IMAGE_FILE_EXECUTABLE_IMAGE 0x0002

/* pecoff 3.4 Optional Header: magic numbers */
#define PE32_MAGIC 0x10b
#define PE32PLUS_MAGIC 0x20b

/* pecoff 3.4.2 Windows Subsystem */
#define IMAGE_SUBSYSTEM_NATIVE 1

/* pecoff 6.6.2 Base Relocation Types */
#define IMAGE_REL_BASED_ABSOLUTE 0
#define IMAGE_REL_BASED_HIGHLOW 3

/* pecoff 6.4.2 Import Lookup Table */
#define IMAGE_ORDINAL_FLAG32 0x80000000u

/* pecoff 6.9.2: high bit of an entry's second field marks a subdirectory */
#define IMAGE_RESOURCE_DATA_IS_DIRECTORY 0x80000000u
/* RT_VERSION, winuser.h resource types */
#define RT_VERSION 16
/* VS_FIXEDFILEINFO.dwSignature ("VS_FIXEDFILEINFO structure", Win32 docs) */
#define VS_FFI_SIGNATURE 0xFEEF04BDu

/* The value MSVC's /GS runtime statically initialises __security_cookie
 * with on x86 (DEFAULT_SECURITY_COOKIE in the CRT's gs_support.c); the
 * loader replaces it when it still holds this value. */
#define GS_DEFAULT_COOKIE 0xBB40E64Eu

/* Field offsets. DOS header: e_lfanew (pecoff 3.1 "MS-DOS Stub": the offset at 0x3c). */
#define DOS_E_LFANEW 0x3c
#define DOS_HEADER_SIZE 0x40

/* COFF file header, after the 4-byte signature (pecoff 3.3) */
enum {
    COFF_MACHINE = 0,
    COFF_NUMBER_OF_SECTIONS = 2,
    COFF_TIME_DATE_STAMP = 4,
    COFF_SIZE_OF_OPTIONAL_HEADER = 16,
    COFF_CHARACTERISTICS = 18,
    COFF_SIZE = 20
};

/* PE32 optional header (pecoff 3.4.1, 3.4.2, 3.4.3) */
enum {
    OPT_MAGIC = 0,
    OPT_ADDRESS_OF_ENTRY_POINT = 16,
    OPT_IMAGE_BASE = 28,
    OPT_SECTION_ALIGNMENT = 32,
    OPT_FILE_ALIGNMENT = 36,
    OPT_SIZE_OF_IMAGE = 56,
    OPT_SIZE_OF_HEADERS = 60,
    OPT_CHECKSUM = 64,
    OPT_SUBSYSTEM = 68,
    OPT_DLL_CHARACTERISTICS = 70,
    OPT_NUMBER_OF_RVA_AND_SIZES = 92,
    OPT_DATA_DIRECTORIES = 96
};

/* Section header (pecoff 4) */
enum {
    SEC_NAME = 0,
    SEC_VIRTUAL_SIZE = 8,
    SEC_VIRTUAL_ADDRESS = 12,
    SEC_SIZE_OF_RAW_DATA = 16,
    SEC_POINTER_TO_RAW_DATA = 20,
    SEC_CHARACTERISTICS = 36,
    SEC_SIZE = 40
};

/* Import directory entry (pecoff 6.4.1) */
enum { IMP_LOOKUP_TABLE = 0, IMP_NAME = 12, IMP_ADDRESS_TABLE = 16, IMP_SIZE = 20 };

/* Export directory table (pecoff 6.3.1) */
enum {
    EXP_NAME = 12,
    EXP_ORDINAL_BASE = 16,
    EXP_ADDRESS_TABLE_ENTRIES = 20,
    EXP_NUMBER_OF_NAMES = 24,
    EXP_ADDRESS_TABLE = 28,
    EXP_NAME_POINTERS = 32,
    EXP_ORDINAL_TABLE = 36,
    EXP_SIZE = 40
};

/* IMAGE_LOAD_CONFIG_DIRECTORY32 (pecoff 6.8 "The Load Configuration
 * Structure"): the first field is the structure's Size; SecurityCookie, a
 * VA, is at offset 60 in the 32-bit layout. */
enum { LC_SIZE = 0, LC_SECURITY_COOKIE = 60 };

/* Resource directory table and entries (pecoff 6.9.1, 6.9.2, 6.9.4) */
enum {
    RES_NUMBER_OF_NAME_ENTRIES = 12,
    RES_NUMBER_OF_ID_ENTRIES = 14,
    RES_TABLE_SIZE = 16,
    RES_ENTRY_SIZE = 8,
    RES_DATA_ENTRY_SIZE = 16
};

typedef struct PeCtx {
    PeImage *img;
    uint8_t *view; /* the image laid out at its preferred base */
    uint32_t size; /* == img->size_of_image */
} PeCtx;

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) / a * a;
}

static int pe_fail(PeImage *img, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Set the one-line error. Names quoted in it come from the file, so
 * control characters are replaced to keep it one printable line. */
static int pe_fail(PeImage *img, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(img->err, sizeof img->err, fmt, ap);
    va_end(ap);
    for (char *p = img->err; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return -1;
}

/* Is [rva, rva+len) inside the image? */
static int pe_in_image(const PeCtx *c, uint32_t rva, uint64_t len)
{
    return (uint64_t)rva + len <= c->size;
}

typedef struct PeName {
    uint16_t value;
    const char *name;
} PeName;

/* pecoff 3.3.1 Machine Types (those worth naming in a refusal) */
static const PeName pe_machines[] = {
    {0x0000, "unknown"}, {0x014c, "i386"},    {0x0166, "MIPS R4000"},
    {0x01c0, "ARM"},     {0x01c2, "Thumb"},   {0x01c4, "ARMv7 Thumb-2"},
    {0x01f0, "PowerPC"}, {0x0200, "Itanium"}, {0x0ebc, "EFI byte code"},
    {0x8664, "x64"},     {0xaa64, "ARM64"},
};

/* pecoff 3.4.2 Windows Subsystem */
static const PeName pe_subsystems[] = {
    {0, "unknown"},
    {1, "native"},
    {2, "Windows GUI"},
    {3, "Windows CUI"},
    {5, "OS/2 CUI"},
    {7, "POSIX CUI"},
    {8, "native Win9x driver"},
    {9, "Windows CE GUI"},
    {10, "EFI application"},
    {11, "EFI boot service driver"},
    {12, "EFI runtime driver"},
    {13, "EFI ROM"},
    {14, "XBOX"},
    {16, "Windows boot application"},
};

static const char *pe_name_of(const PeName *t, size_t n, uint16_t value)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].value == value)
            return t[i].name;
    return "unrecognised";
}

#define PE_NAME_OF(table, value) pe_name_of((table), sizeof(table) / sizeof((table)[0]), (value))

/* Bytes of section `s` that come from the file. A zero PointerToRawData
 * means no file data whatever SizeOfRawData says (pecoff 4: "For
 * uninitialized data, this field should be zero"). Raw data longer than
 * the section's memory footprint is cut at VirtualSize rounded up to
 * SectionAlignment: the loader maps whole aligned units, and the rest of
 * the raw data is file padding (pecoff 4 SizeOfRawData). */
static uint32_t pe_section_file_bytes(const PeImage *img, const PeSection *s)
{
    uint64_t n = s->raw_off ? s->raw_size : 0;
    uint64_t v = align_up(s->vsize, img->section_alignment);

    if (n > v)
        n = v;
    if (s->vaddr >= img->size_of_image)
        return 0;
    if (n > img->size_of_image - s->vaddr)
        n = img->size_of_image - s->vaddr;
    return (uint32_t)n;
}

/* Header bytes mapped at RVA 0: SizeOfHeaders, but never less than the
 * headers proper (through the section table), bounded by the file and
 * the image. */
static uint32_t pe_header_bytes(const PeImage *img)
{
    uint64_t n = img->size_of_headers;
    uint64_t table_end = 0;

    if ((uint64_t)img->nt_offset + 4 + COFF_SIZE <= img->file_size) {
        const uint8_t *coff = img->file + img->nt_offset + 4;
        table_end = (uint64_t)img->nt_offset + 4 + COFF_SIZE +
                    rd16(coff + COFF_SIZE_OF_OPTIONAL_HEADER) + (uint64_t)SEC_SIZE * img->nsections;
    }
    if (n < table_end)
        n = table_end;
    if (n > img->file_size)
        n = img->file_size;
    if (n > img->size_of_image)
        n = img->size_of_image;
    return (uint32_t)n;
}

/* Copy headers then sections, in section-table order (a later section wins
 * where two overlap), into `mem` (size_of_image bytes, zeroed). Bytes not
 * covered stay zero (pecoff 4 VirtualSize: "the section is zero-padded").
 * pe_parse has validated every range; the checks here guard against a
 * PeImage modified by its caller. */
static int pe_layout(PeImage *img, uint8_t *mem)
{
    uint32_t hdr = pe_header_bytes(img);

    memcpy(mem, img->file, hdr);
    for (size_t i = 0; i < img->nsections; i++) {
        const PeSection *s = &img->sections[i];
        uint32_t n = pe_section_file_bytes(img, s);

        if (n == 0)
            continue;
        if ((uint64_t)s->raw_off + n > img->file_size ||
            (uint64_t)s->vaddr + n > img->size_of_image)
            return pe_fail(img, "section %s does not fit the image", s->name);
        memcpy(mem + s->vaddr, img->file + s->raw_off, n);
    }
    return 0;
}

/* Read a NUL-terminated byte string at `rva` into dst[cap]. `what` names
 * it in the error message. */
static int pe_read_name(PeCtx *c, uint32_t rva, char *dst, size_t cap, const char *what)
{
    const uint8_t *p, *nul;
    size_t avail;

    if (rva >= c->size)
        return pe_fail(c->img, "%s RVA 0x%x outside image", what, rva);
    p = c->view + rva;
    avail = c->size - rva;
    nul = memchr(p, 0, avail < cap ? avail : cap);
    if (!nul) {
        if (avail < cap)
            return pe_fail(c->img, "%s at RVA 0x%x runs past the end of the image", what, rva);
        return pe_fail(c->img, "%s at RVA 0x%x is longer than %zu bytes", what, rva, cap - 1);
    }
    memcpy(dst, p, (size_t)(nul - p) + 1);
    return 0;
}

/* DOS header, NT headers (pecoff 3.1-3.4) and the section table (pecoff 4). */
static int pe_parse_headers(PeImage *img)
{
    const uint8_t *f = img->file;
    size_t size = img->file_size;
    const uint8_t *coff, *opt;
    uint32_t lfanew, nrva, ndirs, sect_off, salign, falign;
    uint16_t nsect, size_opt, magic;
    uint64_t soi;

    if (size < DOS_HEADER_SIZE)
        return pe_fail(img, "truncated DOS header (%zu bytes)", size);
    if (f[0] != 'M' || f[1] != 'Z')
        return pe_fail(img, "not a PE image: no MZ signature");
    lfanew = rd32(f + DOS_E_LFANEW);
    if (lfanew >= size)
        return pe_fail(img, "e_lfanew 0x%x points past the end of the file (%zu bytes)", lfanew,
                       size);
    if (size - lfanew < 4)
        return pe_fail(img, "truncated PE signature");
    if (memcmp(f + lfanew, "PE\0\0", 4) != 0)
        return pe_fail(img, "no PE signature at e_lfanew 0x%x", lfanew);
    img->nt_offset = lfanew;
    if (size - lfanew - 4 < COFF_SIZE)
        return pe_fail(img, "truncated COFF file header");
    coff = f + lfanew + 4;
    img->machine = rd16(coff + COFF_MACHINE);
    nsect = rd16(coff + COFF_NUMBER_OF_SECTIONS);
    img->timestamp = rd32(coff + COFF_TIME_DATE_STAMP);
    size_opt = rd16(coff + COFF_SIZE_OF_OPTIONAL_HEADER);
    img->characteristics = rd16(coff + COFF_CHARACTERISTICS);

    /* The magic comes first so an x64 driver gets the clear message rather
     * than a machine-type complaint. */
    opt = coff + COFF_SIZE;
    if (size_opt < 2 || size - (size_t)(opt - f) < 2)
        return pe_fail(img, "truncated optional header");
    magic = rd16(opt + OPT_MAGIC);
    if (magic == PE32PLUS_MAGIC)
        return pe_fail(img, "PE32+ (x64) images are not supported");
    if (magic != PE32_MAGIC)
        return pe_fail(img, "unknown optional header magic 0x%x (PE32 is 0x10b)", magic);
    if (img->machine != IMAGE_FILE_MACHINE_I386)
        return pe_fail(img, "machine 0x%04x (%s) is not i386 (0x14c)", img->machine,
                       PE_NAME_OF(pe_machines, img->machine));
    if (size_opt < OPT_DATA_DIRECTORIES)
        return pe_fail(img, "optional header too small (%u bytes, PE32 needs %d)", size_opt,
                       OPT_DATA_DIRECTORIES);
    if (size - (size_t)(opt - f) < size_opt)
        return pe_fail(img, "truncated optional header");
    if (!(img->characteristics & IMAGE_FILE_EXECUTABLE_IMAGE))
        return pe_fail(img, "not an executable image (IMAGE_FILE_EXECUTABLE_IMAGE clear)");

    img->entry_rva = rd32(opt + OPT_ADDRESS_OF_ENTRY_POINT);
    img->image_base = rd32(opt + OPT_IMAGE_BASE);
    salign = img->section_alignment = rd32(opt + OPT_SECTION_ALIGNMENT);
    falign = img->file_alignment = rd32(opt + OPT_FILE_ALIGNMENT);
    img->size_of_image = rd32(opt + OPT_SIZE_OF_IMAGE);
    img->size_of_headers = rd32(opt + OPT_SIZE_OF_HEADERS);
    img->checksum = rd32(opt + OPT_CHECKSUM);
    img->subsystem = rd16(opt + OPT_SUBSYSTEM);
    img->dll_characteristics = rd16(opt + OPT_DLL_CHARACTERISTICS);

    if (img->subsystem != IMAGE_SUBSYSTEM_NATIVE)
        return pe_fail(img, "subsystem is %s (%u), not native: not a kernel driver",
                       PE_NAME_OF(pe_subsystems, img->subsystem), img->subsystem);
    /* pecoff 3.4.2: both alignments are powers of two and FileAlignment <=
     * SectionAlignment; below the page size they are equal, which DDK
     * drivers use (0x80, 0x200) and which is accepted here as is. */
    if (salign == 0 || (salign & (salign - 1)) || falign == 0 || (falign & (falign - 1)) ||
        falign > salign)
        return pe_fail(img, "bad alignment (SectionAlignment 0x%x, FileAlignment 0x%x)", salign,
                       falign);
    /* The loader maps SizeOfImage rounded up to SectionAlignment. */
    soi = align_up(img->size_of_image, salign);
    if (img->size_of_image == 0)
        return pe_fail(img, "SizeOfImage is 0");
    if (soi > PE_MAX_IMAGE)
        return pe_fail(img, "SizeOfImage 0x%x exceeds the 64 MiB limit", img->size_of_image);
    img->size_of_image = (uint32_t)soi;
    if (img->entry_rva >= img->size_of_image)
        return pe_fail(img, "entry point RVA 0x%x outside image (SizeOfImage 0x%x)", img->entry_rva,
                       img->size_of_image);

    /* pecoff 3.4.3: NumberOfRvaAndSizes entries follow, but never read past
     * SizeOfOptionalHeader; the loader knows 16 at most. */
    nrva = rd32(opt + OPT_NUMBER_OF_RVA_AND_SIZES);
    ndirs = (uint32_t)(size_opt - OPT_DATA_DIRECTORIES) / 8;
    if (ndirs > nrva)
        ndirs = nrva;
    if (ndirs > PE_NUM_DIRS)
        ndirs = PE_NUM_DIRS;
    for (uint32_t i = 0; i < ndirs; i++) {
        img->dirs[i].rva = rd32(opt + OPT_DATA_DIRECTORIES + 8 * i);
        img->dirs[i].size = rd32(opt + OPT_DATA_DIRECTORIES + 8 * i + 4);
    }

    /* pecoff 4: the section table follows the optional header. */
    if (nsect > PE_MAX_SECTIONS)
        return pe_fail(img, "too many sections (%u, the loader's limit is %d)", nsect,
                       PE_MAX_SECTIONS);
    sect_off = lfanew + 4 + COFF_SIZE + size_opt;
    if ((uint64_t)sect_off + (uint64_t)SEC_SIZE * nsect > size)
        return pe_fail(img, "truncated section table");
    img->sections = calloc(nsect ? nsect : 1, sizeof *img->sections);
    if (!img->sections)
        return pe_fail(img, "out of memory");
    img->nsections = nsect;
    for (uint32_t i = 0; i < nsect; i++) {
        const uint8_t *h = f + sect_off + SEC_SIZE * i;
        PeSection *s = &img->sections[i];
        uint32_t n;

        memcpy(s->name, h + SEC_NAME, 8);
        s->name[8] = '\0';
        s->vsize = rd32(h + SEC_VIRTUAL_SIZE);
        s->vaddr = rd32(h + SEC_VIRTUAL_ADDRESS);
        s->raw_size = rd32(h + SEC_SIZE_OF_RAW_DATA);
        s->raw_off = rd32(h + SEC_POINTER_TO_RAW_DATA);
        s->characteristics = rd32(h + SEC_CHARACTERISTICS);
        /* A zero VirtualSize means SizeOfRawData (older linkers wrote 0). */
        if (s->vsize == 0)
            s->vsize = s->raw_off ? s->raw_size : 0;
        if ((uint64_t)s->vaddr + s->vsize > img->size_of_image)
            return pe_fail(img, "section %u (%s) [0x%x+0x%x] extends beyond SizeOfImage 0x%x", i,
                           s->name, s->vaddr, s->vsize, img->size_of_image);
        n = pe_section_file_bytes(img, s);
        if ((uint64_t)s->raw_off + n > size)
            return pe_fail(img,
                           "section %u (%s) raw data [0x%x+0x%x] beyond end of file (%zu bytes)", i,
                           s->name, s->raw_off, n, size);
    }
    return 0;
}

/* pecoff 6.6: blocks of (PageRVA, BlockSize, BlockSize-8 bytes of 16-bit
 * type/offset entries). Only HIGHLOW (and ABSOLUTE padding) occurs in x86
 * images; anything else is refused rather than misapplied. */
static int pe_parse_relocs(PeCtx *c)
{
    PeImage *img = c->img;
    PeDataDir d = img->dirs[PE_DIR_BASERELOC];
    size_t cap = 0;

    if (d.rva == 0 || d.size == 0)
        return 0;
    if (!pe_in_image(c, d.rva, d.size))
        return pe_fail(img, "base relocation directory [0x%x+0x%x] outside image", d.rva, d.size);
    img->has_relocs = 1;
    /* Fewer than 8 trailing bytes cannot hold a block: alignment padding. */
    for (uint32_t off = 0; d.size - off >= 8;) {
        const uint8_t *b = c->view + d.rva + off;
        uint32_t page = rd32(b), bsize = rd32(b + 4);

        if (bsize < 8 || bsize > d.size - off)
            return pe_fail(img, "base relocation block at RVA 0x%x has bad size %u", d.rva + off,
                           bsize);
        for (uint32_t i = 0; i < (bsize - 8) / 2; i++) {
            uint16_t e = rd16(b + 8 + 2 * i);
            unsigned type = e >> 12;
            uint64_t target = (uint64_t)page + (e & 0xfff);

            if (type == IMAGE_REL_BASED_ABSOLUTE)
                continue;
            if (type != IMAGE_REL_BASED_HIGHLOW)
                return pe_fail(img, "unsupported base relocation type %u in block at RVA 0x%x",
                               type, d.rva + off);
            if (target + 4 > c->size)
                return pe_fail(img, "base relocation target RVA 0x%llx outside image",
                               (unsigned long long)target);
            if (img->nrelocs == cap) {
                uint32_t *n;
                if (cap >= PE_MAX_RELOCS)
                    return pe_fail(img, "too many base relocations (limit %u)", PE_MAX_RELOCS);
                cap = cap ? cap * 2 : 256;
                n = realloc(img->relocs, cap * sizeof *n);
                if (!n)
                    return pe_fail(img, "out of memory");
                img->relocs = n;
            }
            img->relocs[img->nrelocs++] = (uint32_t)target;
        }
        off += bsize;
    }
    return 0;
}

/* Append a zeroed import; NULL (with err set) at the limit or out of memory. */
static PeImport *pe_add_import(PeImage *img, size_t *cap)
{
    PeImport *imp;

    if (img->nimports == *cap) {
        PeImport *n;
        if (*cap >= PE_MAX_IMPORTS) {
            pe_fail(img, "too many imports (limit %d)", PE_MAX_IMPORTS);
            return NULL;
        }
        *cap = *cap ? *cap * 2 : 32;
        n = realloc(img->imports, *cap * sizeof *n);
        if (!n) {
            pe_fail(img, "out of memory");
            return NULL;
        }
        img->imports = n;
    }
    imp = &img->imports[img->nimports++];
    memset(imp, 0, sizeof *imp);
    return imp;
}

/* pecoff 6.4: import directory entries, each with a lookup table (by name
 * through a hint/name entry, or by ordinal) parallel to the IAT. Old
 * linkers leave OriginalFirstThunk zero; then the IAT itself holds the
 * lookup entries until it is bound. */
static int pe_parse_imports(PeCtx *c)
{
    PeImage *img = c->img;
    uint32_t dir = img->dirs[PE_DIR_IMPORT].rva;
    size_t cap = 0;

    /* The loader walks to the null entry; the directory's Size is not
     * used to bound the walk, only the image is. */
    if (dir == 0)
        return 0;
    for (uint32_t m = 0;; m++) {
        uint64_t drva = (uint64_t)dir + (uint64_t)IMP_SIZE * m;
        const uint8_t *d;
        uint32_t ilt, iat, name, lookup;
        char module[sizeof img->imports[0].module];

        if (m >= PE_MAX_MODULES)
            return pe_fail(img, "too many import descriptors (limit %d)", PE_MAX_MODULES);
        if (drva + IMP_SIZE > c->size)
            return pe_fail(img, "import directory runs past the end of the image "
                                "(no null entry)");
        d = c->view + drva;
        ilt = rd32(d + IMP_LOOKUP_TABLE);
        name = rd32(d + IMP_NAME);
        iat = rd32(d + IMP_ADDRESS_TABLE);
        /* pecoff 6.4.1: the table ends with a null entry. An entry without
         * a name or an IAT can describe nothing, so it ends it too. */
        if (name == 0 || iat == 0)
            break;
        if (pe_read_name(c, name, module, sizeof module, "import module name"))
            return -1;
        lookup = ilt ? ilt : iat;
        for (uint32_t i = 0;; i++) {
            uint64_t slot = (uint64_t)lookup + 4ull * i;
            uint64_t iat_slot = (uint64_t)iat + 4ull * i;
            uint32_t v;
            PeImport *imp;

            if (slot + 4 > c->size)
                return pe_fail(img, "import lookup table of %s runs past the end of the image",
                               module);
            v = rd32(c->view + slot);
            if (v == 0)
                break;
            if (iat_slot + 4 > c->size)
                return pe_fail(img, "import address table of %s runs past the end of the image",
                               module);
            imp = pe_add_import(img, &cap);
            if (!imp)
                return -1;
            memcpy(imp->module, module, sizeof module);
            imp->iat_rva = (uint32_t)iat_slot;
            if (v & IMAGE_ORDINAL_FLAG32) {
                imp->by_ordinal = 1;
                imp->ordinal = (uint16_t)v;
            } else {
                /* pecoff 6.4.3: 2-byte hint, then the name */
                uint32_t hn = v & ~IMAGE_ORDINAL_FLAG32;
                if (!pe_in_image(c, hn, 2))
                    return pe_fail(img, "import name RVA 0x%x (from %s) outside image", hn, module);
                imp->hint = rd16(c->view + hn);
                if (pe_read_name(c, hn + 2, imp->name, sizeof imp->name, "import name"))
                    return -1;
            }
        }
    }
    return 0;
}

/* Fill `e` from export address table entry `idx`: an RVA inside the export
 * directory's range is a forwarder string "DLL.Name" or "DLL.#ordinal"
 * (pecoff 6.3.2). */
static int pe_fill_export(PeCtx *c, PeExport *e, uint32_t eat, uint32_t idx)
{
    PeDataDir d = c->img->dirs[PE_DIR_EXPORT];
    uint32_t f = rd32(c->view + eat + 4 * idx);

    if (f >= d.rva && (uint64_t)f < (uint64_t)d.rva + d.size) {
        if (pe_read_name(c, f, e->forward, sizeof e->forward, "export forwarder"))
            return -1;
        if (!strchr(e->forward, '.'))
            return pe_fail(c->img, "export forwarder \"%s\" is not MODULE.Name", e->forward);
        e->rva = 0;
        return 0;
    }
    if (f == 0 || f >= c->size)
        return pe_fail(c->img, "export ordinal %u has RVA 0x%x outside image", e->ordinal, f);
    e->rva = f;
    return 0;
}

/* pecoff 6.3: export directory table, address table, name pointer table and
 * the parallel ordinal table. Exports listed: one per name (in name table
 * order), then every used address-table slot that has no name. */
static int pe_parse_exports(PeCtx *c)
{
    PeImage *img = c->img;
    PeDataDir d = img->dirs[PE_DIR_EXPORT];
    const uint8_t *x;
    uint32_t base, neat, nnames, eat, npt, ot;
    uint8_t *named = NULL;
    int rc = -1;

    if (d.rva == 0 || d.size == 0)
        return 0;
    if (!pe_in_image(c, d.rva, d.size) || !pe_in_image(c, d.rva, EXP_SIZE))
        return pe_fail(img, "export directory [0x%x+0x%x] outside image", d.rva, d.size);
    x = c->view + d.rva;
    base = rd32(x + EXP_ORDINAL_BASE);
    neat = rd32(x + EXP_ADDRESS_TABLE_ENTRIES);
    nnames = rd32(x + EXP_NUMBER_OF_NAMES);
    eat = rd32(x + EXP_ADDRESS_TABLE);
    npt = rd32(x + EXP_NAME_POINTERS);
    ot = rd32(x + EXP_ORDINAL_TABLE);
    if (rd32(x + EXP_NAME) && pe_read_name(c, rd32(x + EXP_NAME), img->export_name,
                                           sizeof img->export_name, "export DLL name"))
        return -1;
    if (neat > PE_MAX_EXPORTS || nnames > PE_MAX_EXPORTS)
        return pe_fail(img, "too many exports (%u functions, %u names; limit %d)", neat, nnames,
                       PE_MAX_EXPORTS);
    if (neat == 0)
        return 0;
    /* Ordinals are 16-bit wherever they are used (pecoff 6.4.2). */
    if ((uint64_t)base + neat - 1 > 0xffff)
        return pe_fail(img, "export ordinals %u..%llu exceed 65535", base,
                       (unsigned long long)base + neat - 1);
    if (!pe_in_image(c, eat, 4ull * neat))
        return pe_fail(img, "export address table [0x%x, %u entries] outside image", eat, neat);
    if (nnames && (!pe_in_image(c, npt, 4ull * nnames) || !pe_in_image(c, ot, 2ull * nnames)))
        return pe_fail(img, "export name tables (%u names) outside image", nnames);

    img->exports = calloc((size_t)neat + nnames, sizeof *img->exports);
    named = calloc(neat, 1);
    if (!img->exports || !named) {
        pe_fail(img, "out of memory");
        goto out;
    }
    for (uint32_t i = 0; i < nnames; i++) {
        PeExport *e = &img->exports[img->nexports];
        uint16_t idx = rd16(c->view + ot + 2 * i);

        if (idx >= neat) {
            pe_fail(img, "export name %u has ordinal index %u beyond the %u-entry address table", i,
                    idx, neat);
            goto out;
        }
        if (pe_read_name(c, rd32(c->view + npt + 4 * i), e->name, sizeof e->name, "export name"))
            goto out;
        e->ordinal = (uint16_t)(base + idx);
        if (pe_fill_export(c, e, eat, idx))
            goto out;
        named[idx] = 1;
        img->nexports++;
    }
    for (uint32_t idx = 0; idx < neat; idx++) {
        PeExport *e = &img->exports[img->nexports];

        /* A zero entry is an unused ordinal (pecoff 6.3.2). */
        if (named[idx] || rd32(c->view + eat + 4 * idx) == 0)
            continue;
        e->ordinal = (uint16_t)(base + idx);
        if (pe_fill_export(c, e, eat, idx))
            goto out;
        img->nexports++;
    }
    rc = 0;
out:
    free(named);
    return rc;
}

/* pecoff 6.8: the load configuration directory. Its Size field can be
 * smaller than the data directory's (and old linkers made the directory
 * entry 64 bytes for Windows XP while Size said more): the smaller of the
 * two bounds what is read. */
static int pe_parse_load_config(PeCtx *c)
{
    PeImage *img = c->img;
    PeDataDir d = img->dirs[PE_DIR_LOAD_CONFIG];
    uint32_t len, field, cookie_va, rva;

    if (d.rva == 0 || d.size == 0)
        return 0;
    if (!pe_in_image(c, d.rva, d.size) || !pe_in_image(c, d.rva, 4))
        return pe_fail(img, "load config directory [0x%x+0x%x] outside image", d.rva, d.size);
    len = d.size;
    field = rd32(c->view + d.rva + LC_SIZE);
    if (field && field < len)
        len = field;
    if (len < LC_SECURITY_COOKIE + 4)
        return 0;
    cookie_va = rd32(c->view + d.rva + LC_SECURITY_COOKIE);
    if (cookie_va == 0)
        return 0;
    rva = cookie_va - img->image_base;
    if (rva == 0 || !pe_in_image(c, rva, 4))
        return pe_fail(img, "security cookie VA 0x%x outside image (base 0x%x)", cookie_va,
                       img->image_base);
    img->security_cookie_rva = rva;
    return 0;
}

/* One block of a version resource: VS_VERSIONINFO, StringFileInfo,
 * StringTable and String all start with wLength, wValueLength, wType and a
 * NUL-terminated UTF-16 szKey, then padding to 32 bits, the Value, padding,
 * and the children ("VS_VERSIONINFO structure", "String structure", Win32
 * docs). Offsets are relative to the resource data, which is where the
 * 32-bit alignment counts from. */
typedef struct VerBlock {
    uint32_t len;       /* wLength */
    uint32_t end;       /* off + wLength, clamped to the parent */
    uint32_t value;     /* Value offset */
    uint32_t value_len; /* Value bytes (wValueLength counts WCHARs when wType is 1) */
    uint32_t children;
    char key[64];
} VerBlock;

static uint32_t align4(uint32_t v)
{
    return (v + 3) & ~3u;
}

static int pe_ver_block(const uint8_t *d, uint32_t off, uint32_t limit, VerBlock *b)
{
    uint32_t k, p;

    if (off > limit || limit - off < 6)
        return -1;
    b->len = rd16(d + off);
    if (b->len < 6)
        return -1;
    /* Resource compilers are sloppy about nested lengths: clamp. */
    b->end = b->len > limit - off ? limit : off + b->len;
    k = off + 6;
    for (p = k; p + 2 <= b->end && rd16(d + p) != 0; p += 2)
        ;
    if (p + 2 > b->end)
        return -1;
    utf16_to_utf8(d + k, (p - k) / 2, 0, b->key, sizeof b->key);
    b->value = align4(p + 2);
    if (b->value > b->end)
        b->value = b->end;
    b->value_len = rd16(d + off + 2) * (rd16(d + off + 4) == 1 ? 2u : 1u);
    if (b->value_len > b->end - b->value)
        b->value_len = b->end - b->value;
    b->children = align4(b->value + b->value_len);
    if (b->children > b->end)
        b->children = b->end;
    return 0;
}

/* String values: UTF-16 up to the first NUL or the end of the block (some
 * tools count wValueLength in bytes, some in WCHARs, some include the NUL).
 * Values longer than the PeVersion field are cut at a character boundary;
 * pairs past the 32nd are ignored: the version data is informational. */
static void pe_add_version_string(PeVersion *v, const uint8_t *d, const VerBlock *s)
{
    uint32_t p = s->value;

    if (v->nstrings >= sizeof v->strings / sizeof v->strings[0])
        return;
    while (p + 2 <= s->end && rd16(d + p) != 0)
        p += 2;
    snprintf(v->strings[v->nstrings].key, sizeof v->strings[0].key, "%s", s->key);
    utf16_to_utf8(d + s->value, (p - s->value) / 2, 0, v->strings[v->nstrings].value,
                  sizeof v->strings[0].value);
    v->nstrings++;
}

static int pe_parse_version(PeCtx *c, const uint8_t *d, uint32_t size)
{
    PeVersion *v = &c->img->version;
    VerBlock root;

    if (pe_ver_block(d, 0, size, &root) || strcmp(root.key, "VS_VERSION_INFO") != 0)
        return pe_fail(c->img, "malformed VS_VERSIONINFO resource");
    /* VS_FIXEDFILEINFO: dwSignature, dwStrucVersion, dwFileVersionMS/LS,
     * dwProductVersionMS/LS, ... (52 bytes) */
    if (root.value_len >= 52) {
        const uint8_t *f = d + root.value;
        uint32_t sig = rd32(f);

        if (sig != VS_FFI_SIGNATURE)
            return pe_fail(c->img, "bad VS_FIXEDFILEINFO signature 0x%08x", sig);
        for (int i = 0; i < 2; i++) {
            uint32_t ms = rd32(f + 8 + 8 * i), ls = rd32(f + 12 + 8 * i);
            uint16_t *out = i ? v->product_ver : v->file_ver;
            out[0] = (uint16_t)(ms >> 16);
            out[1] = (uint16_t)ms;
            out[2] = (uint16_t)(ls >> 16);
            out[3] = (uint16_t)ls;
        }
    }
    v->present = 1;
    /* Children: StringFileInfo (whose first StringTable is read) and
     * VarFileInfo (ignored). A malformed child ends the walk; every step
     * advances by at least 8 bytes (wLength >= 6, rounded up to 4). */
    for (uint32_t o = root.children; o < root.end;) {
        VerBlock sfi, tab, str;

        if (pe_ver_block(d, o, root.end, &sfi))
            break;
        o = align4(o + sfi.len);
        if (strcmp(sfi.key, "StringFileInfo") != 0 || pe_ver_block(d, sfi.children, sfi.end, &tab))
            continue;
        for (uint32_t s = tab.children; s < tab.end;) {
            if (pe_ver_block(d, s, tab.end, &str))
                break;
            s = align4(s + str.len);
            pe_add_version_string(v, d, &str);
        }
    }
    return 0;
}

/* Check a resource directory table at `off` (relative to the resource
 * directory) and return its entry count (pecoff 6.9.1). */
static int pe_res_table(PeCtx *c, uint32_t off, uint32_t *nentries)
{
    PeDataDir d = c->img->dirs[PE_DIR_RESOURCE];
    const uint8_t *t;
    uint32_t n;

    if ((uint64_t)off + RES_TABLE_SIZE > d.size)
        return pe_fail(c->img,
                       "resource directory table at offset 0x%x outside the resource "
                       "directory",
                       off);
    t = c->view + d.rva + off;
    n = (uint32_t)rd16(t + RES_NUMBER_OF_NAME_ENTRIES) + rd16(t + RES_NUMBER_OF_ID_ENTRIES);
    if ((uint64_t)off + RES_TABLE_SIZE + (uint64_t)RES_ENTRY_SIZE * n > d.size)
        return pe_fail(c->img,
                       "resource directory table at offset 0x%x: %u entries overrun "
                       "the resource directory",
                       off, n);
    *nentries = n;
    return 0;
}

/* pecoff 6.9: three levels, type / name / language. Follow RT_VERSION, then
 * the first name and the first language, to a data entry. The depth is
 * fixed, so a subdirectory that points back up cannot loop. */
static int pe_parse_resources(PeCtx *c)
{
    PeImage *img = c->img;
    PeDataDir d = img->dirs[PE_DIR_RESOURCE];
    const uint8_t *r;
    uint32_t n, i, e, data_rva, data_size;

    if (d.rva == 0 || d.size == 0)
        return 0;
    if (!pe_in_image(c, d.rva, d.size))
        return pe_fail(img, "resource directory [0x%x+0x%x] outside image", d.rva, d.size);
    r = c->view + d.rva;
    if (pe_res_table(c, 0, &n))
        return -1;
    /* ID entries follow the name entries (pecoff 6.9.1). */
    for (i = rd16(r + RES_NUMBER_OF_NAME_ENTRIES); i < n; i++)
        if (rd32(r + RES_TABLE_SIZE + RES_ENTRY_SIZE * i) == RT_VERSION)
            break;
    if (i >= n)
        return 0;
    e = rd32(r + RES_TABLE_SIZE + RES_ENTRY_SIZE * i + 4);
    for (int level = 2; level <= 3; level++) {
        uint32_t off;

        if (!(e & IMAGE_RESOURCE_DATA_IS_DIRECTORY))
            return pe_fail(img, "RT_VERSION resource: level %d entry is not a directory",
                           level - 1);
        off = e & ~IMAGE_RESOURCE_DATA_IS_DIRECTORY;
        if (pe_res_table(c, off, &n))
            return -1;
        if (n == 0)
            return 0;
        e = rd32(r + off + RES_TABLE_SIZE + 4);
    }
    if (e & IMAGE_RESOURCE_DATA_IS_DIRECTORY)
        return pe_fail(img, "RT_VERSION resource nested deeper than 3 levels (a loop?)");
    /* pecoff 6.9.4 resource data entry: DataRVA, Size, Codepage, Reserved */
    if ((uint64_t)e + RES_DATA_ENTRY_SIZE > d.size)
        return pe_fail(img, "resource data entry at offset 0x%x outside the resource directory", e);
    data_rva = rd32(r + e);
    data_size = rd32(r + e + 4);
    if (!pe_in_image(c, data_rva, data_size))
        return pe_fail(img, "version resource data [0x%x+0x%x] outside image", data_rva, data_size);
    return pe_parse_version(c, c->view + data_rva, data_size);
}

/* Free everything pe_parse allocated; keeps err. */
static void pe_release(PeImage *img)
{
    char err[PE_ERR_MAX];

    memcpy(err, img->err, sizeof err);
    free(img->sections);
    free(img->imports);
    free(img->exports);
    free(img->relocs);
    free(img->file);
    memset(img, 0, sizeof *img);
    memcpy(img->err, err, sizeof err);
}

int pe_parse(PeImage *img, const uint8_t *data, size_t size)
{
    PeCtx c = {.img = img};

    memset(img, 0, sizeof *img);
    if (!data || size == 0)
        return pe_fail(img, "empty file");
    if (size > PE_MAX_FILE)
        return pe_fail(img, "file too large (%zu bytes, limit %u)", size, PE_MAX_FILE);
    img->file = malloc(size);
    if (!img->file)
        return pe_fail(img, "out of memory");
    memcpy(img->file, data, size);
    img->file_size = size;

    if (pe_parse_headers(img))
        goto fail;
    c.size = img->size_of_image;
    c.view = calloc(1, c.size);
    if (!c.view) {
        pe_fail(img, "out of memory for a 0x%x-byte image", c.size);
        goto fail;
    }
    if (pe_layout(img, c.view) || pe_parse_relocs(&c) || pe_parse_imports(&c) ||
        pe_parse_exports(&c) || pe_parse_load_config(&c) || pe_parse_resources(&c))
        goto fail;
    free(c.view);
    img->err[0] = '\0';
    return 0;
fail:
    free(c.view);
    pe_release(img);
    return -1;
}

int pe_load_file(PeImage *img, const char *path)
{
    FILE *fp;
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    int rc;

    memset(img, 0, sizeof *img);
    fp = fopen(path, "rb");
    if (!fp)
        return pe_fail(img, "cannot open %s: %s", path, strerror(errno));
    for (;;) {
        size_t got;
        if (len == cap) {
            uint8_t *n;
            if (cap > PE_MAX_FILE) {
                free(buf);
                fclose(fp);
                return pe_fail(img, "%s: file too large (limit %u bytes)", path, PE_MAX_FILE);
            }
            cap = cap ? cap * 2 : 65536;
            n = realloc(buf, cap);
            if (!n) {
                free(buf);
                fclose(fp);
                return pe_fail(img, "out of memory reading %s", path);
            }
            buf = n;
        }
        got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        free(buf);
        fclose(fp);
        return pe_fail(img, "cannot read %s", path);
    }
    fclose(fp);
    rc = pe_parse(img, buf, len);
    free(buf);
    return rc;
}

void pe_free(PeImage *img)
{
    if (img)
        pe_release(img);
}

/* A cookie derived from the load address: the same base gives the same
 * cookie (runs are reproducible); bit 16 is forced on, so the upper 16 bits
 * are never zero and the value is neither 0 nor GS_DEFAULT_COOKIE (whose
 * bit 16 is clear). The mixing steps are a standard 32-bit integer hash
 * finaliser. */
static uint32_t pe_cookie_for_base(uint32_t base)
{
    uint32_t h = base ^ 0x5bd1e995u;

    h ^= h >> 16;
    h *= 0x7feb352du;
    h ^= h >> 15;
    h *= 0x846ca68bu;
    h ^= h >> 16;
    return h | 0x00010000u;
}

int pe_map_image(PeImage *img, uint8_t *mem, uint32_t base)
{
    uint32_t delta, hdr, ib_off;

    if (!img || !mem || !img->file || img->size_of_image == 0) {
        if (img)
            pe_fail(img, "pe_map_image: no parsed image");
        return -1;
    }
    if (pe_layout(img, mem))
        return -1;
    delta = base - img->image_base;
    if (delta != 0) {
        /* pecoff 3.3.2 IMAGE_FILE_RELOCS_STRIPPED: the image must load at
         * its preferred base. Without the flag and without relocations
         * there is nothing to fix up. */
        if (!img->has_relocs && (img->characteristics & IMAGE_FILE_RELOCS_STRIPPED))
            return pe_fail(img, "relocations stripped: cannot load at 0x%x (ImageBase 0x%x)", base,
                           img->image_base);
        for (size_t i = 0; i < img->nrelocs; i++) {
            uint32_t r = img->relocs[i];
            if ((uint64_t)r + 4 > img->size_of_image)
                return pe_fail(img, "base relocation target RVA 0x%x outside image", r);
            wr32(mem + r, rd32(mem + r) + delta);
        }
        /* Like the Windows loader, record the actual base in the mapped
         * optional header, where RtlImageNtHeader users look for it. */
        hdr = pe_header_bytes(img);
        ib_off = img->nt_offset + 4 + COFF_SIZE + OPT_IMAGE_BASE;
        if ((uint64_t)ib_off + 4 <= hdr)
            wr32(mem + ib_off, base);
    }
    /* /GS: replace the cookie if it still holds the compiler's default,
     * after relocation, as the loader does when it processes the load
     * configuration of a driver. */
    if (img->security_cookie_rva && (uint64_t)img->security_cookie_rva + 4 <= img->size_of_image &&
        rd32(mem + img->security_cookie_rva) == GS_DEFAULT_COOKIE)
        wr32(mem + img->security_cookie_rva, pe_cookie_for_base(base));
    return 0;
}

int pe_bind_import(const PeImage *img, uint8_t *mem, const PeImport *imp, uint32_t value)
{
    if (!img || !mem || !imp || (uint64_t)imp->iat_rva + 4 > img->size_of_image)
        return -1;
    wr32(mem + imp->iat_rva, value);
    return 0;
}

const PeExport *pe_find_export(const PeImage *img, const char *name)
{
    if (!img || !name || !*name)
        return NULL;
    for (size_t i = 0; i < img->nexports; i++)
        if (strcmp(img->exports[i].name, name) == 0)
            return &img->exports[i];
    return NULL;
}

const PeExport *pe_find_export_ordinal(const PeImage *img, uint16_t ordinal)
{
    if (!img)
        return NULL;
    for (size_t i = 0; i < img->nexports; i++)
        if (img->exports[i].ordinal == ordinal)
            return &img->exports[i];
    return NULL;
}

/* Sections are searched last to first: where two overlap, the later one
 * is what pe_layout leaves in memory. */
const PeSection *pe_section_at(const PeImage *img, uint32_t rva)
{
    if (!img)
        return NULL;
    for (size_t i = img->nsections; i-- > 0;) {
        const PeSection *s = &img->sections[i];
        if (rva >= s->vaddr && (uint64_t)rva < (uint64_t)s->vaddr + s->vsize)
            return s;
    }
    return NULL;
}
