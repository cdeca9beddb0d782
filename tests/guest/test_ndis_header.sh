#!/bin/sh
# Compile-only check of drivers/include/ndis_fixed.h: a probe including it
# must compile to an object file with the driver flags and the NDIS 5.1
# miniport defines, and the import it references must carry the decoration
# of mingw-w64's libndis.a. Also reports (without failing) whether the
# shipped <ndis.h> still fails on its own, so a toolchain upgrade that
# fixes it is noticed and the workaround can go.
# Prints "PASS name" / "FAIL name: why" per case and "N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
MINGW_CC=${MINGW_CC:-i686-w64-mingw32-gcc}
MINGW_NM=${MINGW_NM:-i686-w64-mingw32-nm}
DDK=/usr/i686-w64-mingw32/include/ddk
# Keep in step with DRV_CFLAGS in drivers/drivers.mk.
CFLAGS="-O2 -std=gnu11 -Wall -Wextra -Werror -Wno-unused-parameter -ffreestanding
 -fno-stack-protector -fno-builtin -mno-stack-arg-probe -I$DDK -Idrivers/include
 -D_X86_=1 -DNTDDI_VERSION=0x05010000 -DNDIS_MINIPORT_DRIVER -DNDIS51_MINIPORT=1"
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

if ! command -v "$MINGW_CC" >/dev/null 2>&1; then
    echo "SKIP ndis_header: $MINGW_CC not installed"
    echo "0 passed, 0 failed"
    exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# shellcheck disable=SC2086
if $MINGW_CC $CFLAGS -c tests/guest/ndis_header_probe.c -o "$tmp/probe.o" 2>"$tmp/err"; then
    ok ndis_fixed_compiles
else
    ko ndis_fixed_compiles "$(grep -m1 error "$tmp/err")"
fi

if [ -f "$tmp/probe.o" ]; then
    if $MINGW_NM "$tmp/probe.o" | grep -q '__imp__NdisMWanIndicateReceiveComplete@8$' &&
       $MINGW_NM /usr/i686-w64-mingw32/lib/libndis.a | grep -q '__imp__NdisMWanIndicateReceiveComplete@8$'; then
        ok ndis_fixed_prototype_matches_libndis
    else
        ko ndis_fixed_prototype_matches_libndis "NdisMWanIndicateReceiveComplete@8 not in both probe.o and libndis.a"
    fi
fi

printf '#include <ndis.h>\nint x;\n' >"$tmp/raw.c"
# shellcheck disable=SC2086
if $MINGW_CC $CFLAGS -c "$tmp/raw.c" -o "$tmp/raw.o" 2>/dev/null; then
    echo "NOTE shipped <ndis.h> compiles now: drivers/include/ndis_fixed.h may be obsolete"
fi
printf '#include <ntddk.h>\nint x;\n' >"$tmp/ddk.c"
# shellcheck disable=SC2046 # word splitting of the flags is intended
if $MINGW_CC $(echo "$CFLAGS" | sed 's|-Idrivers/include||') -c "$tmp/ddk.c" -o "$tmp/ddk.o" 2>/dev/null; then
    echo "NOTE shipped <ntddk.h> compiles for XP now: drivers/include/sdkddkver.h may be obsolete"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
