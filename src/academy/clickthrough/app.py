"""The lesson runner: what a learner sees in Voilà, one step at a time.

The notebook `academy build` generates for each lesson holds one line,
`start("<lesson>.json")`. The runner asks who the learner is (unless JupyterHub says),
resumes where they stopped, shows each step with a progress indicator, records every
answer in the progress store, and ends with a summary. Nothing here shows a traceback:
a broken lesson file or an unreachable store gives a plain message, and the other
lessons (each in its own kernel) carry on.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w

from academy.clickthrough.format import FORMAT_VERSION, is_question
from academy.clickthrough.kinds import KINDS, kind_of
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


LEARNER_RE = re.compile(r"^[\w .@'-]{1,80}$")
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


def clean_learner(text: str) -> str | None:
    """A typed name or staff id, trimmed; None when empty or odd."""
    value = " ".join(text.split())
    return value if value and LEARNER_RE.match(value) else None


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

    def __init__(
        self,
        lesson: dict[str, Any],
        store: Any,
        learner: str | None = None,
        identified_by: str = "typed",
    ) -> None:
        self.lesson = lesson
        self.store = store
        self.learner = learner
        #: "hub": the learner is the JupyterHub user, whose name is their roster id.
        self.identified_by = identified_by
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
        if learner:
            self.begin(learner)
        else:
            self.welcome()

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
        hub = self.identified_by == "hub"
        saved = self._safely(
            lambda: self.store.record(
                learner,
                self.lesson_id,
                step,
                attempt,
                correct,
                answer,
                roster_id=learner if hub else None,
                identified_by=self.identified_by,
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
        who = f'<p class="academy-who">Learner: {escape(self.learner)}</p>' if self.learner else ""
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

    def welcome(self) -> None:
        lesson = self.lesson
        goals = "".join(f"<li>{escape(o)}</li>" for o in lesson["objectives"])
        note = (
            f'<p class="academy-data-note">{escape(lesson["data_note"])}</p>'
            if lesson.get("data_note")
            else ""
        )
        graded = f'<p class="academy-graded-note">{GRADED_MESSAGE}</p>' if self.graded else ""
        intro = html(
            f'<h2 class="academy-step-heading" tabindex="-1">Welcome</h2>'
            f"<p>{escape(lesson['summary'])}</p>"
            f"<p>It takes about {lesson['minutes']} minutes. In this lesson you will:</p><ul>{goals}</ul>{note}{graded}",
            "academy-body",
        )
        name = w.Text(
            description="Your name or staff ID",
            placeholder="for example: J. Smith or 40123",
            style={"description_width": "initial"},
            layout=w.Layout(width="100%"),
        )
        name.add_class("academy-name")
        start = button("Start the lesson", "academy-primary")
        feedback = feedback_area()

        def on_start(_: Any) -> None:
            learner = clean_learner(name.value)
            if learner is None:
                say(
                    feedback,
                    None,
                    "Please type your name or staff ID first (letters and numbers only).",
                )
                return
            self.begin(learner)

        start.on_click(on_start)
        name.on_submit(on_start)
        self.progress.value = ""
        self.nav.layout.display = "none"
        self.main.children = [intro, name, start, feedback]

    def begin(self, learner: str) -> None:
        self.learner = learner
        if self.store is None:  # opened only now: warm kernels in the pool hold no connection
            self.store = open_store(on_flushed=self._saved_again)
            if isinstance(self.store, NullStore):
                self._tell_not_saved(NOT_SAVED_MESSAGE)
        self.header.value = self._header_html()
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

    def go(self, index: int) -> None:
        self.index = max(0, min(index, len(self.steps) - 1))
        step = self.steps[self.index]
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
        link_html = "".join(
            f'<li><a href="{escape(url, quote=True)}">{escape(text)}</a></li>'
            for text, url in (
                ("Back to the course", links.get("course")),
                ("Printable version of this lesson", links.get("printable")),
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
            f"<h3>Key points</h3><ul>{points}</ul>"
            + (f"<h3>What next</h3><ul>{link_html}</ul>" if link_html else ""),
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
        self.first_try = {}
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
    from IPython.display import display

    _log_to_server()
    import academy.progress.store  # noqa: F401  (loaded now, so the first answer is saved at once)

    try:
        lesson = load_resolved(path)
    except LessonUnavailable:
        log.exception("lesson unavailable")
        display(unavailable("The lesson file is missing or out of date."))
        return None
    try:
        learner = clean_learner(os.environ.get("JUPYTERHUB_USER", ""))
        app = LessonApp(lesson, None, learner=learner, identified_by="hub" if learner else "typed")
    except Exception:
        log.exception("lesson failed to start")
        display(unavailable("Something went wrong while opening it."))
        return None
    display(app.root)
    return app
