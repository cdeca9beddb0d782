xdrv-workload 1
# Receives that walk a receive ring in device memory (a DP8390's: 52
# pages of 256 bytes, PSTART 4Ch to PSTOP 80h) round and round, lengths
# planned by page count so that frames start on the ring's last pages and
# lie across its end in every way: the first read split at the end, a later
# read split, a frame ending right at the end. Bursts of at most 4 frames
# (24 pages) never fill the ring. tests/guest/test_extract.sh extracts the
# NE2000 from this and rtl8139.wl together.
seed 5
init
filter directed multicast broadcast
receive len=1514 burst=4
receive len=1514 burst=4
receive len=367
receive len=262
receive len=1514 burst=4
receive len=1514 burst=3
receive len=1435
receive len=1201
receive len=1514 burst=4
receive len=1514 burst=3
receive len=582
receive len=1201
receive len=1514 burst=4
receive len=1514 burst=4
receive len=704
receive len=901
receive len=1514 burst=4
receive len=1514 burst=3
receive len=1462
receive len=248
receive len=1514 burst=4
receive len=1514 burst=4
receive len=512
receive len=1514 burst=4
receive len=1514 burst=4
receive len=537
receive len=1514 burst=4
receive len=1514 burst=4
receive len=330
receive len=782
receive len=1514 burst=4
receive len=1514 burst=4
receive len=659
receive len=247
receive len=1514 burst=4
receive len=1514 burst=4
receive len=520
receive len=275
receive len=1514 burst=4
receive len=1514 burst=4
receive len=386
receive len=121
receive len=1514 burst=4
receive len=1514 burst=4
receive len=181
receive len=1514 burst=4
receive len=1514 burst=4
receive len=1215
receive len=1201
receive len=1514 burst=4
receive len=1514 burst=3
receive len=1235
receive len=451
receive len=1514 burst=4
receive len=1514 burst=4
receive len=246
receive len=732
receive len=1514 burst=4
receive len=1514 burst=4
receive len=573
receive len=253
receive len=1514 burst=4
receive len=1514 burst=4
receive len=436
receive len=271
receive len=1514 burst=4
receive len=1514 burst=3
receive len=810
receive len=1514 burst=4
receive len=1514 burst=4
receive len=523
receive len=1307
receive len=1514 burst=4
receive len=1514 burst=4
receive len=758
receive len=300
receive len=1514 burst=4
receive len=1514 burst=3
receive len=1128
receive len=1514 burst=4
receive len=1514 burst=4
receive len=893
receive len=1201
receive len=1514 burst=4
receive len=1514 burst=4
receive len=472
receive len=60
receive len=100 burst=4
receive len=61 burst=3
halt
