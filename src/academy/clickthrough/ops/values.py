"""Turn the rows into one value.

For text, answers, sliders and `when:`. A query that ends with one of these gives a
value, not rows, so it must be the query's last step.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from pydantic import Field

from academy.clickthrough.condition import Condition
from academy.clickthrough.ops.base import Operation, ShapeCheck, Value, plain
from academy.core.strict import Strict


class ValueOp(Operation):
    """An operation that gives one value."""

    gives_value = True


class ColumnValueOp(ValueOp):
    """A value computed from one column, named as the operation's setting."""

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.spec)
        return check.columns

    def values(self, frame: pd.DataFrame) -> pd.Series:
        """The column's values that are not blank."""
        return frame[self.spec].dropna()


class CountOp(ValueOp):
    """The number of rows."""

    count: Literal[True] = Field(description="The number of rows (a single value).")

    def apply(self, frame: pd.DataFrame) -> Value:
        return len(frame)


class ShareOp(ValueOp):
    """The fraction of the rows that pass a test, from 0 to 1 (0 when there are no rows)."""

    share: Condition = Field(
        description="The fraction of rows that pass this test, 0 to 1 (a single value)."
    )

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.share.column, "column")
        return check.columns

    def apply(self, frame: pd.DataFrame) -> Value:
        return float(self.share.mask(frame).mean()) if len(frame) else 0.0


class MedianOp(ColumnValueOp):
    """The middle value of a number or date column (blanks left out); for an even number of
    dates, the earlier of the two middle ones."""

    median: str = Field(description="The middle value of a number or date column (a single value).")

    def apply(self, frame: pd.DataFrame) -> Value:
        values = self.values(frame)
        if values.empty:
            return None
        if pd.api.types.is_datetime64_any_dtype(values):
            return values.sort_values().iloc[(len(values) - 1) // 2]
        return plain(values.astype(float).median())


class MinOp(ColumnValueOp):
    """The smallest number, or the earliest date, of a column (blanks left out)."""

    min: str = Field(description="The smallest (or earliest) value of a column (a single value).")

    def apply(self, frame: pd.DataFrame) -> Value:
        values = self.values(frame)
        return None if values.empty else plain(values.min())


class MaxOp(ColumnValueOp):
    """The largest number, or the latest date, of a column (blanks left out)."""

    max: str = Field(description="The largest (or latest) value of a column (a single value).")

    def apply(self, frame: pd.DataFrame) -> Value:
        values = self.values(frame)
        return None if values.empty else plain(values.max())


class SumOp(ColumnValueOp):
    """The total of a number column (blanks left out)."""

    sum: str = Field(description="The total of a number column (a single value).")

    def apply(self, frame: pd.DataFrame) -> Value:
        values = self.values(frame)
        return None if values.empty else plain(values.astype(float).sum())


class DistinctOp(ColumnValueOp):
    """How many different values a column has (blanks not counted)."""

    distinct: str = Field(description="How many different values a column has (a single value).")

    def apply(self, frame: pd.DataFrame) -> Value:
        return int(frame[self.distinct].nunique(dropna=True))


class HasValuesOp(ColumnValueOp):
    """Whether a column has any value at all: false when the city leaves it blank everywhere
    (use it with `when:` and `unless:`)."""

    has_values: str = Field(
        description="true when the column has at least one value, false when it is all blank."
    )

    def apply(self, frame: pd.DataFrame) -> Value:
        return bool(frame[self.has_values].notna().any())


class PickSpec(Strict):
    """One value from the table: a column of one row."""

    column: str = Field(description="Column to read.")
    row: int = Field(default=0, ge=0, description="Row number, counting from 0 (the first row).")


class PickOp(ValueOp):
    """One cell: a column of one row (blank when there is no such row)."""

    pick: PickSpec = Field(description="One value: a column of one row (a single value).")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.pick.column, "column")
        return check.columns

    def apply(self, frame: pd.DataFrame) -> Value:
        if self.pick.row >= len(frame):
            return None
        return plain(frame[self.pick.column].iloc[self.pick.row])


class ChangeSpec(Strict):
    """How much a number column changed from its first row to its last, as a share of the first."""

    column: str = Field(description="Number column, e.g. count.")
    by: str = Field(description="Column that puts the rows in order, e.g. a date.")


class ChangeOp(ValueOp):
    """How much a number went up or down from the first row to the last (in the order of
    `by`), as a share of the first: -0.05 is a 5% drop. Blank with fewer than two rows or
    when the first number is 0."""

    change: ChangeSpec = Field(
        description="(last - first) / first, e.g. -0.05 for a 5% drop (a single value)."
    )

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.change.column, "column")
        check.need(self.change.by, "by")
        return check.columns

    def apply(self, frame: pd.DataFrame) -> Value:
        spec = self.change
        ordered = frame.dropna(subset=[spec.column, spec.by]).sort_values(spec.by, kind="stable")
        if len(ordered) < 2:
            return None
        first, last = float(ordered[spec.column].iloc[0]), float(ordered[spec.column].iloc[-1])
        return (last - first) / first if first else None
