"""Graded exercises: exercise.yml names a notebook that exists, maps exactly its graded
cells to objectives and lists every dataset file its code names; hints.yml gives hints for exactly those cells; wrong-answers.yml names
only cells the notebook has, with scores each cell can give."""

from __future__ import annotations

import json
import re
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

EXERCISE_WRONG_ANSWERS = Rule(
    "exercise-wrong-answers",
    "An exercise's wrong-answers.yml fills only answer cells of its notebook and gives each "
    "graded cell it names a score between 0 and the cell's points (the round-trip test "
    "grades every wrong answer and checks the score).",
)

EXERCISE_DATASETS = Rule(
    "exercise-datasets",
    "exercise.yml's datasets lists every '<city>/<dataset>' file its notebook's code names "
    "(the grading sandbox mounts only the datasets listed, so a file left out cannot be read "
    "when the exercise is graded).",
)

# a quoted '<city>/<dataset>' name in code: the notebook reads that file by its id
QUOTED_ID = re.compile(r"""["']([a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9._-]*)["']""")


def _nbgrader(cell: Any) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) if isinstance(cell, dict) else {}


def graded_cells(nb: Any) -> list[str]:
    """The grade_id of every graded cell of an nbgrader notebook, in order."""
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    return [_nbgrader(cell)["grade_id"] for cell in cells if _nbgrader(cell).get("grade")]


def answer_cells(nb: Any) -> list[str]:
    """The grade_id of every answer cell (a solution cell that is not graded), in order."""
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    return [
        _nbgrader(cell)["grade_id"]
        for cell in cells
        if _nbgrader(cell).get("solution") and not _nbgrader(cell).get("grade")
    ]


def cell_points(nb: Any) -> dict[str, float]:
    """Graded cell grade_id -> its points."""
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    return {
        _nbgrader(cell)["grade_id"]: float(_nbgrader(cell).get("points", 0))
        for cell in cells
        if _nbgrader(cell).get("grade")
    }


def named_datasets(nb: Any, known: Iterable[str]) -> list[str]:
    """The dataset ids (of `known`) quoted in the notebook's code cells, in order of first use."""
    known, found = set(known), []
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        found += [m for m in QUOTED_ID.findall(text) if m in known and m not in found]
    return found


def _undeclared_datasets(exercise: Exercise, nb: Any, ctx: Context) -> list[Finding]:
    assert exercise.sidecar is not None and exercise.doc is not None
    declared = set(exercise.sidecar.datasets)
    return [
        EXERCISE_DATASETS.at(
            rel(exercise.doc.path, ctx.cur.root),
            exercise.doc.line(("datasets",)),
            f"the notebook reads '{name}' but datasets: does not list it; add it (grading "
            "mounts only the datasets listed)",
        )
        for name in named_datasets(nb, ctx.inventory.ids)
        if name not in declared
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


def _wrong_answers(exercise: Exercise, nb: Any, root: Path) -> list[Finding]:
    """Each wrong answer fills answer cells that exist and scores graded cells within
    their points; ids are unique."""
    assert exercise.wrong_answers is not None and exercise.wrong_answers_doc is not None
    doc, where = exercise.wrong_answers_doc, rel(exercise.wrong_answers_doc.path, root)
    answers, points = set(answer_cells(nb)), cell_points(nb)
    findings, seen = [], set()
    for i, wrong in enumerate(exercise.wrong_answers.answers):
        at = ("answers", i)
        if wrong.id in seen:
            findings.append(
                EXERCISE_WRONG_ANSWERS.at(
                    where, doc.line((*at, "id")), f"id '{wrong.id}' is used twice; rename one"
                )
            )
        seen.add(wrong.id)
        for cell in wrong.answers:
            if cell not in answers:
                findings.append(
                    EXERCISE_WRONG_ANSWERS.at(
                        where,
                        doc.line((*at, "answers", cell)),
                        f"'{cell}' is not an answer cell of the notebook "
                        f"(answer cells: {', '.join(sorted(answers)) or 'none'}); fix the id",
                    )
                )
        scored = [(("scores",), wrong.scores)] + [
            (("cities", city), scores) for city, scores in wrong.cities.items()
        ]
        for key, scores in scored:
            for cell, score in scores.items():
                if cell not in points:
                    problem = f"'{cell}' is not a graded cell of the notebook; fix the id"
                elif not 0 <= score <= points[cell]:
                    problem = (
                        f"{cell} is worth {points[cell]:g} points, so {score:g} cannot be earned"
                    )
                else:
                    continue
                findings.append(
                    EXERCISE_WRONG_ANSWERS.at(where, doc.line((*at, *key, cell)), problem)
                )
        for cell in wrong.caught_by:
            if cell not in points:
                findings.append(
                    EXERCISE_WRONG_ANSWERS.at(
                        where,
                        doc.line((*at, "caught_by")),
                        f"caught_by names '{cell}', which is not a graded cell; fix the id",
                    )
                )
    return findings


@check(
    REF_UNRESOLVED,
    NOTEBOOK_JSON,
    EXERCISE_GRADE_IDS,
    EXERCISE_HINTS,
    EXERCISE_WRONG_ANSWERS,
    EXERCISE_DATASETS,
)
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
        if exercise.wrong_answers is not None and exercise.wrong_answers_doc is not None:
            findings += _wrong_answers(exercise, nb, root)
        findings += _undeclared_datasets(exercise, nb, ctx)
    return findings
