/* libFuzzer target: the --netdev/--wire specification parser (untrusted
 * command-line text): never a crash, an error always has a message. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    NetSpec spec;
    char err[NET_ERR_MAX];
    err[0] = 0;
    if (net_spec_parse(s, &spec, err, sizeof err) < 0 && !err[0])
        abort(); /* a refusal must say why */
    free(s);
    return 0;
}
