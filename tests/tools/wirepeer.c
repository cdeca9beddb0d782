/* A peer on a unix SOCK_SEQPACKET socket for the userspace network tests
 * (one frame per message, docs/host.md):
 *   wirepeer send PATH HEXFRAME...   connect, send each frame
 *   wirepeer recv PATH N TIMEOUT_MS  connect, print N frames as hex lines
 * Exits non-zero on any error or timeout. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int connect_to(const char *path)
{
    int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
    for (int i = 0; i < 100; i++) { /* xdrv may still be starting */
        if (connect(s, (struct sockaddr *)&a, sizeof a) == 0)
            return s;
        usleep(50000);
    }
    fprintf(stderr, "wirepeer: connect %s: %s\n", path, strerror(errno));
    exit(1);
}

int main(int argc, char **argv)
{
    uint8_t f[2048];
    if (argc >= 4 && !strcmp(argv[1], "send")) {
        int s = connect_to(argv[2]);
        for (int i = 3; i < argc; i++) {
            size_t n = strlen(argv[i]) / 2;
            for (size_t k = 0; k < n && k < sizeof f; k++)
                sscanf(argv[i] + 2 * k, "%2hhx", &f[k]);
            if (send(s, f, n, 0) != (ssize_t)n) {
                perror("wirepeer: send");
                return 1;
            }
        }
        usleep(200000);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "recv")) {
        int s = connect_to(argv[2]);
        int want = atoi(argv[3]), got = 0;
        struct pollfd p = {.fd = s, .events = POLLIN};
        while (got < want && poll(&p, 1, atoi(argv[4])) == 1) {
            ssize_t n = recv(s, f, sizeof f, 0);
            if (n <= 0)
                break;
            for (ssize_t k = 0; k < n; k++)
                printf("%02x", f[k]);
            printf("\n");
            got++;
        }
        return got == want ? 0 : 1;
    }
    fprintf(stderr, "usage: wirepeer send PATH HEX... | recv PATH N TIMEOUT_MS\n");
    return 2;
}
