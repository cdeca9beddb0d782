/* NDIS wrapper state and miniport registration. */
#include <stdlib.h>

#include "nt/ndis/ndis_int.h"

int nt_ndis_init(Nt *nt)
{
    nt->ndis = calloc(1, sizeof *nt->ndis);
    return nt->ndis ? 0 : -1;
}

void nt_ndis_fini(Nt *nt)
{
    free(nt->ndis);
    nt->ndis = NULL;
}
