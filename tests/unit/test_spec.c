/* Unit tests for src/replay/spec.c, rule by rule from docs/formats/xsm.md:
 * a realistic specification (tests/golden/spec/rtl8139-like.xsm) checked
 * field by field, block layout and expression shapes (C precedence), every
 * refusal with its exact one-line message and line number, the syntax
 * limits at and one past their bound, and spec_load. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "replay/arena.h"
#include "replay/spec.h"

#define ERR_MAX 512

/* The same text as tests/golden/spec/rtl8139-like.xsm (test_example_golden). */
static const char EXAMPLE[] =
    "# An RTL8139-like chip: the classic receive ring buffer (RBSTART, CAPR),\n"
    "# transmit through C+-style descriptors (TNPDS), the PHY reached through an\n"
    "# index register and CONFIG1 through the write-enable bits of the 93C46\n"
    "# command register. Written by hand for the parser's tests.\n"
    "xdrv-spec 1\n"
    "\n"
    "device pci 10ec:8139\n"
    "device pci 1113:1211                  # Accton EN1207D, the same chip\n"
    "\n"
    "window io port 0x100\n"
    "\n"
    "reg IDR      io 0x00 1 count 6 stride 1\n"
    "reg MAR      io 0x08 4 count 2 stride 4\n"
    "reg TNPDS    io 0x20 4 dma            # transmit descriptors, low half\n"
    "reg RBSTART  io 0x30 4 dma\n"
    "reg CR       io 0x37 1\n"
    "reg CAPR     io 0x38 2\n"
    "reg IMR      io 0x3c 2\n"
    "reg ISR      io 0x3e 2\n"
    "reg TCR      io 0x40 4\n"
    "reg RCR      io 0x44 4\n"
    "reg CFG9346  io 0x50 1\n"
    "reg CONFIG1  io 0x52 1 bank CFG9346 0xc0 0xc0\n"
    "reg MSR      io 0x58 1\n"
    "reg PHYAR    io 0x5c 1\n"
    "reg PHYDR    io 0x5e 2 index PHYAR 0x1\n"
    "reg TPPOLL   io 0xd9 1\n"
    "reg CPCR     io 0xe0 2\n"
    "\n"
    "buffer rxbuf 0x2610 align 16          # 8 KiB ring, 16 bytes, one frame of slack\n"
    "buffer txbuf 1536 align 8 count 4\n"
    "ring   txd   4 16 align 256 dma 8,12  # opts1, opts2, address low, address high\n"
    "\n"
    "var cur    0 wrap 4                   # next transmit descriptor\n"
    "var rxoff  0 wrap 8192\n"
    "var isr    0\n"
    "var status 0\n"
    "var rxlen  0\n"
    "\n"
    "param send len 14 1514\n"
    "param set-filter filter 0 0x3f\n"
    "param multicast count 0 32\n"
    "param link up 0 1\n"
    "\n"
    "unhandled query-stats\n"
    "unhandled reset\n"
    "\n"
    "state stopped\n"
    "state running\n"
    "\n"
    "on init stopped -> running\n"
    "  from \"rtl8139-init.xtr\" 112 187\n"
    "  write CR 0x10                       # software reset\n"
    "  poll CR 0x10 0 max 1000 stall 10 else fail\n"
    "  write CONFIG1 0x00                  # behind CFG9346's write enable\n"
    "  write PHYDR 0x1200                  # restart autonegotiation\n"
    "  write CPCR 0x0001                   # C+ transmit\n"
    "  write RBSTART addr(rxbuf)\n"
    "  write TNPDS addr(txd)\n"
    "  write TCR 0x03000700\n"
    "  write RCR 0x0000070a\n"
    "  write IMR 0x0005\n"
    "  write CR 0x0c\n"
    "  set cur 0\n"
    "  set rxoff 0\n"
    "end\n"
    "\n"
    "on send running -> running when len <= 1514 && len >= 14\n"
    "  copy txbuf[cur] 0\n"
    "  store txd[cur] 8 4 addr(txbuf[cur])\n"
    "  store txd[cur] 12 4 0\n"
    "  # OWN, FS and LS; EOR on the last descriptor; the length, padded to 60\n"
    "  store txd[cur] 0 4 0xb0000000 | (cur == 3) << 30 | (len < 60) * 60 + (len >= 60) * len\n"
    "  write TPPOLL 0x40\n"
    "  set cur cur + 1\n"
    "  complete\n"
    "end\n"
    "\n"
    "on interrupt running -> running\n"
    "  read ISR -> isr\n"
    "  if isr == 0\n"
    "    fallback \"an interrupt that is not ours\"\n"
    "  end\n"
    "  write ISR isr\n"
    "  if isr & 0x01\n"
    "    repeat 64\n"
    "      read CR -> status\n"
    "      break if status & 0x01          # BUFE: the ring is empty\n"
    "      load rxbuf rxoff 4 -> status\n"
    "      set rxlen status >> 16\n"
    "      if (status & 1) == 0 || rxlen > 1518 || rxlen < 64\n"
    "        note \"receive error: the driver resets the receiver here\"\n"
    "        fallback \"receive error\"\n"
    "      else\n"
    "        deliver rxbuf rxoff + 4 rxlen - 4\n"
    "      end\n"
    "      set rxoff (rxoff + rxlen + 4 + 3) & ~3\n"
    "      write CAPR rxoff - 16\n"
    "    end\n"
    "  end\n"
    "end\n"
    "\n"
    "on halt * -> stopped\n"
    "  write IMR 0\n"
    "  write CR 0\n"
    "  poll CR 0x0c 0 max 100 else continue\n"
    "end\n"
    "\n"
    "on set-filter running -> running\n"
    "  if filter & 0x20\n"
    "    write RCR 0x0000070f              # promiscuous\n"
    "  else\n"
    "    write RCR 0x0000070a\n"
    "  end\n"
    "end\n"
    "\n"
    "on multicast running -> running\n"
    "  if count == 0\n"
    "    write MAR[0] 0\n"
    "    write MAR[1] 0\n"
    "  else\n"
    "    write MAR[0] 0xffffffff\n"
    "    write MAR[1] 0xffffffff\n"
    "  end\n"
    "end\n"
    "\n"
    "on link running -> running\n"
    "  read MSR -> status\n"
    "  linkstate !(status & 0x04)          # LINKB: link down\n"
    "end\n"
    "\n"
    "on timer running -> running\n"
    "  read MSR -> status\n"
    "  if status & 0x04\n"
    "    poll MSR 0x04 0 max 10 stall 1000 else fallback\n"
    "  end\n"
    "end\n";

/* Declarations most refusal tests start from: 9 lines, so that the `on`
 * of ON() is line 10 and its first action line 11. */
#define PRE                                                                                        \
    "xdrv-spec 1\n"                                                                                \
    "window io port 0x100\n"                                                                       \
    "reg CR io 0x37 1\n"                                                                           \
    "reg MAR io 0x08 4 count 2 stride 4\n"                                                         \
    "buffer b 64\n"                                                                                \
    "buffer bs 64 count 2\n"                                                                       \
    "ring r 4 16 dma 8\n"                                                                          \
    "var x 0\n"                                                                                    \
    "state s\n"
#define ON(req, body) PRE "on " req " s -> s\n" body "end\n"

/* ---- structure checks: every index in range, every block a range of
 * spec->list, every action in exactly one block, every expression node
 * in exactly one tree with its operands before it ---------------------- */

typedef struct Seen {
    uint8_t *actions, *exprs;
} Seen;

static void check_expr(const Spec *s, uint32_t e, Seen *seen)
{
    const SpecExpr *x;

    assert_true(e < s->nexprs);
    assert_int_equal(seen->exprs[e], 0);
    seen->exprs[e] = 1;
    x = &s->exprs[e];
    switch (x->kind) {
    case SPEC_E_NUM:
        assert_int_equal(x->a, SPEC_NONE);
        assert_int_equal(x->b, SPEC_NONE);
        break;
    case SPEC_E_VAR:
        assert_true(x->a < s->nvars);
        assert_int_equal(x->b, SPEC_NONE);
        break;
    case SPEC_E_PARAM:
        assert_true(x->a < SPEC_PARAM_COUNT_);
        assert_int_equal(x->b, SPEC_NONE);
        break;
    case SPEC_E_ADDR:
        assert_true(x->a < s->nbuffers);
        if (x->b != SPEC_NONE) {
            assert_true(x->b < e);
            check_expr(s, x->b, seen);
        }
        break;
    case SPEC_E_SIZE:
        assert_true(x->a < s->nbuffers);
        assert_int_equal(x->b, SPEC_NONE);
        break;
    case SPEC_E_UNARY:
        assert_non_null(strchr("~!-", x->op));
        assert_true(x->a < e);
        assert_int_equal(x->b, SPEC_NONE);
        check_expr(s, x->a, seen);
        break;
    case SPEC_E_BINARY:
        assert_true(x->op != 0);
        assert_non_null(strchr("*/%+-<>&^|LRlgenAO", x->op));
        assert_true(x->a < e && x->b < e);
        check_expr(s, x->a, seen);
        check_expr(s, x->b, seen);
        break;
    default:
        fail_msg("expression %u: kind %u", e, x->kind);
    }
}

static void check_opt_expr(const Spec *s, uint32_t e, Seen *seen)
{
    if (e != SPEC_NONE)
        check_expr(s, e, seen);
}

static void check_block(const Spec *s, SpecBlock b, Seen *seen);

static void check_action(const Spec *s, const SpecAction *a, Seen *seen)
{
    int uses_reg = a->kind == SPEC_A_WRITE || a->kind == SPEC_A_READ || a->kind == SPEC_A_POLL;
    int uses_buf = a->kind >= SPEC_A_STORE && a->kind <= SPEC_A_DELIVER;
    int uses_var = a->kind == SPEC_A_READ || a->kind == SPEC_A_LOAD || a->kind == SPEC_A_SET;
    int uses_text = a->kind >= SPEC_A_FALLBACK;
    int has_body = a->kind == SPEC_A_IF || a->kind == SPEC_A_REPEAT;

    assert_true(a->kind <= SPEC_A_NOTE);
    assert_true(a->line > 0);
    assert_true(uses_reg ? a->reg < s->nregs : a->reg == SPEC_NONE);
    assert_true(uses_buf ? a->buf < s->nbuffers : a->buf == SPEC_NONE);
    assert_true(uses_var ? a->var < s->nvars : a->var == SPEC_NONE);
    assert_true(uses_text ? a->text < s->nstrings : a->text == SPEC_NONE);
    if (a->kind == SPEC_A_STORE || a->kind == SPEC_A_LOAD)
        assert_true(a->width == 1 || a->width == 2 || a->width == 4);
    check_opt_expr(s, a->idx, seen);
    check_opt_expr(s, a->offset, seen);
    check_opt_expr(s, a->value, seen);
    if (has_body) {
        check_block(s, a->body, seen);
        check_block(s, a->else_body, seen);
    } else {
        assert_int_equal(a->body.count, 0);
        assert_int_equal(a->else_body.count, 0);
    }
}

static void check_block(const Spec *s, SpecBlock b, Seen *seen)
{
    assert_true(b.first <= s->nlist && b.count <= s->nlist - b.first);
    for (uint32_t i = 0; i < b.count; i++) {
        uint32_t a = s->list[b.first + i];

        assert_true(a < s->nactions);
        assert_int_equal(seen->actions[a], 0);
        seen->actions[a] = 1;
        check_action(s, &s->actions[a], seen);
    }
}

static void check_structure(const Spec *s)
{
    Seen seen = {calloc(s->nactions + 1, 1), calloc(s->nexprs + 1, 1)};

    assert_non_null(seen.actions);
    assert_non_null(seen.exprs);
    for (uint32_t i = 0; i < s->ntransitions; i++) {
        const SpecTransition *t = &s->transitions[i];

        assert_true(t->req < SPEC_REQ_COUNT);
        assert_true(t->from == SPEC_NONE || t->from < s->nstates);
        assert_true(t->to < s->nstates);
        check_opt_expr(s, t->guard, &seen);
        check_block(s, t->body, &seen);
    }
    for (uint32_t i = 0; i < s->nactions; i++)
        assert_int_equal(seen.actions[i], 1);
    for (uint32_t i = 0; i < s->nexprs; i++)
        assert_int_equal(seen.exprs[i], 1);
    assert_int_equal(s->nlist, s->nactions);
    for (uint32_t i = 0; i < s->nregs; i++) {
        assert_true(s->regs[i].window < s->nwindows);
        assert_true(s->regs[i].index_reg == SPEC_NONE || s->regs[i].index_reg < i);
        assert_true(s->regs[i].bank_reg == SPEC_NONE || s->regs[i].bank_reg < i);
    }
    free(seen.actions);
    free(seen.exprs);
}

/* ---- helpers ----------------------------------------------------------- */

static Spec *parse_ok(const char *text)
{
    char err[ERR_MAX] = "not cleared";
    Spec *s = spec_parse(text, strlen(text), "t.xsm", err, sizeof err);

    if (!s)
        fail_msg("spec_parse: %s\n--- text:\n%s", err, text);
    assert_string_equal(err, "");
    check_structure(s);
    return s;
}

static void expect_error_len(const char *text, size_t len, const char *want)
{
    char err[ERR_MAX] = "";
    Spec *s = spec_parse(text, len, "t.xsm", err, sizeof err);

    if (s || strcmp(err, want) != 0)
        print_error("--- text:\n%.*s\n--- expected: %s\n--- got:      %s\n",
                    (int)(len > 600 ? 600 : len), text, want, s ? "(a specification)" : err);
    spec_free(s);
    assert_null(s);
    assert_string_equal(err, want);
    assert_null(strchr(err, '\n'));
}

static void expect_error(const char *text, const char *want)
{
    expect_error_len(text, strlen(text), want);
}

typedef struct Refusal {
    const char *text, *want;
} Refusal;

static void expect_errors(const Refusal *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        expect_error(r[i].text, r[i].want);
}

#define EXPECT_ERRORS(table) expect_errors(table, sizeof table / sizeof table[0])

/* The `i`th action of block b. */
static const SpecAction *child(const Spec *s, SpecBlock b, uint32_t i)
{
    assert_true(i < b.count);
    return &s->actions[s->list[b.first + i]];
}

static const SpecAction *first_action(const Spec *s)
{
    assert_true(s->ntransitions >= 1);
    return child(s, s->transitions[s->ntransitions - 1].body, 0);
}

/* An expression, fully parenthesised: "((a + (b * c)) << 2)". */
typedef struct Render {
    char text[2048];
    size_t len;
} Render;

static void render_put(Render *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void render_put(Render *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    r->len += (size_t)vsnprintf(r->text + r->len, sizeof r->text - r->len, fmt, ap);
    va_end(ap);
    assert_true(r->len < sizeof r->text);
}

static const char *op_text(uint8_t op)
{
    static char one[2];

    switch (op) {
    case SPEC_OP_SHL:
        return "<<";
    case SPEC_OP_SHR:
        return ">>";
    case SPEC_OP_LE:
        return "<=";
    case SPEC_OP_GE:
        return ">=";
    case SPEC_OP_EQ:
        return "==";
    case SPEC_OP_NE:
        return "!=";
    case SPEC_OP_AND:
        return "&&";
    case SPEC_OP_OR:
        return "||";
    default:
        one[0] = (char)op;
        return one;
    }
}

static void render_expr(Render *r, const Spec *s, uint32_t e)
{
    const SpecExpr *x = &s->exprs[e];

    switch (x->kind) {
    case SPEC_E_NUM:
        render_put(r, "%llu", (unsigned long long)x->num);
        break;
    case SPEC_E_VAR:
        render_put(r, "%s", s->vars[x->a].name);
        break;
    case SPEC_E_PARAM:
        render_put(r, "%s", spec_param_name((SpecParam)x->a));
        break;
    case SPEC_E_ADDR:
        render_put(r, "addr(%s", s->buffers[x->a].name);
        if (x->b != SPEC_NONE) {
            render_put(r, "[");
            render_expr(r, s, x->b);
            render_put(r, "]");
        }
        render_put(r, ")");
        break;
    case SPEC_E_SIZE:
        render_put(r, "size(%s)", s->buffers[x->a].name);
        break;
    case SPEC_E_UNARY:
        render_put(r, "(%c", x->op);
        render_expr(r, s, x->a);
        render_put(r, ")");
        break;
    default:
        render_put(r, "(");
        render_expr(r, s, x->a);
        render_put(r, " %s ", op_text(x->op));
        render_expr(r, s, x->b);
        render_put(r, ")");
        break;
    }
}

static const char *expr_text(const Spec *s, uint32_t e)
{
    static Render r;

    r.len = 0;
    r.text[0] = '\0';
    assert_true(e < s->nexprs);
    render_expr(&r, s, e);
    return r.text;
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static const char *golden_path(char *buf, size_t len)
{
    const char *src = getenv("XDRV_SRCDIR");

    snprintf(buf, len, "%s%stests/golden/spec/rtl8139-like.xsm", src && *src ? src : "",
             src && *src ? "/" : "");
    return buf;
}

/* A growing text, for the tests of the size limits. */
typedef struct Text {
    char *p;
    size_t len, cap;
} Text;

static void text_add(Text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void text_puts(Text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

static void text_repeat(Text *t, const char *s, size_t times)
{
    for (size_t i = 0; i < times; i++)
        text_puts(t, s);
}

/* Two parses of the same text: the same arrays, field by field. */
static void assert_spec_equal(const Spec *a, const Spec *b)
{
    assert_int_equal(a->nregs, b->nregs);
    assert_int_equal(a->nbuffers, b->nbuffers);
    assert_int_equal(a->ntransitions, b->ntransitions);
    assert_int_equal(a->nlist, b->nlist);
    assert_memory_equal(a->list, b->list, sizeof *a->list * a->nlist);
    assert_int_equal(a->nstrings, b->nstrings);
    for (uint32_t i = 0; i < a->nstrings; i++)
        assert_string_equal(a->strings[i], b->strings[i]);
    assert_int_equal(a->nexprs, b->nexprs);
    for (uint32_t i = 0; i < a->nexprs; i++) {
        const SpecExpr *x = &a->exprs[i], *y = &b->exprs[i];

        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->op, y->op);
        assert_int_equal(x->a, y->a);
        assert_int_equal(x->b, y->b);
        assert_int_equal(x->num, y->num);
    }
    assert_int_equal(a->nactions, b->nactions);
    for (uint32_t i = 0; i < a->nactions; i++) {
        const SpecAction *x = &a->actions[i], *y = &b->actions[i];

        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->width, y->width);
        assert_int_equal(x->on_timeout, y->on_timeout);
        assert_int_equal(x->line, y->line);
        assert_int_equal(x->reg, y->reg);
        assert_int_equal(x->buf, y->buf);
        assert_int_equal(x->var, y->var);
        assert_int_equal(x->idx, y->idx);
        assert_int_equal(x->offset, y->offset);
        assert_int_equal(x->value, y->value);
        assert_int_equal(x->mask, y->mask);
        assert_int_equal(x->match, y->match);
        assert_int_equal(x->max, y->max);
        assert_int_equal(x->stall, y->stall);
        assert_int_equal(x->text, y->text);
        assert_int_equal(x->body.first, y->body.first);
        assert_int_equal(x->body.count, y->body.count);
        assert_int_equal(x->else_body.first, y->else_body.first);
        assert_int_equal(x->else_body.count, y->else_body.count);
    }
}

/* ---- the example ------------------------------------------------------- */

static void test_example_golden(void **state)
{
    char path[512], err[ERR_MAX];
    size_t len;
    char *file = read_all(golden_path(path, sizeof path), &len);
    Spec *a, *b;

    (void)state;
    assert_int_equal(len, strlen(EXAMPLE));
    assert_memory_equal(file, EXAMPLE, len);
    free(file);
    a = spec_load(path, err, sizeof err);
    if (!a)
        fail_msg("spec_load: %s", err);
    b = parse_ok(EXAMPLE);
    assert_spec_equal(a, b);
    spec_free(a);
    spec_free(b);
}

static void test_example_declarations(void **state)
{
    Spec *s = parse_ok(EXAMPLE);
    const SpecReg *r;
    const SpecBuffer *bf;

    (void)state;
    assert_int_equal(s->ndevices, 2);
    assert_int_equal(s->devices[0].pci, 1);
    assert_int_equal(s->devices[0].vendor, 0x10ec);
    assert_int_equal(s->devices[0].device, 0x8139);
    assert_int_equal(s->devices[0].line, 7);
    assert_int_equal(s->devices[1].vendor, 0x1113);
    assert_int_equal(s->devices[1].device, 0x1211);

    assert_int_equal(s->nwindows, 1);
    assert_string_equal(s->windows[0].name, "io");
    assert_int_equal(s->windows[0].mmio, 0);
    assert_int_equal(s->windows[0].size, 0x100);
    assert_int_equal(s->windows[0].line, 10);

    assert_int_equal(s->nregs, 17);
    r = &s->regs[0]; /* reg IDR io 0x00 1 count 6 stride 1 */
    assert_string_equal(r->name, "IDR");
    assert_int_equal(r->window, 0);
    assert_int_equal(r->offset, 0);
    assert_int_equal(r->width, 1);
    assert_int_equal(r->count, 6);
    assert_int_equal(r->stride, 1);
    assert_int_equal(r->dma, 0);
    assert_int_equal(r->index_reg, SPEC_NONE);
    assert_int_equal(r->bank_reg, SPEC_NONE);
    assert_int_equal(r->line, 12);
    r = &s->regs[1]; /* reg MAR io 0x08 4 count 2 stride 4 */
    assert_int_equal(r->offset, 8);
    assert_int_equal(r->width, 4);
    assert_int_equal(r->count, 2);
    assert_int_equal(r->stride, 4);
    r = &s->regs[2]; /* reg TNPDS io 0x20 4 dma */
    assert_string_equal(r->name, "TNPDS");
    assert_int_equal(r->offset, 0x20);
    assert_int_equal(r->count, 0);
    assert_int_equal(r->dma, 1);
    r = &s->regs[11]; /* reg CONFIG1 io 0x52 1 bank CFG9346 0xc0 0xc0 */
    assert_string_equal(r->name, "CONFIG1");
    assert_int_equal(r->bank_reg, 10);
    assert_string_equal(s->regs[r->bank_reg].name, "CFG9346");
    assert_int_equal(r->bank_mask, 0xc0);
    assert_int_equal(r->bank_value, 0xc0);
    assert_int_equal(r->index_reg, SPEC_NONE);
    r = &s->regs[14]; /* reg PHYDR io 0x5e 2 index PHYAR 0x1 */
    assert_string_equal(r->name, "PHYDR");
    assert_int_equal(r->width, 2);
    assert_string_equal(s->regs[r->index_reg].name, "PHYAR");
    assert_int_equal(r->index_value, 1);
    assert_int_equal(r->bank_reg, SPEC_NONE);

    assert_int_equal(s->nbuffers, 3);
    bf = &s->buffers[0]; /* buffer rxbuf 0x2610 align 16 */
    assert_string_equal(bf->name, "rxbuf");
    assert_int_equal(bf->ring, 0);
    assert_int_equal(bf->size, 0x2610);
    assert_int_equal(bf->align, 16);
    assert_int_equal(bf->count, 0);
    assert_int_equal(bf->ndma, 0);
    bf = &s->buffers[1]; /* buffer txbuf 1536 align 8 count 4 */
    assert_int_equal(bf->size, 1536);
    assert_int_equal(bf->align, 8);
    assert_int_equal(bf->count, 4);
    bf = &s->buffers[2]; /* ring txd 4 16 align 256 dma 8,12 */
    assert_string_equal(bf->name, "txd");
    assert_int_equal(bf->ring, 1);
    assert_int_equal(bf->count, 4);
    assert_int_equal(bf->size, 16);
    assert_int_equal(bf->align, 256);
    assert_int_equal(bf->ndma, 2);
    assert_int_equal(bf->dma_off[0], 8);
    assert_int_equal(bf->dma_off[1], 12);
    assert_int_equal(bf->line, 32);

    assert_int_equal(s->nvars, 5);
    assert_string_equal(s->vars[0].name, "cur");
    assert_int_equal(s->vars[0].init, 0);
    assert_int_equal(s->vars[0].wrap, 4);
    assert_int_equal(s->vars[1].wrap, 8192);
    assert_int_equal(s->vars[2].wrap, 0);

    assert_int_equal(s->nparams, 4);
    assert_int_equal(s->params[0].req, SPEC_REQ_SEND);
    assert_int_equal(s->params[0].param, SPEC_PARAM_LEN);
    assert_int_equal(s->params[0].min, 14);
    assert_int_equal(s->params[0].max, 1514);
    assert_int_equal(s->params[1].req, SPEC_REQ_SET_FILTER);
    assert_int_equal(s->params[1].param, SPEC_PARAM_FILTER);
    assert_int_equal(s->params[1].max, 0x3f);
    assert_int_equal(s->params[2].param, SPEC_PARAM_COUNT);
    assert_int_equal(s->params[3].req, SPEC_REQ_LINK);
    assert_int_equal(s->params[3].param, SPEC_PARAM_UP);

    assert_int_equal(s->unhandled, 1u << SPEC_REQ_QUERY_STATS | 1u << SPEC_REQ_RESET);
    assert_int_equal(s->nstates, 2);
    assert_string_equal(s->states[0].name, "stopped");
    assert_string_equal(s->states[1].name, "running");
    assert_int_equal(s->states[1].line, 49);
    spec_free(s);
}

static void test_example_transitions(void **state)
{
    static const struct {
        uint8_t req;
        uint32_t from, to, count, line;
    } want[] = {
        {SPEC_REQ_INIT, 0, 1, 14, 51},       {SPEC_REQ_SEND, 1, 1, 7, 68},
        {SPEC_REQ_INTERRUPT, 1, 1, 4, 79},   {SPEC_REQ_HALT, SPEC_NONE, 0, 3, 103},
        {SPEC_REQ_SET_FILTER, 1, 1, 1, 109}, {SPEC_REQ_MULTICAST, 1, 1, 1, 117},
        {SPEC_REQ_LINK, 1, 1, 2, 127},       {SPEC_REQ_TIMER, 1, 1, 2, 132},
    };
    Spec *s = parse_ok(EXAMPLE);

    (void)state;
    assert_int_equal(s->ntransitions, 8);
    for (size_t i = 0; i < 8; i++) {
        const SpecTransition *t = &s->transitions[i];

        assert_int_equal(t->req, want[i].req);
        assert_int_equal(t->from, want[i].from);
        assert_int_equal(t->to, want[i].to);
        assert_int_equal(t->body.count, want[i].count);
        assert_int_equal(t->line, want[i].line);
        if (i != 1)
            assert_int_equal(t->guard, SPEC_NONE);
    }
    assert_string_equal(expr_text(s, s->transitions[1].guard), "((len <= 1514) && (len >= 14))");
    assert_int_equal(s->nactions, 53);
    assert_int_equal(s->nstrings, 4);
    spec_free(s);
}

static void test_example_init(void **state)
{
    Spec *s = parse_ok(EXAMPLE);
    SpecBlock init;
    const SpecAction *a;

    (void)state;
    init = s->transitions[0].body;
    a = child(s, init, 0); /* from "rtl8139-init.xtr" 112 187 */
    assert_int_equal(a->kind, SPEC_A_FROM);
    assert_string_equal(s->strings[a->text], "rtl8139-init.xtr");
    assert_int_equal(a->mask, 112);
    assert_int_equal(a->match, 187);
    assert_int_equal(a->line, 52);
    a = child(s, init, 1); /* write CR 0x10 */
    assert_int_equal(a->kind, SPEC_A_WRITE);
    assert_string_equal(s->regs[a->reg].name, "CR");
    assert_int_equal(a->idx, SPEC_NONE);
    assert_string_equal(expr_text(s, a->value), "16");
    a = child(s, init, 2); /* poll CR 0x10 0 max 1000 stall 10 else fail */
    assert_int_equal(a->kind, SPEC_A_POLL);
    assert_string_equal(s->regs[a->reg].name, "CR");
    assert_int_equal(a->mask, 0x10);
    assert_int_equal(a->match, 0);
    assert_int_equal(a->max, 1000);
    assert_int_equal(a->stall, 10);
    assert_int_equal(a->on_timeout, SPEC_TIMEOUT_FAIL);
    assert_int_equal(a->value, SPEC_NONE);
    a = child(s, init, 6); /* write RBSTART addr(rxbuf) */
    assert_string_equal(s->regs[a->reg].name, "RBSTART");
    assert_int_equal(s->exprs[a->value].kind, SPEC_E_ADDR);
    assert_int_equal(s->exprs[a->value].b, SPEC_NONE);
    assert_string_equal(expr_text(s, a->value), "addr(rxbuf)");
    a = child(s, init, 7); /* write TNPDS addr(txd) */
    assert_string_equal(expr_text(s, a->value), "addr(txd)");
    a = child(s, init, 13); /* set rxoff 0 */
    assert_int_equal(a->kind, SPEC_A_SET);
    assert_string_equal(s->vars[a->var].name, "rxoff");
    assert_int_equal(a->line, 65);
    spec_free(s);
}

static void test_example_send(void **state)
{
    Spec *s = parse_ok(EXAMPLE);
    SpecBlock send;
    const SpecAction *a;

    (void)state;
    send = s->transitions[1].body;
    a = child(s, send, 0); /* copy txbuf[cur] 0 */
    assert_int_equal(a->kind, SPEC_A_COPY);
    assert_string_equal(s->buffers[a->buf].name, "txbuf");
    assert_string_equal(expr_text(s, a->idx), "cur");
    assert_string_equal(expr_text(s, a->offset), "0");
    a = child(s, send, 1); /* store txd[cur] 8 4 addr(txbuf[cur]) */
    assert_int_equal(a->kind, SPEC_A_STORE);
    assert_string_equal(s->buffers[a->buf].name, "txd");
    assert_string_equal(expr_text(s, a->idx), "cur");
    assert_string_equal(expr_text(s, a->offset), "8");
    assert_int_equal(a->width, 4);
    assert_string_equal(expr_text(s, a->value), "addr(txbuf[cur])");
    a = child(s, send, 3); /* the descriptor's first word */
    assert_int_equal(a->line, 73);
    assert_string_equal(expr_text(s, a->value), "((2952790016 | ((cur == 3) << 30)) | "
                                                "(((len < 60) * 60) + ((len >= 60) * len)))");
    a = child(s, send, 5); /* set cur cur + 1 */
    assert_string_equal(expr_text(s, a->value), "(cur + 1)");
    a = child(s, send, 6);
    assert_int_equal(a->kind, SPEC_A_COMPLETE);
    assert_int_equal(a->value, SPEC_NONE);
    spec_free(s);
}

static void test_example_interrupt(void **state)
{
    Spec *s = parse_ok(EXAMPLE);
    SpecBlock irq = {0}, rounds;
    const SpecAction *a, *rx, *rep, *chk;

    (void)state;
    irq = s->transitions[2].body;
    a = child(s, irq, 0); /* read ISR -> isr */
    assert_int_equal(a->kind, SPEC_A_READ);
    assert_string_equal(s->regs[a->reg].name, "ISR");
    assert_string_equal(s->vars[a->var].name, "isr");
    a = child(s, irq, 1); /* if isr == 0: fallback, no else */
    assert_int_equal(a->kind, SPEC_A_IF);
    assert_string_equal(expr_text(s, a->value), "(isr == 0)");
    assert_int_equal(a->body.count, 1);
    assert_int_equal(a->else_body.count, 0);
    assert_int_equal(child(s, a->body, 0)->kind, SPEC_A_FALLBACK);
    assert_string_equal(s->strings[child(s, a->body, 0)->text], "an interrupt that is not ours");

    rx = child(s, irq, 3); /* if isr & 0x01 */
    assert_int_equal(rx->kind, SPEC_A_IF);
    assert_int_equal(rx->body.count, 1);
    rep = child(s, rx->body, 0); /* repeat 64 */
    assert_int_equal(rep->kind, SPEC_A_REPEAT);
    assert_int_equal(rep->max, 64);
    assert_int_equal(rep->line, 86);
    rounds = rep->body;
    assert_int_equal(rounds.count, 7);
    a = child(s, rounds, 1); /* break if status & 0x01 */
    assert_int_equal(a->kind, SPEC_A_BREAK);
    assert_string_equal(expr_text(s, a->value), "(status & 1)");
    a = child(s, rounds, 2); /* load rxbuf rxoff 4 -> status */
    assert_int_equal(a->kind, SPEC_A_LOAD);
    assert_string_equal(s->buffers[a->buf].name, "rxbuf");
    assert_int_equal(a->idx, SPEC_NONE);
    assert_string_equal(expr_text(s, a->offset), "rxoff");
    assert_int_equal(a->width, 4);
    assert_string_equal(s->vars[a->var].name, "status");
    chk = child(s, rounds, 4); /* if ... else ... end */
    assert_int_equal(chk->kind, SPEC_A_IF);
    assert_string_equal(expr_text(s, chk->value),
                        "((((status & 1) == 0) || (rxlen > 1518)) || (rxlen < 64))");
    assert_int_equal(chk->body.count, 2);
    assert_int_equal(child(s, chk->body, 0)->kind, SPEC_A_NOTE);
    assert_string_equal(s->strings[child(s, chk->body, 0)->text],
                        "receive error: the driver resets the receiver here");
    assert_int_equal(child(s, chk->body, 1)->kind, SPEC_A_FALLBACK);
    assert_int_equal(chk->else_body.count, 1);
    a = child(s, chk->else_body, 0); /* deliver rxbuf rxoff + 4 rxlen - 4 */
    assert_int_equal(a->kind, SPEC_A_DELIVER);
    assert_string_equal(expr_text(s, a->offset), "(rxoff + 4)");
    assert_string_equal(expr_text(s, a->value), "(rxlen - 4)");
    assert_int_equal(a->line, 95);
    a = child(s, rounds, 5);
    assert_string_equal(expr_text(s, a->value), "((((rxoff + rxlen) + 4) + 3) & (~3))");
    a = child(s, rounds, 6); /* write CAPR rxoff - 16 */
    assert_string_equal(s->regs[a->reg].name, "CAPR");
    assert_string_equal(expr_text(s, a->value), "(rxoff - 16)");

    /* nested blocks are contiguous and closed inner first */
    assert_true(chk->body.first + chk->body.count <= chk->else_body.first);
    assert_true(chk->else_body.first + chk->else_body.count <= rounds.first);
    assert_true(rounds.first + rounds.count <= rx->body.first);
    assert_true(rx->body.first + rx->body.count <= irq.first);
    spec_free(s);
}

static void test_example_others(void **state)
{
    Spec *s = parse_ok(EXAMPLE);
    const SpecAction *a, *m;

    (void)state;
    a = child(s, s->transitions[3].body, 2); /* poll CR 0x0c 0 max 100 else continue */
    assert_int_equal(a->kind, SPEC_A_POLL);
    assert_int_equal(a->mask, 0x0c);
    assert_int_equal(a->max, 100);
    assert_int_equal(a->stall, 0);
    assert_int_equal(a->on_timeout, SPEC_TIMEOUT_CONTINUE);
    a = child(s, s->transitions[4].body, 0); /* if filter & 0x20 */
    assert_string_equal(expr_text(s, a->value), "(filter & 32)");
    assert_int_equal(s->exprs[s->exprs[a->value].a].kind, SPEC_E_PARAM);
    assert_int_equal(s->exprs[s->exprs[a->value].a].a, SPEC_PARAM_FILTER);
    m = child(s, s->transitions[5].body, 0); /* if count == 0 */
    assert_string_equal(expr_text(s, m->value), "(count == 0)");
    a = child(s, m->else_body, 1); /* write MAR[1] 0xffffffff */
    assert_string_equal(s->regs[a->reg].name, "MAR");
    assert_string_equal(expr_text(s, a->idx), "1");
    assert_string_equal(expr_text(s, a->value), "4294967295");
    a = child(s, s->transitions[6].body, 1); /* linkstate !(status & 0x04) */
    assert_int_equal(a->kind, SPEC_A_LINK);
    assert_string_equal(expr_text(s, a->value), "(!(status & 4))");
    a = child(s, child(s, s->transitions[7].body, 1)->body, 0);
    assert_int_equal(a->on_timeout, SPEC_TIMEOUT_FALLBACK);
    assert_int_equal(a->stall, 1000);
    spec_free(s);
}

/* ---- expressions ------------------------------------------------------- */

#define EXPR_PRE                                                                                   \
    "xdrv-spec 1\n"                                                                                \
    "buffer b 64 count 4\n"                                                                        \
    "var a 0\nvar b2 0\nvar c 0\nvar d 0\nvar e 0\n"                                               \
    "state s\n"                                                                                    \
    "on send s -> s\n"

static void expect_expr(const char *expr, const char *want)
{
    char text[1024];
    Spec *s;

    snprintf(text, sizeof text, EXPR_PRE "  set a %s\nend\n", expr);
    s = parse_ok(text);
    if (strcmp(expr_text(s, first_action(s)->value), want) != 0)
        print_error("expression: %s\n", expr);
    assert_string_equal(expr_text(s, first_action(s)->value), want);
    spec_free(s);
}

static void test_expr_precedence(void **state)
{
    (void)state;
    expect_expr("a + b2 * c << 2 == d & e", "((((a + (b2 * c)) << 2) == d) & e)");
    expect_expr("a || b2 && c", "(a || (b2 && c))");
    expect_expr("a && b2 || c", "((a && b2) || c)");
    expect_expr("a | b2 ^ c & d", "(a | (b2 ^ (c & d)))");
    expect_expr("a & b2 ^ c | d", "(((a & b2) ^ c) | d)");
    expect_expr("a == b2 < c", "(a == (b2 < c))");
    expect_expr("a < b2 == c > d", "((a < b2) == (c > d))");
    expect_expr("a <= b2 != c >= d", "((a <= b2) != (c >= d))");
    expect_expr("a << b2 < c >> d", "((a << b2) < (c >> d))");
    expect_expr("a + b2 << c - d", "((a + b2) << (c - d))");
    expect_expr("a * b2 + c / d - e % 3", "(((a * b2) + (c / d)) - (e % 3))");
    expect_expr("a - b2 - c", "((a - b2) - c)");
    expect_expr("a / b2 / c", "((a / b2) / c)");
    expect_expr("a << 1 << 2", "((a << 1) << 2)");
    expect_expr("(a + b2) * c", "((a + b2) * c)");
    expect_expr("-a * ~b2", "((-a) * (~b2))");
    expect_expr("!a || !!b2", "((!a) || (!(!b2)))");
    expect_expr("- - a", "(-(-a))");
    expect_expr("~(a | 0xf0)", "(~(a | 240))");
    expect_expr("a&&b2||c&d|e", "((a && b2) || ((c & d) | e))");
    expect_expr("((((a))))", "a");
}

static void test_expr_primaries(void **state)
{
    Spec *s;
    const SpecExpr *x;

    (void)state;
    expect_expr("0", "0");
    expect_expr("0x3c", "60");
    expect_expr("0X3C + 0xAbC", "(60 + 2748)");
    expect_expr("18446744073709551615", "18446744073709551615");
    expect_expr("0xffffffffffffffff", "18446744073709551615");
    expect_expr("0x00000000000000000000001", "1");
    expect_expr("len", "len");
    expect_expr("addr(b[a + 1]) + size(b)", "(addr(b[(a + 1)]) + size(b))");
    expect_expr("addr(b)", "addr(b)");
    expect_expr("addr( b [ 2 ] )", "addr(b[2])");

    s = parse_ok(EXPR_PRE "  set a addr(b[c])\nend\n");
    x = &s->exprs[first_action(s)->value];
    assert_int_equal(x->kind, SPEC_E_ADDR);
    assert_int_equal(x->a, 0);
    assert_int_equal(s->exprs[x->b].kind, SPEC_E_VAR);
    assert_int_equal(s->exprs[x->b].a, 2);
    spec_free(s);

    s = parse_ok(EXPR_PRE "  set a size(b) - len\nend\n");
    x = &s->exprs[first_action(s)->value];
    assert_int_equal(x->kind, SPEC_E_BINARY);
    assert_int_equal(x->op, '-');
    assert_int_equal(s->exprs[x->a].kind, SPEC_E_SIZE);
    assert_int_equal(s->exprs[x->a].b, SPEC_NONE);
    assert_int_equal(s->exprs[x->b].kind, SPEC_E_PARAM);
    assert_int_equal(s->exprs[x->b].a, SPEC_PARAM_LEN);
    spec_free(s);
}

/* Parameters exist only in the `on` of the request that has them. */
static void test_expr_params(void **state)
{
    static const struct {
        const char *req, *name;
        SpecParam param;
    } ok[] = {
        {"send", "len", SPEC_PARAM_LEN},
        {"set-filter", "filter", SPEC_PARAM_FILTER},
        {"multicast", "count", SPEC_PARAM_COUNT},
        {"link", "up", SPEC_PARAM_UP},
    };
    char text[512];

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        Spec *s;

        snprintf(text, sizeof text, PRE "on %s s -> s when %s\n  set x %s\nend\n", ok[i].req,
                 ok[i].name, ok[i].name);
        s = parse_ok(text);
        assert_int_equal(s->exprs[s->transitions[0].guard].kind, SPEC_E_PARAM);
        assert_int_equal(s->exprs[s->transitions[0].guard].a, ok[i].param);
        assert_int_equal(s->exprs[first_action(s)->value].a, ok[i].param);
        spec_free(s);
    }
}

/* Only variables are kept off the parameters' names: a state, a register
 * or a buffer may be called `up` or `count`, and in an expression the name
 * is still the parameter. */
static void test_expr_params_and_other_names(void **state)
{
    Spec *s;

    (void)state;
    s = parse_ok("xdrv-spec 1\nwindow w port 16\nreg len w 0 1\nbuffer count 64\nvar x 0\n"
                 "state down\nstate up\n"
                 "on link down -> up when up\n  write len up\n  set x size(count)\nend\n"
                 "on multicast up -> up\n  store count count 1 count\nend\n");
    assert_string_equal(s->states[1].name, "up");
    assert_int_equal(s->transitions[0].to, 1);
    assert_int_equal(s->exprs[s->transitions[0].guard].kind, SPEC_E_PARAM);
    assert_int_equal(s->exprs[s->transitions[0].guard].a, SPEC_PARAM_UP);
    assert_int_equal(child(s, s->transitions[0].body, 0)->reg, 0);
    assert_string_equal(expr_text(s, child(s, s->transitions[0].body, 0)->value), "up");
    assert_string_equal(expr_text(s, child(s, s->transitions[0].body, 1)->value), "size(count)");
    assert_int_equal(child(s, s->transitions[1].body, 0)->buf, 0);
    assert_string_equal(expr_text(s, child(s, s->transitions[1].body, 0)->offset), "count");
    assert_int_equal(s->exprs[child(s, s->transitions[1].body, 0)->value].kind, SPEC_E_PARAM);
    spec_free(s);
}

/* An action's two expressions in a row: the first goes on as long as an
 * operator follows. */
static void test_expr_greedy(void **state)
{
    Spec *s;

    (void)state;
    s = parse_ok(ON("init", "  deliver b 2 * x + 1 x - 1\n"));
    assert_string_equal(expr_text(s, first_action(s)->offset), "((2 * x) + 1)");
    assert_string_equal(expr_text(s, first_action(s)->value), "(x - 1)");
    spec_free(s);
    s = parse_ok(ON("init", "  deliver b (x) (-1)\n"));
    assert_string_equal(expr_text(s, first_action(s)->value), "(-1)");
    spec_free(s);
    expect_error(ON("init", "  deliver b x -1\n"),
                 "t.xsm:11: expected an expression at the end of the line");
}

/* ---- lexical rules ----------------------------------------------------- */

static void test_lexical_accepted(void **state)
{
    Spec *s;

    (void)state;
    /* comments, blank lines, tabs, CRLF, '#' inside a string, escapes */
    s = parse_ok("# leading comment\r\n"
                 "\r\n"
                 "xdrv-spec 1 # trailing\r\n"
                 "\twindow\tio\tport\t16\r\n"
                 "var v.0 1\n"
                 "var V.0 2 # names are case sensitive\n"
                 "state s\n"
                 "on init s -> s\n"
                 "\t\tnote \"a # b\" # c\n"
                 "    note \"q\\\"x\\\\y\\nz\"\n"
                 "  from \"t.xtr\" 0 0\n"
                 "end");
    assert_int_equal(s->nvars, 2);
    assert_string_equal(s->vars[0].name, "v.0");
    assert_string_equal(s->vars[1].name, "V.0");
    assert_int_equal(s->windows[0].line, 4);
    assert_string_equal(s->strings[0], "a # b");
    assert_string_equal(s->strings[1], "q\"x\\y\nz");
    assert_int_equal(s->actions[2].line, 11);
    spec_free(s);

    /* UTF-8 in comments and strings */
    s = parse_ok(PRE "on init s -> s # état\n  note \"caf\xc3\xa9 \xe2\x82\xac\"\nend\n");
    assert_string_equal(s->strings[0], "caf\xc3\xa9 \xe2\x82\xac");
    spec_free(s);

    /* ISA devices; states declared after an `on` */
    s = parse_ok("xdrv-spec 1\ndevice isa ne2000-isa\ndevice pci 8086:100E\nstate a\n"
                 "on init a -> a\nend\nstate b\non halt b -> a\nend\n");
    assert_int_equal(s->devices[0].pci, 0);
    assert_string_equal(s->devices[0].isa, "ne2000-isa");
    assert_int_equal(s->devices[1].device, 0x100e);
    assert_int_equal(s->transitions[1].from, 1);
    spec_free(s);

    /* a name of 63 bytes */
    s = parse_ok("xdrv-spec 1\nvar "
                 "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk 0\n");
    assert_int_equal(strlen(s->vars[0].name), 63);
    spec_free(s);
}

static void test_err_version(void **state)
{
    static const Refusal r[] = {
        {"", "t.xsm:1: missing 'xdrv-spec 1' (the first statement)"},
        {"# only a comment\n\n", "t.xsm:1: missing 'xdrv-spec 1' (the first statement)"},
        {"window io port 0x100\n", "t.xsm:1: missing 'xdrv-spec 1' (the first statement)"},
        {"\n# c\nwindow io port 1\n", "t.xsm:3: missing 'xdrv-spec 1' (the first statement)"},
        {"xdrv-spec 2\n", "t.xsm:1: unsupported version 2 (this parser reads version 1)"},
        {"xdrv-spec 0\n", "t.xsm:1: unsupported version 0 (this parser reads version 1)"},
        {"xdrv-spec\n", "t.xsm:1: version: expected a number at the end of the line"},
        {"xdrv-spec one\n", "t.xsm:1: version: expected a number, got 'one'"},
        {"xdrv-spec 1 extra\n", "t.xsm:1: unexpected 'extra'"},
        {"xdrv-spec 1\nxdrv-spec 1\n",
         "t.xsm:2: 'xdrv-spec' again: it is only the first statement"},
    };

    (void)state;
    EXPECT_ERRORS(r);
}

static void test_err_lexical(void **state)
{
    static const Refusal r[] = {
        {PRE "frobnicate 1\n", "t.xsm:10: unknown statement 'frobnicate'"},
        {PRE "(x)\n", "t.xsm:10: unknown statement '(x)'"},
        {ON("init", "  frob x\n"), "t.xsm:11: unknown action 'frob'"},
        {ON("init", "  note \"abc\n"), "t.xsm:11: unterminated string"},
        {ON("init", "  note \"abc\\\"\n"), "t.xsm:11: unterminated string"},
        {ON("init", "  note \"a\\qb\"\n"), "t.xsm:11: unknown escape '\\q' in a string"},
        {ON("init", "  note \"a\\\xc3\xa9\"\n"),
         "t.xsm:11: unknown escape '\\\xc3\xa9' in a string"},
        {"xdrv-spec 1\nvar x\x01 0\n", "t.xsm:2: control character 0x01"},
        {"xdrv-spec 1\nvar x 0\r\r\n", "t.xsm:2: control character 0x0d"},
        {"xdrv-spec 1\nvar x 0 \x7f\n", "t.xsm:2: control character 0x7f"},
        {"xdrv-spec 1\n# caf\xc3\n", "t.xsm:2: invalid UTF-8"},
        {"xdrv-spec 1\n# caf\xc3( not a continuation\n", "t.xsm:2: invalid UTF-8"},
        {"xdrv-spec 1\n# \xff\n", "t.xsm:2: invalid UTF-8"},
        {"xdrv-spec 1\n# \xc0\xaf overlong\n", "t.xsm:2: invalid UTF-8"},
        {"xdrv-spec 1\n# \xed\xa0\x80 surrogate\n", "t.xsm:2: invalid UTF-8"},
        {"xdrv-spec 1\n# \xf4\x90\x80\x80 above U+10FFFF\n", "t.xsm:2: invalid UTF-8"},
        {PRE "var y $1\n", "t.xsm:10: 'var' after the first 'state': declarations come first"},
        {ON("init", "  set x $1\n"), "t.xsm:11: unexpected character '$'"},
        {ON("init", "  set x \xc3\xa9\n"), "t.xsm:11: unexpected character '\xc3\xa9'"},
        {"xdrv-spec 1\nvar x 0 0\n", "t.xsm:2: unexpected '0'"},
        {ON("init", "  write CR 1 \"s\"\n"), "t.xsm:11: unexpected '\"s\"'"},
        {ON("init", "  set x \"s\"\n"), "t.xsm:11: expected an expression, got '\"s\"'"},
    };

    (void)state;
    EXPECT_ERRORS(r);
    expect_error_len("xdrv-spec 1\nvar x 0\0\n", 20, "t.xsm:2: NUL byte");
    expect_error_len("xdrv-spec 1\n\0", 13, "t.xsm:2: NUL byte");
}

static void test_err_numbers(void **state)
{
    static const Refusal r[] = {
        {"xdrv-spec 1\nvar x 12ab\n", "t.xsm:2: bad number '12ab'"},
        {"xdrv-spec 1\nvar x 0x\n", "t.xsm:2: bad number '0x'"},
        {"xdrv-spec 1\nvar x 0xg1\n", "t.xsm:2: bad number '0xg1'"},
        {"xdrv-spec 1\nvar x 1.5\n", "t.xsm:2: bad number '1.5'"},
        {"xdrv-spec 1\nvar x 0x10000000000000000\n",
         "t.xsm:2: number '0x10000000000000000' does not fit 64 bits"},
        {"xdrv-spec 1\nvar x 18446744073709551616\n",
         "t.xsm:2: number '18446744073709551616' does not fit 64 bits"},
        {"xdrv-spec 1\nvar x 99999999999999999999\n",
         "t.xsm:2: number '99999999999999999999' does not fit 64 bits"},
        {"xdrv-spec 1\nvar x y\n", "t.xsm:2: initial value: expected a number, got 'y'"},
        {"xdrv-spec 1\nvar x -1\n", "t.xsm:2: initial value: expected a number, got '-'"},
        {"xdrv-spec 1\nwindow w port 16\nreg W w 0 3\n", "t.xsm:3: width 3: must be 1, 2 or 4"},
        {"xdrv-spec 1\nwindow w port 16\nreg W w 0 8\n", "t.xsm:3: width 8: must be 1, 2 or 4"},
        {"xdrv-spec 1\nwindow w port 16\nreg W w 0 0\n", "t.xsm:3: width 0: must be 1, 2 or 4"},
        {ON("init", "  store b 0 3 1\n"), "t.xsm:11: width 3: must be 1, 2 or 4"},
        {ON("init", "  load b 0 x -> x\n"), "t.xsm:11: width: expected a number, got 'x'"},
    };

    (void)state;
    EXPECT_ERRORS(r);
}

static void test_err_names(void **state)
{
    static const Refusal r[] = {
        {ON("init", "  write NOPE 1\n"), "t.xsm:11: undeclared register 'NOPE'"},
        {ON("init", "  set nope 1\n"), "t.xsm:11: undeclared variable 'nope'"},
        {ON("init", "  set x nope + 1\n"), "t.xsm:11: undeclared variable 'nope'"},
        {ON("init", "  store nope 0 1 0\n"), "t.xsm:11: undeclared buffer 'nope'"},
        {ON("init", "  set x size(nope)\n"), "t.xsm:11: undeclared buffer 'nope'"},
        {PRE "on init nope -> s\nend\n", "t.xsm:10: undeclared state 'nope'"},
        {PRE "on init s -> nope\nend\n", "t.xsm:10: undeclared state 'nope'"},
        {PRE "on init s -> t\nend\nstate t\n", "t.xsm:10: undeclared state 't'"},
        {"xdrv-spec 1\nreg R nowin 0 1\n", "t.xsm:2: undeclared window 'nowin'"},
        {ON("init", "  write x 1\n"), "t.xsm:11: 'x' is a variable, not a register"},
        {ON("init", "  set CR 1\n"), "t.xsm:11: 'CR' is a register, not a variable"},
        {ON("init", "  set x CR\n"), "t.xsm:11: 'CR' is a register, not a variable"},
        {ON("init", "  set x r\n"), "t.xsm:11: 'r' is a ring, not a variable"},
        {ON("init", "  set x s\n"), "t.xsm:11: 's' is a state, not a variable"},
        {ON("init", "  read CR -> io\n"), "t.xsm:11: 'io' is a window, not a variable"},
        {ON("init", "  store x 0 1 0\n"), "t.xsm:11: 'x' is a variable, not a buffer"},
        {ON("init", "  set x addr(CR)\n"), "t.xsm:11: 'CR' is a register, not a buffer"},
        {PRE "on init * -> x\nend\n", "t.xsm:10: 'x' is a variable, not a state"},
        {"xdrv-spec 1\nwindow io port 16\nreg R CR 0 1\n", "t.xsm:3: undeclared window 'CR'"},
        {ON("init", "  set len 1\n"), "t.xsm:11: 'len' is a request parameter, not a variable"},
        /* one name space for every kind */
        {"xdrv-spec 1\nwindow io port 16\nvar io 0\n", "t.xsm:3: 'io' already declared on line 2"},
        {"xdrv-spec 1\nvar a 0\nbuffer a 4\n", "t.xsm:3: 'a' already declared on line 2"},
        {"xdrv-spec 1\nbuffer a 4\nring a 4 4\n", "t.xsm:3: 'a' already declared on line 2"},
        {"xdrv-spec 1\nwindow w port 16\nreg a w 0 1\nreg a w 1 1\n",
         "t.xsm:4: 'a' already declared on line 3"},
        {PRE "state x\n", "t.xsm:10: 'x' already declared on line 8"},
        {PRE "state s\n", "t.xsm:10: 's' already declared on line 9"},
        {PRE "state io\n", "t.xsm:10: 'io' already declared on line 2"},
        /* no variable takes a request parameter's name */
        {"xdrv-spec 1\nvar len 0\n",
         "t.xsm:2: 'len' is a request parameter: no variable may take its name"},
        {"xdrv-spec 1\nvar up 0 wrap 2\n",
         "t.xsm:2: 'up' is a request parameter: no variable may take its name"},
        {"xdrv-spec 1\nvar count 0\n",
         "t.xsm:2: 'count' is a request parameter: no variable may take its name"},
        {"xdrv-spec 1\nvar filter 0\n",
         "t.xsm:2: 'filter' is a request parameter: no variable may take its name"},
        {"xdrv-spec 1\nstate up\non init up -> up\n  set up 1\nend\n",
         "t.xsm:4: 'up' is a state, not a variable"},
        {"xdrv-spec 1\nvar x 0\nstate up\non init up -> up\n  set x up\nend\n",
         "t.xsm:5: 'up' is a state, not a variable"},
        {"xdrv-spec 1\nvar x 0\nstate s\non init s -> s\n  read len -> x\nend\n",
         "t.xsm:5: undeclared register 'len'"},
        /* index and bank name registers declared before */
        {"xdrv-spec 1\nwindow w port 16\nreg D w 0 1 index A 1\nreg A w 1 1\n",
         "t.xsm:3: undeclared register 'A'"},
        {"xdrv-spec 1\nwindow w port 16\nreg D w 0 1 bank D 1 1\n",
         "t.xsm:3: undeclared register 'D'"},
        {"xdrv-spec 1\nwindow w port 16\nreg A w 0 1 count 2 stride 1\nreg D w 4 1 index A 1\n",
         "t.xsm:4: index register 'A' is an array"},
        {"xdrv-spec 1\nwindow w port 16\nreg A w 0 1 count 2 stride 1\nreg D w 4 1 bank A 1 1\n",
         "t.xsm:4: bank register 'A' is an array"},
        {"xdrv-spec 1\nwindow w port 16\nreg D w 4 1 bank w 1 1\n",
         "t.xsm:3: 'w' is a window, not a register"},
        {"xdrv-spec 1\nvar 9a 0\n", "t.xsm:2: bad number '9a'"},
        {"xdrv-spec 1\nvar \"a\" 0\n", "t.xsm:2: expected a name, got '\"a\"'"},
        {"xdrv-spec 1\nvar\n", "t.xsm:2: expected a name at the end of the line"},
    };

    (void)state;
    EXPECT_ERRORS(r);
}

/* An error quotes at most 40 bytes of the input, not cutting a character. */
static void test_err_quote_length(void **state)
{
    (void)state;
    expect_error(PRE "abcdefghijklmnopqrstuvwxyzabcdefghijklm\xc3\xa9tc\n",
                 "t.xsm:10: unknown statement 'abcdefghijklmnopqrstuvwxyzabcdefghijklm'");
    expect_error(PRE "abcdefghijklmnopqrstuvwxyzabcdefghijklmn\xc3\xa9tc\n",
                 "t.xsm:10: unknown statement 'abcdefghijklmnopqrstuvwxyzabcdefghijklmn'");
    expect_error(PRE "abcdefghijklmnopqrstuvwxyzabcdefghijkl\xc3\xa9tc\n",
                 "t.xsm:10: unknown statement 'abcdefghijklmnopqrstuvwxyzabcdefghijkl\xc3\xa9'");
}

static void test_err_name_length(void **state)
{
    char name[65], text[256], want[256];

    (void)state;
    memset(name, 'n', 64);
    name[64] = '\0';
    snprintf(text, sizeof text, "xdrv-spec 1\nvar %s 0\n", name);
    snprintf(want, sizeof want, "t.xsm:2: name '%.40s...' longer than 63 bytes", name);
    expect_error(text, want);
    snprintf(text, sizeof text, ON("init", "  set x %s\n"), name);
    snprintf(want, sizeof want, "t.xsm:11: name '%.40s...' longer than 63 bytes", name);
    expect_error(text, want);
}

static void test_err_params(void **state)
{
    static const Refusal r[] = {
        {ON("init", "  set x len\n"), "t.xsm:11: 'len' is not a parameter of 'init'"},
        {ON("send", "  set x filter\n"), "t.xsm:11: 'filter' is not a parameter of 'send'"},
        {ON("set-filter", "  set x count\n"),
         "t.xsm:11: 'count' is not a parameter of 'set-filter'"},
        {ON("multicast", "  set x up\n"), "t.xsm:11: 'up' is not a parameter of 'multicast'"},
        {ON("interrupt", "  write CR len\n"), "t.xsm:11: 'len' is not a parameter of 'interrupt'"},
        {ON("halt", "  write MAR[len] 0\n"), "t.xsm:11: 'len' is not a parameter of 'halt'"},
        {PRE "on init s -> s when up\nend\n", "t.xsm:10: 'up' is not a parameter of 'init'"},
        {"xdrv-spec 1\nparam init len 0 1\n", "t.xsm:2: 'len' is not a parameter of 'init'"},
        {"xdrv-spec 1\nparam send length 0 1\n", "t.xsm:2: 'length' is not a parameter of 'send'"},
        {"xdrv-spec 1\nparam send len 0 1\nparam send len 0 2\n",
         "t.xsm:3: param send len already given on line 2"},
        {"xdrv-spec 1\nparam send len 60 14\n", "t.xsm:2: minimum 60 above maximum 14"},
        {"xdrv-spec 1\nparam sned len 0 1\n", "t.xsm:2: unknown request 'sned'"},
        {"xdrv-spec 1\nparam send 5 1 2\n", "t.xsm:2: expected a parameter name, got '5'"},
        {"xdrv-spec 1\nparam send len 1\n",
         "t.xsm:2: maximum: expected a number at the end of the line"},
        {"xdrv-spec 1\nunhandled send\nunhandled send\n",
         "t.xsm:3: 'send' already declared unhandled"},
        {"xdrv-spec 1\nunhandled receive\n", "t.xsm:2: unknown request 'receive'"},
        {"xdrv-spec 1\nunhandled\n", "t.xsm:2: expected a request at the end of the line"},
        {"xdrv-spec 1\ntimer 5\n", "t.xsm:2: period in milliseconds 5 out of range (10..600000)"},
        {"xdrv-spec 1\ntimer 600001\n", "t.xsm:2: period in milliseconds 600001 out of range (10..600000)"},
        {"xdrv-spec 1\ntimer 2000\ntimer 1000\n", "t.xsm:3: the timer's period is already declared"},
        {"xdrv-spec 1\ntimer\n", "t.xsm:2: period in milliseconds: expected a number at the end of the line"},
    };

    (void)state;
    EXPECT_ERRORS(r);
}

static void test_err_registers(void **state)
{
#define WPRE "xdrv-spec 1\nwindow w port 16\n"
    static const Refusal r[] = {
        {ON("init", "  write CR[0] 1\n"), "t.xsm:11: register 'CR' is not an array"},
        {ON("init", "  write MAR 1\n"), "t.xsm:11: register 'MAR' is an array: it needs an index"},
        {ON("init", "  read MAR -> x\n"),
         "t.xsm:11: register 'MAR' is an array: it needs an index"},
        {ON("init", "  poll CR[x] 1 1 max 1 else fail\n"),
         "t.xsm:11: register 'CR' is not an array"},
        {ON("init", "  write MAR[0 1\n"), "t.xsm:11: expected ']', got '1'"},
        {ON("init", "  store b[0] 0 1 0\n"), "t.xsm:11: buffer 'b' is not an array"},
        {ON("init", "  store bs 0 1 0\n"), "t.xsm:11: buffer 'bs' is an array: it needs an index"},
        {ON("init", "  load r 0 4 -> x\n"), "t.xsm:11: ring 'r' is an array: it needs an index"},
        {ON("init", "  deliver b[x] 0 1\n"), "t.xsm:11: buffer 'b' is not an array"},
        {ON("init", "  set x addr(b[1])\n"), "t.xsm:11: buffer 'b' is not an array"},
        {ON("init", "  set x size(bs[0])\n"), "t.xsm:11: expected ')', got '['"},
        {ON("init", "  set x addr(b\n"), "t.xsm:11: expected ')' at the end of the line"},
        {ON("init", "  set x addr b\n"), "t.xsm:11: undeclared variable 'addr'"},
        {WPRE "reg A w 0 1 count 2\n", "t.xsm:3: expected 'stride' at the end of the line"},
        {WPRE "reg A w 0 1 count 0 stride 1\n", "t.xsm:3: count 0 out of range (1..1048576)"},
        {WPRE "reg A w 0 1 count 2 stride 0\n", "t.xsm:3: stride 0 out of range (1..1048576)"},
        {WPRE "reg A w 0 4 count 1024 stride 2048\n",
         "t.xsm:3: 1024 registers 2048 bytes apart span more than 1048576 bytes"},
        {WPRE "reg A w 0 1 dma dma\n", "t.xsm:3: option 'dma' given twice"},
        {WPRE "reg A w 0 1 fast\n", "t.xsm:3: unknown option 'fast' for 'reg'"},
        {WPRE "reg A w 0 1 dma 5\n", "t.xsm:3: unexpected '5'"},
        {WPRE "reg A w 0 1\nreg B w 1 1 bank A 0x0c 0x10\n",
         "t.xsm:4: bank value 0x10 has bits outside the mask 0xc"},
        {WPRE "reg A w 0 1\nreg B w 1 1 index A\n",
         "t.xsm:4: index value: expected a number at the end of the line"},
        {WPRE "reg A w 0x100000 1\n", "t.xsm:3: offset 0x100000 out of range (0..1048575)"},
        {WPRE "reg A w 0 1 count 2 stride 1 count 2 stride 1\n",
         "t.xsm:3: option 'count' given twice"},
        {"xdrv-spec 1\nwindow w port 0\n", "t.xsm:2: window size 0 out of range (1..1048576)"},
        {"xdrv-spec 1\nwindow w mmio 0x100001\n",
         "t.xsm:2: window size 0x100001 out of range (1..1048576)"},
        {"xdrv-spec 1\nwindow w bus 16\n", "t.xsm:2: expected 'port' or 'mmio', got 'bus'"},
        {"xdrv-spec 1\ndevice pci 10ec8139\n", "t.xsm:2: bad PCI id '10ec8139' (VVVV:DDDD, hex)"},
        {"xdrv-spec 1\ndevice pci 10ec:81390\n",
         "t.xsm:2: bad PCI id '10ec:81390' (VVVV:DDDD, hex)"},
        {"xdrv-spec 1\ndevice pci 10eg:8139\n", "t.xsm:2: bad PCI id '10eg:8139' (VVVV:DDDD, hex)"},
        {"xdrv-spec 1\ndevice pci :8139\n", "t.xsm:2: bad PCI id ':8139' (VVVV:DDDD, hex)"},
        {"xdrv-spec 1\ndevice pci\n", "t.xsm:2: bad PCI id '' (VVVV:DDDD, hex)"},
        {"xdrv-spec 1\ndevice isa ne2000/isa\n", "t.xsm:2: bad ISA model name 'ne2000/isa'"},
        {"xdrv-spec 1\ndevice isa\n", "t.xsm:2: bad ISA model name ''"},
        {"xdrv-spec 1\ndevice isa "
         "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl\n",
         "t.xsm:2: bad ISA model name 'abcdefghijklmnopqrstuvwxyzabcdefghijklmn'"},
        {"xdrv-spec 1\ndevice usb x\n", "t.xsm:2: expected 'pci' or 'isa', got 'usb'"},
        {"xdrv-spec 1\ndevice isa ne2000 isa\n", "t.xsm:2: unexpected 'isa'"},
    };
#undef WPRE

    (void)state;
    EXPECT_ERRORS(r);
}

static void test_err_buffers(void **state)
{
    static const Refusal r[] = {
        {"xdrv-spec 1\nbuffer c 0\n", "t.xsm:2: buffer size 0 out of range (1..1048576)"},
        {"xdrv-spec 1\nbuffer c 0x100001\n",
         "t.xsm:2: buffer size 0x100001 out of range (1..1048576)"},
        {"xdrv-spec 1\nbuffer c 16 align 24\n",
         "t.xsm:2: alignment 24: must be a power of two, at most 4096"},
        {"xdrv-spec 1\nbuffer c 16 align 0\n",
         "t.xsm:2: alignment 0: must be a power of two, at most 4096"},
        {"xdrv-spec 1\nbuffer c 16 align 8192\n",
         "t.xsm:2: alignment 8192: must be a power of two, at most 4096"},
        {"xdrv-spec 1\nbuffer c 16 count 1025\n", "t.xsm:2: count 1025 out of range (1..1024)"},
        {"xdrv-spec 1\nbuffer c 16 count 0\n", "t.xsm:2: count 0 out of range (1..1024)"},
        {"xdrv-spec 1\nbuffer c 16 count 2 count 2\n", "t.xsm:2: option 'count' given twice"},
        {"xdrv-spec 1\nbuffer c 16 dma 0\n", "t.xsm:2: unknown option 'dma' for 'buffer'"},
        {"xdrv-spec 1\nring q 1024 2048\n",
         "t.xsm:2: 1024 descriptors of 2048 bytes: more than 1048576 bytes"},
        {"xdrv-spec 1\nring q 1025 16\n", "t.xsm:2: descriptor count 1025 out of range (1..1024)"},
        {"xdrv-spec 1\nring q 4 0\n", "t.xsm:2: descriptor size 0 out of range (1..1048576)"},
        {"xdrv-spec 1\nring q 4 16 dma 13\n",
         "t.xsm:2: dma offset 13: a 32-bit field past a 16-byte descriptor"},
        {"xdrv-spec 1\nring q 4 16 dma 0,1,2,3,4,5,6,7,8\n", "t.xsm:2: more than 8 dma offsets"},
        {"xdrv-spec 1\nring q 4 16 dma 0,\n",
         "t.xsm:2: dma offset: expected a number at the end of the line"},
        {"xdrv-spec 1\nring q 4 16 dma 0 dma 4\n", "t.xsm:2: option 'dma' given twice"},
        {"xdrv-spec 1\nring q 4 16 count 4\n", "t.xsm:2: unknown option 'count' for 'ring'"},
        /* `in PARENT OFFSET`: inside, aligned, apart, one level, single */
        {"xdrv-spec 1\nbuffer a 64\nring q 4 16 in a 4\n",
         "t.xsm:3: 'q' at +0x4 ends at +0x44, past the 64 bytes of 'a'"},
        {"xdrv-spec 1\nbuffer a 64 align 16\nring q 2 16 align 16 in a 8\n",
         "t.xsm:3: 'q' at +0x8 of 'a' (align 16) is not aligned to 16"},
        {"xdrv-spec 1\nbuffer a 64 align 4\nring q 2 16 align 16 in a 0\n",
         "t.xsm:3: 'q' at +0x0 of 'a' (align 4) is not aligned to 16"},
        {"xdrv-spec 1\nbuffer a 64\nring q 2 16 in a 0\nbuffer b 8 in a 0x1c\n",
         "t.xsm:4: 'b' at +0x1c overlaps 'q' (line 3) inside 'a'"},
        {"xdrv-spec 1\nring r 4 16\nbuffer b 8 in r 0\n",
         "t.xsm:3: 'r' (line 2) is a ring: only a single buffer of its own may hold others"},
        {"xdrv-spec 1\nbuffer a 64 count 2\nbuffer b 8 in a 0\n",
         "t.xsm:3: 'a' (line 2) is a buffer array: only a single buffer of its own may hold others"},
        {"xdrv-spec 1\nbuffer a 64\nbuffer b 32 in a 0\nbuffer c 8 in b 0\n",
         "t.xsm:4: 'b' (line 3) is inside another: only a single buffer of its own may hold others"},
        {"xdrv-spec 1\nbuffer a 64\nbuffer b 8 count 2 in a 0\n",
         "t.xsm:3: a buffer array cannot lie inside another buffer"},
        {"xdrv-spec 1\nbuffer b 8 in a 0\n", "t.xsm:2: undeclared buffer 'a'"},
        {"xdrv-spec 1\nbuffer a 64\nbuffer b 8 in a\n",
         "t.xsm:3: offset: expected a number at the end of the line"},
        {"xdrv-spec 1\nbuffer a 64 kind \"\"\n", "t.xsm:2: kind \"\": 1 to 32 characters"},
        {"xdrv-spec 1\nbuffer a 64 kind \"send buffer\"\n",
         "t.xsm:2: kind \"send buffer\": letters, digits and punctuation other than + only"},
        {"xdrv-spec 1\nbuffer a 64 kind \"a+1\"\n",
         "t.xsm:2: kind \"a+1\": letters, digits and punctuation other than + only"},
        {"xdrv-spec 1\nbuffer a 64 kind \"123456789012345678901234567890123\"\n",
         "t.xsm:2: kind \"123456789012345678901234567890123\": 1 to 32 characters"},
        {"xdrv-spec 1\nbuffer a 64 kind shared\n",
         "t.xsm:2: expected a quoted string, got 'shared'"},
        {"xdrv-spec 1\nring r 4 16 kind \"x\"\n", "t.xsm:2: unknown option 'kind' for 'ring'"},
        {"xdrv-spec 1\nvar v 4 wrap 4\n", "t.xsm:2: initial value 4 outside 0..3 (wrap 4)"},
        {"xdrv-spec 1\nvar v 0 wrap 0\n", "t.xsm:2: wrap 0: must be at least 1"},
        {"xdrv-spec 1\nvar v 0 wrap 2 wrap 2\n", "t.xsm:2: option 'wrap' given twice"},
    };
    Spec *s;

    (void)state;
    EXPECT_ERRORS(r);
    /* the bounds themselves are accepted */
    s = parse_ok("xdrv-spec 1\nbuffer c 0x100000 align 4096 count 1024\nring q 1024 1024 align 1 "
                 "dma 0,1,2,3,4,5,6,1020\nwindow w mmio 0x100000\nvar v 3 wrap 4\n");
    assert_int_equal(s->buffers[0].size, SPEC_BUFFER_MAX);
    assert_int_equal(s->buffers[0].align, SPEC_ALIGN_MAX);
    assert_int_equal(s->buffers[0].count, SPEC_COUNT_MAX);
    assert_int_equal(s->buffers[1].align, 1);
    assert_int_equal(s->buffers[1].ndma, SPEC_MAX_DMA_OFFS);
    assert_int_equal(s->buffers[1].dma_off[7], 1020);
    assert_int_equal(s->windows[0].mmio, 1);
    assert_int_equal(s->windows[0].size, SPEC_WINDOW_MAX);
    spec_free(s);
    /* rings and a block cut from one allocation, as a driver does */
    s = parse_ok("xdrv-spec 1\nbuffer all 0x440 align 4096\nring tx 32 16 align 4096 in all 0\n"
                 "ring rx 32 16 align 512 in all 0x200\nbuffer blk 28 align 1024 in all 0x400\n"
                 "buffer own 16 count 2 kind \"send-buffer\"\n");
    assert_int_equal(s->buffers[0].inside, 0);
    assert_int_equal(s->buffers[1].inside, 1);
    assert_int_equal(s->buffers[1].in_off, 0);
    assert_int_equal(s->buffers[2].inside, 1);
    assert_int_equal(s->buffers[2].in_off, 0x200);
    assert_int_equal(s->buffers[3].inside, 1);
    assert_int_equal(s->buffers[3].in_off, 0x400);
    assert_int_equal(s->buffers[4].inside, 0);
    assert_int_equal(s->buffers[0].kind, 0);
    assert_true(s->buffers[4].kind > 0);
    assert_string_equal(s->strings[s->buffers[4].kind - 1], "send-buffer");
    /* placed as declared: the pieces at their offsets in the one
     * allocation, the next buffer after all of it (rounded up to its
     * alignment, as every buffer is) */
    static uint8_t mem[0x4000];
    ReplayArena a;
    char err[128];
    assert_int_equal(replay_arena_init(&a, s, mem, 0x100000, sizeof mem, err, sizeof err), 0);
    assert_int_equal(replay_arena_addr(&a, 0, 0), 0x100000);
    assert_int_equal(replay_arena_addr(&a, 1, 0), 0x100000);
    assert_int_equal(replay_arena_addr(&a, 2, 0), 0x100200);
    assert_int_equal(replay_arena_addr(&a, 3, 0), 0x100400);
    assert_int_equal(replay_arena_addr(&a, 4, 0), 0x101000);
    assert_ptr_equal(replay_arena_ptr(&a, 3, 0), mem + 0x400);
    spec_free(s);
}

static void test_err_actions(void **state)
{
    static const Refusal r[] = {
        {ON("init", "  poll CR 1 0 max 0 else fail\n"),
         "t.xsm:11: poll max 0 out of range (1..1000000)"},
        {ON("init", "  poll CR 1 0 max 1000001 else fail\n"),
         "t.xsm:11: poll max 1000001 out of range (1..1000000)"},
        {ON("init", "  poll CR 1 0 max 5 stall 100001 else fail\n"),
         "t.xsm:11: stall 100001 out of range (0..100000)"},
        {ON("init", "  poll CR 1 0 max 5 else retry\n"),
         "t.xsm:11: expected 'fallback', 'fail' or 'continue', got 'retry'"},
        {ON("init", "  poll CR 1 0 max 5\n"), "t.xsm:11: expected 'else' at the end of the line"},
        {ON("init", "  poll CR 1 0 5 else fail\n"), "t.xsm:11: expected 'max', got '5'"},
        {ON("init", "  poll CR x 0 max 5 else fail\n"),
         "t.xsm:11: mask: expected a number, got 'x'"},
        {ON("init", "  repeat 0\n  end\n"), "t.xsm:11: repeat count 0 out of range (1..65536)"},
        {ON("init", "  repeat 65537\n  end\n"),
         "t.xsm:11: repeat count 65537 out of range (1..65536)"},
        {ON("init", "  repeat x\n  end\n"), "t.xsm:11: repeat count: expected a number, got 'x'"},
        {ON("init", "  copy b 0\n"), "t.xsm:11: 'copy' is only for 'on send'"},
        {ON("init", "  complete\n"), "t.xsm:11: 'complete' is only for 'on send'"},
        {ON("init", "  read CR x\n"), "t.xsm:11: expected '->', got 'x'"},
        {ON("init", "  load b 0 4 x\n"), "t.xsm:11: expected '->', got 'x'"},
        {ON("init", "  from \"t\" 9 5\n"), "t.xsm:11: first event 9 after last event 5"},
        {ON("init", "  from t 1 5\n"), "t.xsm:11: expected a quoted string, got 't'"},
        {ON("init", "  fallback reason\n"), "t.xsm:11: expected a quoted string, got 'reason'"},
        {ON("init", "  note\n"), "t.xsm:11: expected a quoted string at the end of the line"},
        {ON("init", "  set x\n"), "t.xsm:11: expected an expression at the end of the line"},
        {ON("init", "  set x (1 + 2\n"), "t.xsm:11: expected ')' at the end of the line"},
        {ON("init", "  set x 1 +\n"), "t.xsm:11: expected an expression at the end of the line"},
        {ON("init", "  set x 1 2\n"), "t.xsm:11: unexpected '2'"},
        {ON("init", "  set x )\n"), "t.xsm:11: expected an expression, got ')'"},
        {ON("init", "  set x a->b\n"), "t.xsm:11: undeclared variable 'a'"},
        {ON("init", "  set x x->x\n"), "t.xsm:11: unexpected '->'"},
        {ON("init", "  complete 1\n"), "t.xsm:11: 'complete' is only for 'on send'"},
        {ON("send", "  complete 1\n"), "t.xsm:11: unexpected '1'"},
        {ON("init", "  linkstate\n"), "t.xsm:11: expected an expression at the end of the line"},
    };

    (void)state;
    EXPECT_ERRORS(r);
}

static void test_err_blocks(void **state)
{
    static const Refusal r[] = {
        {PRE "end\n", "t.xsm:10: 'end' without a block"},
        {ON("init", "") "end\n", "t.xsm:12: 'end' without a block"},
        {PRE "else\n", "t.xsm:10: 'else' without 'if'"},
        {ON("init", "  else\n"), "t.xsm:11: 'else' without 'if'"},
        {ON("init", "  repeat 2\n  else\n  end\n"), "t.xsm:12: 'else' without 'if'"},
        {ON("init", "  if x\n  else\n  else\n  end\n"),
         "t.xsm:13: second 'else' for the 'if' of line 11"},
        {PRE "on init s -> s\n", "t.xsm:10: 'on' without 'end'"},
        {PRE "on init s -> s\n  if x\n  write CR 1\n", "t.xsm:11: 'if' without 'end'"},
        {PRE "on init s -> s\n  if x\n  end\n  repeat 2\n", "t.xsm:13: 'repeat' without 'end'"},
        {PRE "on init s -> s\n  if x\n  else\n  set x 1\n", "t.xsm:12: 'else' without 'end'"},
        {ON("init", "  break if x\n"), "t.xsm:11: 'break' outside a 'repeat'"},
        {ON("init", "  if x\n    break if x\n  end\n"), "t.xsm:12: 'break' outside a 'repeat'"},
        {ON("init", "  repeat 2\n    break x\n  end\n"), "t.xsm:12: expected 'if', got 'x'"},
        {ON("init", "  repeat 2\n    break if\n  end\n"),
         "t.xsm:12: expected an expression at the end of the line"},
        {PRE "on init s -> s\nstate t\n",
         "t.xsm:11: 'state' inside an 'on' block (missing 'end'?)"},
        {PRE "on init s -> s\non halt s -> s\n",
         "t.xsm:11: 'on' inside an 'on' block (missing 'end'?)"},
        {PRE "on init s -> s\nvar y 0\n", "t.xsm:11: 'var' inside an 'on' block (missing 'end'?)"},
        {PRE "write CR 1\n", "t.xsm:10: 'write' outside an 'on' block"},
        {"xdrv-spec 1\nbreak if 1\n", "t.xsm:2: 'break' outside an 'on' block"},
        {PRE "on init s -> s end\n", "t.xsm:10: unexpected 'end'"},
        {PRE "on init s s\n", "t.xsm:10: expected '->', got 's'"},
        {PRE "on init s -> *\n", "t.xsm:10: expected a state name, got '*'"},
        {PRE "on boot s -> s\n", "t.xsm:10: unknown request 'boot'"},
        {PRE "on\n", "t.xsm:10: expected a request at the end of the line"},
        {PRE "on init s -> s when\nend\n",
         "t.xsm:10: expected an expression at the end of the line"},
        {PRE "on init s -> s if x\nend\n", "t.xsm:10: unexpected 'if'"},
        {PRE "else\n", "t.xsm:10: 'else' without 'if'"},
        {PRE "end extra\n", "t.xsm:10: 'end' without a block"},
        {ON("init", "  if x\n  end x\n"), "t.xsm:12: unexpected 'x'"},
    };

    (void)state;
    EXPECT_ERRORS(r);
}

/* Declarations come before the first `state`. */
static void test_err_declaration_order(void **state)
{
    static const Refusal r[] = {
        {PRE "var y 0\n", "t.xsm:10: 'var' after the first 'state': declarations come first"},
        {PRE "on init s -> s\nend\nreg R io 0 1\n",
         "t.xsm:12: 'reg' after the first 'state': declarations come first"},
        {PRE "unhandled send\n",
         "t.xsm:10: 'unhandled' after the first 'state': declarations come first"},
        {PRE "param send len 1 2\n",
         "t.xsm:10: 'param' after the first 'state': declarations come first"},
        {PRE "device pci 1:2\n",
         "t.xsm:10: 'device' after the first 'state': declarations come first"},
        {PRE "window w port 1\n",
         "t.xsm:10: 'window' after the first 'state': declarations come first"},
        {PRE "buffer c 1\n", "t.xsm:10: 'buffer' after the first 'state': declarations come first"},
        {PRE "ring q 1 4\n", "t.xsm:10: 'ring' after the first 'state': declarations come first"},
    };

    (void)state;
    EXPECT_ERRORS(r);
}

/* ---- limits, at the bound and one past it ----------------------------- */

static void test_limit_nesting(void **state)
{
    Text t = {0};
    Spec *s;

    (void)state;
    text_puts(&t, PRE "on init s -> s\n");
    text_repeat(&t, "  if x\n", 16);
    text_puts(&t, "  set x 1\n");
    text_repeat(&t, "  end\n", 17);
    s = parse_ok(t.p);
    assert_int_equal(s->nactions, 17);
    spec_free(s);

    t.len = 0;
    text_puts(&t, PRE "on init s -> s\n");
    text_repeat(&t, "  repeat 2\n", 8);
    text_repeat(&t, "  if x\n", 8);
    text_puts(&t, "  repeat 3\n"); /* line 10 + 17 */
    expect_error(t.p, "t.xsm:27: blocks nested deeper than 16");
    free(t.p);
}

#define SET_X PRE "on init s -> s\n  set x "

/* 64 levels of parentheses, unary operators and addr( [ ) together */
static void test_limit_expression_depth(void **state)
{
    Text t = {0};
    Spec *s;

    (void)state;
    text_puts(&t, SET_X);
    text_repeat(&t, "(", 32);
    text_repeat(&t, "-", 31);
    text_puts(&t, "addr(bs[x])");
    text_repeat(&t, ")", 32);
    text_puts(&t, "\nend\n");
    s = parse_ok(t.p);
    spec_free(s);

    t.len = 0;
    text_puts(&t, SET_X);
    text_repeat(&t, "(", 65);
    text_puts(&t, "x");
    text_repeat(&t, ")", 65);
    text_puts(&t, "\nend\n");
    expect_error(t.p, "t.xsm:11: expression nested deeper than 64");

    t.len = 0;
    text_puts(&t, SET_X);
    text_repeat(&t, "~", 65);
    text_puts(&t, "x\nend\n");
    expect_error(t.p, "t.xsm:11: expression nested deeper than 64");
    free(t.p);
}

static void test_limit_strings_and_lines(void **state)
{
    Text t = {0};
    Spec *s;

    (void)state;
    /* a string of 1023 bytes, escapes counted once */
    text_puts(&t, PRE "on init s -> s\n  note \"");
    text_repeat(&t, "\\n", 1000);
    text_repeat(&t, "s", 23);
    text_puts(&t, "\"\nend\n");
    s = parse_ok(t.p);
    assert_int_equal(strlen(s->strings[0]), 1023);
    assert_int_equal(s->strings[0][0], '\n');
    spec_free(s);

    t.len = 0;
    text_puts(&t, PRE "on init s -> s\n  note \"");
    text_repeat(&t, "s", 1024);
    text_puts(&t, "\"\nend\n");
    expect_error(t.p, "t.xsm:11: string longer than 1023 bytes");

    /* lines of 4095 bytes (a '\r' before the '\n' not counted) */
    t.len = 0;
    text_puts(&t, "xdrv-spec 1\n#");
    text_repeat(&t, "x", 4094);
    text_puts(&t, "\r\n#");
    text_repeat(&t, "x", 4094);
    s = parse_ok(t.p);
    spec_free(s);
    text_puts(&t, "x\n");
    expect_error(t.p, "t.xsm:3: line longer than 4095 bytes");
    free(t.p);
}

/* Thousands of names (the name table grows), each found again. */
static void test_many_names(void **state)
{
    Text t = {0};
    char line[128];
    Spec *s;

    (void)state;
    text_puts(&t, "xdrv-spec 1\nwindow w mmio 0x100000\n");
    for (int i = 0; i < 3000; i++) {
        snprintf(line, sizeof line, "var v%d %d\nreg r%d w %d 4\nbuffer b%d 4\n", i, i, i, i * 4,
                 i);
        text_puts(&t, line);
    }
    for (int i = 0; i < 1000; i++) {
        snprintf(line, sizeof line, "state s%d\n", i);
        text_puts(&t, line);
    }
    for (int i = 0; i < 3000; i++) {
        snprintf(line, sizeof line, "on timer s%d -> s%d\n  write r%d v%d + size(b%d)\nend\n",
                 i % 1000, (i + 1) % 1000, i, 2999 - i, i);
        text_puts(&t, line);
    }
    s = parse_ok(t.p);
    assert_int_equal(s->nvars, 3000);
    for (uint32_t i = 0; i < 3000; i++) {
        const SpecAction *a = child(s, s->transitions[i].body, 0);
        const SpecExpr *sum = &s->exprs[a->value];

        assert_int_equal(s->transitions[i].from, i % 1000);
        assert_int_equal(a->reg, i);
        assert_int_equal(s->exprs[sum->a].a, 2999 - i);
        assert_int_equal(s->exprs[sum->b].a, i);
    }
    spec_free(s);
    text_puts(&t, "state v1234\n");
    expect_error(t.p, "t.xsm:19003: 'v1234' already declared on line 3705");
    free(t.p);
}

static void test_limit_text_size(void **state)
{
    Text t = {0};
    Spec *s;

    (void)state;
    text_puts(&t, "xdrv-spec 1\n");
    while (t.len + 64 <= (4u << 20))
        text_puts(&t, "# ------------------------------------------------------------\n");
    text_repeat(&t, "\n", (4u << 20) - t.len);
    assert_int_equal(t.len, 4u << 20);
    s = spec_parse(t.p, t.len, "t.xsm", NULL, 0);
    assert_non_null(s);
    spec_free(s);
    text_puts(&t, "\n");
    expect_error_len(t.p, t.len, "t.xsm:1: text longer than 4194304 bytes");
    free(t.p);
}

static void test_limit_actions(void **state)
{
    Text t = {0};
    Spec *s;

    (void)state;
    text_puts(&t, PRE "on init s -> s\n");
    text_repeat(&t, "  set x 0\n", 1u << 16);
    text_puts(&t, "end\n");
    s = parse_ok(t.p);
    assert_int_equal(s->nactions, 1u << 16);
    assert_int_equal(s->transitions[0].body.count, 1u << 16);
    spec_free(s);
    t.len -= strlen("end\n");
    text_puts(&t, "  note \"one more\"\nend\n");
    expect_error(t.p, "t.xsm:65547: more than 65536 actions");
    free(t.p);
}

static void test_limit_expressions(void **state)
{
    Text t = {0}, line = {0};
    Spec *s;

    (void)state;
    /* 65 lines of 4001 nodes and one of 2079: 262144 */
    text_puts(&line, "  set x 0");
    text_repeat(&line, "+0", 2000);
    text_puts(&line, "\n");
    text_puts(&t, PRE "on init s -> s\n");
    text_repeat(&t, line.p, 65);
    line.len = 0;
    text_puts(&line, "  set x 0");
    text_repeat(&line, "+0", 1039);
    text_puts(&line, "\n");
    text_puts(&t, line.p);
    text_puts(&t, "end\n");
    s = parse_ok(t.p);
    assert_int_equal(s->nexprs, 1u << 18);
    spec_free(s);
    t.len -= strlen("end\n");
    text_puts(&t, "  set x 1\nend\n");
    expect_error(t.p, "t.xsm:77: more than 262144 expression nodes");
    free(t.p);
    free(line.p);
}

/* ---- the error contract and the C interface ---------------------------- */

static void test_error_buffer(void **state)
{
    char small[12];
    Spec *s;

    (void)state;
    /* truncated, still terminated; no buffer at all */
    s = spec_parse("xdrv-spec 9\n", 12, "file.xsm", small, sizeof small);
    assert_null(s);
    assert_string_equal(small, "file.xsm:1:");
    assert_null(spec_parse("xdrv-spec 9\n", 12, "file.xsm", NULL, 0));
    /* not NUL-terminated: only len bytes are read */
    s = parse_ok("xdrv-spec 1\nvar x 1");
    assert_int_equal(s->vars[0].init, 1);
    spec_free(s);
    s = spec_parse("xdrv-spec 1\nvar x 12345", 19, "t.xsm", NULL, 0);
    assert_non_null(s);
    assert_int_equal(s->vars[0].init, 1);
    spec_free(s);
}

static void test_load_missing(void **state)
{
    char err[ERR_MAX];

    (void)state;
    assert_null(spec_load("/nonexistent/xdrv/spec.xsm", err, sizeof err));
    assert_string_equal(err, "/nonexistent/xdrv/spec.xsm: cannot open: No such file or directory");
    assert_null(spec_load("tests", err, sizeof err));
    assert_string_equal(err, "tests: cannot read: Is a directory");
}

/* A file larger than one read: the whole text, and the 4 MiB limit. */
static void test_load_large(void **state)
{
    char path[] = "/tmp/test_spec_XXXXXX", err[ERR_MAX], want[ERR_MAX];
    int fd = mkstemp(path);
    FILE *f;
    Spec *s;

    (void)state;
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("xdrv-spec 1\n", f);
    for (int i = 0; i < 20000; i++)
        fputs("# a comment line of some length\n", f);
    fputs("state last\n", f);
    fflush(f);
    s = spec_load(path, err, sizeof err);
    if (!s)
        fail_msg("spec_load: %s", err);
    assert_int_equal(s->states[0].line, 20002);
    spec_free(s);
    for (int i = 0; i < 120000; i++)
        fputs("# a comment line of some length\n", f);
    fclose(f);
    assert_null(spec_load(path, err, sizeof err));
    snprintf(want, sizeof want, "%s:1: text longer than 4194304 bytes", path);
    assert_string_equal(err, want);
    remove(path);
}

static void test_load_error_names_the_file(void **state)
{
    char path[] = "/tmp/test_spec_XXXXXX", err[ERR_MAX], want[ERR_MAX];
    int fd = mkstemp(path);
    FILE *f;

    (void)state;
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("xdrv-spec 1\n\nvar x 0 wrap\n", f);
    fclose(f);
    assert_null(spec_load(path, err, sizeof err));
    snprintf(want, sizeof want, "%s:3: wrap: expected a number at the end of the line", path);
    assert_string_equal(err, want);
    remove(path);
}

static void test_names(void **state)
{
    static const char *const reqs[SPEC_REQ_COUNT] = {
        "init",      "halt",        "reset", "send",      "set-filter",
        "multicast", "query-stats", "link",  "interrupt", "timer",
    };

    (void)state;
    for (int r = 0; r < SPEC_REQ_COUNT; r++)
        assert_string_equal(spec_request_name((SpecRequest)r), reqs[r]);
    assert_null(spec_request_name(SPEC_REQ_COUNT));
    assert_string_equal(spec_param_name(SPEC_PARAM_LEN), "len");
    assert_string_equal(spec_param_name(SPEC_PARAM_FILTER), "filter");
    assert_string_equal(spec_param_name(SPEC_PARAM_COUNT), "count");
    assert_string_equal(spec_param_name(SPEC_PARAM_UP), "up");
    assert_null(spec_param_name(SPEC_PARAM_COUNT_));
    assert_int_equal(spec_param_of(SPEC_REQ_SEND, "len"), SPEC_PARAM_LEN);
    assert_int_equal(spec_param_of(SPEC_REQ_SET_FILTER, "filter"), SPEC_PARAM_FILTER);
    assert_int_equal(spec_param_of(SPEC_REQ_MULTICAST, "count"), SPEC_PARAM_COUNT);
    assert_int_equal(spec_param_of(SPEC_REQ_LINK, "up"), SPEC_PARAM_UP);
    assert_int_equal(spec_param_of(SPEC_REQ_INIT, "len"), SPEC_PARAM_COUNT_);
    assert_int_equal(spec_param_of(SPEC_REQ_SEND, "filter"), SPEC_PARAM_COUNT_);
    assert_int_equal(spec_param_of(SPEC_REQ_SEND, NULL), SPEC_PARAM_COUNT_);
    spec_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_example_golden),
        cmocka_unit_test(test_example_declarations),
        cmocka_unit_test(test_example_transitions),
        cmocka_unit_test(test_example_init),
        cmocka_unit_test(test_example_send),
        cmocka_unit_test(test_example_interrupt),
        cmocka_unit_test(test_example_others),
        cmocka_unit_test(test_expr_precedence),
        cmocka_unit_test(test_expr_primaries),
        cmocka_unit_test(test_expr_params),
        cmocka_unit_test(test_expr_params_and_other_names),
        cmocka_unit_test(test_expr_greedy),
        cmocka_unit_test(test_lexical_accepted),
        cmocka_unit_test(test_err_version),
        cmocka_unit_test(test_err_lexical),
        cmocka_unit_test(test_err_numbers),
        cmocka_unit_test(test_err_names),
        cmocka_unit_test(test_err_quote_length),
        cmocka_unit_test(test_err_name_length),
        cmocka_unit_test(test_err_params),
        cmocka_unit_test(test_err_registers),
        cmocka_unit_test(test_err_buffers),
        cmocka_unit_test(test_err_actions),
        cmocka_unit_test(test_err_blocks),
        cmocka_unit_test(test_err_declaration_order),
        cmocka_unit_test(test_limit_nesting),
        cmocka_unit_test(test_limit_expression_depth),
        cmocka_unit_test(test_limit_strings_and_lines),
        cmocka_unit_test(test_many_names),
        cmocka_unit_test(test_limit_text_size),
        cmocka_unit_test(test_limit_actions),
        cmocka_unit_test(test_limit_expressions),
        cmocka_unit_test(test_error_buffer),
        cmocka_unit_test(test_load_missing),
        cmocka_unit_test(test_load_large),
        cmocka_unit_test(test_load_error_names_the_file),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests_name("spec", tests, NULL, NULL);
}
