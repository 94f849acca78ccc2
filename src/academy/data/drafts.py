"""Drafts written by `academy data init`: every proposal carries a "to confirm" mark.

A proposal is marked by a `to_confirm` key beside it, holding why it was proposed and
what to check, e.g.::

    "request_id": {"column": "sr_number", "to_confirm": "unique in every row; ..."}

The team checks the proposal, edits it if needed, and deletes the `to_confirm` line.
Until every mark is gone the file is a draft: `academy validate` reports each mark as
`draft-unconfirmed` at its line, and no lesson reads the dataset.
"""

from __future__ import annotations

from typing import Any

CONFIRM_KEY = "to_confirm"

Loc = tuple[str | int, ...]


def strip_marks(data: Any, loc: Loc = ()) -> tuple[Any, list[tuple[Loc, str]]]:
    """The data without its `to_confirm` keys, and (location, text) of each mark.

    A mapping left holding only `column` once its mark is gone becomes that column's
    name, so a confirmed mapping reads like one written by hand.
    """
    marks: list[tuple[Loc, str]] = []
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            if key == CONFIRM_KEY:
                marks.append(((*loc, key), str(value)))
                continue
            out[key], inner = strip_marks(value, (*loc, key))
            marks += inner
        if marks and set(out) == {"column"} and isinstance(out["column"], str):
            return out["column"], marks
        return out, marks
    if isinstance(data, list):
        items = []
        for index, value in enumerate(data):
            item, inner = strip_marks(value, (*loc, index))
            items.append(item)
            marks += inner
        return items, marks
    return data, marks


def mark_message(loc: Loc, text: str) -> str:
    """The finding for one mark: what was proposed, why, and how to confirm it."""
    where = ".".join(str(part) for part in loc[:-1]) or "this file"
    return (
        f"{where} is a proposal of `academy data init` waiting for your check: {text} "
        f"Confirm or correct it, then delete this {CONFIRM_KEY!r} line"
    )
