"""Deterministic pseudonyms for people's names in learner-facing tables.

The salary files name every city employee. They are public records, but lessons
that are not about public records show a stable code instead: the same name
gives the same code in every run and in every file that shares the salt (so FY2018
and FY2019 rows of one person still match). This is pseudonymisation, not
anonymisation: anyone holding the published file and the salt can recompute it.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_SALT = "city-data-academy"
CODE_LENGTH = 8  # hex digits: about 4 billion codes, so clashes in a city payroll are rare


def pseudonym(name: str, prefix: str = "Employee", salt: str = DEFAULT_SALT) -> str:
    """Stable code for a name, e.g. 'Employee 4F2A9C1B'; spacing and case do not matter."""
    key = " ".join(name.split()).casefold()
    digest = hmac.new(salt.encode(), key.encode(), hashlib.sha256).hexdigest()
    return f"{prefix} {digest[:CODE_LENGTH].upper()}"


def pseudonymise_columns(
    frame: pd.DataFrame, columns: list[str], prefix: str = "Employee", salt: str = DEFAULT_SALT
) -> pd.DataFrame:
    """A copy of `frame` with each listed column's names replaced by pseudonyms (missing stays missing)."""
    out = frame.copy()
    for column in columns:
        if column in out.columns:
            values = out[column]
            codes = {v: pseudonym(v, prefix, salt) for v in values.dropna().unique()}
            out[column] = values.map(codes).astype("str")
    return out
