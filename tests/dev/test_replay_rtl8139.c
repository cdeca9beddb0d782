/* Replay with no driver at all (issue 11): the hand-written specification
 * tests/golden/spec/rtl8139.xsm, verified against the RTL8139 model's
 * datasheet facts, run by the interpreter core against the RTL8139 model:
 * it initializes the chip, sends frames that come out on the cable byte for
 * byte, and hands the OS the frames that arrive, through the chip's own
 * receive ring; a chip that never leaves reset makes it fall back. */
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

/* the interpreter core, on the spec it loaded */
#define DRV_DECL static Replay r
#define DRV_INIT(ops) replay_init(&r, spec, ops)
#define DRV_REQUEST(req, p, f, n) replay_request(&r, req, p, f, n)
#define DRV_REASON r.reason
#define DRV_STATE r.state

#include "rtl8139_spec_cases.h"
