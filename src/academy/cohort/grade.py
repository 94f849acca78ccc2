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
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from academy.cohort import messages
from academy.cohort.data_access import probe_code, sandbox_data, warm_data
from academy.cohort.executor import Executor, default_jobs, make_executor
from academy.cohort.folder import CohortFolder, atomic_write, nbgrader_settings
from academy.cohort.gradebook import (
    current_score,
    late_penalty_of,
    open_submission,
    submission_scores,
    zero_submission,
)
from academy.cohort.history import append_change, last_change
from academy.cohort.manifest import ExerciseManifest, load_manifest
from academy.cohort.pipeline import (
    Pipeline,
    fail_all,
    merge_outputs,
    read_notebook,
    reset_metadata,
    unreadable_note,
)
from academy.cohort.quoting import clean
from academy.cohort.records import (
    GradeRecord,
    QuestionResult,
    TamperFinding,
    load_record,
    save_record,
)
from academy.cohort.roster import roster
from academy.cohort.sandbox import (
    HARD_TIMEOUT,
    WORKER_DIED,
    SandboxJob,
    SandboxResult,
    SandboxRuntime,
    SandboxUnavailable,
    detect_runtime,
    run_in_sandbox,
    run_sandboxed,
)
from academy.cohort.sandbox_worker import (
    KERNEL_DIED,
    NOTEBOOK_TIME_LIMIT,
    UNRESPONSIVE,
    WORKER_ERROR,
)
from academy.cohort.submissions import import_note
from academy.cohort.tamper import find_tampering
from academy.core.errors import AcademyError
from academy.data.city import configured_city

Progress = Callable[[int, int, GradeRecord | None], None]


@dataclass(frozen=True)
class GradeTask:
    """One learner's submission to grade."""

    learner: str
    notebook: Path | None
    others: tuple[str, ...]
    sha256: str | None
    #: Why it is graded now, for the grade history.
    reason: str = "autograded"


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
    #: Learners whose job could not run anywhere (e.g. every Dask worker that took it
    #: died): no record is written, so the next run grades them.
    unfinished: dict[str, str] = field(default_factory=dict)
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
            continue
        if record is None:
            reason = "autograded"
        elif record.submission_sha256 != sha:
            reason = "re-graded: a new submission was imported"
        elif record.manifest_sha256 != manifest.source_sha256:
            reason = "re-graded: the exercise was released again"
        else:
            reason = "re-graded on request (same submission)"
        tasks.append(GradeTask(learner_id, path if path.is_file() else None, others, sha, reason))
    return tasks, skipped, missing


RUN_NOTES = {
    KERNEL_DIED: "Python stopped while running your notebook (it crashed, ran out of memory or "
    "called exit()); the parts after that point were not graded.",
    UNRESPONSIVE: "Your code kept running after it was interrupted (for example it ignored "
    "Ctrl+C), so grading stopped; the parts after that point were not graded.",
    NOTEBOOK_TIME_LIMIT: "Your notebook took longer than {notebook_timeout} seconds in total, so "
    "grading stopped; the parts after that point were not graded.",
    HARD_TIMEOUT: "Your notebook went past the grader's time limit ({notebook_timeout} seconds), "
    "so grading stopped; the parts after that point were not graded. Look for a loop that "
    "never ends.",
    WORKER_DIED: "Grading stopped part way through your notebook (the grader's own process was "
    "stopped); the parts after that point were not graded. Your trainer has been told.",
    WORKER_ERROR: "Grading stopped part way through your notebook because of a problem in the "
    "grader; the parts after that point were not graded. Your trainer has been told.",
}
#: When nothing of the notebook could be graded, by why it stopped.
FAILED_NOTES = {
    HARD_TIMEOUT: "Your notebook went past the grader's time limit ({notebook_timeout} seconds) "
    "before any part finished, so it scored 0. Look for a loop that never ends or a very slow "
    "step near the top, run Kernel → Restart & Run All yourself, then hand it in again.",
    WORKER_DIED: "The grader stopped while starting your notebook (often because the code used "
    "too much memory or stopped Python), so it scored 0. Your trainer has been told and can look "
    "at it with you.",
}
FAILED_NOTE = (
    "The grader could not read the result of your notebook, so it scored 0. Your trainer has "
    "been told and can look at it with you."
)
BLANK_NOTE = (
    "None of your answers differs from the starter notebook. Did you hand in the right file? "
    "It should be the copy you saved your work in (look for your answers in it before you send it)."
)
NOT_GRADED_PART = "Not graded: grading could not finish for your notebook (see the note above)."


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
            if p.is_file() and not p.is_symlink() and p.suffix != ".ipynb"
        )
        self.execute_config = nbgrader_settings(folder)["Execute"]

    def prepare(self, task: GradeTask) -> Prepared | GradeRecord:
        """The sandbox job for a submission, or its record straight away if it cannot run."""
        import nbformat

        if task.notebook is None:
            found = ", ".join(clean(name, 80) for name in task.others) or "no notebook"
            return self._zero(
                task,
                "wrong-name",
                f"We expected a notebook called {self.manifest.notebook} "
                f"but received: {found}. Rename it and hand it in again.",
            )
        notebook, problem = read_notebook(task.notebook)
        if notebook is None:
            assert problem is not None
            return self._zero(task, "unreadable", unreadable_note(problem))
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
        previous = self.note_outside_edit(task)
        zero_submission(self.folder, self.manifest, task.learner)
        autograded = self.folder.autograded(task.learner, self.manifest.exercise)
        shutil.rmtree(autograded, ignore_errors=True)
        return self._record(task, outcome, [], [note], [], 0.0, cells={}, previous=previous)

    def finish_safely(
        self, prepared: Prepared, future: cf.Future[SandboxResult]
    ) -> GradeRecord | str:
        """`finish`, where nothing one submission's result holds can stop the cohort.

        A string (why, for the trainer) when the executor lost the job: nothing is
        recorded and the next run grades it. A result the trusted side cannot use scores
        zero for that learner alone, saying so.
        """
        try:
            result = future.result()
        except Exception as exc:  # the executor lost the job, not the learner's doing
            return _lost_job(exc)
        try:
            return self.finish(prepared, result)
        except Exception as exc:  # the result broke nbgrader's scoring steps
            try:
                again = self.prepare(prepared.task)
                if not isinstance(again, Prepared):
                    return again
                return self.finish(again, self._failed(again, type(exc).__name__))
            except Exception as final:  # never the whole cohort for one submission
                return f"could not be scored ({type(final).__name__}); look at its notebook"

    @staticmethod
    def _failed(prepared: Prepared, why: str) -> SandboxResult:
        return SandboxResult(
            key=prepared.task.learner,
            mode=prepared.job.runtime.mode,
            cells=None,
            stop_reason="result-unreadable",
            stopped_at=None,
            seconds=0.0,
            returncode=None,
            problem=f"result unreadable: {why}",
        )

    def finish(self, prepared: Prepared, result: SandboxResult) -> GradeRecord:
        """Score the sandbox's outputs in the trusted notebook and record everything."""
        import nbformat

        task, notebook = prepared.task, prepared.notebook
        previous = self.note_outside_edit(task)
        problems: list[str] = []
        notes: list[str] = []
        if self.runtime.mode != "bwrap":
            problems.append("graded without the bubblewrap sandbox (resource limits only)")
        failure = merge_outputs(notebook, result)
        outcome = "graded"
        if failure is not None:
            fail_all(notebook, failure)
            outcome = "grading-failed"
            problems.append(
                f"grading failed: {result.problem or failure} after {result.seconds:.0f} s"
            )
            notes.append(
                FAILED_NOTES.get(result.stop_reason or "", FAILED_NOTE).format(
                    notebook_timeout=self.limits.notebook_timeout
                )
            )
        elif result.stop_reason in RUN_NOTES:
            notes.append(
                RUN_NOTES[result.stop_reason].format(notebook_timeout=self.limits.notebook_timeout)
            )
            problems.append(
                f"stopped early: {result.stop_reason} at cell {(result.stopped_at or 0) + 1}"
            )
        open_submission(self.folder, self.manifest, task.learner)
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
            task,
            outcome,
            prepared.findings,
            notes,
            problems,
            result.seconds,
            cells=cells,
            previous=previous,
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
        previous: float | None,
    ) -> GradeRecord:
        from nbgrader import utils

        quote = messages.quotable(
            [c for c in cells.values()],
            {c.grade_id for c in self.manifest.cells if c.locked and not c.solution},
            {c.grade_id for c in self.manifest.cells if c.solution},
        )
        scores, late = submission_scores(self.folder, self.manifest, task.learner)
        total = sum((score or 0) for score, _ in scores.values())
        note = import_note(self.folder, self.manifest.exercise, task.learner)
        if note and note.renamed_from:
            notes.insert(
                0,
                f"Your file was called {clean(note.renamed_from, 80)!r}; it was graded as "
                f"{self.manifest.notebook!r}.",
            )
        questions = []
        for question in self.manifest.questions:
            score, points = scores.get(question.grade_id, (0.0, question.points))
            test = cells.get(question.grade_id)
            if test is None or outcome == "grading-failed":
                verdict = messages.Verdict("not-graded", NOT_GRADED_PART)
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
                    test, score, points, attempted, answers, self.limits, quote
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
        auto = [q for q in questions if q.status != "manual"]
        if outcome == "graded" and auto and all(q.status == "not-attempted" for q in auto):
            notes.insert(0, BLANK_NOTE)
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
        append_change(
            self.folder,
            exercise=self.manifest.exercise,
            learner=task.learner,
            kind="graded" if previous is None else "regraded",
            score=total,
            previous=previous,
            max_score=self.manifest.total_points,
            questions={gid: score for gid, (score, _) in scores.items()},
            reason=task.reason if outcome == "graded" else f"{task.reason} ({outcome})",
            submission_sha256=task.sha256,
            sandbox=self.runtime.mode,
        )
        penalty = late_penalty_of(self.folder, self.manifest.exercise, task.learner)
        if penalty:
            append_change(
                self.folder,
                exercise=self.manifest.exercise,
                learner=task.learner,
                kind="late-penalty",
                score=total - penalty,
                previous=total,
                max_score=self.manifest.total_points,
                reason=f"late penalty under the cohort's late policy ({late / 3600:.1f} h late)",
                submission_sha256=task.sha256,
            )
        save_record(self.folder, record)
        return record

    def note_outside_edit(self, task: GradeTask) -> float | None:
        """The score before this grading; a gradebook edit the history lacks is appended first."""
        now = current_score(self.folder, self.manifest, task.learner)
        last = last_change(self.folder, self.manifest.exercise, task.learner)
        if last is not None and now is not None and abs((last.score or 0) - now) > 1e-9:
            append_change(
                self.folder,
                exercise=self.manifest.exercise,
                learner=task.learner,
                kind="gradebook-edit",
                score=now,
                previous=last.score,
                max_score=self.manifest.total_points,
                reason="changed in the gradebook outside the academy (e.g. nbgrader's formgrader)",
                submission_sha256=last.submission_sha256,
                by="unknown",
            )
        return now if last is None else (now if now is not None else last.score)


def _lost_job(exc: BaseException) -> str:
    """Why a job came back without a result, in one line for the trainer."""
    name = type(exc).__name__
    if name == "KilledWorker":
        return "every grading worker that took it died; check the workers' memory and logs"
    text = str(exc).strip().splitlines()
    return f"{name}: {text[0]}" if text else name


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


def sandbox_runtime(
    folder: CohortFolder, manifest: ExerciseManifest, unsafe_no_sandbox: bool = False
) -> SandboxRuntime:
    """The sandbox for this exercise: its data binds, after warming the data cache, checked
    to read the data as graded notebooks will (a failure is the trainer's to fix)."""
    # the city recorded in cohort.yml; an older cohort without one: academy.yml's
    city = folder.settings.city or configured_city(folder.academy_root)
    if manifest.datasets:
        warm_data(folder.academy_root, manifest.datasets, city)
    data = sandbox_data(folder.academy_root, manifest.datasets, city)
    try:
        runtime = detect_runtime(
            folder.settings.sandbox,
            data.read_only,
            data.env,
            files=data.files,
            links=data.links,
            unsafe_no_sandbox=unsafe_no_sandbox,
        )
    except SandboxUnavailable as exc:
        raise AcademyError(
            f"{exc.problem}, so learner code cannot be graded safely; to fix it, {exc.fix} "
            "(or, accepting that learner code can read and change your files, grade with "
            "--unsafe-no-sandbox)"
        ) from exc
    secrets = (folder.path, folder.academy_root / "exercises")
    for readable in map(Path, [*runtime.read_only, *runtime.files]):
        for secret in secrets:
            if secret.resolve() == readable or readable in secret.resolve().parents:
                raise AcademyError(
                    f"{secret}: it is inside {readable}, which graded notebooks may read; keep "
                    "cohorts and the academy's exercises outside the Python environment and the "
                    "data folders (move the cohort with --dir)"
                )
    if manifest.datasets and runtime.mode == "bwrap":
        code, text = run_in_sandbox(
            runtime, [runtime.python, "-I", "-c", probe_code(manifest.datasets)]
        )
        if code != 0:
            raise AcademyError(
                f"the grading sandbox cannot read the data {manifest.exercise!r} uses ({text}); "
                "nobody was graded. Check that every file of the data mirror "
                f"({os.environ.get('ACADEMY_DATA_DIR') or 'the download cache'}) and every file "
                "its links point to can be read, then grade again"
            )
    return runtime


def grade_exercise(
    folder: CohortFolder,
    exercise: str,
    jobs: int | None = None,
    learner: str | None = None,
    force: bool = False,
    executor: str | Executor = "local",
    progress: Progress | None = None,
    scheduler: str | None = None,
    unsafe_no_sandbox: bool = False,
) -> GradeRun:
    """Grade every new or changed submission (or one learner's); resumable, parallel.

    Ctrl+C (KeyboardInterrupt) stops the run cleanly: running sandboxes are killed, their
    cgroups and scratch folders removed, and the run returns with `interrupted` set and
    what was graded and saved so far (the rest is graded by the next run).
    """
    started = time.monotonic()
    manifest = load_manifest(folder, exercise)
    run = GradeRun(exercise=exercise)
    with _exclusive(folder):
        tasks, run.skipped, run.missing = plan(folder, manifest, learner, force)
        runtime = sandbox_runtime(folder, manifest, unsafe_no_sandbox)
        run.sandbox, run.warning = runtime.mode, runtime.warning
        grader = Grader(folder, manifest, runtime)
        total = len(tasks)
        if progress:
            progress(0, total, None)
        pool = (
            make_executor(executor, jobs or default_jobs(), scheduler)
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
            for future in cf.as_completed(list(pending)):
                prepared = pending.pop(future)
                record = grader.finish_safely(prepared, future)
                if isinstance(record, str):
                    run.unfinished[prepared.task.learner] = record
                    continue
                run.graded.append(record)
                if progress:
                    progress(len(run.graded), total, record)
            finished = True
        except KeyboardInterrupt:
            run.interrupted = True
        finally:
            with _no_interrupts():
                pool.stop(cancel=not finished)
            for left in pending.values():
                run.unfinished[left.task.learner] = "interrupted before it was graded"
            run.seconds = round(time.monotonic() - started, 2)
    return run


@contextlib.contextmanager
def _no_interrupts() -> Iterator[None]:
    """A second Ctrl+C must not stop the clean-up half way (main thread only)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
