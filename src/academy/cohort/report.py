"""`academy cohort report`: where the cohort struggles, who is behind, what is missing.

One offline HTML page (`report/index.html` in the cohort, or `--out DIR`) with charts as
inline SVG. Aggregates come first (per exercise, per question, per lesson); the last
section lists individuals (grades, click-through progress, missing and late work, flags)
and is marked as the trainer's alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean, median

from academy.cohort import report_charts
from academy.cohort.academy_files import (
    objective_statements,
    read_track,
    track_checks,
    track_lessons,
)
from academy.cohort.folder import CohortFolder, atomic_write, ensure_dir
from academy.cohort.html import render
from academy.cohort.lesson_progress import (
    LessonProgress,
    ProgressSource,
    UnmatchedProgress,
    default_progress_source,
    learner_progress,
    unmatched_progress,
)
from academy.cohort.records import GradeRecord, load_records
from academy.cohort.refresh import remember_output
from academy.cohort.scores import CohortScores, cohort_scores, passed

#: A learner's result on one question, as the grid shows it: (css class, symbol, words).
STATES = {
    "passed": ("passed", "✓", "passed"),
    "partial": ("partial", "◐", "partly right"),
    "wrong": ("wrong", "✗", "tried, not right"),
    "not-attempted": ("not-attempted", "○", "not attempted"),
    "missing": ("missing", "–", "not handed in"),
    "to-grade": ("to-grade", "…", "to grade by hand"),
}


@dataclass(frozen=True)
class ExerciseSummary:
    exercise: str
    title: str
    due: datetime | None
    handed_in: int
    missing: int
    late: int
    mean_percent: float | None
    pass_rate: float | None


@dataclass(frozen=True)
class QuestionSummary:
    """How the cohort did on one question (counts of learners)."""

    exercise: str
    grade_id: str
    label: str
    points: float
    objectives: list[str]
    passed: int
    partial: int
    wrong: int
    not_attempted: int
    not_handed_in: int
    median: float | None  # median score of those who attempted it

    @property
    def attempted(self) -> int:
        return self.passed + self.partial + self.wrong

    @property
    def handed_in(self) -> int:
        return self.attempted + self.not_attempted

    @property
    def pass_rate(self) -> float | None:
        return 100 * self.passed / self.attempted if self.attempted else None


@dataclass(frozen=True)
class ObjectiveSummary:
    """How the cohort did on the questions that assess one objective."""

    objective: str
    statement: str
    questions: int
    attempted: int  # learner-question pairs attempted
    passed: int
    median_percent: float | None


@dataclass(frozen=True)
class LessonSummary:
    lesson: str
    started: int
    completed: int
    roster: int
    check: bool = False  # the course's graded check, scored on first answers
    passed: int = 0  # checks only: finished at the pass mark
    median_score: float | None = None  # checks only: median score of those who finished

    @property
    def completed_percent(self) -> float:
        return 100 * self.completed / self.roster if self.roster else 0.0


@dataclass(frozen=True)
class GridCell:
    state: str
    symbol: str
    words: str
    detail: str  # e.g. "1/2"
    link: str | None = None  # the learner's feedback page


@dataclass(frozen=True)
class LearnerRow:
    id: str
    name: str
    team: str
    cells: list[GridCell]  # one per question, in report order
    lessons: list[GridCell]  # one per click-through lesson
    exercises: list[tuple[str, str]]  # (text, css class) per exercise
    lessons_done: int
    lessons_total: int
    last_activity: datetime | None
    issues: list[str]  # missing, late, flags and grading problems, together

    @property
    def feedback_link(self) -> str | None:
        return next((c.link for c in self.cells if c.link), None)

    @property
    def not_started(self) -> bool:
        handed_in = any(c.state != "missing" for c in self.cells)
        return not handed_in and not any(c.state != "not-started" for c in self.lessons)


@dataclass(frozen=True)
class WorkIssue:
    learner: str
    exercise: str
    kind: str
    detail: str


@dataclass
class ReportData:
    cohort: str
    track: str | None
    pass_mark: float
    roster_size: int
    city: str | None = None
    exercises: list[ExerciseSummary] = field(default_factory=list)
    questions: list[QuestionSummary] = field(default_factory=list)
    objectives: list[ObjectiveSummary] = field(default_factory=list)
    lessons: list[LessonSummary] = field(default_factory=list)
    learners: list[LearnerRow] = field(default_factory=list)
    missing_late: list[WorkIssue] = field(default_factory=list)
    flagged: list[WorkIssue] = field(default_factory=list)
    totals: list[dict[str, object]] = field(default_factory=list)
    #: "learner · exercise" graded without the bubblewrap sandbox (--unsafe-no-sandbox).
    unsandboxed: list[str] = field(default_factory=list)
    unmatched: list[UnmatchedProgress] = field(default_factory=list)
    """Lesson progress recorded under names that are no roster id (to link by hand)."""

    @property
    def hardest(self) -> QuestionSummary | None:
        """The question the fewest of those who handed in passed (None: everyone passed all)."""
        handed = [q for q in self.questions if q.handed_in]
        found = min(
            handed,
            key=lambda q: (q.passed / q.handed_in, (q.median or 0) / q.points if q.points else 0),
            default=None,
        )
        return found if found is not None and found.passed < found.handed_in else None

    @property
    def not_started(self) -> list[LearnerRow]:
        return [row for row in self.learners if row.not_started]


def _late(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:.1f} h late" if hours < 48 else f"{hours / 24:.0f} days late"


def question_state(
    record: GradeRecord | None, grade_id: str, score: float | None, points: float
) -> str:
    """passed, partial, wrong, not-attempted, missing or to-grade, for one learner."""
    if record is None:
        return "missing"
    outcome = next((q for q in record.questions if q.grade_id == grade_id), None)
    if outcome is not None and outcome.status == "not-attempted":
        return "not-attempted"
    if outcome is not None and outcome.status == "manual" and score is None:
        return "to-grade"
    value = score if score is not None else (outcome.score if outcome else None)
    if value is not None and value >= points:
        return "passed"
    if value is not None and value > 0:
        return "partial"
    return "wrong"


def build_report(
    scores: CohortScores,
    records: dict[str, dict[str, GradeRecord]],
    progress: dict[str, dict[str, LessonProgress]],
    lessons: list[str],
    *,
    cohort: str,
    track: str | None,
    pass_mark: float,
    feedback_links: dict[tuple[str, str], str] | None = None,
    statements: dict[str, str] | None = None,
    city: str | None = None,
    checks: set[str] | None = None,
) -> ReportData:
    """Everything the report shows, computed from its inputs (pure). `checks` are the lessons
    that are their course's graded check: scored on first answers against the pass mark;
    lesson progress that matches no roster id is listed apart."""
    checks = checks or set()
    people = scores.learners
    links = feedback_links or {}
    data = ReportData(
        cohort=cohort, track=track, pass_mark=pass_mark, roster_size=len(people), city=city
    )
    states: dict[tuple[str, str], GridCell] = {}  # (learner, exercise/grade_id)
    by_objective: dict[str, list[tuple[str, float | None]]] = {}
    objective_questions: dict[str, int] = {}
    for manifest in scores.manifests:
        results = [row.exercises[manifest.exercise] for row in people]
        graded = [r for r in results if r.graded]
        data.exercises.append(
            ExerciseSummary(
                exercise=manifest.exercise,
                title=manifest.title,
                due=manifest.due,
                handed_in=len(graded),
                missing=len(results) - len(graded),
                late=sum(1 for r in graded if r.late),
                mean_percent=mean(r.percent for r in graded) if graded else None,  # type: ignore[misc]
                pass_rate=100 * sum(passed(r, pass_mark) for r in graded) / len(graded)
                if graded
                else None,
            )
        )
        data.totals += [{"exercise": manifest.title, "percent": r.percent} for r in graded]
        mine = records.get(manifest.exercise, {})
        for question in manifest.questions:
            counts = dict.fromkeys(STATES, 0)
            tried_scores = []
            for row in people:
                result = row.exercises[manifest.exercise]
                record = mine.get(row.learner.id) if result.graded else None
                score = (result.questions or {}).get(question.grade_id)
                state = question_state(record, question.grade_id, score, question.points)
                counts[state] += 1
                css, symbol, words = STATES[state]
                detail = "" if state == "missing" else f"{score or 0:g}/{question.points:g}"
                states[(row.learner.id, f"{manifest.exercise}/{question.grade_id}")] = GridCell(
                    css, symbol, words, detail, links.get((row.learner.id, manifest.exercise))
                )
                if state in ("passed", "partial", "wrong"):
                    tried_scores.append(score or 0.0)
                    for objective in question.objectives:
                        by_objective.setdefault(objective, []).append(
                            (
                                state,
                                100 * (score or 0.0) / question.points if question.points else None,
                            )
                        )
            for objective in question.objectives:
                objective_questions[objective] = objective_questions.get(objective, 0) + 1
            data.questions.append(
                QuestionSummary(
                    exercise=manifest.exercise,
                    grade_id=question.grade_id,
                    label=f"{manifest.title}: {question.title}"
                    if len(scores.manifests) > 1
                    else question.title,
                    points=question.points,
                    objectives=question.objectives,
                    passed=counts["passed"],
                    partial=counts["partial"],
                    wrong=counts["wrong"],
                    not_attempted=counts["not-attempted"] + counts["to-grade"],
                    not_handed_in=counts["missing"],
                    median=median(tried_scores) if tried_scores else None,
                )
            )
        for row in people:
            result = row.exercises[manifest.exercise]
            if not result.graded:
                data.missing_late.append(
                    WorkIssue(row.learner.id, manifest.exercise, "missing", "not handed in")
                )
            elif result.late:
                detail = _late(result.late_seconds) if result.late_seconds else "late (per the LMS)"
                if result.penalty:
                    detail += f", −{result.penalty:g} points"
                data.missing_late.append(
                    WorkIssue(row.learner.id, manifest.exercise, "late", detail)
                )
            record = mine.get(row.learner.id)
            if record is not None and record.sandbox != "bwrap":
                data.unsandboxed.append(f"{row.learner.id} · {manifest.exercise}")
            if record is not None:
                for finding in record.flags:
                    data.flagged.append(
                        WorkIssue(row.learner.id, manifest.exercise, finding.kind, finding.message)
                    )
                for problem in record.problems:
                    data.flagged.append(
                        WorkIssue(row.learner.id, manifest.exercise, "grading", problem)
                    )
                if record.outcome in ("unreadable", "wrong-name") and record.notes:
                    data.flagged.append(
                        WorkIssue(
                            row.learner.id, manifest.exercise, record.outcome, record.notes[0]
                        )
                    )
    for objective, results in sorted(by_objective.items()):
        percents = [p for _, p in results if p is not None]
        data.objectives.append(
            ObjectiveSummary(
                objective=objective,
                statement=(statements or {}).get(objective, objective),
                questions=objective_questions.get(objective, 0),
                attempted=len(results),
                passed=sum(1 for state, _ in results if state == "passed"),
                median_percent=median(percents) if percents else None,
            )
        )
    for lesson in lessons:
        lesson_states = [progress.get(row.learner.id, {}).get(lesson) for row in people]
        finished = [s for s in lesson_states if s is not None and s.completed]
        scores_ = [s.score_percent for s in finished if s.score_percent is not None]
        data.lessons.append(
            LessonSummary(
                lesson=lesson,
                started=sum(1 for s in lesson_states if s is not None),
                completed=len(finished),
                roster=len(people),
                check=lesson in checks,
                passed=sum(1 for s in finished if s.check_passed(pass_mark)),
                median_score=median(scores_) if lesson in checks and scores_ else None,
            )
        )
        if lesson in checks:
            for row in people:
                state = progress.get(row.learner.id, {}).get(lesson)
                if state is not None and state.completed and not state.check_passed(pass_mark):
                    data.flagged.append(
                        WorkIssue(
                            row.learner.id,
                            lesson,
                            "graded check",
                            f"scored {state.score_percent or 0:.0f}%, below the {pass_mark:g}% "
                            "pass mark",
                        )
                    )
    issues_by_learner: dict[str, list[str]] = {}
    for issue in [*data.missing_late, *data.flagged]:
        issues_by_learner.setdefault(issue.learner, []).append(
            f"{issue.exercise}: {issue.detail}"
            if issue.kind in ("missing", "late")
            else f"{issue.exercise} ({issue.kind}): {issue.detail}"
        )
    for row in people:
        mine = progress.get(row.learner.id, {})
        exercise_cells = []
        for manifest in scores.manifests:
            result = row.exercises[manifest.exercise]
            if not result.graded:
                exercise_cells.append(("not handed in", "missing"))
            else:
                css = "passed" if passed(result, pass_mark) else "wrong"
                late = " (late)" if result.late else ""
                exercise_cells.append((f"{result.percent:.0f}%{late}", css))
        lesson_cells = []
        for lesson in lessons:
            state = mine.get(lesson)
            if state is None:
                lesson_cells.append(GridCell("not-started", "○", "not started", ""))
            elif state.completed and lesson in checks:
                detail = f"{state.first_right}/{state.answered}"
                if state.check_passed(pass_mark):
                    lesson_cells.append(GridCell("passed", "✓", "passed", detail))
                else:
                    lesson_cells.append(GridCell("wrong", "✗", "below the pass mark", detail))
            elif state.completed:
                lesson_cells.append(GridCell("passed", "✓", "completed", ""))
            else:
                lesson_cells.append(
                    GridCell("partial", "◐", "started", f"{state.steps_done}/{state.steps_total}")
                )
        moments = [p.last_at for p in mine.values() if p.last_at is not None]
        moments += [r.submitted_at for r in row.exercises.values() if r.submitted_at is not None]
        data.learners.append(
            LearnerRow(
                id=row.learner.id,
                name=row.learner.name,
                team=row.learner.team or "",
                cells=[
                    states[(row.learner.id, f"{q.exercise}/{q.grade_id}")] for q in data.questions
                ],
                lessons=lesson_cells,
                exercises=exercise_cells,
                lessons_done=sum(
                    1 for lesson in lessons if lesson in mine and mine[lesson].completed
                ),
                lessons_total=len(lessons),
                last_activity=max(
                    (m.replace(tzinfo=m.tzinfo or UTC) for m in moments), default=None
                ),
                issues=issues_by_learner.get(row.learner.id, []),
            )
        )
    data.unmatched = unmatched_progress(
        progress, [(row.learner.id, row.learner.name) for row in people], lessons
    )
    return data


def _distribution_rows(data: ReportData) -> list[dict[str, object]]:
    rows = []
    for q in data.questions:
        counts = [q.passed, q.partial, q.wrong, q.not_attempted, q.not_handed_in]
        rows += [
            {"question": q.label, "result": name, "learners": count, "order": i}
            for i, (name, count) in enumerate(zip(report_charts.BUCKET_ORDER, counts, strict=True))
        ]
    return rows


def render_report(data: ReportData) -> str:
    return render(
        "report.html.j2",
        data=data,
        states=STATES,
        generated=datetime.now(UTC).strftime("%d %B %Y, %H:%M UTC"),
        distribution_chart=report_charts.distribution_chart(_distribution_rows(data)),
        totals_chart=report_charts.totals_chart(data.totals),
        lessons_chart=report_charts.lessons_chart(
            [{"lesson": s.lesson, "completed": s.completed_percent} for s in data.lessons]
        ),
    )


def feedback_links(
    folder: CohortFolder, scores: CohortScores, report_dir: Path
) -> dict[tuple[str, str], str]:
    """(learner, exercise) -> the feedback page, relative to the report, where one exists."""
    links = {}
    for manifest in scores.manifests:
        for row in scores.learners:
            page = (
                folder.feedback(row.learner.id, manifest.exercise) / f"{manifest.notebook_id}.html"
            )
            if page.is_file():
                links[(row.learner.id, manifest.exercise)] = Path(
                    os.path.relpath(page, report_dir)
                ).as_posix()
    return links


def cohort_report(
    folder: CohortFolder, out: Path | None = None, progress: ProgressSource | None = None
) -> Path:
    """Write the report; return the path of its page."""
    target = ensure_dir(out or folder.path / "report") / "index.html"
    scores = cohort_scores(folder)
    records = {m.exercise: load_records(folder, m.exercise) for m in scores.manifests}
    track = (
        read_track(folder.academy_root, folder.settings.track) if folder.settings.track else None
    )
    lessons = track_lessons(folder.academy_root, track) if track else []
    checks = track_checks(track) if track else set()
    source = progress if progress is not None else default_progress_source()
    data = build_report(
        scores,
        records,
        learner_progress(source),
        lessons,
        cohort=folder.name,
        track=track.title if track else None,
        pass_mark=folder.settings.pass_mark,
        feedback_links=feedback_links(folder, scores, target.parent),
        statements=objective_statements(folder.academy_root),
        city=folder.settings.city,
        checks=checks,
    )
    atomic_write(target, render_report(data))
    remember_output(folder, "report", target.parent)
    return target
