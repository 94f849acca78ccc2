"""A private PostgreSQL server for the tests, started by scripts/start-postgres.

In CI (CI=true) a server that cannot be started fails the tests that need it; on a
developer's machine they are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "start-postgres"


def start_server(folder: Path) -> str:
    """Start (or reuse) a server with its data in `folder`; its SQLAlchemy URL."""
    done = subprocess.run([str(SCRIPT), str(folder)], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        message = f"PostgreSQL could not be started: {done.stderr.strip()[-500:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return done.stdout.strip().splitlines()[-1]


def stop_server(folder: Path) -> None:
    subprocess.run([str(SCRIPT), "--stop", str(folder)], capture_output=True, timeout=120)


@contextlib.contextmanager
def running_server() -> Iterator[str]:
    """A server in a new folder under /tmp (the postgres user must reach it), removed after."""
    folder = Path(tempfile.mkdtemp(prefix="academy-pg-"))
    try:
        yield start_server(folder)
    finally:
        stop_server(folder)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server_url: str) -> str:
    """A new empty database on the server; its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"
