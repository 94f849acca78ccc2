"""The academy's own files a cohort reads: tracks, exercises, objectives, click-through lessons.

Read through academy.curriculum.loading's model checks, so a broken file gives the same
`path:line: rule: message` that `academy validate` would.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from academy.core.errors import AcademyError
from academy.core.yamlfile import read_yaml
from academy.curriculum.loading import check_model, load_exercises
from academy.curriculum.models import Academy, ObjectivesFile, Track

M = TypeVar("M", bound=BaseModel)


def read_model(model: type[M], path: Path, root: Path) -> M:
    """A curriculum file as its model; the first problem is an error naming file and line."""
    value, findings = check_model(model, read_yaml(path), root)
    if value is None:
        raise AcademyError(f"{findings[0]}; run `academy validate` for every problem")
    return value


def read_track(root: Path, track_id: str) -> Track:
    return read_model(Track, root / "curriculum" / "tracks" / f"{track_id}.yml", root)


def read_academy(root: Path) -> Academy:
    return read_model(Academy, root / "curriculum" / "academy.yml", root)


def objective_statements(root: Path) -> dict[str, str]:
    """{objective id: statement}; empty when objectives.yml is missing or broken."""
    try:
        objectives = read_model(ObjectivesFile, root / "curriculum" / "objectives.yml", root)
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
        folder = root / "tracks" / track.id / course.id / "clickthrough"
        lessons += [f"{course.id}/{p.stem}" for p in sorted(folder.glob("*.yml"))]
    return lessons
