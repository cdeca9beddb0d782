#!/bin/sh
# Runs every benchmark under bench/ (figures go to stdout; record them in
# docs/performance.md with this command).
set -e
B=${1:-build}
echo "== $B/bench/vmbench"
"$B/bench/vmbench"
echo "== $B/bench/tracebench"
BUILD="$B" "$B/bench/tracebench"
echo "== $B/bench/diffbench"
"$B/bench/diffbench" -x "$B/xdrv"
echo "== bench/netpath.sh $B"
./bench/netpath.sh "$B"
echo "== bench/restart.sh $B"
./bench/restart.sh "$B"
