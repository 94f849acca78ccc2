"""Find requests that are likely one problem reported twice.

Two rows are twins when they match in some columns (the kind of request), lie within a
few metres of each other on the map and came in within a few hours of each other, but
not at the very same second (rows made together by a system or a batch are not two
reports). A map point that rows share on many different days is an office or a default
point (City Hall, an airport), not the place of a problem, so its rows are never twins.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from pydantic import Field

from academy.clickthrough.ops.base import Operation, ShapeCheck
from academy.core.strict import Strict

METRES_PER_DEGREE = 111_320.0  # of latitude; only to put rows into cells, not to measure


class MarkTwinsSpec(Strict):
    """A new column numbering the pairs of likely twins, the most certain pair first."""

    same: list[str] = Field(
        min_length=1, description="Columns that must match, e.g. [request_type]."
    )
    time: str = Field(description="Date column: when each row came in.")
    hours: float = Field(default=48, gt=0, le=24 * 31, description="At most this many hours apart.")
    metres: float = Field(default=50, gt=0, le=10_000, description="At most this far apart.")
    busy_days: int = Field(
        default=3,
        ge=1,
        description="A map point with rows on more days than this is an office or default "
        "point; its rows are never twins.",
    )
    marked: str | None = Field(
        default=None,
        description="Yes/no column where the city marked repeats (e.g. duplicate): pairs "
        "with a marked row come first.",
    )
    into: str = Field(description="Name of the new column: the pair's number, 1 = most certain.")


class MarkTwinsOp(Operation):
    """Add a column numbering likely twins: rows that match in the `same` columns, lie
    within `metres` on the map (reads `latitude` and `longitude`) and came in within `hours`
    of each other, but not at the same second. Pair 1 is the most certain (a row the city
    marked as a repeat first, then the closest in time); a row in several pairs gets the
    number of its most certain one, so `equals: 1` keeps exactly one pair. Rows in no pair,
    and rows at a point used on more than `busy_days` days, get no number."""

    mark_twins: MarkTwinsSpec = Field(description="Add a column numbering likely twins.")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        spec = self.mark_twins
        check.need_each(spec.same, "same")
        check.need(spec.time, "time")
        check.need("latitude")
        check.need("longitude")
        if spec.marked is not None:
            check.need(spec.marked, "marked")
        return [*check.columns, spec.into]

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        spec = self.mark_twins
        out = frame.copy()
        rank = _pair_ranks(frame, spec)
        out[spec.into] = pd.Series(rank, index=frame.index, dtype="Int64")
        return out


def _candidates(frame: pd.DataFrame, spec: MarkTwinsSpec) -> pd.DataFrame:
    """Rows that can be twins: a number for their `same` values, their map cell and time
    window, their position in `frame`, time in seconds, map point and city mark."""
    cols = [*spec.same, spec.time, "latitude", "longitude"]
    rows = frame[cols].copy()
    rows["pos"] = np.arange(len(frame))
    rows["marked"] = (
        frame[spec.marked].fillna(False).astype(bool).to_numpy() if spec.marked else False
    )
    rows["at"] = pd.to_datetime(rows[spec.time])
    rows = rows.dropna(subset=[*spec.same, "at", "latitude", "longitude"])
    rows["day"] = rows["at"].dt.normalize()
    days = rows.groupby(["latitude", "longitude"])["day"].transform("nunique")
    rows = rows[days <= spec.busy_days]
    seconds = (rows["at"] - pd.Timestamp(0)).dt.total_seconds()
    rows["seconds"] = seconds
    across = METRES_PER_DEGREE * np.cos(np.radians(rows["latitude"].mean() if len(rows) else 0))
    rows["cy"] = np.floor(rows["latitude"] * METRES_PER_DEGREE / spec.metres).astype("int64")
    rows["cx"] = np.floor(rows["longitude"] * across / spec.metres).astype("int64")
    rows["ct"] = np.floor(seconds / (spec.hours * 3600)).astype("int64")
    rows["kind"] = rows.groupby(spec.same, sort=False).ngroup()
    return rows[["kind", "cx", "cy", "ct", "pos", "seconds", "latitude", "longitude", "marked"]]


def _pair_ranks(frame: pd.DataFrame, spec: MarkTwinsSpec) -> list[int | None]:
    """For each row of `frame`, the number of the most certain pair it is in, or None."""
    from pyproj import Geod

    rows = _candidates(frame, spec)
    keys = ["kind", "cx", "cy", "ct"]
    found = []
    for dx, dy, dt in itertools.product((-1, 0, 1), repeat=3):
        other = rows.assign(cx=rows["cx"] + dx, cy=rows["cy"] + dy, ct=rows["ct"] + dt)
        pairs = rows.merge(other, on=keys, suffixes=("", "_2"))
        found.append(pairs[pairs["pos"] < pairs["pos_2"]])
    pairs = pd.concat(found, ignore_index=True) if found else pd.DataFrame()
    ranks: list[int | None] = [None] * len(frame)
    if pairs.empty:
        return ranks
    gap = (pairs["seconds"] - pairs["seconds_2"]).abs()
    _, _, apart = Geod(ellps="WGS84").inv(
        pairs["longitude"].to_numpy(),
        pairs["latitude"].to_numpy(),
        pairs["longitude_2"].to_numpy(),
        pairs["latitude_2"].to_numpy(),
    )
    pairs = pairs.assign(gap=gap, apart=apart, either=pairs["marked"] | pairs["marked_2"])
    pairs = pairs[(pairs["gap"] > 0) & (pairs["gap"] <= spec.hours * 3600)]
    pairs = pairs[pairs["apart"] <= spec.metres]
    pairs = pairs.sort_values(
        ["either", "gap", "apart", "pos", "pos_2"],
        ascending=[False, True, True, True, True],
        kind="stable",
    )
    for number, (a, b) in enumerate(zip(pairs["pos"], pairs["pos_2"], strict=True), start=1):
        for pos in (a, b):
            if ranks[pos] is None:
                ranks[pos] = number
    return ranks
