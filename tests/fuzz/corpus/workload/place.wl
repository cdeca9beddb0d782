xdrv-workload 1
seed 3
init
send len=60..1514 step=97 place=in-page frags=2
send len=14 place=any
halt
