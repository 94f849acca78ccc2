"""academy.lesson.formatting: the words lessons use for numbers, counts, shares, time and lists."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from academy import lesson
from academy.lesson import FORMATTING, formatting
from academy.lesson.formatting import (
    cell,
    count,
    count_words,
    day,
    duration,
    listing,
    month,
    noun,
    number,
    percent,
    span,
    top,
    when,
)

MISSING = [None, float("nan"), np.nan, pd.NA, pd.NaT]


def test_every_helper_is_exported_from_academy_lesson() -> None:
    for name in FORMATTING:
        assert getattr(lesson, name) is getattr(formatting, name)
        assert name in lesson.__all__


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (12345, None, "12,345"),
        (3.5, None, "3.5"),
        (12.0, None, "12"),
        (np.int64(1204), None, "1,204"),
        (2, 1, "2.0"),
        (1234.567, 2, "1,234.57"),
        (0.25, 0, "0"),
    ],
)
def test_number(value, digits, text) -> None:
    assert number(value, digits) == text


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((0.375,), "38%"),
        ((38, 100), "38%"),
        ((1, 3, 1), "33.3%"),
        ((0.004,), "less than 1%"),  # a rare problem is never 'none at all'
        ((0.9996,), "more than 99%"),
        ((1.0,), "100%"),
        ((0.0,), "0%"),
        ((1, 2000, 1), "less than 0.1%"),
        ((3, 0), "no share (nothing to count)"),
    ],
)
def test_percent(args, text) -> None:
    assert percent(*args) == text


def test_counts_know_their_plural() -> None:
    assert count(1, "request") == "1 request"
    assert count(0, "request") == "0 requests"
    assert count(1204, "request") == "1,204 requests"
    assert count(2, "kind of request", "kinds of request") == "2 kinds of request"
    assert noun(1, "is", "are") == "is" and noun(3, "is", "are") == "are"
    assert noun(2, "person", "people") == "people"
    assert count_words(3, "kind") == "three kinds"
    assert count_words(1, "row") == "one row"
    assert count_words(12, "kind") == "12 kinds"


def test_rankings_never_promise_more_than_there_is() -> None:
    assert top(10, 75, "kind") == "the 10 most common kinds"
    assert top(10, 3, "kind") == "all 3 kinds"
    assert top(10, 2, "kind") == "both kinds"
    assert top(10, 1, "kind") == "the only kind"
    assert top(5, 9, "team", adjective="busiest") == "the 5 busiest teams"


def test_listing() -> None:
    assert listing([]) == ""
    assert listing(["Roads"]) == "Roads"
    assert listing(["Roads", "Parks"]) == "Roads and Parks"
    assert listing(["Roads", "Parks", "Water"]) == "Roads, Parks and Water"
    assert listing(["phone", "web"], "or") == "phone or web"


@pytest.mark.parametrize(
    ("days", "text"),
    [
        (0.0, "under an hour"),
        (0.02, "under an hour"),
        (1 / 24, "1 hour"),
        (0.25, "6 hours"),
        (23.4 / 24, "23 hours"),
        (23.6 / 24, "1.0 days"),  # 24 hours reads as a day, not '24 hours'
        (1.42, "1.4 days"),
        (9.94, "9.9 days"),
        (27.4, "27 days"),
        (1204.2, "1,204 days"),
        (np.float64(2.5), "2.5 days"),
    ],
)
def test_duration(days, text) -> None:
    assert duration(days) == text


def test_duration_refuses_what_is_not_a_length_of_time() -> None:
    for bad in (-1.0, float("inf")):
        with pytest.raises(ValueError, match="not a length of time"):
            duration(bad)


@pytest.mark.parametrize("value", MISSING)
def test_time_helpers_never_print_nan(value) -> None:
    for function in (duration, when, month):
        with pytest.raises(ValueError, match="missing="):
            function(value)
        assert function(value, missing="not recorded") == "not recorded"
    with pytest.raises(ValueError, match="missing="):
        span(value, pd.Timestamp("2018-04-12"))
    assert span(pd.Timestamp("2018-04-12"), value, missing="no dates") == "no dates"
    assert cell(value) == "(blank)"


def test_dates_and_times() -> None:
    moment = pd.Timestamp("2018-04-20 06:25:00")
    assert day(moment) == "April 20, 2018"
    assert day(date(2018, 4, 2)) == "April 2, 2018"
    assert when(moment) == "April 20, 2018, 6:25 AM"
    assert when(pd.Timestamp("2018-04-20 00:05")) == "April 20, 2018, 12:05 AM"
    assert when(pd.Timestamp("2018-04-20 12:30")) == "April 20, 2018, 12:30 PM"
    assert when(datetime(2018, 4, 20, 18, 0)) == "April 20, 2018, 6:00 PM"
    assert month(moment) == "April 2018"


@pytest.mark.parametrize(
    ("first", "last", "text"),
    [
        ("2018-04-12 08:00", "2018-04-12 17:00", "April 12, 2018"),
        ("2018-04-12", "2018-04-30", "April 12 to 30, 2018"),
        ("2018-04-12", "2018-05-03", "April 12 to May 3, 2018"),
        ("2017-12-30", "2018-01-02", "December 30, 2017 to January 2, 2018"),
    ],
)
def test_span_never_says_a_year_or_month_twice(first, last, text) -> None:
    assert span(pd.Timestamp(first), pd.Timestamp(last)) == text
    assert span(pd.Timestamp(first).date(), pd.Timestamp(last).date()) == text


def test_cell() -> None:
    assert cell(pd.Timestamp("2018-04-20 06:25")) == "April 20, 2018, 6:25 AM"
    assert cell(39.29044) == "39.29"
    assert cell(39.29044, digits=4) == "39.2904"
    assert cell("Pothole") == "Pothole"
    assert cell(40123) == "40123"  # ids and codes as they are, no thousands separator
