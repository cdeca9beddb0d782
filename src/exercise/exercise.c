/* The exerciser and the recorder (exercise.h): workload steps become NDIS
 * requests and cable events on the machine, each bracketed in the trace;
 * the recorder completes events (time, cause) on their way to the file. */
#include "exercise/exercise.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dev/dev.h"
#include "nt/failpoint.h"
#include "nt/ndis/ndis.h"
#include "nt/ntoskrnl/registry.h"

/* ------------------------------------------------------------- recorder */

struct Recorder {
    Vm *vm;
    XtrWriter *w;
    NetPcap *pcap;
    char module[64];
    GuestAddr base;
    uint32_t size;
    int covering;
};

Recorder *recorder_new(Vm *vm, XtrWriter *w, NetPcap *pcap)
{
    Recorder *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->vm = vm;
    r->w = w;
    r->pcap = pcap;
    return r;
}

void recorder_free(Recorder *r)
{
    free(r);
}

/* Emitters below src/vm do not know the guest CPU: time and cause are
 * filled here, so every event of a recording has both. */
void recorder_sink(void *opaque, const TraceEvent *ev)
{
    Recorder *r = opaque;
    TraceEvent e = *ev;
    e.vtime = vm_time_ns(r->vm);
    e.depth = vm_depth(r->vm);
    if (!e.pc)
        e.pc = vm_cause_pc(r->vm);
    if (e.kind == TRACE_MEM_REGION) {
        /* the driver fills descriptors and buffers here: watch its stores */
        if (e.value)
            vm_watch_stores(r->vm, e.addr, e.size);
        else
            vm_unwatch_stores(r->vm, e.addr);
    }
    if (r->pcap && (e.kind == TRACE_FRAME_IN || e.kind == TRACE_FRAME_OUT) && e.name &&
        !strcmp(e.name, "wire") && e.data)
        net_pcap_write(r->pcap, e.vtime, e.data, e.len);
    xtr_write(r->w, &e);
}

int recorder_add_module(Recorder *r, const char *name, const char *path, GuestAddr base,
                        uint32_t size)
{
    snprintf(r->module, sizeof r->module, "%s", name);
    r->base = base;
    r->size = size;
    TraceEvent ev = {.kind = TRACE_MODULE, .name = name, .text = path, .addr = base, .size = size};
    trace_emit(&ev);
    if (vm_cover(r->vm, base, size) < 0)
        return -1;
    r->covering = 1;
    return 0;
}

void recorder_flush_blocks(Recorder *r)
{
    if (!r || !r->covering)
        return;
    const uint32_t *pairs;
    size_t n = vm_cover_take(r->vm, &pairs);
    if (!n)
        return;
    uint8_t *data = malloc(n * 8);
    if (!data)
        return;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t rva = pairs[2 * i] - r->base, sz = pairs[2 * i + 1];
        for (int b = 0; b < 4; b++) {
            data[8 * k + (size_t)b] = (uint8_t)(rva >> (8 * b));
            data[8 * k + 4 + (size_t)b] = (uint8_t)(sz >> (8 * b));
        }
        k++;
    }
    TraceEvent ev = {.kind = TRACE_BLOCKS,
                     .name = r->module,
                     .size = (uint32_t)k,
                     .data = data,
                     .len = (uint32_t)(8 * k)};
    trace_emit(&ev);
    free(data);
}

/* ------------------------------------------------------------- requests */

#define STEP_NS 1000000ull         /* virtual time after a request: 1 ms */
#define LINK_NS 10000000ull        /* after a link change: 10 ms */
#define OVERFLOW_FRAMES 128u       /* inject rx-overflow without count= */
#define BURST_FRAMES 64u           /* inject rx-burst without count= */
#define QUERY_MAX 1024u

struct Exerciser {
    Machine *m;
    Nt *nt;
    Vm *vm;
    Recorder *rec;
    char service[128];
    FILE *log;
    int verbose;
    uint64_t nreq;
    const char *cur; /* the open request's name */
    ExerciseStats st;
    uint8_t mcast[WL_MAX_MACS][6];
    unsigned nmcast;
};

Exerciser *exerciser_new(Machine *m, Nt *nt, Recorder *rec, const char *service, FILE *log,
                         int verbose)
{
    Exerciser *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->m = m;
    x->nt = nt;
    x->vm = nt->vm;
    x->rec = rec;
    snprintf(x->service, sizeof x->service, "%s", service);
    x->log = log;
    x->verbose = verbose;
    return x;
}

void exerciser_free(Exerciser *x)
{
    free(x);
}

void exerciser_stats(const Exerciser *x, ExerciseStats *st)
{
    *st = x->st;
}

void exerciser_begin(Exerciser *x, const char *name, const char *text)
{
    x->cur = name;
    x->nreq++;
    TraceEvent ev = {.kind = TRACE_REQUEST_BEGIN, .name = name, .value = x->nreq, .text = text};
    trace_emit(&ev);
}

void exerciser_end(Exerciser *x, const char *outcome)
{
    recorder_flush_blocks(x->rec);
    TraceEvent ev = {.kind = TRACE_REQUEST_END, .name = x->cur, .value = x->nreq, .text = outcome};
    trace_emit(&ev);
    if (x->log && x->verbose)
        fprintf(x->log, "xdrv: request %" PRIu64 " %s: %s\n", x->nreq, x->cur, outcome);
}


/* printf onto the end of what out already holds. */
static void append(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *out, size_t len, const char *fmt, ...)
{
    size_t o = strlen(out);
    va_list ap;
    va_start(ap, fmt);
    if (o < len)
        vsnprintf(out + o, len - o, fmt, ap);
    va_end(ap);
}

/* An NDIS status as a request's outcome: -1 when the run stopped; a
 * status other than success counts as a failed request. */
static int status_outcome(Exerciser *x, int64_t st, char *out, size_t len)
{
    if (st < 0)
        return -1;
    if (st != NDIS_STATUS_SUCCESS)
        x->st.failed++;
    snprintf(out, len, "status=0x%08" PRIx64, (uint64_t)st);
    return 0;
}

static int stopped(Exerciser *x)
{
    return vm_stopped(x->vm);
}

static int step_time(Exerciser *x, uint64_t ns)
{
    return machine_step(x->m, ns) < 0 && stopped(x) ? -1 : 0;
}

static void mac_text(const uint8_t *mac, char *out)
{
    sprintf(out, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}


static void own_mac(Exerciser *x, uint8_t mac[6])
{
    static const uint8_t fallback[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    if (machine_nic_mac(x->m, mac) < 0)
        memcpy(mac, fallback, 6);
}

static int do_init(Exerciser *x, char *out, size_t len)
{
    if (machine_nic_running(x->m)) {
        snprintf(out, len, "skipped: the adapter is already up");
        x->st.skipped++;
        return 0;
    }
    char err[512];
    if (machine_start_nic(x->m, x->service, NULL, err, sizeof err) < 0) {
        if (stopped(x))
            return -1;
        snprintf(out, len, "failed: %.200s", err);
        x->st.failed++;
        return 0;
    }
    uint8_t mac[6];
    char t[24];
    own_mac(x, mac);
    mac_text(mac, t);
    snprintf(out, len, "up mac=%s", t);
    return step_time(x, STEP_NS);
}

static int do_halt(Exerciser *x, char *out, size_t len)
{
    if (!machine_nic_running(x->m)) {
        snprintf(out, len, "skipped: the adapter is not up");
        x->st.skipped++;
        return 0;
    }
    if (machine_stop_nic(x->m) < 0)
        return -1;
    snprintf(out, len, "halted");
    return 0;
}


/* A send step: `count` packets (usually one) in one MiniportSendPackets,
 * each in `frags` buffers; every packet of a burst differs in its last
 * payload bytes. Returns how many were refused for resources, or -1. */
static int send_frames(Exerciser *x, const Workload *w, size_t index, const WlStep *s)
{
    static uint8_t frames[WL_SEND_BURST_MAX][WL_FRAME_MAX];
    const uint8_t *fp[WL_SEND_BURST_MAX];
    size_t lens[WL_SEND_BURST_MAX];
    uint8_t mac[6];
    unsigned n = s->count >= 1 && s->count <= WL_SEND_BURST_MAX ? s->count : 1;
    own_mac(x, mac);
    workload_frame(w, index, s, mac, frames[0]);
    for (unsigned i = 0; i < n; i++) {
        workload_burst_frame(frames[i], frames[0], s->len, i);
        fp[i] = frames[i];
        lens[i] = s->len;
    }
    int r = machine_nic_send_burst(x->m, fp, lens, n, s->frags ? s->frags : 1, s->in_page);
    if (r < 0)
        return -1;
    x->st.sends += n;
    x->st.send_resources += (uint64_t)r;
    return r;
}

static int wire_frames(Exerciser *x, const Workload *w, size_t index, const WlStep *s,
                       uint32_t count)
{
    uint8_t base[WL_FRAME_MAX], frame[WL_FRAME_MAX], mac[6];
    own_mac(x, mac);
    workload_frame(w, index, s, mac, base);
    for (uint32_t i = 0; i < count; i++) {
        workload_burst_frame(frame, base, s->len, i);
        if (machine_wire_frame(x->m, frame, s->len) < 0)
            return -1;
        x->st.wire_frames++;
    }
    return 0;
}

static int do_inject(Exerciser *x, const Workload *w, size_t index, const WlStep *s, char *out,
                     size_t len)
{
    WlStep f = *s;
    f.kind = WL_SEND;
    f.len = 60;
    f.payload = WL_PAYLOAD_COUNTER;
    f.dest = WL_DEST_OTHER;
    f.count = 1;
    f.frags = 1;
    switch (s->cond) {
    case WL_COND_TX_ERROR:
    case WL_COND_TX_UNDERRUN: {
        int r = machine_nic_inject(
            x->m, s->cond == WL_COND_TX_ERROR ? DEV_COND_TX_ERROR : DEV_COND_TX_UNDERRUN);
        if (r != 0) {
            snprintf(out, len, "not reported by this chip");
            x->st.unsupported++;
            return 0;
        }
        /* the next transmit fails: make one */
        int sr = send_frames(x, w, index, &f);
        if (sr < 0)
            return -1;
        snprintf(out, len, "armed, then a 60-byte send %s", sr ? "(no resources)" : "taken");
        return step_time(x, STEP_NS);
    }
    case WL_COND_RX_OVERFLOW:
    case WL_COND_RX_BURST: {
        /* frames back to back before the driver runs: more than any ring
         * holds (overflow: full-size frames; burst: minimum-size ones) */
        uint32_t n = s->count ? s->count
                              : (s->cond == WL_COND_RX_OVERFLOW ? OVERFLOW_FRAMES : BURST_FRAMES);
        WlStep r = *s;
        r.kind = WL_RECEIVE;
        r.len = s->cond == WL_COND_RX_OVERFLOW ? 1514 : 60;
        r.dest = WL_DEST_SELF;
        r.payload = WL_PAYLOAD_COUNTER;
        if (wire_frames(x, w, index, &r, n) < 0)
            return -1;
        snprintf(out, len, "%u frames of %u bytes back to back", n, r.len);
        return step_time(x, STEP_NS);
    }
    case WL_COND_SPURIOUS_IRQ:
        if (machine_spurious_irq(x->m) < 0)
            return stopped(x) ? -1 : 0;
        snprintf(out, len, "line raised with no cause");
        return step_time(x, STEP_NS);
    case WL_COND_RX_CRC_ERROR: {
        if (machine_nic_inject(x->m, DEV_COND_RX_CRC_ERROR) != 0) {
            snprintf(out, len, "not reported by this chip");
            x->st.unsupported++;
            return 0;
        }
        WlStep r = *s;
        r.kind = WL_RECEIVE;
        r.len = 60;
        r.dest = WL_DEST_SELF;
        r.payload = WL_PAYLOAD_COUNTER;
        if (wire_frames(x, w, index, &r, 1) < 0)
            return -1;
        snprintf(out, len, "a 60-byte frame with a bad FCS");
        return step_time(x, STEP_NS);
    }
    case WL_COND_RESET_HANG:
        if (machine_nic_inject(x->m, DEV_COND_RESET_HANG) != 0) {
            snprintf(out, len, "not reported by this chip");
            x->st.unsupported++;
            return 0;
        }
        snprintf(out, len, "armed: the chip's next software reset never completes");
        return 0;
    case WL_COND_LINK_LOSS_SEND: {
        int sr = send_frames(x, w, index, &f);
        if (sr < 0)
            return -1;
        if (machine_set_link(x->m, 0) < 0 || step_time(x, LINK_NS) < 0 ||
            machine_set_link(x->m, 1) < 0 || step_time(x, LINK_NS) < 0)
            return stopped(x) ? -1 : 0;
        snprintf(out, len, "send %s, link down for 10 ms, up", sr ? "(no resources)" : "taken");
        return 0;
    }
    case WL_COND_COUNT:
        break;
    }
    snprintf(out, len, "unknown condition");
    return 0;
}

static void hex_text(const uint8_t *p, uint32_t n, char *out, size_t len)
{
    size_t o = 0;
    for (uint32_t i = 0; i < n && o + 3 < len; i++)
        o += (size_t)snprintf(out + o, len - o, "%02x", p[i]);
    out[o] = 0;
}

static int do_step(Exerciser *x, const Workload *w, size_t index, char *out, size_t len)
{
    const WlStep *s = &w->steps[index];
    int running = machine_nic_running(x->m);
    int64_t st;
    uint32_t n1 = 0, n2 = 0;
    /* requests that need the adapter up */
    if (!running && s->kind != WL_INIT && s->kind != WL_REINIT && s->kind != WL_HALT &&
        s->kind != WL_WAIT && s->kind != WL_LINK && s->kind != WL_FAIL && s->kind != WL_PARAM) {
        snprintf(out, len, "skipped: the adapter is not up");
        x->st.skipped++;
        return 0;
    }
    switch (s->kind) {
    case WL_INIT:
        return do_init(x, out, len);
    case WL_HALT:
        return do_halt(x, out, len);
    case WL_REINIT:
        if (running && machine_stop_nic(x->m) < 0)
            return -1;
        return do_init(x, out, len);
    case WL_SEND: {
        MachineStats before, after;
        machine_stats(x->m, &before);
        if (s->arrive) {
            /* a frame to the adapter first, its interrupt not yet
             * serviced: the send's interrupt finds both causes */
            WlStep a = workload_arrival(s);
            if (wire_frames(x, w, index, &a, 1) < 0)
                return -1;
        }
        int r = send_frames(x, w, index, s);
        if (r < 0 || step_time(x, STEP_NS) < 0)
            return -1;
        machine_stats(x->m, &after);
        x->st.transmitted += after.wire_tx - before.wire_tx;
        snprintf(out, len, "%u refused for resources, %" PRIu64 " frame(s) on the cable", r,
                 after.wire_tx - before.wire_tx);
        if (s->arrive) {
            x->st.indicated += after.netdev_tx - before.netdev_tx;
            append(out, len, ", %" PRIu64 " frame(s) indicated to the OS",
                   after.netdev_tx - before.netdev_tx);
        }
        return 0;
    }
    case WL_RECEIVE: {
        MachineStats before, after;
        machine_stats(x->m, &before);
        if (wire_frames(x, w, index, s, s->count ? s->count : 1) < 0 || step_time(x, STEP_NS) < 0)
            return -1;
        machine_stats(x->m, &after);
        x->st.indicated += after.netdev_tx - before.netdev_tx;
        snprintf(out, len, "%" PRIu64 " frame(s) indicated to the OS",
                 after.netdev_tx - before.netdev_tx);
        return 0;
    }
    case WL_FILTER: {
        uint32_t f = s->filter;
        st = machine_nic_set(x->m, OID_GEN_CURRENT_PACKET_FILTER, &f, 4, &n1, &n2);
        if (status_outcome(x, st, out, len) < 0)
            return -1;
        return step_time(x, STEP_NS);
    }
    case WL_MULTICAST: {
        unsigned refused = 0;
        if (s->mcast_op == WL_MCAST_CLEAR)
            x->nmcast = 0;
        for (uint32_t i = 0; i < s->nmacs; i++) {
            unsigned k = 0;
            while (k < x->nmcast && memcmp(x->mcast[k], s->macs[i], 6))
                k++;
            if (s->mcast_op == WL_MCAST_ADD && k == x->nmcast && x->nmcast == WL_MAX_MACS)
                refused++; /* the list the exerciser keeps is full: said in the outcome */
            else if (s->mcast_op == WL_MCAST_ADD && k == x->nmcast)
                memcpy(x->mcast[x->nmcast++], s->macs[i], 6);
            if (s->mcast_op == WL_MCAST_REMOVE && k < x->nmcast) {
                memmove(x->mcast[k], x->mcast[k + 1], (x->nmcast - k - 1) * 6u);
                x->nmcast--;
            }
        }
        st = machine_nic_set(x->m, OID_802_3_MULTICAST_LIST, x->mcast, x->nmcast * 6u, &n1, &n2);
        if (status_outcome(x, st, out, len) < 0)
            return -1;
        append(out, len, " list=%u%s", x->nmcast,
               refused ? " (list full: addresses past 32 not added)" : "");
        return step_time(x, STEP_NS);
    }
    case WL_QUERY: {
        uint8_t buf[QUERY_MAX];
        memset(buf, 0, sizeof buf);
        uint32_t blen = s->buflen <= QUERY_MAX ? s->buflen : QUERY_MAX;
        st = machine_nic_query(x->m, s->oid, buf, blen, &n1, &n2);
        if (status_outcome(x, st, out, len) < 0)
            return -1;
        /* the whole answer up to 256 bytes (OID_GEN_SUPPORTED_LIST's list
         * of OIDs is what an explorer queries next) */
        char hex[2 * 256 + 1];
        uint32_t shown = n1 < blen ? n1 : blen;
        hex_text(buf, shown < 256 ? shown : 256, hex, sizeof hex);
        append(out, len, " written=%u needed=%u value=%s%s", n1, n2, hex,
               shown > 256 ? "..." : "");
        return 0;
    }
    case WL_SET: {
        st = machine_nic_set(x->m, s->oid, s->value, s->value_len, &n1, &n2);
        if (status_outcome(x, st, out, len) < 0)
            return -1;
        append(out, len, " read=%u needed=%u", n1, n2);
        return step_time(x, STEP_NS);
    }
    case WL_LINK:
        if (machine_set_link(x->m, s->up) < 0)
            return stopped(x) ? -1 : 0;
        snprintf(out, len, "cable %s", s->up ? "plugged" : "pulled");
        return step_time(x, LINK_NS);
    case WL_RESET:
        if (status_outcome(x, machine_nic_reset(x->m), out, len) < 0)
            return -1;
        return step_time(x, STEP_NS);
    case WL_INJECT:
        return do_inject(x, w, index, s, out, len);
    case WL_WAIT:
        snprintf(out, len, "waited");
        return step_time(x, (uint64_t)s->ms * 1000000ull);
    case WL_FAIL: {
        char err[256];
        if (nt_fail_arm(x->nt, s->api, s->count ? s->count : 1, err, sizeof err) < 0) {
            snprintf(out, len, "refused: %.200s", err);
            x->st.failed++;
            return 0;
        }
        snprintf(out, len, "armed: call %u of %s from now fails", s->count ? s->count : 1, s->api);
        return 0;
    }
    case WL_PARAM:
        if (nt_reg_set_param(x->nt, x->service, s->pname, s->pvalue) < 0) {
            snprintf(out, len, "refused: cannot store %s=%s", s->pname, s->pvalue);
            x->st.failed++;
            return 0;
        }
        snprintf(out, len, "stored (read at the next initialize)");
        return 0;
    case WL_PNP: {
        int r = s->pnp == WL_PNP_SURPRISE_REMOVAL
                    ? machine_nic_surprise_removal(x->m)
                    : machine_nic_power_profile(x->m, s->pnp == WL_PNP_POWER_AC);
        if (r < 0)
            return -1;
        snprintf(out, len, "%s%s",
                 s->pnp == WL_PNP_SURPRISE_REMOVAL ? "the card left the bus; " : "",
                 r ? "the miniport has no MiniportPnPEventNotify" : "MiniportPnPEventNotify ran");
        return step_time(x, STEP_NS);
    }
    case WL_SHUTDOWN: {
        int r = machine_nic_shutdown(x->m);
        if (r < 0)
            return -1;
        snprintf(out, len, r ? "no shutdown handler registered" : "shutdown handler ran");
        return step_time(x, STEP_NS);
    }
    case WL_KIND_COUNT:
        break;
    }
    snprintf(out, len, "unknown request");
    return 0;
}

int exerciser_run(Exerciser *x, const Workload *w)
{
    for (size_t i = 0; i < w->nsteps; i++) {
        const WlStep *s = &w->steps[i];
        char params[1024], out[1024];
        /* the marker carries the request as its workload line, and for a
         * frame the payload's fingerprint */
        uint8_t mac[6];
        own_mac(x, mac);
        workload_step_marker(w, i, mac, params, sizeof params, NULL);
        exerciser_begin(x, workload_kind_name(s->kind), params);
        x->st.requests++;
        int r = do_step(x, w, i, out, sizeof out);
        if (r < 0 || stopped(x)) {
            exerciser_end(x, "fault: the driver stopped the run");
            return -1;
        }
        exerciser_end(x, out);
    }
    return 0;
}

int exerciser_finish(Exerciser *x)
{
    if (!machine_nic_running(x->m))
        return 0;
    exerciser_begin(x, "halt", "end of workload");
    char out[128];
    if (do_halt(x, out, sizeof out) < 0 || stopped(x)) {
        exerciser_end(x, "fault: the driver stopped the run");
        return -1;
    }
    exerciser_end(x, out);
    return 0;
}
