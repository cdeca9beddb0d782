xdrv-workload 1
# every request and parameter form once
seed 0xdeadbeefcafef00d
init
send len=14..20 step=3 payload=zero dest=multicast count=2
receive len=1500..1514 step=7 payload=counter dest=other burst=4096
filter none
filter directed multicast all-multicast broadcast promiscuous
multicast add 01:00:5e:00:00:01 33:33:ff:AB:cd:ef
multicast remove 33:33:ff:ab:cd:ef
multicast clear
query OID_GEN_LINK_SPEED
query oid_802_3_multicast_list
query 0x00ffff01
query 4261478656
set OID_GEN_CURRENT_LOOKAHEAD 128
set OID_802_3_MULTICAST_LIST 01:00:5e:00:00:01
set 0x00ffff01 hex:000102030405060708
link down
link up
inject rx-overflow count=4096
inject rx-burst
inject tx-error
inject tx-underrun
inject spurious-interrupt
inject link-loss-send
wait ms=60000
reset
halt
reinit
query OID_GEN_LINK_SPEED len=0
query 0x00ffff01 len=0x400
fail NdisMMapIoSpace
fail _x9 nth=1000
param *SpeedDuplex dword:4294967295
param NetworkAddress 02AABBCCDDEE
shutdown
