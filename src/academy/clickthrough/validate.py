"""`academy validate` rules for click-through lessons: the checks that only a click-through
lesson needs (its queries, texts, answers and steps, and which city's files it reads).

The rules are registered, with their descriptions, in `academy.checks.clickthrough`. The
lesson's objectives and datasets are checked with every other lesson's, in
`academy.checks.references`. Every finding names the file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from academy.clickthrough.city import NAMES as CITY_NAMES
from academy.clickthrough.kinds import StepKind
from academy.clickthrough.lesson_files import LessonFile
from academy.clickthrough.model import ClickLesson
from academy.clickthrough.parts import TableSpec, templates
from academy.clickthrough.queries import Shape, check_queries
from academy.clickthrough.text import placeholders
from academy.core.findings import Finding, Severity, rel
from academy.core.yamlfile import Loc
from academy.curriculum.loading import Curriculum
from academy.data.inventory import Inventory


@dataclass(frozen=True)
class Columns:
    """Columns of canonical tables and published files, from their definitions (no data)."""

    city: str
    canonical: dict[str, list[str]]  # canonical table -> its columns
    datasets: dict[str, list[str]]  # '<city>/<dataset>' -> the columns it publishes
    provided: frozenset[str]  # the canonical tables the active city provides

    @classmethod
    def of_inventory(cls, inventory: Inventory, city: str) -> Columns:
        return cls(
            city=city,
            canonical=inventory.canonical_columns(),
            datasets={i: [f.name for f in info.fields] for i, info in inventory.infos.items()},
            provided=frozenset(inventory.tables(city)),
        )

    def of(self, name: str) -> list[str] | None:
        return self.datasets.get(name) if "/" in name else self.canonical.get(name)


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
        self.unknown: set[str] = set()  # queries reading a dataset that does not exist

    def add(self, loc: Loc, rule: str, message: str, severity: Severity = "error") -> None:
        self.findings.append(Finding(self.where, self.item.line(loc), rule, message, severity))

    def run(self) -> list[Finding]:
        self.check_refs()
        self.check_queries()
        self.check_texts()
        for i, step in enumerate(self.lesson.steps):
            self.check_step(step, ("steps", i))
        return self.findings

    def check_refs(self) -> None:
        """Whose published files the lesson reads, and that it lists every table it reads."""
        for i, name in enumerate(self.lesson.datasets):
            if "/" not in name or self.columns.of(name) is None:
                continue  # an unknown dataset is reported with every lesson's datasets
            if not self.lesson.city:
                self.add(
                    ("datasets", i),
                    "clickthrough-city",
                    f"'{name}' is one city's file: add `city: {name.split('/')[0]}` so the lesson says whose data it is",
                )
            elif name.split("/")[0] != self.lesson.city:
                self.add(
                    ("datasets", i),
                    "clickthrough-city",
                    f"'{name}' is not a {self.lesson.city} dataset; list only {self.lesson.city}'s files",
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
                        "clickthrough-datasets",
                        f"'{source}' is read here but not listed in `datasets:`; add it",
                    )

    def check_queries(self) -> None:
        self.shapes, problems = check_queries(self.lesson, self.columns.of)
        self.unknown = self._reading_unknown_datasets()
        for problem in problems:
            if problem.loc[:2] not in {("queries", name) for name in self.unknown}:
                self.add(problem.loc, "clickthrough-query", problem.message)

    def _reading_unknown_datasets(self) -> set[str]:
        """Queries that read (directly or through other queries) a dataset listed in
        `datasets:` that does not exist: that one mistake is reported on the list, so what
        depends on these queries is not checked."""
        unknown = {d for d in self.lesson.datasets if self.columns.of(d) is None}
        reading: set[str] = set()
        changed = True
        while changed:
            changed = False
            for name, query in self.lesson.queries.items():
                if name not in reading and any(s in unknown or s in reading for s in query.sources):
                    reading.add(name)
                    changed = True
        return reading

    def value_query(self, name: str, loc: Loc, what: str) -> None:
        shape = self.shapes.get(name)
        if name in self.unknown:
            return
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
        if name in self.unknown:
            return None
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
        if query in self.unknown or shape is None or shape.is_value:
            return None
        return shape.columns

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
                if name in extra or name in self.unknown or name in CITY_NAMES:
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
            test = getattr(step, key)
            if isinstance(test, str):
                self.value_query(test, (*loc, key), f"`{key}:`")
            elif test is not None:
                self.value_query(test.query, (*loc, key, "query"), f"`{key}:`")
        if step.table is not None:
            self.check_table(step.table, (*loc, "table"))
        if step.chart is not None:
            columns = self.rows_query(step.chart.query, (*loc, "chart", "query"))
            self.column(columns, step.chart.x, (*loc, "chart", "x"))
            self.column(columns, step.chart.y, (*loc, "chart", "y"))
        self.check_assesses(step, loc)
        step.check(self, loc)

    def check_assesses(self, step: StepKind, loc: Loc) -> None:
        """What a question assesses is one of its lesson's objectives; only questions assess."""
        if step.assesses and not step.is_question():
            self.add(
                (*loc, "assesses"),
                "clickthrough-step",
                f"a '{step.name}' step asks nothing, so it cannot assess; remove `assesses:`",
            )
            return
        for j, objective in enumerate(step.assesses):
            if objective not in self.lesson.objectives:
                self.add(
                    (*loc, "assesses", j),
                    "clickthrough-step",
                    f"'{objective}' is not one of this lesson's objectives; add it to "
                    "`objectives:` or assess one that is",
                )


def validate_clickthrough(
    files: list[LessonFile], cur: Curriculum, columns: Columns | None
) -> list[Finding]:
    """Every problem in these click-through lesson files, with file and line.

    `columns` None (canonical.yml or a dataset of the city could not be read) skips the
    deeper checks, which read the data's columns and would only repeat that problem.
    """
    findings: list[Finding] = []
    for item in files:
        findings += item.findings
        if item.lesson is not None and columns is not None:
            findings += LessonChecker(item, cur, columns).run()
    return findings
