"""Sample submissions of an exercise: the model answer, the untouched stub, and mixes.

For trying a cohort end to end before real work comes in, and for the grading tests and
benchmark: a submission is the learner version with some answer cells replaced.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from academy.cohort.folder import CohortFolder
    from academy.cohort.release import ReleaseResult

SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
LOOP = "while True:\n    pass\n"


def _grade_id(cell: Any) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def model_answers(source: Any) -> dict[str, str]:
    """{answer cell grade_id: the source's solution, without nbgrader's markers}."""
    answers = {}
    for cell in source.cells:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution") and not meta.get("grade"):
            lines = [
                line for line in cell.source.splitlines() if line.strip() not in SOLUTION_MARKERS
            ]
            answers[meta["grade_id"]] = "\n".join(lines)
    return answers


def answer_ids(release: Any) -> list[str]:
    """The answer cells of the learner version, in order."""
    return [
        _grade_id(c)  # type: ignore[misc]
        for c in release.cells
        if c.get("metadata", {}).get("nbgrader", {}).get("solution")
        and not c.metadata.nbgrader.get("grade")
    ]


def submission(release: Any, answers: dict[str, str]) -> Any:
    """The learner version with these answer cells filled in."""
    notebook = copy.deepcopy(release)
    for cell in notebook.cells:
        grade_id = _grade_id(cell)
        if grade_id in answers:
            cell.source = answers[grade_id]
    return notebook


def sample_set(source_path: Path, release_path: Path) -> dict[str, Any]:
    """Named sample submissions: correct, half (first half right), stub, looping."""
    import nbformat

    source = nbformat.read(source_path, as_version=4)
    release = nbformat.read(release_path, as_version=4)
    model = model_answers(source)
    ids = answer_ids(release)
    half = {i: model[i] for i in ids[: max(1, len(ids) // 2)]}
    looping = dict(model)
    looping[ids[-1]] = LOOP + model[ids[-1]]
    return {
        "correct": submission(release, model),
        "half": submission(release, half),
        "stub": submission(release, {}),
        "looping": submission(release, looping),
    }


def sample_roster(path: Path, learners: Iterable[str]) -> Path:
    """A roster CSV (id, name, email) of made-up learners, for a trial cohort."""
    rows = "".join(f"{x},Learner {x},{x}@city.example.gov\n" for x in learners)
    path.write_text("id,name,email\n" + rows, encoding="utf-8")
    return path


def hand_in_samples(
    folder: CohortFolder, release: ReleaseResult, kinds: Mapping[str, str], inbox: Path
) -> Path:
    """Each learner's sample submission (learner id -> a name from `sample_set`) written as
    a hand-in, `inbox/<learner>/<notebook>`, ready for `import_submissions`."""
    import nbformat

    exercise = release.manifest.exercise
    samples = sample_set(folder.source(exercise) / release.manifest.notebook, release.notebook)
    for learner, kind in kinds.items():
        (inbox / learner).mkdir(parents=True, exist_ok=True)
        nbformat.write(samples[kind], inbox / learner / release.manifest.notebook)
    return inbox
