"""Choose, rename, convert and add columns.

The rows stay as they are.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from pydantic import Field

from academy.clickthrough.ops.base import Operation, ShapeCheck
from academy.core.strict import Strict


class SelectOp(Operation):
    """Keep only some columns, in the order given."""

    select: list[str] = Field(min_length=1, description="Keep only these columns, in this order.")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need_each(self.select)
        return [c for c in self.select if c in check.columns]

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[list(self.select)]


class RenameOp(Operation):
    """Give columns new names (for headings and for joining queries)."""

    rename: dict[str, str] = Field(description="Rename columns: {old name: new name}.")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        for old in self.rename:
            check.need(old, old)
        return [self.rename.get(c, c) for c in check.columns]

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.rename(columns=self.rename)


class ParseSpec(Strict):
    """Turn a text column into dates or numbers (for files as published)."""

    column: str = Field(description="Column to convert.")
    to: Literal["date", "number"] = Field(description="'date' or 'number'.")
    format: str | None = Field(
        default=None,
        description="Date pattern such as '%m/%d/%y' (dates only; guessed when left out).",
    )


class ParseOp(Operation):
    """Turn a text column of a file as published into dates or numbers ('1,234' counts as
    1234); values that cannot be read become blank."""

    parse: ParseSpec = Field(description="Convert a text column to dates or numbers.")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.parse.column, "column")
        return check.columns

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        spec = self.parse
        out = frame.copy()
        if spec.to == "number":
            cleaned = (
                out[spec.column].astype("string").str.replace(",", "", regex=False).str.strip()
            )
            out[spec.column] = pd.to_numeric(cleaned, errors="coerce")
        else:
            out[spec.column] = pd.to_datetime(out[spec.column], format=spec.format, errors="coerce")
        return out


class DaysBetweenSpec(Strict):
    """A new column: days from one date column to another."""

    start: str = Field(description="Date column the time starts at, e.g. created_at.")
    end: str = Field(description="Date column the time ends at, e.g. closed_at.")
    into: str = Field(description="Name of the new column.")


class DaysBetweenOp(Operation):
    """Add a column of days (with fractions) from one date to another; blank where either
    date is blank."""

    days_between: DaysBetweenSpec = Field(description="Add a column of days between two dates.")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.days_between.start, "start")
        check.need(self.days_between.end, "end")
        return [*check.columns, self.days_between.into]

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        spec = self.days_between
        out = frame.copy()
        delta = pd.to_datetime(out[spec.end]) - pd.to_datetime(out[spec.start])
        out[spec.into] = delta.dt.total_seconds() / 86400.0
        return out


class DerivedSpec(Strict):
    """A new column computed from one date column."""

    column: str = Field(description="Date column to read.")
    into: str = Field(description="Name of the new column.")


class DayOp(Operation):
    """Add a column with the date only, without the time of day (to count per day)."""

    day: DerivedSpec = Field(description="Add a column with the date part only (no time).")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.day.column, "column")
        return [*check.columns, self.day.into]

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        out[self.day.into] = pd.to_datetime(out[self.day.column]).dt.normalize()
        return out


class QuadrantSpec(Strict):
    """A new column naming the part of the city each row is in (north-east, ...), split at the
    middle of the area the requests cover. Rows with no location get no quadrant."""

    into: str = Field(default="quadrant", description="Name of the new column.")


class QuadrantOp(Operation):
    """Add a column naming the quarter of the city each row is in (North-east, South-west
    ...), split at the middle of the area the rows cover; reads `latitude` and `longitude`."""

    quadrant: QuadrantSpec = Field(description="Add a column with the part of the city.")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need("latitude")
        check.need("longitude")
        return [*check.columns, self.quadrant.into]

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        lat, lon = out["latitude"], out["longitude"]
        mid_lat = (lat.quantile(0.01) + lat.quantile(0.99)) / 2
        mid_lon = (lon.quantile(0.01) + lon.quantile(0.99)) / 2
        north = np.where(lat >= mid_lat, "North", "South")
        east = np.where(lon >= mid_lon, "east", "west")
        names = pd.Series([f"{n}-{e}" for n, e in zip(north, east, strict=True)], index=out.index)
        out[self.quadrant.into] = names.where(lat.notna() & lon.notna())
        return out


class MarkDuplicatesSpec(Strict):
    """A new yes/no column: does the row share all these values with another row?"""

    columns: list[str] = Field(min_length=1, description="Columns that must all match.")
    into: str = Field(description="Name of the new column.")


class MarkDuplicatesOp(Operation):
    """Add a yes/no column: true when the row has the same values in all these columns as
    another row (rows with a blank in any of them are never repeats)."""

    mark_duplicates: MarkDuplicatesSpec = Field(
        description="Add a yes/no column marking repeated rows."
    )

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need_each(self.mark_duplicates.columns, "columns")
        return [*check.columns, self.mark_duplicates.into]

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        spec = self.mark_duplicates
        out = frame.copy()
        complete = out[spec.columns].notna().all(axis=1)
        out[spec.into] = complete & out.duplicated(subset=spec.columns, keep=False)
        return out


class ShareOfTotalOp(Operation):
    """Add a column `share`: each row's number divided by the column's total (0 to 1)."""

    share_of_total: str = Field(
        description="Add a column 'share' = this number column divided by its total."
    )

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.share_of_total)
        return [*check.columns, "share"]

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.copy()
        numbers = pd.to_numeric(out[self.share_of_total], errors="coerce")
        total = numbers.sum()
        out["share"] = numbers / total if total else 0.0
        return out
