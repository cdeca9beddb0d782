/* xdrv info: what a driver image is and whether xdrv can run it. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "machine/boards.h"
#include "nt/loader.h"
#include "nt/nt.h"
#include "pe/pe.h"
#include "trace/json.h"

const char info_usage[] =
    "usage: xdrv info DRIVER.sys [--json]\n"
    "       xdrv info --boards [--json]\n"
    "  Print the PE32 headers, sections, version resource and imports of a\n"
    "  driver, each import marked implemented or missing, and the line\n"
    "  'imports implemented: N of M'.\n"
    "  --boards the boards each network controller model can present (its\n"
    "           chip's PCI ID and the boards built on it; the hardware IDs\n"
    "           an ISA model takes), as a Markdown table (README's list)\n"
    "  --json   the same as one JSON object\n"
    "  --version  xdrv's version and the Unicorn it runs on (as xdrv --version)\n";

static const char *subsystem_name(unsigned s)
{
    return s == 1 ? "native" : s == 2 ? "windows-gui" : s == 3 ? "windows-cui" : "other";
}

static void import_label(const PeImport *imp, char *buf, size_t len)
{
    if (imp->by_ordinal)
        snprintf(buf, len, "#%u", imp->ordinal);
    else
        snprintf(buf, len, "%s", imp->name);
}

static void print_text(const PeImage *pe, const char *path, unsigned impl)
{
    printf("file:            %s\n", path);
    printf("machine:         0x%04x (i386)\n", pe->machine);
    printf("subsystem:       %u (%s)\n", pe->subsystem, subsystem_name(pe->subsystem));
    printf("image base:      0x%08x\n", pe->image_base);
    printf("image size:      0x%x\n", pe->size_of_image);
    printf("entry point:     rva 0x%x\n", pe->entry_rva);
    printf("alignment:       section 0x%x, file 0x%x\n", pe->section_alignment, pe->file_alignment);
    printf("timestamp:       0x%08x\n", pe->timestamp);
    printf("relocations:     %s\n", pe->has_relocs ? "yes" : "no");
    printf("/GS cookie:      %s\n", pe->security_cookie_rva ? "yes" : "no");
    printf("sections:\n");
    for (size_t i = 0; i < pe->nsections; i++) {
        const PeSection *s = &pe->sections[i];
        printf("  %-8s rva 0x%06x vsize 0x%06x raw 0x%06x flags 0x%08x\n", s->name, s->vaddr,
               s->vsize, s->raw_size, s->characteristics);
    }
    if (pe->version.present) {
        const PeVersion *v = &pe->version;
        printf("version:         file %u.%u.%u.%u, product %u.%u.%u.%u\n", v->file_ver[0],
               v->file_ver[1], v->file_ver[2], v->file_ver[3], v->product_ver[0], v->product_ver[1],
               v->product_ver[2], v->product_ver[3]);
        for (size_t i = 0; i < v->nstrings; i++)
            printf("  %-18s %s\n", v->strings[i].key, v->strings[i].value);
    } else {
        printf("version:         (no version resource)\n");
    }
    if (pe->nexports) {
        printf("exports:         %zu%s%s\n", pe->nexports, pe->export_name[0] ? " from " : "",
               pe->export_name);
        for (size_t i = 0; i < pe->nexports; i++)
            printf("  %5u %s%s%s\n", pe->exports[i].ordinal,
                   pe->exports[i].name[0] ? pe->exports[i].name : "(ordinal)",
                   pe->exports[i].forward[0] ? " -> " : "", pe->exports[i].forward);
    }
    printf("imports:\n");
    for (size_t i = 0; i < pe->nimports; i++) {
        const PeImport *imp = &pe->imports[i];
        if (i == 0 || strcasecmp(imp->module, pe->imports[i - 1].module))
            printf("  %s\n", imp->module);
        char label[160];
        import_label(imp, label, sizeof label);
        printf("    %-44s %s\n", label, nt_import_implemented(imp) ? "implemented" : "MISSING");
    }
    printf("imports implemented: %u of %zu\n", impl, pe->nimports);
}

static void print_json(const PeImage *pe, const char *path, unsigned impl)
{
    printf("{\"file\": ");
    json_string(stdout, path);
    printf(
        ", \"machine\": %u, \"subsystem\": %u, \"image_base\": %u, \"image_size\": %u, "
        "\"entry_rva\": %u, \"section_alignment\": %u, \"file_alignment\": %u, \"timestamp\": %u, "
        "\"relocations\": %s, \"gs_cookie\": %s,\n \"sections\": [",
        pe->machine, pe->subsystem, pe->image_base, pe->size_of_image, pe->entry_rva,
        pe->section_alignment, pe->file_alignment, pe->timestamp, pe->has_relocs ? "true" : "false",
        pe->security_cookie_rva ? "true" : "false");
    for (size_t i = 0; i < pe->nsections; i++) {
        const PeSection *s = &pe->sections[i];
        printf("%s{\"name\": ", i ? ", " : "");
        json_string(stdout, s->name);
        printf(", \"rva\": %u, \"vsize\": %u, \"raw_size\": %u, \"flags\": %u}", s->vaddr, s->vsize,
               s->raw_size, s->characteristics);
    }
    printf("],\n \"version\": ");
    if (pe->version.present) {
        const PeVersion *v = &pe->version;
        printf("{\"file\": \"%u.%u.%u.%u\", \"product\": \"%u.%u.%u.%u\", \"strings\": {",
               v->file_ver[0], v->file_ver[1], v->file_ver[2], v->file_ver[3], v->product_ver[0],
               v->product_ver[1], v->product_ver[2], v->product_ver[3]);
        for (size_t i = 0; i < v->nstrings; i++) {
            printf("%s", i ? ", " : "");
            json_string(stdout, v->strings[i].key);
            printf(": ");
            json_string(stdout, v->strings[i].value);
        }
        printf("}}");
    } else {
        printf("null");
    }
    printf(",\n \"imports\": [");
    for (size_t i = 0; i < pe->nimports; i++) {
        const PeImport *imp = &pe->imports[i];
        char label[160];
        import_label(imp, label, sizeof label);
        printf("%s{\"module\": ", i ? ", " : "");
        json_string(stdout, imp->module);
        printf(", \"name\": ");
        json_string(stdout, label);
        printf(", \"implemented\": %s}", nt_import_implemented(imp) ? "true" : "false");
    }
    printf("],\n \"imports_implemented\": %u, \"imports_total\": %zu}\n", impl, pe->nimports);
}

/* ---- --boards: every model's board table ---- */

static void boards_markdown(void)
{
    NicModelInfo m;
    printf("| `--device` | PCI ID | subsystem | board |\n|---|---|---|---|\n");
    for (unsigned i = 0; machine_nic_model_info(i, &m) == 0; i++) {
        if (m.isa) {
            printf("| `%s` | ISA / PC Card | | hardware IDs ", m.name);
            for (unsigned k = 0; k < machine_isa_nhwid_prefixes; k++)
                printf("%s`%s...`", k ? ", " : "", machine_isa_hwid_prefixes[k]);
            printf(" (NE2000 compatibles) |\n");
            continue;
        }
        int own = 0;
        for (unsigned b = 0; b < m.nboards; b++)
            own |= m.boards[b].vendor == m.vendor && m.boards[b].device == m.device;
        if (!own)
            printf("| `%s` | %04X:%04X | | the chip's own ID |\n", m.name, m.vendor, m.device);
        for (unsigned b = 0; b < m.nboards; b++) {
            const PciBoard *e = &m.boards[b];
            printf("| `%s` | %04X:%04X | ", m.name, e->vendor, e->device);
            if (e->subsys_vendor)
                printf("%04X:%04X", e->subsys_vendor, e->subsys_id);
            printf(" | %s |\n", e->name);
        }
    }
}

static void boards_json(void)
{
    NicModelInfo m;
    printf("{\"models\": [");
    for (unsigned i = 0; machine_nic_model_info(i, &m) == 0; i++) {
        printf("%s\n  {\"model\": ", i ? "," : "");
        json_string(stdout, m.name);
        if (m.isa) {
            printf(", \"bus\": \"isa\", \"hardware_id_prefixes\": [");
            for (unsigned k = 0; k < machine_isa_nhwid_prefixes; k++) {
                printf("%s", k ? ", " : "");
                json_string(stdout, machine_isa_hwid_prefixes[k]);
            }
            printf("]}");
            continue;
        }
        printf(", \"bus\": \"pci\", \"vendor\": \"%04x\", \"device\": \"%04x\", \"boards\": [",
               m.vendor, m.device);
        for (unsigned b = 0; b < m.nboards; b++) {
            const PciBoard *e = &m.boards[b];
            printf("%s\n    {\"vendor\": \"%04x\", \"device\": \"%04x\", ", b ? "," : "",
                   e->vendor, e->device);
            if (e->subsys_vendor)
                printf("\"subsys_vendor\": \"%04x\", \"subsys_id\": \"%04x\", ",
                       e->subsys_vendor, e->subsys_id);
            printf("\"name\": ");
            json_string(stdout, e->name);
            printf("}");
        }
        printf("]}");
    }
    printf("\n]}\n");
}

int cmd_info(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0, boards = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(info_usage, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--version")) {
            return cli_print_version();
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--boards")) {
            boards = 1;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "xdrv info: unknown option '%s'\n", argv[i]);
            return EXIT_USAGE;
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "xdrv info: more than one driver given ('%s')\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    if (boards && path) {
        fprintf(stderr, "xdrv info: --boards takes no driver ('%s')\n", path);
        return EXIT_USAGE;
    }
    if (boards) {
        if (json)
            boards_json();
        else
            boards_markdown();
        return EXIT_OK;
    }
    if (!path) {
        fputs(info_usage, stderr);
        return EXIT_USAGE;
    }
    PeImage pe;
    if (pe_load_file(&pe, path) < 0) {
        fprintf(stderr, "xdrv info: %s: %s\n", path, pe.err);
        pe_free(&pe);
        return EXIT_LOAD;
    }
    unsigned impl = 0;
    for (size_t i = 0; i < pe.nimports; i++)
        impl += nt_import_implemented(&pe.imports[i]) ? 1u : 0u;
    if (json)
        print_json(&pe, path, impl);
    else
        print_text(&pe, path, impl);
    pe_free(&pe);
    return EXIT_OK;
}
