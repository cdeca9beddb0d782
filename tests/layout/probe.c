/* The DDK side of the layout test: compiled (never run) by
 * tests/unit/test_layout.c with i686-w64-mingw32-gcc against the mingw-w64
 * DDK headers (ntddk.h and, for src/nt/ndis/ndis_structs.h, ndis.h) (with drivers/include first on the path, as for the drivers,
 * for its sdkddkver.h repair). The numbers land in the object file's .layout section, in
 * fields.def order, between two markers; the test reads them back with
 * objcopy -O binary -j .layout. */
#include <ntddk.h>
/* NDIS: compiled with -DNDIS_MINIPORT_DRIVER -DNDIS51_MINIPORT=1, as the
 * miniport drivers are. */
#include "ndis_fixed.h"

#include <stddef.h>

#define LAYOUT_BEGIN 0x4c61796fu /* "Layo" */
#define LAYOUT_END 0x456e6421u   /* "End!" */

#define STRUCT(g, d) sizeof(d),
#define FIELD(g, gf, d, df) offsetof(d, df), sizeof(((d *)0)->df),
#define FIELD_AT(g, gf, d, df, why) offsetof(d, df),
#define DOC_FIELD(g, gf, off, size, src)
#define DOC_SIZE(g, size, src)

__attribute__((section(".layout"), used)) const unsigned layout[] = {
    LAYOUT_BEGIN,
#include "fields.def"
    LAYOUT_END,
};
