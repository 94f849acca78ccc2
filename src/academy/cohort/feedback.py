"""`academy cohort feedback`: one offline HTML page per learner and exercise.

The page shows the learner's score per question, what happened in plain words, and their
own answer code. It is built from the grading record and the learner's answer cells only:
test cells (whose source holds the hidden tests) and their outputs never reach the
template, so hidden tests cannot leak, neither as source nor as tracebacks. nbgrader's own
`generate_feedback` is not used because it renders the whole graded notebook, hidden
tests included, and loads MathJax from a CDN.

Pages go to `feedback/<learner>/<exercise>/<notebook>.html`, where nbgrader's
`release_feedback` exchange looks for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from academy.cohort.folder import CohortFolder, atomic_write
from academy.cohort.html import render
from academy.cohort.manifest import ExerciseManifest, load_manifest
from academy.cohort.records import GradeRecord, load_records
from academy.cohort.refresh import remember_output
from academy.cohort.roster import Learner, roster
from academy.cohort.scores import ExerciseScore, cohort_scores, passed
from academy.core.errors import AcademyError

LABELS = {
    "passed": "passed",
    "partial": "partly right",
    "failed": "not yet",
    "not-attempted": "not attempted",
    "not-run": "not run",
    "manual": "trainer grades",
    "not-graded": "not graded",
}


@dataclass(frozen=True)
class FeedbackPage:
    learner: str
    path: Path


def _answers(folder: CohortFolder, manifest: ExerciseManifest, learner: str) -> dict[str, str]:
    """The learner's own answer cells (never a test cell), by grade_id."""
    import nbformat

    path = folder.autograded(learner, manifest.exercise) / manifest.notebook
    if not path.is_file():
        return {}
    answers = {c.grade_id for c in manifest.cells if c.solution and not c.locked}
    notebook = nbformat.read(path, as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in notebook.cells
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") in answers
    }


def render_feedback(
    folder: CohortFolder,
    manifest: ExerciseManifest,
    learner: Learner,
    record: GradeRecord,
    result: ExerciseScore,
    answers: dict[str, str],
) -> str:
    """The feedback page of one learner (pure: everything comes in as arguments)."""
    results = {q.grade_id: q for q in record.questions}
    scores = result.questions or {}
    questions = []
    for question in manifest.questions:
        outcome = results.get(question.grade_id)
        if outcome is None:
            continue
        score = scores.get(question.grade_id, outcome.score)
        outcome = outcome.model_copy(update={"score": score})
        questions.append(
            {
                "question": question,
                "result": outcome,
                "label": LABELS[outcome.status],
                "answers": [answers[a] for a in question.answer_cells if a in answers],
            }
        )
    return render(
        "feedback.html.j2",
        exercise=manifest,
        learner=learner,
        cohort=folder.name,
        record=record.model_copy(
            update={"score": result.score if result.score is not None else record.score}
        ),
        percent=result.percent if result.percent is not None else record.percent,
        passed=passed(result, folder.settings.pass_mark),
        pass_mark=folder.settings.pass_mark,
        late=result.late,
        submitted_at=result.submitted_at.strftime("%d %B %Y, %H:%M UTC")
        if result.submitted_at
        else None,
        questions=questions,
        generated=datetime.now(UTC).strftime("%d %B %Y"),
    )


def generate_feedback(
    folder: CohortFolder, exercise: str, learner: str | None = None
) -> list[FeedbackPage]:
    """Write the feedback page of every graded learner (or of one)."""
    manifest = load_manifest(folder, exercise)
    records = load_records(folder, exercise)
    people = {x.id: x for x in roster(folder)}
    if learner is not None and learner not in records:
        raise AcademyError(
            f"{folder.path}: {learner!r} has no graded {exercise!r} yet; run "
            f"`academy cohort grade {folder.name} {exercise} --learner {learner}` first"
        )
    results = {row.learner.id: row.exercises[exercise] for row in cohort_scores(folder).learners}
    pages = []
    for learner_id, record in sorted(records.items()):
        if learner is not None and learner_id != learner:
            continue
        if learner_id not in people:  # removed from the roster since grading
            continue
        page = render_feedback(
            folder,
            manifest,
            people[learner_id],
            record,
            results[learner_id],
            _answers(folder, manifest, learner_id),
        )
        path = folder.feedback(learner_id, exercise) / f"{manifest.notebook_id}.html"
        atomic_write(path, page)
        pages.append(FeedbackPage(learner_id, path))
    remember_output(folder, "feedback", folder.path / "feedback")
    return pages
