/* ntoskrnl.exe as a module: the export array built from exports.def. */
#include "nt/nt.h"

void nt_ntoskrnl_data_init(Nt *nt, const char *name, GuestAddr addr);

#define NT_MODULE_DEF "nt/ntoskrnl/exports.def"
#define NT_MODULE_NAME "ntoskrnl.exe"
#define NT_MODULE_VAR nt_module_ntoskrnl
#define NT_MODULE_DATA nt_ntoskrnl_data_init
#include "nt/module_table.h"
