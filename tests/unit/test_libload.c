/* Unicorn and Capstone loaded on first use (src/vm/libload.c), not at
 * start-up: nothing is mapped before the first machine; a library that is
 * missing, or is not the one expected, gives one line naming the file and
 * the Debian package, and the VM refuses to start instead of crashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <stdio.h>

#include "vm/libload.h"
#include "vm/vm.h"

#define NO_SUCH_LIB "libxdrv-no-such-library.so.2"

/* Is a file whose name contains `name` mapped into this process? */
static int mapped(const char *name)
{
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, name) != NULL;
    fclose(f);
    return found;
}

/* Must run first: the point is what a process that has not asked for a
 * machine yet carries. */
static void test_startup_maps_no_emulator(void **st)
{
    assert_false(mapped("libunicorn"));
    assert_false(mapped("libcapstone"));
    assert_false(mapped("libpcap"));
}

static void test_first_machine_loads_them(void **st)
{
    char err[LIBLOAD_ERR_MAX] = "";
    assert_int_equal(uclib_load(err, sizeof err), 0);
    assert_int_equal(cslib_load(err, sizeof err), 0);
    assert_true(mapped("libunicorn.so.2"));
    assert_true(mapped("libcapstone.so.4"));
    /* loaded once: later calls are the same answer */
    assert_int_equal(uclib_load(err, sizeof err), 0);
    Vm *vm = vm_create(NULL);
    assert_non_null(vm);
    vm_destroy(vm);
    char v[128];
    assert_memory_equal(vm_engine_version(v, sizeof v), "Unicorn 2.", 10);
}

static void assert_one_line_naming(const char *err, const char *file, const char *package)
{
    assert_non_null(strstr(err, file));
    assert_non_null(strstr(err, package));
    assert_null(strchr(err, '\n'));
}

static void test_missing_library_named_with_package(void **st)
{
    char err[LIBLOAD_ERR_MAX] = "";
    assert_int_equal(uclib_probe(NO_SUCH_LIB, err, sizeof err), -1);
    assert_one_line_naming(err, "cannot load " NO_SUCH_LIB, "(Debian package libunicorn2t64)");
    assert_non_null(strstr(err, "No such file"));
    err[0] = 0;
    assert_int_equal(cslib_probe(NO_SUCH_LIB, err, sizeof err), -1);
    assert_one_line_naming(err, "cannot load " NO_SUCH_LIB, "(Debian package libcapstone4)");
}

/* A library that exists but lacks the functions (a wrong or truncated
 * install): the error names the first function missing. */
static void test_missing_function_named(void **st)
{
    char err[LIBLOAD_ERR_MAX] = "";
    assert_int_equal(uclib_probe("libc.so.6", err, sizeof err), -1);
    assert_one_line_naming(err, "cannot load libc.so.6", "libunicorn2t64");
    assert_non_null(strstr(err, "uc_open"));
    err[0] = 0;
    assert_int_equal(cslib_probe("libc.so.6", err, sizeof err), -1);
    assert_one_line_naming(err, "cannot load libc.so.6", "libcapstone4");
    assert_non_null(strstr(err, "cs_open"));
}

/* A failed probe leaves the real tables alone, and a NULL buffer is fine. */
static void test_probe_keeps_loaded_tables(void **st)
{
    assert_int_equal(uclib_probe(NO_SUCH_LIB, NULL, 0), -1);
    assert_int_equal(uclib_load(NULL, 0), 0);
    Vm *vm = vm_create(NULL);
    assert_non_null(vm);
    vm_destroy(vm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_startup_maps_no_emulator),
        cmocka_unit_test(test_first_machine_loads_them),
        cmocka_unit_test(test_missing_library_named_with_package),
        cmocka_unit_test(test_missing_function_named),
        cmocka_unit_test(test_probe_keeps_loaded_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
