#!/bin/bash
# xdrv verify (issue 11): the example specification is safe, with and
# without the RTL8139's datasheet facts; a hand edit that points the chip at
# arbitrary memory, loops without bound or reaches outside the chip's window
# is refused with its line and exit 2; hiding a DMA register by dropping its
# `dma` is caught by --device; bad arguments exit 1.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
G=tests/golden/spec/rtl8139-like.xsm
pass=0 fail=0 skip=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && [ -f "$2" ] && sed 's/^/   | /' "$2"; }

for dev in "" rtl8139; do
    "$XDRV" verify "$G" ${dev:+--device $dev} >"$dir/out" 2>"$dir/err"
    rc=$?
    if [ $rc -eq 0 ] && grep -q ": safe" "$dir/out" && [ ! -s "$dir/err" ]; then ok "the example is safe${dev:+ for the $dev}"
    else bad "the example: exit $rc" "$dir/err"; fi
done

# hostile edit: sed expression, what verify must say
refuse() {
    local name=$1 expr=$2 want=$3 dev=${4:-}
    sed -e "$expr" "$G" >"$dir/h.xsm"
    if cmp -s "$dir/h.xsm" "$G"; then bad "$name: the edit changed nothing"; return; fi
    "$XDRV" verify "$dir/h.xsm" ${dev:+--device $dev} >"$dir/out" 2>"$dir/err"
    local rc=$?
    # refused by the checks (a summary line closes them) or by the parser
    if [ $rc -eq 2 ] && grep -q "$want" "$dir/err" && ! grep -q Sanitizer "$dir/err" &&
        { tail -1 "$dir/err" | grep -q "not safe to replay" || [ "$(wc -l <"$dir/err")" -eq 1 ]; }; then
        ok "$name: refused: $(grep "$want" "$dir/err" | head -1)"
    else
        bad "$name: exit $rc" "$dir/err"
    fi
}
refuse "DMA to an arbitrary address" 's|write RBSTART addr(rxbuf)|write RBSTART 0x1000|' \
    "h.xsm:[0-9]*: RBSTART takes a DMA address"
refuse "a descriptor pointing outside its buffer" 's|store txd\[cur\] 8 4 addr(txbuf\[cur\])|store txd[cur] 8 4 addr(txbuf[cur]) + 4096|' \
    "the offset added to addr(txbuf) may be 4096"
refuse "a register outside the window" 's|^reg TPPOLL   io 0xd9 1|reg TPPOLL   io 0x1d9 1|' \
    "TPPOLL reaches byte"
refuse "a poll without a bound" 's|max 1000|max 0|' "h.xsm:54: poll max 0 out of range"
refuse "a DMA register hidden by dropping dma" 's|^reg RBSTART  io 0x30 4 dma|reg RBSTART  io 0x30 4|' \
    "RBSTART is the rtl8139's RBSTART, which takes a DMA address: declare it dma" rtl8139

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
check_err "no such file" 2 "$XDRV" verify "$dir/none.xsm"
check_err "not a spec" 2 "$XDRV" verify tests/golden/analyze/rtl8139-sends.md
check_err "unknown model" 1 "$XDRV" verify "$G" --device tulip
check_err "unknown option" 1 "$XDRV" verify "$G" --frobnicate
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
