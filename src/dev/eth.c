/* Ethernet FCS and multicast hash (see eth.h). */
#include "dev/eth.h"

uint32_t eth_fcs(const uint8_t *data, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= data[i];
        for (unsigned b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
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
