/* xdrv diff (see diff.h). Pass 1 reads both traces into token hashes and
 * poll counts; the aligner gives the edit script; a poll kept on both
 * sides but with different iteration counts becomes a one-token change
 * unless asked otherwise; changes are grouped into hunks with context; pass
 * 2 reads both traces again and prints the hunks (or counts them). */
#include "analyze/diff.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyze/align.h"
#include "trace/json.h"
#include "trace/xtr.h"

typedef struct Tokens {
    uint64_t *hash;
    uint64_t *seq; /* each token's first event, to skip to in pass 2 */
    uint32_t *count;
    uint8_t *period; /* events per iteration: pass 2 reads the token as it is */
    size_t n, cap;
    NormStats st;
    int truncated;
    Norm *norm; /* pass 1's reading, kept with its marks for pass 2 */
} Tokens;

/* A change: a[a, a+alen) replaced by b[b, b+blen); keeps in between. */
typedef struct Change {
    size_t a, alen, b, blen;
} Change;

typedef struct Hunk {
    size_t a0, a1, b0, b1; /* token ranges shown, context included */
    size_t c0, c1;         /* its changes */
} Hunk;

/* One trace in pass 2: a token stream with one token of lookahead. */
typedef struct Side {
    Norm *norm;
    NormToken t;
    int have;
    size_t pos; /* index of t (the next token not yet consumed) */
} Side;

#define STAT_REQ_KINDS 32

typedef struct Stat {
    uint64_t del[TRACE_KIND_COUNT], ins[TRACE_KIND_COUNT];
    struct {
        char name[32];
        uint64_t del, ins, requests, last_req;
    } req[STAT_REQ_KINDS + 1]; /* the last row collects the rest */
    unsigned nreq;
} Stat;

typedef struct Diff {
    const DiffOptions *o;
    const char *path[2];
    FILE *out;
    char *err;
    size_t errlen;
    Tokens tok[2];
    Change *ch;
    size_t nch, capch;
    Hunk *hunk;
    size_t nhunk;
    Side side[2];
    struct Ahead *ahead; /* side b read on a thread of its own, or NULL */
    int big;             /* both traces large: worth a thread */
    Stat stat;
    uint64_t kept, deleted, inserted;
    int json_first_hunk;
} Diff;

static int fail(Diff *d, const char *what)
{
    snprintf(d->err, d->errlen, "%s", what);
    return -1;
}

/* ---------------------------------------------------------------- pass 1 */

static int tokens_push(Tokens *t, uint64_t h, uint64_t seq, uint32_t count, uint32_t period)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 4096;
        uint64_t *hash = realloc(t->hash, cap * sizeof *hash);
        if (!hash)
            return -1;
        t->hash = hash;
        uint32_t *cnt = realloc(t->count, cap * sizeof *cnt);
        if (!cnt)
            return -1;
        t->count = cnt;
        uint64_t *sq = realloc(t->seq, cap * sizeof *sq);
        if (!sq)
            return -1;
        t->seq = sq;
        uint8_t *pd = realloc(t->period, cap * sizeof *pd);
        if (!pd)
            return -1;
        t->period = pd;
        t->cap = cap;
    }
    t->hash[t->n] = h;
    t->seq[t->n] = seq;
    t->count[t->n] = count;
    t->period[t->n] = (uint8_t)period;
    t->n++;
    return 0;
}

/* Events between marks of pass 1's reading (norm_keep_marks): 256, or
 * more for a large trace, so that it keeps about 1024 marks at most (a
 * mark holds a few KB: the module table twice, the live allocations).
 * Events take about 9 bytes in a trace file; 8 is the estimate. A hunk
 * is reached by reading at most a mark's interval again. */
static unsigned diff_mark_every(const char *path)
{
    struct stat st;
    uint64_t events = stat(path, &st) == 0 && st.st_size > 0 ? (uint64_t)st.st_size / 8 : 0;
    unsigned every = 256;
    while (every < (1u << 20) && events / every > 1024)
        every *= 2;
    return every;
}

/* One trace's tokens into d->tok[which]; touches nothing else of d, so
 * the two sides can be read at once. -1 with the reason in err. */
static int read_tokens(const Diff *d, Tokens *t, int which, char *err, size_t errlen)
{
    char why[XTR_ERR_MAX];
    Norm *n = norm_open(d->path[which], &d->o->norm, why, sizeof why);
    if (!n) { /* the reader's message names the file */
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    /* pass 2 comes back to its hunks from the nearest mark */
    norm_keep_marks(n, d->o->no_marks ? UINT32_MAX : diff_mark_every(d->path[which])); /* no_marks: the start only */
    NormToken tk;
    int r;
    while ((r = norm_next(n, &tk, why, sizeof why)) > 0)
        if (tokens_push(t, tk.hash, tk.seq, tk.count, tk.period) < 0) {
            norm_close(n);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    if (r < 0) {
        snprintf(err, errlen, "%s: %s", d->path[which], why);
        norm_close(n);
        return -1;
    }
    t->st = *norm_stats(n);
    t->truncated = norm_truncated(n);
    t->norm = n;
    return 0;
}

typedef struct SideReader {
    const Diff *d;
    Tokens *t;
    int which, rc;
    char err[XTR_ERR_MAX + 512];
} SideReader;

static void *side_reader(void *p)
{
    SideReader *r = p;
    r->rc = read_tokens(r->d, r->t, r->which, r->err, sizeof r->err);
    return NULL;
}

/* Pass 1 on both traces, the second on a thread of its own when both are
 * large (decoding is most of the work, and the two files are independent;
 * a thread took about 1 ms to start running here, more than a 10^4-event
 * trace takes to read). The first trace's error wins, as read in turn. */
#define DIFF_THREAD_BYTES (512u << 10)

static int read_both(Diff *d)
{
    SideReader rb = {.d = d, .t = &d->tok[1], .which = 1};
    struct stat sa, sb;
    int big = stat(d->path[0], &sa) == 0 && stat(d->path[1], &sb) == 0 &&
              sa.st_size >= DIFF_THREAD_BYTES && sb.st_size >= DIFF_THREAD_BYTES;
    pthread_t th;
    d->big = big;
    int threaded = big && pthread_create(&th, NULL, side_reader, &rb) == 0;
    int ra = read_tokens(d, &d->tok[0], 0, d->err, d->errlen);
    if (threaded)
        pthread_join(th, NULL);
    else if (ra == 0)
        side_reader(&rb);
    if (ra < 0)
        return -1;
    if (rb.rc < 0) {
        snprintf(d->err, d->errlen, "%s", rb.err);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------- changes */

static int change_add(Diff *d, size_t a, size_t alen, size_t b, size_t blen)
{
    if (!alen && !blen)
        return 0;
    if (d->nch) {
        Change *p = &d->ch[d->nch - 1];
        if (p->a + p->alen == a && p->b + p->blen == b) {
            p->alen += alen;
            p->blen += blen;
            return 0;
        }
    }
    if (d->nch == d->capch) {
        size_t cap = d->capch ? 2 * d->capch : 64;
        Change *c = realloc(d->ch, cap * sizeof *c);
        if (!c)
            return fail(d, "out of memory");
        d->ch = c;
        d->capch = cap;
    }
    d->ch[d->nch++] = (Change){a, alen, b, blen};
    return 0;
}

static int build_changes(Diff *d, const AlignScript *s)
{
    const Tokens *ta = &d->tok[0], *tb = &d->tok[1];
    for (size_t i = 0; i < s->nops; i++) {
        const AlignOp *op = &s->ops[i];
        int r = 0;
        switch (op->kind) {
        case ALIGN_KEEP:
            for (size_t k = 0; k < op->len && !r; k++) {
                if (!d->o->ignore_poll_counts && ta->count[op->a + k] != tb->count[op->b + k])
                    r = change_add(d, op->a + k, 1, op->b + k, 1);
                else
                    d->kept++;
            }
            break;
        case ALIGN_DELETE:
            r = change_add(d, op->a, op->len, op->b, 0);
            break;
        case ALIGN_INSERT:
            r = change_add(d, op->a, 0, op->b, op->len);
            break;
        }
        if (r < 0)
            return -1;
    }
    for (size_t i = 0; i < d->nch; i++) {
        d->deleted += d->ch[i].alen;
        d->inserted += d->ch[i].blen;
    }
    return 0;
}

/* Changes closer than 2 * context tokens share a hunk. Between two changes
 * there are only kept tokens, as many on each side. */
static int build_hunks(Diff *d, size_t ctx)
{
    d->hunk = calloc(d->nch ? d->nch : 1, sizeof *d->hunk);
    if (!d->hunk)
        return fail(d, "out of memory");
    size_t na = d->tok[0].n;
    for (size_t i = 0; i < d->nch;) {
        size_t j = i;
        while (j + 1 < d->nch && d->ch[j + 1].a - (d->ch[j].a + d->ch[j].alen) <= 2 * ctx)
            j++;
        const Change *f = &d->ch[i], *l = &d->ch[j];
        size_t prev_end = i ? d->ch[i - 1].a + d->ch[i - 1].alen : 0;
        size_t next_start = j + 1 < d->nch ? d->ch[j + 1].a : na;
        size_t back = f->a - prev_end < ctx ? f->a - prev_end : ctx;
        size_t end = l->a + l->alen;
        size_t fwd = next_start - end < ctx ? next_start - end : ctx;
        d->hunk[d->nhunk++] = (Hunk){.a0 = f->a - back,
                                     .a1 = end + fwd,
                                     .b0 = f->b - back,
                                     .b1 = l->b + l->blen + fwd,
                                     .c0 = i,
                                     .c1 = j + 1};
        i = j + 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- pass 2 */

static int side_open(Diff *d, int which)
{
    /* pass 1's reading, which goes back to its marks */
    d->side[which].norm = d->tok[which].norm;
    return 0;
}

/* The token at index pos of one side (reading forward to it); -1 with the
 * reason in err when the trace no longer reads as it did in pass 1. */
static int side_seek(Side *s, const Tokens *tk, const char *path, size_t pos, char *err,
                     size_t errlen)
{
    char why[XTR_ERR_MAX];
    if (s->have && s->pos == pos)
        return 0;
    /* the token as pass 1 found it: read for its line, the events before
     * it for their state only, nothing hashed */
    int r = pos < tk->n ? norm_token(s->norm, tk->seq[pos], tk->period[pos], tk->count[pos], &s->t,
                                     why, sizeof why)
                        : 0;
    if (r <= 0) {
        snprintf(err, errlen, "%s: %s", path, r < 0 ? why : "changed while being compared");
        return -1;
    }
    s->t.hash = tk->hash[pos];
    s->have = 1;
    s->pos = pos;
    return 0;
}

/* Side b read ahead on a thread of its own while the main thread reads
 * side a and prints (large traces only): for every position a hunk shows
 * on side b, in order, its token and, where it is printed, its line. The
 * arrays are sized before the thread starts and lines live in blocks that
 * never move, so the printer reads what the thread has published (`done`,
 * under the lock) while the thread goes on. */
typedef struct AheadTok {
    size_t pos;
    NormToken t;
    const char *line; /* NULL where not printed */
} AheadTok;

#define AHEAD_BLOCK (1u << 20)
#define AHEAD_MAX_TOKENS (4u << 20)

typedef struct Ahead {
    const Diff *d;
    Side side;
    AheadTok *v;
    size_t n, done, cur;
    char **blocks; /* line storage */
    size_t nblocks, capblocks, used;
    int finished, rc, stop;
    char err[XTR_ERR_MAX + 512];
    pthread_mutex_t lock;
    pthread_cond_t more;
    pthread_t th;
} Ahead;

static const char *ahead_keep(Ahead *a, const char *line)
{
    size_t len = strlen(line) + 1;
    if (len > AHEAD_BLOCK)
        return NULL;
    if (!a->nblocks || a->used + len > AHEAD_BLOCK) {
        if (a->nblocks == a->capblocks) {
            size_t cap = a->capblocks ? 2 * a->capblocks : 16;
            char **b = realloc(a->blocks, cap * sizeof *b);
            if (!b)
                return NULL;
            a->blocks = b;
            a->capblocks = cap;
        }
        if (!(a->blocks[a->nblocks] = malloc(AHEAD_BLOCK)))
            return NULL;
        a->nblocks++;
        a->used = 0;
    }
    char *p = a->blocks[a->nblocks - 1] + a->used;
    memcpy(p, line, len);
    a->used += len;
    return p;
}

static void ahead_publish(Ahead *a, size_t done, int finished)
{
    pthread_mutex_lock(&a->lock);
    a->done = done;
    a->finished = finished;
    pthread_cond_broadcast(&a->more);
    pthread_mutex_unlock(&a->lock);
}

static void *ahead_run(void *p)
{
    Ahead *a = p;
    const Diff *d = a->d;
    int lines = d->o->format != DIFF_STAT;
    size_t i = 0;
    a->rc = 0;
    for (size_t h = 0; h < d->nhunk && !a->rc && !__atomic_load_n(&a->stop, __ATOMIC_RELAXED);
         h++) {
        const Hunk *hk = &d->hunk[h];
        size_t c = hk->c0;
        for (size_t pos = hk->b0; pos < hk->b1; pos++) {
            /* wanted: inside one of the hunk's changes on side b (printed
             * unless only counted), or the hunk's first (its head);
             * context is printed from side a */
            while (c < hk->c1 && pos >= d->ch[c].b + d->ch[c].blen)
                c++;
            int changed = c < hk->c1 && pos >= d->ch[c].b;
            int printed = lines && changed;
            if (!changed && pos != hk->b0)
                continue;
            if (side_seek(&a->side, &d->tok[1], d->path[1], pos, a->err, sizeof a->err) < 0) {
                a->rc = -1;
                break;
            }
            AheadTok *e = &a->v[i];
            e->pos = pos;
            e->t = a->side.t;
            e->line = NULL;
            if (printed) {
                const char *l = norm_line(a->side.norm);
                if (!l || !(e->line = ahead_keep(a, l))) {
                    snprintf(a->err, sizeof a->err, "out of memory printing a line");
                    a->rc = -1;
                    break;
                }
            }
            if ((i & 63) == 63)
                ahead_publish(a, i + 1, 0);
            i++;
        }
    }
    ahead_publish(a, i, 1);
    return NULL;
}

/* Start reading side b ahead; 0 when it is not worth it or cannot be had
 * (the printer then reads side b itself). */
static Ahead *ahead_start(Diff *d)
{
    if (!d->big)
        return NULL;
    size_t n = 0;
    for (size_t h = 0; h < d->nhunk; h++)
        n += d->hunk[h].b1 - d->hunk[h].b0;
    if (!n || n > AHEAD_MAX_TOKENS)
        return NULL;
    Ahead *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->d = d;
    a->n = n;
    a->v = malloc(n * sizeof *a->v);
    a->side.norm = a->v ? d->tok[1].norm : NULL; /* the main thread reads side a only */
    if (!a->side.norm || pthread_mutex_init(&a->lock, NULL) != 0) {
        free(a->v);
        free(a);
        return NULL;
    }
    pthread_cond_init(&a->more, NULL);
    if (pthread_create(&a->th, NULL, ahead_run, a) != 0) {
        pthread_cond_destroy(&a->more);
        pthread_mutex_destroy(&a->lock);
        free(a->v);
        free(a);
        return NULL;
    }
    return a;
}

static void ahead_free(Ahead *a)
{
    if (!a)
        return;
    __atomic_store_n(&a->stop, 1, __ATOMIC_RELAXED); /* the printer gave up early */
    pthread_join(a->th, NULL);
    pthread_cond_destroy(&a->more);
    pthread_mutex_destroy(&a->lock);
    for (size_t i = 0; i < a->nblocks; i++)
        free(a->blocks[i]);
    free(a->blocks);
    free(a->v);
    free(a);
}

/* Side b's entry at pos from the thread, waiting for it if need be. */
static int ahead_at(Diff *d, size_t pos, const AheadTok **e)
{
    Ahead *a = d->ahead;
    for (;;) {
        while (a->cur < a->done && a->v[a->cur].pos < pos)
            a->cur++;
        if (a->cur < a->done && a->v[a->cur].pos == pos) {
            *e = &a->v[a->cur];
            return 0;
        }
        pthread_mutex_lock(&a->lock);
        while (a->cur >= a->done && !a->finished)
            pthread_cond_wait(&a->more, &a->lock);
        int over = a->cur >= a->done && a->finished;
        pthread_mutex_unlock(&a->lock);
        if (over) {
            snprintf(d->err, d->errlen, "%s", a->rc < 0 ? a->err : "the read-ahead lost its place");
            return -1;
        }
    }
}

/* The token at index pos (reading forward to it); -1 when the trace no
 * longer reads as it did in pass 1. */
static int side_at(Diff *d, int which, size_t pos, const NormToken **t)
{
    if (which == 1 && d->ahead) {
        const AheadTok *e;
        if (ahead_at(d, pos, &e) < 0)
            return -1;
        *t = &e->t;
        return 0;
    }
    Side *s = &d->side[which];
    if (side_seek(s, &d->tok[which], d->path[which], pos, d->err, d->errlen) < 0)
        return -1;
    *t = &s->t;
    return 0;
}

static void stat_count(Diff *d, const NormToken *t, int inserted)
{
    Stat *st = &d->stat;
    if ((unsigned)t->kind < TRACE_KIND_COUNT) {
        if (inserted)
            st->ins[t->kind]++;
        else
            st->del[t->kind]++;
    }
    const char *name = t->request ? t->req_kind : "(outside requests)";
    unsigned i;
    for (i = 0; i < st->nreq; i++)
        if (!strncmp(st->req[i].name, name, sizeof st->req[i].name - 1))
            break;
    if (i == st->nreq) {
        if (st->nreq < STAT_REQ_KINDS) {
            snprintf(st->req[i].name, sizeof st->req[i].name, "%s", name);
            st->nreq++;
        } else {
            i = STAT_REQ_KINDS;
            snprintf(st->req[i].name, sizeof st->req[i].name, "(other kinds)");
        }
    }
    if (inserted)
        st->req[i].ins++;
    else
        st->req[i].del++;
    if (t->request && t->request != st->req[i].last_req) {
        st->req[i].requests++;
        st->req[i].last_req = t->request;
    }
}

static void json_line(Diff *d, int *first, char op, const NormToken *t, const char *line)
{
    fprintf(d->out, "%s\n    {\"op\":\"%c\",\"seq\":%" PRIu64 ",\"count\":%" PRIu32 ",\"text\":",
            *first ? "" : ",", op, t->seq, t->count);
    json_string(d->out, line);
    fputc('}', d->out);
    *first = 0;
}

/* A line of a hunk: the token `which` side read last. */
static int print_line(Diff *d, int *first, char op, int which)
{
    /* side_at(d, which, ...) came just before: the read-ahead's current
     * entry is that token */
    const AheadTok *e = which == 1 && d->ahead ? &d->ahead->v[d->ahead->cur] : NULL;
    const NormToken *t = e ? &e->t : &d->side[which].t;
    if (op != ' ')
        stat_count(d, t, op == '+');
    if (d->o->format == DIFF_STAT)
        return 0;
    const char *line = e ? e->line : norm_line(d->side[which].norm);
    if (!line)
        return fail(d, "out of memory printing a line");
    if (d->o->format == DIFF_UNIFIED) {
        putc_unlocked(op, d->out);
        fputs_unlocked(line, d->out);
        putc_unlocked('\n', d->out);
    }
    else
        json_line(d, first, op, t, line);
    return 0;
}

static char *put_str(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static char *put_u64(char *p, uint64_t v)
{
    char t[24];
    int n = 0;
    do
        t[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        *p++ = t[--n];
    return p;
}

static void print_hunk_head(Diff *d, const Hunk *h, const NormToken *ta, const NormToken *tb)
{
    const NormToken *ctx = ta ? ta : tb;
    size_t alen = h->a1 - h->a0, blen = h->b1 - h->b0;
    if (d->o->format == DIFF_UNIFIED) {
        /* unified format: a range of length 0 names the line before it
         * (written without printf: a head per hunk) */
        char b[160], *p = b;
        p = put_str(p, "@@ -");
        p = put_u64(p, alen ? h->a0 + 1 : h->a0);
        *p++ = ',';
        p = put_u64(p, alen);
        p = put_str(p, " +");
        p = put_u64(p, blen ? h->b0 + 1 : h->b0);
        *p++ = ',';
        p = put_u64(p, blen);
        p = put_str(p, " @@");
        fwrite_unlocked(b, 1, (size_t)(p - b), d->out);
        if (ctx && ctx->request) {
            p = put_u64(put_str(b, " request "), ctx->request);
            *p++ = ' ';
            fwrite_unlocked(b, 1, (size_t)(p - b), d->out);
            fputs_unlocked(ctx->req_kind, d->out);
        }
        if (ta && tb) {
            p = put_u64(put_str(b, " (#"), ta->seq);
            p = put_u64(put_str(p, ", #"), tb->seq);
        } else {
            p = put_u64(put_str(b, ta ? " (a #" : " (b #"), ctx->seq);
        }
        p = put_str(p, ")\n");
        fwrite_unlocked(b, 1, (size_t)(p - b), d->out);
    } else if (d->o->format == DIFF_JSON) {
        fprintf(d->out,
                "%s\n  {\"a_start\":%zu,\"a_count\":%zu,\"b_start\":%zu,\"b_count\":%zu,"
                "\"request\":%" PRIu64 ",\"request_kind\":",
                d->json_first_hunk ? "" : ",", h->a0 + 1, alen, h->b0 + 1, blen,
                ctx->request);
        json_string(d->out, ctx->request ? ctx->req_kind : "");
        fputs(",\"lines\":[", d->out);
        d->json_first_hunk = 0;
    }
}

static int print_hunk(Diff *d, const Hunk *h)
{
    const NormToken *ta = NULL, *tb = NULL;
    int first = 1;
    if ((h->a1 > h->a0 && side_at(d, 0, h->a0, &ta) < 0) ||
        (h->b1 > h->b0 && side_at(d, 1, h->b0, &tb) < 0))
        return -1;
    print_hunk_head(d, h, ta, tb);
    size_t ia = h->a0, ib = h->b0;
    for (size_t c = h->c0; c <= h->c1; c++) {
        /* the kept tokens up to the next change (or the hunk's end) */
        size_t upto = c < h->c1 ? d->ch[c].a : h->a1;
        /* (printed from side a: side b is not read there, only skipped
         * to its next change) */
        for (; ia < upto; ia++, ib++) {
            if (side_at(d, 0, ia, &ta) < 0)
                return -1;
            if (print_line(d, &first, ' ', 0) < 0)
                return -1;
        }
        if (c == h->c1)
            break;
        const Change *ch = &d->ch[c];
        for (size_t k = 0; k < ch->alen; k++, ia++) {
            if (side_at(d, 0, ia, &ta) < 0 || print_line(d, &first, '-', 0) < 0)
                return -1;
        }
        for (size_t k = 0; k < ch->blen; k++, ib++) {
            if (side_at(d, 1, ib, &tb) < 0 || print_line(d, &first, '+', 1) < 0)
                return -1;
        }
    }
    if (d->o->format == DIFF_JSON)
        fputs("]}", d->out);
    return 0;
}

/* --------------------------------------------------------------- output */

static void describe(Diff *d, int which, char *buf, size_t len)
{
    const Tokens *t = &d->tok[which];
    snprintf(buf, len,
             "%" PRIu64 " events, %zu tokens (%" PRIu64 " polls of %" PRIu64 " events)%s",
             t->st.kept, t->n, t->st.polls, t->st.polled, t->truncated ? ", cut short" : "");
}

static void json_side(Diff *d, int which)
{
    const Tokens *t = &d->tok[which];
    fprintf(d->out, "\"%c\":{\"path\":", which ? 'b' : 'a');
    json_string(d->out, d->path[which]);
    fprintf(d->out,
            ",\"events\":%" PRIu64 ",\"compared\":%" PRIu64 ",\"tokens\":%zu,\"polls\":%" PRIu64
            ",\"polled_events\":%" PRIu64 ",\"complete\":%s}",
            t->st.events, t->st.kept, t->n, t->st.polls, t->st.polled,
            t->truncated ? "false" : "true");
}

static void print_head(Diff *d)
{
    char desc[160];
    if (d->o->format == DIFF_JSON) {
        fputs("{\"version\":1,", d->out);
        json_side(d, 0);
        fputc(',', d->out);
        json_side(d, 1);
        fprintf(d->out,
                ",\"same\":%s,\"kept\":%" PRIu64 ",\"deleted\":%" PRIu64
                ",\"inserted\":%" PRIu64 ",\"changes\":%zu,\"hunks\":[",
                d->nch ? "false" : "true", d->kept, d->deleted, d->inserted, d->nch);
        d->json_first_hunk = 1;
        return;
    }
    if (d->o->format == DIFF_UNIFIED && !d->nch)
        return; /* like diff(1): nothing when the same */
    describe(d, 0, desc, sizeof desc);
    fprintf(d->out, "--- %s\t%s\n", d->path[0], desc);
    describe(d, 1, desc, sizeof desc);
    fprintf(d->out, "+++ %s\t%s\n", d->path[1], desc);
}

static void print_stat(Diff *d)
{
    const Stat *st = &d->stat;
    fprintf(d->out, "kept %" PRIu64 " tokens, deleted %" PRIu64 ", inserted %" PRIu64
                    ", in %zu changes\n",
            d->kept, d->deleted, d->inserted, d->nch);
    if (!d->nch)
        return;
    fputs("by kind:\n", d->out);
    for (unsigned k = 0; k < TRACE_KIND_COUNT; k++)
        if (st->del[k] || st->ins[k])
            fprintf(d->out, "  %-14s -%-8" PRIu64 " +%" PRIu64 "\n", trace_kind_name((TraceKind)k),
                    st->del[k], st->ins[k]);
    fputs("by request kind:\n", d->out);
    for (unsigned i = 0; i <= STAT_REQ_KINDS; i++) {
        if (i == st->nreq && i < STAT_REQ_KINDS)
            i = STAT_REQ_KINDS; /* skip to the overflow row */
        if (!st->req[i].del && !st->req[i].ins)
            continue;
        fprintf(d->out, "  %-18s -%-8" PRIu64 " +%-8" PRIu64, st->req[i].name, st->req[i].del,
                st->req[i].ins);
        if (st->req[i].requests)
            fprintf(d->out, " in %" PRIu64 " request%s", st->req[i].requests,
                    st->req[i].requests == 1 ? "" : "s");
        fputc('\n', d->out);
    }
}

int diff_traces(const char *a, const char *b, const DiffOptions *o, FILE *out, char *err,
                size_t errlen)
{
    Diff d = {.o = o, .path = {a, b}, .out = out, .err = err, .errlen = errlen};
    AlignScript s = {0};
    int rc = -1;

    if (read_both(&d) < 0)
        goto done;
    if (o->norm.request && !d.tok[0].n && !d.tok[1].n) {
        snprintf(err, errlen, "request %" PRIu64 " is in neither trace", o->norm.request);
        goto done;
    }
    size_t bound = o->minimal ? 0 : align_default_bound(d.tok[0].n, d.tok[1].n);
    if (align_sequences_bounded(d.tok[0].hash, d.tok[0].n, d.tok[1].hash, d.tok[1].n, bound,
                                &s) < 0) {
        fail(&d, "out of memory aligning the traces");
        goto done;
    }
    if (build_changes(&d, &s) < 0 ||
        build_hunks(&d, o->format == DIFF_STAT ? 0 : o->context) < 0)
        goto done;
    print_head(&d);
    if (d.nhunk && side_open(&d, 0) < 0)
        goto done;
    if (d.nhunk && !(d.ahead = ahead_start(&d)) && side_open(&d, 1) < 0)
        goto done;
    for (size_t i = 0; i < d.nhunk; i++)
        if (print_hunk(&d, &d.hunk[i]) < 0)
            goto done;
    if (o->format == DIFF_JSON)
        fputs(d.nhunk ? "\n]}\n" : "]}\n", out);
    else if (o->format == DIFF_STAT)
        print_stat(&d);
    if (fflush(out) != 0 || ferror(out)) {
        fail(&d, "write error");
        goto done;
    }
    rc = d.nch ? 1 : 0;
done:
    ahead_free(d.ahead);
    align_script_free(&s);
    for (int i = 0; i < 2; i++) {
        free(d.tok[i].hash);
        free(d.tok[i].count);
        free(d.tok[i].seq);
        free(d.tok[i].period);
        norm_close(d.tok[i].norm); /* side i's too */
    }
    free(d.ch);
    free(d.hunk);
    return rc;
}
