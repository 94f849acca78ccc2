"""Markdown tables of a model's keys, from its JSON Schema: what the reference pages show."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any


def prose(text: str) -> str:
    """Text for a Markdown page: `<city>` and the like stay visible (escaped outside `code`)."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # even parts are outside code spans
        parts[i] = html.escape(parts[i], quote=False)
    return "`".join(parts)


def _literal(value: Any) -> str:
    """A fixed value as it is written in YAML: `bar`, `true`, `3`."""
    return f"`{value if isinstance(value, str) else json.dumps(value)}`"


def type_name(spec: dict[str, Any], defs: dict[str, Any]) -> str:
    """A JSON Schema type in words: 'list of string', 'TableSpec or null' ..."""
    if "$ref" in spec:
        return defs[spec["$ref"].rsplit("/", 1)[1]].get("title", "object")
    if spec.get("type") == "array":
        return f"list of {type_name(spec.get('items', {}), defs)}"
    if spec.get("type") == "object" and "additionalProperties" in spec:
        return f"mapping to {type_name(spec['additionalProperties'], defs)}"
    if "anyOf" in spec:
        return " or ".join(type_name(s, defs) for s in spec["anyOf"])
    if "const" in spec:
        return _literal(spec["const"])
    if "enum" in spec:
        return "one of " + ", ".join(_literal(v) for v in spec["enum"])
    if "oneOf" in spec:
        return "one of the forms below"
    return str(spec.get("type", "any"))


def key_table(
    schema: dict[str, Any],
    defs: dict[str, Any],
    keys: list[str] | None = None,
    note: Callable[[str], str] | None = None,
) -> list[str]:
    """| Key | Type | Required | Meaning | for the schema's keys (or only `keys`); `note(key)`
    is added to a key's meaning."""
    required = set(schema.get("required", []))
    rows = ["| Key | Type | Required | Meaning |", "|---|---|---|---|"]
    for name, spec in schema.get("properties", {}).items():
        if keys is not None and name not in keys:
            continue
        meaning = prose(
            " ".join(p for p in (spec.get("description", ""), note(name) if note else "") if p)
        )
        rows.append(
            f"| `{name}` | {type_name(spec, defs)} | {'yes' if name in required else 'no'} | {meaning} |"
        )
    return rows
