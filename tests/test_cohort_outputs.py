"""Outputs that stay true: a late penalty from the cohort's policy (nbgrader's plugin),
an extension that lifts it, and a re-grade that falls below the pass mark, each followed
by every output: feedback, report and certificates (revoked)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cohort_support import (
    EXERCISE,
    GOOD,
    NOTEBOOK,
    PARTIAL,
    make_cohort,
    with_answers,
    write_notebook,
)
from test_cohort_cli import academy

from academy.cohort.certificates import load_register, verify_code
from academy.cohort.folder import load_folder, write_settings
from academy.cohort.history import changes, verify_history
from academy.cohort.scores import cohort_scores
from academy.cohort.settings import LatePolicy
from academy.progress.store import ProgressStore

pytestmark = pytest.mark.slow


def score(folder, learner):
    return next(r for r in cohort_scores(folder).learners if r.learner.id == learner).exercises[
        EXERCISE
    ]


def test_a_regrade_updates_every_output(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'progress.sqlite'}"
    monkeypatch.setenv("ACADEMY_PROGRESS_URL", url)
    monkeypatch.setenv("ACADEMY_COHORTS_DIR", str(tmp_path / "cohorts"))
    store = ProgressStore(url)
    store.register_lesson("python-basics/reading-lists", 1)
    for learner in ("ana", "ben"):
        store.record(
            learner, "python-basics/reading-lists", step=1, attempt=1, correct=True, answer=None
        )
    folder = make_cohort(tmp_path, ["ana", "ben"], due=datetime(2030, 1, 1, 17, 0))
    policy = LatePolicy(grace_minutes=0, percent_per_day=10, max_percent=50)
    write_settings(folder.path, folder.settings.model_copy(update={"late_policy": policy}))
    folder = load_folder(folder.path)
    assert "CohortLatePenalty" in (folder.path / "nbgrader_config.py").read_text()
    inbox = tmp_path / "inbox"
    write_notebook(inbox / "ana" / NOTEBOOK, with_answers(folder, GOOD))
    write_notebook(inbox / "ben" / NOTEBOOK, with_answers(folder, GOOD))
    academy(
        "cohort",
        "import",
        "test",
        EXERCISE,
        str(inbox),
        "--submitted-at",
        "ana=2030-01-01T12:00+00:00",
        "--submitted-at",
        "ben=2030-01-03T09:00+00:00",
    )
    academy("cohort", "grade", "test", EXERCISE)
    ben = score(folder, "ben")
    assert ben.penalty == 1.0 and ben.score == 4.0  # 40 hours late: two started days, 20%
    assert score(folder, "ana").score == 5.0
    academy("cohort", "feedback", "test", EXERCISE)
    academy("cohort", "report", "test")
    certs = academy("cohort", "certificates", "test")
    assert "Issued 2 certificate(s)" in certs.stdout
    ben_page = folder.feedback("ben", EXERCISE) / "sums.html"
    report = folder.path / "report" / "index.html"
    assert "4 / 5" in ben_page.read_text()

    # an extension lifts the penalty, and the outputs follow without being asked
    extended = academy(
        "cohort", "extend", "test", EXERCISE, "ben", "--until", "2030-01-04T00:00+00:00"
    )
    assert "Late penalty for ben: 1 → 0 points" in extended.stdout
    assert "Updated from the new grades" in extended.stdout
    assert score(folder, "ben").score == 5.0
    history = [(c.kind, c.previous, c.score) for c in changes(folder, EXERCISE, "ben")]
    assert history == [
        ("graded", None, 5.0),
        ("late-penalty", 5.0, 4.0),
        ("late-penalty", 4.0, 5.0),
    ]
    assert verify_history(folder) == []
    assert "5 / 5" in ben_page.read_text() and "after the due date" not in ben_page.read_text()

    # ana hands in again, worse: her certificate is revoked and every page says 3
    ana_code = next(c.code for c in load_register(folder).certificates if c.learner == "ana")
    second = tmp_path / "second"
    write_notebook(second / "ana" / NOTEBOOK, with_answers(folder, PARTIAL))
    academy(
        "cohort",
        "import",
        "test",
        EXERCISE,
        str(second),
        "--submitted-at",
        "ana=2030-01-01T13:00+00:00",
    )
    graded = academy("cohort", "grade", "test", EXERCISE)
    assert "Revoked the certificate of ana" in graded.stderr
    assert "3 / 5" in (folder.feedback("ana", EXERCISE) / "sums.html").read_text()
    html = report.read_text()
    assert "60%" in html  # ana's new total in the report
    assert not (folder.path / "certificates" / "ana.pdf").exists()
    assert (folder.path / "certificates" / "ben.pdf").exists()
    verdict = verify_code(ana_code, tmp_path / "cohorts")
    assert not verdict.valid and "needs 70%" in verdict.certificate.revoked_because
    assert datetime.now(UTC) >= verdict.certificate.revoked_at
