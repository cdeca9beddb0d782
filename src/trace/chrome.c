/* Trace events as Chrome trace-event JSON (the "Trace Event Format"
 * document, also read by Perfetto's UI): entry points, kernel calls and OS
 * requests as slices on their own tracks, hardware access as instants, the
 * interrupt line as a counter. docs/formats/trace.md gives the mapping. */
#include "trace/xtr.h"
#include "trace/json.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Tracks (tids). Entry points get one each from CH_TID_ENTRY0 on, in the
 * order they first appear; past CH_ENTRIES_MAX they share one. */
enum {
    CH_TID_REQUESTS = 1,
    CH_TID_API = 2,
    CH_TID_HOST = 3,
    CH_TID_DEVICE = 4,
    CH_TID_OTHER = 9,
    CH_TID_ENTRY0 = 10,
};
#define CH_ENTRIES_MAX 240
#define CH_STACK_MAX 1024 /* open slices per stack; deeper ones are not drawn */
#define CH_NAME 64        /* names are matched on their first 63 bytes */

typedef struct ChStack {
    struct {
        char name[CH_NAME];
        uint64_t value;
        unsigned tid;
    } e[CH_STACK_MAX];
    unsigned n;
} ChStack;

struct XtrChrome {
    FILE *out;
    int nevents;
    uint64_t ts; /* the last timestamp written, ns */
    XtrModules mods;
    unsigned char named[CH_TID_ENTRY0 + CH_ENTRIES_MAX];
    char entry[CH_ENTRIES_MAX][CH_NAME];
    unsigned nentry;
    ChStack guest, api, req;
};

static void chrome_clip(char *dst, const char *src)
{
    size_t n = src ? strnlen(src, CH_NAME - 1) : 0;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static void chrome_open(XtrChrome *c)
{
    fputs(c->nevents++ ? ",\n{" : "{", c->out);
}

static void chrome_ts(XtrChrome *c)
{
    fprintf(c->out, ",\"ts\":%" PRIu64 ".%03" PRIu64, c->ts / 1000, c->ts % 1000);
}

static const char *chrome_track_name(XtrChrome *c, unsigned tid)
{
    switch (tid) {
    case CH_TID_REQUESTS:
        return "requests";
    case CH_TID_API:
        return "api";
    case CH_TID_HOST:
        return "host";
    case CH_TID_DEVICE:
        return "device";
    case CH_TID_OTHER:
        return "other entry points";
    default:
        return c->entry[tid - CH_TID_ENTRY0];
    }
}

/* The track's name and place, before its first event. */
static void chrome_track(XtrChrome *c, unsigned tid)
{
    if (c->named[tid])
        return;
    c->named[tid] = 1;
    chrome_open(c);
    fprintf(c->out,
            "\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"args\":{\"name\":", tid);
    json_string(c->out, chrome_track_name(c, tid));
    fputs("}}", c->out);
    chrome_open(c);
    fprintf(c->out,
            "\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":1,\"tid\":%u,"
            "\"args\":{\"sort_index\":%u}}",
            tid, tid);
}

static unsigned chrome_entry_tid(XtrChrome *c, const char *name, int create)
{
    char n[CH_NAME];
    chrome_clip(n, name);
    for (unsigned i = 0; i < c->nentry; i++)
        if (!strcmp(c->entry[i], n))
            return CH_TID_ENTRY0 + i;
    if (c->nentry == CH_ENTRIES_MAX)
        return CH_TID_OTHER;
    if (!create)
        return 0;
    memcpy(c->entry[c->nentry], n, sizeof n);
    return CH_TID_ENTRY0 + c->nentry++;
}

/* Where an instant goes: driver-side events on the innermost open entry
 * point (so register accesses show inside the ISR that made them). */
static unsigned chrome_instant_tid(const XtrChrome *c, TraceKind k)
{
    switch (k) {
    case TRACE_FRAME_IN:
    case TRACE_FRAME_OUT:
    case TRACE_DMA_READ:
    case TRACE_DMA_WRITE:
    case TRACE_MEM_REGION:
        return CH_TID_DEVICE;
    case TRACE_NOTE:
    case TRACE_MODULE:
    case TRACE_BLOCKS:
    case TRACE_END:
        return CH_TID_HOST;
    default:
        return c->guest.n ? c->guest.e[c->guest.n - 1].tid : CH_TID_HOST;
    }
}

/* ,"args":{...} with the event's fields: those its kind uses and any
 * other that is set, as in the dump (numbers that may exceed 2^53 as hex
 * strings: JSON readers hold numbers in doubles). */
static void chrome_args(XtrChrome *c, const TraceEvent *ev, unsigned fields)
{
    FILE *f = c->out;
    int n = 0;
    fputs(",\"args\":{", f);
    if ((fields & XTR_F_NAME) && ev->name) {
        fputs("\"name\":", f);
        json_string(f, ev->name);
        n++;
    }
    if (fields & XTR_F_ADDR)
        fprintf(f, "%s\"addr\":\"0x%" PRIx32 "\"", n++ ? "," : "", ev->addr);
    if (fields & XTR_F_SIZE)
        fprintf(f, "%s\"size\":%" PRIu32, n++ ? "," : "", ev->size);
    if (fields & XTR_F_VALUE)
        fprintf(f, "%s\"value\":\"0x%" PRIx64 "\"", n++ ? "," : "", ev->value);
    if ((fields & XTR_F_REG) && ev->reg) {
        fprintf(f, "%s\"reg\":", n++ ? "," : "");
        json_string(f, ev->reg);
    }
    if ((fields & XTR_F_TEXT) && ev->text) {
        fprintf(f, "%s\"text\":", n++ ? "," : "");
        json_string(f, ev->text);
    }
    if ((fields & XTR_F_DATA) && ev->data && ev->len)
        fprintf(f, "%s\"len\":%" PRIu32, n++ ? "," : "", ev->len);
    if ((fields & XTR_F_PC) && ev->pc) {
        char pc[96];
        fprintf(f, "%s\"pc\":", n++ ? "," : "");
        json_string(f, xtr_format_pc(&c->mods, ev->pc, pc, sizeof pc));
    }
    putc('}', f);
}

static unsigned chrome_fields(const TraceEvent *ev)
{
    unsigned f = xtr_kind_fields(ev->kind) | XTR_F_PC;
    f |= ev->name ? XTR_F_NAME : 0;
    f |= ev->addr ? XTR_F_ADDR : 0;
    f |= ev->size ? XTR_F_SIZE : 0;
    f |= ev->value ? XTR_F_VALUE : 0;
    f |= ev->reg ? XTR_F_REG : 0;
    f |= ev->text ? XTR_F_TEXT : 0;
    f |= ev->data && ev->len ? XTR_F_DATA : 0;
    return f;
}

static void chrome_begin(XtrChrome *c, ChStack *st, unsigned tid, const TraceEvent *ev,
                         unsigned fields)
{
    if (st->n == CH_STACK_MAX)
        return; /* too deep to draw; its end will find no match */
    chrome_clip(st->e[st->n].name, ev->name);
    st->e[st->n].value = ev->value;
    st->e[st->n].tid = tid;
    st->n++;
    chrome_track(c, tid);
    chrome_open(c);
    fputs("\"name\":", c->out);
    json_string(c->out, ev->name ? ev->name : trace_kind_name(ev->kind));
    fprintf(c->out, ",\"ph\":\"B\"");
    chrome_ts(c);
    fprintf(c->out, ",\"pid\":1,\"tid\":%u", tid);
    chrome_args(c, ev, fields);
    putc('}', c->out);
}

static void chrome_end_one(XtrChrome *c, unsigned tid, const TraceEvent *ev, unsigned fields)
{
    chrome_open(c);
    fputs("\"ph\":\"E\"", c->out);
    chrome_ts(c);
    fprintf(c->out, ",\"pid\":1,\"tid\":%u", tid);
    if (ev)
        chrome_args(c, ev, fields);
    putc('}', c->out);
}

/* Ends the innermost open slice that `ev` closes (same name; for requests
 * also the same number; for entry points the same track). Slices opened
 * after it on the same track end with it: their ends were never seen. An
 * end that matches nothing open is dropped, so every E has its B. */
static void chrome_end(XtrChrome *c, ChStack *st, const TraceEvent *ev, int by_value, int by_tid,
                       unsigned tid, unsigned fields)
{
    char name[CH_NAME];
    chrome_clip(name, ev->name);
    unsigned i = st->n;
    while (i-- > 0) {
        if (by_tid ? st->e[i].tid == tid
                   : !strcmp(st->e[i].name, name) && (!by_value || st->e[i].value == ev->value))
            break;
    }
    if (i == (unsigned)-1)
        return;
    if (by_tid) {
        /* entry points: other tracks' slices stay open */
        memmove(&st->e[i], &st->e[i + 1], (st->n - i - 1) * sizeof st->e[0]);
        st->n--;
        chrome_end_one(c, tid, ev, fields);
        return;
    }
    while (st->n > i + 1)
        chrome_end_one(c, st->e[--st->n].tid, NULL, 0);
    st->n--;
    chrome_end_one(c, st->e[i].tid, ev, fields);
}

static void chrome_instant(XtrChrome *c, const TraceEvent *ev)
{
    unsigned tid = chrome_instant_tid(c, ev->kind);
    chrome_track(c, tid);
    chrome_open(c);
    /* "PORT_WRITE CR": the register shows on the arrow itself */
    fprintf(c->out, "\"name\":\"%s", trace_kind_name(ev->kind));
    if (ev->reg) {
        putc(' ', c->out);
        json_string_body(c->out, ev->reg);
    }
    fputs("\",\"ph\":\"i\",\"s\":\"t\"", c->out);
    chrome_ts(c);
    fprintf(c->out, ",\"pid\":1,\"tid\":%u", tid);
    chrome_args(c, ev, chrome_fields(ev));
    putc('}', c->out);
}

XtrChrome *xtr_chrome_new(FILE *out)
{
    if (!out)
        return NULL;
    XtrChrome *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->out = out;
    fputs("{\"traceEvents\":[\n", out);
    chrome_open(c);
    fputs("\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"args\":{\"name\":\"xdrv\"}}", out);
    return c;
}

void xtr_chrome_event(XtrChrome *c, const TraceEvent *ev)
{
    if (!c || !ev || (unsigned)ev->kind >= TRACE_KIND_COUNT)
        return;
    /* a timestamp never goes back: slices keep non-negative durations */
    if (ev->vtime > c->ts)
        c->ts = ev->vtime;
    unsigned f = chrome_fields(ev);
    switch (ev->kind) {
    case TRACE_GUEST_CALL:
        chrome_begin(c, &c->guest, chrome_entry_tid(c, ev->name, 1), ev, f & ~XTR_F_NAME);
        break;
    case TRACE_GUEST_RETURN: {
        unsigned tid = chrome_entry_tid(c, ev->name, 0);
        if (tid)
            chrome_end(c, &c->guest, ev, 0, 1, tid, f & ~XTR_F_NAME);
        break;
    }
    case TRACE_API_CALL:
        chrome_begin(c, &c->api, CH_TID_API, ev, f & ~XTR_F_NAME);
        break;
    case TRACE_API_RETURN:
        chrome_end(c, &c->api, ev, 0, 0, CH_TID_API, f & ~XTR_F_NAME);
        break;
    case TRACE_REQUEST_BEGIN:
        chrome_begin(c, &c->req, CH_TID_REQUESTS, ev, f & ~XTR_F_NAME);
        break;
    case TRACE_REQUEST_END:
        chrome_end(c, &c->req, ev, 1, 0, CH_TID_REQUESTS, f & ~XTR_F_NAME);
        break;
    case TRACE_IRQ_RAISE:
    case TRACE_IRQ_LOWER:
        chrome_open(c);
        fputs("\"name\":\"irq line\",\"ph\":\"C\"", c->out);
        chrome_ts(c);
        fprintf(c->out, ",\"pid\":1,\"args\":{\"level\":%d}}", ev->kind == TRACE_IRQ_RAISE);
        break;
    default:
        chrome_instant(c, ev);
        break;
    }
    xtr_modules_note(&c->mods, ev);
}

int xtr_chrome_finish(XtrChrome *c)
{
    if (!c)
        return -1;
    /* slices whose end was never seen (a fault, a trace cut short) end at
     * the last timestamp, innermost first */
    while (c->guest.n)
        chrome_end_one(c, c->guest.e[--c->guest.n].tid, NULL, 0);
    while (c->api.n)
        chrome_end_one(c, c->api.e[--c->api.n].tid, NULL, 0);
    while (c->req.n)
        chrome_end_one(c, c->req.e[--c->req.n].tid, NULL, 0);
    fputs("\n],\"displayTimeUnit\":\"ns\"}\n", c->out);
    int rc = fflush(c->out) != 0 || ferror(c->out) ? -1 : 0;
    free(c);
    return rc;
}
