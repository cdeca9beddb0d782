#!/bin/bash
# The driver store (issue 12, part 1): xdrv install / list / remove on the
# project's NIC drivers and on hand-made driver packages (an INF naming a
# file that is not there, a driver with an import xdrv lacks, a file name
# in another case than the INF's), each error one line with an honest exit
# status, and nothing left behind by an install that fails.
set -u
cd "$(dirname "$0")/../.." || exit 1
XDRV=${XDRV:-build/xdrv}
B=${BUILD:-build}
pass=0 fail=0 skip=0
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
S=$dir/store

ok() { pass=$((pass + 1)); echo "PASS $1"; }
bad() {
    fail=$((fail + 1)); echo "FAIL $1"
    [ -n "${2:-}" ] && [ -f "$2" ] && tail -n 10 "$2" | sed 's/^/   | /'
}
# NAME EXPECTED-RC CMD...: exits EXPECTED-RC with exactly one line on stderr
one_line() {
    local name=$1 want=$2; shift 2
    "$@" >"$dir/o.out" 2>"$dir/o.err"; local rc=$?
    if [ $rc -eq "$want" ] && [ "$(wc -l <"$dir/o.err")" -eq 1 ] && ! grep -q Sanitizer "$dir/o.err"; then
        ok "$name: exit $rc, $(cat "$dir/o.err")"
    else
        bad "$name: exit $rc (wanted $want), $(wc -l <"$dir/o.err") line(s) on stderr" "$dir/o.err"
    fi
}

for d in rtl8139 ne2000 pcnet e1000; do
    if [ ! -f "$B/drivers/$d.sys" ]; then
        skip=$((skip + 1)); echo "SKIP install $d: $B/drivers/$d.sys not built"; continue
    fi
    if "$XDRV" install "drivers/$d/$d.inf" --from "$B/drivers" --store "$S" >"$dir/i.out" 2>&1 &&
        [ -f "$S/$d/$d.inf" ] && cmp -s "$S/$d/$d.sys" "$B/drivers/$d.sys" &&
        grep -q "^imports = \([0-9]*\) of \1$" "$S/$d/xdrv-driver" &&
        grep -q "^device = $d," "$S/$d/xdrv-driver"; then
        ok "install $d: $(cat "$dir/i.out")"
    else
        bad "install $d" "$dir/i.out"
    fi
done
"$XDRV" list --store "$S" >"$dir/l.out" 2>&1
if [ $? -eq 0 ] && [ "$(sed -n 1p "$dir/l.out" | awk '{print $1, $2, $3, $4, $5}')" = "NAME VERSION PROVIDER IMPORTS DEVICE" ] &&
    [ "$(tail -n +2 "$dir/l.out" | awk '{print $1}' | tr '\n' ' ')" = "e1000 ne2000 pcnet rtl8139 " ] &&
    grep -q "^rtl8139 *1.0.0.0 *xdrv *57/57 *rtl8139 (Realtek RTL8139" "$dir/l.out"; then
    ok "list: the four drivers, sorted, with version, provider, imports and device"
else
    bad "list" "$dir/l.out"
fi
"$XDRV" list --store "$S" --json >"$dir/l.json" 2>&1
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [x["name"] for x in d["drivers"]]==["e1000","ne2000","pcnet","rtl8139"]; assert all(x["imports"]==x["imports_total"] for x in d["drivers"])' "$dir/l.json" 2>"$dir/j.err"; then
    ok "list --json parses, the same drivers"
else
    bad "list --json" "$dir/j.err"
fi
# XDRV_STORE names the store; --store wins over it
if XDRV_STORE="$S" "$XDRV" list | grep -q '^pcnet ' &&
    XDRV_STORE="$dir/none" "$XDRV" list --store "$S" | grep -q '^pcnet '; then
    ok "XDRV_STORE names the store, --store overrides it"
else
    bad "XDRV_STORE / --store"
fi
XDRV_STORE="$dir/empty" "$XDRV" list >"$dir/e.out" 2>&1
[ $? -eq 0 ] && grep -q "no drivers installed in $dir/empty" "$dir/e.out" && [ ! -e "$dir/empty" ] &&
    ok "an empty store lists nothing, and is not created by list" || bad "empty store" "$dir/e.out"

# the same name again: refused; --force replaces it
one_line "install over an installed driver" 1 "$XDRV" install drivers/rtl8139/rtl8139.inf --from "$B/drivers" --store "$S"
if "$XDRV" install drivers/rtl8139/rtl8139.inf --from "$B/drivers" --store "$S" --force >/dev/null 2>&1 &&
    [ -f "$S/rtl8139/xdrv-driver" ] && [ ! -e "$S/.rtl8139.new" ]; then
    ok "install --force replaces it"
else
    bad "install --force"
fi
if "$XDRV" install drivers/ne2000/ne2000.inf --from "$B/drivers" --store "$S" --name nic-2 >/dev/null 2>&1 &&
    grep -q "^name = nic-2$" "$S/nic-2/xdrv-driver"; then
    ok "install --name: a second copy under another name"
else
    bad "install --name"
fi

# hand-made packages: the project's RTL8139 INF with other files
pkg=$dir/pkg
mkdir -p "$pkg"
cp drivers/rtl8139/rtl8139.inf "$pkg/"
one_line "install: the INF's driver image is not there" 2 "$XDRV" install "$pkg/rtl8139.inf" --store "$S" --name lost
[ ! -e "$S/lost" ] && [ ! -e "$S/.lost.new" ] && ok "a failed install leaves nothing in the store" ||
    bad "a failed install left files"
cp "$B/drivers/rtl8139.sys" "$pkg/RTL8139.SYS"
if "$XDRV" install "$pkg/rtl8139.inf" --store "$S" --name upper >/dev/null 2>&1 && [ -f "$S/upper/RTL8139.SYS" ]; then
    ok "install finds RTL8139.SYS for the INF's rtl8139.sys (names match without regard to case)"
else
    bad "install with a file name in another case"
fi
# a driver image importing something xdrv does not implement
if [ -f "$B/drivers/fault_missing.sys" ]; then
    mkdir -p "$dir/miss"
    sed 's/rtl8139\.sys/missing.sys/I' drivers/rtl8139/rtl8139.inf >"$dir/miss/missing.inf"
    cp "$B/drivers/fault_missing.sys" "$dir/miss/missing.sys"
    one_line "install: an import xdrv lacks" 2 "$XDRV" install "$dir/miss/missing.inf" --store "$S" --name miss
    grep -q "IoRegisterFsRegistrationChange" "$dir/o.err" && ok "the error names the missing import" ||
        bad "the missing import is not named" "$dir/o.err"
    if "$XDRV" install "$dir/miss/missing.inf" --store "$S" --name miss --allow-missing >"$dir/m.out" 2>&1 &&
        grep -q "not implemented (a run stops at the first call): .*IoRegisterFsRegistrationChange" "$dir/m.out" &&
        "$XDRV" list --store "$S" | grep -q "^miss .* 1/2 "; then
        ok "install --allow-missing installs it, says what is missing; list shows 1/2"
    else
        bad "install --allow-missing" "$dir/m.out"
    fi
else
    skip=$((skip + 1)); echo "SKIP missing imports: fault_missing.sys not built"
fi
# an INF that is not a network adapter's, a malformed one, a CopyFiles to nowhere
printf '[Version]\nSignature="$Windows NT$"\nClass=System\n[Manufacturer]\nX=M\n[M]\nThing=T.Install,PCI\\VEN_1234&DEV_5678\n[T.Install]\n' >"$dir/sys.inf"
one_line "install: an INF no model presents" 2 "$XDRV" install "$dir/sys.inf" --store "$S"
printf '[Version\nbroken' >"$dir/broken.inf"
one_line "install: a malformed INF" 2 "$XDRV" install "$dir/broken.inf" --store "$S"
sed 's/^CopyFiles *=.*/CopyFiles = Nowhere.Files/' drivers/rtl8139/rtl8139.inf >"$pkg/nowhere.inf"
one_line "install: CopyFiles names a section the INF lacks" 2 "$XDRV" install "$pkg/nowhere.inf" --store "$S"
one_line "install: no such INF" 2 "$XDRV" install "$dir/none.inf" --store "$S"
one_line "install: a bad --name" 1 "$XDRV" install drivers/rtl8139/rtl8139.inf --store "$S" --name ../x
one_line "install: --device not a NIC model" 1 "$XDRV" install drivers/rtl8139/rtl8139.inf --store "$S" --device testdev
one_line "install: two INFs" 1 "$XDRV" install a.inf b.inf
one_line "install: no INF" 1 "$XDRV" install
one_line "install: --store on a file" 5 "$XDRV" install drivers/rtl8139/rtl8139.inf --from "$B/drivers" --store "$dir/sys.inf" --name x

# a record someone broke: list says so and exits 2
mkdir -p "$S/junk"
echo "not a record" >"$S/junk/xdrv-driver"
"$XDRV" list --store "$S" >"$dir/j.out" 2>&1
[ $? -eq 2 ] && grep -q "^junk *unreadable: .*not an xdrv driver record" "$dir/j.out" && grep -q "^pcnet " "$dir/j.out" &&
    ok "list: an unreadable record is named (exit 2), the others still listed" || bad "list with a broken record" "$dir/j.out"

# remove
if "$XDRV" remove pcnet --store "$S" >"$dir/r.out" 2>&1 && [ ! -e "$S/pcnet" ] &&
    ! "$XDRV" list --store "$S" | grep -q '^pcnet '; then
    ok "remove pcnet: $(cat "$dir/r.out")"
else
    bad "remove" "$dir/r.out"
fi
one_line "remove: not installed" 2 "$XDRV" remove pcnet --store "$S"
one_line "remove: not a name" 2 "$XDRV" remove ../etc --store "$S"
one_line "remove: no name" 1 "$XDRV" remove
one_line "list: an unknown option" 1 "$XDRV" list --bogus
for c in install list remove; do
    "$XDRV" $c --help >"$dir/h.out" 2>&1 && grep -q "^usage: xdrv $c" "$dir/h.out" &&
        ok "$c --help" || bad "$c --help" "$dir/h.out"
done
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
