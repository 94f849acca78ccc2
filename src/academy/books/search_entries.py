"""Sphinx extension for course books: each page's text, for the portal's search.

The portal's search (mkdocs-material) reads one index, `site/search/search_index.json`,
of `{location, title, text}` entries, a page's sections each one entry. A book has its
own search (Sphinx's), which the portal's cannot see, so a learner searching the portal
for "duplicates" would find only the catalogue. This extension writes the book's pages
as entries of the same shape to `_static/academy-search.json` (locations relative to the
book); `academy build` adds them to the portal's index when it assembles the site
(`academy.build.search`). A click-through lesson's printable page is a book page, so the
lessons' questions and explanations are found too.

Code cells' sources are kept (an analyst searches for `value_counts`); their outputs
(tables, charts) are not: numbers in a table are not what anyone searches for. Sections
marked `NOT_SEARCHED` (the answers on a printable lesson) are left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from docutils import nodes
from sphinx.application import Sphinx

ENTRIES_FILE = "academy-search.json"
#: A section with this class is left out of the search (a printable lesson's answers: a
#: learner's search must not show them).
NOT_SEARCHED = "academy-not-searched"
_KEY = "academy_search_entries"


def _is_output(node: nodes.Node) -> bool:
    return isinstance(node, nodes.Element) and "cell_output" in node.get("classes", [])


def _text(node: nodes.Node) -> str:
    """The node's words, without code-cell outputs, on one line."""
    if _is_output(node):
        return ""
    if isinstance(node, nodes.raw):  # HTML a page writes itself: its words, not its tags
        if "html" not in node.get("format", "").split():
            return ""
        return BeautifulSoup(node.astext(), "html.parser").get_text(" ")
    if isinstance(node, nodes.Text):
        return str(node)
    if isinstance(node, nodes.Element):
        return " ".join(t for t in (_text(child) for child in node.children) if t)
    return ""


def page_entries(pagename: str, doctree: nodes.document) -> list[dict[str, str]]:
    """One entry per section of the page: its title and its own text (not its
    subsections'); the first section is the page itself (no anchor)."""
    entries = []
    for index, section in enumerate(doctree.findall(nodes.section)):
        if NOT_SEARCHED in section["classes"]:
            continue
        title_node = next(iter(section.findall(nodes.title)), None)
        if title_node is None:
            continue
        own = (c for c in section.children if not isinstance(c, nodes.section | nodes.title))
        text = " ".join(" ".join(_text(c).split()) for c in own).strip()
        anchor = f"#{section['ids'][0]}" if index and section["ids"] else ""
        entries.append(
            {"location": f"{pagename}.html{anchor}", "title": title_node.astext(), "text": text}
        )
    return entries


def collect(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if doctree is not None:
        getattr(app, _KEY).extend(page_entries(pagename, doctree))


def write_entries(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / ENTRIES_FILE).write_text(
            json.dumps(getattr(app, _KEY), ensure_ascii=False), encoding="utf-8"
        )


def setup(app: Sphinx) -> dict[str, Any]:
    setattr(app, _KEY, [])  # a book is built in one process (build_sphinx, jobs=None)
    app.connect("html-page-context", collect)
    app.connect("build-finished", write_entries)
    return {"parallel_read_safe": True, "parallel_write_safe": False, "version": "1"}
