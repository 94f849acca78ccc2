"""Numbers, counts, dates, times and lists written for people, the same way on every page.

Counts know their plural ("1 kind", "3 kinds"), percentages never say "0%" for a share
that is not zero, rankings never promise "the ten most common" of three, and a length of
time reads as a manager would say it ("6 hours", "1.4 days"). Every lesson and
click-through text that writes a number from the data uses these::

    number(12345)                    # '12,345'   number(2.0, digits=1) -> '2.0'
    percent(38, 100)                 # '38%'      percent(0.004) -> 'less than 1%'
    count(1, "request")              # '1 request'; count(3, "request") -> '3 requests'
    duration(0.25)                   # '6 hours'; duration(1.42) -> '1.4 days'
    day(first)                       # 'April 12, 2018'; span(first, last) for a range
    listing(["Roads", "Parks", "Water"])   # 'Roads, Parks and Water'

The time helpers never print 'nan' or 'NaT' for a missing value: they raise ValueError
unless given `missing=` (the words the page shows instead), so a city whose data lacks
the value fails the build at that cell rather than showing nonsense.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any

from academy.core.defaults import BLANK

HOURS_PER_DAY = 24
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number(n: float, digits: int | None = None) -> str:
    """1,234 · 3.5 · 12: whole numbers without a point, others to one place; `digits`
    fixes the places: number(2, digits=1) -> '2.0'."""
    if digits is not None:
        return f"{n:,.{digits}f}"
    if float(n).is_integer():
        return f"{int(n):,}"
    return f"{n:,.1f}"


def noun(n: float, one: str, many: str | None = None) -> str:
    """The word that goes with `n`: noun(1, 'request') -> 'request', noun(2, 'request') ->
    'requests'; irregular words give `many`: noun(n, 'is', 'are'), noun(n, 'person',
    'people')."""
    return one if n == 1 else (many or one + "s")


def count(n: int, one: str, many: str | None = None) -> str:
    """'1 kind', '3 kinds', '1,204 requests' (`many` defaults to `one` + 's')."""
    return f"{n:,} {noun(n, one, many)}"


def count_words(n: int, one: str, many: str | None = None) -> str:
    """'one kind', 'three kinds', '12 kinds': small counts in words, as in running text."""
    word = NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else f"{n:,}"
    return f"{word} {noun(n, one, many)}"


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


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA (and nothing else)."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN and NaT are the values not equal to themselves
    except TypeError:  # pandas' NA has no truth value
        return True


def _absent(function: str, missing: str | None) -> str:
    if missing is None:
        raise ValueError(
            f"{function}(): the value is missing; pass missing='...' with the words the page "
            "should show instead (e.g. missing='not recorded')"
        )
    return missing


def duration(days: float, *, missing: str | None = None) -> str:
    """A length of time given in days, as a manager would say it: 'under an hour',
    '1 hour', '6 hours', '1.4 days', '27 days', '1,204 days'."""
    if is_missing(days):
        return _absent("duration", missing)
    if days < 0 or math.isinf(days):
        raise ValueError(f"duration(): {days} days is not a length of time")
    hours = days * HOURS_PER_DAY
    if hours < 1:
        return "under an hour"
    if round(hours) < HOURS_PER_DAY:
        return count(round(hours), "hour")
    return f"{days:.1f} days" if days < 10 else f"{days:,.0f} days"


def when(moment: dt.datetime, *, missing: str | None = None) -> str:
    """A date and time as people say it: 'April 20, 2018, 6:25 AM'."""
    if is_missing(moment):
        return _absent("when", missing)
    hour = moment.hour % 12 or 12
    return f"{day(moment)}, {hour}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"


def month(moment: dt.date, *, missing: str | None = None) -> str:
    """A month and its year: 'April 2018'."""
    if is_missing(moment):
        return _absent("month", missing)
    return f"{moment:%B} {moment.year}"


def span(first: dt.date, last: dt.date, *, missing: str | None = None) -> str:
    """The days from `first` to `last`, never saying a year or a month twice: 'April 12,
    2018', 'April 12 to 30, 2018', 'April 12 to May 3, 2018', 'December 30, 2017 to
    January 2, 2018'."""
    if is_missing(first) or is_missing(last):
        return _absent("span", missing)
    a, b = _date(first), _date(last)
    if a == b:
        return day(a)
    if a.year != b.year:
        return f"{day(a)} to {day(b)}"
    if a.month != b.month:
        return f"{a:%B} {a.day} to {b:%B} {b.day}, {b.year}"
    return f"{a:%B} {a.day} to {b.day}, {b.year}"


def _date(moment: dt.date) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def cell(value: Any, digits: int = 2) -> str:
    """A table cell as a learner should see it: a blank says '(blank)', a time reads as a
    time ('April 20, 2018, 6:25 AM'), a decimal shows `digits` places; text and whole
    numbers (ids, codes) as they are."""
    if is_missing(value):
        return BLANK
    if isinstance(value, dt.datetime):
        return when(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


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
