xdrv-workload 1
# Bring-up only (tests/guest/test_extract.sh): for a spec whose sends and
# receives are not generalised yet (the 8254x's): init, the binding's
# filter, halt.
seed 7
init
filter directed multicast broadcast
halt
