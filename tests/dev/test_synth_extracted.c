/* The whole safety path in one binary: the specification `xdrv extract`
 * wrote from recordings of the project's RTL8139 driver
 * (tests/golden/extract/rtl8139.xsm), turned into C by `xdrv synth`
 * ($(BA)/synth/extracted_synth.c, prefix xsx), compiled and run against the
 * RTL8139 model with no driver and no interpreter: init and the binding's
 * packet filter, ten sends byte-exact on the cable, 300 received frames
 * byte-exact through the chip's ring across its wrap. (The extracted init
 * does not poll the reset, which completed at once in every recording: no
 * reset-hang case.) */
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
#define XSX_INTERFACE_ONLY
#include "extracted_synth.c"

#define SPEC_PATH "tests/golden/extract/rtl8139.xsm"
#define SPEC_NO_RESET_POLL
/* what a protocol binding sets first: directed, multicast, broadcast */
#define DRV_AFTER_INIT()                                                                           \
    do {                                                                                           \
        uint64_t fp[SPEC_PARAM_COUNT_] = {[SPEC_PARAM_FILTER] = 0x0b};                             \
        assert_int_equal(xsx_request(&d, SPEC_REQ_SET_FILTER, fp, NULL, 0), REPLAY_OK);            \
    } while (0)
#define DRV_DECL static XsxDriver d
#define DRV_INIT(ops) xsx_init(&d, ops)
#define DRV_REQUEST(req, p, f, n) xsx_request(&d, req, p, f, n)
#define DRV_REASON d.reason
#define DRV_STATE d.state

#include "rtl8139_spec_cases.h"
