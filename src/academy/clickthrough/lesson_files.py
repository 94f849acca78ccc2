"""Find and read the click-through lesson files of the academy's courses."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from academy.clickthrough import kinds, ops
from academy.clickthrough.model import ClickLesson
from academy.core.errors import FileError
from academy.core.findings import Finding, rel
from academy.core.yamlfile import Loc, YamlDoc, read_yaml
from academy.curriculum.lessons import CLICKTHROUGH_DIR
from academy.curriculum.loading import Book, Curriculum

FOLDER = CLICKTHROUGH_DIR
TAGS = kinds.TAGS | ops.TAGS  # union tags pydantic puts in error locations; not in the file


@dataclass
class LessonFile:
    """One click-through lesson file and what could be read from it."""

    book: Book
    path: Path
    doc: YamlDoc | None = None
    lesson: ClickLesson | None = None
    findings: list[Finding] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def id(self) -> str:
        """'<course>/<lesson>': the id the progress store and URLs use."""
        return f"{self.book.course.id}/{self.name}"

    @property
    def docname(self) -> str:
        """The page name in the course book's _toc.yml."""
        return f"{FOLDER}/{self.name}"

    def line(self, loc: Loc) -> int:
        return line_of(self.doc, loc) if self.doc else 1


def line_of(doc: YamlDoc, loc: Loc) -> int:
    """Line of a pydantic error location, skipping the union tags pydantic adds to it."""
    node: Any = doc.data
    real: list[str | int] = []
    for part in loc:
        children = dict(enumerate(node)) if isinstance(node, list) else node
        if isinstance(children, dict) and part in children:
            node = children[part]
            real.append(part)
        elif isinstance(part, str) and part in TAGS:
            continue
        elif part == "from" or (isinstance(node, dict) and part == "source" and "from" in node):
            node = node.get("from") if isinstance(node, dict) else None
            real.append("from")
        else:
            break
    return doc.line(tuple(real))


def _message(error: ErrorDetails, doc: YamlDoc) -> str:
    kind, loc = error["type"], error["loc"]
    where = ".".join(str(p) for p in loc if not (isinstance(p, str) and p in TAGS))
    if kind == "extra_forbidden":
        return f"unknown key '{loc[-1]}'; remove it or check its spelling"
    if kind == "missing":
        return f"missing required key '{where}'; add it"
    if kind == "unknown_step_kind":
        return kinds.unknown_message(error.get("input"))
    if kind == "unknown_operation":
        return ops.unknown_message(error.get("input"))
    return f"'{where}': {error['msg']}"


def read_lesson_file(book: Book, path: Path, root: Path) -> LessonFile:
    """Parse and schema-check one lesson file; problems become findings with lines."""
    item = LessonFile(book=book, path=path)
    where = rel(path, root)
    try:
        item.doc = read_yaml(path)
    except FileError as exc:
        item.findings.append(exc.finding(root))
        return item
    if not isinstance(item.doc.data, dict):
        item.findings.append(
            Finding(where, 1, "schema", "a lesson file must be a mapping of keys; see the docs")
        )
        return item
    try:
        item.lesson = ClickLesson.model_validate(item.doc.data)
    except ValidationError as exc:
        seen = set()
        for error in exc.errors():
            finding = Finding(
                where, line_of(item.doc, error["loc"]), "schema", _message(error, item.doc)
            )
            if finding not in seen:
                seen.add(finding)
                item.findings.append(finding)
    return item


def lesson_files(cur: Curriculum) -> list[LessonFile]:
    """Every click-through lesson file of every course, read and schema-checked."""
    out = []
    for book in cur.books:
        folder = book.dir / FOLDER
        for path in sorted(folder.glob("*.yml")) + sorted(folder.glob("*.yaml")):
            out.append(read_lesson_file(book, path, cur.root))
    return out
