/* Capture files of the cable's traffic, written with libpcap: the classic
 * savefile format of pcap-savefile(5) with LINKTYPE_ETHERNET (DLT_EN10MB,
 * pcap-linktype(7)) and microsecond timestamps, which tshark, tcpdump and
 * Wireshark all read. The format has no direction field: both directions
 * of the cable go to the same file in the order they happened. */
#include "host/net_impl.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#define PCAP_SNAPLEN 65535 /* whole frames: every frame we accept is shorter */

struct NetPcap {
    pcap_t *dead;
    pcap_dumper_t *dumper;
    uint64_t last_ns;
    uint64_t frames;
};

NetPcap *net_pcap_open(const char *path, char *err, size_t errlen)
{
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
