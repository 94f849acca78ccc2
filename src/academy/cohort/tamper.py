"""Compare a submission with what was released: edited, deleted or duplicated cells.

nbgrader silently restores locked cells before grading (its log cannot tell a restored
hidden test from an edited one), so the academy checks each submission against its own
release manifest first. The findings go to the trainer; grading still uses the trusted
cells, so a learner cannot change their score by editing tests.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from academy.cohort.manifest import ExerciseManifest
from academy.cohort.records import TamperFinding


def _describe(cell: Any) -> str:
    if cell.grade and not cell.solution:
        return "test cell"
    if cell.solution:
        return "answer cell"
    return "read-only cell"


def find_tampering(notebook: Any, manifest: ExerciseManifest) -> list[TamperFinding]:
    """Every way the submission's nbgrader cells differ from the released ones."""
    from nbgrader import utils

    cells = [c for c in notebook.cells if "grade_id" in c.get("metadata", {}).get("nbgrader", {})]
    counts = Counter(c.metadata.nbgrader["grade_id"] for c in cells)
    findings: list[TamperFinding] = []
    for released in manifest.cells:
        what = _describe(released)
        count = counts.get(released.grade_id, 0)
        if count == 0:
            if released.cell_type == "code":
                findings.append(
                    TamperFinding(
                        grade_id=released.grade_id,
                        kind="deleted",
                        message=f"the {what} {released.grade_id!r} was deleted; the original was put back",
                    )
                )
            continue
        if count > 1:
            findings.append(
                TamperFinding(
                    grade_id=released.grade_id,
                    kind="duplicated",
                    message=f"the {what} {released.grade_id!r} appears {count} times; only the original was graded",
                )
            )
            continue
        cell = next(c for c in cells if c.metadata.nbgrader["grade_id"] == released.grade_id)
        flags_changed = (
            utils.is_locked(cell) != released.locked
            or utils.is_grade(cell) != released.grade
            or utils.is_solution(cell) != released.solution
            or cell.cell_type != released.cell_type
            or (
                released.grade
                and float(cell.metadata.nbgrader.get("points", -1)) != released.points
            )
        )
        if (
            released.locked
            and not flags_changed
            and utils.compute_checksum(cell) != released.checksum
        ):
            findings.append(
                TamperFinding(
                    grade_id=released.grade_id,
                    kind="edited",
                    message=f"the {what} {released.grade_id!r} was edited; the original was used for grading",
                )
            )
        elif flags_changed:
            findings.append(
                TamperFinding(
                    grade_id=released.grade_id,
                    kind="changed-metadata",
                    message=f"the grading settings of the {what} {released.grade_id!r} were changed "
                    "(read-only, points or type); the released settings were used",
                )
            )
    known = {c.grade_id for c in manifest.cells}
    for grade_id in sorted(set(counts) - known):
        findings.append(
            TamperFinding(
                grade_id=grade_id,
                kind="unknown-cell",
                message=f"a cell claims the grade id {grade_id!r}, which this exercise does not have; "
                "it was run as ordinary code",
            )
        )
    return findings
