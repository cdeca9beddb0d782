#!/bin/bash
# The safety path from explore's random recordings alone, for every
# project NIC (issue 11's acceptance): `xdrv explore` (long) -> `xdrv
# extract` -> verify safe -> `xdrv replay` of tests/golden/extract/
# traffic.wl, whose device-side I/O must be the driver's (`xdrv diff
# --device-side`): event for event where the spec serves every request,
# and up to the hand-over where it hands one to the driver (the replay's
# events are then a prefix of the driver's) -> the netns test of
# tests/guest/netns-lib.sh with no driver code (ping both ways, 20 MB TCP,
# the link flap where the chip has link status, SIGTERM).
#
# Too long for `make check` (an exploration of 20000 runs takes about 10
# minutes here): `make check-long` runs it, and docs/extract.md records
# what it printed. EXPLORE_RUNS overrides the runs (8000 for the ISA
# NE2000 by default), NICS the list (e.g. NICS="pcnet e1000"), KEEP=DIR
# keeps the explorations and specs. Tests in tests/guest/test_explore.sh
# check the same chain on 60-run explorations inside `make check`.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
BUILD=${BUILD:-build}
. tests/guest/netns-lib.sh
NICS=${NICS:-"rtl8139 e1000 pcnet ne2000 ne2000-isa"}
MAC=52:54:00:12:34:56
if [ -n "${KEEP:-}" ]; then
    dir=$KEEP
    mkdir -p "$dir" || exit 1
else
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
fi
bad() {
    ko "$1"
    [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 15 "$2" | sed 's/^/   | /'
}

for dev in $NICS; do
    case $dev in
    ne2000-isa) drv=ne2000 runs=${EXPLORE_RUNS:-8000} ;;
    *) drv=$dev runs=${EXPLORE_RUNS:-20000} ;;
    esac
    case $dev in
    e1000) kinds=MMIO_READ,MMIO_WRITE,DMA_READ,DMA_WRITE ;;
    *) kinds=PORT_READ,PORT_WRITE,DMA_READ,DMA_WRITE ;;
    esac
    sys=$BUILD/drivers/$drv.sys inf=drivers/$drv/$drv.inf out=$dir/$dev
    if [ ! -f "$sys" ]; then
        skip=$((skip + 1)); echo "SKIP $dev: $sys not built"; continue
    fi
    echo "$dev: exploring, $runs runs ($(date +%H:%M:%S))"
    rm -rf "$out"
    start=$(date +%s)
    if ! "$XDRV" explore "$sys" --inf "$inf" --device "$dev" -o "$out" --runs "$runs" \
        --plateau "$runs" --seed 2 >"$out.log" 2>"$out.err"; then
        bad "$dev: explore failed" "$out.err"; continue
    fi
    ok "$dev: explore, $(ls "$out"/*.xtr | wc -l) runs kept, $(sed -n 's/^coverage: //p' "$out.log" | tail -n 1), $(($(date +%s) - start)) s"
    if "$XDRV" extract "$out"/*.xtr -o "$out.xsm" --device "$dev" >/dev/null 2>"$out.ex" &&
        grep -q "verify: safe" "$out.ex"; then
        ok "$dev: extract: $(tail -n 1 "$out.ex" | sed 's/^xdrv extract: [^:]*: //')"
    else
        bad "$dev: extract" "$out.ex"; continue
    fi
    "$XDRV" replay "$out.xsm" --device "$dev" --workload tests/golden/extract/traffic.wl \
        --trace "$out.rep.xtr" >"$out.rep" 2>&1
    rc=$?
    "$XDRV" trace record "$sys" --inf "$inf" --device "$dev" \
        --workload tests/golden/extract/traffic.wl -o "$out.drv.xtr" >/dev/null 2>&1
    "$XDRV" diff --device-side --kind "$kinds" "$out.drv.xtr" "$out.rep.xtr" >"$out.eq" 2>&1
    d=$?
    n=$("$XDRV" trace dump --kind "$kinds" "$out.rep.xtr" | wc -l)
    if [ $rc -eq 0 ] && grep -q "39 requests played, 0 not played" "$out.rep" && [ $d -eq 0 ]; then
        ok "$dev: serves all 39 requests of traffic.wl; its $n device events are the driver's"
    elif [ $rc -eq 3 ] && grep -q "not served: " "$out.rep" && [ $d -eq 1 ] &&
        [ "$(grep -c '^@@' "$out.eq")" = 1 ] && ! grep -q '^+[^+]' "$out.eq"; then
        ok "$dev: serves traffic.wl up to a hand-over ($(grep -o 'not served: [^;]*' "$out.rep" | head -n 1)); its $n device events before it are the driver's"
    else
        bad "$dev: traffic.wl: replay exit $rc, diff exit $d" "$out.eq"
    fi
    if netns_ok "$dev: netns"; then
        if [ "$drv" = ne2000 ]; then
            REPLAY_NOLINK=nolink replay_test "$dev-explored" "$out.xsm" "$dev" "$MAC"
        else
            replay_test "$dev-explored" "$out.xsm" "$dev" "$MAC"
        fi
    fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
