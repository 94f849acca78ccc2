"""*My progress*: a signed-in learner's lessons (done, in progress, not started) and what
is left for each track's certificate, at `/my-progress/` on the lesson server.

The lessons and their order come from the built catalogue (`build/lessons/catalogue.json`),
the learner's progress from the progress store (everything counted for them, a trainer's
links included). Served with `--cohort`, the certificate part is the cohort's own verdict
(its exercises, graded checks at its pass mark, prerequisite tracks), given to the server
as a function (`ServerOptions.certificate_needs`); without one, what the lessons can tell:
the lessons left and the graded exercises a trainer marks.

`progress_page` is pure (plain data in, HTML out); the handler gathers the data.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any, Protocol

from tornado.log import app_log

from academy.clickthrough.catalogue import (
    CatalogueLesson,
    CatalogueTrack,
    LessonCatalogue,
    read_catalogue,
)
from academy.clickthrough.learner import Identity
from academy.serve.sign_in import AcademyPage, learner_of, page, sign_in_url

PATH = "/my-progress/"
EARLIEST = datetime.min.replace(tzinfo=UTC)
#: Seconds a cohort's verdict for one learner is reused (it reads the whole gradebook).
NEEDS_SECONDS = 30.0


class Need(Protocol):
    """One thing still needed for the certificate (academy.cohort.certificates.Need)."""

    @property
    def kind(self) -> str: ...  # exercise, lesson, check or prerequisite

    @property
    def id(self) -> str: ...

    @property
    def why(self) -> str: ...


#: What the cohort says a roster learner still needs (None: not on its roster, no track).
NeedsOf = Callable[[str], "Sequence[Need] | None"]


@dataclass(frozen=True)
class CohortTrack:
    """The track a cohort follows, and its pass mark, for the certificate part."""

    track: str
    pass_mark: float


@dataclass(frozen=True)
class LessonState:
    """How far the learner got in one lesson."""

    lesson: CatalogueLesson
    steps_done: int = 0
    steps_total: int = 0
    completed: bool = False
    last_at: datetime | None = None
    answered: int = 0
    first_right: int = 0

    @property
    def started(self) -> bool:
        return self.steps_done > 0 or self.completed

    @property
    def score(self) -> float | None:
        """A finished graded check's score in percent (first answers)."""
        if self.lesson.graded and self.completed and self.answered:
            return 100 * self.first_right / self.answered
        return None


def lesson_states(catalogue: LessonCatalogue, summaries: list[Any]) -> dict[str, LessonState]:
    """{lesson id: state} for every lesson of the catalogue, from the store's summaries."""
    found = {s.lesson: s for s in summaries}
    states = {}
    for track in catalogue.tracks:
        for lesson in track.lessons:
            summary = found.get(lesson.id)
            states[lesson.id] = (
                LessonState(lesson)
                if summary is None
                else LessonState(
                    lesson,
                    steps_done=summary.steps_done,
                    steps_total=summary.steps_total,
                    completed=bool(summary.completed),
                    last_at=summary.last_at,
                    answered=summary.answered,
                    first_right=summary.first_right,
                )
            )
    return states


def _when(moment: datetime | None) -> str:
    return f" on {moment:%d %B %Y}".replace(" 0", " ") if moment else ""


def _state_html(state: LessonState) -> str:
    if state.completed:
        score = (
            f" · your score {state.score:.0f}% (first answers)" if state.score is not None else ""
        )
        return (
            '<span class="academy-state academy-done"><span aria-hidden="true">✓</span> '
            f"Done{_when(state.last_at)}{score}</span>"
        )
    if state.started:
        total = f" of {state.steps_total}" if state.steps_total else ""
        return (
            '<span class="academy-state academy-started"><span aria-hidden="true">◐</span> '
            f"In progress: {state.steps_done}{total} steps done</span>"
        )
    return (
        '<span class="academy-state academy-new"><span aria-hidden="true">○</span> '
        "Not started</span>"
    )


def _lesson_link(lesson: CatalogueLesson, state: LessonState | None = None) -> str:
    verb = ""
    if state is not None:
        verb = "Do it again" if state.completed else "Carry on" if state.started else "Start"
    label = f"{verb}: {lesson.title}" if verb else lesson.title
    return f'<a class="academy-lesson-link" href="{escape(lesson.url, quote=True)}">{escape(label)}</a>'


def _track_lessons_html(track: CatalogueTrack, states: dict[str, LessonState]) -> str:
    parts = []
    for course in track.courses:
        if not course.lessons:
            continue
        items = "".join(
            f"<li>{_lesson_link(lesson, states[lesson.id])}"
            f"{' (graded check)' if lesson.graded else ''}<br>{_state_html(states[lesson.id])}</li>"
            for lesson in course.lessons
        )
        parts.append(
            f'<h3><a href="{escape(course.url, quote=True)}">{escape(course.title)}</a></h3>'
            f'<ul class="academy-lessons">{items}</ul>'
        )
    return "".join(parts)


def _lessons_left(count: int) -> str:
    return (
        f"Finish {count} more lesson{'s' if count != 1 else ''} "
        "(marked <em>Not started</em> or <em>In progress</em> below)"
    )


def _needs_from_cohort(needs: Sequence[Need], catalogue: LessonCatalogue) -> list[str]:
    """Plain sentences (HTML) for the cohort's verdict, lessons counted in one line."""
    titles = {x.id: x.title for t in catalogue.tracks for x in t.exercises}
    tracks = {t.id: t.title for t in catalogue.tracks}
    lessons = [n for n in needs if n.kind == "lesson"]
    lines = [_lessons_left(len(lessons))] if lessons else []
    for need in needs:
        lesson = catalogue.lesson(need.id)
        if need.kind == "lesson":
            continue
        if need.kind == "check":
            what = _lesson_link(lesson) if lesson else escape(need.id)
            lines.append(
                f"Pass the graded check {what}: your first answers scored {escape(need.why)}"
            )
        elif need.kind == "exercise":
            title = titles.get(need.id, need.id)
            lines.append(
                f"The graded exercise <strong>{escape(title)}</strong>: {escape(need.why)}"
            )
        elif need.kind == "prerequisite":
            lines.append(
                f"The certificate of the <strong>{escape(tracks.get(need.id, need.id))}</strong> "
                "track first"
            )
        else:
            lines.append(escape(f"{need.id} ({need.why})" if need.why else need.id))
    return lines


def _needs_from_lessons(track: CatalogueTrack, states: dict[str, LessonState]) -> list[str]:
    """What the lessons alone can tell is left (no cohort: no pass mark, no grades)."""
    left = sum(1 for lesson in track.lessons if not states[lesson.id].completed)
    lines = [_lessons_left(left)] if left else []
    lines += [
        f"The graded exercise <strong>{escape(x.title)}</strong>: your trainer gives it and grades it"
        for x in track.exercises
    ]
    checks = [states[x.id] for x in track.lessons if x.graded and states[x.id].completed]
    lines += [
        f"The graded check {_lesson_link(s.lesson)} counts at your trainer's pass mark "
        f"(your score: {s.score or 0:.0f}%)"
        for s in checks
    ]
    return lines


def progress_page(
    who: Identity,
    catalogue: LessonCatalogue | None,
    summaries: list[Any] | None,
    cohort: CohortTrack | None = None,
    needs: Sequence[Need] | None = None,
) -> str:
    """The learner's My progress page (pure). `summaries`: the store's, None when it cannot
    be read; `cohort` and `needs`: the cohort's track and what the cohort says this learner
    still needs for its certificate."""
    sign_out = f"/sign-out/?next={PATH}"
    who_line = (
        f'<p class="academy-who">Signed in as <strong>{escape(who.name)}</strong>'
        + (f" ({escape(who.roster_id)})" if who.roster_id and who.roster_id != who.name else "")
        + (f' · <a href="{sign_out}">Not you? Sign out</a>' if who.identified_by != "hub" else "")
        + "</p>"
    )
    if catalogue is None or summaries is None:
        why = (
            "The lessons are being built."
            if catalogue is None
            else "We cannot read the progress database right now. Your answers are not lost."
        )
        body = (
            f"<h1>My progress</h1>{who_line}<p>{why} Please try again in a few minutes, "
            "or tell your trainer if this keeps happening.</p>"
        )
        return page("My progress", body)
    states = lesson_states(catalogue, summaries)
    tracks = [t for t in catalogue.tracks if t.lessons]
    if cohort is not None:
        tracks = [t for t in catalogue.tracks if t.id == cohort.track] or tracks
    lessons = [x for t in tracks for x in t.lessons]
    done = sum(1 for x in lessons if states[x.id].completed)
    going = [states[x.id] for x in lessons if states[x.id].started and not states[x.id].completed]
    parts = ["<h1>My progress</h1>", who_line]
    parts.append(
        f'<p class="academy-lead">You have finished <strong>{done} of {len(lessons)}</strong> '
        f"lesson{'s' if len(lessons) != 1 else ''}"
        + (f" and have {len(going)} in progress." if going else ".")
        + "</p>"
    )
    if going:
        items = "".join(
            f"<li>{_lesson_link(s.lesson, s)}<br>{_state_html(s)}</li>"
            for s in sorted(going, key=lambda s: s.last_at or EARLIEST, reverse=True)
        )
        parts.append(f'<h2>Carry on</h2><ul class="academy-lessons">{items}</ul>')
    for track in tracks:
        if cohort is not None and track.id == cohort.track and needs is not None:
            left = _needs_from_cohort(needs, catalogue)
            done_text = (
                f"You have done everything the {escape(track.title)} certificate asks for. "
                "Your trainer issues the certificates."
            )
        else:
            left = _needs_from_lessons(track, states)
            done_text = (
                f"You have done every lesson the {escape(track.title)} certificate asks for. "
                "Your trainer issues the certificates."
            )
        left_html = (
            "<p>Still to do:</p><ul>" + "".join(f"<li>{line}</li>" for line in left) + "</ul>"
            if left
            else f"<p>{done_text}</p>"
        )
        parts.append(
            f'<section class="academy-track" aria-labelledby="track-{escape(track.id)}">'
            f'<h2 id="track-{escape(track.id)}">{escape(track.title)}</h2>'
            f'<div class="academy-certificate"><h3>For the certificate</h3>{left_html}</div>'
            f"{_track_lessons_html(track, states)}</section>"
        )
    parts.append('<p><a href="/">Back to the academy home page</a></p>')
    return page("My progress", "".join(parts))


class MyProgressHandler(AcademyPage):
    """`/my-progress/` for the learner signed in on this device."""

    async def get(self) -> None:
        if not self.request.path.endswith("/"):
            self.redirect(PATH)
            return
        who = learner_of(self)
        if who is None:
            self.redirect(sign_in_url(PATH))
            return
        loop = asyncio.get_running_loop()
        catalogue = read_catalogue(Path(self.settings["academy_lessons_dir"]))
        summaries = await loop.run_in_executor(None, self._summaries, who.learner)
        cohort: CohortTrack | None = self.settings.get("academy_cohort_track")
        needs = None
        needs_of: NeedsOf | None = self.settings.get("academy_certificate_needs")
        if cohort is not None and needs_of is not None and who.roster_id:
            needs = await loop.run_in_executor(None, self._needs, needs_of, who.roster_id)
        self.finish(progress_page(who, catalogue, summaries, cohort, needs))

    def _summaries(self, learner: str) -> list[Any] | None:
        store = self.settings.get("academy_store")
        if store is None:
            from academy.progress.store import ProgressStore

            store = self.settings["academy_store"] = ProgressStore()
        try:
            return store.lesson_summaries(learner=learner)
        except Exception:
            app_log.exception("My progress: the progress store could not be read")
            return None

    def _needs(self, needs_of: NeedsOf, roster_id: str) -> Sequence[Need] | None:
        cache: dict[str, tuple[float, Sequence[Need] | None]] = self.settings.setdefault(
            "academy_needs_cache", {}
        )
        kept = cache.get(roster_id)
        if kept is not None and time.monotonic() - kept[0] < NEEDS_SECONDS:
            return kept[1]
        try:
            found = needs_of(roster_id)
        except Exception:
            app_log.exception("My progress: the cohort's certificate needs could not be read")
            return None
        cache[roster_id] = (time.monotonic(), found)
        return found
