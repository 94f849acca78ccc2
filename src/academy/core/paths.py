"""Where things are: the academy root, the build folder, the user's data dir."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

from academy.core.errors import AcademyError

MARKER = Path("curriculum") / "academy.yml"
#: The academy checkout, for processes started outside it (notebook kernels, sandboxes).
ROOT_ENV = "ACADEMY_ROOT"


def find_root(start: Path | None = None) -> Path:
    """The academy root: $ACADEMY_ROOT, else the nearest folder up from `start` with curriculum/academy.yml."""
    env = os.environ.get(ROOT_ENV)
    if env:
        root = Path(env).resolve()
        if not (root / MARKER).is_file():
            raise AcademyError(
                f"{ROOT_ENV}={env}: no {MARKER} there; point it at the academy checkout"
            )
        return root
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return folder
    raise AcademyError(
        f"{here}: no {MARKER} here or above; run inside the academy checkout or set {ROOT_ENV}"
    )


def build_dir(root: Path) -> Path:
    """Everything generated lives here (git-ignored)."""
    return root / "build"


def user_data_dir() -> Path:
    """Per-user data (progress store, cohorts, data cache) outside the repository."""
    env = os.environ.get("ACADEMY_HOME")
    return Path(env) if env else user_data_path("city-data-academy", appauthor=False)


def book_site_dir(track: str, course: str) -> str:
    """Where a course's book sits in the built site, as a URL path from the site's root."""
    return f"books/{track}/{course}"


#: How many folders down from the site's root a book's pages are.
BOOK_DEPTH = book_site_dir("track", "course").count("/") + 1
