"""Sphinx extension for course books: the academy's look (academy.core.brand) on every page.

The book theme keeps its layout (side navigation, page contents, download menu); its
colours and type become the academy's (`_static/academy-brand.css`, the same CSS the portal
and the lessons load), and the academy's bar sits above its header as on every other page
of the academy: the academy's name, linking to the portal's home page, and the course.
The bar is the theme's announcement slot (pydata-sphinx-theme), filled per page so its
link is relative to that page and the site works under any prefix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from academy.core.brand import BRAND, brand_css, topbar
from academy.core.paths import BOOK_DEPTH

CSS_FILE = "academy-brand.css"


def portal_home(pagename: str) -> str:
    """The portal's home page, relative to a book page (the book sits `BOOK_DEPTH` folders
    down in the site; a page may sit in a folder of its own within the book)."""
    return "../" * (BOOK_DEPTH + pagename.count("/")) + "index.html"


def add_bar(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    name = getattr(app.config, "academy_name", "") or BRAND.name
    context["theme_announcement"] = topbar(
        portal_home(pagename), context.get("docstitle", ""), name
    )


def write_css(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        static = Path(app.outdir) / "_static"
        static.mkdir(parents=True, exist_ok=True)
        (static / CSS_FILE).write_text(brand_css(), encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("academy_name", "", "html", types=[str])
    app.add_css_file(CSS_FILE, priority=900)  # after the theme's own styles
    app.connect("html-page-context", add_bar)
    app.connect("build-finished", write_css)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
