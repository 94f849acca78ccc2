"""Hostile and broken submissions, all in one cohort graded once.

For every case: the learner gets a score and a clear message, the rest of the cohort is
graded correctly, the gradebook and every other file are unchanged, and the whole run
finishes in bounded time.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from cohort_support import (
    EXERCISE,
    GOOD,
    HIDDEN_SNIPPETS,
    NOTEBOOK,
    PARTIAL,
    Mutation,
    delete_cell,
    duplicate_cell,
    edit_cell,
    gradebook_scores,
    make_cohort,
    messages,
    record,
    snapshot,
    with_answers,
    write_notebook,
)

from academy.cohort.feedback import generate_feedback
from academy.cohort.grade import grade_exercise
from academy.cohort.submissions import import_submissions

pytestmark = pytest.mark.slow

#: Time for the whole run: 24 submissions, several of which hit the limits on purpose.
RUN_BUDGET_SECONDS = 150


@dataclass
class Case:
    score: float
    says: list[str]
    answers: dict[str, str] = field(default_factory=dict)
    mutate: Mutation | None = None
    raw: bytes | None = None
    file_name: str = NOTEBOOK
    direct: bool = False


def _answer(key: str, code: str) -> dict[str, str]:
    return {**GOOD, key: code}


def cases(cohort: Path, canary: Path, port: int) -> dict[str, Case]:
    secrets = [
        cohort / "source" / EXERCISE / NOTEBOOK,
        cohort / "gradebook.db",
        cohort / "submitted" / "good" / EXERCISE / NOTEBOOK,
        Path(__file__).parent
        / "fixtures"
        / "cohort"
        / "academy"
        / "exercises"
        / "source"
        / EXERCISE
        / NOTEBOOK,
        Path("/etc/shadow"),
    ]
    read_secrets = "\n".join(
        [
            "for path in " + repr([str(p) for p in secrets]) + ":",
            "    try:",
            "        text = open(path, 'rb').read()",
            "        print('LEAKED', path, b'HIDDEN' in text)",
            "    except Exception as exc:",
            "        print('blocked', type(exc).__name__)",
            GOOD["big-count-answer"],
        ]
    )
    write_secrets = "\n".join(
        [
            "import sqlite3",
            "for attempt in (",
            f"    lambda: sqlite3.connect({str(cohort / 'gradebook.db')!r}).execute('UPDATE grade SET auto_score = 99'),",
            f"    lambda: open({str(cohort / 'submitted' / 'good' / EXERCISE / NOTEBOOK)!r}, 'w').write('gone'),",
            f"    lambda: open({str(canary)!r}, 'w').write('overwritten'),",
            f"    lambda: __import__('os').remove({str(canary)!r}),",
            "):",
            "    try:",
            "        attempt()",
            "        print('WROTE')",
            "    except Exception as exc:",
            "        print('blocked', type(exc).__name__)",
            GOOD["big-count-answer"],
        ]
    )
    network = "\n".join(
        [
            "import socket",
            f"for address in [('127.0.0.1', {port}), ('pypi.org', 443)]:",
            "    try:",
            "        socket.create_connection(address, timeout=2).sendall(b'LEAK')",
            "        print('CONNECTED')",
            "    except OSError as exc:",
            "        print('blocked', type(exc).__name__)",
            GOOD["big-count-answer"],
        ]
    )
    return {
        "good": Case(5, ["All checks passed"], GOOD),
        "partial": Case(3, ["hidden"], PARTIAL),
        "loop-answer": Case(
            4, ["ran longer than 3 seconds"], _answer("big-count-answer", "while True:\n    pass")
        ),
        "loop-function": Case(
            3,
            ["did not finish: it ran longer than 3 seconds"],
            _answer("total-answer", "def total(values):\n    while True:\n        pass"),
        ),
        "sigint-loop": Case(
            0,
            ["seconds"],
            _answer(
                "total-answer",
                "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
            ),
        ),
        "memory-hog": Case(
            4,
            ["more memory than"],
            _answer("big-count-answer", "data = bytearray(50 * 1024**3)\nbig_count = 3"),
        ),
        "fork-bomb": Case(
            -1,
            ["processes", "Python stopped", "not run", "ran longer than"],
            _answer("big-count-answer", "import os\nwhile True:\n    os.fork()"),
        ),
        "print-flood": Case(
            5,
            ["cut short"],
            _answer(
                "big-count-answer",
                "import sys\nsys.stdout.write('x' * 100_000_000)\n" + GOOD["big-count-answer"],
            ),
        ),
        "exit-kernel": Case(
            2, ["Python stopped"], _answer("big-count-answer", "import os\nos._exit(1)")
        ),
        "segfault": Case(
            3, ["Python stopped"], _answer("mean-answer", "import ctypes\nctypes.string_at(0)")
        ),
        "corrupt-json": Case(
            0, ["could not be opened", "damaged"], raw=b'{"cells": [{"cell_type": "code", '
        ),
        "empty-file": Case(0, ["Did you send the right file?"], raw=b""),
        "too-large": Case(
            0,
            ["Clear Outputs of All Cells"],
            raw=b'{"cells": [], "metadata": {"x": "' + b"a" * (51 * 2**20) + b'"}}',
        ),
        "renamed": Case(5, ["was called 'my work.ipynb'"], GOOD, file_name="my work.ipynb"),
        "wrong-name": Case(
            0,
            ["expected a notebook called sums.ipynb", "Untitled.ipynb"],
            GOOD,
            file_name="Untitled.ipynb",
            direct=True,
        ),
        "edited-test": Case(
            3,
            ["read-only cells"],
            _answer("total-answer", "def total(values):\n    return 0"),
            mutate=edit_cell("total-check", "assert True"),
        ),
        "deleted-test": Case(
            3,
            ["read-only cells"],
            _answer("total-answer", "def total(values):\n    return 0"),
            mutate=delete_cell("total-check"),
        ),
        "duplicated-test": Case(
            4,
            ["read-only cells"],
            _answer("big-count-answer", "big_count = 2"),
            mutate=duplicate_cell("big-count-check", "assert True"),
        ),
        "read-secrets": Case(5, ["All checks passed"], _answer("big-count-answer", read_secrets)),
        "write-gradebook": Case(
            5, ["All checks passed"], _answer("big-count-answer", write_secrets)
        ),
        "network": Case(5, ["All checks passed"], _answer("big-count-answer", network)),
        "sleeper": Case(
            4,
            ["ran longer than 3 seconds"],
            _answer("big-count-answer", "import time\ntime.sleep(10**6)"),
        ),
        "always-equal": Case(
            4,
            ["hidden"],
            _answer(
                "big-count-answer",
                "class Always(int):\n    def __eq__(self, other):\n        return True\n"
                "    __hash__ = int.__hash__\n\nbig_count = Always(7)",
            ),
        ),
        "input-call": Case(
            4, ["input()"], _answer("big-count-answer", "big_count = int(input('How many? '))")
        ),
        "widgets": Case(
            5,
            ["widgets"],
            _answer(
                "big-count-answer",
                "from ipywidgets import interact\n\ndef show(n=3):\n    return n\n\ninteract(show, n=3)\n"
                + GOOD["big-count-answer"],
            ),
        ),
    }


@pytest.fixture(scope="module")
def listener():
    """A TCP server on the host's loopback that counts connections (none should come)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    seen = {"connections": 0}
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                seen["connections"] += 1
                conn.close()
            except TimeoutError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory, listener):
    base = tmp_path_factory.mktemp("adversarial")
    canary = base / "canary.txt"
    canary.write_text("untouched")
    port, _ = listener
    placeholder = cases(base / "cohorts" / "test", canary, port)
    folder = make_cohort(base, list(placeholder))
    table = cases(folder.path, canary, port)
    inbox = base / "inbox"
    for learner, case in table.items():
        if case.raw is not None:
            content: object = case.raw
        else:
            notebook = with_answers(folder, case.answers)
            content = case.mutate(folder, notebook) if case.mutate else notebook
        target = (
            folder.submitted(learner, EXERCISE) if case.direct else inbox / learner
        ) / case.file_name
        write_notebook(target, content)  # type: ignore[arg-type]
    report = import_submissions(folder, EXERCISE, inbox)
    assert not report.unmatched
    repo_fixtures = Path(__file__).parent / "fixtures" / "cohort"
    before = snapshot(
        folder.path,
        repo_fixtures,
        skip=("autograded", "grades", "gradebook.db", "grade.lock", "history.jsonl"),
    )
    before[str(canary)] = snapshot(base)[str(canary)]
    started = time.monotonic()
    run = grade_exercise(folder, EXERCISE, jobs=2)
    seconds = time.monotonic() - started
    generate_feedback(folder, EXERCISE)
    after = snapshot(
        folder.path,
        repo_fixtures,
        # the grader's own records: the grade history and where outputs were written
        skip=(
            "autograded",
            "grades",
            "gradebook.db",
            "grade.lock",
            "feedback",
            "history.jsonl",
            "outputs.json",
        ),
    )
    after[str(canary)] = snapshot(base)[str(canary)]
    return folder, table, run, seconds, before, after


def test_the_whole_run_is_bounded_and_sandboxed(graded):
    _, table, run, seconds, *_ = graded
    assert run.sandbox == "bwrap", run.warning
    assert seconds < RUN_BUDGET_SECONDS
    assert sorted(r.learner for r in run.graded) == sorted(table)


@pytest.mark.parametrize("learner", list(cases(Path("/c"), Path("/c"), 1)))
def test_each_case_gets_a_score_and_a_clear_message(graded, learner):
    folder, table, *_ = graded
    case = table[learner]
    data = record(folder, learner)
    if case.score >= 0:
        assert data["score"] == case.score, messages(folder, learner)
    else:
        assert 0 <= data["score"] <= 5
    text = messages(folder, learner)
    assert any(phrase in text for phrase in case.says), text
    page = (folder.feedback(learner, EXERCISE) / "sums.html").read_text()
    assert f"{data['score']:g} / 5" in page


def test_the_rest_of_the_cohort_is_graded_exactly(graded):
    folder, *_ = graded
    scores = gradebook_scores(
        folder, ["good", "partial", "read-secrets", "write-gradebook", "network", "widgets"]
    )
    assert scores["good"] == {"total-check": 2.0, "big-count-check": 1.0, "mean-check": 2.0}
    assert scores["partial"] == {"total-check": 2.0, "big-count-check": 1.0, "mean-check": 0.0}
    for learner in ("read-secrets", "write-gradebook", "network", "widgets"):
        assert scores[learner] == scores["good"]


def test_files_and_gradebook_are_untouched(graded):
    from nbgrader.api import Gradebook

    folder, table, _, _, before, after = graded
    assert before == after
    with Gradebook(folder.db_url, folder.name) as gradebook:
        assert sorted(s.id for s in gradebook.students) == sorted(table)
        for learner in table:
            submission = gradebook.find_submission(EXERCISE, learner)
            assert submission.score <= submission.max_score == 5


def test_nothing_leaks_out_or_in(graded, listener):
    folder, *_ = graded
    _, seen = listener
    assert seen["connections"] == 0

    def outputs(learner: str) -> str:
        nb = nbformat.read(folder.autograded(learner, EXERCISE) / NOTEBOOK, as_version=4)
        return "".join(
            o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
        )

    secrets = outputs("read-secrets")
    assert "LEAKED" not in secrets and secrets.count("blocked") == 5
    writes = outputs("write-gradebook")
    assert "WROTE" not in writes and writes.count("blocked") == 4
    network = outputs("network")
    assert "CONNECTED" not in network and network.count("blocked") == 2


def test_tampering_is_flagged_by_the_academy(graded):
    folder, *_ = graded
    kinds = {
        learner: {f["kind"] for f in record(folder, learner)["flags"]}
        for learner in ("edited-test", "deleted-test", "duplicated-test", "good")
    }
    assert kinds == {
        "edited-test": {"edited"},
        "deleted-test": {"deleted"},
        "duplicated-test": {"duplicated"},
        "good": set(),
    }


def test_feedback_never_shows_hidden_tests(graded):
    folder, table, *_ = graded
    for learner in table:
        html = (folder.feedback(learner, EXERCISE) / "sums.html").read_text()
        for snippet in HIDDEN_SNIPPETS:
            assert snippet not in html, (learner, snippet)
        assert "Traceback" not in html and "<script" not in html
        assert "http://" not in html and "https://" not in html
