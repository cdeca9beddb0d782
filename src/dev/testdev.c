/* The test device (see testdev.h). */
#include "dev/testdev.h"

#include <string.h>

#include "trace/trace.h"

/* Classes follow testdev.h: WRITES counts writes, BUFFER is a data window. */
const RegDesc testdev_regs[] = {
    {TESTDEV_ID, 4, "ID", REG_RO, TESTDEV_ID_VALUE, REG_CLASS_STATUS, 0},
    {TESTDEV_SCRATCH, 4, "SCRATCH", REG_RW, 0, REG_CLASS_CONTROL, 0},
    {TESTDEV_WRITES, 4, "WRITES", REG_RC, 0, REG_CLASS_STATUS, REG_F_COUNTER},
    {TESTDEV_STATUS, 1, "STATUS", REG_W1C, 0x01, REG_CLASS_STATUS, 0},
    {TESTDEV_CONTROL, 1, "CONTROL", REG_RW, 0, REG_CLASS_CONTROL, 0},
    {TESTDEV_COMMAND, 2, "COMMAND", REG_WO, 0, REG_CLASS_CONTROL, 0},
    {TESTDEV_BUFFER, 16, "BUFFER", REG_RW, 0, REG_CLASS_DATA, 0},
};
const unsigned testdev_nregs = sizeof testdev_regs / sizeof testdev_regs[0];

void testdev_reset(TestDev *s)
{
    uint64_t ignored = s->ignored_writes;
    memset(s, 0, sizeof *s);
    s->status = 0x01;
    s->ignored_writes = ignored;
}

static uint32_t part(uint32_t v, uint32_t byte, unsigned size)
{
    v >>= 8 * byte;
    return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static uint32_t testdev_read(void *opaque, uint32_t off, unsigned size)
{
    TestDev *s = opaque;
    const RegDesc *r = reg_find(testdev_regs, testdev_nregs, off, size);
    if (!r || r->access == REG_WO) {
        trace_emitf(TRACE_NOTE, 0, 0, "testdev", "read of unmodelled offset 0x%x/%u", off, size);
        return 0xFFFFFFFFu;
    }
    uint32_t byte = off - r->offset;
    switch (r->offset) {
    case TESTDEV_ID:
        return part(TESTDEV_ID_VALUE, byte, size);
    case TESTDEV_SCRATCH:
        return part(s->scratch, byte, size);
    case TESTDEV_WRITES: {
        uint32_t v = part(s->writes, byte, size);
        s->writes = 0;
        return v;
    }
    case TESTDEV_STATUS:
        return s->status;
    case TESTDEV_CONTROL:
        return s->control;
    case TESTDEV_BUFFER: {
        uint32_t v = 0;
        memcpy(&v, s->buffer + byte, size);
        return v;
    }
    }
    return 0xFFFFFFFFu;
}

static void testdev_write(void *opaque, uint32_t off, unsigned size, uint32_t v)
{
    TestDev *s = opaque;
    const RegDesc *r = reg_find(testdev_regs, testdev_nregs, off, size);
    if (!r || r->access == REG_RO || r->access == REG_RC) {
        s->ignored_writes++;
        trace_emitf(TRACE_NOTE, 0, 0, "testdev", "write 0x%x to %s offset 0x%x/%u ignored", v,
                    r ? "read-only" : "unmodelled", off, size);
        return;
    }
    uint32_t byte = off - r->offset;
    switch (r->offset) {
    case TESTDEV_SCRATCH: {
        uint32_t mask = (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1) << (8 * byte);
        s->scratch = (s->scratch & ~mask) | ((v << (8 * byte)) & mask);
        s->writes++;
        break;
    }
    case TESTDEV_STATUS:
        s->status &= (uint8_t)~v;
        break;
    case TESTDEV_CONTROL:
        s->control = (uint8_t)v;
        break;
    case TESTDEV_COMMAND:
        if (size == 2 && v == 0x1234)
            testdev_reset(s);
        break;
    case TESTDEV_BUFFER:
        memcpy(s->buffer + byte, &v, size);
        break;
    }
}

const DevIoOps testdev_ops = {.read = testdev_read, .write = testdev_write};
