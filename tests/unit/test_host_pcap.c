/* Capture files: what net_send/net_recv record, read back with libpcap's own
 * reader (pcap_open_offline): byte-exact frames, link type, timestamps that
 * never go backwards, and nothing lost when the writer is killed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host/net.h"

static void make_frame(uint8_t *f, size_t len, uint8_t seq)
{
    static const uint8_t hdr[14] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
                                    0,    0,    0,    0,    1,    0x88, 0xb5};
    memcpy(f, hdr, 14);
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seq * 7 + i);
}

static char *temp_path(void)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/xdrv-test-pcap-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    return path;
}

static uint64_t vclock(void *opaque)
{
    return *(uint64_t *)opaque;
}

typedef struct Want {
    size_t len;
    uint8_t seq;
    uint64_t ts_ns;
} Want;

/* Reads path with libpcap and checks it holds exactly want[0..n). */
static void check_file(const char *path, const Want *want, size_t n)
{
    char perr[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, perr);
    if (!p)
        fail_msg("pcap_open_offline: %s", perr);
    assert_int_equal(pcap_datalink(p), DLT_EN10MB);
    struct pcap_pkthdr *h;
    const u_char *data;
    uint8_t f[1518];
    double last = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(pcap_next_ex(p, &h, &data), 1);
        assert_int_equal(h->caplen, want[i].len);
        assert_int_equal(h->len, want[i].len);
        make_frame(f, want[i].len, want[i].seq);
        assert_memory_equal(data, f, want[i].len);
        assert_int_equal(h->ts.tv_sec, want[i].ts_ns / 1000000000u);
        assert_int_equal(h->ts.tv_usec, want[i].ts_ns % 1000000000u / 1000u);
        double t = (double)h->ts.tv_sec + h->ts.tv_usec / 1e6;
        assert_true(t >= last);
        last = t;
    }
    assert_int_equal(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK); /* end of file */
    pcap_close(p);
}

/* Both directions of the cable, in order, stamped with the backend clock;
 * the file is complete before it is closed. */
static void test_both_directions(void **st)
{
    char err[NET_ERR_MAX];
    char *path = temp_path();
    NetPcap *pc = net_pcap_open(path, err, sizeof err);
    assert_non_null(pc);
    NetBackend *b = net_open("queue", 0, NULL, 0);
    uint64_t now = 1700000000ull * 1000000000u + 123456789u;
    net_set_clock(b, vclock, &now);
    net_set_pcap(b, pc);

    uint8_t f[1600];
    const uint8_t *r;
    make_frame(f, 60, 1);
    assert_int_equal(net_send(b, f, 60), 0);
    now += 1500; /* 1.5 us */
    make_frame(f, 1514, 2);
    net_queue_inject(b, f, 1514);
    assert_int_equal(net_recv(b, &r), 1514);
    now += 1000000;
    make_frame(f, 1600, 3);
    assert_int_equal(net_send(b, f, 1600), -1); /* rejected: not recorded */
    make_frame(f, 14, 4);
    assert_int_equal(net_send(b, f, 14), 0);

    assert_int_equal(net_pcap_frames(pc), 3);
    const Want want[] = {
        {60, 1, 1700000000ull * 1000000000u + 123456789u},
        {1514, 2, 1700000000ull * 1000000000u + 123458289u},
        {14, 4, 1700000000ull * 1000000000u + 124458289u},
    };
    check_file(path, want, 3); /* still open: flushed per frame */
    net_close(b);
    net_pcap_close(pc);
    check_file(path, want, 3);
    unlink(path);
}

/* A clock that steps back (CLOCK_REALTIME can) never makes the file's
 * timestamps go backwards. */
static void test_timestamps_monotonic(void **st)
{
    char *path = temp_path();
    NetPcap *pc = net_pcap_open(path, NULL, 0);
    assert_non_null(pc);
    uint8_t f[100];
    make_frame(f, 100, 0);
    assert_int_equal(net_pcap_write(pc, 5000000000u, f, 100), 0);
    assert_int_equal(net_pcap_write(pc, 4000000000u, f, 100), 0);
    assert_int_equal(net_pcap_write(pc, 6000000000u, f, 100), 0);
    net_pcap_close(pc);
    const Want want[] = {{100, 0, 5000000000u}, {100, 0, 5000000000u}, {100, 0, 6000000000u}};
    check_file(path, want, 3);
    unlink(path);
}

/* The default clock is the wall clock, and the empty file is valid. */
static void test_realtime_default(void **st)
{
    char *path = temp_path();
    NetPcap *pc = net_pcap_open(path, NULL, 0);
    check_file(path, NULL, 0);
    NetBackend *b = net_open("queue", 0, NULL, 0);
    net_set_pcap(b, pc);
    uint8_t f[64];
    make_frame(f, 64, 0);
    time_t before = time(NULL);
    for (int i = 0; i < 10; i++)
        net_send(b, f, 64);
    time_t after = time(NULL);
    net_close(b);
    net_pcap_close(pc);

    char perr[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, perr);
    assert_non_null(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    long last_us = 0;
    for (int i = 0; i < 10; i++) {
        assert_int_equal(pcap_next_ex(p, &h, &data), 1);
        assert_true(h->ts.tv_sec >= before && h->ts.tv_sec <= after);
        long us = (long)(h->ts.tv_sec - before) * 1000000 + h->ts.tv_usec;
        assert_true(us >= last_us);
        last_us = us;
    }
    pcap_close(p);
    unlink(path);
}

/* Regression guard for "pcap empty after SIGTERM": a writer killed without
 * any chance to clean up (SIGKILL) leaves every frame it wrote. */
static void test_killed_writer_loses_nothing(void **st)
{
    char *path = temp_path();
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        NetPcap *pc = net_pcap_open(path, NULL, 0);
        uint8_t f[200];
        for (int i = 0; i < 50; i++) {
            make_frame(f, 200, (uint8_t)i);
            net_pcap_write(pc, (uint64_t)i * 1000, f, 200);
        }
        if (write(ready[1], "x", 1) != 1)
            _exit(1);
        for (;;)
            pause();
    }
    char c;
    assert_int_equal(read(ready[0], &c, 1), 1);
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
    close(ready[0]);
    close(ready[1]);
    Want want[50];
    for (int i = 0; i < 50; i++)
        want[i] = (Want){200, (uint8_t)i, (uint64_t)i * 1000};
    check_file(path, want, 50);
    unlink(path);
}

static void test_open_error(void **st)
{
    char err[NET_ERR_MAX];
    assert_null(net_pcap_open("/nonexistent-dir/x.pcap", err, sizeof err));
    assert_string_equal(err, "pcap: cannot create /nonexistent-dir/x.pcap: No such file or "
                             "directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_directions),  cmocka_unit_test(test_timestamps_monotonic),
        cmocka_unit_test(test_realtime_default), cmocka_unit_test(test_killed_writer_loses_nothing),
        cmocka_unit_test(test_open_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
