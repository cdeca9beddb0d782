/* `xdrv extract`, part two: transitions from the request instances the
 * collector filed (docs/extract.md). Per request kind, the instances are
 * walked side by side:
 * - while every instance does the same next thing (the same register, the
 *   same buffer), that becomes one action, its value generalised across
 *   the instances: a constant, a value read earlier in the request, the
 *   request's parameter, a buffer's address, a state variable;
 * - where instances part, the paths become `if` branches, guarded by a bit
 *   of a value read earlier (or the parameter) that tells them apart;
 * - the same access to registers of one array (equal width, evenly spaced)
 *   is one array access indexed by a counter of requests;
 * - reads at a poll site become bounded polls, and a unit of actions that
 *   repeats once per received frame becomes a bounded `repeat`.
 * What cannot be generalised becomes `fallback` (replay hands the device to
 * the driver there) with a note, never a guess. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/extract_impl.h"
#include "replay/spec.h"

#define MAX_SLOTS 96
#define MAX_FAMILIES 16
#define MAX_GUARD_VALUES 8

typedef struct View {
    const XOp *ops;
    size_t n;
    const XInst *in;
} View;

/* What a variable held in each view (valid where ok). key: register view,
 * or SLOT_RX for the receive offset. */
#define SLOT_RX (-1)
/* the receive ring's round counter (rx_n), and a value loaded from a
 * descriptor field (load_key) */
#define SLOT_RXN (-2)
/* the link state the driver last reported (0 down, 1 up, 2 none since
 * init): state a driver keeps, for a guard no value read gives */
#define SLOT_LINK (-3)
#define LINK_NONE 2
/* a received frame's header fields (rx_port_model): its length, and
 * where the next frame's header is */
#define SLOT_RXLEN (-4)
#define SLOT_RXNEXT (-5)
typedef struct Slot {
    int key;
    char name[72];
    uint64_t stamp;
    uint32_t wrap; /* a counter modulo wrap (rx_n), 0 */
    uint32_t *v;
    uint8_t *ok;
} Slot;

typedef struct Scope {
    int rounds; /* the views are a loop's rounds */
    View *v;
    size_t nv;
    size_t *pos;
    Slot slot[MAX_SLOTS];
    unsigned nslots;
} Scope;

typedef struct Family {
    int win;
    int port;
    uint32_t base, stride, count;
    uint8_t width;
    char name[64];
} Family;

typedef struct RxModel {
    int ok;
    int region;
    uint32_t hdr, len_off, adj, align, wrap;
    int wrap_seen;
    unsigned skips;  /* frames the driver passed over (not handed on) */
    const char *why; /* why not, when !ok */
} RxModel;

typedef struct Window {
    int port;
    uint32_t base, size;
} Window;

/* Frames read through a data register (extract.c pio_frame): each a
 * header, then the frame, from the device's own memory; a byte of the
 * header says where the next frame's header is (a DP8390's next page
 * pointer), so the spec keeps that place in `rxpos` (rx_port_model). */
typedef struct RxPort {
    int ok;
    const char *why;
    uint32_t hdr, len_off, adj, next_off;
    uint32_t init;             /* rxpos after init: where the first frame's header is */
    uint32_t next_lo, next_hi; /* the places headers gave for the next frame */
    uint32_t frame_max;        /* bytes of frame buffer the reads used */
    int used;
    int big; /* a count is taken modulo 64 KiB: the buffer holds that much more */
    /* in the branch being generated (gen_branch): an action took the
     * frame's place from a constant (K - (rxpos << 8)); a branch inside
     * it was kept to its frames' places already */
    int from_place, guarded;
    /* the highest place such a count stays a count at (K >> 8 for
     * K - (rxpos << 8)), UINT32_MAX none */
    uint32_t place_max;
    /* the least length a count taken from it (rxlen - C) needs, 0 none;
     * the least the enclosing guards let through (rxlen > T: T + 1) */
    uint32_t len_need, len_floor;
} RxPort;

/* A loop over frames read through a data register: rounds of varying
 * shape (XO_LOOP with pio set; unit: its index in Gen.pl). */
typedef struct PioLoop {
    const XOp *raw; /* the instance's ops (the rounds lie in them) */
    size_t start;   /* the first round's first op */
    uint32_t rounds;
    uint32_t *bound; /* round r spans [start + bound[r], start + bound[r + 1]) */
} PioLoop;

typedef struct Gen {
    const Analysis *a;
    Extract *x;
    FILE *o;
    XKind kind;
    char **regname;
    size_t nregs;
    Window win[16];
    unsigned nwin;
    Family fam[MAX_FAMILIES];
    unsigned nfam;
    unsigned rot[XK_COUNT]; /* the counter of requests of a kind: its wrap, 0 none */
    int rx_used;
    RxModel rx;
    uint64_t stamp;
    int var_used[1024]; /* register views read into a variable */
    int *member;        /* per register view: its address array, -1 */
    uint8_t *bad;       /* per register view: cannot be declared (bad_regs) */
    Family addr_arr[MAX_FAMILIES];
    unsigned naddr_arr;
    unsigned nfallbacks, nnotes;
    unsigned misfit; /* requests the last value_expr left unexplained */
    uint8_t *track;  /* per register view: its last written value is kept in w_<name> */
    int pass;
    long want_reg;       /* value_expr: the register written (for its last value), -1 */
    char copy_expr[128]; /* the last copy's offset expression, its buffer */
    int copy_region;
    uint32_t pad_to; /* short frames are zero-padded to this length (var pad), 0 */
    /* a driver that hands the device the OS's frame (zero-copy): the spec
     * copies it into tx_frame[send_n] first; its copies, 0 unused */
    unsigned tx_frame_n;
    int frame_copy; /* value_expr asked for that copy before the action */
    int addr_like;  /* value_expr refused a value that is an address (or half) */
    /* a receive ring (ring_rx): its piece, -1 none; the buffer array whose
     * i-th buffer the driver's init gave descriptor i, -1; the request
     * kind that walks it */
    int rxp, rx_group;
    XKind rx_kind;
    int rxn_used, rxlen_used;
    RxPort prx;
    PioLoop *pl;
    size_t npl;
    /* the last capped count on rxlen: capped where rxlen > c */
    struct {
        int ok;
        uint32_t c;
    } cnt_cap;
    int in_prx_split; /* generating a branch of a guard on a received frame */
    /* emit_same's answer 2: the views (ids positions) to leave out here,
     * a few whose descriptor index their counter does not give */
    size_t offview[4096];
    unsigned noffview;
    /* writes that assemble bytes read earlier (byte_runs): their values,
     * and the variables the reads they take bytes from keep */
    char (*asmx)[2048]; /* ASM_MAX of them */
    unsigned nasm;
    char occ_var[64][88];
    unsigned nocc;
    int link_used;  /* a guard on linkrep: the spec keeps it at every report */
    int txp;        /* the transmit ring's piece, -1 */
    uint8_t *index_view; /* per register view: the one declared as an index register */
    int restarts;   /* some request other than init restarts a ring (XInst.restart) */
    int rxn_known;  /* rx_n was used in the pass before */
    unsigned rot_prev[XK_COUNT]; /* the counters of the pass before */
    int any_link;   /* the traces hold link reports */
    struct {
        int region;
        uint32_t off, len;
        uint8_t bytes[16];
    } prom[8]; /* blocks given bytes read from the device (prom_bytes) */
    unsigned nprom;
    int ldkey[64]; /* descriptor fields loaded into variables */
    char ldname[64][72];
    unsigned nld;
} Gen;

static int reg_win(const Gen *g, const AnRegInfo *r)
{
    for (unsigned i = 0; i < g->nwin; i++)
        if (g->win[i].port == r->port && g->win[i].base == r->window)
            return (int)i;
    return -1;
}

/* ------------------------------------------------------------- helpers */

/* A header read through a data register (extract.c pio_frame). */
static int is_header(const XOp *o)
{
    return o->kind == XO_INS && o->pio == XPIO_HEADER;
}

/* A frame read through a data register, handed to the OS. */
static int is_pio_deliver(const XOp *o)
{
    return o->kind == XO_DELIVER && o->pio;
}

static uint32_t le16_at(const uint8_t *b, uint32_t off)
{
    return b[off] | (uint32_t)b[off + 1] << 8;
}

static void indent(Gen *g, int depth)
{
    for (int i = 0; i < depth; i++)
        fputs("  ", g->o);
}

/* Text from a trace (names, paths) as printable ASCII: a spec is UTF-8
 * text, and a trace may hold any bytes. */
static const char *clean(const char *in, char *out, size_t len)
{
    size_t k = 0;
    for (; in && *in && k + 1 < len; in++)
        out[k++] = (unsigned char)*in >= 0x20 && (unsigned char)*in < 0x7f ? *in : '?';
    out[k] = 0;
    return out;
}

static void quote(FILE *o, const char *s)
{
    char buf[1024];
    s = clean(s, buf, sizeof buf);
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', o);
        fputc(*s, o);
    }
    fputc('"', o);
}

static void note(Gen *g, int depth, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(Gen *g, int depth, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    indent(g, depth);
    fputs("note ", g->o);
    quote(g->o, buf);
    fputc('\n', g->o);
    g->nnotes++;
}

static void misfit_note(Gen *g, int depth, size_t n)
{
    if (g->misfit)
        note(g, depth, "%u of %zu requests wrote other bits here: not generalised", g->misfit, n);
    g->misfit = 0;
}

static void fallback(Gen *g, int depth, const char *why)
{
    indent(g, depth);
    fputs("fallback ", g->o);
    quote(g->o, why);
    fputc('\n', g->o);
    g->nfallbacks++;
}

static const XOp *cur(const Scope *s, size_t i)
{
    return s->pos[i] < s->v[i].n ? &s->v[i].ops[s->pos[i]] : NULL;
}

static int same_key(const Gen *g, const XOp *a, const XOp *b)
{
    if (!a || !b)
        return !a && !b;
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case XO_READ:
    case XO_WRITE:
    case XO_POLL:
    case XO_OUTS:
        return a->reg == b->reg;
    case XO_INS: /* the frame's first run, a later one, the header */
        return a->reg == b->reg && a->pio == b->pio && !a->off == !b->off;
    case XO_STORE: /* a ring's descriptor varies; a plain buffer's place does not */
        return a->reg == b->reg && a->size == b->size &&
               (a->reg < 0 || g->x->regions[a->reg].ring || a->off == b->off);
    case XO_LOAD: { /* one field of a ring's descriptors */
        if (a->reg != b->reg || a->size != b->size)
            return 0;
        uint32_t d = a->reg >= 0 && g->x->regions[a->reg].ring ? g->x->regions[a->reg].ring_desc : 0;
        return d ? a->off % d == b->off % d : a->off == b->off;
    }
    case XO_DELIVER: /* from a receive descriptor's buffer: whichever */
        if (a->held || b->held)
            return a->held == b->held;
        return a->reg == b->reg;
    case XO_COPY:
    case XO_BLOB:
        return a->reg == b->reg;
    case XO_LOOP:
        if (a->pio || b->pio) /* rounds of frames read through a data register */
            return a->pio == b->pio;
        if (a->unit != b->unit)
            return 0;
        for (uint32_t k = 0; k < a->unit; k++)
            if (!same_key(g, &a->sub[k], &b->sub[k]))
                return 0;
        return 1;
    default:
        return 1;
    }
}

static Slot *slot_get(Scope *s, int key)
{
    for (unsigned i = 0; i < s->nslots; i++)
        if (s->slot[i].key == key)
            return &s->slot[i];
    return NULL;
}

static Slot *slot_make(Gen *g, Scope *s, int key, const char *name)
{
    Slot *sl = slot_get(s, key);
    if (!sl) {
        if (s->nslots >= MAX_SLOTS)
            return NULL;
        sl = &s->slot[s->nslots++];
        memset(sl, 0, sizeof *sl);
        sl->key = key;
        sl->v = calloc(s->nv ? s->nv : 1, sizeof *sl->v);
        sl->ok = calloc(s->nv ? s->nv : 1, 1);
        if (!sl->v || !sl->ok)
            return NULL;
    }
    snprintf(sl->name, sizeof sl->name, "%s", name);
    sl->stamp = ++g->stamp;
    return sl;
}

/* A variable holding, in each view, the value its current op read or
 * loaded (slot_make, filled). */
static Slot *slot_from_ops(Gen *g, Scope *s, const size_t *ids, size_t n, int key,
                           const char *name)
{
    Slot *sl = slot_make(g, s, key, name);
    if (sl)
        for (size_t k = 0; k < n; k++) {
            sl->v[ids[k]] = cur(s, ids[k])->value;
            sl->ok[ids[k]] = 1;
        }
    return sl;
}

static void scope_free(Scope *s)
{
    for (unsigned i = 0; i < s->nslots; i++) {
        free(s->slot[i].v);
        free(s->slot[i].ok);
    }
    free(s->pos);
}

static int slot_all_ok(const Slot *sl, const size_t *ids, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!sl->ok[ids[k]])
            return 0;
    return 1;
}

static const char *reg_ref(Gen *g, int reg, char *buf, size_t len)
{
    snprintf(buf, len, "%s", (size_t)reg < g->nregs ? g->regname[reg] : "?");
    return buf;
}

static uint32_t width_mask(unsigned w)
{
    return w >= 4 ? 0xffffffffu : (1u << (8 * w)) - 1;
}

/* --------------------------------------------------- value generalisation */

/* The request's counter of kind k at an instance: what a `k_n` variable
 * (wrap N) holds while that instance runs. */
static uint32_t counter_at(const XInst *in, XKind k, uint32_t n)
{
    return n ? in->cnt[k] % n : 0;
}

static const char *counter_name(XKind k, char *buf, size_t len)
{
    snprintf(buf, len, "%s_n", xk_request[k]);
    for (char *p = buf; *p; p++)
        if (*p == '-')
            *p = '_';
    return buf;
}

/* An index (per view, ks) as a counter of requests: the own kind's (the
 * variable is created with wrap n), or another kind's already made, or
 * that one less (the request before). Writes the expression; 0 or -1. */
static int index_expr(Gen *g, const Scope *s, const size_t *ids, size_t n, const uint32_t *ks,
                      uint32_t count, char *out, size_t len)
{
    char nm[48];
    /* the receive ring's round counter (inside and after its loop) */
    const Slot *rs = slot_get((Scope *)s, SLOT_RXN);
    if (rs && rs->wrap == count && slot_all_ok(rs, ids, n)) {
        size_t k;
        for (k = 0; k < n && ks[k] == rs->v[ids[k]]; k++)
            ;
        if (k == n) {
            snprintf(out, len, "%s", rs->name);
            g->rxn_used = 1; /* declared then, wherever the loop went */
            return 0;
        }
    }
    /* the own kind's counter */
    if (!g->rot[g->kind] || g->rot[g->kind] == count) {
        size_t k;
        for (k = 0; k < n && ks[k] == counter_at(s->v[ids[k]].in, g->kind, count); k++)
            ;
        if (k == n) {
            g->rot[g->kind] = count;
            snprintf(out, len, "%s", counter_name(g->kind, nm, sizeof nm));
            return 0;
        }
    }
    for (unsigned kk = 0; kk < XK_COUNT; kk++) {
        if (kk == g->kind || g->rot[kk] != count)
            continue;
        for (int back = 0; back <= 1; back++) {
            size_t k;
            for (k = 0; k < n; k++) {
                uint32_t c = s->v[ids[k]].in->cnt[kk];
                if (ks[k] != (c + count - (uint32_t)back) % count)
                    break;
            }
            if (k == n) {
                counter_name((XKind)kk, nm, sizeof nm);
                if (back)
                    snprintf(out, len, "(%s + %u) %% %u", nm, count - 1, count);
                else
                    snprintf(out, len, "%s", nm);
                return 0;
            }
        }
    }
    return -1;
}

/* Offsets (per view) into one buffer: a constant, or a + s * a counter. */
static int offset_expr(Gen *g, const Scope *s, const size_t *ids, size_t n, const uint32_t *offs,
                       char *out, size_t len)
{
    size_t k;
    for (k = 1; k < n && offs[k] == offs[0]; k++)
        ;
    if (k == n) {
        snprintf(out, len, "0x%x", offs[0]);
        return 0;
    }
    /* the smallest count N whose counter explains them with one stride */
    uint32_t ks[4096];
    if (n > sizeof ks / sizeof ks[0])
        return -1;
    for (uint32_t cnt = 2; cnt <= 64; cnt++) {
        if (g->rot[g->kind] && g->rot[g->kind] != cnt)
            continue;
        uint32_t a = UINT32_MAX, stride = 0;
        int bad = 0;
        for (k = 0; k < n && !bad; k++) {
            uint32_t c = counter_at(s->v[ids[k]].in, g->kind, cnt);
            ks[k] = c;
            if (c == 0) {
                if (a != UINT32_MAX && a != offs[k])
                    bad = 1;
                a = offs[k];
            }
        }
        if (bad || a == UINT32_MAX)
            continue;
        for (k = 0; k < n && !bad; k++) {
            if (!ks[k])
                continue;
            if (offs[k] <= a || (offs[k] - a) % ks[k]) {
                bad = 1;
                break;
            }
            uint32_t st = (offs[k] - a) / ks[k];
            if (stride && st != stride)
                bad = 1;
            stride = st;
        }
        if (bad || !stride)
            continue;
        char nm[48];
        g->rot[g->kind] = cnt;
        snprintf(out, len, "0x%x + 0x%x * %s", a, stride, counter_name(g->kind, nm, sizeof nm));
        return 0;
    }
    return -1;
}

static const char *var_name(const char *reg, char *var, size_t len);

/* The value the last write to register `reg` before instance `in` (in
 * its trace) wrote: 0, or -1 when there was none. */
static int prev_write(const Gen *g, const XInst *in, int reg, uint32_t *out)
{
    for (size_t i = (size_t)(in - g->x->inst); i-- > 0;) {
        const XInst *p = &g->x->inst[i];
        if (p->trace != in->trace)
            return -1;
        for (size_t j = p->nraw; j-- > 0;)
            if (p->raw[j].kind == XO_WRITE && p->raw[j].reg == reg) {
                *out = p->raw[j].value;
                return 0;
            }
    }
    return -1;
}

typedef struct ValIn {
    uint32_t v;
    int region; /* the value is an address in this region, -1 */
    uint32_t off;
    int half; /* the value is one 16-bit half of an address (XOp.addr_half) */
} ValIn;

/* F = min(S + a, T) rounded up to R (T 0: no cap), for a slot's value S. */
static uint32_t count_of(uint32_t S, int32_t a, uint32_t T, uint32_t R)
{
    uint32_t x = S + (uint32_t)a;
    if (T && x > T)
        x = T;
    return (x + R - 1) & ~(R - 1);
}

static void count_expr(const char *name, int32_t a, uint32_t T, uint32_t R, uint32_t m, int mask,
                       char *out, size_t len)
{
    char f[192], r[224];
    /* min(S + a, T) as T - (T - a - S) * (S < T - a): no step of it
     * goes below 0 where verify follows it */
    if (T)
        snprintf(f, sizeof f, "0x%x - (0x%x - %s) * (%s < 0x%x)", T, (uint32_t)(T - (uint32_t)a),
                 name, name, (uint32_t)(T - (uint32_t)a));
    else if (a < 0)
        snprintf(f, sizeof f, "%s - 0x%x", name, (uint32_t)-a);
    else if (a > 0)
        snprintf(f, sizeof f, "%s + 0x%x", name, (uint32_t)a);
    else
        snprintf(f, sizeof f, "%s", name);
    if (R > 1)
        snprintf(r, sizeof r, "((%s) + 0x%x) & 0x%x", f, R - 1, ~(R - 1));
    else
        snprintf(r, sizeof r, "%s", f);
    if (mask)
        snprintf(out, len, "(%s) & 0x%x", r, m);
    else
        snprintf(out, len, "%s", r);
}

/* A count the driver derives from a value it read (a frame's length from
 * its header: the bytes to read of it, the lookahead capped): F = min(S +
 * a, T) rounded up to R, the register gets F & m (a count written a byte
 * at a time is fitted whole: pair_write). 0, or -1. */
static int slot_count(Gen *g, Scope *s, const size_t *ids, size_t n, const ValIn *vi, uint32_t m,
                      char *out, size_t len)
{
    if (n < 2)
        return -1;
    for (unsigned i = 0; i < s->nslots; i++) {
        Slot *sl = &s->slot[i];
        if (sl->key != SLOT_RXLEN || !slot_all_ok(sl, ids, n))
            continue;
        size_t lo = 0, hi = 0;
        for (size_t k = 1; k < n; k++) {
            if (sl->v[ids[k]] < sl->v[ids[lo]])
                lo = k;
            if (sl->v[ids[k]] > sl->v[ids[hi]])
                hi = k;
        }
        static const uint32_t rounds[] = {1, 2, 4};
        uint32_t step = m < 0xffff ? m + 1 : 0;
        for (int j = 0; j <= 16; j++) {
            int jj = (j & 1) ? -(j + 1) / 2 : j / 2; /* 0, -1, 1, -2, 2 ... */
            if (!step && jj)
                break;
            for (unsigned ri = 0; ri < 3; ri++) {
                uint32_t R = rounds[ri];
                for (uint32_t rr = 0; rr < R; rr++) {
                    int32_t a = (int32_t)((vi[lo].v & m) - sl->v[ids[lo]]) + jj * (int32_t)step -
                                (int32_t)rr;
                    if (a < -4096 || a > 4096)
                        continue;
                    /* no cap, or the largest view's value as one */
                    for (int c = 0; c <= 16; c++) {
                        uint32_t T = 0;
                        if (c) {
                            T = (vi[hi].v & m) + (uint32_t)(c - 1) * step;
                            if ((c > 1 && !step) || T == 0 || T > 0xffff)
                                break;
                        }
                        size_t k, capped = 0;
                        for (k = 0; k < n; k++) {
                            if ((count_of(sl->v[ids[k]], a, T, R) & m) != (vi[k].v & m))
                                break;
                            capped += T && sl->v[ids[k]] + (uint32_t)a > T;
                        }
                        /* a cap: seen reached, and seen not reached, twice */
                        if (k < n || (T && (capped < 2 || n - capped < 2)))
                            continue;
                        count_expr(sl->name, a, T, R, m, 0xffffu > m, out, len);
                        /* rxlen - C: a count only from C on (gen_branch) */
                        if (!T && a < 0 && (uint32_t)-a > g->prx.len_need)
                            g->prx.len_need = (uint32_t)-a;
                        if (T) {
                            g->cnt_cap.ok = 1;
                            g->cnt_cap.c = T - (uint32_t)a;
                        }
                        return 0;
                    }
                }
            }
        }
    }
    return -1;
}

/* v = K - (S << sh), or v = A + (S << sh) + c, for S where the frame is
 * (rxpos) and A its length (rxlen), sh 0 or 8 (its place in pages). */
static int prx_linear(Gen *g, Scope *s, const size_t *ids, size_t n, const ValIn *vi, uint32_t m,
                      char *out, size_t len)
{
    Slot *ps = slot_get(s, SLOT_RX), *ln = slot_get(s, SLOT_RXLEN);
    if (!ps || !slot_all_ok(ps, ids, n))
        return -1;
    for (unsigned sh = 0; sh <= 8; sh += 8) {
        uint32_t K = (vi[0].v + (ps->v[ids[0]] << sh)) & m;
        size_t k;
        for (k = 0; k < n; k++)
            if (((K - (ps->v[ids[k]] << sh)) & m) != (vi[k].v & m))
                break;
        if (k == n) {
            g->prx.from_place |= sh != 0;
            if (sh && (K >> sh) < g->prx.place_max)
                g->prx.place_max = K >> sh;
            if (sh)
                snprintf(out, len, "0x%x - (rxpos << %u)", K, sh);
            else
                snprintf(out, len, "0x%x - rxpos", K);
            return 0;
        }
        if (!ln || !slot_all_ok(ln, ids, n))
            continue;
        /* (rounded up to R: the driver reads a word-wide port) */
        for (uint32_t R = 1; R <= 2; R++)
            for (uint32_t rr = 0; rr < R; rr++) {
                uint32_t c = (vi[0].v - ln->v[ids[0]] - (ps->v[ids[0]] << sh) - rr) & m;
                for (k = 0; k < n; k++) {
                    uint32_t x = ln->v[ids[k]] + (ps->v[ids[k]] << sh) + c;
                    if ((((x + R - 1) & ~(R - 1)) & m) != (vi[k].v & m))
                        break;
                }
                if (k < n)
                    continue;
                uint32_t neg = (0u - c) & m;
                char f[96];
                if (neg <= c)
                    snprintf(f, sizeof f, "rxlen + (rxpos << %u) - 0x%x", sh, neg);
                else
                    snprintf(f, sizeof f, "rxlen + (rxpos << %u) + 0x%x", sh, c);
                if (R > 1)
                    snprintf(out, len, "((%s + 0x%x) & 0x%x) & 0x%x", f, R - 1, ~(R - 1), m);
                else
                    snprintf(out, len, "(%s) & 0x%x", f, m);
                return 0;
            }
    }
    return -1;
}

/* name + add modulo the width's mask m, written as a subtraction when
 * add is more than half of it. */
static void add_expr(const char *name, uint32_t add, uint32_t m, char *out, size_t len)
{
    if (add > m / 2)
        snprintf(out, len, "%s - 0x%x", name, (m - add + 1) & m);
    else
        snprintf(out, len, "%s + 0x%x", name, add);
}

/* A value across the views as an expression: the first rule that explains
 * every view wins. width: bytes. 0, or -1 (not generalised). */
static int value_expr_rules(Gen *g, Scope *s, const size_t *ids, size_t n, const ValIn *vi,
                            unsigned width, char *out, size_t len)
{
    uint32_t m = width_mask(width);
    size_t k;
    /* the OS's frame itself: the spec never gives the device memory it did
     * not allocate, so the frame is copied into a buffer of its own, one per
     * send the counter tells apart (the device may still be reading the
     * last ones) */
    for (k = 0; k < n && vi[k].region == XFRAME_REGION && vi[k].off == 0; k++)
        ;
    if (k == n && width == 4) {
        unsigned cnt = g->rot[XK_SEND];
        if (g->kind != XK_SEND || !cnt)
            return -1;
        char nm[48];
        g->tx_frame_n = cnt;
        g->frame_copy = 1;
        snprintf(out, len, "addr(tx_frame[%s])", counter_name(XK_SEND, nm, sizeof nm));
        return 0;
    }
    for (k = 0; k < n && vi[k].region != XFRAME_REGION; k++)
        ;
    if (k < n)
        return -1; /* the frame's address in some views only */
    /* a half of an address in one buffer (the collector paired the two) */
    int half = vi[0].half;
    for (k = 0; k < n && vi[k].half == half; k++)
        ;
    if (k < n || half == XHALF_UNPAIRED)
        return -1;
    if (half) {
        ValIn whole[4096];
        if (n > sizeof whole / sizeof whole[0])
            return -1;
        for (k = 0; k < n; k++)
            whole[k] = (ValIn){0, vi[k].region, vi[k].off, 0};
        char a[192];
        if (value_expr_rules(g, s, ids, n, whole, 4, a, sizeof a) < 0 || strncmp(a, "addr(", 5))
            return -1;
        snprintf(out, len, half == XHALF_LOW ? "(%s) & 0xffff" : "(%s) >> 16", a);
        return 0;
    }
    /* an address in one buffer */
    for (k = 0; k < n && vi[k].region >= 0 && vi[k].region == vi[0].region; k++)
        ;
    if (k == n) {
        uint32_t offs[4096];
        if (n <= sizeof offs / sizeof offs[0]) {
            for (k = 0; k < n; k++)
                offs[k] = vi[k].off;
            char oe[128];
            if (!offset_expr(g, s, ids, n, offs, oe, sizeof oe)) {
                g->x->regions[vi[0].region].used = 1;
                if (!strcmp(oe, "0x0"))
                    snprintf(out, len, "addr(%s)", g->x->regions[vi[0].region].label);
                else
                    snprintf(out, len, "addr(%s) + %s", g->x->regions[vi[0].region].label, oe);
                return 0;
            }
        }
    }
    /* a constant */
    for (k = 1; k < n && (vi[k].v & m) == (vi[0].v & m); k++)
        ;
    if (k == n) {
        snprintf(out, len, "0x%x", vi[0].v & m);
        return 0;
    }
    /* where the frame before this one ends (a DP8390's BNRY, one place
     * behind the next frame): rxpos less one, round the ring the headers
     * showed (from its first place to its last) */
    if (g->prx.ok && s->rounds && g->prx.next_lo < g->prx.next_hi) {
        Slot *ps = slot_get(s, SLOT_RX);
        uint32_t lo = g->prx.next_lo, hi = g->prx.next_hi;
        size_t k = 0;
        if (ps && slot_all_ok(ps, ids, n))
            for (k = 0; k < n; k++) {
                uint32_t p = ps->v[ids[k]];
                if ((vi[k].v & m) != ((p == lo ? hi : p - 1) & m) || p < lo || p > hi)
                    break;
            }
        if (ps && k == n) {
            snprintf(out, len, "rxpos - 0x1 + 0x%x * (rxpos == 0x%x)", hi - lo + 1, lo);
            return 0;
        }
    }
    /* a variable (most recent first): as read, with bits set or cleared,
     * plus a constant, or one of its bits */
    for (;;) {
        Slot *best = NULL;
        for (unsigned i = 0; i < s->nslots; i++) {
            Slot *sl = &s->slot[i];
            if (sl->stamp && slot_all_ok(sl, ids, n) && (!best || sl->stamp > best->stamp))
                best = sl;
        }
        /* walk slots from most recent down */
        Slot *order[MAX_SLOTS];
        unsigned no = 0;
        for (unsigned i = 0; i < s->nslots; i++)
            if (s->slot[i].key != SLOT_LINK && slot_all_ok(&s->slot[i], ids, n))
                order[no++] = &s->slot[i];
        for (unsigned i = 1; i < no; i++)
            for (unsigned j = i; j > 0 && order[j]->stamp > order[j - 1]->stamp; j--) {
                Slot *t = order[j];
                order[j] = order[j - 1];
                order[j - 1] = t;
            }
        (void)best;
        for (unsigned i = 0; i < no; i++) {
            Slot *sl = order[i];
            uint32_t orb = (vi[0].v ^ sl->v[ids[0]]) & m;
            uint32_t add = (vi[0].v - sl->v[ids[0]]) & m;
            int eq = 1, or_ok = 1, add_ok = 1;
            uint32_t clear = 0;
            for (k = 0; k < n; k++) {
                uint32_t v = vi[k].v & m, r = sl->v[ids[k]] & m;
                eq &= v == r;
                or_ok &= v == (r | orb) && !(r & orb & ~v);
                add_ok &= v == ((r + add) & m);
                clear |= r & ~v;
            }
            int and_ok = 1;
            for (k = 0; k < n; k++)
                and_ok &= (vi[k].v & m) == (sl->v[ids[k]] & ~clear & m);
            if (eq) {
                snprintf(out, len, "%s", sl->name);
                return 0;
            }
            if (sl->wrap && (vi[0].v & m) < sl->wrap) {
                /* a counter plus a constant, modulo its wrap (an 8254x's
                 * RDT: the last descriptor taken, rx_n - 1) */
                uint32_t d = ((vi[0].v & m) + sl->wrap - sl->v[ids[0]] % sl->wrap) % sl->wrap;
                for (k = 0; k < n; k++)
                    if ((vi[k].v & m) != (sl->v[ids[k]] + d) % sl->wrap)
                        break;
                if (k == n) {
                    snprintf(out, len, "(%s + 0x%x) %% 0x%x", sl->name, d, sl->wrap);
                    return 0;
                }
                continue;
            }
            /* a place or a length: plus a constant before any bit rule */
            int place = sl->key == SLOT_RX || sl->key == SLOT_RXNEXT || sl->key == SLOT_RXLEN;
            if (add_ok && place) {
                add_expr(sl->name, add, m, out, len);
                /* rxlen - C: a count only from C on (gen_branch guards) */
                if (sl->key == SLOT_RXLEN && add > m / 2) {
                    uint32_t c = (m - add + 1) & m;
                    if (c > g->prx.len_need)
                        g->prx.len_need = c;
                }
                return 0;
            }
            if (and_ok && clear) {
                snprintf(out, len, "%s & 0x%x", sl->name, ~clear & m);
                return 0;
            }
            if (or_ok && orb && (orb & ~vi[0].v) == 0) {
                snprintf(out, len, "%s | 0x%x", sl->name, orb);
                return 0;
            }
            if (add_ok) {
                add_expr(sl->name, add, m, out, len);
                return 0;
            }
            for (unsigned b = 0; b < 32; b++) {
                int pos = 1, neg = 1;
                for (k = 0; k < n; k++) {
                    uint32_t bit = (sl->v[ids[k]] >> b) & 1;
                    pos &= vi[k].v == bit;
                    neg &= vi[k].v == !bit;
                }
                if (pos || neg) {
                    snprintf(out, len, pos ? "(%s >> %u) & 1" : "((%s >> %u) & 1) == 0", sl->name,
                             b);
                    return 0;
                }
            }
        }
        break;
    }
    /* the value this register was last written (by an earlier request):
     * a driver rewriting what it keeps (a multicast hash, a mode) */
    if (g->want_reg >= 0) {
        int all = 1;
        for (k = 0; k < n && all; k++) {
            uint32_t pv = 0;
            all =
                !prev_write(g, s->v[ids[k]].in, (int)g->want_reg, &pv) && (pv & m) == (vi[k].v & m);
            if (!all && getenv("XDRV_EXTRACT_DEBUG"))
                fprintf(stderr, "last-write: %s #%llu wrote %x, before %x\n",
                        g->regname[g->want_reg], (unsigned long long)s->v[ids[k]].in->first,
                        vi[k].v, pv);
        }
        if (all) {
            g->track[g->want_reg] = 1;
            char var[80];
            var_name(g->regname[g->want_reg], var, sizeof var);
            var[0] = 'w';
            snprintf(out, len, "%s", var);
            return 0;
        }
    }
    /* each bit that varies is set when the request's parameter has one of
     * some bits (a packet filter's bits mapped onto a mode register) */
    int have_p = 1;
    for (k = 0; k < n; k++)
        have_p &= s->v[ids[k]].in->has_param && s->v[ids[k]].in->kind == XK_FILTER;
    if (have_p && n > 1) {
        uint32_t vary = 0;
        for (k = 1; k < n; k++)
            vary |= (vi[k].v ^ vi[0].v) & m;
        char buf[512];
        int pos = snprintf(buf, sizeof buf, "0x%x", vi[0].v & ~vary & m);
        int ok = 1;
        for (unsigned b = 0; b < 32 && ok; b++) {
            if (!((vary >> b) & 1))
                continue;
            uint32_t in_or = 0, out_or = 0;
            for (k = 0; k < n; k++) {
                if ((vi[k].v >> b) & 1)
                    in_or |= s->v[ids[k]].in->param;
                else
                    out_or |= s->v[ids[k]].in->param;
            }
            uint32_t M = in_or & ~out_or;
            for (k = 0; k < n && ok; k++)
                ok = M && (((vi[k].v >> b) & 1) == ((s->v[ids[k]].in->param & M) != 0));
            uint32_t pick = 0;
            if (!ok) {
                /* or set when the parameter has none of them (a "discard
                 * broadcast" bit, set when the filter lacks broadcast):
                 * one of the bits if one alone does, else all that qualify */
                uint32_t N = out_or & ~in_or;
                for (unsigned c = 0; c < 33 && N && !pick; c++) {
                    uint32_t cand = c < 32 ? N & (1u << c) : N;
                    int fits = cand != 0;
                    for (k = 0; k < n && fits; k++)
                        fits = ((vi[k].v >> b) & 1) == ((s->v[ids[k]].in->param & cand) == 0);
                    if (fits)
                        pick = cand;
                }
                ok = pick != 0;
            }
            if (ok)
                pos += snprintf(buf + pos, sizeof buf - (size_t)pos, " | ((filter & 0x%x) %s 0) << %u",
                                pick ? pick : M, pick ? "==" : "!=", b);
            if (pos >= (int)sizeof buf)
                ok = 0;
        }
        if (ok && (size_t)pos < len) {
            memcpy(out, buf, (size_t)pos + 1);
            return 0;
        }
    }
    /* the send's length: a field of low bits follows len, the bits above
     * it stay; or max(len, T) when the driver pads short frames */
    int have_len = 1;
    for (k = 0; k < n; k++)
        have_len &= s->v[ids[k]].in->kind == XK_SEND && s->v[ids[k]].in->has_param;
    if (have_len) {
        /* the bits above the field: the most common value (a driver may
         * change them after a device event, e.g. a larger transmit
         * threshold after an underrun: those few stay a note) */
        for (unsigned w = 11; w <= 16; w++) {
            uint32_t fm = (1u << w) - 1, hi = 0;
            unsigned best = 0;
            for (k = 0; k < n && k < 64; k++) {
                unsigned c = 0;
                for (size_t j = 0; j < n; j++)
                    c += (vi[j].v & ~fm & m) == (vi[k].v & ~fm & m);
                if (c > best) {
                    best = c;
                    hi = vi[k].v & ~fm & m;
                }
            }
            if (best * 10 < n * 9)
                continue;
            size_t first;
            for (first = 0; first < n && (vi[first].v & ~fm & m) != hi; first++)
                ;
            uint32_t b = ((vi[first].v & fm) - s->v[ids[first]].in->param) & fm;
            unsigned fit = 0, fit_max = 0;
            uint32_t T = UINT32_MAX;
            for (k = 0; k < n; k++)
                if ((vi[k].v & ~fm & m) == hi && (vi[k].v & fm) < T)
                    T = vi[k].v & fm;
            for (k = 0; k < n; k++) {
                uint32_t L = s->v[ids[k]].in->param;
                int same_hi = (vi[k].v & ~fm & m) == hi;
                fit += same_hi && (vi[k].v & fm) == ((L + b) & fm);
                fit_max += same_hi && (vi[k].v & fm) == (L > T ? L : T);
            }
            if (fit * 10 >= n * 9 && fit >= fit_max) {
                g->misfit = (unsigned)(n - fit);
                if (b)
                    snprintf(out, len, "((len + 0x%x) & 0x%x) | 0x%x", b, fm, hi);
                else
                    snprintf(out, len, "len | 0x%x", hi);
                return 0;
            }
            if (fit_max * 10 >= n * 9) {
                g->misfit = (unsigned)(n - fit_max);
                snprintf(out, len, "(len + (0x%x - len) * (len < 0x%x)) | 0x%x", T, T, hi);
                return 0;
            }
            /* the length negated, two's complement in the field (a
             * PCnet's BCNT: -len in bits 11:0, ONES above) */
            unsigned neg = 0;
            for (k = 0; k < n; k++)
                neg += (vi[k].v & ~fm & m) == hi &&
                       (vi[k].v & fm) == ((0u - s->v[ids[k]].in->param) & fm);
            if (neg == n) {
                snprintf(out, len, "((0 - len) & 0x%x) | 0x%x", fm, hi);
                return 0;
            }
        }
        /* a count the driver derives from the length, held whole or a byte
         * (half) at a time by narrow registers: F = max(len, T) rounded up
         * to R, and the register gets (F >> S) & m (a DP8390's RBCR0/1 and
         * TBCR0/1, the bytes a data port moves). Every view must fit. */
        size_t lo = 0;
        for (k = 1; k < n; k++)
            if (s->v[ids[k]].in->param < s->v[ids[lo]].in->param)
                lo = k;
        static const uint32_t rounds[] = {1, 2, 4};
        for (unsigned sh = 0; sh < 32 && (sh == 0 || (m >> 1) < (0xffffu >> (sh - 1))); sh += 8) {
            for (unsigned ri = 0; ri < 3; ri++) {
                uint32_t R = rounds[ri];
                uint32_t Ts[2] = {0, sh == 0 ? vi[lo].v & m : 0};
                for (unsigned ti = 0; ti < 2; ti++) {
                    uint32_t T = Ts[ti];
                    if (ti && (T <= s->v[ids[lo]].in->param || T > 0xffff || T == Ts[0]))
                        continue;
                    for (k = 0; k < n; k++) {
                        uint32_t L = s->v[ids[k]].in->param;
                        uint32_t F = ((L > T ? L : T) + R - 1) & ~(R - 1);
                        if (((F >> sh) & m) != (vi[k].v & m))
                            break;
                    }
                    if (k < n)
                        continue;
                    char f[160];
                    int plain = R == 1; /* "len" or already in brackets */
                    if (T)
                        snprintf(f, sizeof f, "(len + (0x%x - len) * (len < 0x%x))", T, T);
                    else
                        snprintf(f, sizeof f, "len");
                    char r[200];
                    if (R > 1)
                        snprintf(r, sizeof r, "(%s + 0x%x) & 0x%x", f, R - 1, ~(R - 1));
                    else
                        snprintf(r, sizeof r, "%s", f);
                    /* a length stays below 65536: the mask only where the
                     * register is narrower than what is left */
                    int mask = (0xffffu >> sh) > m;
                    if (sh && mask)
                        snprintf(out, len, plain ? "(%s >> %u) & 0x%x" : "((%s) >> %u) & 0x%x", r,
                                 sh, m);
                    else if (sh)
                        snprintf(out, len, plain ? "%s >> %u" : "(%s) >> %u", r, sh);
                    else if (mask)
                        snprintf(out, len, plain ? "%s & 0x%x" : "(%s) & 0x%x", r, m);
                    else
                        snprintf(out, len, "%s", r);
                    return 0;
                }
            }
        }
    }
    /* a count derived from a value read (a received frame's length) */
    if (!slot_count(g, s, ids, n, vi, m, out, len))
        return 0;
    /* a frame read through a data register: a constant less its place (the
     * bytes left to the end of the device's ring), or its length plus its
     * place (the bytes past that end) */
    if (g->prx.ok && n >= 2 && !prx_linear(g, s, ids, n, vi, m, out, len))
        return 0;
    /* the request's counter plus a constant, modulo its wrap: the next
     * descriptor's index a driver writes to a tail register (an 8254x's
     * TDT = (send_n + 1) % 64) */
    /* (not in rounds of frames read through a data register: what a
     * frame's reads take comes from the frame, not from which request it
     * came in) */
    if (g->prx.ok && s->rounds)
        return -1;
    unsigned N = g->rot[g->kind];
    if (N > 1 && n >= 2 && (vi[0].v & m) < N) {
        uint32_t d = ((vi[0].v & m) + N - counter_at(s->v[ids[0]].in, g->kind, N)) % N;
        for (k = 0; k < n; k++)
            if ((vi[k].v & m) != (counter_at(s->v[ids[k]].in, g->kind, N) + d) % N)
                break;
        if (k == n && d) {
            char nm[48];
            snprintf(out, len, "(%s + 0x%x) %% 0x%x", counter_name(g->kind, nm, sizeof nm), d, N);
            return 0;
        }
    }
    /* a + stride * the request's counter: buffers taken in turn (a
     * DP8390 driver's two transmit pages, TPSR 0x40, 0x46, 0x40 ...); at
     * least four views, so that the turn is seen come round */
    if (n >= 4) {
        uint32_t vs[4096];
        for (k = 0; k < n && k < sizeof vs / sizeof vs[0]; k++)
            vs[k] = vi[k].v & m;
        if (k == n && !offset_expr(g, s, ids, n, vs, out, len))
            return 0;
    }
    return -1;
}

/* Whether a 32-bit value is an address inside an allocation the recording
 * saw: a constant like that would point the device at memory the replay
 * never allocated (where the driver's buffer happened to lie). */
static int inside_allocation(const Extract *x, uint32_t v)
{
    for (unsigned i = 0; i < x->nregions; i++) {
        const XRegion *r = &x->regions[i];
        for (unsigned q = 0; q < r->naddrs; q++) {
            uint64_t lo = (uint64_t)r->addrs[q] + r->start;
            if (v >= lo && v < lo + r->size)
                return 1;
        }
    }
    return 0;
}

/* Two 16-bit values written or stored close together (at most four
 * accesses apart) by one request that pair up into an address inside an
 * allocation (high half << 16 | low half): a PCnet's IADR in CSR1/CSR2,
 * through 16- or 32-bit port accesses. Marked, so that neither half is
 * ever written as a number. */
#define HALF_WINDOW 4

static void mark_halves(Extract *x)
{
    for (size_t i = 0; i < x->ninst; i++) {
        XInst *in = &x->inst[i];
        for (size_t a = 0; a < in->nraw; a++) {
            XOp *lo = &in->raw[a];
            if ((lo->kind != XO_WRITE && lo->kind != XO_STORE) || lo->size < 2 ||
                lo->value > 0xffff || lo->addr_half)
                continue;
            size_t from = a > HALF_WINDOW ? a - HALF_WINDOW : 0;
            for (size_t b = from; b < in->nraw && b <= a + HALF_WINDOW; b++) {
                XOp *hi = &in->raw[b];
                if (b == a || (hi->kind != XO_WRITE && hi->kind != XO_STORE) || hi->size < 2 ||
                    hi->value > 0xffff || !hi->value ||
                    (hi->addr_half && hi->addr_half != XHALF_UNPAIRED))
                    continue;
                if (inside_allocation(x, hi->value << 16 | lo->value))
                    lo->addr_half = hi->addr_half = XHALF_UNPAIRED;
            }
        }
    }
}

/* value_expr_rules, but never an expression that writes a recorded
 * address (or half of one) as a number: only addr(...) may name memory. */
static int value_expr(Gen *g, Scope *s, const size_t *ids, size_t n, const ValIn *vi,
                      unsigned width, char *out, size_t len)
{
    if (value_expr_rules(g, s, ids, n, vi, width, out, len) < 0)
        return -1;
    if (strstr(out, "addr("))
        return 0;
    for (size_t k = 0; k < n; k++)
        if (vi[k].half || (width >= 4 && vi[k].region != XFRAME_REGION &&
                           inside_allocation(g->x, vi[k].v))) {
            g->addr_like = 1;
            return -1;
        }
    return 0;
}

/* ------------------------------------------------------------- actions */

static void gen(Gen *g, Scope *s, size_t *ids, size_t n, int depth);

/* Before an action whose value is addr(tx_frame[send_n]): the copy. */
static void frame_copy_line(Gen *g, int depth)
{
    if (!g->frame_copy)
        return;
    char nm[48];
    indent(g, depth);
    fprintf(g->o, "copy tx_frame[%s] 0\n", counter_name(XK_SEND, nm, sizeof nm));
    g->frame_copy = 0;
}

/* The variable a register's reads go into: v_ and its name, brackets out. */
static const char *var_name(const char *reg, char *var, size_t len)
{
    snprintf(var, len, "v_%s", reg);
    char *w = var;
    for (const char *p = var; *p; p++)
        if (*p != '[' && *p != ']')
            *w++ = *p == ' ' ? '_' : *p;
    *w = 0;
    return var;
}

/* The variable of the occ-th read of register reg in a request, whose
 * bytes a later write takes (byte_runs): v_<register>_<occ>. */
static void occ_name(const Gen *g, int reg, unsigned occ, char *var, size_t len)
{
    char name[72];
    var_name(g->regname[reg], name, sizeof name);
    snprintf(var, len, "%s_%u", name, occ);
}

/* A read into its register's variable, or, for a read whose bytes a
 * later write takes (occ), into a variable of its own. */
static void emit_read(Gen *g, Scope *s, const size_t *ids, size_t n, int reg, unsigned occ,
                      const char *ref, int depth)
{
    char var[88];
    if (occ) {
        occ_name(g, reg, occ, var, sizeof var);
        unsigned q;
        for (q = 0; q < g->nocc && strcmp(g->occ_var[q], var); q++)
            ;
        if (q == g->nocc && g->nocc < sizeof g->occ_var / sizeof g->occ_var[0])
            snprintf(g->occ_var[g->nocc++], sizeof g->occ_var[0], "%s", var);
    } else {
        var_name(g->regname[reg], var, sizeof var);
        if ((size_t)reg < sizeof g->var_used / sizeof g->var_used[0])
            g->var_used[reg] = 1;
    }
    indent(g, depth);
    fprintf(g->o, "read %s -> %s\n", ref, var);
    slot_from_ops(g, s, ids, n, reg, var);
}

static const AnPoll *poll_at(const Gen *g, const XOp *op)
{
    for (size_t i = 0; i < an_npolls(g->a); i++) {
        const AnPoll *p = an_poll(g->a, i);
        if (p->pc == op->pc && (int)p->reg == op->reg && p->mask)
            return p;
    }
    return NULL;
}

/* Two accesses that could be one array's. */
static int array_alike(const Gen *g, const XOp *a, const XOp *b)
{
    if (!a || !b || a->kind != b->kind || (a->kind != XO_READ && a->kind != XO_WRITE))
        return 0;
    const AnRegInfo *ra = an_reg(g->a, (size_t)a->reg), *rb = an_reg(g->a, (size_t)b->reg);
    return ra->width == rb->width && ra->port == rb->port && ra->window == rb->window &&
           !ra->selected && !rb->selected && !ra->banked && !rb->banked && !ra->is_index &&
           !rb->is_index && ra->dir == rb->dir;
}

/* Every view's next op is the same access to registers of one array:
 * an indexed access. 0 emitted, -1 not an array access. */
static int ring_misfits(Gen *g, const Scope *s, const size_t *ids, size_t n, const uint32_t *idxs,
                        uint32_t count);

static int try_family(Gen *g, Scope *s, const size_t *ids, size_t n, int depth)
{
    const XOp *o0 = cur(s, ids[0]);
    if (!o0 || (o0->kind != XO_READ && o0->kind != XO_WRITE))
        return -1;
    const AnRegInfo *r0 = an_reg(g->a, (size_t)o0->reg);
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t k = 0; k < n; k++) {
        const XOp *o = cur(s, ids[k]);
        if (!o || o->kind != o0->kind)
            return -1;
        const AnRegInfo *r = an_reg(g->a, (size_t)o->reg);
        if (r->width != r0->width || r->port != r0->port || r->window != r0->window ||
            r->selected || r->banked || r->is_index || r->dir != r0->dir)
            return -1;
        uint32_t off = r->addr - r->window;
        lo = off < lo ? off : lo;
        hi = off > hi ? off : hi;
    }
    if (lo == hi)
        return -1;
    uint32_t stride = 0;
    for (size_t k = 0; k < n; k++) {
        const AnRegInfo *r = an_reg(g->a, (size_t)cur(s, ids[k])->reg);
        uint32_t d = r->addr - r->window - lo;
        uint32_t a = stride, b = d;
        while (b) {
            uint32_t t = a % b;
            a = b;
            b = t;
        }
        stride = a;
    }
    /* the stride: an array already made that holds them, the register
     * width, or the distances' common divisor; the first whose indices a
     * counter explains */
    int win0 = reg_win(g, r0);
    uint32_t cands[3][2] = {{0, 0}, {r0->width, lo}, {stride, lo}};
    for (unsigned i = 0; i < g->nfam; i++) {
        const Family *f = &g->fam[i];
        if (f->win == win0 && f->width == r0->width && lo >= f->base &&
            (lo - f->base) % f->stride == 0 && (hi - f->base) % f->stride == 0 &&
            (hi - f->base) / f->stride < f->count) {
            cands[0][0] = f->stride;
            cands[0][1] = f->base;
        }
    }
    uint32_t count = 0, base = lo;
    uint32_t ks[4096];
    char ix[96];
    if (n > sizeof ks / sizeof ks[0])
        return -1;
    int found = 0;
    for (unsigned c = 0; c < 3 && !found; c++) {
        uint32_t st = cands[c][0], b = cands[c][1];
        if (!st || st < r0->width || (hi - b) % st || (hi - b) / st + 1 > 64)
            continue;
        int ok = 1;
        for (size_t k = 0; k < n && ok; k++) {
            const AnRegInfo *r = an_reg(g->a, (size_t)cur(s, ids[k])->reg);
            uint32_t d = r->addr - r->window - b;
            ok = d % st == 0;
            ks[k] = d / st;
        }
        uint32_t cnt = (hi - b) / st + 1;
        if (c == 0)
            for (unsigned i = 0; i < g->nfam; i++)
                if (g->fam[i].base == b && g->fam[i].stride == st && g->fam[i].win == win0)
                    cnt = g->fam[i].count;
        if (ok && index_expr(g, s, ids, n, ks, cnt, ix, sizeof ix) == 0) {
            found = 1;
            stride = st;
            base = b;
            count = cnt;
        } else if (ok && ring_misfits(g, s, ids, n, ks, cnt)) {
            /* a counter gives the register in all but a few (a status
             * read for the send the driver completes, where it completed
             * several at once): gen leaves those out and comes back */
            return 2;
        }
    }
    if (!found)
        return -1;
    lo = base;
    /* the array's declaration */
    int win = reg_win(g, r0);
    Family *f = NULL;
    for (unsigned i = 0; i < g->nfam; i++)
        if (g->fam[i].win == win && g->fam[i].base == lo && g->fam[i].stride == stride &&
            g->fam[i].width == r0->width)
            f = &g->fam[i];
    if (!f) {
        if (g->nfam >= MAX_FAMILIES)
            return -1;
        f = &g->fam[g->nfam++];
        *f = (Family){win, r0->port, lo, stride, count, r0->width, ""};
        if (g->nwin > 1)
            snprintf(f->name, sizeof f->name, "a%d_%x", win, lo);
        else
            snprintf(f->name, sizeof f->name, "a%x", lo);
        for (unsigned i = 0; i + 1 < g->nfam; i++)
            if (!strcmp(g->fam[i].name, f->name)) { /* another width or stride */
                size_t l = strlen(f->name);
                snprintf(f->name + l, sizeof f->name - l, "_%u", g->nfam - 1);
                break;
            }
    }
    if (count > f->count)
        f->count = count;
    char ref[200];
    snprintf(ref, sizeof ref, "%s[%s]", f->name, ix);
    if (o0->kind == XO_READ) {
        char var[72];
        snprintf(var, sizeof var, "v_%s", f->name);
        indent(g, depth);
        fprintf(g->o, "read %s -> %s\n", ref, var);
        slot_from_ops(g, s, ids, n, 100000 + (int)(f - g->fam), var);
    } else {
        ValIn vi[4096];
        for (size_t k = 0; k < n; k++) {
            const XOp *o = cur(s, ids[k]);
            vi[k] = (ValIn){o->value, o->addr_region, o->addr_off, o->addr_half};
        }
        char e[256];
        if (value_expr(g, s, ids, n, vi, r0->width, e, sizeof e) < 0) {
            note(g, depth, "%s: written values not generalised (0x%x, 0x%x, ...)", ref, vi[0].v,
                 vi[n > 1].v);
            fallback(g, depth, "a value the traces did not explain");
            return 1;
        }
        indent(g, depth);
        fprintf(g->o, "write %s %s\n", ref, e);
        misfit_note(g, depth, n);
    }
    return 0;
}

/* A descriptor field loaded into a variable: its slot key and name
 * (d_<ring>_<field>), declared once. */
static int load_key(int region, uint32_t field)
{
    return -16 - (region * 4096 + (int)(field & 0xfff));
}

static const char *load_var(Gen *g, int region, uint32_t field, char *out, size_t len)
{
    snprintf(out, len, "d_%s_%x", g->x->regions[region].label, field);
    for (char *p = out; *p; p++)
        if (*p == '[' || *p == ']')
            *p = '_';
    int key = load_key(region, field);
    unsigned i;
    for (i = 0; i < g->nld && g->ldkey[i] != key; i++)
        ;
    if (i == g->nld && g->nld < sizeof g->ldkey / sizeof g->ldkey[0]) {
        g->ldkey[g->nld] = key;
        snprintf(g->ldname[g->nld++], sizeof g->ldname[0], "%s", out);
    }
    return out;
}

/* The descriptor index of each view's op (a ring piece's op) as an
 * expression: one descriptor, or a counter's (index_expr). 0, or -1. */
static int desc_expr(Gen *g, Scope *s, const size_t *ids, size_t n, const XRegion *b, char *out,
                     size_t len)
{
    uint32_t idxs[4096];
    if (n > sizeof idxs / sizeof idxs[0])
        return -1;
    size_t k;
    for (k = 0; k < n; k++)
        idxs[k] = cur(s, ids[k])->off / b->ring_desc;
    for (k = 1; k < n && idxs[k] == idxs[0]; k++)
        ;
    if (k == n) {
        snprintf(out, len, "%u", idxs[0]);
        return 0;
    }
    return index_expr(g, s, ids, n, idxs, b->ring_count, out, len);
}

/* A load: from a receive ring's descriptor, `load RING[IDX] FIELD W ->
 * d_...`, or from a block the driver keeps for the device, `load BUF OFF W
 * -> d_...`. */
static int emit_load(Gen *g, Scope *s, const size_t *ids, size_t n, int depth)
{
    const XOp *o0 = cur(s, ids[0]);
    XRegion *b = &g->x->regions[o0->reg];
    char place[192], var[72];
    uint32_t field = o0->off;
    if (b->ring) {
        char ie[96];
        if (desc_expr(g, s, ids, n, b, ie, sizeof ie) < 0) {
            note(g, depth, "loads from the ring %s at descriptors not generalised", b->label);
            fallback(g, depth, "a descriptor the traces did not explain");
            return 1;
        }
        field = o0->off % b->ring_desc;
        snprintf(place, sizeof place, "%s[%s] 0x%x", b->label, ie, field);
    } else {
        snprintf(place, sizeof place, "%s 0x%x", b->label, field);
    }
    b->used = 1;
    load_var(g, o0->reg, field, var, sizeof var);
    indent(g, depth);
    fprintf(g->o, "load %s %u -> %s\n", place, o0->size, var);
    slot_from_ops(g, s, ids, n, load_key(o0->reg, field), var);
    return 0;
}

/* A frame handed to the OS from the buffer a receive descriptor held
 * (ring_rx): the spec's descriptor i holds the i-th buffer of the array
 * the driver's init gave it, so the frame is there, its length what the
 * round loaded. */
static int emit_ring_deliver(Gen *g, Scope *s, const size_t *ids, size_t n, int depth)
{
    const XOp *o0 = cur(s, ids[0]);
    XRegion *ring = &g->x->regions[o0->held - 1];
    int ok = g->rx_group >= 0 && o0->held - 1 == g->rxp;
    uint32_t idxs[4096];
    if (n > sizeof idxs / sizeof idxs[0]) /* fitted on the first 4096 */
        n = sizeof idxs / sizeof idxs[0];
    for (size_t k = 0; k < n && ok; k++) {
        const XOp *o = cur(s, ids[k]);
        ok = o->held == o0->held && o->off == o0->off;
        idxs[k] = o->held_desc;
    }
    char ie[96] = "", e[256];
    if (ok && index_expr(g, s, ids, n, idxs, ring->ring_count, ie, sizeof ie) < 0)
        ok = 0;
    if (!ok) {
        note(g, depth, "frames went to the OS from the buffers of %s's descriptors, in an order "
                       "or a place not generalised", ring->label);
        fallback(g, depth, "receiving is not generalised");
        return 1;
    }
    ValIn vi[4096];
    for (size_t k = 0; k < n; k++)
        vi[k] = (ValIn){cur(s, ids[k])->len, -1, 0, 0};
    if (value_expr(g, s, ids, n, vi, 2, e, sizeof e) < 0) {
        note(g, depth, "frames of lengths no value the driver loaded gives (%u, ...)", vi[0].v);
        fallback(g, depth, "receiving is not generalised");
        return 1;
    }
    XRegion *grp = &g->x->regions[g->rx_group];
    for (unsigned i = 0; i < grp->group_count; i++)
        g->x->regions[g->rx_group + (int)i].used = 1;
    uint32_t room = grp->size > o0->off ? grp->size - o0->off : 0;
    uint32_t max = room < 1522 ? room : 1522;
    g->rxlen_used = 1;
    indent(g, depth);
    fprintf(g->o, "set rxlen %s\n", e);
    indent(g, depth);
    fprintf(g->o, "if rxlen < 14 || rxlen > %u\n", max);
    fallback(g, depth + 1, "a received frame's length is not an Ethernet frame's");
    indent(g, depth);
    fputs("else\n", g->o);
    indent(g, depth + 1);
    fprintf(g->o, "deliver %s[%s] 0x%x rxlen\n", grp->group_name, ie, o0->off);
    indent(g, depth);
    fputs("end\n", g->o);
    return 0;
}

static int emit_pio_deliver(Gen *g, Scope *s, const size_t *ids, size_t n, int depth);

static int emit_deliver(Gen *g, Scope *s, const size_t *ids, size_t n, int depth)
{
    const XOp *o0 = cur(s, ids[0]);
    const RxModel *rx = &g->rx;
    if (o0->pio)
        return emit_pio_deliver(g, s, ids, n, depth);
    if (o0->held)
        return emit_ring_deliver(g, s, ids, n, depth);
    if (!rx->ok || o0->reg != rx->region) {
        note(g, depth, "frames went to the OS; how they are found in memory: %s",
             rx->ok ? "another buffer" : rx->why);
        fallback(g, depth, "receiving is not generalised");
        return 1;
    }
    for (size_t k = 0; k < n; k++)
        if (cur(s, ids[k])->rx_before == UINT32_MAX) {
            note(g, depth, "a frame was not where the receive model says (event #%llu)",
                 (unsigned long long)cur(s, ids[k])->seq);
            fallback(g, depth, "receiving is not generalised");
            return 1;
        }
    g->rx_used = 1;
    XRegion *b = &g->x->regions[rx->region];
    b->used = 1;
    char buf[48];
    snprintf(buf, sizeof buf, "%s", b->label);
    unsigned lw = rx->len_off + 2 <= 4 ? 4 : 8;
    (void)lw;
    indent(g, depth);
    fprintf(g->o, "load %s rxoff %u -> rxhdr\n", buf, rx->hdr >= 4 ? 4 : 2);
    indent(g, depth);
    fprintf(g->o, "set rxlen (rxhdr >> %u) & 0xffff\n", 8 * rx->len_off);
    indent(g, depth);
    fprintf(g->o, "if rxlen < %u || rxlen > %u\n", 14 + rx->adj, 1518 + rx->adj);
    fallback(g, depth + 1, "a received frame's length is not an Ethernet frame's");
    indent(g, depth);
    fputs("else\n", g->o);
    indent(g, depth + 1);
    if (rx->adj)
        fprintf(g->o, "deliver %s rxoff + %u rxlen - %u\n", buf, rx->hdr, rx->adj);
    else
        fprintf(g->o, "deliver %s rxoff + %u rxlen\n", buf, rx->hdr);
    indent(g, depth + 1);
    if (rx->align > 1)
        fprintf(g->o, "set rxoff (rxoff + %u + rxlen + %u) & ~%u\n", rx->hdr, rx->align - 1,
                rx->align - 1);
    else
        fprintf(g->o, "set rxoff rxoff + %u + rxlen\n", rx->hdr);
    indent(g, depth);
    fputs("end\n", g->o);
    Slot *sl = slot_make(g, s, SLOT_RX, "rxoff");
    if (sl)
        for (size_t k = 0; k < n; k++) {
            sl->v[ids[k]] = cur(s, ids[k])->rx_after;
            sl->ok[ids[k]] = 1;
        }
    return 0;
}

/* The rounds of a loop as views of their own: in (its views, its place
 * in each), the views' own ids (sub), the view each came from (parent),
 * and for rounds of frames read through a data register, where each
 * starts in its instance's ops (at, raws). */
typedef struct Rounds {
    Scope in;
    size_t *sub, *parent, *at;
    const XOp **raws;
} Rounds;

static void rounds_free(Rounds *r)
{
    scope_free(&r->in);
    free(r->in.v);
    free(r->sub);
    free(r->parent);
    free(r->at);
    free(r->raws);
}

/* Room for `iters` rounds: 0, or -1 out of memory (nothing held). */
static int rounds_new(Rounds *r, size_t iters)
{
    size_t m = iters ? iters : 1;
    memset(r, 0, sizeof *r);
    r->in.rounds = 1;
    r->in.v = calloc(m, sizeof *r->in.v);
    r->in.pos = calloc(m, sizeof *r->in.pos);
    r->sub = calloc(m, sizeof *r->sub);
    r->parent = calloc(m, sizeof *r->parent);
    r->at = calloc(m, sizeof *r->at);
    r->raws = calloc(m, sizeof *r->raws);
    if (r->in.v && r->in.pos && r->sub && r->parent && r->at && r->raws)
        return 0;
    rounds_free(r);
    return -1;
}

/* The value register `reg` last read (read or poll) before raw[at], in
 * the instance's ops from raw[0]: 0, or -1 none. */
static int last_read(const XOp *raw, size_t at, int reg, uint32_t *v)
{
    while (at-- > 0)
        if ((raw[at].kind == XO_READ || raw[at].kind == XO_POLL) && raw[at].reg == reg) {
            *v = raw[at].value;
            return 0;
        }
    return -1;
}

/* The parent's variables in each round (R->parent); in rounds that lie
 * in their instance's ops (R->raws), a register's as last read before the
 * round starts. */
static void rounds_inherit(Gen *g, const Scope *s, Rounds *R)
{
    for (unsigned i = 0; i < s->nslots; i++) {
        const Slot *ps = &s->slot[i];
        Slot *cs = slot_make(g, &R->in, ps->key, ps->name);
        if (!cs)
            continue;
        cs->stamp = ps->stamp;
        for (size_t r = 0; r < R->in.nv; r++) {
            uint32_t v;
            cs->v[r] = ps->v[R->parent[r]];
            cs->ok[r] = ps->ok[R->parent[r]];
            if (R->raws[r] && ps->key >= 0 && !last_read(R->raws[r], R->at[r], ps->key, &v)) {
                cs->v[r] = v;
                cs->ok[r] = 1;
            }
        }
    }
}

/* The first header read in ops[from, to), or NULL. */
static const XOp *round_header(const XOp *ops, size_t from, size_t to)
{
    for (size_t q = from; q < to; q++)
        if (is_header(&ops[q]))
            return &ops[q];
    return NULL;
}

/* Where a loop's last round ends in its instance's ops. */
static size_t pio_end(const PioLoop *pl)
{
    return pl->start + pl->bound[pl->rounds];
}

/* The loop's last frame handed to the OS, or NULL. */
static const XOp *pio_last_deliver(const PioLoop *pl)
{
    for (size_t q = pio_end(pl); q-- > pl->start;)
        if (is_pio_deliver(&pl->raw[q]))
            return &pl->raw[q];
    return NULL;
}

/* The rounds of frames read through a data register (pio_collapse):
 * `repeat`, ending where the place of the next frame is the device's
 * (rxpos equal to a value the driver last read from a register: a
 * DP8390's CURR), checked before each round. */
static int emit_pio_loop(Gen *g, Scope *s, const size_t *ids, size_t n, int depth)
{
    /* the register: in every round's start not rxpos, at the end rxpos */
    int breg = -1;
    for (size_t r = 0; r < g->nregs && breg < 0; r++) {
        int ok = 1;
        for (size_t k = 0; k < n && ok; k++) {
            const XOp *o = cur(s, ids[k]);
            const PioLoop *pl = &g->pl[o->unit];
            uint32_t v;
            for (uint32_t j = 0; j < pl->rounds && ok; j++) {
                size_t a = pl->start + pl->bound[j];
                const XOp *h = round_header(pl->raw, a, pl->start + pl->bound[j + 1]);
                ok = h && !last_read(pl->raw, a, (int)r, &v) && v != h->rx_before;
            }
            const XOp *lastd = pio_last_deliver(pl);
            ok =
                ok && lastd && !last_read(pl->raw, pio_end(pl), (int)r, &v) && v == lastd->rx_after;
        }
        if (ok)
            breg = (int)r;
    }
    if (breg < 0) {
        note(g, depth,
             "frames read through the data register until no value the driver read "
             "says where the device has got to");
        fallback(g, depth, "a loop's end is not generalised");
        return 1;
    }
    char var[80];
    var_name(g->regname[breg], var, sizeof var);
    g->var_used[breg] = 1;
    g->prx.used = 1;
    indent(g, depth);
    fprintf(g->o, "repeat 64\n");
    indent(g, depth + 1);
    fprintf(g->o, "break if rxpos == %s\n", var);
    /* the rounds as views */
    size_t iters = 0;
    for (size_t k = 0; k < n; k++)
        iters += cur(s, ids[k])->len;
    Rounds R;
    if (rounds_new(&R, iters) < 0)
        return -1;
    Scope *in = &R.in;
    size_t *sub = R.sub, *parent = R.parent, *at = R.at;
    const XOp **raws = R.raws;
    for (size_t k = 0; k < n; k++) {
        const XOp *o = cur(s, ids[k]);
        const PioLoop *pl = &g->pl[o->unit];
        for (uint32_t j = 0; j < pl->rounds; j++) {
            parent[in->nv] = ids[k];
            sub[in->nv] = in->nv;
            at[in->nv] = pl->start + pl->bound[j];
            raws[in->nv] = pl->raw;
            in->v[in->nv++] = (View){pl->raw + pl->start + pl->bound[j],
                                   pl->bound[j + 1] - pl->bound[j], s->v[ids[k]].in};
        }
    }
    /* what the rounds know: the parent's variables, a register's as last
     * read before the round, and where the round's frame is */
    rounds_inherit(g, s, &R);
    Slot *rs = slot_make(g, in, SLOT_RX, "rxpos");
    for (size_t r = 0; rs && r < in->nv; r++) {
        const XOp *h = round_header(in->v[r].ops, 0, in->v[r].n);
        rs->ok[r] = h != NULL;
        if (h)
            rs->v[r] = h->rx_before;
    }
    gen(g, in, sub, in->nv, depth + 1);
    indent(g, depth);
    fputs("end\n", g->o);
    /* after it: registers as last read; rxpos where the last round left
     * it; the header's fields unknown */
    for (unsigned i = 0; i < s->nslots; i++) {
        Slot *ps = &s->slot[i];
        for (size_t k = 0; k < n; k++) {
            const PioLoop *pl = &g->pl[cur(s, ids[k])->unit];
            uint32_t v;
            if (ps->key >= 0 && !last_read(pl->raw, pio_end(pl), ps->key, &v)) {
                ps->v[ids[k]] = v;
                ps->ok[ids[k]] = 1;
            }
            if (ps->key == SLOT_RXLEN || ps->key == SLOT_RXNEXT)
                ps->ok[ids[k]] = 0;
        }
    }
    for (unsigned i = 0; i < in->nslots; i++)
        if (in->slot[i].key >= 0 && !slot_get(s, in->slot[i].key)) {
            Slot *ps = slot_make(g, s, in->slot[i].key, in->slot[i].name);
            for (size_t k = 0; ps && k < n; k++) {
                const PioLoop *pl = &g->pl[cur(s, ids[k])->unit];
                uint32_t v = 0;
                ps->ok[ids[k]] = !last_read(pl->raw, pio_end(pl), in->slot[i].key, &v);
                ps->v[ids[k]] = v;
            }
        }
    Slot *ps = slot_make(g, s, SLOT_RX, "rxpos");
    for (size_t k = 0; ps && k < n; k++) {
        const XOp *d = pio_last_deliver(&g->pl[cur(s, ids[k])->unit]);
        ps->ok[ids[k]] = d != NULL;
        if (d)
            ps->v[ids[k]] = d->rx_after;
    }
    rounds_free(&R);
    return 0;
}

/* A header read through a data register (rx_port_model): into rxhdr,
 * its fields loaded, its length checked. */
static int emit_pio_header(Gen *g, Scope *s, const size_t *ids, size_t n, int depth)
{
    const XOp *o0 = cur(s, ids[0]);
    RxPort *p = &g->prx;
    char ref[96];
    reg_ref(g, o0->reg, ref, sizeof ref);
    int ok = p->ok;
    for (size_t k = 0; k < n && ok; k++)
        ok = cur(s, ids[k])->len == p->hdr;
    if (!ok) {
        note(g, depth, "%s: frames read through it; %s", ref,
             p->ok ? "headers of other lengths" : p->why);
        fallback(g, depth, "receiving is not generalised");
        return 1;
    }
    p->used = 1;
    indent(g, depth);
    fprintf(g->o, "ins %s rxhdr 0 %u\n", ref, p->hdr);
    indent(g, depth);
    fprintf(g->o, "load rxhdr %u 1 -> rxnext\n", p->next_off);
    indent(g, depth);
    fprintf(g->o, "load rxhdr %u 2 -> rxlen\n", p->len_off);
    indent(g, depth);
    fprintf(g->o, "if rxlen < %u || rxlen > %u\n", 14 + p->adj, 1518 + p->adj);
    fallback(g, depth + 1, "a received frame's length is not an Ethernet frame's");
    indent(g, depth);
    fputs("end\n", g->o);
    /* where the next frame is: inside what the traces showed (the
     * device's ring; a header that says otherwise is not one the spec
     * knows what to do with) */
    indent(g, depth);
    fprintf(g->o, "if rxnext < 0x%x || rxnext > 0x%x\n", p->next_lo, p->next_hi);
    fallback(g, depth + 1, "a received frame's header gives a place the traces never did");
    indent(g, depth);
    fputs("end\n", g->o);
    Slot *ln = slot_make(g, s, SLOT_RXLEN, "rxlen");
    Slot *nx = slot_make(g, s, SLOT_RXNEXT, "rxnext");
    for (size_t k = 0; ln && nx && k < n; k++) {
        const XOp *o = cur(s, ids[k]);
        ln->v[ids[k]] = le16_at(o->bytes, p->len_off);
        nx->v[ids[k]] = o->bytes[p->next_off];
        ln->ok[ids[k]] = nx->ok[ids[k]] = 1;
    }
    return 0;
}

/* Frame bytes read through a data register into rxframe. */
static int emit_pio_frame(Gen *g, Scope *s, const size_t *ids, size_t n, int depth)
{
    if (n > 4096)
        n = 4096;
    const XOp *o0 = cur(s, ids[0]);
    char ref[96], oe[256], le[256];
    reg_ref(g, o0->reg, ref, sizeof ref);
    ValIn vi[4096];
    vi[0] = vi[1] = (ValIn){0, -1, 0, 0};
    if (!g->prx.ok) {
        note(g, depth, "%s: frames read through it; %s", ref, g->prx.why);
        fallback(g, depth, "receiving is not generalised");
        return 1;
    }
    for (size_t k = 0; k < n; k++)
        vi[k] = (ValIn){cur(s, ids[k])->off, -1, 0, 0};
    if (value_expr(g, s, ids, n, vi, 2, oe, sizeof oe) < 0) {
        note(g, depth,
             "%s: frame bytes read in at places in the frame not generalised (%u, %u, "
             "...)",
             ref, vi[0].v, vi[n > 1].v);
        fallback(g, depth, "receiving is not generalised");
        return 1;
    }
    for (size_t k = 0; k < n; k++)
        vi[k] = (ValIn){cur(s, ids[k])->len, -1, 0, 0};
    if (value_expr(g, s, ids, n, vi, 2, le, sizeof le) < 0) {
        note(g, depth, "%s: frame bytes read in counts not generalised (%u, %u, ...)", ref, vi[0].v,
             vi[n > 1].v);
        fallback(g, depth, "receiving is not generalised");
        return 1;
    }
    g->prx.used = 1;
    indent(g, depth);
    fprintf(g->o, "ins %s rxframe %s %s\n", ref, oe, le);
    return 0;
}

/* A frame read through a data register, handed to the OS; the next one
 * is where its header said. */
static int emit_pio_deliver(Gen *g, Scope *s, const size_t *ids, size_t n_all, int depth)
{
    /* the fit on the first 4096 views; the state in every one */
    size_t n = n_all > 4096 ? 4096 : n_all;
    char e[256];
    ValIn vi[4096];
    /* its length: the header's, less what the header counts beyond the
     * frame (rx_port_model checked every frame) */
    Slot *ln = slot_get(s, SLOT_RXLEN);
    int ok = g->prx.ok && ln && slot_all_ok(ln, ids, n);
    for (size_t k = 0; k < n && ok; k++) {
        vi[k] = (ValIn){cur(s, ids[k])->len, -1, 0, 0};
        ok = ln->v[ids[k]] == vi[k].v + g->prx.adj;
    }
    if (!ok) {
        note(g, depth,
             "frames read through a data register went to the OS in lengths their "
             "headers do not give (%u, ...)",
             cur(s, ids[0])->len);
        fallback(g, depth, "receiving is not generalised");
        return 1;
    }
    if (g->prx.adj)
        snprintf(e, sizeof e, "rxlen - 0x%x", g->prx.adj);
    else
        snprintf(e, sizeof e, "rxlen");
    g->prx.used = 1;
    indent(g, depth);
    fprintf(g->o, "deliver rxframe 0 %s\n", e);
    indent(g, depth);
    fputs("set rxpos rxnext\n", g->o);
    Slot *rs = slot_make(g, s, SLOT_RX, "rxpos");
    for (size_t k = 0; rs && k < n_all; k++) {
        rs->v[ids[k]] = cur(s, ids[k])->rx_after;
        rs->ok[ids[k]] = 1;
    }
    return 0;
}

/* A loop over received frames: `repeat` with the read that ends it. */
/* View position k of n as one to leave out (g->offview); 0 when that
 * would be more than 1 in 16 of them. */
static int offview_note(Gen *g, size_t n, size_t k)
{
    if (g->noffview >= sizeof g->offview / sizeof g->offview[0] || 16 * (g->noffview + 1) > n)
        return 0;
    g->offview[g->noffview++] = k;
    return 1;
}

/* Some views to leave out, and 2 or more left. */
static int offview_few(const Gen *g, size_t n)
{
    return g->noffview && n - g->noffview >= 2;
}

static int emit_loop(Gen *g, Scope *s, const size_t *ids, size_t n, int depth)
{
    if (cur(s, ids[0])->pio)
        return emit_pio_loop(g, s, ids, n, depth);
    const XOp *o0 = cur(s, ids[0]);
    uint32_t unit = o0->unit;
    int breg = o0->sub[0].reg;
    /* a loop over a receive ring's descriptors: each round loads a field
     * of the next one, rx_n (rounds since init, modulo the ring's size) */
    int ring_loop = o0->sub[0].kind == XO_LOAD;
    const XRegion *rb = ring_loop ? &g->x->regions[breg] : NULL;
    Slot *rxn = ring_loop ? slot_get(s, SLOT_RXN) : NULL;
    if (ring_loop) {
        int ok = rxn && rb->ring && rxn->wrap == rb->ring_count && slot_all_ok(rxn, ids, n);
        g->noffview = 0;
        for (size_t k = 0; k < n && ok; k++) {
            const XOp *o = cur(s, ids[k]);
            int fits = 1;
            for (uint32_t j = 0; j <= o->len && fits; j++)
                fits = o->sub[j * unit].off / rb->ring_desc ==
                       (rxn->v[ids[k]] + j) % rb->ring_count;
            if (fits)
                continue;
            if (getenv("XDRV_EXTRACT_DEBUG"))
                fprintf(stderr, "ring loop: #%llu starts at descriptor %u, rx_n %u\n",
                        (unsigned long long)s->v[ids[k]].in->first,
                        o->sub[0].off / rb->ring_desc, rxn->v[ids[k]]);
            /* a few that start where the counter does not say (as
             * ring_misfits): left out, the rest generalises */
            ok = offview_note(g, n, k);
        }
        if (ok && offview_few(g, n))
            return 2;
        if (!ok || g->noffview) {
            note(g, depth, "a loop over %s's descriptors in an order not generalised",
                 rb->label);
            fallback(g, depth, "a loop the traces did not explain");
            return 1;
        }
        g->rxn_used = 1;
    }
    /* the bit that ends it: one value in every ending read, the other in
     * every read that went on */
    uint32_t all_cont = 0xffffffffu, any_cont = 0, all_exit = 0xffffffffu, any_exit = 0;
    size_t iters = 0, maxit = 0;
    for (size_t k = 0; k < n; k++) {
        const XOp *o = cur(s, ids[k]);
        for (uint32_t j = 0; j < o->len; j++) {
            all_cont &= o->sub[j * unit].value;
            any_cont |= o->sub[j * unit].value;
        }
        all_exit &= o->sub[o->len * unit].value;
        any_exit |= o->sub[o->len * unit].value;
        iters += o->len;
        maxit = o->len > maxit ? o->len : maxit;
    }
    uint32_t set_bits = all_exit & ~any_cont, clear_bits = all_cont & ~any_exit;
    unsigned misfit = 0;
    if (!set_bits && !clear_bits) {
        /* a bit every going-on read agrees on, that most ending reads do
         * not: rounds whose end another thing caused stay a note */
        uint32_t uniform = ~(all_cont ^ any_cont);
        for (unsigned b = 0; b < 32 && !set_bits && !clear_bits; b++) {
            if (!((uniform >> b) & 1))
                continue;
            unsigned differ = 0;
            for (size_t k = 0; k < n; k++) {
                const XOp *o = cur(s, ids[k]);
                differ += ((o->sub[o->len * unit].value ^ all_cont) >> b) & 1;
            }
            if (2 * differ > n) {
                if ((all_cont >> b) & 1)
                    clear_bits = 1u << b;
                else
                    set_bits = 1u << b;
                misfit = (unsigned)(n - differ);
            }
        }
    }
    if (getenv("XDRV_EXTRACT_DEBUG"))
        fprintf(stderr, "loop: cont all %x any %x, exit all %x any %x\n", all_cont, any_cont,
                all_exit, any_exit);
    char ref[192];
    char var[80];
    int bkey = breg;
    uint32_t bound = maxit * 4 < 64 ? 64 : (uint32_t)maxit * 4;
    if (bound > 65536)
        bound = 65536;
    if (ring_loop) {
        /* a round per descriptor: never more rounds than the ring has */
        uint32_t field = o0->sub[0].off % rb->ring_desc;
        load_var(g, breg, field, var, sizeof var);
        bkey = load_key(breg, field);
        snprintf(ref, sizeof ref, "%s[%s] 0x%x %u", rb->label, rxn->name, field, o0->sub[0].size);
        bound = rb->ring_count;
        indent(g, depth);
        fprintf(g->o, "repeat %u\n", bound);
        indent(g, depth + 1);
        fprintf(g->o, "load %s -> %s\n", ref, var);
    } else {
        reg_ref(g, breg, ref, sizeof ref);
        var_name(g->regname[breg], var, sizeof var);
        indent(g, depth);
        fprintf(g->o, "repeat %u\n", bound);
        indent(g, depth + 1);
        fprintf(g->o, "read %s -> %s\n", ref, var);
        g->var_used[breg] = 1;
    }
    indent(g, depth + 1);
    if (set_bits)
        fprintf(g->o, "break if %s & 0x%x\n", var, set_bits & -set_bits);
    else if (clear_bits)
        fprintf(g->o, "break if (%s & 0x%x) == 0\n", var, clear_bits & -clear_bits);
    if ((set_bits || clear_bits) && misfit)
        note(g, depth + 1,
             "%u of %zu loops ended with that bit as in the rounds before (the "
             "traces lost a frame there?)",
             misfit, n);
    if (!set_bits && !clear_bits) {
        fprintf(g->o, "note \"no bit of %s tells the last round from the others\"\n", ref);
        fallback(g, depth + 1, "a loop's end is not generalised");
        indent(g, depth);
        fputs("end\n", g->o);
        return 1;
    }
    /* the rounds as views of their own */
    Rounds R;
    if (rounds_new(&R, iters) < 0)
        return -1;
    Scope *in = &R.in;
    size_t *sub = R.sub, *parent = R.parent;
    for (size_t k = 0; k < n; k++) {
        const XOp *o = cur(s, ids[k]);
        for (uint32_t j = 0; j < o->len; j++) {
            parent[in->nv] = ids[k];
            sub[in->nv] = in->nv;
            in->v[in->nv++] = (View){o->sub + j * unit + 1, unit - 1, s->v[ids[k]].in};
        }
    }
    /* what the rounds know: the parent's variables, and the read above */
    rounds_inherit(g, s, &R);
    if (ring_loop) { /* rx_n in each round */
        Slot *cs = slot_make(g, in, SLOT_RXN, rxn->name);
        if (cs) {
            cs->wrap = rxn->wrap;
            size_t r = 0;
            for (size_t k = 0; k < n; k++) {
                const XOp *o = cur(s, ids[k]);
                for (uint32_t j = 0; j < o->len; j++, r++) {
                    cs->v[r] = (rxn->v[ids[k]] + j) % rxn->wrap;
                    cs->ok[r] = 1;
                }
            }
        }
    }
    Slot *bs = slot_make(g, in, bkey, var);
    if (bs) {
        size_t r = 0;
        for (size_t k = 0; k < n; k++) {
            const XOp *o = cur(s, ids[k]);
            for (uint32_t j = 0; j < o->len; j++, r++) {
                bs->v[r] = o->sub[j * unit].value;
                bs->ok[r] = 1;
            }
        }
    }
    gen(g, in, sub, in->nv, depth + 1);
    if (ring_loop) {
        indent(g, depth + 1);
        fprintf(g->o, "set %s %s + 1\n", rxn->name, rxn->name);
    }
    indent(g, depth);
    fputs("end\n", g->o);
    /* after it: the ending read's value; what the rounds read is unknown;
     * the receive offset is the last round's */
    for (unsigned i = 0; i < in->nslots; i++) {
        Slot *ps = slot_get(s, in->slot[i].key);
        if (ps && in->slot[i].stamp > ps->stamp)
            for (size_t k = 0; k < n; k++)
                ps->ok[ids[k]] = 0;
    }
    Slot *ex = slot_make(g, s, bkey, var);
    Slot *rxs = slot_get(s, SLOT_RX);
    if (ring_loop && (rxn = slot_get(s, SLOT_RXN)) != NULL)
        for (size_t k = 0; k < n; k++) {
            rxn->v[ids[k]] = (rxn->v[ids[k]] + cur(s, ids[k])->len) % rxn->wrap;
            rxn->ok[ids[k]] = 1;
        }
    for (size_t k = 0; k < n; k++) {
        const XOp *o = cur(s, ids[k]);
        if (ex) {
            ex->v[ids[k]] = o->sub[o->len * unit].value;
            ex->ok[ids[k]] = 1;
        }
        for (size_t j = o->len * unit; j-- > 0;)
            if (o->sub[j].kind == XO_DELIVER) {
                if (!rxs)
                    rxs = slot_make(g, s, SLOT_RX, "rxoff");
                if (rxs) {
                    rxs->v[ids[k]] = o->sub[j].rx_after;
                    rxs->ok[ids[k]] = 1;
                }
                break;
            }
    }
    rounds_free(&R);
    return 0;
}

/* A write whose value no rule explains over all the views, but does on
 * each side of one bit of the request's parameter or of a value read:
 * `if` that bit, a write each side. 0 emitted, -1 not found. */
static int split_write(Gen *g, Scope *s, const size_t *ids, size_t n, const ValIn *vi, int reg,
                       const char *ref, int depth)
{
    size_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    ValIn *va = malloc(n * sizeof *va), *vb = malloc(n * sizeof *vb);
    int rc = -1;
    unsigned width = an_reg(g->a, (size_t)reg)->width;
    int have = 1;
    for (size_t k = 0; k < n; k++)
        have &= s->v[ids[k]].in->has_param;
    const char *pn = s->v[ids[0]].in->kind == XK_SEND     ? "len"
                     : s->v[ids[0]].in->kind == XK_FILTER ? "filter"
                                                          : "count";
    /* candidates: the parameter's bits, then the bits of values read */
    for (int c = -1; c < (int)s->nslots && rc < 0 && a && b && va && vb; c++) {
        if (c < 0 && !have)
            continue;
        const Slot *sl = c >= 0 ? &s->slot[c] : NULL;
        if (sl && (sl->key == SLOT_RX || sl->key == SLOT_RXN || !slot_all_ok(sl, ids, n)))
            continue;
        /* masks: one bit, or the bits the views writing one value have
         * and the others lack */
        uint32_t masks[32 + 8];
        unsigned nm = 0;
        for (unsigned bit = 0; bit < 32; bit++)
            masks[nm++] = 1u << bit;
        for (size_t k = 0; k < n && nm < 40; k++) {
            uint32_t in_or = 0, out_or = 0;
            for (size_t j = 0; j < n; j++) {
                uint32_t v = sl ? sl->v[ids[j]] : s->v[ids[j]].in->param;
                if (vi[j].v == vi[k].v)
                    in_or |= v;
                else
                    out_or |= v;
            }
            uint32_t mm = in_or & ~out_or;
            unsigned q;
            for (q = 0; q < nm && masks[q] != mm; q++)
                ;
            if (mm && q == nm)
                masks[nm++] = mm;
        }
        for (unsigned mi = 0; mi < nm && rc < 0; mi++) {
            uint32_t mask = masks[mi];
            size_t na = 0, nb = 0;
            for (size_t k = 0; k < n; k++) {
                uint32_t v = sl ? sl->v[ids[k]] : s->v[ids[k]].in->param;
                if (v & mask) {
                    va[na] = vi[k];
                    a[na++] = ids[k];
                } else {
                    vb[nb] = vi[k];
                    b[nb++] = ids[k];
                }
            }
            if (!na || !nb)
                continue;
            char ea[256], eb[256];
            g->want_reg = reg;
            int ra = value_expr(g, s, a, na, va, width, ea, sizeof ea);
            unsigned ma = g->misfit;
            int rb = value_expr(g, s, b, nb, vb, width, eb, sizeof eb);
            unsigned mb = g->misfit;
            g->want_reg = -1;
            g->misfit = 0;
            if (ra < 0 || rb < 0 || ma || mb)
                continue;
            indent(g, depth);
            fprintf(g->o, "if %s & 0x%x\n", sl ? sl->name : pn, mask);
            const char *e2[2] = {ea, eb};
            for (int side = 0; side < 2; side++) {
                indent(g, depth + 1);
                fprintf(g->o, "write %s %s\n", ref, e2[side]);
                if (g->pass == 1 && g->track[reg]) {
                    char var[80];
                    var_name(g->regname[reg], var, sizeof var);
                    var[0] = 'w';
                    if (strcmp(var, e2[side])) {
                        indent(g, depth + 1);
                        fprintf(g->o, "set %s %s\n", var, e2[side]);
                    }
                }
                if (!side) {
                    indent(g, depth);
                    fputs("else\n", g->o);
                }
            }
            indent(g, depth);
            fputs("end\n", g->o);
            rc = 0;
        }
    }
    free(a);
    free(b);
    free(va);
    free(vb);
    return rc;
}

/* Zeros right after the frame a send copied, up to one length T in every
 * view: the driver pads short frames (so nothing of an older frame goes on
 * the wire). A bounded loop of byte stores does it. 1 emitted, 0 not. */
static int pad_frame(Gen *g, Scope *s, const size_t *ids, size_t n, int depth)
{
    const XOp *o0 = cur(s, ids[0]);
    if (g->copy_region != o0->reg || !g->copy_expr[0])
        return 0;
    uint32_t T = 0;
    for (size_t k = 0; k < n; k++) {
        const View *v = &s->v[ids[k]];
        const XOp *b = cur(s, ids[k]), *c = NULL;
        for (size_t j = s->pos[ids[k]]; j-- > 0 && !c;)
            if (v->ops[j].kind == XO_COPY)
                c = &v->ops[j];
        if (!c || !v->in->has_param || c->reg != b->reg || b->off != c->off + v->in->param)
            return 0;
        uint32_t t = v->in->param + b->len;
        if ((T && t != T) || t > 4096)
            return 0;
        T = t;
    }
    if (g->pad_to && g->pad_to != T)
        return 0;
    g->pad_to = T;
    const char *buf = g->x->regions[o0->reg].label;
    indent(g, depth);
    fprintf(g->o, "set pad 0   # the driver pads a short frame with zeros to %u bytes\n", T);
    indent(g, depth);
    fprintf(g->o, "repeat %u\n", T);
    indent(g, depth + 1);
    fprintf(g->o, "break if len + pad >= %u\n", T);
    indent(g, depth + 1);
    fprintf(g->o, "store %s %s + len + pad 1 0\n", buf, g->copy_expr);
    indent(g, depth + 1);
    fputs("set pad pad + 1\n", g->o);
    indent(g, depth);
    fputs("end\n", g->o);
    return 1;
}

/* One action for views that all do the same next thing. 1: the path ends
 * here (a fallback), 0 go on. */
/* Bytes stored into a block (a MAC copied into an initialization block)
 * that the driver read from the device earlier in the request, from
 * registers side by side (a station address PROM): stored as those
 * reads' bytes, so the spec gives the chip the address of the device it
 * runs on, not the recording's. Where a later request stores the same
 * bytes at the same place again with no read to take them from, and
 * nothing else ever stores there, the block still holds them: nothing is
 * stored. 0 done, -1 not such bytes. */
static int prom_bytes(Gen *g, Scope *s, const size_t *ids, size_t n, const XOp *o0,
                      const char *oe, int depth)
{
    XRegion *b = &g->x->regions[o0->reg];
    if (o0->len < 4)
        return -1;
    /* the reads, by register address: runs of registers side by side */
    const Slot *sl[MAX_SLOTS];
    unsigned ns = 0;
    for (unsigned i = 0; i < s->nslots; i++)
        if (s->slot[i].key >= 0 && (size_t)s->slot[i].key < g->nregs &&
            slot_all_ok(&s->slot[i], ids, n))
            sl[ns++] = &s->slot[i];
    for (unsigned i = 1; i < ns; i++)
        for (unsigned j = i; j > 0; j--) {
            const AnRegInfo *a = an_reg(g->a, (size_t)sl[j - 1]->key);
            const AnRegInfo *c = an_reg(g->a, (size_t)sl[j]->key);
            if (a->port < c->port || (a->port == c->port && a->addr <= c->addr))
                break;
            const Slot *t = sl[j];
            sl[j] = sl[j - 1];
            sl[j - 1] = t;
        }
    for (unsigned first = 0; first < ns; first++) {
        /* a run: each of its bytes, which read and which byte of it */
        const Slot *rs[MAX_SLOTS * 4]; /* registers of 1, 2 or 4 bytes */
        uint8_t rb[MAX_SLOTS * 4];
        uint32_t len = 0;
        unsigned last = first;
        for (;;) {
            const AnRegInfo *a = an_reg(g->a, (size_t)sl[last]->key);
            for (uint32_t k = 0; k < a->width && len < sizeof rb; k++, len++) {
                rs[len] = sl[last];
                rb[len] = (uint8_t)k;
            }
            if (last + 1 == ns)
                break;
            const AnRegInfo *c = an_reg(g->a, (size_t)sl[last + 1]->key);
            if (c->port != a->port || c->addr != a->addr + a->width)
                break;
            last++;
        }
        /* where the bytes lie in the run, the same in every view */
        for (uint32_t at = 0; at + o0->len <= len; at++) {
            int ok = 1;
            for (size_t k = 0; k < n && ok; k++)
                for (uint32_t i = 0; i < o0->len && ok; i++)
                    ok = (uint8_t)(rs[at + i]->v[ids[k]] >> (8 * rb[at + i])) ==
                         cur(s, ids[k])->bytes[i];
            if (!ok)
                continue;
            for (uint32_t i = 0; i < o0->len; i++) {
                indent(g, depth);
                if (i)
                    fprintf(g->o, "store %s %s + 0x%x 1 ", b->label, oe, i);
                else
                    fprintf(g->o, "store %s %s 1 ", b->label, oe);
                if (rb[at + i])
                    fprintf(g->o, "(%s >> %u) & 0xff\n", rs[at + i]->name, 8u * rb[at + i]);
                else
                    fprintf(g->o, "%s & 0xff\n", rs[at + i]->name);
            }
            if (g->nprom < sizeof g->prom / sizeof g->prom[0]) {
                g->prom[g->nprom].region = o0->reg;
                g->prom[g->nprom].off = o0->off;
                g->prom[g->nprom].len = o0->len;
                memcpy(g->prom[g->nprom].bytes, o0->bytes, o0->len);
                g->nprom++;
            }
            return 0;
        }
        first = last;
    }
    /* the same bytes again where a read's bytes went before */
    for (unsigned q = 0; q < g->nprom; q++) {
        if (g->prom[q].region != o0->reg || g->prom[q].len != o0->len ||
            memcmp(g->prom[q].bytes, o0->bytes, o0->len))
            continue;
        int same_place = 1;
        for (size_t k = 0; k < n && same_place; k++)
            same_place = cur(s, ids[k])->off == g->prom[q].off;
        if (!same_place)
            continue;
        /* nothing else is ever stored there */
        int other = 0;
        for (size_t i = 0; i < g->x->ninst && !other; i++)
            for (size_t j = 0; j < g->x->inst[i].nraw && !other; j++) {
                const XOp *o = &g->x->inst[i].raw[j];
                uint32_t ol = o->kind == XO_STORE ? o->size : o->len;
                if ((o->kind != XO_STORE && o->kind != XO_BLOB && o->kind != XO_COPY) ||
                    o->reg != o0->reg || o->off >= g->prom[q].off + g->prom[q].len ||
                    o->off + ol <= g->prom[q].off)
                    continue;
                other = !(o->kind == XO_BLOB && o->off == g->prom[q].off && o->len == o0->len &&
                          !memcmp(o->bytes, o0->bytes, o0->len));
            }
        if (other)
            return -1;
        note(g, depth, "the driver stored the %u bytes it read from the device (at init) into %s "
                       "again; they are still there",
             o0->len, b->label);
        return 0;
    }
    return -1;
}

/* Register b starts where register a ends, reached the same way (the
 * same space, bank and index register). */
static int regs_side_by_side(const AnRegInfo *a, const AnRegInfo *b)
{
    return b->port == a->port && b->addr == a->addr + a->width && b->banked == a->banked &&
           b->selected == a->selected &&
           (!a->banked || (b->bank_addr == a->bank_addr && b->bank_mask == a->bank_mask &&
                           b->bank_value == a->bank_value)) &&
           (!a->selected || b->index_addr == a->index_addr);
}

/* In rounds of frames read through a data register: a 16-bit value
 * written a byte at a time, low byte first, to byte registers side by
 * side (a DP8390's remote byte count and start address), when the whole
 * value follows a rule on what the frame's header said. Both writes
 * emitted: 0 (the caller steps over the first, this steps over the
 * second), -1 not such a pair. */
static int pair_write(Gen *g, Scope *s, const size_t *ids, size_t n_all, int depth)
{
    const XOp *o0 = cur(s, ids[0]);
    /* the pair is checked in every view, its value fitted on the first
     * 4096, and every view steps over its second write (stepping only the
     * fitted ones left the others a write behind: "went another way") */
    size_t n = n_all > 4096 ? 4096 : n_all;
    if (!g->prx.ok || !s->rounds || n < 2)
        return -1;
    const AnRegInfo *lo = an_reg(g->a, (size_t)o0->reg);
    if (lo->width != 1)
        return -1;
    int hreg = -1;
    static ValIn vi[4096];
    for (size_t k = 0; k < n_all; k++) {
        const View *v = &s->v[ids[k]];
        size_t at = s->pos[ids[k]] + 1;
        if (at >= v->n || v->ops[at].kind != XO_WRITE)
            return -1;
        const XOp *h = &v->ops[at];
        if (hreg < 0) {
            const AnRegInfo *hi = an_reg(g->a, (size_t)h->reg);
            if (hi->width != 1 || !regs_side_by_side(lo, hi))
                return -1;
            hreg = h->reg;
        } else if (h->reg != hreg) {
            return -1;
        }
        if (k < n)
            vi[k] = (ValIn){(cur(s, ids[k])->value & 0xff) | (h->value & 0xff) << 8, -1, 0, 0};
    }
    /* a rule on the header's fields: not a constant, not as read */
    static Gen saved;
    saved = *g;
    char e[512];
    int r = value_expr(g, s, ids, n, vi, 2, e, sizeof e);
    if (r < 0 || (!strstr(e, "rxlen") && !strstr(e, "rxpos") && !strstr(e, "rxnext"))) {
        *g = saved;
        return -1;
    }
    char ref[96];
    indent(g, depth);
    fprintf(g->o, "write %s (%s) & 0xff\n", reg_ref(g, o0->reg, ref, sizeof ref), e);
    indent(g, depth);
    fprintf(g->o, "write %s (%s) >> 8\n", reg_ref(g, hreg, ref, sizeof ref), e);
    for (size_t k = 0; k < n_all; k++)
        s->pos[ids[k]]++;
    return 0;
}

/* A descriptor index the own kind's counter gives in all but a few views
 * (at most 1 in 16, and 2 or more that fit): those few are noted in
 * g->offview (their positions in ids) to be left out. A driver's index may
 * move where the counter cannot follow (a reset that keeps it, a send
 * refused with its descriptor filled); the rest still generalises. */
static int ring_misfits(Gen *g, const Scope *s, const size_t *ids, size_t n, const uint32_t *idxs,
                        uint32_t count)
{
    g->noffview = 0;
    if (!g->rot[g->kind] || g->rot[g->kind] == count) {
        size_t k;
        for (k = 0; k < n; k++)
            if (idxs[k] != counter_at(s->v[ids[k]].in, g->kind, count) && !offview_note(g, n, k))
                break;
        if (k == n && offview_few(g, n))
            return 1;
    }
    /* another kind's counter, or the one before it (as index_expr): an
     * interrupt cleaning up the descriptor the last send filled, where a
     * few cleaned up another (the driver's index moved where the counter
     * cannot follow) */
    for (unsigned kk = 0; kk < XK_COUNT; kk++) {
        if (kk == g->kind || g->rot[kk] != count)
            continue;
        for (uint32_t back = 0; back <= 1; back++) {
            g->noffview = 0;
            size_t k;
            for (k = 0; k < n; k++)
                if (idxs[k] != (s->v[ids[k]].in->cnt[kk] + count - back) % count &&
                    !offview_note(g, n, k))
                    break;
            if (k == n && offview_few(g, n))
                return 1;
        }
    }
    g->noffview = 0;
    return 0;
}

static int emit_same(Gen *g, Scope *s, const size_t *ids, size_t n_all, int depth)
{
    const XOp *o0 = cur(s, ids[0]);
    char ref[96], e[256];
    ValIn vi[4096];
    /* values are fitted on the first 4096 views; what the spec keeps
     * (values read or loaded, the link state, where frames are) is kept
     * for every view, so that a later guard can use it in all */
    size_t n = n_all > sizeof vi / sizeof vi[0] ? sizeof vi / sizeof vi[0] : n_all;
    switch (o0->kind) {
    case XO_READ: {
        /* a read a later write takes bytes from (byte_runs), alike in
         * every view: a variable of its own */
        size_t k;
        for (k = 1; k < n && cur(s, ids[k])->occ == o0->occ; k++)
            ;
        emit_read(g, s, ids, n_all, o0->reg, k == n ? o0->occ : 0, reg_ref(g, o0->reg, ref, sizeof ref),
                  depth);
        return 0;
    }
    case XO_POLL: {
        const AnPoll *p = poll_at(g, o0);
        reg_ref(g, o0->reg, ref, sizeof ref);
        uint32_t max = p && p->timeout_iter ? p->timeout_iter : 1000;
        indent(g, depth);
        fprintf(g->o, "poll %s 0x%x 0x%x max %u", ref, p ? p->mask : 0, p ? p->exit_value : 0, max);
        if (p && p->stall_us)
            fprintf(g->o, " stall %u", p->stall_us);
        fputs(" else fallback\n", g->o);
        if (!p || !p->timeout_iter)
            note(g, depth, "the driver's own bound for this poll was never reached; 1000 reads");
        return 0;
    }
    case XO_WRITE: {
        size_t k;
        for (k = 1; k < n && cur(s, ids[k])->asm_id == o0->asm_id; k++)
            ;
        if (o0->asm_id && k == n && o0->asm_id <= g->nasm) {
            /* bytes of reads before it (byte_runs): the device's own */
            indent(g, depth);
            fprintf(g->o, "write %s %s\n", reg_ref(g, o0->reg, ref, sizeof ref),
                    g->asmx[o0->asm_id - 1]);
            return 0;
        }
        int pr = pair_write(g, s, ids, n_all, depth);
        if (pr >= 0)
            return pr;
        for (size_t k = 0; k < n; k++) {
            const XOp *o = cur(s, ids[k]);
            vi[k] = (ValIn){o->value, o->addr_region, o->addr_off, o->addr_half};
        }
        reg_ref(g, o0->reg, ref, sizeof ref);
        g->want_reg = o0->reg;
        g->frame_copy = 0;
        int r = value_expr(g, s, ids, n, vi, an_reg(g->a, (size_t)o0->reg)->width, e, sizeof e);
        g->want_reg = -1;
        if (r == 0)
            frame_copy_line(g, depth);
        if (r < 0 && !split_write(g, s, ids, n, vi, o0->reg, ref, depth))
            return 0;
        if (r < 0 && g->addr_like) {
            g->addr_like = 0;
            note(g, depth, "%s: 0x%x is (part of) the address of memory the driver allocated; "
                           "only addr(BUFFER) may give one, and no rule builds this one",
                 ref, vi[0].v);
            fallback(g, depth, "an address the spec cannot give safely");
            return 1;
        }
        if (r < 0 && getenv("XDRV_EXTRACT_DEBUG")) {
            Slot *ps = slot_get(s, SLOT_RX);
            for (size_t k = 0; k < n; k++)
                fprintf(stderr, "  %s: #%llu wrote %x rxpos %x ok %d\n", ref,
                        (unsigned long long)cur(s, ids[k])->seq, vi[k].v, ps ? ps->v[ids[k]] : 0,
                        ps ? ps->ok[ids[k]] : -1);
        }
        if (r < 0) {
            note(g, depth, "%s: written values not generalised (0x%x, 0x%x, ...)", ref, vi[0].v,
                 vi[n > 1].v);
            fallback(g, depth, "a value the traces did not explain");
            return 1;
        }
        indent(g, depth);
        fprintf(g->o, "write %s %s\n", ref, e);
        if (g->pass == 1 && g->track[o0->reg]) {
            char var[80];
            var_name(g->regname[o0->reg], var, sizeof var);
            var[0] = 'w';
            if (strcmp(var, e)) {
                indent(g, depth);
                fprintf(g->o, "set %s %s\n", var, e);
            }
        }
        misfit_note(g, depth, n);
        return 0;
    }
    case XO_STORE:
    case XO_COPY: {
        XRegion *b = &g->x->regions[o0->reg];
        uint32_t offs[4096] = {0};
        for (size_t k = 0; k < n; k++)
            offs[k] = cur(s, ids[k])->off;
        char oe[128];
        if (!b->ring && offset_expr(g, s, ids, n, offs, oe, sizeof oe) < 0) {
            note(g, depth, "stores into %s at offsets not generalised", b->label);
            fallback(g, depth, "a place in memory the traces did not explain");
            return 1;
        }
        b->used = 1;
        if (b->ring) {
            /* a descriptor field: one field, in one descriptor or in the one
             * a counter of requests gives (ring[send_n] FIELD) */
            int same = 1, same_field = 1;
            for (size_t k = 1; k < n; k++) {
                same &= offs[k] == offs[0];
                same_field &= offs[k] % b->ring_desc == offs[0] % b->ring_desc;
            }
            char ie[96];
            snprintf(ie, sizeof ie, "%u", offs[0] / b->ring_desc);
            if (o0->kind == XO_STORE && !same && same_field) {
                uint32_t idxs[4096];
                for (size_t k = 0; k < n; k++)
                    idxs[k] = offs[k] / b->ring_desc;
                if (!index_expr(g, s, ids, n, idxs, b->ring_count, ie, sizeof ie))
                    same = 1;
                else if (ring_misfits(g, s, ids, n, idxs, b->ring_count))
                    return 2; /* gen leaves those out and comes back */
                else if (getenv("XDRV_EXTRACT_DEBUG"))
                    for (size_t k = 0; k < n; k++)
                        fprintf(stderr, "ring %s: #%llu desc %u field 0x%x counter %u (rot %u) trace %u\n",
                                b->label, (unsigned long long)s->v[ids[k]].in->first, idxs[k],
                                offs[k] % b->ring_desc, s->v[ids[k]].in->cnt[g->kind],
                                g->rot[g->kind], s->v[ids[k]].in->trace);
            }
            if (o0->kind != XO_STORE || !same) {
                note(g, depth, "stores into the ring %s at places not generalised", b->label);
                fallback(g, depth, "a descriptor the traces did not explain");
                return 1;
            }
            for (size_t k = 0; k < n; k++) {
                const XOp *o = cur(s, ids[k]);
                vi[k] = (ValIn){o->value, o->addr_region, o->addr_off, o->addr_half};
            }
            uint32_t fld = offs[0] % b->ring_desc;
            if (o0->reg == g->rxp && g->rx_group >= 0 && b->ring_buf_off >= 0 &&
                fld == (uint32_t)b->ring_buf_off && o0->size == 4) {
                /* a receive descriptor re-armed with another buffer of the
                 * array (a driver that lends the filled one to the OS and
                 * swaps in a spare): the spec's frames are copied out when
                 * delivered, so its descriptor keeps the buffer it had */
                size_t k;
                for (k = 0; k < n && vi[k].region >= 0 && !vi[k].off &&
                            g->x->regions[vi[k].region].group == g->rx_group;
                     k++)
                    ;
                int swap = 0;
                for (size_t j = 1; j < n && k == n; j++)
                    swap |= vi[j].region != vi[0].region;
                if (k == n && swap) {
                    const XRegion *grp = &g->x->regions[g->rx_group];
                    note(g, depth, "the driver gave %s[%s] another buffer of %s here (it lends "
                                   "the filled one to the OS); the spec keeps the one it had",
                         b->label, ie, grp->group_name);
                    indent(g, depth);
                    fprintf(g->o, "store %s[%s] 0x%x 4 addr(%s[%s])\n", b->label, ie, fld,
                            grp->group_name, ie);
                    return 0;
                }
            }
            g->frame_copy = 0;
            if (value_expr(g, s, ids, n, vi, o0->size, e, sizeof e) < 0) {
                g->addr_like = 0;
                note(g, depth, "stores into %s: values not generalised (0x%x, ...)", b->label,
                     vi[0].v);
                fallback(g, depth, "a value the traces did not explain");
                return 1;
            }
            frame_copy_line(g, depth);
            /* a buffer-address field holds addr(...): anything else is an
             * address the recording never saw allocated */
            uint32_t field = offs[0] % b->ring_desc;
            int addr_field = b->ring_buf_off >= 0 && field + o0->size > (uint32_t)b->ring_buf_off &&
                             field < (uint32_t)b->ring_buf_off + (b->ring_hi ? 8u : 4u);
            int low_field = addr_field && field < (uint32_t)b->ring_buf_off + 4u;
            if (low_field && !strcmp(e, "0x0")) {
                /* a descriptor the driver is done with, cleared: the spec
                 * keeps the (checked) address it held, never points the
                 * device at 0 */
                note(g, depth, "the driver cleared the buffer address of %s[%s] here; it keeps "
                               "the buffer it had",
                     b->label, ie);
                return 0;
            }
            if (addr_field && strncmp(e, "addr(", 5) && strcmp(e, "0x0")) {
                note(g, depth, "%s[%u] +0x%x: 0x%x, an address in no allocation the traces saw",
                     b->label, offs[0] / b->ring_desc, field, vi[0].v);
                fallback(g, depth, "a buffer address the traces did not explain");
                return 1;
            }
            indent(g, depth);
            fprintf(g->o, "store %s[%s] 0x%x %u %s\n", b->label, ie, field, o0->size, e);
            return 0;
        }
        if (o0->kind == XO_COPY) {
            indent(g, depth);
            fprintf(g->o, "copy %s %s\n", b->label, oe);
            snprintf(g->copy_expr, sizeof g->copy_expr, "%s", oe);
            g->copy_region = o0->reg;
            return 0;
        }
        for (size_t k = 0; k < n; k++) {
            const XOp *o = cur(s, ids[k]);
            vi[k] = (ValIn){o->value, o->addr_region, o->addr_off, o->addr_half};
        }
        g->frame_copy = 0;
        if (value_expr(g, s, ids, n, vi, o0->size, e, sizeof e) < 0) {
            note(g, depth, "stores into %s: values not generalised (0x%x, ...)", b->label, vi[0].v);
            fallback(g, depth, "a value the traces did not explain");
            return 1;
        }
        frame_copy_line(g, depth);
        indent(g, depth);
        fprintf(g->o, "store %s %s %u %s\n", b->label, oe, o0->size, e);
        return 0;
    }
    case XO_BLOB:
        if (o0->value) { /* zeros: the arena's buffers start zeroed */
            int zero = 1;
            for (size_t k = 0; k < n; k++)
                zero &= cur(s, ids[k])->value;
            if (zero && pad_frame(g, s, ids, n, depth))
                return 0;
            if (zero) {
                note(g, depth, "the driver zeroed %u bytes of %s here; buffers start zeroed",
                     o0->len, g->x->regions[o0->reg].label);
                return 0;
            }
        }
        if (o0->reg >= 0 && o0->len <= sizeof o0->bytes && !g->x->regions[o0->reg].ring) {
            /* a few bytes, the same in every instance at one place (a MAC
             * copied into an initialization block): stored as they are */
            int same = 1;
            uint32_t offs[4096] = {0};
            for (size_t k = 0; k < n && same; k++) {
                const XOp *o = cur(s, ids[k]);
                offs[k] = o->off;
                same = o->reg == o0->reg && o->len == o0->len && !memcmp(o->bytes, o0->bytes, o0->len);
            }
            char oe[128];
            if (same && !offset_expr(g, s, ids, n, offs, oe, sizeof oe)) {
                XRegion *b = &g->x->regions[o0->reg];
                b->used = 1;
                int pr = prom_bytes(g, s, ids, n, o0, oe, depth);
                if (pr >= 0)
                    return 0;
                for (uint32_t i = 0; i < o0->len; i++) {
                    indent(g, depth);
                    if (i)
                        fprintf(g->o, "store %s %s + 0x%x 1 0x%x\n", b->label, oe, i, o0->bytes[i]);
                    else
                        fprintf(g->o, "store %s %s 1 0x%x\n", b->label, oe, o0->bytes[0]);
                }
                return 0;
            }
        }
        note(g, depth, "the driver stored %u bytes (not the frame) into %s", o0->len,
             g->x->regions[o0->reg].label);
        fallback(g, depth, "memory contents the traces did not explain");
        return 1;
    case XO_OUTS: {
        /* the bytes it moved: the frame's length, or what the driver pads
         * or rounds it to */
        for (size_t k = 0; k < n; k++)
            vi[k] = (ValIn){cur(s, ids[k])->len, -1, 0, 0};
        reg_ref(g, o0->reg, ref, sizeof ref);
        if (value_expr(g, s, ids, n, vi, 4, e, sizeof e) < 0) {
            note(g, depth, "%s: frames written through it in lengths not generalised (%u, %u, ...)",
                 ref, vi[0].v, vi[n > 1].v);
            fallback(g, depth, "a transfer length the traces did not explain");
            return 1;
        }
        indent(g, depth);
        fprintf(g->o, "outs %s %s\n", ref, e);
        misfit_note(g, depth, n);
        return 0;
    }
    case XO_DELIVER:
        return emit_deliver(g, s, ids, n_all, depth);
    case XO_INS:
        return o0->pio == XPIO_HEADER ? emit_pio_header(g, s, ids, n_all, depth)
                                      : emit_pio_frame(g, s, ids, n, depth);
    case XO_LOAD:
        return emit_load(g, s, ids, n_all, depth);
    case XO_LINK:
        for (size_t k = 0; k < n; k++)
            vi[k] = (ValIn){cur(s, ids[k])->value, -1, 0, 0};
        if (value_expr(g, s, ids, n, vi, 1, e, sizeof e) < 0) {
            note(g, depth, "the link state reported does not follow a value read");
            fallback(g, depth, "a link report the traces did not explain");
            return 1;
        }
        indent(g, depth);
        fprintf(g->o, "linkstate %s\n", e);
        if (g->link_used) {
            indent(g, depth);
            char *end;
            unsigned long c = strtoul(e, &end, 0);
            if (!*end)
                fprintf(g->o, "set linkrep %u\n", c != 0);
            else
                fprintf(g->o, "set linkrep (%s) != 0\n", e);
        }
        {
            Slot *ls = slot_get(s, SLOT_LINK);
            if (ls)
                for (size_t k = 0; k < n_all; k++)
                    ls->v[ids[k]] = cur(s, ids[k])->value != 0;
        }
        return 0;
    case XO_LOOP: {
        int r = emit_loop(g, s, ids, n, depth);
        return r == 2 ? 2 : r != 0;
    }
    case XO_BAD: {
        const AnRegInfo *r = an_reg(g->a, (size_t)o0->reg);
        note(g, depth, "an access of %u bytes at %s 0x%x no declaration can say", r->width,
             r->port ? "port" : "address", r->addr);
        fallback(g, depth, "a register access the spec language cannot say");
        return 1;
    }
    }
    return 0;
}

/* Whether a split of the views (side[k]) keeps every group on one side,
 * with views on both sides. */
static int separates(const int *grp, unsigned ngrp, size_t n, const uint8_t *side)
{
    int gs[64], any1 = 0, any0 = 0;
    for (unsigned q = 0; q < 64; q++)
        gs[q] = -1;
    (void)ngrp;
    for (size_t k = 0; k < n; k++) {
        int q = grp[k], bit = side[k];
        if (q < 64) {
            if (gs[q] >= 0 && gs[q] != bit)
                return 0;
            gs[q] = bit;
        }
        any1 |= bit;
        any0 |= !bit;
    }
    return any1 && any0;
}

/* Where views part: a guard that tells the groups apart. */
static int find_guard(Gen *g, Scope *s, const size_t *ids, size_t n, const int *grp, unsigned ngrp,
                      uint8_t *side, char *out, size_t len)
{
    /* a packet filter's bit: what the OS asked for comes before what the
     * driver happened to read */
    int filt = 1;
    for (size_t k = 0; k < n; k++)
        filt &= s->v[ids[k]].in->kind == XK_FILTER && s->v[ids[k]].in->has_param;
    /* (of the bits that tell the paths apart, the one set in the fewest
     * requests: asking for something more takes the rarer path) */
    int fb = -1;
    size_t fset = SIZE_MAX;
    for (unsigned b = 0; filt && b < 32; b++) {
        size_t set = 0;
        for (size_t k = 0; k < n; k++)
            set += side[k] = (s->v[ids[k]].in->param >> b) & 1;
        if (separates(grp, ngrp, n, side) && set < fset) {
            fb = (int)b;
            fset = set;
        }
    }
    if (fb >= 0) {
        for (size_t k = 0; k < n; k++)
            side[k] = (s->v[ids[k]].in->param >> fb) & 1;
        snprintf(out, len, "filter & 0x%x", 1u << fb);
        return 0;
    }
    /* frames read through a data register: the header's length past a
     * threshold (where the count the driver read first stopped growing,
     * when that count was capped, else between the groups); where the
     * next frame is, below where this one is (the frame wraps round the
     * end of the device's ring); where this one is, one place */
    if (g->prx.ok && s->rounds) {
        Slot *ln = slot_get(s, SLOT_RXLEN), *nx = slot_get(s, SLOT_RXNEXT),
             *ps = slot_get(s, SLOT_RX);
        if (ln && nx && ps && slot_all_ok(ln, ids, n) && slot_all_ok(nx, ids, n) &&
            slot_all_ok(ps, ids, n)) {
            /* where the device has got to, as last read (a DP8390's
             * CURR): the driver looks again when it caught up */
            for (unsigned i = 0; i < s->nslots; i++) {
                const Slot *r = &s->slot[i];
                if (r->key < 0 || !slot_all_ok(r, ids, n))
                    continue;
                for (size_t k = 0; k < n; k++)
                    side[k] = r->v[ids[k]] == ps->v[ids[k]];
                if (separates(grp, ngrp, n, side)) {
                    snprintf(out, len, "rxpos == %s", r->name);
                    return 0;
                }
            }
            for (size_t k = 0; k < n; k++)
                side[k] = nx->v[ids[k]] < ps->v[ids[k]];
            if (separates(grp, ngrp, n, side)) {
                snprintf(out, len, "rxnext < rxpos");
                return 0;
            }
            if (g->cnt_cap.ok) {
                uint32_t c = g->cnt_cap.c;
                for (size_t k = 0; k < n; k++)
                    side[k] = ln->v[ids[k]] > c;
                if (separates(grp, ngrp, n, side)) {
                    snprintf(out, len, "rxlen > 0x%x", c);
                    return 0;
                }
            }
            uint32_t lo_max = 0;
            for (size_t c = 0; c < n; c++) {
                uint32_t t = ln->v[ids[c]];
                for (size_t k = 0; k < n; k++)
                    side[k] = ln->v[ids[k]] > t;
                if (separates(grp, ngrp, n, side) && t > lo_max)
                    lo_max = t;
            }
            if (lo_max) {
                for (size_t k = 0; k < n; k++)
                    side[k] = ln->v[ids[k]] > lo_max;
                snprintf(out, len, "rxlen > 0x%x", lo_max);
                return 0;
            }
            /* where the frame ends in the device's memory (its place in
             * pages, its length) past a threshold: the frame's bytes
             * cross the end of the ring (a page count says only that its
             * pages do). The threshold: the roundest value between the
             * groups (a ring ends at a page). After the page count and
             * the length: where those do not tell the ways apart (a frame
             * whose pages wrap and whose bytes do not) */
            {
                uint32_t lo_max = 0, hi_min = UINT32_MAX;
                for (size_t k = 0; k < n; k++)
                    side[k] = 0;
                for (int pass = 0; pass < 2; pass++) {
                    /* the groups past some end: those whose every view
                     * ends above every view of the others */
                    uint8_t grp_hi[64] = {0};
                    int any = 0;
                    if (pass == 1) {
                        for (size_t k = 0; k < n; k++)
                            if (grp[k] < 64 && side[k])
                                grp_hi[grp[k]] = 1;
                    }
                    if (pass == 0) {
                        /* order the views by end; cut between groups */
                        uint32_t best_cut = UINT32_MAX;
                        for (size_t c = 0; c < n; c++) {
                            uint32_t t = (ps->v[ids[c]] << 8) + ln->v[ids[c]];
                            for (size_t k = 0; k < n; k++)
                                side[k] = (ps->v[ids[k]] << 8) + ln->v[ids[k]] > t;
                            if (separates(grp, ngrp, n, side)) {
                                best_cut = t;
                                break;
                            }
                        }
                        if (best_cut == UINT32_MAX)
                            break;
                        for (size_t k = 0; k < n; k++) {
                            uint32_t e = (ps->v[ids[k]] << 8) + ln->v[ids[k]];
                            side[k] = e > best_cut;
                        }
                        continue;
                    }
                    for (size_t k = 0; k < n; k++) {
                        uint32_t e = (ps->v[ids[k]] << 8) + ln->v[ids[k]];
                        if (grp[k] < 64 && grp_hi[grp[k]])
                            hi_min = e < hi_min ? e : hi_min;
                        else
                            lo_max = e > lo_max ? e : lo_max;
                        any = 1;
                    }
                    if (!any || hi_min <= lo_max || hi_min == UINT32_MAX)
                        break;
                    uint32_t t = lo_max;
                    for (uint32_t b = 1u << 30; b; b >>= 1) {
                        uint32_t c = (hi_min - 1) / b * b;
                        if (c >= lo_max && c < hi_min) {
                            t = c;
                            break;
                        }
                    }
                    for (size_t k = 0; k < n; k++)
                        side[k] = (ps->v[ids[k]] << 8) + ln->v[ids[k]] > t;
                    if (separates(grp, ngrp, n, side)) {
                        snprintf(out, len, "(rxpos << 8) + rxlen > 0x%x", t);
                        return 0;
                    }
                }
            }
            for (size_t c = 0; c < n; c++) {
                uint32_t t = ps->v[ids[c]];
                for (size_t k = 0; k < n; k++)
                    side[k] = ps->v[ids[k]] == t;
                if (separates(grp, ngrp, n, side)) {
                    snprintf(out, len, "rxpos == 0x%x", t);
                    return 0;
                }
            }
        }
    }
    /* a bit of a value read (most recent first) */
    Slot *order[MAX_SLOTS];
    unsigned no = 0;
    for (unsigned i = 0; i < s->nslots; i++)
        if (s->slot[i].key != SLOT_RX && s->slot[i].key != SLOT_RXN &&
            s->slot[i].key != SLOT_LINK && slot_all_ok(&s->slot[i], ids, n))
            order[no++] = &s->slot[i];
    for (unsigned i = 1; i < no; i++)
        for (unsigned j = i; j > 0 && order[j]->stamp > order[j - 1]->stamp; j--) {
            Slot *t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (unsigned i = 0; i < no; i++) {
        for (unsigned b = 0; b < 32; b++) {
            for (size_t k = 0; k < n; k++)
                side[k] = (order[i]->v[ids[k]] >> b) & 1;
            if (separates(grp, ngrp, n, side)) {
                snprintf(out, len, "%s & 0x%x", order[i]->name, 1u << b);
                return 0;
            }
        }
    }
    /* a value read equal to one constant in one group, never in the others */
    for (unsigned i = 0; i < no; i++) {
        for (unsigned q = 0; q < ngrp && q < 64; q++) {
            uint32_t c = 0;
            int have = 0, ok = 1;
            for (size_t k = 0; k < n && ok; k++) {
                uint32_t v = order[i]->v[ids[k]];
                if (grp[k] == (int)q) {
                    if (have && v != c)
                        ok = 0;
                    c = v;
                    have = 1;
                }
            }
            for (size_t k = 0; k < n && ok; k++)
                if (grp[k] != (int)q && order[i]->v[ids[k]] == c)
                    ok = 0;
            if (ok && have) {
                for (size_t k = 0; k < n; k++)
                    side[k] = grp[k] == (int)q;
                snprintf(out, len, "%s == 0x%x", order[i]->name, c);
                return 0;
            }
        }
    }
    /* ... or one of a few (at most 4) constants: a status register read as
     * 0 (nothing pending) or as all ones (the device gone) ends an ISR.
     * Of the groups that qualify, the one with the fewest values, and of
     * those one whose values hold 0 (a status with nothing in it) */
    for (unsigned i = 0; i < no; i++) {
        int bq = -1;
        unsigned bn = 5, bz = 0;
        uint32_t bc[4];
        for (unsigned q = 0; q < ngrp && q < 64; q++) {
            uint32_t c[4];
            unsigned nc = 0;
            int ok = 1;
            for (size_t k = 0; k < n && ok; k++) {
                if (grp[k] != (int)q)
                    continue;
                uint32_t v = order[i]->v[ids[k]];
                unsigned j;
                for (j = 0; j < nc && c[j] != v; j++)
                    ;
                if (j == nc) {
                    if (nc == 4)
                        ok = 0;
                    else
                        c[nc++] = v;
                }
            }
            for (size_t k = 0; k < n && ok; k++)
                for (unsigned j = 0; j < nc && ok; j++)
                    if (grp[k] != (int)q && order[i]->v[ids[k]] == c[j])
                        ok = 0;
            if (!ok || nc < 2)
                continue;
            unsigned z = 0;
            for (unsigned j = 0; j < nc; j++)
                z |= c[j] == 0;
            if (nc < bn || (nc == bn && z && !bz)) {
                bq = (int)q;
                bn = nc;
                bz = z;
                memcpy(bc, c, sizeof c);
            }
        }
        if (bq < 0)
            continue;
        for (unsigned a = 1; a < bn; a++) /* in order: the same text every time */
            for (unsigned b = a; b > 0 && bc[b] < bc[b - 1]; b--) {
                uint32_t t = bc[b];
                bc[b] = bc[b - 1];
                bc[b - 1] = t;
            }
        for (size_t k = 0; k < n; k++)
            side[k] = grp[k] == bq;
        int m = 0;
        for (unsigned j = 0; j < bn; j++)
            m += snprintf(out + m, len - (size_t)m, "%s%s == 0x%x", j ? " || " : "",
                          order[i]->name, bc[j]);
        return 0;
    }
    /* the request's parameter: a threshold */
    int have = 1;
    for (size_t k = 0; k < n; k++)
        have &= s->v[ids[k]].in->has_param;
    if (have) {
        uint32_t best_t = 0;
        for (size_t c = 0; c < n && !best_t; c++) {
            uint32_t t = s->v[ids[c]].in->param;
            for (size_t k = 0; k < n; k++)
                side[k] = s->v[ids[k]].in->param >= t;
            if (separates(grp, ngrp, n, side))
                best_t = t;
        }
        if (best_t) {
            const char *pn = s->v[ids[0]].in->kind == XK_SEND     ? "len"
                             : s->v[ids[0]].in->kind == XK_FILTER ? "filter"
                                                                  : "count";
            for (size_t k = 0; k < n; k++)
                side[k] = s->v[ids[k]].in->param >= best_t;
            snprintf(out, len, "%s >= %u", pn, best_t);
            return 0;
        }
    }
    /* a field loaded earlier that one group then stores into, last with a
     * value that differs from the loaded one: a driver that rewrites what
     * it keeps only when the value changes (a PCnet's MODE, from the
     * filter). The guard is `NEW != loaded`, NEW explained across all the
     * views, the others' being what they loaded (it did not change). */
    for (unsigned i = 0; i < s->nslots && n <= 4096; i++) {
        const Slot *sl = &s->slot[i];
        if (sl->key > -16 || !slot_all_ok(sl, ids, n))
            continue;
        int region = (-16 - sl->key) / 4096;
        uint32_t off = (uint32_t)((-16 - sl->key) % 4096);
        if (region < 0 || (unsigned)region >= g->x->nregions || g->x->regions[region].ring)
            continue;
        for (unsigned q = 0; q < ngrp && q < 64; q++) {
            static ValIn vi[4096];
            int ok = 1;
            unsigned width = 0;
            for (size_t k = 0; k < n && ok; k++) {
                const View *v = &s->v[ids[k]];
                const XOp *last = NULL;
                for (size_t j = s->pos[ids[k]]; j < v->n; j++)
                    if (v->ops[j].kind == XO_STORE && v->ops[j].reg == region &&
                        v->ops[j].off == off)
                        last = &v->ops[j];
                if (grp[k] == (int)q) {
                    ok = last && (last->value & width_mask(last->size)) !=
                                     (sl->v[ids[k]] & width_mask(last->size));
                    if (ok && width && width != last->size)
                        ok = 0;
                    if (ok) {
                        width = last->size;
                        vi[k] = (ValIn){last->value, -1, 0, 0};
                    }
                } else {
                    ok = !last;
                    vi[k] = (ValIn){sl->v[ids[k]], -1, 0, 0};
                }
            }
            char e[400];
            if (!ok || !width || value_expr(g, s, ids, n, vi, width, e, sizeof e) < 0 ||
                strstr(e, sl->name))
                continue;
            for (size_t k = 0; k < n; k++)
                side[k] = grp[k] == (int)q;
            if (!separates(grp, ngrp, n, side))
                continue;
            snprintf(out, len, "(%s) != %s", e, sl->name);
            return 0;
        }
    }
    /* the link state the driver last reported: one value in one group,
     * never in the others (a driver that reconfigures on a link coming
     * back, not on the first link-up at init) */
    const Slot *ls = slot_get(s, SLOT_LINK);
    if (ls && slot_all_ok(ls, ids, n))
        for (unsigned q = 0; q < ngrp && q < 64; q++) {
            uint32_t c = 0;
            int have = 0, ok = 1;
            for (size_t k = 0; k < n && ok; k++)
                if (grp[k] == (int)q) {
                    if (have && ls->v[ids[k]] != c)
                        ok = 0;
                    c = ls->v[ids[k]];
                    have = 1;
                }
            for (size_t k = 0; k < n && ok; k++)
                if (grp[k] != (int)q && ls->v[ids[k]] == c)
                    ok = 0;
            if (ok && have) {
                for (size_t k = 0; k < n; k++)
                    side[k] = grp[k] == (int)q;
                g->link_used = 1;
                snprintf(out, len, "linkrep == 0x%x", c);
                return 0;
            }
        }
    return -1;
}

/* The end of a path: requests that laid a ring out anew there (ring_restarts)
 * start its counter again, as init does. */
static void path_end(Gen *g, const Scope *s, const size_t *ids, size_t n, int depth)
{
    if (!g->restarts || s->rounds || !n)
        return;
    for (unsigned bit = 1; bit <= 2; bit <<= 1) {
        size_t r = 0;
        for (size_t k = 0; k < n; k++)
            r += (s->v[ids[k]].in->restart & bit) != 0;
        char nm[48];
        const char *ctr = bit == 1 ? (g->rot_prev[XK_SEND] ? counter_name(XK_SEND, nm, sizeof nm)
                                                           : NULL)
                                   : g->rxn_known ? "rx_n" : NULL;
        if (!r || !ctr)
            continue;
        if (r < n) {
            note(g, depth, "%zu of %zu requests here laid the %s ring out anew, the others not",
                 r, n, bit == 1 ? "transmit" : "receive");
            continue;
        }
        indent(g, depth);
        fprintf(g->o, "set %s 0\n", ctr);
    }
}

/* The views' ops from here to their frame's end (a pio deliver) are
 * alike. */
static int shape_same(const Gen *g, const Scope *s, size_t a, size_t b)
{
    const View *va = &s->v[a], *vb = &s->v[b];
    size_t i = s->pos[a], j = s->pos[b];
    for (;; i++, j++) {
        const XOp *x = i < va->n ? &va->ops[i] : NULL, *y = j < vb->n ? &vb->ops[j] : NULL;
        if (!same_key(g, x, y))
            return 0;
        if (!x || is_pio_deliver(x))
            return 1;
    }
}

static void gen_split(Gen *g, Scope *s, size_t *ids, size_t n, int depth, const uint8_t *side,
                      const char *cond, int prx);

/* The current op's value (a write's, an ins's length) follows one rule
 * across the views (those with side[k] == want, all when side is NULL),
 * tried without a trace left in g. */
static int value_fits(Gen *g, Scope *s, const size_t *ids, size_t n, const uint8_t *side, int want)
{
    static Gen saved;
    static ValIn vi[4096];
    static size_t sub[4096];
    const XOp *o0 = cur(s, ids[0]);
    size_t m = 0;
    for (size_t k = 0; k < n && m < 4096; k++) {
        if (side && side[k] != want)
            continue;
        const XOp *o = cur(s, ids[k]);
        sub[m] = ids[k];
        vi[m++] = (ValIn){o0->kind == XO_WRITE ? o->value : o->len, o->addr_region, o->addr_off,
                          o->addr_half};
    }
    if (!m)
        return 0;
    saved = *g;
    char e[512];
    unsigned w = o0->kind == XO_WRITE ? an_reg(g->a, (size_t)o0->reg)->width : 2;
    int fits = value_expr(g, s, sub, m, vi, w, e, sizeof e) == 0;
    *g = saved;
    return fits;
}

/* Candidate guards on a frame read through a data register, in turn (c =
 * 0, 1, ...): where the next frame is below where this one is (it wraps
 * round the end of the device's ring), this one at one place, its length
 * past a threshold. 0 with side[] and cond filled, 1 not this one, -1 no
 * more. */
static int prx_guard(Gen *g, Scope *s, const size_t *ids, size_t n, unsigned c, uint8_t *side,
                     char *cond, size_t len)
{
    Slot *ln = slot_get(s, SLOT_RXLEN), *nx = slot_get(s, SLOT_RXNEXT), *ps = slot_get(s, SLOT_RX);
    if (!ln || !nx || !ps || !slot_all_ok(ln, ids, n) || !slot_all_ok(nx, ids, n) ||
        !slot_all_ok(ps, ids, n))
        return -1;
    if (c == 0) {
        for (size_t k = 0; k < n; k++)
            side[k] = nx->v[ids[k]] < ps->v[ids[k]];
        snprintf(cond, len, "rxnext < rxpos");
        return 0;
    }
    c--;
    if (c < n) {
        uint32_t t = ps->v[ids[c]];
        for (size_t k = 0; k < c; k++)
            if (ps->v[ids[k]] == t)
                return 1; /* tried */
        for (size_t k = 0; k < n; k++)
            side[k] = ps->v[ids[k]] == t;
        snprintf(cond, len, "rxpos == 0x%x", t);
        return 0;
    }
    c -= (unsigned)n;
    if (c < n) {
        uint32_t t = nx->v[ids[c]];
        for (size_t k = 0; k < c; k++)
            if (nx->v[ids[k]] == t)
                return 1;
        for (size_t k = 0; k < n; k++)
            side[k] = nx->v[ids[k]] == t;
        snprintf(cond, len, "rxnext == 0x%x", t);
        return 0;
    }
    c -= (unsigned)n;
    if (c == 0) {
        if (!g->cnt_cap.ok)
            return 1;
        for (size_t k = 0; k < n; k++)
            side[k] = ln->v[ids[k]] > g->cnt_cap.c;
        snprintf(cond, len, "rxlen > 0x%x", g->cnt_cap.c);
        return 0;
    }
    c--;
    if (c < n) {
        uint32_t t = ln->v[ids[c]];
        for (size_t k = 0; k < n; k++)
            side[k] = ln->v[ids[k]] > t;
        snprintf(cond, len, "rxlen > 0x%x", t);
        return 0;
    }
    return -1;
}

/* Rounds of frames read through a data register that will part later in
 * the frame (a read split where the device's ring ends) part here, where
 * a value already differs: grouped by what they do up to the frame's end,
 * when a guard tells those groups apart. 1 emitted, 0 not. */
static int split_ahead(Gen *g, Scope *s, size_t *ids, size_t n, int depth)
{
    const XOp *o0 = cur(s, ids[0]);
    /* only when the value does not follow one rule across them all */
    if (!g->prx.ok || !s->rounds || (o0->kind != XO_WRITE && o0->kind != XO_INS) || n < 2 ||
        value_fits(g, s, ids, n, NULL, 1))
        return 0;
    int *grp = malloc(n * sizeof *grp);
    uint8_t *side = malloc(n);
    size_t rep[64];
    unsigned ngrp = 0;
    int rc = 0;
    if (!grp || !side)
        goto out;
    for (size_t k = 0; k < n; k++) {
        unsigned q;
        for (q = 0; q < ngrp && !shape_same(g, s, ids[rep[q]], ids[k]); q++)
            ;
        if (q == ngrp) {
            if (ngrp == 64)
                goto out;
            rep[ngrp++] = k;
        }
        grp[k] = (int)q;
    }
    char cond[512];
    /* the value follows one rule on each side of a guard on the frame's
     * place or length: the rest apart */
    /* (first where both sides follow a rule; then where the larger one
     * does, the other to be told apart again inside its branch) */
    for (int both = 1; both >= 0; both--)
        for (unsigned c = 0;; c++) {
            int r = prx_guard(g, s, ids, n, c, side, cond, sizeof cond);
            if (r < 0)
                break;
            if (r > 0)
                continue;
            size_t ones = 0;
            for (size_t k = 0; k < n; k++)
                ones += side[k];
            int f1 = value_fits(g, s, ids, n, side, 1), f0 = value_fits(g, s, ids, n, side, 0);
            if (both ? !f1 || !f0 : !(ones * 2 >= n ? f1 : f0))
                continue;
            gen_split(g, s, ids, n, depth, side, cond, 1);
            rc = 1;
            goto out;
        }
    /* else the ways they go on to the frame's end, told apart */
    if (ngrp >= 2 && !find_guard(g, s, ids, n, grp, ngrp, side, cond, sizeof cond)) {
        gen_split(g, s, ids, n, depth, side, cond, 1);
        rc = 1;
    }
out:
    free(grp);
    free(side);
    return rc;
}

/* One side of a guard. In rounds of frames read through a data register,
 * a side whose actions take the frame's place from a constant (the bytes
 * left to the end of the device's ring) is kept to the places its frames
 * had: elsewhere the count could run past the buffer, and the traces
 * never showed it (replay hands over). */
static void gen_branch(Gen *g, Scope *s, size_t *ids, size_t n, int depth)
{
    Slot *ps = g->prx.ok && s->rounds ? slot_get(s, SLOT_RX) : NULL;
    if (!ps || !n || !slot_all_ok(ps, ids, n)) {
        gen(g, s, ids, n, depth);
        return;
    }
    uint32_t lo = UINT32_MAX, hi = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t v = ps->v[ids[k]];
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    FILE *saved = g->o;
    char *text = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&text, &len);
    if (!o) {
        gen(g, s, ids, n, depth);
        return;
    }
    int was_place = g->prx.from_place, was_guarded = g->prx.guarded;
    uint32_t was_max = g->prx.place_max, was_need = g->prx.len_need;
    g->prx.from_place = g->prx.guarded = 0;
    g->prx.place_max = UINT32_MAX;
    g->prx.len_need = 0;
    g->o = o;
    gen(g, s, ids, n, depth);
    fclose(o);
    g->o = saved;
    int guard = g->prx.from_place && !g->prx.guarded;
    /* the places above the highest seen, up to where every count taken
     * from the place stays one (K - (rxpos << 8) >= 0) and inside the
     * device's ring: the same shape of frame there, at places the
     * traces' frames happened not to start */
    if (guard && g->prx.place_max != UINT32_MAX) {
        uint32_t top = g->prx.place_max < g->prx.next_hi ? g->prx.place_max : g->prx.next_hi;
        hi = top > hi ? top : hi;
    }
    g->prx.place_max = was_max < g->prx.place_max ? was_max : g->prx.place_max;
    /* a count rxlen - C here: frames shorter than C (none in the traces
     * here) hand over, rather than have the count run round */
    Slot *ln = slot_get(s, SLOT_RXLEN);
    if (g->prx.len_need > g->prx.len_floor && ln && slot_all_ok(ln, ids, n)) {
        uint32_t shortest = UINT32_MAX;
        for (size_t k = 0; k < n; k++)
            shortest = ln->v[ids[k]] < shortest ? ln->v[ids[k]] : shortest;
        if (shortest >= g->prx.len_need) {
            indent(g, depth);
            fprintf(g->o, "if rxlen < 0x%x\n", g->prx.len_need);
            fallback(g, depth + 1, "a frame shorter than the traces showed here");
            indent(g, depth);
            fputs("end\n", g->o);
            g->prx.len_need = 0;
        }
    }
    if (g->prx.len_need < was_need)
        g->prx.len_need = was_need;
    if (guard) {
        indent(g, depth);
        fprintf(g->o, "if rxpos < 0x%x || rxpos > 0x%x\n", lo, hi);
        fallback(g, depth + 1, "a frame at a place the traces did not show");
        indent(g, depth);
        fputs("end\n", g->o);
        g->prx.big = 1;
    }
    g->prx.from_place |= was_place;
    g->prx.guarded |= was_guarded || guard;
    if (text)
        fwrite(text, 1, len, g->o);
    free(text);
}

/* `if cond`, the views on side 1, `else`, the others, `end`. */
static void gen_split(Gen *g, Scope *s, size_t *ids, size_t n, int depth, const uint8_t *side,
                      const char *cond, int prx)
{
    size_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    size_t na = 0, nb = 0;
    if (a && b) {
        for (size_t k = 0; k < n; k++) {
            if (side[k])
                a[na++] = ids[k];
            else
                b[nb++] = ids[k];
        }
        int was = g->in_prx_split;
        g->in_prx_split = prx && g->prx.ok && s->rounds;
        indent(g, depth);
        fprintf(g->o, "if %s\n", cond);
        uint32_t floor = g->prx.len_floor, t;
        char tail;
        if (sscanf(cond, "rxlen > %x%c", &t, &tail) == 1 && t + 1 > floor)
            g->prx.len_floor = t + 1;
        gen_branch(g, s, a, na, depth + 1);
        g->prx.len_floor = floor;
        indent(g, depth);
        fputs("else\n", g->o);
        gen_branch(g, s, b, nb, depth + 1);
        indent(g, depth);
        fputs("end\n", g->o);
        g->in_prx_split = was;
    }
    free(a);
    free(b);
}

/* Some views report the link here and the others go on as they do after
 * the report: a driver that tells the OS only when the link changed. If
 * the reported state follows a value read (E), and in the other views E
 * is the state they last reported (or, before any report since init, one
 * state for all: what the driver took the link to be), the spec states
 * `linkstate E` in every view (the host passes a change on, and nothing
 * else). 1: emitted (the reporting views moved past their report). */
static int link_always(Gen *g, Scope *s, size_t *ids, size_t n, const int *grp, unsigned ngrp,
                       const XOp *const *rep, int depth)
{
    if (ngrp != 2 || n > 4096 || !rep[0] || !rep[1])
        return 0;
    unsigned lq = rep[0]->kind == XO_LINK ? 0 : rep[1]->kind == XO_LINK ? 1 : 2;
    if (lq == 2 || rep[1 - lq]->kind == XO_LINK)
        return 0;
    Slot *ls = slot_get(s, SLOT_LINK);
    if (!ls || !slot_all_ok(ls, ids, n))
        return 0;
    /* after the report, the reporting views go on as the others do */
    for (size_t k = 0; k < n; k++)
        if (grp[k] == (int)lq) {
            const View *v = &s->v[ids[k]];
            size_t at = s->pos[ids[k]] + 1;
            if (at >= v->n || !same_key(g, &v->ops[at], rep[1 - lq]))
                return 0;
        }
    static ValIn vi[4096];
    char e[400];
    for (uint32_t first = 1; first <= 1; first--) {
        for (size_t k = 0; k < n; k++) {
            uint32_t v = grp[k] == (int)lq ? cur(s, ids[k])->value != 0
                         : ls->v[ids[k]] == LINK_NONE ? first
                                                      : ls->v[ids[k]];
            vi[k] = (ValIn){v, -1, 0, 0};
        }
        if (value_expr(g, s, ids, n, vi, 1, e, sizeof e) == 0 && !strstr(e, "linkrep"))
            break;
        e[0] = 0;
        if (!first)
            break;
    }
    if (!e[0])
        return 0;
    size_t nrep = 0;
    for (size_t k = 0; k < n; k++)
        nrep += grp[k] == (int)lq;
    note(g, depth,
         "%zu of %zu requests reported the link here, the others had reported what they read: "
         "stated in all",
         nrep, n);
    indent(g, depth);
    fprintf(g->o, "linkstate %s\n", e);
    if (g->link_used) {
        indent(g, depth);
        fprintf(g->o, "set linkrep (%s) != 0\n", e);
    }
    for (size_t k = 0; k < n; k++) {
        ls->v[ids[k]] = vi[k].v != 0;
        if (grp[k] == (int)lq)
            s->pos[ids[k]]++;
    }
    return 1;
}

/* The views g->offview names (positions in ids) left out, with a note;
 * the count of those kept. */
static size_t leave_offviews(Gen *g, Scope *s, size_t *ids, size_t n, int depth, const char *what)
{
    uint64_t seq = cur(s, ids[g->offview[0]])->seq;
    size_t m = 0, j = 0;
    for (size_t k = 0; k < n; k++) {
        if (j < g->noffview && g->offview[j] == k) {
            j++;
            continue;
        }
        ids[m++] = ids[k];
    }
    note(g, depth,
         "%u of %zu requests used %s their counter does not give (first at event #%llu); left "
         "out here",
         g->noffview, n, what, (unsigned long long)seq);
    g->noffview = 0;
    return m;
}

static void gen(Gen *g, Scope *s, size_t *ids, size_t n, int depth)
{
    /* frames read through a data register, one or two alone in their
     * branch: their values are those frames', too few to generalise.
     * Counted by distinct frames (place and length): explore's runs repeat
     * a frame at the same place, which makes its constants fit often */
    size_t distinct = n;
    if (g->prx.ok && s->rounds && n >= 3 && depth > 0 && g->in_prx_split) {
        Slot *ps = slot_get(s, SLOT_RX), *ln = slot_get(s, SLOT_RXLEN);
        if (ps && ln && slot_all_ok(ps, ids, n) && slot_all_ok(ln, ids, n)) {
            uint64_t seen[3];
            distinct = 0;
            for (size_t k = 0; k < n && distinct < 3; k++) {
                uint64_t key = (uint64_t)ps->v[ids[k]] << 32 | ln->v[ids[k]];
                size_t q;
                for (q = 0; q < distinct && seen[q] != key; q++)
                    ;
                if (q == distinct)
                    seen[distinct++] = key;
            }
        }
    }
    if (g->prx.ok && s->rounds && distinct < 3 && depth > 0 && cur(s, ids[0]) &&
        g->in_prx_split) {
        note(g, depth,
             "frames read through the data register this way: %zu in the traces, %zu "
             "distinct (event #%llu), not generalised",
             n, distinct, (unsigned long long)cur(s, ids[0])->seq);
        fallback(g, depth, "receiving is not generalised");
        return;
    }
    while (n) {
        const XOp *o0 = cur(s, ids[0]);
        size_t k;
        for (k = 1; k < n && same_key(g, cur(s, ids[k]), o0); k++)
            ;
        if (k == n) {
            if (!o0) {
                path_end(g, s, ids, n, depth);
                return;
            }
            if (split_ahead(g, s, ids, n, depth))
                return;
            int r = emit_same(g, s, ids, n, depth);
            if (r == 2) { /* a few views left out: the same op again without them */
                n = leave_offviews(g, s, ids, n, depth, "a descriptor");
                continue;
            }
            if (r)
                return;
            for (k = 0; k < n; k++)
                s->pos[ids[k]]++;
            continue;
        }
        int fr = try_family(g, s, ids, n, depth);
        if (fr == 2) {
            n = leave_offviews(g, s, ids, n, depth, "a register");
            continue;
        }
        if (fr >= 0) {
            if (fr)
                return;
            for (k = 0; k < n; k++)
                s->pos[ids[k]]++;
            continue;
        }
        /* the groups of views by their next op */
        int *grp = malloc(n * sizeof *grp);
        uint8_t *side = malloc(n);
        if (!grp || !side) {
            free(grp);
            free(side);
            return;
        }
        unsigned ngrp = 0;
        const XOp *rep[64];
        size_t cnt[64] = {0};
        for (k = 0; k < n; k++) {
            const XOp *o = cur(s, ids[k]);
            unsigned q;
            for (q = 0; q < ngrp && !same_key(g, rep[q], o); q++)
                ;
            if (q == ngrp && ngrp < 64)
                rep[ngrp++] = o;
            grp[k] = (int)q;
            if (q < 64)
                cnt[q]++;
        }
        if (link_always(g, s, ids, n, grp, ngrp, rep, depth)) {
            free(grp);
            free(side);
            continue;
        }
        char cond[512];
        if (!find_guard(g, s, ids, n, grp, ngrp, side, cond, sizeof cond)) {
            gen_split(g, s, ids, n, depth, side, cond, 0);
            free(grp);
            free(side);
            return;
        }
        /* nothing tells them apart: the most common path, and a note.
         * Accesses of one kind to registers of one width and window count
         * as one path (an array access, made on the next round). */
        for (unsigned q = 0; q < ngrp; q++)
            for (unsigned r = q + 1; r < ngrp; r++)
                if (array_alike(g, rep[q], rep[r]) && cnt[q] + cnt[r] < n) {
                    for (k = 0; k < n; k++)
                        if (grp[k] == (int)r)
                            grp[k] = (int)q;
                    cnt[q] += cnt[r];
                    cnt[r] = 0;
                }
        unsigned best = 0;
        for (unsigned q = 1; q < ngrp; q++)
            if (cnt[q] > cnt[best])
                best = q;
        if (getenv("XDRV_EXTRACT_GUARDS")) {
            fprintf(stderr, "split at depth %d, %zu views:\n", depth, n);
            for (size_t q = 0; q < n && q < 200000; q++) {
                fprintf(stderr, " g%d trace %u #%llu", grp[q], s->v[ids[q]].in->trace,
                        (unsigned long long)(cur(s, ids[q]) ? cur(s, ids[q])->seq : 0));
                for (unsigned i = 0; i < s->nslots; i++)
                    if (s->slot[i].key >= 0 && s->slot[i].ok[ids[q]])
                        fprintf(stderr, " %s=%x", s->slot[i].name, s->slot[i].v[ids[q]]);
                fputc('\n', stderr);
            }
        }
        size_t m = 0, other = 0;
        uint64_t seq = 0;
        for (k = 0; k < n; k++) {
            if (grp[k] == (int)best) {
                ids[m++] = ids[k];
            } else {
                if (!other++)
                    seq = cur(s, ids[k]) ? cur(s, ids[k])->seq : s->v[ids[k]].in->last;
            }
        }
        note(g, depth,
             "%zu of %zu requests went another way here (first at event #%llu); nothing read "
             "before tells them apart",
             other, n, (unsigned long long)seq);
        n = m;
        free(grp);
        free(side);
        if (!cur(s, ids[0])) {
            path_end(g, s, ids, n, depth);
            return;
        }
    }
}

/* ------------------------------------------------------- preprocessing */

/* Units of a loop: key sequences that start with a read, hold a frame
 * handed to the OS, and run twice or more in a row in some request. */
#define MAX_UNITS 8
typedef struct Units {
    const XOp *u[MAX_UNITS];
    uint32_t len[MAX_UNITS];
    unsigned n;
} Units;

static int unit_at(const Gen *g, const XOp *ops, size_t n, size_t i, const XOp *unit, uint32_t u)
{
    if (i + u > n)
        return 0;
    for (uint32_t j = 0; j < u; j++)
        if (!same_key(g, &ops[i + j], &unit[j]))
            return 0;
    return 1;
}

static void find_units(const Gen *g, const XInst *in, Units *us)
{
    for (size_t i = 0; i < in->nraw; i++) {
        if (in->raw[i].kind != XO_READ && in->raw[i].kind != XO_LOAD)
            continue;
        for (uint32_t u = 2; u <= 16 && i + 2 * (size_t)u <= in->nraw; u++) {
            int has = 0;
            for (uint32_t j = 0; j < u; j++)
                has |= in->raw[i + j].kind == XO_DELIVER;
            if (!has || !unit_at(g, in->raw, in->nraw, i + u, &in->raw[i], u))
                continue;
            unsigned q;
            for (q = 0; q < us->n; q++)
                if (us->len[q] == u && unit_at(g, &in->raw[i], u, 0, us->u[q], u))
                    break;
            if (q == us->n && us->n < MAX_UNITS) {
                us->u[us->n] = &in->raw[i];
                us->len[us->n++] = u;
            }
            break;
        }
    }
}

/* The write of an index register at raw[i] is followed by an access (the
 * next register access of the instance) through a view of that index. */
static int selects_next(const Gen *g, const XInst *in, size_t i)
{
    const AnRegInfo *ix = an_reg(g->a, (size_t)in->raw[i].reg);
    for (size_t j = i + 1; j < in->nraw; j++) {
        const XOp *o = &in->raw[j];
        if (o->kind != XO_READ && o->kind != XO_WRITE && o->kind != XO_POLL && o->kind != XO_INS &&
            o->kind != XO_OUTS)
            continue;
        const AnRegInfo *r = an_reg(g->a, (size_t)o->reg);
        return r->selected && r->port == ix->port && r->index_addr == ix->addr;
    }
    return 0;
}

/* Reads at a poll site become one poll (collapse_polls); a unit of `us`
 * repeated, then its first read once more (the one that ended it),
 * becomes a loop (collapse). */
static void collapse_polls(Gen *g, XInst *in)
{
    size_t n = 0;
    for (size_t i = 0; i < in->nraw; i++) {
        XOp o = in->raw[i];
        /* the index register's writes that select what the next access
         * through it reaches: the spec's index views make them (another
         * width at its address is another register). Its reads, and a
         * write no access through it follows (an ISR saving the index and
         * restoring it on its way out), stay as they are. */
        if (o.kind == XO_WRITE && an_reg(g->a, (size_t)o.reg)->is_index && g->index_view[o.reg]) {
            /* decided once: a later pass no longer sees the selecting
             * writes this one dropped */
            if (!o.index_kept && selects_next(g, in, i))
                continue;
            o.index_kept = 1;
        }
        /* copies out of device memory the OS never got: not receptions */
        if (o.kind == XO_DELIVER && !o.value)
            continue;
        /* loads: a receive ring's (its descriptors' status and length),
         * and fields of a block the driver keeps for the device (a PCnet's
         * initialization block, compared before it is rewritten); the rest
         * is the driver looking at data */
        if (o.kind == XO_LOAD &&
            (o.reg < 0 || (o.reg != g->rxp && (g->x->regions[o.reg].ring ||
                                                g->x->regions[o.reg].group >= 0 ||
                                                !g->x->regions[o.reg].piece || o.off >= 4096))))
            continue;
        if ((o.kind == XO_WRITE || o.kind == XO_READ) && g->bad[o.reg])
            o.kind = XO_BAD;
        if (o.kind == XO_READ && poll_at(g, &o)) {
            o.kind = XO_POLL;
            o.len = 1;
            while (i + 1 < in->nraw && in->raw[i + 1].kind == XO_READ &&
                   in->raw[i + 1].reg == o.reg && in->raw[i + 1].pc == o.pc) {
                o.value = in->raw[++i].value;
                o.len++;
            }
        }
        in->raw[n++] = o; /* in place: n <= i */
    }
    in->nraw = n;
}

static int collapse(Gen *g, XInst *in, const Units *us)
{
    free(in->ops);
    in->ops = malloc((in->nraw ? in->nraw : 1) * sizeof *in->ops);
    if (!in->ops)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < in->nraw;) {
        const XOp *o = &in->raw[i];
        int done = 0;
        for (unsigned q = 0; q < us->n && !done; q++) {
            uint32_t u = us->len[q];
            if (!unit_at(g, in->raw, in->nraw, i, us->u[q], u))
                continue;
            {
                uint32_t it = 1;
                while (unit_at(g, in->raw, in->nraw, i + (size_t)it * u, us->u[q], u))
                    it++;
                size_t end = i + (size_t)it * u;
                if (end < in->nraw && same_key(g, &in->raw[end], &in->raw[i])) {
                    XOp L = {.kind = XO_LOOP,
                             .reg = -1,
                             .addr_region = -1,
                             .len = it,
                             .unit = u,
                             .sub = &in->raw[i],
                             .seq = o->seq,
                             .pc = o->pc};
                    in->ops[m++] = L;
                    i = end + 1;
                    done = 1;
                }
            }
        }
        if (!done)
            in->ops[m++] = in->raw[i++];
    }
    in->n = m;
    return 0;
}

/* The circular receive buffer: header before each frame, the length in it,
 * the alignment and the wrap, checked against every frame delivered. */
static void rx_model(Gen *g)
{
    RxModel *rx = &g->rx;
    const AnRxBuffer *ab = an_rx(g->a);
    memset(rx, 0, sizeof *rx);
    rx->region = -1;
    if (!ab || ab->kind != AN_RX_CIRCULAR || ab->hdr_len_off < 0) {
        rx->why = ab && ab->kind == AN_RX_RING ? "descriptor rings are not generalised yet"
                  : ab && ab->kind == AN_RX_PORT
                      ? "reads through a data port are not generalised yet"
                      : "no receive buffer was recognised";
        return;
    }
    rx->hdr = ab->hdr_size;
    rx->len_off = (uint32_t)ab->hdr_len_off;
    rx->adj = (uint32_t)ab->len_adj;
    /* the deliveries in trace order: (trace, offset, len), restarting at
     * each init */
    int region = -1;
    for (size_t i = 0; i < g->x->ninst; i++)
        for (size_t j = 0; j < g->x->inst[i].nraw; j++)
            if (g->x->inst[i].raw[j].kind == XO_DELIVER && g->x->inst[i].raw[j].value &&
                g->x->inst[i].raw[j].reg >= 0 && region < 0)
                region = g->x->inst[i].raw[j].reg;
    if (region < 0) {
        rx->why = "no delivered frame was found in device-written memory";
        return;
    }
    rx->region = region;
    uint32_t size = g->x->regions[region].size;
    if (getenv("XDRV_EXTRACT_DEBUG")) {
        fprintf(stderr, "rx: hdr %u len_off %u adj %u region %d\n", rx->hdr, rx->len_off, rx->adj,
                region);
        unsigned shown = 0;
        for (size_t i = 0; i < g->x->ninst && shown < 40; i++)
            for (size_t j = 0; j < g->x->inst[i].nraw && shown < 40; j++) {
                const XOp *o = &g->x->inst[i].raw[j];
                if (o->kind == XO_DELIVER && o->value && ++shown)
                    fprintf(stderr, "  #%llu t%u k%d r%d off %x len %u\n",
                            (unsigned long long)o->seq, g->x->inst[i].trace, g->x->inst[i].kind,
                            o->reg, o->off, o->len);
            }
    }
    /* each alignment: follow the frames, a wrap being a step back by a
     * power of two, a step forward a frame the driver did not hand on
     * (an error, a filter); the alignment with the fewest unexplained
     * steps wins */
    static const uint32_t aligns[] = {1, 2, 4, 8, 16, 32};
    uint32_t best_a = 0, best_wrap = 0;
    unsigned best_bad = UINT32_MAX, best_skip = 0;
    for (unsigned ai = 0; ai < sizeof aligns / sizeof aligns[0]; ai++) {
        uint32_t A = aligns[ai], wrap = 0;
        unsigned bad = 0, skip = 0, any = 0;
        unsigned trace = UINT32_MAX;
        uint32_t pos = 0;
        for (size_t i = 0; i < g->x->ninst; i++) {
            XInst *in = &g->x->inst[i];
            if (in->trace != trace || in->kind == XK_INIT || in->kind == XK_RESET) {
                trace = in->trace;
                pos = 0;
            }
            for (size_t j = 0; j < in->nraw; j++) {
                XOp *o = &in->raw[j];
                if (o->kind != XO_DELIVER || !o->value)
                    continue;
                if (o->reg != region || o->off < rx->hdr) {
                    bad++;
                    continue;
                }
                uint32_t at = o->off - rx->hdr;
                if (wrap && pos >= wrap)
                    pos -= wrap;
                if (at < pos) {
                    uint32_t d = pos - at;
                    if (!wrap && d >= 256 && !(d & (d - 1)))
                        wrap = d;
                    else if (!wrap || at + wrap != pos)
                        bad++;
                } else if (at > pos) {
                    skip++;
                }
                any++;
                pos = (at + rx->hdr + o->len + rx->adj + A - 1) & ~(A - 1);
            }
        }
        if (any && (bad < best_bad || (bad == best_bad && skip < best_skip))) {
            best_a = A;
            best_wrap = wrap;
            best_bad = bad;
            best_skip = skip;
        }
    }
    if (best_a && best_bad * 20 <= best_skip + 1 && best_bad == 0) {
        rx->align = best_a;
        rx->wrap_seen = best_wrap != 0;
        uint32_t wrap = best_wrap;
        if (!wrap) {
            /* never seen: the largest power of two that leaves a frame's
             * room past it in the buffer */
            wrap = 1;
            while (wrap * 2 + rx->hdr + 1518 + rx->adj + best_a <= size)
                wrap *= 2;
        }
        rx->wrap = wrap;
        rx->skips = best_skip;
        rx->ok = 1;
        /* each frame's offset after it, as the spec's variable follows */
        for (size_t i = 0; i < g->x->ninst; i++) {
            XInst *in = &g->x->inst[i];
            for (size_t j = 0; j < in->nraw; j++) {
                XOp *o = &in->raw[j];
                if (o->kind != XO_DELIVER || !o->value || o->reg != region)
                    continue;
                o->rx_before = o->off - rx->hdr;
                o->rx_after = ((o->off + o->len + rx->adj + best_a - 1) & ~(best_a - 1)) % wrap;
            }
        }
        return;
    }
    rx->why = "the frames' places in the receive buffer follow no header-length rule";
    for (size_t i = 0; i < g->x->ninst; i++)
        for (size_t j = 0; j < g->x->inst[i].nraw; j++)
            g->x->inst[i].raw[j].rx_before = UINT32_MAX;
}

/* Frames read through a data register: the header's length field must
 * be the frame's plus a constant (the analysis found which), and one
 * byte of it must say where the next frame's header is: the value the
 * driver wrote, among the few writes before reading the next header, to
 * the same register each time (the place it reads from). The first
 * frame after init is where that register was written before its header
 * was read, the same in every trace. Each header and frame gets
 * rx_before (where it is) and rx_after (where the next one is). */
#define PIO_PRE 8

/* Where the header read at op j of in lies: the value last written to reg
 * within the PIO_PRE ops before it (the remote DMA address). 0, or -1. */
static int header_place(const XInst *in, size_t j, int reg, uint32_t *at)
{
    for (size_t b = j, seen = 0; b-- > 0 && seen < PIO_PRE; seen++)
        if (in->raw[b].kind == XO_WRITE && in->raw[b].reg == reg) {
            *at = in->raw[b].value;
            return 0;
        }
    return -1;
}

static void rx_port_model(Gen *g)
{
    RxPort *p = &g->prx;
    memset(p, 0, sizeof *p);
    const AnRxBuffer *ab = an_rx(g->a);
    Extract *x = g->x;
    size_t nh = 0;
    for (size_t i = 0; i < x->ninst; i++)
        for (size_t j = 0; j < x->inst[i].nraw; j++)
            nh += is_header(&x->inst[i].raw[j]);
    if (!nh)
        return;
    p->why = "reads through a data port are not generalised yet";
    if (!ab || ab->kind != AN_RX_PORT || ab->hdr_len_off < 0 || ab->hdr_size < 2 ||
        ab->hdr_size > 16 || (uint32_t)ab->hdr_len_off + 2 > ab->hdr_size)
        return;
    p->hdr = ab->hdr_size;
    p->len_off = (uint32_t)ab->hdr_len_off;
    p->adj = (uint32_t)ab->len_adj;
    /* each header's length against its frame; the frames' reads */
    unsigned bad = 0;
    for (size_t i = 0; i < x->ninst; i++) {
        const XInst *in = &x->inst[i];
        for (size_t j = 0; j < in->nraw; j++) {
            const XOp *o = &in->raw[j];
            if (o->kind == XO_INS && o->pio == XPIO_FRAME && o->off + o->len > p->frame_max)
                p->frame_max = o->off + o->len;
            if (!is_header(o))
                continue;
            if (o->len != p->hdr) {
                bad++;
                continue;
            }
            size_t d;
            for (d = j + 1; d < in->nraw && !is_pio_deliver(&in->raw[d]); d++)
                ;
            if (d == in->nraw || le16_at(o->bytes, p->len_off) != in->raw[d].len + p->adj)
                bad++;
        }
    }
    if (bad) {
        p->why = "a header read through the data port does not give its frame's length";
        return;
    }
    /* the byte that says where the next header is, and the register the
     * driver writes that place to */
    unsigned best_hits = 0, pairs = 0;
    int best_k = -1, best_reg = -1;
    for (uint32_t k = 0; k < p->hdr; k++) {
        if (k >= p->len_off && k < p->len_off + 2)
            continue;
        /* per register: how often it was written the previous header's
         * byte k before the next header */
        int regs[PIO_PRE];
        unsigned hits[PIO_PRE], nr = 0, np = 0;
        const XOp *prev = NULL;
        unsigned trace = UINT32_MAX;
        for (size_t i = 0; i < x->ninst; i++) {
            const XInst *in = &x->inst[i];
            if (in->trace != trace || in->kind == XK_INIT || in->kind == XK_RESET)
                prev = NULL;
            trace = in->trace;
            for (size_t j = 0; j < in->nraw; j++) {
                const XOp *o = &in->raw[j];
                if (!is_header(o))
                    continue;
                if (prev) {
                    np++;
                    for (size_t b = j, seen = 0; b-- > 0 && seen < PIO_PRE; seen++) {
                        const XOp *w = &in->raw[b];
                        if (w->kind != XO_WRITE || w->value != prev->bytes[k])
                            continue;
                        unsigned q;
                        for (q = 0; q < nr && regs[q] != w->reg; q++)
                            ;
                        if (q == nr && nr < PIO_PRE) {
                            regs[nr] = w->reg;
                            hits[nr++] = 0;
                        }
                        if (q < nr)
                            hits[q]++;
                        break;
                    }
                }
                prev = o;
            }
        }
        for (unsigned q = 0; q < nr; q++)
            if (hits[q] > best_hits) {
                best_hits = hits[q];
                best_k = (int)k;
                best_reg = regs[q];
                pairs = np;
            }
    }
    if (best_k < 0 || best_hits < 2 || best_hits * 10 < pairs * 9) {
        p->why = "no byte of the header read through the data port says where the next frame is";
        return;
    }
    p->next_off = (uint32_t)best_k;
    /* the first header after each init: where the driver wrote that
     * register before reading it */
    int have_init = 0;
    unsigned trace = UINT32_MAX;
    int first = 1;
    for (size_t i = 0; i < x->ninst; i++) {
        const XInst *in = &x->inst[i];
        if (in->trace != trace || in->kind == XK_INIT || in->kind == XK_RESET)
            first = 1;
        trace = in->trace;
        /* another configuration's ring (after a `param`, a setting moved
         * from the binding's) is left out of the spec: not its place */
        if (in->reconfigured || in->setting_off || in->gone)
            continue;
        for (size_t j = 0; j < in->nraw; j++) {
            const XOp *o = &in->raw[j];
            if (!is_header(o) || !first)
                continue;
            first = 0;
            uint32_t at;
            if (header_place(in, j, best_reg, &at) < 0 || (have_init && at != p->init)) {
                p->why = "the first frame after init is not in one place";
                return;
            }
            p->init = at;
            have_init = 1;
        }
    }
    /* each header and frame: where it is, where the next one is (and the
     * lowest and highest of those); each request: where the next frame is
     * when it starts */
    p->next_lo = UINT32_MAX;
    uint32_t pos = p->init;
    trace = UINT32_MAX;
    for (size_t i = 0; i < x->ninst; i++) {
        XInst *in = &x->inst[i];
        if (in->trace != trace || in->kind == XK_INIT || in->kind == XK_RESET)
            pos = p->init;
        trace = in->trace;
        /* where the request's first header is read, as the driver wrote
         * it: after a frame it read the header of and dropped (no
         * deliver), or a ring it restarted, that is where the driver's
         * pointer is, not where the frames delivered before left it */
        for (size_t j = 0; j < in->nraw; j++) {
            if (is_pio_deliver(&in->raw[j]))
                break;
            if (!is_header(&in->raw[j]))
                continue;
            uint32_t at;
            if (!header_place(in, j, best_reg, &at))
                pos = at;
            break;
        }
        in->rxpos = pos;
        in->rxpos_ok = 1;
        uint32_t after = pos;
        for (size_t j = 0; j < in->nraw; j++) {
            XOp *o = &in->raw[j];
            if (is_header(o)) {
                o->rx_before = pos;
                after = o->rx_after = o->bytes[p->next_off];
                p->next_lo = after < p->next_lo ? after : p->next_lo;
                p->next_hi = after > p->next_hi ? after : p->next_hi;
            } else if (is_pio_deliver(o)) {
                o->rx_before = pos;
                o->rx_after = after;
                pos = after;
            }
        }
    }
    p->ok = 1;
}

/* Rounds of frames read through a data register, as one loop per
 * request. A round starts with the accesses that set the header's read
 * up (those every header read has right before it) and ends where the
 * next one starts; the last round, after its frame, takes what other
 * rounds had there and, when they come next, the accesses the request
 * made right before its first round (the driver looking again at where
 * the device has got to). */
#define PIO_TAILS 8
#define PIO_MAX_SETUP 12

typedef struct PioShape {
    uint32_t setup;             /* ops in the setup */
    const XOp *setup_at;        /* an instance of it */
    const XOp *tail[PIO_TAILS]; /* between a frame and the next round */
    uint32_t tail_len[PIO_TAILS];
    unsigned ntails;
} PioShape;

static int ops_match(const Gen *g, const XOp *a, const XOp *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!same_key(g, &a[i], &b[i]))
            return 0;
    return 1;
}

static void pio_shape(Gen *g, XKind kind, PioShape *sh)
{
    memset(sh, 0, sizeof *sh);
    sh->setup = PIO_MAX_SETUP;
    int any = 0;
    for (size_t i = 0; i < g->x->ninst; i++) {
        const XInst *in = &g->x->inst[i];
        if (in->kind != kind)
            continue;
        for (size_t j = 0; j < in->nraw; j++) {
            if (!is_header(&in->raw[j]))
                continue;
            uint32_t m = 0;
            while (m < sh->setup && m < j &&
                   (!any || same_key(g, &in->raw[j - 1 - m], &sh->setup_at[sh->setup - 1 - m])) &&
                   in->raw[j - 1 - m].kind != XO_DELIVER && in->raw[j - 1 - m].kind != XO_INS)
                m++;
            if (!any) {
                sh->setup_at = &in->raw[j - m];
                sh->setup = m;
                any = 1;
            } else if (m < sh->setup) {
                sh->setup_at += sh->setup - m;
                sh->setup = m;
            }
        }
    }
    /* tails: between a frame and the next round's setup */
    for (size_t i = 0; i < g->x->ninst; i++) {
        const XInst *in = &g->x->inst[i];
        if (in->kind != kind)
            continue;
        size_t last_d = SIZE_MAX;
        for (size_t j = 0; j < in->nraw; j++) {
            const XOp *o = &in->raw[j];
            if (is_pio_deliver(o))
                last_d = j;
            if (!is_header(o) || last_d == SIZE_MAX || j < sh->setup + last_d + 1)
                continue;
            size_t from = last_d + 1, len = j - sh->setup - from;
            unsigned q;
            for (q = 0; q < sh->ntails; q++)
                if (sh->tail_len[q] == len && ops_match(g, sh->tail[q], &in->raw[from], len))
                    break;
            if (q == sh->ntails && sh->ntails < PIO_TAILS && len <= 16) {
                sh->tail[q] = &in->raw[from];
                sh->tail_len[sh->ntails++] = (uint32_t)len;
            }
            last_d = SIZE_MAX;
        }
    }
}

/* The instance's rounds as one XO_LOOP (in->ops rebuilt from raw; only
 * when no unit loop was made there). 0, or -1 out of memory. */
static int pio_collapse(Gen *g, XInst *in, const PioShape *sh)
{
    if (!g->prx.ok || in->n != in->nraw || !sh->setup_at)
        return 0;
    size_t heads[4096];
    size_t nh = 0;
    for (size_t j = 0; j < in->nraw && nh < 4096; j++)
        if (is_header(&in->raw[j])) {
            if (j < sh->setup || !ops_match(g, &in->raw[j - sh->setup], sh->setup_at, sh->setup))
                return 0;
            heads[nh++] = j - sh->setup;
        }
    if (!nh)
        return 0;
    /* the end of the last round: past its frame, the longest tail seen,
     * then the accesses just before the first round if they come again */
    size_t d;
    for (d = heads[nh - 1]; d < in->nraw && !is_pio_deliver(&in->raw[d]); d++)
        ;
    if (d == in->nraw)
        return 0;
    size_t end = d + 1;
    uint32_t best = 0;
    for (unsigned q = 0; q < sh->ntails; q++)
        if (sh->tail_len[q] > best && end + sh->tail_len[q] <= in->nraw &&
            ops_match(g, &in->raw[end], sh->tail[q], sh->tail_len[q]))
            best = sh->tail_len[q];
    end += best;
    size_t again = 0;
    for (size_t m = 1; m <= 6 && m <= heads[0] && end + m <= in->nraw; m++)
        if (ops_match(g, &in->raw[heads[0] - m], &in->raw[end], m))
            again = m;
    end += again;
    if (an_grow((void **)&g->pl, g->npl, sizeof *g->pl) < 0)
        return -1;
    PioLoop *pl = &g->pl[g->npl];
    pl->bound = malloc((nh + 1) * sizeof *pl->bound);
    if (!pl->bound)
        return -1;
    pl->raw = in->raw;
    pl->start = heads[0];
    pl->rounds = (uint32_t)nh;
    for (size_t r = 0; r < nh; r++)
        pl->bound[r] = (uint32_t)(heads[r] - heads[0]);
    pl->bound[nh] = (uint32_t)(end - heads[0]);
    XOp L = {.kind = XO_LOOP,
             .reg = -1,
             .addr_region = -1,
             .len = (uint32_t)nh,
             .unit = (uint32_t)g->npl++,
             .pio = 1,
             .sub = &in->raw[heads[0]],
             .seq = in->raw[heads[0]].seq,
             .pc = in->raw[heads[0]].pc};
    size_t m = 0;
    for (size_t j = 0; j < heads[0]; j++)
        in->ops[m++] = in->raw[j];
    in->ops[m++] = L;
    for (size_t j = end; j < in->nraw; j++)
        in->ops[m++] = in->raw[j];
    in->n = m;
    return 0;
}

/* ------------------------------------------------------------- the spec */

static void name_regs(Gen *g)
{
    for (size_t i = 0; i < g->nregs; i++) {
        const AnRegInfo *r = an_reg(g->a, i);
        char b[64];
        int w = reg_win(g, r);
        int n = g->nwin > 1 ? snprintf(b, sizeof b, "r%d_%x", w, r->addr - r->window)
                            : snprintf(b, sizeof b, "r%x", r->addr - r->window);
        if (r->selected)
            n += snprintf(b + n, sizeof b - (size_t)n, "_i%x", r->selector);
        if (r->banked)
            n += snprintf(b + n, sizeof b - (size_t)n, "_b%x", r->bank_value);
        if (r->dir == 1)
            n += snprintf(b + n, sizeof b - (size_t)n, "_rd");
        if (r->dir == 2)
            n += snprintf(b + n, sizeof b - (size_t)n, "_wr");
        if (r->width != 4 && !r->selected && !r->banked && !r->dir)
            n += snprintf(b + n, sizeof b - (size_t)n, "_%u", r->width * 8);
        /* two views the rules above name alike (a width, a direction):
         * the later one gets its index */
        for (size_t k = 0; k < i; k++)
            if (g->regname[k] && !strcmp(g->regname[k], b)) {
                snprintf(b + n, sizeof b - (size_t)n, "_v%zu", i);
                break;
            }
        g->regname[i] = strdup(b);
    }
}

/* Registers written buffer addresses that sit side by side (4 bytes apart)
 * are one array: each a whole 32-bit address (declared one by one, the
 * verifier would take each for the upper half of the one below). */
static void address_arrays(Gen *g)
{
    for (size_t i = 0; i < g->nregs; i++)
        g->member[i] = -1;
    int *is_addr = calloc(g->nregs ? g->nregs : 1, sizeof *is_addr);
    if (!is_addr)
        return;
    for (size_t k = 0; k < g->x->ninst; k++)
        for (size_t j = 0; j < g->x->inst[k].nraw; j++) {
            const XOp *o = &g->x->inst[k].raw[j];
            if (o->kind == XO_WRITE && o->addr_region >= 0 && (size_t)o->reg < g->nregs &&
                !g->bad[o->reg])
                is_addr[o->reg] = 1;
        }
    for (size_t i = 0; i < g->nregs; i++) {
        const AnRegInfo *r = an_reg(g->a, i);
        if (!is_addr[i] || g->member[i] >= 0 || r->width != 4 || r->selected || r->banked || r->dir)
            continue;
        /* the run this register starts: the lowest of its neighbours first */
        uint32_t lo = r->addr;
        for (;;) {
            size_t q;
            for (q = 0; q < g->nregs; q++) {
                const AnRegInfo *p = an_reg(g->a, q);
                if (is_addr[q] && p->port == r->port && p->window == r->window && p->width == 4 &&
                    !p->selected && !p->banked && !p->dir && p->addr + 4 == lo)
                    break;
            }
            if (q == g->nregs)
                break;
            lo -= 4;
        }
        unsigned cnt = 0;
        size_t members[64];
        for (uint32_t at = lo;; at += 4) {
            size_t q;
            for (q = 0; q < g->nregs; q++) {
                const AnRegInfo *p = an_reg(g->a, q);
                if (is_addr[q] && p->port == r->port && p->window == r->window && p->width == 4 &&
                    !p->selected && !p->banked && !p->dir && p->addr == at)
                    break;
            }
            if (q == g->nregs || cnt == 64)
                break;
            members[cnt++] = q;
        }
        if (cnt < 2 || g->naddr_arr >= MAX_FAMILIES)
            continue;
        Family *f = &g->addr_arr[g->naddr_arr];
        *f = (Family){reg_win(g, r), r->port, lo - r->window, 4, cnt, 4, ""};
        if (g->nwin > 1)
            snprintf(f->name, sizeof f->name, "b%d_%x", f->win, f->base);
        else
            snprintf(f->name, sizeof f->name, "b%x", f->base);
        for (unsigned k = 0; k < cnt; k++) {
            g->member[members[k]] = (int)g->naddr_arr;
            free(g->regname[members[k]]);
            char b[80];
            snprintf(b, sizeof b, "%s[%u]", f->name, k);
            g->regname[members[k]] = strdup(b);
        }
        g->naddr_arr++;
    }
    free(is_addr);
}

static int find_view(const Gen *g, int port, uint32_t addr, int want_plain);

/* Registers a spec cannot declare: a width other than 1, 2, 4, past the
 * largest window, in a window past the table, or reached through an index
 * or bank register that cannot be declared itself. Their accesses become
 * fallbacks. */
static void bad_regs(Gen *g)
{
    for (size_t i = 0; i < g->nregs; i++) {
        const AnRegInfo *r = an_reg(g->a, i);
        g->bad[i] = (r->width != 1 && r->width != 2 && r->width != 4) || reg_win(g, r) < 0 ||
                    (uint64_t)(r->addr - r->window) + r->width > 0x100000;
    }
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < g->nregs; i++) {
            const AnRegInfo *r = an_reg(g->a, i);
            int ix = r->selected ? find_view(g, r->port, r->index_addr, 1) : 0;
            int bx = r->banked ? find_view(g, r->port, r->bank_addr, 1) : 0;
            if (ix < 0 || bx < 0 || (r->selected && g->bad[ix]) || (r->banked && g->bad[bx]))
                g->bad[i] = 1;
        }
}

/* After address_arrays: a register selected through an index or bank
 * register that became a member of an address array cannot be declared
 * (the selector must be a plain register): its accesses fall back. */
static void bad_selectors(Gen *g)
{
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < g->nregs; i++) {
            const AnRegInfo *r = an_reg(g->a, i);
            int ix = r->selected ? find_view(g, r->port, r->index_addr, 1) : -1;
            int bx = r->banked ? find_view(g, r->port, r->bank_addr, 1) : -1;
            if ((ix >= 0 && (g->member[ix] >= 0 || g->bad[ix])) ||
                (bx >= 0 && (g->member[bx] >= 0 || g->bad[bx])))
                g->bad[i] = 1;
        }
}

static int find_view(const Gen *g, int port, uint32_t addr, int want_plain)
{
    /* an index register's own view first, the one written most: another
     * width at its address may be another register (a PCnet's RESET is 16 bits at 0x14 in word
     * mode, its RAP 32 bits there in doubleword mode) */
    int best = -1;
    for (size_t i = 0; i < g->nregs; i++) {
        const AnRegInfo *r = an_reg(g->a, i);
        if (r->port == port && r->addr == addr && r->is_index && !r->selected && !r->banked &&
            (best < 0 || r->writes > an_reg(g->a, (size_t)best)->writes))
            best = (int)i;
    }
    if (best >= 0)
        return best;
    for (size_t i = 0; i < g->nregs; i++) {
        const AnRegInfo *r = an_reg(g->a, i);
        if (r->port == port && r->addr == addr && (!want_plain || (!r->selected && !r->banked)))
            return (int)i;
    }
    return -1;
}

static void windows(Gen *g)
{
    for (size_t i = 0; i < g->nregs; i++) {
        const AnRegInfo *r = an_reg(g->a, i);
        int w = reg_win(g, r);
        if (w < 0 && g->nwin < sizeof g->win / sizeof g->win[0]) {
            w = (int)g->nwin++;
            g->win[w] = (Window){r->port, r->window, 0};
        }
        if (w < 0)
            continue;
        uint64_t end = (uint64_t)(r->addr - r->window) + r->width;
        if (end > 0x100000)
            continue; /* beyond any window a spec may declare (bad_regs) */
        uint32_t sz = 16;
        while (sz < end)
            sz *= 2;
        if (sz > g->win[w].size)
            g->win[w].size = sz;
    }
    /* a window whose registers no declaration can say still has a size */
    for (unsigned i = 0; i < g->nwin; i++)
        if (!g->win[i].size)
            g->win[i].size = 16;
    /* port windows first, then memory, each by address: the spec's order
     * of BARs */
    for (unsigned i = 1; i < g->nwin; i++)
        for (unsigned j = i; j > 0; j--) {
            Window *a = &g->win[j - 1], *b = &g->win[j];
            if (a->port < b->port || (a->port == b->port && a->base > b->base)) {
                Window t = *a;
                *a = *b;
                *b = t;
            }
        }
}

typedef struct Trans {
    XKind kind;
    char *text;
    size_t len;
    unsigned instances, used, traces;
} Trans;

/* XDRV_EXTRACT_DEBUG=KIND: the instances of that kind, one line each, on
 * stderr (for people working on the extractor). */
static void debug_dump(Gen *g, XKind kind)
{
    const char *want = getenv("XDRV_EXTRACT_DEBUG");
    if (!want || strcmp(want, xk_request[kind]))
        return;
    static const char ks[] = "RWPSCBDLOX?MI";
    for (size_t i = 0; i < g->x->ninst; i++) {
        const XInst *in = &g->x->inst[i];
        if (in->kind != kind)
            continue;
        fprintf(stderr, "#%llu p=%u%s n=%u:", (unsigned long long)in->first, in->param,
                in->multi ? " multi" : "", in->cnt[XK_SEND]);
        for (size_t j = 0; j < in->n; j++) {
            const XOp *o = &in->ops[j];
            fprintf(stderr, " %c", ks[o->kind]);
            if (o->kind <= XO_POLL)
                fprintf(stderr, "%s=%x", g->regname[o->reg], o->value);
            else if (o->kind == XO_LOOP)
                fprintf(stderr, "x%u/%u", o->len, o->unit);
            else if (o->kind == XO_INS)
                fprintf(stderr, "%s%s+%x:%u", g->regname[o->reg], o->pio == XPIO_HEADER ? "H" : "F",
                        o->off, o->len);
            else if (o->kind != XO_LINK)
                fprintf(stderr, "%d+%x", o->reg, o->off);
        }
        fputc('\n', stderr);
    }
}

/* A station address copied from a PROM or EEPROM the driver read: a run
 * of writes to registers side by side (an NE2000's PAR0-5, an 8254x's
 * RAL/RAH) whose bytes, in order, are six or more bytes of reads of one
 * register earlier in the request, at the same places in each read (a
 * word-wide PROM's low byte, an EERD's data field), and constants after
 * them. Each such write becomes the bytes of those reads, kept in
 * variables of their own (v_<register>_<n>), so the spec gives the chip
 * the address of the device it runs on. Every view must assemble the
 * same way, or none does. */
#define BYTE_RUN_MIN 6
#define ASM_MAX 32

static unsigned byte_of(uint32_t v, unsigned b)
{
    return (v >> (8 * b)) & 0xff;
}

/* Some of B's first t bytes are not 0 (zeros match anything). */
static int any_nonzero(const uint8_t *B, unsigned t)
{
    for (unsigned k = 0; k < t; k++)
        if (B[k])
            return 1;
    return 0;
}

/* In ops: the write run starting at w (n writes, T bytes in B) against
 * the reads of one register before it; the best match's length (bytes),
 * its first read rs (index into rd), the places P (np of them). */
static unsigned run_match(const XOp *ops, const size_t *rd, size_t nrd, const uint8_t *B,
                          unsigned T, size_t *rs, const unsigned **P, unsigned *np)
{
    static const unsigned sets[][4] = {{0}, {1}, {2}, {3}, {0, 1}, {2, 3}, {0, 1, 2, 3}};
    static const unsigned sizes[] = {1, 1, 1, 1, 2, 2, 4};
    unsigned best = 0;
    for (unsigned q = 0; q < 7; q++)
        for (size_t st = 0; st < nrd; st++) {
            unsigned t = 0;
            while (t < T && st + t / sizes[q] < nrd &&
                   byte_of(ops[rd[st + t / sizes[q]]].value, sets[q][t % sizes[q]]) == B[t])
                t++;
            /* whole reads only, and not only zeros */
            t -= t % sizes[q];
            if (t > best && any_nonzero(B, t)) {
                best = t;
                *rs = st;
                *P = sets[q];
                *np = sizes[q];
            }
        }
    return best;
}

/* A serial EEPROM read a bit at a time (a 93C46 behind an RTL8139's
 * 9346CR): words of wd bits, each bit one read's bit p, most significant
 * first, the words' bytes little-endian. The run's bytes from read s on;
 * the best match's length (bytes, whole words). */
static unsigned bit_source(const XOp *ops, const size_t *rd, size_t s, unsigned p, unsigned wd,
                           unsigned t, unsigned k, size_t *q)
{
    unsigned word = t / (wd / 8), bit = 8 * (t % (wd / 8)) + k;
    *q = rd[s + (size_t)word * wd + (wd - 1 - bit)];
    return (ops[*q].value >> p) & 1;
}

static unsigned bit_match(const XOp *ops, const size_t *rd, size_t nrd, const uint8_t *B,
                          unsigned T, size_t *bs, unsigned *bp, unsigned *bwd)
{
    static const unsigned wds[] = {16, 8};
    unsigned best = 0;
    for (unsigned wi = 0; wi < 2; wi++)
        for (unsigned p = 0; p < 8; p++)
            for (size_t st = 0; st < nrd; st++) {
                unsigned wd = wds[wi], t = 0;
                while (t < T && st + (size_t)(t / (wd / 8) + 1) * wd <= nrd) {
                    unsigned v = 0;
                    size_t q;
                    for (unsigned k = 0; k < 8; k++)
                        v |= bit_source(ops, rd, st, p, wd, t, k, &q) << k;
                    if (v != B[t])
                        break;
                    t++;
                }
                t -= t % (wd / 8);
                if (t > best && any_nonzero(B, t)) {
                    best = t;
                    *bs = st;
                    *bp = p;
                    *bwd = wd;
                }
            }
    return best;
}

/* Read ops[q]'s variable (occ_name), marking the read with its place
 * among the request's reads of its register. */
static void occ_var_of(const Gen *g, XOp *ops, size_t q, char *var, size_t len)
{
    unsigned occ = 0;
    for (size_t p = 0; p <= q; p++)
        occ += ops[p].kind == XO_READ && ops[p].reg == ops[q].reg;
    ops[q].occ = (uint8_t)(occ < 255 ? occ : 255);
    occ_name(g, ops[q].reg, ops[q].occ, var, len);
}

/* byte_runs_view for bytes read a bit at a time (bit_match): each write
 * ORs its bits from the reads, then its constant bytes. 0, or -1. */
static int bit_run(Gen *g, XOp *ops, size_t i, size_t e, const size_t *rd, size_t s, unsigned p,
                   unsigned wd, unsigned best, const uint8_t *B, char *sig, size_t siglen,
                   size_t *used)
{
    unsigned ob = 0;
    for (size_t k = i; k < e; k++) {
        unsigned w = an_reg(g->a, (size_t)ops[k].reg)->width;
        char *x = g->asmx[g->nasm];
        size_t xl = 0, cap = sizeof g->asmx[0];
        uint32_t cst = 0;
        x[0] = 0;
        for (unsigned b = 0; b < w; b++) {
            unsigned tb = ob + b;
            if (tb >= best) {
                cst |= (uint32_t)B[tb] << (8 * b);
                continue;
            }
            for (unsigned bit = 0; bit < 8; bit++) {
                size_t q;
                char var[88];
                bit_source(ops, rd, s, p, wd, tb, bit, &q);
                occ_var_of(g, ops, q, var, sizeof var);
                unsigned to = 8 * b + bit;
                int n =
                    p ? snprintf(x + xl, cap - xl, "%s((%s >> %u) & 1)", xl ? " | " : "", var, p)
                      : snprintf(x + xl, cap - xl, "%s(%s & 1)", xl ? " | " : "", var);
                xl += (size_t)n;
                if (xl < cap && to)
                    xl += (size_t)snprintf(x + xl, cap - xl, " << %u", to);
                if (xl >= cap)
                    return -1;
            }
        }
        if (cst && xl + 16 < cap)
            xl += (size_t)snprintf(x + xl, cap - xl, " | 0x%x", cst);
        ops[k].asm_id = (uint8_t)(++g->nasm);
        if (*used < siglen)
            *used += (size_t)snprintf(sig + *used, siglen - *used, "%zu:%s;", k, x);
        ob += w;
    }
    return 0;
}

/* One view: marks (occ, asm_id) and expressions into g; the text of all
 * its expressions in sig (to compare views). 0, or -1 nothing found. */
static int byte_runs_view(Gen *g, XOp *ops, size_t n, char *sig, size_t siglen)
{
    size_t used = 0;
    sig[0] = 0;
    int any = 0;
    for (size_t i = 0; i < n;) {
        if (ops[i].kind != XO_WRITE || ops[i].reg < 0) {
            i++;
            continue;
        }
        /* the run: registers side by side, one after another */
        size_t e = i + 1;
        unsigned T = an_reg(g->a, (size_t)ops[i].reg)->width;
        while (e < n && ops[e].kind == XO_WRITE && ops[e].reg >= 0 && T < 32) {
            const AnRegInfo *a = an_reg(g->a, (size_t)ops[e - 1].reg),
                            *b = an_reg(g->a, (size_t)ops[e].reg);
            if (!regs_side_by_side(a, b))
                break;
            T += b->width;
            e++;
        }
        if (T < BYTE_RUN_MIN || T > 32) {
            i = e;
            continue;
        }
        uint8_t B[32];
        unsigned t = 0;
        for (size_t k = i; k < e; k++)
            for (unsigned b = 0; b < an_reg(g->a, (size_t)ops[k].reg)->width; b++)
                B[t++] = (uint8_t)byte_of(ops[k].value, b);
        /* the reads before it, of each register */
        unsigned best = 0, bnp = 0, bwd = 0, bbit = 0;
        size_t brs = 0;
        const unsigned *bP = NULL;
        static size_t rd[4096], brd[4096];
        for (size_t r = 0; r < i; r++) {
            if (ops[r].kind != XO_READ)
                continue;
            int seen = 0;
            for (size_t q = 0; q < r && !seen; q++)
                seen = ops[q].kind == XO_READ && ops[q].reg == ops[r].reg;
            if (seen)
                continue;
            size_t nrd = 0;
            for (size_t q = r; q < i && nrd < 4096; q++)
                if (ops[q].kind == XO_READ && ops[q].reg == ops[r].reg)
                    rd[nrd++] = q;
            size_t rs = 0;
            const unsigned *P = NULL;
            unsigned np = 1;
            unsigned m = run_match(ops, rd, nrd, B, T, &rs, &P, &np);
            if (m > best) {
                best = m;
                brs = rs;
                bP = P;
                bnp = np;
                bwd = 0;
                memcpy(brd, rd, nrd * sizeof *rd);
            }
            unsigned p = 0, wd = 16;
            m = bit_match(ops, rd, nrd, B, T, &rs, &p, &wd);
            if (m > best) {
                best = m;
                brs = rs;
                bbit = p;
                bwd = wd;
                memcpy(brd, rd, nrd * sizeof *rd);
            }
        }
        if (best < BYTE_RUN_MIN || !g->asmx || g->nasm + (e - i) > ASM_MAX) {
            i = e;
            continue;
        }
        if (bwd) {
            if (bit_run(g, ops, i, e, brd, brs, bbit, bwd, best, B, sig, siglen, &used) < 0)
                return -1;
            any = 1;
            i = e;
            continue;
        }
        /* each write: its bytes from reads (merged where they run on in one
         * read; each read marked with its variable), then its constant
         * bytes */
        unsigned ob = 0;
        for (size_t k = i; k < e; k++) {
            unsigned w = an_reg(g->a, (size_t)ops[k].reg)->width;
            char *x = g->asmx[g->nasm];
            size_t xl = 0;
            uint32_t cst = 0;
            x[0] = 0;
            for (unsigned b = 0; b < w;) {
                unsigned tb = ob + b;
                if (tb >= best) {
                    cst |= (uint32_t)B[tb] << (8 * b);
                    b++;
                    continue;
                }
                unsigned src = bP[tb % bnp], len = 1;
                while (b + len < w && tb + len < best && (tb + len) / bnp == tb / bnp &&
                       bP[(tb + len) % bnp] == src + len)
                    len++;
                char var[88];
                occ_var_of(g, ops, brd[brs + tb / bnp], var, sizeof var);
                uint32_t mask = len >= 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
                char f[128];
                if (src)
                    snprintf(f, sizeof f, "(%s >> %u) & 0x%x", var, 8 * src, mask);
                else
                    snprintf(f, sizeof f, "%s & 0x%x", var, mask);
                if (b) /* (byte 0 is the first term, when it comes from a read) */
                    xl += (size_t)snprintf(x + xl, sizeof g->asmx[0] - xl, "%s(%s) << %u",
                                           xl ? " | " : "", f, 8 * b);
                else
                    xl += (size_t)snprintf(x + xl, sizeof g->asmx[0] - xl, "%s", f);
                if (xl >= sizeof g->asmx[0])
                    return -1;
                b += len;
            }
            if (cst && xl + 16 < sizeof g->asmx[0])
                xl += (size_t)snprintf(x + xl, sizeof g->asmx[0] - xl, " | 0x%x", cst);
            ops[k].asm_id = (uint8_t)(++g->nasm);
            if (used < siglen)
                used += (size_t)snprintf(sig + used, siglen - used, "%zu:%s;", k, x);
            ob += w;
        }
        any = 1;
        i = e;
    }
    return any ? 0 : -1;
}

static void byte_runs(Gen *g, Scope *s)
{
    if (!s->nv)
        return;
    static char sig0[4096], sig[4096];
    unsigned base = g->nasm;
    for (size_t k = 0; k < s->nv; k++) {
        XOp *ops = ((XInst *)s->v[k].in)->ops;
        /* every view numbers its expressions from the same place: alike,
         * they are the same expressions */
        g->nasm = base;
        int r = byte_runs_view(g, ops, s->v[k].n, k ? sig : sig0, sizeof sig0);
        if (r < 0 || (k && strcmp(sig, sig0))) {
            /* not every view alike: no marks anywhere */
            for (size_t q = 0; q <= k; q++) {
                XOp *o = ((XInst *)s->v[q].in)->ops;
                for (size_t j = 0; j < s->v[q].n; j++)
                    o[j].occ = o[j].asm_id = 0;
            }
            g->nasm = base;
            return;
        }
    }
}

/* Why a request is left out of the generalisation (0: it is not). */
typedef enum LeftOut {
    LO_KEPT,
    LO_RECONF, /* after a configuration change (XInst.reconfigured) */
    LO_SETTING, /* while a setting differed from the binding's (XInst.setting_off) */
    LO_GONE,   /* after a surprise removal (XInst.gone) */
    LO_IDLE,   /* an interrupt the driver answered without touching the device
                * (its ISR looked only at its own state, a line it took for
                * another's): nothing of the device's protocol, and nothing a
                * spec can do when the device raised its line */
    LO_MCAST,  /* a filter or reset while a multicast list was set */
    LO_SPLIT,  /* a send in several descriptors */
    LO_AFTER,  /* a request that touched such a send's descriptors */
    LO_NOPARAM, /* a request of a kind that takes a parameter, recorded without it */
    LO_COUNT
} LeftOut;

static LeftOut left_out(const XInst *in)
{
    if (in->reconfigured)
        return LO_RECONF;
    if (in->setting_off)
        return LO_SETTING;
    if (in->gone)
        return LO_GONE;
    if (in->kind == XK_INTR && !in->nraw)
        return LO_IDLE;
    if (in->mcast_on)
        return LO_MCAST;
    if (in->split)
        return in->split == 1 ? LO_SPLIT : LO_AFTER;
    if ((in->kind == XK_FILTER || in->kind == XK_MCAST) && !in->has_param)
        return LO_NOPARAM;
    return LO_KEPT;
}

static int gen_kind(Gen *g, XKind kind, Trans *t)
{
    memset(t, 0, sizeof *t);
    t->kind = kind;
    size_t n = 0, multi = 0, lo[LO_COUNT] = {0};
    for (size_t i = 0; i < g->x->ninst; i++)
        if (g->x->inst[i].kind == kind) {
            if (g->x->inst[i].multi)
                multi++;
            else
                lo[left_out(&g->x->inst[i])]++;
        }
    n = lo[LO_KEPT];
    t->instances = (unsigned)(n + multi);
    if (!n)
        return 0;
    Scope s = {0};
    s.v = calloc(n, sizeof *s.v);
    s.pos = calloc(n, sizeof *s.pos);
    size_t *ids = calloc(n, sizeof *ids);
    FILE *o = open_memstream(&t->text, &t->len);
    if (!s.v || !s.pos || !ids || !o) {
        free(s.v);
        free(s.pos);
        free(ids);
        if (o)
            fclose(o);
        return -1;
    }
    g->o = o;
    g->kind = kind;
    g->copy_expr[0] = 0;
    g->copy_region = -1;
    uint32_t pmin = UINT32_MAX, pmax = 0;
    uint32_t seen[MAX_GUARD_VALUES];
    unsigned nseen = 0;
    int overflow = 0;
    for (size_t i = 0; i < g->x->ninst; i++) {
        XInst *in = &g->x->inst[i];
        if (in->kind != kind || in->multi || left_out(in))
            continue;
        collapse_polls(g, in);
        ids[s.nv] = s.nv;
        s.v[s.nv++] = (View){in->ops, in->n, in};
        if (in->has_param) {
            pmin = in->param < pmin ? in->param : pmin;
            pmax = in->param > pmax ? in->param : pmax;
            unsigned q;
            for (q = 0; q < nseen && seen[q] != in->param; q++)
                ;
            if (q == nseen) {
                if (nseen < MAX_GUARD_VALUES)
                    seen[nseen++] = in->param;
                else
                    overflow = 1;
            }
        }
    }
    t->used = (unsigned)n;
    {
        Units us = {0};
        for (size_t i = 0; i < s.nv; i++)
            find_units(g, s.v[i].in, &us);
        PioShape sh;
        pio_shape(g, kind, &sh);
        for (size_t i = 0; i < s.nv; i++) {
            XInst *in = (XInst *)s.v[i].in;
            if (collapse(g, in, &us) < 0 || pio_collapse(g, in, &sh) < 0)
                goto oom;
            s.v[i].ops = in->ops;
            s.v[i].n = in->n;
        }
    }
    byte_runs(g, &s);
    debug_dump(g, kind);
    /* the link state last reported before each instance */
    if (g->any_link) {
        Slot *sl = slot_make(g, &s, SLOT_LINK, "linkrep");
        if (sl)
            for (size_t i = 0; i < s.nv; i++) {
                const XInst *in = s.v[i].in;
                uint32_t st = LINK_NONE;
                for (size_t at = (size_t)(in - g->x->inst); at-- > 0;) {
                    const XInst *p = &g->x->inst[at];
                    if (p->trace != in->trace)
                        break;
                    size_t j;
                    for (j = p->nraw; j-- > 0 && p->raw[j].kind != XO_LINK;)
                        ;
                    if (j != SIZE_MAX) {
                        st = p->raw[j].value != 0;
                        break;
                    }
                    if (p->kind == XK_INIT || p->kind == XK_RESET)
                        break;
                }
                sl->v[i] = st;
                sl->ok[i] = 1;
            }
    }
    /* where the next frame read through a data register is */
    if (g->prx.ok) {
        Slot *sl = slot_make(g, &s, SLOT_RX, "rxpos");
        for (size_t i = 0; sl && i < s.nv; i++) {
            sl->v[i] = s.v[i].in->rxpos;
            sl->ok[i] = s.v[i].in->rxpos_ok;
        }
    }
    /* the receive ring's counter, for the kind that walks it */
    if (g->rxp >= 0 && kind == g->rx_kind) {
        Slot *sl = slot_make(g, &s, SLOT_RXN, "rx_n");
        if (sl) {
            sl->wrap = g->x->regions[g->rxp].ring_count;
            for (size_t i = 0; i < s.nv; i++) {
                sl->v[i] = s.v[i].in->rxr % sl->wrap;
                sl->ok[i] = 1;
            }
        }
    }
    /* provenance: the first instances of each trace */
    unsigned shown = 0, last_trace = UINT32_MAX;
    for (size_t i = 0; i < s.nv; i++) {
        const XInst *in = s.v[i].in;
        if (in->trace == last_trace || shown >= 4)
            continue;
        last_trace = in->trace;
        fprintf(o, "  from ");
        quote(o, an_trace_path(g->a, in->trace));
        fprintf(o, " %llu %llu\n", (unsigned long long)in->first, (unsigned long long)in->last);
        shown++;
    }
    for (size_t i = 0; i < s.nv; i++)
        if (s.v[i].in->trace != s.v[0].in->trace) {
            t->traces = 2;
            break;
        }
    char wbuf[512] = "";
    if (kind == XK_SEND && pmin != UINT32_MAX)
        snprintf(wbuf, sizeof wbuf, " when len >= %u && len <= %u", pmin, pmax);
    if ((kind == XK_FILTER || kind == XK_MCAST) && nseen && !overflow) {
        int m = snprintf(wbuf, sizeof wbuf, " when");
        for (unsigned q = 0; q < nseen; q++)
            m += snprintf(wbuf + m, sizeof wbuf - (size_t)m, "%s %s == 0x%x", q ? " ||" : "",
                          kind == XK_FILTER ? "filter" : "count", seen[q]);
    }
    fprintf(o, "  note \"%zu request(s)%s%s", n,
            multi ? "; sends of several frames in one call were left out" : "",
            lo[LO_NOPARAM] ? "; requests whose parameter the traces do not give were left out"
                           : "");
    static const char *const why[LO_COUNT] = {
        [LO_RECONF] = "after the driver's configuration was changed (param) were left out: the "
                      "spec is for the configuration it starts with",
        [LO_SETTING] = "while a setting NDIS's binding makes (such as the lookahead) was set to another "
                       "value were left out: the spec is for the binding's",
        [LO_GONE] = "after the OS told the driver its device was surprise removed (before the "
                    "next initialization) were left out",
        [LO_SPLIT] = "the driver gave the device in several descriptors (the OS's frame across "
                     "a page, or in pieces) were left out: the spec's copy takes one",
        [LO_AFTER] = "that touched the descriptors of such a send were left out",
        [LO_IDLE] = "the driver answered without touching the device were left out",
        [LO_MCAST] = "while a multicast list was set were left out: the spec has no hash, and "
                     "such a list hands the device to the driver",
    };
    static const LeftOut told[] = {LO_RECONF, LO_SETTING, LO_GONE, LO_SPLIT, LO_AFTER, LO_IDLE, LO_MCAST};
    for (unsigned q = 0; q < sizeof told / sizeof told[0]; q++)
        if (lo[told[q]])
            fprintf(o, "; %zu %s", lo[told[q]], why[told[q]]);
    fputs("\"\n", o);
    /* timers: NDIS's hang check and the driver's own timers are separate
     * functions on separate clocks, which nothing the device says tells
     * apart; the spec's one periodic timer request does what each does,
     * one after the other */
    size_t groups[3] = {0};
    for (size_t i = 0; i < s.nv; i++)
        groups[s.v[i].in->timer_entry]++;
    if (kind == XK_TIMER && groups[1] && groups[2]) {
        size_t at = 0;
        for (uint8_t e = 1; e <= 2; e++) {
            size_t start = at;
            for (size_t i = 0; i < s.nv; i++)
                if (s.v[i].in->timer_entry == e)
                    ids[at++] = i;
            fprintf(o, "  note \"%zu of them in %s\"\n", at - start,
                    e == 1 ? "MiniportCheckForHang" : "a timer the driver set");
            gen(g, &s, ids + start, at - start, 1);
        }
    } else
        gen(g, &s, ids, s.nv, 1);
    if (g->rot[kind]) {
        char nm[48];
        counter_name(kind, nm, sizeof nm);
        fprintf(o, "  set %s %s + 1\n", nm, nm);
    }
    if (kind == XK_SEND)
        fputs("  complete\n", o);
    fclose(o);
    g->o = NULL;
    /* the header goes in front */
    {
        char *body = t->text;
        size_t blen = t->len;
        char *full = NULL;
        size_t flen = 0;
        FILE *f = open_memstream(&full, &flen);
        if (!f) {
            free(body);
            t->text = NULL;
            goto oom2;
        }
        const char *from = kind == XK_INIT ? "*" : kind == XK_HALT ? "*" : "running";
        const char *to = kind == XK_HALT ? "stopped" : "running";
        fprintf(f, "on %s %s -> %s%s\n", xk_request[kind], from, to, wbuf);
        fwrite(body, 1, blen, f);
        fclose(f);
        free(body);
        t->text = full;
        t->len = flen;
    }
    scope_free(&s);
    free(s.v);
    free(ids);
    return 1;
oom:
    fclose(o);
    free(t->text);
    t->text = NULL;
oom2:
    scope_free(&s);
    free(s.v);
    free(ids);
    return -1;
}

/* The descriptors of rings an instance stored into (a send handing a frame
 * on in place, zero-copy: one per piece of it; an interrupt cleaning up
 * after sends), at most 64, as (ring region, descriptor); and how many
 * descriptors it went through, wraps included (a burst of fragmented
 * frames may go round a ring more than once): each ring's first store
 * and every store into the descriptor after the last one reached. */
typedef struct DescSet {
    int reg[64];
    uint32_t idx[64];
    unsigned n;
    unsigned used;
} DescSet;

static void inst_descs(const Extract *x, const XInst *in, DescSet *ds)
{
    ds->n = 0;
    ds->used = 0;
    int wreg[4];
    uint32_t wat[4];
    unsigned nw = 0;
    for (size_t j = 0; j < in->nraw; j++) {
        const XOp *o = &in->raw[j];
        if (o->kind != XO_STORE || o->reg < 0 || (unsigned)o->reg >= x->nregions)
            continue;
        const XRegion *r = &x->regions[o->reg];
        if (!r->ring || !r->ring_desc)
            continue;
        uint32_t d = o->off / r->ring_desc;
        unsigned w;
        for (w = 0; w < nw && wreg[w] != o->reg; w++)
            ;
        if (w == nw && nw < 4) {
            wreg[nw] = o->reg;
            wat[nw++] = d;
            ds->used++;
        } else if (w < nw && r->ring_count && d == (wat[w] + 1) % r->ring_count) {
            wat[w] = d;
            ds->used++;
        }
        unsigned k;
        for (k = 0; k < ds->n && !(ds->reg[k] == o->reg && ds->idx[k] == d); k++)
            ;
        if (k == ds->n && ds->n < 64) {
            ds->reg[ds->n] = o->reg;
            ds->idx[ds->n++] = d;
        }
    }
}

/* Descriptors a send in several pieces filled, per ring region: what a
 * later request that touches one of them (the interrupt cleaning up after
 * that send) does is nothing the spec's one-descriptor sends lead to. */
#define SPLIT_DESCS 1024
typedef struct SplitMarks {
    uint8_t m[XMAX_REGIONS][SPLIT_DESCS / 8];
} SplitMarks;

static int split_marked(const SplitMarks *sm, int reg, uint32_t d)
{
    return d < SPLIT_DESCS && reg >= 0 && reg < XMAX_REGIONS && (sm->m[reg][d / 8] >> (d % 8) & 1);
}

static void split_mark(SplitMarks *sm, int reg, uint32_t d, int on)
{
    if (d >= SPLIT_DESCS || reg < 0 || reg >= XMAX_REGIONS)
        return;
    if (on)
        sm->m[reg][d / 8] |= (uint8_t)(1u << (d % 8));
    else
        sm->m[reg][d / 8] &= (uint8_t)~(1u << (d % 8));
}

/* The send counter each instance saw: frames the driver took (copied, or
 * with any device access; by descriptor where sends fill a ring) since the
 * last init or reset, as a replayed `send` transition counts them, not
 * requests (a burst is several frames, a refused frame none); and which
 * requests are left out for a send in several descriptors (XInst.split) or
 * for a multicast list set (XInst.mcast_on). */
static void count_sends(Extract *x, int txp)
{
    static SplitMarks sm;
    unsigned trace = UINT32_MAX, frames = 0;
    /* a send left out (several frames, or several descriptors) since the
     * last one-descriptor send: the driver may have gone on through the
     * ring outside the sends (a burst's fragments queued for lack of
     * descriptors and filled from the interrupt); the next send's first
     * descriptor says where its index is */
    int unsure = 0;
    int copies_frames = 0; /* the driver copies frames: count the copies */
    for (size_t i = 0; i < x->ninst && !copies_frames; i++)
        for (size_t j = 0; j < x->inst[i].nraw && !copies_frames; j++)
            copies_frames = x->inst[i].kind == XK_SEND && x->inst[i].raw[j].kind == XO_COPY;
    unsigned mlist = 0; /* addresses in the multicast list the OS last set */
    for (size_t i = 0; i < x->ninst; i++) {
        XInst *in = &x->inst[i];
        if (in->trace != trace || in->kind == XK_INIT)
            mlist = 0; /* an initialized adapter's list is empty */
        if (in->kind == XK_MCAST && in->has_param)
            mlist = in->param;
        /* a filter or a reset while the driver holds a multicast list
         * rewrites the hash table from it, which the spec cannot say; and
         * the spec never runs then: a list of addresses falls back to
         * the driver */
        in->mcast_on = mlist && (in->kind == XK_FILTER || in->kind == XK_RESET);
        if (in->trace != trace || in->kind == XK_INIT || in->kind == XK_RESET) {
            trace = in->trace;
            frames = 0;
            unsure = 0;
            memset(&sm, 0, sizeof sm);
        }
        if (unsure && in->kind == XK_SEND && txp >= 0 && x->regions[txp].ring_count) {
            const XRegion *r = &x->regions[txp];
            for (size_t j = 0; j < in->nraw; j++) {
                const XOp *o = &in->raw[j];
                if (o->kind != XO_STORE || o->reg != txp)
                    continue;
                uint32_t d0 = o->off / r->ring_desc, c = r->ring_count;
                frames = frames - frames % c + d0;
                unsure = 0;
                break;
            }
        }
        in->cnt[XK_SEND] = frames;
        if (in->restart & 1)
            frames = 0;
        DescSet ds;
        inst_descs(x, in, &ds);
        if (in->kind != XK_SEND) {
            /* a request that touches what a split send filled */
            for (unsigned k = 0; k < ds.n && !in->split; k++)
                if (split_marked(&sm, ds.reg[k], ds.idx[k]))
                    in->split = 2;
            continue;
        }
        unsigned copies = 0;
        for (size_t j = 0; j < in->nraw; j++)
            copies += in->raw[j].kind == XO_COPY;
        /* a send that fills ring descriptors counts by descriptor, which
         * the ring's index follows: a driver handing the device the OS's
         * frame may take several (the frame across a page of the OS's
         * memory, or in fragments). The spec's copy of a frame always
         * takes one, so such a send is left out, and so is a later request
         * that touches the descriptors it filled (the interrupt cleaning
         * two up); the sends after it are counted by the descriptors the
         * driver used. Other sends count their copies where the driver
         * copies frames (into buffers of its own, or a bounce buffer),
         * else one. A send whose frame the OS gave in several buffers is
         * left out too, even in one descriptor (the driver copied the
         * pieces into a bounce buffer): the replayer's frames come whole,
         * and what the driver does for pieces is not what it does then. */
        in->split = ds.n > 1 || in->pieces;
        unsure |= in->split || in->multi;
        for (unsigned k = 0; k < ds.n; k++)
            split_mark(&sm, ds.reg[k], ds.idx[k], ds.n > 1);
        frames += ds.n ? ds.used : copies_frames ? copies : in->nraw ? 1 : 0;
    }
}

/* Descriptor rings the analysis found become spec rings of their own, so
 * that verify holds every address field the device reads to a host buffer.
 * An allocation that holds rings and other things (two rings, an
 * initialization block) is split into pieces at the rings' edges, each
 * piece a spec buffer or ring of its own, and every op's place and every
 * address value is renamed to its piece: the spec's buffers need not be
 * laid out as the driver's were, only referred to consistently. An
 * allocation with no ring stays whole, under its own name. */
typedef struct Extent {
    uint32_t off, count, desc;
    int buf_off;
} Extent;

static int piece_of(const XRegion *pieces, unsigned np, int region, uint32_t off, uint32_t *poff)
{
    for (unsigned i = 0; i < np; i++)
        if (pieces[i].parent == region && off - pieces[i].start < pieces[i].size) {
            *poff = off - pieces[i].start;
            return (int)i;
        }
    return -1;
}

/* A field at `off` of every descriptor of piece p only ever stored 0 (and
 * stored at least once): the upper half of a 64-bit address. */
static int ring_field_zero(const Extract *x, int p, uint32_t desc, uint32_t off)
{
    int seen = 0;
    for (size_t k = 0; k < x->ninst; k++)
        for (size_t j = 0; j < x->inst[k].nraw; j++) {
            const XOp *o = &x->inst[k].raw[j];
            if (o->kind != XO_STORE || o->reg != p || o->off % desc != off)
                continue;
            if (o->value)
                return 0;
            seen = 1;
        }
    return seen;
}

static void split_rings(Gen *g)
{
    Extract *x = g->x;
    static XRegion pieces[XMAX_REGIONS];
    unsigned np = 0;
    for (unsigned k = 0; k < x->nregions; k++) {
        const XRegion *r = &x->regions[k];
        Extent ex[16];
        unsigned ne = 0;
        for (size_t i = 0; i < an_nrings(g->a) && ne < 16; i++) {
            const AnRing *rg = an_ring(g->a, i);
            if (!rg->desc_size || !rg->count || rg->stride != rg->desc_size || rg->count > 1024)
                continue;
            for (unsigned q = 0; q < r->naddrs; q++) {
                uint32_t off = rg->base - r->addrs[q];
                uint64_t end = (uint64_t)off + (uint64_t)rg->count * rg->desc_size;
                if (rg->base < r->addrs[q] || end > r->size || end - off > 0x100000)
                    continue;
                int overlap = 0;
                for (unsigned e = 0; e < ne; e++)
                    overlap |= off < ex[e].off + ex[e].count * ex[e].desc && ex[e].off < end;
                if (!overlap)
                    ex[ne++] = (Extent){
                        off, rg->count, rg->desc_size,
                        rg->buf_off >= 0 && (uint32_t)rg->buf_off + 4 <= rg->desc_size ? rg->buf_off
                                                                                       : -1};
                break;
            }
        }
        for (unsigned i = 1; i < ne; i++)
            for (unsigned j = i; j > 0 && ex[j].off < ex[j - 1].off; j--) {
                Extent t = ex[j];
                ex[j] = ex[j - 1];
                ex[j - 1] = t;
            }
        if (!ne) {
            if (np < XMAX_REGIONS) {
                pieces[np] = *r;
                pieces[np].parent = (int)k;
                pieces[np++].start = 0;
            }
            continue;
        }
        uint32_t cur = 0;
        XRegion whole = *r;
        snprintf(whole.whole_label, sizeof whole.whole_label, "%s", r->label);
        whole.whole_size = r->size;
        whole.whole_align = r->align;
        r = &whole;
        for (unsigned e = 0; e <= ne && np + 2 <= XMAX_REGIONS; e++) {
            uint32_t upto = e < ne ? ex[e].off : r->size;
            if (upto > cur) { /* what lies between the rings */
                XRegion *p = &pieces[np++];
                *p = *r;
                p->parent = (int)k;
                p->start = cur;
                p->size = upto - cur;
                uint32_t al = cur & -cur;
                p->align = cur ? (al < r->align ? al : r->align) : r->align;
                p->ring = 0;
                p->piece = 1;
                snprintf(p->label, sizeof p->label, "%.32s_%u", r->label, np - 1);
            }
            if (e == ne)
                break;
            XRegion *p = &pieces[np++];
            *p = *r;
            p->parent = (int)k;
            p->start = ex[e].off;
            p->size = ex[e].count * ex[e].desc;
            uint32_t al = p->start & -p->start;
            p->align = p->start ? (al < r->align ? al : r->align) : r->align;
            p->ring = 1;
            p->ring_count = ex[e].count;
            p->ring_desc = ex[e].desc;
            p->ring_buf_off = ex[e].buf_off;
            p->piece = 1;
            snprintf(p->label, sizeof p->label, "%.32s_ring%u", r->label, e);
            cur = p->start + p->size;
        }
    }
    /* every place and address to its piece */
    for (size_t k = 0; k < x->ninst; k++)
        for (size_t j = 0; j < x->inst[k].nraw; j++) {
            XOp *o = &x->inst[k].raw[j];
            uint32_t po = 0;
            int kind_has_place = o->kind == XO_STORE || o->kind == XO_COPY || o->kind == XO_BLOB ||
                                 o->kind == XO_DELIVER || o->kind == XO_LOAD;
            if (o->kind == XO_LOAD && o->reg >= 0) {
                int p = piece_of(pieces, np, o->reg, o->off, &po);
                o->reg = p >= 0 && po + o->size <= pieces[p].size ? p : -1;
                o->off = po;
            } else if (kind_has_place && o->reg >= 0) {
                int p = piece_of(pieces, np, o->reg, o->off, &po);
                if (p >= 0 && (o->kind != XO_COPY && o->kind != XO_BLOB && o->kind != XO_DELIVER
                                   ? po + o->size <= pieces[p].size
                                   : po + o->len <= pieces[p].size)) {
                    o->reg = p;
                    o->off = po;
                } else { /* across a piece's edge: nothing a spec can say, but
                          * zeros (a memset of the whole allocation) stay
                          * zeros: the arena's buffers start zeroed */
                    int zeros = o->kind == XO_BLOB && o->value;
                    o->kind = XO_BLOB;
                    o->value = (uint32_t)zeros;
                    o->reg = p >= 0 ? p : 0;
                    o->off = p >= 0 ? po : o->off; /* from where it starts */
                    o->len = o->len ? o->len : o->size;
                    if (p < 0)
                        o->reg = -1;
                }
            }
            if (o->addr_region >= 0) {
                int p = piece_of(pieces, np, o->addr_region, o->addr_off, &po);
                o->addr_region = p;
                o->addr_off = p >= 0 ? po : 0;
            }
        }
    memcpy(x->regions, pieces, np * sizeof *pieces);
    x->nregions = np;
    /* a ring's upper address halves: the field above the address, only
     * ever 0 (an 8254x descriptor's buffer address is 64 bits; a PCnet
     * descriptor's next field is not) */
    for (unsigned i = 0; i < np; i++) {
        XRegion *p = &x->regions[i];
        p->ring_hi = p->ring && p->ring_buf_off >= 0 &&
                     (uint32_t)p->ring_buf_off + 8 <= p->ring_desc &&
                     ring_field_zero(x, (int)i, p->ring_desc, (uint32_t)p->ring_buf_off + 4);
    }
}

static int upper_half(const Gen *g, size_t i)
{
    const AnRegInfo *r = an_reg(g->a, i);
    if (r->width != 4 || r->selected || r->banked || r->is_index || g->member[i] >= 0)
        return 0;
    int below = 0, written = 0;
    for (size_t k = 0; k < g->x->ninst; k++)
        for (size_t j = 0; j < g->x->inst[k].nraw; j++) {
            const XOp *o = &g->x->inst[k].raw[j];
            if (o->kind != XO_WRITE)
                continue;
            if (o->reg == (int)i) {
                if (o->value)
                    return 0;
                written = 1;
            }
            const AnRegInfo *q = an_reg(g->a, (size_t)o->reg);
            if (o->addr_region >= 0 && g->member[o->reg] < 0 && q->port == r->port &&
                q->window == r->window && q->addr + 4 == r->addr && q->width == 4 &&
                !q->selected && !q->banked)
                below = 1;
        }
    return below && written;
}

/* The driver's timer period: what it set its timers to most often
 * (NdisMSetPeriodicTimer, NdisMSetTimer), in milliseconds; 0 when it set
 * none or the period is outside what a spec may declare. */
static uint32_t timer_period_ms(const Extract *x)
{
    unsigned best = 0;
    for (unsigned q = 1; q < x->ntimer; q++)
        if (x->timer_votes[q] > x->timer_votes[best])
            best = q;
    if (!x->ntimer || x->timer_ms[best] < SPEC_TIMER_MIN_MS ||
        x->timer_ms[best] > SPEC_TIMER_MAX_MS)
        return 0;
    return x->timer_ms[best];
}

/* Runs of at least four allocations of one kind, size and alignment, made
 * one after another (an 8254x driver's 64 receive buffers), become one
 * buffer array: the spec declares `buffer NAME SIZE count N` and names each
 * NAME[i]. */
static void group_buffers(Gen *g)
{
    Extract *x = g->x;
    for (unsigned i = 0; i < x->nregions; i++)
        x->regions[i].group = -1;
    for (unsigned i = 0; i < x->nregions;) {
        XRegion *a = &x->regions[i];
        unsigned j = i + 1;
        if (!a->ring && !a->piece)
            for (; j < x->nregions; j++) {
                const XRegion *b = &x->regions[j];
                if (b->ring || b->piece || strcmp(a->kind, b->kind) || b->size != a->size ||
                    b->align != a->align)
                    break;
            }
        if (j - i >= 4 && j - i <= SPEC_COUNT_MAX) {
            char name[sizeof a->group_name];
            memcpy(name, a->label, sizeof name);
            name[sizeof name - 1] = 0;
            memcpy(a->group_name, name, sizeof name);
            a->group_count = j - i;
            for (unsigned k = i; k < j; k++) {
                x->regions[k].group = (int)i;
                snprintf(x->regions[k].label, sizeof x->regions[k].label, "%.24s[%u]", name,
                         k - i);
            }
        }
        i = j;
    }
}

/* A receive ring: frames the OS got from buffers whose addresses the
 * driver had stored into descriptors of a ring, descriptors it loaded
 * from (their status, their length) before. Each such frame (deliver) is
 * marked with its descriptor and moved to just after the driver's last
 * load from that descriptor before it: a driver that hands frames on in
 * a batch after its loop (an 8254x's) then has one round per descriptor,
 * its frame inside. The ring with most such frames is the receive ring
 * (g->rxp), walked by the request kind they came in (g->rx_kind). When the
 * driver's init gave descriptor i the i-th buffer of one array, the spec
 * keeps that pairing (g->rx_group). Each instance counts the frames taken
 * from the ring since init or reset before it (XInst.rxr). 0, or -1. */
static int ring_rx(Gen *g)
{
    Extract *x = g->x;
    unsigned nr = x->nregions;
    g->rxp = g->rx_group = -1;
    g->rx_kind = XK_INTR;
    int *hp = calloc(nr ? nr : 1, sizeof *hp);          /* buffer -> ring piece + 1 */
    uint32_t *hd = calloc(nr ? nr : 1, sizeof *hd);     /* buffer -> descriptor */
    unsigned *votes = calloc(nr ? nr : 1, sizeof *votes); /* ring -> frames held */
    int *ident = calloc(nr ? nr : 1, sizeof *ident);    /* ring -> init's array, -1 */
    size_t *tgt = NULL;
    XOp *ops = NULL;
    int rc = -1;
    if (!hp || !hd || !votes || !ident)
        goto out;
    for (unsigned i = 0; i < nr; i++)
        ident[i] = -2; /* no init store seen */
    unsigned kvotes[XK_COUNT] = {0};
    unsigned trace = UINT32_MAX;
    for (size_t i = 0; i < x->ninst; i++) {
        XInst *in = &x->inst[i];
        if (in->trace != trace) {
            trace = in->trace;
            memset(hp, 0, nr * sizeof *hp);
        }
        tgt = malloc((in->nraw ? in->nraw : 1) * sizeof *tgt);
        if (!tgt)
            goto out;
        size_t moved = 0;
        for (size_t j = 0; j < in->nraw; j++) {
            XOp *o = &in->raw[j];
            tgt[j] = SIZE_MAX;
            const XRegion *rg = o->reg >= 0 ? &x->regions[o->reg] : NULL;
            if (o->kind == XO_STORE && rg && rg->ring && rg->ring_buf_off >= 0 && o->size == 4 &&
                o->off % rg->ring_desc == (uint32_t)rg->ring_buf_off && o->addr_region >= 0 &&
                !o->addr_off) {
                uint32_t desc = o->off / rg->ring_desc;
                hp[o->addr_region] = o->reg + 1;
                hd[o->addr_region] = desc;
                if (in->kind == XK_INIT && ident[o->reg] != -1) {
                    int grp = x->regions[o->addr_region].group;
                    if (grp < 0 || (uint32_t)(o->addr_region - grp) != desc ||
                        (ident[o->reg] >= 0 && ident[o->reg] != grp))
                        ident[o->reg] = -1;
                    else
                        ident[o->reg] = grp;
                }
            }
            if (o->kind != XO_DELIVER || !o->value || o->reg < 0 || !hp[o->reg])
                continue;
            int p = hp[o->reg] - 1;
            uint32_t desc = hd[o->reg];
            for (size_t t = j; t-- > 0;) {
                const XOp *l = &in->raw[t];
                if (l->kind == XO_LOAD && l->reg == p &&
                    l->off / x->regions[p].ring_desc == desc) {
                    o->held = p + 1;
                    o->held_desc = desc;
                    tgt[j] = t;
                    votes[p]++;
                    kvotes[in->kind]++;
                    moved++;
                    break;
                }
            }
        }
        if (moved) { /* each marked frame right after its descriptor's load */
            ops = malloc(in->nraw * sizeof *ops);
            if (!ops)
                goto out;
            size_t m = 0;
            for (size_t j = 0; j < in->nraw; j++) {
                if (tgt[j] != SIZE_MAX)
                    continue;
                ops[m++] = in->raw[j];
                for (size_t q = j + 1; q < in->nraw; q++)
                    if (tgt[q] == j)
                        ops[m++] = in->raw[q];
            }
            memcpy(in->raw, ops, m * sizeof *ops);
            free(ops);
            ops = NULL;
        }
        free(tgt);
        tgt = NULL;
    }
    unsigned best = 0;
    for (unsigned i = 0; i < nr; i++)
        if (votes[i] > best) {
            best = votes[i];
            g->rxp = (int)i;
        }
    for (unsigned k = 0; k < XK_COUNT; k++)
        if (kvotes[k] > kvotes[g->rx_kind])
            g->rx_kind = (XKind)k;
    if (g->rxp >= 0 && ident[g->rxp] >= 0 &&
        x->regions[ident[g->rxp]].group_count >= x->regions[g->rxp].ring_count)
        g->rx_group = ident[g->rxp];
    rc = 0;
out:
    free(ops);
    free(tgt);
    free(hp);
    free(hd);
    free(votes);
    free(ident);
    return rc;
}

/* Whether instance `in` lays every descriptor of ring piece p out anew
 * (a store into each, or zeros over them all) and tells the device where
 * the ring starts, as the driver's init does: a driver that restarts its
 * rings to reconfigure the chip (a PCnet's re-initialization for a filter
 * change) starts again at descriptor 0. An interrupt that cleans every
 * descriptor up after a burst gives the device no ring address, and the
 * driver's index goes on from where it was. */
static int restarts_ring(const Extract *x, const XInst *in, int p)
{
    const XRegion *r = &x->regions[p];
    uint8_t seen[1024] = {0};
    unsigned nseen = 0;
    if (!r->ring || !r->ring_desc || r->ring_count > sizeof seen)
        return 0;
    int told = 0;
    for (size_t j = 0; j < in->nraw && !told; j++) {
        const XOp *o = &in->raw[j];
        told = (o->kind == XO_WRITE || o->kind == XO_STORE) && o->addr_region == p &&
               o->addr_off == 0;
    }
    if (!told)
        return 0;
    for (size_t j = 0; j < in->nraw; j++) {
        const XOp *o = &in->raw[j];
        if (o->reg != p || (o->kind != XO_STORE && (o->kind != XO_BLOB || !o->value)))
            continue;
        uint32_t last = o->kind == XO_STORE ? o->off : o->off + (o->len ? o->len - 1 : 0);
        for (uint32_t d = o->off / r->ring_desc; d <= last / r->ring_desc && d < r->ring_count;
             d++)
            if (!seen[d]) {
                seen[d] = 1;
                nseen++;
            }
    }
    return nseen == r->ring_count;
}

/* The transmit ring (the one sends store into most) and the receive ring
 * (ring_rx): which requests other than init and reset restart them
 * (XInst.restart); then the counters, which start again there too: frames
 * sent (XInst.cnt) and frames taken from the receive ring (XInst.rxr). */
static void ring_restarts(Gen *g)
{
    Extract *x = g->x;
    unsigned votes[XMAX_REGIONS] = {0}, best = 0;
    g->txp = -1;
    for (size_t i = 0; i < x->ninst; i++)
        for (size_t j = 0; x->inst[i].kind == XK_SEND && j < x->inst[i].nraw; j++) {
            const XOp *o = &x->inst[i].raw[j];
            if (o->kind == XO_STORE && o->reg >= 0 && x->regions[o->reg].ring &&
                ++votes[o->reg] > best) {
                best = votes[o->reg];
                g->txp = o->reg;
            }
        }
    g->restarts = 0;
    for (size_t i = 0; i < x->ninst; i++) {
        XInst *in = &x->inst[i];
        in->restart = 0;
        if (in->kind == XK_INIT || in->kind == XK_RESET || in->kind == XK_SEND)
            continue;
        if (g->txp >= 0 && restarts_ring(x, in, g->txp))
            in->restart |= 1;
        if (g->rxp >= 0 && g->rxp != g->txp && restarts_ring(x, in, g->rxp))
            in->restart |= 2;
        g->restarts |= in->restart;
    }
    unsigned trace = UINT32_MAX;
    uint32_t taken = 0;
    for (size_t i = 0; i < x->ninst; i++) {
        XInst *in = &x->inst[i];
        if (in->trace != trace || in->kind == XK_INIT || in->kind == XK_RESET) {
            trace = in->trace;
            taken = 0;
        }
        /* where the request first looks into the receive ring is where
         * the driver's index is: a frame it dropped (no deliver: an
         * error, a runt) or a descriptor the device skipped moves it on
         * with nothing the counter of delivered frames sees */
        const XRegion *rr = g->rxp >= 0 ? &x->regions[g->rxp] : NULL;
        for (size_t j = 0; rr && rr->ring_count && rr->ring_desc && j < in->nraw; j++) {
            const XOp *o = &in->raw[j];
            if (o->kind != XO_LOAD || o->reg != g->rxp)
                continue;
            uint32_t d0 = o->off / rr->ring_desc;
            if (taken % rr->ring_count != d0)
                taken = taken - taken % rr->ring_count + d0;
            break;
        }
        in->rxr = taken;
        for (size_t j = 0; j < in->nraw; j++)
            taken += in->raw[j].kind == XO_DELIVER && in->raw[j].held == g->rxp + 1;
        if (in->restart & 2)
            taken = 0;
    }
}

/* The `reg` line of register view i, after the lines of the index and
 * bank registers it names (a spec declares a register before its use). */
static void decl_reg(Gen *g, FILE *out, size_t i, uint8_t *printed)
{
    const Analysis *a = g->a;
    const Extract *x = g->x;
    const AnRegInfo *r = an_reg(a, i);
    int w = reg_win(g, r);
    char cb[128];
    if (printed[i] || g->member[i] >= 0 || g->bad[i])
        return;
    printed[i] = 1;
    int ix = r->selected ? find_view(g, r->port, r->index_addr, 1) : -1;
    int bx = r->banked ? find_view(g, r->port, r->bank_addr, 1) : -1;
    if (ix >= 0)
        decl_reg(g, out, (size_t)ix, printed);
    if (bx >= 0)
        decl_reg(g, out, (size_t)bx, printed);
    fprintf(out, "reg %s w%d 0x%x %u", g->regname[i], w, r->addr - r->window, r->width);
    if (ix >= 0)
        fprintf(out, " index %s 0x%x", g->regname[ix], r->selector);
    if (bx >= 0)
        fprintf(out, " bank %s 0x%x 0x%x", g->regname[bx], r->bank_mask, r->bank_value);
    /* a register written addresses of buffers takes a bus address */
    int dma = 0, half = 0;
    for (size_t k = 0; k < x->ninst && !dma; k++)
        for (size_t j = 0; j < x->inst[k].nraw && !dma; j++) {
            const XOp *o = &x->inst[k].raw[j];
            dma = o->kind == XO_WRITE && o->reg == (int)i && o->addr_region >= 0;
            half = dma ? o->addr_half : 0;
        }
    /* the upper half of a 64-bit bus address: 4 bytes above a register
     * written buffer addresses, itself only ever written 0 (verify then
     * holds it to 0) */
    if (!dma && upper_half(g, i))
        dma = 2;
    if (dma)
        fputs(half == XHALF_LOW ? " dma low" : half == XHALF_HIGH ? " dma high" : " dma", out);
    fprintf(out, "   # %s%s, %s%s%s\n", dma == 2 ? "the upper half of a bus address; " : "",
            an_class_name(r->cls), an_access_name(r->access), r->model_name ? "; the model: " : "",
            r->model_name ? clean(r->model_name, cb, sizeof cb) : "");
}

int extract_write_spec(const Analysis *a, Extract *x, FILE *out, char *err, size_t errlen)
{
    Gen g = {.a = a, .x = x, .want_reg = -1};
    g.nregs = an_nregs(a);
    g.regname = calloc(g.nregs ? g.nregs : 1, sizeof *g.regname);
    if (!g.regname) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    g.member = calloc(g.nregs ? g.nregs : 1, sizeof *g.member);
    if (!g.member) {
        free(g.regname);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    windows(&g);
    g.bad = calloc(g.nregs ? g.nregs : 1, 1);
    if (!g.bad) {
        free(g.regname);
        free(g.member);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    g.index_view = calloc(g.nregs ? g.nregs : 1, 1);
    if (!g.index_view) {
        free(g.regname);
        free(g.member);
        free(g.bad);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < g.nregs; i++) {
        const AnRegInfo *r = an_reg(a, i);
        int ix = r->selected ? find_view(&g, r->port, r->index_addr, 1) : -1;
        if (ix >= 0)
            g.index_view[ix] = 1;
    }
    bad_regs(&g);
    name_regs(&g);
    address_arrays(&g);
    bad_selectors(&g);
    split_rings(&g);
    mark_halves(x);
    group_buffers(&g);
    for (size_t i = 0; i < x->ninst && !g.any_link; i++)
        for (size_t j = 0; j < x->inst[i].nraw; j++)
            g.any_link |= x->inst[i].raw[j].kind == XO_LINK;
    if (ring_rx(&g) < 0) {
        free(g.regname);
        free(g.member);
        free(g.bad);
        free(g.index_view);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ring_restarts(&g);
    count_sends(x, g.txp);
    rx_model(&g);
    rx_port_model(&g);
    static const XKind order[] = {XK_INIT,  XK_HALT,  XK_RESET, XK_SEND, XK_FILTER,
                                  XK_MCAST, XK_STATS, XK_INTR,  XK_TIMER};
    Trans tr[sizeof order / sizeof order[0]];
    int rc = 0;
    g.track = calloc(g.nregs ? g.nregs : 1, 1);
    g.asmx = calloc(ASM_MAX, sizeof *g.asmx);
    if (!g.track || !g.asmx)
        rc = -1;
    /* twice when a value turned out to be the register's last one: the
     * second pass keeps that value in a variable at every write */
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        g.pass = pass;
        g.nfam = 0;
        g.rx_used = 0;
        g.rxn_used = g.rxlen_used = 0;
        g.prx.used = g.prx.big = g.prx.from_place = g.prx.guarded = 0;
        g.prx.place_max = UINT32_MAX;
        g.prx.len_need = 0;
        g.nasm = g.nocc = 0;
        g.nld = 0;
        g.nprom = 0;
        g.stamp = 0;
        memset(g.rot, 0, sizeof g.rot);
        memset(g.var_used, 0, sizeof g.var_used);
        g.nfallbacks = g.nnotes = 0;
        g.pad_to = 0;
        g.tx_frame_n = 0;
        for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
            if (gen_kind(&g, order[i], &tr[i]) < 0)
                rc = -1;
        int any = 0;
        for (size_t i = 0; i < g.nregs; i++)
            any |= g.track[i];
        any |= g.link_used || g.restarts;
        memcpy(g.rot_prev, g.rot, sizeof g.rot_prev);
        g.rxn_known = g.rxn_used;
        if (pass == 1 || !any || rc < 0)
            break;
        for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
            free(tr[i].text);
    }
    if (rc < 0) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }

    /* ---- declarations ---- */
    const char *mod;
    uint32_t base;
    const char *path;
    fprintf(out, "xdrv-spec 1\n# Extracted by xdrv extract from %zu trace(s)", an_ntraces(a));
    char cb[128];
    if (!an_module(a, &mod, &base, &path))
        fprintf(out, " of %s", clean(mod, cb, sizeof cb));
    fputs(".\n# Registers are named by window and offset (r37: offset 0x37; _8/_16: width);\n"
          "# a comment gives the name the device model used in the traces, for people.\n",
          out);
    if (x->have_id)
        fprintf(out, "device pci %04x:%04x\n", x->vendor, x->device);
    else if (an_isa_model(a))
        fprintf(out, "device isa %s\n", an_isa_model(a));
    fputc('\n', out);
    for (unsigned i = 0; i < g.nwin; i++)
        fprintf(out, "window w%u %s 0x%x   # at 0x%x in the traces\n", i,
                g.win[i].port ? "port" : "mmio", g.win[i].size, g.win[i].base);
    fputc('\n', out);
    for (unsigned i = 0; i < g.naddr_arr; i++) {
        const Family *f = &g.addr_arr[i];
        fprintf(out,
                "reg %s w%d 0x%x 4 count %u stride 4 dma   # registers written buffer "
                "addresses, side by side; the model:",
                f->name, f->win, f->base, f->count);
        for (size_t k = 0; k < g.nregs; k++)
            if (g.member[k] == (int)i)
                fprintf(out, " %s", clean(an_reg(a, k)->model_name, cb, sizeof cb));
        fputc('\n', out);
    }
    uint8_t *printed = calloc(g.nregs ? g.nregs : 1, 1);
    if (!printed) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
        goto done;
    }
    for (size_t i = 0; i < g.nregs; i++)
        decl_reg(&g, out, i, printed);
    free(printed);
    for (unsigned i = 0; i < g.nfam; i++) {
        const Family *f = &g.fam[i];
        int dma = 0;
        for (size_t k = 0; k < x->ninst && !dma; k++)
            for (size_t j = 0; j < x->inst[k].nraw && !dma; j++) {
                const XOp *o = &x->inst[k].raw[j];
                if (o->kind != XO_WRITE || o->addr_region < 0)
                    continue;
                const AnRegInfo *r = an_reg(a, (size_t)o->reg);
                uint32_t off = r->addr - r->window;
                dma = reg_win(&g, r) == f->win && off >= f->base &&
                      off < f->base + f->count * f->stride && (off - f->base) % f->stride == 0;
            }
        fprintf(out,
                "reg %s w%d 0x%x %u count %u stride %u%s   # an array: one register per "
                "request in turn\n",
                f->name, f->win, f->base, f->width, f->count, f->stride, dma ? " dma" : "");
    }
    fputc('\n', out);
    for (unsigned i = 0; i < x->nregions; i++) {
        const XRegion *b = &x->regions[i];
        if (b->group >= 0) {
            if (b->group != (int)i)
                continue;
            int used = 0;
            for (unsigned k = i; k < i + b->group_count; k++)
                used |= x->regions[k].used;
            if (used)
                fprintf(out,
                        "buffer %s %u align %u count %u   # allocations #%u-#%u of kind %s in "
                        "each trace\n",
                        b->group_name, b->size > 0x100000 ? 0x100000 : b->size,
                        b->align < 4 ? 4 : b->align, b->group_count, b->ordinal,
                        b->ordinal + b->group_count - 1, clean(b->kind, cb, sizeof cb));
            continue;
        }
        if (!b->used)
            continue;
        uint32_t al = b->align < 4 ? 4 : b->align;
        /* the pieces of one allocation lie in it, at the driver's offsets:
         * its first used piece declares it */
        int in = b->piece && b->whole_size && b->whole_size <= 0x100000;
        if (in) {
            int first = 1;
            for (unsigned k = 0; k < i; k++)
                if (x->regions[k].piece && x->regions[k].parent == b->parent && x->regions[k].used &&
                    x->regions[k].group < 0)
                    first = 0;
            if (first)
                fprintf(out,
                        "buffer %s %u align %u   # allocation #%u of kind %s in each trace, the "
                        "pieces below at the driver's offsets\n",
                        b->whole_label, b->whole_size,
                        b->whole_align < 4 ? 4 : b->whole_align, b->ordinal,
                        clean(b->kind, cb, sizeof cb));
        }
        if (b->ring) {
            fprintf(out, "ring %s %u %u align %u", b->label, b->ring_count, b->ring_desc, al);
            if (b->ring_buf_off >= 0) {
                fprintf(out, " dma %d", b->ring_buf_off);
                if (b->ring_hi) /* the upper half of a 64-bit buffer address */
                    fprintf(out, ",%d", b->ring_buf_off + 4);
            }
            if (in)
                fprintf(out, " in %s 0x%x", b->whole_label, b->start);
            fprintf(out,
                    "   # a descriptor ring the device walks (at +0x%x of allocation #%u of kind "
                    "%s)\n",
                    b->start, b->ordinal, clean(b->kind, cb, sizeof cb));
            continue;
        }
        fprintf(out, "buffer %s %u align %u", b->label, b->size > 0x100000 ? 0x100000 : b->size, al);
        if (in)
            fprintf(out, " in %s 0x%x", b->whole_label, b->start);
        fprintf(out, "   # allocation #%u of kind %s in each trace", b->ordinal,
                clean(b->kind, cb, sizeof cb));
        if (b->piece)
            fprintf(out, ", from +0x%x", b->start);
        fputc('\n', out);
    }
    if (g.prx.used)
        fprintf(out,
                "buffer rxhdr %u align 4   # a received frame's header, read through the data "
                "register\nbuffer rxframe %u align 4   # a received frame, read through the data "
                "register\n",
                g.prx.hdr,
                (g.prx.frame_max < 1536 ? 1536 : (g.prx.frame_max + 63) & ~63u) +
                    (g.prx.big ? 0x10000u : 0));
    if (g.tx_frame_n)
        fprintf(out,
                "buffer tx_frame 1536 align 16 count %u kind \"send-buffer\"   # a copy of each "
                "frame sent: the driver gave the device the OS's own memory (the NDIS host's "
                "send-buffer)\n",
                g.tx_frame_n);
    fputc('\n', out);
    for (unsigned k = 0; k < XK_COUNT; k++)
        if (g.rot[k]) {
            char nm[48];
            fprintf(out, "var %s 0 wrap %u   # %s requests since init, modulo %u\n",
                    counter_name((XKind)k, nm, sizeof nm), g.rot[k], xk_request[k], g.rot[k]);
        }
    for (size_t i = 0; i < g.nregs && i < sizeof g.var_used / sizeof g.var_used[0]; i++)
        if (g.var_used[i]) {
            char var[80];
            var_name(g.regname[i], var, sizeof var);
            fprintf(out, "var %s 0\n", var);
        }
    for (unsigned i = 0; i < g.nocc; i++)
        fprintf(out, "var %s 0   # a read whose bytes a later write takes\n", g.occ_var[i]);
    for (unsigned i = 0; i < g.nfam; i++) {
        /* array reads keep their value in v_<array> */
        int read = 0;
        for (unsigned t = 0; t < sizeof order / sizeof order[0] && !read; t++) {
            char pat[96];
            snprintf(pat, sizeof pat, "-> v_%s\n", g.fam[i].name);
            read = tr[t].text && strstr(tr[t].text, pat);
        }
        if (read)
            fprintf(out, "var v_%s 0\n", g.fam[i].name);
    }
    for (size_t i = 0; i < g.nregs; i++)
        if (g.track[i]) {
            char var[80];
            var_name(g.regname[i], var, sizeof var);
            var[0] = 'w';
            fprintf(out, "var %s 0   # the value last written to %s\n", var, g.regname[i]);
        }
    if (g.pad_to)
        fprintf(out, "var pad 0 wrap %u   # bytes of padding stored so far\n", g.pad_to);
    if (g.prx.used) {
        fprintf(out, "var rxpos 0x%x   # where the next frame's header is in the device's memory\n",
                g.prx.init);
        fputs("var rxnext 0   # where the frame after it is (its header says)\n"
              "var rxlen 0   # its length (its header says)\n",
              out);
    } else if (g.rx_used) {
        fprintf(out, "var rxoff 0 wrap %u   # where the next frame's header is%s\n", g.rx.wrap,
                g.rx.wrap_seen ? "" : " (the wrap was never seen: a guess)");
        fputs("var rxhdr 0\nvar rxlen 0\n", out);
    } else if (g.rxlen_used) {
        fputs("var rxlen 0   # a received frame's length\n", out);
    }
    if (g.link_used)
        fprintf(out, "var linkrep %u   # the link state last reported (%u: none since init)\n",
                LINK_NONE, LINK_NONE);
    if (g.rxn_used)
        fprintf(out, "var rx_n 0 wrap %u   # descriptors of %s taken since init\n",
                x->regions[g.rxp].ring_count, x->regions[g.rxp].label);
    for (unsigned i = 0; i < g.nld; i++)
        fprintf(out, "var %s 0   # a descriptor field loaded\n", g.ldname[i]);
    fputs("\nparam send len 14 1514\n", out);
    uint32_t period = timer_period_ms(x);
    if (period)
        fprintf(out, "timer %u   # the period the driver set its timer to\n", period);
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
        if (!tr[i].text)
            fprintf(out, "unhandled %s   # never seen in the traces\n", xk_request[order[i]]);
    fputs("unhandled link\n\nstate stopped\nstate running\n\n", out);
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!tr[i].text)
            continue;
        /* a request counter starts again at init and reset */
        size_t body = tr[i].len;
        fwrite(tr[i].text, 1, body, out);
        if (order[i] == XK_INIT || order[i] == XK_RESET)
            for (unsigned k = 0; k < XK_COUNT; k++)
                if (g.rot[k]) {
                    char nm[48];
                    fprintf(out, "  set %s 0\n", counter_name((XKind)k, nm, sizeof nm));
                }
        if ((order[i] == XK_INIT || order[i] == XK_RESET) && g.rx_used)
            fputs("  set rxoff 0\n", out);
        if ((order[i] == XK_INIT || order[i] == XK_RESET) && g.prx.used)
            fprintf(out, "  set rxpos 0x%x\n", g.prx.init);
        if ((order[i] == XK_INIT || order[i] == XK_RESET) && g.rxn_used)
            fputs("  set rx_n 0\n", out);
        if ((order[i] == XK_INIT || order[i] == XK_RESET) && g.link_used)
            fprintf(out, "  set linkrep %u\n", LINK_NONE);
        fputs("end\n\n", out);
    }
done:
    free(g.asmx);
    for (size_t i = 0; i < g.npl; i++)
        free(g.pl[i].bound);
    free(g.pl);
    for (unsigned i = 0; i < sizeof order / sizeof order[0]; i++)
        free(tr[i].text);
    for (size_t i = 0; i < g.nregs; i++)
        free(g.regname[i]);
    free(g.regname);
    free(g.member);
    free(g.track);
    free(g.bad);
    free(g.index_view);
    return rc;
}
