"""The academy's look in one place: its colours, its type and the bar at the top of every page.

The portal (mkdocs-material), the course books (sphinx-book-theme), the click-through
lessons (Voilà) and the lesson server's own pages (sign in, My progress) are four different
programs; each takes the same `brand_css()` and maps the tokens onto its theme's own
variables, so a learner moving between them stays in one place: the same indigo bar with
the academy's name (a link home), the same text face and link colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from html import escape


@dataclass(frozen=True)
class Brand:
    """The name shown when no curriculum is at hand, colours (text on them meets WCAG AA)
    and type."""

    name: str = "City Data Academy"
    primary: str = "#303f9f"  # the bar and buttons; white text on it 9.0:1
    primary_dark: str = "#1a237e"  # hover and pressed; white text on it 13.2:1
    primary_light: str = "#eef0fa"  # a tinted card behind dark text
    ink: str = "#1b1b1b"  # body text on white 17.2:1
    page: str = "#f4f6f9"  # behind the white lesson card
    focus: str = "#ffbf47"  # the focus ring on the bar (5.5:1 on primary); on white pages, primary
    font: str = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
    mono: str = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace'


BRAND = Brand()
TOPBAR = "academy-topbar"
"""The class of the bar at the top of the books', lessons' and server pages."""


@cache
def brand_css() -> str:
    """The academy's tokens as CSS custom properties, laid onto each theme's variables,
    and the top bar's style. Every surface loads this before its own styles (made once:
    the lesson server puts it on every page it serves)."""
    b = BRAND
    return f"""/* City Data Academy: one look (generated from academy.core.brand). */
:root {{
  --academy-primary: {b.primary}; --academy-primary-dark: {b.primary_dark};
  --academy-primary-light: {b.primary_light}; --academy-ink: {b.ink};
  --academy-page: {b.page}; --academy-font: {b.font};
}}
/* mkdocs-material (palette primary/accent: custom) */
:root > * {{
  --md-primary-fg-color: {b.primary}; --md-primary-fg-color--light: {b.primary};
  --md-primary-fg-color--dark: {b.primary_dark}; --md-primary-bg-color: #fff;
  --md-accent-fg-color: {b.primary_dark}; --md-typeset-a-color: {b.primary};
  --md-text-font-family: {b.font}; --md-code-font-family: {b.mono};
}}
/* sphinx-book-theme (pydata-sphinx-theme variables) */
html {{
  --pst-font-family-base: {b.font}; --pst-font-family-heading: {b.font};
  --pst-font-family-monospace: {b.mono};
}}
html[data-theme="light"] {{
  --pst-color-primary: {b.primary}; --pst-color-link: {b.primary};
  --pst-color-link-hover: {b.primary_dark}; --pst-color-secondary: {b.primary_dark};
  --pst-color-text-base: {b.ink};
}}
.{TOPBAR} {{
  display: block; background: {b.primary}; color: #fff; padding: .7rem 1rem;
  font-family: {b.font}; font-size: 20px; line-height: 1.3; margin: 0;
}}
.{TOPBAR} a {{ color: #fff !important; font-weight: 700; text-decoration: none; }}
.{TOPBAR} a:hover {{ text-decoration: underline; }}
.{TOPBAR} a:focus-visible {{ outline: 3px solid {b.focus}; outline-offset: 2px; }}
.{TOPBAR} .academy-topbar-where {{ font-weight: 400; font-size: 16px; margin-left: .6rem; }}
/* in a course book the bar fills the theme's announcement slot (academy.books.brand) */
.bd-header-announcement {{
  display: block; padding: 0; min-height: 0; text-align: left; background: {b.primary};
}}
"""


def topbar(home: str, where: str = "", name: str = BRAND.name) -> str:
    """The bar at the top of a page: the academy's name (curriculum/academy.yml's `name`
    where the page knows it), a link to the portal's home page (`home`, relative to the
    page), and optionally where the page is (a course's title)."""
    place = f'<span class="academy-topbar-where">{escape(where)}</span>' if where else ""
    return (
        f'<nav class="{TOPBAR}" aria-label="{escape(name, quote=True)}">'
        f'<a href="{escape(home, quote=True)}">{escape(name)}</a>{place}</nav>'
    )


#: The layout of a plain page (sign in, My progress, a lesson's stand-in): a white card
#: on the page colour, under the bar.
PLAIN_PAGE_CSS = """*{box-sizing:border-box}
body{margin:0;font-family:var(--academy-font);font-size:18px;line-height:1.55;color:var(--academy-ink);background:var(--academy-page)}
main{max-width:40rem;margin:1rem auto;background:#fff;padding:1rem 1.25rem 2rem;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
h1{font-size:28px;line-height:1.25;margin:.3rem 0 .8rem}
main a{color:var(--academy-primary);text-decoration:underline}
main a:focus-visible{outline:3px solid var(--academy-primary-dark);outline-offset:2px}
@media (max-width:600px){main{margin:0;border-radius:0}}
"""


def plain_page(
    title: str, body: str, home: str, name: str = BRAND.name, css: str = "", head: str = ""
) -> str:
    """A whole HTML page in the academy's look: the bar (linking to `home`), then `body`
    (HTML) in a card; `css` adds the page's own rules, `head` more of <head> (HTML)."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} - {escape(name)}</title>{head}"
        f"<style>{brand_css()}{PLAIN_PAGE_CSS}{css}</style></head>"
        f"<body>{topbar(home, name=name)}<main>{body}</main></body></html>\n"
    )
