#!/bin/sh
# Guest faults end in a report, never a host crash: each fault driver
# (drivers/fault_*) runs under `xdrv run` and must stop with the expected
# exit status and a report naming the fault kind, the faulting site as
# <driver>.sys+0x<offset> and the disassembled faulting instruction.
# One case per line in the table below; prints "PASS name" / "FAIL name: why"
# per case and "N passed, N failed"; exits 1 on any failure.
# Env: XDRV (default build/xdrv), BUILD (default build).
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
BUILD=${BUILD:-build}

# name | driver | xdrv run options | exit status | texts stderr must
# contain (';'-separated, fixed strings) | extended regex the disassembled
# instruction of the report's "  at <where>: <instruction>" line must match
# ("-": no report expected, e.g. load refused). For every case with a
# report, stderr must also name the faulting site as <driver>.sys+0x...
# Only the last column may contain '|' (read gives it the rest of the line).
CASES='
null_deref      | fault_null    |                  | 3 | fault: unmapped memory access;NULL pointer dereference | ^mov\>
endless_loop    | fault_loop    | --budget 2000000 | 3 | fault: instruction budget exhausted | ^(mov|add|test|je|jne|nop|lea)\>
stack_overflow  | fault_stack   |                  | 3 | fault: stack overflow | ^(push|call|mov|sub)\>
missing_refused | fault_missing |                  | 2 | ntoskrnl.exe!IoRegisterFsRegistrationChange | -
missing_called  | fault_missing | --allow-missing  | 3 | fault: missing import called;ntoskrnl.exe!IoRegisterFsRegistrationChange | ^[a-z]
divide_error    | fault_divide  |                  | 3 | fault: divide error | ^div\>
invalid_opcode  | fault_opcode  |                  | 3 | fault: invalid opcode | ^ud2\>
irql_wait       | fault_irql    |                  | 3 | fault: IRQL violation;KeWaitForSingleObject called at IRQL 2;called from fault_irql.sys+0x | -
bugcheck        | fault_bugcheck |                 | 3 | fault: bug check;KeBugCheckEx(0x000000D1 DRIVER_IRQL_NOT_LESS_OR_EQUAL, 0x12345678;called from fault_bugcheck.sys+0x | -
wild_write      | fault_wildwrite |                | 3 | fault: unmapped memory access;write of 4 bytes at unmapped address 0xc0000010 | ^mov\>
stall_hang      | fault_stall   | --call-timeout 2 | 3 | fault: hung (the call watchdog);s of virtual time without returning (at most 2 s | -
'

pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
trim() { printf '%s' "$1" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//'; }

if [ ! -x "$XDRV" ]; then
    echo "FAIL setup: $XDRV not built"
    echo "0 passed, 1 failed"
    exit 1
fi
out=$(mktemp) || exit 1
trap 'rm -f "$out" "$out.stdout"' EXIT

run_case() {
    name=$(trim "$1") drv=$(trim "$2") opts=$(trim "$3") want=$(trim "$4")
    texts=$(trim "$5") insn=$(trim "$6")
    sys="$BUILD/drivers/$drv.sys"
    if [ ! -f "$sys" ]; then
        ko "$name" "$sys not built"
        return
    fi
    # shellcheck disable=SC2086
    timeout 30 "$XDRV" run $opts "$sys" </dev/null >"$out.stdout" 2>"$out"
    st=$?
    if [ "$st" -eq 124 ]; then
        ko "$name" "timed out after 30 s"
        return
    fi
    if [ "$st" -ge 128 ]; then
        ko "$name" "xdrv died with signal $((st - 128))"
        return
    fi
    if [ "$st" != "$want" ]; then
        ko "$name" "exit status $st, want $want ($(grep -m 1 . "$out"))"
        return
    fi
    # The first line of a fault report is "fault: <kind>: <text>".
    if [ "$want" = 3 ] && ! grep -q '^fault: ' "$out"; then
        ko "$name" "no 'fault: ' line"
        return
    fi
    missing=$(printf '%s\n' "$texts" | tr ';' '\n' | while IFS= read -r t; do
        [ -n "$t" ] && ! grep -qF -- "$t" "$out" && printf '"%s" ' "$t"
    done)
    if [ -n "$missing" ]; then
        ko "$name" "output lacks $missing"
        return
    fi
    if [ "$insn" != "-" ]; then
        if ! grep -qF "$drv.sys+0x" "$out"; then
            ko "$name" "report does not name the faulting site '$drv.sys+0x...'"
            return
        fi
        # "  at fault_x.sys+0x1f: mov eax, dword ptr [eax + 4]"; the place may
        # carry a note in parentheses, the instruction has no ": " in it
        at=$(grep -m 1 '^ *at .*: ' "$out" | sed 's/.*: //')
        if ! printf '%s\n' "$at" | grep -qE -- "$insn"; then
            ko "$name" "faulting instruction '$at' does not match /$insn/ ($(grep -m 1 '^ *at ' "$out" | sed 's/^ *//'))"
            return
        fi
    fi
    ok "$name"
}

while IFS='|' read -r c1 c2 c3 c4 c5 c6; do
    [ -n "$(trim "$c1")" ] || continue
    run_case "$c1" "$c2" "$c3" "$c4" "$c5" "$c6"
done <<EOF_CASES
$CASES
EOF_CASES
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
