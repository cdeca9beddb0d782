/* Request templates (see templates.h). */
#include "analyze/templates.h"

#include <stdlib.h>
#include <string.h>

#define MAX_KINDS 64
#define MAX_SHAPES 8
#define REQ_STEPS 4096 /* steps followed per request (after collapsing runs) */

typedef struct Shape {
    uint64_t hash;
    AnTemplate t; /* steps as first seen, merged with later requests */
} Shape;

typedef struct Kind {
    char name[48];
    unsigned requests;
    Shape shapes[MAX_SHAPES];
    unsigned nshapes;
} Kind;

struct Templates {
    Kind kinds[MAX_KINDS];
    unsigned nkinds;
    /* the request in progress */
    int active;
    char name[48];
    AnStep steps[REQ_STEPS];
    unsigned nsteps, total;
    uint64_t hash;
    AnTemplate *out;
    size_t nout;
};

Templates *templates_new(void)
{
    return calloc(1, sizeof(Templates));
}

void templates_free(Templates *t)
{
    if (!t)
        return;
    free(t->out);
    free(t);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0x9e3779b97f4a7c15ull;
    return h ^ (h >> 29);
}

static uint64_t step_hash(const AnStep *s)
{
    uint64_t h = mix((uint64_t)s->kind << 32 | (uint32_t)s->key, s->size);
    for (const char *c = s->region; *c; c++)
        h = mix(h, (unsigned char)*c);
    return h;
}

static void end_request(Templates *t)
{
    if (!t->active)
        return;
    t->active = 0;
    Kind *k = NULL;
    for (unsigned i = 0; i < t->nkinds; i++)
        if (!strcmp(t->kinds[i].name, t->name))
            k = &t->kinds[i];
    if (!k) {
        if (t->nkinds == MAX_KINDS)
            return;
        k = &t->kinds[t->nkinds++];
        memset(k, 0, sizeof *k);
        snprintf(k->name, sizeof k->name, "%s", t->name);
    }
    k->requests++;
    uint64_t h = t->hash;
    for (unsigned i = 0; i < t->nsteps; i++)
        h = mix(h, step_hash(&t->steps[i]));
    Shape *s = NULL;
    for (unsigned i = 0; i < k->nshapes; i++)
        if (k->shapes[i].hash == h)
            s = &k->shapes[i];
    if (!s) {
        if (k->nshapes == MAX_SHAPES)
            return;
        s = &k->shapes[k->nshapes++];
        memset(s, 0, sizeof *s);
        s->hash = h;
        s->t.steps = t->nsteps;
        s->t.shown = t->nsteps < AN_TEMPLATE_STEPS ? t->nsteps : AN_TEMPLATE_STEPS;
        memcpy(s->t.step, t->steps, s->t.shown * sizeof t->steps[0]);
    } else {
        for (unsigned i = 0; i < s->t.shown; i++) {
            AnStep *m = &s->t.step[i];
            const AnStep *n = &t->steps[i];
            m->varies |= n->varies || n->value != m->value;
            m->is_address &= n->is_address;
            m->count_varies |= n->count_varies || n->count != m->count;
        }
    }
    s->t.matching++;
}

static void add_step(Templates *t, AnStep s)
{
    if (t->nsteps) {
        AnStep *p = &t->steps[t->nsteps - 1];
        /* a run of one access collapses, its count kept */
        if (p->kind == s.kind && p->key == s.key && p->size == s.size &&
            !strcmp(p->region, s.region)) {
            p->count++;
            p->varies |= p->value != s.value;
            p->is_address &= s.is_address;
            return;
        }
    }
    if (t->nsteps == REQ_STEPS) {
        t->hash = mix(t->hash, step_hash(&s)); /* still part of the shape */
        return;
    }
    s.count = 1;
    t->steps[t->nsteps++] = s;
}

int templates_event(Templates *t, const TraceEvent *ev, int reg, int site, const char *region)
{
    AnStep s;
    memset(&s, 0, sizeof s);
    switch (ev->kind) {
    case TRACE_REQUEST_BEGIN:
        end_request(t);
        t->active = 1;
        t->nsteps = 0;
        t->hash = 0;
        /* the kind: a query or set names its OID too */
        if (ev->name && ev->text && (!strcmp(ev->name, "query") || !strcmp(ev->name, "set"))) {
            const char *o = strchr(ev->text, ' ');
            size_t n = o ? strcspn(o + 1, " ") : 0;
            snprintf(t->name, sizeof t->name, "%s %.*s", ev->name, (int)n, o ? o + 1 : "");
        } else {
            snprintf(t->name, sizeof t->name, "%s", ev->name ? ev->name : "?");
        }
        return 0;
    case TRACE_REQUEST_END:
        end_request(t);
        return 0;
    case TRACE_PORT_READ:
    case TRACE_MMIO_READ:
    case TRACE_PORT_WRITE:
    case TRACE_MMIO_WRITE:
        if (reg < 0)
            return 0;
        s.kind = ev->kind == TRACE_PORT_READ || ev->kind == TRACE_MMIO_READ ? AN_STEP_READ
                                                                            : AN_STEP_WRITE;
        s.key = reg;
        break;
    case TRACE_MEM_STORE:
        if (site < 0)
            return 0;
        s.kind = AN_STEP_STORE;
        s.key = site;
        break;
    case TRACE_DMA_READ:
    case TRACE_DMA_WRITE:
        s.kind = ev->kind == TRACE_DMA_READ ? AN_STEP_DMA_READ : AN_STEP_DMA_WRITE;
        s.key = -1;
        break;
    default:
        return 0;
    }
    if (!t->active)
        return 0;
    s.value = (uint32_t)(s.kind >= AN_STEP_DMA_READ ? ev->addr : ev->value);
    s.size = ev->size;
    s.is_address = region != NULL;
    if (region)
        snprintf(s.region, sizeof s.region, "%s", region);
    add_step(t, s);
    return 0;
}

void templates_trace_end(Templates *t)
{
    end_request(t);
}

static void build(Templates *t)
{
    if (t->out)
        return;
    t->out = calloc(t->nkinds ? t->nkinds : 1, sizeof *t->out);
    if (!t->out)
        return;
    for (unsigned i = 0; i < t->nkinds; i++) {
        const Kind *k = &t->kinds[i];
        const Shape *best = NULL;
        for (unsigned j = 0; j < k->nshapes; j++)
            if (!best || k->shapes[j].t.matching > best->t.matching)
                best = &k->shapes[j];
        if (!best)
            continue;
        AnTemplate *o = &t->out[t->nout++];
        *o = best->t;
        snprintf(o->kind, sizeof o->kind, "%s", k->name);
        o->requests = k->requests;
    }
}

size_t templates_count(const Templates *t)
{
    build((Templates *)t);
    return t->nout;
}

const AnTemplate *templates_get(const Templates *t, size_t i)
{
    build((Templates *)t);
    return i < t->nout ? &t->out[i] : NULL;
}
