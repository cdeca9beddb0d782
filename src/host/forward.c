/* The plain forwarder: frames from one backend go to the other and back,
 * nothing in between. It is the baseline the netpath benchmark compares
 * xdrv against (TAP -> forwarder -> TAP, no driver, no emulated CPU). */
#include "host/net.h"

#include <errno.h>
#include <poll.h>

/* Everything pending on `from` goes to `to`; the number of frames taken
 * from `from`, or -1 on failure. */
static int drain(NetBackend *from, NetBackend *to, uint64_t *moved)
{
    int n = 0;
    for (;;) {
        const uint8_t *f;
        ssize_t len = net_recv(from, &f);
        if (len < 0)
            return -1;
        if (len == 0)
            return n;
        /* a drop on `to` is counted in to's NetStats */
        if (net_send(to, f, (size_t)len) == 0 && moved)
            (*moved)++;
        n++;
    }
}

int net_forward_step(NetBackend *a, NetBackend *b, NetForwardStats *st)
{
    int x = drain(a, b, st ? &st->a_to_b : NULL);
    if (x < 0)
        return -1;
    int y = drain(b, a, st ? &st->b_to_a : NULL);
    if (y < 0)
        return -1;
    return x + y;
}

int net_forward_run(NetBackend *a, NetBackend *b, volatile sig_atomic_t *stop, int timeout_ms,
                    NetForwardStats *st)
{
    struct pollfd p[2] = {{.fd = net_fd(a), .events = POLLIN}, {.fd = net_fd(b), .events = POLLIN}};
    while (!*stop) {
        int r = poll(p, 2, timeout_ms);
        if (r < 0 && errno != EINTR)
            return -1;
        if (r <= 0)
            continue;
        if ((p[0].revents && drain(a, b, st ? &st->a_to_b : NULL) < 0) ||
            (p[1].revents && drain(b, a, st ? &st->b_to_a : NULL) < 0))
            return -1;
    }
    return 0;
}
