"""`academy validate` rules for click-through lessons (registered in academy.checks.rules.CHECKS).

Rule ids: schema, yaml-syntax, ref-unresolved, clickthrough-query, clickthrough-text,
clickthrough-answer, clickthrough-step. Every finding names the file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from academy.clickthrough.kinds import StepKind
from academy.clickthrough.lesson_files import LessonFile, lesson_files
from academy.clickthrough.model import ClickLesson
from academy.clickthrough.parts import TableSpec, templates
from academy.clickthrough.queries import Shape, check_queries
from academy.clickthrough.text import placeholders
from academy.core.findings import Finding, rel
from academy.core.yamlfile import Loc
from academy.curriculum.loading import Curriculum


class Columns:
    """Columns of canonical tables and published files, read from their definitions (no data)."""

    def __init__(self, root: Path, city: str | None):
        self.root = root
        self.city = city
        self._canonical: dict[str, list[str]] | None = None
        self._datasets: dict[str, Any] | None = None
        self._provided: set[str] | None = None

    def _load(self) -> None:
        if self._canonical is not None:
            return
        from academy.data import canonical_tables, list_datasets, load_canonical

        try:
            canonical = load_canonical(self.root)
            self._canonical = {
                name: [f.name for f in t.fields] for name, t in canonical.tables.items()
            }
        except Exception:
            self._canonical = {}
        try:
            self._datasets = {d.id: d for d in list_datasets(self.root)}
        except Exception:
            self._datasets = {}
        try:
            self._provided = set(canonical_tables(self.root, self.city)) if self.city else set()
        except Exception:
            self._provided = set()

    def of(self, name: str) -> list[str] | None:
        self._load()
        assert self._canonical is not None and self._datasets is not None
        if "/" in name:
            info = self._datasets.get(name)
            return [f.name for f in info.fields] if info else None
        return self._canonical.get(name)

    def known_dataset(self, name: str) -> bool:
        self._load()
        assert self._datasets is not None
        return name in self._datasets

    def provided(self, table: str) -> bool:
        self._load()
        assert self._provided is not None
        return table in self._provided


def _texts(lesson: ClickLesson) -> Iterator[tuple[Loc, str, frozenset[str]]]:
    """(location, text, names allowed besides queries) of every text that may name queries."""
    for i, step in enumerate(lesson.steps):
        for loc, text in templates(step, ("steps", i)):
            yield loc, text, step.names_in(str(loc[2]))


class LessonChecker:
    """All rules for one schema-valid lesson file."""

    def __init__(self, item: LessonFile, cur: Curriculum, columns: Columns):
        assert item.lesson is not None
        self.item = item
        self.lesson: ClickLesson = item.lesson
        self.cur = cur
        self.columns = columns
        self.where = rel(item.path, cur.root)
        self.findings: list[Finding] = []
        self.shapes: dict[str, Shape] = {}

    def add(self, loc: Loc, rule: str, message: str) -> None:
        self.findings.append(Finding(self.where, self.item.line(loc), rule, message))

    def run(self) -> list[Finding]:
        self.check_refs()
        self.check_queries()
        self.check_texts()
        for i, step in enumerate(self.lesson.steps):
            self.check_step(step, ("steps", i))
        return self.findings

    def check_refs(self) -> None:
        for i, objective in enumerate(self.lesson.objectives):
            if objective not in self.cur.objectives:
                self.add(
                    ("objectives", i),
                    "ref-unresolved",
                    f"unknown objective '{objective}'; add it to curriculum/objectives.yml or fix the id",
                )
        for i, name in enumerate(self.lesson.datasets):
            if "/" in name:
                if not self.columns.known_dataset(name):
                    self.add(
                        ("datasets", i),
                        "ref-unresolved",
                        f"unknown dataset '{name}'; see `academy data list`",
                    )
                elif not self.lesson.city:
                    self.add(
                        ("datasets", i),
                        "ref-unresolved",
                        f"'{name}' is one city's file: add `city: {name.split('/')[0]}` so the lesson says whose data it is",
                    )
                elif name.split("/")[0] != self.lesson.city:
                    self.add(
                        ("datasets", i),
                        "ref-unresolved",
                        f"'{name}' is not a {self.lesson.city} dataset",
                    )
            elif self.columns.of(name) is None:
                self.add(("datasets", i), "ref-unresolved", f"unknown canonical table '{name}'")
            elif not self.columns.provided(name):
                self.add(
                    ("datasets", i),
                    "ref-unresolved",
                    f"city '{self.columns.city}' provides no canonical table '{name}'",
                )
        declared = set(self.lesson.datasets)
        for name, query in self.lesson.queries.items():
            for j, source in enumerate(query.sources):
                if (
                    source not in self.lesson.queries
                    and source not in declared
                    and self.columns.of(source) is not None
                ):
                    loc = (
                        ("queries", name, "from")
                        if isinstance(query.source, str)
                        else ("queries", name, "from", j)
                    )
                    self.add(
                        loc,
                        "ref-unresolved",
                        f"'{source}' is read here but not listed in `datasets:`; add it",
                    )

    def check_queries(self) -> None:
        self.shapes, problems = check_queries(self.lesson, self.columns.of)
        for problem in problems:
            self.add(problem.loc, "clickthrough-query", problem.message)

    def value_query(self, name: str, loc: Loc, what: str) -> None:
        shape = self.shapes.get(name)
        if name not in self.lesson.queries:
            self.add(
                loc, "clickthrough-query", f"unknown query '{name}'; define it under `queries:`"
            )
        elif shape is not None and not shape.is_value:
            self.add(
                loc,
                "clickthrough-query",
                f"query '{name}' gives rows; {what} needs one value (end it with count, median, pick ...)",
            )

    def rows_query(self, name: str, loc: Loc) -> list[str] | None:
        shape = self.shapes.get(name)
        if name not in self.lesson.queries:
            self.add(
                loc, "clickthrough-query", f"unknown query '{name}'; define it under `queries:`"
            )
            return None
        if shape is None or shape.is_value:
            self.add(loc, "clickthrough-query", f"query '{name}' gives one value; this needs rows")
            return None
        return shape.columns

    def columns_of(self, query: str) -> list[str] | None:
        """The columns a query of this lesson gives; None when it gives none (already reported)."""
        shape = self.shapes.get(query)
        return None if shape is None or shape.is_value else shape.columns

    def column(self, columns: list[str] | None, name: str, loc: Loc) -> None:
        if columns is not None and name not in columns:
            self.add(
                loc,
                "clickthrough-query",
                f"no column '{name}' in these rows; they have: {', '.join(columns)}",
            )

    def check_table(self, spec: TableSpec, loc: Loc) -> None:
        columns = self.rows_query(spec.query, (*loc, "query"))
        for i, col in enumerate(spec.columns):
            self.column(columns, col, (*loc, "columns", i))
        for col in spec.labels:
            self.column(columns, col, (*loc, "labels", col))
        if spec.highlight:
            self.column(columns, spec.highlight.column, (*loc, "highlight", "column"))

    def check_texts(self) -> None:
        for loc, text, extra in _texts(self.lesson):
            for name in placeholders(text):
                if name in extra:
                    continue
                if name not in self.lesson.queries:
                    self.add(
                        loc,
                        "clickthrough-text",
                        f"'{{{name}}}' names no query of this lesson; define it or fix the name",
                    )
                elif not self.shapes.get(name, Shape()).is_value:
                    self.add(
                        loc,
                        "clickthrough-text",
                        f"query '{name}' gives rows; text can only show one value",
                    )

    def check_step(self, step: StepKind, loc: Loc) -> None:
        for key in ("when", "unless"):
            name = getattr(step, key)
            if name:
                self.value_query(name, (*loc, key), f"`{key}:`")
        if step.table is not None:
            self.check_table(step.table, (*loc, "table"))
        if step.chart is not None:
            columns = self.rows_query(step.chart.query, (*loc, "chart", "query"))
            self.column(columns, step.chart.x, (*loc, "chart", "x"))
            self.column(columns, step.chart.y, (*loc, "chart", "y"))
        step.check(self, loc)


def validate_clickthrough(cur: Curriculum) -> list[Finding]:
    """Every problem in every click-through lesson file, with file and line."""
    findings: list[Finding] = []
    city = None
    if cur.academy is not None:
        import os

        city = os.environ.get("ACADEMY_CITY") or cur.academy.city
    columns = Columns(cur.root, city)
    for item in lesson_files(cur):
        findings += item.findings
        if item.lesson is not None:
            findings += LessonChecker(item, cur, columns).run()
    return findings
