"""Charts as inline SVG rendered at build time: no JavaScript, no network, labelled."""

from __future__ import annotations

import html
import re
from typing import Any

_SVG_OPEN = re.compile(r"<svg\b")
#: Vega's root group: the drawing inside the labelled image. Its marks carry roles of their
#: own (a map's shape group, labelled by nothing), but the image's text alternative is what
#: a screen reader should say, so the drawing is hidden from it (axe svg-img-alt).
_DRAWING = re.compile(r'<g class="mark-group role-frame root"')


def chart_svg(chart: Any, alt_text: str) -> str:
    """An altair chart or a Vega-Lite spec (dict) as SVG, labelled for screen readers.

    Always pass the data inline: a remote data URL renders silently empty offline.
    """
    import vl_convert

    if not alt_text.strip():
        raise ValueError("every chart needs alt text: say what it shows")
    spec = chart if isinstance(chart, dict) else chart.to_dict(format="vega-lite")
    svg = vl_convert.vegalite_to_svg(spec)
    svg = svg[svg.index("<svg") :]
    label = html.escape(alt_text, quote=True)
    svg = _DRAWING.sub('<g aria-hidden="true" class="mark-group role-frame root"', svg, count=1)
    return _SVG_OPEN.sub(f'<svg role="img" aria-label="{label}"', svg, count=1)
