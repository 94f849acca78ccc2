"""Where a table's map points lie against the city's own extent (from its city.yml)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from academy.data.spec import Bounds

FAR_KM = 25.0  # beyond the city's extent by more than this is "far outside" (validation)
OUTSIDE_KM = 5.0  # beyond it by more than this is "outside the city" (lessons)
WRONG_SHARE = 0.05  # more than this share of located rows far outside: the mapping is wrong
NOTICE_SHARE = 0.005  # more than this (but not WRONG_SHARE): worth a warning; fewer is noise


@dataclass(frozen=True)
class ExtentCheck:
    """How many located rows lie far outside the city, and the first of them."""

    located: int
    far: int
    first: int | None  # index label of the first far row

    @property
    def share(self) -> float:
        return self.far / self.located if self.located else 0.0

    @property
    def mapping_is_wrong(self) -> bool:
        return self.share > WRONG_SHARE

    @property
    def worth_a_warning(self) -> bool:
        return NOTICE_SHARE < self.share <= WRONG_SHARE


def far_outside(
    latitude: pd.Series, longitude: pd.Series, bounds: Bounds, km: float = FAR_KM
) -> pd.Series:
    """True for each row whose point lies more than `km` beyond the city's extent."""
    box = bounds.grown(km)
    inside = latitude.between(box.south, box.north) & longitude.between(box.west, box.east)
    return (latitude.notna() & longitude.notna() & ~inside).fillna(False).astype(bool)


def check_extent(frame: pd.DataFrame, bounds: Bounds) -> ExtentCheck:
    """The extent check of a canonical table with `latitude` and `longitude` columns."""
    far = far_outside(frame["latitude"], frame["longitude"], bounds)
    located = int((frame["latitude"].notna() & frame["longitude"].notna()).sum())
    first = int(far[far].index[0]) if far.any() else None
    return ExtentCheck(located, int(far.sum()), first)
