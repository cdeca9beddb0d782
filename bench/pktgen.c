/* Frame generator and counter for bench/netpath.sh (raw AF_PACKET sockets):
 *   pktgen send IFACE DSTMAC SIZE SECONDS [WARMUP DSTNS DSTIFACE PATHPID [RECVPID [QUEUE]]]
 *       send frames of SIZE bytes for SECONDS (after WARMUP seconds, when
 *       given): as fast as send() takes them, or, with QUEUE > 0, keeping
 *       QUEUE frames waiting in IFACE's transmit queue (a TAP's queue drops
 *       what does not fit instead of blocking the sender, so an unpaced
 *       sender spends its CPU on frames that are dropped)
 *   pktgen recv IFACE SIZE QUIET_SECONDS
 *       count frames of SIZE bytes until QUIET_SECONDS (may be fractional)
 *       of silence
 * Each prints one line: frames, seconds, frames/s, Mbit/s.
 *
 * With the optional arguments the sender also samples counters at the
 * two ends of its SECONDS window (the WARMUP before it is not counted) and
 * prints one more line, "window key=value ...":
 *   taken, qdrop  tx_packets and tx_dropped of IFACE: the frames the path's
 *                 process read from the TAP, and those the TAP's queue
 *                 dropped because it did not read them in time
 *   delivered, rxdrop  rx_packets and rx_dropped of DSTIFACE in network
 *                 namespace DSTNS (a name under /run/netns, or a path): the
 *                 frames the path's process wrote into the receiving TAP
 *   path_cpu      utime+stime of process PATHPID (all its threads), seconds
 *   recv_cpu      the same of process RECVPID (the receiving pktgen), if given
 *   host_*        this machine's CPU time (all CPUs) by kind, seconds
 *   self_cpu      the sender's own user+sys time, seconds
 * Interface counters come from /proc/net/dev of each namespace (the same
 * figures as /sys/class/net/IF/statistics and `ip -s link`).
 * Only used inside the benchmark's own network namespaces. (packet(7)) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

/* ---- counters sampled at the ends of the send window ---- */

typedef struct {
    long long rx_packets, rx_dropped, tx_packets, tx_dropped;
} IfCounters;

typedef struct {
    IfCounters src, dst;
    double path_cpu, recv_cpu, self_cpu;
    double host[4]; /* user+nice, system, irq+softirq, idle+iowait */
} Sample;

/* Whole contents of an open /proc file, from its start, into buf. */
static int read_whole(int fd, char *buf, size_t size)
{
    size_t n = 0;
    if (lseek(fd, 0, SEEK_SET) < 0)
        return -1;
    while (n < size - 1) {
        ssize_t r = read(fd, buf + n, size - 1 - n);
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = 0;
    return 0;
}

/* One interface's line of a /proc/net/dev file: 8 receive fields
 * (bytes packets errs drop fifo frame compressed multicast), then 8
 * transmit fields (bytes packets errs drop ...). */
static int if_counters(int fd, const char *ifname, IfCounters *c)
{
    static char buf[65536];
    if (read_whole(fd, buf, sizeof buf) < 0)
        return -1;
    size_t len = strlen(ifname);
    for (char *p = buf; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        while (*p == ' ')
            p++;
        if (strncmp(p, ifname, len) || p[len] != ':')
            continue;
        long long v[16];
        if (sscanf(p + len + 1, "%lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld %lld", &v[0],
                   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10],
                   &v[11]) != 12)
            return -1;
        c->rx_packets = v[1];
        c->rx_dropped = v[3];
        c->tx_packets = v[9];
        c->tx_dropped = v[11];
        return 0;
    }
    return -1;
}

/* utime+stime of a process (fields 14 and 15 of /proc/PID/stat), seconds */
static double proc_cpu(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int r = read_whole(fd, buf, sizeof buf);
    close(fd);
    char *p = r < 0 ? NULL : strrchr(buf, ')');
    if (!p)
        return -1;
    unsigned long long ut, st;
    /* after ")": state is field 3; skip fields 3-13 */
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static void host_cpu(double out[4])
{
    char buf[4096];
    unsigned long long v[8] = {0};
    int fd = open("/proc/stat", O_RDONLY);
    if (fd >= 0 && read_whole(fd, buf, sizeof buf) == 0)
        sscanf(buf, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5], &v[6]);
    if (fd >= 0)
        close(fd);
    double hz = (double)sysconf(_SC_CLK_TCK);
    out[0] = (double)(v[0] + v[1]) / hz;
    out[1] = (double)v[2] / hz;
    out[2] = (double)(v[5] + v[6]) / hz;
    out[3] = (double)(v[3] + v[4]) / hz;
}

typedef struct {
    int src_dev, dst_dev, path_pid, recv_pid;
    const char *src_if, *dst_if;
} Probe;

static void sample(const Probe *pr, Sample *s)
{
    memset(s, 0, sizeof *s);
    if (if_counters(pr->src_dev, pr->src_if, &s->src) < 0 ||
        if_counters(pr->dst_dev, pr->dst_if, &s->dst) < 0)
        fprintf(stderr, "pktgen: cannot read interface counters\n");
    s->path_cpu = proc_cpu(pr->path_pid);
    s->recv_cpu = pr->recv_pid > 0 ? proc_cpu(pr->recv_pid) : 0;
    host_cpu(s->host);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    s->self_cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                  (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* /proc/net/dev of this namespace and of namespace `ns`: a /proc/self/net
 * file opened while in a namespace keeps showing that namespace. */
static void open_probe(Probe *pr, const char *ns)
{
    char path[512];
    if (strchr(ns, '/'))
        snprintf(path, sizeof path, "%s", ns);
    else
        snprintf(path, sizeof path, "/run/netns/%s", ns);
    pr->src_dev = open("/proc/self/net/dev", O_RDONLY);
    int home = open("/proc/self/ns/net", O_RDONLY);
    int there = open(path, O_RDONLY);
    if (pr->src_dev < 0 || home < 0 || there < 0 || setns(there, CLONE_NEWNET) < 0) {
        fprintf(stderr, "pktgen: namespace %s: %s\n", path, strerror(errno));
        exit(1);
    }
    pr->dst_dev = open("/proc/self/net/dev", O_RDONLY);
    if (pr->dst_dev < 0 || setns(home, CLONE_NEWNET) < 0) {
        fprintf(stderr, "pktgen: namespace %s: %s\n", path, strerror(errno));
        exit(1);
    }
    close(home);
    close(there);
}

int main(int argc, char **argv)
{
    static uint8_t f[2048];
    struct sockaddr_ll sll;
    if ((argc == 6 || (argc >= 10 && argc <= 12)) && !strcmp(argv[1], "send")) {
        int s = open_sock(argv[2], &sll);
        unsigned m[6];
        if (sscanf(argv[3], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
            return 2;
        size_t size = (size_t)atoi(argv[4]);
        double secs = atof(argv[5]);
        if (size < 60 || size > 1514 || secs <= 0)
            return 2;
        double warm = 0;
        long queue = 0;
        Probe pr = {.src_dev = -1};
        if (argc >= 10) {
            warm = atof(argv[6]);
            pr.src_if = argv[2];
            pr.dst_if = argv[8];
            pr.path_pid = atoi(argv[9]);
            pr.recv_pid = argc >= 11 ? atoi(argv[10]) : 0;
            queue = argc == 12 ? atol(argv[11]) : 0;
            open_probe(&pr, argv[7]);
        }
        for (int i = 0; i < 6; i++)
            f[i] = (uint8_t)m[i];
        memset(f + 6, 0x02, 6);
        f[12] = ETHERTYPE_BENCH >> 8;
        f[13] = ETHERTYPE_BENCH & 0xff;
        Sample s0 = {0}, s1;
        double t0 = now(), tw = t0 + warm, tend = tw + secs, t;
        long sent = 0, sent_w = 0;
        long long done = 0; /* frames IFACE's queue has passed on or dropped */
        IfCounters c0 = {0};
        if (queue > 0 && if_counters(pr.src_dev, pr.src_if, &c0) < 0)
            return 1;
        int started = pr.src_dev < 0;
        while ((t = now()) < tend) {
            if (!started && t >= tw) {
                sample(&pr, &s0);
                tw = now();
                tend = tw + secs;
                sent_w = sent;
                started = 1;
            }
            if (queue > 0 && sent - done >= queue) {
                IfCounters c;
                if (if_counters(pr.src_dev, pr.src_if, &c) < 0)
                    return 1;
                done = c.tx_packets + c.tx_dropped - c0.tx_packets - c0.tx_dropped;
                if (sent - done >= queue) {
                    usleep(20);
                    continue;
                }
            }
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
        t = now();
        if (pr.src_dev >= 0)
            sample(&pr, &s1);
        double all = t - t0;
        printf("sent %ld frames of %zu bytes in %.3f s: %.0f frames/s, %.1f Mbit/s\n", sent, size, all,
               sent / all, sent * size * 8 / all / 1e6);
        if (pr.src_dev >= 0)
            printf("window secs=%.4f sent=%ld taken=%lld qdrop=%lld delivered=%lld rxdrop=%lld "
                   "path_cpu=%.3f recv_cpu=%.3f self_cpu=%.3f host_user=%.3f host_sys=%.3f host_irq=%.3f "
                   "host_idle=%.3f ncpu=%ld\n",
                   t - tw, sent - sent_w, s1.src.tx_packets - s0.src.tx_packets,
                   s1.src.tx_dropped - s0.src.tx_dropped, s1.dst.rx_packets - s0.dst.rx_packets,
                   s1.dst.rx_dropped - s0.dst.rx_dropped, s1.path_cpu - s0.path_cpu,
                   s1.recv_cpu - s0.recv_cpu,
                   s1.self_cpu - s0.self_cpu, s1.host[0] - s0.host[0], s1.host[1] - s0.host[1],
                   s1.host[2] - s0.host[2], s1.host[3] - s0.host[3], sysconf(_SC_NPROCESSORS_ONLN));
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "recv")) {
        int s = open_sock(argv[2], &sll);
        size_t size = (size_t)atoi(argv[3]);
        int quiet_ms = (int)(atof(argv[4]) * 1000);
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
    fprintf(stderr, "usage: pktgen send IFACE DSTMAC SIZE SECONDS"
                    " [WARMUP DSTNS DSTIFACE PATHPID [RECVPID [QUEUE]]]\n"
                    "       pktgen recv IFACE SIZE QUIET_SECONDS\n");
    return 2;
}
