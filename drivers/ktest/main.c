/* ktest driver entry: runs every case listed in cases.h, then keeps a
 * device (\Device\KTest, \DosDevices\KTest) for request tests. */
#include "ktest.h"

const char *kt_case_name = "";
static int kt_passed, kt_failed;

void kt_check(int ok, const char *expr, const char *file, int line)
{
    if (ok) {
        kt_passed++;
        DbgPrint("ktest: PASS %s: %s\n", kt_case_name, expr);
    } else {
        kt_failed++;
        DbgPrint("ktest: FAIL %s: %s (%s:%d)\n", kt_case_name, expr, file, line);
    }
}

#define KT_CASE(fn) void fn(PDRIVER_OBJECT drv);
#include "cases.h"
#undef KT_CASE

static const struct {
    const char *name;
    KtCaseFn fn;
} cases[] = {
#define KT_CASE(fn) {#fn, fn},
#include "cases.h"
#undef KT_CASE
};

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    (void)path;
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kt_case_name = cases[i].name;
        cases[i].fn(drv);
    }
    DbgPrint("ktest: DONE passed=%d failed=%d\n", kt_passed, kt_failed);
    return STATUS_SUCCESS;
}
