"""Helpers for lesson notebooks: charts that work offline and carry a text alternative.

In a lesson::

    from academy.notebook import figure, glue
    figure(chart, alt="Bar chart: requests per agency; Solid Waste has the most.")
"""

from __future__ import annotations

import html
from collections.abc import Callable

import altair as alt
import pandas as pd
from IPython.display import HTML
from myst_nb import glue

from academy.charts import chart_svg

__all__ = ["chart_svg", "figure", "glue", "html_table"]


def figure(chart: alt.TopLevelMixin, alt: str, caption: str | None = None) -> HTML:
    """Display a chart as an inline SVG figure: no JavaScript, no network."""
    body = chart_svg(chart, alt)
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return HTML(f'<figure class="academy-chart">{body}{cap}</figure>')


def html_table(frame: pd.DataFrame, caption: str, cell: Callable[[object], str] = str) -> HTML:
    """A plain, accessible table with a caption and column headers.

    Wide tables scroll sideways inside a labelled region keyboard users can focus.
    `cell` turns each value into the text shown (e.g. blanks as "(blank)").
    """
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    label = html.escape(caption, quote=True)
    return HTML(
        f'<div class="academy-table-wrap" role="region" tabindex="0" aria-label="{label}" '
        f'style="overflow-x: auto"><table class="academy-table">'
        f"<caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )
