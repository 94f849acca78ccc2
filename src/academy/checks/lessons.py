"""Lessons: every lesson page has its `academy:` front matter and a title."""

from __future__ import annotations

from academy.checks.rule import Context, Rule, check
from academy.core.findings import Finding, rel

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
