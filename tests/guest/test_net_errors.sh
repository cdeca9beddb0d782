#!/bin/bash
# Network runs that cannot work end at once with one clear line and the
# documented exit status: wrong device for the INF, a MiniportInitialize
# that fails, backends without a controller, bad specs. No root needed.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
B=${BUILD:-build}
pass=0 fail=0
out=$(mktemp); trap 'rm -f "$out"' EXIT

# case NAME EXPECTED-STATUS TEXT -- ARGS...
case_() {
    local name=$1 want=$2 text=$3; shift 4
    timeout 60 "$XDRV" run "$@" >"$out" 2>&1
    local rc=$?
    if [ $rc -eq "$want" ] && grep -qF -- "$text" "$out"; then
        pass=$((pass + 1)); echo "PASS $name"
    else
        fail=$((fail + 1)); echo "FAIL $name: exit $rc (want $want), output:"; sed 's/^/   | /' "$out" | tail -8
    fi
}

case_ inf_wrong_device 2 "and the INF lists none of them" -- \
    "$B/drivers/rtl8139.sys" --inf drivers/rtl8139/rtl8139.inf --device pcnet
case_ initialize_fails 4 "MiniportInitialize failed" -- "$B/drivers/rtl8139.sys" --device pcnet
case_ netdev_without_nic 1 "need a network controller" -- "$B/drivers/rtl8139.sys" --netdev tap,ifname=x0
case_ bad_wire_spec 1 "--wire bogus" -- "$B/drivers/rtl8139.sys" --device rtl8139 --wire bogus
case_ unknown_device 1 "unknown device" -- "$B/drivers/rtl8139.sys" --device tulip
case_ bad_mac 1 "mac=01:00:00:00:00:01: a station address cannot be a multicast address" -- "$B/drivers/rtl8139.sys" --device rtl8139,mac=01:00:00:00:00:01
case_ bad_isa_irq 1 "irq=99: needs an ISA interrupt from 2 to 15" -- "$B/drivers/rtl8139.sys" --device ne2000-isa,irq=99
case_ bad_param 1 "dword: needs a 32-bit number" -- "$B/drivers/rtl8139.sys" --param X=dword:zz
case_ bad_inf 2 "rtl8139.sys" -- "$B/drivers/rtl8139.sys" --inf "$B/drivers/rtl8139.sys" --device rtl8139
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
