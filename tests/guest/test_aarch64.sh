#!/bin/bash
# xdrv on an arm64 host: the aarch64 cross build (`make aarch64`,
# build/aarch64/xdrv against the sysroot of scripts/aarch64-sysroot.sh) runs
# under qemu-aarch64-static and must behave exactly as the native build on
# the same x86 .sys files: the conformance driver ktest's output and event
# trace, the request interface, fault reports, `xdrv info` and recordings
# (`xdrv trace record`) byte-identical
# to the native run (nothing normalized), and the unix-socket frame tests
# (tests/guest/test_net_unix.sh) passing for every NIC model.
# SKIPs, saying so, when the cross toolchain or qemu is missing and this is
# not root (as root, scripts/deps.sh installs them and the build is made).
# Env: BUILD (default build); the native reference is $BUILD/xdrv.
set -u
cd "$(dirname "$0")/../.." || exit 1
B=${BUILD:-build}
NATIVE=$B/xdrv
AXDRV=$B/aarch64/xdrv
SYSROOT=$B/aarch64/sysroot
QEMU=${QEMU:-qemu-aarch64-static}
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed${1:+, $1 skipped}"; [ $fail -eq 0 ]; exit; }

if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || ! command -v "$QEMU" >/dev/null 2>&1; then
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP aarch64: needs gcc-aarch64-linux-gnu and qemu-user-static (scripts/deps.sh installs them as root)"
        finish 1
    fi
    ./scripts/deps.sh || { ko setup "scripts/deps.sh failed"; finish; }
fi
if [ ! -x "$AXDRV" ]; then
    make --no-print-directory B="$B" "$AXDRV" >/dev/null 2>&1 ||
        { ko setup "$AXDRV not built and make B=$B aarch64 failed"; finish; }
fi
[ -x "$NATIVE" ] || { ko setup "$NATIVE (the native reference) not built"; finish; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
# The command tests/guest/test_net_unix.sh runs as xdrv. exec, so its
# SIGTERM reaches qemu, which delivers it to the guest's handler.
cat >"$tmp/xdrv" <<EOF
#!/bin/sh
exec $QEMU -L "$PWD/$SYSROOT" "$PWD/$AXDRV" "\$@"
EOF
chmod +x "$tmp/xdrv"

[ -f "$SYSROOT/.packages" ] && echo "aarch64 sysroot: $(grep -E '^Package: lib(unicorn|capstone|pcap)[^ ]* ' "$SYSROOT/.packages" |
    grep -v -- '-dev ' | sed 's/^Package: //; s/ Version: /=/' | paste -sd' ')"
# An arm64 ELF executable: e_machine (offset 18) is 0xb7, EM_AARCH64.
if [ "$(od -An -tx1 -j18 -N2 "$AXDRV" | tr -d ' ')" = b700 ]; then
    ok "$AXDRV is an aarch64 executable"
else
    ko "$AXDRV is an aarch64 executable" "e_machine $(od -An -tx1 -j18 -N2 "$AXDRV")"
fi
if "$tmp/xdrv" --help >/dev/null 2>&1; then ok "runs under $QEMU"; else
    ko "runs under $QEMU" "$("$tmp/xdrv" --help 2>&1 | head -n 1)"; finish; fi

# same NAME EXPECTED-EXIT ARGS...: stdout+stderr and exit status of the
# aarch64 build equal the native build's, byte for byte.
same() {
    local name=$1 want=$2; shift 2
    timeout 120 "$NATIVE" "$@" >"$tmp/native" 2>&1; local nrc=$?
    timeout 300 "$tmp/xdrv" "$@" >"$tmp/arm" 2>&1; local arc=$?
    if [ $nrc -ne "$want" ]; then
        ko "$name" "native exit $nrc, expected $want"; sed 's/^/   | /' "$tmp/native" | tail -n 5
    elif [ $arc -ne $nrc ]; then
        ko "$name" "aarch64 exit $arc, native $nrc"; sed 's/^/   | /' "$tmp/arm" | tail -n 5
    elif ! cmp -s "$tmp/native" "$tmp/arm"; then
        ko "$name" "output differs from the native run"
        diff "$tmp/native" "$tmp/arm" | head -n 10 | sed 's/^/   | /'
    else
        ok "$name ($(wc -l <"$tmp/arm") lines identical)"
    fi
}

# The conformance driver, then its event stream (every API call with its
# decoded arguments and result), then the request interface.
same "ktest output" 0 run "$B/drivers/ktest.sys"
if grep -q "ktest: DONE passed=[1-9][0-9]* failed=0" "$tmp/arm"; then
    ok "ktest: $(grep -c 'ktest: PASS' "$tmp/arm") cases passed inside the guest"
else
    ko "ktest cases" "no 'DONE ... failed=0' in the aarch64 run"
fi
"$NATIVE" run "$B/drivers/ktest.sys" --trace "$tmp/trace.native" >/dev/null 2>&1
"$tmp/xdrv" run "$B/drivers/ktest.sys" --trace "$tmp/trace.arm" >/dev/null 2>&1
if [ -s "$tmp/trace.native" ] && cmp -s "$tmp/trace.native" "$tmp/trace.arm"; then
    ok "ktest --trace ($(wc -l <"$tmp/trace.arm") events identical)"
else
    ko "ktest --trace" "event streams differ"
    diff "$tmp/trace.native" "$tmp/trace.arm" 2>&1 | head -n 10 | sed 's/^/   | /'
fi
same "ktest requests" 0 run "$B/drivers/ktest.sys" --request 'open \DosDevices\KTest' \
    --request 'write 1 "hello"' --request 'read 1 5' \
    --request 'ioctl 1 0x222000 01020304 4' --request 'close 1'
# Fault reports: the site, the disassembled instruction (Capstone), the registers.
for f in null divide opcode stack wildwrite; do
    same "fault report: fault_$f" 3 run "$B/drivers/fault_$f.sys"
done
same "fault report: fault_loop" 3 run "$B/drivers/fault_loop.sys" --budget 2000000
# The PE parser and the board tables (char is unsigned on arm64, signed on x86).
for d in ktest rtl8139 ne2000 pcnet e1000; do
    same "info --json $d.sys" 0 info --json "$B/drivers/$d.sys"
done
same "info --boards" 0 info --boards
same "exports --compact" 0 exports --compact

# A recording (the standard workload against each NIC driver) is the same
# file on both hosts, byte for byte: virtual time and the trace format do
# not depend on the host ISA.
for d in rtl8139 pcnet e1000; do
    timeout 120 "$NATIVE" trace record "$B/drivers/$d.sys" --inf "drivers/$d/$d.inf" \
        --device $d -o "$tmp/$d.native.xtr" >/dev/null 2>&1
    timeout 600 "$tmp/xdrv" trace record "$B/drivers/$d.sys" --inf "drivers/$d/$d.inf" \
        --device $d -o "$tmp/$d.arm.xtr" >/dev/null 2>&1
    if [ -s "$tmp/$d.native.xtr" ] && cmp -s "$tmp/$d.native.xtr" "$tmp/$d.arm.xtr"; then
        ok "trace record $d: $(stat -c %s "$tmp/$d.arm.xtr") bytes identical"
    else
        ko "trace record $d" "$(cmp "$tmp/$d.native.xtr" "$tmp/$d.arm.xtr" 2>&1 | head -n 1)"
    fi
done

# Frames through every NIC model (the unix test's small and full-size
# frames both ways, then a clean halt), the drivers' code translated by
# Unicorn on arm64.
XDRV=$tmp/xdrv BUILD=$B bash tests/guest/test_net_unix.sh >"$tmp/net" 2>&1
sed -n 's/^\(PASS\|FAIL\) /\1 aarch64 net_unix: /p; /^   | /p' "$tmp/net"
np=$(grep -c '^PASS ' "$tmp/net"); nf=$(grep -c '^FAIL ' "$tmp/net")
pass=$((pass + np)); fail=$((fail + nf))
[ "$np" -gt 0 ] || ko "net_unix" "no case ran: $(tail -n 1 "$tmp/net")"
finish
