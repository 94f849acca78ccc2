"""Lesson text: numbers from the data written for people, and a tiny safe markup.

Trainers write plain text: blank lines start paragraphs, lines starting with '- ' make
a list, **bold** is bold. Everything else is escaped, so a lesson file cannot inject HTML.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from typing import Any

PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")
BOLD = re.compile(r"\*\*(.+?)\*\*")


class MissingValue(Exception):
    """Text names a query that has no value (e.g. a date the city does not record)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def placeholders(text: str | None) -> list[str]:
    """Query names used in braces in `text`."""
    return PLACEHOLDER.findall(text or "")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return str(value) in {"NaT", "nan", "<NA>"}


def format_value(value: Any, fmt: str | None = None) -> str:
    """A value as a person reads it: 1,234 · 3.5 · 12% · April 3, 2018 · April 2018."""
    if _is_missing(value):
        raise MissingValue("")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime | dt.date):
        if fmt == "month":
            return f"{value:%B} {value.year}"
        if fmt == "year":
            return str(value.year)
        return f"{value:%B} {value.day}, {value.year}"
    if isinstance(value, int | float):
        if fmt == "percent":
            if 0 < abs(value) < 0.005:
                return "less than 1%"
            return f"{value * 100:.0f}%"
        if fmt == "year":
            return str(int(value))
        if fmt == "decimal":
            return f"{value:,.1f}"
        if isinstance(value, int) or float(value).is_integer():
            return f"{round(value):,}"
        return f"{value:,.1f}"
    return str(value)


def fill(text: str, values: dict[str, str]) -> str:
    """Put formatted values into {name} placeholders; a name without a value raises MissingValue."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise MissingValue(name)
        return values[name]

    return PLACEHOLDER.sub(one, text)


def _inline(text: str) -> str:
    return BOLD.sub(r"<strong>\1</strong>", html.escape(text, quote=False))


def to_html(text: str | None) -> str:
    """Paragraphs, '- ' lists and **bold**; everything else escaped."""
    if not text:
        return ""
    out = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.rstrip() for line in block.strip().splitlines()]
        if all(line.lstrip().startswith("- ") for line in lines):
            items = "".join(f"<li>{_inline(line.lstrip()[2:])}</li>" for line in lines)
            out.append(f"<ul>{items}</ul>")
        else:
            out.append(f"<p>{_inline(' '.join(line.strip() for line in lines))}</p>")
    return "".join(out)


def to_plain(text: str | None) -> str:
    """The words only (for reading-level checks and screen-reader labels)."""
    if not text:
        return ""
    words = BOLD.sub(r"\1", text)
    return re.sub(r"^\s*- ", "", words, flags=re.MULTILINE)
