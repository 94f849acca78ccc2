"""The lesson runner: what a learner sees in Voilà, one step at a time.

The notebook `academy build` generates for each lesson holds one line,
`start("<lesson>.json")`. The learner is the one the lesson server signed in (or the
JupyterHub user; `academy.clickthrough.learner`); the runner resumes where they stopped, shows each step with a progress indicator, records every
answer in the progress store, and ends with a summary. Nothing here shows a traceback:
a broken lesson file or an unreachable store gives a plain message, and the other
lessons (each in its own kernel) carry on.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w

from academy.clickthrough.format import FORMAT_VERSION, is_question
from academy.clickthrough.kinds import KINDS, kind_of
from academy.clickthrough.learner import Identity, current_learner
from academy.clickthrough.widgets import button, feedback_area, html, say

log = logging.getLogger("academy.clickthrough")


def _log_to_server() -> None:
    """Problems go to the kernel's own stderr (the server log), never into the learner's page."""
    if not log.handlers:
        import sys

        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("[academy lesson] %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.propagate = False


#: Told when the progress database is down: the answer waits on this server (see progress.outbox).
KEPT_MESSAGE = (
    "We cannot reach the progress database right now. Your answers are kept on this "
    "server and will be saved by themselves when it is back. You can carry on."
)
SAVED_AGAIN_MESSAGE = "The progress database is back: your earlier answers are now saved."
#: Told before a course's graded check starts (the store keeps every attempt; the first counts).
GRADED_MESSAGE = (
    "This is the course's graded check. Your first answer to each question is your score, "
    "and your trainer sees it. After each answer you are told why it is right or not; if it "
    "was not, try again to go on."
)
NOT_SAVED_MESSAGE = "Your answers cannot be saved right now. You can still do the lesson."


class LessonUnavailable(Exception):
    """The resolved lesson file is missing, unreadable or from another version."""


def load_resolved(path: str | Path) -> dict[str, Any]:
    """The resolved lesson JSON written by `academy build`."""
    file = Path(path)
    if not file.is_absolute():
        file = Path.cwd() / file
    try:
        lesson = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LessonUnavailable(f"{file}: {exc}") from exc
    if (
        not isinstance(lesson, dict)
        or lesson.get("format") != FORMAT_VERSION
        or not lesson.get("steps")
        or not all(isinstance(s, dict) and s.get("kind") in KINDS for s in lesson["steps"])
    ):
        raise LessonUnavailable(f"{file}: not a lesson built by this version; run `academy build`")
    return lesson


class NullStore:
    """Stands in when the progress store cannot be opened: the lesson still works."""

    def register_lesson(self, *args: Any, **kwargs: Any) -> None:
        return None

    def record(self, *args: Any, **kwargs: Any) -> None:
        return None

    def done_steps(self, learner: str, lesson: str) -> set[int]:
        return set()

    def attempt_count(self, learner: str, lesson: str, step: int) -> int:
        return 0

    def attempts(self, learner: str | None = None, lesson: str | None = None) -> list[Any]:
        return []


def open_store(on_flushed: Callable[[int], None] | None = None) -> Any:
    """The progress store (which keeps answers on disk while its database is down), or a
    NullStore when it cannot even be opened (a bad URL or a missing driver)."""
    try:
        from academy.progress.store import ProgressStore

        return ProgressStore(on_flushed=on_flushed)
    except Exception:
        log.exception("progress store unavailable; answers will not be saved")
        return NullStore()


class LessonApp:
    """One learner working through one resolved lesson."""

    def __init__(self, lesson: dict[str, Any], store: Any, who: Identity | None) -> None:
        self.lesson = lesson
        self.store = store
        self.who = who
        self.learner = who.learner if who else None
        self.steps: list[dict[str, Any]] = lesson["steps"]
        self.graded = bool(lesson.get("graded"))
        self.index = 0
        self.done: set[int] = set()
        self.first_try: dict[int, bool] = {}
        self.saving_failed = False
        self.header = html(self._header_html(), "academy-header")
        self.progress = html("", "academy-progress-area")
        self.main = w.VBox([])
        self.main.add_class("academy-main")
        self.status = feedback_area()
        self.back = button("Back", "academy-secondary")
        self.next = button("Next", "academy-primary")
        self.back.on_click(lambda _: self.go(self.index - 1))
        self.next.on_click(lambda _: self.advance())
        self.nav = w.HBox([self.back, self.next])
        self.nav.add_class("academy-nav")
        self.root = w.VBox([self.header, self.progress, self.status, self.main, self.nav])
        self.root.add_class("academy-app")
        if who:
            self.begin(who.learner)
        else:
            self.please_sign_in()

    # -- store, never fatal ----------------------------------------------------------
    def _safely(self, action: Callable[[], Any], default: Any = None) -> Any:
        try:
            return action()
        except Exception:
            log.exception("progress store call failed")
            self._tell_not_saved(
                NOT_SAVED_MESSAGE if isinstance(self.store, NullStore) else KEPT_MESSAGE
            )
            return default

    def _tell_not_saved(self, message: str) -> None:
        if not self.saving_failed:
            self.saving_failed = True
            say(self.status, None, message)

    def _saved_again(self, count: int) -> None:
        """Called (maybe from the store's retry thread) once kept answers are written."""
        if self.saving_failed:
            self.saving_failed = False
            say(self.status, None, SAVED_AGAIN_MESSAGE)

    def _record(self, step: int, attempt: int, correct: bool, answer: Any) -> None:
        learner = self.learner or "anonymous"
        who = self.who
        saved = self._safely(
            lambda: self.store.record(
                learner,
                self.lesson_id,
                step,
                attempt,
                correct,
                answer,
                roster_id=who.roster_id if who else None,
                identified_by=who.identified_by if who else "typed",
            )
        )
        if saved == "kept":  # said again at every answer while it lasts
            self.saving_failed = True
            say(self.status, None, KEPT_MESSAGE)

    @property
    def lesson_id(self) -> str:
        return self.lesson["id"]

    # -- screens ---------------------------------------------------------------------
    def _header_html(self) -> str:
        who = ""
        if self.who:
            change = (
                ' · <a href="../../../sign-out/?next='
                f'/lessons/{escape(self.lesson_id, quote=True)}/">Not you? Sign out</a>'
                if self.who.identified_by != "hub"
                else ""
            )
            who = f'<p class="academy-who">Learner: {escape(self.who.name)}{change}</p>'
        return (
            f'<p class="academy-course">{escape(self.lesson["course_title"])}</p>'
            f'<h1 class="academy-title">{escape(self.lesson["title"])}</h1>{who}'
        )

    def _progress_html(self) -> str:
        total = len(self.steps)
        number = min(self.index + 1, total)
        done = len(self.done)
        return (
            f'<p class="academy-step-count">Step {number} of {total}</p>'
            f'<div class="academy-bar" role="progressbar" aria-label="Steps done" aria-valuemin="0" '
            f'aria-valuemax="{total}" aria-valuenow="{done}" aria-valuetext="{done} of {total} steps done">'
            f'<div class="academy-bar-fill" style="width:{100 * done / total:.0f}%"></div></div>'
        )

    def please_sign_in(self) -> None:
        """No learner was handed over (the lesson opened outside the lesson server)."""
        self.progress.value = ""
        self.nav.layout.display = "none"
        self.main.children = [
            html(
                '<h2 class="academy-step-heading" tabindex="-1">Please sign in first</h2>'
                f'<p><a href="../../../sign-in/?next=/lessons/{escape(self.lesson_id, quote=True)}/">'
                "Sign in</a>, then open this lesson again.</p>",
                "academy-body",
            )
        ]

    def begin(self, learner: str) -> None:
        self.learner = learner
        if self.store is None:  # opened only now: warm kernels in the pool hold no connection
            self.store = open_store(on_flushed=self._saved_again)
            if isinstance(self.store, NullStore):
                self._tell_not_saved(NOT_SAVED_MESSAGE)
        self.header.value = self._header_html()
        if self.graded:  # said before the first question, as the welcome screen did
            say(self.status, None, GRADED_MESSAGE)
        total = len(self.steps)
        registered = self._safely(
            lambda: self.store.register_lesson(self.lesson_id, total, self.lesson["title"])
        )
        if registered == "kept":
            self._tell_not_saved(KEPT_MESSAGE)
        self.done = {
            s - 1
            for s in self._safely(lambda: self.store.done_steps(learner, self.lesson_id), set())
        }
        # first answers given in earlier visits count in the summary too
        for attempt in self._safely(
            lambda: self.store.attempts(learner=learner, lesson=self.lesson_id), []
        ):
            index = attempt.step - 1
            if 0 <= index < total and is_question(self.steps[index]):
                self.first_try.setdefault(index, bool(attempt.correct))
        # the first step not done yet (as store.resume_step), without asking the store again
        resume = next((i for i in range(total) if i not in self.done), total) + 1
        if resume > total:
            say(
                self.status, None, f"Welcome back, {learner}. You have finished this lesson before."
            )
            self.summary()
            return
        if resume > 1:
            say(
                self.status,
                None,
                f"Welcome back, {learner}. You stopped at step {resume}, so we start there.",
            )
        self.go(resume - 1)

    def shown_step(self, index: int) -> dict[str, Any]:
        """Step `index` as this learner sees it: the same mixed choices on every visit."""
        step = self.steps[index]
        seed = hashlib.sha256(f"{self.learner}|{self.lesson_id}|{index}".encode()).hexdigest()
        return kind_of(step).for_learner(step, random.Random(seed))

    def go(self, index: int) -> None:
        self.index = max(0, min(index, len(self.steps) - 1))
        step = self.shown_step(self.index)
        self.main.children = kind_of(step).widgets(step, self.check)
        self.nav.layout.display = None
        self.back.disabled = self.index == 0
        self.next.description = "Finish" if self.index == len(self.steps) - 1 else "Next"
        self.next.disabled = is_question(step) and self.index not in self.done
        self.progress.value = self._progress_html()

    def check(self, answer: Any, correct: bool) -> None:
        """Called by a step's widgets for every answer."""
        number = self.index + 1
        learner = self.learner or "anonymous"
        attempt = (
            self._safely(lambda: self.store.attempt_count(learner, self.lesson_id, number), 0) + 1
        )
        self._record(number, attempt, correct, answer)
        self.first_try.setdefault(self.index, bool(correct))
        if correct:
            self.done.add(self.index)
            self.next.disabled = False
            self.progress.value = self._progress_html()

    def advance(self) -> None:
        step = self.steps[self.index]
        self.status.value = ""
        if not is_question(step) and self.index not in self.done:
            self.done.add(self.index)
            self._record(self.index + 1, 1, True, None)
        if self.index == len(self.steps) - 1:
            self.summary()
        else:
            self.go(self.index + 1)

    def first_answers(self) -> dict[int, bool]:
        """{step index: right first time} for every question answered: a graded check's from
        the store (the learner's first answer ever, in any session), else this session's."""
        if not self.graded:
            return self.first_try
        attempts = self._safely(
            lambda: self.store.attempts(learner=self.learner, lesson=self.lesson_id), None
        )
        if not attempts:
            return self.first_try
        first: dict[int, bool] = {}
        for attempt in attempts:  # oldest first
            index = attempt.step - 1
            if attempt.answer is not None and 0 <= index < len(self.steps):
                first.setdefault(index, bool(attempt.correct))
        return {**self.first_try, **first}

    def summary(self) -> None:
        questions = [i for i, s in enumerate(self.steps) if is_question(s)]
        answers = self.first_answers()
        first = sum(1 for i in questions if answers.get(i))
        answered = sum(1 for i in questions if i in answers)
        points = "".join(f"<li>{escape(p)}</li>" for p in self.lesson["key_points"])
        links = self.lesson.get("links", {})
        lead = ""
        if links.get("next"):
            lead = (
                f'<p class="academy-lead"><a class="academy-next" href="{escape(links["next"], quote=True)}">'
                f"Next lesson: {escape(links.get('next_title', ''))}</a></p>"
            )
        link_html = "".join(
            f'<li><a href="{escape(url, quote=True)}">{escape(text)}</a></li>'
            for text, url in (
                ("Back to the course", links.get("course")),
                (
                    "My progress",
                    links.get("progress") if self.who and self.who.identified_by != "hub" else None,
                ),
                ("Printable version, for paper", links.get("printable")),
            )
            if url
        )
        if self.graded and answered:
            score = (
                f'<p class="academy-score"><strong>Your score: {first} of {answered} questions right '
                f"the first time ({100 * first / answered:.0f}%).</strong> Your trainer sees this score. "
                "Doing the check again is good practice, but your score stays the one from your "
                "first answers.</p>"
            )
        elif answered:
            score = f"<p>You got {first} of {answered} questions right the first time. Every question is now done.</p>"
        else:
            score = "<p>Every step is done.</p>"
        body = html(
            f'<h2 class="academy-step-heading" tabindex="-1">Well done, {escape(self.learner or "")}!</h2>'
            f"<p>You finished <strong>{escape(self.lesson['title'])}</strong>.</p>{score}"
            f"<h3>Key points</h3><ul>{points}</ul>{lead}"
            + (
                f'<nav aria-label="What next"><ul class="academy-links">{link_html}</ul></nav>'
                if link_html
                else ""
            ),
            "academy-body",
        )
        again = button("Do the lesson again", "academy-secondary")
        again.on_click(lambda _: self.restart())
        self.done = set(range(len(self.steps)))
        self.index = len(self.steps) - 1
        self.progress.value = self._progress_html().replace(
            f"Step {len(self.steps)} of {len(self.steps)}", "All steps done"
        )
        self.nav.layout.display = "none"
        self.main.children = [body, again]

    def restart(self) -> None:
        """Do the lesson again from step 1: every question must be answered again."""
        self.first_try = {}
        self.done = set()
        self.status.value = ""
        self.go(0)


def unavailable(message: str) -> w.HTML:
    return html(
        '<div class="academy-app"><h1 class="academy-title">This lesson cannot open right now</h1>'
        f"<p>{escape(message)}</p><p>Please tell your trainer. Other lessons still work.</p>"
        '<p><a href="/">Go to the academy home page</a></p></div>',
        "academy-unavailable",
    )


def start(path: str) -> LessonApp | None:
    """Entry point of the generated notebook: show the lesson, or a plain message if it cannot open."""
    _log_to_server()
    import academy.progress.store  # noqa: F401  (loaded now, so the first answer is saved at once)

    try:
        lesson = load_resolved(path)
    except LessonUnavailable:
        log.exception("lesson unavailable")
        show(unavailable("The lesson file is missing or out of date."))
        return None
    try:
        app = LessonApp(lesson, None, current_learner())
    except Exception:
        log.exception("lesson failed to start")
        show(unavailable("Something went wrong while opening it."))
        return None
    show(app.root)
    return app


def show(widget: w.Widget) -> None:
    """Display a widget with an empty text fallback: the page never shows the widget's raw
    text (`VBox(children=...`) when the widgets cannot connect."""
    from IPython.display import display

    bundle = {
        "text/plain": "",
        "application/vnd.jupyter.widget-view+json": {
            "version_major": 2,
            "version_minor": 0,
            "model_id": widget.model_id,
        },
    }
    display(bundle, raw=True)
