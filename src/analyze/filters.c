/* Address fits (see filters.h). */
#include "analyze/filters.h"

#include <stdlib.h>
#include <string.h>

#define MAX_LIST 64   /* multicast addresses followed */
#define REQ_WRITES 256 /* register writes and stores kept per request */
#define MAX_TALLY 256

typedef struct RegVals {
    uint32_t r[4], w[4];
    uint8_t nr, nw;
} RegVals;

typedef struct Write {
    int store, key;
    uint32_t value;
    int devmem; /* the value lay in device memory other than the send buffer */
} Write;

typedef struct Tally {
    AnAddrFit fit;
} Tally;

struct Filters {
    AnRegInfoFn reg_info;
    void *ctx;
    uint8_t mac[6];
    int have_mac;
    RegVals *vals;
    size_t nvals;
    /* the request in progress */
    int kind; /* 0 other, 1 send, 2 multicast change */
    uint32_t sendbuf;
    int have_sendbuf;
    Write w[REQ_WRITES];
    size_t nw;
    /* the multicast list, as the OS last set it */
    uint8_t list[MAX_LIST][6];
    size_t nlist;
    int list_overflow;
    Tally tally[MAX_TALLY];
    size_t ntally;
    AnAddrFit *out;
    size_t nout;
    int built;
};

const char *an_hash_name(AnHash h)
{
    static const char *const n[] = {"CRC-32 (MSB first), top 6 bits", "CRC-32 (LSB first), top 6 bits",
                                    "CRC-32 (MSB first), low 6 bits", "CRC-32 (LSB first), low 6 bits",
                                    "address bits 47:36",             "address bits 46:35",
                                    "address bits 45:34",             "address bits 43:32"};
    return (unsigned)h < AN_HASH_COUNT ? n[h] : "?";
}

/* The Ethernet CRC-32 (IEEE 802.3 clause 3.2.9: polynomial 0x04C11DB7,
 * register preset to all ones, no final complement here), fed the bits of
 * each byte least significant first, kept in two orders: shifting left
 * (the "MSB first" register of DP8390-style hardware) and shifting right
 * (the reflected register). */
static uint32_t crc_be(const uint8_t *a)
{
    uint32_t c = 0xffffffffu;
    for (int i = 0; i < 6; i++)
        for (int b = 0; b < 8; b++) {
            uint32_t top = c >> 31;
            c <<= 1;
            if (top ^ ((a[i] >> b) & 1))
                c ^= 0x04c11db7u;
        }
    return c;
}

static uint32_t crc_le(const uint8_t *a)
{
    uint32_t c = 0xffffffffu;
    for (int i = 0; i < 6; i++) {
        c ^= a[i];
        for (int b = 0; b < 8; b++)
            c = (c >> 1) ^ ((c & 1) ? 0xedb88320u : 0);
    }
    return c;
}

/* The table bit address a selects under hash h (8254x SDM 13.5.1 for the
 * address-bit forms: MO selects which 12 of bits 47:32). */
static unsigned hash_bit(AnHash h, const uint8_t *a)
{
    uint32_t hi = (uint32_t)a[5] << 8 | a[4];
    switch (h) {
    case AN_HASH_CRC_BE_TOP6:
        return crc_be(a) >> 26;
    case AN_HASH_CRC_LE_TOP6:
        return crc_le(a) >> 26;
    case AN_HASH_CRC_BE_LOW6:
        return crc_be(a) & 63;
    case AN_HASH_CRC_LE_LOW6:
        return crc_le(a) & 63;
    case AN_HASH_ADDR_47_36:
        return (hi >> 4) & 0xfff;
    case AN_HASH_ADDR_46_35:
        return (hi >> 3) & 0xfff;
    case AN_HASH_ADDR_45_34:
        return (hi >> 2) & 0xfff;
    default:
        return hi & 0xfff;
    }
}

Filters *filters_new(AnRegInfoFn reg_info, void *ctx)
{
    Filters *f = calloc(1, sizeof *f);
    if (f) {
        f->reg_info = reg_info;
        f->ctx = ctx;
    }
    return f;
}

void filters_free(Filters *f)
{
    if (!f)
        return;
    free(f->vals);
    free(f->out);
    free(f);
}

int filters_mac(const Filters *f, uint8_t mac[6])
{
    if (f->have_mac)
        memcpy(mac, f->mac, 6);
    return f->have_mac;
}

static int parse_mac(const char *s, uint8_t *out)
{
    unsigned v[6];
    int n = 0;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &n) != 6)
        return -1;
    for (int i = 0; i < 6; i++)
        out[i] = (uint8_t)v[i];
    return n;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                                 : -1;
}

static void list_add(Filters *f, const uint8_t *a)
{
    for (size_t i = 0; i < f->nlist; i++)
        if (!memcmp(f->list[i], a, 6))
            return;
    if (f->nlist < MAX_LIST)
        memcpy(f->list[f->nlist++], a, 6);
    else
        f->list_overflow = 1;
}

static void list_remove(Filters *f, const uint8_t *a)
{
    for (size_t i = 0; i < f->nlist; i++)
        if (!memcmp(f->list[i], a, 6)) {
            memmove(f->list[i], f->list[i + 1], (f->nlist - i - 1) * 6);
            f->nlist--;
            return;
        }
}

/* The multicast requests of a workload (docs/formats/workload.md):
 * "multicast add|remove A ...", "multicast clear", and a set of
 * OID_802_3_MULTICAST_LIST with addresses or hex: bytes. 1 when the
 * request changes the list. */
static int list_request(Filters *f, const char *name, const char *text)
{
    if (!strcmp(name, "multicast")) {
        const char *p = strchr(text, ' ');
        if (!p)
            return 0;
        p++;
        int add = !strncmp(p, "add ", 4), rem = !strncmp(p, "remove ", 7);
        if (!strncmp(p, "clear", 5)) {
            f->nlist = 0;
            f->list_overflow = 0;
            return 1;
        }
        if (!add && !rem)
            return 0;
        p = strchr(p, ' ');
        while (p && *p) {
            while (*p == ' ')
                p++;
            uint8_t a[6];
            int n = parse_mac(p, a);
            if (n < 0)
                break;
            if (add)
                list_add(f, a);
            else
                list_remove(f, a);
            p += n;
        }
        return 1;
    }
    if (!strcmp(name, "set") && strstr(text, "OID_802_3_MULTICAST_LIST")) {
        const char *p = strstr(text, "OID_802_3_MULTICAST_LIST") + strlen("OID_802_3_MULTICAST_LIST");
        f->nlist = 0;
        f->list_overflow = 0;
        while (*p == ' ')
            p++;
        if (!strncmp(p, "hex:", 4)) {
            p += 4;
            uint8_t a[6];
            int k = 0;
            while (hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
                a[k++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
                p += 2;
                if (k == 6) {
                    list_add(f, a);
                    k = 0;
                }
            }
        } else {
            uint8_t a[6];
            int n;
            while (*p && (n = parse_mac(p, a)) > 0) {
                list_add(f, a);
                p += n;
                while (*p == ' ')
                    p++;
            }
        }
        return 1;
    }
    return 0;
}

static Tally *tally_get(Filters *f, AnAddrKind kind, int memory, int key, AnHash h, unsigned nregs)
{
    for (size_t i = 0; i < f->ntally; i++) {
        AnAddrFit *t = &f->tally[i].fit;
        if (t->kind == kind && t->memory == memory && t->key == key && t->hash == h &&
            t->nregs == nregs)
            return &f->tally[i];
    }
    if (f->ntally == MAX_TALLY)
        return NULL;
    Tally *t = &f->tally[f->ntally++];
    memset(t, 0, sizeof *t);
    t->fit = (AnAddrFit){.kind = kind, .memory = memory, .key = key, .hash = h, .nregs = nregs};
    return t;
}

static int cmp_pos(const void *x, const void *y, void *ctx);

/* The registers a multicast request wrote, as tables: runs of registers
 * side by side (by address, or by index value behind one data port); each
 * table of 64 or 4096 bits is checked against every hash of the list. */
static void end_multicast(Filters *f)
{
    /* the last value per register */
    size_t n = 0;
    Write w[REQ_WRITES];
    for (size_t i = 0; i < f->nw; i++) {
        if (f->w[i].store)
            continue;
        size_t k;
        for (k = 0; k < n && w[k].key != f->w[i].key; k++)
            ;
        if (k == n)
            w[n++] = f->w[i];
        else
            w[k].value = f->w[i].value;
    }
    /* sort by position: selected views by (index register, selector) */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && cmp_pos(&w[j - 1], &w[j], f) > 0; j--) {
            Write t = w[j];
            w[j] = w[j - 1];
            w[j - 1] = t;
        }
    for (size_t i = 0; i < n;) {
        const AnRegInfo *r0 = f->reg_info(f->ctx, w[i].key);
        size_t j = i + 1;
        unsigned bits = r0 ? 8u * r0->width : 0;
        while (j < n && r0) {
            const AnRegInfo *p = f->reg_info(f->ctx, w[j - 1].key), *q = f->reg_info(f->ctx, w[j].key);
            int next = q && q->port == p->port && q->selected == p->selected && q->width == p->width &&
                       q->banked == p->banked && q->bank_value == p->bank_value &&
                       (q->selected ? q->index_addr == p->index_addr && q->selector == p->selector + 1
                                    : q->addr == p->addr + p->width);
            if (!next)
                break;
            bits += 8u * q->width;
            j++;
        }
        if (r0 && (bits == 64 || bits == 4096) && !f->list_overflow) {
            uint8_t table[512];
            memset(table, 0, sizeof table);
            unsigned o = 0;
            for (size_t k = i; k < j; k++) {
                const AnRegInfo *q = f->reg_info(f->ctx, w[k].key);
                for (unsigned b = 0; b < q->width && o < sizeof table; b++)
                    table[o++] = (uint8_t)(w[k].value >> (8 * b));
            }
            for (int h = 0; h < AN_HASH_COUNT; h++) {
                if ((bits == 64) != (h < AN_HASH_ADDR_47_36))
                    continue;
                uint8_t want[512];
                memset(want, 0, sizeof want);
                for (size_t k = 0; k < f->nlist; k++) {
                    unsigned bit = hash_bit((AnHash)h, f->list[k]);
                    want[bit / 8] |= (uint8_t)(1u << (bit % 8));
                }
                Tally *t = tally_get(f, AN_ADDR_MCAST, 0, w[i].key, (AnHash)h, (unsigned)(j - i));
                if (!t)
                    continue;
                t->fit.table_bits = bits;
                t->fit.seen++;
                t->fit.support += !memcmp(table, want, bits / 8);
            }
        }
        i = j;
    }
}

static int cmp_pos(const void *x, const void *y, void *ctx)
{
    Filters *f = ctx;
    const AnRegInfo *a = f->reg_info(f->ctx, ((const Write *)x)->key);
    const AnRegInfo *b = f->reg_info(f->ctx, ((const Write *)y)->key);
    if (!a || !b)
        return 0;
    if (a->port != b->port)
        return a->port - b->port;
    if (a->selected != b->selected)
        return a->selected - b->selected;
    if (a->bank_value != b->bank_value)
        return a->bank_value < b->bank_value ? -1 : 1;
    uint32_t pa = a->selected ? a->selector : a->addr, pb = b->selected ? b->selector : b->addr;
    return pa < pb ? -1 : pa > pb;
}

static void end_send(Filters *f)
{
    for (size_t i = 0; i < f->nw; i++) {
        int earlier = 0, buf = 0, dev = 0; /* once per key: any of its values */
        for (size_t k = 0; k < i; k++)
            earlier |= f->w[k].store == f->w[i].store && f->w[k].key == f->w[i].key;
        if (earlier)
            continue;
        for (size_t k = i; k < f->nw; k++)
            if (f->w[k].store == f->w[i].store && f->w[k].key == f->w[i].key) {
                buf |= f->have_sendbuf && f->w[k].value == f->sendbuf;
                dev |= f->w[k].devmem;
            }
        Tally *t = tally_get(f, AN_ADDR_BUFFER, f->w[i].store, f->w[i].key, 0, 0);
        Tally *d = tally_get(f, AN_ADDR_DEVMEM, f->w[i].store, f->w[i].key, 0, 0);
        if (t) {
            t->fit.seen++;
            t->fit.support += buf;
        }
        if (d) {
            d->fit.seen++;
            d->fit.support += !buf && dev;
        }
    }
}

static void end_request(Filters *f)
{
    if (f->kind == 1)
        end_send(f);
    else if (f->kind == 2)
        end_multicast(f);
    f->kind = 0;
    f->nw = 0;
    f->have_sendbuf = 0;
}

static void note_value(Filters *f, int reg, uint32_t v, int rd)
{
    if ((size_t)reg >= f->nvals) {
        size_t n = (size_t)reg + 64;
        RegVals *p = realloc(f->vals, n * sizeof *p);
        if (!p)
            return;
        memset(p + f->nvals, 0, (n - f->nvals) * sizeof *p);
        f->vals = p;
        f->nvals = n;
    }
    RegVals *r = &f->vals[reg];
    uint32_t *set = rd ? r->r : r->w;
    uint8_t *n = rd ? &r->nr : &r->nw;
    for (unsigned i = 0; i < *n; i++)
        if (set[i] == v)
            return;
    if (*n < 4)
        set[(*n)++] = v;
}

int filters_event(Filters *f, const TraceEvent *ev, int reg, int site, const char *region)
{
    switch (ev->kind) {
    case TRACE_REQUEST_BEGIN:
        end_request(f);
        if (ev->name && !strcmp(ev->name, "send"))
            f->kind = 1;
        else if (ev->name && ev->text && list_request(f, ev->name, ev->text))
            f->kind = 2;
        return 0;
    case TRACE_REQUEST_END:
        end_request(f);
        /* the adapter's address, as the init request reports it */
        if (ev->name && ev->text && strstr(ev->text, "mac=") &&
            parse_mac(strstr(ev->text, "mac=") + 4, f->mac) > 0)
            f->have_mac = 1;
        return 0;
    case TRACE_MEM_REGION:
        if (f->kind == 1 && ev->value && ev->name && !strcmp(ev->name, "send-buffer") &&
            !f->have_sendbuf) {
            f->sendbuf = ev->addr;
            f->have_sendbuf = 1;
        }
        return 0;
    case TRACE_MEM_STORE:
        if (site >= 0 && f->kind && f->nw < REQ_WRITES)
            f->w[f->nw++] = (Write){1, site, (uint32_t)ev->value,
                                    region && strcmp(region, "send-buffer")};
        return 0;
    default:
        break;
    }
    if (reg < 0)
        return 0;
    int rd = ev->kind == TRACE_PORT_READ || ev->kind == TRACE_MMIO_READ;
    note_value(f, reg, (uint32_t)ev->value, rd);
    if (!rd && f->kind && f->nw < REQ_WRITES)
        f->w[f->nw++] =
            (Write){0, reg, (uint32_t)ev->value, region && strcmp(region, "send-buffer")};
    return 0;
}

void filters_trace_end(Filters *f)
{
    end_request(f);
    f->nlist = 0;
    f->list_overflow = 0;
}

/* Does register view i hold MAC bytes [at, at + width)? */
static int mac_match(const Filters *f, uint32_t v, unsigned width, int *at)
{
    for (unsigned i = 0; i + width <= 6; i++) {
        unsigned b;
        for (b = 0; b < width && (uint8_t)(v >> (8 * b)) == f->mac[i + b]; b++)
            ;
        if (b == width) {
            *at = (int)i;
            return 1;
        }
    }
    return 0;
}

static void build(Filters *f)
{
    if (f->built)
        return;
    f->built = 1;
    size_t cap = f->ntally + 2 * f->nvals + 1;
    f->out = calloc(cap, sizeof *f->out);
    if (!f->out)
        return;
    /* the station address: a register whose value is bytes of it, at least
     * two (one byte alone matches by chance), or one byte when the register
     * beside it holds the next */
    for (size_t i = 0; f->have_mac && i < f->nvals; i++) {
        const AnRegInfo *r = f->reg_info(f->ctx, (int)i);
        if (!r)
            continue;
        for (int rd = 1; rd >= 0; rd--) {
            const RegVals *rv = &f->vals[i];
            const uint32_t *set = rd ? rv->r : rv->w;
            unsigned n = rd ? rv->nr : rv->nw, width = r->width > 4 ? 4 : r->width;
            for (unsigned k = 0; k < n && n == 1; k++) {
                int at;
                /* a 32-bit register may hold the last two bytes and flags
                 * above them (an 8254x RAH, a PCnet APROM dword) */
                if (set[k] && !mac_match(f, set[k], width, &at) && width == 4 &&
                    (uint16_t)set[k] && mac_match(f, set[k] & 0xffff, 2, &at))
                    width = 2;
                if (!set[k] || !mac_match(f, set[k], width, &at))
                    continue;
                /* a byte alone: the register beside it (same bank and
                 * selection) holds the MAC byte beside this one */
                int ok = width >= 2;
                for (size_t j = 0; !ok && j < f->nvals; j++) {
                    const AnRegInfo *q = f->reg_info(f->ctx, (int)j);
                    const RegVals *qv = &f->vals[j];
                    unsigned qn = rd ? qv->nr : qv->nw;
                    const uint32_t *qs = rd ? qv->r : qv->w;
                    if (!q || q->width != 1 || q->port != r->port || qn != 1 ||
                        q->banked != r->banked || q->bank_value != r->bank_value ||
                        q->selected != r->selected || q->selector != r->selector)
                        continue;
                    ok = (q->addr == r->addr + 1 && at + 1 < 6 && (uint8_t)qs[0] == f->mac[at + 1]) ||
                         (q->addr + 1 == r->addr && at > 0 && (uint8_t)qs[0] == f->mac[at - 1]);
                }
                if (ok && f->nout < cap)
                    f->out[f->nout++] = (AnAddrFit){.kind = AN_ADDR_MAC,
                                                    .key = (int)i,
                                                    .mac_byte = at,
                                                    .mac_bytes = (int)width,
                                                    .read = rd,
                                                    .support = 1,
                                                    .seen = 1};
            }
        }
    }
    /* send buffers and device-memory addresses: 80% of 3 or more sends */
    for (size_t i = 0; i < f->ntally && f->nout < cap; i++) {
        const AnAddrFit *t = &f->tally[i].fit;
        if (t->kind == AN_ADDR_MCAST ? t->seen >= 2 && t->support >= 2 && 5 * t->support >= 4 * t->seen
                                     : t->seen >= 3 && 5 * t->support >= 4 * t->seen)
            f->out[f->nout++] = *t;
    }
}

size_t filters_count(const Filters *f)
{
    build((Filters *)f);
    return f->nout;
}

const AnAddrFit *filters_get(const Filters *f, size_t i)
{
    build((Filters *)f);
    return i < f->nout ? &f->out[i] : NULL;
}
