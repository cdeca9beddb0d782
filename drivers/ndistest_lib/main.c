/* DriverEntry of ndistest_lib: runs every case, then registers a miniport
 * (whose MiniportInitialize is never called: there is no adapter) and an
 * unload handler, and stays loaded. */
#include "ndistest.h"

__declspec(dllexport) NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);

const char *nt_case = "";
static ULONG passed, failed;

void nt_check(int ok, const char *expr, const char *file, int line)
{
    if (ok) {
        passed++;
        DbgPrint("ndistest: PASS %s: %s\n", nt_case, expr);
    } else {
        failed++;
        DbgPrint("ndistest: FAIL %s: %s (%s:%d)\n", nt_case, expr, file, line);
    }
}

#define RUN(fn)            \
    do {                   \
        nt_case = #fn + 5; \
        fn();              \
    } while (0)

NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    RUN(case_memory);
    RUN(case_strings);
    RUN(case_packets);
    RUN(case_buffers);
    RUN(case_spinlocks);
    RUN(case_events);
    RUN(case_timers);
    RUN(case_interlocked);
    RUN(case_rwlock);
    RUN(case_workitem);
    RUN(case_time);
    RUN(case_errorlog);
    nt_case = "register";
    case_register(DriverObject, RegistryPath);
    DbgPrint("ndistest: DONE passed=%lu failed=%lu\n", passed, failed);
    return failed ? STATUS_UNSUCCESSFUL : STATUS_SUCCESS;
}
