xdrv-workload 1
# Receives of lengths and in bursts neither recording extract learned from
# showed (tests/guest/test_extract.sh replays the NE2000 spec on it and
# compares its port accesses with the driver's): 330 frames round its
# receive ring many times, at places and in ways across its end that
# ring.wl planned only some of.
seed 9
init
filter directed multicast broadcast
receive len=60..1514 step=13
receive len=61..1514 step=17
receive len=1000 burst=5
receive len=70..1514 step=29
receive len=333 burst=7
receive len=61..1514 step=19
halt
