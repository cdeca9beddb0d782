xdrv-workload 1
# the kernel-side requests: failures, parameters, short buffers, shutdown
param MaxRxBuffers dword:0x40
param *SpeedDuplex 0
param NetworkAddress 02-AA-BB-CC-DD-EE
fail NdisAllocateMemoryWithTag nth=2
fail NdisMMapIoSpace
init
query OID_GEN_LINK_SPEED len=0
query OID_802_3_CURRENT_ADDRESS len=2
query 0x00ffff01 len=1024
fail ExAllocatePoolWithTag nth=1000
shutdown
reinit
halt
