/* The driver store (store.h). Plain files: one directory per installed
 * driver, its INF and the files the INF names, and a record of key = value
 * lines (docs/formats/store.md). */
#include "manager/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_RECORD "xdrv-driver"
#define STORE_MAGIC "xdrv-driver 1"

int store_path(const char *opt, char *out, size_t len, char *err, size_t errlen)
{
    const char *env = getenv("XDRV_STORE");
    int n;
    if (opt && *opt)
        n = snprintf(out, len, "%s", opt);
    else if (env && *env)
        n = snprintf(out, len, "%s", env);
    else if (geteuid() == 0)
        n = snprintf(out, len, "/var/lib/xdrv");
    else {
        /* XDG Base Directory Specification: $XDG_DATA_HOME, or
         * $HOME/.local/share when unset or empty */
        const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
        if (xdg && *xdg == '/')
            n = snprintf(out, len, "%s/xdrv", xdg);
        else if (home && *home)
            n = snprintf(out, len, "%s/.local/share/xdrv", home);
        else {
            snprintf(err, errlen, "no store: set --store DIR, XDRV_STORE or HOME");
            return -1;
        }
    }
    if (n < 0 || (size_t)n >= len) {
        snprintf(err, errlen, "store path too long");
        return -1;
    }
    return 0;
}

int store_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (!n || n >= STORE_NAME_MAX || name[0] == '.' || name[0] == '-')
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

int store_mkdirs(const char *path, char *err, size_t errlen)
{
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) {
        snprintf(err, errlen, "%s: path too long", path);
        return -1;
    }
    for (char *p = buf + 1;; p++) {
        int end = !*p;
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
                snprintf(err, errlen, "%s: %s", buf, strerror(errno));
                return -1;
            }
            if (end)
                break;
            *p = '/';
        }
    }
    struct stat st;
    if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: not a directory", path);
        return -1;
    }
    return 0;
}

/* The record's fields, in the order they are written. */
#define STORE_FIELDS(X)                                                                          \
    X(name) X(inf) X(sys) X(service) X(version) X(provider) X(hwid) X(description) X(device)     \
        X(board) X(missing) X(installed)

/* A value on one line: no newline or carriage return in it. */
static int store_value_ok(const char *v)
{
    return !strpbrk(v, "\r\n");
}

int store_write(const char *dir, const StoreEntry *e, char *err, size_t errlen)
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/" STORE_RECORD, dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
#define X(f)                                                                                     \
    if (!store_value_ok(e->f)) {                                                                 \
        snprintf(err, errlen, "%s: a line break in the " #f " field", dir);                     \
        return -1;                                                                               \
    }
    STORE_FIELDS(X)
#undef X
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
        return -1;
    }
    fprintf(f, STORE_MAGIC "\n");
#define X(k) fprintf(f, "%s = %s\n", #k, e->k);
    STORE_FIELDS(X)
#undef X
    fprintf(f, "imports = %u of %u\n", e->imports, e->imports_total);
    return store_file_commit(f, tmp, path, err, errlen);
}

int store_file_commit(FILE *f, const char *tmp, const char *path, char *err, size_t errlen)
{
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || rename(tmp, path) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int store_read(const char *dir, StoreEntry *e, char *err, size_t errlen)
{
    char path[4200], line[1024];
    snprintf(path, sizeof path, "%s/" STORE_RECORD, dir);
    memset(e, 0, sizeof *e);
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        else if (!feof(f)) {
            snprintf(err, errlen, "%s:%d: line too long", path, lineno);
            rc = -1;
            break;
        }
        if (lineno == 1) {
            if (strcmp(line, STORE_MAGIC)) {
                snprintf(err, errlen, "%s: not an xdrv driver record (first line '%s')", path,
                         line);
                rc = -1;
                break;
            }
            continue;
        }
        char *eq = strstr(line, " = ");
        if (!eq) {
            snprintf(err, errlen, "%s:%d: expected 'key = value'", path, lineno);
            rc = -1;
            break;
        }
        *eq = '\0';
        const char *k = line, *v = eq + 3;
        if (!strcmp(k, "imports")) {
            if (sscanf(v, "%u of %u", &e->imports, &e->imports_total) != 2) {
                snprintf(err, errlen, "%s:%d: imports: expected 'N of M'", path, lineno);
                rc = -1;
                break;
            }
            continue;
        }
#define X(fld)                                                                                   \
    if (!strcmp(k, #fld)) {                                                                      \
        snprintf(e->fld, sizeof e->fld, "%s", v);                                                \
        continue;                                                                                \
    }
        STORE_FIELDS(X)
#undef X
        /* a key from a later xdrv: kept readable */
    }
    if (!rc && lineno == 0) {
        snprintf(err, errlen, "%s: empty", path);
        rc = -1;
    }
    if (!rc && (!*e->inf || !*e->sys)) {
        snprintf(err, errlen, "%s: no inf or sys field", path);
        rc = -1;
    }
    fclose(f);
    return rc;
}

int store_copy(const char *src, const char *dst, char *err, size_t errlen)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        snprintf(err, errlen, "%s: %s", src, strerror(errno));
        return -1;
    }
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (out < 0) {
        snprintf(err, errlen, "%s: %s", dst, strerror(errno));
        close(in);
        return -1;
    }
    char buf[65536];
    int rc = 0;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r == 0)
            break;
        if (r < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, errlen, "%s: %s", src, strerror(errno));
            rc = -1;
            break;
        }
        for (ssize_t off = 0; off < r;) {
            ssize_t w = write(out, buf + off, (size_t)(r - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                snprintf(err, errlen, "%s: %s", dst, strerror(errno ? errno : EIO));
                rc = -1;
                break;
            }
            off += w;
        }
        if (rc)
            break;
    }
    close(in);
    if (close(out) < 0 && !rc) {
        snprintf(err, errlen, "%s: %s", dst, strerror(errno));
        rc = -1;
    }
    return rc;
}

static int store_cmp(const void *a, const void *b)
{
    return strcmp(((const StoreEntry *)a)->name, ((const StoreEntry *)b)->name);
}

int store_list(const char *store, StoreEntry **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(store);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errlen, "%s: %s", store, strerror(errno));
        return -1;
    }
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!store_name_ok(de->d_name))
            continue; /* ".", "..", a temporary ".NAME.new" */
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/%s", store, de->d_name);
        struct stat st;
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
            continue;
        if (*n == cap) {
            size_t nc = cap ? 2 * cap : 8;
            StoreEntry *ne = realloc(*out, nc * sizeof *ne);
            if (!ne) {
                closedir(d);
                snprintf(err, errlen, "out of memory");
                return -1;
            }
            *out = ne;
            cap = nc;
        }
        StoreEntry *e = &(*out)[*n];
        char why[STORE_ERR_MAX];
        if (store_read(dir, e, why, sizeof why) < 0) {
            memset(e, 0, sizeof *e);
            snprintf(e->missing, sizeof e->missing, "%s", why);
        }
        memcpy(e->name, de->d_name, strlen(de->d_name) + 1); /* store_name_ok: it fits */
        (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(*out, *n, sizeof **out, store_cmp);
    return 0;
}

int store_rmdir(const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", dir, strerror(e));
        errno = e;
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char path[8400];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (unlink(path) < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            rc = -1;
            break;
        }
    }
    closedir(d);
    if (!rc && rmdir(dir) < 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        rc = -1;
    }
    return rc;
}

int store_remove(const char *store, const char *name, char *err, size_t errlen)
{
    if (!store_name_ok(name)) {
        snprintf(err, errlen, "'%s' is not a driver name", name);
        return -1;
    }
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", store, name);
    struct stat st;
    if (stat(dir, &st) < 0 && errno == ENOENT) {
        snprintf(err, errlen, "no driver '%s' is installed in %s", name, store);
        return -1;
    }
    return store_rmdir(dir, err, errlen);
}
