/* Ethernet FCS and multicast hash (see eth.h). */
#include "dev/eth.h"

/* Table-driven CRC-32, eight bytes a step ("slicing by 8"): t[0] is the
 * byte-at-a-time table of the reflected polynomial; t[k][b] is t[0][b]
 * carried through k more zero bytes, so eight independent lookups advance
 * eight bytes. Bit-identical to the bit-serial definition
 * (tests/dev/test_eth.c); bench/crcbench measures both. */
static uint32_t crc_table[8][256];
static int crc_ready;

static void crc_init(void)
{
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t c = b;
        for (unsigned k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        crc_table[0][b] = c;
    }
    for (uint32_t b = 0; b < 256; b++)
        for (unsigned k = 1; k < 8; k++)
            crc_table[k][b] =
                (crc_table[k - 1][b] >> 8) ^ crc_table[0][crc_table[k - 1][b] & 0xFFu];
    crc_ready = 1;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t eth_fcs(const uint8_t *data, size_t len)
{
    if (!crc_ready)
        crc_init();
    uint32_t crc = 0xFFFFFFFFu;
    for (; len >= 8; data += 8, len -= 8) {
        uint32_t lo = le32(data) ^ crc, hi = le32(data + 4);
        crc = crc_table[7][lo & 0xFFu] ^ crc_table[6][(lo >> 8) & 0xFFu] ^
              crc_table[5][(lo >> 16) & 0xFFu] ^ crc_table[4][lo >> 24] ^
              crc_table[3][hi & 0xFFu] ^ crc_table[2][(hi >> 8) & 0xFFu] ^
              crc_table[1][(hi >> 16) & 0xFFu] ^ crc_table[0][hi >> 24];
    }
    while (len--)
        crc = (crc >> 8) ^ crc_table[0][(crc ^ *data++) & 0xFFu];
    return ~crc;
}

unsigned eth_mc_hash6(const uint8_t addr[6])
{
    /* MSB-first shift register; address bytes enter least significant bit
     * first, as they go on the wire */
    uint32_t crc = 0xFFFFFFFFu;
    for (unsigned n = 0; n < 48; n++) {
        uint32_t in = (addr[n / 8] >> (n % 8)) & 1u;
        uint32_t top = crc >> 31;
        crc <<= 1;
        if (top ^ in)
            crc ^= 0x04C11DB7u;
    }
    return crc >> 26;
}
