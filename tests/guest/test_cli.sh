#!/bin/bash
# The xdrv command itself: --help for each subcommand, info on a bundled
# driver (text and JSON), the request interface of `xdrv run` end to end,
# and one-line errors with the documented exit status for nonsense input.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
B=${BUILD:-build}
pass=0 fail=0
out=$(mktemp); bad=$(mktemp); trap 'rm -f "$out" "$bad"' EXIT
check() { if eval "$2"; then pass=$((pass+1)); echo "PASS $1"; else fail=$((fail+1)); echo "FAIL $1"; sed 's/^/   | /' "$out" | tail -8; fi; }

for c in "" info run exports replay; do
    $XDRV $c --help >"$out" 2>&1; rc=$?
    check "xdrv $c --help" '[ $rc -eq 0 ] && grep -q "usage: xdrv" "$out"'
done
# the translator xdrv runs on: Unicorn 2.1 or newer (scripts/deps.sh, docs/vm.md)
$XDRV --version >"$out" 2>&1; rc=$?
check "xdrv --version names xdrv and Unicorn 2.1 or newer" '[ $rc -eq 0 ] && grep -q "^xdrv [0-9]" "$out" &&
    grep -Eq "^Unicorn (2\.([1-9]|[1-9][0-9])|[3-9])\.[0-9]+" "$out"'
$XDRV info --version >"$out" 2>&1; rc=$?
check "xdrv info --version: the same" '[ $rc -eq 0 ] && grep -q "^xdrv [0-9]" "$out" && grep -q "^Unicorn " "$out"'
$XDRV --help >"$out" 2>&1
check "xdrv --help lists --version" 'grep -q -- "--version" "$out"'
check "xdrv --help lists every subcommand's options" 'grep -q -- "--netdev" "$out" && grep -q -- "--boards" "$out" && grep -q -- "--compact" "$out" && grep -q -- "--budget" "$out"'
$XDRV info "$B/drivers/ktest.sys" >"$out" 2>&1; rc=$?
check "info text" '[ $rc -eq 0 ] && grep -q "^imports implemented: [0-9]* of [0-9]*$" "$out" && grep -q "(native)" "$out"'
$XDRV info --json "$B/drivers/rtl8139.sys" >"$out" 2>&1; rc=$?
check "info --json is JSON" '[ $rc -eq 0 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"imports_total\"] == d[\"imports_implemented\"] > 0" "$out"'
$XDRV run "$B/drivers/ktest.sys" --request 'open \DosDevices\KTest' --request 'write 1 "hello"' \
    --request 'ioctl 1 0x222000 01020304 4' --request 'close 1' >"$out" 2>&1; rc=$?
check "run: requests served" '[ $rc -eq 0 ] && grep -q "request: write: status 0x00000000 (STATUS_SUCCESS), information 5" "$out" &&
    grep -q "request: ioctl 0x00222000: status 0x00000000 (STATUS_SUCCESS), information 4, data 01020304" "$out" &&
    grep -q "request: close: status 0x00000000" "$out"'
printf 'open \\DosDevices\\KTest\n# a comment\nioctl 1 0x222000 aabb 2\nclose 1\n' | $XDRV run "$B/drivers/ktest.sys" --requests - >"$out" 2>&1; rc=$?
check "run: requests from stdin" '[ $rc -eq 0 ] && grep -q "information 2, data aabb" "$out"'
$XDRV run -v "$B/drivers/ktest.sys" >"$out" 2>&1; rc=$?
check "run -v logs API calls and driver calls" '[ $rc -eq 0 ] && grep -q -- "-> RtlInitUnicodeString(0x[0-9a-f]*, \"hello\")" "$out" && grep -q "=> driver DriverEntry" "$out"'

trace=$(mktemp)
$XDRV run "$B/drivers/fault_null.sys" --trace "$trace" >"$out" 2>&1; rc=$?
check "--trace writes every event, one line each" '[ $rc -eq 3 ] && grep -q "=> driver DriverEntry" "$trace" &&
    grep -q "DEBUG_PRINT DbgPrint: fault_null" "$trace" && grep -q "FAULT unmapped memory access" "$trace" && ! grep -q "^$" "$trace"'
rm -f "$trace"

# Ctrl-C on a driver stuck in a loop: a report of where it was, not a kill
timeout --preserve-status -s INT 2 $XDRV run "$B/drivers/fault_loop.sys" --budget 100000000000 >"$out" 2>&1; rc=$?
check "SIGINT stops a looping driver with a report" '[ $rc -eq 3 ] && grep -q "^fault: interrupted" "$out" && grep -q "at fault_loop.sys+0x" "$out"'

head -c 300 /dev/urandom >"$bad"
errcase() {
    local name=$1 want=$2; shift 2
    "$XDRV" "$@" >"$out" 2>&1; local rc=$?
    local lines; lines=$(grep -c . "$out")
    check "$name: exit $want, one line" '[ $rc -eq '"$want"' ] && [ $lines -eq 1 ]'
}
errcase "garbage PE" 2 info "$bad"
errcase "missing file" 2 info /nonexistent.sys
errcase "unknown command" 1 frobnicate
errcase "unknown option" 1 run "$B/drivers/ktest.sys" --frob
errcase "bad budget" 1 run "$B/drivers/ktest.sys" --budget -5
errcase "request on no handle" 1 run "$B/drivers/ktest.sys" --no-unload --request 'read 7 4'
errcase "replay: no spec" 1 replay --device rtl8139
errcase "replay: no --device" 1 replay tests/golden/spec/rtl8139.xsm
errcase "replay: unknown option" 1 replay tests/golden/spec/rtl8139.xsm --device rtl8139 --frob
errcase "replay: not a network controller" 1 replay tests/golden/spec/rtl8139.xsm --device testdev
errcase "replay: bad --netdev" 1 replay tests/golden/spec/rtl8139.xsm --device rtl8139 --netdev frob
errcase "replay: missing spec file" 2 replay /nonexistent.xsm --device rtl8139
errcase "replay: garbage spec" 2 replay "$bad" --device rtl8139

# ---- board identities and INF-driven model choice -------------------------
$XDRV info --boards >"$out" 2>&1; rc=$?
check "info --boards: one table row per board" '[ $rc -eq 0 ] && head -1 "$out" | grep -q "^| \`--device\` | PCI ID |" &&
    grep -q "^| \`rtl8139\` | 1186:1300 | 1186:1301 | D-Link DFE-530TX+ |$" "$out" &&
    grep -q "^| \`ne2000-isa\` | ISA / PC Card |" "$out"'
$XDRV info --boards --json >"$out" 2>&1; rc=$?
check "info --boards --json is JSON" '[ $rc -eq 0 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); m={x[\"model\"]: x for x in d[\"models\"]}; assert m[\"rtl8139\"][\"vendor\"] == \"10ec\" and len(m[\"rtl8139\"][\"boards\"]) > 10 and m[\"ne2000-isa\"][\"bus\"] == \"isa\"" "$out"'
errcase "info --boards with a driver" 1 info --boards "$B/drivers/ktest.sys"

# run_nic LOG ARGS...: xdrv run until the adapter is up (or the run ends),
# then SIGTERM, which halts the miniport cleanly; returns xdrv's status.
run_nic() {
    local log=$1; shift
    "$XDRV" run "$@" >"$log" 2>&1 &
    local p=$! i
    for i in $(seq 1 300); do
        grep -q "adapter up" "$log" && break
        kill -0 $p 2>/dev/null || break
        sleep 0.05
    done
    kill -TERM $p 2>/dev/null
    wait $p
}

# every driver with its own INF and no --device: the INF chooses the model
for inf in drivers/*/*.inf; do
    d=$(basename "$(dirname "$inf")")
    run_nic "$out" "$B/drivers/$d.sys" --inf "$inf"; rc=$?
    check "run $d.sys --inf $inf, no --device: model $d, MiniportInitialize succeeds" \
        '[ $rc -eq 0 ] && grep -q "^xdrv: INF hardware ID PCI.* -> model $d " "$out" && grep -q "adapter up" "$out" && grep -q "adapter halted" "$out"'
done

# OEM INFs (tests/inf) for the project's drivers: name of the regression,
# driver, INF, the model, what the device must present
oem() {
    local name=$1 sys=$2 inf=$3 model=$4 presents=$5; shift 5
    run_nic "$out" "$B/drivers/$sys.sys" --inf "tests/inf/$inf" "$@"; rc=$?
    check "$name: $inf -> $model, $presents" '[ $rc -eq 0 ] && grep -q -- "-> model $model " "$out" &&
        grep -q "^xdrv: device .*$presents" "$out" && grep -q "adapter up" "$out"'
}
oem oem_rtl8139_inf_refused rtl8139 dlink-dfe530tx.inf rtl8139 "PCI slot [0-9]* 1186:1300 subsystem 1186:1301 rev 10,"
oem rtl8029_subsys_only_inf_refused ne2000 rtl8029-subsys-only.inf ne2000 "10ec:8029 subsystem 10ec:8029 rev 00,"
oem pcmcia_inf_needs_isa_model ne2000 pcmcia-ne2000.inf ne2000-isa "ports 0x320-0x33f, irq 9,"
oem oem_subsys_presented pcnet at2450-pcnet.inf pcnet "1022:2000 subsystem 1259:2450 rev 10,"
# with --device the model takes the INF's identity; its options override it
oem device_takes_inf_identity rtl8139 dlink-dfe530tx.inf rtl8139 "1186:1300 subsystem 1186:1303 rev 11," --device rtl8139,subsys=1186:1303,rev=0x11
oem device_options_override_logconfig ne2000 pcmcia-ne2000.inf ne2000-isa "ports 0x340-0x35f, irq 5," --device ne2000-isa,io=0x340,irq=5

# nothing matches: one line with the IDs tried and the INF's, and how to force
$XDRV run "$B/drivers/rtl8139.sys" --inf tests/inf/unknown-board.inf >"$out" 2>&1; rc=$?
check "unknown board: exit 2, one line naming the INF's IDs and how to force a model" '[ $rc -eq 2 ] && [ $(grep -c . "$out") -eq 1 ] &&
    grep -q "models tried: rtl8139, ne2000, ne2000-isa, pcnet" "$out" && grep -q "PCI.VEN_1234&DEV_5678, PCI.VEN_1234&DEV_5679" "$out" &&
    grep -q "(10 in all)" "$out" && grep -q -- "--device MODEL,vendor=0x1234,device=0x5678" "$out"'
run_nic "$out" "$B/drivers/rtl8139.sys" --inf tests/inf/unknown-board.inf --device rtl8139,vendor=0x1234,device=0x5678; rc=$?
check "unknown board forced with --device rtl8139,vendor=,device=" '[ $rc -eq 0 ] && grep -q "1234:5678 subsystem" "$out" && grep -q "adapter up" "$out"'
$XDRV run "$B/drivers/pcnet.sys" --inf tests/inf/dlink-dfe530tx.inf --device pcnet >"$out" 2>&1; rc=$?
check "a --device model the INF does not list: exit 2, one line with the IDs tried" '[ $rc -eq 2 ] && [ $(grep -c . "$out") -eq 1 ] &&
    grep -q "the device presents PCI.VEN_1022&DEV_2000&SUBSYS_00000000&REV_10, .*PCI.VEN_1022&DEV_2000 and the INF lists none" "$out" &&
    grep -q -- "--device pcnet,vendor=0x1186,device=0x1300" "$out"'
errcase "bad identity option" 1 run "$B/drivers/rtl8139.sys" --device rtl8139,subsys=1186

# Commands that never run a driver do not load the emulator: Unicorn,
# Capstone and libpcap are dlopened by the first machine or capture
# (src/vm/libload.c, src/host/pcap.c); linked, they cost every command ~4 ms
# of start-up (docs/architecture.md). LD_DEBUG=libs (ld.so(8)) names every
# library the process loads, on stderr.
for c in "exports" "diff --help" "trace --help" "--help"; do
    # shellcheck disable=SC2086 # $c is a command and its options
    LD_DEBUG=libs $XDRV $c >/dev/null 2>"$out"
    check "xdrv $c loads neither Unicorn, Capstone nor libpcap" 'grep -q "libc.so.6" "$out" &&
        ! grep -Eq "lib(unicorn|capstone|pcap)" "$out"'
done
LD_DEBUG=libs $XDRV run "$B/drivers/ktest.sys" >/dev/null 2>"$out"
check "xdrv run loads Unicorn and Capstone when the machine starts" 'grep -q "libunicorn.so.2" "$out" &&
    grep -q "libcapstone.so.4" "$out" && ! grep -q "libpcap" "$out"'
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
