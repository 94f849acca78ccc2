"""Every file format the academy reads: where the file lives, its model, and the rule that
reports a file that does not match it. The JSON Schemas (`academy schema`) and the
file-format reference page are generated from this list and the models' descriptions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from academy.checks.datasets import CANONICAL_SCHEMA, DATAPACKAGE_SCHEMA
from academy.checks.files import SCHEMA
from academy.checks.rule import Rule
from academy.clickthrough.model import ClickLesson
from academy.cohort.settings import CohortSettings
from academy.curriculum.models import (
    Academy,
    ExerciseSidecar,
    HintsFile,
    LessonMeta,
    ObjectivesFile,
    RolesFile,
    Track,
    WrongAnswersFile,
)
from academy.data.spec import CanonicalFile, PackageMeta, ResourceMeta

VALIDATE = "`academy validate` (and every build)"


@dataclass(frozen=True)
class FileFormat:
    """One kind of file the academy reads."""

    where: str  # where the file (or the part of it) lives
    model: type[BaseModel]
    rule: Rule  # the rule a file that does not match the model is reported under
    checked_by: str = VALIDATE

    @property
    def schema_name(self) -> str:
        return f"{self.model.__name__}.schema.json"


FORMATS: tuple[FileFormat, ...] = (
    FileFormat("curriculum/academy.yml", Academy, SCHEMA),
    FileFormat("curriculum/roles.yml", RolesFile, SCHEMA),
    FileFormat("curriculum/objectives.yml", ObjectivesFile, SCHEMA),
    FileFormat("curriculum/tracks/<track>.yml", Track, SCHEMA),
    FileFormat(
        "lesson front matter, under `academy:` (a notebook lesson: its metadata)",
        LessonMeta,
        SCHEMA,
    ),
    FileFormat("tracks/<track>/<course>/clickthrough/<lesson>.yml", ClickLesson, SCHEMA),
    FileFormat("exercises/source/<exercise>/exercise.yml", ExerciseSidecar, SCHEMA),
    FileFormat("exercises/source/<exercise>/hints.yml", HintsFile, SCHEMA),
    FileFormat("exercises/source/<exercise>/wrong-answers.yml", WrongAnswersFile, SCHEMA),
    FileFormat("datasets/canonical.yml", CanonicalFile, CANONICAL_SCHEMA),
    FileFormat(
        "datasets/<city>/<dataset>/datapackage.json, the package's `academy` key",
        PackageMeta,
        DATAPACKAGE_SCHEMA,
    ),
    FileFormat(
        "datasets/<city>/<dataset>/datapackage.json, the resource's `academy` key",
        ResourceMeta,
        DATAPACKAGE_SCHEMA,
    ),
    FileFormat(
        "<cohort folder>/cohort.yml", CohortSettings, SCHEMA, "every `academy cohort` command"
    ),
)


@dataclass(frozen=True)
class ToolFormat:
    """A file the academy reads in a format another tool defines (and checks)."""

    where: str
    what: str  # whose format it is
    checked_by: str


TOOL_FORMATS: tuple[ToolFormat, ...] = (
    ToolFormat(
        "tracks/<track>/<course>/_toc.yml",
        "Jupyter Book's table of contents (format `jb-book`), read with sphinx-external-toc",
        f"{VALIDATE}: `toc-format`, `toc-orphan`, `toc-missing`",
    ),
    ToolFormat(
        "tracks/<track>/<course>/_config.yml and tracks/_book_defaults.yml",
        "Jupyter Book's configuration; `academy build` lays the course's file over the defaults",
        "Jupyter Book, when the book builds (a warning fails the build)",
    ),
    ToolFormat(
        "exercises/source/<exercise>/<notebook>.ipynb",
        "an nbgrader source notebook (nbformat 4, nbgrader cell metadata)",
        f"{VALIDATE}: `notebook-json`, `exercise-grade-ids`; nbgrader, when it is released",
    ),
    ToolFormat(
        "datasets/<city>/<dataset>/datapackage.json",
        "a Frictionless Data Package with one resource (the academy's keys are above)",
        f"{VALIDATE}: `datapackage-json`, `datapackage-schema` (with the frictionless library)",
    ),
    ToolFormat(
        "<cohort folder>/roster.csv (or .xlsx)",
        "the cohort's roster: columns `id`, `name`, `email` and optionally `team`",
        "`academy cohort create` and `academy cohort roster`, every problem with its line",
    ),
)


def schemas() -> dict[str, dict[str, Any]]:
    """{schema file name: JSON Schema} for every file format."""
    return {f.schema_name: f.model.model_json_schema() for f in FORMATS}
