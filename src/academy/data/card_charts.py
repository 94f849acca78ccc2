"""The one chart on a dataset's portal page, rendered to inline SVG at build time.

The chart is chosen in the datapackage (`resources[0].academy.chart`); its text
alternative is written from the same numbers the chart draws.
"""

from __future__ import annotations

import html

import altair as alt
import numpy as np
import pandas as pd

from academy.data.spec import ChartSpec

WIDTH = 480


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _top_values(spec: ChartSpec, frame: pd.DataFrame) -> tuple[alt.Chart, str]:
    counts = frame[spec.column].dropna().astype(str).str.strip().value_counts().head(spec.top)
    data = pd.DataFrame({"value": counts.index.tolist(), "rows": counts.to_numpy().tolist()})
    chart = (
        alt.Chart(data, title=spec.title, width=WIDTH)
        .mark_bar()
        .encode(
            x=alt.X("rows:Q", title="Rows"),
            y=alt.Y("value:N", sort="-x", title=spec.column),
            tooltip=["value", "rows"],
        )
    )
    listed = "; ".join(f"{v}: {_fmt(n)}" for v, n in zip(data["value"], data["rows"], strict=True))
    return chart, f"Bar chart, {spec.title}. {listed}."


def _histogram(spec: ChartSpec, frame: pd.DataFrame) -> tuple[alt.Chart, str]:
    values = pd.to_numeric(frame[spec.column], errors="coerce").dropna()
    counts, edges = np.histogram(values.to_numpy(dtype=float), bins=30)
    data = pd.DataFrame(
        {"start": edges[:-1].tolist(), "end": edges[1:].tolist(), "rows": counts.tolist()}
    )
    chart = (
        alt.Chart(data, title=spec.title, width=WIDTH)
        .mark_bar()
        .encode(
            x=alt.X("start:Q", title=spec.column),
            x2="end:Q",
            y=alt.Y("rows:Q", title="Rows"),
        )
    )
    text = (
        f"Histogram, {spec.title}. {_fmt(len(values))} values from {_fmt(values.min())} to "
        f"{_fmt(values.max())}; half are below {_fmt(values.median())}."
    )
    return chart, text


def _line(spec: ChartSpec, frame: pd.DataFrame) -> tuple[alt.Chart, str]:
    dates = pd.to_datetime(frame[spec.column].str.strip(), format=spec.date_format)
    values = pd.to_numeric(frame[spec.value].str.strip())
    data = pd.DataFrame({"date": dates, "value": values}).dropna().sort_values("date")
    chart = (
        alt.Chart(data, title=spec.title, width=WIDTH)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title=spec.column.strip()),
            y=alt.Y("value:Q", title=spec.value.strip(), scale=alt.Scale(zero=False)),
        )
    )
    first, last = data.iloc[0], data.iloc[-1]
    low, high = data.loc[data["value"].idxmin()], data.loc[data["value"].idxmax()]

    def at(row: pd.Series) -> str:
        return f"{_fmt(row['value'])} on {row['date']:%d %B %Y}"

    text = (
        f"Line chart, {spec.title}. It starts at {at(first)} and ends at {at(last)}; "
        f"lowest {at(low)}, highest {at(high)}."
    )
    return chart, text


def _missing(spec: ChartSpec, frame: pd.DataFrame) -> tuple[alt.Chart, str]:
    counts = frame.isna().sum()
    data = pd.DataFrame({"column": counts.index.tolist(), "empty": counts.to_numpy().tolist()})
    chart = (
        alt.Chart(data, title=spec.title, width=WIDTH)
        .mark_bar()
        .encode(
            x=alt.X("empty:Q", title="Empty cells"),
            y=alt.Y("column:N", sort=None, title="Column"),
        )
    )
    worst = data.sort_values("empty", ascending=False).head(5)
    listed = "; ".join(
        f"{c}: {_fmt(n)}" for c, n in zip(worst["column"], worst["empty"], strict=True)
    )
    return chart, f"Bar chart, {spec.title}. Most empty: {listed}."


BUILDERS = {"top_values": _top_values, "histogram": _histogram, "line": _line, "missing": _missing}


def dataset_chart(spec: ChartSpec, frame: pd.DataFrame) -> tuple[alt.Chart, str]:
    """The chart and its text alternative for a dataset's text table."""
    return BUILDERS[spec.kind](spec, frame)


def chart_figure(spec: ChartSpec, frame: pd.DataFrame) -> str:
    """An HTML <figure> with the chart as inline SVG (no script, no remote data) and a caption."""
    from academy.core.svg import chart_svg

    chart, alt_text = dataset_chart(spec, frame)
    svg = chart_svg(chart, alt_text)
    return (
        f'<figure class="academy-chart">\n{svg}\n'
        f"<figcaption>{html.escape(spec.title)}</figcaption>\n</figure>"
    )
