"""The cohort's nbgrader gradebook: creating it, and the rows grading writes directly.

nbgrader's `Gradebook` creates a missing database itself, but asks the `alembic` command
for the schema version first: a subprocess that takes seconds and needs the environment's
bin folder on PATH. `create_gradebook` writes the same tables and version stamp directly,
after which nbgrader treats the file like any gradebook it made.

The rest does for each graded learner what nbgrader's autograde does around its
preprocessors: the student and submission rows (with the submission time), zero grades
for a notebook that cannot be graded, and reading the scores back.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from academy.cohort.folder import CohortFolder
from academy.cohort.late import apply_extension, extension_for
from academy.cohort.manifest import ExerciseManifest
from academy.cohort.roster import roster


def schema_version() -> str:
    """nbgrader's current database revision (what `alembic heads` prints)."""
    import nbgrader.api
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    here = Path(nbgrader.api.__file__).parent
    config = Config()
    config.set_main_option("script_location", str(here / "alembic"))
    return ScriptDirectory.from_config(config).get_current_head()


def create_gradebook(path: Path) -> None:
    """Create the gradebook file at `path` (which must not exist yet)."""
    from nbgrader.api import Base
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{path}", future=True)
    try:
        Base.metadata.create_all(bind=engine)
        with engine.begin() as connection:
            connection.execute(
                text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
            )
            connection.execute(
                text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
                {"v": schema_version()},
            )
    finally:
        engine.dispose()


def submission_time(folder: CohortFolder, learner: str, exercise: str) -> datetime | None:
    from nbgrader.utils import parse_utc

    stamp = folder.submitted(learner, exercise) / "timestamp.txt"
    if not stamp.is_file():
        return None
    try:
        return parse_utc(stamp.read_text().strip())
    except (ValueError, OverflowError):
        return None


def open_submission(folder: CohortFolder, manifest: ExerciseManifest, learner: str) -> None:
    """What nbgrader's autograde does first: the student and the submission rows."""
    from nbgrader.api import Gradebook

    learners = {x.id: x for x in roster(folder)}
    person = learners.get(learner)
    with Gradebook(folder.db_url, folder.name) as gradebook:
        if person is not None:
            first, last = person.first_last
            gradebook.update_or_create_student(
                learner, first_name=first, last_name=last, email=person.email
            )
        else:
            gradebook.update_or_create_student(learner)
        timestamp = submission_time(folder, learner, manifest.exercise)
        if timestamp:
            gradebook.update_or_create_submission(manifest.exercise, learner, timestamp=timestamp)
        else:
            gradebook.update_or_create_submission(manifest.exercise, learner)
        apply_extension(
            gradebook, manifest.exercise, learner, extension_for(folder, manifest.exercise, learner)
        )


def zero_submission(folder: CohortFolder, manifest: ExerciseManifest, learner: str) -> None:
    """What nbgrader does for a missing notebook: every grade is zero."""
    from nbgrader.api import Gradebook

    open_submission(folder, manifest, learner)
    with Gradebook(folder.db_url, folder.name) as gradebook:
        submission = gradebook.find_submission_notebook(
            manifest.notebook_id, manifest.exercise, learner
        )
        for grade in submission.grades:
            grade.auto_score = 0
            grade.needs_manual_grade = False
        gradebook.db.commit()


def submission_scores(
    folder: CohortFolder, manifest: ExerciseManifest, learner: str
) -> tuple[dict[str, tuple[float | None, float]], float]:
    from nbgrader.api import Gradebook

    with Gradebook(folder.db_url, folder.name) as gradebook:
        notebook = gradebook.find_submission_notebook(
            manifest.notebook_id, manifest.exercise, learner
        )
        scores = {
            g.name: (
                g.score if g.auto_score is not None or g.manual_score is not None else None,
                g.max_score,
            )
            for g in notebook.grades
        }
        late = gradebook.find_submission(manifest.exercise, learner).total_seconds_late
    return scores, float(late or 0)


def current_score(folder: CohortFolder, manifest: ExerciseManifest, learner: str) -> float | None:
    """The learner's score in the gradebook now, after any late penalty (None: never graded)."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(folder.db_url, folder.name) as gradebook:
        try:
            submission = gradebook.find_submission(manifest.exercise, learner)
        except MissingEntry:
            return None
        return float(submission.score) - float(submission.late_submission_penalty or 0)


def late_penalty_of(folder: CohortFolder, exercise: str, learner: str) -> float:
    """Points nbgrader's late-penalty step took off this learner's score."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(folder.db_url, folder.name) as gradebook:
        try:
            return float(gradebook.find_submission(exercise, learner).late_submission_penalty or 0)
        except MissingEntry:
            return 0.0
