"""Each learner's progress in the click-through lessons, from the progress store.

Lesson ids follow the store's convention, '<course>/<lesson>' (see
`academy_files.track_lessons`). The store is optional (`academy.progress.store.ProgressStore`):
a cohort taught without click-through lessons, or a store that cannot be opened, simply
has no lesson progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from academy.core.errors import AcademyError


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
        )
    return progress
