"""The grade history: every change to a learner's score, appended, never rewritten.

Grading records (`records`) and nbgrader's gradebook hold a learner's *current* score;
this file holds how it got there. Every change is one line of JSON appended to
`<cohort>/.academy/history.jsonl`: autograding, re-grading, a trainer's manual override, a
late penalty, and a score found changed in the gradebook behind the academy's back
(nbgrader's formgrader). Each line carries the time, the reason, who made the change, the
checksum of the submission it is about and a hash of the line before it, so a line that is
edited or removed later shows up as a break in the chain (`verify_history`).

The API other modules call:

    append_change(folder, exercise=…, learner=…, kind="override", score=…, max_score=…,
                  reason="…", submission_sha256=…, by="…")
    changes(folder, exercise=None, learner=None) -> list[GradeChange]
    last_change(folder, exercise, learner) -> GradeChange | None
    verify_history(folder) -> list[str]      # problems; [] when the chain is whole
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import hashlib
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from academy.cohort.folder import CohortFolder
from academy.core.errors import AcademyError
from academy.core.strict import Frozen

ChangeKind = Literal["graded", "regraded", "override", "late-penalty", "gradebook-edit"]
HISTORY_FILE = "history.jsonl"
#: `prev` of the first line.
GENESIS = "0" * 64


class GradeChange(Frozen):
    """One change to one learner's score in one exercise."""

    at: datetime = Field(description="When the change was made (UTC).")
    exercise: str = Field(description="Exercise id.")
    learner: str = Field(description="Learner id.")
    kind: ChangeKind = Field(
        description=(
            "graded (first score), regraded (graded again), override (a trainer set it), "
            "late-penalty (points taken off for lateness), gradebook-edit (found changed in "
            "the gradebook outside the academy)."
        )
    )
    score: float | None = Field(description="The score after the change (None: not scored).")
    previous: float | None = Field(description="The score before it (None: there was none).")
    max_score: float = Field(description="Points possible.")
    questions: dict[str, float | None] = Field(
        default_factory=dict, description="Score per question (grade_id) after the change."
    )
    reason: str = Field(description="Why the score changed, in words.")
    submission_sha256: str | None = Field(
        description="sha256 of the submitted notebook the score is for (None: no file)."
    )
    by: str = Field(description="Who made the change (the trainer's login or name).")
    sandbox: str | None = Field(
        None, description="How autograded work was confined: bwrap, or none (unsafe)."
    )
    prev: str = Field(GENESIS, description="sha256 of the previous line of the history file.")


def history_file(folder: CohortFolder) -> Path:
    return folder.state_dir / HISTORY_FILE


def _who() -> str:
    with contextlib.suppress(Exception):
        return getpass.getuser()
    return f"uid {os.getuid()}"


def _line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def _last_line(path: Path) -> bytes | None:
    if not path.is_file() or path.stat().st_size == 0:
        return None
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        size = min(end, 64 * 1024)
        while True:
            handle.seek(end - size)
            block = handle.read(size).rstrip(b"\n")
            if b"\n" in block or size == end:
                return block.rsplit(b"\n", 1)[-1]
            size = min(end, size * 2)


def append_change(
    folder: CohortFolder,
    *,
    exercise: str,
    learner: str,
    kind: ChangeKind,
    score: float | None,
    max_score: float,
    reason: str,
    submission_sha256: str | None,
    questions: dict[str, float | None] | None = None,
    previous: float | Literal["last"] | None = "last",
    by: str | None = None,
    sandbox: str | None = None,
    at: datetime | None = None,
) -> GradeChange:
    """Append one change and return it. `previous="last"` takes the last recorded score."""
    path = history_file(folder)
    with _locked(path) as fd:
        if previous == "last":
            before = last_change(folder, exercise, learner)
            previous = before.score if before else None
        last = _last_line(path)
        change = GradeChange(
            at=(at or datetime.now(UTC)).replace(microsecond=0),
            exercise=exercise,
            learner=learner,
            kind=kind,
            score=score,
            previous=previous,
            max_score=max_score,
            questions=questions or {},
            reason=reason,
            submission_sha256=submission_sha256,
            by=by or _who(),
            sandbox=sandbox,
            prev=_line_hash(last) if last is not None else GENESIS,
        )
        os.write(fd, change.model_dump_json().encode() + b"\n")
        os.fsync(fd)
    return change


def _read(folder: CohortFolder) -> list[tuple[bytes, GradeChange | None]]:
    path = history_file(folder)
    if not path.is_file():
        return []
    rows = []
    for line in path.read_bytes().splitlines():
        if not line.strip():
            continue
        try:
            rows.append((line, GradeChange.model_validate_json(line)))
        except (ValidationError, ValueError):
            rows.append((line, None))
    return rows


def changes(
    folder: CohortFolder, exercise: str | None = None, learner: str | None = None
) -> list[GradeChange]:
    """Every recorded change, oldest first (unreadable lines left out; see verify_history)."""
    return [
        change
        for _, change in _read(folder)
        if change is not None
        and (exercise is None or change.exercise == exercise)
        and (learner is None or change.learner == learner)
    ]


def last_change(folder: CohortFolder, exercise: str, learner: str) -> GradeChange | None:
    found = changes(folder, exercise, learner)
    return found[-1] if found else None


def verify_history(folder: CohortFolder) -> list[str]:
    """Lines that were damaged, edited, inserted or removed since they were appended."""
    path = history_file(folder)
    problems = []
    expected = GENESIS
    for number, (line, change) in enumerate(_read(folder), start=1):
        if change is None:
            problems.append(f"{path}:{number}: not a history entry (the line was damaged)")
        elif change.prev != expected:
            problems.append(
                f"{path}:{number}: the line before it was changed or removed after it was written"
            )
        expected = _line_hash(line)
    return problems


def history_or_error(
    folder: CohortFolder, exercise: str | None, learner: str | None
) -> list[GradeChange]:
    """`changes`, or a one-line error naming what to fix when the filter matches nothing known."""
    if learner is not None:
        from academy.cohort.roster import roster

        known = {x.id for x in roster(folder)} | {c.learner for c in changes(folder)}
        if learner not in known:
            raise AcademyError(
                f"{folder.roster_file}: {learner!r} is not on the roster and has no history; "
                "check the id"
            )
    return changes(folder, exercise, learner)


def as_json(found: list[GradeChange]) -> str:
    return json.dumps([c.model_dump(mode="json") for c in found], indent=2, ensure_ascii=False)
