"""Grading a normal cohort: scores equal nbgrader's, runs resume, one learner re-grades;
then feedback, export, report and certificates from the same graded cohort."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from datetime import datetime

import nbformat
import pytest
from cohort_support import (
    EXERCISE,
    GOOD,
    HIDDEN_SNIPPETS,
    NOTEBOOK,
    PARTIAL,
    delete_cell,
    duplicate_cell,
    edit_cell,
    gradebook_scores,
    make_cohort,
    messages,
    record,
    with_answers,
    write_notebook,
)

from academy.cohort.certificates import issue_certificates
from academy.cohort.export import read_canvas, render_export
from academy.cohort.feedback import generate_feedback
from academy.cohort.folder import load_folder
from academy.cohort.grade import grade_exercise
from academy.cohort.records import load_records
from academy.cohort.report import cohort_report
from academy.cohort.scores import cohort_scores
from academy.cohort.submissions import import_submissions
from academy.progress.store import ProgressStore

pytestmark = pytest.mark.slow

BROKEN_TOTAL = {**GOOD, "total-answer": "def total(values):\n    return 0"}
SUBMISSIONS = {
    "ada": (GOOD, None),
    "bo": (PARTIAL, None),
    "cy": ({}, None),  # the untouched stub
    "di": ({**GOOD, "big-count-answer": "while True:\n    pass"}, None),
    "ed": ({**GOOD, "total-answer": "def total(values):\n    while True:\n        pass"}, None),
    "fay": (BROKEN_TOTAL, edit_cell("total-check", "assert True")),
    "gus": (BROKEN_TOTAL, delete_cell("total-check")),
    "hal": (
        {**GOOD, "big-count-answer": "big_count = 2"},
        duplicate_cell("big-count-check", "assert True"),
    ),
    "ivy": (
        {
            **GOOD,
            "big-count-answer": "class A(int):\n    def __eq__(self, o):\n        return True\n"
            "    __hash__ = int.__hash__\nbig_count = A(1)",
        },
        None,
    ),
}
LEARNERS = [*SUBMISSIONS, "jo"]  # jo hands nothing in


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    base = tmp_path_factory.mktemp("grading")
    folder = make_cohort(base, LEARNERS, due=datetime(2030, 1, 1))
    inbox = base / "inbox"
    for learner, (answers, mutate) in SUBMISSIONS.items():
        notebook = with_answers(folder, answers)
        write_notebook(inbox / learner / NOTEBOOK, mutate(folder, notebook) if mutate else notebook)
        # bo hands in two days after the due date set below; everyone else on time
        stamp = (
            "2030-01-03 09:00:00.000000 UTC"
            if learner == "bo"
            else "2029-12-30 09:00:00.000000 UTC"
        )
        (inbox / learner / "timestamp.txt").write_text(stamp)
    import_submissions(folder, EXERCISE, inbox)
    return base, folder


@pytest.fixture(scope="module")
def interrupted(cohort):
    """A first run stopped after three submissions (as Ctrl+C would), then resumed."""
    _, folder = cohort
    seen: list[str] = []

    class Stop(Exception):
        pass

    def progress(done, total, record):
        if record is not None:
            seen.append(record.learner)
        if len(seen) == 3:
            raise Stop

    with pytest.raises(Stop):
        grade_exercise(folder, EXERCISE, jobs=2, progress=progress)
    first = {learner: folder.record_file(EXERCISE, learner).stat().st_mtime_ns for learner in seen}
    resumed = grade_exercise(folder, EXERCISE, jobs=2)
    return seen, first, resumed


def test_an_interrupted_run_resumes_without_grading_twice(cohort, interrupted):
    _, folder = cohort
    seen, first, resumed = interrupted
    assert sorted(resumed.skipped) == sorted(seen)
    assert sorted(r.learner for r in resumed.graded) == sorted(set(SUBMISSIONS) - set(seen))
    assert resumed.missing == ["jo"]
    for learner, mtime in first.items():
        assert folder.record_file(EXERCISE, learner).stat().st_mtime_ns == mtime
    assert set(load_records(folder, EXERCISE)) == set(SUBMISSIONS)


def test_scores_equal_nbgraders_sequential_autograde(cohort, interrupted, tmp_path):
    from nbgrader.apps import NbGraderAPI

    _, folder = cohort
    twin_path = tmp_path / folder.name
    shutil.copytree(folder.path, twin_path, ignore=shutil.ignore_patterns("autograded", "feedback"))
    twin = load_folder(twin_path)
    from academy.cohort.folder import nbgrader_config

    api = NbGraderAPI(config=nbgrader_config(twin))
    failed = [
        x for x in SUBMISSIONS if not api.autograde(EXERCISE, x, force=True, create=True)["success"]
    ]
    # nbgrader 0.9.6 crashes on a duplicated test cell when add_missing_cells is on (KeyError
    # in OverwriteCells); the academy grades it (and flags it) instead.
    assert failed == ["hal"]
    graded = [x for x in SUBMISSIONS if x not in failed]
    ours = gradebook_scores(folder, graded)
    theirs = gradebook_scores(twin, graded)
    assert ours == theirs
    assert ours["ada"] == {"total-check": 2.0, "big-count-check": 1.0, "mean-check": 2.0}
    assert ours["cy"] == {"total-check": 0.0, "big-count-check": 0.0, "mean-check": 0.0}


def test_one_learner_can_be_regraded(cohort, interrupted):
    _, folder = cohort
    before = record(folder, "ada")
    run = grade_exercise(folder, EXERCISE, learner="ada")
    assert [r.learner for r in run.graded] == ["ada"] and run.skipped == []
    assert record(folder, "ada")["score"] == before["score"] == 5
    nothing = grade_exercise(folder, EXERCISE)
    assert nothing.graded == [] and sorted(nothing.skipped) == sorted(SUBMISSIONS)


def test_messages_explain_each_outcome(cohort, interrupted):
    _, folder = cohort
    assert "Not attempted yet" in messages(folder, "cy")
    assert "Did you hand in the right file?" in messages(folder, "cy")  # nothing changed at all
    assert "right file" not in messages(folder, "bo")
    assert "ran longer than 3 seconds" in messages(folder, "di")
    assert "hidden" in messages(folder, "ivy")
    assert "mean([2, 4]) should be 3" not in messages(folder, "bo")  # bo passes the visible check
    assert record(folder, "bo")["late_seconds"] > 0
    assert {f["kind"] for f in record(folder, "fay")["flags"]} == {"edited"}


def test_feedback_pages_are_offline_and_never_show_hidden_tests(cohort, interrupted):
    _, folder = cohort
    pages = generate_feedback(folder, EXERCISE)
    assert sorted(p.learner for p in pages) == sorted(SUBMISSIONS)
    for page in pages:
        html = page.path.read_text()
        assert page.path == folder.feedback(page.learner, EXERCISE) / "sums.html"
        for snippet in HIDDEN_SNIPPETS:
            assert snippet not in html
        assert not re.search(r"""(src|href)=["']?https?://""", html) and "<script" not in html
    ada = folder.feedback("ada", EXERCISE) / "sums.html"
    assert "5 / 5" in ada.read_text() and "passed" in ada.read_text()
    graded_notebook = nbformat.read(folder.autograded("ada", EXERCISE) / NOTEBOOK, as_version=4)
    assert any(
        "assert total([]) == 0" in c.source for c in graded_notebook.cells
    )  # hidden tests ran


def test_exports_per_exercise_and_question(cohort, interrupted):
    _, folder = cohort
    scores = cohort_scores(folder)
    rows = list(csv.DictReader(io.StringIO(render_export(scores, "csv", folder.name))))
    by_id = {row["id"]: row for row in rows}
    assert by_id["ada"]["sums total"] == "5" and by_id["ada"]["sums / mean-check"] == "2"
    assert by_id["bo"]["sums status"] == "late" and by_id["jo"]["sums status"] == "missing"
    assert by_id["jo"]["sums total"] == "" and by_id["ada"]["team"] == "team-0"

    canvas = list(csv.reader(io.StringIO(render_export(scores, "canvas", folder.name))))
    assert canvas[0] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Sums and counts",
    ]
    assert canvas[1][0] == "Points Possible" and canvas[1][5] == "5"
    ada = next(r for r in canvas if r[0] == "Ada, Learner")
    # no lms_id / lms_login on this roster: Canvas finds Ada by her sortable name, and the
    # academy's own id is not passed off as the institution's SIS id
    assert ada[1:4] == ["", "", ""] and ada[4] == "team-0" and ada[5] == "5"
    text = render_export(scores, "canvas", folder.name)
    imported = read_canvas(text)  # as Canvas's gradebook importer reads it
    assert imported.assignments == {"Sums and counts": 5.0}
    assert {name: g["Sums and counts"] for name, g in imported.grades.items()} == {
        f"{x.learner.name.split()[-1]}, {x.learner.name.rsplit(' ', 1)[0]}": (
            f"{x.exercises['sums'].score:g}" if x.exercises["sums"].graded else ""
        )
        for x in scores.learners
    }
    assert list(imported.students[0]) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    moodle = list(csv.reader(io.StringIO(render_export(scores, "moodle", folder.name))))
    assert moodle[0][:6] == [
        "First name",
        "Last name",
        "ID number",
        "Institution",
        "Department",
        "Email address",
    ]
    assert moodle[0][6] == "Assignment: Sums and counts (Real)"
    jo = next(r for r in moodle if r[5] == "jo@city.example.gov")
    assert jo[6] == "-"  # Moodle's "no grade"

    data = json.loads(render_export(scores, "json", folder.name))
    assert data["exercises"][0]["questions"][0]["grade_id"] == "total-check"
    learners = {x["id"]: x for x in data["learners"]}
    assert learners["bo"]["exercises"]["sums"]["questions"]["mean-check"] == 0


def test_report_puts_aggregates_first_with_inline_charts(cohort, interrupted, tmp_path):
    _, folder = cohort
    store = ProgressStore(f"sqlite:///{tmp_path / 'progress.sqlite'}")
    store.register_lesson("python-basics/reading-lists", 2)
    for step in (1, 2):
        store.record(
            "ada", "python-basics/reading-lists", step=step, attempt=1, correct=True, answer=None
        )
    store.record("bo", "python-basics/reading-lists", step=1, attempt=1, correct=True, answer=None)
    path = cohort_report(folder, tmp_path / "report", progress=store)
    html = path.read_text()
    assert html.index("Where the cohort struggles") < html.index("for the trainer only")
    assert html.count("<svg") >= 3 and "<script" not in html
    assert not re.search(r"""(src|href)=["']?https?://""", html)
    assert "python-basics/reading-lists" in html
    assert re.search(r"\b1 of 1\b", html)  # ada completed the lesson (not "1 of 10")
    private = html[html.index("for the trainer only") :]
    assert "missing" in private and "late" in private and "edited" in private
    assert "1 of " + str(len(LEARNERS)) in html  # one learner completed the lesson


def test_certificates_go_to_learners_who_completed_the_track(cohort, interrupted, tmp_path):
    _, folder = cohort
    store = ProgressStore(f"sqlite:///{tmp_path / 'progress.sqlite'}")
    store.register_lesson("python-basics/reading-lists", 1)
    for learner in ("ada", "bo"):
        store.record(
            learner, "python-basics/reading-lists", step=1, attempt=1, correct=True, answer=None
        )
    run = issue_certificates(folder, tmp_path / "certs", progress=store)
    assert [c.learner for c in run.issued] == ["ada"]
    cert = run.issued[0]
    assert cert.pdf is not None and cert.pdf.read_bytes().startswith(b"%PDF")
    assert "Learner Ada" in cert.html.read_text() and "Analyst Basics" in cert.html.read_text()
    assert any("60%" in need for need in run.not_yet["bo"])  # 3/5 is below the 70% pass mark
    assert any("lesson python-basics/reading-lists" in need for need in run.not_yet["cy"])
    assert run.not_yet["jo"][0].startswith("exercise sums (not handed in)")


def test_every_score_change_is_in_the_history(cohort, interrupted):
    from nbgrader.api import Gradebook

    from academy.cohort.history import append_change, changes, verify_history

    _, folder = cohort
    grade_exercise(folder, EXERCISE, learner="bo")  # graded, then re-graded on request
    with Gradebook(folder.db_url, folder.name) as gradebook:  # a trainer edits in formgrader
        grade = gradebook.find_grade("mean-check", "sums", EXERCISE, "bo")
        grade.manual_score = 2
        gradebook.db.commit()
    grade_exercise(folder, EXERCISE, learner="bo")
    bo = changes(folder, EXERCISE, "bo")
    assert [c.kind for c in bo] == ["graded", "regraded", "gradebook-edit", "regraded"]
    assert bo[0].previous is None and bo[0].score == 3 and bo[0].sandbox == "bwrap"
    assert bo[1].previous == 3 and bo[1].reason == "re-graded on request (same submission)"
    assert bo[2].previous == 3 and bo[2].score == 5
    assert all(c.submission_sha256 == record(folder, "bo")["submission_sha256"] for c in bo)
    assert {c.learner for c in changes(folder, EXERCISE)} == set(SUBMISSIONS)
    # the API the late-penalty and override code calls
    change = append_change(
        folder,
        exercise=EXERCISE,
        learner="bo",
        kind="override",
        score=4,
        max_score=5,
        reason="trainer: partial credit for the loop",
        submission_sha256=bo[-1].submission_sha256,
        by="trainer",
    )
    assert change.previous == bo[-1].score and verify_history(folder) == []
    # nothing can be edited quietly: an edited line breaks the chain
    path = folder.state_dir / "history.jsonl"
    lines = path.read_text().splitlines()
    lines[0] = lines[0].replace('"reason":"autograded"', '"reason":"edited"', 1)
    path.write_text("\n".join(lines) + "\n")
    assert verify_history(folder) and "changed or removed" in verify_history(folder)[0]
