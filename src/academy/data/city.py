"""Which city's data the academy uses, how a notebook kernel learns it, and that city's
own facts (datasets/<city>/city.yml).

The city is chosen once, by whoever starts the work, and passed down as an argument:
`academy build --city` (or `$ACADEMY_CITY`, which only the command line reads), a
cohort's settings, or by default the `city:` of curriculum/academy.yml
(`configured_city`).

Notebooks run in kernels of their own: the lessons a book build executes, the exercises
a grading sandbox runs. Whatever starts such a kernel tells it the city through the
kernel's environment, built by `notebook_environment` (the book worker and the grading
sandbox each set it for their kernels, nowhere else). Inside the notebook, `active_city()`
reads it, so `table("service_requests")` is that city's table. A notebook opened by hand
in Jupyter has no such variable and uses academy.yml's city.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import ValidationError

from academy.core.errors import AcademyError, FileError
from academy.core.findings import rel
from academy.core.paths import MARKER, ROOT_ENV, find_root
from academy.core.yamlfile import read_yaml
from academy.data.drafts import mark_message, strip_marks
from academy.data.spec import CityFacts

#: The city the command line uses when no --city is given; read only by its options.
CITY_ENV = "ACADEMY_CITY"
#: The city of the notebook a kernel runs; set only in the environment of kernels the
#: academy starts (see `notebook_environment`).
NOTEBOOK_CITY_ENV = "ACADEMY_NOTEBOOK_CITY"
FACTS_FILE = "city.yml"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def configured_city(root: Path) -> str:
    """The `city:` key of curriculum/academy.yml under `root`."""
    path = root / MARKER
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (OSError, yaml.YAMLError):
        data = read_yaml(path).data  # raises the AcademyError that names the file and line
    city = data.get("city") if isinstance(data, dict) else None
    if not isinstance(city, str) or not city.strip():
        line = read_yaml(path).line(("city",))
        raise AcademyError(
            f"{path}:{line}: missing-city: no `city:` set; add e.g. `city: baltimore` "
            "(a folder under datasets/) or choose one with `academy build --city`"
        )
    return city.strip()


def notebook_environment(root: Path, city: str) -> dict[str, str]:
    """The variables a notebook kernel needs to read `city`'s data from the academy at
    `root`; whoever starts the kernel adds them to its environment."""
    return {ROOT_ENV: str(root), NOTEBOOK_CITY_ENV: city}


def active_city(root: Path | None = None) -> str:
    """The city of the running notebook: the one its kernel was started for, else the
    city academy.yml names. Library code takes the city as an argument instead."""
    given = os.environ.get(NOTEBOOK_CITY_ENV, "").strip()
    return given or configured_city(root or find_root())


def facts_path(city: str, root: Path) -> Path:
    """Where a city's facts live: datasets/<city>/city.yml."""
    return root / "datasets" / city / FACTS_FILE


def read_facts(path: Path) -> tuple[CityFacts | None, list[tuple[int, str, str]]]:
    """The facts in one city.yml and its problems as (line, rule, message)."""
    if not path.is_file():
        return None, [
            (
                1,
                "city-facts-missing",
                f"no {FACTS_FILE} for this city: write its name, what it calls its areas and "
                "its extent on the map (`academy data init` drafts it; see "
                "site/bring-your-own-city.md)",
            )
        ]
    doc = read_yaml(path)
    data, marks = strip_marks(doc.data)
    problems = [
        (doc.line(loc), "draft-unconfirmed", mark_message(loc, text)) for loc, text in marks
    ]
    try:
        facts = CityFacts.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "city.yml"
            problems.append(
                (doc.line(tuple(error["loc"])), "city-facts-schema", f"{where}: {error['msg']}")
            )
        return None, problems
    return facts, problems


_facts: dict[tuple[str, int, int], CityFacts] = {}


def _version(path: Path) -> tuple[str, int, int] | None:
    if not path.is_file():
        return None
    stat = path.stat()
    return (str(path.resolve()), stat.st_size, stat.st_mtime_ns)


def city_facts(city: str | None = None, root: Path | None = None) -> CityFacts:
    """The city's facts (the notebook's city when None); AcademyError naming the line if
    broken."""
    root = root or find_root()
    city = city or active_city(root)
    path = facts_path(city, root)
    key = _version(path)
    if key is not None and key in _facts:
        return _facts[key]
    facts, problems = read_facts(path)
    if problems or facts is None:
        line, rule, message = problems[0]
        raise FileError(rel(path, root), line, rule, message)
    if key is not None:
        _facts[key] = facts
    return facts


def city_name(city: str | None = None, root: Path | None = None) -> str:
    """The city's name as people write it, e.g. 'St. Louis'."""
    return city_facts(city, root).name
