"""Pinned data files: where they are, whether they are intact, and fetching them.

Lookup order for a dataset's file: `$ACADEMY_DATA_DIR/<city>/<file>` (a read-only
local mirror, used by CI and offline classrooms), else the cache that
`academy data pull` fills (`$ACADEMY_CACHE_DIR`, default under the user's data
dir). Every file is checked against the sha256 pinned in its datapackage.json; a file's
digest is computed once per file version (path, size, mtime, ctime, inode) and kept in
the cache, so unchanged files are not read again by later runs.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from academy.core.errors import AcademyError
from academy.core.paths import find_root
from academy.data.catalogue import get_dataset, list_datasets
from academy.data.memo import CACHE_ENV as CACHE_ENV  # re-exported beside MIRROR_ENV
from academy.data.memo import cache_dir, file_identity, remember
from academy.data.spec import DatasetInfo

MIRROR_ENV = "ACADEMY_DATA_DIR"

Origin = Literal["mirror", "cache"]
Status = Literal["ok", "missing", "mismatch"]

# file_identity -> sha256 hex, for this process; the cache keeps them across runs.
_digests: dict[tuple[str, int, int, int, int], str] = {}


def mirror_dir() -> Path | None:
    """The local mirror named by $ACADEMY_DATA_DIR, or None."""
    env = os.environ.get(MIRROR_ENV, "").strip()
    return Path(env).expanduser() if env else None


def cache_file(info: DatasetInfo) -> Path:
    """Where the pulled copy of a dataset's file lives."""
    return cache_dir() / info.city / info.file


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def sha256_of(path: Path) -> str:
    """sha256 hex digest of a file, computed once per file version (see `file_identity`)."""
    key = file_identity(path)
    if key not in _digests:
        _digests[key] = remember("sha256", key, lambda: _hash_file(path))
    return _digests[key]


def locate(info: DatasetInfo) -> tuple[Path, Origin] | None:
    """The local copy of a dataset's file (mirror first, then cache), unverified."""
    mirror = mirror_dir()
    if mirror is not None and (mirror / info.city / info.file).is_file():
        return mirror / info.city / info.file, "mirror"
    cached = cache_file(info)
    if cached.is_file():
        return cached, "cache"
    return None


def _fix(info: DatasetInfo) -> str:
    return (
        f"run `academy data pull {info.id}` or set {MIRROR_ENV} to a mirror laid out <city>/<file>"
    )


def _missing_message(info: DatasetInfo) -> str:
    """Why a dataset's file is not found: a dangling link in the mirror, or where we looked."""
    mirror = mirror_dir()
    mirrored = mirror / info.city / info.file if mirror is not None else None
    if mirrored is not None and mirrored.is_symlink():
        return (
            f"{info.id}: {mirrored} is a link to {os.readlink(mirrored)}, which does not exist; "
            "fix the link in the mirror (or copy the file there)"
        )
    where = [str(p) for p in (mirrored, cache_file(info)) if p is not None]
    return f"{info.id}: file {info.file} not found (looked in {' and '.join(where)}); {_fix(info)}"


@dataclass(frozen=True)
class FileCheck:
    """The state of one dataset's local file against its pin."""

    dataset_id: str
    file: str
    status: Status
    path: Path | None
    origin: Origin | None
    message: str


def check_file(info: DatasetInfo) -> FileCheck:
    """Whether the dataset's local file exists and matches its pinned size and sha256."""
    found = locate(info)
    if found is None:
        return FileCheck(info.id, info.file, "missing", None, None, _missing_message(info))
    path, origin = found
    size = path.stat().st_size
    actual = sha256_of(path)  # also when the size is off: the message shows both
    if size != info.bytes or actual != info.sha256:
        return FileCheck(
            info.id,
            info.file,
            "mismatch",
            path,
            origin,
            f"{info.id}: {path} does not match its pin in {info.package_path}: the file has "
            f"sha256 {actual} and {size:,} bytes, the pin says sha256 {info.sha256} and "
            f"{info.bytes:,} bytes; {which_to_fix(info, actual, size, origin)}",
        )
    return FileCheck(info.id, info.file, "ok", path, origin, f"{info.id}: ok ({origin}: {path})")


def differing_digits(a: str, b: str) -> int:
    """How many of two hex digests' characters differ (every one when the lengths differ)."""
    if len(a) != len(b):
        return max(len(a), len(b))
    return sum(x != y for x, y in zip(a, b, strict=True))


def which_to_fix(info: DatasetInfo, actual: str, size: int, origin: Origin) -> str:
    """Whether the pin or the file is the one to fix, and how.

    Same size and a hash a few characters off: the pin was mistyped. Same size and another
    hash: either the pin was copied from another file or the file was edited in place.
    Another size: the file is not the one pinned.
    """
    replace = (
        "replace the file in the mirror with the pinned one"
        if origin == "mirror"
        else f"delete it and run `academy data pull {info.id}`"
    )
    if size == info.bytes and differing_digits(actual, info.sha256) <= 4:
        return (
            f"the size matches and the hashes differ in only "
            f"{differing_digits(actual, info.sha256)} character(s), so the pin was mistyped: "
            f'fix "hash" in {info.package_path} to "sha256:{actual}"'
        )
    if size == info.bytes:
        return (
            f"the size matches but the content does not: if this file is the one you mean to "
            f'pin (you just wrote the pin), set "hash" in {info.package_path} to '
            f'"sha256:{actual}"; if the pin came from the source, the file was changed: {replace}'
        )
    return (
        f"the file is not the pinned one (its size differs): {replace}; if the publisher "
        f'replaced the file on purpose, pin the new one ("hash": "sha256:{actual}", '
        f'"bytes": {size})'
    )


def file_key(info: DatasetInfo) -> list[object]:
    """For cache keys: the verdict on the dataset's local file and which file version it is."""
    check = check_file(info)
    return [check.status, *(file_identity(check.path) if check.path else ())]


def verified_path(info: DatasetInfo) -> Path:
    """The verified local file of a dataset; AcademyError if missing or altered."""
    check = check_file(info)
    if check.status != "ok" or check.path is None:
        raise AcademyError(check.message)
    return check.path


def dataset_path(dataset_id: str, root: Path | None = None) -> Path:
    """Path to the verified local file of a dataset, e.g. 'baltimore/employee-salaries-fy2018'."""
    return verified_path(get_dataset(dataset_id, root or find_root()))


def unpackaged_files(root: Path | None = None) -> list[str]:
    """'<city>/<file>' of every file in the mirror that no datapackage.json describes.

    A mirror may hold files the academy does not use yet (a new city's files before
    `academy data init`); `academy data list` shows them so they are not forgotten.
    """
    mirror = mirror_dir()
    if mirror is None or not mirror.is_dir():
        return []
    known = {f"{d.city}/{d.file}" for d in list_datasets(root or find_root(), skip_invalid=True)}
    found = {
        f"{path.parent.name}/{path.name}"
        for path in mirror.glob("*/*")
        if path.is_file() and not path.name.startswith(".") and path.name != "SOURCES.md"
    }
    return sorted(found - known)


def verify(root: Path | None = None) -> list[FileCheck]:
    """Check every dataset's local file against its pin."""
    return [check_file(info) for info in list_datasets(root or find_root())]


class ProgressBar(Protocol):
    """What pooch drives while downloading (tqdm's interface, which rich can back)."""

    total: int

    def update(self, n: int) -> None: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class PullResult:
    """What `pull` did for one dataset."""

    dataset_id: str
    path: Path
    action: Literal["mirror", "cached", "downloaded"]


def pull_one(info: DatasetInfo, progressbar: ProgressBar | bool = False) -> PullResult:
    """Make the dataset's file available locally, downloading the pinned URL if needed."""
    check = check_file(info)
    if check.status == "ok" and check.path is not None:
        action = "mirror" if check.origin == "mirror" else "cached"
        return PullResult(info.id, check.path, action)
    if check.status == "mismatch" and check.origin == "mirror":
        raise AcademyError(check.message)
    if info.url is None:
        raise AcademyError(
            f"{info.id}: no download URL is pinned for {info.file} (sources[0] in "
            f"{info.package_path} has no path), so it only comes from a mirror: put the file "
            f"in {MIRROR_ENV}/{info.city}/, or add the file's immutable https URL"
        )
    import pooch  # imported here: only pulling needs it

    pooch.get_logger().setLevel("WARNING")  # the caller reports progress itself
    target = cache_file(info)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        fetched = pooch.retrieve(
            url=info.url,
            known_hash=f"sha256:{info.sha256}",
            fname=info.file,
            path=target.parent,
            progressbar=progressbar,
        )
    except ValueError as exc:  # pooch: hash mismatch of the download
        raise AcademyError(
            f"{info.id}: the download of {info.url} does not match the sha256 pinned in "
            f"{info.package_path}; the source changed — check it and update the pin deliberately"
        ) from exc
    except OSError as exc:  # includes requests' errors
        raise AcademyError(
            f"{info.id}: could not download {info.file} from {info.url} ({exc}); check the "
            f"network, or set {MIRROR_ENV} to a local mirror laid out <city>/<file>"
        ) from exc
    return PullResult(info.id, Path(fetched), "downloaded")


def to_pull(dataset_ids: list[str] | None, root: Path | None = None) -> list[DatasetInfo]:
    """The datasets named (all when none are named), checked to exist."""
    root = root or find_root()
    if not dataset_ids:
        return list_datasets(root)
    return [get_dataset(dataset_id, root) for dataset_id in dataset_ids]
