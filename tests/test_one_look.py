"""One academy, one look, one search: what a learner sees moving between its four programs.

The real academy built for Baltimore (portal, books, click-through lessons), served by the
lesson server as a class would use it. In headless Chromium at phone and tablet sizes,
every kind of page (portal home, a course page, a book page, a printable lesson, a
click-through lesson, sign in, My progress) carries the academy's bar in its colour, with
the academy's name linking to the portal's home page, and sets its text in the academy's
type; nothing is wider than the screen. The portal's search finds book and lesson text,
and its results open the page (a lesson's result opens the lesson).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest
from site_browser import chromium
from test_clickthrough_browser import start_server, stop_server

from academy.build.pipeline import BuildReport
from academy.build.search import INDEX
from academy.core.brand import BRAND

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VIEWPORTS = {"phone": (360, 740), "tablet": (768, 1024)}
PAGES = {
    "portal home": "index.html",
    "course page": "courses/good-data.html",
    "book page": "books/foundations/data-basics/reading-a-bar-chart.html",
    "printable lesson": "books/foundations/good-data/clickthrough/duplicates.html",
    "click-through lesson": "lessons/good-data/duplicates/",
    "sign in": "sign-in/",
    "my progress": "my-progress/",
}


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


@pytest.fixture(scope="module")
def academy(academy_build: BuildReport, tmp_path_factory) -> Iterator[str]:
    """The built academy behind the lesson server; its base URL."""
    proc, base, _, log = start_server(academy_build.out, tmp_path_factory.mktemp("home"))
    yield base + "/"
    stop_server(proc, log)


@pytest.fixture(scope="module")
def academy_name() -> str:
    """The name curriculum/academy.yml gives the academy (the portal's and books' bar)."""
    from academy.build.books import academy_name as name_of

    return name_of(Path(__file__).resolve().parents[1])


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


def signed_in(page, academy: str) -> None:
    """Sign a learner in on this device, as the lessons and My progress ask first."""
    page.goto(urljoin(academy, "sign-in/"), wait_until="load")
    page.fill("#learner", "Look Tester")
    with page.expect_navigation():
        page.keyboard.press("Enter")


LOOK = """() => {
  const bar = document.querySelector('.academy-topbar') || document.querySelector('.md-header');
  if (!bar) return null;
  const home = bar.querySelector('a[href]');
  return {
    background: getComputedStyle(bar).backgroundColor,
    home: home ? home.href : null,
    name: home ? (home.textContent.trim() || home.getAttribute('aria-label')) : null,
    font: getComputedStyle(document.querySelector('main, article, .academy-app') || document.body).fontFamily,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("kind", PAGES)
def test_every_page_kind_shares_the_bar_the_colour_and_the_type(
    kind: str, viewport: str, academy: str, academy_name: str, browser
) -> None:
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        signed_in(page, academy)
        url = urljoin(academy, PAGES[kind])
        page.goto(url, wait_until="load")
        page.wait_for_selector(".academy-topbar, .md-header", timeout=30_000)
        if kind == "click-through lesson":  # warm kernels may still start on a loaded box
            page.wait_for_selector(".academy-step-heading", timeout=90_000)
        look = page.evaluate(LOOK)
        assert look is not None, f"{kind}: no academy bar at the top of {url}"
        assert look["background"] == rgb(BRAND.primary), (
            f"{kind}: the bar is {look['background']}, not the academy's {BRAND.primary}"
        )
        assert look["name"] in {academy_name, BRAND.name}, (
            f"{kind}: the bar's link says {look['name']!r}, not the academy's name"
        )
        assert look["home"] in {academy, urljoin(academy, "index.html")}, (
            f"{kind}: the academy's name links to {look['home']}, not the portal's home page"
        )
        assert look["font"].startswith(BRAND.font.split(",")[0]), (
            f"{kind}: text set in {look['font']}, not the academy's {BRAND.font}"
        )
        assert look["overflow"] <= 1, f"{kind}: {look['overflow']} px wider than a {viewport}"
    finally:
        context.close()


def test_search_index_holds_book_and_lesson_text(academy_build: BuildReport) -> None:
    import json

    docs = json.loads((academy_build.site / INDEX).read_text(encoding="utf-8"))["docs"]
    locations = [d["location"] for d in docs]
    books = [loc for loc in locations if loc.startswith("books/")]
    lessons = [loc for loc in locations if loc.startswith("lessons/")]
    assert len(books) > 50, f"only {len(books)} book sections in the portal's search"
    assert len(lessons) >= 10, f"only {len(lessons)} click-through lesson entries"
    for loc in books + lessons:
        page = loc.split("#", 1)[0]
        target = academy_build.site / (page + "index.html" if page.endswith("/") else page)
        assert target.is_file(), f"search result {loc} leads nowhere"
    tags = [
        d["location"] for d in docs if re.search(r"&lt;/?(p|ul|li|div|span|strong)\b", d["text"])
    ]
    assert not tags, f"search entries show HTML tags as text: {tags[:3]}"
    answers = [d["location"] for d in docs if "Answers for the trainer" in d["title"] + d["text"]]
    assert not answers, f"a learner's search shows the trainer's answers: {answers[:3]}"
    pandas = [d for d in docs if d["location"].startswith("books/analyst/pandas-311/")]
    assert any("value_counts" in d["text"] for d in pandas), "code in the books is not searchable"


def test_search_finds_a_lesson_and_opens_it(academy: str, browser) -> None:
    context = browser.new_context(viewport={"width": 768, "height": 1024})
    page = context.new_page()
    try:
        signed_in(page, academy)
        page.goto(urljoin(academy, "index.html"), wait_until="load")
        page.keyboard.press("s")  # material's search shortcut, as a keyboard user opens it
        box = page.locator("input.md-search__input")
        box.wait_for(state="visible", timeout=10_000)
        box.fill("twin")  # a word of the duplicates lesson's steps
        page.locator(".md-search-result__item a").first.wait_for(state="visible", timeout=20_000)
        lesson = urljoin(academy, PAGES["click-through lesson"])
        hrefs = page.eval_on_selector_all(
            ".md-search-result__item a", "els => els.map(e => e.href)"
        )
        assert any(h.startswith(lesson) for h in hrefs), f"no result opens {lesson}: {hrefs}"
        page.eval_on_selector_all(  # click the first result that opens the lesson
            ".md-search-result__item a",
            "(els, url) => els.find(e => e.href.startsWith(url)).click()",
            lesson,
        )
        page.wait_for_url(lesson + "**", timeout=30_000)
        page.wait_for_selector(".academy-step-heading", timeout=90_000)
    finally:
        context.close()
