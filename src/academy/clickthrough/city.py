"""The city a lesson is built for: its own words, and the fields its data does not publish.

Lesson text may use the city's words in braces, the same in every lesson:

    {city}      the city's name ("St. Louis")
    {area}      what it calls the areas in `neighborhood` ("ward"), {areas} for several
    {district}  what it calls its council districts, {districts} for several
    {police_district}, {police_districts}
    {south}, {north}, {west}, {east}   the city's extent in degrees (one decimal)

and `{Area}`, `{Areas}`, `{District}`, `{Districts}` start a sentence or a heading.
A step that reads a column the city does not publish is replaced by a sentence that
says so (from `datasets/canonical.yml` and the city's adapter), and the lesson goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from academy.data.spec import CityFacts

WORDS = ("city", "area", "areas", "district", "districts", "police_district", "police_districts")
BOUNDS = ("south", "north", "west", "east")
"""{south} ... {east}: the city's extent in degrees, to one decimal (when its city.yml gives it)."""
TITLED = ("Area", "Areas", "District", "Districts")
NAMES = frozenset(WORDS) | frozenset(TITLED) | frozenset(BOUNDS)
"""Names every lesson text may use in braces besides its queries."""


def words(facts: CityFacts) -> dict[str, str]:
    """{name: the city's word} for every name in `NAMES`."""
    plain = {
        "city": facts.name,
        "area": facts.areas.one,
        "areas": facts.areas.many,
        "district": facts.council_districts.one,
        "districts": facts.council_districts.many,
        "police_district": facts.police_districts.one,
        "police_districts": facts.police_districts.many,
    }
    titled = {name: plain[name.lower()][:1].upper() + plain[name.lower()][1:] for name in TITLED}
    edges = {n: f"{getattr(facts.bounds, n):.1f}" for n in BOUNDS} if facts.bounds else {}
    return plain | titled | edges


@dataclass(frozen=True)
class CityView:
    """What resolving a lesson needs to know about the city besides its query results."""

    city: str
    name: str
    words: dict[str, str]
    missing: dict[tuple[str, str], str] = field(default_factory=dict)
    """(canonical table, column) -> the topic the city does not record, in its words."""

    def not_recorded(self, topics: list[str]) -> str:
        """ "Chicago's data does not record when each request was due, so this step is left out."""
        unique = list(dict.fromkeys(topics))
        said = unique[0] if len(unique) == 1 else ", ".join(unique[:-1]) + " or " + unique[-1]
        return f"{self.name}'s data does not record {said}, so this step is left out."


def city_view(root: Path, city: str) -> CityView:
    """The city's words and the canonical columns its adapters declare not published."""
    from academy.core.errors import AcademyError
    from academy.data.catalogue import list_datasets, load_canonical
    from academy.data.city import city_facts
    from academy.data.fields import topic_in_city_words

    facts = city_facts(city, root)
    tables = load_canonical(root).tables
    missing: dict[tuple[str, str], str] = {}
    try:
        infos = list_datasets(root)
    except AcademyError:
        infos = []
    for info in infos:
        if info.city != city or info.adapter is None or not info.adapter.primary:
            continue
        definition = tables.get(info.adapter.table)
        for name in info.adapter.not_published:
            f = definition.field(name) if definition else None
            if f is not None:
                missing[(info.adapter.table, name)] = topic_in_city_words(f.topic, facts)
    return CityView(city, facts.name, words(facts), missing)
