"""The line of every key and item in a JSON document, so findings can point at it."""

from __future__ import annotations

import json
import re

Loc = tuple[str | int, ...]

_WS = re.compile(r"[ \t\r\n]*")
_SCALAR = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null")


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines: dict[Loc, int] = {}

    def line_at(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def skip(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def value(self, loc: Loc) -> None:
        self.skip()
        self.lines.setdefault(loc, self.line_at(self.pos))
        char = self.text[self.pos : self.pos + 1]
        if char == "{":
            self.container(loc, "}", keyed=True)
        elif char == "[":
            self.container(loc, "]", keyed=False)
        elif char == '"':
            _, self.pos = json.decoder.scanstring(self.text, self.pos + 1)
        else:
            match = _SCALAR.match(self.text, self.pos)
            if not match:
                raise ValueError(f"unexpected character at offset {self.pos}")
            self.pos = match.end()

    def container(self, loc: Loc, close: str, keyed: bool) -> None:
        self.pos += 1
        index = 0
        while True:
            self.skip()
            if self.text[self.pos] == close:
                self.pos += 1
                return
            if keyed:
                key_pos = self.pos
                key, self.pos = json.decoder.scanstring(self.text, self.pos + 1)
                self.lines[(*loc, key)] = self.line_at(key_pos)
                self.skip()
                self.pos += 1  # the colon
                self.value((*loc, key))
            else:
                self.value((*loc, index))
                index += 1
            self.skip()
            if self.text[self.pos] == ",":
                self.pos += 1


def json_lines(text: str) -> dict[Loc, int]:
    """Map each location (keys and list indexes from the top) to its 1-based line.

    The text must already be valid JSON (parse it with `json.loads` first).
    """
    scanner = _Scanner(text)
    scanner.value(())
    return scanner.lines


def line_of(lines: dict[Loc, int], loc: Loc) -> int:
    """Line of `loc`, or of its nearest ancestor that has one; 1 at worst."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return 1
