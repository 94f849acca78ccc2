"""Numbers, counts, dates and lists written for people, the same way on every page.

Counts know their plural ("1 kind", "3 kinds"), percentages never say "0%" for a share
that is not zero, and rankings never promise "the ten most common" of three. Every
lesson and click-through text that writes a number from the data uses these.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number(n: float) -> str:
    """1,234 · 3.5 · 12."""
    if float(n).is_integer():
        return f"{int(n):,}"
    return f"{n:,.1f}"


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 kind', '3 kinds', '1,204 requests' (`many` defaults to `one` + 's')."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def count_words(n: int, one: str, many: str | None = None) -> str:
    """'one kind', 'three kinds', '12 kinds': small counts in words, as in running text."""
    word = NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"
    return f"{word} {one if n == 1 else (many or one + 's')}"


def percent(part: float, whole: float | None = None, digits: int = 0) -> str:
    """A share as a percentage: '12%'; 'less than 1%' for a small share that is not zero,
    'more than 99%' for one just short of all. With `whole`, `part` is a count."""
    share = part if whole is None else (part / whole if whole else math.nan)
    if math.isnan(share):
        return "no share (nothing to count)"
    value = share * 100
    small = 10 ** (-digits)
    if 0 < value < small:
        return f"less than {small:g}%"
    if 100 - small < value < 100:
        return f"more than {100 - small:g}%"
    return f"{value:.{digits}f}%"


def day(moment: dt.date) -> str:
    """'April 12, 2018'."""
    return f"{moment:%B} {moment.day}, {moment.year}"


def first_sentence(text: str) -> str:
    """The first sentence of a catalogue entry's text, to quote it on a page."""
    match = re.match(r"(.+?[.!?])(\s|$)", text.strip())
    return match.group(1) if match else text.strip()


def listing(items: Iterable[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    shown = list(items)
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + f" {conjunction} " + shown[-1]


def top(
    wanted: int, available: int, one: str, many: str | None = None, adjective: str = "most common"
) -> str:
    """How to name a ranking that may hold fewer groups than asked for.

    top(10, 75, 'kind') -> 'the 10 most common kinds'; top(10, 3, 'kind') -> 'all 3 kinds';
    top(10, 2, ...) -> 'both kinds'; top(10, 1, ...) -> 'the only kind'.
    """
    plural = many or one + "s"
    if available <= 1:
        return f"the only {one}"
    if available <= wanted:
        return f"both {plural}" if available == 2 else f"all {available:,} {plural}"
    return f"the {wanted:,} {adjective} {plural}"
