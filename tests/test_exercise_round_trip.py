"""Every exercise round-trips through the cohort's sandboxed grading, for every city.

For each city of the city matrix (the four real cities and the five derived from their
files, see `city_matrix`; a derived city is graded in the matrix's copy of the academy with
its mirror of links), one cohort is created and every exercise under
exercises/source/ is released to it; each exercise gets these submissions, all graded in
one parallel `grade_exercise` run (the same sandbox trainers use):

- `solution`: the model answers (the source notebook's solution regions) must earn full
  marks on every graded cell;
- `stub`: the released notebook untouched must earn exactly zero, every graded cell failing
  with "not attempted yet" (NotAttempted) and no other error, no stderr, no timeout, and
  nothing its checks print may show an expected value;
- one submission per plausible wrong answer the exercise declares in its
  `wrong-answers.yml` (answer cells replaced by the mistaken code, every other cell the
  model answer): each graded cell must earn exactly the points declared for it.

Each wrong answer also says which parts' visible checks catch it (`caught_by`): the
practice lesson's `check()` (the same visible checks, in process) must fail it on exactly
those parts and pass it on the other parts it is scored on, so a learner is warned before
handing in wherever the exercise promises it.

An exercise that reads no data of the active city (every dataset in its exercise.yml is a
'<city>/<dataset>' id, e.g. Baltimore's vacant building files) is given the same data in
every city, so its wrong answers are graded in the first city only; its solution and stub
still run in every city (the notebook says which city's data it shows).

Adding an exercise to this test is adding files: its folder under exercises/source/ with
`exercise.yml` and a `wrong-answers.yml` of at least two mistakes (format on the portal's
file-format page; `academy validate` checks the cell ids and scores).
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import math
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from city_matrix import CITIES as MATRIX
from city_matrix import FULL_MATRIX, REAL_CITIES, academy_for, city_env

from academy.cohort.create import create_cohort
from academy.cohort.grade import grade_exercise
from academy.cohort.release import release_exercise
from academy.cohort.samples import model_answers, sample_roster, submission
from academy.cohort.submissions import import_submissions
from academy.core.schema import read_model
from academy.curriculum.models import ExerciseSidecar, WrongAnswer, WrongAnswersFile
from academy.lesson.exercise import NotAttempted
from academy.lesson.practice import Practice

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "exercises" / "source"
EXERCISES = sorted(p.parent.name for p in SOURCE.glob("*/exercise.yml"))
# While writing an exercise: ACADEMY_TEST_CITIES=baltimore pytest tests/test_exercise_round_trip.py
CITIES = tuple(filter(None, os.environ.get("ACADEMY_TEST_CITIES", "").split(","))) or MATRIX
SOLUTION, STUB = "solution", "stub"
NOT_ATTEMPTED = "not attempted yet"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

pytestmark = pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")


# --- what each exercise declares --------------------------------------------------------


@functools.cache
def sidecar(exercise: str) -> ExerciseSidecar:
    return read_model(ExerciseSidecar, SOURCE / exercise / "exercise.yml", fix="fix it")


@functools.cache
def wrong_answers(exercise: str) -> list[WrongAnswer]:
    path = SOURCE / exercise / "wrong-answers.yml"
    if not path.is_file():
        return []
    return read_model(WrongAnswersFile, path, fix="fix it").answers


def reads_the_city(exercise: str) -> bool:
    """Whether the exercise reads the active city's own data (a canonical table)."""
    return any("/" not in name for name in sidecar(exercise).datasets)


def graded_fully(city: str) -> bool:
    """Whether `city` grades every exercise and, where the data differs by city, every
    wrong answer: the real cities and the first city (all nine with ACADEMY_MATRIX=full)."""
    return FULL_MATRIX or city in REAL_CITIES or city == CITIES[0]


def exercises_in(city: str) -> list[str]:
    """The exercises graded in `city`: all of them where it is graded fully; in a derived
    city those that read its own data."""
    return EXERCISES if graded_fully(city) else [e for e in EXERCISES if reads_the_city(e)]


def wrong_answers_in(exercise: str, city: str) -> list[WrongAnswer]:
    """The wrong answers graded in `city` (every city grades the solution and the stub):
    in the first city always; in the other fully graded cities when the exercise reads the
    city's own data, which differs by city."""
    here = city == CITIES[0] or (graded_fully(city) and reads_the_city(exercise))
    return wrong_answers(exercise) if here else []


def learner_id(wrong: WrongAnswer) -> str:
    return f"wrong-{wrong.id}"


@functools.cache
def source_notebook(exercise: str) -> Any:
    return nbformat.read(SOURCE / exercise / sidecar(exercise).notebook, as_version=4)


@functools.cache
def points(exercise: str) -> dict[str, float]:
    """Graded cell -> its points, in notebook order."""
    return {
        c.metadata.nbgrader.grade_id: float(c.metadata.nbgrader.points)
        for c in source_notebook(exercise).cells
        if c.get("metadata", {}).get("nbgrader", {}).get("grade")
    }


def expected_scores(exercise: str, wrong: WrongAnswer, city: str) -> dict[str, float]:
    full = points(exercise)
    return {**full, **wrong.expected(city)}


# --- grading a whole city once ----------------------------------------------------------


@dataclass
class CityGrades:
    """Every exercise's submissions graded in one cohort for one city."""

    city: str
    folder: Any
    scores: dict[str, dict[str, dict[str, float | None]]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    problems: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def autograded(self, exercise: str, learner: str) -> list[dict]:
        path = self.folder.autograded(learner, exercise) / sidecar(exercise).notebook
        return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _grade_city(city: str, base: Path) -> CityGrades:
    wrong = {learner_id(w) for e in EXERCISES for w in wrong_answers(e)}
    learners = [SOLUTION, STUB, *sorted(wrong)]
    roster = sample_roster(base / "roster.csv", learners)
    folder = create_cohort("round-trip", roster, academy_for(city)[0], base / "cohorts", city=city)
    grades = CityGrades(city, folder)
    for exercise in exercises_in(city):
        release = release_exercise(folder, exercise)
        learner_version = nbformat.read(release.notebook, as_version=4)
        model = model_answers(source_notebook(exercise))
        notebooks = {SOLUTION: submission(learner_version, model), STUB: learner_version}
        for wrong in wrong_answers_in(exercise, city):
            notebooks[learner_id(wrong)] = submission(learner_version, {**model, **wrong.answers})
        inbox = base / "inbox" / exercise
        for learner, notebook in notebooks.items():
            (inbox / learner).mkdir(parents=True)
            nbformat.write(notebook, inbox / learner / release.manifest.notebook)
        import_submissions(folder, exercise, inbox)
        started = time.monotonic()
        run = grade_exercise(folder, exercise, jobs=2)
        grades.seconds[exercise] = time.monotonic() - started
        assert run.sandbox == "bwrap", run.warning
        assert not run.unfinished, run.unfinished
        grades.scores[exercise] = {
            r.learner: {q.grade_id: q.score for q in r.questions} for r in run.graded
        }
        grades.problems[exercise] = {r.learner: r.problems for r in run.graded}
    return grades


@pytest.fixture(scope="session")
def graded_cities(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], CityGrades]:
    """Grades a city's exercises on first use; later tests of that city reuse them."""
    done: dict[str, CityGrades] = {}

    def get(city: str) -> CityGrades:
        if city not in done:
            with city_env(city):
                done[city] = _grade_city(city, tmp_path_factory.mktemp(f"round-trip-{city}"))
            total = sum(done[city].seconds.values())
            print(f"\n{city}: graded {len(done[city].seconds)} exercises in {total:.1f} s")
        return done[city]

    return get


CITY_EXERCISES = [(c, e) for c in CITIES for e in exercises_in(c)]
CITY_WRONG = [(c, e, w.id) for c in CITIES for e in EXERCISES for w in wrong_answers_in(e, c)]


def _ids(params: list[tuple[str, ...]]) -> list[str]:
    return ["-".join(p) for p in params]


# --- the tests ----------------------------------------------------------------------------


def test_every_exercise_declares_two_plausible_wrong_answers() -> None:
    assert EXERCISES, "exercises/source/ holds no exercise.yml"
    for exercise in EXERCISES:
        assert len(wrong_answers(exercise)) >= 2, (
            f"exercises/source/{exercise}/wrong-answers.yml: declare at least two plausible "
            "wrong answers and the score each earns"
        )


@pytest.mark.slow
@pytest.mark.parametrize(("city", "exercise"), CITY_EXERCISES, ids=_ids(CITY_EXERCISES))
def test_solution_earns_full_marks(graded_cities, city: str, exercise: str) -> None:
    got = graded_cities(city).scores[exercise][SOLUTION]
    assert got == points(exercise), (
        f"{exercise} ({city}): the model answer lost marks: {got}; "
        f"problems: {graded_cities(city).problems[exercise][SOLUTION]}"
    )


@pytest.mark.slow
@pytest.mark.parametrize(("city", "exercise"), CITY_EXERCISES, ids=_ids(CITY_EXERCISES))
def test_stub_earns_zero_and_says_not_attempted(graded_cities, city: str, exercise: str) -> None:
    grades = graded_cities(city)
    assert grades.scores[exercise][STUB] == dict.fromkeys(points(exercise), 0.0)
    assert not grades.problems[exercise][STUB], grades.problems[exercise][STUB]
    for cell in grades.autograded(exercise, STUB):
        if cell["cell_type"] != "code":
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        where = f"{exercise} ({city}) cell {meta.get('grade_id')}"
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        stderr = [o for o in cell["outputs"] if o.get("name") == "stderr"]
        assert not stderr, f"{where} wrote to stderr: {''.join(stderr[0]['text'])[:300]}"
        if meta.get("grade"):
            assert [e["ename"] for e in errors] == [NotAttempted.__name__], (
                f"{where} should fail only with NotAttempted, got {[e['ename'] for e in errors]}"
            )
            assert NOT_ATTEMPTED in errors[0]["evalue"], errors[0]["evalue"]
        else:
            assert not errors, f"{where} is not a test cell but raised {errors[0]['evalue']}"


@pytest.mark.slow
@pytest.mark.parametrize(("city", "exercise", "wrong"), CITY_WRONG, ids=_ids(CITY_WRONG))
def test_wrong_answer_earns_its_designed_partial_credit(
    graded_cities, city: str, exercise: str, wrong: str
) -> None:
    declared = next(w for w in wrong_answers(exercise) if w.id == wrong)
    got = graded_cities(city).scores[exercise][learner_id(declared)]
    want = expected_scores(exercise, declared, city)
    assert got == want, (
        f"{exercise} ({city}) wrong answer {wrong!r} ({declared.mistake}): "
        f"earned {got}, designed to earn {want}"
    )


@pytest.mark.slow
@pytest.mark.parametrize(("city", "exercise"), CITY_EXERCISES, ids=_ids(CITY_EXERCISES))
def test_stub_output_never_contains_an_answer(graded_cities, city: str, exercise: str) -> None:
    tokens = expected_answers(exercise, city)
    assert tokens, "no expected values were recorded; the leak check would prove nothing"
    for cell in graded_cities(city).autograded(exercise, STUB):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if not meta.get("grade"):
            continue
        shown = _shown(cell["outputs"])
        for token in tokens - set(re.findall(r"\d+(?:\.\d+)?", _source(cell))):
            assert not re.search(rf"(?<![\d.]){re.escape(token)}(?!\d)", shown), (
                f"{exercise} ({city}): the stub's output for {meta['grade_id']} shows the "
                f"expected value {token}"
            )


# --- the visible checks catch what each wrong answer says they catch ----------------------


WRONG = [(e, w.id) for e in EXERCISES for w in wrong_answers(e)]


@pytest.fixture(params=CITIES)
def city(request: pytest.FixtureRequest) -> Iterator[str]:
    with city_env(request.param):
        yield request.param


def _functions(exercise: str, practice: Practice, answers: dict[str, str]) -> dict[str, Any]:
    """The functions defined by the answer cells, with `answers` replacing some of them."""
    namespace = practice.setup_namespace()
    model = model_answers(source_notebook(exercise))
    with contextlib.redirect_stdout(io.StringIO()):
        for grade_id, code in {**model, **answers}.items():
            exec(compile(code, f"<{exercise} {grade_id}>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize(("exercise", "wrong"), WRONG, ids=_ids(WRONG))
def test_visible_checks_catch_exactly_what_the_wrong_answer_says(
    exercise: str, wrong: str, city: str
) -> None:
    declared = next(w for w in wrong_answers(exercise) if w.id == wrong)
    practice = Practice(exercise, root=academy_for(city)[0])
    namespace = _functions(exercise, practice, declared.answers)
    full = points(exercise)
    for grade_id, score in declared.expected(city).items():
        part = practice.part(grade_id)
        feedback = practice.check(grade_id, namespace.get(part.function))
        if grade_id in declared.caught_by:
            assert feedback.status == "failed", (
                f"{exercise} ({city}): {wrong!r} ({declared.mistake}) should fail the visible "
                f"checks of {grade_id}, but check() says {feedback.status}"
            )
        elif score < full[grade_id]:
            assert feedback.passed, (
                f"{exercise} ({city}): {wrong!r} fails the visible checks of {grade_id} "
                f"({feedback.message}); add {grade_id} to its caught_by"
            )


# --- answers the stub must never show ---------------------------------------------------


def _shown(outputs: list[dict]) -> str:
    """What a cell's outputs show a learner, less the traceback's code lines and line
    numbers (the cell's own visible source, already public)."""
    parts = []
    for output in outputs:
        if output["output_type"] == "error":
            parts.append(output["evalue"])
        elif output["output_type"] == "stream":
            parts.append("".join(output["text"]))
        else:
            parts.append(json.dumps(output.get("data", {})))
    return ANSI.sub("", "\n".join(parts))


def _source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def _tokens(value: Any) -> set[str]:
    """Ways an expected number could be printed (only numbers distinctive enough to matter)."""
    if isinstance(value, pd.DataFrame):
        found: set[str] = set()
        for column in value.select_dtypes("number"):
            found |= _tokens(value[column])
        return found
    if isinstance(value, pd.Series):
        found = set()
        for item in pd.to_numeric(value, errors="coerce").dropna():
            found |= _tokens(float(item))
        return found
    if isinstance(value, bool) or not isinstance(value, int | float):
        return set()
    number = float(value)
    if not math.isfinite(number) or abs(number) < 1:
        return set()
    if number.is_integer():
        return {str(int(number)), f"{number:.1f}"} if abs(number) >= 10 else set()
    return {f"{number:.1f}", f"{number:.2f}", repr(number)}


def expected_answers(exercise: str, city: str) -> set[str]:
    """Every value a model answer returns under the visible checks, as printable tokens."""
    recorded: list[Any] = []
    with city_env(city):
        practice = Practice(exercise, root=academy_for(city)[0])
        namespace = _functions(exercise, practice, {})
        for part in practice.parts:
            function = namespace[part.function]

            def recording(*args: Any, _f: Callable[..., Any] = function) -> Any:
                result = _f(*args)
                recorded.append(result)
                return result

            namespace[part.function] = recording
        with contextlib.redirect_stdout(io.StringIO()):
            for part in practice.parts:
                exec(compile(part.checks, f"<{exercise} {part.grade_id}>", "exec"), namespace)
    tokens: set[str] = set()
    for value in recorded:
        tokens |= _tokens(value)
    return tokens
