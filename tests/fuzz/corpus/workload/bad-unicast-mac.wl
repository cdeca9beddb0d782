multicast add 00:11:22:33:44:55
