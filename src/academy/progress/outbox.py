"""Answers kept on disk while the progress database cannot be reached.

When a write fails because the database is down (at the start of a lesson or in the
middle of it), the attempt goes to a small JSON-lines file in the learner's data folder,
one file per process and database. The next time any store for the same database
connects, it writes every kept attempt, skipping the ones already there (each attempt has
a uid), and deletes the file. A kernel that dies with answers kept leaves its file
behind; the next store to connect writes those too. A file is only ever touched by the
process holding its lock, so two kernels never write one twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from academy.core.paths import user_data_dir


def outbox_dir(url: str) -> Path:
    """The folder of kept answers for one database (its URL, hashed, names it)."""
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return user_data_dir() / "progress-outbox" / digest


class Outbox:
    """This process's file of kept attempts, and the way to drain everyone's."""

    def __init__(self, url: str) -> None:
        self.folder = outbox_dir(url)
        self.path = self.folder / f"{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
        self._handle: TextIO | None = None

    def keep(self, row: dict[str, Any]) -> None:
        """Append one attempt (a dict of plain JSON values) and flush it to disk."""
        if self._handle is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
            fcntl.flock(self._handle, fcntl.LOCK_EX)  # ours while this process lives
        self._handle.write(json.dumps(row, sort_keys=True) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def pending(self) -> int:
        """How many attempts are kept in this process's own file."""
        if not self.path.is_file():
            return 0
        return sum(1 for line in self.path.read_text(encoding="utf-8").splitlines() if line)

    def _release_own(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None

    @contextlib.contextmanager
    def claimed(self) -> Iterator[list[tuple[Path, list[dict[str, Any]]]]]:
        """Every kept file for this database that no live process holds, with its rows.

        The caller writes the rows; when its block ends without an error the files are
        deleted. Unreadable lines (a write cut off by a crash) are skipped.
        """
        self._release_own()
        claimed: list[tuple[Path, TextIO, list[dict[str, Any]]]] = []
        try:
            for path in sorted(self.folder.glob("*.jsonl")) if self.folder.is_dir() else []:
                handle = path.open("r+", encoding="utf-8")
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    handle.close()
                    continue
                rows = []
                for line in handle.read().splitlines():
                    with contextlib.suppress(ValueError):
                        value = json.loads(line)
                        if isinstance(value, dict):
                            rows.append(value)
                claimed.append((path, handle, rows))
            yield [(path, rows) for path, _, rows in claimed]
            for path, _, _ in claimed:
                path.unlink(missing_ok=True)
        finally:
            for _, held, _ in claimed:
                held.close()
