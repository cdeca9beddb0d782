/* The driver store: drivers installed once (their INF and the files it
 * names, copied), each in a directory of its own with a record of what
 * was checked at install time (imports, the hardware ID and device model
 * chosen). `xdrv install`, `xdrv list`, `xdrv remove`; `xdrv up` runs what
 * is installed. Format of the record: docs/formats/store.md. */
#ifndef XDRV_MANAGER_STORE_H
#define XDRV_MANAGER_STORE_H

#include <stddef.h>
#include <stdio.h>

#define STORE_ERR_MAX 512
#define STORE_NAME_MAX 64

typedef struct StoreEntry {
    char name[STORE_NAME_MAX]; /* the directory's name in the store */
    char inf[256];             /* the INF's file name, in that directory */
    char sys[256];             /* the driver image's file name */
    char service[64];          /* the service name the INF installs */
    char version[96];          /* [Version] DriverVer */
    char provider[128];        /* [Version] Provider */
    char hwid[160];            /* the hardware ID the model presents */
    char description[160];     /* its device description */
    char device[256];          /* the --device spec chosen for it */
    char board[160];           /* what that is (the board's name) */
    unsigned imports, imports_total;
    char missing[512];         /* imports not implemented, comma-separated */
    char installed[32];        /* UTC, ISO 8601 */
} StoreEntry;

/* The store's directory: `opt` (--store) if given, else $XDRV_STORE, else
 * /var/lib/xdrv for root and $XDG_DATA_HOME/xdrv (~/.local/share/xdrv)
 * for others. Returns 0, or -1 with a one-line reason. */
int store_path(const char *opt, char *out, size_t len, char *err, size_t errlen);

/* A name a store directory can have: 1..63 of [A-Za-z0-9._-], not
 * starting with '.' or '-'. */
int store_name_ok(const char *name);

/* Write e as DIR/xdrv-driver (through a temporary file renamed over it). */
int store_write(const char *dir, const StoreEntry *e, char *err, size_t errlen);
/* Read DIR/xdrv-driver. -1 with a one-line reason (missing, malformed). */
int store_read(const char *dir, StoreEntry *e, char *err, size_t errlen);

/* Copy a file (mode 0644), refusing to follow a symbolic link at dst. */
int store_copy(const char *src, const char *dst, char *err, size_t errlen);

/* The installed drivers, sorted by name; entries whose record cannot be
 * read are listed with an empty inf and the reason in missing. *n = 0
 * and 0 when the store does not exist yet. */
int store_list(const char *store, StoreEntry **out, size_t *n, char *err, size_t errlen);

/* Remove directory DIR and the files in it (no subdirectories); -1 with
 * ERR set and errno kept from the failing call. */
int store_rmdir(const char *dir, char *err, size_t errlen);

/* Remove STORE/NAME and what is in it (files only: an installed driver
 * holds no subdirectories). */
int store_remove(const char *store, const char *name, char *err, size_t errlen);

/* Finish a file written at `tmp` in place of `path`: close it and, if
 * every write went through, rename it over path (readers see the old
 * file or the new one, never half of one); otherwise remove it. */
int store_file_commit(FILE *f, const char *tmp, const char *path, char *err, size_t errlen);

/* mkdir -p with mode 0755. */
int store_mkdirs(const char *path, char *err, size_t errlen);

#endif
