"""Graded exercises: exercise.yml names a notebook that exists and maps exactly its graded
cells to objectives; hints.yml gives hints for exactly those cells."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from academy.checks.files import NOTEBOOK_JSON
from academy.checks.references import REF_UNRESOLVED
from academy.checks.rule import Context, Rule, check
from academy.core.findings import Finding, rel
from academy.core.yamlfile import YamlDoc
from academy.curriculum.loading import Exercise

EXERCISE_GRADE_IDS = Rule(
    "exercise-grade-ids",
    "exercise.yml's grade_ids lists exactly the graded cells of its notebook.",
)
EXERCISE_HINTS = Rule(
    "exercise-hints",
    "An exercise's hints.yml gives hints and a worked example for exactly its graded cells "
    "(the practice lesson's hint() and solution() read them).",
)


def graded_cells(nb: Any) -> list[str]:
    """The grade_id of every graded cell of an nbgrader notebook, in order."""
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    return [
        cell["metadata"]["nbgrader"]["grade_id"]
        for cell in cells
        if isinstance(cell, dict) and cell.get("metadata", {}).get("nbgrader", {}).get("grade")
    ]


def _read_notebook(exercise: Exercise, ctx: Context, findings: list[Finding]) -> Any | None:
    assert exercise.sidecar is not None and exercise.doc is not None
    notebook = exercise.notebook
    if notebook is None or not notebook.is_file():
        findings.append(
            REF_UNRESOLVED.at(
                rel(exercise.doc.path, ctx.cur.root),
                exercise.doc.line(("notebook",)),
                f"notebook '{exercise.sidecar.notebook}' is not in "
                f"{rel(exercise.dir, ctx.cur.root)}; fix the name",
            )
        )
        return None
    try:
        return json.loads(notebook.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        findings.append(
            NOTEBOOK_JSON.at(
                rel(notebook, ctx.cur.root),
                exc.lineno,
                f"{exc.msg}; the notebook is not valid JSON, restore it from git",
            )
        )
        return None


def _same_parts(
    rule: Rule,
    doc: YamlDoc,
    key: str,
    listed: Iterable[str],
    graded: list[str],
    root: Path,
    missing: Callable[[str], str],
    extra: Callable[[str], str],
) -> list[Finding]:
    """`doc`'s mapping under `key` lists exactly the graded cells: one finding per cell it
    leaves out (at the mapping) and per entry that is not a graded cell (at the entry)."""
    listed = list(listed)
    where = rel(doc.path, root)
    findings = [rule.at(where, doc.line((key,)), missing(g)) for g in graded if g not in listed]
    findings += [rule.at(where, doc.line((key, p)), extra(p)) for p in listed if p not in graded]
    return findings


@check(REF_UNRESOLVED, NOTEBOOK_JSON, EXERCISE_GRADE_IDS, EXERCISE_HINTS)
def exercises(ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for exercise in ctx.cur.exercises:
        if exercise.sidecar is None or exercise.doc is None:
            continue
        nb = _read_notebook(exercise, ctx, findings)
        if nb is None:
            continue
        graded, root, notebook = graded_cells(nb), ctx.cur.root, exercise.sidecar.notebook

        def not_graded(g: str, nb_name: str = notebook) -> str:
            return f"grade_id '{g}' is not a graded cell of {nb_name}; fix the id"

        findings += _same_parts(
            EXERCISE_GRADE_IDS,
            exercise.doc,
            "grade_ids",
            exercise.sidecar.grade_ids,
            graded,
            root,
            lambda g: f"graded cell '{g}' is not mapped to objectives; add it under grade_ids",
            not_graded,
        )
        if exercise.hints is not None and exercise.hints_doc is not None:
            findings += _same_parts(
                EXERCISE_HINTS,
                exercise.hints_doc,
                "parts",
                exercise.hints.parts,
                graded,
                root,
                lambda g: f"graded cell '{g}' has no hints; add it under parts:",
                lambda p: f"'{p}' is not a graded cell of the exercise; fix the id or remove it",
            )
    return findings
