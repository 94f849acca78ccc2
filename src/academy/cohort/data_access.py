"""What the sandbox needs to read an exercise's city data, and nothing more.

Exercise notebooks load data with `academy.data` (`table("service_requests")`), which
reads the academy's dataset descriptions (`curriculum/`, `datasets/`), the pinned files
(the `$ACADEMY_DATA_DIR` mirror or the download cache) and a Parquet cache of canonical
tables. The grader builds that cache first, in the trusted process, so every sandbox can
read it without write access; the rest of the academy checkout (exercise sources with
their solutions) is never bound into the sandbox.

Only the files the exercise reads are bound, each by its real path: a mirror made of
symbolic links (to another disk, a shared store, a content-addressed cache) works because
the sandbox gets the file a link ends at, bound at that real path, and a link at the
mirror path pointing to it, so the link chain on the host never has to exist inside.
Before anyone is graded, `probe_code` is run in a sandbox to load every dataset: data that
cannot be read there is the grading machine's problem, reported to the trainer, and never
a zero for a learner.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from academy.core.errors import AcademyError


@dataclass(frozen=True)
class SandboxData:
    """Read-only folders, single files and environment a sandbox needs for the data."""

    read_only: list[Path] = field(default_factory=list)
    #: (real file on the host, the same path inside): bound read-only.
    files: list[str] = field(default_factory=list)
    #: (target, link) pairs created inside the sandbox.
    links: list[tuple[str, str]] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)


def _dataset_info(root: Path, name: str, city: str):  # type: ignore[no-untyped-def]
    from academy.data.catalogue import get_dataset, primary_dataset

    if "/" in name:
        return get_dataset(name, root)
    return primary_dataset(name, city, root)


def sandbox_data(root: Path, datasets: list[str], city: str) -> SandboxData:
    """Everything the sandbox must see for these datasets, whose notebooks read `city`'s
    data (nothing if no data is used)."""
    if not datasets:
        return SandboxData()
    from academy.data.catalogue import get_dataset
    from academy.data.city import notebook_environment
    from academy.data.fetch import CACHE_ENV, MIRROR_ENV, cache_dir, locate, mirror_dir

    read_only = [p.resolve() for p in (root / "curriculum", root / "datasets") if p.is_dir()]
    env = notebook_environment(root, city)
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    read_only.append(cache.resolve())
    env[CACHE_ENV] = str(cache.resolve())
    mirror = mirror_dir()
    if mirror is not None:
        env[MIRROR_ENV] = os.path.abspath(mirror)
    files: list[str] = []
    links: list[tuple[str, str]] = []
    infos = [_dataset_info(root, name, city) for name in datasets]
    for info in list(infos):  # the other files an adapter looks codes up in
        lookups = getattr(info.adapter, "lookups", None) or {}
        infos += [
            get_dataset(lookup.dataset, root)
            for lookup in lookups.values()
            if getattr(lookup, "dataset", None)
        ]
    for info in infos:
        found = locate(info)
        if found is None:
            continue  # warm_data has already said what is missing
        path, origin = found
        real = os.path.realpath(path)
        files.append(real)
        inside = os.path.abspath(path)
        if origin == "mirror" and inside != real:
            links.append((real, inside))
    return SandboxData(read_only, sorted(set(files)), sorted(set(links)), env)


def warm_data(root: Path, datasets: list[str], city: str) -> None:
    """Load each dataset once here so its cache exists before any sandbox reads it."""
    from academy.data import raw, table

    for name in datasets:
        try:
            if "/" in name:
                raw(name, root=root)
            else:
                table(name, city=city, root=root)
        except AcademyError as exc:
            raise AcademyError(f"the exercise needs {name!r}, which cannot be read: {exc}") from exc


def probe_code(datasets: list[str]) -> str:
    """Python that loads every dataset as an exercise would, printing the first failure."""
    lines = ["import sys", "from academy.data import raw, table", "try:"]
    for name in datasets:
        call = "raw" if "/" in name else "table"
        lines.append(f"    {call}({name!r})")
    lines += [
        "except Exception as exc:",
        "    print(f'{type(exc).__name__}: {exc}'[:400], file=sys.stderr)",
        "    sys.exit(3)",
    ]
    return "\n".join(lines)
