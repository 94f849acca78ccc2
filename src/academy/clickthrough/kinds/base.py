"""What every step kind is.

A step kind (`kind: choice`, `kind: estimate` ...) is one class, the model of the step's
YAML, that also says in one place:

* `resolve`: how the step becomes plain data at build time, for one city's query
  results (the keys it adds to `academy.clickthrough.format.ResolvedStep`);
* `check`: its own `academy validate` rules (beyond the fields every step has);
* `printable`, `answer_text`, `explanation`: how the printable book page shows the resolved
  step and what the trainer's answer key says;
* `widgets`: how the learner's kernel draws the resolved step and checks each answer;
* whether it is a question: it is when it has a `question` (see `format.is_question`);
* its documentation: the class docstring and the field descriptions.

The kernel imports these classes for `widgets`, so no module here imports pandas,
altair or ipywidgets at the top: the build side reaches the data through the `Resolver`
it is given, and `widgets` imports ipywidgets (via academy.clickthrough.widgets) when it
runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, get_args

from pydantic import Field

from academy.clickthrough.parts import ChartSpec, ImageSpec, TableSpec, Template, Threshold
from academy.core.strict import Strict

if TYPE_CHECKING:
    import random

    import ipywidgets

    from academy.clickthrough.resolve import Resolver
    from academy.clickthrough.validate import LessonChecker
    from academy.clickthrough.widgets import Check
    from academy.core.yamlfile import Loc


class StepKind(Strict):
    """Fields every step has."""

    name: ClassVar[str] = ""
    shows_table: ClassVar[bool] = True
    """False when the step shows its `table` itself (not with the text)."""

    title: Template = Field(description="Short heading of the step.")
    text: Template | None = Field(
        default=None,
        description="What the learner reads first. Blank lines start new paragraphs; '- ' starts a list; **bold**.",
    )
    table: TableSpec | None = Field(default=None, description="Rows of data to show with the text.")
    chart: ChartSpec | None = Field(default=None, description="A chart to show with the text.")
    image: ImageSpec | None = Field(default=None, description="A picture to show with the text.")
    when: str | Threshold | None = Field(
        default=None,
        description="Name of a query: show this step only when its value is true or above 0; "
        "or {query: name, above: N} (or below: N) to compare with another number.",
    )
    unless: str | Threshold | None = Field(
        default=None,
        description="Name of a query: show this step only when its value is false, 0 or blank; "
        "or {query: name, above: N} (or below: N): leave the step out when it passes.",
    )
    assesses: list[str] = Field(
        default_factory=list,
        description=(
            "A question in a course's graded check (the course's `check:` in its track): the "
            "ids of the lesson's objectives this question assesses. Every question of a check "
            "names at least one."
        ),
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        kind = cls.model_fields.get("kind")
        if kind is not None:  # a class without `kind` is a shared base, e.g. of choice and chart
            (cls.name,) = get_args(kind.annotation)

    @classmethod
    def is_question(cls) -> bool:
        """Whether the learner must answer this step before going on."""
        return "question" in cls.model_fields

    # -- build time ------------------------------------------------------------------
    def own_values(self) -> dict[str, str]:
        """Names this step fills into its texts besides the lesson's queries (e.g. a
        simulation's {crews})."""
        return {}

    def names_in(self, field: str) -> frozenset[str]:
        """Names besides the lesson's queries that the text at `field` may use in braces:
        `own_values` in the step's text and in the kind's own fields."""
        if field == "text" or field not in StepKind.model_fields:
            return frozenset(self.own_values())
        return frozenset()

    def resolve(self, ctx: Resolver, loc: Loc) -> dict[str, Any]:
        """The keys this kind adds to the resolved step (pure; raises ResolveError)."""
        return {}

    def own_queries(self) -> set[str]:
        """Queries this kind reads by name in its own fields (e.g. an estimate's answer)."""
        return set()

    def queries_used(self) -> set[str]:
        """Every query the step shows: in its texts, its table and chart and the kind's own
        fields (so the build knows which columns the step needs). Not `when`/`unless`: they
        are how a step copes with data the city may lack."""
        from academy.clickthrough.parts import templates
        from academy.clickthrough.text import placeholders

        used = {name for _, text in templates(self, ()) for name in placeholders(text)}
        for part in (self.table, self.chart):
            if part is not None:
                used.add(part.query)
        return used | self.own_queries()

    def check(self, checker: LessonChecker, loc: Loc) -> None:
        """This kind's own validation rules; findings go to `checker`."""

    # -- the resolved step -----------------------------------------------------------
    @staticmethod
    def printable(step: dict[str, Any]) -> str:
        """HTML the printable page shows after the question: what to fill in on paper."""
        return ""

    @staticmethod
    def answer_text(step: dict[str, Any]) -> str:
        """The right answer in words, for the trainer's answer key."""
        return ""

    @staticmethod
    def explanation(step: dict[str, Any]) -> str:
        """Why the answer is right, for the answer key."""
        return str(step.get("right", ""))

    @staticmethod
    def for_learner(step: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        """The resolved step as this learner sees it (e.g. choices in their own order);
        `rng` is seeded by learner, lesson and step, so it is the same on every visit."""
        return step

    @staticmethod
    def widgets(step: dict[str, Any], check: Check) -> list[ipywidgets.Widget]:
        """The learner's widgets; each answer goes to `check(answer, correct)`."""
        from academy.clickthrough import widgets as ui

        return ui.step_header(step)
