"""Where sandboxed runs happen: a local process pool by default, or a Dask cluster.

An executor only needs `submit(fn, job) -> concurrent.futures.Future` and
`stop(cancel: bool)`. Jobs and results are plain picklable data (`SandboxJob`,
`SandboxResult`), so a remote worker needs only the same Python environment and data
mirror paths as this machine; the gradebook never leaves the trainer's process.

    --executor local          process pool on this machine (default), --jobs N processes
    --executor threads        threads on this machine (each run is its own process anyway)
    --scheduler HOST:PORT     a running Dask scheduler (`dask scheduler`), its workers grade
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from academy.core.errors import AcademyError


class Executor(Protocol):
    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future[Any]: ...

    def stop(self, cancel: bool) -> None: ...


def _stop_on_term(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _worker_signals() -> None:
    """In each pool process: SIGTERM and Ctrl+C end the running job through its `finally`
    blocks (which kill its sandbox), even where the parent started with SIGINT ignored."""
    signal.signal(signal.SIGTERM, _stop_on_term)
    signal.signal(signal.SIGINT, signal.default_int_handler)


class LocalPool:
    """A process pool whose running jobs can be interrupted cleanly."""

    def __init__(self, jobs: int):
        self._pool = cf.ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_signals,
        )

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future[Any]:
        return self._pool.submit(fn, *args)

    def stop(self, cancel: bool) -> None:
        if cancel:
            # SIGTERM lets each worker's running job kill its sandbox before it returns.
            for process in list(getattr(self._pool, "_processes", {}).values()):
                with contextlib.suppress(ProcessLookupError, OSError):
                    os.kill(process.pid, signal.SIGTERM)
        self._pool.shutdown(wait=True, cancel_futures=cancel)


class ThreadPool:
    def __init__(self, jobs: int):
        self._pool = cf.ThreadPoolExecutor(max_workers=jobs)

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future[Any]:
        return self._pool.submit(fn, *args)

    def stop(self, cancel: bool) -> None:
        self._pool.shutdown(wait=True, cancel_futures=cancel)


class WorkerCannotGrade(RuntimeError):
    """A remote worker lacks what the job needs (its sandbox, or the same paths)."""


def _carried_files(job: Any) -> dict[str, bytes]:
    """The bytes of every host file a job names in `files` ((relative, host path) pairs)."""
    files = getattr(job, "files", ())
    return {host: Path(host).read_bytes() for _relative, host in files}


def _check_worker(job: Any) -> None:
    """On a remote worker: refuse, in one line, a job this machine cannot run as sent."""
    runtime = getattr(job, "runtime", None)
    if runtime is None:
        return
    if not Path(runtime.python).exists():
        raise WorkerCannotGrade(
            f"{runtime.python} does not exist on this Dask worker; run workers from the "
            "grading worker image (same Python environment at the same path)"
        )
    if runtime.mode == "bwrap" and not (runtime.bwrap and Path(runtime.bwrap).exists()):
        raise WorkerCannotGrade(
            "this Dask worker has no bubblewrap, so it cannot sandbox learner code; "
            "install bubblewrap in the worker image"
        )
    if runtime.mode == "bwrap":
        complaint = _sandbox_complaint(runtime)
        if complaint:
            from academy.cohort.sandbox import how_to_fix

            raise WorkerCannotGrade(
                f"bubblewrap cannot create a sandbox on this Dask worker ({complaint}); "
                f"to fix it, {how_to_fix(complaint)} (see site/run-on-kubernetes.md)"
            )


_probed: dict[Any, str | None] = {}


def _sandbox_complaint(runtime: Any) -> str | None:
    """Once per worker process: can this machine start the sandbox the trainer's asked for?"""
    if runtime not in _probed:
        from academy.cohort.sandbox import _probe  # the same empty sandbox detect_runtime starts

        _probed[runtime] = _probe(runtime)
    return _probed[runtime]


def _run_carrying_files(fn: Callable[..., Any], job: Any, carried: dict[str, bytes]) -> Any:
    """Run `fn(job)` on a worker, first putting the carried files where the job expects
    them when this machine does not have them (a worker that does not share the cohort
    folder, as on Kubernetes)."""
    import dataclasses
    import shutil
    import tempfile

    _check_worker(job)
    missing = {host for host in carried if not Path(host).is_file()}
    if not missing:
        return fn(job)
    scratch = Path(tempfile.mkdtemp(prefix="academy-carried-"))
    try:
        files = []
        for index, (relative, host) in enumerate(job.files):
            if host in missing:
                local = scratch / str(index) / Path(relative).name
                local.parent.mkdir(parents=True)
                local.write_bytes(carried[host])
                host = str(local)
            files.append((relative, host))
        return fn(dataclasses.replace(job, files=tuple(files)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


class DaskPool:
    """Jobs on a Dask cluster (`dask scheduler` + `dask worker`), as concurrent futures.

    Each job is submitted with `pure=False`, so it runs once per submission; when a worker
    dies mid-job the scheduler runs the job again on another worker (up to its
    `allowed-failures`, 3 by default) and the trainer's process still receives one result.
    A job that cannot finish anywhere comes back as an exception for that submission
    alone. Workers need the same Python environment, academy and data mirror at the same
    paths as this machine (the grading worker image); the files of the release are
    carried with each job, and the gradebook never leaves this process.
    """

    def __init__(self, address: str, timeout: float = 10.0):
        from distributed import Client

        shown = address
        if "://" not in address:
            address = f"tcp://{address}"
        fix = (
            f"start one with `dask scheduler` and workers with `dask worker {address}`, "
            "or check the address and the firewall"
        )
        try:
            self._client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise AcademyError(
                f"--scheduler {shown}: no Dask scheduler answered within {timeout:g} s "
                f"({reason}); {fix}"
            ) from exc
        try:
            self._client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            self._client.close()
            raise AcademyError(
                f"--scheduler {shown}: the scheduler has no workers; start some with "
                f"`dask worker {address}`"
            ) from exc
        self._pool = self._client.get_executor(pure=False)

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future[Any]:
        if len(args) == 1:
            return self._pool.submit(_run_carrying_files, fn, args[0], _carried_files(args[0]))
        return self._pool.submit(fn, *args)

    def stop(self, cancel: bool) -> None:
        self._pool.shutdown(wait=not cancel)
        self._client.close()


def default_jobs() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def make_executor(spec: str, jobs: int, scheduler: str | None = None) -> Executor:
    """An executor from its command-line name, or the Dask cluster at `scheduler`."""
    if scheduler:
        return DaskPool(scheduler)
    if spec == "local":
        return LocalPool(jobs)
    if spec == "threads":
        return ThreadPool(jobs)
    raise AcademyError(
        f"--executor {spec!r}: use local or threads (or --scheduler HOST:PORT for a Dask cluster)"
    )
