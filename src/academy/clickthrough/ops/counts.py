"""Count rows into a smaller table.

One row per value or per period, with how many rows have it.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd
from pydantic import Field

from academy.clickthrough.ops.base import Operation, ShapeCheck
from academy.core.defaults import BLANK
from academy.core.strict import Strict


class CountBySpec(Strict):
    """Count rows per value of a column: gives that column and 'count', biggest first."""

    column: str = Field(description="Column whose values to count.")
    keep_missing: bool = Field(
        default=False, description=f"true: also count rows with no value, as '{BLANK}'."
    )


class CountByOp(Operation):
    """Count the rows per value of a column: gives two columns, that one and `count`,
    biggest count first (ties in alphabetical order)."""

    count_by: CountBySpec = Field(description="Count rows per value of a column.")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.count_by.column, "column")
        return [self.count_by.column, "count"]

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        column = self.count_by.column
        values = frame[column]
        if self.count_by.keep_missing:
            values = values.astype("object").where(values.notna(), BLANK)
        counts = values.value_counts(dropna=True)
        return (
            counts.rename_axis(column)
            .reset_index(name="count")
            .sort_values(["count", column], ascending=[False, True], kind="stable")
        )


class CountByPeriodSpec(Strict):
    """Count rows per month or year of a date column: gives columns 'period' and 'count'."""

    column: str = Field(description="Date column.")
    period: Literal["month", "year"] = Field(description="'month' or 'year'.")


class CountByPeriodOp(Operation):
    """Count the rows per month or year of a date column: gives the columns `period` (the
    first day of each month or year) and `count`, earliest first."""

    count_by_period: CountByPeriodSpec = Field(description="Count rows per month or year.")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.count_by_period.column, "column")
        return ["period", "count"]

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        spec = self.count_by_period
        dates = pd.to_datetime(frame[spec.column]).dropna()
        periods = dates.dt.to_period("M" if spec.period == "month" else "Y").dt.to_timestamp()
        return periods.value_counts().sort_index().rename_axis("period").reset_index(name="count")
