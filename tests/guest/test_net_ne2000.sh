#!/bin/bash
# The project's NE2000 NDIS 4.0 driver (programmed I/O, lookahead indication
# + MiniportTransferData) on the NE2000 model, as the RTL8029AS PCI card and
# as an ISA card whose resources come from its parameters: ping both ways,
# 20 MB over TCP, MAC from the PROM. The DP8390 has no link status.
cd "$(dirname "$0")/../.." || exit 1
. tests/guest/netns-lib.sh
nic_test ne2000 "$BUILD/drivers/ne2000.sys" drivers/ne2000/ne2000.inf "ne2000,mac=02:00:5e:80:29:01" \
    "02:00:5e:80:29:01" nolink
nic_test ne2000-isa "$BUILD/drivers/ne2000.sys" drivers/ne2000/ne2000.inf \
    "ne2000-isa,io=0x320,irq=5,mac=02:00:5e:00:03:20" "02:00:5e:00:03:20" nolink
echo "$pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
