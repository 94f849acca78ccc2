"""The portal's catalogue pages, generated from curriculum/ as Markdown.

Pure functions: a Curriculum in, {page path: Markdown} out. Links into the course
books are raw HTML anchors (`books/<track>/<course>/<page>.html`), because the books
are copied beside the portal after mkdocs builds it; `academy build` then checks every
internal link of the assembled site.
"""

from __future__ import annotations

from html import escape
from statistics import median

from academy.clickthrough.build import lesson_url
from academy.clickthrough.lesson_files import LessonFile, lesson_files
from academy.core.paths import book_site_dir
from academy.curriculum.loading import Book, Curriculum, Lesson
from academy.portal.reference import reference_page


def book_href(book: Book, docname: str | None, depth: int) -> str:
    """Relative URL of a book page from a portal page `depth` folders below the site root."""
    up = "../" * depth
    return f"{up}{book_site_dir(book.track.id, book.course.id)}/{docname or 'index'}.html"


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(href, quote=True)}">{escape(text)}</a>'


def _minutes(minutes: int) -> str:
    hours, mins = divmod(minutes, 60)
    if hours and mins:
        return f"{hours} h {mins} min"
    return f"{hours} h" if hours else f"{mins} min"


def typical_lesson_minutes(cur: Curriculum) -> str:
    """The median lesson length, e.g. '12 minutes', from every lesson's front matter."""
    minutes = [lesson.meta.minutes for b in cur.books for lesson in b.lessons if lesson.meta]
    return f"{round(median(minutes))} minutes" if minutes else "a few minutes"


def track_cards(cur: Curriculum, depth: int = 0) -> str:
    """Markdown list of every track with its audience and time, for home and learn pages."""
    up = "../" * depth
    lines = []
    for track in cur.tracks:
        books = [cur.book(c.id) for c in track.courses]
        minutes = sum(b.minutes for b in books if b)
        lines.append(
            f"- **[{track.title}]({up}tracks/{track.id}.md)** — {track.audience} "
            f"({len(track.courses)} course{'s' if len(track.courses) != 1 else ''}, about {_minutes(minutes)})"
        )
    return "\n".join(lines)


def track_page(cur: Curriculum, track_id: str) -> str:
    track = next(t for t in cur.tracks if t.id == track_id)
    out = [f"# {track.title}", "", f"**Who it is for:** {track.audience}", "", track.summary, ""]
    if track.prerequisites:
        names = {t.id: t.title for t in cur.tracks}
        out += [
            "**Take first:** " + ", ".join(f"[{names[p]}]({p}.md)" for p in track.prerequisites),
            "",
        ]
    out += ["## After this track you can", ""]
    out += [f"- {cur.objectives[o].statement}" for o in track.outcomes if o in cur.objectives]
    out += ["", "## Courses, in order", ""]
    for n, course in enumerate(track.courses, start=1):
        book = cur.book(course.id)
        minutes = _minutes(book.minutes) if book else "?"
        out.append(
            f"{n}. **[{course.title}](../courses/{course.id}.md)** ({minutes}) — {course.summary}"
        )
    return "\n".join(out) + "\n"


def lesson_unavailable(cur: Curriculum, meta: object) -> str | None:
    """Why a lesson is not available for the academy's city (its `needs:`), or None."""
    from academy.core.errors import AcademyError
    from academy.data.fields import unavailable_because
    from academy.data.spec import base_table

    needs = getattr(meta, "needs", None)
    if not needs or getattr(meta, "otherwise", None):
        return None  # a lesson with `otherwise:` is taught on that city's data instead
    tables = [base_table(d) for d in getattr(meta, "datasets", []) if "/" not in d]
    try:
        return unavailable_because(needs, tables, cur.city, cur.root)
    except AcademyError:
        return None  # validation reports a city whose facts cannot be read


def _objectives(cur: Curriculum, ids: list[str]) -> str:
    """The objectives' statements, each a sentence of its own."""
    return " ".join(cur.objectives[o].statement for o in ids if o in cur.objectives)


def _unavailable(cur: Curriculum, lesson: Lesson, live: LessonFile | None) -> str | None:
    """Why this city cannot take the lesson (click-through or book), or None."""
    return lesson_unavailable(cur, live.lesson if live is not None and live.lesson else lesson.meta)


def _lesson_item(cur: Curriculum, book: Book, lesson: Lesson, live: LessonFile | None) -> str:
    """One lesson of the course's list: the lesson to do first, its paper version second."""
    meta = lesson.meta
    minutes = f"{meta.minutes} min" if meta else ""
    goals = _objectives(cur, meta.objectives if meta else [])
    book_page = book_href(book, lesson.docname, 1)
    reason = _unavailable(cur, lesson, live)
    if reason is not None:  # its page says the same; a click-through lesson is not served
        return (
            f'<li><p class="academy-lesson">{_link(book_page, lesson.title)} '
            '<span class="academy-kind">(not available for this city)</span></p>'
            f"<p>{escape(reason)}</p></li>"
        )
    if live is not None and live.lesson is not None:
        href = ".." + lesson_url(book.course.id, live.name)
        kind = f"click-through, {minutes}"
        paper = (
            f'<p class="academy-paper">On paper: {_link(book_page, "printable version")} '
            "(it ends with the answers, for the trainer)</p>"
        )
        about, goals = live.lesson.summary, ""
    else:
        href, kind, paper, about = book_page, f"reading, {minutes}", "", ""
    lines = [
        f'<li><p class="academy-lesson">{_link(href, lesson.title)} '
        f'<span class="academy-kind">({escape(kind)})</span></p>'
    ]
    if about:
        lines.append(f"<p>{escape(about)}</p>")
    if goals:
        lines.append(f'<p class="academy-goals">You will: {escape(goals)}</p>')
    lines.append(f"{paper}</li>")
    return "".join(lines)


def course_page(cur: Curriculum, course_id: str, live: dict[str, LessonFile] | None = None) -> str:
    """A course's page: what it is, the button to its first lesson, and one list of its
    lessons (click-through ones open on the lesson server; their printable pages, which
    end with the trainer's answers, are offered second, for paper). `live`: the course's
    click-through lessons by docname."""
    book = cur.book(course_id)
    assert book is not None
    live = live or {}
    course = book.course
    lessons = [x for x in book.lessons if x.docname != course.check_docname]
    open_ = [x for x in lessons if _unavailable(cur, x, live.get(x.docname)) is None]
    first = next(iter(open_ or lessons), None)
    out = [
        f"# {course.title}",
        "",
        f"Part of the **[{book.track.title}](../tracks/{book.track.id}.md)** track · about {_minutes(book.minutes)}",
        "",
        course.summary,
        "",
    ]
    if first is not None:
        item = live.get(first.docname)
        href = (
            ".." + lesson_url(course.id, item.name)
            if item is not None
            else book_href(book, first.docname, 1)
        )
        out += [f'<p class="academy-start">{_link(href, f"Start: {first.title}")}</p>', ""]
    if any(x.docname in live for x in lessons):
        out += [
            "Click-through lessons are done on screen (a tablet, a phone or a shared PC): tap "
            "an answer and you are told at once why it is right or not, and your progress is "
            "saved. Each one also has a printable version, for paper.",
            "",
        ]
    if course.prerequisites:
        titles = {b.course.id: b.course.title for b in cur.books}
        out += [
            "**Take first:** "
            + ", ".join(f"[{titles.get(p, p)}]({p}.md)" for p in course.prerequisites),
            "",
        ]
    out += ["## You will be able to", ""]
    out += [f"- {cur.objectives[o].statement}" for o in course.outcomes if o in cur.objectives]
    out += ["", "## Lessons", "", '<ol class="academy-course-lessons">']
    out += [_lesson_item(cur, book, lesson, live.get(lesson.docname)) for lesson in lessons]
    out += ["</ol>", ""]
    whole = "The whole course as one printable book" if live else "The whole course as a book"
    out += [f'<p class="academy-paper">{_link(book_href(book, book.root_doc, 1), whole)}</p>']
    exercises = cur.exercises_of(course_id)
    check = next((x for x in book.lessons if x.docname == course.check_docname and x.meta), None)
    if exercises or check:
        out += ["", "## Graded practice", "", "| Exercise | Time | Assesses |", "|---|---|---|"]
        for exercise in exercises:
            side = exercise.sidecar
            assert side is not None
            goals = sorted({o for objectives in side.grade_ids.values() for o in objectives})
            out.append(
                f"| {escape(side.title)} | {side.minutes} min | {escape(_objectives(cur, goals))} |"
            )
        if check is not None and check.meta is not None:
            title = _link(".." + lesson_url(course.id, course.check or ""), check.title)
            paper = _link(book_href(book, check.docname, 1), "printable questions")
            out.append(
                f"| Graded check: {title}, click-through, no code; your first answers are your "
                f"score ({paper}) | {check.meta.minutes} min | "
                f"{escape(_objectives(cur, check.meta.objectives))} |"
            )
    return "\n".join(out) + "\n"


def roles_page(cur: Curriculum) -> str:
    titles = {b.course.id: (b.course.title, b.track.title) for b in cur.books}
    out = [
        "# Find your path",
        "",
        "Pick the role closest to your job. The courses are listed in the order to take them.",
        "",
    ]
    for role in cur.roles:
        out += [f"## {role.title}", "", role.description, ""]
        for n, course_id in enumerate(role.path, start=1):
            title, track = titles.get(course_id, (course_id, ""))
            out.append(f"{n}. [{title}](courses/{course_id}.md) ({track})")
        out.append("")
    return "\n".join(out)


def learn_page(cur: Curriculum) -> str:
    return "\n".join(
        [
            "# Learn",
            "",
            "The academy has tracks for different jobs. Start with the first one unless you already work with data every day.",
            "",
            track_cards(cur, depth=1),
            "",
            "Not sure where to start? [Find the path for your role](../roles.md).",
            "",
        ]
    )


def live_lessons(cur: Curriculum) -> dict[str, dict[str, LessonFile]]:
    """{course id: {docname: click-through lesson}} for the lessons the course lists."""
    found: dict[str, dict[str, LessonFile]] = {}
    for item in lesson_files(cur):
        if item.lesson is not None and item.docname in item.book.toc_docs:
            found.setdefault(item.book.course.id, {})[item.docname] = item
    return found


def catalogue_pages(cur: Curriculum) -> dict[str, str]:
    """Every generated page: {path under the portal: Markdown}."""
    pages: dict[str, str] = {
        "tracks/index.md": learn_page(cur),
        "roles.md": roles_page(cur),
        "reference.md": reference_page(),
    }
    for track in cur.tracks:
        pages[f"tracks/{track.id}.md"] = track_page(cur, track.id)
    live = live_lessons(cur)
    for book in cur.books:
        pages[f"courses/{book.course.id}.md"] = course_page(
            cur, book.course.id, live.get(book.course.id)
        )
    return pages


def nav(
    cur: Curriculum, handwritten: list[tuple[str, str]], dataset_pages: list[tuple[str, str]]
) -> list:
    """The portal's navigation: home, the catalogue by track, roles, datasets, guides."""
    learn: list = [{"All tracks": "tracks/index.md"}]
    for track in cur.tracks:
        learn.append(
            {
                track.title: [{"Overview": f"tracks/{track.id}.md"}]
                + [{c.title: f"courses/{c.id}.md"} for c in track.courses]
            }
        )
    out: list = [{"Home": "index.md"}, {"Learn": learn}, {"Find your path": "roles.md"}]
    if dataset_pages:
        out.append({"Datasets": [{title: path} for title, path in dataset_pages]})
    out += [{title: path} for title, path in handwritten]
    out.append({"File formats": "reference.md"})
    return out
