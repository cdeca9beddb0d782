#!/bin/sh
# Runs the libFuzzer targets: for each, replay its checked-in corpus
# (tests/fuzz/corpus/<pe|inf>/), then fuzz for FUZZ_SECONDS (default 20).
# Prints one line per fuzzer, e.g. "fuzz_pe: PASS (corpus 12 files, 20 s)",
# then "fuzz: N passed, N failed" (the line tests/run-all.sh adds up), and
# exits non-zero if any crashed, leaked, timed out or hit a sanitizer.
# Inputs found while fuzzing go to a scratch directory, not the corpus;
# a crashing input is kept in <bindir>/artifacts/<fuzzer>/ (add it to the
# corpus as crash-<what> once fixed, as a regression seed).
# Usage: tests/fuzz/run.sh [fuzzer binary ...]  (default: $FUZZ_BIN, or
# build/fuzz/fuzz_pe build/fuzz/fuzz_inf); FUZZ_JOBS at a time (default:
# the number of CPUs)
set -u
here=$(cd "$(dirname "$0")" && pwd)
secs=${FUZZ_SECONDS:-20}
bins="$*"
[ -n "$bins" ] || bins=${FUZZ_BIN:-"build/fuzz/fuzz_pe build/fuzz/fuzz_inf"}
# one fuzzer: its line into $2 (the fuzzers run FUZZ_JOBS at a time,
# default the number of CPUs: each is single-threaded)
run_one() {
    bin=$1
    out=$2
    name=$(basename "$bin")
    corpus="$here/corpus/${name#fuzz_}"
    dir=$(dirname "$bin")
    art="$dir/artifacts/$name"
    log="$dir/$name.log"
    if [ ! -x "$bin" ] || [ ! -d "$corpus" ]; then
        echo "$name: FAIL (missing $bin or $corpus)" >"$out"
        return
    fi
    n=$(find "$corpus" -type f | wc -l | tr -d ' ')
    mkdir -p "$art"
    if ! "$bin" -runs=0 -timeout=10 -artifact_prefix="$art/" "$corpus" >"$log" 2>&1; then
        echo "$name: FAIL (corpus replay, see $log)" >"$out"
        return
    fi
    work=$(mktemp -d)
    if "$bin" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$art/" "$work" "$corpus" >>"$log" 2>&1; then
        echo "$name: PASS (corpus $n files, $secs s)" >"$out"
    else
        echo "$name: FAIL (after fuzzing; input in $art/, log $log)" >"$out"
    fi
    rm -rf "$work"
}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
res=$(mktemp -d)
i=0
running=0
for bin in $bins; do
    i=$((i + 1))
    run_one "$bin" "$res/$i" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait
passed=0
failed=0
k=0
while [ "$k" -lt "$i" ]; do
    k=$((k + 1))
    line=$(cat "$res/$k" 2>/dev/null || echo "fuzzer $k: FAIL (no result)")
    echo "$line"
    case $line in
    *": PASS "*) passed=$((passed + 1)) ;;
    *) failed=$((failed + 1)) ;;
    esac
done
rm -rf "$res"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
