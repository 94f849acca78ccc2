"""Every learner's scores in every released exercise, read from nbgrader's gradebook.

The gradebook is the one source of scores (a trainer may change them in nbgrader's
formgrader after autograding); exports, the report and certificates all read them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from academy.cohort.folder import CohortFolder
from academy.cohort.handin import current_hand_in
from academy.cohort.manifest import ExerciseManifest, load_manifest
from academy.cohort.roster import Learner, roster


@dataclass(frozen=True)
class ExerciseScore:
    """One learner's result in one exercise (score None: nothing graded)."""

    exercise: str
    max_score: float
    score: float | None = None
    questions: dict[str, float | None] | None = None
    submitted_at: datetime | None = None
    late_seconds: float = 0.0
    needs_manual_grade: bool = False
    penalty: float = 0.0  # late penalty already taken off `score`
    lms_late: bool | None = None  # the learning platform's own late flag

    @property
    def late(self) -> bool:
        return self.late_seconds > 0 or bool(self.lms_late)

    @property
    def graded(self) -> bool:
        return self.score is not None

    @property
    def percent(self) -> float | None:
        if self.score is None:
            return None
        return 100 * self.score / self.max_score if self.max_score else 0.0


@dataclass(frozen=True)
class LearnerScores:
    learner: Learner
    exercises: dict[str, ExerciseScore]


@dataclass(frozen=True)
class CohortScores:
    manifests: list[ExerciseManifest]
    learners: list[LearnerScores]


def cohort_scores(folder: CohortFolder) -> CohortScores:
    """Scores of the whole roster in every exercise released to the cohort."""
    from nbgrader.api import Gradebook, MissingEntry

    manifests = [load_manifest(folder, e) for e in folder.released_exercises()]
    people = roster(folder)
    rows = []
    with Gradebook(folder.db_url, folder.name) as gradebook:
        for person in people:
            results: dict[str, ExerciseScore] = {}
            for manifest in manifests:
                try:
                    submission = gradebook.find_submission(manifest.exercise, person.id)
                    notebook = gradebook.find_submission_notebook(
                        manifest.notebook_id, manifest.exercise, person.id
                    )
                except MissingEntry:
                    results[manifest.exercise] = ExerciseScore(
                        manifest.exercise, manifest.total_points
                    )
                    continue
                questions = {g.name: g.score for g in notebook.grades}
                penalty = float(submission.late_submission_penalty or 0)
                hand_in = current_hand_in(folder, manifest.exercise, person.id)
                results[manifest.exercise] = ExerciseScore(
                    exercise=manifest.exercise,
                    max_score=float(submission.max_score),
                    score=max(0.0, float(submission.score) - penalty),
                    penalty=penalty,
                    lms_late=hand_in.lms_late if hand_in else None,
                    questions=questions,
                    submitted_at=submission.timestamp,
                    late_seconds=float(submission.total_seconds_late or 0),
                    needs_manual_grade=bool(submission.needs_manual_grade),
                )
            rows.append(LearnerScores(person, results))
    return CohortScores(manifests, rows)


def passed(score: ExerciseScore, pass_mark: float) -> bool:
    """The cohort's definition of passing an exercise: at least `pass_mark` percent."""
    return score.percent is not None and score.percent >= pass_mark and not score.needs_manual_grade
