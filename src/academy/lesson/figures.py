"""Charts in lessons: rendered to SVG at build time, so they work offline and carry a
text alternative."""

from __future__ import annotations

import html

import altair as alt
from IPython.display import HTML

from academy.core.svg import chart_svg


def figure(chart: alt.TopLevelMixin, alt: str, caption: str | None = None) -> HTML:
    """Display a chart as an inline SVG figure: no JavaScript, no network."""
    body = chart_svg(chart, alt)
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return HTML(f'<figure class="academy-chart">{body}{cap}</figure>')
