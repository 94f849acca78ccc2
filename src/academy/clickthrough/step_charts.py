"""Charts for click-through steps: drawn from a query's rows at build time, as inline SVG.

No JavaScript and no network: the learner's browser only shows a picture, labelled for
screen readers with the step's alt text.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from academy.clickthrough.parts import ChartSpec

INK = "#1d4f91"
AXIS = {"labelFontSize": 14, "titleFontSize": 15, "labelColor": "#222", "titleColor": "#222"}


def build_chart(spec: ChartSpec, frame: pd.DataFrame) -> alt.Chart:
    """The altair chart a spec describes (pure)."""
    data = frame[[spec.x, spec.y]].dropna().copy()
    quantity = alt.Scale(zero=spec.axis_from_zero, nice=spec.axis_from_zero)
    if spec.type == "bar":
        x = alt.X(spec.x, type="quantitative", title=spec.x_title, scale=quantity)
        y = alt.Y(
            spec.y, type="nominal", title=spec.y_title, sort="-x", axis=alt.Axis(labelLimit=260)
        )
        chart = alt.Chart(data).mark_bar(color=INK).encode(x=x, y=y)
        height = max(120, 34 * len(data))
    elif spec.type == "column":
        x = alt.X(
            spec.x, type="nominal", title=spec.x_title, sort=None, axis=alt.Axis(labelAngle=0)
        )
        y = alt.Y(spec.y, type="quantitative", title=spec.y_title, scale=quantity)
        chart = alt.Chart(data).mark_bar(color=INK).encode(x=x, y=y)
        height = 300
    else:
        if not pd.api.types.is_datetime64_any_dtype(data[spec.x]):
            data[spec.x] = pd.to_datetime(data[spec.x])
        x = alt.X(spec.x, type="temporal", title=spec.x_title)
        y = alt.Y(spec.y, type="quantitative", title=spec.y_title, scale=quantity)
        chart = alt.Chart(data).mark_line(color=INK, strokeWidth=3, point=True).encode(x=x, y=y)
        height = 300
    chart = chart.properties(width=520, height=height).configure_axis(**AXIS)
    if spec.title:
        chart = chart.properties(title=spec.title).configure_title(fontSize=17, color="#222")
    return chart.configure_view(stroke=None)


def chart_to_svg(spec: ChartSpec, frame: pd.DataFrame, alt_text: str) -> str:
    """The chart as an SVG string with role=img and the alt text as its label."""
    from academy.core.svg import chart_svg

    return chart_svg(build_chart(spec, frame), alt_text)
