"""The query operations: every `Operation` written in this package's modules, by name.

A new operation is one class in one module here (a new module is found too): the union
that reads lesson files, the list of names in error messages, the set of single-value
operations and the reference page all come from `OPS`.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from academy.clickthrough.ops.base import Loc, Operation, Problem, ShapeCheck, Value
from academy.clickthrough.registry import discover, tagged_union

OPS: dict[str, type[Operation]] = discover(sys.modules[__name__], Operation)
"""{name: class} of every operation, in the order the modules write them."""

VALUE_OPS = frozenset(name for name, op in OPS.items() if op.gives_value)
"""The operations that give one value; such an operation ends its query."""

TAG_PREFIX = "op:"
TAGS = frozenset(TAG_PREFIX + name for name in OPS)
"""The names pydantic puts into error locations for the union (left out when shown)."""


def _pick(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        return TAG_PREFIX + str(next(iter(value)))
    if isinstance(value, Operation):
        return TAG_PREFIX + value.name
    return None


def unknown_message(value: Any) -> str:
    """What to tell the author about a query step that names no operation."""
    names = ", ".join(sorted(OPS))
    if isinstance(value, dict) and len(value) > 1:
        keys = ", ".join(f"'{k}'" for k in value)
        return (
            f"one operation per step, but this step has {keys}; "
            "put each on its own line starting with '- '"
        )
    if isinstance(value, dict) and value:
        return f"unknown query operation '{next(iter(value))}'; use one of: {names}"
    if isinstance(value, str) and value in OPS:
        return f"'{value}' needs its setting, e.g. '- {value}: ...'; see the file-format reference"
    return f"a query step is one operation and its setting, e.g. '- head: 5'; use one of: {names}"


if TYPE_CHECKING:
    Op = Operation
else:
    Op = tagged_union(
        OPS,
        lambda name: TAG_PREFIX + name,
        _pick,
        "unknown_operation",
        f"unknown query operation; use one of: {', '.join(sorted(OPS))}",
    )

__all__ = ["OPS", "TAGS", "VALUE_OPS", "Loc", "Op", "Operation", "Problem", "ShapeCheck", "Value"]
