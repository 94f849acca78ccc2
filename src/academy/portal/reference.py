"""JSON Schemas and the file-format reference page, generated from academy.curriculum.models."""

from __future__ import annotations

from collections.abc import Callable
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
from academy.portal.clickthrough_reference import clickthrough_reference
from academy.portal.schema_tables import key_table, prose

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

OWN_SECTIONS: dict[type[BaseModel], Callable[[], list[str]]] = {
    ClickLesson: clickthrough_reference,  # laid out from the vocabulary's registries
}
"""Formats whose section is written by their own module rather than key by key."""


def schemas() -> dict[str, dict[str, Any]]:
    """{schema file name: JSON Schema} for every curriculum file format."""
    return {f"{model.__name__}.schema.json": model.model_json_schema() for _, model in FILES}


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
        if model in OWN_SECTIONS:
            out += ["", f"## {prose(where)}", "", *OWN_SECTIONS[model]()]
            continue
        schema = model.model_json_schema()
        defs = schema.get("$defs", {})
        out += ["", f"## {prose(where)}", "", prose((model.__doc__ or "").strip()), ""]
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
    return "\n".join(out) + "\n"
