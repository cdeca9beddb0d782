#!/bin/bash
# bench/netpath: frames/s and Mbit/s for 64- and 1514-byte frames and the
# round-trip latency through a hosted NIC driver, side by side in the same
# run with a plain TAP-to-TAP forwarder (the physical limit of this path on
# this machine), plus the ratios and xdrv's peak RSS.
#
# Topology for each path (namespaces created and deleted here; addresses
# from 192.0.2.0/24, which exists only inside them):
#   ns A: interface nA (xdrv's netdev TAP, or one end of the forwarder)
#   ns B: interface nB (the model's wire TAP, or the forwarder's other end)
#
# Each measurement offers frames for SECONDS (default 2) as fast as the
# sender's TAP queue takes them; the receiver counts what arrives and the
# rate is over its window: the forwarding rate of the path under overload.
#
# usage: bench/netpath.sh [BUILD] [SECONDS]    (root and /dev/net/tun needed)
set -u
cd "$(dirname "$0")/.." || exit 1
B=${1:-build}
SECS=${2:-2}
XDRV=$B/xdrv
PKTGEN=$B/bench/pktgen
TAPFWD=$B/bench/tapfwd
if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
    echo "netpath: needs root and /dev/net/tun (network namespaces and TAP devices)"
    exit 0
fi
A="nbA$$" NB="nbB$$"
tmp=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    ip netns del "$A" 2>/dev/null
    ip netns del "$NB" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

# start_path NAME: brings up one path; sets pid
start_path() {
    local name=$1
    ip netns add "$A"; ip netns add "$NB"
    ip -n "$A" link set lo up; ip -n "$NB" link set lo up
    case $name in
    tapfwd)
        ip netns exec "$A" "$TAPFWD" nA nB >"$tmp/$name.log" 2>&1 &
        pid=$!
        sleep 0.3 ;;
    *)
        local sys=$B/drivers/$name.sys inf=drivers/$name/$name.inf dev=$name
        ip netns exec "$A" "$XDRV" run "$sys" --inf "$inf" --device "$dev,mac=02:00:5e:00:00:01" \
            --netdev tap,ifname=nA --wire tap,ifname=nB >"$tmp/$name.log" 2>&1 &
        pid=$!
        for _ in $(seq 1 100); do grep -q "adapter up" "$tmp/$name.log" && break; sleep 0.1; done ;;
    esac
    ip -n "$A" link set nB netns "$NB"
    ip -n "$A" addr add 192.0.2.1/24 dev nA; ip -n "$A" link set nA up
    ip -n "$NB" addr add 192.0.2.2/24 dev nB; ip -n "$NB" link set nB up
    for _ in $(seq 1 50); do ip -n "$A" link show nA | grep -q LOWER_UP && break; sleep 0.1; done
    sleep 0.5
}

stop_path() {
    local name=$1
    local rss
    rss=$(grep VmHWM "/proc/$pid/status" 2>/dev/null | awk '{print $2}')
    kill "$pid"; wait "$pid" 2>/dev/null; pid=""
    ip netns del "$A"; ip netns del "$NB"
    echo "${rss:-0}"
}

# measure SIZE DIRECTION(ab|ba): prints frames/s and Mbit/s as received
measure() {
    local size=$1 dir=$2 src=$A dst=$NB sif=nA dif=nB
    [ "$dir" = ba ] && { src=$NB; dst=$A; sif=nB; dif=nA; }
    local dmac
    dmac=$(ip -n "$dst" link show "$dif" | awk '/link\/ether/ {print $2}')
    ip netns exec "$dst" "$PKTGEN" recv "$dif" "$size" 1 >"$tmp/recv" 2>&1 &
    local rp=$!
    sleep 0.2
    ip netns exec "$src" "$PKTGEN" send "$sif" "$dmac" "$size" "$SECS" >"$tmp/sent" 2>&1
    wait $rp
    local sent
    sent=$(awk '/^sent/ {print $2}' "$tmp/sent")
    awk -v sent="$sent" '/received/ {print $2 "/" sent, $(NF-3), $(NF-1)}' "$tmp/recv"
}

latency() {
    ip netns exec "$A" ping -c 200 -i 0.005 -q 192.0.2.2 2>/dev/null | awk -F'/' '/rtt/ {print $5}'
}

declare -A R
PATHS="tapfwd rtl8139 ne2000 pcnet e1000"
for path in $PATHS; do
    [ "$path" != tapfwd ] && [ ! -f "$B/drivers/$path.sys" ] && continue
    start_path "$path"
    for size in 64 1514; do
        for dir in ab ba; do
            read -r n fps mbit <<<"$(measure $size $dir)"
            R[$path,$size,$dir]="$fps $mbit $n"
        done
    done
    R[$path,lat]=$(latency)
    R[$path,rss]=$(stop_path "$path")
    [ "$path" != tapfwd ] && grep -E "^xdrv: (stopping|guest work)" "$tmp/$path.log" | sed "s/^xdrv:/$path:/"
done

printf '\n%-10s %-6s %-34s %-34s\n' path size "A->B frames/s (Mbit/s, rcvd/sent)" "B->A frames/s (Mbit/s, rcvd/sent)"
for path in $PATHS; do
    [ -z "${R[$path,lat]+x}" ] && continue
    for size in 64 1514; do
        read -r f1 m1 n1 <<<"${R[$path,$size,ab]}"
        read -r f2 m2 n2 <<<"${R[$path,$size,ba]}"
        printf '%-10s %-6s %-34s %-34s\n' "$path" "$size" "$f1 ($m1, $n1)" "$f2 ($m2, $n2)"
    done
    printf '%-10s round-trip latency avg %s ms, peak RSS %s KiB\n' "$path" "${R[$path,lat]}" "${R[$path,rss]}"
done
echo
for path in $PATHS; do
    [ "$path" = tapfwd ] && continue
    [ -z "${R[$path,lat]+x}" ] && continue
    for size in 64 1514; do
        for dir in ab ba; do
            read -r f _ _ <<<"${R[$path,$size,$dir]}"
            read -r b _ _ <<<"${R[tapfwd,$size,$dir]}"
            awk -v p="$path" -v s="$size" -v d="$dir" -v f="$f" -v b="$b" \
                'BEGIN {printf "ratio %s/tapfwd %s bytes %s: %.3f\n", p, s, d, (b > 0 ? f / b : 0)}'
        done
    done
done
