#!/bin/bash
# The xdrv command itself: --help for each subcommand, info on a bundled
# driver (text and JSON), the request interface of `xdrv run` end to end,
# and one-line errors with the documented exit status for nonsense input.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
B=${BUILD:-build}
pass=0 fail=0
out=$(mktemp); bad=$(mktemp); trap 'rm -f "$out" "$bad"' EXIT
check() { if eval "$2"; then pass=$((pass+1)); echo "PASS $1"; else fail=$((fail+1)); echo "FAIL $1"; sed 's/^/   | /' "$out" | tail -8; fi; }

for c in "" info run exports; do
    $XDRV $c --help >"$out" 2>&1; rc=$?
    check "xdrv $c --help" '[ $rc -eq 0 ] && grep -q "usage: xdrv" "$out"'
done
$XDRV info "$B/drivers/ktest.sys" >"$out" 2>&1; rc=$?
check "info text" '[ $rc -eq 0 ] && grep -q "^imports implemented: [0-9]* of [0-9]*$" "$out" && grep -q "(native)" "$out"'
$XDRV info --json "$B/drivers/rtl8139.sys" >"$out" 2>&1; rc=$?
check "info --json is JSON" '[ $rc -eq 0 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"imports_total\"] == d[\"imports_implemented\"] > 0" "$out"'
$XDRV run "$B/drivers/ktest.sys" --request 'open \DosDevices\KTest' --request 'write 1 "hello"' \
    --request 'ioctl 1 0x222000 01020304 4' --request 'close 1' >"$out" 2>&1; rc=$?
check "run: requests served" '[ $rc -eq 0 ] && grep -q "request: write: status 0x00000000 (STATUS_SUCCESS), information 5" "$out" &&
    grep -q "request: ioctl 0x00222000: status 0x00000000 (STATUS_SUCCESS), information 4, data 01020304" "$out" &&
    grep -q "request: close: status 0x00000000" "$out"'
printf 'open \\DosDevices\\KTest\n# a comment\nioctl 1 0x222000 aabb 2\nclose 1\n' | $XDRV run "$B/drivers/ktest.sys" --requests - >"$out" 2>&1; rc=$?
check "run: requests from stdin" '[ $rc -eq 0 ] && grep -q "information 2, data aabb" "$out"'
$XDRV run -v "$B/drivers/ktest.sys" >"$out" 2>&1; rc=$?
check "run -v logs API calls and driver calls" '[ $rc -eq 0 ] && grep -q -- "-> RtlInitUnicodeString(0x[0-9a-f]*, \"hello\")" "$out" && grep -q "=> driver DriverEntry" "$out"'

trace=$(mktemp)
$XDRV run "$B/drivers/fault_null.sys" --trace "$trace" >"$out" 2>&1; rc=$?
check "--trace writes every event, one line each" '[ $rc -eq 3 ] && grep -q "=> driver DriverEntry" "$trace" &&
    grep -q "DEBUG_PRINT DbgPrint: fault_null" "$trace" && grep -q "FAULT unmapped memory access" "$trace" && ! grep -q "^$" "$trace"'
rm -f "$trace"

# Ctrl-C on a driver stuck in a loop: a report of where it was, not a kill
timeout --preserve-status -s INT 2 $XDRV run "$B/drivers/fault_loop.sys" --budget 100000000000 >"$out" 2>&1; rc=$?
check "SIGINT stops a looping driver with a report" '[ $rc -eq 3 ] && grep -q "^fault: interrupted" "$out" && grep -q "at fault_loop.sys+0x" "$out"'

head -c 300 /dev/urandom >"$bad"
errcase() {
    local name=$1 want=$2; shift 2
    "$XDRV" "$@" >"$out" 2>&1; local rc=$?
    local lines; lines=$(grep -c . "$out")
    check "$name: exit $want, one line" '[ $rc -eq '"$want"' ] && [ $lines -eq 1 ]'
}
errcase "garbage PE" 2 info "$bad"
errcase "missing file" 2 info /nonexistent.sys
errcase "unknown command" 1 frobnicate
errcase "unknown option" 1 run "$B/drivers/ktest.sys" --frob
errcase "bad budget" 1 run "$B/drivers/ktest.sys" --budget -5
errcase "request on no handle" 1 run "$B/drivers/ktest.sys" --no-unload --request 'read 7 4'
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
