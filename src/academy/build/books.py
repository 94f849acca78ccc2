"""Build one course's Jupyter Book (1.x): executed, cached, failing on any error.

Each book builds in its own worker process (Sphinx and docutils keep global state), so
books build in parallel and a crash in one never takes the others down. A book whose
inputs have not changed since its last successful build is not rebuilt at all.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from academy.core.findings import rel
from academy.core.sources import installed_packages, package_files
from academy.curriculum.lessons import CLICKTHROUGH_DIR
from academy.curriculum.loading import ACADEMY_FILE, Book

STAMP = ".academy-inputs"
# The packages whose code runs while a book builds (Sphinx extensions, lesson helpers,
# data access, the click-through pages): a change to any file in them rebuilds the books.
BOOK_PACKAGES = ("core", "curriculum", "data", "lesson", "books", "clickthrough")


@dataclass(frozen=True)
class BookJob:
    """Everything a worker needs to build one book; picklable."""

    course_id: str
    source: Path
    output: Path
    config: dict
    fingerprint: str
    environment: str
    root: Path
    city: str


BookStatus = Literal["built", "cached", "failed"]


@dataclass(frozen=True)
class BookResult:
    """What happened to one book: built, reused, or failed with a one-line reason."""

    course_id: str
    html: Path
    status: BookStatus
    error: str = ""
    seconds: float = 0.0


def _hash_files(paths: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(rel(path, root).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def environment_fingerprint(root: Path, city: str) -> str:
    """Hash of every input outside the course folder that can change executed output:
    the city, shared book settings, objectives, dataset pins and adapters, exercise
    sources (the practice lessons read them), the academy package itself and the
    versions of the installed libraries."""
    inputs = [root / "tracks" / "_book_defaults.yml", root / "curriculum" / "objectives.yml"]
    inputs.append(root / ACADEMY_FILE)  # the academy's name, on every page's bar
    inputs += [p for p in (root / "datasets").rglob("*") if p.suffix in {".json", ".yml"}]
    inputs += [p for p in (root / "exercises" / "source").rglob("*") if p.is_file()]
    inputs += package_files(*BOOK_PACKAGES)
    key = f"{city}:{_hash_files(inputs, root)}:{installed_packages()}"
    return hashlib.sha256(key.encode()).hexdigest()


def fingerprint(book: Book, root: Path, environment: str) -> str:
    """Hash of every input that can change the built book."""
    inputs = [p for p in book.dir.rglob("*") if p.is_file() and "_build" not in p.parts]
    return hashlib.sha256(f"{environment}:{_hash_files(inputs, root)}".encode()).hexdigest()


def merged_config(book: Book, root: Path) -> dict:
    """The shared book defaults with the course's own _config.yml laid over them."""
    defaults = yaml.safe_load((root / "tracks" / "_book_defaults.yml").read_text(encoding="utf-8"))
    own = yaml.safe_load((book.dir / "_config.yml").read_text(encoding="utf-8")) or {}
    config = {**defaults, **own}
    config.setdefault("title", book.course.title)
    execute = dict(config.get("execute", {}))  # click-through lessons are YAML, never run
    execute["exclude_patterns"] = [*execute.get("exclude_patterns", []), f"{CLICKTHROUGH_DIR}/*"]
    config["execute"] = execute
    sphinx = {**defaults.get("sphinx", {}), **own.get("sphinx", {})}
    sphinx["config"] = {
        **sphinx.get("config", {}),
        "academy_track": {"id": book.track.id, "title": book.track.title},
        "academy_name": academy_name(root),
    }
    config["sphinx"] = sphinx
    return config


def academy_name(root: Path) -> str:
    """The academy's name (curriculum/academy.yml), for the bar on every book page."""
    from academy.core.schema import read_model
    from academy.curriculum.models import Academy

    return read_model(Academy, root / ACADEMY_FILE, fix="run `academy validate`").name


HTML = Path("_build") / "html"  # a book's HTML, under its output folder


def book_output(book: Book, out_root: Path, city: str) -> Path:
    """Where a course's book for `city` is built (its _build/ lives here)."""
    return out_root / city / book.track.id / book.course.id


def built_html(book: Book, books: Path, city: str) -> Path:
    """The HTML of a course's book as the last build for `city` into `books` made it."""
    return book_output(book, books, city) / HTML


def job_for(book: Book, root: Path, out_root: Path, city: str, environment: str) -> BookJob:
    config = merged_config(book, root)
    config["sphinx"]["config"]["academy_city"] = city  # read by academy.books extensions
    return BookJob(
        course_id=book.course.id,
        source=book.dir,
        output=book_output(book, out_root, city),
        config=config,
        fingerprint=fingerprint(book, root, environment),
        environment=environment,
        root=root,
        city=city,
    )


def execution_cache(job: BookJob) -> Path:
    """The book's execution cache: it keys on code cells only, so it is kept per
    environment (data, package, settings) and starts afresh when that changes."""
    return job.output / "_build" / f".jupyter_cache-{job.environment[:12]}"


def html_dir(job: BookJob) -> Path:
    return job.output / HTML


def is_current(job: BookJob) -> bool:
    stamp = job.output / STAMP
    return (
        stamp.is_file()
        and stamp.read_text() == job.fingerprint
        and (html_dir(job) / "index.html").is_file()
    )


def _exception_chain(exc: BaseException) -> list[BaseException]:
    chain, seen = [], set()
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        chain.append(item)
        todo += [item.__cause__, item.__context__, getattr(item, "orig_exc", None)]
    return chain


@dataclass(frozen=True)
class FailedCell:
    """The cell whose execution stopped a book: found in the executed notebook itself."""

    index: int  # 0-based, in the notebook
    line: int  # the file line of its first line of code (1 when the file has no lines)
    ename: str
    evalue: str


def _executed_notebook(chain: list[BaseException]) -> Any | None:
    """The notebook myst-nb executed, with its outputs, held by its execution client (an
    object of myst-nb's NotebookClientBase, found by type in the failure's frames)."""
    from myst_nb.core.execute.base import NotebookClientBase

    for exc in chain:
        tb = exc.__traceback__
        while tb is not None:
            for value in tb.tb_frame.f_locals.values():
                if isinstance(value, NotebookClientBase):
                    return value.notebook
            tb = tb.tb_next
    return None


def _first_code_line(path: Path, start: int, source: str) -> int:
    """The file line where the cell's code begins: its first line of code, searched from the
    line its code-cell starts on (so another cell starting the same way is never taken)."""
    first = next((s.strip() for s in source.splitlines() if s.strip()), "")
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    for n in range(max(start, 1), len(lines) + 1):
        if first and lines[n - 1].strip() == first:
            return n
    return max(start, 1)


def failed_cell(notebook: Any, path: Path, stopped_by: BaseException | None) -> FailedCell | None:
    """The cell that stopped an executed notebook, and where it is in the file: the cell with
    an error output, else (a timeout) the last cell that started to run. myst-nb's
    `source_map` metadata gives the line each cell of a Markdown lesson starts on."""
    cells = notebook.get("cells", [])
    for index in range(len(cells) - 1, -1, -1):
        cell = cells[index]
        outputs = cell.get("outputs", [])
        error = next((o for o in outputs if o.get("output_type") == "error"), None)
        if error is None and cell.get("execution_count") is None:
            continue
        if error is not None:
            ename, evalue = str(error.get("ename", "Error")), str(error.get("evalue", ""))
        else:
            ename, evalue = type(stopped_by).__name__, "the cell ran too long"
        starts = notebook.get("metadata", {}).get("source_map")
        line = _first_code_line(path, starts[index], cell.get("source", "")) if starts else 1
        return FailedCell(index, line, ename, evalue)
    return None


def describe_failure(exc: BaseException, job: BookJob) -> str:
    """One line naming the lesson, the line of the failing cell and the error."""
    from myst_nb.core.execute.base import ExecutionError

    chain = _exception_chain(exc)
    failed = next((e for e in chain if isinstance(e, ExecutionError) and e.args), None)
    if failed is None:
        return f"{rel(job.source, job.root)}: book-build: {type(exc).__name__}: {exc}"
    lesson = Path(str(failed.args[0]))
    notebook = _executed_notebook(chain)
    cell = failed_cell(notebook, lesson, failed.__cause__) if notebook is not None else None
    if cell is None:
        return (
            f"{rel(lesson, job.root)}:1: cell-error: {failed.__cause__!r}; the notebook did not "
            f"run, fix the lesson (city: {job.city})"
        )
    error = f"{cell.ename}: {cell.evalue}".strip()
    which = "the cell" if cell.line > 1 else f"cell {cell.index + 1} of the notebook"
    return (
        f"{rel(lesson, job.root)}:{cell.line}: cell-error: {error}; fix {which} (city: {job.city})"
    )


WARNING_LINE = re.compile(r"^(?P<where>/[^\n]*?): (?:WARNING|ERROR): (?P<msg>.*)$", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _first_warning(log: str, job: BookJob) -> str | None:
    match = WARNING_LINE.search(ANSI.sub("", log))
    if not match:
        return None
    where = match.group("where")
    path = where.split(":")[0]
    rest = where[len(path) :]
    return f"{rel(Path(path), job.root)}{rest}: book-warning: {match.group('msg')}; fix it (warnings fail the build)"


@contextlib.contextmanager
def _fd_to_file(path: Path) -> Iterator[None]:
    """Send this process's OS-level stdout/stderr (and its kernels') to a file."""
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("w") as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def build_book(job: BookJob) -> BookResult:
    """Worker: build one book with Sphinx; never raises."""
    import os
    import time

    from jupyter_book.sphinx import build_sphinx

    from academy.data.city import notebook_environment

    start = time.perf_counter()
    # This worker process exists to build books for one city; the lesson kernels Sphinx
    # starts inherit its environment, which is how they learn the city and the root.
    os.environ.update(notebook_environment(job.root, job.city))
    job.output.mkdir(parents=True, exist_ok=True)
    for old in (job.output / "_build").glob(".jupyter_cache*"):
        if old != execution_cache(job):
            shutil.rmtree(old, ignore_errors=True)
    config = {
        **job.config,
        "execute": {**job.config.get("execute", {}), "cache": str(execution_cache(job))},
    }
    config_path = job.output / "_config.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (job.output / STAMP).unlink(missing_ok=True)
    log = io.StringIO()
    with (
        _fd_to_file(job.output / "kernels.log"),
        contextlib.redirect_stdout(log),
        contextlib.redirect_stderr(log),
    ):
        result = build_sphinx(
            str(job.source),
            str(html_dir(job)),
            noconfig=True,
            path_config=str(config_path),
            confoverrides={
                "external_toc_path": str(job.source / "_toc.yml"),
                "latex_individualpages": False,
            },
            doctreedir=str(job.output / "_build" / ".doctrees"),
            warningiserror=True,
            keep_going=True,
            quiet=True,
        )
    (job.output / "build.log").write_text(log.getvalue(), encoding="utf-8")
    seconds = time.perf_counter() - start
    if isinstance(result, BaseException):
        return BookResult(
            job.course_id, html_dir(job), "failed", describe_failure(result, job), seconds
        )
    if result != 0:
        reason = _first_warning(log.getvalue(), job) or (
            f"{rel(job.source, job.root)}: book-build: Sphinx exited {result}; see {job.output / 'build.log'}"
        )
        return BookResult(job.course_id, html_dir(job), "failed", reason, seconds)
    (job.output / STAMP).write_text(job.fingerprint)
    return BookResult(job.course_id, html_dir(job), "built", "", seconds)
