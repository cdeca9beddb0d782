/* TAP backends on real Linux TAP interfaces. Each test runs in a forked
 * child that first moves into its own network and mount namespaces
 * (unshare(2) CLONE_NEWNET | CLONE_NEWNS), so every interface, frame and
 * mount lives and dies with the child; the host's network is never touched.
 * Needs root and /dev/net/tun; skips visibly otherwise.
 *
 * Inside the child, checks report with CHECK (cmocka's asserts cannot cross
 * the fork); the parent asserts on the child's exit status. Link state is
 * read the way `ip link` reads it: ifi_flags from RTM_GETLINK, rtnetlink(7)
 * (IFF_LOWER_UP = carrier; NO-CARRIER = IFF_UP without IFF_RUNNING), and
 * cross-checked with sysfs (Documentation/ABI/testing/sysfs-class-net). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/net.h"
#include "host/net_impl.h"
#include "trace/trace.h"

#define SKIP_EXIT 77
/* include/uapi/linux/if.h; glibc's <net/if.h> stops before it */
#define LOWER_UP (1L << 16)
#define NOBODY 65534
#define ETH_P_LOCAL_EXP 0x88b5 /* IEEE 802 local experimental EtherType 1 */

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c);                  \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

/* ---- namespace plumbing ---- */

static int in_child_ns(void)
{
    if (unshare(CLONE_NEWNET | CLONE_NEWNS) < 0) {
        fprintf(stderr, "SKIP: cannot create a network namespace: %s\n", strerror(errno));
        return -1;
    }
    /* private mounts: nothing we mount propagates to the host */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
        mount("sysfs", "/sys", "sysfs", 0, NULL) < 0) {
        fprintf(stderr, "SKIP: cannot set up a private /sys: %s\n", strerror(errno));
        return -1;
    }
    /* quiet link: no IPv6 router solicitations or MLD on our interfaces */
    int fd = open("/proc/sys/net/ipv6/conf/default/disable_ipv6", O_WRONLY);
    if (fd >= 0) {
        (void)!write(fd, "1", 1);
        close(fd);
    }
    return 0;
}

/* Runs fn in a child in fresh namespaces; cmocka-asserts it passed. */
static void run_isolated(int (*fn)(void))
{
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0) {
        printf("SKIP: needs root and /dev/net/tun\n");
        skip();
    }
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(in_child_ns() < 0 ? SKIP_EXIT : fn());
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    if (WEXITSTATUS(status) == SKIP_EXIT)
        skip();
    assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- link state, as ip(8) sees it ---- */

/* ifi_flags of NAME from RTM_GETLINK (includes IFF_LOWER_UP, which
 * SIOCGIFFLAGS cannot report); -1 if there is no such link. */
static long link_flags(const char *name)
{
    unsigned idx = if_nametoindex(name);
    if (!idx)
        return -1;
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    struct {
        struct nlmsghdr h;
        struct ifinfomsg i;
    } req = {
        .h = {.nlmsg_len = sizeof req, .nlmsg_type = RTM_GETLINK, .nlmsg_flags = NLM_F_REQUEST},
        .i = {.ifi_family = AF_UNSPEC, .ifi_index = (int)idx}};
    long flags = -1;
    if (send(s, &req, sizeof req, 0) == (ssize_t)sizeof req) {
        static char buf[16384];
        ssize_t n = recv(s, buf, sizeof buf, 0);
        struct nlmsghdr *h = (struct nlmsghdr *)buf;
        if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct ifinfomsg)) && h->nlmsg_type == RTM_NEWLINK)
            flags = ((struct ifinfomsg *)NLMSG_DATA(h))->ifi_flags;
    }
    close(s);
    return flags;
}

static int sysfs_carrier(const char *name)
{
    char path[128], c = '?';
    snprintf(path, sizeof path, "/sys/class/net/%s/carrier", name);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    /* reading carrier of a down interface fails with EINVAL */
    int ok = read(fd, &c, 1) == 1;
    close(fd);
    return ok ? c - '0' : -1;
}

/* "carrier on": LOWER_UP and RUNNING; "off": neither (ip link: NO-CARRIER) */
static int carrier_is(const char *name, int on)
{
    long f = link_flags(name);
    if (f < 0 || !(f & IFF_UP))
        return 0;
    int lower = !!(f & LOWER_UP), running = !!(f & IFF_RUNNING);
    return lower == on && running == on && sysfs_carrier(name) == on;
}

static int set_up(const char *name, int mtu)
{
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    ifr.ifr_flags |= IFF_UP;
    rc |= ioctl(s, SIOCSIFFLAGS, &ifr);
    if (mtu) {
        ifr.ifr_mtu = mtu;
        rc |= ioctl(s, SIOCSIFMTU, &ifr);
    }
    close(s);
    return rc;
}

/* ---- frames through AF_PACKET, packet(7) ---- */

static void make_frame(uint8_t *f, size_t len, uint8_t seq)
{
    static const uint8_t hdr[12] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 7};
    memcpy(f, hdr, 12);
    f[12] = ETH_P_LOCAL_EXP >> 8, f[13] = ETH_P_LOCAL_EXP & 0xff;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(seq + i);
}

static int packet_socket(const char *name)
{
    int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_LOCAL_EXP));
    struct sockaddr_ll a = {.sll_family = AF_PACKET,
                            .sll_protocol = htons(ETH_P_LOCAL_EXP),
                            .sll_ifindex = (int)if_nametoindex(name)};
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0)
        return -1;
    return s;
}

/* The next incoming frame of our EtherType on s within 2 s: its length. */
static ssize_t packet_recv(int s, uint8_t *buf, size_t cap)
{
    for (;;) {
        struct pollfd p = {.fd = s, .events = POLLIN};
        if (poll(&p, 1, 2000) != 1)
            return -1;
        struct sockaddr_ll from;
        socklen_t fl = sizeof from;
        ssize_t n = recvfrom(s, buf, cap, 0, (struct sockaddr *)&from, &fl);
        if (n < 0 || from.sll_pkttype != PACKET_OUTGOING)
            return n;
    }
}

/* The next frame of our EtherType from b within 2 s (other traffic the
 * stack may send is skipped). */
static ssize_t backend_recv(NetBackend *b, const uint8_t **r)
{
    for (int i = 0; i < 200; i++) {
        ssize_t n = net_recv(b, r);
        if (n < 0)
            return n;
        if (n >= 14 && (*r)[12] == (ETH_P_LOCAL_EXP >> 8) && (*r)[13] == (ETH_P_LOCAL_EXP & 0xff))
            return n;
        if (n == 0) {
            struct pollfd p = {.fd = net_fd(b), .events = POLLIN};
            poll(&p, 1, 10);
        }
    }
    return 0;
}

/* ---- the tests ---- */

/* The netdev side: created without carrier; the carrier follows
 * net_set_carrier and `ip link` shows NO-CARRIER / LOWER_UP. */
static int carrier_follows(void)
{
    char err[NET_ERR_MAX];
    NetBackend *b = net_open("tap,ifname=xt0", NET_OPEN_CARRIER_OFF, err, sizeof err);
    if (!b)
        fprintf(stderr, "%s\n", err);
    CHECK(b);
    CHECK(net_kind(b) == NET_KIND_TAP);
    CHECK(!strcmp(net_name(b), "tap:xt0"));
    CHECK(if_nametoindex("xt0") != 0);
    CHECK(carrier_is("xt0", 0)); /* up, NO-CARRIER */
    CHECK(net_carrier(b) == 0);
    CHECK(net_set_carrier(b, 1) == 0);
    CHECK(carrier_is("xt0", 1)); /* LOWER_UP */
    CHECK(net_carrier(b) == 1);
    CHECK(net_set_carrier(b, 0) == 0);
    CHECK(carrier_is("xt0", 0));
    net_close(b);
    /* not persistent: it went away with us */
    CHECK(if_nametoindex("xt0") == 0);

    /* without the flag (the wire side) the carrier starts on */
    b = net_open("tap,ifname=xt1", 0, err, sizeof err);
    CHECK(b);
    CHECK(carrier_is("xt1", 1));
    net_close(b);
    return 0;
}

static void test_carrier_follows(void **st)
{
    run_isolated(carrier_follows);
}

/* Kernels without TUNSETCARRIER: the carrier is shown through IFF_UP. */
static int carrier_fallback(void)
{
    net_tap_force_no_tunsetcarrier(1);
    NetBackend *b = net_open("tap,ifname=xt0", NET_OPEN_CARRIER_OFF, NULL, 0);
    CHECK(b);
    CHECK(!(link_flags("xt0") & IFF_UP));
    CHECK(net_set_carrier(b, 1) == 0);
    CHECK(carrier_is("xt0", 1));
    CHECK(net_set_carrier(b, 0) == 0);
    CHECK(!(link_flags("xt0") & IFF_UP));
    net_close(b);
    net_tap_force_no_tunsetcarrier(0);
    return 0;
}

static void test_carrier_fallback(void **st)
{
    run_isolated(carrier_fallback);
}

/* The netdev takes the MAC the driver reports. */
static int mac_address(void)
{
    char err[NET_ERR_MAX];
    NetBackend *b = net_open("tap,ifname=xt0", 0, err, sizeof err);
    CHECK(b);
    uint8_t mac[6], want[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};
    CHECK(net_get_mac(b, mac) == 0);
    CHECK(!(mac[0] & 1));
    CHECK(net_set_mac(b, want, err, sizeof err) == 0);
    CHECK(net_get_mac(b, mac) == 0);
    CHECK(!memcmp(mac, want, 6));
    /* and the interface really has it */
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "xt0");
    CHECK(ioctl(s, SIOCGIFHWADDR, &ifr) == 0);
    CHECK(!memcmp(ifr.ifr_hwaddr.sa_data, want, 6));
    close(s);
    uint8_t zero[6] = {0};
    CHECK(net_set_mac(b, zero, err, sizeof err) == -1);
    CHECK(!strcmp(err, "tap: cannot set the MAC address of xt0: Cannot assign requested address"));
    net_close(b);
    return 0;
}

static void test_mac_address(void **st)
{
    run_isolated(mac_address);
}

/* Frames both ways between a TAP backend and the stack, plus the MTU rule:
 * a jumbo frame the stack sends is dropped and counted, the next one is
 * delivered. */
static int frames_both_ways(void)
{
    char err[NET_ERR_MAX];
    NetBackend *b = net_open("tap,ifname=xt0", 0, err, sizeof err);
    CHECK(b);
    int ps = packet_socket("xt0");
    CHECK(ps >= 0);
    uint8_t f[9014], g[9014];
    const uint8_t *r;

    /* xdrv -> host: what net_send writes arrives on the interface */
    static const size_t lens[] = {14, 60, 1514};
    for (size_t i = 0; i < 3; i++) {
        make_frame(f, lens[i], (uint8_t)i);
        CHECK(net_send(b, f, lens[i]) == 0);
        CHECK(packet_recv(ps, g, sizeof g) == (ssize_t)lens[i]);
        CHECK(!memcmp(f, g, lens[i]));
    }
    make_frame(f, 1515, 0);
    CHECK(net_send(b, f, 1515) == -1);
    CHECK(net_stats(b)->drops_out_size == 1);

    /* host -> xdrv */
    struct sockaddr_ll to = {
        .sll_family = AF_PACKET, .sll_ifindex = (int)if_nametoindex("xt0"), .sll_halen = 6};
    memset(to.sll_addr, 0xff, 6);
    make_frame(f, 1000, 9);
    CHECK(sendto(ps, f, 1000, 0, (struct sockaddr *)&to, sizeof to) == 1000);
    CHECK(backend_recv(b, &r) == 1000);
    CHECK(!memcmp(r, f, 1000));

    /* someone raised the MTU behind our back */
    CHECK(set_up("xt0", 9000) == 0);
    make_frame(f, 9014, 1);
    CHECK(sendto(ps, f, 9014, 0, (struct sockaddr *)&to, sizeof to) == 9014);
    make_frame(f, 1514, 2);
    CHECK(sendto(ps, f, 1514, 0, (struct sockaddr *)&to, sizeof to) == 1514);
    CHECK(backend_recv(b, &r) == 1514);
    CHECK(!memcmp(r, f, 1514));
    CHECK(net_stats(b)->drops_in_size == 1);
    CHECK(net_stats(b)->frames_in == 2);
    close(ps);
    net_close(b);
    return 0;
}

static void test_frames_both_ways(void **st)
{
    run_isolated(frames_both_ways);
}

/* Creates NAME as a persistent TAP owned by uid (tuntap.rst: TUNSETOWNER,
 * TUNSETPERSIST), administratively up, with the given MTU. */
static int make_persistent(const char *name, long uid, int mtu)
{
    int fd = open("/dev/net/tun", O_RDWR);
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (fd < 0 || ioctl(fd, TUNSETIFF, &ifr) < 0 || (uid >= 0 && ioctl(fd, TUNSETOWNER, uid) < 0) ||
        ioctl(fd, TUNSETPERSIST, 1) < 0)
        return -1;
    close(fd);
    return set_up(name, mtu);
}

/* The forwarder between two TAPs: the netpath benchmark's baseline. */
static int forward_two_taps(void)
{
    NetBackend *a = net_open("tap,ifname=xa", 0, NULL, 0);
    NetBackend *b = net_open("tap,ifname=xb", 0, NULL, 0);
    CHECK(a && b);
    int pa = packet_socket("xa"), pb = packet_socket("xb");
    CHECK(pa >= 0 && pb >= 0);
    struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_halen = 6};
    memset(to.sll_addr, 0xff, 6);
    uint8_t f[1514], g[1514];
    NetForwardStats fs = {0};
    for (uint8_t i = 0; i < 20; i++) {
        int dir = i & 1;
        make_frame(f, 60 + i * 50u, i);
        to.sll_ifindex = (int)if_nametoindex(dir ? "xb" : "xa");
        CHECK(sendto(dir ? pb : pa, f, 60 + i * 50u, 0, (struct sockaddr *)&to, sizeof to) ==
              60 + i * 50);
        /* the frame reaches the backend's fd, then the far interface */
        struct pollfd p = {.fd = net_fd(dir ? b : a), .events = POLLIN};
        CHECK(poll(&p, 1, 2000) == 1);
        CHECK(net_forward_step(a, b, &fs) >= 1);
        CHECK(packet_recv(dir ? pa : pb, g, sizeof g) == 60 + i * 50);
        CHECK(!memcmp(f, g, 60 + i * 50u));
    }
    CHECK(fs.a_to_b >= 10 && fs.b_to_a >= 10);
    close(pa);
    close(pb);
    net_close(a);
    net_close(b);
    return 0;
}

static void test_forward_two_taps(void **st)
{
    run_isolated(forward_two_taps);
}

/* Leaves root for nobody: no capabilities left (capabilities(7): a
 * set-user-ID change from 0 to non-0 clears the effective set). */
static int drop_to_nobody(void)
{
    if (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
        setresuid(NOBODY, NOBODY, NOBODY) < 0)
        return -1;
    return 0;
}

static char last_note[512];

static void note_sink(void *opaque, const TraceEvent *ev)
{
    if (ev->kind == TRACE_NOTE && strstr(ev->text, "MTU"))
        snprintf(last_note, sizeof last_note, "%s", ev->text);
}

static int wait_child(pid_t pid)
{
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* What docs/host.md promises: root creates the TAP once (ip tuntap add dev
 * NAME mode tap user USER) and xdrv then runs without any privilege. The
 * child's own /dev/net holds a world-accessible tun node, as a stock system
 * has (udev makes /dev/net/tun 0666); the host's node stays as it is. */
static int unprivileged(void)
{
    if (mount("tmpfs", "/dev/net", "tmpfs", 0, "mode=0755") < 0 ||
        mknod("/dev/net/tun", S_IFCHR | 0600, makedev(10, 200)) < 0) {
        fprintf(stderr, "SKIP: cannot make a private /dev/net/tun: %s\n", strerror(errno));
        return SKIP_EXIT;
    }
    CHECK(make_persistent("xp0", NOBODY, 1500) == 0);
    CHECK(make_persistent("xq0", 0, 1500) == 0); /* root's */
    /* drivers/net/tun.c tun_not_capable(): without owner and group, anyone
     * who can open /dev/net/tun may attach */
    CHECK(make_persistent("xr0", -1, 1500) == 0);
    CHECK(make_persistent("xj0", NOBODY, 9000) == 0);

    char err[NET_ERR_MAX];
    /* 0600 root node: the first message a user sees */
    pid_t pid = fork();
    if (pid == 0) {
        CHECK(drop_to_nobody() == 0);
        CHECK(!net_open("tap,ifname=xp0", 0, err, sizeof err));
        CHECK(!strcmp(err, "tap: cannot open /dev/net/tun: Permission denied (xdrv needs "
                           "CAP_NET_ADMIN or a pre-created TAP owned by this user)"));
        _exit(0);
    }
    CHECK(wait_child(pid) == 0);
    CHECK(chmod("/dev/net/tun", 0666) == 0);

    CHECK(drop_to_nobody() == 0);
    NetBackend *b = net_open("tap,ifname=xp0", NET_OPEN_CARRIER_OFF, err, sizeof err);
    if (!b)
        fprintf(stderr, "%s\n", err);
    CHECK(b);
    CHECK(carrier_is("xp0", 0));
    CHECK(net_set_carrier(b, 1) == 0);
    CHECK(carrier_is("xp0", 1));
    uint8_t want[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x42}, mac[6];
    CHECK(net_set_mac(b, want, err, sizeof err) == 0);
    CHECK(net_get_mac(b, mac) == 0 && !memcmp(mac, want, 6));
    uint8_t f[100];
    make_frame(f, 100, 0);
    CHECK(net_send(b, f, 100) == 0);
    net_close(b);
    /* persistent: still there, carrier dropped by the kernel */
    CHECK(if_nametoindex("xp0") != 0);
    CHECK(carrier_is("xp0", 0));

    b = net_open("tap,ifname=xr0", 0, err, sizeof err);
    CHECK(b);
    net_close(b);

    /* someone else's TAP, a TAP we may not create: say what to do */
    CHECK(!net_open("tap,ifname=xq0", 0, err, sizeof err));
    CHECK(!strcmp(err, "tap: cannot attach to xq0: Operation not permitted (it belongs to "
                       "another user; recreate it with: ip tuntap add dev xq0 mode tap user "
                       "nobody)"));
    CHECK(!net_open("tap,ifname=xn0", 0, err, sizeof err));
    CHECK(!strcmp(err, "tap: cannot create xn0: Operation not permitted (xdrv needs "
                       "CAP_NET_ADMIN, or a pre-created TAP: ip tuntap add dev xn0 mode tap "
                       "user nobody)"));
    /* an MTU we cannot change is left alone, and the trace says so */
    trace_add_sink(note_sink, NULL);
    b = net_open("tap,ifname=xj0", 0, err, sizeof err);
    CHECK(b);
    net_close(b);
    trace_remove_sink(note_sink, NULL);
    CHECK(strstr(last_note, "tap:xj0: xj0 has MTU 9000 and it cannot be changed (Operation not "
                            "permitted): frames over 1514 bytes will be dropped; ip link set xj0 "
                            "mtu 1500"));
    return 0;
}

static void test_unprivileged(void **st)
{
    run_isolated(unprivileged);
}

/* Attaching: a second opener is told the TAP is busy; a non-TAP device is
 * named as such; a persistent TAP's raised MTU is put back to 1500. */
static int attach_errors(void)
{
    char err[NET_ERR_MAX];
    NetBackend *a = net_open("tap,ifname=xt0", 0, err, sizeof err);
    CHECK(a);
    CHECK(!net_open("tap,ifname=xt0", 0, err, sizeof err));
    CHECK(!strcmp(err, "tap: cannot attach to xt0: Device or resource busy (another process has "
                       "it open)"));
    net_close(a);
    CHECK(!net_open("tap,ifname=lo", 0, err, sizeof err));
    CHECK(!strcmp(err, "tap: cannot attach to lo: Invalid argument (lo exists but is not a "
                       "single-queue TAP device)"));
    CHECK(make_persistent("xj0", -1, 9000) == 0);
    a = net_open("tap,ifname=xj0", 0, err, sizeof err);
    CHECK(a);
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "xj0");
    CHECK(ioctl(s, SIOCGIFMTU, &ifr) == 0);
    CHECK(ifr.ifr_mtu == 1500);
    close(s);
    net_close(a);
    return 0;
}

static void test_attach_errors(void **st)
{
    run_isolated(attach_errors);
}

/* The interface deleted under a running backend: net_recv says so once
 * and for all, net_send drops. */
static int deleted_under_us(void)
{
    NetBackend *b = net_open("tap,ifname=xt0", 0, NULL, 0);
    CHECK(b);
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    struct {
        struct nlmsghdr h;
        struct ifinfomsg i;
    } req = {.h = {.nlmsg_len = sizeof req,
                   .nlmsg_type = RTM_DELLINK,
                   .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK},
             .i = {.ifi_family = AF_UNSPEC, .ifi_index = (int)if_nametoindex("xt0")}};
    CHECK(send(s, &req, sizeof req, 0) == (ssize_t)sizeof req);
    char ack[256];
    CHECK(recv(s, ack, sizeof ack, 0) > 0);
    close(s);
    CHECK(if_nametoindex("xt0") == 0);
    const uint8_t *r;
    struct pollfd p = {.fd = net_fd(b), .events = POLLIN};
    poll(&p, 1, 100);
    CHECK(net_recv(b, &r) == -1);
    CHECK(!strcmp(net_error(b), "tap: xt0 was deleted"));
    CHECK(net_recv(b, &r) == -1);
    uint8_t f[60];
    make_frame(f, 60, 0);
    CHECK(net_send(b, f, 60) == -1);
    net_close(b);
    return 0;
}

static void test_deleted_under_us(void **st)
{
    run_isolated(deleted_under_us);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_carrier_follows),  cmocka_unit_test(test_carrier_fallback),
        cmocka_unit_test(test_mac_address),      cmocka_unit_test(test_frames_both_ways),
        cmocka_unit_test(test_forward_two_taps), cmocka_unit_test(test_unprivileged),
        cmocka_unit_test(test_attach_errors),    cmocka_unit_test(test_deleted_under_us),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
