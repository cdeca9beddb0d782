/* Zw* registry services over the in-memory registry (registry.c), and
 * ZwClose for every kernel handle. Result layouts and the
 * STATUS_BUFFER_TOO_SMALL / STATUS_BUFFER_OVERFLOW rules follow the
 * learn.microsoft.com pages for ZwQueryValueKey, ZwEnumerateValueKey,
 * ZwQueryKey and ZwEnumerateKey (KEY_VALUE_*_INFORMATION and
 * KEY_*_INFORMATION in wdm.h):
 *  - Length < the fixed part (offset of Name/Data): STATUS_BUFFER_TOO_SMALL,
 *    nothing written;
 *  - otherwise as much of the structure as fits is written, and
 *    STATUS_BUFFER_OVERFLOW if it did not all fit;
 *  - *ResultLength is always the size the whole structure needs.
 * KEY_VALUE_FULL_INFORMATION.DataOffset is the name's end rounded up to 4
 * bytes (pointer alignment on x86, as ReactOS cmvalche.c computes it).
 * Key timestamps (LastWriteTime) are 0: nothing in xdrv depends on them. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "nt/nt.h"
#include "nt/ntoskrnl/registry.h"
#include "nt/ntstructs.h"

#define STATUS_KEY_DELETED 0xC000017Cu
#define STATUS_CANNOT_DELETE 0xC0000121u
#define STATUS_OBJECT_PATH_SYNTAX_BAD 0xC000003Bu

/* OBJECT_ATTRIBUTES (x86, wdm.h): Length, RootDirectory, ObjectName,
 * Attributes, SecurityDescriptor, SecurityQualityOfService. */
#define OBJECT_ATTRIBUTES_SIZE 24u

enum { REG_CREATED_NEW_KEY = 1, REG_OPENED_EXISTING_KEY = 2 };
enum { REG_OPTION_CREATE_LINK = 2, REG_OPTION_BACKUP_RESTORE = 4 };
enum { KeyValueBasicInformation, KeyValueFullInformation, KeyValuePartialInformation };
enum { KeyBasicInformation, KeyNodeInformation, KeyFullInformation };

#define NAME_MAX_UTF8 1024

/* A guest UNICODE_STRING as UTF-8. Unwinds on a bad pointer, as Windows
 * would fault on one from kernel mode. */
static void ustr_utf8(Nt *nt, GuestAddr pus, char *out, size_t cap, const char *what)
{
    GUnicodeString *us = vm_guest(nt->vm, pus, sizeof *us, what);
    uint16_t len = us->Length & ~1u;
    GuestAddr buf = us->Buffer;
    const uint8_t *p = len ? vm_guest(nt->vm, buf, len, what) : NULL;
    if (!p) {
        out[0] = 0;
        return;
    }
    nt_reg_utf8(p, len / 2u, out, cap);
}

/* The key a handle names, or a status. */
static uint32_t key_from_handle(Nt *nt, uint32_t h, NtRegKey **k)
{
    *k = nt_handle_get(nt, h, NT_HANDLE_KEY);
    if (!*k)
        return STATUS_INVALID_HANDLE;
    if (nt_reg_key_deleted(*k))
        return STATUS_KEY_DELETED;
    return STATUS_SUCCESS;
}

/* Decode OBJECT_ATTRIBUTES into a base key and a path. */
static uint32_t object_attributes(Nt *nt, GuestAddr poa, NtRegKey **base, char *path, size_t cap)
{
    const uint32_t *oa = vm_guest(nt->vm, poa, OBJECT_ATTRIBUTES_SIZE, "OBJECT_ATTRIBUTES");
    if (oa[0] != OBJECT_ATTRIBUTES_SIZE)
        return STATUS_INVALID_PARAMETER;
    if (!oa[2])
        return STATUS_OBJECT_NAME_INVALID;
    ustr_utf8(nt, oa[2], path, cap, "ObjectName");
    *base = NULL;
    if (oa[1]) {
        uint32_t st = key_from_handle(nt, oa[1], base);
        if (st)
            return st;
        if (path[0] == '\\')
            return STATUS_OBJECT_PATH_SYNTAX_BAD;
        return STATUS_SUCCESS;
    }
    if (path[0] != '\\')
        return STATUS_OBJECT_PATH_SYNTAX_BAD;
    if (strncasecmp(path, "\\Registry\\", 10))
        return STATUS_OBJECT_NAME_NOT_FOUND; /* not a registry path */
    return STATUS_SUCCESS;
}

/* Copy a result built on the host per the rules in the file header. */
static uint32_t copy_result(Nt *nt, const uint8_t *res, uint32_t full, uint32_t fixed,
                            GuestAddr out, uint32_t length, GuestAddr presult)
{
    vm_wr32(nt->vm, presult, full);
    if (length < fixed)
        return STATUS_BUFFER_TOO_SMALL;
    uint32_t n = length < full ? length : full;
    memcpy(vm_guest(nt->vm, out, n, "information buffer"), res, n);
    return length < full ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

static uint32_t value_info(Nt *nt, const NtRegValue *v, uint32_t cls, GuestAddr out,
                           uint32_t length, GuestAddr presult)
{
    uint32_t nlen;
    uint8_t *name = nt_reg_utf16(v->name, strlen(v->name), 0, &nlen);
    if (!name)
        vm_throw(nt->vm, VM_FAULT_HOST, "out of host memory");
    uint32_t fixed, full, doff = 0;
    switch (cls) {
    case KeyValueBasicInformation:
        fixed = 12;
        full = fixed + nlen;
        break;
    case KeyValueFullInformation:
        fixed = 20;
        doff = (fixed + nlen + 3u) & ~3u;
        full = doff + v->len;
        break;
    case KeyValuePartialInformation:
        fixed = 12;
        full = fixed + v->len;
        break;
    default:
        free(name);
        vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
                 "%s: KEY_VALUE_INFORMATION_CLASS %u is not supported (only Basic, Full, Partial)",
                 vm_current_api(nt->vm), cls);
    }
    uint8_t *res = calloc(1, full);
    if (!res) {
        free(name);
        vm_throw(nt->vm, VM_FAULT_HOST, "out of host memory");
    }
    put32(res, 0); /* TitleIndex */
    put32(res + 4, v->type);
    if (cls == KeyValueBasicInformation) {
        put32(res + 8, nlen);
        memcpy(res + 12, name, nlen);
    } else if (cls == KeyValueFullInformation) {
        put32(res + 8, doff);
        put32(res + 12, v->len);
        put32(res + 16, nlen);
        memcpy(res + 20, name, nlen);
        memcpy(res + doff, v->data, v->len);
    } else {
        put32(res + 8, v->len);
        memcpy(res + 12, v->data, v->len);
    }
    free(name);
    uint32_t st = copy_result(nt, res, full, fixed, out, length, presult);
    free(res);
    return st;
}

static uint32_t key_info(Nt *nt, const NtRegKey *k, uint32_t cls, GuestAddr out, uint32_t length,
                         GuestAddr presult)
{
    const char *kn = nt_reg_key_name(k);
    uint32_t nlen;
    uint8_t *name = nt_reg_utf16(kn, strlen(kn), 0, &nlen);
    if (!name)
        vm_throw(nt->vm, VM_FAULT_HOST, "out of host memory");
    uint32_t fixed, full;
    uint8_t *res;
    switch (cls) {
    case KeyBasicInformation: /* LastWriteTime, TitleIndex, NameLength, Name */
        fixed = 16;
        full = fixed + nlen;
        res = calloc(1, full);
        if (res) {
            put32(res + 12, nlen);
            memcpy(res + 16, name, nlen);
        }
        break;
    case KeyNodeInformation: /* ..., ClassOffset, ClassLength, NameLength, Name */
        fixed = 24;
        full = fixed + nlen;
        res = calloc(1, full);
        if (res) {
            put32(res + 12, 0xFFFFFFFFu); /* no class */
            put32(res + 20, nlen);
            memcpy(res + 24, name, nlen);
        }
        break;
    case KeyFullInformation: { /* counts and maximum lengths, no name */
        fixed = 44;
        full = fixed;
        res = calloc(1, full);
        if (!res)
            break;
        uint32_t maxname = 0, maxvname = 0, maxdata = 0;
        for (unsigned i = 0; i < nt_reg_subkey_count(k); i++) {
            uint32_t n = 2 * (uint32_t)strlen(nt_reg_key_name(nt_reg_subkey_at(k, i)));
            maxname = n > maxname ? n : maxname;
        }
        for (unsigned i = 0; i < nt_reg_value_count(k); i++) {
            const NtRegValue *v = nt_reg_value_at(k, i);
            uint32_t n = 2 * (uint32_t)strlen(v->name);
            maxvname = n > maxvname ? n : maxvname;
            maxdata = v->len > maxdata ? v->len : maxdata;
        }
        put32(res + 12, 0xFFFFFFFFu); /* ClassOffset */
        put32(res + 20, nt_reg_subkey_count(k));
        put32(res + 24, maxname);
        put32(res + 32, nt_reg_value_count(k));
        put32(res + 36, maxvname);
        put32(res + 40, maxdata);
        break;
    }
    default:
        free(name);
        vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
                 "%s: KEY_INFORMATION_CLASS %u is not supported (only Basic, Node, Full)",
                 vm_current_api(nt->vm), cls);
    }
    free(name);
    if (!res)
        vm_throw(nt->vm, VM_FAULT_HOST, "out of host memory");
    uint32_t st = copy_result(nt, res, full, fixed, out, length, presult);
    free(res);
    return st;
}

/* NTSTATUS ZwCreateKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
 *     POBJECT_ATTRIBUTES ObjectAttributes, ULONG TitleIndex, PUNICODE_STRING Class,
 *     ULONG CreateOptions, PULONG Disposition); */
NTAPI(ZwCreateKey)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    char path[NAME_MAX_UTF8];
    NtRegKey *base, *k;
    if (a[5] & (REG_OPTION_CREATE_LINK | REG_OPTION_BACKUP_RESTORE))
        vm_throw(nt->vm, VM_FAULT_UNIMPLEMENTED,
                 "ZwCreateKey: CreateOptions 0x%x (symbolic links / backup-restore) not supported",
                 a[5]);
    uint32_t st = object_attributes(nt, a[2], &base, path, sizeof path);
    if (st)
        return st;
    vm_guest(nt->vm, a[0], 4, "KeyHandle");
    int created = 0;
    k = nt_reg_create(nt, base, path, 0, &created);
    if (!k)
        return nt_reg_quota_hit(nt) || nt_reg_open(nt, base, path) ? STATUS_INSUFFICIENT_RESOURCES
                                                                   : STATUS_OBJECT_NAME_NOT_FOUND;
    uint32_t h = nt_handle_create(nt, NT_HANDLE_KEY, k, NULL);
    if (!h)
        return STATUS_INSUFFICIENT_RESOURCES;
    vm_wr32(nt->vm, a[0], h);
    if (a[6])
        vm_wr32(nt->vm, a[6], created ? REG_CREATED_NEW_KEY : REG_OPENED_EXISTING_KEY);
    return STATUS_SUCCESS;
}

/* NTSTATUS ZwOpenKey(PHANDLE KeyHandle, ACCESS_MASK DesiredAccess,
 *     POBJECT_ATTRIBUTES ObjectAttributes); */
NTAPI(ZwOpenKey)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    char path[NAME_MAX_UTF8];
    NtRegKey *base;
    uint32_t st = object_attributes(nt, a[2], &base, path, sizeof path);
    if (st)
        return st;
    vm_guest(nt->vm, a[0], 4, "KeyHandle");
    NtRegKey *k = nt_reg_open(nt, base, path);
    if (!k)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    uint32_t h = nt_handle_create(nt, NT_HANDLE_KEY, k, NULL);
    if (!h)
        return STATUS_INSUFFICIENT_RESOURCES;
    vm_wr32(nt->vm, a[0], h);
    return STATUS_SUCCESS;
}

/* NTSTATUS ZwQueryValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName,
 *     KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass, PVOID KeyValueInformation,
 *     ULONG Length, PULONG ResultLength); */
NTAPI(ZwQueryValueKey)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NtRegKey *k;
    uint32_t st = key_from_handle(nt, a[0], &k);
    if (st)
        return st;
    char name[NAME_MAX_UTF8];
    ustr_utf8(nt, a[1], name, sizeof name, "ValueName");
    const NtRegValue *v = nt_reg_get_value(k, name);
    if (!v)
        return STATUS_OBJECT_NAME_NOT_FOUND;
    return value_info(nt, v, a[2], a[3], a[4], a[5]);
}

/* NTSTATUS ZwEnumerateValueKey(HANDLE KeyHandle, ULONG Index,
 *     KEY_VALUE_INFORMATION_CLASS KeyValueInformationClass, PVOID KeyValueInformation,
 *     ULONG Length, PULONG ResultLength); */
NTAPI(ZwEnumerateValueKey)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NtRegKey *k;
    uint32_t st = key_from_handle(nt, a[0], &k);
    if (st)
        return st;
    const NtRegValue *v = nt_reg_value_at(k, a[1]);
    if (!v)
        return STATUS_NO_MORE_ENTRIES;
    return value_info(nt, v, a[2], a[3], a[4], a[5]);
}

/* NTSTATUS ZwEnumerateKey(HANDLE KeyHandle, ULONG Index,
 *     KEY_INFORMATION_CLASS KeyInformationClass, PVOID KeyInformation, ULONG Length,
 *     PULONG ResultLength); */
NTAPI(ZwEnumerateKey)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NtRegKey *k;
    uint32_t st = key_from_handle(nt, a[0], &k);
    if (st)
        return st;
    const NtRegKey *sub = nt_reg_subkey_at(k, a[1]);
    if (!sub)
        return STATUS_NO_MORE_ENTRIES;
    return key_info(nt, sub, a[2], a[3], a[4], a[5]);
}

/* NTSTATUS ZwQueryKey(HANDLE KeyHandle, KEY_INFORMATION_CLASS KeyInformationClass,
 *     PVOID KeyInformation, ULONG Length, PULONG ResultLength); */
NTAPI(ZwQueryKey)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NtRegKey *k;
    uint32_t st = key_from_handle(nt, a[0], &k);
    if (st)
        return st;
    return key_info(nt, k, a[1], a[2], a[3], a[4]);
}

/* NTSTATUS ZwSetValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName, ULONG TitleIndex,
 *     ULONG Type, PVOID Data, ULONG DataSize); */
NTAPI(ZwSetValueKey)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NtRegKey *k;
    uint32_t st = key_from_handle(nt, a[0], &k);
    if (st)
        return st;
    char name[NAME_MAX_UTF8];
    ustr_utf8(nt, a[1], name, sizeof name, "ValueName");
    uint32_t size = a[5];
    if (size > 0x100000u) /* far beyond any real driver value; keeps the host bounded */
        return STATUS_INSUFFICIENT_RESOURCES;
    const void *data = size ? vm_guest(nt->vm, a[4], size, "Data") : NULL;
    if (nt_reg_set_value(k, name, a[3], data, size) < 0)
        return STATUS_INSUFFICIENT_RESOURCES;
    return STATUS_SUCCESS;
}

/* NTSTATUS ZwDeleteValueKey(HANDLE KeyHandle, PUNICODE_STRING ValueName); */
NTAPI(ZwDeleteValueKey)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NtRegKey *k;
    uint32_t st = key_from_handle(nt, a[0], &k);
    if (st)
        return st;
    char name[NAME_MAX_UTF8];
    ustr_utf8(nt, a[1], name, sizeof name, "ValueName");
    return nt_reg_delete_value(k, name) < 0 ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_SUCCESS;
}

/* NTSTATUS ZwDeleteKey(HANDLE KeyHandle); the handle stays open (ZwClose
 * it), and further use of it gives STATUS_KEY_DELETED. */
NTAPI(ZwDeleteKey)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NtRegKey *k;
    uint32_t st = key_from_handle(nt, a[0], &k);
    if (st)
        return st;
    return nt_reg_delete_key(nt, k) < 0 ? STATUS_CANNOT_DELETE : STATUS_SUCCESS;
}

/* NTSTATUS ZwFlushKey(HANDLE KeyHandle); the registry lives in memory only,
 * so there is nothing to write back. */
NTAPI(ZwFlushKey)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    NtRegKey *k;
    return key_from_handle(nt, a[0], &k);
}

/* NTSTATUS ZwClose(HANDLE Handle); */
NTAPI(ZwClose)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    if (nt_handle_close(nt, a[0]) < 0) {
        nt_log(nt,
               "warning: ZwClose(0x%08x): not an open handle (Windows may bug-check "
               "INVALID_KERNEL_HANDLE)\n",
               a[0]);
        return STATUS_INVALID_HANDLE;
    }
    return STATUS_SUCCESS;
}

/* NTSTATUS ZwOpenFile(PHANDLE FileHandle, ACCESS_MASK DesiredAccess,
 *     POBJECT_ATTRIBUTES ObjectAttributes, PIO_STATUS_BLOCK IoStatusBlock,
 *     ULONG ShareAccess, ULONG OpenOptions);
 * The guest has no file system: every file path is absent, answered as
 * Windows answers for a file that does not exist (STATUS_OBJECT_NAME_NOT_FOUND
 * in the status and the I/O status block). Opening a device object this way
 * is not supported and stops the run. */
NTAPI(ZwOpenFile)
{
    nt_check_irql_max(nt, PASSIVE_LEVEL);
    vm_guest(nt->vm, a[0], 4, "FileHandle");
    GuestAddr oa = a[2];
    GuestAddr name = vm_rd32(nt->vm, oa + 8); /* OBJECT_ATTRIBUTES.ObjectName */
    char path[256];
    nt_ustr(nt, name, path, sizeof path);
    if (!strncasecmp(path, "\\Device\\", 8) || !strncasecmp(path, "\\??\\", 4) ||
        !strncasecmp(path, "\\DosDevices\\", 12))
        if (!strchr(path + 4, ':'))
            vm_throw(
                nt->vm, VM_FAULT_UNIMPLEMENTED,
                "ZwOpenFile(\"%s\"): opening device objects through ZwOpenFile is not supported",
                path);
    nt_log(nt,
           "note: ZwOpenFile(\"%s\"): the guest has no file system, answering "
           "STATUS_OBJECT_NAME_NOT_FOUND\n",
           path);
    vm_wr32(nt->vm, a[3], STATUS_OBJECT_NAME_NOT_FOUND);
    vm_wr32(nt->vm, a[3] + 4, 0);
    vm_wr32(nt->vm, a[0], 0);
    return STATUS_OBJECT_NAME_NOT_FOUND;
}
