"""`academy cohort collect`: hand-ins from nbgrader's exchange on the hub."""

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

from academy.cohort.collect import collect_submissions, inbound
from academy.core.errors import AcademyError

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


def hand_in(exchange, folder, learner, exercise, stamp, notebook, random="+Xy3_q") -> None:
    name = f"{learner}+{exercise}+{stamp}{random}"
    write_notebook(inbound(exchange, folder) / name / NOTEBOOK, notebook)
    (inbound(exchange, folder) / name / "timestamp.txt").write_text(stamp)


def test_collect_takes_each_learners_newest_hand_in_of_that_exercise(tmp_path) -> None:
    folder = make_cohort(tmp_path, ["ana", "ben"], name="hubclass")
    exchange = tmp_path / "exchange"
    older, newer = with_answers(folder, PARTIAL), with_answers(folder, GOOD)
    hand_in(exchange, folder, "ana", EXERCISE, "2030-01-02 09:00:00.000000 UTC", older)
    hand_in(exchange, folder, "ana", EXERCISE, "2030-01-02 10:00:00.000000 UTC", newer, random="")
    hand_in(exchange, folder, "ana", "other-exercise", "2030-01-02 11:00:00.000000 UTC", older)
    hand_in(exchange, folder, "zed", EXERCISE, "2030-01-02 09:30:00.000000 UTC", newer)
    report = collect_submissions(folder, EXERCISE, exchange)
    assert [i.learner for i in report.imported] == ["ana"]
    assert report.imported[0].submitted_at == datetime(2030, 1, 2, 10, 0, tzinfo=UTC)
    assert report.missing == ["ben"]
    reasons = " ".join(u.reason for u in report.unmatched)
    assert "older copy" in reasons
    assert any("zed" in u.origin for u in report.unmatched)
    import nbformat

    got = nbformat.read(folder.submitted("ana", EXERCISE) / NOTEBOOK, as_version=4)
    assert got == newer


def test_collect_before_any_release_says_what_to_do(tmp_path) -> None:
    folder = make_cohort(tmp_path, ["ana"], name="early")
    with pytest.raises(AcademyError, match="release the exercise"):
        collect_submissions(folder, EXERCISE, tmp_path / "no-exchange")
