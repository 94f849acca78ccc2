"""`kind: simulation`: move crews between parts of the city and see how fast each backlog
clears (the model itself is academy.clickthrough.simulation)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from academy.clickthrough import simulation
from academy.clickthrough.errors import ResolveError
from academy.clickthrough.kinds.base import StepKind
from academy.clickthrough.parts import Template
from academy.clickthrough.text import format_value
from academy.core.strict import Strict

if TYPE_CHECKING:
    import ipywidgets

    from academy.clickthrough.resolve import Resolver
    from academy.clickthrough.validate import LessonChecker
    from academy.clickthrough.widgets import Check
    from academy.core.yamlfile import Loc


class Scenario(Strict):
    """The made-up parts of a simulation, stated to the learner as an example; the step's
    texts may name each of them in braces ({crews}, {goal_days} ...)."""

    crews: int = Field(gt=1, le=40, description="Crews the learner can send.")
    jobs_per_crew_per_day: float = Field(gt=0, description="Jobs one crew finishes in a day.")
    backlog: int = Field(gt=0, description="Open jobs at the start, shared out like the data.")
    new_per_day: int = Field(ge=0, description="New jobs a day, shared out like the data.")
    goal_days: int = Field(
        gt=0, le=60, description="Every area should be clear within this many days."
    )


class SimulationStep(StepKind):
    """Sliders move crews between parts of the city; the learner sees how fast each backlog clears."""

    kind: Literal["simulation"] = Field(description="simulation")
    question: Template = Field(description="What to achieve.")
    model: Literal["crews_backlog"] = Field(description="The model: crews_backlog.")
    areas: str = Field(
        description="Name of a query giving one row per area, with columns 'area' and 'share' (0 to 1)."
    )
    scenario: Scenario = Field(description="Crews, work rate and workload of the example.")
    right: Template = Field(description="Told when every area clears in time.")
    wrong: Template = Field(description="Told when some area does not clear in time: a hint.")

    def own_values(self) -> dict[str, str]:
        """{crews}, {backlog}, ... for the step's texts: every scenario field, formatted."""
        return {name: format_value(value) for name, value in self.scenario.model_dump().items()}

    def own_queries(self) -> set[str]:
        return {self.areas}

    def resolve(self, ctx: Resolver, loc: Loc) -> dict[str, Any]:
        extra = self.own_values()
        frame = ctx.frame(self.areas, (*loc, "areas"))
        if not {"area", "share"} <= set(frame.columns) or frame.empty:
            raise ResolveError(
                (*loc, "areas"),
                f"query '{self.areas}' must give rows with columns 'area' and 'share'",
            )
        s = self.scenario
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
            "question": ctx.text(self.question, (*loc, "question"), extra),
            "areas": [
                {"name": a.name, "backlog": a.backlog, "new_per_day": a.new_per_day} for a in areas
            ],
            "crews_total": s.crews,
            "per_crew": s.jobs_per_crew_per_day,
            "goal_days": s.goal_days,
            "start": start,
            "example": best,
            "right": ctx.text(self.right, (*loc, "right"), extra),
            "wrong": ctx.text(self.wrong, (*loc, "wrong"), extra),
        }

    def check(self, checker: LessonChecker, loc: Loc) -> None:
        columns = checker.rows_query(self.areas, (*loc, "areas"))
        for col in ("area", "share"):
            checker.column(columns, col, (*loc, "areas"))

    @staticmethod
    def printable(step: dict[str, Any]) -> str:
        rows = "".join(
            f'<tr><th scope="row">{escape(a["name"])}</th><td>{a["backlog"]:,}</td><td>{a["new_per_day"]:,}</td><td></td></tr>'
            for a in step["areas"]
        )
        return (
            '<div class="academy-table-wrap"><table class="academy-table"><thead><tr><th scope="col">Part of the city</th>'
            '<th scope="col">Open jobs</th><th scope="col">New jobs a day</th><th scope="col">Crews you send</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>"
            f"<p>You have {step['crews_total']} crews. Each finishes {step['per_crew']:g} jobs a day. "
            f"Every part should be clear within {step['goal_days']} days.</p>"
        )

    @staticmethod
    def answer_text(step: dict[str, Any]) -> str:
        split = ", ".join(
            f"{a['name']} {n}" for a, n in zip(step["areas"], step["example"], strict=True)
        )
        return f"one share-out that works: {split}"

    @staticmethod
    def widgets(step: dict[str, Any], check: Check) -> list[ipywidgets.Widget]:
        """One slider per area (crews sent there); the result redraws as the sliders move."""
        import ipywidgets as w

        from academy.clickthrough import widgets as ui

        areas = [simulation.Area(a["name"], a["backlog"], a["new_per_day"]) for a in step["areas"]]
        total, per_crew, goal = step["crews_total"], step["per_crew"], step["goal_days"]
        sliders = []
        for area, crews in zip(areas, step["start"], strict=True):
            slider = w.IntSlider(
                value=crews,
                min=0,
                max=total,
                step=1,
                description=f"Crews in {area.name}",
                style={"description_width": "initial"},
                layout=w.Layout(width="100%"),
            )
            slider.add_class("academy-slider")
            sliders.append(slider)
        workload = ui.html(
            "<ul>"
            + "".join(
                f"<li><strong>{escape(a.name)}</strong>: {a.backlog:,} open jobs, {a.new_per_day:,} new jobs a day</li>"
                for a in areas
            )
            + "</ul>",
            "academy-body",
        )
        result = ui.html("", "academy-sim-result")
        feedback = ui.feedback_area()
        submit = ui.button("Check my plan", "academy-primary")

        def outcomes() -> list[simulation.Outcome]:
            return simulation.run(areas, [s.value for s in sliders], per_crew, goal)

        def redraw(_: Any = None) -> None:
            found = outcomes()
            used = sum(o.crews for o in found)
            lines = "".join(
                f"<li>{escape(o.name)}: {o.crews} crew{'s' if o.crews != 1 else ''}, clear in "
                f"{escape(simulation.describe_days(o.days_to_clear))}</li>"
                for o in found
            )
            over = (
                f'<p class="academy-wrong"><strong>Too many crews:</strong> you have {total}, '
                f"and the sliders use {used}. Move some back.</p>"
                if used > total
                else f"<p>Crews used: {used} of {total}.</p>"
            )
            label = "; ".join(
                f"{o.name} clears in {simulation.describe_days(o.days_to_clear)}" for o in found
            )
            result.value = (
                over
                + simulation.chart_svg(
                    found, goal, f"Days to clear each area. {label}. Goal: {goal} days."
                )
                + f"<ul>{lines}</ul>"
            )

        def on_submit(_: w.Button) -> None:
            found = outcomes()
            met = simulation.goal_met(found, total)
            late = [o.name for o in found if not o.cleared_in_time]
            used = sum(o.crews for o in found)
            if met:
                ui.say(feedback, True, step["right"])
            elif used > total:
                ui.say(
                    feedback,
                    False,
                    f"You only have {total} crews. Move some crews back and check again.",
                )
            else:
                ui.say(
                    feedback,
                    False,
                    f"{', '.join(late)} will not be clear in {goal} days. {step['wrong']}",
                )
            check({o.name: o.crews for o in found}, met)

        for slider in sliders:
            slider.observe(redraw, names="value")
        submit.on_click(on_submit)
        redraw()
        return [
            *ui.step_header(step),
            ui.question(step["question"]),
            workload,
            *sliders,
            result,
            submit,
            feedback,
        ]
