"""`kind: choice`: a question with answers to pick from (and the base of `kind: chart`)."""

from __future__ import annotations

import random
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from academy.clickthrough.errors import ResolveError
from academy.clickthrough.kinds.base import StepKind
from academy.clickthrough.parts import Template
from academy.core.strict import Strict

if TYPE_CHECKING:
    import ipywidgets

    from academy.clickthrough.resolve import Resolver
    from academy.clickthrough.validate import LessonChecker
    from academy.clickthrough.widgets import Check
    from academy.core.yamlfile import Loc


class Choice(Strict):
    """One answer the learner can pick."""

    text: Template = Field(description="The answer as the learner sees it.")
    feedback: Template = Field(
        description="What the learner is told after picking it: kind, and says why."
    )
    optional: bool = Field(
        default=False,
        description="true: leave this (wrong) answer out for a city whose data cannot fill it "
        "in, or where it would read the same as another answer (e.g. the second most common "
        "kind when there is only one kind).",
    )


class ChoiceQuestion(StepKind):
    """A question with answers to pick from (one, or several when `answer` is a list)."""

    question: Template = Field(description="The question.")
    choices: list[Choice] = Field(
        min_length=2, max_length=6, description="The answers to pick from."
    )
    answer: str | list[str] = Field(
        description="The right answer's text, exactly as in `choices` (a list: every right answer must be picked)."
    )
    shuffle: bool = Field(
        default=True,
        description=(
            "true (the default): every learner sees the choices in their own mixed order (the "
            "same each time for them; the printable page mixes them once). false: keep the "
            "written order, for answers with a natural order such as 'under 10, 10 to 50, over 50'."
        ),
    )

    @property
    def answers(self) -> list[str]:
        return [self.answer] if isinstance(self.answer, str) else list(self.answer)

    def _texts(self, ctx: Resolver, loc: Loc) -> dict[int, str]:
        """{choice number: its text} for the choices shown with this city's data."""
        texts: dict[int, str] = {}
        for i, choice in enumerate(self.choices):
            where = (*loc, "choices", i, "text")
            if choice.optional:
                text = ctx.text_or_none(choice.text, where)
                if text is None or text in texts.values():
                    continue
            else:
                text = ctx.text(choice.text, where)
            if text in texts.values():
                raise ResolveError(
                    (*loc, "choices"),
                    f"two answers read '{text}' with this city's data; make the choices "
                    "different, or mark the wrong one `optional: true`",
                )
            texts[i] = text
        if len(texts) < 2:
            raise ResolveError(
                (*loc, "choices"),
                "fewer than two answers are left for this city's data; show the step only "
                "when the data has enough (e.g. `when: {query: kinds, above: 1}`)",
            )
        return texts

    def resolve(self, ctx: Resolver, loc: Loc) -> dict[str, Any]:
        shown = self._texts(ctx, loc)
        order = list(shown)
        if self.shuffle:
            step_number = next((p for p in reversed(loc) if isinstance(p, int)), 0)
            random.Random(ctx.seed + len(order) + step_number).shuffle(order)
        return {
            "question": ctx.text(self.question, (*loc, "question")),
            "shuffle": self.shuffle,
            "multiple": isinstance(self.answer, list),
            "choices": [
                {
                    "text": shown[i],
                    "feedback": ctx.text(
                        self.choices[i].feedback, (*loc, "choices", i, "feedback")
                    ),
                }
                for i in order
            ],
            "answer": [n for n, i in enumerate(order) if self.choices[i].text in self.answers],
        }

    def check(self, checker: LessonChecker, loc: Loc) -> None:
        texts = [c.text for c in self.choices]
        for i, choice in enumerate(self.choices):
            if choice.optional and choice.text in self.answers:
                checker.add(
                    (*loc, "choices", i, "optional"),
                    "clickthrough-answer",
                    "a right answer cannot be optional: only wrong answers may be left out",
                )
        for i, text in enumerate(texts):
            if texts.index(text) != i:
                checker.add(
                    (*loc, "choices", i, "text"),
                    "clickthrough-answer",
                    f"the answer '{text}' is listed twice",
                )
        answers = self.answers
        if not answers:
            checker.add((*loc, "answer"), "clickthrough-answer", "give at least one right answer")
        for j, answer in enumerate(answers):
            if answer not in texts:
                where = (*loc, "answer") if isinstance(self.answer, str) else (*loc, "answer", j)
                checker.add(
                    where,
                    "clickthrough-answer",
                    f"the answer '{answer}' is not among the choices; copy one choice's text exactly",
                )
        if isinstance(self.answer, list) and len(set(answers)) == len(texts):
            checker.add(
                (*loc, "answer"),
                "clickthrough-answer",
                "every choice is right; add at least one wrong choice",
            )
        right_first = answers and set(texts[: len(set(answers))]) == set(answers)
        if not self.shuffle and right_first:
            checker.add(
                (*loc, "choices", 0, "text"),
                "clickthrough-answer-first",
                "with `shuffle: false` every learner sees the right answer first; move it "
                "down the list or let the choices be mixed",
                severity="warning",
            )

    @staticmethod
    def for_learner(step: dict[str, Any], rng: random.Random) -> dict[str, Any]:
        """The step with its choices in this learner's own order (unless kept as written)."""
        if not step.get("shuffle", True):
            return step
        order = list(range(len(step["choices"])))
        rng.shuffle(order)
        right = set(step["answer"])
        return {
            **step,
            "choices": [step["choices"][i] for i in order],
            "answer": [n for n, i in enumerate(order) if i in right],
        }

    @staticmethod
    def printable(step: dict[str, Any]) -> str:
        tick = "Tick every answer that fits." if step["multiple"] else "Tick one answer."
        items = "".join(f"<li>☐ {escape(c['text'])}</li>" for c in step["choices"])
        return f'<p>{tick}</p><ul class="academy-print-choices">{items}</ul>'

    @staticmethod
    def answer_text(step: dict[str, Any]) -> str:
        return "; ".join(step["choices"][i]["text"] for i in step["answer"])

    @staticmethod
    def explanation(step: dict[str, Any]) -> str:
        return " ".join(step["choices"][i]["feedback"] for i in step["answer"])

    @staticmethod
    def widgets(step: dict[str, Any], check: Check) -> list[ipywidgets.Widget]:
        import ipywidgets as w

        from academy.clickthrough import widgets as ui

        out = [*ui.step_header(step), ui.question(step["question"])]
        feedback = ui.feedback_area()
        choices = step["choices"]
        right = set(step["answer"])

        if not step["multiple"]:
            buttons = [ui.button(c["text"], "academy-choice") for c in choices]

            def pick(index: int) -> Callable[[w.Button], None]:
                def on_click(_: w.Button) -> None:
                    correct = index in right
                    ui.mark_picked(buttons, index)
                    ui.say(feedback, correct, choices[index]["feedback"])
                    check(choices[index]["text"], correct)

                return on_click

            for i, b in enumerate(buttons):
                b.on_click(pick(i))
            out += [w.VBox(buttons, layout=w.Layout(align_items="stretch")), feedback]
            return out

        boxes = [w.Checkbox(value=False, description=c["text"], indent=False) for c in choices]
        for box in boxes:
            box.add_class("academy-check")
        submit = ui.button("Check my answer", "academy-primary")

        def on_submit(_: w.Button) -> None:
            picked = {i for i, box in enumerate(boxes) if box.value}
            correct = picked == right
            if not picked:
                ui.say(feedback, None, "Tick at least one answer, then press Check my answer.")
                return
            if correct:
                ui.say(feedback, True, " ".join(choices[i]["feedback"] for i in sorted(picked)))
            else:
                missing = right - picked
                wrong = picked - right
                hint = [choices[i]["feedback"] for i in sorted(wrong)]
                if missing:
                    hint.append(
                        f"There {'is' if len(missing) == 1 else 'are'} {len(missing)} more right answer"
                        f"{'' if len(missing) == 1 else 's'} to tick."
                    )
                ui.say(feedback, False, " ".join(hint))
            check(sorted(choices[i]["text"] for i in picked), correct)

        submit.on_click(on_submit)
        out += [w.VBox(boxes), submit, feedback]
        return out


class ChoiceStep(ChoiceQuestion):
    """A question with answers to pick from (one, or several when `answer` is a list)."""

    kind: Literal["choice"] = Field(description="choice")
