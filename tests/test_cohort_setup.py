"""Creating a cohort, its roster, and releasing an exercise (no grading here)."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from cohort_support import ACADEMY, EXERCISE, HIDDEN_SNIPPETS, NOTEBOOK, make_cohort

from academy.cohort.create import create_cohort
from academy.cohort.folder import cohorts_dir, open_cohort
from academy.cohort.release import release_exercise
from academy.cohort.roster import (
    Learner,
    RosterError,
    add_from_file,
    add_learner,
    parse_roster,
    remove_learners,
    roster,
)
from academy.core.errors import AcademyError

ROSTER = "id,name,email,team\nana,Ana Lopez,ana@city.gov,311\nben,Ben Okafor,ben@city.gov,\n"


def test_a_roster_reads_with_any_header_case_and_a_bom():
    learners = parse_roster("\ufeffEmail, ID ,Name\nana@city.gov,ana,Ana Lopez\n", "r.csv")
    assert learners == [Learner("ana", "Ana Lopez", "ana@city.gov", None)]


def test_every_roster_problem_is_reported_with_its_line():
    text = (
        "id,name,email\n"
        "ana,Ana,ana@city.gov\n"
        ",No Id,noid@city.gov\n"
        "ana,Ana Again,ana2@city.gov\n"
        "bob,Bob,bob@city\n"
        "\n"
        "cy,Cy,not-an-email\n"
        "dee,Dee,ANA@city.gov\n"
    )
    with pytest.raises(RosterError) as caught:
        parse_roster(text, "roster.csv")
    problems = [(p.line, p.message) for p in caught.value.problems]
    assert problems == [
        (3, "missing id"),
        (4, "duplicate id 'ana' (also on line 2)"),
        (5, "malformed email 'bob@city'"),
        (7, "malformed email 'not-an-email'"),
        (8, "duplicate email 'ANA@city.gov' (also on line 2)"),
    ]
    message = str(caught.value)
    assert "roster.csv:3: missing id" in message and "nothing was imported" in message
    assert "\n" not in message


def test_a_bad_roster_creates_nothing(tmp_path):
    bad = tmp_path / "roster.csv"
    bad.write_text("id,name,email\nana,Ana,nope\n")
    with pytest.raises(RosterError):
        create_cohort("spring", bad, ACADEMY, tmp_path / "cohorts")
    assert not (tmp_path / "cohorts").exists()


def test_create_makes_an_nbgrader_course_folder(tmp_path):
    from nbgrader.api import Gradebook

    (tmp_path / "roster.csv").write_text(ROSTER)
    folder = create_cohort(
        "spring", tmp_path / "roster.csv", ACADEMY, tmp_path / "cohorts", track="analyst-basics"
    )
    assert folder.path == tmp_path / "cohorts" / "spring"
    assert (folder.path.stat().st_mode & 0o077) == 0  # only the trainer can read it
    config = (folder.path / "nbgrader_config.py").read_text()
    assert (
        "c.CourseDirectory.course_id = 'spring'" in config and "add_missing_cells = True" in config
    )
    with Gradebook(folder.db_url, "spring") as gradebook:
        assert sorted(s.id for s in gradebook.students) == ["ana", "ben"]
        assert gradebook.find_student("ana").email == "ana@city.gov"
    assert open_cohort("spring", tmp_path / "cohorts").settings.track == "analyst-basics"
    with pytest.raises(AcademyError, match="already exists"):
        create_cohort("spring", tmp_path / "roster.csv", ACADEMY, tmp_path / "cohorts")
    with pytest.raises(AcademyError, match="no such track"):
        create_cohort(
            "autumn", tmp_path / "roster.csv", ACADEMY, tmp_path / "cohorts", track="nope"
        )
    with pytest.raises(AcademyError, match="lower-case"):
        create_cohort("Spring 2025", tmp_path / "roster.csv", ACADEMY, tmp_path / "cohorts")


def test_cohorts_live_outside_the_repository_by_default(monkeypatch, tmp_path):
    monkeypatch.delenv("ACADEMY_COHORTS_DIR", raising=False)
    monkeypatch.setenv("ACADEMY_HOME", str(tmp_path / "home"))
    assert cohorts_dir() == tmp_path / "home" / "cohorts"
    monkeypatch.setenv("ACADEMY_COHORTS_DIR", str(tmp_path / "elsewhere"))
    assert cohorts_dir() == tmp_path / "elsewhere"
    assert cohorts_dir(tmp_path / "given") == tmp_path / "given"
    with pytest.raises(AcademyError, match="no cohort 'nope'"):
        open_cohort("nope")


def test_roster_add_and_remove(tmp_path):
    from nbgrader.api import Gradebook

    (tmp_path / "roster.csv").write_text(ROSTER)
    folder = create_cohort("spring", tmp_path / "roster.csv", ACADEMY, tmp_path / "cohorts")
    add_learner(folder, Learner("cy", "Cy Ng", "cy@city.gov", "parks"))
    with pytest.raises(AcademyError, match="already on the roster"):
        add_learner(folder, Learner("CY", "Cy Two", "cy2@city.gov"))
    more = tmp_path / "more.csv"
    more.write_text("id,name,email\ndee,Dee,dee@city.gov\nana,Ana,x@city.gov\n")
    with pytest.raises(RosterError, match=r"more\.csv:3: id 'ana' is already on the roster"):
        add_from_file(folder, more)
    assert [x.id for x in roster(folder)] == ["ana", "ben", "cy"]
    more.write_text("id,name,email\ndee,Dee,dee@city.gov\n")
    assert add_from_file(folder, more).total == 4
    with pytest.raises(AcademyError, match="not on the roster: zed"):
        remove_learners(folder, ["zed"])
    assert remove_learners(folder, ["dee"]).total == 3
    with Gradebook(folder.db_url, "spring") as gradebook:
        assert sorted(s.id for s in gradebook.students) == ["ana", "ben", "cy"]


def test_release_freezes_the_learner_version(tmp_path):
    checkout = tmp_path / "academy"
    shutil.copytree(ACADEMY, checkout)
    (tmp_path / "roster.csv").write_text(ROSTER)
    folder = create_cohort("spring", tmp_path / "roster.csv", checkout, tmp_path / "cohorts")
    result = release_exercise(folder, EXERCISE)
    assert result.newly_released and not result.checkout_changed
    assert sorted(p.name for p in result.release_dir.iterdir()) == [NOTEBOOK]  # no exercise.yml
    text = result.notebook.read_text()
    for snippet in HIDDEN_SNIPPETS:
        assert snippet not in text
    assert "BEGIN SOLUTION" not in text and "sum(1 for reading" not in text
    assert [q.grade_id for q in result.manifest.questions] == [
        "total-check",
        "big-count-check",
        "mean-check",
    ]
    assert result.manifest.questions[0].title == "Question 1: Add up a list"
    assert result.manifest.questions[1].statements == [
        "Count the items in a list that meet a condition."
    ]
    assert result.manifest.total_points == 5

    source = checkout / "exercises" / "source" / EXERCISE / NOTEBOOK
    notebook = nbformat.read(source, as_version=4)
    notebook.cells[0].source += "\n\nChanged after the release."
    nbformat.write(notebook, source)
    again = release_exercise(folder, EXERCISE)
    assert not again.newly_released and again.checkout_changed
    assert "Changed after" not in (folder.source(EXERCISE) / NOTEBOOK).read_text()
    refreshed = release_exercise(folder, EXERCISE, refresh=True)
    assert "Changed after" in refreshed.notebook.read_text()


def test_release_through_the_exchange(tmp_path):
    folder = make_cohort(tmp_path, ["ana"])
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    result = release_exercise(folder, EXERCISE, exchange_root=exchange)
    assert (exchange / folder.name / "outbound" / EXERCISE / NOTEBOOK).is_file()
    assert result.exchange is not None


def test_release_errors_name_the_fix(tmp_path):
    folder = make_cohort(tmp_path, ["ana"])
    with pytest.raises(AcademyError, match=r"no exercise 'nope'.*exercises: sums"):
        release_exercise(folder, "nope")
    manifest = json.loads(folder.manifest_file(EXERCISE).read_text())
    assert manifest["notebook"] == NOTEBOOK
