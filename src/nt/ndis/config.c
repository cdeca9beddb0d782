/* NDIS configuration: the adapter's registry key
 * (Services\<service>\Parameters, where the INF's HKR values and --param
 * land), keyword reads with NDIS's type conversions and the INF's
 * Ndi\params\<Keyword> "default" values as fallback, writes, subkeys, and
 * NdisReadNetworkAddress. What NdisReadConfiguration hands out lives in
 * pool memory owned by the configuration handle until
 * NdisCloseConfiguration.
 * Facts: learn.microsoft.com NDIS 5.1 pages of each routine (keyword
 * types, NetworkAddress format); the "Environment", "ProcessorType" and
 * "NdisVersion" keywords NDIS answers itself: ReactOS ndis/config.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nt/ndis/ndis.h"
#include "nt/ndis/ndis_lib.h"
#include "nt/ndis/ndis_structs.h"
#include "nt/ntoskrnl/registry.h"
#include "nt/ntstructs.h"

#define NDIS_ENVIRONMENT_WINDOWS_NT 1u /* NdisEnvironmentWindowsNt */
#define NDIS_PROCESSOR_X86 0u          /* NdisProcessorX86 */
#define NDIS_VERSION_51 0x00050001u
#define NDIS_KEYWORD_MAX 256u

/* ------------------------------------------------------------ handles */

GuestAddr ndis_config_open_key(Nt *nt, NtRegKey *key, const char *service)
{
    NdisLib *lib = nt->ndis->lib;
    if (ndis_lib_grow((void **)&lib->configs, lib->nconfigs, sizeof *lib->configs) < 0)
        return 0;
    GuestAddr h = nt_pool_alloc(nt, 16, NDIS_LIB_TAG);
    if (!h)
        return 0;
    NdisConfig *c = &lib->configs[lib->nconfigs++];
    memset(c, 0, sizeof *c);
    c->handle = h;
    c->key = key;
    snprintf(c->service, sizeof c->service, "%s", service ? service : "");
    return h;
}

static NdisConfig *config_get(Nt *nt, GuestAddr h)
{
    NdisLib *lib = nt->ndis->lib;
    for (unsigned i = 0; i < lib->nconfigs; i++)
        if (h && lib->configs[i].handle == h)
            return &lib->configs[i];
    vm_throw(nt->vm, VM_FAULT_API,
             "%s: 0x%08x is not an open configuration handle (closed already?)",
             vm_current_api(nt->vm), h);
}

/* Pool memory owned by the handle; 0 when exhausted. */
static GuestAddr config_mem(Nt *nt, NdisConfig *c, uint32_t size)
{
    if (ndis_lib_grow((void **)&c->mem, c->nmem, sizeof *c->mem) < 0)
        vm_throw(nt->vm, VM_FAULT_HOST, "out of host memory");
    GuestAddr p = nt_pool_alloc(nt, size, NDIS_LIB_TAG);
    if (p)
        c->mem[c->nmem++] = p;
    return p;
}

static void config_close(Nt *nt, NdisConfig *c)
{
    NdisLib *lib = nt->ndis->lib;
    for (unsigned i = 0; i < c->nmem; i++)
        nt_pool_free(nt, c->mem[i]);
    free(c->mem);
    nt_pool_free(nt, c->handle);
    *c = lib->configs[--lib->nconfigs];
}

void ndis_config_lib_fini(Nt *nt)
{
    NdisLib *lib = nt->ndis->lib;
    for (unsigned i = 0; i < lib->nconfigs; i++)
        free(lib->configs[i].mem);
    free(lib->configs);
    lib->configs = NULL;
    lib->nconfigs = 0;
}

/* A guest NDIS_STRING as UTF-8 (unwinds on bad pointers or odd lengths). */
static const char *read_ndis_string(Nt *nt, GuestAddr pus, char *buf, size_t cap, const char *what)
{
    GUnicodeString *s = vm_guest(nt->vm, pus, sizeof *s, what);
    uint16_t len = s->Length;
    GuestAddr b = s->Buffer;
    if (len & 1)
        vm_throw(nt->vm, VM_FAULT_API, "%s: %s has an odd Length %u", vm_current_api(nt->vm), what,
                 len);
    if (len / 2 >= cap)
        vm_throw(nt->vm, VM_FAULT_API, "%s: %s is longer than %zu characters",
                 vm_current_api(nt->vm), what, cap - 1);
    const uint8_t *w = len ? vm_guest(nt->vm, b, len, what) : NULL;
    buf[0] = 0;
    if (len)
        nt_reg_utf8(w, len / 2u, buf, cap);
    return buf;
}

static void put_status(Nt *nt, GuestAddr pstatus, uint32_t st)
{
    vm_wr32(nt->vm, pstatus, st);
}

/* VOID NdisOpenConfiguration(PNDIS_STATUS Status,
 *     PNDIS_HANDLE ConfigurationHandle, NDIS_HANDLE WrapperConfigurationContext); */
NTAPI(NdisOpenConfiguration)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    vm_guest(nt->vm, a[0], 4, "Status");
    vm_guest(nt->vm, a[1], 4, "ConfigurationHandle");
    NdisAdapter *ad = ndis_adapter_from_config_context(nt, a[2]);
    const char *svc = ndis_adapter_service_name(ad);
    char path[512];
    snprintf(path, sizeof path, NT_REG_SERVICES "\\%s\\Parameters", svc);
    NtRegKey *k = nt_reg_create(nt, NULL, path, 1, NULL);
    GuestAddr h = k ? ndis_config_open_key(nt, k, svc) : 0;
    vm_wr32(nt->vm, a[1], h);
    put_status(nt, a[0], h ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES);
    return 0;
}

/* VOID NdisCloseConfiguration(NDIS_HANDLE ConfigurationHandle); frees
 * everything read through the handle. */
NTAPI(NdisCloseConfiguration)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    config_close(nt, config_get(nt, a[0]));
    return 0;
}

/* VOID NdisOpenConfigurationKeyByName(PNDIS_STATUS Status,
 *     NDIS_HANDLE ConfigurationHandle, PNDIS_STRING SubKeyName,
 *     PNDIS_HANDLE SubKeyHandle); */
NTAPI(NdisOpenConfigurationKeyByName)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    vm_guest(nt->vm, a[0], 4, "Status");
    vm_guest(nt->vm, a[3], 4, "SubKeyHandle");
    NdisConfig *c = config_get(nt, a[1]);
    char name[NDIS_KEYWORD_MAX];
    read_ndis_string(nt, a[2], name, sizeof name, "SubKeyName");
    NtRegKey *k = *name ? nt_reg_open(nt, c->key, name) : NULL;
    char svc[sizeof c->service];
    memcpy(svc, c->service, sizeof svc);
    GuestAddr h = k ? ndis_config_open_key(nt, k, svc) : 0;
    vm_wr32(nt->vm, a[3], h);
    put_status(nt, a[0], h ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE);
    return 0;
}

/* A guest NDIS_STRING for `utf8` in memory owned by c, written at pus. */
static int put_string(Nt *nt, NdisConfig *c, GuestAddr pus, const char *utf8)
{
    uint32_t len;
    uint8_t *w = nt_reg_utf16(utf8, strlen(utf8), 1, &len);
    if (!w)
        vm_throw(nt->vm, VM_FAULT_HOST, "out of host memory");
    GuestAddr buf = len <= 0xfffe ? config_mem(nt, c, len) : 0;
    if (buf)
        memcpy(vm_guest(nt->vm, buf, len, "string"), w, len);
    free(w);
    if (!buf)
        return -1;
    GUnicodeString *us = vm_guest(nt->vm, pus, sizeof *us, "NDIS_STRING");
    us->Length = (uint16_t)(len - 2);
    us->MaximumLength = (uint16_t)len;
    us->Buffer = buf;
    return 0;
}

/* VOID NdisOpenConfigurationKeyByIndex(PNDIS_STATUS Status,
 *     NDIS_HANDLE ConfigurationHandle, ULONG Index, PNDIS_STRING KeyName,
 *     PNDIS_HANDLE KeyHandle); KeyName lives as long as the parent handle. */
NTAPI(NdisOpenConfigurationKeyByIndex)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    vm_guest(nt->vm, a[0], 4, "Status");
    vm_guest(nt->vm, a[3], sizeof(GUnicodeString), "KeyName");
    vm_guest(nt->vm, a[4], 4, "KeyHandle");
    NdisConfig *c = config_get(nt, a[1]);
    NtRegKey *k = nt_reg_subkey_at(c->key, a[2]);
    if (!k) {
        vm_wr32(nt->vm, a[4], 0);
        put_status(nt, a[0], NDIS_STATUS_FAILURE);
        return 0;
    }
    if (put_string(nt, c, a[3], nt_reg_key_name(k)) < 0) {
        put_status(nt, a[0], NDIS_STATUS_RESOURCES);
        return 0;
    }
    char svc[sizeof c->service];
    memcpy(svc, c->service, sizeof svc);
    GuestAddr h = ndis_config_open_key(nt, k, svc);
    vm_wr32(nt->vm, a[4], h);
    put_status(nt, a[0], h ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES);
    return 0;
}

/* ------------------------------------------------------------ values */

/* A REG_SZ/REG_EXPAND_SZ value as UTF-8 (at most cap-1 bytes). */
static const char *value_text(const NtRegValue *v, char *buf, size_t cap)
{
    buf[0] = 0;
    uint32_t units = v->len / 2;
    while (units && !v->data[2 * units - 2] && !v->data[2 * units - 1])
        units--;
    nt_reg_utf8(v->data, units, buf, cap);
    return buf;
}

/* "123", "-5" (base 10) or "1f", "0x1F" (base 16), with surrounding
 * blanks; 1 and *out on success. */
static int parse_int(const char *s, unsigned base, uint32_t *out)
{
    while (isspace((unsigned char)*s))
        s++;
    int neg = 0;
    if (base == 10 && (*s == '-' || *s == '+'))
        neg = *s++ == '-';
    if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    uint64_t v = 0;
    int digits = 0;
    for (; *s; s++, digits++) {
        int d = isdigit((unsigned char)*s)                  ? *s - '0'
                : base == 16 && isxdigit((unsigned char)*s) ? tolower((unsigned char)*s) - 'a' + 10
                                                            : -1;
        if (d < 0)
            break;
        v = v * base + (unsigned)d;
        if (v > 0xFFFFFFFFu)
            return 0;
    }
    while (isspace((unsigned char)*s))
        s++;
    if (!digits || *s)
        return 0;
    *out = neg ? (uint32_t) - (int64_t)v : (uint32_t)v;
    return 1;
}

/* Build the NDIS_CONFIGURATION_PARAMETER for a registry value; 0 and
 * *param, or an NDIS status. */
static uint32_t make_param(Nt *nt, NdisConfig *c, const char *kw, const NtRegValue *v,
                           uint32_t want, GuestAddr *param)
{
    GuestAddr p = config_mem(nt, c, sizeof(GNdisConfigurationParameter));
    if (!p)
        return NDIS_STATUS_RESOURCES;
    GNdisConfigurationParameter *g = vm_guest(nt->vm, p, sizeof *g, "parameter");
    memset(g, 0, sizeof *g);
    char text[1024];
    uint32_t n;
    int is_sz = v->type == REG_SZ || v->type == REG_EXPAND_SZ;
    switch (want) {
    case NdisParameterInteger:
    case NdisParameterHexInteger:
        if (v->type == REG_DWORD && v->len >= 4) {
            memcpy(&n, v->data, 4);
        } else if (is_sz && parse_int(value_text(v, text, sizeof text),
                                      want == NdisParameterHexInteger ? 16 : 10, &n)) {
        } else {
            nt_log(nt, "NdisReadConfiguration: %s: registry value (type %u) is not %s integer\n",
                   kw, v->type, want == NdisParameterHexInteger ? "a hexadecimal" : "a decimal");
            return NDIS_STATUS_FAILURE;
        }
        g = vm_guest(nt->vm, p, sizeof *g, "parameter");
        g->ParameterType = want;
        g->ParameterData.IntegerData = n;
        break;
    case NdisParameterString:
    case NdisParameterMultiString:
        if (v->type == REG_DWORD && v->len >= 4) {
            memcpy(&n, v->data, 4);
            snprintf(text, sizeof text, "%u", n);
            if (put_string(nt, c, p + 4, text) < 0)
                return NDIS_STATUS_RESOURCES;
        } else if (is_sz || v->type == REG_MULTI_SZ) {
            if (v->len > 0xfffe || (v->len & 1))
                return NDIS_STATUS_FAILURE;
            uint32_t len = v->len;
            /* String: without its terminating NUL; MultiString: all of it. */
            if (is_sz)
                while (len >= 2 && !v->data[len - 2] && !v->data[len - 1])
                    len -= 2;
            GuestAddr buf = config_mem(nt, c, len + 2);
            if (!buf)
                return NDIS_STATUS_RESOURCES;
            uint8_t *d = vm_guest(nt->vm, buf, len + 2, "string");
            memcpy(d, v->data, len);
            d[len] = d[len + 1] = 0;
            g = vm_guest(nt->vm, p, sizeof *g, "parameter");
            g->ParameterData.StringData.Length = (uint16_t)len;
            g->ParameterData.StringData.MaximumLength = (uint16_t)(len + 2);
            g->ParameterData.StringData.Buffer = buf;
        } else {
            nt_log(nt, "NdisReadConfiguration: %s: registry value (type %u) is not a string\n", kw,
                   v->type);
            return NDIS_STATUS_FAILURE;
        }
        g = vm_guest(nt->vm, p, sizeof *g, "parameter");
        g->ParameterType = want;
        break;
    case NdisParameterBinary: {
        if (v->len > 0xffff)
            return NDIS_STATUS_FAILURE;
        GuestAddr buf = v->len ? config_mem(nt, c, v->len) : 0;
        if (v->len && !buf)
            return NDIS_STATUS_RESOURCES;
        if (v->len)
            memcpy(vm_guest(nt->vm, buf, v->len, "binary"), v->data, v->len);
        g = vm_guest(nt->vm, p, sizeof *g, "parameter");
        g->ParameterType = NdisParameterBinary;
        g->ParameterData.BinaryData.Length = (uint16_t)v->len;
        g->ParameterData.BinaryData.Buffer = buf;
        break;
    }
    default:
        vm_throw(nt->vm, VM_FAULT_API, "NdisReadConfiguration(%s): unknown ParameterType %u", kw,
                 want);
    }
    *param = p;
    return NDIS_STATUS_SUCCESS;
}

/* VOID NdisReadConfiguration(PNDIS_STATUS Status,
 *     PNDIS_CONFIGURATION_PARAMETER *ParameterValue,
 *     NDIS_HANDLE ConfigurationHandle, PNDIS_STRING Keyword,
 *     NDIS_PARAMETER_TYPE ParameterType);
 * A keyword missing from the key falls back to the INF's
 * Ndi\params\<Keyword> "default"; missing both: NDIS_STATUS_FAILURE. */
NTAPI(NdisReadConfiguration)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    vm_guest(nt->vm, a[0], 4, "Status");
    vm_guest(nt->vm, a[1], 4, "ParameterValue");
    NdisConfig *c = config_get(nt, a[2]);
    char kw[NDIS_KEYWORD_MAX];
    read_ndis_string(nt, a[3], kw, sizeof kw, "Keyword");
    uint32_t want = a[4];
    if (want > NdisParameterBinary)
        vm_throw(nt->vm, VM_FAULT_API, "NdisReadConfiguration(%s): unknown ParameterType %u", kw,
                 want);
    const NtRegValue *v = *kw ? nt_reg_get_value(c->key, kw) : NULL;
    if (!v && *kw) {
        char sub[NDIS_KEYWORD_MAX + 16];
        snprintf(sub, sizeof sub, "Ndi\\params\\%s", kw);
        NtRegKey *pk = strchr(kw, '\\') ? NULL : nt_reg_open(nt, c->key, sub);
        v = pk ? nt_reg_get_value(pk, "default") : NULL;
    }
    uint32_t builtin = 0;
    int is_builtin = 0;
    if (!v) {
        if (!strcasecmp(kw, "Environment"))
            builtin = NDIS_ENVIRONMENT_WINDOWS_NT, is_builtin = 1;
        else if (!strcasecmp(kw, "ProcessorType"))
            builtin = NDIS_PROCESSOR_X86, is_builtin = 1;
        else if (!strcasecmp(kw, "NdisVersion"))
            builtin = NDIS_VERSION_51, is_builtin = 1;
    }
    NtRegValue bv = {.name = kw, .type = REG_DWORD, .data = (uint8_t *)&builtin, .len = 4};
    if (is_builtin)
        v = &bv;
    if (!v) {
        put_status(nt, a[0], NDIS_STATUS_FAILURE);
        return 0;
    }
    GuestAddr param = 0;
    uint32_t st = make_param(nt, c, kw, v, want, &param);
    if (st == NDIS_STATUS_SUCCESS)
        vm_wr32(nt->vm, a[1], param);
    put_status(nt, a[0], st);
    return 0;
}

/* VOID NdisWriteConfiguration(PNDIS_STATUS Status,
 *     NDIS_HANDLE ConfigurationHandle, PNDIS_STRING Keyword,
 *     PNDIS_CONFIGURATION_PARAMETER ParameterValue); */
NTAPI(NdisWriteConfiguration)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    vm_guest(nt->vm, a[0], 4, "Status");
    NdisConfig *c = config_get(nt, a[1]);
    char kw[NDIS_KEYWORD_MAX];
    read_ndis_string(nt, a[2], kw, sizeof kw, "Keyword");
    if (!*kw)
        vm_throw(nt->vm, VM_FAULT_API, "NdisWriteConfiguration: empty Keyword");
    GNdisConfigurationParameter g =
        *(GNdisConfigurationParameter *)vm_guest(nt->vm, a[3], sizeof g, "ParameterValue");
    int rc;
    switch (g.ParameterType) {
    case NdisParameterInteger:
    case NdisParameterHexInteger:
        rc = nt_reg_set_value(c->key, kw, REG_DWORD, &g.ParameterData.IntegerData, 4);
        break;
    case NdisParameterString:
    case NdisParameterMultiString: {
        uint16_t len = g.ParameterData.StringData.Length;
        if (len & 1)
            vm_throw(nt->vm, VM_FAULT_API, "NdisWriteConfiguration(%s): odd string Length %u", kw,
                     len);
        const uint8_t *d =
            len ? vm_guest(nt->vm, g.ParameterData.StringData.Buffer, len, "string") : NULL;
        uint8_t *tmp = malloc(len + 4u);
        if (!tmp)
            vm_throw(nt->vm, VM_FAULT_HOST, "out of host memory");
        if (len)
            memcpy(tmp, d, len);
        memset(tmp + len, 0, 4);
        /* REG_SZ gets its terminating NUL; REG_MULTI_SZ its final one. */
        uint32_t stored = len + 2u;
        rc = nt_reg_set_value(c->key, kw,
                              g.ParameterType == NdisParameterString ? REG_SZ : REG_MULTI_SZ, tmp,
                              stored);
        free(tmp);
        break;
    }
    case NdisParameterBinary: {
        uint16_t len = g.ParameterData.BinaryData.Length;
        const uint8_t *d =
            len ? vm_guest(nt->vm, g.ParameterData.BinaryData.Buffer, len, "binary") : NULL;
        rc = nt_reg_set_value(c->key, kw, REG_BINARY, d, len);
        break;
    }
    default:
        vm_throw(nt->vm, VM_FAULT_API, "NdisWriteConfiguration(%s): unknown ParameterType %u", kw,
                 g.ParameterType);
    }
    put_status(nt, a[0], rc < 0 ? NDIS_STATUS_RESOURCES : NDIS_STATUS_SUCCESS);
    return 0;
}

/* "00-11-22-33-44-55", "00:11:22:33:44:55" or "001122334455" -> 6 bytes. */
static int parse_mac(const char *s, uint8_t mac[6])
{
    unsigned nd = 0;
    for (; *s; s++) {
        if (*s == '-' || *s == ':' || isspace((unsigned char)*s))
            continue;
        if (!isxdigit((unsigned char)*s) || nd == 12)
            return 0;
        unsigned d = isdigit((unsigned char)*s) ? (unsigned)(*s - '0')
                                                : (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
        mac[nd / 2] = (uint8_t)(nd % 2 ? (mac[nd / 2] << 4) | d : d);
        nd++;
    }
    return nd == 12;
}

/* VOID NdisReadNetworkAddress(PNDIS_STATUS Status, PVOID *NetworkAddress,
 *     PUINT NetworkAddressLength, NDIS_HANDLE ConfigurationHandle);
 * The "NetworkAddress" keyword: 12 hex digits, optionally separated by '-'
 * or ':'. The bytes live until NdisCloseConfiguration. */
NTAPI(NdisReadNetworkAddress)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    vm_guest(nt->vm, a[0], 4, "Status");
    vm_guest(nt->vm, a[1], 4, "NetworkAddress");
    vm_guest(nt->vm, a[2], 4, "NetworkAddressLength");
    NdisConfig *c = config_get(nt, a[3]);
    const NtRegValue *v = nt_reg_get_value(c->key, "NetworkAddress");
    uint8_t mac[6];
    char text[128];
    int ok = 0;
    if (v && (v->type == REG_SZ || v->type == REG_EXPAND_SZ)) {
        ok = parse_mac(value_text(v, text, sizeof text), mac);
        if (!ok)
            nt_log(nt, "NdisReadNetworkAddress: NetworkAddress \"%s\" is not 12 hex digits\n",
                   text);
    } else if (v) {
        nt_log(
            nt,
            "NdisReadNetworkAddress: NetworkAddress has registry type %u, not a string (a --param "
            "value that looks like a number is stored as REG_DWORD: write it as "
            "00-11-22-33-44-55)\n",
            v->type);
    }
    GuestAddr p = ok ? config_mem(nt, c, 6) : 0;
    if (!p) {
        vm_wr32(nt->vm, a[2], 0);
        put_status(nt, a[0], ok ? NDIS_STATUS_RESOURCES : NDIS_STATUS_FAILURE);
        return 0;
    }
    memcpy(vm_guest(nt->vm, p, 6, "address"), mac, 6);
    vm_wr32(nt->vm, a[1], p);
    vm_wr32(nt->vm, a[2], 6);
    put_status(nt, a[0], NDIS_STATUS_SUCCESS);
    return 0;
}

/* ------------------------------------------------------------ other buses */

/* VOID NdisReadEisaSlotInformation(PNDIS_STATUS Status,
 *     NDIS_HANDLE WrapperConfigurationContext, PUINT SlotNumber,
 *     PNDIS_EISA_FUNCTION_INFORMATION EisaData); */
NTAPI(NdisReadEisaSlotInformation)
{
    vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
             "NdisReadEisaSlotInformation: the virtual machine has no EISA bus "
             "(the adapter is PCI or ISA)");
}

/* VOID NdisReadMcaPosInformation(PNDIS_STATUS Status,
 *     NDIS_HANDLE WrapperConfigurationContext, PUINT ChannelNumber,
 *     PNDIS_MCA_POS_DATA McaData); */
NTAPI(NdisReadMcaPosInformation)
{
    vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
             "NdisReadMcaPosInformation: the virtual machine has no Micro "
             "Channel bus (the adapter is PCI or ISA)");
}

/* ULONG NdisReadPcmciaAttributeMemory(NDIS_HANDLE NdisAdapterHandle,
 *     ULONG Offset, PVOID Buffer, ULONG Length); */
NTAPI(NdisReadPcmciaAttributeMemory)
{
    vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
             "NdisReadPcmciaAttributeMemory: the virtual machine has no PCMCIA "
             "bus (the adapter is PCI or ISA)");
}

int ndis_install_bus_params(Nt *nt, const char *service, int isa, uint32_t io, unsigned irq)
{
    /* NDIS_INTERFACE_TYPE values (ndis.h): NdisInterfaceIsa 1, NdisInterfacePci 5 */
    if (nt_reg_set_param_dword(nt, service, "BusType", isa ? 1 : 5) < 0)
        return -1;
    if (!isa)
        return 0;
    if (nt_reg_set_param_dword(nt, service, "IoBaseAddress", io) < 0)
        return -1;
    return nt_reg_set_param_dword(nt, service, "InterruptNumber", irq);
}
