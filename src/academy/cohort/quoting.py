"""What feedback may quote from a graded run: the author's own words, never the kernel's.

Everything a learner's kernel sends back is theirs to choose, including the text of every
error: code that hooks IPython can read a hidden test while it runs and raise it as an
`AssertionError` from a check the learner can see. So feedback never shows an error's text
as it came. It shows:

* an assertion message only when it matches a message the exercise's author wrote (an
  `assert …, "message"` or `raise …("message")` in the visible part of a locked cell, or in
  the exercise helpers `academy.lesson.exercise`), rebuilt from the author's template;
  each `{placeholder}` the author left keeps its value only when that value is a word
  already in the notebook before grading (a name or short string from the author's visible
  code or the learner's own answers, or a common type name), or when the message came from
  a cell that ran before any hidden test was sent to the kernel; otherwise it shows "…";
* a Python error's detail only in a known shape (`name 'x' is not defined`, …) whose names
  pass the same test; a syntax error's line and reason as the grader's own parser finds
  them in the learner's code (never the kernel's text, which names a temporary file);
* everything cleaned of control and bidirectional-override characters and capped in length.

The learner can still choose *which* of the author's messages appears (a few bits, as the
score itself can): never the text of a hidden test.
"""

from __future__ import annotations

import ast
import re
import string
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from academy.core.hidden_tests import blanked_source, hidden_lines

#: Longest quoted message, and longest value kept for one placeholder.
MAX_MESSAGE = 300
MAX_VALUE = 80
ELIDED = "…"
#: Type names a check may print (type(result).__name__) whatever the learner wrote.
TYPE_NAMES = frozenset(
    "int float complex bool str bytes list tuple dict set frozenset NoneType object function "
    "method module type range generator Series DataFrame Index MultiIndex ndarray Timestamp "
    "Timedelta NaTType Categorical Chart LayerChart float64 int64 object_ bool_".split()
)
#: Characters that reorder or hide text (bidirectional overrides, zero-width marks).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c]")


def clean(text: str, limit: int = MAX_MESSAGE) -> str:
    """One line of plain printable text, at most `limit` characters."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = "".join(c if c.isprintable() else " " for c in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELIDED


@dataclass(frozen=True)
class Template:
    """An author's message: literal parts with a placeholder between each two."""

    parts: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern[str]:
        holes = "(.*?)".join(re.escape(p) for p in self.parts)
        return re.compile(f"^{holes}$", re.DOTALL)


def _template(node: ast.AST) -> list[str] | None:
    """The literal parts of a message expression (None: not a message we can quote)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        parts = [""]
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts[-1] += value.value
            else:
                parts.append("")
        return parts
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _template(node.left), _template(node.right)
        if left is None or right is None:
            return None
        return [*left[:-1], left[-1] + right[0], *right[1:]]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):
        parts = [""]
        try:
            pieces = list(string.Formatter().parse(node.func.value.value))
        except ValueError:
            return None
        for literal, name, _, _ in pieces:
            parts[-1] += literal
            if name is not None:
                parts.append("")
        return parts
    return None


def _parse(source: str) -> ast.Module | None:
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return None


def templates_in(source: str) -> list[Template]:
    """Every assertion and exception message written in this (visible) source."""
    tree = _parse(source)
    if tree is None:
        return []
    found = []
    for node in ast.walk(tree):
        message: ast.AST | None = None
        if isinstance(node, ast.Assert):
            message = node.msg
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            message = node.exc.args[0]
        parts = _template(message) if message is not None else None
        if parts is not None and any(p.strip() for p in parts):
            found.append(Template(tuple(parts)))
    return found


def words_in(source: str) -> set[str]:
    """Names and short string literals of a piece of code (what it already says)."""
    tree = _parse(source)
    if tree is None:
        return set(re.findall(r"[A-Za-z_]\w*", source))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            found.add(node.name)
        elif isinstance(node, ast.arg):
            found.add(node.arg)
        elif isinstance(node, ast.alias):
            found.update(node.name.split("."))
            found.add(node.name)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str | int | float):
            text = str(node.value)
            if 0 < len(text) <= MAX_VALUE and "\n" not in text:
                found.add(text)
    return found


@cache
def helper_templates() -> tuple[Template, ...]:
    """The messages of the exercise helpers every exercise notebook imports."""
    from academy.lesson import exercise

    return tuple(templates_in(Path(exercise.__file__).read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Quotable:
    """What feedback on one notebook may quote, worked out before its outputs arrive."""

    #: Messages of the author's visible code and of the exercise helpers.
    templates: tuple[Template, ...] = ()
    #: Values a placeholder may show whatever cell it came from.
    words: frozenset[str] = frozenset()
    #: grade_ids of cells that ran before the kernel was sent any hidden test.
    before_hidden: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of_test(cls, source: str) -> Quotable:
        """What a test cell on its own lets feedback quote (its visible part, the helpers)."""
        visible = blanked_source(source)
        return cls((*helper_templates(), *templates_in(visible)), frozenset(words_in(visible)))

    def quote(self, evalue: str, grade_id: str | None) -> str | None:
        """The author's message that `evalue` is, with placeholder values vetted; None if
        it is not one of the author's messages."""
        text = evalue.strip()
        free = grade_id is not None and grade_id in self.before_hidden
        for template in sorted(self.templates, key=lambda t: -len("".join(t.parts))):
            match = template.pattern.match(text)
            if match is None:
                continue
            shown = template.parts[0]
            for value, part in zip(match.groups(), template.parts[1:], strict=True):
                shown += self.value(value, free) + part
            return clean(shown)
        return None

    def value(self, value: str, free: bool) -> str:
        if value in self.words or value in TYPE_NAMES:
            return value
        if free and len(value) <= MAX_VALUE:
            return clean(value, MAX_VALUE)
        return ELIDED

    def allows(self, word: str, free: bool) -> bool:
        return word in self.words or word in TYPE_NAMES or (free and len(word) <= MAX_VALUE)


def quotable(cells: list[Any], author_ids: set[str], answer_ids: set[str]) -> Quotable:
    """What may be quoted, from the trusted notebook's cells (before it runs).

    `author_ids`: grade_ids of the released read-only cells (their visible lines are the
    author's); `answer_ids`: the learner's answer cells (their names are the learner's).
    """
    templates = list(helper_templates())
    words: set[str] = set()
    before: set[str] = set()
    seen_hidden = False
    for cell in cells:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell.get("cell_type") == "code" and hidden_lines(source):
            seen_hidden = True
        if grade_id is not None and not seen_hidden:
            before.add(grade_id)
        if cell.get("cell_type") != "code":
            continue
        if grade_id in author_ids:
            visible = blanked_source(source)
            templates += templates_in(visible)
            words |= words_in(visible)
        elif grade_id in answer_ids:
            words |= words_in(source)
    return Quotable(tuple(templates), frozenset(words), frozenset(before))


#: Python's own error texts, with the parts that name something.
KNOWN_DETAILS: dict[str, list[re.Pattern[str]]] = {
    "NameError": [
        re.compile(
            r"name '(?P<w1>[A-Za-z_]\w*)' is not defined(?:\. Did you mean: '(?P<w2>\w+)'\?)?"
        )
    ],
    "AttributeError": [
        re.compile(
            r"'(?P<w1>[A-Za-z_][\w.]*)' object has no attribute '(?P<w2>\w+)'"
            r"(?:\. Did you mean: '(?P<w3>\w+)'\?)?"
        ),
        re.compile(r"module '(?P<w1>[\w.]+)' has no attribute '(?P<w2>\w+)'"),
    ],
    "KeyError": [re.compile(r"'?(?P<w1>[^'\n]{1,80}?)'?")],
    "ModuleNotFoundError": [re.compile(r"No module named '(?P<w1>[\w.]+)'")],
    "ZeroDivisionError": [re.compile(r"(?:float |integer )?division(?: or modulo)? by zero")],
    "IndexError": [re.compile(r"(?:list|tuple|string) index out of range")],
    "TypeError": [
        re.compile(
            r"unsupported operand type\(s\) for [^:'\n]{1,4}: '(?P<w1>\w+)' and '(?P<w2>\w+)'"
        ),
        re.compile(r"'(?P<w1>\w+)' object is not (?:callable|subscriptable|iterable)"),
        re.compile(
            r"(?P<w1>\w+)\(\) (?:takes \d+ positional arguments? but \d+ (?:was|were) given|"
            r"missing \d+ required positional arguments?: '(?P<w2>\w+)'(?: and '(?P<w3>\w+)')?)"
        ),
    ],
}


def error_detail(ename: str, evalue: str, quotable: Quotable, grade_id: str | None) -> str | None:
    """A Python error's own text when it has a known shape naming only known words."""
    free = grade_id is not None and grade_id in quotable.before_hidden
    text = evalue.strip()
    for pattern in KNOWN_DETAILS.get(ename, []):
        match = pattern.fullmatch(text)
        if match and all(
            quotable.allows(w, free) for w in match.groupdict().values() if w is not None
        ):
            return clean(text)
    return None


def syntax_problem(source: str) -> str | None:
    """Where and why Python cannot read this code, from the grader's own parser."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()]
    try:
        compile("\n".join(lines), "<your answer>", "exec", dont_inherit=True)
    except SyntaxError as exc:
        reason = clean(str(exc.msg or "invalid syntax"), 120)
        return f"line {exc.lineno}: {reason}" if exc.lineno else reason
    except ValueError:
        return None
    return None
