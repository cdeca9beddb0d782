/* Fail-points: make the Nth next call of a kernel export fail the way its
 * documentation says it can fail (docs/failpoints.md), so that the driver's
 * error paths run. One rule per export, in a table (failpoint.c): the
 * return value, the status the routine stores through its PNDIS_STATUS
 * argument, and the output arguments it leaves NULL or zero. A call that
 * hits an armed rule does not reach the export's handler; the dispatcher
 * (nt.c) still emits API_CALL and API_RETURN around it, and a NOTE event
 * "fail" says which call was failed. */
#ifndef XDRV_NT_FAILPOINT_H
#define XDRV_NT_FAILPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "nt/nt.h"

/* Arm `export_name`: its nth call from now (1 = the next one) fails, once.
 * Several exports may be armed at once; arming one again replaces its
 * count. Returns 0, or -1 with a one-line reason when the export has no
 * failure rule (the reason names some that do) or nth is 0. */
int nt_fail_arm(Nt *nt, const char *export_name, unsigned nth, char *err, size_t errlen);
/* Disarm every export (and free the state). */
void nt_fail_clear(Nt *nt);
/* 1 if the export has a failure rule, else 0. */
int nt_fail_has_rule(const char *export_name);
/* The exports with a rule, in table order; NULL past the end. */
const char *nt_fail_rule_name(unsigned i);

/* For the dispatcher: if this call of `e` is the armed one, produce the
 * documented failure (outputs through the guest pointers in `args`, which
 * are checked: a bad one stops the run like the handler would), set *ret
 * and return 1; else count the call if armed and return 0. */
int nt_fail_intercept(Nt *nt, const NtExport *e, const uint32_t *args, uint64_t *ret);

#endif
