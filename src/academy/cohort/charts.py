"""The cohort report's charts, rendered to inline SVG at build time (no JavaScript).

Each function takes plain rows and returns an `<svg>` string made by vl-convert from a
Vega-Lite spec with the data inlined (a remote data URL would render silently empty
offline), or "" when there is nothing to draw.
"""

from __future__ import annotations

from typing import Any

WIDTH = 560
BUCKET_ORDER = ["full marks", "partly right", "zero", "not handed in"]
BUCKET_COLOURS = ["#1a7f37", "#bf8700", "#cf222e", "#8c959f"]


def _svg(spec: dict[str, Any]) -> str:
    import vl_convert

    config = {"font": "DejaVu Sans", "axis": {"labelLimit": 360}}
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "config": config, **spec}
    svg = vl_convert.vegalite_to_svg(spec)
    return svg[svg.index("<svg") :]


def pass_rate_chart(rows: list[dict[str, Any]]) -> str:
    """Horizontal bars: share of graded learners with full marks, per question."""
    if not rows:
        return ""
    return _svg(
        {
            "width": WIDTH,
            "height": {"step": 22},
            "data": {"values": rows},
            "mark": {"type": "bar", "color": "#0969da"},
            "encoding": {
                "y": {"field": "question", "type": "nominal", "sort": None, "title": None},
                "x": {
                    "field": "pass_rate",
                    "type": "quantitative",
                    "title": "Learners with full marks (%)",
                    "scale": {"domain": [0, 100]},
                },
            },
        }
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
                },
                "order": {"field": "order", "type": "quantitative"},
            },
        }
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
        }
    )


def lessons_chart(rows: list[dict[str, Any]]) -> str:
    """Horizontal bars: share of the roster that completed each click-through lesson."""
    if not rows:
        return ""
    return _svg(
        {
            "width": WIDTH,
            "height": {"step": 22},
            "data": {"values": rows},
            "mark": {"type": "bar", "color": "#8250df"},
            "encoding": {
                "y": {"field": "lesson", "type": "nominal", "sort": None, "title": None},
                "x": {
                    "field": "completed",
                    "type": "quantitative",
                    "title": "Learners who completed it (%)",
                    "scale": {"domain": [0, 100]},
                },
            },
        }
    )
