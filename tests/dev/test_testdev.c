/* Register-level tests of the bus and the test device, no guest CPU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dev/bus.h"
#include "dev/testdev.h"

#define BASE 0x300

static Bus bus;
static TestDev dev;

static int setup(void **st)
{
    bus_init(&bus);
    testdev_reset(&dev);
    return bus_add_ports(&bus, BASE, TESTDEV_SIZE, &testdev_ops, &dev, "testdev");
}

static uint32_t rd(uint32_t off, unsigned size) { return bus_port_read(&bus, (uint16_t)(BASE + off), size); }
static void wr(uint32_t off, unsigned size, uint32_t v) { bus_port_write(&bus, (uint16_t)(BASE + off), size, v); }

static void test_reset_values_follow_the_table(void **st)
{
    for (unsigned i = 0; i < testdev_nregs; i++) {
        const RegDesc *r = &testdev_regs[i];
        if (r->access == REG_WO || r->width > 4)
            continue;
        assert_int_equal(rd(r->offset, r->width), r->reset);
    }
}

static void test_read_only_ignores_writes(void **st)
{
    wr(TESTDEV_ID, 4, 0);
    assert_int_equal(rd(TESTDEV_ID, 4), TESTDEV_ID_VALUE);
    assert_int_equal(rd(TESTDEV_ID + 1, 1), 0x44); /* 'D' */
    assert_int_equal(dev.ignored_writes, 1);
}

static void test_scratch_partial_writes(void **st)
{
    wr(TESTDEV_SCRATCH, 4, 0x11223344);
    wr(TESTDEV_SCRATCH + 2, 1, 0xAA);
    assert_int_equal(rd(TESTDEV_SCRATCH, 4), 0x11AA3344);
    assert_int_equal(rd(TESTDEV_SCRATCH + 2, 2), 0x11AA);
}

static void test_read_clears(void **st)
{
    wr(TESTDEV_SCRATCH, 4, 1);
    wr(TESTDEV_SCRATCH, 4, 2);
    assert_int_equal(rd(TESTDEV_WRITES, 4), 2);
    assert_int_equal(rd(TESTDEV_WRITES, 4), 0);
}

static void test_write_one_to_clear(void **st)
{
    wr(TESTDEV_STATUS, 1, 0x00);
    assert_int_equal(rd(TESTDEV_STATUS, 1), 0x01);
    wr(TESTDEV_STATUS, 1, 0x01);
    assert_int_equal(rd(TESTDEV_STATUS, 1), 0x00);
}

static void test_write_only_reads_all_ones_and_resets(void **st)
{
    wr(TESTDEV_CONTROL, 1, 0x5A);
    assert_int_equal(rd(TESTDEV_COMMAND, 2), 0xFFFF);
    wr(TESTDEV_COMMAND, 2, 0x1234);
    assert_int_equal(rd(TESTDEV_CONTROL, 1), 0);
    assert_int_equal(rd(TESTDEV_STATUS, 1), 0x01);
}

static void test_unclaimed_port_reads_all_ones(void **st)
{
    assert_int_equal(bus_port_read(&bus, 0x80, 1), 0xFF);
    assert_int_equal(bus_port_read(&bus, 0x80, 4), 0xFFFFFFFFu);
    bus_port_write(&bus, 0x80, 1, 0);
    assert_int_equal(bus.unclaimed, 3);
    /* an access straddling the end of the device is unclaimed too */
    assert_int_equal(bus_port_read(&bus, BASE + TESTDEV_SIZE - 2, 4), 0xFFFFFFFFu);
}

static void test_overlapping_claims_are_refused(void **st)
{
    assert_int_equal(bus_add_ports(&bus, BASE + 4, 4, &testdev_ops, &dev, "dup"), -1);
    assert_int_equal(bus_add_ports(&bus, 0xFFFF, 2, &testdev_ops, &dev, "wrap"), -1);
}

static void test_buffer_any_width(void **st)
{
    wr(TESTDEV_BUFFER, 4, 0x03020100);
    wr(TESTDEV_BUFFER + 4, 2, 0x0504);
    assert_int_equal(rd(TESTDEV_BUFFER + 1, 4), 0x04030201);
    assert_int_equal(rd(TESTDEV_BUFFER + 5, 1), 0x05);
}

static void test_register_classes(void **st)
{
    for (unsigned i = 0; i < testdev_nregs; i++) {
        const RegDesc *r = &testdev_regs[i];
        assert_int_not_equal(r->cls, REG_CLASS_NONE);
        assert_false((r->flags & REG_F_COUNTER) && r->cls == REG_CLASS_CONTROL);
    }
    const RegDesc *w = reg_find(testdev_regs, testdev_nregs, TESTDEV_WRITES, 4);
    assert_int_equal(w->cls, REG_CLASS_STATUS);
    assert_int_equal(w->flags, REG_F_COUNTER);
    const RegDesc *b = reg_find(testdev_regs, testdev_nregs, TESTDEV_BUFFER, 4);
    assert_int_equal(b->cls, REG_CLASS_DATA);
    const RegDesc *c = reg_find(testdev_regs, testdev_nregs, TESTDEV_CONTROL, 1);
    assert_int_equal(c->cls, REG_CLASS_CONTROL);
    assert_int_equal(c->flags, 0);
}

static void test_reg_class_names(void **st)
{
    assert_string_equal(reg_class_name(REG_CLASS_NONE), "none");
    assert_string_equal(reg_class_name(REG_CLASS_CONTROL), "control");
    assert_string_equal(reg_class_name(REG_CLASS_STATUS), "status");
    assert_string_equal(reg_class_name(REG_CLASS_DATA), "data");
    assert_string_equal(reg_class_name(REG_CLASS_CS), "control+status");
    assert_string_equal(reg_class_name((RegClass)(REG_CLASS_CS + 1)), "?");
    assert_string_equal(reg_class_name((RegClass)-1), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reset_values_follow_the_table, setup),
        cmocka_unit_test_setup(test_read_only_ignores_writes, setup),
        cmocka_unit_test_setup(test_scratch_partial_writes, setup),
        cmocka_unit_test_setup(test_read_clears, setup),
        cmocka_unit_test_setup(test_write_one_to_clear, setup),
        cmocka_unit_test_setup(test_write_only_reads_all_ones_and_resets, setup),
        cmocka_unit_test_setup(test_unclaimed_port_reads_all_ones, setup),
        cmocka_unit_test_setup(test_overlapping_claims_are_refused, setup),
        cmocka_unit_test_setup(test_buffer_any_width, setup),
        cmocka_unit_test(test_register_classes),
        cmocka_unit_test(test_reg_class_names),
    };
    return cmocka_run_group_tests_name("testdev", tests, NULL, NULL);
}
