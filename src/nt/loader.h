/* Loading a driver image into the guest: map, relocate, bind imports to
 * host exports, protect sections (the job of MmLoadSystemImage). */
#ifndef XDRV_NT_LOADER_H
#define XDRV_NT_LOADER_H

#include "nt/nt.h"
#include "pe/pe.h"

typedef struct NtImage {
    PeImage pe;
    char name[64]; /* file name without directories, e.g. "ktest.sys" */
    GuestAddr base;
    uint32_t size;     /* mapped bytes (page rounded) */
    GuestAddr entry;   /* DriverEntry */
    unsigned nmissing; /* imports with no implementation */
} NtImage;

/* Load `path`. On failure returns -1 with a one-line reason in err. When
 * imports are missing and nt->opt.allow_missing is off, the reason lists
 * every missing one as module!name. */
int nt_load_image(Nt *nt, const char *path, NtImage *img, char *err, size_t errlen);
void nt_image_free(NtImage *img);

/* Whether an import is implemented (for `xdrv info`). */
int nt_import_implemented(const PeImport *imp);

/* An import as it is named in messages: module!name, or module!#ordinal. */
void nt_import_label(const PeImport *imp, char *out, size_t outlen);

#endif
