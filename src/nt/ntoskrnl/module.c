/* ntoskrnl.exe as a module: the export array built from exports.def. */
#include "nt/nt.h"

#define EXPORT(n, cc, bytes, sig) NTAPI(n);
#define DATA(n, bytes)
#include "nt/ntoskrnl/exports.def"
#undef EXPORT
#undef DATA

void nt_ntoskrnl_data_init(Nt *nt, const char *name, GuestAddr addr);

static const NtExport exports[] = {
#define EXPORT(n, cc, bytes, sig) {#n, VM_##cc, bytes, sig, nt_##n, 0},
#define DATA(n, bytes) {#n, VM_CDECL, 0, NULL, NULL, bytes},
#include "nt/ntoskrnl/exports.def"
#undef EXPORT
#undef DATA
};

const NtModule nt_module_ntoskrnl = {
    .name = "ntoskrnl.exe",
    .exports = exports,
    .count = sizeof exports / sizeof exports[0],
    .data_init = nt_ntoskrnl_data_init,
};
