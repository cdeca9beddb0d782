/* xdrv exports: the kernel APIs xdrv implements, straight from the export
 * tables (the README's API table is this command's --markdown output). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "nt/nt.h"

const char exports_usage[] =
    "usage: xdrv exports [--markdown | --compact] [MODULE]\n"
    "  List every export xdrv implements: module, name, calling convention,\n"
    "  argument bytes. --markdown prints the tables of docs/api.md, --compact\n"
    "  the name lists of the README.\n";

static const char *cc_name(const NtExport *e)
{
    if (!e->fn)
        return "data";
    switch (e->cc) {
    case VM_STDCALL:
        return "stdcall";
    case VM_CDECL:
        return "cdecl";
    case VM_FASTCALL:
        return "fastcall";
    case VM_VARARGS:
        return "cdecl varargs";
    case VM_REGCALL:
        return "register (EDX:EAX, CL)";
    }
    return "?";
}

int cmd_exports(int argc, char **argv)
{
    int md = 0, compact = 0;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(exports_usage, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--markdown")) {
            md = 1;
        } else if (!strcmp(argv[i], "--compact")) {
            compact = 1;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "xdrv exports: unknown option '%s'\n", argv[i]);
            return EXIT_USAGE;
        } else if (!only) {
            only = argv[i];
            if (!nt_find_module(only)) {
                fprintf(stderr, "xdrv exports: no module '%s'\n", only);
                return EXIT_USAGE;
            }
        } else {
            fprintf(stderr, "xdrv exports: unexpected '%s'\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    for (unsigned m = 0; nt_modules[m]; m++) {
        const NtModule *mod = nt_modules[m];
        if (only && mod != nt_find_module(only))
            continue;
        if (compact) {
            printf("**%s** (%u): ", mod->name, mod->count);
            for (unsigned i = 0; i < mod->count; i++)
                printf("%s`%s`", i ? ", " : "", mod->exports[i].name);
            printf("\n\n");
        } else if (md) {
            printf(
                "### %s (%u exports)\n\n| export | convention | argument bytes |\n|---|---|---|\n",
                mod->name, mod->count);
            for (unsigned i = 0; i < mod->count; i++) {
                const NtExport *e = &mod->exports[i];
                if (e->fn)
                    printf("| `%s` | %s | %u |\n", e->name, cc_name(e), e->argbytes);
                else
                    printf("| `%s` | data | %u bytes |\n", e->name, e->datasize);
            }
            printf("\n");
        } else {
            for (unsigned i = 0; i < mod->count; i++) {
                const NtExport *e = &mod->exports[i];
                printf("%s!%s %s %u\n", mod->name, e->name, cc_name(e),
                       e->fn ? e->argbytes : e->datasize);
            }
        }
    }
    return EXIT_OK;
}
