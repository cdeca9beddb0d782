/* Capture files of the cable's traffic, written with libpcap: the classic
 * savefile format of pcap-savefile(5) with LINKTYPE_ETHERNET (DLT_EN10MB,
 * pcap-linktype(7)) and microsecond timestamps, which tshark, tcpdump and
 * Wireshark all read. The format has no direction field: both directions
 * of the cable go to the same file in the order they happened. */
#include "host/net_impl.h"

#include <dlfcn.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_SNAPLEN 65535 /* whole frames: every frame we accept is shorter */

/* libpcap is loaded by the first capture, not linked: it brings dbus,
 * systemd, lzma, zstd, gcrypt ..., ~0.5 ms of start-up that every xdrv
 * command would pay (docs/architecture.md). The same scheme as Unicorn's
 * and Capstone's (src/vm/libload.c), written out again here because
 * src/host does not depend on src/vm. */
#define PCAPLIB_SONAME "libpcap.so.0.8"
#define PCAPLIB_PACKAGE "libpcap0.8"

/* Every libpcap function used here: return type, name, parameters, as in
 * pcap/pcap.h (checked against it below). */
#define PCAPLIB_FUNCS(X)                                                                           \
    X(pcap_t *, pcap_open_dead, (int linktype, int snaplen))                                       \
    X(pcap_dumper_t *, pcap_dump_open, (pcap_t *p, const char *fname))                             \
    X(void, pcap_dump, (u_char *user, const struct pcap_pkthdr *h, const u_char *sp))              \
    X(int, pcap_dump_flush, (pcap_dumper_t *p))                                                    \
    X(void, pcap_dump_close, (pcap_dumper_t *p))                                                   \
    X(void, pcap_close, (pcap_t *p))                                                               \
    X(char *, pcap_geterr, (pcap_t *p))

/* Members are named NAME_fn: the call macros below would rewrite a member
 * named like the function. */
typedef struct PcapLib {
#define PCAPLIB_MEMBER(ret, name, params) ret(*name##_fn) params;
    PCAPLIB_FUNCS(PCAPLIB_MEMBER)
#undef PCAPLIB_MEMBER
} PcapLib;

#define PCAPLIB_CHECK(ret, name, params)                                                           \
    _Static_assert(__builtin_types_compatible_p(__typeof__(&name), ret(*) params),                 \
                   #name ": the table differs from pcap/pcap.h");
PCAPLIB_FUNCS(PCAPLIB_CHECK)
#undef PCAPLIB_CHECK

static PcapLib pcaplib;

/* Resolve every function at once, so a missing or incompatible library
 * fails here with one line, before the first call. */
static int pcaplib_open(char *why, size_t whylen)
{
    PcapLib l;
    const char *e;
    void *h = dlopen(PCAPLIB_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        e = dlerror();
        goto fail;
    }
#define PCAPLIB_SYM(ret, name, params)                                                             \
    if (!(l.name##_fn = (ret(*) params)dlsym(h, #name))) {                                         \
        e = dlerror();                                                                             \
        goto fail;                                                                                 \
    }
    PCAPLIB_FUNCS(PCAPLIB_SYM)
#undef PCAPLIB_SYM
    pcaplib = l;
    return 0;
fail:
    /* glibc's text names the file, and the function if one is missing */
    snprintf(why, whylen, "cannot load %s (Debian package %s): %s", PCAPLIB_SONAME,
             PCAPLIB_PACKAGE, e ? e : "dlopen failed");
    if (h)
        dlclose(h);
    return -1;
}

/* The first call loads the library; every later one returns the same
 * outcome: 0, or -1 with the same error. */
static int pcaplib_load(char *err, size_t errlen)
{
    static int state; /* 0 not tried, 1 loaded, -1 failed (why says why) */
    static char why[256];
    if (!state)
        state = pcaplib_open(why, sizeof why) == 0 ? 1 : -1;
    if (state < 0) {
        net_errf(err, errlen, "pcap: %s", why);
        return -1;
    }
    return 0;
}

#define pcap_open_dead (pcaplib.pcap_open_dead_fn)
#define pcap_dump_open (pcaplib.pcap_dump_open_fn)
#define pcap_dump (pcaplib.pcap_dump_fn)
#define pcap_dump_flush (pcaplib.pcap_dump_flush_fn)
#define pcap_dump_close (pcaplib.pcap_dump_close_fn)
#define pcap_close (pcaplib.pcap_close_fn)
#define pcap_geterr (pcaplib.pcap_geterr_fn)

struct NetPcap {
    pcap_t *dead;
    pcap_dumper_t *dumper;
    uint64_t last_ns;
    uint64_t frames;
};

NetPcap *net_pcap_open(const char *path, char *err, size_t errlen)
{
    if (pcaplib_load(err, errlen) < 0)
        return NULL;
    NetPcap *p = calloc(1, sizeof *p);
    if (!p) {
        net_errf(err, errlen, "pcap: out of memory");
        return NULL;
    }
    /* pcap_open_dead(3PCAP): a handle for writing only */
    p->dead = pcap_open_dead(DLT_EN10MB, PCAP_SNAPLEN);
    if (!p->dead) {
        net_errf(err, errlen, "pcap: pcap_open_dead failed");
        goto fail_dead;
    }
    errno = 0;
    p->dumper = pcap_dump_open(p->dead, path);
    if (!p->dumper) {
        /* pcap_geterr has "path: strerror" already */
        net_errf(err, errlen, "pcap: cannot create %s", pcap_geterr(p->dead));
        goto fail_dump;
    }
    /* The file header goes out at once, so even an empty capture is valid. */
    pcap_dump_flush(p->dumper);
    return p;

fail_dump:
    pcap_close(p->dead);
fail_dead:
    free(p);
    return NULL;
}

int net_pcap_write(NetPcap *p, uint64_t ts_ns, const uint8_t *frame, size_t len)
{
    if (ts_ns < p->last_ns)
        ts_ns = p->last_ns;
    p->last_ns = ts_ns;
    struct pcap_pkthdr h = {0};
    h.ts.tv_sec = (time_t)(ts_ns / 1000000000u);
    h.ts.tv_usec = (suseconds_t)(ts_ns % 1000000000u / 1000u);
    h.caplen = (bpf_u_int32)(len < PCAP_SNAPLEN ? len : PCAP_SNAPLEN);
    h.len = (bpf_u_int32)len;
    pcap_dump((u_char *)p->dumper, &h, frame);
    p->frames++;
    /* One flush per frame: a SIGTERM or a crash loses nothing. */
    return pcap_dump_flush(p->dumper) == 0 ? 0 : -1;
}

uint64_t net_pcap_frames(const NetPcap *p)
{
    return p->frames;
}

void net_pcap_close(NetPcap *p)
{
    if (!p)
        return;
    pcap_dump_close(p->dumper);
    pcap_close(p->dead);
    free(p);
}
