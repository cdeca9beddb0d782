/* Inside src/host: what every backend kind shares (net.c) and the ops table
 * each kind provides (tap.c, unix.c, queue.c). Not for use outside
 * src/host and its tests. */
#ifndef XDRV_HOST_NET_IMPL_H
#define XDRV_HOST_NET_IMPL_H

#include "host/net.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Largest frame a backend reads from the host in one go: a TAP with a raised
 * MTU or a misbehaving peer can hand us up to this much; everything over
 * NET_FRAME_MAX_VLAN is then dropped by net.c. */
#define NET_RAW_MAX 65536

typedef struct NetBackendOps {
    NetKind kind;
    const char *kind_name;
    NetBackend *(*open)(const NetSpec *spec, unsigned flags, char *err, size_t errlen);
    void (*close)(NetBackend *b);
    /* 0 taken; -1 dropped (the kind sets b->drop_reason) */
    int (*send)(NetBackend *b, const uint8_t *frame, size_t len);
    /* One raw frame into buf (cap NET_RAW_MAX): its length; 0 nothing
     * pending; -1 failed for good (b->error set). A frame longer than cap
     * may be returned as cap + 1 (truncated: counted as oversize). */
    ssize_t (*recv)(NetBackend *b, uint8_t *buf, size_t cap);
    /* optional: apply carrier / MAC to the host */
    int (*set_carrier)(NetBackend *b, int up);
    int (*get_mac)(NetBackend *b, uint8_t mac[6]);
    int (*set_mac)(NetBackend *b, const uint8_t mac[6], char *err, size_t errlen);
} NetBackendOps;

/* Each kind's state struct starts with this. */
struct NetBackend {
    const NetBackendOps *ops;
    int fd;   /* what net_fd returns */
    int peer; /* net_peer_connected */
    int carrier;
    uint8_t mac[6];
    char name[16 + NET_UNIX_PATH_MAX];
    char error[NET_ERR_MAX];
    const char *drop_reason; /* set by ops->send when it returns -1 */
    NetStats stats;
    uint64_t (*now_ns)(void *opaque);
    void *clock_opaque;
    NetPcap *pcap;
    uint8_t *rxbuf; /* NET_RAW_MAX + 1 bytes; net_recv's result */
};

/* Set up the common part (allocates rxbuf); 0 or -1. */
int net_backend_init(NetBackend *b, const NetBackendOps *ops, const char *name);
void net_backend_fini(NetBackend *b);
/* The backend's clock, for trace events. */
uint64_t net_now(const NetBackend *b);
/* A host-information trace event about b (TRACE_NOTE, name "net"). */
void net_note(const NetBackend *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* snprintf into an error buffer that may be NULL. */
void net_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

extern const NetBackendOps net_tap_ops;
extern const NetBackendOps net_unix_ops;
extern const NetBackendOps net_queue_ops;

/* Test hook: make tap.c behave as on a kernel without TUNSETCARRIER
 * (carrier then follows IFF_UP, set with SIOCSIFFLAGS). */
void net_tap_force_no_tunsetcarrier(int on);

#endif
