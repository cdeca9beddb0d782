#!/bin/bash
# Runs every test suite: cmocka unit and device tests (ASan+UBSan build),
# guest tests (drivers under xdrv), the PE/INF fuzz runs. Each suite's
# counts are added up into one closing line "N passed, N failed, N skipped".
# Environment (set by `make check`): XDRV, BUILD, ASAN_BUILD, UNIT_BIN, FUZZ_BIN.
set -u
cd "$(dirname "$0")/.."
export XDRV=${XDRV:-build/asan/xdrv}
export BUILD=${BUILD:-build}
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

passed=0 failed=0 skipped=0 failed_suites=""
log_dir=$BUILD/test-logs
mkdir -p "$log_dir"

# count_suite NAME LOGFILE RC: add the suite's own counts (cmocka lines or a
# closing "N passed, N failed" line); a non-zero exit with no failure
# counted is one failure.
count_suite() {
    local name=$1 log=$2 rc=$3 p=0 f=0 s=0 line
    if grep -q '^\[  PASSED  \]\|^\[  FAILED  \] [0-9]' "$log"; then
        p=$(grep -o '^\[  PASSED  \] [0-9]*' "$log" | awk '{s+=$4} END {print s+0}')
        f=$(grep -o '^\[  FAILED  \] [0-9]* test' "$log" | awk '{s+=$4} END {print s+0}')
        s=$(grep -o '^\[  SKIPPED \] [0-9]* test' "$log" | awk '{s+=$4} END {print s+0}')
    elif line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1) && [ -n "$line" ]; then
        p=$(echo "$line" | sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/')
        f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
        case "$line" in *" skipped"*) s=$(echo "$line" | sed -E 's/.* ([0-9]+) skipped.*/\1/') ;; esac
    fi
    skipped=$((skipped + s))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        failed_suites="$failed_suites $name"
        echo "== $name: FAILED (exit $rc, $p passed, $f failed); log: $log"
        tail -n 40 "$log" | sed 's/^/   | /'
    else
        if [ "$s" -ne 0 ]; then echo "== $name: ok ($p passed, $s skipped)"; else echo "== $name: ok ($p passed)"; fi
    fi
}

run_suite() {
    local name=$1; shift
    local log="$log_dir/$(echo "$name" | tr '/ ' '__').log"
    "$@" >"$log" 2>&1
    count_suite "$name" "$log" $?
}

for t in ${UNIT_BIN:-}; do
    run_suite "unit/$(basename "$t")" "$t"
done
for t in tests/guest/test_*.sh; do
    [ -e "$t" ] || continue
    run_suite "guest/$(basename "$t" .sh)" bash "$t"
done
if [ -n "${FUZZ_BIN:-}" ] && [ -x tests/fuzz/run.sh ]; then
    run_suite "fuzz" tests/fuzz/run.sh ${FUZZ_BIN}
fi

echo
if [ -n "$failed_suites" ]; then
    echo "failed suites:$failed_suites"
fi
if [ "$skipped" -ne 0 ]; then
    echo "$skipped test(s) skipped; the logs' SKIP lines say why"
    if [ "$(id -u)" != 0 ] || [ ! -c /dev/net/tun ]; then
        echo "note: not root or no /dev/net/tun: every network-namespace test was skipped"
    fi
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
