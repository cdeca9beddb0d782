/* Generalisation rules of xdrv extract (docs/extract.md) on small
 * synthetic traces written with the trace writer: an ISR that ends where
 * the status register reads one of a few values (0: nothing pending,
 * all ones: the device gone) gets that guard; interrupts the driver
 * answered without touching the device are left out, with a note; a
 * guard is found over more requests than the fits sample; a mode bit set
 * where the packet filter lacks a bit is explained; requests after a
 * surprise removal, up to the next initialization, are left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze/analyze.h"
#include "trace/xtr.h"

#define BASE 0xc300u

typedef struct Rec {
    XtrWriter *w;
    FILE *f;
    char path[64];
    uint64_t t, req;
} Rec;

static void ev(Rec *r, TraceEvent e)
{
    e.vtime = r->t += 10;
    assert_int_equal(xtr_write(r->w, &e), 0);
}

static void io(Rec *r, int write, uint32_t off, uint32_t value, uint32_t depth)
{
    ev(r, (TraceEvent){.kind = write ? TRACE_PORT_WRITE : TRACE_PORT_READ,
                       .depth = depth,
                       .pc = 0x80101000u + off,
                       .addr = BASE + off,
                       .size = 1,
                       .value = value});
}

static void call(Rec *r, const char *entry, int ret, uint32_t depth)
{
    ev(r, (TraceEvent){.kind = ret ? TRACE_GUEST_RETURN : TRACE_GUEST_CALL,
                       .depth = depth,
                       .name = entry,
                       .addr = 0x80102000u,
                       .text = "0x81000000"});
}

static void request(Rec *r, const char *kind, int end)
{
    ev(r, (TraceEvent){.kind = end ? TRACE_REQUEST_END : TRACE_REQUEST_BEGIN,
                       .name = kind,
                       .value = end ? r->req : ++r->req,
                       .text = kind});
}

static void request_text(Rec *r, const char *kind, const char *text, int end)
{
    ev(r, (TraceEvent){.kind = end ? TRACE_REQUEST_END : TRACE_REQUEST_BEGIN,
                       .name = kind,
                       .value = end ? r->req : ++r->req,
                       .text = text});
}

/* The ISR: reads the status register at +7; 0 or all ones: not its
 * interrupt, it returns; otherwise it acknowledges what it read. idle:
 * it returns without touching the device at all. */
static void interrupt(Rec *r, uint32_t isr, int idle)
{
    ev(r, (TraceEvent){.kind = TRACE_INTERRUPT, .depth = 0, .name = "MiniportISR", .addr = 11,
                       .value = 11});
    call(r, "MiniportISR", 0, 1);
    if (!idle) {
        io(r, 0, 0x7, isr, 1);
        if (isr && isr != 0xff)
            io(r, 1, 0x7, isr, 1);
    }
    call(r, "MiniportISR", 1, 0);
}

/* Twelve interrupts with a few idle ones among them. */
static void isr_body(Rec *r)
{
    static const uint32_t isrs[] = {0x01, 0x02, 0x00, 0x01, 0xff, 0x02, 0x00, 0x01, 0x02, 0xff,
                                    0x01, 0x00};
    for (unsigned i = 0; i < sizeof isrs / sizeof isrs[0]; i++) {
        request(r, "wait", 0);
        interrupt(r, isrs[i], 0);
        if (i % 4 == 3)
            interrupt(r, 0, 1); /* a line it took for another's */
        request(r, "wait", 1);
    }
}

/* More interrupts than the 4096 views a fit samples: the status reads
 * 0x1 or 0x2, and the ISR then writes one register or another. */
#define MANY_INTERRUPTS 5000
static void many_body(Rec *r)
{
    for (unsigned i = 0; i < MANY_INTERRUPTS; i++) {
        uint32_t isr = i % 3 ? 0x01 : 0x02;
        request(r, "wait", 0);
        ev(r, (TraceEvent){.kind = TRACE_INTERRUPT, .name = "MiniportISR", .addr = 11,
                           .value = 11});
        call(r, "MiniportISR", 0, 1);
        io(r, 0, 0x7, isr, 1);
        io(r, 1, 0x7, isr, 1);
        io(r, 1, isr == 0x01 ? 0xc : 0xd, 0x5, 1);
        call(r, "MiniportISR", 1, 0);
        request(r, "wait", 1);
    }
}

/* Packet filters: the driver writes a mode register at +0xc whose bit
 * 5 says "discard directed" (set when the filter lacks directed, 0x1)
 * and bit 6 "discard broadcast" (set when it lacks broadcast, 0x8), the
 * way a LANCE's MODE (DRCVPA, DRCVBC) is set. */
static void filter_body(Rec *r)
{
    static const struct {
        const char *text;
        uint32_t f;
    } filters[] = {{"filter none", 0x0},
                   {"filter directed", 0x1},
                   {"filter directed broadcast", 0x9},
                   {"filter directed multicast broadcast", 0xb},
                   {"filter broadcast", 0x8},
                   {"filter multicast", 0x2}};
    for (unsigned round = 0; round < 3; round++)
        for (unsigned i = 0; i < sizeof filters / sizeof filters[0]; i++) {
            uint32_t f = filters[i].f;
            request_text(r, "filter", filters[i].text, 0);
            ev(r, (TraceEvent){.kind = TRACE_GUEST_CALL, .depth = 1, .name = "MiniportSetInformation",
                               .addr = 0x80102000u,
                               .text = "0x81000000, 0x1010e, 0x81001000, 0x4, 0x81001010, 0x81001014"});
            io(r, 1, 0xc, 0x80 | ((f & 0x1) == 0) << 5 | ((f & 0x8) == 0) << 6, 1);
            call(r, "MiniportSetInformation", 1, 0);
            request_text(r, "filter", "status=0x00000000", 1);
        }
}

/* Interrupts; then the OS tells the driver its device was surprise
 * removed, and its ISR (for a line it still sees) only writes another
 * register; then it is initialized again and the interrupts are as
 * before. */
static void gone_body(Rec *r)
{
    for (unsigned i = 0; i < 6; i++) {
        request(r, "wait", 0);
        interrupt(r, i % 2 ? 0x01 : 0x02, 0);
        request(r, "wait", 1);
    }
    request_text(r, "pnp", "pnp surprise-removal", 0);
    request_text(r, "pnp", "status=0x00000000", 1);
    for (unsigned i = 0; i < 6; i++) {
        request(r, "wait", 0);
        ev(r, (TraceEvent){.kind = TRACE_INTERRUPT, .name = "MiniportISR", .addr = 11, .value = 11});
        call(r, "MiniportISR", 0, 1);
        io(r, 1, 0xe, 0x1, 1);
        call(r, "MiniportISR", 1, 0);
        request(r, "wait", 1);
    }
    request(r, "init", 0);
    call(r, "MiniportInitialize", 0, 1);
    io(r, 1, 0x0, 0x21, 1);
    io(r, 1, 0xf, 0x3f, 1);
    call(r, "MiniportInitialize", 1, 0);
    request(r, "init", 1);
    for (unsigned i = 0; i < 6; i++) {
        request(r, "wait", 0);
        interrupt(r, i % 2 ? 0x01 : 0x02, 0);
        request(r, "wait", 1);
    }
}

static char *extract_text(void (*body)(Rec *))
{
    Rec r = {0};
    snprintf(r.path, sizeof r.path, "/tmp/xdrv-test-xrules-XXXXXX");
    int fd = mkstemp(r.path);
    assert_true(fd >= 0);
    r.f = fdopen(fd, "wb");
    assert_non_null(r.f);
    r.w = xtr_writer_new(r.f, "test_extract_rules");
    assert_non_null(r.w);
    ev(&r, (TraceEvent){.kind = TRACE_MODULE, .name = "nic.sys", .addr = 0x80100000u,
                        .size = 0x10000});
    request(&r, "init", 0);
    call(&r, "MiniportInitialize", 0, 1);
    ev(&r, (TraceEvent){.kind = TRACE_API_CALL, .depth = 1, .pc = 0x80101100u,
                        .name = "NdisMRegisterIoPortRange", .text = "0x8f0fff00, 0x81000000, 0xc300, 0x20"});
    io(&r, 1, 0x0, 0x21, 1);
    io(&r, 1, 0xf, 0x3f, 1);
    call(&r, "MiniportInitialize", 1, 0);
    request(&r, "init", 1);
    body(&r);
    request(&r, "halt", 0);
    call(&r, "MiniportHalt", 0, 1);
    io(&r, 1, 0x0, 0x21, 1);
    call(&r, "MiniportHalt", 1, 0);
    request(&r, "halt", 1);
    assert_int_equal(xtr_writer_close(r.w, "done"), 0);
    assert_int_equal(fclose(r.f), 0);

    Analysis *a = an_new();
    assert_non_null(a);
    char err[256];
    assert_int_equal(an_add_trace(a, r.path, err, sizeof err), 0);
    assert_int_equal(an_finish(a), 0);
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    assert_non_null(m);
    int rc = an_extract(a, m, err, sizeof err);
    fclose(m);
    if (rc < 0)
        print_message("extract: %s\n", err);
    assert_int_equal(rc, 0);
    an_free(a);
    unlink(r.path);
    return text;
}

/* The interrupt transition of the spec text (a copy). */
static char *transition(const char *text, const char *head)
{
    const char *p = strstr(text, head);
    assert_non_null(p);
    const char *e = strstr(p, "\nend\n");
    assert_non_null(e);
    size_t n = (size_t)(e - p) + 5;
    char *t = malloc(n + 1);
    assert_non_null(t);
    memcpy(t, p, n);
    t[n] = '\0';
    return t;
}

static void test_isr_guard_and_idle_interrupts(void **state)
{
    (void)state;
    char *text = extract_text(isr_body);
    char *t = transition(text, "on interrupt ");
    if (!strstr(t, "== 0x0 || ") || !strstr(t, "== 0xff"))
        print_message("%s\n", t);
    /* the ISR ends where the status reads 0 or all ones, else acknowledges
     * what it read */
    assert_non_null(strstr(t, "  if v_r7_8 == 0x0 || v_r7_8 == 0xff\n"));
    assert_non_null(strstr(t, "write r7_8 v_r7_8\n"));
    assert_null(strstr(t, "fallback"));
    /* 12 interrupts generalised, the 3 idle ones left out with a note */
    assert_non_null(
        strstr(t, "note \"12 request(s); 3 the driver answered without touching the device were "
                  "left out\""));
    free(t);
    free(text);
}

/* The values read are kept for every request, not only the 4096 the
 * fits sample: the guard on the status bit is found over all 5000 (it
 * was not, and the spec followed the commoner way with a note). */
static void test_guard_over_many_requests(void **state)
{
    (void)state;
    char *text = extract_text(many_body);
    char *t = transition(text, "on interrupt ");
    if (strstr(t, "went another way") || !strstr(t, "if v_r7_8 & 0x"))
        print_message("%s\n", t);
    assert_non_null(strstr(t, "note \"5000 request(s)\""));
    assert_null(strstr(t, "went another way"));
    assert_non_null(strstr(t, "  if v_r7_8 & 0x"));
    assert_non_null(strstr(t, "write rc_8 0x5\n"));
    assert_non_null(strstr(t, "write rd_8 0x5\n"));
    free(t);
    free(text);
}

static void test_filter_bits_cleared_by_the_filter(void **state)
{
    (void)state;
    char *text = extract_text(filter_body);
    char *t = transition(text, "on set-filter ");
    if (!strstr(t, "((filter & 0x1) == 0) << 5") || strstr(t, "fallback"))
        print_message("%s\n", t);
    assert_non_null(strstr(t, "write rc_8 0x80 | ((filter & 0x1) == 0) << 5 | ((filter & 0x8) == 0) << 6\n"));
    assert_null(strstr(t, "fallback"));
    free(t);
    free(text);
}

static void test_gone_device_left_out(void **state)
{
    (void)state;
    char *text = extract_text(gone_body);
    char *t = transition(text, "on interrupt ");
    if (!strstr(t, "note \"12 request(s); 6 after the OS told the driver its device was surprise") ||
        strstr(t, "re_8"))
        print_message("%s\n", t);
    assert_non_null(strstr(t, "note \"12 request(s); 6 after the OS told the driver its device was "
                              "surprise removed (before the next initialization) were left out\""));
    assert_null(strstr(t, "re_8"));
    assert_null(strstr(t, "went another way"));
    free(t);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_isr_guard_and_idle_interrupts),
        cmocka_unit_test(test_guard_over_many_requests),
        cmocka_unit_test(test_filter_bits_cleared_by_the_filter),
        cmocka_unit_test(test_gone_device_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
