"""The real academy, built for both cities and opened in headless Chromium.

Fails if any page requests anything outside 127.0.0.1, if a chart has no drawn marks or
no text alternative, or if axe-core finds a serious or critical WCAG 2.1 AA violation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from site_browser import axe_serious, charts, chromium, served, visit

from academy.build.links import broken_links, external_refs
from academy.curriculum.loading import Curriculum, load_curriculum
from academy.portal.pages import live_lessons

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _prose(html: str) -> str:
    """The text a learner reads: the article without code shown as code (its input and
    the output printed under it), but with what hidden cells display (tables, charts)."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.find("article") or soup
    for cell in article.select("div.cell"):
        if cell.select_one("div.cell_input"):
            cell.decompose()
    for code in article.select("code, pre"):  # `NaT` named in a sentence about pandas
        code.decompose()
    return article.get_text(" ")


@pytest.fixture(scope="session")
def curriculum() -> Curriculum:
    return load_curriculum(REPO)[0]


@pytest.fixture(scope="session")
def built(curriculum: Curriculum, built_cities) -> dict[str, dict[str, str]]:
    """Each city's lesson texts, read from its books."""
    return {
        city: {
            f"{result.course_id}/{lesson.docname}": _prose(
                (result.html / f"{lesson.docname}.html").read_text()
            )
            for result in report.books
            for lesson in curriculum.book(result.course_id).lessons
        }
        for city, report in built_cities.items()
    }


@pytest.fixture(scope="session", params=["baltimore", "pittsburgh"])
def site(request: pytest.FixtureRequest, built_cities) -> Path:
    """Each city's assembled site (portal, books, lesson pages)."""
    return built_cities[request.param].site


@pytest.fixture(scope="session")
def academy_site(academy_build) -> Path:
    """The site of the city academy.yml names, the one opened in the browser."""
    return academy_build.site


def test_every_catalogue_page_and_lesson_is_built(site: Path, curriculum: Curriculum) -> None:
    expected = ["index.html", "roles.html", "tracks/index.html", "datasets/index.html"]
    expected += [f"tracks/{t.id}.html" for t in curriculum.tracks]
    for book in curriculum.books:
        expected.append(f"courses/{book.course.id}.html")
        expected += [
            f"books/{book.track.id}/{book.course.id}/{lesson.docname}.html"
            for lesson in book.lessons
        ]
    missing = [page for page in expected if not (site / page).is_file()]
    assert missing == []


def test_portal_links_into_every_lesson(site: Path, curriculum: Curriculum) -> None:
    for book in curriculum.books:
        page = (site / f"courses/{book.course.id}.html").read_text()
        for lesson in book.lessons:
            assert f'href="../books/{book.track.id}/{book.course.id}/{lesson.docname}.html"' in page


def test_site_has_no_broken_links_or_remote_assets(site: Path) -> None:
    assert broken_links(site) == []
    assert external_refs(site) == []


def test_lessons_are_written_for_each_city(built: dict[str, dict[str, str]]) -> None:
    for city, texts in built.items():
        for lesson, text in texts.items():
            assert not re.search(r"\b(nan|NaN|NaT)\b|<NA>", text), (
                f"{city}: {lesson} shows a missing value"
            )
    differing = [
        name for name in built["baltimore"] if built["baltimore"][name] != built["pittsburgh"][name]
    ]
    assert differing, "no lesson changed between cities: are the numbers coming from the data?"


def _pages(site: Path, curriculum: Curriculum) -> list[str]:
    pages = ["index.html", "roles.html", "tracks/index.html", "datasets/index.html"]
    pages += [f"tracks/{t.id}.html" for t in curriculum.tracks]
    pages += sorted(str(p.relative_to(site)) for p in (site / "datasets").rglob("*.html"))[:2]
    for book in curriculum.books:
        pages.append(f"courses/{book.course.id}.html")
        pages += [
            f"books/{book.track.id}/{book.course.id}/{lesson.docname}.html"
            for lesson in book.lessons[:2]
        ]
    return list(dict.fromkeys(pages))


@pytest.mark.browser
def test_pages_offline_charts_drawn_and_accessible(
    academy_site: Path, curriculum: Curriculum
) -> None:
    problems: list[str] = []
    drawn = 0
    with served(academy_site) as base, chromium() as browser:
        for page_path in _pages(academy_site, curriculum):
            with visit(browser, base + page_path) as (page, record):
                problems += [f"{page_path}: external request {url}" for url in record.external]
                problems += [f"{page_path}: failed to load {url}" for url in record.failed]
                for chart in charts(page):
                    drawn += 1
                    if chart["marks"] == 0 or chart["width"] == 0:
                        problems.append(f"{page_path}: chart '{chart['label']}' has no drawn marks")
                    elif chart["shown"] > 1:
                        problems.append(f"{page_path}: chart '{chart['label']}' is drawn twice")
                    if not chart["label"].strip():
                        problems.append(f"{page_path}: a chart has no text alternative")
                problems += [f"{page_path}: {v}" for v in axe_serious(page)]
    assert problems == []
    assert drawn > 0, "no charts were found on the pages checked"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(390, 844), (768, 1024)], ids=["phone", "tablet"])
def test_course_pages_on_phone_and_tablet(
    site: Path, curriculum: Curriculum, viewport: tuple[int, int]
) -> None:
    """Each course page fits the screen, lists each lesson once, has no serious axe
    problem, and its big button opens the course's first lesson: the click-through
    lesson when there is one, never its printable page of answers."""
    live = live_lessons(curriculum)
    problems: list[str] = []
    with served(site) as base, chromium() as browser:
        for book in curriculum.books:
            path = f"courses/{book.course.id}.html"
            lessons = [x for x in book.lessons if x.docname != book.course.check_docname]
            with visit(browser, base + path, viewport) as (page, _):
                wide = page.evaluate("document.documentElement.scrollWidth")
                if wide > viewport[0] + 1:
                    problems.append(f"{path}: {wide} px wide on a {viewport[0]} px screen")
                listed = page.locator("ol.academy-course-lessons > li").count()
                if listed != len(lessons):
                    problems.append(f"{path}: {listed} lessons listed, not {len(lessons)}")
                button = page.locator(".academy-start a")
                opens = button.evaluate("a => new URL(a.href).pathname")
                first = live.get(book.course.id, {}).get(lessons[0].docname)
                want = (
                    f"/lessons/{book.course.id}/{first.name}/"
                    if first is not None
                    else f"/books/{book.track.id}/{book.course.id}/{lessons[0].docname}.html"
                )
                if opens != want:
                    problems.append(f"{path}: the big button opens {opens}, not {want}")
                if not button.is_visible() or button.bounding_box()["height"] < 44:
                    problems.append(f"{path}: the big button is not a 44 px target")
                problems += [f"{path}: {v}" for v in axe_serious(page)]
    assert problems == []


def _one_of_each(site: Path, curriculum: Curriculum) -> list[str]:
    """One page of every kind the static site has: portal pages, a dataset page, the
    reference, a course book's lesson and a click-through lesson's printable page."""
    pages = ["index.html", "roles.html", "tracks/index.html", "reference.html"]
    pages += [
        f"tracks/{curriculum.tracks[0].id}.html",
        f"courses/{curriculum.books[0].course.id}.html",
    ]
    pages += sorted(str(p.relative_to(site)) for p in (site / "datasets").rglob("*.html"))[:2]
    for book in curriculum.books:
        folder = site / "books" / book.track.id / book.course.id
        pages += sorted(str(p.relative_to(site)) for p in folder.glob("clickthrough/*.html"))[:1]
        pages += [
            f"books/{book.track.id}/{book.course.id}/{x.docname}.html" for x in book.lessons[1:2]
        ]
    return pages


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(390, 844), (768, 1024)], ids=["phone", "tablet"])
def test_every_page_type_accessible_on_phone_and_tablet(
    site: Path, curriculum: Curriculum, viewport: tuple[int, int]
) -> None:
    """axe finds no serious or critical problem on any kind of page, at phone and tablet
    size (wide tables that scroll can be reached with the keyboard), nor in the portal's
    search dialog showing results."""
    problems: list[str] = []
    with served(site) as base, chromium() as browser:
        for path in _one_of_each(site, curriculum):
            with visit(browser, base + path, viewport) as (page, _):
                problems += [f"{path}: {v}" for v in axe_serious(page)]
        with visit(browser, base + "index.html", viewport) as (page, _):
            page.locator("label.md-header__button[for=__search]").first.click()
            page.keyboard.type("request")
            page.locator(".md-search-result__item").first.wait_for(timeout=10_000)
            problems += [f"search dialog: {v}" for v in axe_serious(page)]
    assert problems == []
