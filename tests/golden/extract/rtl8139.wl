xdrv-workload 1
# A compact session for the extract golden (tests/guest/test_extract.sh):
# bring-up, the binding's filter, sends across the lengths (short ones
# padded), receives one at a time and in bursts past the ring's wrap, the
# link pulled and plugged, a few filters, halt.
seed 7
init
filter directed multicast broadcast
send len=60..1514 step=151
send len=14
send len=59
send len=61
send len=1514
receive len=60..1514 step=151
receive len=1514 burst=8
receive len=1514 burst=8
receive len=1514 burst=8
receive len=60..1514 step=97
receive len=1514
link down
wait ms=1500
link up
wait ms=1500
filter directed broadcast
filter directed broadcast promiscuous
filter directed multicast broadcast
send len=100
receive len=100
halt
