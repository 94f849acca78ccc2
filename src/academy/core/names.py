"""How people match names and ids by eye (one rule for rosters, sign-in and reports)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """A name or id as people match it: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())
