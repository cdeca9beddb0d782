/* Workloads (docs/formats/workload.md): the parser of workload text, its
 * expansion into steps, the formatter that writes steps back as lines, the
 * built-in suites and the deterministic frames a send or receive carries.
 * Depends on libc only: the fuzz target builds this file alone. */
#include "exercise/workload.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WL_VERSION 1u
#define WL_LEN_MIN 14u   /* the Ethernet header alone (dst, src, EtherType) */
#define WL_LEN_MAX 1514u /* the largest Ethernet frame without its FCS */
#define WL_BURST_MAX 4096u
#define WL_WAIT_MAX 60000u
#define WL_MAX_WORDS 64  /* above `multicast add` with WL_MAX_MACS addresses */
#define WL_LINE_MAX 1024 /* a formatted step: the longest is 32 MACs, ~600 chars */
#define WL_FILE_MAX (16u << 20)
#define WL_ETHERTYPE 0x88B5u   /* IEEE 802 local experimental EtherType 1 */
#define WL_NTH_MAX 1000u       /* fail nth= */
#define WL_QUERY_BUF_MAX 1024u /* query len=, also its default */
#define WL_API_MAX 63u         /* fail: an export name, without the NUL */
#define WL_PNAME_MAX 63u       /* param: a value's name */
#define WL_PVALUE_MAX 127u     /* param: a value's text */

_Static_assert(sizeof((WlStep *)0)->api == WL_API_MAX + 1, "WlStep.api holds a name and its NUL");
_Static_assert(sizeof((WlStep *)0)->pname == WL_PNAME_MAX + 1, "WlStep.pname: name and NUL");
_Static_assert(sizeof((WlStep *)0)->pvalue == WL_PVALUE_MAX + 1, "WlStep.pvalue: text and NUL");

/* ---- names ---------------------------------------------------------------- */

static const char *const kind_names[WL_KIND_COUNT] = {
    [WL_INIT] = "init",         [WL_SEND] = "send",           [WL_RECEIVE] = "receive",
    [WL_FILTER] = "filter",     [WL_MULTICAST] = "multicast", [WL_QUERY] = "query",
    [WL_SET] = "set",           [WL_LINK] = "link",           [WL_RESET] = "reset",
    [WL_HALT] = "halt",         [WL_REINIT] = "reinit",       [WL_INJECT] = "inject",
    [WL_WAIT] = "wait",         [WL_FAIL] = "fail",           [WL_PARAM] = "param",
    [WL_SHUTDOWN] = "shutdown", [WL_PNP] = "pnp",
};

static const char *const cond_names[WL_COND_COUNT] = {
    [WL_COND_RX_OVERFLOW] = "rx-overflow",         [WL_COND_TX_ERROR] = "tx-error",
    [WL_COND_TX_UNDERRUN] = "tx-underrun",         [WL_COND_RX_BURST] = "rx-burst",
    [WL_COND_SPURIOUS_IRQ] = "spurious-interrupt", [WL_COND_LINK_LOSS_SEND] = "link-loss-send",
    [WL_COND_RX_CRC_ERROR] = "rx-crc-error",
    [WL_COND_RESET_HANG] = "reset-hang",
};

/* Frames an injected condition involves when count= is not given; 0: the
 * condition takes no count. An overflow needs more than a typical receive
 * ring holds (RTL8139: 64 KiB, ~43 full frames), a burst about one ring. */
static const uint32_t cond_default_count[WL_COND_COUNT] = {
    [WL_COND_RX_OVERFLOW] = 128,
    [WL_COND_RX_BURST] = 64,
};

#define NPAYLOADS 3
static const char *const payload_names[NPAYLOADS] = {
    [WL_PAYLOAD_RANDOM] = "random",
    [WL_PAYLOAD_ZERO] = "zero",
    [WL_PAYLOAD_COUNTER] = "counter",
};

#define NPLACES 2
static const char *const place_names[NPLACES] = {"any", "in-page"};
#define NDESTS 5
static const char *const dest_names[NDESTS] = {
    [WL_DEST_SELF] = "self",
    [WL_DEST_BROADCAST] = "broadcast",
    [WL_DEST_MULTICAST] = "multicast",
    [WL_DEST_OTHER] = "other",
    [WL_DEST_GROUP] = "group",
};

#define NMCAST_OPS 3
static const char *const mcast_op_names[NMCAST_OPS] = {
    [WL_MCAST_ADD] = "add",
    [WL_MCAST_REMOVE] = "remove",
    [WL_MCAST_CLEAR] = "clear",
};

/* In bit order: `filter` lines are formatted in this order. */
static const struct {
    uint32_t bit;
    const char *name;
} filter_flags[] = {
    {WL_FILTER_DIRECTED, "directed"},           {WL_FILTER_MULTICAST, "multicast"},
    {WL_FILTER_ALL_MULTICAST, "all-multicast"}, {WL_FILTER_BROADCAST, "broadcast"},
    {WL_FILTER_PROMISCUOUS, "promiscuous"},
};
#define NFILTER_FLAGS (sizeof filter_flags / sizeof filter_flags[0])
#define FILTER_ALL                                                                                 \
    (WL_FILTER_DIRECTED | WL_FILTER_MULTICAST | WL_FILTER_ALL_MULTICAST | WL_FILTER_BROADCAST |    \
     WL_FILTER_PROMISCUOUS)

/* The common NDIS 5 OIDs by their ntddndis.h names; values from mingw-w64
 * include/ntddndis.h (general 0x0001xxxx, statistics 0x0002xxxx, 802.3
 * 0x0101xxxx / 0x0102xxxx, PnP 0xfd01xxxx). */
static const struct {
    uint32_t oid;
    const char *name;
} oid_names[] = {
    {0x00010101, "OID_GEN_SUPPORTED_LIST"},
    {0x00010102, "OID_GEN_HARDWARE_STATUS"},
    {0x00010103, "OID_GEN_MEDIA_SUPPORTED"},
    {0x00010104, "OID_GEN_MEDIA_IN_USE"},
    {0x00010105, "OID_GEN_MAXIMUM_LOOKAHEAD"},
    {0x00010106, "OID_GEN_MAXIMUM_FRAME_SIZE"},
    {0x00010107, "OID_GEN_LINK_SPEED"},
    {0x00010108, "OID_GEN_TRANSMIT_BUFFER_SPACE"},
    {0x00010109, "OID_GEN_RECEIVE_BUFFER_SPACE"},
    {0x0001010a, "OID_GEN_TRANSMIT_BLOCK_SIZE"},
    {0x0001010b, "OID_GEN_RECEIVE_BLOCK_SIZE"},
    {0x0001010c, "OID_GEN_VENDOR_ID"},
    {0x0001010d, "OID_GEN_VENDOR_DESCRIPTION"},
    {0x0001010e, "OID_GEN_CURRENT_PACKET_FILTER"},
    {0x0001010f, "OID_GEN_CURRENT_LOOKAHEAD"},
    {0x00010110, "OID_GEN_DRIVER_VERSION"},
    {0x00010111, "OID_GEN_MAXIMUM_TOTAL_SIZE"},
    {0x00010113, "OID_GEN_MAC_OPTIONS"},
    {0x00010114, "OID_GEN_MEDIA_CONNECT_STATUS"},
    {0x00010115, "OID_GEN_MAXIMUM_SEND_PACKETS"},
    {0x00010116, "OID_GEN_VENDOR_DRIVER_VERSION"},
    {0x00020101, "OID_GEN_XMIT_OK"},
    {0x00020102, "OID_GEN_RCV_OK"},
    {0x00020103, "OID_GEN_XMIT_ERROR"},
    {0x00020104, "OID_GEN_RCV_ERROR"},
    {0x00020105, "OID_GEN_RCV_NO_BUFFER"},
    {0x01010101, "OID_802_3_PERMANENT_ADDRESS"},
    {0x01010102, "OID_802_3_CURRENT_ADDRESS"},
    {0x01010103, "OID_802_3_MULTICAST_LIST"},
    {0x01010104, "OID_802_3_MAXIMUM_LIST_SIZE"},
    {0x01020101, "OID_802_3_RCV_ERROR_ALIGNMENT"},
    {0x01020102, "OID_802_3_XMIT_ONE_COLLISION"},
    {0x01020103, "OID_802_3_XMIT_MORE_COLLISIONS"},
    {0xfd010100, "OID_PNP_CAPABILITIES"},
    {0xfd010101, "OID_PNP_SET_POWER"},
    {0xfd010102, "OID_PNP_QUERY_POWER"},
};
#define NOID_NAMES (sizeof oid_names / sizeof oid_names[0])

static const char *name_of(const char *const *names, unsigned n, unsigned i)
{
    return i < n && names[i] ? names[i] : "?";
}

const char *workload_kind_name(WlKind k)
{
    return name_of(kind_names, WL_KIND_COUNT, (unsigned)k);
}

const char *workload_condition_name(WlCondition c)
{
    return name_of(cond_names, WL_COND_COUNT, (unsigned)c);
}

const char *workload_oid_name(uint32_t oid)
{
    /* A ring, so that two unknown OIDs can appear in one printf. */
    static _Thread_local char ring[4][11];
    static _Thread_local unsigned next;
    char *buf;

    for (size_t i = 0; i < NOID_NAMES; i++)
        if (oid_names[i].oid == oid)
            return oid_names[i].name;
    buf = ring[next++ % 4];
    snprintf(buf, sizeof ring[0], "0x%08" PRIx32, oid);
    return buf;
}

/* ---- words ---------------------------------------------------------------- */

typedef struct Word {
    const char *p;
    size_t n;
} Word;

/* Short texts returned by value: a word quoted inside an error message, a
 * list of accepted words. */
typedef struct Text {
    char s[160];
} Text;

static int word_is(Word w, const char *s)
{
    size_t n = strlen(s);
    return w.n == n && memcmp(w.p, s, n) == 0;
}

static int ascii_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int word_is_nocase(Word w, const char *s)
{
    size_t n = strlen(s);

    if (w.n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower((unsigned char)w.p[i]) != ascii_lower((unsigned char)s[i]))
            return 0;
    return 1;
}

/* A word as it may appear in a one-line error: printable ASCII only (the
 * input is arbitrary bytes), cut short past 40 characters. */
static Text quote(Word w)
{
    Text t;
    size_t n = w.n > 40 ? 40 : w.n, i;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w.p[i];
        t.s[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (w.n > n) {
        memcpy(t.s + i, "...", 3);
        i += 3;
    }
    t.s[i] = '\0';
    return t;
}

/* "a b c" from a NULL-terminated or counted list of names. */
static Text join(const char *const *names, size_t n)
{
    Text t;
    size_t used = 0;

    t.s[0] = '\0';
    for (size_t i = 0; i < n && names[i]; i++) {
        int r = snprintf(t.s + used, sizeof t.s - used, "%s%s", i ? " " : "", names[i]);
        if (r < 0 || (size_t)r >= sizeof t.s - used)
            break;
        used += (size_t)r;
    }
    return t;
}

static int hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = ascii_lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decimal, or hex after 0x; no sign, no suffix. 0, -1 (not a number) or
 * -2 (does not fit 64 bits). */
static int number_parse(Word w, uint64_t *out)
{
    uint64_t v = 0, base = 10;
    size_t i = 0;

    if (w.n >= 2 && w.p[0] == '0' && (w.p[1] == 'x' || w.p[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i == w.n)
        return -1;
    for (; i < w.n; i++) {
        int d = hex_digit((unsigned char)w.p[i]);
        if (d < 0 || (uint64_t)d >= base)
            return -1;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            return -2;
        v = v * base + (uint64_t)d;
    }
    *out = v;
    return 0;
}

/* xx:xx:xx:xx:xx:xx, two hex digits each. */
static int mac_parse(Word w, uint8_t mac[6])
{
    if (w.n != 17)
        return -1;
    for (int i = 0; i < 6; i++) {
        int hi = hex_digit((unsigned char)w.p[3 * i]);
        int lo = hex_digit((unsigned char)w.p[3 * i + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && w.p[3 * i + 2] != ':'))
            return -1;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static int oid_lookup(Word w, uint32_t *oid)
{
    for (size_t i = 0; i < NOID_NAMES; i++)
        if (word_is_nocase(w, oid_names[i].name)) {
            *oid = oid_names[i].oid;
            return 0;
        }
    return -1;
}

/* The names and texts of `fail` and `param`, checked alike by the parser
 * and by workload_check_step: NULL when fine, else what is wrong. */

static int is_ident_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* An export name as exports.def spells it: a C identifier. */
static const char *api_problem(const char *v, size_t n)
{
    if (n == 0)
        return "an export name is not empty";
    if (n > WL_API_MAX)
        return "an export name is at most 63 characters";
    if (v[0] >= '0' && v[0] <= '9')
        return "an export name does not start with a digit";
    for (size_t i = 0; i < n; i++)
        if (!is_ident_char((unsigned char)v[i]))
            return "an export name is letters, digits and _";
    return NULL;
}

/* A value's name under Services\<svc>\Parameters; `*` for the
 * standardized keywords (*SpeedDuplex, *JumboPacket). */
static const char *pname_problem(const char *v, size_t n)
{
    if (n == 0)
        return "a parameter name is not empty";
    if (n > WL_PNAME_MAX)
        return "a parameter name is at most 63 characters";
    for (size_t i = 0; i < n; i++)
        if (!is_ident_char((unsigned char)v[i]) && v[i] != '*')
            return "a parameter name is letters, digits, _ and *";
    return NULL;
}

/* dword:N (N fits 32 bits), or a REG_SZ word: printable ASCII without
 * blanks, and without `#`, which starts a comment. */
static const char *pvalue_problem(const char *v, size_t n)
{
    uint64_t x;
    int rc;

    if (n == 0)
        return "a value is not empty";
    if (n > WL_PVALUE_MAX)
        return "a value is at most 127 characters";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c <= 0x20 || c >= 0x7f || c == '#')
            return "a value is printable ASCII without blanks or #";
    }
    if (n >= 6 && memcmp(v, "dword:", 6) == 0) {
        rc = number_parse((Word){v + 6, n - 6}, &x);
        if (rc == -1)
            return "dword: takes a number (decimal or 0x hex)";
        if (rc == -2 || x > UINT32_MAX)
            return "dword: out of range (0..4294967295)";
    }
    return NULL;
}

/* ---- the parser ----------------------------------------------------------- */

typedef struct Parser {
    Workload *w;
    unsigned line;
    const char *req; /* the request word, named in errors */
    char *err;
    size_t errlen;
    int started;        /* a request or seed came: too late for the version line */
    unsigned seed_line; /* where `seed` was given, 0 if not yet */
} Parser;

__attribute__((format(printf, 2, 3))) static int perr(Parser *p, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (!p->err || p->errlen == 0)
        return -1;
    if (p->req)
        n = snprintf(p->err, p->errlen, "line %u: %s: ", p->line, p->req);
    else
        n = snprintf(p->err, p->errlen, "line %u: ", p->line);
    if (n >= 0 && (size_t)n < p->errlen) {
        va_start(ap, fmt);
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Steps live in an array whose capacity follows from nsteps (16, then
 * doubled whenever nsteps reaches a power of two), so that workload_append
 * can grow a parsed workload without a capacity field. A caller that lowers
 * nsteps (the explorer deletes steps) leaves more room than the rule says,
 * never less. */
static int steps_grow(Workload *w)
{
    size_t n = w->nsteps, cap;
    WlStep *s;

    if (n != 0 && (n < 16 || (n & (n - 1)) != 0))
        return 0;
    cap = n == 0 ? 16 : n * 2;
    s = realloc(w->steps, cap * sizeof *s);
    if (!s)
        return -1;
    w->steps = s;
    return 0;
}

/* Refuse a line before it expands past WL_MAX_STEPS (no partial lines). */
static int steps_room(Parser *p, uint64_t more)
{
    uint64_t total = (uint64_t)p->w->nsteps + more;

    if (total > WL_MAX_STEPS)
        return perr(p, "the workload would expand to %" PRIu64 " steps; at most %u", total,
                    WL_MAX_STEPS);
    return 0;
}

static WlStep *step_push(Parser *p, WlKind kind)
{
    WlStep *s;

    if (steps_grow(p->w) != 0) {
        perr(p, "out of memory");
        return NULL;
    }
    s = &p->w->steps[p->w->nsteps++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->line = p->line;
    return s;
}

static int get_number(Parser *p, const char *key, Word v, uint64_t lo, uint64_t hi, uint64_t *out)
{
    int rc = number_parse(v, out);

    if (rc == -1)
        return perr(p, "%s%s: not a number (decimal or 0x hex)", key, quote(v).s);
    if (rc == -2 || *out < lo || *out > hi)
        return perr(p, "%s%s: out of range (%" PRIu64 "..%" PRIu64 ")", key, quote(v).s, lo, hi);
    return 0;
}

static int get_u32(Parser *p, const char *key, Word v, uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint64_t x;

    if (get_number(p, key, v, lo, hi, &x) != 0)
        return -1;
    *out = (uint32_t)x;
    return 0;
}

static int get_name(Parser *p, const char *key, Word v, const char *const *names, unsigned n,
                    unsigned *out)
{
    for (unsigned i = 0; i < n; i++)
        if (word_is(v, names[i])) {
            *out = i;
            return 0;
        }
    return perr(p, "%s%s: unknown (accepted: %s)", key, quote(v).s, join(names, n).s);
}

static int get_oid(Parser *p, Word v, uint32_t *oid)
{
    if (v.n > 0 && v.p[0] >= '0' && v.p[0] <= '9')
        return get_u32(p, "OID ", v, 0, UINT32_MAX, oid);
    if (oid_lookup(v, oid) == 0)
        return 0;
    return perr(p,
                "unknown OID '%s' (a number such as 0x00010107, or an NDIS 5 name such as "
                "OID_GEN_LINK_SPEED)",
                quote(v).s);
}

/* key=value parameters: each key of `keys` at most once, no others. */
#define MAX_KEYS 9
typedef struct Params {
    Word val[MAX_KEYS];
    unsigned has; /* bit i: keys[i] was given */
} Params;

static int params_parse(Parser *p, const Word *a, size_t n, const char *const *keys, Params *pr)
{
    memset(pr, 0, sizeof *pr);
    for (size_t i = 0; i < n; i++) {
        const char *eq = memchr(a[i].p, '=', a[i].n);
        Word k, v;
        size_t j;

        if (!eq)
            return perr(p, "'%s' is not key=value (keys: %s)", quote(a[i]).s,
                        join(keys, MAX_KEYS).s);
        k = (Word){a[i].p, (size_t)(eq - a[i].p)};
        v = (Word){eq + 1, a[i].n - k.n - 1};
        for (j = 0; j < MAX_KEYS && keys[j] && !word_is(k, keys[j]); j++)
            ;
        if (j == MAX_KEYS || !keys[j])
            return perr(p, "unknown key '%s' (keys: %s)", quote(k).s, join(keys, MAX_KEYS).s);
        if (pr->has & (1u << j))
            return perr(p, "%s= given twice", keys[j]);
        if (v.n == 0)
            return perr(p, "%s= has no value", keys[j]);
        pr->has |= 1u << j;
        pr->val[j] = v;
    }
    return 0;
}

/* len=A or len=A..B, both ends in WL_LEN_MIN..max, A <= B. */
static int get_len_range(Parser *p, Word v, uint32_t max, uint32_t *lo, uint32_t *hi,
                         int *is_range)
{
    size_t dots = 0;

    while (dots + 1 < v.n && !(v.p[dots] == '.' && v.p[dots + 1] == '.'))
        dots++;
    *is_range = dots + 1 < v.n;
    if (!*is_range) {
        if (get_u32(p, "len=", v, WL_LEN_MIN, max, lo) != 0)
            return -1;
        *hi = *lo;
        return 0;
    }
    if (dots == 0 || dots + 2 == v.n)
        return perr(p, "len=%s: a range needs both ends (len=A..B)", quote(v).s);
    if (get_u32(p, "len=", (Word){v.p, dots}, WL_LEN_MIN, max, lo) != 0 ||
        get_u32(p, "len=", (Word){v.p + dots + 2, v.n - dots - 2}, WL_LEN_MIN, max, hi) != 0)
        return -1;
    if (*lo > *hi)
        return perr(p, "len=%s: the range runs backwards (A must not exceed B)", quote(v).s);
    return 0;
}

typedef int (*RequestFn)(Parser *p, WlKind kind, const Word *a, size_t n);

/* init, reset, halt, reinit, shutdown */
static int req_bare(Parser *p, WlKind kind, const Word *a, size_t n)
{
    if (n != 0)
        return perr(p, "takes no arguments (got '%s')", quote(a[0]).s);
    if (steps_room(p, 1) != 0)
        return -1;
    return step_push(p, kind) ? 0 : -1;
}

enum { K_LEN, K_STEP, K_PAYLOAD, K_DEST, K_COUNT, K_BURST, K_FRAGS, K_PLACE, K_ARRIVE };
static const char *const send_keys[MAX_KEYS] = {"len",   "step",  "payload", "dest",  "count",
                                                "burst", "frags", "place",   "arrive"};
static const char *const receive_keys[MAX_KEYS] = {"len", "step", "payload", "dest", "burst"};

/* send / receive: one step per length of the range (times count= for a send). */
static int req_frames(Parser *p, WlKind kind, const Word *a, size_t n)
{
    const char *const *keys = kind == WL_SEND ? send_keys : receive_keys;
    Params pr;
    uint32_t lo = 0, hi = 0, step = 1, count = 1, reps, burst = 1, frags = 1;
    unsigned payload = WL_PAYLOAD_RANDOM, dest = kind == WL_SEND ? WL_DEST_OTHER : WL_DEST_SELF;
    unsigned place = 0;
    uint32_t arrive = 0;
    int is_range;

    if (params_parse(p, a, n, keys, &pr) != 0)
        return -1;
    if (!(pr.has & (1u << K_LEN)))
        return perr(p, "len= is required (len=N or len=A..B, %u..%u)", WL_LEN_MIN,
                    kind == WL_SEND ? WL_LEN_MAX : WL_FRAME_MAX);
    if (get_len_range(p, pr.val[K_LEN], kind == WL_SEND ? WL_LEN_MAX : WL_FRAME_MAX, &lo, &hi,
                      &is_range) != 0)
        return -1;
    if (pr.has & (1u << K_STEP)) {
        if (!is_range)
            return perr(p, "step= needs a range (len=A..B)");
        if (get_u32(p, "step=", pr.val[K_STEP], 1, WL_LEN_MAX - WL_LEN_MIN, &step) != 0)
            return -1;
    }
    if ((pr.has & (1u << K_PAYLOAD)) &&
        get_name(p, "payload=", pr.val[K_PAYLOAD], payload_names, NPAYLOADS, &payload) != 0)
        return -1;
    if ((pr.has & (1u << K_DEST)) &&
        get_name(p, "dest=", pr.val[K_DEST], dest_names, NDESTS, &dest) != 0)
        return -1;
    if (pr.has & (1u << K_COUNT)) {
        if (kind == WL_SEND ? get_u32(p, "count=", pr.val[K_COUNT], 1, WL_MAX_STEPS, &count)
                            : get_u32(p, "burst=", pr.val[K_COUNT], 1, WL_BURST_MAX, &count))
            return -1;
    }
    /* a send's burst= (packets in one MiniportSendPackets) and frags=
     * (NDIS_BUFFERs per packet), as protocols hand NDIS their frames */
    if (kind == WL_SEND && (pr.has & (1u << K_BURST)) &&
        get_u32(p, "burst=", pr.val[K_BURST], 1, WL_SEND_BURST_MAX, &burst) != 0)
        return -1;
    if (kind == WL_SEND && (pr.has & (1u << K_FRAGS)) &&
        get_u32(p, "frags=", pr.val[K_FRAGS], 1, WL_FRAGS_MAX, &frags) != 0)
        return -1;
    /* place=in-page: the OS's frame within one page, so a driver maps it in
     * one piece (what a spec does with its own copy; docs/extract.md) */
    if (kind == WL_SEND && (pr.has & (1u << K_PLACE)) &&
        get_name(p, "place=", pr.val[K_PLACE], place_names, NPLACES, &place) != 0)
        return -1;
    /* arrive=N: a frame of N bytes comes from the cable just before the
     * send, its interrupt not yet serviced (causes at once) */
    if (kind == WL_SEND && (pr.has & (1u << K_ARRIVE)) &&
        get_u32(p, "arrive=", pr.val[K_ARRIVE], WL_LEN_MIN, WL_FRAME_MAX, &arrive) != 0)
        return -1;
    reps = kind == WL_SEND ? count : 1;
    if (steps_room(p, (uint64_t)((hi - lo) / step + 1) * reps) != 0)
        return -1;
    for (uint32_t len = lo; len <= hi; len += step)
        for (uint32_t r = 0; r < reps; r++) {
            WlStep *s = step_push(p, kind);
            if (!s)
                return -1;
            s->len = len;
            s->payload = (WlPayload)payload;
            s->dest = (WlDest)dest;
            /* a send step is a burst of packets (usually one); a receive
             * step a burst of frames */
            s->count = kind == WL_SEND ? burst : count;
            s->frags = kind == WL_SEND ? frags : 0;
            s->in_page = kind == WL_SEND && place == 1;
            s->arrive = kind == WL_SEND ? arrive : 0;
        }
    return 0;
}

static int req_filter(Parser *p, WlKind kind, const Word *a, size_t n)
{
    uint32_t filter = 0;
    int none = 0;
    WlStep *s;

    if (n == 0)
        return perr(p, "needs at least one flag (directed multicast all-multicast broadcast "
                       "promiscuous, or none)");
    for (size_t i = 0; i < n; i++) {
        size_t f;

        if (word_is(a[i], "none")) {
            if (none)
                return perr(p, "none given twice");
            none = 1;
            continue;
        }
        for (f = 0; f < NFILTER_FLAGS && !word_is(a[i], filter_flags[f].name); f++)
            ;
        if (f == NFILTER_FLAGS)
            return perr(p,
                        "unknown flag '%s' (accepted: directed multicast all-multicast "
                        "broadcast promiscuous, or none)",
                        quote(a[i]).s);
        if (filter & filter_flags[f].bit)
            return perr(p, "%s given twice", filter_flags[f].name);
        filter |= filter_flags[f].bit;
    }
    if (none && n > 1)
        return perr(p, "none cannot be combined with other flags");
    if (steps_room(p, 1) != 0 || !(s = step_push(p, kind)))
        return -1;
    s->filter = filter;
    return 0;
}

static int req_multicast(Parser *p, WlKind kind, const Word *a, size_t n)
{
    unsigned op;
    uint8_t macs[WL_MAX_MACS][6];
    WlStep *s;

    if (n == 0)
        return perr(p, "needs add, remove or clear");
    if (get_name(p, "", a[0], mcast_op_names, NMCAST_OPS, &op) != 0)
        return -1;
    if (op == WL_MCAST_CLEAR && n > 1)
        return perr(p, "clear takes no addresses (got '%s')", quote(a[1]).s);
    if (op != WL_MCAST_CLEAR && n == 1)
        return perr(p, "%s needs at least one address (xx:xx:xx:xx:xx:xx)", mcast_op_names[op]);
    if (n - 1 > WL_MAX_MACS)
        return perr(p, "%zu addresses; at most %u on one line", n - 1, WL_MAX_MACS);
    for (size_t i = 1; i < n; i++) {
        uint8_t *mac = macs[i - 1];

        if (mac_parse(a[i], mac) != 0)
            return perr(p, "'%s': not a MAC address (xx:xx:xx:xx:xx:xx)", quote(a[i]).s);
        /* IEEE 802: the I/G bit (bit 0 of the first byte) marks a group address */
        if (!(mac[0] & 1))
            return perr(p, "%s: not a multicast address (the first byte must be odd)",
                        quote(a[i]).s);
        for (size_t j = 0; j + 1 < i; j++)
            if (memcmp(macs[j], mac, 6) == 0)
                return perr(p, "%s given twice", quote(a[i]).s);
    }
    if (steps_room(p, 1) != 0 || !(s = step_push(p, kind)))
        return -1;
    s->mcast_op = (WlMcastOp)op;
    s->nmacs = (uint32_t)(n - 1);
    memcpy(s->macs, macs, (n - 1) * 6);
    return 0;
}

/* query OID [len=N]: N is the InformationBufferLength, 1024 by default */
static int req_query(Parser *p, WlKind kind, const Word *a, size_t n)
{
    static const char *const keys[MAX_KEYS] = {"len"};
    uint32_t oid, buflen = WL_QUERY_BUF_MAX;
    Params pr;
    WlStep *s;

    if (n == 0)
        return perr(p, "needs an OID (query OID [len=N])");
    if (get_oid(p, a[0], &oid) != 0 || params_parse(p, a + 1, n - 1, keys, &pr) != 0)
        return -1;
    if ((pr.has & 1u) && get_u32(p, "len=", pr.val[0], 0, WL_QUERY_BUF_MAX, &buflen) != 0)
        return -1;
    if (steps_room(p, 1) != 0 || !(s = step_push(p, kind)))
        return -1;
    s->oid = oid;
    s->buflen = buflen;
    return 0;
}

/* A set value: hex:BYTES, a MAC (6 bytes) or a 32-bit number (4 bytes,
 * little-endian as NDIS hands a ULONG to MiniportSetInformation). */
static int get_value(Parser *p, Word v, uint8_t *value, uint32_t *value_len)
{
    uint64_t x;
    int rc;

    if (v.n >= 4 && memcmp(v.p, "hex:", 4) == 0) {
        size_t digits = v.n - 4;

        if (digits == 0)
            return perr(p, "hex: needs at least one byte (hex:0a0b...)");
        if (digits % 2)
            return perr(p, "%s: odd number of hex digits", quote(v).s);
        if (digits / 2 > WL_MAX_SET)
            return perr(p, "%s: %zu bytes; at most %u", quote(v).s, digits / 2, WL_MAX_SET);
        for (size_t i = 0; i < digits / 2; i++) {
            int hi = hex_digit((unsigned char)v.p[4 + 2 * i]);
            int lo = hex_digit((unsigned char)v.p[4 + 2 * i + 1]);
            if (hi < 0 || lo < 0)
                return perr(p, "%s: not a hex digit at byte %zu", quote(v).s, i);
            value[i] = (uint8_t)(hi << 4 | lo);
        }
        *value_len = (uint32_t)(digits / 2);
        return 0;
    }
    if (memchr(v.p, ':', v.n)) {
        if (mac_parse(v, value) != 0)
            return perr(p, "'%s': not a MAC address (xx:xx:xx:xx:xx:xx)", quote(v).s);
        *value_len = 6;
        return 0;
    }
    rc = number_parse(v, &x);
    if (rc == -1)
        return perr(p, "'%s': not a value (a number, a MAC xx:xx:xx:xx:xx:xx or hex:BYTES)",
                    quote(v).s);
    if (rc == -2 || x > UINT32_MAX)
        return perr(p, "%s: out of range (a number is 32 bits; hex:BYTES for longer values)",
                    quote(v).s);
    for (int i = 0; i < 4; i++)
        value[i] = (uint8_t)(x >> (8 * i));
    *value_len = 4;
    return 0;
}

static int req_set(Parser *p, WlKind kind, const Word *a, size_t n)
{
    uint32_t oid, value_len;
    uint8_t value[WL_MAX_SET];
    WlStep *s;

    if (n != 2)
        return perr(p, "takes an OID and a value (set OID VALUE), got %zu words", n);
    if (get_oid(p, a[0], &oid) != 0 || get_value(p, a[1], value, &value_len) != 0)
        return -1;
    if (steps_room(p, 1) != 0 || !(s = step_push(p, kind)))
        return -1;
    s->oid = oid;
    memcpy(s->value, value, value_len);
    s->value_len = value_len;
    return 0;
}

static int req_link(Parser *p, WlKind kind, const Word *a, size_t n)
{
    WlStep *s;
    int up;

    if (n != 1 || !(word_is(a[0], "up") || word_is(a[0], "down")))
        return perr(p, "expects up or down (link up, link down)");
    up = word_is(a[0], "up");
    if (steps_room(p, 1) != 0 || !(s = step_push(p, kind)))
        return -1;
    s->up = up;
    return 0;
}

static const char *const pnp_names[WL_PNP_COUNT] = {
    [WL_PNP_SURPRISE_REMOVAL] = "surprise-removal",
    [WL_PNP_POWER_AC] = "power-ac",
    [WL_PNP_POWER_BATTERY] = "power-battery",
};

static int req_pnp(Parser *p, WlKind kind, const Word *a, size_t n)
{
    unsigned ev;
    WlStep *s;

    if (n != 1)
        return perr(p, "needs one event (accepted: %s)", join(pnp_names, WL_PNP_COUNT).s);
    if (get_name(p, "", a[0], pnp_names, WL_PNP_COUNT, &ev) != 0)
        return -1;
    if (steps_room(p, 1) != 0 || !(s = step_push(p, kind)))
        return -1;
    s->pnp = (WlPnp)ev;
    return 0;
}

static int req_inject(Parser *p, WlKind kind, const Word *a, size_t n)
{
    static const char *const keys[MAX_KEYS] = {"count"};
    unsigned cond;
    uint32_t count;
    Params pr;
    WlStep *s;

    if (n == 0)
        return perr(p, "needs a condition (accepted: %s)", join(cond_names, WL_COND_COUNT).s);
    if (get_name(p, "", a[0], cond_names, WL_COND_COUNT, &cond) != 0)
        return -1;
    if (params_parse(p, a + 1, n - 1, keys, &pr) != 0)
        return -1;
    count = cond_default_count[cond];
    if (pr.has & 1u) {
        if (count == 0)
            return perr(p, "count= applies to rx-burst and rx-overflow only");
        if (get_u32(p, "count=", pr.val[0], 1, WL_BURST_MAX, &count) != 0)
            return -1;
    }
    if (steps_room(p, 1) != 0 || !(s = step_push(p, kind)))
        return -1;
    s->cond = (WlCondition)cond;
    s->count = count;
    return 0;
}

static int req_wait(Parser *p, WlKind kind, const Word *a, size_t n)
{
    static const char *const keys[MAX_KEYS] = {"ms"};
    Params pr;
    uint32_t ms;
    WlStep *s;

    if (params_parse(p, a, n, keys, &pr) != 0)
        return -1;
    if (!(pr.has & 1u))
        return perr(p, "ms= is required (wait ms=N, 1..%u)", WL_WAIT_MAX);
    if (get_u32(p, "ms=", pr.val[0], 1, WL_WAIT_MAX, &ms) != 0)
        return -1;
    if (steps_room(p, 1) != 0 || !(s = step_push(p, kind)))
        return -1;
    s->ms = ms;
    return 0;
}

/* fail EXPORT [nth=N]: which export is not checked here (the parser
 * knows no kernel); the executor refuses one without a failure rule. */
static int req_fail(Parser *p, WlKind kind, const Word *a, size_t n)
{
    static const char *const keys[MAX_KEYS] = {"nth"};
    const char *why;
    uint32_t nth = 1;
    Params pr;
    WlStep *s;

    if (n == 0)
        return perr(p, "needs an export name (fail EXPORT [nth=N])");
    if ((why = api_problem(a[0].p, a[0].n)))
        return perr(p, "'%s': %s", quote(a[0]).s, why);
    if (params_parse(p, a + 1, n - 1, keys, &pr) != 0)
        return -1;
    if ((pr.has & 1u) && get_u32(p, "nth=", pr.val[0], 1, WL_NTH_MAX, &nth) != 0)
        return -1;
    if (steps_room(p, 1) != 0 || !(s = step_push(p, kind)))
        return -1;
    memcpy(s->api, a[0].p, a[0].n);
    s->count = nth;
    return 0;
}

/* param NAME VALUE: kept verbatim, as `xdrv run --param NAME=VALUE` takes it */
static int req_param(Parser *p, WlKind kind, const Word *a, size_t n)
{
    const char *why;
    WlStep *s;

    if (n != 2)
        return perr(p, "takes a name and a value (param NAME VALUE), got %zu words", n);
    if ((why = pname_problem(a[0].p, a[0].n)))
        return perr(p, "'%s': %s", quote(a[0]).s, why);
    if ((why = pvalue_problem(a[1].p, a[1].n)))
        return perr(p, "'%s': %s (dword:N, or a word of text)", quote(a[1]).s, why);
    if (steps_room(p, 1) != 0 || !(s = step_push(p, kind)))
        return -1;
    memcpy(s->pname, a[0].p, a[0].n);
    memcpy(s->pvalue, a[1].p, a[1].n);
    return 0;
}

static int req_seed(Parser *p, WlKind kind, const Word *a, size_t n)
{
    (void)kind;
    if (n != 1)
        return perr(p, "takes one number (seed N)");
    if (p->seed_line)
        return perr(p, "given twice (first on line %u)", p->seed_line);
    if (get_number(p, "", a[0], 0, UINT64_MAX, &p->w->seed) != 0)
        return -1;
    p->seed_line = p->line;
    return 0;
}

static const struct Request {
    const char *name;
    WlKind kind;
    RequestFn fn;
} requests[] = {
    {"init", WL_INIT, req_bare},
    {"reset", WL_RESET, req_bare},
    {"halt", WL_HALT, req_bare},
    {"reinit", WL_REINIT, req_bare},
    {"shutdown", WL_SHUTDOWN, req_bare},
    {"pnp", WL_PNP, req_pnp},
    {"link", WL_LINK, req_link},
    {"wait", WL_WAIT, req_wait},
    {"send", WL_SEND, req_frames},
    {"receive", WL_RECEIVE, req_frames},
    {"filter", WL_FILTER, req_filter},
    {"multicast", WL_MULTICAST, req_multicast},
    {"query", WL_QUERY, req_query},
    {"set", WL_SET, req_set},
    {"inject", WL_INJECT, req_inject},
    {"fail", WL_FAIL, req_fail},
    {"param", WL_PARAM, req_param},
    {"seed", WL_KIND_COUNT, req_seed},
};
#define NREQUESTS (sizeof requests / sizeof requests[0])

static int parse_version(Parser *p, const Word *a, size_t n)
{
    uint64_t v;

    if (p->started)
        return perr(p, "xdrv-workload must be the first line (before any request)");
    p->started = 1;
    if (n != 1 || number_parse(a[0], &v) != 0)
        return perr(p, "xdrv-workload takes one version number (xdrv-workload %u)", WL_VERSION);
    if (v != WL_VERSION)
        return perr(p, "unsupported workload version %s (this xdrv reads version %u)",
                    quote(a[0]).s, WL_VERSION);
    return 0;
}

static int parse_line(Parser *p, const Word *words, size_t n)
{
    const char *names[NREQUESTS];

    p->req = NULL;
    if (word_is(words[0], "xdrv-workload"))
        return parse_version(p, words + 1, n - 1);
    p->started = 1;
    for (size_t i = 0; i < NREQUESTS; i++) {
        if (word_is(words[0], requests[i].name)) {
            p->req = requests[i].name;
            return requests[i].fn(p, requests[i].kind, words + 1, n - 1);
        }
        names[i] = requests[i].name;
    }
    return perr(p, "unknown request '%s' (accepted: %s)", quote(words[0]).s,
                join(names, NREQUESTS).s);
}

static int is_blank(char c)
{
    /* \r too, so that files with CRLF line ends read the same */
    return c == ' ' || c == '\t' || c == '\r';
}

int workload_parse(const char *text, size_t len, const char *name, Workload *w, char *err,
                   size_t errlen)
{
    Parser p = {.w = w, .err = err, .errlen = errlen};
    size_t pos = 0;

    memset(w, 0, sizeof *w);
    w->seed = 1;
    snprintf(w->name, sizeof w->name, "%s", name ? name : "");
    if (err && errlen)
        err[0] = '\0';
    if (!text)
        len = 0;
    /* the text ends after len bytes or at a NUL, whichever comes first */
    while (pos < len && text[pos] != '\0') {
        Word words[WL_MAX_WORDS];
        size_t nw = 0, end = pos, i;

        p.line++;
        p.req = NULL;
        while (end < len && text[end] != '\n' && text[end] != '\0')
            end++;
        for (i = pos; i < end && text[i] != '#';) {
            size_t start;

            if (is_blank(text[i])) {
                i++;
                continue;
            }
            if (nw == WL_MAX_WORDS) {
                perr(&p, "more than %d words", WL_MAX_WORDS);
                goto fail;
            }
            for (start = i; i < end && text[i] != '#' && !is_blank(text[i]); i++)
                ;
            words[nw++] = (Word){text + start, i - start};
        }
        pos = end < len && text[end] == '\n' ? end + 1 : end;
        if (nw > 0 && parse_line(&p, words, nw) != 0)
            goto fail;
    }
    return 0;
fail:
    free(w->steps);
    w->steps = NULL;
    w->nsteps = 0;
    return -1;
}

/* ---- steps ---------------------------------------------------------------- */

static int check_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int check_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

int workload_check_step(const WlStep *s, char *err, size_t errlen)
{
    const char *k = workload_kind_name(s->kind);

    if ((unsigned)s->kind >= WL_KIND_COUNT)
        return check_err(err, errlen, "step kind %u: unknown", (unsigned)s->kind);
    switch (s->kind) {
    case WL_SEND:
    case WL_RECEIVE:
        if (s->len < WL_LEN_MIN || s->len > (s->kind == WL_SEND ? WL_LEN_MAX : WL_FRAME_MAX))
            return check_err(err, errlen, "%s: len=%" PRIu32 ": out of range (%u..%u)", k, s->len,
                             WL_LEN_MIN, s->kind == WL_SEND ? WL_LEN_MAX : WL_FRAME_MAX);
        if ((unsigned)s->payload >= NPAYLOADS)
            return check_err(err, errlen, "%s: payload %u: unknown", k, (unsigned)s->payload);
        if ((unsigned)s->dest >= NDESTS)
            return check_err(err, errlen, "%s: dest %u: unknown", k, (unsigned)s->dest);
        if (s->kind == WL_RECEIVE && (s->count < 1 || s->count > WL_BURST_MAX))
            return check_err(err, errlen, "receive: burst=%" PRIu32 ": out of range (1..%u)",
                             s->count, WL_BURST_MAX);
        if (s->kind == WL_SEND && (s->count < 1 || s->count > WL_SEND_BURST_MAX))
            return check_err(err, errlen, "send: burst=%" PRIu32 ": out of range (1..%u)",
                             s->count, WL_SEND_BURST_MAX);
        if (s->kind == WL_SEND && (s->frags < 1 || s->frags > WL_FRAGS_MAX))
            return check_err(err, errlen, "send: frags=%" PRIu32 ": out of range (1..%u)",
                             s->frags, WL_FRAGS_MAX);
        if (s->kind == WL_SEND && s->arrive && (s->arrive < WL_LEN_MIN || s->arrive > WL_FRAME_MAX))
            return check_err(err, errlen, "send: arrive=%" PRIu32 ": out of range (%u..%u)",
                             s->arrive, WL_LEN_MIN, WL_FRAME_MAX);
        return 0;
    case WL_FILTER:
        if (s->filter & ~FILTER_ALL)
            return check_err(err, errlen,
                             "filter: 0x%08" PRIx32 " has bits outside directed multicast "
                             "all-multicast broadcast promiscuous",
                             s->filter);
        return 0;
    case WL_MULTICAST:
        if ((unsigned)s->mcast_op >= NMCAST_OPS)
            return check_err(err, errlen, "multicast: op %u: unknown", (unsigned)s->mcast_op);
        if (s->mcast_op == WL_MCAST_CLEAR)
            return s->nmacs == 0
                       ? 0
                       : check_err(err, errlen, "multicast clear: carries %" PRIu32 " addresses",
                                   s->nmacs);
        if (s->nmacs < 1 || s->nmacs > WL_MAX_MACS)
            return check_err(err, errlen, "multicast: %" PRIu32 " addresses (1..%u)", s->nmacs,
                             WL_MAX_MACS);
        for (uint32_t i = 0; i < s->nmacs; i++) {
            if (!(s->macs[i][0] & 1))
                return check_err(err, errlen, "multicast: address %" PRIu32 " is not multicast", i);
            for (uint32_t j = 0; j < i; j++)
                if (memcmp(s->macs[i], s->macs[j], 6) == 0)
                    return check_err(err, errlen, "multicast: address %" PRIu32 " given twice", i);
        }
        return 0;
    case WL_SET:
        if (s->value_len < 1 || s->value_len > WL_MAX_SET)
            return check_err(err, errlen, "set: value of %" PRIu32 " bytes (1..%u)", s->value_len,
                             WL_MAX_SET);
        return 0;
    case WL_INJECT:
        if ((unsigned)s->cond >= WL_COND_COUNT)
            return check_err(err, errlen, "inject: condition %u: unknown", (unsigned)s->cond);
        if (cond_default_count[s->cond] && (s->count < 1 || s->count > WL_BURST_MAX))
            return check_err(err, errlen, "inject %s: count=%" PRIu32 ": out of range (1..%u)",
                             cond_names[s->cond], s->count, WL_BURST_MAX);
        return 0;
    case WL_WAIT:
        if (s->ms < 1 || s->ms > WL_WAIT_MAX)
            return check_err(err, errlen, "wait: ms=%" PRIu32 ": out of range (1..%u)", s->ms,
                             WL_WAIT_MAX);
        return 0;
    case WL_QUERY:
        if (s->buflen > WL_QUERY_BUF_MAX)
            return check_err(err, errlen, "query: len=%" PRIu32 ": out of range (0..%u)", s->buflen,
                             WL_QUERY_BUF_MAX);
        return 0;
    case WL_FAIL: {
        size_t n = strnlen(s->api, sizeof s->api);
        const char *why = n < sizeof s->api ? api_problem(s->api, n) : "no NUL in api[]";

        if (why)
            return check_err(err, errlen, "fail: %s", why);
        if (s->count < 1 || s->count > WL_NTH_MAX)
            return check_err(err, errlen, "fail: nth=%" PRIu32 ": out of range (1..%u)", s->count,
                             WL_NTH_MAX);
        return 0;
    }
    case WL_PARAM: {
        size_t n = strnlen(s->pname, sizeof s->pname), v = strnlen(s->pvalue, sizeof s->pvalue);
        const char *why = n < sizeof s->pname ? pname_problem(s->pname, n) : "no NUL in pname[]";

        if (!why)
            why = v < sizeof s->pvalue ? pvalue_problem(s->pvalue, v) : "no NUL in pvalue[]";
        return why ? check_err(err, errlen, "param: %s", why) : 0;
    }
    case WL_PNP:
        if ((unsigned)s->pnp >= WL_PNP_COUNT)
            return check_err(err, errlen, "pnp: event %u: unknown", (unsigned)s->pnp);
        return 0;
    case WL_INIT:
    case WL_LINK:
    case WL_RESET:
    case WL_HALT:
    case WL_REINIT:
    case WL_SHUTDOWN:
    case WL_KIND_COUNT:
        return 0;
    }
    return 0;
}

/* The fields of the step's kind, the rest zero: what the parser makes. */
static void step_canonical(WlStep *d, const WlStep *s)
{
    memset(d, 0, sizeof *d);
    d->kind = s->kind;
    d->line = s->line;
    switch (s->kind) {
    case WL_SEND:
    case WL_RECEIVE:
        d->len = s->len;
        d->payload = s->payload;
        d->dest = s->dest;
        d->count = s->count;
        d->frags = s->kind == WL_SEND ? s->frags : 0;
        d->in_page = s->kind == WL_SEND && s->in_page;
        d->arrive = s->kind == WL_SEND ? s->arrive : 0;
        break;
    case WL_FILTER:
        d->filter = s->filter;
        break;
    case WL_MULTICAST:
        d->mcast_op = s->mcast_op;
        d->nmacs = s->nmacs;
        memcpy(d->macs, s->macs, (size_t)s->nmacs * 6);
        break;
    case WL_QUERY:
        d->oid = s->oid;
        d->buflen = s->buflen;
        break;
    case WL_FAIL:
        /* up to the NUL: the bytes after it are not part of the step */
        memcpy(d->api, s->api, strnlen(s->api, sizeof s->api));
        d->count = s->count;
        break;
    case WL_PARAM:
        memcpy(d->pname, s->pname, strnlen(s->pname, sizeof s->pname));
        memcpy(d->pvalue, s->pvalue, strnlen(s->pvalue, sizeof s->pvalue));
        break;
    case WL_SET:
        d->oid = s->oid;
        d->value_len = s->value_len;
        memcpy(d->value, s->value, s->value_len);
        break;
    case WL_LINK:
        d->up = s->up != 0;
        break;
    case WL_INJECT:
        d->cond = s->cond;
        d->count = cond_default_count[s->cond] ? s->count : 0;
        break;
    case WL_WAIT:
        d->ms = s->ms;
        break;
    case WL_PNP:
        d->pnp = s->pnp;
        break;
    case WL_INIT:
    case WL_RESET:
    case WL_HALT:
    case WL_REINIT:
    case WL_SHUTDOWN:
    case WL_KIND_COUNT:
        break;
    }
}

int workload_append(Workload *w, const WlStep *s)
{
    if (workload_check_step(s, NULL, 0) != 0 || w->nsteps >= WL_MAX_STEPS || steps_grow(w) != 0)
        return -1;
    step_canonical(&w->steps[w->nsteps++], s);
    return 0;
}

void workload_free(Workload *w)
{
    if (!w)
        return;
    free(w->steps);
    w->steps = NULL;
    w->nsteps = 0;
}

/* ---- formatting ----------------------------------------------------------- */

typedef struct Out {
    char *buf;
    size_t len;
    size_t n; /* what the whole line needs, even past len */
} Out;

__attribute__((format(printf, 2, 3))) static void outf(Out *o, const char *fmt, ...)
{
    va_list ap;
    int r;

    va_start(ap, fmt);
    r = vsnprintf(o->n < o->len ? o->buf + o->n : NULL, o->n < o->len ? o->len - o->n : 0, fmt, ap);
    va_end(ap);
    if (r > 0)
        o->n += (size_t)r;
}

static void out_mac(Out *o, const uint8_t m[6])
{
    outf(o, " %02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

int workload_format_step(const WlStep *s, char *buf, size_t len)
{
    Out o = {buf, len, 0};

    outf(&o, "%s", workload_kind_name(s->kind));
    switch (s->kind) {
    case WL_SEND:
    case WL_RECEIVE:
        outf(&o, " len=%" PRIu32 " payload=%s dest=%s", s->len,
             name_of(payload_names, NPAYLOADS, s->payload), name_of(dest_names, NDESTS, s->dest));
        if (s->count != 1)
            outf(&o, " burst=%" PRIu32, s->count);
        if (s->kind == WL_SEND && s->frags != 1)
            outf(&o, " frags=%" PRIu32, s->frags);
        if (s->kind == WL_SEND && s->in_page)
            outf(&o, " place=in-page");
        if (s->kind == WL_SEND && s->arrive)
            outf(&o, " arrive=%" PRIu32, s->arrive);
        break;
    case WL_FILTER:
        if (s->filter == 0)
            outf(&o, " none");
        for (size_t i = 0; i < NFILTER_FLAGS; i++)
            if (s->filter & filter_flags[i].bit)
                outf(&o, " %s", filter_flags[i].name);
        break;
    case WL_MULTICAST:
        outf(&o, " %s", name_of(mcast_op_names, NMCAST_OPS, s->mcast_op));
        for (uint32_t i = 0; i < s->nmacs && i < WL_MAX_MACS; i++)
            out_mac(&o, s->macs[i]);
        break;
    case WL_QUERY:
        outf(&o, " %s", workload_oid_name(s->oid));
        if (s->buflen != WL_QUERY_BUF_MAX)
            outf(&o, " len=%" PRIu32, s->buflen);
        break;
    case WL_FAIL:
        outf(&o, " %.*s", (int)sizeof s->api, s->api);
        if (s->count != 1)
            outf(&o, " nth=%" PRIu32, s->count);
        break;
    case WL_PARAM:
        outf(&o, " %.*s %.*s", (int)sizeof s->pname, s->pname, (int)sizeof s->pvalue, s->pvalue);
        break;
    case WL_SET:
        outf(&o, " %s", workload_oid_name(s->oid));
        /* the shortest form that gives the same bytes back */
        if (s->value_len == 4)
            outf(&o, " 0x%02x%02x%02x%02x", s->value[3], s->value[2], s->value[1], s->value[0]);
        else if (s->value_len == 6)
            out_mac(&o, s->value);
        else {
            outf(&o, " hex:");
            for (uint32_t i = 0; i < s->value_len && i < WL_MAX_SET; i++)
                outf(&o, "%02x", s->value[i]);
        }
        break;
    case WL_LINK:
        outf(&o, " %s", s->up ? "up" : "down");
        break;
    case WL_INJECT:
        outf(&o, " %s", workload_condition_name(s->cond));
        if ((unsigned)s->cond < WL_COND_COUNT && cond_default_count[s->cond])
            outf(&o, " count=%" PRIu32, s->count);
        break;
    case WL_WAIT:
        outf(&o, " ms=%" PRIu32, s->ms);
        break;
    case WL_PNP:
        outf(&o, " %s", name_of(pnp_names, WL_PNP_COUNT, s->pnp));
        break;
    case WL_INIT:
    case WL_RESET:
    case WL_HALT:
    case WL_REINIT:
    case WL_SHUTDOWN:
    case WL_KIND_COUNT:
        break;
    }
    if (o.n >= len || o.n > INT_MAX)
        return -1;
    return (int)o.n;
}

char *workload_format(const Workload *w)
{
    size_t cap = 64 + w->nsteps * 48, n;
    char *out = malloc(cap), line[WL_LINE_MAX];

    if (!out)
        return NULL;
    n = (size_t)snprintf(out, cap, "xdrv-workload %u\nseed %" PRIu64 "\n", WL_VERSION, w->seed);
    for (size_t i = 0; i < w->nsteps; i++) {
        int r = workload_format_step(&w->steps[i], line, sizeof line);

        if (r < 0) {
            free(out);
            return NULL;
        }
        if (n + (size_t)r + 2 > cap) {
            char *bigger;

            cap = (n + (size_t)r + 2) * 2;
            bigger = realloc(out, cap);
            if (!bigger) {
                free(out);
                return NULL;
            }
            out = bigger;
        }
        memcpy(out + n, line, (size_t)r);
        n += (size_t)r;
        out[n++] = '\n';
    }
    out[n] = '\0';
    return out;
}

/* ---- frames --------------------------------------------------------------- */

/* splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014; Vigna's reference splitmix64.c): small, and
 * every state gives a well-mixed output, so nearby seeds do not correlate. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const uint8_t mac_peer[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t mac_other[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
/* IPv4 group 239.107.192.17's MAC (RFC 1112 6.4): one no workload adds */
static const uint8_t mac_group[6] = {0x01, 0x00, 0x5e, 0x6b, 0xc0, 0x11};
static const uint8_t mac_broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mac_multicast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

/* The first address of the latest `multicast add` before step `index`. */
static const uint8_t *multicast_dest(const Workload *w, size_t index)
{
    size_t i = w && index < w->nsteps ? index : w ? w->nsteps : 0;

    while (i-- > 0) {
        const WlStep *s = &w->steps[i];
        if (s->kind == WL_MULTICAST && s->mcast_op == WL_MCAST_ADD && s->nmacs > 0)
            return s->macs[0];
    }
    return mac_multicast;
}

WlStep workload_arrival(const WlStep *send)
{
    WlStep a = *send;
    a.kind = WL_RECEIVE;
    a.len = send->arrive;
    a.dest = WL_DEST_SELF;
    return a;
}

void workload_frame(const Workload *w, size_t index, const WlStep *s, const uint8_t own[6],
                    uint8_t *frame)
{
    const uint8_t *dst, *src = s->kind == WL_SEND ? own : mac_peer;
    uint8_t hdr[WL_LEN_MIN];
    size_t len = s->len, i = WL_LEN_MIN;

    switch (s->dest) {
    case WL_DEST_SELF:
        /* a send "to self" goes to the peer: the adapter's own address is
         * where receives come in (WlDest) */
        dst = s->kind == WL_SEND ? mac_peer : own;
        break;
    case WL_DEST_BROADCAST:
        dst = mac_broadcast;
        break;
    case WL_DEST_MULTICAST:
        dst = multicast_dest(w, index);
        break;
    case WL_DEST_GROUP:
        dst = mac_group;
        break;
    case WL_DEST_OTHER:
    default:
        dst = mac_other;
        break;
    }
    memcpy(hdr, dst, 6);
    memcpy(hdr + 6, src, 6);
    hdr[12] = (uint8_t)(WL_ETHERTYPE >> 8);
    hdr[13] = (uint8_t)WL_ETHERTYPE;
    memcpy(frame, hdr, len < WL_LEN_MIN ? len : WL_LEN_MIN);
    switch (s->payload) {
    case WL_PAYLOAD_ZERO:
        if (len > i)
            memset(frame + i, 0, len - i);
        break;
    case WL_PAYLOAD_COUNTER:
        for (size_t k = 0; i < len; i++, k++)
            frame[i] = (uint8_t)k;
        break;
    case WL_PAYLOAD_RANDOM:
    default: {
        /* the seed goes through the generator once so that (seed, index)
         * and (seed ^ 1, index ^ 1) do not share a stream */
        uint64_t x = w ? w->seed : 1, state = splitmix64(&x) ^ (uint64_t)index;

        while (i < len) {
            uint64_t r = splitmix64(&state);
            for (int b = 0; b < 8 && i < len; b++, i++)
                frame[i] = (uint8_t)(r >> (8 * b));
        }
        break;
    }
    }
}

/* ---- built-in suites ------------------------------------------------------ */

/* One realistic session of a protocol bound to the adapter: every request
 * kind, every filter flag, every payload and destination in both
 * directions, the length boundaries, every injected condition, a reset, a
 * wait long enough for CheckForHang (NDIS calls it every 2 s by default),
 * a halt and a second life after reinit. */
static const char suite_standard[] =
    "xdrv-workload 1\n"
    "# standard: one session touching every request kind and condition\n"
    "seed 1\n"
    "\n"
    "# bring-up, then what NDIS and a protocol ask first\n"
    "init\n"
    "query OID_GEN_SUPPORTED_LIST\n"
    "query OID_GEN_HARDWARE_STATUS\n"
    "query OID_GEN_MEDIA_SUPPORTED\n"
    "query OID_GEN_MEDIA_IN_USE\n"
    "query OID_GEN_MAXIMUM_LOOKAHEAD\n"
    "query OID_GEN_MAXIMUM_FRAME_SIZE\n"
    "query OID_GEN_LINK_SPEED\n"
    "query OID_GEN_TRANSMIT_BUFFER_SPACE\n"
    "query OID_GEN_RECEIVE_BUFFER_SPACE\n"
    "query OID_GEN_TRANSMIT_BLOCK_SIZE\n"
    "query OID_GEN_RECEIVE_BLOCK_SIZE\n"
    "query OID_GEN_VENDOR_ID\n"
    "query OID_GEN_VENDOR_DESCRIPTION\n"
    "query OID_GEN_CURRENT_PACKET_FILTER\n"
    "query OID_GEN_CURRENT_LOOKAHEAD\n"
    "query OID_GEN_DRIVER_VERSION\n"
    "query OID_GEN_MAXIMUM_TOTAL_SIZE\n"
    "query OID_GEN_MAC_OPTIONS\n"
    "query OID_GEN_MEDIA_CONNECT_STATUS\n"
    "query OID_GEN_MAXIMUM_SEND_PACKETS\n"
    "query OID_GEN_VENDOR_DRIVER_VERSION\n"
    "query OID_802_3_PERMANENT_ADDRESS\n"
    "query OID_802_3_CURRENT_ADDRESS\n"
    "query OID_802_3_MULTICAST_LIST\n"
    "query OID_802_3_MAXIMUM_LIST_SIZE\n"
    "query OID_PNP_CAPABILITIES\n"
    "query 0x00ffff01              # an OID nobody defines: NDIS_STATUS_INVALID_OID expected\n"
    "\n"
    "# the filter a protocol sets: other stations and groups are dropped\n"
    "filter directed broadcast\n"
    "receive len=60 dest=self\n"
    "receive len=60 dest=broadcast\n"
    "receive len=60 dest=multicast  # no multicast flag: dropped\n"
    "receive len=60 dest=other      # not ours: dropped\n"
    "\n"
    "# sends across the length range, then the boundaries\n"
    "send len=60..1514 step=97\n"
    "send len=14                    # the header alone: the chip pads it\n"
    "send len=59                    # one short of the 60-byte minimum\n"
    "send len=60\n"
    "send len=61\n"
    "send len=1513\n"
    "send len=1514\n"
    "send len=60 payload=zero\n"
    "send len=1514 payload=counter\n"
    "send len=128 payload=counter dest=self\n"
    "send len=128 dest=broadcast\n"
    "send len=128 dest=multicast\n"
    "send len=64 count=8            # back to back: the transmit ring fills\n"
    "\n"
    "# receives across the range, every payload\n"
    "receive len=60..1514 step=97\n"
    "receive len=14\n"
    "receive len=59\n"
    "receive len=61\n"
    "receive len=1514 payload=zero\n"
    "receive len=1514 payload=counter\n"
    "\n"
    "# multicast: the list decides which groups pass\n"
    "filter directed broadcast multicast\n"
    "multicast add 01:00:5e:00:00:01 01:00:5e:00:00:fb 33:33:00:00:00:01\n"
    "query OID_802_3_MULTICAST_LIST\n"
    "receive len=60 dest=multicast  # listed: passes\n"
    "multicast remove 01:00:5e:00:00:fb\n"
    "multicast add 01:00:5e:7f:ff:fa\n"
    "receive len=60 dest=multicast  # to 01:00:5e:7f:ff:fa, listed\n"
    "multicast remove 01:00:5e:7f:ff:fa\n"
    "receive len=60 dest=multicast  # removed: dropped unless its hash bucket is shared\n"
    "send len=60 dest=multicast\n"
    "\n"
    "# all-multicast passes every group, promiscuous everything\n"
    "filter directed broadcast all-multicast\n"
    "receive len=60 dest=multicast\n"
    "receive len=60 dest=other      # still dropped\n"
    "filter directed broadcast promiscuous\n"
    "receive len=60 dest=other      # passes now\n"
    "receive len=60..1514 step=291 dest=other payload=counter\n"
    "receive len=60 dest=multicast\n"
    "multicast clear\n"
    "filter directed\n"
    "receive len=60 dest=broadcast  # no broadcast flag: dropped\n"
    "receive len=60 dest=self\n"
    "filter none\n"
    "receive len=60 dest=self       # nothing passes\n"
    "filter directed broadcast multicast\n"
    "\n"
    "# bursts: frames arrive before the driver gets to run\n"
    "receive len=60 burst=32\n"
    "receive len=1514 burst=16 payload=counter\n"
    "\n"
    "# sets: every value form\n"
    "set OID_GEN_CURRENT_LOOKAHEAD 128\n"
    "receive len=1514               # more than the lookahead\n"
    "receive len=1518               # an 802.1Q-tagged frame's length: more than untagged\n"
    "receive len=60 dest=group      # a multicast group nobody joined\n"
    "set OID_GEN_CURRENT_LOOKAHEAD 256 # back to what the binding set\n"
    "set OID_GEN_CURRENT_PACKET_FILTER 0x0000000b\n"
    "set OID_802_3_MULTICAST_LIST 01:00:5e:00:00:01\n"
    "set OID_802_3_MULTICAST_LIST hex:01005e00000101005e0000fb\n"
    "receive len=60 dest=multicast\n"
    "\n"
    "# statistics after traffic\n"
    "query OID_GEN_XMIT_OK\n"
    "query OID_GEN_RCV_OK\n"
    "query OID_GEN_XMIT_ERROR\n"
    "query OID_GEN_RCV_ERROR\n"
    "query OID_GEN_RCV_NO_BUFFER\n"
    "query OID_802_3_RCV_ERROR_ALIGNMENT\n"
    "query OID_802_3_XMIT_ONE_COLLISION\n"
    "query OID_802_3_XMIT_MORE_COLLISIONS\n"
    "\n"
    "# the cable\n"
    "link down\n"
    "query OID_GEN_MEDIA_CONNECT_STATUS\n"
    "send len=60                    # no carrier: fails or waits\n"
    "wait ms=500\n"
    "link up\n"
    "query OID_GEN_MEDIA_CONNECT_STATUS\n"
    "send len=60\n"
    "receive len=60\n"
    "\n"
    "# device-side conditions, each followed by traffic to see recovery\n"
    "inject rx-overflow\n"
    "receive len=60\n"
    "inject tx-error\n"
    "send len=60\n"
    "send len=60\n"
    "inject tx-underrun\n"
    "send len=1514\n"
    "send len=60\n"
    "inject rx-burst\n"
    "receive len=60\n"
    "inject rx-burst count=200\n"
    "inject spurious-interrupt\n"
    "send len=60\n"
    "receive len=60\n"
    "inject link-loss-send\n"
    "inject rx-crc-error\n"
    "send len=1514\n"
    "send len=60\n"
    "inject rx-overflow count=512\n"
    "receive len=60\n"
    "query OID_GEN_XMIT_ERROR\n"
    "query OID_GEN_RCV_ERROR\n"
    "query OID_GEN_RCV_NO_BUFFER\n"
    "\n"
    "# reset, then long enough for CheckForHang and the watchdog timers\n"
    "reset\n"
    "query OID_GEN_MEDIA_CONNECT_STATUS\n"
    "send len=60\n"
    "receive len=60\n"
    "wait ms=2500\n"
    "send len=1514 payload=zero\n"
    "receive len=1514 payload=zero\n"
    "\n"
    "# halt, a second life, and a restart while running\n"
    "halt\n"
    "reinit\n"
    "query OID_802_3_CURRENT_ADDRESS\n"
    "send len=60\n"
    "send len=1514 payload=counter\n"
    "receive len=60\n"
    "reinit                         # running: halt, then initialize\n"
    "send len=60\n"
    "receive len=60 dest=broadcast\n"
    "\n"
    "# buffers too short for the answer: NDIS_STATUS_INVALID_LENGTH or\n"
    "# NDIS_STATUS_BUFFER_TOO_SHORT, and BytesNeeded\n"
    "query OID_GEN_LINK_SPEED len=0\n"
    "query OID_802_3_CURRENT_ADDRESS len=2\n"
    "\n"
    "# as protocols hand frames over: arrays of packets, chains of buffers\n"
    "send len=1514 frags=3\n"
    "send len=60..1514 step=363 burst=8 frags=2 payload=counter\n"
    "\n"
    "# a wedged chip: its next software reset never completes (MiniportReset\n"
    "# should fail and say so); a reinit gives the driver a working chip again\n"
    "inject reset-hang\n"
    "reset\n"
    "reinit\n"
    "send len=60\n"
    "\n"
    "# power and Plug and Play: the laptop unplugged and plugged, then the\n"
    "# card pulled out (NDIS halts the adapter after a surprise removal)\n"
    "pnp power-battery\n"
    "pnp power-ac\n"
    "pnp surprise-removal\n"
    "halt\n";

/* Four receives, one per destination, to see what a filter lets through. */
#define RX4                                                                                        \
    "receive len=60 dest=self\n"                                                                   \
    "receive len=60 dest=broadcast\n"                                                              \
    "receive len=60 dest=multicast\n"                                                              \
    "receive len=60 dest=other\n"

/* Every length both ways, then every packet filter (the 32 combinations of
 * the five flags, in bit order) against every destination. */
/* clang-format off */
static const char suite_sweep[] =
    "xdrv-workload 1\n"
    "# sweep: every frame length both ways, every packet filter\n"
    "seed 1\n"
    "init\n"
    "multicast add 01:00:5e:00:00:01 # so that multicast frames can match the list\n"
    "send len=14..1514\n"
    "receive len=14..1514\n"
    "filter none\n" RX4
    "filter directed\n" RX4
    "filter multicast\n" RX4
    "filter directed multicast\n" RX4
    "filter all-multicast\n" RX4
    "filter directed all-multicast\n" RX4
    "filter multicast all-multicast\n" RX4
    "filter directed multicast all-multicast\n" RX4
    "filter broadcast\n" RX4
    "filter directed broadcast\n" RX4
    "filter multicast broadcast\n" RX4
    "filter directed multicast broadcast\n" RX4
    "filter all-multicast broadcast\n" RX4
    "filter directed all-multicast broadcast\n" RX4
    "filter multicast all-multicast broadcast\n" RX4
    "filter directed multicast all-multicast broadcast\n" RX4
    "filter promiscuous\n" RX4
    "filter directed promiscuous\n" RX4
    "filter multicast promiscuous\n" RX4
    "filter directed multicast promiscuous\n" RX4
    "filter all-multicast promiscuous\n" RX4
    "filter directed all-multicast promiscuous\n" RX4
    "filter multicast all-multicast promiscuous\n" RX4
    "filter directed multicast all-multicast promiscuous\n" RX4
    "filter broadcast promiscuous\n" RX4
    "filter directed broadcast promiscuous\n" RX4
    "filter multicast broadcast promiscuous\n" RX4
    "filter directed multicast broadcast promiscuous\n" RX4
    "filter all-multicast broadcast promiscuous\n" RX4
    "filter directed all-multicast broadcast promiscuous\n" RX4
    "filter multicast all-multicast broadcast promiscuous\n" RX4
    "filter directed multicast all-multicast broadcast promiscuous\n" RX4
    "halt\n";
/* clang-format on */

static const struct {
    const char *name;
    const char *text;
} builtins[] = {
    {"standard", suite_standard},
    {"sweep", suite_sweep},
};
#define NBUILTINS (sizeof builtins / sizeof builtins[0])

const char *workload_builtin_name(unsigned i)
{
    return i < NBUILTINS ? builtins[i].name : NULL;
}

const char *workload_builtin_text(const char *name)
{
    for (size_t i = 0; name && i < NBUILTINS; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return builtins[i].text;
    return NULL;
}

/* ---- files ---------------------------------------------------------------- */

/* The whole file, refused past WL_FILE_MAX bytes (a workload is text a
 * person or the explorer wrote; anything that large is a wrong path). */
static char *file_read(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 4096, n = 0, r;
    char *buf, *bigger;

    if (!f) {
        check_err(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n > WL_FILE_MAX)
            break;
        if (n == cap) {
            bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    if (!buf)
        check_err(err, errlen, "%s: out of memory", path);
    else if (n > WL_FILE_MAX)
        check_err(err, errlen, "%s: larger than %u bytes", path, WL_FILE_MAX);
    else if (ferror(f))
        check_err(err, errlen, "%s: read error", path);
    else {
        fclose(f);
        *len = n;
        return buf;
    }
    free(buf);
    fclose(f);
    return NULL;
}

int workload_load(const char *spec, Workload *w, char *err, size_t errlen)
{
    const char *text = workload_builtin_text(spec), *base;
    char perr_buf[WL_ERR_MAX];
    size_t len;
    char *buf;
    int rc;

    memset(w, 0, sizeof *w);
    if (!spec)
        return check_err(err, errlen, "no workload named");
    if (text)
        return workload_parse(text, strlen(text), spec, w, err, errlen);
    buf = file_read(spec, &len, err, errlen);
    if (!buf)
        return -1;
    /* workload_parse stops at a NUL; a file holding one is not text, and
     * silently running half of it would be worse than refusing it */
    if (memchr(buf, '\0', len)) {
        free(buf);
        return check_err(err, errlen, "%s: contains a NUL byte (not a workload text)", spec);
    }
    base = strrchr(spec, '/');
    rc = workload_parse(buf, len, base ? base + 1 : spec, w, perr_buf, sizeof perr_buf);
    free(buf);
    if (rc != 0)
        check_err(err, errlen, "%s: %s", spec, perr_buf);
    return rc;
}

/* FNV-1a, 64 bits: a frame's fingerprint in a request marker. */
static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

void workload_step_marker(const Workload *w, size_t index, const uint8_t own[6], char *buf,
                          size_t len, uint8_t *frame)
{
    const WlStep *s = &w->steps[index];
    if (len < 40 || workload_format_step(s, buf, len - 32) < 0)
        snprintf(buf, len, "%s", workload_kind_name(s->kind));
    if (s->kind == WL_SEND || s->kind == WL_RECEIVE) {
        static uint8_t tmp[WL_FRAME_MAX];
        uint8_t *f = frame ? frame : tmp;
        workload_frame(w, index, s, own, f);
        size_t o = strlen(buf);
        snprintf(buf + o, len - o, " hash=%016" PRIx64, fnv1a(f, s->len));
    }
}

void workload_burst_frame(uint8_t *frame, const uint8_t *base, uint32_t len, uint32_t i)
{
    if (frame != base)
        memcpy(frame, base, len);
    if (len >= 16) {
        frame[len - 2] ^= (uint8_t)(i >> 8);
        frame[len - 1] ^= (uint8_t)i;
    }
}
