xdrv-workload 1
# sweep: every frame length both ways, every packet filter
seed 1
init
multicast add 01:00:5e:00:00:01 # so that multicast frames can match the list
send len=14..1514
receive len=14..1514
filter none
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter multicast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed multicast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter all-multicast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed all-multicast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter multicast all-multicast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed multicast all-multicast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter broadcast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed broadcast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter multicast broadcast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed multicast broadcast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter all-multicast broadcast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed all-multicast broadcast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter multicast all-multicast broadcast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed multicast all-multicast broadcast
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter multicast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed multicast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter all-multicast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed all-multicast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter multicast all-multicast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed multicast all-multicast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter broadcast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed broadcast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter multicast broadcast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed multicast broadcast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter all-multicast broadcast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed all-multicast broadcast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter multicast all-multicast broadcast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
filter directed multicast all-multicast broadcast promiscuous
receive len=60 dest=self
receive len=60 dest=broadcast
receive len=60 dest=multicast
receive len=60 dest=other
halt
