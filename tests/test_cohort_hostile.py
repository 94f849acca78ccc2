"""Learners who attack the sandbox itself, graded in one cohort beside an honest learner.

Each case is one class of attack on what the sandbox holds or on the channel back: the
grader's environment, other processes' descriptors and memory, forged or garbage results,
signals, the trusted notebook and hidden tests, every tmpfs, shared memory, payloads in
error messages, tricks in the notebook format, scripts in outputs, processes left behind.
For the whole cohort: the honest learner keeps full marks and "All checks passed", every
case gets the score its own honest parts earn, no secret planted in the grader's
environment appears anywhere in the cohort folder, no hidden-test line in any HTML, no file
outside the sandbox changes, nothing is left running, and the run is bounded in time.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
import pytest
from cohort_support import (
    EXERCISE,
    FAST_LIMITS,
    GOOD,
    HIDDEN_SNIPPETS,
    NOTEBOOK,
    cell_index,
    make_cohort,
    messages,
    record,
    snapshot,
    with_answers,
    write_notebook,
)

from academy.cohort.feedback import generate_feedback
from academy.cohort.grade import grade_exercise
from academy.cohort.report import cohort_report
from academy.cohort.submissions import import_submissions

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")]

RUN_BUDGET_SECONDS = 240
SECRETS = {
    "DATABASE_URL": "postgresql://trainer:canary-db-7Hq2@db.internal/academy",
    "JUPYTERHUB_API_TOKEN": "canary-hub-token-9f3e1c",
    "AWS_SECRET_ACCESS_KEY": "canary-aws-Zk81pQ",
}
MARKER = "academy-hostile-daemon-4b1d"

# what the attack looks for: the grader's secrets and lines of the exercise's hidden tests,
# each written in two halves so the learner's notebook never holds one whole
_SOUGHT = [v for v in SECRETS.values()] + [h for h in HIDDEN_SNIPPETS if h != "HIDDEN TESTS"]
READ_EVERYTHING = (
    "SOUGHT = [a + b for a, b in "
    + repr([(v[: len(v) // 2], v[len(v) // 2 :]) for v in _SOUGHT])
    + "]\n"
    + """
import os
_found = []
for _pid in [p for p in os.listdir('/proc') if p.isdigit()]:
    for _what in ('environ', 'cmdline', 'mem'):
        try:
            _found.append(open(f'/proc/{_pid}/{_what}', 'rb').read(1 << 16).decode('latin-1'))
        except OSError:
            pass
    for _fd in range(64):
        try:
            _f = os.open(f'/proc/{_pid}/fd/{_fd}', os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            _found.append(os.read(_f, 1 << 16).decode('latin-1'))
        except OSError:
            pass
        os.close(_f)
import sys, academy
# the Python install and the academy's code are public and mounted read-only: where the
# checkout lies under /tmp they sit inside it, and are no loot
_public = (sys.prefix, sys.base_prefix, os.path.dirname(academy.__file__))
for _root in ('/tmp', '/dev/shm', '/etc'):
    for _dir, _dirs, _files in os.walk(_root):
        _dirs[:] = [d for d in _dirs if not os.path.join(_dir, d).startswith(_public)]
        for _name in _files:
            try:
                _found.append(open(os.path.join(_dir, _name), 'rb').read(1 << 16).decode('latin-1'))
            except OSError:
                pass
LOOT = '\\n'.join(_found)
print('LOOT', len(LOOT), any(_s in LOOT for _s in SOUGHT))
"""
)

FORGE = """
import os, json
_mine = {str(os.getpid())}
_forged = json.dumps({"cells": [], "stop_reason": None, "type": "done"}).encode()
_wrote = 0
for _garbage in (b"[" * 300000, _forged, b"\\x00\\x00\\x00\\x40" + b"\\xff" * 64):
    for _pid in [p for p in os.listdir('/proc') if p.isdigit() and p not in _mine]:
        for _fd in range(64):
            try:
                _f = os.open(f'/proc/{_pid}/fd/{_fd}', os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                continue
            try:
                _wrote += os.write(_f, _garbage)
            except OSError:
                pass
            os.close(_f)
print('forged bytes written', _wrote)
"""

PTRACE = """
import ctypes, os
_libc = ctypes.CDLL(None, use_errno=True)
_parent = os.getppid()
print('ptrace', _libc.ptrace(16, _parent, 0, 0), ctypes.get_errno())
_buf = ctypes.create_string_buffer(64)
class _Vec(ctypes.Structure):
    _fields_ = [('base', ctypes.c_void_p), ('len', ctypes.c_size_t)]
_local = _Vec(ctypes.cast(_buf, ctypes.c_void_p), 64)
_remote = _Vec(0x400000, 64)
print('vm_read', _libc.process_vm_readv(_parent, ctypes.byref(_local), 1, ctypes.byref(_remote), 1, 0))
for _what in ('mem', 'environ'):
    try:
        open(f'/proc/{_parent}/{_what}', 'rb').read(10)
        print('READ', _what)
    except OSError as _exc:
        print('blocked', _what, type(_exc).__name__)
"""

FILL = """
import os
_block = b'x' * (1 << 20)
for _place in ('/dev/shm', '/', '/dev', '/tmp', '/tmp/work', '/tmp/home'):
    _written = 0
    try:
        with open(os.path.join(_place, 'fill'), 'wb', buffering=0) as _f:
            while _written < (1 << 30):
                _written += _f.write(_block)
    except OSError:
        pass
    print('FILLED', _place, _written >> 20)
    try:
        os.remove(os.path.join(_place, 'fill'))
    except OSError:
        pass
"""

MEMFD = """
import os
_keep = []
for _i in range(900):
    _fd = os.memfd_create(f'm{_i}')
    try:
        os.write(_fd, b'x' * (8 << 20))
    except OSError:
        os.close(_fd)
        break
    _keep.append(_fd)
print('memfd MiB', 8 * len(_keep))
"""

HOOK = """
_SEEN = []
get_ipython().events.register('pre_run_cell', lambda info: _SEEN.append(info.raw_cell))
"""

LEAK_LATER = """
def mean(values):
    raise AssertionError('\\u202e'.join(_SEEN) + ' DATABASE_URL=' + 'x' * 50)


class LeakError(Exception):
    pass


raise type('Leak_' + ''.join(c for c in ''.join(_SEEN) if c.isalnum())[:80], (Exception,), {})()
"""

SCRIPTS = """
from IPython.display import display, HTML, SVG, Javascript
display(HTML('<script>fetch("http://127.0.0.1/steal")</script><b>hi</b>'))
display(Javascript('alert(document.cookie)'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'))
display({'text/markdown': '<img src=x onerror=alert(1)>'}, raw=True)
"""

DAEMON = f"""
import subprocess, sys
subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(900)  # {MARKER}'],
                 start_new_session=True, stdin=subprocess.DEVNULL,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
"""


@dataclass
class Case:
    score: float
    says: list[str]
    answers: dict[str, str]
    mutate: object = None


def _with(key: str, attack: str) -> dict[str, str]:
    return {**GOOD, key: attack + "\n" + GOOD[key]}


def _swap_test_to_markdown(folder, notebook):
    """A test cell turned into markdown (it would not run), another kernel named, and a
    passing result written into the test cell beforehand."""
    cell = notebook.cells[cell_index(notebook, "total-check")]
    cell.cell_type = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)
    notebook.metadata["kernelspec"] = {"name": "bash", "display_name": "Bash", "language": "bash"}
    other = notebook.cells[cell_index(notebook, "mean-check")]
    other.outputs = [
        nbformat.from_dict(
            {
                "output_type": "execute_result",
                "data": {"text/plain": "2"},
                "metadata": {},
                "execution_count": 1,
            }
        )
    ]
    return notebook


ATTACK_LIMITS = FAST_LIMITS.model_copy(update={"cell_timeout": 10, "notebook_timeout": 60})
BROKEN_TOTAL = "def total(values):\n    return 0"
CASES = {
    "honest": Case(5, ["All checks passed"], GOOD),
    "read-everything": Case(5, ["All checks passed"], _with("big-count-answer", READ_EVERYTHING)),
    "forge-result": Case(5, ["All checks passed"], _with("big-count-answer", FORGE)),
    "forge-then-kill": Case(
        2,
        ["Grading stopped part way"],
        _with(
            "big-count-answer", FORGE + "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"
        ),
    ),
    "kill-everything": Case(
        3,
        ["Grading stopped part way", "Python stopped"],
        _with("mean-answer", "import os, signal\nos.kill(-1, signal.SIGKILL)"),
    ),
    "ptrace": Case(5, ["All checks passed"], _with("big-count-answer", PTRACE)),
    "fill-tmpfs": Case(5, ["All checks passed"], _with("big-count-answer", FILL)),
    "memfd": Case(3, ["Python stopped", "ran longer"], _with("mean-answer", MEMFD * 8)),
    "hook-hidden-tests": Case(
        3,
        ["A check did not pass: assert mean", "did not finish", "an error"],
        {**_with("total-answer", HOOK), "mean-answer": LEAK_LATER},
    ),
    "payload-message": Case(
        3,
        ["A check did not pass: assert total([1, 2, 3]) == 6"],
        {
            **GOOD,
            "total-answer": "def total(values):\n    raise AssertionError("
            "'\\u202e' + open('/proc/1/environ').read() + ' [bold red]x[/]')",
        },
    ),
    "format-tricks": Case(
        3, ["did not pass"], {**GOOD, "total-answer": BROKEN_TOTAL}, _swap_test_to_markdown
    ),
    "scripts-in-outputs": Case(5, ["All checks passed"], _with("big-count-answer", SCRIPTS)),
    "daemon": Case(5, ["All checks passed"], _with("big-count-answer", DAEMON)),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    scratch = base / "scratch"
    scratch.mkdir()
    canary = base / "canary.txt"
    canary.write_text("untouched")
    saved = {k: os.environ.get(k) for k in [*SECRETS, "TMPDIR"]}
    os.environ.update(SECRETS)
    os.environ["TMPDIR"] = str(scratch)  # the sandboxes' scratch folders go here
    try:
        # the read-everything attack walks every reachable file: 3 s per cell is too
        # tight for it on a loaded 2-core box, and a stopped attack proves nothing
        folder = make_cohort(base, list(CASES), limits=ATTACK_LIMITS)
        inbox = base / "inbox"
        for learner, case in CASES.items():
            notebook = with_answers(folder, case.answers)
            if case.mutate:
                notebook = case.mutate(folder, notebook)  # type: ignore[operator]
            write_notebook(inbox / learner / NOTEBOOK, notebook)
        assert not import_submissions(folder, EXERCISE, inbox).unmatched
        fixtures = Path(__file__).parent / "fixtures" / "cohort"
        before = snapshot(fixtures)
        started = time.monotonic()
        run = grade_exercise(folder, EXERCISE, jobs=2)
        seconds = time.monotonic() - started
        generate_feedback(folder, EXERCISE)
        cohort_report(folder)
        after = snapshot(fixtures)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return folder, run, seconds, before == after, canary.read_text(), scratch


def test_the_run_is_sandboxed_bounded_and_complete(graded):
    _, run, seconds, *_ = graded
    assert run.sandbox == "bwrap" and not run.interrupted and not run.unfinished
    assert sorted(r.learner for r in run.graded) == sorted(CASES)
    assert seconds < RUN_BUDGET_SECONDS


@pytest.mark.parametrize("learner", list(CASES))
def test_each_attack_earns_only_its_honest_parts(graded, learner):
    folder, *_ = graded
    case = CASES[learner]
    text = messages(folder, learner)
    assert record(folder, learner)["score"] == case.score, text
    assert any(phrase in text for phrase in case.says), text


def test_no_secret_and_no_hidden_test_gets_out(graded):
    folder, *_ = graded
    for path in folder.path.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for value in SECRETS.values():
            assert value.encode() not in data, (path, value)
        if path.suffix == ".html":
            html = data.decode()
            for snippet in HIDDEN_SNIPPETS:
                assert snippet not in html, (path, snippet)
            assert "<script" not in html and "\u202e" not in html
    for learner in CASES:  # learner-facing messages: never a hidden line or a payload
        text = messages(folder, learner)
        assert "HIDDEN" not in text and "canary" not in text and "[bold" not in text


def test_the_loot_holds_nothing_of_the_grader(graded):
    folder, *_ = graded
    notebook = nbformat.read(folder.autograded("read-everything", EXERCISE) / NOTEBOOK, 4)
    out = "".join(
        o.get("text", "")
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    )
    line = next((x.split() for x in out.splitlines() if x.startswith("LOOT ")), None)
    assert line is not None, f"the attack did not finish: {out[-500:]!r}"
    _, size, found = line
    assert int(size) > 0 and found == "False", f"the attack read {size} characters, found {found}"


def test_the_worker_and_the_channel_are_out_of_reach(graded):
    folder, *_ = graded

    def printed(learner: str) -> str:
        notebook = nbformat.read(folder.autograded(learner, EXERCISE) / NOTEBOOK, 4)
        return "".join(
            o.get("text", "")
            for c in notebook.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
        )

    ptrace = printed("ptrace")
    assert "ptrace -1 1" in ptrace and "vm_read -1" in ptrace and "READ" not in ptrace
    assert ptrace.count("blocked") == 2
    filled = {
        line.split()[1]: int(line.split()[2])
        for line in printed("fill-tmpfs").splitlines()
        if line.startswith("FILLED")
    }
    assert filled["/"] == 0 and filled["/dev"] == 0
    assert filled["/dev/shm"] <= 16 and filled["/tmp"] <= 64 and filled["/tmp/work"] <= 64


def test_outputs_that_would_run_in_a_browser_are_dropped(graded):
    import json

    folder, *_ = graded
    notebook = nbformat.read(folder.autograded("scripts-in-outputs", EXERCISE) / NOTEBOOK, 4)
    text = json.dumps([c.get("outputs", []) for c in notebook.cells])
    assert "display_data" in text  # the outputs are there, as text
    assert "<script" not in text and "javascript" not in text and "onerror" not in text


def test_format_tricks_are_undone_and_flagged(graded):
    folder, *_ = graded
    assert {f["kind"] for f in record(folder, "format-tricks")["flags"]} == {"changed-metadata"}
    graded_nb = nbformat.read(folder.autograded("format-tricks", EXERCISE) / NOTEBOOK, 4)
    assert graded_nb.metadata.kernelspec.name == "python3"


def test_nothing_outside_changed_and_nothing_is_left_behind(graded):
    _, _, _, fixtures_unchanged, canary, scratch = graded
    assert fixtures_unchanged and canary == "untouched"
    assert list(scratch.iterdir()) == []  # every sandbox's scratch folder was removed
    left = [
        p.info["pid"]
        for p in psutil.process_iter(["pid", "cmdline"])
        if MARKER in " ".join(p.info["cmdline"] or [])
    ]
    assert left == []
