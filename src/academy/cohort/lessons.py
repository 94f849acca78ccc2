"""Click-through lessons of a track and each learner's progress in them.

Lesson ids follow the progress store's convention, '<course>/<lesson>': the course folder
and the stem of `tracks/<track>/<course>/clickthrough/<lesson>.yml`. The store is optional
(`academy.progress.ProgressStore`): a cohort taught without click-through lessons, or a
store that cannot be opened, simply has no lesson progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from academy.errors import AcademyError
from academy.models import Track


class ProgressSource(Protocol):
    """What the report needs from academy.progress.ProgressStore."""

    def lesson_summaries(self) -> list[Any]: ...


@dataclass(frozen=True)
class LessonProgress:
    """One learner's progress in one lesson."""

    lesson: str
    steps_done: int
    steps_total: int
    completed: bool
    last_at: datetime | None


def read_track(root: Path, track_id: str) -> Track:
    from pydantic import ValidationError

    from academy.yamlfile import read_yaml

    path = root / "curriculum" / "tracks" / f"{track_id}.yml"
    try:
        return Track.model_validate(read_yaml(path).data)
    except ValidationError as exc:
        raise AcademyError(
            f"{path}: not a valid track ({exc.errors()[0]['msg']}); run `academy validate`"
        ) from exc


def track_lessons(root: Path, track: Track) -> list[str]:
    """Every click-through lesson of the track's courses, as '<course>/<lesson>'."""
    lessons = []
    for course in track.courses:
        folder = root / "tracks" / track.id / course.id / "clickthrough"
        lessons += [f"{course.id}/{p.stem}" for p in sorted(folder.glob("*.yml"))]
    return lessons


def default_progress_source() -> ProgressSource | None:
    """The academy's progress store, or None when it cannot be used here."""
    try:
        from academy.progress import ProgressStore

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
        )
    return progress
