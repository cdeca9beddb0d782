/* ktest: the conformance driver. Each test file registers cases with
 * KT_CASE; each check reports through DbgPrint one line
 *   "ktest: PASS <case>: <expr>"  or  "ktest: FAIL <case>: <expr> (file:line)"
 * and DriverEntry ends with "ktest: DONE passed=N failed=M". The host test
 * (tests/guest/test_ktest.sh) fails on any FAIL line or a missing DONE.
 * (The per-case pass/fail report follows Wine's ntoskrnl.exe/tests/driver.c.) */
#ifndef KTEST_H
#define KTEST_H

#include <ntddk.h>

extern const char *kt_case_name;
void kt_check(int ok, const char *expr, const char *file, int line);

#define KT_OK(cond) kt_check(!!(cond), #cond, __FILE__, __LINE__)
#define KT_EQ(a, b) kt_check((a) == (b), #a " == " #b, __FILE__, __LINE__)

/* A test case: void name(PDRIVER_OBJECT drv). Register it in cases.h. */
typedef void (*KtCaseFn)(PDRIVER_OBJECT drv);

#endif
