/* Builds one module's export array from its exports.def. Include it from the
 * module's module.c after defining:
 *   NT_MODULE_DEF    the exports.def path, e.g. "nt/hal/exports.def"
 *   NT_MODULE_NAME   the file name drivers import, e.g. "hal.dll"
 *   NT_MODULE_VAR    the NtModule to define, e.g. nt_module_hal
 *   NT_MODULE_DATA   the data-export initializer, or NULL */
#include "nt/nt.h"

#define EXPORT(n, cc, bytes, sig) NTAPI(n);
#define DATA(n, bytes)
#include NT_MODULE_DEF
#undef EXPORT
#undef DATA

static const NtExport module_exports[] = {
#define EXPORT(n, cc, bytes, sig) {#n, VM_##cc, bytes, sig, nt_##n, 0},
#define DATA(n, bytes) {#n, VM_CDECL, 0, NULL, NULL, bytes},
#include NT_MODULE_DEF
#undef EXPORT
#undef DATA
};

const NtModule NT_MODULE_VAR = {
    .name = NT_MODULE_NAME,
    .exports = module_exports,
    .count = sizeof module_exports / sizeof module_exports[0],
    .data_init = NT_MODULE_DATA,
};
