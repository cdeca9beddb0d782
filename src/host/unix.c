/* A peer process on a unix-domain socket as the other end of the cable
 * (spec "unix,path=PATH[,listen][,type=seqpacket|stream]"), unix(7).
 *
 * type=seqpacket (default): one frame per message, no header.
 * type=stream: each frame is a 4-byte big-endian length followed by that
 * many frame bytes; a length over 65536 means the stream is garbage and the
 * peer is dropped.
 *
 * Connect mode connects once at open; if the peer hangs up the cable stays
 * unplugged (net_peer_connected() == 0, frames sent are dropped). Listen
 * mode binds PATH, accepts one peer at a time (a second one is accepted and
 * closed at once, with a trace note) and goes back to waiting when the peer
 * hangs up. net_fd is an epoll fd over the sockets (epoll(7)), so it stays
 * the same fd while peers come and go. */
#include "host/net_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#define STREAM_HDR 4
#define STREAM_IN_CAP (2 * (STREAM_HDR + NET_RAW_MAX))
#define STREAM_OUT_CAP (256 * 1024) /* unsent bytes kept for a slow peer */

typedef struct UnixBackend {
    NetBackend b;
    NetSpec spec;
    int listen_fd;
    int conn_fd;
    int bound;   /* we created spec.path: unlink it at close */
    uint8_t *in; /* stream: bytes read, not yet framed */
    size_t in_off, in_len;
    uint8_t *out; /* stream: bytes not yet written */
    size_t out_off, out_len;
    int want_out; /* EPOLLOUT armed on conn_fd */
} UnixBackend;

static UnixBackend *unix_of(NetBackend *b)
{
    return (UnixBackend *)b;
}

static int ep_ctl(UnixBackend *u, int op, int fd, uint32_t events)
{
    struct epoll_event ev = {.events = events, .data.fd = fd};
    return epoll_ctl(u->b.fd, op, fd, &ev);
}

static void set_want_out(UnixBackend *u, int on)
{
    if (u->want_out == on || u->conn_fd < 0)
        return;
    u->want_out = on;
    ep_ctl(u, EPOLL_CTL_MOD, u->conn_fd, EPOLLIN | (on ? EPOLLOUT : 0u));
}

static void disconnect(UnixBackend *u, const char *why)
{
    if (u->conn_fd < 0)
        return;
    ep_ctl(u, EPOLL_CTL_DEL, u->conn_fd, 0);
    close(u->conn_fd);
    u->conn_fd = -1;
    u->want_out = 0;
    u->in_off = u->in_len = 0;
    u->out_off = u->out_len = 0;
    u->b.peer = 0;
    net_note(&u->b, "peer gone (%s)%s", why,
             u->spec.listen ? ", waiting for the next one" : ", cable stays unplugged");
}

static int adopt(UnixBackend *u, int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        ep_ctl(u, EPOLL_CTL_ADD, fd, EPOLLIN) < 0) {
        close(fd);
        return -1;
    }
    u->conn_fd = fd;
    u->b.peer = 1;
    return 0;
}

static void fill_addr(struct sockaddr_un *a, const char *path)
{
    /* the parser keeps path shorter than sun_path */
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path, path, strlen(path) + 1);
}

static int new_socket(const UnixBackend *u)
{
    return socket(AF_UNIX, (u->spec.stream ? SOCK_STREAM : SOCK_SEQPACKET) | SOCK_CLOEXEC, 0);
}

static int do_connect(UnixBackend *u, char *err, size_t errlen)
{
    struct sockaddr_un a;
    fill_addr(&a, u->spec.path);
    int fd = new_socket(u);
    if (fd < 0) {
        net_errf(err, errlen, "unix: socket: %s", strerror(errno));
        return -1;
    }
    /* A blocking connect: unix sockets connect at once or fail. */
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        int e = errno;
        const char *hint = e == ECONNREFUSED ? " (nobody listens there; or add ,listen)"
                           : e == EPROTOTYPE ? " (the peer uses the other socket type: "
                                               "type=seqpacket or type=stream)"
                           : e == ENOENT     ? " (no such socket; or add ,listen)"
                                             : "";
        net_errf(err, errlen, "unix: cannot connect to %s: %s%s", u->spec.path, strerror(e), hint);
        close(fd);
        return -1;
    }
    if (adopt(u, fd) < 0) {
        net_errf(err, errlen, "unix: %s: %s", u->spec.path, strerror(errno));
        return -1;
    }
    return 0;
}

static int do_listen(UnixBackend *u, char *err, size_t errlen)
{
    struct sockaddr_un a;
    fill_addr(&a, u->spec.path);
    /* A socket file left by a dead process is removed; anything else in
     * the way (a live listener, a regular file) is an error. */
    struct stat st;
    if (lstat(u->spec.path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            net_errf(err, errlen, "unix: cannot listen on %s: it exists and is not a socket",
                     u->spec.path);
            return -1;
        }
        int probe = new_socket(u);
        if (probe >= 0 && connect(probe, (struct sockaddr *)&a, sizeof a) == 0) {
            close(probe);
            net_errf(err, errlen, "unix: cannot listen on %s: another process listens there",
                     u->spec.path);
            return -1;
        }
        if (probe >= 0)
            close(probe);
        unlink(u->spec.path);
    }
    int fd = new_socket(u);
    if (fd < 0) {
        net_errf(err, errlen, "unix: socket: %s", strerror(errno));
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        net_errf(err, errlen, "unix: cannot bind %s: %s", u->spec.path, strerror(errno));
        close(fd);
        return -1;
    }
    u->bound = 1;
    int fl = fcntl(fd, F_GETFL);
    if (listen(fd, 4) < 0 || fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
        ep_ctl(u, EPOLL_CTL_ADD, fd, EPOLLIN) < 0) {
        net_errf(err, errlen, "unix: cannot listen on %s: %s", u->spec.path, strerror(errno));
        close(fd);
        return -1;
    }
    u->listen_fd = fd;
    u->b.peer = 0;
    return 0;
}

static void unix_close(NetBackend *b)
{
    UnixBackend *u = unix_of(b);
    if (u->conn_fd >= 0)
        close(u->conn_fd);
    if (u->listen_fd >= 0)
        close(u->listen_fd);
    if (u->bound)
        unlink(u->spec.path);
    if (b->fd >= 0)
        close(b->fd);
    free(u->in);
    free(u->out);
    net_backend_fini(b);
    free(u);
}

static NetBackend *unix_open(const NetSpec *spec, unsigned flags, char *err, size_t errlen)
{
    UnixBackend *u = calloc(1, sizeof *u);
    char name[8 + NET_UNIX_PATH_MAX];
    snprintf(name, sizeof name, "unix:%s", spec->path);
    if (!u || net_backend_init(&u->b, &net_unix_ops, name) < 0) {
        net_errf(err, errlen, "unix: out of memory");
        if (u)
            net_backend_fini(&u->b);
        free(u);
        return NULL;
    }
    u->spec = *spec;
    u->listen_fd = u->conn_fd = -1;
    u->b.carrier = !(flags & NET_OPEN_CARRIER_OFF);
    u->b.fd = epoll_create1(EPOLL_CLOEXEC);
    if (u->b.fd < 0) {
        net_errf(err, errlen, "unix: epoll_create1: %s", strerror(errno));
        goto fail;
    }
    if (spec->stream) {
        u->in = malloc(STREAM_IN_CAP);
        u->out = malloc(STREAM_OUT_CAP);
        if (!u->in || !u->out) {
            net_errf(err, errlen, "unix: out of memory");
            goto fail;
        }
    }
    if ((spec->listen ? do_listen(u, err, errlen) : do_connect(u, err, errlen)) < 0)
        goto fail;
    net_note(&u->b, "%s %s (%s)", spec->listen ? "listening on" : "connected to", spec->path,
             spec->stream ? "stream" : "seqpacket");
    return &u->b;

fail:
    unix_close(&u->b);
    return NULL;
}

/* stream: write what is pending; 0, or -1 if the peer went away */
static int flush_out(UnixBackend *u)
{
    while (u->out_off < u->out_len) {
        ssize_t n = send(u->conn_fd, u->out + u->out_off, u->out_len - u->out_off,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                break;
            disconnect(u, strerror(errno));
            return -1;
        }
        u->out_off += (size_t)n;
    }
    if (u->out_off == u->out_len)
        u->out_off = u->out_len = 0;
    set_want_out(u, u->out_len != 0);
    return 0;
}

static int send_stream(UnixBackend *u, const uint8_t *frame, size_t len)
{
    uint8_t hdr[STREAM_HDR] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                               (uint8_t)len};
    if (u->out_len && flush_out(u) < 0) {
        u->b.drop_reason = "peer gone";
        return -1;
    }
    size_t done = 0;
    if (!u->out_len) {
        struct iovec iov[2] = {{hdr, sizeof hdr}, {(void *)frame, len}};
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
        ssize_t n = sendmsg(u->conn_fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            disconnect(u, strerror(errno));
            u->b.drop_reason = "peer gone";
            return -1;
        }
        done = n < 0 ? 0 : (size_t)n;
        if (done == sizeof hdr + len)
            return 0;
    }
    /* Keep the rest of a started frame, or the whole of a new one if it
     * fits: the framing must never be cut. */
    if (done == 0 && u->out_len - u->out_off + sizeof hdr + len > STREAM_OUT_CAP) {
        u->b.drop_reason = "peer not reading";
        return -1;
    }
    uint8_t whole[STREAM_HDR + NET_FRAME_MAX_VLAN];
    memcpy(whole, hdr, sizeof hdr);
    memcpy(whole + sizeof hdr, frame, len);
    size_t rest = sizeof hdr + len - done;
    if (u->out_off && u->out_len + rest > STREAM_OUT_CAP) {
        memmove(u->out, u->out + u->out_off, u->out_len - u->out_off);
        u->out_len -= u->out_off;
        u->out_off = 0;
    }
    memcpy(u->out + u->out_len, whole + done, rest);
    u->out_len += rest;
    set_want_out(u, 1);
    return 0;
}

static int unix_send(NetBackend *b, const uint8_t *frame, size_t len)
{
    UnixBackend *u = unix_of(b);
    if (u->conn_fd < 0) {
        b->drop_reason = "no peer connected";
        return -1;
    }
    if (u->spec.stream)
        return send_stream(u, frame, len);
    if (send(u->conn_fd, frame, len, MSG_DONTWAIT | MSG_NOSIGNAL) == (ssize_t)len)
        return 0;
    if (errno == EAGAIN || errno == ENOBUFS) {
        b->drop_reason = "peer not reading";
        return -1;
    }
    disconnect(u, strerror(errno));
    b->drop_reason = "peer gone";
    return -1;
}

/* seqpacket: one message; its length, 0 none, -1 peer gone */
static ssize_t recv_seqpacket(UnixBackend *u, uint8_t *buf, size_t cap)
{
    for (;;) {
        ssize_t n = recv(u->conn_fd, buf, cap + 1, MSG_DONTWAIT);
        if (n > 0)
            return n;
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        if (n < 0) {
            disconnect(u, strerror(errno));
            return -1;
        }
        /* 0: end of file, or an empty message (a runt) from a live peer */
        struct pollfd p = {.fd = u->conn_fd, .events = POLLIN | POLLRDHUP};
        if (poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP))) {
            disconnect(u, "hung up");
            return -1;
        }
        u->b.stats.drops_in_size++;
        net_note(&u->b, "dropped runt frame of 0 bytes from the host");
    }
}

/* stream: one framed frame; its length, 0 none, -1 peer gone */
static ssize_t recv_stream(UnixBackend *u, uint8_t *buf, size_t cap)
{
    for (;;) {
        size_t avail = u->in_len - u->in_off;
        if (avail >= STREAM_HDR) {
            const uint8_t *h = u->in + u->in_off;
            uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
            if (len > NET_RAW_MAX) {
                disconnect(u, "frame length over 65536: stream framing lost");
                return -1;
            }
            if (avail >= STREAM_HDR + len) {
                memcpy(buf, h + STREAM_HDR, len < cap ? len : cap);
                u->in_off += STREAM_HDR + len;
                if (len)
                    return len > cap ? (ssize_t)cap + 1 : (ssize_t)len;
                u->b.stats.drops_in_size++;
                net_note(&u->b, "dropped runt frame of 0 bytes from the host");
                continue;
            }
        }
        if (u->in_off) {
            memmove(u->in, u->in + u->in_off, avail);
            u->in_off = 0;
            u->in_len = avail;
        }
        ssize_t n = recv(u->conn_fd, u->in + u->in_len, STREAM_IN_CAP - u->in_len, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return 0;
        if (n <= 0) {
            disconnect(u, n == 0 ? "hung up" : strerror(errno));
            return -1;
        }
        u->in_len += (size_t)n;
    }
}

/* listen mode: take a waiting connection; 1 if one was taken, 0 if none */
static int accept_one(UnixBackend *u)
{
    int fd = accept4(u->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0)
        return 0;
    if (u->conn_fd >= 0) {
        close(fd);
        net_note(&u->b, "refused a second peer: one is connected already");
        return 1;
    }
    if (adopt(u, fd) == 0)
        net_note(&u->b, "peer connected");
    return 1;
}

static ssize_t unix_recv(NetBackend *b, uint8_t *buf, size_t cap)
{
    UnixBackend *u = unix_of(b);
    if (u->conn_fd >= 0 && u->out_len)
        flush_out(u);
    for (;;) {
        if (u->conn_fd >= 0) {
            ssize_t n = u->spec.stream ? recv_stream(u, buf, cap) : recv_seqpacket(u, buf, cap);
            if (n > 0)
                return n;
        }
        if (u->listen_fd < 0 || !accept_one(u))
            return 0;
    }
}

const NetBackendOps net_unix_ops = {
    .kind = NET_KIND_UNIX,
    .kind_name = "unix",
    .open = unix_open,
    .close = unix_close,
    .send = unix_send,
    .recv = unix_recv,
};
