"""A test on one column (`column: status, equals: Open`): which rows a filter keeps, a share
counts, a table marks or a "spot the problem" step calls wrong.

The model is plain pydantic; pandas is imported only when a test runs on rows, so the
learner's kernel (which imports the step kinds, and through them this model) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import Field, model_validator

from academy.core.strict import Strict

if TYPE_CHECKING:
    import pandas as pd

Scalar = str | int | float | bool

OPERATORS = (
    "equals",
    "not_equals",
    "one_of",
    "not_one_of",
    "contains",
    "starts_with",
    "missing",
    "above",
    "below",
)


class Condition(Strict):
    """Which rows to keep (or mark): one column and exactly one test on it."""

    column: str = Field(description="Column to test, as the table names it.")
    equals: Scalar | None = Field(
        default=None, description="Keep rows whose value is exactly this."
    )
    not_equals: Scalar | None = Field(
        default=None, description="Keep rows whose value is not this."
    )
    one_of: list[Scalar] | None = Field(
        default=None, description="Keep rows whose value is in this list."
    )
    not_one_of: list[Scalar] | None = Field(
        default=None, description="Keep rows whose value is not in this list."
    )
    contains: str | None = Field(
        default=None, description="Keep rows whose text contains this (any upper/lower case)."
    )
    starts_with: str | None = Field(
        default=None, description="Keep rows whose text starts with this."
    )
    missing: bool | None = Field(
        default=None,
        description="true: keep rows with no value here; false: keep rows that have one.",
    )
    above: float | None = Field(
        default=None, description="Keep rows whose number is greater than this."
    )
    below: float | None = Field(
        default=None, description="Keep rows whose number is less than this."
    )

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [name for name in OPERATORS if name in self.model_fields_set]
        if len(tests) != 1:
            raise ValueError(
                f"give exactly one test for column '{self.column}' (one of: {', '.join(OPERATORS)})"
            )
        return self

    @property
    def operator(self) -> str:
        return next(name for name in OPERATORS if name in self.model_fields_set)

    @property
    def value(self) -> Any:
        return getattr(self, self.operator)

    def mask(self, frame: pd.DataFrame) -> pd.Series:
        """Boolean Series: which rows pass (rows with no value never pass, except `missing`)."""
        return self._hits(frame).reindex(frame.index).fillna(False).astype(bool)

    def _hits(self, frame: pd.DataFrame) -> pd.Series:
        import pandas as pd

        values = frame[self.column]
        op, want = self.operator, self.value
        if op == "missing":
            return values.isna() if want else values.notna()
        if op in {"equals", "not_equals"}:
            hit = values.astype("object").eq(want) | values.astype("string").eq(str(want))
            hit = hit.fillna(False).astype(bool)
            return hit if op == "equals" else ~hit & values.notna()
        if op in {"one_of", "not_one_of"}:
            texts = {str(w) for w in want}
            hit = values.astype("string").isin(texts).fillna(False).astype(bool)
            return hit if op == "one_of" else ~hit & values.notna()
        text = values.astype("string").str
        if op == "contains":
            return text.contains(str(want), case=False, regex=False).fillna(False).astype(bool)
        if op == "starts_with":
            return text.startswith(str(want)).fillna(False).astype(bool)
        numbers = pd.to_numeric(values, errors="coerce")
        if op == "above":
            return (numbers > want).fillna(False).astype(bool)
        return (numbers < want).fillna(False).astype(bool)
