"""`academy build`: validate → course books → portal → one site under build/site."""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from academy.build.books import (
    BookJob,
    BookResult,
    build_book,
    environment_fingerprint,
    html_dir,
    is_current,
    job_for,
)
from academy.build.links import broken_links
from academy.build.search import add_books_to_search
from academy.checks.registry import errors, load_and_validate
from academy.clickthrough.build import BuiltLesson
from academy.core.errors import AcademyError
from academy.core.findings import Finding
from academy.core.paths import book_site_dir, build_dir
from academy.curriculum.loading import Book, Curriculum

Progress = Callable[[str, int, int], None]


class ValidationFailed(AcademyError):
    """The academy has validation errors; the build did not start."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__(
            f"{len(findings)} validation error(s); run `academy validate` and fix them"
        )


@dataclass
class BuildReport:
    """What `academy build` did and how long each part took."""

    out: Path
    """The folder everything was built into (site/, lessons/ …)."""
    site: Path
    city: str
    books: list[BookResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def _no_progress(step: str, done: int, total: int) -> None:
    """Default progress callback: report nothing."""


def build_books(jobs: list[BookJob], workers: int, progress: Progress) -> list[BookResult]:
    """Build every book whose inputs changed, in parallel worker processes."""
    results: dict[str, BookResult] = {}
    todo = []
    for job in jobs:
        if is_current(job):
            results[job.course_id] = BookResult(job.course_id, html_dir(job), "cached")
        else:
            todo.append(job)
    done = len(results)
    progress("books", done, len(jobs))
    if todo:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=max(1, min(workers, len(todo))), mp_context=context
        ) as pool:
            for result in pool.map(build_book, todo):
                results[result.course_id] = result
                done += 1
                progress("books", done, len(jobs))
    return [results[job.course_id] for job in jobs]


def datasets_needed(cur: Curriculum) -> list[str]:
    """Dataset ids the lessons and exercises read for the curriculum's city (a lesson with
    `otherwise:` reads its fallback city's table when the active city has none)."""
    from academy.data.catalogue import canonical_tables, primary_dataset
    from academy.data.spec import base_table

    provided = canonical_tables(cur.root, cur.city)
    wanted: set[tuple[str, str]] = set()  # (name, city)
    for book in cur.books:
        for lesson in book.lessons:
            if lesson.meta is None:
                continue
            for name in lesson.meta.datasets:
                table = base_table(name)
                fallback = lesson.meta.otherwise
                city = fallback if fallback and table not in provided else cur.city
                wanted.add((name if "/" in name else table, city))
    wanted |= {(n, cur.city) for e in cur.exercises if e.sidecar for n in e.sidecar.datasets}
    return sorted({n if "/" in n else primary_dataset(n, city, cur.root).id for n, city in wanted})


def check_data_available(cur: Curriculum) -> None:
    """Every dataset the content reads is present and matches its pin, before anything runs."""
    from academy.data import dataset_path

    for dataset_id in datasets_needed(cur):
        dataset_path(dataset_id, cur.root)


def build_portal(root: Path, site: Path) -> None:
    """mkdocs-material, strict, into `site`: any warning aborts the build."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    warnings = _WarningLog()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.setLevel(logging.WARNING)
    mkdocs_log.addHandler(warnings)
    try:
        config = load_config(config_file=str(root / "mkdocs.yml"), strict=True, site_dir=str(site))
        mkdocs_build(config)
    except (Abort, ConfigurationError) as exc:
        first = warnings.messages[0] if warnings.messages else str(exc)
        raise AcademyError(
            f"site/: portal-build: {first} ({len(warnings.messages)} warning(s); strict mode)"
        ) from exc
    finally:
        mkdocs_log.removeHandler(warnings)


class _WarningLog(logging.Handler):
    """Collects mkdocs warnings so the error can quote the first one."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(" ".join(record.getMessage().split()))


def assemble(site: Path, books: list[tuple[Book, BookResult]]) -> None:
    """Copy each built book under site/books/<track>/<course>/."""
    for book, result in books:
        target = site / book_site_dir(book.track.id, book.course.id)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(
            result.html,
            target,
            ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"),
        )


def write_answer_keys(lessons: list[BuiltLesson], build: Path) -> None:
    """The answer key of every graded check, under build/answer-keys/ (not in the site)."""
    from academy.books.clickthrough_pages import ANSWER_KEYS, answer_key_page, answer_key_path

    shutil.rmtree(build / ANSWER_KEYS, ignore_errors=True)
    for lesson in lessons:
        resolved = json.loads(lesson.resolved.read_text(encoding="utf-8"))
        if resolved.get("graded"):
            path = build / answer_key_path(lesson.id)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(answer_key_page(resolved), encoding="utf-8")


def build(
    root: Path,
    city: str | None = None,
    workers: int = 2,
    progress: Progress = _no_progress,
    out: Path | None = None,
    books: Path | None = None,
) -> BuildReport:
    """Validate, build every course book and the portal for `city` (default: the city
    curriculum/academy.yml names), and assemble the site.

    Everything goes under `out` (default build/): the site in site/, the click-through
    lessons in lessons/. Each book is built under `books` (default `out`/books/), in a
    folder per city and course where an unchanged book (same inputs, same code, same
    installed packages) is reused rather than rebuilt."""
    out = out.resolve() if out else build_dir(root)
    books = books or out / "books"
    timings: dict[str, float] = {}
    start = time.perf_counter()
    progress("validate", 0, 1)
    cur, findings = load_and_validate(root, city)
    if errors(findings):
        raise ValidationFailed(errors(findings))
    city = cur.city
    check_data_available(cur)
    progress("validate", 1, 1)
    timings["validate"] = time.perf_counter() - start

    t = time.perf_counter()
    environment = environment_fingerprint(root, city)
    jobs = [job_for(book, root, books, city, environment) for book in cur.books]
    results = build_books(jobs, workers, progress)
    failed = [r for r in results if r.status == "failed"]
    if failed:
        raise AcademyError("\n".join(r.error for r in failed))
    timings["books"] = time.perf_counter() - t

    t = time.perf_counter()
    progress("portal", 0, 1)
    site = out / "site"
    build_portal(root, site)
    assemble(site, list(zip(cur.books, results, strict=True)))
    add_books_to_search(site, cur.books)
    progress("portal", 1, 1)
    timings["portal"] = time.perf_counter() - t

    t = time.perf_counter()
    progress("lessons", 0, 1)
    from academy.clickthrough.build import build_clickthrough

    built = build_clickthrough(cur, city, out, site)  # Voilà lessons + stable URLs
    write_answer_keys(built, out)
    progress("lessons", 1, 1)
    timings["lessons"] = time.perf_counter() - t

    broken = broken_links(site)
    if broken:
        raise AcademyError(
            f"{broken[0]}; {len(broken)} broken link(s) in the built site, fix the page that links there"
        )
    timings["total"] = time.perf_counter() - start
    return BuildReport(out=out, site=site, city=city, books=results, seconds=timings)
