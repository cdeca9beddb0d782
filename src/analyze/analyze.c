/* Trace analysis (see analyze.h and docs/analyze.md).
 *
 * Two passes over the traces. The first (an_add_trace) finds the register
 * windows the driver mapped and the index registers: a register written
 * with varying values and hardly ever read, whose every write is followed
 * by an access to one or two other registers of the window (an address /
 * data pair like a PCnet RAP/RDP). The second (an_finish) keys every
 * access by register view (the data port of a pair, per index value),
 * gathers per-register evidence while replaying the access sequence, fits
 * written values against the sends' lengths, and records polls and the
 * interrupt handler's accesses. The inference rules are written out in
 * docs/analyze.md; each works on access patterns only. */
#include "analyze/analyze.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/filters.h"
#include "analyze/extract.h"
#include "analyze/extract_impl.h"
#include "analyze/loops.h"
#include "analyze/rings.h"
#include "analyze/templates.h"
#include "trace/xtr.h"

#define MAX_FOLLOW 4  /* distinct followers of an index candidate's writes */
#define MAX_VALUES 8  /* distinct values remembered per register */
#define MAX_NAMES 4   /* model names voted per register */
#define BURST_DATA 8  /* back-to-back accesses that make a data port */
#define SUM_KEY 0x80000000u /* an observation of the sum of a site's stores */

/* ------------------------------------------------------------ small maps */

typedef struct ValueSet {
    uint32_t v[MAX_VALUES];
    unsigned n;
    int more; /* more distinct values than fit */
} ValueSet;

static void vs_add(ValueSet *s, uint32_t v)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->v[i] == v)
            return;
    if (s->n < MAX_VALUES)
        s->v[s->n++] = v;
    else
        s->more = 1;
}

static unsigned vs_count(const ValueSet *s)
{
    return s->n + (unsigned)s->more;
}

/* ----------------------------------------------------------- pass 1 data */

typedef struct Phys {
    int port;
    uint32_t addr;
} Phys;

#define INDEX_VALUES 64 /* an index register reaches at most this many registers */

typedef struct IdxStat {
    Phys at;
    uint64_t reads, writes, followed;
    uint64_t refollowed; /* writes followed by another write of its own (a
                          * driver that restores the index it saved) */
    uint32_t idx_values[INDEX_VALUES];
    unsigned nidx_values;
    int idx_more; /* written with more distinct values than INDEX_VALUES */
    uint64_t after_index; /* accesses right after a write to an index candidate (any) */
    ValueSet written;
    Phys follower[MAX_FOLLOW];
    uint64_t fcount[MAX_FOLLOW];
    uint64_t fread[MAX_FOLLOW]; /* of those, accesses that were reads */
    unsigned nfollow;
    int fmore;
    int is_index;
    /* reads right after a write of this register (no access to it between):
     * how many, and how many kept every written bit */
    uint64_t after_write, kept_bits, acks;
    int last_was_write, have_read;
    uint32_t last_written, last_read;
    int split; /* reads and writes reach different registers (decided at finish) */
    uint64_t run, max_run; /* back-to-back accesses: a data port streams */
    uint32_t width;        /* bytes of its last access */
} IdxStat;

typedef struct Window {
    int port;
    uint32_t base, size;
} Window;

/* ----------------------------------------------------------- pass 2 data */

typedef struct Reg {
    AnRegInfo info;
    ValueSet rvals, wvals;
    struct {
        const char *name;
        uint64_t n;
    } names[MAX_NAMES];
    /* replay state */
    int last_op; /* 0 none, 1 read, 2 write */
    uint32_t last_read, last_write, ack_bits;
    uint64_t run, burst_max, burst_values;
    ValueSet burst;
    /* evidence */
    uint64_t read_same, read_diff, hw_change, rc, w1c, acks, selfclear, up, down, down0;
    uint64_t nz_pairs;    /* two reads in a row, the first non-zero */
    uint32_t and_reads, or_reads; /* bits set in every read, in some read */
    uint32_t diff_bits;   /* bits a read right after a write had unlike the write */
    uint64_t stat_reads;  /* reads while the driver answers a statistics query */
    uint64_t burst16;     /* runs of 16+ back-to-back accesses with 8+ values */
    int burst_counted;
} Reg;

typedef struct Obs {
    uint32_t send;  /* send number (across traces) */
    uint32_t len;   /* its length parameter */
    uint32_t key;   /* register index, or store site index */
    int memory;
    uint32_t value;
    int device_read;
} Obs;

typedef struct Site {
    uint32_t pc;
    uint8_t size;
} Site;

typedef struct Store {
    uint32_t addr, size, value, site;
    int device_read;
} Store;

struct Analysis {
    char isa_model[32]; /* an_set_isa_model */
    char **paths;
    uint64_t *nevents; /* events per trace (pass 1) */
    size_t npaths;
    unsigned warnings;
    IdxStat *idx;
    size_t nidx;
    Window win[32];
    unsigned nwin;
    XtrModules mods;
    Reg *regs;
    size_t nregs;
    Obs *obs;
    size_t nobs;
    Site *sites;
    size_t nsites;
    AnFitInfo *fits;
    size_t nfits;
    uint32_t sends;
    int finished;
    Rings *rings;
    Loops *loops;
    Templates *templates;
    Filters *filters;
    Extract *extract;
    /* the bank select (find_banks): bits of one register choose which
     * registers the other offsets of its window reach */
    int bank_have;
    Phys bank_x;
    uint32_t bank_mask, bank_window;
    char module[64], *module_path;
    uint32_t module_base;
    int have_module;
};

static const AnRegInfo *reg_info_cb(void *ctx, int i);

const char *an_class_name(AnClass c)
{
    static const char *const n[] = {"control", "status", "data", "control+status"};
    return (unsigned)c < AN_CLASS_COUNT ? n[c] : "?";
}

const char *an_access_name(AnAccess a)
{
    static const char *const n[] = {"read-only",       "write-only",      "read/write",
                                    "write-1-to-clear", "read-to-clear",   "self-clearing",
                                    "counter"};
    return (unsigned)a < AN_ACCESS_COUNT ? n[a] : "?";
}

int an_grow(void **p, size_t n, size_t size)
{
    /* capacity doubles at powers of two: grow before element n */
    if (n & (n - 1) || (n && n < 16))
        return 0;
    size_t cap = n ? 2 * n : 16;
    void *q = realloc(*p, cap * size);
    if (!q)
        return -1;
    *p = q;
    return 0;
}

static int is_access(const TraceEvent *ev)
{
    return ev->kind == TRACE_PORT_READ || ev->kind == TRACE_PORT_WRITE ||
           ev->kind == TRACE_MMIO_READ || ev->kind == TRACE_MMIO_WRITE;
}

static int is_read(const TraceEvent *ev)
{
    return ev->kind == TRACE_PORT_READ || ev->kind == TRACE_MMIO_READ;
}

static Phys phys_of(const TraceEvent *ev)
{
    return (Phys){ev->kind == TRACE_PORT_READ || ev->kind == TRACE_PORT_WRITE, ev->addr};
}

static int phys_eq(Phys a, Phys b)
{
    return a.port == b.port && a.addr == b.addr;
}

/* The n-th (from 1) comma-separated number of an API call's arguments. */
int an_arg_number(const char *text, int n, uint32_t *out)
{
    const char *p = text;
    for (int i = 1; p && i < n; i++) {
        p = strchr(p, ',');
        if (p)
            p++;
    }
    if (!p)
        return -1;
    while (*p == ' ')
        p++;
    char *end;
    unsigned long v = strtoul(p, &end, 0);
    if (end == p || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* A request's numeric parameter "key=N" from REQUEST_BEGIN text. */
static int param_number(const char *text, const char *key, uint32_t *out)
{
    size_t k = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, ' '), p = p ? p + 1 : NULL) {
        if (!strncmp(p, key, k) && p[k] == '=') {
            char *end;
            unsigned long v = strtoul(p + k + 1, &end, 10);
            if (end == p + k + 1 || v > UINT32_MAX || (*end && *end != ' '))
                return -1;
            *out = (uint32_t)v;
            return 0;
        }
    }
    return -1;
}

/* -------------------------------------------------------------- pass 1 */

static IdxStat *idx_get(Analysis *a, Phys at)
{
    for (size_t i = 0; i < a->nidx; i++)
        if (phys_eq(a->idx[i].at, at))
            return &a->idx[i];
    if (an_grow((void **)&a->idx, a->nidx, sizeof *a->idx) < 0)
        return NULL;
    IdxStat *s = &a->idx[a->nidx++];
    memset(s, 0, sizeof *s);
    s->at = at;
    return s;
}

static void idx_follow(IdxStat *s, Phys next, int rd)
{
    if (phys_eq(next, s->at)) {
        s->refollowed += !rd;
        return;
    }
    s->followed++;
    for (unsigned i = 0; i < s->nfollow; i++)
        if (phys_eq(s->follower[i], next)) {
            s->fcount[i]++;
            s->fread[i] += rd;
            return;
        }
    if (s->nfollow < MAX_FOLLOW) {
        s->follower[s->nfollow] = next;
        s->fread[s->nfollow] = rd;
        s->fcount[s->nfollow++] = 1;
    } else {
        s->fmore = 1;
    }
}

static void window_note(Analysis *a, int port, uint32_t base, uint32_t size)
{
    for (unsigned i = 0; i < a->nwin; i++)
        if (a->win[i].port == port && a->win[i].base == base)
            return;
    if (a->nwin < sizeof a->win / sizeof a->win[0] && size)
        a->win[a->nwin++] = (Window){port, base, size};
}

int an_add_trace(Analysis *a, const char *path, char *err, size_t errlen)
{
    char why[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open(path, why, sizeof why);
    if (!r) { /* the reader's message names the file */
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    TraceEvent ev;
    int rc;
    /* indices into a->idx, which grows (and moves) as registers appear */
    size_t pending = SIZE_MAX; /* the register written last, awaiting its follower */
    size_t last = SIZE_MAX;    /* the register accessed last */
    uint64_t nev = 0;
    while ((rc = xtr_read(r, &ev, why, sizeof why)) > 0) {
        nev++;
        if (ev.kind == TRACE_API_CALL && ev.name && ev.text) {
            /* NDIS 5.1 DDK: NdisMRegisterIoPortRange(PortOffset, Handle,
             * InitialPort, NumberOfPorts); NdisMMapIoSpace(VirtualAddress,
             * Handle, PhysicalAddress, Length) */
            uint32_t base, size;
            int port = !strcmp(ev.name, "NdisMRegisterIoPortRange");
            if ((port || !strcmp(ev.name, "NdisMMapIoSpace")) && !an_arg_number(ev.text, 3, &base) &&
                !an_arg_number(ev.text, 4, &size))
                window_note(a, port, base, size);
        }
        if (ev.kind == TRACE_REQUEST_BEGIN || ev.kind == TRACE_REQUEST_END)
            pending = SIZE_MAX;
        if (!is_access(&ev))
            continue;
        Phys at = phys_of(&ev);
        if (pending != SIZE_MAX) {
            idx_follow(&a->idx[pending], at, is_read(&ev));
            pending = SIZE_MAX;
        }
        IdxStat *s = idx_get(a, at);
        if (!s) {
            xtr_reader_free(r);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        size_t si = (size_t)(s - a->idx);
        s->width = ev.size;
        s->run = si == last ? s->run + 1 : 1;
        if (s->run > s->max_run)
            s->max_run = s->run;
        last = si;
        uint32_t v = (uint32_t)ev.value;
        if (is_read(&ev)) {
            s->reads++;
            if (s->last_was_write && s->last_written) {
                s->after_write++;
                s->kept_bits += (v & s->last_written) == s->last_written;
            }
            s->last_was_write = 0;
            s->have_read = 1;
            s->last_read = v;
        } else {
            s->writes++;
            vs_add(&s->written, v);
            unsigned k;
            for (k = 0; k < s->nidx_values && s->idx_values[k] != v; k++)
                ;
            if (k == s->nidx_values) {
                if (k < INDEX_VALUES)
                    s->idx_values[s->nidx_values++] = v;
                else
                    s->idx_more = 1;
            }
            pending = si;
            /* writing back bits just read: an acknowledgement */
            s->acks += s->have_read && !s->last_was_write && v && (v & s->last_read) == v;
            s->last_was_write = 1;
            s->last_written = v;
        }
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        xtr_reader_free(r);
        return -1;
    }
    if (!xtr_reader_complete(r))
        a->warnings++;
    xtr_reader_free(r);
    if (an_grow((void **)&a->paths, a->npaths, sizeof *a->paths) < 0 ||
        an_grow((void **)&a->nevents, a->npaths, sizeof *a->nevents) < 0 ||
        !(a->paths[a->npaths] = strdup(path))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    a->nevents[a->npaths] = nev;
    a->npaths++;
    return 0;
}

static const IdxStat *idx_find(const Analysis *a, Phys at)
{
    for (size_t i = 0; i < a->nidx; i++)
        if (phys_eq(a->idx[i].at, at))
            return &a->idx[i];
    return NULL;
}

/* Reads and writes reach two different registers at one address (a
 * DP8390's TPSR and TSR) when a read right after a write never gives back
 * all the written bits, in at least 3 such pairs: storage would keep them,
 * a self-clearing command bit keeps the others, and a status register's
 * acknowledgement is told apart by what it writes (a subset of a read).
 * Writes of 0 show nothing either way and are not counted, and a data
 * port (runs of 16 accesses or more) streams, it does not hold values. */
static void find_split_registers(Analysis *a)
{
    for (size_t i = 0; i < a->nidx; i++) {
        IdxStat *s = &a->idx[i];
        s->split = s->after_write >= 3 && s->kept_bits == 0 && vs_count(&s->written) >= 2 &&
                   2 * s->acks < s->writes && s->max_run < 16;
    }
}

/* Index registers: written with at least 3 values, and no more than 64, each
 * written 4 times on average (register numbers come back; counts and
 * addresses do not), read at most a quarter as often as written, at least 90% of writes
 * (but those followed by another write of the index itself: a driver
 * restoring the index it saved) followed by an access to one
 * of at most two other registers, and those registers reached right after
 * such a write in at least 40% of their accesses (a pointer register that
 * is merely set up before a command, like a DMA start address, is not
 * written before most accesses of the register that follows it), and
 * read right after such a write at least once (two byte registers written
 * in turn, a 16-bit count split in two, are not an index and its data),
 * as the same register (not a split address, whose reads reach another). */
static void find_index_registers(Analysis *a)
{
    for (size_t i = 0; i < a->nidx; i++) {
        IdxStat *s = &a->idx[i];
        s->is_index = s->writes >= 4 && vs_count(&s->written) >= 3 && 4 * s->reads <= s->writes &&
                      !s->idx_more && s->writes >= 4 * s->nidx_values && !s->fmore &&
                      s->nfollow >= 1 && s->nfollow <= 2 &&
                      10 * s->followed >= 9 * (s->writes - s->refollowed);
        for (unsigned f = 0; f < s->nfollow && s->is_index; f++) {
            const IdxStat *y = idx_find(a, s->follower[f]);
            uint64_t acc = y ? y->reads + y->writes : 0;
            /* and a register reached through an index is read too: two
             * byte registers written in turn (a 16-bit count split in two)
             * are not an index and its data */
            s->is_index = acc && s->fread[f] && !y->split && 10 * s->fcount[f] >= 4 * acc;
        }
    }
}

static const IdxStat *index_for(const Analysis *a, Phys data)
{
    for (size_t i = 0; i < a->nidx; i++) {
        const IdxStat *s = &a->idx[i];
        if (!s->is_index)
            continue;
        for (unsigned f = 0; f < s->nfollow; f++)
            if (phys_eq(s->follower[f], data))
                return s;
    }
    return NULL;
}

/* -------------------------------------------------------------- pass 2 */

typedef struct Replay {
    Analysis *a;
    unsigned trace; /* its index */
    uint32_t *index_value; /* per IdxStat: the value written last */
    int *index_known;
    /* the request in progress */
    int in_send;
    uint32_t send_len, send_id;
    Store *stores;
    size_t nstores;
    uint32_t stat_depth; /* inside MiniportQueryInformation for a statistics OID */
    int bank_known;      /* the bank register has been written in this trace */
    uint32_t bank_value; /* its last written value */
} Replay;

static uint32_t window_base(const Analysis *a, int port, uint32_t addr)
{
    for (unsigned i = 0; i < a->nwin; i++)
        if (a->win[i].port == port && addr - a->win[i].base < a->win[i].size)
            return a->win[i].base;
    return addr & ~(port ? 0xffu : 0xfffu); /* no window seen: the aligned block */
}

static Reg *reg_view(Replay *rp, const TraceEvent *ev)
{
    Analysis *a = rp->a;
    Phys at = phys_of(ev);
    const IdxStat *ix = index_for(a, at);
    const IdxStat *self = idx_find(a, at);
    int dir = self && self->split ? (is_read(ev) ? 1 : 2) : 0;
    uint32_t sel = 0;
    int selected = 0;
    if (ix) {
        size_t k = (size_t)(ix - a->idx);
        selected = rp->index_known[k];
        sel = rp->index_value[k];
    }
    /* the bank: for the other registers of the bank register's window */
    int banked = a->bank_have && rp->bank_known && !phys_eq(at, a->bank_x) &&
                 at.port == a->bank_x.port && window_base(a, at.port, at.addr) == a->bank_window;
    uint32_t bank = banked ? rp->bank_value & a->bank_mask : 0;
    for (size_t i = 0; i < a->nregs; i++) {
        AnRegInfo *r = &a->regs[i].info;
        if (r->port == at.port && r->addr == at.addr && r->width == ev->size &&
            r->selected == selected && (!selected || r->selector == sel) && r->dir == dir &&
            r->banked == banked && r->bank_value == bank)
            return &a->regs[i];
    }
    if (an_grow((void **)&a->regs, a->nregs, sizeof *a->regs) < 0)
        return NULL;
    Reg *r = &a->regs[a->nregs++];
    memset(r, 0, sizeof *r);
    r->info = (AnRegInfo){.port = at.port,
                          .addr = at.addr,
                          .window = window_base(a, at.port, at.addr),
                          .width = (uint8_t)ev->size,
                          .selected = selected,
                          .index_addr = ix ? ix->at.addr : 0,
                          .selector = sel,
                          .is_index = self && self->is_index,
                          .banked = banked,
                          .bank_addr = banked ? a->bank_x.addr : 0,
                          .bank_mask = banked ? a->bank_mask : 0,
                          .bank_value = bank,
                          .dir = dir};
    return r;
}

static void vote_name(Reg *r, const char *name)
{
    r->info.votes++;
    if (!name)
        return;
    for (unsigned i = 0; i < MAX_NAMES; i++) {
        if (r->names[i].name && !strcmp(r->names[i].name, name)) {
            r->names[i].n++;
            return;
        }
        if (!r->names[i].name) {
            /* the reader's strings go with it: keep a copy */
            r->names[i].name = strdup(name);
            r->names[i].n = r->names[i].name ? 1 : 0;
            return;
        }
    }
}

static void note_read(Reg *r, uint32_t v)
{
    r->and_reads = r->info.reads ? r->and_reads & v : v;
    r->or_reads |= v;
    r->info.reads++;
    vs_add(&r->rvals, v);
    if (r->last_op == 1) {
        if (r->last_read) {
            r->nz_pairs++;
            if (!(v & r->last_read))
                r->rc++; /* every bit the first read returned is gone */
        }
        if (v != r->last_read) {
            r->hw_change++;
            if (v > r->last_read)
                r->up++;
            else if (v)
                r->down++;
            else
                r->down0++; /* back to zero: a counter restarted (a chip reset) */
        }
    } else if (r->last_op == 2) {
        if (v == r->last_write)
            r->read_same++;
        else
            r->read_diff++;
        r->diff_bits |= v ^ r->last_write;
        uint32_t cleared = r->last_write & ~v;
        if (r->ack_bits && (r->ack_bits & ~v) == r->ack_bits)
            r->w1c++;
        else if (cleared && !r->ack_bits)
            r->selfclear++;
    }
    r->last_op = 1;
    r->last_read = v;
    r->ack_bits = 0;
}

static void note_write(Reg *r, uint32_t v)
{
    r->info.writes++;
    vs_add(&r->wvals, v);
    /* writing back bits just read as set: an acknowledgement */
    r->ack_bits = r->last_op == 1 && v && (v & r->last_read) == v ? v : 0;
    if (r->ack_bits)
        r->acks++;
    r->last_op = 2;
    r->last_write = v;
}

static int obs_add(Analysis *a, Obs o)
{
    if (an_grow((void **)&a->obs, a->nobs, sizeof *a->obs) < 0)
        return -1;
    a->obs[a->nobs++] = o;
    return 0;
}

static int site_index(Analysis *a, uint32_t pc, uint8_t size)
{
    for (size_t i = 0; i < a->nsites; i++)
        if (a->sites[i].pc == pc && a->sites[i].size == size)
            return (int)i;
    if (an_grow((void **)&a->sites, a->nsites, sizeof *a->sites) < 0)
        return -1;
    a->sites[a->nsites] = (Site){pc, size};
    return (int)a->nsites++;
}

/* A send ends: its register writes (the last value per register) and its
 * stores of up to 4 bytes become observations for the fits. */
static int send_end(Replay *rp)
{
    Analysis *a = rp->a;
    for (size_t i = 0; i < rp->nstores; i++) {
        Store *s = &rp->stores[i];
        if (obs_add(a, (Obs){rp->send_id, rp->send_len, s->site, 1, s->value, s->device_read}) <
            0)
            return -1;
        /* a frame split over several descriptors: the sum of what one code
         * site stored during the send (once per site, at its first store) */
        int first = 1, dev = 0;
        uint32_t sum = 0;
        for (size_t k = 0; k < rp->nstores; k++) {
            if (rp->stores[k].site != s->site)
                continue;
            first &= k >= i;
            sum += rp->stores[k].value;
            dev |= rp->stores[k].device_read;
        }
        if (first && obs_add(a, (Obs){rp->send_id, rp->send_len, s->site | SUM_KEY, 1, sum, dev}) < 0)
            return -1;
    }
    rp->nstores = 0;
    rp->in_send = 0;
    return 0;
}

static int replay_trace(Replay *rp, const char *path, char *err, size_t errlen)
{
    Analysis *a = rp->a;
    char why[XTR_ERR_MAX];
    XtrReader *r = xtr_reader_open(path, why, sizeof why);
    if (!r) { /* the reader's message names the file */
        snprintf(err, errlen, "%s", why);
        return -1;
    }
    for (size_t i = 0; i < a->nidx; i++)
        rp->index_known[i] = 0;
    rp->bank_known = 0;
    for (size_t i = 0; i < a->nregs; i++)
        a->regs[i].last_op = 0;
    TraceEvent ev;
    int rc;
    size_t prev = SIZE_MAX; /* the register accessed last (an index: regs grows) */
    while ((rc = xtr_read(r, &ev, why, sizeof why)) > 0) {
        if (ev.kind == TRACE_MODULE) {
            xtr_modules_note(&a->mods, &ev);
            if (!a->have_module && ev.name) {
                snprintf(a->module, sizeof a->module, "%s", ev.name);
                a->module_base = ev.addr;
                a->module_path = ev.text ? strdup(ev.text) : NULL;
                a->have_module = 1;
            }
        }
        if (!is_access(&ev) && extract_event(a->extract, &ev, -1, rp->trace) < 0)
            goto oom;
        if (!is_access(&ev)) {
            int site = -1;
            if (ev.kind == TRACE_MEM_STORE && ev.size <= 4 && !ev.len &&
                (site = site_index(a, ev.pc, (uint8_t)ev.size)) < 0)
                goto oom;
            if (rings_event(a->rings, &ev, -1) < 0 || loops_event(a->loops, &ev, -1) < 0)
                goto oom;
            const char *region = ev.kind == TRACE_MEM_STORE
                                     ? rings_region(a->rings, (uint32_t)ev.value)
                                     : rings_region(a->rings, ev.addr);
            if (templates_event(a->templates, &ev, -1, site, region) < 0 ||
                filters_event(a->filters, &ev, -1, site, region) < 0)
                goto oom;
        }
        /* NDIS 5.1: MiniportQueryInformation(Context, Oid, ...); an OID
         * whose bits 23:16 are 0x02 asks for a statistic (ntddndis.h:
         * general statistics 0x0002xxxx, 802.3 statistics 0x0102xxxx) */
        uint32_t oid;
        if (ev.kind == TRACE_GUEST_CALL && ev.name && !strcmp(ev.name, "MiniportQueryInformation") &&
            ev.text && !an_arg_number(ev.text, 2, &oid) && ((oid >> 16) & 0xff) == 0x02)
            rp->stat_depth = ev.depth;
        if (ev.kind == TRACE_GUEST_RETURN && rp->stat_depth && ev.depth < rp->stat_depth)
            rp->stat_depth = 0;
        if (ev.kind == TRACE_REQUEST_BEGIN) {
            if (rp->in_send && send_end(rp) < 0)
                goto oom;
            uint32_t len;
            if (ev.name && !strcmp(ev.name, "send") && ev.text &&
                !param_number(ev.text, "len", &len)) {
                rp->in_send = 1;
                rp->send_len = len;
                rp->send_id = a->sends++;
            }
            continue;
        }
        if (ev.kind == TRACE_REQUEST_END) {
            if (rp->in_send && send_end(rp) < 0)
                goto oom;
            continue;
        }
        if (rp->in_send && ev.kind == TRACE_MEM_STORE && ev.size <= 4 && !ev.len) {
            int site = site_index(a, ev.pc, (uint8_t)ev.size);
            if (site < 0 || an_grow((void **)&rp->stores, rp->nstores, sizeof *rp->stores) < 0)
                goto oom;
            rp->stores[rp->nstores++] =
                (Store){ev.addr, ev.size, (uint32_t)ev.value, (uint32_t)site, 0};
            continue;
        }
        if (rp->in_send && ev.kind == TRACE_DMA_READ) {
            for (size_t i = 0; i < rp->nstores; i++)
                if (rp->stores[i].addr - ev.addr < ev.size)
                    rp->stores[i].device_read = 1;
            continue;
        }
        if (!is_access(&ev))
            continue;
        Reg *g = reg_view(rp, &ev);
        const char *vregion =
            ev.value <= UINT32_MAX ? rings_region(a->rings, (uint32_t)ev.value) : NULL;
        if (!g || rings_event(a->rings, &ev, (int)(g - a->regs)) < 0 ||
            loops_event(a->loops, &ev, (int)(g - a->regs)) < 0 ||
            templates_event(a->templates, &ev, (int)(g - a->regs), -1, vregion) < 0 ||
            extract_event(a->extract, &ev, (int)(g - a->regs), rp->trace) < 0 ||
            filters_event(a->filters, &ev, (int)(g - a->regs), -1, vregion) < 0)
            goto oom;
        vote_name(g, ev.reg);
        uint32_t v = (uint32_t)ev.value;
        if ((size_t)(g - a->regs) == prev) {
            g->run++;
        } else {
            g->run = 1;
            g->burst_counted = 0;
            memset(&g->burst, 0, sizeof g->burst);
        }
        vs_add(&g->burst, v);
        if (!g->burst_counted && g->run >= 16 && vs_count(&g->burst) >= 8) {
            g->burst16++;
            g->burst_counted = 1;
        }
        if (rp->stat_depth && is_read(&ev))
            g->stat_reads++;
        if (g->run > g->burst_max) {
            g->burst_max = g->run;
            g->burst_values = vs_count(&g->burst);
        }
        prev = (size_t)(g - a->regs);
        if (a->bank_have && !is_read(&ev) && phys_eq(phys_of(&ev), a->bank_x)) {
            rp->bank_known = 1;
            rp->bank_value = v;
        }
        if (is_read(&ev)) {
            note_read(g, v);
        } else {
            note_write(g, v);
            for (size_t i = 0; i < a->nidx; i++)
                if (a->idx[i].is_index && phys_eq(a->idx[i].at, phys_of(&ev))) {
                    rp->index_value[i] = v;
                    rp->index_known[i] = 1;
                }
            if (rp->in_send &&
                obs_add(a, (Obs){rp->send_id, rp->send_len, (uint32_t)(g - a->regs), 0, v, 0}) < 0)
                goto oom;
        }
    }
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, why);
        xtr_reader_free(r);
        return -1;
    }
    if (rp->in_send && send_end(rp) < 0)
        goto oom;
    rings_trace_end(a->rings);
    loops_trace_end(a->loops);
    templates_trace_end(a->templates);
    filters_trace_end(a->filters);
    extract_trace_end(a->extract);
    xtr_reader_free(r);
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    xtr_reader_free(r);
    return -1;
}

/* ------------------------------------------------------------ inference */

static void classify(Reg *g)
{
    AnRegInfo *r = &g->info;
    int zero_writes = r->writes && vs_count(&g->wvals) == 1 && g->wvals.v[0] == 0;
    /* read to answer statistics queries, written at most with zero (a
     * reset): an event counter */
    int stat_counter = g->stat_reads && 2 * g->stat_reads >= r->reads && (!r->writes || zero_writes);
    /* P2IM: a register streamed through, in long runs of varied values, is a
     * data register (a clocked serial line's few levels are not data) */
    if (g->burst16)
        r->cls = AN_DATA;
    else if (stat_counter)
        r->cls = AN_STATUS;
    else if (!r->reads)
        r->cls = AN_CONTROL;
    else if (!r->writes)
        r->cls = AN_STATUS;
    else if (!g->hw_change && !g->selfclear && !(g->diff_bits & ~(g->and_reads ^ ~g->or_reads)))
        r->cls = AN_CONTROL; /* reads give back what was written, apart from
                              * bits that read the same every time (an ID) */
    else if (g->acks * 2 >= r->writes && g->w1c)
        r->cls = AN_STATUS; /* written only to acknowledge what was read */
    else
        r->cls = AN_CS;

    /* or read values that keep growing, never acknowledged; back to zero
     * now and then (the chip was reset), but growing far more often than
     * that, unlike a register a read clears */
    int counting = stat_counter || ((!r->writes || zero_writes) && g->up >= 3 &&
                                    8 * g->down <= g->up && 2 * g->down0 < g->up &&
                                    vs_count(&g->rvals) >= 3);
    /* read-to-clear: whatever a read returns, the next read no longer has,
     * nearly always (a status bit that stays set would show again) */
    int clearing = g->nz_pairs >= 3 && 10 * g->rc >= 9 * g->nz_pairs;
    if (r->cls == AN_DATA)
        r->access = r->writes && r->reads ? AN_RW : r->writes ? AN_WO : AN_RO;
    else if (counting)
        r->access = AN_COUNTER;
    else if (!r->writes)
        r->access = clearing ? AN_RC : AN_RO;
    else if (!r->reads)
        r->access = AN_WO;
    else if (g->w1c >= 1)
        r->access = AN_W1C;
    else if (g->selfclear >= 1)
        r->access = AN_SELFCLEAR;
    else
        r->access = AN_RW;

    uint64_t best = 0;
    for (unsigned i = 0; i < MAX_NAMES; i++)
        if (g->names[i].name && g->names[i].n > best) {
            best = g->names[i].n;
            r->model_name = g->names[i].name;
        }
    r->model_votes = best;
}

/* An access through an index register's data port while the index is not
 * known (before the first index write): which register it reaches cannot
 * be told, so it is described as the port itself, a data window (P2IM's
 * data register: what flows through it is another register's content),
 * read and written as every view of the port is. */
static void data_window(const Analysis *a, AnRegInfo *r)
{
    if (r->selected || !index_for(a, (Phys){.port = r->port, .addr = r->addr}))
        return;
    uint64_t reads = 0, writes = 0;
    for (size_t j = 0; j < a->nregs; j++) {
        const AnRegInfo *q = &a->regs[j].info;
        if (q->port == r->port && q->addr == r->addr) {
            reads += q->reads;
            writes += q->writes;
        }
    }
    r->cls = AN_DATA;
    r->access = reads && writes ? AN_RW : writes ? AN_WO : AN_RO;
}

static int cmp_obs(const void *x, const void *y)
{
    const Obs *a = x, *b = y;
    if (a->memory != b->memory)
        return a->memory - b->memory;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->send < b->send ? -1 : a->send > b->send;
}

/* Fit field [lo, lo+w) of the values against a*len + b over the
 * observations o[0..n) (one per send: the last). */
static void fit_group(Analysis *a, const Obs *o, size_t n, const char *param)
{
    uint32_t lens[2] = {o[0].len, o[0].len};
    for (size_t i = 1; i < n; i++) {
        if (o[i].len < lens[0])
            lens[0] = o[i].len;
        if (o[i].len > lens[1])
            lens[1] = o[i].len;
    }
    if (n < 3 || lens[0] == lens[1])
        return; /* nothing to fit against */
    for (int w = 8; w <= 16; w++) {
        if (((uint64_t)1 << w) <= lens[1])
            continue; /* the field cannot hold the length */
        for (int lo = 0; lo + w <= 32; lo += 8) {
            for (int sgn = 1; sgn >= -1; sgn -= 2) {
                uint32_t mask = (uint32_t)((1ull << w) - 1);
                /* b from each observation; a fit needs 80% to agree, a
                 * majority, so the majority vote (Boyer and Moore) finds the
                 * only candidate in one pass and a second pass counts it */
                uint32_t cand = 0;
                size_t votes = 0;
                for (size_t i = 0; i < n; i++) {
                    uint32_t b = ((((o[i].value >> lo) & mask) - (uint32_t)(sgn * (int64_t)o[i].len)) &
                                  mask);
                    if (!votes)
                        cand = b, votes = 1;
                    else
                        votes += b == cand ? 1 : (size_t)-1;
                }
                unsigned best = 0;
                for (size_t i = 0; i < n; i++)
                    best += ((((o[i].value >> lo) & mask) - (uint32_t)(sgn * (int64_t)o[i].len)) &
                             mask) == cand;
                int64_t bestb = cand;
                if (best >= 3 && 5 * best >= 4 * n) {
                    int dev = 0;
                    for (size_t i = 0; i < n; i++)
                        dev |= o[i].device_read;
                    if (an_grow((void **)&a->fits, a->nfits, sizeof *a->fits) < 0)
                        return;
                    /* a signed offset reads better: -4 rather than 0xfffc */
                    int64_t b = bestb;
                    if (b >= (int64_t)1 << (w - 1))
                        b -= (int64_t)1 << w;
                    a->fits[a->nfits++] = (AnFitInfo){.memory = o[0].memory,
                                                      .reg = o[0].memory ? UINT32_MAX : o[0].key,
                                                      .pc = o[0].memory
                                                                ? a->sites[o[0].key & ~SUM_KEY].pc
                                                                : 0,
                                                      .sum = o[0].memory && (o[0].key & SUM_KEY),
                                                      .lo = lo,
                                                      .width = w,
                                                      .a = sgn,
                                                      .b = b,
                                                      .support = best,
                                                      .seen = (unsigned)n,
                                                      .device_read = dev,
                                                      .param = param};
                    return; /* the narrowest field that fits */
                }
            }
        }
    }
}

/* The observations of register `key` in the sorted obs: [*b, *e). */
static void obs_range(const Analysis *a, size_t key, size_t *b, size_t *e)
{
    size_t lo = 0, hi = a->nobs;
    while (lo < hi) { /* first register observation with key >= `key` */
        size_t mid = lo + (hi - lo) / 2;
        const Obs *o = &a->obs[mid];
        if (o->memory == 0 && o->key < key)
            lo = mid + 1;
        else if (o->memory == 0)
            hi = mid;
        else
            hi = mid;
    }
    *b = lo;
    while (lo < a->nobs && !a->obs[lo].memory && a->obs[lo].key == key)
        lo++;
    *e = lo;
}

/* Two byte registers side by side, both written in the same sends: a
 * 16-bit value split low byte first (a register file of 8-bit registers
 * holding a 16-bit count, like a DP8390 TBCR0/TBCR1). obs is sorted. */
static int fit_byte_pairs(Analysis *a)
{
    for (size_t lo = 0; lo < a->nregs; lo++) {
        const AnRegInfo *l = &a->regs[lo].info;
        for (size_t hi = 0; hi < a->nregs; hi++) {
            const AnRegInfo *h = &a->regs[hi].info;
            if (l->width != 1 || h->width != 1 || h->port != l->port || h->addr != l->addr + 1 ||
                h->selected != l->selected || h->selector != l->selector)
                continue;
            /* join the two registers' last values per send (obs is sorted
             * by kind, key and send: two ranges, merged) */
            size_t l0, l1, h0, h1, n = 0;
            obs_range(a, lo, &l0, &l1);
            obs_range(a, hi, &h0, &h1);
            if (l0 == l1 || h0 == h1)
                continue;
            Obs *g = malloc((l1 - l0) * sizeof *g);
            if (!g)
                return -1;
            for (size_t i = l0, j = h0; i < l1; i++) {
                if (i + 1 < l1 && a->obs[i + 1].send == a->obs[i].send)
                    continue; /* the last value per send */
                while (j < h1 && a->obs[j].send < a->obs[i].send)
                    j++;
                size_t k = j;
                while (k + 1 < h1 && a->obs[k + 1].send == a->obs[i].send)
                    k++;
                if (k >= h1 || a->obs[k].send != a->obs[i].send)
                    continue;
                g[n] = a->obs[i];
                g[n++].value = (a->obs[i].value & 0xff) | (a->obs[k].value & 0xff) << 8;
            }
            size_t before = a->nfits;
            if (n)
                fit_group(a, g, n, "len");
            if (n && a->nfits == before) {
                for (size_t k = 0; k < n; k++)
                    g[k].len = g[k].len < 60 ? 60 : g[k].len;
                fit_group(a, g, n, "max(len,60)");
            }
            for (size_t k = before; k < a->nfits; k++)
                a->fits[k].pair = 1;
            free(g);
        }
    }
    return 0;
}

static int find_fits(Analysis *a)
{
    if (!a->nobs)
        return 0;
    qsort(a->obs, a->nobs, sizeof *a->obs, cmp_obs);
    /* one observation per (key, send): the last value written */
    Obs *g = malloc(a->nobs * sizeof *g);
    if (!g)
        return -1;
    for (size_t i = 0; i < a->nobs;) {
        size_t j = i, n = 0;
        while (j < a->nobs && a->obs[j].memory == a->obs[i].memory && a->obs[j].key == a->obs[i].key) {
            if (n && g[n - 1].send == a->obs[j].send)
                g[n - 1] = a->obs[j];
            else
                g[n++] = a->obs[j];
            j++;
        }
        size_t before = a->nfits;
        fit_group(a, g, n, "len");
        if (a->nfits == before) {
            /* Ethernet's minimum frame is 60 bytes before the FCS (IEEE
             * 802.3 clause 3.2.8): drivers pad shorter sends up to it */
            for (size_t k = 0; k < n; k++)
                g[k].len = g[k].len < 60 ? 60 : g[k].len;
            fit_group(a, g, n, "max(len,60)");
        }
        i = j;
    }
    free(g);
    return fit_byte_pairs(a);
}

/* ---- bank selection ----
 * A register whose bits choose what the other offsets of its window reach
 * (a DP8390 command register's page bits). For each candidate (a register
 * written often, with several values) and each field of it (bit pairs and
 * single bits), the other registers' values are sorted by the field's
 * value; a field that selects banks gives, register by register, value
 * sets that never meet across banks, where any other field mixes them.
 * Values that drift with time (a ring index) make any field that changes
 * with time look like that too: where the trace's time quarters already
 * sort the values apart, no field is taken. Candidates are byte registers
 * (bank selection lives in 8-bit command registers: a DP8390's CR). */

#define BANK_FIELDS 12
static const uint32_t bank_fields[BANK_FIELDS] = {0xC0, 0x30, 0x0C, 0x03, 0x80, 0x40,
                                                  0x20, 0x10, 0x08, 0x04, 0x02, 0x01};

typedef struct BankVals {
    ValueSet v[4][2]; /* per bank, [0] writes [1] reads */
} BankVals;

static unsigned field_value(uint32_t x, uint32_t mask)
{
    unsigned shift = 0;
    while (!((mask >> shift) & 1))
        shift++;
    return (x & mask) >> shift;
}

/* Two banks' values of one register meet: a value in both, other than 0
 * and all ones (a cleared or unset register reads so in any bank); -1:
 * too many values on either side to tell (a data register), no evidence
 * either way. */
static int sets_meet(const ValueSet *a, const ValueSet *b)
{
    if (a->more || b->more)
        return -1;
    for (unsigned i = 0; i < a->n; i++)
        for (unsigned j = 0; j < b->n; j++)
            if (a->v[i] == b->v[j] && a->v[i] && a->v[i] != 0xffu && a->v[i] != 0xffffu &&
                a->v[i] != 0xffffffffu)
                return 1;
    return 0;
}

static int score_field(const BankVals *bv, size_t n)
{
    int score = 0;
    for (size_t y = 0; y < n; y++)
        for (int rw = 0; rw < 2; rw++) {
            unsigned used = 0, meet = 0, untold = 0;
            for (int b = 0; b < 4; b++) {
                if (!bv[y].v[b][rw].n)
                    continue;
                used++;
                for (int c = b + 1; c < 4; c++) {
                    int m = bv[y].v[c][rw].n ? sets_meet(&bv[y].v[b][rw], &bv[y].v[c][rw]) : 0;
                    meet |= m > 0;
                    untold |= m < 0;
                }
            }
            if (used >= 2 && (meet || !untold))
                score += meet ? -1 : 1;
        }
    return score;
}

static int find_banks(Analysis *a, char *err, size_t errlen)
{
    /* candidates: the two registers written most, with 4+ values */
    size_t cand[2] = {SIZE_MAX, SIZE_MAX};
    for (size_t i = 0; i < a->nidx; i++) {
        const IdxStat *s = &a->idx[i];
        if (s->width != 1 || s->writes < 8 || s->nidx_values + (unsigned)s->idx_more < 4 ||
            s->is_index || s->split)
            continue;
        if (cand[0] == SIZE_MAX || s->writes > a->idx[cand[0]].writes) {
            cand[1] = cand[0];
            cand[0] = i;
        } else if (cand[1] == SIZE_MAX || s->writes > a->idx[cand[1]].writes) {
            cand[1] = i;
        }
    }
    int best = 2; /* a bank select must explain 3 registers or more */
    for (int c = 0; c < 2 && cand[c] != SIZE_MAX; c++) {
        Phys x = a->idx[cand[c]].at;
        uint32_t win = window_base(a, x.port, x.addr);
        /* one more "field": the time quarter of the trace, the null
         * hypothesis; values that drift with time look banked too */
        BankVals *bv = calloc((BANK_FIELDS + 1) * a->nidx, sizeof *bv);
        if (!bv) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        for (size_t t = 0; t < a->npaths; t++) {
            char why[XTR_ERR_MAX];
            XtrReader *r = xtr_reader_open(a->paths[t], why, sizeof why);
            TraceEvent ev;
            int have = 0;
            uint32_t xv = 0;
            while (r && xtr_read(r, &ev, why, sizeof why) > 0) {
                if (!is_access(&ev))
                    continue;
                Phys at = phys_of(&ev);
                if (phys_eq(at, x)) {
                    if (!is_read(&ev)) {
                        xv = (uint32_t)ev.value;
                        have = 1;
                    }
                    continue;
                }
                const IdxStat *y = idx_find(a, at);
                if (!have || !y || at.port != x.port || window_base(a, at.port, at.addr) != win)
                    continue;
                size_t yi = (size_t)(y - a->idx);
                for (int f = 0; f < BANK_FIELDS; f++) {
                    unsigned b = field_value(xv, bank_fields[f]);
                    vs_add(&bv[(size_t)f * a->nidx + yi].v[b][is_read(&ev)], (uint32_t)ev.value);
                }
                unsigned q = a->nevents[t] ? (unsigned)(4 * ev.seq / a->nevents[t]) : 0;
                vs_add(&bv[(size_t)BANK_FIELDS * a->nidx + yi].v[q > 3 ? 3 : q][is_read(&ev)],
                       (uint32_t)ev.value);
            }
            xtr_reader_free(r);
        }
        int null = score_field(&bv[(size_t)BANK_FIELDS * a->nidx], a->nidx);
        /* where time alone sorts values apart, a field cannot be told from it */
        for (int f = 0; f < BANK_FIELDS; f++) {
            /* better than time alone by 3 registers or more */
            int sc = score_field(&bv[(size_t)f * a->nidx], a->nidx);
            if (null <= 0 && sc > best) {
                best = sc;
                a->bank_have = 1;
                a->bank_x = x;
                a->bank_mask = bank_fields[f];
                a->bank_window = win;
            }
        }
        free(bv);
    }
    return 0;
}

static const AnRegInfo *reg_info_cb(void *ctx, int i)
{
    const Analysis *a = ctx;
    return i >= 0 && (size_t)i < a->nregs ? &a->regs[i].info : NULL;
}

int an_finish(Analysis *a)
{
    if (a->finished)
        return 0;
    a->finished = 1;
    find_split_registers(a);
    find_index_registers(a);
    char berr[64];
    if (find_banks(a, berr, sizeof berr) < 0)
        return -1;
    Replay rp = {.a = a};
    rp.index_value = calloc(a->nidx ? a->nidx : 1, sizeof *rp.index_value);
    rp.index_known = calloc(a->nidx ? a->nidx : 1, sizeof *rp.index_known);
    int rc = 0;
    char err[XTR_ERR_MAX + 64];
    if (!rp.index_value || !rp.index_known)
        rc = -1;
    for (size_t i = 0; i < a->npaths && !rc; i++) {
        rp.trace = (unsigned)i;
        rc = replay_trace(&rp, a->paths[i], err, sizeof err);
    }
    free(rp.index_value);
    free(rp.index_known);
    free(rp.stores);
    if (rc)
        return -1;
    for (size_t i = 0; i < a->nregs; i++)
        classify(&a->regs[i]);
    for (size_t i = 0; i < a->nregs; i++)
        data_window(a, &a->regs[i].info);
    if (rings_finish(a->rings, reg_info_cb, a) < 0 || loops_finish(a->loops, reg_info_cb, a) < 0)
        return -1;
    return find_fits(a);
}

/* ------------------------------------------------------------ accessors */

Analysis *an_new(void)
{
    Analysis *a = calloc(1, sizeof(Analysis));
    if (a && (!(a->rings = rings_new()) || !(a->loops = loops_new()) ||
              !(a->templates = templates_new()) || !(a->filters = filters_new(reg_info_cb, a)) ||
              !(a->extract = extract_new()))) {
        rings_free(a->rings);
        loops_free(a->loops);
        templates_free(a->templates);
        filters_free(a->filters);
        free(a);
        return NULL;
    }
    return a;
}

size_t an_npolls(const Analysis *a)
{
    return loops_npolls(a->loops);
}

const AnPoll *an_poll(const Analysis *a, size_t i)
{
    return loops_poll(a->loops, i);
}

const AnIrq *an_irq(const Analysis *a)
{
    return loops_irq(a->loops);
}

size_t an_nrings(const Analysis *a)
{
    return rings_count(a->rings);
}

const AnRing *an_ring(const Analysis *a, size_t i)
{
    return rings_get(a->rings, i);
}

const AnRxBuffer *an_rx(const Analysis *a)
{
    return rings_rx(a->rings);
}

void an_set_isa_model(Analysis *a, const char *model)
{
    snprintf(a->isa_model, sizeof a->isa_model, "%s", model ? model : "");
}

const char *an_isa_model(const Analysis *a)
{
    return a->isa_model[0] ? a->isa_model : NULL;
}

void an_free(Analysis *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->npaths; i++)
        free(a->paths[i]);
    free(a->paths);
    free(a->nevents);
    free(a->idx);
    for (size_t i = 0; i < a->nregs; i++)
        for (unsigned k = 0; k < MAX_NAMES; k++)
            free((char *)a->regs[i].names[k].name);
    free(a->regs);
    free(a->obs);
    free(a->sites);
    free(a->fits);
    rings_free(a->rings);
    loops_free(a->loops);
    templates_free(a->templates);
    filters_free(a->filters);
    extract_free(a->extract);
    free(a->module_path);
    free(a);
}

void an_set_poll_code(Analysis *a, size_t i, int blocks, int exits)
{
    loops_set_code(a->loops, i, blocks, exits);
}

int an_module(const Analysis *a, const char **name, uint32_t *base, const char **path)
{
    if (!a->have_module)
        return -1;
    *name = a->module;
    *base = a->module_base;
    *path = a->module_path;
    return 0;
}

size_t an_naddr_fits(const Analysis *a)
{
    return filters_count(a->filters);
}

const AnAddrFit *an_addr_fit(const Analysis *a, size_t i)
{
    return filters_get(a->filters, i);
}

size_t an_ntemplates(const Analysis *a)
{
    return templates_count(a->templates);
}

const AnTemplate *an_template(const Analysis *a, size_t i)
{
    return templates_get(a->templates, i);
}

uint32_t an_site_pc(const Analysis *a, int site)
{
    return site >= 0 && (size_t)site < a->nsites ? a->sites[site].pc : 0;
}

size_t an_nregs(const Analysis *a)
{
    return a->nregs;
}

const AnRegInfo *an_reg(const Analysis *a, size_t i)
{
    return i < a->nregs ? &a->regs[i].info : NULL;
}

size_t an_nfits(const Analysis *a)
{
    return a->nfits;
}

const AnFitInfo *an_fit(const Analysis *a, size_t i)
{
    return i < a->nfits ? &a->fits[i] : NULL;
}

unsigned an_warnings(const Analysis *a)
{
    return a->warnings;
}

size_t an_ntraces(const Analysis *a)
{
    return a->npaths;
}

const char *an_trace_path(const Analysis *a, size_t i)
{
    return i < a->npaths ? a->paths[i] : NULL;
}

uint32_t an_sends(const Analysis *a)
{
    return a->sends;
}

const char *an_format_pc(const Analysis *a, uint32_t pc, char *buf, size_t len)
{
    return xtr_format_pc(&a->mods, pc, buf, len);
}

int an_extract(const Analysis *a, FILE *out, char *err, size_t errlen)
{
    return extract_write_spec(a, a->extract, out, err, errlen);
}
