/* libFuzzer target for the PE32 loader: pe_parse on arbitrary bytes and,
 * when it accepts the image, what the VM does next: map it at its
 * preferred base and at another, bind every import, look up every export.
 * Invariants checked beyond "no crash": a refused image has a one-line
 * error, and a mapped /GS cookie never keeps the compiler default. */
#include "pe/pe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GS_DEFAULT_COOKIE 0xBB40E64Eu

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PeImage img;

    if (pe_parse(&img, data, size) != 0) {
        if (img.err[0] == '\0' || strchr(img.err, '\n'))
            abort();
        pe_free(&img);
        return 0;
    }
    for (int i = 0; i < 2; i++) {
        uint32_t base = i ? 0x80000000u : img.image_base;
        uint8_t *mem = calloc(1, img.size_of_image);

        if (!mem)
            abort();
        if (pe_map_image(&img, mem, base) == 0) {
            if (img.security_cookie_rva && rd32(mem + img.security_cookie_rva) == GS_DEFAULT_COOKIE)
                abort();
            for (size_t k = 0; k < img.nimports; k++)
                if (pe_bind_import(&img, mem, &img.imports[k], 0xC0DE0000u + (uint32_t)k))
                    abort();
        }
        free(mem);
    }
    for (size_t k = 0; k < img.nexports; k++) {
        if (!pe_find_export_ordinal(&img, img.exports[k].ordinal))
            abort();
        if (img.exports[k].name[0] && !pe_find_export(&img, img.exports[k].name))
            abort();
    }
    (void)pe_section_at(&img, img.entry_rva);
    pe_free(&img);
    return 0;
}
