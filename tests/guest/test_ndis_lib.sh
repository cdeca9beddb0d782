#!/bin/bash
# The NDIS library from inside the guest (drivers/ndistest_lib): every check
# must pass, the driver must report DONE, its control device must answer
# requests, the error log entry must reach the run log, and unload (through
# the miniport's unload handler) must leave no pool leaks.
set -u
XDRV=${XDRV:-build/xdrv}
SYS=${BUILD:-build}/drivers/ndistest_lib.sys
out=$(mktemp); trap 'rm -f "$out"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "PASS $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }

timeout 120 "$XDRV" run "$SYS" --request 'open NdisTestLib' --request 'close 1' >"$out" 2>&1
rc=$?
cat "$out"
check "exit status 0" '[ $rc -eq 0 ]'
check "reports DONE" 'grep -q "ndistest: DONE passed=[1-9][0-9]* failed=0" "$out"'
check "no failing check" '! grep -q "ndistest: FAIL" "$out"'
check "error log entry logged" 'grep -q "NDIS_ERROR_CODE_HARDWARE_FAILURE (0xc000138a), 2 value(s): 0x11 0x22" "$out"'
check "control device listed" 'grep -q "symlink: .*NdisTestLib -> .Device.NdisTestLib" "$out"'
check "control device opens" 'grep -qi "open.*NdisTestLib.*STATUS_SUCCESS" "$out"'
check "unload handler ran" 'grep -q "ndistest: unload handler called" "$out"'
check "no pool leaks" 'grep -q "no pool leaks" "$out"'
n=$(grep -c "ndistest: PASS" "$out")
echo "ndistest: $n checks passed inside the guest"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
