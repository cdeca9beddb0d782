/* The normalized token stream of a trace (see norm.h): read events, keep
 * the live device-reachable allocations, print each event in its
 * normalized form, and collapse back-to-back repeats of a block that reads
 * a register (a poll) into one token.
 *
 * A small queue of upcoming normalized events (2 * NORM_POLL_MAX) is all
 * the lookahead poll detection needs: at the head, the shortest period p
 * whose block [0, p) reads a register and equals [p, 2p) starts a poll;
 * the poll then swallows every following copy of the block. */
#include "analyze/norm.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/xtr.h"

#define QCAP (2 * NORM_POLL_MAX)
/* the queue's slots: QCAP waiting, and room behind them for the token
 * last emitted, which stays in its slot until the next (no copying of
 * entries a few hundred bytes long per token); a power of two */
#define QSLOTS (4 * NORM_POLL_MAX)
#define QMASK (QSLOTS - 1)
#define REGIONS_MAX 65536u /* live allocations tracked; more are left unnamed */

typedef struct Region {
    uint32_t addr, size;
    const char *name; /* the reader's string: valid while it lives */
} Region;

typedef struct Buf {
    char *p;
    size_t len, cap;
} Buf;

/* One normalized event, its line printed only when asked for. */
typedef struct Entry {
    uint64_t hash, seq, request;
    const char *req_kind;
    TraceKind kind;
    int reads;          /* a register read: what makes a repeated block a poll */
    TraceEvent c;       /* numbers normalized; strings borrowed from the reader or text */
    XtrDumpStyle style; /* allocation names for addr / value */
    const char *pc_mod; /* module pc lies in (the table's copy), or NULL */
    uint32_t pc_rva;
    Buf text;           /* the normalized API arguments, when they changed */
    Buf line;
    int formatted;
} Entry;

/* The last write of a register named NAME[15:0] (a datasheet's low half
 * of a split address register): its name's stem, value, event. */
typedef struct HalfState {
    char stem[64];
    uint32_t lo;
    uint64_t seq;
    int have;
} HalfState;

/* Where the reading was, every norm_keep_marks events of the first
 * reading: a later norm_token far from where the reader is goes back or
 * on to the nearest mark instead of reading everything in between again. */
typedef struct NormMark {
    XtrMark rm;
    Region *reg;
    size_t nreg;
    uint64_t cur_req;
    const char *cur_kind;
    HalfState half;
    XtrModules mods;
} NormMark;

#define NORM_MARK_REGIONS 1024 /* more live allocations than this: no mark there */

struct Norm {
    XtrReader *r;
    unsigned mark_every;
    NormMark *marks;
    size_t nmarks, capmarks;
    uint64_t next_seq; /* the number of the next event the reader gives */
    NormOptions opt;
    unsigned char keep[TRACE_KIND_COUNT];
    XtrModules mods;
    Region *reg;
    size_t nreg, capreg;
    uint64_t cur_req;
    const char *cur_kind;
    Entry q[QSLOTS];
    /* each queue slot's hash and register-read flag beside it: poll
     * detection compares these for every token, and an Entry is a few
     * cache lines */
    uint64_t qh[QSLOTS];
    unsigned char qr[QSLOTS];
    HalfState half;
    Entry blk[NORM_POLL_MAX]; /* the block of the poll being collapsed */
    unsigned head, n;
    int eof;
    Buf tok;
    NormStats st;
    int mod_hit; /* the module find_module found last, or -1 */
    uint64_t skip_to; /* events before this one are read for state only */
    uintptr_t *skey; /* str_hash's cache */
    uint64_t *sval;
    size_t smask, sused;
    uint32_t poll_count;
    int nohash; /* norm_token: the tokens are known, their hashes not needed */
    int last; /* what the last token was: -1 none, 0 single (q[single]), p a poll of period p */
    unsigned single;
};

uint64_t norm_hash(const void *p, size_t n, uint64_t seed)
{
    /* eight bytes at a time, each folded in with a multiply by the 64-bit
     * golden ratio and a shift (the mixing step of splitmix64); the length
     * goes into the last word so that "" and "\0" differ */
    const unsigned char *c = p;
    uint64_t h = seed ^ 0x243f6a8885a308d3ull, w;
    for (; n >= 8; n -= 8, c += 8) {
        memcpy(&w, c, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    w = (uint64_t)n << 56;
    for (size_t i = 0; i < n; i++)
        w |= (uint64_t)c[i] << (8 * i);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
    h *= 0x94d049bb133111ebull;
    return h ^ (h >> 32);
}

/* The event hash is built field by field with one cheap step per word
 * and finished once (norm_hash's final mix), not finished per field. */
static uint64_t step(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    if (!s)
        return step(h, 0x5bd1e995u);
    const unsigned char *c = (const unsigned char *)s;
    for (;;) {
        uint64_t w = 0;
        unsigned i = 0;
        for (; i < 8 && c[i]; i++)
            w |= (uint64_t)c[i] << (8 * i);
        h = step(h, w ^ ((uint64_t)i << 59));
        if (i < 8)
            return h;
        c += 8;
    }
}

static uint64_t hash_u64(uint64_t h, uint64_t v)
{
    return step(h, v);
}

/* The reader interns strings: one pointer per distinct string for the
 * file's life, so a string's hash is computed once and looked up by its
 * address after that (open addressing; NULL hashes as itself). */
static uint64_t str_hash_miss(Norm *s, const char *str, size_t i);

static inline uint64_t str_hash(Norm *s, const char *str)
{
    if (!str)
        return hash_str(0, NULL);
    uintptr_t key = (uintptr_t)str;
    size_t i = (size_t)((key >> 3) * 0x9e3779b97f4a7c15ull >> 40) & s->smask;
    if (s->skey[i] == key) /* the first place: the common case, inline */
        return s->sval[i];
    return str_hash_miss(s, str, i);
}

static uint64_t str_hash_miss(Norm *s, const char *str, size_t i)
{
    uintptr_t key = (uintptr_t)str;
    for (; s->skey[i]; i = (i + 1) & s->smask)
        if (s->skey[i] == key)
            return s->sval[i];
    uint64_t h = hash_str(0, str);
    if (s->sused * 2 < s->smask) { /* full enough: just compute from now on */
        s->skey[i] = key;
        s->sval[i] = h;
        s->sused++;
    }
    return h;
}

static int buf_reserve(Buf *b, size_t need)
{
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

static int buf_put(Buf *b, const char *s, size_t n)
{
    if (buf_reserve(b, b->len + n + 1) < 0)
        return -1;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* ---------------------------------------------------------- allocations */

static const Region *region_find(const Norm *s, uint64_t addr)
{
    /* newest first: an address reused after a free names the live one */
    for (size_t i = s->nreg; i-- > 0;)
        if (addr >= s->reg[i].addr && addr - s->reg[i].addr < s->reg[i].size)
            return &s->reg[i];
    return NULL;
}

static int region_add(Norm *s, const TraceEvent *ev)
{
    if (!ev->size || s->nreg >= REGIONS_MAX)
        return 0;
    if (s->nreg == s->capreg) {
        size_t cap = s->capreg ? 2 * s->capreg : 16;
        Region *r = realloc(s->reg, cap * sizeof *r);
        if (!r)
            return -1;
        s->reg = r;
        s->capreg = cap;
    }
    s->reg[s->nreg++] = (Region){ev->addr, ev->size, ev->name && *ev->name ? ev->name : "region"};
    return 0;
}

static void region_remove(Norm *s, uint32_t addr)
{
    for (size_t i = s->nreg; i-- > 0;)
        if (s->reg[i].addr == addr) {
            memmove(&s->reg[i], &s->reg[i + 1], (s->nreg - i - 1) * sizeof s->reg[0]);
            s->nreg--;
            return;
        }
}

/* ------------------------------------------------------------- printing */

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_word(char c)
{
    return is_hex(c) || (c >= 'g' && c <= 'z') || (c >= 'G' && c <= 'Z') || c == '_';
}

/* API arguments with every hex number that lies in a live allocation
 * written as "KIND+0xOFFSET"; the rest verbatim. */
static const char *norm_text(const Norm *s, Buf *b, const char *text)
{
    b->len = 0;
    if (buf_put(b, "", 0) < 0)
        return NULL;
    for (const char *p = text; *p;) {
        size_t digits = 0;
        if (p[0] == '0' && p[1] == 'x' && (p == text || !is_word(p[-1])))
            while (is_hex(p[2 + digits]))
                digits++;
        if (digits == 0 || digits > 8 || is_word(p[2 + digits])) {
            size_t run = 1;
            if (digits)
                run = 2 + digits; /* not a 32-bit number: copy it whole */
            if (buf_put(b, p, run) < 0)
                return NULL;
            p += run;
            continue;
        }
        uint32_t v = (uint32_t)strtoul(p + 2, NULL, 16);
        const Region *r = region_find(s, v);
        char tmp[96];
        int n;
        if (r)
            n = snprintf(tmp, sizeof tmp, "%.64s+0x%" PRIx32, r->name, v - r->addr);
        else
            n = snprintf(tmp, sizeof tmp, "%.*s", (int)(2 + digits), p);
        if (buf_put(b, tmp, (size_t)n) < 0)
            return NULL;
        p += 2 + digits;
    }
    return b->p;
}

static int addr_is_memory(TraceKind k)
{
    return k == TRACE_MEM_STORE || k == TRACE_MEM_LOAD || k == TRACE_DMA_READ || k == TRACE_DMA_WRITE ||
           k == TRACE_MEM_REGION;
}

static int value_may_point(const TraceEvent *ev)
{
    switch (ev->kind) {
    case TRACE_PORT_READ:
    case TRACE_PORT_WRITE:
    case TRACE_MMIO_READ:
    case TRACE_MMIO_WRITE:
    case TRACE_API_RETURN:
        return 1;
    case TRACE_MEM_STORE:
        return !ev->len;
    case TRACE_MEM_LOAD:
        return 1;
    default:
        return 0;
    }
}

/* xtr_find_module with the last answer remembered: consecutive events
 * mostly come from the same module (forgotten when MODULE events pass). */
static int find_module(Norm *s, uint32_t pc)
{
    if (s->mod_hit >= 0 && pc - s->mods.m[s->mod_hit].base < s->mods.m[s->mod_hit].size)
        return s->mod_hit;
    int m = xtr_find_module(&s->mods, pc);
    if (m >= 0)
        s->mod_hit = m;
    return m;
}

/* The hash of what e's line would print, without printing it: it covers
 * exactly the fields the line shows. */
static uint64_t entry_hash(Norm *s, const Entry *e)
{
    const TraceEvent *c = &e->c;
    uint64_t h = hash_u64((uint64_t)c->kind << 32 | c->depth, (uint64_t)c->addr << 32 | c->size);
    h = hash_u64(h, c->value);
    h = hash_u64(h, (uint64_t)e->pc_rva << 1 | !!c->pc);
    h = step(h, str_hash(s, e->pc_mod)); /* the module table's copy: stable too */
    h = step(h, str_hash(s, c->name));
    h = step(h, str_hash(s, c->reg));
    /* interned by the reader, or normalized into the entry's own text */
    h = c->text && c->text == e->text.p ? step(h, hash_str(0, c->text))
                                        : step(h, str_hash(s, c->text));
    h = step(h, str_hash(s, e->style.addr_base));
    h = step(h, str_hash(s, e->style.value_base));
    h = step(h, (uint64_t)e->style.value_half);
    if (c->data && c->len && !e->style.word_mask)
        h = norm_hash(c->data, c->len, h);
    else if (c->data && c->len) /* the address words as where they point */
        for (uint32_t w = 0; w < c->len; w += 4) {
            if (e->style.word_mask >> (w / 4) & 1) {
                h = step(h, str_hash(s, e->style.word_base[w / 4]));
                h = step(h, e->style.word_off[w / 4]);
            } else {
                h = norm_hash(c->data + w, c->len - w < 4 ? c->len - w : 4, h);
            }
        }
    return norm_hash(&h, sizeof h, 0);
}

/* Normalize the event in e (e->c, as read) and hash what its line would
 * print, without printing it: the hash covers exactly the fields the line
 * shows. */
static int norm_prepare(Norm *s, Entry *e, char *err, size_t errlen)
{
    /* normalized in place: the reader decoded the event into the entry
     * (a copy out of its fields, just stored one by one, waited on those
     * stores: a store-forwarding stall, a quarter of fill's time in perf) */
    TraceEvent *const c = &e->c;
    const uint64_t seq = c->seq;
    const uint32_t addr = c->addr;
    const Region *r;

    /* the style's word tables are read only where word_mask says */
    e->style.timeless = 1;
    e->style.addr_base = e->style.value_base = e->style.pc_label = NULL;
    e->style.word_mask = 0;
    e->style.value_half = 0;
    e->formatted = 0;
    c->seq = 0;
    c->vtime = 0;
    if (s->opt.device_side) {
        c->pc = 0;
        c->depth = 0;
    }
    if (addr_is_memory(c->kind) && (r = region_find(s, c->addr))) {
        e->style.addr_base = r->name;
        c->addr -= r->addr;
    }
    if (value_may_point(c) && c->value <= UINT32_MAX && (r = region_find(s, c->value))) {
        e->style.value_base = r->name;
        c->value -= r->addr;
    }
    /* a descriptor or another small block the device moves in memory
     * the driver allocated: the 32-bit words in it that are addresses
     * inside an allocation (a buffer's, a ring's) print as such */
    if ((c->kind == TRACE_DMA_READ || c->kind == TRACE_DMA_WRITE) && c->data && c->len >= 4 &&
        c->len <= 4 * XTR_DUMP_WORDS && s->nreg && region_find(s, addr))
        for (uint32_t w = 0; w + 4 <= c->len; w += 4) {
            uint32_t v = xtr_le32(c->data + w);
            if ((r = region_find(s, v))) {
                e->style.word_mask |= 1u << (w / 4);
                e->style.word_base[w / 4] = r->name;
                e->style.word_off[w / 4] = v - r->addr;
            }
        }
    if (c->text && s->nreg && (c->kind == TRACE_API_CALL || c->kind == TRACE_GUEST_CALL) &&
        strstr(c->text, "0x") && !(c->text = norm_text(s, &e->text, c->text))) {
        snprintf(err, errlen, "out of memory normalizing event %" PRIu64, seq);
        return -1;
    }
    int m = c->pc ? find_module(s, c->pc) : -1;
    e->pc_mod = m >= 0 ? s->mods.m[m].name : NULL;
    e->pc_rva = m >= 0 ? c->pc - s->mods.m[m].base : c->pc;

    e->hash = s->nohash ? 0 : entry_hash(s, e);
    e->seq = seq;
    e->kind = c->kind;
    e->request = s->cur_req;
    e->req_kind = s->cur_kind;
    e->reads = c->kind == TRACE_PORT_READ || c->kind == TRACE_MMIO_READ ||
               c->kind == TRACE_CONFIG_READ;
    return 0;
}

/* "module+0xRVA", or "0x%08x" outside every module, into buf (96 bytes),
 * without printf: a line per event a diff shows. */
static void pc_label(char *buf, const char *mod, uint32_t rva)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    if (mod) {
        for (; mod[n] && n < 64; n++)
            buf[n] = mod[n];
        buf[n++] = '+';
    }
    buf[n++] = '0';
    buf[n++] = 'x';
    int digits = 8;
    if (mod)
        for (digits = 1; digits < 8 && rva >> (4 * digits); digits++)
            ;
    for (int i = digits - 1; i >= 0; i--)
        buf[n++] = hex[(rva >> (4 * i)) & 15];
    buf[n] = '\0';
}

/* The entry's line (no newline), printed on first use. NULL: no memory. */
static const char *entry_line(Entry *e)
{
    if (e->formatted)
        return e->line.p;
    char label[96];
    if (e->c.pc) {
        pc_label(label, e->pc_mod, e->pc_rva);
        e->style.pc_label = label;
    }
    size_t need = xtr_dump_size(&e->c) + 4 * 96;
    if (buf_reserve(&e->line, need) < 0)
        return NULL;
    int n = xtr_dump_line_styled(NULL, &e->c, &e->style, e->line.p, e->line.cap);
    e->style.pc_label = NULL;
    if (n <= 0)
        return NULL;
    e->line.len = (size_t)n - 1; /* without the newline */
    e->line.p[e->line.len] = '\0';
    e->formatted = 1;
    return e->line.p;
}

/* ---------------------------------------------------------------- queue */

static Entry *qat(Norm *s, unsigned i)
{
    return &s->q[(s->head + i) & QMASK];
}

static void qpop(Norm *s, unsigned k)
{
    s->head = (s->head + k) & QMASK;
    s->n -= k;
}

static void note_half(Norm *s, TraceKind kind, const char *reg, uint64_t value, uint64_t seq,
                      Entry *e);

/* Note where the reading is now (norm_keep_marks); 0, or -1 (no memory).
 * With more live allocations than NORM_MARK_REGIONS, none is taken. */
static int take_mark(Norm *s)
{
    if (s->nreg > NORM_MARK_REGIONS)
        return 0;
    if (s->nmarks == s->capmarks) {
        size_t cap = s->capmarks ? 2 * s->capmarks : 64;
        NormMark *m = realloc(s->marks, cap * sizeof *m);
        if (!m)
            return -1;
        s->marks = m;
        s->capmarks = cap;
    }
    NormMark *m = &s->marks[s->nmarks];
    m->reg = NULL;
    if (s->nreg && !(m->reg = malloc(s->nreg * sizeof *m->reg)))
        return -1;
    if (s->nreg)
        memcpy(m->reg, s->reg, s->nreg * sizeof *m->reg);
    m->nreg = s->nreg;
    xtr_reader_mark(s->r, &m->rm);
    m->cur_req = s->cur_req;
    m->cur_kind = s->cur_kind;
    m->half = s->half;
    m->mods = s->mods;
    s->nmarks++;
    return 0;
}

/* Read events until `want` normalized ones wait in the queue, or the file
 * ends. 0 or -1. */
static int fill(Norm *s, unsigned want, char *err, size_t errlen)
{
    while (s->n < want && !s->eof) {
        if (s->mark_every && s->next_seq % s->mark_every == 0 &&
            (!s->nmarks || s->marks[s->nmarks - 1].rm.nev < s->next_seq) && take_mark(s) < 0) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        /* read into the queue's next free slot (the entry keeps it if the
         * event is kept: no copy), what comes after normalizing from the
         * fields as read */
        Entry *e = qat(s, s->n);
        TraceEvent *ev = &e->c;
        int r = xtr_read(s->r, ev, err, errlen);
        if (r < 0)
            return -1;
        if (r == 0) {
            s->eof = 1;
            break;
        }
        const TraceKind kind = ev->kind;
        const uint64_t seq = ev->seq, value = ev->value;
        const uint32_t addr = ev->addr;
        const char *reg = ev->reg;
        s->st.events++;
        s->next_seq = seq + 1;
        if (kind == TRACE_MODULE) {
            xtr_modules_note(&s->mods, ev);
            s->mod_hit = -1;
        }
        if (kind == TRACE_REQUEST_BEGIN) {
            s->cur_req = value;
            s->cur_kind = ev->name ? ev->name : "";
        }
        if (kind == TRACE_MEM_REGION && value && region_add(s, ev) < 0) {
            snprintf(err, errlen, "out of memory at event %" PRIu64, seq);
            return -1;
        }
        if ((unsigned)kind < TRACE_KIND_COUNT && s->keep[kind] &&
            (!s->opt.request || s->cur_req == s->opt.request)) {
            s->st.kept++;
            if (seq >= s->skip_to) {
                if (norm_prepare(s, e, err, errlen) < 0)
                    return -1;
                note_half(s, kind, reg, value, seq, e);
                unsigned slot = (s->head + s->n) & QMASK;
                s->qh[slot] = e->hash;
                s->qr[slot] = (unsigned char)e->reads;
                s->n++;
            } else {
                note_half(s, kind, reg, value, seq, NULL); /* a half before the skip is state too */
            }
        }
        if (kind == TRACE_MEM_REGION && !value)
            region_remove(s, addr);
        if (kind == TRACE_REQUEST_END) {
            s->cur_req = 0;
            s->cur_kind = "";
        }
    }
    return 0;
}

/* A register name "STEM[15:0]" or "STEM[31:16]" (the device model's
 * datasheet names for the halves of a split register): 1 low, 2 high,
 * with the stem's length; 0 otherwise. */
static int half_name(const char *reg, size_t *stem)
{
    if (!reg)
        return 0;
    size_t n = strlen(reg);
    if (n > 6 && !strcmp(reg + n - 6, "[15:0]")) {
        *stem = n - 6;
        return 1;
    }
    if (n > 7 && !strcmp(reg + n - 7, "[31:16]")) {
        *stem = n - 7;
        return 2;
    }
    return 0;
}

/* Entry e as half (1 low, 2 high) of address a, inside allocation r: its
 * value, style and hash. */
static void half_of(Norm *s, Entry *e, const Region *r, uint32_t a, int half)
{
    e->style.value_base = r->name;
    e->style.value_half = half;
    e->c.value = a - r->addr;
    e->hash = s->nohash ? 0 : entry_hash(s, e);
    e->formatted = 0;
}

/* An address written in two 16-bit halves: the device model names the
 * registers STEM[15:0] and STEM[31:16] (a PCnet's IADR through CSR1 and
 * CSR2), the low half written first, the high half within the next 16
 * events. When the two make an address inside an allocation, both print
 * as halves of it, "(KIND+0xOFF)[15:0]" and "[31:16]": the low half's
 * entry, still in the queue, is rewritten then. Writes only (what a
 * driver gives the device); any other value stays a number. */
static void note_half(Norm *s, TraceKind kind, const char *reg, uint64_t value, uint64_t seq,
                      Entry *e)
{
    size_t stem;
    int h = kind == TRACE_PORT_WRITE || kind == TRACE_MMIO_WRITE ? half_name(reg, &stem)
                                                                         : 0;
    if (!h || stem >= sizeof s->half.stem || value > 0xffff)
        return;
    if (h == 1) {
        memcpy(s->half.stem, reg, stem);
        s->half.stem[stem] = '\0';
        s->half.lo = (uint32_t)value;
        s->half.seq = seq;
        s->half.have = 1;
        return;
    }
    if (!s->half.have || seq - s->half.seq > QCAP || strncmp(s->half.stem, reg, stem) ||
        s->half.stem[stem])
        return;
    s->half.have = 0;
    uint32_t a = (uint32_t)value << 16 | s->half.lo;
    const Region *r = region_find(s, a);
    if (!r)
        return;
    if (e)
        half_of(s, e, r, a, 2);
    for (unsigned i = 0; i < s->n; i++) { /* the low half, if still waiting */
        Entry *lo = qat(s, i);
        if (lo->seq != s->half.seq || lo == e)
            continue;
        half_of(s, lo, r, a, 1);
        s->qh[(s->head + i) & QMASK] = lo->hash;
    }
}

/* Equal normalized events: equal hashes (64 bits over every printed
 * field; a collision would merge two polls' iterations, nothing worse). */
static int same(const Entry *x, const Entry *y)
{
    return x->hash == y->hash;
}

/* The shortest period p such that the head block [0, p) reads a register
 * and [p, 2p) repeats it; 0 when none. */
static unsigned poll_period(Norm *s)
{
    const unsigned h = s->head;
    const uint64_t first = s->qh[h & QMASK];
    for (unsigned p = 1; p <= NORM_POLL_MAX && 2 * p <= s->n; p++) {
        if (s->qh[(h + p) & QMASK] != first) /* the block's first event does not come again */
            continue;
        int reads = 0, eq = 1;
        for (unsigned i = 0; i < p && eq; i++) {
            reads |= s->qr[(h + i) & QMASK];
            eq = s->qh[(h + i) & QMASK] == s->qh[(h + p + i) & QMASK];
        }
        if (eq && reads)
            return p;
    }
    return 0;
}

/* The token a single event or a block of p starting at entry e makes (its
 * hash the caller's). */
static NormToken token_of(const Entry *e, uint32_t count, uint32_t period, uint64_t hash)
{
    return (NormToken){.hash = hash,
                       .seq = e->seq,
                       .count = count,
                       .period = period,
                       .kind = e->kind,
                       .request = e->request,
                       .req_kind = e->req_kind ? e->req_kind : ""};
}

/* The queue's head as a single-event token: the event stays in its slot,
 * behind the queue, so that its line can be printed later (fill never
 * reaches it before the next token). */
static void take_single(Norm *s)
{
    s->single = s->head;
    qpop(s, 1);
    s->last = 0;
}

/* The queue's first p entries moved out into blk (swapping buffers, no
 * copies): a poll's block, whose copies may follow in the queue. */
static void take_block(Norm *s, unsigned p)
{
    for (unsigned i = 0; i < p; i++) {
        Entry tmp = s->blk[i];
        s->blk[i] = *qat(s, i);
        *qat(s, i) = tmp;
    }
    qpop(s, p);
}

static int emit_single(Norm *s, NormToken *t)
{
    const Entry *e = qat(s, 0);
    *t = token_of(e, 1, 1, e->hash);
    take_single(s);
    return 1;
}

static int emit_poll(Norm *s, unsigned p, NormToken *t, char *err, size_t errlen)
{
    take_block(s, p);
    uint32_t count = 1;
    for (;;) {
        if (fill(s, p, err, errlen) < 0)
            return -1;
        if (s->n < p)
            break;
        unsigned i = 0;
        while (i < p && same(qat(s, i), &s->blk[i]))
            i++;
        if (i < p || count == UINT32_MAX)
            break;
        qpop(s, p);
        count++;
    }
    uint64_t h = norm_hash("POLL", 4, p);
    for (unsigned i = 0; i < p; i++)
        h = norm_hash(&s->blk[i].hash, sizeof s->blk[i].hash, h);
    *t = token_of(&s->blk[0], count, p, h);
    s->last = (int)p;
    s->poll_count = count;
    s->st.polls++;
    s->st.polled += (uint64_t)count * p;
    return 1;
}

/* Go on from the event numbered seq, the first of a token: the events
 * before it are read for their state (allocations, requests, modules) but
 * not normalized. Poll detection only looks forward, so the tokens from
 * there on are the same as without skipping. */
static void norm_skip(Norm *s, uint64_t seq)
{
    while (s->n && qat(s, 0)->seq < seq)
        qpop(s, 1);
    if (seq > s->skip_to)
        s->skip_to = seq;
}

const char *norm_line(Norm *s)
{
    if (s->last < 0)
        return NULL;
    if (s->last == 0)
        return entry_line(&s->q[s->single]);
    Buf *b = &s->tok;
    char head[48];
    int n = snprintf(head, sizeof head, "POLL x%" PRIu32 " {", s->poll_count);
    b->len = 0;
    if (buf_put(b, head, (size_t)n) < 0)
        return NULL;
    for (int i = 0; i < s->last; i++) {
        const char *l = entry_line(&s->blk[i]);
        if (!l || buf_put(b, i ? " ; " : " ", i ? 3 : 1) < 0 || buf_put(b, l, strlen(l)) < 0)
            return NULL;
    }
    return buf_put(b, " }", 2) < 0 ? NULL : b->p;
}

int norm_next(Norm *s, NormToken *t, char *err, size_t errlen)
{
    s->last = -1;
    if (fill(s, QCAP, err, errlen) < 0)
        return -1;
    if (s->n == 0)
        return 0;
    unsigned p = poll_period(s);
    int r = p ? emit_poll(s, p, t, err, errlen) : emit_single(s, t);
    if (r > 0)
        s->st.tokens++;
    return r;
}

/* Back or on to the mark nearest before event seq, when seq is behind the
 * reader or a mark lies between them; the queue is dropped. */
static int go_near(Norm *s, uint64_t seq)
{
    if (!s->nmarks || (s->n && qat(s, 0)->seq <= seq && seq <= qat(s, s->n - 1)->seq))
        return 0;
    size_t lo = 0, hi = s->nmarks; /* the last mark at or before seq */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (s->marks[mid].rm.nev <= seq)
            lo = mid;
        else
            hi = mid;
    }
    const NormMark *m = &s->marks[lo];
    if (m->rm.nev > seq || (s->next_seq <= seq && m->rm.nev <= s->next_seq))
        return 0; /* reading on from here is as near */
    if (m->nreg > s->capreg) {
        Region *r = realloc(s->reg, m->nreg * sizeof *r);
        if (!r)
            return -1;
        s->reg = r;
        s->capreg = m->nreg;
    }
    if (m->nreg)
        memcpy(s->reg, m->reg, m->nreg * sizeof *m->reg);
    s->nreg = m->nreg;
    xtr_reader_seek(s->r, &m->rm);
    s->next_seq = m->rm.nev;
    s->cur_req = m->cur_req;
    s->cur_kind = m->cur_kind;
    s->half = m->half;
    s->mods = m->mods;
    s->mod_hit = -1;
    s->n = 0;
    s->eof = 0;
    return 0;
}

void norm_keep_marks(Norm *s, unsigned every)
{
    s->mark_every = every;
}

int norm_token(Norm *s, uint64_t seq, uint32_t period, uint32_t count, NormToken *t, char *err,
               size_t errlen)
{
    s->last = -1;
    if (!count || period < 1 || period > NORM_POLL_MAX || (period > 1 && count < 2))
        return 0;
    s->mark_every = 0; /* the first reading is over: its marks stay */
    if (go_near(s, seq) < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (seq < s->skip_to)
        s->skip_to = 0; /* gone back: skip from the mark */
    norm_skip(s, seq);
    /* as far ahead as norm_next reads: an address's high half, up to 16
     * events on, rewrites its low half's line */
    s->nohash = 1;
    int r = fill(s, QCAP, err, errlen);
    s->nohash = 0;
    if (r < 0)
        return -1;
    if (s->n < period || qat(s, 0)->seq != seq)
        return 0;
    *t = token_of(qat(s, 0), count, period, 0);
    if (count == 1) {
        take_single(s);
    } else {
        take_block(s, period);
        s->last = (int)period;
        s->poll_count = count;
    }
    s->st.tokens++;
    return 1;
}

/* ------------------------------------------------------------ lifecycle */

Norm *norm_open(const char *path, const NormOptions *opt, char *err, size_t errlen)
{
    Norm *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (opt)
        s->opt = *opt;
    for (unsigned k = 0; k < TRACE_KIND_COUNT; k++)
        s->keep[k] = s->opt.keep ? s->opt.keep[k] : k != TRACE_BLOCKS;
    s->cur_kind = "";
    s->last = -1;
    s->mod_hit = -1;
    s->smask = 4095;
    s->skey = calloc(s->smask + 1, sizeof *s->skey);
    s->sval = calloc(s->smask + 1, sizeof *s->sval);
    if (!s->skey || !s->sval) {
        snprintf(err, errlen, "out of memory");
        free(s->skey);
        free(s->sval);
        free(s);
        return NULL;
    }
    s->r = xtr_reader_open(path, err, errlen);
    if (!s->r) {
        free(s->skey);
        free(s->sval);
        free(s);
        return NULL;
    }
    return s;
}

const NormStats *norm_stats(const Norm *s)
{
    return &s->st;
}

int norm_truncated(const Norm *s)
{
    return !xtr_reader_complete(s->r);
}

void norm_close(Norm *s)
{
    if (!s)
        return;
    for (unsigned i = 0; i < QSLOTS; i++) {
        free(s->q[i].line.p);
        free(s->q[i].text.p);
    }
    for (unsigned i = 0; i < NORM_POLL_MAX; i++) {
        free(s->blk[i].line.p);
        free(s->blk[i].text.p);
    }
    free(s->tok.p);
    for (size_t i = 0; i < s->nmarks; i++)
        free(s->marks[i].reg);
    free(s->marks);
    free(s->skey);
    free(s->sval);
    free(s->reg);
    xtr_reader_free(s->r);
    free(s);
}
