"""Where the academy uses each dataset: lessons' and exercises' `datasets:` lists."""

from __future__ import annotations

from dataclasses import astuple, dataclass
from pathlib import Path

from academy.core.errors import AcademyError
from academy.core.findings import rel
from academy.core.yamlfile import read_yaml
from academy.curriculum.lessons import lesson_paths, read_lesson
from academy.data.memo import file_identity, remember
from academy.data.spec import DatasetInfo


@dataclass(frozen=True, order=True)
class Use:
    """One lesson or exercise that reads a dataset (directly or as a canonical table)."""

    path: str
    title: str
    kind: str  # "lesson" or "exercise"
    name: str  # what it lists: a dataset id or a canonical table name


def _lesson_uses(path: Path, root: Path) -> list[Use]:
    lesson, _ = read_lesson(path, root)  # `academy validate` reports broken front matter
    title = lesson.title or path.stem
    return [Use(rel(path, root), title, "lesson", name) for name in lesson.datasets]


def _exercise_uses(path: Path, root: Path) -> list[Use]:
    try:
        doc = read_yaml(path)
    except AcademyError:
        return []
    data = doc.data if isinstance(doc.data, dict) else {}
    names = data.get("datasets") or []
    title = str(data.get("title") or path.parent.name)
    return [Use(rel(path, root), title, "exercise", str(n)) for n in names if isinstance(n, str)]


def all_uses(root: Path) -> list[Use]:
    """Every `datasets:` entry of every lesson (Markdown, notebook and click-through) and of
    every exercises/source/*/exercise.yml.

    Remembered in the cache (cards ask once per dataset), keyed by the files' versions.
    """
    lessons = lesson_paths(root)
    exercises = sorted((root / "exercises" / "source").glob("*/exercise.yml"))

    def find() -> list[list[str]]:
        uses = [u for p in lessons for u in _lesson_uses(p, root)]
        uses += [u for p in exercises for u in _exercise_uses(p, root)]
        return [list(astuple(u)) for u in sorted(set(uses))]

    key = [str(root.resolve()), *(file_identity(p) for p in [*lessons, *exercises])]
    return [Use(*row) for row in remember("dataset-uses", key, find)]


def unread_lessons(root: Path) -> list[str]:
    """Lessons whose front matter cannot be parsed, so what they use is unknown."""
    return [rel(p, root) for p in lesson_paths(root) if not read_lesson(p, root)[0].parsed]


def uses_of(info: DatasetInfo, uses: list[Use]) -> list[Use]:
    """The uses that read this dataset: by its id, or by the canonical table it is primary for."""
    primary_table = info.table if info.adapter is not None and info.adapter.primary else None
    return [u for u in uses if u.name == info.id or (primary_table and u.name == primary_table)]
