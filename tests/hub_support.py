"""`academy hub` on 127.0.0.1 for the end-to-end test and the hub benchmark.

`running_hub` starts the real command (`academy hub COHORT --auth dummy --spawner
shared`) on a free port and stops it with SIGTERM, as a trainer's Ctrl+C would, then
checks that no process it started is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
ACADEMY = str(Path(sys.executable).parent / "academy")
PASSWORD = "cohort-test-password"


@dataclass(frozen=True)
class Hub:
    url: str
    state: Path
    exchange: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        path = self.state / "jupyterhub.log"
        return path.read_text(errors="replace") if path.is_file() else ""


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


@contextlib.contextmanager
def running_hub(
    cohort: str,
    cohorts_dir: Path,
    state: Path,
    port: int,
    progress_url: str,
    trainers: tuple[str, ...] = ("coach",),
    extra_env: dict[str, str] | None = None,
    build: Path | None = None,
) -> Iterator[Hub]:
    """The academy's hub for `cohort`; every process it started is gone afterwards."""
    env = {
        **os.environ,
        "ACADEMY_PROGRESS_URL": progress_url,
        "ACADEMY_HUB_DUMMY_PASSWORD": PASSWORD,
        **(extra_env or {}),
    }
    args = [ACADEMY, "hub", cohort, "--auth", "dummy", "--spawner", "shared"]
    args += ["--port", str(port), "--state", str(state), "--dir", str(cohorts_dir)]
    args += ["--root", str(REPO)]
    if build is not None:
        args += ["--build-dir", str(build)]
    for trainer in trainers:
        args += ["--trainer", trainer]
    state.mkdir(parents=True, exist_ok=True)
    out = (state / "academy-hub.out").open("wb")
    process = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    started: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise RuntimeError((state / "academy-hub.out").read_text(errors="replace"))
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{url}/hub/api/", timeout=2) as reply,
            ):
                ready = b"Hub for cohort" in (state / "academy-hub.out").read_bytes()
                if reply.status == 200 and ready:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "the hub did not start:\n" + (state / "jupyterhub.log").read_text()
                )
            time.sleep(0.5)
        yield Hub(url, state, state / "exchange", process)
    finally:
        started = _descendants(process.pid)
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        out.close()
        _gone, alive = psutil.wait_procs(started, timeout=30)
        for leftover in alive:
            with contextlib.suppress(psutil.Error):
                leftover.kill()
        if alive:
            raise AssertionError(f"processes left after the hub stopped: {alive}")


def academy(*args: str, env: dict[str, str] | None = None, timeout: int = 600) -> str:
    """Run an `academy` command as a trainer would; its stdout (fails on a non-zero exit)."""
    done = subprocess.run(
        [ACADEMY, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
    if done.returncode != 0:
        raise AssertionError(f"academy {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout
