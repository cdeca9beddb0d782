/* What every backend shares: the spec parser, dispatch to the kind's ops, the
 * Ethernet length rules, counters, pcap recording and trace notes. */
#include "host/net_impl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace/trace.h"

static const NetBackendOps *const kinds[] = {&net_tap_ops, &net_unix_ops, &net_queue_ops};

void net_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- spec parsing ---- */

/* net/core/dev.c dev_valid_name(): non-empty, shorter than IFNAMSIZ, not "."
 * or "..", no '/', ':' or white space. */
static int parse_ifname(const char *v, NetSpec *out, char *err, size_t errlen)
{
    size_t n = strlen(v);
    if (n == 0) {
        net_errf(err, errlen, "tap: empty ifname");
        return -1;
    }
    if (n >= IFNAMSIZ) {
        net_errf(err, errlen, "tap: interface name '%s' is %zu bytes, longer than %d (IFNAMSIZ)", v,
                 n, IFNAMSIZ - 1);
        return -1;
    }
    if (!strcmp(v, ".") || !strcmp(v, "..") || strpbrk(v, "/: \t\n\v\f\r")) {
        net_errf(err, errlen,
                 "tap: invalid interface name '%s' (no '/', ':', white space, "
                 "'.' or '..')",
                 v);
        return -1;
    }
    memcpy(out->ifname, v, n + 1);
    return 0;
}

static int parse_path(const char *v, NetSpec *out, char *err, size_t errlen)
{
    size_t n = strlen(v);
    if (n == 0) {
        net_errf(err, errlen, "unix: empty path");
        return -1;
    }
    /* unix(7): sun_path holds a NUL-terminated pathname of at most 107 bytes */
    if (n >= NET_UNIX_PATH_MAX) {
        net_errf(err, errlen, "unix: path '%.40s...' is %zu bytes, longer than %d (sun_path)", v, n,
                 NET_UNIX_PATH_MAX - 1);
        return -1;
    }
    memcpy(out->path, v, n + 1);
    return 0;
}

int net_spec_parse(const char *spec, NetSpec *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!spec || !*spec) {
        net_errf(err, errlen,
                 "net: empty spec (expected tap,ifname=NAME or "
                 "unix,path=PATH[,listen][,type=seqpacket|stream] or queue)");
        return -1;
    }
    char *copy = strdup(spec);
    if (!copy) {
        net_errf(err, errlen, "net: out of memory");
        return -1;
    }
    int rc = -1;
    char *save = NULL;
    char *kind = strtok_r(copy, ",", &save);
    const char *kn = kind ? kind : "";
    if (!kind || (strcmp(kind, "tap") && strcmp(kind, "unix") && strcmp(kind, "queue"))) {
        net_errf(err, errlen, "net: unknown kind '%s' in '%s' (expected tap, unix or queue)", kn,
                 spec);
        goto out;
    }
    out->kind = !strcmp(kind, "tap")    ? NET_KIND_TAP
                : !strcmp(kind, "unix") ? NET_KIND_UNIX
                                        : NET_KIND_QUEUE;
    int have_ifname = 0, have_path = 0, have_listen = 0, have_type = 0, have_persist = 0;
    for (char *opt; (opt = strtok_r(NULL, ",", &save));) {
        char *val = strchr(opt, '=');
        if (val)
            *val++ = '\0';
        int *seen = NULL;
        if (out->kind == NET_KIND_TAP && !strcmp(opt, "ifname"))
            seen = &have_ifname;
        else if (out->kind == NET_KIND_TAP && !strcmp(opt, "persist"))
            seen = &have_persist;
        else if (out->kind == NET_KIND_UNIX && !strcmp(opt, "path"))
            seen = &have_path;
        else if (out->kind == NET_KIND_UNIX && !strcmp(opt, "listen"))
            seen = &have_listen;
        else if (out->kind == NET_KIND_UNIX && !strcmp(opt, "type"))
            seen = &have_type;
        if (!seen) {
            net_errf(err, errlen, "%s: unknown option '%s' in '%s'", kn, opt, spec);
            goto out;
        }
        if (*seen) {
            net_errf(err, errlen, "%s: option '%s' given twice in '%s'", kn, opt, spec);
            goto out;
        }
        *seen = 1;
        if (seen == &have_listen || seen == &have_persist) {
            if (val) {
                net_errf(err, errlen, "%s: option '%s' takes no value in '%s'", kn, opt, spec);
                goto out;
            }
            if (seen == &have_listen)
                out->listen = 1;
            else
                out->persist = 1;
            continue;
        }
        if (!val) {
            net_errf(err, errlen, "%s: option '%s' needs a value (%s=...) in '%s'", kn, opt, opt,
                     spec);
            goto out;
        }
        if (seen == &have_ifname && parse_ifname(val, out, err, errlen) < 0)
            goto out;
        if (seen == &have_path && parse_path(val, out, err, errlen) < 0)
            goto out;
        if (seen == &have_type) {
            if (!strcmp(val, "stream")) {
                out->stream = 1;
            } else if (strcmp(val, "seqpacket")) {
                net_errf(err, errlen, "unix: type must be seqpacket or stream, not '%s'", val);
                goto out;
            }
        }
    }
    if (out->kind == NET_KIND_TAP && !have_ifname) {
        net_errf(err, errlen, "tap: missing ifname=NAME in '%s'", spec);
        goto out;
    }
    if (out->kind == NET_KIND_UNIX && !have_path) {
        net_errf(err, errlen, "unix: missing path=PATH in '%s'", spec);
        goto out;
    }
    rc = 0;
out:
    free(copy);
    return rc;
}

/* ---- life cycle ---- */

NetBackend *net_open_spec(const NetSpec *spec, unsigned flags, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i]->kind == spec->kind)
            return kinds[i]->open(spec, flags, err, errlen);
    net_errf(err, errlen, "net: unknown kind %d", (int)spec->kind);
    return NULL;
}

NetBackend *net_open(const char *spec, unsigned flags, char *err, size_t errlen)
{
    NetSpec s;
    if (net_spec_parse(spec, &s, err, errlen) < 0)
        return NULL;
    return net_open_spec(&s, flags, err, errlen);
}

void net_close(NetBackend *b)
{
    if (b)
        b->ops->close(b);
}

static uint64_t clock_realtime(void *opaque)
{
    (void)opaque;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int net_backend_init(NetBackend *b, const NetBackendOps *ops, const char *name)
{
    b->ops = ops;
    b->fd = -1;
    b->peer = 1;
    b->carrier = 1;
    snprintf(b->name, sizeof b->name, "%s", name);
    b->now_ns = clock_realtime;
    b->rxbuf = malloc(NET_RAW_MAX + 1);
    return b->rxbuf ? 0 : -1;
}

void net_backend_fini(NetBackend *b)
{
    free(b->rxbuf);
    b->rxbuf = NULL;
}

uint64_t net_now(const NetBackend *b)
{
    return b->now_ns(b->clock_opaque);
}

void net_note(const NetBackend *b, const char *fmt, ...)
{
    if (!trace_enabled())
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    trace_emitf(TRACE_NOTE, net_now(b), 0, "net", "%s: %s", b->name, buf);
}

/* ---- accessors ---- */

NetKind net_kind(const NetBackend *b)
{
    return b->ops->kind;
}

const char *net_name(const NetBackend *b)
{
    return b->name;
}

int net_fd(const NetBackend *b)
{
    return b->fd;
}

const char *net_error(const NetBackend *b)
{
    return b->error;
}

int net_peer_connected(const NetBackend *b)
{
    return b->peer;
}

const NetStats *net_stats(const NetBackend *b)
{
    return &b->stats;
}

void net_set_clock(NetBackend *b, uint64_t (*now_ns)(void *opaque), void *opaque)
{
    b->now_ns = now_ns ? now_ns : clock_realtime;
    b->clock_opaque = now_ns ? opaque : NULL;
}

void net_set_pcap(NetBackend *b, NetPcap *p)
{
    b->pcap = p;
}

int net_set_carrier(NetBackend *b, int up)
{
    up = !!up;
    if (b->ops->set_carrier && b->ops->set_carrier(b, up) < 0)
        return -1;
    if (b->carrier != up)
        net_note(b, "carrier %s", up ? "on" : "off");
    b->carrier = up;
    return 0;
}

int net_carrier(const NetBackend *b)
{
    return b->carrier;
}

int net_get_mac(NetBackend *b, uint8_t mac[6])
{
    if (b->ops->get_mac)
        return b->ops->get_mac(b, mac);
    memcpy(mac, b->mac, 6);
    return 0;
}

int net_set_mac(NetBackend *b, const uint8_t mac[6], char *err, size_t errlen)
{
    if (mac[0] & 1) {
        /* IEEE 802-2014 8.2: the I/G bit set means a group address, which
         * no interface may own (the kernel's is_valid_ether_addr agrees). */
        net_errf(err, errlen, "%s: %02x:%02x:%02x:%02x:%02x:%02x is a multicast address", b->name,
                 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
        return -1;
    }
    if (b->ops->set_mac && b->ops->set_mac(b, mac, err, errlen) < 0)
        return -1;
    memcpy(b->mac, mac, 6);
    return 0;
}

/* ---- frames ---- */

/* IEEE 802.3 clause 3.2.7 / 802.1Q: the largest untagged frame without FCS
 * is 1514 bytes, 1518 with a C-tag (TPID 0x8100) or S-tag (0x88a8). Returns
 * NULL if len is acceptable, else why not. */
static const char *frame_check(const uint8_t *f, size_t len)
{
    if (len < NET_ETH_HLEN)
        return "runt";
    if (len <= NET_FRAME_MAX)
        return NULL;
    if (len <= NET_FRAME_MAX_VLAN) {
        unsigned tpid = (unsigned)f[12] << 8 | f[13];
        if (tpid == 0x8100 || tpid == 0x88a8)
            return NULL;
    }
    return "oversize";
}

int net_send(NetBackend *b, const uint8_t *frame, size_t len)
{
    const char *bad = frame_check(frame, len);
    if (bad) {
        b->stats.drops_out_size++;
        net_note(b, "dropped %s frame of %zu bytes from xdrv", bad, len);
        return -1;
    }
    if (b->pcap)
        net_pcap_write(b->pcap, net_now(b), frame, len);
    b->drop_reason = NULL;
    if (b->ops->send(b, frame, len) < 0) {
        b->stats.drops_out++;
        net_note(b, "dropped outgoing frame of %zu bytes: %s", len,
                 b->drop_reason ? b->drop_reason : "host refused it");
        return -1;
    }
    b->stats.frames_out++;
    b->stats.bytes_out += len;
    return 0;
}

ssize_t net_recv(NetBackend *b, const uint8_t **frame)
{
    for (;;) {
        ssize_t n = b->ops->recv(b, b->rxbuf, NET_RAW_MAX);
        if (n <= 0)
            return n;
        const char *bad = frame_check(b->rxbuf, (size_t)n);
        if (bad) {
            b->stats.drops_in_size++;
            net_note(b, "dropped %s frame of %s%zd bytes from the host", bad,
                     n > NET_RAW_MAX ? "over " : "", n > NET_RAW_MAX ? (ssize_t)NET_RAW_MAX : n);
            continue;
        }
        b->stats.frames_in++;
        b->stats.bytes_in += (uint64_t)n;
        if (b->pcap)
            net_pcap_write(b->pcap, net_now(b), b->rxbuf, (size_t)n);
        *frame = b->rxbuf;
        return n;
    }
}
