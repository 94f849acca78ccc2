"""Quality standards measured on a canonical service-requests table (academy.lesson.standards):
each standard counts the rows it applies to and those that meet it, and one whose columns the
city does not publish says it cannot be checked instead of passing."""

from __future__ import annotations

import pandas as pd

from academy.lesson.standards import measure_standards

ALL_COLUMNS = {
    "request_type",
    "latitude",
    "longitude",
    "neighborhood",
    "council_district",
    "closed_at",
    "created_at",
    "status",
    "published_rows",
}


def _requests() -> pd.DataFrame:
    made = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"])
    return pd.DataFrame(
        {
            "request_type": ["Pothole", None, "Graffiti", "Pothole"],
            "latitude": [39.3, 39.3, None, 39.2],
            "longitude": [-76.6, -76.6, None, -76.5],
            "neighborhood": ["Canton", None, None, "Hampden"],
            "council_district": [1, 2, None, None],
            "status": ["closed", "closed", "closed", "open"],
            "created_at": made,
            # closed a day later; closed before it was made; closed with no date; still open
            "closed_at": [
                made[0] + pd.Timedelta(days=1),
                made[1] - pd.Timedelta(days=1),
                pd.NaT,
                pd.NaT,
            ],
            "published_rows": [1, 2, 1, 1],
        }
    )


def _by_id(results):
    return {r.standard.id: r for r in results}


def test_each_standard_counts_its_rows_and_those_that_meet_it() -> None:
    found = _by_id(measure_standards(_requests(), ALL_COLUMNS))
    assert (found["has-type"].rows, found["has-type"].meeting) == (4, 3)
    assert (found["on-the-map"].rows, found["on-the-map"].meeting) == (4, 3)
    assert (found["in-an-area"].rows, found["in-an-area"].meeting) == (4, 3)  # either column
    assert (found["closed-has-date"].rows, found["closed-has-date"].meeting) == (3, 2)
    assert (found["dates-in-order"].rows, found["dates-in-order"].meeting) == (2, 1)
    assert (found["published-once"].rows, found["published-once"].meeting) == (4, 3)
    assert found["on-the-map"].share == 0.75 and found["on-the-map"].met is False
    assert all(r.met is False for r in found.values())


def test_standards_met_when_every_row_meets_them() -> None:
    clean = _requests().iloc[[0]]
    assert all(r.met is True for r in measure_standards(clean, ALL_COLUMNS))


def test_a_column_the_city_does_not_publish_cannot_be_checked() -> None:
    published = ALL_COLUMNS - {"closed_at", "neighborhood", "council_district"}
    found = _by_id(measure_standards(_requests(), published))
    for standard in ("closed-has-date", "dates-in-order", "in-an-area"):
        assert found[standard].missing_columns, standard
        assert found[standard].share is None and found[standard].met is None
    assert found["on-the-map"].met is False  # the others are still measured


def test_an_unpublished_area_column_is_not_counted_even_if_present() -> None:
    frame = _requests().assign(neighborhood=["A", "B", "C", "D"])
    found = _by_id(measure_standards(frame, ALL_COLUMNS - {"neighborhood"}))
    assert found["in-an-area"].meeting == 2  # council_district only


def test_no_row_of_the_kind_is_not_a_pass() -> None:
    still_open = _requests().assign(status="open")
    found = _by_id(measure_standards(still_open, ALL_COLUMNS))
    assert found["closed-has-date"].rows == 0 and found["closed-has-date"].met is None
