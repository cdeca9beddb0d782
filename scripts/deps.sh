#!/bin/sh
# Checks the Debian packages xdrv builds and tests with. As root it installs
# the missing ones with apt-get; otherwise it prints the exact apt-get line
# and fails, so the build never goes on half-equipped.
set -u
# xdrv does not link Capstone, libpcap, libseccomp and Unicorn but dlopens them
# when first needed (src/vm/libload.c, src/host/pcap.c, src/manager/sandbox.c):
# the build needs the -dev packages' headers, every run that starts a machine,
# a capture or a sandbox needs the runtime packages, named here for that
# (Unicorn's: UC_PKGS below).
PKGS="gcc make pkg-config libunicorn-dev libcapstone-dev libcapstone4 gcc-mingw-w64-i686 \
libcmocka-dev libpcap-dev libpcap0.8 libseccomp-dev libseccomp2 clang libclang-rt-14-dev iproute2 iputils-ping python3 \
gcc-aarch64-linux-gnu qemu-user-static"
missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

# ---- Unicorn >= 2.1 (issue 8) ------------------------------------------
# xdrv needs Unicorn 2.1 or newer (src/vm/vm.c refuses older headers): a
# guest store-loop iteration takes ~71 ns under Debian 12's 2.0.1 and ~2.5
# ns under 2.1 (docs/performance.md). Debian 13 (trixie) ships 2.1 as libunicorn2t64 and
# libunicorn-dev, which need nothing newer than Debian 12 has (libc6 >=
# 2.34), so on Debian 12 they come from trixie, through the mirror the
# system's own apt sources already use, pinned (apt_preferences(5): the
# first specific record matching a version decides its priority, else the
# highest generic one) so that nothing else ever comes from trixie:
#   Package: *                            Pin: release n=trixie  Priority -1
#   Package: libunicorn2t64 libunicorn-dev Pin: release n=trixie  Priority 600
# -1 means never installed and never an upgrade candidate; 600 is above
# the default 500, so trixie's Unicorn wins over bookworm's and stays. Where
# the distribution's own libunicorn-dev is 2.1 or newer (Debian 13 on) it is
# simply installed with the rest and nothing is added. The check that runs on
# every make is one dpkg-query.
UC_MIN=2.1
UC_PKGS="libunicorn2t64 libunicorn-dev"
UC_SRC=/etc/apt/sources.list.d/xdrv-unicorn-trixie.sources
UC_PREF=/etc/apt/preferences.d/xdrv-unicorn-trixie
uc_have=$(dpkg-query -W -f='${Status} ${Version}' libunicorn-dev 2>/dev/null |
          sed -n 's/^install ok installed //p')
if [ -n "$uc_have" ] && dpkg --compare-versions "$uc_have" ge "$UC_MIN"; then
    :   # already 2.1 or newer
elif [ "$(. /etc/os-release && echo "${VERSION_CODENAME:-}")" != bookworm ]; then
    # Debian 13 and later: the distribution's own packages (older ones
    # installed are upgraded by the apt-get install below)
    for p in $UC_PKGS; do
        case " $missing " in *" $p "*) ;; *) missing="$missing $p" ;; esac
    done
else
    # the Debian archive mirror of the bookworm entry in the system's sources
    uc_uri=$(apt-get indextargets --format '$(REPO_URI)' 'Release: bookworm' \
             'Identifier: Packages' 2>/dev/null | head -n 1)
    if [ -z "$uc_uri" ]; then
        echo "deps: Unicorn >= $UC_MIN comes from Debian 13, but no apt source for bookworm was found to take its mirror from" >&2
        exit 1
    fi
    uc_src_text="# Written by xdrv's scripts/deps.sh: Debian 13 (trixie), for Unicorn >= $UC_MIN
# only; $UC_PREF keeps everything else from coming from it.
Types: deb
URIs: $uc_uri
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    # trixie's Release files are signed with keys Debian 12 got in
    # debian-archive-keyring 2023.3+deb12u2 (its changelog)
    uc_keys=""
    dpkg --compare-versions "$(dpkg-query -W -f='${Version}' debian-archive-keyring 2>/dev/null)" \
        ge 2023.3+deb12u2 || uc_keys=debian-archive-keyring
    uc_pref_text="Explanation: xdrv (scripts/deps.sh): nothing from Debian 13 (trixie) ...
Package: *
Pin: release n=trixie
Pin-Priority: -1

Explanation: ... but Unicorn >= $UC_MIN, which Debian 12 lacks
Package: $UC_PKGS
Pin: release n=trixie
Pin-Priority: 600"
    if [ "$(id -u)" = 0 ]; then
        echo "deps: Unicorn ${uc_have:-(none)} is older than $UC_MIN: installing $UC_PKGS from Debian 13 ($uc_uri, pinned: $UC_PREF)"
        export DEBIAN_FRONTEND=noninteractive
        if [ -n "$uc_keys" ]; then
            apt-get update -qq && apt-get install -y -qq -o DPkg::Lock::Timeout=120 $uc_keys >/dev/null || {
                echo "deps: updating $uc_keys (trixie's signing keys) failed" >&2; exit 1; }
        fi
        # rewritten only when different: running this twice changes nothing
        [ "$(cat "$UC_SRC" 2>/dev/null)" = "$uc_src_text" ] || printf '%s\n' "$uc_src_text" >"$UC_SRC"
        [ "$(cat "$UC_PREF" 2>/dev/null)" = "$uc_pref_text" ] || printf '%s\n' "$uc_pref_text" >"$UC_PREF"
        apt-get update -qq -o DPkg::Lock::Timeout=120 &&
            apt-get install -y -qq -o DPkg::Lock::Timeout=120 $UC_PKGS >/dev/null || {
            echo "deps: installing $UC_PKGS from Debian 13 failed (sources: $UC_SRC, pins: $UC_PREF)" >&2
            exit 1; }
        uc_have=$(dpkg-query -W -f='${Version}' libunicorn-dev)
        dpkg --compare-versions "$uc_have" ge "$UC_MIN" || {
            echo "deps: libunicorn-dev is $uc_have after the install, not >= $UC_MIN" >&2; exit 1; }
    else
        echo "deps: Unicorn ${uc_have:-(none)} is older than $UC_MIN; as root, run:" >&2
        [ -n "$uc_keys" ] && echo "sudo apt-get update && sudo apt-get install -y $uc_keys" >&2
        printf "sudo tee %s >/dev/null <<'EOF'\n%s\nEOF\n" "$UC_SRC" "$uc_src_text" >&2
        printf "sudo tee %s >/dev/null <<'EOF'\n%s\nEOF\n" "$UC_PREF" "$uc_pref_text" >&2
        echo "sudo apt-get update && sudo apt-get install -y $UC_PKGS" >&2
        [ -z "$missing" ] && exit 1
    fi
fi
# ---- end of the Unicorn block --------------------------------------------

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
