"""`kind: order`: put things in the right order."""

from __future__ import annotations

import random
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from academy.clickthrough.kinds.base import StepKind
from academy.clickthrough.parts import Template

if TYPE_CHECKING:
    import ipywidgets

    from academy.clickthrough.resolve import Resolver
    from academy.clickthrough.widgets import Check
    from academy.core.yamlfile import Loc


class OrderStep(StepKind):
    """Put things in the right order, e.g. what happens to a request."""

    kind: Literal["order"] = Field(description="order")
    question: Template = Field(description="What to put in order.")
    items: list[Template] = Field(
        min_length=3,
        max_length=7,
        description="The things, written in the RIGHT order (they are shuffled).",
    )
    right: Template = Field(description="Told when the order is right.")
    wrong: Template = Field(description="Told when it is not right yet: a hint, not the answer.")

    def resolve(self, ctx: Resolver, loc: Loc) -> dict[str, Any]:
        items = [ctx.text(t, (*loc, "items", i)) for i, t in enumerate(self.items)]
        rng = random.Random(ctx.seed + len(items))
        start = list(range(len(items)))
        while start == sorted(start):
            rng.shuffle(start)
        return {
            "question": ctx.text(self.question, (*loc, "question")),
            "items": items,
            "start": start,
            "right": ctx.text(self.right, (*loc, "right")),
            "wrong": ctx.text(self.wrong, (*loc, "wrong")),
        }

    @staticmethod
    def for_learner(step: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        """The items to pick from, in this learner's own order (never the right one)."""
        start = list(step["start"])
        rng.shuffle(start)
        if start == sorted(start):
            start = start[1:] + start[:1]
        return {**step, "start": start}

    @staticmethod
    def printable(step: dict[str, Any]) -> str:
        items = "".join(f"<li>___ {escape(step['items'][i])}</li>" for i in step["start"])
        return (
            f"<p>Number these from 1 (first) to {len(step['items'])} (last):</p>"
            f'<ul class="academy-print-choices">{items}</ul>'
        )

    @staticmethod
    def answer_text(step: dict[str, Any]) -> str:
        return " → ".join(step["items"])

    @staticmethod
    def widgets(step: dict[str, Any], check: Check) -> list[ipywidgets.Widget]:
        """Tap the items in the order they happen; the list you build is read back to you."""
        import ipywidgets as w

        from academy.clickthrough import widgets as ui

        items = step["items"]
        start = step["start"]
        picked: list[int] = []
        feedback = ui.feedback_area()
        chosen = ui.html("", "academy-order-list")
        buttons = {i: ui.button(items[i], "academy-choice") for i in start}
        again = ui.button("Start the order again", "academy-secondary")

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
                    ui.say(feedback, None, f"Picked {len(picked)} of {len(items)}: {items[index]}.")
                    return
                in_place = sum(1 for pos, i in enumerate(picked) if pos == i)
                correct = in_place == len(items)
                if correct:
                    ui.say(feedback, True, step["right"])
                else:
                    ui.say(
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
            ui.say(feedback, None, "Cleared. Pick the first one again.")

        for i, b in buttons.items():
            b.on_click(choose(i))
        again.on_click(restart)
        show()
        return [
            *ui.step_header(step),
            ui.question(step["question"]),
            w.VBox([buttons[i] for i in start]),
            chosen,
            again,
            feedback,
        ]
