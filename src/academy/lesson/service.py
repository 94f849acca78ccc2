"""What the practitioner lessons compute from a city's service requests, one way for all.

Every supervisor's page asks the same few questions of the canonical `service_requests`
table: which requests were the city's work to finish, how long the closed ones took, which
period to count by for a stretch of data that may be five years or one day, and what the
file is. They are answered here so that every page counts the same way::

    from academy.lesson.service import dashboard_period, days_to_close, work_requests

    work, left_out = work_requests(requests)   # open or closed; cancelled/referred left out
    days = days_to_close(work)                 # closed requests only, in days
    period = dashboard_period(requests["created_at"])
    period.name, period.per                    # 'month', 'per month'
    period.label(moment)                       # 'February 2019'
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

#: The canonical statuses that are the city's own work: finished (closed) or not yet (open).
#: Cancelled and referred requests were withdrawn or handed on, so rates leave them out.
WORK_STATUSES = ("open", "closed")


def work_requests(requests: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """(the requests that are the city's work to finish: open or closed, the number left
    out because they were cancelled or referred elsewhere)."""
    keep = requests["status"].isin(WORK_STATUSES)
    return requests[keep], int((~keep).sum())


def days_to_close(requests: pd.DataFrame) -> pd.Series:
    """Days from made to closed (with fractions) for the closed requests that record both."""
    closed = requests[requests["status"].eq("closed")]
    days = (closed["closed_at"] - closed["created_at"]).dt.total_seconds() / 86_400
    return days[days.notna() & days.ge(0)]


def data_ends(requests: pd.DataFrame) -> pd.Timestamp:
    """The last moment this copy of the data records (a request made or closed)."""
    return pd.concat([requests["created_at"], requests["closed_at"]]).max()


def unit_column(requests: pd.DataFrame) -> tuple[str, str]:
    """(column, word) to split requests by team: the agency when the city publishes one and
    has at least two, else the kind of request ('request_type', 'kind of request')."""
    from academy.data.fields import published

    if published("agency") and requests["agency"].nunique() >= 2:
        return "agency", "agency"
    return "request_type", "kind of request"


def city_tables(city: str | None = None) -> set[str]:
    """The canonical tables the city (the active one when None) provides."""
    from academy.core.paths import find_root
    from academy.data.city import active_city
    from academy.data.inventory import read_inventory

    root = find_root()
    return set(read_inventory(root).tables(city or active_city(root)))


def source_title(table: str = "service_requests", city: str | None = None) -> str:
    """The title of the file a canonical table comes from, e.g. 'Baltimore 311 customer
    service requests (training sample, 2014–2019)': what a page should say it reads."""
    from academy.core.paths import find_root
    from academy.data.catalogue import primary_dataset
    from academy.data.city import active_city

    root = find_root()
    return primary_dataset(table, city or active_city(root), root).title


@dataclass(frozen=True)
class Period:
    """The period a report or dashboard counts by, chosen from how long the data runs."""

    name: str  # 'month', 'week', 'day' or 'hour'
    days: float  # about how many days one period lasts

    @property
    def per(self) -> str:
        """'per month'."""
        return f"per {self.name}"

    @property
    def one(self) -> str:
        """'a month', 'an hour'."""
        return f"an {self.name}" if self.name == "hour" else f"a {self.name}"

    def start(self, moments: pd.Series) -> pd.Series:
        """The start of the period each moment falls in (weeks start on Monday)."""
        if self.name == "hour":
            return moments.dt.floor("h")
        if self.name == "day":
            return moments.dt.floor("D")
        code = {"month": "M", "week": "W-SUN"}[self.name]
        return moments.dt.to_period(code).dt.start_time

    def following(self, start: pd.Timestamp) -> pd.Timestamp:
        """The start of the period after the one starting at `start`."""
        if self.name == "month":
            return start + pd.DateOffset(months=1)
        return start + pd.Timedelta(days=self.days)

    def covered(self, start: pd.Timestamp, until: pd.Timestamp) -> float:
        """How much of the period starting at `start` has passed at `until` (0 to 1)."""
        whole = (self.following(start) - start).total_seconds()
        return max(0.0, min(1.0, (until - start).total_seconds() / whole))

    def label(self, start: pd.Timestamp) -> str:
        """The period as words: 'February 2019', 'the week of October 29, 2018',
        'December 31, 2017', 'the hour from 4 PM on January 2, 2021'."""
        day = f"{start:%B} {start.day}, {start.year}"
        if self.name == "month":
            return f"{start:%B %Y}"
        if self.name == "week":
            return f"the week of {day}"
        if self.name == "day":
            return day
        return f"the hour from {start:%-I %p} on {day}"

    def when(self, start: pd.Timestamp) -> str:
        """For 'requests made ...': 'in February 2019', 'on December 31, 2017'."""
        return ("on " if self.name == "day" else "in ") + self.label(start)

    def short(self, start: pd.Timestamp) -> str:
        """An axis label: 'Feb 2019', 'Oct 29', '4 PM'."""
        if self.name == "month":
            return f"{start:%b %Y}"
        if self.name == "hour":
            return f"{start:%-I %p}"
        return f"{start:%b} {start.day}"


def last_full_period(period: Period, moments: pd.Series) -> pd.Timestamp | None:
    """The start of the last period the data covers whole: the last one if the data runs to
    its end, else the one before, unless that is the first and the data starts part-way
    through it. None when no period is whole."""
    starts = period.start(moments)
    first, last = starts.min(), starts.max()
    whole_first = period.covered(first, moments.min()) <= 0.02
    if period.covered(last, moments.max()) >= 0.98 and (last != first or whole_first):
        return last
    earlier = starts[starts < last]
    if earlier.empty:
        return None
    start = earlier.max()
    return start if start != first or whole_first else None


def dashboard_period(moments: pd.Series) -> Period:
    """The period to count by for data that runs from the first to the last of `moments`:
    months for four months or more, weeks for three weeks or more, days for three days or
    more, hours below that (a city whose copy covers a day or two)."""
    span = (moments.max() - moments.min()).total_seconds() / 86_400
    if span >= 120:
        return Period("month", 30.44)
    if span >= 21:
        return Period("week", 7.0)
    if span >= 3:
        return Period("day", 1.0)
    return Period("hour", 1 / 24)
