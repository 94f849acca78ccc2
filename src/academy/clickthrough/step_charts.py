"""Charts for click-through steps: drawn from a query's rows at build time, as inline SVG.

No JavaScript and no network: the learner's browser only shows a picture, labelled for
screen readers with the step's alt text. Every chart is drawn twice: for a wide screen
and re-laid out for a phone (narrower plot, shorter labels), so its text stays at least
11 px on a 360 px screen instead of shrinking; the page shows the one that fits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import altair as alt
import pandas as pd

from academy.clickthrough.parts import ChartSpec

INK = "#1d4f91"


@dataclass(frozen=True)
class Layout:
    """Sizes of one drawing of a chart."""

    width: int
    label_size: int
    title_size: int
    label_limit: int
    bar_row: int
    column_label_angle: int


WIDE = Layout(
    width=520, label_size=14, title_size=15, label_limit=260, bar_row=34, column_label_angle=0
)
NARROW = Layout(
    width=150, label_size=13, title_size=13, label_limit=110, bar_row=34, column_label_angle=-40
)


def misleading_start(values: pd.Series) -> float:
    """Where a number axis that does not start at zero starts: a round number a little
    below the smallest value, so small differences look big (as such charts do)."""
    low, high = float(values.min()), float(values.max())
    spread = high - low if high > low else max(abs(high), 1.0)
    step = 10 ** math.floor(math.log10(spread)) if spread > 0 else 1.0
    start = math.floor((low - spread * 0.1) / step) * step
    if low < 0:
        return start
    if start <= 0 < low:  # values far apart (691, 60, 53): start just below the smallest
        below = low * 0.8
        start = math.floor(below / 10 ** math.floor(math.log10(below))) * 10 ** math.floor(
            math.log10(below)
        )
    return max(0.0, start)


def build_chart(spec: ChartSpec, frame: pd.DataFrame, layout: Layout = WIDE) -> alt.Chart:
    """The altair chart a spec describes (pure)."""
    data = frame[[spec.x, spec.y]].dropna().copy()
    value = spec.x if spec.type == "bar" else spec.y
    if spec.axis_from_zero:
        quantity = alt.Scale(zero=True, nice=True)
    else:  # bars stack from zero unless told not to; the domain says where the axis starts
        high = float(data[value].max())
        quantity = alt.Scale(domain=[misleading_start(data[value]), high], zero=False, nice=False)
    if spec.type == "bar":
        x = alt.X(spec.x, type="quantitative", title=spec.x_title, scale=quantity, stack=None)
        y = alt.Y(
            spec.y,
            type="nominal",
            title=spec.y_title,
            sort="-x",
            axis=alt.Axis(labelLimit=layout.label_limit),
        )
        chart = alt.Chart(data).mark_bar(color=INK, clip=True).encode(x=x, y=y)
        height = max(120, layout.bar_row * len(data))
        width = layout.width
    elif spec.type == "column":
        x = alt.X(
            spec.x,
            type="nominal",
            title=spec.x_title,
            sort=None,
            axis=alt.Axis(labelAngle=layout.column_label_angle, labelLimit=layout.label_limit),
        )
        y = alt.Y(spec.y, type="quantitative", title=spec.y_title, scale=quantity, stack=None)
        chart = alt.Chart(data).mark_bar(color=INK, clip=True).encode(x=x, y=y)
        height, width = 300, max(layout.width, 220)
    else:
        if not pd.api.types.is_datetime64_any_dtype(data[spec.x]):
            data[spec.x] = pd.to_datetime(data[spec.x])
        x = alt.X(spec.x, type="temporal", title=spec.x_title)
        y = alt.Y(spec.y, type="quantitative", title=spec.y_title, scale=quantity)
        chart = alt.Chart(data).mark_line(color=INK, strokeWidth=3, point=True).encode(x=x, y=y)
        height, width = 300, max(layout.width, 220)
    axis = {
        "labelFontSize": layout.label_size,
        "titleFontSize": layout.title_size,
        "labelColor": "#222",
        "titleColor": "#222",
    }
    chart = chart.properties(width=width, height=height).configure_axis(**axis)
    if spec.title:
        chart = chart.properties(title=spec.title).configure_title(
            fontSize=layout.title_size + 2, color="#222"
        )
    return chart.configure_view(stroke=None)


def chart_to_svg(spec: ChartSpec, frame: pd.DataFrame, alt_text: str, layout: Layout = WIDE) -> str:
    """The chart as an SVG string with role=img and the alt text as its label."""
    from academy.core.svg import chart_svg

    return chart_svg(build_chart(spec, frame, layout), alt_text)
