"""Check a YAML document against its model, with the line of every problem.

`check_model` never raises: `academy validate` reports every problem at once.
`read_model` is for code that needs the value now (a cohort's settings, an exercise's
hints): it raises a `FileError` naming the file, the line and the first problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from academy.core.errors import FileError
from academy.core.findings import Finding, rel
from academy.core.yamlfile import Loc, YamlDoc, read_yaml

M = TypeVar("M", bound=BaseModel)

SCHEMA = "schema"  # the rule id of a file that does not match its format


def describe(error: ErrorDetails) -> str:
    """One pydantic error in words that say what to change."""
    loc = ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{error['loc'][-1]}'; remove it or check its spelling"
    if kind == "missing":
        return f"missing required key '{loc}'; add it"
    return f"'{loc}': {error['msg']}"


def check_model(
    model: type[M], doc: YamlDoc, root: Path, base: Loc = (), rule: str = SCHEMA
) -> tuple[M | None, list[Finding]]:
    """Validate `doc.data` (or the part at `base`) against `model`; findings carry lines."""
    data = doc.data
    for key in base:
        data = data[key]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        findings = [
            Finding(rel(doc.path, root), doc.line((*base, *e["loc"])), rule, describe(e))
            for e in exc.errors()
        ]
        return None, findings


def read_model(model: type[M], path: Path, rule: str = SCHEMA, fix: str = "fix the file") -> M:
    """Read a YAML file as `model`; any problem is a FileError at its line."""
    doc = read_yaml(path)
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        first = exc.errors()[0]
        more = len(exc.errors()) - 1
        extra = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise FileError(
            path, doc.line(tuple(first["loc"])), rule, f"{describe(first)}; {fix}{extra}"
        ) from exc
