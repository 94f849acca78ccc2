"""`kind: estimate`: guess a number with a slider; close enough counts."""

from __future__ import annotations

import math
import re
from html import escape
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from academy.clickthrough.errors import ResolveError
from academy.clickthrough.kinds.base import StepKind
from academy.clickthrough.markup import blank_line
from academy.clickthrough.parts import Template

if TYPE_CHECKING:
    import ipywidgets

    from academy.clickthrough.resolve import Resolver
    from academy.clickthrough.validate import LessonChecker
    from academy.clickthrough.widgets import Check
    from academy.core.yamlfile import Loc

REVEAL_AFTER = 2  # wrong attempts before "Show me the answer" appears
ANSWER_FIELDS = frozenset(["right", "too_low", "too_high"])  # texts that may say {answer}


def nice_above(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= value)


def nice_step(value: float) -> float:
    """A round slider step close to `value` (1, 2, 5 times a power of ten), at least 0.5."""
    if value <= 0.5:
        return 0.5
    power = 10 ** math.floor(math.log10(value))
    return max(0.5, next(m * power for m in (1, 2, 5, 10) if m * power >= value))


def _decimals(step: float) -> int:
    """Decimal places the slider's step needs (0.5 -> 1, 0.25 -> 2)."""
    text = f"{float(step):.6f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def _number(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}".strip()


class EstimateStep(StepKind):
    """Guess a number with a slider; close enough counts."""

    kind: Literal["estimate"] = Field(description="estimate")
    question: Template = Field(description="What to estimate.")
    answer: str = Field(description="Name of the query whose value is the right answer.")
    min: float = Field(default=0, description="Left end of the slider (0 if left out).")
    max: float | str = Field(
        description="Right end of the slider: a number; the name of a query whose value it is "
        "(e.g. the number of rows shown); or auto: a round number comfortably above this "
        "city's answer (at most 100 for a percent), so the slider fits every city's data."
    )
    step: float | Literal["auto"] = Field(
        default=1,
        description="How far one move of the slider goes, or auto: about a fiftieth of the "
        "slider's length, as a round number.",
    )
    start: float | None = Field(
        default=None, description="Where the slider starts (the middle if left out)."
    )
    tolerance: float | str = Field(
        description="How far from the right answer still counts as right: a number, or a "
        "share of the answer such as '10%' (never less than one move of the slider)."
    )
    unit: str = Field(default="", description="Word after the number, e.g. '%' or 'requests'.")
    unit_one: str | None = Field(
        default=None,
        description="The word after the number when the answer is exactly 1, e.g. 'kind' when "
        "`unit` is 'kinds' (so no city reads '1 kinds').",
    )
    as_percent: bool = Field(
        default=False,
        description="true when the answer is a share (0 to 1) and the slider counts in %.",
    )
    right: Template = Field(description="Told when the guess is close enough; may use {answer}.")
    too_low: Template = Field(
        description="Told when the guess is too low: a hint; may use {answer}."
    )
    too_high: Template = Field(
        description="Told when the guess is too high: a hint; may use {answer}."
    )

    def names_in(self, field: str) -> frozenset[str]:
        extra = frozenset(["answer"]) if field in ANSWER_FIELDS else frozenset()
        return super().names_in(field) | extra

    def own_queries(self) -> set[str]:
        named = {self.max} if isinstance(self.max, str) and self.max != "auto" else set()
        return {self.answer} | named

    def slider(self, answer: float, ctx: Resolver, loc: Loc) -> tuple[float, float, float]:
        """(max, step, tolerance) for this city's answer: the lesson's own, or derived."""
        if self.max == "auto":
            top = nice_above(max(answer * 2, self.min + 1))
            if self.as_percent:
                top = min(top, 100.0)
        elif isinstance(self.max, str):
            top = ctx.number(self.max, (*loc, "max"))
        else:
            top = self.max
        step = self.step if self.step != "auto" else nice_step((top - self.min) / 50)
        if self.step == "auto" and float(answer).is_integer() and not self.as_percent:
            step = max(1.0, float(round(step)))  # whole things are counted in whole steps
        if isinstance(self.tolerance, str):
            share = float(self.tolerance.rstrip("%")) / 100
            tolerance = max(step, abs(answer) * share)
            tolerance = round(tolerance) if tolerance >= 10 else round(tolerance, 1)
        else:
            tolerance = self.tolerance
        return float(top), float(step), float(tolerance)

    def resolve(self, ctx: Resolver, loc: Loc) -> dict[str, Any]:
        answer = ctx.number(self.answer, (*loc, "answer")) * (100 if self.as_percent else 1)
        top, step, tolerance = self.slider(answer, ctx, loc)
        if not self.min <= answer <= top:
            raise ResolveError(
                (*loc, "answer"),
                f"the answer ({answer:g}) is outside the slider ({self.min:g} to {top:g}) for "
                "this city's data; set `max: auto` to fit every city",
            )
        start = (
            self.start
            if self.start is not None and self.min <= self.start <= top
            else round((self.min + top) / 2 / step) * step
        )
        if abs(start - answer) <= tolerance:
            start = self.min if abs(self.min - answer) > abs(top - answer) else top
        number = (
            f"{answer:,.1f}"
            if step < 1 and not float(round(answer, 1)).is_integer()
            else f"{answer:,.0f}"
        )
        unit = self.unit_one if self.unit_one is not None and answer == 1 else self.unit
        answer_text = f"{number}{unit}" if unit == "%" else f"{number} {unit}".strip()
        extra = {"answer": answer_text}
        return {
            "question": ctx.text(self.question, (*loc, "question")),
            "answer": answer,
            "answer_text": answer_text,
            "min": self.min,
            "max": top,
            "step": step,
            "start": start,
            "tolerance": tolerance,
            "unit": self.unit,
            "right": ctx.text(self.right, (*loc, "right"), extra),
            "too_low": ctx.text(self.too_low, (*loc, "too_low"), extra),
            "too_high": ctx.text(self.too_high, (*loc, "too_high"), extra),
        }

    def check(self, checker: LessonChecker, loc: Loc) -> None:
        checker.value_query(self.answer, (*loc, "answer"), "an estimate answer")
        if isinstance(self.max, str) and self.max != "auto":
            checker.value_query(self.max, (*loc, "max"), "a slider's max")
        elif not isinstance(self.max, str) and self.min >= self.max:
            checker.add(
                (*loc, "max"), "clickthrough-step", "the slider's max must be bigger than its min"
            )
        if (
            self.start is not None
            and not isinstance(self.max, str)
            and not self.min <= self.start <= self.max
        ):
            checker.add((*loc, "start"), "clickthrough-step", "the slider starts outside min..max")
        if isinstance(self.tolerance, str) and not re.fullmatch(r"\d+(\.\d+)?%", self.tolerance):
            checker.add(
                (*loc, "tolerance"),
                "clickthrough-step",
                f"tolerance {self.tolerance!r}: give a number, or a share of the answer like '10%'",
            )

    @staticmethod
    def printable(step: dict[str, Any]) -> str:
        label = f"Your guess (between {step['min']:g} and {step['max']:g} {step['unit']}):"
        return blank_line(label.replace(" %", "%"))

    @staticmethod
    def answer_text(step: dict[str, Any]) -> str:
        return f"{step['answer_text']} (anything within {step['tolerance']:g} counts)"

    @staticmethod
    def widgets(step: dict[str, Any], check: Check) -> list[ipywidgets.Widget]:
        """A slider with a named handle; close enough (within the tolerance) is right."""
        import ipywidgets as w

        from academy.clickthrough import widgets as ui

        whole = float(step["step"]).is_integer() and float(step["min"]).is_integer()
        bounds = {k: step[k] for k in ("min", "max", "step")} | {"value": step["start"]}
        label_style = {"style": {"description_width": "initial"}}
        slider = (w.IntSlider if whole else w.FloatSlider)(
            description="Your guess",
            continuous_update=True,
            readout=True,
            readout_format=",d" if whole else f",.{_decimals(step['step'])}f",
            layout=w.Layout(width="100%"),
            **bounds,
            **label_style,
        )
        slider.add_class("academy-slider")
        # the same number typed (a slider is hard to set exactly on a phone), with its unit
        typed = (w.BoundedIntText if whole else w.BoundedFloatText)(
            description="Or type your guess", layout=w.Layout(width="auto"), **bounds, **label_style
        )
        typed.add_class("academy-typed-number")
        w.jslink((slider, "value"), (typed, "value"))
        unit = w.HTML(escape(step["unit"]))
        unit.add_class("academy-unit")
        feedback = ui.feedback_area()
        submit = ui.button("Check my guess", "academy-primary")
        reveal = ui.button("Show me the answer", "academy-secondary")
        reveal.layout.display = "none"
        tries = {"wrong": 0}

        def on_submit(_: w.Button) -> None:
            guess = float(slider.value)
            diff = guess - step["answer"]
            correct = abs(diff) <= step["tolerance"] + 1e-9
            if correct:
                ui.say(feedback, True, f"You said {_number(guess, step['unit'])}. {step['right']}")
            else:
                tries["wrong"] += 1
                hint = step["too_low"] if diff < 0 else step["too_high"]
                ui.say(feedback, False, f"You said {_number(guess, step['unit'])}. {hint}")
                if tries["wrong"] >= REVEAL_AFTER:
                    reveal.layout.display = None
            check(guess, correct)

        def on_reveal(_: w.Button) -> None:
            slider.value = step["answer"] if not whole else round(step["answer"])
            ui.say(
                feedback,
                None,
                f"The real number is {step['answer_text']}. The slider is there now: press Check my guess to go on.",
            )

        submit.on_click(on_submit)
        reveal.on_click(on_reveal)
        return [
            *ui.step_header(step),
            ui.question(step["question"]),
            slider,
            w.HBox([typed, unit], layout=w.Layout(align_items="center", flex_flow="row wrap")),
            w.HBox([submit, reveal]),
            feedback,
        ]
