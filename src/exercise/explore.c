/* The coverage-guided explorer (explore.h). A run is kept when it reaches
 * static blocks no earlier run reached; parents for mutation are drawn
 * from the kept runs, newest-weighted, as in greybox fuzzers (AFL's queue):
 * what found new code last is the likeliest to lead further. */
#include "exercise/explore.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "nt/failpoint.h"
#include "trace/xtr.h"

/* splitmix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number
 * generators", OOPSLA 2014): small, seedable, good enough for choices. */
static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t below(uint64_t *s, uint32_t n)
{
    return n ? (uint32_t)(rnd(s) % n) : 0;
}

/* OIDs a protocol or management tool queries or sets (ntddndis.h). */
static const uint32_t query_oids[] = {
    0x00010101, 0x00010102, 0x00010103, 0x00010104, 0x00010105, 0x00010106, 0x00010107,
    0x00010108, 0x00010109, 0x0001010A, 0x0001010B, 0x0001010C, 0x0001010D, 0x0001010E,
    0x0001010F, 0x00010110, 0x00010111, 0x00010113, 0x00010114, 0x00010115, 0x00010116,
    0x00020101, 0x00020102, 0x00020103, 0x00020104, 0x00020105, 0x01010101, 0x01010102,
    0x01010103, 0x01010104, 0x01020101, 0x01020102, 0x01020103, 0xFD010100, 0xFD010101,
};

static void random_mac(uint64_t *s, uint8_t mac[6], int multicast)
{
    uint64_t v = rnd(s);
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)(v >> (8 * i));
    if (multicast) {
        /* an IPv4 multicast group's MAC (RFC 1112 section 6.4) */
        mac[0] = 0x01;
        mac[1] = 0x00;
        mac[2] = 0x5e;
        mac[3] &= 0x7f;
    } else {
        mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02);
    }
}

/* Frame lengths worth more than their share: the edges of every buffer
 * rule a driver may have (minimum frame, padding, word and dword
 * alignment, a page, the maximum). */
static uint32_t random_len(uint64_t *s)
{
    static const uint32_t edges[] = {14, 15, 16, 17, 42, 59, 60, 61, 63, 64, 65, 127, 128,
                                     255, 256, 511, 512, 1023, 1024, 1500, 1513, 1514};
    if (below(s, 2))
        return edges[below(s, sizeof edges / sizeof edges[0])];
    return 14 + below(s, 1514 - 14 + 1);
}

static uint32_t random_oid(uint64_t *s, const ExploreHints *h)
{
    if (h && h->noid && below(s, 4))
        return h->oid[below(s, h->noid)];
    return query_oids[below(s, sizeof query_oids / sizeof query_oids[0])];
}

static void random_step(uint64_t *s, const ExploreHints *h, WlStep *st)
{
    memset(st, 0, sizeof *st);
    static const WlKind kinds[] = {WL_SEND, WL_SEND, WL_SEND, WL_RECEIVE, WL_RECEIVE, WL_RECEIVE,
                                   WL_FILTER, WL_MULTICAST, WL_QUERY, WL_QUERY, WL_SET, WL_LINK,
                                   WL_RESET, WL_HALT, WL_REINIT, WL_INJECT, WL_INJECT, WL_WAIT,
                                   WL_INIT, WL_SHUTDOWN, WL_PNP};
    st->kind = kinds[below(s, sizeof kinds / sizeof kinds[0])];
    switch (st->kind) {
    case WL_SEND:
    case WL_RECEIVE:
        st->len = random_len(s);
        st->payload = (WlPayload)below(s, 3);
        st->dest = (WlDest)below(s, 5);
        st->count = 1;
        /* a receive may be longer than any send: up to a tagged frame */
        if (st->kind == WL_RECEIVE && !below(s, 8))
            st->len = 1515 + below(s, WL_FRAME_MAX - 1514);
        if (st->kind == WL_RECEIVE && !below(s, 6))
            st->count = 2 + below(s, 40);
        if (st->kind == WL_SEND) {
            /* packet arrays and buffer chains, as protocols hand them over */
            st->frags = below(s, 3) ? 1 : 2 + below(s, WL_FRAGS_MAX - 1);
            if (!below(s, 5))
                st->count = 2 + below(s, WL_SEND_BURST_MAX - 1);
            /* the frame within one page of the OS's memory, or anywhere (a
             * driver that maps it may need a descriptor per page) */
            st->in_page = (uint8_t)below(s, 2);
        }
        break;
    case WL_FILTER:
        /* any subset of the five NDIS 5 filter bits */
        st->filter = (uint32_t)(rnd(s) & 0x2F);
        break;
    case WL_MULTICAST:
        st->mcast_op = (WlMcastOp)below(s, 3);
        if (st->mcast_op != WL_MCAST_CLEAR) {
            st->nmacs = 1 + below(s, below(s, 4) ? 4 : WL_MAX_MACS);
            for (uint32_t i = 0; i < st->nmacs; i++)
                random_mac(s, st->macs[i], 1);
        }
        break;
    case WL_QUERY:
        st->oid = random_oid(s, h);
        /* mostly a roomy buffer; sometimes none or a short one */
        st->buflen = below(s, 4) ? 1024 : below(s, 2) ? 0 : 1 + below(s, 8);
        break;
    case WL_SET: {
        st->oid = random_oid(s, h);
        uint32_t v = below(s, 3) ? (uint32_t)rnd(s) & 0x3F : (uint32_t)rnd(s);
        st->value_len = below(s, 5) ? 4 : 1 + below(s, 8);
        for (uint32_t i = 0; i < st->value_len; i++)
            st->value[i] = i < 4 ? (uint8_t)(v >> (8 * i)) : (uint8_t)rnd(s);
        break;
    }
    case WL_LINK:
        st->up = (int)below(s, 2);
        break;
    case WL_INJECT:
        st->cond = (WlCondition)below(s, WL_COND_COUNT);
        if (st->cond == WL_COND_RX_BURST || st->cond == WL_COND_RX_OVERFLOW)
            st->count = 8 + below(s, 200);
        break;
    case WL_WAIT:
        st->ms = 1 + below(s, below(s, 4) ? 50 : 5000);
        break;
    case WL_PNP:
        st->pnp = (WlPnp)below(s, WL_PNP_COUNT);
        break;
    default:
        break;
    }
}

/* A failure of an export the driver calls, on one of the calls it makes,
 * or a value for a keyword it reads (the values drivers range-check:
 * zero, one, small, large, all-ones; for NetworkAddress, the forms
 * NdisReadNetworkAddress parses and refuses). */
static int hinted_step(uint64_t *s, const ExploreHints *h, WlStep *st)
{
    memset(st, 0, sizeof *st);
    int want_fail = h->napi && (!h->nkeyword || below(s, 2));
    if (want_fail) {
        unsigned i = below(s, h->napi);
        st->kind = WL_FAIL;
        snprintf(st->api, sizeof st->api, "%s", h->api[i].name);
        st->count = 1 + below(s, h->api[i].calls ? h->api[i].calls : 1);
        return 0;
    }
    if (!h->nkeyword)
        return -1;
    st->kind = WL_PARAM;
    snprintf(st->pname, sizeof st->pname, "%s", h->keyword[below(s, h->nkeyword)]);
    if (!strcmp(st->pname, "NetworkAddress")) {
        static const char *const macs[] = {"02AABBCCDDEE", "03AABBCCDDEE", "000000000000",
                                           "FFFFFFFFFFFF", "02AABB",        "zz0011223344"};
        snprintf(st->pvalue, sizeof st->pvalue, "%s", macs[below(s, 6)]);
        return 0;
    }
    static const uint32_t dwords[] = {0, 1, 2, 3, 4, 8, 10, 16, 100, 1000, 65535, 0xFFFFFFFFu};
    uint32_t v = below(s, 4) ? dwords[below(s, sizeof dwords / sizeof dwords[0])]
                             : (uint32_t)rnd(s);
    if (below(s, 3))
        snprintf(st->pvalue, sizeof st->pvalue, "dword:%u", v);
    else
        snprintf(st->pvalue, sizeof st->pvalue, "%u", v % 1001); /* as the INF writes REG_SZ */
    return 0;
}

/* Where a hinted step goes: before an init or reinit (configuration and
 * most allocations happen in MiniportInitialize), else anywhere. */
static size_t hinted_position(uint64_t *s, const Workload *w)
{
    size_t inits[64], n = 0;
    for (size_t i = 0; i < w->nsteps && n < 64; i++)
        if (w->steps[i].kind == WL_INIT || w->steps[i].kind == WL_REINIT)
            inits[n++] = i;
    if (n && below(s, 4))
        return inits[below(s, (uint32_t)n)];
    return below(s, (uint32_t)w->nsteps + 1);
}

/* Change one parameter of an existing step, keeping its kind. */
static void tweak_step(uint64_t *s, const ExploreHints *h, WlStep *st)
{
    WlStep r;
    random_step(s, h, &r);
    switch (st->kind) {
    case WL_SEND:
    case WL_RECEIVE:
        switch (below(s, 5)) {
        case 0:
        case 1:
            st->len = random_len(s);
            break;
        case 2:
            st->dest = (WlDest)below(s, 5);
            break;
        case 3:
            if (st->kind == WL_SEND) {
                if (below(s, 2))
                    st->frags = 1 + below(s, WL_FRAGS_MAX);
                else
                    st->in_page ^= 1;
                break;
            }
            /* fall through */
        default:
            if (st->kind == WL_SEND && below(s, 2))
                st->count = 1 + below(s, WL_SEND_BURST_MAX);
            else
                st->payload = (WlPayload)below(s, 3);
            break;
        }
        return;
    case WL_FILTER:
        st->filter ^= 1u << below(s, 6);
        st->filter &= 0x2F;
        return;
    default:
        if (r.kind == st->kind)
            *st = r;
        return;
    }
}

static int copy_workload(const Workload *src, Workload *dst)
{
    memset(dst, 0, sizeof *dst);
    dst->seed = src->seed;
    snprintf(dst->name, sizeof dst->name, "%s", src->name);
    for (size_t i = 0; i < src->nsteps; i++)
        if (workload_append(dst, &src->steps[i]) < 0)
            return -1;
    return 0;
}

int explore_mutate(const Workload *parent, const Workload *donor, const ExploreHints *hints,
                   uint64_t *rng, unsigned max_steps, Workload *child)
{
    if (!max_steps)
        max_steps = 600;
    Workload tmp;
    if (copy_workload(parent, &tmp) < 0) {
        workload_free(&tmp);
        return -1;
    }
    /* a few stacked edits, as havoc stages do */
    unsigned edits = 1 + below(rng, 4);
    for (unsigned e = 0; e < edits; e++) {
        size_t n = tmp.nsteps;
        unsigned op = below(rng, 9);
        if (n == 0)
            op = 0;
        WlStep hs;
        if (op >= 7 && hints && n + 1 < max_steps && hinted_step(rng, hints, &hs) == 0) {
            /* fail an export the driver calls, or configure a keyword it reads */
            size_t at = hinted_position(rng, &tmp);
            if (workload_append(&tmp, &hs) < 0)
                goto fail;
            memmove(&tmp.steps[at + 1], &tmp.steps[at], (tmp.nsteps - 1 - at) * sizeof hs);
            tmp.steps[at] = hs;
        } else if (op == 0 && n + 1 < max_steps) { /* insert a new request */
            WlStep st;
            random_step(rng, hints, &st);
            size_t at = below(rng, (uint32_t)n + 1);
            if (workload_append(&tmp, &st) < 0)
                goto fail;
            memmove(&tmp.steps[at + 1], &tmp.steps[at], (tmp.nsteps - 1 - at) * sizeof st);
            tmp.steps[at] = st;
        } else if (op == 1 && n > 1) { /* delete a run of requests */
            size_t at = below(rng, (uint32_t)n), k = 1 + below(rng, 4);
            if (at + k > n)
                k = n - at;
            memmove(&tmp.steps[at], &tmp.steps[at + k], (n - at - k) * sizeof tmp.steps[0]);
            tmp.nsteps -= k;
        } else if (op == 2 || op == 3) { /* change a parameter */
            tweak_step(rng, hints, &tmp.steps[below(rng, (uint32_t)n)]);
        } else if (op == 4 && n + 1 < max_steps) { /* repeat a request */
            size_t at = below(rng, (uint32_t)n);
            WlStep st = tmp.steps[at];
            if (workload_append(&tmp, &st) < 0)
                goto fail;
            memmove(&tmp.steps[at + 1], &tmp.steps[at], (tmp.nsteps - 1 - at) * sizeof st);
        } else if (op == 5 && donor && donor->nsteps) { /* splice from another run */
            size_t from = below(rng, (uint32_t)donor->nsteps);
            size_t k = 1 + below(rng, 16);
            for (size_t i = 0; i < k && from + i < donor->nsteps && tmp.nsteps + 1 < max_steps;
                 i++)
                if (workload_append(&tmp, &donor->steps[from + i]) < 0)
                    goto fail;
        } else { /* a new payload seed */
            tmp.seed = rnd(rng) & 0xFFFFFFFFu;
        }
    }
    for (size_t i = 0; i < tmp.nsteps; i++)
        tmp.steps[i].line = 0;
    *child = tmp;
    return 0;
fail:
    workload_free(&tmp);
    return -1;
}

static void learn_api(ExploreHints *h, const char *name, unsigned calls)
{
    for (unsigned i = 0; i < h->napi; i++)
        if (!strcmp(h->api[i].name, name)) {
            if (calls > h->api[i].calls)
                h->api[i].calls = calls;
            return;
        }
    if (h->napi < EXPLORE_MAX_HINTS && strlen(name) < sizeof h->api[0].name) {
        snprintf(h->api[h->napi].name, sizeof h->api[0].name, "%s", name);
        h->api[h->napi++].calls = calls;
    }
}

static void learn_keyword(ExploreHints *h, const char *kw)
{
    for (unsigned i = 0; i < h->nkeyword; i++)
        if (!strcmp(h->keyword[i], kw))
            return;
    /* a value name the registry can hold: what `param` accepts */
    size_t n = strlen(kw);
    if (!n || n >= sizeof h->keyword[0] || h->nkeyword == EXPLORE_MAX_HINTS)
        return;
    for (size_t i = 0; i < n; i++)
        if (!(kw[i] == '_' || kw[i] == '*' || (kw[i] >= '0' && kw[i] <= '9') ||
              ((kw[i] | 0x20) >= 'a' && (kw[i] | 0x20) <= 'z')))
            return;
    snprintf(h->keyword[h->nkeyword++], sizeof h->keyword[0], "%s", kw);
}

/* The first quoted string of decoded arguments: NdisReadConfiguration's
 * Keyword (the exports' signatures decode a UNICODE_STRING as "..."). */
static void quoted_arg(const char *text, char *out, size_t len)
{
    out[0] = 0;
    const char *q = text ? strchr(text, '"') : NULL;
    if (!q)
        return;
    const char *e = strchr(q + 1, '"');
    if (!e || (size_t)(e - q - 1) >= len)
        return;
    memcpy(out, q + 1, (size_t)(e - q - 1));
    out[e - q - 1] = 0;
}

/* "status=0x00000000 written=N needed=M value=HEX": the OIDs of a
 * successful OID_GEN_SUPPORTED_LIST answer (ULONGs, little-endian). */
static void learn_oids(ExploreHints *h, const char *text)
{
    if (strncmp(text, "status=0x00000000 ", 18))
        return;
    const char *v = strstr(text, "value=");
    if (!v)
        return;
    v += 6;
    for (;;) {
        uint32_t oid = 0;
        int i;
        for (i = 0; i < 8; i++) {
            char c = v[i];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0)
                break;
            /* two hex digits per byte, bytes least significant first */
            oid |= (uint32_t)d << (i % 2 ? 4 * (i - 1) : 4 * (i + 1));
        }
        if (i < 8)
            return;
        v += 8;
        unsigned k = 0;
        while (k < h->noid && h->oid[k] != oid)
            k++;
        if (k == h->noid && h->noid < sizeof h->oid / sizeof h->oid[0])
            h->oid[h->noid++] = oid;
    }
}

typedef struct CallCount {
    char name[64];
    unsigned n;
} CallCount;

long explore_mark_trace(CovMap *cov, ExploreHints *hints, const char *path, char *err,
                        size_t errlen)
{
    CallCount calls[EXPLORE_MAX_HINTS];
    unsigned ncalls = 0;
    char rerr[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open(path, rerr, sizeof rerr);
    if (!r) {
        snprintf(err, errlen, "%s", rerr);
        return -1;
    }
    TraceEvent ev;
    int n;
    long fresh = 0;
    CovTraceState cs = {.have = 0}; /* the first MODULE is the driver's */
    int supported_list = 0; /* the open request queries OID_GEN_SUPPORTED_LIST */
    while ((n = xtr_read(r, &ev, rerr, sizeof rerr)) == 1) {
        if (hints && ev.kind == TRACE_REQUEST_BEGIN)
            supported_list = ev.text && (!strcmp(ev.text, "query OID_GEN_SUPPORTED_LIST") ||
                                         !strncmp(ev.text, "query OID_GEN_SUPPORTED_LIST ", 28) ||
                                         !strncmp(ev.text, "query 0x00010101", 16));
        if (hints && ev.kind == TRACE_REQUEST_END && supported_list && ev.text)
            learn_oids(hints, ev.text);
        if (hints && ev.kind == TRACE_API_CALL && ev.name && cs.have &&
            ev.pc - cs.base < cs.size) {
            if (nt_fail_has_rule(ev.name)) {
                unsigned k = 0;
                while (k < ncalls && strcmp(calls[k].name, ev.name))
                    k++;
                if (k == ncalls && ncalls < EXPLORE_MAX_HINTS &&
                    strlen(ev.name) < sizeof calls[0].name) {
                    snprintf(calls[ncalls].name, sizeof calls[0].name, "%s", ev.name);
                    calls[ncalls++].n = 0;
                }
                if (k < ncalls)
                    calls[k].n++;
            }
            char kw[64];
            if (!strcmp(ev.name, "NdisReadConfiguration")) {
                quoted_arg(ev.text, kw, sizeof kw);
                if (kw[0])
                    learn_keyword(hints, kw);
            } else if (!strcmp(ev.name, "NdisReadNetworkAddress")) {
                learn_keyword(hints, "NetworkAddress");
            }
        }
        /* the module, the entry points the host called, the code that ran */
        long f = cov_map_event(cov, &cs, &ev);
        if (f < 0) {
            snprintf(rerr, sizeof rerr, "%s: event %llu: BLOCKS data is not (rva, size) pairs",
                     path, (unsigned long long)ev.seq);
            n = -1;
            break;
        }
        fresh += f;
    }
    if (n < 0) {
        snprintf(err, errlen, "%s", rerr);
        fresh = -1;
    }
    for (unsigned i = 0; hints && i < ncalls; i++)
        learn_api(hints, calls[i].name, calls[i].n);
    xtr_reader_free(r);
    return fresh;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int rc = fputs(text, f) < 0 ? -1 : 0;
    if (fclose(f) != 0)
        rc = -1;
    return rc;
}

static void progress(const ExploreOpts *o, const ExploreResult *r, long fresh, int final)
{
    if (!o->progress)
        return;
    double pct = r->blocks ? 100.0 * (double)r->reached / (double)r->blocks : 0;
    if (o->progress_tty) {
        fprintf(o->progress, "\rexplore: %u runs, %u kept, %u faulted, coverage %.1f%% (%zu of %zu "
                             "blocks)%s",
                r->runs, r->kept, r->faulted, pct, r->reached, r->blocks, final ? "\n" : "   ");
    } else if (fresh > 0 || final) {
        fprintf(o->progress, "explore: run %u: %s%ld new blocks, coverage %.1f%% (%zu of %zu)\n",
                r->runs, final ? "done, " : "", fresh > 0 ? fresh : 0L, pct, r->reached, r->blocks);
    }
    fflush(o->progress);
}

int explore_run(const ExploreOpts *o, const ExploreOps *ops, CovMap *cov, const Workload *seeds,
                size_t nseeds, volatile int *stop, ExploreResult *res, char *err, size_t errlen)
{
    memset(res, 0, sizeof *res);
    res->blocks = cov_map_nblocks(cov);
    if (!nseeds) {
        snprintf(err, errlen, "no seed workload");
        return -1;
    }
    if (mkdir(o->dir, 0777) < 0 && errno != EEXIST) {
        snprintf(err, errlen, "-o %s: %s", o->dir, strerror(errno));
        return -1;
    }
    /* the corpus: seeds first (run as they are), then kept mutants */
    size_t cap = nseeds + 64, n = 0;
    Workload *corpus = calloc(cap, sizeof *corpus);
    if (!corpus) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    uint64_t rng = o->seed ? o->seed : 1;
    ExploreHints *hints = calloc(1, sizeof *hints);
    if (!hints) {
        free(corpus);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/.run.xtr", o->dir);
    double t0 = now_s();
    unsigned dry = 0;
    int rc = 0;
    res->stop_reason = "runs";
    while (res->runs < o->runs) {
        if (stop && *stop) {
            res->stop_reason = "interrupted";
            break;
        }
        if (o->seconds > 0 && now_s() - t0 >= o->seconds) {
            res->stop_reason = "time";
            break;
        }
        if (o->plateau && dry >= o->plateau) {
            res->stop_reason = "plateau";
            break;
        }
        Workload w;
        if (res->runs < nseeds) {
            if (copy_workload(&seeds[res->runs], &w) < 0)
                goto oom;
        } else {
            /* newest-weighted parent: half the time one of the last four kept */
            size_t pool = n ? n : nseeds;
            const Workload *src = n ? corpus : seeds;
            size_t pi = below(&rng, 2) && pool > 4 ? pool - 1 - below(&rng, 4)
                                                   : below(&rng, (uint32_t)pool);
            const Workload *donor = &src[below(&rng, (uint32_t)pool)];
            if (explore_mutate(&src[pi], donor, hints, &rng, o->max_steps, &w) < 0)
                goto oom;
        }
        int faulted = 0;
        char rerr[EXPLORE_ERR_MAX];
        if (ops->run(ops->opaque, &w, tmp, &faulted, rerr, sizeof rerr) < 0) {
            snprintf(err, errlen, "run %u: %s", res->runs + 1, rerr);
            workload_free(&w);
            rc = -1;
            break;
        }
        res->runs++;
        res->faulted += faulted ? 1u : 0u;
        long fresh = explore_mark_trace(cov, hints, tmp, rerr, sizeof rerr);
        if (fresh < 0) {
            /* a trace the run left unreadable is the run's failure, not the explorer's */
            fresh = 0;
        }
        res->reached = cov_map_nreached(cov);
        /* a run with nothing new is kept too when sampled: the same paths
         * with other parameters (frame lengths, places in a ring) are what
         * extract generalises from; it does not join the corpus, and it
         * still counts towards the plateau */
        int sampled = fresh <= 0 && o->sample && (dry + 1) % o->sample == 0;
        if (fresh > 0 || sampled) {
            char base[4096];
            snprintf(base, sizeof base, "%s/%04u", o->dir, res->kept + 1);
            char path[4200];
            snprintf(path, sizeof path, "%s.xtr", base);
            char *text = workload_format(&w);
            char wpath[4200];
            snprintf(wpath, sizeof wpath, "%s.workload", base);
            if (!text || rename(tmp, path) < 0 || write_text(wpath, text) < 0) {
                snprintf(err, errlen, "keeping run %u in %s: %s", res->runs, o->dir,
                         text ? strerror(errno) : "out of memory");
                free(text);
                workload_free(&w);
                rc = -1;
                break;
            }
            free(text);
            res->kept++;
            if (sampled) {
                res->sampled++;
                dry++;
                workload_free(&w);
                progress(o, res, 0, 0);
                continue;
            }
            dry = 0;
            if (n == cap) {
                Workload *nc = realloc(corpus, 2 * cap * sizeof *nc);
                if (!nc) {
                    workload_free(&w);
                    goto oom;
                }
                corpus = nc;
                cap *= 2;
            }
            corpus[n++] = w;
        } else {
            dry++;
            workload_free(&w);
        }
        progress(o, res, fresh, 0);
    }
    remove(tmp);
    res->seconds = now_s() - t0;
    progress(o, res, 0, 1);
    for (size_t i = 0; i < n; i++)
        workload_free(&corpus[i]);
    free(corpus);
    free(hints);
    return rc;
oom:
    free(hints);
    snprintf(err, errlen, "out of memory");
    for (size_t i = 0; i < n; i++)
        workload_free(&corpus[i]);
    free(corpus);
    return -1;
}
