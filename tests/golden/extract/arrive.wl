xdrv-workload 1
# Sends with a frame arriving from the cable just before each (arrive=):
# the receive's interrupt is pending when the send starts. A spec that
# tested the transmit cause first would drop the receive; the replay host
# serves a pending interrupt before each request, as Windows does
# (tests/guest/test_extract.sh).
seed 3
init
filter directed multicast broadcast
send len=100 place=in-page arrive=200
send len=1514 place=in-page arrive=1514
send len=60 place=in-page arrive=60
halt
