"""The foundation every other package imports: errors, paths, YAML with lines, findings,
the strict model base, SVG charts. Imports nothing else of the academy."""
