/* The checks of verify.h. Values are judged by intervals: for every
 * expression, the smallest and largest value it can take, given the ranges
 * of variables (their wrap), request parameters (their param lines) and
 * register reads (their width); anything else may be any 64-bit value.
 * The intervals are sound but coarse: an expression the verifier cannot
 * bound is refused where a bound is needed, never assumed safe. */
#include "replay/verify.h"

#include <stdarg.h>
#include <string.h>

typedef struct Range {
    uint64_t lo, hi;
} Range;

static const Range FULL = {0, UINT64_MAX};

#define MAX_VARS 256   /* variables whose ranges are followed through a transition */
#define MAX_WINDOWS 16 /* windows whose index selection is followed */

/* The values an index register may hold: a few known ones, or any. */
#define SEL_MAX 8
typedef struct Sel {
    int any;
    unsigned n;
    uint64_t v[SEL_MAX];
} Sel;

static const Sel SEL_ANY = {1, 0, {0}};

typedef struct Checker {
    const Spec *s;
    const char *name;
    FILE *out;
    unsigned problems;
    int req;                        /* the request of the transition being checked, -1 none */
    Range var[MAX_VARS];            /* what each variable may hold at this point */
    Range param[SPEC_PARAM_COUNT_]; /* what each request parameter may be here */
    const SpecTruth *truth;
    /* per window: what its index register may select here (a plain write
     * to its data port reaches that register) */
    Sel sel[MAX_WINDOWS];
    Sel start[MAX_WINDOWS]; /* ... where a transition starts */
    Sel ends[MAX_WINDOWS];  /* ... where the transitions end (the next start) */
    int quiet;              /* collecting ends: no problems reported */
} Checker;

static void problem(Checker *c, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void problem(Checker *c, uint32_t line, const char *fmt, ...)
{
    if (c->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(c->out, "%s:%u: ", c->name, line);
    vfprintf(c->out, fmt, ap);
    fputc('\n', c->out);
    va_end(ap);
    c->problems++;
}

static Range point(uint64_t v)
{
    return (Range){v, v};
}

/* ------------------------------------------------------------ intervals */

/* A parameter's declared range for the transition's request. */
static Range param_declared(const Checker *c, uint32_t param)
{
    for (uint32_t i = 0; i < c->s->nparams; i++)
        if (c->s->params[i].param == param && (int)c->s->params[i].req == c->req)
            return (Range){c->s->params[i].min, c->s->params[i].max};
    return FULL;
}

/* ... narrowed by the conditions that hold at this point */
static Range param_range(const Checker *c, uint32_t param)
{
    return param < SPEC_PARAM_COUNT_ ? c->param[param] : FULL;
}

/* What a variable may hold where no action of the transition has set it
 * yet: its wrap range, or anything. */
static Range var_declared(const Checker *c, uint32_t var)
{
    const SpecVar *v = &c->s->vars[var];
    return v->wrap ? (Range){0, v->wrap - 1} : FULL;
}

static Range var_range(const Checker *c, uint32_t var)
{
    return var < MAX_VARS ? c->var[var] : var_declared(c, var);
}

/* A variable set to a value of range r (kept modulo its wrap). */
static void var_assign(Checker *c, uint32_t var, Range r)
{
    if (var >= MAX_VARS || var >= c->s->nvars)
        return;
    uint64_t w = c->s->vars[var].wrap;
    c->var[var] = w && r.hi >= w ? (Range){0, w - 1} : r;
}

static Range unite(Range a, Range b)
{
    return (Range){a.lo < b.lo ? a.lo : b.lo, a.hi > b.hi ? a.hi : b.hi};
}

static int mul_overflows(uint64_t a, uint64_t b)
{
    return a && b > UINT64_MAX / a;
}

/* all ones up to the highest bit of v: the most an or/xor can give */
static uint64_t fill_bits(uint64_t v)
{
    for (int s = 1; s < 64; s <<= 1)
        v |= v >> s;
    return v;
}

static void narrow(Checker *c, uint32_t e, int truth);

/* A condition's value is 0 or 1 (comparisons, &&, ||, !). */
static int is_condition(const Spec *s, uint32_t e)
{
    if (e >= s->nexprs)
        return 0;
    const SpecExpr *x = &s->exprs[e];
    if (x->kind == SPEC_E_UNARY)
        return x->op == '!';
    if (x->kind != SPEC_E_BINARY)
        return 0;
    switch (x->op) {
    case '<':
    case '>':
    case SPEC_OP_LE:
    case SPEC_OP_GE:
    case SPEC_OP_EQ:
    case SPEC_OP_NE:
    case SPEC_OP_AND:
    case SPEC_OP_OR:
        return 1;
    default:
        return 0;
    }
}

static Range range_of(const Checker *c, uint32_t e)
{
    if (e == SPEC_NONE || e >= c->s->nexprs)
        return FULL;
    const SpecExpr *x = &c->s->exprs[e];
    Range a, b;
    switch (x->kind) {
    case SPEC_E_NUM:
        return point(x->num);
    case SPEC_E_VAR:
        return x->a < c->s->nvars ? var_range(c, x->a) : FULL;
    case SPEC_E_PARAM:
        return param_range(c, x->a);
    case SPEC_E_SIZE:
        return x->a < c->s->nbuffers ? point(c->s->buffers[x->a].size) : FULL;
    case SPEC_E_ADDR:
        return FULL; /* a bus address: only checked where it is given to the device */
    case SPEC_E_UNARY:
        return x->op == '!' ? (Range){0, 1} : FULL;
    default:
        break;
    }
    if (x->op == '*' && (is_condition(c->s, x->a) || is_condition(c->s, x->b))) {
        /* X * (COND): 0 where COND is false, X where it holds, so X is
         * taken with what COND tells (max(len, 60) written as
         * len + (60 - len) * (len < 60)) */
        int left = is_condition(c->s, x->a);
        Checker t = *c;
        narrow(&t, left ? x->a : x->b, 1);
        Range o = range_of(&t, left ? x->b : x->a);
        return (Range){0, o.hi};
    }
    a = range_of(c, x->a);
    b = range_of(c, x->b);
    switch (x->op) {
    case '+':
        return a.hi > UINT64_MAX - b.hi ? FULL : (Range){a.lo + b.lo, a.hi + b.hi};
    case '-':
        return a.lo >= b.hi ? (Range){a.lo - b.hi, a.hi - b.lo} : FULL;
    case '*':
        return mul_overflows(a.hi, b.hi) ? FULL : (Range){a.lo * b.lo, a.hi * b.hi};
    case '/':
        return (Range){b.hi ? a.lo / b.hi : 0, b.lo ? a.hi / b.lo : a.hi};
    case '%':
        return b.lo ? (Range){0, (a.hi < b.hi - 1 ? a.hi : b.hi - 1)} : (Range){0, a.hi};
    case '&':
        return (Range){0, a.hi < b.hi ? a.hi : b.hi};
    case '|':
    case '^':
        return (Range){0, fill_bits(a.hi | b.hi)};
    case SPEC_OP_SHL:
        if (b.hi >= 64 || (a.hi && b.hi > (uint64_t)__builtin_clzll(a.hi)))
            return FULL;
        return (Range){a.lo << b.lo, a.hi << b.hi};
    case SPEC_OP_SHR:
        return (Range){b.hi >= 64 ? 0 : a.lo >> b.hi, b.lo >= 64 ? 0 : a.hi >> b.lo};
    default: /* comparisons and logic */
        return (Range){0, 1};
    }
}

/* What holds when cond is true (truth = 1) or false (0): comparisons of a
 * variable with a constant narrow its range; && (when true) and || (when
 * false) narrow by both sides. Anything else teaches nothing. */
static void narrow(Checker *c, uint32_t e, int truth)
{
    if (e == SPEC_NONE || e >= c->s->nexprs)
        return;
    const SpecExpr *x = &c->s->exprs[e];
    if (x->kind == SPEC_E_UNARY && x->op == '!') {
        narrow(c, x->a, !truth);
        return;
    }
    if (x->kind != SPEC_E_BINARY)
        return;
    if ((x->op == SPEC_OP_AND && truth) || (x->op == SPEC_OP_OR && !truth)) {
        narrow(c, x->a, truth);
        narrow(c, x->b, truth);
        return;
    }
    const SpecExpr *l = &c->s->exprs[x->a], *r = &c->s->exprs[x->b];
    uint8_t op = x->op;
    uint32_t var;
    uint64_t k;
    const SpecExpr *name;
    if ((l->kind == SPEC_E_VAR || l->kind == SPEC_E_PARAM) && r->kind == SPEC_E_NUM) {
        name = l;
        k = r->num;
    } else if ((r->kind == SPEC_E_VAR || r->kind == SPEC_E_PARAM) && l->kind == SPEC_E_NUM) {
        /* k OP v is v OP' k */
        name = r;
        k = l->num;
        op = op == '<'          ? '>'
             : op == '>'        ? '<'
             : op == SPEC_OP_LE ? SPEC_OP_GE
             : op == SPEC_OP_GE ? SPEC_OP_LE
                                : op;
    } else {
        return;
    }
    var = name->a;
    /* a request parameter narrows like a variable */
    if (name->kind == SPEC_E_PARAM ? var >= SPEC_PARAM_COUNT_
                                   : var >= MAX_VARS || var >= c->s->nvars)
        return;
    if (!truth) /* not (v < k) is v >= k, and so on */
        op = op == '<'          ? SPEC_OP_GE
             : op == '>'        ? SPEC_OP_LE
             : op == SPEC_OP_LE ? '>'
             : op == SPEC_OP_GE ? '<'
             : op == SPEC_OP_EQ ? SPEC_OP_NE
             : op == SPEC_OP_NE ? SPEC_OP_EQ
                                : 0;
    Range *v = name->kind == SPEC_E_PARAM ? &c->param[var] : &c->var[var];
    switch (op) {
    case '<':
        if (k && v->hi > k - 1)
            v->hi = k - 1;
        break;
    case SPEC_OP_LE:
        if (v->hi > k)
            v->hi = k;
        break;
    case '>':
        if (k < UINT64_MAX && v->lo < k + 1)
            v->lo = k + 1;
        break;
    case SPEC_OP_GE:
        if (v->lo < k)
            v->lo = k;
        break;
    case SPEC_OP_EQ:
        if (k >= v->lo && k <= v->hi)
            *v = point(k);
        break;
    default:
        break;
    }
    if (v->lo > v->hi) /* a branch that cannot run: nothing to check there */
        *v = point(v->lo);
}

/* ----------------------------------------------------------- addresses */

static uint32_t element_size(const SpecBuffer *b)
{
    return b->size;
}

static uint32_t elements(const SpecBuffer *b)
{
    return b->count ? b->count : 1;
}

/* An index into buffer b: always inside its copies or descriptors. */
static void check_index(Checker *c, uint32_t line, const SpecBuffer *b, uint32_t idx)
{
    if (idx == SPEC_NONE)
        return;
    Range r = range_of(c, idx);
    if (r.hi >= elements(b))
        problem(c, line, "index into %s may reach %llu, past its %u %s", b->name,
                (unsigned long long)r.hi, elements(b), b->ring ? "descriptors" : "copies");
}

/* Bytes [off, off+len) of one element of b, for every value. */
static void check_span(Checker *c, uint32_t line, const SpecBuffer *b, Range off, uint64_t len,
                       const char *what)
{
    if (off.hi > element_size(b) || len > element_size(b) - off.hi)
        problem(c, line, "%s may reach byte %llu of %s, which has %u", what,
                off.hi > UINT64_MAX - len ? (unsigned long long)UINT64_MAX
                                          : (unsigned long long)(off.hi + len),
                b->name, element_size(b));
}

/* A value given to the device as a bus address: addr(BUF[IDX]) [+ K],
 * every value of IDX and K inside the buffer. */
static void check_dma_value(Checker *c, uint32_t line, uint32_t e, const char *where)
{
    const SpecExpr *x = e < c->s->nexprs ? &c->s->exprs[e] : NULL;
    uint32_t addr = SPEC_NONE, k = SPEC_NONE;
    if (x && x->kind == SPEC_E_ADDR) {
        addr = e;
    } else if (x && x->kind == SPEC_E_BINARY && x->op == '+') {
        if (c->s->exprs[x->a].kind == SPEC_E_ADDR) {
            addr = x->a;
            k = x->b;
        } else if (c->s->exprs[x->b].kind == SPEC_E_ADDR) {
            addr = x->b;
            k = x->a;
        }
    }
    if (addr == SPEC_NONE) {
        problem(c, line, "%s takes a DMA address: the value must be addr(BUFFER) [+ offset]",
                where);
        return;
    }
    const SpecExpr *ax = &c->s->exprs[addr];
    const SpecBuffer *b = &c->s->buffers[ax->a];
    check_index(c, line, b, ax->b);
    if (k != SPEC_NONE) {
        Range r = range_of(c, k);
        if (r.hi >= element_size(b))
            problem(c, line, "%s: the offset added to addr(%s) may be %llu, past its %u bytes",
                    where, b->name, (unsigned long long)r.hi, element_size(b));
    }
}

/* A 64-bit bus address is two 32-bit halves: a dma field or register 4
 * bytes above another is the upper half. Replay allocates every buffer
 * below 4 GiB, so the upper half of a checked address is 0, and nothing
 * else is safe. */
static int ring_is_high_half(const SpecBuffer *b, uint32_t off)
{
    for (uint32_t k = 0; k < b->ndma; k++)
        if (off >= 4 && b->dma_off[k] == off - 4)
            return 1;
    return 0;
}

static int reg_is_high_half(const Spec *s, uint32_t reg)
{
    const SpecReg *r = &s->regs[reg];
    for (uint32_t i = 0; i < s->nregs; i++) {
        const SpecReg *o = &s->regs[i];
        if (i != reg && o->dma && o->window == r->window && o->offset + 4 == r->offset &&
            o->count == r->count && o->index_reg == r->index_reg)
            return 1;
    }
    return 0;
}

static void check_high_half(Checker *c, uint32_t line, uint32_t e, const char *where)
{
    Range r = range_of(c, e);
    if (r.lo != 0 || r.hi != 0)
        problem(c, line,
                "%s is the upper half of a bus address: it must be 0 (buffers lie below 4 GiB)",
                where);
}

/* A bus address given in 16-bit halves (`dma low` / `dma high`, a
 * PCnet's CSR1/CSR2): the device joins the two registers, so each half is
 * safe only beside the other half of the same address. The low register's
 * partner is the `dma high` register in its window behind the same index
 * register at the next index value, or, reached directly, 2 bytes above. */
static uint32_t half_partner(const Spec *s, uint32_t reg)
{
    const SpecReg *r = &s->regs[reg];
    for (uint32_t i = 0; i < s->nregs; i++) {
        const SpecReg *o = &s->regs[i];
        if (i == reg || !o->dma_half || o->dma_half == r->dma_half || o->window != r->window ||
            o->index_reg != r->index_reg || o->count || r->count)
            continue;
        const SpecReg *lo = r->dma_half == SPEC_HALF_LOW ? r : o;
        const SpecReg *hi = lo == r ? o : r;
        if (r->index_reg != SPEC_NONE
                ? lo->offset == hi->offset && hi->index_value == lo->index_value + 1
                : hi->offset == lo->offset + 2)
            return i;
    }
    return SPEC_NONE;
}

/* `(addr(B) [+ K]) & 0xffff` for the low half, `(addr(B) [+ K]) >> 16` for
 * the high: the address, checked as a whole one; SPEC_NONE otherwise. */
static uint32_t half_operand(Checker *c, uint32_t line, uint32_t e, uint8_t half, const char *where)
{
    const SpecExpr *x = e < c->s->nexprs ? &c->s->exprs[e] : NULL;
    const SpecExpr *k =
        x && x->kind == SPEC_E_BINARY && x->b < c->s->nexprs ? &c->s->exprs[x->b] : NULL;
    int ok = k && k->kind == SPEC_E_NUM &&
             (half == SPEC_HALF_LOW ? x->op == '&' && k->num == 0xffff
                                    : x->op == SPEC_OP_SHR && k->num == 16);
    if (!ok) {
        problem(c, line,
                "%s takes the %s 16 bits of a DMA address: the value must be "
                "(addr(BUFFER) [+ offset]) %s",
                where, half == SPEC_HALF_LOW ? "low" : "high",
                half == SPEC_HALF_LOW ? "& 0xffff" : ">> 16");
        return SPEC_NONE;
    }
    check_dma_value(c, line, x->a, where);
    return x->a;
}

static int expr_same(const Spec *s, uint32_t a, uint32_t b)
{
    if (a == b)
        return 1;
    if (a >= s->nexprs || b >= s->nexprs)
        return a == b;
    const SpecExpr *x = &s->exprs[a], *y = &s->exprs[b];
    if (x->kind != y->kind || x->op != y->op || x->num != y->num)
        return 0;
    switch (x->kind) {
    case SPEC_E_VAR:
    case SPEC_E_PARAM:
    case SPEC_E_SIZE:
        return x->a == y->a;
    case SPEC_E_ADDR:
        return x->a == y->a && expr_same(s, x->b, y->b);
    case SPEC_E_UNARY:
        return expr_same(s, x->a, y->a);
    case SPEC_E_BINARY:
        return expr_same(s, x->a, y->a) && expr_same(s, x->b, y->b);
    default:
        return 1;
    }
}

/* The halves of one block: each write of a half is next to a write of its
 * partner (one action apart, either order) with the same address. */
static void check_halves(Checker *c, SpecBlock blk)
{
    const Spec *s = c->s;
    uint32_t skip = SPEC_NONE;
    for (uint32_t i = 0; i < blk.count; i++) {
        const SpecAction *a = &s->actions[s->list[blk.first + i]];
        if (a->kind != SPEC_A_WRITE || a->reg >= s->nregs || !s->regs[a->reg].dma_half || i == skip)
            continue;
        const SpecReg *r = &s->regs[a->reg];
        uint32_t p = half_partner(s, a->reg);
        const SpecAction *b = i + 1 < blk.count ? &s->actions[s->list[blk.first + i + 1]] : NULL;
        if (p == SPEC_NONE)
            continue; /* reported with the declarations */
        if (!b || b->kind != SPEC_A_WRITE || b->reg != p) {
            problem(c, a->line, "%s is half of a DMA address: write %s right after it", r->name,
                    s->regs[p].name);
            continue;
        }
        uint32_t xa = half_operand(c, a->line, a->value, r->dma_half, r->name);
        uint32_t xb = half_operand(c, b->line, b->value, s->regs[p].dma_half, s->regs[p].name);
        if (xa != SPEC_NONE && xb != SPEC_NONE && !expr_same(s, xa, xb))
            problem(c, b->line,
                    "%s and %s are halves of one DMA address: give both the same "
                    "addr(...)",
                    r->name, s->regs[p].name);
        skip = i + 1;
    }
}

/* ------------------------------------------------------------- actions */

static void check_block(Checker *c, SpecBlock blk, int in_repeat);

static Range width_range(unsigned width)
{
    return (Range){0, width >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * width)) - 1};
}

/* Variables a block may set: forgotten (to their declared range) before a
 * repeat, whose rounds may see values set by earlier rounds. */
static void forget_set_in(Checker *c, SpecBlock blk)
{
    for (uint32_t i = 0; i < blk.count && blk.first + i < c->s->nlist; i++) {
        uint32_t ai = c->s->list[blk.first + i];
        if (ai >= c->s->nactions)
            continue;
        const SpecAction *a = &c->s->actions[ai];
        if ((a->kind == SPEC_A_SET || a->kind == SPEC_A_READ || a->kind == SPEC_A_LOAD) &&
            a->var < MAX_VARS && a->var < c->s->nvars)
            c->var[a->var] = var_declared(c, a->var);
        if (a->kind == SPEC_A_IF) {
            forget_set_in(c, a->body);
            forget_set_in(c, a->else_body);
        }
        if (a->kind == SPEC_A_REPEAT)
            forget_set_in(c, a->body);
    }
}

/* ------------------------------------------- index registers, data ports */

/* Which window of its kind w is (0: the first BAR of that kind). */
static unsigned window_ordinal(const Spec *s, uint32_t w)
{
    unsigned k = 0;
    for (uint32_t j = 0; j < w && j < s->nwindows; j++)
        k += s->windows[j].mmio == s->windows[w].mmio;
    return k;
}

static int overlaps(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

/* Register r's bytes in its window, an array as a whole. */
static uint32_t reg_span(const SpecReg *r)
{
    return r->width + (r->count ? (r->count - 1) * r->stride : 0);
}

/* Register r (an array: one of its elements) lies at port offset off. */
static int on_port(const SpecReg *r, uint32_t off)
{
    if (!r->count)
        return r->offset == off;
    return off >= r->offset && r->stride && (off - r->offset) % r->stride == 0 &&
           (off - r->offset) / r->stride < r->count;
}

/* A truth register (index or data port) at this register's place. */
static int truth_at(const Checker *c, const SpecReg *r, const SpecTruthReg *t, uint32_t width)
{
    const Spec *s = c->s;
    return t->mmio == s->windows[r->window].mmio && t->window == window_ordinal(s, r->window) &&
           overlaps(r->offset, reg_span(r), t->offset, width);
}

/* Register i selects what a data port reaches: the spec names it as some
 * register's `index`, or the datasheet says it is one. */
static int is_index_reg(const Checker *c, uint32_t i)
{
    const Spec *s = c->s;
    for (uint32_t j = 0; j < s->nregs; j++)
        if (s->regs[j].index_reg == i)
            return 1;
    const SpecTruth *t = c->truth;
    for (unsigned k = 0; t && k < t->nindex_regs; k++)
        if (truth_at(c, &s->regs[i], &t->index_regs[k], t->index_regs[k].width))
            return 1;
    return 0;
}

static void sel_add(Sel *s, uint64_t v)
{
    if (s->any)
        return;
    for (unsigned k = 0; k < s->n; k++)
        if (s->v[k] == v)
            return;
    if (s->n == SEL_MAX)
        *s = SEL_ANY;
    else
        s->v[s->n++] = v;
}

static void sel_unite(Sel *a, const Sel *b)
{
    if (b->any)
        *a = SEL_ANY;
    for (unsigned k = 0; k < b->n && !a->any; k++)
        sel_add(a, b->v[k]);
}

static int sel_has(const Sel *s, uint64_t v)
{
    for (unsigned k = 0; k < s->n; k++)
        if (s->v[k] == v)
            return 1;
    return s->any;
}

static int sel_same(const Sel *a, const Sel *b)
{
    if (a->any || b->any)
        return a->any == b->any;
    if (a->n != b->n)
        return 0;
    for (unsigned k = 0; k < a->n; k++)
        if (!sel_has(b, a->v[k]))
            return 0;
    return 1;
}

/* The selections a plain write through register i must not meet: i lies
 * on a data port (where `index` registers of the spec lie, or where the
 * datasheet puts registers behind an index), and some register there
 * that takes a DMA address has an index value in sel. Its name, or NULL. */
static const char *dma_behind(const Checker *c, uint32_t i, const Sel *sel)
{
    const Spec *s = c->s;
    const SpecReg *r = &s->regs[i];
    if (r->index_reg != SPEC_NONE)
        return NULL; /* an index view: it selects its own register first */
    for (uint32_t j = 0; j < s->nregs; j++) {
        const SpecReg *o = &s->regs[j];
        if (o->index_reg != SPEC_NONE && o->window == r->window && (o->dma || o->dma_half) &&
            on_port(r, o->offset) && sel_has(sel, o->index_value))
            return o->name;
    }
    const SpecTruth *t = c->truth;
    for (unsigned k = 0; t && k < t->ndma_regs; k++) {
        const SpecTruthReg *d = &t->dma_regs[k];
        if (d->indexed && truth_at(c, r, d, 1) && on_port(r, d->offset) && sel_has(sel, d->index))
            return d->name;
    }
    return NULL;
}

/* An access to register i: an index view writes its index register
 * first; a write to an index register selects what it writes. */
static void follow_selection(Checker *c, uint32_t i, int write, uint32_t value)
{
    const SpecReg *r = &c->s->regs[i];
    if (r->window >= MAX_WINDOWS)
        return;
    Sel *sel = &c->sel[r->window];
    if (r->index_reg != SPEC_NONE) {
        *sel = (Sel){0, 1, {r->index_value}};
    } else if (write && is_index_reg(c, i)) {
        Range v = range_of(c, value);
        *sel = (Sel){0, 0, {0}};
        if (v.hi - v.lo >= SEL_MAX)
            *sel = SEL_ANY;
        for (uint64_t x = v.lo; !sel->any && x <= v.hi; x++)
            sel_add(sel, x);
    }
}

/* What every window's index register selects: unknown. */
static void sel_forget(Checker *c)
{
    for (unsigned w = 0; w < MAX_WINDOWS; w++)
        c->sel[w] = SEL_ANY;
}

/* Where a transition ends (its body's end, a poll that fails the
 * request): what the index registers select there may be what the next
 * transition starts with. */
static void note_end(Checker *c)
{
    for (unsigned w = 0; w < MAX_WINDOWS; w++)
        sel_unite(&c->ends[w], &c->sel[w]);
}

/* A plain write (or outs) through a data port: never while the index
 * register may select a register that takes a DMA address. */
static void check_data_port(Checker *c, const SpecAction *a, const char *what)
{
    const SpecReg *r = &c->s->regs[a->reg];
    const Sel *sel = r->window < MAX_WINDOWS ? &c->sel[r->window] : &SEL_ANY;
    const char *d = dma_behind(c, a->reg, sel);
    if (!d)
        return;
    if (sel->any)
        problem(c, a->line,
                "%s %s may reach %s, which takes a DMA address: write the index register "
                "with a constant first (here it may select anything)",
                what, r->name, d);
    else
        problem(c, a->line,
                "%s %s may reach %s, which takes a DMA address (the index register may select "
                "it here): use a register declared with `index` and dma",
                what, r->name, d);
}

static void check_reg_access(Checker *c, const SpecAction *a)
{
    const SpecReg *r = &c->s->regs[a->reg];
    if (r->count && a->idx == SPEC_NONE)
        problem(c, a->line, "%s is an array: give an index", r->name);
    if (!r->count && a->idx != SPEC_NONE)
        problem(c, a->line, "%s is not an array", r->name);
    if (r->count && a->idx != SPEC_NONE) {
        Range i = range_of(c, a->idx);
        if (i.hi >= r->count)
            problem(c, a->line, "index into %s may reach %llu, past its %u registers", r->name,
                    (unsigned long long)i.hi, r->count);
    }
}

/* The block's last action is `fallback`: the transition stops there. */
static int ends_in_fallback(const Spec *s, SpecBlock blk)
{
    if (!blk.count || blk.first + blk.count > s->nlist)
        return 0;
    uint32_t ai = s->list[blk.first + blk.count - 1];
    return ai < s->nactions && s->actions[ai].kind == SPEC_A_FALLBACK;
}

static void check_action(Checker *c, const SpecAction *a, int in_repeat)
{
    const Spec *s = c->s;
    const SpecBuffer *b = a->buf < s->nbuffers ? &s->buffers[a->buf] : NULL;
    switch (a->kind) {
    case SPEC_A_WRITE:
        check_reg_access(c, a);
        check_data_port(c, a, "the write to");
        follow_selection(c, a->reg, 1, a->value);
        if (s->regs[a->reg].dma_half)
            ; /* check_halves, a pair at a time */
        else if (s->regs[a->reg].dma && reg_is_high_half(s, a->reg))
            check_high_half(c, a->line, a->value, s->regs[a->reg].name);
        else if (s->regs[a->reg].dma)
            check_dma_value(c, a->line, a->value, s->regs[a->reg].name);
        break;
    case SPEC_A_READ:
        check_reg_access(c, a);
        follow_selection(c, a->reg, 0, SPEC_NONE);
        var_assign(c, a->var, width_range(s->regs[a->reg].width));
        break;
    case SPEC_A_POLL:
        check_reg_access(c, a);
        follow_selection(c, a->reg, 0, SPEC_NONE);
        if (a->max < 1 || a->max > SPEC_POLL_MAX)
            problem(c, a->line, "a poll must stop within 1 to %u reads, not %u", SPEC_POLL_MAX,
                    a->max);
        if (a->stall > SPEC_STALL_MAX)
            problem(c, a->line, "a poll may wait at most %u us between reads, not %u",
                    SPEC_STALL_MAX, a->stall);
        if (a->on_timeout == SPEC_TIMEOUT_FAIL)
            note_end(c);
        break;
    case SPEC_A_STORE:
    case SPEC_A_LOAD:
        if (!b)
            break;
        check_index(c, a->line, b, a->idx);
        check_span(c, a->line, b, range_of(c, a->offset), a->width,
                   a->kind == SPEC_A_STORE ? "the store" : "the load");
        if (a->kind == SPEC_A_LOAD)
            var_assign(c, a->var, width_range(a->width));
        if (a->kind == SPEC_A_STORE && b->ring) {
            Range off = range_of(c, a->offset);
            for (uint32_t k = 0; k < b->ndma; k++)
                if (off.lo <= b->dma_off[k] + 3u && off.hi + a->width > b->dma_off[k]) {
                    /* touches an address field: only a checked address */
                    if (off.lo != off.hi || off.lo != b->dma_off[k] || a->width != 4)
                        problem(c, a->line,
                                "a store that may touch the address field at +%u of %s must "
                                "write all 4 bytes of it, at that offset exactly",
                                b->dma_off[k], b->name);
                    else if (ring_is_high_half(b, b->dma_off[k]))
                        check_high_half(c, a->line, a->value, "the address field's upper half");
                    else
                        check_dma_value(c, a->line, a->value, "the address field");
                }
        }
        break;
    case SPEC_A_COPY: {
        if (!b)
            break;
        if (c->req != SPEC_REQ_SEND) {
            problem(c, a->line, "copy puts a send's frame into a buffer: only in `on send`");
            break;
        }
        Range len = param_range(c, SPEC_PARAM_LEN);
        if (len.hi == UINT64_MAX) {
            problem(c, a->line, "copy needs the largest frame: declare `param send len MIN MAX`");
            break;
        }
        check_index(c, a->line, b, a->idx);
        check_span(c, a->line, b, range_of(c, a->offset), len.hi, "the frame");
        break;
    }
    case SPEC_A_DELIVER: {
        if (!b)
            break;
        check_index(c, a->line, b, a->idx);
        Range len = range_of(c, a->value), off = range_of(c, a->offset);
        if (len.hi > element_size(b))
            problem(c, a->line, "the frame delivered may be %llu bytes, more than %s holds (%u)",
                    (unsigned long long)len.hi, b->name, element_size(b));
        else
            check_span(c, a->line, b, off, len.hi, "the frame delivered");
        break;
    }
    case SPEC_A_OUTS:
    case SPEC_A_INS: {
        const char *w = a->kind == SPEC_A_OUTS ? "outs" : "ins";
        if (a->kind == SPEC_A_OUTS)
            check_data_port(c, a, "outs through");
        follow_selection(c, a->reg, 0, SPEC_NONE);
        if (s->regs[a->reg].count)
            problem(c, a->line, "%s needs a register that is not an array", w);
        if (s->regs[a->reg].dma)
            problem(c, a->line, "%s moves frame bytes: %s takes a DMA address, not data", w,
                    s->regs[a->reg].name);
        Range len = range_of(c, a->value);
        if (len.hi > SPEC_XFER_MAX) {
            problem(c, a->line, "%s may move up to %llu bytes: at most %u (bound its length)", w,
                    (unsigned long long)len.hi, SPEC_XFER_MAX);
            break;
        }
        if (a->kind == SPEC_A_OUTS) {
            if (c->req != SPEC_REQ_SEND)
                problem(c, a->line, "outs sends a send's frame: only in `on send`");
            break;
        }
        if (!b)
            break;
        check_index(c, a->line, b, a->idx);
        check_span(c, a->line, b, range_of(c, a->offset), len.hi, "the bytes read in");
        break;
    }
    case SPEC_A_COMPLETE:
        if (c->req != SPEC_REQ_SEND)
            problem(c, a->line, "complete ends a send: only in `on send`");
        break;
    case SPEC_A_SET:
        var_assign(c, a->var, range_of(c, a->value));
        break;
    case SPEC_A_IF: {
        /* each branch with what its condition tells; after it, either */
        Range before[MAX_VARS], then[MAX_VARS];
        Range pbefore[SPEC_PARAM_COUNT_], pthen[SPEC_PARAM_COUNT_];
        Sel sbefore[MAX_WINDOWS], sthen[MAX_WINDOWS];
        memcpy(before, c->var, sizeof before);
        memcpy(pbefore, c->param, sizeof pbefore);
        memcpy(sbefore, c->sel, sizeof sbefore);
        narrow(c, a->value, 1);
        check_block(c, a->body, in_repeat);
        memcpy(then, c->var, sizeof then);
        memcpy(pthen, c->param, sizeof pthen);
        memcpy(sthen, c->sel, sizeof sthen);
        memcpy(c->var, before, sizeof before);
        memcpy(c->param, pbefore, sizeof pbefore);
        memcpy(c->sel, sbefore, sizeof sbefore);
        narrow(c, a->value, 0);
        check_block(c, a->else_body, in_repeat);
        /* a branch that ends in fallback never goes on past the if: what
         * follows has the other branch's ranges only */
        int then_stops = ends_in_fallback(c->s, a->body);
        int else_stops = ends_in_fallback(c->s, a->else_body);
        if (then_stops && !else_stops)
            break;
        if (else_stops && !then_stops) {
            memcpy(c->var, then, sizeof then);
            memcpy(c->param, pthen, sizeof pthen);
            memcpy(c->sel, sthen, sizeof sthen);
            break;
        }
        for (unsigned w = 0; w < MAX_WINDOWS; w++)
            sel_unite(&c->sel[w], &sthen[w]);
        for (unsigned v = 0; v < MAX_VARS; v++)
            c->var[v] = unite(c->var[v], then[v]);
        for (unsigned p = 0; p < SPEC_PARAM_COUNT_; p++)
            c->param[p] = unite(c->param[p], pthen[p]);
        break;
    }
    case SPEC_A_REPEAT:
        if (a->max < 1 || a->max > SPEC_REPEAT_MAX)
            problem(c, a->line, "repeat needs a bound of 1 to %u, not %u", SPEC_REPEAT_MAX, a->max);
        /* a round may follow another: what the index selects is unknown
         * in its rounds and after them */
        forget_set_in(c, a->body);
        sel_forget(c);
        check_block(c, a->body, 1);
        forget_set_in(c, a->body);
        sel_forget(c);
        break;
    case SPEC_A_BREAK:
        if (!in_repeat)
            problem(c, a->line, "break outside a repeat");
        break;
    default:
        break;
    }
}

static void check_block(Checker *c, SpecBlock blk, int in_repeat)
{
    if (blk.count > c->s->nlist || blk.first > c->s->nlist - blk.count)
        return;
    check_halves(c, blk);
    for (uint32_t i = 0; i < blk.count; i++) {
        uint32_t ai = c->s->list[blk.first + i];
        if (ai < c->s->nactions)
            check_action(c, &c->s->actions[ai], in_repeat);
    }
}

/* -------------------------------------------------------- declarations */

static void check_regs(Checker *c)
{
    for (uint32_t i = 0; i < c->s->nregs; i++) {
        const SpecReg *r = &c->s->regs[i];
        const SpecWindow *w = &c->s->windows[r->window];
        uint64_t end =
            (uint64_t)r->offset + r->width + (r->count ? (uint64_t)(r->count - 1) * r->stride : 0);
        if (end > w->size)
            problem(c, r->line, "%s reaches byte %llu of window %s, which has %u", r->name,
                    (unsigned long long)end, w->name, w->size);
        if (r->dma_half && half_partner(c->s, i) == SPEC_NONE)
            problem(c, r->line,
                    "%s takes the %s half of a DMA address, and no register takes the "
                    "other (`dma %s`: behind the same index register at the next "
                    "index value, or 2 bytes %s)",
                    r->name, r->dma_half == SPEC_HALF_LOW ? "low" : "high",
                    r->dma_half == SPEC_HALF_LOW ? "high" : "low",
                    r->dma_half == SPEC_HALF_LOW ? "above" : "below");
        for (int k = 0; k < 2; k++) {
            uint32_t via = k ? r->bank_reg : r->index_reg;
            if (via != SPEC_NONE && c->s->regs[via].window != r->window)
                problem(c, r->line, "%s is reached through %s, which is in another window", r->name,
                        c->s->regs[via].name);
        }
    }
}

/* Every state reachable from the first; every request served somewhere
 * or declared unhandled. */
static void check_machine(Checker *c)
{
    const Spec *s = c->s;
    if (!s->nstates) {
        problem(c, 1, "no state: a specification needs at least one");
        return;
    }
    uint8_t reach[4096] = {0};
    uint32_t n = s->nstates < 4096 ? s->nstates : 4096;
    reach[0] = 1;
    for (int changed = 1; changed;) {
        changed = 0;
        for (uint32_t t = 0; t < s->ntransitions; t++) {
            const SpecTransition *tr = &s->transitions[t];
            int from = tr->from == SPEC_NONE ? 1 : tr->from < n && reach[tr->from];
            if (from && tr->to < n && !reach[tr->to]) {
                reach[tr->to] = 1;
                changed = 1;
            }
        }
    }
    for (uint32_t i = 0; i < n; i++)
        if (!reach[i])
            problem(c, s->states[i].line, "state %s cannot be reached from %s", s->states[i].name,
                    s->states[0].name);
    uint32_t served = 0;
    for (uint32_t t = 0; t < s->ntransitions; t++)
        served |= 1u << s->transitions[t].req;
    for (int r = 0; r < SPEC_REQ_COUNT; r++)
        if (!(served & (1u << r)) && !(s->unhandled & (1u << r)))
            problem(c, s->states[0].line,
                    "request %s is neither served by a transition nor declared `unhandled %s`",
                    spec_request_name((SpecRequest)r), spec_request_name((SpecRequest)r));
}

/* The datasheet's facts: the windows fit the BARs, every register that
 * takes a DMA address is declared dma. */
static void check_truth(Checker *c, const SpecTruth *t)
{
    const Spec *s = c->s;
    unsigned nth[2] = {0, 0};
    for (uint32_t i = 0; i < s->nwindows; i++) {
        const SpecWindow *w = &s->windows[i];
        unsigned k = nth[w->mmio]++, seen = 0, j;
        for (j = 0; j < t->nbars; j++)
            if (t->bars[j].mmio == w->mmio && seen++ == k)
                break;
        if (j == t->nbars)
            problem(c, w->line, "window %s: the %s has no %s BAR number %u", w->name, t->model,
                    w->mmio ? "memory" : "I/O", k);
        else if (w->size > t->bars[j].size)
            problem(c, w->line, "window %s is %u bytes, the %s's BAR %u", w->name, w->size,
                    t->model, t->bars[j].size);
    }
    for (unsigned d = 0; d < t->ndma_regs; d++) {
        const SpecTruthReg *tr = &t->dma_regs[d];
        for (uint32_t i = 0; i < s->nregs; i++) {
            const SpecReg *r = &s->regs[i];
            const SpecWindow *w = &s->windows[r->window];
            unsigned k = 0;
            for (uint32_t j = 0; j < r->window; j++)
                k += s->windows[j].mmio == w->mmio;
            if (w->mmio != tr->mmio || k != tr->window || r->dma)
                continue;
            if (tr->indexed != (r->index_reg != SPEC_NONE) ||
                (tr->indexed && r->index_value != tr->index))
                continue;
            for (uint32_t e = 0; e < (r->count ? r->count : 1); e++) {
                uint32_t off = r->offset + e * r->stride;
                if (tr->offset >= off && tr->offset < off + r->width)
                    problem(c, r->line,
                            "%s is the %s's %s, which takes a DMA address: declare it dma", r->name,
                            t->model, tr->name);
            }
        }
    }
}

/* Every transition, from c->start. */
static void check_transitions(Checker *c)
{
    const Spec *s = c->s;
    for (unsigned w = 0; w < MAX_WINDOWS; w++)
        c->ends[w] = (Sel){0, 0, {0}};
    for (uint32_t t = 0; t < s->ntransitions; t++) {
        c->req = s->transitions[t].req;
        for (uint32_t v = 0; v < MAX_VARS; v++)
            c->var[v] = v < s->nvars ? var_declared(c, v) : FULL;
        for (uint32_t p = 0; p < SPEC_PARAM_COUNT_; p++)
            c->param[p] = param_declared(c, p);
        memcpy(c->sel, c->start, sizeof c->sel);
        narrow(c, s->transitions[t].guard, 1);
        check_block(c, s->transitions[t].body, 0);
        note_end(c);
    }
}

/* What the index registers may select where a transition starts: what
 * they select after the device's reset (the datasheet's value with a
 * model, 0 without: the PCnet's RAP and the 8254x's IOADDR), or what some
 * transition left them selecting. A fixpoint. */
static void find_starts(Checker *c)
{
    for (unsigned w = 0; w < MAX_WINDOWS; w++)
        c->start[w] = (Sel){0, 1, {0}};
    const SpecTruth *t = c->truth;
    for (unsigned k = 0; t && k < t->nindex_regs; k++)
        for (uint32_t w = 0; w < c->s->nwindows && w < MAX_WINDOWS; w++)
            if (c->s->windows[w].mmio == t->index_regs[k].mmio &&
                window_ordinal(c->s, w) == t->index_regs[k].window)
                sel_add(&c->start[w], t->index_regs[k].index);
    c->quiet = 1;
    for (int round = 0; round < 16; round++) {
        check_transitions(c);
        int same = 1;
        for (unsigned w = 0; w < MAX_WINDOWS; w++) {
            Sel u = c->start[w];
            sel_unite(&u, &c->ends[w]);
            same &= sel_same(&u, &c->start[w]);
            c->start[w] = u;
        }
        if (same)
            break;
        if (round == 15)
            for (unsigned w = 0; w < MAX_WINDOWS; w++)
                c->start[w] = SEL_ANY;
    }
    c->quiet = 0;
}

unsigned spec_verify(const Spec *s, const char *name, const SpecTruth *truth, FILE *out)
{
    Checker c = {.s = s, .name = name, .out = out, .req = -1, .truth = truth};
    check_regs(&c);
    check_machine(&c);
    if (truth)
        check_truth(&c, truth);
    find_starts(&c);
    check_transitions(&c);
    return c.problems;
}
