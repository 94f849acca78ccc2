"""Tables in lessons: plain, accessible HTML with a caption and column headers."""

from __future__ import annotations

import html
from collections.abc import Callable

import pandas as pd
from IPython.display import HTML


def html_table(frame: pd.DataFrame, caption: str, cell: Callable[[object], str] = str) -> HTML:
    """A plain, accessible table with a caption and column headers.

    Wide tables scroll sideways inside a labelled region keyboard users can focus.
    `cell` turns each value into the text shown (e.g. blanks as "(blank)").
    """
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    label = html.escape(caption, quote=True)
    return HTML(
        f'<div class="academy-table-wrap" role="region" tabindex="0" aria-label="{label}" '
        f'style="overflow-x: auto"><table class="academy-table">'
        f"<caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table></div>"
    )
