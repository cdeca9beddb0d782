/* The plain forwarder between two in-process peers: every frame crosses in
 * order and byte-exact, both ways; drops on the far side are counted there;
 * the poll loop stops when asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <signal.h>
#include <sys/time.h>

#include "host/net.h"

static void make_frame(uint8_t *f, size_t len, uint32_t seq)
{
    static const uint8_t hdr[14] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
                                    0,    0,    0,    0,    1,    0x88, 0xb5};
    memcpy(f, hdr, 14);
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seq * 3 + i);
}

static void test_step_both_ways(void **st)
{
    NetBackend *a = net_open("queue", 0, NULL, 0);
    NetBackend *b = net_open("queue", 0, NULL, 0);
    uint8_t f[1514], g[1514];
    NetForwardStats fs = {0};

    assert_int_equal(net_forward_step(a, b, &fs), 0);
    for (uint32_t i = 0; i < 10; i++) {
        make_frame(f, 60 + i * 100, i);
        assert_int_equal(net_queue_inject(a, f, 60 + i * 100), 0);
    }
    for (uint32_t i = 0; i < 3; i++) {
        make_frame(f, 1514, 100 + i);
        assert_int_equal(net_queue_inject(b, f, 1514), 0);
    }
    assert_int_equal(net_forward_step(a, b, &fs), 13);
    assert_int_equal(fs.a_to_b, 10);
    assert_int_equal(fs.b_to_a, 3);
    for (uint32_t i = 0; i < 10; i++) {
        make_frame(f, 60 + i * 100, i);
        assert_int_equal(net_queue_take(b, g, sizeof g), 60 + i * 100);
        assert_memory_equal(g, f, 60 + i * 100);
    }
    for (uint32_t i = 0; i < 3; i++) {
        make_frame(f, 1514, 100 + i);
        assert_int_equal(net_queue_take(a, g, sizeof g), 1514);
        assert_memory_equal(g, f, 1514);
    }
    assert_int_equal(net_queue_pending_out(a) + net_queue_pending_out(b), 0);
    assert_int_equal(net_forward_step(a, b, NULL), 0);
    net_close(a);
    net_close(b);
}

/* More than the far queue holds: the excess is dropped on b, counted there,
 * and not counted as forwarded. */
static void test_far_side_full(void **st)
{
    NetBackend *a = net_open("queue", 0, NULL, 0);
    NetBackend *b = net_open("queue", 0, NULL, 0);
    uint8_t f[64];
    make_frame(f, 64, 0);
    NetForwardStats fs = {0};
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < NET_QUEUE_DEPTH; i++)
            assert_int_equal(net_queue_inject(a, f, 64), 0);
        assert_int_equal(net_forward_step(a, b, &fs), NET_QUEUE_DEPTH);
    }
    assert_int_equal(fs.a_to_b, NET_QUEUE_DEPTH);
    assert_int_equal(net_stats(b)->drops_out, NET_QUEUE_DEPTH);
    assert_int_equal(net_stats(a)->frames_in, 2 * NET_QUEUE_DEPTH);
    net_close(a);
    net_close(b);
}

static volatile sig_atomic_t stop;

static void on_alarm(int sig)
{
    (void)sig;
    stop = 1;
}

/* net_forward_run wakes on the backends' fds and returns once a signal
 * handler sets *stop (the way a SIGTERM handler would). */
static void test_run_until_stopped(void **st)
{
    NetBackend *a = net_open("queue", 0, NULL, 0), *b = net_open("queue", 0, NULL, 0);
    NetForwardStats fs = {0};
    uint8_t f[200], g[200];
    for (uint32_t i = 0; i < 5; i++) {
        make_frame(f, 200, i);
        net_queue_inject(a, f, 200);
        net_queue_inject(b, f, 100);
    }
    /* a stop already requested returns at once, having moved nothing */
    stop = 1;
    assert_int_equal(net_forward_run(a, b, &stop, 10, &fs), 0);
    assert_int_equal(fs.a_to_b, 0);

    stop = 0;
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {.it_value = {0, 50000}};
    setitimer(ITIMER_REAL, &it, NULL);
    assert_int_equal(net_forward_run(a, b, &stop, 1000, &fs), 0);
    assert_int_equal(stop, 1);
    assert_int_equal(fs.a_to_b, 5);
    assert_int_equal(fs.b_to_a, 5);
    for (uint32_t i = 0; i < 5; i++) {
        make_frame(f, 200, i);
        assert_int_equal(net_queue_take(b, g, sizeof g), 200);
        assert_memory_equal(g, f, 200);
        assert_int_equal(net_queue_take(a, g, sizeof g), 100);
        assert_memory_equal(g, f, 100);
    }
    net_close(a);
    net_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_both_ways),
        cmocka_unit_test(test_far_side_full),
        cmocka_unit_test(test_run_until_stopped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
