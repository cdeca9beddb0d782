/* The bridge between a NIC model and the host: a NetBackend is one end of a
 * cable. Kinds (spec strings, see docs/host.md):
 *   tap,ifname=NAME                 a Linux TAP interface
 *   unix,path=PATH[,listen][,type=seqpacket|stream]
 *                                   a peer process on a unix socket
 *   queue                           an in-process peer (tests): two frame FIFOs
 * Every backend moves whole Ethernet frames without FCS, 14..1514 bytes, or up
 * to 1518 bytes when the frame carries an 802.1Q/802.1ad tag. Anything else is
 * dropped, counted and traced, in both directions.
 *
 * Poll loop contract: poll net_fd() for POLLIN; when it is readable, call
 * net_recv() until it returns 0 (or -1). The fd is stable for the backend's
 * life, level-triggered, and may be readable with no frame behind it (a peer
 * connecting or hanging up, a stream write to finish): net_recv() handles
 * those and returns 0. net_send() never blocks. */
#ifndef XDRV_HOST_NET_H
#define XDRV_HOST_NET_H

#include <net/if.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define NET_ETH_HLEN 14
#define NET_FRAME_MAX 1514      /* 1500-byte payload + Ethernet header */
#define NET_FRAME_MAX_VLAN 1518 /* + one 802.1Q tag (IEEE 802.3 clause 3.2.7) */
#define NET_ERR_MAX 256         /* size for error buffers */
#define NET_UNIX_PATH_MAX 108   /* sizeof(sockaddr_un.sun_path), unix(7) */

typedef enum NetKind {
    NET_KIND_TAP,
    NET_KIND_UNIX,
    NET_KIND_QUEUE,
} NetKind;

/* A parsed spec string. */
typedef struct NetSpec {
    NetKind kind;
    char ifname[IF_NAMESIZE];     /* tap; IF_NAMESIZE == IFNAMSIZ */
    char path[NET_UNIX_PATH_MAX]; /* unix */
    int listen;                   /* unix: bind and accept one peer at a time */
    int stream;                   /* unix: SOCK_STREAM, 4-byte length prefix */
    int persist;                  /* tap: the interface outlives this process
                                   * (TUNSETPERSIST): xdrv up keeps it across
                                   * restarts and removes it at the end */
} NetSpec;

/* Counters. "in" is host -> xdrv (net_recv), "out" is xdrv -> host (net_send). */
typedef struct NetStats {
    uint64_t frames_in, bytes_in;   /* delivered by net_recv */
    uint64_t frames_out, bytes_out; /* taken by the host from net_send */
    uint64_t drops_in_size;         /* runt or oversize frames from the host */
    uint64_t drops_out_size;        /* runt or oversize frames from xdrv */
    uint64_t drops_out;             /* host could not take a frame: no peer,
                                       buffer full, interface down */
} NetStats;

typedef struct NetBackend NetBackend;
typedef struct NetPcap NetPcap;

/* Open flags. */
enum {
    /* Start with the carrier off (the netdev side, before the driver
     * indicates link up). Without it a TAP starts with the carrier on. */
    NET_OPEN_CARRIER_OFF = 1u << 0,
};

/* Parse a spec. 0, or -1 with a one-line message in err ("tap: missing
 * ifname=NAME in 'tap'"). err may be NULL. */
int net_spec_parse(const char *spec, NetSpec *out, char *err, size_t errlen);

/* Parse and open. NULL with a one-line message in err on failure. */
NetBackend *net_open(const char *spec, unsigned flags, char *err, size_t errlen);
/* Remove a persistent TAP (one opened with `persist`): 0, or -1 with a
 * one-line reason (CAP_NET_ADMIN or the TAP's owner needed). */
int net_tap_remove(const char *ifname, char *err, size_t errlen);
NetBackend *net_open_spec(const NetSpec *spec, unsigned flags, char *err, size_t errlen);
/* Detach from the host (a non-persistent TAP disappears, a listening
 * socket's path is unlinked). NULL is ignored. Does not close an attached
 * pcap. */
void net_close(NetBackend *b);

NetKind net_kind(const NetBackend *b);
/* "tap:xdrv0", "unix:/tmp/w.sock", "queue": for messages. */
const char *net_name(const NetBackend *b);

/* Hand one frame to the host. 0 when taken; -1 when dropped (already
 * counted and traced: a cable loses frames, the caller need not react). */
int net_send(NetBackend *b, const uint8_t *frame, size_t len);

/* Take one frame from the host without blocking: its length, with *frame
 * pointing into a buffer owned by b that stays valid until the next
 * net_recv or net_close on b; 0 when nothing is pending; -1 when the
 * backend failed for good (net_error says why). */
ssize_t net_recv(NetBackend *b, const uint8_t **frame);

/* The one fd to poll for POLLIN (see the contract above). */
int net_fd(const NetBackend *b);

/* The last fatal error, "" if none. */
const char *net_error(const NetBackend *b);

/* Whether a peer is on the other end: always 1 for tap and queue; for unix,
 * whether a peer is connected right now (a listening backend starts at 0). */
int net_peer_connected(const NetBackend *b);

/* Carrier (link) state shown to the host. For a TAP this is what `ip link`
 * shows as LOWER_UP / NO-CARRIER; other kinds only record it. 0 or -1. */
int net_set_carrier(NetBackend *b, int up);
int net_carrier(const NetBackend *b);

/* MAC address: a TAP's is the interface's (read from / written to the
 * kernel), other kinds only record it (all zero until set). 0 or -1 (err
 * gets the message; may be NULL). */
int net_get_mac(NetBackend *b, uint8_t mac[6]);
int net_set_mac(NetBackend *b, const uint8_t mac[6], char *err, size_t errlen);

const NetStats *net_stats(const NetBackend *b);

/* Clock for pcap timestamps and trace events, in ns. Default: CLOCK_REALTIME
 * for every kind; a deterministic run sets its virtual clock here. */
void net_set_clock(NetBackend *b, uint64_t (*now_ns)(void *opaque), void *opaque);

/* Record in p both directions of the cable: every well-formed frame given
 * to net_send (also when the host then drops it) and every frame net_recv
 * delivers. NULL detaches. p may be shared by backends and must outlive
 * them. */
void net_set_pcap(NetBackend *b, NetPcap *p);

/* ---- in-process peer (kind queue): the test's side of the cable ---- */
#define NET_QUEUE_DEPTH 256 /* frames per direction */

/* The peer sends a frame: net_recv on b will return it. 0, or -1 when the
 * queue is full or len is over 65535. Length rules are applied by net_recv,
 * so tests can inject bad frames. */
int net_queue_inject(NetBackend *b, const uint8_t *frame, size_t len);
/* The peer takes the oldest frame xdrv sent: its length (copied to buf,
 * truncated to cap), or 0 when there is none. */
size_t net_queue_take(NetBackend *b, uint8_t *buf, size_t cap);
/* Frames waiting: injected but not yet received, sent but not yet taken. */
size_t net_queue_pending_in(const NetBackend *b);
size_t net_queue_pending_out(const NetBackend *b);

/* ---- pcap files (pcap-savefile(5), LINKTYPE_ETHERNET, microseconds) ---- */

/* Create (truncate) a capture file. NULL with a message in err. */
NetPcap *net_pcap_open(const char *path, char *err, size_t errlen);
/* Append one frame; ts_ns is clamped so timestamps never go backwards. The
 * file is flushed after every frame, so a killed process loses nothing. */
int net_pcap_write(NetPcap *p, uint64_t ts_ns, const uint8_t *frame, size_t len);
uint64_t net_pcap_frames(const NetPcap *p);
void net_pcap_close(NetPcap *p);

/* ---- the plain forwarder (src/host/forward.c) ---- */

typedef struct NetForwardStats {
    uint64_t a_to_b, b_to_a; /* frames moved */
} NetForwardStats;

/* Move every frame pending on either backend to the other one, without
 * blocking. The number moved, or -1 when a backend failed. */
int net_forward_step(NetBackend *a, NetBackend *b, NetForwardStats *st);
/* Forward until *stop becomes non-zero (checked at least every timeout_ms)
 * or a backend fails (-1); 0 on stop. The baseline "plain TAP-to-TAP
 * forwarder" of the netpath benchmark. */
int net_forward_run(NetBackend *a, NetBackend *b, volatile sig_atomic_t *stop, int timeout_ms,
                    NetForwardStats *st);

#endif
