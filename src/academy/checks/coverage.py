"""Coverage: what a track and its courses promise is taught, and, in a graded track, assessed.

A track's outcomes must be outcomes of its courses; a course's outcomes must each be taught
by one of its lessons. A track with `graded: true` (its learners get graded practice, as
analysts and supervisors do) must also assess every outcome of each course with a graded
question of that course: an nbgrader exercise's `grade_ids`, or a question step (choice,
order, spot, estimate, simulation ...) of a click-through lesson, which assesses the
objectives of its lesson.
"""

from __future__ import annotations

from academy.checks.ids import at, track_key
from academy.checks.rule import Context, Rule, check
from academy.core.findings import Finding
from academy.curriculum.loading import EXERCISE_FILES, OBJECTIVES_FILE, TRACK_FILES, Book

COVERAGE = Rule(
    "coverage",
    "Every outcome of a track is an outcome of one of its courses, and every outcome of a "
    "course is taught by one of its lessons.",
)
COVERAGE_GRADED = Rule(
    "coverage-graded",
    "In a track with `graded: true`, every outcome of a course is assessed by a graded "
    "question of that course: an exercise's grade_ids, or a question in one of its "
    "click-through lessons.",
)


def taught(book: Book) -> set[str]:
    """Objectives the book's lessons teach."""
    return {o for lesson in book.lessons if lesson.meta for o in lesson.meta.objectives}


@check(COVERAGE, needs=(OBJECTIVES_FILE, TRACK_FILES))
def coverage(ctx: Context) -> list[Finding]:
    cur = ctx.cur
    findings = []
    for track in cur.tracks:
        key = track_key(track.id)
        course_outcomes = {o for c in track.courses for o in c.outcomes}
        for i, outcome in enumerate(track.outcomes):
            if outcome in cur.objectives and outcome not in course_outcomes:
                findings.append(
                    at(
                        cur,
                        key,
                        ("outcomes", i),
                        COVERAGE,
                        f"track outcome '{outcome}' is not an outcome of any of its courses; "
                        "add it to a course's outcomes",
                    )
                )
        for c, course in enumerate(track.courses):
            book = cur.book(course.id)
            if book is None or not book.readable:
                continue  # its table of contents or a lesson could not be read
            for i, outcome in enumerate(course.outcomes):
                if outcome in cur.objectives and outcome not in taught(book):
                    findings.append(
                        at(
                            cur,
                            key,
                            ("courses", c, "outcomes", i),
                            COVERAGE,
                            f"course outcome '{outcome}' is taught by no lesson of '{course.id}'; "
                            "list it in a lesson's objectives",
                        )
                    )
    return findings


def assessed(ctx: Context, book: Book) -> set[str] | None:
    """Objectives the course's graded questions assess; None when a click-through lesson of
    the course could not be read (so what it assesses is unknown)."""
    sidecars = [e.sidecar for e in ctx.cur.exercises_of(book.course.id) if e.sidecar]
    found = {o for side in sidecars for objectives in side.grade_ids.values() for o in objectives}
    for item in ctx.clickthrough_files:
        if item.book is not book:
            continue
        if item.lesson is None:
            return None
        if any(step.is_question() for step in item.lesson.steps):
            found |= set(item.lesson.objectives)
    return found


@check(COVERAGE_GRADED, needs=(OBJECTIVES_FILE, TRACK_FILES, EXERCISE_FILES))
def graded_coverage(ctx: Context) -> list[Finding]:
    cur = ctx.cur
    findings = []
    for track in cur.tracks:
        if not track.graded:
            continue
        for c, course in enumerate(track.courses):
            book = cur.book(course.id)
            found = assessed(ctx, book) if book is not None else None
            if found is None:
                continue
            for i, outcome in enumerate(course.outcomes):
                if outcome in cur.objectives and outcome not in found:
                    findings.append(
                        at(
                            cur,
                            track_key(track.id),
                            ("courses", c, "outcomes", i),
                            COVERAGE_GRADED,
                            f"course outcome '{outcome}' is assessed by no graded question of "
                            f"'{course.id}' (track '{track.id}' is graded); map an exercise's "
                            "grade_id to it in exercise.yml, or ask about it in a click-through "
                            "lesson that lists it",
                        )
                    )
    return findings
