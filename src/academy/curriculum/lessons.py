"""The one reader of lesson front matter: Markdown pages, notebooks and click-through lessons.

A lesson's facts (`LessonMeta`: objectives, key points, minutes, datasets) live

- in a MyST Markdown page's front matter, under `academy:`;
- in a notebook's metadata, under `academy`;
- at the top level of a click-through lesson file, `<course>/clickthrough/<lesson>.yml`,
  beside its queries and steps (`ClickLesson` extends `LessonMeta`).

The build (course pages, data preflight), the data cards and the portal catalogue all
read them here. The whole click-through file is checked by `academy.clickthrough`; its
problems are reported there, once, so this reader reports none for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from academy.core.errors import FileError
from academy.core.findings import Finding, rel
from academy.core.schema import check_model
from academy.core.yamlfile import YamlDoc, parse_yaml, read_yaml, split_front_matter
from academy.curriculum.models import LessonMeta

LESSON_SUFFIXES = (".md", ".ipynb")
CLICKTHROUGH_DIR = "clickthrough"  # <course>/clickthrough/<lesson>.yml: click-through lessons
CLICKTHROUGH_SUFFIX = ".yml"
NOT_LESSONS = frozenset({"_build", ".ipynb_checkpoints"})
META = "academy"  # the front-matter key (and notebook metadata key) of LessonMeta

LessonKind = Literal["page", "notebook", "clickthrough"]


@dataclass
class Lesson:
    """One lesson file and what its front matter says."""

    path: Path
    docname: str
    kind: LessonKind
    title: str
    meta: LessonMeta | None
    front: YamlDoc | None  # the front matter; LessonMeta's keys sit under ("academy", ...)
    text: str  # the Markdown a reader sees (empty for click-through lessons)
    readable: bool = True  # False: the file or its front matter could not be read, or is wrong
    parsed: bool = True  # False: the file or its front matter is not even valid YAML/JSON

    @property
    def declared(self) -> bool:
        """Whether the lesson has an `academy:` block at all."""
        return (
            self.front is not None and isinstance(self.front.data, dict) and META in self.front.data
        )

    @property
    def datasets(self) -> list[str]:
        """The datasets the lesson lists, even when the rest of its front matter is wrong."""
        if self.meta is not None:
            return list(self.meta.datasets)
        block = self.front.data.get(META) if self.declared and self.front else None
        names = block.get("datasets") if isinstance(block, dict) else None
        return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def is_clickthrough(path: Path) -> bool:
    return path.suffix == CLICKTHROUGH_SUFFIX and path.parent.name == CLICKTHROUGH_DIR


def _title(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def _meta(front: YamlDoc, root: Path, report: bool) -> tuple[LessonMeta | None, list[Finding]]:
    if not (isinstance(front.data, dict) and META in front.data):
        return None, []
    meta, findings = check_model(LessonMeta, front, root, base=(META,))
    return meta, findings if report else []


def _clickthrough(path: Path, docname: str, root: Path) -> Lesson:
    try:
        doc = read_yaml(path)
    except FileError:
        return Lesson(
            path, docname, "clickthrough", "", None, None, "", readable=False, parsed=False
        )
    data = doc.data if isinstance(doc.data, dict) else {}
    block = {k: data[k] for k in LessonMeta.model_fields if k in data}
    front = YamlDoc(path, {META: block}, {(): 1, (META,): 1})
    front.lines.update({(META, *loc): line for loc, line in doc.lines.items() if loc})
    try:
        meta = LessonMeta.model_validate(block)
    except ValidationError:
        meta = None  # reported, with lines, by the click-through lesson's own schema check
    title = data["title"] if isinstance(data.get("title"), str) else ""
    return Lesson(path, docname, "clickthrough", title, meta, front, "", readable=meta is not None)


def _notebook(path: Path, docname: str, root: Path) -> tuple[Lesson, list[Finding]]:
    try:
        nb: Any = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        problem = Finding(
            rel(path, root), exc.lineno, "notebook-json", f"{exc.msg}; fix the notebook JSON"
        )
        lesson = Lesson(path, docname, "notebook", "", None, None, "", readable=False, parsed=False)
        return lesson, [problem]
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    text = "\n".join(
        "".join(c.get("source", "")) for c in cells if c.get("cell_type") == "markdown"
    )
    block = nb.get("metadata", {}).get(META) if isinstance(nb, dict) else None
    front = YamlDoc(path, {META: block} if block is not None else {}, {(): 1})
    meta, findings = _meta(front, root, report=True)
    return Lesson(
        path, docname, "notebook", _title(text), meta, front, text, readable=not findings
    ), findings


def _page(path: Path, docname: str, root: Path) -> tuple[Lesson, list[Finding]]:
    text = path.read_text(encoding="utf-8")
    split = split_front_matter(text)
    if split is None:
        return Lesson(path, docname, "page", _title(text), None, None, text), []
    try:
        front = parse_yaml(split[0], path, first_line=split[1])
    except FileError as exc:
        lesson = Lesson(
            path, docname, "page", _title(text), None, None, text, readable=False, parsed=False
        )
        return lesson, [exc.finding(root)]
    meta, findings = _meta(front, root, report=True)
    return Lesson(
        path, docname, "page", _title(text), meta, front, text, readable=not findings
    ), findings


def read_lesson(path: Path, root: Path, docname: str = "") -> tuple[Lesson, list[Finding]]:
    """Read one lesson file's front matter; problems come back as findings, never raised."""
    docname = docname or path.stem
    if is_clickthrough(path):
        return _clickthrough(path, docname, root), []
    if path.suffix == ".ipynb":
        return _notebook(path, docname, root)
    return _page(path, docname, root)


def lesson_paths(root: Path) -> list[Path]:
    """Every file under tracks/<track>/<course>/ that can be a lesson, sorted."""
    tracks = root / "tracks"
    found = []
    for path in sorted(tracks.glob("*/*/**/*")):
        parts = path.relative_to(tracks).parts
        if not path.is_file() or NOT_LESSONS.intersection(parts) or path.name == "README.md":
            continue
        if path.suffix in LESSON_SUFFIXES or is_clickthrough(path):
            found.append(path)
    return found
