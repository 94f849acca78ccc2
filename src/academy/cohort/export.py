"""`academy cohort export`: grades per exercise and per question, as CSV, Canvas CSV or JSON.

* `csv`: one row per learner; for each exercise its total, maximum and status, then one
  column per question (`<exercise> / <grade_id>`).
* `canvas`: the layout Canvas' gradebook import accepts: `Student, ID, SIS User ID,
  SIS Login ID, Section`, one column per exercise (a new assignment named after it), a
  `Points Possible` row, and blank cells for work not handed in (Canvas leaves those alone).
* `json`: the same data, nested, with the exercises' questions and maxima.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Literal

from academy.cohort.roster import Learner
from academy.cohort.scores import CohortScores, ExerciseScore, LearnerScores

Format = Literal["csv", "canvas", "json"]


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _status(result: ExerciseScore) -> str:
    if not result.graded:
        return "missing"
    if result.needs_manual_grade:
        return "needs manual grading"
    return "late" if result.late_seconds > 0 else "on time"


def to_csv(scores: CohortScores) -> str:
    header = ["id", "name", "email", "team"]
    for manifest in scores.manifests:
        header += [
            f"{manifest.exercise} total",
            f"{manifest.exercise} max",
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
            line += [_number(result.score), _number(manifest.total_points), _status(result)]
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
    writer.writerow(
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
        + [m.title for m in scores.manifests]
    )
    writer.writerow(
        ["Points Possible", "", "", "", ""] + [_number(m.total_points) for m in scores.manifests]
    )
    for row in scores.learners:
        learner = row.learner
        writer.writerow(
            [_canvas_name(learner), "", learner.id, learner.email, learner.team or ""]
            + [_number(row.exercises[m.exercise].score) for m in scores.manifests]
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
    return to_json(scores, cohort)
