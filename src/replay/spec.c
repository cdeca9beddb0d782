/* The .xsm parser (docs/formats/xsm.md): specification text in, a Spec
 * (spec.h) out, or one "NAME:LINE: reason" line and no Spec at all. Host
 * code, with the C library: only the interpreter core that walks the result
 * is freestanding. Names are resolved here, and every limit that can be
 * judged on one line is checked here; verify.c does the checks that span
 * the whole specification (DMA intervals, reachability, coverage). */
#include "replay/spec.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPEC_LINE_MAX 4095u
#define SPEC_STRING_MAX 1023u
#define SPEC_TEXT_MAX (4u << 20)
#define SPEC_DEPTH_MAX 16 /* nested if/repeat inside an `on` */
#define SPEC_ACTIONS_MAX (1u << 16)
#define SPEC_EXPRS_MAX (1u << 18)
#define SPEC_EXPR_DEPTH_MAX 64 /* parentheses, unary operators, addr(), [ ] */
#define SPEC_ECHO_MAX 40       /* bytes of the input quoted in an error */
#define SPEC_ALIGN_DEFAULT 4u
#define SPEC_TOK_ARROW 'T' /* `->`, not an expression operator */

/* ---- names of requests and parameters ------------------------------------ */

static const char *const spec_request_names[SPEC_REQ_COUNT] = {
#define X(id, name) [SPEC_REQ_##id] = name,
    SPEC_REQUESTS(X)
#undef X
};

static const struct {
    uint8_t req; /* the request that takes it */
    const char *name;
} spec_params[SPEC_PARAM_COUNT_] = {
    [SPEC_PARAM_LEN] = {SPEC_REQ_SEND, "len"},
    [SPEC_PARAM_FILTER] = {SPEC_REQ_SET_FILTER, "filter"},
    [SPEC_PARAM_COUNT] = {SPEC_REQ_MULTICAST, "count"},
    [SPEC_PARAM_UP] = {SPEC_REQ_LINK, "up"},
};

const char *spec_request_name(SpecRequest r)
{
    return (unsigned)r < SPEC_REQ_COUNT ? spec_request_names[r] : NULL;
}

const char *spec_param_name(SpecParam p)
{
    return (unsigned)p < SPEC_PARAM_COUNT_ ? spec_params[p].name : NULL;
}

SpecParam spec_param_of(SpecRequest r, const char *name)
{
    for (unsigned i = 0; name && i < SPEC_PARAM_COUNT_; i++)
        if (spec_params[i].req == (unsigned)r && strcmp(spec_params[i].name, name) == 0)
            return (SpecParam)i;
    return SPEC_PARAM_COUNT_;
}

/* ---- the parser's state ---------------------------------------------------- */

/* The kinds of declared names, which share one name space. */
typedef enum SpecKind {
    SPEC_K_NONE,
    SPEC_K_WINDOW,
    SPEC_K_REG,
    SPEC_K_BUFFER, /* buffers and rings */
    SPEC_K_VAR,
    SPEC_K_STATE
} SpecKind;

typedef struct SpecSlot {
    uint8_t kind; /* SpecKind; SPEC_K_NONE: free */
    uint32_t index;
} SpecSlot;

typedef enum SpecTokKind { SPEC_T_END, SPEC_T_NAME, SPEC_T_NUM, SPEC_T_STR, SPEC_T_OP } SpecTokKind;

typedef struct SpecTok {
    SpecTokKind kind;
    const char *at; /* in the line */
    size_t len;     /* bytes of the line it covers (a string: with its quotes) */
    uint64_t num;   /* SPEC_T_NUM */
    int op;         /* SPEC_T_OP: the character, SPEC_OP_* or SPEC_TOK_ARROW */
} SpecTok;

typedef enum SpecFrameKind { SPEC_F_ON, SPEC_F_IF, SPEC_F_ELSE, SPEC_F_REPEAT } SpecFrameKind;

/* An open block: its children are p->pending[start..]. */
typedef struct SpecFrame {
    uint8_t kind;   /* SpecFrameKind */
    uint32_t owner; /* the transition (on) or the action (if, else, repeat) */
    uint32_t start;
    uint32_t line;
} SpecFrame;

typedef struct SpecCaps {
    uint32_t devices, windows, regs, buffers, vars, params, states, transitions, actions, list,
        exprs, strings, pending;
} SpecCaps;

typedef struct SpecParser {
    Spec *s;
    const char *name;
    char *err;
    size_t errlen;
    int failed;
    uint32_t line;
    char buf[SPEC_LINE_MAX + 1]; /* the current line, its comment cut off */
    const char *cur;             /* the next byte to read in buf */
    int versioned;               /* `xdrv-spec 1` read */
    int stated;                  /* a `state` read: no more declarations */
    SpecFrame frames[SPEC_DEPTH_MAX + 1];
    int nframes; /* 0: outside any `on` */
    uint8_t req; /* the request of the open `on` */
    uint32_t *pending;
    uint32_t npending;
    SpecSlot *slots; /* open addressing, a power of two */
    uint32_t nslots, cap_slots;
    int depth; /* of the expression being parsed */
    SpecCaps cap;
} SpecParser;

static const char *const spec_kind_nouns[] = {
    [SPEC_K_NONE] = "name",     [SPEC_K_WINDOW] = "window", [SPEC_K_REG] = "register",
    [SPEC_K_BUFFER] = "buffer", [SPEC_K_VAR] = "variable",  [SPEC_K_STATE] = "state",
};

static const char *const spec_frame_words[] = {
    [SPEC_F_ON] = "on", [SPEC_F_IF] = "if", [SPEC_F_ELSE] = "else", [SPEC_F_REPEAT] = "repeat"};

/* ---- errors ---------------------------------------------------------------- */

/* Bytes of the UTF-8 sequence at s (n available), 0 if it is not a valid
 * one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF). */
static size_t spec_utf8_len(const unsigned char *s, size_t n)
{
    uint32_t cp, min;
    size_t need;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        need = 2, cp = s[0] & 0x1fu, min = 0x80;
    } else if ((s[0] & 0xf0) == 0xe0) {
        need = 3, cp = s[0] & 0x0fu, min = 0x800;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 4, cp = s[0] & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return need;
}

/* How much of n bytes at `at` an error quotes: at most SPEC_ECHO_MAX, not
 * cutting a UTF-8 sequence (the line was validated). */
static int spec_echo_len(const char *at, size_t n)
{
    if (n <= SPEC_ECHO_MAX)
        return (int)n;
    n = SPEC_ECHO_MAX;
    while (n > 0 && ((unsigned char)at[n] & 0xc0) == 0x80)
        n--;
    return (int)n;
}

/* Records the first error as "NAME:LINE: reason"; returns -1. */
static int spec_fail(SpecParser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int spec_fail(SpecParser *p, const char *fmt, ...)
{
    char reason[256];
    va_list ap;

    if (p->failed)
        return -1;
    p->failed = 1;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line ? p->line : 1u, reason);
    return -1;
}

/* "expected WHAT, got 'TOKEN'" or "expected WHAT at the end of the line" */
static int spec_fail_expected(SpecParser *p, const char *what, const SpecTok *t)
{
    if (t->kind == SPEC_T_END)
        return spec_fail(p, "expected %s at the end of the line", what);
    return spec_fail(p, "expected %s, got '%.*s'", what, spec_echo_len(t->at, t->len), t->at);
}

/* ---- growing arrays -------------------------------------------------------- */

/* Appends one zeroed element to the array *arrp (a pointer to a T *) holding
 * *n of *cap elements of `size` bytes; the new element, or NULL. */
static void *spec_append(SpecParser *p, void *arrp, uint32_t *n, uint32_t *cap, size_t size)
{
    char *arr;

    memcpy(&arr, arrp, sizeof arr);
    if (*n == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 16;
        char *grown = realloc(arr, (size_t)ncap * size);

        if (!grown) {
            spec_fail(p, "out of memory");
            return NULL;
        }
        arr = grown;
        *cap = ncap;
        memcpy(arrp, &arr, sizeof arr);
    }
    memset(arr + (size_t)*n * size, 0, size);
    return arr + (size_t)(*n)++ * size;
}

/* ---- the name table -------------------------------------------------------- */

static const char *spec_name_at(const Spec *s, uint8_t kind, uint32_t i)
{
    switch (kind) {
    case SPEC_K_WINDOW:
        return s->windows[i].name;
    case SPEC_K_REG:
        return s->regs[i].name;
    case SPEC_K_BUFFER:
        return s->buffers[i].name;
    case SPEC_K_VAR:
        return s->vars[i].name;
    default:
        return s->states[i].name;
    }
}

static uint32_t spec_line_at(const Spec *s, uint8_t kind, uint32_t i)
{
    switch (kind) {
    case SPEC_K_WINDOW:
        return s->windows[i].line;
    case SPEC_K_REG:
        return s->regs[i].line;
    case SPEC_K_BUFFER:
        return s->buffers[i].line;
    case SPEC_K_VAR:
        return s->vars[i].line;
    default:
        return s->states[i].line;
    }
}

/* "ring" for a ring, else the kind's noun */
static const char *spec_noun_at(const Spec *s, uint8_t kind, uint32_t i)
{
    if (kind == SPEC_K_BUFFER && s->buffers[i].ring)
        return "ring";
    return spec_kind_nouns[kind];
}

static uint32_t spec_names_hash(const char *name, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 16777619u;
    return h;
}

/* The slot holding `name`, or the free slot where it would go. */
static SpecSlot *spec_names_slot(SpecParser *p, const char *name, size_t len)
{
    uint32_t mask = p->cap_slots - 1;

    for (uint32_t i = spec_names_hash(name, len) & mask;; i = (i + 1) & mask) {
        SpecSlot *sl = &p->slots[i];
        const char *have;

        if (sl->kind == SPEC_K_NONE)
            return sl;
        have = spec_name_at(p->s, sl->kind, sl->index);
        if (strncmp(have, name, len) == 0 && have[len] == '\0')
            return sl;
    }
}

static const SpecSlot *spec_names_find(SpecParser *p, const char *name, size_t len)
{
    const SpecSlot *sl;

    if (!p->cap_slots)
        return NULL;
    sl = spec_names_slot(p, name, len);
    return sl->kind == SPEC_K_NONE ? NULL : sl;
}

/* Doubles the table (kept at most half full). */
static int spec_names_grow(SpecParser *p)
{
    SpecSlot *old = p->slots;
    uint32_t oldcap = p->cap_slots;

    p->cap_slots = oldcap ? oldcap * 2 : 64;
    p->slots = calloc(p->cap_slots, sizeof *p->slots);
    if (!p->slots) {
        p->slots = old;
        p->cap_slots = oldcap;
        return spec_fail(p, "out of memory");
    }
    for (uint32_t i = 0; i < oldcap; i++) {
        if (old[i].kind != SPEC_K_NONE) {
            const char *name = spec_name_at(p->s, old[i].kind, old[i].index);
            *spec_names_slot(p, name, strlen(name)) = old[i];
        }
    }
    free(old);
    return 0;
}

/* Enters a declared name (its uniqueness already checked). */
static int spec_names_add(SpecParser *p, uint8_t kind, uint32_t index)
{
    const char *name = spec_name_at(p->s, kind, index);
    SpecSlot *sl;

    if ((p->nslots + 1) * 2 > p->cap_slots && spec_names_grow(p) != 0)
        return -1;
    sl = spec_names_slot(p, name, strlen(name));
    sl->kind = kind;
    sl->index = index;
    p->nslots++;
    return 0;
}

/* ---- lines and tokens ------------------------------------------------------ */

static int spec_is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int spec_is_name_start(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int spec_is_name_char(int c)
{
    return spec_is_name_start(c) || spec_is_digit(c) || c == '.';
}

static int spec_is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* Cuts the comment off p->buf; a `#` inside a string is no comment. */
static int spec_line_uncomment(SpecParser *p)
{
    for (char *c = p->buf; *c; c++) {
        if (*c == '#') {
            *c = '\0';
            return 0;
        }
        if (*c != '"')
            continue;
        for (c++; *c && *c != '"'; c++)
            if (*c == '\\' && c[1])
                c++;
        if (!*c)
            return spec_fail(p, "unterminated string");
    }
    return 0;
}

/* Checks one line (without its '\n', nor a '\r' before it) and makes it
 * the current one. */
static int spec_line_load(SpecParser *p, const char *at, size_t n)
{
    if (n && at[n - 1] == '\r')
        n--;
    if (n > SPEC_LINE_MAX)
        return spec_fail(p, "line longer than %u bytes", SPEC_LINE_MAX);
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)at[i];
        size_t k;

        if (c == '\0')
            return spec_fail(p, "NUL byte");
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return spec_fail(p, "control character 0x%02x", c);
        k = spec_utf8_len((const unsigned char *)at + i, n - i);
        if (!k)
            return spec_fail(p, "invalid UTF-8");
        i += k;
    }
    memcpy(p->buf, at, n);
    p->buf[n] = '\0';
    p->cur = p->buf;
    return spec_line_uncomment(p);
}

static void spec_skip_blank(SpecParser *p)
{
    while (spec_is_blank(*p->cur))
        p->cur++;
}

/* A word of [A-Za-z0-9_.-] (a statement, a request, an option): its
 * length, 0 if there is none at the cursor. */
static size_t spec_take_keyword(SpecParser *p, const char **at)
{
    spec_skip_blank(p);
    *at = p->cur;
    while (spec_is_name_char(*p->cur) || *p->cur == '-')
        p->cur++;
    return (size_t)(p->cur - *at);
}

/* Everything up to the next blank. */
static size_t spec_take_word(SpecParser *p, const char **at)
{
    spec_skip_blank(p);
    *at = p->cur;
    while (*p->cur && !spec_is_blank(*p->cur))
        p->cur++;
    return (size_t)(p->cur - *at);
}

static int spec_hex_digit(int c)
{
    if (spec_is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The value of a number's text (decimal, or hex after 0x); -1: not a
 * number, -2: above 64 bits. */
static int spec_number_value(const char *at, size_t n, uint64_t *v)
{
    int hex = n > 2 && at[0] == '0' && (at[1] == 'x' || at[1] == 'X');

    *v = 0;
    if (n == 2 && at[0] == '0' && (at[1] == 'x' || at[1] == 'X'))
        return -1;
    for (size_t i = hex ? 2 : 0; i < n; i++) {
        int d = hex ? spec_hex_digit(at[i]) : (spec_is_digit(at[i]) ? at[i] - '0' : -1);

        if (d < 0)
            return -1;
        if (hex ? *v >> 60 != 0 : *v > (UINT64_MAX - (uint64_t)d) / 10)
            return -2;
        *v = hex ? *v << 4 | (uint64_t)d : *v * 10 + (uint64_t)d;
    }
    return 0;
}

static int spec_lex_number(SpecParser *p, SpecTok *t)
{
    int rc;

    while (spec_is_name_char(t->at[t->len]))
        t->len++;
    t->kind = SPEC_T_NUM;
    rc = spec_number_value(t->at, t->len, &t->num);
    if (rc == -1)
        return spec_fail(p, "bad number '%.*s'", spec_echo_len(t->at, t->len), t->at);
    if (rc == -2)
        return spec_fail(p, "number '%.*s' does not fit 64 bits", spec_echo_len(t->at, t->len),
                         t->at);
    return 0;
}

static int spec_lex_name(SpecParser *p, SpecTok *t)
{
    while (spec_is_name_char(t->at[t->len]))
        t->len++;
    t->kind = SPEC_T_NAME;
    if (t->len > SPEC_NAME_MAX - 1)
        return spec_fail(p, "name '%.*s...' longer than %u bytes", spec_echo_len(t->at, t->len),
                         t->at, SPEC_NAME_MAX - 1);
    return 0;
}

static int spec_lex_string(SpecParser *p, SpecTok *t)
{
    t->kind = SPEC_T_STR;
    for (t->len = 1; t->at[t->len] != '"'; t->len++) {
        if (!t->at[t->len])
            return spec_fail(p, "unterminated string");
        if (t->at[t->len] == '\\' && t->at[t->len + 1])
            t->len++;
    }
    t->len++;
    return 0;
}

/* Operators and punctuation, the longer first. */
static const struct {
    const char *text;
    int op;
} spec_ops[] = {
    {"->", SPEC_TOK_ARROW},
    {"<<", SPEC_OP_SHL},
    {">>", SPEC_OP_SHR},
    {"<=", SPEC_OP_LE},
    {">=", SPEC_OP_GE},
    {"==", SPEC_OP_EQ},
    {"!=", SPEC_OP_NE},
    {"&&", SPEC_OP_AND},
    {"||", SPEC_OP_OR},
    {"(", '('},
    {")", ')'},
    {"[", '['},
    {"]", ']'},
    {",", ','},
    {"*", '*'},
    {"/", '/'},
    {"%", '%'},
    {"+", '+'},
    {"-", '-'},
    {"~", '~'},
    {"!", '!'},
    {"<", '<'},
    {">", '>'},
    {"&", '&'},
    {"^", '^'},
    {"|", '|'},
};

const char *spec_op_text(uint8_t op)
{
    if (!spec_op_precedence(op))
        return "?";
    for (size_t i = 0; i < sizeof spec_ops / sizeof spec_ops[0]; i++)
        if (spec_ops[i].op == op)
            return spec_ops[i].text;
    return "?";
}

/* The token at the cursor, which stays where it is. */
static int spec_peek(SpecParser *p, SpecTok *t)
{
    const char *c = p->cur;

    while (spec_is_blank(*c))
        c++;
    memset(t, 0, sizeof *t);
    t->at = c;
    if (!*c)
        return 0;
    if (spec_is_digit(*c))
        return spec_lex_number(p, t);
    if (spec_is_name_start(*c))
        return spec_lex_name(p, t);
    if (*c == '"')
        return spec_lex_string(p, t);
    for (size_t i = 0; i < sizeof spec_ops / sizeof spec_ops[0]; i++) {
        size_t n = strlen(spec_ops[i].text);

        if (strncmp(c, spec_ops[i].text, n) == 0) {
            t->kind = SPEC_T_OP;
            t->op = spec_ops[i].op;
            t->len = n;
            return 0;
        }
    }
    return spec_fail(p, "unexpected character '%.*s'",
                     (int)spec_utf8_len((const unsigned char *)c, strlen(c)), c);
}

static void spec_advance(SpecParser *p, const SpecTok *t)
{
    p->cur = t->at + t->len;
}

static int spec_take(SpecParser *p, SpecTok *t)
{
    if (spec_peek(p, t) != 0)
        return -1;
    spec_advance(p, t);
    return 0;
}

static int spec_tok_is(const SpecTok *t, SpecTokKind kind, const char *text)
{
    return t->kind == kind && strlen(text) == t->len && memcmp(t->at, text, t->len) == 0;
}

/* Takes the name `word` if it is next; 1 if it was, 0 if not, -1. */
static int spec_take_if(SpecParser *p, const char *word)
{
    SpecTok t;

    if (spec_peek(p, &t) != 0)
        return -1;
    if (!spec_tok_is(&t, SPEC_T_NAME, word))
        return 0;
    spec_advance(p, &t);
    return 1;
}

static int spec_expect_word(SpecParser *p, const char *word)
{
    SpecTok t;
    char what[32];

    if (spec_take(p, &t) != 0)
        return -1;
    if (spec_tok_is(&t, SPEC_T_NAME, word))
        return 0;
    snprintf(what, sizeof what, "'%s'", word);
    return spec_fail_expected(p, what, &t);
}

static int spec_expect_op(SpecParser *p, int op, const char *what)
{
    SpecTok t;

    if (spec_take(p, &t) != 0)
        return -1;
    if (t.kind == SPEC_T_OP && t.op == op)
        return 0;
    return spec_fail_expected(p, what, &t);
}

static int spec_expect_end(SpecParser *p)
{
    SpecTok t;

    if (spec_peek(p, &t) != 0)
        return -1;
    if (t.kind == SPEC_T_END)
        return 0;
    return spec_fail(p, "unexpected '%.*s'", spec_echo_len(t.at, t.len), t.at);
}

/* ---- numbers and strings --------------------------------------------------- */

/* A number in [lo, hi]; `what` names it in the error. */
static int spec_take_number(SpecParser *p, const char *what, uint64_t lo, uint64_t hi, uint64_t *v)
{
    SpecTok t;

    if (spec_take(p, &t) != 0)
        return -1;
    if (t.kind == SPEC_T_END)
        return spec_fail(p, "%s: expected a number at the end of the line", what);
    if (t.kind != SPEC_T_NUM)
        return spec_fail(p, "%s: expected a number, got '%.*s'", what, spec_echo_len(t.at, t.len),
                         t.at);
    if (t.num < lo && hi == UINT64_MAX)
        return spec_fail(p, "%s %.*s: must be at least %llu", what, spec_echo_len(t.at, t.len),
                         t.at, (unsigned long long)lo);
    if (t.num < lo || t.num > hi)
        return spec_fail(p, "%s %.*s out of range (%llu..%llu)", what, spec_echo_len(t.at, t.len),
                         t.at, (unsigned long long)lo, (unsigned long long)hi);
    *v = t.num;
    return 0;
}

static int spec_take_u32(SpecParser *p, const char *what, uint32_t lo, uint32_t hi, uint32_t *v)
{
    uint64_t n;

    if (spec_take_number(p, what, lo, hi, &n) != 0)
        return -1;
    *v = (uint32_t)n;
    return 0;
}

static int spec_take_width(SpecParser *p, uint8_t *width)
{
    uint64_t w;

    if (spec_take_number(p, "width", 0, UINT64_MAX, &w) != 0)
        return -1;
    if (w != 1 && w != 2 && w != 4)
        return spec_fail(p, "width %llu: must be 1, 2 or 4", (unsigned long long)w);
    *width = (uint8_t)w;
    return 0;
}

static int spec_take_align(SpecParser *p, uint32_t *align)
{
    uint64_t a;

    if (spec_take_number(p, "alignment", 0, UINT64_MAX, &a) != 0)
        return -1;
    if (a == 0 || a > SPEC_ALIGN_MAX || (a & (a - 1)) != 0)
        return spec_fail(p, "alignment %llu: must be a power of two, at most %u",
                         (unsigned long long)a, SPEC_ALIGN_MAX);
    *align = (uint32_t)a;
    return 0;
}

/* Decodes the string token t into out (SPEC_STRING_MAX + 1 bytes). */
static int spec_string_decode(SpecParser *p, const SpecTok *t, char *out)
{
    size_t n = 0;

    for (size_t i = 1; i + 1 < t->len; i++) {
        char c = t->at[i];

        if (c == '\\') {
            c = t->at[++i];
            if (c == 'n')
                c = '\n';
            else if (c != '"' && c != '\\')
                return spec_fail(p, "unknown escape '\\%.*s' in a string",
                                 (int)spec_utf8_len((const unsigned char *)t->at + i, t->len - i),
                                 t->at + i);
        }
        if (n == SPEC_STRING_MAX)
            return spec_fail(p, "string longer than %u bytes", SPEC_STRING_MAX);
        out[n++] = c;
    }
    out[n] = '\0';
    return 0;
}

/* A quoted string, stored in spec->strings: its index in *index. */
static int spec_take_string(SpecParser *p, uint32_t *index)
{
    char text[SPEC_STRING_MAX + 1];
    char *dup, **slot;
    SpecTok t;

    if (spec_take(p, &t) != 0)
        return -1;
    if (t.kind != SPEC_T_STR)
        return spec_fail_expected(p, "a quoted string", &t);
    if (spec_string_decode(p, &t, text) != 0)
        return -1;
    dup = strdup(text);
    if (!dup)
        return spec_fail(p, "out of memory");
    slot = spec_append(p, &p->s->strings, &p->s->nstrings, &p->cap.strings, sizeof *slot);
    if (!slot) {
        free(dup);
        return -1;
    }
    *slot = dup;
    *index = p->s->nstrings - 1;
    return 0;
}

/* The next of a statement's `options` (each at most once): 1 and its
 * index in *i; 0 when no name follows; -1. */
static int spec_take_option(SpecParser *p, const char *stmt, const char *const *options, unsigned n,
                            unsigned *seen, unsigned *i)
{
    SpecTok t;

    if (spec_peek(p, &t) != 0)
        return -1;
    if (t.kind != SPEC_T_NAME)
        return 0;
    for (*i = 0; *i < n && !spec_tok_is(&t, SPEC_T_NAME, options[*i]); (*i)++)
        ;
    if (*i == n)
        return spec_fail(p, "unknown option '%.*s' for '%s'", (int)t.len, t.at, stmt);
    if (*seen & 1u << *i)
        return spec_fail(p, "option '%s' given twice", options[*i]);
    *seen |= 1u << *i;
    spec_advance(p, &t);
    return 1;
}

/* ---- names ----------------------------------------------------------------- */

static SpecParam spec_param_any(const char *at, size_t len)
{
    for (unsigned i = 0; i < SPEC_PARAM_COUNT_; i++)
        if (strlen(spec_params[i].name) == len && memcmp(spec_params[i].name, at, len) == 0)
            return (SpecParam)i;
    return SPEC_PARAM_COUNT_;
}

/* A name being declared as a `kind`: unused so far; a variable's is not a
 * request parameter's either, so that an expression's names are never
 * ambiguous. */
static int spec_take_new_name(SpecParser *p, uint8_t kind, char name[SPEC_NAME_MAX])
{
    const SpecSlot *sl;
    SpecTok t;

    if (spec_take(p, &t) != 0)
        return -1;
    if (t.kind != SPEC_T_NAME)
        return spec_fail_expected(p, "a name", &t);
    if (kind == SPEC_K_VAR && spec_param_any(t.at, t.len) != SPEC_PARAM_COUNT_)
        return spec_fail(p, "'%.*s' is a request parameter: no variable may take its name",
                         (int)t.len, t.at);
    sl = spec_names_find(p, t.at, t.len);
    if (sl)
        return spec_fail(p, "'%.*s' already declared on line %u", (int)t.len, t.at,
                         spec_line_at(p->s, sl->kind, sl->index));
    memcpy(name, t.at, t.len);
    name[t.len] = '\0';
    return 0;
}

/* The declared name t as a `kind`. */
static int spec_resolve(SpecParser *p, const SpecTok *t, uint8_t kind, uint32_t *index)
{
    const char *noun = spec_kind_nouns[kind];
    const SpecSlot *sl = spec_names_find(p, t->at, t->len);

    if (sl && sl->kind == kind) {
        *index = sl->index;
        return 0;
    }
    if (sl)
        return spec_fail(p, "'%.*s' is a %s, not a %s", (int)t->len, t->at,
                         spec_noun_at(p->s, sl->kind, sl->index), noun);
    if (kind == SPEC_K_VAR && spec_param_any(t->at, t->len) != SPEC_PARAM_COUNT_)
        return spec_fail(p, "'%.*s' is a request parameter, not a variable", (int)t->len, t->at);
    return spec_fail(p, "undeclared %s '%.*s'", noun, (int)t->len, t->at);
}

/* The next token, a declared name of `kind`. */
static int spec_take_ref(SpecParser *p, uint8_t kind, uint32_t *index)
{
    char what[32];
    SpecTok t;

    if (spec_take(p, &t) != 0)
        return -1;
    if (t.kind != SPEC_T_NAME) {
        snprintf(what, sizeof what, "a %s name", spec_kind_nouns[kind]);
        return spec_fail_expected(p, what, &t);
    }
    return spec_resolve(p, &t, kind, index);
}

static int spec_take_request(SpecParser *p, uint8_t *req)
{
    const char *at;
    size_t n = spec_take_keyword(p, &at);

    for (unsigned r = 0; n && r < SPEC_REQ_COUNT; r++) {
        if (strlen(spec_request_names[r]) == n && memcmp(spec_request_names[r], at, n) == 0) {
            *req = (uint8_t)r;
            return 0;
        }
    }
    if (!n)
        n = spec_take_word(p, &at);
    if (!n)
        return spec_fail(p, "expected a request at the end of the line");
    return spec_fail(p, "unknown request '%.*s'", spec_echo_len(at, n), at);
}

/* ---- expressions ----------------------------------------------------------- */

static uint32_t spec_parse_expr(SpecParser *p);

static uint32_t spec_expr_add(SpecParser *p, uint8_t kind, uint8_t op, uint32_t a, uint32_t b,
                              uint64_t num)
{
    SpecExpr *e;

    if (p->s->nexprs >= SPEC_EXPRS_MAX) {
        spec_fail(p, "more than %u expression nodes", SPEC_EXPRS_MAX);
        return SPEC_NONE;
    }
    e = spec_append(p, &p->s->exprs, &p->s->nexprs, &p->cap.exprs, sizeof *e);
    if (!e)
        return SPEC_NONE;
    e->kind = kind;
    e->op = op;
    e->a = a;
    e->b = b;
    e->num = num;
    return p->s->nexprs - 1;
}

/* Enters one level of nesting (parentheses, brackets, a unary operator). */
static int spec_expr_enter(SpecParser *p)
{
    if (++p->depth > SPEC_EXPR_DEPTH_MAX)
        return spec_fail(p, "expression nested deeper than %d", SPEC_EXPR_DEPTH_MAX);
    return 0;
}

/* `[ EXPR ]` if it is next: the index expression, or SPEC_NONE in *idx. */
static int spec_parse_index(SpecParser *p, uint32_t *idx)
{
    SpecTok t;

    *idx = SPEC_NONE;
    if (spec_peek(p, &t) != 0)
        return -1;
    if (t.kind != SPEC_T_OP || t.op != '[')
        return 0;
    spec_advance(p, &t);
    if (spec_expr_enter(p) != 0)
        return -1;
    *idx = spec_parse_expr(p);
    p->depth--;
    if (*idx == SPEC_NONE)
        return -1;
    return spec_expect_op(p, ']', "']'");
}

/* `addr(BUF)` or `addr(BUF[IDX])`, after `addr`. */
static uint32_t spec_parse_addr(SpecParser *p)
{
    uint32_t buf, idx;

    if (spec_expect_op(p, '(', "'('") != 0 || spec_take_ref(p, SPEC_K_BUFFER, &buf) != 0 ||
        spec_parse_index(p, &idx) != 0)
        return SPEC_NONE;
    if (idx != SPEC_NONE && p->s->buffers[buf].count == 0) {
        spec_fail(p, "buffer '%s' is not an array", p->s->buffers[buf].name);
        return SPEC_NONE;
    }
    if (spec_expect_op(p, ')', "')'") != 0)
        return SPEC_NONE;
    return spec_expr_add(p, SPEC_E_ADDR, 0, buf, idx, 0);
}

/* `size(BUF)`, after `size`. */
static uint32_t spec_parse_size(SpecParser *p)
{
    uint32_t buf;

    if (spec_expect_op(p, '(', "'('") != 0 || spec_take_ref(p, SPEC_K_BUFFER, &buf) != 0 ||
        spec_expect_op(p, ')', "')'") != 0)
        return SPEC_NONE;
    return spec_expr_add(p, SPEC_E_SIZE, 0, buf, SPEC_NONE, 0);
}

/* A name in an expression: addr( size( a parameter of the request, a
 * variable (which no parameter's name can be). */
static uint32_t spec_parse_name_expr(SpecParser *p, const SpecTok *t)
{
    SpecParam param = spec_param_any(t->at, t->len);
    uint32_t var;
    SpecTok next;

    if (spec_peek(p, &next) != 0)
        return SPEC_NONE;
    if (next.kind == SPEC_T_OP && next.op == '(') {
        if (spec_tok_is(t, SPEC_T_NAME, "addr"))
            return spec_parse_addr(p);
        if (spec_tok_is(t, SPEC_T_NAME, "size"))
            return spec_parse_size(p);
    }
    if (param != SPEC_PARAM_COUNT_ && spec_params[param].req == p->req)
        return spec_expr_add(p, SPEC_E_PARAM, 0, param, SPEC_NONE, 0);
    if (param != SPEC_PARAM_COUNT_ && !spec_names_find(p, t->at, t->len)) {
        spec_fail(p, "'%s' is not a parameter of '%s'", spec_params[param].name,
                  spec_request_names[p->req]);
        return SPEC_NONE;
    }
    if (spec_resolve(p, t, SPEC_K_VAR, &var) != 0)
        return SPEC_NONE;
    return spec_expr_add(p, SPEC_E_VAR, 0, var, SPEC_NONE, 0);
}

static uint32_t spec_parse_paren(SpecParser *p)
{
    uint32_t e;

    if (spec_expr_enter(p) != 0)
        return SPEC_NONE;
    e = spec_parse_expr(p);
    p->depth--;
    if (e == SPEC_NONE || spec_expect_op(p, ')', "')'") != 0)
        return SPEC_NONE;
    return e;
}

static uint32_t spec_parse_primary(SpecParser *p)
{
    SpecTok t;

    if (spec_take(p, &t) != 0)
        return SPEC_NONE;
    if (t.kind == SPEC_T_NUM)
        return spec_expr_add(p, SPEC_E_NUM, 0, SPEC_NONE, SPEC_NONE, t.num);
    if (t.kind == SPEC_T_NAME)
        return spec_parse_name_expr(p, &t);
    if (t.kind == SPEC_T_OP && t.op == '(')
        return spec_parse_paren(p);
    spec_fail_expected(p, "an expression", &t);
    return SPEC_NONE;
}

static uint32_t spec_parse_unary(SpecParser *p)
{
    uint32_t operand;
    SpecTok t;

    if (spec_peek(p, &t) != 0)
        return SPEC_NONE;
    if (t.kind != SPEC_T_OP || (t.op != '~' && t.op != '!' && t.op != '-'))
        return spec_parse_primary(p);
    spec_advance(p, &t);
    if (spec_expr_enter(p) != 0)
        return SPEC_NONE;
    operand = spec_parse_unary(p);
    p->depth--;
    if (operand == SPEC_NONE)
        return SPEC_NONE;
    return spec_expr_add(p, SPEC_E_UNARY, (uint8_t)t.op, operand, SPEC_NONE, 0);
}

/* C's precedence of a binary operator, higher binds tighter; 0: none. */
int spec_op_precedence(uint8_t op)
{
    switch (op) {
    case SPEC_OP_OR:
        return 1;
    case SPEC_OP_AND:
        return 2;
    case '|':
        return 3;
    case '^':
        return 4;
    case '&':
        return 5;
    case SPEC_OP_EQ:
    case SPEC_OP_NE:
        return 6;
    case '<':
    case '>':
    case SPEC_OP_LE:
    case SPEC_OP_GE:
        return 7;
    case SPEC_OP_SHL:
    case SPEC_OP_SHR:
        return 8;
    case '+':
    case '-':
        return 9;
    case '*':
    case '/':
    case '%':
        return 10;
    default:
        return 0;
    }
}

static int spec_binary_prec(const SpecTok *t)
{
    return t->kind == SPEC_T_OP ? spec_op_precedence(t->op) : 0;
}

/* Operators of precedence `min` and above, left-associative. The
 * expression goes on as long as an operator follows. */
static uint32_t spec_parse_binary(SpecParser *p, int min)
{
    uint32_t lhs = spec_parse_unary(p);

    while (lhs != SPEC_NONE) {
        uint32_t rhs;
        SpecTok t;
        int prec;

        if (spec_peek(p, &t) != 0)
            return SPEC_NONE;
        prec = spec_binary_prec(&t);
        if (prec == 0 || prec < min)
            break;
        spec_advance(p, &t);
        rhs = spec_parse_binary(p, prec + 1);
        if (rhs == SPEC_NONE)
            return SPEC_NONE;
        lhs = spec_expr_add(p, SPEC_E_BINARY, (uint8_t)t.op, lhs, rhs, 0);
    }
    return lhs;
}

/* An expression: its node, or SPEC_NONE (error set). */
static uint32_t spec_parse_expr(SpecParser *p)
{
    return spec_parse_binary(p, 1);
}

/* ---- declarations ---------------------------------------------------------- */

/* `VVVV:DDDD`, one to four hex digits each. */
static int spec_pci_id_parse(const char *at, size_t n, uint16_t *vendor, uint16_t *device)
{
    const char *colon = memchr(at, ':', n);
    uint32_t v[2] = {0, 0};
    size_t len[2];

    if (!colon)
        return -1;
    len[0] = (size_t)(colon - at);
    len[1] = n - len[0] - 1;
    for (int k = 0; k < 2; k++) {
        const char *d = k ? colon + 1 : at;

        if (len[k] < 1 || len[k] > 4)
            return -1;
        for (size_t i = 0; i < len[k]; i++) {
            int x = spec_hex_digit(d[i]);
            if (x < 0)
                return -1;
            v[k] = v[k] << 4 | (uint32_t)x;
        }
    }
    *vendor = (uint16_t)v[0];
    *device = (uint16_t)v[1];
    return 0;
}

/* An ISA model name: like a name, '-' allowed (ne2000-isa). */
static int spec_isa_name_ok(const char *at, size_t n)
{
    if (n == 0 || n > SPEC_NAME_MAX - 1)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!spec_is_name_char(at[i]) && at[i] != '-')
            return 0;
    return 1;
}

static int spec_parse_device(SpecParser *p)
{
    SpecDevice d = {.line = p->line};
    const char *at;
    SpecDevice *dst;
    size_t n;
    SpecTok t;

    if (spec_take(p, &t) != 0)
        return -1;
    n = spec_take_word(p, &at);
    if (spec_tok_is(&t, SPEC_T_NAME, "pci")) {
        d.pci = 1;
        if (spec_pci_id_parse(at, n, &d.vendor, &d.device) != 0)
            return spec_fail(p, "bad PCI id '%.*s' (VVVV:DDDD, hex)", spec_echo_len(at, n), at);
    } else if (spec_tok_is(&t, SPEC_T_NAME, "isa")) {
        if (!spec_isa_name_ok(at, n))
            return spec_fail(p, "bad ISA model name '%.*s'", spec_echo_len(at, n), at);
        memcpy(d.isa, at, n);
    } else {
        return spec_fail_expected(p, "'pci' or 'isa'", &t);
    }
    dst = spec_append(p, &p->s->devices, &p->s->ndevices, &p->cap.devices, sizeof *dst);
    if (!dst)
        return -1;
    *dst = d;
    return 0;
}

static int spec_parse_window(SpecParser *p)
{
    SpecWindow w = {.line = p->line};
    SpecWindow *dst;
    SpecTok t;

    if (spec_take_new_name(p, SPEC_K_WINDOW, w.name) != 0 || spec_take(p, &t) != 0)
        return -1;
    if (spec_tok_is(&t, SPEC_T_NAME, "mmio"))
        w.mmio = 1;
    else if (!spec_tok_is(&t, SPEC_T_NAME, "port"))
        return spec_fail_expected(p, "'port' or 'mmio'", &t);
    if (spec_take_u32(p, "window size", 1, SPEC_WINDOW_MAX, &w.size) != 0)
        return -1;
    dst = spec_append(p, &p->s->windows, &p->s->nwindows, &p->cap.windows, sizeof *dst);
    if (!dst)
        return -1;
    *dst = w;
    return spec_names_add(p, SPEC_K_WINDOW, p->s->nwindows - 1);
}

/* The register an `index` or `bank` option names: declared, not an array. */
static int spec_take_select_reg(SpecParser *p, const char *option, uint32_t *reg)
{
    if (spec_take_ref(p, SPEC_K_REG, reg) != 0)
        return -1;
    if (p->s->regs[*reg].count)
        return spec_fail(p, "%s register '%s' is an array", option, p->s->regs[*reg].name);
    return 0;
}

static int spec_parse_reg_count(SpecParser *p, SpecReg *r)
{
    if (spec_take_u32(p, "count", 1, SPEC_WINDOW_MAX, &r->count) != 0 ||
        spec_expect_word(p, "stride") != 0 ||
        spec_take_u32(p, "stride", 1, SPEC_WINDOW_MAX, &r->stride) != 0)
        return -1;
    if ((uint64_t)r->count * r->stride > SPEC_WINDOW_MAX)
        return spec_fail(p, "%u registers %u bytes apart span more than %u bytes", r->count,
                         r->stride, SPEC_WINDOW_MAX);
    return 0;
}

static int spec_parse_reg_bank(SpecParser *p, SpecReg *r)
{
    if (spec_take_select_reg(p, "bank", &r->bank_reg) != 0 ||
        spec_take_number(p, "bank mask", 0, UINT64_MAX, &r->bank_mask) != 0 ||
        spec_take_number(p, "bank value", 0, UINT64_MAX, &r->bank_value) != 0)
        return -1;
    if (r->bank_value & ~r->bank_mask)
        return spec_fail(p, "bank value 0x%llx has bits outside the mask 0x%llx",
                         (unsigned long long)r->bank_value, (unsigned long long)r->bank_mask);
    return 0;
}

/* The options of a `reg` line. */
static int spec_parse_reg_options(SpecParser *p, SpecReg *r)
{
    static const char *const options[] = {"count", "dma", "index", "bank"};
    unsigned seen = 0, i;
    int rc;

    while ((rc = spec_take_option(p, "reg", options, 4, &seen, &i)) == 1) {
        switch (i) {
        case 0:
            rc = spec_parse_reg_count(p, r) != 0 ? -1 : 1;
            break;
        case 1: {
            r->dma = 1;
            SpecTok t; /* `dma low` / `dma high`: one half of an address */
            if (spec_peek(p, &t) != 0)
                return -1;
            if (spec_tok_is(&t, SPEC_T_NAME, "low") || spec_tok_is(&t, SPEC_T_NAME, "high")) {
                r->dma_half = spec_tok_is(&t, SPEC_T_NAME, "low") ? SPEC_HALF_LOW : SPEC_HALF_HIGH;
                spec_advance(p, &t);
            }
            break;
        }
        case 2:
            if (spec_take_select_reg(p, "index", &r->index_reg) != 0 ||
                spec_take_number(p, "index value", 0, UINT64_MAX, &r->index_value) != 0)
                rc = -1;
            break;
        default:
            rc = spec_parse_reg_bank(p, r) != 0 ? -1 : 1;
            break;
        }
        if (rc < 0)
            return -1;
    }
    return rc;
}

static int spec_parse_reg(SpecParser *p)
{
    SpecReg r = {.line = p->line, .index_reg = SPEC_NONE, .bank_reg = SPEC_NONE};
    SpecReg *dst;

    if (spec_take_new_name(p, SPEC_K_REG, r.name) != 0 ||
        spec_take_ref(p, SPEC_K_WINDOW, &r.window) != 0 ||
        spec_take_u32(p, "offset", 0, SPEC_WINDOW_MAX - 1, &r.offset) != 0 ||
        spec_take_width(p, &r.width) != 0 || spec_parse_reg_options(p, &r) != 0)
        return -1;
    dst = spec_append(p, &p->s->regs, &p->s->nregs, &p->cap.regs, sizeof *dst);
    if (!dst)
        return -1;
    *dst = r;
    return spec_names_add(p, SPEC_K_REG, p->s->nregs - 1);
}

/* Bytes a buffer or ring takes: a ring its descriptors, a buffer array its
 * copies each rounded up to the alignment (as replay places them). */
static uint64_t spec_buffer_span(const SpecBuffer *b)
{
    if (b->ring)
        return (uint64_t)b->count * b->size;
    if (!b->count)
        return b->size;
    uint64_t stride = ((uint64_t)b->size + b->align - 1) & ~(uint64_t)(b->align - 1);
    return stride * b->count;
}

/* `in PARENT OFFSET`: a buffer or ring laid out inside another, as a driver
 * cuts its rings from one allocation. The parent is a single buffer of its
 * own; the piece lies inside it, at its own alignment (the parent's
 * alignment and the offset together give it), apart from its siblings. */
static int spec_parse_in(SpecParser *p, SpecBuffer *b)
{
    const SpecBuffer *pa;
    uint32_t parent;

    if (spec_take_ref(p, SPEC_K_BUFFER, &parent) != 0 ||
        spec_take_u32(p, "offset", 0, SPEC_BUFFER_MAX, &b->in_off) != 0)
        return -1;
    b->inside = parent + 1;
    pa = &p->s->buffers[parent];
    if (pa->ring || pa->count || pa->inside)
        return spec_fail(p, "'%s' (line %u) is %s: only a single buffer of its own may hold others",
                         pa->name, pa->line,
                         pa->ring ? "a ring" : pa->count ? "a buffer array" : "inside another");
    return 0;
}

/* `kind "TEXT"`: a name for recordings, as a driver's host names memory
 * ("send-buffer"): printable, no space, at most 32 bytes. */
static int spec_parse_kind(SpecParser *p, SpecBuffer *b)
{
    uint32_t at;

    if (spec_take_string(p, &at) != 0)
        return -1;
    const char *k = p->s->strings[at];
    size_t n = strlen(k);
    if (!n || n > 32)
        return spec_fail(p, "kind \"%s\": 1 to 32 characters", k);
    for (size_t j = 0; j < n; j++)
        if (k[j] <= ' ' || k[j] > '~' || k[j] == '+' || k[j] == '"' || k[j] == '\\')
            return spec_fail(p, "kind \"%s\": letters, digits and punctuation other than + only",
                             k);
    b->kind = at + 1;
    return 0;
}

static int spec_check_in(SpecParser *p, const SpecBuffer *b)
{
    const SpecBuffer *pa = &p->s->buffers[b->inside - 1];
    uint64_t end = (uint64_t)b->in_off + spec_buffer_span(b);
    uint32_t low = b->in_off & -b->in_off;

    if (end > pa->size)
        return spec_fail(p, "'%s' at +0x%x ends at +0x%llx, past the %u bytes of '%s'", b->name,
                         b->in_off, (unsigned long long)end, pa->size, pa->name);
    if ((b->in_off && low < b->align) || pa->align < b->align)
        return spec_fail(p, "'%s' at +0x%x of '%s' (align %u) is not aligned to %u", b->name,
                         b->in_off, pa->name, pa->align, b->align);
    for (uint32_t i = 0; i < p->s->nbuffers; i++) {
        const SpecBuffer *o = &p->s->buffers[i];
        if (o->inside != b->inside)
            continue;
        if (b->in_off < o->in_off + spec_buffer_span(o) && o->in_off < end)
            return spec_fail(p, "'%s' at +0x%x overlaps '%s' (line %u) inside '%s'", b->name,
                             b->in_off, o->name, o->line, pa->name);
    }
    return 0;
}

static int spec_buffer_add(SpecParser *p, const SpecBuffer *b)
{
    if (b->inside && spec_check_in(p, b) != 0)
        return -1;
    SpecBuffer *dst = spec_append(p, &p->s->buffers, &p->s->nbuffers, &p->cap.buffers, sizeof *dst);

    if (!dst)
        return -1;
    *dst = *b;
    return spec_names_add(p, SPEC_K_BUFFER, p->s->nbuffers - 1);
}

static int spec_parse_buffer(SpecParser *p)
{
    static const char *const options[] = {"align", "count", "in", "kind"};
    SpecBuffer b = {.line = p->line, .align = SPEC_ALIGN_DEFAULT};
    unsigned seen = 0, i;
    int rc;

    if (spec_take_new_name(p, SPEC_K_BUFFER, b.name) != 0 ||
        spec_take_u32(p, "buffer size", 1, SPEC_BUFFER_MAX, &b.size) != 0)
        return -1;
    while ((rc = spec_take_option(p, "buffer", options, 4, &seen, &i)) == 1)
        if (i == 0   ? spec_take_align(p, &b.align)
            : i == 1 ? spec_take_u32(p, "count", 1, SPEC_COUNT_MAX, &b.count)
            : i == 2 ? spec_parse_in(p, &b)
                     : spec_parse_kind(p, &b))
            return -1;
    if (rc < 0)
        return -1;
    if (b.count && b.inside)
        return spec_fail(p, "a buffer array cannot lie inside another buffer");
    return spec_buffer_add(p, &b);
}

/* `dma OFF[,OFF...]`: each a 32-bit field inside the descriptor. */
static int spec_parse_ring_dma(SpecParser *p, SpecBuffer *b)
{
    SpecTok t;

    do {
        uint32_t off;

        if (b->ndma == SPEC_MAX_DMA_OFFS)
            return spec_fail(p, "more than %d dma offsets", SPEC_MAX_DMA_OFFS);
        if (spec_take_u32(p, "dma offset", 0, UINT32_MAX, &off) != 0)
            return -1;
        if ((uint64_t)off + 4 > b->size)
            return spec_fail(p, "dma offset %u: a 32-bit field past a %u-byte descriptor", off,
                             b->size);
        b->dma_off[b->ndma++] = off;
        if (spec_peek(p, &t) != 0)
            return -1;
        if (t.kind == SPEC_T_OP && t.op == ',')
            spec_advance(p, &t);
    } while (t.kind == SPEC_T_OP && t.op == ',');
    return 0;
}

static int spec_parse_ring(SpecParser *p)
{
    static const char *const options[] = {"align", "dma", "in"};
    SpecBuffer b = {.line = p->line, .ring = 1, .align = SPEC_ALIGN_DEFAULT};
    unsigned seen = 0, i;
    int rc;

    if (spec_take_new_name(p, SPEC_K_BUFFER, b.name) != 0 ||
        spec_take_u32(p, "descriptor count", 1, SPEC_COUNT_MAX, &b.count) != 0 ||
        spec_take_u32(p, "descriptor size", 1, SPEC_BUFFER_MAX, &b.size) != 0)
        return -1;
    if ((uint64_t)b.count * b.size > SPEC_BUFFER_MAX)
        return spec_fail(p, "%u descriptors of %u bytes: more than %u bytes", b.count, b.size,
                         SPEC_BUFFER_MAX);
    while ((rc = spec_take_option(p, "ring", options, 3, &seen, &i)) == 1)
        if (i == 0   ? spec_take_align(p, &b.align)
            : i == 1 ? spec_parse_ring_dma(p, &b)
                     : spec_parse_in(p, &b))
            return -1;
    if (rc < 0)
        return -1;
    return spec_buffer_add(p, &b);
}

static int spec_parse_var(SpecParser *p)
{
    SpecVar v = {.line = p->line};
    static const char *const options[] = {"wrap"};
    unsigned seen = 0, i;
    SpecVar *dst;
    int rc;

    if (spec_take_new_name(p, SPEC_K_VAR, v.name) != 0 ||
        spec_take_number(p, "initial value", 0, UINT64_MAX, &v.init) != 0)
        return -1;
    while ((rc = spec_take_option(p, "var", options, 1, &seen, &i)) == 1)
        if (spec_take_number(p, "wrap", 1, UINT64_MAX, &v.wrap) != 0)
            return -1;
    if (rc < 0)
        return -1;
    if (v.wrap && v.init >= v.wrap)
        return spec_fail(p, "initial value %llu outside 0..%llu (wrap %llu)",
                         (unsigned long long)v.init, (unsigned long long)(v.wrap - 1),
                         (unsigned long long)v.wrap);
    dst = spec_append(p, &p->s->vars, &p->s->nvars, &p->cap.vars, sizeof *dst);
    if (!dst)
        return -1;
    *dst = v;
    return spec_names_add(p, SPEC_K_VAR, p->s->nvars - 1);
}

static int spec_parse_param(SpecParser *p)
{
    SpecParamRange r = {.line = p->line};
    SpecParamRange *dst;
    char name[SPEC_NAME_MAX];
    SpecTok t;

    if (spec_take_request(p, &r.req) != 0 || spec_take(p, &t) != 0)
        return -1;
    if (t.kind != SPEC_T_NAME)
        return spec_fail_expected(p, "a parameter name", &t);
    memcpy(name, t.at, t.len);
    name[t.len] = '\0';
    r.param = (uint8_t)spec_param_of((SpecRequest)r.req, name);
    if (r.param == SPEC_PARAM_COUNT_)
        return spec_fail(p, "'%s' is not a parameter of '%s'", name, spec_request_names[r.req]);
    for (uint32_t i = 0; i < p->s->nparams; i++)
        if (p->s->params[i].req == r.req && p->s->params[i].param == r.param)
            return spec_fail(p, "param %s %s already given on line %u", spec_request_names[r.req],
                             name, p->s->params[i].line);
    if (spec_take_number(p, "minimum", 0, UINT64_MAX, &r.min) != 0 ||
        spec_take_number(p, "maximum", 0, UINT64_MAX, &r.max) != 0)
        return -1;
    if (r.min > r.max)
        return spec_fail(p, "minimum %llu above maximum %llu", (unsigned long long)r.min,
                         (unsigned long long)r.max);
    dst = spec_append(p, &p->s->params, &p->s->nparams, &p->cap.params, sizeof *dst);
    if (!dst)
        return -1;
    *dst = r;
    return 0;
}

static int spec_parse_unhandled(SpecParser *p)
{
    uint8_t req;

    if (spec_take_request(p, &req) != 0)
        return -1;
    if (p->s->unhandled & 1u << req)
        return spec_fail(p, "'%s' already declared unhandled", spec_request_names[req]);
    p->s->unhandled |= 1u << req;
    return 0;
}

/* `timer MS`: the period of the timer request, in milliseconds. */
static int spec_parse_timer(SpecParser *p)
{
    uint64_t ms;
    if (p->s->timer_ms)
        return spec_fail(p, "the timer's period is already declared");
    if (spec_take_number(p, "period in milliseconds", SPEC_TIMER_MIN_MS, SPEC_TIMER_MAX_MS, &ms) != 0)
        return -1;
    p->s->timer_ms = (uint32_t)ms;
    return 0;
}

/* ---- states and transitions ------------------------------------------------ */

static int spec_parse_state(SpecParser *p)
{
    SpecState st = {.line = p->line};
    SpecState *dst;

    if (spec_take_new_name(p, SPEC_K_STATE, st.name) != 0)
        return -1;
    dst = spec_append(p, &p->s->states, &p->s->nstates, &p->cap.states, sizeof *dst);
    if (!dst)
        return -1;
    *dst = st;
    p->stated = 1;
    return spec_names_add(p, SPEC_K_STATE, p->s->nstates - 1);
}

/* Opens a block whose children are the actions that follow. */
static int spec_frame_push(SpecParser *p, uint8_t kind, uint32_t owner)
{
    SpecFrame *f;

    if (p->nframes > SPEC_DEPTH_MAX)
        return spec_fail(p, "blocks nested deeper than %d", SPEC_DEPTH_MAX);
    f = &p->frames[p->nframes++];
    f->kind = kind;
    f->owner = owner;
    f->start = p->npending;
    f->line = p->line;
    return 0;
}

/* Moves the open block's children from p->pending to the end of
 * spec->list, where they form one contiguous range. */
static int spec_block_close(SpecParser *p, const SpecFrame *f, SpecBlock *b)
{
    Spec *s = p->s;

    b->first = s->nlist;
    b->count = p->npending - f->start;
    for (uint32_t i = f->start; i < p->npending; i++) {
        uint32_t *slot = spec_append(p, &s->list, &s->nlist, &p->cap.list, sizeof *slot);

        if (!slot)
            return -1;
        *slot = p->pending[i];
    }
    p->npending = f->start;
    return 0;
}

/* `*` or a declared state. */
static int spec_take_from(SpecParser *p, uint32_t *from)
{
    SpecTok t;

    if (spec_peek(p, &t) != 0)
        return -1;
    if (t.kind == SPEC_T_OP && t.op == '*') {
        spec_advance(p, &t);
        *from = SPEC_NONE;
        return 0;
    }
    return spec_take_ref(p, SPEC_K_STATE, from);
}

static int spec_parse_on(SpecParser *p)
{
    SpecTransition tr = {.line = p->line, .guard = SPEC_NONE};
    SpecTransition *dst;
    int rc;

    if (spec_take_request(p, &tr.req) != 0 || spec_take_from(p, &tr.from) != 0 ||
        spec_expect_op(p, SPEC_TOK_ARROW, "'->'") != 0 ||
        spec_take_ref(p, SPEC_K_STATE, &tr.to) != 0)
        return -1;
    p->req = tr.req;
    rc = spec_take_if(p, "when");
    if (rc < 0 || (rc && (tr.guard = spec_parse_expr(p)) == SPEC_NONE))
        return -1;
    dst = spec_append(p, &p->s->transitions, &p->s->ntransitions, &p->cap.transitions, sizeof *dst);
    if (!dst)
        return -1;
    *dst = tr;
    return spec_frame_push(p, SPEC_F_ON, p->s->ntransitions - 1);
}

/* ---- actions --------------------------------------------------------------- */

static SpecAction spec_action_init(const SpecParser *p, uint8_t kind)
{
    SpecAction a = {
        .kind = kind,
        .line = p->line,
        .reg = SPEC_NONE,
        .buf = SPEC_NONE,
        .var = SPEC_NONE,
        .idx = SPEC_NONE,
        .offset = SPEC_NONE,
        .value = SPEC_NONE,
        .text = SPEC_NONE,
    };
    return a;
}

/* Stores an action and makes it the next child of the open block: its
 * index, or SPEC_NONE. */
static uint32_t spec_action_add(SpecParser *p, const SpecAction *a)
{
    Spec *s = p->s;
    SpecAction *dst;
    uint32_t *child;

    if (s->nactions >= SPEC_ACTIONS_MAX) {
        spec_fail(p, "more than %u actions", SPEC_ACTIONS_MAX);
        return SPEC_NONE;
    }
    dst = spec_append(p, &s->actions, &s->nactions, &p->cap.actions, sizeof *dst);
    if (!dst)
        return SPEC_NONE;
    *dst = *a;
    child = spec_append(p, &p->pending, &p->npending, &p->cap.pending, sizeof *child);
    if (!child)
        return SPEC_NONE;
    *child = s->nactions - 1;
    return s->nactions - 1;
}

static int spec_action_put(SpecParser *p, const SpecAction *a)
{
    return spec_action_add(p, a) == SPEC_NONE ? -1 : 0;
}

/* `REG` or `REG[IDX]`: an index exactly when the register is an array. */
static int spec_take_reg_ref(SpecParser *p, SpecAction *a)
{
    const SpecReg *r;

    if (spec_take_ref(p, SPEC_K_REG, &a->reg) != 0 || spec_parse_index(p, &a->idx) != 0)
        return -1;
    r = &p->s->regs[a->reg];
    if (r->count && a->idx == SPEC_NONE)
        return spec_fail(p, "register '%s' is an array: it needs an index", r->name);
    if (!r->count && a->idx != SPEC_NONE)
        return spec_fail(p, "register '%s' is not an array", r->name);
    return 0;
}

/* `BUF` or `BUF[IDX]`: an index exactly when it is a ring or has copies. */
static int spec_take_buf_ref(SpecParser *p, SpecAction *a)
{
    const SpecBuffer *b;

    if (spec_take_ref(p, SPEC_K_BUFFER, &a->buf) != 0 || spec_parse_index(p, &a->idx) != 0)
        return -1;
    b = &p->s->buffers[a->buf];
    if (b->count && a->idx == SPEC_NONE)
        return spec_fail(p, "%s '%s' is an array: it needs an index", b->ring ? "ring" : "buffer",
                         b->name);
    if (!b->count && a->idx != SPEC_NONE)
        return spec_fail(p, "buffer '%s' is not an array", b->name);
    return 0;
}

static int spec_take_expr(SpecParser *p, uint32_t *e)
{
    *e = spec_parse_expr(p);
    return *e == SPEC_NONE ? -1 : 0;
}

static int spec_parse_write(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_WRITE);

    if (spec_take_reg_ref(p, &a) != 0 || spec_take_expr(p, &a.value) != 0)
        return -1;
    return spec_action_put(p, &a);
}

static int spec_parse_read(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_READ);

    if (spec_take_reg_ref(p, &a) != 0 || spec_expect_op(p, SPEC_TOK_ARROW, "'->'") != 0 ||
        spec_take_ref(p, SPEC_K_VAR, &a.var) != 0)
        return -1;
    return spec_action_put(p, &a);
}

static int spec_take_timeout(SpecParser *p, uint8_t *on_timeout)
{
    static const char *const words[] = {
        [SPEC_TIMEOUT_FALLBACK] = "fallback",
        [SPEC_TIMEOUT_FAIL] = "fail",
        [SPEC_TIMEOUT_CONTINUE] = "continue",
    };
    SpecTok t;

    if (spec_expect_word(p, "else") != 0 || spec_take(p, &t) != 0)
        return -1;
    for (uint8_t i = 0; i < 3; i++) {
        if (spec_tok_is(&t, SPEC_T_NAME, words[i])) {
            *on_timeout = i;
            return 0;
        }
    }
    return spec_fail_expected(p, "'fallback', 'fail' or 'continue'", &t);
}

static int spec_parse_poll(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_POLL);
    int rc;

    if (spec_take_reg_ref(p, &a) != 0 || spec_take_number(p, "mask", 0, UINT64_MAX, &a.mask) != 0 ||
        spec_take_number(p, "value", 0, UINT64_MAX, &a.match) != 0 ||
        spec_expect_word(p, "max") != 0 ||
        spec_take_u32(p, "poll max", 1, SPEC_POLL_MAX, &a.max) != 0)
        return -1;
    rc = spec_take_if(p, "stall");
    if (rc < 0 || (rc && spec_take_u32(p, "stall", 0, SPEC_STALL_MAX, &a.stall) != 0))
        return -1;
    if (spec_take_timeout(p, &a.on_timeout) != 0)
        return -1;
    return spec_action_put(p, &a);
}

/* `BUF[IDX] OFFSET WIDTH` of store and load */
static int spec_take_mem_ref(SpecParser *p, SpecAction *a)
{
    if (spec_take_buf_ref(p, a) != 0 || spec_take_expr(p, &a->offset) != 0)
        return -1;
    return spec_take_width(p, &a->width);
}

static int spec_parse_store(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_STORE);

    if (spec_take_mem_ref(p, &a) != 0 || spec_take_expr(p, &a.value) != 0)
        return -1;
    return spec_action_put(p, &a);
}

static int spec_parse_load(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_LOAD);

    if (spec_take_mem_ref(p, &a) != 0 || spec_expect_op(p, SPEC_TOK_ARROW, "'->'") != 0 ||
        spec_take_ref(p, SPEC_K_VAR, &a.var) != 0)
        return -1;
    return spec_action_put(p, &a);
}

static int spec_require_send(SpecParser *p, const char *action)
{
    if (p->req != SPEC_REQ_SEND)
        return spec_fail(p, "'%s' is only for 'on send'", action);
    return 0;
}

static int spec_parse_copy(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_COPY);

    if (spec_require_send(p, "copy") != 0 || spec_take_buf_ref(p, &a) != 0 ||
        spec_take_expr(p, &a.offset) != 0)
        return -1;
    return spec_action_put(p, &a);
}

static int spec_parse_deliver(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_DELIVER);

    if (spec_take_buf_ref(p, &a) != 0 || spec_take_expr(p, &a.offset) != 0 ||
        spec_take_expr(p, &a.value) != 0)
        return -1;
    return spec_action_put(p, &a);
}

/* `outs REG LEN` and `ins REG BUF[IDX] OFFSET LEN`: a data register, not an
 * array (one index per action: the buffer's) */
static int spec_take_data_reg(SpecParser *p, SpecAction *a, const char *action)
{
    if (spec_take_reg_ref(p, a) != 0)
        return -1;
    if (a->idx != SPEC_NONE)
        return spec_fail(p, "'%s' needs a register that is not an array", action);
    return 0;
}

static int spec_parse_outs(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_OUTS);

    if (spec_require_send(p, "outs") != 0 || spec_take_data_reg(p, &a, "outs") != 0 ||
        spec_take_expr(p, &a.value) != 0)
        return -1;
    return spec_action_put(p, &a);
}

static int spec_parse_ins(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_INS);

    if (spec_take_data_reg(p, &a, "ins") != 0 || spec_take_buf_ref(p, &a) != 0 ||
        spec_take_expr(p, &a.offset) != 0 || spec_take_expr(p, &a.value) != 0)
        return -1;
    return spec_action_put(p, &a);
}

static int spec_parse_complete(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_COMPLETE);

    if (spec_require_send(p, "complete") != 0)
        return -1;
    return spec_action_put(p, &a);
}

static int spec_parse_linkstate(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_LINK);

    if (spec_take_expr(p, &a.value) != 0)
        return -1;
    return spec_action_put(p, &a);
}

static int spec_parse_set(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_SET);

    if (spec_take_ref(p, SPEC_K_VAR, &a.var) != 0 || spec_take_expr(p, &a.value) != 0)
        return -1;
    return spec_action_put(p, &a);
}

static int spec_parse_if(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_IF);
    uint32_t i;

    if (spec_take_expr(p, &a.value) != 0 || (i = spec_action_add(p, &a)) == SPEC_NONE)
        return -1;
    return spec_frame_push(p, SPEC_F_IF, i);
}

static int spec_parse_else(SpecParser *p)
{
    SpecFrame *f = &p->frames[p->nframes - 1];

    if (f->kind == SPEC_F_ELSE)
        return spec_fail(p, "second 'else' for the 'if' of line %u", p->s->actions[f->owner].line);
    if (f->kind != SPEC_F_IF)
        return spec_fail(p, "'else' without 'if'");
    if (spec_block_close(p, f, &p->s->actions[f->owner].body) != 0)
        return -1;
    f->kind = SPEC_F_ELSE;
    f->start = p->npending;
    f->line = p->line;
    return 0;
}

static int spec_parse_end(SpecParser *p)
{
    const SpecFrame *f = &p->frames[p->nframes - 1];
    SpecBlock *b;

    if (f->kind == SPEC_F_ON)
        b = &p->s->transitions[f->owner].body;
    else if (f->kind == SPEC_F_ELSE)
        b = &p->s->actions[f->owner].else_body;
    else
        b = &p->s->actions[f->owner].body;
    if (spec_block_close(p, f, b) != 0)
        return -1;
    p->nframes--;
    return 0;
}

static int spec_parse_repeat(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_REPEAT);
    uint32_t i;

    if (spec_take_u32(p, "repeat count", 1, SPEC_REPEAT_MAX, &a.max) != 0 ||
        (i = spec_action_add(p, &a)) == SPEC_NONE)
        return -1;
    return spec_frame_push(p, SPEC_F_REPEAT, i);
}

static int spec_parse_break(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_BREAK);
    int inside = 0;

    for (int i = 1; i < p->nframes; i++)
        inside |= p->frames[i].kind == SPEC_F_REPEAT;
    if (!inside)
        return spec_fail(p, "'break' outside a 'repeat'");
    if (spec_expect_word(p, "if") != 0 || spec_take_expr(p, &a.value) != 0)
        return -1;
    return spec_action_put(p, &a);
}

static int spec_parse_fallback(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_FALLBACK);

    if (spec_take_string(p, &a.text) != 0)
        return -1;
    return spec_action_put(p, &a);
}

static int spec_parse_note(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_NOTE);

    if (spec_take_string(p, &a.text) != 0)
        return -1;
    return spec_action_put(p, &a);
}

/* `from "TRACE" FIRST LAST`: FIRST in mask, LAST in match. */
static int spec_parse_from(SpecParser *p)
{
    SpecAction a = spec_action_init(p, SPEC_A_FROM);

    if (spec_take_string(p, &a.text) != 0 ||
        spec_take_number(p, "first event", 0, UINT64_MAX, &a.mask) != 0 ||
        spec_take_number(p, "last event", 0, UINT64_MAX, &a.match) != 0)
        return -1;
    if (a.mask > a.match)
        return spec_fail(p, "first event %llu after last event %llu", (unsigned long long)a.mask,
                         (unsigned long long)a.match);
    return spec_action_put(p, &a);
}

/* ---- statements ------------------------------------------------------------ */

typedef enum SpecWhere {
    SPEC_W_DECL,   /* before the first state */
    SPEC_W_TOP,    /* outside any block */
    SPEC_W_ACTION, /* inside an `on` */
} SpecWhere;

static const struct {
    const char *word;
    uint8_t where; /* SpecWhere */
    int (*parse)(SpecParser *p);
} spec_statements[] = {
    {"device", SPEC_W_DECL, spec_parse_device},
    {"window", SPEC_W_DECL, spec_parse_window},
    {"reg", SPEC_W_DECL, spec_parse_reg},
    {"buffer", SPEC_W_DECL, spec_parse_buffer},
    {"ring", SPEC_W_DECL, spec_parse_ring},
    {"var", SPEC_W_DECL, spec_parse_var},
    {"param", SPEC_W_DECL, spec_parse_param},
    {"unhandled", SPEC_W_DECL, spec_parse_unhandled},
    {"timer", SPEC_W_DECL, spec_parse_timer},
    {"state", SPEC_W_TOP, spec_parse_state},
    {"on", SPEC_W_TOP, spec_parse_on},
    {"write", SPEC_W_ACTION, spec_parse_write},
    {"read", SPEC_W_ACTION, spec_parse_read},
    {"poll", SPEC_W_ACTION, spec_parse_poll},
    {"store", SPEC_W_ACTION, spec_parse_store},
    {"load", SPEC_W_ACTION, spec_parse_load},
    {"copy", SPEC_W_ACTION, spec_parse_copy},
    {"deliver", SPEC_W_ACTION, spec_parse_deliver},
    {"outs", SPEC_W_ACTION, spec_parse_outs},
    {"ins", SPEC_W_ACTION, spec_parse_ins},
    {"complete", SPEC_W_ACTION, spec_parse_complete},
    {"linkstate", SPEC_W_ACTION, spec_parse_linkstate},
    {"set", SPEC_W_ACTION, spec_parse_set},
    {"if", SPEC_W_ACTION, spec_parse_if},
    {"else", SPEC_W_ACTION, spec_parse_else},
    {"end", SPEC_W_ACTION, spec_parse_end},
    {"repeat", SPEC_W_ACTION, spec_parse_repeat},
    {"break", SPEC_W_ACTION, spec_parse_break},
    {"fallback", SPEC_W_ACTION, spec_parse_fallback},
    {"from", SPEC_W_ACTION, spec_parse_from},
    {"note", SPEC_W_ACTION, spec_parse_note},
};

#define SPEC_NSTATEMENTS (sizeof spec_statements / sizeof spec_statements[0])

static int spec_parse_version(SpecParser *p, const char *kw, size_t n)
{
    uint64_t v;

    if (n != 9 || memcmp(kw, "xdrv-spec", 9) != 0)
        return spec_fail(p, "missing 'xdrv-spec %u' (the first statement)", SPEC_VERSION);
    if (spec_take_number(p, "version", 0, UINT64_MAX, &v) != 0)
        return -1;
    if (v != SPEC_VERSION)
        return spec_fail(p, "unsupported version %llu (this parser reads version %u)",
                         (unsigned long long)v, SPEC_VERSION);
    p->versioned = 1;
    return spec_expect_end(p);
}

/* Whether statement i may stand here. */
static int spec_statement_check(SpecParser *p, size_t i)
{
    const char *w = spec_statements[i].word;
    uint8_t where = spec_statements[i].where;

    if (p->nframes && where != SPEC_W_ACTION)
        return spec_fail(p, "'%s' inside an 'on' block (missing 'end'?)", w);
    if (!p->nframes && where == SPEC_W_ACTION) {
        if (strcmp(w, "end") == 0)
            return spec_fail(p, "'end' without a block");
        if (strcmp(w, "else") == 0)
            return spec_fail(p, "'else' without 'if'");
        return spec_fail(p, "'%s' outside an 'on' block", w);
    }
    if (p->stated && where == SPEC_W_DECL)
        return spec_fail(p, "'%s' after the first 'state': declarations come first", w);
    return 0;
}

static int spec_parse_statement(SpecParser *p)
{
    const char *kw;
    size_t n, i;

    spec_skip_blank(p);
    if (!*p->cur)
        return 0;
    n = spec_take_keyword(p, &kw);
    if (!p->versioned)
        return spec_parse_version(p, kw, n);
    for (i = 0; i < SPEC_NSTATEMENTS; i++)
        if (strlen(spec_statements[i].word) == n && memcmp(spec_statements[i].word, kw, n) == 0)
            break;
    if (i == SPEC_NSTATEMENTS) {
        if (n == 9 && memcmp(kw, "xdrv-spec", 9) == 0)
            return spec_fail(p, "'xdrv-spec' again: it is only the first statement");
        p->cur = kw; /* quote the whole word */
        n = spec_take_word(p, &kw);
        return spec_fail(p, p->nframes ? "unknown action '%.*s'" : "unknown statement '%.*s'",
                         spec_echo_len(kw, n), kw);
    }
    if (spec_statement_check(p, i) != 0 || spec_statements[i].parse(p) != 0)
        return -1;
    return spec_expect_end(p);
}

/* What the end of the text leaves unfinished. */
static int spec_parse_finish(SpecParser *p)
{
    if (!p->versioned) {
        p->line = 1;
        return spec_fail(p, "missing 'xdrv-spec %u' (the first statement)", SPEC_VERSION);
    }
    if (p->nframes) {
        const SpecFrame *f = &p->frames[p->nframes - 1];

        p->line = f->line;
        return spec_fail(p, "'%s' without 'end'", spec_frame_words[f->kind]);
    }
    return 0;
}

static int spec_parse_text(SpecParser *p, const char *text, size_t len)
{
    size_t off = 0;

    if (len > SPEC_TEXT_MAX)
        return spec_fail(p, "text longer than %u bytes", SPEC_TEXT_MAX);
    while (off < len) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (text + off)) : len - off;

        p->line++;
        if (spec_line_load(p, text + off, n) != 0 || spec_parse_statement(p) != 0)
            return -1;
        off += n + (nl ? 1 : 0);
    }
    return spec_parse_finish(p);
}

Spec *spec_parse(const char *text, size_t len, const char *name, char *err, size_t errlen)
{
    SpecParser *p = calloc(1, sizeof *p);
    Spec *s = calloc(1, sizeof *s);
    int rc;

    if (err && errlen)
        err[0] = '\0';
    if (!p || !s) {
        if (err && errlen)
            snprintf(err, errlen, "%s:1: out of memory", name ? name : "spec");
        free(p);
        free(s);
        return NULL;
    }
    p->s = s;
    p->name = name ? name : "spec";
    p->err = err;
    p->errlen = errlen;
    rc = spec_parse_text(p, text ? text : "", text ? len : 0);
    free(p->pending);
    free(p->slots);
    free(p);
    if (rc != 0) {
        spec_free(s);
        return NULL;
    }
    return s;
}

/* The whole file, but at most one byte past the text limit (spec_parse
 * then refuses it); NULL with errno. */
static char *spec_file_read(FILE *f, size_t *len)
{
    size_t cap = 1u << 16, n = 0;
    char *buf = malloc(cap);

    for (;;) {
        size_t want, got;

        if (!buf) {
            errno = ENOMEM;
            return NULL;
        }
        want = cap - n;
        if (want > SPEC_TEXT_MAX + 1 - n)
            want = SPEC_TEXT_MAX + 1 - n;
        got = fread(buf + n, 1, want, f);
        n += got;
        if (got < want && ferror(f)) {
            int e = errno ? errno : EIO;

            free(buf);
            errno = e;
            return NULL;
        }
        if (got < want || n > SPEC_TEXT_MAX) {
            *len = n;
            return buf;
        }
        if (n == cap) {
            char *grown = realloc(buf, cap * 2);

            if (!grown)
                free(buf);
            buf = grown;
            cap *= 2;
        }
    }
}

Spec *spec_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *text;
    size_t len = 0;
    Spec *s;

    if (!f) {
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    errno = 0;
    text = spec_file_read(f, &len);
    fclose(f);
    if (!text) {
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    s = spec_parse(text, len, path, err, errlen);
    free(text);
    return s;
}

void spec_free(Spec *s)
{
    if (!s)
        return;
    for (uint32_t i = 0; i < s->nstrings; i++)
        free(s->strings[i]);
    free(s->devices);
    free(s->windows);
    free(s->regs);
    free(s->buffers);
    free(s->vars);
    free(s->params);
    free(s->states);
    free(s->transitions);
    free(s->actions);
    free(s->list);
    free(s->exprs);
    free(s->strings);
    free(s);
}
