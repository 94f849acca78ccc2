"""Named queries: how a lesson file asks the data for rows and numbers, safely.

A query is data, not code: a source (a canonical table, a published file or other
queries) and a list of operations from a small vocabulary (`academy.clickthrough.ops`).
`check_queries` follows the columns through every operation without reading any data,
so `academy validate` can point at a misspelt column; `evaluate_queries` runs them on
pandas frames at build time. Both only walk the queries; what each operation does is
its own class's business.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from academy.clickthrough.errors import QueryError
from academy.clickthrough.model import ClickLesson, Query
from academy.clickthrough.ops import Problem, ShapeCheck, Value
from academy.core.yamlfile import Loc

__all__ = ["Problem", "QueryError", "Shape", "check_queries", "evaluate_queries"]


@dataclass
class Shape:
    """What a query gives: rows with these columns, or one value; and the columns of each
    table or published file it reads (through the queries it reads from, too)."""

    columns: list[str] = field(default_factory=list)
    is_value: bool = False
    reads: dict[str, set[str]] = field(default_factory=dict)


# --- static checking -----------------------------------------------------------------------

ColumnsOf = Callable[[str], list[str] | None]
"""Columns of a table or published file by name; None when no such source exists."""


def check_queries(
    lesson: ClickLesson, columns_of: ColumnsOf
) -> tuple[dict[str, Shape], list[Problem]]:
    """The shape of every query and every problem found, without reading data."""
    shapes: dict[str, Shape] = {}
    problems: list[Problem] = []
    visiting: set[str] = set()

    def shape_of(name: str) -> Shape:
        if name in shapes:
            return shapes[name]
        query = lesson.queries[name]
        loc: Loc = ("queries", name)
        if name in visiting:
            problems.append(Problem((*loc, "from"), f"query '{name}' depends on itself"))
            return Shape()
        visiting.add(name)
        parts: list[list[str]] = []
        reads: dict[str, set[str]] = {}
        tables: dict[str, list[str]] = {}  # sources read directly -> their columns
        for i, source in enumerate(query.sources):
            where = (*loc, "from") if isinstance(query.source, str) else (*loc, "from", i)
            if source in lesson.queries:
                inner = shape_of(source)
                if inner.is_value:
                    problems.append(Problem(where, f"query '{source}' gives one value, not rows"))
                parts.append(inner.columns)
                for table, columns in inner.reads.items():
                    reads.setdefault(table, set()).update(columns)
                continue
            cols = columns_of(source)
            if cols is None:
                problems.append(
                    Problem(
                        where,
                        f"unknown table, dataset or query '{source}'; use a canonical table "
                        "(e.g. service_requests), a '<city>/<dataset>' id or a query of this lesson",
                    )
                )
                parts.append([])
            else:
                parts.append(list(cols))
                tables[source] = list(cols)
        shape = Shape(columns=parts[0] if len(parts) == 1 else _common(parts), reads=reads)
        asked: set[str] = set()
        for i, op in enumerate(query.steps):
            if shape.is_value:
                problems.append(
                    Problem(
                        (*loc, "steps", i),
                        f"step '{query.steps[i - 1].name}' already gave one value; "
                        "single-value steps must come last",
                    )
                )
                break
            check = ShapeCheck(list(shape.columns), (*loc, "steps", i, op.name), problems)
            shape = Shape(columns=op.columns_after(check), is_value=op.gives_value, reads=reads)
            asked |= check.asked
        for table, listed in tables.items():
            reads.setdefault(table, set()).update(asked & set(listed))
        visiting.discard(name)
        shapes[name] = shape
        return shape

    for name in lesson.queries:
        shape_of(name)
    return shapes, problems


def _common(parts: list[list[str]]) -> list[str]:
    first = parts[0]
    return [c for c in first if all(c in p for p in parts[1:])]


# --- evaluation ------------------------------------------------------------------------------

Loader = Callable[[str], pd.DataFrame]
"""Rows of a canonical table or published file by name."""


def evaluate_queries(lesson: ClickLesson, load: Loader) -> dict[str, pd.DataFrame | Value]:
    """Run every query of the lesson; a failing one raises QueryError pointing at it."""
    results: dict[str, pd.DataFrame | Value] = {}
    sources: dict[str, pd.DataFrame] = {}
    running: set[str] = set()

    def source(name: str, loc: Loc) -> pd.DataFrame:
        if name in lesson.queries:
            value = run(name)
            if not isinstance(value, pd.DataFrame):
                raise QueryError(loc, f"query '{name}' gives one value, not rows")
            return value
        if name not in sources:
            try:
                sources[name] = load(name)
            except Exception as exc:
                raise QueryError(loc, f"cannot read '{name}': {exc}") from exc
        return sources[name]

    def run(name: str) -> pd.DataFrame | Value:
        if name in results:
            return results[name]
        query: Query = lesson.queries[name]
        loc: Loc = ("queries", name)
        if name in running:
            raise QueryError((*loc, "from"), f"query '{name}' depends on itself")
        running.add(name)
        frames = [source(s, (*loc, "from")) for s in query.sources]
        value: pd.DataFrame | Value = (
            frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True, join="inner")
        )
        for i, op in enumerate(query.steps):
            try:
                value = op.run(value)
            except (KeyError, ValueError, TypeError) as exc:
                raise QueryError(
                    (*loc, "steps", i), f"step '{op.name}' failed on the {name} rows: {exc}"
                ) from exc
        results[name] = value
        return value

    for name in lesson.queries:
        run(name)
    return results
