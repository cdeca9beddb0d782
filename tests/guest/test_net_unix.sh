#!/bin/bash
# Frames through each hosted NIC driver without root: xdrv's netdev and the
# model's cable are unix SOCK_SEQPACKET sockets (docs/host.md) with a peer
# process on each; a frame sent on one side must arrive byte for byte on
# the other, both ways, for small and full-size frames.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
B=${BUILD:-build}
PEER=$B/tools/wirepeer
pass=0 fail=0
dir=$(mktemp -d); pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$dir"' EXIT

hexframe() { # DST SRC-suffix LEN
    local dst=$1 len=$3 body
    body=$(head -c $((len - 14)) /dev/urandom | od -An -v -tx1 | tr -d ' \n')
    printf '%s02000000%s88b5%s' "$dst" "$2" "$body"
}

# one_way NAME FROM-SOCK TO-SOCK FRAME
one_way() {
    local name=$1 from=$2 to=$3 frame=$4
    "$PEER" recv "$to" 1 3000 >"$dir/got" &
    local rp=$!
    sleep 0.2
    "$PEER" send "$from" "$frame"
    wait $rp
    if [ "$(cat "$dir/got")" = "$frame" ]; then
        pass=$((pass + 1)); echo "PASS $name"
    else
        fail=$((fail + 1)); echo "FAIL $name: got '$(head -c 80 "$dir/got")'"
    fi
}

nic() {
    local name=$1 sys=$2 inf=$3 dev=$4 mac=$5
    rm -f "$dir"/*.sock
    "$XDRV" run "$sys" --inf "$inf" --device "$dev,mac=$mac" \
        --netdev "unix,path=$dir/nd.sock,listen" --wire "unix,path=$dir/wire.sock,listen" >"$dir/log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do grep -q "adapter up" "$dir/log" && break; sleep 0.05; done
    local m=${mac//:/}
    one_way "$name: 60-byte frame host->cable" "$dir/nd.sock" "$dir/wire.sock" "$(hexframe ffffffffffff 0001 60)"
    one_way "$name: 1514-byte frame host->cable" "$dir/nd.sock" "$dir/wire.sock" "$(hexframe 020000000002 0001 1514)"
    one_way "$name: 60-byte frame cable->host" "$dir/wire.sock" "$dir/nd.sock" "$(hexframe "$m" 0002 60)"
    one_way "$name: 1514-byte frame cable->host" "$dir/wire.sock" "$dir/nd.sock" "$(hexframe "$m" 0002 1514)"
    one_way "$name: broadcast cable->host" "$dir/wire.sock" "$dir/nd.sock" "$(hexframe ffffffffffff 0002 300)"
    kill -TERM $pid; wait $pid; local rc=$?; pid=""
    if [ $rc -eq 0 ] && grep -q "adapter halted" "$dir/log" && grep -q "no pool leaks" "$dir/log"; then
        pass=$((pass + 1)); echo "PASS $name: clean halt"
    else
        fail=$((fail + 1)); echo "FAIL $name: exit $rc"; tail -5 "$dir/log" | sed 's/^/   | /'
    fi
}

nic rtl8139 "$B/drivers/rtl8139.sys" drivers/rtl8139/rtl8139.inf rtl8139 02:00:5e:81:39:02
nic ne2000 "$B/drivers/ne2000.sys" drivers/ne2000/ne2000.inf ne2000 02:00:5e:80:29:02
nic ne2000-isa "$B/drivers/ne2000.sys" drivers/ne2000/ne2000.inf ne2000-isa 02:00:5e:00:03:02
nic pcnet "$B/drivers/pcnet.sys" drivers/pcnet/pcnet.inf pcnet 02:00:5e:97:0a:02
nic e1000 "$B/drivers/e1000.sys" drivers/e1000/e1000.inf e1000 02:00:5e:10:00:02
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
