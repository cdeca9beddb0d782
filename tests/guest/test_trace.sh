#!/bin/bash
# Recordings of the project's NIC drivers (issue 9's acceptance): for each,
# `xdrv trace record` with the standard workload; its dump has every request
# kind bracketed and the driver<->hardware events a chip of its kind makes;
# the Chrome export is valid JSON with balanced slices per track and the
# interrupt line as a counter; coverage ends with its one-line figure; two
# recordings are byte-identical; the dump parses back (--verify); a trace
# cut short reads as its prefix with a warning; malformed input and bad
# arguments get one-line errors and honest exit codes.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
B=${BUILD:-build}
pass=0 fail=0 skip=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() {
    fail=$((fail + 1)); echo "FAIL $1"
    [ -n "${2:-}" ] && [ -f "$2" ] && head -c 3000 "$2" | sed 's/^/   | /'
}

# the JSON checks: parse, then per track every B has its E in order,
# timestamps never go back on a track, the irq counter and track names exist
chrome_check() {
    python3 - "$1" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
evs = doc["traceEvents"]
stacks, last, names, counters, slices = {}, {}, set(), 0, 0
for e in evs:
    ph = e["ph"]
    if ph == "M":
        if "name" in e.get("args", {}): names.add(e["args"]["name"])
        continue
    key = (e.get("pid", 0), e.get("tid", 0))
    ts = float(e["ts"])
    if key in last and ts < last[key] and ph in "BE":
        sys.exit("timestamps go back on track %r" % (key,))
    last[key] = ts
    if ph == "B":
        stacks.setdefault(key, []).append(e["name"]); slices += 1
    elif ph == "E":
        if not stacks.get(key):
            sys.exit("E without B on track %r" % (key,))
        stacks[key].pop()
    elif ph == "C":
        counters += 1
for k, v in stacks.items():
    if v:
        sys.exit("unclosed slices %r on track %r" % (v, k))
if counters == 0:
    sys.exit("no counter events (the interrupt line)")
if slices == 0:
    sys.exit("no slices")
if "requests" not in names:
    sys.exit("no requests track among %r" % sorted(names))
print("chrome: %d events, %d slices, %d counter samples, %d named tracks"
      % (len(evs), slices, counters, len(names)))
EOF
}

record() { # record NAME SYS INF DEVICE OUT [extra args]
    local name=$1 sys=$2 inf=$3 dev=$4 out=$5; shift 5
    timeout 300 "$XDRV" trace record "$sys" --inf "$inf" --device "$dev" -o "$out" "$@" \
        >"$dir/$name.out" 2>"$dir/$name.err"
}

for nic in "rtl8139 drivers/rtl8139/rtl8139.inf rtl8139 dma" \
           "ne2000 drivers/ne2000/ne2000.inf ne2000 pio" \
           "ne2000 drivers/ne2000/ne2000.inf ne2000-isa pio" \
           "pcnet drivers/pcnet/pcnet.inf pcnet dma" \
           "e1000 drivers/e1000/e1000.inf e1000 dma"; do
    set -- $nic
    drv=$1 inf=$2 dev=$3 kind=$4
    sys=$B/drivers/$drv.sys
    if [ ! -f "$sys" ]; then
        skip=$((skip + 1)); echo "SKIP $dev: $sys not built"; continue
    fi
    t=$dir/$dev.xtr
    if record "$dev" "$sys" "$inf" "$dev" "$t" --pcap "$dir/$dev.pcap" && [ -s "$t" ] &&
        grep -q "^xdrv: trace .*: [0-9]* events" "$dir/$dev.out" &&
        ! grep -q Sanitizer "$dir/$dev.err"; then
        ok "$dev: standard workload recorded ($(stat -c %s "$t") bytes, $(grep -o '[0-9]* events' "$dir/$dev.out"))"
    else
        bad "$dev: record exit $?" "$dir/$dev.err"; continue
    fi
    # the cable's frames went to the pcap beside the trace
    if [ "$(stat -c %s "$dir/$dev.pcap" 2>/dev/null || echo 0)" -gt 1000 ]; then
        ok "$dev: --pcap beside the trace"
    else
        bad "$dev: --pcap empty"
    fi
    if "$XDRV" trace dump "$t" >"$dir/$dev.dump" 2>"$dir/$dev.dumperr" &&
        [ ! -s "$dir/$dev.dumperr" ]; then
        ok "$dev: dump ($(wc -l <"$dir/$dev.dump") lines)"
    else
        bad "$dev: dump" "$dir/$dev.dumperr"; continue
    fi
    D=$dir/$dev.dump
    missing=""
    for k in load init send receive filter multicast query set link reset halt reinit inject \
             wait unload; do
        grep -Eq " REQUEST_BEGIN .*name=\"?$k\"?( |$)" "$D" || missing="$missing $k"
    done
    [ -z "$missing" ] && ok "$dev: every request kind bracketed" ||
        bad "$dev: requests never bracketed:$missing"
    missing=""
    for pat in ' GUEST_CALL ' ' API_CALL ' ' IRQ_RAISE ' ' IRQ_LOWER ' ' INTERRUPT ' \
               ' FRAME_OUT .*name="?wire' ' FRAME_IN .*name="?wire' ' FRAME_OUT .*name="?netdev' \
               ' BLOCKS ' ' MODULE ' ' reg=' ' pc=[a-z0-9_]*\.sys\+0x'; do
        grep -Eq -- "$pat" "$D" || missing="$missing '$pat'"
    done
    if [ "$kind" = dma ]; then
        for pat in ' DMA_READ ' ' DMA_WRITE ' ' MEM_STORE ' ' MEM_REGION ' ' CONFIG_READ '; do
            grep -q -- "$pat" "$D" || missing="$missing '$pat'"
        done
    fi
    [ -z "$missing" ] && ok "$dev: driver<->hardware events present" ||
        bad "$dev: no events matching:$missing"
    tail -n 1 "$D" | grep -q ' END ' && ok "$dev: ends with the END record" ||
        bad "$dev: last line is not END: $(tail -n 1 "$D")"
    if "$XDRV" trace dump --verify "$t" >/dev/null 2>"$dir/verify.err"; then
        ok "$dev: every dump line parses back to its event"
    else
        bad "$dev: dump --verify" "$dir/verify.err"
    fi
    if "$XDRV" trace export --format chrome "$t" -o "$dir/$dev.json" 2>"$dir/exp.err" &&
        chrome_check "$dir/$dev.json" >"$dir/chk.out" 2>&1; then
        ok "$dev: Chrome export ($(cat "$dir/chk.out"))"
    else
        bad "$dev: Chrome export" "$dir/chk.out"
    fi
    if "$XDRV" trace coverage "$t" >"$dir/cov.out" 2>"$dir/cov.err" &&
        tail -n 1 "$dir/cov.out" | grep -Eq '^coverage: [0-9]+\.[0-9]% of [0-9]+ basic blocks$'; then
        ok "$dev: $(tail -n 1 "$dir/cov.out") (standard workload)"
    else
        bad "$dev: coverage" "$dir/cov.err"
    fi
    # determinism: a second recording of the same inputs, byte for byte
    if record "$dev-2" "$sys" "$inf" "$dev" "$dir/$dev-2.xtr" && cmp -s "$t" "$dir/$dev-2.xtr"; then
        ok "$dev: two recordings are byte-identical"
    else
        bad "$dev: recordings differ: $(cmp "$t" "$dir/$dev-2.xtr" 2>&1 | head -1)"
    fi
done

# a trace cut short (a run killed half-way) reads as its prefix, with a warning
t=$dir/rtl8139.xtr
if [ -f "$t" ]; then
    head -c $(($(stat -c %s "$t") / 2)) "$t" >"$dir/cut.xtr"
    if "$XDRV" trace dump "$dir/cut.xtr" >"$dir/cut.dump" 2>"$dir/cut.err" &&
        grep -q "cut short" "$dir/cut.err" && [ "$(wc -l <"$dir/cut.err")" -eq 1 ] &&
        [ "$(wc -l <"$dir/cut.dump")" -gt 100 ] &&
        cmp -s "$dir/cut.dump" <(head -n "$(wc -l <"$dir/cut.dump")" "$dir/rtl8139.dump"); then
        ok "cut trace: $(wc -l <"$dir/cut.dump") events read, one warning line"
    else
        bad "cut trace" "$dir/cut.err"
    fi
    # an unknown format version: refused in one line
    { head -c 8 "$t"; printf '\x63\x00'; tail -c +11 "$t"; } >"$dir/ver.xtr"
    "$XDRV" trace dump "$dir/ver.xtr" >/dev/null 2>"$dir/ver.err"; rc=$?
    if [ $rc -eq 2 ] && [ "$(wc -l <"$dir/ver.err")" -eq 1 ] && grep -q "version" "$dir/ver.err"; then
        ok "unknown version refused: $(cat "$dir/ver.err")"
    else
        bad "unknown version: exit $rc" "$dir/ver.err"
    fi
fi

# bad input and arguments: one line each, non-zero
check_err() { # NAME WANT_RC CMD...
    local name=$1 want=$2; shift 2
    "$@" >/dev/null 2>"$dir/e.err"; local rc=$?
    if [ $rc -eq "$want" ] && [ "$(wc -l <"$dir/e.err")" -eq 1 ] && ! grep -q Sanitizer "$dir/e.err"; then
        ok "$name: exit $rc: $(cat "$dir/e.err")"
    else
        bad "$name: exit $rc (want $want)" "$dir/e.err"
    fi
}
printf 'init\nsend len=9000\n' >"$dir/bad.workload"
sys=$B/drivers/rtl8139.sys
check_err "malformed workload" 2 "$XDRV" trace record "$sys" --device rtl8139 --workload "$dir/bad.workload" -o "$dir/x.xtr"
check_err "missing workload" 2 "$XDRV" trace record "$sys" --device rtl8139 --workload "$dir/none" -o "$dir/x.xtr"
check_err "no -o" 1 "$XDRV" trace record "$sys" --device rtl8139
check_err "record with --netdev" 1 "$XDRV" trace record "$sys" --device rtl8139 --netdev tap,ifname=x -o "$dir/x.xtr"
check_err "not a trace" 2 "$XDRV" trace dump "$sys"
check_err "missing trace" 2 "$XDRV" trace dump "$dir/none.xtr"
check_err "unknown kind" 1 "$XDRV" trace dump --kind NOPE "$dir/rtl8139.xtr"
check_err "unknown export format" 1 "$XDRV" trace export --format svg "$dir/rtl8139.xtr"
check_err "unknown trace subcommand" 1 "$XDRV" trace frobnicate
check_err "coverage of a non-trace" 2 "$XDRV" trace coverage "$sys"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
