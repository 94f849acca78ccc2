"""The sandbox on its own: what it binds, how it falls back, and the worker's limits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from cohort_support import FAST_LIMITS
from nbformat.v4 import new_code_cell, new_notebook

from academy.cohort.executor import make_executor
from academy.cohort.sandbox import (
    SandboxJob,
    SandboxUnavailable,
    bwrap_argv,
    detect_runtime,
    run_sandboxed,
)
from academy.cohort.settings import GradingLimits
from academy.core.errors import AcademyError

HAVE_BWRAP = shutil.which("bwrap") is not None


def _job(runtime, *sources: str, limits: GradingLimits = FAST_LIMITS) -> SandboxJob:
    notebook = new_notebook(
        cells=[new_code_cell(s) for s in sources],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    return SandboxJob(
        "t", nbformat.writes(notebook), "t.ipynb", {"timeout": limits.cell_timeout}, limits, runtime
    )


def test_the_command_isolates_network_and_binds_only_what_it_needs(tmp_path):
    data = tmp_path / "mirror"
    data.mkdir()
    runtime = detect_runtime(
        "auto", [data], {"ACADEMY_DATA_DIR": str(data)}, unsafe_no_sandbox=True
    )
    argv = bwrap_argv(
        runtime.__class__(
            "bwrap",
            runtime.python,
            runtime.read_only,
            runtime.env,
            "bwrap",
            bwrap_options=("--disable-userns", "--size"),
        ),
        FAST_LIMITS,
        (("helper.py", str(tmp_path / "helper.py")),),
    )
    joined = " ".join(argv)
    for flag in (
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--cap-drop ALL",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        f"--size {64 * 1024 * 1024} --tmpfs /tmp",
        f"--size {16 * 1024 * 1024} --tmpfs /dev/shm",
        "--remount-ro /dev --remount-ro /",
    ):
        assert flag in joined
    binds = [argv[i + 1] for i, a in enumerate(argv) if a in ("--bind", "--ro-bind")]
    assert "--bind" not in argv  # nothing from the host is writable
    assert str(data) in binds and str(tmp_path / "helper.py") in binds
    assert "/" not in binds and "/home" not in binds and "/root" not in binds
    assert all(not b.startswith(str(Path(__file__).parents[1] / "exercises")) for b in binds)


def test_an_older_bubblewrap_gets_only_the_options_it_knows():
    runtime = detect_runtime("auto", [], {}, unsafe_no_sandbox=True)
    old = runtime.__class__("bwrap", runtime.python, runtime.read_only, runtime.env, "bwrap")
    argv = bwrap_argv(old, FAST_LIMITS, ())
    assert "--size" not in argv and "--disable-userns" not in argv
    assert "--unshare-all" in argv and "--tmpfs" in argv


def test_no_bubblewrap_means_no_grading_unless_the_trainer_accepts_the_risk(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    for setting in ("auto", "bwrap"):
        with pytest.raises(SandboxUnavailable) as raised:
            detect_runtime(setting, [], {})
        assert "apt-get install bubblewrap" in raised.value.fix
    runtime = detect_runtime("auto", [], {}, unsafe_no_sandbox=True)
    assert runtime.mode == "none" and "NOT SANDBOXED" in (runtime.warning or "")


def test_bubblewrap_that_cannot_make_namespaces_is_explained(monkeypatch):
    from academy.cohort import sandbox

    monkeypatch.setattr(sandbox, "_probe", lambda runtime: "setting up uid map: Permission denied")
    with pytest.raises(SandboxUnavailable) as raised:
        detect_runtime("auto", [], {})
    assert "uid map" in raised.value.problem and "namespaces" in raised.value.fix


@pytest.mark.slow
def test_resource_limits_hold_without_bubblewrap():
    runtime = detect_runtime("auto", [], {}, unsafe_no_sandbox=True)
    result = run_sandboxed(_job(runtime, "x = bytearray(8 * 1024**3)", "print('after')"))
    assert result.mode == "none" and result.stop_reason is None
    first, second = result.cells
    assert first["outputs"][0]["ename"] == "MemoryError"
    assert second["outputs"][0]["text"] == "after\n"


@pytest.mark.slow
@pytest.mark.skipif(not HAVE_BWRAP, reason="bubblewrap is not installed")
def test_a_sandbox_sees_no_home_and_cannot_write_outside_tmp(tmp_path):
    runtime = detect_runtime("bwrap", [], {})
    probe = (
        "import os\n"
        f"print(os.path.exists({str(tmp_path)!r}), os.path.exists('/work/main/exercises'), os.getuid())\n"
        "try:\n    open('/usr/evil', 'w')\nexcept OSError as exc:\n    print(type(exc).__name__)\n"
        "open('/tmp/ok', 'w').write('fine'); print(open('/tmp/ok').read())"
    )
    result = run_sandboxed(_job(runtime, probe))
    text = result.cells[0]["outputs"][0]["text"]
    assert text.splitlines() == ["False False 1000", "OSError", "fine"]


@pytest.mark.slow
def test_the_notebook_deadline_stops_later_cells():
    runtime = detect_runtime("auto", [], {})
    limits = FAST_LIMITS.model_copy(update={"cell_timeout": 2, "notebook_timeout": 5})
    loop = "while True:\n    pass"
    result = run_sandboxed(_job(runtime, loop, loop, loop, loop, "1", limits=limits))
    assert result.seconds < 5 + 20 and result.stop_reason == "NotebookTimeLimit"
    enames = [c["outputs"][-1]["ename"] for c in result.cells]
    assert enames[:2] == ["CellTimeoutError", "CellTimeoutError"]
    assert "NotebookTimeLimit" in enames and enames[-1] == "NotRun"


@pytest.mark.slow
def test_code_that_ignores_interrupts_stops_the_notebook():
    runtime = detect_runtime("auto", [], {})
    limits = FAST_LIMITS.model_copy(update={"cell_timeout": 2, "notebook_timeout": 60})
    ignore = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    result = run_sandboxed(_job(runtime, ignore, "1", "2", limits=limits))
    assert result.stop_reason == "KernelUnresponsive" and result.seconds < 20
    assert [c["outputs"][-1]["ename"] for c in result.cells] == [
        "CellTimeoutError",
        "NotRun",
        "NotRun",
    ]


def test_a_cohort_the_sandbox_could_read_is_refused(tmp_path, monkeypatch):
    from cohort_support import EXERCISE, make_cohort

    from academy.cohort import grade
    from academy.cohort.manifest import load_manifest

    folder = make_cohort(tmp_path, ["ana"])
    real = detect_runtime

    def leaky(setting, paths, env, **kwargs):
        return real(setting, [*paths, tmp_path], env, **kwargs)

    monkeypatch.setattr(grade, "detect_runtime", leaky)
    with pytest.raises(AcademyError, match="graded notebooks may read"):
        grade.sandbox_runtime(folder, load_manifest(folder, EXERCISE))


def test_executors_by_name():
    pool = make_executor("threads", 2)
    assert pool.submit(json.dumps, [1]).result() == "[1]"
    pool.stop(cancel=False)
    with pytest.raises(AcademyError, match="use local or threads"):
        make_executor("ray", 2)


def test_the_grading_worker_starts_on_the_installed_libraries():
    """Smoke test of the worker's start-up, and of the library internals it relies on:
    nbgrader's Execute loaded without the packages' __init__, and nbclient's `output`
    hook that caps outputs while they arrive. Fails as soon as an upgrade moves them."""
    import inspect
    import subprocess
    import sys

    probe = (
        "import sys, inspect, json\n"
        "sys.modules.setdefault('rfc3987_syntax', None)\n"
        "from academy.cohort.sandbox_worker import _load_nbgrader_execute\n"
        "Execute = _load_nbgrader_execute()\n"
        "import nbclient\n"
        "print(json.dumps({'client': issubclass(Execute, nbclient.NotebookClient),"
        " 'output': list(inspect.signature(Execute.output).parameters),"
        " 'preprocess_cell': list(inspect.signature(Execute.preprocess_cell).parameters),"
        " 'heavy': [m for m in ('nbgrader.apps', 'nbgrader.server_extensions', 'nbgrader.api') if m in sys.modules]}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", probe], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert (
        found
        == {
            "client": True,
            "output": ["self", "outs", "msg", "display_id", "cell_index"],
            "preprocess_cell": ["self", "cell", "resources", "index"],
            "heavy": [],  # the surgery's point: nbgrader's apps, server extensions and gradebook stay out
        }
    )
    # the names the worker sets on the bare packages are the ones their __init__ exports
    import nbconvert.preprocessors
    import nbgrader.preprocessors

    for name in ("Preprocessor", "ExecutePreprocessor", "CellExecutionError"):
        assert inspect.isclass(getattr(nbconvert.preprocessors, name))
    assert inspect.isclass(nbgrader.preprocessors.NbGraderPreprocessor)


def test_a_compromised_worker_gets_result_unreadable_not_a_crash(tmp_path):
    """Whatever comes back on the channel, the grader records it for that learner alone."""
    import stat
    import sys

    from academy.cohort.channel import encode

    runtime = detect_runtime("auto", [], {}, unsafe_no_sandbox=True)
    payloads = {
        "unsigned": "os.write(out, b'\\x00\\x00\\x01\\x00' + b'[' * 256)",
        "deep-json": "send({'type': 'done', 'stop_reason': None, 'x': eval('[' * 5000 + ']' * 5000)})",
        "wrong-type": "send({'type': 'done', 'stop_reason': {'a': 1}, 'stopped_at': None})",
        "forged-cells": "send({'type': 'cell', 'index': 0, 'outputs': []})",
        "huge": "os.write(out, (1 << 31).to_bytes(4, 'big'))",
        "bad-output": "send({'type': 'source', 'index': 0}); send({'type': 'cell', 'index': 0,"
        " 'outputs': [{'output_type': 'stream', 'name': 'stdout', 'text': {'x': 1}}]})",
    }
    for name, action in payloads.items():
        fake = tmp_path / f"python-{name}"
        fake.write_text(
            f"#!{sys.executable}\n"
            "import os, sys, json\n"
            "sys.path[:0] = " + repr(sys.path) + "\n"
            "from academy.cohort.channel import encode\n"
            "job, out = int(sys.argv[-2]), int(sys.argv[-1])\n"
            "key = bytes.fromhex(os.read(job, 64).decode())\n"
            "seq = [0]\n"
            "def send(m):\n"
            "    os.write(out, encode(key, seq[0], m)); seq[0] += 1\n"
            f"{action}\n"
        )
        fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
        job = _job(runtime.__class__(**{**runtime.__dict__, "python": str(fake)}), "1")
        result = run_sandboxed(job)
        assert result.cells is None or name == "forged-cells", name
        assert result.stop_reason in ("result-unreadable", "worker-died"), (name, result)
    assert encode  # the real encoder is what the fake worker signs with
