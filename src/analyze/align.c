/* Sequence alignment by Myers' middle snake (Algorithmica 1986, section 4b)
 * in Hirschberg's divide and conquer (CACM 1975): find the middle snake of an
 * optimal path, then solve the two sides of it independently.
 *
 * Coordinates follow Myers: a point (x, y) of the edit graph has consumed
 * a[0..x) and b[0..y); diagonal k = x - y. The forward search keeps, per
 * diagonal, the furthest x reached by a path of d non-diagonal moves from
 * (0,0); the reverse search the smallest x reached from (N,M). */
#include "analyze/align.h"

#include <stdlib.h>

static size_t align_last_peak;

typedef enum FrameKind { FRAME_SOLVE, FRAME_KEEP } FrameKind;

/* A pending piece of work: solve a[a0..a1) against b[b0..b1), or emit the
 * KEEP run a[a0..a1) == b[b0..b1) once everything before it is emitted. */
typedef struct Frame {
    FrameKind kind;
    size_t a0, a1, b0, b1;
} Frame;

typedef struct Aligner {
    const uint64_t *a, *b;
    ptrdiff_t max_cost; /* 0: exact; else the d at which a search gives up */
    ptrdiff_t *vf, *vb; /* forward and reverse V, both indexed [-M-1, N+1] */
    Frame *stack;
    size_t depth, cap;
    size_t vbytes, peak;
    AlignScript *out;
} Aligner;

/* The middle snake, in the subproblem's own coordinates. */
typedef struct Snake {
    ptrdiff_t x0, y0, x1, y1;
} Snake;

static int align_emit(Aligner *s, AlignOpKind kind, size_t a, size_t b, size_t len)
{
    AlignScript *o = s->out;

    if (len == 0)
        return 0;
    if (kind == ALIGN_KEEP)
        o->kept += len;
    if (o->nops > 0 && o->ops[o->nops - 1].kind == kind) {
        o->ops[o->nops - 1].len += len;
        return 0;
    }
    if (o->nops == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        AlignOp *ops;

        if (cap > SIZE_MAX / sizeof(*ops))
            return -1;
        ops = realloc(o->ops, cap * sizeof(*ops));
        if (!ops)
            return -1;
        o->ops = ops;
        o->cap = cap;
    }
    o->ops[o->nops++] = (AlignOp){.kind = kind, .a = a, .b = b, .len = len};
    return 0;
}

static int align_push(Aligner *s, FrameKind kind, size_t a0, size_t a1, size_t b0, size_t b1)
{
    if (kind == FRAME_KEEP && a0 == a1)
        return 0;
    if (s->depth == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        Frame *st;

        if (cap > SIZE_MAX / sizeof(*st))
            return -1;
        st = realloc(s->stack, cap * sizeof(*st));
        if (!st)
            return -1;
        s->stack = st;
        s->cap = cap;
        if (s->vbytes + cap * sizeof(*st) > s->peak)
            s->peak = s->vbytes + cap * sizeof(*st);
    }
    s->stack[s->depth++] = (Frame){.kind = kind, .a0 = a0, .a1 = a1, .b0 = b0, .b1 = b1};
    return 0;
}

/* Myers section 4b for a (n >= 1) against b (m >= 1), whose first tokens
 * differ and whose last tokens differ. Alternately extend the forward
 * d-paths and the reverse d-paths; the first time a forward path reaches,
 * on some diagonal, at least as far as a reverse path of the same diagonal
 * (or vice versa), the snake just extended lies on an optimal path of cost
 * D = 2d - 1 (delta = n - m odd, found going forward) or 2d (delta even,
 * found going back), so d never exceeds ceil((n + m) / 2).
 *
 * Differences from the paper's pseudocode, both to stay inside the grid:
 * diagonals outside [-m, n] hold no point and are skipped (their neighbours
 * read sentinels at -m-1 and n+1 instead), and a move that would leave the
 * grid across its far edge (x > n or y > m going forward, x < 0 or y < 0
 * going back) is clamped to where the diagonal meets that edge, a point
 * equally cheap to reach. */
/* When the search has gone max_cost rounds without meeting: split at the
 * furthest point either search reached instead (the heuristic GNU diff
 * applies past its "too expensive" bound, analyze.c): the script stays a
 * valid edit script, only perhaps not a shortest one. After d >= 1 rounds
 * each search has moved at least d steps from its corner, so the point is
 * strictly inside and both halves are smaller. */
static void align_give_up(const ptrdiff_t *vf, const ptrdiff_t *vb, ptrdiff_t n, ptrdiff_t m,
                          ptrdiff_t d, Snake *sn)
{
    ptrdiff_t delta = n - m, best = -1, bx = 0, by = 0;

    for (ptrdiff_t k = -d; k <= d; k += 2) {
        ptrdiff_t x, y;

        if (k < -m || k > n)
            continue;
        x = vf[k];
        y = x - k;
        if (x >= 0 && y >= 0 && x <= n && y <= m && x + y > best && x + y < n + m) {
            best = x + y;
            bx = x;
            by = y;
        }
    }
    for (ptrdiff_t k = delta - d; k <= delta + d; k += 2) {
        ptrdiff_t x, y;

        if (k < -m || k > n)
            continue;
        x = vb[k];
        y = x - k;
        if (x >= 0 && y >= 0 && x <= n && y <= m && (n - x) + (m - y) > best && x + y > 0) {
            best = (n - x) + (m - y);
            bx = x;
            by = y;
        }
    }
    *sn = (Snake){bx, by, bx, by};
}

static void align_middle_snake(Aligner *s, const uint64_t *a, ptrdiff_t n, const uint64_t *b,
                               ptrdiff_t m, Snake *sn)
{
    ptrdiff_t *vf = s->vf + m + 1, *vb = s->vb + m + 1;
    ptrdiff_t delta = n - m;
    int odd = (int)((n + m) & 1);

    vf[1] = 0;
    vf[-m - 1] = -1;
    vf[n + 1] = -1;
    vb[delta + 1] = n + 1;
    vb[-m - 1] = n + 1;
    vb[n + 1] = n + 1;

    for (ptrdiff_t d = 0;; d++) {
        ptrdiff_t lo = -d, hi = d;

        if (s->max_cost && d > s->max_cost) {
            align_give_up(vf, vb, n, m, d - 1, sn);
            return;
        }

        if (lo < -m)
            lo = -m + ((-m - lo) & 1);
        if (hi > n)
            hi = n - ((hi - n) & 1);
        for (ptrdiff_t k = lo; k <= hi; k += 2) {
            ptrdiff_t x, y, x0, y0;

            if (k == -d || (k != d && vf[k - 1] < vf[k + 1]))
                x = vf[k + 1]; /* down: insert b[y] */
            else
                x = vf[k - 1] + 1; /* right: delete a[x] */
            y = x - k;
            if (x > n) {
                x = n;
                y = n - k;
            } else if (y > m) {
                y = m;
                x = m + k;
            }
            x0 = x;
            y0 = y;
            while (x < n && y < m && a[x] == b[y]) {
                x++;
                y++;
            }
            vf[k] = x;
            if (odd && k >= delta - (d - 1) && k <= delta + (d - 1) && x >= vb[k]) {
                *sn = (Snake){x0, y0, x, x - k};
                return;
            }
        }

        lo = delta - d;
        hi = delta + d;
        if (lo < -m)
            lo = -m + ((-m - lo) & 1);
        if (hi > n)
            hi = n - ((hi - n) & 1);
        for (ptrdiff_t k = lo; k <= hi; k += 2) {
            ptrdiff_t x, y, x1, y1;

            if (k == delta - d || (k != delta + d && vb[k + 1] <= vb[k - 1]))
                x = vb[k + 1] - 1; /* left: delete a[x] */
            else
                x = vb[k - 1]; /* up: insert b[y] */
            y = x - k;
            if (x < 0) {
                x = 0;
                y = -k;
            } else if (y < 0) {
                y = 0;
                x = k;
            }
            x1 = x;
            y1 = y;
            while (x > 0 && y > 0 && a[x - 1] == b[y - 1]) {
                x--;
                y--;
            }
            vb[k] = x;
            if (!odd && k >= -d && k <= d && x <= vf[k]) {
                *sn = (Snake){x, x - k, x1, y1};
                return;
            }
        }
    }
}

/* One piece of work. The stack is LIFO, so pieces are pushed last-first and
 * the script comes out in order. Each middle snake splits a problem of cost
 * D into two of cost ceil(D/2) and floor(D/2), so the split tree is
 * ceil(log2 D) + 1 deep and the stack holds at most four frames per level:
 * no C recursion, and no depth a 10^6-token input could make large. */
static int align_solve(Aligner *s, size_t a0, size_t a1, size_t b0, size_t b1)
{
    const uint64_t *a = s->a, *b = s->b;
    size_t p = 0, q = 0;
    Snake sn;

    while (a0 + p < a1 && b0 + p < b1 && a[a0 + p] == b[b0 + p])
        p++;
    if (align_emit(s, ALIGN_KEEP, a0, b0, p) < 0)
        return -1;
    a0 += p;
    b0 += p;
    while (a1 - q > a0 && b1 - q > b0 && a[a1 - q - 1] == b[b1 - q - 1])
        q++;
    a1 -= q;
    b1 -= q;
    if (align_push(s, FRAME_KEEP, a1, a1 + q, b1, b1 + q) < 0)
        return -1;

    if (a0 == a1)
        return align_emit(s, ALIGN_INSERT, a0, b0, b1 - b0);
    if (b0 == b1)
        return align_emit(s, ALIGN_DELETE, a0, b0, a1 - a0);

    align_middle_snake(s, a + a0, (ptrdiff_t)(a1 - a0), b + b0, (ptrdiff_t)(b1 - b0), &sn);
    if ((sn.x1 == 0 && sn.y1 == 0) ||
        ((size_t)sn.x0 == a1 - a0 && (size_t)sn.y0 == b1 - b0)) {
        /* a bounded search found no inner point (cannot happen after a
         * round; kept so that no input can loop): replace it all */
        if (align_emit(s, ALIGN_DELETE, a0, b0, a1 - a0) < 0)
            return -1;
        return align_emit(s, ALIGN_INSERT, a1, b0, b1 - b0);
    }
    if (align_push(s, FRAME_SOLVE, a0 + (size_t)sn.x1, a1, b0 + (size_t)sn.y1, b1) < 0 ||
        align_push(s, FRAME_KEEP, a0 + (size_t)sn.x0, a0 + (size_t)sn.x1, b0 + (size_t)sn.y0,
                   b0 + (size_t)sn.y1) < 0 ||
        align_push(s, FRAME_SOLVE, a0, a0 + (size_t)sn.x0, b0, b0 + (size_t)sn.y0) < 0)
        return -1;
    return 0;
}

/* Within each change between two KEEP runs, put the deletions first as one
 * run and the insertions after as one run: same cost, same LCS, and the
 * shape a diff reader expects. In place: a change never grows. */
static void align_normalize(AlignScript *o)
{
    size_t w = 0, i = 0;

    while (i < o->nops) {
        size_t a0, b0, del = 0, ins = 0;

        if (o->ops[i].kind == ALIGN_KEEP) {
            o->ops[w++] = o->ops[i++];
            continue;
        }
        a0 = o->ops[i].a;
        b0 = o->ops[i].b;
        for (; i < o->nops && o->ops[i].kind != ALIGN_KEEP; i++) {
            if (o->ops[i].kind == ALIGN_DELETE)
                del += o->ops[i].len;
            else
                ins += o->ops[i].len;
        }
        if (del)
            o->ops[w++] = (AlignOp){.kind = ALIGN_DELETE, .a = a0, .b = b0, .len = del};
        if (ins)
            o->ops[w++] = (AlignOp){.kind = ALIGN_INSERT, .a = a0 + del, .b = b0, .len = ins};
    }
    o->nops = w;
}

int align_sequences(const uint64_t *a, size_t n, const uint64_t *b, size_t m, AlignScript *out)
{
    return align_sequences_bounded(a, n, b, m, 0, out);
}

size_t align_default_bound(size_t n, size_t m)
{
    /* about sqrt(n + m), at least 4096: GNU diff's rule for "too expensive" */
    size_t bound = 1;
    for (size_t diags = n + m + 3; diags; diags >>= 2)
        bound <<= 1;
    return bound < 4096 ? 4096 : bound;
}

static int align_core(const uint64_t *a, size_t n, const uint64_t *b, size_t m, size_t max_cost,
                      AlignScript *out, size_t *peak)
{
    Aligner s = {.a = a, .b = b, .out = out};
    size_t lo = 0, hi = 0, width;

    *out = (AlignScript){0};
    /* Diagonals and x run in ptrdiff_t; V holds n + m + 3 of them, twice. */
    if (n > PTRDIFF_MAX / 4 || m > PTRDIFF_MAX / 4 || max_cost > PTRDIFF_MAX / 4)
        return -1;
    s.max_cost = (ptrdiff_t)max_cost;

    /* The common prefix and suffix need no V: trim them before sizing it. */
    while (lo < n && lo < m && a[lo] == b[lo])
        lo++;
    while (hi < n - lo && hi < m - lo && a[n - hi - 1] == b[m - hi - 1])
        hi++;
    width = (n - lo - hi) + (m - lo - hi) + 3;
    if (n - lo - hi > 0 && m - lo - hi > 0) {
        if (width > SIZE_MAX / (2 * sizeof(ptrdiff_t)))
            return -1;
        s.vf = malloc(2 * width * sizeof(ptrdiff_t));
        if (!s.vf)
            return -1;
        s.vb = s.vf + width;
        s.vbytes = s.peak = 2 * width * sizeof(ptrdiff_t);
    }

    if (align_push(&s, FRAME_SOLVE, 0, n, 0, m) < 0)
        goto fail;
    while (s.depth > 0) {
        Frame f = s.stack[--s.depth];
        int r;

        if (f.kind == FRAME_KEEP)
            r = align_emit(&s, ALIGN_KEEP, f.a0, f.b0, f.a1 - f.a0);
        else
            r = align_solve(&s, f.a0, f.a1, f.b0, f.b1);
        if (r < 0)
            goto fail;
    }
    free(s.stack);
    free(s.vf);
    *peak = s.peak;
    return 0;

fail:
    free(s.stack);
    free(s.vf);
    *peak = s.peak;
    align_script_free(out);
    return -1;
}

/* ---- tokens that cannot match ----
 * A token of a that occurs nowhere in b can be in no common subsequence
 * (and the reverse): removing such tokens before the search leaves the
 * LCS as it was while the search, whose cost grows with the number of
 * differences, has fewer of them to walk (GNU diff's analyze.c discards
 * the same lines before its search). */

/* An open-addressing set of 64-bit values (zero kept apart). */
typedef struct TokenSet {
    uint64_t *slot;
    size_t mask;
    int has_zero;
} TokenSet;

static uint64_t set_mix(uint64_t v)
{
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdull;
    return v ^ (v >> 33);
}

static int set_build(TokenSet *t, const uint64_t *v, size_t n, size_t *bytes)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    t->slot = calloc(cap, sizeof *t->slot);
    if (!t->slot)
        return -1;
    *bytes = cap * sizeof *t->slot;
    t->mask = cap - 1;
    t->has_zero = 0;
    for (size_t i = 0; i < n; i++) {
        if (!v[i]) {
            t->has_zero = 1;
            continue;
        }
        size_t h = (size_t)set_mix(v[i]) & t->mask;
        while (t->slot[h] && t->slot[h] != v[i])
            h = (h + 1) & t->mask;
        t->slot[h] = v[i];
    }
    return 0;
}

static int set_has(const TokenSet *t, uint64_t v)
{
    if (!v)
        return t->has_zero;
    for (size_t h = (size_t)set_mix(v) & t->mask; t->slot[h]; h = (h + 1) & t->mask)
        if (t->slot[h] == v)
            return 1;
    return 0;
}

/* The positions of x whose token occurs in y, into map (returns how many). */
static int keep_matchable(const uint64_t *x, size_t nx, const uint64_t *y, size_t ny, size_t *map,
                          size_t *kept, size_t *bytes)
{
    TokenSet t;
    if (set_build(&t, y, ny, bytes) < 0)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < nx; i++)
        if (set_has(&t, x[i]))
            map[k++] = i;
    free(t.slot);
    *kept = k;
    return 0;
}

typedef struct Expander {
    AlignScript *out;
    size_t ia, ib; /* original positions consumed so far */
} Expander;

static int expand_emit(Expander *e, AlignOpKind kind, size_t len)
{
    Aligner tmp = {.out = e->out};
    if (align_emit(&tmp, kind, e->ia, e->ib, len) < 0)
        return -1;
    if (kind != ALIGN_INSERT)
        e->ia += len;
    if (kind != ALIGN_DELETE)
        e->ib += len;
    return 0;
}

/* Replay a script over the reduced sequences on the originals: discarded
 * tokens become deletions (of a) and insertions (of b) where they stand. */
static int expand_script(const AlignScript *r, const size_t *ma, const size_t *mb, size_t n,
                         size_t m, AlignScript *out)
{
    Expander e = {.out = out};
    for (size_t i = 0; i < r->nops; i++) {
        const AlignOp *op = &r->ops[i];
        for (size_t k = 0; k < op->len; k++) {
            size_t ta = op->kind != ALIGN_INSERT ? ma[op->a + k] : e.ia;
            size_t tb = op->kind != ALIGN_DELETE ? mb[op->b + k] : e.ib;
            /* what was discarded before this token, then the token */
            if (expand_emit(&e, ALIGN_DELETE, ta - e.ia) < 0 ||
                expand_emit(&e, ALIGN_INSERT, tb - e.ib) < 0 ||
                expand_emit(&e, op->kind, 1) < 0)
                return -1;
        }
    }
    if (expand_emit(&e, ALIGN_DELETE, n - e.ia) < 0 || expand_emit(&e, ALIGN_INSERT, m - e.ib) < 0)
        return -1;
    return 0;
}

static int align_inner(const uint64_t *a, size_t n, const uint64_t *b, size_t m, size_t max_cost,
                       AlignScript *out)
{
    size_t *ma = NULL, *mb = NULL, na = 0, nb = 0, peak = 0, sa = 0, sb = 0, extra = 0, setpeak = 0;
    uint64_t *ra = NULL, *rb = NULL;
    AlignScript red = {0};
    int rc = -1;

    *out = (AlignScript){0};
    align_last_peak = 0;
    if (n > PTRDIFF_MAX / 4 || m > PTRDIFF_MAX / 4 || max_cost > PTRDIFF_MAX / 4)
        return -1;
    ma = malloc((n ? n : 1) * sizeof *ma);
    mb = malloc((m ? m : 1) * sizeof *mb);
    if (!ma || !mb || keep_matchable(a, n, b, m, ma, &na, &sb) < 0 ||
        keep_matchable(b, m, a, n, mb, &nb, &sa) < 0)
        goto done;
    /* the maps live throughout, the sets one at a time before the search */
    extra = (n + m) * sizeof(size_t);
    setpeak = extra + (sa > sb ? sa : sb);
    if (na == n && nb == m) {
        /* nothing to discard: search the originals */
        free(ma);
        free(mb);
        ma = mb = NULL;
        rc = align_core(a, n, b, m, max_cost, out, &peak);
        if (rc == 0)
            align_normalize(out);
        align_last_peak = peak > setpeak ? peak : setpeak;
        return rc;
    }
    ra = malloc((na ? na : 1) * sizeof *ra);
    rb = malloc((nb ? nb : 1) * sizeof *rb);
    if (!ra || !rb)
        goto done;
    for (size_t i = 0; i < na; i++)
        ra[i] = a[ma[i]];
    for (size_t j = 0; j < nb; j++)
        rb[j] = b[mb[j]];
    extra += (na + nb) * sizeof *ra;
    if (align_core(ra, na, rb, nb, max_cost, &red, &peak) < 0)
        goto done;
    free(ra);
    free(rb);
    ra = rb = NULL;
    if (expand_script(&red, ma, mb, n, m, out) < 0) {
        align_script_free(out);
        goto done;
    }
    align_normalize(out);
    rc = 0;
done:
    align_last_peak = peak + extra > setpeak ? peak + extra : setpeak;
    align_script_free(&red);
    free(ra);
    free(rb);
    free(ma);
    free(mb);
    return rc;
}

/* The common prefix and suffix are kept without a look at the rest: traces
 * that differ a little are mostly that, and the sets of align_inner would
 * otherwise be built over them. */
int align_sequences_bounded(const uint64_t *a, size_t n, const uint64_t *b, size_t m,
                            size_t max_cost, AlignScript *out)
{
    size_t p = 0, q = 0;
    AlignScript mid = {0};

    *out = (AlignScript){0};
    align_last_peak = 0;
    if (n > PTRDIFF_MAX / 4 || m > PTRDIFF_MAX / 4 || max_cost > PTRDIFF_MAX / 4)
        return -1;
    while (p < n && p < m && a[p] == b[p])
        p++;
    while (q < n - p && q < m - p && a[n - q - 1] == b[m - q - 1])
        q++;
    /* (an empty side may be NULL: no offset applied to it) */
    if (align_inner(p ? a + p : a, n - p - q, p ? b + p : b, m - p - q, max_cost, &mid) < 0)
        return -1;
    Aligner s = {.out = out};
    int r = align_emit(&s, ALIGN_KEEP, 0, 0, p);
    for (size_t i = 0; i < mid.nops && !r; i++)
        r = align_emit(&s, mid.ops[i].kind, mid.ops[i].a + p, mid.ops[i].b + p, mid.ops[i].len);
    if (!r)
        r = align_emit(&s, ALIGN_KEEP, n - q, m - q, q);
    align_script_free(&mid);
    if (r) {
        align_script_free(out);
        return -1;
    }
    return 0;
}

void align_script_free(AlignScript *s)
{
    free(s->ops);
    *s = (AlignScript){0};
}

size_t align_peak_bytes(void)
{
    return align_last_peak;
}
