/* The in-process peer (kind queue) and what every backend shares through it:
 * the Ethernet length rules, counters, the pollable fd, carrier and MAC
 * bookkeeping, trace notes for drops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <poll.h>

#include "host/net.h"
#include "trace/trace.h"

/* A frame of len bytes: broadcast, locally administered source, the IEEE
 * 802 "local experimental" EtherType 0x88B5, payload seq, seq+1, ... */
static void make_frame(uint8_t *f, size_t len, uint8_t seq)
{
    static const uint8_t hdr[14] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
                                    0,    0,    0,    0,    1,    0x88, 0xb5};
    memcpy(f, hdr, len < 14 ? len : 14);
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seq + i);
}

static int readable(NetBackend *b)
{
    struct pollfd p = {.fd = net_fd(b), .events = POLLIN};
    return poll(&p, 1, 0) == 1;
}

static void test_frames_both_ways(void **st)
{
    char err[NET_ERR_MAX];
    NetBackend *b = net_open("queue", 0, err, sizeof err);
    assert_non_null(b);
    assert_int_equal(net_kind(b), NET_KIND_QUEUE);
    assert_string_equal(net_name(b), "queue");
    assert_int_equal(net_peer_connected(b), 1);

    uint8_t f[1514], g[2000];
    const uint8_t *r;
    assert_int_equal(readable(b), 0);
    assert_int_equal(net_recv(b, &r), 0);
    for (int i = 0; i < 3; i++) {
        make_frame(f, 60 + (size_t)i, (uint8_t)i);
        assert_int_equal(net_queue_inject(b, f, 60 + (size_t)i), 0);
    }
    assert_int_equal(net_queue_pending_in(b), 3);
    assert_int_equal(readable(b), 1);
    for (int i = 0; i < 3; i++) {
        make_frame(f, 60 + (size_t)i, (uint8_t)i);
        assert_int_equal(net_recv(b, &r), 60 + i);
        assert_memory_equal(r, f, 60 + (size_t)i);
    }
    /* drained: the fd is quiet again (level-triggered contract) */
    assert_int_equal(net_recv(b, &r), 0);
    assert_int_equal(readable(b), 0);

    make_frame(f, 1514, 7);
    assert_int_equal(net_send(b, f, 1514), 0);
    assert_int_equal(net_queue_pending_out(b), 1);
    assert_int_equal(net_queue_take(b, g, sizeof g), 1514);
    assert_memory_equal(g, f, 1514);
    assert_int_equal(net_queue_take(b, g, sizeof g), 0);

    const NetStats *s = net_stats(b);
    assert_int_equal(s->frames_in, 3);
    assert_int_equal(s->bytes_in, 60 + 61 + 62);
    assert_int_equal(s->frames_out, 1);
    assert_int_equal(s->bytes_out, 1514);
    net_close(b);
}

/* IEEE 802.3: 1514 bytes without FCS, 1518 only with an 802.1Q/802.1ad
 * tag; under 14 bytes there is no Ethernet header at all. */
static void test_length_rules(void **st)
{
    NetBackend *b = net_open("queue", 0, NULL, 0);
    assert_non_null(b);
    uint8_t f[1600];
    const uint8_t *r;

    make_frame(f, sizeof f, 0);
    assert_int_equal(net_send(b, f, 1515), -1); /* untagged, too long */
    assert_int_equal(net_send(b, f, 13), -1);   /* runt */
    assert_int_equal(net_send(b, f, 14), 0);    /* header only: allowed */
    f[12] = 0x81, f[13] = 0x00;                 /* 802.1Q C-tag */
    assert_int_equal(net_send(b, f, 1518), 0);
    assert_int_equal(net_send(b, f, 1519), -1);
    f[12] = 0x88, f[13] = 0xa8; /* 802.1ad S-tag */
    assert_int_equal(net_send(b, f, 1518), 0);
    f[12] = 0x08, f[13] = 0x00; /* IPv4: no tag */
    assert_int_equal(net_send(b, f, 1518), -1);
    assert_int_equal(net_stats(b)->drops_out_size, 4);
    assert_int_equal(net_stats(b)->frames_out, 3);
    assert_int_equal(net_queue_pending_out(b), 3);

    /* the same rules inbound: bad frames are skipped, good ones delivered */
    make_frame(f, sizeof f, 0);
    assert_int_equal(net_queue_inject(b, f, 1600), 0);
    assert_int_equal(net_queue_inject(b, f, 0), 0);
    assert_int_equal(net_queue_inject(b, f, 5), 0);
    assert_int_equal(net_queue_inject(b, f, 100), 0);
    assert_int_equal(net_queue_inject(b, f, 70000), -1); /* the peer itself refuses */
    assert_int_equal(net_recv(b, &r), 100);
    assert_int_equal(net_recv(b, &r), 0);
    assert_int_equal(net_stats(b)->drops_in_size, 3);
    assert_int_equal(net_stats(b)->frames_in, 1);
    net_close(b);
}

static void test_queue_full(void **st)
{
    NetBackend *b = net_open("queue", 0, NULL, 0);
    uint8_t f[64];
    make_frame(f, sizeof f, 1);
    for (int i = 0; i < NET_QUEUE_DEPTH; i++)
        assert_int_equal(net_send(b, f, sizeof f), 0);
    assert_int_equal(net_send(b, f, sizeof f), -1);
    assert_int_equal(net_stats(b)->drops_out, 1);
    for (int i = 0; i < NET_QUEUE_DEPTH; i++)
        assert_int_equal(net_queue_inject(b, f, sizeof f), 0);
    assert_int_equal(net_queue_inject(b, f, sizeof f), -1);
    /* close frees whatever is still queued (ASan checks) */
    net_close(b);
}

static void test_carrier_and_mac(void **st)
{
    NetBackend *b = net_open("queue", NET_OPEN_CARRIER_OFF, NULL, 0);
    assert_int_equal(net_carrier(b), 0);
    assert_int_equal(net_set_carrier(b, 1), 0);
    assert_int_equal(net_carrier(b), 1);

    uint8_t mac[6], zero[6] = {0}, want[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    assert_int_equal(net_get_mac(b, mac), 0);
    assert_memory_equal(mac, zero, 6);
    assert_int_equal(net_set_mac(b, want, NULL, 0), 0);
    assert_int_equal(net_get_mac(b, mac), 0);
    assert_memory_equal(mac, want, 6);

    char err[NET_ERR_MAX];
    uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0, 0, 1};
    assert_int_equal(net_set_mac(b, mcast, err, sizeof err), -1);
    assert_string_equal(err, "queue: 01:00:5e:00:00:01 is a multicast address");
    net_close(b);
}

typedef struct Seen {
    int notes;
    char last[512];
    uint64_t vtime;
} Seen;

static void sink(void *opaque, const TraceEvent *ev)
{
    Seen *s = opaque;
    if (ev->kind != TRACE_NOTE)
        return;
    s->notes++;
    snprintf(s->last, sizeof s->last, "%s", ev->text);
    s->vtime = ev->vtime;
}

static uint64_t fixed_clock(void *opaque)
{
    return *(uint64_t *)opaque;
}

/* Loud, not silent: every drop is a trace note stamped with the backend's
 * clock (here a virtual one). */
static void test_drops_are_traced(void **st)
{
    Seen seen = {0};
    uint64_t now = 12345;
    trace_add_sink(sink, &seen);
    NetBackend *b = net_open("queue", 0, NULL, 0);
    net_set_clock(b, fixed_clock, &now);
    uint8_t f[2000];
    make_frame(f, sizeof f, 0);
    assert_int_equal(net_send(b, f, 2000), -1);
    assert_int_equal(seen.notes, 1);
    assert_string_equal(seen.last, "queue: dropped oversize frame of 2000 bytes from xdrv");
    assert_int_equal(seen.vtime, 12345);
    now = 20000;
    net_queue_inject(b, f, 3);
    const uint8_t *r;
    assert_int_equal(net_recv(b, &r), 0);
    assert_string_equal(seen.last, "queue: dropped runt frame of 3 bytes from the host");
    assert_int_equal(seen.vtime, 20000);
    net_close(b);
    trace_remove_sink(sink, &seen);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frames_both_ways), cmocka_unit_test(test_length_rules),
        cmocka_unit_test(test_queue_full),       cmocka_unit_test(test_carrier_and_mac),
        cmocka_unit_test(test_drops_are_traced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
