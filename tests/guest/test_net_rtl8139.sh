#!/bin/bash
# The project's RTL8139 NDIS 5.1 driver on the RTL8139 model, as a Linux
# network interface: ping both ways, 20 MB over TCP, MAC, link changes.
cd "$(dirname "$0")/../.." || exit 1
. tests/guest/netns-lib.sh
nic_test rtl8139 "$BUILD/drivers/rtl8139.sys" drivers/rtl8139/rtl8139.inf "rtl8139,mac=02:00:5e:81:39:01" \
    "02:00:5e:81:39:01"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
