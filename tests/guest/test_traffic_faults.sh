#!/bin/bash
# A driver that faults or hangs while serving traffic (issue: "the report
# is printed and xdrv exits 0"): for each NIC driver, the build variant
# that dereferences NULL on its 3rd send and the one that spins in its
# ISR once it has sent (drivers/include/xdrv_test_hooks.h) run under xdrv
# with unix-socket peers (no root). Each must end with exit status 3, the
# fault report naming the driver, and the adapter freed: no sanitizer
# report (the test runs the ASan build in `make check`).
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
B=${BUILD:-build}
PEER=$B/tools/wirepeer
pass=0 fail=0 skip=0
dir=$(mktemp -d); pid=""
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$dir"' EXIT

frame=ffffffffffff020000000001$(printf '88b5%0104d' 0)

# case NAME SYS INF DEVICE WHAT: WHAT is the fault report's first line
case_run() {
    local name=$1 sys=$2 inf=$3 dev=$4 what=$5
    if [ ! -f "$sys" ]; then
        skip=$((skip + 1)); echo "SKIP $name: $sys not built"; return
    fi
    rm -f "$dir"/*.sock
    # a small budget so the hung ISR is stopped in well under a second
    timeout 60 "$XDRV" run "$sys" --inf "$inf" --device "$dev" --budget 20000000 \
        --netdev "unix,path=$dir/nd.sock,listen" --wire "unix,path=$dir/wire.sock,listen" \
        >"$dir/out" 2>"$dir/err" &
    pid=$!
    for _ in $(seq 1 100); do grep -q "adapter up" "$dir/out" && break; sleep 0.05; done
    "$PEER" send "$dir/nd.sock" $frame $frame $frame $frame $frame 2>/dev/null
    wait $pid; local rc=$?; pid=""
    local base; base=$(basename "$sys")
    if [ $rc -eq 3 ] && grep -q "the driver stopped the run during traffic" "$dir/err" &&
        grep -q "^fault: $what" "$dir/err" && grep -q "at $base+0x" "$dir/err" &&
        ! grep -q "Sanitizer" "$dir/err"; then
        pass=$((pass + 1)); echo "PASS $name: exit 3 with the report, adapter freed"
    else
        fail=$((fail + 1)); echo "FAIL $name: exit $rc"
        grep -v '^    #' "$dir/err" | head -12 | sed 's/^/   | /'
    fi
}

for nic in "rtl8139 drivers/rtl8139/rtl8139.inf rtl8139" \
           "ne2000 drivers/ne2000/ne2000.inf ne2000" \
           "ne2000 drivers/ne2000/ne2000.inf ne2000-isa" \
           "pcnet drivers/pcnet/pcnet.inf pcnet" \
           "e1000 drivers/e1000/e1000.inf e1000"; do
    set -- $nic
    case_run "$3: fault on the 3rd send" "$B/drivers/$1-faultsend.sys" "$2" "$3" \
        "unmapped memory access"
    case_run "$3: hang in the ISR" "$B/drivers/$1-hangisr.sys" "$2" "$3" \
        "instruction budget exhausted"
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
