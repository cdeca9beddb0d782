xdrv-workload 1
# standard: one session touching every request kind and condition
seed 1

# bring-up, then what NDIS and a protocol ask first
init
query OID_GEN_SUPPORTED_LIST
query OID_GEN_HARDWARE_STATUS
query OID_GEN_MEDIA_SUPPORTED
query OID_GEN_MEDIA_IN_USE
query OID_GEN_MAXIMUM_LOOKAHEAD
query OID_GEN_MAXIMUM_FRAME_SIZE
query OID_GEN_LINK_SPEED
query OID_GEN_TRANSMIT_BUFFER_SPACE
query OID_GEN_RECEIVE_BUFFER_SPACE
query OID_GEN_TRANSMIT_BLOCK_SIZE
query OID_GEN_RECEIVE_BLOCK_SIZE
query OID_GEN_VENDOR_ID
query OID_GEN_VENDOR_DESCRIPTION
query OID_GEN_CURRENT_PACKET_FILTER
query OID_GEN_CURRENT_LOOKAHEAD
query OID_GEN_DRIVER_VERSION
query OID_GEN_MAXIMUM_TOTAL_SIZE
query OID_GEN_MAC_OPTIONS
query OID_GEN_MEDIA_CONNECT_STATUS
query OID_GEN_MAXIMUM_SEND_PACKETS
query OID_GEN_VENDOR_DRIVER_VERSION
query OID_802_3_PERMANENT_ADDRESS
query OID_802_3_CURRENT_ADDRESS
query OID_802_3_MULTICAST_LIST
query OID_802_3_MAXIMUM_LIST_SIZE
query OID_PNP_CAPABILITIES
query 0x00ffff01              # an OID nobody defines: NDIS_STATUS_INVALID_OID expected

# the filter a protocol sets: other stations and groups are dropped
filter directed broadcast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast  # no multicast flag: dropped
receive len=60 dest=other      # not ours: dropped

# sends across the length range, then the boundaries
send len=60..1514 step=97
send len=14                    # the header alone: the chip pads it
send len=59                    # one short of the 60-byte minimum
send len=60
send len=61
send len=1513
send len=1514
send len=60 payload=zero
send len=1514 payload=counter
send len=128 payload=counter dest=self
send len=128 dest=broadcast
send len=128 dest=multicast
send len=64 count=8            # back to back: the transmit ring fills

# receives across the range, every payload
receive len=60..1514 step=97
receive len=14
receive len=59
receive len=61
receive len=1514 payload=zero
receive len=1514 payload=counter

# multicast: the list decides which groups pass
filter directed broadcast multicast
multicast add 01:00:5e:00:00:01 01:00:5e:00:00:fb 33:33:00:00:00:01
query OID_802_3_MULTICAST_LIST
receive len=60 dest=multicast  # listed: passes
multicast remove 01:00:5e:00:00:fb
multicast add 01:00:5e:7f:ff:fa
receive len=60 dest=multicast  # to 01:00:5e:7f:ff:fa, listed
multicast remove 01:00:5e:7f:ff:fa
receive len=60 dest=multicast  # removed: dropped unless its hash bucket is shared
send len=60 dest=multicast

# all-multicast passes every group, promiscuous everything
filter directed broadcast all-multicast
receive len=60 dest=multicast
receive len=60 dest=other      # still dropped
filter directed broadcast promiscuous
receive len=60 dest=other      # passes now
receive len=60..1514 step=291 dest=other payload=counter
receive len=60 dest=multicast
multicast clear
filter directed
receive len=60 dest=broadcast  # no broadcast flag: dropped
receive len=60 dest=self
filter none
receive len=60 dest=self       # nothing passes
filter directed broadcast multicast

# bursts: frames arrive before the driver gets to run
receive len=60 burst=32
receive len=1514 burst=16 payload=counter

# sets: every value form
set OID_GEN_CURRENT_LOOKAHEAD 128
receive len=1514               # more than the lookahead
set OID_GEN_CURRENT_LOOKAHEAD 256 # back to what the binding set
set OID_GEN_CURRENT_PACKET_FILTER 0x0000000b
set OID_802_3_MULTICAST_LIST 01:00:5e:00:00:01
set OID_802_3_MULTICAST_LIST hex:01005e00000101005e0000fb
receive len=60 dest=multicast

# statistics after traffic
query OID_GEN_XMIT_OK
query OID_GEN_RCV_OK
query OID_GEN_XMIT_ERROR
query OID_GEN_RCV_ERROR
query OID_GEN_RCV_NO_BUFFER
query OID_802_3_RCV_ERROR_ALIGNMENT
query OID_802_3_XMIT_ONE_COLLISION
query OID_802_3_XMIT_MORE_COLLISIONS

# the cable
link down
query OID_GEN_MEDIA_CONNECT_STATUS
send len=60                    # no carrier: fails or waits
wait ms=500
link up
query OID_GEN_MEDIA_CONNECT_STATUS
send len=60
receive len=60

# device-side conditions, each followed by traffic to see recovery
inject rx-overflow
receive len=60
inject tx-error
send len=60
send len=60
inject tx-underrun
send len=1514
send len=60
inject rx-burst
receive len=60
inject rx-burst count=200
inject spurious-interrupt
send len=60
receive len=60
inject link-loss-send
send len=1514
send len=60
inject rx-overflow count=512
receive len=60
query OID_GEN_XMIT_ERROR
query OID_GEN_RCV_ERROR
query OID_GEN_RCV_NO_BUFFER

# reset, then long enough for CheckForHang and the watchdog timers
reset
query OID_GEN_MEDIA_CONNECT_STATUS
send len=60
receive len=60
wait ms=2500
send len=1514 payload=zero
receive len=1514 payload=zero

# halt, a second life, and a restart while running
halt
reinit
query OID_802_3_CURRENT_ADDRESS
send len=60
send len=1514 payload=counter
receive len=60
reinit                         # running: halt, then initialize
send len=60
receive len=60 dest=broadcast

# buffers too short for the answer: NDIS_STATUS_INVALID_LENGTH or
# NDIS_STATUS_BUFFER_TOO_SHORT, and BytesNeeded
query OID_GEN_LINK_SPEED len=0
query OID_802_3_CURRENT_ADDRESS len=2
halt
