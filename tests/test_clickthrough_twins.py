"""`mark_twins`: requests that are likely one problem reported twice, on hand-made rows
(each rule) and on every city's real 311 table (the pair the duplicates lesson shows)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pyproj import Geod

from academy.clickthrough.build import data_loader
from academy.clickthrough.ops.twins import MarkTwinsOp

REPO = Path(__file__).resolve().parents[1]
CITIES = ["baltimore", "pittsburgh", "los-angeles", "chicago"]
HALL = (39.2909, -76.6108)  # an office point: rows on many days


def _op(**settings) -> MarkTwinsOp:
    spec = {"same": ["kind"], "time": "at", "into": "twin", **settings}
    return MarkTwinsOp.model_validate({"mark_twins": spec})


def _twins(op: MarkTwinsOp, frame: pd.DataFrame) -> list[int | None]:
    return [None if pd.isna(x) else int(x) for x in op.run(frame)["twin"]]


def _rows(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["kind", "at", "latitude", "longitude", "dup"])
    frame["at"] = pd.to_datetime(frame["at"])
    return frame


def test_each_rule() -> None:
    frame = _rows(
        [
            ("pothole", "2020-01-01 08:00", 39.30000, -76.61000, False),  # 0 twin of 1 (20 m, 3 h)
            ("pothole", "2020-01-01 11:00", 39.30018, -76.61000, False),  # 1
            ("pothole", "2020-01-01 08:03", 39.30500, -76.61000, False),  # 2 far away (556 m)
            ("light", "2020-01-01 09:00", 39.30000, -76.61000, False),  # 3 another kind
            ("trash", "2020-01-02 10:00", 39.31000, -76.60000, False),  # 4 same second as 5
            ("trash", "2020-01-02 10:00", 39.31000, -76.60000, False),  # 5
            ("trash", "2020-01-05 10:00", 39.31000, -76.60000, False),  # 6 3 days after 4
            ("refund", "2020-01-06 09:00", *HALL, False),  # 7..10 office point, 4 days
            ("refund", "2020-01-06 09:30", *HALL, False),
            ("refund", "2020-01-07 09:00", *HALL, False),
            ("refund", "2020-01-08 09:00", *HALL, False),
            ("refund", "2020-01-09 09:00", *HALL, False),
            ("sign", "2020-01-03 08:00", 39.32000, -76.62000, True),  # 12 marked by the city
            ("sign", "2020-01-04 20:00", 39.32010, -76.62010, False),  # 13 (36 h later)
            ("sign", None, 39.32000, -76.62000, False),  # 14 no time
        ]
    )
    got = _twins(_op(marked="dup"), frame)
    assert got[:12] == [2, 2] + [None] * 10
    assert got[12:] == [1, 1, None]  # the city's mark comes first, even 36 h apart
    unmarked = _twins(_op(), frame)
    assert unmarked[:2] == [1, 1] and unmarked[12:14] == [2, 2]  # 3 h apart before 36 h
    assert _twins(_op(hours=2), frame)[:2] == [None, None]
    assert _twins(_op(metres=600), frame)[:3] == [1, 2, 1]  # 0 and 2: 3 minutes apart
    office = _twins(_op(busy_days=4), frame)
    assert office[7:9] == [1, 1]  # 30 minutes apart, once the point counts as a place


@pytest.mark.parametrize("city", CITIES)
def test_the_lessons_pair_is_real_for_every_city(city: str) -> None:
    table = data_loader(REPO, city)("service_requests")
    op = _op(same=["request_type"], time="created_at", marked="duplicate")
    marked = op.run(table)
    pair = marked[marked["twin"] == 1]
    assert len(pair) == 2, city
    a, b = pair.to_dict("records")
    assert a["request_type"] == b["request_type"]
    _, _, apart = Geod(ellps="WGS84").inv(
        a["longitude"], a["latitude"], b["longitude"], b["latitude"]
    )
    hours = abs((a["created_at"] - b["created_at"]).total_seconds()) / 3600
    assert apart <= 50 and 0 < hours <= 48, (city, apart, hours)
    days = table[(table.latitude == a["latitude"]) & (table.longitude == a["longitude"])]
    assert days["created_at"].dt.normalize().nunique() <= 3, f"{city}: an office point"
    if table["duplicate"].fillna(False).astype(bool).any():
        assert a["duplicate"] is True or b["duplicate"] is True, f"{city}: the city's own mark"
