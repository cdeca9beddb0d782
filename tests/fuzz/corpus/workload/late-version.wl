init
xdrv-workload 1
