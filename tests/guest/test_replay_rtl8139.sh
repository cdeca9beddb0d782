#!/bin/bash
# xdrv replay (issue 11): the RTL8139 model served by the hand-written
# specification tests/golden/spec/rtl8139.xsm, with no driver code (no
# Unicorn mapped, no driver image), as a Linux network interface: ping both
# ways, 20 MB over TCP, the link pulled and plugged, a clean SIGTERM. A
# hostile edit of the spec (the receive ring pointed at an arbitrary
# address) is refused with the verify line, exit 2, before any network
# interface or capture file exists. The hand-over: a spec that sends only
# frames shorter than 200 bytes carries pings, then the first large TCP
# segment makes it fall back to the original driver (build/drivers/
# rtl8139.sys), which goes on carrying the transfer, intact, on the same
# interface; the log names the request and the reason.
cd "$(dirname "$0")/../.." || exit 1
. tests/guest/netns-lib.sh
SPEC=tests/golden/spec/rtl8139.xsm
MAC=02:00:5e:81:39:01
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

replay_test rtl8139-replay "$SPEC" "rtl8139,mac=$MAC" "$MAC"

# The unsafe spec: refused, and nothing of the network touched.
sed 's|write RBSTART addr(rxbuf)|write RBSTART 0x12345678|' "$SPEC" >"$tmp/hostile.xsm"
if cmp -s "$tmp/hostile.xsm" "$SPEC"; then
    ko "hostile spec: the edit changed nothing"
else
    ns=""
    if [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ]; then
        ns="xdrvH$$"
        ip netns add "$ns" || ns=""
    fi
    ${ns:+ip netns exec "$ns"} "$XDRV" replay "$tmp/hostile.xsm" --device "rtl8139,mac=$MAC" \
        --netdev tap,ifname=xbad0 --wire tap,ifname=xbad1 --pcap "$tmp/hostile.pcap" \
        >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 2 ] && grep -q "hostile.xsm:[0-9]*: RBSTART takes a DMA address" "$tmp/err" &&
        grep -q "not safe to replay, refused" "$tmp/err" && ! grep -q "replay up" "$tmp/out" &&
        [ ! -e "$tmp/hostile.pcap" ]; then
        ok "hostile spec (RBSTART 0x12345678): exit 2, $(grep -m1 RBSTART "$tmp/err" | sed "s|$tmp/||")"
    else
        ko "hostile spec: exit $rc"; sed 's/^/   | /' "$tmp/out" "$tmp/err"
    fi
    if [ -n "$ns" ]; then
        if ip -n "$ns" link show xbad0 >/dev/null 2>&1 || ip -n "$ns" link show xbad1 >/dev/null 2>&1; then
            ko "hostile spec: a TAP interface was created"
        else
            ok "hostile spec: no network interface created"
        fi
        ip netns del "$ns"
    fi
fi

# A request the spec does not serve, with no driver to take over: one line
# naming it, exit 3 (init guarded off: no network needed).
sed 's|^on init stopped -> running|on init stopped -> running when 0|' "$SPEC" >"$tmp/noinit.xsm"
"$XDRV" replay "$tmp/noinit.xsm" --device "rtl8139,mac=$MAC" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 3 ] && grep -q "^replay: fallback: init in state stopped: no transition serves init in this state$" "$tmp/err" &&
    grep -q "no --fallback driver" "$tmp/err" && grep -q "fallbacks: 1" "$tmp/out" && ! grep -q Sanitizer "$tmp/err"; then
    ok "an unserved init without --fallback: exit 3, $(grep '^replay: fallback' "$tmp/err")"
else
    ko "an unserved init without --fallback: exit $rc"; sed 's/^/   | /' "$tmp/out" "$tmp/err"
fi
"$XDRV" replay "$SPEC" --device rtl8139 --fallback "$BUILD/drivers/rtl8139.sys" >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 1 ] && [ "$(grep -c . "$tmp/out")" -eq 1 ] && grep -q -- "--inf" "$tmp/out"; then
    ok "--fallback without --inf: exit 1, one line"
else
    ko "--fallback without --inf: exit $rc"; sed 's/^/   | /' "$tmp/out"
fi

# The hand-over during traffic.
sed 's|^on send running -> running$|on send running -> running when len < 200|' "$SPEC" >"$tmp/small.xsm"
handed_over() {
    local name=$1 out=$2
    if grep -q "^replay: fallback: send in state running: no transition serves send in this state$" "$out" &&
        grep -q "handing the device over to $BUILD/drivers/rtl8139.sys" "$out" &&
        grep -q "adapter up" "$out" &&
        grep -q "the frame the spec did not send ([0-9]* bytes) given to the driver$" "$out" &&
        grep -q "^xdrv: replay ended, the device handed over: .*fallbacks: 1$" "$out" &&
        grep -q "fallback driver's process exited with status 0" "$out"; then
        ok "$name: the log names the hand-over and its reason: $(grep '^replay: fallback' "$out")"
    else
        ko "$name: hand-over log"; sed 's/^/   | /' "$out" | tail -30
    fi
}
if cmp -s "$tmp/small.xsm" "$SPEC"; then
    ko "fallback: the edit changed nothing"
else
    SERVE_UP_HOOK=replay_no_unicorn SERVE_END_HOOK=handed_over \
        serve_test rtl8139-fallback "$MAC" "replay up, mac $MAC" run_halted "" \
        "$XDRV" replay "$tmp/small.xsm" --device "rtl8139,mac=$MAC" \
        --fallback "$BUILD/drivers/rtl8139.sys" --inf drivers/rtl8139/rtl8139.inf
fi

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
