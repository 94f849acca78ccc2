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


def _cohort_with(tmp_path: Path, env: dict[str, str], answers: dict[str, dict[str, str]]) -> None:
    from academy.cohort.folder import open_cohort

    roster = tmp_path / "roster.csv"
    roster.write_text(
        "id,name,email\n" + "".join(f"{x},Learner {x},{x}@city.gov\n" for x in answers)
    )
    academy("cohort", "create", "spring", "--roster", str(roster))
    academy("cohort", "release", "spring", EXERCISE)
    folder = open_cohort("spring")
    for learner, given in answers.items():
        write_notebook(tmp_path / "inbox" / learner / NOTEBOOK, with_answers(folder, given))
    academy("cohort", "import", "spring", EXERCISE, str(tmp_path / "inbox"))


@pytest.mark.slow
def test_ctrl_c_says_what_was_saved_and_leaves_nothing_behind(tmp_path, env):
    """A real SIGINT to the command's process group, as a terminal sends on Ctrl+C."""
    import signal
    import time

    import psutil

    slow = {**GOOD, "mean-answer": "import time\ntime.sleep(2)\n" + GOOD["mean-answer"]}
    _cohort_with(tmp_path, env, {"ana": GOOD, **{f"slow{i}": slow for i in range(5)}})
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    process = subprocess.Popen(
        [ACADEMY_BIN, "cohort", "grade", "spring", EXERCISE, "--jobs", "2"],
        env={**os.environ, **env, "TMPDIR": str(scratch)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    record_dir = tmp_path / "cohorts" / "spring" / ".academy" / "grades" / EXERCISE
    deadline = time.monotonic() + 180
    seen: dict[int, float] = {}
    groups: set[Path] = set()
    while time.monotonic() < deadline:  # wait until one is saved and two sandboxes run
        try:
            family = psutil.Process(process.pid).children(recursive=True)
        except psutil.Error:
            family = []
        for child in family:
            try:
                seen[child.pid] = child.create_time()
                for line in Path(f"/proc/{child.pid}/cgroup").read_text().splitlines():
                    if "academy-sandbox-" in line:
                        controller, path = line.split(":")[1:]
                        groups.add(
                            Path("/sys/fs/cgroup", controller.split(",")[0], path.lstrip("/"))
                        )
            except (psutil.Error, OSError, ValueError):
                pass
        running = []
        for child in family:
            try:
                if "sandbox_worker" in " ".join(child.cmdline() or []):
                    running.append(child)
            except psutil.Error:
                pass
        if record_dir.is_dir() and any(record_dir.iterdir()) and len(running) >= 1:
            break
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    saved = sorted(p.stem for p in record_dir.iterdir())
    assert (
        saved and "Interrupted." in stderr and f"{len(saved)} submission(s) were graded" in stderr
    )
    for learner in saved:
        assert f"  {learner}: " in stdout
    time.sleep(1)
    alive = []
    for pid, started in seen.items():
        try:
            left = psutil.Process(pid)
            if left.create_time() == started and left.status() != psutil.STATUS_ZOMBIE:
                alive.append((pid, left.status(), left.cmdline()))
        except psutil.Error:
            pass
    assert alive == [], "processes left behind"
    assert list(scratch.iterdir()) == [], "scratch folders left behind"
    assert [g for g in groups if g.exists()] == [], "cgroups left behind"
    again = academy("cohort", "grade", "spring", EXERCISE)  # the next run does the rest
    assert "6 submission" not in again.output and "unchanged since last time" in again.output


def test_history_shows_every_change(tmp_path, env):
    _cohort_with(tmp_path, env, {"ana": GOOD, "bo": PARTIAL})
    academy("cohort", "grade", "spring", EXERCISE)
    academy("cohort", "grade", "spring", EXERCISE, "--learner", "bo")
    shown = academy("cohort", "history", "spring", "--learner", "bo").output
    assert "graded" in shown and "regraded" in shown and "3 → 3 / 5" in shown
    data = json.loads(academy("cohort", "history", "spring", "--format", "json").stdout)
    assert sorted((c["learner"], c["kind"]) for c in data) == [
        ("ana", "graded"),
        ("bo", "graded"),
        ("bo", "regraded"),
    ]
    assert all(len(c["submission_sha256"]) == 64 for c in data)
    wrong = academy("cohort", "history", "spring", "--learner", "nobody", check=False)
    assert wrong.exit_code != 0


def test_no_sandbox_means_no_grading_in_one_line(tmp_path, env, monkeypatch):
    import shutil

    _cohort_with(tmp_path, env, {"ana": GOOD})
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    python_dir = str(Path(sys.executable).parent)
    done = subprocess.run(
        [ACADEMY_BIN, "cohort", "grade", "spring", EXERCISE],
        env={**os.environ, **env, "PATH": f"{fake_bin}:{python_dir}"},  # no bwrap on PATH
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1 and shutil.which("bwrap")
    lines = [x for x in done.stderr.strip().splitlines() if not x.startswith("cohort spring ·")]
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "bubblewrap (bwrap) is not installed" in lines[0]
    assert "apt-get install bubblewrap" in lines[0] and "--unsafe-no-sandbox" in lines[0]
    unsafe = subprocess.run(
        [ACADEMY_BIN, "cohort", "grade", "spring", EXERCISE, "--unsafe-no-sandbox"],
        env={**os.environ, **env, "PATH": f"{fake_bin}:{python_dir}"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert unsafe.returncode == 0, unsafe.stderr
    assert "NOT SANDBOXED" in unsafe.stderr and "NO SANDBOX" in unsafe.stdout
    from academy.cohort.folder import open_cohort
    from academy.cohort.history import changes
    from academy.cohort.records import load_record
    from academy.cohort.report import cohort_report

    folder = open_cohort("spring")
    assert load_record(folder, EXERCISE, "ana").sandbox == "none"
    assert changes(folder)[-1].sandbox == "none"
    html = cohort_report(folder).read_text()
    assert "Graded without a sandbox" in html and "ana · sums" in html


def test_lesson_progress_under_another_name_is_listed_then_linked(tmp_path, env):
    """A learner who typed their full name: the report lists it with the roster learner it
    looks like and the command to run; `academy cohort link` makes it count for them."""
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,email\nana,Ana Lopez,ana@city.gov\nben,Ben Okafor,ben@city.gov\n")
    academy("cohort", "create", "spring", "--roster", str(roster), "--track", "analyst-basics")
    from academy.progress.store import ProgressStore

    lesson = "python-basics/reading-lists"
    store = ProgressStore(env["ACADEMY_PROGRESS_URL"])
    store.register_lesson(lesson, 2)
    for step in (1, 2):  # ben typed his full name (stored case-folded, as sign-in does)
        store.record("ben okafor", lesson, step, 1, True, None)
    store.record("zed", lesson, 1, 1, True, None)  # somebody nobody knows
    store.record("cy", lesson, 1, 1, True, None, roster_id="cy", identified_by="roster")
    store.record("ana", "python-basics/other-course-lesson", 1, 1, True, None)
    academy("cohort", "report", "spring")
    page = (tmp_path / "cohorts" / "spring" / "report" / "index.html").read_text()
    section = page.split('id="unmatched"')[1].split('id="missing"')[0]
    assert "Lesson progress that matches nobody on the roster (2)" in page
    assert "ben okafor" in section and "Ben Okafor (ben)" in section
    assert "academy cohort link spring &#39;ben okafor&#39; ben" in section
    assert "zed" in section and "nobody on the roster" in section
    assert "cy" not in section.replace("academy", "")  # signed in from another cohort's roster

    linked = academy("cohort", "link", "spring", "Ben Okafor", "BEN")
    assert "Linked 'ben okafor' to Ben Okafor (ben)" in linked.stdout
    assert "the report" in linked.stdout  # made again at once
    page = (tmp_path / "cohorts" / "spring" / "report" / "index.html").read_text()
    section = page.split('id="unmatched"')[1].split('id="missing"')[0]
    assert "ben okafor" not in section and "zed" in section
    assert "Lesson progress that matches nobody on the roster (1)" in page
    grid = page.split('id="grid"')[1].split('id="progress"')[0]
    ben_row = next(r for r in grid.split("<tr>") if "(ben" in r)
    assert "completed" in ben_row

    for args, words in (
        (("zed", "nobody"), "'nobody': not a roster id of cohort spring"),
        (("no such person", "ana"), "'no such person': no lesson progress is recorded"),
        (("ana", "ana"), "'ana': this is already Ana Lopez's roster id"),
    ):
        done = subprocess.run(
            [ACADEMY_BIN, "cohort", "link", "spring", *args],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1 and len(lines) == 2, done.stderr  # the cohort line, the error
        assert words in lines[1]
