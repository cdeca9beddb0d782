/* Windows INF files: the section/line/field syntax, %strkey% substitution,
 * the [Manufacturer] -> Models walk to hardware IDs, the AddReg values of a
 * device install section and of its service, and its LogConfig resources.
 *
 * Facts: Microsoft "General Syntax Rules for INF Files", "INF Strings
 * Section", "INF Manufacturer Section", "INF Models Section", "INF DDInstall
 * Section", "INF DDInstall.Services Section", "INF AddService Directive",
 * "INF AddReg Directive", "INF LogConfig Directive"
 * (learn.microsoft.com/windows-hardware/drivers/install; the Windows 95 DDK's
 * "IOConfig Item" for the I/O range forms),
 * and the limits in setupapi.h (MAX_INF_STRING_LENGTH 4096,
 * MAX_INF_SECTION_NAME_LENGTH 255). */
#include "pe/inf.h"
#include "pe/utf16.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INF_MAX_FILE (32u << 20)
#define INF_MAX_LINE 16384  /* logical line, continuations joined */
#define INF_MAX_STRING 4095 /* MAX_INF_STRING_LENGTH less the NUL */
#define INF_MAX_SECTION 255 /* MAX_INF_SECTION_NAME_LENGTH */
#define INF_MAX_FIELDS 4096
#define INF_MAX_ADDREG_REFS 1024 /* AddReg section references followed per call */
#define INF_MAX_VALUES 65536

/* AddReg flags ("INF AddReg Directive") */
#define FLG_ADDREG_BINVALUETYPE 0x00000001u
#define FLG_ADDREG_DELVAL 0x00000004u
#define FLG_ADDREG_KEYONLY 0x00000010u
#define FLG_ADDREG_TYPE_MASK 0xFFFF0001u
#define FLG_ADDREG_TYPE_SZ 0x00000000u
#define FLG_ADDREG_TYPE_MULTI_SZ 0x00010000u
#define FLG_ADDREG_TYPE_EXPAND_SZ 0x00020000u
#define FLG_ADDREG_TYPE_BINARY 0x00000001u
#define FLG_ADDREG_TYPE_DWORD 0x00010001u
#define FLG_ADDREG_TYPE_NONE 0x00020001u

/* AddService flags ("INF AddService Directive") */
#define SPSVCINST_ASSOCSERVICE 0x00000002u

/* Install-section decorations tried for an x86 system, most specific first
 * ("Creating INF Files for Multiple Platforms and Operating Systems"). */
static const char *const inf_decorations[] = {".NTx86", ".NT", ""};

/* ---- small utilities ------------------------------------------------------ */

static void inf_set_err(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Names quoted in errors come from the file: control characters are
 * replaced so the message stays one printable line. */
static void inf_clean_err(char *err)
{
    for (; *err; err++)
        if ((unsigned char)*err < 0x20 || *err == 0x7f)
            *err = '?';
}

static void inf_set_err(char *err, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(err, INF_ERR_MAX, fmt, ap);
    va_end(ap);
    inf_clean_err(err);
}

/* Section names, keys and directives are case-insensitive (General Syntax
 * Rules). ASCII folding, independent of the C locale. */
static int inf_fold(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int inf_strcmpi(const char *a, const char *b)
{
    for (;; a++, b++) {
        int x = inf_fold((unsigned char)*a), y = inf_fold((unsigned char)*b);
        if (x != y || x == 0)
            return x - y;
    }
}

static int inf_strneqi(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int x = inf_fold((unsigned char)a[i]), y = inf_fold((unsigned char)b[i]);
        if (x != y)
            return 0;
        if (x == 0)
            return 1;
    }
    return 1;
}

static char *inf_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Grow *arr when n reaches a power of two: capacity is implicit. */
static int inf_grow(void **arr, size_t n, size_t elem)
{
    void *p;
    size_t cap;

    if (n != 0 && (n & (n - 1)) != 0)
        return 0;
    cap = n ? n * 2 : 4;
    if (cap > SIZE_MAX / elem)
        return -1;
    p = realloc(*arr, cap * elem);
    if (!p)
        return -1;
    *arr = p;
    return 0;
}

typedef struct InfBuf {
    char *p;
    size_t len, cap;
} InfBuf;

static int inf_buf_put(InfBuf *b, const char *s, size_t n)
{
    if (b->cap - b->len <= n) {
        size_t cap = b->cap ? b->cap : 256;
        char *p;
        while (cap - b->len <= n)
            cap *= 2;
        p = realloc(b->p, cap);
        if (!p)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

/* ---- parsing -------------------------------------------------------------- */

typedef struct InfParser {
    Inf *inf;
    const char *text;
    size_t len, pos;
    int lineno; /* physical line number of the next line to read */
    int have_cur;
    size_t cur; /* index of the section lines go to */
} InfParser;

static int inf_fail(InfParser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int inf_fail(InfParser *p, int line, const char *fmt, ...)
{
    va_list ap;
    int n = 0;

    if (line > 0)
        n = snprintf(p->inf->err, sizeof p->inf->err, "line %d: ", line);
    va_start(ap, fmt);
    vsnprintf(p->inf->err + n, sizeof p->inf->err - (size_t)n, fmt, ap);
    va_end(ap);
    inf_clean_err(p->inf->err);
    return -1;
}

/* Read one logical line into b: a ';' outside double quotes starts a
 * comment, and a backslash as the last character outside quotes joins the
 * next line (General Syntax Rules: "Line Format, Continuation, and
 * Comments"). A quoted string ends on its own line. Returns 1, 0 at the
 * end of the text, -1 on error. */
static int inf_read_line(InfParser *p, InfBuf *b, int *lineno)
{
    if (p->pos >= p->len)
        return 0;
    /* one allocation for the longest line allowed, reused */
    if (b->cap < INF_MAX_LINE + 1) {
        char *n = realloc(b->p, INF_MAX_LINE + 1);
        if (!n)
            return inf_fail(p, p->lineno, "out of memory");
        b->p = n;
        b->cap = INF_MAX_LINE + 1;
    }
    b->len = 0;
    *lineno = p->lineno;
    for (;;) {
        int inq = 0, comment = 0, phys = p->lineno;
        size_t seg = b->len, sig = b->len;

        while (p->pos < p->len) {
            char ch = p->text[p->pos];

            if (ch == '\n' || ch == '\r')
                break;
            p->pos++;
            if (ch == '\0')
                return inf_fail(p, phys, "NUL character");
            if (comment)
                continue;
            if (ch == '"')
                inq = !inq;
            else if (ch == ';' && !inq) {
                comment = 1;
                continue;
            }
            if (b->len >= INF_MAX_LINE)
                return inf_fail(p, *lineno, "line longer than %d characters", INF_MAX_LINE);
            b->p[b->len++] = ch;
            if (ch != ' ' && ch != '\t')
                sig = b->len;
        }
        if (p->pos < p->len) { /* CR LF, LF or a lone CR */
            if (p->text[p->pos++] == '\r' && p->pos < p->len && p->text[p->pos] == '\n')
                p->pos++;
        }
        p->lineno++;
        b->p[b->len] = '\0';
        if (inq)
            return inf_fail(p, phys, "unterminated quoted string");
        /* With quotes balanced, a final backslash lies outside them. */
        if (sig > seg && b->p[sig - 1] == '\\') {
            b->len = sig - 1;
            b->p[b->len] = '\0';
            if (p->pos < p->len)
                continue;
        }
        return 1;
    }
}

/* Unquote and trim one field: whitespace outside quotes is dropped at both
 * ends, the quotes are removed and "" inside quotes stands for one '"'
 * ("INF Strings Section"). */
static char *inf_unquote(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    size_t i = 0, o = 0, keep = 0;
    int inq = 0;

    if (!out)
        return NULL;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    for (; i < n; i++) {
        char ch = s[i];

        if (ch == '"') {
            if (inq && i + 1 < n && s[i + 1] == '"') {
                out[o++] = '"';
                i++;
            } else {
                inq = !inq;
            }
            keep = o;
            continue;
        }
        out[o++] = ch;
        if (inq || (ch != ' ' && ch != '\t'))
            keep = o;
    }
    out[keep] = '\0';
    return out;
}

/* Next ',' or '=' (when `eq`) outside quotes at or after i, or n. */
static size_t inf_next_sep(const char *s, size_t i, size_t n, int eq)
{
    int inq = 0;

    for (; i < n; i++) {
        if (s[i] == '"')
            inq = !inq;
        else if (!inq && (s[i] == ',' || (eq && s[i] == '=')))
            return i;
    }
    return n;
}

/* Split an entry into key (text before the first '=' outside quotes) and
 * comma-separated fields. */
static int inf_split_line(InfParser *p, const char *s, size_t n, int lineno, InfLine *l)
{
    size_t eq, i, nf = 0;
    int blank = 1;

    memset(l, 0, sizeof *l);
    l->lineno = lineno;
    eq = n;
    for (i = 0; (i = inf_next_sep(s, i, n, 1)) < n; i++)
        if (s[i] == '=') {
            eq = i;
            break;
        }
    i = 0;
    if (eq < n) {
        l->key = inf_unquote(s, eq);
        if (!l->key)
            return inf_fail(p, lineno, "out of memory");
        i = eq + 1;
        for (size_t k = i; k < n; k++)
            if (s[k] != ' ' && s[k] != '\t')
                blank = 0;
        if (blank)
            return 0;
    }
    for (size_t k = i;; k++) {
        k = inf_next_sep(s, k, n, 0);
        nf++;
        if (k >= n)
            break;
    }
    if (nf > INF_MAX_FIELDS)
        return inf_fail(p, lineno, "more than %d fields", INF_MAX_FIELDS);
    l->fields = calloc(nf, sizeof *l->fields);
    if (!l->fields)
        return inf_fail(p, lineno, "out of memory");
    for (size_t f = 0; f < nf; f++) {
        size_t e = inf_next_sep(s, i, n, 0);
        l->fields[f] = inf_unquote(s + i, e - i);
        if (!l->fields[f])
            return inf_fail(p, lineno, "out of memory");
        l->nfields++;
        i = e + 1;
    }
    return 0;
}

static void inf_free_line(InfLine *l)
{
    free(l->key);
    for (size_t i = 0; i < l->nfields; i++)
        free(l->fields[i]);
    free(l->fields);
}

/* Sections with the same name are merged (General Syntax Rules). */
static int inf_open_section(InfParser *p, const char *name, int lineno)
{
    Inf *inf = p->inf;

    for (size_t i = 0; i < inf->nsections; i++)
        if (inf_strcmpi(inf->sections[i].name, name) == 0) {
            p->cur = i;
            p->have_cur = 1;
            return 0;
        }
    if (inf_grow((void **)&inf->sections, inf->nsections, sizeof *inf->sections))
        return inf_fail(p, lineno, "out of memory");
    memset(&inf->sections[inf->nsections], 0, sizeof inf->sections[0]);
    inf->sections[inf->nsections].name = inf_strndup(name, strlen(name));
    if (!inf->sections[inf->nsections].name)
        return inf_fail(p, lineno, "out of memory");
    p->cur = inf->nsections++;
    p->have_cur = 1;
    return 0;
}

/* One logical line: a [section] header, or an entry of the current section. */
static int inf_parse_logical(InfParser *p, char *s, size_t n, int lineno)
{
    InfSection *sec;
    InfLine l;
    size_t a = 0;

    while (a < n && (s[a] == ' ' || s[a] == '\t'))
        a++;
    if (a == n)
        return 0;
    if (s[a] == '[') {
        char *close = memchr(s + a + 1, ']', n - a - 1);
        size_t b, z;

        if (!close)
            return inf_fail(p, lineno, "unterminated section name");
        b = a + 1;
        z = (size_t)(close - s);
        while (b < z && (s[b] == ' ' || s[b] == '\t'))
            b++;
        while (z > b && (s[z - 1] == ' ' || s[z - 1] == '\t'))
            z--;
        if (b == z)
            return inf_fail(p, lineno, "empty section name");
        if (z - b > INF_MAX_SECTION)
            return inf_fail(p, lineno, "section name longer than %d characters", INF_MAX_SECTION);
        /* Anything after ']' is ignored, as comments are. */
        s[z] = '\0';
        return inf_open_section(p, s + b, lineno);
    }
    /* Entries before the first section header belong to no section. */
    if (!p->have_cur)
        return 0;
    sec = &p->inf->sections[p->cur];
    if (inf_grow((void **)&sec->lines, sec->nlines, sizeof *sec->lines))
        return inf_fail(p, lineno, "out of memory");
    if (inf_split_line(p, s + a, n - a, lineno, &l)) {
        inf_free_line(&l);
        return -1;
    }
    sec->lines[sec->nlines++] = l;
    return 0;
}

/* ---- %strkey% substitution ------------------------------------------------ */

typedef struct InfString {
    const char *key;
    char *value; /* with %% already reduced to % */
    size_t order;
} InfString;

typedef struct InfStrings {
    InfString *v;
    size_t n;
} InfStrings;

static int inf_is_strings_section(const char *name)
{
    return inf_strcmpi(name, "Strings") == 0 ||
           (inf_strneqi(name, "Strings.", 8) && strlen(name) >= 8);
}

/* Rank of a Strings section: the US English one ([Strings.0409]), then the
 * undecorated one, then other languages ("INF Strings Section": Windows
 * picks the section for the system locale, else [Strings]; xdrv
 * presents itself as en-US). */
static int inf_strings_rank(const char *name)
{
    if (inf_strcmpi(name, "Strings.0409") == 0)
        return 0;
    if (inf_strcmpi(name, "Strings") == 0)
        return 1;
    return 2;
}

/* %% -> % (strkey values and [Strings] entries are otherwise literal). */
static char *inf_unescape_percent(const char *s)
{
    size_t n = strlen(s), o = 0;
    char *d = malloc(n + 1);

    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        d[o++] = s[i];
        if (s[i] == '%' && s[i + 1] == '%')
            i++;
    }
    d[o] = '\0';
    return d;
}

static int inf_string_cmp(const void *a, const void *b)
{
    const InfString *x = a, *y = b;
    int c = inf_strcmpi(x->key, y->key);

    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static void inf_free_strings(InfStrings *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].value);
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

/* Collect every strkey, best-ranked section first; sort for lookup, keeping
 * the first definition of each key. */
static int inf_build_strings(Inf *inf, InfStrings *t)
{
    size_t total = 0, k = 0;

    for (size_t i = 0; i < inf->nsections; i++)
        if (inf_is_strings_section(inf->sections[i].name))
            total += inf->sections[i].nlines;
    t->v = calloc(total ? total : 1, sizeof *t->v);
    if (!t->v)
        return -1;
    for (int rank = 0; rank < 3; rank++)
        for (size_t i = 0; i < inf->nsections; i++) {
            const InfSection *s = &inf->sections[i];
            if (!inf_is_strings_section(s->name) || inf_strings_rank(s->name) != rank)
                continue;
            for (size_t j = 0; j < s->nlines; j++) {
                const InfLine *l = &s->lines[j];
                if (!l->key)
                    continue;
                t->v[t->n].key = l->key;
                t->v[t->n].order = k++;
                t->v[t->n].value = inf_unescape_percent(l->nfields ? l->fields[0] : "");
                if (!t->v[t->n].value)
                    return -1;
                t->n++;
            }
        }
    qsort(t->v, t->n, sizeof *t->v, inf_string_cmp);
    return 0;
}

/* Compare NUL-terminated `a` with the n-byte token `b`, case-insensitively. */
static int inf_cmp_token(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int x = inf_fold((unsigned char)a[i]), y = inf_fold((unsigned char)b[i]);
        if (x != y)
            return x - y; /* also when a ends first: x == 0 < y */
    }
    return a[n] ? 1 : 0;
}

static const char *inf_lookup_string(const InfStrings *t, const char *key, size_t n)
{
    size_t lo = 0, hi = t->n;

    /* lower bound: the first (best-ranked) definition of the key */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (inf_cmp_token(t->v[mid].key, key, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->n && inf_cmp_token(t->v[lo].key, key, n) == 0)
        return t->v[lo].value;
    return NULL;
}

/* Replace %strkey% tokens by their [Strings] value and %% by %. An unknown
 * token, or a lone %, stays as written. The result must fit in
 * MAX_INF_STRING_LENGTH. */
static int inf_substitute(InfParser *p, const InfStrings *t, char **sp, int lineno)
{
    const char *s = *sp;
    InfBuf b = {0};

    if (!strchr(s, '%'))
        return strlen(s) > INF_MAX_STRING
                   ? inf_fail(p, lineno, "string longer than %d characters", INF_MAX_STRING)
                   : 0;
    for (size_t i = 0; s[i];) {
        const char *close;
        const char *val;

        if (s[i] != '%') {
            size_t j = i;
            while (s[j] && s[j] != '%')
                j++;
            if (inf_buf_put(&b, s + i, j - i))
                goto oom;
            i = j;
        } else if (s[i + 1] == '%') {
            if (inf_buf_put(&b, "%", 1))
                goto oom;
            i += 2;
        } else if ((close = strchr(s + i + 1, '%')) != NULL &&
                   (val = inf_lookup_string(t, s + i + 1, (size_t)(close - s - i - 1)))) {
            if (inf_buf_put(&b, val, strlen(val)))
                goto oom;
            i = (size_t)(close - s) + 1;
        } else if (close) {
            size_t n = (size_t)(close - s) + 1 - i;
            if (inf_buf_put(&b, s + i, n))
                goto oom;
            i += n;
        } else {
            if (inf_buf_put(&b, s + i, strlen(s + i)))
                goto oom;
            break;
        }
        if (b.len > INF_MAX_STRING) {
            free(b.p);
            return inf_fail(p, lineno,
                            "string longer than %d characters after %%strkey%% "
                            "substitution",
                            INF_MAX_STRING);
        }
    }
    if (!b.p && inf_buf_put(&b, "", 0))
        goto oom;
    free(*sp);
    *sp = b.p;
    return 0;
oom:
    free(b.p);
    return inf_fail(p, lineno, "out of memory");
}

static int inf_substitute_all(InfParser *p)
{
    Inf *inf = p->inf;
    InfStrings t = {0};
    int rc = -1;

    if (inf_build_strings(inf, &t)) {
        inf_fail(p, 0, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < inf->nsections; i++) {
        InfSection *s = &inf->sections[i];
        int strings = inf_is_strings_section(s->name);

        for (size_t j = 0; j < s->nlines; j++) {
            InfLine *l = &s->lines[j];

            if (strings) {
                /* strkey values are literal apart from %% */
                for (size_t f = 0; f < l->nfields; f++) {
                    char *u = inf_unescape_percent(l->fields[f]);
                    if (!u) {
                        inf_fail(p, l->lineno, "out of memory");
                        goto out;
                    }
                    free(l->fields[f]);
                    l->fields[f] = u;
                }
                continue;
            }
            if (l->key && inf_substitute(p, &t, &l->key, l->lineno))
                goto out;
            for (size_t f = 0; f < l->nfields; f++)
                if (inf_substitute(p, &t, &l->fields[f], l->lineno))
                    goto out;
        }
    }
    rc = 0;
out:
    inf_free_strings(&t);
    return rc;
}

/* ---- text decoding --------------------------------------------------------- */

/* UTF-16 files start with a byte order mark; UTF-8 ones may. Anything else
 * is taken as bytes (ASCII, UTF-8 or an ANSI code page). */
static int inf_decode(Inf *inf, const char *text, size_t len, char **out, size_t *outlen)
{
    const uint8_t *u = (const uint8_t *)text;
    char *d;

    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        int be = u[0] == 0xFE;
        size_t units = (len - 2) / 2;

        if ((len - 2) % 2) {
            snprintf(inf->err, sizeof inf->err, "truncated UTF-16 text (odd byte count)");
            return -1;
        }
        d = malloc(3 * units + 1);
        if (!d)
            goto oom;
        *outlen = utf16_to_utf8(u + 2, units, be, d, 3 * units + 1);
        *out = d;
        return 0;
    }
    if (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
        text += 3;
        len -= 3;
    }
    d = inf_strndup(text, len);
    if (!d)
        goto oom;
    *out = d;
    *outlen = len;
    return 0;
oom:
    snprintf(inf->err, sizeof inf->err, "out of memory");
    return -1;
}

int inf_parse(Inf *inf, const char *text, size_t len)
{
    InfParser p = {.inf = inf, .lineno = 1};
    InfBuf line = {0};
    char *buf = NULL;
    size_t n;
    int lineno = 0, r;

    memset(inf, 0, sizeof *inf);
    if (!text && len)
        return inf_fail(&p, 0, "no text");
    if (len > INF_MAX_FILE)
        return inf_fail(&p, 0, "file too large (%zu bytes, limit %u)", len, INF_MAX_FILE);
    if (inf_decode(inf, text ? text : "", len, &buf, &n))
        return -1;
    /* Ctrl-Z, the old DOS end-of-file mark, ends the text. */
    {
        char *eof = memchr(buf, 0x1A, n);
        if (eof)
            n = (size_t)(eof - buf);
    }
    p.text = buf;
    p.len = n;
    while ((r = inf_read_line(&p, &line, &lineno)) > 0)
        if (inf_parse_logical(&p, line.p, line.len, lineno))
            goto fail;
    if (r < 0 || inf_substitute_all(&p))
        goto fail;
    free(line.p);
    free(buf);
    inf->err[0] = '\0';
    return 0;
fail:
    free(line.p);
    free(buf);
    {
        char err[INF_ERR_MAX];
        memcpy(err, inf->err, sizeof err);
        inf_free(inf);
        memcpy(inf->err, err, sizeof err);
    }
    return -1;
}

int inf_load_file(Inf *inf, const char *path)
{
    FILE *fp;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc;

    memset(inf, 0, sizeof *inf);
    fp = fopen(path, "rb");
    if (!fp) {
        snprintf(inf->err, sizeof inf->err, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    for (;;) {
        size_t got;
        if (len == cap) {
            char *nb;
            if (cap > INF_MAX_FILE) {
                snprintf(inf->err, sizeof inf->err, "%s: file too large", path);
                goto fail;
            }
            cap = cap ? cap * 2 : 16384;
            nb = realloc(buf, cap);
            if (!nb) {
                snprintf(inf->err, sizeof inf->err, "out of memory reading %s", path);
                goto fail;
            }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, fp);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        snprintf(inf->err, sizeof inf->err, "cannot read %s", path);
        goto fail;
    }
    fclose(fp);
    rc = inf_parse(inf, buf, len);
    free(buf);
    return rc;
fail:
    free(buf);
    fclose(fp);
    return -1;
}

void inf_free(Inf *inf)
{
    if (!inf)
        return;
    for (size_t i = 0; i < inf->nsections; i++) {
        InfSection *s = &inf->sections[i];
        for (size_t j = 0; j < s->nlines; j++)
            inf_free_line(&s->lines[j]);
        free(s->lines);
        free(s->name);
    }
    free(inf->sections);
    memset(inf, 0, sizeof *inf);
}

const InfSection *inf_section(const Inf *inf, const char *name)
{
    if (!inf || !name)
        return NULL;
    for (size_t i = 0; i < inf->nsections; i++)
        if (inf_strcmpi(inf->sections[i].name, name) == 0)
            return &inf->sections[i];
    return NULL;
}

const char *inf_value(const Inf *inf, const char *section, const char *key)
{
    const InfSection *s = inf_section(inf, section);

    if (!s || !key)
        return NULL;
    for (size_t i = 0; i < s->nlines; i++)
        if (s->lines[i].key && inf_strcmpi(s->lines[i].key, key) == 0)
            return s->lines[i].nfields ? s->lines[i].fields[0] : "";
    return NULL;
}

/* Section `base` + `suffix`, or NULL (also when the name would exceed the
 * section name limit, since no such section can exist). */
static const InfSection *inf_section2(const Inf *inf, const char *base, const char *suffix)
{
    char name[INF_MAX_SECTION + 1];
    size_t a = strlen(base), b = strlen(suffix);

    if (a + b > INF_MAX_SECTION)
        return NULL;
    memcpy(name, base, a);
    memcpy(name + a, suffix, b + 1);
    return inf_section(inf, name);
}

/* ---- hardware IDs ------------------------------------------------------------ */

static int inf_add_hwid(InfHardwareId **v, size_t *n, const char *desc, const char *install,
                        const char *hwid)
{
    InfHardwareId *h;

    if (*n >= INF_MAX_VALUES || inf_grow((void **)v, *n, sizeof **v))
        return -1;
    h = &(*v)[*n];
    h->description = strdup(desc);
    h->install = strdup(install);
    h->hwid = strdup(hwid);
    (*n)++;
    if (!h->description || !h->install || !h->hwid)
        return -1;
    return 0;
}

/* "INF Manufacturer Section": each entry is `%strkey% = models-section
 * [, TargetOSVersion ...]` (the models sections are the undecorated name
 * and name.TargetOSVersion for each decoration), or just a name that is
 * also the models section. "INF Models Section": `device-description =
 * install-section, hw-id [, compatible-id ...]`. */
int inf_hardware_ids_err(const Inf *inf, InfHardwareId **out, char *err)
{
    const InfSection *mfg = inf_section(inf, "Manufacturer");
    const InfSection **seen = NULL;
    InfHardwareId *v = NULL;
    size_t n = 0, nseen = 0;

    *out = NULL;
    if (!mfg)
        return 0;
    for (size_t i = 0; i < mfg->nlines; i++) {
        const InfLine *m = &mfg->lines[i];
        const char *models = m->nfields ? m->fields[0] : NULL;
        int found = 0;

        if (!models || !*models)
            continue;
        for (size_t d = 0; d <= (m->key ? m->nfields - 1 : 0); d++) {
            const InfSection *s;
            int dup = 0;

            if (d == 0)
                s = inf_section(inf, models);
            else {
                char suffix[INF_MAX_SECTION + 2];
                if (!*m->fields[d] || strlen(m->fields[d]) > INF_MAX_SECTION)
                    continue;
                snprintf(suffix, sizeof suffix, ".%s", m->fields[d]);
                s = inf_section2(inf, models, suffix);
            }
            if (!s)
                continue;
            found = 1;
            for (size_t k = 0; k < nseen; k++)
                dup |= seen[k] == s;
            if (dup)
                continue;
            if (inf_grow((void **)&seen, nseen, sizeof *seen)) {
                inf_set_err(err, "out of memory");
                goto fail;
            }
            seen[nseen++] = s;
            for (size_t j = 0; j < s->nlines; j++) {
                const InfLine *l = &s->lines[j];

                if (!l->key) {
                    inf_set_err(err, "line %d: model entry without '=' in [%s]", l->lineno,
                                s->name);
                    goto fail;
                }
                if (l->nfields < 1 || !*l->fields[0])
                    continue;
                for (size_t f = 1; f < l->nfields; f++) {
                    if (!*l->fields[f])
                        continue;
                    if (inf_add_hwid(&v, &n, l->key, l->fields[0], l->fields[f])) {
                        inf_set_err(err, "too many hardware IDs or out of memory");
                        goto fail;
                    }
                }
            }
        }
        if (!found) {
            inf_set_err(err, "line %d: models section '%s' not found", m->lineno, models);
            goto fail;
        }
    }
    free(seen);
    *out = v;
    return (int)n;
fail:
    free(seen);
    inf_free_hwids(v, n);
    return -1;
}

int inf_hardware_ids(const Inf *inf, InfHardwareId **out)
{
    return inf_hardware_ids_err(inf, out, NULL);
}

void inf_free_hwids(InfHardwareId *ids, size_t n)
{
    if (!ids)
        return;
    for (size_t i = 0; i < n; i++) {
        free(ids[i].description);
        free(ids[i].install);
        free(ids[i].hwid);
    }
    free(ids);
}

/* ---- install sections, services, AddReg ------------------------------------ */

/* The install section Windows would use on x86: DDInstall.NTx86, then
 * DDInstall.NT, then DDInstall. */
static const InfSection *inf_pick_install(const Inf *inf, const char *install)
{
    for (size_t i = 0; i < sizeof inf_decorations / sizeof inf_decorations[0]; i++) {
        const InfSection *s = inf_section2(inf, install, inf_decorations[i]);
        if (s)
            return s;
    }
    return NULL;
}

/* DDInstall.Services goes with the DDInstall section chosen; fall back to
 * the other decorations in the same order. */
static const InfSection *inf_pick_services(const Inf *inf, const char *install,
                                           const InfSection *dd)
{
    const InfSection *s = inf_section2(inf, dd->name, ".Services");

    for (size_t i = 0; !s && i < sizeof inf_decorations / sizeof inf_decorations[0]; i++) {
        char suffix[32];
        snprintf(suffix, sizeof suffix, "%s.Services", inf_decorations[i]);
        s = inf_section2(inf, install, suffix);
    }
    return s;
}

static int inf_parse_u32(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    int base = 10;

    if (!*s) {
        *out = 0;
        return 0;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (!*s)
            return -1;
    }
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (base == 16 && inf_fold((unsigned char)*s) >= 'a' &&
                 inf_fold((unsigned char)*s) <= 'f')
            d = inf_fold((unsigned char)*s) - 'a' + 10;
        else
            return -1;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > 0xFFFFFFFFu)
            return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

/* The AddService entry naming the device's function driver: the one with
 * SPSVCINST_ASSOCSERVICE, else the first with a service name. */
static const InfLine *inf_pick_addservice(const InfSection *svc)
{
    const InfLine *first = NULL;

    for (size_t i = 0; i < svc->nlines; i++) {
        const InfLine *l = &svc->lines[i];
        uint32_t flags = 0;

        if (!l->key || inf_strcmpi(l->key, "AddService") != 0 || l->nfields < 1 || !*l->fields[0])
            continue;
        if (l->nfields >= 2 && inf_parse_u32(l->fields[1], &flags) == 0 &&
            (flags & SPSVCINST_ASSOCSERVICE))
            return l;
        if (!first)
            first = l;
    }
    return first;
}

typedef struct InfRegList {
    InfRegValue *v;
    size_t n;
    size_t refs; /* AddReg sections followed */
} InfRegList;

/* The FLG_ADDREG_TYPE_* values ("INF AddReg Directive") and their REG_* type. */
static const struct {
    uint32_t flags;
    uint32_t type;
} inf_reg_types[] = {
    {FLG_ADDREG_TYPE_SZ, INF_REG_SZ},
    {FLG_ADDREG_TYPE_MULTI_SZ, INF_REG_MULTI_SZ},
    {FLG_ADDREG_TYPE_EXPAND_SZ, INF_REG_EXPAND_SZ},
    {FLG_ADDREG_TYPE_BINARY, INF_REG_BINARY},
    {FLG_ADDREG_TYPE_DWORD, INF_REG_DWORD},
    {FLG_ADDREG_TYPE_NONE, INF_REG_NONE},
};

static int inf_reg_type(uint32_t flags, uint32_t *type)
{
    for (size_t i = 0; i < sizeof inf_reg_types / sizeof inf_reg_types[0]; i++)
        if ((flags & FLG_ADDREG_TYPE_MASK) == inf_reg_types[i].flags) {
            *type = inf_reg_types[i].type;
            return 0;
        }
    /* Other types: FLG_ADDREG_BINVALUETYPE with the REG_* type in the high
     * word (same document), e.g. 0x000B0001 for REG_QWORD. */
    if (flags & FLG_ADDREG_BINVALUETYPE) {
        *type = flags >> 16;
        return 0;
    }
    return -1;
}

/* `reg-root, [subkey], [value-entry-name], [flags], [value] [,[value]]...` */
static int inf_add_regvalue(InfRegList *L, const InfLine *l, int from_service, char *err)
{
    InfRegValue *r;
    InfBuf data = {0};
    uint32_t flags = 0, type;

    if (l->key) {
        inf_set_err(err, "line %d: '=' in an AddReg entry (quote the value)", l->lineno);
        return -1;
    }
    if (l->nfields < 3)
        return 0; /* creates a key only */
    if (l->nfields >= 4 && inf_parse_u32(l->fields[3], &flags)) {
        inf_set_err(err, "line %d: bad AddReg flags '%s'", l->lineno, l->fields[3]);
        return -1;
    }
    if (flags & (FLG_ADDREG_KEYONLY | FLG_ADDREG_DELVAL))
        return 0;
    if (inf_reg_type(flags, &type)) {
        inf_set_err(err, "line %d: AddReg flags 0x%08x give no value type", l->lineno, flags);
        return -1;
    }
    if (L->n >= INF_MAX_VALUES) {
        inf_set_err(err, "more than %d AddReg values", INF_MAX_VALUES);
        return -1;
    }
    for (size_t f = 4; f < l->nfields; f++) {
        const char *s = l->fields[f];
        int rc = 0;

        if (type == INF_REG_SZ || type == INF_REG_EXPAND_SZ) {
            rc = inf_buf_put(&data, s, strlen(s));
            f = l->nfields; /* the first value only */
        } else if (type == INF_REG_MULTI_SZ) {
            if (*s) /* an empty string would end the list early */
                rc = inf_buf_put(&data, s, strlen(s) + 1);
        } else {
            if (f > 4)
                rc = inf_buf_put(&data, ",", 1);
            if (!rc)
                rc = inf_buf_put(&data, s, strlen(s));
        }
        if (rc)
            goto oom;
    }
    if (type == INF_REG_MULTI_SZ) {
        if (inf_buf_put(&data, "", 1))
            goto oom;
    } else if (!data.p && inf_buf_put(&data, "", 0)) {
        goto oom;
    }
    if (inf_grow((void **)&L->v, L->n, sizeof *L->v))
        goto oom;
    r = &L->v[L->n];
    memset(r, 0, sizeof *r);
    r->root = strdup(l->fields[0]);
    r->subkey = strdup(l->fields[1]);
    r->name = strdup(l->fields[2]);
    r->type = type;
    r->flags = flags;
    r->data = data.p;
    r->data_len = data.len;
    r->from_service = from_service;
    L->n++;
    if (!r->root || !r->subkey || !r->name) {
        inf_set_err(err, "out of memory");
        return -1;
    }
    return 0;
oom:
    free(data.p);
    inf_set_err(err, "out of memory");
    return -1;
}

/* Every AddReg= entry of `sec`, in order, each naming one or more
 * add-registry sections. */
static int inf_collect_addreg(const Inf *inf, const InfSection *sec, InfRegList *L,
                              int from_service, char *err)
{
    for (size_t i = 0; i < sec->nlines; i++) {
        const InfLine *l = &sec->lines[i];

        if (!l->key || inf_strcmpi(l->key, "AddReg") != 0)
            continue;
        for (size_t f = 0; f < l->nfields; f++) {
            const InfSection *rs;

            if (!*l->fields[f])
                continue;
            if (++L->refs > INF_MAX_ADDREG_REFS) {
                inf_set_err(err, "line %d: more than %d AddReg section references", l->lineno,
                            INF_MAX_ADDREG_REFS);
                return -1;
            }
            rs = inf_section(inf, l->fields[f]);
            if (!rs) {
                inf_set_err(err, "line %d: AddReg section '%s' not found", l->lineno, l->fields[f]);
                return -1;
            }
            for (size_t j = 0; j < rs->nlines; j++)
                if (inf_add_regvalue(L, &rs->lines[j], from_service, err))
                    return -1;
        }
    }
    return 0;
}

/* The install section a model line names (decorated for x86 when the INF
 * has such a section), or NULL with the reason in err. */
static const InfSection *install_section(const Inf *inf, const char *install, char *err)
{
    if (!inf || !install) {
        inf_set_err(err, "no INF or install section");
        return NULL;
    }
    const InfSection *dd = inf_pick_install(inf, install);
    if (!dd)
        inf_set_err(err, "install section '%s' not found", install);
    return dd;
}

int inf_reg_values_err(const Inf *inf, const char *install, InfRegValue **out, char *err)
{
    InfRegList L = {0};
    const InfSection *dd, *svc;

    *out = NULL;
    if (!(dd = install_section(inf, install, err)))
        return -1;
    if (inf_collect_addreg(inf, dd, &L, 0, err))
        goto fail;
    svc = inf_pick_services(inf, install, dd);
    if (svc) {
        /* AddService = ServiceName, [flags], service-install-section, ... */
        const InfLine *as = inf_pick_addservice(svc);
        if (as && as->nfields >= 3 && *as->fields[2]) {
            const InfSection *ss = inf_section(inf, as->fields[2]);
            if (!ss) {
                inf_set_err(err, "line %d: service install section '%s' not found", as->lineno,
                            as->fields[2]);
                goto fail;
            }
            if (inf_collect_addreg(inf, ss, &L, 1, err))
                goto fail;
        }
    }
    *out = L.v;
    return (int)L.n;
fail:
    inf_free_regvalues(L.v, L.n);
    return -1;
}

int inf_reg_values(const Inf *inf, const char *install, InfRegValue **out)
{
    return inf_reg_values_err(inf, install, out, NULL);
}

void inf_free_regvalues(InfRegValue *v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++) {
        free(v[i].root);
        free(v[i].subkey);
        free(v[i].name);
        free(v[i].data);
    }
    free(v);
}

const char *inf_service_name(const Inf *inf, const char *install)
{
    const InfSection *dd, *svc;
    const InfLine *as;

    if (!inf || !install || !(dd = inf_pick_install(inf, install)))
        return "";
    svc = inf_pick_services(inf, install, dd);
    as = svc ? inf_pick_addservice(svc) : NULL;
    return as ? as->fields[0] : "";
}

/* ---- the files an install copies -------------------------------------------- */

/* The last path component ("%12%\\rtl8139.sys" -> "rtl8139.sys"). */
static const char *inf_basename(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '\\' || *p == '/')
            b = p + 1;
    return b;
}

const char *inf_service_binary(const Inf *inf, const char *install)
{
    const InfSection *dd, *svc, *si;
    const InfLine *as;

    if (!inf || !install || !(dd = inf_pick_install(inf, install)))
        return "";
    svc = inf_pick_services(inf, install, dd);
    as = svc ? inf_pick_addservice(svc) : NULL;
    /* AddService = name, flags, service-install-section[, ...] */
    if (!as || as->nfields < 3 || !(si = inf_section(inf, as->fields[2])))
        return "";
    for (size_t i = 0; i < si->nlines; i++) {
        const InfLine *l = &si->lines[i];
        if (l->key && !inf_strcmpi(l->key, "ServiceBinary") && l->nfields >= 1)
            return inf_basename(l->fields[0]);
    }
    return "";
}

static int inf_files_add(char ***files, size_t *n, const char *name, char *err)
{
    if (!*name)
        return 0;
    for (size_t i = 0; i < *n; i++)
        if (!inf_strcmpi((*files)[i], name))
            return 0; /* Windows file names: case does not matter */
    char **f = realloc(*files, (*n + 1) * sizeof *f);
    if (!f || !(f[*n] = strdup(name))) {
        if (f)
            *files = f;
        snprintf(err, INF_ERR_MAX, "out of memory");
        return -1;
    }
    *files = f;
    (*n)++;
    return 0;
}

/* "INF CopyFiles Directive": CopyFiles = file-list-section[, ...] or
 * @filename; a file-list section's lines are destination-file-name[,
 * source-file-name[, temporary-file-name[, flag]]], the source name being
 * the destination's when not given. "INF AddService Directive": the
 * service-install section's ServiceBinary names the driver image. */
int inf_install_files(const Inf *inf, const char *install, char ***files, size_t *n, char *err)
{
    char dummy[INF_ERR_MAX];
    const InfSection *dd;

    if (!err)
        err = dummy;
    *files = NULL;
    *n = 0;
    if (!inf || !install || !(dd = inf_pick_install(inf, install))) {
        snprintf(err, INF_ERR_MAX, "no install section [%s]", install ? install : "");
        return -1;
    }
    for (size_t i = 0; i < dd->nlines; i++) {
        const InfLine *l = &dd->lines[i];
        if (!l->key || inf_strcmpi(l->key, "CopyFiles"))
            continue;
        for (size_t f = 0; f < l->nfields; f++) {
            const char *v = l->fields[f];
            if (v[0] == '@') {
                if (inf_files_add(files, n, inf_basename(v + 1), err) < 0)
                    goto fail;
                continue;
            }
            const InfSection *list = inf_section(inf, v);
            if (!list) {
                snprintf(err, INF_ERR_MAX, "line %d: CopyFiles names [%s], which the INF lacks",
                         l->lineno, v);
                goto fail;
            }
            for (size_t k = 0; k < list->nlines; k++) {
                const InfLine *fl = &list->lines[k];
                /* a line without '=' is the file; its fields are the names */
                const char *dst = fl->key ? fl->key : fl->nfields ? fl->fields[0] : "";
                const char *src = !fl->key && fl->nfields >= 2 && *fl->fields[1] ? fl->fields[1]
                                  : fl->key && fl->nfields >= 1 && *fl->fields[0] ? fl->fields[0]
                                                                                  : dst;
                if (inf_files_add(files, n, inf_basename(src), err) < 0)
                    goto fail;
            }
        }
    }
    if (inf_files_add(files, n, inf_service_binary(inf, install), err) < 0)
        goto fail;
    return 0;
fail:
    inf_free_files(*files, *n);
    *files = NULL;
    *n = 0;
    return -1;
}

void inf_free_files(char **files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
}

/* ---- LogConfig ------------------------------------------------------------- */

#define INF_MAX_LOGCONFIGS 1024 /* log-config sections followed per call */

/* ConfigPriority keywords ("INF LogConfig Directive") and their LCPRI_*
 * values (cfgmgr32.h). */
static const struct {
    const char *name;
    uint32_t pri;
} inf_lc_priorities[] = {
    {"DESIRED", INF_LCPRI_DESIRED},
    {"NORMAL", INF_LCPRI_NORMAL},
    {"SUBOPTIMAL", INF_LCPRI_SUBOPTIMAL},
    {"RESTART", INF_LCPRI_RESTART},
    {"REBOOT", INF_LCPRI_RESTART},
    {"POWEROFF", INF_LCPRI_POWEROFF},
    {"HARDRECONFIG", INF_LCPRI_HARDRECONFIG},
    {"HARDWIRED", INF_LCPRI_HARDWIRED},
    {"DISABLED", INF_LCPRI_DISABLED},
};

/* A hexadecimal number of at most 16 bits at *s (LogConfig values are hex
 * without a prefix); advances *s. -1 if there is none or it is larger. */
static int inf_lc_hex16(const char **s, uint32_t *out)
{
    const char *p = *s;
    uint32_t v = 0;
    int n = 0;

    for (;; p++, n++) {
        int c = inf_fold((unsigned char)*p), d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            break;
        v = v * 16 + (uint32_t)d;
        if (v > 0xFFFF)
            return -1;
    }
    if (!n)
        return -1;
    *s = p;
    *out = v;
    return 0;
}

/* `start-end[(...)]` or `size@min-max[%align][(...)]`. */
static int inf_lc_io_range(const char *f, InfIoRange *r)
{
    const char *p = f;
    uint32_t a, b, c;

    while (*p == ' ' || *p == '\t')
        p++;
    if (inf_lc_hex16(&p, &a))
        return -1;
    if (*p == '@') {
        p++;
        if (inf_lc_hex16(&p, &b) || *p++ != '-' || inf_lc_hex16(&p, &c))
            return -1;
        r->size = a;
        r->min = b;
        r->max = c;
        r->align = 0xFFFF;
        if (*p == '%') {
            p++;
            if (inf_lc_hex16(&p, &r->align))
                return -1;
        }
        if (!a || c < b || c - b + 1 < a)
            return -1;
    } else if (*p == '-') {
        p++;
        if (inf_lc_hex16(&p, &b) || b < a)
            return -1;
        r->size = b - a + 1;
        r->min = a;
        r->max = b;
        r->align = 0xFFFF;
    } else {
        return -1;
    }
    if (*p == '(') {
        const char *close = strchr(p, ')');
        if (!close)
            return -1;
        for (const char *q = p + 1; q < close; q++) {
            int ch = inf_fold((unsigned char)*q);
            if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || ch == ':' ||
                  ch == ' '))
                return -1;
        }
        p = close + 1;
    }
    while (*p == ' ' || *p == '\t')
        p++;
    return *p ? -1 : 0;
}

/* `[IRQattrs:]IRQNum[,IRQNum]...`, decimal IRQ numbers. */
static int inf_lc_irqs(const InfLine *l, InfLogConfig *c, char *err)
{
    for (size_t f = 0; f < l->nfields; f++) {
        const char *s = l->fields[f];
        const char *colon = f == 0 ? strchr(s, ':') : NULL;
        uint32_t v = 0;
        int n = 0;

        if (colon) {
            for (const char *q = s; q < colon; q++) {
                int ch = inf_fold((unsigned char)*q);
                if (ch < 'a' || ch > 'z') {
                    inf_set_err(err, "line %d: bad IRQConfig attributes '%.*s'", l->lineno,
                                (int)(colon - s), s);
                    return -1;
                }
                if (ch == 'l')
                    c->irq_level = 1;
            }
            s = colon + 1;
        }
        for (; *s >= '0' && *s <= '9' && v < 1000; s++, n++)
            v = v * 10 + (uint32_t)(*s - '0');
        if (!n || *s) {
            inf_set_err(err, "line %d: bad IRQConfig value '%s'", l->lineno, l->fields[f]);
            return -1;
        }
        if (v >= INF_LC_MAX_IRQ) {
            inf_set_err(err, "line %d: IRQ %u out of range 0-%d", l->lineno, v,
                        INF_LC_MAX_IRQ - 1);
            return -1;
        }
        int dup = 0;
        for (unsigned i = 0; i < c->nirq; i++)
            dup |= c->irq[i] == v;
        if (!dup)
            c->irq[c->nirq++] = (uint8_t)v;
    }
    return 0;
}

static int inf_lc_section(const InfSection *sec, InfLogConfig *c, char *err)
{
    memset(c, 0, sizeof *c);
    c->priority = INF_LCPRI_NORMAL;
    c->section = strdup(sec->name);
    if (!c->section) {
        inf_set_err(err, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < sec->nlines; i++) {
        const InfLine *l = &sec->lines[i];

        if (!l->key)
            continue;
        if (inf_strcmpi(l->key, "ConfigPriority") == 0) {
            size_t k, n = sizeof inf_lc_priorities / sizeof inf_lc_priorities[0];
            const char *v = l->nfields ? l->fields[0] : "";
            for (k = 0; k < n && inf_strcmpi(v, inf_lc_priorities[k].name) != 0; k++)
                ;
            if (k == n) {
                inf_set_err(err, "line %d: unknown ConfigPriority '%s'", l->lineno, v);
                return -1;
            }
            c->priority = inf_lc_priorities[k].pri;
        } else if (inf_strcmpi(l->key, "IOConfig") == 0) {
            for (size_t f = 0; f < l->nfields; f++) {
                if (c->nio == INF_LC_MAX_IO) {
                    inf_set_err(err, "line %d: more than %d I/O ranges in [%s]", l->lineno,
                                INF_LC_MAX_IO, sec->name);
                    return -1;
                }
                if (inf_lc_io_range(l->fields[f], &c->io[c->nio])) {
                    inf_set_err(err, "line %d: bad IOConfig range '%s'", l->lineno,
                                l->fields[f]);
                    return -1;
                }
                c->nio++;
            }
        } else if (inf_strcmpi(l->key, "IRQConfig") == 0) {
            if (inf_lc_irqs(l, c, err))
                return -1;
        }
    }
    return 0;
}

/* Every log-config section a LogConfig= entry of `sec` names, in order. */
static int inf_lc_collect(const Inf *inf, const InfSection *sec, InfLogConfig **v, size_t *n,
                          char *err)
{
    for (size_t i = 0; i < sec->nlines; i++) {
        const InfLine *l = &sec->lines[i];

        if (!l->key || inf_strcmpi(l->key, "LogConfig") != 0)
            continue;
        for (size_t f = 0; f < l->nfields; f++) {
            const InfSection *lc;

            if (!*l->fields[f])
                continue;
            if (*n >= INF_MAX_LOGCONFIGS) {
                inf_set_err(err, "line %d: more than %d LogConfig sections", l->lineno,
                            INF_MAX_LOGCONFIGS);
                return -1;
            }
            lc = inf_section(inf, l->fields[f]);
            if (!lc) {
                inf_set_err(err, "line %d: LogConfig section '%s' not found", l->lineno,
                            l->fields[f]);
                return -1;
            }
            if (inf_grow((void **)v, *n, sizeof **v)) {
                inf_set_err(err, "out of memory");
                return -1;
            }
            (*n)++;
            if (inf_lc_section(lc, &(*v)[*n - 1], err))
                return -1;
        }
    }
    return 0;
}

int inf_log_configs_err(const Inf *inf, const char *install, InfLogConfig **out, char *err)
{
    InfLogConfig *v = NULL;
    size_t n = 0;
    const InfSection *dd, *ov;

    *out = NULL;
    if (!(dd = install_section(inf, install, err)))
        return -1;
    ov = inf_section2(inf, dd->name, ".LogConfigOverride");
    if ((ov && inf_lc_collect(inf, ov, &v, &n, err)) || inf_lc_collect(inf, dd, &v, &n, err)) {
        inf_free_log_configs(v, n);
        return -1;
    }
    *out = v;
    return (int)n;
}

void inf_free_log_configs(InfLogConfig *c, size_t n)
{
    if (!c)
        return;
    for (size_t i = 0; i < n; i++)
        free(c[i].section);
    free(c);
}
