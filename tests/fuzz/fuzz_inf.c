/* libFuzzer target for the INF reader: inf_parse on arbitrary bytes and,
 * when it accepts the text, the queries the VM makes: hardware IDs, and the
 * registry values, service name and LogConfig resources of every install
 * section they name and of the first sections of the file. A refused file
 * must have a one-line error. */
#include "pe/inf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_QUERIES 16

static void query_install(const Inf *inf, const char *install)
{
    InfRegValue *v;
    InfLogConfig *lc;
    char err[INF_ERR_MAX];
    int n = inf_reg_values(inf, install, &v);

    if (n > 0)
        inf_free_regvalues(v, (size_t)n);
    (void)inf_service_name(inf, install);
    n = inf_log_configs_err(inf, install, &lc, err);
    if (n < 0 && (err[0] == '\0' || strchr(err, '\n')))
        abort();
    for (int i = 0; i < n; i++)
        if (lc[i].nio > INF_LC_MAX_IO || lc[i].nirq > INF_LC_MAX_IRQ)
            abort();
    if (n > 0)
        inf_free_log_configs(lc, (size_t)n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Inf inf;
    InfHardwareId *ids;
    int n;

    if (inf_parse(&inf, (const char *)data, size) != 0) {
        if (inf.err[0] == '\0' || strchr(inf.err, '\n'))
            abort();
        inf_free(&inf);
        return 0;
    }
    n = inf_hardware_ids(&inf, &ids);
    for (int i = 0; i < n && i < MAX_QUERIES; i++)
        query_install(&inf, ids[i].install);
    if (n > 0)
        inf_free_hwids(ids, (size_t)n);
    for (size_t s = 0; s < inf.nsections && s < MAX_QUERIES; s++) {
        const char *name = inf.sections[s].name;
        if (inf_section(&inf, name) != &inf.sections[s])
            abort();
        query_install(&inf, name);
        (void)inf_value(&inf, name, "AddReg");
    }
    inf_free(&inf);
    return 0;
}
