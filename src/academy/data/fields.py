"""Which canonical columns a city publishes, and how to say so when it does not.

Every canonical column is mapped by the city's adapter, computed by the academy, or
declared `not_published` with the reason. Lessons ask here before computing on a
column, and say it in a sentence from the data ("Chicago's data does not record when
each request was due") instead of showing a column of blanks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from academy.core.paths import find_root
from academy.data.catalogue import load_canonical, primary_dataset
from academy.data.city import active_city, city_facts
from academy.data.spec import CityFacts


@dataclass(frozen=True)
class FieldStatus:
    """One canonical column for one city."""

    name: str
    published: bool
    topic: str  # in the city's words, e.g. "which ward each request is in"
    reason: str | None  # the adapter's reason when not published

    def not_recorded(self, city: str) -> str:
        """ "Chicago's data does not record when each request was due."."""
        return f"{city}'s data does not record {self.topic}."


def topic_in_city_words(topic: str, facts: CityFacts) -> str:
    """A canonical topic with {area}, {council_district}, {police_district} in the city's words."""
    return (
        topic.replace("{area}", facts.areas.one)
        .replace("{council_district}", facts.council_districts.one)
        .replace("{police_district}", facts.police_districts.one)
    )


def field_statuses(
    table: str = "service_requests", city: str | None = None, root: Path | None = None
) -> dict[str, FieldStatus]:
    """Every column of the canonical table, published or not, for the city (active when None)."""
    root = root or find_root()
    city = city or active_city(root)
    definition = load_canonical(root).tables[table]
    adapter = primary_dataset(table, city, root).adapter
    assert adapter is not None
    facts = city_facts(city, root)
    return {
        f.name: FieldStatus(
            name=f.name,
            published=f.name not in adapter.not_published,
            topic=topic_in_city_words(f.topic, facts),
            reason=adapter.not_published.get(f.name),
        )
        for f in definition.fields
    }


def published(
    field: str, table: str = "service_requests", city: str | None = None, root: Path | None = None
) -> bool:
    """True when the city's file has this canonical column."""
    return field_statuses(table, city, root)[field].published


def unavailable_because(
    needs: list[str], tables: list[str], city: str, root: Path | None = None
) -> str | None:
    """Why a lesson that needs these canonical columns cannot be taught for the city, or None.

    `tables` are the canonical tables the lesson reads (its `datasets:` that are not files).
    """
    if not needs:
        return None
    root = root or find_root()
    facts = city_facts(city, root)
    topics = []
    for table in tables:
        try:
            statuses = field_statuses(table, city, root)
        except Exception:
            continue
        topics += [statuses[n].topic for n in needs if n in statuses and not statuses[n].published]
    if not topics:
        return None
    unique = list(dict.fromkeys(topics))
    said = unique[0] if len(unique) == 1 else ", ".join(unique[:-1]) + " or " + unique[-1]
    return (
        f"Not available for {facts.name}: {facts.name}'s data does not record {said}, and "
        "this lesson cannot be taught without it."
    )
