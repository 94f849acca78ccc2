"""The Foundations `data-basics` book and the four Practitioner books, built for both
cities: each page reads correctly whether or not the city records closing and due dates,
Foundations pages show no code, and every chart carries a text alternative.
"""

from __future__ import annotations

import re

import pytest
from city_matrix import page_text

COURSES = (
    "data-basics",
    "service-performance",
    "tiered-reporting",
    "fair-questions",
    "data-governance",
)
CITIES = ("baltimore", "pittsburgh")
pytestmark = pytest.mark.slow
LABELLED_CHART = re.compile(r'<figure class="academy-chart"><svg role="img" aria-label="[^"]{20,}"')


@pytest.fixture(scope="module")
def pages(built_cities) -> dict[tuple[str, str], str]:
    """(city, '<course>/<page>') -> the built page's HTML."""
    found = {}
    for city in CITIES:
        for result in built_cities[city].books:
            if result.course_id not in COURSES:
                continue
            for page in result.html.glob("*.html"):
                if page.stem not in {"genindex", "search", "index"}:
                    found[(city, f"{result.course_id}/{page.stem}")] = page.read_text(
                        encoding="utf-8"
                    )
    return found


def _page(pages: dict[tuple[str, str], str], city: str, name: str) -> str:
    assert (city, name) in pages, f"{name} was not built for {city}"
    return page_text(pages[(city, name)], code=True)


def test_every_lesson_is_built_for_both_cities(pages: dict[tuple[str, str], str]) -> None:
    for course in COURSES:
        for city in CITIES:
            lessons = [name for (c, name) in pages if c == city and name.startswith(course + "/")]
            assert len(lessons) >= 3, f"{course} ({city}) has an intro and at least 2 lessons"


def test_no_missing_values_shown(pages: dict[tuple[str, str], str]) -> None:
    for (city, name), page_html in pages.items():
        found = re.findall(r"\b(nan|NaN|NaT|None|<NA>)\b", page_text(page_html, code=True))
        assert not found, f"{name} ({city}) shows {found[0]!r} to the learner"


def test_foundations_pages_show_no_code(pages: dict[tuple[str, str], str]) -> None:
    for (city, name), page_html in pages.items():
        if name.startswith("data-basics/"):
            assert "cell_input" not in page_html, f"{name} ({city}) shows a code cell"


def test_every_chart_has_a_text_alternative(pages: dict[tuple[str, str], str]) -> None:
    for (city, name), page_html in pages.items():
        charts = page_html.count('<figure class="academy-chart">')
        labelled = len(re.findall(LABELLED_CHART, page_html))
        assert charts == labelled, f"{name} ({city}): {charts - labelled} chart(s) without alt text"


def test_baltimore_measures_time_to_close_and_on_time(pages: dict[tuple[str, str], str]) -> None:
    how_long = _page(pages, "baltimore", "service-performance/how-long-do-requests-take")
    assert "we can measure time to close" in how_long
    on_time = _page(pages, "baltimore", "service-performance/on-time-or-just-closed")
    assert "The on-time rate under different counting rules" in on_time


def test_pittsburgh_says_what_its_data_does_not_record(pages: dict[tuple[str, str], str]) -> None:
    how_long = _page(pages, "pittsburgh", "service-performance/how-long-do-requests-take")
    assert "Pittsburgh's data does not record when each request was closed" in how_long
    assert "time waiting" in how_long
    on_time = _page(pages, "pittsburgh", "service-performance/on-time-or-just-closed")
    assert "no on-time rate can be computed from Pittsburgh's open data" in on_time
    assert "The share closed under different counting rules" in on_time
    row = _page(pages, "pittsburgh", "data-basics/a-call-becomes-a-row")
    assert "blank on every row" in row


def test_quality_standards_are_measured_or_said_to_be_uncheckable(pages) -> None:
    baltimore = _page(pages, "baltimore", "data-governance/quality-standards")
    assert "Six quality standards measured on Baltimore" in baltimore
    assert "cannot be checked:" not in baltimore  # Baltimore records closing dates
    pittsburgh = _page(pages, "pittsburgh", "data-governance/quality-standards")
    assert "cannot be checked:" in pittsburgh
    assert "does not record when each request was closed" in pittsburgh


def test_privacy_lesson_says_whose_salary_file_it_uses(pages) -> None:
    pittsburgh = _page(pages, "pittsburgh", "data-governance/privacy-and-public-records")
    assert "so this lesson uses Baltimore" in pittsburgh
    baltimore = _page(pages, "baltimore", "data-governance/privacy-and-public-records")
    assert "so this lesson uses" not in baltimore
    for page in (pittsburgh, baltimore):
        assert "Employee " in page and "are the only person with their job title" in page
