"""`academy lab`: JupyterLab on one machine, on the analyst lessons and released exercises.

The workspace is a folder of copies the learner may change (<build folder>/lab/<city>/):

- `lessons/<course>/<lesson>.ipynb`: each analyst lesson as the notebook its page offers
  for download (the book's `_sources/`, as built for the city, with its outputs);
- `exercises/<exercise>/<notebook>`: the learner version of each exercise a cohort has
  released (given by the caller, who knows the cohort).

A file already in the workspace is never overwritten: it may hold the learner's work. Its
fresh copy can be had by deleting it and starting the lab again.

JupyterLab runs offline: bound to 127.0.0.1, no news or update checks, the extension
manager read-only (it never asks PyPI), and kernels started with the academy's root and
city in their environment (given by the caller), so `table("service_requests")` reads the
same city's data as the lessons' pages.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from academy.core.errors import AcademyError

LESSONS, EXERCISES = "lessons", "exercises"
CONFIG_PATH = "JUPYTER_CONFIG_PATH"  # extra Jupyter config folders, searched before the venv's
TRACK = "analyst"  # the track whose lessons the lab opens: notebooks written to be run


@dataclass(frozen=True)
class Workspace:
    """What `prepare_workspace` put in the lab's folder."""

    folder: Path
    city: str
    copied: list[Path] = field(default_factory=list)  # new in the workspace
    kept: list[Path] = field(default_factory=list)  # already there: the learner's copy kept
    unbuilt: list[str] = field(default_factory=list)  # courses with no built notebooks yet

    @property
    def notebooks(self) -> list[Path]:
        return sorted(self.copied + self.kept)


def workspace_dir(build: Path, city: str) -> Path:
    """The lab's folder for `city` in the build folder (default build/ in the checkout)."""
    return build / "lab" / city


def lesson_notebooks(books: dict[str, Path]) -> dict[Path, Path]:
    """{place in the workspace: built notebook} for every lesson of the built `books`
    ({course: its built HTML folder}) that is offered as a notebook."""
    return {
        Path(LESSONS) / course / notebook.name: notebook
        for course, html in sorted(books.items())
        for notebook in sorted((html / "_sources").glob("*.ipynb"))
    }


def prepare_workspace(
    build: Path, city: str, books: dict[str, Path], exercises: dict[str, Path] | None = None
) -> Workspace:
    """Copy the lessons of the built `books` ({course: built HTML folder}, the analyst
    courses as built for `city`) and the released `exercises` ({exercise: its learner-version
    folder}) into the city's lab workspace."""
    lessons = lesson_notebooks(books)
    unbuilt = sorted(c for c, html in books.items() if not any((html / "_sources").glob("*.ipynb")))
    if not lessons:
        raise AcademyError(
            f"{build / 'books' / city}: the analyst lessons are not built for {city}; "
            f"run `academy build --city {city}` first"
        )
    wanted = dict(lessons)
    for exercise, folder in sorted((exercises or {}).items()):
        for notebook in sorted(folder.glob("*.ipynb")):
            wanted[Path(EXERCISES) / exercise / notebook.name] = notebook
    target = workspace_dir(build, city)
    copied: list[Path] = []
    kept: list[Path] = []
    for place, original in wanted.items():
        destination = target / place
        if destination.exists():
            kept.append(destination)
            continue
        try:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(original, destination)
        except OSError as exc:
            raise AcademyError(
                f"{destination}: cannot copy the notebook there ({exc.strerror}); "
                "free some space or fix the folder's permissions"
            ) from exc
        copied.append(destination)
    return Workspace(target, city, copied, kept, unbuilt)


# Trainers' tools a learner's lab does not load: nbgrader's formgrader, course and assignment
# lists (they look for a course folder the lab does not have) and Voila's preview.
SERVER_EXTENSIONS_OFF = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.assignment_list",
    "nbgrader.server_extensions.course_list",
    "nbgrader.server_extensions.validate_assignment",
    "voila.server_extension",
)
LAB_EXTENSIONS_OFF = ("@jupyter/nbgrader", "@voila-dashboards/jupyterlab-preview")


def lab_arguments(workspace: Path, port: int, open_browser: bool) -> list[str]:
    """JupyterLab's command-line settings: local, offline, rooted at the workspace."""
    arguments = [
        f"--ServerApp.root_dir={workspace}",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.open_browser={open_browser}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # a container or CI runner: Jupyter
        arguments.append("--ServerApp.allow_root=True")  # refuses root unless told
    for extension in SERVER_EXTENSIONS_OFF:
        arguments += ["--ServerApp.jpserver_extensions", f"{extension}=False"]
    return arguments


def write_page_config(config_dir: Path) -> Path:
    """A Jupyter config folder whose page config turns off LAB_EXTENSIONS_OFF."""
    page_config = config_dir / "labconfig" / "page_config.json"
    page_config.parent.mkdir(parents=True, exist_ok=True)
    disabled = dict.fromkeys(LAB_EXTENSIONS_OFF, True)
    page_config.write_text(json.dumps({"disabledExtensions": disabled}, indent=2) + "\n")
    return config_dir


def run_lab(workspace: Path, environment: dict[str, str], port: int, open_browser: bool) -> None:
    """Become JupyterLab on the workspace (this process is replaced, so Ctrl+C and a
    stop signal reach JupyterLab itself and it shuts its kernels down).

    `environment` is added to the server's (and so every kernel's) environment: the
    academy's root and city (`academy.data.city.notebook_environment`)."""
    config = write_page_config(workspace.parent / "jupyter-config")
    paths = [str(config), *filter(None, [os.environ.get(CONFIG_PATH)])]
    env = {**os.environ, **environment, CONFIG_PATH: os.pathsep.join(paths)}
    command = [sys.executable, "-m", "jupyterlab", *lab_arguments(workspace, port, open_browser)]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, command, env)
