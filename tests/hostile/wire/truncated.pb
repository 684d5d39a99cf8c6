¡hostile-truncatedR2B801200005001
Testperson"Alpha0„:F