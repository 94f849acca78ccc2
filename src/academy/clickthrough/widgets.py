"""One widget builder per step kind, for the Voilà app (runs in the learner's kernel).

Each builder gets a resolved step (plain data) and a `check` callback, and returns the
step's widgets. The builder judges every answer itself, shows kind feedback at once in
a live region (announced by screen readers), and calls `check(answer, correct)` so the
app can record it and unlock Next. Every answer can be retried. Only ipywidgets and the
standard library are imported here: a learner's kernel stays small and starts fast.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w

from academy.clickthrough import simulation
from academy.clickthrough.markup import media_html, table_html

Check = Callable[[Any, bool], None]
"""check(answer, correct): record one attempt."""

REVEAL_AFTER = 2  # wrong attempts before "Show me the answer" appears


def html(value: str, *classes: str) -> w.HTML:
    widget = w.HTML(value=value)
    for cls in classes:
        widget.add_class(cls)
    return widget


def button(text: str, *classes: str, tooltip: str | None = None) -> w.Button:
    widget = w.Button(description=text, tooltip=tooltip, layout=w.Layout(width="auto"))
    widget.add_class("academy-button")
    for cls in classes:
        widget.add_class(cls)
    return widget


def feedback_area() -> w.HTML:
    """Where feedback appears; the page script makes it an aria-live region."""
    return html("", "academy-feedback")


def say(area: w.HTML, correct: bool | None, message: str) -> None:
    """Show feedback: 'right', 'not yet' or a neutral note; in words, not only colour."""
    if correct is None:
        area.value = f'<p class="academy-note">{escape(message)}</p>'
    elif correct:
        area.value = f'<p class="academy-right"><strong>Right.</strong> {escape(message)}</p>'
    else:
        area.value = (
            f'<p class="academy-wrong"><strong>Not quite yet.</strong> {escape(message)}</p>'
        )


def step_header(step: dict[str, Any]) -> list[w.Widget]:
    parts = [html(f'<h2 class="academy-step-heading" tabindex="-1">{escape(step["title"])}</h2>')]
    body = step.get("html", "") + media_html(step.get("media", []))
    if body:
        parts.append(html(f'<div class="academy-text">{body}</div>', "academy-body"))
    return parts


def mark_picked(buttons: list[w.Button], index: int) -> None:
    """Show which one of a row of answer buttons was pressed last."""
    for i, b in enumerate(buttons):
        b.remove_class("academy-picked")
        if i == index:
            b.add_class("academy-picked")


def question(text: str) -> w.HTML:
    return html(f'<p class="academy-question" id="q">{escape(text)}</p>')


# --- builders ---------------------------------------------------------------------------


def read_step(step: dict[str, Any], check: Check) -> list[w.Widget]:
    return step_header(step)


def choice_step(step: dict[str, Any], check: Check) -> list[w.Widget]:
    out = [*step_header(step), question(step["question"])]
    feedback = feedback_area()
    choices = step["choices"]
    right = set(step["answer"])

    if not step["multiple"]:
        buttons = [button(c["text"], "academy-choice") for c in choices]

        def pick(index: int) -> Callable[[w.Button], None]:
            def on_click(_: w.Button) -> None:
                correct = index in right
                mark_picked(buttons, index)
                say(feedback, correct, choices[index]["feedback"])
                check(choices[index]["text"], correct)

            return on_click

        for i, b in enumerate(buttons):
            b.on_click(pick(i))
        out += [w.VBox(buttons, layout=w.Layout(align_items="stretch")), feedback]
        return out

    boxes = [w.Checkbox(value=False, description=c["text"], indent=False) for c in choices]
    for box in boxes:
        box.add_class("academy-check")
    submit = button("Check my answer", "academy-primary")

    def on_submit(_: w.Button) -> None:
        picked = {i for i, box in enumerate(boxes) if box.value}
        correct = picked == right
        if not picked:
            say(feedback, None, "Tick at least one answer, then press Check my answer.")
            return
        if correct:
            say(feedback, True, " ".join(choices[i]["feedback"] for i in sorted(picked)))
        else:
            missing = right - picked
            wrong = picked - right
            hint = [choices[i]["feedback"] for i in sorted(wrong)]
            if missing:
                hint.append(
                    f"There {'is' if len(missing) == 1 else 'are'} {len(missing)} more right answer"
                    f"{'' if len(missing) == 1 else 's'} to tick."
                )
            say(feedback, False, " ".join(hint))
        check(sorted(choices[i]["text"] for i in picked), correct)

    submit.on_click(on_submit)
    out += [w.VBox(boxes), submit, feedback]
    return out


def order_step(step: dict[str, Any], check: Check) -> list[w.Widget]:
    """Tap the items in the order they happen; the list you build is read back to you."""
    items = step["items"]
    start = step["start"]
    picked: list[int] = []
    feedback = feedback_area()
    chosen = html("", "academy-order-list")
    buttons = {i: button(items[i], "academy-choice") for i in start}
    again = button("Start the order again", "academy-secondary")

    def show() -> None:
        if picked:
            listed = "".join(f"<li>{escape(items[i])}</li>" for i in picked)
            chosen.value = f'<p class="academy-note">Your order so far:</p><ol>{listed}</ol>'
        else:
            chosen.value = '<p class="academy-note">Your order so far: nothing picked yet.</p>'
        for i, b in buttons.items():
            b.disabled = i in picked

    def choose(index: int) -> Callable[[w.Button], None]:
        def on_click(_: w.Button) -> None:
            if index in picked:
                return
            picked.append(index)
            show()
            if len(picked) < len(items):
                say(feedback, None, f"Picked {len(picked)} of {len(items)}: {items[index]}.")
                return
            in_place = sum(1 for pos, i in enumerate(picked) if pos == i)
            correct = in_place == len(items)
            if correct:
                say(feedback, True, step["right"])
            else:
                say(
                    feedback,
                    False,
                    f"{in_place} of {len(items)} are in the right place. {step['wrong']} "
                    "Press Start the order again to try again.",
                )
            check([items[i] for i in picked], correct)

        return on_click

    def restart(_: w.Button) -> None:
        picked.clear()
        show()
        say(feedback, None, "Cleared. Pick the first one again.")

    for i, b in buttons.items():
        b.on_click(choose(i))
    again.on_click(restart)
    show()
    return [
        *step_header(step),
        question(step["question"]),
        w.VBox([buttons[i] for i in start]),
        chosen,
        again,
        feedback,
    ]


def spot_step(step: dict[str, Any], check: Check) -> list[w.Widget]:
    """A numbered table and one button per row: press the row that is wrong."""
    grid = step["grid"]
    wrong_rows = set(step["problem_rows"])
    feedback = feedback_area()
    buttons = [button(f"Row {i + 1}", "academy-row-button") for i in range(len(grid["rows"]))]

    def pick(index: int) -> Callable[[w.Button], None]:
        def on_click(_: w.Button) -> None:
            correct = index in wrong_rows
            mark_picked(buttons, index)
            say(feedback, correct, step["right"] if correct else step["wrong"])
            check({"row": index + 1, "values": grid["rows"][index]}, correct)

        return on_click

    for i, b in enumerate(buttons):
        b.on_click(pick(i))
    return [
        *step_header(step),
        html(table_html(grid, numbered=True), "academy-body"),
        question(step["question"]),
        w.HBox(buttons, layout=w.Layout(flex_flow="row wrap")),
        feedback,
    ]


def _number(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}".strip()


def estimate_step(step: dict[str, Any], check: Check) -> list[w.Widget]:
    """A slider with a named handle; close enough (within the tolerance) is right."""
    whole = float(step["step"]).is_integer() and float(step["min"]).is_integer()
    kind = w.IntSlider if whole else w.FloatSlider
    slider = kind(
        value=step["start"],
        min=step["min"],
        max=step["max"],
        step=step["step"],
        description="Your guess",
        continuous_update=True,
        readout=True,
        layout=w.Layout(width="100%"),
        style={"description_width": "initial"},
    )
    slider.add_class("academy-slider")
    feedback = feedback_area()
    submit = button("Check my guess", "academy-primary")
    reveal = button("Show me the answer", "academy-secondary")
    reveal.layout.display = "none"
    tries = {"wrong": 0}

    def on_submit(_: w.Button) -> None:
        guess = float(slider.value)
        diff = guess - step["answer"]
        correct = abs(diff) <= step["tolerance"] + 1e-9
        if correct:
            say(feedback, True, f"You said {_number(guess, step['unit'])}. {step['right']}")
        else:
            tries["wrong"] += 1
            hint = step["too_low"] if diff < 0 else step["too_high"]
            say(feedback, False, f"You said {_number(guess, step['unit'])}. {hint}")
            if tries["wrong"] >= REVEAL_AFTER:
                reveal.layout.display = None
        check(guess, correct)

    def on_reveal(_: w.Button) -> None:
        slider.value = step["answer"] if not whole else round(step["answer"])
        say(
            feedback,
            None,
            f"The real number is {step['answer_text']}. The slider is there now: press Check my guess to go on.",
        )

    submit.on_click(on_submit)
    reveal.on_click(on_reveal)
    return [
        *step_header(step),
        question(step["question"]),
        slider,
        w.HBox([submit, reveal]),
        feedback,
    ]


def simulation_step(step: dict[str, Any], check: Check) -> list[w.Widget]:
    """One slider per area (crews sent there); the result redraws as the sliders move."""
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
    workload = html(
        "<ul>"
        + "".join(
            f"<li><strong>{escape(a.name)}</strong>: {a.backlog:,} open jobs, {a.new_per_day:,} new jobs a day</li>"
            for a in areas
        )
        + "</ul>",
        "academy-body",
    )
    result = html("", "academy-sim-result")
    feedback = feedback_area()
    submit = button("Check my plan", "academy-primary")

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
            say(feedback, True, step["right"])
        elif used > total:
            say(
                feedback,
                False,
                f"You only have {total} crews. Move some crews back and check again.",
            )
        else:
            say(
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
        *step_header(step),
        question(step["question"]),
        workload,
        *sliders,
        result,
        submit,
        feedback,
    ]


BUILDERS: dict[str, Callable[[dict[str, Any], Check], list[w.Widget]]] = {
    "read": read_step,
    "table": read_step,
    "choice": choice_step,
    "chart": choice_step,
    "order": order_step,
    "spot": spot_step,
    "estimate": estimate_step,
    "simulation": simulation_step,
}


def build_step(step: dict[str, Any], check: Check) -> list[w.Widget]:
    """The widgets for one resolved step."""
    return BUILDERS[step["kind"]](step, check)
