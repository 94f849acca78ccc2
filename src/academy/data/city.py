"""Which city's data the academy uses."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from academy.core.errors import AcademyError
from academy.core.paths import MARKER, find_root
from academy.core.yamlfile import read_yaml

CITY_ENV = "ACADEMY_CITY"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def active_city(root: Path | None = None) -> str:
    """$ACADEMY_CITY if set, else the `city:` key of curriculum/academy.yml under the root."""
    env = os.environ.get(CITY_ENV, "").strip()
    if env:
        return env
    root = root or find_root()
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
            f"(a folder under datasets/) or set {CITY_ENV}"
        )
    return city.strip()
