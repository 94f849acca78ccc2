"""Each learner's progress in the click-through lessons, from the progress store.

Lesson ids follow the store's convention, '<course>/<lesson>' (see
`academy_files.track_lessons`). The store is optional (`academy.progress.store.ProgressStore`):
a cohort taught without click-through lessons, or a store that cannot be opened, simply
has no lesson progress.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from academy.core.errors import AcademyError
from academy.core.names import fold

#: How a record's learner may have been known (the store's LessonSummary.matched_by):
#: signed in from a cohort's roster or linked by a trainer means it belongs to some roster.
BELONGS_TO_A_ROSTER = ("roster", "link")


class ProgressSource(Protocol):
    """What the report needs from academy.progress.store.ProgressStore."""

    def lesson_summaries(self) -> list[Any]: ...


@dataclass(frozen=True)
class LessonProgress:
    """One learner's progress in one lesson."""

    lesson: str
    steps_done: int
    steps_total: int
    completed: bool
    last_at: datetime | None
    answered: int = 0  # questions answered
    first_right: int = 0  # of those, right at the first answer: a graded check's score
    matched_by: str = "typed"  # roster, link, hub or typed (see the store's LessonSummary)

    @property
    def score_percent(self) -> float | None:
        """A finished graded check's score: questions right the first time, in percent."""
        return 100 * self.first_right / self.answered if self.completed and self.answered else None

    def check_passed(self, pass_mark: float) -> bool:
        """Whether this lesson, as a course's graded check, is finished at the pass mark."""
        score = self.score_percent
        return score is not None and score >= pass_mark


def default_progress_source() -> ProgressSource | None:
    """The academy's progress store, or None when it cannot be used here."""
    try:
        from academy.progress.store import ProgressStore

        return ProgressStore()
    except (ImportError, AcademyError):
        return None


def learner_progress(source: ProgressSource | None) -> dict[str, dict[str, LessonProgress]]:
    """{learner: {lesson: progress}} from the store (empty without one)."""
    progress: dict[str, dict[str, LessonProgress]] = {}
    if source is None:
        return progress
    for summary in source.lesson_summaries():
        progress.setdefault(summary.learner, {})[summary.lesson] = LessonProgress(
            lesson=summary.lesson,
            steps_done=summary.steps_done,
            steps_total=summary.steps_total,
            completed=bool(summary.completed),
            last_at=summary.last_at,
            answered=getattr(summary, "answered", 0),
            first_right=getattr(summary, "first_right", 0),
            matched_by=getattr(summary, "matched_by", "typed"),
        )
    return progress


@dataclass(frozen=True)
class UnmatchedProgress:
    """Progress recorded under a name that is no roster id of the cohort."""

    recorded: str  # the name the records carry (what `academy cohort link` takes)
    lessons: list[LessonProgress]  # in the track's lessons, in track order
    last_at: datetime | None
    looks_like: list[tuple[str, str]]  # (roster id, name) it matches in another case or spelling

    @property
    def completed(self) -> int:
        return sum(1 for lesson in self.lessons if lesson.completed)


def unmatched_progress(
    progress: dict[str, dict[str, LessonProgress]],
    roster: Iterable[tuple[str, str]],
    lessons: list[str],
) -> list[UnmatchedProgress]:
    """Records of the cohort's lessons whose learner is no roster id, newest first (pure).

    Left out: records of learners who signed in from a roster or were linked by a trainer
    (they belong to another cohort's roster). Each says which roster learners it looks like: the same id or name in another case,
    with other accents or spacing."""
    people = list(roster)
    ids = {learner_id for learner_id, _ in people}
    order = {lesson: n for n, lesson in enumerate(lessons)}
    found = []
    for recorded, mine in progress.items():
        if recorded in ids:
            continue
        ours = [p for p in mine.values() if p.lesson in order]
        if not ours or any(p.matched_by in BELONGS_TO_A_ROSTER for p in ours):
            continue
        last = max((p.last_at for p in ours if p.last_at is not None), default=None)
        key = fold(recorded)
        found.append(
            UnmatchedProgress(
                recorded=recorded,
                lessons=sorted(ours, key=lambda p: order[p.lesson]),
                last_at=last,
                looks_like=[
                    (learner_id, name)
                    for learner_id, name in people
                    if key in (fold(learner_id), fold(name))
                ],
            )
        )
    oldest = datetime.min.replace(tzinfo=UTC)
    return sorted(found, key=lambda u: u.last_at or oldest, reverse=True)
