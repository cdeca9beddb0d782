filter none directed
