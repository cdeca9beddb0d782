xdrv-workload 1
# Sends and receives (tests/guest/test_extract.sh): the equivalence check
# for a spec that serves both (the 8254x's): bring-up, the binding's
# filter, sends across the lengths, receives one at a time and in bursts
# past the receive ring's wrap (64 descriptors), halt. No link flap and no
# waits: when the driver's timer runs is not the spec's to match.
seed 11
init
filter directed multicast broadcast
send len=60..1514 step=151 place=in-page
send len=14 place=in-page
receive len=60..1514 step=97
receive len=1514 burst=8
receive len=1514 burst=8
receive len=1514 burst=8
receive len=1514 burst=8
receive len=64 burst=8
receive len=1514 burst=8
receive len=1514 burst=8
receive len=1514 burst=8
send len=100 place=in-page
receive len=100
halt
