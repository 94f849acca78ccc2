"""A real Dask cluster on 127.0.0.1 for tests and benchmarks: `dask scheduler` and
`dask worker` processes (no nanny, one thread each), so a test can kill one worker."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

DASK = str(Path(sys.executable).parent / "dask")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def worker_pids(self) -> list[int]:
        return [w.pid for w in self.workers if w.poll() is None]


def _quiet_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    return env


@contextlib.contextmanager
def local_cluster(workers: int = 2, log_dir: Path | None = None) -> Iterator[Cluster]:
    """A scheduler and `workers` single-threaded workers; all stopped afterwards."""
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = _quiet_env()
    out = (log_dir / "dask.log").open("ab") if log_dir else subprocess.DEVNULL
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=out,
        stderr=out,
        env=env,
    )
    cluster = Cluster(address, scheduler)
    try:
        for n in range(workers):
            cluster.workers.append(
                subprocess.Popen(
                    [
                        DASK,
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                        "--name",
                        f"grader-{n}",
                        "--host",
                        "127.0.0.1",
                    ],
                    stdout=out,
                    stderr=out,
                    env=env,
                )
            )
        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(address, timeout=5, set_as_default=False) as client:
                    client.wait_for_workers(workers, timeout=120)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield cluster
    finally:
        for process in [*cluster.workers, scheduler]:
            if process.poll() is None:
                process.terminate()
        for process in [*cluster.workers, scheduler]:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if log_dir:
            out.close()  # type: ignore[union-attr]
