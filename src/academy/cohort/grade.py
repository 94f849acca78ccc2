"""`academy cohort grade`: every submission autograded in its own sandbox, in parallel.

Per submission, in this (trusted) process:

1. read the file; an empty or damaged notebook, or none under the expected name, scores
   zero with a message saying so;
2. compare it with the release manifest (`tamper`), reset its nbgrader metadata to the
   released values, and run nbgrader's own sanitizing preprocessors (which put back the
   trusted test cells, hidden tests included, from the gradebook);
3. hand the sanitized notebook to the executor, which runs it in a sandbox
   (`sandbox.run_sandboxed`) and returns only the cells' outputs;
4. merge those outputs into the trusted notebook and run the rest of nbgrader's autograde
   pipeline (LimitOutput, SaveAutoGrades, AssignLatePenalties, ...), which scores the
   cells exactly as `nbgrader autograde` would and writes the gradebook;
5. write the graded notebook, then the grading record. A record means "done": a run that
   is interrupted resumes with the submissions that have none (or whose file changed).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import fcntl
import hashlib
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from academy.cohort import messages
from academy.cohort.data_access import sandbox_data, warm_data
from academy.cohort.executor import Executor, default_jobs, make_executor
from academy.cohort.folder import CohortFolder, atomic_write, nbgrader_config, nbgrader_settings
from academy.cohort.manifest import ExerciseManifest, load_manifest
from academy.cohort.records import (
    GradeRecord,
    QuestionResult,
    TamperFinding,
    load_record,
    save_record,
)
from academy.cohort.roster import roster
from academy.cohort.sandbox import (
    SandboxJob,
    SandboxResult,
    SandboxRuntime,
    SandboxUnavailable,
    detect_runtime,
    run_sandboxed,
)
from academy.cohort.sandbox_worker import KERNEL_DIED, NOTEBOOK_TIME_LIMIT, UNRESPONSIVE
from academy.cohort.submissions import import_note
from academy.cohort.tamper import find_tampering
from academy.errors import AcademyError

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
FAILED_RUN = "GradingFailed"

Progress = Callable[[int, int, GradeRecord | None], None]


@dataclass(frozen=True)
class GradeTask:
    """One learner's submission to grade."""

    learner: str
    notebook: Path | None
    others: tuple[str, ...]
    sha256: str | None


@dataclass
class Prepared:
    task: GradeTask
    notebook: Any
    findings: list[TamperFinding]
    job: SandboxJob


@dataclass
class GradeRun:
    """What a grading run did."""

    exercise: str
    graded: list[GradeRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    sandbox: str = ""
    warning: str | None = None
    seconds: float = 0.0
    interrupted: bool = False


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plan(
    folder: CohortFolder, manifest: ExerciseManifest, learner: str | None, force: bool
) -> tuple[list[GradeTask], list[str], list[str]]:
    """(to grade, already graded and unchanged, nothing submitted) for the roster."""
    ids = [x.id for x in roster(folder)]
    if learner is not None:
        if learner not in ids:
            raise AcademyError(
                f"{folder.roster_file}: {learner!r} is not on the roster; check the id"
            )
        ids = [learner]
    tasks, skipped, missing = [], [], []
    for learner_id in ids:
        submitted = folder.submitted(learner_id, manifest.exercise)
        if not submitted.is_dir():
            missing.append(learner_id)
            continue
        path = submitted / manifest.notebook
        sha = file_sha256(path) if path.is_file() else None
        others = tuple(
            sorted(p.name for p in submitted.glob("*.ipynb") if p.name != manifest.notebook)
        )
        record = load_record(folder, manifest.exercise, learner_id)
        current = (
            record is not None
            and record.submission_sha256 == sha
            and record.manifest_sha256 == manifest.source_sha256
        )
        if current and not force and learner is None:
            skipped.append(learner_id)
        else:
            tasks.append(GradeTask(learner_id, path if path.is_file() else None, others, sha))
    return tasks, skipped, missing


def read_notebook(path: Path) -> tuple[Any | None, str | None]:
    """The notebook, or None and what is wrong with the file."""
    import nbformat

    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return None, f"the file is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB"
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, "the file is not text (is it really a notebook?)"
    if not text.strip():
        return None, "the file is empty"
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception:  # nbformat raises many kinds for damaged JSON
        return None, "the file is damaged (it is not valid notebook JSON)"
    if not isinstance(notebook.get("cells"), list):
        return None, "the file is not a notebook (it has no cells)"
    return notebook, None


def reset_metadata(notebook: Any, manifest: ExerciseManifest) -> None:
    """Give every nbgrader cell the released grading settings; drop unknown ones.

    Learners can edit cell metadata; nbgrader restores some of it (points, locked) but not
    all (grade, solution), fails on ids it does not know, and (with add_missing_cells)
    crashes on duplicated ids. Of duplicates only the last copy keeps its id, as nbgrader's
    DeduplicateIds would decide. `tamper.find_tampering` reports all of this first.
    """
    last: dict[str, Any] = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if isinstance(meta, dict) and manifest.cell(meta.get("grade_id")) is not None:
            last[meta["grade_id"]] = cell
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is None:
            continue
        released = manifest.cell(meta.get("grade_id")) if isinstance(meta, dict) else None
        if released is None or last[released.grade_id] is not cell:
            del cell.metadata["nbgrader"]
            continue
        fresh = {
            "grade": released.grade,
            "solution": released.solution,
            "locked": released.locked,
            "grade_id": released.grade_id,
            "schema_version": 3,
        }
        if released.grade:
            fresh["points"] = released.points
        cell.metadata["nbgrader"] = fresh


class Pipeline:
    """nbgrader's autograde preprocessors, split around Execute (which runs sandboxed)."""

    def __init__(self, folder: CohortFolder, manifest: ExerciseManifest):
        from nbgrader.converters import Autograde
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.preprocessors import Execute

        self.folder = folder
        self.manifest = manifest
        self.config = nbgrader_config(folder)
        converter = Autograde(coursedir=CourseDirectory(config=self.config), config=self.config)
        self.sanitize = list(converter.sanitize_preprocessors)
        steps = list(converter.autograde_preprocessors)
        if Execute not in steps:
            raise AcademyError("nbgrader's autograde_preprocessors must include Execute")
        self.before = steps[: steps.index(Execute)]
        self.after = steps[steps.index(Execute) + 1 :]

    def resources(self, learner: str) -> dict[str, Any]:
        return {
            "unique_key": self.manifest.notebook_id,
            "metadata": {"path": str(self.folder.autograded(learner, self.manifest.exercise))},
            "nbgrader": {
                "student": learner,
                "assignment": self.manifest.exercise,
                "notebook": self.manifest.notebook_id,
                "db_url": self.folder.db_url,
            },
        }

    def run(self, classes: list[type], notebook: Any, learner: str) -> Any:
        resources = self.resources(learner)
        for cls in classes:
            notebook, resources = cls(config=self.config)(notebook, resources)
        return notebook


def _submission_time(folder: CohortFolder, learner: str, exercise: str) -> datetime | None:
    from nbgrader.utils import parse_utc

    stamp = folder.submitted(learner, exercise) / "timestamp.txt"
    if not stamp.is_file():
        return None
    try:
        return parse_utc(stamp.read_text().strip())
    except (ValueError, OverflowError):
        return None


def _open_submission(folder: CohortFolder, manifest: ExerciseManifest, learner: str) -> None:
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
        timestamp = _submission_time(folder, learner, manifest.exercise)
        if timestamp:
            gradebook.update_or_create_submission(manifest.exercise, learner, timestamp=timestamp)
        else:
            gradebook.update_or_create_submission(manifest.exercise, learner)


def _zero_submission(folder: CohortFolder, manifest: ExerciseManifest, learner: str) -> None:
    """What nbgrader does for a missing notebook: every grade is zero."""
    from nbgrader.api import Gradebook

    _open_submission(folder, manifest, learner)
    with Gradebook(folder.db_url, folder.name) as gradebook:
        submission = gradebook.find_submission_notebook(
            manifest.notebook_id, manifest.exercise, learner
        )
        for grade in submission.grades:
            grade.auto_score = 0
            grade.needs_manual_grade = False
        gradebook.db.commit()


def _scores(
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


def _merge(notebook: Any, result: SandboxResult) -> str | None:
    """Put the sandbox's outputs into the trusted notebook; the problem if they do not fit."""
    import nbformat

    cells = result.cells
    if cells is None:
        return result.stop_reason or "no result"
    if not isinstance(cells, list) or len(cells) != len(notebook.cells):
        return "the result does not match the notebook"
    for cell, outcome in zip(notebook.cells, cells, strict=True):
        if cell.cell_type != "code":
            continue
        if not isinstance(outcome, dict) or not isinstance(outcome.get("outputs"), list):
            return "the result is malformed"
        cell.outputs = [nbformat.from_dict(o) for o in outcome["outputs"]]
        count = outcome.get("execution_count")
        cell.execution_count = count if isinstance(count, int) else None
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError:
        return "the result is malformed"
    return None


def _fail_all(notebook: Any, reason: str) -> None:
    import nbformat

    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                nbformat.from_dict(
                    {"output_type": "error", "ename": FAILED_RUN, "evalue": reason, "traceback": []}
                )
            ]
            cell.execution_count = None


RUN_NOTES = {
    KERNEL_DIED: "Python stopped while running your notebook (it crashed, ran out of memory or "
    "called exit()); the cells after that point were not graded.",
    UNRESPONSIVE: "Your code kept running after it was interrupted (for example it ignored "
    "Ctrl+C), so grading stopped; the cells after that point were not graded.",
    NOTEBOOK_TIME_LIMIT: "Your notebook took longer than {notebook_timeout} seconds in total, so "
    "grading stopped; the cells after that point were not graded.",
}
FAILED_NOTE = (
    "Grading could not finish for your notebook (it ran too long, used too much, or stopped the "
    "grader), so it scored 0. Your trainer has been told and can look at it with you."
)


class Grader:
    """Grades one exercise of one cohort; holds what every submission shares."""

    def __init__(self, folder: CohortFolder, manifest: ExerciseManifest, runtime: SandboxRuntime):
        self.folder = folder
        self.manifest = manifest
        self.runtime = runtime
        self.pipeline = Pipeline(folder, manifest)
        self.limits = folder.settings.limits
        release = folder.release(manifest.exercise)
        self.files = tuple(
            (p.relative_to(release).as_posix(), str(p))
            for p in sorted(release.rglob("*"))
            if p.is_file() and p.suffix != ".ipynb"
        )
        self.execute_config = nbgrader_settings(folder)["Execute"]

    def prepare(self, task: GradeTask) -> Prepared | GradeRecord:
        """The sandbox job for a submission, or its record straight away if it cannot run."""
        import nbformat

        if task.notebook is None:
            found = ", ".join(task.others) or "no notebook"
            return self._zero(
                task,
                "wrong-name",
                f"We expected a notebook called {self.manifest.notebook} "
                f"but received: {found}. Rename it and hand it in again.",
            )
        notebook, problem = read_notebook(task.notebook)
        if notebook is None:
            return self._zero(
                task,
                "unreadable",
                f"Your file could not be opened as a notebook: {problem}. "
                "Open it in Jupyter, save it, check that it shows your work, and hand it in again.",
            )
        findings = find_tampering(notebook, self.manifest)
        reset_metadata(notebook, self.manifest)
        notebook = self.pipeline.run(
            self.pipeline.sanitize + self.pipeline.before, notebook, task.learner
        )
        job = SandboxJob(
            key=task.learner,
            notebook_json=nbformat.writes(notebook),
            notebook_name=self.manifest.notebook,
            execute_config=self.execute_config,
            limits=self.limits,
            runtime=self.runtime,
            files=self.files,
        )
        return Prepared(task, notebook, findings, job)

    def prepare_safely(self, task: GradeTask) -> Prepared | GradeRecord:
        """`prepare`, but a notebook that breaks nbgrader's own steps scores zero instead."""
        try:
            return self.prepare(task)
        except Exception as exc:  # nbgrader raises many kinds on malformed notebooks
            record = self._zero(task, "grading-failed", FAILED_NOTE)
            problem = f"nbgrader could not prepare the notebook: {type(exc).__name__}: {exc}"[:300]
            record = record.model_copy(update={"problems": [*record.problems, problem]})
            save_record(self.folder, record)
            return record

    def _zero(self, task: GradeTask, outcome: str, note: str) -> GradeRecord:
        _zero_submission(self.folder, self.manifest, task.learner)
        autograded = self.folder.autograded(task.learner, self.manifest.exercise)
        shutil.rmtree(autograded, ignore_errors=True)
        return self._record(task, outcome, [], [note], [], 0.0, cells={})

    def finish(self, prepared: Prepared, result: SandboxResult) -> GradeRecord:
        """Score the sandbox's outputs in the trusted notebook and record everything."""
        import nbformat

        task, notebook = prepared.task, prepared.notebook
        problems: list[str] = []
        notes: list[str] = []
        if self.runtime.mode != "bwrap":
            problems.append("graded without the bubblewrap sandbox (resource limits only)")
        failure = _merge(notebook, result)
        outcome = "graded"
        if failure is not None:
            _fail_all(notebook, failure)
            outcome = "grading-failed"
            problems.append(f"grading failed: {failure} after {result.seconds:.0f} s")
            notes.append(FAILED_NOTE)
        elif result.stop_reason in RUN_NOTES:
            notes.append(
                RUN_NOTES[result.stop_reason].format(notebook_timeout=self.limits.notebook_timeout)
            )
            problems.append(
                f"stopped early: {result.stop_reason} at cell {(result.stopped_at or 0) + 1}"
            )
        _open_submission(self.folder, self.manifest, task.learner)
        notebook = self.pipeline.run(self.pipeline.after, notebook, task.learner)
        autograded = self.folder.autograded(task.learner, self.manifest.exercise)
        if autograded.exists():
            shutil.rmtree(autograded)
        atomic_write(autograded / self.manifest.notebook, nbformat.writes(notebook))
        stamp = self.folder.submitted(task.learner, self.manifest.exercise) / "timestamp.txt"
        if stamp.is_file():
            shutil.copyfile(stamp, autograded / "timestamp.txt")
        code = [c for c in notebook.cells if c.cell_type == "code"]
        if messages.truncated(code):
            notes.append("Some of your output was very long and was cut short in the graded copy.")
        if messages.uses_widgets(code):
            notes.append(
                "Interactive widgets (such as interact) do not respond during grading; "
                "only what they show at first is seen."
            )
        if prepared.findings:
            notes.append(
                "Some read-only cells in your notebook had been changed, deleted or copied; "
                "the original cells were used for grading."
            )
        cells = {
            c.metadata["nbgrader"]["grade_id"]: c
            for c in notebook.cells
            if "grade_id" in c.get("metadata", {}).get("nbgrader", {})
        }
        return self._record(
            task, outcome, prepared.findings, notes, problems, result.seconds, cells=cells
        )

    def _record(
        self,
        task: GradeTask,
        outcome: str,
        findings: list[TamperFinding],
        notes: list[str],
        problems: list[str],
        seconds: float,
        cells: dict[str, Any],
    ) -> GradeRecord:
        from nbgrader import utils

        scores, late = _scores(self.folder, self.manifest, task.learner)
        note = import_note(self.folder, self.manifest.exercise, task.learner)
        if note and note.renamed_from:
            notes.insert(
                0,
                f"Your file was called {note.renamed_from!r}; it was graded as {self.manifest.notebook!r}.",
            )
        questions = []
        for question in self.manifest.questions:
            score, points = scores.get(question.grade_id, (0.0, question.points))
            test = cells.get(question.grade_id)
            if test is None:
                verdict = messages.Verdict("not-graded", notes[0] if notes else "Not graded.")
            elif question.kind == "manual":
                verdict = messages.Verdict(
                    "manual",
                    "Your trainer grades this answer."
                    if score is None
                    else f"Graded by your trainer: {score:g} of {points:g} points.",
                )
            else:
                answers = [cells[a] for a in question.answer_cells if a in cells]
                attempted = not answers or any(
                    c.metadata["nbgrader"].get("checksum") != utils.compute_checksum(c)
                    for c in answers
                )
                verdict = messages.explain_test(
                    test, score, points, attempted, answers, self.limits
                )
            questions.append(
                QuestionResult(
                    grade_id=question.grade_id,
                    score=score,
                    points=points,
                    status=verdict.status,
                    message=verdict.message,
                )
            )
        record = GradeRecord(
            learner=task.learner,
            exercise=self.manifest.exercise,
            outcome=outcome,  # type: ignore[arg-type]
            submission_sha256=task.sha256,
            manifest_sha256=self.manifest.source_sha256,
            graded_at=datetime.now(UTC).replace(microsecond=0),
            sandbox=self.runtime.mode,
            seconds=seconds,
            score=sum(q.score or 0 for q in questions),
            max_score=self.manifest.total_points,
            late_seconds=late,
            questions=questions,
            notes=notes,
            flags=findings,
            problems=problems,
        )
        save_record(self.folder, record)
        return record


@contextlib.contextmanager
def _exclusive(folder: CohortFolder) -> Iterator[None]:
    path = folder.state_dir / "grade.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AcademyError(
                f"{path}: another grading run is busy with this cohort; wait for it to finish"
            ) from exc
        yield


def sandbox_runtime(folder: CohortFolder, manifest: ExerciseManifest) -> SandboxRuntime:
    """The sandbox for this exercise: its data binds, after warming the data cache."""
    paths, env = sandbox_data(folder.academy_root, manifest.datasets)
    if manifest.datasets:
        warm_data(folder.academy_root, manifest.datasets)
    try:
        return detect_runtime(folder.settings.sandbox, paths, env)
    except SandboxUnavailable as exc:
        raise AcademyError(
            f"{folder.path / 'cohort.yml'}: `sandbox: bwrap` is set but {exc}; install bubblewrap "
            "(apt-get install bubblewrap) or change the setting"
        ) from exc


def grade_exercise(
    folder: CohortFolder,
    exercise: str,
    jobs: int | None = None,
    learner: str | None = None,
    force: bool = False,
    executor: str | Executor = "local",
    progress: Progress | None = None,
) -> GradeRun:
    """Grade every new or changed submission (or one learner's); resumable, parallel."""
    started = time.monotonic()
    manifest = load_manifest(folder, exercise)
    run = GradeRun(exercise=exercise)
    with _exclusive(folder):
        tasks, run.skipped, run.missing = plan(folder, manifest, learner, force)
        runtime = sandbox_runtime(folder, manifest)
        run.sandbox, run.warning = runtime.mode, runtime.warning
        grader = Grader(folder, manifest, runtime)
        total = len(tasks)
        if progress:
            progress(0, total, None)
        pool = (
            make_executor(executor, jobs or default_jobs())
            if isinstance(executor, str)
            else executor
        )
        pending: dict[cf.Future[SandboxResult], Prepared] = {}
        finished = False
        try:
            for task in tasks:
                prepared = grader.prepare_safely(task)
                if isinstance(prepared, GradeRecord):
                    run.graded.append(prepared)
                    if progress:
                        progress(len(run.graded), total, prepared)
                    continue
                pending[pool.submit(run_sandboxed, prepared.job)] = prepared
            for future in cf.as_completed(pending):
                prepared = pending.pop(future)
                record = grader.finish(prepared, future.result())
                run.graded.append(record)
                if progress:
                    progress(len(run.graded), total, record)
            finished = True
        except BaseException:
            run.interrupted = True
            raise
        finally:
            pool.stop(cancel=not finished)
            run.seconds = round(time.monotonic() - started, 2)
    return run
