"""`academy build`: validate, build every course book (cached), build the portal,
assemble one site and check its links."""
