"""`academy build` step for click-through lessons.

For the active city it runs every lesson's queries, writes the resolved lesson and a
one-cell Voilà notebook under build/lessons/<course>/, and a small stand-in page at
build/site/lessons/<course>/<lesson>/index.html, the lesson's stable URL, for when the
site is opened without the lesson server (`academy serve` answers that URL itself).
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from academy.clickthrough.catalogue import (
    CatalogueCourse,
    CatalogueExercise,
    CatalogueLesson,
    CatalogueTrack,
    LessonCatalogue,
    write_catalogue,
)
from academy.clickthrough.city import city_view
from academy.clickthrough.errors import QueryError, ResolveError
from academy.clickthrough.lesson_files import LessonFile, lesson_files
from academy.clickthrough.model import ClickLesson
from academy.clickthrough.queries import check_queries, evaluate_queries
from academy.clickthrough.resolve import lesson_facts, resolve_lesson, truthy
from academy.core.brand import BRAND, plain_page, topbar
from academy.core.errors import AcademyError, FileError
from academy.core.findings import Finding, rel
from academy.core.paths import book_site_dir
from academy.curriculum.loading import Curriculum
from academy.data.city import city_name
from academy.data.fields import unavailable_because
from academy.data.spec import base_table

LESSONS_DIR = "lessons"


@dataclass(frozen=True)
class BuiltLesson:
    """One lesson ready to serve."""

    id: str
    course: str
    name: str
    title: str
    notebook: Path
    resolved: Path


def lesson_url(course: str, name: str) -> str:
    """The lesson's stable URL path on the academy server."""
    return f"/{LESSONS_DIR}/{course}/{name}/"


def data_loader(root: Path, city: str) -> Callable[[str], pd.DataFrame]:
    """Rows of a canonical table (for `city`) or of a published file, each read once."""
    from academy.data import raw, table

    @cache
    def load(name: str) -> pd.DataFrame:
        return raw(name, root) if "/" in name else table(name, city=city, root=root)

    return load


def course_page_href(course_id: str, depth: int) -> str:
    """The portal's page of a course, from a page `depth` folders down."""
    return f"{'../' * depth}courses/{course_id}.html"


def next_lessons(items: list[LessonFile]) -> dict[str, LessonFile]:
    """{lesson id: the click-through lesson to take after it}: the next one in its course
    (in the course's table of contents), then the first of the track's next course."""
    listed = [i for i in items if i.lesson is not None and i.docname in i.book.toc_docs]
    by_track: dict[str, list[LessonFile]] = {}
    for item in listed:
        by_track.setdefault(item.book.track.id, []).append(item)
    following: dict[str, LessonFile] = {}
    for track_items in by_track.values():
        courses = [c.id for c in track_items[0].book.track.courses]
        track_items.sort(
            key=lambda i: (
                courses.index(i.book.course.id) if i.book.course.id in courses else len(courses),
                i.book.toc_docs.index(i.docname),
            )
        )
        for item, after in itertools.pairwise(track_items):
            following[item.id] = after
    return following


def resolve_file(
    item: LessonFile,
    cur: Curriculum,
    city: str,
    load: Callable[[str], pd.DataFrame],
    depth: int = 3,
    after: LessonFile | None = None,
) -> dict[str, Any]:
    """The resolved lesson for one file; problems raise AcademyError with file and line."""
    if item.lesson is None:
        first = (
            item.findings[0]
            if item.findings
            else Finding(rel(item.path, cur.root), 1, "schema", "cannot read")
        )
        raise FileError.of(first, "run `academy validate`")
    where = rel(item.path, cur.root)
    up = "../" * depth
    book = item.book
    links = {
        "course": course_page_href(book.course.id, depth),
        "printable": f"{up}{book_site_dir(book.track.id, book.course.id)}/{item.docname}.html",
        "home": f"{up}index.html",
        "progress": f"{up}my-progress/",
    }
    if after is not None and after.lesson is not None:
        links["next"] = up.rstrip("/") + lesson_url(after.book.course.id, after.name)
        links["next_title"] = after.lesson.title
    lesson = item.lesson
    objectives = [cur.objectives[o].statement for o in lesson.objectives if o in cur.objectives]
    try:
        data_city, because = city_for(lesson, cur.root, city, load)
        if data_city != city:
            load = data_loader(cur.root, data_city)
        view = city_view(cur.root, data_city)
        tables = [base_table(d) for d in lesson.datasets if "/" not in d]
        reason = unavailable_because(lesson.needs, tables, data_city, cur.root)
        if reason is not None:
            facts = lesson_facts(lesson, item.id, book.course.title, objectives, city, links)
            return unavailable_lesson(facts, reason)
        results = evaluate_queries(lesson, load)
        shapes, _ = check_queries(lesson, lambda name: list(load(name).columns))
        resolved = resolve_lesson(
            lesson,
            results,
            lesson_id=item.id,
            lesson_dir=item.path.parent,
            course_title=book.course.title,
            objectives=objectives,
            city=city,
            view=view,
            links=links,
            graded=book.course.check == item.name,
            reads={name: shape.reads for name, shape in shapes.items()},
            data_city_name=city_name(lesson.city, cur.root) if lesson.city else None,
        )
        if because is not None:
            resolved["data_note"] = because
        return resolved
    except (QueryError, ResolveError) as exc:
        raise AcademyError(
            f"{where}:{item.line(exc.loc)}: clickthrough-build: {exc.message} (city: {city})"
        ) from exc


def catalogue_of(cur: Curriculum, city: str, built: list[LessonFile]) -> LessonCatalogue:
    """The catalogue of the lessons that were built (pure)."""
    by_course: dict[str, list[LessonFile]] = {}
    for item in built:
        by_course.setdefault(item.book.course.id, []).append(item)
    tracks = []
    for track in cur.tracks:
        courses = []
        for ref in track.courses:
            book = cur.book(ref.id)
            if book is None:
                continue
            items = sorted(by_course.get(ref.id, []), key=lambda i: book.toc_docs.index(i.docname))
            courses.append(
                CatalogueCourse(
                    id=ref.id,
                    title=book.course.title,
                    url="/" + course_page_href(ref.id, 0),
                    lessons=[
                        CatalogueLesson(
                            id=item.id,
                            title=item.lesson.title,
                            minutes=item.lesson.minutes,
                            url=lesson_url(ref.id, item.name),
                            graded=book.course.check == item.name,
                        )
                        for item in items
                        if item.lesson is not None
                    ],
                    exercises=[
                        CatalogueExercise(id=x.id, title=x.sidecar.title)
                        for x in cur.exercises_of(ref.id)
                        if x.sidecar is not None
                    ],
                )
            )
        tracks.append(CatalogueTrack(id=track.id, title=track.title, courses=courses))
    return LessonCatalogue(city=city, tracks=tracks)


def city_for(
    lesson: ClickLesson, root: Path, city: str, load: Callable[[str], pd.DataFrame]
) -> tuple[str, str | None]:
    """(whose data the lesson uses, the sentence that says so when it is not the active city's).

    A lesson with `otherwise:` uses the active city's data when that city provides the
    canonical tables it reads, publishes every column under `needs:` and passes `teach_if`;
    otherwise the fallback city's, and says why.
    """
    if not lesson.otherwise or lesson.otherwise == city:
        return city, None
    from academy.data.catalogue import canonical_tables

    name = city_name(city, root)
    tables = [base_table(d) for d in lesson.datasets if "/" not in d]
    missing = [t for t in tables if t not in canonical_tables(root, city)]
    lacks: str | None = None
    if missing:
        lacks = f"no {' or '.join(t.replace('_', ' ') for t in missing)} in this academy"
    elif unavailable_because(lesson.needs, tables, city, root) is not None:
        lacks = "nothing on " + ", ".join(lesson.needs).replace("_", " ")
    elif lesson.teach_if is not None:
        results = evaluate_queries(_only_test(lesson), load)
        test = lesson.teach_if
        value = results.get(test if isinstance(test, str) else test.query)
        passes = truthy(value) if isinstance(test, str) else test.passes(value)
        if not passes:
            lacks = lesson.lacks or "not what this lesson needs"
    if lacks is None:
        return city, None
    other = city_name(lesson.otherwise, root)
    return lesson.otherwise, f"This lesson uses {other}'s data, because {name}'s data has {lacks}."


def _only_test(lesson: ClickLesson) -> ClickLesson:
    """The lesson with only the queries its `teach_if` needs (the others may not fit this city)."""
    test = lesson.teach_if
    wanted = {test if isinstance(test, str) else test.query} if test is not None else set()
    keep: dict[str, Any] = {}
    while wanted:
        name = wanted.pop()
        if name in keep or name not in lesson.queries:
            continue
        keep[name] = lesson.queries[name]
        wanted |= {s for s in lesson.queries[name].sources if s in lesson.queries}
    return lesson.model_copy(update={"queries": keep})


def unavailable_lesson(facts: dict[str, Any], reason: str) -> dict[str, Any]:
    """The resolved form of a lesson this city's data cannot teach: its facts, no steps, and why."""
    return {**facts, "data_note": None, "steps": [], "unavailable": reason}


def notebook_json(
    title: str, resolved_name: str, links: dict[str, str], academy: str
) -> dict[str, Any]:
    """The one-cell notebook Voilà runs for a lesson; its metadata carries the bar the
    lesson server puts atop the page (`academy.serve.pages.branded`)."""
    source = f"from academy.clickthrough.app import start\nlesson = start({resolved_name!r})"
    return {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "lesson",
                "metadata": {},
                "outputs": [],
                "source": source,
            }
        ],
        "metadata": {
            "title": title,
            "academy": {"topbar": topbar(links["home"], name=academy)},
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def fallback_page(resolved: dict[str, Any], academy: str) -> str:
    """The lesson's stand-in page, for when the site is opened without the lesson server."""
    links = resolved["links"]
    body = (
        f"<p>{escape(resolved['unavailable'])}</p>"
        if resolved.get("unavailable")
        else "<p>This is a click-through lesson. It opens when the academy runs its lesson "
        "server (<code>academy serve</code>); ask your trainer for the address.</p>"
    )
    return plain_page(
        resolved["title"],
        f"<h1>{escape(resolved['title'])}</h1>{body}"
        f'<ul><li><a href="{escape(links["printable"], quote=True)}">Read the printable '
        "version</a></li>"
        f'<li><a href="{escape(links["course"], quote=True)}">Back to the course</a></li></ul>',
        home=links["home"],
        name=academy,
    )


def progress_fallback(academy: str) -> str:
    """My progress's stand-in page (site/my-progress/index.html)."""
    return plain_page(
        "My progress",
        "<h1>My progress</h1><p>Your progress shows here when the academy runs its lesson "
        "server (<code>academy serve</code>): sign in there, do a lesson, and this page lists "
        "what you have done and what is left for your certificate.</p>"
        '<p><a href="../index.html">Back to the academy home page</a></p>',
        home="../index.html",
        name=academy,
    )


def build_clickthrough(
    cur: Curriculum, city: str, build: Path, site: Path | None
) -> list[BuiltLesson]:
    """Resolve every lesson for `city` into build/lessons; stand-in pages into `site`."""
    out_root = build / LESSONS_DIR
    if out_root.exists():
        shutil.rmtree(out_root)
    load = data_loader(cur.root, city)
    academy = cur.academy.name if cur.academy else BRAND.name
    built, errors = [], []
    done: list[LessonFile] = []
    items = lesson_files(cur)
    following = next_lessons(items)
    for item in items:
        if item.docname not in item.book.toc_docs:
            continue  # validation reports lessons missing from the toc
        try:
            resolved = resolve_file(item, cur, city, load, after=following.get(item.id))
        except AcademyError as exc:
            errors.append(str(exc))
            continue
        if site is not None:
            page = site / LESSONS_DIR / item.book.course.id / item.name / "index.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(fallback_page(resolved, academy), encoding="utf-8")
        if resolved.get("unavailable"):
            continue  # nothing to serve: the pages say why
        folder = out_root / item.book.course.id
        folder.mkdir(parents=True, exist_ok=True)
        resolved_path = folder / f"{item.name}.json"
        resolved_path.write_text(json.dumps(resolved, ensure_ascii=False), encoding="utf-8")
        notebook = folder / f"{item.name}.ipynb"
        notebook.write_text(
            json.dumps(
                notebook_json(resolved["title"], resolved_path.name, resolved["links"], academy),
                indent=1,
            ),
            encoding="utf-8",
        )
        built.append(
            BuiltLesson(
                item.id, item.book.course.id, item.name, resolved["title"], notebook, resolved_path
            )
        )
        done.append(item)
    if errors:
        raise AcademyError("\n".join(errors))
    out_root.mkdir(parents=True, exist_ok=True)
    write_catalogue(catalogue_of(cur, city, done), out_root)
    if site is not None:  # the lesson server answers /my-progress/ itself
        (site / "my-progress").mkdir(parents=True, exist_ok=True)
        (site / "my-progress" / "index.html").write_text(
            progress_fallback(academy), encoding="utf-8"
        )
    return built
