#!/bin/bash
# xdrv explore on every project NIC driver, briefly: the explorer must reach
# more of the driver than the standard workload alone, keep each new-code
# run as a trace and its workload, and a kept workload replayed with
# `xdrv trace record` must give the kept trace byte for byte, and a spec
# extracted from the kept traces must verify safe. (The long
# runs behind the figures in docs/coverage.md use the same command with
# more --runs.) Bad arguments get one-line errors.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
B=${BUILD:-build}
RUNS=${EXPLORE_RUNS:-60}
# the explore specs that serve all of traffic.wl after $RUNS runs, with the
# driver's I/O event for event (the others may hand a request over: a
# frame length or place no run showed)
SERVES="rtl8139 pcnet"
pass=0 fail=0 skip=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() {
    fail=$((fail + 1)); echo "FAIL $1"
    [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 20 "$2" | sed 's/^/   | /'
}
pct() { sed -n 's/^coverage: \([0-9.]*\)% of.*/\1/p' "$1" | tail -n 1; }

for nic in "rtl8139 drivers/rtl8139/rtl8139.inf rtl8139" \
           "ne2000 drivers/ne2000/ne2000.inf ne2000" \
           "ne2000 drivers/ne2000/ne2000.inf ne2000-isa" \
           "pcnet drivers/pcnet/pcnet.inf pcnet" \
           "e1000 drivers/e1000/e1000.inf e1000"; do
    set -- $nic
    drv=$1 inf=$2 dev=$3
    sys=$B/drivers/$drv.sys
    if [ ! -f "$sys" ]; then
        skip=$((skip + 1)); echo "SKIP $dev: $sys not built"; continue
    fi
    out=$dir/$dev
    # the standard workload alone, for comparison
    "$XDRV" trace record "$sys" --inf "$inf" --device "$dev" -o "$dir/$dev-std.xtr" >/dev/null 2>&1
    "$XDRV" trace coverage "$dir/$dev-std.xtr" >"$dir/$dev-std.cov" 2>&1
    base=$(pct "$dir/$dev-std.cov")
    if timeout 600 "$XDRV" explore "$sys" --inf "$inf" --device "$dev" -o "$out" --runs "$RUNS" \
        --workload standard >"$dir/$dev.out" 2>"$dir/$dev.err" &&
        grep -q "^xdrv explore: $RUNS runs" "$dir/$dev.out" && ! grep -q Sanitizer "$dir/$dev.err"; then
        now=$(pct "$dir/$dev.out")
        if [ -n "$now" ] && [ -n "$base" ] && awk "BEGIN{exit !($now > $base)}"; then
            ok "$dev: $RUNS runs reach $now% against the standard workload's $base% ($(ls "$out"/*.xtr | wc -l) runs kept)"
        else
            bad "$dev: explore reached ${now:-?}%, standard ${base:-?}%" "$dir/$dev.out"
        fi
    else
        bad "$dev: explore failed" "$dir/$dev.err"; continue
    fi
    # the union of the kept traces is what explore reported
    "$XDRV" trace coverage "$out"/*.xtr >"$dir/$dev-kept.cov" 2>&1
    [ "$(pct "$dir/$dev-kept.cov")" = "$now" ] && ok "$dev: the kept traces cover $now% together" ||
        bad "$dev: kept traces cover $(pct "$dir/$dev-kept.cov")%, explore said $now%"
    # the kept traces are what extract learns from: a spec, verified safe
    # against the model's datasheet tables (tests/guest/test_extract.sh
    # replays specs from planned workloads)
    if "$XDRV" extract "$out"/*.xtr -o "$dir/$dev.xsm" --device "$dev" >/dev/null 2>"$dir/$dev.ex" &&
        grep -q "verify: safe" "$dir/$dev.ex" && ! grep -q Sanitizer "$dir/$dev.ex"; then
        ok "$dev: extract from the kept traces: $(tail -1 "$dir/$dev.ex" | sed 's/^xdrv extract: [^:]*: //')"
    else
        bad "$dev: extract from the kept traces" "$dir/$dev.ex"
    fi
    # the spec from explore's traces alone serves the planned traffic
    # (tests/golden/extract/traffic.wl) with no driver code: every request
    # for the drivers listed in SERVES, else up to a request it hands over
    # with its reason (exit 3); never a crash or a refusal
    "$XDRV" replay "$dir/$dev.xsm" --device "$dev" --workload tests/golden/extract/traffic.wl \
        --trace "$dir/$dev.rep.xtr" >"$dir/$dev.rep" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && grep -q "39 requests played, 0 not played" "$dir/$dev.rep"; then
        # and its I/O is the driver's, event for event (xdrv diff after
        # normalization), as the planned specs' are (test_extract.sh)
        case $dev in e1000) kinds=MMIO_READ,MMIO_WRITE,DMA_READ,DMA_WRITE ;;
                     *) kinds=PORT_READ,PORT_WRITE,DMA_READ,DMA_WRITE ;; esac
        "$XDRV" trace record "$sys" --inf "$inf" --device "$dev" \
            --workload tests/golden/extract/traffic.wl -o "$dir/$dev.drv.xtr" >/dev/null 2>&1
        if "$XDRV" diff --device-side --kind "$kinds" "$dir/$dev.drv.xtr" "$dir/$dev.rep.xtr" \
            >"$dir/$dev.eq" 2>&1; then
            ok "$dev: the explore spec serves traffic.wl, all 39 requests, no driver code; its $("$XDRV" trace dump --kind "$kinds" "$dir/$dev.rep.xtr" | wc -l) device events are the driver's"
        else
            bad "$dev: the explore spec's I/O on traffic.wl differs from the driver's" "$dir/$dev.eq"
        fi
    elif [ $rc -eq 3 ] && ! case " $SERVES " in *" $dev "*) true ;; *) false ;; esac &&
        grep -q "not served: .* in state running: " "$dir/$dev.rep" && ! grep -q Sanitizer "$dir/$dev.rep"; then
        ok "$dev: the explore spec serves traffic.wl up to a hand-over: $(grep -o 'not served: [^;]*' "$dir/$dev.rep" | head -1)"
    else
        bad "$dev: the explore spec on traffic.wl: exit $rc" "$dir/$dev.rep"
    fi
    # a kept run replays from its workload, byte for byte
    last=$(ls "$out"/*.xtr | tail -n 1)
    if "$XDRV" trace record "$sys" --inf "$inf" --device "$dev" --workload "${last%.xtr}.workload" \
        -o "$dir/replay.xtr" >/dev/null 2>"$dir/replay.err"; [ $? -le 4 ] &&
        cmp -s "$last" "$dir/replay.xtr"; then
        ok "$dev: $(basename "$last") replays from its workload byte for byte"
    else
        bad "$dev: $(basename "$last") does not replay: $(cmp "$last" "$dir/replay.xtr" 2>&1 | head -1)" "$dir/replay.err"
    fi
done

check_err() { # NAME CMD...
    local name=$1; shift
    "$@" >/dev/null 2>"$dir/e.err"; local rc=$?
    if [ $rc -ne 0 ] && [ "$(wc -l <"$dir/e.err")" -eq 1 ] && ! grep -q Sanitizer "$dir/e.err"; then
        ok "$name: exit $rc: $(cat "$dir/e.err")"
    else
        bad "$name: exit $rc" "$dir/e.err"
    fi
}
sys=$B/drivers/rtl8139.sys
check_err "explore without -o" "$XDRV" explore "$sys" --device rtl8139
check_err "explore --runs 0" "$XDRV" explore "$sys" --device rtl8139 -o "$dir/x" --runs 0
check_err "explore of a non-driver" "$XDRV" explore drivers/rtl8139/rtl8139.inf --device rtl8139 -o "$dir/x"
check_err "explore with --netdev" "$XDRV" explore "$sys" --device rtl8139 --netdev tap -o "$dir/x"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
