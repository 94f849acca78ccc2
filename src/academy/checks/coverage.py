"""Coverage: what a track and its courses promise is taught, and, in a graded track, assessed.

A track's outcomes must be outcomes of its courses; a course's outcomes must each be taught
by one of its lessons. A track with `graded: true` (its learners get graded practice, as
analysts and supervisors do) must also assess every outcome of each course with a graded
question of that course: an nbgrader exercise's `grade_ids`, or a question of the course's
graded check (`check:`, a click-through lesson scored on first answers), which assesses
the objectives it lists under `assesses:`. Questions of other click-through lessons are
practice: the learner tries until right, so they grade nothing.
"""

from __future__ import annotations

from academy.checks.ids import at, track_key
from academy.checks.rule import Context, Rule, check
from academy.clickthrough.lesson_files import LessonFile
from academy.core.findings import Finding, rel
from academy.curriculum.loading import EXERCISE_FILES, OBJECTIVES_FILE, TRACK_FILES, Book

COVERAGE = Rule(
    "coverage",
    "Every outcome of a track is an outcome of one of its courses, and every outcome of a "
    "course is taught by one of its lessons.",
)
COVERAGE_GRADED = Rule(
    "coverage-graded",
    "In a track with `graded: true`, every outcome of a course is assessed by a graded "
    "question of that course: an exercise's grade_ids, or a question of its graded check "
    "(`check:`) that lists the outcome under `assesses:`.",
)
COURSE_CHECK = Rule(
    "course-check",
    "A course's `check:` names one of its click-through lessons, listed in its _toc.yml; "
    "every question of that lesson lists the objectives it assesses, and every objective "
    "of the lesson is assessed by one of its questions.",
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


def check_file(ctx: Context, book: Book) -> LessonFile | None:
    """The click-through lesson file of the course's graded check, if it names one that exists."""
    name = book.course.check
    if name is None:
        return None
    return next(
        (i for i in ctx.clickthrough_files if i.book is book and i.name == name),
        None,
    )


def check_assesses(item: LessonFile) -> set[str]:
    """Objectives the questions of a graded check assess."""
    assert item.lesson is not None
    return {o for step in item.lesson.steps if step.is_question() for o in step.assesses}


def assessed(ctx: Context, book: Book) -> set[str] | None:
    """Objectives the course's graded questions assess; None when its graded check could not
    be read (so what it assesses is unknown)."""
    sidecars = [e.sidecar for e in ctx.cur.exercises_of(book.course.id) if e.sidecar]
    found = {o for side in sidecars for objectives in side.grade_ids.values() for o in objectives}
    item = check_file(ctx, book)
    if item is not None:
        if item.lesson is None:
            return None
        found |= check_assesses(item)
    return found


@check(COURSE_CHECK, needs=(TRACK_FILES,))
def course_checks(ctx: Context) -> list[Finding]:
    cur = ctx.cur
    findings = []
    for track in cur.tracks:
        for c, course in enumerate(track.courses):
            book = cur.book(course.id)
            if course.check is None or book is None or book.toc_doc is None:
                continue
            item = check_file(ctx, book)
            if item is None or course.check_docname not in book.toc_docs:
                findings.append(
                    at(
                        cur,
                        track_key(track.id),
                        ("courses", c, "check"),
                        COURSE_CHECK,
                        f"'{course.check}' is not a click-through lesson listed in "
                        f"'{course.id}': write tracks/{track.id}/{course.id}/clickthrough/"
                        f"{course.check}.yml and list clickthrough/{course.check} in its _toc.yml",
                    )
                )
                continue
            if item.lesson is None:
                continue  # its own schema problems are reported with the lesson
            where = rel(item.path, cur.root)
            questions = [(i, s) for i, s in enumerate(item.lesson.steps) if s.is_question()]
            for i, step in questions:
                if not step.assesses:
                    findings.append(
                        COURSE_CHECK.at(
                            where,
                            item.line(("steps", i)),
                            f"this question of the graded check of '{course.id}' assesses "
                            "nothing; list the objectives it assesses under `assesses:`",
                        )
                    )
            covered = check_assesses(item)
            for j, objective in enumerate(item.lesson.objectives):
                if questions and objective not in covered:
                    findings.append(
                        COURSE_CHECK.at(
                            where,
                            item.line(("objectives", j)),
                            f"objective '{objective}' of the graded check is assessed by none "
                            "of its questions; ask about it (`assesses:`) or remove it",
                        )
                    )
    return findings


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
                            "grade_id to it in exercise.yml, or ask about it in the course's "
                            "graded check (`check:`, a question with `assesses:`)",
                        )
                    )
    return findings
