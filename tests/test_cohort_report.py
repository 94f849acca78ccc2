"""The cohort report says who needs help: aggregates first, then a learner × question grid
with the four states (and not handed in), links to feedback, colour-blind-safe labels;
opened in headless Chromium at desktop and phone width."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from cohort_support import make_cohort
from site_browser import chromium

from academy.cohort.lesson_progress import LessonProgress
from academy.cohort.manifest import load_manifest
from academy.cohort.records import GradeRecord, QuestionResult
from academy.cohort.report import STATES, build_report, render_report
from academy.cohort.roster import roster
from academy.cohort.scores import CohortScores, ExerciseScore, LearnerScores

# learner -> {grade_id: (status recorded at grading, score)}; None: nothing handed in
RESULTS = {
    "ada": {
        "total-check": ("passed", 2),
        "big-count-check": ("passed", 1),
        "mean-check": ("passed", 2),
    },
    "bo": {
        "total-check": ("partial", 1),
        "big-count-check": ("passed", 1),
        "mean-check": ("failed", 0),
    },
    "cy": {
        "total-check": ("not-attempted", 0),
        "big-count-check": ("not-attempted", 0),
        "mean-check": ("not-attempted", 0),
    },
    "di": {
        "total-check": ("failed", 0),
        "big-count-check": ("passed", 1),
        "mean-check": ("failed", 0),
    },
    "jo": None,
}


CHECK = "python-basics/check-your-lists"  # the course's graded check


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    base = tmp_path_factory.mktemp("report")
    folder = make_cohort(base, list(RESULTS))
    manifest = load_manifest(folder, "sums")
    people = {x.id: x for x in roster(folder)}
    rows, records = [], {}
    for learner, results in RESULTS.items():
        if results is None:
            rows.append(LearnerScores(people[learner], {"sums": ExerciseScore("sums", 5.0)}))
            continue
        score = sum(s for _, s in results.values())
        rows.append(
            LearnerScores(
                people[learner],
                {
                    "sums": ExerciseScore(
                        "sums",
                        5.0,
                        score=float(score),
                        questions={g: float(s) for g, (_, s) in results.items()},
                        submitted_at=datetime(2030, 1, 1, tzinfo=UTC),
                        late_seconds=3600.0 * 30 if learner == "di" else 0.0,
                    )
                },
            )
        )
        records[learner] = GradeRecord(
            learner=learner,
            exercise="sums",
            outcome="graded",
            submission_sha256="x",
            manifest_sha256=manifest.source_sha256,
            graded_at=datetime(2030, 1, 2, tzinfo=UTC),
            sandbox="bwrap",
            seconds=1.0,
            score=float(score),
            max_score=5.0,
            questions=[
                QuestionResult(
                    grade_id=q.grade_id,
                    score=float(results[q.grade_id][1]),
                    points=q.points,
                    status=results[q.grade_id][0],
                    message="",
                )
                for q in manifest.questions
            ],
            flags=[]
            if learner != "di"
            else [
                {"grade_id": "total-check", "kind": "edited", "message": "a test cell was edited"}
            ],
            problems=["stopped early: kernel-died at cell 4"] if learner == "di" else [],
        )
    progress = {
        "ada": {
            "python-basics/reading-lists": LessonProgress(
                "python-basics/reading-lists", 2, 2, True, datetime(2030, 1, 1, tzinfo=UTC)
            )
        },
        "bo": {
            "python-basics/reading-lists": LessonProgress(
                "python-basics/reading-lists", 1, 2, False, datetime(2030, 1, 1, tzinfo=UTC)
            ),
            CHECK: LessonProgress(CHECK, 6, 6, True, datetime(2030, 1, 1, tzinfo=UTC), 5, 4),
        },
        "cy": {CHECK: LessonProgress(CHECK, 6, 6, True, datetime(2030, 1, 1, tzinfo=UTC), 5, 2)},
        "di": {CHECK: LessonProgress(CHECK, 3, 6, False, datetime(2030, 1, 1, tzinfo=UTC), 2, 2)},
    }
    data = build_report(
        CohortScores([manifest], rows),
        {"sums": records},
        progress,
        ["python-basics/reading-lists", CHECK],
        cohort="test",
        track="Analyst Basics",
        pass_mark=70,
        feedback_links={
            (x, "sums"): f"../feedback/{x}/sums/sums.html" for x in ("ada", "bo", "cy", "di")
        },
        statements={"sum-values": "Add up a list of values"},
        city="fixture",
        checks={CHECK},
    )
    path = base / "report" / "index.html"
    path.parent.mkdir()
    path.write_text(render_report(data))
    return data, path


def test_the_grid_separates_the_four_states_and_not_handed_in(report):
    data, _ = report
    grid = {row.id: [c.state for c in row.cells] for row in data.learners}
    assert grid == {
        "ada": ["passed", "passed", "passed"],
        "bo": ["partial", "passed", "wrong"],
        "cy": ["not-attempted"] * 3,  # a blank notebook is not three wrong answers
        "di": ["wrong", "passed", "wrong"],
        "jo": ["missing"] * 3,
    }
    total = data.questions[0]
    assert (total.attempted, total.passed, total.partial, total.wrong, total.not_attempted) == (
        3,
        1,
        1,
        1,
        1,
    )
    assert total.median == 1
    assert data.hardest.grade_id == "mean-check"
    assert [row.id for row in data.not_started] == ["jo"]
    assert len(data.learners) == 5  # one row per learner, flags grouped
    di = next(row for row in data.learners if row.id == "di")
    assert len(di.issues) == 3 and any("late" in i for i in di.issues)


def test_a_graded_check_is_scored_on_first_answers_against_the_pass_mark(report):
    data, path = report
    check = next(s for s in data.lessons if s.lesson == CHECK)
    practice = next(s for s in data.lessons if s.lesson != CHECK)
    assert (check.check, check.completed, check.passed, check.median_score) == (True, 2, 1, 60.0)
    assert not practice.check and practice.median_score is None
    cells = {row.id: row.lessons[1] for row in data.learners}
    assert (cells["bo"].state, cells["bo"].detail) == ("passed", "4/5")  # 80% >= 70%
    assert (cells["cy"].state, cells["cy"].words) == ("wrong", "below the pass mark")
    assert cells["di"].state == "partial"  # started, not finished: no score yet
    cy = next(row for row in data.learners if row.id == "cy")
    assert cy.issues == [f"{CHECK} (graded check): scored 40%, below the 70% pass mark"]
    page = path.read_text()
    assert "1 of 2 passed; median score 60%" in page and "practice, not graded" in page


def test_the_page_reads_right_on_desktop_and_phone(report):
    _, path = report
    html = path.read_text()
    assert "0 of 0" not in html and "<script" not in html
    assert not re.search(r"""(src|href)=["']?https?://""", html)
    assert (
        html.index("At a glance")
        < html.index("Where the cohort struggles")
        < html.index("for the trainer only")
    )
    for _, _, words in STATES.values():
        assert words in html
    assert "#0072B2" in html  # Okabe-Ito blue, not red/green
    with chromium() as browser:
        for width, height in ((1280, 900), (390, 844)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(path.as_uri())
            text = page.inner_text("body")
            assert "Hardest question: Mean" in text or "Hardest question:" in text
            assert "of the 4 who handed in passed it" in text
            assert "Not started yet (1): Learner Jo" in text
            rows = page.locator("table.grid tbody tr")
            assert rows.count() == 5
            cells = page.locator("table.grid tbody tr").nth(2).locator("td.state")
            assert "not attempted" in cells.nth(0).inner_text()
            link = page.locator("table.grid a").first
            assert link.get_attribute("href") == "../feedback/ada/sums/sums.html"
            # nothing spills off the page sideways: wide tables scroll inside their box
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"page is {overflow}px wider than a {width}px screen"
            # chart labels are whole: no ellipsis, and every label sits inside its svg
            labels = page.evaluate(
                """() => [...document.querySelectorAll('svg text')].map(t => {
                    const box = t.getBoundingClientRect();
                    const svg = t.ownerSVGElement.getBoundingClientRect();
                    return {text: t.textContent,
                            inside: box.left >= svg.left - 1 && box.right <= svg.right + 1};
                })"""
            )
            assert labels and not [x for x in labels if "…" in x["text"]]
            assert all(x["inside"] for x in labels), [x for x in labels if not x["inside"]]
            page.close()
