"""Each validation rule fires on a tiny academy broken in exactly one way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mini_academy import LESSON_PATH, edit, write_mini_academy

from academy.checks.rules import validate

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
