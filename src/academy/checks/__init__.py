"""`academy validate`: every rule, registered once with its id and what it requires, each
reporting findings `path:line: rule-id: message`.

`registry` collects the rules and runs the checks in one pass; one module per subject
(`ids`, `references`, `books`, `lessons`, `coverage`, `images`, `exercises`, `datasets`,
`clickthrough` ...) holds its rules and checks; `formats` lists every file format."""
