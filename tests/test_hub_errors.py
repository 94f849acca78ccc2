"""`academy hub` misconfigured: one line naming the problem and the fix, never a traceback,
and nothing left running."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from site_browser import free_port

REPO = Path(__file__).resolve().parents[1]
ACADEMY = str(Path(sys.executable).parent / "academy")


@pytest.fixture(scope="module")
def cohort(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("hub-errors")
    roster = base / "roster.csv"
    roster.write_text("id,name,email\nana,Ana Lopez,ana@city.example.gov\n")
    subprocess.run(
        [ACADEMY, "cohort", "create", "errs", "--roster", str(roster), "--dir", str(base / "c")],
        check=True,
        capture_output=True,
    )
    return base


def hub(
    cohort: Path, *args: str, root: Path = REPO, build: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ACADEMY_HUB_DUMMY_PASSWORD": "x"}
    command = [ACADEMY, "hub", "errs", "--dir", str(cohort / "c"), "--root", str(root)]
    command += ["--build-dir", str(build or cohort / "not-built")]
    command += ["--state", str(cohort / "state"), "--auth", "dummy", "--spawner", "shared"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, timeout=300)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, done.stderr
    return errors[0]


def test_no_proxy(cohort, academy_build) -> None:
    line = one_line(
        hub(cohort, "--trainer", "coach", "--proxy", "/nonexistent/chp", build=academy_build.out)
    )
    assert "configurable-http-proxy not found" in line and "npm ci" in line


def test_port_taken(cohort, academy_build) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        line = one_line(
            hub(cohort, "--trainer", "coach", "--port", str(port), build=academy_build.out)
        )
    assert f"127.0.0.1:{port}: the port is already in use" in line and "--port" in line


def test_no_trainer(cohort, academy_build) -> None:
    assert "--trainer" in one_line(hub(cohort, "--port", str(free_port()), build=academy_build.out))


def test_trainer_who_is_a_learner(cohort, academy_build) -> None:
    line = one_line(
        hub(cohort, "--trainer", "ana", "--port", str(free_port()), build=academy_build.out)
    )
    assert "is a learner" in line


def test_unknown_cohort(cohort, academy_build) -> None:
    done = subprocess.run(
        [
            ACADEMY,
            "hub",
            "nope",
            "--trainer",
            "coach",
            "--dir",
            str(cohort / "c"),
            "--build-dir",
            str(academy_build.out),
        ],
        capture_output=True,
        text=True,
    )
    assert "no cohort 'nope'" in one_line(done)


def test_academy_not_built(cohort, tmp_path) -> None:
    root = tmp_path / "academy"
    (root / "curriculum").mkdir(parents=True)
    (root / "curriculum" / "academy.yml").write_text(
        (REPO / "curriculum" / "academy.yml").read_text()
    )
    (root / "deploy").symlink_to(REPO / "deploy")
    (root / "node_modules").symlink_to(REPO / "node_modules")
    line = one_line(hub(cohort, "--trainer", "coach", root=root))
    assert "not built" in line and "academy build" in line


def test_jupyterhub_stopping_at_start_is_one_line(cohort, academy_build) -> None:
    """A proxy that exits at once: JupyterHub gives up, and its own error is the line."""
    line = one_line(
        hub(
            cohort,
            "--trainer",
            "coach",
            "--proxy",
            "/bin/false",
            "--port",
            str(free_port()),
            build=academy_build.out,
        )
    )
    assert "JupyterHub stopped while starting" in line and "jupyterhub.log" in line
