"""What a step can show besides its text (rows, a chart, a picture), and lesson text that
may name queries in braces ("The city got {total_requests} requests").

A text field typed `Template` is filled in from the data when the lesson is built and
checked by `academy validate`: both find such fields through `templates`, so a new
field of a step kind is covered by marking its type, and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import BaseModel, Field, model_validator
from pydantic.fields import FieldInfo

from academy.clickthrough.condition import Condition
from academy.core.strict import Strict

if TYPE_CHECKING:
    from academy.core.yamlfile import Loc


class _Fillable:
    """Marks a text that may name queries in braces."""


FILLABLE = _Fillable()
Template = Annotated[str, FILLABLE]
"""Lesson text that may name queries in braces; filled in from the data at build time."""


def _marked(annotation: Any) -> bool:
    if FILLABLE in getattr(annotation, "__metadata__", ()):
        return True
    return any(_marked(arg) for arg in get_args(annotation))


def is_template(info: FieldInfo) -> bool:
    """Whether a field holds `Template` text (or a list of them)."""
    return FILLABLE in info.metadata or _marked(info.annotation)


def templates(model: BaseModel, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """(location, text) of every `Template` in `model` and the models inside it."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        here = (*loc, name)
        marked = is_template(info)
        if isinstance(value, str) and marked:
            yield here, value
        elif isinstance(value, BaseModel):
            yield from templates(value, here)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, str) and marked:
                    yield (*here, i), item
                elif isinstance(item, BaseModel):
                    yield from templates(item, (*here, i))
        elif isinstance(value, dict) and marked:
            for key, item in value.items():
                if isinstance(item, str):
                    yield (*here, key), item


class Threshold(Strict):
    """A query's value compared with a number, for `when:` and `unless:`.

    `when: {query: kinds, above: 1}` shows a step only when the data has more than one
    kind; the same test a plain `when: kinds` makes against 0."""

    query: str = Field(description="Name of a query that gives one value.")
    above: float | None = Field(default=None, description="Passes when the value is above this.")
    below: float | None = Field(default=None, description="Passes when the value is below this.")

    @model_validator(mode="after")
    def _one_test(self) -> Threshold:
        if (self.above is None) == (self.below is None):
            raise ValueError("give exactly one of `above` or `below`")
        return self

    def passes(self, value: Any) -> bool:
        """Whether a query's value passes (a missing value never does)."""
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return value > self.above if self.above is not None else value < float(self.below or 0)


class TableSpec(Strict):
    """Rows of real data shown in a step."""

    query: str = Field(description="Name of a query that gives rows.")
    columns: list[str] = Field(min_length=1, description="Columns to show, in order.")
    labels: dict[str, Template] = Field(
        default_factory=dict,
        description="Headings people understand: {column: heading}; may use the city's words, "
        "e.g. {Area}.",
    )
    max_rows: int = Field(default=8, gt=0, le=25, description="Show at most this many rows.")
    highlight: Condition | None = Field(
        default=None,
        description="Mark the rows that pass this test (marked with a flag, not only colour).",
    )
    caption: Template | None = Field(
        default=None, description="One line under the table saying what it is."
    )


class ChartSpec(Strict):
    """A bar or line chart drawn from a query's rows."""

    query: str = Field(description="Name of a query that gives rows.")
    type: Literal["bar", "column", "line"] = Field(
        description="bar (sideways bars, good for names), column (upright bars) or line (over time)."
    )
    x: str = Field(description="Column along the bottom (for bar charts: the numbers).")
    y: str = Field(description="Column up the side (for bar charts: the names).")
    x_title: Template = Field(description="Title of the bottom axis, in plain words.")
    y_title: Template = Field(description="Title of the side axis, in plain words.")
    title: Template | None = Field(default=None, description="Title above the chart.")
    axis_from_zero: bool = Field(
        default=True,
        description="false: the number axis starts near the smallest value (used to show a misleading chart).",
    )
    alt: Template = Field(description="What the chart shows, for people who cannot see it.")


class ImageSpec(Strict):
    """A picture stored beside the lesson file."""

    src: str = Field(description="File name, relative to the lesson file.")
    alt: Template = Field(description="What the picture shows, for people who cannot see it.")
