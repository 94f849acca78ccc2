"""The trainer's commands end to end through `academy cohort …`, on the fixture academy."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cohort_support import ACADEMY, EXERCISE, GOOD, NOTEBOOK, PARTIAL, with_answers, write_notebook

ACADEMY_BIN = str(Path(sys.executable).parent / "academy")
pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


def academy(*args: str, check: bool = True) -> Any:
    """Run `academy ARGS` in this process (as the CLI would, without its start-up time)."""
    from typer.testing import CliRunner

    from academy.cli import app

    result = CliRunner().invoke(app, list(args))
    if check and result.exit_code != 0:
        raise AssertionError(
            f"academy {' '.join(args)} failed:\n{result.output}\n{result.exception!r}"
        )
    return result


@pytest.fixture
def env(tmp_path, monkeypatch):
    values = {
        "ACADEMY_ROOT": str(ACADEMY),
        "ACADEMY_COHORTS_DIR": str(tmp_path / "cohorts"),
        "ACADEMY_PROGRESS_URL": f"sqlite:///{tmp_path / 'progress.sqlite'}",
        "COLUMNS": "200",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def test_a_bad_roster_is_one_line_and_exit_1(tmp_path, env):
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email\nana,Ana,ana@city.gov\nana,Ana Two,bad-email\n")
    done = subprocess.run(
        [ACADEMY_BIN, "cohort", "create", "spring", "--roster", str(roster)],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert (
        len(lines) == 1
        and "roster.csv:3: duplicate id 'ana'" in lines[0]
        and "malformed email" in lines[0]
    )
    assert not (tmp_path / "cohorts" / "spring").exists()


@pytest.mark.slow
def test_a_cohort_from_roster_to_certificates(tmp_path, env):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "id,name,email,team\nana,Ana Lopez,ana@city.gov,311\nben,Ben Okafor,ben@city.gov,parks\n"
    )
    academy("cohort", "create", "spring", "--roster", str(roster), "--track", "analyst-basics")
    released = academy("cohort", "release", "spring", EXERCISE, "--due", "2030-01-01T17:00")
    release_path = tmp_path / "cohorts" / "spring" / "release" / EXERCISE / NOTEBOOK
    assert str(release_path) in released.stdout

    from academy.cohort.folder import open_cohort

    folder = open_cohort("spring", tmp_path / "cohorts")
    inbox = tmp_path / "inbox"
    write_notebook(inbox / f"ana_{NOTEBOOK}", with_answers(folder, GOOD))
    write_notebook(inbox / "ben-final.ipynb", with_answers(folder, PARTIAL))
    write_notebook(inbox / "unknown.ipynb", with_answers(folder, GOOD))
    imported = academy("cohort", "import", "spring", EXERCISE, str(inbox))
    assert "Imported 2 submission(s)" in imported.stdout
    assert "unknown.ipynb: no roster id in its name or folders" in imported.stderr

    graded = academy("cohort", "grade", "spring", EXERCISE, "--jobs", "2")
    assert (
        "ana: 5/5" in graded.stdout
        and "ben: 3/5" in graded.stdout
        and "(bwrap sandbox)" in graded.stdout
    )
    again = academy("cohort", "grade", "spring", EXERCISE)
    assert "Graded 0 submission(s)" in again.stdout and "2 unchanged" in again.stdout

    feedback = academy("cohort", "feedback", "spring", EXERCISE)
    assert "Wrote 2 feedback page(s)" in feedback.stdout
    exported = academy("cohort", "export", "spring", "--format", "json")
    assert {
        x["id"]: x["exercises"][EXERCISE]["score"] for x in json.loads(exported.stdout)["learners"]
    } == {
        "ana": 5.0,
        "ben": 3.0,
    }
    out = tmp_path / "canvas.csv"
    academy("cohort", "export", "spring", "--format", "canvas", "--out", str(out))
    assert out.read_text().splitlines()[0].startswith("Student,ID,SIS User ID,SIS Login ID,Section")
    report = academy("cohort", "report", "spring")
    assert (
        tmp_path / "cohorts" / "spring" / "report" / "index.html"
    ).is_file() and "Wrote" in report.stdout

    from academy.progress.store import ProgressStore

    store = ProgressStore(env["ACADEMY_PROGRESS_URL"])
    store.register_lesson("python-basics/reading-lists", 1)
    store.record("ana", "python-basics/reading-lists", step=1, attempt=1, correct=True, answer=None)
    certs = academy("cohort", "certificates", "spring")
    assert "Issued 1 certificate(s)" in certs.stdout and "not yet ben" in certs.stdout
    assert (tmp_path / "cohorts" / "spring" / "certificates" / "ana.pdf").is_file()

    listed = academy("cohort", "list")
    assert "spring: analyst-basics; city fixture; sums" in listed.stdout
    removed = academy("cohort", "roster", "remove", "spring", "ben", check=False)
    assert removed.exit_code == 1 and "--force" in str(removed.exception)
