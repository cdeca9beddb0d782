/* `xdrv extract`, part one: what the traces say each request did. Every
 * register access, store into device memory, frame handed to the OS and
 * link report is filed under the driver entry point that caused it (the
 * innermost one on the call stack: an interrupt that arrives during a send
 * belongs to the interrupt), one record per request instance. The generator
 * (extract_gen.c) turns them into transitions. Nothing here knows which
 * driver or device produced a trace: entry points are NDIS 5's. */
#include "analyze/extract_impl.h"

#include <stdlib.h>
#include <string.h>

/* ntddndis.h: the OIDs whose sets become requests of their own, and the
 * media status codes of NdisMIndicateStatus (ndis.h). */
#define OID_GEN_CURRENT_PACKET_FILTER 0x0001010Eu
#define OID_802_3_MULTICAST_LIST 0x01010103u
#define NDIS_STATUS_MEDIA_CONNECT 0x4001000Bu
#define NDIS_STATUS_MEDIA_DISCONNECT 0x4001000Cu

const char *const xk_request[XK_COUNT] = {
    [XK_INIT] = "init",         [XK_HALT] = "halt",         [XK_RESET] = "reset",
    [XK_SEND] = "send",         [XK_FILTER] = "set-filter", [XK_MCAST] = "multicast",
    [XK_STATS] = "query-stats", [XK_INTR] = "interrupt",    [XK_TIMER] = "timer",
};

Extract *extract_new(void)
{
    Extract *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->pend_setting = -1;
    for (unsigned k = 0; k < XK_COUNT; k++)
        x->open[k] = -1;
    return x;
}

void extract_free(Extract *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->ninst; i++) {
        free(x->inst[i].raw);
        free(x->inst[i].ops);
    }
    free(x->inst);
    free(x->live);
    for (unsigned i = 0; i < XDMA_HISTORY; i++)
        free(x->dma[i].data);
    free(x);
}

/* Which kind of request an entry point serves (XK_NONE: it inherits its
 * caller's, XK_OTHER: none of the spec's). */
static XKind entry_kind(Extract *x, const TraceEvent *ev)
{
    const char *n = ev->name ? ev->name : "";
    /* XK_NONE: the caller's request (MiniportTransferData: a protocol
     * calls it while the driver indicates a frame, for the rest of it) */
    static const struct {
        const char *name;
        XKind k;
    } map[] = {
        {"MiniportInitialize", XK_INIT},       {"MiniportHalt", XK_HALT},
        {"MiniportReset", XK_RESET},           {"MiniportSend", XK_SEND},
        {"MiniportSendPackets", XK_SEND},      {"MiniportISR", XK_INTR},
        {"MiniportHandleInterrupt", XK_INTR},  {"MiniportEnableInterrupt", XK_INTR},
        {"MiniportDisableInterrupt", XK_INTR}, {"DeferredRoutine", XK_INTR},
        {"MiniportCheckForHang", XK_TIMER},    {"SynchronizeFunction", XK_NONE},
        {"MiniportTransferData", XK_NONE},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(n, map[i].name))
            return map[i].k;
    uint32_t oid;
    if (!strcmp(n, "MiniportSetInformation") && ev->text && !an_arg_number(ev->text, 2, &oid)) {
        if (oid == OID_GEN_CURRENT_PACKET_FILTER)
            return XK_FILTER;
        if (oid == OID_802_3_MULTICAST_LIST)
            return XK_MCAST;
        return XK_OTHER;
    }
    /* a statistics query: OID bits 23:16 are 0x02 (ntddndis.h) */
    if (!strcmp(n, "MiniportQueryInformation") && ev->text && !an_arg_number(ev->text, 2, &oid))
        return ((oid >> 16) & 0xff) == 0x02 ? XK_STATS : XK_OTHER;
    /* a timer the driver set (NdisMInitializeTimer): its function */
    if (!strcmp(n, "TimerFunction") || !strcmp(n, "MiniportTimer"))
        return XK_TIMER;
    (void)x;
    return XK_OTHER;
}

static void close_inst(Extract *x, XKind k)
{
    if (x->open[k] >= 0)
        x->inst[x->open[k]].closed = 1;
    x->open[k] = -1;
}

static void close_all(Extract *x)
{
    for (unsigned k = 0; k < XK_COUNT; k++)
        close_inst(x, (XKind)k);
}

static int live_find(const Extract *x, uint32_t addr, uint32_t *off);

/* The allocation a value points into (live_find), or XFRAME_REGION when it
 * is the address of the frame a send is handing on. */
static int frame_ref(Extract *x, XKind k, uint32_t value, uint32_t *off)
{
    if (k == XK_SEND && x->frames == 1 && x->frame_addr && value == x->frame_addr) {
        *off = 0;
        return XFRAME_REGION;
    }
    return live_find(x, value, off);
}

/* Bytes [at, at + size) of the send's frame, little-endian, as one write
 * would carry them; past the frame's end anything goes (the driver pads
 * with what its buffer holds). */
static int frame_unit(const Extract *x, uint32_t at, unsigned size, uint32_t value)
{
    for (unsigned b = 0; b < size; b++)
        if (at + b < x->frame_len && x->frame[at + b] != (uint8_t)(value >> (8 * b)))
            return 0;
    return 1;
}

/* A write to a data register that carries the send's frame on: the
 * second write of a run whose bytes are the frame's first turns the two
 * into one XO_OUTS; each later one extends it. 1 when `w` was taken. */
static int outs_extends(Extract *x, XKind k, const XOp *w)
{
    if (k != XK_SEND || x->open[k] < 0 || x->frames != 1 || !x->frame_len)
        return 0;
    XInst *in = &x->inst[x->open[k]];
    XOp *last = in->nraw ? &in->raw[in->nraw - 1] : NULL;
    if (!last || last->reg != w->reg || last->size != w->size)
        return 0;
    if (last->kind == XO_OUTS) {
        if (last->len >= x->frame_len + 64u || !frame_unit(x, last->len, w->size, w->value))
            return 0;
        last->len += w->size;
        return 1;
    }
    if (last->kind != XO_WRITE || x->frame_len < 2u * w->size ||
        !frame_unit(x, 0, w->size, last->value) || !frame_unit(x, w->size, w->size, w->value))
        return 0;
    last->kind = XO_OUTS;
    last->len = 2u * w->size;
    last->addr_region = -1;
    return 1;
}

/* The parameter of a request from its REQUEST_BEGIN text, or, for the
 * filter NDIS's binding sets on its own (while bringing the adapter up,
 * after a reset), from the note the host records with it. */
static void request_param(Extract *x, XInst *in)
{
    char bound[sizeof x->bind_text];
    const char *t = x->req_text;
    if (in->kind == XK_FILTER && x->bind_text[0]) {
        memcpy(bound, x->bind_text, sizeof bound);
        t = bound;
        x->bind_text[0] = 0;
    }
    if (in->kind == XK_SEND) {
        in->has_param = x->frames == 1;
        in->param = x->frame_len;
        in->multi = x->frames != 1;
        /* the OS's packet in a chain of several buffers (the workload's
         * words: "send len=... frags=N"): a replayer hands the spec each
         * frame in one piece */
        const char *fr = strstr(t, " frags=");
        in->pieces = fr && strtoul(fr + 7, NULL, 10) > 1;
    } else if (in->kind == XK_FILTER) {
        /* the workload's words: "set OID_GEN_CURRENT_PACKET_FILTER 0xb"
         * (the last word), or "filter directed broadcast ..." (the bits
         * by name: ntddndis.h NDIS_PACKET_TYPE_*) */
        static const struct {
            const char *w;
            uint32_t bit;
        } bits[] = {{"directed", 0x1},  {"multicast", 0x2},       {"all-multicast", 0x4},
                    {"broadcast", 0x8}, {"source-routing", 0x10}, {"promiscuous", 0x20},
                    {"smt", 0x40},      {"all-local", 0x80}};
        const char *sp = strrchr(t, ' ');
        char *end;
        unsigned long v = sp ? strtoul(sp + 1, &end, 0) : 0;
        in->has_param = sp && end != sp + 1 && !*end;
        in->param = (uint32_t)v;
        if (!in->has_param && !strncmp(t, "filter", 6)) {
            uint32_t f = 0;
            int ok = 1;
            for (const char *w = strchr(t, ' '); w && ok; w = strchr(w, ' ')) {
                w++;
                size_t n = strcspn(w, " ");
                unsigned i;
                for (i = 0; i < sizeof bits / sizeof bits[0]; i++)
                    if (strlen(bits[i].w) == n && !strncmp(w, bits[i].w, n))
                        break;
                if (n == 4 && !strncmp(w, "none", 4))
                    continue;
                if (i == sizeof bits / sizeof bits[0])
                    ok = 0;
                else
                    f |= bits[i].bit;
            }
            in->has_param = ok;
            in->param = f;
        }
    } else if (in->kind == XK_MCAST) {
        /* addresses as aa:bb:..., space separated, or hex:... (6 bytes each) */
        const char *h = strstr(t, "hex:");
        unsigned n = 0;
        if (h) {
            size_t digits = strspn(h + 4, "0123456789abcdefABCDEF");
            n = (unsigned)(digits / 12);
        } else {
            for (const char *p = strchr(t, ' '); p; p = strchr(p + 1, ' '))
                if (strchr(p + 1, ':'))
                    n++;
            if (n)
                n--; /* the OID name is the first word after "set" */
        }
        in->has_param = 1;
        in->param = n;
    }
}

/* "set OID VALUE" (a workload's request or the binding's note): the
 * setting's slot (made when new; -1 for the packet filter, the multicast
 * list, or no room), and the value (*known 0: not a number). */
static int setting_of(Extract *x, const char *text, uint32_t *value, uint8_t *known)
{
    if (!text || strncmp(text, "set ", 4))
        return -1;
    const char *oid = text + 4;
    size_t n = strcspn(oid, " ");
    static const char filter[] = "OID_GEN_CURRENT_PACKET_FILTER", mlist[] = "OID_802_3_MULTICAST_LIST";
    if (!n || n >= sizeof x->setting[0].oid ||
        (n == sizeof filter - 1 && !strncmp(oid, filter, n)) ||
        (n == sizeof mlist - 1 && !strncmp(oid, mlist, n)))
        return -1;
    const char *v = oid + n + strspn(oid + n, " ");
    char *end;
    unsigned long u = strtoul(v, &end, 0);
    *known = end != v && !*end && u <= UINT32_MAX;
    *value = (uint32_t)u;
    for (unsigned i = 0; i < x->nsetting; i++)
        if (strlen(x->setting[i].oid) == n && !strncmp(x->setting[i].oid, oid, n))
            return (int)i;
    if (x->nsetting == sizeof x->setting / sizeof x->setting[0])
        return -1;
    memcpy(x->setting[x->nsetting].oid, oid, n);
    x->setting[x->nsetting].oid[n] = 0;
    x->setting[x->nsetting].have_bound = 0;
    x->setting[x->nsetting].away = 0;
    return (int)x->nsetting++;
}

static int setting_away(const Extract *x)
{
    for (unsigned i = 0; i < x->nsetting; i++)
        if (x->setting[i].away)
            return 1;
    return 0;
}

static int open_inst(Extract *x, XKind k)
{
    close_inst(x, k);
    if (an_grow((void **)&x->inst, x->ninst, sizeof *x->inst) < 0)
        return -1;
    XInst *in = &x->inst[x->ninst];
    memset(in, 0, sizeof *in);
    in->kind = k;
    in->trace = x->trace;
    in->first = x->seq;
    in->last = x->seq;
    in->vtime = x->vtime;
    if (k == XK_INIT)
        x->gone_trace = 0;
    in->reconfigured = x->reconf_trace == x->trace + 1;
    in->gone = x->gone_trace == x->trace + 1;
    in->setting_off = (uint8_t)setting_away(x);
    if (k == XK_INIT || k == XK_RESET)
        memset(x->cnt, 0, sizeof x->cnt);
    if (k == XK_INIT)
        x->nkinds = 0; /* allocations are counted from each initialization */
    memcpy(in->cnt, x->cnt, sizeof in->cnt);
    request_param(x, in);
    /* sends count frames: the driver's own counters go by frame */
    x->cnt[k] += k == XK_SEND && x->frames > 1 ? x->frames : 1;
    x->open[k] = (long)x->ninst++;
    return 0;
}

/* Two 16-bit values written or stored close together (at most four
 * accesses apart, registers or memory) that join into an address inside
 * a live allocation (high << 16 | low): an address given in halves (a
 * PCnet's CSR1/CSR2). Both ops then carry the whole address's place. */
#define XHALF_WINDOW 4

static void pair_halves(Extract *x, XInst *in, XOp *op)
{
    if ((op->kind != XO_WRITE && op->kind != XO_STORE) || op->size < 2 || op->value > 0xffff ||
        op->addr_region >= 0)
        return;
    for (size_t b = in->nraw, seen = 0; b-- > 0 && seen < XHALF_WINDOW; seen++) {
        XOp *o = &in->raw[b];
        if ((o->kind != XO_WRITE && o->kind != XO_STORE) || o->size < 2 || o->value > 0xffff ||
            o->addr_half || o->addr_region >= 0)
            continue;
        for (int hi_first = 0; hi_first < 2; hi_first++) {
            XOp *hi = hi_first ? o : op, *lo = hi_first ? op : o;
            uint32_t off;
            int r;
            if (!hi->value || (r = live_find(x, hi->value << 16 | lo->value, &off)) < 0)
                continue;
            hi->addr_half = XHALF_HIGH;
            lo->addr_half = XHALF_LOW;
            hi->addr_region = lo->addr_region = r;
            hi->addr_off = lo->addr_off = off;
            return;
        }
    }
}

static int add_op(Extract *x, XKind k, XOp op)
{
    if (k <= XK_NONE || k >= XK_OTHER || x->open[k] < 0)
        return 0;
    XInst *in = &x->inst[x->open[k]];
    pair_halves(x, in, &op);
    if (an_grow((void **)&in->raw, in->nraw, sizeof *in->raw) < 0)
        return -1;
    op.seq = x->seq;
    in->raw[in->nraw++] = op;
    in->last = x->seq;
    return 0;
}

/* Host allocations the device may reach, named by kind and order of
 * allocation in their trace ("shared" #0, #1, ...). */
static int region_id(Extract *x, const char *name, uint32_t size, uint32_t addr, unsigned ord)
{
    for (unsigned i = 0; i < x->nregions; i++)
        if (!strcmp(x->regions[i].kind, name) && x->regions[i].ordinal == ord) {
            if (size > x->regions[i].size)
                x->regions[i].size = size;
            if (x->regions[i].naddrs < 8)
                x->regions[i].addrs[x->regions[i].naddrs++] = addr;
            uint32_t al = addr & -addr;
            if (al && al < x->regions[i].align)
                x->regions[i].align = al;
            return (int)i;
        }
    if (x->nregions >= XMAX_REGIONS)
        return -1;
    XRegion *r = &x->regions[x->nregions];
    /* a name the spec can use: letters, digits and _, a letter first */
    size_t k = 0;
    if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
        r->name[k++] = 'm';
    for (const char *c = name; *c && k + 1 < sizeof r->name - 4; c++)
        r->name[k++] =
            (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ? *c
                                                                                             : '_';
    r->name[k] = 0;
    snprintf(r->kind, sizeof r->kind, "%s", name);
    r->ordinal = ord;
    r->addrs[0] = addr;
    r->naddrs = 1;
    char clean[sizeof r->name];
    memcpy(clean, r->name, sizeof clean);
    snprintf(r->label, sizeof r->label, "%s%u", clean, ord);
    for (unsigned i = 0; i < x->nregions; i++)
        if (!strcmp(x->regions[i].label, r->label)) { /* two kinds, one clean name */
            snprintf(r->label, sizeof r->label, "%s%u_%u", clean, ord, x->nregions);
            break;
        }
    r->size = size;
    uint32_t al = addr & -addr;
    r->align = !al || al > 4096 ? 4096 : al;
    return (int)x->nregions++;
}

static int live_find(const Extract *x, uint32_t addr, uint32_t *off)
{
    for (size_t i = x->nlive; i-- > 0;)
        if (addr - x->live[i].addr < x->live[i].size) {
            *off = addr - x->live[i].addr;
            return x->live[i].region;
        }
    return -1;
}

static int note_region(Extract *x, const TraceEvent *ev)
{
    const char *name = ev->name ? ev->name : "memory";
    if (!strcmp(name, "send-buffer")) {
        /* the OS's frame, not memory the driver gives the device; a
         * driver may still hand the device its address (zero-copy) */
        x->frame_addr = ev->value ? ev->addr : 0;
        return 0;
    }
    if (!ev->value) {
        for (size_t i = 0; i < x->nlive; i++)
            if (x->live[i].addr == ev->addr) {
                x->live[i] = x->live[--x->nlive];
                break;
            }
        return 0;
    }
    unsigned ord = 0;
    for (unsigned i = 0; i < x->nkinds; i++)
        if (!strcmp(x->kind_names[i], name))
            ord = x->kind_count[i]++ + 1;
    if (!ord && x->nkinds < XMAX_REGIONS) {
        snprintf(x->kind_names[x->nkinds], sizeof x->kind_names[0], "%s", name);
        x->kind_count[x->nkinds++] = 1;
        ord = 1;
    }
    int id = region_id(x, name, ev->size, ev->addr, ord - 1);
    if (id < 0)
        return 0;
    if (an_grow((void **)&x->live, x->nlive, sizeof *x->live) < 0)
        return -1;
    x->live[x->nlive++] = (XLive){ev->addr, ev->size, id};
    return 0;
}

static int note_dma_write(Extract *x, const TraceEvent *ev)
{
    if (!ev->data || !ev->len)
        return 0;
    XDma *d = &x->dma[x->dma_next];
    x->dma_next = (x->dma_next + 1) % XDMA_HISTORY;
    uint32_t n = ev->len > XDMA_KEEP ? XDMA_KEEP : ev->len;
    uint8_t *p = realloc(d->data, n);
    if (!p)
        return -1;
    memcpy(p, ev->data, n);
    d->data = p;
    d->len = n;
    d->addr = ev->addr;
    d->taken = 0;
    return 0;
}

/* A frame handed to the OS: where in device-written memory it came from,
 * the latest write of those bytes not already found for another frame
 * (a burst of equal frames lies in as many buffers). */
static int find_delivered(Extract *x, const uint8_t *f, uint32_t len, uint32_t *addr)
{
    for (int pass = 0; pass < 2; pass++)
        for (unsigned k = 1; k <= XDMA_HISTORY; k++) {
            XDma *d = &x->dma[(x->dma_next + XDMA_HISTORY - k) % XDMA_HISTORY];
            if (!d->data || d->len < len || (!pass && d->taken))
                continue;
            for (uint32_t o = 0; o + len <= d->len; o++)
                if (!memcmp(d->data + o, f, len)) {
                    *addr = d->addr + o;
                    d->taken = 1;
                    return 0;
                }
        }
    return -1;
}

/* A frame handed to the OS that no device-written memory held: read
 * through a data register (a DP8390's remote DMA port). The runs of one
 * register's reads since the last frame whose bytes, in order, are the
 * frame's (the last may run one unit past its end: a word-wide port
 * reading an odd count) become XO_INS ops, and so does the run of that
 * register just before them when it is short (the header the driver read
 * first). 1 found, 0 not. */
#define PIO_RUNS 8
#define PIO_DROP 0xff /* a read a run's XO_INS took */

static int pio_runs(XInst *in, const uint8_t *f, uint32_t len, int reg);

/* The n reads from o on become one XO_INS at offset off (its others are
 * marked to be dropped): its bytes. */
static uint32_t run_to_ins(XOp *o, size_t n, uint8_t pio, uint32_t off)
{
    uint32_t bytes = (uint32_t)n * o->size;
    o->kind = XO_INS;
    o->pio = pio;
    o->off = off;
    o->len = bytes;
    for (size_t j = 1; j < n; j++)
        o[j].kind = PIO_DROP;
    return bytes;
}

static int pio_frame(XInst *in, const uint8_t *f, uint32_t len)
{
    /* the data register: one of the last few registers read */
    int tried[4];
    unsigned nt = 0;
    for (size_t i = in->nraw; i-- > 0 && nt < 4;) {
        const XOp *o = &in->raw[i];
        if (o->kind == XO_DELIVER || o->kind == XO_INS)
            break;
        if (o->kind != XO_READ)
            continue;
        unsigned q;
        for (q = 0; q < nt && tried[q] != o->reg; q++)
            ;
        if (q < nt)
            continue;
        tried[nt++] = o->reg;
        if (pio_runs(in, f, len, o->reg))
            return 1;
    }
    return 0;
}

/* pio_frame with the runs of register reg's reads. */
static int pio_runs(XInst *in, const uint8_t *f, uint32_t len, int reg)
{
    /* the runs, latest first, back to the last frame */
    size_t at[PIO_RUNS + 1], cnt[PIO_RUNS + 1];
    unsigned nr = 0;
    for (size_t i = in->nraw; i-- > 0 && nr <= PIO_RUNS;) {
        const XOp *o = &in->raw[i];
        if (o->kind == XO_DELIVER || o->kind == XO_INS)
            break;
        if (o->kind != XO_READ || o->reg != reg)
            continue;
        size_t s = i;
        while (s > 0 && in->raw[s - 1].kind == XO_READ && in->raw[s - 1].reg == o->reg &&
               in->raw[s - 1].size == o->size)
            s--;
        at[nr] = s;
        cnt[nr++] = i - s + 1;
        i = s;
    }
    /* the frame in runs nr-1 .. 0 (forward order), from some run m on */
    for (unsigned m = 0; m < nr && m < PIO_RUNS; m++) {
        uint32_t got = 0;
        int ok = 1;
        for (unsigned r = m + 1; r-- > 0 && ok;) {
            const XOp *o = &in->raw[at[r]];
            for (size_t j = 0; j < cnt[r] && ok; j++)
                for (unsigned b = 0; b < o[j].size && ok; b++, got++)
                    ok = got >= len ? r == 0 && got < len + o[j].size - 1u
                                    : f[got] == (uint8_t)(o[j].value >> (8 * b));
        }
        if (!ok || got < len)
            continue;
        /* found: runs m .. 0; the header: run m + 1, if short */
        uint32_t off = 0;
        for (unsigned r = m + 1; r-- > 0;)
            off += run_to_ins(&in->raw[at[r]], cnt[r], XPIO_FRAME, off);
        if (m + 1 < nr && cnt[m + 1] * in->raw[at[m + 1]].size <= sizeof in->raw[0].bytes) {
            XOp *o = &in->raw[at[m + 1]];
            uint32_t k = 0;
            for (size_t j = 0; j < cnt[m + 1]; j++)
                for (unsigned b = 0; b < o[j].size; b++)
                    o->bytes[k++] = (uint8_t)(o[j].value >> (8 * b));
            run_to_ins(o, cnt[m + 1], XPIO_HEADER, 0);
        }
        size_t w = 0;
        for (size_t i = 0; i < in->nraw; i++)
            if (in->raw[i].kind != PIO_DROP)
                in->raw[w++] = in->raw[i];
        in->nraw = w;
        return 1;
    }
    return 0;
}

static XOp op_at(const Extract *x, XOpKind kind, const TraceEvent *ev)
{
    (void)x;
    return (XOp){.kind = (uint8_t)kind, .pc = ev->pc, .reg = -1, .addr_region = -1};
}

int extract_event(Extract *x, const TraceEvent *ev, int reg, unsigned trace)
{
    x->trace = trace;
    x->seq = ev->seq;
    x->vtime = ev->vtime;
    uint32_t d = ev->depth < XMAX_DEPTH ? ev->depth : XMAX_DEPTH - 1;
    XKind k = x->kinds[d];
    XOp op;
    switch (ev->kind) {
    case TRACE_CONFIG_READ:
        if (ev->addr == 0 && ev->size >= 4 && !x->have_id) {
            x->vendor = (uint16_t)ev->value;
            x->device = (uint16_t)(ev->value >> 16);
            x->have_id = 1;
        }
        return 0;
    case TRACE_REQUEST_BEGIN:
        close_all(x);
        snprintf(x->req_text, sizeof x->req_text, "%s", ev->text ? ev->text : "");
        x->frames = 0;
        /* the exerciser changed the driver's configuration (an NDIS
         * parameter such as NetworkAddress, read at its next
         * initialization): what follows in this trace is another
         * configuration's behaviour, which the spec does not describe */
        if (ev->name && !strcmp(ev->name, "param"))
            x->reconf_trace = trace + 1;
        /* the OS told the driver its device is gone (a surprise removal,
         * NdisDevicePnPEventSurpriseRemoved: from then on it must not
         * touch the hardware): until the next initialization, what the
         * driver does is not how it drives a device that is there (DDK,
         * MiniportPnPEventNotify) */
        if (ev->name && !strcmp(ev->name, "pnp") && ev->text && strstr(ev->text, "surprise-removal"))
            x->gone_trace = trace + 1;
        /* a setting such as the lookahead (MiniportTransferData and the
         * bytes the driver copies before indicating follow it): from a
         * successful set to another value than the binding's, the driver
         * runs with another configuration than a host that leaves it */
        x->pend_setting = setting_of(x, ev->text, &x->pend_value, &x->pend_known);
        return 0;
    case TRACE_REQUEST_END:
        close_all(x);
        if (x->pend_setting >= 0 && ev->text && !strncmp(ev->text, "status=0x00000000", 17)) {
            XSetting *st = &x->setting[x->pend_setting];
            /* a trace that does not note the binding's value (recorded
             * before the host noted it) is not followed */
            st->away = st->have_bound && (!x->pend_known || x->pend_value != st->bound);
        }
        x->pend_setting = -1;
        return 0;
    case TRACE_MEM_REGION:
        return note_region(x, ev);
    case TRACE_NOTE:
        if (ev->name && !strcmp(ev->name, "binding") && ev->text) {
            uint32_t v;
            uint8_t known;
            int i = setting_of(x, ev->text, &v, &known);
            if (i < 0)
                snprintf(x->bind_text, sizeof x->bind_text, "%s", ev->text);
            else if (known) {
                /* the binding sets it: the trace's first such note is
                 * what the driver starts with; a later one (after a
                 * reset) sets what the workload last set */
                if (!x->setting[i].have_bound)
                    x->setting[i].bound = v;
                x->setting[i].have_bound = 1;
                x->setting[i].away = v != x->setting[i].bound;
            }
        }
        return 0;
    case TRACE_FRAME_IN:
        if (ev->name && !strcmp(ev->name, "netdev") && ev->data) {
            x->frame_len = ev->len < sizeof x->frame ? ev->len : (uint32_t)sizeof x->frame;
            memcpy(x->frame, ev->data, x->frame_len);
            memcpy(x->burst[x->burst_next], x->frame, x->frame_len);
            x->burst_len[x->burst_next] = x->frame_len;
            x->burst_next = (x->burst_next + 1) % 16;
            x->frames++;
        }
        return 0;
    case TRACE_DMA_WRITE:
        return note_dma_write(x, ev);
    case TRACE_INTERRUPT:
        if (open_inst(x, XK_INTR) < 0)
            return -1;
        return 0;
    case TRACE_GUEST_CALL: {
        if (d + 1 >= XMAX_DEPTH)
            return 0;
        XKind e = entry_kind(x, ev);
        XKind outer = d ? x->kinds[d - 1] : XK_NONE;
        if (e == XK_NONE)
            e = outer;
        /* a DPC with no interrupt taken before it: a timer's function
         * (NdisMInitializeTimer), not the interrupt's deferred part */
        if (e == XK_INTR && ev->name && !strcmp(ev->name, "DeferredRoutine") &&
            x->open[XK_INTR] < 0)
            e = XK_TIMER;
        x->kinds[d] = e;
        if (e == XK_INTR) {
            if (x->open[XK_INTR] < 0 && open_inst(x, XK_INTR) < 0)
                return -1;
        } else if (e > XK_NONE && e < XK_OTHER && e != outer) {
            close_inst(x, XK_INTR);
            if (open_inst(x, e) < 0)
                return -1;
            if (e == XK_TIMER)
                x->inst[x->open[e]].timer_entry =
                    ev->name && !strcmp(ev->name, "MiniportCheckForHang") ? 1 : 2;
            /* MiniportSetInformation(Context, Oid, Buffer, Length, ...): a
             * multicast list is Length / 6 addresses */
            uint32_t blen;
            if (e == XK_MCAST && ev->text && !an_arg_number(ev->text, 4, &blen)) {
                x->inst[x->open[e]].has_param = 1;
                x->inst[x->open[e]].param = blen / 6;
            }
            /* MiniportSendPackets(Context, Packets, Count): one frame each
             * (MiniportSend's third is Flags) */
            uint32_t n;
            if (e == XK_SEND && ev->name && !strcmp(ev->name, "MiniportSendPackets") &&
                ev->text && !an_arg_number(ev->text, 3, &n) && n != 1) {
                x->inst[x->open[e]].multi = 1;
                x->inst[x->open[e]].has_param = 0;
            }
        } else if (e == XK_OTHER && d <= 1) {
            close_inst(x, XK_INTR);
        }
        return 0;
    }
    case TRACE_GUEST_RETURN: {
        uint32_t c = d + 1 < XMAX_DEPTH ? d + 1 : d;
        XKind e = x->kinds[c];
        if (e > XK_NONE && e < XK_OTHER && e != XK_INTR && e != x->kinds[d])
            close_inst(x, e);
        x->kinds[c] = XK_NONE;
        return 0;
    }
    case TRACE_PORT_READ:
    case TRACE_PORT_WRITE:
    case TRACE_MMIO_READ:
    case TRACE_MMIO_WRITE:
        if (reg < 0)
            return 0;
        op = op_at(
            x, ev->kind == TRACE_PORT_READ || ev->kind == TRACE_MMIO_READ ? XO_READ : XO_WRITE, ev);
        op.reg = reg;
        op.value = (uint32_t)ev->value;
        op.size = (uint8_t)ev->size;
        if (op.kind == XO_WRITE && outs_extends(x, k, &op))
            return 0;
        if (op.kind == XO_WRITE)
            op.addr_region = frame_ref(x, k, op.value, &op.addr_off);
        return add_op(x, k, op);
    case TRACE_MEM_STORE: {
        uint32_t off;
        int r = live_find(x, ev->addr, &off);
        if (r < 0)
            return 0;
        op = op_at(x, XO_STORE, ev);
        op.reg = r;
        op.off = off;
        if (ev->len && ev->data) {
            /* the frame, or a piece of it (a fragment at a time): the
             * first piece starts a copy, the next ones extend it */
            int is_frame = 0;
            XInst *in =
                k > XK_NONE && k < XK_OTHER && x->open[k] >= 0 ? &x->inst[x->open[k]] : NULL;
            XOp *last = in && in->nraw ? &in->raw[in->nraw - 1] : NULL;
            for (unsigned f = 0; f < 16 && !is_frame; f++) {
                if (ev->len && ev->len <= x->burst_len[f] &&
                    !memcmp(ev->data, x->burst[f], ev->len)) {
                    is_frame = 1;
                } else if (last && last->kind == XO_COPY && last->reg == r &&
                           last->off + last->len == off && last->len + ev->len <= x->burst_len[f] &&
                           !memcmp(ev->data, x->burst[f] + last->len, ev->len)) {
                    last->len += ev->len;
                    return 0;
                }
            }
            if (is_frame) {
                op.kind = XO_COPY;
                op.len = ev->len;
            } else {
                op.kind = XO_BLOB; /* bytes that are not the frame */
                op.len = ev->len;
                op.value = 1; /* all zero? */
                for (uint32_t i = 0; i < ev->len && op.value; i++)
                    op.value = !ev->data[i];
                if (ev->len <= sizeof op.bytes)
                    memcpy(op.bytes, ev->data, ev->len);
            }
        } else if (ev->size == 1 || ev->size == 2 || ev->size == 4) {
            op.size = (uint8_t)ev->size;
            op.value = (uint32_t)ev->value;
            op.addr_region = frame_ref(x, k, op.value, &op.addr_off);
        } else { /* a width a store action cannot have */
            op.kind = XO_BLOB;
            op.len = ev->size;
            op.value = 0;
        }
        return add_op(x, k, op);
    }
    case TRACE_MEM_LOAD: {
        /* the driver reading memory the device writes (a descriptor's
         * status): the generator keeps those of a receive ring */
        uint32_t off;
        int r = live_find(x, ev->addr, &off);
        if (r < 0 || (ev->size != 1 && ev->size != 2 && ev->size != 4))
            return 0;
        op = op_at(x, XO_LOAD, ev);
        op.reg = r;
        op.off = off;
        op.size = (uint8_t)ev->size;
        op.value = (uint32_t)ev->value;
        return add_op(x, k, op);
    }
    case TRACE_FRAME_OUT:
        if (!ev->name || strcmp(ev->name, "netdev") || !ev->data)
            return 0;
        op = op_at(x, XO_DELIVER, ev);
        op.len = ev->len;
        op.value = 1;
        {
            uint32_t a, off;
            if (!find_delivered(x, ev->data, ev->len, &a) && (op.reg = live_find(x, a, &off)) >= 0)
                op.off = off;
            else
                op.reg = -1;
            /* read through a data register: the frame's place is the spec's
             * buffer for it (pio XPIO_FRAME) */
            if (op.reg < 0 && k > XK_NONE && k < XK_OTHER && x->open[k] >= 0 &&
                pio_frame(&x->inst[x->open[k]], ev->data, ev->len))
                op.pio = XPIO_FRAME;
            /* the driver copied it out of that memory earlier in the request:
             * that copy is where it received it */
            /* (the oldest copy of that length: drivers hand frames on in the
             * order they took them) */
            if (k > XK_NONE && k < XK_OTHER && x->open[k] >= 0) {
                XInst *in = &x->inst[x->open[k]];
                for (size_t i = 0; i < in->nraw; i++)
                    if (in->raw[i].kind == XO_DELIVER && !in->raw[i].value &&
                        in->raw[i].len == op.len) {
                        in->raw[i].value = 1;
                        return 0;
                    }
            }
        }
        return add_op(x, k, op);
    case TRACE_API_CALL: {
        uint32_t st;
        if (ev->name && !strcmp(ev->name, "NdisMIndicateStatus") && ev->text &&
            !an_arg_number(ev->text, 2, &st) &&
            (st == NDIS_STATUS_MEDIA_CONNECT || st == NDIS_STATUS_MEDIA_DISCONNECT)) {
            op = op_at(x, XO_LINK, ev);
            op.value = st == NDIS_STATUS_MEDIA_CONNECT;
            return add_op(x, k, op);
        }
        /* a copy out of device-written memory: a frame received, if the
         * OS gets those bytes later in the request (value 0 until then) */
        uint32_t src, n, off;
        if (ev->name && ev->text &&
            (!strcmp(ev->name, "memcpy") || !strcmp(ev->name, "memmove") ||
             !strcmp(ev->name, "RtlCopyMemory") || !strcmp(ev->name, "RtlMoveMemory") ||
             !strcmp(ev->name, "NdisMoveMemory")) &&
            !an_arg_number(ev->text, 2, &src) && !an_arg_number(ev->text, 3, &n) && n &&
            live_find(x, src, &off) >= 0) {
            op = op_at(x, XO_DELIVER, ev);
            op.reg = live_find(x, src, &off);
            op.off = off;
            op.len = n;
            op.value = 0;
            return add_op(x, k, op);
        }
        /* the driver's timer: NdisMSetPeriodicTimer(Timer, MillisecondPeriod),
         * NdisMSetTimer / NdisSetTimer(Timer, MillisecondsToDelay) */
        uint32_t ms;
        if (ev->name && ev->text &&
            (!strcmp(ev->name, "NdisMSetPeriodicTimer") || !strcmp(ev->name, "NdisMSetTimer") ||
             !strcmp(ev->name, "NdisSetTimer")) &&
            !an_arg_number(ev->text, 2, &ms) && ms) {
            unsigned q;
            for (q = 0; q < x->ntimer && x->timer_ms[q] != ms; q++)
                ;
            if (q == x->ntimer && x->ntimer < XMAX_TIMERS) {
                x->timer_ms[q] = ms;
                x->timer_votes[x->ntimer++] = 0;
            }
            if (q < x->ntimer)
                x->timer_votes[q]++;
        }
        if (ev->name && (!strcmp(ev->name, "NdisMSendComplete") ||
                         !strcmp(ev->name, "NdisMSendResourcesAvailable")))
            x->completes++;
        return 0;
    }
    default:
        return 0;
    }
}

void extract_trace_end(Extract *x)
{
    close_all(x);
    x->nlive = 0;
    x->nkinds = 0;
    memset(x->kinds, 0, sizeof x->kinds);
    memset(x->cnt, 0, sizeof x->cnt);
    for (unsigned i = 0; i < XDMA_HISTORY; i++)
        x->dma[i].len = 0;
    memset(x->burst_len, 0, sizeof x->burst_len);
    x->bind_text[0] = 0;
    x->nsetting = 0;
    x->pend_setting = -1;
}
