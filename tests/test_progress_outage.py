"""The progress database down at the start of a lesson or in the middle of it: every
answer is kept on disk, written exactly once when the database is back, and nothing is
lost when the kernel that kept it dies."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from postgres_support import SCRIPT, fresh_database, start_server, stop_server

from academy.progress.store import ProgressStore, Saved, StoreUnavailable


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A PostgreSQL server of this test's own, which the test stops and starts."""
    import shutil
    import tempfile

    monkeypatch.setenv("ACADEMY_HOME", str(tmp_path / "home"))
    folder = Path(tempfile.mkdtemp(prefix="academy-pg-outage-"))
    url = fresh_database(start_server(folder))
    yield folder, url
    stop_server(folder)
    shutil.rmtree(folder, ignore_errors=True)


def restart(folder: Path) -> None:
    subprocess.run([str(SCRIPT), str(folder)], check=True, capture_output=True, timeout=120)


def test_database_down_at_start_then_back(server) -> None:
    folder, url = server
    stop_server(folder)
    flushed: list[int] = []
    store = ProgressStore(url, retry_seconds=0, on_flushed=flushed.append)
    assert store.register_lesson("c/l", 3, "L") is Saved.KEPT
    assert store.record("maria", "c/l", 1, 1, True, None) is Saved.KEPT
    assert store.record("maria", "c/l", 2, 1, False, "no") is Saved.KEPT
    assert store.attempt_count("maria", "c/l", 2) == 1  # from what it kept
    assert store.pending() == 3
    with pytest.raises(StoreUnavailable) as caught:
        store.done_steps("maria", "c/l")
    assert "cannot be reached" in str(caught.value) and "\n" not in str(caught.value)
    restart(folder)
    assert store.record("maria", "c/l", 2, 2, True, "yes") is Saved.SAVED
    assert flushed == [2] and store.pending() == 0
    got = ProgressStore(url).attempts(learner="maria")
    assert [(a.step, a.attempt, a.correct) for a in got] == [
        (1, 1, True),
        (2, 1, False),
        (2, 2, True),
    ]
    assert ProgressStore(url).steps_total() == {"c/l": 3}


def test_database_down_mid_lesson_retried_in_the_background(server) -> None:
    folder, url = server
    flushed: list[int] = []
    store = ProgressStore(url, retry_seconds=0.5, on_flushed=flushed.append)
    assert store.record("dev", "c/l", 1, 1, True, None) is Saved.SAVED
    stop_server(folder)
    assert store.record("dev", "c/l", 2, 1, True, "x") is Saved.KEPT
    restart(folder)
    import time

    deadline = time.monotonic() + 30
    while store.pending() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert store.pending() == 0 and flushed == [1]
    assert [a.step for a in ProgressStore(url).attempts()] == [1, 2]
    store.close()


def test_answers_of_a_dead_kernel_are_written_once(server) -> None:
    folder, url = server
    stop_server(folder)
    code = (
        "import os, sys; from academy.progress.store import ProgressStore; "
        "s = ProgressStore(sys.argv[1], retry_seconds=0); "
        "[s.record('ana', 'c/l', i, 1, True, None) for i in (1, 2, 3)]; os._exit(0)"
    )
    subprocess.run([sys.executable, "-c", code, url], check=True, timeout=120)
    restart(folder)
    first, second = ProgressStore(url), ProgressStore(url)
    first.steps_total()  # connecting writes what the dead kernel kept
    second.flush()
    assert sorted(a.step for a in second.attempts()) == [1, 2, 3]
    assert not list(first.outbox.folder.glob("*.jsonl"))


def test_kept_answer_written_twice_is_stored_once(server, tmp_path) -> None:
    """A flush cut off after the insert (the file not yet deleted) writes nothing twice."""
    folder, url = server
    stop_server(folder)
    store = ProgressStore(url, retry_seconds=0)
    store.record("li", "c/l", 1, 1, True, None)
    kept = next(store.outbox.folder.glob("*.jsonl"))
    copy = kept.with_name("copy-of-kept.jsonl")
    copy.write_bytes(kept.read_bytes())
    restart(folder)
    store.flush()
    assert len(ProgressStore(url).attempts()) == 1


def test_lesson_tells_the_learner_plainly_and_saves_later(server) -> None:
    """The click-through app on a hub, its database down from the start of the lesson."""
    from academy.clickthrough.app import KEPT_MESSAGE, SAVED_AGAIN_MESSAGE, LessonApp
    from academy.clickthrough.learner import Identity

    folder, url = server
    stop_server(folder)
    step = {"kind": "read", "title": "t", "html": "", "media": []}
    lesson = {
        "id": "c/l",
        "title": "T",
        "course_title": "C",
        "summary": "S",
        "minutes": 1,
        "objectives": [],
        "key_points": ["k"],
        "steps": [step, step, step],
    }
    app = LessonApp(lesson, None, Identity("mgarcia", "mgarcia", "mgarcia", "hub"))
    app.store.close()
    app.store = ProgressStore(url, retry_seconds=0, on_flushed=app._saved_again)
    app.begin("mgarcia")
    assert KEPT_MESSAGE in app.status.value
    app.advance()
    assert app.store.pending() == 2  # the lesson and the first step
    restart(folder)
    app.advance()
    assert SAVED_AGAIN_MESSAGE in app.status.value
    got = ProgressStore(url).attempts()
    assert [(a.learner, a.roster_id, a.identified_by, a.step) for a in got] == [
        ("mgarcia", "mgarcia", "hub", 1),
        ("mgarcia", "mgarcia", "hub", 2),
    ]
