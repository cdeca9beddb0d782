#!/bin/bash
# xdrv up / down / status (issue 12, part 1): an installed driver run under
# the supervisor carries the netns test (ping, 20 MB TCP, the link flap
# passed through to the serving process, SIGTERM a clean halt); SIGHUP
# stops it cleanly too; `xdrv down` stops it from elsewhere; a driver that
# faults makes `xdrv up` exit 3 and `xdrv status` show the fault; a
# supervisor killed outright takes its serving process along and shows as
# dead. Errors are one line with an honest exit status.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
BUILD=${BUILD:-build}
B=$BUILD
. tests/guest/netns-lib.sh
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
S=$dir/store
export XDRV_RUN_DIR=$dir/run
MAC=52:54:00:12:34:56

bad() {
    ko "$1"
    [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 12 "$2" | sed 's/^/   | /'
}
one_line() { # NAME EXPECTED-RC CMD...
    local name=$1 want=$2; shift 2
    "$@" >"$dir/o.out" 2>"$dir/o.err"; local rc=$?
    if [ $rc -eq "$want" ] && [ "$(wc -l <"$dir/o.err")" -eq 1 ] && ! grep -q Sanitizer "$dir/o.err"; then
        ok "$name: exit $rc, $(cat "$dir/o.err")"
    else
        bad "$name: exit $rc (wanted $want), $(wc -l <"$dir/o.err") line(s) on stderr" "$dir/o.err"
    fi
}
# wait until FILE shows PATTERN (10 s at most)
wait_for() {
    local i
    for i in $(seq 1 100); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

if [ ! -f "$B/drivers/rtl8139.sys" ]; then
    echo "SKIP up: $B/drivers/rtl8139.sys not built"
    echo "0 passed, 0 failed, 1 skipped"
    exit 0
fi
"$XDRV" install drivers/rtl8139/rtl8139.inf --from "$B/drivers" --store "$S" >/dev/null 2>"$dir/i.err" ||
    bad "install rtl8139" "$dir/i.err"

# the netns test, through `xdrv up`
up_running() { # the serve hook: status while it serves, a second up refused
    local name=$1 pid=$2
    # the serving process is sandboxed: another user, no capabilities, no
    # new privileges, a seccomp filter, an empty root
    local child st
    child=$(sed -n 's/^child = //p' "$XDRV_RUN_DIR/rtl8139.state")
    st=/proc/$child/status
    if [ -n "$child" ] && [ "$(awk '/^Uid:/{print $2}' "$st")" != 0 ] &&
        grep -q "^CapEff:[[:space:]]*0000000000000000$" "$st" && grep -q "^CapPrm:[[:space:]]*0000000000000000$" "$st" &&
        grep -q "^NoNewPrivs:[[:space:]]*1$" "$st" && grep -q "^Seccomp:[[:space:]]*2$" "$st" &&
        [ -z "$(ls -A "/proc/$child/root/" 2>/dev/null)" ]; then
        ok "$name: the serving process ($child) runs as uid $(awk '/^Uid:/{print $2}' "$st"), no capabilities, NoNewPrivs 1, Seccomp 2 (filter), an empty root"
    else
        ko "$name: the serving process is not sandboxed: $(grep -E '^(Uid|CapEff|NoNewPrivs|Seccomp):' "$st" 2>&1 | tr '\n' ' ')"
    fi
    if "$XDRV" status rtl8139 | grep -q "^rtl8139 *running *$pid "; then
        ok "$name: xdrv status shows it running, process $pid"
    else
        ko "$name: status while up: $("$XDRV" status rtl8139 2>&1 | tail -1)"
    fi
    "$XDRV" up rtl8139 --store "$S" >"$dir/u2.out" 2>"$dir/u2.err"
    [ $? -eq 1 ] && grep -q "already up (process $pid" "$dir/u2.err" &&
        ok "$name: a second xdrv up is refused" || ko "$name: second up: $(cat "$dir/u2.err")"
}
up_halted() {
    local name=$1 rc=$2 out=$3
    if [ $rc -eq 0 ] && grep -q "adapter halted" "$out" && grep -q "no pool leaks" "$out" &&
        "$XDRV" status rtl8139 | grep -q "^rtl8139 *exited *- *- *0 *0 " &&
        "$XDRV" status rtl8139 | grep -q "frames host->driver [1-9]"; then
        ok "$name: SIGTERM halts the miniport through the supervisor (exit 0); status: exited, its frame counts"
    else
        ko "$name: shutdown (exit $rc)"; sed 's/^/   | /' "$out" | tail -20; "$XDRV" status rtl8139
    fi
}
SERVE_UP_HOOK=up_running serve_test up-rtl8139 "$MAC" "adapter up" up_halted "" \
    "$XDRV" up rtl8139 --store "$S"

# SIGHUP: a clean stop
"$XDRV" up rtl8139 --store "$S" >"$dir/h.out" 2>&1 &
pid=$!
if wait_for "$dir/h.out" "serving until"; then
    kill -HUP $pid
    wait $pid
    rc=$?
    [ $rc -eq 0 ] && grep -q "adapter halted" "$dir/h.out" && "$XDRV" status rtl8139 | grep -q "^rtl8139 *exited" &&
        ok "SIGHUP stops xdrv up cleanly (exit 0, adapter halted)" || bad "SIGHUP: exit $rc" "$dir/h.out"
else
    kill $pid 2>/dev/null; wait $pid; bad "up without a netdev did not serve" "$dir/h.out"
fi

# SIGHUP to xdrv run itself: the same clean stop as SIGTERM (it ended the
# process before, with no halt)
"$XDRV" run "$B/drivers/rtl8139.sys" --inf drivers/rtl8139/rtl8139.inf >"$dir/rh.out" 2>&1 &
pid=$!
if wait_for "$dir/rh.out" "serving until"; then
    kill -HUP $pid
    wait $pid
    rc=$?
    [ $rc -eq 0 ] && grep -q "adapter halted" "$dir/rh.out" && grep -q "no pool leaks" "$dir/rh.out" &&
        ok "SIGHUP stops xdrv run cleanly (exit 0, adapter halted, no leaks)" || bad "run SIGHUP: exit $rc" "$dir/rh.out"
else
    kill $pid 2>/dev/null; wait $pid; bad "run without a netdev did not serve" "$dir/rh.out"
fi

# xdrv down from elsewhere
"$XDRV" up rtl8139 --store "$S" >"$dir/d.out" 2>&1 &
pid=$!
if wait_for "$dir/d.out" "serving until"; then
    "$XDRV" down rtl8139 >"$dir/down.out" 2>&1
    drc=$?
    wait $pid
    rc=$?
    [ $drc -eq 0 ] && [ $rc -eq 0 ] && grep -q "rtl8139 stopped (exited, exit 0)" "$dir/down.out" &&
        ok "xdrv down stops it: $(cat "$dir/down.out")" || bad "down: exit $drc, up exit $rc" "$dir/down.out"
else
    kill $pid 2>/dev/null; wait $pid; bad "up for down did not serve" "$dir/d.out"
fi
one_line "down: not up" 2 "$XDRV" down rtl8139

# a supervisor killed outright: its serving process goes too, status says dead
"$XDRV" up rtl8139 --store "$S" >"$dir/k.out" 2>&1 &
pid=$!
if wait_for "$dir/k.out" "serving until"; then
    child=$(sed -n 's/^child = //p' "$XDRV_RUN_DIR/rtl8139.state")
    kill -KILL $pid
    wait $pid 2>/dev/null
    for i in $(seq 1 50); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
    if ! kill -0 "$child" 2>/dev/null && "$XDRV" status rtl8139 | grep -q "^rtl8139 *dead"; then
        ok "a supervisor killed with SIGKILL takes its serving process ($child) along; status: dead"
    else
        bad "after SIGKILL: child $child $(kill -0 "$child" 2>/dev/null && echo alive || echo gone), $("$XDRV" status rtl8139 | tail -1)"
        kill "$child" 2>/dev/null
    fi
else
    kill $pid 2>/dev/null; wait $pid; bad "up for kill did not serve" "$dir/k.out"
fi

# the filter's self-test: a forbidden system call (socket) kills the
# serving process alone, with a report; the supervisor says so and exits 3
XDRV_SANDBOX_SELFTEST=socket "$XDRV" up rtl8139 --store "$S" --no-restart >"$dir/sc.out" 2>&1
rc=$?
if [ $rc -eq 3 ] && grep -q "self-test: socket" "$dir/sc.out" &&
    grep -q "killed by signal 31 (SIGSYS: a system call outside the sandbox's allow-list)" "$dir/sc.out" &&
    "$XDRV" status rtl8139 | grep -q "^rtl8139 *faulted .*SIGSYS"; then
    ok "a forbidden system call kills only the serving process (SIGSYS); xdrv up reports it and exits 3"
else
    bad "forbidden system call: up exit $rc" "$dir/sc.out"
fi
# --no-sandbox: the serving process keeps the supervisor's user
XDRV_SANDBOX_SELFTEST=socket "$XDRV" up rtl8139 --store "$S" --no-sandbox >"$dir/ns.out" 2>&1 &
pid=$!
if wait_for "$dir/ns.out" "serving until" && ! grep -q "xdrv: sandbox" "$dir/ns.out"; then
    ok "xdrv up --no-sandbox serves without the sandbox"
else
    bad "--no-sandbox" "$dir/ns.out"
fi
kill $pid 2>/dev/null; wait $pid
# unprivileged: no user change or empty root possible, the rest applies
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1; then
    setpriv --reuid=nobody --regid=nogroup --clear-groups "$XDRV" run "$B/drivers/rtl8139.sys" \
        --inf drivers/rtl8139/rtl8139.inf --sandbox >"$dir/np.out" 2>&1 &
    pid=$!
    if wait_for "$dir/np.out" "serving until" && grep -q "^xdrv: sandbox: no new privileges, seccomp" "$dir/np.out"; then
        ok "xdrv run --sandbox as an unprivileged user: $(grep '^xdrv: sandbox' "$dir/np.out")"
    else
        bad "unprivileged --sandbox" "$dir/np.out"
    fi
    kill $pid 2>/dev/null; wait $pid
else
    skip=$((skip + 1)); echo "SKIP unprivileged --sandbox: no nobody user or setpriv"
fi
one_line "run: --limit-as without --sandbox" 1 "$XDRV" run "$B/drivers/rtl8139.sys" --limit-as 100

# a driver that faults: up exits 3, status shows the fault
if [ -f "$B/drivers/fault_null.sys" ]; then
    mkdir -p "$dir/fpkg"
    sed 's/rtl8139\.sys/faulty.sys/I' drivers/rtl8139/rtl8139.inf >"$dir/fpkg/faulty.inf"
    cp "$B/drivers/fault_null.sys" "$dir/fpkg/faulty.sys"
    "$XDRV" install "$dir/fpkg/faulty.inf" --store "$S" --name faulty >/dev/null 2>"$dir/fi.err" ||
        bad "install faulty" "$dir/fi.err"
    "$XDRV" up faulty --store "$S" --restart-limit 1 >"$dir/f.out" 2>&1
    rc=$?
    if [ $rc -eq 3 ] && "$XDRV" status faulty | grep -q "^faulty *faulted *- *- *1 *3 *fault: unmapped memory access" &&
        grep -q "xdrv up: faulty: 2 faults in a row, each within a minute of its start: not restarted again" "$dir/f.out"; then
        ok "a driver that faults in DriverEntry: started once more, then given up; xdrv up exits 3, status: $("$XDRV" status faulty | tail -1 | cut -c1-110)"
    else
        bad "faulty driver: up exit $rc; $("$XDRV" status faulty 2>&1 | tail -1)" "$dir/f.out"
    fi
else
    skip=$((skip + 1)); echo "SKIP faulting driver: fault_null.sys not built"
fi
"$XDRV" status --json >"$dir/s.json" 2>&1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); n={x["name"]:x for x in d["drivers"]}; assert n["rtl8139"]["state"] in ("exited","faulted","dead"); assert "faulty" not in n or (n["faulty"]["state"]=="faulted" and n["faulty"]["exit"]==3 and n["faulty"]["fault"].startswith("fault: "))' "$dir/s.json" 2>"$dir/j.err" &&
    ok "status --json parses" || bad "status --json" "$dir/j.err"

# recovery: a driver that faults on its 3rd send (the RTL8139 driver's
# faultsend variant) serving a TAP in a namespace of this test; the frames
# the kernel sends when the link comes up (IPv6 DAD, router and listener
# messages) make it fault; xdrv up starts it again, the TAP and its address
# stay (same interface index), status counts the restart, and at the end
# the TAP is removed
restart_test() {
    local A="xdrvR$$" fpkg=$dir/flaky
    mkdir -p "$fpkg"
    cp drivers/rtl8139/rtl8139.inf "$fpkg/"
    cp "$B/drivers/rtl8139-faultsend.sys" "$fpkg/rtl8139.sys"
    "$XDRV" install "$fpkg/rtl8139.inf" --store "$S" --name flaky >/dev/null 2>"$dir/fl.err" ||
        { ko "install flaky" ; return; }
    ip netns add "$A" || { ko "restart: cannot create a namespace"; return; }
    ip -n "$A" link set lo up
    ip netns exec "$A" "$XDRV" up flaky --store "$S" --restart-limit 3 \
        --netdev tap,ifname=xfl0 >"$dir/fl.out" 2>&1 &
    local pid=$! i idx1 idx2
    wait_for "$dir/fl.out" "serving until"
    ip -n "$A" addr add 192.0.2.1/24 dev xfl0 && ip -n "$A" link set xfl0 up
    idx1=$(ip -n "$A" -o link show xfl0 | cut -d: -f1)
    ip netns exec "$A" ping -c 3 -i 0.3 -W 1 192.0.2.9 >/dev/null 2>&1
    for i in $(seq 1 100); do
        [ "$(grep -c "serving until" "$dir/fl.out")" -ge 2 ] && break
        sleep 0.1
    done
    idx2=$(ip -n "$A" -o link show xfl0 2>/dev/null | cut -d: -f1)
    if grep -q "fault: unmapped memory access" "$dir/fl.out" && grep -q "xdrv up: flaky: restarting in 0.2 s" "$dir/fl.out" &&
        [ "$(grep -c "serving until" "$dir/fl.out")" -ge 2 ] && [ -n "$idx1" ] && [ "$idx1" = "$idx2" ] &&
        ip -n "$A" addr show xfl0 | grep -q "192.0.2.1/24" &&
        "$XDRV" status flaky | grep -Eq "^flaky +(running +$pid|restarting +$pid|faulted +-) +[^ ]+ +[1-9]"; then
        ok "a driver that faults while serving is started again: the same TAP (index $idx1, its address kept), status counts $("$XDRV" status flaky | awk '/^flaky/{print $5}') restart(s)"
    else
        ko "restart: $(grep -c "serving until" "$dir/fl.out") start(s), index $idx1 -> ${idx2:-gone}; $("$XDRV" status flaky | grep "^flaky")"
        tail -n 15 "$dir/fl.out" | sed 's/^/   | /'
    fi
    kill -TERM $pid
    wait $pid
    if ! ip -n "$A" link show xfl0 >/dev/null 2>&1; then
        ok "xdrv up stopped: the TAP it kept across restarts is removed"
    else
        ko "the TAP xfl0 is still there after xdrv up stopped"
    fi
    ip netns del "$A"
}
if [ -f "$B/drivers/rtl8139-faultsend.sys" ] && netns_ok "restart"; then
    restart_test
fi

# make install: xdrv and the unit template, which systemd-analyze accepts
# for an instance (no warning either)
if command -v systemd-analyze >/dev/null 2>&1; then
    pre=$dir/prefix
    if make -s install B="$B" PREFIX="$pre" >"$dir/mi.out" 2>&1 && [ -x "$pre/bin/xdrv" ] &&
        cp "$pre/lib/systemd/system/xdrv@.service" "$dir/xdrv@rtl8139.service" &&
        grep -q "^ExecStart=$pre/bin/xdrv up %i " "$dir/xdrv@rtl8139.service" &&
        systemd-analyze verify "$dir/xdrv@rtl8139.service" >"$dir/sa.out" 2>&1 && [ ! -s "$dir/sa.out" ]; then
        ok "make install PREFIX=...: xdrv and xdrv@.service; systemd-analyze verify xdrv@rtl8139.service passes"
    else
        bad "make install / systemd-analyze verify" "$dir/sa.out"; cat "$dir/mi.out" 2>/dev/null | tail -5
    fi
else
    skip=$((skip + 1)); echo "SKIP xdrv@.service: systemd-analyze is not installed"
fi

one_line "up: not installed" 2 "$XDRV" up nothere --store "$S"
one_line "up: --device is the store's" 1 "$XDRV" up rtl8139 --store "$S" --device e1000
one_line "up: no name" 1 "$XDRV" up
one_line "status: never up" 2 "$XDRV" status nothere
one_line "down: a bad --timeout" 1 "$XDRV" down rtl8139 --timeout 0
for c in up down status; do
    "$XDRV" $c --help >"$dir/hh.out" 2>&1 && grep -q "^usage: xdrv $c" "$dir/hh.out" &&
        ok "$c --help" || bad "$c --help" "$dir/hh.out"
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
