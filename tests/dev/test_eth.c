/* The Ethernet arithmetic every NIC model shares (src/dev/eth.c): the
 * table-driven FCS against the bit-serial definition of IEEE 802.3 clause
 * 3.2.9 on lengths 0..2048 and every alignment, plus the standard check
 * value, and the multicast hash on known addresses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "dev/eth.h"

/* The definition, one bit at a time (reflected CRC-32, preset all ones,
 * complemented). */
static uint32_t fcs_bitwise(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (unsigned b = 0; b < 8; b++)
            crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

static void test_fcs_check_value(void **st)
{
    (void)st;
    /* the CRC-32 check value of "123456789" */
    assert_int_equal(eth_fcs((const uint8_t *)"123456789", 9), 0xCBF43926u);
    assert_int_equal(eth_fcs(NULL, 0), 0);
}

static void test_fcs_matches_bitwise_definition(void **st)
{
    (void)st;
    static uint8_t buf[2048 + 8];
    uint32_t x = 0x12345678u;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    for (size_t off = 0; off < 8; off++)
        for (size_t len = 0; len <= 2048; len += (len < 64 ? 1 : 61))
            assert_int_equal(eth_fcs(buf + off, len), fcs_bitwise(buf + off, len));
    assert_int_equal(eth_fcs(buf, 1514), fcs_bitwise(buf, 1514));
}

static void test_fcs_of_frame_with_fcs_is_residue(void **st)
{
    (void)st;
    /* a frame followed by its FCS (least significant byte first) always
     * leaves the 802.3 residue C704DD7Bh in the register, DEBB20E3h in this
     * reflected form, before the final complement */
    uint8_t f[64];
    for (unsigned i = 0; i < 60; i++)
        f[i] = (uint8_t)(i * 7 + 1);
    uint32_t c = eth_fcs(f, 60);
    for (unsigned i = 0; i < 4; i++)
        f[60 + i] = (uint8_t)(c >> (8 * i));
    assert_int_equal(~eth_fcs(f, 64), 0xDEBB20E3u);
}

static void test_mc_hash_known_addresses(void **st)
{
    (void)st;
    /* the all-hosts group 01:00:5e:00:00:01 and broadcast, computed from the
     * definition once and kept: a change of eth_mc_hash6 shows here */
    static const uint8_t allhosts[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    unsigned a = eth_mc_hash6(allhosts), b = eth_mc_hash6(bcast);
    assert_true(a < 64 && b < 64);
    /* the hash is the top 6 bits of the non-complemented MSB-first CRC; for
     * broadcast that is 63 (well known from DP8390 drivers: MAR7 bit 7) */
    assert_int_equal(b, 63);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fcs_check_value),
        cmocka_unit_test(test_fcs_matches_bitwise_definition),
        cmocka_unit_test(test_fcs_of_frame_with_fcs_is_residue),
        cmocka_unit_test(test_mc_hash_known_addresses),
    };
    return cmocka_run_group_tests_name("ethernet fcs and hash", tests, NULL, NULL);
}
