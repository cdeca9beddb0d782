/* bench/crcbench: the cost of the Ethernet FCS every NIC model computes per
 * frame (src/dev/eth.c, table-driven), side by side in one run with the
 * bit-serial definition it replaced, for 64- and 1514-byte frames: ns per
 * frame as min/median/max of REPEATS runs, and the ratio of the medians. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev/eth.h"

#define REPEATS 9

static uint32_t fcs_bitwise(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (unsigned b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static volatile uint32_t sink;

/* ns per frame over `iters` frames, REPEATS times, sorted */
static void measure(uint32_t (*fn)(const uint8_t *, size_t), const uint8_t *buf, size_t len,
                    unsigned iters, double out[REPEATS])
{
    for (unsigned r = 0; r < REPEATS; r++) {
        double t0 = now_ns();
        uint32_t acc = 0;
        for (unsigned i = 0; i < iters; i++)
            acc ^= fn(buf, len);
        sink = acc;
        out[r] = (now_ns() - t0) / iters;
    }
    qsort(out, REPEATS, sizeof out[0], cmp);
}

int main(void)
{
    static uint8_t buf[1514];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    if (eth_fcs(buf, sizeof buf) != fcs_bitwise(buf, sizeof buf)) {
        fprintf(stderr, "crcbench: eth_fcs disagrees with the bit-serial CRC\n");
        return 1;
    }
    printf("%-6s %-22s %-28s %-28s %s\n", "frame", "", "eth_fcs (table) ns", "bit-serial ns",
           "ratio (medians)");
    static const size_t sizes[] = {64, 1514};
    for (unsigned k = 0; k < 2; k++) {
        size_t len = sizes[k];
        unsigned iters = len > 100 ? 20000 : 200000;
        double t[REPEATS], b[REPEATS];
        measure(eth_fcs, buf, len, iters * 10, t);
        measure(fcs_bitwise, buf, len, iters, b);
        printf("%-6zu min/median/max         %7.1f %7.1f %7.1f      %8.1f %8.1f %8.1f   %.3f\n",
               len, t[0], t[REPEATS / 2], t[REPEATS - 1], b[0], b[REPEATS / 2], b[REPEATS - 1],
               t[REPEATS / 2] / b[REPEATS / 2]);
    }
    return 0;
}
