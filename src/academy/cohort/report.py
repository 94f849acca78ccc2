"""`academy cohort report`: where the cohort struggles, who is behind, what is missing.

One offline HTML page (`report/index.html` in the cohort, or `--out DIR`) with charts as
inline SVG. Aggregates come first (per exercise, per question, per lesson); the last
section lists individuals (grades, click-through progress, missing and late work, flags)
and is marked as the trainer's alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from statistics import mean

from academy.cohort import report_charts
from academy.cohort.academy_files import read_track, track_lessons
from academy.cohort.folder import CohortFolder, atomic_write, ensure_dir
from academy.cohort.html import render
from academy.cohort.lesson_progress import (
    LessonProgress,
    ProgressSource,
    default_progress_source,
    learner_progress,
)
from academy.cohort.records import GradeRecord, load_records
from academy.cohort.scores import CohortScores, cohort_scores, passed


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
    exercise: str
    label: str
    points: float
    graded: int
    full: int
    partial: int
    zero: int
    not_handed_in: int

    @property
    def pass_rate(self) -> float | None:
        return 100 * self.full / self.graded if self.graded else None


@dataclass(frozen=True)
class LessonSummary:
    lesson: str
    started: int
    completed: int
    roster: int

    @property
    def completed_percent(self) -> float:
        return 100 * self.completed / self.roster if self.roster else 0.0


@dataclass(frozen=True)
class LearnerRow:
    id: str
    name: str
    team: str
    exercises: list[tuple[str, str]]  # (text, css class) per exercise
    lessons_done: int
    lessons_total: int
    last_activity: datetime | None


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
    exercises: list[ExerciseSummary] = field(default_factory=list)
    questions: list[QuestionSummary] = field(default_factory=list)
    lessons: list[LessonSummary] = field(default_factory=list)
    learners: list[LearnerRow] = field(default_factory=list)
    missing_late: list[WorkIssue] = field(default_factory=list)
    flagged: list[WorkIssue] = field(default_factory=list)
    totals: list[dict[str, object]] = field(default_factory=list)


def _late(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:.1f} h late" if hours < 48 else f"{hours / 24:.0f} days late"


def build_report(
    scores: CohortScores,
    records: dict[str, dict[str, GradeRecord]],
    progress: dict[str, dict[str, LessonProgress]],
    lessons: list[str],
    *,
    cohort: str,
    track: str | None,
    pass_mark: float,
) -> ReportData:
    """Everything the report shows, computed from its inputs (pure)."""
    people = scores.learners
    data = ReportData(cohort=cohort, track=track, pass_mark=pass_mark, roster_size=len(people))
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
        for question in manifest.questions:
            values = [(r.questions or {}).get(question.grade_id) for r in graded]
            done = [v for v in values if v is not None]
            data.questions.append(
                QuestionSummary(
                    exercise=manifest.exercise,
                    label=f"{manifest.exercise} · {question.title}",
                    points=question.points,
                    graded=len(done),
                    full=sum(1 for v in done if v >= question.points),
                    partial=sum(1 for v in done if 0 < v < question.points),
                    zero=sum(1 for v in done if v <= 0),
                    not_handed_in=len(results) - len(graded),
                )
            )
        for row in people:
            result = row.exercises[manifest.exercise]
            if not result.graded:
                data.missing_late.append(
                    WorkIssue(row.learner.id, manifest.exercise, "missing", "not handed in")
                )
            elif result.late:
                data.missing_late.append(
                    WorkIssue(row.learner.id, manifest.exercise, "late", _late(result.late_seconds))
                )
            record = records.get(manifest.exercise, {}).get(row.learner.id)
            if record is not None:
                for finding in record.flags:
                    data.flagged.append(
                        WorkIssue(row.learner.id, manifest.exercise, finding.kind, finding.message)
                    )
                for problem in record.problems:
                    data.flagged.append(
                        WorkIssue(row.learner.id, manifest.exercise, "grading", problem)
                    )
                if record.outcome in ("unreadable", "wrong-name"):
                    data.flagged.append(
                        WorkIssue(
                            row.learner.id, manifest.exercise, record.outcome, record.notes[0]
                        )
                    )
    for lesson in lessons:
        states = [progress.get(row.learner.id, {}).get(lesson) for row in people]
        data.lessons.append(
            LessonSummary(
                lesson=lesson,
                started=sum(1 for s in states if s is not None),
                completed=sum(1 for s in states if s is not None and s.completed),
                roster=len(people),
            )
        )
    for row in people:
        mine = progress.get(row.learner.id, {})
        cells = []
        for manifest in scores.manifests:
            result = row.exercises[manifest.exercise]
            if not result.graded:
                cells.append(("missing", "missing"))
            else:
                css = "passed" if passed(result, pass_mark) else "failed"
                late = " (late)" if result.late else ""
                cells.append((f"{result.percent:.0f}%{late}", css))
        moments = [p.last_at for p in mine.values() if p.last_at is not None]
        moments += [r.submitted_at for r in row.exercises.values() if r.submitted_at is not None]
        data.learners.append(
            LearnerRow(
                id=row.learner.id,
                name=row.learner.name,
                team=row.learner.team or "",
                exercises=cells,
                lessons_done=sum(
                    1 for lesson in lessons if lesson in mine and mine[lesson].completed
                ),
                lessons_total=len(lessons),
                last_activity=max(
                    (m.replace(tzinfo=m.tzinfo or UTC) for m in moments), default=None
                ),
            )
        )
    return data


def _distribution_rows(data: ReportData) -> list[dict[str, object]]:
    rows = []
    for q in data.questions:
        counts = [q.full, q.partial, q.zero, q.not_handed_in]
        rows += [
            {"question": q.label, "result": name, "learners": count, "order": i}
            for i, (name, count) in enumerate(zip(report_charts.BUCKET_ORDER, counts, strict=True))
        ]
    return rows


def render_report(data: ReportData) -> str:
    return render(
        "report.html.j2",
        data=data,
        generated=datetime.now(UTC).strftime("%d %B %Y, %H:%M UTC"),
        pass_chart=report_charts.pass_rate_chart(
            [
                {"question": q.label, "pass_rate": q.pass_rate}
                for q in data.questions
                if q.pass_rate is not None
            ]
        ),
        distribution_chart=report_charts.distribution_chart(_distribution_rows(data)),
        totals_chart=report_charts.totals_chart(data.totals),
        lessons_chart=report_charts.lessons_chart(
            [{"lesson": s.lesson, "completed": s.completed_percent} for s in data.lessons]
        ),
    )


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
    source = progress if progress is not None else default_progress_source()
    data = build_report(
        scores,
        records,
        learner_progress(source),
        lessons,
        cohort=folder.name,
        track=track.title if track else None,
        pass_mark=folder.settings.pass_mark,
    )
    atomic_write(target, render_report(data))
    return target
