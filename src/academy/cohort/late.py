"""Late work: the cohort's late policy as an nbgrader late-submission plugin, and
per-learner extensions.

`cohort.yml`'s `late_policy` (grace minutes, percent per started day, a cap) becomes
`c.AssignLatePenalties.plugin_class = "academy.cohort.late.CohortLatePenalty"` in the
cohort's nbgrader configuration, so nbgrader's own AssignLatePenalties step, in our
grading and in `nbgrader autograde` alike, takes the penalty off and records it in the
gradebook (`late_submission_penalty`). Extensions are nbgrader's own too: the
submission's `extension`, which moves that learner's due date; they are kept in
`.academy/extensions.json` so that grading later applies them.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float, Integer

from academy.cohort.folder import CohortFolder, atomic_write
from academy.cohort.settings import LatePolicy
from academy.core.errors import AcademyError

PLUGIN = "academy.cohort.late.CohortLatePenalty"
EXTENSIONS_FILE = "extensions.json"


def late_penalty(score: float, seconds_late: float, policy: LatePolicy) -> float:
    """Points taken off a score handed in `seconds_late` after the due date."""
    late = seconds_late - 60 * policy.grace_minutes
    if late <= 0 or score <= 0:
        return 0.0
    days = math.ceil(late / 86400)
    percent = min(policy.max_percent, days * policy.percent_per_day)
    return round(score * percent / 100, 2)


class CohortLatePenalty(LateSubmissionPlugin):  # type: ignore[misc]
    """nbgrader late-submission plugin applying the cohort's late policy."""

    grace_minutes = Integer(0, help="Minutes after the due date still on time.").tag(config=True)
    percent_per_day = Float(10.0, help="Percent of the score off per started day.").tag(config=True)
    max_percent = Float(50.0, help="Most a late hand-in can lose, in percent.").tag(config=True)

    def late_submission_penalty(
        self, student_id: str, score: float, total_seconds_late: float
    ) -> float | None:
        policy = LatePolicy(
            grace_minutes=self.grace_minutes,
            percent_per_day=self.percent_per_day,
            max_percent=self.max_percent,
        )
        return late_penalty(score, total_seconds_late, policy)


def nbgrader_late_settings(policy: LatePolicy | None) -> dict[str, dict[str, Any]]:
    if policy is None:
        return {}
    return {
        "AssignLatePenalties": {"plugin_class": PLUGIN},
        "CohortLatePenalty": policy.model_dump(),
    }


def extensions(folder: CohortFolder) -> dict[str, dict[str, datetime]]:
    """{exercise: {learner: new due date (UTC)}}."""
    path = folder.state_dir / EXTENSIONS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {
        exercise: {learner: datetime.fromisoformat(when) for learner, when in people.items()}
        for exercise, people in data.items()
    }


def extension_for(folder: CohortFolder, exercise: str, learner: str) -> datetime | None:
    return extensions(folder).get(exercise, {}).get(learner)


def apply_extension(gradebook: Any, exercise: str, learner: str, until: datetime | None) -> None:
    """Set nbgrader's extension on an existing submission row (None: remove it)."""
    submission = gradebook.find_submission(exercise, learner)
    due = submission.assignment.duedate
    if until is None or due is None:
        submission.extension = None
    else:
        submission.extension = max(until.replace(tzinfo=None) - due, timedelta(0))
    gradebook.db.commit()


def grant_extension(folder: CohortFolder, exercise: str, learner: str, until: datetime) -> bool:
    """Record an extension and apply it to the gradebook now if the work is graded; returns
    whether a graded submission was updated (its late penalty must then be re-applied)."""
    from nbgrader.api import Gradebook, MissingEntry

    from academy.cohort.manifest import load_manifest
    from academy.cohort.roster import roster

    manifest = load_manifest(folder, exercise)
    if learner not in {x.id for x in roster(folder)}:
        raise AcademyError(f"{folder.roster_file}: {learner!r} is not on the roster; check the id")
    if manifest.due is None:
        raise AcademyError(
            f"{folder.manifest_file(exercise)}: {exercise!r} has no due date, so there is nothing "
            f"to extend; set one with `academy cohort release {folder.name} {exercise} --due DATE`"
        )
    data = {k: {p: w.isoformat() for p, w in v.items()} for k, v in extensions(folder).items()}
    data.setdefault(exercise, {})[learner] = until.astimezone(UTC).isoformat()
    atomic_write(folder.state_dir / EXTENSIONS_FILE, json.dumps(data, indent=2))
    with Gradebook(folder.db_url, folder.name) as gradebook:
        try:
            apply_extension(gradebook, exercise, learner, until.astimezone(UTC))
        except MissingEntry:
            return False
    return True


def reapply_late_penalty(
    folder: CohortFolder, exercise: str, learner: str, reason: str = "late penalty worked out again"
) -> tuple[float, float]:
    """Run nbgrader's AssignLatePenalties again for a graded learner (after an extension or
    a policy change); returns the penalty before and after."""
    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import AssignLatePenalties

    from academy.cohort.manifest import load_manifest
    from academy.cohort.pipeline import Pipeline

    manifest = load_manifest(folder, exercise)
    graded = folder.autograded(learner, exercise) / manifest.notebook

    def current() -> float:
        with Gradebook(folder.db_url, folder.name) as gradebook:
            return float(gradebook.find_submission(exercise, learner).late_submission_penalty or 0)

    before = current()
    if graded.is_file():
        Pipeline(folder, manifest).run(
            [AssignLatePenalties], nbformat.read(graded, as_version=4), learner
        )
    after = current()
    if after != before:
        from academy.cohort.history import append_change

        with Gradebook(folder.db_url, folder.name) as gradebook:
            raw = float(gradebook.find_submission(exercise, learner).score)
        graded_sha = graded_submission_sha(folder, exercise, learner)
        append_change(
            folder,
            exercise=exercise,
            learner=learner,
            kind="late-penalty",
            score=raw - after,
            previous=raw - before,
            max_score=manifest.total_points,
            reason=f"{reason}: late penalty {before:g} -> {after:g} points",
            submission_sha256=graded_sha,
        )
    return before, after


def graded_submission_sha(folder: CohortFolder, exercise: str, learner: str) -> str | None:
    from academy.cohort.records import load_record

    record = load_record(folder, exercise, learner)
    return record.submission_sha256 if record else None
