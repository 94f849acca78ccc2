"""The file-format reference page, generated from `academy.checks.formats` (every file the
academy reads, with its model's descriptions) and `academy.checks.registry` (every rule)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from academy.checks.formats import FORMATS, TOOL_FORMATS
from academy.checks.registry import RULES
from academy.clickthrough.model import ClickLesson
from academy.portal.clickthrough_reference import clickthrough_reference
from academy.portal.schema_tables import key_table, prose

OWN_SECTIONS: dict[type[BaseModel], Callable[[], list[str]]] = {
    ClickLesson: clickthrough_reference,  # laid out from the vocabulary's registries
}
"""Formats whose section is written by their own module rather than key by key."""


def rules_table() -> list[str]:
    """Every rule of `academy validate`: its id, what it requires, and how it is reported."""
    rows = ["| Rule | What it requires | Reported as |", "|---|---|---|"]
    for rule in RULES.values():
        description = prose(rule.description).replace("|", "\\|")
        rows.append(f"| `{rule.id}` | {description} | {rule.severity} |")
    return rows


def reference_page() -> str:
    """Markdown reference of every file the academy reads, and of every rule that checks them."""
    out = [
        "# File formats",
        "",
        "Every file below is checked against its format: unknown keys are errors, so a typo "
        "never goes unnoticed. Machine-readable JSON Schemas: `academy schema --out DIR`. "
        "Each problem is reported as `path:line: rule-id: message`; the rules are listed at "
        "the end of this page.",
    ]
    for fmt in FORMATS:
        checked = (
            f"Checked by {fmt.checked_by}; a file that does not match is reported as "
            f"`{fmt.rule.id}`. JSON Schema: `{fmt.schema_name}`."
        )
        out += ["", f"## {prose(fmt.where)}", ""]
        if fmt.model in OWN_SECTIONS:
            out += [checked, "", *OWN_SECTIONS[fmt.model]()]
            continue
        schema = fmt.model.model_json_schema()
        defs = schema.get("$defs", {})
        out += [prose((fmt.model.__doc__ or "").strip()), "", checked, ""]
        out += key_table(schema, defs)
        for name, sub in defs.items():
            out += [
                "",
                f"### {sub.get('title', name)}",
                "",
                prose(sub.get("description", "")),
                "",
                *key_table(sub, defs),
            ]
    out += [
        "",
        "## Files in other tools' formats",
        "",
        "| File | Format | Checked by |",
        "|---|---|---|",
        *(f"| {prose(t.where)} | {prose(t.what)} | {prose(t.checked_by)} |" for t in TOOL_FORMATS),
    ]
    out += [
        "",
        "## Rules of `academy validate`",
        "",
        "`academy validate` (which every `academy build` runs first) reports every problem "
        "in one pass; it exits 1 when any is an error.",
        "",
        *rules_table(),
    ]
    return "\n".join(out) + "\n"
