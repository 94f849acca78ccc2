"""Helpers for the cohort tests: the fixture academy, cohorts and submissions.

The fixture exercise `sums` (tests/fixtures/cohort/academy/exercises/source/sums) has
three questions: total-check (2 points), big-count-check (1) and mean-check (2).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat

from academy.cohort.create import create_cohort
from academy.cohort.folder import CohortFolder, load_folder, write_settings
from academy.cohort.release import release_exercise
from academy.cohort.samples import submission
from academy.cohort.settings import GradingLimits

FIXTURES = Path(__file__).parent / "fixtures" / "cohort"
ACADEMY = FIXTURES / "academy"
EXERCISE = "sums"
NOTEBOOK = "sums.ipynb"
HIDDEN_SNIPPETS = [
    "assert total([]) == 0",
    "total([-4, 4, 10])",
    "type(big_count) is int",
    "mean([1, 2, 3, 4])",
    "mean([]) is None",
    "HIDDEN TESTS",
]
FAST_LIMITS = GradingLimits(
    cell_timeout=3,
    notebook_timeout=20,
    memory_mb=2048,
    processes=64,
    output_kb_per_cell=64,
    file_mb=8,
    scratch_mb=64,
)

GOOD = {
    "total-answer": "def total(values):\n    return sum(values)",
    "big-count-answer": "big_count = sum(1 for reading in readings if reading > 10)",
    "mean-answer": "def mean(values):\n    if not values:\n        return None\n    return sum(values) / len(values)",
}
#: mean() fails the hidden empty-list check: 3 of 5.
PARTIAL = {**GOOD, "mean-answer": "def mean(values):\n    return sum(values) / len(values)"}


def make_cohort(
    base: Path,
    learners: list[str],
    name: str = "test",
    limits: GradingLimits = FAST_LIMITS,
    track: str | None = "analyst-basics",
    due: datetime | None = None,
) -> CohortFolder:
    """A cohort of these learners with the fixture exercise released."""
    base.mkdir(parents=True, exist_ok=True)
    roster = base / f"{name}-roster.csv"
    roster.write_text(
        "id,name,email,team\n"
        + "".join(
            f"{x},Learner {x.title()},{x}@city.example.gov,team-{i % 2}\n"
            for i, x in enumerate(learners)
        )
    )
    folder = create_cohort(name, roster, ACADEMY, base / "cohorts", track=track)
    write_settings(folder.path, folder.settings.model_copy(update={"limits": limits}))
    folder = load_folder(folder.path)
    release_exercise(folder, EXERCISE, due=due)
    return folder


def release_notebook(folder: CohortFolder) -> Any:
    return nbformat.read(folder.release(EXERCISE) / NOTEBOOK, as_version=4)


def with_answers(folder: CohortFolder, answers: dict[str, str]) -> Any:
    return submission(release_notebook(folder), answers)


def cell_index(notebook: Any, grade_id: str) -> int:
    return next(
        i
        for i, c in enumerate(notebook.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id
    )


def write_notebook(path: Path, notebook: Any | str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(notebook, bytes):
        path.write_bytes(notebook)
    elif isinstance(notebook, str):
        path.write_text(notebook)
    else:
        nbformat.write(notebook, path)


def snapshot(*folders: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """sha256 of every file under the folders (paths containing a `skip` part left out)."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not any(part in skip for part in path.parts):
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def gradebook_scores(
    folder: CohortFolder, learners: list[str]
) -> dict[str, dict[str, float | None]]:
    from nbgrader.api import Gradebook

    out: dict[str, dict[str, float | None]] = {}
    with Gradebook(folder.db_url, folder.name) as gradebook:
        for learner in learners:
            notebook = gradebook.find_submission_notebook("sums", EXERCISE, learner)
            out[learner] = {g.name: g.auto_score for g in notebook.grades}
    return out


def record(folder: CohortFolder, learner: str) -> dict[str, Any]:
    return json.loads(folder.record_file(EXERCISE, learner).read_text())


def messages(folder: CohortFolder, learner: str) -> str:
    data = record(folder, learner)
    return " ".join([*data["notes"], *(q["message"] for q in data["questions"])])


Mutation = Callable[[CohortFolder, Any], Any]


def edit_cell(grade_id: str, source: str) -> Mutation:
    def mutate(folder: CohortFolder, notebook: Any) -> Any:
        notebook.cells[cell_index(notebook, grade_id)].source = source
        return notebook

    return mutate


def delete_cell(grade_id: str) -> Mutation:
    def mutate(folder: CohortFolder, notebook: Any) -> Any:
        del notebook.cells[cell_index(notebook, grade_id)]
        return notebook

    return mutate


def duplicate_cell(grade_id: str, first_copy_source: str) -> Mutation:
    def mutate(folder: CohortFolder, notebook: Any) -> Any:
        index = cell_index(notebook, grade_id)
        twin = copy.deepcopy(notebook.cells[index])
        twin.source = first_copy_source
        twin.pop("id", None)
        notebook.cells.insert(index, twin)
        return notebook

    return mutate
