"""Everything a lesson notebook imports, in one place.

In a lesson::

    from academy.lesson import figure, glue, html_table, table
    requests = table("service_requests")        # the active city's canonical table
    figure(chart, alt="Bar chart: requests per agency; Solid Waste has the most.")
    glue("total", len(requests), display=False)  # then {glue:text}`total` in the prose

What the city's data holds (`city()`, `records("channel")`, `not_recorded("due_at")`,
`statuses(requests)`) and how to write numbers (`academy.lesson.formatting`) are here
too, so a lesson never assumes a field, a count or a name.

Names are imported on first use, so `import academy.lesson` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from academy.core.lazy import lazy_exports

#: The words for numbers, counts, shares, times and lists (academy.lesson.formatting).
FORMATTING = (
    "cell count count_words day duration listing month noun number percent span top when".split()
)

_EXPORTS = {
    "table": "academy.data.canonical",
    "raw": "academy.data.published",
    "figure": "academy.lesson.figures",
    "html_table": "academy.lesson.tables",
    "Practice": "academy.lesson.practice",
    "glue": "myst_nb",
    "city": "academy.lesson.citydata",
    "records": "academy.lesson.citydata",
    "not_recorded": "academy.lesson.citydata",
    "source": "academy.lesson.citydata",
    "published_column": "academy.lesson.citydata",
    "bounds": "academy.lesson.citydata",
    "statuses": "academy.lesson.citydata",
    "counted_for_rates": "academy.lesson.citydata",
}
_EXPORTS.update(dict.fromkeys(FORMATTING, "academy.lesson.formatting"))

__all__ = [
    "Practice",
    "bounds",
    "cell",
    "city",
    "count",
    "count_words",
    "counted_for_rates",
    "day",
    "duration",
    "figure",
    "glue",
    "html_table",
    "listing",
    "month",
    "not_recorded",
    "noun",
    "number",
    "percent",
    "published_column",
    "raw",
    "records",
    "source",
    "span",
    "statuses",
    "table",
    "top",
    "when",
]

if TYPE_CHECKING:
    from myst_nb import glue

    from academy.data.canonical import table
    from academy.data.published import raw
    from academy.lesson.citydata import (
        bounds,
        city,
        counted_for_rates,
        not_recorded,
        published_column,
        records,
        source,
        statuses,
    )
    from academy.lesson.figures import figure
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
    from academy.lesson.practice import Practice
    from academy.lesson.tables import html_table


__getattr__ = lazy_exports(__name__, _EXPORTS)
