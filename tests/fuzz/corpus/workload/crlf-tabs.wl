xdrv-workload 1
seed 7
	init	# tabs and CRLF
send len=60#glued

halt