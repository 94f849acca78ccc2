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
