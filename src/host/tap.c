/* A Linux TAP interface as one end of the cable (spec "tap,ifname=NAME").
 * Frames are read and written whole on the /dev/net/tun file descriptor,
 * without the 4-byte packet-information header (IFF_NO_PI), as described in
 * Linux Documentation/networking/tuntap.rst. The interface is created if
 * missing (needs CAP_NET_ADMIN) or attached to when it already exists; an
 * existing persistent TAP whose owner is this user attaches without any
 * capability (tuntap.rst, "persistent"; drivers/net/tun.c tun_not_capable).
 *
 * Carrier: TUNSETCARRIER (include/uapi/linux/if_tun.h; absent from old
 * kernels) drives what `ip link` shows as LOWER_UP / NO-CARRIER. Without it the
 * carrier is emulated by the administrative IFF_UP flag (SIOCSIFFLAGS,
 * netdevice(7)), which needs CAP_NET_ADMIN. */
#include "host/net_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define TUN_PATH "/dev/net/tun"

typedef struct TapBackend {
    NetBackend b;
    char ifname[IFNAMSIZ];
    int use_ifflags_carrier; /* no TUNSETCARRIER: carrier follows IFF_UP */
    int failed;              /* the interface is gone: b.error says why */
    char carrier_err[NET_ERR_MAX];
} TapBackend;

static int force_no_tunsetcarrier;

void net_tap_force_no_tunsetcarrier(int on)
{
    force_no_tunsetcarrier = on;
}

static TapBackend *tap_of(NetBackend *b)
{
    return (TapBackend *)b;
}

/* netdevice(7) ioctls go through any socket; AF_UNIX needs no IPv4. */
static int ctl_socket(void)
{
    return socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

static int ifflags_get(const char *ifname, short *flags)
{
    int s = ctl_socket();
    if (s < 0)
        return -1;
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    int rc = ioctl(s, SIOCGIFFLAGS, &ifr);
    int e = errno;
    close(s);
    errno = e;
    if (rc == 0)
        *flags = ifr.ifr_flags;
    return rc;
}

static int ifflags_set_up(const char *ifname, int up)
{
    short flags;
    if (ifflags_get(ifname, &flags) < 0)
        return -1;
    if (!!(flags & IFF_UP) == !!up)
        return 0;
    int s = ctl_socket();
    if (s < 0)
        return -1;
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    ifr.ifr_flags = up ? (short)(flags | IFF_UP) : (short)(flags & ~IFF_UP);
    int rc = ioctl(s, SIOCSIFFLAGS, &ifr);
    int e = errno;
    close(s);
    errno = e;
    return rc;
}

static int tap_set_carrier(NetBackend *b, int up)
{
    TapBackend *t = tap_of(b);
    if (!t->use_ifflags_carrier) {
        int on = up;
        if (!force_no_tunsetcarrier && ioctl(b->fd, TUNSETCARRIER, &on) == 0)
            return 0;
        if (!force_no_tunsetcarrier && errno != EINVAL && errno != ENOTTY) {
            snprintf(t->carrier_err, sizeof t->carrier_err, "tap: %s: TUNSETCARRIER: %s", t->ifname,
                     strerror(errno));
            net_note(b, "%s", t->carrier_err);
            return -1;
        }
        t->use_ifflags_carrier = 1;
        net_note(b, "no TUNSETCARRIER on this kernel: the carrier follows IFF_UP");
    }
    if (ifflags_set_up(t->ifname, up) < 0) {
        snprintf(t->carrier_err, sizeof t->carrier_err,
                 "tap: cannot set %s %s: %s (without TUNSETCARRIER xdrv needs CAP_NET_ADMIN "
                 "to show the link state)",
                 t->ifname, up ? "up" : "down", strerror(errno));
        net_note(b, "%s", t->carrier_err);
        return -1;
    }
    return 0;
}

static const char *user_name(char *buf, size_t len)
{
    struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name)
        snprintf(buf, len, "%s", pw->pw_name);
    else
        snprintf(buf, len, "%u", (unsigned)geteuid());
    return buf;
}

/* TUNSETIFF failed: say why in terms of what the user can do. */
static void attach_error(const char *ifname, int existed, int e, char *err, size_t errlen)
{
    char user[64];
    const char *what = existed ? "attach to" : "create";
    if (e == EPERM && !existed)
        net_errf(err, errlen,
                 "tap: cannot create %s: %s (xdrv needs CAP_NET_ADMIN, or a pre-created TAP: "
                 "ip tuntap add dev %s mode tap user %s)",
                 ifname, strerror(e), ifname, user_name(user, sizeof user));
    else if (e == EPERM)
        net_errf(err, errlen,
                 "tap: cannot attach to %s: %s (it belongs to another user; recreate it with: "
                 "ip tuntap add dev %s mode tap user %s)",
                 ifname, strerror(e), ifname, user_name(user, sizeof user));
    else if (e == EBUSY)
        net_errf(err, errlen, "tap: cannot attach to %s: %s (another process has it open)", ifname,
                 strerror(e));
    else if (e == EINVAL && existed)
        net_errf(err, errlen,
                 "tap: cannot attach to %s: %s (%s exists but is not a single-queue TAP "
                 "device)",
                 ifname, strerror(e), ifname);
    else
        net_errf(err, errlen, "tap: cannot %s %s: %s", what, ifname, strerror(e));
}

static NetBackend *tap_open(const NetSpec *spec, unsigned flags, char *err, size_t errlen)
{
    TapBackend *t = calloc(1, sizeof *t);
    char name[8 + IFNAMSIZ];
    snprintf(name, sizeof name, "tap:%s", spec->ifname);
    if (!t || net_backend_init(&t->b, &net_tap_ops, name) < 0) {
        net_errf(err, errlen, "tap: out of memory");
        goto fail_alloc;
    }
    snprintf(t->ifname, sizeof t->ifname, "%s", spec->ifname);

    int fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == EACCES || e == EPERM)
            net_errf(err, errlen,
                     "tap: cannot open " TUN_PATH ": %s (xdrv needs CAP_NET_ADMIN or a "
                     "pre-created TAP owned by this user)",
                     strerror(e));
        else if (e == ENOENT || e == ENODEV || e == ENXIO)
            net_errf(err, errlen,
                     "tap: cannot open " TUN_PATH ": %s (is the tun module loaded? "
                     "modprobe tun)",
                     strerror(e));
        else
            net_errf(err, errlen, "tap: cannot open " TUN_PATH ": %s", strerror(e));
        goto fail_open;
    }
    t->b.fd = fd;

    /* tuntap.rst: TUNSETIFF with IFF_TAP creates the interface, or attaches
     * to an existing one of that name; IFF_NO_PI leaves frames bare. */
    int existed = if_nametoindex(spec->ifname) != 0;
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", spec->ifname);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        attach_error(spec->ifname, existed, errno, err, errlen);
        goto fail_attach;
    }
    net_note(&t->b, "%s TAP %s", existed ? "attached to" : "created", t->ifname);
    /* tuntap.rst "persistent": the interface stays when the descriptor
     * closes (its carrier drops), for the next process to attach to */
    if (spec->persist && ioctl(fd, TUNSETPERSIST, 1) < 0) {
        net_errf(err, errlen, "tap: cannot make %s persistent: %s", spec->ifname, strerror(errno));
        goto fail_attach;
    }

    /* Carrier before anything else, so the stack never sees a link the
     * driver has not indicated. */
    if (tap_set_carrier(&t->b, !(flags & NET_OPEN_CARRIER_OFF)) < 0 && !t->use_ifflags_carrier) {
        net_errf(err, errlen, "%s", t->carrier_err);
        goto fail_attach;
    }
    t->b.carrier = !(flags & NET_OPEN_CARRIER_OFF);

    /* Frames only flow on an interface that is administratively up. */
    short ifflags = 0;
    if (!t->use_ifflags_carrier && ifflags_get(t->ifname, &ifflags) == 0 && !(ifflags & IFF_UP) &&
        ifflags_set_up(t->ifname, 1) < 0)
        net_note(&t->b, "%s is down and cannot be brought up (%s): ip link set %s up", t->ifname,
                 strerror(errno), t->ifname);

    /* A raised MTU would make the stack send frames over 1514 bytes, which
     * every backend drops: ask for the Ethernet MTU. */
    int s = ctl_socket();
    if (s >= 0) {
        struct ifreq mr = {0};
        snprintf(mr.ifr_name, sizeof mr.ifr_name, "%s", t->ifname);
        if (ioctl(s, SIOCGIFMTU, &mr) == 0 && mr.ifr_mtu != NET_FRAME_MAX - NET_ETH_HLEN) {
            int old = mr.ifr_mtu;
            mr.ifr_mtu = NET_FRAME_MAX - NET_ETH_HLEN;
            if (ioctl(s, SIOCSIFMTU, &mr) < 0)
                net_note(&t->b,
                         "%s has MTU %d and it cannot be changed (%s): frames over %d bytes "
                         "will be dropped; ip link set %s mtu 1500",
                         t->ifname, old, strerror(errno), NET_FRAME_MAX, t->ifname);
        }
        close(s);
    }
    return &t->b;

fail_attach:
    close(fd);
fail_open:
    net_backend_fini(&t->b);
fail_alloc:
    free(t);
    return NULL;
}

int net_tap_remove(const char *ifname, char *err, size_t errlen)
{
    int fd = open(TUN_PATH, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        net_errf(err, errlen, "tap: cannot open " TUN_PATH ": %s", strerror(errno));
        return -1;
    }
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    int rc = 0;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0 || ioctl(fd, TUNSETPERSIST, 0) < 0) {
        net_errf(err, errlen, "tap: cannot remove %s: %s", ifname, strerror(errno));
        rc = -1;
    }
    close(fd); /* the last descriptor of a non-persistent TAP: it goes */
    return rc;
}

static void tap_close(NetBackend *b)
{
    /* tuntap.rst: a non-persistent interface goes away with its last fd; a
     * persistent one stays, and the kernel drops its carrier. */
    close(b->fd);
    net_backend_fini(b);
    free(tap_of(b));
}

static int tap_fail(NetBackend *b, int e)
{
    tap_of(b)->failed = 1;
    /* drivers/net/tun.c: EBADFD once the interface was deleted under us */
    if (e == EBADFD)
        snprintf(b->error, sizeof b->error, "tap: %s was deleted", tap_of(b)->ifname);
    else
        snprintf(b->error, sizeof b->error, "tap: %s: %s", tap_of(b)->ifname, strerror(e));
    return -1;
}

static int tap_send(NetBackend *b, const uint8_t *frame, size_t len)
{
    ssize_t n = write(b->fd, frame, len);
    if (n == (ssize_t)len)
        return 0;
    if (n >= 0) {
        b->drop_reason = "short write";
        return -1;
    }
    if (errno == EAGAIN || errno == ENOBUFS || errno == ENOMEM) {
        b->drop_reason = "host buffers full";
        return -1;
    }
    if (errno == EIO) {
        b->drop_reason = "interface down";
        return -1;
    }
    tap_fail(b, errno);
    b->drop_reason = b->error;
    return -1;
}

static ssize_t tap_recv(NetBackend *b, uint8_t *buf, size_t cap)
{
    if (tap_of(b)->failed)
        return -1;
    /* One read returns one whole frame (tuntap.rst); a larger one than the
     * buffer comes back truncated, so read one byte more to notice. */
    ssize_t n = read(b->fd, buf, cap + 1);
    if (n >= 0)
        return n;
    if (errno == EAGAIN || errno == EINTR)
        return 0;
    return tap_fail(b, errno);
}

static int tap_get_mac(NetBackend *b, uint8_t mac[6])
{
    /* drivers/net/tun.c answers SIOCGIFHWADDR on the tun fd itself */
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", tap_of(b)->ifname);
    if (ioctl(b->fd, SIOCGIFHWADDR, &ifr) < 0)
        return -1;
    memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
    return 0;
}

static int tap_set_mac(NetBackend *b, const uint8_t mac[6], char *err, size_t errlen)
{
    /* SIOCSIFHWADDR on the tun fd: allowed to the TAP's owner, no
     * capability needed (drivers/net/tun.c __tun_chr_ioctl) */
    struct ifreq ifr = {0};
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", tap_of(b)->ifname);
    ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER, <net/if_arp.h> */
    memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
    if (ioctl(b->fd, SIOCSIFHWADDR, &ifr) < 0) {
        net_errf(err, errlen, "tap: cannot set the MAC address of %s: %s", tap_of(b)->ifname,
                 strerror(errno));
        return -1;
    }
    return 0;
}

const NetBackendOps net_tap_ops = {
    .kind = NET_KIND_TAP,
    .kind_name = "tap",
    .open = tap_open,
    .close = tap_close,
    .send = tap_send,
    .recv = tap_recv,
    .set_carrier = tap_set_carrier,
    .get_mac = tap_get_mac,
    .set_mac = tap_set_mac,
};
