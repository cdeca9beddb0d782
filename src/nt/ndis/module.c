/* ndis.sys as a module: the export array built from exports.def. */
#define NT_MODULE_DEF "nt/ndis/exports.def"
#define NT_MODULE_NAME "ndis.sys"
#define NT_MODULE_VAR nt_module_ndis
#define NT_MODULE_DATA NULL
#include "nt/module_table.h"
