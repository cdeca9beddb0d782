xdrv-workload 1
# Sends only (tests/guest/test_extract.sh): the equivalence check for a
# spec that serves sends but not yet receives (the NE2000's, whose receive
# ring walk extract does not generalise yet): bring-up, the binding's
# filter, sends across the lengths (short ones padded), halt.
seed 7
init
filter directed multicast broadcast
send len=60..1514 step=151
send len=14
send len=59
send len=61
send len=1514
send len=100
halt
