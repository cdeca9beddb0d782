#!/bin/bash
# Every header under src/ compiles on its own (../shared/STYLE.md, "C").
# src/nt/module_table.h is a template meant to be included with its macros
# defined, and is checked that way.
set -u
cd "$(dirname "$0")/../.." || exit 1
CC=${CC:-gcc}
pass=0 fail=0
for h in $(find src -name '*.h' | sort); do
    pre=""
    [ "$h" = src/nt/module_table.h ] && pre='#define NT_MODULE_DEF "nt/hal/exports.def"
#define NT_MODULE_NAME "hal.dll"
#define NT_MODULE_VAR test_module
#define NT_MODULE_DATA NULL'
    if printf '%s\n#include "%s"\n' "$pre" "${h#src/}" |
        $CC -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter -Isrc -fsyntax-only -x c - 2>/tmp/hdr.$$; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL $h"; head -5 /tmp/hdr.$$
    fi
done
rm -f /tmp/hdr.$$
echo "headers: $pass passed, $fail failed"
[ $fail -eq 0 ]
