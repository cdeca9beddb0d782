/* libFuzzer target for the .xsm parser (src/replay/spec.c) on arbitrary
 * bytes, not NUL-terminated. A refused text must have exactly one error
 * line, "fuzz.xsm:LINE: reason". An accepted one must hold only indices in
 * range: every block a range of spec->list, every action in exactly one
 * block, every expression node in exactly one tree with its operands
 * before it, names NUL-terminated. Then spec_free (LSan checks it all). */
#include "replay/spec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NAME "fuzz.xsm"

static void check(int ok)
{
    if (!ok)
        abort();
}

static void check_error(const char *err)
{
    size_t n = strlen(NAME), digits = 0;

    check(strncmp(err, NAME ":", n + 1) == 0);
    while (err[n + 1 + digits] >= '0' && err[n + 1 + digits] <= '9')
        digits++;
    check(digits > 0 && err[n + 1] != '0');
    check(strncmp(err + n + 1 + digits, ": ", 2) == 0 && err[n + 3 + digits] != '\0');
    check(!strchr(err, '\n'));
}

static void check_expr(const Spec *s, uint32_t e, uint8_t *seen)
{
    const SpecExpr *x;

    check(e < s->nexprs && !seen[e]);
    seen[e] = 1;
    x = &s->exprs[e];
    switch (x->kind) {
    case SPEC_E_NUM:
        check(x->a == SPEC_NONE && x->b == SPEC_NONE);
        break;
    case SPEC_E_VAR:
        check(x->a < s->nvars && x->b == SPEC_NONE);
        break;
    case SPEC_E_PARAM:
        check(x->a < SPEC_PARAM_COUNT_ && x->b == SPEC_NONE);
        break;
    case SPEC_E_ADDR:
        check(x->a < s->nbuffers);
        if (x->b != SPEC_NONE) {
            check(x->b < e && s->buffers[x->a].count > 0);
            check_expr(s, x->b, seen);
        }
        break;
    case SPEC_E_SIZE:
        check(x->a < s->nbuffers && x->b == SPEC_NONE);
        break;
    case SPEC_E_UNARY:
        check(x->op && strchr("~!-", x->op) && x->a < e && x->b == SPEC_NONE);
        check_expr(s, x->a, seen);
        break;
    case SPEC_E_BINARY:
        check(x->op && strchr("*/%+-<>&^|LRlgenAO", x->op) && x->a < e && x->b < e);
        check_expr(s, x->a, seen);
        check_expr(s, x->b, seen);
        break;
    default:
        abort();
    }
}

static void check_opt_expr(const Spec *s, uint32_t e, uint8_t *seen)
{
    if (e != SPEC_NONE)
        check_expr(s, e, seen);
}

static void check_block(const Spec *s, SpecBlock b, uint8_t *acts, uint8_t *exprs);

static void check_action(const Spec *s, const SpecAction *a, uint8_t *acts, uint8_t *exprs)
{
    int xfer = a->kind == SPEC_A_OUTS || a->kind == SPEC_A_INS;
    int reg = a->kind == SPEC_A_WRITE || a->kind == SPEC_A_READ || a->kind == SPEC_A_POLL || xfer;
    int buf = (a->kind >= SPEC_A_STORE && a->kind <= SPEC_A_DELIVER) || a->kind == SPEC_A_INS;
    int var = a->kind == SPEC_A_READ || a->kind == SPEC_A_LOAD || a->kind == SPEC_A_SET;
    int text = a->kind >= SPEC_A_FALLBACK && a->kind <= SPEC_A_NOTE;

    check(a->kind <= SPEC_A_INS && a->line > 0);
    check(reg ? a->reg < s->nregs : a->reg == SPEC_NONE);
    check(buf ? a->buf < s->nbuffers : a->buf == SPEC_NONE);
    check(var ? a->var < s->nvars : a->var == SPEC_NONE);
    check(text ? a->text < s->nstrings : a->text == SPEC_NONE);
    if (xfer) /* data registers are not arrays: an index is the buffer's */
        check(s->regs[a->reg].count == 0 && a->value != SPEC_NONE);
    if (reg && !xfer)
        check((a->idx != SPEC_NONE) == (s->regs[a->reg].count > 0));
    if (buf)
        check((a->idx != SPEC_NONE) == (s->buffers[a->buf].count > 0));
    if (a->kind == SPEC_A_POLL)
        check(a->max >= 1 && a->max <= SPEC_POLL_MAX && a->stall <= SPEC_STALL_MAX);
    if (a->kind == SPEC_A_REPEAT)
        check(a->max >= 1 && a->max <= SPEC_REPEAT_MAX);
    check_opt_expr(s, a->idx, exprs);
    check_opt_expr(s, a->offset, exprs);
    check_opt_expr(s, a->value, exprs);
    check_block(s, a->body, acts, exprs);
    check_block(s, a->else_body, acts, exprs);
}

static void check_block(const Spec *s, SpecBlock b, uint8_t *acts, uint8_t *exprs)
{
    check(b.first <= s->nlist && b.count <= s->nlist - b.first);
    for (uint32_t i = 0; i < b.count; i++) {
        uint32_t a = s->list[b.first + i];

        check(a < s->nactions && !acts[a]);
        acts[a] = 1;
        check_action(s, &s->actions[a], acts, exprs);
    }
}

static void check_names(const Spec *s)
{
    for (uint32_t i = 0; i < s->nwindows; i++)
        check(memchr(s->windows[i].name, 0, SPEC_NAME_MAX) && s->windows[i].size > 0);
    for (uint32_t i = 0; i < s->nregs; i++) {
        const SpecReg *r = &s->regs[i];

        check(memchr(r->name, 0, SPEC_NAME_MAX) && r->window < s->nwindows);
        check(r->width == 1 || r->width == 2 || r->width == 4);
        check(r->index_reg == SPEC_NONE || r->index_reg < i);
        check(r->bank_reg == SPEC_NONE || r->bank_reg < i);
    }
    for (uint32_t i = 0; i < s->nbuffers; i++) {
        const SpecBuffer *b = &s->buffers[i];

        check(memchr(b->name, 0, SPEC_NAME_MAX) && b->ndma <= SPEC_MAX_DMA_OFFS);
        check(b->size >= 1 && b->size <= SPEC_BUFFER_MAX && b->count <= SPEC_COUNT_MAX);
        check(b->align && b->align <= SPEC_ALIGN_MAX && !(b->align & (b->align - 1)));
    }
    for (uint32_t i = 0; i < s->nvars; i++)
        check(memchr(s->vars[i].name, 0, SPEC_NAME_MAX) &&
              (!s->vars[i].wrap || s->vars[i].init < s->vars[i].wrap));
    for (uint32_t i = 0; i < s->nstates; i++)
        check(memchr(s->states[i].name, 0, SPEC_NAME_MAX) != NULL);
    for (uint32_t i = 0; i < s->ndevices; i++)
        check(memchr(s->devices[i].isa, 0, SPEC_NAME_MAX) != NULL);
    for (uint32_t i = 0; i < s->nstrings; i++)
        check(s->strings[i] && strlen(s->strings[i]) <= 1023);
}

static void check_spec(const Spec *s)
{
    uint8_t *acts = calloc(s->nactions + 1, 1), *exprs = calloc(s->nexprs + 1, 1);

    check(acts && exprs);
    check_names(s);
    for (uint32_t i = 0; i < s->ntransitions; i++) {
        const SpecTransition *t = &s->transitions[i];

        check(t->req < SPEC_REQ_COUNT && t->to < s->nstates);
        check(t->from == SPEC_NONE || t->from < s->nstates);
        check_opt_expr(s, t->guard, exprs);
        check_block(s, t->body, acts, exprs);
    }
    for (uint32_t i = 0; i < s->nactions; i++)
        check(acts[i]);
    for (uint32_t i = 0; i < s->nexprs; i++)
        check(exprs[i]);
    check(s->nlist == s->nactions);
    check(s->unhandled < 1u << SPEC_REQ_COUNT);
    free(acts);
    free(exprs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    Spec *s;
    /* a private copy of exactly size bytes: a read past it is an ASan error */
    char *copy = malloc(size ? size : 1);

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    s = spec_parse(copy, size, NAME, err, sizeof err);
    free(copy);
    if (!s) {
        check_error(err);
        return 0;
    }
    check(err[0] == '\0');
    check_spec(s);
    spec_free(s);
    return 0;
}
