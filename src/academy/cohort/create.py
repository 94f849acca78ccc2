"""`academy cohort create`: a new cohort folder with its roster and gradebook, or nothing."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from academy.cohort.folder import (
    CohortFolder,
    atomic_write,
    check_name,
    cohorts_dir,
    load_folder,
    write_settings,
)
from academy.cohort.gradebook import create_gradebook
from academy.cohort.roster import read_roster_file, render_roster, sync_gradebook
from academy.cohort.settings import CohortSettings, GradingLimits, SandboxMode, Trainer
from academy.core.defaults import PASS_MARK
from academy.core.errors import AcademyError

SUBFOLDERS = ("source", "release", "submitted", "autograded", "feedback", ".academy")


def _check_track(root: Path, track: str) -> None:
    tracks = root / "curriculum" / "tracks"
    if not (tracks / f"{track}.yml").is_file():
        known = ", ".join(sorted(p.stem for p in tracks.glob("*.yml"))) or "none"
        raise AcademyError(f"{tracks}/{track}.yml: no such track (tracks: {known}); check --track")


def _check_city(root: Path, city: str | None) -> str:
    """The city the cohort is graded on: the one given, else the city academy.yml names."""
    from academy.data.city import configured_city

    chosen = (city or "").strip() or configured_city(root)
    datasets = root / "datasets"
    if datasets.is_dir() and not (datasets / chosen).is_dir():
        known = ", ".join(sorted(p.name for p in datasets.iterdir() if p.is_dir())) or "none"
        raise AcademyError(
            f"{datasets / chosen}: no datasets for city {chosen!r} (cities: {known}); check --city"
        )
    return chosen


def create_cohort(
    name: str,
    roster_path: Path,
    academy_root: Path,
    directory: Path | None = None,
    track: str | None = None,
    pass_mark: float = PASS_MARK,
    sandbox: SandboxMode = "auto",
    limits: GradingLimits | None = None,
    city: str | None = None,
    trainer_name: str | None = None,
    trainer_role: str | None = None,
) -> CohortFolder:
    """Create the cohort folder; a bad roster or name leaves nothing behind."""
    check_name(name)
    base = cohorts_dir(directory)
    target = base / name
    if target.exists():
        raise AcademyError(
            f"{target}: a cohort called {name!r} already exists; pick another name or use "
            "`academy cohort roster add` to change its roster"
        )
    learners = read_roster_file(roster_path)
    if track is not None:
        _check_track(academy_root, track)
    city = _check_city(academy_root, city)
    settings = CohortSettings(
        name=name,
        created=datetime.now(UTC).replace(microsecond=0),
        academy_root=str(academy_root.resolve()),
        city=city,
        track=track,
        trainer=Trainer(name=trainer_name, role=trainer_role or "Trainer")
        if trainer_name
        else None,
        pass_mark=pass_mark,
        sandbox=sandbox,
        limits=limits or GradingLimits(),
    )
    base.mkdir(parents=True, exist_ok=True)
    staging = base / f".creating-{name}-{os.getpid()}"
    try:
        staging.mkdir(mode=0o700)
        for sub in SUBFOLDERS:
            (staging / sub).mkdir()
        write_settings(staging, settings)
        atomic_write(staging / "roster.csv", render_roster(learners))
        create_gradebook(staging / "gradebook.db")
        sync_gradebook(f"sqlite:///{staging / 'gradebook.db'}", name, learners)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return load_folder(target)
