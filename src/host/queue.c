/* The in-process peer (spec "queue"): the other end of the cable is the
 * calling program itself, through two bounded FIFOs of frames. Nothing
 * depends on wall-clock time or scheduling, so tests that use it are
 * deterministic. net_fd is an eventfd that is readable while frames wait in
 * the inbound FIFO (eventfd(2)). */
#include "host/net_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

typedef struct Fifo {
    uint8_t *data[NET_QUEUE_DEPTH];
    size_t len[NET_QUEUE_DEPTH];
    size_t head, count;
} Fifo;

typedef struct QueueBackend {
    NetBackend b;
    Fifo in;  /* peer -> xdrv */
    Fifo out; /* xdrv -> peer */
} QueueBackend;

static int fifo_push(Fifo *q, const uint8_t *f, size_t len)
{
    if (q->count == NET_QUEUE_DEPTH)
        return -1;
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    memcpy(copy, f, len);
    size_t tail = (q->head + q->count) % NET_QUEUE_DEPTH;
    q->data[tail] = copy;
    q->len[tail] = len;
    q->count++;
    return 0;
}

/* Pops the oldest frame into buf (truncated to cap); its full length. */
static size_t fifo_pop(Fifo *q, uint8_t *buf, size_t cap)
{
    size_t len = q->len[q->head];
    memcpy(buf, q->data[q->head], len < cap ? len : cap);
    free(q->data[q->head]);
    q->head = (q->head + 1) % NET_QUEUE_DEPTH;
    q->count--;
    return len;
}

static void fifo_clear(Fifo *q)
{
    while (q->count) {
        free(q->data[q->head]);
        q->head = (q->head + 1) % NET_QUEUE_DEPTH;
        q->count--;
    }
}

static QueueBackend *queue_of(NetBackend *b)
{
    return (QueueBackend *)b;
}

static NetBackend *queue_open(const NetSpec *spec, unsigned flags, char *err, size_t errlen)
{
    (void)spec;
    QueueBackend *q = calloc(1, sizeof *q);
    if (!q || net_backend_init(&q->b, &net_queue_ops, "queue") < 0) {
        net_errf(err, errlen, "queue: out of memory");
        goto fail_alloc;
    }
    q->b.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (q->b.fd < 0) {
        net_errf(err, errlen, "queue: eventfd: %s", strerror(errno));
        goto fail_eventfd;
    }
    q->b.carrier = !(flags & NET_OPEN_CARRIER_OFF);
    return &q->b;

fail_eventfd:
    net_backend_fini(&q->b);
fail_alloc:
    free(q);
    return NULL;
}

static void queue_close(NetBackend *b)
{
    QueueBackend *q = queue_of(b);
    fifo_clear(&q->in);
    fifo_clear(&q->out);
    close(b->fd);
    net_backend_fini(b);
    free(q);
}

static int queue_send(NetBackend *b, const uint8_t *frame, size_t len)
{
    if (fifo_push(&queue_of(b)->out, frame, len) < 0) {
        b->drop_reason = "queue full";
        return -1;
    }
    return 0;
}

static void signal_readable(NetBackend *b, int readable)
{
    uint64_t v = 1;
    /* eventfd(2): a write adds to the counter, a read returns and zeroes it */
    if (readable) {
        if (write(b->fd, &v, sizeof v) != sizeof v)
            abort();
    } else {
        (void)!read(b->fd, &v, sizeof v);
    }
}

static ssize_t queue_recv(NetBackend *b, uint8_t *buf, size_t cap)
{
    QueueBackend *q = queue_of(b);
    while (q->in.count) {
        size_t len = fifo_pop(&q->in, buf, cap);
        if (!q->in.count)
            signal_readable(b, 0);
        if (len)
            return len > cap ? (ssize_t)cap + 1 : (ssize_t)len;
        /* 0 would mean "nothing pending" to net.c: count the runt here */
        b->stats.drops_in_size++;
        net_note(b, "dropped runt frame of 0 bytes from the host");
    }
    return 0;
}

int net_queue_inject(NetBackend *b, const uint8_t *frame, size_t len)
{
    if (b->ops != &net_queue_ops || len > 65535)
        return -1;
    QueueBackend *q = queue_of(b);
    if (fifo_push(&q->in, frame, len) < 0)
        return -1;
    if (q->in.count == 1)
        signal_readable(b, 1);
    return 0;
}

size_t net_queue_take(NetBackend *b, uint8_t *buf, size_t cap)
{
    if (b->ops != &net_queue_ops)
        return 0;
    QueueBackend *q = queue_of(b);
    return q->out.count ? fifo_pop(&q->out, buf, cap) : 0;
}

size_t net_queue_pending_in(const NetBackend *b)
{
    return b->ops == &net_queue_ops ? ((const QueueBackend *)b)->in.count : 0;
}

size_t net_queue_pending_out(const NetBackend *b)
{
    return b->ops == &net_queue_ops ? ((const QueueBackend *)b)->out.count : 0;
}

const NetBackendOps net_queue_ops = {
    .kind = NET_KIND_QUEUE,
    .kind_name = "queue",
    .open = queue_open,
    .close = queue_close,
    .send = queue_send,
    .recv = queue_recv,
};
