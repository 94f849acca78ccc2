"""The click-through lesson file, `tracks/foundations/<course>/clickthrough/<lesson>.yml`.

A trainer writes these without code: some facts about the lesson (like a book lesson's
front matter), named `queries` that pull numbers and rows from the city's data, and a
list of `steps`. Every model forbids unknown keys and describes every field.

Text fields may name a query in braces, e.g. "The city got {total_requests} requests",
and the number is filled in from the data when the lesson is built.

The vocabulary is not written here: a query's operations are the classes of
`academy.clickthrough.ops`, a step's kinds those of `academy.clickthrough.kinds`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from academy.clickthrough.kinds import Step
from academy.clickthrough.ops import Op
from academy.clickthrough.parts import Threshold
from academy.core.strict import Strict
from academy.curriculum.models import LessonMeta


class Query(Strict):
    """A named question to the data: a table (or other queries) and steps applied in order.

    It gives rows (for tables and charts) or, when its last step is a single-value step
    (count, share, median, ...), one value (for text, answers and sliders)."""

    source: str | list[str] = Field(
        alias="from",
        description=(
            "Where the rows come from: a canonical table of the active city (e.g. "
            "'service_requests'), one published file ('baltimore/vacant-building-counts-2010-2019'), "
            "another query's name, or a list of query names whose rows are put together."
        ),
    )
    steps: list[Op] = Field(
        default_factory=list, description="Operations applied in order, e.g. - filter: {...}."
    )
    format: Literal["number", "decimal", "percent", "date", "month", "year", "text"] | None = Field(
        default=None,
        description=(
            "How a single value is written in text: number (1,234), decimal (3.5), percent (12%), "
            "date (April 3, 2018), month (April 2018), year, text. Guessed when left out."
        ),
    )

    noun: tuple[str, str] | None = Field(
        default=None,
        description=(
            "For a count: the word for one and for several, written after the number in text "
            "([bar, bars] gives '1 bar', '8 bars'), so no city reads '1 bars'."
        ),
    )

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @property
    def sources(self) -> list[str]:
        return [self.source] if isinstance(self.source, str) else list(self.source)

    @property
    def gives_value(self) -> bool:
        return bool(self.steps) and self.steps[-1].gives_value


CLICK_LESSON_MAX_MINUTES = 30  # a break in a shift, on a shared tablet


class ClickLesson(LessonMeta):
    """A click-through lesson: the facts every lesson has, named queries, and its steps."""

    title: str = Field(description="Lesson title as learners see it.")
    summary: str = Field(description="One sentence on what the learner will do.")
    minutes: int = Field(
        gt=0,
        le=CLICK_LESSON_MAX_MINUTES,
        description=(
            f"How long the lesson takes, in minutes (at most {CLICK_LESSON_MAX_MINUTES}: frontline "
            "staff take it in a break, on a shared tablet; split a longer one)."
        ),
    )
    datasets: list[str] = Field(
        min_length=1,
        description="Data the lesson reads: canonical tables (e.g. service_requests) or '<city>/<dataset>' files.",
    )
    city: str | None = Field(
        default=None,
        description=(
            "Set only when the lesson uses one city's published files on purpose (e.g. baltimore); "
            "the lesson then tells learners whose data it is."
        ),
    )
    teach_if: str | Threshold | None = Field(
        default=None,
        description=(
            "With `otherwise`: a query that must pass with the active city's data (true or "
            "above 0, or {query: name, above: N}) for the lesson to use it, e.g. a count of "
            "default map points for a lesson about them."
        ),
    )
    lacks: str | None = Field(
        default=None,
        description=(
            "With `teach_if`: what the active city's data lacks when the query does not pass, "
            "to end 'because <city>'s data has ...', e.g. 'no default map points to find'."
        ),
    )
    queries: dict[str, Query] = Field(
        default_factory=dict, description="Named questions to the data, used by the steps."
    )
    steps: list[Step] = Field(min_length=2, description="The steps, in order.")
