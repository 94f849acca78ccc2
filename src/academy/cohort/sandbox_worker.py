"""Run one submission's notebook inside the sandbox: `python -m academy.cohort.sandbox_worker`.

This is the only academy code that runs next to learner code. It reads one job (JSON) on
stdin, lowers its own resource limits (inherited by the kernel it starts), executes the
notebook with nbgrader's own `Execute` preprocessor, and writes the cells' outputs (JSON)
to a private copy of stdout. Grades are never decided here: the trusted parent merges the
outputs into its own copy of the notebook and scores that.

Hardening against the learner's kernel, which runs as a child of this process:

* the kernel gets /dev/null as stdin, stdout and stderr; the result goes to a private
  descriptor it does not inherit, and this process is made non-dumpable so the kernel
  cannot open it through /proc or ptrace it;
* every stream, display and error output is capped per cell while it arrives, so
  printing 100 MB costs memory only briefly and the result stays small;
* the whole notebook has a deadline: each cell's timeout is cut to the time left, and
  once the kernel dies or the deadline passes the remaining code cells are marked as not
  run (an error output, so their tests score zero exactly as a timeout would).

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

#: ename of the error outputs this worker adds; academy.cohort.messages explains them.
KERNEL_DIED = "KernelDied"
UNRESPONSIVE = "KernelUnresponsive"
NOTEBOOK_TIME_LIMIT = "NotebookTimeLimit"
NOT_RUN = "NotRun"
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


def make_executor(execute_config: dict[str, Any], job: dict[str, Any]) -> Any:
    """nbgrader's Execute, configured like the cohort's nbgrader_config.py, plus the caps."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from traitlets.config import Config

    execute_class = _load_nbgrader_execute()
    cell_budget = int(job["output_chars_per_cell"])
    deadline = time.monotonic() + float(job["notebook_timeout"])
    cell_timeout = int(execute_config.get("timeout", 30))

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
            if cell.cell_type != "code":
                return cell, resources
            if self.stop_reason is None and time.monotonic() >= deadline:
                self.stop_reason, self.stopped_at = NOTEBOOK_TIME_LIMIT, index
            if self.stop_reason is not None:
                reason = {
                    KERNEL_DIED: "Python had stopped earlier in the notebook",
                    UNRESPONSIVE: "code earlier in the notebook did not stop when it was interrupted",
                    NOTEBOOK_TIME_LIMIT: "the time limit for the whole notebook was reached",
                }[self.stop_reason]
                cell.outputs = [_error(NOT_RUN, f"This cell was not run because {reason}.")]
                cell.execution_count = None
                if index == self.stopped_at and self.stop_reason == NOTEBOOK_TIME_LIMIT:
                    cell.outputs = [_error(NOTEBOOK_TIME_LIMIT, "Time limit for the notebook.")]
                return cell, resources
            try:
                return super().preprocess_cell(cell, resources, index)
            except DeadKernelError:
                self.stop_reason, self.stopped_at = KERNEL_DIED, index
                cell.outputs = [
                    *cell.get("outputs", []),
                    _error(KERNEL_DIED, "Python stopped while running this cell."),
                ]
                return cell, resources
            except CellTimeoutError:  # interrupted, but the kernel never became idle again
                self.stop_reason, self.stopped_at = UNRESPONSIVE, index
                cell.outputs = [
                    *cell.get("outputs", []),
                    _error(
                        "CellTimeoutError",
                        "The cell ran too long and did not stop when interrupted.",
                    ),
                ]
                return cell, resources

    def timeout_for(cell: Any) -> int:
        return max(1, min(cell_timeout, int(deadline - time.monotonic()) + 1))

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


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Execute the job's notebook; return every cell's outputs and why it stopped, if it did."""
    import nbformat

    started = time.monotonic()
    workdir = Path(job.get("workdir") or Path.cwd())
    (workdir / job["notebook_name"]).write_text(job["notebook"], encoding="utf-8")
    nb = nbformat.reads(job["notebook"], as_version=nbformat.NO_CONVERT)
    executor = make_executor(job.get("execute_config", {}), job)
    try:
        executor.preprocess(nb, {"metadata": {"path": str(workdir)}})
    except Exception:  # the kernel would not start, or died between cells
        if executor.stop_reason is None:
            executor.stop_reason = KERNEL_DIED
            executor.stopped_at = next(
                (
                    i
                    for i, c in enumerate(nb.cells)
                    if c.cell_type == "code" and not c.get("outputs")
                ),
                len(nb.cells),
            )
        for index, cell in enumerate(nb.cells):
            if index >= executor.stopped_at:
                executor.preprocess_cell(cell, {}, index)
    return {
        "cells": [
            {"execution_count": cell.get("execution_count"), "outputs": cell.get("outputs", [])}
            if cell.cell_type == "code"
            else {"execution_count": None, "outputs": []}
            for cell in nb.cells
        ],
        "stop_reason": executor.stop_reason,
        "stopped_at": executor.stopped_at,
        "seconds": round(time.monotonic() - started, 3),
    }


def main() -> int:
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
    result_fd = os.dup(1)
    log_fd = os.dup(2)
    job = json.loads(sys.stdin.buffer.read())
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    _set_non_dumpable()
    _apply_limits(job.get("limits", {}))
    os.environ.update(job.get("env", {}))
    try:
        result = run(job)
    except Exception as exc:  # report, never print a traceback the kernel could read
        import traceback

        os.write(log_fd, traceback.format_exc()[-4000:].encode())
        result = {"cells": None, "stop_reason": "worker-error", "error": repr(exc)[:500]}
    with os.fdopen(result_fd, "w", encoding="utf-8") as handle:
        json.dump(result, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
