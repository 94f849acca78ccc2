"""The widget parts every step kind draws with, in the Voilà app (the learner's kernel).

Each step kind's `widgets` (academy.clickthrough.kinds) gets a resolved step (plain
data) and a `check` callback, and returns the step's widgets built from these parts. It
judges every answer itself, shows kind feedback at once in a live region (announced by
screen readers), and calls `check(answer, correct)` so the app can record it and unlock
Next. Every answer can be retried. Only ipywidgets and the standard library are imported
here: a learner's kernel stays small and starts fast.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as w

from academy.clickthrough.markup import media_html

Check = Callable[[Any, bool], None]
"""check(answer, correct): record one attempt."""


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
