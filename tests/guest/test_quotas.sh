#!/bin/bash
# Quotas on what a driver can make xdrv allocate (issue 12): the quota_hog
# driver asks for more registry keys, values, bytes of value data, handles
# and debug output than xdrv gives one driver; each request past the quota
# ends in the Windows error status (STATUS_INSUFFICIENT_RESOURCES for the
# registry and handles, STATUS_QUOTA_EXCEEDED for DbgPrint), the run goes
# on and ends normally, and the dropped debug output is counted.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
B=${BUILD:-build}
pass=0 fail=0 skip=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; grep -v "flood 0" "$out" | tail -n 12 | sed 's/^/   | /'; }

if [ ! -f "$B/drivers/quota_hog.sys" ]; then
    echo "SKIP quotas: $B/drivers/quota_hog.sys not built"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
"$XDRV" run "$B/drivers/quota_hog.sys" >"$out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "^xdrv: no pool leaks" "$out" && ! grep -q Sanitizer "$out" &&
    ok "quota_hog runs to its end (exit 0, no pool leaks)" || bad "quota_hog: exit $rc"
# name EXPECTED-COUNT-RANGE STATUS: the driver's own line
check() {
    local what=$1 lo=$2 hi=$3 status=$4 line n
    line=$(grep -o "quota_hog: $what: [0-9]* [^,]*, then 0x[0-9a-f]*" "$out")
    n=$(echo "$line" | sed -E 's/.*: ([0-9]+) .*/\1/')
    if [ -n "$line" ] && [ "$n" -ge "$lo" ] && [ "$n" -le "$hi" ] && echo "$line" | grep -q "then $status$"; then
        ok "$what: $line"
    else
        bad "$what: '${line:-no line}' (wanted $lo..$hi, then $status)"
    fi
}
# (the registry starts with a few keys and values of its own)
check keys 8100 8191 0xc000009a
check values 8100 8191 0xc000009a
check data 60 64 0xc000009a
check handles 4000 4095 0xc000009a
if grep -q "^dbg: (the driver's debug output reached its quota of 16777216 bytes" "$out" &&
    grep -q "^xdrv: [1-9][0-9]* debug output call(s) dropped past the quota" "$out" &&
    [ "$(grep -c '^dbg: quota_hog: flood ' "$out")" -ge 160000 ] && [ "$(wc -c <"$out")" -lt 20000000 ]; then
    ok "debug output: cut at 16 MB with a note, the dropped calls counted ($(grep -o '[0-9]* debug output call(s) dropped' "$out"))"
else
    bad "debug output quota"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
