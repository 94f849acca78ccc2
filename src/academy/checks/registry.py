"""Every rule of `academy validate`, registered once, and validation in one pass.

The rules and checks live in one module per subject (listed in `SUBJECTS`): each module
defines its `Rule`s and the `@check` functions that report them. The registry collects
them; a rule id defined twice is an error at import. `validate` reads the academy once,
runs every check whose inputs could be read, and returns every finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from academy.checks import (
    books,
    clickthrough,
    coverage,
    datasets,
    exercises,
    files,
    ids,
    images,
    lessons,
    objectives,
    references,
)
from academy.checks.rule import Check, Context, Rule
from academy.core.findings import Finding
from academy.curriculum.loading import Curriculum, load_curriculum

# In the order the docs list them.
SUBJECTS: tuple[ModuleType, ...] = (
    files,
    ids,
    objectives,
    references,
    books,
    lessons,
    coverage,
    images,
    exercises,
    datasets,
    clickthrough,
)


def _collect() -> tuple[dict[str, Rule], tuple[Check, ...]]:
    rules: dict[str, Rule] = {}
    checks: list[Check] = []
    for module in SUBJECTS:
        for value in vars(module).values():
            if isinstance(value, Rule) and value.id not in rules:
                rules[value.id] = value
            elif isinstance(value, Rule) and rules[value.id] is not value:
                raise RuntimeError(f"rule id {value.id!r} is defined twice ({module.__name__})")
            elif isinstance(value, Check) and value not in checks:
                checks.append(value)
    for c in checks:
        for rule in c.rules:
            if rules.get(rule.id) is not rule:
                raise RuntimeError(f"check {c.name} reports unregistered rule {rule.id!r}")
    return rules, tuple(checks)


RULES, CHECKS = _collect()


@dataclass(frozen=True)
class Validation:
    """What `academy validate` found: every finding once, and the checks it had to skip."""

    curriculum: Curriculum
    findings: list[Finding]
    skipped: dict[str, list[str]]  # check -> the inputs it needs that could not be read


def run_validation(root: Path, city: str | None = None) -> Validation:
    """Read the academy at `root` for `city` (default: academy.yml's) and run every check
    whose inputs could be read.

    A check is skipped only when an input it needs whole could not be read (that problem is
    among the findings); every other check runs, so one pass reports every problem.
    """
    cur, findings = load_curriculum(root, city)
    ctx = Context(cur)
    skipped: dict[str, list[str]] = {}
    for c in CHECKS:
        broken = ctx.broken(c.needs)
        if broken:
            skipped[c.name] = sorted(broken)
        else:
            findings += c(ctx)
    return Validation(cur, sorted(set(findings)), skipped)


def load_and_validate(root: Path, city: str | None = None) -> tuple[Curriculum, list[Finding]]:
    """The curriculum at `root` and every finding in it for `city` (default: academy.yml's),
    each once, sorted by file and line."""
    result = run_validation(root, city)
    return result.curriculum, result.findings


def validate(root: Path, city: str | None = None) -> list[Finding]:
    """Every finding in the academy at `root` for `city` (default: academy.yml's), sorted
    by file and line."""
    return run_validation(root, city).findings


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]
