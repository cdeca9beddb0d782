/* ndis.sys as a module: the export array built from exports.def. */
#include "nt/nt.h"

#define EXPORT(n, cc, bytes, sig) NTAPI(n);
#define DATA(n, bytes)
#include "nt/ndis/exports.def"
#undef EXPORT
#undef DATA

static const NtExport exports[] = {
#define EXPORT(n, cc, bytes, sig) {#n, VM_##cc, bytes, sig, nt_##n, 0},
#define DATA(n, bytes) {#n, VM_CDECL, 0, NULL, NULL, bytes},
#include "nt/ndis/exports.def"
#undef EXPORT
#undef DATA
};

const NtModule nt_module_ndis = {
    .name = "ndis.sys",
    .exports = exports,
    .count = sizeof exports / sizeof exports[0],
    .data_init = NULL,
};
