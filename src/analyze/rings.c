/* Shared-memory structures from the frames' paths (see rings.h). */
#include "analyze/rings.h"

#include <stdlib.h>
#include <string.h>

#define HEAD 64           /* bytes of a DMA transfer or frame kept */
#define REQ_DMA 128       /* device transfers kept per request */
#define REQ_READS 4096    /* register reads kept per receive request */
#define MAX_ACC 8         /* rings: direction x allocation */
#define MAX_ADDRS 4096    /* descriptor addresses kept per ring */
#define MAX_CANDS 256     /* register writes of device-memory addresses */
#define MAX_SIZES 512     /* register writes that could be a ring's length */
#define MAX_BLOCKS 64     /* blocks the device read that hold such addresses */
#define MAX_LIVE 4096     /* live allocations */

typedef struct Dma {
    int write;
    uint32_t addr, size, have;
    uint8_t head[HEAD];
} Dma;

typedef struct PortRead {
    int reg;
    uint32_t size, value;
    unsigned burst; /* reads of one register with no other access between */
} PortRead;

typedef struct Live {
    uint32_t addr, size;
    char name[32];
} Live;

typedef struct Vote {
    int key[3];
    unsigned n;
} Vote;

#define MAX_VOTES 8

typedef struct Votes {
    Vote v[MAX_VOTES];
    unsigned n;
} Votes;

typedef struct Acc {
    int rx;
    char region[32];
    uint32_t *addrs;
    size_t naddrs;
    uint32_t last;
    int have_last, wrapped;
    unsigned frames;
    Votes size, buf, len;
    unsigned flips[32][8][2]; /* per descriptor bit: frames it was cleared [0] / set [1] in */
} Acc;

struct Rings {
    Live live[MAX_LIVE];
    size_t nlive;
    /* the request in progress */
    int kind; /* 0 other, 1 send, 2 receive */
    uint8_t frame[HEAD];
    uint32_t flen, fhave;
    int have_frame;
    Dma dma[REQ_DMA];
    size_t ndma;
    PortRead reads[REQ_READS];
    size_t nreads;
    unsigned burst;
    int last_reg;
    /* across traces */
    Acc acc[MAX_ACC];
    size_t nacc;
    struct {
        int reg;
        uint32_t value;
    } cand[MAX_CANDS];
    size_t ncand;
    struct {
        int reg;
        uint32_t value;
    } sizes[MAX_SIZES];
    size_t nsizes;
    Dma blocks[MAX_BLOCKS];
    size_t nblocks;
    Votes rx_kind, circ, port;
    uint32_t circ_lo, circ_hi, circ_last;
    int circ_have, circ_wrapped;
    AnRing out[MAX_ACC];
    size_t nout;
    AnRxBuffer rx;
};

const char *an_rx_kind_name(AnRxKind k)
{
    static const char *const n[] = {"unknown", "descriptor ring", "circular buffer with headers",
                                    "device memory through a data port"};
    return (unsigned)k <= AN_RX_PORT ? n[k] : "?";
}

static void vote(Votes *v, int a, int b, int c)
{
    for (unsigned i = 0; i < v->n; i++)
        if (v->v[i].key[0] == a && v->v[i].key[1] == b && v->v[i].key[2] == c) {
            v->v[i].n++;
            return;
        }
    if (v->n < MAX_VOTES)
        v->v[v->n++] = (Vote){{a, b, c}, 1};
}

/* The most common key (the first seen among equals); NULL when none. */
static const Vote *winner(const Votes *v)
{
    const Vote *w = NULL;
    for (unsigned i = 0; i < v->n; i++)
        if (!w || v->v[i].n > w->n)
            w = &v->v[i];
    return w;
}

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

static const Live *live_find(const Rings *r, uint32_t addr)
{
    for (size_t i = r->nlive; i-- > 0;)
        if (addr - r->live[i].addr < r->live[i].size)
            return &r->live[i];
    return NULL;
}

const char *rings_region(const Rings *r, uint32_t addr)
{
    const Live *l = live_find(r, addr);
    return l ? l->name : NULL;
}

Rings *rings_new(void)
{
    Rings *r = calloc(1, sizeof *r);
    if (r)
        r->last_reg = -1;
    return r;
}

void rings_free(Rings *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nacc; i++)
        free(r->acc[i].addrs);
    free(r);
}

void rings_trace_end(Rings *r)
{
    r->nlive = 0;
    r->kind = 0;
    r->ndma = r->nreads = 0;
    r->have_frame = 0;
}

static Acc *acc_get(Rings *r, int rx, const char *region)
{
    for (size_t i = 0; i < r->nacc; i++)
        if (r->acc[i].rx == rx && !strcmp(r->acc[i].region, region))
            return &r->acc[i];
    if (r->nacc == MAX_ACC)
        return NULL;
    Acc *a = &r->acc[r->nacc++];
    memset(a, 0, sizeof *a);
    a->rx = rx;
    snprintf(a->region, sizeof a->region, "%s", region);
    return a;
}

static int acc_addr(Acc *a, uint32_t addr)
{
    if (a->have_last && addr < a->last)
        a->wrapped = 1;
    a->last = addr;
    a->have_last = 1;
    for (size_t i = 0; i < a->naddrs; i++)
        if (a->addrs[i] == addr)
            return 0;
    if (a->naddrs == MAX_ADDRS)
        return 0;
    if (!(a->naddrs & (a->naddrs - 1)) || a->naddrs < 16) {
        size_t cap = a->naddrs < 16 ? 16 : 2 * a->naddrs;
        uint32_t *p = realloc(a->addrs, cap * sizeof *p);
        if (!p)
            return -1;
        a->addrs = p;
    }
    a->addrs[a->naddrs++] = addr;
    return 0;
}

/* A frame found in a transfer: the bytes it starts with. */
static int starts_with_frame(const Rings *r, const Dma *d)
{
    uint32_t n = r->fhave < 16 ? r->fhave : 16;
    return n >= 8 && d->have >= n && !memcmp(d->head, r->frame, n);
}

/* The device fetched a descriptor holding the buffer address F: the
 * descriptor, its length field and its ownership bit. */
static int note_descriptor(Rings *r, int rx, uint32_t F)
{
    for (size_t i = 0; i < r->ndma; i++) {
        const Dma *d = &r->dma[i];
        if (d->write || d->size < 8 || d->size > 32 || d->have < d->size)
            continue;
        int off = -1;
        for (uint32_t k = 0; k + 4 <= d->size; k += 4)
            if (le32(d->head + k) == F) {
                off = (int)k;
                break;
            }
        if (off < 0)
            continue;
        const Live *lv = live_find(r, d->addr);
        Acc *a = acc_get(r, rx, lv ? lv->name : "unnamed");
        if (!a)
            return 0;
        if (acc_addr(a, d->addr) < 0)
            return -1;
        a->frames++;
        vote(&a->size, (int)d->size, 0, 0);
        vote(&a->buf, off, 0, 0);
        /* what the device wrote back into this descriptor: the length
         * (receive), and every bit it flipped, counted per frame: the bit
         * that flips the same way every time is how it hands the
         * descriptor back (data fields flip only sometimes) */
        int lenpos = -1;
        for (size_t j = 0; j < r->ndma; j++) {
            const Dma *w = &r->dma[j];
            if (!w->write || w->addr < d->addr || w->addr >= d->addr + d->size)
                continue;
            uint32_t base = w->addr - d->addr;
            for (uint32_t k = 0; rx && lenpos < 0 && k + 2 <= w->have && base + k + 2 <= d->size;
                 k++) {
                uint32_t v = le16(w->head + k);
                if (v == r->flen || v == r->flen + 4) {
                    vote(&a->len, (int)(base + k), (int)(v - r->flen), 0);
                    lenpos = (int)(base + k);
                }
            }
            for (uint32_t k = 0; k < w->have && base + k < d->size && base + k < 32; k++) {
                if (lenpos >= 0 && (int)(base + k) >= lenpos && (int)(base + k) < lenpos + 2)
                    continue; /* the length, not a flag */
                uint8_t before = d->head[base + k], after = w->head[k];
                for (int b = 0; b < 8; b++)
                    if ((before >> b & 1) != (after >> b & 1))
                        a->flips[base + k][b][after >> b & 1]++;
            }
        }
        return 1;
    }
    return 0;
}

static int end_receive(Rings *r)
{
    /* the frame in host memory, written by the device */
    for (size_t i = 0; i < r->ndma; i++) {
        const Dma *w = &r->dma[i];
        if (!w->write || !starts_with_frame(r, w))
            continue;
        uint32_t F = w->addr;
        /* a header holding the length right before it: a circular buffer */
        for (size_t j = 0; j < r->ndma; j++) {
            const Dma *h = &r->dma[j];
            if (!h->write || j == i || h->addr >= F || F - h->addr > 16 || h->addr + h->size > F)
                continue;
            for (uint32_t k = 0; k + 2 <= h->have; k++) {
                uint32_t v = le16(h->head + k);
                if (v == r->flen || v == r->flen + 4) {
                    vote(&r->rx_kind, AN_RX_CIRCULAR, 0, 0);
                    vote(&r->circ, (int)(F - h->addr), (int)k, (int)(v - r->flen));
                    if (!r->circ_have || h->addr < r->circ_lo)
                        r->circ_lo = h->addr;
                    if (!r->circ_have || F + r->flen > r->circ_hi)
                        r->circ_hi = F + r->flen;
                    if (r->circ_have && h->addr < r->circ_last)
                        r->circ_wrapped = 1;
                    r->circ_last = h->addr;
                    r->circ_have = 1;
                    return 0;
                }
            }
        }
        int d = note_descriptor(r, 1, F);
        if (d < 0)
            return -1;
        if (d)
            vote(&r->rx_kind, AN_RX_RING, 0, 0);
        return 0;
    }
    /* not in host memory: through a register, from the device's memory */
    uint32_t n = r->fhave < 16 ? r->fhave : 16;
    for (size_t i = 0; i < r->nreads && n >= 8; i++) {
        /* a burst of one register's reads whose bytes start the frame */
        if (i && r->reads[i - 1].reg == r->reads[i].reg && r->reads[i - 1].burst == r->reads[i].burst)
            continue;
        uint8_t bytes[16];
        uint32_t got = 0;
        for (size_t j = i; j < r->nreads && got < n && r->reads[j].burst == r->reads[i].burst; j++)
            for (uint32_t b = 0; b < r->reads[j].size && got < n; b++)
                bytes[got++] = (uint8_t)(r->reads[j].value >> (8 * b));
        if (got < n || memcmp(bytes, r->frame, n))
            continue;
        /* the burst before it, of the same register: the header */
        size_t h = i;
        while (h > 0 && !(r->reads[h - 1].reg == r->reads[i].reg))
            h--;
        if (!h)
            break;
        unsigned hb = r->reads[h - 1].burst;
        size_t hs = h;
        while (hs > 0 && r->reads[hs - 1].burst == hb && r->reads[hs - 1].reg == r->reads[i].reg)
            hs--;
        uint8_t hdr[16];
        uint32_t hl = 0;
        for (size_t j = hs; j < h && hl + 4 <= sizeof hdr; j++)
            for (uint32_t b = 0; b < r->reads[j].size; b++)
                hdr[hl++] = (uint8_t)(r->reads[j].value >> (8 * b));
        for (uint32_t k = 0; k + 2 <= hl; k++) {
            uint32_t v = le16(hdr + k);
            if (v == r->flen || v == r->flen + 4) {
                vote(&r->rx_kind, AN_RX_PORT, 0, 0);
                vote(&r->port, (int)hl, (int)k, (int)(v - r->flen));
                r->rx.port_reg = (uint32_t)r->reads[i].reg;
                return 0;
            }
        }
        break;
    }
    return 0;
}

static int end_send(Rings *r)
{
    for (size_t i = 0; i < r->ndma; i++) {
        const Dma *b = &r->dma[i];
        if (!b->write && starts_with_frame(r, b))
            return note_descriptor(r, 0, b->addr) < 0 ? -1 : 0;
    }
    return 0;
}

static int end_request(Rings *r)
{
    int rc = 0;
    if (r->have_frame && r->kind == 2)
        rc = end_receive(r);
    else if (r->have_frame && r->kind == 1)
        rc = end_send(r);
    r->kind = 0;
    r->ndma = r->nreads = 0;
    r->have_frame = 0;
    return rc;
}

static void keep_dma(Dma *d, const TraceEvent *ev)
{
    d->write = ev->kind == TRACE_DMA_WRITE;
    d->addr = ev->addr;
    d->size = ev->size;
    d->have = ev->data ? (ev->len < HEAD ? ev->len : HEAD) : 0;
    if (d->have)
        memcpy(d->head, ev->data, d->have);
}

int rings_event(Rings *r, const TraceEvent *ev, int reg)
{
    switch (ev->kind) {
    case TRACE_MEM_REGION:
        if (ev->value && r->nlive < MAX_LIVE && ev->size) {
            Live *l = &r->live[r->nlive++];
            l->addr = ev->addr;
            l->size = ev->size;
            snprintf(l->name, sizeof l->name, "%s", ev->name ? ev->name : "region");
        } else if (!ev->value) {
            for (size_t i = r->nlive; i-- > 0;)
                if (r->live[i].addr == ev->addr) {
                    memmove(&r->live[i], &r->live[i + 1], (r->nlive - i - 1) * sizeof r->live[0]);
                    r->nlive--;
                    break;
                }
        }
        return 0;
    case TRACE_REQUEST_BEGIN:
        if (end_request(r) < 0)
            return -1;
        r->kind = ev->name && !strcmp(ev->name, "send")      ? 1
                  : ev->name && !strcmp(ev->name, "receive") ? 2
                                                             : 0;
        return 0;
    case TRACE_REQUEST_END:
        return end_request(r);
    case TRACE_FRAME_OUT:
    case TRACE_FRAME_IN:
        /* the frame on the cable: out for a send, in for a receive */
        if (!r->have_frame && ev->name && !strcmp(ev->name, "wire") && ev->data &&
            ((r->kind == 1 && ev->kind == TRACE_FRAME_OUT) ||
             (r->kind == 2 && ev->kind == TRACE_FRAME_IN))) {
            r->flen = ev->size;
            r->fhave = ev->len < HEAD ? ev->len : HEAD;
            memcpy(r->frame, ev->data, r->fhave);
            r->have_frame = 1;
        }
        return 0;
    case TRACE_DMA_READ:
    case TRACE_DMA_WRITE:
        if (r->kind && r->ndma < REQ_DMA)
            keep_dma(&r->dma[r->ndma++], ev);
        /* a block the device reads that holds device-memory addresses (an
         * initialization block naming the rings) */
        if (ev->kind == TRACE_DMA_READ && ev->data && ev->len >= 16 && r->nblocks < MAX_BLOCKS) {
            int points = 0;
            for (uint32_t k = 0; k + 4 <= ev->len && k < HEAD; k += 4)
                points |= live_find(r, le32(ev->data + k)) != NULL;
            int seen = 0;
            for (size_t i = 0; i < r->nblocks; i++)
                seen |= r->blocks[i].addr == ev->addr && r->blocks[i].size == ev->size;
            if (points && !seen)
                keep_dma(&r->blocks[r->nblocks++], ev);
        }
        return 0;
    default:
        break;
    }
    if (reg < 0)
        return 0;
    int rd = ev->kind == TRACE_PORT_READ || ev->kind == TRACE_MMIO_READ;
    if (reg != r->last_reg)
        r->burst++;
    r->last_reg = reg;
    if (rd && r->kind == 2 && r->nreads < REQ_READS)
        r->reads[r->nreads++] = (PortRead){reg, ev->size > 4 ? 4 : ev->size, (uint32_t)ev->value,
                                           r->burst};
    if (!rd && ev->value >= 64 && ev->value <= (1u << 20) && !(ev->value & 7) &&
        r->nsizes < MAX_SIZES) {
        int seen = 0;
        for (size_t i = 0; i < r->nsizes; i++)
            seen |= r->sizes[i].reg == reg && r->sizes[i].value == (uint32_t)ev->value;
        if (!seen) {
            r->sizes[r->nsizes].reg = reg;
            r->sizes[r->nsizes++].value = (uint32_t)ev->value;
        }
    }
    if (!rd && ev->value <= UINT32_MAX && live_find(r, (uint32_t)ev->value) && r->ncand < MAX_CANDS) {
        int seen = 0;
        for (size_t i = 0; i < r->ncand; i++)
            seen |= r->cand[i].reg == reg && r->cand[i].value == (uint32_t)ev->value;
        if (!seen) {
            r->cand[r->ncand].reg = reg;
            r->cand[r->ncand++].value = (uint32_t)ev->value;
        }
    }
    return 0;
}

static uint32_t gcd(uint32_t a, uint32_t b)
{
    while (b) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* The ring's length, when the driver told the device: the smallest
 * count N >= the descriptors seen (and at most 4 times as many, unless the
 * register is within 16 bytes of the base's) that is either a register's
 * written value / stride, for a register within 32 bytes of the one given
 * the base (an 8254x RDBAL/RDLEN pair), or 2^n for
 * a 4-bit field n of the block the base was found in (a PCnet init
 * block's RLEN/TLEN). */
static void ring_count(const Rings *r, AnRing *o, const AnRegInfo *(*reg_info)(void *, int),
                       void *ctx)
{
    uint32_t c = o->count_seen, best = 0;
    if (o->base_from == 1 && reg_info && o->stride) {
        const AnRegInfo *b = reg_info(ctx, (int)o->base_reg);
        for (size_t k = 0; k < r->nsizes && b; k++) {
            const AnRegInfo *q = reg_info(ctx, r->sizes[k].reg);
            uint32_t v = r->sizes[k].value;
            uint32_t dist = q ? (q->addr > b->addr ? q->addr - b->addr : b->addr - q->addr) : 0;
            if (!q || q->port != b->port || dist > 32 || v % o->stride)
                continue;
            /* right next to the base (16 bytes), any length will do: the
             * device may not have gone round the ring yet */
            uint32_t n = v / o->stride, most = dist <= 16 ? 65536 : 4 * c;
            if (n >= c && n <= most && (!best || n < best)) {
                best = n;
                o->count_from = 1;
                o->count_reg = (uint32_t)r->sizes[k].reg;
            }
        }
    }
    if (o->base_from == 2) {
        for (size_t k = 0; k < r->nblocks; k++) {
            if (r->blocks[k].addr != o->block_addr)
                continue;
            for (uint32_t bit = 0; bit + 4 <= 32 && 4 <= r->blocks[k].have; bit += 4) {
                uint32_t nib = (le32(r->blocks[k].head) >> bit) & 15;
                uint32_t n = 1u << nib;
                if (nib && n >= c && n <= 4 * c && (!best || n < best)) {
                    best = n;
                    o->count_from = 2;
                    o->count_bit = (int)bit;
                }
            }
            break;
        }
    }
    o->count = best ? best : c;
}

int rings_finish(Rings *r, const AnRegInfo *(*reg_info)(void *, int), void *ctx)
{
    if (end_request(r) < 0)
        return -1;
    for (size_t i = 0; i < r->nacc; i++) {
        const Acc *a = &r->acc[i];
        if (!a->naddrs)
            continue;
        AnRing *o = &r->out[r->nout++];
        memset(o, 0, sizeof *o);
        o->rx = a->rx;
        snprintf(o->region, sizeof o->region, "%s", a->region);
        uint32_t lo = a->addrs[0], hi = a->addrs[0], g = 0;
        for (size_t k = 1; k < a->naddrs; k++) {
            lo = a->addrs[k] < lo ? a->addrs[k] : lo;
            hi = a->addrs[k] > hi ? a->addrs[k] : hi;
        }
        for (size_t k = 0; k < a->naddrs; k++)
            g = gcd(g, a->addrs[k] - lo);
        const Vote *w = winner(&a->size);
        o->desc_size = w ? (uint32_t)w->key[0] : 0;
        o->stride = g ? g : o->desc_size;
        o->base = lo;
        o->count_seen = o->stride ? (hi - lo) / o->stride + 1 : 1;
        o->wrapped = a->wrapped;
        o->frames = a->frames;
        w = winner(&a->buf);
        o->buf_off = w ? w->key[0] : -1;
        w = winner(&a->len);
        o->len_off = w ? w->key[0] : -1;
        o->len_adj = w ? w->key[1] : 0;
        /* the bit flipped in most frames; among equals one the device
         * cleared (an OWN bit) before one it set, then the highest cleared
         * or the lowest set */
        unsigned best = 0;
        o->own_off = o->own_bit = -1;
        for (int dir = 0; dir < 2; dir++)
            for (int pos = 0; pos < 256; pos++) {
                int p = dir ? pos : 255 - pos;
                unsigned n = a->flips[p / 8][p % 8][dir];
                if (n > best) {
                    best = n;
                    o->own_off = p / 8;
                    o->own_bit = p % 8;
                    o->own_device_sets = dir;
                }
            }
        for (size_t k = 0; k < r->ncand && !o->base_from; k++)
            if (r->cand[k].value == lo) {
                o->base_from = 1;
                o->base_reg = (uint32_t)r->cand[k].reg;
            }
        for (size_t k = 0; k < r->nblocks && !o->base_from; k++)
            for (uint32_t off = 0; off + 4 <= r->blocks[k].have; off += 4)
                if (le32(r->blocks[k].head + off) == lo) {
                    o->base_from = 2;
                    o->block_addr = r->blocks[k].addr;
                    o->block_off = off;
                    break;
                }
        ring_count(r, o, reg_info, ctx);
    }
    const Vote *k = winner(&r->rx_kind);
    r->rx.kind = k ? (AnRxKind)k->key[0] : AN_RX_UNKNOWN;
    r->rx.frames = k ? k->n : 0;
    r->rx.hdr_len_off = -1;
    const Vote *d = r->rx.kind == AN_RX_CIRCULAR ? winner(&r->circ)
                    : r->rx.kind == AN_RX_PORT   ? winner(&r->port)
                                                 : NULL;
    if (d) {
        r->rx.hdr_size = (uint32_t)d->key[0];
        r->rx.hdr_len_off = d->key[1];
        r->rx.len_adj = d->key[2];
    }
    if (r->rx.kind == AN_RX_CIRCULAR) {
        r->rx.buf_base = r->circ_lo;
        r->rx.buf_span = r->circ_hi - r->circ_lo;
        r->rx.wrapped = r->circ_wrapped;
    }
    return 0;
}

size_t rings_count(const Rings *r)
{
    return r->nout;
}

const AnRing *rings_get(const Rings *r, size_t i)
{
    return i < r->nout ? &r->out[i] : NULL;
}

const AnRxBuffer *rings_rx(const Rings *r)
{
    return &r->rx;
}
