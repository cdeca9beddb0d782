#!/bin/bash
# The project's Intel 82540EM NDIS 5.1 driver (deserialized, scatter-gather
# DMA, memory-mapped registers) on the 82540EM model, as a Linux network
# interface: ping both ways, 20 MB over TCP, MAC, link changes.
cd "$(dirname "$0")/../.." || exit 1
. tests/guest/netns-lib.sh
nic_test e1000 "$BUILD/drivers/e1000.sys" drivers/e1000/e1000.inf "e1000,mac=02:00:5e:10:00:01" \
    "02:00:5e:10:00:01"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
