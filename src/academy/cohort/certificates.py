"""`academy cohort certificates`: a certificate (HTML and PDF) for each learner who
completed the cohort's track.

Completing a track means, for every course of `curriculum/tracks/<track>.yml`:

* every graded exercise of the course (`exercises/source/*/exercise.yml` naming it) was
  released to the cohort and passed: at least the cohort's `pass_mark` percent of its
  points, with nothing left to grade by hand;
* every click-through lesson of the course (`tracks/<track>/<course>/clickthrough/*.yml`)
  is completed in the progress store.

Everyone else is listed with what they still need, so the trainer can follow up.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from academy.cohort.academy_files import course_exercises, read_academy, read_track, track_lessons
from academy.cohort.folder import CohortFolder, atomic_write, ensure_dir
from academy.cohort.html import render
from academy.cohort.lesson_progress import (
    LessonProgress,
    ProgressSource,
    default_progress_source,
    learner_progress,
)
from academy.cohort.scores import LearnerScores, cohort_scores, passed
from academy.core.errors import AcademyError
from academy.curriculum.models import Track


@dataclass(frozen=True)
class Requirements:
    exercises: list[str]
    lessons: list[str]


@dataclass(frozen=True)
class Certificate:
    learner: str
    html: Path
    pdf: Path | None
    code: str


@dataclass(frozen=True)
class CertificateRun:
    track: str
    requirements: Requirements
    issued: list[Certificate]
    not_yet: dict[str, list[str]]


def track_requirements(root: Path, track: Track) -> Requirements:
    """Exercises and click-through lessons a learner must finish to complete the track."""
    courses = {course.id for course in track.courses}
    return Requirements(
        exercises=course_exercises(root, courses), lessons=track_lessons(root, track)
    )


def missing_for(
    row: LearnerScores,
    requirements: Requirements,
    lessons: dict[str, LessonProgress],
    pass_mark: float,
) -> list[str]:
    """What a learner still needs (empty: the track is complete)."""
    needs = []
    for exercise in requirements.exercises:
        result = row.exercises.get(exercise)
        if result is None:
            needs.append(f"exercise {exercise} (not released to this cohort yet)")
        elif not result.graded:
            needs.append(f"exercise {exercise} (not handed in)")
        elif not passed(result, pass_mark):
            needs.append(f"exercise {exercise} ({result.percent:.0f}%, needs {pass_mark:g}%)")
    for lesson in requirements.lessons:
        if lesson not in lessons or not lessons[lesson].completed:
            needs.append(f"lesson {lesson}")
    return needs


def completion_date(
    row: LearnerScores, requirements: Requirements, lessons: dict[str, LessonProgress]
) -> datetime:
    moments = [
        row.exercises[e].submitted_at
        for e in requirements.exercises
        if row.exercises[e].submitted_at
    ]
    moments += [
        lessons[lesson].last_at for lesson in requirements.lessons if lessons[lesson].last_at
    ]
    aware = [m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments if m is not None]
    return max(aware, default=datetime.now(UTC))


def verification_code(cohort: str, learner: str, track: str, completed: datetime) -> str:
    text = f"{cohort}:{learner}:{track}:{completed.date().isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()[:12].upper()


def write_pdf(html: str, target: Path) -> None:
    from weasyprint import HTML

    target.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html).write_pdf(target)


def issue_certificates(
    folder: CohortFolder,
    out: Path | None = None,
    progress: ProgressSource | None = None,
    pdf: bool = True,
) -> CertificateRun:
    """Write certificates for everyone who completed the track; list what others still need."""
    if not folder.settings.track:
        raise AcademyError(
            f"{folder.path / 'cohort.yml'}: the cohort has no track, so there is nothing to certify; "
            "set `track:` to the track id it follows"
        )
    target = ensure_dir(out or folder.path / "certificates")
    root = folder.academy_root
    track = read_track(root, folder.settings.track)
    requirements = track_requirements(root, track)
    academy = read_academy(root)
    source = progress if progress is not None else default_progress_source()
    lessons = learner_progress(source)
    issued: list[Certificate] = []
    not_yet: dict[str, list[str]] = {}
    for row in cohort_scores(folder).learners:
        mine = lessons.get(row.learner.id, {})
        needs = missing_for(row, requirements, mine, folder.settings.pass_mark)
        if needs:
            not_yet[row.learner.id] = needs
            continue
        completed = completion_date(row, requirements, mine)
        code = verification_code(folder.name, row.learner.id, track.id, completed)
        page = render(
            "certificate.html.j2",
            academy=academy,
            learner=row.learner,
            track=track,
            cohort=folder.name,
            completed=completed.strftime("%d %B %Y"),
            code=code,
        )
        html_path = target / f"{row.learner.id}.html"
        atomic_write(html_path, page)
        pdf_path = target / f"{row.learner.id}.pdf" if pdf else None
        if pdf_path is not None:
            write_pdf(page, pdf_path)
        issued.append(Certificate(row.learner.id, html_path, pdf_path, code))
    return CertificateRun(track.id, requirements, issued, not_yet)
