#!/bin/bash
# The replay interpreter core is freestanding C (issue 11): compiled with
# -ffreestanding -nostdlib for x86-64 and arm64 it needs no symbol from
# anywhere, and linked with nothing but a harness that provides its ops
# (tests/replay/freestanding.c, its own _start) it serves requests and
# exits 0.
set -u
cd "$(dirname "$0")/../.." || exit 1
pass=0 fail=0 skip=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/   | /' "$2"; }

FLAGS="-std=c11 -O2 -Wall -Wextra -Werror -Wno-unused-parameter -Isrc -ffreestanding -nostdlib"
for cc in gcc aarch64-linux-gnu-gcc; do
    if ! command -v $cc >/dev/null; then
        skip=$((skip + 1)); echo "SKIP $cc not installed"; continue
    fi
    if $cc $FLAGS -c src/replay/interp.c -o "$dir/interp-$cc.o" 2>"$dir/cc.err"; then
        und=$(nm "$dir/interp-$cc.o" | awk '$1 == "U" {print $2}')
        if [ -z "$und" ]; then ok "$cc: interp.c compiles freestanding, no undefined symbol"
        else echo "$und" >"$dir/und"; bad "$cc: interp.c needs symbols" "$dir/und"; fi
    else
        bad "$cc: interp.c does not compile freestanding" "$dir/cc.err"
    fi
done
if [ "$(uname -m)" = x86_64 ]; then
    if gcc $FLAGS -static -fno-pie -no-pie tests/replay/freestanding.c src/replay/interp.c \
        -o "$dir/harness" 2>"$dir/ld.err"; then
        "$dir/harness"
        rc=$?
        if [ $rc -eq 0 ]; then ok "linked with nothing but its ops: init (a poll), send (a store) as specified"
        else bad "the freestanding harness exited $rc (see tests/replay/freestanding.c)"; fi
    else
        bad "the freestanding harness does not link" "$dir/ld.err"
    fi
else
    skip=$((skip + 1)); echo "SKIP the freestanding harness has an x86-64 _start only"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
