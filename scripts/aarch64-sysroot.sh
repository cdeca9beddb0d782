#!/bin/sh
# Makes the arm64 sysroot that `make aarch64` cross-builds xdrv against and
# that qemu-aarch64-static runs it in (-L): Debian's arm64 Unicorn, Capstone
# and libpcap with every shared library they need, plus libc6-dev, each .deb
# unpacked with dpkg-deb -x. Nothing is installed on the host. xdrv does not
# link the three (src/vm/libload.c): the build takes their headers, and the
# run dlopens their sonames, which the runtime packages (dependencies of the
# -dev ones) put in usr/lib/aarch64-linux-gnu, where qemu's -L finds them.
#
# Usage: scripts/aarch64-sysroot.sh [OUTDIR]   (default build/aarch64)
# Makes OUTDIR/sysroot, and OUTDIR/apt for apt's private state. Quick and
# offline when the sysroot already matches the host's versions.
#
# Why a private apt state rather than `dpkg --add-architecture arm64`: apt
# reads the host's sources and pins (/etc/apt) as usual, but its package
# lists, its cache and the dpkg status it resolves against are under OUTDIR,
# and APT::Architecture=arm64 makes it see only arm64 packages. The host's
# dpkg keeps its architecture list and apt lists untouched, and the empty
# status makes `apt-get install --download-only` fetch the whole dependency
# closure (libc6, libdbus-1-3 for libpcap, ...), which is what the cross
# linker and qemu need.
#
# Versions: each of libunicorn-dev, libcapstone-dev and libpcap-dev is taken
# at the version installed on the host (dpkg-query), ignoring a binNMU
# suffix (+bN differs between architectures), so both ISAs test the same
# Unicorn translator. The host's apt pins (e.g. Unicorn from trixie) apply
# to the dependencies as they do on the host.
set -u
out=${1:-build/aarch64}
root=$out/sysroot
log=$out/apt.log
LIBS="libunicorn-dev libcapstone-dev libpcap-dev libseccomp-dev"
die() { echo "aarch64-sysroot: $*" >&2; exit 1; }

key=""
for p in $LIBS; do
    v=$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null)
    [ -n "$v" ] || die "$p is not installed on the host (scripts/deps.sh installs it)"
    key="$key $p=$v"
done
# Up to date: same host versions as when the sysroot was made.
[ -f "$root/.host-versions" ] && [ "$(cat "$root/.host-versions")" = "$key" ] && exit 0

for t in apt-get apt-cache dpkg-deb; do
    command -v $t >/dev/null 2>&1 || die "$t not found"
done
mkdir -p "$out/apt/state/lists/partial" "$out/apt/cache/archives/partial" 2>/dev/null || die "cannot create $out/apt"
apt=$(cd "$out/apt" && pwd)
: >"$apt/status"
# As root apt downloads as user _apt, who may not be able to write under the
# build directory; the sandbox user is whoever runs this.
set -- -q -o Dir::State="$apt/state" -o Dir::State::status="$apt/status" \
    -o Dir::Cache="$apt/cache" -o APT::Architecture=arm64 -o APT::Architectures=arm64 \
    -o APT::Sandbox::User="$(id -un)"

echo "aarch64-sysroot: fetching arm64 package lists (log: $log)"
# A source that fails (a third-party repository without arm64) only matters
# if a package below cannot be found; that error names the log.
apt-get "$@" update >"$log" 2>&1 || echo "aarch64-sysroot: apt-get update reported errors (see $log)"

want=""
for kv in $key; do
    p=${kv%%=*} hv=${kv#*=}
    base=$(echo "$hv" | sed 's/+b[0-9]*$//')
    v=$(apt-cache "$@" madison "$p" 2>>"$log" | awk -F'|' '{gsub(/ /, "", $2); print $2}' |
        while read -r av; do
            [ "$(echo "$av" | sed 's/+b[0-9]*$//')" = "$base" ] && { echo "$av"; break; }
        done)
    [ -n "$v" ] || die "no arm64 $p matching the host's $hv in the apt sources (see $log)"
    want="$want $p=$v"
done

apt-get "$@" clean >>"$log" 2>&1
echo "aarch64-sysroot: downloading$want and their dependencies (arm64)"
# shellcheck disable=SC2086 # $want is a list of words
apt-get "$@" install --download-only -y --no-install-recommends libc6-dev $want >>"$log" 2>&1 ||
    die "apt-get could not download the arm64 packages (see $log)"

rm -rf "$root"
mkdir -p "$root" || die "cannot create $root"
n=0
for deb in "$apt/cache/archives"/*.deb; do
    [ -e "$deb" ] || die "apt-get downloaded nothing (see $log)"
    dpkg-deb -x "$deb" "$root" || die "dpkg-deb -x failed on $deb"
    dpkg-deb -f "$deb" Package Version | paste -sd' ' >>"$root/.packages"
    n=$((n + 1))
done
[ -e "$root/lib/ld-linux-aarch64.so.1" ] || [ -e "$root/usr/lib/ld-linux-aarch64.so.1" ] ||
    die "no arm64 dynamic loader in $root (see $log)"
[ -e "$root/usr/include/unicorn/unicorn.h" ] || die "no unicorn.h in $root (see $log)"
# the sonames xdrv dlopens (src/vm/uc_lib.h, src/vm/cs_lib.h, src/host/pcap.c)
for so in libunicorn.so.2 libcapstone.so.4 libpcap.so.0.8; do
    [ -e "$root/usr/lib/aarch64-linux-gnu/$so" ] || die "no $so in $root (see $log)"
done
# Debian's merged /usr: libc6 of one release ships /lib, of the next /usr/lib.
[ -e "$root/lib" ] || ln -s usr/lib "$root/lib"
apt-get "$@" clean >>"$log" 2>&1   # the unpacked tree is what is kept
echo "$key" >"$root/.host-versions"
echo "aarch64-sysroot: $n packages unpacked into $root:$want"
