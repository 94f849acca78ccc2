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


CITIES = ("baltimore", "pittsburgh")


@pytest.fixture(scope="session")
def built_cities(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> dict[str, BuildReport]:
    """The real academy built once per city, each into a temporary folder of its own (never
    the checkout's build/). Built books are kept between runs in pytest's cache folder,
    keyed by every input of the book (so a change rebuilds it); the data cache is the
    usual one."""
    cache = getattr(pytestconfig, "cache", None)  # None under `-p no:cacheprovider`
    books = cache.mkdir("academy-books") if cache else tmp_path_factory.mktemp("books")
    return {
        city: build(REPO, city=city, out=tmp_path_factory.mktemp(city), books=books)
        for city in CITIES
    }


@pytest.fixture(scope="session")
def academy_build(built_cities) -> BuildReport:
    """The build of the city curriculum/academy.yml names (what `academy build` makes)."""
    from academy.data.city import configured_city

    return built_cities[configured_city(REPO)]


@pytest.fixture(scope="session")
def postgres_server():
    """A private PostgreSQL server for the whole run (scripts/start-postgres); its URL."""
    from postgres_support import running_server

    with running_server() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A fresh, empty database on the test server."""
    from postgres_support import fresh_database

    return fresh_database(postgres_server)
