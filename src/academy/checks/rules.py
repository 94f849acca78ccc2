"""`academy validate`: every rule returns findings `path:line: rule-id: message`.

Rules (stable ids): yaml-syntax, schema, id-format, id-duplicate, ref-unresolved,
objective-verb, course-folder, toc-missing, toc-orphan, lesson-shape, coverage,
alt-text, notebook-json, exercise-grade-ids; plus the dataset and click-through rules
that live beside their own code (see CHECKS).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from academy.clickthrough.validate import validate_clickthrough
from academy.core.findings import Finding, rel
from academy.core.yamlfile import YamlDoc
from academy.curriculum.loading import (
    CLICKTHROUGH_DIR,
    LESSON_SUFFIXES,
    Book,
    Curriculum,
    Lesson,
    load_curriculum,
    resolve_doc,
)

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Measurable action verbs (after Bloom's taxonomy) an objective may start with.
ACTION_VERBS = frozenset(
    """
    add analyse analyze apply arrange ask assess build calculate chart check choose
    classify clean combine compare compute convert correct count create decide define
    describe design detect distinguish draw enter estimate evaluate explain explore
    export filter find fix flag follow give group identify inspect interpret join judge
    label list load locate map match measure merge name open order outline parse plan
    plot predict present prioritise prioritize protect query question rank read
    recognise recognize record report reshape review select sort spot state summarise
    summarize tell test trace track use validate verify visualise visualize write
    """.split()
)

Check = Callable[[Curriculum], list[Finding]]


def _at(cur: Curriculum, doc_key: str, loc: tuple, rule: str, message: str) -> Finding:
    doc = cur.docs[doc_key]
    return Finding(rel(doc.path, cur.root), doc.line(loc), rule, message)


def _track_key(track_id: str) -> str:
    return f"tracks/{track_id}.yml"


def _ids(cur: Curriculum) -> Iterator[tuple[str, str, tuple, str]]:
    """(kind, doc key, loc, id) for every declared id."""
    if "objectives.yml" in cur.docs:
        for i, item in enumerate(cur.docs["objectives.yml"].data.get("objectives") or []):
            if isinstance(item, dict) and "id" in item:
                yield "objective", "objectives.yml", ("objectives", i, "id"), str(item["id"])
    if "roles.yml" in cur.docs:
        for i, item in enumerate(cur.docs["roles.yml"].data.get("roles") or []):
            if isinstance(item, dict) and "id" in item:
                yield "role", "roles.yml", ("roles", i, "id"), str(item["id"])
    for track in cur.tracks:
        key = _track_key(track.id)
        if key not in cur.docs:
            continue
        yield "track", key, ("id",), track.id
        for i, course in enumerate(track.courses):
            yield "course", key, ("courses", i, "id"), course.id


def check_ids(cur: Curriculum) -> list[Finding]:
    findings = []
    seen: Counter[tuple[str, str]] = Counter()
    for kind, key, loc, value in _ids(cur):
        if not ID_RE.match(value):
            findings.append(
                _at(
                    cur,
                    key,
                    loc,
                    "id-format",
                    f"{kind} id '{value}' must be kebab-case (a-z, 0-9, '-')",
                )
            )
        seen[(kind, value)] += 1
        if seen[(kind, value)] == 2:
            findings.append(
                _at(
                    cur,
                    key,
                    loc,
                    "id-duplicate",
                    f"{kind} id '{value}' is declared more than once; rename one",
                )
            )
    return findings


def _refs(cur: Curriculum) -> Iterator[tuple[str, tuple, str, str]]:
    """(doc key, loc, kind, referenced id) for every id reference in curriculum/."""
    if cur.academy:
        for i, track_id in enumerate(cur.academy.tracks):
            yield "academy.yml", ("tracks", i), "track", track_id
    for r, role in enumerate(cur.roles):
        for i, course_id in enumerate(role.path):
            yield "roles.yml", ("roles", r, "path", i), "course", course_id
    for track in cur.tracks:
        key = _track_key(track.id)
        for i, prereq in enumerate(track.prerequisites):
            yield key, ("prerequisites", i), "track", prereq
        for i, outcome in enumerate(track.outcomes):
            yield key, ("outcomes", i), "objective", outcome
        for c, course in enumerate(track.courses):
            for i, outcome in enumerate(course.outcomes):
                yield key, ("courses", c, "outcomes", i), "objective", outcome
            for i, prereq in enumerate(course.prerequisites):
                yield key, ("courses", c, "prerequisites", i), "course", prereq


def _known(cur: Curriculum) -> dict[str, set[str]]:
    return {
        "objective": set(cur.objectives),
        "track": {t.id for t in cur.tracks},
        "course": {b.course.id for b in cur.books},
    }


def check_refs(cur: Curriculum) -> list[Finding]:
    known = _known(cur)
    findings = [
        _at(cur, key, loc, "ref-unresolved", f"unknown {kind} '{ref}'; declare it or fix the id")
        for key, loc, kind, ref in _refs(cur)
        if key in cur.docs and ref not in known[kind]
    ]
    for book in cur.books:
        for lesson in book.lessons:
            if lesson.meta and lesson.front:
                for i, objective in enumerate(lesson.meta.objectives):
                    if objective not in known["objective"]:
                        findings.append(
                            _front(
                                cur,
                                lesson,
                                ("academy", "objectives", i),
                                "ref-unresolved",
                                f"unknown objective '{objective}'; add it to curriculum/objectives.yml or fix the id",
                            )
                        )
    for exercise in cur.exercises:
        if exercise.sidecar is None or exercise.doc is None:
            continue
        path = rel(exercise.doc.path, cur.root)
        if exercise.sidecar.course not in known["course"]:
            findings.append(
                Finding(
                    path,
                    exercise.doc.line(("course",)),
                    "ref-unresolved",
                    f"unknown course '{exercise.sidecar.course}'; fix the course id",
                )
            )
        for grade_id, objectives in exercise.sidecar.grade_ids.items():
            for i, objective in enumerate(objectives):
                if objective not in known["objective"]:
                    findings.append(
                        Finding(
                            path,
                            exercise.doc.line(("grade_ids", grade_id, i)),
                            "ref-unresolved",
                            f"unknown objective '{objective}'; add it to curriculum/objectives.yml or fix the id",
                        )
                    )
    return findings


def _front(cur: Curriculum, lesson: Lesson, loc: tuple, rule: str, message: str) -> Finding:
    line = lesson.front.line(loc) if lesson.front else 1
    return Finding(rel(lesson.path, cur.root), line, rule, message)


def check_datasets_refs(cur: Curriculum) -> list[Finding]:
    """Lesson and exercise `datasets:` name a dataset package or a table the active city provides."""
    from academy.data import canonical_tables, list_datasets

    if cur.academy is None:
        return []
    infos = list_datasets(cur.root, skip_invalid=True)
    dataset_ids = {d.id for d in infos}
    tables = canonical_tables(cur.root, cur.city, skip_invalid=True)
    findings: list[Finding] = []

    def check(name: str, path: Path, line: int) -> None:
        if "/" in name and name not in dataset_ids:
            findings.append(
                Finding(
                    rel(path, cur.root),
                    line,
                    "ref-unresolved",
                    f"unknown dataset '{name}'; see `academy data list`",
                )
            )
        elif "/" not in name and name not in tables:
            findings.append(
                Finding(
                    rel(path, cur.root),
                    line,
                    "ref-unresolved",
                    f"city '{cur.city}' provides no canonical table '{name}'; "
                    f"it has: {', '.join(sorted(tables)) or 'none'}",
                )
            )

    for book in cur.books:
        for lesson in book.lessons:
            if lesson.meta:
                for i, name in enumerate(lesson.meta.datasets):
                    check(
                        name,
                        lesson.path,
                        lesson.front.line(("academy", "datasets", i)) if lesson.front else 1,
                    )
    for exercise in cur.exercises:
        if exercise.sidecar and exercise.doc:
            for i, name in enumerate(exercise.sidecar.datasets):
                check(name, exercise.doc.path, exercise.doc.line(("datasets", i)))
    if cur.city not in {d.city for d in infos}:
        findings.append(
            _at(
                cur,
                "academy.yml",
                ("city",),
                "ref-unresolved",
                f"no datasets for city '{cur.city}' under datasets/; add them or fix the city",
            )
        )
    return findings


def check_objective_verbs(cur: Curriculum) -> list[Finding]:
    findings = []
    for i, objective in enumerate(cur.objectives.values()):
        first = (
            objective.statement.split()[0].strip(",.").lower()
            if objective.statement.split()
            else ""
        )
        if first not in ACTION_VERBS:
            findings.append(
                _at(
                    cur,
                    "objectives.yml",
                    ("objectives", i, "statement"),
                    "objective-verb",
                    f"objective '{objective.id}' must start with an action verb a trainer can "
                    f"observe (e.g. Identify, Filter, Compare), not '{first}'",
                )
            )
    return findings


def _book_files(book: Book) -> list[Path]:
    skip = {"_build", "clickthrough", ".ipynb_checkpoints"}
    return sorted(
        p
        for p in book.dir.rglob("*")
        if p.suffix in LESSON_SUFFIXES
        and p.is_file()
        and p.name != "README.md"
        and not skip.intersection(p.relative_to(book.dir).parts)
    ) + sorted((book.dir / CLICKTHROUGH_DIR).glob("*.yml"))


def check_books(cur: Curriculum) -> list[Finding]:
    findings: list[Finding] = []
    for track in cur.tracks:
        key = _track_key(track.id)
        for c, course in enumerate(track.courses):
            book = cur.book(course.id)
            if book is None or key not in cur.docs:
                continue
            for needed in ("_toc.yml", "_config.yml"):
                if not (book.dir / needed).is_file():
                    findings.append(
                        _at(
                            cur,
                            key,
                            ("courses", c, "id"),
                            "course-folder",
                            f"course '{course.id}' has no {rel(book.dir / needed, cur.root)}; create it",
                        )
                    )
    declared = {b.dir.resolve() for b in cur.books}
    for toc in sorted((cur.root / "tracks").glob("*/*/_toc.yml")):
        if toc.parent.resolve() not in declared:
            findings.append(
                Finding(
                    rel(toc, cur.root),
                    1,
                    "course-folder",
                    f"book '{toc.parent.name}' is not a course in curriculum/tracks/{toc.parent.parent.name}.yml; add it there or remove the folder",
                )
            )
    for book in cur.books:
        if book.toc_doc is None:
            continue
        toc_path = rel(book.toc_doc.path, cur.root)
        listed = {book.root_doc, *book.toc_docs}
        for i, docname in enumerate(book.toc_docs):
            if resolve_doc(book.dir, docname) is None:
                findings.append(
                    Finding(
                        toc_path,
                        _toc_line(book.toc_doc, docname, i),
                        "toc-orphan",
                        f"'{docname}' is listed but no {docname}.md, .ipynb or click-through .yml exists; "
                        "create it or remove the entry",
                    )
                )
        if book.root_doc and not any(
            (book.dir / f"{book.root_doc}{s}").is_file() for s in ("", *LESSON_SUFFIXES)
        ):
            findings.append(
                Finding(
                    toc_path,
                    book.toc_doc.line(("root",)),
                    "toc-orphan",
                    f"root page '{book.root_doc}' does not exist; create it",
                )
            )
        for path in _book_files(book):
            docname = path.relative_to(book.dir).with_suffix("").as_posix()
            if docname not in listed:
                findings.append(
                    Finding(
                        rel(path, cur.root),
                        1,
                        "toc-missing",
                        f"lesson is not in {toc_path}; add '- file: {docname}' to it or delete the file",
                    )
                )
    return findings


def _toc_line(doc: YamlDoc, docname: str, index: int) -> int:
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


def check_lesson_shape(cur: Curriculum) -> list[Finding]:
    findings = []
    for book in cur.books:
        for lesson in book.lessons:
            path = rel(lesson.path, cur.root)
            if (
                lesson.front is None
                or not isinstance(lesson.front.data, dict)
                or "academy" not in lesson.front.data
            ):
                findings.append(
                    Finding(
                        path,
                        1,
                        "lesson-shape",
                        "lesson has no 'academy:' front matter; add objectives, key_points, minutes",
                    )
                )
            if not lesson.title:
                findings.append(
                    Finding(path, 1, "lesson-shape", "lesson has no '# Title' heading; add one")
                )
    return findings


def check_coverage(cur: Curriculum) -> list[Finding]:
    findings = []
    for track in cur.tracks:
        key = _track_key(track.id)
        if key not in cur.docs:
            continue
        course_outcomes = {o for c in track.courses for o in c.outcomes}
        for i, outcome in enumerate(track.outcomes):
            if outcome in cur.objectives and outcome not in course_outcomes:
                findings.append(
                    _at(
                        cur,
                        key,
                        ("outcomes", i),
                        "coverage",
                        f"track outcome '{outcome}' is not an outcome of any of its courses",
                    )
                )
        for c, course in enumerate(track.courses):
            book = cur.book(course.id)
            taught = {
                o
                for lesson in (book.lessons if book else [])
                if lesson.meta
                for o in lesson.meta.objectives
            }
            for i, outcome in enumerate(course.outcomes):
                if outcome in cur.objectives and outcome not in taught:
                    findings.append(
                        _at(
                            cur,
                            key,
                            ("courses", c, "outcomes", i),
                            "coverage",
                            f"course outcome '{outcome}' is taught by no lesson of '{course.id}'; "
                            "list it in a lesson's objectives",
                        )
                    )
    return findings


MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\([^)]*\)")
HTML_IMG = re.compile(r"<img\b(?P<attrs>[^>]*)>", re.IGNORECASE)
DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?:image|figure)\}")


def image_problems(text: str) -> Iterator[tuple[int, str]]:
    """(line, message) for every image in Markdown text that has no text alternative."""
    lines = text.splitlines()
    for n, line in enumerate(lines, start=1):
        for match in MD_IMAGE.finditer(line):
            if not match.group("alt").strip():
                yield n, "image has no alt text; write what it shows inside ![...]"
        for match in HTML_IMG.finditer(line):
            if not re.search(r"\balt\s*=\s*\"[^\"]+\"", match.group("attrs")):
                yield n, '<img> has no alt text; add alt="what it shows"'
        fence = DIRECTIVE.match(line.strip())
        if fence:
            block = []
            for following in lines[n:]:
                if following.strip().startswith(fence.group("fence")):
                    break
                block.append(following)
            if not any(b.strip().startswith(":alt:") for b in block):
                yield n, "image/figure directive has no :alt: option; add one"


def check_alt_text(cur: Curriculum) -> list[Finding]:
    findings = []
    for book in cur.books:
        pages = [*book.lessons]
        if book.root_doc:
            root_path = next(
                (
                    book.dir / f"{book.root_doc}{s}"
                    for s in LESSON_SUFFIXES
                    if (book.dir / f"{book.root_doc}{s}").is_file()
                ),
                None,
            )
            if root_path and root_path.suffix == ".md":
                findings += [
                    Finding(rel(root_path, cur.root), line, "alt-text", msg)
                    for line, msg in image_problems(root_path.read_text(encoding="utf-8"))
                ]
        for lesson in pages:
            findings += [
                Finding(rel(lesson.path, cur.root), line, "alt-text", msg)
                for line, msg in image_problems(lesson.text)
            ]
    for page in sorted((cur.root / "site").rglob("*.md")):
        findings += [
            Finding(rel(page, cur.root), line, "alt-text", msg)
            for line, msg in image_problems(page.read_text(encoding="utf-8"))
        ]
    return findings


def _graded_cells(nb: dict) -> list[str]:
    return [
        cell["metadata"]["nbgrader"]["grade_id"]
        for cell in nb.get("cells", [])
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade")
    ]


def check_exercises(cur: Curriculum) -> list[Finding]:
    findings = []
    for exercise in cur.exercises:
        if exercise.sidecar is None or exercise.doc is None:
            continue
        sidecar_path = rel(exercise.doc.path, cur.root)
        notebook = exercise.notebook
        if notebook is None or not notebook.is_file():
            findings.append(
                Finding(
                    sidecar_path,
                    exercise.doc.line(("notebook",)),
                    "ref-unresolved",
                    f"notebook '{exercise.sidecar.notebook}' is not in {rel(exercise.dir, cur.root)}; fix the name",
                )
            )
            continue
        try:
            nb = json.loads(notebook.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            findings.append(
                Finding(
                    rel(notebook, cur.root),
                    exc.lineno,
                    "notebook-json",
                    f"{exc.msg}; the notebook is not valid JSON, restore it from git",
                )
            )
            continue
        graded = _graded_cells(nb)
        for grade_id in graded:
            if grade_id not in exercise.sidecar.grade_ids:
                findings.append(
                    Finding(
                        sidecar_path,
                        exercise.doc.line(("grade_ids",)),
                        "exercise-grade-ids",
                        f"graded cell '{grade_id}' is not mapped to objectives; add it under grade_ids",
                    )
                )
        for grade_id in exercise.sidecar.grade_ids:
            if grade_id not in graded:
                findings.append(
                    Finding(
                        sidecar_path,
                        exercise.doc.line(("grade_ids", grade_id)),
                        "exercise-grade-ids",
                        f"grade_id '{grade_id}' is not a graded cell of {exercise.sidecar.notebook}; fix the id",
                    )
                )
    return findings


def check_data_packages(cur: Curriculum) -> list[Finding]:
    from academy.data import validate_datasets

    return validate_datasets(cur.root)


CHECKS: list[Check] = [
    check_ids,
    check_refs,
    check_datasets_refs,
    check_objective_verbs,
    check_books,
    check_lesson_shape,
    check_coverage,
    check_alt_text,
    check_exercises,
    check_data_packages,
    validate_clickthrough,
]


def load_and_validate(root: Path) -> tuple[Curriculum, list[Finding]]:
    """The curriculum at `root` and every finding in it, sorted by file and line.

    Files that cannot be read (bad YAML, wrong keys) are reported alone: the checks
    across files would only repeat them as a cascade of unresolved references.
    """
    cur, findings = load_curriculum(root)
    if not findings:
        for check in CHECKS:
            findings += check(cur)
    return cur, sorted(set(findings))


def validate(root: Path) -> list[Finding]:
    """Every finding in the academy at `root`, sorted by file and line."""
    return load_and_validate(root)[1]


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]
