"""Run one submission's notebook inside the sandbox: `python -m academy.cohort.sandbox_worker`.

This is the only academy code that runs next to learner code. It talks to the grader over
two private pipes (`academy.cohort.channel`; their descriptor numbers are its arguments):
it reads the job, lowers its own resource limits (inherited by the kernel it starts) and
executes the notebook with nbgrader's own `Execute` preprocessor. Grades are never decided
here: the grader merges the outputs into its own copy of the notebook and scores that.

What the worker holds is kept from the learner's kernel, which runs as its child:

* the job has every code cell's source left out; the worker asks the grader for a cell's
  source only when that cell is about to run and reports its outputs right after, so the
  hidden tests are never inside the sandbox before they run, and the grader collects
  every finished cell's outputs even if the sandbox is killed later;
* the kernel gets /dev/null as stdin, stdout and stderr and inherits neither pipe; this
  process is non-dumpable from its first instruction, so the kernel can neither open its
  descriptors or memory through /proc nor ptrace it, and so never sees the channel key;
* every stream, display and error output is capped per cell while it arrives, so
  printing 100 MB costs memory only briefly and the result stays small (the grader checks
  the caps again);
* the whole notebook has a deadline, counted from its first cell: each cell's timeout is
  cut to the time left, and once the kernel dies or the deadline passes no further cell is
  run.

Kept import-light on purpose (this starts once per submission): it blocks the optional
`rfc3987_syntax` grammar (1 s to import, only used by jsonschema's IRI format checks; the
kernel blocks it too, see KERNEL_PRELUDE) and loads nbgrader's Execute preprocessor without
running the `__init__` of the nbgrader and nbconvert packages (see `_load_nbgrader_execute`).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import importlib.util
import json
import os
import resource
import sys
import time
import types
from pathlib import Path
from typing import Any

#: This module, as `python -m` runs it.
WORKER = "academy.cohort.sandbox_worker"
#: ename of the error outputs this worker adds; academy.cohort.messages explains them.
KERNEL_DIED = "KernelDied"
UNRESPONSIVE = "KernelUnresponsive"
NOTEBOOK_TIME_LIMIT = "NotebookTimeLimit"
NOT_RUN = "NotRun"
WORKER_ERROR = "worker-error"
#: Largest frame the grader may send (the job, or one cell's source).
MAX_JOB_BYTES = 64 * 1024 * 1024
#: The channel key comes first on the job pipe, as hex (never in argv: /proc shows argv).
KEY_BYTES = 32
OUTPUT_TRUNCATED = "\n… output truncated by the grader (too much output) …\n"
#: Run by the kernel before the notebook (leaving no names behind): the same block of the
#: optional grammar as in this worker. Importing altair would otherwise spend ~0.9 s of
#: every submission on it; altair's schema validation never checks IRI formats.
KERNEL_PRELUDE = "exec(\"import sys as _s; _s.modules.setdefault('rfc3987_syntax', None); del _s\")"

_RLIMITS = {
    "memory_bytes": resource.RLIMIT_AS,
    "cpu_seconds": resource.RLIMIT_CPU,
    "file_bytes": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
    "processes": resource.RLIMIT_NPROC,
    "core_bytes": resource.RLIMIT_CORE,
}


def _apply_limits(limits: dict[str, int]) -> None:
    """Lower this process's limits; the kernel and everything it starts inherit them."""
    for key, which in _RLIMITS.items():
        value = limits.get(key)
        if value is None:
            continue
        _, hard = resource.getrlimit(which)
        new = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (new, new))


def _set_non_dumpable() -> None:
    pr_set_dumpable = 4
    with contextlib.suppress(OSError, AttributeError):  # not Linux: nothing to harden this way
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_dumpable, 0, 0, 0, 0)


def _bare_packages(name: str) -> None:
    """Register `name` and `name.preprocessors` as empty packages, so that importing one
    of their modules skips the package `__init__` (which imports everything else)."""
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{name} is not installed in the grading environment")
    package = types.ModuleType(name)
    package.__path__ = list(spec.submodule_search_locations)
    sys.modules[name] = package
    preprocessors = types.ModuleType(f"{name}.preprocessors")
    preprocessors.__path__ = [str(Path(package.__path__[0]) / "preprocessors")]
    sys.modules[f"{name}.preprocessors"] = preprocessors


def _load_nbgrader_execute() -> type:
    """nbgrader's Execute preprocessor, importing only the modules it is made of.

    The packages' `__init__`s would add about 2 s (nbgrader's server extensions) and 0.2 s
    (nbconvert's exporters and filters) to every submission; the names they would have
    provided are set on the bare packages instead.
    """
    _bare_packages("nbconvert")
    _bare_packages("nbgrader")
    converting = sys.modules["nbconvert.preprocessors"]
    converting.Preprocessor = importlib.import_module("nbconvert.preprocessors.base").Preprocessor  # type: ignore[attr-defined]
    execute = importlib.import_module("nbconvert.preprocessors.execute")
    converting.ExecutePreprocessor = execute.ExecutePreprocessor  # type: ignore[attr-defined]
    converting.CellExecutionError = execute.CellExecutionError  # type: ignore[attr-defined]
    grading = sys.modules["nbgrader.preprocessors"]
    base = importlib.import_module("nbgrader.preprocessors.base")
    grading.NbGraderPreprocessor = base.NbGraderPreprocessor  # type: ignore[attr-defined]
    return importlib.import_module("nbgrader.preprocessors.execute").Execute


def _error(ename: str, evalue: str) -> dict[str, Any]:
    return {"output_type": "error", "ename": ename, "evalue": evalue, "traceback": []}


def _size(output: dict[str, Any]) -> int:
    kind = output.get("output_type")
    if kind == "stream":
        return len(output.get("text", ""))
    if kind == "error":
        return sum(len(line) for line in output.get("traceback", [])) + len(
            output.get("evalue", "")
        )
    data = output.get("data", {})
    return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values())


def _shrink(output: Any, budget: int) -> None:
    """Cut one output down to about `budget` characters, keeping its type and kind."""
    kind = output.get("output_type")
    if kind == "stream":
        output["text"] = output["text"][: max(budget, 0)] + OUTPUT_TRUNCATED
    elif kind == "error":
        output["evalue"] = output.get("evalue", "")[:2000]
        output["traceback"] = [line[:2000] for line in output.get("traceback", [])[:60]]
    else:  # keep a short text/plain: nbgrader reads partial credit from an execute_result's
        text = output.get("data", {}).get("text/plain", "")
        text = "".join(text) if isinstance(text, list) else str(text)
        keep = max(budget, 1000)
        output["data"] = {
            "text/plain": text if len(text) <= keep else text[:keep] + OUTPUT_TRUNCATED
        }
        output["metadata"] = {}


class Channel:
    """The worker's end of the two pipes to the grader."""

    def __init__(self, job_fd: int, result_fd: int):
        self.inbox = os.fdopen(job_fd, "rb")  # buffered: read(n) returns n bytes or EOF
        self.outbox = result_fd
        self.key = b""
        self.sent = 0
        self.received = 0

    def receive(self) -> dict[str, Any]:
        from academy.cohort.channel import read_frame

        message = read_frame(self.inbox, self.key, self.received, MAX_JOB_BYTES)
        self.received += 1
        return message

    def send(self, message: dict[str, Any]) -> None:
        from academy.cohort.channel import encode

        frame = encode(self.key, self.sent, message)
        self.sent += 1
        view = memoryview(frame)
        while view:
            view = view[os.write(self.outbox, view) :]


def make_executor(execute_config: dict[str, Any], job: dict[str, Any], channel: Channel) -> Any:
    """nbgrader's Execute, configured like the cohort's nbgrader_config.py, plus the caps."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from traitlets.config import Config

    execute_class = _load_nbgrader_execute()
    cell_budget = int(job["output_chars_per_cell"])
    budget = float(job["notebook_timeout"])
    #: The notebook's time starts with its first cell, not with the kernel's start-up.
    clock: dict[str, float] = {}
    cell_timeout = int(execute_config.get("timeout", 30))

    def deadline() -> float:
        return clock.setdefault("deadline", time.monotonic() + budget)

    class SandboxExecute(execute_class):  # type: ignore[misc, valid-type]
        """Execute with output caps, a whole-notebook deadline and crash containment."""

        stop_reason: str | None = None
        stopped_at: int | None = None
        used: dict[int, int]

        def output(self, outs, msg, display_id, cell_index):  # type: ignore[no-untyped-def]
            out = super().output(outs, msg, display_id, cell_index)
            if out is None or not outs or outs[-1] is not out:
                return out
            used = self.used.get(cell_index, 0)
            size = _size(out)
            if used + size > cell_budget:
                kind = out.get("output_type")
                same_stream = kind == "stream" and any(
                    o.get("output_type") == "stream" and o.get("name") == out.get("name")
                    for o in outs[:-1]
                )
                if same_stream or (kind == "display_data" and used >= cell_budget):
                    outs.pop()  # an earlier output of this kind already decides the grade
                else:
                    _shrink(out, cell_budget - used)
                size = _size(out) if outs and outs[-1] is out else 0
            self.used[cell_index] = used + size
            return out

        def preprocess_cell(self, cell, resources, index):  # type: ignore[no-untyped-def]
            if cell.cell_type != "code" or self.stop_reason is not None:
                return cell, resources
            if time.monotonic() >= deadline():
                self.stop_reason, self.stopped_at = NOTEBOOK_TIME_LIMIT, index
                return cell, resources
            channel.send({"type": "source", "index": index})
            reply = channel.receive()
            if reply.get("type") != "source" or reply.get("index") != index:
                raise RuntimeError("the grader sent something other than the cell's source")
            cell.source = reply["source"]
            try:
                cell, resources = super().preprocess_cell(cell, resources, index)
            except DeadKernelError:
                self.stop_reason, self.stopped_at = KERNEL_DIED, index
                cell.outputs = [
                    *cell.get("outputs", []),
                    _error(KERNEL_DIED, "Python stopped while running this cell."),
                ]
            except CellTimeoutError:  # interrupted, but the kernel never became idle again
                self.stop_reason, self.stopped_at = UNRESPONSIVE, index
                cell.outputs = [
                    *cell.get("outputs", []),
                    _error(
                        "CellTimeoutError",
                        "The cell ran too long and did not stop when interrupted.",
                    ),
                ]
            channel.send(
                {
                    "type": "cell",
                    "index": index,
                    "execution_count": cell.get("execution_count"),
                    "outputs": cell.get("outputs", []),
                }
            )
            cell.source, cell.outputs = "", []  # nothing of it stays in this process
            return cell, resources

    def timeout_for(cell: Any) -> int:
        return max(1, min(cell_timeout, int(deadline() - time.monotonic()) + 1))

    # The sandbox is torn down afterwards anyway: do not wait for a graceful kernel exit.
    kernel_args = [
        *execute_config.get("extra_arguments", []),
        f"--IPKernelApp.exec_lines={KERNEL_PRELUDE}",
    ]
    config = Config(
        {
            "Execute": {
                **execute_config,
                "shutdown_kernel": "immediate",
                "extra_arguments": kernel_args,
            }
        }
    )
    executor = SandboxExecute(config=config)
    executor.used = {}
    executor.timeout_func = timeout_for
    return executor


def run(job: dict[str, Any], channel: Channel) -> dict[str, Any]:
    """Execute the job's notebook cell by cell; return why it stopped, if it did."""
    import nbformat

    started = time.monotonic()
    workdir = Path(job.get("workdir") or Path.cwd())
    nb = nbformat.from_dict(job["notebook"])
    executor = make_executor(job.get("execute_config", {}), job, channel)
    try:
        executor.preprocess(nb, {"metadata": {"path": str(workdir)}})
    except Exception:  # the kernel would not start, or died between cells
        if executor.stop_reason is None:
            executor.stop_reason = KERNEL_DIED
    return {
        "type": "done",
        "stop_reason": executor.stop_reason,
        "stopped_at": executor.stopped_at,
        "seconds": round(time.monotonic() - started, 3),
    }


def main(argv: list[str]) -> int:
    _set_non_dumpable()
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    job_fd, result_fd = int(argv[0]), int(argv[1])
    for fd in (job_fd, result_fd):  # the kernel must never inherit either pipe
        os.set_inheritable(fd, False)
    channel = Channel(job_fd, result_fd)
    log_fd = os.dup(2)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    try:
        channel.key = bytes.fromhex(channel.inbox.read(2 * KEY_BYTES).decode("ascii"))
        job = channel.receive()
        _apply_limits(job.get("limits", {}))
        result = run(job, channel)
    except Exception:  # report, never print a traceback the kernel could read
        import traceback

        os.write(log_fd, traceback.format_exc()[-4000:].encode())
        result = {"type": "done", "stop_reason": WORKER_ERROR, "stopped_at": None, "seconds": 0}
    with contextlib.suppress(OSError):
        channel.send(result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
