"""`academy validate`: every rule that checks the academy's files, each reporting
findings `path:line: rule-id: message`."""
