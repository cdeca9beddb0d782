#!/bin/sh
# Regenerates the seed corpus of the trace-file fuzzer, tests/fuzz/corpus/trace/:
# trace files written by the unit test's generator (tests/unit/test_trace_file.c,
# XDRV_TRACE_CORPUS): the golden trace, cut mid-record, without its END record,
# an empty one, a repetitive one (string references), a refused version and an
# unknown kind; plus two dump lines (the fuzzer also parses input starting
# with '#'). The seeds are checked in; run this only to change them. Files
# named crash-* are regression inputs found by fuzzing: kept.
# Usage: tests/fuzz/make-trace-corpus.sh [build dir, default build-trace]
set -eu
cd "$(dirname "$0")/../.."
B=${1:-build-trace}
OUT=tests/fuzz/corpus/trace
make -s B="$B" BA="$B/asan" "$B/asan/tests/unit/test_trace_file"
mkdir -p "$OUT"
XDRV_TRACE_CORPUS="$OUT" "$B/asan/tests/unit/test_trace_file" >/dev/null
sed -n '10p' tests/golden/trace/small.dump > "$OUT/line-port.dump"
sed -n '25p' tests/golden/trace/small.dump > "$OUT/line-escapes.dump"
echo "corpus: $(ls "$OUT" | wc -l) trace seeds"
