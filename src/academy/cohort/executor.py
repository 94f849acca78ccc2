"""Where sandboxed runs happen: a local process pool by default, or a Dask cluster.

An executor only needs `submit(fn, job) -> concurrent.futures.Future` and
`stop(cancel: bool)`. Jobs and results are plain picklable data (`SandboxJob`,
`SandboxResult`), so a remote worker needs only the same Python environment and data
mirror paths as this machine; the gradebook never leaves the trainer's process.

    --executor local          process pool on this machine (default), --jobs N processes
    --executor threads        threads on this machine (each run is its own process anyway)
    --executor dask://HOST:PORT   a running Dask scheduler (needs `distributed` installed)
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable
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


class DaskPool:
    """Jobs on a Dask cluster through its concurrent.futures interface."""

    def __init__(self, address: str):
        try:
            from distributed import Client  # type: ignore[import-not-found]
        except ImportError as exc:
            raise AcademyError(
                "--executor dask://…: the `distributed` package is not installed; "
                "install it (pip install distributed) or use --executor local"
            ) from exc
        self._client = Client(address)
        self._pool = self._client.get_executor(pure=False)

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> cf.Future[Any]:
        return self._pool.submit(fn, *args)

    def stop(self, cancel: bool) -> None:
        self._pool.shutdown(wait=not cancel)
        self._client.close()


def default_jobs() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def make_executor(spec: str, jobs: int) -> Executor:
    """An executor from its command-line name."""
    if spec == "local":
        return LocalPool(jobs)
    if spec == "threads":
        return ThreadPool(jobs)
    if spec.startswith("dask://"):
        return DaskPool("tcp://" + spec.removeprefix("dask://"))
    raise AcademyError(f"--executor {spec!r}: use local, threads or dask://HOST:PORT")
