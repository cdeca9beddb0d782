/* UTF-16 to UTF-8 conversion, shared by the PE reader (VS_VERSIONINFO
 * strings) and the INF reader (UTF-16 files). Private to src/pe/.
 * Facts: RFC 2781 (UTF-16 surrogate pairs), RFC 3629 (UTF-8 encoding). */
#ifndef XDRV_PE_UTF16_H
#define XDRV_PE_UTF16_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t utf16_unit(const uint8_t *p, int be)
{
    return be ? (uint16_t)(p[0] << 8 | p[1]) : (uint16_t)(p[1] << 8 | p[0]);
}

/* Decode `n` code units at `src` (little-endian unless `be`) into `dst`
 * (`cap` >= 1 bytes). An unpaired surrogate becomes U+FFFD (RFC 2781 2.2
 * leaves it undefined; U+FFFD is the usual replacement). Output stops before
 * a character that would not fit, so it always holds whole characters, and
 * is NUL-terminated. Returns the bytes written, excluding the NUL; a cap of
 * 3*n+1 always holds the full text. NUL units are copied as 0 bytes. */
static inline size_t utf16_to_utf8(const uint8_t *src, size_t n, int be, char *dst, size_t cap)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        uint32_t c = utf16_unit(src + 2 * i, be);
        char enc[4];
        size_t len;

        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < n) {
            uint32_t lo = utf16_unit(src + 2 * (i + 1), be);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            }
        }
        if (c >= 0xD800 && c <= 0xDFFF)
            c = 0xFFFD;
        if (c < 0x80) {
            enc[0] = (char)c;
            len = 1;
        } else if (c < 0x800) {
            enc[0] = (char)(0xC0 | c >> 6);
            enc[1] = (char)(0x80 | (c & 0x3F));
            len = 2;
        } else if (c < 0x10000) {
            enc[0] = (char)(0xE0 | c >> 12);
            enc[1] = (char)(0x80 | (c >> 6 & 0x3F));
            enc[2] = (char)(0x80 | (c & 0x3F));
            len = 3;
        } else {
            enc[0] = (char)(0xF0 | c >> 18);
            enc[1] = (char)(0x80 | (c >> 12 & 0x3F));
            enc[2] = (char)(0x80 | (c >> 6 & 0x3F));
            enc[3] = (char)(0x80 | (c & 0x3F));
            len = 4;
        }
        if (cap - 1 - o < len)
            break;
        for (size_t k = 0; k < len; k++)
            dst[o++] = enc[k];
    }
    dst[o] = '\0';
    return o;
}

#endif
