/* The canonical dump of trace events: one line per event, fixed field
 * order, and the parser that reads such a line back into the same event
 * (docs/formats/trace.md, "The dump"). Diffs and greps work on these lines,
 * so a given event always prints the same bytes. */
#include "trace/xtr.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

/* ------------------------------------------------------------- printing */

typedef struct DumpOut {
    char *p;
    size_t used, cap; /* cap includes the NUL */
    int over;
} DumpOut;

static void dump_putc(DumpOut *o, char c)
{
    if (o->used + 1 < o->cap)
        o->p[o->used++] = c;
    else
        o->over = 1;
}

static void dump_putn(DumpOut *o, const char *s, size_t n)
{
    if (o->used + n < o->cap) {
        memcpy(o->p + o->used, s, n);
        o->used += n;
    } else {
        o->over = 1;
    }
}

static void dump_puts(DumpOut *o, const char *s)
{
    dump_putn(o, s, strlen(s));
}

/* Formatted straight into the line (no bounce buffer: lines are printed
 * for every event a dump or a diff shows). */
static void dump_printf(DumpOut *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void dump_printf(DumpOut *o, const char *fmt, ...)
{
    if (o->over)
        return;
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->cap - o->used;
    int n = vsnprintf(o->p + o->used, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) {
        o->p[o->used] = '\0';
        o->over = 1;
        return;
    }
    o->used += (size_t)n;
}

static const char dump_hex[] = "0123456789abcdef";

/* Numbers without printf: a line per event of a large trace. The digits
 * are written backwards into a small buffer and go out in one piece. */
static void dump_u64(DumpOut *o, uint64_t v, int hex)
{
    char tmp[24];
    int n = (int)sizeof tmp;
    if (hex) {
        do {
            tmp[--n] = dump_hex[v & 15];
            v >>= 4;
        } while (v);
        tmp[--n] = 'x';
        tmp[--n] = '0';
    } else {
        do {
            tmp[--n] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
    }
    dump_putn(o, tmp + n, sizeof tmp - (size_t)n);
}

/* v, or "BASE+0xN" when based (at most 64 bytes of BASE) */
static void dump_based(DumpOut *o, const char *base, uint64_t v, int hex)
{
    if (base) {
        dump_putn(o, base, strnlen(base, 64));
        dump_putc(o, '+');
    }
    dump_u64(o, v, hex);
}

/* " key=VALUE" with VALUE a number, or "BASE+0xN" when based */
static void dump_field(DumpOut *o, const char *key, const char *base, uint64_t v, int hex)
{
    dump_putc(o, ' ');
    dump_puts(o, key);
    dump_putc(o, '=');
    dump_based(o, base, v, hex);
}

/* Printed bare when it cannot be mistaken: no space, quote, backslash,
 * control or non-ASCII byte, and not empty. The length of s when it can,
 * else 0 (one pass: a line per event a dump or a diff shows). */
static size_t dump_bare_len(const char *s)
{
    const unsigned char *c = (const unsigned char *)s;
    size_t n = 0;
    for (;; n++) {
        unsigned char b = c[n];
        if (b > 0x20 && b < 0x7f && b != '"' && b != '\\')
            continue;
        return b ? 0 : n;
    }
}

/* Names (API, register, device, module) print bare when they can, so that
 * `grep name=NdisReadConfiguration` works; free-form text always quoted. */
static void dump_string(DumpOut *o, const char *key, const char *s, int quote)
{
    dump_putc(o, ' ');
    dump_puts(o, key);
    dump_putc(o, '=');
    size_t bare = quote ? 0 : dump_bare_len(s);
    if (bare) {
        dump_putn(o, s, bare);
        return;
    }
    dump_putc(o, '"');
    while (*s) {
        /* a run that needs no escape goes out in one piece */
        size_t run = 0;
        for (unsigned char b; (b = (unsigned char)s[run]) >= 0x20 && b < 0x7f && b != '"' &&
                              b != '\\';)
            run++;
        if (run) {
            dump_putn(o, s, run);
            s += run;
            continue;
        }
        unsigned char c = (unsigned char)*s++;
        switch (c) {
        case '"':
            dump_puts(o, "\\\"");
            break;
        case '\\':
            dump_puts(o, "\\\\");
            break;
        case '\n':
            dump_puts(o, "\\n");
            break;
        case '\t':
            dump_puts(o, "\\t");
            break;
        case '\r':
            dump_puts(o, "\\r");
            break;
        default:
            /* control and non-ASCII bytes as escapes: the dump stays
             * 7-bit and one byte sequence has one spelling */
            dump_puts(o, "\\x");
            dump_putc(o, dump_hex[c >> 4]);
            dump_putc(o, dump_hex[c & 15]);
        }
    }
    dump_putc(o, '"');
}

/* Whether the data word at byte i prints as the address it holds. */
static int dump_word_at(const TraceEvent *ev, const XtrDumpStyle *style, uint32_t i)
{
    return i % 4 == 0 && i / 4 < XTR_DUMP_WORDS && (style->word_mask >> (i / 4) & 1) &&
           i + 4 <= ev->len;
}

static void dump_data(DumpOut *o, const TraceEvent *ev, const XtrDumpStyle *style)
{
    if (ev->kind == TRACE_BLOCKS && ev->len % 8 == 0) {
        dump_puts(o, " blocks=");
        for (uint32_t i = 0; i < ev->len && !o->over; i += 8)
            dump_printf(o, "%s0x%" PRIx32 ":%" PRIu32, i ? "," : "", xtr_le32(ev->data + i),
                        xtr_le32(ev->data + i + 4));
        return;
    }
    dump_puts(o, " data=");
    for (uint32_t i = 0; i < ev->len && !o->over; i++) {
        if (dump_word_at(ev, style, i)) {
            dump_putc(o, '[');
            dump_based(o, style->word_base[i / 4], style->word_off[i / 4], 1);
            dump_putc(o, ']');
            i += 3;
            continue;
        }
        /* plain bytes up to the next word printed as an address, with
         * one room check for the run */
        uint32_t end = style->word_mask ? i + 1 : ev->len;
        while (end < ev->len && !dump_word_at(ev, style, end))
            end++;
        if (o->used + 2 * (size_t)(end - i) >= o->cap) {
            o->over = 1;
            return;
        }
        char *w = o->p + o->used;
        for (uint32_t k = i; k < end; k++) {
            *w++ = dump_hex[ev->data[k] >> 4];
            *w++ = dump_hex[ev->data[k] & 15];
        }
        o->used += 2 * (size_t)(end - i);
        i = end - 1; /* the loop's i++ goes on from end */
    }
}

size_t xtr_dump_size(const TraceEvent *ev)
{
    /* the fixed part: "#seq t= d= pc=module+0xRVA KIND addr= size= value=" */
    size_t n = 256;
    const char *strs[3] = {ev->name, ev->reg, ev->text};
    for (int i = 0; i < 3; i++)
        if (strs[i])
            n += 8 + 4 * strlen(strs[i]); /* "\xNN" per byte at worst */
    if (ev->data) /* "0x%x:%u," is at most 22 per 8 bytes; a "[BASE+0xOFF]" word 77 per 4 */
        n += 16 + 3 * (size_t)ev->len + (ev->len <= 4 * XTR_DUMP_WORDS ? 80 * XTR_DUMP_WORDS : 0);
    return n;
}

int xtr_dump_line(XtrModules *mods, const TraceEvent *ev, char *buf, size_t len)
{
    return xtr_dump_line_styled(mods, ev, NULL, buf, len);
}

int xtr_dump_line_styled(XtrModules *mods, const TraceEvent *ev, const XtrDumpStyle *style,
                         char *buf, size_t len)
{
    static const XtrDumpStyle plain;
    if (!ev || (unsigned)ev->kind >= TRACE_KIND_COUNT || !buf || !len)
        return -1;
    if (!style)
        style = &plain;
    DumpOut o = {buf, 0, len, 0};
    unsigned use = xtr_kind_fields(ev->kind);
    if (!style->timeless) {
        dump_putc(&o, '#');
        dump_u64(&o, ev->seq, 0);
        dump_field(&o, "t", NULL, ev->vtime, 0);
        dump_putc(&o, ' ');
    }
    dump_puts(&o, "d=");
    dump_u64(&o, ev->depth, 0);
    if (style->pc_label) {
        dump_puts(&o, " pc=");
        dump_puts(&o, style->pc_label);
    } else if (ev->pc) {
        char pc[96];
        dump_printf(&o, " pc=%s", xtr_format_pc(mods, ev->pc, pc, sizeof pc));
    }
    dump_putc(&o, ' ');
    dump_puts(&o, trace_kind_name(ev->kind));
    /* a kind's own numbers always print (0 too); anything else that is
     * set prints as well, so no information is lost */
    if (ev->name)
        dump_string(&o, "name", ev->name, 0);
    if (style->addr_base || (use & XTR_F_ADDR) || ev->addr)
        dump_field(&o, "addr", style->addr_base, ev->addr, 1);
    if ((use & XTR_F_SIZE) || ev->size)
        dump_field(&o, "size", NULL, ev->size, 0);
    if (style->value_half && style->value_base) { /* a half of an address */
        dump_puts(&o, " value=(");
        dump_based(&o, style->value_base, ev->value, 1);
        dump_puts(&o, style->value_half == 1 ? ")[15:0]" : ")[31:16]");
    } else if (style->value_base || (use & XTR_F_VALUE) || ev->value) {
        dump_field(&o, "value", style->value_base, ev->value, 1);
    }
    if (ev->reg)
        dump_string(&o, "reg", ev->reg, 0);
    if (ev->text)
        dump_string(&o, "text", ev->text, 1);
    if (ev->data && ev->len)
        dump_data(&o, ev, style);
    dump_putc(&o, '\n');
    o.p[o.used] = '\0';
    if (o.over || o.used > INT32_MAX)
        return -1;
    /* after the line: a MODULE event's own pc is code that ran before the
     * mapping (the parser resolves it the same way) */
    xtr_modules_note(mods, ev);
    return (int)o.used;
}

/* ------------------------------------------------------------- parsing */

typedef struct DumpStore {
    char *p;
    size_t used, cap;
} DumpStore;

typedef struct DumpParse {
    const char *line, *s;
    DumpStore st;
    char why[128];
} DumpParse;

static int parse_fail(DumpParse *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int parse_fail(DumpParse *ps, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->why, sizeof ps->why, fmt, ap);
    va_end(ap);
    return -1;
}

static int parse_store(DumpParse *ps, char c)
{
    if (ps->st.used >= ps->st.cap)
        return parse_fail(ps, "store full (%zu bytes)", ps->st.cap);
    ps->st.p[ps->st.used++] = c;
    return 0;
}

static int parse_end_of_token(const char *s)
{
    return *s == ' ' || *s == '\n' || *s == '\0';
}

static int parse_hexdigit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_dec(DumpParse *ps, uint64_t max, uint64_t *out)
{
    const char *s = ps->s;
    uint64_t v = 0;
    if (*s < '0' || *s > '9')
        return parse_fail(ps, "expected a decimal number");
    for (; *s >= '0' && *s <= '9'; s++) {
        unsigned d = (unsigned)(*s - '0');
        if (v > (max - d) / 10)
            return parse_fail(ps, "number out of range");
        v = v * 10 + d;
    }
    ps->s = s;
    *out = v;
    return 0;
}

static int parse_hex(DumpParse *ps, uint64_t max, uint64_t *out)
{
    const char *s = ps->s;
    uint64_t v = 0;
    if (s[0] != '0' || s[1] != 'x' || parse_hexdigit(s[2]) < 0)
        return parse_fail(ps, "expected 0x and a hex number");
    for (s += 2; parse_hexdigit(*s) >= 0; s++) {
        if (v > max >> 4)
            return parse_fail(ps, "number out of range");
        v = v << 4 | (uint64_t)parse_hexdigit(*s);
    }
    ps->s = s;
    *out = v;
    return 0;
}

static int parse_string(DumpParse *ps, const char **out)
{
    const char *s = ps->s;
    size_t start = ps->st.used;
    if (*s != '"') {
        if (parse_end_of_token(s))
            return parse_fail(ps, "empty value");
        for (; !parse_end_of_token(s); s++) {
            unsigned char c = (unsigned char)*s;
            if (c < 0x20 || c >= 0x7f || c == '\\' || c == '"')
                return parse_fail(ps, "byte 0x%02x in an unquoted string", c);
            if (parse_store(ps, (char)c) < 0)
                return -1;
        }
    } else {
        for (s++;; s++) {
            unsigned char c = (unsigned char)*s;
            if (c == '\0' || c == '\n')
                return parse_fail(ps, "unterminated string");
            if (c == '"') {
                s++;
                break;
            }
            if (c == '\\') {
                s++;
                switch (*s) {
                case '"':
                case '\\':
                    c = (unsigned char)*s;
                    break;
                case 'n':
                    c = '\n';
                    break;
                case 't':
                    c = '\t';
                    break;
                case 'r':
                    c = '\r';
                    break;
                case 'x': {
                    int hi = parse_hexdigit(s[1]), lo = hi < 0 ? -1 : parse_hexdigit(s[2]);
                    if (lo < 0)
                        return parse_fail(ps, "\\x needs two hex digits");
                    c = (unsigned char)(hi << 4 | lo);
                    if (!c)
                        return parse_fail(ps, "\\x00 in a string");
                    s += 2;
                    break;
                }
                default:
                    return parse_fail(ps, "unknown escape");
                }
            }
            if (parse_store(ps, (char)c) < 0)
                return -1;
        }
    }
    if (parse_store(ps, '\0') < 0)
        return -1;
    ps->s = s;
    *out = ps->st.p + start;
    return 0;
}

static int parse_data(DumpParse *ps, TraceEvent *e)
{
    const char *s = ps->s;
    size_t start = ps->st.used;
    if (parse_end_of_token(s))
        return parse_fail(ps, "empty data");
    for (; !parse_end_of_token(s); s += 2) {
        int hi = parse_hexdigit(s[0]), lo = hi < 0 ? -1 : parse_hexdigit(s[1]);
        if (lo < 0)
            return parse_fail(ps, "data is not pairs of hex digits");
        if (parse_store(ps, (char)(hi << 4 | lo)) < 0)
            return -1;
    }
    if (ps->st.used - start > UINT32_MAX)
        return parse_fail(ps, "data too long");
    ps->s = s;
    e->data = (const uint8_t *)ps->st.p + start;
    e->len = (uint32_t)(ps->st.used - start);
    return 0;
}

static int parse_blocks(DumpParse *ps, TraceEvent *e)
{
    size_t start = ps->st.used;
    for (;;) {
        uint64_t rva = 0, size = 0;
        if (parse_hex(ps, UINT32_MAX, &rva) < 0)
            return -1;
        if (*ps->s != ':')
            return parse_fail(ps, "a block is rva:size");
        ps->s++;
        if (parse_dec(ps, UINT32_MAX, &size) < 0)
            return -1;
        for (int i = 0; i < 4; i++)
            if (parse_store(ps, (char)(rva >> (8 * i))) < 0)
                return -1;
        for (int i = 0; i < 4; i++)
            if (parse_store(ps, (char)(size >> (8 * i))) < 0)
                return -1;
        if (*ps->s != ',')
            break;
        ps->s++;
    }
    if (ps->st.used - start > UINT32_MAX)
        return parse_fail(ps, "blocks too long");
    e->data = (const uint8_t *)ps->st.p + start;
    e->len = (uint32_t)(ps->st.used - start);
    return 0;
}

static int parse_pc(DumpParse *ps, const XtrModules *mods, uint32_t *pc)
{
    const char *s = ps->s, *end = s, *plus = NULL;
    uint64_t v = 0;
    for (; !parse_end_of_token(end); end++)
        if (*end == '+' && !plus)
            plus = end;
    if (!plus) {
        if (parse_hex(ps, UINT32_MAX, &v) < 0)
            return -1;
        *pc = (uint32_t)v;
        return 0;
    }
    size_t n = (size_t)(plus - s);
    unsigned nmods = mods ? mods->n : 0;
    if (nmods > sizeof mods->m / sizeof mods->m[0])
        nmods = sizeof mods->m / sizeof mods->m[0];
    for (unsigned i = 0; i < nmods; i++) {
        if (strlen(mods->m[i].name) != n || memcmp(mods->m[i].name, s, n) != 0)
            continue;
        ps->s = plus + 1;
        if (parse_hex(ps, UINT32_MAX, &v) < 0)
            return -1;
        *pc = mods->m[i].base + (uint32_t)v;
        return 0;
    }
    return parse_fail(ps, "pc in unknown module \"%.*s\"", n > 63 ? 63 : (int)n, s);
}

enum {
    SEEN_T = 1u << 0,
    SEEN_D = 1u << 1,
    SEEN_PC = 1u << 2,
    SEEN_KIND = 1u << 3,
    SEEN_NAME = 1u << 4,
    SEEN_ADDR = 1u << 5,
    SEEN_SIZE = 1u << 6,
    SEEN_VALUE = 1u << 7,
    SEEN_REG = 1u << 8,
    SEEN_TEXT = 1u << 9,
    SEEN_DATA = 1u << 10,
};

static const struct {
    const char *key;
    unsigned bit;
} parse_keys[] = {
    {"t", SEEN_T},       {"d", SEEN_D},       {"pc", SEEN_PC},       {"name", SEEN_NAME},
    {"addr", SEEN_ADDR}, {"size", SEEN_SIZE}, {"value", SEEN_VALUE}, {"reg", SEEN_REG},
    {"text", SEEN_TEXT}, {"data", SEEN_DATA}, {"blocks", SEEN_DATA},
};

static int parse_field(DumpParse *ps, const XtrModules *mods, unsigned bit, const char *key,
                       TraceEvent *e)
{
    uint64_t v = 0;
    switch (bit) {
    case SEEN_T:
        return parse_dec(ps, UINT64_MAX, &e->vtime);
    case SEEN_D:
        if (parse_dec(ps, UINT32_MAX, &v) < 0)
            return -1;
        e->depth = (uint32_t)v;
        return 0;
    case SEEN_PC:
        return parse_pc(ps, mods, &e->pc);
    case SEEN_NAME:
        return parse_string(ps, &e->name);
    case SEEN_ADDR:
        if (parse_hex(ps, UINT32_MAX, &v) < 0)
            return -1;
        e->addr = (uint32_t)v;
        return 0;
    case SEEN_SIZE:
        if (parse_dec(ps, UINT32_MAX, &v) < 0)
            return -1;
        e->size = (uint32_t)v;
        return 0;
    case SEEN_VALUE:
        return parse_hex(ps, UINT64_MAX, &e->value);
    case SEEN_REG:
        return parse_string(ps, &e->reg);
    case SEEN_TEXT:
        return parse_string(ps, &e->text);
    default:
        return key[0] == 'b' ? parse_blocks(ps, e) : parse_data(ps, e);
    }
}

static int parse_tokens(DumpParse *ps, const XtrModules *mods, TraceEvent *e)
{
    uint64_t v = 0;
    unsigned seen = 0;
    if (*ps->s != '#')
        return parse_fail(ps, "a dump line starts with #");
    ps->s++;
    if (parse_dec(ps, UINT64_MAX, &v) < 0)
        return -1;
    e->seq = v;
    while (*ps->s == ' ') {
        const char *tok = ++ps->s, *p = tok;
        while (!parse_end_of_token(p) && *p != '=')
            p++;
        size_t n = (size_t)(p - tok);
        if (*p != '=') {
            char kname[32];
            if (seen & SEEN_KIND)
                return parse_fail(ps, "a second event kind");
            if (!n || n >= sizeof kname)
                return parse_fail(ps, "expected an event kind or key=value");
            memcpy(kname, tok, n);
            kname[n] = '\0';
            e->kind = trace_kind_from_name(kname);
            if (e->kind == TRACE_KIND_COUNT)
                return parse_fail(ps, "unknown event kind %s", kname);
            seen |= SEEN_KIND;
            ps->s = p;
            continue;
        }
        unsigned k;
        for (k = 0; k < sizeof parse_keys / sizeof parse_keys[0]; k++)
            if (strlen(parse_keys[k].key) == n && !memcmp(parse_keys[k].key, tok, n))
                break;
        if (k == sizeof parse_keys / sizeof parse_keys[0])
            return parse_fail(ps, "unknown field %.*s", n > 16 ? 16 : (int)n, tok);
        if (seen & parse_keys[k].bit)
            return parse_fail(ps, "field %s given twice", parse_keys[k].key);
        seen |= parse_keys[k].bit;
        ps->s = p + 1;
        if (parse_field(ps, mods, parse_keys[k].bit, parse_keys[k].key, e) < 0)
            return -1;
        if (!parse_end_of_token(ps->s))
            return parse_fail(ps, "junk after the %s value", parse_keys[k].key);
    }
    if (*ps->s == '\n')
        ps->s++;
    if (*ps->s)
        return parse_fail(ps, "unexpected character");
    if ((seen & (SEEN_T | SEEN_D | SEEN_KIND)) != (SEEN_T | SEEN_D | SEEN_KIND))
        return parse_fail(ps, "a dump line needs t=, d= and an event kind");
    return 0;
}

int xtr_parse_line(XtrModules *mods, const char *line, TraceEvent *ev, char *store, size_t storelen,
                   char *err, size_t errlen)
{
    if (!line || !ev) {
        if (err && errlen)
            snprintf(err, errlen, "no line");
        return -1;
    }
    DumpParse ps = {.line = line, .s = line, .st = {store, 0, store ? storelen : 0}};
    TraceEvent e = {0};
    if (parse_tokens(&ps, mods, &e) < 0) {
        if (err && errlen)
            snprintf(err, errlen, "column %zu: %s", (size_t)(ps.s - line) + 1, ps.why);
        return -1;
    }
    xtr_modules_note(mods, &e);
    *ev = e;
    return 0;
}
