/* Trace files (.xtr): the writer, the reader and the module table.
 * docs/formats/trace.md describes every byte; the comments here say why
 * the code does what the format asks. */
#include "trace/xtr.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* 0x89 catches 7-bit transfers, CR LF catches newline conversion and ^Z
 * stops a DOS `type` (the PNG signature's reasoning). */
static const uint8_t xtr_magic[8] = {0x89, 'X', 'T', 'R', '\r', '\n', 0x1a, '\n'};
#define XTR_HEAD_FIXED 10u /* magic, then the version as u16 little-endian */

/* A string field starts with a varint: a literal, a definition (a literal
 * that also gets the next string number), or a reference to number n-2. */
#define STR_LITERAL 0u
#define STR_DEFINE 1u
#define STR_REF0 2u

/* The writer interns short strings only, and only up to these totals: a
 * long run's unique argument texts must not grow the writer without bound. */
#define INTERN_LEN_MAX 256u
#define INTERN_BYTES_MAX (32u << 20)

#define WBUF_SIZE (64u << 10)

/* The fields each kind uses (events.def). Part of the format: a record's
 * presence mask is stored XORed with these plus vtime and pc, so a typical
 * record spends one byte on it. Append entries for new kinds;
 * changing an existing entry changes the format (bump XTR_VERSION). */
static const unsigned kind_fields[TRACE_KIND_COUNT] = {
    [TRACE_API_CALL] = XTR_F_NAME | XTR_F_TEXT,
    [TRACE_API_RETURN] = XTR_F_NAME | XTR_F_VALUE,
    [TRACE_GUEST_CALL] = XTR_F_NAME | XTR_F_ADDR | XTR_F_TEXT,
    [TRACE_GUEST_RETURN] = XTR_F_NAME | XTR_F_VALUE,
    [TRACE_PORT_READ] = XTR_F_ADDR | XTR_F_SIZE | XTR_F_VALUE | XTR_F_REG,
    [TRACE_PORT_WRITE] = XTR_F_ADDR | XTR_F_SIZE | XTR_F_VALUE | XTR_F_REG,
    [TRACE_MMIO_READ] = XTR_F_ADDR | XTR_F_SIZE | XTR_F_VALUE | XTR_F_REG,
    [TRACE_MMIO_WRITE] = XTR_F_ADDR | XTR_F_SIZE | XTR_F_VALUE | XTR_F_REG,
    [TRACE_INTERRUPT] = XTR_F_VALUE,
    [TRACE_FRAME_IN] = XTR_F_NAME | XTR_F_SIZE | XTR_F_DATA,
    [TRACE_FRAME_OUT] = XTR_F_NAME | XTR_F_SIZE | XTR_F_DATA,
    [TRACE_DEBUG_PRINT] = XTR_F_TEXT,
    [TRACE_FIXME] = XTR_F_NAME | XTR_F_TEXT,
    [TRACE_FAULT] = XTR_F_NAME | XTR_F_ADDR | XTR_F_TEXT,
    [TRACE_NOTE] = XTR_F_NAME | XTR_F_TEXT,
    [TRACE_CONFIG_READ] = XTR_F_NAME | XTR_F_ADDR | XTR_F_SIZE | XTR_F_VALUE | XTR_F_REG,
    [TRACE_CONFIG_WRITE] = XTR_F_NAME | XTR_F_ADDR | XTR_F_SIZE | XTR_F_VALUE | XTR_F_REG,
    [TRACE_DMA_READ] = XTR_F_ADDR | XTR_F_SIZE | XTR_F_DATA,
    [TRACE_DMA_WRITE] = XTR_F_ADDR | XTR_F_SIZE | XTR_F_DATA,
    [TRACE_MEM_STORE] = XTR_F_ADDR | XTR_F_SIZE | XTR_F_VALUE,
    [TRACE_MEM_REGION] = XTR_F_NAME | XTR_F_ADDR | XTR_F_SIZE | XTR_F_VALUE,
    [TRACE_IRQ_RAISE] = XTR_F_VALUE,
    [TRACE_IRQ_LOWER] = XTR_F_VALUE,
    [TRACE_REQUEST_BEGIN] = XTR_F_NAME | XTR_F_VALUE | XTR_F_TEXT,
    [TRACE_REQUEST_END] = XTR_F_NAME | XTR_F_VALUE | XTR_F_TEXT,
    /* the recorder also gives the image's path (text) and the number of
     * blocks (size): src/exercise/exercise.c */
    [TRACE_MODULE] = XTR_F_NAME | XTR_F_ADDR | XTR_F_SIZE | XTR_F_TEXT,
    [TRACE_BLOCKS] = XTR_F_NAME | XTR_F_SIZE | XTR_F_DATA,
    [TRACE_END] = XTR_F_TEXT,
    [TRACE_MEM_LOAD] = XTR_F_ADDR | XTR_F_SIZE | XTR_F_VALUE,
};

unsigned xtr_kind_fields(TraceKind k)
{
    return (unsigned)k < TRACE_KIND_COUNT ? kind_fields[k] : 0;
}

/* vtime and depth are stored when they change, the other fields when they
 * are set: the usual record has a new vtime and a pc, and its kind's fields */
static unsigned xtr_usual_mask(TraceKind k)
{
    return XTR_F_VTIME | XTR_F_PC | kind_fields[k];
}

static int xtr_str_equal(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

int xtr_event_equal(const TraceEvent *a, const TraceEvent *b)
{
    uint32_t la = a->data ? a->len : 0, lb = b->data ? b->len : 0;
    return a->kind == b->kind && a->seq == b->seq && a->vtime == b->vtime && a->depth == b->depth &&
           a->pc == b->pc && a->addr == b->addr && a->size == b->size && a->value == b->value &&
           xtr_str_equal(a->name, b->name) && xtr_str_equal(a->text, b->text) &&
           xtr_str_equal(a->reg, b->reg) && la == lb && (!la || memcmp(a->data, b->data, la) == 0);
}

/* Zigzag maps small negative deltas to small unsigned numbers; done on
 * unsigned types so that no conversion is implementation-defined. */
static uint64_t xtr_zigzag64(uint64_t d)
{
    return (d << 1) ^ (0 - (d >> 63));
}

static uint64_t xtr_unzigzag64(uint64_t z)
{
    return (z >> 1) ^ (0 - (z & 1));
}

static uint32_t xtr_zigzag32(uint32_t d)
{
    return (d << 1) ^ (0u - (d >> 31));
}

static uint32_t xtr_unzigzag32(uint32_t z)
{
    return (z >> 1) ^ (0u - (z & 1));
}

static size_t xtr_varint_put(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/* ------------------------------------------------------------- writer */

struct XtrWriter {
    FILE *f;
    uint8_t *buf;
    size_t used;
    int failed;
    uint64_t count;
    /* the previous record's vtime and depth; the last pc and addr written */
    uint64_t vtime;
    uint32_t depth, pc, addr;
    /* interned strings: number -> copy, and an open-addressing index */
    char **strs;
    uint32_t *hashes;
    uint32_t nstr, capstr;
    uint32_t *slots; /* string number + 1, 0 = empty */
    uint32_t nslots;
    size_t strbytes;
};

static void writer_drain(XtrWriter *w)
{
    if (w->used && !w->failed && fwrite(w->buf, 1, w->used, w->f) != w->used)
        w->failed = 1;
    w->used = 0;
}

static void writer_put(XtrWriter *w, const void *p, size_t n)
{
    if (w->failed)
        return;
    if (n > WBUF_SIZE - w->used) {
        writer_drain(w);
        if (n > WBUF_SIZE) {
            if (!w->failed && fwrite(p, 1, n, w->f) != n)
                w->failed = 1;
            return;
        }
    }
    memcpy(w->buf + w->used, p, n);
    w->used += n;
}

static void writer_put_varint(XtrWriter *w, uint64_t v)
{
    uint8_t b[10];
    writer_put(w, b, xtr_varint_put(b, v));
}

/* FNV-1a, 32 bits */
static uint32_t writer_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (uint8_t)s[i];
        h *= 16777619u;
    }
    return h;
}

static int writer_find_string(const XtrWriter *w, const char *s, size_t n, uint32_t h)
{
    if (!w->nslots)
        return -1;
    for (uint32_t i = h & (w->nslots - 1);; i = (i + 1) & (w->nslots - 1)) {
        uint32_t id = w->slots[i];
        if (!id)
            return -1;
        id--;
        if (w->hashes[id] == h && !strncmp(w->strs[id], s, n) && w->strs[id][n] == '\0')
            return (int)id;
    }
}

static void writer_index_string(XtrWriter *w, uint32_t id)
{
    uint32_t i = w->hashes[id] & (w->nslots - 1);
    while (w->slots[i])
        i = (i + 1) & (w->nslots - 1);
    w->slots[i] = id + 1;
}

/* Gives `s` the next string number. Returns 0, or -1 when it cannot (the
 * string is then written as a literal: the file stays correct). */
static int writer_intern_string(XtrWriter *w, const char *s, size_t n, uint32_t h)
{
    if (w->nstr >= XTR_STRINGS_MAX || w->strbytes + n + 1 > INTERN_BYTES_MAX)
        return -1;
    if (w->nstr == w->capstr) {
        uint32_t cap = w->capstr ? 2 * w->capstr : 256;
        char **strs = realloc(w->strs, cap * sizeof *strs);
        if (!strs)
            return -1;
        w->strs = strs;
        uint32_t *hashes = realloc(w->hashes, cap * sizeof *hashes);
        if (!hashes)
            return -1;
        w->hashes = hashes;
        w->capstr = cap;
    }
    if (2 * (w->nstr + 1) > w->nslots) {
        uint32_t nslots = w->nslots ? 2 * w->nslots : 512;
        uint32_t *slots = calloc(nslots, sizeof *slots);
        if (!slots)
            return -1;
        free(w->slots);
        w->slots = slots;
        w->nslots = nslots;
        for (uint32_t id = 0; id < w->nstr; id++)
            writer_index_string(w, id);
    }
    char *copy = malloc(n + 1);
    if (!copy)
        return -1;
    memcpy(copy, s, n);
    copy[n] = '\0';
    w->strs[w->nstr] = copy;
    w->hashes[w->nstr] = h;
    writer_index_string(w, w->nstr);
    w->nstr++;
    w->strbytes += n + 1;
    return 0;
}

static void writer_put_string(XtrWriter *w, const char *s)
{
    size_t n = strnlen(s, XTR_STR_MAX); /* longer strings are clipped */
    uint64_t tag = STR_LITERAL;
    if (n <= INTERN_LEN_MAX) {
        uint32_t h = writer_hash(s, n);
        int id = writer_find_string(w, s, n, h);
        if (id >= 0) {
            writer_put_varint(w, STR_REF0 + (uint64_t)id);
            return;
        }
        if (writer_intern_string(w, s, n, h) == 0)
            tag = STR_DEFINE;
    }
    writer_put_varint(w, tag);
    writer_put(w, s, n);
    writer_put(w, "", 1);
}

XtrWriter *xtr_writer_new(FILE *f, const char *info)
{
    if (!f)
        return NULL;
    XtrWriter *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->buf = malloc(WBUF_SIZE);
    if (!w->buf) {
        free(w);
        return NULL;
    }
    w->f = f;
    uint8_t head[XTR_HEAD_FIXED];
    memcpy(head, xtr_magic, sizeof xtr_magic);
    head[8] = (uint8_t)(XTR_VERSION & 0xff);
    head[9] = (uint8_t)(XTR_VERSION >> 8);
    writer_put(w, head, sizeof head);
    if (info)
        writer_put(w, info, strnlen(info, XTR_STR_MAX));
    writer_put(w, "", 1);
    return w;
}

int xtr_write(XtrWriter *w, const TraceEvent *ev)
{
    if (!w || w->failed)
        return -1;
    if (!ev || (unsigned)ev->kind >= TRACE_KIND_COUNT)
        return -1;
    /* Data is clipped to what a reader accepts; `size` keeps the true length. */
    uint32_t len = ev->data ? ev->len : 0;
    if (len > XTR_DATA_MAX)
        len = XTR_DATA_MAX;
    unsigned m = 0;
    m |= ev->vtime != w->vtime ? XTR_F_VTIME : 0;
    m |= ev->depth != w->depth ? XTR_F_DEPTH : 0;
    m |= ev->pc ? XTR_F_PC : 0;
    m |= ev->addr ? XTR_F_ADDR : 0;
    m |= ev->size ? XTR_F_SIZE : 0;
    m |= ev->value ? XTR_F_VALUE : 0;
    m |= ev->reg ? XTR_F_REG : 0;
    m |= ev->name ? XTR_F_NAME : 0;
    m |= ev->text ? XTR_F_TEXT : 0;
    m |= len ? XTR_F_DATA : 0;

    uint8_t h[64];
    size_t n = 0;
    n += xtr_varint_put(h + n, (uint64_t)ev->kind);
    n += xtr_varint_put(h + n, m ^ xtr_usual_mask(ev->kind));
    if (m & XTR_F_VTIME)
        n += xtr_varint_put(h + n, xtr_zigzag64(ev->vtime - w->vtime));
    w->vtime = ev->vtime;
    if (m & XTR_F_DEPTH)
        n += xtr_varint_put(h + n, ev->depth);
    w->depth = ev->depth;
    if (m & XTR_F_PC) {
        n += xtr_varint_put(h + n, xtr_zigzag32(ev->pc - w->pc));
        w->pc = ev->pc;
    }
    if (m & XTR_F_ADDR) {
        n += xtr_varint_put(h + n, xtr_zigzag32(ev->addr - w->addr));
        w->addr = ev->addr;
    }
    if (m & XTR_F_SIZE)
        n += xtr_varint_put(h + n, ev->size);
    if (m & XTR_F_VALUE)
        n += xtr_varint_put(h + n, ev->value);
    writer_put(w, h, n);
    if (m & XTR_F_REG)
        writer_put_string(w, ev->reg);
    if (m & XTR_F_NAME)
        writer_put_string(w, ev->name);
    if (m & XTR_F_TEXT)
        writer_put_string(w, ev->text);
    if (m & XTR_F_DATA) {
        writer_put_varint(w, len);
        writer_put(w, ev->data, len);
    }
    w->count++;
    return w->failed ? -1 : 0;
}

void xtr_sink(void *opaque, const TraceEvent *ev)
{
    /* a sink cannot fail: the error is kept for xtr_writer_close */
    xtr_write(opaque, ev);
}

uint64_t xtr_writer_count(const XtrWriter *w)
{
    return w ? w->count : 0;
}

int xtr_writer_flush(XtrWriter *w)
{
    if (!w)
        return -1;
    writer_drain(w);
    if (!w->failed && fflush(w->f) != 0)
        w->failed = 1;
    return w->failed ? -1 : 0;
}

static void writer_release(XtrWriter *w)
{
    for (uint32_t i = 0; i < w->nstr; i++)
        free(w->strs[i]);
    free(w->strs);
    free(w->hashes);
    free(w->slots);
    free(w->buf);
    free(w);
}

int xtr_writer_close(XtrWriter *w, const char *summary)
{
    if (!w)
        return -1;
    TraceEvent end = {.kind = TRACE_END, .vtime = w->vtime, .text = summary};
    xtr_write(w, &end);
    int rc = xtr_writer_flush(w);
    writer_release(w);
    return rc;
}

void xtr_writer_free(XtrWriter *w)
{
    if (!w)
        return;
    /* what was written stays readable, as a trace cut short */
    writer_drain(w);
    if (!w->failed)
        fflush(w->f);
    writer_release(w);
}

/* ------------------------------------------------------------- reader */

struct XtrReader {
    uint8_t *buf; /* the whole file; strings and data point into it */
    size_t len, pos;
    char *prefix; /* "path: " or "" */
    const char *info;
    unsigned version;
    uint64_t nev;
    uint64_t vtime;
    uint32_t depth, pc, addr;
    const char **strs;
    uint32_t nstr, capstr;
    int complete, truncated, failed;
    char err[XTR_ERR_MAX];
    /* the malformation being reported: where and why */
    size_t bad_at;
    char why[160];
    XtrModules mods;
};

enum { RD_OK = 0, RD_CUT = 1, RD_BAD = -1 };

static void xtr_set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void xtr_set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int reader_bad(XtrReader *r, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int reader_bad(XtrReader *r, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
    r->bad_at = at;
    return RD_BAD;
}

/* Unsigned LEB128, canonical only: a different encoding of the same number
 * would make equal traces differ byte-wise. */
static int reader_varint_long(XtrReader *r, uint64_t *out)
{
    size_t start = r->pos;
    uint64_t v = 0;
    for (unsigned i = 0;; i++) {
        if (r->pos >= r->len)
            return RD_CUT;
        uint8_t b = r->buf[r->pos++];
        if (i == 9 && b > 1)
            return reader_bad(r, start, "varint overflows 64 bits");
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (b == 0 && i > 0)
                return reader_bad(r, start, "overlong varint");
            *out = v;
            return RD_OK;
        }
    }
}

/* Most fields take one byte: that case inline, the rest out of line. */
static inline int reader_varint(XtrReader *r, uint64_t *out)
{
    if (r->pos < r->len && r->buf[r->pos] < 0x80) {
        *out = r->buf[r->pos++];
        return RD_OK;
    }
    return reader_varint_long(r, out);
}

static int reader_u32_long(XtrReader *r, uint32_t *out, const char *what)
{
    size_t start = r->pos;
    uint64_t v = 0;
    int rc = reader_varint(r, &v);
    if (rc != RD_OK)
        return rc;
    if (v > UINT32_MAX)
        return reader_bad(r, start, "%s %" PRIu64 " does not fit 32 bits", what, v);
    *out = (uint32_t)v;
    return RD_OK;
}

/* One byte: inline, as reader_varint */
static inline int reader_u32(XtrReader *r, uint32_t *out, const char *what)
{
    if (r->pos < r->len && r->buf[r->pos] < 0x80) {
        *out = r->buf[r->pos++];
        return RD_OK;
    }
    return reader_u32_long(r, out, what);
}

static int reader_string_long(XtrReader *r, const char **out);

/* A reference to a string defined before, in one byte (most names and
 * registers): inline; the rest out of line. */
static inline int reader_string(XtrReader *r, const char **out)
{
    if (r->pos < r->len) {
        uint8_t b = r->buf[r->pos];
        if (b < 0x80 && b >= STR_REF0 && (uint32_t)(b - STR_REF0) < r->nstr) {
            *out = r->strs[b - STR_REF0];
            r->pos++;
            return RD_OK;
        }
    }
    return reader_string_long(r, out);
}

static int reader_string_long(XtrReader *r, const char **out)
{
    size_t start = r->pos;
    uint64_t tag = 0;
    int rc = reader_varint(r, &tag);
    if (rc != RD_OK)
        return rc;
    if (tag >= STR_REF0) {
        if (tag - STR_REF0 >= r->nstr)
            return reader_bad(r, start,
                              "reference to undefined string %" PRIu64 " (%" PRIu32 " defined)",
                              tag - STR_REF0, r->nstr);
        *out = r->strs[tag - STR_REF0];
        return RD_OK;
    }
    size_t avail = r->len - r->pos;
    size_t lim = avail < (size_t)XTR_STR_MAX + 1 ? avail : (size_t)XTR_STR_MAX + 1;
    const uint8_t *nul = memchr(r->buf + r->pos, 0, lim);
    if (!nul) {
        if (avail <= XTR_STR_MAX)
            return RD_CUT;
        return reader_bad(r, start, "string longer than %u bytes", XTR_STR_MAX);
    }
    *out = (const char *)r->buf + r->pos;
    r->pos = (size_t)(nul - r->buf) + 1;
    if (tag == STR_DEFINE) {
        if (r->nstr >= XTR_STRINGS_MAX)
            return reader_bad(r, start, "more than %u interned strings", XTR_STRINGS_MAX);
        if (r->nstr == r->capstr) {
            uint32_t cap = r->capstr ? 2 * r->capstr : 256;
            const char **strs = realloc(r->strs, cap * sizeof *strs);
            if (!strs)
                return reader_bad(r, start, "out of memory for the string table");
            r->strs = strs;
            r->capstr = cap;
        }
        r->strs[r->nstr++] = *out;
    }
    return RD_OK;
}

#define RD_TRY(x)                                                                                  \
    do {                                                                                           \
        int rd_rc_ = (x);                                                                          \
        if (rd_rc_ != RD_OK)                                                                       \
            return rd_rc_;                                                                         \
    } while (0)

static int reader_record(XtrReader *r, TraceEvent *e)
{
    size_t start = r->pos;
    uint64_t kind = 0, xmask = 0;
    RD_TRY(reader_varint(r, &kind));
    if (kind >= TRACE_KIND_COUNT)
        return reader_bad(r, start, "unknown event kind %" PRIu64, kind);
    e->kind = (TraceKind)kind;
    size_t at = r->pos;
    RD_TRY(reader_varint(r, &xmask));
    if (xmask & ~(uint64_t)XTR_F_ALL)
        return reader_bad(r, at, "unknown field bits 0x%" PRIx64 " in the presence mask",
                          xmask & ~(uint64_t)XTR_F_ALL);
    unsigned m = (unsigned)xmask ^ xtr_usual_mask(e->kind);
    if (m & XTR_F_VTIME) {
        uint64_t z = 0;
        RD_TRY(reader_varint(r, &z));
        r->vtime += xtr_unzigzag64(z);
    }
    e->vtime = r->vtime;
    if (m & XTR_F_DEPTH)
        RD_TRY(reader_u32(r, &r->depth, "depth"));
    e->depth = r->depth;
    if (m & XTR_F_PC) {
        uint32_t z = 0;
        RD_TRY(reader_u32(r, &z, "pc delta"));
        r->pc += xtr_unzigzag32(z);
        e->pc = r->pc;
    }
    if (m & XTR_F_ADDR) {
        uint32_t z = 0;
        RD_TRY(reader_u32(r, &z, "addr delta"));
        r->addr += xtr_unzigzag32(z);
        e->addr = r->addr;
    }
    if (m & XTR_F_SIZE)
        RD_TRY(reader_u32(r, &e->size, "size"));
    if (m & XTR_F_VALUE)
        RD_TRY(reader_varint(r, &e->value));
    if (m & XTR_F_REG)
        RD_TRY(reader_string(r, &e->reg));
    if (m & XTR_F_NAME)
        RD_TRY(reader_string(r, &e->name));
    if (m & XTR_F_TEXT)
        RD_TRY(reader_string(r, &e->text));
    if (m & XTR_F_DATA) {
        at = r->pos;
        uint64_t len = 0;
        RD_TRY(reader_varint(r, &len));
        if (len > XTR_DATA_MAX)
            return reader_bad(r, at, "data length %" PRIu64 " beyond the %u-byte limit", len,
                              XTR_DATA_MAX);
        /* a length running past the end can only be a file cut short here */
        if (len > r->len - r->pos)
            return RD_CUT;
        e->data = len ? r->buf + r->pos : NULL;
        e->len = (uint32_t)len;
        r->pos += (size_t)len;
    }
    return RD_OK;
}

/* Takes ownership of buf (malloc'd, len bytes). */
static XtrReader *reader_open_buf(uint8_t *buf, size_t len, const char *prefix, char *err,
                                  size_t errlen)
{
    XtrReader *r = calloc(1, sizeof *r);
    char *pre = strdup(prefix);
    if (!r || !pre) {
        xtr_set_err(err, errlen, "%sout of memory", prefix);
        goto fail;
    }
    r->buf = buf;
    r->len = len;
    r->prefix = pre;
    size_t n = len < sizeof xtr_magic ? len : sizeof xtr_magic;
    if (memcmp(buf, xtr_magic, n) != 0) {
        xtr_set_err(err, errlen, "%snot an xdrv trace file (bad magic)", prefix);
        goto fail;
    }
    if (len < XTR_HEAD_FIXED) {
        xtr_set_err(err, errlen, "%strace file header cut short (%zu bytes)", prefix, len);
        goto fail;
    }
    r->version = (unsigned)buf[8] | (unsigned)buf[9] << 8;
    if (r->version != XTR_VERSION) {
        xtr_set_err(err, errlen, "%strace format version %u, this xdrv reads version %u", prefix,
                    r->version, XTR_VERSION);
        goto fail;
    }
    size_t avail = len - XTR_HEAD_FIXED;
    size_t lim = avail < (size_t)XTR_STR_MAX + 1 ? avail : (size_t)XTR_STR_MAX + 1;
    const uint8_t *nul = memchr(buf + XTR_HEAD_FIXED, 0, lim);
    if (!nul) {
        if (avail <= XTR_STR_MAX)
            xtr_set_err(err, errlen, "%strace file header cut short (%zu bytes)", prefix, len);
        else
            xtr_set_err(err, errlen, "%sinfo string longer than %u bytes", prefix, XTR_STR_MAX);
        goto fail;
    }
    r->info = (const char *)buf + XTR_HEAD_FIXED;
    r->pos = (size_t)(nul - buf) + 1;
    return r;

fail:
    if (r)
        free(r->prefix);
    else
        free(pre);
    free(r);
    free(buf);
    return NULL;
}

XtrReader *xtr_reader_open_mem(const void *buf, size_t len, char *err, size_t errlen)
{
    if (!buf && len) {
        xtr_set_err(err, errlen, "no buffer");
        return NULL;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        xtr_set_err(err, errlen, "out of memory (%zu bytes)", len);
        return NULL;
    }
    if (len)
        memcpy(copy, buf, len);
    return reader_open_buf(copy, len, "", err, errlen);
}

XtrReader *xtr_reader_open(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        xtr_set_err(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    /* read to the end, not to a size asked first: a growing trace (a run
     * still recording) reads as the prefix written so far */
    size_t cap = 1u << 16, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        if (len == cap) {
            uint8_t *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (!buf) {
        xtr_set_err(err, errlen, "%s: out of memory", path);
        fclose(f);
        return NULL;
    }
    if (ferror(f)) {
        xtr_set_err(err, errlen, "%s: read error", path);
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    size_t plen = strlen(path) + 3;
    char *prefix = malloc(plen);
    if (!prefix) {
        xtr_set_err(err, errlen, "%s: out of memory", path);
        free(buf);
        return NULL;
    }
    snprintf(prefix, plen, "%s: ", path);
    XtrReader *r = reader_open_buf(buf, len, prefix, err, errlen);
    free(prefix);
    return r;
}

const char *xtr_reader_info(const XtrReader *r)
{
    return r && r->info ? r->info : "";
}

unsigned xtr_reader_version(const XtrReader *r)
{
    return r ? r->version : 0;
}

int xtr_read(XtrReader *r, TraceEvent *ev, char *err, size_t errlen)
{
    if (!r || !ev) {
        xtr_set_err(err, errlen, "no reader");
        return -1;
    }
    if (r->failed) {
        xtr_set_err(err, errlen, "%s", r->err);
        return -1;
    }
    if (r->pos >= r->len)
        return 0;
    /* decoded in place: nothing useful in it after an error. Field by
     * field: a whole-struct clear compiles to `rep stos`, whose start-up
     * cost was a sixth of the reading (perf, xdrv diff at 10^4 events) */
    ev->kind = (TraceKind)0;
    ev->seq = ev->vtime = ev->value = 0;
    ev->depth = ev->pc = ev->addr = ev->size = ev->len = 0;
    ev->name = ev->text = ev->reg = NULL;
    ev->data = NULL;
    int rc = reader_record(r, ev);
    if (rc == RD_CUT) {
        r->truncated = 1;
        r->complete = 0;
        r->pos = r->len;
        return 0;
    }
    if (rc == RD_BAD) {
        r->failed = 1;
        snprintf(r->err, sizeof r->err, "%sbyte %zu, event #%" PRIu64 ": %s", r->prefix, r->bad_at,
                 r->nev, r->why);
        xtr_set_err(err, errlen, "%s", r->err);
        return -1;
    }
    ev->seq = r->nev++;
    r->complete = ev->kind == TRACE_END;
    if (ev->kind == TRACE_MODULE)
        xtr_modules_note(&r->mods, ev);
    return 1;
}

void xtr_reader_mark(const XtrReader *r, XtrMark *m)
{
    *m = (XtrMark){.pos = r->pos,
                   .nev = r->nev,
                   .vtime = r->vtime,
                   .depth = r->depth,
                   .pc = r->pc,
                   .addr = r->addr,
                   .nstr = r->nstr,
                   .complete = r->complete,
                   .truncated = r->truncated,
                   .mods = r->mods};
}

void xtr_reader_seek(XtrReader *r, const XtrMark *m)
{
    r->pos = m->pos;
    r->nev = m->nev;
    r->vtime = m->vtime;
    r->depth = m->depth;
    r->pc = m->pc;
    r->addr = m->addr;
    /* the strings defined after the mark are defined again, in their places */
    r->nstr = m->nstr;
    r->complete = m->complete;
    r->truncated = m->truncated;
    r->mods = m->mods;
}

int xtr_reader_complete(const XtrReader *r)
{
    return r && r->complete && r->pos >= r->len;
}

int xtr_reader_truncated(const XtrReader *r)
{
    return r ? r->truncated : 0;
}

const XtrModules *xtr_reader_modules(const XtrReader *r)
{
    return r ? &r->mods : NULL;
}

void xtr_reader_free(XtrReader *r)
{
    if (!r)
        return;
    free(r->strs);
    free(r->prefix);
    free(r->buf);
    free(r);
}

/* ------------------------------------------------------------- modules */

void xtr_modules_note(XtrModules *mods, const TraceEvent *ev)
{
    if (!mods || !ev || ev->kind != TRACE_MODULE)
        return;
    char name[sizeof mods->m[0].name];
    size_t n = ev->name ? strnlen(ev->name, sizeof name - 1) : 0;
    if (n)
        memcpy(name, ev->name, n);
    name[n] = '\0';
    const unsigned cap = sizeof mods->m / sizeof mods->m[0];
    if (mods->n > cap)
        mods->n = cap;
    unsigned i;
    for (i = 0; i < mods->n; i++)
        if (!strcmp(mods->m[i].name, name))
            break; /* mapped again: the new place replaces the old */
    if (i == mods->n) {
        if (mods->n == cap)
            return; /* full: its addresses print as numbers */
        mods->n++;
    }
    memcpy(mods->m[i].name, name, n + 1);
    mods->m[i].base = ev->addr;
    mods->m[i].size = ev->size;
}

/* A module name that can stand in a dump token: "name+0xRVA" must split
 * back at its '+' and end at the next space. */
static int xtr_plain_module_name(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '+' || c == '=')
            return 0;
    }
    return 1;
}

int xtr_find_module(const XtrModules *mods, uint32_t pc)
{
    unsigned n = mods ? mods->n : 0;
    if (n > sizeof mods->m / sizeof mods->m[0])
        n = sizeof mods->m / sizeof mods->m[0];
    /* the latest mapping wins where two overlap */
    for (unsigned i = n; i-- > 0;)
        if (pc - mods->m[i].base < mods->m[i].size && xtr_plain_module_name(mods->m[i].name))
            return (int)i;
    return -1;
}

const char *xtr_format_pc(const XtrModules *mods, uint32_t pc, char *buf, size_t len)
{
    if (!buf || !len)
        return "";
    int i = xtr_find_module(mods, pc);
    if (i >= 0)
        snprintf(buf, len, "%s+0x%" PRIx32, mods->m[i].name, pc - mods->m[i].base);
    else
        snprintf(buf, len, "0x%08" PRIx32, pc);
    return buf;
}
