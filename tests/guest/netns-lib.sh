# Shared by tests/guest/test_net_*.sh and test_replay_*.sh: a NIC served
# by xdrv (a hosted driver, or a replayed specification) carrying real
# traffic between two network namespaces this test creates (and deletes).
#
#   namespace A: the netdev TAP served by xdrv + driver or spec + device model
#   namespace B: the wire-side TAP (the other end of the model's cable)
#
# Addresses are from 192.0.2.0/24 (RFC 5737, documentation only) and exist
# only inside the two namespaces; nothing leaves them.
#
# usage: nic_test NAME DRIVER.sys INF DEVICE-SPEC EXPECTED-MAC [nolink]
# (nolink: the chip has no link status, e.g. the DP8390: pulling the
# model's cable cannot show in ip link, so that check is skipped)
#        replay_test NAME SPEC.xsm DEVICE-SPEC EXPECTED-MAC [XDRV-REPLAY-OPTIONS...]
#        (REPLAY_NOLINK=nolink: as nic_test's nolink)
# (xdrv replay: the same traffic, no driver code; Unicorn never loaded)
#        serve_test NAME MAC UP-LINE HALTED-CHECK nolink|"" COMMAND...
# (the common part: COMMAND gets --netdev, --wire and --pcap appended and
# must print UP-LINE when it serves; HALTED-CHECK NAME RC LOG judges the
# SIGTERM shutdown; an optional function named by $SERVE_UP_HOOK is called
# with NAME PID LOG once it serves, one named by $SERVE_END_HOOK with NAME
# LOG at the end)
set -u
XDRV=${XDRV:-build/xdrv}
BUILD=${BUILD:-build}
TCPXFER=${TCPXFER:-$BUILD/tools/tcpxfer}
pass=0 fail=0 skip=0

ok() { pass=$((pass + 1)); echo "PASS $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }

# Whether network-namespace tests can run here; counts a SKIP if not.
netns_ok() {
    if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
        echo "SKIP $1: needs root and /dev/net/tun (network namespaces and TAP devices)"
        skip=$((skip + 1))
        return 1
    fi
}

serve_test() {
    local name=$1 mac=$2 up=$3 halted=$4 nolink=$5
    shift 5
    netns_ok "$name" || return 0
    local A="xdrvA$$" B="xdrvB$$" dir out pid
    dir=$(mktemp -d)
    out=$dir/xdrv.log
    ip netns add "$A" && ip netns add "$B" || { ko "$name: cannot create namespaces"; return 0; }
    # (a RETURN trap is global: it clears itself, or the caller's return
    # would run it again, with $pid out of scope)
    # shellcheck disable=SC2064
    trap "kill \$pid 2>/dev/null; ip netns del $A 2>/dev/null; ip netns del $B 2>/dev/null; rm -rf $dir; trap - RETURN" RETURN
    ip -n "$A" link set lo up
    ip -n "$B" link set lo up

    ip netns exec "$A" "$@" \
        --netdev tap,ifname=xnd0 --wire tap,ifname=xwire0 --pcap "$dir/wire.pcap" >"$out" 2>&1 &
    pid=$!
    local i
    for i in $(seq 1 100); do
        grep -q "$up" "$out" && break
        kill -0 $pid 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q "$up" "$out"; then
        ko "$name: did not come up ('$up' not seen)"; sed 's/^/   | /' "$out" | tail -30; return 0
    fi
    if [ -n "${SERVE_UP_HOOK:-}" ]; then "$SERVE_UP_HOOK" "$name" $pid "$out"; fi
    ip -n "$A" link set xwire0 netns "$B" || { ko "$name: cannot move the wire TAP"; return 0; }
    ip -n "$A" addr add 192.0.2.1/24 dev xnd0 && ip -n "$A" link set xnd0 up
    ip -n "$B" addr add 192.0.2.2/24 dev xwire0 && ip -n "$B" link set xwire0 up

    if ip -n "$A" link show xnd0 | grep -qi "link/ether $mac"; then
        ok "$name: ip link in A shows the adapter's MAC ($mac)"
    else
        ko "$name: MAC: $(ip -n "$A" link show xnd0 | grep ether)"
    fi
    # the link-check timer reports the link within a few seconds
    for i in $(seq 1 50); do
        ip -n "$A" link show xnd0 | grep -q "LOWER_UP" && break
        sleep 0.1
    done
    local r
    r=$(ip netns exec "$A" ping -c 20 -i 0.05 -W 2 192.0.2.2 2>&1 | grep -o '[0-9.]*% packet loss')
    [ "$r" = "0% packet loss" ] && ok "$name: ping A->B 20 packets, $r" || ko "$name: ping A->B: ${r:-no reply}"
    r=$(ip netns exec "$B" ping -c 20 -i 0.05 -W 2 192.0.2.1 2>&1 | grep -o '[0-9.]*% packet loss')
    [ "$r" = "0% packet loss" ] && ok "$name: ping B->A 20 packets, $r" || ko "$name: ping B->A: ${r:-no reply}"

    head -c 20971520 /dev/urandom >"$dir/send.bin"
    ip netns exec "$B" "$TCPXFER" recv 5001 "$dir/recv.bin" 120 &
    local rpid=$!
    sleep 0.3
    local t0 t1
    t0=$(date +%s.%N)
    ip netns exec "$A" "$TCPXFER" send 192.0.2.2 5001 "$dir/send.bin" 120
    wait $rpid
    t1=$(date +%s.%N)
    local s1 s2
    s1=$(sha256sum <"$dir/send.bin" | cut -d' ' -f1)
    s2=$(sha256sum <"$dir/recv.bin" 2>/dev/null | cut -d' ' -f1)
    if [ ! -x "$TCPXFER" ]; then
        ko "$name: 20 MB TCP transfer: $TCPXFER is not built (make $TCPXFER)"
    elif [ "$s1" = "$s2" ]; then
        ok "$name: 20 MB TCP A->B intact (sha256 ${s1:0:16}..., $(echo "$t0 $t1" | awk '{printf "%.1f s, %.1f Mbit/s", $2-$1, 167.77216/($2-$1)}'))"
    else
        ko "$name: 20 MB TCP transfer: sha256 $s1 != ${s2:-nothing received}"
    fi

    if [ -n "$nolink" ]; then
        echo "SKIP $name: link down/up (the chip has no link status register)"
        skip=$((skip + 1))
    else
    kill -USR1 $pid
    for i in $(seq 1 60); do
        ip -n "$A" link show xnd0 | grep -q "NO-CARRIER" && break
        sleep 0.1
    done
    ip -n "$A" link show xnd0 | grep -q "NO-CARRIER" && ok "$name: link down on the model shows as NO-CARRIER" \
        || ko "$name: link down not seen: $(ip -n "$A" link show xnd0 | head -1)"
    kill -USR2 $pid
    for i in $(seq 1 60); do
        ip -n "$A" link show xnd0 | grep -q "LOWER_UP" && break
        sleep 0.1
    done
    ip -n "$A" link show xnd0 | grep -q "LOWER_UP" && ok "$name: link up again shows as LOWER_UP" \
        || ko "$name: link up not seen: $(ip -n "$A" link show xnd0 | head -1)"
    fi

    kill -TERM $pid
    wait $pid
    local rc=$?
    "$halted" "$name" $rc "$out"
    if [ -s "$dir/wire.pcap" ]; then ok "$name: pcap written"; else ko "$name: pcap empty"; fi
    if [ -n "${SERVE_END_HOOK:-}" ]; then "$SERVE_END_HOOK" "$name" "$out"; fi
}

# A hosted driver's shutdown: MiniportHalt, DriverUnload, no pool leaks.
run_halted() {
    local name=$1 rc=$2 out=$3
    if [ $rc -eq 0 ] && grep -q "adapter halted" "$out" && grep -q "no pool leaks" "$out" &&
        ! grep -qi "still has\|left behind\|^leaks:" "$out"; then
        ok "$name: SIGTERM halts the miniport cleanly, no leaks"
    else
        ko "$name: shutdown (exit $rc)"; sed 's/^/   | /' "$out" | tail -30
    fi
}

nic_test() {
    local name=$1 sys=$2 inf=$3 dev=$4 mac=$5 nolink=${6:-}
    serve_test "$name" "$mac" "adapter up" run_halted "$nolink" "$XDRV" run "$sys" --inf "$inf" --device "$dev"
}

# A replayed spec's shutdown: the halt request served, exit 0.
replay_halted() {
    local name=$1 rc=$2 out=$3
    if [ $rc -eq 0 ] && grep -q "^xdrv: device halted" "$out" && ! grep -q "Sanitizer" "$out"; then
        ok "$name: SIGTERM halts the device through the spec, exit 0"
    else
        ko "$name: shutdown (exit $rc)"; sed 's/^/   | /' "$out" | tail -30
    fi
}

# While serving: no guest CPU in the process (Unicorn is loaded on demand,
# src/vm/libload.c, so a replay that never creates a machine never maps it).
replay_no_unicorn() {
    local name=$1 pid=$2 n
    n=$(grep -c -i unicorn "/proc/$pid/maps" 2>/dev/null)
    if [ "${n:-x}" = 0 ]; then ok "$name: serving with no Unicorn mapped (no guest code)"
    else ko "$name: /proc/$pid/maps has ${n:-no} unicorn mappings"; fi
}

replay_test() {
    local name=$1 spec=$2 dev=$3 mac=$4
    shift 4
    SERVE_UP_HOOK=${SERVE_UP_HOOK:-replay_no_unicorn} \
        serve_test "$name" "$mac" "replay up, mac $mac" replay_halted "${REPLAY_NOLINK:-}" \
        "$XDRV" replay "$spec" --device "$dev" "$@"
}
