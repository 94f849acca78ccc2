"""`academy cohort export`: grades per exercise and per question, as CSV, Canvas CSV,
Moodle CSV or JSON. Scores are after any late penalty.

* `csv`: one row per learner; for each exercise its total, maximum, late penalty and
  status, then one column per question (`<exercise> / <grade_id>`). Written with a UTF-8
  BOM so that Excel on Windows shows accented names right.
* `canvas`: the layout Canvas's gradebook import reads (its GradebookImporter): a header
  `Student, ID, SIS User ID, SIS Login ID, Section, <assignment>…`, then a
  `Points Possible` row, then one row per learner. Canvas finds each learner by `ID`
  (their Canvas user ID: the roster's `lms_id`), else `SIS Login ID` (the roster's
  `lms_login`), else the name as Canvas sorts it ("Last, First"); `SIS User ID` is the
  institution's id, which the academy does not know, so it is left blank. Work not handed
  in is a blank cell, which Canvas leaves alone. `read_canvas` reads the layout back.
* `moodle`: the layout of Moodle's gradebook "Export to text file", which its CSV grade
  import reads back: `First name, Last name, ID number, Institution, Department, Email
  address`, one `Assignment: <title> (Real)` column per exercise, and `Last downloaded
  from this course`. Map `Email address` to the user's e-mail when importing.
* `json`: the same data, nested, with the exercises' questions and maxima.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from academy.cohort.roster import Learner
from academy.cohort.scores import CohortScores, ExerciseScore, LearnerScores

Format = Literal["csv", "canvas", "moodle", "json"]
FORMATS: tuple[str, ...] = ("csv", "canvas", "moodle", "json")
CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_USER_COLUMNS = [
    "First name",
    "Last name",
    "ID number",
    "Institution",
    "Department",
    "Email address",
]
MOODLE_EXPORTED_COLUMN = "Last downloaded from this course"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _status(result: ExerciseScore) -> str:
    if not result.graded:
        return "missing"
    if result.needs_manual_grade:
        return "needs manual grading"
    return "late" if result.late else "on time"


def to_csv(scores: CohortScores) -> str:
    header = ["id", "name", "email", "team"]
    for manifest in scores.manifests:
        header += [
            f"{manifest.exercise} total",
            f"{manifest.exercise} max",
            f"{manifest.exercise} late penalty",
            f"{manifest.exercise} status",
        ]
        header += [f"{manifest.exercise} / {q.grade_id}" for q in manifest.questions]
    header += ["total", "max"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in scores.learners:
        learner = row.learner
        line = [learner.id, learner.name, learner.email, learner.team or ""]
        total = 0.0
        for manifest in scores.manifests:
            result = row.exercises[manifest.exercise]
            line += [
                _number(result.score),
                _number(manifest.total_points),
                _number(result.penalty if result.graded else None),
                _status(result),
            ]
            line += [_number((result.questions or {}).get(q.grade_id)) for q in manifest.questions]
            total += result.score or 0
        line += [_number(total), _number(sum(m.total_points for m in scores.manifests))]
        writer.writerow(line)
    return buffer.getvalue()


def _canvas_name(learner: Learner) -> str:
    """Canvas shows students as 'Last, First'."""
    first, last = learner.first_last
    return f"{last}, {first}" if last else learner.name


def to_canvas(scores: CohortScores) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CANVAS_STUDENT_COLUMNS + [m.title for m in scores.manifests])
    writer.writerow(
        [CANVAS_POINTS_ROW, "", "", "", ""] + [_number(m.total_points) for m in scores.manifests]
    )
    for row in scores.learners:
        learner = row.learner
        writer.writerow(
            [
                _canvas_name(learner),
                learner.lms_id or "",
                "",
                learner.lms_login or "",
                learner.team or "",
            ]
            + [_number(row.exercises[m.exercise].score) for m in scores.manifests]
        )
    return buffer.getvalue()


@dataclass(frozen=True)
class CanvasGradebook:
    """A Canvas gradebook CSV as Canvas's importer reads it."""

    assignments: dict[str, float | None]  # title -> points possible
    students: list[dict[str, str]]  # the student columns of each row
    grades: dict[str, dict[str, str]]  # student name -> assignment title -> cell


def read_canvas(text: str) -> CanvasGradebook:
    """Parse a Canvas gradebook CSV the way Canvas's GradebookImporter does: a header whose
    first cells are Student and ID, SIS columns, Section last among the student columns,
    then assignments (totals such as Current Score are not assignments); an optional
    Points Possible row; then students. Raises ValueError on a layout Canvas rejects."""
    rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(c.strip() for c in r)]
    if not rows:
        raise ValueError("empty file")
    header = rows[0]
    if not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        raise ValueError("invalid header row: it must start with Student, ID")
    columns = 2
    if "SIS User ID" in header[2] and "SIS Login ID" in header[3]:
        columns = 4
    elif "SIS Login ID" in header[2]:
        columns = 3
    if "Section" not in header[columns]:
        raise ValueError("invalid header row: Section must follow the student columns")
    columns += 1
    totals = (
        "Current Score",
        "Current Points",
        "Current Grade",
        "Final Score",
        "Final Points",
        "Final Grade",
    )
    titles = [
        (i, h) for i, h in enumerate(header) if i >= columns and not any(t in h for t in totals)
    ]
    points: dict[str, float | None] = {title: None for _, title in titles}
    students: list[dict[str, str]] = []
    grades: dict[str, dict[str, str]] = {}
    for row in rows[1:]:
        if CANVAS_POINTS_ROW in row[0]:
            for index, title in titles:
                cell = row[index].strip() if index < len(row) else ""
                points[title] = float(cell) if cell else None
            continue
        info = dict(zip(header[:columns], row[:columns], strict=False))
        students.append(info)
        grades[row[0]] = {title: (row[i].strip() if i < len(row) else "") for i, title in titles}
    return CanvasGradebook(points, students, grades)


def to_moodle(scores: CohortScores) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        MOODLE_USER_COLUMNS
        + [f"Assignment: {m.title} (Real)" for m in scores.manifests]
        + [MOODLE_EXPORTED_COLUMN]
    )
    stamp = str(int(datetime.now(UTC).timestamp()))
    for row in scores.learners:
        learner = row.learner
        first, last = learner.first_last
        writer.writerow(
            [first, last, "", "", learner.team or "", learner.email]
            + [_number(row.exercises[m.exercise].score) or "-" for m in scores.manifests]
            + [stamp]
        )
    return buffer.getvalue()


def _learner_json(row: LearnerScores) -> dict[str, Any]:
    return {
        "id": row.learner.id,
        "name": row.learner.name,
        "email": row.learner.email,
        "team": row.learner.team,
        "exercises": {
            exercise: {
                "score": result.score,
                "max_score": result.max_score,
                "status": _status(result),
                "submitted_at": result.submitted_at.isoformat() if result.submitted_at else None,
                "late_seconds": result.late_seconds,
                "late": result.late,
                "late_penalty": result.penalty,
                "questions": result.questions or {},
            }
            for exercise, result in row.exercises.items()
        },
    }


def to_json(scores: CohortScores, cohort: str) -> str:
    data = {
        "cohort": cohort,
        "exercises": [
            {
                "id": m.exercise,
                "title": m.title,
                "course": m.course,
                "max_score": m.total_points,
                "due": m.due.isoformat() if m.due else None,
                "questions": [
                    {
                        "grade_id": q.grade_id,
                        "title": q.title,
                        "points": q.points,
                        "objectives": q.objectives,
                    }
                    for q in m.questions
                ],
            }
            for m in scores.manifests
        ],
        "learners": [_learner_json(row) for row in scores.learners],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_export(scores: CohortScores, fmt: Format, cohort: str) -> str:
    """The export as text in the requested format."""
    if fmt == "csv":
        return to_csv(scores)
    if fmt == "canvas":
        return to_canvas(scores)
    if fmt == "moodle":
        return to_moodle(scores)
    return to_json(scores, cohort)


def export_bytes(scores: CohortScores, fmt: Format, cohort: str) -> bytes:
    """The export as a file's bytes: the `csv` one with a BOM, for Excel."""
    text = render_export(scores, fmt, cohort)
    return text.encode("utf-8-sig" if fmt == "csv" else "utf-8")
