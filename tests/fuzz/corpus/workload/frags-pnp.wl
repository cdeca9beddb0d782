init
send len=100 burst=4 frags=3
send len=1514 frags=32 burst=64
pnp power-ac
pnp power-battery
pnp surprise-removal
inject rx-crc-error
halt
