"""My progress (pure): lessons done, in progress and not started, and what is left for each
track's certificate: from the lessons alone, or the cohort's own verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from academy.clickthrough.catalogue import (
    CatalogueCourse,
    CatalogueExercise,
    CatalogueLesson,
    CatalogueTrack,
    LessonCatalogue,
)
from academy.clickthrough.learner import Identity
from academy.progress.store import LessonSummary
from academy.serve.my_progress import CohortTrack, progress_page

AT = datetime(2030, 3, 4, 10, 0, tzinfo=UTC)


def lesson(course: str, name: str, graded: bool = False) -> CatalogueLesson:
    return CatalogueLesson(
        id=f"{course}/{name}",
        title=name.replace("-", " ").capitalize(),
        minutes=5,
        url=f"/lessons/{course}/{name}/",
        graded=graded,
    )


CATALOGUE = LessonCatalogue(
    city="baltimore",
    tracks=[
        CatalogueTrack(
            id="foundations",
            title="Foundations",
            courses=[
                CatalogueCourse(
                    id="charts",
                    title="Reading charts",
                    url="/courses/charts.html",
                    lessons=[lesson("charts", "bars"), lesson("charts", "check", graded=True)],
                    exercises=[CatalogueExercise(id="sums", title="Adding up requests")],
                ),
                CatalogueCourse(
                    id="rows",
                    title="Rows",
                    url="/courses/rows.html",
                    lessons=[lesson("rows", "one-row")],
                    exercises=[],
                ),
            ],
        ),
        CatalogueTrack(id="analyst", title="Analyst", courses=[]),
    ],
)
SAM = Identity("sam", "Sam", None, "typed")


def summary(lesson_id: str, done: int, total: int, answered: int = 0, right: int = 0):
    return LessonSummary("sam", lesson_id, done, total, done >= total, AT, answered, right)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@dataclass(frozen=True)
class Need:
    kind: str
    id: str
    why: str = ""


def test_a_new_learner_sees_every_lesson_to_start() -> None:
    page = text(progress_page(SAM, CATALOGUE, []))
    assert "Signed in as Sam" in page and "Not you? Sign out" in page
    assert "You have finished 0 of 3 lessons." in page and "Carry on" not in page
    assert page.count("○ Not started") == 3 and "Start: Bars" in page
    assert "Finish 3 more lessons" in page
    assert "Adding up requests : your trainer gives it and grades it" in page
    assert "Analyst" not in page  # a track without click-through lessons


def test_done_in_progress_and_a_graded_score() -> None:
    summaries = [summary("charts/bars", 2, 4), summary("charts/check", 5, 5, 4, 3)]
    html = progress_page(SAM, CATALOGUE, summaries)
    page = text(html)
    assert "You have finished 1 of 3 lessons and have 1 in progress." in page
    assert "Carry on: Bars" in page and "In progress: 2 of 4 steps done" in page
    assert "Done on 4 March 2030 · your score 75% (first answers)" in page
    assert "Finish 2 more lessons" in page
    assert "counts at your trainer's pass mark (your score: 75%)" in page
    assert 'href="/lessons/charts/bars/"' in html and 'href="/courses/charts.html"' in html


def test_the_cohorts_verdict_for_its_track() -> None:
    who = Identity("mlopez", "María López", "mlopez", "roster")
    needs = [
        Need("exercise", "sums", "not handed in"),
        Need("lesson", "charts/bars"),
        Need("check", "charts/check", "60%, needs 70%"),
        Need("prerequisite", "analyst", "no certificate"),
    ]
    cohort = CohortTrack("foundations", 70)
    page = text(progress_page(who, CATALOGUE, [], cohort, needs))
    assert "Signed in as María López (mlopez)" in page
    assert "Finish 1 more lesson " in page
    assert "Adding up requests : not handed in" in page
    assert "Pass the graded check Check : your first answers scored 60%, needs 70%" in page
    assert "The certificate of the Analyst track first" in page
    done = text(progress_page(who, CATALOGUE, [], cohort, []))
    assert "You have done everything the Foundations certificate asks for." in done


def test_an_unreadable_store_is_said_plainly() -> None:
    page = text(progress_page(SAM, CATALOGUE, None))
    assert "We cannot read the progress database right now" in page
    assert "0 of" not in page
    assert "being built" in text(progress_page(SAM, None, []))
    hub = Identity("mgarcia", "mgarcia", "mgarcia", "hub")
    assert "Sign out" not in text(progress_page(hub, CATALOGUE, []))
