"""What a rule and a check are, and what a check is given.

A `Rule` is one thing `academy validate` can report: a stable id (what findings carry),
one sentence saying what it requires (the docs list it), and a severity. A `Check` is a
function that reports one or more rules; it declares the inputs it needs whole, and is
skipped when one of them could not be read (that problem is already reported, and the
check would only repeat it as a cascade of other findings).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from academy.clickthrough.lesson_files import LessonFile, lesson_files
from academy.core.findings import Finding, Severity
from academy.curriculum.loading import Curriculum
from academy.data.catalogue import CANONICAL_FILE
from academy.data.inventory import Inventory, read_inventory

# Inputs beyond curriculum.loading.INPUTS that checks may need whole.
CANONICAL = f"datasets/{CANONICAL_FILE}"
DATASETS = "datasets/*/*/datapackage.json"


@dataclass(frozen=True)
class Rule:
    """One rule of `academy validate`: its id, what it requires, and its severity."""

    id: str
    description: str
    severity: Severity = "error"

    def at(self, path: str, line: int, message: str) -> Finding:
        """A finding of this rule at `path:line`."""
        return Finding(path, line, self.id, message, self.severity)


@dataclass
class Context:
    """What every check is given: the curriculum, and the datasets read once for all."""

    cur: Curriculum

    @cached_property
    def inventory(self) -> Inventory:
        return read_inventory(self.cur.root)

    @cached_property
    def clickthrough_files(self) -> list[LessonFile]:
        """Every click-through lesson file, read and schema-checked once."""
        return lesson_files(self.cur)

    def broken(self, needs: frozenset[str]) -> set[str]:
        """Which of `needs` could not be read."""
        broken = set(self.cur.broken) & needs
        if CANONICAL in needs and self.inventory.canonical is None:
            broken.add(CANONICAL)
        if DATASETS in needs and not self.inventory.complete(self.cur.city):
            broken.add(DATASETS)
        return broken


CheckFunction = Callable[[Context], list[Finding]]


@dataclass(frozen=True)
class Check:
    """A function that reports some rules, and the inputs it needs whole."""

    function: CheckFunction
    rules: tuple[Rule, ...]
    needs: frozenset[str] = field(default_factory=frozenset)

    @property
    def name(self) -> str:
        return self.function.__name__

    def __call__(self, ctx: Context) -> list[Finding]:
        return self.function(ctx)


def check(*rules: Rule, needs: tuple[str, ...] = ()) -> Callable[[CheckFunction], Check]:
    """Decorator: the function is a check reporting `rules`, skipped without `needs`."""

    def wrap(function: CheckFunction) -> Check:
        return Check(function, rules, frozenset(needs))

    return wrap
