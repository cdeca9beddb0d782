send len=14 count=100000
init
