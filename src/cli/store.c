/* xdrv install, xdrv list, xdrv remove: the driver store
 * (src/manager/store.h). */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "machine/boards.h"
#include "manager/store.h"
#include "nt/loader.h"
#include "pe/inf.h"
#include "pe/pe.h"
#include "trace/json.h"

const char install_usage[] =
    "usage: xdrv install DRIVER.inf [--name NAME] [--from DIR] [--device SPEC] [--store DIR]\n"
    "                    [--allow-missing] [--force]\n"
    "  Install a driver into the store: check the INF, choose the device model for\n"
    "  the first hardware ID one presents, check every import of the driver image,\n"
    "  and copy the INF and every file it names (CopyFiles, ServiceBinary) into\n"
    "  STORE/NAME with a record of what was chosen. `xdrv up NAME` runs it.\n"
    "  --name NAME     the driver's name in the store (default: the INF's service\n"
    "                  name, lowercased)\n"
    "  --from DIR      where the INF's files are (default: the INF's directory;\n"
    "                  names match without regard to case, as on Windows)\n"
    "  --device SPEC   the model, as for xdrv run (default: chosen from the INF)\n"
    "  --store DIR     the store (default: $XDRV_STORE, /var/lib/xdrv as root,\n"
    "                  $XDG_DATA_HOME/xdrv otherwise)\n"
    "  --allow-missing install even if some imports are not implemented (a run\n"
    "                  stops when the driver calls one)\n"
    "  --force         replace a driver installed under the same name\n";

const char list_usage[] =
    "usage: xdrv list [--store DIR] [--json]\n"
    "  The installed drivers: name, version and provider from the INF, imports\n"
    "  implemented, and the device model chosen.\n";

const char remove_usage[] = "usage: xdrv remove NAME [--store DIR]\n"
                            "  Remove an installed driver and its files from the store.\n";

/* The file `name` in dir, matched without regard to case; 0 with its path. */
static int find_file(const char *dir, const char *name, char *out, size_t len)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *de;
    int rc = -1;
    while ((de = readdir(d)))
        if (!strcasecmp(de->d_name, name)) {
            char p[4200];
            snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
            struct stat st;
            if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
                snprintf(out, len, "%s", p) < (int)len) {
                rc = 0;
                break;
            }
        }
    closedir(d);
    return rc;
}

static void dir_of(const char *path, char *out, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, len, ".");
    else if (slash == path)
        snprintf(out, len, "/");
    else
        snprintf(out, len, "%.*s", (int)(slash - path), path);
}

/* Remove a directory of files (a half-made install); quiet: best effort. */
static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int store_arg(int *i, int argc, char **argv, const char *cmd, const char **store)
{
    if (strcmp(argv[*i], "--store"))
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "xdrv %s: --store needs a directory\n", cmd);
        return -1;
    }
    *store = argv[++*i];
    return 1;
}

/* "11/21/2026,1.0.0.0" -> "1.0.0.0" (INF DriverVer: date, version) */
static const char *version_of(const char *driver_ver)
{
    const char *comma = strchr(driver_ver, ',');
    return comma ? comma + 1 : *driver_ver ? driver_ver : "-";
}

/* "11/21/2026,1.0.0.0" -> "1.0.0.0 (11/21/2026)" */
static void version_text(const char *driver_ver, char *out, size_t len)
{
    const char *comma = strchr(driver_ver, ',');
    if (comma)
        snprintf(out, len, "%s (%.*s)", comma + 1, (int)(comma - driver_ver), driver_ver);
    else
        snprintf(out, len, "%s", *driver_ver ? driver_ver : "(no DriverVer)");
}

int cmd_install(int argc, char **argv)
{
    const char *inf_path = NULL, *name = NULL, *from = NULL, *device = NULL, *store_opt = NULL;
    int allow_missing = 0, force = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int s = store_arg(&i, argc, argv, "install", &store_opt);
        if (s < 0)
            return EXIT_USAGE;
        if (s)
            continue;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(install_usage, stdout);
            return EXIT_OK;
        }
        if (!strcmp(a, "--allow-missing"))
            allow_missing = 1;
        else if (!strcmp(a, "--force"))
            force = 1;
        else if (!strcmp(a, "--name") || !strcmp(a, "--from") || !strcmp(a, "--device")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "xdrv install: %s needs a value\n", a);
                return EXIT_USAGE;
            }
            const char **dst = !strcmp(a, "--name") ? &name : !strcmp(a, "--from") ? &from : &device;
            *dst = argv[++i];
        } else if (a[0] == '-') {
            fprintf(stderr, "xdrv install: unknown option '%s' (try xdrv install --help)\n", a);
            return EXIT_USAGE;
        } else if (inf_path) {
            fprintf(stderr, "xdrv install: one INF at a time ('%s' and '%s')\n", inf_path, a);
            return EXIT_USAGE;
        } else {
            inf_path = a;
        }
    }
    if (!inf_path) {
        fprintf(stderr, "xdrv install: which INF? (try xdrv install --help)\n");
        return EXIT_USAGE;
    }
    if (name && !store_name_ok(name)) {
        fprintf(stderr, "xdrv install: --name '%s': 1 to %d letters, digits, '.', '_' or '-', "
                        "not starting with '.' or '-'\n", name, STORE_NAME_MAX - 1);
        return EXIT_USAGE;
    }
    if (device && machine_spec_nic_model(device) < 0) {
        fprintf(stderr, "xdrv install: --device '%s' is not a network controller model "
                        "(xdrv info --boards)\n", device);
        return EXIT_USAGE;
    }
    char store[4096], err[STORE_ERR_MAX + 512];
    if (store_path(store_opt, store, sizeof store, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv install: %s\n", err);
        return EXIT_USAGE;
    }

    int rc = EXIT_LOAD;
    Inf inf = {0};
    InfHardwareId *hw = NULL;
    int nhw = 0;
    char **files = NULL;
    size_t nfiles = 0;
    PeImage pe = {0};
    int have_pe = 0;
    char tmpdir[4300] = "";
    if (inf_load_file(&inf, inf_path) < 0) {
        fprintf(stderr, "xdrv install: %s: %s\n", inf_path, inf.err);
        goto out;
    }
    char ierr[INF_ERR_MAX] = "";
    nhw = inf_hardware_ids_err(&inf, &hw, ierr);
    if (nhw < 0) {
        fprintf(stderr, "xdrv install: %s: %s\n", inf_path, ierr);
        nhw = 0;
        goto out;
    }
    NicChoice choice;
    memset(&choice, 0, sizeof choice);
    int chosen = machine_choose_nic(&inf, hw, nhw, device, &choice, err, sizeof err);
    if (chosen < 0) {
        fprintf(stderr, "xdrv install: %s: %s\n", inf_path, err);
        goto out;
    }
    if (!chosen) {
        fprintf(stderr, "xdrv install: %s: no model presents a hardware ID it lists%s%s "
                        "(an INF for a network adapter, [Version] Class = Net, is needed)\n",
                inf_path, device ? " as " : "", device ? device : "");
        goto out;
    }
    const char *install = hw[choice.hwid].install;
    if (inf_install_files(&inf, install, &files, &nfiles, ierr) < 0) {
        fprintf(stderr, "xdrv install: %s: %s\n", inf_path, ierr);
        goto out;
    }
    const char *sys = inf_service_binary(&inf, install);
    if (!*sys) {
        fprintf(stderr, "xdrv install: %s: [%s] installs no service with a ServiceBinary: no "
                        "driver image to run\n", inf_path, install);
        goto out;
    }
    /* every file the INF names, found */
    char infdir[4096], sys_path[4200] = "";
    dir_of(inf_path, infdir, sizeof infdir);
    char (*paths)[4200] = calloc(nfiles ? nfiles : 1, sizeof *paths);
    if (!paths) {
        fprintf(stderr, "xdrv install: out of memory\n");
        rc = EXIT_INTERNAL;
        goto out;
    }
    char missing_files[1024] = "";
    size_t nmissing = 0;
    for (size_t i = 0; i < nfiles; i++) {
        if ((from && find_file(from, files[i], paths[i], sizeof paths[i]) == 0) ||
            find_file(infdir, files[i], paths[i], sizeof paths[i]) == 0) {
            if (!strcasecmp(files[i], sys))
                snprintf(sys_path, sizeof sys_path, "%s", paths[i]);
            continue;
        }
        size_t m = strlen(missing_files);
        snprintf(missing_files + m, sizeof missing_files - m, "%s%s", nmissing++ ? ", " : "",
                 files[i]);
    }
    if (nmissing) {
        fprintf(stderr, "xdrv install: %s names %zu file(s) not found in %s%s%s: %s\n", inf_path,
                nmissing, from ? from : infdir, from ? " or " : "", from ? infdir : "",
                missing_files);
        free(paths);
        goto out;
    }
    /* the driver image: a PE32 whose imports xdrv implements */
    if (pe_load_file(&pe, sys_path) < 0) {
        fprintf(stderr, "xdrv install: %s: %s\n", sys_path, pe.err);
        free(paths);
        goto out;
    }
    have_pe = 1;
    StoreEntry e;
    memset(&e, 0, sizeof e);
    e.imports_total = (unsigned)pe.nimports;
    for (size_t i = 0; i < pe.nimports; i++) {
        if (nt_import_implemented(&pe.imports[i])) {
            e.imports++;
            continue;
        }
        size_t m = strlen(e.missing);
        const PeImport *imp = &pe.imports[i];
        char label[200];
        nt_import_label(imp, label, sizeof label);
        if (m + strlen(label) + 8 < sizeof e.missing)
            snprintf(e.missing + m, sizeof e.missing - m, "%s%s", m ? ", " : "", label);
        else if (m + 5 < sizeof e.missing && !strstr(e.missing, "..."))
            snprintf(e.missing + m, sizeof e.missing - m, ", ...");
    }
    if (e.imports < e.imports_total && !allow_missing) {
        fprintf(stderr, "xdrv install: %s: %u of %u imports not implemented: %s (--allow-missing "
                        "installs it anyway)\n", sys_path, e.imports_total - e.imports,
                e.imports_total, e.missing);
        free(paths);
        goto out;
    }
    /* its name in the store */
    char nm[STORE_NAME_MAX];
    if (name)
        snprintf(nm, sizeof nm, "%s", name);
    else {
        const char *svc = inf_service_name(&inf, install);
        snprintf(nm, sizeof nm, "%s", *svc ? svc : base_of(inf_path));
        char *dot = *svc ? NULL : strrchr(nm, '.');
        if (dot)
            *dot = '\0';
        for (char *p = nm; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        if (!store_name_ok(nm)) {
            fprintf(stderr, "xdrv install: '%s' cannot name a driver in the store: give --name\n",
                    nm);
            free(paths);
            goto out;
        }
    }
    snprintf(e.name, sizeof e.name, "%s", nm);
    snprintf(e.inf, sizeof e.inf, "%s", base_of(inf_path));
    snprintf(e.sys, sizeof e.sys, "%s", base_of(sys_path));
    snprintf(e.service, sizeof e.service, "%s", inf_service_name(&inf, install));
    /* DriverVer = mm/dd/yyyy[,w.x.y.z] ("INF DriverVer Directive"): both parts */
    const InfSection *ver = inf_section(&inf, "Version");
    for (size_t i = 0; ver && i < ver->nlines; i++) {
        const InfLine *l = &ver->lines[i];
        if (l->key && !strcasecmp(l->key, "DriverVer") && l->nfields >= 1)
            snprintf(e.version, sizeof e.version, "%s%s%s", l->fields[0],
                     l->nfields >= 2 ? "," : "", l->nfields >= 2 ? l->fields[1] : "");
    }
    const char *v = inf_value(&inf, "Version", "Provider");
    snprintf(e.provider, sizeof e.provider, "%s", v ? v : "");
    snprintf(e.hwid, sizeof e.hwid, "%s", hw[choice.hwid].hwid);
    snprintf(e.description, sizeof e.description, "%s",
             hw[choice.hwid].description ? hw[choice.hwid].description : "");
    snprintf(e.device, sizeof e.device, "%s", choice.spec);
    snprintf(e.board, sizeof e.board, "%s", choice.what);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(e.installed, sizeof e.installed, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* copied into STORE/.NAME.new, then renamed into place: an install
     * that fails half-way leaves nothing installed */
    char final[4300];
    snprintf(final, sizeof final, "%s/%s", store, nm);
    struct stat st;
    if (stat(final, &st) == 0 && !force) {
        fprintf(stderr, "xdrv install: '%s' is already installed in %s (xdrv remove %s, or "
                        "--force to replace it)\n", nm, store, nm);
        free(paths);
        rc = EXIT_USAGE;
        goto out;
    }
    snprintf(tmpdir, sizeof tmpdir, "%s/.%s.new", store, nm);
    if (store_mkdirs(store, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv install: %s\n", err);
        free(paths);
        rc = EXIT_INTERNAL;
        goto out;
    }
    /* a stale one from an interrupted install; none is the usual case */
    store_rmdir(tmpdir, err, sizeof err);
    if (mkdir(tmpdir, 0755) < 0) {
        fprintf(stderr, "xdrv install: %s: %s\n", tmpdir, strerror(errno));
        free(paths);
        tmpdir[0] = '\0';
        rc = EXIT_INTERNAL;
        goto out;
    }
    char dst[8800];
    snprintf(dst, sizeof dst, "%s/%s", tmpdir, e.inf);
    int bad = store_copy(inf_path, dst, err, sizeof err) < 0;
    for (size_t i = 0; i < nfiles && !bad; i++) {
        snprintf(dst, sizeof dst, "%s/%s", tmpdir, base_of(paths[i]));
        bad = store_copy(paths[i], dst, err, sizeof err) < 0;
    }
    free(paths);
    if (bad || store_write(tmpdir, &e, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv install: %s\n", err);
        rc = EXIT_INTERNAL;
        goto out;
    }
    if (stat(final, &st) == 0 && store_remove(store, nm, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv install: replacing %s: %s\n", final, err);
        rc = EXIT_INTERNAL;
        goto out;
    }
    if (rename(tmpdir, final) < 0) {
        fprintf(stderr, "xdrv install: %s: %s\n", final, strerror(errno));
        rc = EXIT_INTERNAL;
        goto out;
    }
    tmpdir[0] = '\0';
    char vt[128];
    version_text(e.version, vt, sizeof vt);
    printf("xdrv install: %s: %s %s%s%s, imports %u of %u, %s -> --device %s%s%s%s, in %s\n", nm,
           e.sys, vt, *e.provider ? " by " : "", e.provider, e.imports, e.imports_total,
           e.hwid, e.device, *e.board ? " (" : "", e.board, *e.board ? ")" : "", final);
    if (e.imports < e.imports_total)
        printf("xdrv install: %s: not implemented (a run stops at the first call): %s\n", nm,
               e.missing);
    rc = EXIT_OK;
out:
    if (tmpdir[0]) { /* what a failed install copied */
        char ignored[256];
        store_rmdir(tmpdir, ignored, sizeof ignored);
    }
    if (have_pe)
        pe_free(&pe);
    inf_free_files(files, nfiles);
    inf_free_hwids(hw, (size_t)nhw);
    inf_free(&inf);
    return rc;
}

int cmd_list(int argc, char **argv)
{
    const char *store_opt = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        int s = store_arg(&i, argc, argv, "list", &store_opt);
        if (s < 0)
            return EXIT_USAGE;
        if (s)
            continue;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(list_usage, stdout);
            return EXIT_OK;
        }
        if (!strcmp(argv[i], "--json")) {
            json = 1;
            continue;
        }
        fprintf(stderr, "xdrv list: unexpected '%s' (try xdrv list --help)\n", argv[i]);
        return EXIT_USAGE;
    }
    char store[4096], err[STORE_ERR_MAX];
    if (store_path(store_opt, store, sizeof store, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv list: %s\n", err);
        return EXIT_USAGE;
    }
    StoreEntry *e = NULL;
    size_t n = 0;
    if (store_list(store, &e, &n, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv list: %s\n", err);
        return EXIT_LOAD;
    }
    int broken = 0;
    if (json) {
        printf("{\"store\": ");
        json_string(stdout, store);
        printf(", \"drivers\": [");
        for (size_t i = 0; i < n; i++) {
            printf("%s\n {\"name\": ", i ? "," : "");
            json_string(stdout, e[i].name);
            if (!*e[i].inf) {
                broken = 1;
                printf(", \"error\": ");
                json_string(stdout, e[i].missing);
                printf("}");
                continue;
            }
            const struct {
                const char *k, *v;
            } f[] = {{"inf", e[i].inf},         {"sys", e[i].sys},
                     {"service", e[i].service}, {"version", version_of(e[i].version)},
                     {"provider", e[i].provider}, {"hwid", e[i].hwid},
                     {"device", e[i].device},   {"board", e[i].board},
                     {"installed", e[i].installed}};
            for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
                printf(", \"%s\": ", f[k].k);
                json_string(stdout, f[k].v);
            }
            printf(", \"imports\": %u, \"imports_total\": %u}", e[i].imports, e[i].imports_total);
        }
        printf("]}\n");
    } else if (!n) {
        printf("no drivers installed in %s (xdrv install DRIVER.inf)\n", store);
    } else {
        printf("%-16s %-12s %-20s %-9s %s\n", "NAME", "VERSION", "PROVIDER", "IMPORTS", "DEVICE");
        for (size_t i = 0; i < n; i++) {
            if (!*e[i].inf) {
                broken = 1;
                printf("%-16s unreadable: %s\n", e[i].name, e[i].missing);
                continue;
            }
            char imports[32];
            snprintf(imports, sizeof imports, "%u/%u", e[i].imports, e[i].imports_total);
            char model[40];
            snprintf(model, sizeof model, "%.*s", (int)strcspn(e[i].device, ","), e[i].device);
            printf("%-16s %-12s %-20s %-9s %s%s%s%s\n", e[i].name, version_of(e[i].version),
                   *e[i].provider ? e[i].provider : "-", imports, model, *e[i].board ? " (" : "",
                   e[i].board, *e[i].board ? ")" : "");
        }
    }
    free(e);
    return broken ? EXIT_LOAD : EXIT_OK;
}

int cmd_remove(int argc, char **argv)
{
    const char *store_opt = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        int s = store_arg(&i, argc, argv, "remove", &store_opt);
        if (s < 0)
            return EXIT_USAGE;
        if (s)
            continue;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(remove_usage, stdout);
            return EXIT_OK;
        }
        if (argv[i][0] == '-' || name) {
            fprintf(stderr, "xdrv remove: unexpected '%s' (try xdrv remove --help)\n", argv[i]);
            return EXIT_USAGE;
        }
        name = argv[i];
    }
    if (!name) {
        fprintf(stderr, "xdrv remove: which driver? (xdrv list names them)\n");
        return EXIT_USAGE;
    }
    char store[4096], err[STORE_ERR_MAX];
    if (store_path(store_opt, store, sizeof store, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv remove: %s\n", err);
        return EXIT_USAGE;
    }
    if (store_remove(store, name, err, sizeof err) < 0) {
        fprintf(stderr, "xdrv remove: %s\n", err);
        return EXIT_LOAD;
    }
    printf("xdrv remove: %s removed from %s\n", name, store);
    return EXIT_OK;
}
