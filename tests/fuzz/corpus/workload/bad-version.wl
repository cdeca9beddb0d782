xdrv-workload 2
init
