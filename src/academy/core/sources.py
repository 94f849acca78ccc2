"""The academy's own code as cache input: whole packages, never hand-kept file lists.

A cache key that depends on code names the packages whose code can change the cached
result; every file in them (modules, templates, data files) is part of the key, so a
new module is covered the moment it is added.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def package_files(*packages: str) -> list[Path]:
    """Every source file of the named `academy` sub-packages, sorted (no caches)."""
    files: list[Path] = []
    for name in packages:
        folder = PACKAGE_DIR / name
        if not folder.is_dir():
            raise ValueError(f"academy has no package '{name}'")
        files += (p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return sorted(files)


def installed_packages() -> str:
    """Every Python package installed in this environment, as the sorted names of their
    metadata folders (`pandas-3.1.1.dist-info`): a cache key that includes it is rebuilt
    when a library (Sphinx, pandas …) changes version."""
    import sysconfig

    folders = {Path(sysconfig.get_paths()[key]) for key in ("purelib", "platlib")}
    names = {
        p.name
        for folder in folders
        if folder.is_dir()
        for p in folder.iterdir()
        if p.suffix in {".dist-info", ".egg-info"}
    }
    return "\n".join(sorted(names))
