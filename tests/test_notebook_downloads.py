"""Analysts can run what they read: every analyst lesson's page offers it as a notebook
(.ipynb) in its download menu, the file is in the built site beside the page, it holds the
lesson's code with the outputs it was built with, and it runs again in a fresh kernel."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from myst_nb.core.read import read_myst_markdown_notebook
from nbclient import NotebookClient

from academy.core.paths import ROOT_ENV
from academy.curriculum.loading import Curriculum, load_curriculum
from academy.data.city import notebook_environment

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
TRACK = "analyst"


@pytest.fixture(scope="session")
def curriculum() -> Curriculum:
    return load_curriculum(REPO)[0]


def analyst_lessons(curriculum: Curriculum, report) -> list[tuple[Path, object]]:
    """(the book's built HTML folder, lesson) for every lesson of the analyst track."""
    found = []
    for result in report.books:
        book = curriculum.book(result.course_id)
        if book is None or book.track.id != TRACK:
            continue
        found += [(result.html, lesson) for lesson in book.lessons if lesson.kind != "clickthrough"]
    return found


def code_of(notebook) -> list[str]:
    return [c.source.strip() for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


def test_every_analyst_lesson_page_offers_its_notebook(curriculum, built_cities) -> None:
    for city, report in built_cities.items():
        lessons = analyst_lessons(curriculum, report)
        assert len(lessons) >= 10, (
            f"{city}: expected the analyst courses' lessons, got {len(lessons)}"
        )
        for html_dir, lesson in lessons:
            where = f"{city} {lesson.docname}"
            page = BeautifulSoup((html_dir / f"{lesson.docname}.html").read_text(), "html.parser")
            links = [a["href"] for a in page.select("a[href$='.ipynb']")]
            assert links == [f"_sources/{Path(lesson.docname).name}.ipynb"], (
                f"{where}: the download menu should offer the lesson's notebook, found {links}"
            )
            notebook = nbformat.read(
                html_dir / "_sources" / f"{lesson.docname}.ipynb", as_version=4
            )
            nbformat.validate(notebook)
            text = lesson.path.read_text(encoding="utf-8")
            source = (
                nbformat.reads(text, as_version=4)
                if lesson.path.suffix == ".ipynb"
                else read_myst_markdown_notebook(text)
            )
            assert code_of(notebook) == code_of(source), (
                f"{where}: the notebook's code is not the lesson's code"
            )
            outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
            assert outputs, f"{where}: the notebook has none of the outputs the page shows"
            assert not [o for o in outputs if o.output_type == "error"], (
                f"{where}: built with errors"
            )


def test_a_downloaded_notebook_runs_in_a_fresh_kernel(
    curriculum, built_cities, tmp_path, monkeypatch
) -> None:
    """What an analyst does: download the notebook, open it in the academy's Jupyter
    (which knows where the academy and its city are), run all."""
    city, report = next(iter(built_cities.items()))
    html_dir, lesson = next(
        (h, lesson)
        for h, lesson in analyst_lessons(curriculum, report)
        if lesson.docname == "one-row-per-request"
    )
    downloaded = tmp_path / "one-row-per-request.ipynb"
    downloaded.write_bytes((html_dir / "_sources" / f"{lesson.docname}.ipynb").read_bytes())
    for name, value in notebook_environment(REPO, city).items():
        monkeypatch.setenv(name, value)
    assert os.environ[ROOT_ENV] == str(REPO)
    notebook = nbformat.read(downloaded, as_version=4)
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors, errors[0]
