"""The click-through vocabulary, registered op by op and kind by kind.

Every test here runs over what the registries hold (`ops.OPS`, `kinds.KINDS`), so a new
operation or step kind is tested the moment it is written, and fails until it has its
cases below: an evaluation case for an operation (its shape check is tested against the
evaluation automatically), a step for a kind (resolved, printed, drawn and answered
right and wrong through its widgets).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from clickthrough_support import lesson_with

from academy.books.clickthrough_pages import answers_html, step_html
from academy.clickthrough import kinds, ops
from academy.clickthrough.city import CityView, words
from academy.clickthrough.format import FORMAT_VERSION, is_question
from academy.clickthrough.lesson_files import read_lesson_file
from academy.clickthrough.ops import OPS, ShapeCheck
from academy.clickthrough.parts import templates
from academy.clickthrough.queries import check_queries, evaluate_queries
from academy.clickthrough.resolve import resolve_lesson
from academy.data.spec import CityFacts, Words
from academy.portal.reference import reference_page

ROWS = pd.DataFrame(
    {
        "kind": ["pothole", "pothole", "trash", None, "trash", "light"],
        "n": [1.0, 2.0, 3.0, 4.0, None, 6.0],
        "opened": pd.to_datetime(
            [
                "2020-01-01 08:00",
                "2020-01-01 09:30",
                "2020-02-01",
                "2020-03-01",
                "2020-03-05",
                None,
            ],
            format="ISO8601",
        ),
        "closed": pd.to_datetime(
            ["2020-01-02 08:00", None, "2020-02-04 12:00", "2020-03-01", None, None],
            format="ISO8601",
        ),
        "amount": ["1,234", " 5 ", "x", None, "10", "7"],
        "reported": ["01/02/20", "02/29/20", "bad", None, "12/31/19", "03/01/20"],
        "latitude": [39.30, 39.31, 39.25, None, 39.20, 39.35],
        "longitude": [-76.61, -76.55, -76.65, None, -76.70, -76.50],
        "empty": [None] * 6,
    }
)
AREAS = pd.DataFrame({"area": ["North", "South"], "share": [0.8, 0.2]})
DATA = {"rows": ROWS, "areas": AREAS}
NaN = float("nan")
TESTVILLE_FACTS = CityFacts(
    name="Testville", government="City of Testville", areas=Words(one="ward", many="wards")
)
TESTVILLE = CityView("testville", "Testville", words(TESTVILLE_FACTS))
T = pd.Timestamp

# --- query operations -----------------------------------------------------------------

# {operation: [(the step as written in a lesson, what it gives)]}; for rows, the expected
# values of some columns ("columns" lists all of them, "rows" counts them).
OP_CASES: dict[str, list[tuple[dict[str, Any], Any]]] = {
    "filter": [
        ({"filter": {"column": "kind", "equals": "trash"}}, {"n": [3.0, NaN]}),
        ({"filter": {"column": "n", "above": 2}}, {"n": [3.0, 4.0, 6.0]}),
        ({"filter": {"column": "kind", "missing": True}}, {"n": [4.0]}),
    ],
    "select": [({"select": ["n", "kind"]}, {"columns": ["n", "kind"], "rows": 6})],
    "rename": [({"rename": {"kind": "type"}}, {"type": list(ROWS["kind"])})],
    "sort": [({"sort": {"by": "n", "descending": True}}, {"n": [6.0, 4.0, 3.0, 2.0, 1.0, NaN]})],
    "head": [({"head": 2}, {"kind": ["pothole", "pothole"]})],
    "sample": [({"sample": {"n": 3, "seed": 1}}, {"rows": 3})],
    "shuffle": [({"shuffle": 7}, {"rows": 6})],
    "parse": [
        (
            {"parse": {"column": "amount", "to": "number"}},
            {"amount": [1234.0, 5.0, NaN, NaN, 10.0, 7.0]},
        ),
        (
            {"parse": {"column": "reported", "to": "date", "format": "%m/%d/%y"}},
            {
                "reported": [
                    T("2020-01-02"),
                    T("2020-02-29"),
                    None,
                    None,
                    T("2019-12-31"),
                    T("2020-03-01"),
                ]
            },
        ),
    ],
    "days_between": [
        (
            {"days_between": {"start": "opened", "end": "closed", "into": "d"}},
            {"d": [1.0, NaN, 3.5, 0.0, NaN, NaN]},
        )
    ],
    "day": [
        (
            {"day": {"column": "opened", "into": "d"}},
            {
                "d": [T("2020-01-01")] * 2
                + [T("2020-02-01"), T("2020-03-01"), T("2020-03-05"), None]
            },
        )
    ],
    "quadrant": [
        (
            {"quadrant": {}},
            {
                "quadrant": [
                    "North-west",
                    "North-east",
                    "South-west",
                    None,
                    "South-west",
                    "North-east",
                ]
            },
        )
    ],
    "duplicates": [
        (
            {"duplicates": {"columns": ["kind"]}},
            {"kind": ["pothole", "pothole", "trash", "trash"], "n": [1.0, 2.0, 3.0, NaN]},
        )
    ],
    "most_common": [
        ({"most_common": "kind"}, {"kind": ["pothole", "pothole"], "n": [1.0, 2.0]}),
        ({"most_common": "empty"}, {"rows": 0}),
    ],
    "mark_duplicates": [
        (
            {"mark_duplicates": {"columns": ["kind"], "into": "r"}},
            {"r": [True, True, True, False, True, False]},
        )
    ],
    "mark_twins": [
        (  # the potholes: 5.3 km and 90 minutes apart
            {
                "mark_twins": {
                    "same": ["kind"],
                    "time": "opened",
                    "metres": 6000,
                    "hours": 2,
                    "into": "t",
                }
            },
            {"t": [1, 1, None, None, None, None]},
        ),
        (
            {"mark_twins": {"same": ["kind"], "time": "opened", "metres": 5000, "into": "t"}},
            {"t": [None] * 6},
        ),
    ],
    "count_by": [
        (
            {"count_by": {"column": "kind"}},
            {"kind": ["pothole", "trash", "light"], "count": [2, 2, 1]},
        ),
        (
            {"count_by": {"column": "kind", "keep_missing": True}},
            {"kind": ["pothole", "trash", "(blank)", "light"], "count": [2, 2, 1, 1]},
        ),
    ],
    "count_by_period": [
        (
            {"count_by_period": {"column": "opened", "period": "month"}},
            {"period": [T("2020-01-01"), T("2020-02-01"), T("2020-03-01")], "count": [2, 1, 2]},
        ),
        ({"count_by_period": {"column": "opened", "period": "year"}}, {"count": [5]}),
    ],
    "share_of_total": [
        ({"share_of_total": "n"}, {"share": [1 / 16, 2 / 16, 3 / 16, 4 / 16, NaN, 6 / 16]})
    ],
    "count": [({"count": True}, 6)],
    "share": [({"share": {"column": "kind", "equals": "trash"}}, 2 / 6)],
    "median": [({"median": "n"}, 3.0), ({"median": "opened"}, T("2020-02-01"))],
    "min": [({"min": "n"}, 1.0), ({"min": "opened"}, T("2020-01-01 08:00"))],
    "max": [({"max": "n"}, 6.0), ({"max": "closed"}, T("2020-03-01"))],
    "sum": [({"sum": "n"}, 16.0), ({"sum": "empty"}, None)],
    "distinct": [({"distinct": "kind"}, 3)],
    "has_values": [({"has_values": "closed"}, True), ({"has_values": "empty"}, False)],
    "pick": [
        ({"pick": {"column": "kind", "row": 2}}, "trash"),
        ({"pick": {"column": "kind", "row": 9}}, None),
    ],
    "change": [({"change": {"column": "n", "by": "opened"}}, 3.0)],
}
CASES = [(name, step, want) for name, cases in OP_CASES.items() for step, want in cases]


def _op(step: dict[str, Any]) -> ops.Operation:
    """The operation as a lesson file's query reads it."""
    return lesson_with({"q": {"from": "rows", "steps": [step]}}).queries["q"].steps[0]


def _same(got: Any, want: Any) -> bool:
    if want is None or (isinstance(want, float) and math.isnan(want)):
        return got is None or bool(pd.isna(got))
    if isinstance(want, bool):
        return got is want
    if isinstance(want, float):
        return type(got) in (int, float) and math.isclose(got, want)
    return type(got) is type(want) and got == want


def test_every_operation_has_cases_and_documentation() -> None:
    assert set(OP_CASES) == set(OPS), "add a case for each operation to OP_CASES"
    for name, op in OPS.items():
        assert op.__doc__ and op.__doc__.strip(), f"{name}: say what it does in its docstring"
        assert op.model_fields[name].description, f"{name}: describe its setting"
    page = reference_page()
    for name, op in OPS.items():
        assert f"| `{name}` |" in page
        assert " ".join((op.__doc__ or "").split())[:40] in " ".join(page.split())


@pytest.mark.parametrize(("name", "step", "want"), CASES, ids=[c[0] for c in CASES])
def test_operation_evaluates(name: str, step: dict[str, Any], want: Any) -> None:
    op = _op(step)
    assert op.name == name
    before = ROWS.copy()
    got = op.run(ROWS)
    pd.testing.assert_frame_equal(ROWS, before)  # the input is never changed
    if op.gives_value:
        assert not isinstance(got, pd.DataFrame)
        assert _same(got, want), f"{name}: {got!r} != {want!r}"
        return
    assert isinstance(got, pd.DataFrame)
    assert list(got.index) == list(range(len(got)))
    for key, values in want.items():
        if key == "columns":
            assert list(got.columns) == values
        elif key == "rows":
            assert len(got) == values
        else:
            assert len(got[key]) == len(values), f"{name}: {got[key].tolist()}"
            for a, b in zip(got[key].tolist(), values, strict=True):
                assert _same(a, b), f"{name}, {key}: {got[key].tolist()} != {values}"
    if name in {"sample", "shuffle"}:  # random, but the same on every build
        pd.testing.assert_frame_equal(got, op.run(ROWS))
        assert set(got["amount"].dropna()) <= set(ROWS["amount"].dropna())


@pytest.mark.parametrize(("name", "step", "want"), CASES, ids=[c[0] for c in CASES])
def test_shape_check_agrees_with_evaluation(name: str, step: dict[str, Any], want: Any) -> None:
    """Without data, the shape check gives the columns the evaluation gives, and finds every
    missing column that would make the evaluation fail."""
    op = _op(step)
    loc = ("queries", "q", "steps", 0, name)
    check = ShapeCheck(list(ROWS.columns), loc)
    columns = op.columns_after(check)
    assert not check.problems
    if not op.gives_value:
        assert columns == list(op.run(ROWS).columns)
    for gone in ROWS.columns:
        frame = ROWS.drop(columns=[gone])
        try:
            op.run(frame)
        except KeyError:
            failed = True
        else:
            failed = False
        check = ShapeCheck(list(frame.columns), loc)
        op.columns_after(check)
        if failed:
            assert check.problems, f"{name} fails without '{gone}' but the check finds nothing"
        for problem in check.problems:
            assert problem.loc[: len(loc)] == loc and f"'{gone}'" in problem.message


# --- lesson files with every operation and kind ----------------------------------------


QUERIES = {
    "total": {"from": "rows", "steps": [{"count": True}]},
    "rows_q": {"from": "rows"},
    "by_kind": {"from": "rows", "steps": [{"count_by": {"column": "kind"}}]},
    "top_count": {"from": "by_kind", "steps": [{"pick": {"column": "count"}}]},
    "areas_q": {"from": "areas"},
}
SCENARIO = {
    "crews": 10,
    "jobs_per_crew_per_day": 10,
    "backlog": 400,
    "new_per_day": 20,
    "goal_days": 5,
}
QUESTION = {
    "kind": "choice",
    "title": "How many?",
    "question": "How many rows?",
    "choices": [{"text": "{total}", "feedback": "Yes."}, {"text": "none", "feedback": "No."}],
    "answer": "{total}",
}

# {kind: [steps as written in a lesson]}
KIND_CASES: dict[str, list[dict[str, Any]]] = {
    "read": [{"kind": "read", "title": "About {total}", "text": "There are {total} rows."}],
    "table": [
        {
            "kind": "table",
            "title": "Rows",
            "table": {
                "query": "rows_q",
                "columns": ["kind", "n"],
                "highlight": {"column": "kind", "equals": "trash"},
                "caption": "All {total} rows",
            },
        }
    ],
    "choice": [
        QUESTION,
        {
            "kind": "choice",
            "title": "Which?",
            "question": "Which kinds are there?",
            "choices": [
                {"text": "pothole", "feedback": "Yes, pothole."},
                {"text": "snow", "feedback": "No snow."},
                {"text": "trash", "feedback": "Yes, trash."},
            ],
            "answer": ["pothole", "trash"],
            "shuffle": True,
        },
    ],
    "chart": [
        {
            "kind": "chart",
            "title": "Busiest",
            "question": "Which kind is the most common?",
            "chart": {
                "query": "by_kind",
                "type": "bar",
                "x": "count",
                "y": "kind",
                "x_title": "Requests",
                "y_title": "Kind",
                "alt": "Potholes lead with {top_count}.",
            },
            "choices": [
                {"text": "pothole", "feedback": "Right."},
                {"text": "light", "feedback": "No, it has the shortest bar."},
            ],
            "answer": "pothole",
        }
    ],
    "order": [
        {
            "kind": "order",
            "title": "Order",
            "question": "What happens first?",
            "items": ["Call", "Visit", "Fix", "Close"],
            "right": "Yes.",
            "wrong": "Think again.",
        }
    ],
    "spot": [
        {
            "kind": "spot",
            "title": "Spot",
            "question": "Which row has no kind?",
            "table": {"query": "rows_q", "columns": ["kind", "n"]},
            "problem": {"column": "kind", "missing": True},
            "right": "Yes.",
            "wrong": "That one has a kind.",
        }
    ],
    "estimate": [
        {
            "kind": "estimate",
            "title": "Guess",
            "question": "How many rows?",
            "answer": "total",
            "min": 0,
            "max": 20,
            "tolerance": 1,
            "unit": "rows",
            "right": "Yes, {answer}.",
            "too_low": "More than that.",
            "too_high": "Fewer than that.",
        }
    ],
    "simulation": [
        {
            "kind": "simulation",
            "title": "Crews",
            "question": "Share out {crews} crews so every area is clear in {goal_days} days.",
            "model": "crews_backlog",
            "areas": "areas_q",
            "scenario": SCENARIO,
            "right": "Every area clears.",
            "wrong": "Send more crews where the backlog is.",
        }
    ],
}
KIND_STEPS = [(name, step) for name, cases in KIND_CASES.items() for step in cases]
KIND_IDS = [f"{name}-{i}" for name, cases in KIND_CASES.items() for i in range(len(cases))]


def resolved_step(step: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    lesson = lesson_with(QUERIES, [step, QUESTION])
    results = evaluate_queries(lesson, DATA.__getitem__)
    out = resolve_lesson(
        lesson,
        results,
        lesson_id="course/lesson",
        lesson_dir=tmp_path,
        course_title="Course",
        objectives=["Count rows"],
        city="testville",
        view=TESTVILLE,
        links={},
    )
    assert out["format"] == FORMAT_VERSION
    json.dumps(out)  # plain JSON
    return out["steps"][0]


def test_every_kind_has_cases_and_documentation() -> None:
    assert set(KIND_CASES) == set(kinds.KINDS), "add a step for each kind to KIND_CASES"
    assert set(ANSWER) == kinds.QUESTION_KINDS, "say in ANSWER how to answer each question kind"
    page = " ".join(reference_page().split())
    for name, kind in kinds.KINDS.items():
        assert kind.__doc__ and kind.__doc__.strip()
        assert f"`kind: {name}`" in page
        assert " ".join(kind.__doc__.split())[:40] in page
        for field, info in kind.model_fields.items():
            assert info.description, f"{name}.{field}: describe it"


@pytest.mark.parametrize(("name", "step"), KIND_STEPS, ids=KIND_IDS)
def test_kind_resolves_prints_and_validates(name: str, step: dict[str, Any], tmp_path) -> None:
    kind = kinds.KINDS[name]
    out = resolved_step(step, tmp_path)
    assert out["kind"] == name
    assert is_question(out) == kind.is_question() == (name in kinds.QUESTION_KINDS)
    for key in ("title", "html", "plain", "media"):
        assert key in out
    page = step_html(out)
    assert page.startswith('<div class="academy-print-step">')
    if kind.is_question():
        assert out["question"] in page or json.dumps(out["question"])[1:-1] in page
        key = answers_html([out])
        assert kind.answer_text(out) and kind.answer_text(out).split()[0][:3] in key
    # the same step passes `academy validate`'s rules
    lesson = lesson_with(QUERIES, [step, QUESTION])
    _, problems = check_queries(lesson, lambda source: list(DATA[source].columns))
    assert not problems


@pytest.mark.parametrize(("name", "step"), KIND_STEPS, ids=KIND_IDS)
def test_every_text_of_a_kind_is_filled_in(name: str, step: dict[str, Any], tmp_path) -> None:
    """Each text field typed Template gets its {query} filled in: none is left as written."""
    lesson = lesson_with(QUERIES, [step, QUESTION])
    marked = dict(step)
    for loc, _ in templates(lesson.steps[0], ()):
        node: Any = marked
        for part in loc[:-1]:
            node[part] = dict(node[part]) if isinstance(node[part], dict) else list(node[part])
            node = node[part]
        node[loc[-1]] = f"{node[loc[-1]]} [{{top_count}}]"
    if name in {"choice", "chart"}:  # the right answer names a choice as written
        old = step["answer"]
        marked["answer"] = (
            [f"{a} [{{top_count}}]" for a in old]
            if isinstance(old, list)
            else f"{old} [{{top_count}}]"
        )
    out = json.dumps(resolved_step(marked, tmp_path))
    assert "{top_count}" not in out
    assert out.count("[2]") >= len(list(templates(lesson.steps[0], ())))


# --- the learner's widgets --------------------------------------------------------------


def _all(widgets: list[Any]) -> list[Any]:
    out = []
    for w in widgets:
        out.append(w)
        out += _all(list(getattr(w, "children", ())))
    return out


def _button(widgets: list[Any], text: str) -> Any:
    return next(
        w for w in _all(widgets) if getattr(w, "description", None) == text and hasattr(w, "click")
    )


def _choice(step: dict[str, Any], widgets: list[Any], right: bool) -> None:
    choices = step["choices"]
    if not step["multiple"]:
        pick = (
            step["answer"][0]
            if right
            else next(i for i in range(len(choices)) if i not in step["answer"])
        )
        _button(widgets, choices[pick]["text"]).click()
        return
    boxes = [w for w in _all(widgets) if type(w).__name__ == "Checkbox"]
    wrong = next(i for i in range(len(choices)) if i not in step["answer"])
    for i, box in enumerate(boxes):
        box.value = i in step["answer"] if right else i == wrong
    _button(widgets, "Check my answer").click()


def _order(step: dict[str, Any], widgets: list[Any], right: bool) -> None:
    for i in range(len(step["items"])) if right else step["start"]:
        _button(widgets, step["items"][i]).click()


def _spot(step: dict[str, Any], widgets: list[Any], right: bool) -> None:
    rows = range(len(step["grid"]["rows"]))
    row = (
        step["problem_rows"][0] if right else next(i for i in rows if i not in step["problem_rows"])
    )
    _button(widgets, f"Row {row + 1}").click()


def _estimate(step: dict[str, Any], widgets: list[Any], right: bool) -> None:
    slider = next(w for w in _all(widgets) if "Slider" in type(w).__name__)
    slider.value = round(step["answer"]) if right else step["max"]
    _button(widgets, "Check my guess").click()


def _simulation(step: dict[str, Any], widgets: list[Any], right: bool) -> None:
    sliders = [w for w in _all(widgets) if "Slider" in type(w).__name__]
    for slider, crews in zip(sliders, step["example"] if right else step["start"], strict=True):
        slider.value = crews
    _button(widgets, "Check my plan").click()


# {question kind: answer(step, widgets, right) through the widgets, right or wrong; it may
# return False when asked for a wrong answer that the kind does not have}
ANSWER: dict[str, Callable[[dict[str, Any], list[Any], bool], bool | None]] = {
    "choice": _choice,
    "chart": _choice,
    "order": _order,
    "spot": _spot,
    "estimate": _estimate,
    "simulation": _simulation,
}


@pytest.mark.parametrize(("name", "step"), KIND_STEPS, ids=KIND_IDS)
def test_kind_draws_and_checks_answers(name: str, step: dict[str, Any], tmp_path) -> None:
    out = resolved_step(step, tmp_path)
    for right in (False, True):
        answers: list[tuple[Any, bool]] = []

        def check(answer: Any, ok: bool, answers: list[tuple[Any, bool]] = answers) -> None:
            answers.append((answer, ok))

        widgets = kinds.kind_of(out).widgets(out, check)
        html = " ".join(str(getattr(w, "value", "")) for w in _all(widgets))
        assert out["title"] in html
        if name not in ANSWER:
            assert not kinds.KINDS[name].is_question()
            continue
        if ANSWER[name](out, widgets, right) is False:
            continue  # a kind with no wrong answer
        assert answers and answers[-1][1] is right, f"{name}: {answers}"
        said = " ".join(w.value for w in _all(widgets) if "academy-feedback" in w._dom_classes)
        assert ('class="academy-right"' if right else 'class="academy-wrong"') in said, said


def test_the_kernel_never_loads_pandas_or_altair(tmp_path) -> None:
    """The learner's kernel reads resolved lessons and draws every kind without the build's
    heavy libraries."""
    lesson = {
        "format": FORMAT_VERSION,
        "id": "course/lesson",
        "title": "T",
        "summary": "S",
        "course_title": "C",
        "minutes": 1,
        "objectives": [],
        "key_points": ["k"],
        "city": "testville",
        "data_note": None,
        "links": {},
        "steps": [resolved_step(step, tmp_path) for _, step in KIND_STEPS],
    }
    (tmp_path / "lesson.json").write_text(json.dumps(lesson))
    script = f"""
import sys
from academy.clickthrough.app import LessonApp, NullStore, load_resolved
from academy.clickthrough.learner import Identity
lesson = load_resolved({str(tmp_path / "lesson.json")!r})
app = LessonApp(lesson, NullStore(), Identity("Sam", "Sam", None, "typed"))
for i in range(len(lesson["steps"])):
    app.go(i)
heavy = sorted(m for m in ("pandas", "numpy", "altair", "academy.clickthrough.resolve") if m in sys.modules)
print(len(lesson["steps"]), heavy)
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == [str(len(KIND_STEPS)), "[]"], done.stdout + done.stderr


# --- how lesson files are read ----------------------------------------------------------


def _findings(text: str, tmp_path: Path) -> dict[int, str]:
    """{line: message} of the schema problems in a lesson file."""
    path = tmp_path / "lesson.yml"
    path.write_text(text)
    item = read_lesson_file(None, path, tmp_path)  # type: ignore[arg-type]  # no book needed
    return {f.line: f.message for f in item.findings}


HEAD = "title: t\nsummary: s\nobjectives: [x]\nkey_points: [k]\nminutes: 1\ndatasets: [rows]\n"


def test_unknown_names_list_the_whole_vocabulary(tmp_path) -> None:
    found = _findings(
        HEAD
        + "queries:\n  q:\n    from: rows\n    steps:\n      - filtr: {column: x}\n"
        + "      - {head: 3, count: true}\n"
        + "steps:\n  - kind: quiz\n    title: a\n  - title: b\n",
        tmp_path,
    )
    assert all(name in found[11] for name in OPS), found[11]
    assert "'head', 'count'" in found[12]
    assert all(name in found[14] for name in kinds.KINDS) and "'quiz'" in found[14]
    assert "no `kind:`" in found[16]


def test_errors_inside_an_operation_or_step_say_where(tmp_path) -> None:
    found = _findings(
        HEAD
        + "queries:\n  q:\n    from: rows\n    steps:\n      - head: 0\n"
        + "steps:\n  - kind: table\n    title: a\n  - {kind: read, title: b}\n",
        tmp_path,
    )
    assert found[11].startswith("'queries.q.steps.0.head':")
    assert found[13] == "missing required key 'steps.0.table'; add it"
