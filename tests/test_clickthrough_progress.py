"""The progress store: attempts, summaries and resuming, on SQLite (and any SQLAlchemy URL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from academy.progress.store import Attempt, LessonSummary, ProgressStore


def store(tmp_path) -> ProgressStore:
    return ProgressStore(f"sqlite:///{tmp_path / 'p.sqlite'}")


def test_records_and_reads_attempts(tmp_path) -> None:
    s = store(tmp_path)
    s.register_lesson("good-data/duplicates", 3, "The same problem, twice")
    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    s.record("maria", "good-data/duplicates", 1, 1, True, None, at=t0)
    s.record("maria", "good-data/duplicates", 2, 1, False, {"row": 3}, at=t0 + timedelta(minutes=1))
    s.record("maria", "good-data/duplicates", 2, 2, True, {"row": 1}, at=t0 + timedelta(minutes=2))
    s.record("dev", "good-data/duplicates", 1, 1, True, None, at=t0)
    got = s.attempts(learner="maria")
    assert [a.step for a in got] == [1, 2, 2]
    assert got[1] == Attempt(
        "maria", "good-data/duplicates", 2, 1, False, {"row": 3}, t0 + timedelta(minutes=1)
    )
    assert len(s.attempts(lesson="good-data/duplicates")) == 4
    assert s.attempt_count("maria", "good-data/duplicates", 2) == 2


def test_summaries_and_resume(tmp_path) -> None:
    s = store(tmp_path)
    s.register_lesson("c/l", 3)
    assert s.resume_step("new", "c/l") == 1
    s.record("a", "c/l", 1, 1, True, None)
    s.record("a", "c/l", 2, 1, False, "x")
    assert s.resume_step("a", "c/l") == 2  # step 2 is not done until answered right
    s.record("a", "c/l", 2, 2, True, "y")
    s.record("a", "c/l", 3, 1, True, "z")
    assert s.resume_step("a", "c/l") == 4  # past the end: show the summary
    (summary,) = s.lesson_summaries()
    assert isinstance(summary, LessonSummary)
    assert (summary.learner, summary.steps_done, summary.steps_total, summary.completed) == (
        "a",
        3,
        3,
        True,
    )


def test_gaps_resume_at_first_missing_step(tmp_path) -> None:
    s = store(tmp_path)
    s.register_lesson("c/l", 4)
    for step in (1, 2, 4):
        s.record("b", "c/l", step, 1, True, None)
    assert s.resume_step("b", "c/l") == 3
    assert not s.lesson_summaries()[0].completed


def test_default_url_from_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ACADEMY_PROGRESS_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    s = ProgressStore()
    s.record("x", "c/l", 1, 1, True, None)
    assert (tmp_path / "env.sqlite").is_file()
    monkeypatch.delenv("ACADEMY_PROGRESS_URL")
    monkeypatch.setenv("ACADEMY_HOME", str(tmp_path / "home"))
    assert ProgressStore().url.endswith("home/progress.sqlite")


def test_two_stores_share_one_database(tmp_path) -> None:
    """Each learner's kernel opens its own store on the same file."""
    a, b = store(tmp_path), store(tmp_path)
    a.record("one", "c/l", 1, 1, True, None)
    b.record("two", "c/l", 1, 1, False, "no")
    assert {x.learner for x in a.attempts()} == {"one", "two"}


def test_summaries_count_first_answers_for_a_graded_check(tmp_path) -> None:
    """The first answer to each question is what a graded check scores; steps that ask
    nothing (answer None) are not questions; a later try in another session counts as retry."""
    s = store(tmp_path)
    s.register_lesson("c/check", 4)
    t0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    s.record("a", "c/check", 1, 1, True, None, at=t0)  # a read step
    s.record("a", "c/check", 2, 1, False, "B", at=t0 + timedelta(minutes=1))
    s.record("a", "c/check", 2, 2, True, "A", at=t0 + timedelta(minutes=2))
    s.record("a", "c/check", 3, 1, True, 42.0, at=t0 + timedelta(minutes=3))
    s.record("a", "c/check", 4, 1, True, ["x", "y"], at=t0 + timedelta(minutes=4))
    s.record("a", "c/check", 4, 2, False, ["x"], at=t0 + timedelta(days=1))  # done again later
    (summary,) = s.lesson_summaries()
    assert summary.completed and (summary.answered, summary.first_right) == (3, 2)


def test_a_trainers_link_wins_and_says_how_each_learner_is_known(tmp_path) -> None:
    """A hub user whose user name is not their roster id is linked to it; the link counts
    before the roster id written with the attempts, and the summaries say how each
    learner was matched (the cohort report lists only the typed and hub ones as unmatched)."""
    s = store(tmp_path)
    s.register_lesson("c/l", 1)
    s.record("maria", "c/l", 1, 1, True, None, roster_id="maria", identified_by="hub")
    s.record("ana", "c/l", 1, 1, True, None, roster_id="ana", identified_by="roster")
    s.record("dev d.", "c/l", 1, 1, True, None)
    assert s.recorded_learners() == {"maria": None, "ana": None, "dev d.": None}
    s.link_learner("maria", "mgarcia", linked_by="trainer")
    got = {x.learner: x.matched_by for x in s.lesson_summaries()}
    assert got == {"mgarcia": "link", "ana": "roster", "dev d.": "typed"}
    assert s.recorded_learners()["maria"] == "mgarcia"
