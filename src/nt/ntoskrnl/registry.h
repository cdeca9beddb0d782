/* The in-memory registry and the kernel handle table.
 *
 * Keys form a tree named by paths such as
 * "\Registry\Machine\System\CurrentControlSet\Services\ktest"; names are
 * compared case-insensitively (ASCII folding only) and stored as UTF-8.
 * Values keep their Windows type and raw bytes (REG_SZ as UTF-16LE with the
 * terminating NUL, as RegSetValueEx stores it). Nothing is persisted.
 *
 * The host side (the xdrv CLI) fills it before DriverEntry: from an INF
 * (nt_reg_load_inf) and from --param NAME=VALUE (nt_reg_set_param). The
 * driver reaches it through the Zw* exports in zw.c.
 *
 * Handles: one table for every kernel handle type (registry keys now;
 * other Zw objects later), so ZwClose works on all of them. */
#ifndef XDRV_NT_REGISTRY_H
#define XDRV_NT_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nt/nt.h"
#include "pe/inf.h"

/* Value types (winnt.h). */
#define REG_NONE 0u
#define REG_SZ 1u
#define REG_EXPAND_SZ 2u
#define REG_BINARY 3u
#define REG_DWORD 4u
#define REG_MULTI_SZ 7u

#define NT_REG_SERVICES "\\Registry\\Machine\\System\\CurrentControlSet\\Services"

typedef struct NtRegKey NtRegKey;

typedef struct NtRegValue {
    char *name; /* UTF-8; "" for the default value */
    uint32_t type;
    uint8_t *data;
    uint32_t len;
} NtRegValue;

int nt_reg_init(Nt *nt);
void nt_reg_fini(Nt *nt);

/* Open the key at `path` relative to `base` (NULL: the root, and `path`
 * must then start with '\'). Empty path components are rejected. NULL when
 * the key does not exist. */
NtRegKey *nt_reg_open(Nt *nt, NtRegKey *base, const char *path);
/* Create (or open) a key. With `intermediate` missing parents are created
 * too (host use); without it the parent must exist, as for ZwCreateKey.
 * *created (may be NULL) tells whether the key is new. NULL on failure. */
NtRegKey *nt_reg_create(Nt *nt, NtRegKey *base, const char *path, int intermediate, int *created);
/* Delete a key that has no subkeys: 0, -1 if it has subkeys. Open handles
 * keep the (detached) key alive; nt_reg_key_deleted tells. */
int nt_reg_delete_key(Nt *nt, NtRegKey *k);
int nt_reg_key_deleted(const NtRegKey *k);
const char *nt_reg_key_name(const NtRegKey *k);
/* Subkeys and values by index (creation order), NULL past the end. */
NtRegKey *nt_reg_subkey_at(const NtRegKey *k, unsigned i);
const NtRegValue *nt_reg_value_at(const NtRegKey *k, unsigned i);
unsigned nt_reg_subkey_count(const NtRegKey *k);
unsigned nt_reg_value_count(const NtRegKey *k);

const NtRegValue *nt_reg_get_value(const NtRegKey *k, const char *name);
/* Replace or add a value (data copied). 0 or -1 (out of memory). */
int nt_reg_set_value(NtRegKey *k, const char *name, uint32_t type, const void *data, uint32_t len);
/* Whether the last nt_reg_create or nt_reg_set_value that failed did so
 * for a quota (registry.c: keys, values, bytes of data); clears it. */
int nt_reg_quota_hit(Nt *nt);
/* 0, or -1 when there is no such value. */
int nt_reg_delete_value(NtRegKey *k, const char *name);

/* Host conveniences: the key (and its parents) are created as needed. */
int nt_reg_set_string(Nt *nt, const char *keypath, const char *name, uint32_t type,
                      const char *utf8);
int nt_reg_set_dword(Nt *nt, const char *keypath, const char *name, uint32_t v);

/* UTF-8 -> UTF-16LE (surrogate pairs for non-BMP; invalid bytes taken as
 * Latin-1), with a terminating NUL unit if `nul`. malloc'd, *len in bytes. */
uint8_t *nt_reg_utf16(const char *s, size_t n, int nul, uint32_t *len);
/* UTF-16LE (`units` code units) -> UTF-8 in dst (cap >= 1), NUL-terminated,
 * stopping before a character that does not fit; unpaired surrogates become
 * U+FFFD. Returns bytes written. */
size_t nt_reg_utf8(const uint8_t *src, size_t units, char *dst, size_t cap);

/* "123", "0x7b" -> 1 and *v; anything else (text, overflow, empty) -> 0. */
int nt_reg_parse_number(const char *s, uint32_t *v);
/* --param NAME=VALUE: under Services\<service>\Parameters as REG_SZ, the
 * way Windows stores a device's advanced properties (NDIS parses numbers
 * out of strings in the base the driver asks for); "dword:N" (decimal or
 * 0x hex, fits 32 bits) stores REG_DWORD. A bad dword: value is refused. */
int nt_reg_set_param(Nt *nt, const char *service, const char *name, const char *value);
/* The same key, a REG_DWORD (what an installer writes for a number). */
int nt_reg_set_param_dword(Nt *nt, const char *service, const char *name, uint32_t value);
/* Fill the registry from an INF for `service`. Every install section whose
 * AddService names `service` (or, if none does, the first model's) has its
 * AddReg values applied. HKR means the service key
 * (Services\<service>[\subkey]) for values from the service install's
 * AddReg, and the device's driver key for values from the device install's;
 * xdrv has one device per service and keeps that driver key as the
 * service's Parameters subkey (Services\<service>\Parameters[\subkey]),
 * where NdisOpenConfiguration and --param look too. HKLM
 * values go to \Registry\Machine\<subkey>; other roots are logged and
 * skipped. AddReg flags honoured: FLG_ADDREG_NOCLOBBER, FLG_ADDREG_DELVAL,
 * FLG_ADDREG_KEYONLY. Returns 0, or -1 with a one-line reason in err. */
int nt_reg_load_inf(Nt *nt, const Inf *inf, const char *service, char *err, size_t errlen);
/* Create Services\<service> with the values an installed kernel service has
 * (Type=1, Start=3, ErrorControl=1, ImagePath), unless they exist. */
int nt_reg_ensure_service(Nt *nt, const char *service, const char *image_name);
/* Print the subtree at `path` (NULL: everything). */
void nt_reg_dump(Nt *nt, const char *path, FILE *f);

/* ---- kernel handles ---- */
enum { NT_HANDLE_KEY = 1, NT_HANDLE_OTHER = 2 };
typedef void (*NtHandleClose)(Nt *nt, void *obj);
/* A new handle (nonzero, a multiple of 4 with the kernel-handle bit
 * 0x80000000 set, as Windows gives kernel-mode callers); 0 when full. */
uint32_t nt_handle_create(Nt *nt, unsigned kind, void *obj, NtHandleClose on_close);
/* The object behind `h` if it is of `kind`, else NULL. */
void *nt_handle_get(Nt *nt, uint32_t h, unsigned kind);
/* 0, or -1 for a handle that is not open. */
int nt_handle_close(Nt *nt, uint32_t h);
/* Handles still open (leak report). */
unsigned nt_handle_count(Nt *nt);

#endif
