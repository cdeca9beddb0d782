#!/bin/bash
# xdrv diff and xdrv analyze on recordings of the project's NIC drivers
# (issue 10): a trace against itself is the same (exit 0, no output); two
# workloads that differ only in a send's length differ exactly where the
# length goes; --stat/--json/--request; `analyze` reports byte-identical to
# the checked-in goldens (tests/golden/analyze, XDRV_REGEN_GOLDEN=1 rewrites
# them); the score against each model's datasheet table holds its floor;
# bad arguments and bad input get one-line errors and honest exit codes.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
B=${BUILD:-build}
G=tests/golden/analyze
pass=0 fail=0 skip=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() {
    fail=$((fail + 1)); echo "FAIL $1"
    [ -n "${2:-}" ] && [ -f "$2" ] && head -c 3000 "$2" | sed 's/^/   | /'
}

printf 'xdrv-workload 1\ninit\nsend len=100\nhalt\n' >"$dir/a.wl"
printf 'xdrv-workload 1\ninit\nsend len=200\nhalt\n' >"$dir/b.wl"
for w in a b; do
    "$XDRV" trace record "$B/drivers/rtl8139.sys" --inf drivers/rtl8139/rtl8139.inf \
        --workload "$dir/$w.wl" -o "$dir/$w.xtr" 2>"$dir/rec.err" || bad "record $w" "$dir/rec.err"
done

# the same trace: exit 0, nothing printed
"$XDRV" diff "$dir/a.xtr" "$dir/a.xtr" >"$dir/same.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$dir/same.out" ]; then ok "diff of a trace with itself: exit 0, empty"; else bad "diff same: exit $rc" "$dir/same.out"; fi

# one send's length: the transmit status register's value changes by the
# length (0x64 = 100, 0xc8 = 200), addresses in device memory do not show
"$XDRV" diff "$dir/a.xtr" "$dir/b.xtr" >"$dir/ab.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q '^-.*PORT_WRITE addr=0xc310 size=4 value=0x80064 reg=TSD0' "$dir/ab.out" &&
    grep -q '^+.*PORT_WRITE addr=0xc310 size=4 value=0x800c8 reg=TSD0' "$dir/ab.out" &&
    grep -q '^@@ .* request 3 send' "$dir/ab.out" && grep -q 'addr=shared+0x0' "$dir/ab.out" &&
    ! grep -q '^[-+].* t=' "$dir/ab.out"; then
    ok "diff of two send lengths: exit 1, TSD0 0x80064 -> 0x800c8 in request 3, addresses as shared+0x0"
else
    bad "diff a b: exit $rc" "$dir/ab.out"
fi
"$XDRV" diff --stat "$dir/a.xtr" "$dir/b.xtr" >"$dir/stat.out"
if grep -q '^  PORT_WRITE *-1 *+1$' "$dir/stat.out" && grep -q '^  send .* in 1 request$' "$dir/stat.out"; then
    ok "diff --stat counts by kind and request kind"
else
    bad "diff --stat" "$dir/stat.out"
fi
"$XDRV" diff --json "$dir/a.xtr" "$dir/b.xtr" >"$dir/ab.json"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["same"] is False and d["hunks"] and all(l["op"] in " -+" for h in d["hunks"] for l in h["lines"])' "$dir/ab.json" 2>"$dir/json.err"; then
    ok "diff --json parses and has hunks"
else
    bad "diff --json" "$dir/json.err"
fi
"$XDRV" diff --request 2 "$dir/a.xtr" "$dir/b.xtr" >"$dir/r2.out"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$dir/r2.out" ]; then ok "diff --request 2 (init): the same"; else bad "diff --request 2: exit $rc" "$dir/r2.out"; fi
"$XDRV" trace dump --normalized "$dir/a.xtr" >"$dir/a.norm"
"$XDRV" trace dump --normalized "$dir/b.xtr" >"$dir/b.norm"
if diff "$dir/a.norm" "$dir/b.norm" >"$dir/gnu.out"; then
    bad "GNU diff of the normalized lines found no change"
elif [ "$(grep -c '^<' "$dir/gnu.out")" -eq "$(grep -c '^-[^-]' "$dir/ab.out")" ]; then
    ok "xdrv diff deletes as many lines as GNU diff of trace dump --normalized"
else
    bad "xdrv diff and GNU diff disagree" "$dir/gnu.out"
fi

# analyze: golden reports from checked-in traces (a port-I/O chip with a
# circular receive buffer; a bus master with descriptor rings)
for g in rtl8139-sends e1000-small; do
    for fmt in md json; do
        opt=; [ $fmt = json ] && opt=--json
        "$XDRV" analyze $opt "$G/$g.xtr" --driver "$B/drivers/${g%%-*}.sys" -o "$dir/$g.$fmt" 2>"$dir/an.err"
        if [ "${XDRV_REGEN_GOLDEN:-0}" = 1 ]; then
            cp "$dir/$g.$fmt" "$G/$g.$fmt"
        fi
        if cmp -s "$dir/$g.$fmt" "$G/$g.$fmt"; then
            ok "analyze $g $fmt report equals the golden file"
        else
            diff "$G/$g.$fmt" "$dir/$g.$fmt" >"$dir/gd.out"
            bad "analyze $g $fmt report differs from $G/$g.$fmt" "$dir/gd.out"
        fi
    done
done
cp "$dir/rtl8139-sends.json" "$dir/report.json"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["registers"] and d["fits"] and d["templates"] and d["interrupt"]["status_register"] >= 0; e=json.load(open(sys.argv[2])); assert len(e["rings"]) == 2 and e["receive"]["kind"] == "descriptor ring"' "$dir/report.json" "$dir/e1000-small.json" 2>"$dir/json.err"; then
    ok "analyze --json parses, with registers, fits, templates, the interrupt, rings"
else
    bad "analyze --json" "$dir/json.err"
fi
"$XDRV" analyze --dot "$G/rtl8139-sends.xtr" >"$dir/r.dot"
if head -1 "$dir/r.dot" | grep -q '^digraph registers {$' && tail -1 "$dir/r.dot" | grep -q '^}$'; then ok "analyze --dot is a digraph"; else bad "analyze --dot" "$dir/r.dot"; fi

# the score against the models' datasheet tables (docs/analyze.md): for
# each model the transmit length, the receive buffer structure and the
# interrupt acknowledge pattern found (and the transmit ring where the chip
# has one), and over the four models
# together at least 90% of the touched registers classified correctly
ok_all=0 tot_all=0
for d in rtl8139 ne2000 pcnet e1000; do
    "$XDRV" trace record "$B/drivers/$d.sys" --inf "drivers/$d/$d.inf" -o "$dir/$d.xtr" 2>/dev/null
    "$XDRV" analyze --score "$dir/$d.xtr" >"$dir/$d.score" 2>&1
    line=$(grep '^registers classified correctly: ' "$dir/$d.score")
    n=$(echo "$line" | sed -n 's/^registers classified correctly: \([0-9]*\) of \([0-9]*\):.*/\1/p')
    t=$(echo "$line" | sed -n 's/^registers classified correctly: \([0-9]*\) of \([0-9]*\):.*/\2/p')
    ring=yes
    case $d in pcnet|e1000) grep -q '^transmit ring found: yes' "$dir/$d.score" || ring=no ;; esac
    if grep -q '^model: '"$d"' ' "$dir/$d.score" && grep -q '^transmit length field found: yes' "$dir/$d.score" &&
        grep -q '^receive buffer structure found: yes' "$dir/$d.score" && [ $ring = yes ] &&
        grep -q '^interrupt acknowledge found: yes' "$dir/$d.score" &&
        [ -n "$n" ] && [ -n "$t" ] && grep -q '^score: [0-9]*%$' "$dir/$d.score"; then
        ok "$d: model recognised; transmit length, receive buffers$( [ $ring = yes ] && case $d in pcnet|e1000) echo ', transmit ring';; esac), interrupt acknowledge found; $n of $t registers classified correctly"
        ok_all=$((ok_all + n)) tot_all=$((tot_all + t))
    else
        bad "$d: score below its floor" "$dir/$d.score"
    fi
done
if [ $tot_all -gt 0 ] && [ $((100 * ok_all)) -ge $((90 * tot_all)) ]; then
    ok "registers classified correctly over the four models: $ok_all of $tot_all (at least 90%)"
else
    bad "registers classified correctly over the four models: $ok_all of $tot_all (below 90%)"
fi

# the reset poll of the RTL8139 (CR.RST, bit 4, until it clears): its
# condition from the values, the reset-hang injection's timeout as seen, and
# the same timeout in the driver's code
"$XDRV" analyze "$dir/rtl8139.xtr" --driver "$B/drivers/rtl8139.sys" >"$dir/r.md" 2>"$dir/r.err"
if grep -q 'reads port 0xc300 +0x37 until (value & 0x10) == 0x0 .*timeout exit seen .*in the code, a [0-9]*-block loop with [2-9] ways out' "$dir/r.md" &&
    grep -q '^- The ISR ([0-9]* calls) reads port 0xc300 +0x3e first' "$dir/r.md"; then
    ok "rtl8139: the reset poll (CR bit 4 until clear) with its timeout, seen and in the code; the ISR reads ISR"
else
    bad "rtl8139: polls or interrupt protocol" "$dir/r.md"
fi
"$XDRV" analyze "$dir/rtl8139.xtr" --driver "$dir/none.sys" >"$dir/r2.md" 2>"$dir/r2.err"
if [ $? -eq 0 ] && grep -q 'warning: .*none.sys.*timeouts only as the traces show' "$dir/r2.err" &&
    grep -q 'timeout exit seen' "$dir/r2.md" && ! grep -q 'in the code' "$dir/r2.md"; then
    ok "analyze without the driver image: a warning, timeouts as seen"
else
    bad "analyze without the driver image" "$dir/r2.err"
fi

check_err() {
    local name=$1 want=$2; shift 2
    "$@" >"$dir/e.out" 2>"$dir/e.err"
    local rc=$?
    if [ $rc -eq "$want" ] && [ "$(wc -l <"$dir/e.err")" -eq 1 ] && ! grep -q Sanitizer "$dir/e.err"; then
        ok "$name: exit $rc: $(cat "$dir/e.err")"
    else
        bad "$name: exit $rc (want $want)" "$dir/e.err"
    fi
}
check_err "diff of a non-trace" 2 "$XDRV" diff "$B/drivers/rtl8139.sys" "$dir/a.xtr"
check_err "diff of a missing trace" 2 "$XDRV" diff "$dir/none.xtr" "$dir/a.xtr"
check_err "diff --stat --json" 2 "$XDRV" diff --stat --json "$dir/a.xtr" "$dir/b.xtr"
check_err "diff -U nonsense" 2 "$XDRV" diff -U lots "$dir/a.xtr" "$dir/b.xtr"
check_err "diff --request of neither" 2 "$XDRV" diff --request 99 "$dir/a.xtr" "$dir/b.xtr"
check_err "diff with three traces" 2 "$XDRV" diff "$dir/a.xtr" "$dir/b.xtr" "$dir/a.xtr"
check_err "analyze of a non-trace" 2 "$XDRV" analyze "$B/drivers/rtl8139.sys"
check_err "analyze --json --dot" 1 "$XDRV" analyze --json --dot "$dir/a.xtr"
check_err "analyze unknown option" 1 "$XDRV" analyze --frobnicate "$dir/a.xtr"
head -c 3000 "$dir/a.xtr" >"$dir/cut.xtr"
"$XDRV" analyze "$dir/cut.xtr" >/dev/null 2>"$dir/cut.err"
rc=$?
if [ $rc -eq 0 ] && grep -q 'cut short' "$dir/cut.err"; then ok "analyze of a trace cut short: a warning, exit 0"; else bad "analyze cut: exit $rc" "$dir/cut.err"; fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
