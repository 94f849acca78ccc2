"""`academy build` on a tiny academy: the site, the cache, and failures named clearly."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mini_academy import LESSON_PATH, edit, write_mini_academy

from academy.build.pipeline import ValidationFailed, build
from academy.core.errors import AcademyError
from academy.data.city import NOTEBOOK_CITY_ENV

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_mini_academy(tmp_path_factory.mktemp("build") / "academy")
    edit(root, LESSON_PATH, "![A bar chart of rows](chart.png)", "Data from {glue:text}`city`.")
    edit(
        root,
        LESSON_PATH,
        'glue("three", "3", display=False)',
        'glue("three", "3", display=False)\n'
        "from academy.data import active_city\n"
        'glue("city", active_city(), display=False)',
    )
    return root


def test_build_assembles_portal_and_books(mini: Path) -> None:
    report = build(mini)
    site = report.site
    assert [b.status for b in report.books] == ["built"]
    for page in [
        "index.html",
        "tracks/basics.html",
        "courses/first-course.html",
        "roles.html",
        "books/basics/first-course/lesson-one.html",
        "books/basics/first-course/intro.html",
    ]:
        assert (site / page).is_file(), page
    course = (site / "courses/first-course.html").read_text()
    assert 'href="../books/basics/first-course/lesson-one.html"' in course
    lesson = (site / "books/basics/first-course/lesson-one.html").read_text()
    assert "Count the rows of a table." in lesson  # objectives box from the front matter
    assert "A table has rows." in lesson  # key points box
    assert "A table with" in lesson and ">3<" in lesson  # glued value
    assert "Data from" in lesson and ">baltimore<" in lesson  # the kernel got academy.yml's city


def test_second_build_reuses_unchanged_books(mini: Path) -> None:
    build(mini)
    again = build(mini)
    assert [b.status for b in again.books] == ["cached"]


def test_lesson_kernels_learn_the_chosen_city_from_the_build(mini: Path) -> None:
    report = build(mini, city="pittsburgh")
    assert report.city == "pittsburgh"
    lesson = (report.site / "books/basics/first-course/lesson-one.html").read_text()
    assert ">pittsburgh<" in lesson and ">baltimore<" not in lesson
    assert NOTEBOOK_CITY_ENV not in os.environ  # told to the book's kernels, not to this process


def test_failing_cell_names_lesson_line_and_error(mini: Path, tmp_path: Path) -> None:
    broken = write_mini_academy(tmp_path / "broken")
    edit(
        broken,
        LESSON_PATH,
        "![A bar chart of rows](chart.png)",
        "```{code-cell} ipython3\ntotal = 1 / 0\n```",
    )
    with pytest.raises(AcademyError) as info:
        build(broken)
    message = str(info.value)
    assert message.startswith(f"{LESSON_PATH}:28: cell-error: ZeroDivisionError: division by zero")
    assert "\n" not in message


def test_failing_cell_is_found_in_the_executed_notebook_not_by_its_text(
    mini: Path, tmp_path: Path
) -> None:
    """Two cells start with the same line; the second fails: its line is the one named."""
    broken = write_mini_academy(tmp_path / "twins")
    edit(
        broken,
        LESSON_PATH,
        "![A bar chart of rows](chart.png)",
        "```{code-cell} ipython3\nimport pandas as pd\nrows = pd.Series([1, 2])\n```\n\n"
        "Some prose.\n\n"
        "```{code-cell} ipython3\n:tags: [hide-input]\nimport pandas as pd\nrows = 1 / 0\n```",
    )
    lines = (broken / LESSON_PATH).read_text().splitlines()
    second = [n for n, text in enumerate(lines, start=1) if text == "import pandas as pd"][1]
    with pytest.raises(AcademyError) as info:
        build(broken)
    message = str(info.value)
    assert message.startswith(f"{LESSON_PATH}:{second}: cell-error: ZeroDivisionError:"), message
    assert "\n" not in message


def test_validation_errors_stop_the_build_before_anything_runs(tmp_path: Path) -> None:
    root = write_mini_academy(tmp_path / "invalid")
    edit(root, "curriculum/objectives.yml", "id: read-chart", "id: count-rows")
    with pytest.raises(ValidationFailed) as info:
        build(root)
    assert any(f.rule == "id-duplicate" for f in info.value.findings)
    assert not (root / "build").exists()


def test_cli_error_is_one_line_without_traceback(tmp_path: Path) -> None:
    root = write_mini_academy(tmp_path / "cli")
    edit(root, "curriculum/tracks/basics.yml", "audience: Everyone.", "audience: [Everyone.")
    result = subprocess.run(
        [sys.executable, "-c", "from academy.cli import run; run()", "build", "--root", str(root)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert re.search(
        r"^curriculum/tracks/basics.yml:\d+: yaml-syntax: ", result.stdout, re.MULTILINE
    )
