/* The synthesized driver (xdrv synth, issue 11 part 4, docs/synth.md):
 * the C the Makefile generated from tests/golden/spec/rtl8139.xsm
 * ($(BA)/synth/rtl8139_synth.c, prefix xsm), compiled and linked in, run
 * against the RTL8139 model as tests/dev/test_replay_rtl8139.c runs the
 * interpreter on the same specification: it initializes the chip, sends
 * frames that come out on the cable byte for byte, and hands the OS the
 * frames that arrive, through the chip's own receive ring, across its wrap;
 * a chip that never leaves reset makes it fall back. No interpreter here:
 * the specification is loaded only to place its buffers in host memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dev/bus.h"
#include "dev/dev.h"
#include "dev/pci.h"
#include "dev/rtl8139.h"
#include "replay/arena.h"
#include "replay/interp.h"
#include "replay/spec.h"
#include "replay/verify.h"

/* the generated driver's declarations (build/asan/synth, -I) */
#define XSM_INTERFACE_ONLY
#include "rtl8139_synth.c"

/* the generated driver (the spec is loaded only to place its buffers) */
#define DRV_DECL static XsmDriver d
#define DRV_INIT(ops) xsm_init(&d, ops)
#define DRV_REQUEST(req, p, f, n) xsm_request(&d, req, p, f, n)
#define DRV_REASON d.reason
#define DRV_STATE d.state

#include "rtl8139_spec_cases.h"
