/* A driver specification as C source (issue 11, part 4; docs/synth.md):
 * one self-contained C11 file, a standalone driver that performs the
 * specification over the interpreter's ops interface (ReplayOps) with no
 * interpreter: one function per transition, the actions as statements,
 * each under the specification line it comes from. It behaves exactly as
 * replay_request does on the same specification: the same op calls in the
 * same order, the same results, states and reasons. Host code (stdio); the
 * emitted file needs only <stdint.h>, <stddef.h> and replay/interp.h. */
#ifndef XDRV_REPLAY_SYNTH_H
#define XDRV_REPLAY_SYNTH_H

#include <stddef.h>
#include <stdio.h>

#include "replay/spec.h"

#define SYNTH_PREFIX_DEFAULT "xsm"
#define SYNTH_PREFIX_MAX 32 /* bytes of a prefix, without its NUL */

/* A prefix names everything the file defines: PREFIX_init and
 * PREFIX_request, the types PrefixDriver and PrefixState, the macros
 * PREFIX_*. 1 when p is one ([a-z][a-z0-9_]*, at most SYNTH_PREFIX_MAX
 * bytes, not "spec" or "replay", whose names interp.h has), else 0. */
int spec_synth_prefix_ok(const char *p);

/* Write the C source for s (which spec_verify accepted) to out, with the
 * prefix "xsm". spec_path names the specification in the file's comments,
 * and when it can be read, its lines are quoted above the code they became
 * (otherwise the actions are written back from s). 0, or -1 with a
 * one-line reason in err. */
int spec_synth_c(const Spec *s, const char *spec_path, FILE *out, char *err, size_t errlen);
/* The same with another prefix (spec_synth_prefix_ok), so that several
 * generated drivers can be linked into one program. */
int spec_synth_c_prefixed(const Spec *s, const char *spec_path, const char *prefix, FILE *out,
                          char *err, size_t errlen);

#endif
