/* Ethernet arithmetic every NIC model needs: the frame check sequence and
 * the multicast hash index of the 802.3 CRC-32. */
#ifndef XDRV_DEV_ETH_H
#define XDRV_DEV_ETH_H

#include <stddef.h>
#include <stdint.h>

/* IEEE 802.3 clause 3.2.9 FCS: CRC-32 (04C11DB7h) in its reflected form,
 * preset all ones, result complemented; sent least significant byte first. */
uint32_t eth_fcs(const uint8_t *data, size_t len);
/* The 6 most significant bits of the CRC-32 a NIC computes over a
 * destination address (bits in wire order, preset all ones, not
 * complemented): the index into a 64-bit multicast filter as the RTL8139
 * (MAR, datasheet 6.8) and the DP8390 (MAR0-7) use it. The Am79C970A's
 * logical address filter uses the same CRC, bit-reversed in the index. */
unsigned eth_mc_hash6(const uint8_t addr[6]);

#endif
