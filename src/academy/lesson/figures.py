"""Charts in lessons: rendered to SVG at build time, so they work offline and carry a
text alternative."""

from __future__ import annotations

import html

import altair as alt
from IPython.display import HTML

from academy.core.svg import chart_svg

# Book pages carry no stylesheet for charts: the SVG itself shrinks to fit a phone screen.
FIT_WIDTH = 'style="max-width: 100%; height: auto"'


def figure(chart: alt.TopLevelMixin, alt: str, caption: str | None = None) -> HTML:
    """Display a chart as an inline SVG figure that fits the screen: no JavaScript, no network."""
    labelled = chart_svg(chart, alt)
    end = labelled.index('"', labelled.index('aria-label="') + len('aria-label="')) + 1
    body = f"{labelled[:end]} {FIT_WIDTH}{labelled[end:]}"
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return HTML(f'<figure class="academy-chart">{body}{cap}</figure>')
