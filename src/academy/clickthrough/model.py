"""The click-through lesson file, `tracks/foundations/<course>/clickthrough/<lesson>.yml`.

A trainer writes these without code: some facts about the lesson (like a book lesson's
front matter), named `queries` that pull numbers and rows from the city's data, and a
list of `steps`. Every model forbids unknown keys and describes every field.

Text fields may name a query in braces, e.g. "The city got {total_requests} requests",
and the number is filled in from the data when the lesson is built.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from academy.core.strict import Strict

Scalar = str | int | float | bool


# --- conditions and query operations ---------------------------------------------------

OPERATORS = (
    "equals",
    "not_equals",
    "one_of",
    "not_one_of",
    "contains",
    "starts_with",
    "missing",
    "above",
    "below",
)


class Condition(Strict):
    """Which rows to keep (or mark): one column and exactly one test on it."""

    column: str = Field(description="Column to test, as the table names it.")
    equals: Scalar | None = Field(
        default=None, description="Keep rows whose value is exactly this."
    )
    not_equals: Scalar | None = Field(
        default=None, description="Keep rows whose value is not this."
    )
    one_of: list[Scalar] | None = Field(
        default=None, description="Keep rows whose value is in this list."
    )
    not_one_of: list[Scalar] | None = Field(
        default=None, description="Keep rows whose value is not in this list."
    )
    contains: str | None = Field(
        default=None, description="Keep rows whose text contains this (any upper/lower case)."
    )
    starts_with: str | None = Field(
        default=None, description="Keep rows whose text starts with this."
    )
    missing: bool | None = Field(
        default=None,
        description="true: keep rows with no value here; false: keep rows that have one.",
    )
    above: float | None = Field(
        default=None, description="Keep rows whose number is greater than this."
    )
    below: float | None = Field(
        default=None, description="Keep rows whose number is less than this."
    )

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [name for name in OPERATORS if name in self.model_fields_set]
        if len(tests) != 1:
            raise ValueError(
                f"give exactly one test for column '{self.column}' (one of: {', '.join(OPERATORS)})"
            )
        return self

    @property
    def operator(self) -> str:
        return next(name for name in OPERATORS if name in self.model_fields_set)

    @property
    def value(self) -> Any:
        return getattr(self, self.operator)


class SortSpec(Strict):
    """Sort rows by a column."""

    by: str = Field(description="Column to sort by.")
    descending: bool = Field(default=False, description="true: biggest or latest first.")


class SampleSpec(Strict):
    """Pick some rows at random, the same ones on every build of the same data."""

    n: int = Field(gt=0, le=50, description="How many rows to pick.")
    seed: int = Field(default=1, description="Change it to pick other rows.")


class PickSpec(Strict):
    """One value from the table: a column of one row."""

    column: str = Field(description="Column to read.")
    row: int = Field(default=0, ge=0, description="Row number, counting from 0 (the first row).")


class DaysBetweenSpec(Strict):
    """A new column: days from one date column to another."""

    start: str = Field(description="Date column the time starts at, e.g. created_at.")
    end: str = Field(description="Date column the time ends at, e.g. closed_at.")
    into: str = Field(description="Name of the new column.")


class DerivedSpec(Strict):
    """A new column computed from one date column."""

    column: str = Field(description="Date column to read.")
    into: str = Field(description="Name of the new column.")


class ParseSpec(Strict):
    """Turn a text column into dates or numbers (for files as published)."""

    column: str = Field(description="Column to convert.")
    to: Literal["date", "number"] = Field(description="'date' or 'number'.")
    format: str | None = Field(
        default=None,
        description="Date pattern such as '%m/%d/%y' (dates only; guessed when left out).",
    )


class CountBySpec(Strict):
    """Count rows per value of a column: gives columns <column> and 'count', biggest first."""

    column: str = Field(description="Column whose values to count.")
    keep_missing: bool = Field(
        default=False, description="true: also count rows with no value, as '(blank)'."
    )


class CountByPeriodSpec(Strict):
    """Count rows per month or year of a date column: gives columns 'period' and 'count'."""

    column: str = Field(description="Date column.")
    period: Literal["month", "year"] = Field(description="'month' or 'year'.")


class QuadrantSpec(Strict):
    """A new column naming the part of the city each row is in (north-east, ...), split at the
    middle of the area the requests cover. Rows with no location get no quadrant."""

    into: str = Field(default="quadrant", description="Name of the new column.")


class DuplicatesSpec(Strict):
    """Keep only rows that share all these values with at least one other row."""

    columns: list[str] = Field(min_length=1, description="Columns that must all match.")


def _op_key(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value))
    if isinstance(value, BaseModel):
        return next(iter(type(value).model_fields))
    return None


class FilterOp(Strict):
    filter: Condition = Field(description="Keep only the rows that pass this test.")


class SelectOp(Strict):
    select: list[str] = Field(min_length=1, description="Keep only these columns, in this order.")


class RenameOp(Strict):
    rename: dict[str, str] = Field(description="Rename columns: {old name: new name}.")


class SortOp(Strict):
    sort: SortSpec = Field(description="Sort the rows.")


class HeadOp(Strict):
    head: int = Field(gt=0, le=500, description="Keep the first N rows.")


class SampleOp(Strict):
    sample: SampleSpec = Field(description="Pick rows at random (repeatably).")


class ShuffleOp(Strict):
    shuffle: int = Field(description="Put the rows in a random order; the number is the seed.")


class ParseOp(Strict):
    parse: ParseSpec = Field(description="Convert a text column to dates or numbers.")


class DaysBetweenOp(Strict):
    days_between: DaysBetweenSpec = Field(description="Add a column of days between two dates.")


class DayOp(Strict):
    day: DerivedSpec = Field(description="Add a column with the date part only (no time).")


class QuadrantOp(Strict):
    quadrant: QuadrantSpec = Field(description="Add a column with the part of the city.")


class DuplicatesOp(Strict):
    duplicates: DuplicatesSpec = Field(description="Keep rows that repeat these values.")


class MarkDuplicatesSpec(Strict):
    """A new yes/no column: does the row share all these values with another row?"""

    columns: list[str] = Field(min_length=1, description="Columns that must all match.")
    into: str = Field(description="Name of the new column.")


class MarkDuplicatesOp(Strict):
    mark_duplicates: MarkDuplicatesSpec = Field(
        description="Add a yes/no column marking repeated rows."
    )


class CountByOp(Strict):
    count_by: CountBySpec = Field(description="Count rows per value of a column.")


class CountByPeriodOp(Strict):
    count_by_period: CountByPeriodSpec = Field(description="Count rows per month or year.")


class ShareOfTotalOp(Strict):
    share_of_total: str = Field(
        description="Add a column 'share' = this number column divided by its total."
    )


class CountOp(Strict):
    count: Literal[True] = Field(description="The number of rows (a single value).")


class ShareOp(Strict):
    share: Condition = Field(
        description="The fraction of rows that pass this test, 0 to 1 (a single value)."
    )


class MedianOp(Strict):
    median: str = Field(description="The middle value of a number or date column (a single value).")


class MinOp(Strict):
    min: str = Field(description="The smallest (or earliest) value of a column (a single value).")


class MaxOp(Strict):
    max: str = Field(description="The largest (or latest) value of a column (a single value).")


class SumOp(Strict):
    sum: str = Field(description="The total of a number column (a single value).")


class DistinctOp(Strict):
    distinct: str = Field(description="How many different values a column has (a single value).")


class HasValuesOp(Strict):
    has_values: str = Field(
        description="true when the column has at least one value, false when it is all blank."
    )


class ChangeSpec(Strict):
    """How much a number column changed from its first row to its last, as a share of the first."""

    column: str = Field(description="Number column, e.g. count.")
    by: str = Field(description="Column that puts the rows in order, e.g. a date.")


class ChangeOp(Strict):
    change: ChangeSpec = Field(
        description="(last - first) / first, e.g. -0.05 for a 5% drop (a single value)."
    )


class PickOp(Strict):
    pick: PickSpec = Field(description="One value: a column of one row (a single value).")


OP_MODELS: dict[str, type[Strict]] = {
    "filter": FilterOp,
    "select": SelectOp,
    "rename": RenameOp,
    "sort": SortOp,
    "head": HeadOp,
    "sample": SampleOp,
    "shuffle": ShuffleOp,
    "parse": ParseOp,
    "days_between": DaysBetweenOp,
    "day": DayOp,
    "quadrant": QuadrantOp,
    "duplicates": DuplicatesOp,
    "mark_duplicates": MarkDuplicatesOp,
    "count_by": CountByOp,
    "count_by_period": CountByPeriodOp,
    "share_of_total": ShareOfTotalOp,
    "count": CountOp,
    "share": ShareOp,
    "median": MedianOp,
    "min": MinOp,
    "max": MaxOp,
    "sum": SumOp,
    "distinct": DistinctOp,
    "has_values": HasValuesOp,
    "pick": PickOp,
    "change": ChangeOp,
}
VALUE_OPS = frozenset(
    ["count", "share", "median", "min", "max", "sum", "distinct", "has_values", "pick", "change"]
)

Op = Annotated[
    Annotated[FilterOp, Tag("filter")]
    | Annotated[SelectOp, Tag("select")]
    | Annotated[RenameOp, Tag("rename")]
    | Annotated[SortOp, Tag("sort")]
    | Annotated[HeadOp, Tag("head")]
    | Annotated[SampleOp, Tag("sample")]
    | Annotated[ShuffleOp, Tag("shuffle")]
    | Annotated[ParseOp, Tag("parse")]
    | Annotated[DaysBetweenOp, Tag("days_between")]
    | Annotated[DayOp, Tag("day")]
    | Annotated[QuadrantOp, Tag("quadrant")]
    | Annotated[DuplicatesOp, Tag("duplicates")]
    | Annotated[MarkDuplicatesOp, Tag("mark_duplicates")]
    | Annotated[CountByOp, Tag("count_by")]
    | Annotated[CountByPeriodOp, Tag("count_by_period")]
    | Annotated[ShareOfTotalOp, Tag("share_of_total")]
    | Annotated[CountOp, Tag("count")]
    | Annotated[ShareOp, Tag("share")]
    | Annotated[MedianOp, Tag("median")]
    | Annotated[MinOp, Tag("min")]
    | Annotated[MaxOp, Tag("max")]
    | Annotated[SumOp, Tag("sum")]
    | Annotated[DistinctOp, Tag("distinct")]
    | Annotated[HasValuesOp, Tag("has_values")]
    | Annotated[PickOp, Tag("pick")]
    | Annotated[ChangeOp, Tag("change")],
    Discriminator(
        _op_key,
        custom_error_type="unknown_operation",
        custom_error_message="unknown query operation; use one of: " + ", ".join(OP_MODELS),
    ),
]


def op_name(op: BaseModel) -> str:
    """The operation's keyword, e.g. 'filter'."""
    return next(iter(type(op).model_fields))


FORMATS = ("number", "decimal", "percent", "date", "month", "year", "text")


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

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @property
    def sources(self) -> list[str]:
        return [self.source] if isinstance(self.source, str) else list(self.source)

    @property
    def gives_value(self) -> bool:
        return bool(self.steps) and op_name(self.steps[-1]) in VALUE_OPS


# --- what a step shows -------------------------------------------------------------------


class TableSpec(Strict):
    """Rows of real data shown in a step."""

    query: str = Field(description="Name of a query that gives rows.")
    columns: list[str] = Field(min_length=1, description="Columns to show, in order.")
    labels: dict[str, str] = Field(
        default_factory=dict, description="Headings people understand: {column: heading}."
    )
    max_rows: int = Field(default=8, gt=0, le=25, description="Show at most this many rows.")
    highlight: Condition | None = Field(
        default=None,
        description="Mark the rows that pass this test (marked with a flag, not only colour).",
    )
    caption: str | None = Field(
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
    x_title: str = Field(description="Title of the bottom axis, in plain words.")
    y_title: str = Field(description="Title of the side axis, in plain words.")
    title: str | None = Field(default=None, description="Title above the chart.")
    axis_from_zero: bool = Field(
        default=True,
        description="false: the number axis starts near the smallest value (used to show a misleading chart).",
    )
    alt: str = Field(
        description="What the chart shows, for people who cannot see it; may name queries in braces."
    )


class ImageSpec(Strict):
    """A picture stored beside the lesson file."""

    src: str = Field(description="File name, relative to the lesson file.")
    alt: str = Field(description="What the picture shows, for people who cannot see it.")


class StepBase(Strict):
    """Fields every step has."""

    title: str = Field(description="Short heading of the step.")
    text: str | None = Field(
        default=None,
        description="What the learner reads first. Blank lines start new paragraphs; '- ' starts a list; **bold**.",
    )
    table: TableSpec | None = Field(default=None, description="Rows of data to show with the text.")
    chart: ChartSpec | None = Field(default=None, description="A chart to show with the text.")
    image: ImageSpec | None = Field(default=None, description="A picture to show with the text.")
    when: str | None = Field(
        default=None,
        description="Name of a query: show this step only when its value is true or above 0.",
    )
    unless: str | None = Field(
        default=None,
        description="Name of a query: show this step only when its value is false, 0 or blank.",
    )


class ReadStep(StepBase):
    """Something to read (text, a picture or a chart); the learner presses Next."""

    kind: Literal["read"] = Field(description="read")


class TableStep(StepBase):
    """Rows of real data to look at, with some rows marked; the learner presses Next."""

    kind: Literal["table"] = Field(description="table")
    table: TableSpec = Field(description="The rows to show.")


class Choice(Strict):
    """One answer the learner can pick."""

    text: str = Field(description="The answer as the learner sees it; may name queries in braces.")
    feedback: str = Field(
        description="What the learner is told after picking it: kind, and says why."
    )


class ChoiceStep(StepBase):
    """A question with answers to pick from (one, or several when `answer` is a list)."""

    kind: Literal["choice"] = Field(description="choice")
    question: str = Field(description="The question.")
    choices: list[Choice] = Field(
        min_length=2, max_length=6, description="The answers to pick from."
    )
    answer: str | list[str] = Field(
        description="The right answer's text, exactly as in `choices` (a list: every right answer must be picked)."
    )
    shuffle: bool = Field(
        default=False,
        description="true: show the choices in a mixed order (the same on every build).",
    )

    @property
    def answers(self) -> list[str]:
        return [self.answer] if isinstance(self.answer, str) else list(self.answer)


class ChartStep(ChoiceStep):
    """A question about a chart."""

    kind: Literal["chart"] = Field(description="chart")  # type: ignore[assignment]
    chart: ChartSpec = Field(description="The chart the question is about.")


class OrderStep(StepBase):
    """Put things in the right order, e.g. what happens to a request."""

    kind: Literal["order"] = Field(description="order")
    question: str = Field(description="What to put in order.")
    items: list[str] = Field(
        min_length=3,
        max_length=7,
        description="The things, written in the RIGHT order (they are shuffled).",
    )
    right: str = Field(description="Told when the order is right.")
    wrong: str = Field(description="Told when it is not right yet: a hint, not the answer.")


class SpotStep(StepBase):
    """Find the row that is wrong in a table of real data."""

    kind: Literal["spot"] = Field(description="spot")
    question: str = Field(description="What to look for.")
    table: TableSpec = Field(description="The rows to look through.")
    problem: Condition = Field(description="The test the wrong row(s) pass; the others must not.")
    right: str = Field(description="Told when the learner finds a wrong row.")
    wrong: str = Field(description="Told when the row they picked is fine: a hint.")


class EstimateStep(StepBase):
    """Guess a number with a slider; close enough counts."""

    kind: Literal["estimate"] = Field(description="estimate")
    question: str = Field(description="What to estimate.")
    answer: str = Field(description="Name of the query whose value is the right answer.")
    min: float = Field(description="Left end of the slider.")
    max: float = Field(description="Right end of the slider.")
    step: float = Field(default=1, gt=0, description="How far one move of the slider goes.")
    start: float | None = Field(
        default=None, description="Where the slider starts (the middle if left out)."
    )
    tolerance: float = Field(
        gt=0, description="How far from the right answer still counts as right."
    )
    unit: str = Field(default="", description="Word after the number, e.g. '%' or 'requests'.")
    as_percent: bool = Field(
        default=False,
        description="true when the answer is a share (0 to 1) and the slider counts in %.",
    )
    right: str = Field(description="Told when the guess is close enough; may use {answer}.")
    too_low: str = Field(description="Told when the guess is too low: a hint.")
    too_high: str = Field(description="Told when the guess is too high: a hint.")


class Scenario(Strict):
    """The made-up parts of a simulation, stated to the learner as an example."""

    crews: int = Field(gt=1, le=40, description="Crews the learner can send.")
    jobs_per_crew_per_day: float = Field(gt=0, description="Jobs one crew finishes in a day.")
    backlog: int = Field(gt=0, description="Open jobs at the start, shared out like the data.")
    new_per_day: int = Field(ge=0, description="New jobs a day, shared out like the data.")
    goal_days: int = Field(
        gt=0, le=60, description="Every area should be clear within this many days."
    )


class SimulationStep(StepBase):
    """Sliders move crews between parts of the city; the learner sees how fast each backlog clears."""

    kind: Literal["simulation"] = Field(description="simulation")
    question: str = Field(description="What to achieve.")
    model: Literal["crews_backlog"] = Field(description="The model: crews_backlog.")
    areas: str = Field(
        description="Name of a query giving one row per area, with columns 'area' and 'share' (0 to 1)."
    )
    scenario: Scenario = Field(description="Crews, work rate and workload of the example.")
    right: str = Field(description="Told when every area clears in time.")
    wrong: str = Field(description="Told when some area does not clear in time: a hint.")


STEP_KINDS = ("read", "table", "choice", "chart", "order", "spot", "estimate", "simulation")


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("kind")
    return getattr(value, "kind", None)


Step = Annotated[
    Annotated[ReadStep, Tag("read")]
    | Annotated[TableStep, Tag("table")]
    | Annotated[ChoiceStep, Tag("choice")]
    | Annotated[ChartStep, Tag("chart")]
    | Annotated[OrderStep, Tag("order")]
    | Annotated[SpotStep, Tag("spot")]
    | Annotated[EstimateStep, Tag("estimate")]
    | Annotated[SimulationStep, Tag("simulation")],
    Discriminator(
        _step_kind,
        custom_error_type="unknown_step_kind",
        custom_error_message="unknown step kind; use one of: " + ", ".join(STEP_KINDS),
    ),
]

QUESTION_KINDS = frozenset(["choice", "chart", "order", "spot", "estimate", "simulation"])


class ClickLesson(Strict):
    """A click-through lesson: facts about it, named queries, and its steps."""

    title: str = Field(description="Lesson title as learners see it.")
    summary: str = Field(description="One sentence on what the learner will do.")
    objectives: list[str] = Field(
        min_length=1,
        description="Objective ids this lesson teaches (from curriculum/objectives.yml).",
    )
    key_points: list[str] = Field(
        min_length=1, description="Plain sentences that sum up the lesson."
    )
    minutes: int = Field(gt=0, le=60, description="How long the lesson takes, in minutes.")
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
    queries: dict[str, Query] = Field(
        default_factory=dict, description="Named questions to the data, used by the steps."
    )
    steps: list[Step] = Field(min_length=2, description="The steps, in order.")
