"""What was released to a cohort, frozen at release time: cells, checksums and questions.

The manifest is the academy's own record of the learner version. Grading compares every
submission against it (not against nbgrader's log) to flag edited, deleted or duplicated
read-only cells, and feedback and reports read question titles, points and objectives
from it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from academy.cohort.folder import CohortFolder, atomic_write
from academy.core.errors import AcademyError
from academy.core.strict import Frozen


class ManifestCell(Frozen):
    """One nbgrader cell of the learner version."""

    grade_id: str = Field(description="nbgrader grade_id of the cell.")
    cell_type: str = Field(description="code or markdown.")
    locked: bool = Field(description="Read-only for learners (tests, given data, instructions).")
    grade: bool = Field(description="The cell earns points.")
    solution: bool = Field(description="The learner writes their answer here.")
    points: float | None = Field(None, description="Points of a graded cell.")
    checksum: str = Field(description="nbgrader's checksum of the cell as released.")


class Question(Frozen):
    """A graded cell as learners and trainers see it."""

    grade_id: str = Field(description="grade_id of the graded cell.")
    number: int = Field(description="1-based position among the graded cells.")
    title: str = Field(description="First line of the instructions above it.")
    points: float = Field(description="Points it is worth.")
    kind: Literal["auto", "manual"] = Field(description="Autograded tests or a manual answer.")
    answer_cells: list[str] = Field(description="grade_ids of the answer cells it checks.")
    objectives: list[str] = Field(default_factory=list, description="Objective ids it assesses.")
    statements: list[str] = Field(default_factory=list, description="Those objectives, in words.")


class ExerciseManifest(Frozen):
    """An exercise as released to one cohort."""

    exercise: str = Field(description="Exercise id (folder name, nbgrader assignment id).")
    title: str = Field(description="Exercise title.")
    course: str = Field(description="Course id the exercise belongs to.")
    notebook: str = Field(description="File name of the graded notebook.")
    datasets: list[str] = Field(default_factory=list, description="Data the exercise reads.")
    released_at: datetime = Field(description="When it was released to the cohort.")
    due: datetime | None = Field(None, description="Due date (UTC), if any.")
    source_sha256: str = Field(description="Hash of the frozen exercise folder.")
    cells: list[ManifestCell] = Field(description="Every nbgrader cell of the learner version.")
    questions: list[Question] = Field(description="Graded cells in notebook order.")

    @property
    def notebook_id(self) -> str:
        return Path(self.notebook).stem

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)

    def cell(self, grade_id: str) -> ManifestCell | None:
        return next((c for c in self.cells if c.grade_id == grade_id), None)


def tree_sha256(folder: Path) -> str:
    """One hash over every file in a folder (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if ".ipynb_checkpoints" in path.parts or "__pycache__" in path.parts:
            continue
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _title(markdown: str) -> str:
    for line in markdown.splitlines():
        text = line.strip().lstrip("#").strip()
        if text:
            return text
    return ""


def build_manifest(
    release_notebook: Any,
    *,
    exercise: str,
    title: str,
    course: str,
    notebook: str,
    datasets: list[str],
    released_at: datetime,
    due: datetime | None,
    source_sha256: str,
    objectives: dict[str, list[str]],
    statements: dict[str, str],
) -> ExerciseManifest:
    """The manifest of a learner-version notebook (an nbformat node)."""
    from nbgrader import utils

    cells: list[ManifestCell] = []
    questions: list[Question] = []
    heading = ""
    answers: list[str] = []
    for cell in release_notebook.cells:
        if cell.cell_type == "markdown" and _title(cell.source):
            heading = _title(cell.source)
        meta = cell.metadata.get("nbgrader", {})
        if "grade_id" not in meta:
            continue
        grade_id = meta["grade_id"]
        cells.append(
            ManifestCell(
                grade_id=grade_id,
                cell_type=cell.cell_type,
                locked=utils.is_locked(cell),
                grade=utils.is_grade(cell),
                solution=utils.is_solution(cell),
                points=float(meta["points"]) if utils.is_grade(cell) else None,
                checksum=utils.compute_checksum(cell),
            )
        )
        if utils.is_solution(cell) and not utils.is_grade(cell):
            answers.append(grade_id)
        if utils.is_grade(cell):
            ids = objectives.get(grade_id, [])
            questions.append(
                Question(
                    grade_id=grade_id,
                    number=len(questions) + 1,
                    title=heading or f"Question {len(questions) + 1}",
                    points=float(meta["points"]),
                    kind="manual" if utils.is_solution(cell) else "auto",
                    answer_cells=[grade_id] if utils.is_solution(cell) else answers,
                    objectives=ids,
                    statements=[statements[i] for i in ids if i in statements],
                )
            )
            answers = []
    return ExerciseManifest(
        exercise=exercise,
        title=title,
        course=course,
        notebook=notebook,
        datasets=datasets,
        released_at=released_at,
        due=due,
        source_sha256=source_sha256,
        cells=cells,
        questions=questions,
    )


def save_manifest(folder: CohortFolder, manifest: ExerciseManifest) -> None:
    atomic_write(folder.manifest_file(manifest.exercise), manifest.model_dump_json(indent=2))


def load_manifest(folder: CohortFolder, exercise: str) -> ExerciseManifest:
    path = folder.manifest_file(exercise)
    try:
        return ExerciseManifest.model_validate_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        released = ", ".join(folder.released_exercises()) or "none yet"
        raise AcademyError(
            f"{folder.path}: exercise {exercise!r} was not released to cohort {folder.name!r} "
            f"(released: {released}); run `academy cohort release {folder.name} {exercise}`"
        ) from exc
    except ValidationError as exc:
        raise AcademyError(
            f"{path}: damaged release manifest ({exc.errors()[0]['msg']}); "
            f"re-run `academy cohort release {folder.name} {exercise} --refresh`"
        ) from exc
