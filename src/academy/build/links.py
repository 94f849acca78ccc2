"""Check that every internal link and asset reference in a built site resolves."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ATTRS = {"href", "src"}


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"a", "link", "script", "img", "source", "iframe"}:
            self.refs += [v for k, v in attrs if k in ATTRS and v]


def page_refs(page: Path) -> list[str]:
    parser = _Refs()
    parser.feed(page.read_text(encoding="utf-8", errors="replace"))
    return parser.refs


def _pages(site: Path) -> list[Path]:
    """Every HTML page a browser can open (theme templates under _static/ are not pages)."""
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


def broken_links(site: Path) -> list[str]:
    """`page: link` for every relative link in `site` whose target file is missing."""
    broken = []
    for page in _pages(site):
        for ref in page_refs(page):
            parts = urlsplit(ref)
            if (
                parts.scheme
                or parts.netloc
                or ref.startswith(("#", "mailto:", "javascript:", "data:"))
            ):
                continue
            if not parts.path:
                continue
            base = site if parts.path.startswith("/") else page.parent
            target = (base / unquote(parts.path.lstrip("/"))).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {ref}")
    return broken


def external_refs(site: Path) -> list[str]:
    """`page: url` for every absolute http(s) asset a page would load (not plain links)."""
    found = []
    for page in _pages(site):
        parser = _Assets()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        found += [f"{page.relative_to(site)}: {url}" for url in parser.urls]
    return found


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        url = values.get("src") if tag in {"script", "img", "iframe"} else None
        if tag == "link" and values.get("rel") in {"stylesheet", "preload", "preconnect", "icon"}:
            url = values.get("href")
        if url and url.startswith(("http://", "https://", "//")):
            self.urls.append(url)
