#!/bin/bash
# The main job (`make demo`): a Windows network driver, translated, running
# in an unprivileged-style user process, carrying real Linux traffic.
#  1. xdrv info on the bundled RTL8139 NDIS driver;
#  2. as root: two network namespaces, the driver on the RTL8139 model as
#     interface xnd0 in namespace A, its cable as xwire0 in namespace B;
#     ping both ways, 20 MB over TCP, link down/up, clean halt; then the
#     namespaces are deleted;
#  3. a driver that dereferences NULL, contained in its process.
set -u
cd "$(dirname "$0")/.." || exit 1
X=build/xdrv
echo "### xdrv info build/drivers/rtl8139.sys"
$X info build/drivers/rtl8139.sys | sed -n '1,12p;/^imports implemented/p'
echo
if [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ]; then
    echo "### xdrv run build/drivers/rtl8139.sys --inf drivers/rtl8139/rtl8139.inf --device rtl8139 \\"
    echo "###     --netdev tap,ifname=xnd0 --wire tap,ifname=xwire0   (namespaces A and B)"
    export BUILD=build XDRV=$X
    . tests/guest/netns-lib.sh
    nic_test rtl8139 build/drivers/rtl8139.sys drivers/rtl8139/rtl8139.inf \
        "rtl8139,mac=02:00:5e:81:39:01" "02:00:5e:81:39:01"
    echo "demo: $pass checks passed, $fail failed"
else
    echo "### (the network part needs root and /dev/net/tun: run 'sudo make demo')"
fi
echo
echo "### xdrv run build/drivers/fault_null.sys   (a driver that dereferences NULL)"
$X run build/drivers/fault_null.sys
echo "(exit status $?: the fault stayed inside xdrv's process)"
