"""Read YAML while remembering the line every value came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from academy.core.errors import FileError

Loc = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """Parsed YAML data plus the 1-based line of every key and item in it."""

    path: Path
    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line(self, loc: Loc) -> int:
        """Line of the value at `loc`, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlFileError(FileError):
    """A YAML file that cannot be read (missing, or not valid YAML), at its line."""


def _build(
    node: yaml.Node, loc: Loc, lines: dict[Loc, int], make: yaml.constructor.SafeConstructor
) -> Any:
    lines.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = make.construct_object(key_node, deep=True)
            lines[(*loc, key)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, (*loc, key), lines, make)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*loc, i), lines, make) for i, item in enumerate(node.value)]
    return make.construct_object(node, deep=True)


def parse_yaml(text: str, path: Path, first_line: int = 1) -> YamlDoc:
    """Parse YAML text; `first_line` is the file line the text starts on."""
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + first_line) if mark else first_line
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise YamlFileError(
            path, line, "yaml-syntax", f"{problem}; fix the YAML syntax on that line"
        ) from exc
    lines: dict[Loc, int] = {}
    data = _build(node, (), lines, yaml.constructor.SafeConstructor()) if node is not None else None
    if first_line != 1:
        lines = {k: v + first_line - 1 for k, v in lines.items()}
    return YamlDoc(path=path, data=data, lines=lines)


def read_yaml(path: Path) -> YamlDoc:
    """Read a YAML file; a missing or malformed file is a YamlFileError naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise YamlFileError(path, 1, "missing-file", "file not found; create it") from exc
    return parse_yaml(text, path)


def split_front_matter(text: str) -> tuple[str, int] | None:
    """Return (front matter text, line it starts on) of a Markdown file, or None."""
    if not text.startswith("---"):
        return None
    end = text.find("\n---", 3)
    if end == -1:
        return None
    return text[text.index("\n") + 1 : end + 1], 2
