"""Render the cohort's HTML pages from the Jinja templates beside this module.

Pages are self-contained: the stylesheet is inlined and nothing is loaded from a network
(no CDN, no web fonts, no scripts), so they open offline and from e-mail attachments.
"""

from __future__ import annotations

import shlex
from functools import cache
from pathlib import Path
from typing import Any

from academy.core.brand import brand_css

TEMPLATES = Path(__file__).parent / "templates"


@cache
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["points"] = lambda value: "–" if value is None else f"{value:g}"
    env.filters["percent"] = lambda value: "–" if value is None else f"{value:.0f}%"
    env.filters["shell_quote"] = shlex.quote  # a name as a trainer pastes it into a terminal
    return env


@cache
def _stylesheet() -> str:
    """The academy's colours and type (academy.core.brand), then the cohort pages' layout."""
    return brand_css() + (TEMPLATES / "academy.css").read_text(encoding="utf-8")


def render(template: str, **context: Any) -> str:
    """A page from `templates/<template>` with the shared stylesheet inlined."""
    return _environment().get_template(template).render(css=_stylesheet(), **context)
