"""Turn a lesson file plus its query results into the resolved lesson both renderers use.

The resolved lesson is plain JSON: every number filled in, tables as rows of text,
charts as SVG, answers as indexes. The Voilà app (which never loads pandas) and the
printable book page both read it, so the two always show the same lesson.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import mimetypes
import random
from pathlib import Path
from typing import Any

import pandas as pd

from academy.clickthrough import simulation
from academy.clickthrough.model import (
    QUESTION_KINDS,
    ChartSpec,
    ChoiceStep,
    ClickLesson,
    EstimateStep,
    ImageSpec,
    OrderStep,
    SimulationStep,
    SpotStep,
    StepBase,
    TableSpec,
)
from academy.clickthrough.queries import Loc, Value, condition_mask
from academy.clickthrough.step_charts import chart_to_svg
from academy.clickthrough.text import (
    MissingValue,
    city_title,
    fill,
    format_value,
    to_html,
    to_plain,
)

FORMAT_VERSION = 1
BLANK = "(blank)"


class ResolveError(Exception):
    """The lesson cannot be built for this city's data; `loc` points into the lesson file."""

    def __init__(self, loc: Loc, message: str):
        super().__init__(message)
        self.loc = loc
        self.message = message


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
        out[name] = format_value(value, query.format or _guess_format(value))
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


def loc_number(loc: Loc) -> int:
    return next((p for p in reversed(loc) if isinstance(p, int)), 0)


class Resolver:
    """Resolves one lesson for one city's query results."""

    def __init__(
        self, lesson: ClickLesson, results: dict[str, Any], lesson_dir: Path, seed_key: str
    ):
        self.lesson = lesson
        self.results = results
        self.lesson_dir = lesson_dir
        self.values = formatted_values(lesson, results)
        self.seed = int(hashlib.sha256(seed_key.encode()).hexdigest()[:8], 16)

    # -- helpers ---------------------------------------------------------------------
    def text(self, value: str | None, loc: Loc, extra: dict[str, str] | None = None) -> str:
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

    def frame(self, name: str, loc: Loc) -> pd.DataFrame:
        value = self.results.get(name)
        if not isinstance(value, pd.DataFrame):
            raise ResolveError(loc, f"query '{name}' must give rows here")
        return value

    def table(self, spec: TableSpec, loc: Loc) -> dict[str, Any]:
        frame = self.frame(spec.query, (*loc, "query")).head(spec.max_rows)
        if frame.empty:
            raise ResolveError(
                (*loc, "query"), f"query '{spec.query}' gives no rows for this city's data"
            )
        marked = (
            condition_mask(frame, spec.highlight).tolist()
            if spec.highlight
            else [False] * len(frame)
        )
        return {
            "type": "table",
            "columns": [spec.labels.get(c, c) for c in spec.columns],
            "rows": [[format_cell(row[c], c) for c in spec.columns] for _, row in frame.iterrows()],
            "marked": marked,
            "caption": self.text(spec.caption, (*loc, "caption")) or None,
        }

    def chart(self, spec: ChartSpec, loc: Loc) -> dict[str, Any]:
        frame = self.frame(spec.query, (*loc, "query"))
        if frame.empty:
            raise ResolveError(
                (*loc, "query"), f"query '{spec.query}' gives no rows for this city's data"
            )
        alt_text = self.text(spec.alt, (*loc, "alt"))
        svg = chart_to_svg(spec, frame, alt_text)
        if "<path" not in svg and "<rect" not in svg:
            raise ResolveError(loc, "the chart came out empty; check its query and columns")
        return {"type": "chart", "svg": svg, "alt": alt_text}

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

    def media(self, step: StepBase, loc: Loc, skip_table: bool = False) -> list[dict[str, Any]]:
        out = []
        if step.image:
            out.append(self.image(step.image, (*loc, "image")))
        if step.table and not skip_table:
            out.append(self.table(step.table, (*loc, "table")))
        if step.chart:
            out.append(self.chart(step.chart, (*loc, "chart")))
        return out

    def shown(self, step: StepBase) -> bool:
        if step.when and not truthy(self.results.get(step.when)):
            return False
        return not (step.unless and truthy(self.results.get(step.unless)))

    # -- steps -----------------------------------------------------------------------
    def step(self, step: Any, loc: Loc) -> dict[str, Any]:
        extra = self.scenario_values(step) if isinstance(step, SimulationStep) else None
        text = self.text(step.text, (*loc, "text"), extra)
        base = {
            "kind": step.kind,
            "title": self.text(step.title, (*loc, "title")),
            "html": to_html(text),
            "plain": to_plain(text),
            "media": self.media(step, loc, skip_table=isinstance(step, SpotStep)),
        }
        if isinstance(step, ChoiceStep):
            base.update(self.choice(step, loc))
        elif isinstance(step, OrderStep):
            base.update(self.order(step, loc))
        elif isinstance(step, SpotStep):
            base.update(self.spot(step, loc))
        elif isinstance(step, EstimateStep):
            base.update(self.estimate(step, loc))
        elif isinstance(step, SimulationStep):
            base.update(self.simulate(step, loc, extra or {}))
        return base

    def choice(self, step: ChoiceStep, loc: Loc) -> dict[str, Any]:
        texts = [
            self.text(c.text, (*loc, "choices", i, "text")) for i, c in enumerate(step.choices)
        ]
        if len(set(texts)) != len(texts):
            raise ResolveError(
                (*loc, "choices"),
                "two answers read the same with this city's data; make the choices different",
            )
        order = list(range(len(step.choices)))
        if step.shuffle:
            random.Random(self.seed + len(order) + loc_number(loc)).shuffle(order)
        choices = [step.choices[i] for i in order]
        return {
            "question": self.text(step.question, (*loc, "question")),
            "multiple": isinstance(step.answer, list),
            "choices": [
                {
                    "text": texts[i],
                    "feedback": self.text(
                        step.choices[i].feedback, (*loc, "choices", i, "feedback")
                    ),
                }
                for i in order
            ],
            "answer": [n for n, c in enumerate(choices) if c.text in step.answers],
        }

    def order(self, step: OrderStep, loc: Loc) -> dict[str, Any]:
        items = [self.text(t, (*loc, "items", i)) for i, t in enumerate(step.items)]
        rng = random.Random(self.seed + len(items))
        start = list(range(len(items)))
        while start == sorted(start):
            rng.shuffle(start)
        return {
            "question": self.text(step.question, (*loc, "question")),
            "items": items,
            "start": start,
            "right": self.text(step.right, (*loc, "right")),
            "wrong": self.text(step.wrong, (*loc, "wrong")),
        }

    def spot(self, step: SpotStep, loc: Loc) -> dict[str, Any]:
        table = self.table(step.table, (*loc, "table"))
        frame = self.frame(step.table.query, (*loc, "table", "query")).head(step.table.max_rows)
        problems = [i for i, bad in enumerate(condition_mask(frame, step.problem).tolist()) if bad]
        if not problems or len(problems) == len(frame):
            raise ResolveError(
                (*loc, "problem"),
                f"the table shows {len(problems)} wrong row(s) out of {len(frame)} for this city's data; "
                "its query must give at least one wrong row and one fine row",
            )
        table["marked"] = [False] * len(frame)
        return {
            "question": self.text(step.question, (*loc, "question")),
            "grid": table,
            "problem_rows": problems,
            "right": self.text(step.right, (*loc, "right")),
            "wrong": self.text(step.wrong, (*loc, "wrong")),
        }

    def estimate(self, step: EstimateStep, loc: Loc) -> dict[str, Any]:
        value: Value = self.results.get(step.answer)
        if isinstance(value, pd.DataFrame) or _missing(value) or not isinstance(value, int | float):
            raise ResolveError((*loc, "answer"), f"query '{step.answer}' must give one number here")
        answer = float(value) * (100 if step.as_percent else 1)
        if not step.min <= answer <= step.max:
            raise ResolveError(
                (*loc, "answer"),
                f"the answer ({answer:g}) is outside the slider ({step.min:g} to {step.max:g}) for this city's data",
            )
        start = (
            step.start
            if step.start is not None
            else round((step.min + step.max) / 2 / step.step) * step.step
        )
        if abs(start - answer) <= step.tolerance:
            start = step.min if abs(step.min - answer) > abs(step.max - answer) else step.max
        number = (
            f"{answer:,.1f}"
            if step.step < 1 and not float(round(answer, 1)).is_integer()
            else f"{answer:,.0f}"
        )
        answer_text = (
            f"{number}{step.unit}" if step.unit == "%" else f"{number} {step.unit}".strip()
        )
        extra = {"answer": answer_text}
        return {
            "question": self.text(step.question, (*loc, "question")),
            "answer": answer,
            "answer_text": answer_text,
            "min": step.min,
            "max": step.max,
            "step": step.step,
            "start": start,
            "tolerance": step.tolerance,
            "unit": step.unit,
            "right": self.text(step.right, (*loc, "right"), extra),
            "too_low": self.text(step.too_low, (*loc, "too_low"), extra),
            "too_high": self.text(step.too_high, (*loc, "too_high"), extra),
        }

    @staticmethod
    def scenario_values(step: SimulationStep) -> dict[str, str]:
        """{crews}, {backlog}, ... for the step's text: every scenario field, formatted."""
        return {name: format_value(value) for name, value in step.scenario.model_dump().items()}

    def simulate(self, step: SimulationStep, loc: Loc, extra: dict[str, str]) -> dict[str, Any]:
        frame = self.frame(step.areas, (*loc, "areas"))
        if not {"area", "share"} <= set(frame.columns) or frame.empty:
            raise ResolveError(
                (*loc, "areas"),
                f"query '{step.areas}' must give rows with columns 'area' and 'share'",
            )
        s = step.scenario
        areas = [
            simulation.Area(
                name=str(row["area"]),
                backlog=round(s.backlog * float(row["share"])),
                new_per_day=round(s.new_per_day * float(row["share"])),
            )
            for _, row in frame.iterrows()
        ]
        start = simulation.even_split(len(areas), s.crews)
        best = simulation.best_split(areas, s.crews, s.jobs_per_crew_per_day)
        if simulation.goal_met(
            simulation.run(areas, start, s.jobs_per_crew_per_day, s.goal_days), s.crews
        ):
            raise ResolveError(
                (*loc, "scenario"),
                "with this city's data an even split of crews already meets the goal; "
                "make the goal shorter or the workload bigger",
            )
        if not simulation.goal_met(
            simulation.run(areas, best, s.jobs_per_crew_per_day, s.goal_days), s.crews
        ):
            raise ResolveError(
                (*loc, "scenario"),
                "with this city's data no share-out of crews meets the goal; add crews or make the goal longer",
            )
        return {
            "question": self.text(step.question, (*loc, "question"), extra),
            "areas": [
                {"name": a.name, "backlog": a.backlog, "new_per_day": a.new_per_day} for a in areas
            ],
            "crews_total": s.crews,
            "per_crew": s.jobs_per_crew_per_day,
            "goal_days": s.goal_days,
            "start": start,
            "example": best,
            "right": self.text(step.right, (*loc, "right"), extra),
            "wrong": self.text(step.wrong, (*loc, "wrong"), extra),
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
    city_name: str,
    links: dict[str, str],
) -> dict[str, Any]:
    """The resolved lesson as JSON-ready data; raises ResolveError with a location on problems."""
    resolver = Resolver(lesson, results, lesson_dir, f"{lesson_id}:{city}")
    steps = []
    for i, step in enumerate(lesson.steps):
        if resolver.shown(step):
            steps.append(resolver.step(step, ("steps", i)))
    if not any(is_question(s) for s in steps):
        raise ResolveError(("steps",), "the lesson asks no question for this city's data; add one")
    data_city = lesson.city
    note = None
    if data_city:
        note = f"This lesson uses data published by {city_title(data_city)}"
        note += (
            "." if data_city == city else f", even though your academy is set up for {city_name}."
        )
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
        "data_note": note,
        "links": links,
        "steps": steps,
    }


def is_question(step: dict[str, Any]) -> bool:
    return step["kind"] in QUESTION_KINDS


def answer_text(step: dict[str, Any]) -> str:
    """The right answer of a resolved step, in words (for the trainer's answer key)."""
    kind = step["kind"]
    if kind in {"choice", "chart"}:
        return "; ".join(step["choices"][i]["text"] for i in step["answer"])
    if kind == "order":
        return " → ".join(step["items"])
    if kind == "spot":
        rows = ", ".join(str(i + 1) for i in step["problem_rows"])
        return f"row {rows}" if len(step["problem_rows"]) == 1 else f"rows {rows}"
    if kind == "estimate":
        return f"{step['answer_text']} (anything within {step['tolerance']:g} counts)"
    if kind == "simulation":
        split = ", ".join(
            f"{a['name']} {n}" for a, n in zip(step["areas"], step["example"], strict=True)
        )
        return f"one share-out that works: {split}"
    return ""
