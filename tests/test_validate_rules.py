"""Each validation rule fires on a tiny academy broken in exactly one way."""

from __future__ import annotations

import ast
import json
import re
import shutil
from collections.abc import Callable
from html import escape
from pathlib import Path

import pytest
from mini_academy import LESSON_PATH, REPO, edit, write_mini_academy

from academy.checks.formats import FORMATS, schemas
from academy.checks.registry import CHECKS, RULES, validate
from academy.core.errors import FileError
from academy.data.cards import write_cards
from academy.portal.reference import reference_page

LESSON = LESSON_PATH
TRACK = "curriculum/tracks/basics.yml"
EXERCISE = "exercises/source/first-exercise/exercise.yml"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    return write_mini_academy(tmp_path / "academy")


def _found(root: Path) -> list[tuple[str, int, str]]:
    return [(f.path, f.line, f.rule) for f in validate(root)]


def test_mini_academy_is_valid(mini: Path) -> None:
    assert validate(mini) == []


def test_malformed_yaml_names_file_and_line(mini: Path) -> None:
    edit(mini, TRACK, "audience: Everyone.", "audience: [Everyone.")
    found = _found(mini)
    assert found and found[0][0] == TRACK and found[0][2] == "yaml-syntax"
    assert found[0][1] in (4, 5, 6)


def test_unknown_key_is_a_schema_error_on_its_line(mini: Path) -> None:
    edit(mini, TRACK, "summary: The basics.\n", "summary: The basics.\nsumary: typo\n")
    finding = next(f for f in validate(mini) if f.rule == "schema")
    assert (finding.path, finding.line) == (TRACK, 5)
    assert "unknown key 'sumary'" in finding.message


def test_missing_key_is_a_schema_error(mini: Path) -> None:
    edit(mini, "curriculum/academy.yml", "tagline: A tiny academy for tests.\n", "")
    finding = next(f for f in validate(mini) if f.rule == "schema")
    assert finding.path == "curriculum/academy.yml" and "tagline" in finding.message


def test_id_format(mini: Path) -> None:
    edit(mini, "curriculum/objectives.yml", "id: read-chart", "id: Read_Chart")
    assert ("curriculum/objectives.yml", 4, "id-format") in _found(mini)


def test_duplicate_id(mini: Path) -> None:
    edit(mini, "curriculum/objectives.yml", "id: read-chart", "id: count-rows")
    assert ("curriculum/objectives.yml", 4, "id-duplicate") in _found(mini)


def test_track_id_must_match_file_name(mini: Path) -> None:
    edit(mini, TRACK, "id: basics", "id: basic")
    assert (TRACK, 1, "id-format") in _found(mini)


@pytest.mark.parametrize(
    ("path", "old", "new", "line"),
    [
        ("curriculum/roles.yml", "path: [first-course]", "path: [no-such-course]", 5),
        (TRACK, "outcomes: [count-rows]", "outcomes: [no-such-objective]", 5),
        (
            LESSON,
            "objectives: [count-rows, read-chart]",
            "objectives: [count-rows, read-chart, nope]",
            10,
        ),
        (EXERCISE, "course: first-course", "course: no-such-course", 2),
        (EXERCISE, "part-a: [count-rows]", "part-a: [nope]", 7),
        ("curriculum/academy.yml", "tracks: [basics]", "tracks: [basics, advanced]", 5),
    ],
)
def test_unresolved_reference(mini: Path, path: str, old: str, new: str, line: int) -> None:
    edit(mini, path, old, new)
    assert (path, line, "ref-unresolved") in _found(mini)


def test_unknown_dataset_and_missing_canonical_table(mini: Path) -> None:
    edit(
        mini,
        LESSON,
        "datasets: [service_requests]",
        "datasets: [service_requests, potholes, baltimore/nope]",
    )
    found = [f for f in validate(mini) if f.rule == "ref-unresolved"]
    assert any("potholes" in f.message for f in found)
    assert any("baltimore/nope" in f.message for f in found)
    assert all(f.path == LESSON and f.line == 14 for f in found)


def test_objective_must_start_with_a_verb(mini: Path) -> None:
    edit(
        mini, "curriculum/objectives.yml", "statement: Read a bar chart.", "statement: Bar charts."
    )
    assert ("curriculum/objectives.yml", 5, "objective-verb") in _found(mini)


def test_lesson_missing_from_toc(mini: Path) -> None:
    (mini / "tracks/basics/first-course/stray.md").write_text("# Stray\n")
    assert ("tracks/basics/first-course/stray.md", 1, "toc-missing") in _found(mini)


def test_toc_entry_without_file(mini: Path) -> None:
    edit(
        mini,
        "tracks/basics/first-course/_toc.yml",
        "  - file: lesson-one\n",
        "  - file: lesson-one\n  - file: ghost\n",
    )
    assert ("tracks/basics/first-course/_toc.yml", 5, "toc-orphan") in _found(mini)


def test_course_without_book_folder(mini: Path) -> None:
    (mini / "tracks/basics/first-course/_config.yml").unlink()
    assert (TRACK, 7, "course-folder") in _found(mini)


def test_lesson_shape_needs_front_matter(mini: Path) -> None:
    path = mini / LESSON
    text = path.read_text()
    path.write_text(text[text.index("# Lesson one") :])
    found = _found(mini)
    assert (LESSON, 1, "lesson-shape") in found


def test_lesson_without_key_points_is_a_schema_error(mini: Path) -> None:
    edit(mini, LESSON, "  key_points:\n    - A table has rows.\n", "")
    finding = next(f for f in validate(mini) if f.path == LESSON)
    assert finding.rule == "schema" and "key_points" in finding.message


def test_course_outcome_not_taught_by_any_lesson(mini: Path) -> None:
    edit(mini, LESSON, "objectives: [count-rows, read-chart]", "objectives: [count-rows]")
    assert (TRACK, 10, "coverage") in _found(mini)


def test_image_without_alt_text(mini: Path) -> None:
    edit(mini, LESSON, "![A bar chart of rows](chart.png)", '![](chart.png)\n\n<img src="x.png">')
    found = [f for f in validate(mini) if f.rule == "alt-text"]
    assert [(f.path, f.line) for f in found] == [(LESSON, 27), (LESSON, 29)]


def test_exercise_grade_ids_must_match_the_notebook(mini: Path) -> None:
    edit(mini, EXERCISE, "part-a: [count-rows]", "part-b: [count-rows]")
    found = [f for f in validate(mini) if f.rule == "exercise-grade-ids"]
    assert {f.message.split("'")[1] for f in found} == {"part-a", "part-b"}


def test_broken_notebook_json(mini: Path) -> None:
    nb = mini / "exercises/source/first-exercise/first-exercise.ipynb"
    nb.write_text(json.dumps({"cells": []})[:-3])
    assert any(
        f.rule == "notebook-json" and f.path.endswith("first-exercise.ipynb")
        for f in validate(mini)
    )


def test_cli_validate_prints_findings_and_exits_1(
    mini: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from academy.cli import run

    edit(mini, "curriculum/objectives.yml", "id: read-chart", "id: count-rows")
    monkeypatch.chdir(mini)
    monkeypatch.setattr("sys.argv", ["academy", "validate"])
    with pytest.raises(SystemExit) as exit_info:
        run()
    assert exit_info.value.code == 1
    printed = capsys.readouterr().out
    assert "curriculum/objectives.yml:4: id-duplicate:" in printed


def test_cli_validate_json(mini: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from academy.cli import run

    edit(
        mini, "curriculum/objectives.yml", "statement: Read a bar chart.", "statement: Bar charts."
    )
    monkeypatch.setattr(
        "sys.argv", ["academy", "validate", "--root", str(mini), "--format", "json"]
    )
    with pytest.raises(SystemExit):
        run()
    data = json.loads(capsys.readouterr().out)
    assert data[0]["rule"] == "objective-verb" and data[0]["line"] == 5


# --- the registry: every rule registered once, each with a failing fixture ---------------

CLICK = "tracks/basics/first-course/clickthrough/first-clicks.yml"
CLICK_LESSON = """\
title: First clicks
summary: Count the requests and pick the biggest kind.
objectives: [read-chart]
key_points:
  - The longest bar is the biggest number.
minutes: 5
datasets: [service_requests]
queries:
  total:
    from: service_requests
    steps:
      - count: true
  kinds:
    from: service_requests
    steps:
      - count_by: {column: request_type}
      - head: 3
steps:
  - kind: read
    title: Many requests
    text: The city got {total} requests.
  - kind: choice
    title: Pick one
    question: Which bar is the longest?
    chart:
      query: kinds
      type: bar
      x: count
      y: request_type
      x_title: Requests
      y_title: Kind of request
      alt: The three most common kinds of request.
    choices:
      - text: The top one
        feedback: Yes, it is the biggest number.
      - text: The bottom one
        feedback: Not quite; look at the lengths.
    answer: The top one
  - kind: estimate
    title: Guess
    question: How many requests?
    answer: total
    min: 0
    max: 1000000
    step: 1000
    tolerance: 500000
    right: Close enough.
    too_low: Higher.
    too_high: Lower.
"""
PACKAGE = "datasets/baltimore/service-requests-2014-2019/datapackage.json"
HINTS = "exercises/source/first-exercise/hints.yml"
WRONG_ANSWERS = "exercises/source/first-exercise/wrong-answers.yml"
WRONG_ANSWERS_FILE = """\
answers:
  - id: counts-columns
    mistake: Counted the columns instead of the rows.
    answers: {no-such-cell: "answer = 2"}
    scores: {part-a: 0}
  - id: overcounts
    mistake: Counted the header as a row.
    answers: {no-such-cell: "answer = 4"}
    scores: {part-a: 5}
"""
HINTS_FILE = """\
parts:
  part-a:
    hints: [Count them.]
    similar:
      question: How many columns?
      code: result = 3
"""


def with_clickthrough(root: Path, text: str = CLICK_LESSON) -> None:
    """Add a click-through lesson to the mini academy's course and its table of contents."""
    path = root / CLICK
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if "clickthrough/first-clicks" in (root / "tracks/basics/first-course/_toc.yml").read_text():
        return
    edit(
        root,
        "tracks/basics/first-course/_toc.yml",
        "  - file: lesson-one\n",
        "  - file: lesson-one\n  - file: clickthrough/first-clicks\n",
    )


def edit_click(root: Path, old: str, new: str) -> None:
    with_clickthrough(root)
    edit(root, CLICK, old, new)


def edit_package(root: Path, change: Callable[[dict], None], rel_path: str = PACKAGE) -> None:
    path = root / rel_path
    package = json.loads(path.read_text(encoding="utf-8"))
    change(package)
    path.write_text(json.dumps(package, indent=2) + "\n", encoding="utf-8")


def adapter(package: dict) -> dict:
    return package["resources"][0]["academy"]["adapter"]


def _second_primary(root: Path) -> None:
    source = root / "datasets/baltimore/service-requests-2014-2019"
    shutil.copytree(source, root / "datasets/baltimore/service-requests-copy")


CITY = "datasets/baltimore/city.yml"


def _unknown_crs(package: dict) -> None:
    columns = adapter(package)["columns"]
    columns.pop("latitude"), columns.pop("longitude")
    adapter(package)["coordinates"] = {"x": "Longitude", "y": "Latitude", "crs": "EPSG:999999"}


def _swapped(package: dict) -> None:
    adapter(package)["columns"].update(latitude="Longitude", longitude="Latitude")
    adapter(package)["placeholders"] = []


def _mistyped_pin(package: dict) -> None:
    digest = package["resources"][0]["hash"]
    package["resources"][0]["hash"] = digest[:-2] + ("00" if not digest.endswith("00") else "11")


def _bad_pattern(package: dict) -> None:
    adapter(package)["columns"]["latitude"] = {"column": "GeoLocation", "pattern": "(["}


# One way to break the mini academy for every rule: (what to do, the file it is reported in).
BREAKS: dict[str, tuple[Callable[[Path], None], str]] = {
    "yaml-syntax": (lambda r: edit(r, TRACK, "audience: Everyone.", "audience: [Everyone."), TRACK),
    "missing-file": (lambda r: (r / "curriculum/roles.yml").unlink(), "curriculum/roles.yml"),
    "schema": (lambda r: edit(r, LESSON, "minutes: 5", "minutes: 0"), LESSON),
    "notebook-json": (
        lambda r: (r / "exercises/source/first-exercise/first-exercise.ipynb").write_text("{"),
        "exercises/source/first-exercise/first-exercise.ipynb",
    ),
    "id-format": (
        lambda r: edit(r, "curriculum/objectives.yml", "id: read-chart", "id: Read_Chart"),
        "curriculum/objectives.yml",
    ),
    "id-duplicate": (
        lambda r: edit(r, "curriculum/objectives.yml", "id: read-chart", "id: count-rows"),
        "curriculum/objectives.yml",
    ),
    "objective-verb": (
        lambda r: edit(r, "curriculum/objectives.yml", "Read a bar chart.", "Bar charts."),
        "curriculum/objectives.yml",
    ),
    "ref-unresolved": (
        lambda r: edit(r, EXERCISE, "part-a: [count-rows]", "part-a: [nope]"),
        EXERCISE,
    ),
    "course-folder": (
        lambda r: (r / "tracks/basics/first-course/_config.yml").unlink(),
        TRACK,
    ),
    "toc-format": (
        lambda r: edit(r, "tracks/basics/first-course/_toc.yml", "jb-book", "jb-bok"),
        "tracks/basics/first-course/_toc.yml",
    ),
    "toc-missing": (
        lambda r: (r / "tracks/basics/first-course/stray.md").write_text("# Stray\n"),
        "tracks/basics/first-course/stray.md",
    ),
    "toc-orphan": (
        lambda r: edit(r, "tracks/basics/first-course/_toc.yml", "lesson-one", "lesson-two"),
        "tracks/basics/first-course/_toc.yml",
    ),
    "lesson-shape": (lambda r: edit(r, LESSON, "# Lesson one", "Lesson one"), LESSON),
    "coverage": (
        lambda r: edit(
            r, LESSON, "objectives: [count-rows, read-chart]", "objectives: [count-rows]"
        ),
        TRACK,
    ),
    "coverage-graded": (
        lambda r: edit(
            r, TRACK, "outcomes: [count-rows]\n", "outcomes: [count-rows]\ngraded: true\n"
        ),
        TRACK,
    ),
    "course-check": (
        lambda r: edit(
            r,
            TRACK,
            "outcomes: [count-rows, read-chart]\n",
            "outcomes: [count-rows, read-chart]\n    check: no-such-lesson\n",
        ),
        TRACK,
    ),
    "alt-text": (lambda r: edit(r, LESSON, "![A bar chart of rows]", "![]"), LESSON),
    "exercise-grade-ids": (
        lambda r: edit(r, EXERCISE, "part-a: [count-rows]", "part-b: [count-rows]"),
        EXERCISE,
    ),
    "exercise-hints": (
        lambda r: (r / HINTS).write_text(HINTS_FILE.replace("part-a", "part-b")),
        HINTS,
    ),
    "exercise-wrong-answers": (
        lambda r: (r / WRONG_ANSWERS).write_text(WRONG_ANSWERS_FILE),
        WRONG_ANSWERS,
    ),
    "exercise-datasets": (
        lambda r: edit(
            r,
            "exercises/source/first-exercise/first-exercise.ipynb",
            '"answer = 3',
            '"answer = len(raw(\\"baltimore/service-requests-2014-2019\\"))',
        ),
        EXERCISE,
    ),
    "datapackage-json": (
        lambda r: (r / PACKAGE).write_text((r / PACKAGE).read_text()[:-40]),
        PACKAGE,
    ),
    "datapackage-schema": (
        lambda r: edit_package(r, lambda p: p["academy"].update(colour="red")),
        PACKAGE,
    ),
    "canonical-schema": (
        lambda r: edit(r, "datasets/canonical.yml", "tables:\n", "colour: red\ntables:\n"),
        "datasets/canonical.yml",
    ),
    "adapter-unknown-table": (
        lambda r: edit_package(r, lambda p: adapter(p).update(table="potholes")),
        PACKAGE,
    ),
    "adapter-missing-field": (
        lambda r: edit_package(r, lambda p: adapter(p)["columns"].pop("request_id")),
        PACKAGE,
    ),
    "adapter-unknown-field": (
        lambda r: edit_package(r, lambda p: adapter(p)["columns"].update(colour="Agency")),
        PACKAGE,
    ),
    "adapter-unknown-column": (
        lambda r: edit_package(r, lambda p: adapter(p)["columns"].update(agency="Agencyy")),
        PACKAGE,
    ),
    "adapter-date-format": (
        lambda r: edit_package(r, lambda p: adapter(p)["dates"].pop("due_at")),
        PACKAGE,
    ),
    "adapter-vocabulary": (
        lambda r: edit_package(
            r, lambda p: adapter(p)["vocabularies"]["status"].update(New="opne")
        ),
        PACKAGE,
    ),
    "adapter-placeholder": (
        lambda r: edit_package(
            r, lambda p: adapter(p)["placeholders"][0]["blank"].append("altitude")
        ),
        PACKAGE,
    ),
    "adapter-pattern": (lambda r: edit_package(r, _bad_pattern), PACKAGE),
    "adapter-coordinates": (lambda r: edit_package(r, _unknown_crs), PACKAGE),
    "adapter-coordinates-outside-city": (lambda r: edit_package(r, _swapped), PACKAGE),
    "adapter-points-outside-city": (
        # the extent moved west so that the easternmost 2% of requests lie far outside it
        lambda r: edit(r, CITY, "west: -76.712, east: -76.529", "west: -77.0, east: -76.825"),
        PACKAGE,
    ),
    "adapter-repeats": (
        lambda r: edit_package(
            r, lambda p: adapter(p).update(repeats={"key": ["Nope"], "keep": "last"})
        ),
        PACKAGE,
    ),
    "adapter-lookup": (
        lambda r: edit_package(
            r,
            lambda p: adapter(p).update(
                lookups={"agency": {"dataset": "baltimore/nope", "key": "a", "value": "b"}}
            ),
        ),
        PACKAGE,
    ),
    "draft-unconfirmed": (
        lambda r: edit_package(
            r,
            lambda p: adapter(p)["columns"].update(
                request_id={"to_confirm": "check it", "column": "ServiceRequestNum"}
            ),
        ),
        PACKAGE,
    ),
    "dataset-pin-mismatch": (lambda r: edit_package(r, _mistyped_pin), PACKAGE),
    "city-facts-missing": (lambda r: (r / CITY).unlink(), CITY),
    "city-facts-schema": (lambda r: edit(r, CITY, "south: 39.197", "south: 40.9"), CITY),
    "city-facts-bounds": (
        lambda r: edit(
            r, CITY, "bounds: {south: 39.197, north: 39.372, west: -76.712, east: -76.529}", ""
        ),
        PACKAGE,
    ),
    "adapter-primary": (_second_primary, PACKAGE),
    "adapter-does-not-fit": (
        lambda r: edit_package(
            r, lambda p: adapter(p)["dates"]["created_at"].update(format="%Y-%m-%d")
        ),
        PACKAGE,
    ),
    "schema-header-mismatch": (
        lambda r: edit_package(
            r, lambda p: p["resources"][0]["schema"]["fields"][-1].update(name="DaysOpn")
        ),
        PACKAGE,
    ),
    "quality-check-column": (
        lambda r: edit_package(
            r, lambda p: p["academy"]["quality"][0]["check"].update(column="Geo")
        ),
        PACKAGE,
    ),
    "dataset-file-committed": (
        lambda r: (r / "datasets/baltimore/requests.csv").write_text("a,b\n"),
        "datasets/baltimore/requests.csv",
    ),
    "dataset-card-stale": (
        lambda r: (r / PACKAGE).with_name("README.md").write_text("# Old card\n"),
        "datasets/baltimore/service-requests-2014-2019/README.md",
    ),
    "lesson-needs": (
        # request_id is required: every city publishes it, so a lesson never needs it
        lambda r: edit(
            r,
            LESSON,
            "  datasets: [service_requests]\n",
            "  datasets: [service_requests]\n  needs: [request_id]\n",
        ),
        LESSON,
    ),
    "clickthrough-query": (
        lambda r: edit_click(
            r, "count_by: {column: request_type}", "count_by: {column: request_typo}"
        ),
        CLICK,
    ),
    "clickthrough-text": (lambda r: edit_click(r, "{total} requests", "{totl} requests"), CLICK),
    "clickthrough-answer": (
        lambda r: edit_click(r, "answer: The top one", "answer: The top"),
        CLICK,
    ),
    "clickthrough-answer-first": (
        lambda r: edit_click(
            r, "    answer: The top one\n", "    answer: The top one\n    shuffle: false\n"
        ),
        CLICK,
    ),
    "clickthrough-step": (lambda r: edit_click(r, "max: 1000000", "max: 0"), CLICK),
    "clickthrough-city": (
        lambda r: edit_click(
            r,
            "datasets: [service_requests]",
            "datasets: [service_requests, baltimore/vacant-building-counts-2010-2019]",
        ),
        CLICK,
    ),
    "clickthrough-datasets": (
        lambda r: edit_click(
            r,
            "      - count_by: {column: request_type}\n      - head: 3\n",
            "      - count_by: {column: request_type}\n      - head: 3\n"
            "  vacants:\n    from: vacant_buildings\n    steps:\n      - count: true\n",
        ),
        CLICK,
    ),
}


def test_every_rule_is_registered_once_with_a_description() -> None:
    assert set(BREAKS) == set(RULES), "give every registered rule a way to break the academy"
    for rule in RULES.values():
        assert rule.description.strip().endswith((".", ")")), rule.id
    every_reported = {r.id for check in CHECKS for r in check.rules}
    loaders = {"yaml-syntax", "missing-file", "schema", "notebook-json", "toc-format"}
    assert set(RULES) == every_reported | loaders


def test_the_mini_academy_with_a_clickthrough_lesson_is_valid(mini: Path) -> None:
    with_clickthrough(mini)
    (mini / HINTS).write_text(HINTS_FILE)
    write_cards(mini)
    assert validate(mini) == []


@pytest.mark.parametrize("rule", sorted(BREAKS))
def test_each_rule_has_a_failing_fixture(mini: Path, rule: str) -> None:
    breaker, where = BREAKS[rule]
    breaker(mini)
    findings = validate(mini)
    assert {f.rule for f in findings} <= set(RULES), "a rule id was reported but not registered"
    mine = [f for f in findings if f.rule == rule]
    assert mine, f"{rule}: breaking the academy did not report it; got {findings}"
    assert any(f.path == where for f in mine), (rule, mine)
    assert all(f.severity == RULES[rule].severity for f in mine)


EMITTERS = {"Finding": 2, "FileError": 2, "YamlFileError": 2, "add": 1}
RULE_ID = re.compile(r"^[a-z]+(-[a-z]+)*$")


def _emitted_rule_ids() -> set[str]:
    """Rule ids written as string literals where findings and file errors are made in src/."""
    found: set[str] = set()
    for path in sorted((REPO / "src" / "academy").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            args = list(node.args)
            position = EMITTERS.get(name or "")
            values = [args[position]] if position is not None and len(args) > position else []
            values += [k.value for k in node.keywords if k.arg == "rule"]
            found |= {
                v.value
                for v in values
                if isinstance(v, ast.Constant)
                and isinstance(v.value, str)
                and RULE_ID.match(v.value)
            }
    return found


def test_every_rule_id_emitted_anywhere_is_registered() -> None:
    emitted = _emitted_rule_ids()
    assert len(emitted) >= 25, f"the scan found too few rule ids to mean anything: {emitted}"
    assert emitted <= set(RULES), f"not registered: {sorted(emitted - set(RULES))}"


# --- one pass, each mistake once ------------------------------------------------------------


def test_one_pass_reports_problems_in_other_files(mini: Path) -> None:
    """minutes: 0 in a lesson no longer hides an unknown key in another file."""
    edit(mini, LESSON, "minutes: 5", "minutes: 0")
    edit_click(mini, "summary: Count", "sumary: Count")
    (mini / "tracks/basics/first-course/stray.md").write_text("# Stray\n")
    found = _found(mini)
    assert (LESSON, 13, "schema") in found
    assert (CLICK, 2, "schema") in found
    assert ("tracks/basics/first-course/stray.md", 1, "toc-missing") in found


def test_a_typo_in_a_track_file_still_checks_its_lessons(mini: Path) -> None:
    edit(mini, TRACK, "summary: The basics.\n", "summary: The basics.\nsumary: typo\n")
    edit(mini, LESSON, "minutes: 5", "minutes: 0")
    found = _found(mini)
    assert (TRACK, 5, "schema") in found and (LESSON, 13, "schema") in found


def test_a_broken_file_is_reported_once_not_as_a_cascade(mini: Path) -> None:
    edit(mini, "curriculum/objectives.yml", "objectives:", "objectives: [")
    (mini / "tracks/basics/first-course/stray.md").write_text("# Stray\n")
    found = _found(mini)
    assert [f for f in found if f[0] == "curriculum/objectives.yml"] == [
        ("curriculum/objectives.yml", 2, "yaml-syntax")
    ]
    assert not [f for f in found if f[2] in {"ref-unresolved", "coverage", "objective-verb"}]
    assert ("tracks/basics/first-course/stray.md", 1, "toc-missing") in found


def test_skipped_checks_are_named_with_the_input_they_wait_for(
    mini: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from academy.checks.registry import run_validation
    from academy.cli import run

    edit(mini, "curriculum/objectives.yml", "objectives:", "objectives: [")
    skipped = run_validation(mini).skipped
    assert skipped["objective_refs"] == ["curriculum/objectives.yml"]
    assert "ids" not in skipped and "tables_of_contents" not in skipped
    monkeypatch.setattr("sys.argv", ["academy", "validate", "--root", str(mini)])
    with pytest.raises(SystemExit):
        run()
    assert "wait for curriculum/objectives.yml to be readable" in capsys.readouterr().err


def test_a_lesson_with_broken_front_matter_gets_no_shape_or_coverage_findings(mini: Path) -> None:
    edit(mini, LESSON, "  minutes: 5\n", "  minutes: [5\n")
    assert [f[2] for f in _found(mini)] == ["yaml-syntax"]


def test_a_clickthrough_lesson_mistake_is_reported_once(mini: Path) -> None:
    edit_click(mini, "objectives: [read-chart]", "objectives: [read-chart, nope]")
    edit(
        mini, CLICK, "datasets: [service_requests]", "datasets: [service_requests, baltimore/nope]"
    )
    found = [f for f in validate(mini) if f.path == CLICK]
    assert [(f.line, f.rule) for f in found] == [(3, "ref-unresolved"), (7, "ref-unresolved")]
    assert "unknown objective 'nope'" in found[0].message
    assert "unknown dataset 'baltimore/nope'" in found[1].message


def _as_check(root: Path) -> None:
    """Make the click-through lesson the course's graded check, its questions assessing read-chart."""
    if not (root / CLICK).exists():
        with_clickthrough(root)
    edit(
        root,
        TRACK,
        "outcomes: [count-rows, read-chart]\n",
        "outcomes: [count-rows, read-chart]\n    check: first-clicks\n",
    )
    edit(
        root,
        CLICK,
        "    answer: The top one\n",
        "    answer: The top one\n    assesses: [read-chart]\n",
    )
    edit(root, CLICK, "    answer: total\n", "    answer: total\n    assesses: [read-chart]\n")


def test_a_graded_check_question_assesses_what_it_lists(mini: Path) -> None:
    edit(mini, TRACK, "outcomes: [count-rows]\n", "outcomes: [count-rows]\ngraded: true\n")
    assert (TRACK, 11, "coverage-graded") in _found(mini)
    with_clickthrough(mini)
    write_cards(mini)
    found = _found(mini)
    assert (TRACK, 11, "coverage-graded") in found, "a practice question grades nothing"
    _as_check(mini)
    assert validate(mini) == []


def test_every_question_of_a_graded_check_says_what_it_assesses(mini: Path) -> None:
    _as_check(mini)
    write_cards(mini)
    edit(mini, CLICK, "    answer: total\n    assesses: [read-chart]\n", "    answer: total\n")
    found = [f for f in validate(mini) if f.rule == "course-check"]
    assert [(f.path, f.line) for f in found] == [(CLICK, 40)]  # the estimate step
    assert "assesses nothing" in found[0].message


def test_a_graded_check_assesses_every_objective_it_lists(mini: Path) -> None:
    _as_check(mini)
    write_cards(mini)
    edit(mini, CLICK, "objectives: [read-chart]", "objectives: [read-chart, count-rows]")
    found = [(f.path, f.line, f.rule) for f in validate(mini)]
    assert (CLICK, 3, "course-check") in found


def test_only_a_question_assesses_and_only_its_lessons_objectives(mini: Path) -> None:
    _as_check(mini)
    edit(
        mini,
        CLICK,
        "    text: The city got {total} requests.\n",
        "    text: The city got {total} requests.\n    assesses: [read-chart]\n",
    )
    edit(
        mini,
        CLICK,
        "    answer: total\n    assesses: [read-chart]\n",
        "    answer: total\n    assesses: [count-rows]\n",
    )
    found = [(f.line, f.rule, f.message) for f in validate(mini) if f.path == CLICK]
    assert (22, "clickthrough-step") in [(line, rule) for line, rule, _ in found]
    assert any(
        r == "clickthrough-step" and "not one of this lesson's objectives" in m for _, r, m in found
    )


def test_hints_file_has_a_schema(mini: Path) -> None:
    (mini / HINTS).write_text(HINTS_FILE.replace("hints:", "hintz:"))
    found = _found(mini)
    assert (HINTS, 3, "schema") in found


# --- every file format has a model, a rule, a JSON Schema and a reference section -----------


def test_every_format_has_a_schema_and_a_reference_section() -> None:
    page = reference_page()
    schema_files = schemas()
    for fmt in FORMATS:
        assert fmt.rule.id in RULES
        assert f"## {escape(fmt.where, quote=False)}" in page
        assert schema_files[fmt.schema_name]["properties"]
    for rule in RULES.values():
        assert f"| `{rule.id}` |" in page


def test_cohort_settings_are_checked_with_file_line_and_rule(tmp_path: Path) -> None:
    from academy.cohort.folder import load_folder

    folder = tmp_path / "spring"
    folder.mkdir()
    (folder / "cohort.yml").write_text(
        "name: spring\ncreated: 2025-01-01T00:00:00\nacademy_root: /x\npass_mark: 170\n"
    )
    with pytest.raises(FileError) as caught:
        load_folder(folder)
    assert (caught.value.line, caught.value.rule) == (4, "schema")
    assert "pass_mark" in caught.value.message


def test_the_city_is_chosen_on_the_command_line(mini: Path) -> None:
    from typer.testing import CliRunner

    from academy.cli import app

    runner = CliRunner()
    command = ["validate", "--root", str(mini)]
    assert runner.invoke(app, command, env={"ACADEMY_CITY": ""}).exit_code == 0
    for options, env in [(["--city", "atlantis"], {}), ([], {"ACADEMY_CITY": " atlantis "})]:
        result = runner.invoke(app, command + options, env=env)
        assert result.exit_code == 1
        assert "no datasets for city 'atlantis'" in result.output
    chosen = runner.invoke(app, [*command, "--city", "pittsburgh"], env={"ACADEMY_CITY": "x"})
    assert chosen.exit_code == 0, chosen.output
