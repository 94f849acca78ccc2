"""Load the academy's curriculum files into typed models, collecting schema findings.

`load_curriculum` never raises on bad content: it returns what it could read plus the
findings, so `academy validate` reports every problem at once.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from academy.core.findings import Finding, rel
from academy.core.yamlfile import YamlDoc, YamlFileError, parse_yaml, read_yaml, split_front_matter
from academy.curriculum.models import (
    Academy,
    Course,
    ExerciseSidecar,
    LessonMeta,
    Objective,
    ObjectivesFile,
    Role,
    RolesFile,
    Track,
)
from academy.data.city import CITY_ENV

M = TypeVar("M", bound=BaseModel)

LESSON_SUFFIXES = (".md", ".ipynb")
CLICKTHROUGH_DIR = "clickthrough"  # <course>/clickthrough/<lesson>.yml: click-through lessons


@dataclass
class Lesson:
    """One page of a course book that is a lesson (every toc entry but the root)."""

    path: Path
    docname: str
    title: str
    meta: LessonMeta | None
    front: YamlDoc | None
    text: str


@dataclass
class Book:
    """A course's Jupyter Book on disk."""

    track: Track
    course: Course
    dir: Path
    root_doc: str | None = None
    toc_docs: list[str] = field(default_factory=list)
    toc_doc: YamlDoc | None = None
    lessons: list[Lesson] = field(default_factory=list)

    @property
    def minutes(self) -> int:
        return sum(lesson.meta.minutes for lesson in self.lessons if lesson.meta)


@dataclass
class Exercise:
    """An nbgrader exercise: source notebook plus its exercise.yml."""

    id: str
    dir: Path
    sidecar: ExerciseSidecar | None
    doc: YamlDoc | None

    @property
    def notebook(self) -> Path | None:
        return self.dir / self.sidecar.notebook if self.sidecar else None


@dataclass
class Curriculum:
    """Everything the academy's files say, as typed models."""

    root: Path
    academy: Academy | None = None
    roles: list[Role] = field(default_factory=list)
    objectives: dict[str, Objective] = field(default_factory=dict)
    tracks: list[Track] = field(default_factory=list)
    books: list[Book] = field(default_factory=list)
    exercises: list[Exercise] = field(default_factory=list)
    docs: dict[str, YamlDoc] = field(default_factory=dict)

    @property
    def city(self) -> str:
        """The active city: $ACADEMY_CITY when set, else academy.yml's `city`."""
        return os.environ.get(CITY_ENV, "").strip() or (self.academy.city if self.academy else "")

    def course(self, course_id: str) -> Course | None:
        return next((b.course for b in self.books if b.course.id == course_id), None)

    def book(self, course_id: str) -> Book | None:
        return next((b for b in self.books if b.course.id == course_id), None)

    def exercises_of(self, course_id: str) -> list[Exercise]:
        return [e for e in self.exercises if e.sidecar and e.sidecar.course == course_id]


def _describe(error: dict[str, Any]) -> str:
    loc = ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{error['loc'][-1]}'; remove it or check its spelling"
    if kind == "missing":
        return f"missing required key '{loc}'; add it"
    return f"'{loc}': {error['msg']}"


def check_model(
    model: type[M], doc: YamlDoc, root: Path, base: tuple = ()
) -> tuple[M | None, list[Finding]]:
    """Validate `doc.data` (or the part at `base`) against `model`; findings carry lines."""
    data = doc.data
    for key in base:
        data = data[key]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        findings = [
            Finding(rel(doc.path, root), doc.line((*base, *e["loc"])), "schema", _describe(e))
            for e in exc.errors()
        ]
        return None, findings


def _read(path: Path, root: Path, findings: list[Finding]) -> YamlDoc | None:
    try:
        return read_yaml(path)
    except YamlFileError as exc:
        findings.append(file_error_finding(exc, root))
        return None


def file_error_finding(exc: YamlFileError, root: Path) -> Finding:
    """The finding that reports a YAML file that could not be read."""
    return Finding(rel(exc.path, root), exc.line, exc.rule, exc.message)


def _lesson_title(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def _read_clickthrough(path: Path, docname: str) -> Lesson:
    """A click-through lesson YAML as a Lesson; its own rules live in academy.clickthrough."""
    try:
        doc = read_yaml(path)
    except YamlFileError:
        return Lesson(path, docname, "", None, None, "")
    data = doc.data if isinstance(doc.data, dict) else {}
    keys = ("objectives", "key_points", "minutes", "datasets")
    front = YamlDoc(path, {"academy": {k: data[k] for k in keys if k in data}}, {(): 1})
    front.lines.update({("academy", *loc): line for loc, line in doc.lines.items() if loc})
    try:
        meta = LessonMeta.model_validate(front.data["academy"])
    except ValidationError:
        meta = None  # reported with lines by academy.clickthrough.validate
    title = data.get("title") if isinstance(data.get("title"), str) else ""
    return Lesson(path, docname, title, meta, front, "")


def read_lesson(path: Path, docname: str, root: Path) -> tuple[Lesson, list[Finding]]:
    """Read a lesson page and its `academy:` front matter."""
    findings: list[Finding] = []
    if path.suffix == ".yml" and path.parent.name == CLICKTHROUGH_DIR:
        return _read_clickthrough(path, docname), []
    if path.suffix == ".ipynb":
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            return Lesson(path, docname, "", None, None, ""), [
                Finding(
                    rel(path, root),
                    exc.lineno,
                    "notebook-json",
                    f"{exc.msg}; fix the notebook JSON",
                )
            ]
        text = "\n".join(
            "".join(c.get("source", ""))
            for c in nb.get("cells", [])
            if c.get("cell_type") == "markdown"
        )
        meta_data = nb.get("metadata", {}).get("academy")
        front = YamlDoc(path, {"academy": meta_data} if meta_data is not None else {}, {(): 1})
    else:
        text = path.read_text(encoding="utf-8")
        split = split_front_matter(text)
        front = None
        if split:
            try:
                front = parse_yaml(split[0], path, first_line=split[1])
            except YamlFileError as exc:
                findings.append(file_error_finding(exc, root))
    meta = None
    if front is not None and isinstance(front.data, dict) and "academy" in front.data:
        meta, found = check_model(LessonMeta, front, root, base=("academy",))
        findings += found
    return Lesson(path, docname, _lesson_title(text), meta, front, text), findings


def _toc_docs(toc: Any) -> tuple[str | None, list[str]]:
    """Root and ordered file entries of a jb-book _toc.yml."""
    if not isinstance(toc, dict):
        return None, []
    docs: list[str] = []

    def walk(entries: Any) -> None:
        for entry in entries or []:
            if not isinstance(entry, dict):
                continue
            if "file" in entry:
                docs.append(str(entry["file"]))
            walk(entry.get("sections"))
            for part in entry.get("parts", []) or []:
                walk(part.get("chapters"))
            walk(entry.get("chapters"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []) or []:
        walk(part.get("chapters"))
    return toc.get("root"), docs


def resolve_doc(book_dir: Path, docname: str) -> Path | None:
    """The file behind a toc entry, trying the suffixes Jupyter Book accepts."""
    for suffix in ("", *LESSON_SUFFIXES):
        candidate = book_dir / f"{docname}{suffix}"
        if candidate.is_file() and candidate.suffix in LESSON_SUFFIXES:
            return candidate
    clickthrough = book_dir / f"{docname}.yml"
    if docname.startswith(f"{CLICKTHROUGH_DIR}/") and clickthrough.is_file():
        return clickthrough
    return None


def load_book(track: Track, course: Course, root: Path, findings: list[Finding]) -> Book:
    book = Book(track=track, course=course, dir=root / "tracks" / track.id / course.id)
    toc_path = book.dir / "_toc.yml"
    if not toc_path.is_file():
        return book
    book.toc_doc = _read(toc_path, root, findings)
    if book.toc_doc is None:
        return book
    book.root_doc, book.toc_docs = _toc_docs(book.toc_doc.data)
    for docname in book.toc_docs:
        path = resolve_doc(book.dir, docname)
        if path is None:
            continue
        lesson, found = read_lesson(path, docname, root)
        book.lessons.append(lesson)
        findings += found
    return book


def load_exercises(root: Path, findings: list[Finding]) -> list[Exercise]:
    exercises = []
    source = root / "exercises" / "source"
    for sidecar_path in sorted(source.glob("*/exercise.yml")):
        doc = _read(sidecar_path, root, findings)
        sidecar = None
        if doc is not None:
            sidecar, found = check_model(ExerciseSidecar, doc, root)
            findings += found
        exercises.append(Exercise(sidecar_path.parent.name, sidecar_path.parent, sidecar, doc))
    return exercises


def load_curriculum(root: Path) -> tuple[Curriculum, list[Finding]]:
    """Read every curriculum file under `root`; return the models and the schema findings."""
    findings: list[Finding] = []
    cur = Curriculum(root=root)
    cdir = root / "curriculum"

    def load(name: str, model: type[M]) -> M | None:
        doc = _read(cdir / name, root, findings)
        if doc is None:
            return None
        cur.docs[name] = doc
        value, found = check_model(model, doc, root)
        findings.extend(found)
        return value

    cur.academy = load("academy.yml", Academy)
    roles = load("roles.yml", RolesFile)
    cur.roles = roles.roles if roles else []
    objectives = load("objectives.yml", ObjectivesFile)
    for objective in objectives.objectives if objectives else []:
        cur.objectives.setdefault(objective.id, objective)
    for track_path in sorted((cdir / "tracks").glob("*.yml")):
        key = f"tracks/{track_path.name}"
        track = load(key, Track)
        if track is None:
            continue
        if track.id != track_path.stem:
            findings.append(
                Finding(
                    rel(track_path, root),
                    cur.docs[key].line(("id",)),
                    "id-format",
                    f"track id '{track.id}' must match its file name '{track_path.stem}'; rename one",
                )
            )
            cur.docs[f"tracks/{track.id}.yml"] = cur.docs[key]
        cur.tracks.append(track)
    order = {t: i for i, t in enumerate(cur.academy.tracks)} if cur.academy else {}
    cur.tracks.sort(key=lambda t: order.get(t.id, len(order)))
    for track in cur.tracks:
        for course in track.courses:
            cur.books.append(load_book(track, course, root, findings))
    cur.exercises = load_exercises(root, findings)
    return cur, findings
