/* hal.dll as a module: the export array built from exports.def. */
#define NT_MODULE_DEF "nt/hal/exports.def"
#define NT_MODULE_NAME "hal.dll"
#define NT_MODULE_VAR nt_module_hal
#define NT_MODULE_DATA NULL
#include "nt/module_table.h"
