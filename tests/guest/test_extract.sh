#!/bin/bash
# xdrv extract (issue 11): the safety path end to end on the project's
# RTL8139 driver. A recording of tests/golden/extract/rtl8139.wl is
# extracted into a specification that must equal the checked-in golden
# (XDRV_REGEN_GOLDEN=1 rewrites it) and pass verify against the model's
# datasheet facts; xdrv replay then serves the model from it, with no
# driver code, as a Linux interface (ping both ways, 20 MB over TCP, the
# link pulled and plugged); and with --fallback, the OS switching the
# interface to promiscuous mode (a filter the recording never showed) hands
# the device to the original driver, and traffic goes on. Bad arguments and
# bad traces get one-line errors and honest exit codes. The NE2000 driver's
# recording of the same workload gives a spec whose sends (the frame through
# the data port) replay the driver's register accesses exactly.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/guest/netns-lib.sh
B=${BUILD:-build}
G=tests/golden/extract
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

bad() {
    fail=$((fail + 1)); echo "FAIL $1"
    [ -n "${2:-}" ] && [ -f "$2" ] && head -c 3000 "$2" | sed 's/^/   | /'
}

# ---- the recording and the spec (deterministic: byte-identical runs) ----
"$XDRV" trace record "$B/drivers/rtl8139.sys" --inf drivers/rtl8139/rtl8139.inf \
    --workload "$G/rtl8139.wl" -o "$dir/rtl8139.xtr" >"$dir/rec.out" 2>"$dir/rec.err" || bad "record" "$dir/rec.err"
xabs=$(cd "$(dirname "$XDRV")" && pwd)/$(basename "$XDRV")
(cd "$dir" && "$xabs" extract rtl8139.xtr -o rtl8139.xsm --device rtl8139 --dot rtl8139.dot) \
    2>"$dir/ex.err"
rc=$?
if [ $rc -eq 0 ] && grep -q "verify: safe" "$dir/ex.err"; then
    ok "extract: $(tail -1 "$dir/ex.err" | sed 's/^xdrv extract: //')"
else
    bad "extract: exit $rc" "$dir/ex.err"
fi
if [ "${XDRV_REGEN_GOLDEN:-}" = 1 ]; then
    cp "$dir/rtl8139.xsm" "$G/rtl8139.xsm"
    echo "regenerated $G/rtl8139.xsm"
fi
if cmp -s "$dir/rtl8139.xsm" "$G/rtl8139.xsm"; then
    ok "extract: the spec equals the golden $G/rtl8139.xsm"
else
    bad "extract: the spec differs from $G/rtl8139.xsm"
    diff "$G/rtl8139.xsm" "$dir/rtl8139.xsm" | head -40 | sed 's/^/   | /'
fi
# what the spec must say, whatever the golden holds
s=$dir/rtl8139.xsm
if grep -q '^on send running -> running' "$s" && grep -q '^  copy shared1 ' "$s" &&
    grep -q 'write a10\[send_n\] len | 0x' "$s" && grep -q '^var send_n 0 wrap 4' "$s"; then
    ok "extract: send copies the frame, writes its length into the transmit status register of a 4-entry array indexed by a send counter"
else
    bad "extract: send transition" "$s"
fi
if grep -q 'deliver shared0 rxoff + 4 rxlen - 4' "$s" && grep -q 'write r38_16 rxoff - 0x10' "$s" &&
    grep -q '^var rxoff 0 wrap 32768' "$s" && grep -q 'break if v_r37_8 & 0x1' "$s"; then
    ok "extract: receive walks the ring by the header's length, CAPR = offset - 16, until CR.BUFE"
else
    bad "extract: receive loop" "$s"
fi
if grep -q '^  from "rtl8139.xtr" [0-9]* [0-9]*$' "$s" && grep -q '^unhandled multicast' "$s"; then
    ok "extract: provenance on every transition, unseen requests declared unhandled"
else
    bad "extract: provenance/unhandled" "$s"
fi
if python3 - "$dir/rtl8139.dot" <<'EOF' 2>"$dir/dot.err"; then
import re, sys
t = open(sys.argv[1]).read()
assert t.startswith("digraph spec {") and t.rstrip().endswith("}")
assert re.search(r'"stopped" -> "running" \[label="init', t)
assert re.search(r'"running" -> "running" \[label="send \(guarded\)', t)
EOF
    ok "extract --dot: states and labelled transitions"
else
    bad "extract --dot" "$dir/dot.err"
fi
"$XDRV" verify "$s" --device rtl8139 >"$dir/v.out" 2>&1 && ok "verify --device rtl8139: the extracted spec is safe" ||
    bad "verify of the extracted spec" "$dir/v.out"

# ---- equivalence: the replayed spec's hardware I/O is the driver's ----
"$XDRV" replay "$s" --device rtl8139 --workload "$G/rtl8139.wl" --trace "$dir/replay.xtr" \
    >"$dir/rp.out" 2>"$dir/rp.err"
rc=$?
if [ $rc -eq 0 ] && grep -q "55 requests played, 0 not played" "$dir/rp.out"; then
    ok "replay --workload: every request of the workload served by the spec"
else
    bad "replay --workload: exit $rc" "$dir/rp.err"
fi
"$XDRV" diff --device-side "$dir/rtl8139.xtr" "$dir/replay.xtr" >"$dir/eq.out" 2>&1
rc=$?
n=$("$XDRV" trace dump --kind PORT_READ,PORT_WRITE,DMA_READ,DMA_WRITE "$dir/replay.xtr" | wc -l)
if [ $rc -eq 0 ] && [ ! -s "$dir/eq.out" ] && [ "$n" -gt 900 ]; then
    ok "equivalence: diff --device-side of the driver's and the replay's recordings: no difference ($n register and DMA events)"
else
    bad "equivalence: diff exit $rc" "$dir/eq.out"
fi
# the check can fail: a spec that sets another transmit threshold differs
sed 's/write a10\[send_n\] len | 0x80000/write a10[send_n] len | 0x90000/' "$s" >"$dir/other.xsm"
"$XDRV" replay "$dir/other.xsm" --device rtl8139 --workload "$G/rtl8139.wl" --trace "$dir/other.xtr" \
    >/dev/null 2>&1
"$XDRV" diff --device-side "$dir/rtl8139.xtr" "$dir/other.xtr" >"$dir/ne.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && grep -q '^-d=0 PORT_WRITE addr=0xc31[0-9a-f] size=4 value=0x8.... reg=TSD' "$dir/ne.out" &&
    grep -q '^+d=0 PORT_WRITE addr=0xc31[0-9a-f] size=4 value=0x9.... reg=TSD' "$dir/ne.out"; then
    ok "equivalence: an edited spec's TSD writes show as the difference (exit 1)"
else
    bad "equivalence of an edited spec: diff exit $rc" "$dir/ne.out"
fi

# extract_golden D: the workload recorded against D.sys, extracted and
# verified; the spec ($dir/D.xsm) must equal $G/D.xsm (XDRV_REGEN_GOLDEN=1
# rewrites it).
extract_golden() {
    local d=$1 rc w more=""
    "$XDRV" trace record "$B/drivers/$d.sys" --inf "drivers/$d/$d.inf" \
        --workload "$G/rtl8139.wl" -o "$dir/$d.xtr" >/dev/null 2>"$dir/$d.rec.err" ||
        bad "record $d" "$dir/$d.rec.err"
    # more workloads (extract D [W...]): a trace of each, extracted together
    shift
    for w in "$@"; do
        "$XDRV" trace record "$B/drivers/$d.sys" --inf "drivers/$d/$d.inf" \
            --workload "$G/$w.wl" -o "$dir/$d-$w.xtr" >/dev/null 2>"$dir/$d.rec.err" ||
            bad "record $d $w" "$dir/$d.rec.err"
        more="$more $d-$w.xtr"
    done
    # shellcheck disable=SC2086 # the trace names: no spaces
    (cd "$dir" && "$xabs" extract "$d.xtr" $more -o "$d.xsm" --device "$d") 2>"$dir/$d.ex.err"
    rc=$?
    if [ $rc -eq 0 ] && grep -q "verify: safe" "$dir/$d.ex.err"; then
        ok "extract $d: $(tail -1 "$dir/$d.ex.err" | sed 's/^xdrv extract: //')"
    else
        bad "extract $d: exit $rc" "$dir/$d.ex.err"
    fi
    [ "${XDRV_REGEN_GOLDEN:-}" = 1 ] && cp "$dir/$d.xsm" "$G/$d.xsm" && echo "regenerated $G/$d.xsm"
    if cmp -s "$dir/$d.xsm" "$G/$d.xsm"; then
        ok "extract $d: the spec equals the golden $G/$d.xsm"
    else
        bad "extract $d: the spec differs from $G/$d.xsm"
        diff "$G/$d.xsm" "$dir/$d.xsm" | head -40 | sed 's/^/   | /'
    fi
}

# ---- the NE2000: frames through a data port (outs), transmit pages in turn ----
# The same workload against ne2000.sys, and ring.wl: receives planned to
# land on the last pages of its receive ring (in the chip's memory, read
# through the remote DMA port) and across the ring's end in every way. Its
# sends must be generalised byte for byte: a send-only workload replayed
# from the spec makes the driver's register accesses exactly.
extract_golden ne2000 ring
n=$dir/ne2000.xsm
# the send: byte counts from max(len, 60), rounded up to a word for the
# copy, a byte per register; the frame through the data port; two
# transmit pages taken in turn
if grep -q '^  outs r10_b0 ((len + (0x3c - len) \* (len < 0x3c)) + 0x1) & 0xfffffffe$' "$n" &&
    grep -q '^  write r9_b0 0x40 + 0x6 \* send_n$' "$n" && grep -q '^  write r6_b0 len >> 8$' "$n" &&
    grep -q '^var send_n 0 wrap 2' "$n"; then
    ok "extract ne2000: send writes the padded frame through the data port, its length a byte per register, transmit pages in turn"
else
    bad "extract ne2000: send transition" "$n"
fi
"$XDRV" trace record "$B/drivers/ne2000.sys" --inf drivers/ne2000/ne2000.inf \
    --workload "$G/sends.wl" -o "$dir/nsend.xtr" >/dev/null 2>"$dir/nrec2.err" || bad "record ne2000 sends" "$dir/nrec2.err"
"$XDRV" replay "$n" --device ne2000 --workload "$G/sends.wl" --trace "$dir/nrep.xtr" \
    >"$dir/nrp.out" 2>"$dir/nrp.err"
rc=$?
"$XDRV" diff --device-side "$dir/nsend.xtr" "$dir/nrep.xtr" >"$dir/neq.out" 2>&1
drc=$?
cnt=$("$XDRV" trace dump --kind PORT_READ,PORT_WRITE "$dir/nrep.xtr" | wc -l)
if [ $rc -eq 0 ] && [ $drc -eq 0 ] && [ ! -s "$dir/neq.out" ] && [ "$cnt" -gt 4000 ]; then
    ok "equivalence ne2000: sends replayed from the spec make the driver's register accesses ($cnt)"
else
    bad "equivalence ne2000: replay exit $rc, diff exit $drc" "$dir/neq.out"
    sed 's/^/   | /' "$dir/nrp.err" | head -5
fi

# the receive: the header read through the data port into rxhdr (where
# the next frame is, its length), the frame after it into rxframe; rounds
# until rxpos is where CURR says the chip has got to; BNRY one page behind,
# round the ring; the frames across the ring's end read in two pieces
sed -n '/^on interrupt/,/^end/p' "$n" | tr -s ' ' >"$dir/nint"
if grep -q '^ break if rxpos == v_r7_b40$' "$dir/nint" &&
    grep -q '^ ins r10_b0 rxhdr 0 4$' "$dir/nint" && grep -q '^ load rxhdr 1 1 -> rxnext$' "$dir/nint" &&
    grep -q '^ deliver rxframe 0 rxlen - 0x4$' "$dir/nint" &&
    grep -q '^ write r3_b0 rxpos - 0x1 + 0x34 \* (rxpos == 0x4c)$' "$dir/nint" &&
    grep -q '^ if rxnext < rxpos$' "$dir/nint" && grep -q '^ if rxpos == 0x7f$' "$dir/nint" &&
    ! grep -q 'not generalised' "$dir/nint"; then
    ok "extract ne2000: receive through the data port, rounds up to CURR, the ring's end crossed, no fallback"
else
    bad "extract ne2000: receive" "$dir/nint"
fi

# ---- the 8254x: 128 receive buffers as one array; init and sends ----
extract_golden e1000
e=$dir/e1000.xsm
if grep -q '^buffer shared2 2048 align 4096 count 128 ' "$e" &&
    grep -q '^  store shared0_ring1\[63\] 0x0 4 addr(shared2\[63\])$' "$e" &&
    ! sed -n '/^on init/,/^end/p' "$e" | grep -q fallback; then
    ok "extract e1000: same-size allocations as one buffer array, the init with no fallback"
else
    bad "extract e1000: buffer array / init" "$e"
fi
# the send: the OS's frame copied into the spec's own buffer, one
# descriptor per frame at the send counter, the tail register one past it
if grep -q '^  copy tx_frame\[send_n\] 0$' "$e" &&
    grep -q '^  store shared0_ring0\[send_n\] 0x0 4 addr(tx_frame\[send_n\])$' "$e" &&
    grep -q '^  write r3818 (send_n + 0x1) % 0x40$' "$e" && grep -q '^buffer tx_frame 1536 align 16 count 64 ' "$e"; then
    ok "extract e1000: send copies the frame into tx_frame[send_n], fills descriptor send_n, TDT = send_n + 1"
else
    bad "extract e1000: send transition" "$e"
fi
# the receive: a loop over the ring's descriptors from rx_n, ending on a
# descriptor the device has not filled (DD clear), each frame handed on
# from the buffer its descriptor holds, the descriptor re-armed with that
# same buffer (the driver swaps in a spare and lends the OS the filled
# one), the tail register at the last descriptor taken
if sed -n '/^on interrupt/,/^end/p' "$e" | tr -s ' ' >"$dir/eint" &&
    grep -q '^ repeat 64$' "$dir/eint" &&
    grep -q '^ load shared0_ring1\[rx_n\] 0xc 1 -> d_shared0_ring1_c$' "$dir/eint" &&
    grep -q '^ break if (d_shared0_ring1_c & 0x1) == 0$' "$dir/eint" &&
    grep -q '^ set rxlen d_shared0_ring1_8$' "$dir/eint" &&
    grep -q '^ deliver shared2\[rx_n\] 0x0 rxlen$' "$dir/eint" &&
    grep -q '^ store shared0_ring1\[rx_n\] 0x0 4 addr(shared2\[rx_n\])$' "$dir/eint" &&
    grep -q '^ write r2818 (rx_n + 0x3f) % 0x40$' "$dir/eint" &&
    grep -q '^var rx_n 0 wrap 64 ' "$e"; then
    ok "extract e1000: receive loops over descriptor rx_n until DD is clear, delivers from its buffer, re-arms it, RDT = rx_n - 1"
else
    bad "extract e1000: receive loop" "$dir/eint"
fi
# Equivalence: every register access and every byte the device reads and
# writes for a workload of sends and receives (past the receive ring's
# wrap) are the driver's, as `xdrv diff --device-side` normalizes them
# (docs/formats/diff.md): the spec lays its rings out in one buffer at the
# driver's offsets (`in`), a frame's copy is the send buffer the OS's frame
# lies in, and the addresses inside descriptors print as where they point,
# so which of the driver's receive buffers it lent out does not show.
# devlines TRACE KINDS: the normalized lines of those kinds, without the
# depth and the code site (for counting)
devlines() {
    "$XDRV" trace dump --normalized --kind "$2" "$1" | sed -E 's/^d=[0-9]+ (pc=[^ ]+ )?//'
}
# wl_pair D SPEC KINDS WL N: WL.wl recorded against D.sys and replayed from
# SPEC; `xdrv diff --device-side --kind KINDS` of the two in
# $dir/D.WL.diff, the replay's lines in $dir/D.WL.rep.n; the replay's exit
# status in $rc, its output in $dir/D.WL.rep.out; 1 when they differ or
# the replay did not serve all N requests.
wl_pair() {
    local d=$1 spec=$2 kinds=$3 wl=$4 reqs=$5 drc
    local f=$dir/$d.$wl
    "$XDRV" trace record "$B/drivers/$d.sys" --inf "drivers/$d/$d.inf" \
        --workload "$G/$wl.wl" -o "$f.drv.xtr" >/dev/null 2>"$f.rec.err" ||
        bad "record $d $wl" "$f.rec.err"
    "$XDRV" replay "$spec" --device "$d" --workload "$G/$wl.wl" --trace "$f.rep.xtr" \
        >"$f.rep.out" 2>"$f.rep.err"
    rc=$?
    "$XDRV" diff --device-side --kind "$kinds" "$f.drv.xtr" "$f.rep.xtr" >"$f.diff" 2>&1
    drc=$?
    devlines "$f.rep.xtr" "$kinds" >"$f.rep.n"
    [ $rc -eq 0 ] && grep -q "$reqs requests played, 0 not played" "$f.rep.out" && [ $drc -eq 0 ] &&
        return 0
    bad "equivalence $d $wl: replay exit $rc, diff exit $drc" "$f.rep.err"
    head -20 "$f.diff" | cut -c1-160 | sed 's/^/   | /'
    return 1
}
# traffic_pair D SPEC KINDS: wl_pair on traffic.wl (39 requests)
traffic_pair() {
    wl_pair "$1" "$2" "$3" traffic 39
}
# The NE2000's equivalence on traffic.wl (sends and receives, bursts past the ring's
# end): the spec's port accesses are the driver's, every one.
if traffic_pair ne2000 "$n" PORT_READ,PORT_WRITE; then
    cnt=$(wc -l <"$dir/ne2000.traffic.rep.n")
    [ "$cnt" -gt 40000 ] &&
        ok "equivalence ne2000: sends and receives from the spec, all served; its $cnt port accesses the driver's" ||
        bad "equivalence ne2000: only $cnt events"
fi
if traffic_pair e1000 "$e" MMIO_READ,MMIO_WRITE,DMA_READ,DMA_WRITE; then
    cnt=$(wc -l <"$dir/e1000.traffic.rep.n")
    frames=$(grep -c '^DMA_WRITE addr=shared+0x0 size=1514 ' "$dir/e1000.traffic.rep.n")
    words=$(grep -c '^DMA_READ addr=shared+0x[0-9a-f]* size=16 data=\[send-buffer+0x0\]' "$dir/e1000.traffic.rep.n")
    if [ "$cnt" -gt 1000 ] && [ "$frames" -ge 56 ] && [ "$words" -ge 12 ]; then
        ok "equivalence e1000: sends and receives from the spec, all served; its $cnt register and DMA events the driver's, every one (rings at the driver's offsets, $words transmit descriptors pointing at the send buffer)"
    else
        bad "equivalence e1000: only $cnt events, $frames full frames, $words descriptors"
    fi
fi
# the comparison can fail: a tail register one short holds each frame back
# until the next send, and the last one is never sent
sed 's/^  write r3818 (send_n + 0x1) % 0x40$/  write r3818 send_n/' "$e" >"$dir/e-edit.xsm"
"$XDRV" replay "$dir/e-edit.xsm" --device e1000 --workload "$G/traffic.wl" --trace "$dir/erep2.xtr" \
    >/dev/null 2>&1
"$XDRV" diff --device-side --kind MMIO_READ,MMIO_WRITE,DMA_READ,DMA_WRITE \
    "$dir/e1000.traffic.drv.xtr" "$dir/erep2.xtr" >"$dir/e3.diff" 2>&1
drc=$?
f1=$(devlines "$dir/e1000.traffic.drv.xtr" DMA_READ | grep -c '^DMA_READ addr=send-buffer+0x0 ')
f3=$(devlines "$dir/erep2.xtr" DMA_READ | grep -c '^DMA_READ addr=send-buffer+0x0 ')
if [ $drc -eq 1 ] && [ "$f3" -lt "$f1" ]; then
    ok "equivalence e1000: an edited spec (TDT one short) differs (diff exit 1): $f3 frames read against $f1"
else
    bad "equivalence e1000: the edited spec: diff exit $drc, $f3 frames read against $f1" "$dir/e3.diff"
fi

# ... and on unseen.wl, 330 receives of lengths and bursts neither
# recording showed: the spec generalised, its port accesses are still the
# driver's, every one.
if wl_pair ne2000 "$n" PORT_READ,PORT_WRITE unseen 330; then
    cnt=$(wc -l <"$dir/ne2000.unseen.rep.n")
    [ "$cnt" -gt 100000 ] &&
        ok "equivalence ne2000: on receives neither recording showed, all served; its $cnt port accesses the driver's" ||
        bad "equivalence ne2000 unseen: only $cnt events"
fi

# The station address: the NE2000's PAR0-5 and the 8254x's RAL/RAH are
# written the bytes the driver read from the chip's PROM / EEPROM (each read
# in a variable of its own), not the recording's constants, so a model with
# another MAC receives the frames sent to it.
other_mac() {
    local d=$1 spec=$2 out=$dir/$1.mac.out
    "$XDRV" replay "$spec" --device "$d,mac=52:54:00:aa:bb:cc" --workload "$G/traffic.wl" \
        --trace "$dir/$d.mac.xtr" >"$out" 2>&1
    local rc=$? got
    got=$("$XDRV" trace dump --kind REQUEST_END "$dir/$d.mac.xtr" | grep -c 'name=receive .*"[18] frame(s) indicated')
    if [ $rc -eq 0 ] && grep -q "39 requests played, 0 not played" "$out" && [ "$got" -eq 24 ]; then
        ok "extract $d: the MAC from the chip's own PROM/EEPROM reads; on a model with another MAC all 24 receives indicated"
    else
        bad "extract $d: another MAC: exit $rc, $got receives indicated" "$out"
    fi
}
if grep -q '^  write r1_b40 v_r10_b0_1 & 0xff$' "$n" && grep -q '^  write r6_b40 v_r10_b0_6 & 0xff$' "$n" &&
    grep -q '^  write r5400 (v_r14_1 >> 16) & 0xffff | ((v_r14_2 >> 16) & 0xffff) << 16$' "$e" &&
    grep -q '^  write r5404 (v_r14_3 >> 16) & 0xffff | 0x80000000$' "$e"; then
    ok "extract ne2000, e1000: PAR0-5 and RAL/RAH assembled from the bytes read"
else
    bad "extract ne2000, e1000: station address writes" "$n"
fi
other_mac ne2000 "$n"
other_mac e1000 "$e"
# the RTL8139's IDR0-5, from its 93C46 read a bit at a time (9346CR.EEDO)
if grep -q '^  write r0 (v_r50_8_32 & 1) | (v_r50_8_31 & 1) << 1 | ' "$s"; then
    ok "extract rtl8139: IDR0-5 assembled from the EEPROM's bits, read one at a time"
else
    bad "extract rtl8139: IDR writes" "$s"
fi
other_mac rtl8139 "$s"

# A frame arriving just before each send (arrive.wl): its interrupt is
# pending when the send starts; the driver hands it on (the exerciser's
# arrive=), and so does every spec.
# handed_on XTR: the sends of XTR after which one frame was indicated
handed_on() {
    "$XDRV" trace dump --kind REQUEST_END "$1" | grep -c 'name=send .*, 1 frame(s) indicated'
}
# arrived D SPEC
arrived() {
    local d=$1 sp=$2 rc got
    "$XDRV" trace record "$B/drivers/$d.sys" --inf "drivers/$d/$d.inf" --workload "$G/arrive.wl" \
        -o "$dir/$d.arrd.xtr" >/dev/null 2>"$dir/$d.arrd.err"
    rc=$?
    got=$(handed_on "$dir/$d.arrd.xtr")
    [ $rc -eq 0 ] && [ "$got" -eq 3 ] &&
        ok "record $d: a frame arriving as a send starts is handed on by the driver (3 of 3)" ||
        bad "record $d: arrive.wl: exit $rc, $got of 3 handed on" "$dir/$d.arrd.err"
    "$XDRV" replay "$sp" --device "$d" --workload "$G/arrive.wl" --trace "$dir/$d.arr.xtr" \
        >"$dir/$d.arr.out" 2>&1
    rc=$?
    got=$(handed_on "$dir/$d.arr.xtr")
    [ $rc -eq 0 ] && [ "$got" -eq 3 ] &&
        ok "replay $d: a frame arriving as a send starts is handed on (3 of 3)" ||
        bad "replay $d: arrive.wl: exit $rc, $got of 3 handed on" "$dir/$d.arr.out"
}
arrived rtl8139 "$s"
arrived ne2000 "$n"
arrived e1000 "$e"

# ---- the PCnet: an address in 16-bit halves ----
# Its initialization block's bus address goes to CSR1/CSR2 (behind RAP,
# in doubleword mode) in 16-bit halves. The spec gives them as the halves
# of addr(...), declared `dma low` / `dma high`, never as the numbers the
# driver's block happened to have; verify checks the pair as one address.
# The MAC it copies into the block is stored byte for byte.
extract_golden pcnet
p=$dir/pcnet.xsm
if grep -q '^reg r10_i1 w0 0x10 4 index r14 0x1 dma low ' "$p" &&
    grep -q '^reg r10_i2 w0 0x10 4 index r14 0x2 dma high ' "$p" &&
    grep -q '^  write r10_i1 (addr(shared0_2)) & 0xffff$' "$p" &&
    grep -q '^  write r10_i2 (addr(shared0_2)) >> 16$' "$p" &&
    ! sed -n '/^on init/,/^end/p' "$p" | grep -q fallback &&
    ! grep -q ' 0x8100$' "$p" && grep -q '^  store shared0_2 0x4 + 0x5 1 (v_r4 >> 8) & 0xff$' "$p"; then
    ok "extract pcnet: the block's address as the halves of addr(shared0_2) (CSR1/CSR2 behind RAP), init with no fallback; the MAC stored from the PROM's bytes"
else
    bad "extract pcnet: address halves / MAC" "$p"
fi
# the send: the OS's frame copied into tx_frame[send_n], descriptor
# send_n, its byte count the length negated (BCNT) under OWN|STP|ENP; the
# receive: a loop over descriptor rx_n until the chip still owns one, the
# length less the FCS; a filter change that lays the rings out anew starts
# both counters again
if grep -q '^  store shared0_ring0\[send_n\] 0x4 4 ((0 - len) & 0x7ff) | 0x8300f800$' "$p" &&
    grep -q '^  store shared0_ring0\[send_n\] 0x0 4 addr(tx_frame\[send_n\])$' "$p" &&
    sed -n '/^on interrupt/,/^end/p' "$p" | tr -s ' ' >"$dir/pint" &&
    grep -q '^ break if d_shared0_ring1_4 & 0x80000000$' "$dir/pint" &&
    grep -q '^ set rxlen d_shared0_ring1_8 - 0x4$' "$dir/pint" &&
    grep -q '^ deliver shared2\[rx_n\] 0x0 rxlen$' "$dir/pint" &&
    sed -n '/^on set-filter/,/^end/p' "$p" | grep -q '^ *set rx_n 0$'; then
    ok "extract pcnet: send (BCNT = -len), receive loop over rx_n, counters restarted where the rings are laid out anew"
else
    bad "extract pcnet: send / receive / restart" "$p"
fi
# Equivalence (as the 8254x's): every RAP and CSR access (the ISR's saving
# and restoring of RAP too), the initialization block's address in its two
# halves, and every byte the device reads and writes are the driver's.
if traffic_pair pcnet "$p" PORT_READ,PORT_WRITE,DMA_READ,DMA_WRITE; then
    cnt=$(wc -l <"$dir/pcnet.traffic.rep.n")
    rap=$(grep -c ' reg=RAP$' "$dir/pcnet.traffic.rep.n")
    saves=$(grep -c '^PORT_READ .* reg=RAP$' "$dir/pcnet.traffic.rep.n")
    halves=$(grep -c 'value=(shared+0x400)\[\(15:0\|31:16\)\] reg=IADR' "$dir/pcnet.traffic.rep.n")
    [ "$cnt" -gt 900 ] && [ "$saves" -gt 10 ] && [ "$halves" -ge 2 ] &&
        ok "equivalence pcnet: sends and receives from the spec, all served; its $cnt port and DMA events the driver's, every one ($rap at RAP, $saves of them the ISR's saves; the block's address halves as shared+0x400)" ||
        bad "equivalence pcnet: only $cnt events, $saves RAP saves, $halves address halves"
fi
# a hand edit that joins the low half of one buffer to the high half of
# another (or gives only one half) is refused
sed 's/^  write r10_i2 (addr(shared0_2)) >> 16$/  write r10_i2 (addr(shared2[3])) >> 16/' "$p" >"$dir/p-edit.xsm"
"$XDRV" verify "$dir/p-edit.xsm" --device pcnet >"$dir/pv.out" 2>&1
rc=$?
sed '/^  write r10_i2 (addr(shared0_2)) >> 16$/d' "$p" >"$dir/p-edit2.xsm"
"$XDRV" verify "$dir/p-edit2.xsm" --device pcnet >"$dir/pv2.out" 2>&1
rc2=$?
if [ $rc -eq 2 ] && grep -q "halves of one DMA address: give both the same addr" "$dir/pv.out" &&
    [ $rc2 -eq 2 ] && grep -q "half of a DMA address: write r10_i2 right after it" "$dir/pv2.out"; then
    ok "verify pcnet: halves of two buffers, or one half alone, refused"
else
    bad "verify pcnet: edited halves: exit $rc / $rc2" "$dir/pv.out"
fi
# a hand edit that writes the plain data port (RDP, declared as itself)
# while RAP selects IADR: through the 32-bit RAP the spec names as the
# index register, or the 16-bit one only the datasheet knows as RAP
sed 's/^  write r10 0x0$/  write r14 0x1\n  write r10 0x12345678/' "$p" >"$dir/p-rdp.xsm"
"$XDRV" verify "$dir/p-rdp.xsm" >"$dir/pv3.out" 2>&1
rc=$?
sed 's/^  write r12_16 0x0$/  write r12_16 0x2/' "$p" >"$dir/p-rdp2.xsm"
"$XDRV" verify "$dir/p-rdp2.xsm" --device pcnet >"$dir/pv4.out" 2>&1
rc2=$?
"$XDRV" replay "$dir/p-rdp2.xsm" --device pcnet --workload "$G/sends.wl" --trace "$dir/pr4.xtr" >"$dir/pr4.out" 2>&1
rc3=$?
if ! cmp -s "$p" "$dir/p-rdp.xsm" && ! cmp -s "$p" "$dir/p-rdp2.xsm" &&
    [ $rc -eq 2 ] && grep -q "the write to r10 may reach r10_i1, which takes a DMA address" "$dir/pv3.out" &&
    [ $rc2 -eq 2 ] && grep -q "the write to r10 may reach r10_i2, which takes a DMA address" "$dir/pv4.out" &&
    [ $rc3 -eq 2 ] && grep -q "not safe to replay" "$dir/pr4.out"; then
    ok "verify pcnet: RDP written as itself while RAP selects IADR refused (by the spec's RAP, by the datasheet's), and replay refuses it"
else
    bad "verify pcnet: edited RDP write: exit $rc / $rc2 / replay $rc3" "$dir/pv3.out" "$dir/pv4.out" "$dir/pr4.out"
fi

# ---- bad input ----
"$XDRV" extract "$dir/rtl8139.xtr" >"$dir/o" 2>"$dir/e"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$dir/e")" -eq 1 ] && grep -q -- "-o DRIVER.xsm is required" "$dir/e" &&
    ok "extract without -o: exit 1, one line" || bad "extract without -o: exit $rc" "$dir/e"
head -c 5000 "$dir/rtl8139.xtr" >"$dir/cut.xtr"
printf 'not a trace' >"$dir/junk.xtr"
"$XDRV" extract "$dir/junk.xtr" -o "$dir/j.xsm" >"$dir/o" 2>"$dir/e"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$dir/e")" -eq 1 ] && [ ! -e "$dir/j.xsm" ] &&
    ok "extract of a file that is no trace: exit 2, one line, nothing written" ||
    bad "extract junk: exit $rc" "$dir/e"
"$XDRV" extract "$dir/cut.xtr" -o "$dir/c.xsm" >"$dir/o" 2>"$dir/e"
rc=$?
{ [ $rc -eq 0 ] || [ $rc -eq 3 ]; } && grep -q "cut short" "$dir/e" && [ -s "$dir/c.xsm" ] &&
    ok "extract of a trace cut short: used as far as it goes, with a warning (exit $rc)" ||
    bad "extract of a cut trace: exit $rc" "$dir/e"
"$XDRV" extract "$dir/rtl8139.xtr" -o "$dir/x.xsm" --device nosuch >"$dir/o" 2>"$dir/e"
rc=$?
[ $rc -eq 1 ] && grep -q "unknown model" "$dir/e" && ok "extract --device nosuch: exit 1" ||
    bad "extract --device nosuch: exit $rc" "$dir/e"

# rule_case D NAME KIND WORKLOAD-TEXT: WORKLOAD-TEXT recorded against D.sys
# and extracted alone; the KIND transition in $dir/NAME.trans, the
# recorder's and extract's messages in $dir/NAME.err
rule_case() {
    local d=$1 name=$2 kind=$3
    printf '%b' "$4" >"$dir/$name.wl"
    "$XDRV" trace record "$B/drivers/$d.sys" --inf "drivers/$d/$d.inf" \
        --workload "$dir/$name.wl" -o "$dir/$name.xtr" >/dev/null 2>"$dir/$name.err" ||
        bad "record $name.wl" "$dir/$name.err"
    "$XDRV" extract "$dir/$name.xtr" -o "$dir/$name.xsm" --device "$d" >/dev/null 2>>"$dir/$name.err"
    sed -n "/^on $kind/,/^end/p" "$dir/$name.xsm" >"$dir/$name.trans"
}
# A configuration change in the recording (the exerciser's `param`, here
# NetworkAddress, read at the next initialization): the requests after it
# are another configuration's behaviour and are left out, with a note,
# rather than turning init's station address into a fallback.
rule_case rtl8139 reconf init 'xdrv-workload 1\nseed 3\ninit\nfilter directed multicast broadcast\nsend len=100\nreceive len=200\nparam NetworkAddress 02AABBCCDDEE\nreinit\nfilter directed multicast broadcast\nsend len=100\nreceive len=200\nhalt\n'
if grep -q "verify: safe" "$dir/reconf.err" && ! grep -q 'fallback' "$dir/reconf.trans" &&
    grep -q 'note "1 request(s); 1 after the driver.s configuration was changed (param) were left out' "$dir/reconf.trans" &&
    "$XDRV" trace dump --kind PORT_WRITE "$dir/reconf.xtr" | grep -q 'value=0xccbbaa02 reg=IDR0'; then
    ok "extract: after a configuration change (NetworkAddress) the requests are left out with a note; init keeps the PROM's address, no fallback"
else
    bad "extract after a configuration change" "$dir/reconf.trans"
fi
# Sends the 8254x driver gave the device in two descriptors (1514-byte
# frames placed anywhere: some cross a page of the OS's memory) among
# one-descriptor ones: left out with a note, as are the interrupts that
# clean their descriptors up, so the ring index still generalises as one
# descriptor per send (the spec's copy).
rule_case e1000 split send 'xdrv-workload 1\nseed 5\ninit\nfilter directed multicast broadcast\nsend len=60..1514 step=151 place=in-page\nsend len=1514 count=6\nsend len=60..1514 step=151 place=in-page\nhalt\n'
if grep -q "verify: safe" "$dir/split.err" && ! grep -q 'fallback' "$dir/split.trans" &&
    grep -q '[1-6] the driver gave the device in several descriptors' "$dir/split.trans" &&
    grep -q '^  write r3818 (send_n + 0x1) % 0x40$' "$dir/split.trans" &&
    grep -q 'that touched the descriptors of such a send were left out' "$dir/split.xsm"; then
    ok "extract e1000: sends in two descriptors, and the interrupts cleaning them up, left out with a note; the ring index still one descriptor per send, no fallback"
else
    bad "extract e1000 with sends in two descriptors" "$dir/split.trans"
fi
# Sends the OS gave in 24 buffers, which the 8254x driver copies into a
# bounce buffer of its own and gives the device in one descriptor: left
# out like the sends in several descriptors (a replayer's frames come
# whole), not a path the others "went another way" from.
rule_case e1000 pieces send 'xdrv-workload 1\nseed 5\ninit\nfilter directed multicast broadcast\nsend len=60..1514 step=151 place=in-page\nsend len=1000..1514 step=100 frags=24 place=in-page\nsend len=60..1514 step=151 place=in-page\nhalt\n'
if grep -q "verify: safe" "$dir/pieces.err" && ! grep -q 'fallback\|went another way' "$dir/pieces.trans" &&
    grep -q 'note "20 request(s); 6 the driver gave the device in several descriptors (the OS.s frame across a page, or in pieces)' "$dir/pieces.trans"; then
    ok "extract e1000: sends the OS gave in pieces (copied to a bounce buffer) left out with a note"
else
    bad "extract e1000 with sends in pieces" "$dir/pieces.trans"
fi

# A multicast list set, then filters: the driver rewrites its hash table
# (MAR0-7) from the list, which the spec cannot say and never faces (a list
# hands the device to the driver): those filters are left out, with a note,
# and the filter transition generalises without a fallback.
rule_case rtl8139 mclist set-filter 'xdrv-workload 1\nseed 3\ninit\nfilter directed multicast broadcast\nsend len=100\nfilter directed broadcast\nmulticast add 01:00:5e:00:00:01 01:00:5e:00:00:fb\nfilter directed multicast broadcast\nfilter directed broadcast promiscuous\nsend len=100\nhalt\n'
if grep -q "verify: safe" "$dir/mclist.err" && ! grep -q 'fallback' "$dir/mclist.trans" &&
    grep -q 'note "3 request(s); 2 while a multicast list was set were left out' "$dir/mclist.trans"; then
    ok "extract: filters while a multicast list is set left out with a note; the filter transition has no fallback"
else
    bad "extract with a multicast list set" "$dir/mclist.trans"
fi

# NE2000 receives across the lengths and in bursts (rxbase), then the
# same with the lookahead set to 128 and back to the binding's 256: the
# driver reads 128+14 bytes of each frame first instead of 256+14. Those
# interrupts are left out with a note; the spec reads 0x10e bytes first,
# nothing generalised from the other configuration.
rxbase='xdrv-workload 1\nseed 7\ninit\nfilter directed multicast broadcast\nsend len=60..1514 step=151 place=in-page\nreceive len=60..1514 step=151\nreceive len=1514 burst=8\nreceive len=1514 burst=8\nreceive len=1514 burst=8\nreceive len=60..1514 step=97\n'
rule_case ne2000 look interrupt "${rxbase}set OID_GEN_CURRENT_LOOKAHEAD 128\nreceive len=1514 burst=8\nreceive len=60..1514 step=97\nset OID_GEN_CURRENT_LOOKAHEAD 256\nreceive len=1514 burst=8\nreceive len=60..1514 step=151\nhalt\n"
if grep -q "verify: safe" "$dir/look.err" &&
    grep -q '[0-9] while a setting NDIS.s binding makes (such as the lookahead) was set to another value were left out' "$dir/look.trans" &&
    grep -q 'ins r10_b0 rxframe 0x0 ((0x10e - ' "$dir/look.trans" &&
    ! grep -q 'written values not generalised\|0x8e\b' "$dir/look.trans"; then
    ok "extract ne2000: interrupts while the lookahead was 128 left out with a note; the spec reads the binding's 0x10e bytes first"
else
    bad "extract ne2000 with the lookahead changed" "$dir/look.trans"
fi
# Frames of 1518 bytes (802.1Q-tagged length) among the receives: the
# driver reads their header and drops them, so its next-frame pointer moves
# on with nothing delivered. Where a request's first header is read (the
# remote DMA address the driver writes) is where its pointer is: the
# frames after the drop still generalise to `write r9_b0 rxpos`.
rule_case ne2000 drop interrupt "${rxbase}receive len=1518\nreceive len=1514 burst=8\nreceive len=60..1514 step=97\nreceive len=1518\nreceive len=1514 burst=8\nreceive len=60..1514 step=151\nhalt\n"
if grep -q "verify: safe" "$dir/drop.err" && grep -q 'write r9_b0 rxpos' "$dir/drop.trans" &&
    ! grep -q 'r9_b0: written values not generalised' "$dir/drop.trans" &&
    [ "$("$XDRV" trace dump "$dir/drop.xtr" | grep -c 'REQUEST_END name=receive.*"0 frame')" -ge 2 ]; then
    ok "extract ne2000: after frames the driver read the header of and dropped, the next frame's place still generalises (write r9_b0 rxpos)"
else
    bad "extract ne2000 with dropped frames" "$dir/drop.trans"
fi
# A PCnet burst of 9 frames in 32 fragments each: more descriptors than
# the ring has, some filled from the interrupt as descriptors come free.
# The burst is left out; the next send's first descriptor says where the
# driver's index went, so the sends after it generalise (no fallback).
rule_case pcnet burst send 'xdrv-workload 1\nseed 7\ninit\nfilter directed multicast broadcast\nsend len=60..1514 step=151 place=in-page\nsend len=1513 payload=counter burst=9 frags=32\nsend len=60..1514 step=97 place=in-page\nhalt\n'
if grep -q "verify: safe" "$dir/burst.err" && ! grep -q 'fallback' "$dir/burst.trans" &&
    grep -q 'sends of several frames in one call were left out' "$dir/burst.trans" &&
    grep -q '^  set send_n send_n + 1$' "$dir/burst.trans"; then
    ok "extract pcnet: after a fragmented burst that went round the ring, the sends still generalise (no fallback)"
else
    bad "extract pcnet after a fragmented burst" "$dir/burst.trans"
fi
# PCnet timers across a link flap: NDIS's hang check (CSR0) and the
# driver's own timer (BCR4's link bit) are generalised apart, and the link
# reports two of the driver's timers made (the state changed) become one
# `linkstate` every timer states, since the others had reported what they
# read. Before: both "went another way", and no link report at all.
rule_case pcnet lnk timer 'xdrv-workload 1\nseed 7\ninit\nfilter directed multicast broadcast\nsend len=100 place=in-page\nwait ms=6000\nlink down\nwait ms=6000\nlink up\nwait ms=6000\nhalt\n'
if grep -q "verify: safe" "$dir/lnk.err" && ! grep -q 'went another way\|fallback' "$dir/lnk.trans" &&
    grep -q 'of them in MiniportCheckForHang' "$dir/lnk.trans" &&
    grep -q 'of them in a timer the driver set' "$dir/lnk.trans" &&
    grep -q '^  linkstate (v_r1c_i4 >> 15) & 1$' "$dir/lnk.trans"; then
    ok "extract pcnet: the hang check and the driver's timer apart; the link stated at every timer (2 reports, the rest no change)"
else
    bad "extract pcnet timers across a link flap" "$dir/lnk.trans"
fi
# PCnet receives with 1518-byte frames among them, which the driver takes
# from the ring and drops: its ring index moves on with no frame
# delivered. Where a request first loads a receive descriptor is where
# the index is, so the receive loop still generalises over rx_n.
rule_case pcnet rxdrop interrupt 'xdrv-workload 1\nseed 7\ninit\nfilter directed multicast broadcast\nsend len=60..1514 step=151 place=in-page\nreceive len=60..1514 step=151\nreceive len=1514 burst=8\nreceive len=60..1514 step=97\nreceive len=1518\nreceive len=60..1514 step=97\nreceive len=1518\nreceive len=1514 burst=8\nreceive len=60..1514 step=151\nhalt\n'
if grep -q "verify: safe" "$dir/rxdrop.err" && grep -q 'deliver shared2\[rx_n\]' "$dir/rxdrop.trans" &&
    ! grep -q 'in an order not generalised' "$dir/rxdrop.trans" &&
    [ "$("$XDRV" trace dump "$dir/rxdrop.xtr" | grep -c 'REQUEST_END name=receive.*"0 frame')" -ge 2 ]; then
    ok "extract pcnet: after frames the driver dropped from the receive ring, the receive loop still generalises over rx_n"
else
    bad "extract pcnet with dropped frames" "$dir/rxdrop.trans"
fi
# NE2000 receives at many places round the device's ring (lengths in
# steps of 13 and 11): some frames' pages wrap while their bytes do not,
# so a count `rxlen - 0x112` appears where no guard on the length holds.
# The branch hands frames shorter than any it saw to the driver, and the
# spec verifies (it did not: "ins may move up to 4294967294 bytes").
rule_case ne2000 wrap interrupt "${rxbase}receive len=60..1514 step=13\nreceive len=1514 burst=8\nreceive len=60..1514 step=11\nhalt\n"
if grep -q "verify: safe" "$dir/wrap.err" &&
    grep -q 'fallback "a frame shorter than the traces showed here"' "$dir/wrap.trans"; then
    ok "extract ne2000: frames whose pages wrap and bytes do not: counts from the length guarded, the spec verifies"
else
    bad "extract ne2000 with frames round the ring" "$dir/wrap.err"
fi
# A second recording in another configuration (a NetworkAddress of zeros
# set before init, the interrupt's registration failing once): its frames
# are left out, and they no longer decide where the first frame after
# init is (the driver read its first header one page on there, and the
# whole receive model was given up: no rxhdr, no rxframe).
printf '%b' 'xdrv-workload 1\nseed 7\nparam NetworkAddress 000000000000\nfail NdisMRegisterInterrupt nth=2\ninit\nfilter broadcast\nreceive len=60 dest=self\nreceive len=60 dest=broadcast\nreceive len=60 dest=multicast\nreceive len=60..1514 step=151\nhalt\n' >"$dir/zmac.wl"
"$XDRV" trace record "$B/drivers/ne2000.sys" --inf drivers/ne2000/ne2000.inf \
    --workload "$dir/zmac.wl" -o "$dir/zmac.xtr" >/dev/null 2>"$dir/zmac.err" || bad "record zmac.wl" "$dir/zmac.err"
"$XDRV" extract "$dir/look.xtr" "$dir/zmac.xtr" -o "$dir/zmac.xsm" --device ne2000 >/dev/null 2>>"$dir/zmac.err"
if grep -q "verify: safe" "$dir/zmac.err" && grep -q '^buffer rxhdr' "$dir/zmac.xsm" &&
    grep -q 'ins r10_b0 rxhdr 0 4' "$dir/zmac.xsm"; then
    ok "extract ne2000: a recording in another configuration does not cost the others their receive model"
else
    bad "extract ne2000 with a reconfigured recording" "$dir/zmac.err"
fi

# ---- replay from the extracted spec: real traffic, no driver code ----
MAC=52:54:00:12:34:56 # the recording's: the spec writes the MAC the driver read from the EEPROM
replay_test rtl8139-extracted "$s" rtl8139 "$MAC"
# the 8254x: descriptor rings, receive buffers swapped by the driver and
# kept by the spec, the link reported again when it comes back
replay_test e1000-extracted "$e" e1000 "$MAC"
# the PCnet: CSRs behind RAP, the block's address in halves, rings the
# driver restarts on a filter change, the link read by its timer
replay_test pcnet-extracted "$p" pcnet "$MAC"
# its MAC is the bytes the spec reads from the chip's address PROM, not the
# recording's: a model with another address serves as well
replay_test pcnet-extracted-other-mac "$p" pcnet,mac=52:54:00:aa:bb:cc 52:54:00:aa:bb:cc
# the NE2000: frames read out of the chip's ring through its data port (a
# DP8390 has no link status: no link flap)
REPLAY_NOLINK=nolink replay_test ne2000-extracted "$n" ne2000 "$MAC"

# ... and the PCnet's
arrived pcnet "$p"

# ---- fallback: a filter the recording never showed ----
# replay_fallback_up SPEC MODEL SUFFIX LOG [noipv6]: namespaces $NA and $NB,
# `xdrv replay SPEC --fallback MODEL.sys` in $NA (pid in $pid) on TAPs
# xndSUFFIX (A, 192.0.2.1) and xwireSUFFIX (moved to B, 192.0.2.2); 1 when
# the namespaces cannot be made.
replay_fallback_up() {
    local spec=$1 model=$2 sfx=$3 log=$4 i
    ip netns add "$NA" && ip netns add "$NB" || return 1
    ip -n "$NA" link set lo up
    ip -n "$NB" link set lo up
    ip netns exec "$NA" "$XDRV" replay "$spec" --device "$model" --netdev "tap,ifname=xnd$sfx" \
        --wire "tap,ifname=xwire$sfx" --fallback "$B/drivers/$model.sys" \
        --inf "drivers/$model/$model.inf" >"$log" 2>&1 &
    pid=$!
    for i in $(seq 1 100); do grep -q "replay up" "$log" && break; sleep 0.1; done
    ip -n "$NA" link set "xwire$sfx" netns "$NB"
    if [ "${5:-}" = noipv6 ]; then
        ip netns exec "$NA" sysctl -qw "net.ipv6.conf.xnd$sfx.disable_ipv6=1"
        ip netns exec "$NB" sysctl -qw "net.ipv6.conf.xwire$sfx.disable_ipv6=1"
    fi
    ip -n "$NA" addr add 192.0.2.1/24 dev "xnd$sfx" && ip -n "$NA" link set "xnd$sfx" up
    ip -n "$NB" addr add 192.0.2.2/24 dev "xwire$sfx" && ip -n "$NB" link set "xwire$sfx" up
}

# fallback_filter NAME SPEC MODEL SUFFIX FLAG: the interface switched to
# FLAG (promisc, allmulticast), a filter the recording never showed, during
# traffic: the replayer hands the device to MODEL.sys, which carries on.
fallback_filter() {
    local name=$1 spec=$2 model=$3 sfx=$4 flag=$5
    netns_ok "$name" || return 0
    local NA="xdrvA$$" NB="xdrvB$$" out=$dir/fb$sfx.log pid i
    replay_fallback_up "$spec" "$model" "$sfx" "$out" || { ko "$name: cannot create namespaces"; return 0; }
    for i in $(seq 1 50); do ip -n "$NA" link show "xnd$sfx" | grep -q LOWER_UP && break; sleep 0.1; done
    local r
    r=$(ip netns exec "$NA" ping -c 5 -i 0.05 -W 2 192.0.2.2 2>&1 | grep -o '[0-9.]*% packet loss')
    [ "$r" = "0% packet loss" ] && ok "$name: ping through the replayed spec, $r" || ko "$name: ping before: ${r:-no reply}"
    ip -n "$NA" link set "xnd$sfx" "$flag" on
    for i in $(seq 1 100); do grep -q "adapter up" "$out" && break; sleep 0.1; done
    if grep -q "^replay: fallback: set-filter in state running: " "$out" && grep -q "adapter up" "$out"; then
        ok "$name: $flag: $(grep -m1 '^replay: fallback' "$out")"
    else
        ko "$name: no hand-over on $flag"; sed 's/^/   | /' "$out" | tail -20
    fi
    for i in $(seq 1 50); do ip -n "$NA" link show "xnd$sfx" | grep -q LOWER_UP && break; sleep 0.1; done
    r=$(ip netns exec "$NA" ping -c 20 -i 0.05 -W 2 192.0.2.2 2>&1 | grep -o '[0-9.]*% packet loss')
    [ "$r" = "0% packet loss" ] && ok "$name: the same interface carries traffic through the driver, $r" ||
        ko "$name: ping after the hand-over: ${r:-no reply}"
    kill -TERM $pid
    wait $pid
    local rc=$?
    if [ $rc -eq 0 ] && grep -q "fallbacks: 1" "$out"; then
        ok "$name: SIGTERM stops the driver, exit 0, the hand-over counted"
    else
        ko "$name: stop (exit $rc)"; sed 's/^/   | /' "$out" | tail -20
    fi
    ip netns del "$NA" 2>/dev/null
    ip netns del "$NB" 2>/dev/null
}
fallback_filter rtl8139-extracted-fallback "$s" rtl8139 0 promisc
# a ring driver takes over the rings the spec laid out: it resets the chip
fallback_filter pcnet-extracted-fallback "$p" pcnet 2 allmulticast

# ---- fallback on a receive the spec does not serve, nothing lost ----
# The NE2000's spec with its receive cut out (a spec from fewer traces
# would stop there too): one UDP datagram from the cable (no ARP: B knows
# A's MAC; no IPv6 chatter) is the first frame the device gets: the spec
# gives up on its interrupt, the driver takes the device over, and the
# datagram still reaches A's socket, given to the driver again. Then the
# interface carries traffic through it.
fallback_receive() {
    local name=ne2000-extracted-fallback
    netns_ok "$name" || return 0
    local NA="xdrvC$$" NB="xdrvD$$" out=$dir/nfb.log pid got=$dir/udp.got
    sed '/^on interrupt/,/^end/s/^    repeat 64$/    fallback "this test'"'"'s spec does not receive"\n    repeat 64/' "$n" >"$dir/n-norx.xsm"
    replay_fallback_up "$dir/n-norx.xsm" ne2000 1 "$out" noipv6 || { ko "$name: cannot create namespaces"; return 0; }
    ip -n "$NB" neigh add 192.0.2.1 lladdr 52:54:00:12:34:56 dev xwire1
    ip netns exec "$NA" timeout 10 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.1", 5005))
s.settimeout(8)
open(sys.argv[1], "wb").write(s.recvfrom(100)[0])' "$got" &
    local lpid=$!
    sleep 0.5
    ip netns exec "$NB" python3 -c '
import socket
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"sent once", ("192.0.2.1", 5005))'
    wait $lpid
    if grep -q "^replay: fallback: interrupt in state running: " "$out" &&
        grep -q "frame(s) the spec had received and not delivered given to the driver" "$out" &&
        [ "$(cat "$got" 2>/dev/null)" = "sent once" ]; then
        ok "$name: a receive the spec does not serve hands over; the datagram that caused it still arrives"
    else
        ko "$name: datagram '$(cat "$got" 2>/dev/null)'"; grep -v '^dbg' "$out" | sed 's/^/   | /' | tail -12
    fi
    local r
    r=$(ip netns exec "$NA" ping -c 20 -i 0.05 -W 2 192.0.2.2 2>&1 | grep -o '[0-9.]*% packet loss')
    [ "$r" = "0% packet loss" ] && ok "$name: then the same interface carries traffic through the driver, $r" ||
        ko "$name: ping after the hand-over: ${r:-no reply}"
    kill -TERM $pid
    wait $pid
    ip netns del "$NA" 2>/dev/null
    ip netns del "$NB" 2>/dev/null
}
fallback_receive

echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
