param Speed dword:4294967296
