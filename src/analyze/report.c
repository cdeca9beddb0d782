/* The reports of `xdrv analyze` (docs/formats/analyze.md): Markdown for
 * people, JSON for tools, Graphviz for the register map. Registers are
 * listed in a fixed order (space, window, address, view, width) so that the
 * same traces always give the same bytes. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "trace/json.h"

static int reg_cmp(const AnRegInfo *x, const AnRegInfo *y)
{
    if (x->port != y->port)
        return y->port - x->port; /* ports first */
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if (x->selected != y->selected)
        return x->selected - y->selected;
    if (x->selector != y->selector)
        return x->selector < y->selector ? -1 : 1;
    if (x->bank_value != y->bank_value)
        return x->bank_value < y->bank_value ? -1 : 1;
    if (x->dir != y->dir)
        return x->dir - y->dir;
    return (int)x->width - (int)y->width;
}

static const Analysis *sort_ctx;

static int order_cmp(const void *p, const void *q)
{
    return reg_cmp(an_reg(sort_ctx, *(const size_t *)p), an_reg(sort_ctx, *(const size_t *)q));
}

/* Register indices in report order; NULL on no memory. */
static size_t *report_order(const Analysis *a)
{
    size_t n = an_nregs(a);
    size_t *o = malloc((n ? n : 1) * sizeof *o);
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++)
        o[i] = i;
    sort_ctx = a;
    qsort(o, n, sizeof *o, order_cmp);
    return o;
}

static void reg_label(const AnRegInfo *r, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s 0x%" PRIx32 " +0x%" PRIx32, r->port ? "port" : "mmio", r->window,
                     r->addr - r->window);
    if (r->selected && n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " [index 0x%" PRIx32 "=0x%" PRIx32 "]",
                      r->index_addr, r->selector);
    if (r->banked && n > 0 && (size_t)n < len)
        n += snprintf(buf + n, len - (size_t)n, " [bank 0x%" PRIx32 "&0x%" PRIx32 "=0x%" PRIx32 "]",
                      r->bank_addr, r->bank_mask, r->bank_value);
    if (r->dir && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " (%s)", r->dir == 1 ? "reads" : "writes");
}

static void fit_label(const Analysis *a, const AnFitInfo *f, char *buf, size_t len)
{
    char where[96], pc[96];
    if (f->memory)
        snprintf(where, sizeof where, "%s at %s", f->sum ? "sum of the stores" : "store",
                 an_format_pc(a, f->pc, pc, sizeof pc));
    else
        reg_label(an_reg(a, f->reg), where, sizeof where);
    if (f->pair)
        strncat(where, " and the byte above it", sizeof where - strlen(where) - 1);
    char rhs[64];
    if (f->b)
        snprintf(rhs, sizeof rhs, "%s%s %c %" PRId64, f->a < 0 ? "-" : "", f->param,
                 f->b < 0 ? '-' : '+', f->b < 0 ? -f->b : f->b);
    else
        snprintf(rhs, sizeof rhs, "%s%s", f->a < 0 ? "-" : "", f->param);
    snprintf(buf, len, "%s bits [%d:%d] = %s (mod 2^%d)", where, f->lo + f->width - 1, f->lo, rhs,
             f->width);
}

static void addr_fit_where(const Analysis *a, const AnAddrFit *f, char *buf, size_t len)
{
    char pc[96];
    if (f->memory)
        snprintf(buf, len, "store at %s", an_format_pc(a, an_site_pc(a, f->key), pc, sizeof pc));
    else
        reg_label(an_reg(a, (size_t)f->key), buf, len);
}

static void addr_fits_markdown(const Analysis *a, FILE *out)
{
    fputs("\n## Values that follow the adapter's addresses\n\n", out);
    if (!an_naddr_fits(a))
        fputs("None found.\n", out);
    for (size_t i = 0; i < an_naddr_fits(a); i++) {
        const AnAddrFit *f = an_addr_fit(a, i);
        char where[160];
        addr_fit_where(a, f, where, sizeof where);
        switch (f->kind) {
        case AN_ADDR_MAC:
            fprintf(out, "- %s %s MAC bytes %d-%d\n", where, f->read ? "reads" : "is written",
                    f->mac_byte, f->mac_byte + f->mac_bytes - 1);
            break;
        case AN_ADDR_BUFFER:
            fprintf(out, "- %s gets the send buffer's address in %u of %u sends\n", where, f->support,
                    f->seen);
            break;
        case AN_ADDR_DEVMEM:
            fprintf(out, "- %s gets an address in device memory in %u of %u sends\n", where,
                    f->support, f->seen);
            break;
        case AN_ADDR_MCAST:
            fprintf(out, "- %s and the %u registers after it: a %u-bit multicast hash table, %s, in %u of %u changes of the list\n",
                    where, f->nregs - 1, f->table_bits, an_hash_name(f->hash), f->support, f->seen);
            break;
        }
    }
}

static void ring_base(const Analysis *a, const AnRing *g, char *buf, size_t len)
{
    if (g->base_from == 1) {
        char l[128];
        reg_label(an_reg(a, g->base_reg), l, sizeof l);
        snprintf(buf, len, "written to %s", l);
    } else if (g->base_from == 2) {
        snprintf(buf, len, "field +0x%" PRIx32 " of the block at 0x%" PRIx32 " the device reads",
                 g->block_off, g->block_addr);
    } else {
        snprintf(buf, len, "not seen programmed");
    }
}

static void shared_markdown(const Analysis *a, FILE *out)
{
    fputs("\n## Memory shared with the device\n\n", out);
    if (!an_nrings(a))
        fputs("No descriptor ring seen.\n", out);
    for (size_t i = 0; i < an_nrings(a); i++) {
        const AnRing *g = an_ring(a, i);
        char base[160];
        ring_base(a, g, base, sizeof base);
        char count[160];
        if (g->count_from == 1) {
            char l[128];
            reg_label(an_reg(a, g->count_reg), l, sizeof l);
            snprintf(count, sizeof count, "%" PRIu32 " (%s holds count x stride)", g->count, l);
        } else if (g->count_from == 2) {
            snprintf(count, sizeof count, "%" PRIu32 " (log2 in bits %d-%d of the block's first word)",
                     g->count, g->count_bit + 3, g->count_bit);
        } else {
            snprintf(count, sizeof count, "at least %" PRIu32, g->count);
        }
        fprintf(out,
                "- %s descriptor ring in `%s` memory at 0x%" PRIx32 " (%s): %" PRIu32
                "-byte descriptors every %" PRIu32 " bytes, %s, %" PRIu32 " fetched%s; %u frames\n",
                g->rx ? "receive" : "transmit", g->region, g->base, base, g->desc_size, g->stride,
                count, g->count_seen, g->wrapped ? ", wraps" : "", g->frames);
        if (g->buf_off >= 0)
            fprintf(out, "  - buffer address: 32 bits at +%d\n", g->buf_off);
        if (g->len_off >= 0)
            fprintf(out, "  - length written back: 16 bits at +%d (frame length %+d)\n", g->len_off,
                    g->len_adj);
        if (g->own_off >= 0)
            fprintf(out, "  - handed back: bit %d of byte +%d, which the device %s\n", g->own_bit,
                    g->own_off, g->own_device_sets ? "sets" : "clears");
    }
    const AnRxBuffer *rx = an_rx(a);
    fprintf(out, "\nReceive buffers: %s", an_rx_kind_name(rx->kind));
    if (rx->kind == AN_RX_CIRCULAR)
        fprintf(out, " at 0x%" PRIx32 ", %" PRIu32 " bytes written%s", rx->buf_base, rx->buf_span,
                rx->wrapped ? ", wraps" : "");
    if (rx->kind == AN_RX_PORT) {
        char l[128];
        reg_label(an_reg(a, rx->port_reg), l, sizeof l);
        fprintf(out, " (%s)", l);
    }
    if ((rx->kind == AN_RX_CIRCULAR || rx->kind == AN_RX_PORT) && rx->hdr_len_off >= 0)
        fprintf(out, "; a %" PRIu32 "-byte header before each frame, its length (%+d) at +%d",
                rx->hdr_size, rx->len_adj, rx->hdr_len_off);
    fprintf(out, "; %u frames matched.\n", rx->frames);
}

static const char *const bucket_names[AN_POLL_BUCKETS] = {"1",     "2",      "3-4",     "5-8",
                                                          "9-16",  "17-64",  "65-256",  ">256"};

static void polls_markdown(const Analysis *a, FILE *out)
{
    fputs("\n## Polling loops\n\n", out);
    if (!an_npolls(a))
        fputs("None seen.\n", out);
    for (size_t i = 0; i < an_npolls(a); i++) {
        const AnPoll *p = an_poll(a, i);
        char pc[96], l[128];
        reg_label(an_reg(a, p->reg), l, sizeof l);
        fprintf(out, "- %s reads %s", an_format_pc(a, p->pc, pc, sizeof pc), l);
        if (p->mask)
            fprintf(out, " until (value & 0x%" PRIx32 ") == 0x%" PRIx32 " (read 0x%" PRIx32
                         " while waiting)",
                    p->mask, p->exit_value, p->wait_value);
        else
            fprintf(out, " while it reads 0x%" PRIx32, p->wait_value);
        if (p->stall_us)
            fprintf(out, ", %" PRIu32 " us apart", p->stall_us);
        fprintf(out, "; %u runs, at most %u reads; ", p->runs, p->max_iter);
        if (p->timeouts)
            fprintf(out, "timeout exit seen (%u runs gave up after %u reads)", p->timeouts,
                    p->timeout_iter);
        else
            fputs("no timeout exit seen", out);
        if (p->code_exits >= 0)
            fprintf(out, "; in the code, a %d-block loop with %d way%s out%s", p->code_blocks,
                    p->code_exits, p->code_exits == 1 ? "" : "s",
                    p->code_exits >= 2 ? " (another way out besides the condition: a timeout or a "
                                         "second test)"
                                       : " (it ends only on the condition: no timeout)");
        fputs("\n  - reads per run:", out);
        for (int b = 0; b < AN_POLL_BUCKETS; b++)
            if (p->hist[b])
                fprintf(out, " %s: %u", bucket_names[b], p->hist[b]);
        fputc('\n', out);
    }
}

static void irq_markdown(const Analysis *a, FILE *out)
{
    const AnIrq *q = an_irq(a);
    fputs("\n## Interrupt protocol\n\n", out);
    if (!q->isrs || q->status_reg < 0) {
        fputs("No interrupt handled.\n", out);
        return;
    }
    char l[128];
    reg_label(an_reg(a, (size_t)q->status_reg), l, sizeof l);
    fprintf(out, "- The ISR (%u calls) reads %s first (%u times).\n", q->isrs, l, q->status_votes);
    if (q->ack == AN_W1C) {
        reg_label(an_reg(a, (size_t)q->ack_reg), l, sizeof l);
        fprintf(out, "- Causes are acknowledged by writing back the bits read (write-1-to-clear), "
                     "to %s, %u times.\n",
                l, q->acks);
    } else if (q->ack == AN_RC) {
        fputs("- Causes are acknowledged by the read itself (read-to-clear).\n", out);
    } else {
        fputs("- No acknowledgement seen.\n", out);
    }
    for (unsigned i = 0; i < q->nwrites; i++) {
        reg_label(an_reg(a, (size_t)q->writes[i].reg), l, sizeof l);
        fprintf(out, "- %s writes 0x%" PRIx32 " to %s (%u times)\n", q->writes[i].where,
                q->writes[i].value, l, q->writes[i].n);
    }
}

/* Why a step's value varies: a fit of that register or store site. */
static const AnFitInfo *step_fit(const Analysis *a, const AnStep *st)
{
    for (size_t i = 0; i < an_nfits(a); i++) {
        const AnFitInfo *f = an_fit(a, i);
        if (st->kind == AN_STEP_WRITE && !f->memory && (int)f->reg == st->key)
            return f;
        if (st->kind == AN_STEP_STORE && f->memory && f->pc == an_site_pc(a, st->key))
            return f;
    }
    return NULL;
}

static void templates_markdown(const Analysis *a, FILE *out)
{
    static const char *const verbs[] = {"read", "write", "store", "device reads", "device writes"};
    fputs("\n## Request templates\n\n"
          "Per request kind, the accesses of its most common sequence (runs of one access\n"
          "collapsed, xN); a value that differed between requests is marked and, where a\n"
          "fit or an allocation explains it, explained.\n",
          out);
    for (size_t i = 0; i < an_ntemplates(a); i++) {
        const AnTemplate *t = an_template(a, i);
        fprintf(out, "\n### %s: %u of %u requests, %u steps\n\n", t->kind, t->matching,
                t->requests, t->steps);
        if (!t->steps)
            fputs("No device access.\n", out);
        for (unsigned k = 0; k < t->shown; k++) {
            const AnStep *st = &t->step[k];
            char where[128], pc[96];
            if (st->kind == AN_STEP_READ || st->kind == AN_STEP_WRITE)
                reg_label(an_reg(a, (size_t)st->key), where, sizeof where);
            else if (st->kind == AN_STEP_STORE)
                snprintf(where, sizeof where, "%s (%" PRIu32 " bytes)",
                         an_format_pc(a, an_site_pc(a, st->key), pc, sizeof pc), st->size);
            else
                snprintf(where, sizeof where, "%" PRIu32 " bytes of `%s`", st->size,
                         st->region[0] ? st->region : "unnamed");
            fprintf(out, "%u. %s %s", k + 1, verbs[st->kind], where);
            if (st->kind <= AN_STEP_STORE) {
                const AnFitInfo *f = st->varies ? step_fit(a, st) : NULL;
                if (!st->varies) {
                    fprintf(out, " = 0x%" PRIx32, st->value);
                } else if (f) {
                    char l[256];
                    fit_label(a, f, l, sizeof l);
                    const char *eq = strstr(l, " bits [");
                    fprintf(out, ": varies,%s", eq ? eq : l);
                } else if (st->is_address) {
                    fprintf(out, ": varies, an address in `%s`", st->region);
                } else {
                    fputs(": varies", out);
                }
            } else if (st->varies) {
                fputs(", at varying addresses", out);
            }
            if (st->count > 1 || st->count_varies)
                fprintf(out, ", x%" PRIu32 "%s", st->count, st->count_varies ? " (varies)" : "");
            fputc('\n', out);
        }
        if (t->shown < t->steps)
            fprintf(out, "... %u more steps\n", t->steps - t->shown);
    }
}

int an_report_markdown(const Analysis *a, FILE *out)
{
    size_t *o = report_order(a);
    if (!o)
        return -1;
    fprintf(out, "# Driver analysis\n\n%zu trace%s, %" PRIu32 " sends with a length.\n", an_ntraces(a),
            an_ntraces(a) == 1 ? "" : "s", an_sends(a));
    if (an_warnings(a))
        fprintf(out, "%u trace%s cut short (used as far as they go).\n", an_warnings(a),
                an_warnings(a) == 1 ? "" : "s");
    fputs("\n## Register map\n\n"
          "Class and access are inferred from the accesses alone; \"model\" is the name the\n"
          "device model gave the accesses (not used to infer).\n\n"
          "| register | width | reads | writes | class | access | model |\n"
          "|---|---|---|---|---|---|---|\n",
          out);
    for (size_t k = 0; k < an_nregs(a); k++) {
        const AnRegInfo *r = an_reg(a, o[k]);
        char label[128];
        reg_label(r, label, sizeof label);
        fprintf(out, "| %s | %u | %" PRIu64 " | %" PRIu64 " | %s | %s | %s |\n", label, r->width,
                r->reads, r->writes, an_class_name(r->cls), an_access_name(r->access),
                r->model_name ? r->model_name : "");
    }
    fputs("\n## Values that follow the requests' parameters\n\n", out);
    if (!an_nfits(a))
        fputs("None found (no sends of varied length, or no field follows the length).\n", out);
    for (size_t i = 0; i < an_nfits(a); i++) {
        const AnFitInfo *f = an_fit(a, i);
        char label[256];
        fit_label(a, f, label, sizeof label);
        fprintf(out, "- %s in %u of %u sends%s\n", label, f->support, f->seen,
                f->memory && f->device_read ? "; the device read it" : "");
    }
    addr_fits_markdown(a, out);
    shared_markdown(a, out);
    polls_markdown(a, out);
    irq_markdown(a, out);
    templates_markdown(a, out);
    free(o);
    return ferror(out) ? -1 : 0;
}

int an_report_json(const Analysis *a, FILE *out)
{
    size_t *o = report_order(a);
    if (!o)
        return -1;
    fputs("{\"version\":1,\"traces\":[", out);
    for (size_t i = 0; i < an_ntraces(a); i++) {
        fputs(i ? "," : "", out);
        json_string(out, an_trace_path(a, i));
    }
    fprintf(out, "],\"sends\":%" PRIu32 ",\"cut_short\":%u,\"registers\":[", an_sends(a),
            an_warnings(a));
    for (size_t k = 0; k < an_nregs(a); k++) {
        const AnRegInfo *r = an_reg(a, o[k]);
        fprintf(out,
                "%s\n {\"id\":%zu,\"space\":\"%s\",\"window\":%" PRIu32 ",\"offset\":%" PRIu32
                ",\"width\":%u,",
                k ? "," : "", o[k], r->port ? "port" : "mmio", r->window, r->addr - r->window,
                r->width);
        if (r->selected)
            fprintf(out, "\"index\":%" PRIu32 ",\"selector\":%" PRIu32 ",", r->index_addr,
                    r->selector);
        if (r->banked)
            fprintf(out, "\"bank_register\":%" PRIu32 ",\"bank_mask\":%" PRIu32 ",\"bank\":%" PRIu32 ",",
                    r->bank_addr, r->bank_mask, r->bank_value);
        if (r->dir)
            fprintf(out, "\"view\":\"%s\",", r->dir == 1 ? "reads" : "writes");
        fprintf(out, "\"reads\":%" PRIu64 ",\"writes\":%" PRIu64 ",\"class\":\"%s\",\"access\":\"%s\","
                     "\"model\":",
                r->reads, r->writes, an_class_name(r->cls), an_access_name(r->access));
        if (r->model_name)
            json_string(out, r->model_name);
        else
            fputs("null", out);
        fputc('}', out);
    }
    fputs("\n],\"fits\":[", out);
    for (size_t i = 0; i < an_nfits(a); i++) {
        const AnFitInfo *f = an_fit(a, i);
        char pc[96];
        fprintf(out, "%s\n {\"where\":\"%s\",", i ? "," : "",
                f->memory ? (f->sum ? "store-sum" : "store") : "register");
        if (f->memory) {
            fputs("\"site\":", out);
            json_string(out, an_format_pc(a, f->pc, pc, sizeof pc));
        } else {
            fprintf(out, "\"register\":%" PRIu32 ",\"pair\":%s", f->reg,
                    f->pair ? "true" : "false");
        }
        fprintf(out,
                ",\"param\":\"%s\",\"lo\":%d,\"width\":%d,\"a\":%d,\"b\":%" PRId64
                ",\"support\":%u,\"seen\":%u,\"device_read\":%s}",
                f->param, f->lo, f->width, f->a, f->b, f->support, f->seen,
                f->device_read ? "true" : "false");
    }
    fputs("\n],\"rings\":[", out);
    for (size_t i = 0; i < an_nrings(a); i++) {
        const AnRing *g = an_ring(a, i);
        fprintf(out, "%s\n {\"direction\":\"%s\",\"region\":", i ? "," : "",
                g->rx ? "receive" : "transmit");
        json_string(out, g->region);
        fprintf(out,
                ",\"base\":%" PRIu32 ",\"desc_size\":%" PRIu32 ",\"stride\":%" PRIu32
                ",\"count\":%" PRIu32 ",\"count_seen\":%" PRIu32
                ",\"count_from\":\"%s\",\"wraps\":%s,\"buffer_offset\":%d,\"length_offset\":%d,"
                "\"length_adjust\":%d,\"own_offset\":%d,\"own_bit\":%d,\"device_sets_own\":%s,"
                "\"frames\":%u,\"base_from\":\"%s\"",
                g->base, g->desc_size, g->stride, g->count, g->count_seen,
                g->count_from == 1 ? "register" : g->count_from == 2 ? "block" : "seen",
                g->wrapped ? "true" : "false",
                g->buf_off, g->len_off, g->len_adj, g->own_off, g->own_bit,
                g->own_device_sets ? "true" : "false", g->frames,
                g->base_from == 1 ? "register" : g->base_from == 2 ? "block" : "unknown");
        if (g->base_from == 1)
            fprintf(out, ",\"base_register\":%" PRIu32, g->base_reg);
        if (g->base_from == 2)
            fprintf(out, ",\"block\":%" PRIu32 ",\"block_offset\":%" PRIu32, g->block_addr,
                    g->block_off);
        fputc('}', out);
    }
    const AnRxBuffer *rx = an_rx(a);
    fprintf(out,
            "\n],\"receive\":{\"kind\":\"%s\",\"frames\":%u,\"header_size\":%" PRIu32
            ",\"header_length_offset\":%d,\"length_adjust\":%d",
            an_rx_kind_name(rx->kind), rx->frames, rx->hdr_size, rx->hdr_len_off, rx->len_adj);
    if (rx->kind == AN_RX_CIRCULAR)
        fprintf(out, ",\"base\":%" PRIu32 ",\"span\":%" PRIu32 ",\"wraps\":%s", rx->buf_base,
                rx->buf_span, rx->wrapped ? "true" : "false");
    if (rx->kind == AN_RX_PORT)
        fprintf(out, ",\"port_register\":%" PRIu32, rx->port_reg);
    fputs("},\"polls\":[", out);
    for (size_t i = 0; i < an_npolls(a); i++) {
        const AnPoll *p = an_poll(a, i);
        char pc[96];
        fprintf(out, "%s\n {\"site\":", i ? "," : "");
        json_string(out, an_format_pc(a, p->pc, pc, sizeof pc));
        fprintf(out,
                ",\"register\":%" PRIu32 ",\"mask\":%" PRIu32 ",\"exit_value\":%" PRIu32
                ",\"wait_value\":%" PRIu32 ",\"runs\":%u,\"max_reads\":%u,\"timeouts\":%u,"
                "\"timeout_reads\":%u,\"stall_us\":%" PRIu32 ",\"code_blocks\":%d,\"code_exits\":%d,"
                "\"histogram\":[",
                p->reg, p->mask, p->exit_value, p->wait_value, p->runs, p->max_iter, p->timeouts,
                p->timeout_iter, p->stall_us, p->code_blocks, p->code_exits);
        for (int b = 0; b < AN_POLL_BUCKETS; b++)
            fprintf(out, "%s%u", b ? "," : "", p->hist[b]);
        fputs("]}", out);
    }
    const AnIrq *q = an_irq(a);
    fprintf(out, "\n],\"interrupt\":{\"isrs\":%u,\"status_register\":%d,\"acknowledge\":\"%s\","
                 "\"acks\":%u,\"ack_register\":%d,\"writes\":[",
            q->isrs, q->status_reg,
            q->ack == AN_W1C ? "write-1-to-clear" : q->ack == AN_RC ? "read-to-clear" : "unknown",
            q->acks, q->ack_reg);
    for (unsigned i = 0; i < q->nwrites; i++)
        fprintf(out, "%s{\"entry\":\"%s\",\"register\":%d,\"value\":%" PRIu32 ",\"count\":%u}",
                i ? "," : "", q->writes[i].where, q->writes[i].reg, q->writes[i].value,
                q->writes[i].n);
    fputs("]},\"address_fits\":[", out);
    for (size_t i = 0; i < an_naddr_fits(a); i++) {
        const AnAddrFit *f = an_addr_fit(a, i);
        static const char *const kinds[] = {"mac", "send-buffer", "device-memory", "multicast-hash"};
        fprintf(out, "%s\n {\"kind\":\"%s\",\"%s\":%d", i ? "," : "", kinds[f->kind],
                f->memory ? "site" : "register", f->key);
        if (f->kind == AN_ADDR_MAC)
            fprintf(out, ",\"mac_byte\":%d,\"mac_bytes\":%d,\"read\":%s", f->mac_byte, f->mac_bytes,
                    f->read ? "true" : "false");
        if (f->kind == AN_ADDR_MCAST)
            fprintf(out, ",\"hash\":\"%s\",\"table_bits\":%u,\"registers\":%u", an_hash_name(f->hash),
                    f->table_bits, f->nregs);
        fprintf(out, ",\"support\":%u,\"seen\":%u}", f->support, f->seen);
    }
    fputs("\n],\"templates\":[", out);
    for (size_t i = 0; i < an_ntemplates(a); i++) {
        const AnTemplate *t = an_template(a, i);
        fprintf(out, "%s\n {\"kind\":", i ? "," : "");
        json_string(out, t->kind);
        fprintf(out, ",\"requests\":%u,\"matching\":%u,\"steps\":%u,\"shown\":[", t->requests,
                t->matching, t->steps);
        for (unsigned k = 0; k < t->shown; k++) {
            const AnStep *st = &t->step[k];
            static const char *const kinds[] = {"read", "write", "store", "dma-read", "dma-write"};
            fprintf(out, "%s{\"op\":\"%s\",\"%s\":%d,\"value\":%" PRIu32
                         ",\"varies\":%s,\"address\":%s,\"size\":%" PRIu32 ",\"count\":%" PRIu32
                         ",\"count_varies\":%s,\"region\":",
                    k ? "," : "", kinds[st->kind], st->kind == AN_STEP_STORE ? "site" : "register",
                    st->key, st->value, st->varies ? "true" : "false",
                    st->is_address ? "true" : "false", st->size, st->count,
                    st->count_varies ? "true" : "false");
            json_string(out, st->region);
            fputc('}', out);
        }
        fputs("]}", out);
    }
    fputs("\n]}\n", out);
    free(o);
    return ferror(out) ? -1 : 0;
}

int an_report_dot(const Analysis *a, FILE *out)
{
    size_t *o = report_order(a);
    if (!o)
        return -1;
    fputs("digraph registers {\n  rankdir=LR;\n  node [shape=box, fontname=monospace];\n", out);
    for (size_t k = 0; k < an_nregs(a); k++) {
        const AnRegInfo *r = an_reg(a, o[k]);
        char label[128];
        reg_label(r, label, sizeof label);
        fprintf(out, "  r%zu [label=\"%s\\n%s, %s\"];\n", o[k], label, an_class_name(r->cls),
                an_access_name(r->access));
    }
    for (size_t i = 0; i < an_nfits(a); i++) {
        const AnFitInfo *f = an_fit(a, i);
        if (!f->memory)
            fprintf(out, "  send -> r%" PRIu32 " [label=\"%slen\"];\n", f->reg, f->a < 0 ? "-" : "");
    }
    fputs("}\n", out);
    free(o);
    return ferror(out) ? -1 : 0;
}
