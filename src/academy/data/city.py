"""Which city's data the academy uses."""

from __future__ import annotations

import os
from pathlib import Path

from academy.errors import AcademyError
from academy.paths import MARKER, find_root
from academy.yamlfile import read_yaml

CITY_ENV = "ACADEMY_CITY"


def active_city(root: Path | None = None) -> str:
    """$ACADEMY_CITY if set, else the `city:` key of curriculum/academy.yml under the root."""
    env = os.environ.get(CITY_ENV, "").strip()
    if env:
        return env
    root = root or find_root()
    doc = read_yaml(root / MARKER)
    city = doc.data.get("city") if isinstance(doc.data, dict) else None
    if not isinstance(city, str) or not city.strip():
        raise AcademyError(
            f"{root / MARKER}:{doc.line(('city',))}: missing-city: no `city:` set; "
            f"add e.g. `city: baltimore` (a folder under datasets/) or set {CITY_ENV}"
        )
    return city.strip()
