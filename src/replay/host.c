/* The replay host (see host.h): a network controller model, its DMA
 * region, its clock and its cable, driven by the interpreter core through
 * ReplayOps, and the loop that turns host traffic into requests. */
#include "replay/host.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "exercise/workload.h"
#include "machine/machine.h"
#include "replay/arena.h"
#include "trace/trace.h"

#define SEC_NS 1000000000ull
#define IRQ_ROUNDS 16u   /* interrupt requests per raised line before giving up */
#define DRAIN_FRAMES 64u /* frames taken from one backend per loop round */
#define POLL_MAX_MS 100  /* the loop looks at its flags at least this often */
#define DMA_REGION_MAX (256u << 20)
#define MAX_WINDOWS 64u

struct ReplayHost {
    const Spec *spec;
    NicModel *nic;
    DevClock clock;
    uint64_t wall0;
    uint8_t *mem; /* the DMA region: the spec's buffers, nothing else */
    ReplayOps ops;
    const ReplayDriver *drv; /* in the interpreter's place, NULL: the interpreter */
    uint32_t mem_size;
    ReplayArena arena;
    Replay r;
    /* each spec window: which model window it is */
    uint8_t win_mmio[MAX_WINDOWS];
    uint8_t win_nth[MAX_WINDOWS];
    NetBackend *netdev, *wire;
    int irq;        /* the model's interrupt line */
    int link;       /* last linkstate the spec reported, -1 none yet */
    int has_timer; /* the spec serves timer requests */
    uint64_t next_timer;
    uint64_t next_flags; /* wall time of the next look at the netdev's flags */
    int filter;          /* the packet filter last asked of the spec, -1 none */
    int virtual_time;    /* playing a workload: the clock moves only when told */
    FILE *log;
    int verbose;
    ReplayStop stop;
    ReplayHostStats st;
};

static uint64_t wall_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * SEC_NS + (uint64_t)t.tv_nsec;
}

/* The model's time follows the wall clock (it never goes back: a stall
 * that moved it ahead just waits for the wall clock to catch up). */
/* The timer request's period: the spec's `timer MS`, else a second. */
static uint64_t timer_period(const ReplayHost *h)
{
    return (h->spec->timer_ms ? h->spec->timer_ms : 1000) * 1000000ull;
}

static void clock_sync(ReplayHost *h)
{
    if (!h->virtual_time)
        dev_clock_advance(&h->clock, wall_ns() - h->wall0);
}

/* ------------------------------------------------- the model's side */

static void *dma_map(void *opaque, uint32_t addr, uint32_t len)
{
    ReplayHost *h = opaque;
    if (addr < REPLAY_DMA_BUS || (uint64_t)addr + len > (uint64_t)REPLAY_DMA_BUS + h->mem_size)
        return NULL; /* the device reaches the spec's buffers and nothing else */
    return h->mem + (addr - REPLAY_DMA_BUS);
}

static void irq_set(void *opaque, int line, int level)
{
    ((ReplayHost *)opaque)->irq = !!level;
}

static void cable_send(void *opaque, const uint8_t *frame, size_t len)
{
    ReplayHost *h = opaque;
    h->st.wire_out++;
    if (h->wire)
        net_send(h->wire, frame, len);
}

/* ---------------------------------------------------------- ReplayOps */

/* A register access as a recording shows it: at the address a machine's
 * firmware would have given the window, with the model's register name. */
static void trace_access(ReplayHost *h, uint32_t w, uint32_t off, unsigned width, uint32_t v,
                         int write)
{
    if (!trace_enabled())
        return;
    int mmio = h->win_mmio[w];
    TraceEvent ev = {.kind = mmio ? (write ? TRACE_MMIO_WRITE : TRACE_MMIO_READ)
                                  : (write ? TRACE_PORT_WRITE : TRACE_PORT_READ),
                     .vtime = h->clock.now,
                     .addr = nic_model_bus_base(h->nic, mmio) + off,
                     .size = width,
                     .value = v,
                     .reg = nic_model_reg_name(h->nic, mmio, off, width, write)};
    trace_emit(&ev);
}

static uint32_t op_reg_read(void *o, uint32_t w, uint32_t off, unsigned width)
{
    ReplayHost *h = o;
    uint32_t v = nic_model_read(h->nic, h->win_mmio[w], h->win_nth[w], off, width);
    trace_access(h, w, off, width, v, 0);
    return v;
}

static void op_reg_write(void *o, uint32_t w, uint32_t off, unsigned width, uint32_t v)
{
    ReplayHost *h = o;
    if (width < 4)
        v &= (1u << (8 * width)) - 1;
    trace_access(h, w, off, width, v, 1);
    nic_model_write(h->nic, h->win_mmio[w], h->win_nth[w], off, width, v);
}

static uint64_t op_buf_addr(void *o, uint32_t b, uint32_t i)
{
    return replay_arena_addr(&((ReplayHost *)o)->arena, b, i);
}

static uint8_t *op_buf_ptr(void *o, uint32_t b, uint32_t i)
{
    return replay_arena_ptr(&((ReplayHost *)o)->arena, b, i);
}

/* A stall is the model's time passing: the model sees nothing else. */
static void op_stall(void *o, uint32_t us)
{
    ReplayHost *h = o;
    dev_clock_advance(&h->clock, h->clock.now + (uint64_t)us * 1000);
}

/* A frame from the cable, kept until the spec delivers it (or the oldest
 * falls out): the one a fallback leaves in the device is not lost. */
static void rx_keep(ReplayHost *h, const uint8_t *f, size_t n)
{
    ReplayStop *s = &h->stop;
    if (n > sizeof s->rx[0])
        n = sizeof s->rx[0];
    if (s->nrx == REPLAY_RX_KEEP) { /* full: the oldest falls out */
        s->rx_head = (s->rx_head + 1) % REPLAY_RX_KEEP;
        s->nrx--;
    }
    unsigned slot = (s->rx_head + s->nrx++) % REPLAY_RX_KEEP;
    memcpy(s->rx[slot], f, n);
    s->rx_len[slot] = n;
}

const uint8_t *replay_stop_rx(const ReplayStop *s, unsigned i, size_t *len)
{
    unsigned slot = (s->rx_head + i) % REPLAY_RX_KEEP;
    *len = s->rx_len[slot];
    return s->rx[slot];
}

/* Delivered: that frame and the ones before it (which the device dropped
 * or filtered) are done with. The bytes both have are compared: a device
 * pads a short frame to 60 bytes. */
static void rx_done(ReplayHost *h, const uint8_t *f, size_t n)
{
    ReplayStop *s = &h->stop;
    for (unsigned i = 0; i < s->nrx; i++) {
        size_t len;
        const uint8_t *k = replay_stop_rx(s, i, &len);
        if (!memcmp(k, f, len < n ? len : n)) {
            s->rx_head = (s->rx_head + i + 1) % REPLAY_RX_KEEP;
            s->nrx -= i + 1;
            return;
        }
    }
}

static void op_deliver(void *o, const uint8_t *f, uint32_t n)
{
    ReplayHost *h = o;
    h->st.receives++;
    rx_done(h, f, n);
    if (h->netdev)
        net_send(h->netdev, f, n);
}

static void op_complete(void *o)
{
    ((ReplayHost *)o)->st.sends++;
}

static void op_link(void *o, int up)
{
    ReplayHost *h = o;
    if (h->link == up)
        return;
    if (h->verbose)
        fprintf(h->log, "replay: link %s\n", up ? "up" : "down");
    h->link = up;
    if (h->netdev)
        net_set_carrier(h->netdev, up);
}

/* ------------------------------------------------------------- setup */

/* Bytes the arena needs for every buffer at its alignment (arena.c places
 * them in declaration order; a buffer's copies each start aligned). */
static uint64_t region_size(const Spec *s)
{
    uint64_t at = 0;
    for (uint32_t i = 0; i < s->nbuffers; i++) {
        const SpecBuffer *b = &s->buffers[i];
        uint64_t align = b->align ? b->align : 4;
        uint64_t stride = b->ring ? b->size : (b->size + align - 1) & ~(align - 1);
        at = (at + align - 1) & ~(align - 1);
        at += stride * (b->count ? b->count : 1);
    }
    return (at + 4095) & ~(uint64_t)4095;
}

int replay_host_new(ReplayHost **out, const Spec *spec, const char *device, FILE *log, int verbose,
                    char *err, size_t errlen)
{
    *out = NULL;
    ReplayHost *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, errlen, "out of memory");
        return REPLAY_HOST_E_HOST;
    }
    h->spec = spec;
    h->log = log;
    h->verbose = verbose;
    h->link = -1;
    h->wall0 = wall_ns();
    dev_clock_init(&h->clock);
    int rc = REPLAY_HOST_E_SPEC;
    if (spec->nwindows > MAX_WINDOWS) {
        snprintf(err, errlen, "%u register windows: a device has at most %u", spec->nwindows,
                 MAX_WINDOWS);
        goto fail;
    }
    uint64_t size = region_size(spec);
    if (size > DMA_REGION_MAX) {
        snprintf(err, errlen, "the spec's buffers take %llu bytes: at most %u MiB",
                 (unsigned long long)size, DMA_REGION_MAX >> 20);
        goto fail;
    }
    h->mem_size = (uint32_t)(size ? size : 4096);
    h->mem = malloc(h->mem_size);
    if (!h->mem) {
        snprintf(err, errlen, "out of memory for a %u-byte DMA region", h->mem_size);
        rc = REPLAY_HOST_E_HOST;
        goto fail;
    }
    if (replay_arena_init(&h->arena, spec, h->mem, REPLAY_DMA_BUS, h->mem_size, err, errlen) < 0)
        goto fail;
    DevDma dma = {.map = dma_map, .opaque = h};
    DevIrq irq = {.set = irq_set, .opaque = h, .line = 11};
    NetPort port = {.send = cable_send, .opaque = h};
    h->nic = nic_model_new(device, &dma, &irq, &h->clock, &port, err, errlen);
    if (!h->nic) {
        rc = REPLAY_HOST_E_DEVICE;
        goto fail;
    }
    /* the spec's windows in order of kind: the first port window is the
     * model's I/O window, the first mmio window its memory window */
    unsigned nth[2] = {0, 0};
    for (uint32_t i = 0; i < spec->nwindows; i++) {
        const SpecWindow *w = &spec->windows[i];
        h->win_mmio[i] = w->mmio;
        h->win_nth[i] = (uint8_t)nth[w->mmio]++;
        uint32_t have = nic_model_window(h->nic, w->mmio, h->win_nth[i]);
        if (!have) {
            snprintf(err, errlen, "line %u: window %s: the %s model has no %s window %u", w->line,
                     w->name, nic_model_name(h->nic), w->mmio ? "mmio" : "port", h->win_nth[i]);
            goto fail;
        }
        if (w->size > have) {
            snprintf(err, errlen, "line %u: window %s is %u bytes: the %s model's is %u", w->line,
                     w->name, w->size, nic_model_name(h->nic), have);
            goto fail;
        }
    }
    h->ops = (ReplayOps){.opaque = h,
                         .reg_read = op_reg_read,
                         .reg_write = op_reg_write,
                         .buf_addr = op_buf_addr,
                         .buf_ptr = op_buf_ptr,
                         .stall = op_stall,
                         .deliver = op_deliver,
                         .complete = op_complete,
                         .link = op_link};
    if (replay_init(&h->r, spec, &h->ops) != REPLAY_OK) {
        snprintf(err, errlen,
                 "the spec is larger than the interpreter takes (%u variables, %u "
                 "registers: at most %u and %u)",
                 spec->nvars, spec->nregs, REPLAY_MAX_VARS, REPLAY_MAX_REGS);
        goto fail;
    }
    for (uint32_t t = 0; t < spec->ntransitions; t++)
        if (spec->transitions[t].req == SPEC_REQ_TIMER)
            h->has_timer = 1;
    if (spec->unhandled & (1u << SPEC_REQ_TIMER))
        h->has_timer = 0;
    *out = h;
    return 0;
fail:
    replay_host_free(h);
    return rc;
}

void replay_host_free(ReplayHost *h)
{
    if (!h)
        return;
    nic_model_free(h->nic);
    free(h->mem);
    free(h);
}

void replay_host_mac(const ReplayHost *h, uint8_t mac[6])
{
    nic_model_mac(h->nic, mac);
}

void replay_host_attach(ReplayHost *h, NetBackend *netdev, NetBackend *wire)
{
    h->netdev = netdev;
    h->wire = wire;
    if (netdev) {
        uint8_t mac[6];
        char e[NET_ERR_MAX];
        nic_model_mac(h->nic, mac);
        if (net_set_mac(netdev, mac, e, sizeof e) < 0)
            fprintf(stderr, "xdrv replay: warning: %s\n", e);
    }
}

const ReplayStop *replay_host_stopped(const ReplayHost *h)
{
    return &h->stop;
}

ReplayHostStats *replay_host_stats(ReplayHost *h)
{
    return &h->st;
}

void replay_host_stop_text(const ReplayHost *h, char *buf, size_t len)
{
    const ReplayStop *s = &h->stop;
    if (s->line)
        snprintf(buf, len, "%s in state %s: %s (spec line %u)", spec_request_name(s->req), s->state,
                 s->reason, s->line);
    else
        snprintf(buf, len, "%s in state %s: %s", spec_request_name(s->req), s->state, s->reason);
}

/* ----------------------------------------------------------- requests */

static int stopped(ReplayHost *h, SpecRequest req, ReplayResult res, uint32_t state,
                   const char *reason, uint32_t line)
{
    ReplayStop *s = &h->stop;
    s->req = req;
    s->res = res;
    snprintf(s->state, sizeof s->state, "%s",
             state < h->spec->nstates ? h->spec->states[state].name : "?");
    snprintf(s->reason, sizeof s->reason, "%s", reason);
    s->line = line;
    s->frame_len = 0;
    h->st.fallbacks++;
    return 1;
}

/* The spec was verified for the parameter ranges it declares: a request
 * outside them is not its to serve. */
static const char *param_out_of_range(ReplayHost *h, SpecRequest req, const uint64_t *p, char *buf,
                                      size_t len)
{
    for (uint32_t i = 0; p && i < h->spec->nparams; i++) {
        const SpecParamRange *pr = &h->spec->params[i];
        if (pr->req != req || pr->param >= SPEC_PARAM_COUNT_)
            continue;
        uint64_t v = p[pr->param];
        if (v < pr->min || v > pr->max) {
            snprintf(buf, len, "%s %llu is outside the spec's range %llu..%llu",
                     spec_param_name((SpecParam)pr->param), (unsigned long long)v,
                     (unsigned long long)pr->min, (unsigned long long)pr->max);
            return buf;
        }
    }
    return NULL;
}

/* The spec's state: the interpreter's, or the driver's in its place. */
static uint32_t host_state(const ReplayHost *h)
{
    return h->drv ? h->drv->state(h->drv->d) : h->r.state;
}

int replay_host_use_driver(ReplayHost *h, const ReplayDriver *drv)
{
    if (drv->init(drv->d, &h->ops) != REPLAY_OK)
        return -1;
    h->drv = drv;
    return 0;
}

static int service_irq(ReplayHost *h);

/* One request: 0 served, 1 not (h->stop says why). */
static int request(ReplayHost *h, SpecRequest req, const uint64_t *p, const uint8_t *frame,
                   uint32_t len)
{
    char why[128];
    /* an interrupt the device raised before this request is served first,
     * as Windows runs the ISR as soon as the line rises (a hosted driver's
     * ISR preempts the MiniportSend it is called in): the spec then sees
     * its causes one event at a time, as the driver did when recorded */
    if (h->irq && req != SPEC_REQ_INTERRUPT && req != SPEC_REQ_INIT && req != SPEC_REQ_HALT &&
        req != SPEC_REQ_RESET && service_irq(h))
        return 1;
    uint32_t state = host_state(h);
    clock_sync(h);
    if (param_out_of_range(h, req, p, why, sizeof why))
        return stopped(h, req, REPLAY_UNHANDLED, state, why, 0);
    ReplayResult res = h->drv ? h->drv->request(h->drv->d, req, p, frame, len)
                              : replay_request(&h->r, req, p, frame, len);
    if (h->verbose && (req != SPEC_REQ_SEND || res != REPLAY_OK))
        fprintf(h->log, "replay: %s: %s\n", spec_request_name(req),
                res == REPLAY_OK ? "served" : "not served");
    if (res == REPLAY_OK)
        return 0;
    if (res == REPLAY_UNHANDLED) {
        snprintf(why, sizeof why, "no transition serves %s in this state", spec_request_name(req));
        return stopped(h, req, res, state, why, 0);
    }
    const char *reason = h->drv ? h->drv->reason(h->drv->d) : h->r.reason;
    if (!reason)
        reason = res == REPLAY_BAD_SPEC ? "the spec is beyond the interpreter's limits"
                                        : "the spec gave up";
    return stopped(h, req, res, state, reason,
                   h->drv ? h->drv->reason_line(h->drv->d) : h->r.reason_line);
}

/* Serve the raised interrupt line: 0, or 1 when the spec did not (a line
 * its handler leaves raised is a device answering outside the spec). */
static int service_irq(ReplayHost *h)
{
    for (unsigned i = 0; h->irq && i < IRQ_ROUNDS; i++) {
        if (request(h, SPEC_REQ_INTERRUPT, NULL, NULL, 0))
            return 1;
        h->st.interrupts++;
    }
    if (!h->irq)
        return 0;
    char why[96];
    snprintf(why, sizeof why, "the interrupt line stays raised after %u interrupt requests",
             IRQ_ROUNDS);
    return stopped(h, SPEC_REQ_INTERRUPT, REPLAY_FALLBACK, host_state(h), why, 0);
}

static int timer(ReplayHost *h)
{
    if (request(h, SPEC_REQ_TIMER, NULL, NULL, 0))
        return 1;
    h->st.timers++;
    return service_irq(h);
}

int replay_host_start(ReplayHost *h)
{
    clock_sync(h);
    if (request(h, SPEC_REQ_INIT, NULL, NULL, 0) || service_irq(h))
        return 1;
    /* what a protocol binding sets first on Windows: directed, multicast
     * and broadcast frames (ntddndis.h NDIS_PACKET_TYPE_DIRECTED 0x1,
     * _MULTICAST 0x2, _BROADCAST 0x8); a spec that does not serve it
     * leaves the filter as its init set it */
    if (!(h->spec->unhandled & (1u << SPEC_REQ_SET_FILTER))) {
        uint64_t p[SPEC_PARAM_COUNT_] = {[SPEC_PARAM_FILTER] = 0x0b};
        if (request(h, SPEC_REQ_SET_FILTER, p, NULL, 0) || service_irq(h))
            return 1;
    }
    /* from now on the OS's own filter is followed (the TAP's flags) */
    h->filter = 0x0b;
    h->next_timer = h->clock.now + timer_period(h);
    /* the first link report: the spec's own, or its timer's at once;
     * a spec that never reports one leaves the link taken to be up */
    if (h->link < 0 && h->has_timer && !h->virtual_time && timer(h))
        return 1;
    if (h->link < 0) {
        h->link = 1;
        if (h->netdev)
            net_set_carrier(h->netdev, 1);
    }
    return 0;
}

int replay_host_halt(ReplayHost *h)
{
    return request(h, SPEC_REQ_HALT, NULL, NULL, 0);
}

/* Frames from the cable into the model, each one's interrupt served. */
static int pump_wire(ReplayHost *h)
{
    const uint8_t *f;
    ssize_t n = 0;
    for (unsigned i = 0; i < DRAIN_FRAMES && (n = net_recv(h->wire, &f)) > 0; i++) {
        h->st.wire_in++;
        clock_sync(h);
        rx_keep(h, f, (size_t)n);
        nic_model_receive(h->nic, f, (size_t)n);
        if (service_irq(h))
            return 1;
    }
    if (n < 0) {
        fprintf(stderr, "xdrv replay: wire %s: %s\n", net_name(h->wire), net_error(h->wire));
        return -1;
    }
    return 0;
}

/* Frames from the OS: a send request each. One the spec does not send is
 * kept for whoever takes the device over. */
static int pump_netdev(ReplayHost *h)
{
    const uint8_t *f;
    ssize_t n = 0;
    for (unsigned i = 0; i < DRAIN_FRAMES && (n = net_recv(h->netdev, &f)) > 0; i++) {
        uint64_t p[SPEC_PARAM_COUNT_] = {[SPEC_PARAM_LEN] = (uint64_t)n};
        if (request(h, SPEC_REQ_SEND, p, f, (uint32_t)n)) {
            h->st.refused++;
            size_t keep = (size_t)n < sizeof h->stop.frame ? (size_t)n : sizeof h->stop.frame;
            memcpy(h->stop.frame, f, keep);
            h->stop.frame_len = keep;
            return 1;
        }
        if (service_irq(h))
            return 1;
    }
    if (n < 0) {
        fprintf(stderr, "xdrv replay: netdev %s: %s\n", net_name(h->netdev), net_error(h->netdev));
        return -1;
    }
    return 0;
}

/* How long the loop may sleep: until the model's next timer or the spec's
 * next timer request, at most POLL_MAX_MS. */
static int poll_timeout(ReplayHost *h)
{
    uint64_t now = wall_ns() - h->wall0, until = now + POLL_MAX_MS * 1000000ull;
    uint64_t next = dev_clock_next(&h->clock);
    if (next < until)
        until = next;
    if (h->has_timer && h->next_timer < until)
        until = h->next_timer;
    if (until <= now)
        return 0;
    return (int)((until - now + 999999) / 1000000);
}

/* The packet filter the OS asks of a TAP netdev: the binding's directed,
 * multicast and broadcast (ntddndis.h NDIS_PACKET_TYPE_DIRECTED 0x1,
 * _MULTICAST 0x2, _BROADCAST 0x8), plus ALL_MULTICAST (0x4) and
 * PROMISCUOUS (0x20) while the interface has IFF_ALLMULTI / IFF_PROMISC
 * (`ip link set NAME promisc on`; netdevice(7) SIOCGIFFLAGS). -1 when the
 * netdev is not a TAP or its flags cannot be read. */
static int netdev_filter(const ReplayHost *h)
{
    if (!h->netdev || net_kind(h->netdev) != NET_KIND_TAP)
        return -1;
    const char *name = net_name(h->netdev);
    if (strncmp(name, "tap:", 4))
        return -1;
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name + 4);
    int r = ioctl(sock, SIOCGIFFLAGS, &ifr);
    close(sock);
    if (r < 0)
        return -1;
    return 0x0b | (ifr.ifr_flags & IFF_ALLMULTI ? 0x04 : 0) | (ifr.ifr_flags & IFF_PROMISC ? 0x20 : 0);
}

/* Every FLAGS_MS, the OS's filter: a change is a set-filter request. */
#define FLAGS_MS 200u
static int follow_filter(ReplayHost *h)
{
    uint64_t now = wall_ns();
    if (now < h->next_flags)
        return 0;
    h->next_flags = now + FLAGS_MS * 1000000ull;
    int f = netdev_filter(h);
    if (f < 0 || f == h->filter || h->filter < 0)
        return 0;
    h->filter = f;
    uint64_t p[SPEC_PARAM_COUNT_] = {[SPEC_PARAM_FILTER] = (uint64_t)f};
    if (h->verbose)
        fprintf(h->log, "replay: the OS set the packet filter to 0x%x\n", f);
    return request(h, SPEC_REQ_SET_FILTER, p, NULL, 0) || service_irq(h);
}

int replay_host_serve(ReplayHost *h, volatile sig_atomic_t *stop, volatile sig_atomic_t *link_req)
{
    while (!*stop) {
        if (link_req && *link_req >= 0) {
            int up = *link_req;
            *link_req = -1;
            clock_sync(h);
            nic_model_set_link(h->nic, up);
            if (service_irq(h))
                return 1;
        }
        struct pollfd pfd[2];
        nfds_t n = 0;
        if (h->netdev)
            pfd[n++] = (struct pollfd){.fd = net_fd(h->netdev), .events = POLLIN};
        if (h->wire)
            pfd[n++] = (struct pollfd){.fd = net_fd(h->wire), .events = POLLIN};
        if (poll(pfd, n, poll_timeout(h)) < 0 && errno != EINTR) {
            perror("xdrv replay: poll");
            return -1;
        }
        int r = 0;
        if (h->wire && (r = pump_wire(h)) != 0)
            return r;
        if (h->netdev && (r = pump_netdev(h)) != 0)
            return r;
        /* the model's own timers (clock_sync fired them) may raise the line */
        clock_sync(h);
        if (service_irq(h))
            return 1;
        if (h->has_timer && h->clock.now >= h->next_timer) {
            h->next_timer = h->clock.now + timer_period(h);
            if (timer(h))
                return 1;
        }
        if (follow_filter(h))
            return 1;
    }
    return 0;
}

/* ------------------------------------------------- playing a workload */



/* Let `ns` of virtual time pass: the model's timers, and the spec's timer
 * request each second. */
static int pass_time(ReplayHost *h, uint64_t ns)
{
    uint64_t end = h->clock.now + ns;
    while (h->clock.now < end) {
        uint64_t next = end;
        if (h->has_timer && h->next_timer < next)
            next = h->next_timer;
        dev_clock_advance(&h->clock, next);
        if (service_irq(h))
            return 1;
        if (h->has_timer && h->clock.now >= h->next_timer) {
            h->next_timer = h->clock.now + timer_period(h);
            if (timer(h))
                return 1;
        }
    }
    return 0;
}

/* The spec's buffers as the driver's allocations would be recorded: one
 * region each, named by the buffer's `kind` where it gives one (what the
 * driver's host called that memory, "send-buffer" for the OS's packet), by
 * the buffer without its trailing digits otherwise (shared0: "shared"),
 * and a piece of another (`in`) not at all: so a recording of the replay
 * normalizes like the driver's. */
static void trace_buffers(ReplayHost *h)
{
    for (uint32_t b = 0; b < h->spec->nbuffers; b++) {
        const SpecBuffer *sb = &h->spec->buffers[b];
        if (sb->inside)
            continue; /* a piece of its parent's allocation, as the driver cut it */
        char name[SPEC_NAME_MAX];
        if (sb->kind && sb->kind - 1 < h->spec->nstrings) {
            snprintf(name, sizeof name, "%s", h->spec->strings[sb->kind - 1]);
        } else {
            snprintf(name, sizeof name, "%s", sb->name);
            size_t n = strlen(name);
            while (n > 1 && name[n - 1] >= '0' && name[n - 1] <= '9')
                name[--n] = 0;
        }
        uint32_t copies = sb->count ? sb->count : 1;
        /* a ring is one run of descriptors; a buffer array's copies lie
         * apart (each aligned), one allocation each, as a driver's are */
        for (uint32_t i = 0; i < (sb->ring ? 1 : copies); i++) {
            TraceEvent ev = {.kind = TRACE_MEM_REGION,
                             .name = name,
                             .addr = (uint32_t)replay_arena_addr(&h->arena, b, i),
                             .size = sb->ring ? sb->size * copies : sb->size,
                             .value = 1};
            trace_emit(&ev);
        }
    }
}

/* A frame from the cable: into the recording, then to the model. */
static void wire_in(ReplayHost *h, const uint8_t *f, uint32_t len)
{
    TraceEvent fi = {.kind = TRACE_FRAME_IN, .name = "wire", .size = len, .data = f, .len = len};
    trace_emit(&fi);
    nic_model_receive(h->nic, f, len);
}

int replay_host_play(ReplayHost *h, const Workload *w, PlayStats *ps)
{
    static uint8_t frame[WL_FRAME_MAX];
    uint8_t mac[6];
    unsigned mcast = 0, running = 0;
    memset(ps, 0, sizeof *ps);
    h->virtual_time = 1;
    nic_model_mac(h->nic, mac);
    for (size_t i = 0; i < w->nsteps; i++) {
        const WlStep *s = &w->steps[i];
        char params[1024], out[256] = "";
        workload_step_marker(w, i, mac, params, sizeof params, frame);
        TraceEvent b = {.kind = TRACE_REQUEST_BEGIN,
                        .name = workload_kind_name(s->kind),
                        .value = i + 1,
                        .text = params};
        trace_emit(&b);
        int r = 0;
        switch (s->kind) {
        case WL_INIT:
        case WL_REINIT:
            if (running && s->kind == WL_REINIT && (r = replay_host_halt(h)) != 0)
                break;
            if (running && s->kind == WL_INIT) {
                snprintf(out, sizeof out, "skipped: the adapter is already up");
                break;
            }
            if (!ps->regions_traced) {
                trace_buffers(h);
                ps->regions_traced = 1;
            }
            r = replay_host_start(h);
            running = !r;
            snprintf(out, sizeof out, "up mac=%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1],
                     mac[2], mac[3], mac[4], mac[5]);
            break;
        case WL_HALT:
            if (!running) {
                snprintf(out, sizeof out, "skipped: the adapter is not up");
                break;
            }
            r = replay_host_halt(h);
            running = 0;
            snprintf(out, sizeof out, "halted");
            break;
        case WL_SEND: {
            unsigned n = s->count >= 1 && s->count <= WL_SEND_BURST_MAX ? s->count : 1;
            static uint8_t f[WL_FRAME_MAX];
            if (s->arrive) {
                /* a frame to the adapter first, as the exerciser does:
                 * its interrupt is served with the send's */
                WlStep a = workload_arrival(s);
                workload_frame(w, i, &a, mac, f);
                wire_in(h, f, a.len);
            }
            uint64_t before = h->st.receives;
            for (unsigned k = 0; k < n && !r; k++) {
                workload_burst_frame(f, frame, s->len, k);
                uint64_t p[SPEC_PARAM_COUNT_] = {[SPEC_PARAM_LEN] = s->len};
                r = request(h, SPEC_REQ_SEND, p, f, s->len) || service_irq(h);
            }
            snprintf(out, sizeof out, "%u frame(s) sent", n);
            if (s->arrive)
                snprintf(out + strlen(out), sizeof out - strlen(out),
                         ", %llu frame(s) indicated to the OS",
                         (unsigned long long)(h->st.receives - before));
            break;
        }
        case WL_RECEIVE: {
            unsigned n = s->count ? s->count : 1;
            uint64_t before = h->st.receives;
            static uint8_t f[WL_FRAME_MAX];
            for (unsigned k = 0; k < n; k++) {
                workload_burst_frame(f, frame, s->len, k);
                wire_in(h, f, s->len);
            }
            r = service_irq(h);
            snprintf(out, sizeof out, "%llu frame(s) indicated to the OS",
                     (unsigned long long)(h->st.receives - before));
            break;
        }
        case WL_FILTER: {
            uint64_t p[SPEC_PARAM_COUNT_] = {[SPEC_PARAM_FILTER] = s->filter};
            r = request(h, SPEC_REQ_SET_FILTER, p, NULL, 0) || service_irq(h);
            break;
        }
        case WL_MULTICAST: {
            /* the list after this change: its length is the request's */
            if (s->mcast_op == WL_MCAST_CLEAR)
                mcast = 0;
            else if (s->mcast_op == WL_MCAST_ADD)
                mcast += s->nmacs;
            else
                mcast = mcast > s->nmacs ? mcast - s->nmacs : 0;
            uint64_t p[SPEC_PARAM_COUNT_] = {[SPEC_PARAM_COUNT] = mcast};
            r = request(h, SPEC_REQ_MULTICAST, p, NULL, 0) || service_irq(h);
            break;
        }
        case WL_LINK:
            nic_model_set_link(h->nic, s->up);
            r = service_irq(h);
            snprintf(out, sizeof out, "link %s", s->up ? "up" : "down");
            break;
        case WL_RESET:
            r = request(h, SPEC_REQ_RESET, NULL, NULL, 0) || service_irq(h);
            break;
        case WL_WAIT:
            r = pass_time(h, (uint64_t)s->ms * 1000000ull);
            snprintf(out, sizeof out, "waited");
            break;
        default:
            /* queries, sets of other OIDs, injected conditions, failed
             * exports, parameters, PnP: nothing a spec request stands for */
            ps->skipped++;
            snprintf(out, sizeof out, "not played: no spec request for it");
            break;
        }
        if (r) {
            char why[256];
            replay_host_stop_text(h, why, sizeof why);
            snprintf(out, sizeof out, "not served: %.200s", why);
        }
        /* what the exerciser lets pass after each request */
        if (!r && running)
            r = pass_time(h, 1000000ull);
        TraceEvent e = {.kind = TRACE_REQUEST_END,
                        .name = workload_kind_name(s->kind),
                        .value = i + 1,
                        .text = out};
        trace_emit(&e);
        ps->played++;
        if (r)
            return r;
    }
    return 0;
}
