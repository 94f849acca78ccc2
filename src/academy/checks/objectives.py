"""Objectives say what a learner can do: each starts with a verb a trainer can observe."""

from __future__ import annotations

from academy.checks.ids import at
from academy.checks.rule import Context, Rule, check
from academy.core.findings import Finding
from academy.curriculum.loading import OBJECTIVES_FILE

# Measurable action verbs (after Bloom's taxonomy) an objective may start with.
ACTION_VERBS = frozenset(
    """
    add analyse analyze apply arrange ask assess build calculate chart check choose
    classify clean combine compare compute convert correct count create decide define
    describe design detect distinguish draw enter estimate evaluate explain explore
    export filter find fix flag follow give group identify inspect interpret join judge
    label list load locate map match measure merge name open order outline parse plan
    plot predict present prioritise prioritize protect query question rank read
    recognise recognize record report reshape review select sort spot state summarise
    summarize tell test trace track use validate verify visualise visualize write
    """.split()
)

OBJECTIVE_VERB = Rule(
    "objective-verb",
    "Every objective's statement starts with an action verb a trainer can observe "
    "(Identify, Filter, Compare ...).",
)


@check(OBJECTIVE_VERB, needs=(OBJECTIVES_FILE,))
def objective_verbs(ctx: Context) -> list[Finding]:
    findings = []
    items = ctx.cur.docs["objectives.yml"].data["objectives"]  # read: the model loaded it
    position: dict[str, int] = {}
    for i, item in enumerate(items):
        position.setdefault(item["id"], i)
    for objective in ctx.cur.objectives.values():
        i = position[objective.id]
        words = objective.statement.split()
        first = words[0].strip(",.").lower() if words else ""
        if first not in ACTION_VERBS:
            findings.append(
                at(
                    ctx.cur,
                    "objectives.yml",
                    ("objectives", i, "statement"),
                    OBJECTIVE_VERB,
                    f"objective '{objective.id}' must start with an action verb a trainer can "
                    f"observe (e.g. Identify, Filter, Compare), not '{first}'",
                )
            )
    return findings
