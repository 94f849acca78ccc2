"""Click-through lessons: their queries, texts, answers and steps make sense for the data.

The logic lives beside the lesson engine, in `academy.clickthrough.validate`; the rules it
reports are registered here, once. A lesson's objectives and datasets are checked with
every other lesson's (`academy.checks.references`).
"""

from __future__ import annotations

from academy.checks.files import SCHEMA, YAML_SYNTAX
from academy.checks.rule import CANONICAL, DATASETS, Context, Rule, check
from academy.clickthrough.validate import Columns, validate_clickthrough
from academy.core.findings import Finding

CLICKTHROUGH_QUERY = Rule(
    "clickthrough-query",
    "Every query reads a table, file or query that exists, uses only columns it has, and "
    "gives rows or one value as the step that uses it needs.",
)
CLICKTHROUGH_TEXT = Rule(
    "clickthrough-text", "Every {name} in a lesson's text names a query that gives one value."
)
CLICKTHROUGH_ANSWER = Rule(
    "clickthrough-answer",
    "A choice question has distinct choices, at least one right answer among them, and at "
    "least one wrong one.",
)
CLICKTHROUGH_ANSWER_FIRST = Rule(
    "clickthrough-answer-first",
    "A question whose choices keep their written order (`shuffle: false`) does not list its "
    "right answer first: every learner would see it on top.",
    severity="warning",
)
CLICKTHROUGH_STEP = Rule(
    "clickthrough-step",
    "A step's settings fit together: a slider's range holds its start, a chart question "
    "shows no table, only a question assesses, and only objectives of its lesson.",
)
CLICKTHROUGH_CITY = Rule(
    "clickthrough-city",
    "A lesson that reads one city's published files says which city (`city:`) and reads only "
    "that city's files.",
)
CLICKTHROUGH_DATASETS = Rule(
    "clickthrough-datasets", "A lesson's `datasets:` lists every table and file its queries read."
)


@check(
    SCHEMA,
    YAML_SYNTAX,
    CLICKTHROUGH_QUERY,
    CLICKTHROUGH_TEXT,
    CLICKTHROUGH_ANSWER,
    CLICKTHROUGH_ANSWER_FIRST,
    CLICKTHROUGH_STEP,
    CLICKTHROUGH_CITY,
    CLICKTHROUGH_DATASETS,
)
def clickthrough_lessons(ctx: Context) -> list[Finding]:
    """Schema problems of every lesson file, and the deeper checks of those that parse; the
    checks of queries and data need canonical.yml and the city's datasets."""
    data_ok = not ctx.broken(frozenset({CANONICAL, DATASETS}))
    columns = Columns.of_inventory(ctx.inventory, ctx.cur.city) if data_ok else None
    return validate_clickthrough(ctx.clickthrough_files, ctx.cur, columns)
