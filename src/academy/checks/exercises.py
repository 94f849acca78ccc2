"""Graded exercises: exercise.yml names a notebook that exists and maps exactly its graded
cells to objectives; hints.yml gives hints for exactly those cells."""

from __future__ import annotations

import json
from typing import Any

from academy.checks.files import NOTEBOOK_JSON
from academy.checks.references import REF_UNRESOLVED
from academy.checks.rule import Context, Rule, check
from academy.core.findings import Finding, rel
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


def _grade_ids(exercise: Exercise, graded: list[str], ctx: Context) -> list[Finding]:
    assert exercise.sidecar is not None and exercise.doc is not None
    doc, side = exercise.doc, exercise.sidecar
    where = rel(doc.path, ctx.cur.root)
    findings = [
        EXERCISE_GRADE_IDS.at(
            where,
            doc.line(("grade_ids",)),
            f"graded cell '{grade_id}' is not mapped to objectives; add it under grade_ids",
        )
        for grade_id in graded
        if grade_id not in side.grade_ids
    ]
    findings += [
        EXERCISE_GRADE_IDS.at(
            where,
            doc.line(("grade_ids", grade_id)),
            f"grade_id '{grade_id}' is not a graded cell of {side.notebook}; fix the id",
        )
        for grade_id in side.grade_ids
        if grade_id not in graded
    ]
    return findings


def _hints(exercise: Exercise, graded: list[str], ctx: Context) -> list[Finding]:
    if exercise.hints is None or exercise.hints_doc is None:
        return []
    doc = exercise.hints_doc
    where = rel(doc.path, ctx.cur.root)
    findings = [
        EXERCISE_HINTS.at(
            where,
            doc.line(("parts",)),
            f"graded cell '{grade_id}' has no hints; add it under parts:",
        )
        for grade_id in graded
        if grade_id not in exercise.hints.parts
    ]
    findings += [
        EXERCISE_HINTS.at(
            where,
            doc.line(("parts", part)),
            f"'{part}' is not a graded cell of the exercise; fix the id or remove it",
        )
        for part in exercise.hints.parts
        if part not in graded
    ]
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
        graded = graded_cells(nb)
        findings += _grade_ids(exercise, graded, ctx)
        findings += _hints(exercise, graded, ctx)
    return findings
