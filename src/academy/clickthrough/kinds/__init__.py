"""The step kinds: every `StepKind` written in this package's modules, by its `kind`.

A new kind is one module here, found by looking: the union that reads lesson files, the
names in error messages, the printable page, the learner's widgets and the reference
page all come from `KINDS`. The learner's kernel imports this package (for `widgets`),
so nothing here imports pandas or altair.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from academy.clickthrough.kinds.base import StepKind
from academy.clickthrough.registry import discover, tagged_union

_FOUND = discover(sys.modules[__name__], StepKind)
KINDS: dict[str, type[StepKind]] = dict(
    sorted(_FOUND.items(), key=lambda item: (item[1].is_question(), item[0]))
)
"""{kind: class} of every step kind: the ones to read first, then the questions, by name."""

QUESTION_KINDS = frozenset(name for name, kind in KINDS.items() if kind.is_question())
"""The kinds the learner must answer before going on."""

TAG_PREFIX = "kind:"
TAGS = frozenset(TAG_PREFIX + name for name in KINDS)
"""The names pydantic puts into error locations for the union (left out when shown)."""


def kind_of(step: dict[str, Any]) -> type[StepKind]:
    """The class of a resolved step."""
    return KINDS[step["kind"]]


def _pick(value: Any) -> str | None:
    if isinstance(value, dict):
        return TAG_PREFIX + str(value.get("kind"))
    if isinstance(value, StepKind):
        return TAG_PREFIX + value.name
    return None


def unknown_message(value: Any) -> str:
    """What to tell the author about a step that names no kind."""
    names = ", ".join(KINDS)
    if not isinstance(value, dict):
        return f"a step is a set of keys starting with `kind:` (one of: {names}) and `title:`"
    if "kind" not in value:
        return f"this step has no `kind:`; add one of: {names}"
    return f"unknown step kind '{value['kind']}'; use one of: {names}"


if TYPE_CHECKING:
    Step = StepKind
else:
    Step = tagged_union(
        KINDS,
        lambda name: TAG_PREFIX + name,
        _pick,
        "unknown_step_kind",
        f"unknown step kind; use one of: {', '.join(KINDS)}",
    )

__all__ = ["KINDS", "QUESTION_KINDS", "TAGS", "Step", "StepKind", "kind_of"]
