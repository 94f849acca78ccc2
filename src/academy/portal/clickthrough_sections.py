"""The portal's list of click-through lessons on each course page.

`academy.portal_hooks` calls `course_clickthrough_sections` when this module exists and
adds each section to the course's catalogue page.
"""

from __future__ import annotations

from html import escape

from academy.clickthrough.build import lesson_url
from academy.clickthrough.lesson_files import lesson_files
from academy.curriculum.loading import Curriculum


def course_clickthrough_sections(cur: Curriculum) -> dict[str, str]:
    """{"course:<course-id>": Markdown section listing that course's click-through lessons}."""
    by_course: dict[str, list[str]] = {}
    listed = [i for i in lesson_files(cur) if i.lesson is not None and i.docname in i.book.toc_docs]
    for item in sorted(listed, key=lambda i: (i.book.course.id, i.book.toc_docs.index(i.docname))):
        assert item.lesson is not None
        live = ".." + lesson_url(item.book.course.id, item.name)
        printable = f"../books/{item.book.track.id}/{item.book.course.id}/{item.docname}.html"
        row = (
            f'| <a href="{escape(live, quote=True)}">{escape(item.lesson.title)}</a> '
            f"| {item.lesson.minutes} min | {escape(item.lesson.summary)} "
            f'| <a href="{escape(printable, quote=True)}">printable</a> |'
        )
        by_course.setdefault(item.book.course.id, []).append(row)
    sections = {}
    for course_id, rows in by_course.items():
        sections[f"course:{course_id}"] = "\n".join(
            [
                "## Click-through lessons",
                "",
                "Tap through these on a tablet or shared PC: every answer gets feedback at once, "
                "and your progress is saved. They open when the academy's lesson server is running "
                "(`academy serve`); the printable version works anywhere.",
                "",
                "| Lesson | Time | What you do | On paper |",
                "|---|---|---|---|",
                *rows,
            ]
        )
    return sections
