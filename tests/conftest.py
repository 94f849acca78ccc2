"""Shared test setup: the real data mirror and the tests folder on sys.path."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from academy.build.pipeline import BuildReport, build

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))

_default_mirror = REPO.parent / "shared" / "datasets"
if "ACADEMY_DATA_DIR" not in os.environ and _default_mirror.is_dir():
    os.environ["ACADEMY_DATA_DIR"] = str(_default_mirror)


CITIES = ("pittsburgh", "baltimore")  # the academy's own city last: the site left behind


@pytest.fixture(scope="session")
def built_cities() -> dict[str, BuildReport]:
    """The real academy built once per city (books cached per city under build/books/)."""
    return {city: build(REPO, city=city) for city in CITIES}
