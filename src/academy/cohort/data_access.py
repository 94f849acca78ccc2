"""What the sandbox needs to read an exercise's city data, and nothing more.

Exercise notebooks load data with `academy.data` (`table("service_requests")`), which
reads the academy's dataset descriptions (`curriculum/`, `datasets/`), the pinned files
(the `$ACADEMY_DATA_DIR` mirror or the download cache) and a Parquet cache of canonical
tables. The grader builds that cache first, in the trusted process, so every sandbox can
read it without write access; the rest of the academy checkout (exercise sources with
their solutions) is never bound into the sandbox.
"""

from __future__ import annotations

from pathlib import Path

from academy.core.errors import AcademyError


def sandbox_data(root: Path, datasets: list[str], city: str) -> tuple[list[Path], dict[str, str]]:
    """Read-only paths and environment for the sandbox, whose notebooks read `city`'s
    data (nothing if no data is used)."""
    if not datasets:
        return [], {}
    from academy.data.city import notebook_environment
    from academy.data.fetch import CACHE_ENV, MIRROR_ENV, cache_dir, mirror_dir

    paths = [p for p in (root / "curriculum", root / "datasets") if p.is_dir()]
    env = notebook_environment(root, city)
    mirror = mirror_dir()
    if mirror is not None and mirror.is_dir():
        paths.append(mirror.resolve())
        env[MIRROR_ENV] = str(mirror.resolve())
    cache = cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    paths.append(cache.resolve())
    env[CACHE_ENV] = str(cache.resolve())
    return paths, env


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
