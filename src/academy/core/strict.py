"""The base of every model of a file people write."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Base for every model of a file people write: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class Frozen(Strict):
    """A strict model whose values never change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)
