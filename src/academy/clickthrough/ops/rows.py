"""Keep, drop and order rows."""

from __future__ import annotations

import pandas as pd
from pydantic import Field

from academy.clickthrough.condition import Condition
from academy.clickthrough.ops.base import Operation, ShapeCheck
from academy.core.strict import Strict


class FilterOp(Operation):
    """Keep only the rows that pass a test on one column."""

    filter: Condition = Field(description="Keep only the rows that pass this test.")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.filter.column, "column")
        return check.columns

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame[self.filter.mask(frame)]


class SortSpec(Strict):
    """Sort rows by a column."""

    by: str = Field(description="Column to sort by.")
    descending: bool = Field(default=False, description="true: biggest or latest first.")


class SortOp(Operation):
    """Put the rows in order of one column; rows with no value go last."""

    sort: SortSpec = Field(description="Sort the rows.")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.sort.by, "by")
        return check.columns

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.sort_values(
            self.sort.by, ascending=not self.sort.descending, kind="stable", na_position="last"
        )


class HeadOp(Operation):
    """Keep the first rows (after a sort: the biggest, smallest, latest ...)."""

    head: int = Field(gt=0, le=500, description="Keep the first N rows.")

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.head(self.head)


class SampleSpec(Strict):
    """Pick some rows at random, the same ones on every build of the same data."""

    n: int = Field(gt=0, le=50, description="How many rows to pick.")
    seed: int = Field(default=1, description="Change it to pick other rows.")


class SampleOp(Operation):
    """Pick some rows at random, the same ones on every build of the same data."""

    sample: SampleSpec = Field(description="Pick rows at random (repeatably).")

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        if not len(frame):
            return frame
        return frame.sample(n=min(self.sample.n, len(frame)), random_state=self.sample.seed)


class ShuffleOp(Operation):
    """Put the rows in a random order, the same on every build of the same data."""

    shuffle: int = Field(description="Put the rows in a random order; the number is the seed.")

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        return frame.sample(frac=1.0, random_state=self.shuffle) if len(frame) else frame


class DuplicatesSpec(Strict):
    """Keep only rows that share all these values with at least one other row."""

    columns: list[str] = Field(min_length=1, description="Columns that must all match.")


class DuplicatesOp(Operation):
    """Keep only the rows that repeat: the same values in all these columns as another row
    (rows with a blank in any of them never count). Repeats come next to each other."""

    duplicates: DuplicatesSpec = Field(description="Keep rows that repeat these values.")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need_each(self.duplicates.columns, "columns")
        return check.columns

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        columns = self.duplicates.columns
        keyed = frame.dropna(subset=columns)
        return keyed[keyed.duplicated(subset=columns, keep=False)].sort_values(
            columns, kind="stable"
        )


class MostCommonOp(Operation):
    """Keep only the rows whose value in one column is the most common one (ties: the one
    first in A to Z order), e.g. the requests of the busiest agency. Rows with no value
    never count."""

    most_common: str = Field(description="Column whose most common value the kept rows share.")

    def columns_after(self, check: ShapeCheck) -> list[str]:
        check.need(self.most_common)
        return check.columns

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        counts = frame[self.most_common].value_counts()
        if counts.empty:
            return frame.iloc[0:0]
        top = counts[counts == counts.max()].index
        return frame[frame[self.most_common] == sorted(top)[0]]
