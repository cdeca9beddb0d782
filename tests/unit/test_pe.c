/* Unit tests for src/pe/pe.c: PE32 images built in memory by a small
 * builder (layouts facts from the Microsoft "PE Format" specification),
 * refused and hostile variants of them, byte-flip and truncation sweeps,
 * and the mingw-built seed drivers of the fuzz corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pe/pe.h"

/* ---- the builder ------------------------------------------------------------ */

#define TB_VIMG 0x10000
#define TB_BASE 0x10000u
#define TB_LFANEW 0x80u
#define TB_OPT (TB_LFANEW + 4 + 20)
#define TB_SECT (TB_OPT + 224)
#define GS_DEFAULT 0xBB40E64Eu

enum { S_TEXT, S_RDATA, S_DATA, S_INIT, S_RSRC, S_RELOC, TB_NSEC };

typedef struct TbSec {
    const char *name;
    uint32_t rva, vsize, csize, raw_off, raw_size, chars;
} TbSec;

typedef struct Tb {
    uint32_t salign, falign, size_of_image, size_of_headers;
    uint8_t vimg[TB_VIMG]; /* the image as the loader should map it */
    TbSec sec[TB_NSEC];
    uint32_t dir_rva[16], dir_size[16];
    uint32_t relocs[16];
    int nrelocs;
    /* where things are */
    uint32_t cookie_rva, lc_rva, imp_rva, exp_rva, res_rva, reloc_rva, ver_rva;
    uint32_t iat_nt, iat_hal, hn_io, modname_nt;
    uint32_t eat, names, ords;
    uint8_t *file;
    size_t size;
} Tb;

static uint32_t al(uint32_t v, uint32_t a)
{
    return (v + a - 1) / a * a;
}

static void w8(Tb *b, uint32_t rva, uint8_t v)
{
    assert_true(rva < TB_VIMG);
    b->vimg[rva] = v;
}

static void w16(Tb *b, uint32_t rva, uint16_t v)
{
    w8(b, rva, (uint8_t)v);
    w8(b, rva + 1, (uint8_t)(v >> 8));
}

static void w32(Tb *b, uint32_t rva, uint32_t v)
{
    w16(b, rva, (uint16_t)v);
    w16(b, rva + 2, (uint16_t)(v >> 16));
}

static uint32_t r32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void p16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void p32(uint8_t *p, uint32_t v)
{
    p16(p, (uint16_t)v);
    p16(p + 2, (uint16_t)(v >> 16));
}

static void wstr(Tb *b, uint32_t rva, const char *s)
{
    for (size_t i = 0; i <= strlen(s); i++)
        w8(b, rva + (uint32_t)i, (uint8_t)s[i]);
}

/* UTF-8 text as NUL-terminated UTF-16LE at rva; returns bytes written,
 * NUL included. */
static uint32_t wutf16(Tb *b, uint32_t rva, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    uint32_t o = 0;

    while (*u) {
        uint32_t c;
        if (*u < 0x80)
            c = *u++;
        else if (*u < 0xE0) {
            c = (uint32_t)(u[0] & 0x1F) << 6 | (u[1] & 0x3F);
            u += 2;
        } else if (*u < 0xF0) {
            c = (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
            u += 3;
        } else {
            c = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
                (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
            u += 4;
        }
        if (c >= 0x10000) {
            c -= 0x10000;
            w16(b, rva + o, (uint16_t)(0xD800 + (c >> 10)));
            w16(b, rva + o + 2, (uint16_t)(0xDC00 + (c & 0x3FF)));
            o += 4;
        } else {
            w16(b, rva + o, (uint16_t)c);
            o += 2;
        }
    }
    w16(b, rva + o, 0);
    return o + 2;
}

static void tb_reloc(Tb *b, uint32_t site, uint32_t target_rva)
{
    w32(b, site, TB_BASE + target_rva);
    b->relocs[b->nrelocs++] = site;
}

/* A version-resource block header: wLength (fixed later), wValueLength,
 * wType, szKey, padding. Returns the offset of the Value. */
static uint32_t vb_begin(Tb *b, uint32_t base, uint32_t off, const char *key, uint16_t vlen,
                         uint16_t type)
{
    w16(b, base + off + 2, vlen);
    w16(b, base + off + 4, type);
    return al(off + 6 + wutf16(b, base + off + 6, key), 4);
}

static void vb_end(Tb *b, uint32_t base, uint32_t start, uint32_t end)
{
    w16(b, base + start, (uint16_t)(end - start));
}

static uint32_t vb_string(Tb *b, uint32_t base, uint32_t off, const char *key, const char *val)
{
    uint32_t v, n;

    v = vb_begin(b, base, off, key, 0, 1);
    n = *val ? wutf16(b, base + v, val) : 0;
    w16(b, base + off + 2, (uint16_t)(n / 2));
    vb_end(b, base, off, v + n);
    return al(v + n, 4);
}

/* VS_VERSIONINFO at rva; returns its size. */
static uint32_t tb_version(Tb *b, uint32_t rva)
{
    uint32_t o, sfi, tab, vfi, var;

    o = vb_begin(b, rva, 0, "VS_VERSION_INFO", 52, 0);
    w32(b, rva + o, 0xFEEF04BD);       /* dwSignature */
    w32(b, rva + o + 4, 0x00010000);   /* dwStrucVersion */
    w32(b, rva + o + 8, 1u << 16 | 2); /* file 1.2.3.4 */
    w32(b, rva + o + 12, 3u << 16 | 4);
    w32(b, rva + o + 16, 5u << 16 | 6); /* product 5.6.7.8 */
    w32(b, rva + o + 20, 7u << 16 | 8);
    w32(b, rva + o + 36, 3); /* dwFileType VFT_DRV */
    o = al(o + 52, 4);
    sfi = o;
    o = vb_begin(b, rva, sfi, "StringFileInfo", 0, 1);
    tab = o;
    o = vb_begin(b, rva, tab, "040904B0", 0, 1);
    o = vb_string(b, rva, o, "CompanyName", "xdrv");
    o = vb_string(b, rva, o, "FileDescription", "T\xC3\xABst \xE2\x80\x93 driver \xF0\x9F\x98\x80");
    o = vb_string(b, rva, o, "Comments", "");
    vb_end(b, rva, tab, o);
    vb_end(b, rva, sfi, o);
    vfi = o;
    o = vb_begin(b, rva, vfi, "VarFileInfo", 0, 1);
    var = o;
    o = vb_begin(b, rva, var, "Translation", 4, 0);
    w32(b, rva + o, 0x04B00409);
    o += 4;
    vb_end(b, rva, var, o);
    vb_end(b, rva, vfi, o);
    vb_end(b, rva, 0, o);
    return o;
}

static void tb_resources(Tb *b, uint32_t s)
{
    uint32_t vlen;

    b->res_rva = s;
    /* root: two ID entries, RT_ICON (3, empty) and RT_VERSION (16) */
    w16(b, s + 14, 2);
    w32(b, s + 16, 3);
    w32(b, s + 20, 0x80000000u | 0x28);
    w32(b, s + 24, 16);
    w32(b, s + 28, 0x80000000u | 0x40);
    /* 0x28: empty RT_ICON table */
    /* 0x40: names: ID 1 */
    w16(b, s + 0x40 + 14, 1);
    w32(b, s + 0x50, 1);
    w32(b, s + 0x54, 0x80000000u | 0x58);
    /* 0x58: languages: 0x409 -> data entry at 0x70 */
    w16(b, s + 0x58 + 14, 1);
    w32(b, s + 0x68, 0x409);
    w32(b, s + 0x6c, 0x70);
    b->ver_rva = s + 0x80;
    vlen = tb_version(b, b->ver_rva);
    w32(b, s + 0x70, b->ver_rva);
    w32(b, s + 0x74, vlen);
    b->dir_rva[2] = s;
    b->dir_size[2] = 0x80 + vlen;
    b->sec[S_RSRC].csize = 0x80 + vlen;
    assert_true(b->sec[S_RSRC].csize <= b->sec[S_RSRC].vsize);
}

static void tb_rdata(Tb *b, uint32_t r, uint32_t t)
{
    uint32_t ilt = r + 0x40, iat = r + 0x50, iat_hal = r + 0x60;
    uint32_t hn_io = r + 0x70, hn_ke = r + 0x84, hn_kf = r + 0x94;
    uint32_t x = r + 0x100;

    /* imports (pecoff 6.4): ntoskrnl.exe by name and ordinal through an ILT,
     * HAL.dll with OriginalFirstThunk 0 (lookup entries in the IAT) */
    b->imp_rva = r;
    w32(b, r + 0, ilt);
    w32(b, r + 12, r + 0xB0);
    w32(b, r + 16, iat);
    w32(b, r + 20 + 12, r + 0xC0);
    w32(b, r + 20 + 16, iat_hal);
    for (int i = 0; i < 2; i++) {
        uint32_t tab = i ? iat : ilt;
        w32(b, tab, hn_io);
        w32(b, tab + 4, hn_ke);
        w32(b, tab + 8, 0x80000011u);
        w32(b, tab + 12, 0);
    }
    w32(b, iat_hal, hn_kf);
    w16(b, hn_io, 0x55);
    wstr(b, hn_io + 2, "IoCreateDevice");
    w16(b, hn_ke, 0x1234);
    wstr(b, hn_ke + 2, "KeBugCheckEx");
    w16(b, hn_kf, 7);
    wstr(b, hn_kf + 2, "KfRaiseIrql");
    wstr(b, r + 0xB0, "ntoskrnl.exe");
    wstr(b, r + 0xC0, "HAL.dll");
    b->iat_nt = iat;
    b->iat_hal = iat_hal;
    b->hn_io = hn_io;
    b->modname_nt = r + 0xB0;
    b->dir_rva[1] = r;
    b->dir_size[1] = 60;
    b->dir_rva[12] = iat;
    b->dir_size[12] = 0x18;

    /* exports (pecoff 6.3): base 5; XdrvEntry (5), XdrvForward (6,
     * forwarder), ordinal 7 without a name */
    b->exp_rva = x;
    b->eat = x + 0x28;
    b->names = x + 0x34;
    b->ords = x + 0x3C;
    w32(b, x + 12, x + 0x40);
    w32(b, x + 16, 5);
    w32(b, x + 20, 3);
    w32(b, x + 24, 2);
    w32(b, x + 28, b->eat);
    w32(b, x + 32, b->names);
    w32(b, x + 36, b->ords);
    w32(b, b->eat, t);
    w32(b, b->eat + 4, x + 0x70);
    w32(b, b->eat + 8, t + 8);
    w32(b, b->names, x + 0x50);
    w32(b, b->names + 4, x + 0x60);
    w16(b, b->ords, 0);
    w16(b, b->ords + 2, 1);
    wstr(b, x + 0x40, "test.sys");
    wstr(b, x + 0x50, "XdrvEntry");
    wstr(b, x + 0x60, "XdrvForward");
    wstr(b, x + 0x70, "ntoskrnl.RtlZeroMemory");
    b->dir_rva[0] = x;
    b->dir_size[0] = 0x90;

    /* load config (pecoff 6.8): Size 72, SecurityCookie VA at +60 */
    b->lc_rva = r + 0x200;
    w32(b, b->lc_rva, 72);
    b->dir_rva[10] = b->lc_rva;
    b->dir_size[10] = 72;
}

static int tb_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* pecoff 6.6: one block per 4 KiB page, padded to 32 bits with ABSOLUTE */
static void tb_relocs(Tb *b, uint32_t l)
{
    uint32_t o = 0;

    qsort(b->relocs, (size_t)b->nrelocs, sizeof b->relocs[0], tb_cmp_u32);
    for (int i = 0; i < b->nrelocs;) {
        uint32_t page = b->relocs[i] & ~0xFFFu, start = o, n = 0;
        o += 8;
        for (; i < b->nrelocs && (b->relocs[i] & ~0xFFFu) == page; i++, n++, o += 2)
            w16(b, l + o, (uint16_t)(3u << 12 | (b->relocs[i] & 0xFFF)));
        if (n & 1) {
            w16(b, l + o, 0);
            o += 2;
        }
        w32(b, l + start, page);
        w32(b, l + start + 4, o - start);
    }
    b->reloc_rva = l;
    b->dir_rva[5] = l;
    b->dir_size[5] = o;
    b->sec[S_RELOC].csize = o;
}

/* Write the headers into vimg[0..size_of_headers) and lay the file out. */
static void tb_emit(Tb *b)
{
    uint8_t *h = b->vimg;
    uint32_t raw = b->size_of_headers;

    memset(h, 0, b->size_of_headers);
    h[0] = 'M';
    h[1] = 'Z';
    p32(h + 0x3C, TB_LFANEW);
    memcpy(h + 0x40, "This program cannot be run in DOS mode.", 39);
    memcpy(h + TB_LFANEW, "PE\0\0", 4);
    p16(h + TB_LFANEW + 4, 0x14c);
    p16(h + TB_LFANEW + 6, TB_NSEC);
    p32(h + TB_LFANEW + 8, 0x4e1c5a3b);
    p16(h + TB_LFANEW + 20, 224);
    p16(h + TB_LFANEW + 22, 0x0102); /* EXECUTABLE_IMAGE | 32BIT_MACHINE */
    p16(h + TB_OPT, 0x10b);
    h[TB_OPT + 2] = 8;
    p32(h + TB_OPT + 16, b->sec[S_TEXT].rva); /* AddressOfEntryPoint */
    p32(h + TB_OPT + 28, TB_BASE);
    p32(h + TB_OPT + 32, b->salign);
    p32(h + TB_OPT + 36, b->falign);
    p16(h + TB_OPT + 40, 5);
    p16(h + TB_OPT + 42, 1);
    p16(h + TB_OPT + 48, 5);
    p16(h + TB_OPT + 50, 1);
    p32(h + TB_OPT + 56, b->size_of_image);
    p32(h + TB_OPT + 60, b->size_of_headers);
    p16(h + TB_OPT + 68, 1); /* IMAGE_SUBSYSTEM_NATIVE */
    p32(h + TB_OPT + 72, 0x40000);
    p32(h + TB_OPT + 76, 0x1000);
    p32(h + TB_OPT + 80, 0x100000);
    p32(h + TB_OPT + 84, 0x1000);
    p32(h + TB_OPT + 92, 16);
    for (int i = 0; i < 16; i++) {
        p32(h + TB_OPT + 96 + 8 * i, b->dir_rva[i]);
        p32(h + TB_OPT + 100 + 8 * i, b->dir_size[i]);
    }
    for (int i = 0; i < TB_NSEC; i++) {
        TbSec *s = &b->sec[i];
        uint8_t *e = h + TB_SECT + 40 * i;
        s->raw_off = raw;
        /* Below the page size DDK linkers keep RVA == file offset, so
         * the raw data covers the virtual size, zero-filled part and all. */
        s->raw_size =
            al(b->salign < 0x1000 && s->vsize > s->csize ? s->vsize : s->csize, b->falign);
        raw += s->raw_size;
        memcpy(e, s->name, strlen(s->name));
        p32(e + 8, s->vsize);
        p32(e + 12, s->rva);
        p32(e + 16, s->raw_size);
        p32(e + 20, s->raw_off);
        p32(e + 36, s->chars);
    }
    b->size = raw;
    b->file = calloc(1, raw);
    assert_non_null(b->file);
    memcpy(b->file, h, b->size_of_headers);
    for (int i = 0; i < TB_NSEC; i++)
        memcpy(b->file + b->sec[i].raw_off, b->vimg + b->sec[i].rva, b->sec[i].raw_size);
}

/* The reference image: sections .text .rdata .data (with a zero-filled
 * tail) INIT .rsrc .reloc at alignment salign / falign. */
static Tb *tb_new(uint32_t salign, uint32_t falign)
{
    Tb *b = calloc(1, sizeof *b);
    static const struct {
        const char *name;
        uint32_t csize, vsize, chars;
    } layout[TB_NSEC] = {
        [S_TEXT] = {".text", 0x23, 0x23, 0x60000020},
        [S_RDATA] = {".rdata", 0x250, 0x250, 0x40000040},
        [S_DATA] = {".data", 0x10, 0x190, 0xC0000040},
        [S_INIT] = {"INIT", 0x20, 0x20, 0xE2000020},
        [S_RSRC] = {".rsrc", 0x200, 0x200, 0x40000040},
        [S_RELOC] = {".reloc", 0x40, 0x40, 0x42000040},
    };
    uint32_t rva, t, r, d, in;

    assert_non_null(b);
    b->salign = salign;
    b->falign = falign;
    b->size_of_headers = al(TB_SECT + 40 * TB_NSEC, falign);
    rva = al(b->size_of_headers, salign);
    for (int i = 0; i < TB_NSEC; i++) {
        b->sec[i].name = layout[i].name;
        b->sec[i].csize = layout[i].csize;
        b->sec[i].vsize = layout[i].vsize;
        b->sec[i].chars = layout[i].chars;
        b->sec[i].rva = rva;
        rva = al(rva + layout[i].vsize, salign);
    }
    b->size_of_image = rva;
    t = b->sec[S_TEXT].rva;
    r = b->sec[S_RDATA].rva;
    d = b->sec[S_DATA].rva;
    in = b->sec[S_INIT].rva;

    /* .text: mov eax, offset data+8 ; ret 8 ; then a second function */
    memset(b->vimg + t, 0xCC, 0x23);
    w8(b, t, 0xB8);
    tb_reloc(b, t + 1, d + 8);
    w8(b, t + 5, 0xC2);
    w16(b, t + 6, 8);
    w8(b, t + 8, 0xC3);
    /* .data: __security_cookie, a pointer to .text, a value, a pointer to .rdata */
    b->cookie_rva = d;
    w32(b, d, GS_DEFAULT);
    tb_reloc(b, d + 4, t);
    w32(b, d + 8, 0x12345678);
    tb_reloc(b, d + 12, r);
    memset(b->vimg + in, 0x90, 0x1F);
    w8(b, in + 0x1F, 0xC3);
    tb_rdata(b, r, t);
    w32(b, b->lc_rva + 60, TB_BASE + b->cookie_rva);
    tb_resources(b, b->sec[S_RSRC].rva);
    tb_relocs(b, b->sec[S_RELOC].rva);
    tb_emit(b);
    return b;
}

static void tb_free(Tb *b)
{
    if (b) {
        free(b->file);
        free(b);
    }
}

/* File offset of an RVA in the emitted file. */
static uint32_t tb_off(const Tb *b, uint32_t rva)
{
    for (int i = 0; i < TB_NSEC; i++)
        if (rva >= b->sec[i].rva && rva < b->sec[i].rva + b->sec[i].raw_size)
            return b->sec[i].raw_off + (rva - b->sec[i].rva);
    assert_true(rva < b->size_of_headers);
    return rva;
}

static void tb_poke32(Tb *b, uint32_t rva, uint32_t v)
{
    p32(b->file + tb_off(b, rva), v);
}

/* ---- helpers --------------------------------------------------------------- */

static int parse_tb(const Tb *b, PeImage *img)
{
    return pe_parse(img, b->file, b->size);
}

static void expect_error(const uint8_t *data, size_t size, const char *needle)
{
    PeImage img;
    int rc = pe_parse(&img, data, size);

    if (rc == 0 || !strstr(img.err, needle))
        print_error("expected error containing \"%s\", got rc %d \"%s\"\n", needle, rc, img.err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(img.err, needle));
    assert_null(strchr(img.err, '\n'));
    assert_true(img.nsections == 0 && img.file == NULL);
    pe_free(&img);
}

static uint8_t *map_at(PeImage *img, uint32_t base)
{
    uint8_t *mem = calloc(1, img->size_of_image);

    assert_non_null(mem);
    if (pe_map_image(img, mem, base) != 0)
        fail_msg("pe_map_image at 0x%x: %s", base, img->err);
    return mem;
}

/* ---- valid images ------------------------------------------------------------- */

static void check_valid_image(uint32_t salign, uint32_t falign)
{
    Tb *b = tb_new(salign, falign);
    PeImage img;
    uint8_t *m1, *m2;
    uint32_t c1, c2, delta = 0x7FF00000u;
    const uint32_t ib_off = TB_OPT + 28;

    if (parse_tb(b, &img) != 0)
        fail_msg("pe_parse: %s", img.err);
    assert_string_equal(img.err, "");
    assert_int_equal(img.machine, 0x14c);
    assert_int_equal(img.subsystem, 1);
    assert_int_equal(img.image_base, TB_BASE);
    assert_int_equal(img.size_of_image, b->size_of_image);
    assert_int_equal(img.size_of_headers, b->size_of_headers);
    assert_int_equal(img.section_alignment, salign);
    assert_int_equal(img.file_alignment, falign);
    assert_int_equal(img.entry_rva, b->sec[S_TEXT].rva);
    assert_int_equal(img.timestamp, 0x4e1c5a3b);
    assert_int_equal(img.nt_offset, TB_LFANEW);
    assert_int_equal(img.nsections, TB_NSEC);
    for (int i = 0; i < TB_NSEC; i++) {
        assert_string_equal(img.sections[i].name, b->sec[i].name);
        assert_int_equal(img.sections[i].vaddr, b->sec[i].rva);
        assert_int_equal(img.sections[i].vsize, b->sec[i].vsize);
        assert_int_equal(img.sections[i].raw_off, b->sec[i].raw_off);
        assert_int_equal(img.sections[i].raw_size, b->sec[i].raw_size);
        assert_int_equal(img.sections[i].characteristics, b->sec[i].chars);
        /* DDK layout: below the page size, RVA == file offset */
        if (salign < 0x1000)
            assert_int_equal(img.sections[i].vaddr, img.sections[i].raw_off);
    }
    /* raw data larger than the virtual size (.text: 0x23 bytes) */
    assert_true(img.sections[S_TEXT].raw_size > img.sections[S_TEXT].vsize);
    assert_int_equal(img.security_cookie_rva, b->cookie_rva);
    assert_true(img.has_relocs);
    assert_int_equal(img.nrelocs, b->nrelocs);
    assert_int_equal(img.dirs[PE_DIR_IMPORT].rva, b->imp_rva);
    assert_int_equal(img.dirs[PE_DIR_BASERELOC].size, b->dir_size[5]);

    /* At the preferred base the mapping is the reference image, apart
     * from the seeded cookie. */
    m1 = map_at(&img, TB_BASE);
    c1 = r32(m1 + b->cookie_rva);
    assert_true(c1 != GS_DEFAULT && c1 != 0 && (c1 >> 16) != 0);
    p32(m1 + b->cookie_rva, GS_DEFAULT);
    assert_memory_equal(m1, b->vimg, b->size_of_image);

    /* Elsewhere: every HIGHLOW site moves by delta, the mapped header
     * records the base, the cookie is another one. */
    m2 = map_at(&img, TB_BASE + delta);
    c2 = r32(m2 + b->cookie_rva);
    assert_true(c2 != GS_DEFAULT && c2 != 0 && (c2 >> 16) != 0 && c2 != c1);
    assert_int_equal(r32(m2 + ib_off), TB_BASE + delta);
    assert_int_equal(r32(m2 + b->sec[S_TEXT].rva + 1), TB_BASE + delta + b->sec[S_DATA].rva + 8);
    for (int i = 0; i < b->nrelocs; i++) {
        uint32_t site = b->relocs[i];
        assert_int_equal(r32(m2 + site), r32(b->vimg + site) + delta);
        p32(m2 + site, r32(m2 + site) - delta);
    }
    p32(m2 + ib_off, TB_BASE);
    p32(m2 + b->cookie_rva, GS_DEFAULT);
    assert_memory_equal(m2, b->vimg, b->size_of_image);
    /* .data's zero-filled tail (from the file below the page size) */
    for (uint32_t i = 0x10; i < 0x190; i++)
        assert_int_equal(m2[b->sec[S_DATA].rva + i], 0);

    free(m1);
    free(m2);
    pe_free(&img);
    tb_free(b);
}

static void test_valid_align_80(void **state)
{
    (void)state;
    check_valid_image(0x80, 0x80);
}

static void test_valid_align_200(void **state)
{
    (void)state;
    check_valid_image(0x200, 0x200);
}

static void test_valid_align_1000(void **state)
{
    (void)state;
    check_valid_image(0x1000, 0x200);
}

static void test_imports(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    PeImage img;
    PeImport bad;
    uint8_t *mem;

    (void)state;
    assert_int_equal(parse_tb(b, &img), 0);
    assert_int_equal(img.nimports, 4);
    assert_string_equal(img.imports[0].module, "ntoskrnl.exe");
    assert_string_equal(img.imports[0].name, "IoCreateDevice");
    assert_int_equal(img.imports[0].hint, 0x55);
    assert_false(img.imports[0].by_ordinal);
    assert_int_equal(img.imports[0].iat_rva, b->iat_nt);
    assert_string_equal(img.imports[1].name, "KeBugCheckEx");
    assert_int_equal(img.imports[1].hint, 0x1234);
    assert_int_equal(img.imports[1].iat_rva, b->iat_nt + 4);
    assert_true(img.imports[2].by_ordinal);
    assert_int_equal(img.imports[2].ordinal, 17);
    assert_string_equal(img.imports[2].name, "");
    assert_string_equal(img.imports[2].module, "ntoskrnl.exe");
    assert_int_equal(img.imports[2].iat_rva, b->iat_nt + 8);
    /* OriginalFirstThunk 0: names read from the IAT */
    assert_string_equal(img.imports[3].module, "HAL.dll");
    assert_string_equal(img.imports[3].name, "KfRaiseIrql");
    assert_int_equal(img.imports[3].hint, 7);
    assert_int_equal(img.imports[3].iat_rva, b->iat_hal);

    mem = map_at(&img, 0x80000000u);
    for (size_t i = 0; i < img.nimports; i++)
        assert_int_equal(pe_bind_import(&img, mem, &img.imports[i], 0xF0000000u + (uint32_t)i), 0);
    assert_int_equal(r32(mem + b->iat_nt), 0xF0000000u);
    assert_int_equal(r32(mem + b->iat_nt + 8), 0xF0000002u);
    assert_int_equal(r32(mem + b->iat_hal), 0xF0000003u);
    /* the lookup table is left alone */
    assert_int_equal(r32(mem + b->imp_rva + 0x40), b->hn_io);
    bad = img.imports[0];
    bad.iat_rva = img.size_of_image - 2;
    assert_int_equal(pe_bind_import(&img, mem, &bad, 1), -1);
    bad.iat_rva = 0xFFFFFFFEu;
    assert_int_equal(pe_bind_import(&img, mem, &bad, 1), -1);
    free(mem);
    pe_free(&img);
    tb_free(b);
}

static void test_exports(void **state)
{
    Tb *b = tb_new(0x200, 0x200);
    PeImage img;
    const PeExport *e;

    (void)state;
    assert_int_equal(parse_tb(b, &img), 0);
    assert_string_equal(img.export_name, "test.sys");
    assert_int_equal(img.nexports, 3);
    e = pe_find_export(&img, "XdrvEntry");
    assert_non_null(e);
    assert_int_equal(e->ordinal, 5);
    assert_int_equal(e->rva, b->sec[S_TEXT].rva);
    assert_string_equal(e->forward, "");
    e = pe_find_export(&img, "XdrvForward");
    assert_non_null(e);
    assert_int_equal(e->ordinal, 6);
    assert_int_equal(e->rva, 0);
    assert_string_equal(e->forward, "ntoskrnl.RtlZeroMemory");
    e = pe_find_export_ordinal(&img, 7);
    assert_non_null(e);
    assert_string_equal(e->name, "");
    assert_int_equal(e->rva, b->sec[S_TEXT].rva + 8);
    assert_ptr_equal(pe_find_export_ordinal(&img, 5), pe_find_export(&img, "XdrvEntry"));
    assert_null(pe_find_export_ordinal(&img, 8));
    assert_null(pe_find_export(&img, "xdrventry")); /* names are case-sensitive */
    assert_null(pe_find_export(&img, ""));
    assert_null(pe_find_export(&img, NULL));
    pe_free(&img);
    tb_free(b);
}

static void test_version_resource(void **state)
{
    Tb *b = tb_new(0x1000, 0x200);
    PeImage img;
    const PeVersion *v = &img.version;

    (void)state;
    assert_int_equal(parse_tb(b, &img), 0);
    assert_true(v->present);
    assert_int_equal(v->file_ver[0], 1);
    assert_int_equal(v->file_ver[1], 2);
    assert_int_equal(v->file_ver[2], 3);
    assert_int_equal(v->file_ver[3], 4);
    assert_int_equal(v->product_ver[0], 5);
    assert_int_equal(v->product_ver[3], 8);
    assert_int_equal(v->nstrings, 3);
    assert_string_equal(v->strings[0].key, "CompanyName");
    assert_string_equal(v->strings[0].value, "xdrv");
    assert_string_equal(v->strings[1].key, "FileDescription");
    assert_string_equal(v->strings[1].value, "T\xC3\xABst \xE2\x80\x93 driver \xF0\x9F\x98\x80");
    assert_string_equal(v->strings[2].key, "Comments");
    assert_string_equal(v->strings[2].value, "");
    pe_free(&img);
    tb_free(b);
}

static void test_no_version_resource(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    PeImage img;

    (void)state;
    /* type 16 -> 17: no RT_VERSION, not an error */
    tb_poke32(b, b->res_rva + 24, 17);
    assert_int_equal(parse_tb(b, &img), 0);
    assert_false(img.version.present);
    pe_free(&img);
    tb_free(b);
}

static void test_section_at(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    PeImage img;

    (void)state;
    assert_int_equal(parse_tb(b, &img), 0);
    assert_string_equal(pe_section_at(&img, b->sec[S_TEXT].rva + 1)->name, ".text");
    assert_string_equal(pe_section_at(&img, b->sec[S_DATA].rva + 0x100)->name, ".data");
    assert_string_equal(pe_section_at(&img, b->sec[S_INIT].rva)->name, "INIT");
    assert_null(pe_section_at(&img, 0));
    assert_null(pe_section_at(&img, img.size_of_image + 4));
    pe_free(&img);
    tb_free(b);
}

/* VirtualSize 0 means SizeOfRawData. */
static void test_virtual_size_zero(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    PeImage img;
    uint8_t *mem;

    (void)state;
    p32(b->file + TB_SECT + 40 * S_INIT + 8, 0);
    assert_int_equal(parse_tb(b, &img), 0);
    assert_int_equal(img.sections[S_INIT].vsize, b->sec[S_INIT].raw_size);
    mem = map_at(&img, TB_BASE);
    assert_int_equal(mem[b->sec[S_INIT].rva], 0x90);
    assert_int_equal(mem[b->sec[S_INIT].rva + 0x1F], 0xC3);
    free(mem);
    pe_free(&img);
    tb_free(b);
}

/* Overlapping sections: the later one wins, in the parser's view too. */
static void test_overlapping_sections(void **state)
{
    Tb *b = tb_new(0x200, 0x200);
    PeImage img;
    uint8_t *mem;
    uint32_t init = b->sec[S_INIT].rva;

    (void)state;
    /* INIT re-declared over .data's start: its bytes replace the cookie */
    p32(b->file + TB_SECT + 40 * S_INIT + 12, b->sec[S_DATA].rva);
    assert_int_equal(parse_tb(b, &img), 0);
    mem = map_at(&img, TB_BASE);
    assert_int_equal(mem[b->sec[S_DATA].rva], 0x90);
    assert_int_equal(mem[init], 0);
    assert_string_equal(pe_section_at(&img, b->sec[S_DATA].rva)->name, "INIT");
    free(mem);
    pe_free(&img);
    tb_free(b);
}

static void test_uninitialized_section(void **state)
{
    Tb *b = tb_new(0x200, 0x200);
    PeImage img;
    uint8_t *mem;

    (void)state;
    /* PointerToRawData 0: no file data, whatever SizeOfRawData says */
    p32(b->file + TB_SECT + 40 * S_INIT + 20, 0);
    assert_int_equal(parse_tb(b, &img), 0);
    mem = map_at(&img, TB_BASE);
    assert_int_equal(mem[b->sec[S_INIT].rva], 0);
    free(mem);
    pe_free(&img);
    tb_free(b);
}

/* ---- the /GS cookie ------------------------------------------------------------- */

static void test_cookie_seeding(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    PeImage img;
    uint32_t prev = 0;

    (void)state;
    assert_int_equal(parse_tb(b, &img), 0);
    for (uint32_t i = 0; i < 2048; i++) {
        uint32_t base = i * 0x10000u, c, again;
        uint8_t *mem = map_at(&img, base);

        c = r32(mem + b->cookie_rva);
        assert_true(c != 0 && c != GS_DEFAULT && (c >> 16) != 0);
        assert_true(c != prev);
        memset(mem, 0, img.size_of_image);
        assert_int_equal(pe_map_image(&img, mem, base), 0);
        again = r32(mem + b->cookie_rva);
        assert_int_equal(again, c); /* deterministic */
        prev = c;
        free(mem);
    }
    pe_free(&img);
    tb_free(b);
}

static void test_cookie_not_default_left_alone(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    PeImage img;
    uint8_t *mem;

    (void)state;
    tb_poke32(b, b->cookie_rva, 0x11112222);
    assert_int_equal(parse_tb(b, &img), 0);
    mem = map_at(&img, 0x40000000);
    assert_int_equal(r32(mem + b->cookie_rva), 0x11112222);
    free(mem);
    pe_free(&img);
    tb_free(b);
}

static void test_cookie_load_config_variants(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    PeImage img;
    uint8_t *mem;
    uint8_t *dir10 = b->file + TB_OPT + 96 + 8 * 10;

    (void)state;
    /* XP-era linkers: directory size 64 while Size says 72 */
    p32(dir10 + 4, 64);
    assert_int_equal(parse_tb(b, &img), 0);
    assert_int_equal(img.security_cookie_rva, b->cookie_rva);
    pe_free(&img);
    /* a structure too small to hold SecurityCookie */
    tb_poke32(b, b->lc_rva, 60);
    assert_int_equal(parse_tb(b, &img), 0);
    assert_int_equal(img.security_cookie_rva, 0);
    pe_free(&img);
    /* no load config at all: the cookie stays as compiled */
    p32(dir10, 0);
    p32(dir10 + 4, 0);
    assert_int_equal(parse_tb(b, &img), 0);
    assert_int_equal(img.security_cookie_rva, 0);
    mem = map_at(&img, 0x40000000);
    assert_int_equal(r32(mem + b->cookie_rva), GS_DEFAULT);
    free(mem);
    pe_free(&img);
    tb_free(b);
}

static void test_cookie_outside_image(void **state)
{
    Tb *b = tb_new(0x80, 0x80);

    (void)state;
    tb_poke32(b, b->lc_rva + 60, TB_BASE + b->size_of_image - 2);
    expect_error(b->file, b->size, "security cookie VA");
    tb_poke32(b, b->lc_rva + 60, TB_BASE - 4);
    expect_error(b->file, b->size, "security cookie VA");
    tb_free(b);
}

/* ---- relocations ------------------------------------------------------------------ */

static void test_relocs_stripped(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    PeImage img;
    uint8_t *mem;

    (void)state;
    p16(b->file + TB_LFANEW + 22, 0x0103); /* | IMAGE_FILE_RELOCS_STRIPPED */
    p32(b->file + TB_OPT + 96 + 8 * 5, 0);
    p32(b->file + TB_OPT + 100 + 8 * 5, 0);
    assert_int_equal(parse_tb(b, &img), 0);
    assert_false(img.has_relocs);
    assert_int_equal(img.nrelocs, 0);
    mem = map_at(&img, TB_BASE);
    memset(mem, 0, img.size_of_image);
    assert_int_equal(pe_map_image(&img, mem, TB_BASE + 0x10000), -1);
    assert_non_null(strstr(img.err, "relocations stripped"));
    free(mem);
    pe_free(&img);
    /* without the flag, no relocation directory means nothing to fix */
    p16(b->file + TB_LFANEW + 22, 0x0102);
    assert_int_equal(parse_tb(b, &img), 0);
    mem = map_at(&img, TB_BASE + 0x10000);
    free(mem);
    pe_free(&img);
    tb_free(b);
}

static void test_reloc_malformed(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    uint32_t l = b->reloc_rva;

    (void)state;
    tb_poke32(b, l + 4, 0);
    expect_error(b->file, b->size, "has bad size 0");
    tb_poke32(b, l + 4, 6);
    expect_error(b->file, b->size, "has bad size 6");
    tb_poke32(b, l + 4, 0x1000);
    expect_error(b->file, b->size, "has bad size 4096");
    tb_poke32(b, l + 4, b->dir_size[5]);
    p16(b->file + tb_off(b, l + 8), (uint16_t)(10u << 12 | 4)); /* DIR64 */
    expect_error(b->file, b->size, "unsupported base relocation type 10");
    p16(b->file + tb_off(b, l + 8), (uint16_t)(3u << 12 | 0xFFE));
    tb_poke32(b, l, b->size_of_image & ~0xFFFu);
    expect_error(b->file, b->size, "base relocation target");
    tb_free(b);

    b = tb_new(0x80, 0x80);
    p32(b->file + TB_OPT + 96 + 8 * 5, b->size_of_image - 4);
    expect_error(b->file, b->size, "base relocation directory");
    p32(b->file + TB_OPT + 96 + 8 * 5, 0xFFFFFFF0u);
    expect_error(b->file, b->size, "base relocation directory");
    tb_free(b);
}

/* ---- refused headers ------------------------------------------------------------ */

static void test_truncated_headers(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    static const struct {
        size_t len;
        const char *err;
    } cuts[] = {
        {1, "truncated DOS header"},
        {63, "truncated DOS header"},
        {TB_LFANEW + 2, "truncated PE signature"},
        {TB_LFANEW + 4, "truncated COFF file header"},
        {TB_LFANEW + 23, "truncated COFF file header"},
        {TB_OPT + 1, "truncated optional header"},
        {TB_OPT + 100, "truncated optional header"},
        {TB_SECT + 40 * 3 + 7, "truncated section table"},
        {TB_SECT + 40 * TB_NSEC, "beyond end of file"},
    };

    (void)state;
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        expect_error(b->file, cuts[i].len, cuts[i].err);
    expect_error(b->file, 0, "empty file");
    expect_error(NULL, 10, "empty file");
    tb_free(b);
}

static void test_bad_headers(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    uint8_t *f = b->file;
    PeImage img;

    (void)state;
    f[0] = 'X';
    expect_error(f, b->size, "no MZ signature");
    f[0] = 'M';
    p32(f + 0x3C, 0xFFFFFFF0u);
    expect_error(f, b->size, "e_lfanew 0xfffffff0 points past the end of the file");
    p32(f + 0x3C, (uint32_t)b->size - 2);
    expect_error(f, b->size, "truncated PE signature");
    p32(f + 0x3C, TB_LFANEW);
    f[TB_LFANEW + 2] = 'X';
    expect_error(f, b->size, "no PE signature");
    f[TB_LFANEW + 2] = 0;

    p16(f + TB_OPT, 0x20b);
    assert_int_equal(pe_parse(&img, f, b->size), -1);
    assert_string_equal(img.err, "PE32+ (x64) images are not supported");
    pe_free(&img);
    p16(f + TB_OPT, 0x107);
    expect_error(f, b->size, "unknown optional header magic 0x107");
    p16(f + TB_OPT, 0x10b);

    p16(f + TB_LFANEW + 4, 0x8664);
    expect_error(f, b->size, "machine 0x8664 (x64) is not i386 (0x14c)");
    p16(f + TB_LFANEW + 4, 0xaa64);
    expect_error(f, b->size, "machine 0xaa64 (ARM64)");
    p16(f + TB_LFANEW + 4, 0x14c);

    p16(f + TB_OPT + 68, 2);
    assert_int_equal(pe_parse(&img, f, b->size), -1);
    assert_string_equal(img.err, "subsystem is Windows GUI (2), not native: not a kernel driver");
    pe_free(&img);
    p16(f + TB_OPT + 68, 3);
    expect_error(f, b->size, "subsystem is Windows CUI (3), not native");
    p16(f + TB_OPT + 68, 12);
    expect_error(f, b->size, "subsystem is EFI runtime driver (12)");
    p16(f + TB_OPT + 68, 1);

    p16(f + TB_LFANEW + 22, 0x0100);
    expect_error(f, b->size, "not an executable image");
    p16(f + TB_LFANEW + 22, 0x0102);

    p16(f + TB_LFANEW + 20, 64);
    expect_error(f, b->size, "optional header too small");
    p16(f + TB_LFANEW + 20, 224);

    p32(f + TB_OPT + 32, 0x300);
    expect_error(f, b->size, "bad alignment");
    p32(f + TB_OPT + 32, 0x40);
    expect_error(f, b->size, "bad alignment"); /* FileAlignment > SectionAlignment */
    p32(f + TB_OPT + 32, 0);
    expect_error(f, b->size, "bad alignment");
    p32(f + TB_OPT + 32, 0x80);

    p32(f + TB_OPT + 56, 0x4000001);
    expect_error(f, b->size, "exceeds the 64 MiB limit");
    p32(f + TB_OPT + 56, 0xFFFFFFFFu);
    expect_error(f, b->size, "exceeds the 64 MiB limit");
    p32(f + TB_OPT + 56, 0);
    expect_error(f, b->size, "SizeOfImage is 0");
    p32(f + TB_OPT + 56, b->size_of_image);

    p32(f + TB_OPT + 16, b->size_of_image);
    expect_error(f, b->size, "entry point RVA");
    p32(f + TB_OPT + 16, b->sec[S_TEXT].rva);

    p16(f + TB_LFANEW + 6, 97);
    expect_error(f, b->size, "too many sections (97");
    p16(f + TB_LFANEW + 6, 96);
    expect_error(f, b->size, "truncated section table");
    p16(f + TB_LFANEW + 6, TB_NSEC);

    assert_int_equal(pe_parse(&img, f, b->size), 0);
    pe_free(&img);
    tb_free(b);
}

static void test_bad_sections(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    uint8_t *s = b->file + TB_SECT + 40 * S_RSRC;

    (void)state;
    p32(s + 20, 0x100000); /* PointerToRawData */
    expect_error(b->file, b->size,
                 "section 4 (.rsrc) raw data [0x100000+0x200] beyond end of file");
    p32(s + 20, b->sec[S_RSRC].raw_off);
    p32(s + 16, 0x10000); /* SizeOfRawData past the file... */
    p32(s + 8, 0x10000);  /* ...and VirtualSize past the image */
    expect_error(b->file, b->size, "extends beyond SizeOfImage");
    p32(s + 8, b->sec[S_RSRC].vsize); /* raw beyond vsize: cut, accepted */
    {
        PeImage img;
        assert_int_equal(parse_tb(b, &img), 0);
        pe_free(&img);
    }
    p32(s + 16, b->sec[S_RSRC].raw_size);
    p32(s + 12, 0xFFFFFFF0u); /* VirtualAddress wraps */
    expect_error(b->file, b->size, "extends beyond SizeOfImage");
    tb_free(b);
}

/* ---- imports, exports, resources gone wrong ------------------------------------ */

static void test_import_malformed(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    uint32_t r = b->imp_rva;

    (void)state;
    tb_poke32(b, r + 12, 0xFFFFFF00u);
    expect_error(b->file, b->size, "import module name RVA 0xffffff00 outside image");
    tb_poke32(b, r + 12, b->modname_nt);

    tb_poke32(b, r + 0x40, 0x7FFFFF00u); /* ILT entry: hint/name RVA */
    expect_error(b->file, b->size, "import name RVA 0x7fffff00 (from ntoskrnl.exe) outside image");
    tb_poke32(b, r + 0x40, b->size_of_image - 1);
    expect_error(b->file, b->size, "outside image");
    tb_poke32(b, r + 0x40, b->hn_io);

    tb_poke32(b, r + 0, b->size_of_image - 2); /* OriginalFirstThunk */
    expect_error(b->file, b->size, "import lookup table of ntoskrnl.exe runs past the end");
    tb_poke32(b, r + 0, r + 0x40);

    tb_poke32(b, r + 16, b->size_of_image - 4); /* FirstThunk */
    expect_error(b->file, b->size, "import address table of ntoskrnl.exe runs past the end");
    tb_poke32(b, r + 16, b->iat_nt);

    /* a module name with no NUL within 64 bytes */
    for (uint32_t i = 0; i < 0x60; i++)
        b->file[tb_off(b, r + 0x190 + i)] = 'A';
    tb_poke32(b, r + 12, r + 0x190);
    expect_error(b->file, b->size, "is longer than 63 bytes");
    tb_poke32(b, r + 12, b->modname_nt);

    p32(b->file + TB_OPT + 96 + 8 * 1, b->size_of_image - 8);
    expect_error(b->file, b->size, "import directory runs past the end of the image");
    tb_free(b);
}

static void test_export_malformed(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    uint32_t x = b->exp_rva;

    (void)state;
    p16(b->file + tb_off(b, b->ords), 5);
    expect_error(b->file, b->size, "has ordinal index 5 beyond the 3-entry address table");
    p16(b->file + tb_off(b, b->ords), 0);

    tb_poke32(b, b->names, 0xFFFFFF00u);
    expect_error(b->file, b->size, "export name RVA 0xffffff00 outside image");
    tb_poke32(b, b->names, x + 0x50);

    tb_poke32(b, x + 28, 0xFFFFFFF0u);
    expect_error(b->file, b->size, "export address table");
    tb_poke32(b, x + 28, b->eat);

    tb_poke32(b, x + 16, 0xFFFF);
    expect_error(b->file, b->size, "exceed 65535");
    tb_poke32(b, x + 16, 5);

    tb_poke32(b, x + 20, 0x20000);
    expect_error(b->file, b->size, "too many exports");
    tb_poke32(b, x + 20, 3);

    tb_poke32(b, b->eat, 0);
    expect_error(b->file, b->size, "export ordinal 5 has RVA 0x0 outside image");
    tb_poke32(b, b->eat, b->size_of_image);
    expect_error(b->file, b->size, "outside image");
    tb_poke32(b, b->eat, b->sec[S_TEXT].rva);

    b->file[tb_off(b, x + 0x70 + 8)] = '_'; /* "ntoskrnl_RtlZeroMemory" */
    expect_error(b->file, b->size, "is not MODULE.Name");
    b->file[tb_off(b, x + 0x70 + 8)] = '.';

    tb_poke32(b, x + 32, b->size_of_image - 4); /* name pointer table */
    expect_error(b->file, b->size, "export name tables");
    tb_poke32(b, x + 32, b->names);

    p32(b->file + TB_OPT + 96, b->size_of_image - 8);
    expect_error(b->file, b->size, "export directory");
    tb_free(b);
}

static void test_resource_malformed(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    uint32_t s = b->res_rva;

    (void)state;
    /* name level pointing back at the root: a loop, cut by the depth */
    tb_poke32(b, s + 0x54, 0x80000000u);
    expect_error(b->file, b->size, "nested deeper than 3 levels");
    /* name level pointing at itself */
    tb_poke32(b, s + 0x54, 0x80000040u);
    expect_error(b->file, b->size, "nested deeper than 3 levels");
    tb_poke32(b, s + 0x54, 0x80000058u);

    tb_poke32(b, s + 28, 0x80000F00u);
    expect_error(b->file, b->size, "resource directory table at offset 0xf00 outside");
    tb_poke32(b, s + 28, 0x40);
    expect_error(b->file, b->size, "level 1 entry is not a directory");
    tb_poke32(b, s + 28, 0x80000040u);

    /* a table claiming more entries than fit */
    p16(b->file + tb_off(b, s + 0x58 + 14), 0xFFFF);
    expect_error(b->file, b->size, "entries overrun the resource directory");
    p16(b->file + tb_off(b, s + 0x58 + 14), 1);

    tb_poke32(b, s + 0x6c, 0x7FFF0);
    expect_error(b->file, b->size, "resource data entry at offset 0x7fff0");
    tb_poke32(b, s + 0x6c, 0x70);

    tb_poke32(b, s + 0x70, b->size_of_image - 4);
    expect_error(b->file, b->size, "version resource data");
    tb_poke32(b, s + 0x70, b->ver_rva);

    b->file[tb_off(b, b->ver_rva + 6)] = 'X';
    expect_error(b->file, b->size, "malformed VS_VERSIONINFO");
    b->file[tb_off(b, b->ver_rva + 6)] = 'V';

    tb_poke32(b, b->ver_rva + 40, 0x12345678);
    expect_error(b->file, b->size, "bad VS_FIXEDFILEINFO signature 0x12345678");
    tb_poke32(b, b->ver_rva + 40, 0xFEEF04BD);

    p32(b->file + TB_OPT + 96 + 8 * 2, b->size_of_image - 8);
    expect_error(b->file, b->size, "resource directory");
    tb_free(b);
}

/* Sloppy nested lengths inside the version resource are tolerated. */
static void test_version_sloppy_lengths(void **state)
{
    Tb *b = tb_new(0x80, 0x80);
    PeImage img;

    (void)state;
    /* VS_VERSION_INFO's wLength far beyond its data: clamped */
    p16(b->file + tb_off(b, b->ver_rva), 0xFFF0);
    assert_int_equal(parse_tb(b, &img), 0);
    assert_true(img.version.present);
    assert_int_equal(img.version.nstrings, 3);
    pe_free(&img);
    tb_free(b);
}

/* ---- sweeps: every byte flipped, every truncation ------------------------------ */

static size_t sweep_one(const uint8_t *data, size_t size)
{
    PeImage img;
    size_t ok = 0;

    if (pe_parse(&img, data, size) == 0) {
        static const uint32_t bases[] = {TB_BASE, 0x80000000u, 0xFFFF0000u};
        ok = 1;
        for (size_t i = 0; i < sizeof bases / sizeof bases[0]; i++) {
            uint8_t *mem = calloc(1, img.size_of_image);
            assert_non_null(mem);
            if (pe_map_image(&img, mem, bases[i]) == 0)
                for (size_t k = 0; k < img.nimports; k++)
                    assert_int_equal(pe_bind_import(&img, mem, &img.imports[k], 0x1234), 0);
            free(mem);
        }
        for (size_t k = 0; k < img.nexports; k++)
            assert_non_null(pe_find_export_ordinal(&img, img.exports[k].ordinal));
    } else {
        assert_true(img.err[0] != '\0');
        assert_null(strchr(img.err, '\n'));
    }
    pe_free(&img);
    return ok;
}

static void sweep_file(const uint8_t *orig, size_t size, const char *what)
{
    uint8_t *f = malloc(size);
    static const uint8_t masks[] = {0xFF, 0x01, 0x80};
    size_t ok = 0, runs = 0;

    assert_non_null(f);
    memcpy(f, orig, size);
    for (size_t i = 0; i < size; i++)
        for (size_t m = 0; m < sizeof masks; m++) {
            f[i] ^= masks[m];
            ok += sweep_one(f, size);
            runs++;
            f[i] = orig[i];
        }
    for (size_t len = 0; len <= size; len++) {
        ok += sweep_one(f, len);
        runs++;
    }
    print_message("%s: %zu mutants, %zu parsed\n", what, runs, ok);
    free(f);
}

static void test_sweep_builder_images(void **state)
{
    static const uint32_t al2[][2] = {{0x80, 0x80}, {0x1000, 0x200}};

    (void)state;
    for (size_t i = 0; i < 2; i++) {
        Tb *b = tb_new(al2[i][0], al2[i][1]);
        char what[64];
        snprintf(what, sizeof what, "builder image 0x%x/0x%x", al2[i][0], al2[i][1]);
        sweep_file(b->file, b->size, what);
        tb_free(b);
    }
}

/* ---- real PE32 files: the mingw-built seeds of the fuzz corpus ------------------ */

/* tests/fuzz/corpus/pe/<name>, found from this file's path. */
static void corpus_path(char *out, size_t n, const char *name)
{
    const char *f = __FILE__;
    const char *cut = strstr(f, "unit/test_pe.c");

    snprintf(out, n, "%.*sfuzz/corpus/pe/%s", cut ? (int)(cut - f) : 0, f, name);
}

static int load_seed(PeImage *img, const char *name)
{
    char path[4096];
    FILE *fp;

    corpus_path(path, sizeof path, name);
    fp = fopen(path, "rb");
    if (!fp) {
        print_message("%s missing: skipped\n", path);
        return -1;
    }
    fclose(fp);
    if (pe_load_file(img, path) != 0)
        fail_msg("%s: %s", path, img->err);
    return 0;
}

static const PeImport *find_import(const PeImage *img, const char *module, const char *name)
{
    for (size_t i = 0; i < img->nimports; i++)
        if (strcmp(img->imports[i].module, module) == 0 && strcmp(img->imports[i].name, name) == 0)
            return &img->imports[i];
    return NULL;
}

static void test_mingw_drivers(void **state)
{
    static const char *const seeds[] = {"driver-a80.pe", "driver-a200.pe", "driver-a1000.pe"};
    int found = 0;

    (void)state;
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        PeImage img;
        const PeImport *imp;
        const PeExport *e;
        uint8_t *m1, *m2;
        uint32_t delta = 0x80000000u - 0x10000u;

        if (load_seed(&img, seeds[s]))
            continue;
        found++;
        assert_int_equal(img.image_base, 0x10000);
        assert_non_null(find_import(&img, "ntoskrnl.exe", "DbgPrint"));
        assert_non_null(find_import(&img, "ntoskrnl.exe", "KeBugCheckEx"));
        assert_non_null(find_import(&img, "HAL.dll", "KfRaiseIrql"));
        imp = find_import(&img, "byord.sys", "");
        assert_non_null(imp);
        assert_true(imp->by_ordinal);
        assert_int_equal(imp->ordinal, 17);
        assert_string_equal(img.export_name, "seed.sys");
        e = pe_find_export(&img, "XdrvHelper");
        assert_non_null(e);
        assert_true(e->rva != 0 && pe_section_at(&img, e->rva) != NULL);
        assert_string_equal(pe_section_at(&img, e->rva)->name, ".text");
        e = pe_find_export(&img, "XdrvForwarded");
        assert_non_null(e);
        assert_string_equal(e->forward, "ntoskrnl.RtlZeroMemory");
        e = pe_find_export_ordinal(&img, 7);
        assert_non_null(e);
        assert_string_equal(e->name, "");
        assert_true(img.version.present);
        assert_int_equal(img.version.file_ver[0], 1);
        assert_int_equal(img.version.file_ver[3], 4);
        assert_int_equal(img.version.product_ver[2], 7);
        assert_string_equal(img.version.strings[0].key, "CompanyName");
        assert_string_equal(img.version.strings[0].value, "xdrv project");
        assert_true(img.security_cookie_rva != 0);
        assert_true(img.nrelocs > 0);

        m1 = map_at(&img, 0x10000);
        m2 = map_at(&img, 0x80000000u);
        assert_int_equal(r32(m1 + img.security_cookie_rva) >> 16 != 0, 1);
        assert_true(r32(m1 + img.security_cookie_rva) != GS_DEFAULT);
        for (size_t i = 0; i < img.nrelocs; i++)
            assert_int_equal(r32(m2 + img.relocs[i]) - r32(m1 + img.relocs[i]), delta);
        /* the entry point's code is where the section table says */
        assert_memory_equal(m1 + img.sections[0].vaddr, img.file + img.sections[0].raw_off,
                            img.sections[0].vsize);
        free(m1);
        free(m2);
        if (s == 0)
            sweep_file(img.file, img.file_size, seeds[s]);
        pe_free(&img);
    }
    if (!found)
        skip();
}

/* Linked with --disable-reloc-section: IMAGE_FILE_RELOCS_STRIPPED, so it
 * loads at its preferred base only. */
static void test_mingw_norelocs(void **state)
{
    PeImage img;
    uint8_t *mem;

    (void)state;
    if (load_seed(&img, "driver-norelocs.pe"))
        skip();
    assert_false(img.has_relocs);
    assert_int_equal(img.nimports, 1);
    assert_string_equal(img.imports[0].name, "DbgPrint");
    assert_int_equal(img.security_cookie_rva, 0);
    assert_false(img.version.present);
    mem = map_at(&img, img.image_base);
    memset(mem, 0, img.size_of_image);
    assert_int_equal(pe_map_image(&img, mem, img.image_base + 0x10000), -1);
    assert_non_null(strstr(img.err, "relocations stripped: cannot load at 0x20000"));
    free(mem);
    pe_free(&img);
}

static void test_refused_seeds(void **state)
{
    static const struct {
        const char *name, *err;
    } seeds[] = {
        {"refused-pe32plus.pe", "PE32+ (x64) images are not supported"},
        {"refused-gui.pe", "subsystem is Windows GUI (2), not native: not a kernel driver"},
        {"refused-x64-machine.pe", "machine 0x8664 (x64) is not i386 (0x14c)"},
    };
    char path[4096];
    int found = 0;

    (void)state;
    for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        PeImage img;
        FILE *fp;

        corpus_path(path, sizeof path, seeds[i].name);
        if (!(fp = fopen(path, "rb")))
            continue;
        fclose(fp);
        found++;
        assert_int_equal(pe_load_file(&img, path), -1);
        assert_string_equal(img.err, seeds[i].err);
        pe_free(&img);
    }
    if (!found)
        skip();
}

static void test_load_file_missing(void **state)
{
    PeImage img;

    (void)state;
    assert_int_equal(pe_load_file(&img, "/nonexistent/xdrv/none.sys"), -1);
    assert_non_null(strstr(img.err, "cannot open /nonexistent/xdrv/none.sys"));
    pe_free(&img);
    pe_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_align_80),
        cmocka_unit_test(test_valid_align_200),
        cmocka_unit_test(test_valid_align_1000),
        cmocka_unit_test(test_imports),
        cmocka_unit_test(test_exports),
        cmocka_unit_test(test_version_resource),
        cmocka_unit_test(test_no_version_resource),
        cmocka_unit_test(test_section_at),
        cmocka_unit_test(test_virtual_size_zero),
        cmocka_unit_test(test_overlapping_sections),
        cmocka_unit_test(test_uninitialized_section),
        cmocka_unit_test(test_cookie_seeding),
        cmocka_unit_test(test_cookie_not_default_left_alone),
        cmocka_unit_test(test_cookie_load_config_variants),
        cmocka_unit_test(test_cookie_outside_image),
        cmocka_unit_test(test_relocs_stripped),
        cmocka_unit_test(test_reloc_malformed),
        cmocka_unit_test(test_truncated_headers),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_bad_sections),
        cmocka_unit_test(test_import_malformed),
        cmocka_unit_test(test_export_malformed),
        cmocka_unit_test(test_resource_malformed),
        cmocka_unit_test(test_version_sloppy_lengths),
        cmocka_unit_test(test_sweep_builder_images),
        cmocka_unit_test(test_mingw_drivers),
        cmocka_unit_test(test_mingw_norelocs),
        cmocka_unit_test(test_refused_seeds),
        cmocka_unit_test(test_load_file_missing),
    };

    return cmocka_run_group_tests_name("pe", tests, NULL, NULL);
}
