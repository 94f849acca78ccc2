"""Where a cohort lives and what is in it.

A cohort is a folder outside the repository (under `--dir`, `$ACADEMY_COHORTS_DIR`, or the
user's data dir) that is itself an nbgrader course directory:

    <cohort>/cohort.yml          the cohort's settings (academy.cohort.settings)
    <cohort>/roster.csv          id,name,email,team
    <cohort>/nbgrader_config.py  generated from cohort.yml, for nbgrader's own tools
    <cohort>/gradebook.db        nbgrader's gradebook
    <cohort>/source/<exercise>/  the exercise as released to this cohort (frozen)
    <cohort>/release/<exercise>/ the learner version
    <cohort>/submitted/<learner>/<exercise>/   imported submissions
    <cohort>/autograded/<learner>/<exercise>/  executed, graded notebooks
    <cohort>/feedback/<learner>/<exercise>/    the learners' feedback pages
    <cohort>/.academy/           the academy's own records: release manifests, grading
                                 records (what makes grading resumable), replaced files
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from academy.cohort.settings import CohortSettings
from academy.core.errors import AcademyError
from academy.core.paths import user_data_dir
from academy.core.schema import read_model

COHORTS_ENV = "ACADEMY_COHORTS_DIR"
SETTINGS_FILE = "cohort.yml"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
#: Files in an exercise folder that are the academy's (sidecar, practice hints), not the learner's.
NOT_RELEASED = ["exercise.yml", "hints.yml"]


def cohorts_dir(directory: Path | None = None) -> Path:
    """Folder that holds the cohorts: `--dir`, else $ACADEMY_COHORTS_DIR, else the user's data dir."""
    if directory is not None:
        return directory.expanduser().resolve()
    env = os.environ.get(COHORTS_ENV, "").strip()
    return Path(env).expanduser().resolve() if env else user_data_dir() / "cohorts"


def check_name(name: str) -> str:
    """A cohort name is also a folder name and nbgrader's course id."""
    if not NAME_PATTERN.match(name):
        raise AcademyError(
            f"cohort name {name!r}: use lower-case letters, digits, '-' and '_' "
            "(up to 63 characters), e.g. 'spring-2025-analysts'"
        )
    return name


@dataclass(frozen=True)
class CohortFolder:
    """A cohort's folder and settings, with the path of everything in it."""

    path: Path
    settings: CohortSettings

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def academy_root(self) -> Path:
        return Path(self.settings.academy_root)

    @property
    def roster_file(self) -> Path:
        return self.path / "roster.csv"

    @property
    def gradebook_file(self) -> Path:
        return self.path / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook_file}"

    @property
    def state_dir(self) -> Path:
        return self.path / ".academy"

    def source(self, exercise: str) -> Path:
        return self.path / "source" / exercise

    def release(self, exercise: str) -> Path:
        return self.path / "release" / exercise

    def submitted(self, learner: str, exercise: str) -> Path:
        return self.path / "submitted" / learner / exercise

    def autograded(self, learner: str, exercise: str) -> Path:
        return self.path / "autograded" / learner / exercise

    def feedback(self, learner: str, exercise: str) -> Path:
        return self.path / "feedback" / learner / exercise

    def manifest_file(self, exercise: str) -> Path:
        return self.state_dir / "exercises" / f"{exercise}.json"

    def record_file(self, exercise: str, learner: str) -> Path:
        return self.state_dir / "grades" / exercise / f"{learner}.json"

    def released_exercises(self) -> list[str]:
        folder = self.state_dir / "exercises"
        return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def nbgrader_settings(folder: CohortFolder) -> dict[str, dict[str, Any]]:
    """The cohort's nbgrader configuration, as {section: {trait: value}}."""
    from academy.cohort.late import nbgrader_late_settings

    return {
        "CourseDirectory": {
            "root": str(folder.path),
            "course_id": folder.name,
            "db_url": folder.db_url,
            "ignore": [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", *NOT_RELEASED],
        },
        "Execute": {"timeout": folder.settings.limits.cell_timeout},
        "OverwriteCells": {"add_missing_cells": True},
        **nbgrader_late_settings(folder.settings.late_policy),
    }


def nbgrader_config(folder: CohortFolder, extra: dict[str, dict[str, Any]] | None = None) -> Any:
    """The same configuration as a traitlets Config, for nbgrader's Python API."""
    from traitlets.config import Config

    sections = nbgrader_settings(folder)
    for section, values in (extra or {}).items():
        sections.setdefault(section, {}).update(values)
    return Config(sections)


def render_nbgrader_config(folder: CohortFolder) -> str:
    lines = [
        "# Generated by `academy cohort` from cohort.yml; edit cohort.yml, not this file.",
        "c = get_config()  # noqa: F821",
    ]
    for section, values in nbgrader_settings(folder).items():
        for key, value in values.items():
            lines.append(f"c.{section}.{key} = {value!r}")
    return "\n".join(lines) + "\n"


def write_settings(path: Path, settings: CohortSettings) -> None:
    data = settings.model_dump(mode="json")
    text = "# Cohort settings (academy cohort). Limits apply to every submission graded.\n"
    text += yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    atomic_write(path / SETTINGS_FILE, text)


def write_problem(target: Path, exc: OSError) -> AcademyError:
    """A failed write as one line: the file, what stopped it, and what to do."""
    blocking = next((p for p in reversed(target.parents) if p.is_file()), None)
    if blocking is not None or exc.errno in (errno.ENOTDIR, errno.EEXIST):
        where = blocking or target.parent
        return AcademyError(
            f"{target}: cannot be written, {where} is a file, not a folder; choose another "
            "path (--out)"
        )
    if exc.errno == errno.EROFS:
        why = "the disk there is read-only"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why = "you may not write there"
    elif exc.errno == errno.ENOSPC:
        return AcademyError(f"{target}: cannot be written, the disk is full; free some space")
    else:
        why = exc.strerror or type(exc).__name__
    return AcademyError(
        f"{target}: cannot be written ({why}); choose a folder you can write to (--out)"
    )


def ensure_dir(path: Path) -> Path:
    """Create a folder (and its parents), or a one-line error saying why not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_problem(path / "x", exc) from exc
    if not path.is_dir():
        raise write_problem(path / "x", OSError(errno.ENOTDIR, "not a folder"))
    return path


def atomic_write(target: Path, text: str | bytes) -> None:
    """Write a file so that readers see the old or the new content, never half of it."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            tmp.write_bytes(text)
        else:
            tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise write_problem(target, exc) from exc


def load_folder(path: Path) -> CohortFolder:
    """Read a cohort folder's settings; keep its nbgrader_config.py in step with them."""
    settings_path = path / SETTINGS_FILE
    if not settings_path.is_file():
        raise AcademyError(f"{settings_path}: not a cohort folder (no {SETTINGS_FILE})")
    settings = read_model(CohortSettings, settings_path)  # a FileError names the line
    folder = CohortFolder(path=path, settings=settings)
    config_file = path / "nbgrader_config.py"
    text = render_nbgrader_config(folder)
    if not config_file.is_file() or config_file.read_text(encoding="utf-8") != text:
        atomic_write(config_file, text)
    return folder


def open_cohort(name: str, directory: Path | None = None) -> CohortFolder:
    """The cohort called `name`, or an error that says where it looked and what to do."""
    base = cohorts_dir(directory)
    path = base / check_name(name)
    if not (path / SETTINGS_FILE).is_file():
        known = ", ".join(c.name for c in list_cohorts(directory)) or "none"
        raise AcademyError(
            f"{path}: no cohort {name!r} here (cohorts: {known}); create it with "
            "`academy cohort create NAME --roster FILE`, or pass --dir"
        )
    return load_folder(path)


def list_cohorts(directory: Path | None = None) -> list[CohortFolder]:
    base = cohorts_dir(directory)
    if not base.is_dir():
        return []
    return [load_folder(p) for p in sorted(base.iterdir()) if (p / SETTINGS_FILE).is_file()]
