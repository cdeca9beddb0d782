/* Unit tests for src/exercise/workload.c, rule by rule from
 * docs/formats/workload.md: the version line, comments and words, every
 * request with its defaults and every refusal, range expansion and the step
 * cap, the OID names against mingw-w64's ntddndis.h, formatting and the
 * round trip of the built-in suites, append, what the suites cover, and the
 * frames (addresses, EtherType, payloads, the documented splitmix64). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "exercise/workload.h"

static void parse_ok(Workload *w, const char *text)
{
    char err[WL_ERR_MAX];

    if (workload_parse(text, strlen(text), "test", w, err, sizeof err) != 0)
        fail_msg("workload_parse: %s\n--- text:\n%s", err, text);
    assert_string_equal(err, "");
}

static void expect_error(const char *text, const char *want)
{
    Workload w;
    char err[WL_ERR_MAX];
    int rc = workload_parse(text, strlen(text), "test", &w, err, sizeof err);

    if (rc == 0 || !strstr(err, want))
        print_error("text \"%s\": expected \"%s\", got rc %d \"%s\"\n", text, want, rc, err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, want));
    assert_null(strchr(err, '\n'));
    assert_memory_equal(err, "line ", 5);
    assert_int_equal(w.nsteps, 0);
    assert_null(w.steps);
    workload_free(&w);
}

/* Every field but the source line, whole arrays included: the parser and
 * append leave the fields of other kinds zero. */
static void assert_step_equal(const WlStep *a, const WlStep *b)
{
    assert_int_equal(a->kind, b->kind);
    assert_int_equal(a->len, b->len);
    assert_int_equal(a->payload, b->payload);
    assert_int_equal(a->dest, b->dest);
    assert_int_equal(a->count, b->count);
    assert_int_equal(a->filter, b->filter);
    assert_int_equal(a->mcast_op, b->mcast_op);
    assert_memory_equal(a->macs, b->macs, sizeof a->macs);
    assert_int_equal(a->nmacs, b->nmacs);
    assert_int_equal(a->oid, b->oid);
    assert_memory_equal(a->value, b->value, sizeof a->value);
    assert_int_equal(a->value_len, b->value_len);
    assert_int_equal(a->up, b->up);
    assert_int_equal(a->cond, b->cond);
    assert_int_equal(a->ms, b->ms);
    assert_memory_equal(a->api, b->api, sizeof a->api);
    assert_memory_equal(a->pname, b->pname, sizeof a->pname);
    assert_memory_equal(a->pvalue, b->pvalue, sizeof a->pvalue);
    assert_int_equal(a->buflen, b->buflen);
}

static void assert_roundtrip(const Workload *w);

static const WlStep *only_step(const Workload *w)
{
    assert_int_equal(w->nsteps, 1);
    return &w->steps[0];
}

static void format_is(const WlStep *s, const char *want)
{
    char buf[1024];
    int n = workload_format_step(s, buf, sizeof buf);

    assert_int_equal(n, (int)strlen(want));
    assert_string_equal(buf, want);
}

/* ---- syntax ---------------------------------------------------------------- */

static void test_version_line(void **state)
{
    Workload w;

    (void)state;
    parse_ok(&w, "init\n"); /* absent: version 1 */
    assert_int_equal(w.nsteps, 1);
    assert_int_equal(w.seed, 1);
    assert_string_equal(w.name, "test");
    workload_free(&w);
    parse_ok(&w, "# a comment first\n\n  xdrv-workload 1  # the version\ninit\n");
    assert_int_equal(w.nsteps, 1);
    assert_int_equal(w.steps[0].line, 4);
    workload_free(&w);
    parse_ok(&w, "xdrv-workload 0x1\n");
    assert_int_equal(w.nsteps, 0);
    workload_free(&w);
    expect_error("xdrv-workload 2\ninit\n", "line 1: unsupported workload version 2 (this xdrv "
                                            "reads version 1)");
    expect_error("xdrv-workload 0\n", "unsupported workload version 0");
    expect_error("xdrv-workload\n", "xdrv-workload takes one version number");
    expect_error("xdrv-workload 1 2\n", "xdrv-workload takes one version number");
    expect_error("xdrv-workload one\n", "xdrv-workload takes one version number");
    expect_error("init\nxdrv-workload 1\n", "line 2: xdrv-workload must be the first line");
    expect_error("seed 3\nxdrv-workload 1\n", "line 2: xdrv-workload must be the first line");
    expect_error("xdrv-workload 1\nxdrv-workload 1\n", "line 2: xdrv-workload must be");
}

static void test_comments_and_blanks(void **state)
{
    Workload w;

    (void)state;
    parse_ok(&w, "  # only a comment\n"
                 "\n"
                 "\t\r\n"
                 "\tinit\t# bring-up\r\n"
                 "send\tlen=60#glued comment\r\n"
                 "link   down   \n"
                 "halt");
    assert_int_equal(w.nsteps, 4);
    assert_int_equal(w.steps[0].kind, WL_INIT);
    assert_int_equal(w.steps[0].line, 4);
    assert_int_equal(w.steps[1].kind, WL_SEND);
    assert_int_equal(w.steps[1].len, 60);
    assert_int_equal(w.steps[1].line, 5);
    assert_int_equal(w.steps[2].up, 0);
    assert_int_equal(w.steps[3].kind, WL_HALT);
    assert_int_equal(w.steps[3].line, 7);
    workload_free(&w);
    parse_ok(&w, "");
    assert_int_equal(w.nsteps, 0);
    assert_null(w.steps);
    workload_free(&w);
}

static void test_length_and_nul(void **state)
{
    Workload w;
    char err[WL_ERR_MAX];
    const char text[] = "init\nhalt";
    const char nul[] = "init\0send len=1\n";
    char *exact = malloc(sizeof text - 1);

    (void)state;
    /* len bounds the text: an exact-size buffer, no NUL after it (ASan) */
    memcpy(exact, text, sizeof text - 1);
    assert_int_equal(workload_parse(exact, sizeof text - 1, "x", &w, err, sizeof err), 0);
    assert_int_equal(w.nsteps, 2);
    workload_free(&w);
    assert_int_equal(workload_parse(exact, 4, "x", &w, err, sizeof err), 0);
    assert_int_equal(w.nsteps, 1);
    workload_free(&w);
    assert_int_equal(workload_parse(exact, 3, "x", &w, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown request 'ini'"));
    free(exact);
    /* ... and so does a NUL */
    assert_int_equal(workload_parse(nul, sizeof nul, "x", &w, err, sizeof err), 0);
    assert_int_equal(w.nsteps, 1);
    workload_free(&w);
    assert_int_equal(workload_parse(NULL, 10, NULL, &w, err, sizeof err), 0);
    assert_int_equal(w.nsteps, 0);
    assert_string_equal(w.name, "");
    /* no error buffer at all */
    assert_int_equal(workload_parse("bogus", 5, "x", &w, NULL, 0), -1);
    assert_int_equal(workload_parse("bogus", 5, "x", &w, err, 1), -1);
    assert_string_equal(err, "");
}

static void test_errors_general(void **state)
{
    char many[1024] = "filter";

    (void)state;
    for (int i = 0; i < 64; i++)
        strcat(many, " directed");
    expect_error(many, "line 1: more than 64 words");
    expect_error("init\n\nfrob 1\n", "line 3: unknown request 'frob' (accepted: init reset halt "
                                     "reinit shutdown pnp link wait send receive filter multicast "
                                     "query set inject fail param seed)");
    expect_error("INIT\n", "unknown request 'INIT'");
    expect_error("init\x01\n", "unknown request 'init?'");
    expect_error("x123456789x123456789x123456789x123456789x123456789\n",
                 "unknown request 'x123456789x123456789x123456789x123456789...'");
    expect_error("init now\n", "line 1: init: takes no arguments (got 'now')");
    expect_error("reset 1\n", "reset: takes no arguments");
    expect_error("halt x\n", "halt: takes no arguments");
    expect_error("reinit x\n", "reinit: takes no arguments");
    expect_error("shutdown now\n", "line 1: shutdown: takes no arguments (got 'now')");
    expect_error("seed\n", "seed: takes one number (seed N)");
    expect_error("seed 1 2\n", "seed: takes one number");
    expect_error("seed x\n", "seed: x: not a number (decimal or 0x hex)");
    expect_error("seed 18446744073709551616\n",
                 "seed: 18446744073709551616: out of range (0..18446744073709551615)");
    expect_error("seed 0x10000000000000000\n", "out of range");
    expect_error("seed 1\ninit\nseed 2\n", "line 3: seed: given twice (first on line 1)");
}

static void test_numbers(void **state)
{
    Workload w;

    (void)state;
    parse_ok(&w, "seed 18446744073709551615\nwait ms=0x3e8\nwait ms=0X10\nwait ms=00060\n"
                 "wait ms=0xEA60\n");
    assert_true(w.seed == UINT64_MAX);
    assert_int_equal(w.steps[0].ms, 1000);
    assert_int_equal(w.steps[1].ms, 16);
    assert_int_equal(w.steps[2].ms, 60); /* leading zeros: still decimal */
    assert_int_equal(w.steps[3].ms, 60000);
    workload_free(&w);
    parse_ok(&w, "seed 0\n");
    assert_true(w.seed == 0);
    workload_free(&w);
    expect_error("wait ms=+5\n", "wait: ms=+5: not a number");
    expect_error("wait ms=-1\n", "ms=-1: not a number");
    expect_error("wait ms=1e3\n", "ms=1e3: not a number");
    expect_error("wait ms=0x\n", "ms=0x: not a number");
    expect_error("wait ms=0xg\n", "ms=0xg: not a number");
    expect_error("wait ms=99999999999999999999999\n", "ms=99999999999999999999999: out of "
                                                      "range (1..60000)");
}

/* ---- send and receive -------------------------------------------------------- */

static void test_send_receive_defaults(void **state)
{
    Workload w;

    (void)state;
    parse_ok(&w, "send len=60\nreceive len=61\n"
                 "send len=1514 payload=counter dest=broadcast\n"
                 "receive len=14 payload=zero dest=multicast burst=4096\n"
                 "send dest=self payload=random len=100\n"
                 "receive len=100 dest=other\n");
    assert_int_equal(w.nsteps, 6);
    assert_int_equal(w.steps[0].kind, WL_SEND);
    assert_int_equal(w.steps[0].payload, WL_PAYLOAD_RANDOM);
    assert_int_equal(w.steps[0].dest, WL_DEST_OTHER);
    assert_int_equal(w.steps[0].count, 1);
    assert_int_equal(w.steps[1].kind, WL_RECEIVE);
    assert_int_equal(w.steps[1].len, 61);
    assert_int_equal(w.steps[1].payload, WL_PAYLOAD_RANDOM);
    assert_int_equal(w.steps[1].dest, WL_DEST_SELF);
    assert_int_equal(w.steps[1].count, 1);
    assert_int_equal(w.steps[2].len, 1514);
    assert_int_equal(w.steps[2].payload, WL_PAYLOAD_COUNTER);
    assert_int_equal(w.steps[2].dest, WL_DEST_BROADCAST);
    assert_int_equal(w.steps[3].len, 14);
    assert_int_equal(w.steps[3].payload, WL_PAYLOAD_ZERO);
    assert_int_equal(w.steps[3].dest, WL_DEST_MULTICAST);
    assert_int_equal(w.steps[3].count, 4096);
    assert_int_equal(w.steps[4].dest, WL_DEST_SELF);
    assert_int_equal(w.steps[4].len, 100);
    assert_int_equal(w.steps[5].dest, WL_DEST_OTHER);
    workload_free(&w);
}

static void lens_are(const char *text, const uint32_t *want, size_t n)
{
    Workload w;

    parse_ok(&w, text);
    assert_int_equal(w.nsteps, n);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(w.steps[i].len, want[i]);
    workload_free(&w);
}

static void test_ranges(void **state)
{
    static const uint32_t inclusive[] = {100, 105, 110};
    static const uint32_t short_of_b[] = {100, 105};
    static const uint32_t one[] = {60};
    static const uint32_t repeated[] = {60, 60, 60, 61, 61, 61, 62, 62, 62};
    Workload w;

    (void)state;
    lens_are("send len=100..110 step=5\n", inclusive, 3);
    lens_are("send len=100..109 step=5\n", short_of_b, 2);
    lens_are("send len=60..60\n", one, 1);
    lens_are("send len=60..61 step=1500\n", one, 1);
    lens_are("send len=60..62 count=3\n", repeated, 9);
    parse_ok(&w, "send len=60..1514 step=97\n");
    assert_int_equal(w.nsteps, 15);
    for (size_t i = 0; i < w.nsteps; i++) {
        assert_int_equal(w.steps[i].len, 60 + 97 * i);
        assert_int_equal(w.steps[i].count, 1);
        assert_int_equal(w.steps[i].line, 1);
    }
    workload_free(&w);
    parse_ok(&w, "send len=14..1514\nreceive len=14..1514 step=3 burst=7\n");
    assert_int_equal(w.nsteps, 1501 + 501);
    assert_int_equal(w.steps[1500].len, 1514);
    assert_int_equal(w.steps[1501].kind, WL_RECEIVE);
    assert_int_equal(w.steps[1501].count, 7);
    assert_int_equal(w.steps[1501 + 500].len, 1514); /* 14 + 3 * 500 */
    workload_free(&w);
}

static void test_step_cap(void **state)
{
    Workload w;

    (void)state;
    parse_ok(&w, "send len=14 count=100000\n");
    assert_int_equal(w.nsteps, WL_MAX_STEPS);
    workload_free(&w);
    parse_ok(&w, "send len=14..1514 count=66\nsend len=14 count=934\n");
    assert_int_equal(w.nsteps, WL_MAX_STEPS);
    workload_free(&w);
    expect_error("send len=14 count=100000\ninit\n",
                 "line 2: init: the workload would expand to 100001 steps; at most 100000");
    expect_error("send len=14..1514 count=67\n",
                 "line 1: send: the workload would expand to 100567 steps; at most 100000");
    expect_error("send len=14 count=100001\n", "count=100001: out of range (1..100000)");
    expect_error("send len=14 count=99999\nreceive len=14..15\n", "would expand to 100001");
    expect_error("send len=14 count=100000\nfilter none\n", "filter: the workload would");
}

static void test_send_receive_errors(void **state)
{
    (void)state;
    expect_error("send\n", "send: len= is required (len=N or len=A..B, 14..1514)");
    expect_error("receive payload=zero\n", "receive: len= is required");
    expect_error("send 60\n", "send: '60' is not key=value (keys: len step payload dest count "
                              "burst frags place arrive)");
    expect_error("receive 60\n", "'60' is not key=value (keys: len step payload dest burst)");
    expect_error("send len=60 size=3\n", "send: unknown key 'size' (keys: len step payload "
                                         "dest count burst frags place arrive)");
    expect_error("send len=60 burst=0\n", "send: burst=0");
    expect_error("receive len=60 count=2\n", "receive: unknown key 'count'");
    expect_error("send len=60 =5\n", "unknown key ''");
    expect_error("send len=60 len=61\n", "send: len= given twice");
    expect_error("send len=60 dest=self dest=self\n", "dest= given twice");
    expect_error("send len=\n", "send: len= has no value");
    expect_error("send len=13\n", "send: len=13: out of range (14..1514)");
    expect_error("send len=1515\n", "len=1515: out of range (14..1514)");
    expect_error("send len=0x5eb\n", "len=0x5eb: out of range");
    expect_error("send len=big\n", "len=big: not a number (decimal or 0x hex)");
    expect_error("send len=60..\n", "len=60..: a range needs both ends (len=A..B)");
    expect_error("send len=..60\n", "len=..60: a range needs both ends");
    expect_error("send len=..\n", "a range needs both ends");
    expect_error("send len=60..abc\n", "len=abc: not a number");
    expect_error("send len=60..61..62\n", "len=61..62: not a number");
    expect_error("send len=13..60\n", "len=13: out of range");
    expect_error("send len=60..1515\n", "len=1515: out of range");
    expect_error("send len=61..60\n", "len=61..60: the range runs backwards");
    expect_error("send len=60 step=2\n", "send: step= needs a range (len=A..B)");
    expect_error("send len=60..100 step=0\n", "step=0: out of range (1..1500)");
    expect_error("send len=60..100 step=1501\n", "step=1501: out of range (1..1500)");
    expect_error("send len=60 payload=ones\n",
                 "send: payload=ones: unknown (accepted: random zero counter)");
    expect_error("send len=60 dest=peer\n",
                 "dest=peer: unknown (accepted: self broadcast multicast other group)");
    expect_error("send len=60 count=0\n", "send: count=0: out of range (1..100000)");
    expect_error("receive len=60 burst=0\n", "receive: burst=0: out of range (1..4096)");
    expect_error("receive len=60 burst=4097\n", "burst=4097: out of range (1..4096)");
}

/* ---- the other requests ------------------------------------------------------- */

static void test_simple_requests(void **state)
{
    Workload w;

    (void)state;
    parse_ok(&w, "init\nreset\nhalt\nreinit\nlink up\nlink down\nwait ms=1\nwait ms=60000\n");
    assert_int_equal(w.nsteps, 8);
    assert_int_equal(w.steps[0].kind, WL_INIT);
    assert_int_equal(w.steps[1].kind, WL_RESET);
    assert_int_equal(w.steps[2].kind, WL_HALT);
    assert_int_equal(w.steps[3].kind, WL_REINIT);
    assert_int_equal(w.steps[4].kind, WL_LINK);
    assert_int_equal(w.steps[4].up, 1);
    assert_int_equal(w.steps[5].up, 0);
    assert_int_equal(w.steps[6].kind, WL_WAIT);
    assert_int_equal(w.steps[6].ms, 1);
    assert_int_equal(w.steps[7].ms, 60000);
    workload_free(&w);
    expect_error("link\n", "link: expects up or down (link up, link down)");
    expect_error("link UP\n", "link: expects up or down");
    expect_error("link up down\n", "link: expects up or down");
    expect_error("wait\n", "wait: ms= is required (wait ms=N, 1..60000)");
    expect_error("wait 100\n", "wait: '100' is not key=value (keys: ms)");
    expect_error("wait ms=0\n", "wait: ms=0: out of range (1..60000)");
    expect_error("wait ms=60001\n", "ms=60001: out of range");
    expect_error("wait ms=5 s=1\n", "wait: unknown key 's' (keys: ms)");
    expect_error("wait ms=5 ms=6\n", "ms= given twice");
}

static void test_filter(void **state)
{
    Workload w;

    (void)state;
    parse_ok(&w, "filter directed\nfilter broadcast directed\nfilter multicast\n"
                 "filter all-multicast\nfilter promiscuous\nfilter none\n"
                 "filter promiscuous all-multicast broadcast multicast directed\n");
    assert_int_equal(w.nsteps, 7);
    assert_int_equal(w.steps[0].filter, 0x01);
    assert_int_equal(w.steps[1].filter, 0x09);
    assert_int_equal(w.steps[2].filter, 0x02);
    assert_int_equal(w.steps[3].filter, 0x04);
    assert_int_equal(w.steps[4].filter, 0x20);
    assert_int_equal(w.steps[5].filter, 0);
    assert_int_equal(w.steps[6].filter, 0x2f);
    format_is(&w.steps[1], "filter directed broadcast");
    format_is(&w.steps[5], "filter none");
    format_is(&w.steps[6], "filter directed multicast all-multicast broadcast promiscuous");
    workload_free(&w);
    expect_error("filter\n", "filter: needs at least one flag (directed multicast "
                             "all-multicast broadcast promiscuous, or none)");
    expect_error("filter directed source-routing\n",
                 "filter: unknown flag 'source-routing' (accepted: directed multicast "
                 "all-multicast broadcast promiscuous, or none)");
    expect_error("filter directed directed\n", "filter: directed given twice");
    expect_error("filter none none\n", "filter: none given twice");
    expect_error("filter none directed\n", "none cannot be combined with other flags");
    expect_error("filter broadcast none\n", "none cannot be combined");
    expect_error("filter 0x09\n", "unknown flag '0x09'");
}

static void test_multicast(void **state)
{
    Workload w;
    char text[1024];
    static const uint8_t a[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb};
    static const uint8_t b[6] = {0x33, 0x33, 0xff, 0xab, 0xcd, 0xef};

    (void)state;
    parse_ok(&w, "multicast add 01:00:5e:00:00:fb 33:33:FF:ab:Cd:eF\n"
                 "multicast remove 33:33:ff:ab:cd:ef\nmulticast clear\n");
    assert_int_equal(w.nsteps, 3);
    assert_int_equal(w.steps[0].mcast_op, WL_MCAST_ADD);
    assert_int_equal(w.steps[0].nmacs, 2);
    assert_memory_equal(w.steps[0].macs[0], a, 6);
    assert_memory_equal(w.steps[0].macs[1], b, 6);
    assert_int_equal(w.steps[1].mcast_op, WL_MCAST_REMOVE);
    assert_int_equal(w.steps[1].nmacs, 1);
    assert_memory_equal(w.steps[1].macs[0], b, 6);
    assert_int_equal(w.steps[2].mcast_op, WL_MCAST_CLEAR);
    assert_int_equal(w.steps[2].nmacs, 0);
    format_is(&w.steps[0], "multicast add 01:00:5e:00:00:fb 33:33:ff:ab:cd:ef");
    format_is(&w.steps[2], "multicast clear");
    workload_free(&w);

    /* WL_MAX_MACS on one line, and one more */
    strcpy(text, "multicast add");
    for (unsigned i = 0; i < WL_MAX_MACS; i++)
        sprintf(text + strlen(text), " 01:00:5e:00:00:%02x", i);
    parse_ok(&w, text);
    assert_int_equal(only_step(&w)->nmacs, WL_MAX_MACS);
    assert_int_equal(w.steps[0].macs[31][5], 31);
    workload_free(&w);
    strcat(text, " 01:00:5e:00:01:00");
    expect_error(text, "multicast: 33 addresses; at most 32 on one line");

    expect_error("multicast\n", "multicast: needs add, remove or clear");
    expect_error("multicast set 01:00:5e:00:00:01\n",
                 "multicast: set: unknown (accepted: add remove clear)");
    expect_error("multicast clear 01:00:5e:00:00:01\n",
                 "multicast: clear takes no addresses (got '01:00:5e:00:00:01')");
    expect_error("multicast add\n", "multicast: add needs at least one address");
    expect_error("multicast remove\n", "multicast: remove needs at least one address");
    expect_error("multicast add 01:00:5e:00:00\n",
                 "'01:00:5e:00:00': not a MAC address (xx:xx:xx:xx:xx:xx)");
    expect_error("multicast add 01-00-5e-00-00-01\n", "not a MAC address");
    expect_error("multicast add 01:00:5e:00:00:0g\n", "not a MAC address");
    expect_error("multicast add 1:0:5e:0:0:1\n", "not a MAC address");
    expect_error("multicast add 01:00:5e:00:00:01:\n", "not a MAC address");
    expect_error("multicast add 00:11:22:33:44:55\n",
                 "00:11:22:33:44:55: not a multicast address (the first byte must be odd)");
    expect_error("multicast remove 02:00:00:00:00:01\n", "not a multicast address");
    expect_error("multicast add 01:00:5e:00:00:01 01:00:5E:00:00:01\n",
                 "01:00:5E:00:00:01 given twice");
}

/* The common NDIS 5 OIDs as mingw-w64's include/ntddndis.h defines them. */
static const struct {
    const char *name;
    uint32_t oid;
} ndis_oids[] = {
    {"OID_GEN_SUPPORTED_LIST", 0x00010101},
    {"OID_GEN_HARDWARE_STATUS", 0x00010102},
    {"OID_GEN_MEDIA_SUPPORTED", 0x00010103},
    {"OID_GEN_MEDIA_IN_USE", 0x00010104},
    {"OID_GEN_MAXIMUM_LOOKAHEAD", 0x00010105},
    {"OID_GEN_MAXIMUM_FRAME_SIZE", 0x00010106},
    {"OID_GEN_LINK_SPEED", 0x00010107},
    {"OID_GEN_TRANSMIT_BUFFER_SPACE", 0x00010108},
    {"OID_GEN_RECEIVE_BUFFER_SPACE", 0x00010109},
    {"OID_GEN_TRANSMIT_BLOCK_SIZE", 0x0001010a},
    {"OID_GEN_RECEIVE_BLOCK_SIZE", 0x0001010b},
    {"OID_GEN_VENDOR_ID", 0x0001010c},
    {"OID_GEN_VENDOR_DESCRIPTION", 0x0001010d},
    {"OID_GEN_CURRENT_PACKET_FILTER", 0x0001010e},
    {"OID_GEN_CURRENT_LOOKAHEAD", 0x0001010f},
    {"OID_GEN_DRIVER_VERSION", 0x00010110},
    {"OID_GEN_MAXIMUM_TOTAL_SIZE", 0x00010111},
    {"OID_GEN_MAC_OPTIONS", 0x00010113},
    {"OID_GEN_MEDIA_CONNECT_STATUS", 0x00010114},
    {"OID_GEN_MAXIMUM_SEND_PACKETS", 0x00010115},
    {"OID_GEN_VENDOR_DRIVER_VERSION", 0x00010116},
    {"OID_GEN_XMIT_OK", 0x00020101},
    {"OID_GEN_RCV_OK", 0x00020102},
    {"OID_GEN_XMIT_ERROR", 0x00020103},
    {"OID_GEN_RCV_ERROR", 0x00020104},
    {"OID_GEN_RCV_NO_BUFFER", 0x00020105},
    {"OID_802_3_PERMANENT_ADDRESS", 0x01010101},
    {"OID_802_3_CURRENT_ADDRESS", 0x01010102},
    {"OID_802_3_MULTICAST_LIST", 0x01010103},
    {"OID_802_3_MAXIMUM_LIST_SIZE", 0x01010104},
    {"OID_802_3_RCV_ERROR_ALIGNMENT", 0x01020101},
    {"OID_802_3_XMIT_ONE_COLLISION", 0x01020102},
    {"OID_802_3_XMIT_MORE_COLLISIONS", 0x01020103},
    {"OID_PNP_CAPABILITIES", 0xfd010100},
    {"OID_PNP_SET_POWER", 0xfd010101},
    {"OID_PNP_QUERY_POWER", 0xfd010102},
};
#define NNDIS_OIDS (sizeof ndis_oids / sizeof ndis_oids[0])

static void test_query_oids(void **state)
{
    Workload w;
    char text[128];
    const char *a, *b;

    (void)state;
    for (size_t i = 0; i < NNDIS_OIDS; i++) {
        snprintf(text, sizeof text, "query %s\n", ndis_oids[i].name);
        parse_ok(&w, text);
        assert_int_equal(only_step(&w)->kind, WL_QUERY);
        assert_int_equal(w.steps[0].oid, ndis_oids[i].oid);
        assert_string_equal(workload_oid_name(ndis_oids[i].oid), ndis_oids[i].name);
        workload_free(&w);
    }
    parse_ok(&w, "query oid_gen_link_speed\nquery 0x00010107\nquery 65799\nquery 0xFFFFFFFF\n"
                 "query 0x00ffff01\n");
    assert_int_equal(w.steps[0].oid, 0x00010107);
    assert_int_equal(w.steps[1].oid, 0x00010107);
    assert_int_equal(w.steps[2].oid, 0x00010107);
    assert_int_equal(w.steps[3].oid, 0xffffffffu);
    format_is(&w.steps[0], "query OID_GEN_LINK_SPEED");
    format_is(&w.steps[4], "query 0x00ffff01");
    workload_free(&w);
    /* two unknown OIDs in one expression keep their own text */
    a = workload_oid_name(0x12345678);
    b = workload_oid_name(0xfd010199);
    assert_string_equal(a, "0x12345678");
    assert_string_equal(b, "0xfd010199");
    expect_error("query\n", "line 1: query: needs an OID (query OID [len=N])");
    expect_error("query OID_GEN_LINK_SPEED 4\n", "query: '4' is not key=value (keys: len)");
    expect_error("query OID_GEN_LINK_SPEEDY\n",
                 "query: unknown OID 'OID_GEN_LINK_SPEEDY' (a number such as 0x00010107, or "
                 "an NDIS 5 name such as OID_GEN_LINK_SPEED)");
    expect_error("query 0x100000000\n", "query: OID 0x100000000: out of range (0..4294967295)");
    expect_error("query 0x\n", "OID 0x: not a number");
    expect_error("query 12z\n", "OID 12z: not a number");
}

/* The names and numbers against the DDK header itself when it is installed. */
static void test_oids_match_ntddndis(void **state)
{
    static const char *const paths[] = {"/usr/share/mingw-w64/include/ntddndis.h",
                                        "/usr/i686-w64-mingw32/include/ntddndis.h"};
    FILE *f = NULL;
    char line[512], name[128];
    unsigned found = 0;
    unsigned long v;

    (void)state;
    for (size_t i = 0; !f && i < 2; i++)
        f = fopen(paths[i], "r");
    if (!f)
        skip();
    while (fgets(line, sizeof line, f))
        if (sscanf(line, " #define %127s 0x%lx", name, &v) == 2)
            for (size_t i = 0; i < NNDIS_OIDS; i++)
                if (strcmp(name, ndis_oids[i].name) == 0) {
                    assert_int_equal(v, ndis_oids[i].oid);
                    assert_string_equal(workload_oid_name((uint32_t)v), name);
                    found++;
                }
    fclose(f);
    assert_int_equal(found, NNDIS_OIDS);
}

static void test_set(void **state)
{
    Workload w;
    char text[256];
    static const uint8_t mac[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

    (void)state;
    parse_ok(&w, "set OID_GEN_CURRENT_LOOKAHEAD 128\n"
                 "set OID_GEN_CURRENT_PACKET_FILTER 0x0000000f\n"
                 "set OID_802_3_MULTICAST_LIST 01:00:5e:00:00:01\n"
                 "set 0x00ffff01 hex:0a0B0c\n"
                 "set OID_PNP_SET_POWER hex:04030201\n"
                 "set OID_GEN_LINK_SPEED 4294967295\n");
    assert_int_equal(w.nsteps, 6);
    assert_int_equal(w.steps[0].oid, 0x0001010f);
    assert_int_equal(w.steps[0].value_len, 4);
    assert_memory_equal(w.steps[0].value, "\x80\x00\x00\x00", 4);
    assert_memory_equal(w.steps[1].value, "\x0f\x00\x00\x00", 4);
    assert_int_equal(w.steps[2].value_len, 6);
    assert_memory_equal(w.steps[2].value, mac, 6);
    assert_int_equal(w.steps[3].oid, 0x00ffff01);
    assert_int_equal(w.steps[3].value_len, 3);
    assert_memory_equal(w.steps[3].value, "\x0a\x0b\x0c", 3);
    assert_int_equal(w.steps[4].value_len, 4);
    assert_memory_equal(w.steps[5].value, "\xff\xff\xff\xff", 4);
    format_is(&w.steps[0], "set OID_GEN_CURRENT_LOOKAHEAD 0x00000080");
    format_is(&w.steps[2], "set OID_802_3_MULTICAST_LIST 01:00:5e:00:00:01");
    format_is(&w.steps[3], "set 0x00ffff01 hex:0a0b0c");
    /* four hex bytes are a number: the same bytes, little-endian */
    format_is(&w.steps[4], "set OID_PNP_SET_POWER 0x01020304");
    workload_free(&w);

    strcpy(text, "set 1 hex:");
    for (unsigned i = 0; i < WL_MAX_SET; i++)
        sprintf(text + strlen(text), "%02x", i);
    parse_ok(&w, text);
    assert_int_equal(only_step(&w)->value_len, WL_MAX_SET);
    assert_int_equal(w.steps[0].value[63], 63);
    workload_free(&w);
    strcat(text, "40");
    expect_error(text, "set: hex:000102030405060708090a0b0c0d0e0f1011...: 65 bytes; at most 64");

    expect_error("set\n", "set: takes an OID and a value (set OID VALUE), got 0 words");
    expect_error("set OID_GEN_CURRENT_LOOKAHEAD\n", "set: takes an OID and a value");
    expect_error("set OID_GEN_CURRENT_LOOKAHEAD 1 2\n", "got 3 words");
    expect_error("set OID_NOPE 1\n", "set: unknown OID 'OID_NOPE'");
    expect_error("set 1 hex:\n", "set: hex: needs at least one byte");
    expect_error("set 1 hex:abc\n", "set: hex:abc: odd number of hex digits");
    expect_error("set 1 hex:0g\n", "set: hex:0g: not a hex digit at byte 0");
    expect_error("set 1 HEX:00\n", "'HEX:00': not a MAC address");
    expect_error("set 1 01:02:03\n", "set: '01:02:03': not a MAC address (xx:xx:xx:xx:xx:xx)");
    expect_error("set 1 fast\n",
                 "set: 'fast': not a value (a number, a MAC xx:xx:xx:xx:xx:xx or hex:BYTES)");
    expect_error("set 1 0x100000000\n",
                 "set: 0x100000000: out of range (a number is 32 bits; hex:BYTES for longer "
                 "values)");
    expect_error("set 1 99999999999999999999999\n", "out of range (a number is 32 bits");
}

static void test_inject(void **state)
{
    Workload w;

    (void)state;
    parse_ok(&w, "inject rx-overflow\ninject tx-error\ninject tx-underrun\ninject rx-burst\n"
                 "inject spurious-interrupt\ninject link-loss-send\ninject rx-crc-error\n"
                 "inject reset-hang\n"
                 "inject rx-burst count=4096\ninject rx-overflow count=1\n");
    assert_int_equal(w.nsteps, 10);
    for (int c = 0; c < WL_COND_COUNT; c++) {
        assert_int_equal(w.steps[c].kind, WL_INJECT);
        assert_int_equal(w.steps[c].cond, c);
    }
    assert_int_equal(w.steps[WL_COND_RX_OVERFLOW].count, 128);
    assert_int_equal(w.steps[WL_COND_RX_BURST].count, 64);
    assert_int_equal(w.steps[WL_COND_TX_ERROR].count, 0);
    assert_int_equal(w.steps[WL_COND_SPURIOUS_IRQ].count, 0);
    assert_int_equal(w.steps[8].count, 4096);
    assert_int_equal(w.steps[9].count, 1);
    format_is(&w.steps[WL_COND_RX_BURST], "inject rx-burst count=64");
    format_is(&w.steps[WL_COND_SPURIOUS_IRQ], "inject spurious-interrupt");
    workload_free(&w);
    expect_error("inject\n", "inject: needs a condition (accepted: rx-overflow tx-error "
                             "tx-underrun rx-burst spurious-interrupt link-loss-send "
                             "rx-crc-error reset-hang)");
    expect_error("inject fire\n", "inject: fire: unknown (accepted: rx-overflow");
    expect_error("inject tx-error count=3\n",
                 "inject: count= applies to rx-burst and rx-overflow only");
    expect_error("inject link-loss-send count=1\n", "count= applies to rx-burst");
    expect_error("inject rx-burst count=0\n", "inject: count=0: out of range (1..4096)");
    expect_error("inject rx-overflow count=4097\n", "count=4097: out of range (1..4096)");
    expect_error("inject rx-burst frames=3\n", "inject: unknown key 'frames' (keys: count)");
    expect_error("inject rx-burst 3\n", "inject: '3' is not key=value (keys: count)");
    expect_error("inject rx-burst count=1 count=2\n", "count= given twice");
}

/* query OID [len=N]: the InformationBufferLength, 0..1024, 1024 by default
 * and then not written back */
static void test_query_len(void **state)
{
    Workload w;

    (void)state;
    parse_ok(&w, "query OID_GEN_LINK_SPEED\nquery OID_GEN_LINK_SPEED len=0\n"
                 "query OID_802_3_CURRENT_ADDRESS len=2\nquery 7 len=1024\nquery 7 len=0x3ff\n"
                 "query 7 len=0000\n");
    assert_int_equal(w.nsteps, 6);
    assert_int_equal(w.steps[0].buflen, 1024);
    assert_int_equal(w.steps[1].buflen, 0);
    assert_int_equal(w.steps[1].oid, 0x00010107);
    assert_int_equal(w.steps[2].buflen, 2);
    assert_int_equal(w.steps[3].buflen, 1024);
    assert_int_equal(w.steps[4].buflen, 1023);
    assert_int_equal(w.steps[5].buflen, 0);
    format_is(&w.steps[0], "query OID_GEN_LINK_SPEED");
    format_is(&w.steps[1], "query OID_GEN_LINK_SPEED len=0");
    format_is(&w.steps[2], "query OID_802_3_CURRENT_ADDRESS len=2");
    format_is(&w.steps[3], "query 0x00000007");
    format_is(&w.steps[4], "query 0x00000007 len=1023");
    assert_roundtrip(&w);
    workload_free(&w);
    expect_error("query 7 len=1025\n", "line 1: query: len=1025: out of range (0..1024)");
    expect_error("query 7 len=-1\n", "query: len=-1: not a number (decimal or 0x hex)");
    expect_error("query 7 len=\n", "query: len= has no value");
    expect_error("query 7 len=1 len=2\n", "query: len= given twice");
    expect_error("query 7 size=1\n", "query: unknown key 'size' (keys: len)");
    expect_error("query len=4\n", "query: unknown OID 'len=4'");
    expect_error("query 7 len=4 8\n", "query: '8' is not key=value (keys: len)");
}

/* fail EXPORT [nth=N]: any C identifier up to 63 characters (the parser
 * knows no kernel), nth 1..1000, default 1 (then not written back) */
static void test_fail(void **state)
{
    Workload w;
    char text[160], name[70];

    (void)state;
    parse_ok(&w, "fail NdisAllocateMemoryWithTag\nfail NdisMMapIoSpace nth=3\n"
                 "fail ExAllocatePool nth=1\nfail _under_score9 nth=0x3e8\nfail NotAnExport\n");
    assert_int_equal(w.nsteps, 5);
    assert_int_equal(w.steps[0].kind, WL_FAIL);
    assert_string_equal(w.steps[0].api, "NdisAllocateMemoryWithTag");
    assert_int_equal(w.steps[0].count, 1);
    assert_string_equal(w.steps[1].api, "NdisMMapIoSpace");
    assert_int_equal(w.steps[1].count, 3);
    assert_int_equal(w.steps[2].count, 1);
    assert_string_equal(w.steps[3].api, "_under_score9");
    assert_int_equal(w.steps[3].count, 1000);
    assert_string_equal(w.steps[4].api, "NotAnExport");
    format_is(&w.steps[0], "fail NdisAllocateMemoryWithTag");
    format_is(&w.steps[1], "fail NdisMMapIoSpace nth=3");
    format_is(&w.steps[2], "fail ExAllocatePool");
    format_is(&w.steps[3], "fail _under_score9 nth=1000");
    /* only the fields of a fail step are set */
    assert_int_equal(w.steps[1].len, 0);
    assert_int_equal(w.steps[1].buflen, 0);
    assert_string_equal(w.steps[1].pname, "");
    assert_roundtrip(&w);
    workload_free(&w);

    /* 63 characters fit, 64 do not */
    memset(name, 'A', 63);
    name[63] = '\0';
    snprintf(text, sizeof text, "fail %s nth=2\n", name);
    parse_ok(&w, text);
    assert_string_equal(only_step(&w)->api, name);
    assert_roundtrip(&w);
    workload_free(&w);
    snprintf(text, sizeof text, "fail %sA\n", name);
    expect_error(text, "fail: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA...': an export name is at "
                       "most 63 characters");

    expect_error("fail\n", "line 1: fail: needs an export name (fail EXPORT [nth=N])");
    expect_error("fail nth=2\n", "fail: 'nth=2': an export name is letters, digits and _");
    expect_error("fail 9Ndis\n", "fail: '9Ndis': an export name does not start with a digit");
    expect_error("fail NDIS.SYS!NdisMMapIoSpace\n", "an export name is letters, digits and _");
    expect_error("fail Ndis-Foo\n", "'Ndis-Foo': an export name is letters, digits and _");
    expect_error("fail Nd\x80s\n", "fail: 'Nd?s': an export name is letters, digits and _");
    expect_error("fail X nth=0\n", "fail: nth=0: out of range (1..1000)");
    expect_error("fail X nth=1001\n", "fail: nth=1001: out of range (1..1000)");
    expect_error("fail X nth=two\n", "fail: nth=two: not a number (decimal or 0x hex)");
    expect_error("fail X nth=1 nth=2\n", "fail: nth= given twice");
    expect_error("fail X count=2\n", "fail: unknown key 'count' (keys: nth)");
    expect_error("fail X 2\n", "fail: '2' is not key=value (keys: nth)");
    expect_error("fail X Y\n", "fail: 'Y' is not key=value (keys: nth)");
}

/* param NAME VALUE: NAME 1..63 of [A-Za-z0-9_*]; VALUE dword:N (32 bits)
 * or a word of 1..127 printable characters, kept verbatim */
static void test_param(void **state)
{
    Workload w;
    char text[300], value[130];

    (void)state;
    parse_ok(&w, "param MaxRxBuffers dword:64\nparam *SpeedDuplex 0\n"
                 "param NetworkAddress 02AABBCCDDEE\nparam Mode dword:0X10\n"
                 "param X dword:4294967295\nparam Y DWORD:7\nparam Z dword\n"
                 "param _9 \"quoted\"\n");
    assert_int_equal(w.nsteps, 8);
    assert_int_equal(w.steps[0].kind, WL_PARAM);
    assert_string_equal(w.steps[0].pname, "MaxRxBuffers");
    assert_string_equal(w.steps[0].pvalue, "dword:64");
    assert_string_equal(w.steps[1].pname, "*SpeedDuplex");
    assert_string_equal(w.steps[1].pvalue, "0");
    assert_string_equal(w.steps[2].pvalue, "02AABBCCDDEE");
    assert_string_equal(w.steps[3].pvalue, "dword:0X10"); /* verbatim */
    assert_string_equal(w.steps[4].pvalue, "dword:4294967295");
    assert_string_equal(w.steps[5].pvalue, "DWORD:7");    /* text: the prefix is lower case */
    assert_string_equal(w.steps[6].pvalue, "dword");      /* text: no colon */
    assert_string_equal(w.steps[7].pvalue, "\"quoted\""); /* quotes are characters */
    format_is(&w.steps[0], "param MaxRxBuffers dword:64");
    format_is(&w.steps[1], "param *SpeedDuplex 0");
    format_is(&w.steps[3], "param Mode dword:0X10");
    assert_int_equal(w.steps[0].count, 0);
    assert_string_equal(w.steps[0].api, "");
    assert_roundtrip(&w);
    workload_free(&w);

    /* the longest name and value */
    memset(value, 'v', 127);
    value[127] = '\0';
    snprintf(text, sizeof text, "param %.63s %s # a comment ends the value\n",
             "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN", value);
    parse_ok(&w, text);
    assert_int_equal(strlen(only_step(&w)->pname), 63);
    assert_string_equal(w.steps[0].pvalue, value);
    assert_roundtrip(&w);
    workload_free(&w);
    snprintf(text, sizeof text, "param N %sv\n", value);
    expect_error(text,
                 "param: 'vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv...': a value is at most 127 "
                 "characters (dword:N, or a word of text)");
    snprintf(text, sizeof text, "param %.64s 1\n",
             "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN");
    expect_error(text, "a parameter name is at most 63 characters");

    expect_error("param\n", "line 1: param: takes a name and a value (param NAME VALUE), got 0");
    expect_error("param Speed\n",
                 "param: takes a name and a value (param NAME VALUE), got 1 words");
    expect_error("param Speed 100 Full\n", "got 3 words"); /* no spaces in a value */
    expect_error("param Speed#x 1\n", "takes a name and a value (param NAME VALUE), got 1 words");
    expect_error("param Sp-eed 1\n",
                 "param: 'Sp-eed': a parameter name is letters, digits, _ and *");
    expect_error("param Speed=1 1\n", "a parameter name is letters, digits, _ and *");
    expect_error("param N dword:\n", "param: 'dword:': dword: takes a number (decimal or 0x hex)");
    expect_error("param N dword:-1\n", "dword: takes a number");
    expect_error("param N dword:0x\n", "dword: takes a number");
    expect_error("param N dword:4294967296\n",
                 "param: 'dword:4294967296': dword: out of range (0..4294967295)");
    expect_error("param N dword:99999999999999999999999\n", "dword: out of range");
    expect_error("param N caf\xe9\n",
                 "param: 'caf?': a value is printable ASCII without blanks or # (dword:N, or a "
                 "word of text)");
    expect_error("param N a\001b\n", "a value is printable ASCII without blanks or #");
}

/* shutdown: no parameters, formats as the word */
static void test_shutdown(void **state)
{
    Workload w;

    (void)state;
    parse_ok(&w, "init\nshutdown\nshutdown # again, halted or not: the executor decides\n");
    assert_int_equal(w.nsteps, 3);
    assert_int_equal(w.steps[1].kind, WL_SHUTDOWN);
    assert_int_equal(w.steps[2].kind, WL_SHUTDOWN);
    assert_int_equal(w.steps[2].line, 3);
    format_is(&w.steps[1], "shutdown");
    assert_roundtrip(&w);
    workload_free(&w);
    expect_error("shutdown 1\n", "shutdown: takes no arguments (got '1')");
    expect_error("SHUTDOWN\n", "unknown request 'SHUTDOWN'");
}

/* ---- formatting and the round trip ------------------------------------------- */

static void test_format_step(void **state)
{
    Workload w;
    char buf[64];
    int n;

    (void)state;
    parse_ok(&w, "init\nsend len=60\nreceive len=1514 payload=zero dest=broadcast burst=8\n"
                 "receive len=61 burst=1\nlink up\nlink down\nwait ms=2500\nreset\nhalt\n"
                 "reinit\nsend len=61 payload=counter dest=self count=2\n");
    format_is(&w.steps[0], "init");
    format_is(&w.steps[1], "send len=60 payload=random dest=other");
    format_is(&w.steps[2], "receive len=1514 payload=zero dest=broadcast burst=8");
    format_is(&w.steps[3], "receive len=61 payload=random dest=self");
    format_is(&w.steps[4], "link up");
    format_is(&w.steps[5], "link down");
    format_is(&w.steps[6], "wait ms=2500");
    format_is(&w.steps[7], "reset");
    format_is(&w.steps[8], "halt");
    format_is(&w.steps[9], "reinit");
    assert_int_equal(w.nsteps, 12);
    format_is(&w.steps[10], "send len=61 payload=counter dest=self");
    format_is(&w.steps[11], "send len=61 payload=counter dest=self");
    /* the buffer must hold the line and its NUL */
    n = (int)strlen("send len=60 payload=random dest=other");
    assert_int_equal(workload_format_step(&w.steps[1], buf, (size_t)n + 1), n);
    assert_int_equal(workload_format_step(&w.steps[1], buf, (size_t)n), -1);
    assert_int_equal(workload_format_step(&w.steps[1], buf, 1), -1);
    assert_int_equal(workload_format_step(&w.steps[1], NULL, 0), -1);
    workload_free(&w);
}

static void assert_roundtrip(const Workload *w)
{
    Workload again;
    char err[WL_ERR_MAX], *text = workload_format(w), *text2;

    assert_non_null(text);
    assert_memory_equal(text, "xdrv-workload 1\nseed ", 21);
    if (workload_parse(text, strlen(text), "again", &again, err, sizeof err) != 0)
        fail_msg("re-parse of %s: %s", w->name, err);
    assert_true(again.seed == w->seed);
    assert_int_equal(again.nsteps, w->nsteps);
    for (size_t i = 0; i < w->nsteps; i++) {
        assert_int_equal(workload_check_step(&w->steps[i], err, sizeof err), 0);
        assert_step_equal(&w->steps[i], &again.steps[i]);
        assert_int_equal(again.steps[i].line, i + 3); /* after the version and seed lines */
    }
    /* formatting is a fixed point */
    text2 = workload_format(&again);
    assert_non_null(text2);
    assert_string_equal(text, text2);
    free(text);
    free(text2);
    workload_free(&again);
}

static void test_roundtrip_builtins(void **state)
{
    (void)state;
    for (unsigned i = 0; workload_builtin_name(i); i++) {
        Workload w;
        const char *text = workload_builtin_text(workload_builtin_name(i));

        assert_non_null(text);
        parse_ok(&w, text);
        assert_roundtrip(&w);
        workload_free(&w);
    }
}

static void test_roundtrip_every_form(void **state)
{
    Workload w;

    (void)state;
    parse_ok(&w, "seed 0xffffffffffffffff\n"
                 "send len=14..20 payload=zero dest=multicast count=2\n"
                 "receive len=1500..1514 step=7 payload=counter dest=other burst=4096\n"
                 "filter none\nfilter all-multicast promiscuous\n"
                 "multicast add 01:00:5e:00:00:01 ff:ff:ff:ff:ff:ff\n"
                 "multicast remove ff:ff:ff:ff:ff:ff\nmulticast clear\n"
                 "query 0\nquery OID_PNP_QUERY_POWER\n"
                 "set 0xffffffff 0\nset 0 ff:ff:ff:ff:ff:fe\nset 7 hex:00\n"
                 "set 7 hex:0001020304\n"
                 "link up\nlink down\ninject rx-overflow count=4096\ninject tx-underrun\n"
                 "wait ms=60000\ninit\nreset\nhalt\nreinit\n"
                 "query OID_GEN_LINK_SPEED len=0\nquery 0x00ffff01 len=1023\n"
                 "fail NdisMMapIoSpace\nfail ExAllocatePoolWithTag nth=1000\n"
                 "fail _x nth=0x2\nparam *SpeedDuplex dword:0xffffffff\n"
                 "param NetworkAddress 02-AA-BB-CC-DD-EE\nparam a ~!$%^&*()=+[]{}|;:',.<>/?\n"
                 "shutdown\n");
    assert_roundtrip(&w);
    workload_free(&w);
}

/* send burst= and frags=: parsed, range-checked, formatted back */
static void test_send_burst_frags(void **state)
{
    Workload w;
    (void)state;
    parse_ok(&w, "send len=100 burst=4 frags=3\nsend len=60\n");
    assert_int_equal(w.nsteps, 2);
    assert_int_equal(w.steps[0].count, 4);
    assert_int_equal(w.steps[0].frags, 3);
    assert_int_equal(w.steps[1].count, 1);
    assert_int_equal(w.steps[1].frags, 1);
    format_is(&w.steps[0], "send len=100 payload=random dest=other burst=4 frags=3");
    format_is(&w.steps[1], "send len=60 payload=random dest=other");
    workload_free(&w);
    Workload bad;
    char err[WL_ERR_MAX];
    assert_int_equal(workload_parse("send len=60 burst=65\n", 21, "t", &bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "burst=65"));
    assert_int_equal(workload_parse("send len=60 frags=33\n", 21, "t", &bad, err, sizeof err), -1);
    assert_non_null(strstr(err, "frags=33"));
    assert_int_equal(workload_parse("receive len=60 frags=2\n", 23, "t", &bad, err, sizeof err),
                     -1);
    /* place=in-page: only for a send, any|in-page, formatted back only
     * when not the default */
    parse_ok(&w, "send len=1514 place=in-page\nsend len=60 place=any\n");
    assert_int_equal(w.steps[0].in_page, 1);
    assert_int_equal(w.steps[1].in_page, 0);
    format_is(&w.steps[0], "send len=1514 payload=random dest=other place=in-page");
    format_is(&w.steps[1], "send len=60 payload=random dest=other");
    workload_free(&w);
    assert_int_equal(workload_parse("send len=60 place=odd\n", 22, "t", &bad, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "place="));
    assert_int_equal(workload_parse("receive len=60 place=in-page\n", 29, "t", &bad, err,
                                    sizeof err),
                     -1);
    /* arrive=N: a frame from the cable just before the send, 14..1518
     * bytes, only for a send, formatted back when given */
    parse_ok(&w, "send len=100 arrive=1518\nsend len=60\n");
    assert_int_equal(w.steps[0].arrive, 1518);
    assert_int_equal(w.steps[1].arrive, 0);
    format_is(&w.steps[0], "send len=100 payload=random dest=other arrive=1518");
    format_is(&w.steps[1], "send len=60 payload=random dest=other");
    workload_free(&w);
    assert_int_equal(workload_parse("send len=60 arrive=1519\n", 24, "t", &bad, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "arrive="));
    assert_int_equal(workload_parse("send len=60 arrive=13\n", 22, "t", &bad, err, sizeof err), -1);
    assert_int_equal(workload_parse("receive len=60 arrive=60\n", 25, "t", &bad, err, sizeof err),
                     -1);
}

static void test_append(void **state)
{
    Workload w;
    WlStep s;
    char err[WL_ERR_MAX];

    (void)state;
    /* grow a parsed workload across its capacity steps (16, 32) */
    parse_ok(&w, "seed 9\nsend len=14..29\n");
    assert_int_equal(w.nsteps, 16);
    for (uint32_t i = 0; i < 40; i++) {
        memset(&s, 0xa5, sizeof s); /* junk in the fields of other kinds */
        s.kind = WL_RECEIVE;
        s.len = 100 + i;
        s.payload = WL_PAYLOAD_COUNTER;
        s.dest = WL_DEST_BROADCAST;
        s.count = 3;
        s.line = 0;
        assert_int_equal(workload_append(&w, &s), 0);
    }
    assert_int_equal(w.nsteps, 56);
    assert_int_equal(w.steps[55].len, 139);
    assert_int_equal(w.steps[55].filter, 0); /* zeroed: not a receive field */
    assert_int_equal(w.steps[55].nmacs, 0);
    memset(&s, 0xff, sizeof s);
    s.kind = WL_SEND;
    s.len = 60;
    s.payload = WL_PAYLOAD_ZERO;
    s.dest = WL_DEST_SELF;
    /* a send's burst (count), frags and arrive are its fields: out of range
     * refused */
    assert_int_equal(workload_append(&w, &s), -1);
    s.count = 8;
    s.frags = 2;
    assert_int_equal(workload_append(&w, &s), -1); /* arrive=4294967295 */
    s.arrive = 0;
    assert_int_equal(workload_append(&w, &s), 0);
    assert_int_equal(w.steps[56].count, 8);
    assert_int_equal(w.steps[56].frags, 2);
    memset(&s, 0x77, sizeof s);
    s.kind = WL_LINK;
    assert_int_equal(workload_append(&w, &s), 0);
    assert_int_equal(w.steps[57].up, 1);
    assert_roundtrip(&w);

    /* refused: what the parser would refuse */
    memset(&s, 0, sizeof s);
    s.kind = WL_SEND;
    s.len = 13;
    assert_int_equal(workload_append(&w, &s), -1);
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    assert_string_equal(err, "send: len=13: out of range (14..1514)");
    s.len = 60;
    s.dest = (WlDest)4;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    s.dest = WL_DEST_SELF;
    s.payload = (WlPayload)3;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    s.kind = WL_RECEIVE;
    s.payload = WL_PAYLOAD_RANDOM;
    s.count = 0;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    assert_string_equal(err, "receive: burst=0: out of range (1..4096)");
    s.count = 4097;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    memset(&s, 0, sizeof s);
    s.kind = WL_FILTER;
    s.filter = 0x10; /* NDIS_PACKET_TYPE_SOURCE_ROUTING: not in the language */
    assert_int_equal(workload_append(&w, &s), -1);
    memset(&s, 0, sizeof s);
    s.kind = WL_MULTICAST;
    s.mcast_op = WL_MCAST_ADD;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1); /* no address */
    s.nmacs = 1;
    s.macs[0][0] = 0x02;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1); /* unicast */
    s.macs[0][0] = 0x01;
    assert_int_equal(workload_check_step(&s, err, sizeof err), 0);
    s.nmacs = 2;
    s.macs[1][0] = 0x01;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1); /* twice */
    s.nmacs = WL_MAX_MACS + 1;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    s.mcast_op = WL_MCAST_CLEAR;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    s.mcast_op = (WlMcastOp)3;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    memset(&s, 0, sizeof s);
    s.kind = WL_SET;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    s.value_len = WL_MAX_SET + 1;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    memset(&s, 0, sizeof s);
    s.kind = WL_INJECT;
    s.cond = WL_COND_RX_BURST;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1); /* count 0 */
    s.cond = WL_COND_TX_ERROR;
    assert_int_equal(workload_check_step(&s, err, sizeof err), 0);
    s.cond = WL_COND_COUNT;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    memset(&s, 0, sizeof s);
    s.kind = WL_WAIT;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    s.ms = 60001;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    s.kind = WL_KIND_COUNT;
    assert_int_equal(workload_append(&w, &s), -1);
    assert_int_equal(w.nsteps, 58);
    workload_free(&w);

    /* steps dropped by lowering nsteps (as the explorer does), then appended
     * again past the old size: ASan sees any write beyond the array */
    for (size_t cut = 0; cut < 40; cut++) {
        parse_ok(&w, "send len=14..53\n");
        w.nsteps = cut;
        memset(&s, 0, sizeof s);
        s.kind = WL_WAIT;
        for (uint32_t i = 0; i < 100; i++) {
            s.ms = 1 + i;
            assert_int_equal(workload_append(&w, &s), 0);
        }
        assert_int_equal(w.nsteps, cut + 100);
        assert_int_equal(w.steps[cut + 99].ms, 100);
        if (cut)
            assert_int_equal(w.steps[cut - 1].len, 14 + cut - 1);
        workload_free(&w);
    }

    /* an empty workload grows from nothing; a full one refuses */
    memset(&w, 0, sizeof w);
    memset(&s, 0, sizeof s);
    s.kind = WL_INIT;
    assert_int_equal(workload_append(&w, &s), 0);
    assert_int_equal(w.nsteps, 1);
    workload_free(&w);
    parse_ok(&w, "send len=14 count=100000\n");
    assert_int_equal(workload_append(&w, &s), -1);
    assert_int_equal(w.nsteps, WL_MAX_STEPS);
    workload_free(&w);
}

/* append and check_step for fail, param, query len= and shutdown: only
 * their fields are kept, and what the parser refuses is refused */
static void test_append_new_kinds(void **state)
{
    Workload w;
    WlStep s;
    char err[WL_ERR_MAX];

    (void)state;
    memset(&w, 0, sizeof w);
    memset(&s, 0x5a, sizeof s); /* junk everywhere, also after the NULs */
    s.kind = WL_FAIL;
    memcpy(s.api, "NdisMRegisterInterrupt", 23);
    s.count = 7;
    assert_int_equal(workload_append(&w, &s), 0);
    assert_string_equal(w.steps[0].api, "NdisMRegisterInterrupt");
    assert_int_equal(w.steps[0].api[23], 0); /* the junk after the NUL is not copied */
    assert_int_equal(w.steps[0].count, 7);
    assert_int_equal(w.steps[0].len, 0);
    assert_int_equal(w.steps[0].pname[0], 0);
    assert_int_equal(w.steps[0].buflen, 0);
    memset(&s, 0x5a, sizeof s);
    s.kind = WL_PARAM;
    memcpy(s.pname, "*JumboPacket", 13);
    memcpy(s.pvalue, "dword:9014", 11);
    assert_int_equal(workload_append(&w, &s), 0);
    assert_string_equal(w.steps[1].pname, "*JumboPacket");
    assert_string_equal(w.steps[1].pvalue, "dword:9014");
    assert_int_equal(w.steps[1].pvalue[11], 0);
    assert_int_equal(w.steps[1].count, 0);
    assert_int_equal(w.steps[1].api[0], 0);
    memset(&s, 0x5a, sizeof s);
    s.kind = WL_QUERY;
    s.oid = 0x00010107;
    s.buflen = 3;
    assert_int_equal(workload_append(&w, &s), 0);
    assert_int_equal(w.steps[2].buflen, 3);
    assert_int_equal(w.steps[2].value_len, 0);
    memset(&s, 0x5a, sizeof s);
    s.kind = WL_SHUTDOWN;
    assert_int_equal(workload_append(&w, &s), 0);
    assert_int_equal(w.steps[3].count, 0);
    assert_int_equal(w.steps[3].api[0], 0);
    assert_roundtrip(&w);

    /* refused */
    memset(&s, 0, sizeof s);
    s.kind = WL_QUERY;
    s.buflen = 1025;
    assert_int_equal(workload_append(&w, &s), -1);
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    assert_string_equal(err, "query: len=1025: out of range (0..1024)");
    s.buflen = 1024;
    assert_int_equal(workload_check_step(&s, err, sizeof err), 0);

    memset(&s, 0, sizeof s);
    s.kind = WL_FAIL;
    s.count = 1;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    assert_string_equal(err, "fail: an export name is not empty");
    strcpy(s.api, "1st");
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    strcpy(s.api, "a b");
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    memset(s.api, 'A', sizeof s.api);
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    assert_string_equal(err, "fail: no NUL in api[]");
    s.api[63] = '\0';
    assert_int_equal(workload_check_step(&s, err, sizeof err), 0);
    s.count = 0;
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    assert_string_equal(err, "fail: nth=0: out of range (1..1000)");
    s.count = 1001;
    assert_int_equal(workload_append(&w, &s), -1);

    memset(&s, 0, sizeof s);
    s.kind = WL_PARAM;
    strcpy(s.pvalue, "1");
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    assert_string_equal(err, "param: a parameter name is not empty");
    strcpy(s.pname, "Bad Name");
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    strcpy(s.pname, "Good");
    assert_int_equal(workload_check_step(&s, err, sizeof err), 0);
    memset(s.pname, 'N', sizeof s.pname);
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    assert_string_equal(err, "param: no NUL in pname[]");
    strcpy(s.pname, "Good");
    s.pvalue[0] = '\0';
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    assert_string_equal(err, "param: a value is not empty");
    strcpy(s.pvalue, "two words");
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    strcpy(s.pvalue, "a#b"); /* would read back as a comment */
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    assert_string_equal(err, "param: a value is printable ASCII without blanks or #");
    strcpy(s.pvalue, "dword:0x100000000");
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    assert_string_equal(err, "param: dword: out of range (0..4294967295)");
    memset(s.pvalue, 'v', sizeof s.pvalue);
    assert_int_equal(workload_check_step(&s, err, sizeof err), -1);
    assert_string_equal(err, "param: no NUL in pvalue[]");
    assert_int_equal(workload_append(&w, &s), -1);
    assert_int_equal(w.nsteps, 4);
    workload_free(&w);
}

static void test_names(void **state)
{
    static const char *const kinds[WL_KIND_COUNT] = {
        "init",  "send", "receive", "filter", "multicast", "query", "set",   "link",
        "reset", "halt", "reinit",  "inject", "wait",      "fail",  "param", "shutdown",
        "pnp"};
    static const char *const conds[WL_COND_COUNT] = {"rx-overflow",        "tx-error",
                                                     "tx-underrun",        "rx-burst",
                                                     "spurious-interrupt", "link-loss-send",
                                                     "rx-crc-error",       "reset-hang"};

    (void)state;
    for (int k = 0; k < WL_KIND_COUNT; k++)
        assert_string_equal(workload_kind_name((WlKind)k), kinds[k]);
    for (int c = 0; c < WL_COND_COUNT; c++)
        assert_string_equal(workload_condition_name((WlCondition)c), conds[c]);
    assert_string_equal(workload_kind_name(WL_KIND_COUNT), "?");
    assert_string_equal(workload_condition_name(WL_COND_COUNT), "?");
    assert_string_equal(workload_builtin_name(0), "standard");
    assert_string_equal(workload_builtin_name(1), "sweep");
    assert_null(workload_builtin_name(2));
    assert_null(workload_builtin_text("nope"));
    assert_null(workload_builtin_text(NULL));
}

/* ---- the built-in suites ------------------------------------------------------ */

static void test_standard_covers(void **state)
{
    Workload w;
    char err[WL_ERR_MAX];
    unsigned kinds = 0, conds = 0, send_pay = 0, send_dest = 0, recv_pay = 0, recv_dest = 0;
    unsigned mops = 0, set_forms = 0, lens = 0, filters = 0;
    int running = 0, reinit_stopped = 0, reinit_running = 0, burst = 0, long_wait = 0;
    int reset_seen = 0, after_reinit_send = 0, dropped_other = 0, short_query = 0;
    uint32_t filter = 0;

    (void)state;
    assert_int_equal(workload_load("standard", &w, err, sizeof err), 0);
    assert_string_equal(w.name, "standard");
    assert_true(w.nsteps >= 150 && w.nsteps <= 400);
    assert_int_equal(w.steps[0].kind, WL_INIT);
    assert_int_equal(w.steps[w.nsteps - 1].kind, WL_HALT);
    for (size_t i = 0; i < w.nsteps; i++) {
        const WlStep *s = &w.steps[i];

        kinds |= 1u << s->kind;
        switch (s->kind) {
        case WL_INIT:
            running = 1;
            break;
        case WL_HALT:
            running = 0;
            break;
        case WL_REINIT:
            if (running)
                reinit_running = 1;
            else
                reinit_stopped = 1;
            running = 1;
            break;
        case WL_RESET:
            reset_seen = 1;
            break;
        case WL_WAIT:
            if (reset_seen && s->ms >= 2500)
                long_wait = 1;
            break;
        case WL_SEND:
            send_pay |= 1u << s->payload;
            send_dest |= 1u << s->dest;
            lens |= (s->len == 14) << 0 | (s->len == 59) << 1 | (s->len == 60) << 2 |
                    (s->len == 61) << 3 | (s->len == 1514) << 4;
            if (reinit_stopped)
                after_reinit_send = 1;
            break;
        case WL_RECEIVE:
            recv_pay |= 1u << s->payload;
            recv_dest |= 1u << s->dest;
            if (s->count > 1)
                burst = 1;
            /* a frame for another station under a filter without promiscuous */
            if (s->dest == WL_DEST_OTHER && !(filter & WL_FILTER_PROMISCUOUS))
                dropped_other = 1;
            break;
        case WL_FILTER:
            filter = s->filter;
            filters |= (filter == (WL_FILTER_DIRECTED | WL_FILTER_BROADCAST)) << 0 |
                       (filter == (WL_FILTER_DIRECTED | WL_FILTER_BROADCAST | WL_FILTER_MULTICAST))
                           << 1 |
                       !!(filter & WL_FILTER_PROMISCUOUS) << 2 |
                       !!(filter & WL_FILTER_ALL_MULTICAST) << 3 | (filter == 0) << 4;
            break;
        case WL_MULTICAST:
            mops |= 1u << s->mcast_op;
            break;
        case WL_SET:
            set_forms |= (s->value_len == 4) << 0 | (s->value_len == 6) << 1 |
                         (s->value_len != 4 && s->value_len != 6) << 2;
            break;
        case WL_INJECT:
            conds |= 1u << s->cond;
            break;
        case WL_QUERY:
            /* a buffer too short for a ULONG, and for a MAC address */
            short_query |= (s->oid == 0x00010107 && s->buflen == 0) << 0 |
                           (s->oid == 0x01010102 && s->buflen == 2) << 1;
            break;
        default:
            break;
        }
    }
    /* every request kind but the kernel-side ones (fail, param, shutdown),
     * which the suites leave to workloads that ask for them */
    assert_int_equal(kinds, ((1u << WL_KIND_COUNT) - 1) &
                                ~(1u << WL_FAIL | 1u << WL_PARAM | 1u << WL_SHUTDOWN));
    assert_int_equal(short_query, 3);
    assert_int_equal(conds, (1u << WL_COND_COUNT) - 1);
    assert_int_equal(send_pay, 7);
    assert_int_equal(recv_pay, 7);
    assert_int_equal(send_dest, 15); /* sends to a group nobody joined: not in the suite */
    assert_int_equal(recv_dest, 31);
    assert_int_equal(lens, 31);
    assert_int_equal(filters, 31);
    assert_int_equal(mops, 7);
    assert_int_equal(set_forms, 7);
    assert_true(reinit_stopped && reinit_running && burst && long_wait && after_reinit_send);
    assert_true(dropped_other);
    workload_free(&w);
}

static void test_sweep_covers(void **state)
{
    Workload w;
    char err[WL_ERR_MAX];
    static unsigned sent[1515], received[1515];
    unsigned filters_seen = 0;

    (void)state;
    assert_int_equal(workload_load("sweep", &w, err, sizeof err), 0);
    assert_int_equal(w.nsteps, 2 + 1501 * 2 + 32 * 5 + 1);
    memset(sent, 0, sizeof sent);
    memset(received, 0, sizeof received);
    for (size_t i = 0; i < w.nsteps; i++) {
        const WlStep *s = &w.steps[i];

        if (s->kind == WL_SEND)
            sent[s->len]++;
        if (s->kind == WL_RECEIVE)
            received[s->len]++;
        if (s->kind == WL_FILTER) {
            filters_seen |= 1u << ((s->filter & 7) | (s->filter & 8) | (s->filter & 0x20) >> 1);
            assert_true(i + 4 < w.nsteps);
            for (int d = 0; d < 4; d++) {
                assert_int_equal(w.steps[i + 1 + d].kind, WL_RECEIVE);
                assert_int_equal(w.steps[i + 1 + d].dest, d);
            }
        }
    }
    for (unsigned len = 14; len <= 1514; len++) {
        assert_int_equal(sent[len], 1);
        /* 60: the length sweep's, and the filter sweep's 32 x 4 */
        assert_int_equal(received[len], len == 60 ? 1 + 32 * 4 : 1);
    }
    assert_int_equal(filters_seen, 0xffffffffu);
    workload_free(&w);
}

/* ---- frames ------------------------------------------------------------------- */

static const uint8_t own[6] = {0x00, 0x0d, 0x3a, 0x11, 0x22, 0x33};
static const uint8_t peer[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
static const uint8_t other[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};

static void frame_of(const Workload *w, size_t i, uint8_t *f)
{
    memset(f, 0xcc, 1514);
    workload_frame(w, i, &w->steps[i], own, f);
}

static void test_frame_addresses(void **state)
{
    Workload w;
    uint8_t f[1514];
    static const uint8_t added[6] = {0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa};
    static const uint8_t later[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};

    (void)state;
    parse_ok(&w, "send len=60\n"                                       /* 0 */
                 "send len=60 dest=self\n"                             /* 1 */
                 "send len=60 dest=broadcast\n"                        /* 2 */
                 "send len=60 dest=multicast\n"                        /* 3 */
                 "receive len=60\n"                                    /* 4 */
                 "receive len=60 dest=other\n"                         /* 5 */
                 "receive len=60 dest=broadcast\n"                     /* 6 */
                 "receive len=60 dest=multicast\n"                     /* 7 */
                 "multicast add 01:00:5e:7f:ff:fa 01:00:5e:00:00:02\n" /* 8 */
                 "receive len=60 dest=multicast\n"                     /* 9 */
                 "multicast remove 01:00:5e:7f:ff:fa\n"                /* 10 */
                 "send len=60 dest=multicast\n"                        /* 11 */
                 "multicast add 33:33:00:00:00:01\n"                   /* 12 */
                 "multicast clear\n"                                   /* 13 */
                 "receive len=60 dest=multicast\n");                   /* 14 */
    struct {
        size_t i;
        const uint8_t *dst, *src;
    } want[] = {
        {0, other, own},  {1, peer, own},   {2, bcast, own},   {3, mcast, own},
        {4, own, peer},   {5, other, peer}, {6, bcast, peer},  {7, mcast, peer},
        {9, added, peer}, {11, added, own}, {14, later, peer},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
        frame_of(&w, want[k].i, f);
        assert_memory_equal(f, want[k].dst, 6);
        assert_memory_equal(f + 6, want[k].src, 6);
        assert_int_equal(f[12], 0x88); /* EtherType 0x88B5, network order */
        assert_int_equal(f[13], 0xb5);
    }
    /* an index past the workload scans all of it; no workload: the default */
    workload_frame(&w, 1000, &w.steps[3], own, f);
    assert_memory_equal(f, later, 6);
    workload_frame(NULL, 9, &w.steps[9], own, f);
    assert_memory_equal(f, mcast, 6);
    workload_free(&w);
}

static void test_frame_payloads(void **state)
{
    Workload w;
    uint8_t a[1514], b[1514];
    uint8_t *small = malloc(14);

    (void)state;
    parse_ok(&w, "seed 42\n"
                 "send len=1514 payload=counter\n"
                 "receive len=1514 payload=zero\n"
                 "send len=1514\n"
                 "send len=1514\n"
                 "send len=14\n"
                 "receive len=61\n");
    frame_of(&w, 0, a);
    for (size_t i = 14; i < 1514; i++)
        assert_int_equal(a[i], (i - 14) & 0xff);
    frame_of(&w, 1, a);
    for (size_t i = 14; i < 1514; i++)
        assert_int_equal(a[i], 0);
    /* random: the same inputs give the same bytes, whatever was there before */
    frame_of(&w, 2, a);
    memset(b, 0x33, sizeof b);
    workload_frame(&w, 2, &w.steps[2], own, b);
    assert_memory_equal(a, b, 1514);
    /* another index: the same header, another payload */
    frame_of(&w, 3, b);
    assert_memory_equal(a, b, 14);
    assert_memory_not_equal(a + 14, b + 14, 1500);
    /* the same index with another seed: another payload */
    w.seed = 43;
    frame_of(&w, 2, b);
    assert_memory_not_equal(a + 14, b + 14, 1500);
    w.seed = 42;
    /* a header-only frame writes exactly len bytes (ASan) */
    workload_frame(&w, 4, &w.steps[4], own, small);
    assert_memory_equal(small + 6, own, 6);
    free(small);
    /* a short frame is a prefix of what a longer one would carry */
    frame_of(&w, 5, b);
    memset(a, 0, sizeof a);
    {
        WlStep longer = w.steps[5];
        longer.len = 1514;
        workload_frame(&w, 5, &longer, own, a);
    }
    assert_memory_equal(a, b, 61);
    assert_int_equal(b[61], 0xcc);
    workload_free(&w);
}

/* docs/formats/workload.md, "Frames": splitmix64, x = seed, state =
 * next(x) ^ index, payload = next(state) outputs, little-endian. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void test_frame_random_is_documented(void **state)
{
    Workload w;
    uint8_t f[1514];

    (void)state;
    /* the first splitmix64 output from 0 in Vigna's reference is e220a8397b1dcdaf */
    {
        uint64_t x = 0;
        assert_true(splitmix64(&x) == 0xe220a8397b1dcdafull);
    }
    parse_ok(&w, "seed 7\ninit\nreceive len=100\nsend len=1514 dest=broadcast\n");
    for (size_t i = 1; i < 3; i++) {
        uint64_t x = w.seed, st = splitmix64(&x) ^ (uint64_t)i, r = 0;

        frame_of(&w, i, f);
        for (size_t k = 14; k < w.steps[i].len; k++) {
            if ((k - 14) % 8 == 0)
                r = splitmix64(&st);
            assert_int_equal(f[k], (uint8_t)(r >> (8 * ((k - 14) % 8))));
        }
    }
    workload_free(&w);
}

/* ---- loading ------------------------------------------------------------------ */

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void test_load(void **state)
{
    Workload w;
    char err[WL_ERR_MAX], dir[] = "/tmp/xdrv-wl-XXXXXX", path[128];

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/mine.wl", dir);
    write_file(path, "xdrv-workload 1\r\nseed 5\r\ninit\r\nsend len=60..62\r\n", 47);
    assert_int_equal(workload_load(path, &w, err, sizeof err), 0);
    assert_string_equal(w.name, "mine.wl");
    assert_true(w.seed == 5);
    assert_int_equal(w.nsteps, 4);
    workload_free(&w);

    write_file(path, "init\nsend len=9\n", 16);
    assert_int_equal(workload_load(path, &w, err, sizeof err), -1);
    assert_non_null(strstr(err, "/mine.wl: line 2: send: len=9: out of range"));
    assert_int_equal(w.nsteps, 0);

    write_file(path, "init\n\0halt\n", 11);
    assert_int_equal(workload_load(path, &w, err, sizeof err), -1);
    assert_non_null(strstr(err, "mine.wl: contains a NUL byte"));
    unlink(path);

    assert_int_equal(workload_load(path, &w, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot open"));
    assert_non_null(strstr(err, "mine.wl"));
    assert_null(strchr(err, '\n'));
    rmdir(dir);

    assert_int_equal(workload_load("sweep", &w, err, sizeof err), 0);
    assert_string_equal(w.name, "sweep");
    workload_free(&w);
    assert_int_equal(workload_load(NULL, &w, err, sizeof err), -1);
    assert_int_equal(w.nsteps, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_line),
        cmocka_unit_test(test_comments_and_blanks),
        cmocka_unit_test(test_length_and_nul),
        cmocka_unit_test(test_errors_general),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_send_receive_defaults),
        cmocka_unit_test(test_ranges),
        cmocka_unit_test(test_step_cap),
        cmocka_unit_test(test_send_receive_errors),
        cmocka_unit_test(test_simple_requests),
        cmocka_unit_test(test_filter),
        cmocka_unit_test(test_multicast),
        cmocka_unit_test(test_query_oids),
        cmocka_unit_test(test_oids_match_ntddndis),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_inject),
        cmocka_unit_test(test_query_len),
        cmocka_unit_test(test_fail),
        cmocka_unit_test(test_param),
        cmocka_unit_test(test_shutdown),
        cmocka_unit_test(test_format_step),
        cmocka_unit_test(test_roundtrip_builtins),
        cmocka_unit_test(test_roundtrip_every_form),
        cmocka_unit_test(test_append),
        cmocka_unit_test(test_send_burst_frags),
        cmocka_unit_test(test_append_new_kinds),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_standard_covers),
        cmocka_unit_test(test_sweep_covers),
        cmocka_unit_test(test_frame_addresses),
        cmocka_unit_test(test_frame_payloads),
        cmocka_unit_test(test_frame_random_is_documented),
        cmocka_unit_test(test_load),
    };

    return cmocka_run_group_tests_name("workload", tests, NULL, NULL);
}
