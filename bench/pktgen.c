/* Frame generator and counter for bench/netpath.sh (raw AF_PACKET sockets):
 *   pktgen send IFACE DSTMAC SIZE SECONDS send frames of SIZE bytes as fast as possible for SECONDS
 *   pktgen recv IFACE SIZE SECONDS        count frames of SIZE bytes until SECONDS of silence
 * Prints one line: frames, seconds, frames/s, Mbit/s. Only used inside the
 * benchmark's own network namespaces. (packet(7)) */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETHERTYPE_BENCH 0x88B5 /* IEEE 802 local experimental EtherType */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int open_sock(const char *ifname, struct sockaddr_ll *sll)
{
    int s = socket(AF_PACKET, SOCK_RAW, htons(ETHERTYPE_BENCH));
    if (s < 0) {
        perror("pktgen: socket");
        exit(1);
    }
    memset(sll, 0, sizeof *sll);
    sll->sll_family = AF_PACKET;
    sll->sll_protocol = htons(ETHERTYPE_BENCH);
    sll->sll_ifindex = (int)if_nametoindex(ifname);
    if (!sll->sll_ifindex || bind(s, (struct sockaddr *)sll, sizeof *sll) < 0) {
        fprintf(stderr, "pktgen: %s: %s\n", ifname, strerror(errno));
        exit(1);
    }
    return s;
}

int main(int argc, char **argv)
{
    static uint8_t f[2048];
    struct sockaddr_ll sll;
    if (argc == 6 && !strcmp(argv[1], "send")) {
        int s = open_sock(argv[2], &sll);
        unsigned m[6];
        if (sscanf(argv[3], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
            return 2;
        size_t size = (size_t)atoi(argv[4]);
        double secs = atof(argv[5]);
        for (int i = 0; i < 6; i++)
            f[i] = (uint8_t)m[i];
        memset(f + 6, 0x02, 6);
        f[12] = ETHERTYPE_BENCH >> 8;
        f[13] = ETHERTYPE_BENCH & 0xff;
        double t0 = now();
        long sent = 0;
        while (now() - t0 < secs) {
            memcpy(f + 14, &sent, sizeof sent);
            if (send(s, f, size, 0) < 0) {
                if (errno == ENOBUFS || errno == EAGAIN) {
                    usleep(50);
                    continue;
                }
                perror("pktgen: send");
                return 1;
            }
            sent++;
        }
        double t = now() - t0;
        printf("sent %ld frames of %zu bytes in %.3f s: %.0f frames/s, %.1f Mbit/s\n", sent, size, t,
               sent / t, sent * size * 8 / t / 1e6);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "recv")) {
        int s = open_sock(argv[2], &sll);
        size_t size = (size_t)atoi(argv[3]);
        int quiet_ms = atoi(argv[4]) * 1000;
        long n = 0;
        double t0 = 0, t1 = 0;
        struct pollfd p = {.fd = s, .events = POLLIN};
        printf("ready\n");
        fflush(stdout);
        for (;;) {
            int r = poll(&p, 1, n ? quiet_ms : 60000);
            if (r <= 0)
                break;
            ssize_t len = recv(s, f, sizeof f, 0);
            if (len == (ssize_t)size) {
                if (!n)
                    t0 = now();
                t1 = now();
                n++;
            }
        }
        double t = t1 > t0 ? t1 - t0 : 1e-9;
        printf("received %ld frames of %zu bytes in %.3f s: %.0f frames/s, %.1f Mbit/s\n", n, size, t,
               n / t, n * size * 8 / t / 1e6);
        return 0;
    }
    fprintf(stderr, "usage: pktgen send IFACE DSTMAC SIZE SECONDS | recv IFACE SIZE QUIET_SECONDS\n");
    return 2;
}
