"""The data cache folder, and results kept in it so unchanged inputs are not recomputed.

`remember(kind, key, compute)` stores a JSON value under
`<cache_dir>/memo/<kind>/<hash of key>.json`. The key must hold everything the value
depends on: callers pass file contents or `file_identity`, and `code_version()` (the
data layer's source and the libraries it calls) is always added, so a change to any
input or to the code computes the value afresh. A missing, broken or read-only cache
only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

from academy.core.paths import user_data_dir
from academy.core.sources import PACKAGE_DIR, package_files

CACHE_ENV = "ACADEMY_CACHE_DIR"

# Packages whose code shapes cached results, and libraries that do (their messages,
# parsing or drawing).
_PACKAGES = ("data", "core", "curriculum")
_LIBRARIES = (
    *("frictionless", "jsonschema", "pydantic", "pyyaml"),
    *("pandas", "numpy", "openpyxl", "altair", "vl-convert-python", "pyproj"),
)

T = TypeVar("T")


def cache_dir() -> Path:
    """Where `academy data pull` puts files (and parsed tables): $ACADEMY_CACHE_DIR or the user data dir."""
    env = os.environ.get(CACHE_ENV, "").strip()
    return Path(env).expanduser() if env else user_data_dir() / "data-cache"


def file_identity(path: Path) -> tuple[str, int, int, int, int]:
    """(resolved path, size, mtime, ctime, inode): changes whenever the file is rewritten.

    Programs cannot set ctime back, so an edit that restores the mtime still shows.
    """
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


@cache
def code_version() -> str:
    """Hash of the data, core and curriculum packages' files and the versions of the libraries they use."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.blake2b(sys.version.encode(), digest_size=16)
    for path in package_files(*_PACKAGES):
        name = path.relative_to(PACKAGE_DIR).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}=={version(name)}\0".encode())
        except PackageNotFoundError:
            digest.update(f"{name} absent\0".encode())
    return digest.hexdigest()


def write_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """Call `write` on a temporary file beside `target`, then rename it into place.

    Readers never see a half-written file; a read-only cache is silently skipped.
    """
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        os.close(handle)
        try:
            write(Path(tmp))
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except OSError:
        return


def _entry(kind: str, key: object) -> Path:
    text = json.dumps([code_version(), key], sort_keys=True, separators=(",", ":"))
    name = hashlib.blake2b(text.encode(), digest_size=20).hexdigest()
    return cache_dir() / "memo" / kind / f"{name}.json"


def remember(kind: str, key: object, compute: Callable[[], T]) -> T:
    """The JSON value stored for `key`, or `compute()`'s value, stored for next time."""
    entry = _entry(kind, key)
    try:
        return json.loads(entry.read_text(encoding="utf-8"))["value"]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not cached yet, or a broken entry: compute it again
    value = compute()
    text = json.dumps({"value": value}, ensure_ascii=False)
    write_atomically(entry, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    return value
