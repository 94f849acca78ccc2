"""References: every id a file names (objective, track, course, dataset, canonical table) exists.

Every lesson is checked here, whatever its kind (Markdown, notebook, click-through), with
one wording per mistake. A reference is checked only when the file that declares what it
refers to could be read; otherwise that file's own problem is the one to fix first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from academy.checks.ids import at, track_key
from academy.checks.rule import CANONICAL, DATASETS, Context, Rule, check
from academy.core.findings import Finding, rel
from academy.core.yamlfile import Loc
from academy.curriculum.loading import (
    ACADEMY_FILE,
    OBJECTIVES_FILE,
    TRACK_FILES,
    Curriculum,
)

REF_UNRESOLVED = Rule(
    "ref-unresolved",
    "Every objective, track, course, dataset and canonical table a file names exists "
    "(a canonical table for the active city), and the active city has datasets.",
)

Ref = tuple[Path, int, str]  # (file, line, the id it names)


def _lesson_refs(cur: Curriculum, key: str) -> Iterator[Ref]:
    """Every objective or dataset (`key`) a lesson's front matter names."""
    for _, lesson in cur.lessons:
        if lesson.meta is None or lesson.front is None:
            continue
        for i, name in enumerate(getattr(lesson.meta, key)):
            yield lesson.path, lesson.front.line(("academy", key, i)), name


def _curriculum_refs(cur: Curriculum, kind: str) -> Iterator[Ref]:
    """Every id of `kind` (objective, track, course) that curriculum/ names."""
    refs: list[tuple[str, Loc, str, str]] = []
    if cur.academy:
        refs += [
            ("academy.yml", ("tracks", i), "track", t) for i, t in enumerate(cur.academy.tracks)
        ]
    for r, role in enumerate(cur.roles):
        refs += [
            ("roles.yml", ("roles", r, "path", i), "course", c) for i, c in enumerate(role.path)
        ]
    for track in cur.tracks:
        key = track_key(track.id)
        refs += [(key, ("prerequisites", i), "track", p) for i, p in enumerate(track.prerequisites)]
        refs += [(key, ("outcomes", i), "objective", o) for i, o in enumerate(track.outcomes)]
        for c, course in enumerate(track.courses):
            refs += [
                (key, ("courses", c, "outcomes", i), "objective", o)
                for i, o in enumerate(course.outcomes)
            ]
            refs += [
                (key, ("courses", c, "prerequisites", i), "course", p)
                for i, p in enumerate(course.prerequisites)
            ]
    for key, loc, ref_kind, ref in refs:
        if ref_kind == kind and key in cur.docs:
            yield cur.docs[key].path, cur.docs[key].line(loc), ref


def _exercise_refs(cur: Curriculum, kind: str) -> Iterator[Ref]:
    for exercise in cur.exercises:
        if exercise.sidecar is None or exercise.doc is None:
            continue
        doc, side = exercise.doc, exercise.sidecar
        if kind == "course":
            yield doc.path, doc.line(("course",)), side.course
        if kind == "objective":
            for grade_id, objectives in side.grade_ids.items():
                for i, objective in enumerate(objectives):
                    yield doc.path, doc.line(("grade_ids", grade_id, i)), objective
        if kind == "dataset":
            for i, name in enumerate(side.datasets):
                yield doc.path, doc.line(("datasets", i)), name


def _unresolved(
    cur: Curriculum, refs: Iterable[Ref], known: set[str], message: Callable[[str], str]
) -> list[Finding]:
    return [
        REF_UNRESOLVED.at(rel(path, cur.root), line, message(ref))
        for path, line, ref in refs
        if ref not in known
    ]


@check(REF_UNRESOLVED, needs=(OBJECTIVES_FILE,))
def objective_refs(ctx: Context) -> list[Finding]:
    cur = ctx.cur
    refs = [
        *_curriculum_refs(cur, "objective"),
        *_lesson_refs(cur, "objectives"),
        *_exercise_refs(cur, "objective"),
    ]
    return _unresolved(
        cur,
        refs,
        set(cur.objectives),
        lambda ref: f"unknown objective '{ref}'; add it to curriculum/objectives.yml or fix the id",
    )


@check(REF_UNRESOLVED, needs=(TRACK_FILES,))
def track_and_course_refs(ctx: Context) -> list[Finding]:
    cur = ctx.cur
    tracks = {t.id for t in cur.tracks}
    courses = {b.course.id for b in cur.books}

    def declare(kind: str) -> Callable[[str], str]:
        return lambda ref: f"unknown {kind} '{ref}'; declare it or fix the id"

    return [
        *_unresolved(cur, _curriculum_refs(cur, "track"), tracks, declare("track")),
        *_unresolved(cur, _curriculum_refs(cur, "course"), courses, declare("course")),
        *_unresolved(
            cur,
            _exercise_refs(cur, "course"),
            courses,
            lambda ref: f"unknown course '{ref}'; fix the course id",
        ),
    ]


def _dataset_refs(cur: Curriculum) -> list[Ref]:
    return [*_lesson_refs(cur, "datasets"), *_exercise_refs(cur, "dataset")]


@check(REF_UNRESOLVED)
def dataset_refs(ctx: Context) -> list[Finding]:
    """'<city>/<dataset>' names: a folder under datasets/ (readable or not)."""
    refs = [r for r in _dataset_refs(ctx.cur) if "/" in r[2]]
    return _unresolved(
        ctx.cur,
        refs,
        set(ctx.inventory.ids),
        lambda ref: f"unknown dataset '{ref}'; see `academy data list`",
    )


@check(REF_UNRESOLVED, needs=(ACADEMY_FILE, CANONICAL, DATASETS))
def table_refs(ctx: Context) -> list[Finding]:
    """Canonical table names: defined in canonical.yml and provided by the active city."""
    cur, inventory = ctx.cur, ctx.inventory
    refs = [r for r in _dataset_refs(cur) if "/" not in r[2]]
    defined = set(inventory.canonical_columns())
    provided = inventory.tables(cur.city)
    findings = _unresolved(
        cur,
        refs,
        defined,
        lambda ref: (
            f"no canonical table '{ref}' in datasets/canonical.yml; "
            f"use one of: {', '.join(sorted(defined))}"
        ),
    )
    fallback = {
        lesson.path: lesson.meta.otherwise
        for _, lesson in cur.lessons
        if lesson.meta is not None and lesson.meta.otherwise
    }
    findings += _unresolved(
        cur,
        [
            r
            for r in refs
            if r[2] in defined
            and not (r[0] in fallback and r[2] in inventory.tables(fallback[r[0]]))
        ],
        provided,
        lambda ref: (
            f"city '{cur.city}' provides no canonical table '{ref}'; "
            f"it has: {', '.join(sorted(provided)) or 'none'} (or give the lesson "
            "`otherwise:` a city whose data it uses instead)"
        ),
    )
    return findings


@check(REF_UNRESOLVED, needs=(ACADEMY_FILE,))
def city_ref(ctx: Context) -> list[Finding]:
    cur = ctx.cur
    if cur.city in ctx.inventory.cities:
        return []
    return [
        at(
            cur,
            "academy.yml",
            ("city",),
            REF_UNRESOLVED,
            f"no datasets for city '{cur.city}' under datasets/; add them or fix the city",
        )
    ]
