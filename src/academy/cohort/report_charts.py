"""The cohort report's charts, rendered to inline SVG at build time (no JavaScript).

Each function takes plain rows and returns an `<svg>` string made by vl-convert from a
Vega-Lite spec with the data inlined (a remote data URL would render silently empty
offline), or "" when there is nothing to draw.
"""

from __future__ import annotations

from typing import Any

from academy.core.svg import chart_svg

WIDTH = 560
BUCKET_ORDER = ["passed", "partly right", "tried, not right", "not attempted", "not handed in"]
#: Okabe and Ito's colour-blind-safe palette (blue, orange, vermillion, greys); every
#: chart and grid cell also says its state in words.
BUCKET_COLOURS = ["#0072B2", "#E69F00", "#D55E00", "#BBBBBB", "#EEEEEE"]


def _svg(spec: dict[str, Any], alt_text: str) -> str:
    config = {"font": "DejaVu Sans", "axis": {"labelLimit": 0}, "legend": {"labelLimit": 0}}
    return chart_svg({"config": config, **spec}, alt_text)


def _percent_bars(
    rows: list[dict[str, Any]], label: str, value: str, title: str, colour: str
) -> str:
    """Horizontal bars of a percentage per row, 0-100 %."""
    if not rows:
        return ""
    described = "; ".join(f"{r[label]}: {r[value]:.0f}%" for r in rows)
    return _svg(
        {
            "width": WIDTH,
            "height": {"step": 22},
            "data": {"values": rows},
            "mark": {"type": "bar", "color": colour},
            "encoding": {
                "y": {"field": label, "type": "nominal", "sort": None, "title": None},
                "x": {
                    "field": value,
                    "type": "quantitative",
                    "title": title,
                    "scale": {"domain": [0, 100]},
                },
            },
        },
        f"Bar chart, {title.lower()}: {described}.",
    )


def distribution_chart(rows: list[dict[str, Any]]) -> str:
    """Stacked bars: how the cohort's scores fall on each question."""
    if not rows:
        return ""
    return _svg(
        {
            "width": WIDTH,
            "height": {"step": 22},
            "data": {"values": rows},
            "mark": "bar",
            "encoding": {
                "y": {"field": "question", "type": "nominal", "sort": None, "title": None},
                "x": {
                    "field": "learners",
                    "type": "quantitative",
                    "stack": "normalize",
                    "title": "Share of learners",
                    "axis": {"format": "%"},
                },
                "color": {
                    "field": "result",
                    "type": "nominal",
                    "title": "Result",
                    "scale": {"domain": BUCKET_ORDER, "range": BUCKET_COLOURS},
                    "legend": {"orient": "bottom", "direction": "horizontal", "columns": 3},
                },
                "stroke": {"value": "#555555"},
                "strokeWidth": {"value": 0.5},
                "order": {"field": "order", "type": "quantitative"},
            },
        },
        "Stacked bar chart: for each question, the share of learners who passed it, got it "
        "partly right, tried and got it wrong, did not attempt it, and did not hand in.",
    )


def totals_chart(rows: list[dict[str, Any]]) -> str:
    """Histogram of exercise totals (percent), one panel row per exercise."""
    if not rows:
        return ""
    return _svg(
        {
            "data": {"values": rows},
            "mark": {"type": "bar", "color": "#0969da"},
            "encoding": {
                "x": {
                    "field": "percent",
                    "type": "quantitative",
                    "bin": {"extent": [0, 100], "step": 10},
                    "title": "Score (%)",
                },
                "y": {"aggregate": "count", "type": "quantitative", "title": "Learners"},
                "row": {"field": "exercise", "type": "nominal", "title": None},
            },
            "width": WIDTH,
            "height": 120,
        },
        "Histogram per exercise: how many learners scored in each 10-point band from 0 to 100%.",
    )


def lessons_chart(rows: list[dict[str, Any]]) -> str:
    """Horizontal bars: share of the roster that completed each click-through lesson."""
    return _percent_bars(rows, "lesson", "completed", "Learners who completed it (%)", "#8250df")
