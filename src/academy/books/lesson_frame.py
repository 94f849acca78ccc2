"""Sphinx extension for course books: every lesson opens with its objectives and
ends with its key points, both taken from the lesson's front matter (read by
`academy.curriculum.lessons`, the one reader of it, for every kind of lesson), and
every page's footer links back to the academy's portal."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

from academy.core.paths import find_root
from academy.core.schema import read_model
from academy.curriculum.lessons import read_lesson
from academy.curriculum.models import LessonMeta, ObjectivesFile


def _objective_statements(srcdir: str) -> dict[str, str]:
    root = find_root(Path(srcdir))
    objectives = read_model(ObjectivesFile, root / "curriculum" / "objectives.yml")
    return {o.id: o.statement for o in objectives.objectives}


def _box(title: str, items: list[str], kind: str) -> nodes.admonition:
    box = nodes.admonition(classes=[kind, "academy-" + kind])
    box += nodes.title(text=title)
    bullets = nodes.bullet_list()
    for item in items:
        bullets += nodes.list_item("", nodes.paragraph(text=item))
    box += bullets
    return box


def _lesson_meta(app: Sphinx) -> LessonMeta | None:
    source = Path(app.env.doc2path(app.env.docname))
    lesson, _ = read_lesson(source, Path(app.srcdir))  # `academy validate` reports problems
    return lesson.meta


def unavailable_reason(source: Path, srcdir: Path, city: str) -> str | None:
    """Why this lesson cannot be taught for the city the book is built for, or None.

    A lesson lists under `needs:` the columns it cannot be taught without; when the city
    does not publish one, its page says so (from the data) instead of running the lesson.
    """
    from academy.data.fields import unavailable_because
    from academy.data.spec import base_table

    lesson, _ = read_lesson(source, srcdir)
    meta = lesson.meta
    if meta is None or not meta.needs:
        return None
    root = find_root(srcdir)
    tables = [base_table(d) for d in meta.datasets if "/" not in d]
    return unavailable_because(meta.needs, tables, city, root) if city else None


def replace_unavailable(app: Sphinx, docname: str, source: list[str]) -> None:
    """A lesson not available for this city: its page holds its title and the reason, and
    nothing of it runs (its code and the values it would show are never read)."""
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".md":
        return
    city = getattr(app.config, "academy_city", "") or ""
    reason = unavailable_reason(path, Path(app.srcdir), city)
    if reason is None:
        return
    text = source[0]
    front, title = "", docname
    if text.startswith("---"):
        end = text.find("\n---", 3)
        front = text[: end + 4] + "\n"
    heading = next((line for line in text.splitlines() if line.startswith("# ")), f"# {title}")
    app.env.academy_unavailable[docname] = reason  # type: ignore[attr-defined]
    source[0] = f"{front}\n{heading}\n\n```{{note}}\n{reason}\n```\n"


def add_objectives_and_key_points(app: Sphinx, doctree: nodes.document) -> None:
    meta = _lesson_meta(app)
    if meta is None or app.env.docname in app.env.academy_unavailable:  # type: ignore[attr-defined]
        return
    # the statements load_objectives kept on Sphinx's environment (extensions' own data)
    statements = app.env.academy_objectives  # type: ignore[attr-defined]
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        return
    objectives = [statements.get(o, o) for o in meta.objectives]
    intro = _box(f"In this lesson ({meta.minutes} minutes) you will", objectives, "tip")
    title_index = next(
        i for i, child in enumerate(section.children) if isinstance(child, nodes.title)
    )
    section.insert(title_index + 1, intro)
    section += _box("Key points", meta.key_points, "important")


def load_objectives(app: Sphinx) -> None:
    # kept on Sphinx's build environment, where extensions keep their own data
    app.env.academy_objectives = _objective_statements(str(app.srcdir))  # type: ignore[attr-defined]
    app.env.academy_unavailable = {}  # type: ignore[attr-defined]


#: Every book page: the academy's colours, tables with room in their cells, and charts
#: and tables that fit a phone (a wide table scrolls inside its box, never the page).
BOOK_CSS = """
html[data-theme=light] { --pst-color-primary: #303f9f; --pst-color-link: #303f9f;
  --pst-color-link-hover: #1a237e; }
.bd-article .academy-table-wrap, .bd-article .academy-scroll { max-width: 100%; overflow-x: auto; }
.bd-article .academy-scroll:focus-visible, .bd-article .academy-table-wrap:focus-visible {
  outline: 3px solid #303f9f; outline-offset: 2px; }
.bd-article table th, .bd-article table td { padding: .35rem .6rem; vertical-align: top; }
.bd-article svg, .bd-article img { max-width: 100%; height: auto; }
.academy-chart-narrow { display: none; }
@media (max-width: 600px) {
  .academy-chart-wide { display: none; }
  .academy-chart-narrow { display: block; }
}
"""


#: A table the academy did not wrap itself (a notebook's DataFrame, a Markdown table).
_BARE_TABLE = re.compile(r"<table\b(?![^>]*\bacademy-table\b).*?</table>", re.S)
_CAPTION = re.compile(r"<caption[^>]*>(.*?)</caption>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def scrolling_tables(body: str) -> str:
    """Every bare table inside a box that scrolls sideways and that the keyboard can reach
    (a wide table on a phone scrolls in its box, never the page: WCAG 2.1.1)."""

    def wrap(match: re.Match[str]) -> str:
        caption = _CAPTION.search(match.group(0))
        label = _TAGS.sub("", caption.group(1)).strip() if caption else ""
        label = escape(label or "Table (scrolls sideways)", quote=True)
        return (
            f'<div class="academy-scroll" role="region" tabindex="0" aria-label="{label}">'
            f"{match.group(0)}</div>"
        )

    return _BARE_TABLE.sub(wrap, body)


def portal_footer(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: Any
) -> None:
    """Links to the portal, relative to this page (books live at books/<track>/<course>/),
    and the academy's look for the page."""
    if "body" in context:
        context["body"] = f"<style>{BOOK_CSS}</style>" + scrolling_tables(context["body"])
    track = app.config.academy_track
    if not track:
        return
    up = "../" * (pagename.count("/") + 3)
    context["theme_extra_footer"] = (
        f'<p><a href="{up}index.html">Back to the academy home page</a> · '
        f'<a href="{up}tracks/{escape(track["id"])}.html">{escape(track["title"])} track</a></p>'
    )


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("academy_track", None, "html")
    app.connect("html-page-context", portal_footer)
    app.connect("builder-inited", load_objectives)
    app.connect("source-read", replace_unavailable)
    app.connect("doctree-read", add_objectives_and_key_points)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
