"""The academy's own files a cohort reads: tracks, exercises, objectives, click-through lessons.

Read through the same model checks as `academy validate`, so a broken file is a FileError
with the same `path:line: rule: message`.
"""

from __future__ import annotations

from pathlib import Path

from academy.core.errors import AcademyError
from academy.core.schema import read_model
from academy.curriculum.lessons import CLICKTHROUGH_DIR
from academy.curriculum.loading import load_exercises
from academy.curriculum.models import Academy, ObjectivesFile, Track

FIX = "run `academy validate` for every problem"


def read_track(root: Path, track_id: str) -> Track:
    return read_model(Track, root / "curriculum" / "tracks" / f"{track_id}.yml", fix=FIX)


def read_academy(root: Path) -> Academy:
    return read_model(Academy, root / "curriculum" / "academy.yml", fix=FIX)


def objective_statements(root: Path) -> dict[str, str]:
    """{objective id: statement}; empty when objectives.yml is missing or broken."""
    try:
        objectives = read_model(ObjectivesFile, root / "curriculum" / "objectives.yml", fix=FIX)
    except AcademyError:
        return {}
    return {o.id: o.statement for o in objectives.objectives}


def course_exercises(root: Path, courses: set[str]) -> list[str]:
    """Ids of the graded exercises that belong to these courses."""
    return [
        e.id
        for e in load_exercises(root, [])
        if e.sidecar is not None and e.sidecar.course in courses
    ]


def track_lessons(root: Path, track: Track) -> list[str]:
    """Every click-through lesson of the track's courses, as '<course>/<lesson>'."""
    lessons = []
    for course in track.courses:
        folder = root / "tracks" / track.id / course.id / CLICKTHROUGH_DIR
        lessons += [f"{course.id}/{p.stem}" for p in sorted(folder.glob("*.yml"))]
    return lessons


def track_checks(track: Track) -> set[str]:
    """The graded checks of the track's courses, as '<course>/<lesson>' lesson ids."""
    return {f"{course.id}/{course.check}" for course in track.courses if course.check}
