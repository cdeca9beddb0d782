/* The interpreter core (see interp.h). Freestanding: only <stdint.h> and
 * <stddef.h>, no library call, recursion bounded by the spec's nesting
 * (the parser allows 16 levels). */
#include "replay/interp.h"

/* ----------------------------------------------------------- helpers */

static uint32_t element_count(const SpecBuffer *b)
{
    return b->count ? b->count : 1;
}

static uint64_t wrap_var(const Replay *r, uint32_t var, uint64_t v)
{
    uint64_t w = r->spec->vars[var].wrap;
    return w ? v % w : v;
}

static uint64_t eval(Replay *r, uint32_t e);

uint64_t replay_eval_binary(uint8_t op, uint64_t a, uint64_t b)
{
    switch (op) {
    case '+':
        return a + b;
    case '-':
        return a - b;
    case '*':
        return a * b;
    case '/':
        return b ? a / b : 0;
    case '%':
        return b ? a % b : 0;
    case '&':
        return a & b;
    case '|':
        return a | b;
    case '^':
        return a ^ b;
    case SPEC_OP_SHL:
        return b < 64 ? a << b : 0;
    case SPEC_OP_SHR:
        return b < 64 ? a >> b : 0;
    case '<':
        return a < b;
    case '>':
        return a > b;
    case SPEC_OP_LE:
        return a <= b;
    case SPEC_OP_GE:
        return a >= b;
    case SPEC_OP_EQ:
        return a == b;
    case SPEC_OP_NE:
        return a != b;
    case SPEC_OP_AND:
        return a && b;
    case SPEC_OP_OR:
        return a || b;
    default:
        return 0;
    }
}

static uint64_t eval(Replay *r, uint32_t e)
{
    const Spec *s = r->spec;
    if (e == SPEC_NONE || e >= s->nexprs)
        return 0;
    const SpecExpr *x = &s->exprs[e];
    switch (x->kind) {
    case SPEC_E_NUM:
        return x->num;
    case SPEC_E_VAR:
        return x->a < REPLAY_MAX_VARS ? r->vars[x->a] : 0;
    case SPEC_E_PARAM:
        return x->a < SPEC_PARAM_COUNT_ ? r->params[x->a] : 0;
    case SPEC_E_ADDR:
        return r->ops.buf_addr(r->ops.opaque, x->a,
                               x->b == SPEC_NONE ? 0 : (uint32_t)eval(r, x->b));
    case SPEC_E_SIZE:
        return x->a < s->nbuffers ? s->buffers[x->a].size : 0;
    case SPEC_E_UNARY: {
        uint64_t v = eval(r, x->a);
        return x->op == '~' ? ~v : x->op == '!' ? !v : 0 - v;
    }
    default: {
        /* && and || evaluate both sides: expressions have no effect on the
         * device, but addr() asks the host (buf_addr), so the order is
         * fixed, left then right (C leaves argument order open) */
        uint64_t a = eval(r, x->a);
        uint64_t b = eval(r, x->b);
        return replay_eval_binary(x->op, a, b);
    }
    }
}

/* ------------------------------------------------------------ registers */

static uint32_t reg_offset(Replay *r, const SpecReg *g, uint32_t idx)
{
    (void)r;
    return g->offset + (g->count ? idx * g->stride : 0);
}

/* Write the index register or set the bank bits that reach g. */
static void reg_select(Replay *r, const SpecReg *g)
{
    const Spec *s = r->spec;
    if (g->index_reg != SPEC_NONE) {
        const SpecReg *ix = &s->regs[g->index_reg];
        r->ops.reg_write(r->ops.opaque, ix->window, ix->offset, ix->width, (uint32_t)g->index_value);
        if (g->index_reg < REPLAY_MAX_REGS)
            r->shadow[g->index_reg] = (uint32_t)g->index_value;
    }
    if (g->bank_reg != SPEC_NONE && g->bank_reg < REPLAY_MAX_REGS) {
        const SpecReg *bk = &s->regs[g->bank_reg];
        uint32_t v = (r->shadow[g->bank_reg] & ~(uint32_t)g->bank_mask) |
                     ((uint32_t)g->bank_value & (uint32_t)g->bank_mask);
        /* only when another bank is selected: rewriting the register would
         * repeat the commands its other bits hold (a DP8390's CR.TXP) */
        if (v != r->shadow[g->bank_reg]) {
            r->ops.reg_write(r->ops.opaque, bk->window, bk->offset, bk->width, v);
            r->shadow[g->bank_reg] = v;
        }
    }
}

static uint32_t reg_read(Replay *r, uint32_t reg, uint32_t idx)
{
    const SpecReg *g = &r->spec->regs[reg];
    reg_select(r, g);
    return r->ops.reg_read(r->ops.opaque, g->window, reg_offset(r, g, idx), g->width);
}

static void reg_write(Replay *r, uint32_t reg, uint32_t idx, uint32_t v)
{
    const SpecReg *g = &r->spec->regs[reg];
    reg_select(r, g);
    r->ops.reg_write(r->ops.opaque, g->window, reg_offset(r, g, idx), g->width, v);
    if (reg < REPLAY_MAX_REGS)
        r->shadow[reg] = v;
}

/* ------------------------------------------------------------- memory */

/* The host pointer to [off, off+len) of a buffer element, or NULL when it
 * would leave it (never for a verified spec). */
static uint8_t *mem(Replay *r, uint32_t buf, uint32_t idx, uint64_t off, uint64_t len)
{
    const SpecBuffer *b = &r->spec->buffers[buf];
    if (idx >= element_count(b) || off > b->size || len > b->size - off)
        return NULL;
    uint8_t *p = r->ops.buf_ptr(r->ops.opaque, buf, idx);
    return p ? p + off : NULL;
}

/* ------------------------------------------------------------- actions */

static ReplayResult run_block(Replay *r, SpecBlock blk);

static ReplayResult stop(Replay *r, ReplayResult res, const char *why, uint32_t line)
{
    r->reason = why;
    r->reason_line = line;
    return res;
}

static ReplayResult run_action(Replay *r, const SpecAction *a)
{
    const Spec *s = r->spec;
    uint32_t idx = a->idx == SPEC_NONE ? 0 : (uint32_t)eval(r, a->idx);
    switch (a->kind) {
    case SPEC_A_WRITE:
        reg_write(r, a->reg, idx, (uint32_t)eval(r, a->value));
        return REPLAY_OK;
    case SPEC_A_READ:
        r->vars[a->var] = wrap_var(r, a->var, reg_read(r, a->reg, idx));
        return REPLAY_OK;
    case SPEC_A_POLL:
        for (uint32_t i = 0; i < a->max; i++) {
            if ((reg_read(r, a->reg, idx) & a->mask) == a->match)
                return REPLAY_OK;
            if (a->stall)
                r->ops.stall(r->ops.opaque, a->stall);
        }
        if (a->on_timeout == SPEC_TIMEOUT_CONTINUE)
            return REPLAY_OK;
        return stop(r, a->on_timeout == SPEC_TIMEOUT_FAIL ? REPLAY_FAILED : REPLAY_FALLBACK,
                    "a poll gave up", a->line);
    case SPEC_A_STORE: {
        uint8_t *p = mem(r, a->buf, idx, eval(r, a->offset), a->width);
        uint64_t v = eval(r, a->value);
        if (!p)
            return stop(r, REPLAY_BAD_SPEC, "a store outside its buffer", a->line);
        for (unsigned i = 0; i < a->width; i++)
            p[i] = (uint8_t)(v >> (8 * i));
        return REPLAY_OK;
    }
    case SPEC_A_LOAD: {
        const uint8_t *p = mem(r, a->buf, idx, eval(r, a->offset), a->width);
        if (!p)
            return stop(r, REPLAY_BAD_SPEC, "a load outside its buffer", a->line);
        uint64_t v = 0;
        for (unsigned i = 0; i < a->width; i++)
            v |= (uint64_t)p[i] << (8 * i);
        r->vars[a->var] = wrap_var(r, a->var, v);
        return REPLAY_OK;
    }
    case SPEC_A_COPY: {
        uint8_t *p = mem(r, a->buf, idx, eval(r, a->offset), r->frame_len);
        if (!p || !r->frame)
            return stop(r, REPLAY_BAD_SPEC, "a frame that does not fit its buffer", a->line);
        for (uint32_t i = 0; i < r->frame_len; i++)
            p[i] = r->frame[i];
        return REPLAY_OK;
    }
    case SPEC_A_DELIVER: {
        uint64_t len = eval(r, a->value);
        const uint8_t *p = mem(r, a->buf, idx, eval(r, a->offset), len);
        if (!p)
            return stop(r, REPLAY_BAD_SPEC, "a received frame outside its buffer", a->line);
        r->ops.deliver(r->ops.opaque, p, (uint32_t)len);
        return REPLAY_OK;
    }
    case SPEC_A_OUTS: {
        /* the frame's bytes, then zeros, a register's width at a time,
         * little-endian (x86 rep outsw) */
        uint64_t len = eval(r, a->value);
        unsigned w = s->regs[a->reg].width;
        if (len > SPEC_XFER_MAX || !r->frame)
            return stop(r, REPLAY_BAD_SPEC, "a transfer out longer than it may be", a->line);
        for (uint64_t i = 0; i < len; i += w) {
            uint32_t v = 0;
            for (unsigned b = 0; b < w; b++)
                if (i + b < len && i + b < r->frame_len)
                    v |= (uint32_t)r->frame[i + b] << (8 * b);
            reg_write(r, a->reg, 0, v);
        }
        return REPLAY_OK;
    }
    case SPEC_A_INS: {
        uint64_t len = eval(r, a->value);
        uint8_t *p = mem(r, a->buf, idx, eval(r, a->offset), len);
        unsigned w = s->regs[a->reg].width;
        if (!p || len > SPEC_XFER_MAX)
            return stop(r, REPLAY_BAD_SPEC, "a transfer in outside its buffer", a->line);
        for (uint64_t i = 0; i < len; i += w) {
            uint32_t v = reg_read(r, a->reg, 0);
            for (unsigned b = 0; b < w && i + b < len; b++)
                p[i + b] = (uint8_t)(v >> (8 * b));
        }
        return REPLAY_OK;
    }
    case SPEC_A_COMPLETE:
        r->ops.complete(r->ops.opaque);
        return REPLAY_OK;
    case SPEC_A_LINK:
        r->ops.link(r->ops.opaque, eval(r, a->value) != 0);
        return REPLAY_OK;
    case SPEC_A_SET:
        r->vars[a->var] = wrap_var(r, a->var, eval(r, a->value));
        return REPLAY_OK;
    case SPEC_A_IF:
        return run_block(r, eval(r, a->value) ? a->body : a->else_body);
    case SPEC_A_REPEAT:
        for (uint32_t i = 0; i < a->max; i++) {
            ReplayResult res = run_block(r, a->body);
            if (res != REPLAY_OK)
                return res;
            if (r->breaking) {
                r->breaking = 0;
                break;
            }
        }
        return REPLAY_OK;
    case SPEC_A_BREAK:
        if (eval(r, a->value))
            r->breaking = 1;
        return REPLAY_OK;
    case SPEC_A_FALLBACK:
        return stop(r, REPLAY_FALLBACK, a->text < s->nstrings ? s->strings[a->text] : "fallback",
                    a->line);
    default: /* from, note: provenance only */
        return REPLAY_OK;
    }
}

static ReplayResult run_block(Replay *r, SpecBlock blk)
{
    const Spec *s = r->spec;
    if (blk.count > s->nlist || blk.first > s->nlist - blk.count)
        return REPLAY_BAD_SPEC;
    for (uint32_t i = 0; i < blk.count && !r->breaking; i++) {
        uint32_t ai = s->list[blk.first + i];
        if (ai >= s->nactions)
            return REPLAY_BAD_SPEC;
        ReplayResult res = run_action(r, &s->actions[ai]);
        if (res != REPLAY_OK)
            return res;
    }
    return REPLAY_OK;
}

/* ---------------------------------------------------------------- entry */

ReplayResult replay_init(Replay *r, const Spec *spec, const ReplayOps *ops)
{
    uint8_t *p = (uint8_t *)r;
    for (size_t i = 0; i < sizeof *r; i++)
        p[i] = 0;
    r->spec = spec;
    r->ops = *ops;
    if (spec->nvars > REPLAY_MAX_VARS || spec->nregs > REPLAY_MAX_REGS || !spec->nstates)
        return REPLAY_BAD_SPEC;
    for (uint32_t i = 0; i < spec->nvars; i++)
        r->vars[i] = wrap_var(r, i, spec->vars[i].init);
    return REPLAY_OK;
}

ReplayResult replay_request(Replay *r, SpecRequest req, const uint64_t *params,
                            const uint8_t *frame, uint32_t frame_len)
{
    const Spec *s = r->spec;
    for (int i = 0; i < SPEC_PARAM_COUNT_; i++)
        r->params[i] = params ? params[i] : 0;
    r->frame = frame;
    r->frame_len = frame_len;
    r->reason = 0;
    r->breaking = 0;
    for (uint32_t t = 0; t < s->ntransitions; t++) {
        const SpecTransition *tr = &s->transitions[t];
        if (tr->req != req || (tr->from != SPEC_NONE && tr->from != r->state))
            continue;
        if (tr->guard != SPEC_NONE && !eval(r, tr->guard))
            continue;
        ReplayResult res = run_block(r, tr->body);
        if (res == REPLAY_OK)
            r->state = tr->to;
        return res;
    }
    return stop(r, REPLAY_UNHANDLED, "no transition serves this request here", 0);
}
