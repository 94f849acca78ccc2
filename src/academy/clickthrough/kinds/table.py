"""`kind: table`: rows of real data to look at."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from academy.clickthrough.kinds.base import StepKind
from academy.clickthrough.parts import TableSpec


class TableStep(StepKind):
    """Rows of real data to look at, with some rows marked; the learner presses Next."""

    kind: Literal["table"] = Field(description="table")
    table: TableSpec = Field(description="The rows to show.")
