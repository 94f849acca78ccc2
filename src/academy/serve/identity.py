"""Who the learner is, once per device: a roster id (any case), a name picked from the
cohort's roster, or — without a cohort — a typed name or staff id.

Pure functions and plain data; the sign-in pages (`academy.serve.sign_in`) keep the
result in a signed cookie and hand it to every lesson's kernel as `ACADEMY_LEARNER`
(JSON, `academy.clickthrough.learner`), which the lesson runner reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from academy.clickthrough.learner import LEARNER_ENV, Identity
from academy.core.names import fold

__all__ = ["LEARNER_ENV", "Identity", "NotRecognised", "RosterEntry", "identify", "pick"]
TYPED_RE = re.compile(r"^[\w .@'-]{1,80}$")


@dataclass(frozen=True)
class RosterEntry:
    """One learner of the cohort being served."""

    id: str
    name: str


def _tidy(text: str) -> str:
    return " ".join(text.split())


class NotRecognised(ValueError):
    """What the learner typed matches nobody; the message says what to do."""


def identify(text: str, roster: tuple[RosterEntry, ...]) -> Identity:
    """The learner `text` names: a roster id or roster name in any case (with a roster),
    or a typed name or staff id (without one). Raises NotRecognised."""
    typed = _tidy(text)
    if not typed:
        raise NotRecognised("Please type your staff ID first.")
    if roster:
        key = fold(typed)
        for entry in roster:
            if fold(entry.id) == key or fold(entry.name) == key:
                return Identity(entry.id, entry.name, entry.id, "roster")
        raise NotRecognised(
            f"We could not find “{typed}” in this class. Check your staff ID, "
            "or pick your name from the list."
        )
    if not TYPED_RE.match(typed):
        raise NotRecognised("Please use letters, numbers, spaces, dots or dashes only.")
    return Identity(fold(typed), typed, None, "typed")


def pick(roster_id: str, roster: tuple[RosterEntry, ...]) -> Identity:
    """The learner who picked their name from the roster list."""
    for entry in roster:
        if entry.id == roster_id:
            return Identity(entry.id, entry.name, entry.id, "roster")
    raise NotRecognised("That name is not in this class any more. Please pick again.")


def safe_next(target: str | None, default: str = "/") -> str:
    """Where to go after signing in: only a path on this site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
