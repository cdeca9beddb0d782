inject tx-error count=3
