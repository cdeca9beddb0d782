/* The I/O manager's host side (src/nt/ntoskrnl/io.h) against the ktest
 * driver: DriverEntry runs every ktest case (the Io/Mm/Zw/Dbg ones must
 * pass), then requests go to the
 * devices it keeps (drivers/ktest/io_tests.c, io_ioctl.h) with each
 * buffering method, including one the driver completes later from a timer
 * DPC; DriverUnload must leave no device, link or pool block behind. Also
 * checks the DbgPrint lines kt_dbg_formats prints against the expected text.
 * Skips when build/drivers/ktest.sys (or $BUILD/drivers/ktest.sys) is not
 * built. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../drivers/ktest/io_ioctl.h"
#include "nt/loader.h"
#include "nt/nt.h"
#include "nt/ntoskrnl/io.h"
#include "nt/ntoskrnl/registry.h"

typedef struct Run {
    Vm *vm;
    Nt *nt;
    NtImage img;
    FILE *log;
    char *text; /* log contents, after log_text() */
} Run;

static const char *driver_path(void)
{
    static char path[512];
    const char *b = getenv("BUILD");
    snprintf(path, sizeof path, "%s/drivers/ktest.sys", b && *b ? b : "build");
    return path;
}

static int setup(void **state)
{
    if (access(driver_path(), R_OK) != 0)
        return 0; /* tests skip */
    Run *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    r->log = tmpfile();
    r->vm = vm_create(NULL);
    NtOptions opt = {.allow_missing = 1, .log = r->log};
    r->nt = r->vm ? nt_create(r->vm, &opt) : NULL;
    char err[4096];
    if (!r->log || !r->nt || nt_load_image(r->nt, driver_path(), &r->img, err, sizeof err) < 0) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    Run *r = *state;
    if (!r)
        return 0;
    nt_image_free(&r->img);
    nt_destroy(r->nt);
    vm_destroy(r->vm);
    fclose(r->log);
    free(r->text);
    free(r);
    return 0;
}

static const char *log_text(Run *r)
{
    fflush(r->log);
    long n = ftell(r->log);
    free(r->text);
    r->text = calloc(1, (size_t)n + 1);
    rewind(r->log);
    if (r->text && fread(r->text, 1, (size_t)n, r->log) != (size_t)n)
        r->text[0] = 0;
    fseek(r->log, 0, SEEK_END);
    return r->text ? r->text : "";
}

static void load(Run *r)
{
    int64_t st = nt_io_load_driver(r->nt, &r->img, "ktest");
    if (st < 0) {
        vm_report_fault(r->vm, stderr);
        fail_msg("DriverEntry faulted: %s", vm_fault_text(r->vm));
    }
    assert_int_equal(st, 0);
}

static void test_ktest_driver_entry(void **state)
{
    Run *r = *state;
    if (!r)
        skip();
    load(r);
    const char *t = log_text(r);
    /* this area's cases pass (tests/guest/test_ktest.sh judges them all) */
    static const char *const mine[] = {"ktest: FAIL kt_io_", "ktest: FAIL kt_mm_",
                                       "ktest: FAIL kt_zw_", "ktest: FAIL kt_dbg_"};
    for (unsigned i = 0; i < sizeof mine / sizeof mine[0]; i++)
        if (strstr(t, mine[i]))
            fail_msg("a ktest case failed:\n%s", strstr(t, mine[i]));
    assert_non_null(strstr(t, "dbg: ktest: DONE passed="));
    /* kt_dbg_formats: the driver's format strings, formatted as DbgPrint does */
    static const char *const want[] = {
        "dbg: ktest: dbgfmt 1: -42|7|4000000000|beef|BEEF|10|Z|%\n",
        "dbg: ktest: dbgfmt 2: [   42][42   ][00042][+42][ 42][007][   1][2  ]\n",
        "dbg: ktest: dbgfmt 3: [abc][   right][left  ][tr][wide][wl][ww][uni][ansi]\n",
        "dbg: ktest: dbgfmt 4: -5000000000 123456789abc 18446744073709551615 0xff 0000BEEF 1 -1 ff "
        "4464 44\n",
        "dbg: ktest: dbgfmt 5: [(null)][(null)][<bad pointer 0xc0000000>]\n",
        "dbg: ktest: dbgfmt 6: ex 6 six\n",
        "dbg: ktest: dbgfmt 7: v 7 seven 77\n",
        "dbg: ktest: dbgfmt 8: partial line 8\n",
    };
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(t, want[i]))
            fail_msg("missing from the log: %s", want[i]);
    /* the error-log entry of kt_io_errorlog */
    assert_non_null(
        strstr(t, "io: error log entry: ErrorCode 0xc0040001 UniqueErrorValue 0x0000004d"));
    assert_non_null(strstr(t, "DumpData[2]: 0x11223344 0x55667788"));
}

static void request_ok(int rc, const NtRequestResult *res, uint32_t info)
{
    assert_int_equal(rc, 0);
    assert_int_equal(res->pending, 0);
    assert_int_equal(res->status, STATUS_SUCCESS);
    assert_int_equal(res->information, info);
}

/* write, read back through GET_STORED, read the pattern */
static void rw_roundtrip(Run *r, int h, const char *data)
{
    NtRequestResult res;
    uint8_t buf[64];
    uint32_t n = (uint32_t)strlen(data);
    request_ok(nt_io_write(r->nt, h, data, n, &res), &res, n);
    memset(buf, 0xEE, sizeof buf);
    request_ok(nt_io_ioctl(r->nt, h, KT_IOCTL_GET_STORED, NULL, 0, buf, sizeof buf, &res), &res, n);
    assert_memory_equal(buf, data, n);
    assert_int_equal(buf[n], 0xEE);
    memset(buf, 0, sizeof buf);
    request_ok(nt_io_read(r->nt, h, buf, 40, &res), &res, 40);
    for (unsigned i = 0; i < 40; i++)
        assert_int_equal(buf[i], kt_pattern(i));
    assert_int_equal(buf[40], 0);
}

static void echo(Run *r, int h, uint32_t code)
{
    NtRequestResult res;
    const char in[] = "echo-me";
    char out[32];
    memset(out, 0, sizeof out);
    request_ok(nt_io_ioctl(r->nt, h, code, in, sizeof in, out, sizeof out, &res), &res, sizeof in);
    assert_string_equal(out, in);
    /* output smaller than the input: Information is the smaller length */
    memset(out, 0, sizeof out);
    request_ok(nt_io_ioctl(r->nt, h, code, in, sizeof in, out, 4, &res), &res, 4);
    assert_memory_equal(out, "echo", 4);
    assert_int_equal(out[4], 0);
}

static void test_io_requests(void **state)
{
    Run *r = *state;
    if (!r)
        skip();
    load(r);
    NtRequestResult res;

    int h = nt_io_open(r->nt, "KTest", &res);
    assert_true(h > 0);
    assert_int_equal(res.status, STATUS_SUCCESS);
    rw_roundtrip(r, h, "hello, buffered");
    echo(r, h, KT_IOCTL_ECHO_BUFFERED);
    echo(r, h, KT_IOCTL_ECHO_IN_DIRECT);
    echo(r, h, KT_IOCTL_ECHO_OUT_DIRECT);
    echo(r, h, KT_IOCTL_ECHO_NEITHER);
    request_ok(nt_io_ioctl(r->nt, h, KT_IOCTL_SUCCEED, NULL, 0, NULL, 0, &res), &res,
               KT_PEND_INFORMATION);
    assert_int_equal(nt_io_ioctl(r->nt, h, KT_IOCTL_FAIL, NULL, 0, NULL, 0, &res), 0);
    assert_int_equal(res.status, STATUS_UNSUCCESSFUL);
    assert_int_equal(nt_io_ioctl(r->nt, h, KT_IOCTL_UNKNOWN, NULL, 0, NULL, 0, &res), 0);
    assert_int_equal(res.status, STATUS_INVALID_DEVICE_REQUEST);
    /* completed 10 ms later by a timer DPC: virtual time moves on */
    uint64_t t0 = vm_time_ns(r->vm);
    request_ok(nt_io_ioctl(r->nt, h, KT_IOCTL_PEND, NULL, 0, NULL, 0, &res), &res,
               KT_PEND_INFORMATION);
    assert_true(vm_time_ns(r->vm) - t0 >= 10000000u);

    /* the other devices, by other names */
    int hd = nt_io_open(r->nt, "\\DosDevices\\KTestDirect", &res);
    assert_true(hd > 0);
    rw_roundtrip(r, hd, "direct I/O through an MDL");
    int hn = nt_io_open(r->nt, "\\??\\KTestNeither", &res);
    assert_true(hn > 0);
    rw_roundtrip(r, hn, "neither");
    int hdev = nt_io_open(r->nt, "\\Device\\KTest", &res);
    assert_true(hdev > 0 && hdev != h);
    assert_int_equal(nt_io_close(r->nt, hdev, &res), 0);
    assert_int_equal(res.status, STATUS_SUCCESS);

    /* unknown names and handles */
    assert_int_equal(nt_io_open(r->nt, "NoSuchDevice", &res), 0);
    assert_int_equal(res.status, STATUS_OBJECT_NAME_NOT_FOUND);
    assert_int_equal(nt_io_open(r->nt, "\\Device\\Nope", &res), 0);
    assert_int_equal(nt_io_read(r->nt, 99, NULL, 0, &res), -2);
    assert_int_equal(nt_io_close(r->nt, hdev, &res), -2);

    assert_int_equal(nt_io_close(r->nt, h, &res), 0);
    assert_int_equal(nt_io_close(r->nt, hd, &res), 0);
    /* hn stays open: unload closes it */
    assert_int_equal(nt_io_unload_driver(r->nt), 0);
    const char *t = log_text(r);
    assert_non_null(strstr(t, "dbg: ktest: unloaded\n"));
    assert_null(strstr(t, "DriverUnload left"));
    FILE *devnull = fopen("/dev/null", "w");
    assert_int_equal(nt_pool_report_leaks(r->nt, devnull), 0);
    fclose(devnull);
    assert_int_equal(nt_io_unload_driver(r->nt), 1); /* nothing left to unload */
}

static void test_io_list_devices(void **state)
{
    Run *r = *state;
    if (!r)
        skip();
    load(r);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    nt_io_list_devices(r->nt, f);
    fclose(f);
    assert_non_null(strstr(buf, "device: \\Device\\KTest at 0x"));
    assert_non_null(strstr(buf, "(driver \\Driver\\ktest) type 0x22 flags 0x4 "));
    assert_non_null(strstr(buf, "device: \\Device\\KTestDirect at"));
    assert_non_null(strstr(buf, "symlink: \\??\\KTest -> \\Device\\KTest\n"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ktest_driver_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_io_requests, setup, teardown),
        cmocka_unit_test_setup_teardown(test_io_list_devices, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
