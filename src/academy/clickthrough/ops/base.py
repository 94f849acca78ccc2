"""What every query operation is.

An operation is one item of a query's `steps:`, written as one key (its name) and its
settings: `- count_by: {column: request_type}`. Its class is the model of that YAML and
also says, in one place:

* `columns_after`: the columns that come out, given the columns that go in, and every
  problem with the settings (a column that is not there), found without reading data;
* `apply`: what it does to a pandas frame of rows;
* `gives_value`: whether it turns the rows into one value (a count, a median ...), which
  must then be the query's last step;
* its documentation: the class docstring and the field's description (the reference
  page is built from them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from academy.core.strict import Strict

Loc = tuple[str | int, ...]
Value = Any  # str, int, float, bool, pandas.Timestamp or None


@dataclass
class Problem:
    """A problem found without data, at a place in the lesson file."""

    loc: Loc
    message: str


@dataclass
class ShapeCheck:
    """The columns that reach one operation, where it is written, and the problems so far."""

    columns: list[str]
    loc: Loc
    problems: list[Problem] = field(default_factory=list)
    asked: set[str] = field(default_factory=set)
    """Every column the operation reads (so a step can say which fields it needs)."""

    def need(self, column: str, *where: str | int) -> None:
        """Report `column` (set at `where` inside the operation) when the rows lack it."""
        self.asked.add(column)
        if column not in self.columns:
            shown = ", ".join(self.columns[:30]) or "none"
            self.problems.append(
                Problem((*self.loc, *where), f"no column '{column}' here; the columns are: {shown}")
            )

    def need_each(self, columns: list[str], *where: str | int) -> None:
        """`need` for a list of columns, each located by its place in the list."""
        for i, column in enumerate(columns):
            self.need(column, *where, i)


class Operation(Strict):
    """Base of every query operation: a model with exactly one key, the operation's name."""

    name: ClassVar[str] = ""
    gives_value: ClassVar[bool] = False

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        keys = list(cls.model_fields)
        if len(keys) > 1:
            raise TypeError(f"{cls.__name__}: an operation has exactly one key, not {keys}")
        if keys:  # a class without its key is a shared base, e.g. of the single-value ones
            cls.name = keys[0]

    @property
    def spec(self) -> Any:
        """The operation's settings: the value under its key."""
        return getattr(self, self.name)

    def columns_after(self, check: ShapeCheck) -> list[str]:
        """The columns after this operation; problems go to `check` (pure, no data)."""
        return check.columns

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame | Value:
        """The operation on rows (pure: `frame` is not changed)."""
        raise NotImplementedError

    def run(self, frame: pd.DataFrame) -> pd.DataFrame | Value:
        """`apply`, with rows numbered from 0 again."""
        out = self.apply(frame)
        return out if self.gives_value else out.reset_index(drop=True)


def plain(value: Any) -> Value:
    """A value from a frame as plain Python (None for missing, numpy numbers as int/float)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value
