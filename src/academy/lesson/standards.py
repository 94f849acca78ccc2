"""Data quality standards for a city's service requests, measured on its canonical table.

A standard is a rule anyone can check, with a target the data steward sets. The
practitioner course *Data governance at work* measures these on the active city's 311
file; a standard whose columns the city does not publish cannot be measured, and says
so rather than pass or fail::

    from academy.lesson.standards import measure_standards

    for result in measure_standards(requests, published_columns):
        result.standard.rule, result.share, result.met   # 'Every request ...', 0.97, True
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import pandas as pd

# (rows the standard applies to, of those the rows that meet it), from the canonical table.
Measure = Callable[[pd.DataFrame], tuple[pd.Series, pd.Series]]


@dataclass(frozen=True)
class Standard:
    """One quality standard for service requests."""

    id: str
    rule: str  # what must be true, in plain words
    applies_to: str  # which rows it is measured on, e.g. 'closed requests'
    target: float  # the share of those rows that must meet it (0-1), set by the steward
    needs: tuple[str, ...]  # canonical columns it reads
    measure: Measure


@dataclass(frozen=True)
class StandardResult:
    """A standard measured on one city's table (share None: the city does not publish a
    column it needs, or no row is of the kind it applies to)."""

    standard: Standard
    rows: int  # rows it applies to
    meeting: int  # of those, rows that meet it
    missing_columns: tuple[str, ...]

    @property
    def share(self) -> float | None:
        return None if self.missing_columns or not self.rows else self.meeting / self.rows

    @property
    def met(self) -> bool | None:
        share = self.share
        return None if share is None else share >= self.standard.target


def _all(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(True, index=frame.index)


def _closed(frame: pd.DataFrame) -> pd.Series:
    return frame["status"].eq("closed")


def _area(frame: pd.DataFrame) -> pd.Series:
    found = pd.Series(False, index=frame.index)
    for column in ("neighborhood", "council_district"):
        if column in frame:
            found |= frame[column].notna()
    return found


def _dates_in_order(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    both = _closed(frame) & frame["created_at"].notna() & frame["closed_at"].notna()
    return both, both & frame["closed_at"].ge(frame["created_at"])


STANDARDS: tuple[Standard, ...] = (
    Standard(
        id="has-type",
        rule="Every request says what kind of request it is",
        applies_to="all requests",
        target=1.0,
        needs=("request_type",),
        measure=lambda f: (_all(f), f["request_type"].notna()),
    ),
    Standard(
        id="on-the-map",
        rule="A request has a point on the map",
        applies_to="all requests",
        target=0.95,
        needs=("latitude", "longitude"),
        measure=lambda f: (_all(f), f["latitude"].notna() & f["longitude"].notna()),
    ),
    Standard(
        id="in-an-area",
        rule="A request is in an area of the city",
        applies_to="all requests",
        target=0.95,
        needs=(),  # either area column will do; measured on whichever the city publishes
        measure=lambda f: (_all(f), _area(f)),
    ),
    Standard(
        id="closed-has-date",
        rule="A closed request records when it was closed",
        applies_to="closed requests",
        target=1.0,
        needs=("closed_at",),
        measure=lambda f: (_closed(f), _closed(f) & f["closed_at"].notna()),
    ),
    Standard(
        id="dates-in-order",
        rule="A request is closed after it was made",
        applies_to="closed requests with both dates",
        target=1.0,
        needs=("closed_at",),
        measure=_dates_in_order,
    ),
    Standard(
        id="published-once",
        rule="Each request is published once",
        applies_to="all requests",
        target=1.0,
        needs=(),
        measure=lambda f: (_all(f), f["published_rows"].fillna(1).le(1)),
    ),
)


def area_columns(published_columns: Collection[str]) -> tuple[str, ...]:
    return tuple(c for c in ("neighborhood", "council_district") if c in published_columns)


def measure_standards(
    requests: pd.DataFrame,
    published_columns: Collection[str],
    standards: tuple[Standard, ...] = STANDARDS,
) -> list[StandardResult]:
    """Each standard measured on the canonical `service_requests` table of one city."""
    results = []
    for standard in standards:
        missing = tuple(c for c in standard.needs if c not in published_columns)
        if standard.id == "in-an-area" and not area_columns(published_columns):
            missing = ("neighborhood", "council_district")
        if missing:
            results.append(StandardResult(standard, 0, 0, missing))
            continue
        frame = requests.drop(
            columns=[c for c in ("neighborhood", "council_district") if c not in published_columns],
            errors="ignore",
        )
        applies, meets = standard.measure(frame)
        applies = applies.fillna(False).astype(bool)
        meets = meets.fillna(False).astype(bool) & applies
        results.append(StandardResult(standard, int(applies.sum()), int(meets.sum()), ()))
    return results
