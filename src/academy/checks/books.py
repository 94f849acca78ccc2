"""Course books: every course has a book folder, and its table of contents lists exactly
the lessons in it."""

from __future__ import annotations

from academy.checks.ids import at, track_key
from academy.checks.rule import Context, Rule, check
from academy.core.findings import Finding, rel
from academy.core.yamlfile import YamlDoc
from academy.curriculum.loading import TRACK_FILES, resolve_doc

COURSE_FOLDER = Rule(
    "course-folder",
    "Every course has `tracks/<track>/<course>/` with a `_toc.yml` and a `_config.yml`, and "
    "every book folder there is a course of its track.",
)
TOC_FORMAT = Rule(
    "toc-format",
    "Every course's `_toc.yml` is a Jupyter Book table of contents that sphinx-external-toc "
    "(the parser Jupyter Book uses) can read.",
)
TOC_MISSING = Rule(
    "toc-missing", "Every lesson file in a course folder is listed in the course's `_toc.yml`."
)
TOC_ORPHAN = Rule(
    "toc-orphan", "Every page a `_toc.yml` lists (and its root page) exists in the course folder."
)


@check(COURSE_FOLDER)
def course_folders(ctx: Context) -> list[Finding]:
    cur = ctx.cur
    findings = []
    for track in cur.tracks:
        for c, course in enumerate(track.courses):
            book = cur.book(course.id)
            if book is None:
                continue
            for needed in ("_toc.yml", "_config.yml"):
                if not (book.dir / needed).is_file():
                    findings.append(
                        at(
                            cur,
                            track_key(track.id),
                            ("courses", c, "id"),
                            COURSE_FOLDER,
                            f"course '{course.id}' has no {rel(book.dir / needed, cur.root)}; create it",
                        )
                    )
    return findings


@check(COURSE_FOLDER, needs=(TRACK_FILES,))
def stray_books(ctx: Context) -> list[Finding]:
    cur = ctx.cur
    declared = {b.dir.resolve() for b in cur.books}
    return [
        COURSE_FOLDER.at(
            rel(toc, cur.root),
            1,
            f"book '{toc.parent.name}' is not a course in curriculum/tracks/{toc.parent.parent.name}.yml; "
            "add it there or remove the folder",
        )
        for toc in sorted((cur.root / "tracks").glob("*/*/_toc.yml"))
        if toc.parent.resolve() not in declared
    ]


def _toc_line(doc: YamlDoc, docname: str) -> int:
    for loc, line in doc.lines.items():
        if loc and loc[-1] == "file":
            node = doc.data
            try:
                for part in loc:
                    node = node[part]
            except (KeyError, IndexError, TypeError):
                continue
            if node == docname:
                return line
    return 1


@check(TOC_MISSING, TOC_ORPHAN)
def tables_of_contents(ctx: Context) -> list[Finding]:
    cur = ctx.cur
    findings: list[Finding] = []
    for book in cur.books:
        if book.toc_doc is None:
            continue
        toc_path = rel(book.toc_doc.path, cur.root)
        for docname in book.toc_docs:
            if resolve_doc(book.dir, docname) is None:
                findings.append(
                    TOC_ORPHAN.at(
                        toc_path,
                        _toc_line(book.toc_doc, docname),
                        f"'{docname}' is listed but no {docname}.md, .ipynb or click-through .yml "
                        "exists; create it or remove the entry",
                    )
                )
        if book.root_doc and resolve_doc(book.dir, book.root_doc) is None:
            findings.append(
                TOC_ORPHAN.at(
                    toc_path,
                    book.toc_doc.line(("root",)),
                    f"root page '{book.root_doc}' does not exist; create it",
                )
            )
        for lesson in book.unlisted:
            findings.append(
                TOC_MISSING.at(
                    rel(lesson.path, cur.root),
                    1,
                    f"lesson is not in {toc_path}; add '- file: {lesson.docname}' to it or "
                    "delete the file",
                )
            )
    return findings
