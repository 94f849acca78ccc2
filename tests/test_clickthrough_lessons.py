"""Click-through lessons: queries, validation of bad input (file and line), both cities,
reading level, the app's behaviour without a browser, and the printable page.
"""

from __future__ import annotations

import json
import re
import shutil
from html import escape
from pathlib import Path

import pandas as pd
import pytest
import textstat
from clickthrough_support import lesson_with

from academy.checks.clickthrough import clickthrough_lessons
from academy.checks.rule import Context
from academy.clickthrough import simulation
from academy.clickthrough.app import LessonApp, NullStore, load_resolved
from academy.clickthrough.build import build_clickthrough, data_loader, resolve_file
from academy.clickthrough.learner import Identity
from academy.clickthrough.lesson_files import lesson_files
from academy.clickthrough.queries import check_queries, evaluate_queries
from academy.clickthrough.text import format_value, to_html
from academy.curriculum.loading import load_curriculum

REPO = Path(__file__).resolve().parents[1]
MAX_GRADE = 8.0


@pytest.fixture(scope="module")
def cur():
    return load_curriculum(REPO)[0]


# --- queries -------------------------------------------------------------------------


FRAME = pd.DataFrame(
    {
        "kind": ["pothole", "pothole", "trash", None, "trash", "light"],
        "n": [1.0, 2.0, 3.0, 4.0, None, 6.0],
        "when": pd.to_datetime(
            ["2020-01-01", "2020-01-01", "2020-02-01", "2020-03-01", "2020-03-05", None]
        ),
    }
)


def test_query_vocabulary() -> None:
    lesson = lesson_with(
        {
            "total": {"from": "rows", "steps": [{"count": True}]},
            "by_kind": {"from": "rows", "steps": [{"count_by": {"column": "kind"}}]},
            "top": {"from": "by_kind", "steps": [{"pick": {"column": "kind"}}]},
            "trash_share": {
                "from": "rows",
                "steps": [{"share": {"column": "kind", "equals": "trash"}}],
            },
            "middle": {"from": "rows", "steps": [{"median": "n"}]},
            "blank_kind": {
                "from": "rows",
                "steps": [{"filter": {"column": "kind", "missing": True}}, {"count": True}],
            },
            "repeats": {
                "from": "rows",
                "steps": [
                    {"mark_duplicates": {"columns": ["kind", "when"], "into": "r"}},
                    {"filter": {"column": "r", "equals": True}},
                    {"count": True},
                ],
            },
            "monthly": {
                "from": "rows",
                "steps": [{"count_by_period": {"column": "when", "period": "month"}}],
            },
            "growth": {"from": "rows", "steps": [{"change": {"column": "n", "by": "when"}}]},
        }
    )
    results = evaluate_queries(lesson, lambda name: FRAME)
    assert results["total"] == 6
    assert results["by_kind"].to_dict("list") == {
        "kind": ["pothole", "trash", "light"],
        "count": [2, 2, 1],
    }
    assert results["top"] == "pothole"
    assert results["trash_share"] == pytest.approx(2 / 6)
    assert results["middle"] == 3.0
    assert results["blank_kind"] == 1
    assert results["repeats"] == 2
    assert results["monthly"]["count"].tolist() == [2, 1, 2]
    assert results["growth"] == pytest.approx(3.0)  # 1 -> 4 (rows with a date and a number)


def test_query_columns_checked_without_data() -> None:
    lesson = lesson_with(
        {
            "bad": {"from": "rows", "steps": [{"filter": {"column": "knd", "equals": "x"}}]},
            "fine": {
                "from": "rows",
                "steps": [{"count_by": {"column": "kind"}}, {"pick": {"column": "count"}}],
            },
            "late": {"from": "rows", "steps": [{"count": True}, {"head": 2}]},
            "nowhere": {"from": "nope", "steps": []},
        }
    )
    shapes, problems = check_queries(
        lesson, lambda name: ["kind", "n", "when"] if name == "rows" else None
    )
    messages = {p.loc: p.message for p in problems}
    assert "no column 'knd'" in messages[("queries", "bad", "steps", 0, "filter", "column")]
    assert shapes["fine"].is_value and not shapes["bad"].is_value
    assert any("must come last" in m for m in messages.values())
    assert any("unknown table, dataset or query 'nope'" in m for m in messages.values())


def test_text_formatting() -> None:
    assert format_value(12345) == "12,345"
    assert format_value(0.1234, "percent") == "12%"
    assert format_value(-0.002, "percent") == "less than 1%"
    assert format_value(pd.Timestamp("2018-04-03 10:00"), None) == "April 3, 2018"
    assert format_value(pd.Timestamp("2018-04-03"), "month") == "April 2018"
    assert (
        to_html("Hi **you** <b>\n\n- a\n- b")
        == "<p>Hi <strong>you</strong> &lt;b&gt;</p><ul><li>a</li><li>b</li></ul>"
    )


# --- validation: bad input gives file and line ----------------------------------------------


BAD = """title: Broken
summary: A lesson with mistakes.
objectives: [describe-record-as-row, no-such-objective]
key_points: [One.]
minutes: 5
datasets: [service_requests]
queries:
  total:
    from: service_requests
    steps:
      - filter: {column: request_typo, equals: x}
      - count: true
steps:
  - kind: read
    title: Hello
    text: There are {total} rows and {nothing}.
  - kind: quiz
    title: What?
  - kind: choice
    title: Pick
    question: Which?
    choices:
      - text: A
        feedback: Because.
      - text: B
        feedback: Because.
    answer: C
  - kind: read
    title: Extra
    colour: red
"""


@pytest.fixture
def bad_academy(tmp_path):
    root = tmp_path / "academy"
    shutil.copytree(REPO / "curriculum", root / "curriculum")
    shutil.copytree(REPO / "datasets", root / "datasets")
    shutil.copytree(REPO / "tracks", root / "tracks", ignore=shutil.ignore_patterns("_build"))
    folder = root / "tracks" / "foundations" / "good-data" / "clickthrough"
    (folder / "broken.yml").write_text(BAD)
    return root, "tracks/foundations/good-data/clickthrough/broken.yml"


def validate_clickthrough(cur) -> list:
    """The click-through lessons' own findings, as `academy validate` reports them."""
    return clickthrough_lessons(Context(cur))


def test_bad_lesson_findings_have_file_and_line(bad_academy) -> None:
    from academy.checks.registry import validate

    root, rel = bad_academy
    cur, _ = load_curriculum(root)
    found = {(f.line, f.rule): f.message for f in validate_clickthrough(cur) if f.path == rel}
    assert "unknown step kind 'quiz'" in found[(17, "schema")]
    assert "unknown key 'colour'" in found[(30, "schema")]
    # the schema errors stop the deeper checks for this file, not the ones of every lesson
    found = {(f.line, f.rule): f.message for f in validate(root) if f.path == rel}
    assert "unknown objective 'no-such-objective'" in found[(3, "ref-unresolved")]
    # fix them and re-check
    text = BAD.replace("  - kind: quiz\n    title: What?\n", "").replace("    colour: red\n", "")
    (root / rel).write_text(text)
    cur, _ = load_curriculum(root)
    found = {(f.line, f.rule): f.message for f in validate_clickthrough(cur) if f.path == rel}
    assert "no column 'request_typo'" in found[(11, "clickthrough-query")]
    assert "'{nothing}' names no query" in found[(16, "clickthrough-text")]
    assert "the answer 'C' is not among the choices" in found[(25, "clickthrough-answer")]


def test_validate_command_reports_the_lesson_missing_from_toc(bad_academy) -> None:
    from academy.checks.registry import validate

    root, rel = bad_academy
    findings = [f for f in validate(root) if f.path == rel]
    assert any(f.rule == "toc-missing" for f in findings)


def test_real_lessons_are_valid(cur) -> None:
    problems = validate_clickthrough(cur)
    assert not problems, "\n".join(map(str, problems))
    assert len(lesson_files(cur)) >= 10
    courses = {item.book.course.id for item in lesson_files(cur)}
    assert len(courses) >= 3


# --- every city of the test matrix, reading level -----------------------------------------------------------


@pytest.fixture(scope="module", params=["baltimore", "pittsburgh", "los-angeles", "chicago"])
def resolved(request, cur):
    load = data_loader(REPO, request.param)
    return request.param, {
        item.id: resolve_file(item, cur, request.param, load) for item in lesson_files(cur)
    }


def _words(lesson: dict) -> list[str]:
    out = [lesson["title"], lesson["summary"], *lesson["objectives"], *lesson["key_points"]]
    for step in lesson["steps"]:
        out += [step["title"], step["plain"], step.get("question", "")]
        out += [c["text"] + ". " + c["feedback"] for c in step.get("choices", [])]
        out += step.get("items", [])
        out += [step.get(k, "") for k in ("right", "wrong", "too_low", "too_high")]
    return [
        w.strip() + ("" if w.strip().endswith((".", "?", "!", ":")) else ".")
        for w in out
        if w and w.strip()
    ]


@pytest.fixture(scope="module")
def offline_syllables():
    import test_reading_level as rl
    from textstat.backend.counts import _count_syllables

    words = rl._offline_cmudict()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            _count_syllables, "get_cmudict", lambda lang: words if lang.startswith("en") else None
        )
        yield


def test_every_lesson_builds_for_every_city(resolved) -> None:
    city, lessons = resolved
    assert len(lessons) >= 10
    for lesson_id, lesson in lessons.items():
        text = json.dumps(lesson)
        for bad in ("NaN", "NaT", "<NA>", "None"):
            assert bad not in text.replace("None of", ""), f"{lesson_id} ({city}) shows {bad}"
        assert any(s["kind"] not in {"read", "table"} for s in lesson["steps"])


def test_reading_level_at_most_grade_8(resolved, offline_syllables) -> None:
    city, lessons = resolved
    grades = {
        lid: textstat.flesch_kincaid_grade(" ".join(_words(lesson)))
        for lid, lesson in lessons.items()
    }
    too_hard = {k: round(v, 1) for k, v in grades.items() if v > MAX_GRADE}
    assert not too_hard, f"above grade {MAX_GRADE} for {city}: {too_hard}"


def test_city_without_close_dates_is_told_so(resolved) -> None:
    city, lessons = resolved
    life = lessons["requests-and-rows/life-of-a-request"]
    titles = [s["title"] for s in life["steps"]]
    if city == "pittsburgh":
        assert "What this city's file does not show" in titles
        assert "How long does a request stay open?" not in titles
    else:  # a slider for the median time to close, or, when half close within hours, says so
        assert ("How long does a request stay open?" in titles) != ("Closed the same day" in titles)


# --- the app without a browser --------------------------------------------------------------


def test_app_flow_records_and_resumes(tmp_path, cur) -> None:
    from academy.progress.store import ProgressStore

    out = build_clickthrough(cur, "baltimore", tmp_path, None)
    lesson = load_resolved(next(b.resolved for b in out if b.name == "reading-a-table"))
    store = ProgressStore(f"sqlite:///{tmp_path / 'p.sqlite'}")
    app = LessonApp(lesson, store, None)
    assert app.nav.layout.display == "none"  # nobody signed in: the page says to sign in first
    app.begin("Sam")
    app.advance()  # a table step: recorded as seen
    app.advance()
    app.check("At the top", False)
    assert app.next.disabled
    app.check("At the bottom", True)
    assert not app.next.disabled
    again = LessonApp(lesson, store, Identity("Sam", "Sam", None, "typed"))
    assert again.index == 3 and "Welcome back" in again.status.value


def test_broken_lesson_file_gives_a_plain_message(tmp_path, monkeypatch) -> None:
    from academy.clickthrough import app as app_module
    from academy.clickthrough.app import LessonUnavailable, start

    (tmp_path / "x.json").write_text("{not json")
    with pytest.raises(LessonUnavailable):
        load_resolved(tmp_path / "x.json")
    shown: list = []
    monkeypatch.setattr(app_module, "show", shown.append)
    assert start(str(tmp_path / "x.json")) is None
    assert len(shown) == 1  # what the learner sees instead of the lesson
    page = shown[0].value
    assert "This lesson cannot open right now" in page
    assert "The lesson file is missing or out of date." in page
    for leak in ("Traceback", "JSONDecodeError", "Expecting property name", str(tmp_path)):
        assert leak not in page
    app = LessonApp(
        {
            "id": "a/b",
            "title": "T",
            "course_title": "C",
            "summary": "S",
            "minutes": 1,
            "objectives": [],
            "key_points": ["k"],
            "steps": [{"kind": "read", "title": "t", "html": "", "media": []}],
        },
        NullStore(),
        Identity("z", "z", None, "typed"),
    )
    app.advance()
    assert "Well done" in app.main.children[0].value


def test_simulation_model() -> None:
    areas = [simulation.Area("A", 300, 30), simulation.Area("B", 100, 10)]
    assert simulation.days_to_clear(areas[0], 3, 10) == float("inf")
    assert simulation.days_to_clear(areas[0], 4, 10) == 30
    best = simulation.best_split(areas, 6, 10)

    def slowest(split: list[int]) -> float:
        return max(simulation.days_to_clear(a, c, 10) for a, c in zip(areas, split, strict=True))

    assert best == [4, 2]  # the only split of 6 crews that clears both areas
    assert slowest(best) == 30
    assert all(slowest(best) <= slowest([c, 6 - c]) for c in range(7))
    assert "goal: 20 days" in simulation.chart_svg(simulation.run(areas, best, 10, 20), 20, "x")


KIND_RULES = """title: Kind rules
summary: Each kind's own rules.
objectives: [describe-record-as-row]
key_points: [One.]
minutes: 5
datasets: [service_requests]
queries:
  total: {from: service_requests, steps: [{count: true}]}
  rows: {from: service_requests, steps: [{head: 5}]}
steps:
  - kind: estimate
    title: Guess
    question: Is it {answer}?
    answer: rows
    min: 5
    max: 1
    start: 9
    tolerance: 1
    right: Yes, {answer}.
    too_low: More.
    too_high: Less.
  - kind: spot
    title: Spot
    question: Which?
    table: {query: rows, columns: [status]}
    problem: {column: statuz, missing: true}
    right: Yes.
    wrong: No.
  - kind: simulation
    title: Crews
    question: Share {crews} crews.
    model: crews_backlog
    areas: rows
    scenario: {crews: 4, jobs_per_crew_per_day: 5, backlog: 100, new_per_day: 5, goal_days: 10}
    right: Yes.
    wrong: No.
  - kind: chart
    title: Chart
    question: Which?
    table: {query: rows, columns: [status]}
    chart: {query: rows, type: bar, x: status, y: agency, x_title: a, y_title: b, alt: c}
    choices: [{text: A, feedback: f}, {text: B, feedback: g}]
    answer: A
"""


def test_each_kind_checks_its_own_rules(bad_academy) -> None:
    root, rel = bad_academy
    (root / rel).write_text(KIND_RULES)
    cur, _ = load_curriculum(root)
    found = {(f.line, f.rule): f.message for f in validate_clickthrough(cur) if f.path == rel}
    assert found[(13, "clickthrough-text")].startswith("'{answer}' names no query")  # question
    assert (20, "clickthrough-text") not in found  # {answer} is filled in where it is told
    assert "gives rows" in found[(14, "clickthrough-query")]
    assert "max must be bigger" in found[(16, "clickthrough-step")]
    assert "starts outside" in found[(17, "clickthrough-step")]
    assert "no column 'statuz'" in found[(26, "clickthrough-query")]
    assert "no column 'share'" in found[(33, "clickthrough-query")]  # (and 'area')
    assert "move the table" in found[(40, "clickthrough-step")]


def test_a_graded_check_scores_first_answers_across_sessions(tmp_path) -> None:
    from academy.clickthrough.app import GRADED_MESSAGE
    from academy.progress.store import ProgressStore

    choice = {
        "kind": "choice",
        "title": "Pick",
        "html": "",
        "plain": "",
        "media": [],
        "question": "Which?",
        "multiple": False,
        "choices": [{"text": "A", "feedback": "Yes."}, {"text": "B", "feedback": "No."}],
        "answer": [0],
    }
    lesson = {
        "format": 2,
        "id": "c/check",
        "title": "Check",
        "course_title": "C",
        "summary": "S",
        "minutes": 5,
        "objectives": ["Pick well"],
        "key_points": ["k"],
        "city": "testville",
        "data_note": None,
        "links": {},
        "graded": True,
        "steps": [choice, {**choice, "title": "Pick again"}],
    }
    store = ProgressStore(f"sqlite:///{tmp_path / 'p.sqlite'}")
    sam = Identity("Sam", "Sam", None, "typed")
    first = LessonApp(lesson, store, sam)
    assert escape(GRADED_MESSAGE) in first.status.value  # said before the first question
    first.check("B", False)  # wrong first: scored as wrong, though a retry moves on
    first.check("A", True)
    first.advance()
    later = LessonApp(lesson, store, sam)  # another session resumes at step 2
    assert later.index == 1
    later.check("A", True)
    later.advance()
    summary = later.main.children[0].value
    assert "Your score: 1 of 2 questions right the first time (50%)" in summary
    (row,) = store.lesson_summaries()
    assert row.completed and (row.answered, row.first_right) == (2, 1)
    later.restart()
    later.check("A", True)  # doing it again does not change the score
    assert store.lesson_summaries()[0].first_right == 1


BAR = re.compile(r'aria-roledescription="bar" d="M0,[\d.]+h([\d.]+)v')
AXIS_LABELS = re.compile(r'role-axis-label".*?</g>', re.DOTALL)


def test_chart_a_axis_does_not_start_at_zero(resolved) -> None:
    """The misleading-axis lesson's Chart A, as drawn (wide and phone SVG) for each city:
    its number axis starts above zero, the bars look far more different than the numbers
    are (what the step asks about), and Chart B's axis starts at zero."""
    city, lessons = resolved
    lesson = lessons["reading-charts/misleading-axis"]
    chart_a, chart_b = [s["media"][0] for s in lesson["steps"] if s.get("media")][:2]
    for svg in (chart_a["svg"], chart_a["svg_narrow"]):
        first_tick = float(
            re.findall(r">([\d,.]+)</text>", AXIS_LABELS.search(svg).group())[0].replace(",", "")
        )
        assert first_tick > 0, f"{city}: Chart A's axis starts at {first_tick}"
        bars = [float(w) for w in BAR.findall(svg)]
        counts = [int(n) for n in re.findall(r'aria-label="Number of requests: (\d+);', svg)]
        assert len(bars) == len(counts) == 3, city
        looks, really = max(bars) / min(bars), max(counts) / min(counts)
        assert looks >= 2 and looks > 1.5 * really, (city, looks, really)
    zero = re.findall(r">([\d,.]+)</text>", AXIS_LABELS.search(chart_b["svg"]).group())[0]
    assert zero == "0", f"{city}: Chart B's axis starts at {zero}"


def test_a_test_on_a_column_the_rows_lack_is_a_lesson_problem_not_a_key_error() -> None:
    """Static checks cannot always know a query's columns for every city (a city may not
    publish one): building then says where, never a raw KeyError."""
    import pandas as pd

    from academy.clickthrough.condition import Condition
    from academy.clickthrough.errors import ResolveError
    from academy.clickthrough.resolve import Resolver

    rows = pd.DataFrame({"status": ["open", "closed"]})
    resolver = Resolver.__new__(Resolver)  # marks reads nothing of the lesson
    test = Condition.model_validate({"column": "channel", "missing": True})
    with pytest.raises(ResolveError) as raised:
        resolver.marks(rows, test, ("steps", 2, "problem"))
    assert raised.value.loc == ("steps", 2, "problem", "column")
    assert "no column 'channel'" in raised.value.message and "status" in raised.value.message
    assert resolver.marks(
        rows, Condition.model_validate({"column": "status", "equals": "open"}), ()
    ) == [True, False]
