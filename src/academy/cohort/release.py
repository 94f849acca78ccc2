"""`academy cohort release`: freeze an exercise for the cohort and make the learner version.

The exercise folder is copied from the academy checkout into the cohort's `source/` once;
later changes in the checkout do not reach this cohort unless the trainer refreshes the
release before any work is graded. nbgrader's `generate_assignment` makes the learner
version; on JupyterHub, nbgrader's exchange hands it out.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from academy.cohort.academy_files import FIX, objective_statements
from academy.cohort.folder import CohortFolder, nbgrader_config
from academy.cohort.manifest import (
    ExerciseManifest,
    build_manifest,
    load_manifest,
    save_manifest,
    tree_sha256,
)
from academy.core.errors import AcademyError
from academy.core.schema import read_model
from academy.curriculum.models import ExerciseSidecar


@dataclass(frozen=True)
class ReleaseResult:
    """Where the learner version is and what happened."""

    manifest: ExerciseManifest
    release_dir: Path
    notebook: Path
    newly_released: bool
    checkout_changed: bool
    exchange: str | None


def exercise_dir(root: Path, exercise: str) -> Path:
    source = root / "exercises" / "source"
    path = source / exercise
    if not (path / "exercise.yml").is_file():
        known = ", ".join(sorted(p.parent.name for p in source.glob("*/exercise.yml"))) or "none"
        raise AcademyError(
            f"{path}: no exercise {exercise!r} in the academy (exercises: {known}); check the name"
        )
    return path


def _api(folder: CohortFolder, exchange_root: Path | None = None) -> Any:
    from nbgrader.apps import NbGraderAPI

    extra = {"Exchange": {"root": str(exchange_root)}} if exchange_root else {}
    return NbGraderAPI(config=nbgrader_config(folder, extra))


def _has_submissions(folder: CohortFolder, exercise: str) -> bool:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(folder.db_url, folder.name) as gradebook:
        try:
            return bool(gradebook.find_assignment(exercise).submissions)
        except MissingEntry:
            return False


def _check(result: dict[str, Any], what: str, folder: CohortFolder) -> None:
    if not result.get("success"):
        detail = (result.get("error") or result.get("log") or "").strip().splitlines()
        raise AcademyError(
            f"{folder.path}: nbgrader could not {what}: {detail[-1] if detail else 'no details'}"
        )


def release_exercise(
    folder: CohortFolder,
    exercise: str,
    due: datetime | None = None,
    refresh: bool = False,
    exchange_root: Path | None = None,
) -> ReleaseResult:
    """Release `exercise` to the cohort (once), or report the existing release."""
    import nbformat
    from nbgrader.api import Gradebook

    checkout = exercise_dir(folder.academy_root, exercise)
    frozen = folder.source(exercise)
    already = folder.manifest_file(exercise).is_file()
    if already and refresh and _has_submissions(folder, exercise):
        raise AcademyError(
            f"{folder.path}: {exercise!r} already has submissions in this cohort; a release is "
            "frozen once work comes in, so it cannot be refreshed"
        )
    newly = not already or refresh
    if newly:
        sidecar = read_model(ExerciseSidecar, checkout / "exercise.yml", fix=FIX)
        if not (checkout / sidecar.notebook).is_file():
            raise AcademyError(
                f"{checkout / 'exercise.yml'}: notebook {sidecar.notebook!r} does not exist; fix `notebook:`"
            )
        if frozen.exists():
            shutil.rmtree(frozen)
        shutil.copytree(
            checkout, frozen, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
        )
        api = _api(folder)
        _check(
            api.generate_assignment(exercise, force=True, create=True),
            "generate the learner version",
            folder,
        )
        with Gradebook(folder.db_url, folder.name) as gradebook:
            gradebook.update_or_create_assignment(exercise, duedate=due)
        notebook = folder.release(exercise) / sidecar.notebook
        manifest = build_manifest(
            nbformat.read(notebook, as_version=4),
            exercise=exercise,
            title=sidecar.title,
            course=sidecar.course,
            notebook=sidecar.notebook,
            datasets=sidecar.datasets,
            released_at=datetime.now(UTC).replace(microsecond=0),
            due=due,
            source_sha256=tree_sha256(frozen),
            objectives=sidecar.grade_ids,
            statements=objective_statements(folder.academy_root),
        )
        save_manifest(folder, manifest)
    else:
        manifest = load_manifest(folder, exercise)
        if due is not None and due != manifest.due:
            with Gradebook(folder.db_url, folder.name) as gradebook:
                gradebook.update_or_create_assignment(exercise, duedate=due)
            manifest = manifest.model_copy(update={"due": due})
            save_manifest(folder, manifest)
    exchange = None
    if exchange_root is not None:
        _check(
            _api(folder, exchange_root).release_assignment(exercise),
            "release through the exchange",
            folder,
        )
        exchange = str(Path(exchange_root) / folder.name / "outbound" / exercise)
    return ReleaseResult(
        manifest=manifest,
        release_dir=folder.release(exercise),
        notebook=folder.release(exercise) / manifest.notebook,
        newly_released=newly,
        checkout_changed=tree_sha256(checkout) != manifest.source_sha256,
        exchange=exchange,
    )
