"""academy.core.svg: a chart is one labelled image, its drawing hidden from screen readers."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

from academy.core.svg import chart_svg


def test_a_chart_is_one_labelled_image_whose_drawing_is_hidden() -> None:
    outline = {
        "type": "Feature",
        "properties": {"name": "A"},
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]},
    }
    # a map's shape group has a role and no label of its own (axe svg-img-alt)
    chart = alt.Chart(alt.Data(values=[outline])).mark_geoshape().project(type="mercator")
    svg = chart_svg(chart, 'Map of one area, "A".')
    assert svg.startswith('<svg role="img" aria-label="Map of one area, &quot;A&quot;."')
    assert '<g aria-hidden="true" class="mark-group role-frame root"' in svg
    assert 'class="mark-shape role-mark' in svg  # still drawn


def test_a_chart_without_alt_text_is_refused() -> None:
    bars = alt.Chart(pd.DataFrame({"a": ["x"], "b": [1]})).mark_bar().encode(x="a", y="b")
    with pytest.raises(ValueError, match="alt text"):
        chart_svg(bars, "  ")
