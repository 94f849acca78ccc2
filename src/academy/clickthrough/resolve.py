"""Turn a lesson file plus its query results into the resolved lesson both renderers use.

The resolved lesson is plain JSON (see `academy.clickthrough.format`): every number
filled in, tables as rows of text, charts as SVG, answers as indexes. The Voilà app
(which never loads pandas) and the printable book page both read it, so the two always
show the same lesson. What every step has is resolved here; each step kind resolves
its own keys (`StepKind.resolve`), asking this module's `Resolver` for text, rows and
values.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import mimetypes
from pathlib import Path
from typing import Any

import pandas as pd

from academy.clickthrough.city import CityView
from academy.clickthrough.condition import Condition
from academy.clickthrough.errors import ResolveError
from academy.clickthrough.format import FORMAT_VERSION, is_question
from academy.clickthrough.kinds import StepKind
from academy.clickthrough.model import ClickLesson
from academy.clickthrough.ops import Value
from academy.clickthrough.parts import ChartSpec, ImageSpec, TableSpec, Threshold
from academy.clickthrough.text import (
    MissingValue,
    fill,
    format_value,
    to_html,
    to_plain,
)
from academy.core.defaults import BLANK
from academy.core.yamlfile import Loc

__all__ = ["ResolveError", "Resolver", "format_cell", "resolve_lesson"]


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _guess_format(value: Any) -> str | None:
    if isinstance(value, pd.Timestamp | dt.datetime | dt.date):
        return "date"
    return None


def formatted_values(lesson: ClickLesson, results: dict[str, Any]) -> dict[str, str]:
    """{query name: text} for every query that gives one value that is not missing."""
    out = {}
    for name, query in lesson.queries.items():
        value = results.get(name)
        if isinstance(value, pd.DataFrame) or _missing(value):
            continue
        text = format_value(value, query.format or _guess_format(value))
        if query.noun is not None and isinstance(value, int | float):
            text = f"{text} {query.noun[0] if value == 1 else query.noun[1]}"
        out[name] = text
    return out


def truthy(value: Any) -> bool:
    if isinstance(value, pd.DataFrame):
        return not value.empty
    if _missing(value):
        return False
    if isinstance(value, int | float):
        return value > 0
    return bool(value)


def format_cell(value: Any, column: str) -> str:
    """A table cell as text; missing values are shown as (blank), never NaN."""
    if _missing(value):
        return BLANK
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        day = f"{stamp:%b} {stamp.day}, {stamp.year}"
        if stamp.hour or stamp.minute:
            hour = stamp.hour % 12 or 12
            return f"{day} {hour}:{stamp.minute:02d} {'AM' if stamp.hour < 12 else 'PM'}"
        return day
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer():
            return (
                f"{int(value):,}"
                if column in {"count"} or abs(value) >= 100000
                else str(int(value))
            )
        if column == "share":
            return f"{value * 100:.0f}%"
        return f"{value:.4f}".rstrip("0") if abs(value) < 1000 else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}" if column == "count" else str(value)
    return str(value)


class Resolver:
    """Resolves one lesson for one city's query results; what step kinds ask for."""

    def __init__(
        self,
        lesson: ClickLesson,
        results: dict[str, Any],
        lesson_dir: Path,
        seed_key: str,
        view: CityView | None = None,
        reads: dict[str, dict[str, set[str]]] | None = None,
    ):
        self.lesson = lesson
        self.results = results
        self.lesson_dir = lesson_dir
        self.view = view
        self.reads = reads or {}
        """query -> {table or file it reads: the columns it reads}."""
        self.values = {**(view.words if view else {}), **formatted_values(lesson, results)}
        self.seed = int(hashlib.sha256(seed_key.encode()).hexdigest()[:8], 16)
        """The lesson's and city's own number, for shuffles that are the same on every build."""

    # -- what step kinds ask for -------------------------------------------------------
    def text(self, value: str | None, loc: Loc, extra: dict[str, str] | None = None) -> str:
        """A lesson text with every {query} filled in ("" for no text)."""
        if value is None:
            return ""
        try:
            return fill(value, {**self.values, **(extra or {})})
        except MissingValue as exc:
            if exc.name in self.lesson.queries:
                raise ResolveError(
                    loc,
                    f"query '{exc.name}' has no value for this city's data; show this step only "
                    f"when it has one (add `when: {exc.name}`) or write the text without it",
                ) from exc
            raise ResolveError(loc, f"'{{{exc.name}}}' is not a query of this lesson") from exc

    def text_or_none(self, value: str, loc: Loc) -> str | None:
        """A text filled in, or None when a query it names has no value for this city."""
        try:
            return fill(value, self.values)
        except MissingValue as exc:
            if exc.name in self.lesson.queries:
                return None
            raise ResolveError(loc, f"'{{{exc.name}}}' is not a query of this lesson") from exc

    def frame(self, name: str, loc: Loc) -> pd.DataFrame:
        """The rows a query gives."""
        value = self.results.get(name)
        if not isinstance(value, pd.DataFrame):
            raise ResolveError(loc, f"query '{name}' must give rows here")
        return value

    def number(self, name: str, loc: Loc) -> float:
        """The number a query gives."""
        value: Value = self.results.get(name)
        if isinstance(value, pd.DataFrame) or _missing(value) or not isinstance(value, int | float):
            raise ResolveError(loc, f"query '{name}' must give one number here")
        return float(value)

    def shown_rows(self, spec: TableSpec, loc: Loc) -> pd.DataFrame:
        """The rows a table shows: its query's first `max_rows`."""
        return self.frame(spec.query, (*loc, "query")).head(spec.max_rows)

    def marks(self, frame: pd.DataFrame, condition: Condition, loc: Loc) -> list[bool]:
        """For each row, whether it passes the test (which must read a column the rows
        have for this city's data)."""
        if condition.column not in frame.columns:
            raise ResolveError(
                (*loc, "column"),
                f"no column '{condition.column}' in these rows for this city's data; "
                f"they have: {', '.join(map(str, frame.columns))}",
            )
        return condition.mask(frame).tolist()

    def table(self, spec: TableSpec, loc: Loc) -> dict[str, Any]:
        frame = self.shown_rows(spec, loc)
        if frame.empty:
            raise ResolveError(
                (*loc, "query"), f"query '{spec.query}' gives no rows for this city's data"
            )
        marked = (
            self.marks(frame, spec.highlight, (*loc, "highlight"))
            if spec.highlight
            else [False] * len(frame)
        )
        return {
            "type": "table",
            "columns": [
                self.text(spec.labels[c], (*loc, "labels", c)) if c in spec.labels else c
                for c in spec.columns
            ],
            "rows": [[format_cell(row[c], c) for c in spec.columns] for _, row in frame.iterrows()],
            "marked": marked,
            "caption": self.text(spec.caption, (*loc, "caption")) or None,
        }

    def chart(self, spec: ChartSpec, loc: Loc) -> dict[str, Any]:
        from academy.clickthrough.step_charts import NARROW, chart_to_svg  # altair: charts only

        frame = self.frame(spec.query, (*loc, "query"))
        if frame.empty:
            raise ResolveError(
                (*loc, "query"), f"query '{spec.query}' gives no rows for this city's data"
            )
        alt_text = self.text(spec.alt, (*loc, "alt"))
        titles: dict[str, str | None] = {
            key: self.text(getattr(spec, key), (*loc, key)) for key in ("x_title", "y_title")
        }
        titles["title"] = self.text(spec.title, (*loc, "title")) or None
        titled = spec.model_copy(update=titles)
        svg = chart_to_svg(titled, frame, alt_text)
        if "<path" not in svg and "<rect" not in svg:
            raise ResolveError(loc, "the chart came out empty; check its query and columns")
        narrow = chart_to_svg(titled, frame, alt_text, NARROW)
        return {"type": "chart", "svg": svg, "svg_narrow": narrow, "alt": alt_text}

    def image(self, spec: ImageSpec, loc: Loc) -> dict[str, Any]:
        path = self.lesson_dir / spec.src
        if not path.is_file():
            raise ResolveError((*loc, "src"), f"no picture '{spec.src}' beside the lesson file")
        kind = mimetypes.guess_type(path.name)[0] or "image/png"
        data = base64.b64encode(path.read_bytes()).decode()
        return {
            "type": "image",
            "src": f"data:{kind};base64,{data}",
            "alt": self.text(spec.alt, (*loc, "alt")),
        }

    # -- every step --------------------------------------------------------------------
    def media(self, step: StepKind, loc: Loc) -> list[dict[str, Any]]:
        out = []
        if step.image:
            out.append(self.image(step.image, (*loc, "image")))
        if step.table and step.shows_table:
            out.append(self.table(step.table, (*loc, "table")))
        if step.chart:
            out.append(self.chart(step.chart, (*loc, "chart")))
        return out

    def passes(self, test: str | Threshold) -> bool:
        if isinstance(test, str):
            return truthy(self.results.get(test))
        return test.passes(self.results.get(test.query))

    def shown(self, step: StepKind) -> bool:
        if step.when is not None and not self.passes(step.when):
            return False
        return not (step.unless is not None and self.passes(step.unless))

    def not_recorded(self, step: StepKind) -> list[str]:
        """What this city does not record that the step reads (topics in the city's words)."""
        if self.view is None or not self.view.missing:
            return []
        columns: dict[str, set[str]] = {}
        for name in step.queries_used():
            for source, read in self.reads.get(name, {}).items():
                columns.setdefault(source, set()).update(read)
        for part in (step.table, step.chart):
            if part is None:
                continue
            shown = set(part.columns) if isinstance(part, TableSpec) else {part.x, part.y}
            for source in self.reads.get(part.query, {}):
                columns.setdefault(source, set()).update(shown)
        return [
            self.view.missing[(source, column)]
            for source, read in sorted(columns.items())
            for column in sorted(read)
            if (source, column) in self.view.missing
        ]

    def left_out(self, step: StepKind, loc: Loc, topics: list[str]) -> dict[str, Any]:
        """A read step in place of one this city's data cannot show: it says why."""
        assert self.view is not None
        text = self.view.not_recorded(topics)
        return {
            "kind": "read",
            "title": self.text(step.title, (*loc, "title")),
            "html": to_html(text),
            "plain": to_plain(text),
            "media": [],
        }

    def step(self, step: StepKind, loc: Loc) -> dict[str, Any]:
        text = self.text(step.text, (*loc, "text"), step.own_values())
        return {
            "kind": step.name,
            "title": self.text(step.title, (*loc, "title")),
            "html": to_html(text),
            "plain": to_plain(text),
            "media": self.media(step, loc),
            **step.resolve(self, loc),
        }


def resolve_lesson(
    lesson: ClickLesson,
    results: dict[str, Any],
    *,
    lesson_id: str,
    lesson_dir: Path,
    course_title: str,
    objectives: list[str],
    city: str,
    view: CityView,
    links: dict[str, str],
    graded: bool = False,
    reads: dict[str, dict[str, set[str]]] | None = None,
    data_city_name: str | None = None,
) -> dict[str, Any]:
    """The resolved lesson as JSON-ready data; raises ResolveError with a location on problems.

    `view` holds the city's words and what it does not publish: a step that reads such a
    column becomes a sentence saying so. `graded`: the lesson is its course's graded check
    (scored on first answers). `reads` (query -> the columns it reads of each table) comes
    from `check_queries`; `data_city_name` names the city of a lesson that uses one city's
    files on purpose (`city:`).
    """
    resolver = Resolver(lesson, results, lesson_dir, f"{lesson_id}:{city}", view, reads)
    steps: list[dict[str, Any]] = []
    for i, step in enumerate(lesson.steps):
        if not resolver.shown(step):
            continue
        topics = resolver.not_recorded(step)
        if topics:
            note = resolver.left_out(step, ("steps", i), topics)
            if not steps or steps[-1]["html"] != note["html"]:  # one note for a run of steps
                steps.append(note)
            continue
        steps.append(resolver.step(step, ("steps", i)))
    if not any(is_question(s) for s in steps):
        raise ResolveError(
            ("steps",),
            "the lesson asks no question for this city's data; add one, or say what the lesson "
            "needs (`needs: [column]`) so it is marked not available for such a city",
        )
    data_note: str | None = None
    if lesson.city:
        shown = data_city_name or lesson.city
        data_note = f"This lesson uses data published by {shown}"
        data_note += (
            "." if lesson.city == city else f", even though your academy is set up for {view.name}."
        )
    return {
        **lesson_facts(lesson, lesson_id, course_title, objectives, city, links),
        "data_note": data_note,
        "graded": graded,
        "steps": steps,
    }


def lesson_facts(
    lesson: ClickLesson,
    lesson_id: str,
    course_title: str,
    objectives: list[str],
    city: str,
    links: dict[str, str],
) -> dict[str, Any]:
    """What every resolved lesson says about itself, whatever the city's data."""
    return {
        "format": FORMAT_VERSION,
        "id": lesson_id,
        "title": lesson.title,
        "summary": lesson.summary,
        "course_title": course_title,
        "minutes": lesson.minutes,
        "objectives": objectives,
        "key_points": lesson.key_points,
        "city": city,
        "links": links,
    }
