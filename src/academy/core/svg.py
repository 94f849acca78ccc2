"""Charts as inline SVG rendered at build time: no JavaScript, no network, labelled."""

from __future__ import annotations

import html
import re
from typing import Any

_SVG_OPEN = re.compile(r"<svg\b")


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
    return _SVG_OPEN.sub(f'<svg role="img" aria-label="{label}"', svg, count=1)
