send len=60 len=61 dest=self
