/* The C source of a driver that performs a specification (synth.h,
 * docs/synth.md). The emitted code follows interp.c step by step, and where
 * C would differ from it, it says so in its own terms:
 * - every expression has the interpreter's unsigned 64-bit meaning: an
 *   operation that could be done in int in C (1 << 40, 0 - 1) is written
 *   on uint64_t; division, remainder and shifts whose right side is not a
 *   constant the interpreter accepts as is go through helpers that give 0;
 * - && and || evaluate both sides when a side calls an op (addr() calls
 *   ReplayOps.buf_addr), as the interpreter does;
 * - the parts of an action are evaluated in the interpreter's order, and
 *   an operator's sides left to right, whenever more than one of them calls
 *   an op: the earlier ones into locals first (C leaves the order open);
 * - register writes and indices are cut to 32 bits, wrap variables reduced
 *   on every assignment, bank registers kept in shadows, as interp.c does.
 * Expressions a person would not write (x >= 0, x == x) stay as written:
 * the file turns off, for itself only, the warnings about comparisons that
 * are constant. */
#include "replay/synth.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "replay/interp.h"

#define ID_MAX 128              /* bytes of a C name made from a spec name, with its NUL */
#define SRC_FILE_MAX (4u << 20) /* the parser's limit on a specification's size */
#define DEPTH_MAX 32            /* brackets nested in an expression, before a local */

/* ------------------------------------------------------------ text */

typedef struct Out {
    char *p;
    size_t len, cap;
    int oom;
} Out;

static void out_write(Out *o, const char *s, size_t n)
{
    if (o->oom)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->p, cap);
        if (!p) {
            o->oom = 1;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void out_puts(Out *o, const char *s)
{
    out_write(o, s, strlen(s));
}

static void out_printf(Out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(Out *o, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->oom = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        out_write(o, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        o->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    out_write(o, big, (size_t)n);
    free(big);
}

/* Appends another buffer (and takes its out-of-memory state). */
static void out_cat(Out *o, const Out *t)
{
    if (t->oom)
        o->oom = 1;
    else if (t->len)
        out_write(o, t->p, t->len);
}

static const char *out_str(const Out *o)
{
    return o->p ? o->p : "";
}

static void out_free(Out *o)
{
    free(o->p);
    *o = (Out){0};
}

static void out_indent(Out *o, int level)
{
    for (int i = 0; i < level; i++)
        out_puts(o, "    ");
}

/* Text for the inside of a C comment: no comment delimiters, no control
 * characters (the comment stays on its line), no trigraph. */
static void out_comment_text(Out *o, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c == '*' && s[1] == '/') || (c == '/' && s[1] == '*')) {
            char pair[3] = {(char)c, ' ', '\0'};
            out_puts(o, pair);
        } else if (c < 0x20 || c == 0x7f || (c == '?' && s[1] == '?')) {
            out_puts(o, c == '?' ? "? " : " "); /* one line, no trigraph */
        } else {
            out_write(o, (const char *)&c, 1);
        }
    }
}

/* A C string literal holding exactly the bytes of s. */
static void out_c_string(Out *o, const char *s)
{
    out_puts(o, "\"");
    for (unsigned char prev = 0; *s; prev = (unsigned char)*s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            out_printf(o, "\\%c", c);
        else if (c == '?' && prev == '?') /* no trigraph */
            out_puts(o, "\\?");
        else if (c < 0x20 || c >= 0x7f)
            out_printf(o, "\\%03o", c);
        else
            out_write(o, (const char *)&c, 1);
    }
    out_puts(o, "\"");
}

/* ------------------------------------------------------------ names */

/* A set of strings, to make the C names unique. */
typedef struct NameSet {
    char **slot;
    size_t cap, n;
    int oom;
} NameSet;

static size_t name_hash(const char *s)
{
    size_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int nameset_has(const NameSet *ns, const char *s)
{
    if (!ns->cap)
        return 0;
    for (size_t i = name_hash(s) & (ns->cap - 1);; i = (i + 1) & (ns->cap - 1)) {
        if (!ns->slot[i])
            return 0;
        if (!strcmp(ns->slot[i], s))
            return 1;
    }
}

static void nameset_add(NameSet *ns, const char *s)
{
    if (ns->oom || nameset_has(ns, s))
        return;
    if ((ns->n + 1) * 2 > ns->cap) {
        size_t cap = ns->cap ? ns->cap * 2 : 64;
        char **slot = calloc(cap, sizeof *slot);
        if (!slot) {
            ns->oom = 1;
            return;
        }
        for (size_t i = 0; i < ns->cap; i++) {
            if (!ns->slot[i])
                continue;
            size_t j = name_hash(ns->slot[i]) & (cap - 1);
            while (slot[j])
                j = (j + 1) & (cap - 1);
            slot[j] = ns->slot[i];
        }
        free(ns->slot);
        ns->slot = slot;
        ns->cap = cap;
    }
    char *copy = strdup(s);
    if (!copy) {
        ns->oom = 1;
        return;
    }
    size_t j = name_hash(s) & (ns->cap - 1);
    while (ns->slot[j])
        j = (j + 1) & (ns->cap - 1);
    ns->slot[j] = copy;
    ns->n++;
}

static void nameset_free(NameSet *ns)
{
    for (size_t i = 0; i < ns->cap; i++)
        free(ns->slot[i]);
    free(ns->slot);
    *ns = (NameSet){0};
}

static void str_upper(char *dst, const char *src, size_t n)
{
    size_t i = 0;
    for (; src[i] && i + 1 < n; i++)
        dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 'a' + 'A') : src[i];
    dst[i] = '\0';
}

/* A spec name ([A-Za-z_][A-Za-z0-9_.]*) as part of a C name. */
static void c_part(char *dst, const char *name, size_t n)
{
    snprintf(dst, n, "%s", name);
    for (char *p = dst; *p; p++)
        if (*p == '.' || *p == '-')
            *p = '_';
}

/* base, or base_2, base_3 ... the first not in ns (compared in upper case
 * when fold: the name becomes a macro). */
static void name_unique(NameSet *ns, const char *base, int fold, char out[ID_MAX])
{
    char cand[ID_MAX], key[ID_MAX];
    snprintf(cand, sizeof cand, "%s", base);
    for (unsigned n = 2;; n++) {
        if (fold)
            str_upper(key, cand, sizeof key);
        else
            snprintf(key, sizeof key, "%s", cand);
        if (!nameset_has(ns, key) || ns->oom) {
            nameset_add(ns, key);
            snprintf(out, ID_MAX, "%s", cand);
            return;
        }
        snprintf(cand, sizeof cand, "%s_%u", base, n);
    }
}

/* Names a variable cannot keep as a struct field: C's keywords, the macros
 * and types the file sees, the compiler's predefined lower-case macros. */
static int field_name_taken(const char *n, const char *prefix_upper, const char *camel)
{
    static const char *const words[] = {
        "auto",     "break",  "case",   "char",     "const",    "continue", "default",  "do",
        "double",   "else",   "enum",   "extern",   "float",    "for",      "goto",     "if",
        "inline",   "int",    "long",   "register", "restrict", "return",   "short",    "signed",
        "sizeof",   "static", "struct", "switch",   "typedef",  "union",    "unsigned", "void",
        "volatile", "while",  "asm",    "typeof",   "NULL",     "offsetof", "linux",    "unix",
        "i386",     "bool",   "true",   "false",    "errno",    "EOF",
    };
    static const char *const starts[] = {
        "INT8_",    "INT16_",   "INT32_",  "INT64_",   "INT_",        "INTPTR_",
        "INTMAX_",  "UINT8_",   "UINT16_", "UINT32_",  "UINT64_",     "UINT_",
        "UINTPTR_", "UINTMAX_", "SIZE_",   "PTRDIFF_", "SIG_ATOMIC_", "WCHAR_",
        "WINT_",    "SPEC_",    "REPLAY_", "XDRV_",    "Spec",        "Replay",
    };
    size_t len = strlen(n);
    if (n[0] == '_' || (len > 2 && !strcmp(n + len - 2, "_t")))
        return 1;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(n, words[i]))
            return 1;
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++)
        if (!strncmp(n, starts[i], strlen(starts[i])))
            return 1;
    size_t pl = strlen(prefix_upper), cl = strlen(camel);
    return (!strncmp(n, prefix_upper, pl) && n[pl] == '_') || !strncmp(n, camel, cl);
}

/* ------------------------------------------------------------ the generator */

enum {
    H_DIV = 1u << 0,
    H_MOD = 1u << 1,
    H_SHL = 1u << 2,
    H_SHR = 1u << 3,
    H_LAND = 1u << 4,
    H_LOR = 1u << 5,
    H_ADDR = 1u << 6,
    H_MEM = 1u << 7,
    H_PUT = 1u << 8,
    H_GET = 1u << 9,
    H_COPY = 1u << 10,
    H_ENTER = 1u << 11,
    H_UNIT = 1u << 12,
};

typedef struct Synth {
    const Spec *s;
    const char *path;
    char pre[SYNTH_PREFIX_MAX + 1];   /* xsm */
    char up[SYNTH_PREFIX_MAX + 1];    /* XSM */
    char camel[SYNTH_PREFIX_MAX + 1]; /* Xsm */
    /* C names: macro suffixes (upper case) and name parts */
    char (*win)[ID_MAX], (*reg)[ID_MAX], (*buf)[ID_MAX], (*var)[ID_MAX], (*state)[ID_MAX],
        (*fn)[ID_MAX];
    char (*win_m)[ID_MAX], (*reg_m)[ID_MAX], (*buf_m)[ID_MAX], (*state_m)[ID_MAX];
    uint8_t *reg_read, *reg_written, *shadowed; /* per register */
    unsigned helpers;                           /* H_* */
    /* the specification's text, by line (NULL when unreadable) */
    char *text;
    char **line;
    uint32_t nlines;
    int bad; /* the Spec's indices do not hold together */
    /* where the statement being written evaluates parts of itself first */
    Out *seq;
    int seq_lv;
    unsigned *hoists; /* h1, h2 ... of the function */
} Synth;

/* One function being written. */
typedef struct Fn {
    Out body;
    int need_p, need_v, need_n, need_i, need_tries;
    unsigned hoists; /* h1, h2 ... */
} Fn;

static const char *const c_requests[SPEC_REQ_COUNT] = {
#define X(id, name) [SPEC_REQ_##id] = "SPEC_REQ_" #id,
    SPEC_REQUESTS(X)
#undef X
};

static const char *const c_params[SPEC_PARAM_COUNT_] = {
    [SPEC_PARAM_LEN] = "SPEC_PARAM_LEN",
    [SPEC_PARAM_FILTER] = "SPEC_PARAM_FILTER",
    [SPEC_PARAM_COUNT] = "SPEC_PARAM_COUNT",
    [SPEC_PARAM_UP] = "SPEC_PARAM_UP",
};

static const SpecExpr *expr_at(Synth *y, uint32_t e)
{
    if (e >= y->s->nexprs) {
        y->bad = 1;
        return NULL;
    }
    return &y->s->exprs[e];
}

static const SpecAction *action_at(Synth *y, SpecBlock b, uint32_t i)
{
    const Spec *s = y->s;
    if (b.count > s->nlist || b.first > s->nlist - b.count || s->list[b.first + i] >= s->nactions) {
        y->bad = 1;
        return NULL;
    }
    return &s->actions[s->list[b.first + i]];
}

static uint32_t element_count(const SpecBuffer *b)
{
    return b->count ? b->count : 1;
}

/* A constant as C source: hex where it is a bit pattern (hex = 1: an
 * operand of & | ^ ~, a register's or a descriptor's value), a power of two
 * or a mask from 0x10000 up, or past 32 bits; decimal where it counts. */
static void out_num(Out *o, uint64_t v, int hex)
{
    int round = v >= 0x10000 && ((v & (v - 1)) == 0 || (v & (v + 1)) == 0);
    if (v < 10 || (!hex && !round && v <= UINT32_MAX))
        out_printf(o, "%llu", (unsigned long long)v);
    else
        out_printf(o, "0x%llx", (unsigned long long)v);
}

/* ---- the specification's lines, quoted in comments ---- */

static void src_load(Synth *y)
{
    if (!y->path || !strcmp(y->path, "-"))
        return;
    FILE *f = fopen(y->path, "rb");
    if (!f)
        return;
    size_t cap = 1 << 16, len = 0;
    char *t = malloc(cap + 1);
    while (t) {
        size_t n = fread(t + len, 1, cap - len, f);
        len += n;
        if (len < cap || cap > SRC_FILE_MAX)
            break;
        char *more = realloc(t, cap * 2 + 1);
        if (!more) {
            free(t);
            t = NULL;
            break;
        }
        t = more;
        cap *= 2;
    }
    fclose(f);
    if (!t || len > SRC_FILE_MAX) {
        free(t);
        return;
    }
    t[len] = '\0';
    uint32_t n = 1;
    for (size_t i = 0; i < len; i++)
        n += t[i] == '\n';
    y->line = calloc((size_t)n + 1, sizeof *y->line);
    if (!y->line) {
        free(t);
        return;
    }
    y->text = t;
    y->line[1] = t;
    uint32_t at = 1;
    for (size_t i = 0; i < len; i++) {
        if (t[i] != '\n')
            continue;
        t[i] = '\0';
        if (i && t[i - 1] == '\r')
            t[i - 1] = '\0';
        y->line[++at] = t + i + 1;
    }
    y->nlines = at;
}

/* Line n of the specification with its blanks squeezed, when it starts
 * with the keyword `kw` (it is the line the parser read); else 0. */
static int src_quote(const Synth *y, uint32_t n, const char *kw, Out *o)
{
    if (!y->line || n == 0 || n > y->nlines)
        return 0;
    const char *p = y->line[n];
    while (*p == ' ' || *p == '\t')
        p++;
    size_t k = strlen(kw);
    if (strncmp(p, kw, k) != 0 || (p[k] && p[k] != ' ' && p[k] != '\t' && p[k] != '#'))
        return 0;
    Out t = {0};
    int in_str = 0, blank = 0;
    for (; *p; p++) {
        if (!in_str && (*p == ' ' || *p == '\t')) {
            blank = 1;
            continue;
        }
        if (blank)
            out_puts(&t, " ");
        blank = 0;
        if (*p == '"')
            in_str = !in_str;
        else if (in_str && *p == '\\' && p[1])
            out_write(&t, p++, 1);
        out_write(&t, p, 1);
    }
    out_comment_text(o, out_str(&t));
    int ok = !t.oom;
    out_free(&t);
    return ok;
}

/* ---- the specification written back from its AST (when its text is not
 * at hand), for the comments ---- */

/* (unary operators and primaries bind tighter than any binary one) */
static int spec_prec(uint8_t op)
{
    int p = spec_op_precedence(op);
    return p ? p : 11;
}

static int op_is_bits(uint8_t op)
{
    return op == '&' || op == '|' || op == '^';
}

static void spec_expr_text(Synth *y, uint32_t e, int parent, int right, int hex, Out *o)
{
    const SpecExpr *x = expr_at(y, e);
    if (!x)
        return;
    const Spec *s = y->s;
    switch (x->kind) {
    case SPEC_E_NUM:
        out_num(o, x->num, hex);
        return;
    case SPEC_E_VAR:
        out_puts(o, x->a < s->nvars ? s->vars[x->a].name : "?");
        return;
    case SPEC_E_PARAM:
        out_puts(o, x->a < SPEC_PARAM_COUNT_ ? spec_param_name((SpecParam)x->a) : "?");
        return;
    case SPEC_E_ADDR:
    case SPEC_E_SIZE:
        out_printf(o, "%s(%s", x->kind == SPEC_E_ADDR ? "addr" : "size",
                   x->a < s->nbuffers ? s->buffers[x->a].name : "?");
        if (x->kind == SPEC_E_ADDR && x->b != SPEC_NONE) {
            out_puts(o, "[");
            spec_expr_text(y, x->b, 0, 0, 0, o);
            out_puts(o, "]");
        }
        out_puts(o, ")");
        return;
    case SPEC_E_UNARY:
        out_printf(o, "%c", x->op);
        spec_expr_text(y, x->a, 11, 0, x->op == '~', o);
        return;
    default: {
        int p = spec_prec(x->op);
        int paren = p < parent || (right && p == parent);
        int h = op_is_bits(x->op);
        if (paren)
            out_puts(o, "(");
        spec_expr_text(y, x->a, p, 0, h, o);
        out_printf(o, " %s ", spec_op_text(x->op));
        spec_expr_text(y, x->b, p, 1, h, o);
        if (paren)
            out_puts(o, ")");
    }
    }
}

static void spec_ref_text(Synth *y, const char *name, uint32_t idx, Out *o)
{
    out_puts(o, name);
    if (idx != SPEC_NONE) {
        out_puts(o, "[");
        spec_expr_text(y, idx, 0, 0, 0, o);
        out_puts(o, "]");
    }
}

static const char *const action_words[] = {
    [SPEC_A_WRITE] = "write",     [SPEC_A_READ] = "read",
    [SPEC_A_POLL] = "poll",       [SPEC_A_STORE] = "store",
    [SPEC_A_LOAD] = "load",       [SPEC_A_COPY] = "copy",
    [SPEC_A_DELIVER] = "deliver", [SPEC_A_COMPLETE] = "complete",
    [SPEC_A_LINK] = "linkstate",  [SPEC_A_SET] = "set",
    [SPEC_A_IF] = "if",           [SPEC_A_REPEAT] = "repeat",
    [SPEC_A_BREAK] = "break",     [SPEC_A_FALLBACK] = "fallback",
    [SPEC_A_FROM] = "from",       [SPEC_A_NOTE] = "note",
    [SPEC_A_OUTS] = "outs",       [SPEC_A_INS] = "ins",
};

static const char *string_at(const Synth *y, uint32_t i)
{
    return i < y->s->nstrings && y->s->strings[i] ? y->s->strings[i] : "";
}

/* An action as the specification would say it (its first line). */
static void spec_action_text(Synth *y, const SpecAction *a, Out *o)
{
    const Spec *s = y->s;
    const char *reg = a->reg < s->nregs ? s->regs[a->reg].name : "?";
    const char *buf = a->buf < s->nbuffers ? s->buffers[a->buf].name : "?";
    const char *var = a->var < s->nvars ? s->vars[a->var].name : "?";
    out_printf(o, "%s ", a->kind <= SPEC_A_INS ? action_words[a->kind] : "?");
    switch (a->kind) {
    case SPEC_A_WRITE:
        spec_ref_text(y, reg, a->idx, o);
        out_puts(o, " ");
        spec_expr_text(y, a->value, 0, 0, 1, o);
        break;
    case SPEC_A_READ:
        spec_ref_text(y, reg, a->idx, o);
        out_printf(o, " -> %s", var);
        break;
    case SPEC_A_POLL:
        spec_ref_text(y, reg, a->idx, o);
        out_puts(o, " ");
        out_num(o, a->mask, 1);
        out_puts(o, " ");
        out_num(o, a->match, 1);
        out_printf(o, " max %u", a->max);
        if (a->stall)
            out_printf(o, " stall %u", a->stall);
        out_printf(o, " else %s",
                   a->on_timeout == SPEC_TIMEOUT_FAIL       ? "fail"
                   : a->on_timeout == SPEC_TIMEOUT_CONTINUE ? "continue"
                                                            : "fallback");
        break;
    case SPEC_A_STORE:
    case SPEC_A_LOAD:
        spec_ref_text(y, buf, a->idx, o);
        out_puts(o, " ");
        spec_expr_text(y, a->offset, 0, 0, 0, o);
        out_printf(o, " %u ", a->width);
        if (a->kind == SPEC_A_STORE)
            spec_expr_text(y, a->value, 0, 0, 1, o);
        else
            out_printf(o, "-> %s", var);
        break;
    case SPEC_A_COPY:
    case SPEC_A_DELIVER:
        spec_ref_text(y, buf, a->idx, o);
        out_puts(o, " ");
        spec_expr_text(y, a->offset, 0, 0, 0, o);
        if (a->kind == SPEC_A_DELIVER) {
            out_puts(o, " ");
            /* a length that starts with '-' would join the offset */
            const SpecExpr *v = a->value < s->nexprs ? &s->exprs[a->value] : NULL;
            int minus = v && v->kind == SPEC_E_UNARY && v->op == '-';
            out_puts(o, minus ? "(" : "");
            spec_expr_text(y, a->value, 0, 0, 0, o);
            out_puts(o, minus ? ")" : "");
        }
        break;
    case SPEC_A_OUTS:
    case SPEC_A_INS: {
        out_printf(o, "%s ", reg);
        if (a->kind == SPEC_A_INS) {
            spec_ref_text(y, buf, a->idx, o);
            out_puts(o, " ");
            spec_expr_text(y, a->offset, 0, 0, 0, o);
            out_puts(o, " ");
        }
        const SpecExpr *v = a->value < s->nexprs ? &s->exprs[a->value] : NULL;
        int minus = a->kind == SPEC_A_INS && v && v->kind == SPEC_E_UNARY && v->op == '-';
        out_puts(o, minus ? "(" : "");
        spec_expr_text(y, a->value, 0, 0, 0, o);
        out_puts(o, minus ? ")" : "");
        break;
    }
    case SPEC_A_LINK:
    case SPEC_A_IF:
        spec_expr_text(y, a->value, 0, 0, 0, o);
        break;
    case SPEC_A_SET:
        out_printf(o, "%s ", var);
        spec_expr_text(y, a->value, 0, 0, 0, o);
        break;
    case SPEC_A_REPEAT:
        out_printf(o, "%u", a->max);
        break;
    case SPEC_A_BREAK:
        out_puts(o, "if ");
        spec_expr_text(y, a->value, 0, 0, 0, o);
        break;
    case SPEC_A_FALLBACK:
    case SPEC_A_NOTE:
    case SPEC_A_FROM: {
        Out q = {0};
        out_c_string(&q, string_at(y, a->text));
        out_cat(o, &q);
        out_free(&q);
        if (a->kind == SPEC_A_FROM)
            out_printf(o, " %llu %llu", (unsigned long long)a->mask, (unsigned long long)a->match);
        break;
    }
    default:
        break;
    }
    while (o->len && o->p[o->len - 1] == ' ')
        o->p[--o->len] = '\0';
}

/* "line N: the action" for a comment. */
static void action_comment(Synth *y, const SpecAction *a, Out *o)
{
    out_printf(o, "line %u: ", a->line);
    const char *kw = a->kind <= SPEC_A_INS ? action_words[a->kind] : "";
    if (src_quote(y, a->line, kw, o))
        return;
    Out t = {0};
    spec_action_text(y, a, &t);
    out_comment_text(o, out_str(&t));
    out_free(&t);
}

static void transition_comment(Synth *y, const SpecTransition *tr, Out *o)
{
    const Spec *s = y->s;
    if (src_quote(y, tr->line, "on", o))
        return;
    Out t = {0};
    out_printf(&t, "on %s %s -> %s", spec_request_name((SpecRequest)tr->req),
               tr->from == SPEC_NONE   ? "*"
               : tr->from < s->nstates ? s->states[tr->from].name
                                       : "?",
               tr->to < s->nstates ? s->states[tr->to].name : "?");
    if (tr->guard != SPEC_NONE) {
        out_puts(&t, " when ");
        spec_expr_text(y, tr->guard, 0, 0, 0, &t);
    }
    out_comment_text(o, out_str(&t));
    out_free(&t);
}

/* ---- expressions ---- */

enum { CK_LIT, CK_ATOM, CK_UNARY, CK_BINARY };

/* What the C text of an expression is. */
typedef struct CInfo {
    uint8_t kind;   /* CK_*: how it binds */
    uint8_t op;     /* CK_UNARY, CK_BINARY: its operator */
    uint8_t u64;    /* its C type is uint64_t (else a non-negative int-like value) */
    uint8_t call;   /* it calls an op (addr) */
    uint8_t konst;  /* no variable, parameter or addr in it */
    uint64_t value; /* konst: its value, by the interpreter's arithmetic */
    unsigned depth; /* brackets nested in its text */
} CInfo;


static int op_is_cmp(uint8_t op)
{
    int p = spec_prec(op);
    return p == 6 || p == 7;
}

/* Whether c needs parentheses as an operand of the binary operator parent
 * (0: of a unary operator or a cast): where C's precedence asks for them,
 * and where compilers ask for them (&& within ||, + within <<, anything
 * within & | ^, comparisons within comparisons, ! before a comparison). */
static int need_parens(uint8_t parent, int right, const CInfo *c)
{
    if (c->kind == CK_UNARY)
        return parent == 0 || (c->op == '!' && op_is_cmp(parent));
    if (c->kind != CK_BINARY)
        return 0;
    if (parent == 0)
        return 1;
    int pc = spec_prec(parent), cc = spec_prec(c->op);
    if (op_is_bits(parent))
        return !(c->op == parent && !right);
    if (op_is_cmp(parent))
        return cc <= 7;
    if (pc == 8)
        return !(cc == 8 && !right);
    if (parent == SPEC_OP_OR && c->op == SPEC_OP_AND)
        return 1;
    if (cc > pc)
        return 0;
    return !(cc == pc && !right);
}

/* t as an operand of the operator parent (see need_parens), converted to
 * uint64_t when force. */
static void out_operand(Out *o, const Out *t, const CInfo *ci, int force, uint8_t parent, int right)
{
    int wrap = need_parens(parent, right, ci);
    if (force && !ci->u64 && ci->kind == CK_LIT)
        out_printf(o, "UINT64_C(%s)", out_str(t));
    else if (force && !ci->u64)
        out_printf(
            o, ci->kind == CK_BINARY || ci->kind == CK_UNARY ? "(uint64_t)(%s)" : "(uint64_t)%s",
            out_str(t));
    else
        out_printf(o, wrap ? "(%s)" : "%s", out_str(t));
    if (t->oom)
        o->oom = 1;
}

/* t as an argument the callee takes as uint32_t: a constant that does not
 * fit is cut explicitly (as the interpreter does, and without a warning). */
static void out_arg32(Out *o, const Out *t, const CInfo *ci)
{
    if (ci->konst && ci->value > UINT32_MAX)
        out_printf(o, ci->kind == CK_LIT || ci->kind == CK_ATOM ? "(uint32_t)%s" : "(uint32_t)(%s)",
                   out_str(t));
    else
        out_cat(o, t);
}

static void c_expr(Synth *y, uint32_t e, int hex, Out *o, CInfo *ci);

/* Whether evaluating e calls an op (addr() calls ReplayOps.buf_addr). */
static int expr_calls(Synth *y, uint32_t e)
{
    const SpecExpr *x = e < y->s->nexprs ? &y->s->exprs[e] : NULL;
    if (!x)
        return 0;
    if (x->kind == SPEC_E_ADDR)
        return 1;
    if (x->kind == SPEC_E_UNARY)
        return expr_calls(y, x->a);
    if (x->kind == SPEC_E_BINARY)
        return expr_calls(y, x->a) || expr_calls(y, x->b);
    return 0;
}

/* Evaluate t into a local now, before the statement: what follows calls an
 * op too, and C leaves the order of an operator's operands (and of a call's
 * arguments) open. */
static void seq_hoist(Synth *y, Out *t, CInfo *ci)
{
    if (!y->seq)
        return;
    unsigned h = ++*y->hoists;
    out_indent(y->seq, y->seq_lv);
    out_printf(y->seq, "uint64_t h%u = %s;\n", h, out_str(t));
    out_free(t);
    out_printf(t, "h%u", h);
    *ci = (CInfo){.kind = CK_ATOM, .u64 = 1};
}

/* An index argument; the brackets nested in it. */
static unsigned c_index(Synth *y, uint32_t idx, Out *o)
{
    if (idx == SPEC_NONE) {
        out_puts(o, "0");
        return 0;
    }
    Out t = {0};
    CInfo ti;
    c_expr(y, idx, 0, &t, &ti);
    if (ti.depth > DEPTH_MAX)
        seq_hoist(y, &t, &ti);
    out_arg32(o, &t, &ti);
    out_free(&t);
    return ti.depth + 1;
}

static void c_binary(Synth *y, const SpecExpr *x, Out *o, CInfo *ci)
{
    int hex = op_is_bits(x->op);
    Out lt = {0}, rt = {0};
    CInfo li, ri;
    c_expr(y, x->a, hex, &lt, &li);
    /* left to right; and no deeper than compilers take (clang: 256) */
    if ((li.call && expr_calls(y, x->b)) || li.depth > DEPTH_MAX)
        seq_hoist(y, &lt, &li);
    c_expr(y, x->b, hex, &rt, &ri);
    if (ri.depth > DEPTH_MAX)
        seq_hoist(y, &rt, &ri);
    ci->call = li.call || ri.call;
    ci->konst = li.konst && ri.konst;
    ci->value = ci->konst ? replay_eval_binary(x->op, li.value, ri.value) : 0;
    ci->kind = CK_BINARY;
    ci->op = x->op;
    ci->u64 = 0;
    int force_l = 0, force_r = 0;
    const char *helper = NULL;
    switch (x->op) {
    case '+':
    case '-':
    case '*':
        force_l = !li.u64 && !ri.u64;
        ci->u64 = 1;
        break;
    case '&':
    case '|':
    case '^':
        ci->u64 = li.u64 || ri.u64;
        break;
    case '/':
    case '%':
        if (ri.konst && ri.value) {
            ci->u64 = li.u64 || ri.u64;
        } else {
            helper = x->op == '/' ? "div" : "mod";
            y->helpers |= x->op == '/' ? H_DIV : H_MOD;
        }
        break;
    case SPEC_OP_SHL:
    case SPEC_OP_SHR:
        if (ri.konst && ri.value < 64) {
            force_l = 1;
            ci->u64 = 1;
        } else {
            helper = x->op == SPEC_OP_SHL ? "shl" : "shr";
            y->helpers |= x->op == SPEC_OP_SHL ? H_SHL : H_SHR;
        }
        break;
    case SPEC_OP_AND:
    case SPEC_OP_OR:
        if (ci->call) {
            helper = x->op == SPEC_OP_AND ? "land" : "lor";
            y->helpers |= x->op == SPEC_OP_AND ? H_LAND : H_LOR;
        }
        break;
    default: /* comparisons: an int-like side against a uint64_t one, as uint64_t */
        force_l = !li.u64 && ri.u64 && !li.konst;
        force_r = !ri.u64 && li.u64 && !ri.konst;
        break;
    }
    if (helper) {
        out_printf(o, "%s_%s(%s, %s)", y->pre, helper, out_str(&lt), out_str(&rt));
        ci->kind = CK_ATOM;
        ci->u64 = 1;
    } else {
        out_operand(o, &lt, &li, force_l, x->op, 0);
        out_printf(o, " %s ", spec_op_text(x->op));
        out_operand(o, &rt, &ri, force_r, x->op, 1);
    }
    ci->depth = (li.depth > ri.depth ? li.depth : ri.depth) + 1;
    if (lt.oom || rt.oom)
        o->oom = 1;
    out_free(&lt);
    out_free(&rt);
}

static void c_expr(Synth *y, uint32_t e, int hex, Out *o, CInfo *ci)
{
    const Spec *s = y->s;
    const SpecExpr *x = expr_at(y, e);
    *ci = (CInfo){.kind = CK_LIT, .konst = 1};
    if (!x) {
        out_puts(o, "0");
        return;
    }
    switch (x->kind) {
    case SPEC_E_NUM:
        out_num(o, x->num, hex);
        ci->value = x->num;
        return;
    case SPEC_E_VAR:
        if (x->a >= s->nvars) {
            y->bad = 1;
            out_puts(o, "0");
            return;
        }
        out_printf(o, "d->%s", y->var[x->a]);
        *ci = (CInfo){.kind = CK_ATOM, .u64 = 1};
        return;
    case SPEC_E_PARAM:
        if (x->a >= SPEC_PARAM_COUNT_) {
            y->bad = 1;
            out_puts(o, "0");
            return;
        }
        out_printf(o, "d->%s", spec_param_name((SpecParam)x->a));
        *ci = (CInfo){.kind = CK_ATOM, .u64 = 1};
        return;
    case SPEC_E_ADDR:
        if (x->a >= s->nbuffers) {
            y->bad = 1;
            out_puts(o, "0");
            return;
        }
        y->helpers |= H_ADDR;
        out_printf(o, "%s_addr(d, %s_BUF_%s, ", y->pre, y->up, y->buf_m[x->a]);
        unsigned depth = c_index(y, x->b, o);
        out_puts(o, ")");
        *ci = (CInfo){.kind = CK_ATOM, .u64 = 1, .call = 1, .depth = depth + 1};
        return;
    case SPEC_E_SIZE:
        if (x->a >= s->nbuffers) {
            y->bad = 1;
            out_puts(o, "0");
            return;
        }
        out_printf(o, "%s_SIZE_%s", y->up, y->buf_m[x->a]);
        *ci = (CInfo){.kind = CK_ATOM, .konst = 1, .value = s->buffers[x->a].size};
        return;
    case SPEC_E_UNARY: {
        Out t = {0};
        CInfo ti;
        c_expr(y, x->a, x->op == '~', &t, &ti);
        if (ti.depth > DEPTH_MAX)
            seq_hoist(y, &t, &ti);
        out_printf(o, "%c", x->op);
        int force = x->op != '!';
        out_operand(o, &t, &ti, force, 0, 0);
        out_free(&t);
        ci->kind = CK_UNARY;
        ci->op = x->op;
        ci->depth = ti.depth + 1;
        ci->u64 = (uint8_t)force;
        ci->call = ti.call;
        ci->konst = ti.konst;
        ci->value = x->op == '~' ? ~ti.value : x->op == '!' ? !ti.value : 0 - ti.value;
        return;
    }
    case SPEC_E_BINARY:
        c_binary(y, x, o, ci);
        return;
    default:
        y->bad = 1;
        out_puts(o, "0");
        return;
    }
}

/* ---- actions ---- */

/* The expressions an action evaluates, in the interpreter's order, each
 * written when the one before it is: a part that calls an op, followed by
 * another that does, is evaluated first into a local, so that C's
 * unspecified order of arguments cannot reorder the calls. */
typedef struct Part {
    Out text;
    CInfo ci;
} Part;

static void parts_eval(Synth *y, const uint32_t *exprs, const int *hexes, Part *parts, int n)
{
    for (int i = 0; i < n; i++) {
        parts[i] = (Part){0};
        if (exprs[i] == SPEC_NONE) {
            out_puts(&parts[i].text, "0");
            parts[i].ci = (CInfo){.kind = CK_LIT, .konst = 1};
            continue;
        }
        c_expr(y, exprs[i], hexes ? hexes[i] : 0, &parts[i].text, &parts[i].ci);
        int later = 0;
        for (int j = i + 1; j < n; j++)
            later |= exprs[j] != SPEC_NONE && expr_calls(y, exprs[j]);
        if (parts[i].ci.call && later)
            seq_hoist(y, &parts[i].text, &parts[i].ci);
    }
}

static void parts_free(Part *parts, int n)
{
    for (int i = 0; i < n; i++)
        out_free(&parts[i].text);
}

/* d->VAR = text, reduced modulo its wrap. */
static void out_assign(Synth *y, Out *o, uint32_t var, const Out *t, const CInfo *ci)
{
    const SpecVar *v = &y->s->vars[var];
    out_printf(o, "d->%s = ", y->var[var]);
    if (v->wrap && ci->konst) {
        out_num(o, ci->value % v->wrap, 0); /* reduced here */
    } else if (v->wrap) {
        out_operand(o, t, ci, 0, '%', 0);
        out_printf(o, " %% ");
        out_num(o, v->wrap, 0);
    } else {
        out_cat(o, t);
    }
    out_puts(o, ";\n");
}

static void out_stop(Synth *y, Out *o, int lv, const char *res, const char *why, uint32_t line)
{
    out_indent(o, lv);
    out_printf(o, "return %s_stop(d, %s, ", y->pre, res);
    out_c_string(o, why);
    out_printf(o, ", %u);\n", line);
}

static void emit_block(Synth *y, Fn *f, SpecBlock b, int lv, int depth, int top);

/* `p = PREFIX_mem(d, BUF, IDX, OFF, LEN);` with IDX and OFF from parts */
static void out_mem(Synth *y, Out *o, int lv, uint32_t buf, const Part *idx, const Part *off,
                    const char *len)
{
    y->helpers |= H_MEM;
    out_indent(o, lv);
    out_printf(o, "p = %s_mem(d, %s_BUF_%s, ", y->pre, y->up, y->buf_m[buf]);
    out_arg32(o, &idx->text, &idx->ci);
    out_printf(o, ", %s, %s);\n", out_str(&off->text), len);
}

static void emit_reg_access(Synth *y, Fn *f, const SpecAction *a, int lv)
{
    const Spec *s = y->s;
    Out *o = &f->body;
    const SpecReg *g = &s->regs[a->reg];
    const char *rn = y->reg[a->reg];
    uint32_t ex[2] = {a->idx, a->value};
    int hx[2] = {0, 1};
    Part parts[2];
    if (a->kind == SPEC_A_WRITE) {
        parts_eval(y, ex, hx, parts, 2);
        y->reg_written[a->reg] = 1;
        out_indent(o, lv);
        out_printf(o, "%s_write_%s(d, ", y->pre, rn);
        if (g->count) {
            out_arg32(o, &parts[0].text, &parts[0].ci);
            out_puts(o, ", ");
        }
        out_arg32(o, &parts[1].text, &parts[1].ci);
        out_puts(o, ");\n");
        parts_free(parts, 2);
        return;
    }
    parts_eval(y, ex, hx, parts, 1);
    y->reg_read[a->reg] = 1;
    if (a->kind == SPEC_A_POLL && parts[0].ci.call)
        seq_hoist(y, &parts[0].text, &parts[0].ci); /* evaluated once, before the first read */
    Out rd = {0};
    out_printf(&rd, "%s_read_%s(d", y->pre, rn);
    if (g->count) {
        out_puts(&rd, ", ");
        out_arg32(&rd, &parts[0].text, &parts[0].ci);
    }
    out_puts(&rd, ")");
    if (a->kind == SPEC_A_READ) {
        out_indent(o, lv);
        CInfo ri = {.kind = CK_ATOM};
        out_assign(y, o, a->var, &rd, &ri);
    } else {
        f->need_tries = 1;
        out_indent(o, lv);
        out_printf(o, "for (tries = 0; tries < %u; tries++) {\n", a->max);
        out_indent(o, lv + 1);
        out_printf(o, "if ((%s & ", out_str(&rd));
        out_num(o, a->mask, 1);
        out_puts(o, ") == ");
        out_num(o, a->match, 1);
        out_puts(o, ")\n");
        out_indent(o, lv + 2);
        out_puts(o, "break;\n");
        if (a->stall) {
            out_indent(o, lv + 1);
            out_printf(o, "d->ops.stall(d->ops.opaque, %u);\n", a->stall);
        }
        out_indent(o, lv);
        out_puts(o, "}\n");
        if (a->on_timeout != SPEC_TIMEOUT_CONTINUE) {
            out_indent(o, lv);
            out_printf(o, "if (tries == %u)\n", a->max);
            out_stop(y, o, lv + 1,
                     a->on_timeout == SPEC_TIMEOUT_FAIL ? "REPLAY_FAILED" : "REPLAY_FALLBACK",
                     "a poll gave up", a->line);
        } else {
            out_indent(o, lv);
            out_puts(o, "/* else continue: on, whether or not it matched */\n");
        }
    }
    out_free(&rd);
    parts_free(parts, 1);
}

static void emit_mem_access(Synth *y, Fn *f, const SpecAction *a, int lv)
{
    Out *o = &f->body;
    f->need_p = 1;
    if (a->kind == SPEC_A_DELIVER) {
        /* the interpreter: the index, the length, the offset */
        uint32_t ex[3] = {a->idx, a->value, a->offset};
        Part parts[3];
        parts_eval(y, ex, NULL, parts, 3);
        f->need_n = 1;
        out_indent(o, lv);
        out_printf(o, "n = %s;\n", out_str(&parts[1].text));
        out_mem(y, o, lv, a->buf, &parts[0], &parts[2], "n");
        out_indent(o, lv);
        out_puts(o, "if (!p)\n");
        out_stop(y, o, lv + 1, "REPLAY_BAD_SPEC", "a received frame outside its buffer", a->line);
        out_indent(o, lv);
        out_puts(o, "d->ops.deliver(d->ops.opaque, p, (uint32_t)n);\n");
        parts_free(parts, 3);
        return;
    }
    uint32_t ex[2] = {a->idx, a->offset};
    Part parts[2];
    parts_eval(y, ex, NULL, parts, 2);
    char width[16];
    snprintf(width, sizeof width, "%u", a->width);
    switch (a->kind) {
    case SPEC_A_STORE: {
        out_mem(y, o, lv, a->buf, &parts[0], &parts[1], width);
        Out vt = {0};
        CInfo vi;
        c_expr(y, a->value, 1, &vt, &vi); /* after the host's pointer */
        y->helpers |= H_PUT;
        if (vi.call) {
            /* the interpreter evaluates the value before it looks at p */
            f->need_v = 1;
            out_indent(o, lv);
            out_printf(o, "v = %s;\n", out_str(&vt));
        }
        out_indent(o, lv);
        out_puts(o, "if (!p)\n");
        out_stop(y, o, lv + 1, "REPLAY_BAD_SPEC", "a store outside its buffer", a->line);
        out_indent(o, lv);
        out_printf(o, "%s_put(p, %u, %s);\n", y->pre, a->width, vi.call ? "v" : out_str(&vt));
        out_free(&vt);
        break;
    }
    case SPEC_A_LOAD: {
        out_mem(y, o, lv, a->buf, &parts[0], &parts[1], width);
        y->helpers |= H_GET;
        out_indent(o, lv);
        out_puts(o, "if (!p)\n");
        out_stop(y, o, lv + 1, "REPLAY_BAD_SPEC", "a load outside its buffer", a->line);
        Out g = {0};
        out_printf(&g, "%s_get(p, %u)", y->pre, a->width);
        CInfo gi = {.kind = CK_ATOM, .u64 = 1};
        out_indent(o, lv);
        out_assign(y, o, a->var, &g, &gi);
        out_free(&g);
        break;
    }
    default: /* copy */
        out_mem(y, o, lv, a->buf, &parts[0], &parts[1], "d->frame_len");
        y->helpers |= H_COPY;
        out_indent(o, lv);
        out_puts(o, "if (!p || !d->frame)\n");
        out_stop(y, o, lv + 1, "REPLAY_BAD_SPEC", "a frame that does not fit its buffer", a->line);
        out_indent(o, lv);
        out_printf(o, "%s_copy(p, d->frame, d->frame_len);\n", y->pre);
        break;
    }
    parts_free(parts, 2);
}

/* outs and ins: a data register moved a width at a time, as interp.c
 * does (the length first; for ins the index, the length, the offset). */
static void emit_xfer(Synth *y, Fn *f, const SpecAction *a, int lv)
{
    Out *o = &f->body;
    const char *rn = y->reg[a->reg];
    unsigned w = y->s->regs[a->reg].width;
    f->need_n = 1;
    f->need_i = 1;
    if (a->kind == SPEC_A_OUTS) {
        Part parts[1];
        uint32_t ex[1] = {a->value};
        parts_eval(y, ex, NULL, parts, 1);
        y->reg_written[a->reg] = 1;
        y->helpers |= H_UNIT;
        out_indent(o, lv);
        out_printf(o, "n = %s;\n", out_str(&parts[0].text));
        out_indent(o, lv);
        out_printf(o, "if (n > %u || !d->frame)\n", SPEC_XFER_MAX);
        out_stop(y, o, lv + 1, "REPLAY_BAD_SPEC", "a transfer out longer than it may be",
                 a->line);
        out_indent(o, lv);
        out_printf(o, "for (i = 0; i < n; i += %u)\n", w);
        out_indent(o, lv + 1);
        out_printf(o, "%s_write_%s(d, %s_unit(d->frame, d->frame_len, i, %u, n));\n", y->pre, rn,
                   y->pre, w);
        parts_free(parts, 1);
        return;
    }
    f->need_p = 1;
    uint32_t ex[3] = {a->idx, a->value, a->offset};
    Part parts[3];
    parts_eval(y, ex, NULL, parts, 3);
    y->reg_read[a->reg] = 1;
    out_indent(o, lv);
    out_printf(o, "n = %s;\n", out_str(&parts[1].text));
    out_mem(y, o, lv, a->buf, &parts[0], &parts[2], "n");
    out_indent(o, lv);
    out_printf(o, "if (!p || n > %u)\n", SPEC_XFER_MAX);
    out_stop(y, o, lv + 1, "REPLAY_BAD_SPEC", "a transfer in outside its buffer", a->line);
    out_indent(o, lv);
    out_printf(o, "for (i = 0; i < n; i += %u) {\n", w);
    out_indent(o, lv + 1);
    out_printf(o, "uint32_t u = %s_read_%s(d);\n", y->pre, rn);
    out_indent(o, lv + 1);
    out_printf(o, "for (unsigned b = 0; b < %u && i + b < n; b++)\n", w);
    out_indent(o, lv + 2);
    out_puts(o, "p[i + b] = (uint8_t)(u >> (8 * b));\n");
    out_indent(o, lv);
    out_puts(o, "}\n");
    parts_free(parts, 3);
}

static void emit_action(Synth *y, Fn *f, const SpecAction *a, int lv, int depth, int top)
{
    const Spec *s = y->s;
    Out *o = &f->body;
    if ((a->kind == SPEC_A_FROM || a->kind == SPEC_A_NOTE) && top)
        return; /* in the function's own comment */
    y->seq = o;
    y->seq_lv = lv;
    y->hoists = &f->hoists;
    out_indent(o, lv);
    out_puts(o, "/* ");
    action_comment(y, a, o);
    out_puts(o, " */\n");
    if ((a->reg != SPEC_NONE && a->reg >= s->nregs) ||
        (a->buf != SPEC_NONE && a->buf >= s->nbuffers) ||
        (a->var != SPEC_NONE && a->var >= s->nvars)) {
        y->bad = 1;
        return;
    }
    switch (a->kind) {
    case SPEC_A_WRITE:
    case SPEC_A_READ:
    case SPEC_A_POLL:
        if (a->reg == SPEC_NONE) {
            y->bad = 1;
            return;
        }
        emit_reg_access(y, f, a, lv);
        return;
    case SPEC_A_STORE:
    case SPEC_A_LOAD:
    case SPEC_A_COPY:
    case SPEC_A_DELIVER:
        if (a->buf == SPEC_NONE || ((a->kind == SPEC_A_LOAD) && a->var == SPEC_NONE)) {
            y->bad = 1;
            return;
        }
        emit_mem_access(y, f, a, lv);
        return;
    case SPEC_A_OUTS:
    case SPEC_A_INS:
        if (a->reg == SPEC_NONE || (a->kind == SPEC_A_INS && a->buf == SPEC_NONE)) {
            y->bad = 1;
            return;
        }
        emit_xfer(y, f, a, lv);
        return;
    case SPEC_A_COMPLETE:
        out_indent(o, lv);
        out_puts(o, "d->ops.complete(d->ops.opaque);\n");
        return;
    case SPEC_A_LINK: {
        Out t = {0};
        CInfo ti;
        c_expr(y, a->value, 0, &t, &ti);
        out_indent(o, lv);
        out_puts(o, "d->ops.link(d->ops.opaque, ");
        if (!ti.u64 && !ti.konst && (ti.kind == CK_BINARY || ti.kind == CK_UNARY) &&
            (ti.op == '!' || op_is_cmp(ti.op) || ti.op == SPEC_OP_AND || ti.op == SPEC_OP_OR)) {
            out_cat(o, &t); /* already 0 or 1 */
        } else {
            out_operand(o, &t, &ti, 0, SPEC_OP_NE, 0);
            out_puts(o, " != 0");
        }
        out_puts(o, ");\n");
        out_free(&t);
        return;
    }
    case SPEC_A_SET: {
        if (a->var == SPEC_NONE) {
            y->bad = 1;
            return;
        }
        Out t = {0};
        CInfo ti;
        c_expr(y, a->value, 0, &t, &ti);
        out_indent(o, lv);
        out_assign(y, o, a->var, &t, &ti);
        out_free(&t);
        return;
    }
    case SPEC_A_IF: {
        Out t = {0};
        CInfo ti;
        c_expr(y, a->value, 0, &t, &ti);
        out_indent(o, lv);
        out_printf(o, "if (%s) {\n", out_str(&t));
        out_free(&t);
        emit_block(y, f, a->body, lv + 1, depth, 0);
        if (a->else_body.count) {
            out_indent(o, lv);
            out_puts(o, "} else {\n");
            emit_block(y, f, a->else_body, lv + 1, depth, 0);
        }
        out_indent(o, lv);
        out_puts(o, "}\n");
        return;
    }
    case SPEC_A_REPEAT:
        out_indent(o, lv);
        out_printf(o, "for (uint32_t round%d = 0; round%d < %u; round%d++) {\n", depth + 1,
                   depth + 1, a->max, depth + 1);
        emit_block(y, f, a->body, lv + 1, depth + 1, 0);
        out_indent(o, lv);
        out_puts(o, "}\n");
        return;
    case SPEC_A_BREAK: {
        Out t = {0};
        CInfo ti;
        c_expr(y, a->value, 0, &t, &ti);
        out_indent(o, lv);
        out_printf(o, "if (%s)\n", out_str(&t));
        out_indent(o, lv + 1);
        /* the parser allows break only inside a repeat: the innermost C
         * loop around it is that repeat's (polls hold no actions) */
        out_puts(o, depth ? "break;\n" : "return REPLAY_OK;\n");
        out_free(&t);
        return;
    }
    case SPEC_A_FALLBACK:
        out_stop(y, o, lv, "REPLAY_FALLBACK", string_at(y, a->text), a->line);
        return;
    default: /* from, note: the comment above is all */
        return;
    }
}

static void emit_block(Synth *y, Fn *f, SpecBlock b, int lv, int depth, int top)
{
    for (uint32_t i = 0; i < b.count && !y->bad; i++) {
        const SpecAction *a = action_at(y, b, i);
        if (a)
            emit_action(y, f, a, lv, depth, top);
    }
}

/* ---- the file ---- */

static void emit_transition(Synth *y, uint32_t t, Out *o)
{
    const Spec *s = y->s;
    const SpecTransition *tr = &s->transitions[t];
    Fn f = {0};
    emit_block(y, &f, tr->body, 1, 0, 1);

    out_puts(o, "/* ");
    transition_comment(y, tr, o);
    out_printf(o, " (line %u)", tr->line);
    for (uint32_t i = 0; i < tr->body.count && !y->bad; i++) {
        const SpecAction *a = action_at(y, tr->body, i);
        if (!a || (a->kind != SPEC_A_FROM && a->kind != SPEC_A_NOTE))
            continue;
        out_puts(o, "\n * ");
        if (a->kind == SPEC_A_FROM) {
            out_puts(o, "from ");
            out_comment_text(o, string_at(y, a->text));
            out_printf(o, ", events #%llu..#%llu", (unsigned long long)a->mask,
                       (unsigned long long)a->match);
        } else {
            out_puts(o, "note: ");
            out_comment_text(o, string_at(y, a->text));
        }
        out_printf(o, " (line %u)", a->line);
    }
    out_printf(o, " */\nstatic ReplayResult %s_on_%s(%sDriver *d)\n{\n", y->pre, y->fn[t],
               y->camel);
    if (f.need_p)
        out_puts(o, "    uint8_t *p;\n");
    if (f.need_v)
        out_puts(o, "    uint64_t v;\n");
    if (f.need_n)
        out_puts(o, "    uint64_t n;\n");
    if (f.need_i)
        out_puts(o, "    uint64_t i;\n");
    if (f.need_tries)
        out_puts(o, "    uint32_t tries;\n");
    if (f.need_p || f.need_v || f.need_n || f.need_i || f.need_tries)
        out_puts(o, "\n");
    out_cat(o, &f.body);
    out_puts(o, "    return REPLAY_OK;\n}\n\n");
    out_free(&f.body);
}

static void emit_dispatch(Synth *y, Out *o)
{
    const Spec *s = y->s;
    out_printf(o,
               "ReplayResult %s_request(%sDriver *d, SpecRequest req, const uint64_t *params,\n"
               "%*sconst uint8_t *frame, uint32_t frame_len)\n{\n",
               y->pre, y->camel, (int)(strlen(y->pre) + 22), "");
    for (int i = 0; i < SPEC_PARAM_COUNT_; i++)
        out_printf(o, "    d->%s = params ? params[%s] : 0;\n", spec_param_name((SpecParam)i),
                   c_params[i]);
    out_puts(o, "    d->frame = frame;\n    d->frame_len = frame_len;\n    d->reason = NULL;\n");
    out_puts(o, "    /* the first transition, in the specification's order, whose request, state\n"
                "     * and guard match */\n");
    out_puts(o, "    switch (req) {\n");
    Out unhandled = {0};
    for (int r = 0; r < SPEC_REQ_COUNT; r++) {
        int any = 0, last_open = 0;
        for (uint32_t t = 0; t < s->ntransitions; t++) {
            const SpecTransition *tr = &s->transitions[t];
            if (tr->req != r)
                continue;
            if (tr->to >= s->nstates || (tr->from != SPEC_NONE && tr->from >= s->nstates)) {
                y->bad = 1;
                continue;
            }
            if (!any)
                out_printf(o, "    case %s:\n", c_requests[r]);
            any = 1;
            out_puts(o, "        /* ");
            transition_comment(y, tr, o);
            out_puts(o, " */\n");
            /* the state first: the guard is evaluated only in it */
            Out cond = {0}, gpre = {0};
            unsigned gh = 0;
            if (tr->guard != SPEC_NONE) {
                Out g = {0};
                CInfo gi;
                y->seq = &gpre;
                y->seq_lv = 3;
                y->hoists = &gh;
                c_expr(y, tr->guard, 0, &g, &gi);
                y->seq = NULL;
                if (tr->from != SPEC_NONE && !gpre.len) {
                    out_printf(&cond, "d->state == %s_STATE_%s && ", y->up, y->state_m[tr->from]);
                    out_operand(&cond, &g, &gi, 0, SPEC_OP_AND, 1);
                } else {
                    out_cat(&cond, &g);
                }
                out_free(&g);
            } else if (tr->from != SPEC_NONE) {
                out_printf(&cond, "d->state == %s_STATE_%s", y->up, y->state_m[tr->from]);
            }
            y->helpers |= H_ENTER;
            int lv = 2;
            if (gpre.len) {
                /* parts of the guard evaluated first: in a block of their own */
                if (tr->from != SPEC_NONE)
                    out_printf(o, "        if (d->state == %s_STATE_%s) {\n", y->up,
                               y->state_m[tr->from]);
                else
                    out_puts(o, "        {\n");
                out_cat(o, &gpre);
                lv = 3;
            }
            if (cond.len) {
                out_indent(o, lv);
                out_printf(o, "if (%s)\n", out_str(&cond));
            }
            out_indent(o, lv + (cond.len != 0));
            out_printf(o, "return %s_enter(d, %s_on_%s(d), %s_STATE_%s);\n", y->pre, y->pre,
                       y->fn[t], y->up, y->state_m[tr->to]);
            if (gpre.len)
                out_puts(o, "        }\n");
            last_open = cond.len != 0 || gpre.len != 0;
            out_free(&cond);
            out_free(&gpre);
        }
        if (any) {
            if (last_open)
                out_puts(o, "        break;\n");
        } else if (s->unhandled & (1u << r)) {
            out_printf(&unhandled, "%s%s", unhandled.len ? ", " : "",
                       spec_request_name((SpecRequest)r));
        }
    }
    out_puts(o, "    default:\n");
    if (unhandled.len) {
        /* "declared unhandled: a, b, ...", wrapped */
        out_puts(o, "        /* declared unhandled:");
        size_t col = 32;
        for (const char *w = out_str(&unhandled); *w;) {
            size_t n = strcspn(w, " ");
            if (col + 1 + n > 96) {
                out_puts(o, "\n         *");
                col = 10;
            }
            out_puts(o, " ");
            out_write(o, w, n);
            col += 1 + n;
            w += n;
            w += *w == ' ';
        }
        out_puts(o, " */\n");
    }
    out_puts(o, "        break;\n    }\n");
    out_printf(
        o,
        "    return %s_stop(d, REPLAY_UNHANDLED, \"no transition serves this request here\", "
        "0);\n}\n",
        y->pre);
    out_free(&unhandled);
}

static void emit_init(Synth *y, Out *o)
{
    const Spec *s = y->s;
    /* replay_init refuses a specification beyond its tables, before it sets
     * a variable (they stay 0) */
    int refused = s->nvars > REPLAY_MAX_VARS || s->nregs > REPLAY_MAX_REGS || !s->nstates;
    out_printf(o, "ReplayResult %s_init(%sDriver *d, const ReplayOps *ops)\n{\n", y->pre, y->camel);
    out_printf(o, "    d->ops = *ops;\n    d->state = %s_STATE_%s;\n", y->up,
               s->nstates ? y->state_m[0] : "NONE");
    for (uint32_t i = 0; i < s->nvars; i++) {
        const SpecVar *v = &s->vars[i];
        out_printf(o, "    d->%s = ", y->var[i]);
        out_num(o, refused ? 0 : v->wrap ? v->init % v->wrap : v->init, 0);
        out_puts(o, ";\n");
    }
    for (uint32_t i = 0; i < s->nregs; i++)
        if (y->shadowed[i])
            out_printf(o, "    d->shadow_%s = 0;\n", y->reg[i]);
    for (int i = 0; i < SPEC_PARAM_COUNT_; i++)
        out_printf(o, "    d->%s = 0;\n", spec_param_name((SpecParam)i));
    out_puts(o, "    d->frame = NULL;\n    d->frame_len = 0;\n    d->reason = NULL;\n"
                "    d->reason_line = 0;\n");
    if (refused)
        out_printf(o,
                   "    /* more variables (%u) or registers (%u) than the interpreter takes "
                   "(%u, %u),\n     * or no state: it refuses the specification, and so "
                   "does this driver */\n    return REPLAY_BAD_SPEC;\n}\n\n",
                   s->nvars, s->nregs, REPLAY_MAX_VARS, REPLAY_MAX_REGS);
    else
        out_puts(o, "    return REPLAY_OK;\n}\n\n");
}

static void emit_accessor(Synth *y, uint32_t r, int write, Out *o)
{
    const Spec *s = y->s;
    const SpecReg *g = &s->regs[r];
    const char *win = y->win_m[g->window];
    out_printf(o, "/* %s%s: %s 0x%x", g->name, g->count ? "[i]" : "", s->windows[g->window].name,
               g->offset);
    if (g->count && g->stride == 1)
        out_puts(o, " + i");
    else if (g->count)
        out_printf(o, " + %u * i", g->stride);
    out_printf(o, ", %u byte%s", g->width, g->width == 1 ? "" : "s");
    if (write)
        out_puts(o, ", v cut to 32 bits");
    out_puts(o, " */\n");
    if (write)
        out_printf(o, "static void %s_write_%s(%sDriver *d, %suint32_t v)\n{\n", y->pre, y->reg[r],
                   y->camel, g->count ? "uint32_t i, " : "");
    else
        out_printf(o, "static uint32_t %s_read_%s(%sDriver *d%s)\n{\n", y->pre, y->reg[r], y->camel,
                   g->count ? ", uint32_t i" : "");
    if (g->index_reg != SPEC_NONE && g->index_reg < s->nregs) {
        const SpecReg *ix = &s->regs[g->index_reg];
        uint32_t v = (uint32_t)g->index_value;
        out_printf(o, "    /* behind %s: select it there first */\n", ix->name);
        char val[16];
        snprintf(val, sizeof val, v < 10 ? "%u" : "0x%x", v);
        out_printf(o, "    d->ops.reg_write(d->ops.opaque, %s_WIN_%s, %s_REG_%s, %u, %s);\n", y->up,
                   y->win_m[ix->window], y->up, y->reg_m[g->index_reg], ix->width, val);
        if (y->shadowed[g->index_reg])
            out_printf(o, "    d->shadow_%s = %s;\n", y->reg[g->index_reg], val);
    }
    if (g->bank_reg != SPEC_NONE && g->bank_reg < s->nregs && g->bank_reg < REPLAY_MAX_REGS) {
        const SpecReg *bk = &s->regs[g->bank_reg];
        uint32_t m = (uint32_t)g->bank_mask, v = (uint32_t)g->bank_value & m;
        const char *sh = y->reg[g->bank_reg];
        out_printf(o,
                   "    /* in the bank where %s's bits 0x%x are 0x%x: selected, its other bits as\n"
                   "     * last written, only when another is (rewriting it would repeat the\n"
                   "     * commands its other bits hold) */\n",
                   bk->name, m, v);
        out_printf(o, "    if ((d->shadow_%s & 0x%x) != 0x%x) {\n", sh, m, v);
        if (v)
            out_printf(o, "        d->shadow_%s = (d->shadow_%s & ~(uint32_t)0x%x) | 0x%x;\n", sh,
                       sh, m, v);
        else
            out_printf(o, "        d->shadow_%s &= ~(uint32_t)0x%x;\n", sh, m);
        out_printf(o,
                   "        d->ops.reg_write(d->ops.opaque, %s_WIN_%s, %s_REG_%s, %u, "
                   "d->shadow_%s);\n    }\n",
                   y->up, y->win_m[bk->window], y->up, y->reg_m[g->bank_reg], bk->width, sh);
    }
    char off[ID_MAX + 64];
    if (g->count && g->stride == 1)
        snprintf(off, sizeof off, "%s_REG_%s + i", y->up, y->reg_m[r]);
    else if (g->count)
        snprintf(off, sizeof off, "%s_REG_%s + i * %u", y->up, y->reg_m[r], g->stride);
    else
        snprintf(off, sizeof off, "%s_REG_%s", y->up, y->reg_m[r]);
    if (write) {
        out_printf(o, "    d->ops.reg_write(d->ops.opaque, %s_WIN_%s, %s, %u, v);\n", y->up, win,
                   off, g->width);
        if (y->shadowed[r])
            out_printf(o, "    d->shadow_%s = v;\n", y->reg[r]);
    } else {
        out_printf(o, "    return d->ops.reg_read(d->ops.opaque, %s_WIN_%s, %s, %u);\n", y->up, win,
                   off, g->width);
    }
    out_puts(o, "}\n\n");
}

static void emit_helpers(Synth *y, Out *o)
{
    const char *p = y->pre, *c = y->camel;
    out_puts(o, "/* ---- the interpreter's semantics (src/replay/interp.c) ---- */\n\n");
    out_printf(o,
               "/* A request that did not complete: why, and the line that said so. */\n"
               "static ReplayResult %s_stop(%sDriver *d, ReplayResult res, const char *why, "
               "uint32_t line)\n{\n"
               "    d->reason = why;\n    d->reason_line = line;\n    return res;\n}\n\n",
               p, c);
    if (y->helpers & H_ENTER)
        out_printf(o,
                   "/* A transition's actions all ran: its target state. */\n"
                   "static ReplayResult %s_enter(%sDriver *d, ReplayResult res, %sState to)\n{\n"
                   "    if (res == REPLAY_OK)\n        d->state = to;\n    return res;\n}\n\n",
                   p, c, c);
    if (y->helpers & (H_DIV | H_MOD))
        out_puts(o, "/* Division and remainder by zero give 0. */\n");
    if (y->helpers & H_DIV)
        out_printf(o,
                   "static uint64_t %s_div(uint64_t a, uint64_t b)\n{\n"
                   "    return b ? a / b : 0;\n}\n\n",
                   p);
    if (y->helpers & H_MOD)
        out_printf(o,
                   "static uint64_t %s_mod(uint64_t a, uint64_t b)\n{\n"
                   "    return b ? a %% b : 0;\n}\n\n",
                   p);
    if (y->helpers & (H_SHL | H_SHR))
        out_puts(o, "/* Shifts by 64 or more give 0. */\n");
    if (y->helpers & H_SHL)
        out_printf(o,
                   "static uint64_t %s_shl(uint64_t a, uint64_t b)\n{\n"
                   "    return b < 64 ? a << b : 0;\n}\n\n",
                   p);
    if (y->helpers & H_SHR)
        out_printf(o,
                   "static uint64_t %s_shr(uint64_t a, uint64_t b)\n{\n"
                   "    return b < 64 ? a >> b : 0;\n}\n\n",
                   p);
    if (y->helpers & (H_LAND | H_LOR))
        out_puts(o, "/* && and || whose sides call an op: both sides are evaluated, as the\n"
                    " * interpreter does. */\n");
    if (y->helpers & H_LAND)
        out_printf(o,
                   "static uint64_t %s_land(uint64_t a, uint64_t b)\n{\n"
                   "    return a && b;\n}\n\n",
                   p);
    if (y->helpers & H_LOR)
        out_printf(o,
                   "static uint64_t %s_lor(uint64_t a, uint64_t b)\n{\n"
                   "    return a || b;\n}\n\n",
                   p);
    if (y->helpers & H_ADDR)
        out_printf(o,
                   "/* The bus address of a buffer's copy or a ring's descriptor. */\n"
                   "static uint64_t %s_addr(%sDriver *d, uint32_t buf, uint32_t idx)\n{\n"
                   "    return d->ops.buf_addr(d->ops.opaque, buf, idx);\n}\n\n",
                   p, c);
    if (y->helpers & H_MEM)
        out_printf(o,
                   "/* Where the host reads and writes bytes [off, off + len) of a buffer's copy\n"
                   " * or a ring's descriptor; NULL when they leave it or the host did not\n"
                   " * allocate it. */\n"
                   "static uint8_t *%s_mem(%sDriver *d, uint32_t buf, uint32_t idx, uint64_t off, "
                   "uint64_t len)\n{\n"
                   "    uint32_t size = %s_buffers[buf].size;\n"
                   "    if (idx >= %s_buffers[buf].count || off > size || len > size - off)\n"
                   "        return NULL;\n"
                   "    uint8_t *p = d->ops.buf_ptr(d->ops.opaque, buf, idx);\n"
                   "    return p ? p + off : NULL;\n}\n\n",
                   p, c, p, p);
    if (y->helpers & H_PUT)
        out_printf(o,
                   "/* Host memory the device reads: little-endian. */\n"
                   "static void %s_put(uint8_t *p, unsigned width, uint64_t v)\n{\n"
                   "    for (unsigned i = 0; i < width; i++)\n"
                   "        p[i] = (uint8_t)(v >> (8 * i));\n}\n\n",
                   p);
    if (y->helpers & H_GET)
        out_printf(o,
                   "static uint64_t %s_get(const uint8_t *p, unsigned width)\n{\n"
                   "    uint64_t v = 0;\n"
                   "    for (unsigned i = 0; i < width; i++)\n"
                   "        v |= (uint64_t)p[i] << (8 * i);\n"
                   "    return v;\n}\n\n",
                   p);
    if (y->helpers & H_UNIT)
        out_printf(o,
                   "/* Bytes [i, i + width) of what outs sends: the frame, zeros past its end\n"
                   " * and none past n; little-endian. */\n"
                   "static uint32_t %s_unit(const uint8_t *frame, uint32_t frame_len, uint64_t i,\n"
                   "                        unsigned width, uint64_t n)\n{\n"
                   "    uint32_t v = 0;\n"
                   "    for (unsigned b = 0; b < width; b++)\n"
                   "        if (i + b < n && i + b < frame_len)\n"
                   "            v |= (uint32_t)frame[i + b] << (8 * b);\n"
                   "    return v;\n}\n\n",
                   p);
    if (y->helpers & H_COPY)
        out_printf(o,
                   "static void %s_copy(uint8_t *p, const uint8_t *frame, uint32_t len)\n{\n"
                   "    for (uint32_t i = 0; i < len; i++)\n"
                   "        p[i] = frame[i];\n}\n\n",
                   p);
}

static void emit_interface(Synth *y, Out *o)
{
    const Spec *s = y->s;
    const char *p = y->pre, *u = y->up, *c = y->camel;
    out_printf(o, "#ifndef %s_SYNTH_INTERFACE_H\n#define %s_SYNTH_INTERFACE_H\n\n", u, u);
    out_puts(o, "#include <stddef.h>\n#include <stdint.h>\n\n#include \"replay/interp.h\"\n\n");
    out_printf(o, "/* The states; the first is the initial one. */\ntypedef enum %sState {\n", c);
    if (!s->nstates)
        out_printf(o, "    %s_STATE_NONE, /* the specification declares none */\n", u);
    for (uint32_t i = 0; i < s->nstates; i++) {
        out_printf(o, "    %s_STATE_%s, /* ", u, y->state_m[i]);
        if (!src_quote(y, s->states[i].line, "state", o)) {
            out_puts(o, "state ");
            out_comment_text(o, s->states[i].name);
        }
        out_printf(o, " (line %u) */\n", s->states[i].line);
    }
    out_printf(o, "} %sState;\n\n", c);

    out_printf(o, "/* One device driven by this driver. */\ntypedef struct %sDriver {\n", c);
    out_printf(o, "    ReplayOps ops;\n    %sState state;\n", c);
    if (s->nvars)
        out_puts(o, "    /* the specification's variables */\n");
    for (uint32_t i = 0; i < s->nvars; i++) {
        out_printf(o, "    uint64_t %s; /* ", y->var[i]);
        if (!src_quote(y, s->vars[i].line, "var", o)) {
            Out t = {0};
            out_printf(&t, "var %s ", s->vars[i].name);
            out_num(&t, s->vars[i].init, 0);
            if (s->vars[i].wrap) {
                out_puts(&t, " wrap ");
                out_num(&t, s->vars[i].wrap, 0);
            }
            out_comment_text(o, out_str(&t));
            out_free(&t);
        }
        out_printf(o, " (line %u) */\n", s->vars[i].line);
    }
    int shadows = 0;
    for (uint32_t i = 0; i < s->nregs; i++) {
        if (!y->shadowed[i])
            continue;
        if (!shadows++)
            out_puts(o, "    /* the last value written to each bank register (a bank access\n"
                        "     * changes only its bank bits) */\n");
        out_printf(o, "    uint32_t shadow_%s;\n", y->reg[i]);
    }
    out_puts(o, "    /* the request being served: its parameters (by SpecParam), its frame */\n"
                "    uint64_t ");
    for (int i = 0; i < SPEC_PARAM_COUNT_; i++)
        out_printf(o, "%s%s", i ? ", " : "", spec_param_name((SpecParam)i));
    out_puts(o, ";\n    const uint8_t *frame;\n    uint32_t frame_len;\n");
    out_puts(o, "    /* why the last request fell back or failed, and the line that said so */\n"
                "    const char *reason;\n    uint32_t reason_line;\n");
    out_printf(o, "} %sDriver;\n\n", c);
    out_printf(o,
               "/* Set up: the first state, every variable at its initial value. */\n"
               "ReplayResult %s_init(%sDriver *d, const ReplayOps *ops);\n",
               p, c);
    out_printf(o,
               "/* Serve one request or device event. params: indexed by SpecParam (may be\n"
               " * NULL); frame: a send's bytes. */\n"
               "ReplayResult %s_request(%sDriver *d, SpecRequest req, const uint64_t *params,\n"
               "%*sconst uint8_t *frame, uint32_t frame_len);\n\n",
               p, c, (int)(strlen(p) + 22), "");
    out_printf(o, "#endif /* %s_SYNTH_INTERFACE_H */\n", u);
}

static void emit_constants(Synth *y, Out *o)
{
    const Spec *s = y->s;
    const char *u = y->up;
    out_puts(o, "/* ---- the device ---- */\n\n");
    out_puts(o, "/* Register windows (ReplayOps.reg_read and reg_write take the number). */\n");
    for (uint32_t i = 0; i < s->nwindows; i++) {
        out_printf(o, "#define %s_WIN_%s %u /* ", u, y->win_m[i], i);
        if (!src_quote(y, s->windows[i].line, "window", o)) {
            Out t = {0};
            out_printf(&t, "window %s %s %u", s->windows[i].name,
                       s->windows[i].mmio ? "mmio" : "port", s->windows[i].size);
            out_comment_text(o, out_str(&t));
            out_free(&t);
        }
        out_puts(o, " */\n");
    }
    if (s->nregs)
        out_puts(o, "\n/* Registers: their offsets in their windows. */\n");
    for (uint32_t i = 0; i < s->nregs; i++) {
        out_printf(o, "#define %s_REG_%s 0x%02x /* ", u, y->reg_m[i], s->regs[i].offset);
        if (!src_quote(y, s->regs[i].line, "reg", o)) {
            Out t = {0};
            const SpecReg *g = &s->regs[i];
            out_printf(&t, "reg %s %s 0x%x %u", g->name,
                       g->window < s->nwindows ? s->windows[g->window].name : "?", g->offset,
                       g->width);
            if (g->count)
                out_printf(&t, " count %u stride %u", g->count, g->stride);
            if (g->dma)
                out_puts(&t, g->dma_half == SPEC_HALF_LOW    ? " dma low"
                             : g->dma_half == SPEC_HALF_HIGH ? " dma high"
                                                             : " dma");
            if (g->index_reg != SPEC_NONE && g->index_reg < s->nregs)
                out_printf(&t, " index %s 0x%llx", s->regs[g->index_reg].name,
                           (unsigned long long)g->index_value);
            if (g->bank_reg != SPEC_NONE && g->bank_reg < s->nregs)
                out_printf(&t, " bank %s 0x%llx 0x%llx", s->regs[g->bank_reg].name,
                           (unsigned long long)g->bank_mask, (unsigned long long)g->bank_value);
            out_comment_text(o, out_str(&t));
            out_free(&t);
        }
        out_puts(o, " */\n");
    }
    if (!s->nbuffers)
        return;
    out_puts(o, "\n/* ---- host memory ---- */\n\n"
                "/* Buffers and rings (ReplayOps.buf_addr and buf_ptr take the number), and the\n"
                " * bytes of one copy or descriptor. */\n");
    for (uint32_t i = 0; i < s->nbuffers; i++) {
        const SpecBuffer *b = &s->buffers[i];
        out_printf(o, "#define %s_BUF_%s %u /* ", u, y->buf_m[i], i);
        if (!src_quote(y, b->line, b->ring ? "ring" : "buffer", o)) {
            Out t = {0};
            out_printf(&t, "%s %s", b->ring ? "ring" : "buffer", b->name);
            if (b->ring)
                out_printf(&t, " %u %u", b->count, b->size);
            else
                out_printf(&t, " %u", b->size);
            out_printf(&t, " align %u", b->align);
            if (!b->ring && b->count)
                out_printf(&t, " count %u", b->count);
            for (uint32_t k = 0; k < b->ndma && k < SPEC_MAX_DMA_OFFS; k++)
                out_printf(&t, "%s%u", k ? "," : " dma ", b->dma_off[k]);
            if (b->inside && b->inside - 1 < s->nbuffers)
                out_printf(&t, " in %s 0x%x", s->buffers[b->inside - 1].name, b->in_off);
            if (b->kind && b->kind - 1 < s->nstrings)
                out_printf(&t, " kind \"%s\"", s->strings[b->kind - 1]);
            out_comment_text(o, out_str(&t));
            out_free(&t);
        }
        out_printf(o, " */\n#define %s_SIZE_%s %u\n", u, y->buf_m[i], b->size);
    }
    if (!(y->helpers & H_MEM))
        return;
    out_printf(o,
               "\nstatic const struct {\n"
               "    uint32_t count, size; /* copies or descriptors (a single buffer: 1), bytes "
               "of each */\n"
               "} %s_buffers[] = {\n",
               y->pre);
    for (uint32_t i = 0; i < s->nbuffers; i++)
        out_printf(o, "    [%s_BUF_%s] = {%u, %s_SIZE_%s},\n", u, y->buf_m[i],
                   element_count(&s->buffers[i]), u, y->buf_m[i]);
    out_puts(o, "};\n");
}

static void emit_header(Synth *y, Out *o)
{
    const Spec *s = y->s;
    const char *p = y->pre, *u = y->up, *c = y->camel;
    out_puts(o, "/* Generated by `xdrv synth` from ");
    out_comment_text(o, y->path ? y->path : "a specification");
    out_puts(o, "\n * (docs/synth.md): regenerate it rather than edit it.\n *\n"
                " * A standalone driver for the device of the specification (");
    if (!s->ndevices)
        out_puts(o, "none named");
    for (uint32_t i = 0; i < s->ndevices; i++) {
        const SpecDevice *dv = &s->devices[i];
        out_puts(o, i ? ", " : "");
        if (dv->pci) {
            out_printf(o, "PCI %04x:%04x", dv->vendor, dv->device);
        } else {
            out_puts(o, "ISA ");
            out_comment_text(o, dv->isa);
        }
    }
    out_printf(o,
               ").\n"
               " * It performs the specification over the replay ops interface (ReplayOps,\n"
               " * src/replay/interp.h) with no interpreter: each transition is a function,\n"
               " * each action a few lines under the specification line it comes from. The\n"
               " * op calls, their order and the results are the interpreter's.\n"
               " *\n"
               " * %s_init sets up a device's %sDriver; %s_request serves each OS request\n"
               " * and device event. With %s_INTERFACE_ONLY defined, this file only\n"
               " * declares them and the types. */\n",
               p, c, p, u);
}

static int synth_names(Synth *y)
{
    const Spec *s = y->s;
    NameSet wins = {0}, regs = {0}, bufs = {0}, states = {0}, fields = {0}, fns = {0};
    char part[SPEC_NAME_MAX + 8], tmp[2 * ID_MAX + 16];
    size_t nr = s->nregs ? s->nregs : 1;
    y->win = calloc(s->nwindows + 1, ID_MAX);
    y->win_m = calloc(s->nwindows + 1, ID_MAX);
    y->reg = calloc(nr, ID_MAX);
    y->reg_m = calloc(nr, ID_MAX);
    y->buf = calloc(s->nbuffers + 1, ID_MAX);
    y->buf_m = calloc(s->nbuffers + 1, ID_MAX);
    y->var = calloc(s->nvars + 1, ID_MAX);
    y->state = calloc(s->nstates + 1, ID_MAX);
    y->state_m = calloc(s->nstates + 1, ID_MAX);
    y->fn = calloc(s->ntransitions + 1, ID_MAX);
    y->reg_read = calloc(nr, 1);
    y->reg_written = calloc(nr, 1);
    y->shadowed = calloc(nr, 1);
    if (!y->win || !y->win_m || !y->reg || !y->reg_m || !y->buf || !y->buf_m || !y->var ||
        !y->state || !y->state_m || !y->fn || !y->reg_read || !y->reg_written || !y->shadowed)
        return -1;
    for (uint32_t i = 0; i < s->nwindows; i++) {
        c_part(part, s->windows[i].name, sizeof part);
        name_unique(&wins, part, 1, y->win[i]);
        str_upper(y->win_m[i], y->win[i], ID_MAX);
    }
    for (uint32_t i = 0; i < s->nregs; i++) {
        const SpecReg *g = &s->regs[i];
        if (g->window >= s->nwindows || (g->index_reg != SPEC_NONE && g->index_reg >= s->nregs) ||
            (g->bank_reg != SPEC_NONE && g->bank_reg >= s->nregs))
            y->bad = 1;
        c_part(part, g->name, sizeof part);
        name_unique(&regs, part, 1, y->reg[i]);
        str_upper(y->reg_m[i], y->reg[i], ID_MAX);
        if (g->bank_reg != SPEC_NONE && g->bank_reg < s->nregs && g->bank_reg < REPLAY_MAX_REGS)
            y->shadowed[g->bank_reg] = 1;
    }
    for (uint32_t i = 0; i < s->nbuffers; i++) {
        c_part(part, s->buffers[i].name, sizeof part);
        name_unique(&bufs, part, 1, y->buf[i]);
        str_upper(y->buf_m[i], y->buf[i], ID_MAX);
    }
    for (uint32_t i = 0; i < s->nstates; i++) {
        c_part(part, s->states[i].name, sizeof part);
        name_unique(&states, part, 1, y->state[i]);
        str_upper(y->state_m[i], y->state[i], ID_MAX);
    }
    /* the struct's own fields first: a variable yields */
    static const char *const own[] = {"ops",       "state",  "frame",
                                      "frame_len", "reason", "reason_line"};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        nameset_add(&fields, own[i]);
    for (int i = 0; i < SPEC_PARAM_COUNT_; i++)
        nameset_add(&fields, spec_param_name((SpecParam)i));
    for (uint32_t i = 0; i < s->nregs; i++) {
        snprintf(tmp, sizeof tmp, "shadow_%s", y->reg[i]);
        if (y->shadowed[i])
            nameset_add(&fields, tmp);
    }
    for (uint32_t i = 0; i < s->nvars; i++) {
        c_part(part, s->vars[i].name, sizeof part);
        snprintf(tmp, sizeof tmp, "%s%s", field_name_taken(part, y->up, y->camel) ? "var_" : "",
                 part);
        name_unique(&fields, tmp, 0, y->var[i]);
    }
    for (uint32_t t = 0; t < s->ntransitions; t++) {
        const SpecTransition *tr = &s->transitions[t];
        c_part(part, tr->req < SPEC_REQ_COUNT ? spec_request_name((SpecRequest)tr->req) : "request",
               sizeof part);
        snprintf(tmp, sizeof tmp, "%s_%s", part,
                 tr->from == SPEC_NONE   ? "any"
                 : tr->from < s->nstates ? y->state[tr->from]
                                         : "x");
        name_unique(&fns, tmp, 0, y->fn[t]);
        if (tr->req >= SPEC_REQ_COUNT)
            y->bad = 1;
    }
    int oom = wins.oom || regs.oom || bufs.oom || states.oom || fields.oom || fns.oom;
    nameset_free(&wins);
    nameset_free(&regs);
    nameset_free(&bufs);
    nameset_free(&states);
    nameset_free(&fields);
    nameset_free(&fns);
    return oom ? -1 : 0;
}

static void synth_free(Synth *y)
{
    free(y->win);
    free(y->win_m);
    free(y->reg);
    free(y->reg_m);
    free(y->buf);
    free(y->buf_m);
    free(y->var);
    free(y->state);
    free(y->state_m);
    free(y->fn);
    free(y->reg_read);
    free(y->reg_written);
    free(y->shadowed);
    free(y->text);
    free(y->line);
}

int spec_synth_prefix_ok(const char *p)
{
    size_t n = p ? strlen(p) : 0;
    if (!n || n > SYNTH_PREFIX_MAX || p[0] < 'a' || p[0] > 'z')
        return 0;
    /* the names interp.h and spec.h hold already (replay_init, SpecState) */
    if (!strcmp(p, "spec") || !strcmp(p, "replay"))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_'))
            return 0;
    return 1;
}

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

int spec_synth_c_prefixed(const Spec *s, const char *spec_path, const char *prefix, FILE *out,
                          char *err, size_t errlen)
{
    if (!spec_synth_prefix_ok(prefix)) {
        set_err(err, errlen,
                "the prefix must be [a-z][a-z0-9_]*, at most 32 bytes, not spec or replay");
        return -1;
    }
    Synth y = {.s = s, .path = spec_path};
    snprintf(y.pre, sizeof y.pre, "%s", prefix);
    str_upper(y.up, prefix, sizeof y.up);
    /* xsm -> Xsm, synth_wrap -> SynthWrap */
    size_t k = 0;
    for (const char *c = prefix; *c && k + 1 < sizeof y.camel; c++) {
        if (*c == '_')
            continue;
        int start = c == prefix || c[-1] == '_';
        y.camel[k++] = start && *c >= 'a' && *c <= 'z' ? (char)(*c - 'a' + 'A') : *c;
    }
    y.camel[k] = '\0';

    int rc = -1;
    Out head = {0}, body = {0}, all = {0};
    if (synth_names(&y) != 0) {
        set_err(err, errlen, "out of memory");
        goto done;
    }
    src_load(&y);

    /* the code first: it says which helpers and accessors are needed */
    for (uint32_t t = 0; t < s->ntransitions && !y.bad; t++)
        emit_transition(&y, t, &body);
    emit_init(&y, &body);
    emit_dispatch(&y, &body);
    if (y.bad) {
        set_err(err, errlen, "the specification's indices do not hold together");
        goto done;
    }

    emit_header(&y, &all);
    out_puts(&all, "\n");
    emit_interface(&y, &all);
    out_printf(&all, "\n#ifndef %s_INTERFACE_ONLY\n\n", y.up);
    out_puts(&all, "/* The expressions are the specification's as written, including comparisons\n"
                   " * that are constant (x >= 0): no warning about those, in this file only. */\n"
                   "#if defined(__clang__)\n"
                   "#pragma clang diagnostic push\n"
                   "#pragma clang diagnostic ignored \"-Wtautological-compare\"\n"
                   "#pragma clang diagnostic ignored \"-Wconstant-logical-operand\"\n"
                   "#elif defined(__GNUC__) && __GNUC__ >= 7\n"
                   "#pragma GCC diagnostic push\n"
                   "#pragma GCC diagnostic ignored \"-Wtype-limits\"\n"
                   "#pragma GCC diagnostic ignored \"-Wtautological-compare\"\n"
                   "#pragma GCC diagnostic ignored \"-Wint-in-bool-context\"\n"
                   "#pragma GCC diagnostic ignored \"-Wbool-operation\"\n"
                   "#endif\n\n");
    emit_constants(&y, &all);
    out_puts(&all, "\n");
    emit_helpers(&y, &head);
    out_cat(&all, &head);
    int accessors = 0;
    for (uint32_t r = 0; r < s->nregs; r++) {
        for (int w = 0; w < 2; w++) {
            if (!(w ? y.reg_written[r] : y.reg_read[r]))
                continue;
            if (!accessors++)
                out_puts(&all, "/* ---- registers: the index or bank selected first, as the "
                               "interpreter does ---- */\n\n");
            emit_accessor(&y, r, w, &all);
        }
    }
    out_puts(&all, "/* ---- the transitions, in the specification's order ---- */\n\n");
    out_cat(&all, &body);
    out_puts(&all,
             "\n#if defined(__clang__)\n#pragma clang diagnostic pop\n"
             "#elif defined(__GNUC__) && __GNUC__ >= 7\n#pragma GCC diagnostic pop\n#endif\n");
    out_printf(&all, "\n#endif /* %s_INTERFACE_ONLY */\n", y.up);
    if (all.oom) {
        set_err(err, errlen, "out of memory");
        goto done;
    }
    if (fwrite(all.p, 1, all.len, out) != all.len || fflush(out) != 0) {
        set_err(err, errlen, "write error");
        goto done;
    }
    rc = 0;
done:
    out_free(&head);
    out_free(&body);
    out_free(&all);
    synth_free(&y);
    return rc;
}

int spec_synth_c(const Spec *s, const char *spec_path, FILE *out, char *err, size_t errlen)
{
    return spec_synth_c_prefixed(s, spec_path, SYNTH_PREFIX_DEFAULT, out, err, errlen);
}
