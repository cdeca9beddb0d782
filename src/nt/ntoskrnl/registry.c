/* The in-memory registry (a tree of keys with typed values) and the kernel
 * handle table; see registry.h. Host code only: no guest memory here, so the
 * unit tests drive it without a Vm. Facts: Microsoft "Registry Value Types",
 * "INF AddReg Directive" (flags), "INF AddService Directive" (service
 * values Type/Start/ErrorControl/ImagePath). */
#include "nt/ntoskrnl/registry.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct NtRegKey {
    char *name;
    struct NtReg *reg; /* the registry it belongs to (its quotas) */
    NtRegKey *parent;
    NtRegKey **sub;
    unsigned nsub, capsub;
    NtRegValue *vals;
    unsigned nvals, capvals;
    int deleted;
};

typedef struct Handle {
    unsigned kind; /* 0: free slot */
    void *obj;
    NtHandleClose on_close;
} Handle;

#define NT_HANDLE_MAX 4096u
#define NT_HANDLE_BASE 0x80000004u /* kernel handles have the top bit set */

/* What a driver can make the registry hold, in host memory (issue 12: a
 * quota on every host resource a driver can make xdrv allocate). Beyond
 * them ZwCreateKey and ZwSetValueKey fail with
 * STATUS_INSUFFICIENT_RESOURCES, as Windows' do when the registry's pool
 * runs out. Deleted keys count: their memory is kept until the end (a
 * handle may still name one). A key's subkeys and values are searched one
 * by one, so thousands under one key already cost time. */
#define NT_REG_KEYS_MAX 8192u
#define NT_REG_VALUES_MAX 8192u
#define NT_REG_DATA_MAX (16u << 20)

typedef struct NtReg {
    NtRegKey *root;
    unsigned nkeys, nvals; /* keys ever created, values now held */
    uint64_t data;         /* bytes of value data now held */
    int quota_hit;         /* the last create or set failed for a quota */
    NtRegKey **dead; /* deleted keys, freed at fini (handles may point at them) */
    unsigned ndead, capdead;
    Handle *h;
    unsigned nh, caph;
} NtReg;

/* AddReg flags (Microsoft "INF AddReg Directive"). */
#define FLG_ADDREG_NOCLOBBER 0x00000002u

static int grow(void **p, unsigned *cap, unsigned need, size_t elem)
{
    if (need <= *cap)
        return 0;
    unsigned n = *cap ? *cap * 2 : 8;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, (size_t)n * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static NtRegKey *key_new(NtReg *reg, const char *name, size_t len, NtRegKey *parent)
{
    NtRegKey *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->reg = reg;
    k->name = strndup(name, len);
    if (!k->name) {
        free(k);
        return NULL;
    }
    k->parent = parent;
    return k;
}

static void key_free(NtRegKey *k)
{
    if (!k)
        return;
    for (unsigned i = 0; i < k->nsub; i++)
        key_free(k->sub[i]);
    for (unsigned i = 0; i < k->nvals; i++) {
        free(k->vals[i].name);
        free(k->vals[i].data);
    }
    free(k->sub);
    free(k->vals);
    free(k->name);
    free(k);
}

int nt_reg_init(Nt *nt)
{
    NtReg *r = calloc(1, sizeof *r);
    if (!r)
        return -1;
    nt->reg = r;
    r->root = key_new(r, "", 0, NULL);
    if (!r->root)
        return -1;
    /* The keys every Windows system has, so drivers can open them. */
    static const char *const base[] = {
        NT_REG_SERVICES,
        "\\Registry\\Machine\\System\\CurrentControlSet\\Control",
        "\\Registry\\Machine\\Software\\Microsoft\\Windows NT\\CurrentVersion",
        "\\Registry\\Machine\\Hardware\\Description\\System",
        "\\Registry\\User",
    };
    for (unsigned i = 0; i < sizeof base / sizeof base[0]; i++)
        if (!nt_reg_create(nt, NULL, base[i], 1, NULL))
            return -1;
    return 0;
}

void nt_reg_fini(Nt *nt)
{
    NtReg *r = nt->reg;
    if (!r)
        return;
    key_free(r->root);
    for (unsigned i = 0; i < r->ndead; i++)
        key_free(r->dead[i]);
    free(r->dead);
    free(r->h);
    free(r);
    nt->reg = NULL;
}

/* ------------------------------------------------------------- keys */

static NtRegKey *child(const NtRegKey *k, const char *name, size_t len)
{
    for (unsigned i = 0; i < k->nsub; i++)
        if (strlen(k->sub[i]->name) == len && !strncasecmp(k->sub[i]->name, name, len))
            return k->sub[i];
    return NULL;
}

/* Walk `path` from base (or the root for an absolute path). With `create`
 * missing keys are made: all of them if `intermediate`, else only the last.
 * Returns NULL for a malformed path or a missing key. */
static NtRegKey *walk(Nt *nt, NtRegKey *base, const char *path, int create, int intermediate,
                      int *created)
{
    NtReg *r = nt->reg;
    NtRegKey *k = base ? base : r->root;
    if (created)
        *created = 0;
    if (!base) {
        if (path[0] != '\\')
            return NULL;
        path++;
    }
    if (k->deleted)
        return NULL;
    if (!*path)
        return base ? k : NULL; /* the root itself is not a key */
    for (const char *p = path;;) {
        const char *e = strchr(p, '\\');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (!len)
            return NULL;
        NtRegKey *c = child(k, p, len);
        if (!c) {
            if (!create || (e && !intermediate))
                return NULL;
            NtReg *r = nt->reg;
            if (r->nkeys >= NT_REG_KEYS_MAX) {
                r->quota_hit = 1;
                return NULL;
            }
            if (grow((void **)&k->sub, &k->capsub, k->nsub + 1, sizeof *k->sub) < 0)
                return NULL;
            c = key_new(r, p, len, k);
            if (!c)
                return NULL;
            r->nkeys++;
            k->sub[k->nsub++] = c;
            if (!e && created)
                *created = 1;
        }
        k = c;
        if (!e)
            return k;
        p = e + 1;
    }
}

NtRegKey *nt_reg_open(Nt *nt, NtRegKey *base, const char *path)
{
    return walk(nt, base, path, 0, 0, NULL);
}

NtRegKey *nt_reg_create(Nt *nt, NtRegKey *base, const char *path, int intermediate, int *created)
{
    return walk(nt, base, path, 1, intermediate, created);
}

int nt_reg_delete_key(Nt *nt, NtRegKey *k)
{
    NtReg *r = nt->reg;
    if (k->nsub || !k->parent)
        return -1;
    if (k->deleted)
        return 0;
    if (grow((void **)&r->dead, &r->capdead, r->ndead + 1, sizeof *r->dead) < 0)
        return -1;
    NtRegKey *p = k->parent;
    for (unsigned i = 0; i < p->nsub; i++) {
        if (p->sub[i] == k) {
            memmove(&p->sub[i], &p->sub[i + 1], (p->nsub - i - 1) * sizeof *p->sub);
            p->nsub--;
            break;
        }
    }
    k->deleted = 1;
    k->parent = NULL;
    r->dead[r->ndead++] = k;
    return 0;
}

int nt_reg_key_deleted(const NtRegKey *k)
{
    return k->deleted;
}

const char *nt_reg_key_name(const NtRegKey *k)
{
    return k->name;
}

NtRegKey *nt_reg_subkey_at(const NtRegKey *k, unsigned i)
{
    return i < k->nsub ? k->sub[i] : NULL;
}

const NtRegValue *nt_reg_value_at(const NtRegKey *k, unsigned i)
{
    return i < k->nvals ? &k->vals[i] : NULL;
}

unsigned nt_reg_subkey_count(const NtRegKey *k)
{
    return k->nsub;
}

unsigned nt_reg_value_count(const NtRegKey *k)
{
    return k->nvals;
}

/* ----------------------------------------------------------- values */

static NtRegValue *find_value(const NtRegKey *k, const char *name)
{
    for (unsigned i = 0; i < k->nvals; i++)
        if (!strcasecmp(k->vals[i].name, name))
            return &k->vals[i];
    return NULL;
}

const NtRegValue *nt_reg_get_value(const NtRegKey *k, const char *name)
{
    return find_value(k, name);
}

int nt_reg_quota_hit(Nt *nt)
{
    int hit = nt->reg->quota_hit;
    nt->reg->quota_hit = 0;
    return hit;
}

int nt_reg_set_value(NtRegKey *k, const char *name, uint32_t type, const void *data, uint32_t len)
{
    NtReg *r = k->reg;
    NtRegValue *v = find_value(k, name);
    if ((!v && r->nvals >= NT_REG_VALUES_MAX) ||
        r->data - (v ? v->len : 0) + len > NT_REG_DATA_MAX) {
        r->quota_hit = 1;
        return -1;
    }
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    if (len)
        memcpy(copy, data, len);
    if (!v) {
        char *n = strdup(name);
        if (!n || grow((void **)&k->vals, &k->capvals, k->nvals + 1, sizeof *k->vals) < 0) {
            free(n);
            free(copy);
            return -1;
        }
        v = &k->vals[k->nvals++];
        v->name = n;
        r->nvals++;
    } else {
        r->data -= v->len;
        free(v->data);
    }
    v->type = type;
    v->data = copy;
    v->len = len;
    r->data += len;
    return 0;
}

int nt_reg_delete_value(NtRegKey *k, const char *name)
{
    NtRegValue *v = find_value(k, name);
    if (!v)
        return -1;
    k->reg->nvals--;
    k->reg->data -= v->len;
    free(v->name);
    free(v->data);
    unsigned i = (unsigned)(v - k->vals);
    memmove(&k->vals[i], &k->vals[i + 1], (k->nvals - i - 1) * sizeof *k->vals);
    k->nvals--;
    return 0;
}

uint8_t *nt_reg_utf16(const char *s, size_t n, int nul, uint32_t *len)
{
    uint8_t *out = malloc(4 * n + 2);
    size_t o = 0;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n;) {
        uint32_t c = (uint8_t)s[i];
        size_t k = 0;
        if (c >= 0xF0 && c < 0xF8)
            k = 3;
        else if (c >= 0xE0)
            k = 2;
        else if (c >= 0xC0)
            k = 1;
        if (c >= 0xF8 || (c >= 0x80 && c < 0xC0))
            k = 0;
        uint32_t cp = k ? c & (0x3Fu >> k) : c;
        int ok = i + k < n;
        for (size_t j = 1; ok && j <= k; j++) {
            uint8_t b = (uint8_t)s[i + j];
            if ((b & 0xC0) != 0x80)
                ok = 0;
            cp = cp << 6 | (b & 0x3F);
        }
        if (!ok) {
            cp = c;
            k = 0;
        }
        i += k + 1;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            uint32_t hi = 0xD800 + (cp >> 10), lo = 0xDC00 + (cp & 0x3FF);
            out[o++] = (uint8_t)hi;
            out[o++] = (uint8_t)(hi >> 8);
            out[o++] = (uint8_t)lo;
            out[o++] = (uint8_t)(lo >> 8);
        } else {
            out[o++] = (uint8_t)cp;
            out[o++] = (uint8_t)(cp >> 8);
        }
    }
    if (nul) {
        out[o++] = 0;
        out[o++] = 0;
    }
    *len = (uint32_t)o;
    return out;
}

size_t nt_reg_utf8(const uint8_t *src, size_t units, char *dst, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < units; i++) {
        uint32_t c = (uint32_t)(src[2 * i] | src[2 * i + 1] << 8);
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < units) {
            uint32_t lo = (uint32_t)(src[2 * i + 2] | src[2 * i + 3] << 8);
            if (lo >= 0xDC00 && lo < 0xE000) {
                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            }
        }
        if (c >= 0xD800 && c < 0xE000)
            c = 0xFFFD;
        char e[4];
        size_t n;
        if (c < 0x80) {
            e[0] = (char)c;
            n = 1;
        } else if (c < 0x800) {
            e[0] = (char)(0xC0 | c >> 6);
            e[1] = (char)(0x80 | (c & 0x3F));
            n = 2;
        } else if (c < 0x10000) {
            e[0] = (char)(0xE0 | c >> 12);
            e[1] = (char)(0x80 | (c >> 6 & 0x3F));
            e[2] = (char)(0x80 | (c & 0x3F));
            n = 3;
        } else {
            e[0] = (char)(0xF0 | c >> 18);
            e[1] = (char)(0x80 | (c >> 12 & 0x3F));
            e[2] = (char)(0x80 | (c >> 6 & 0x3F));
            e[3] = (char)(0x80 | (c & 0x3F));
            n = 4;
        }
        if (cap - 1 - o < n)
            break;
        memcpy(dst + o, e, n);
        o += n;
    }
    dst[o] = 0;
    return o;
}

/* Store string data of a REG_SZ/EXPAND_SZ (one string) or REG_MULTI_SZ
 * ("a\0b\0\0", `n` bytes) as UTF-16LE. */
static int set_text(NtRegKey *k, const char *name, uint32_t type, const char *s, size_t n)
{
    uint32_t len;
    uint8_t *w = nt_reg_utf16(s, n, type != REG_MULTI_SZ, &len);
    if (!w)
        return -1;
    int rc = nt_reg_set_value(k, name, type, w, len);
    free(w);
    return rc;
}

int nt_reg_set_string(Nt *nt, const char *keypath, const char *name, uint32_t type,
                      const char *utf8)
{
    NtRegKey *k = nt_reg_create(nt, NULL, keypath, 1, NULL);
    if (!k)
        return -1;
    return set_text(k, name, type, utf8, strlen(utf8));
}

int nt_reg_set_dword(Nt *nt, const char *keypath, const char *name, uint32_t v)
{
    NtRegKey *k = nt_reg_create(nt, NULL, keypath, 1, NULL);
    if (!k)
        return -1;
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return nt_reg_set_value(k, name, REG_DWORD, b, 4);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *v)
{
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s || !isxdigit((unsigned char)*s) || (base == 10 && !isdigit((unsigned char)*s)))
        return 0;
    errno = 0;
    char *end;
    unsigned long long n = strtoull(s, &end, base);
    if (errno || *end || n > max)
        return 0;
    *v = n;
    return 1;
}

int nt_reg_parse_number(const char *s, uint32_t *v)
{
    uint64_t n;
    if (!parse_u64(s, 0xFFFFFFFFu, &n))
        return 0;
    *v = (uint32_t)n;
    return 1;
}

static int service_path(char *buf, size_t len, const char *service, const char *sub)
{
    if (!service || !*service || strchr(service, '\\'))
        return -1;
    int n = snprintf(buf, len, NT_REG_SERVICES "\\%s%s%s", service, sub && *sub ? "\\" : "",
                     sub ? sub : "");
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

int nt_reg_set_param(Nt *nt, const char *service, const char *name, const char *value)
{
    char path[512];
    uint32_t v;
    if (service_path(path, sizeof path, service, "Parameters") < 0)
        return -1;
    if (!strncmp(value, "dword:", 6)) {
        if (!nt_reg_parse_number(value + 6, &v))
            return -1;
        return nt_reg_set_dword(nt, path, name, v);
    }
    return nt_reg_set_string(nt, path, name, REG_SZ, value);
}

int nt_reg_set_param_dword(Nt *nt, const char *service, const char *name, uint32_t value)
{
    char path[512];
    if (service_path(path, sizeof path, service, "Parameters") < 0)
        return -1;
    return nt_reg_set_dword(nt, path, name, value);
}

int nt_reg_ensure_service(Nt *nt, const char *service, const char *image_name)
{
    char path[512], image[300];
    if (service_path(path, sizeof path, service, NULL) < 0)
        return -1;
    NtRegKey *k = nt_reg_create(nt, NULL, path, 1, NULL);
    if (!k)
        return -1;
    /* SERVICE_KERNEL_DRIVER, SERVICE_DEMAND_START, SERVICE_ERROR_NORMAL
     * (INF AddService Directive: ServiceType/StartType/ErrorControl). */
    static const struct {
        const char *name;
        uint32_t v;
    } dw[] = {{"Type", 1}, {"Start", 3}, {"ErrorControl", 1}};
    for (unsigned i = 0; i < 3; i++)
        if (!nt_reg_get_value(k, dw[i].name) && nt_reg_set_dword(nt, path, dw[i].name, dw[i].v) < 0)
            return -1;
    snprintf(image, sizeof image, "\\SystemRoot\\System32\\drivers\\%s",
             image_name ? image_name : "");
    if (!nt_reg_get_value(k, "ImagePath") &&
        nt_reg_set_string(nt, path, "ImagePath", REG_EXPAND_SZ, image) < 0)
        return -1;
    return 0;
}

/* --------------------------------------------------------------- INF */

/* "00,e0,4c" -> bytes. Returns count or -1. */
static int parse_hex_bytes(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        char *end;
        errno = 0;
        unsigned long b = strtoul(s, &end, 16);
        if (end == s || errno || b > 0xFF || n == cap)
            return -1;
        out[n++] = (uint8_t)b;
        s = end;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == ',')
            s++;
        else if (*s)
            return -1;
    }
    return (int)n;
}

static int inf_apply_value(Nt *nt, const char *keypath, const InfRegValue *v, char *err,
                           size_t errlen)
{
    NtRegKey *k = nt_reg_create(nt, NULL, keypath, 1, NULL);
    if (!k) {
        snprintf(err, errlen, "cannot create key %s", keypath);
        return -1;
    }
    if ((v->flags & FLG_ADDREG_NOCLOBBER) && nt_reg_get_value(k, v->name))
        return 0;
    int rc;
    uint8_t buf[4096];
    switch (v->type) {
    case REG_SZ:
    case REG_EXPAND_SZ:
    case REG_MULTI_SZ:
        rc = set_text(k, v->name, v->type, v->data, v->data_len);
        break;
    case REG_DWORD:
    case 11: /* REG_QWORD */ {
        uint64_t n;
        unsigned w = v->type == REG_DWORD ? 4 : 8;
        if (strchr(v->data, ',')) {
            /* written as bytes: "01,00,00,00" */
            int nb = parse_hex_bytes(v->data, buf, sizeof buf);
            if (nb < 0) {
                snprintf(err, errlen, "value %s: bad data '%s'", v->name, v->data);
                return -1;
            }
            rc = nt_reg_set_value(k, v->name, v->type, buf, (uint32_t)nb);
            break;
        }
        if (!parse_u64(v->data, w == 4 ? 0xFFFFFFFFu : UINT64_MAX, &n)) {
            snprintf(err, errlen, "value %s: '%s' is not a number", v->name, v->data);
            return -1;
        }
        for (unsigned i = 0; i < w; i++)
            buf[i] = (uint8_t)(n >> (8 * i));
        rc = nt_reg_set_value(k, v->name, v->type, buf, w);
        break;
    }
    default: {
        int nb = parse_hex_bytes(v->data, buf, sizeof buf);
        if (nb < 0) {
            snprintf(err, errlen, "value %s: bad binary data '%s'", v->name, v->data);
            return -1;
        }
        rc = nt_reg_set_value(k, v->name, v->type, buf, (uint32_t)nb);
        break;
    }
    }
    if (rc < 0)
        snprintf(err, errlen, "out of memory");
    return rc;
}

static int inf_apply_install(Nt *nt, const Inf *inf, const char *install, const char *service,
                             char *err, size_t errlen)
{
    InfRegValue *vals = NULL;
    char ierr[INF_ERR_MAX] = "";
    int n = inf_reg_values_err(inf, install, &vals, ierr);
    if (n < 0) {
        snprintf(err, errlen, "%s", ierr[0] ? ierr : "cannot read AddReg values");
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const InfRegValue *v = &vals[i];
        char path[1024];
        const char *sub = v->subkey ? v->subkey : "";
        if (!strcasecmp(v->root, "HKR")) {
            /* HKR is the service key for the service install's AddReg, and
             * the device's driver key for the device install's: xdrv keeps
             * that one as the service's Parameters subkey, where NDIS and
             * --param look (docs/registry in registry.h). */
            char s1[600];
            snprintf(s1, sizeof s1, "Parameters%s%s", *sub ? "\\" : "", sub);
            if (service_path(path, sizeof path, service, v->from_service ? sub : s1) < 0 ||
                inf_apply_value(nt, path, v, err, errlen) < 0)
                rc = -1;
        } else if (!strcasecmp(v->root, "HKLM") || !strcasecmp(v->root, "HKEY_LOCAL_MACHINE")) {
            snprintf(path, sizeof path, "\\Registry\\Machine%s%s", *sub ? "\\" : "", sub);
            rc = inf_apply_value(nt, path, v, err, errlen);
        } else {
            nt_log(nt, "registry: INF value %s\\%s\\%s skipped (root %s is not modelled)\n",
                   v->root, sub, v->name, v->root);
        }
    }
    inf_free_regvalues(vals, (size_t)n);
    return rc;
}

int nt_reg_load_inf(Nt *nt, const Inf *inf, const char *service, char *err, size_t errlen)
{
    char path[512];
    if (service_path(path, sizeof path, service, NULL) < 0) {
        snprintf(err, errlen, "bad service name '%s'", service ? service : "");
        return -1;
    }
    if (!nt_reg_create(nt, NULL, path, 1, NULL)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    InfHardwareId *ids = NULL;
    char ierr[INF_ERR_MAX] = "";
    int nids = inf_hardware_ids_err(inf, &ids, ierr);
    if (nids < 0) {
        snprintf(err, errlen, "%s", ierr[0] ? ierr : "cannot read the models sections");
        return -1;
    }
    int rc = 0, applied = 0;
    /* Each install section once: those whose AddService names `service`. */
    for (int pass = 0; pass < 2 && !applied && rc == 0; pass++) {
        for (int i = 0; i < nids && rc == 0; i++) {
            const char *install = ids[i].install;
            if (!install)
                continue;
            int dup = 0;
            for (int j = 0; j < i; j++)
                if (ids[j].install && !strcasecmp(ids[j].install, install))
                    dup = 1;
            if (dup)
                continue;
            const char *svc = inf_service_name(inf, install);
            if (pass == 0 && (!svc || strcasecmp(svc, service)))
                continue;
            rc = inf_apply_install(nt, inf, install, service, err, errlen);
            applied++;
            if (pass == 1)
                break; /* no install names the service: the first model's */
        }
    }
    inf_free_hwids(ids, (size_t)nids);
    return rc;
}

/* ------------------------------------------------------------- dump */

static void dump_key(const NtRegKey *k, const char *path, FILE *f)
{
    fprintf(f, "[%s]\n", path);
    for (unsigned i = 0; i < k->nvals; i++) {
        const NtRegValue *v = &k->vals[i];
        fprintf(f, "  \"%s\" type %u:", v->name, v->type);
        if (v->type == REG_DWORD && v->len == 4) {
            fprintf(f, " 0x%08x",
                    (uint32_t)(v->data[0] | v->data[1] << 8 | v->data[2] << 16 |
                               (uint32_t)v->data[3] << 24));
        } else if (v->type == REG_SZ || v->type == REG_EXPAND_SZ || v->type == REG_MULTI_SZ) {
            fputs(" \"", f);
            for (uint32_t j = 0; j + 1 < v->len; j += 2) {
                unsigned c = v->data[j] | v->data[j + 1] << 8;
                fputc(c == 0 ? '|' : c >= 0x20 && c < 0x7f ? (int)c : '?', f);
            }
            fputc('"', f);
        } else {
            for (uint32_t j = 0; j < v->len && j < 64; j++)
                fprintf(f, " %02x", v->data[j]);
        }
        fputc('\n', f);
    }
    for (unsigned i = 0; i < k->nsub; i++) {
        size_t n = strlen(path) + strlen(k->sub[i]->name) + 2;
        char *p = malloc(n);
        if (!p)
            return;
        snprintf(p, n, "%s\\%s", path, k->sub[i]->name);
        dump_key(k->sub[i], p, f);
        free(p);
    }
}

void nt_reg_dump(Nt *nt, const char *path, FILE *f)
{
    if (!path) {
        for (unsigned i = 0; i < nt->reg->root->nsub; i++) {
            char p[256];
            snprintf(p, sizeof p, "\\%s", nt->reg->root->sub[i]->name);
            dump_key(nt->reg->root->sub[i], p, f);
        }
        return;
    }
    NtRegKey *k = nt_reg_open(nt, NULL, path);
    if (k)
        dump_key(k, path, f);
}

/* ----------------------------------------------------------- handles */

uint32_t nt_handle_create(Nt *nt, unsigned kind, void *obj, NtHandleClose on_close)
{
    NtReg *r = nt->reg;
    unsigned i;
    for (i = 0; i < r->nh; i++)
        if (!r->h[i].kind)
            break;
    if (i == r->nh) {
        if (r->nh == NT_HANDLE_MAX || grow((void **)&r->h, &r->caph, r->nh + 1, sizeof *r->h) < 0)
            return 0;
        r->nh++;
    }
    r->h[i] = (Handle){kind, obj, on_close};
    return NT_HANDLE_BASE + 4 * i;
}

static Handle *handle_slot(Nt *nt, uint32_t h)
{
    NtReg *r = nt->reg;
    if (h < NT_HANDLE_BASE || (h & 3))
        return NULL;
    uint32_t i = (h - NT_HANDLE_BASE) / 4;
    if (i >= r->nh || !r->h[i].kind)
        return NULL;
    return &r->h[i];
}

void *nt_handle_get(Nt *nt, uint32_t h, unsigned kind)
{
    Handle *s = handle_slot(nt, h);
    return s && s->kind == kind ? s->obj : NULL;
}

int nt_handle_close(Nt *nt, uint32_t h)
{
    Handle *s = handle_slot(nt, h);
    if (!s)
        return -1;
    Handle copy = *s;
    s->kind = 0;
    if (copy.on_close)
        copy.on_close(nt, copy.obj);
    return 0;
}

unsigned nt_handle_count(Nt *nt)
{
    unsigned n = 0;
    for (unsigned i = 0; i < nt->reg->nh; i++)
        n += nt->reg->h[i].kind != 0;
    return n;
}
