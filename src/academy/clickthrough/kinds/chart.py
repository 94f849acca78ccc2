"""`kind: chart`: a question about a chart."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from academy.clickthrough.kinds.choice import ChoiceQuestion
from academy.clickthrough.parts import ChartSpec

if TYPE_CHECKING:
    from academy.clickthrough.validate import LessonChecker
    from academy.core.yamlfile import Loc


class ChartStep(ChoiceQuestion):
    """A question about a chart, with answers to pick from."""

    kind: Literal["chart"] = Field(description="chart")
    chart: ChartSpec = Field(description="The chart the question is about.")

    def check(self, checker: LessonChecker, loc: Loc) -> None:
        super().check(checker, loc)
        if self.table is not None:
            checker.add(
                (*loc, "table"),
                "clickthrough-step",
                "a chart question shows its chart; move the table to a step before it",
            )
