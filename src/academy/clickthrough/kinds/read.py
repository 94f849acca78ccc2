"""`kind: read`: something to read."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from academy.clickthrough.kinds.base import StepKind


class ReadStep(StepKind):
    """Something to read (text, a picture or a chart); the learner presses Next."""

    kind: Literal["read"] = Field(description="read")
