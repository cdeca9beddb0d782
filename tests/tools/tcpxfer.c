/* A minimal netcat for the integration tests (no netcat on a fresh Debian):
 *   tcpxfer recv PORT OUTFILE [TIMEOUT_S]   accept one connection, write what arrives
 *   tcpxfer send ADDR PORT INFILE [TIMEOUT_S]
 * Exits non-zero on any error or timeout. IPv4 only. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int fail(const char *what)
{
    fprintf(stderr, "tcpxfer: %s: %s\n", what, strerror(errno));
    return 1;
}

static void set_timeout(int fd, int secs)
{
    struct timeval tv = {.tv_sec = secs};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

int main(int argc, char **argv)
{
    static char buf[65536];
    if (argc >= 4 && !strcmp(argv[1], "recv")) {
        int secs = argc > 4 ? atoi(argv[4]) : 60;
        int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[2]))};
        if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0)
            return fail("listen");
        set_timeout(s, secs);
        int c = accept(s, NULL, NULL);
        if (c < 0)
            return fail("accept");
        set_timeout(c, secs);
        FILE *f = fopen(argv[3], "wb");
        if (!f)
            return fail(argv[3]);
        ssize_t n;
        while ((n = read(c, buf, sizeof buf)) > 0)
            if (fwrite(buf, 1, (size_t)n, f) != (size_t)n)
                return fail("write");
        if (n < 0)
            return fail("read");
        return fclose(f) ? fail("close") : 0;
    }
    if (argc >= 5 && !strcmp(argv[1], "send")) {
        int secs = argc > 5 ? atoi(argv[5]) : 60;
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[3]))};
        if (inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) {
            fprintf(stderr, "tcpxfer: bad address %s\n", argv[2]);
            return 1;
        }
        set_timeout(s, secs);
        if (connect(s, (struct sockaddr *)&a, sizeof a) < 0)
            return fail("connect");
        FILE *f = fopen(argv[4], "rb");
        if (!f)
            return fail(argv[4]);
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
            size_t off = 0;
            while (off < n) {
                ssize_t w = write(s, buf + off, n - off);
                if (w < 0)
                    return fail("send");
                off += (size_t)w;
            }
        }
        fclose(f);
        shutdown(s, SHUT_WR);
        while (read(s, buf, sizeof buf) > 0)
            ;
        return 0;
    }
    fprintf(stderr, "usage: tcpxfer recv PORT OUTFILE [TIMEOUT_S] | send ADDR PORT INFILE [TIMEOUT_S]\n");
    return 2;
}
