"""What the active city's data holds, for lessons that must not assume.

A lesson asks here before it computes on a column a city may not publish, and says so in
a sentence from the data when it does not::

    from academy.lesson import city, records, not_recorded
    if records("channel"):
        ...
    else:
        glue("channel_note", not_recorded("channel", "so this part is left out"))

It also says how each status counts (see `statuses`), where the city is on the map
(`bounds`), and which published column a canonical column comes from (`published_column`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from academy.data.catalogue import primary_dataset
from academy.data.city import active_city, city_facts
from academy.data.fields import field_statuses
from academy.data.spec import Bounds, CityFacts, DatasetInfo
from academy.lesson.formatting import count

TABLE = "service_requests"


def city() -> CityFacts:
    """The active city's facts: `city().name` ('St. Louis'), `city().areas.many` ('wards')."""
    return city_facts(active_city())


def source(table: str = TABLE) -> DatasetInfo:
    """The published dataset the active city's canonical `table` is built from."""
    return primary_dataset(table, active_city(), _root())


def _root():
    from academy.core.paths import find_root

    return find_root()


def records(field: str, table: str = TABLE) -> bool:
    """True when the active city publishes this canonical column."""
    return field_statuses(table, active_city(), _root())[field].published


def not_recorded(field: str, then: str = "", table: str = TABLE) -> str:
    """'Los Angeles's data does not record when each request was due, so ...'."""
    sentence = field_statuses(table, active_city(), _root())[field].not_recorded(city().name)
    return f"{sentence[:-1]}, {then}." if then else sentence


def published_column(field: str, table: str = TABLE) -> str | None:
    """The published column a canonical column is read from as is, or None when it is
    converted (X/Y), joined from several columns, or not published."""
    adapter = source(table).adapter
    assert adapter is not None
    mapped = adapter.columns.get(field)
    if isinstance(mapped, str):
        return mapped
    if mapped is not None and mapped.column and not mapped.pattern:
        return mapped.column
    return None


def bounds(frame: pd.DataFrame | None = None) -> Bounds:
    """The city's extent: from its city.yml, else around the middle 98% of the table's points."""
    facts = city()
    if facts.bounds is not None:
        return facts.bounds
    from academy.data.canonical import table as canonical

    points = frame if frame is not None else canonical(TABLE)
    lat, lon = points["latitude"].dropna(), points["longitude"].dropna()
    if lat.empty:
        raise ValueError(not_recorded("latitude"))
    south, north = lat.quantile([0.01, 0.99])
    west, east = lon.quantile([0.01, 0.99])
    return Bounds(
        south=float(south),
        north=float(max(north, south + 1e-3)),
        west=float(west),
        east=float(max(east, west + 1e-3)),
    )


# --- how each status counts ----------------------------------------------------------

NOT_THE_CITYS_TO_CLOSE = ("cancelled", "referred")
"""Statuses left out of every share closed and on-time rate: the request was withdrawn,
or handed to someone else, so the city neither finished it nor left it undone."""


@dataclass(frozen=True)
class Statuses:
    """How many requests have each canonical status, and the rule every rate uses."""

    total: int
    open: int
    closed: int
    cancelled: int
    referred: int
    duplicates: int | None  # requests the city marked as repeats; None when it does not mark them
    closed_duplicates: int | None

    @property
    def counted(self) -> int:
        """Requests a share closed counts: all but the cancelled and referred ones."""
        return self.total - self.cancelled - self.referred

    def rule(self) -> str:
        """The sentence a lesson shows next to any share closed, on-time rate or backlog."""
        left_out = []
        if self.cancelled:
            left_out.append(f"{count(self.cancelled, 'cancelled request')}")
        if self.referred:
            left_out.append(
                f"{count(self.referred, 'request')} referred to another agency or request"
            )
        text = ""
        if left_out:
            text = (
                f"Left out: {' and '.join(left_out)}. The city neither finished "
                f"{'it' if self.cancelled + self.referred == 1 else 'them'} nor left "
                f"{'it' if self.cancelled + self.referred == 1 else 'them'} undone. "
            )
        if self.closed_duplicates:
            text += (
                f"Counted as closed: {count(self.closed_duplicates, 'request')} the city closed as "
                "a repeat of another request, though no crew went out for "
                f"{'it' if self.closed_duplicates == 1 else 'them'}."
            )
        return text.strip()


def statuses(frame: pd.DataFrame) -> Statuses:
    """The status counts of a canonical service_requests table."""
    status = frame["status"]
    marked = frame["duplicate"] if "duplicate" in frame else pd.Series(pd.NA, index=frame.index)
    recorded = bool(marked.notna().any())
    duplicate = marked.fillna(False).astype(bool)
    return Statuses(
        total=len(frame),
        open=int(status.eq("open").sum()),
        closed=int(status.eq("closed").sum()),
        cancelled=int(status.eq("cancelled").sum()),
        referred=int(status.eq("referred").sum()),
        duplicates=int(duplicate.sum()) if recorded else None,
        closed_duplicates=int((duplicate & status.eq("closed")).sum()) if recorded else None,
    )


def counted_for_rates(frame: pd.DataFrame) -> pd.Series:
    """True for each request a share closed or an on-time rate counts (not cancelled or referred)."""
    return ~frame["status"].isin(NOT_THE_CITYS_TO_CLOSE)
