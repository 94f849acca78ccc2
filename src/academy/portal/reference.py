"""JSON Schemas and the file-format reference page, generated from academy.curriculum.models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from academy.clickthrough.model import ClickLesson
from academy.curriculum.models import (
    Academy,
    ExerciseSidecar,
    LessonMeta,
    ObjectivesFile,
    RolesFile,
    Track,
)
from academy.data.spec import CanonicalFile

FILES: list[tuple[str, type[BaseModel]]] = [
    ("curriculum/academy.yml", Academy),
    ("curriculum/roles.yml", RolesFile),
    ("curriculum/objectives.yml", ObjectivesFile),
    ("curriculum/tracks/<track>.yml", Track),
    ("lesson front matter, under academy:", LessonMeta),
    ("exercises/source/<exercise>/exercise.yml", ExerciseSidecar),
    ("tracks/<track>/<course>/clickthrough/<lesson>.yml", ClickLesson),
    ("datasets/canonical.yml", CanonicalFile),
]


def schemas() -> dict[str, dict[str, Any]]:
    """{schema file name: JSON Schema} for every curriculum file format."""
    return {f"{model.__name__}.schema.json": model.model_json_schema() for _, model in FILES}


def _type(spec: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in spec:
        return defs[spec["$ref"].rsplit("/", 1)[1]].get("title", "object")
    if spec.get("type") == "array":
        return f"list of {_type(spec.get('items', {}), defs)}"
    if spec.get("type") == "object" and "additionalProperties" in spec:
        return f"mapping to {_type(spec['additionalProperties'], defs)}"
    if "anyOf" in spec:
        return " or ".join(_type(s, defs) for s in spec["anyOf"])
    return str(spec.get("type", "any"))


def _table(schema: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    rows = ["| Key | Type | Required | Meaning |", "|---|---|---|---|"]
    for name, spec in schema.get("properties", {}).items():
        rows.append(
            f"| `{name}` | {_type(spec, defs)} | {'yes' if name in required else 'no'} | {spec.get('description', '')} |"
        )
    return rows


def reference_page() -> str:
    """Markdown reference of every curriculum file: its keys, types and meaning."""
    out = [
        "# File formats",
        "",
        "Every curriculum file is checked by `academy validate` against these formats. "
        "Unknown keys are errors, so a typo never goes unnoticed. "
        "Machine-readable JSON Schemas: `academy schema --out DIR`.",
    ]
    for where, model in FILES:
        schema = model.model_json_schema()
        defs = schema.get("$defs", {})
        out += ["", f"## {where}", "", (model.__doc__ or "").strip(), "", *_table(schema, defs)]
        for name, sub in defs.items():
            out += [
                "",
                f"### {sub.get('title', name)}",
                "",
                sub.get("description", ""),
                "",
                *_table(sub, defs),
            ]
    return "\n".join(out) + "\n"
