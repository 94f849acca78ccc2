"""Who the learner in a lesson kernel is, as the lesson server hands it over.

`academy serve` signs the learner in once per device and starts each lesson's kernel with
`ACADEMY_LEARNER` set to this JSON; on JupyterHub the hub user is the learner (and their
roster id). Standard library only: the learner's kernel reads it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

LEARNER_ENV = "ACADEMY_LEARNER"
HUB_USER_ENV = "JUPYTERHUB_USER"


@dataclass(frozen=True)
class Identity:
    """The signed-in learner."""

    learner: str
    """What progress is recorded under: the roster id, or the typed name (case folded)."""
    name: str
    """What the pages call them."""
    roster_id: str | None
    identified_by: str
    """'hub' (the JupyterHub user), 'roster' (a roster id or a picked name) or 'typed'."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes | None) -> Identity | None:
        if not text:
            return None
        try:
            data = json.loads(text)
            return cls(
                learner=str(data["learner"]),
                name=str(data["name"]),
                roster_id=None if data.get("roster_id") is None else str(data["roster_id"]),
                identified_by=str(data["identified_by"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


def current_learner(environ: dict[str, str] | None = None) -> Identity | None:
    """The learner of this kernel: the hub user, else the one the lesson server signed in."""
    env = os.environ if environ is None else environ
    hub = " ".join(env.get(HUB_USER_ENV, "").split())
    if hub:
        return Identity(hub, hub, hub, "hub")
    return Identity.from_json(env.get(LEARNER_ENV))
