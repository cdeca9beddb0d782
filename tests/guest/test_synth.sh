#!/bin/bash
# xdrv synth (issue 11 part 4, docs/synth.md): the generated C for every
# specification under tests/golden/spec compiles cleanly with gcc and clang
# (and freestanding, needing no symbol); -o - is the same bytes as -o FILE;
# a specification verify refuses is refused with verify's lines and exit 2,
# leaving no output file (and an old one untouched); an output that cannot
# be written exits 5 and leaves nothing; bad arguments exit 1 with one
# line. And the RTL8139 example's C is byte for byte the golden
# tests/golden/synth/rtl8139.c. After changing the generator or that
# specification on purpose, regenerate the golden with
#     build/xdrv synth tests/golden/spec/rtl8139.xsm -o tests/golden/synth/rtl8139.c
# (from the top of the tree: the path is part of the output) and read the diff.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
pass=0 fail=0 skip=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/   | /' "$2" | head -40; }

G=tests/golden/spec/rtl8139.xsm
FLAGS="-std=c11 -Wall -Wextra -Wpedantic -Werror -Isrc"

# the golden
"$XDRV" synth "$G" -o "$dir/rtl8139.c" 2>"$dir/err"
if [ $? -eq 0 ] && cmp -s "$dir/rtl8139.c" tests/golden/synth/rtl8139.c; then
    ok "$G gives tests/golden/synth/rtl8139.c byte for byte"
else
    diff -u tests/golden/synth/rtl8139.c "$dir/rtl8139.c" >"$dir/diff"
    cat "$dir/err" >>"$dir/diff"
    bad "$G does not give tests/golden/synth/rtl8139.c (regenerate it: see this test's header)" "$dir/diff"
fi

# every specification: generated, compiled by each compiler, freestanding too
for spec in tests/golden/spec/*.xsm tests/golden/spec/synth/*.xsm; do
    name=$(basename "$spec" .xsm)
    out="$dir/$name.c"
    if ! "$XDRV" synth "$spec" -o "$out" 2>"$dir/err"; then
        bad "$spec: xdrv synth failed" "$dir/err"; continue
    fi
    for cc in gcc clang; do
        if ! command -v $cc >/dev/null; then
            skip=$((skip + 1)); echo "SKIP $spec with $cc: not installed"; continue
        fi
        if $cc $FLAGS -c "$out" -o "$dir/$name-$cc.o" 2>"$dir/cc.err"; then
            ok "$spec: the driver compiles with $cc $FLAGS"
        else
            bad "$spec: the driver does not compile with $cc" "$dir/cc.err"
        fi
    done
    if gcc $FLAGS -O2 -ffreestanding -nostdlib -c "$out" -o "$dir/$name-free.o" 2>"$dir/cc.err"; then
        und=$(nm "$dir/$name-free.o" | awk '$1 == "U" {print $2}')
        if [ -z "$und" ]; then ok "$spec: the driver compiles freestanding, no undefined symbol"
        else echo "$und" >"$dir/und"; bad "$spec: the freestanding driver needs symbols" "$dir/und"; fi
    else
        bad "$spec: the driver does not compile freestanding" "$dir/cc.err"
    fi
done

# -o - and -o FILE
if "$XDRV" synth "$G" -o - >"$dir/stdout.c" 2>"$dir/err" && cmp -s "$dir/stdout.c" "$dir/rtl8139.c"; then
    ok "-o - writes the same bytes to stdout"
else
    bad "-o - differs from -o FILE" "$dir/err"
fi
"$XDRV" synth "$G" -o "$dir/pre.c" --prefix nic0 2>"$dir/err"
if [ $? -eq 0 ] && grep -q "^ReplayResult nic0_request(Nic0Driver \*d" "$dir/pre.c" && ! grep -q "xsm_\|XSM_" "$dir/pre.c"; then
    ok "--prefix nic0 names everything nic0_, Nic0, NIC0_"
else
    bad "--prefix nic0" "$dir/err"
fi

# a specification verify refuses
sed -e 's|write RBSTART addr(rxbuf)|write RBSTART 0x1000|' "$G" >"$dir/h.xsm"
"$XDRV" synth "$dir/h.xsm" -o "$dir/h.c" >"$dir/out" 2>"$dir/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "h.xsm:[0-9]*: RBSTART takes a DMA address" "$dir/err" &&
    tail -1 "$dir/err" | grep -q "no driver written" && [ ! -e "$dir/h.c" ] && ! grep -q Sanitizer "$dir/err"; then
    ok "an unsafe spec is refused with verify's lines: $(head -1 "$dir/err")"
else
    bad "an unsafe spec: exit $rc" "$dir/err"
fi
echo "old" >"$dir/h.c"
"$XDRV" synth "$dir/h.xsm" -o "$dir/h.c" >/dev/null 2>&1
if [ "$(cat "$dir/h.c")" = old ] && [ -z "$(ls "$dir" | grep '^h\.c\.')" ]; then
    ok "a refused spec leaves an existing output untouched"
else
    bad "a refused spec changed $dir/h.c"
fi
printf 'xdrv-spec 1\nbogus\n' >"$dir/p.xsm"
"$XDRV" synth "$dir/p.xsm" -o "$dir/p.c" >/dev/null 2>"$dir/err"
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && grep -q "p.xsm:2:" "$dir/err" && [ ! -e "$dir/p.c" ]; then
    ok "an unparsable spec: exit 2, one line: $(cat "$dir/err")"
else
    bad "an unparsable spec: exit $rc" "$dir/err"
fi

# an output that cannot be written
"$XDRV" synth "$G" -o "$dir/none/x.c" >/dev/null 2>"$dir/err"
rc=$?
if [ $rc -eq 5 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && [ ! -e "$dir/none" ]; then
    ok "an output that cannot be written: exit 5, one line"
else
    bad "an output that cannot be written: exit $rc" "$dir/err"
fi
if [ -w /dev/full ]; then
    "$XDRV" synth "$G" -o - >/dev/full 2>"$dir/err"
    rc=$?
    if [ $rc -eq 5 ] && [ "$(wc -l <"$dir/err")" -eq 1 ]; then ok "stdout full: exit 5, one line"
    else bad "stdout full: exit $rc" "$dir/err"; fi
fi

# arguments
usage() {
    local name=$1; shift
    "$XDRV" synth "$@" >"$dir/out" 2>"$dir/err"
    local rc=$?
    if [ $rc -eq 1 ] && [ "$(wc -l <"$dir/err")" -eq 1 ] && [ ! -s "$dir/out" ]; then
        ok "$name: exit 1: $(cat "$dir/err")"
    else
        bad "$name: exit $rc" "$dir/err"
    fi
}
usage "no arguments"
usage "no output" "$G"
usage "no spec" -o "$dir/x.c"
usage "-o without a file" "$G" -o
usage "an unknown option" "$G" -o "$dir/x.c" --fast
usage "two specs" "$G" "$G" -o "$dir/x.c"
usage "a bad prefix" "$G" -o "$dir/x.c" --prefix Bad-Name
"$XDRV" synth --help >"$dir/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "usage: xdrv synth" "$dir/out"; then ok "--help"; else bad "--help: exit $rc" "$dir/out"; fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
