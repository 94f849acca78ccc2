"""The shape of every graded exercise, and academy.lesson.practice on each of them.

The round trip through grading (solution full marks, stub zero, each declared wrong answer
its designed score, for every city in the matrix) is tests/test_exercise_round_trip.py.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from city_matrix import city_env

from academy.core.errors import AcademyError
from academy.lesson.practice import Practice, visible_checks

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
EXERCISE_IDS = sorted(p.parent.name for p in (EXERCISES / "source").glob("*/exercise.yml"))
CITIES = ["baltimore", "pittsburgh"]
NOT_ATTEMPTED = "not attempted yet"


def notebook_path(exercise: str) -> Path:
    import yaml

    sidecar = yaml.safe_load((EXERCISES / "source" / exercise / "exercise.yml").read_text())
    return EXERCISES / "source" / exercise / sidecar["notebook"]


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def nbgrader_meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def test_there_is_an_exercise() -> None:
    assert EXERCISE_IDS, "exercises/source/ holds no exercise.yml"


# --- exercise files ----------------------------------------------------------------------


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_exercise_notebook_shape(exercise: str) -> None:
    """Solution regions, visible and hidden tests, points on every graded cell."""
    graded_cells = [c for c in cells(notebook_path(exercise)) if nbgrader_meta(c).get("grade")]
    solutions = [c for c in cells(notebook_path(exercise)) if nbgrader_meta(c).get("solution")]
    assert len(graded_cells) >= 3, "an exercise has several graded parts"
    assert all("### BEGIN SOLUTION" in source(c) for c in solutions)
    assert all("# YOUR CODE HERE" not in source(c) for c in solutions), "nbgrader adds its own"
    for cell in graded_cells:
        text = source(cell)
        assert nbgrader_meta(cell)["points"] > 0 and nbgrader_meta(cell)["locked"]
        assert "### BEGIN HIDDEN TESTS" in text and "### END HIDDEN TESTS" in text
        assert visible_checks(text).strip(), "each part has visible checks"
        assert "Hidden check" not in visible_checks(text)


# --- academy.lesson.practice ----------------------------------------------------------------------


@pytest.fixture(params=CITIES)
def city(request: pytest.FixtureRequest) -> Iterator[str]:
    with city_env(request.param):
        yield request.param


def solutions(exercise: str, practice: Practice) -> dict[str, Callable[..., Any]]:
    """The source notebook's own solution functions, by name."""
    namespace = practice.setup_namespace()
    for cell in cells(notebook_path(exercise)):
        if nbgrader_meta(cell).get("solution"):
            exec(source(cell), namespace)
    return {p.function: namespace[p.function] for p in practice.parts}


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_practice_parts_match_the_exercise(exercise: str) -> None:
    import yaml

    practice = Practice(exercise, root=ROOT)
    sidecar = yaml.safe_load((EXERCISES / "source" / exercise / "exercise.yml").read_text())
    assert [p.grade_id for p in practice.parts] == list(sidecar["grade_ids"])
    for part in practice.parts:
        assert part.function and part.question and part.points > 0
        assert "HIDDEN" not in part.checks and "Hidden check" not in part.checks
        assert str(practice.question(part.grade_id)).strip()


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_practice_blank_answers_say_not_attempted(exercise: str, city: str) -> None:
    practice = Practice(exercise, root=ROOT)

    def returns_nothing(*args: Any) -> None:
        return None

    def stub(*args: Any) -> Any:
        raise NotImplementedError()

    for part in practice.parts:
        for blank in (None, returns_nothing, stub):
            feedback = practice.check(part.grade_id, blank)
            assert feedback.status == "not-attempted", (part.grade_id, feedback)
            assert NOT_ATTEMPTED in str(feedback).lower()
            assert "<div" in feedback._repr_html_()


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_practice_passes_the_solutions(exercise: str, city: str) -> None:
    practice = Practice(exercise, root=ROOT)
    functions = solutions(exercise, practice)
    for part in practice.parts:
        feedback = practice.check(part.grade_id, functions[part.function])
        assert feedback.passed, (city, part.grade_id, feedback.message)
        # parts can also be named by the function they ask for
        assert practice.check(part.function, functions[part.function]).passed


def test_practice_wrong_answers_fail_kindly_without_the_answer(city: str) -> None:
    practice = Practice("pandas-311-first-look", root=ROOT)
    truth = practice.setup_namespace()["requests"]["channel"].value_counts(normalize=True) * 100

    def fractions(requests: pd.DataFrame) -> pd.Series:
        return requests["channel"].value_counts(normalize=True)

    def crashes(requests: pd.DataFrame) -> pd.Series:
        return requests["no such column"]

    feedback = practice.check("channel-share", fractions)
    assert feedback.status == "failed"
    assert "100" in feedback.message
    for value in truth:
        assert f"{value:.1f}" not in feedback.message
    crashed = practice.check("channel-share", crashes)
    assert crashed.status == "failed" and "KeyError" in crashed.message
    not_a_function = practice.check(
        "channel-share", fractions(practice.setup_namespace()["requests"])
    )
    assert not_a_function.status == "failed" and "function itself" in not_a_function.message


def test_practice_a_warning_is_not_a_wrong_answer(city: str) -> None:
    import warnings

    practice = Practice("pandas-311-first-look", root=ROOT)
    right = solutions("pandas-311-first-look", practice)["channel_share"]

    def noisy(requests: pd.DataFrame) -> pd.Series:
        warnings.warn("this spelling is deprecated", FutureWarning, stacklevel=1)
        return right(requests)

    assert practice.check("channel-share", noisy).passed


def test_practice_check_is_not_fooled_by_an_object_equal_to_everything(city: str) -> None:
    practice = Practice("pandas-311-first-look", root=ROOT)

    class EqualsAnything:
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = object.__hash__

    for part in practice.parts:
        feedback = practice.check(part.grade_id, lambda *args: EqualsAnything())
        assert feedback.status == "failed", part.grade_id


def test_practice_hints_come_in_order() -> None:
    practice = Practice("pandas-311-first-look", root=ROOT)
    first = practice.hint("missing-percent")
    second = practice.hint("missing-percent")
    assert (first.number, second.number) == (1, 2) and first.text != second.text
    total = first.total
    for _ in range(total + 2):
        last = practice.hint("missing-percent")
    assert last.number == total, "hints stop at the last one"
    assert practice.hint("missing_percent", 1).text == first.text
    assert "Hint 1 of" in first._repr_html_()
    with pytest.raises(AcademyError):
        practice.hint("missing-percent", total + 1)
    with pytest.raises(AcademyError, match="no part"):
        practice.hint("no-such-part")


@pytest.mark.parametrize("exercise", EXERCISE_IDS)
def test_practice_worked_examples_answer_a_different_question(exercise: str, city: str) -> None:
    practice = Practice(exercise, root=ROOT)
    answers = {
        nbgrader_meta(c)["grade_id"]: source(c)
        for c in cells(notebook_path(exercise))
        if nbgrader_meta(c).get("solution")
    }
    for part in practice.parts:
        example = practice.solution(part.grade_id)
        assert example.code and example.result_text.strip() and example.result_html
        assert not re.search(r"\bnan\b|\bNaT\b|<NA>", example.result_text, re.I), (
            example.result_text
        )
        solution_lines = {
            line.strip() for line in answers[f"{part.grade_id}-answer"].splitlines() if line.strip()
        }
        solution_lines -= {"### BEGIN SOLUTION", "### END SOLUTION", ")", "("}
        shared = solution_lines & {line.strip() for line in example.code.splitlines()}
        assert len(shared) < max(1, len(solution_lines) / 2), (part.grade_id, shared)


def test_practice_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(AcademyError, match="no such exercise"):
        Practice("no-such-exercise", root=ROOT)
    folder = tmp_path / "exercises" / "source" / "tiny"
    folder.mkdir(parents=True)
    shutil.copy(notebook_path("pandas-311-first-look"), folder / "tiny.ipynb")
    with pytest.raises(AcademyError, match=r"hints\.yml: missing"):
        Practice("tiny", root=tmp_path)
    (folder / "hints.yml").write_text(
        "parts:\n  missing-percent:\n    hints: [one]\n"
        "    similar: {question: q, code: 'result = 1'}\n"
    )
    with pytest.raises(AcademyError, match="no hints for part"):
        Practice("tiny", root=tmp_path)


def test_visible_checks_cut_the_hidden_region() -> None:
    text = "a = 1\n### BEGIN HIDDEN TESTS\nsecret = 42\n### END HIDDEN TESTS\nb = 2\n"
    assert visible_checks(text) == "a = 1\nb = 2\n"
    indented = "if x:\n    ### BEGIN HIDDEN TESTS\n    secret()\n    ### END HIDDEN TESTS\n"
    assert "secret" not in visible_checks(indented)
