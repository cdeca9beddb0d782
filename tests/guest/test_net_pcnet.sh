#!/bin/bash
# The project's PCnet NDIS 5.1 driver (deserialized, scatter-gather DMA) on
# the Am79C970A model, as a Linux network interface: ping both ways, 20 MB
# over TCP, MAC, link changes.
cd "$(dirname "$0")/../.." || exit 1
. tests/guest/netns-lib.sh
nic_test pcnet "$BUILD/drivers/pcnet.sys" drivers/pcnet/pcnet.inf "pcnet,mac=02:00:5e:97:0a:01" \
    "02:00:5e:97:0a:01"
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
