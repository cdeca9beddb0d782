init
fail 9NotAnIdentifier nth=1001
