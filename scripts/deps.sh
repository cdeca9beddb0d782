#!/bin/sh
# Checks the Debian packages xdrv builds and tests with. As root it installs
# the missing ones with apt-get; otherwise it prints the exact apt-get line
# and fails, so the build never goes on half-equipped.
set -u
PKGS="gcc make pkg-config libunicorn-dev libcapstone-dev gcc-mingw-w64-i686 \
libcmocka-dev libpcap-dev clang libclang-rt-14-dev iproute2 iputils-ping python3"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq $missing >/dev/null || {
        echo "deps: apt-get install failed for:$missing" >&2; exit 1; }
    exit 0
fi
echo "deps: missing Debian packages:$missing" >&2
echo "deps: run: sudo apt-get install -y$missing" >&2
exit 1
