xdrv-workload 1
# A compact session for the extract golden (tests/guest/test_extract.sh):
# bring-up, the binding's filter, sends across the lengths (short ones
# padded), receives one at a time and in bursts past the ring's wrap, the
# link pulled and plugged, a few filters, halt. Sends put each frame within
# one 4 KB page (place=in-page): a driver that maps the OS's frame (the
# 8254x) then uses one descriptor for it, as the spec will for its copy.
seed 7
init
filter directed multicast broadcast
send len=60..1514 step=151 place=in-page
send len=14 place=in-page
send len=59 place=in-page
send len=61 place=in-page
send len=1514 place=in-page
receive len=60..1514 step=151
receive len=1514 burst=8
receive len=1514 burst=8
receive len=1514 burst=8
receive len=60..1514 step=97
receive len=1514
link down
wait ms=2500
link up
wait ms=2500
filter directed broadcast
filter directed broadcast promiscuous
filter directed multicast broadcast
send len=100 place=in-page
receive len=100
halt
