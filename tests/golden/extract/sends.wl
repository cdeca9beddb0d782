xdrv-workload 1
# Sends only (tests/guest/test_extract.sh): the equivalence check for a
# spec that serves sends but not yet receives (the NE2000's, whose receive
# ring walk extract does not generalise yet): bring-up, the binding's
# filter, sends across the lengths (short ones padded), halt.
seed 7
init
filter directed multicast broadcast
send len=60..1514 step=151 place=in-page
send len=14 place=in-page
send len=59 place=in-page
send len=61 place=in-page
send len=1514 place=in-page
send len=100 place=in-page
halt
