/* 93C46 Microwire protocol at the pin level (no CPU). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dev/eeprom93c46.h"

static Eeprom93c46 ee;

static int setup(void **st)
{
    uint16_t img[EEPROM93C46_WORDS];
    for (unsigned i = 0; i < EEPROM93C46_WORDS; i++)
        img[i] = (uint16_t)(0x1000 + i);
    img[0] = 0x8129;
    eeprom93c46_init(&ee, img);
    return 0;
}

static void select_chip(void)
{
    eeprom93c46_set_pins(&ee, 1, 0, 0);
}

static void deselect_chip(void)
{
    eeprom93c46_set_pins(&ee, 0, 0, 0);
}

/* One SK pulse with DI = bit; DO as sampled after the rising edge. */
static int clock_bit(int bit)
{
    eeprom93c46_set_pins(&ee, 1, 0, bit);
    eeprom93c46_set_pins(&ee, 1, 1, bit);
    int d = eeprom93c46_get_do(&ee);
    eeprom93c46_set_pins(&ee, 1, 0, bit);
    return d;
}

static void send(uint32_t bits, unsigned n)
{
    while (n--)
        clock_bit((bits >> n) & 1);
}

static uint16_t recv16(void)
{
    uint16_t v = 0;
    for (unsigned i = 0; i < 16; i++)
        v = (uint16_t)(v << 1 | clock_bit(0));
    return v;
}

static uint16_t read_word(unsigned addr)
{
    select_chip();
    send(0x6u << 6 | addr, 9); /* start 1, READ 10, A5..A0 */
    uint16_t v = recv16();
    deselect_chip();
    return v;
}

static void command(uint32_t bits, unsigned n)
{
    select_chip();
    send(bits, n);
    deselect_chip();
}

#define EWEN() command(0x130, 9) /* 1 00 11xxxx */
#define EWDS() command(0x100, 9) /* 1 00 00xxxx */

static void test_read_words(void **st)
{
    assert_int_equal(read_word(0), 0x8129);
    assert_int_equal(read_word(7), 0x1007);
    assert_int_equal(read_word(63), 0x103F);
}

static void test_dummy_zero_follows_the_address(void **st)
{
    select_chip();
    /* DO is high-Z (reads 1) while the instruction is shifted in */
    assert_int_equal(clock_bit(1), 1);
    assert_int_equal(clock_bit(1), 1);
    assert_int_equal(clock_bit(0), 1);
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(clock_bit(0), 1);
    /* the last address bit brings the dummy 0 */
    assert_int_equal(clock_bit(1), 0);
    assert_int_equal(recv16(), 0x1001);
    deselect_chip();
}

static void test_leading_zeros_before_start_bit_ignored(void **st)
{
    select_chip();
    send(0, 3);
    send(0x6u << 6 | 9, 9);
    assert_int_equal(recv16(), 0x1009);
    deselect_chip();
}

static void test_sequential_read_continues_to_next_word(void **st)
{
    select_chip();
    send(0x6u << 6 | 63, 9);
    assert_int_equal(recv16(), 0x103F);
    assert_int_equal(recv16(), 0x8129); /* wraps to word 0 */
    assert_int_equal(recv16(), 0x1001);
    deselect_chip();
}

static void test_eight_bit_address_probe_reads_shifted_data(void **st)
{
    /* A driver probing for a 93C56 sends 8 address bits: a 93C46 answers
     * after 6, so the word arrives shifted and does not read 8129h. */
    select_chip();
    send(0x6u << 8 | 0, 11);
    uint16_t v = recv16();
    deselect_chip();
    assert_int_not_equal(v, 0x8129);
    assert_int_equal(v, (uint16_t)(0x8129 << 2 | 0x1001 >> 14));
}

static void test_cs_low_resets_the_state_machine(void **st)
{
    select_chip();
    send(0x6u << 6 | 5, 9);
    clock_bit(0);
    clock_bit(0);
    deselect_chip();
    assert_int_equal(eeprom93c46_get_do(&ee), 1);
    assert_int_equal(read_word(5), 0x1005);
}

static void test_write_needs_ewen(void **st)
{
    command((0x5u << 6 | 3) << 16 | 0xBEEF, 25); /* 1 01 A, D15..D0 */
    assert_int_equal(read_word(3), 0x1003);
    EWEN();
    command((0x5u << 6 | 3) << 16 | 0xBEEF, 25);
    assert_int_equal(read_word(3), 0xBEEF);
    assert_int_equal(ee.programs, 1);
    EWDS();
    command((0x5u << 6 | 3) << 16 | 0x1234, 25);
    assert_int_equal(read_word(3), 0xBEEF);
}

static void test_write_starts_only_when_cs_falls_after_all_bits(void **st)
{
    EWEN();
    select_chip();
    send(0x5u << 6 | 4, 9);
    send(0xAB, 8); /* only half the data */
    deselect_chip();
    assert_int_equal(read_word(4), 0x1004);
}

static void test_ready_status_after_programming(void **st)
{
    EWEN();
    command((0x5u << 6 | 2) << 16 | 0x5555, 25);
    select_chip();
    assert_int_equal(eeprom93c46_get_do(&ee), 1); /* READY */
    send(0x6u << 6 | 2, 9);
    assert_int_equal(recv16(), 0x5555);
    deselect_chip();
}

static void test_erase_eral_wral(void **st)
{
    EWEN();
    command(0x7u << 6 | 10, 9); /* ERASE word 10 */
    assert_int_equal(read_word(10), 0xFFFF);
    assert_int_equal(read_word(11), 0x100B);
    command((0x4u << 6 | 0x10) << 16 | 0x0A0A, 25); /* WRAL */
    for (unsigned i = 0; i < EEPROM93C46_WORDS; i++)
        assert_int_equal(read_word(i), 0x0A0A);
    command(0x4u << 6 | 0x20, 9); /* ERAL */
    for (unsigned i = 0; i < EEPROM93C46_WORDS; i++)
        assert_int_equal(read_word(i), 0xFFFF);
}

static void test_power_on_is_write_disabled(void **st)
{
    command(0x4u << 6 | 0x20, 9); /* ERAL without EWEN */
    assert_int_equal(read_word(0), 0x8129);
    assert_int_equal(ee.programs, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_read_words, setup),
        cmocka_unit_test_setup(test_dummy_zero_follows_the_address, setup),
        cmocka_unit_test_setup(test_leading_zeros_before_start_bit_ignored, setup),
        cmocka_unit_test_setup(test_sequential_read_continues_to_next_word, setup),
        cmocka_unit_test_setup(test_eight_bit_address_probe_reads_shifted_data, setup),
        cmocka_unit_test_setup(test_cs_low_resets_the_state_machine, setup),
        cmocka_unit_test_setup(test_write_needs_ewen, setup),
        cmocka_unit_test_setup(test_write_starts_only_when_cs_falls_after_all_bits, setup),
        cmocka_unit_test_setup(test_ready_status_after_programming, setup),
        cmocka_unit_test_setup(test_erase_eral_wral, setup),
        cmocka_unit_test_setup(test_power_on_is_write_disabled, setup),
    };
    return cmocka_run_group_tests_name("eeprom93c46", tests, NULL, NULL);
}
