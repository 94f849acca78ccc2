"""Course pages (pure, on the real curriculum): one list of lessons; a click-through lesson
is listed once, its interactive lesson first and its printable page second, marked for
paper; the big button leads to the first lesson to do, never to a page of answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from academy.curriculum.loading import load_curriculum
from academy.portal.pages import catalogue_pages, live_lessons

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cur():
    return load_curriculum(REPO)[0]


def test_each_lesson_once_interactive_first_printable_second(cur) -> None:
    pages = catalogue_pages(cur)
    live = live_lessons(cur)
    assert live, "the academy has click-through lessons"
    for book in cur.books:
        page = pages[f"courses/{book.course.id}.md"]
        mine = live.get(book.course.id, {})
        assert page.count("## Lessons") == 1 and "Click-through lessons\n" not in page
        for lesson in book.lessons:
            if lesson.docname == book.course.check_docname:
                continue
            printable = f'href="../books/{book.track.id}/{book.course.id}/{lesson.docname}.html"'
            listed = page.split('class="academy-start"')[1].split("</p>", 1)[1]
            assert listed.count(printable) == 1, (book.course.id, lesson.docname)
            item = mine.get(lesson.docname)
            if item is None:
                continue
            interactive = f'href="../lessons/{book.course.id}/{item.name}/"'
            assert listed.count(interactive) == 1  # once in the list
            entry = listed.split(interactive, 1)[1].split("</li>", 1)[0]
            assert printable in entry and "On paper" in entry and "for the trainer" in entry


def test_the_big_button_starts_the_first_lesson(cur) -> None:
    pages = catalogue_pages(cur)
    live = live_lessons(cur)
    for book in cur.books:
        page = pages[f"courses/{book.course.id}.md"]
        button = re.search(r'<p class="academy-start"><a href="([^"]+)">Start: ([^<]+)</a>', page)
        assert button, book.course.id
        first = next(x for x in book.lessons if x.docname != book.course.check_docname)
        item = live.get(book.course.id, {}).get(first.docname)
        if item is not None:
            assert button.group(1) == f"../lessons/{book.course.id}/{item.name}/"
        else:
            assert button.group(1).endswith(f"/{first.docname}.html")
        assert button.group(2) == first.title
