/* INF-driven model choice (see boards.h). Hardware ID forms: Microsoft
 * "Identifiers for PCI Devices" (PCI\VEN_v&DEV_d[&SUBSYS_s][&REV_r], hex
 * digits of fixed width), "Identifiers for PCMCIA Devices", "Identifiers
 * for ISA Devices" and the EISA-style *PNPxxxx compatible IDs; resources:
 * "INF LogConfig Directive" (parsed by src/pe/inf.c). */
#include "machine/boards.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* What the ISA card's jumpers allow (machine.c takes the same range): a
 * 32-byte aligned base from 100h, IRQ 2-15. */
#define ISA_IO_MIN 0x100u
#define ISA_IO_ALIGN 0x20u
#define ISA_IRQ_MIN 2u
#define ISA_IRQ_MAX 15u
#define ISA_DEFAULT_IO 0x300u /* what a config without IOConfig or IRQConfig gets */
#define ISA_DEFAULT_IRQ 10u
#define ISA_MAX_CONFIGS 64 /* log-config sections weighed per install section */

enum { BUS_OTHER, BUS_PCI, BUS_ISA };

/* Hardware ID prefixes of the cards an ISA model presents: PC Cards, ISA
 * Plug and Play cards and EISA-style IDs (*PNP80D6 "NE2000 Compatible",
 * ReactOS netisa.inf and xdrv's ne2000.inf). */
const char *const machine_isa_hwid_prefixes[] = {"PCMCIA\\", "ISAPNP\\", "*"};
const unsigned machine_isa_nhwid_prefixes =
    sizeof machine_isa_hwid_prefixes / sizeof machine_isa_hwid_prefixes[0];

static int hwid_bus(const char *id)
{
    if (!strncasecmp(id, "PCI\\", 4))
        return BUS_PCI;
    for (unsigned i = 0; i < machine_isa_nhwid_prefixes; i++) {
        size_t n = strlen(machine_isa_hwid_prefixes[i]);
        if (!strncasecmp(id, machine_isa_hwid_prefixes[i], n) && id[n])
            return BUS_ISA;
    }
    return BUS_OTHER;
}

int machine_inf_lists_hardware(const InfHardwareId *hw, int nhw)
{
    for (int k = 0; k < nhw; k++)
        if (hwid_bus(hw[k].hwid) != BUS_OTHER)
            return 1;
    return 0;
}

int machine_spec_nic_model(const char *spec)
{
    size_t n = strcspn(spec, ",");
    NicModelInfo m;
    for (unsigned i = 0; machine_nic_model_info(i, &m) == 0; i++)
        if (strlen(m.name) == n && !strncmp(spec, m.name, n))
            return (int)i;
    return -1;
}

/* ---- PCI hardware IDs ---- */

typedef struct PciHwid {
    uint16_t ven, dev, ssv, ssid;
    uint8_t rev;
    int has_subsys, has_rev;
} PciHwid;

/* Exactly n hex digits. */
static int hexn(const char *s, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* PCI\VEN_vvvv&DEV_dddd[&SUBSYS_ssssvvvv][&REV_rr]; -1 for other forms
 * (CC_ class-code IDs name no board). SUBSYS is the subsystem ID, then the
 * subsystem vendor ID. */
static int parse_pci_hwid(const char *id, PciHwid *h)
{
    memset(h, 0, sizeof *h);
    if (strncasecmp(id, "PCI\\", 4))
        return -1;
    int have = 0;
    for (const char *p = id + 4; *p;) {
        size_t n = strcspn(p, "&");
        uint32_t v;
        if (n == 8 && !strncasecmp(p, "VEN_", 4) && !(have & 1) && !hexn(p + 4, 4, &v)) {
            h->ven = (uint16_t)v;
            have |= 1;
        } else if (n == 8 && !strncasecmp(p, "DEV_", 4) && !(have & 2) && !hexn(p + 4, 4, &v)) {
            h->dev = (uint16_t)v;
            have |= 2;
        } else if (n == 15 && !strncasecmp(p, "SUBSYS_", 7) && !h->has_subsys &&
                   !hexn(p + 7, 8, &v)) {
            h->ssid = (uint16_t)(v >> 16);
            h->ssv = (uint16_t)v;
            h->has_subsys = 1;
        } else if (n == 6 && !strncasecmp(p, "REV_", 4) && !h->has_rev && !hexn(p + 4, 2, &v)) {
            h->rev = (uint8_t)v;
            h->has_rev = 1;
        } else {
            return -1;
        }
        p += n;
        if (*p == '&' && !*++p)
            return -1; /* a trailing '&' */
    }
    return have == 3 ? 0 : -1;
}

static int model_has_pci_id(const NicModelInfo *m, uint16_t ven, uint16_t dev)
{
    if (m->isa)
        return 0;
    if (ven == m->vendor && dev == m->device)
        return 1;
    for (unsigned b = 0; b < m->nboards; b++)
        if (m->boards[b].vendor == ven && m->boards[b].device == dev)
            return 1;
    return 0;
}

/* The board entry naming this identity: the exact subsystem if the table
 * has it, else the first entry for vendor:device. */
static const PciBoard *board_find(const NicModelInfo *m, const PciHwid *h)
{
    const PciBoard *first = NULL;
    for (unsigned b = 0; b < m->nboards; b++) {
        const PciBoard *e = &m->boards[b];
        if (e->vendor != h->ven || e->device != h->dev)
            continue;
        if (h->has_subsys && e->subsys_vendor == h->ssv && e->subsys_id == h->ssid)
            return e;
        if (!first)
            first = e;
    }
    return first;
}

static int present_pci(const NicModelInfo *m, const char *id, char *opts, size_t olen, char *what,
                       size_t wlen)
{
    PciHwid h;
    if (parse_pci_hwid(id, &h) < 0 || !model_has_pci_id(m, h.ven, h.dev))
        return 0;
    const PciBoard *b = board_find(m, &h);
    if (!h.has_subsys && b && b->subsys_vendor) {
        /* the INF names no subsystem: the board's, as its EEPROM has it */
        h.ssv = b->subsys_vendor;
        h.ssid = b->subsys_id;
        h.has_subsys = 1;
    }
    int n = snprintf(opts, olen, "vendor=0x%04x,device=0x%04x", h.ven, h.dev);
    if (h.has_subsys)
        n += snprintf(opts + n, olen - (size_t)n, ",subsys=%04x:%04x", h.ssv, h.ssid);
    if (h.has_rev)
        snprintf(opts + n, olen - (size_t)n, ",rev=0x%02x", h.rev);
    snprintf(what, wlen, "%s", b ? b->name : "");
    return 1;
}

/* ---- ISA / PCMCIA: resources from LogConfig ---- */

/* The first 32-byte aligned base in range r for a window of `window`
 * ports; 0 if none. */
static uint32_t isa_base_in(const InfIoRange *r, uint32_t window)
{
    if (r->size < window)
        return 0;
    uint32_t b = (r->min + ISA_IO_ALIGN - 1) & ~(ISA_IO_ALIGN - 1);
    for (; (uint64_t)b + r->size - 1 <= r->max && b + window <= 0x10000; b += ISA_IO_ALIGN)
        if (b >= ISA_IO_MIN && !(b & ~r->align & 0xFFFFu))
            return b;
    return 0;
}

/* The first configuration, best ConfigPriority first (DISABLED never),
 * giving both a base (or no IOConfig) and an IRQ (or no IRQConfig). */
static int isa_resources(const InfLogConfig *lc, int n, uint32_t window, uint32_t *io,
                         unsigned *irq, const char **section)
{
    int done[ISA_MAX_CONFIGS] = {0};
    for (int round = 0; round < n && round < ISA_MAX_CONFIGS; round++) {
        int best = -1;
        for (int i = 0; i < n && i < ISA_MAX_CONFIGS; i++)
            if (!done[i] && (best < 0 || lc[i].priority < lc[best].priority))
                best = i;
        done[best] = 1;
        const InfLogConfig *c = &lc[best];
        if (c->priority == INF_LCPRI_DISABLED)
            continue;
        uint32_t b = ISA_DEFAULT_IO;
        unsigned q = ISA_DEFAULT_IRQ;
        if (c->nio) {
            b = 0;
            for (unsigned r = 0; r < c->nio && !b; r++)
                b = isa_base_in(&c->io[r], window);
            if (!b)
                continue;
        }
        if (c->nirq) {
            q = 0;
            for (unsigned r = 0; r < c->nirq && !q; r++)
                if (c->irq[r] >= ISA_IRQ_MIN && c->irq[r] <= ISA_IRQ_MAX)
                    q = c->irq[r];
            if (!q)
                continue;
        }
        *io = b;
        *irq = q;
        *section = c->section;
        return 0;
    }
    return -1;
}

static int present_isa(const NicModelInfo *m, const Inf *inf, const InfHardwareId *h, char *opts,
                       size_t olen, char *what, size_t wlen, char *err, size_t errlen)
{
    if (!m->isa || hwid_bus(h->hwid) != BUS_ISA)
        return 0;
    InfLogConfig *lc = NULL;
    char ierr[INF_ERR_MAX] = "";
    int n = inf_log_configs_err(inf, h->install, &lc, ierr);
    if (n < 0) {
        snprintf(err, errlen, "LogConfig of %s: %s", h->install, ierr);
        return -1;
    }
    if (n == 0) {
        opts[0] = 0;
        snprintf(what, wlen, "the INF gives no LogConfig");
        return 1;
    }
    uint32_t io;
    unsigned irq;
    const char *section;
    int r = isa_resources(lc, n, m->window, &io, &irq, &section);
    if (r == 0) {
        snprintf(opts, olen, "io=0x%x,irq=%u", io, irq);
        snprintf(what, wlen, "io=0x%x, irq=%u from [%s]", io, irq, section);
    } else {
        snprintf(err, errlen,
                 "LogConfig of %s allows no setting the %s model can take (%u ports at a "
                 "32-byte aligned base from 0x%x, IRQ %u-%u)",
                 h->install, m->name, m->window, ISA_IO_MIN, ISA_IRQ_MIN, ISA_IRQ_MAX);
    }
    inf_free_log_configs(lc, (size_t)n);
    return r == 0 ? 1 : -1;
}

/* ---- the choice ---- */

/* A network adapter's INF: [Version] Class = Net, or the Net setup class
 * GUID ("System-Defined Device Setup Classes Available to Vendors"). */
static int inf_is_net(const Inf *inf)
{
    const char *cls = inf_value(inf, "Version", "Class");
    const char *guid = inf_value(inf, "Version", "ClassGUID");
    return (cls && !strcasecmp(cls, "Net")) ||
           (guid && !strcasecmp(guid, "{4d36e972-e325-11ce-bfc1-08002be10318}"));
}

/* Whether comma-separated options set `key=`. */
static int has_opt(const char *opts, const char *key)
{
    size_t k = strlen(key);
    for (const char *p = opts; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (!strncmp(p, key, k) && p[k] == '=')
            return 1;
    return 0;
}

void machine_inf_id_list(const InfHardwareId *hw, int nhw, unsigned max, char *buf, size_t len)
{
    size_t o = 0;
    unsigned shown = 0, distinct = 0;
    buf[0] = 0;
    for (int k = 0; k < nhw; k++) {
        int dup = 0;
        for (int j = 0; j < k && !dup; j++)
            dup = !strcasecmp(hw[j].hwid, hw[k].hwid);
        if (dup)
            continue;
        distinct++;
        if (shown < max && o < len) {
            o += (size_t)snprintf(buf + o, len - o, "%s%s", shown ? ", " : "", hw[k].hwid);
            shown++;
        }
    }
    if (!distinct)
        snprintf(buf, len, "none");
    else if (distinct > shown && o < len)
        snprintf(buf + o, len - o, ", ... (%u in all)", distinct);
}

void machine_inf_force_hint(const InfHardwareId *hw, int nhw, const char *model, char *buf,
                            size_t len)
{
    PciHwid h;
    for (int k = 0; k < nhw; k++)
        if (parse_pci_hwid(hw[k].hwid, &h) == 0) {
            snprintf(buf, len, "--device %s,vendor=0x%04x,device=0x%04x", model ? model : "MODEL",
                     h.ven, h.dev);
            return;
        }
    snprintf(buf, len, "--device %s,vendor=0xVVVV,device=0xDDDD", model ? model : "MODEL");
}

int machine_choose_nic(const Inf *inf, const InfHardwareId *hw, int nhw, const char *user_spec,
                       NicChoice *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    c->hwid = -1;
    int only = -1;
    const char *user_opts = NULL;
    if (user_spec) {
        only = machine_spec_nic_model(user_spec);
        if (only < 0)
            return 0;
        user_opts = strchr(user_spec, ',');
        if (user_opts)
            user_opts++;
        if (user_opts && (has_opt(user_opts, "vendor") || has_opt(user_opts, "device")))
            return 0; /* the user's identity stands */
    }
    NicModelInfo m;
    char opts[128], what[sizeof c->what];
    for (int k = 0; k < nhw; k++) {
        for (unsigned i = 0; machine_nic_model_info(i, &m) == 0; i++) {
            if (only >= 0 && (int)i != only)
                continue;
            int r = present_pci(&m, hw[k].hwid, opts, sizeof opts, what, sizeof what);
            if (!r)
                r = present_isa(&m, inf, &hw[k], opts, sizeof opts, what, sizeof what, err, errlen);
            if (r < 0)
                return -1;
            if (!r)
                continue;
            int n = snprintf(c->spec, sizeof c->spec, "%s%s%s%s%s", m.name, opts[0] ? "," : "",
                             opts, user_opts && *user_opts ? "," : "", user_opts ? user_opts : "");
            if (n < 0 || (size_t)n >= sizeof c->spec) {
                snprintf(err, errlen,
                         "--device %s: longer than %zu characters with the INF's "
                         "identity",
                         user_spec, sizeof c->spec - 1);
                return -1;
            }
            c->hwid = k;
            snprintf(c->model, sizeof c->model, "%s", m.name);
            snprintf(c->what, sizeof c->what, "%s", what);
            return 1;
        }
    }
    if (only >= 0 || !machine_inf_lists_hardware(hw, nhw) || !inf_is_net(inf))
        return 0;
    char models[128] = "", ids[600], hint[96];
    size_t o = 0;
    for (unsigned i = 0; machine_nic_model_info(i, &m) == 0 && o < sizeof models; i++)
        o += (size_t)snprintf(models + o, sizeof models - o, "%s%s", i ? ", " : "", m.name);
    machine_inf_id_list(hw, nhw, 8, ids, sizeof ids);
    machine_inf_force_hint(hw, nhw, NULL, hint, sizeof hint);
    snprintf(err, errlen,
             "no device model presents a hardware ID the INF lists (models tried: %s; the INF "
             "lists %s); to force a model: %s",
             models, ids, hint);
    return -1;
}
