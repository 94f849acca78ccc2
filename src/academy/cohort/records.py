"""Grading records: one JSON file per learner and exercise under `.academy/grades/`.

A record is written only after the learner's grades are committed to the gradebook and
their graded notebook is on disk, so a record on disk means "done": an interrupted run
picks up exactly the submissions without a current record. Feedback, reports and exports
read the messages and flags from here and the scores from the gradebook.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, ValidationError

from academy.cohort.folder import CohortFolder, atomic_write
from academy.cohort.messages import Status
from academy.core.strict import Frozen

Outcome = Literal["graded", "unreadable", "wrong-name", "grading-failed"]
TamperKind = Literal["edited", "deleted", "duplicated", "changed-metadata", "unknown-cell"]


class QuestionResult(Frozen):
    grade_id: str = Field(description="grade_id of the graded cell.")
    score: float | None = Field(description="Points earned (None: waits for manual grading).")
    points: float = Field(description="Points possible.")
    status: Status = Field(description="What happened, in one word.")
    message: str = Field(description="Plain-language explanation for the learner.")


class TamperFinding(Frozen):
    grade_id: str = Field(description="The cell concerned.")
    kind: TamperKind = Field(description="What was done to it.")
    message: str = Field(description="Explanation for the trainer.")


class GradeRecord(Frozen):
    learner: str
    exercise: str
    outcome: Outcome = Field(description="Whether the notebook could be graded at all.")
    submission_sha256: str | None = Field(description="Hash of the graded file (None: no file).")
    manifest_sha256: str = Field(description="Hash of the release it was graded against.")
    graded_at: datetime
    sandbox: str = Field(
        description="bwrap, or none (graded with --unsafe-no-sandbox; older records: rlimits)."
    )
    seconds: float = Field(description="Wall time of the sandboxed run.")
    score: float
    max_score: float
    late_seconds: float = Field(0, description="How late it was submitted (0: on time).")
    questions: list[QuestionResult]
    notes: list[str] = Field(default_factory=list, description="Notes for the learner.")
    flags: list[TamperFinding] = Field(
        default_factory=list,
        description="Tampering found by the academy's checksums (trainer only).",
    )
    problems: list[str] = Field(
        default_factory=list, description="Grading problems for the trainer (crashes, limits)."
    )

    @property
    def percent(self) -> float:
        return 100 * self.score / self.max_score if self.max_score else 0.0


def save_record(folder: CohortFolder, record: GradeRecord) -> None:
    atomic_write(
        folder.record_file(record.exercise, record.learner), record.model_dump_json(indent=2)
    )


def load_record(folder: CohortFolder, exercise: str, learner: str) -> GradeRecord | None:
    path = folder.record_file(exercise, learner)
    try:
        return GradeRecord.model_validate_json(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValidationError, ValueError):
        return None


def load_records(folder: CohortFolder, exercise: str) -> dict[str, GradeRecord]:
    directory = folder.record_file(exercise, "x").parent
    records = {}
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        record = load_record(folder, exercise, path.stem)
        if record is not None:
            records[record.learner] = record
    return records
