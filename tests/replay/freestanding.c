/* The interpreter core linked with nothing but this file: no C library, no
 * start files (gcc -ffreestanding -nostdlib -static). A hand-built
 * specification (no parser: that is host code) drives a fake register
 * file through the ops; the process exits 0 when every check holds.
 * tests/guest/test_replay_freestanding.sh builds and runs it. */
#include "replay/interp.h"

static uint32_t regs[64];
static unsigned reads, stalls, completes;
static uint8_t buf[64];

static uint32_t fake_read(void *o, uint32_t w, uint32_t off, unsigned width)
{
    (void)o;
    (void)w;
    (void)width;
    reads++;
    /* a reset bit that clears on the third read */
    if (off == 0x37 && reads >= 3)
        regs[0x37 / 4] &= ~0x10u;
    return off == 0x37 ? regs[0x37 / 4] : regs[(off / 4) % 64];
}

static void fake_write(void *o, uint32_t w, uint32_t off, unsigned width, uint32_t v)
{
    (void)o;
    (void)w;
    (void)width;
    regs[(off / 4) % 64] = v;
}

static uint64_t fake_addr(void *o, uint32_t b, uint32_t i)
{
    (void)o;
    return 0x1000u + b * 0x100u + i * 0x10u;
}

static uint8_t *fake_ptr(void *o, uint32_t b, uint32_t i)
{
    (void)o;
    (void)b;
    (void)i;
    return buf;
}

static void fake_stall(void *o, uint32_t us)
{
    (void)o;
    (void)us;
    stalls++;
}

static void fake_deliver(void *o, const uint8_t *f, uint32_t n)
{
    (void)o;
    (void)f;
    (void)n;
}

static void fake_complete(void *o)
{
    (void)o;
    completes++;
}

static void fake_link(void *o, int up)
{
    (void)o;
    (void)up;
}

/* init: write CR 0x10; poll CR 0x10 0 max 5 stall 10; write RBSTART addr(rx) + 4
 * send: store rx 0 2 len; complete */
static SpecWindow windows[] = {{.name = "io", .size = 256}};
static SpecReg sregs[] = {
    {.name = "CR", .offset = 0x37, .width = 1, .index_reg = SPEC_NONE, .bank_reg = SPEC_NONE},
    {.name = "RBSTART", .offset = 0x30, .width = 4, .dma = 1, .index_reg = SPEC_NONE,
     .bank_reg = SPEC_NONE},
};
static SpecBuffer buffers[] = {{.name = "rx", .size = 64, .align = 4}};
static SpecState states[] = {{.name = "down"}, {.name = "up"}};
static SpecExpr exprs[] = {
    {.kind = SPEC_E_NUM, .num = 0x10},                          /* 0 */
    {.kind = SPEC_E_ADDR, .a = 0, .b = SPEC_NONE},              /* 1 */
    {.kind = SPEC_E_NUM, .num = 4},                             /* 2 */
    {.kind = SPEC_E_BINARY, .op = '+', .a = 1, .b = 2},         /* 3 */
    {.kind = SPEC_E_NUM, .num = 0},                             /* 4 */
    {.kind = SPEC_E_PARAM, .a = SPEC_PARAM_LEN},                /* 5 */
};
static SpecAction actions[] = {
    {.kind = SPEC_A_WRITE, .reg = 0, .idx = SPEC_NONE, .value = 0},
    {.kind = SPEC_A_POLL, .reg = 0, .idx = SPEC_NONE, .mask = 0x10, .match = 0, .max = 5,
     .stall = 10, .on_timeout = SPEC_TIMEOUT_FALLBACK},
    {.kind = SPEC_A_WRITE, .reg = 1, .idx = SPEC_NONE, .value = 3},
    {.kind = SPEC_A_STORE, .buf = 0, .idx = SPEC_NONE, .offset = 2, .width = 2, .value = 5},
    {.kind = SPEC_A_COMPLETE},
};
static uint32_t list[] = {0, 1, 2, 3, 4};
static SpecTransition transitions[] = {
    {.req = SPEC_REQ_INIT, .from = 0, .to = 1, .guard = SPEC_NONE, .body = {0, 3}},
    {.req = SPEC_REQ_SEND, .from = 1, .to = 1, .guard = SPEC_NONE, .body = {3, 2}},
};
static Spec spec = {.windows = windows,
                    .regs = sregs,
                    .buffers = buffers,
                    .states = states,
                    .transitions = transitions,
                    .actions = actions,
                    .list = list,
                    .exprs = exprs,
                    .nwindows = 1,
                    .nregs = 2,
                    .nbuffers = 1,
                    .nstates = 2,
                    .ntransitions = 2,
                    .nactions = 5,
                    .nlist = 5,
                    .nexprs = 6};

static int check(void)
{
    static const ReplayOps ops = {.reg_read = fake_read,
                                  .reg_write = fake_write,
                                  .buf_addr = fake_addr,
                                  .buf_ptr = fake_ptr,
                                  .stall = fake_stall,
                                  .deliver = fake_deliver,
                                  .complete = fake_complete,
                                  .link = fake_link};
    static Replay r;
    if (replay_init(&r, &spec, &ops) != REPLAY_OK)
        return 1;
    if (replay_request(&r, SPEC_REQ_SEND, 0, 0, 0) != REPLAY_UNHANDLED)
        return 2; /* not in state down */
    if (replay_request(&r, SPEC_REQ_INIT, 0, 0, 0) != REPLAY_OK || r.state != 1)
        return 3;
    if (reads != 3 || stalls != 2)
        return 4; /* the poll read until the bit cleared */
    if (regs[0x30 / 4] != 0x1004)
        return 5; /* addr(rx) + 4 */
    uint64_t params[SPEC_PARAM_COUNT_] = {[SPEC_PARAM_LEN] = 0x1234};
    if (replay_request(&r, SPEC_REQ_SEND, params, buf, 0) != REPLAY_OK || completes != 1)
        return 6;
    if (buf[4] != 0x34 || buf[5] != 0x12)
        return 7; /* the 2-byte store, little-endian */
    return 0;
}

#if defined(__x86_64__)
/* exit(2) without a C library */
__attribute__((noreturn)) void _start(void)
{
    long code = check();
    __asm__ volatile("syscall" : : "a"(60), "D"(code) : "rcx", "r11", "memory");
    for (;;)
        ;
}
#endif
