/* Unit tests for the interpreter core (src/replay/interp.c), action by
 * action from docs/formats/xsm.md, against a fake device: a register file
 * that logs every access, and host buffers in memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/interp.h"
#include "replay/spec.h"
#include "replay/verify.h"

typedef struct Fake {
    uint32_t regs[256];
    char log[4096];
    size_t loglen;
    uint8_t mem[4][4][2048]; /* buffer, copy, bytes */
    unsigned stalls, completes, delivered, link;
    uint32_t last_len;
    int clear_after; /* reads of CR before its bit 4 clears (-1: never) */
} Fake;

static void logf_(Fake *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(Fake *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(f->log + f->loglen, sizeof f->log - f->loglen, fmt, ap);
    va_end(ap);
    if (n > 0)
        f->loglen += (size_t)n;
}

static uint32_t fr(void *o, uint32_t w, uint32_t off, unsigned width)
{
    Fake *f = o;
    if (off == 0x37 && f->clear_after >= 0 && f->clear_after-- == 0)
        f->regs[0x37] &= ~0x10u;
    logf_(f, "r%x ", off);
    return f->regs[off & 0xff];
}

static void fw(void *o, uint32_t w, uint32_t off, unsigned width, uint32_t v)
{
    Fake *f = o;
    logf_(f, "w%x=%x ", off, v);
    f->regs[off & 0xff] = v;
}

static uint64_t fa(void *o, uint32_t b, uint32_t i)
{
    return 0x10000u * (b + 1) + 0x800u * i;
}

static uint8_t *fp(void *o, uint32_t b, uint32_t i)
{
    Fake *f = o;
    return b < 4 && i < 4 ? f->mem[b][i] : NULL;
}

static void fs(void *o, uint32_t us)
{
    ((Fake *)o)->stalls++;
}

static void fd(void *o, const uint8_t *p, uint32_t n)
{
    Fake *f = o;
    f->delivered++;
    f->last_len = n;
}

static void fc(void *o)
{
    ((Fake *)o)->completes++;
}

static void fl(void *o, int up)
{
    ((Fake *)o)->link = (unsigned)up + 1;
}

static const char text[] =
    "xdrv-spec 1\n"
    "window io port 256\n"
    "reg CR io 0x37 1\n"
    "reg TSD io 0x10 4 count 4 stride 4\n"
    "reg TSAD io 0x20 4 count 4 stride 4 dma\n"
    "reg RBSTART io 0x30 4 dma\n"
    "reg ISR io 0x3e 2\n"
    "reg RAP io 0x12 2\n"
    "reg CSR0 io 0x10 2 index RAP 0\n"
    "reg PG io 0x00 1\n"
    "reg PAR0 io 0x01 1 bank PG 0xc0 0x40\n"
    "buffer rx 2048 align 16\n"
    "buffer tx 2048 align 4 count 4\n"
    "var txi 0 wrap 4\n"
    "var isr 0\n"
    "var n 0\n"
    "param send len 14 1514\n"
    "unhandled set-filter\n"
    "unhandled multicast\n"
    "unhandled query-stats\n"
    "unhandled timer\n"
    "unhandled reset\n"
    "state stopped\n"
    "state running\n"
    "on init stopped -> running\n"
    "  write CR 0x10\n"
    "  poll CR 0x10 0 max 5 stall 10 else fallback\n"
    "  write RBSTART addr(rx)\n"
    "  write CSR0 0x42\n"
    "  write PAR0 0x52\n"
    "  from \"a.xtr\" 10 20\n"
    "end\n"
    "on send running -> running\n"
    "  copy tx[txi] 0\n"
    "  write TSAD[txi] addr(tx[txi])\n"
    "  write TSD[txi] len\n"
    "  set txi txi + 1\n"
    "  complete\n"
    "end\n"
    "on interrupt running -> running\n"
    "  read ISR -> isr\n"
    "  if isr & 1\n"
    "    deliver rx 4 60\n"
    "  else\n"
    "    write ISR isr\n"
    "  end\n"
    "  set n 0\n"
    "  repeat 10\n"
    "    set n n + 1\n"
    "    break if n == 3\n"
    "  end\n"
    "end\n"
    "on link * -> running when up\n"
    "  linkstate 1\n"
    "end\n"
    "on halt * -> stopped\n"
    "  fallback \"the spec gives the chip back\"\n"
    "end\n";

static Spec *load(void)
{
    char err[512];
    Spec *s = spec_parse(text, strlen(text), "t.xsm", err, sizeof err);
    if (!s)
        fail_msg("parse: %s", err);
    return s;
}

static ReplayOps make_ops(Fake *f)
{
    return (ReplayOps){.opaque = f, .reg_read = fr, .reg_write = fw, .buf_addr = fa,
                       .buf_ptr = fp, .stall = fs, .deliver = fd, .complete = fc, .link = fl};
}

/* Every access in the order the spec gives; index and bank writes first. */
static void test_init_accesses(void **state)
{
    (void)state;
    static Fake f;
    static Replay r;
    memset(&f, 0, sizeof f);
    f.regs[0x37] = 0x10;
    f.clear_after = 2;
    Spec *s = load();
    ReplayOps ops = make_ops(&f);
    assert_int_equal(spec_verify(s, "t.xsm", NULL, stderr), 0);
    assert_int_equal(replay_init(&r, s, &ops), REPLAY_OK);
    assert_int_equal(replay_request(&r, SPEC_REQ_SEND, NULL, NULL, 0), REPLAY_UNHANDLED);
    assert_int_equal(replay_request(&r, SPEC_REQ_INIT, NULL, NULL, 0), REPLAY_OK);
    assert_int_equal(r.state, 1);
    assert_string_equal(f.log, "w37=10 r37 r37 r37 w30=10000 w12=0 w10=42 w0=40 w1=52 ");
    assert_int_equal(f.stalls, 2);
    spec_free(s);
}

static void test_send_and_interrupt(void **state)
{
    (void)state;
    static Fake f;
    static Replay r;
    memset(&f, 0, sizeof f);
    f.clear_after = 0;
    Spec *s = load();
    ReplayOps ops = make_ops(&f);
    assert_int_equal(replay_init(&r, s, &ops), REPLAY_OK);
    assert_int_equal(replay_request(&r, SPEC_REQ_INIT, NULL, NULL, 0), REPLAY_OK);
    uint8_t frame[60];
    for (int i = 0; i < 60; i++)
        frame[i] = (uint8_t)i;
    uint64_t p[SPEC_PARAM_COUNT_] = {[SPEC_PARAM_LEN] = 60};
    for (int k = 0; k < 5; k++) {
        f.loglen = 0;
        f.log[0] = '\0';
        assert_int_equal(replay_request(&r, SPEC_REQ_SEND, p, frame, 60), REPLAY_OK);
    }
    /* the fifth send wraps round to TSAD0/TSD0 (txi wraps at 4) */
    assert_string_equal(f.log, "w20=20000 w10=3c ");
    assert_int_equal(f.completes, 5);
    assert_memory_equal(f.mem[1][0], frame, 60);
    assert_memory_equal(f.mem[1][3], frame, 60);
    /* an interrupt with bit 0: a frame to the OS; without: an ack */
    f.regs[0x3e] = 1;
    assert_int_equal(replay_request(&r, SPEC_REQ_INTERRUPT, NULL, NULL, 0), REPLAY_OK);
    assert_int_equal(f.delivered, 1);
    assert_int_equal(f.last_len, 60);
    f.regs[0x3e] = 4;
    f.loglen = 0;
    assert_int_equal(replay_request(&r, SPEC_REQ_INTERRUPT, NULL, NULL, 0), REPLAY_OK);
    assert_string_equal(f.log, "r3e w3e=4 ");
    assert_int_equal(r.vars[2], 3); /* repeat stopped by break at n == 3 */
    spec_free(s);
}

/* A guard false: no transition serves it; fallback names its reason; a
 * poll that never sees its value falls back as the spec says. */
static void test_fallbacks(void **state)
{
    (void)state;
    static Fake f;
    static Replay r;
    memset(&f, 0, sizeof f);
    f.regs[0x37] = 0x10;
    f.clear_after = -1;
    Spec *s = load();
    ReplayOps ops = make_ops(&f);
    assert_int_equal(replay_init(&r, s, &ops), REPLAY_OK);
    assert_int_equal(replay_request(&r, SPEC_REQ_INIT, NULL, NULL, 0), REPLAY_FALLBACK);
    assert_string_equal(r.reason, "a poll gave up");
    assert_int_equal(r.reason_line, 27);
    assert_int_equal(r.state, 0);
    uint64_t p[SPEC_PARAM_COUNT_] = {[SPEC_PARAM_UP] = 0};
    assert_int_equal(replay_request(&r, SPEC_REQ_LINK, p, NULL, 0), REPLAY_UNHANDLED);
    p[SPEC_PARAM_UP] = 1;
    assert_int_equal(replay_request(&r, SPEC_REQ_LINK, p, NULL, 0), REPLAY_OK);
    assert_int_equal(f.link, 2);
    assert_int_equal(replay_request(&r, SPEC_REQ_HALT, NULL, NULL, 0), REPLAY_FALLBACK);
    assert_string_equal(r.reason, "the spec gives the chip back");
    spec_free(s);
}

/* outs and ins through a 2-byte data register (docs/formats/xsm.md):
 * little-endian units, the frame then zeros out, the bytes past LEN in
 * dropped; a bank register written only when another bank is selected. */
static const char dp_text[] =
    "xdrv-spec 1\n"
    "window io port 256\n"
    "reg CR io 0x00 1\n"
    "reg DATA io 0x10 2 bank CR 0xc0 0x0\n"
    "reg PAR0 io 0x01 1 bank CR 0xc0 0x40\n"
    "reg BNRY io 0x03 1 bank CR 0xc0 0x0\n"
    "buffer rx 64\n"
    "var v 0\n"
    "param send len 1 60\n"
    "unhandled halt\nunhandled reset\nunhandled set-filter\nunhandled multicast\n"
    "unhandled query-stats\nunhandled link\nunhandled timer\n"
    "state stopped\nstate running\n"
    "on init * -> running\n"
    "  write CR 0x26\n"     /* page 0, with a command bit that must not repeat */
    "  write BNRY 0x4c\n"   /* page 0 already: no CR write */
    "  write PAR0 0x52\n"   /* page 1: CR = 0x66 */
    "  write BNRY 0x4d\n"   /* back to page 0: CR = 0x26 */
    "end\n"
    "on send running -> running\n"
    "  outs DATA len + 3\n"
    "  complete\n"
    "end\n"
    "on interrupt running -> running\n"
    "  read DATA -> v\n"
    "  ins DATA rx 2 v & 0x7\n"
    "  deliver rx 2 v & 0x7\n"
    "end\n";

static void test_data_port(void **state)
{
    (void)state;
    static Fake f;
    static Replay r;
    memset(&f, 0, sizeof f);
    char err[512];
    Spec *s = spec_parse(dp_text, strlen(dp_text), "dp.xsm", err, sizeof err);
    if (!s)
        fail_msg("parse: %s", err);
    ReplayOps ops = make_ops(&f);
    assert_int_equal(spec_verify(s, "dp.xsm", NULL, stderr), 0);
    assert_int_equal(replay_init(&r, s, &ops), REPLAY_OK);
    assert_int_equal(replay_request(&r, SPEC_REQ_INIT, NULL, NULL, 0), REPLAY_OK);
    assert_string_equal(f.log, "w0=26 w3=4c w0=66 w1=52 w0=26 w3=4d ");
    f.loglen = 0;
    f.log[0] = '\0';
    const uint8_t frame[5] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4};
    uint64_t p[SPEC_PARAM_COUNT_] = {[SPEC_PARAM_LEN] = 5};
    assert_int_equal(replay_request(&r, SPEC_REQ_SEND, p, frame, 5), REPLAY_OK);
    assert_string_equal(f.log, "w10=a1a0 w10=a3a2 w10=a4 w10=0 ");
    f.loglen = 0;
    f.log[0] = '\0';
    f.regs[0x10] = 0xbe05; /* v & 7 = 5 bytes: three reads, the last half dropped */
    memset(f.mem[0][0], 0x11, 16);
    assert_int_equal(replay_request(&r, SPEC_REQ_INTERRUPT, NULL, NULL, 0), REPLAY_OK);
    assert_string_equal(f.log, "r10 r10 r10 r10 ");
    static const uint8_t want[9] = {0x11, 0x11, 0x05, 0xbe, 0x05, 0xbe, 0x05, 0x11, 0x11};
    assert_memory_equal(f.mem[0][0], want, sizeof want);
    assert_int_equal(f.delivered, 1);
    assert_int_equal(f.last_len, 5);
    spec_free(s);

    /* a length the verifier cannot bound, or a buffer it would leave */
    static const char *const bad[] = {"  ins DATA rx 2 v\n", "  ins DATA rx 60 v & 0x7\n"};
    for (unsigned k = 0; k < 2; k++) {
        char t[2048];
        const char *at = strstr(dp_text, "  ins DATA");
        const char *end = strchr(at, '\n') + 1;
        snprintf(t, sizeof t, "%.*s%s%s", (int)(at - dp_text), dp_text, bad[k], end);
        Spec *b = spec_parse(t, strlen(t), "bad.xsm", err, sizeof err);
        if (!b)
            fail_msg("parse: %s", err);
        FILE *devnull = fopen("/dev/null", "w");
        assert_int_not_equal(spec_verify(b, "bad.xsm", NULL, devnull), 0);
        fclose(devnull);
        spec_free(b);
    }
    /* outs only in a send; not through an array */
    static const char only_send[] = "xdrv-spec 1\nwindow io port 256\nreg D io 0 2\n"
                                    "state s\non init * -> s\n  outs D 4\nend\n";
    assert_null(spec_parse(only_send, strlen(only_send), "o.xsm", err, sizeof err));
    assert_non_null(strstr(err, "'outs' is only for 'on send'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_accesses),
        cmocka_unit_test(test_send_and_interrupt),
        cmocka_unit_test(test_fallbacks),
        cmocka_unit_test(test_data_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
