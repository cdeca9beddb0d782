/* The unix-socket peer: listen and connect ends in one process, both socket
 * types, the documented stream format checked from a raw socket, peers
 * hanging up and coming back, a peer that does not read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "host/net.h"

static char dir[64];
static char sock_path[96];

static int setup(void **st)
{
    snprintf(dir, sizeof dir, "/tmp/xdrv-test-unix-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(sock_path, sizeof sock_path, "%s/w.sock", dir);
    return 0;
}

static int teardown(void **st)
{
    unlink(sock_path);
    rmdir(dir);
    return 0;
}

static void make_frame(uint8_t *f, size_t len, uint32_t seq)
{
    static const uint8_t hdr[12] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1};
    memcpy(f, hdr, 12);
    f[12] = 0x88, f[13] = 0xb5;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seq * 13 + i);
    if (len >= 18)
        memcpy(f + 14, &seq, 4);
}

static char *spec(const char *extra)
{
    static char s[256];
    snprintf(s, sizeof s, "unix,path=%s%s", sock_path, extra);
    return s;
}

static int readable(NetBackend *b, int timeout_ms)
{
    struct pollfd p = {.fd = net_fd(b), .events = POLLIN};
    return poll(&p, 1, timeout_ms) == 1;
}

/* Wait for b to deliver a frame (the peer is in this process, so it is
 * there at once or after a poll). */
static ssize_t recv_wait(NetBackend *b, const uint8_t **r)
{
    for (int i = 0; i < 100; i++) {
        ssize_t n = net_recv(b, r);
        if (n != 0)
            return n;
        readable(b, 10);
    }
    return 0;
}

static void pair_traffic(const char *opts)
{
    char err[NET_ERR_MAX], lspec[256];
    snprintf(lspec, sizeof lspec, "%s,listen", spec(opts));
    NetBackend *a = net_open(lspec, 0, err, sizeof err);
    if (!a)
        fail_msg("%s", err);
    assert_int_equal(net_peer_connected(a), 0);
    assert_int_equal(readable(a, 0), 0);
    NetBackend *b = net_open(spec(opts), 0, err, sizeof err);
    if (!b)
        fail_msg("%s", err);
    assert_int_equal(net_peer_connected(b), 1);

    /* the connection makes a's fd readable; net_recv accepts it */
    assert_int_equal(readable(a, 1000), 1);
    const uint8_t *r;
    assert_int_equal(net_recv(a, &r), 0);
    assert_int_equal(net_peer_connected(a), 1);
    assert_int_equal(readable(a, 0), 0);

    uint8_t f[1518];
    static const size_t lens[] = {14, 60, 1000, 1514};
    for (uint32_t i = 0; i < 4; i++) {
        make_frame(f, lens[i], i);
        assert_int_equal(net_send(b, f, lens[i]), 0);
    }
    make_frame(f, 1518, 9);
    f[12] = 0x81, f[13] = 0x00;
    assert_int_equal(net_send(a, f, 1518), 0);

    for (uint32_t i = 0; i < 4; i++) {
        make_frame(f, lens[i], i);
        assert_int_equal(recv_wait(a, &r), (ssize_t)lens[i]);
        assert_memory_equal(r, f, lens[i]);
    }
    make_frame(f, 1518, 9);
    f[12] = 0x81, f[13] = 0x00;
    assert_int_equal(recv_wait(b, &r), 1518);
    assert_memory_equal(r, f, 1518);
    assert_int_equal(net_recv(a, &r), 0);
    assert_int_equal(net_recv(b, &r), 0);
    assert_int_equal(net_stats(b)->frames_out, 4);
    assert_int_equal(net_stats(a)->frames_in, 4);
    assert_int_equal(net_stats(a)->bytes_in, 14 + 60 + 1000 + 1514);

    /* b hangs up: a goes back to listening and drops what it sends */
    net_close(b);
    assert_int_equal(readable(a, 1000), 1);
    assert_int_equal(net_recv(a, &r), 0);
    assert_int_equal(net_peer_connected(a), 0);
    assert_int_equal(readable(a, 0), 0);
    assert_int_equal(net_send(a, f, 60), -1);
    assert_int_equal(net_stats(a)->drops_out, 1);

    /* and takes the next peer */
    b = net_open(spec(opts), 0, err, sizeof err);
    assert_non_null(b);
    make_frame(f, 100, 42);
    assert_int_equal(net_send(b, f, 100), 0);
    assert_int_equal(recv_wait(a, &r), 100);
    assert_memory_equal(r, f, 100);
    assert_int_equal(net_peer_connected(a), 1);

    /* a goes away: b's cable stays unplugged */
    net_close(a);
    struct stat sb;
    assert_int_equal(stat(sock_path, &sb), -1); /* listener's path removed */
    assert_int_equal(readable(b, 1000), 1);
    assert_int_equal(net_recv(b, &r), 0);
    assert_int_equal(net_peer_connected(b), 0);
    assert_int_equal(readable(b, 0), 0);
    assert_int_equal(net_send(b, f, 100), -1);
    net_close(b);
}

static void test_seqpacket_pair(void **st)
{
    pair_traffic("");
}

static void test_stream_pair(void **st)
{
    pair_traffic(",type=stream");
}

static int raw_connect(int type)
{
    int fd = socket(AF_UNIX, type, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", sock_path);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void read_all(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len) {
        ssize_t n = read(fd, p, len);
        assert_true(n > 0);
        p += n;
        len -= (size_t)n;
    }
}

/* docs/host.md: type=stream is a 4-byte big-endian length, then the frame.
 * A peer may write it in any pieces. */
static void test_stream_format(void **st)
{
    NetBackend *a = net_open(spec(",type=stream,listen"), 0, NULL, 0);
    assert_non_null(a);
    int fd = raw_connect(SOCK_STREAM);
    const uint8_t *r;

    uint8_t f[300], wire[2 * (4 + 300)];
    size_t n = 0;
    for (uint32_t k = 0; k < 2; k++) {
        size_t len = k ? 300 : 64;
        make_frame(f, len, k);
        wire[n++] = 0, wire[n++] = 0, wire[n++] = (uint8_t)(len >> 8), wire[n++] = (uint8_t)len;
        memcpy(wire + n, f, len);
        n += len;
    }
    /* byte by byte, with net_recv in between */
    int got = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(write(fd, wire + i, 1), 1);
        ssize_t m = net_recv(a, &r);
        if (m > 0) {
            size_t len = got ? 300 : 64;
            make_frame(f, len, (uint32_t)got);
            assert_int_equal(m, len);
            assert_memory_equal(r, f, len);
            got++;
        }
    }
    assert_int_equal(got, 2);

    /* and what the backend sends is framed the same way */
    make_frame(f, 77, 5);
    assert_int_equal(net_send(a, f, 77), 0);
    uint8_t hdr[4], back[77];
    read_all(fd, hdr, 4);
    assert_int_equal(hdr[0] << 24 | hdr[1] << 16 | hdr[2] << 8 | hdr[3], 77);
    read_all(fd, back, 77);
    assert_memory_equal(back, f, 77);

    /* a zero length is a runt; an oversize one is dropped; both counted */
    uint8_t zero[4] = {0}, big[4 + 2000] = {0, 0, 2000 >> 8, 2000 & 0xff};
    make_frame(big + 4, 2000, 1);
    assert_int_equal(write(fd, zero, 4), 4);
    assert_int_equal(write(fd, big, sizeof big), (ssize_t)sizeof big);
    assert_int_equal(recv_wait(a, &r), 0);
    assert_int_equal(net_stats(a)->drops_in_size, 2);
    assert_int_equal(net_peer_connected(a), 1);

    /* a length over 65536: framing is lost, the peer is dropped */
    uint8_t garbage[4] = {0x47, 0x45, 0x54, 0x20}; /* "GET " */
    assert_int_equal(write(fd, garbage, 4), 4);
    recv_wait(a, &r);
    assert_int_equal(net_peer_connected(a), 0);
    char c;
    assert_int_equal(read(fd, &c, 1), 0); /* closed on us */
    close(fd);
    net_close(a);
}

static void test_seqpacket_oversize(void **st)
{
    NetBackend *a = net_open(spec(",listen"), 0, NULL, 0);
    int fd = raw_connect(SOCK_SEQPACKET);
    uint8_t f[3000];
    make_frame(f, sizeof f, 0);
    assert_int_equal(send(fd, f, 1515, 0), 1515);
    assert_int_equal(send(fd, f, 0, 0), 0); /* an empty message is a runt, not a hang-up */
    assert_int_equal(send(fd, f, 3000, 0), 3000);
    assert_int_equal(send(fd, f, 1514, 0), 1514);
    const uint8_t *r;
    assert_int_equal(recv_wait(a, &r), 1514);
    assert_memory_equal(r, f, 1514);
    assert_int_equal(net_stats(a)->drops_in_size, 3);
    assert_int_equal(net_peer_connected(a), 1);
    close(fd);
    net_close(a);
}

static void test_second_peer_refused(void **st)
{
    NetBackend *a = net_open(spec(",listen"), 0, NULL, 0);
    NetBackend *b = net_open(spec(""), 0, NULL, 0);
    const uint8_t *r;
    assert_int_equal(recv_wait(a, &r), 0);
    assert_int_equal(net_peer_connected(a), 1);
    NetBackend *c = net_open(spec(""), 0, NULL, 0);
    assert_non_null(c); /* the kernel completes the connect ... */
    assert_int_equal(recv_wait(a, &r), 0);
    assert_int_equal(readable(c, 1000), 1);
    assert_int_equal(net_recv(c, &r), 0);
    assert_int_equal(net_peer_connected(c), 0); /* ... and a hangs up on it */
    uint8_t f[60];
    make_frame(f, 60, 3);
    assert_int_equal(net_send(b, f, 60), 0); /* the first peer is unaffected */
    assert_int_equal(recv_wait(a, &r), 60);
    net_close(c);
    net_close(b);
    net_close(a);
}

static void test_listen_path_checks(void **st)
{
    char err[NET_ERR_MAX];
    NetBackend *a = net_open(spec(",listen"), 0, err, sizeof err);
    assert_non_null(a);
    /* a live listener is not stolen */
    assert_null(net_open(spec(",listen"), 0, err, sizeof err));
    char want[256];
    snprintf(want, sizeof want, "unix: cannot listen on %s: another process listens there",
             sock_path);
    assert_string_equal(err, want);
    net_close(a);

    /* a stale socket left by a dead process is replaced */
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    close(fd);
    a = net_open(spec(",listen"), 0, err, sizeof err);
    if (!a)
        fail_msg("%s", err);
    /* the other socket type is named in the error */
    assert_null(net_open(spec(",type=stream"), 0, err, sizeof err));
    snprintf(want, sizeof want,
             "unix: cannot connect to %s: Protocol wrong type for socket (the peer uses the "
             "other socket type: type=seqpacket or type=stream)",
             sock_path);
    assert_string_equal(err, want);
    net_close(a);
    assert_null(net_open(spec(""), 0, err, sizeof err));
    snprintf(want, sizeof want,
             "unix: cannot connect to %s: No such file or directory (no such socket; or add "
             ",listen)",
             sock_path);
    assert_string_equal(err, want);
}

/* A peer that stops reading: a stream backend never blocks and never cuts
 * a frame; what it cannot keep is dropped whole and counted. */
static void test_stream_slow_peer(void **st)
{
    NetBackend *a = net_open(spec(",type=stream,listen"), 0, NULL, 0);
    int fd = raw_connect(SOCK_STREAM);
    const uint8_t *r;
    assert_int_equal(recv_wait(a, &r), 0);
    assert_int_equal(net_peer_connected(a), 1);

    uint8_t f[1514];
    const uint32_t total = 2000; /* ~3 MB: far more than socket buffers hold */
    for (uint32_t i = 0; i < total; i++) {
        make_frame(f, 1514, i);
        net_send(a, f, 1514);
    }
    const NetStats *s = net_stats(a);
    assert_int_equal(s->frames_out + s->drops_out, total);
    assert_true(s->drops_out > 0);

    /* the peer now reads everything, in whatever pieces arrive; a's fd
     * turns readable (EPOLLOUT inside) whenever it can write more */
    uint64_t got = 0;
    uint32_t last = 0;
    static uint8_t acc[4 + 1514];
    size_t have = 0;
    while (got < s->frames_out) {
        ssize_t n = recv(fd, acc + have, sizeof acc - have, MSG_DONTWAIT);
        if (n < 0) {
            assert_int_equal(errno, EAGAIN);
            assert_int_equal(readable(a, 1000), 1);
            assert_int_equal(net_recv(a, &r), 0);
            continue;
        }
        assert_true(n > 0);
        have += (size_t)n;
        if (have < sizeof acc)
            continue;
        assert_int_equal(acc[0] << 24 | acc[1] << 16 | acc[2] << 8 | acc[3], 1514);
        uint32_t seq;
        memcpy(&seq, acc + 4 + 14, 4);
        assert_true(got == 0 || seq > last);
        make_frame(f, 1514, seq);
        assert_memory_equal(acc + 4, f, 1514);
        last = seq;
        got++;
        have = 0;
    }
    assert_int_equal(net_recv(a, &r), 0);
    assert_int_equal(readable(a, 0), 0); /* nothing pending: EPOLLOUT off */
    close(fd);
    net_close(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_seqpacket_pair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_pair, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seqpacket_oversize, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_peer_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listen_path_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_slow_peer, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
