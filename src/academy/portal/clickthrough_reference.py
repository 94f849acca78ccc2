"""The click-through lesson format on the file-format reference page, laid out from the
vocabulary's registries: every step kind (`academy.clickthrough.kinds.KINDS`) and every
query operation (`academy.clickthrough.ops.OPS`) with its own documentation, so a new
kind or operation appears here without anyone writing this page."""

from __future__ import annotations

import inspect
from typing import Any, get_args

from pydantic import BaseModel

from academy.clickthrough import kinds, ops
from academy.clickthrough.condition import Condition
from academy.clickthrough.kinds import StepKind
from academy.clickthrough.model import ClickLesson, Query
from academy.clickthrough.parts import ChartSpec, ImageSpec, TableSpec, is_template
from academy.clickthrough.registry import modules
from academy.portal.schema_tables import key_table, prose, type_name

TEMPLATE_NOTE = "Can name queries in braces."


def _doc(thing: Any) -> str:
    """A class's or module's docstring, for the page."""
    return prose(inspect.cleandoc(thing.__doc__ or ""))


def _keys(model: type[BaseModel], keys: list[str] | None = None) -> list[str]:
    schema = model.model_json_schema()
    fields = model.model_fields

    def note(key: str) -> str:
        return TEMPLATE_NOTE if key in fields and is_template(fields[key]) else ""

    return key_table(schema, schema.get("$defs", {}), keys, note)


def _part(title: str, model: type[BaseModel]) -> list[str]:
    return ["", f"#### {title}", "", _doc(model), "", *_keys(model)]


def _steps() -> list[str]:
    shared = list(StepKind.model_fields)
    out = [
        "",
        "### Steps",
        "",
        "Each item of `steps:` has a `kind:`. A question must be answered (right) before the "
        "learner goes on; every lesson asks at least one for the city it is built for. "
        "A step with `when:` or `unless:` is left out when its query says so.",
        "",
        "Keys every step has:",
        "",
        *_keys(StepKind, shared),
    ]
    for name, kind in kinds.KINDS.items():
        asks = (
            "A question: the learner answers before going on."
            if kind.is_question()
            else "Nothing to answer: the learner reads and presses Next."
        )
        own = [
            k
            for k, f in kind.model_fields.items()
            if k != "kind"
            and (k not in shared or f.annotation != StepKind.model_fields[k].annotation)
        ]
        out += ["", f"#### `kind: {name}`", "", _doc(kind), "", asks]
        out += ["", *_keys(kind, own)] if own else []
    out += ["", "### What a step shows"]
    out += _part("`table:` rows of data", TableSpec)
    out += _part("`chart:` a chart", ChartSpec)
    out += _part("`image:` a picture", ImageSpec)
    parts: dict[type[BaseModel], tuple[str, list[str]]] = {}  # those of some kinds only
    for name, kind in kinds.KINDS.items():
        for key, field in kind.model_fields.items():
            part = _model_in(field.annotation)
            if part is not None and part not in (TableSpec, ChartSpec, ImageSpec, Condition):
                parts.setdefault(part, (key, []))[1].append(f"`{name}`")
    for part, (key, names) in parts.items():
        out += _part(f"`{key}:` in steps of kind {', '.join(names)}", part)
    return out


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds (directly, in a list or as an option)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _operations() -> list[str]:
    out = [
        "",
        "### Query operations",
        "",
        "Each item of a query's `steps:` is one operation: its name and its setting, e.g. "
        "`- count_by: {column: request_type}`. An operation that gives one value must be "
        "the query's last step. `academy validate` follows the columns through every "
        "operation, so a misspelt column is found before any data is read.",
    ]
    details: list[str] = []
    for module in modules(ops):
        found = [op for op in ops.OPS.values() if op.__module__ == module.__name__]
        if not found:
            continue
        heading, _, more = _doc(module).partition("\n\n")
        out += ["", f"#### {heading.rstrip('.')}", ""]
        out += [" ".join(more.split()), ""] if more else []
        out += ["| Operation | Setting | Gives | What it does |", "|---|---|---|---|"]
        for op in found:
            setting = _model_in(op.model_fields[op.name].annotation)
            if setting is Condition:
                written = "a test on a column (below)"
            elif setting is not None:
                written = "keys " + ", ".join(f"`{k}`" for k in setting.model_fields)
                details += ["", f"##### `{op.name}`", "", _doc(setting), "", *_keys(setting)]
            else:
                schema = op.model_json_schema()
                written = type_name(schema["properties"][op.name], schema.get("$defs", {}))
            gives = "one value" if op.gives_value else "rows"
            out.append(f"| `{op.name}` | {written} | {gives} | {' '.join(_doc(op).split())} |")
    out += ["", "#### The settings of each operation", *details]
    out += ["", "#### Tests on a column", "", _doc(Condition), "", *_keys(Condition)]
    return out


def clickthrough_reference() -> list[str]:
    """Markdown lines of the click-through lesson section (after its `##` heading)."""
    return [
        _doc(ClickLesson),
        "",
        *_keys(ClickLesson),
        "",
        "### Queries",
        "",
        _doc(Query),
        "",
        *_keys(Query),
        *_operations(),
        *_steps(),
    ]
