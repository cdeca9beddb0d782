init
send len=60..1515 step=97
