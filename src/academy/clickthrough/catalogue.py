"""What the lesson server knows of the academy: tracks, courses and their click-through
lessons and graded exercises, in order (`build/lessons/catalogue.json`).

`academy build` writes it beside the resolved lessons (`build.catalogue_of`); the lesson
server reads it for a learner's *My progress* page (lessons done, in progress, and what
is left for each track's certificate) without reading the curriculum itself. Standard
models only: the server never loads the curriculum or pandas.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import Field, ValidationError

from academy.core.strict import Frozen

CATALOGUE_FILE = "catalogue.json"
CATALOGUE_VERSION = 1


class CatalogueLesson(Frozen):
    """A click-through lesson as the learner finds it."""

    id: str = Field(description="'<course>/<lesson>', as the progress store records it.")
    title: str = Field(description="The lesson's title.")
    minutes: int = Field(description="About how long it takes.")
    url: str = Field(description="Its address on the lesson server, from the site's root.")
    graded: bool = Field(description="The course's graded check (first answers are the score).")


class CatalogueExercise(Frozen):
    """A graded exercise of a course (graded by the trainer, not by the lesson server)."""

    id: str = Field(description="The exercise's folder under exercises/source.")
    title: str = Field(description="Its title.")


class CatalogueCourse(Frozen):
    """A course and what a learner does in it."""

    id: str = Field(description="The course id.")
    title: str = Field(description="The course title.")
    url: str = Field(description="The portal's page of the course, from the site's root.")
    lessons: list[CatalogueLesson] = Field(description="Its click-through lessons, in order.")
    exercises: list[CatalogueExercise] = Field(description="Its graded exercises.")


class CatalogueTrack(Frozen):
    """A track: what its certificate asks for."""

    id: str = Field(description="The track id.")
    title: str = Field(description="The track title.")
    courses: list[CatalogueCourse] = Field(description="Its courses, in order.")

    @property
    def lessons(self) -> list[CatalogueLesson]:
        return [lesson for course in self.courses for lesson in course.lessons]

    @property
    def exercises(self) -> list[CatalogueExercise]:
        return [exercise for course in self.courses for exercise in course.exercises]


class LessonCatalogue(Frozen):
    """Every track with its courses, lessons and exercises, as built for one city."""

    version: int = Field(CATALOGUE_VERSION, description="Format version of this file.")
    city: str = Field(description="The city the lessons were built for.")
    tracks: list[CatalogueTrack] = Field(description="The academy's tracks, in order.")

    def lesson(self, lesson_id: str) -> CatalogueLesson | None:
        return next((x for t in self.tracks for x in t.lessons if x.id == lesson_id), None)


def write_catalogue(catalogue: LessonCatalogue, lessons_dir: Path) -> Path:
    path = lessons_dir / CATALOGUE_FILE
    path.write_text(catalogue.model_dump_json(indent=1), encoding="utf-8")
    return path


def read_catalogue(lessons_dir: Path) -> LessonCatalogue | None:
    """The built catalogue, or None when there is none (or it is from another version)."""
    try:
        data = json.loads((lessons_dir / CATALOGUE_FILE).read_text(encoding="utf-8"))
        if data.get("version") != CATALOGUE_VERSION:
            return None
        return LessonCatalogue.model_validate(data)
    except (OSError, ValueError, AttributeError, ValidationError):
        return None
