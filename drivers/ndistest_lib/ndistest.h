/* ndistest_lib: checks the NDIS library (src/nt/ndis: wrapper, memory,
 * strings, packets, buffers, locks, events, timers, work items) from
 * inside the guest. Each check prints one line
 *   "ndistest: PASS <case>: <expr>"  or  "ndistest: FAIL <case>: <expr> (file:line)"
 * and DriverEntry ends with "ndistest: DONE passed=N failed=M"
 * (tests/guest/test_ndis_lib.sh). */
#ifndef NDISTEST_H
#define NDISTEST_H

#include "ndis_fixed.h"

extern const char *nt_case;
void nt_check(int ok, const char *expr, const char *file, int line);

#define NT_OK(cond) nt_check(!!(cond), #cond, __FILE__, __LINE__)
#define NT_EQ(a, b) nt_check((a) == (b), #a " == " #b, __FILE__, __LINE__)

void case_memory(void);
void case_strings(void);
void case_packets(void);
void case_buffers(void);
void case_spinlocks(void);
void case_events(void);
void case_timers(void);
void case_interlocked(void);
void case_rwlock(void);
void case_workitem(void);
void case_time(void);
void case_errorlog(void);
void case_register(PDRIVER_OBJECT drv, PUNICODE_STRING path);

#endif
