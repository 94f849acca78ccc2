"""HTML for the parts of a resolved step (tables, charts, pictures), shared by the Voilà
app and the printable page. Pure string functions; every text is escaped here."""

from __future__ import annotations

from html import escape
from typing import Any

from academy.core.defaults import BLANK


def table_html(table: dict[str, Any], numbered: bool = False) -> str:
    """A resolved table as an accessible HTML table; marked rows say so in words, not only colour."""
    marked_any = any(table.get("marked", []))
    head = []
    if numbered:
        head.append('<th scope="col">Row</th>')
    if marked_any:
        head.append('<th scope="col"><span class="academy-sr">Marked</span></th>')
    head += [f'<th scope="col">{escape(c)}</th>' for c in table["columns"]]
    rows = []
    for i, (cells, marked) in enumerate(zip(table["rows"], table.get("marked", []), strict=False)):
        row = []
        if numbered:
            row.append(f'<th scope="row">{i + 1}</th>')
        if marked_any:
            flag = (
                '<span aria-hidden="true">⚑</span><span class="academy-sr">marked</span>'
                if marked
                else ""
            )
            row.append(f"<td>{flag}</td>")
        row += [
            f'<td class="academy-blank">{escape(c)}</td>' if c == BLANK else f"<td>{escape(c)}</td>"
            for c in cells
        ]
        rows.append(
            f'<tr class="academy-marked">{"".join(row)}</tr>'
            if marked
            else f"<tr>{''.join(row)}</tr>"
        )
    caption = f"<caption>{escape(table['caption'])}</caption>" if table.get("caption") else ""
    return (
        f'<div class="academy-table-wrap" role="region" tabindex="0" aria-label="{escape(table.get("caption") or "Table of data", quote=True)}">'
        f'<table class="academy-table">{caption}<thead><tr>{"".join(head)}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def media_html(media: list[dict[str, Any]]) -> str:
    """Tables, charts and pictures of a step, in order."""
    out = []
    for item in media:
        if item["type"] == "table":
            out.append(table_html(item))
        elif item["type"] == "chart":
            narrow = item.get("svg_narrow")
            if narrow:  # the page shows the drawing that fits the screen (academy.css)
                out.append(
                    f'<figure class="academy-chart"><div class="academy-chart-wide">{item["svg"]}</div>'
                    f'<div class="academy-chart-narrow">{narrow}</div></figure>'
                )
            else:
                out.append(f'<figure class="academy-chart">{item["svg"]}</figure>')
        elif item["type"] == "image":
            out.append(
                f'<figure class="academy-image"><img src="{escape(item["src"], quote=True)}" '
                f'alt="{escape(item["alt"], quote=True)}"></figure>'
            )
    return "".join(out)


def blank_line(label: str) -> str:
    """A line to write an answer on, on the printable page."""
    return f'<p class="academy-print-blank">{escape(label)} <span aria-hidden="true">________________</span></p>'
