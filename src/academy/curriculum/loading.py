"""Load the academy's curriculum files into typed models, collecting schema findings.

`load_curriculum` never raises on bad content: it returns what it could read plus the
findings, so `academy validate` reports every problem at once. What could not be read is
recorded in `Curriculum.broken` (by input name, see `INPUTS`), so that a check which needs
it is skipped instead of reporting the same mistake again as a cascade of other problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from academy.core.errors import FileError
from academy.core.findings import Finding, rel
from academy.core.schema import check_model
from academy.core.yamlfile import YamlDoc, read_yaml
from academy.curriculum.lessons import (
    CLICKTHROUGH_DIR,
    LESSON_SUFFIXES,
    Lesson,
    is_clickthrough,
    lesson_paths,
    read_lesson,
)
from academy.curriculum.models import (
    Academy,
    Course,
    ExerciseSidecar,
    HintsFile,
    Objective,
    ObjectivesFile,
    Role,
    RolesFile,
    Track,
    WrongAnswersFile,
)

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "CLICKTHROUGH_DIR",
    "INPUTS",
    "LESSON_SUFFIXES",
    "Book",
    "Curriculum",
    "Exercise",
    "Lesson",
    "load_curriculum",
    "resolve_doc",
]

# Inputs a check may need whole; one that fails to load is listed in Curriculum.broken.
ACADEMY_FILE = "curriculum/academy.yml"
ROLES_FILE = "curriculum/roles.yml"
OBJECTIVES_FILE = "curriculum/objectives.yml"
TRACK_FILES = "curriculum/tracks/*.yml"
EXERCISE_FILES = "exercises/source/*/exercise.yml"
INPUTS = (ACADEMY_FILE, ROLES_FILE, OBJECTIVES_FILE, TRACK_FILES, EXERCISE_FILES)


@dataclass
class Book:
    """A course's Jupyter Book on disk."""

    track: Track
    course: Course
    dir: Path
    root_doc: str | None = None
    toc_docs: list[str] = field(default_factory=list)
    toc_doc: YamlDoc | None = None
    lessons: list[Lesson] = field(default_factory=list)  # the pages its _toc.yml lists
    unlisted: list[Lesson] = field(default_factory=list)  # lesson files it does not list

    @property
    def minutes(self) -> int:
        return sum(lesson.meta.minutes for lesson in self.lessons if lesson.meta)

    @property
    def readable(self) -> bool:
        """Whether its table of contents and every lesson in it could be read."""
        return self.toc_doc is not None and all(lesson.readable for lesson in self.lessons)


@dataclass
class Exercise:
    """An nbgrader exercise: source notebook plus its exercise.yml (and hints.yml)."""

    id: str
    dir: Path
    sidecar: ExerciseSidecar | None
    doc: YamlDoc | None
    hints: HintsFile | None = None
    hints_doc: YamlDoc | None = None
    wrong_answers: WrongAnswersFile | None = None
    wrong_answers_doc: YamlDoc | None = None

    @property
    def notebook(self) -> Path | None:
        return self.dir / self.sidecar.notebook if self.sidecar else None

    @property
    def hints_path(self) -> Path:
        return self.dir / "hints.yml"

    @property
    def wrong_answers_path(self) -> Path:
        return self.dir / "wrong-answers.yml"


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
    broken: set[str] = field(default_factory=set)  # INPUTS that failed to load
    chosen_city: str = ""  # the city given to load_curriculum, if any

    @property
    def city(self) -> str:
        """The city this curriculum is checked and built for: the one chosen when it was
        loaded, else academy.yml's `city`."""
        return self.chosen_city or (self.academy.city.strip() if self.academy else "")

    def course(self, course_id: str) -> Course | None:
        return next((b.course for b in self.books if b.course.id == course_id), None)

    def book(self, course_id: str) -> Book | None:
        return next((b for b in self.books if b.course.id == course_id), None)

    def exercises_of(self, course_id: str) -> list[Exercise]:
        return [e for e in self.exercises if e.sidecar and e.sidecar.course == course_id]

    @property
    def lessons(self) -> list[tuple[Book, Lesson]]:
        """Every lesson file of every course book: those its _toc.yml lists, in order, then
        those it does not (still checked, so every problem shows in one pass)."""
        return [(b, lesson) for b in self.books for lesson in [*b.lessons, *b.unlisted]]


def _read(path: Path, root: Path, findings: list[Finding]) -> YamlDoc | None:
    try:
        return read_yaml(path)
    except FileError as exc:
        findings.append(exc.finding(root))
        return None


def read_toc(doc: YamlDoc, root: Path) -> tuple[str | None, list[str], list[Finding]]:
    """Root and ordered pages of a course's _toc.yml, read by sphinx-external-toc (the parser
    Jupyter Book itself uses), or the finding that says why it cannot be read."""
    from sphinx_external_toc.parsing import MalformedError, parse_toc_data

    try:
        site = parse_toc_data(doc.data)
    except MalformedError as exc:
        problem = Finding(
            rel(doc.path, root),
            1,
            "toc-format",
            f"{exc}; write it as a Jupyter Book table of contents (format: jb-book, root, chapters)",
        )
        return None, [], [problem]
    docs = list(site)
    return site.root.docname, docs[1:], []


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


def load_book(
    track: Track, course: Course, root: Path, paths: list[Path], findings: list[Finding]
) -> Book:
    """A course's book: its table of contents, the lessons it lists, and the lesson files in
    its folder (`paths`: every lesson file under tracks/) that it does not list."""
    book = Book(track=track, course=course, dir=root / "tracks" / track.id / course.id)
    toc_path = book.dir / "_toc.yml"
    if not toc_path.is_file():
        return book
    toc_doc = _read(toc_path, root, findings)
    if toc_doc is None:
        return book
    book.root_doc, book.toc_docs, problems = read_toc(toc_doc, root)
    findings += problems
    if problems:
        return book  # toc_doc stays None: the book's pages are unknown
    book.toc_doc = toc_doc
    for docname in book.toc_docs:
        path = resolve_doc(book.dir, docname)
        if path is None:
            continue
        lesson, found = read_lesson(path, root, docname)
        book.lessons.append(lesson)
        findings += found
    listed = {book.root_doc, *book.toc_docs}
    for path in paths:
        if book.dir not in path.parents:
            continue
        inside = path.relative_to(book.dir)
        docname = inside.with_suffix("").as_posix()
        if docname not in listed and (
            is_clickthrough(path) or CLICKTHROUGH_DIR not in inside.parts
        ):
            lesson, found = read_lesson(path, root, docname)
            book.unlisted.append(lesson)
            findings += found
    return book


def load_exercises(
    root: Path, findings: list[Finding], broken: set[str] | None = None
) -> list[Exercise]:
    """Every exercises/source/<exercise>/ with its exercise.yml (and hints.yml) read and
    checked; an exercise.yml that cannot be read adds EXERCISE_FILES to `broken`."""
    broken = set() if broken is None else broken
    exercises = []
    source = root / "exercises" / "source"
    for sidecar_path in sorted(source.glob("*/exercise.yml")):
        doc = _read(sidecar_path, root, findings)
        sidecar = None
        if doc is not None:
            sidecar, found = check_model(ExerciseSidecar, doc, root)
            findings += found
        if sidecar is None:
            broken.add(EXERCISE_FILES)
        exercise = Exercise(sidecar_path.parent.name, sidecar_path.parent, sidecar, doc)
        if exercise.hints_path.is_file():
            exercise.hints_doc = _read(exercise.hints_path, root, findings)
            if exercise.hints_doc is not None:
                exercise.hints, found = check_model(HintsFile, exercise.hints_doc, root)
                findings += found
        if exercise.wrong_answers_path.is_file():
            exercise.wrong_answers_doc = _read(exercise.wrong_answers_path, root, findings)
            if exercise.wrong_answers_doc is not None:
                exercise.wrong_answers, found = check_model(
                    WrongAnswersFile, exercise.wrong_answers_doc, root
                )
                findings += found
        exercises.append(exercise)
    return exercises


def _partial_track(data: Any) -> Track | None:
    """A track file that does not match its format, as far as it can be read: its id and
    the courses that are well-formed. Their books are then still read and checked (the
    checks that need every track whole are skipped: TRACK_FILES is broken)."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return None
    courses = []
    items = data["courses"] if isinstance(data.get("courses"), list) else []
    for item in items:
        try:
            courses.append(Course.model_validate(item))
        except ValidationError:
            continue
    return Track.model_construct(
        id=data["id"],
        title=str(data.get("title") or ""),
        audience=str(data.get("audience") or ""),
        summary=str(data.get("summary") or ""),
        prerequisites=[],
        outcomes=[],
        graded=False,
        courses=courses,
    )


def load_curriculum(root: Path, city: str | None = None) -> tuple[Curriculum, list[Finding]]:
    """Read every curriculum file under `root`, for `city` (default: academy.yml's);
    return the models and the schema findings."""
    findings: list[Finding] = []
    cur = Curriculum(root=root, chosen_city=(city or "").strip())
    cdir = root / "curriculum"

    def load(name: str, model: type[M], input_name: str) -> M | None:
        doc = _read(cdir / name, root, findings)
        value = None
        if doc is not None:
            cur.docs[name] = doc
            value, found = check_model(model, doc, root)
            findings.extend(found)
        if value is None:
            cur.broken.add(input_name)
        return value

    cur.academy = load("academy.yml", Academy, ACADEMY_FILE)
    roles = load("roles.yml", RolesFile, ROLES_FILE)
    cur.roles = roles.roles if roles else []
    objectives = load("objectives.yml", ObjectivesFile, OBJECTIVES_FILE)
    for objective in objectives.objectives if objectives else []:
        cur.objectives.setdefault(objective.id, objective)
    for track_path in sorted((cdir / "tracks").glob("*.yml")):
        key = f"tracks/{track_path.name}"
        track = load(key, Track, TRACK_FILES)
        if track is None and key in cur.docs:
            track = _partial_track(cur.docs[key].data)
        if track is None:
            continue
        if track.id != track_path.stem:  # reported by the id-format rule
            cur.docs[f"tracks/{track.id}.yml"] = cur.docs[key]
        cur.tracks.append(track)
    order = {t: i for i, t in enumerate(cur.academy.tracks)} if cur.academy else {}
    cur.tracks.sort(key=lambda t: order.get(t.id, len(order)))
    paths = lesson_paths(root)
    for track in cur.tracks:
        for course in track.courses:
            cur.books.append(load_book(track, course, root, paths, findings))
    cur.exercises = load_exercises(root, findings, cur.broken)
    return cur, findings
