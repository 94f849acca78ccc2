"""Lessons: every lesson page has its `academy:` front matter and a title."""

from __future__ import annotations

from academy.checks.rule import CANONICAL, Context, Rule, check
from academy.core.findings import Finding, rel
from academy.data.spec import base_table

LESSON_SHAPE = Rule(
    "lesson-shape",
    "Every lesson has `academy:` front matter (objectives, key points, minutes) and a "
    "'# Title' heading (a click-through lesson: a `title:`).",
)


@check(LESSON_SHAPE)
def lesson_shape(ctx: Context) -> list[Finding]:
    findings = []
    for _, lesson in ctx.cur.lessons:
        if not lesson.readable:
            continue  # its file or front matter could not be read: reported already
        path = rel(lesson.path, ctx.cur.root)
        if not lesson.declared:
            findings.append(
                LESSON_SHAPE.at(
                    path,
                    1,
                    "lesson has no 'academy:' front matter; add objectives, key_points, minutes",
                )
            )
        if not lesson.title and lesson.kind != "clickthrough":
            findings.append(LESSON_SHAPE.at(path, 1, "lesson has no '# Title' heading; add one"))
    return findings


LESSON_NEEDS = Rule(
    "lesson-needs",
    "A lesson's `needs:` names columns of the canonical tables it reads that a city may "
    "leave unpublished (a required column every city has is never listed).",
)


@check(LESSON_NEEDS, needs=(CANONICAL,))
def lesson_needs(ctx: Context) -> list[Finding]:
    canonical = ctx.inventory.canonical
    assert canonical is not None
    findings = []
    for _, lesson in ctx.cur.lessons:
        if lesson.meta is None or lesson.front is None or not lesson.meta.needs:
            continue
        path = rel(lesson.path, ctx.cur.root)
        names = [base_table(d) for d in lesson.meta.datasets]
        tables = [canonical.tables[d] for d in names if d in canonical.tables]
        for i, name in enumerate(lesson.meta.needs):
            line = lesson.front.line(("academy", "needs", i))
            fields = [t.field(name) for t in tables if t.field(name) is not None]
            if not fields:
                known = sorted({f.name for t in tables for f in t.fields if not f.required})
                findings.append(
                    LESSON_NEEDS.at(
                        path,
                        line,
                        f"needs {name!r}, which no canonical table the lesson reads has; "
                        f"name one of {', '.join(known) or 'its tables’ columns'}",
                    )
                )
            elif all(f.required for f in fields if f is not None):
                findings.append(
                    LESSON_NEEDS.at(
                        path, line, f"{name!r} is required: every city publishes it; remove it"
                    )
                )
    return findings
