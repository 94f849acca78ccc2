"""The notebook side of autograding, around the sandbox: nbgrader's own steps.

Before the sandbox: read the submitted file, reset its nbgrader metadata to the released
values, and run nbgrader's sanitizing preprocessors (which restore the trusted test cells,
hidden tests included, from the gradebook). After it: merge the returned outputs into that
trusted notebook and run the rest of nbgrader's autograde preprocessors, which score the
cells and write the gradebook exactly as `nbgrader autograde` does. The preprocessor lists
are nbgrader's (as configured), split around its Execute step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from academy.cohort.folder import CohortFolder, nbgrader_config
from academy.cohort.manifest import ExerciseManifest
from academy.cohort.sandbox import SandboxResult
from academy.core.errors import AcademyError

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
#: The kernel every submission runs with (a learner may name another in the metadata).
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
#: ename of the error put in every code cell when the sandbox returned nothing usable.
FAILED_RUN = "GradingFailed"


#: What to tell a learner whose file cannot be opened, by what is wrong with it.
UNREADABLE = {
    "too-large": "Your notebook is larger than {mb} MB, so it was not graded. That is almost "
    "always saved output (big tables or charts): in Jupyter choose Edit → Clear Outputs of All "
    "Cells (or Kernel → Restart Kernel and Clear Outputs), save, and hand it in again.",
    "not-text": "Your file is not a notebook (it is not text), so it was not graded. Did you "
    "send the right file? Hand in the .ipynb file you worked in.",
    "empty": "Your file is empty, so it was not graded. Did you send the right file? Open your "
    "notebook in Jupyter, check that it shows your work, save it, and hand it in again.",
    "damaged": "Your file could not be opened as a notebook (it is damaged), so it was not "
    "graded. Open it in Jupyter; if it opens, save it and hand it in again, otherwise hand in a "
    "copy you saved earlier.",
    "no-cells": "Your file is not a Jupyter notebook (it has no cells), so it was not graded. "
    "Did you send the right file? Hand in the .ipynb file you worked in.",
}


def read_notebook(path: Path) -> tuple[Any | None, str | None]:
    """The notebook, or None and what is wrong with the file (a key of UNREADABLE)."""
    import nbformat

    if path.stat().st_size > MAX_NOTEBOOK_BYTES:
        return None, "too-large"
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, "not-text"
    if not text.strip():
        return None, "empty"
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception:  # nbformat raises many kinds for damaged JSON
        return None, "damaged"
    if not isinstance(notebook.get("cells"), list):
        return None, "no-cells"
    return notebook, None


def unreadable_note(problem: str) -> str:
    return UNREADABLE[problem].format(mb=MAX_NOTEBOOK_BYTES // 2**20)


def reset_metadata(notebook: Any, manifest: ExerciseManifest) -> None:
    """Give every nbgrader cell the released grading settings; drop unknown ones.

    Learners can edit cell metadata; nbgrader restores some of it (points, locked) but not
    all (grade, solution), fails on ids it does not know, and (with add_missing_cells)
    crashes on duplicated ids. Of duplicates only the last copy keeps its id, as nbgrader's
    DeduplicateIds would decide. A cell whose type was changed gets its released type back,
    and the notebook is run with the grader's Python kernel whatever its metadata names.
    `tamper.find_tampering` reports all of this first.
    """
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    last: dict[str, Any] = {}
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if isinstance(meta, dict) and manifest.cell(meta.get("grade_id")) is not None:
            last[meta["grade_id"]] = cell
    for cell in notebook.cells:
        meta = cell.get("metadata", {}).get("nbgrader")
        if meta is None:
            continue
        released = manifest.cell(meta.get("grade_id")) if isinstance(meta, dict) else None
        if released is None or last[released.grade_id] is not cell:
            del cell.metadata["nbgrader"]
            continue
        if cell.cell_type != released.cell_type:  # a test cell made markdown would not run
            cell.cell_type = released.cell_type
            for key in ("outputs", "execution_count", "attachments"):
                cell.pop(key, None)
            if released.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        fresh = {
            "grade": released.grade,
            "solution": released.solution,
            "locked": released.locked,
            "grade_id": released.grade_id,
            "schema_version": 3,
        }
        if released.grade:
            fresh["points"] = released.points
        cell.metadata["nbgrader"] = fresh


class Pipeline:
    """nbgrader's autograde preprocessors, split around Execute (which runs sandboxed)."""

    def __init__(self, folder: CohortFolder, manifest: ExerciseManifest):
        from nbgrader.converters import Autograde
        from nbgrader.coursedir import CourseDirectory
        from nbgrader.preprocessors import Execute

        self.folder = folder
        self.manifest = manifest
        self.config = nbgrader_config(folder)
        converter = Autograde(coursedir=CourseDirectory(config=self.config), config=self.config)
        self.sanitize = list(converter.sanitize_preprocessors)
        steps = list(converter.autograde_preprocessors)
        if Execute not in steps:
            raise AcademyError("nbgrader's autograde_preprocessors must include Execute")
        self.before = steps[: steps.index(Execute)]
        self.after = steps[steps.index(Execute) + 1 :]

    def resources(self, learner: str) -> dict[str, Any]:
        return {
            "unique_key": self.manifest.notebook_id,
            "metadata": {"path": str(self.folder.autograded(learner, self.manifest.exercise))},
            "nbgrader": {
                "student": learner,
                "assignment": self.manifest.exercise,
                "notebook": self.manifest.notebook_id,
                "db_url": self.folder.db_url,
            },
        }

    def run(self, classes: list[type], notebook: Any, learner: str) -> Any:
        resources = self.resources(learner)
        for cls in classes:
            notebook, resources = cls(config=self.config)(notebook, resources)
        return notebook


def merge_outputs(notebook: Any, result: SandboxResult) -> str | None:
    """Put the sandbox's outputs into the trusted notebook; the problem if they do not fit."""
    import nbformat

    cells = result.cells
    if cells is None:
        return result.stop_reason or "no result"
    if not isinstance(cells, list) or len(cells) != len(notebook.cells):
        return "the result does not match the notebook"
    for cell, outcome in zip(notebook.cells, cells, strict=True):
        if cell.cell_type != "code":
            continue
        if not isinstance(outcome, dict) or not isinstance(outcome.get("outputs"), list):
            return "the result is malformed"
        cell.outputs = [nbformat.from_dict(o) for o in outcome["outputs"]]
        count = outcome.get("execution_count")
        cell.execution_count = count if isinstance(count, int) else None
    try:
        nbformat.validate(notebook)
    except nbformat.ValidationError:
        return "the result is malformed"
    return None


def fail_all(notebook: Any, reason: str) -> None:
    import nbformat

    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                nbformat.from_dict(
                    {"output_type": "error", "ename": FAILED_RUN, "evalue": reason, "traceback": []}
                )
            ]
            cell.execution_count = None
