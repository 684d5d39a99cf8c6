¡hostile-surname-newlineR3B801200005001Test
person"Alpha0„:FB4H€œ