/* Driver image loader: places the image in the kernel image area (at its
 * preferred base when that lies there, else relocated), binds every import
 * to a thunk or data export, and sets page protections from the section
 * characteristics. Facts: Microsoft PE Format (section flags), Windows
 * Internals ch. "System image loading" (drivers are relocated freely). */
#include "nt/loader.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SCN_MEM_EXECUTE 0x20000000u
#define SCN_MEM_READ 0x40000000u
#define SCN_MEM_WRITE 0x80000000u
#define SCN_CNT_CODE 0x00000020u

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

void nt_import_label(const PeImport *imp, char *out, size_t outlen)
{
    if (imp->by_ordinal)
        snprintf(out, outlen, "%s!#%u", imp->module, imp->ordinal);
    else
        snprintf(out, outlen, "%s!%s", imp->module, imp->name);
}

int nt_import_implemented(const PeImport *imp)
{
    const NtModule *m = nt_find_module(imp->module);
    if (!m || imp->by_ordinal)
        return 0;
    const NtExport *e = nt_find_export(m, imp->name);
    return e != NULL;
}

/* The union of permissions of every section touching a page: with section
 * alignment below the page size (DDK drivers use 0x80 and 0x200), code and
 * data can share a page and that page must allow both. */
static void protect_sections(Nt *nt, NtImage *img)
{
    uint32_t npages = img->size / VM_PAGE_SIZE;
    uint8_t *prot = calloc(npages, 1);
    if (!prot)
        return;
    prot[0] = VM_PROT_R; /* headers */
    for (size_t i = 0; i < img->pe.nsections; i++) {
        const PeSection *s = &img->pe.sections[i];
        int p = VM_PROT_R;
        if (s->characteristics & (SCN_MEM_EXECUTE | SCN_CNT_CODE))
            p |= VM_PROT_X;
        if (s->characteristics & SCN_MEM_WRITE)
            p |= VM_PROT_W;
        uint32_t first = s->vaddr / VM_PAGE_SIZE;
        uint64_t end = (uint64_t)s->vaddr + (s->vsize ? s->vsize : 1);
        uint32_t last = (uint32_t)((end - 1) / VM_PAGE_SIZE);
        for (uint32_t pg = first; pg <= last && pg < npages; pg++)
            prot[pg] |= (uint8_t)p;
    }
    for (uint32_t pg = 0; pg < npages; pg++)
        vm_protect(nt->vm, img->base + pg * VM_PAGE_SIZE, VM_PAGE_SIZE,
                   prot[pg] ? prot[pg] : VM_PROT_R);
    free(prot);
}

int nt_load_image(Nt *nt, const char *path, NtImage *img, char *err, size_t errlen)
{
    memset(img, 0, sizeof *img);
    snprintf(img->name, sizeof img->name, "%s", base_name(path));
    if (pe_load_file(&img->pe, path) < 0) {
        snprintf(err, errlen, "%s: %s", path, img->pe.err);
        return -1;
    }
    PeImage *pe = &img->pe;
    if (pe->entry_rva == 0) {
        snprintf(err, errlen, "%s: image has no entry point (DriverEntry)", path);
        return -1;
    }

    /* imports first: refuse before mapping anything */
    size_t listlen = 0;
    char *missing = NULL;
    for (size_t i = 0; i < pe->nimports; i++) {
        const PeImport *imp = &pe->imports[i];
        if (nt_import_implemented(imp))
            continue;
        img->nmissing++;
        char one[220];
        nt_import_label(imp, one, sizeof one);
        size_t n = strlen(one);
        char *m = realloc(missing, listlen + n + 3);
        if (!m) {
            free(missing);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        missing = m;
        if (listlen) {
            memcpy(missing + listlen, ", ", 2);
            listlen += 2;
        }
        memcpy(missing + listlen, one, n + 1);
        listlen += n;
    }
    if (img->nmissing && !nt->opt.allow_missing) {
        snprintf(err, errlen,
                 "%s: %u import(s) not implemented by xdrv: %s (--allow-missing runs anyway)", path,
                 img->nmissing, missing);
        free(missing);
        return -1;
    }
    free(missing);

    uint32_t size = (pe->size_of_image + VM_PAGE_SIZE - 1) & ~(VM_PAGE_SIZE - 1);
    if (!nt->next_image_base)
        nt->next_image_base = VM_IMAGE_BASE;
    GuestAddr base = nt->next_image_base;
    if (pe->image_base >= nt->next_image_base && !(pe->image_base & (VM_PAGE_SIZE - 1)) &&
        (uint64_t)pe->image_base + size <= VM_IMAGE_BASE + VM_IMAGE_SIZE)
        base = pe->image_base; /* preferred base is free: no relocation */
    if ((uint64_t)base + size > VM_IMAGE_BASE + VM_IMAGE_SIZE) {
        snprintf(err, errlen, "%s: image of %u bytes does not fit the driver image area", path,
                 size);
        return -1;
    }
    if (base != pe->image_base && !pe->has_relocs) {
        snprintf(err, errlen,
                 "%s: preferred base 0x%08x is outside the kernel image area and the image has no "
                 "relocations",
                 path, pe->image_base);
        return -1;
    }
    uint8_t *mem = vm_map(nt->vm, base, size, VM_PROT_R | VM_PROT_W | VM_PROT_X, img->name);
    if (!mem) {
        snprintf(err, errlen, "%s: cannot map %u bytes at 0x%08x", path, size, base);
        return -1;
    }
    nt->next_image_base = base + size + VM_PAGE_SIZE; /* a guard page between images */
    img->base = base;
    img->size = size;
    img->entry = base + pe->entry_rva;
    if (pe_map_image(pe, mem, base) < 0) {
        snprintf(err, errlen, "%s: %s", path, pe->err);
        return -1;
    }
    for (size_t i = 0; i < pe->nimports; i++) {
        const PeImport *imp = &pe->imports[i];
        GuestAddr a = 0;
        if (!imp->by_ordinal)
            a = nt_resolve_import(nt, imp->module, imp->name);
        if (!a) {
            char num[16];
            snprintf(num, sizeof num, "#%u", imp->ordinal);
            a = nt_missing_import_thunk(nt, imp->module, imp->by_ordinal ? num : imp->name);
        }
        if (!a) {
            snprintf(err, errlen, "%s: out of thunk space binding %s!%s", path, imp->module,
                     imp->name);
            return -1;
        }
        if (pe_bind_import(pe, mem, imp, a) < 0) {
            snprintf(err, errlen, "%s: %s", path, pe->err);
            return -1;
        }
    }
    protect_sections(nt, img);
    vm_flush_code(nt->vm, base, size);
    vm_add_module(nt->vm, img->name, base, size);
    return 0;
}

void nt_image_free(NtImage *img)
{
    pe_free(&img->pe);
}
