"""`kind: spot`: find the row that is wrong in a table of real data."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from academy.clickthrough.condition import Condition
from academy.clickthrough.errors import ResolveError
from academy.clickthrough.kinds.base import StepKind
from academy.clickthrough.markup import blank_line, table_html
from academy.clickthrough.parts import TableSpec, Template

if TYPE_CHECKING:
    import ipywidgets

    from academy.clickthrough.resolve import Resolver
    from academy.clickthrough.validate import LessonChecker
    from academy.clickthrough.widgets import Check
    from academy.core.yamlfile import Loc


class SpotStep(StepKind):
    """Find the row that is wrong in a table of real data."""

    shows_table = False  # the table is the question's grid, with a button per row

    kind: Literal["spot"] = Field(description="spot")
    question: Template = Field(description="What to look for.")
    table: TableSpec = Field(description="The rows to look through.")
    problem: Condition = Field(description="The test the wrong row(s) pass; the others must not.")
    right: Template = Field(description="Told when the learner finds a wrong row.")
    wrong: Template = Field(description="Told when the row they picked is fine: a hint.")

    def resolve(self, ctx: Resolver, loc: Loc) -> dict[str, Any]:
        grid = ctx.table(self.table, (*loc, "table"))
        frame = ctx.shown_rows(self.table, (*loc, "table"))
        problems = [
            i for i, bad in enumerate(ctx.marks(frame, self.problem, (*loc, "problem"))) if bad
        ]
        if not problems or len(problems) == len(frame):
            raise ResolveError(
                (*loc, "problem"),
                f"the table shows {len(problems)} wrong row(s) out of {len(frame)} for this city's data; "
                "its query must give at least one wrong row and one fine row",
            )
        grid["marked"] = [False] * len(frame)
        return {
            "question": ctx.text(self.question, (*loc, "question")),
            "grid": grid,
            "problem_rows": problems,
            "right": ctx.text(self.right, (*loc, "right")),
            "wrong": ctx.text(self.wrong, (*loc, "wrong")),
        }

    def check(self, checker: LessonChecker, loc: Loc) -> None:
        checker.column(
            checker.columns_of(self.table.query), self.problem.column, (*loc, "problem", "column")
        )

    @staticmethod
    def printable(step: dict[str, Any]) -> str:
        return table_html(step["grid"], numbered=True) + blank_line("Row number:")

    @staticmethod
    def answer_text(step: dict[str, Any]) -> str:
        rows = ", ".join(str(i + 1) for i in step["problem_rows"])
        return f"row {rows}" if len(step["problem_rows"]) == 1 else f"rows {rows}"

    @staticmethod
    def widgets(step: dict[str, Any], check: Check) -> list[ipywidgets.Widget]:
        """A numbered table and one button per row: press the row that is wrong."""
        import ipywidgets as w

        from academy.clickthrough import widgets as ui

        grid = step["grid"]
        wrong_rows = set(step["problem_rows"])
        feedback = ui.feedback_area()
        buttons = [
            ui.button(f"Row {i + 1}", "academy-row-button") for i in range(len(grid["rows"]))
        ]

        def pick(index: int) -> Callable[[w.Button], None]:
            def on_click(_: w.Button) -> None:
                correct = index in wrong_rows
                ui.mark_picked(buttons, index)
                ui.say(feedback, correct, step["right"] if correct else step["wrong"])
                check({"row": index + 1, "values": grid["rows"][index]}, correct)

            return on_click

        for i, b in enumerate(buttons):
            b.on_click(pick(i))
        return [
            *ui.step_header(step),
            ui.html(table_html(grid, numbered=True), "academy-body"),
            ui.question(step["question"]),
            w.HBox(buttons, layout=w.Layout(flex_flow="row wrap")),
            feedback,
        ]
