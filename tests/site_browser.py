"""Open pages in headless Chromium the way a learner would, and record what they load.

Used by the browser tests: every request that leaves 127.0.0.1 is recorded, charts are
checked for drawn marks, and axe-core reports WCAG 2.1 AA violations.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(site: Path) -> Iterator[str]:
    """Serve `site` with the academy's own server on a free port; yield its base URL."""
    from academy.serve.server import site_server

    server = site_server(site, port=free_port())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """What one page load did."""

    url: str
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return False
    return (parts.hostname or "") not in LOCAL_HOSTS


@contextmanager
def visit(
    browser, url: str, viewport: tuple[int, int] | None = None
) -> Iterator[tuple[object, Visit]]:
    """Open `url` in a fresh context (a screen `viewport` wide and high when given);
    external requests are aborted and recorded."""
    size = {"width": viewport[0], "height": viewport[1]} if viewport else None
    context = browser.new_context(viewport=size) if size else browser.new_context()
    record = Visit(url)

    def route(route_obj) -> None:
        request_url = route_obj.request.url
        if is_external(request_url):
            record.external.append(request_url)
            route_obj.abort()
        else:
            route_obj.continue_()

    context.route("**/*", route)
    page = context.new_page()
    page.on("requestfailed", lambda r: None if is_external(r.url) else record.failed.append(r.url))
    page.on(
        "console", lambda m: record.console_errors.append(m.text) if m.type == "error" else None
    )
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    try:
        yield page, record
    finally:
        context.close()


def axe_serious(page) -> list[str]:
    """Serious and critical WCAG 2.1 A/AA violations on the page, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} element(s), e.g. {v['nodes'][0]['target']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


CHART_MARKS_JS = """
() => Array.from(document.querySelectorAll('figure.academy-chart')).map(figure => {
  // a figure may carry a wide and a narrow drawing, one hidden by the screen's width:
  // what counts is the drawing the learner sees
  const shown = Array.from(figure.querySelectorAll('svg'))
    .filter(svg => svg.getBoundingClientRect().width > 0);
  const svg = shown[0] || figure.querySelector('svg');
  return {
    label: svg ? (svg.getAttribute('aria-label') || '') : '',
    marks: shown.reduce((n, s) => n + s.querySelectorAll(
      'g.role-mark path, g.role-mark rect, g.role-mark line, g.role-mark circle, g.role-mark text'
    ).length, 0),
    width: shown.length ? shown[0].getBoundingClientRect().width : 0,
    shown: shown.length,
  };
})
"""


def charts(page) -> list[dict]:
    """Every academy chart on the page with its text alternative and number of drawn marks."""
    return page.evaluate(CHART_MARKS_JS)
