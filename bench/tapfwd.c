/* The baseline of bench/netpath.sh: a plain TAP-to-TAP forwarder (two TAP
 * devices, every frame copied across, nothing else): the physical limit of
 * a path through a user-space process and two TAP devices on this machine.
 *   tapfwd IFNAME_A IFNAME_B   (runs until SIGTERM) */
#include <signal.h>
#include <stdio.h>

#include "host/net.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    stop = 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: tapfwd IFNAME_A IFNAME_B\n");
        return 2;
    }
    char spec[64], err[NET_ERR_MAX];
    snprintf(spec, sizeof spec, "tap,ifname=%s", argv[1]);
    NetBackend *a = net_open(spec, 0, err, sizeof err);
    snprintf(spec, sizeof spec, "tap,ifname=%s", argv[2]);
    NetBackend *b = a ? net_open(spec, 0, err, sizeof err) : NULL;
    if (!a || !b) {
        fprintf(stderr, "tapfwd: %s\n", err);
        return 1;
    }
    struct sigaction sa = {.sa_handler = on_term};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    printf("forwarding\n");
    fflush(stdout);
    NetForwardStats st = {0};
    net_forward_run(a, b, &stop, 100, &st);
    net_close(a);
    net_close(b);
    return 0;
}
